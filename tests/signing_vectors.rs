//! Every vector of the Huawei signing file (`tests/data/huawei-signing.json`) (Huawei's own example first) must verify or
//! fail exactly as it says, and valid ones must reproduce the intermediate strings.

// Helpers outside #[test] functions assert by panicking too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use serde::Deserialize;
use sms_relay::clock::{parse_report_time, Timestamp};
use sms_relay::http::PushRequest;
use sms_relay::providers::huawei::signing::{verify, KeySet};
use sms_relay::testing::huawei::SIGNING_VECTORS;

#[derive(Deserialize)]
struct VectorFile {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    keys: std::collections::BTreeMap<String, String>,
    now: String,
    request: VectorRequest,
    expect: Expect,
}

#[derive(Deserialize)]
struct VectorRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body_base64: String,
}

#[derive(Deserialize)]
struct Expect {
    valid: bool,
    reason: Option<String>,
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
    signature: Option<String>,
}

fn load() -> Vec<Vector> {
    let text = SIGNING_VECTORS;
    let file: VectorFile = serde_json::from_str(text).expect("vector file parses");
    file.vectors
}

#[test]
fn every_vector_has_the_expected_outcome() {
    let vectors = load();
    assert!(vectors.len() >= 14, "the vector file lost entries");
    assert_eq!(
        vectors[0].name, "apig-guide-get-with-query",
        "Huawei's own example comes first"
    );
    for vector in &vectors {
        let mut keys = KeySet::new();
        for (access, secret) in &vector.keys {
            keys.insert(access, secret).unwrap();
        }
        let body = base64::engine::general_purpose::STANDARD
            .decode(&vector.request.body_base64)
            .expect("body decodes");
        let now: Timestamp = parse_report_time(&vector.now).expect("vector clock parses");
        let request = PushRequest {
            method: &vector.request.method,
            url: "https://relay.example/",
            path: &vector.request.path,
            query: &vector.request.query,
            headers: &vector.request.headers,
            body: &body,
        };
        let outcome = verify(&request, &keys, now, 900);
        match (&outcome, vector.expect.valid) {
            (Ok(verified), true) => {
                let expect = &vector.expect;
                assert_eq!(
                    Some(verified.canonical_request()),
                    expect.canonical_request.as_deref(),
                    "{}",
                    vector.name
                );
                assert_eq!(
                    Some(verified.string_to_sign()),
                    expect.string_to_sign.as_deref(),
                    "{}",
                    vector.name
                );
                let secret = &vector.keys[verified.access_key()];
                let signature = sms_relay::providers::huawei::signing::sign(
                    secret.as_bytes(),
                    verified.string_to_sign(),
                );
                assert_eq!(
                    Some(signature.as_str()),
                    expect.signature.as_deref(),
                    "{}",
                    vector.name
                );
            }
            (Err(error), false) => {
                assert_eq!(
                    Some(error.code()),
                    vector.expect.reason.as_deref(),
                    "{}",
                    vector.name
                );
            }
            (outcome, _) => panic!(
                "{}: expected valid={}, got {outcome:?}",
                vector.name, vector.expect.valid
            ),
        }
    }
}
