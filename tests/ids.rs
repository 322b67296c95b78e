//! Distinct reports, distinct ids; the same report, the same id. For every provider's every
//! endpoint, a documented callback is changed in one field (a mapped one, an unmapped one, or a
//! new one) to any of a set of values: wherever the events then say something different
//! (outside `received_at` and `auth`), their ids differ, and wherever they say the same, the
//! ids are the same. Each push is also ingested a second time, later, and must repeat its ids
//! (`testing::oracle::check`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::schema;

use common::callbacks::{self, Shape};
use proptest::prelude::*;
use sms_relay::config::{Bindings, Config};
use sms_relay::event::UNPARSED_TYPE;
use sms_relay::payload::json_scan::object_members;
use sms_relay::payload::parse_form;
use sms_relay::providers::{Endpoint, NAMES};
use sms_relay::testing::oracle::{check, endpoints, ingest, oracle_vars, Ids};

/// `endpoint`'s documented example ([`callbacks::example`]: the first callback its provider's
/// `tests/data/<provider>/callbacks.json` lists for it) as its fields, and how the body is
/// written. Form values are kept as text; JSON values as their raw JSON.
fn base(endpoint: Endpoint) -> (Shape, Vec<(String, String)>) {
    let example = callbacks::example(endpoint);
    let (shape, body) = (example.shape, example.body);
    let fields = match &shape {
        Shape::Form => parse_form(body.as_bytes())
            .unwrap()
            .iter()
            .map(|(name, value)| {
                let sms_relay::payload::FieldValue::Text(text) = value else {
                    panic!("form values are text")
                };
                (name.to_string(), text.to_string())
            })
            .collect(),
        Shape::Array | Shape::Object | Shape::FormArray(_) | Shape::FormObject(_) => {
            let json = match &shape {
                Shape::FormArray(field) | Shape::FormObject(field) => {
                    let form = parse_form(body.as_bytes()).unwrap();
                    let Some(sms_relay::payload::FieldValue::Text(json)) = form.get(field) else {
                        panic!("no {field}")
                    };
                    json.to_string()
                }
                _ => body.to_string(),
            };
            // Raw JSON, so a number stays as written (Yunpian's `sid`).
            let json: &serde_json::value::RawValue = serde_json::from_str(&json).unwrap();
            let entry = match &shape {
                Shape::Array | Shape::FormArray(_) => {
                    let entries: Vec<&serde_json::value::RawValue> =
                        serde_json::from_str(json.get()).unwrap();
                    entries[0].get().to_string()
                }
                _ => json.get().to_string(),
            };
            object_members(&entry)
                .unwrap()
                .into_iter()
                .map(|(name, value)| (name.into_owned(), value.to_string()))
                .collect()
        }
    };
    (shape, fields)
}

fn render(shape: &Shape, fields: &[(String, String)]) -> (String, &'static str) {
    match shape {
        Shape::Form => {
            let encode = |text: &str| {
                percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            };
            let pairs: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                .collect();
            (pairs.join("&"), "application/x-www-form-urlencoded")
        }
        Shape::Array | Shape::Object | Shape::FormArray(_) | Shape::FormObject(_) => {
            let members: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{}:{value}", serde_json::to_string(name).unwrap()))
                .collect();
            let object = format!("{{{}}}", members.join(","));
            let encode = |json: &str| {
                percent_encoding::utf8_percent_encode(json, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            };
            match shape {
                Shape::Array => (format!("[{object}]"), "application/json"),
                Shape::FormArray(field) => (
                    format!("{field}={}", encode(&format!("[{object}]"))),
                    "application/x-www-form-urlencoded",
                ),
                Shape::FormObject(field) => (
                    format!("{field}={}", encode(&object)),
                    "application/x-www-form-urlencoded",
                ),
                _ => (object, "application/json"),
            }
        }
    }
}

/// Values a field may be changed to: the kinds of values callbacks carry.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("DELIVRD".to_string()),
        Just("UNDELIV".to_string()),
        Just("delivered".to_string()),
        Just("sent".to_string()),
        Just("SUCCESS".to_string()),
        Just("FAIL".to_string()),
        Just("1".to_string()),
        Just("2".to_string()),
        Just("2018-04-13T06:31:46Z".to_string()),
        Just("2017-01-01 00:00:00".to_string()),
        Just("+8613800000000".to_string()),
        Just("【阿里云】".to_string()),
        "[a-zA-Z0-9:+ _-]{1,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn a_report_changed_in_any_field_gets_another_id_and_an_unchanged_one_the_same(
        endpoint in proptest::sample::select(endpoints()),
        which in any::<prop::sample::Index>(),
        new_value in value(),
        as_number in any::<bool>(),
    ) {
        let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
        let (shape, fields) = base(endpoint);
        let mut changed = fields.clone();
        // One more slot than fields: a field the vendor did not send before.
        let slot = which.index(fields.len() + 1);
        let json_value = match shape {
            Shape::Form => new_value.clone(),
            // JSON values as strings, or as numbers where they are digits.
            _ if as_number && !new_value.is_empty() && new_value.bytes().all(|b| b.is_ascii_digit()) => new_value.clone(),
            _ => serde_json::to_string(&new_value).unwrap(),
        };
        match changed.get_mut(slot) {
            Some((_, value)) => *value = json_value,
            None => changed.push(("zz_added".to_string(), json_value)),
        }
        let mut ids = Ids::default();
        for fields in [&fields, &changed] {
            let (body, content_type) = render(&shape, fields);
            let events = check(&config, endpoint, content_type, body.as_bytes(), &schema);
            prop_assert!(events.is_ok(), "{:?} for {body}", events);
            let added = ids.add(events.unwrap());
            prop_assert!(added.is_ok(), "{:?} for {body}", added);
        }
    }
}

