//! Plivo through the core: the documented status callback and inbound message become the
//! events in `tests/data/plivo/`, answered `200` with an empty body, whether Plivo posts the
//! form or sends a `GET` with the parameters in the query (the same events, the same ids);
//! V3 and V2 signatures by either account's header and any configured token; what is refused.

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
use sms_relay::providers::plivo::signature::{sign, v3_data};
use sms_relay::providers::{plivo, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars, RECEIVED};

const FORM: &str = "application/x-www-form-urlencoded";
const STATUS: Endpoint = Endpoint::Plivo(plivo::Endpoint::Status);
const INBOUND: Endpoint = Endpoint::Plivo(plivo::Endpoint::Inbound);
/// The first and second of `oracle_vars()`' `PLIVO_AUTH_TOKENS`.
const TOKEN: &str = "plivo-auth-token-1";
const MAIN_TOKEN: &str = "plivo-auth-token-2";
const NONCE: &str = "18383849503345923431";

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn data(name: &str) -> String {
    common::fixture("plivo", name)
}

/// A request exactly as given, received at the oracle's time.
fn push(
    endpoint: Endpoint,
    method: &str,
    url: &str,
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
        token: None,
        request: &request,
        now: Timestamp::from_unix_seconds(RECEIVED),
        verification: None,
    };
    let config = config();
    endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes)
}

/// A V3 signature by `token` of a request to `url` with form `body` (empty for a GET).
fn v3(token: &str, url: &str, body: &str) -> String {
    sign(token, &v3_data(url, body.as_bytes(), NONCE).unwrap())
}

#[test]
fn the_documented_callbacks_become_the_recorded_events_answered_empty() {
    for (endpoint, file) in [(STATUS, "status"), (INBOUND, "inbound")] {
        let body = data(&format!("{file}.form"));
        let ingested = ingest(&config(), endpoint, FORM, body.as_bytes()).unwrap();
        let golden: Value = serde_json::from_str(&data(&format!("{file}.events.json"))).unwrap();
        assert_eq!(Value::Array(events(&ingested)), golden, "{file}");
        let reply = &ingested.reply;
        assert_eq!(
            (reply.status, reply.body.as_str(), reply.headers.len()),
            (200, "", 0)
        );
    }
}

#[test]
fn a_get_callback_is_read_from_its_query_and_says_what_the_post_says() {
    for (endpoint, route, file) in [
        (STATUS, "status", "status"),
        (INBOUND, "inbound", "inbound"),
    ] {
        let form = data(&format!("{file}.form"));
        let post_url = format!("https://relay.example/plivo/{route}");
        let post = push(
            endpoint,
            "POST",
            &post_url,
            &[
                ("content-type", FORM),
                ("x-plivo-signature-v3", &v3(TOKEN, &post_url, &form)),
                ("x-plivo-signature-v3-nonce", NONCE),
            ],
            form.as_bytes(),
        );
        let get_url = format!("{post_url}?{form}");
        let get = push(
            endpoint,
            "GET",
            &get_url,
            &[
                ("x-plivo-signature-ma-v3", &v3(MAIN_TOKEN, &get_url, "")),
                ("x-plivo-signature-v3-nonce", NONCE),
            ],
            b"",
        );
        assert_eq!((post.reply.status, get.reply.status), (200, 200), "{route}");
        let (mut post, get) = (events(&post), events(&get));
        assert_eq!(
            get[0]["data"]["auth"]["token_index"], 2,
            "the main account's token"
        );
        post[0]["data"]["auth"] = get[0]["data"]["auth"].clone();
        assert_eq!(post, get, "{route}: the same event, the same id");
    }
    // An unreadable query is kept whole, as the body of an unparsed event.
    let url = "https://relay.example/plivo/status?MessageUUID=a&Status=sent&Status=queued";
    let ingested = push(
        STATUS,
        "GET",
        url,
        &[
            ("x-plivo-signature-v3", &v3(TOKEN, url, "")),
            ("x-plivo-signature-v3-nonce", NONCE),
        ],
        b"",
    );
    assert_eq!(
        (ingested.reply.status, ingested.reply.code),
        (400, "duplicate_field")
    );
    let kept = &events(&ingested)[0]["data"];
    assert_eq!(kept["body"], "MessageUUID=a&Status=sent&Status=queued");
    assert_eq!(kept["endpoint"], "status");
}

