//! Twilio through the core: the URLs a signature may cover (as Twilio's Node helper tries them,
//! checked against vectors Node computed, `tests/data/twilio/url-candidates.json`), repeated
//! parameters signed once per distinct value, and Event Streams deliveries (a JSON array of
//! CloudEvents) on both routes: the recorded events, states whatever the case, times in UTC,
//! unreadable elements read as one field, and ids shared with form callbacks exactly when the events
//! say the same.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::events;

use proptest::prelude::*;
use serde_json::{json, Value};
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config, Secret};
use sms_relay::event::Ingested;
use sms_relay::http::PushRequest;
use sms_relay::providers::twilio::querystring::legacy_query;
use sms_relay::providers::twilio::signature::{form_params, sign, verify, SignedBody};
use sms_relay::providers::twilio::url::candidates;
use sms_relay::providers::{twilio, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const STATUS: Endpoint = Endpoint::Twilio(twilio::Endpoint::Status);
const INBOUND: Endpoint = Endpoint::Twilio(twilio::Endpoint::Inbound);
/// The first of `oracle_vars()`' `TWILIO_AUTH_TOKENS`.
const TOKEN: &str = "12345";

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn data_file(name: &str) -> String {
    common::fixture("twilio", name)
}

/// A push signed by the first auth token, as `testing::oracle` signs it (JSON through
/// `bodySHA256`).
fn push(endpoint: Endpoint, content_type: &str, body: &str) -> Ingested {
    ingest(&config(), endpoint, content_type, body.as_bytes()).unwrap()
}

/// A push to `url` exactly, with these headers.
fn push_to(endpoint: Endpoint, url: &str, headers: &[(&str, String)], body: &[u8]) -> Ingested {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    let (_, path, query) = sms_relay::http::split_url(url);
    let request = PushRequest {
        method: "POST",
        url,
        path,
        query,
        headers: &headers,
        body,
    };
    let callback = sms_relay::providers::Callback {
        token: None,
        request: &request,
        now: Timestamp::from_unix_seconds(0),
        verification: None,
    };
    let config = config();
    endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes)
}

