//! The oracle over arbitrary authenticated input: form bodies, JSON batches, arrays, objects
//! and raw bytes on every provider's every endpoint, with any content type. For each push, `testing::oracle::check` asserts at
//! least one event, the published schema, and every sink's limits; across the two pushes of a
//! case, distinct inputs get distinct ids and equal ones equal ids.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::callbacks::{self, Shape};
use common::schema;

use proptest::prelude::*;
use sms_relay::config::{Bindings, Config};
use sms_relay::providers::{huawei, Endpoint};
use sms_relay::testing::oracle::{check, endpoints, oracle_vars, Ids};
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

/// Vendors' field names their documented callbacks lack: Huawei's uplink `createTime` (read by
/// its normalizer, absent from the reference's example) and Vonage's `sig` (added when an SMS
/// API callback is signed).
const UNDOCUMENTED_FIELDS: &[&str] = &["createTime", "sig"];

/// Every field name of every provider's documented callbacks (`tests/data/<provider>/
/// callbacks.json`, at any depth of their JSON), and [`UNDOCUMENTED_FIELDS`].
fn fields() -> Vec<String> {
    static FIELDS: OnceLock<Vec<String>> = OnceLock::new();
    FIELDS
        .get_or_init(|| {
            let mut names: BTreeSet<String> = callbacks::all()
                .iter()
                .flat_map(callbacks::field_names)
                .collect();
            names.extend(UNDOCUMENTED_FIELDS.iter().map(|name| name.to_string()));
            names.into_iter().collect()
        })
        .clone()
}

/// The form fields the documented callbacks carry JSON in (Yunpian's `sms_status` and
/// `sms_reply`).
fn json_form_fields() -> Vec<String> {
    static FIELDS: OnceLock<Vec<String>> = OnceLock::new();
    FIELDS
        .get_or_init(|| {
            let names: BTreeSet<String> = callbacks::all()
                .into_iter()
                .filter_map(|callback| match callback.shape {
                    Shape::FormArray(field) | Shape::FormObject(field) => Some(field),
                    _ => None,
                })
                .collect();
            names.into_iter().collect()
        })
        .clone()
}

/// The names the strategies draw come from every endpoint's documented callbacks.
#[test]
fn the_field_names_are_every_endpoints_documented_ones() {
    let fields = fields();
    for endpoint in endpoints() {
        let example = callbacks::example(endpoint);
        let names = callbacks::field_names(&example);
        assert!(
            !names.is_empty(),
            "{endpoint}: no field name in its documented example tests/data/{}",
            example.file
        );
        for name in names {
            assert!(fields.contains(&name), "{endpoint}: {name}");
        }
    }
    assert!(
        !json_form_fields().is_empty(),
        "no documented callback is a form field holding JSON"
    );
}

/// Text that stresses escaping: control characters, quotes, separators, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_]{0,12}",
        "\\PC{0,24}",
        proptest::collection::vec(any::<char>(), 0..24).prop_map(|c| c.into_iter().collect()),
        Just("2018-04-13T06:31:46Z".to_string()),
        Just("2016-12-31T23:59:60.125+00:00".to_string()),
        Just("1".to_string()),
        Just("DELIVRD".to_string()),
        Just("2017-01-01 00:00:00".to_string()),
        Just("SUCCESS".to_string()),
        Just("delivered".to_string()),
        Just("true".to_string()),
        Just("86".to_string()),
        (1usize..3).prop_map(|n| "\u{1}".repeat(n * 12_000)),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(fields()),
        1 => "\\PC{0,10}",
        1 => Just(String::new()),
        1 => Just("a\nb".to_string()),
    ]
}

fn form() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((name(), text()), 0..8).prop_map(|pairs| {
        let encode = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        pairs
            .iter()
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    })
}