#[test]
fn v2_signs_the_url_with_its_port_and_the_nonce() {
    let form = data("status.form");
    for url in [
        "https://relay.example:8443/plivo/status",
        "http://127.0.0.1:8787/plivo/status?x=1",
    ] {
        let base = url.split('?').next().unwrap();
        let signature = sign(TOKEN, &format!("{base}{NONCE}"));
        let headers = [
            ("content-type", FORM),
            ("x-plivo-signature-v2", signature.as_str()),
            ("x-plivo-signature-v2-nonce", NONCE),
        ];
        assert_eq!(
            push(STATUS, "POST", url, &headers, form.as_bytes())
                .reply
                .status,
            200,
            "{url}"
        );
        let without_port = url.replace(":8443", "").replace(":8787", "");
        let refused = push(STATUS, "POST", &without_port, &headers, form.as_bytes());
        assert_eq!(
            (refused.reply.status, refused.reply.code),
            (401, "signature_mismatch")
        );
    }
}

#[test]
fn forged_unsigned_stale_and_other_bodies_store_nothing() {
    let form = data("status.form");
    let url = "https://relay.example/plivo/status";
    let good = v3(TOKEN, url, &form);
    let changed = form.replace("delivered", "failed");
    for (headers, body, code) in [
        (
            vec![("content-type", FORM)],
            form.as_str(),
            "missing_signature",
        ),
        (
            vec![
                ("content-type", FORM),
                ("x-plivo-signature-v3", good.as_str()),
            ],
            form.as_str(),
            "missing_signature",
        ),
        (
            vec![
                ("content-type", FORM),
                ("x-plivo-signature-v3", good.as_str()),
                ("x-plivo-signature-v3-nonce", NONCE),
            ],
            changed.as_str(),
            "signature_mismatch",
        ),
        (
            vec![
                ("content-type", FORM),
                ("x-plivo-signature-v3", good.as_str()),
                ("x-plivo-signature-v3-nonce", "another-nonce"),
            ],
            form.as_str(),
            "signature_mismatch",
        ),
        (
            vec![
                ("content-type", "application/json"),
                ("x-plivo-signature-v3", good.as_str()),
                ("x-plivo-signature-v3-nonce", NONCE),
            ],
            "{}",
            "body_not_signed",
        ),
    ] {
        let ingested = push(STATUS, "POST", url, &headers, body.as_bytes());
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (401, code),
            "{headers:?}"
        );
        assert!(ingested.events.is_empty());
    }
    // Signed for the status route, replayed to the inbound one.
    let replayed = push(
        INBOUND,
        "POST",
        "https://relay.example/plivo/inbound",
        &[
            ("content-type", FORM),
            ("x-plivo-signature-v3", &good),
            ("x-plivo-signature-v3-nonce", NONCE),
        ],
        form.as_bytes(),
    );
    assert_eq!(replayed.reply.code, "signature_mismatch");
    let elsewhere = Config::from_vars(&[("TWILIO_AUTH_TOKENS", "12345")], Bindings::ALL);
    let ingested = ingest(&elsewhere, STATUS, FORM, form.as_bytes()).unwrap();
    assert_eq!(
        (ingested.reply.status, ingested.reply.code),
        (404, "not_enabled")
    );
}

#[test]
fn statuses_error_codes_and_numbers() {
    let ingested = ingest(
        &config(),
        STATUS,
        FORM,
        b"MessageUUID=m1&Status=undelivered&ErrorCode=20&To=%2B447700900000&Units=2&Sequence=4",
    )
    .unwrap();
    let event = &events(&ingested)[0];
    let data = &event["data"];
    assert_eq!(
        (
            &data["state"],
            &data["final"],
            &data["error_code"],
            &data["recipient"],
            &data["segments"]
        ),
        (
            &Value::from("failed"),
            &Value::from(true),
            &Value::from("20"),
            &Value::from("+447700900000"),
            &Value::from(2)
        )
    );
    assert_eq!(data["extra"]["Sequence"], "4");
    assert_eq!(
        event["time"], data["received_at"],
        "no report time: when it arrived"
    );
    let ingested = ingest(
        &config(),
        INBOUND,
        FORM,
        b"MessageUUID=m2&From=PLIVO&To=14155550000&Body=mms&Type=mms",
    )
    .unwrap();
    let data = &events(&ingested)[0]["data"];
    assert_eq!(
        (&data["from"], &data["body"]),
        (&Value::from("PLIVO"), &Value::from("mms"))
    );
    for (endpoint, body, code) in [
        (STATUS, "Status=sent", "missing_field"),
        (
            STATUS,
            "MessageUUID=m&Status=sent&DeliveryReportTime=soon",
            "invalid_field",
        ),
        (INBOUND, "MessageUUID=m&From=1&To=2", "missing_field"),
    ] {
        let ingested = ingest(&config(), endpoint, FORM, body.as_bytes()).unwrap();
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (400, code),
            "{body}"
        );
        assert_eq!(events(&ingested)[0]["data"]["body"], body);
    }
}
