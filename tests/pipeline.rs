//! The pure request flow on Huawei's own example bodies: admission, authentication, parsing
//! and normalization, without any runtime.

// Helpers outside #[test] functions assert by panicking too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sms_relay::clock::{parse_report_time, Timestamp};
use sms_relay::config::{Bindings, Config};
use sms_relay::event::Ingested;
use sms_relay::http::PushRequest;
use sms_relay::providers::{huawei, Endpoint};
use sms_relay::relay::{admit, Admission, RequestHead};
use sms_relay::testing::huawei::{
    signed_headers, AK, RECEIVED_AT, SK, STATUS_REPORT as DOCS_REPORT, STATUS_REPORT_EVENT,
    UPLINK as DOCS_UPLINK,
};

const REPORTS: Endpoint = Endpoint::Huawei(huawei::Endpoint::Reports);
const UPLINK: Endpoint = Endpoint::Huawei(huawei::Endpoint::Uplink);

fn config(vars: &[(&str, &str)]) -> Config {
    Config::from_vars(vars, Bindings::ALL)
}

fn signed_config() -> Config {
    config(&[
        ("HUAWEI_PUSH_KEYS", &format!("{AK}:{SK}")),
        ("FORWARD", "queue,kv"),
    ])
}

fn now() -> Timestamp {
    parse_report_time(RECEIVED_AT).unwrap_or(Timestamp::from_unix_seconds(0))
}

/// `body` signed with the example key and ingested at `endpoint`.
fn ingest_signed(
    endpoint: Endpoint,
    path: &str,
    content_type: &str,
    body: &[u8],
    config: &Config,
) -> Ingested {
    let headers = signed_headers(path, content_type, body);
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/",
        path,
        query: "",
        headers: &headers,
        body,
    };
    sms_relay::testing::ingest(endpoint, None, &request, config, now())
}

fn run(
    endpoint: Endpoint,
    path: &str,
    content_type: &str,
    body: &[u8],
    config: &Config,
) -> (u16, String, Vec<Value>) {
    let ingested = ingest_signed(endpoint, path, content_type, body, config);
    let events = ingested
        .events
        .iter()
        .map(|event| serde_json::to_value(event).unwrap_or_default())
        .collect();
    (
        ingested.reply.status,
        ingested.reply.code.to_string(),
        events,
    )
}

/// The id as the README defines it, computed here independently: SHA-256 over the provider and
/// kind letters and each part prefixed by its length (every part here is under 128 bytes, so
/// the length is one byte), first 16 bytes in hex.
/// The documented id, computed independently from the event as JSON: SHA-256 over the
/// provider's and kind's letters, then each `data` field but `received_at`, `auth` and the
/// derived `state`, `final` and `delivered`, in the documented order (required text length-prefixed; optional values tagged 0 absent, 1
/// present; flags one byte; counts four bytes little-endian; `extra` its size, then each name
/// and value as JSON text), the first 16 bytes in hex. Parts here are under 128 bytes.
fn expected_id(letters: &str, event: &Value) -> String {
    let data = &event["data"];
    let mut input = letters.as_bytes().to_vec();
    let bytes = |input: &mut Vec<u8>, text: &str| {
        assert!(text.len() < 128);
        input.push(text.len() as u8);
        input.extend_from_slice(text.as_bytes());
    };
    let text = |input: &mut Vec<u8>, value: &Value| match value {
        Value::Null => input.push(0),
        Value::String(text) => {
            input.push(1);
            bytes(input, text)
        }
        other => panic!("not text: {other}"),
    };
    let count = |input: &mut Vec<u8>, value: &Value| match value.as_u64() {
        None => input.push(0),
        Some(n) => {
            input.push(1);
            input.extend_from_slice(&(n as u32).to_le_bytes());
        }
    };
    let status_report = letters.ends_with('s');
    if status_report {
        bytes(&mut input, data["message_id"].as_str().unwrap());
        bytes(&mut input, data["status"].as_str().unwrap());
        // Not `state`, `final` or `delivered`: the relay derives them.
        text(&mut input, &data["error_code"]);
        text(&mut input, &data["status_description"]);
        text(&mut input, &data["report_source"]);
        count(&mut input, &data["segment"]);
        count(&mut input, &data["segments"]);
        text(&mut input, &data["recipient"]);
        text(&mut input, &data["extend"]);
        text(&mut input, &data["org_code"]);
        text(&mut input, &data["updated_at"]);
        text(&mut input, &data["sent_at"]);
    } else {
        text(&mut input, &data["message_id"]);
        bytes(&mut input, data["from"].as_str().unwrap());
        text(&mut input, &data["to"]);
        bytes(&mut input, data["body"].as_str().unwrap());
        text(&mut input, &data["created_at"]);
    }
    let extra = data["extra"].as_object().unwrap();
    input.push(extra.len() as u8);
    for (name, value) in extra {
        bytes(&mut input, name);
        bytes(&mut input, &value.to_string());
    }
    sms_relay::crypto::hex(&Sha256::digest(&input)[..16])
}

