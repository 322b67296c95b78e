//! The per-push CPU cost of the pure core: verify + parse + normalize, each measured beside
//! its floor, the hashing no verifier can skip (SHA-256 of the body, SHA-256 of the canonical
//! request, one HMAC-SHA256). `make bench` prints each path as a multiple of its floor.
//!
//! Groups and ids are read by `bench/summary.mjs`: `<group>/floor` and `<group>/ingest`.

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config};
use sms_relay::handler::{ingest, Endpoint};
use sms_relay::request::PushRequest;
use sms_relay::signing::{authorization_header, canonical_request, string_to_sign};
use std::hint::black_box;

const AK: &str = "exampleAk";
const SK: &str = "exampleSk*1231d881wd";
const SDK_DATE: &str = "20241212T070653Z";
const SIGNED: &str = "connection;content-length;content-type;host;x-sdk-date";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/JSON;charset=UTF-8";

const STATUS_REPORT: &str = "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6&status=DELIVRD";
const UPLINK: &str = "from=%2B8615500000000&to=201804131431201234&body=%E4%BD%A0%E5%A5%BD+TD&smsMsgId=9692b5be-c427-4525-8e73-cf4a6ac5b3f7";

/// A batch of 50 reports, every value a JSON string, as Huawei's batch push sends them.
fn batch_of_50() -> String {
    let entries: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"smsMsgId":"b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_{i}","total":"1","sequence":"1","status":"{}","source":"2","updateTime":"2018-04-13T06:31:46Z","orgCode":"000"}}"#,
                if i % 5 == 0 { "UNDELIV" } else { "DELIVRD" }
            )
        })
        .collect();
    format!(r#"{{"statusReportList":[{}]}}"#, entries.join(","))
}

/// A push signed like Huawei's, received as Cloudflare delivers it (`Connection: Keep-Alive`).
struct Push {
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn push(path: &'static str, content_type: &str, body: &str) -> Push {
    let length = body.len().to_string();
    let signed = [
        ("connection", "close"),
        ("content-length", length.as_str()),
        ("content-type", content_type),
        ("host", "relay.example.com"),
        ("x-sdk-date", SDK_DATE),
    ];
    let authorization = authorization_header(AK, SK, "POST", path, "", &signed, body.as_bytes());
    let mut headers: Vec<(String, String)> = signed
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    headers[0].1 = "Keep-Alive".to_string();
    headers.push(("authorization".to_string(), authorization));
    Push {
        path,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

/// The floor: the three hashes any verifier of this push must compute.
fn floor(push: &Push) -> [u8; 32] {
    let body_hash = sms_relay::hex::encode(Sha256::digest(&push.body));
    let values = push.headers.iter().take(5).map(|(_, v)| v.as_str());
    let canonical = canonical_request("POST", push.path, "", SIGNED, values, &body_hash);
    let to_sign = string_to_sign(SDK_DATE, &canonical);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SK.as_bytes()).expect("any key length");
    mac.update(to_sign.as_bytes());
    mac.finalize().into_bytes().into()
}

fn bench(c: &mut Criterion) {
    let config = Config::from_vars(
        &[
            ("HUAWEI_PUSH_KEYS", &format!("{AK}:{SK}")),
            ("FORWARD", "queue,kv"),
        ],
        Bindings {
            queue: true,
            kv: true,
            dead_letter_queue: true,
        },
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    let now = Timestamp::from_unix_seconds(1_733_987_300);
    let batch = batch_of_50();
    let cases = [
        (
            "status_report",
            Endpoint::Reports,
            push("/huawei/reports", FORM, STATUS_REPORT),
            1,
        ),
        (
            "uplink",
            Endpoint::Uplink,
            push("/huawei/uplink", FORM, UPLINK),
            1,
        ),
        (
            "batch_50",
            Endpoint::Reports,
            push("/huawei/reports", JSON, &batch),
            50,
        ),
    ];
    for (name, endpoint, push, expected_events) in &cases {
        let request = PushRequest {
            method: "POST",
            path: push.path,
            query: "",
            headers: &push.headers,
            body: &push.body,
        };
        let ingested = ingest(*endpoint, None, &request, &config, now);
        assert_eq!(
            (ingested.reply.status, ingested.events.len()),
            (200, *expected_events),
            "{name}"
        );

        let mut group = c.benchmark_group(*name);
        group.bench_function("floor", |b| b.iter(|| floor(black_box(push))));
        group.bench_function("ingest", |b| {
            b.iter(|| {
                ingest(*endpoint, None, black_box(&request), &config, now)
                    .events
                    .len()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
