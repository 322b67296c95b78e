//! Every endpoint's documented callbacks, discovered from the fixtures rather than listed in
//! the tests: each provider's `tests/data/<provider>/callbacks.json` maps the names of its
//! endpoints (as the registry names them: `reports`, `uplink`, …) to the fixture files of that
//! folder documented as callbacks to it, the first being the endpoint's documented example.
//! How each body is written (a form, a JSON array or object, a form whose one field holds
//! JSON) is read from the body itself. A provider added to the registry needs its fixtures and
//! that file, nothing here.

#![allow(dead_code)]

use serde_json::Value;
use sms_relay::payload::{parse_form, FieldValue};
use sms_relay::providers::Endpoint;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";
/// The file, in each provider's fixture folder, that names its documented callbacks.
pub const MANIFEST: &str = "callbacks.json";

/// How a callback's body is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Form,
    /// A JSON array of entries (Alibaba's, Tencent's reports).
    Array,
    /// One JSON object (Tencent's replies).
    Object,
    /// A form whose one field holds a URL-encoded JSON array (Yunpian's status reports)…
    FormArray(String),
    /// …or object (Yunpian's replies).
    FormObject(String),
}

impl Shape {
    /// The shape of `body`, read from its content.
    pub fn of(body: &str) -> Shape {
        match body.trim_start().as_bytes().first() {
            Some(b'[') => return Shape::Array,
            Some(b'{') => return Shape::Object,
            _ => {}
        }
        let Ok(form) = parse_form(body.as_bytes()) else {
            return Shape::Form;
        };
        let mut fields = form.iter();
        match (fields.next(), fields.next()) {
            (Some((name, FieldValue::Text(text))), None) => {
                match serde_json::from_str::<Value>(text) {
                    Ok(Value::Array(_)) => Shape::FormArray(name.to_string()),
                    Ok(Value::Object(_)) => Shape::FormObject(name.to_string()),
                    _ => Shape::Form,
                }
            }
            _ => Shape::Form,
        }
    }

    /// The content type the provider sends a body of this shape with.
    pub fn content_type(&self) -> &'static str {
        match self {
            Shape::Array | Shape::Object => JSON,
            Shape::Form | Shape::FormArray(_) | Shape::FormObject(_) => FORM,
        }
    }
}

/// One documented callback: a fixture file sent to an endpoint.
#[derive(Debug, Clone)]
pub struct Callback {
    pub endpoint: Endpoint,
    /// The file, under `tests/data/`.
    pub file: String,
    pub body: String,
    pub shape: Shape,
}

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The provider's manifest: endpoint name → files. `Err` names what is wrong.
pub fn manifest(provider: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let path = format!("{provider}/{MANIFEST}");
    let text = std::fs::read_to_string(data_dir().join(&path))
        .map_err(|error| format!("tests/data/{path}: {error}"))?;
    serde_json::from_str(&text).map_err(|error| {
        format!("tests/data/{path}: {error} (expected {{\"<endpoint>\": [\"<file>\", …]}})")
    })
}

/// `endpoint`'s documented callbacks, its documented example first; `Err`, naming the
/// endpoint, when it has none or a listed file cannot be read.
pub fn documented(endpoint: Endpoint) -> Result<Vec<Callback>, String> {
    let provider = endpoint.provider().name;
    let manifest = manifest(provider).map_err(|error| format!("{endpoint}: {error}"))?;
    let files = manifest
        .get(endpoint.name())
        .filter(|files| !files.is_empty());
    let Some(files) = files else {
        return Err(format!(
            "no documented callback for {endpoint}: list its fixtures under \"{}\" in tests/data/{provider}/{MANIFEST}",
            endpoint.name()
        ));
    };
    files
        .iter()
        .map(|file| {
            let file = format!("{provider}/{file}");
            let body = std::fs::read_to_string(data_dir().join(&file))
                .map_err(|error| format!("{endpoint}: tests/data/{file}: {error}"))?;
            Ok(Callback {
                endpoint,
                shape: Shape::of(&body),
                file,
                body,
            })
        })
        .collect()
}

/// `endpoint`'s documented example: the first of its documented callbacks.
pub fn example(endpoint: Endpoint) -> Callback {
    match documented(endpoint) {
        Ok(callbacks) => callbacks.into_iter().next().unwrap(),
        Err(error) => panic!("{error}"),
    }
}

/// Every endpoint's documented callbacks, in the registry's order.
pub fn all() -> Vec<Callback> {
    Endpoint::all()
        .into_iter()
        .flat_map(|endpoint| documented(endpoint).unwrap_or_else(|error| panic!("{error}")))
        .collect()
}

/// Every field name `callback` carries: a form's names, and every object member's name at any
/// depth of its JSON (a form field's JSON included).
pub fn field_names(callback: &Callback) -> BTreeSet<String> {
    fn json_names(value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::Object(members) => {
                for (name, value) in members {
                    names.insert(name.clone());
                    json_names(value, names);
                }
            }
            Value::Array(values) => values.iter().for_each(|value| json_names(value, names)),
            _ => {}
        }
    }
    let mut names = BTreeSet::new();
    match callback.shape {
        Shape::Array | Shape::Object => {
            let json: Value = serde_json::from_str(&callback.body)
                .unwrap_or_else(|error| panic!("{}: {error}", callback.file));
            json_names(&json, &mut names);
        }
        Shape::Form | Shape::FormArray(_) | Shape::FormObject(_) => {
            let form = parse_form(callback.body.as_bytes())
                .unwrap_or_else(|error| panic!("{}: {error:?}", callback.file));
            for (name, value) in form.iter() {
                names.insert(name.to_string());
                if let FieldValue::Text(text) = value {
                    if let Ok(json) = serde_json::from_str::<Value>(text) {
                        json_names(&json, &mut names);
                    }
                }
            }
        }
    }
    names
}
