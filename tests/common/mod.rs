//! What several test suites share.

pub mod callbacks;

use serde_json::Value;
use std::sync::OnceLock;

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