/// The documented callbacks the property test starts from are complete and right: every
/// endpoint of the registry has one, each is parsed by its endpoint (answered `200`, no
/// `unparsed` event), every manifest names endpoints of its provider only, and every fixture
/// with recorded events is listed as a callback.
#[test]
fn every_endpoint_has_documented_callbacks_that_it_parses() {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    let mut problems = Vec::new();
    for endpoint in endpoints() {
        let documented = match callbacks::documented(endpoint) {
            Ok(documented) => documented,
            Err(error) => {
                problems.push(error);
                continue;
            }
        };
        for callback in documented {
            let content_type = callback.shape.content_type();
            let ingested = ingest(&config, endpoint, content_type, callback.body.as_bytes());
            let Some(ingested) = ingested else {
                problems.push(format!(
                    "{endpoint}: tests/data/{} not authenticated",
                    callback.file
                ));
                continue;
            };
            let kinds: Vec<String> = ingested
                .events
                .iter()
                .map(|event| serde_json::to_value(event).unwrap()["type"].to_string())
                .collect();
            if ingested.reply.status != 200
                || kinds.is_empty()
                || kinds.iter().any(|kind| kind.contains(UNPARSED_TYPE))
            {
                problems.push(format!(
                    "{endpoint}: tests/data/{} ({content_type}) is not one of its callbacks: answered {} with {kinds:?}",
                    callback.file, ingested.reply.status
                ));
            }
        }
    }
    for provider in NAMES {
        let Ok(manifest) = callbacks::manifest(provider) else {
            continue; // reported above, for each of its endpoints
        };
        for name in manifest.keys() {
            if Endpoint::named(provider, name).is_none() {
                problems.push(format!(
                    "tests/data/{provider}/{}: {provider} has no endpoint {name:?}",
                    callbacks::MANIFEST
                ));
            }
        }
        let listed: Vec<&String> = manifest.values().flatten().collect();
        let folder = callbacks::data_dir().join(provider);
        for entry in std::fs::read_dir(&folder).unwrap() {
            let file = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = file
                .strip_suffix(".events.json")
                .or_else(|| file.strip_suffix(".event.json"))
            else {
                continue;
            };
            if !listed
                .iter()
                .any(|listed| listed.rsplit_once('.').map(|(s, _)| s) == Some(stem))
            {
                problems.push(format!(
                    "tests/data/{provider}/{file} records the events of a body {} does not list",
                    callbacks::MANIFEST
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The collisions consumers hit before ids hashed every field: each pair is two reports.
#[test]
fn the_reported_collisions_are_two_reports_each() {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    let json = "application/json";
    let alibaba_report = |phone: &str| {
        format!(
            r#"[{{"phone_number":"{phone}","send_time":"2017-01-01 00:00:00","report_time":"2017-01-01 00:00:00","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"12345","out_id":"67890"}}]"#
        )
    };
    let tencent_reply = |sign: &str| {
        format!(
            r#"{{"extend":"","mobile":"13800000000","nationcode":"86","sign":"{sign}","text":"TD","time":1457336869}}"#
        )
    };
    let alibaba_uplink = |sign: &str| {
        format!(
            r#"[{{"dest_code":"1231","send_time":"2017-01-01 00:00:00","sign_name":"{sign}","phone_number":"13800000000","content":"1234"}}]"#
        )
    };
    let endpoint = |name: &str| {
        endpoints()
            .into_iter()
            .find(|endpoint| endpoint.route_name() == name)
            .unwrap()
    };
    for (route, a, b) in [
        (
            "alibaba/reports",
            alibaba_report("13800000001"),
            alibaba_report("13800000002"),
        ),
        (
            "tencent/replies",
            tencent_reply("【甲】"),
            tencent_reply("【乙】"),
        ),
        (
            "alibaba/uplink",
            alibaba_uplink("【甲】"),
            alibaba_uplink("【乙】"),
        ),
    ] {
        let id = |body: &str| {
            let events = check(&config, endpoint(route), json, body.as_bytes(), &schema).unwrap();
            assert_eq!(events.len(), 1, "{body}");
            events[0].0.clone()
        };
        assert_ne!(id(&a), id(&b), "{route}");
    }
}