#[test]
fn docs_status_report_becomes_the_documented_event() {
    let (status, _, events) = run(
        REPORTS,
        "/huawei/reports",
        "application/x-www-form-urlencoded",
        DOCS_REPORT.as_bytes(),
        &signed_config(),
    );
    assert_eq!(status, 200);
    // The golden event every suite compares against, the id among it.
    let golden: Value = serde_json::from_str(STATUS_REPORT_EVENT).unwrap_or_default();
    assert_eq!(golden["id"], json!(expected_id("hs", &golden)));
    assert_eq!(events, [golden]);
}

#[test]
fn docs_uplink_becomes_an_uplink_event() {
    let (status, _, events) = run(
        UPLINK,
        "/huawei/uplink",
        "application/x-www-form-urlencoded",
        DOCS_UPLINK.as_bytes(),
        &signed_config(),
    );
    assert_eq!(status, 200);
    let event = &events[0];
    assert_eq!(event["id"], json!(expected_id("hu", event)));
    assert_eq!(event["type"], "io.github.sms-relay.uplink");
    assert_eq!(
        event["time"], "2024-12-12T07:10:00.000Z",
        "no createTime: the receive time"
    );
    assert_eq!(event["data"]["from"], "+86155****5172");
    assert_eq!(event["data"]["to"], "201804131431201234");
    assert_eq!(event["data"]["body"], "********");
    assert_eq!(event["data"]["created_at"], Value::Null);
}

#[test]
fn platform_made_reports_without_optional_fields_still_parse() {
    // EXPIRED reports are made by the platform itself: no updateTime, no extend, no orgCode.
    let body = b"smsMsgId=m1&status=EXPIRED&source=1&carrierExtra=x%26y";
    let (status, _, events) = run(
        REPORTS,
        "/huawei/reports",
        "application/x-www-form-urlencoded",
        body,
        &signed_config(),
    );
    assert_eq!(status, 200);
    let data = &events[0]["data"];
    assert_eq!(data["updated_at"], Value::Null);
    assert_eq!(data["delivered"], false);
    assert_eq!(data["report_source"], "sms_platform");
    assert_eq!(
        data["status_description"],
        "No delivery receipt from the carrier within 72 hours"
    );
    assert_eq!(data["extra"], json!({"carrierExtra": "x&y"}));
}

