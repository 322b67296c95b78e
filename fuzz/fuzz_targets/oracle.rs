#![no_main]
//! The ingest oracle on arbitrary authenticated input (`sms_relay::testing::oracle`): the first
//! byte picks endpoint and content type, the rest is the body. Each push must yield at least
//! one event, every event must fit every sink and satisfy the published schema, the same push
//! received again later must repeat its ids, and events that say anything different must get
//! different ids, equal ones equal ids (checked against two near copies: the body with its
//! first and last bytes swapped, and with its middle byte changed).
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sms_relay::testing::oracle::{check, fuzz_config, fuzz_selector, Ids};
use std::sync::OnceLock;

fn schema(event: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("../../schema/event.schema.json"))
            .expect("the schema is JSON");
        jsonschema::validator_for(&schema).expect("the schema compiles")
    });
    match validator.iter_errors(event).next() {
        None => Ok(()),
        Some(error) => Err(error.to_string()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let config = fuzz_config();
    let (endpoint, content_type) = fuzz_selector(selector);
    let mut ids = Ids::default();
    let mut swapped = body.to_vec();
    if let (Some(&first), Some(&last)) = (body.first(), body.last()) {
        if let Some(slot) = swapped.first_mut() {
            *slot = last;
        }
        if let Some(slot) = swapped.last_mut() {
            *slot = first;
        }
    }
    let mut changed = body.to_vec();
    if let Some(byte) = changed.get_mut(body.len() / 2) {
        *byte = byte.wrapping_add(1);
    }
    for input in [body, &swapped[..], &changed[..]] {
        match check(&config, endpoint, content_type, input, &schema) {
            Ok(events) => {
                if let Err(error) = ids.add(events) {
                    panic!("{error}");
                }
            }
            Err(error) => panic!("{error}"),
        }
    }
});
