//! Telnyx through the core: its documented webhooks, signed with Ed25519 as Telnyx signs them
//! (RFC 8032's test-1 key), become the events in `tests/data/telnyx/` with an empty `200`, the
//! Ed25519 step run natively where `worker.js` runs WebCrypto; the published vector at its own
//! time; and stale, forged, unsigned and unverifiable webhooks store nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::Value;
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config};
use sms_relay::http::PushRequest;
use sms_relay::providers::registry::Verification;
use sms_relay::providers::{telnyx, Callback, Endpoint};
use sms_relay::relay::Exchange;
use sms_relay::sinks::Step;
use sms_relay::testing::oracle::{ingest, ingest_at, oracle_vars, RECEIVED};
use sms_relay::testing::verify_exchange;

const JSON: &str = "application/json";
const WEBHOOKS: Endpoint = Endpoint::Telnyx(telnyx::Endpoint::Webhooks);
const VECTOR_SIGNATURE: &str =
    "TCYZGjvZzGYqLe8BLbgzuqn7kQ6EDmy/lSfyjbfQ/nKGwCFE4zKVQQhzMcDTYMCiF4/EKk9AtKjH0b3fKjz+CA==";

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn read(file: &str) -> String {
    common::fixture("telnyx", file)
}

#[test]
fn each_documented_webhook_becomes_the_recorded_events_with_an_empty_200() {
    for name in [
        "message-finalized",
        "message-finalized-group",
        "message-sent",
        "message-received",
        "signed-vector",
    ] {
        let body = read(&format!("{name}.json"));
        let ingested = ingest(&config(), WEBHOOKS, JSON, body.as_bytes()).unwrap();
        let events: Vec<Value> = ingested
            .events
            .iter()
            .map(|event| serde_json::to_value(event).unwrap())
            .collect();
        let golden: Value = serde_json::from_str(&read(&format!("{name}.events.json"))).unwrap();
        assert_eq!(Value::Array(events), golden, "{name}");
        assert_eq!(
            (ingested.reply.status, ingested.reply.body.as_str()),
            (200, "")
        );
        // Redelivered later (another attempt, signed anew): the same ids.
        let later = Timestamp::from_unix_seconds(RECEIVED + 7_200);
        let again = ingest_at(&config(), WEBHOOKS, JSON, body.as_bytes(), later).unwrap();
        let ids = |events: &[sms_relay::event::CloudEvent]| -> Vec<String> {
            events.iter().map(|event| event.id.clone()).collect()
        };
        assert_eq!(ids(&again.events), ids(&ingested.events), "{name}");
    }
}

#[test]
fn a_redelivery_with_another_meta_keeps_its_ids_and_another_event_id_does_not() {
    let body = read("message-finalized.json");
    let ids = |body: &str| -> Vec<String> {
        ingest(&config(), WEBHOOKS, JSON, body.as_bytes())
            .unwrap()
            .events
            .iter()
            .map(|event| event.id.clone())
            .collect()
    };
    let first = ids(&body);
    let retried = body.replace("\"attempt\":1", "\"attempt\":3");
    assert_ne!(retried, body);
    assert_eq!(ids(&retried), first);
    let other = body.replace("4ee8c3a6-4995", "5ee8c3a6-4995");
    assert_ne!(ids(&other), first);
}

fn request_headers(signature: &str, timestamp: &str) -> Vec<(String, String)> {
    vec![
        ("content-type".into(), JSON.into()),
        ("telnyx-signature-ed25519".into(), signature.into()),
        ("telnyx-timestamp".into(), timestamp.into()),
    ]
}