#[test]
fn batch_entries_keep_unknown_fields_verbatim_and_decode_encoded_times() {
    let body = br#"{"statusReportList":[
        {"smsMsgId":"a","status":"MA:0001","source":"9","updateTime":"2018-04-13T06%3A31%3A46Z","total":3,"sequence":"2","vendor":{"k":[1,2]}},
        {"smsMsgId":"a","status":"MA:0001","sequence":"x"}
    ]}"#;
    let (status, _, events) = run(
        REPORTS,
        "/huawei/reports",
        "application/json",
        body,
        &signed_config(),
    );
    assert_eq!(status, 200);
    let data = &events[0]["data"];
    assert_eq!(data["updated_at"], "2018-04-13T06:31:46Z");
    assert_eq!(
        (data["segment"].as_u64(), data["segments"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(data["report_source"], Value::Null);
    assert_eq!(data["status_description"], "Carrier gateway error");
    assert_eq!(
        data["extra"],
        json!({"source": "9", "vendor": {"k": [1, 2]}}),
        "unmapped values stay, unknown source included"
    );
    assert_eq!(events[1]["type"], "io.github.sms-relay.unparsed");
    assert_eq!(events[1]["data"]["reason"], "invalid_field: sequence");
}

#[test]
fn ids_separate_segments_and_statuses_but_repeat_for_duplicates() {
    let cfg = signed_config();
    let id = |body: &str| {
        run(
            REPORTS,
            "/r",
            "application/x-www-form-urlencoded",
            body.as_bytes(),
            &cfg,
        )
        .2[0]["id"]
            .clone()
    };
    let base = id("smsMsgId=m&status=DELIVRD&sequence=1");
    // The same report, its fields in another order.
    assert_eq!(base, id("status=DELIVRD&sequence=1&smsMsgId=m"));
    // Anything the event says differently is another report.
    for other in [
        "smsMsgId=m&status=DELIVRD&sequence=2",
        "smsMsgId=m&status=UNDELIV&sequence=1",
        "smsMsgId=m&status=DELIVRD&sequence=1&orgCode=000",
        "smsMsgId=m&status=DELIVRD&sequence=1&to=%2B8613800000000",
        "smsMsgId=m&status=DELIVRD&sequence=1&updateTime=2018-04-13T06:31:46Z",
        "smsMsgId=m&status=DELIVRD&sequence=1&vendor=x",
    ] {
        assert_ne!(base, id(other), "{other}");
    }
}

#[test]
fn error_answers_name_the_field_concerned() {
    let cfg = signed_config();
    for (body, expected) in [
        (
            &b"status=DELIVRD"[..],
            json!({"error": "missing_field", "field": "smsMsgId"}),
        ),
        (
            b"smsMsgId=a&status=DELIVRD&total=0",
            json!({"error": "invalid_field", "field": "total"}),
        ),
        (
            b"smsMsgId=a&status=1&status=2",
            json!({"error": "duplicate_field", "field": "status"}),
        ),
        // A name that cannot be shown as it is stays out of the answer (the event keeps it).
        (
            b"smsMsgId=a&status=1&%0A=1&%0A=2",
            json!({"error": "duplicate_field"}),
        ),
    ] {
        let form = "application/x-www-form-urlencoded";
        let reply = ingest_signed(REPORTS, "/p", form, body, &cfg).reply;
        assert_eq!(reply.status, 400);
        assert_eq!(
            serde_json::from_str::<Value>(&reply.body).unwrap(),
            expected
        );
    }
}

#[test]
fn unreadable_but_authentic_bodies_are_kept_as_unparsed_events() {
    let cfg = signed_config();
    for (endpoint, content_type, body, code, reason) in [
        (
            REPORTS,
            "application/x-www-form-urlencoded",
            &b"status=DELIVRD"[..],
            "missing_field",
            "missing_field: smsMsgId",
        ),
        (
            UPLINK,
            "application/x-www-form-urlencoded",
            b"smsMsgId=a&from=1&to=2",
            "missing_field",
            "missing_field: body",
        ),
        (
            REPORTS,
            "application/x-www-form-urlencoded",
            b"smsMsgId=a&status=DELIVRD&updateTime=yesterday",
            "invalid_field",
            "invalid_field: updateTime",
        ),
        (
            REPORTS,
            "application/json",
            b"[1,2]",
            "not_a_batch",
            "not_a_batch",
        ),
        (
            REPORTS,
            "application/json",
            b"{\"statusReportList\":",
            "malformed_json",
            "malformed_json",
        ),
        (
            UPLINK,
            "application/json",
            b"{}",
            "unsupported_media_type",
            "unsupported_media_type",
        ),
    ] {
        let (status, got_code, events) = run(endpoint, "/p", content_type, body, &cfg);
        let expected_status = if code == "unsupported_media_type" {
            415
        } else {
            400
        };
        assert_eq!(
            (status, got_code.as_str()),
            (expected_status, code),
            "{reason}"
        );
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["data"]["reason"], reason);
        assert_eq!(
            events[0]["data"]["body"],
            String::from_utf8_lossy(body).as_ref()
        );
        assert_eq!(events[0]["data"]["content_type"], content_type);
    }
    let binary = [0xffu8, 0x00, 0x10];
    let (_, _, events) = run(
        REPORTS,
        "/p",
        "application/x-www-form-urlencoded",
        &binary,
        &cfg,
    );
    assert_eq!(events[0]["data"]["body_encoding"], "base64");
    assert_eq!(
        events[0]["data"]["body"],
        base64::engine::general_purpose::STANDARD.encode(binary)
    );
}

#[test]
fn failed_authentication_forwards_nothing() {
    let cfg = signed_config();
    let body = DOCS_REPORT.as_bytes();
    let mut headers = signed_headers("/huawei/reports", "application/x-www-form-urlencoded", body);
    headers.retain(|(name, _)| name != "x-sdk-date");
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/",
        path: "/huawei/reports",
        query: "",
        headers: &headers,
        body,
    };
    let ingested = sms_relay::testing::ingest(REPORTS, None, &request, &cfg, now());
    assert_eq!(
        (ingested.reply.status, ingested.reply.code),
        (401, "signed_header_missing")
    );
    assert!(ingested.events.is_empty());

    let tampered = b"sequence=1&total=1&smsMsgId=x&status=DELIVRD";
    let headers = signed_headers("/huawei/reports", "application/x-www-form-urlencoded", body);
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/",
        path: "/huawei/reports",
        query: "",
        headers: &headers,
        body: tampered,
    };
    let ingested = sms_relay::testing::ingest(REPORTS, None, &request, &cfg, now());
    assert_eq!(
        (ingested.reply.status, ingested.reply.body.as_str()),
        (401, r#"{"error":"signature_mismatch"}"#)
    );
    assert!(ingested.events.is_empty());
}

