#![no_main]
//! Parsing and normalization as the relay runs them (unsigned mode, so every input reaches the
//! normalizer): the first byte picks endpoint and media type, the rest is the body. Every
//! outcome must be events that serialize, and an unreadable body must still yield an event.
use libfuzzer_sys::fuzz_target;
use sms_relay::clock::Timestamp;
use sms_relay::http::PushRequest;
use sms_relay::testing::oracle::{fuzz_config, fuzz_selector};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let config = fuzz_config();
    let (endpoint, content_type) = fuzz_selector(selector);
    let headers = vec![("content-type".to_string(), content_type.to_string())];
    let request = PushRequest {
        method: "POST",
        path: "/huawei/reports",
        query: "",
        headers: &headers,
        body,
    };
    let ingested = endpoint.ingest(
        None,
        &request,
        &config,
        Timestamp::from_unix_seconds(1_733_987_300),
    );
    assert!(
        !ingested.events.is_empty() || ingested.reply.status == 200,
        "nothing Huawei sent is dropped"
    );
    for event in &ingested.events {
        assert!(serde_json::to_string(event).is_ok());
    }
});
