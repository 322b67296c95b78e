//! One request from head to answer through the core's `Exchange`, driven natively the way
//! `src/edge/worker.js` drives it in the worker: head, body chunks, then steps until `Finish`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use sms_relay::clock::{parse_report_time, Timestamp};
use sms_relay::config::{Bindings, Config};
use sms_relay::relay::Exchange;
use sms_relay::sinks::store::SINK_RETRY_DELAYS_MS;
use sms_relay::sinks::{Finished, Step};
use sms_relay::testing::huawei::{
    signed_headers, AK, FORM, HOST, RECEIVED_AT, SK, STATUS_REPORT, STATUS_REPORT_EVENT,
};

fn now() -> Timestamp {
    parse_report_time(RECEIVED_AT).unwrap()
}

fn config(vars: &[(&str, &str)]) -> Config {
    let keys = format!("{AK}:{SK}");
    let mut all = vec![("HUAWEI_PUSH_KEYS", keys.as_str()), ("FORWARD", "queue")];
    all.extend_from_slice(vars);
    Config::from_vars(&all, Bindings::ALL)
}

/// The headers as `worker.js` passes them: `name:value` lines, the way the runtime lists
/// them (lower-case names, `host` included, `Connection` not: Cloudflare drops it).
fn header_lines(path: &str, body: &[u8]) -> String {
    signed_headers(path, FORM, body)
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("connection"))
        .map(|(name, value)| format!("{}:{value}\n", name.to_ascii_lowercase()))
        .collect()
}

/// The exchange of Huawei's example status report, signed, as it arrives (body not yet read).
fn signed_report(config: &Config) -> Exchange {
    let path = "/huawei/reports";
    let headers = header_lines(path, STATUS_REPORT.as_bytes());
    Exchange::new(config, "POST", &url(path), &headers, now())
}

fn url(path: &str) -> String {
    format!("https://{HOST}{path}")
}

/// Runs the steps with a queue that answers from `queue_results` in turn; returns the
/// answer, the batches accepted and the pauses asked for.
fn finish(
    exchange: &mut Exchange,
    mut queue_results: Vec<Result<(), String>>,
) -> (Finished, Vec<String>, Vec<u64>) {
    let (mut sent, mut waits) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        match exchange.step() {
            Step::SendBatch(json) => {
                let result = if queue_results.is_empty() {
                    Ok(())
                } else {
                    queue_results.remove(0)
                };
                if result.is_ok() {
                    sent.push(json);
                }
                exchange.queue_sent(result);
            }
            Step::PutKv(puts) => {
                let results = puts.iter().map(|_| Ok(())).collect();
                exchange.kv_written(results);
            }
            Step::GetKv(keys) => {
                let found = keys.iter().map(|_| false).collect();
                exchange.kv_read(Ok(found));
            }
            Step::Wait { millis } => waits.push(millis),
            Step::ListKv { .. } | Step::ListR2 { .. } => panic!("a push never lists"),
            Step::PutR2 { .. } => panic!("no spill bucket here"),
            Step::Finish(finished) => return (finished, sent, waits),
        }
    }
    panic!("the exchange never finished");
}

fn log(exchange: &Exchange) -> Value {
    serde_json::from_str(&exchange.log_line(now())).unwrap()
}

