#![no_main]
//! The form parser: never panics, and what it accepts has unique names and at most MAX_FIELDS.
use libfuzzer_sys::fuzz_target;
use sms_relay::payload::fields::MAX_FIELDS;
use sms_relay::payload::parse_form;

fuzz_target!(|data: &[u8]| {
    if let Ok(fields) = parse_form(data) {
        assert!(fields.len() <= MAX_FIELDS);
        let mut names: Vec<&str> = fields.iter().map(|(name, _)| name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), fields.len());
    }
});
