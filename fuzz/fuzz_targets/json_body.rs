#![no_main]
//! Alibaba's and Tencent's bodies: a JSON array split into raw entries, or one JSON object
//! split into fields. Never a panic or a hang; every accepted entry is a slice of the input,
//! at most MAX_BATCH_ENTRIES of them, and splits into fields or is refused with an error.
use libfuzzer_sys::fuzz_target;
use sms_relay::payload::{entry_fields, json_array, json_object, MAX_BATCH_ENTRIES};
use sms_relay::providers::common::range_within;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = json_array(data) {
        assert!(!entries.is_empty() && entries.len() <= MAX_BATCH_ENTRIES);
        for entry in &entries {
            assert!(range_within(data, entry.as_bytes()).is_some());
            let _ = entry_fields(entry);
        }
    }
    if let Ok(fields) = json_object(data) {
        assert!(fields.len() <= sms_relay::payload::fields::MAX_FIELDS);
    }
});
