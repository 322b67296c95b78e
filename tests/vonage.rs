//! Vonage through the core: both APIs' documented callbacks become the events in
//! `tests/data/vonage/`, answered `200` with an empty body; a receipt says the same whether it
//! came as JSON, a form or a `GET` query, signed or not (the same id); `sig` by every method
//! and the Messages API's JWT, the URL token beside them, and what is refused — an unsigned
//! Messages API callback with `503` so Vonage retries it.

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
use sms_relay::payload::parse_form;
use sms_relay::providers::vonage::settings::Algorithm;
use sms_relay::providers::vonage::signature::{digest, sign_jwt, string_to_sign};
use sms_relay::providers::{vonage, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars, RECEIVED};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const STATUS: Endpoint = Endpoint::Vonage(vonage::Endpoint::Status);
const INBOUND: Endpoint = Endpoint::Vonage(vonage::Endpoint::Inbound);
const TOKEN: &str = "vonage-token-0123456789";
const SECRET: &str = "signature-secret-of-abcd1234";

fn data(name: &str) -> String {
    common::fixture("vonage", name)
}

fn config(vars: &[(&str, &str)]) -> Config {
    let config = Config::from_vars(vars, Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

/// `abcd1234` signs with `algorithm` (and, second, with its old secret), `other` with SHA-1.
fn signed_config(algorithm: &str) -> Config {
    let secrets =
        format!("abcd1234:{algorithm}:old-secret\nabcd1234:{algorithm}:{SECRET},other:sha1:x");
    config(&[("VONAGE_SIGNATURE_SECRETS", &secrets)])
}

/// A request exactly as given, under `config`, received at the oracle's time.
fn push(
    config: &Config,
    endpoint: Endpoint,
    method: &str,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Ingested {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let (_, path, query) = sms_relay::http::split_url(url);
    let request = PushRequest {
        method,
        url,
        path,
        query,
        headers: &headers,
        body,
    };
    let callback = sms_relay::providers::Callback {
        token,
        request: &request,
        now: Timestamp::from_unix_seconds(RECEIVED),
        verification: None,
    };
    endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes)
}

/// A form with what Vonage adds when it signs: `api-key`, `timestamp`, `nonce` and `sig`.
fn signed_form(form: &str, algorithm: Algorithm, secret: &str) -> String {
    let form = format!("{form}&api-key=abcd1234&timestamp=1540469429&nonce=8b1a9953-c461-4a2f");
    let signed = string_to_sign(&parse_form(form.as_bytes()).unwrap()).unwrap();
    let sig = sms_relay::crypto::hex(&digest(algorithm, secret, &signed)).to_uppercase();
    format!("{form}&sig={sig}")
}

#[test]
fn the_documented_callbacks_become_the_recorded_events_answered_empty() {
    let config = config(&oracle_vars());
    for (endpoint, content_type, file) in [
        (STATUS, JSON, "status.json"),
        (INBOUND, FORM, "inbound.form"),
        (STATUS, JSON, "messages-status.json"),
        (INBOUND, JSON, "messages-inbound.json"),
    ] {
        let ingested = ingest(&config, endpoint, content_type, data(file).as_bytes()).unwrap();
        let golden = file.rsplit_once('.').unwrap().0.to_string() + ".events.json";
        let golden: Value = serde_json::from_str(&data(&golden)).unwrap();
        assert_eq!(Value::Array(events(&ingested)), golden, "{file}");
        let reply = &ingested.reply;
        assert_eq!(
            (reply.status, reply.body.as_str(), reply.headers.len()),
            (200, "", 0)
        );
    }
}

#[test]
fn a_receipt_says_the_same_as_json_a_form_or_a_get_query_signed_or_not() {
    let token_only = config(&[("VONAGE_TOKEN", TOKEN)]);
    let url = "https://relay.example/vonage/status";
    let form = data("status.form");
    let get_url = format!("{url}?{form}");
    let pushes = [
        push(
            &token_only,
            STATUS,
            "POST",
            url,
            Some(TOKEN),
            &[("content-type", JSON)],
            data("status.json").as_bytes(),
        ),
        push(
            &token_only,
            STATUS,
            "POST",
            url,
            Some(TOKEN),
            &[("content-type", FORM)],
            form.as_bytes(),
        ),
        push(&token_only, STATUS, "GET", &get_url, Some(TOKEN), &[], b""),
    ];
    let all: Vec<Value> = pushes.iter().map(|p| events(p).remove(0)).collect();
    for event in &all {
        assert_eq!(event, &all[0]);
        assert_eq!(event["data"]["auth"]["scheme"], "token");
    }
    // Signed, by each method: the same report, the same id as unsigned; `sig`, `nonce` and
    // `timestamp` are the signature's, `api-key` stays.
    let with_key = format!("{form}&api-key=abcd1234");
    let unsigned = push(
        &token_only,
        STATUS,
        "POST",
        url,
        Some(TOKEN),
        &[("content-type", FORM)],
        with_key.as_bytes(),
    );
    let unsigned_id = unsigned.events[0].id.clone();
    for (name, algorithm) in [
        ("md5hash", Algorithm::Md5Hash),
        ("md5", Algorithm::Md5),
        ("sha1", Algorithm::Sha1),
        ("sha256", Algorithm::Sha256),
        ("sha512", Algorithm::Sha512),
    ] {
        let config = signed_config(name);
        let signed = signed_form(&form, algorithm, SECRET);
        let get_url = format!("{url}?{signed}");
        for ingested in [
            push(
                &config,
                STATUS,
                "POST",
                url,
                None,
                &[("content-type", FORM)],
                signed.as_bytes(),
            ),
            push(&config, STATUS, "GET", &get_url, None, &[], b""),
        ] {
            assert_eq!(
                (ingested.reply.status, ingested.reply.code),
                (200, "ok"),
                "{name}"
            );
            assert_eq!(ingested.events[0].id, unsigned_id, "{name}");
            let event = &events(&ingested)[0];
            assert_eq!(
                event["data"]["auth"],
                serde_json::json!({"scheme": "aksk", "access_key": "abcd1234", "key_index": 2}),
                "{name}"
            );
            let extra = &event["data"]["extra"];
            assert_eq!(extra["api-key"], "abcd1234");
            for gone in ["sig", "nonce", "timestamp"] {
                assert!(extra.get(gone).is_none(), "{gone}");
            }
        }
        // POST-JSON: the top-level members, signed the same way.
        let json: Value = serde_json::from_str(&data("status.json")).unwrap();
        let mut params: serde_json::Map<String, Value> = json.as_object().unwrap().clone();
        params.insert("api-key".into(), "abcd1234".into());
        let body = Value::Object(params.clone()).to_string();
        let fields = sms_relay::payload::json_object(body.as_bytes()).unwrap();
        let sig = sms_relay::crypto::hex(&digest(
            algorithm,
            SECRET,
            &string_to_sign(&fields).unwrap(),
        ));
        params.insert("sig".into(), sig.into());
        let body = Value::Object(params).to_string();
        let ingested = push(
            &config,
            STATUS,
            "POST",
            url,
            None,
            &[("content-type", JSON)],
            body.as_bytes(),
        );
        assert_eq!(ingested.reply.status, 200, "{name} JSON");
    }
}

#[test]
fn forged_unsigned_and_wrong_token_callbacks_store_nothing() {
    let url = "https://relay.example/vonage/status";
    let form = data("status.form");
    let signing = signed_config("sha256");
    let signed = signed_form(&form, Algorithm::Sha256, SECRET);
    let messages = data("messages-status.json");
    let jwt = format!(
        "Bearer {}",
        sign_jwt("abcd1234", SECRET, messages.as_bytes())
    );
    let other_jwt = format!(
        "Bearer {}",
        sign_jwt("abcd1234", "not-the-secret", messages.as_bytes())
    );
    let form_header = [("content-type", FORM)];
    for (endpoint, content_type, authorization, body, status, code) in [
        (STATUS, FORM, None, form.clone(), 401, "missing_signature"),
        (
            STATUS,
            FORM,
            None,
            signed.replace("delivered", "expired"),
            401,
            "signature_mismatch",
        ),
        (
            STATUS,
            FORM,
            None,
            signed_form(&form, Algorithm::Sha256, "x"),
            401,
            "signature_mismatch",
        ),
        (
            STATUS,
            FORM,
            None,
            signed.replace("api-key=abcd1234", "api-key=zzzz9999"),
            401,
            "unknown_access_key",
        ),
        (
            STATUS,
            JSON,
            None,
            messages.clone(),
            503,
            "unsigned_callback",
        ),
        (
            INBOUND,
            JSON,
            None,
            data("messages-inbound.json"),
            503,
            "unsigned_callback",
        ),
        (
            STATUS,
            JSON,
            Some(jwt.as_str()),
            messages.replace("delivered", "rejected"),
            401,
            "body_not_signed",
        ),
        (
            STATUS,
            JSON,
            Some(other_jwt.as_str()),
            messages.clone(),
            401,
            "signature_mismatch",
        ),
        (
            STATUS,
            JSON,
            Some("Basic YWJjOmRlZg=="),
            messages.clone(),
            401,
            "malformed_authorization",
        ),
    ] {
        let mut headers = vec![("content-type", content_type)];
        headers.extend(authorization.map(|value| ("authorization", value)));
        let ingested = push(
            &signing,
            endpoint,
            "POST",
            url,
            None,
            &headers,
            body.as_bytes(),
        );
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (status, code),
            "{body}"
        );
        assert!(ingested.events.is_empty());
    }
    let ok = push(
        &signing,
        STATUS,
        "POST",
        url,
        None,
        &[("content-type", JSON), ("authorization", &jwt)],
        messages.as_bytes(),
    );
    assert_eq!(ok.reply.status, 200);
    assert_eq!(events(&ok)[0]["data"]["auth"]["key_index"], 2);

    // Both settings: both are required.
    let both = config_both();
    for (token, body, code) in [
        (None, signed.as_str(), "missing_token"),
        (
            Some("vonage-token-0123456788"),
            signed.as_str(),
            "invalid_token",
        ),
        (Some(TOKEN), form.as_str(), "missing_signature"),
    ] {
        let ingested = push(
            &both,
            STATUS,
            "POST",
            url,
            token,
            &form_header,
            body.as_bytes(),
        );
        assert_eq!((ingested.reply.status, ingested.reply.code), (401, code));
    }
    let ingested = push(
        &both,
        STATUS,
        "POST",
        url,
        Some(TOKEN),
        &form_header,
        signed.as_bytes(),
    );
    assert_eq!(ingested.reply.status, 200);
    // The old token of a rotation still works.
    let rotated = config(&[("VONAGE_TOKEN", &format!("vonage-token-old-0123456,{TOKEN}"))]);
    for token in ["vonage-token-old-0123456", TOKEN] {
        let ingested = push(
            &rotated,
            STATUS,
            "POST",
            url,
            Some(token),
            &form_header,
            form.as_bytes(),
        );
        assert_eq!(ingested.reply.status, 200, "{token}");
    }
    let elsewhere = config(&[("TWILIO_AUTH_TOKENS", "12345")]);
    let ingested = ingest(&elsewhere, STATUS, FORM, form.as_bytes()).unwrap();
    assert_eq!(
        (ingested.reply.status, ingested.reply.code),
        (404, "not_enabled")
    );
}

fn config_both() -> Config {
    let secrets = format!("abcd1234:sha256:{SECRET}");
    config(&[
        ("VONAGE_SIGNATURE_SECRETS", &secrets),
        ("VONAGE_TOKEN", TOKEN),
    ])
}

#[test]
fn mappings_error_codes_numbers_binary_and_parts() {
    let config = config(&oracle_vars());
    let one = |endpoint, content_type, body: &str| {
        let ingested = ingest(&config, endpoint, content_type, body.as_bytes()).unwrap();
        assert_eq!(ingested.reply.status, 200, "{body}");
        events(&ingested).remove(0)["data"].clone()
    };
    let failed = one(
        STATUS,
        FORM,
        "messageId=m1&status=failed&err-code=6&msisdn=447700900000&to=12025550123&scts=2501011200",
    );
    assert_eq!(
        (
            &failed["state"],
            &failed["final"],
            &failed["error_code"],
            &failed["recipient"]
        ),
        (
            &Value::from("failed"),
            &Value::from(true),
            &Value::from("6"),
            &Value::from("+447700900000")
        )
    );
    assert_eq!(
        failed["extra"]["to"], "12025550123",
        "a receipt's sender stays verbatim"
    );
    assert_eq!(failed["extra"]["scts"], "2501011200");
    let accepted = one(STATUS, FORM, "messageId=m1&status=accepted&err-code=0");
    assert_eq!(
        (
            &accepted["state"],
            &accepted["final"],
            &accepted["error_code"]
        ),
        (&Value::from("sent"), &Value::from(false), &Value::Null)
    );
    let rejected = one(
        STATUS,
        JSON,
        r#"{"message_uuid":"u","to":"447700900000","status":"rejected","timestamp":"2024-01-01T00:00:00.5+01:00","error":{"type":"https://developer.vonage.com/api-errors/messages#1320","title":1320,"detail":"Message failed because the number is invalid"}}"#,
    );
    assert_eq!(
        (&rejected["state"], &rejected["error_code"]),
        (&Value::from("failed"), &Value::Null)
    );
    assert_eq!(rejected["updated_at"], "2023-12-31T23:00:00.5Z");
    assert_eq!(rejected["extra"]["error"]["title"], 1320);
    let binary = one(INBOUND, FORM, "msisdn=447700900001&to=447700900000&messageId=b1&type=binary&data=0605040B8423F0&udh=050003CC0201&concat=true&concat-ref=204&concat-total=2&concat-part=1&message-timestamp=2024-01-01+00%3A00%3A00");
    assert_eq!(
        (&binary["body"], &binary["from"], &binary["to"]),
        (
            &Value::from(""),
            &Value::from("+447700900001"),
            &Value::from("+447700900000")
        )
    );
    for kept in [
        "data",
        "udh",
        "concat",
        "concat-ref",
        "concat-total",
        "concat-part",
        "type",
    ] {
        assert!(binary["extra"].get(kept).is_some(), "{kept}");
    }
    assert_eq!(binary["created_at"], "2024-01-01T00:00:00Z");
    let alphanumeric = one(
        INBOUND,
        FORM,
        "msisdn=VONAGE&to=447700900000&messageId=a1&text=hi",
    );
    assert_eq!(alphanumeric["from"], "VONAGE");
    for (endpoint, content_type, body, code) in [
        (STATUS, FORM, "status=delivered", "missing_field"),
        (
            STATUS,
            FORM,
            "messageId=m&status=delivered&message-timestamp=soon",
            "invalid_field",
        ),
        (INBOUND, FORM, "messageId=m&text=hi", "missing_field"),
        (STATUS, JSON, "[1]", "not_an_object"),
    ] {
        let ingested = ingest(&config, endpoint, content_type, body.as_bytes()).unwrap();
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (400, code),
            "{body}"
        );
        assert_eq!(events(&ingested)[0]["data"]["body"], body);
    }
}
