//! Yunpian through the core: its documented status reports (a URL-encoded JSON array in the
//! form field `sms_status`, also encoded twice) and reply (`sms_reply`, signed with `_sign`)
//! become the events in `tests/data/yunpian/`, answered `200` `text/plain` `SUCCESS`; a `sid`
//! beyond 2^53 stays digit for digit; the reply's signature is checked with every apikey of a
//! rotation, in constant time, and a forged or unsigned reply stores nothing; unreadable input
//! is kept.

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
use sms_relay::payload::json_object;
use sms_relay::providers::yunpian::signature::sign;
use sms_relay::providers::yunpian::{form_json, STORED_BODY};
use sms_relay::providers::{yunpian, Callback, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars, RECEIVED};

const FORM: &str = "application/x-www-form-urlencoded;charset=utf-8";
const REPORTS: Endpoint = Endpoint::Yunpian(yunpian::Endpoint::Reports);
const REPLIES: Endpoint = Endpoint::Yunpian(yunpian::Endpoint::Replies);
const TOKEN: &str = "yunpian-token-0123456789";
const NEW_TOKEN: &str = "yunpian-new-token-0123456789";

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

/// Yunpian with both tokens of a URL change and two apikeys.
fn signing() -> Config {
    let config = Config::from_vars(
        &[
            (
                "YUNPIAN_TOKEN",
                "yunpian-token-0123456789,yunpian-new-token-0123456789",
            ),
            (
                "YUNPIAN_APIKEYS",
                "new-apikey-0123456789abcdef, 0000000000000000",
            ),
        ],
        Bindings::ALL,
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn data(name: &str) -> String {
    common::fixture("yunpian", name)
}

fn golden(name: &str) -> Value {
    serde_json::from_str(&data(name)).unwrap()
}

fn push(endpoint: Endpoint, content_type: &str, body: &str) -> Ingested {
    ingest(&config(), endpoint, content_type, body.as_bytes()).unwrap()
}

/// A push under `config` with `token` as the path's last segment.
fn push_with(config: &Config, endpoint: Endpoint, token: Option<&str>, body: &str) -> Ingested {
    let headers = vec![("content-type".to_string(), FORM.to_string())];
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/yunpian/replies",
        path: "/yunpian/replies",
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
    endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes)
}

/// `sms_reply=` and the reply's JSON, encoded once.
fn reply_form(json: &str) -> String {
    let encoded: String =
        percent_encoding::utf8_percent_encode(json, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("sms_reply={encoded}")
}

/// The documented reply with `text` changed and signed again under `apikey`.
fn signed_reply(text: &str, apikey: &str) -> String {
    let unsigned = format!(
        r#"{{"id":"2a70c6bb4f2845da816ea1bfe5732747","mobile":"15205201314","reply_time":"2014-03-17 22:55:21","text":{},"extend":"01","base_extend":"8888"}}"#,
        serde_json::to_string(text).unwrap()
    );
    let signature = sign(&json_object(unsigned.as_bytes()).unwrap(), apikey);
    let signed = format!(
        r#"{},"_sign":"{signature}"}}"#,
        &unsigned[..unsigned.len() - 1]
    );
    reply_form(&signed)
}

#[test]
fn the_documented_pushes_become_the_recorded_events_answered_success() {
    for (endpoint, body, events_file) in [
        (REPORTS, "status-reports.form", "status-reports.events.json"),
        (
            REPORTS,
            "status-reports-twice.form",
            "status-reports.events.json",
        ),
        (REPLIES, "reply.form", "reply.events.json"),
    ] {
        let ingested = push(endpoint, FORM, &data(body));
        assert_eq!(
            Value::Array(events(&ingested)),
            golden(events_file),
            "{body}"
        );
        assert_eq!(
            (
                ingested.reply.status,
                ingested.reply.body.as_str(),
                &ingested.reply.headers
            ),
            (
                200,
                "SUCCESS",
                &vec![("content-type", "text/plain".to_string())]
            ),
            "{body}"
        );
    }
    assert_eq!(STORED_BODY, "SUCCESS");
}

#[test]
fn json_encoded_twice_is_decoded_again_and_once_is_read_as_it_is() {
    let once = data("status-reports.form");
    let twice = data("status-reports-twice.form");
    let (json, others) = form_json(once.as_bytes(), "sms_status").unwrap();
    assert!(
        json.starts_with(r#"[{"error_detail":"接收成功","sid":9527,"#),
        "{json}"
    );
    assert!(!others);
    assert_eq!(form_json(twice.as_bytes(), "sms_status").unwrap().0, json);
    // A `+` the JSON holds, encoded as `%2B`, is not a space; a `%` in a once-encoded value
    // stays as it is.
    let (json, _) = form_json(
        b"sms_reply=%7B%22text%22%3A%22100%25+%2B1%22%7D",
        "sms_reply",
    )
    .unwrap();
    assert_eq!(json, r#"{"text":"100% +1"}"#);
}

#[test]
fn a_sid_beyond_2_53_stays_digit_for_digit() {
    let body = data("status-reports.form").replace("9527", "12345678901234567891");
    let events = events(&push(REPORTS, FORM, &body));
    assert_eq!(events[0]["data"]["message_id"], "12345678901234567891");
    assert_eq!(events[0]["subject"], "12345678901234567891");
    assert_eq!(events[1]["data"]["error_code"], "YP:54");
    assert_eq!(events[1]["data"]["state"], "failed");
    assert_eq!(events[0]["data"]["updated_at"], "2014-03-17T14:55:21Z");
}

#[test]
fn replies_need_a_sign_by_one_apikey_when_apikeys_are_set() {
    let config = signing();
    for (token, body, code, index) in [
        (
            Some(TOKEN),
            signed_reply("收到了，谢谢！", "0000000000000000"),
            "ok",
            2,
        ),
        (
            Some(NEW_TOKEN),
            signed_reply("好的", "new-apikey-0123456789abcdef"),
            "ok",
            1,
        ),
        (
            Some(TOKEN),
            signed_reply("好的", "not-an-apikey-0123456789"),
            "signature_mismatch",
            0,
        ),
        // The documented reply, signed with the documented apikey `0000`: not ours.
        (Some(TOKEN), data("reply.form"), "signature_mismatch", 0),
        (
            Some(TOKEN),
            reply_form(r#"{"mobile":"15205201314","text":"x"}"#),
            "missing_signature",
            0,
        ),
        (
            Some(TOKEN),
            reply_form(r#"{"mobile":"1","text":"x","_sign":""}"#),
            "missing_signature",
            0,
        ),
        (
            Some(TOKEN),
            "sms_reply=%7B".to_string(),
            "missing_signature",
            0,
        ),
        (Some(TOKEN), "other=1".to_string(), "missing_signature", 0),
        (
            Some("yunpian-token-012345678"),
            data("reply.form"),
            "invalid_token",
            0,
        ),
        (None, data("reply.form"), "missing_token", 0),
    ] {
        let ingested = push_with(&config, REPLIES, token, &body);
        assert_eq!(ingested.reply.code, code, "{body}");
        if code == "ok" {
            let events = events(&ingested);
            assert_eq!(events.len(), 1);
            assert_eq!(
                events[0]["data"]["auth"],
                serde_json::json!({ "scheme": "signature", "token_index": index })
            );
        } else {
            assert_eq!(ingested.reply.status, 401, "{body}");
            assert!(ingested.events.is_empty(), "{body}");
        }
    }
    // A changed text fails the signature; the same reply signed again by the same key has
    // the same id (the id hashes what the reply says).
    let tampered = signed_reply("好的", "0000000000000000").replace("%E5%A5%BD", "%E5%A5%BE");
    let ingested = push_with(&config, REPLIES, Some(TOKEN), &tampered);
    assert_eq!(ingested.reply.code, "signature_mismatch");
    let again = |body: &str| {
        push_with(&config, REPLIES, Some(TOKEN), body).events[0]
            .id
            .clone()
    };
    let body = signed_reply("好的", "0000000000000000");
    assert_eq!(again(&body), again(&body));
    // Status reports are unsigned: the token alone.
    let ingested = push_with(
        &config,
        REPORTS,
        Some(NEW_TOKEN),
        &data("status-reports.form"),
    );
    assert_eq!((ingested.reply.status, ingested.events.len()), (200, 2));
    // Without apikeys, the token alone authenticates a reply.
    let ingested = push(
        REPLIES,
        FORM,
        &reply_form(r#"{"mobile":"15205201314","text":"x"}"#),
    );
    assert_eq!(ingested.reply.status, 200);
}

#[test]
fn apikeys_alone_enable_nothing() {
    let config = Config::from_vars(
        &[
            ("YUNPIAN_APIKEYS", "0000000000000000"),
            ("TENCENT_TOKEN", "tencent-token-0123456789"),
        ],
        Bindings::ALL,
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    assert_eq!(config.providers.enabled_names(), ["tencent"]);
    let short = Config::from_vars(
        &[("YUNPIAN_TOKEN", TOKEN), ("YUNPIAN_APIKEYS", "0000")],
        Bindings::ALL,
    );
    assert_eq!(
        short.errors.iter().map(|e| e.setting).collect::<Vec<_>>(),
        ["YUNPIAN_APIKEYS"]
    );
}

#[test]
fn unreadable_input_is_kept_and_answered_with_the_error() {
    for (endpoint, content_type, body, status, code) in [
        (REPORTS, FORM, "", 400, "missing_field"),
        (REPORTS, FORM, "sms_reply=%5B%5D", 400, "missing_field"),
        (REPORTS, FORM, "sms_status=%5B", 400, "malformed_json"),
        (REPORTS, FORM, "sms_status=%5B%5D", 400, "empty_batch"),
        (REPORTS, FORM, "sms_status=%7B%7D", 400, "not_a_batch"),
        (REPORTS, FORM, "sms_status=%25FF", 400, "invalid_utf8"),
        (
            REPORTS,
            "application/json",
            "[]",
            415,
            "unsupported_media_type",
        ),
        (REPLIES, FORM, "sms_reply=%5B%5D", 400, "not_an_object"),
        (
            REPLIES,
            FORM,
            "sms_reply=%7B%22text%22%3A%22x%22%7D",
            400,
            "missing_field",
        ),
        (
            REPLIES,
            "text/plain",
            "sms_reply=x",
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
        assert_eq!(events.len(), 1, "{body}");
        assert_eq!(events[0]["type"], "io.github.sms-relay.unparsed");
        assert_eq!(events[0]["data"]["body"], body);
    }
    // One unreadable entry: the others are stored, that one kept as the JSON it was.
    let body = format!(
        "sms_status={}",
        percent_encoding::utf8_percent_encode(
            r#"[{"sid":1,"report_status":"SUCCESS"},{"report_status":"FAIL"}]"#,
            percent_encoding::NON_ALPHANUMERIC
        )
    );
    let ingested = push(REPORTS, FORM, &body);
    assert_eq!(ingested.reply.status, 200);
    let kept = events(&ingested);
    assert_eq!(kept[1]["data"]["reason"], "missing_field: sid");
    assert_eq!(kept[1]["data"]["body"], r#"{"report_status":"FAIL"}"#);
    // A form with a field besides sms_status: the reports, and the whole body kept too.
    let ingested = push(REPORTS, FORM, &format!("{body}&extra=1"));
    assert_eq!(ingested.reply.status, 200);
    let kept = events(&ingested);
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[2]["data"]["reason"], "unexpected_batch_keys");
    assert_eq!(kept[2]["data"]["body"], format!("{body}&extra=1"));
}
