#![no_main]
//! The `Authorization` header parser, on any text.
use libfuzzer_sys::fuzz_target;
use sms_relay::providers::huawei::signing::parse_authorization;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(parsed) = parse_authorization(text) {
            // Whatever it accepts has the documented shape.
            assert!(!parsed.access_key.is_empty() && !parsed.signed_headers.is_empty());
        }
    }
});
