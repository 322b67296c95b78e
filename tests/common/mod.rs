//! What several test suites share. Each suite uses a part of it.
#![allow(dead_code)]

pub mod callbacks;

use serde_json::Value;
use sms_relay::event::Ingested;
use std::sync::OnceLock;

/// A fixture's text: `tests/data/<provider>/<name>`.
pub fn fixture(provider: &str, name: &str) -> String {
    let path = callbacks::data_dir().join(provider).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The events ingested, as the JSON the sinks receive.
pub fn events(ingested: &Ingested) -> Vec<Value> {
    ingested
        .events
        .iter()
        .map(|event| serde_json::to_value(event).unwrap_or_else(|error| panic!("{error}")))
        .collect()
}

/// Whether `event` satisfies the published schema (`schema/event.schema.json`), with the first
/// error and where it is.
pub fn schema(event: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("../../schema/event.schema.json"))
            .unwrap_or_default();
        jsonschema::validator_for(&schema).unwrap_or_else(|error| panic!("the schema: {error}"))
    });
    match validator.iter_errors(event).next() {
        None => Ok(()),
        Some(error) => Err(format!("{error} at {}", error.instance_path())),
    }
}