/// A JSON value as literal text, numbers in every spelling JSON allows.
fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        text().prop_map(|s| serde_json::to_string(&s).unwrap()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("12345678901234567891".to_string()),
        Just("1e999".to_string()),
        Just("-1e-400".to_string()),
        Just("1E20".to_string()),
        Just("0.10".to_string()),
        Just("-0".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec(("[a-c]{1,2}", inner), 0..4).prop_map(|members| {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

fn batch() -> impl Strategy<Value = Vec<u8>> {
    let entry = proptest::collection::vec((name(), json_value()), 0..8).prop_map(|members| {
        let members: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
            .collect();
        format!("{{{}}}", members.join(","))
    });
    let entry = prop_oneof![5 => entry, 1 => json_value()];
    (proptest::collection::vec(entry, 0..6), 0..3).prop_map(|(entries, shape)| {
        let entries = entries.join(",");
        match shape {
            // Huawei's envelope, with and without a key besides the list.
            0 => format!(r#"{{"statusReportList":[{entries}]}}"#),
            1 => format!(r#"{{"statusReportList":[{entries}],"appKey":"x"}}"#),
            // Alibaba's and Tencent's arrays.
            _ => format!("[{entries}]"),
        }
        .into_bytes()
    })
}

/// One JSON object: a Tencent reply.
fn object() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((name(), json_value()), 0..8).prop_map(|members| {
        let members: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
            .collect();
        format!("{{{}}}", members.join(",")).into_bytes()
    })
}

/// `json` as Yunpian sends it: URL-encoded in the one field of a form, sometimes twice.
fn json_form(json: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), proptest::sample::select(json_form_fields())).prop_map(move |(twice, field)| {
        let once =
            percent_encoding::percent_encode(&json, percent_encoding::NON_ALPHANUMERIC).to_string();
        let value = if twice {
            percent_encoding::utf8_percent_encode(&once, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        } else {
            once
        };
        format!("{field}={value}").into_bytes()
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => form(),
        3 => batch(),
        2 => object(),
        1 => batch().prop_flat_map(json_form),
        1 => object().prop_flat_map(json_form),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
        1 => proptest::collection::vec(any::<u8>(), 0..512).prop_map(|mut b| { b.insert(0, b'{'); b }),
    ]
}

fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("application/x-www-form-urlencoded".to_string()),
        Just("application/JSON;charset=UTF-8".to_string()),
        Just("application/json".to_string()),
        Just("text/plain".to_string()),
        "\\PC{0,300}",
    ]
}

fn endpoint() -> impl Strategy<Value = Endpoint> {
    proptest::sample::select(endpoints())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn every_push_is_kept_whole_within_every_limit_with_distinct_ids(
        a in (endpoint(), content_type(), body()),
        b in (endpoint(), content_type(), body()),
    ) {
        let config = config();
        let mut ids = Ids::default();
        for (endpoint, content_type, body) in [&a, &b] {
            let events = check(&config, *endpoint, content_type, body, &schema);
            prop_assert!(events.is_ok(), "{:?} for {:?}", events, String::from_utf8_lossy(body));
            prop_assert!(ids.add(events.unwrap()).is_ok());
        }
    }
}

/// The reproductions from the issue, through the same oracle.
#[test]
fn the_reported_collisions_and_oversized_inputs() {
    let config = config();
    let reports = Endpoint::Huawei(huawei::Endpoint::Reports);
    let form = "application/x-www-form-urlencoded";
    let mut ids = Ids::default();
    for (content_type, body) in [
        (form, b"smsMsgId=A&status=1%00X".to_vec()),
        (form, b"smsMsgId=A%001&status=X".to_vec()),
        ("application/json", b"\xff\xff\xff".to_vec()),
        ("application/json", b"////".to_vec()),
        (form, b"=1&=2".to_vec()),
        (form, b"a%0Ab=1&a%0Ab=2".to_vec()),
        // A field far larger than a queue message once escaped: kept whole, as bytes.
        (form, format!("smsMsgId=big&status=DELIVRD&extend={}", "%01".repeat(30_000)).into_bytes()),
        // The largest body the queue can hold, as the most expensive unparsed input.
        ("text/plain", vec![1u8; 92_928]),
        (
            "application/json",
            format!(
                r#"{{"statusReportList":[{{"smsMsgId":"m","status":"{}"}},{{"smsMsgId":"n","status":"DELIVRD"}}]}}"#,
                "S".repeat(2000)
            )
            .into_bytes(),
        ),
    ] {
        let events = check(&config, reports, content_type, &body, &schema)
            .unwrap_or_else(|error| panic!("{error} for {}", String::from_utf8_lossy(&body)));
        ids.add(events).unwrap();
    }
}
