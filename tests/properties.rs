//! Properties that must hold for any input, not just the examples: signing and verifying
//! round-trip; changing any single byte of what is signed breaks verification; normalizing a
//! report keeps every field Huawei sent, mapped or in `extra`.

// Helpers outside #[test] functions assert by panicking too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::Value;
use sms_relay::clock::Timestamp;
use sms_relay::event::{AuthInfo, Receipt};
use sms_relay::http::PushRequest;
use sms_relay::payload::parse_form;
use sms_relay::providers::huawei::normalize::status_report;
use sms_relay::providers::huawei::signing::{verify, KeySet};
use sms_relay::testing::authorization_header;

const NOW: i64 = 1_733_987_213; // 2024-12-12T07:06:53Z
const SDK_DATE: &str = "20241212T070653Z";

#[derive(Debug, Clone)]
struct Signed {
    path: String,
    query: String,
    body: Vec<u8>,
    content_type: String,
    host: String,
}

fn signed_request() -> impl Strategy<Value = Signed> {
    (
        "(/[a-zA-Z0-9%_.~ -]{0,12}){1,4}",
        "([a-z]{1,5}=[a-zA-Z0-9%+]{0,6}(&[a-z]{1,5}=[a-zA-Z0-9%]{0,6}){0,3})?",
        proptest::collection::vec(any::<u8>(), 0..300),
        "application/(json|x-www-form-urlencoded)",
        "[a-z]{1,10}\\.example(:[0-9]{2,5})?",
    )
        .prop_map(|(path, query, body, content_type, host)| Signed {
            path,
            query,
            body,
            content_type,
            host,
        })
}

fn headers_of(signed: &Signed, secret: &str) -> Vec<(String, String)> {
    let length = signed.body.len().to_string();
    let to_sign = [
        ("connection", "close"),
        ("content-length", length.as_str()),
        ("content-type", signed.content_type.as_str()),
        ("host", signed.host.as_str()),
        ("x-sdk-date", SDK_DATE),
    ];
    let authorization = authorization_header(
        "ak",
        secret,
        "POST",
        &signed.path,
        &signed.query,
        &to_sign,
        &signed.body,
    );
    let mut headers: Vec<(String, String)> = to_sign
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    headers.push(("authorization".into(), authorization));
    headers
}

fn keys() -> KeySet {
    let mut keys = KeySet::new();
    keys.insert("ak", "property-secret").unwrap();
    keys
}

fn verifies(signed: &Signed, headers: &[(String, String)]) -> bool {
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/",
        path: &signed.path,
        query: &signed.query,
        headers,
        body: &signed.body,
    };
    verify(&request, &keys(), Timestamp::from_unix_seconds(NOW), 900).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn signing_then_verifying_round_trips(signed in signed_request()) {
        let headers = headers_of(&signed, "property-secret");
        prop_assert!(verifies(&signed, &headers));
    }

    #[test]
    fn any_changed_body_byte_fails(signed in signed_request(), index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        prop_assume!(!signed.body.is_empty());
        let headers = headers_of(&signed, "property-secret");
        let mut tampered = signed.clone();
        let at = index.index(tampered.body.len());
        tampered.body[at] ^= flip;
        prop_assert!(!verifies(&tampered, &headers));
    }

    /// `connection` is left out on purpose: the verifier accepts the values an edge rewrites it
    /// to (`docs/huawei-protocol.md` §2.2), so a changed `Connection` header is not a changed signature.
    #[test]
    fn any_changed_path_query_header_or_date_byte_fails(signed in signed_request(), index in any::<prop::sample::Index>(), target in 0usize..5) {
        let headers = headers_of(&signed, "property-secret");
        let mut tampered = signed.clone();
        let mut tampered_headers = headers.clone();
        // Replace one character with a different unreserved one, so the change survives
        // percent-decoding and re-encoding (an encoding change of the same byte is the same
        // request to the signer).
        fn change(text: &mut String, index: &prop::sample::Index) -> bool {
            let chars: Vec<char> = text.chars().collect();
            let positions: Vec<usize> = chars.iter().enumerate().filter(|(_, c)| c.is_ascii_alphanumeric()).map(|(i, _)| i).collect();
            if positions.is_empty() { return false; }
            let at = positions[index.index(positions.len())];
            let replaced: String = chars.iter().enumerate().map(|(i, c)| if i == at { if *c == 'z' { 'y' } else { 'z' } } else { *c }).collect();
            *text = replaced;
            true
        }
        let changed = match target {
            0 => change(&mut tampered.path, &index),
            1 => change(&mut tampered.query, &index),
            2 => change(&mut tampered_headers[2].1, &index),   // content-type
            3 => change(&mut tampered_headers[3].1, &index),   // host
            _ => {
                // Another valid date one second later.
                tampered_headers[4].1 = "20241212T070654Z".into();
                true
            }
        };
        prop_assume!(changed);
        prop_assert!(!verifies(&tampered, &tampered_headers), "target {target}");
    }

    #[test]
    fn normalizing_a_report_keeps_every_field(
        extra in proptest::collection::btree_map("[a-zA-Z][a-zA-Z0-9_]{0,10}", "[ -~]{0,20}", 0..6),
        id in "[a-zA-Z0-9_-]{1,40}",
        status in "[A-Z0-9:]{1,7}",
        extend in proptest::option::of("[ -~]{0,30}"),
    ) {
        let mapped = ["smsMsgId", "status", "statusDesc", "source", "updateTime", "total", "sequence", "extend", "to", "orgCode"];
        let extra: Vec<(String, String)> = extra.into_iter().filter(|(name, _)| !mapped.contains(&name.as_str())).collect();
        let mut pairs: Vec<(String, String)> = vec![("smsMsgId".into(), id.clone()), ("status".into(), status.clone())];
        if let Some(extend) = &extend { pairs.push(("extend".into(), extend.clone())); }
        pairs.extend(extra.iter().cloned());
        let body = pairs.iter().map(|(n, v)| format!("{}={}", encode(n), encode(v))).collect::<Vec<_>>().join("&");

        let fields = parse_form(body.as_bytes());
        prop_assert!(fields.is_ok(), "{body}");
        let fields = fields.unwrap_or_default();
        let receipt = Receipt::new(Timestamp::from_unix_seconds(NOW), AuthInfo::None);
        let event = status_report(&fields, &receipt);
        prop_assert!(event.is_ok(), "{body}: {event:?}");
        let json = serde_json::to_value(event.ok()).unwrap_or_default();
        let data = &json["data"];
        prop_assert_eq!(&data["message_id"], &Value::from(id));
        prop_assert_eq!(&data["status"], &Value::from(status));
        prop_assert_eq!(&data["extend"], &extend.map_or(Value::Null, Value::from));
        let expected_extra: serde_json::Map<String, Value> = extra.into_iter().map(|(n, v)| (n, Value::from(v))).collect();
        prop_assert_eq!(&data["extra"], &Value::Object(expected_extra));
    }
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    sms_relay::payload::percent::encode_unreserved(text.as_bytes(), &mut out);
    out
}