#[test]
fn the_vector_verifies_at_its_time_through_the_exchange() {
    let config = Config::from_vars(
        &[
            (
                "TELNYX_PUBLIC_KEYS",
                "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=,11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            ),
            ("FORWARD", "queue"),
        ],
        Bindings::ALL,
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    let body = read("signed-vector.json");
    let run = |signature: &str, timestamp: &str, body: &str, now: i64, native: bool| {
        let headers: String = request_headers(signature, timestamp)
            .iter()
            .map(|(name, value)| format!("{name}:{value}\n"))
            .collect();
        let now = Timestamp::from_unix_seconds(now);
        let mut exchange = Exchange::new(
            &config,
            "POST",
            "https://relay.example/telnyx/webhooks",
            &headers,
            now,
        );
        assert!(exchange.body_chunk(body.as_bytes()));
        exchange.body_end(&config, now);
        let asked = exchange.verification().is_some();
        if native {
            verify_exchange(&mut exchange, &config);
        } else if asked {
            exchange.verified(&config, Verification::Failed);
        }
        loop {
            match exchange.step() {
                Step::SendBatch(json) => {
                    let events: Value = serde_json::from_str(&json).unwrap();
                    assert_eq!(events[0]["body"]["data"]["auth"]["token_index"], 2);
                    exchange.queue_sent(Ok(()));
                }
                Step::Finish(finished) => {
                    return (asked, finished.reply.status, finished.reply.code)
                }
                other => panic!("{other:?}"),
            }
        }
    };
    let at = 1_575_926_000;
    assert_eq!(
        run(VECTOR_SIGNATURE, "1575926000", &body, at, true),
        (true, 200, "ok")
    );
    assert_eq!(
        run(VECTOR_SIGNATURE, "1575926000", &body, at + 299, true),
        (true, 200, "ok")
    );
    // The step the edge runs, failing: refused, with its own code.
    assert_eq!(
        run(VECTOR_SIGNATURE, "1575926000", &body, at, false),
        (true, 401, "verification_failed")
    );
    // Refused before any step: stale, malformed, unsigned.
    assert_eq!(
        run(VECTOR_SIGNATURE, "1575926000", &body, at + 301, true),
        (false, 401, "clock_skew")
    );
    assert_eq!(
        run("AAAA", "1575926000", &body, at, true),
        (false, 401, "malformed_signature")
    );
    assert_eq!(
        run(VECTOR_SIGNATURE, "x", &body, at, true),
        (false, 401, "malformed_timestamp")
    );
    // A byte of the body or the timestamp changed: the step runs, nothing verifies.
    let changed = body.replace("delivered\"", "failed\"");
    assert_eq!(
        run(VECTOR_SIGNATURE, "1575926000", &changed, at, true),
        (true, 401, "signature_mismatch")
    );
    assert_eq!(
        run(VECTOR_SIGNATURE, "1575926001", &body, at, true),
        (true, 401, "signature_mismatch")
    );
}

#[test]
fn ingest_mints_the_proof_only_from_a_verified_step() {
    let config = config();
    let body = read("signed-vector.json");
    let headers = request_headers(VECTOR_SIGNATURE, "1575926000");
    let request = PushRequest {
        method: "POST",
        url: "https://relay.example/telnyx/webhooks",
        path: "/telnyx/webhooks",
        query: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    for (verification, status, code) in [
        (None, 401, "signature_mismatch"),
        (Some(Verification::NotVerified), 401, "signature_mismatch"),
        (Some(Verification::Failed), 401, "verification_failed"),
        (Some(Verification::Verified(7)), 401, "signature_mismatch"),
        (Some(Verification::Verified(0)), 200, "ok"),
    ] {
        let callback = Callback {
            token: None,
            request: &request,
            now: Timestamp::from_unix_seconds(1_575_926_000),
            verification,
        };
        let ingested = WEBHOOKS.ingest(&callback, &config.providers, config.limits.max_body_bytes);
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (status, code),
            "{verification:?}"
        );
        assert_eq!(ingested.events.is_empty(), status != 200);
    }
}

#[test]
fn unknown_event_types_and_unreadable_bodies_are_kept_whole_and_answered_400() {
    for (body, code) in [
        (
            r#"{"data":{"event_type":"call.initiated","id":"e","payload":{"id":"p","to":[]}}}"#,
            "invalid_field",
        ),
        (
            r#"{"data":{"event_type":"message.finalized","id":"e","payload":{"id":"p","to":[]}}}"#,
            "invalid_field",
        ),
        (
            r#"{"data":{"event_type":"message.finalized","id":"e"}}"#,
            "missing_field",
        ),
        (r#"{"meta":{}}"#, "missing_field"),
        ("[]", "not_an_object"),
    ] {
        let ingested = ingest(&config(), WEBHOOKS, JSON, body.as_bytes()).unwrap();
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (400, code),
            "{body}"
        );
        assert_eq!(ingested.events.len(), 1);
        assert_eq!(
            ingested.events[0].kind.type_name(),
            "io.github.sms-relay.unparsed"
        );
    }
}
