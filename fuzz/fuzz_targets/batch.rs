#![no_main]
//! The batch parser and the entry scanner: any accepted entry splits into fields, or is refused
//! with an error, never a panic or a hang.
use libfuzzer_sys::fuzz_target;
use sms_relay::payload::entry_fields;
use sms_relay::providers::huawei::batch::parse_batch;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = parse_batch(data) {
        for entry in &batch.entries {
            let _ = entry_fields(entry);
        }
    }
});
