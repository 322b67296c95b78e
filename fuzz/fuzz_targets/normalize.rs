#![no_main]
//! Parsing and normalization as the relay runs them, on every provider's endpoints (with the
//! credentials each needs, so every input reaches the normalizer): the first byte picks
//! endpoint and media type, the rest is the body. Every outcome must be events that
//! serialize, and an unreadable body must still yield an event.
use libfuzzer_sys::fuzz_target;
use sms_relay::testing::oracle::{fuzz_config, fuzz_selector, ingest};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let config = fuzz_config();
    let (endpoint, content_type) = fuzz_selector(selector);
    // None: a Twilio form that is not UTF-8, which nothing could have signed.
    let Some(ingested) = ingest(&config, endpoint, content_type, body) else {
        return;
    };
    assert!(
        !ingested.events.is_empty() || ingested.reply.status == 200,
        "nothing a provider sent is dropped"
    );
    for event in &ingested.events {
        assert!(serde_json::to_string(event).is_ok());
    }
});
