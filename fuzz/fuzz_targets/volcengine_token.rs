#![no_main]
//! Volcengine's verifier is its path token (Volcengine signs nothing): the first byte is the
//! token's length, then the token, then the body. Any token and body are refused or accepted
//! without a panic; only the old or the new configured token is accepted, and a refused push
//! stores nothing.
use libfuzzer_sys::fuzz_target;
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config};
use sms_relay::http::PushRequest;
use sms_relay::providers::{volcengine, Callback, Endpoint};

const OLD: &str = "volcengine-old-token-0123";
const NEW: &str = "volcengine-token-0123456789";

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (token, body) = rest.split_at(usize::from(len).min(rest.len()));
    let token = String::from_utf8_lossy(token);
    let config = Config::from_vars(&[("VOLCENGINE_TOKEN", "volcengine-old-token-0123,volcengine-token-0123456789")], Bindings::ALL);
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/volcengine/reports",
        path: "/volcengine/reports",
        query: "",
        headers: &headers,
        body,
    };
    for endpoint in [volcengine::Endpoint::Reports, volcengine::Endpoint::Uplink] {
        for given in [Some(token.as_ref()), Some(OLD), Some(NEW)] {
            let callback = Callback {
                token: given,
                request: &request,
                now: Timestamp::from_unix_seconds(0),
                verification: None,
            };
            let ingested = Endpoint::Volcengine(endpoint).ingest(
                &callback,
                &config.providers,
                config.limits.max_body_bytes,
            );
            let right = given == Some(OLD) || given == Some(NEW);
            assert_eq!(ingested.reply.status == 401, !right);
            assert_eq!(ingested.events.is_empty(), !right);
        }
    }
});
