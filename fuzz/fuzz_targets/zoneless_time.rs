#![no_main]
//! Alibaba's and Tencent's zone-less times: never a panic, and a time that parses is the same
//! wall-clock time eight hours ahead of the UTC instant it becomes (leap seconds aside).
use libfuzzer_sys::fuzz_target;
use sms_relay::clock::{parse_zoneless_time, Timestamp};
use sms_relay::providers::common::CHINA_OFFSET_MINUTES;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(at) = parse_zoneless_time(text, CHINA_OFFSET_MINUTES) {
        if text.ends_with(":60") {
            return;
        }
        let local = Timestamp::from_unix_millis(at.unix_millis() + CHINA_OFFSET_MINUTES * 60_000);
        let written = local.to_rfc3339(false);
        // The date and time as written, whichever of `T`, `t` or a space separates them.
        let (date, time) = (text.get(..10), text.get(11..));
        assert_eq!(written.get(..10), date, "{text}");
        assert_eq!(written.get(11..19), time, "{text}");
    }
});
