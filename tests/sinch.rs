//! Sinch through the core: its documented callbacks, signed as Sinch signs them, become the
//! events in `tests/data/sinch/` with an empty `200`; unsigned, forged, stale or otherwise
//! unauthenticated callbacks store nothing; unreadable ones are kept whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::events;

use serde_json::Value;
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config};
use sms_relay::event::Ingested;
use sms_relay::http::PushRequest;
use sms_relay::providers::sinch::{self, signature};
use sms_relay::providers::{Callback, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars, RECEIVED};

const JSON: &str = "application/json";
const CALLBACKS: Endpoint = Endpoint::Sinch(sinch::Endpoint::Callbacks);

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn read(file: &str) -> String {
    common::fixture("sinch", file)
}

#[test]
fn each_documented_callback_becomes_the_recorded_events_with_an_empty_200() {
    for name in [
        "recipient-delivery-report",
        "delivery-report-summary",
        "delivery-report-full",
        "mo-text",
        "mo-binary",
        "mo-media",
    ] {
        let body = read(&format!("{name}.json"));
        let ingested = ingest(&config(), CALLBACKS, JSON, body.as_bytes()).unwrap();
        let golden: Value = serde_json::from_str(&read(&format!("{name}.events.json"))).unwrap();
        assert_eq!(Value::Array(events(&ingested)), golden, "{name}");
        assert_eq!(
            (ingested.reply.status, ingested.reply.body.as_str()),
            (200, ""),
            "{name}"
        );
        assert!(ingested.reply.headers.is_empty(), "{name}");
    }
}

/// A callback with these headers (name, value) and body, received at `now`.
fn push(headers: &[(&str, &str)], body: &str, now: i64) -> Ingested {
    let config = config();
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/sinch/callbacks",
        path: "/sinch/callbacks",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let callback = Callback {
        token: None,
        request: &request,
        now: Timestamp::from_unix_seconds(now),
        verification: None,
    };
    CALLBACKS.ingest(&callback, &config.providers, config.limits.max_body_bytes)
}

#[test]
fn the_sdk_vector_verifies_and_anything_unauthenticated_stores_nothing() {
    let secrets = "SMSWebhooksSecret";
    let config = Config::from_vars(&[("SINCH_WEBHOOK_SECRETS", secrets)], Bindings::ALL);
    assert_eq!(config.providers.enabled_names(), ["sinch"]);
    let body = read("recipient-delivery-report.json");
    let (nonce, timestamp) = ("01JHFFHWYY7HSS4FWTMDTQEK8V", "1736760161");
    let vector = "ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=";
    assert_eq!(
        signature::sign(secrets.as_bytes(), body.as_bytes(), nonce, timestamp),
        vector
    );
    let headers = |signature: &'static str, timestamp: &'static str| {
        vec![
            ("content-type", JSON),
            ("x-sinch-webhook-signature", signature),
            ("x-sinch-webhook-signature-algorithm", "HmacSHA256"),
            (
                "x-sinch-webhook-signature-nonce",
                "01JHFFHWYY7HSS4FWTMDTQEK8V",
            ),
            ("x-sinch-webhook-signature-timestamp", timestamp),
        ]
    };
    let ingest_under = |headers: &[(&str, &str)], body: &str, now: i64| {
        let owned: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let request = PushRequest {
            method: "POST",
            url: "https://relay.example/sinch/callbacks",
            path: "/sinch/callbacks",
            query: "",
            headers: &owned,
            body: body.as_bytes(),
        };
        let callback = Callback {
            token: None,
            request: &request,
            now: Timestamp::from_unix_seconds(now),
            verification: None,
        };
        CALLBACKS.ingest(&callback, &config.providers, config.limits.max_body_bytes)
    };
    let now = 1_736_760_161 + 5;
    let signed = ingest_under(&headers(vector, "1736760161"), &body, now);
    assert_eq!((signed.reply.status, signed.events.len()), (200, 1));
    assert_eq!(
        events(&signed)[0]["data"]["auth"],
        serde_json::json!({"scheme": "signature", "token_index": 1})
    );
    for (headers, body, now, code) in [
        (
            vec![("content-type", JSON)],
            body.clone(),
            now,
            "missing_signature",
        ),
        (
            headers(vector, "1736760161"),
            body.replace("Delivered", "Failed"),
            now,
            "signature_mismatch",
        ),
        (
            headers(vector, "1736760161"),
            body.clone(),
            now + 86_400,
            "clock_skew",
        ),
        (
            headers(vector, "17367601x1"),
            body.clone(),
            now,
            "malformed_timestamp",
        ),
        (
            headers(vector, "1736760161")[..4].to_vec(),
            body.clone(),
            now,
            "signed_header_missing",
        ),
    ] {
        let refused = ingest_under(&headers, &body, now);
        assert_eq!(
            (refused.reply.status, refused.reply.code),
            (401, code),
            "{headers:?}"
        );
        assert!(refused.events.is_empty());
    }
    // Under the oracle's settings the vector's secret is not configured.
    let other = push(&headers(vector, "1736760161"), &body, now);
    assert_eq!(
        (other.reply.status, other.reply.code),
        (401, "signature_mismatch")
    );
    // A secret rotated in verifies as the second.
    let rotation = Config::from_vars(
        &[("SINCH_WEBHOOK_SECRETS", "new-secret, SMSWebhooksSecret")],
        Bindings::ALL,
    );
    let owned: Vec<(String, String)> = headers(vector, "1736760161")
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/sinch/callbacks",
        path: "/sinch/callbacks",
        query: "",
        headers: &owned,
        body: body.as_bytes(),
    };
    let callback = Callback {
        token: None,
        request: &request,
        now: Timestamp::from_unix_seconds(now),
        verification: None,
    };
    let rotated = CALLBACKS.ingest(
        &callback,
        &rotation.providers,
        rotation.limits.max_body_bytes,
    );
    assert_eq!(
        events(&rotated)[0]["data"]["auth"],
        serde_json::json!({"scheme": "signature", "token_index": 2})
    );
}