/// Base64(HMAC-SHA1(token, data)): the signature Twilio's helper computes, `data` being the
/// URL followed by each name and value it signs.
fn helper_signature(token: &str, data: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac;
    let mut mac = sms_relay::crypto::hmac_sha1(token.as_bytes());
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn tokens() -> Vec<Secret> {
    vec![Secret::new(TOKEN.into())]
}

// --- The URLs a signature may cover -------------------------------------------------------

/// `{url, candidates}`: the four URLs twilio-node 6.2.0's `validateRequest` tries for a
/// `request.url` (`removePort`, `addPort`, and both through `withLegacyQuerystring`), as Node
/// computed them; `e2e/twilio.test.mjs` recomputes the file with the library's own functions.
fn node_candidates() -> Vec<(String, Vec<String>)> {
    let vectors: Vec<Value> = serde_json::from_str(&data_file("url-candidates.json")).unwrap();
    assert!(vectors.len() > 100);
    vectors
        .iter()
        .map(|vector| {
            let url = vector["url"].as_str().unwrap().to_string();
            let mut unique: Vec<String> = Vec::new();
            for candidate in vector["candidates"].as_array().unwrap() {
                let candidate = candidate.as_str().unwrap().to_string();
                if !unique.contains(&candidate) {
                    unique.push(candidate);
                }
            }
            (url, unique)
        })
        .collect()
}

#[test]
fn the_candidate_urls_are_those_twilios_node_helper_tries() {
    for (url, node) in node_candidates() {
        let ours: Vec<String> = candidates(&url)
            .into_iter()
            .map(|c| c.into_owned())
            .collect();
        assert_eq!(ours, node, "{url}");
        assert!(ours.len() <= 4);
    }
}

#[test]
fn a_signature_over_any_candidate_verifies_and_over_anything_else_does_not() {
    let body = b"MessageSid=SM1&MessageStatus=sent&To=%2B15558675310";
    let params = form_params(body).unwrap();
    for (url, node) in node_candidates() {
        for signed in &node {
            let signature = sign(TOKEN, signed, &params);
            assert_eq!(
                verify(Some(&signature), &url, SignedBody::Form(body), &tokens()),
                Ok(1),
                "signed over {signed}, received {url}"
            );
        }
        // One byte more on the signed URL: no candidate is it.
        let longer = format!("{url}x");
        if !node.contains(&longer) {
            let signature = sign(TOKEN, &longer, &params);
            assert!(
                verify(Some(&signature), &url, SignedBody::Form(body), &tokens()).is_err(),
                "{url}"
            );
        }
    }
}

#[test]
fn the_two_cases_of_the_issue() {
    // A query holding `, : '` as a back end writes it with Node's querystring: Twilio signs
    // the `'`, the runtime hands the relay `%27`.
    let configured = "https://relay.example/twilio/status?to=a%2Cb&at=12%3A30&name=O'Brien";
    let received = "https://relay.example/twilio/status?to=a%2Cb&at=12%3A30&name=O%27Brien";
    let body = "MessageSid=SM1&MessageStatus=delivered&To=%2B15558675310";
    let signature = sign(TOKEN, configured, &form_params(body.as_bytes()).unwrap());
    let headers = [
        ("content-type", FORM.to_string()),
        ("x-twilio-signature", signature),
    ];
    let ingested = push_to(STATUS, received, &headers, body.as_bytes());
    assert_eq!(ingested.reply.status, 200);
    assert_eq!(events(&ingested)[0]["data"]["state"], "delivered");
    // The same characters raw in the query, `'` escaped: the URL as received is the one signed.
    let raw = "https://relay.example/twilio/status?to=a,b&at=12:30&name=O%27Brien";
    let signature = sign(TOKEN, raw, &form_params(body.as_bytes()).unwrap());
    let headers = [
        ("content-type", FORM.to_string()),
        ("x-twilio-signature", signature),
    ];
    assert_eq!(
        push_to(STATUS, raw, &headers, body.as_bytes()).reply.status,
        200
    );

    // Repeated identical names: Twilio's helper signs `Tag` + `a` once, and the relay reads
    // the one field they are.
    let repeated = "MessageSid=SM1&MessageStatus=sent&Tag=a&Tag=a";
    // What the helper computes for {MessageSid, MessageStatus, Tag: ["a", "a"]}.
    let expected = helper_signature(
        TOKEN,
        &format!("{configured}MessageSidSM1MessageStatussentTaga"),
    );
    assert_eq!(
        sign(
            TOKEN,
            configured,
            &form_params(repeated.as_bytes()).unwrap()
        ),
        expected
    );
    let headers = [
        ("content-type", FORM.to_string()),
        ("x-twilio-signature", expected),
    ];
    let ingested = push_to(STATUS, received, &headers, repeated.as_bytes());
    // The same name and value twice is one field: read, not kept unparsed.
    assert_eq!((ingested.reply.status, ingested.reply.code), (200, "ok"));
    let events = events(&ingested);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "io.github.sms-relay.status_report");
    assert_eq!(events[0]["data"]["extra"]["Tag"], "a");
}