fn length(value: &str) -> RequestHead<'_> {
    RequestHead {
        content_length: Some(value),
        ..RequestHead::default()
    }
}

#[test]
fn allowed_ips_admit_listed_clients_only_and_fail_closed() {
    let cfg = config(&[
        ("HUAWEI_PUSH_KEYS", "ak:sk"),
        ("ALLOWED_IPS", "117.78.29.0/24, 2001:db8::/32"),
    ]);
    assert!(cfg.is_valid(), "{:?}", cfg.errors);
    let from = |ip: Option<&'static str>| match admit(
        "POST",
        "/huawei/reports",
        RequestHead {
            client_ip: ip,
            ..RequestHead::default()
        },
        &cfg,
    ) {
        Admission::Respond(reply) => (reply.status, reply.code),
        Admission::ReadBody { .. } => (0, "read"),
        Admission::LookUp { .. } => (0, "lookup"),
        Admission::CheckSpill => (0, "check_spill"),
    };
    assert_eq!(from(Some("117.78.29.44")), (0, "read"));
    assert_eq!(from(Some("2001:db8::9")), (0, "read"));
    assert_eq!(from(Some("203.0.113.9")), (403, "ip_not_allowed"));
    assert_eq!(from(None), (403, "ip_not_allowed"));
    let bad = config(&[
        ("HUAWEI_PUSH_KEYS", "ak:sk"),
        ("ALLOWED_IPS", "10.0.0.0/40"),
    ]);
    assert_eq!(
        bad.errors.iter().map(|e| e.setting).collect::<Vec<_>>(),
        ["ALLOWED_IPS"]
    );
}

#[test]
fn admission_refuses_before_reading_the_body() {
    let cfg = signed_config();
    let status = |admission: Admission<'_>| match admission {
        Admission::Respond(reply) => (reply.status, reply.code),
        Admission::ReadBody { .. } => (0, "read"),
        Admission::LookUp { .. } => (0, "lookup"),
        Admission::CheckSpill => (0, "check_spill"),
    };
    assert_eq!(
        status(admit("POST", "/nope", RequestHead::default(), &cfg)),
        (404, "not_found")
    );
    assert_eq!(
        status(admit(
            "PUT",
            "/huawei/reports",
            RequestHead::default(),
            &cfg
        )),
        (405, "method_not_allowed")
    );
    assert_eq!(
        status(admit("POST", "/huawei/reports", length("1048577"), &cfg)),
        (413, "body_too_large")
    );
    assert_eq!(
        status(admit("POST", "/huawei/reports", length("1048576"), &cfg)),
        (0, "read")
    );
    assert_eq!(
        status(admit(
            "POST",
            "/huawei/uplink/tok",
            RequestHead::default(),
            &cfg
        )),
        (0, "read")
    );
    assert_eq!(
        status(admit("GET", "/healthz", RequestHead::default(), &cfg)),
        (200, "ok")
    );
    assert_eq!(
        status(admit(
            "POST",
            "/huawei/reports",
            RequestHead::default(),
            &config(&[])
        )),
        (500, "config_invalid")
    );
    assert_eq!(
        status(admit(
            "GET",
            "/healthz",
            RequestHead::default(),
            &config(&[])
        )),
        (500, "config_invalid")
    );
}