#[test]
fn unknown_types_and_unreadable_bodies_are_kept_whole_and_answered_400() {
    let config = config();
    for (body, code) in [
        (r#"{"type":"mt_text","id":"x"}"#, "invalid_field"),
        (r#"{"id":"x"}"#, "missing_field"),
        ("[1]", "not_an_object"),
        (
            r#"{"type":"delivery_report_sms","batch_id":"b","statuses":[]}"#,
            "invalid_field",
        ),
        (
            r#"{"type":"delivery_report_sms","batch_id":"b","code":1,"statuses":[{"status":"Delivered","code":0}]}"#,
            "duplicate_field",
        ),
        (
            r#"{"type":"recipient_delivery_report_sms","batch_id":"b","status":"Delivered","at":"yesterday"}"#,
            "invalid_field",
        ),
        (
            r#"{"type":"mo_media","id":"m","from":"1","body":"text"}"#,
            "invalid_field",
        ),
    ] {
        let ingested = ingest(&config, CALLBACKS, JSON, body.as_bytes()).unwrap();
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (400, code),
            "{body}"
        );
        let events = events(&ingested);
        assert_eq!(events.len(), 1, "{body}");
        assert_eq!(events[0]["type"], "io.github.sms-relay.unparsed");
        assert_eq!(events[0]["data"]["body"], body);
    }
    let form = ingest(&config, CALLBACKS, "text/plain", b"x").unwrap();
    assert_eq!(form.reply.status, 415);
}

#[test]
fn a_full_report_is_one_event_per_recipient_and_a_summary_one_per_status() {
    let config = config();
    let body = r#"{"type":"delivery_report_sms","batch_id":"b1","total_message_count":3,"statuses":[{"code":0,"count":2,"status":"Delivered","recipients":["447700900001","+447700900002"]},{"code":402,"count":1,"status":"Failed","recipients":["447700900003"]}]}"#;
    let ingested = ingest(&config, CALLBACKS, JSON, body.as_bytes()).unwrap();
    let events = events(&ingested);
    let summary: Vec<(String, String, Value, Value)> = events
        .iter()
        .map(|e| {
            (
                e["data"]["recipient"].as_str().unwrap().to_string(),
                e["data"]["state"].as_str().unwrap().to_string(),
                e["data"]["error_code"].clone(),
                e["data"]["extra"]["count"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "+447700900001".into(),
                "delivered".into(),
                Value::Null,
                2.into()
            ),
            (
                "+447700900002".into(),
                "delivered".into(),
                Value::Null,
                2.into()
            ),
            (
                "+447700900003".into(),
                "failed".into(),
                "402".into(),
                1.into()
            ),
        ]
    );
    let ids: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    // Received again later: the same ids.
    let again = sms_relay::testing::oracle::ingest_at(
        &config,
        CALLBACKS,
        JSON,
        body.as_bytes(),
        Timestamp::from_unix_seconds(RECEIVED + 600),
    )
    .unwrap();
    let again: Vec<&str> = again.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        again,
        events
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect::<Vec<_>>()
    );
}
