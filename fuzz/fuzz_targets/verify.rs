#![no_main]
//! The full verifier on random requests against a fixed key set and clock. Input layout, one
//! item per line: path, query, then `name: value` headers up to an empty line, then the body.
use libfuzzer_sys::fuzz_target;
use sms_relay::clock::Timestamp;
use sms_relay::http::PushRequest;
use sms_relay::providers::huawei::signing::{verify, KeySet};

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = split_head(data) else {
        return;
    };
    let mut lines = head.split('\n');
    let path = lines.next().unwrap_or_default();
    let query = lines.next().unwrap_or_default();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    let mut keys = KeySet::new();
    let _ = keys.insert("exampleAk", "exampleSk*1231d881wd");
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/",
        path,
        query,
        headers: &headers,
        body,
    };
    let _ = verify(
        &request,
        &keys,
        Timestamp::from_unix_seconds(1_733_987_300),
        900,
    );
});

fn split_head(data: &[u8]) -> Option<(&str, &[u8])> {
    let end = data.windows(2).position(|w| w == b"\n\n")?;
    let head = std::str::from_utf8(data.get(..end)?).ok()?;
    Some((head, data.get(end + 2..)?))
}