#[test]
fn a_signed_report_is_queued_as_its_event_then_answered_200_and_logged() {
    let config = config(&[]);
    let body = STATUS_REPORT.as_bytes();
    let mut exchange = signed_report(&config);
    assert!(exchange.wants_body());
    // Any split of the body into chunks is the same body.
    let (first, rest) = body.split_at(body.len() / 3);
    assert!(exchange.body_chunk(first));
    assert!(exchange.body_chunk(rest));
    exchange.body_end(&config, now());
    assert!(!exchange.wants_body());

    let (finished, sent, waits) = finish(&mut exchange, vec![]);
    assert_eq!(finished.reply.status, 200);
    assert!(finished.reply.body.is_empty());
    assert!(waits.is_empty());
    let batch: Value = serde_json::from_str(&sent[0]).unwrap();
    let expected: Value = serde_json::from_str(STATUS_REPORT_EVENT).unwrap();
    assert_eq!(batch[0]["contentType"], "json");
    assert_eq!(batch[0]["body"], expected);

    // Not logged by default (the runtime records the invocation); every field with `all`.
    assert_eq!(exchange.log(&config, now()), None);
    let all = self::config(&[("LOG_REQUESTS", "all")]);
    let line: Value = serde_json::from_str(&exchange.log(&all, now()).unwrap()).unwrap();
    assert_eq!(line["route"], "huawei/reports");
    assert_eq!(line["status"], 200);
    assert_eq!(line["outcome"], "ok");
    assert_eq!(line["events"], 1);
    assert_eq!(line["access_key"], AK);
    // The ids that answer "did the receipt for message X arrive?", and nothing of the content.
    assert_eq!(line["event_ids"], serde_json::json!([expected["id"]]));
    assert_eq!(
        line["message_ids"],
        serde_json::json!([expected["data"]["message_id"]])
    );
    let text = line.to_string();
    for private in ["DELIVRD", "recipient", "+86"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    // Asking again changes nothing.
    assert!(matches!(exchange.step(), Step::Finish(again) if again == finished));
}

#[test]
fn refusals_before_the_body_want_no_body() {
    let config = config(&[]);
    for (method, path, status, code) in [
        ("GET", "/nowhere", 404, "not_found"),
        ("GET", "/huawei/reports", 405, "method_not_allowed"),
        ("POST", "/healthz", 405, "method_not_allowed"),
    ] {
        let mut exchange = Exchange::new(&config, method, &url(path), "", now());
        assert!(!exchange.wants_body(), "{method} {path}");
        assert!(!exchange.body_chunk(b"ignored"));
        exchange.body_end(&config, now());
        let (finished, sent, _) = finish(&mut exchange, vec![]);
        assert_eq!(
            (finished.reply.status, finished.reply.code),
            (status, code),
            "{method} {path}"
        );
        assert!(sent.is_empty());
        assert_eq!(log(&exchange)["status"], status);
    }
    let mut health = Exchange::new(&config, "GET", &url("/healthz"), "", now());
    assert!(!health.wants_body());
    let (finished, _, _) = finish(&mut health, vec![]);
    assert_eq!(finished.reply.status, 200);
    assert_eq!(log(&health)["route"], "healthz");
}

#[test]
fn a_declared_length_over_the_limit_is_refused_before_any_body() {
    let config = config(&[("MAX_BODY_BYTES", "100")]);
    let path = "/huawei/reports";
    let headers = format!("content-length:101\nhost:{HOST}\n");
    let mut exchange = Exchange::new(&config, "POST", &url(path), &headers, now());
    assert!(!exchange.wants_body());
    let (finished, _, _) = finish(&mut exchange, vec![]);
    assert_eq!(finished.reply.code, "body_too_large");
}

#[test]
fn a_body_past_the_limit_or_broken_mid_read_is_refused_and_nothing_is_written() {
    let config = config(&[("MAX_BODY_BYTES", "100")]);
    // No Content-Length: the body arrives in chunks and the limit is enforced as it grows.
    let mut over = Exchange::new(&config, "POST", &url("/huawei/reports"), "", now());
    assert!(over.body_chunk(&[b'a'; 60]));
    assert!(over.body_chunk(&[b'a'; 40]), "exactly the limit is fine");
    assert!(!over.body_chunk(b"a"), "one byte past it is not");
    assert!(!over.wants_body());

    let mut broken = Exchange::new(&config, "POST", &url("/huawei/reports"), "", now());
    assert!(broken.body_chunk(b"smsMsgId="));
    broken.body_failed();

    for (mut exchange, status, code) in [
        (over, 413, "body_too_large"),
        (broken, 400, "body_unreadable"),
    ] {
        exchange.body_end(&config, now());
        let (finished, sent, _) = finish(&mut exchange, vec![]);
        assert_eq!((finished.reply.status, finished.reply.code), (status, code));
        assert!(sent.is_empty());
    }
}

#[test]
fn a_queue_that_keeps_refusing_is_retried_then_answered_503_and_the_failure_logged() {
    let config = config(&[]);
    let body = STATUS_REPORT.as_bytes();
    let mut exchange = signed_report(&config);
    exchange.body_chunk(body);
    exchange.body_end(&config, now());
    let refusals = vec![Err("queue down".to_string()); SINK_RETRY_DELAYS_MS.len() + 1];
    let (finished, sent, waits) = finish(&mut exchange, refusals);
    assert_eq!(
        (finished.reply.status, finished.reply.code),
        (503, "sink_unavailable")
    );
    assert!(sent.is_empty());
    assert_eq!(waits, SINK_RETRY_DELAYS_MS);
    let line: Value = serde_json::from_str(&exchange.log(&config, now()).unwrap()).unwrap();
    assert_eq!(line["status"], 503);
    assert!(line["sink_error"].as_str().unwrap().contains("queue down"));
}

#[test]
fn an_unsigned_push_is_refused_401_with_nothing_written() {
    let config = config(&[]);
    let path = "/huawei/reports";
    let mut exchange = Exchange::new(
        &config,
        "POST",
        &url(path),
        &format!("host:{HOST}\n"),
        now(),
    );
    exchange.body_chunk(STATUS_REPORT.as_bytes());
    exchange.body_end(&config, now());
    let (finished, sent, _) = finish(&mut exchange, vec![]);
    assert_eq!(finished.reply.status, 401);
    assert!(sent.is_empty());
    assert_eq!(log(&exchange)["events"], 0);
    assert!(
        exchange.log(&config, now()).is_some(),
        "a refusal is logged by default"
    );
}

#[test]
fn healthz_says_only_ready_and_invalid_names_in_public_and_details_with_the_read_token() {
    const TOKEN: &str = "read-token-0123456789";
    let get = |config: &Config, authorization: Option<&str>| {
        let headers =
            authorization.map_or(String::new(), |value| format!("authorization:{value}\n"));
        let mut exchange = Exchange::new(config, "GET", &url("/healthz"), &headers, now());
        let (finished, _, _) = finish(&mut exchange, vec![]);
        let body: Value = serde_json::from_str(&finished.reply.body).unwrap();
        (finished.reply.status, body)
    };
    let config = config(&[("READ_TOKEN", TOKEN)]);
    let (status, public) = get(&config, None);
    assert_eq!(status, 200);
    assert_eq!(
        public,
        serde_json::json!({"service": "sms-relay", "ready": true, "providers": ["huawei"], "invalid_settings": []})
    );
    for wrong in [
        "Bearer nope-nope-nope-nope",
        &format!("Basic {TOKEN}"),
        TOKEN,
        "Bearer",
    ] {
        assert_eq!(get(&config, Some(wrong)).1, public, "{wrong}");
    }
    let (_, detailed) = get(&config, Some(&format!("Bearer {TOKEN}")));
    assert_eq!(detailed["ready"], true);
    assert_eq!(detailed["sinks"], serde_json::json!(["queue"]));
    assert!(!detailed.to_string().contains(TOKEN));

    // Invalid settings are named, never their values; without a READ_TOKEN nothing more is shown.
    let broken = Config::from_vars(
        &[
            ("HUAWEI_PUSH_KEYS", "no-pair-here"),
            ("MAX_BODY_BYTES", "lots"),
            ("FORWARD", "queue"),
        ],
        Bindings::ALL,
    );
    let (status, body) = get(&broken, Some(&format!("Bearer {TOKEN}")));
    assert_eq!(status, 500);
    assert_eq!(
        body,
        serde_json::json!({"service": "sms-relay", "ready": false, "providers": [], "invalid_settings": ["HUAWEI_PUSH_KEYS", "MAX_BODY_BYTES"]})
    );

    // A weak or malformed READ_TOKEN turns the lookup and the details off, and nothing else:
    // callbacks are still taken.
    for weak in [
        "0000000000000000",
        "................",
        "has spaces in it, 0123",
    ] {
        let keys = format!("{AK}:{SK}");
        let config = Config::from_vars(
            &[
                ("HUAWEI_PUSH_KEYS", &keys),
                ("FORWARD", "queue,kv"),
                ("READ_TOKEN", weak),
            ],
            Bindings::ALL,
        );
        assert!(config.is_valid(), "{weak}");
        let (status, body) = get(&config, Some(&format!("Bearer {weak}")));
        assert_eq!(status, 200, "{weak}");
        assert_eq!(
            body,
            serde_json::json!({"service": "sms-relay", "ready": true, "providers": ["huawei"], "invalid_settings": [], "disabled_settings": ["READ_TOKEN"]}),
            "{weak}"
        );
        let lookup = Exchange::new(
            &config,
            "GET",
            &url("/v1/messages/huawei/m"),
            &format!("authorization:Bearer {weak}\n"),
            now(),
        );
        assert_eq!(
            (
                log(&lookup)["status"].clone(),
                log(&lookup)["outcome"].clone()
            ),
            (404.into(), "not_enabled".into()),
            "{weak}: the lookup is off"
        );
        let mut push = signed_report(&config);
        push.body_chunk(STATUS_REPORT.as_bytes());
        push.body_end(&config, now());
        let (finished, _, _) = finish(&mut push, vec![]);
        assert_eq!(finished.reply.status, 200, "{weak}: ingestion goes on");
    }
}

#[test]
fn the_status_lookup_lists_kv_under_the_provider_and_message_and_answers_its_reports() {
    const TOKEN: &str = "read-token-0123456789";
    let bearer = format!("authorization:Bearer {TOKEN}\n");
    let start = |config: &Config, method: &str, path: &str, headers: &str| {
        Exchange::new(config, method, &url(path), headers, now())
    };
    let enabled = Config::from_vars(
        &[
            ("ALLOW_UNSIGNED", "true"),
            ("FORWARD", "queue,kv"),
            ("READ_TOKEN", TOKEN),
        ],
        Bindings::ALL,
    );

    let mut exchange = start(&enabled, "GET", "/v1/messages/huawei/msg%2D1", &bearer);
    assert!(!exchange.wants_body());
    match exchange.step() {
        Step::ListKv { prefix, cursor } => {
            assert_eq!((prefix, cursor), ("status/huawei/msg-1/", None))
        }
        other => panic!("expected a KV list, got {other:?}"),
    }
    // A listing that goes on is asked for again from its cursor.
    exchange.kv_listed(Ok(
        r#"{"keys":[{"name":"status/huawei/msg-1/0123","metadata":{"type":"t","status":"DELIVRD","state":"delivered","final":true,"delivered":true,"segment":1,"time":"2018-04-13T06:31:46Z"}}],"list_complete":false,"cursor":"page-2"}"#
            .to_string(),
    ));
    match exchange.step() {
        Step::ListKv { prefix, cursor } => {
            assert_eq!((prefix, cursor), ("status/huawei/msg-1/", Some("page-2")))
        }
        other => panic!("expected the next page, got {other:?}"),
    }
    exchange.kv_listed(Ok(r#"{"keys":[],"list_complete":true}"#.to_string()));
    let Step::Finish(found) = exchange.step() else {
        panic!("finished")
    };
    assert_eq!(found.reply.status, 200);
    let body: Value = serde_json::from_str(&found.reply.body).unwrap();
    assert_eq!(body["message_id"], "msg-1");
    assert_eq!(body["provider"], "huawei");
    assert_eq!(body["reports"][0]["status"], "DELIVRD");
    assert_eq!(body["reports"][0]["id"], "0123");
    assert_eq!(
        (&body["state"], &body["final"]),
        (&"delivered".into(), &true.into())
    );

    // `?cursor=` starts the listing where a previous answer stopped.
    match start(
        &enabled,
        "GET",
        "/v1/messages/huawei/msg-1?cursor=abc%3D",
        &bearer,
    )
    .step()
    {
        Step::ListKv { cursor, .. } => assert_eq!(cursor, Some("abc=")),
        other => panic!("expected a KV list, got {other:?}"),
    }

    // Every provider has its own key space; an unknown one is no route.
    match start(&enabled, "GET", "/v1/messages/twilio/SM1", &bearer).step() {
        Step::ListKv { prefix, .. } => assert_eq!(prefix, "status/twilio/SM1/"),
        other => panic!("expected a KV list, got {other:?}"),
    }
    let (unknown, _, _) = finish(
        &mut start(&enabled, "GET", "/v1/messages/other/m", &bearer),
        vec![],
    );
    assert_eq!(unknown.reply.status, 404);
    let (bare, _, _) = finish(
        &mut start(&enabled, "GET", "/v1/messages/m", &bearer),
        vec![],
    );
    assert_eq!(bare.reply.status, 404);

    let mut missing = start(&enabled, "GET", "/v1/messages/huawei/none", &bearer);
    assert!(matches!(missing.step(), Step::ListKv { .. }));
    missing.kv_listed(Ok(r#"{"keys":[],"list_complete":true}"#.to_string()));
    assert!(
        matches!(missing.step(), Step::Finish(f) if (f.reply.status, f.reply.code) == (404, "not_found"))
    );

    let mut failing = start(&enabled, "GET", "/v1/messages/huawei/m", &bearer);
    assert!(matches!(failing.step(), Step::ListKv { .. }));
    failing.kv_listed(Err("kv down".to_string()));
    assert!(matches!(failing.step(), Step::Finish(f) if f.reply.status == 503));

    // Refusals decided before any KV call.
    let without_token = Config::from_vars(
        &[("ALLOW_UNSIGNED", "true"), ("FORWARD", "queue,kv")],
        Bindings::ALL,
    );
    let without_kv = Config::from_vars(
        &[
            ("ALLOW_UNSIGNED", "true"),
            ("FORWARD", "queue"),
            ("READ_TOKEN", TOKEN),
        ],
        Bindings::ALL,
    );
    for (config, method, headers, status, code) in [
        (&enabled, "GET", String::new(), 401, "missing_token"),
        (
            &enabled,
            "GET",
            "authorization:Bearer wrong-token-0123456789\n".to_string(),
            401,
            "invalid_token",
        ),
        (&enabled, "POST", bearer.clone(), 405, "method_not_allowed"),
        (&without_token, "GET", bearer.clone(), 404, "not_enabled"),
        (&without_kv, "GET", bearer.clone(), 404, "not_enabled"),
    ] {
        let mut exchange = start(config, method, "/v1/messages/huawei/m", &headers);
        let (finished, _, _) = finish(&mut exchange, vec![]);
        assert_eq!(
            (finished.reply.status, finished.reply.code),
            (status, code),
            "{method} {headers}"
        );
    }
}

#[test]
fn provider_routes_are_admitted_by_their_setting_method_token_and_address() {
    const ALIBABA: &str = "alibaba-token-0123456789";
    let all = Config::from_vars(
        &[
            ("ALIBABA_TOKEN", ALIBABA),
            ("TENCENT_TOKEN", "tencent-token-0123456789"),
            ("TWILIO_AUTH_TOKENS", "12345"),
            ("ALLOWED_IPS", "192.0.2.0/24"),
        ],
        Bindings::ALL,
    );
    assert!(all.is_valid(), "{:?}", all.errors);
    let huawei_only = Config::from_vars(&[("ALLOW_UNSIGNED", "true")], Bindings::ALL);
    let inside = "cf-connecting-ip:192.0.2.7\n";
    let outside = "cf-connecting-ip:198.51.100.1\n";
    let answer = |config: &Config, method: &str, path: &str, headers: &str| {
        let mut exchange = Exchange::new(config, method, &url(path), headers, now());
        let wants_body = exchange.wants_body();
        let (finished, sent, _) = finish(&mut exchange, vec![]);
        (wants_body, finished.reply, sent)
    };

    // Alibaba's console probe: the probe body, no body read, nothing stored.
    let probe = format!("/alibaba/reports/{ALIBABA}");
    let (read, reply, sent) = answer(&all, "GET", &probe, inside);
    assert_eq!(
        (read, reply.status, reply.body.as_str()),
        (false, 200, r#"{"code":0,"msg":"成功"}"#)
    );
    assert!(sent.is_empty());
    let (_, reply, _) = answer(&all, "GET", &format!("/alibaba/uplink/{ALIBABA}"), inside);
    assert_eq!(reply.status, 200);
    for (config, method, path, headers, status, code) in [
        (
            &all,
            "GET",
            "/alibaba/reports/wrong-token-0123456789",
            inside,
            401,
            "invalid_token",
        ),
        (
            &all,
            "GET",
            "/alibaba/reports",
            inside,
            401,
            "missing_token",
        ),
        (&all, "GET", probe.as_str(), outside, 403, "ip_not_allowed"),
        (
            &all,
            "PUT",
            probe.as_str(),
            inside,
            405,
            "method_not_allowed",
        ),
        (
            &all,
            "GET",
            "/tencent/reports/tencent-token-0123456789",
            inside,
            405,
            "method_not_allowed",
        ),
        (
            &all,
            "GET",
            "/twilio/status",
            inside,
            405,
            "method_not_allowed",
        ),
        (
            &all,
            "POST",
            "/twilio/status/extra",
            inside,
            404,
            "not_found",
        ),
        (&all, "POST", "/huawei/reports", inside, 404, "not_enabled"),
        (
            &huawei_only,
            "GET",
            probe.as_str(),
            inside,
            404,
            "not_enabled",
        ),
        (
            &huawei_only,
            "POST",
            "/tencent/replies/x",
            inside,
            404,
            "not_enabled",
        ),
        (
            &huawei_only,
            "POST",
            "/twilio/inbound",
            inside,
            404,
            "not_enabled",
        ),
    ] {
        let (_, reply, sent) = answer(config, method, path, headers);
        assert_eq!(
            (reply.status, reply.code),
            (status, code),
            "{method} {path}"
        );
        assert!(sent.is_empty());
    }
    let (_, not_allowed, _) = answer(&all, "PUT", &probe, inside);
    assert!(not_allowed
        .headers
        .contains(&("allow", "GET, POST".to_string())));

    // Twilio signs every webhook and publishes no addresses: ALLOWED_IPS does not apply.
    let (read, _, _) = answer(&all, "POST", "/twilio/status", outside);
    assert!(read, "Twilio's routes read the body whatever the address");
    let (read, reply, _) = answer(
        &all,
        "POST",
        "/tencent/reports/tencent-token-0123456789",
        outside,
    );
    assert_eq!((read, reply.status), (false, 403));
}

#[test]
fn a_provider_push_the_sinks_refuse_is_503_with_retry_after_never_the_vendor_success_body() {
    const TOKEN: &str = "tencent-token-0123456789";
    let config = Config::from_vars(&[("TENCENT_TOKEN", TOKEN)], Bindings::ALL);
    let body = sms_relay::testing::samples::TENCENT_REPORTS;
    let push = |queue_results| {
        let mut exchange = Exchange::new(
            &config,
            "POST",
            &url(&format!("/tencent/reports/{TOKEN}")),
            "content-type:application/json\n",
            now(),
        );
        assert!(exchange.body_chunk(body.as_bytes()));
        exchange.body_end(&config, now());
        finish(&mut exchange, queue_results).0.reply
    };
    let down = Err("queue down".to_string());
    let refused = push(vec![down.clone(), down.clone(), down]);
    assert_eq!((refused.status, refused.code), (503, "sink_unavailable"));
    assert!(refused.headers.contains(&("retry-after", "30".to_string())));
    assert!(!refused.body.contains("result"), "{}", refused.body);
    let stored = push(vec![]);
    assert_eq!(
        (stored.status, stored.body.as_str()),
        (200, r#"{"result":0,"errmsg":"OK"}"#)
    );
}
