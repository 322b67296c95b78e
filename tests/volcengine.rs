//! Volcengine through the core: its documented status reports and uplink become the events in
//! `tests/data/volcengine/`, answered `200` with an empty body; the old and the new token of a
//! URL change both authenticate, any other nothing; the carrier code stays verbatim; times are
//! Unix milliseconds written in UTC; and unreadable input is kept.

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
use sms_relay::providers::{volcengine, Callback, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars, RECEIVED};

const JSON: &str = "application/json;charset=utf-8";
const REPORTS: Endpoint = Endpoint::Volcengine(volcengine::Endpoint::Reports);
const UPLINK: Endpoint = Endpoint::Volcengine(volcengine::Endpoint::Uplink);
/// `oracle_vars()`' `VOLCENGINE_TOKEN`: `OLD,NEW`.
const OLD: &str = "volcengine-old-token-0123";
const NEW: &str = "volcengine-token-0123456789";

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn data(name: &str) -> String {
    common::fixture("volcengine", name)
}

fn push(endpoint: Endpoint, content_type: &str, body: &str) -> Ingested {
    ingest(&config(), endpoint, content_type, body.as_bytes()).unwrap()
}

/// A push with `token` as the path's last segment.
fn push_with(endpoint: Endpoint, token: Option<&str>, body: &str) -> Ingested {
    let headers = vec![("content-type".to_string(), JSON.to_string())];
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/volcengine/reports",
        path: "/volcengine/reports",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let callback = Callback {
        token,
        request: &request,
        now: Timestamp::from_unix_seconds(RECEIVED),
        verification: None,
    };
    let config = config();
    endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes)
}

#[test]
fn the_documented_bodies_become_the_recorded_events_answered_200_empty() {
    for (endpoint, body, golden) in [
        (REPORTS, "status-reports.json", "status-reports.events.json"),
        (UPLINK, "uplink.json", "uplink.events.json"),
    ] {
        let ingested = push(endpoint, JSON, &data(body));
        let expected: Value = serde_json::from_str(&data(golden)).unwrap();
        assert_eq!(Value::Array(events(&ingested)), expected, "{golden}");
        assert_eq!(
            (ingested.reply.status, ingested.reply.body.as_str()),
            (200, "")
        );
        assert!(
            ingested.reply.headers.is_empty(),
            "{:?}",
            ingested.reply.headers
        );
    }
}

#[test]
fn the_carrier_code_is_verbatim_and_times_are_milliseconds_in_utc() {
    let ingested = push(REPORTS, JSON, &data("status-reports.json"));
    let reports = events(&ingested);
    let (delivered, failed) = (&reports[0]["data"], &reports[1]["data"]);
    assert_eq!(
        [
            &delivered["status"],
            &delivered["state"],
            &delivered["error_code"]
        ],
        [&Value::from("0"), &Value::from("delivered"), &Value::Null]
    );
    assert_eq!(
        [&failed["status"], &failed["state"], &failed["error_code"]],
        ["1", "failed", "NE:0101"]
    );
    assert_eq!(failed["final"], true);
    assert_eq!(delivered["updated_at"], "2022-11-23T02:36:55.871Z");
    assert_eq!(delivered["sent_at"], "2022-11-23T02:36:52.444Z");
    assert_eq!(delivered["recipient"], "188******");
    // An expiry the carrier reports is expired; a failure without a description keeps its
    // code in `status` alone.
    let expired = push(
        REPORTS,
        JSON,
        r#"[{"message_id":"m1","status_code":"2","description":"EXPIRED"},{"message_id":"m2","status_code":"3"}]"#,
    );
    let expired = events(&expired);
    assert_eq!(expired[0]["data"]["state"], "expired");
    assert_eq!(expired[0]["data"]["error_code"], "EXPIRED");
    assert_eq!(expired[1]["data"]["state"], "failed");
    assert_eq!(expired[1]["data"]["status"], "3");
    assert_eq!(expired[1]["data"]["error_code"], Value::Null);
}

#[test]
fn both_tokens_of_a_url_change_authenticate_and_nothing_else_does() {
    let body = data("status-reports.json");
    for token in [OLD, NEW] {
        let ingested = push_with(REPORTS, Some(token), &body);
        assert_eq!(ingested.reply.status, 200, "{token}");
        assert_eq!(ingested.events.len(), 2);
    }
    for (token, code) in [
        (None, "missing_token"),
        (Some("volcengine-token-012345678"), "invalid_token"),
        (Some("volcengine-token-0123456789x"), "invalid_token"),
        (Some(""), "invalid_token"),
        (
            Some("volcengine-old-token-0123,volcengine-token-0123456789"),
            "invalid_token",
        ),
    ] {
        let ingested = push_with(UPLINK, token, &data("uplink.json"));
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (401, code),
            "{token:?}"
        );
        assert!(ingested.events.is_empty());
    }
    let disabled = Config::from_vars(
        &[("TENCENT_TOKEN", "tencent-token-0123456789")],
        Bindings::ALL,
    );
    let ingested = ingest(&disabled, REPORTS, JSON, body.as_bytes()).unwrap();
    assert_eq!(
        (ingested.reply.status, ingested.reply.code),
        (404, "not_enabled")
    );
    assert!(ingested.events.is_empty());
}

#[test]
fn unreadable_input_is_kept_and_answered_with_the_error() {
    for (endpoint, content_type, body, status, code) in [
        (REPORTS, JSON, "{}", 400, "not_a_batch"),
        (REPORTS, JSON, "[", 400, "malformed_json"),
        (UPLINK, JSON, "[]", 400, "empty_batch"),
        (
            UPLINK,
            "application/x-www-form-urlencoded",
            "a=1",
            415,
            "unsupported_media_type",
        ),
    ] {
        let ingested = push(endpoint, content_type, body);
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (status, code),
            "{body}"
        );
        let events = events(&ingested);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["type"], "io.github.sms-relay.unparsed");
        assert_eq!(events[0]["data"]["body"], body);
    }
    // One unreadable entry: the rest is stored and answered, that entry kept whole.
    let ingested = push(
        UPLINK,
        JSON,
        r#"[{"mobile":"181****9843","content":"hi","recv_time":1651760981000},{"content":"no number"}]"#,
    );
    assert_eq!(ingested.reply.status, 200);
    let kept = events(&ingested);
    assert_eq!(kept[1]["data"]["reason"], "missing_field: mobile");
    assert_eq!(kept[1]["data"]["body"], r#"{"content":"no number"}"#);
}

#[test]
fn uplinks_without_an_id_get_ids_from_what_they_say() {
    let id = |body: &str| push(UPLINK, JSON, body).events[0].id.clone();
    let base = data("uplink.json");
    assert_eq!(id(&base), id(&base));
    assert_ne!(id(&base), id(&base.replace("hhhhh", "hhhh")));
    assert_ne!(id(&base), id(&base.replace("\"1047\"", "\"1048\"")));
    let event = &events(&push(UPLINK, JSON, &base))[0];
    assert_eq!(event["subject"], Value::Null);
    assert_eq!(event["data"]["message_id"], Value::Null);
}