#[test]
fn a_repeated_name_is_signed_once_per_distinct_value_in_utf16_order() {
    // Different values, one repeated: {Tag: ["b", "é", "b", "Z"]} signs Tag+Z, Tag+b, Tag+é.
    let body = "Tag=b&Tag=%C3%A9&Tag=b&Tag=Z";
    let params = form_params(body.as_bytes()).unwrap();
    let values: Vec<&str> = params.iter().map(|(_, value)| value.as_ref()).collect();
    assert_eq!(values, ["Z", "b", "é"]);
    let once = form_params(b"Tag=Z&Tag=b&Tag=%C3%A9").unwrap();
    assert_eq!(
        sign(TOKEN, "https://h/", &params),
        sign(TOKEN, "https://h/", &once)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Re-encoding twice changes nothing more: what `stringify` writes, `parse` reads back.
    #[test]
    fn the_legacy_re_encoding_is_idempotent(query in "([a-zA-Z0-9=&+%,:'~*()!é ]|%[0-9A-Fa-f]{2}){0,24}") {
        let url = format!("https://h/p?{query}");
        let once = legacy_query(&url).into_owned();
        prop_assert_eq!(legacy_query(&once).into_owned(), once);
    }
}

// --- Event Streams --------------------------------------------------------------------

#[test]
fn an_event_streams_delivery_becomes_the_recorded_events_on_either_route() {
    let body = data_file("event-streams.json");
    let recorded: Vec<Value> =
        serde_json::from_str(&data_file("event-streams.events.json")).unwrap();
    let text_xml = vec![("content-type", "text/xml".to_string())];
    for (endpoint, answer, headers) in
        [(STATUS, "", Vec::new()), (INBOUND, "<Response/>", text_xml)]
    {
        let ingested = push(endpoint, JSON, &body);
        assert_eq!(events(&ingested), recorded, "{endpoint:?}");
        assert_eq!(
            (
                ingested.reply.status,
                ingested.reply.body.as_str(),
                &ingested.reply.headers
            ),
            (200, answer, &headers)
        );
    }
}

/// One array element of `kind` with `data`, and the attributes Twilio sends.
fn element(kind: &str, data: Value) -> Value {
    json!({
        "specversion": "1.0",
        "type": kind,
        "source": "AB00000000000000000000000001",
        "id": "NO00000000000000000000000009",
        "data": data,
    })
}

fn message_event(data: Value) -> Value {
    element("com.twilio.messaging.message.delivered", data)
}

fn one(endpoint: Endpoint, element: &Value) -> Value {
    let ingested = push(endpoint, JSON, &json!([element]).to_string());
    assert_eq!(ingested.reply.status, 200);
    let mut events = events(&ingested);
    assert_eq!(events.len(), 1);
    events.remove(0)
}

#[test]
fn every_message_status_maps_by_the_callbacks_table_whatever_its_case() {
    for (status, state, is_final) in [
        ("QUEUED", "accepted", false),
        ("ACCEPTED", "accepted", false),
        ("SCHEDULED", "accepted", false),
        ("SENDING", "accepted", false),
        ("SENT", "sent", false),
        ("DELIVERED", "delivered", true),
        ("Delivered", "delivered", true),
        ("UNDELIVERED", "failed", true),
        ("FAILED", "failed", true),
        ("CANCELED", "failed", true),
        ("READ", "read", true),
        ("read", "read", true),
        ("PARTIALLY_DELIVERED", "unknown", false),
        ("RECEIVING", "unknown", false),
    ] {
        let event = one(
            STATUS,
            &message_event(
                json!({"messageSid": "SM1", "messageStatus": status, "errorCode": 30003}),
            ),
        );
        let data = &event["data"];
        assert_eq!(
            (&data["status"], &data["state"], &data["final"]),
            (&json!(status), &json!(state), &json!(is_final)),
            "{status}"
        );
        assert_eq!(data["error_code"], "30003", "{status}");
        assert_eq!(
            data["delivered"],
            json!(state == "delivered" || state == "read")
        );
    }
}

#[test]
fn mapped_fields_and_everything_else_in_extra() {
    let event = one(
        INBOUND,
        &message_event(json!({
            "messageSid": "SM1",
            "messageStatus": "UNDELIVERED",
            "errorCode": 30005,
            "to": "+15558675310",
            "from": "+15017122661",
            "numberOfSegments": 2,
            "timestamp": "2025-01-01T08:00:00.123456789+08:00",
            "rawDlrDoneDate": "2501010000",
            "tags": {"10": "b", "9": "a"},
        })),
    );
    assert_eq!(event["type"], "io.github.sms-relay.status_report");
    assert_eq!(event["subject"], "SM1");
    assert_eq!(event["time"], "2025-01-01T00:00:00.123456789Z");
    let data = &event["data"];
    assert_eq!(data["message_id"], "SM1");
    assert_eq!(data["error_code"], "30005");
    assert_eq!(data["recipient"], "+15558675310");
    assert_eq!(data["segments"], 2);
    assert_eq!(data["updated_at"], "2025-01-01T00:00:00.123456789Z");
    assert_eq!(
        data["extra"],
        json!({
            "ce_id": "NO00000000000000000000000009",
            "ce_source": "AB00000000000000000000000001",
            "ce_specversion": "1.0",
            "ce_type": "com.twilio.messaging.message.delivered",
            "from": "+15017122661",
            "rawDlrDoneDate": "2501010000",
            "tags": {"9": "a", "10": "b"},
        })
    );

    let uplink = one(
        STATUS,
        &element(
            "com.twilio.messaging.inbound-message.received",
            json!({"messageSid": "SM2", "from": "+1", "to": "+2", "body": "", "numMedia": 0,
                   "timestamp": "2025-01-01T00:00:00Z", "recipients": ["+2", "+3"]}),
        ),
    );
    assert_eq!(uplink["type"], "io.github.sms-relay.uplink");
    let data = &uplink["data"];
    assert_eq!(
        (
            &data["message_id"],
            &data["from"],
            &data["to"],
            &data["body"],
            &data["created_at"]
        ),
        (
            &json!("SM2"),
            &json!("+1"),
            &json!("+2"),
            &json!(""),
            &json!("2025-01-01T00:00:00Z")
        )
    );
    assert_eq!(data["extra"]["numMedia"], 0);
    assert_eq!(data["extra"]["recipients"], json!(["+2", "+3"]));
    assert_eq!(uplink["time"], "2025-01-01T00:00:00Z");
}

#[test]
fn other_types_and_unreadable_elements_are_kept_whole_and_the_rest_stored() {
    let good = message_event(json!({"messageSid": "SM1", "messageStatus": "SENT"}));
    let elements = [
        (good.to_string(), None),
        (
            element("com.twilio.voice.insights.call-summary.complete", json!({"callSid": "CA1"}))
                .to_string(),
            Some("invalid_field: type"),
        ),
        (
            element("com.twilio.messaging.message.", json!({"messageSid": "SM1"})).to_string(),
            Some("invalid_field: type"),
        ),
        (r#""junk""#.to_string(), Some("entry_not_an_object")),
        (
            message_event(json!({"messageStatus": "SENT"})).to_string(),
            Some("missing_field: messageSid"),
        ),
        (
            message_event(json!("SM1")).to_string(),
            Some("invalid_field: data"),
        ),
        (
            json!({"type": "com.twilio.messaging.message.sent"}).to_string(),
            Some("missing_field: data"),
        ),
        (
            message_event(json!({"messageSid": "SM1", "messageStatus": "SENT", "ce_id": "x"}))
                .to_string(),
            Some("duplicate_field: ce_id"),
        ),
        (
            r#"{"type":"com.twilio.messaging.message.sent","data":{"messageSid":"SM1","messageSid":"SM2","messageStatus":"SENT"}}"#
                .to_string(),
            Some("duplicate_field: messageSid"),
        ),
        (
            message_event(json!({"messageSid": "SM1", "messageStatus": "SENT", "timestamp": "2025-01-01"}))
                .to_string(),
            Some("invalid_field: timestamp"),
        ),
        (
            message_event(json!({"messageSid": "SM1", "messageStatus": "SENT", "numberOfSegments": 0}))
                .to_string(),
            Some("invalid_field: numberOfSegments"),
        ),
        (
            message_event(json!({"messageSid": "SM1", "messageStatus": "SENT", "errorCode": {}}))
                .to_string(),
            Some("invalid_field: errorCode"),
        ),
    ];
    let body = format!(
        "[{}]",
        elements
            .iter()
            .map(|(element, _)| element.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    let ingested = push(INBOUND, JSON, &body);
    assert_eq!(
        (ingested.reply.status, ingested.reply.body.as_str()),
        (200, "<Response/>")
    );
    let events = events(&ingested);
    assert_eq!(events.len(), elements.len());
    for (event, (element, reason)) in events.iter().zip(&elements) {
        match reason {
            None => assert_eq!(event["type"], "io.github.sms-relay.status_report"),
            Some(reason) => {
                assert_eq!(event["type"], "io.github.sms-relay.unparsed", "{element}");
                assert_eq!(event["data"]["reason"], *reason, "{element}");
                assert_eq!(event["data"]["body"], *element);
                assert_eq!(event["data"]["endpoint"], "inbound");
                assert_eq!(event["data"]["content_type"], JSON);
            }
        }
    }
}

#[test]
fn a_body_that_is_not_an_array_is_kept_as_one_unparsed_event() {
    let object = message_event(json!({"messageSid": "SM1", "messageStatus": "SENT"})).to_string();
    for (body, code) in [
        (object.as_str(), "not_a_batch"),
        ("[]", "empty_batch"),
        ("[", "malformed_json"),
    ] {
        let ingested = push(STATUS, JSON, body);
        assert_eq!((ingested.reply.status, ingested.reply.code), (400, code));
        let events = events(&ingested);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["data"]["body"], body);
        assert_eq!(events[0]["data"]["endpoint"], "status");
    }
    // Still neither form nor JSON: 415, kept.
    let ingested = push(STATUS, "text/plain", "hi");
    assert_eq!(ingested.reply.status, 415);
}

#[test]
fn a_json_body_is_authentic_only_through_its_hash() {
    let body = data_file("event-streams.json");
    let hash = sms_relay::crypto::sha256_hex(body.as_bytes());
    let url = format!("https://relay.example/twilio/status?bodySHA256={hash}");
    let signed = |url: &str, token: &str| {
        [
            ("content-type", JSON.to_string()),
            ("x-twilio-signature", sign(token, url, &[])),
        ]
    };
    let ok = push_to(STATUS, &url, &signed(&url, TOKEN), body.as_bytes());
    assert_eq!((ok.reply.status, ok.events.len()), (200, 2));
    // The second token of a rotation.
    let second = push_to(STATUS, &url, &signed(&url, "67890"), body.as_bytes());
    assert_eq!(events(&second)[0]["data"]["auth"]["token_index"], 2);

    let changed = body.replacen("DELIVERED", "FAILED", 1);
    let no_hash = "https://relay.example/twilio/status";
    let wrong_hash = format!("{no_hash}?bodySHA256={}", "0".repeat(64));
    for (url, headers, body, code) in [
        (
            url.as_str(),
            signed(&url, TOKEN),
            changed.as_str(),
            "body_not_signed",
        ),
        (
            no_hash,
            signed(no_hash, TOKEN),
            body.as_str(),
            "body_not_signed",
        ),
        (
            &wrong_hash,
            signed(&wrong_hash, TOKEN),
            body.as_str(),
            "body_not_signed",
        ),
        (
            url.as_str(),
            signed(&url, "54321"),
            body.as_str(),
            "signature_mismatch",
        ),
        (
            url.as_str(),
            signed(no_hash, TOKEN),
            body.as_str(),
            "signature_mismatch",
        ),
    ] {
        let refused = push_to(STATUS, url, &headers, body.as_bytes());
        assert_eq!(
            (refused.reply.status, refused.reply.code),
            (401, code),
            "{url}"
        );
        assert!(refused.events.is_empty());
    }
}

// --- Ids ---------------------------------------------------------------------------

#[test]
fn an_event_streams_event_and_a_form_callback_share_an_id_exactly_when_they_say_the_same() {
    // A form callback carrying, as unmapped parameters, exactly what the element's envelope
    // and unmapped data say; its mapped parameters are the element's mapped members.
    let form = "MessageSid=SM1&MessageStatus=delivered&To=%2B15558675310&ErrorCode=30003\
                &From=%2B15017122661&ce_specversion=1.0\
                &ce_type=com.twilio.messaging.message.delivered\
                &ce_source=AB00000000000000000000000001&ce_id=NO00000000000000000000000009";
    let data = json!({
        "messageSid": "SM1",
        "messageStatus": "delivered",
        "to": "+15558675310",
        "errorCode": 30003,
        "From": "+15017122661",
    });
    let from_form = &events(&push(STATUS, FORM, form))[0];
    let from_stream = one(STATUS, &message_event(data.clone()));
    let said = |event: &Value| {
        let mut data = event["data"].clone();
        data.as_object_mut().unwrap().remove("received_at");
        data.as_object_mut().unwrap().remove("auth");
        data
    };
    assert_eq!(said(from_form), said(&from_stream));
    assert_eq!(from_form["id"], from_stream["id"]);

    // Anything said differently: another id. A time (the form has none), the status's case
    // (`status` is verbatim), an unmapped member, an envelope attribute.
    let mut with_time = data.clone();
    with_time["timestamp"] = json!("2025-01-01T00:00:00Z");
    let mut upper = data.clone();
    upper["messageStatus"] = json!("DELIVERED");
    let mut more = data.clone();
    more["mcc"] = json!("310");
    let mut other_id = message_event(data.clone());
    other_id["id"] = json!("NO00000000000000000000000010");
    for changed in [
        message_event(with_time),
        message_event(upper),
        message_event(more),
        other_id,
    ] {
        let event = one(STATUS, &changed);
        assert_ne!(said(&event), said(from_form));
        assert_ne!(event["id"], from_form["id"], "{changed}");
    }

    // The same for uplinks.
    let form = "MessageSid=SM2&From=%2B1&To=%2B2&Body=hi&ce_specversion=1.0\
                &ce_type=com.twilio.messaging.inbound-message.received\
                &ce_source=AB00000000000000000000000001&ce_id=NO00000000000000000000000009";
    let from_form = &events(&push(INBOUND, FORM, form))[0];
    let from_stream = one(
        INBOUND,
        &element(
            "com.twilio.messaging.inbound-message.received",
            json!({"messageSid": "SM2", "from": "+1", "to": "+2", "body": "hi"}),
        ),
    );
    assert_eq!(said(from_form), said(&from_stream));
    assert_eq!(from_form["id"], from_stream["id"]);
}

#[test]
fn the_same_delivery_again_repeats_its_ids() {
    let body = data_file("event-streams.json");
    let ids = |ingested: Ingested| -> Vec<String> {
        ingested.events.into_iter().map(|event| event.id).collect()
    };
    let first = ids(push(STATUS, JSON, &body));
    let later = sms_relay::testing::oracle::ingest_at(
        &config(),
        INBOUND,
        JSON,
        body.as_bytes(),
        Timestamp::from_unix_seconds(2_000_000_000),
    )
    .unwrap();
    assert_eq!(ids(later), first);
    assert_eq!(first.len(), 2);
    assert_ne!(first[0], first[1]);
}
