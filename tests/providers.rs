//! Alibaba, Tencent and Twilio through the core: each vendor's documented bodies become the
//! events in `tests/data/<provider>/`, with the answer the vendor expects; bad credentials,
//! disabled providers, unreadable entries; and one `data` shape whoever sent the report.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::events;

use serde_json::Value;
use sms_relay::config::{Bindings, Config};
use sms_relay::event::Ingested;
use sms_relay::providers::{alibaba, tencent, twilio, Endpoint};
use sms_relay::testing::oracle::{ingest, oracle_vars};
use sms_relay::testing::samples::*;

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

fn config() -> Config {
    let config = Config::from_vars(&oracle_vars(), Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn push(endpoint: Endpoint, content_type: &str, body: &str) -> Ingested {
    ingest(&config(), endpoint, content_type, body.as_bytes()).unwrap()
}

const ALIBABA_REPORTS: Endpoint = Endpoint::Alibaba(alibaba::Endpoint::Reports);
const ALIBABA_UPLINK_ROUTE: Endpoint = Endpoint::Alibaba(alibaba::Endpoint::Uplink);
const TENCENT_REPORTS_ROUTE: Endpoint = Endpoint::Tencent(tencent::Endpoint::Reports);
const TENCENT_REPLIES: Endpoint = Endpoint::Tencent(tencent::Endpoint::Replies);
const TWILIO_STATUS_ROUTE: Endpoint = Endpoint::Twilio(twilio::Endpoint::Status);
const TWILIO_INBOUND_ROUTE: Endpoint = Endpoint::Twilio(twilio::Endpoint::Inbound);

fn golden(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn each_vendors_documented_bodies_become_the_recorded_events_and_answers() {
    let text_xml = vec![("content-type", "text/xml".to_string())];
    let json = vec![("content-type", "application/json".to_string())];
    for (endpoint, content_type, body, events_file, answer, headers) in [
        (
            ALIBABA_REPORTS,
            JSON,
            ALIBABA_REPORT,
            "alibaba/sms-report.events.json",
            alibaba::STORED_BODY,
            &json,
        ),
        (
            ALIBABA_REPORTS,
            JSON,
            ALIBABA_REPORT_INTL,
            "alibaba/sms-report-intl.events.json",
            alibaba::STORED_BODY,
            &json,
        ),
        (
            ALIBABA_UPLINK_ROUTE,
            JSON,
            ALIBABA_UPLINK,
            "alibaba/sms-up.events.json",
            alibaba::STORED_BODY,
            &json,
        ),
        (
            TENCENT_REPORTS_ROUTE,
            JSON,
            TENCENT_REPORTS,
            "tencent/status-reports.events.json",
            tencent::STORED_BODY,
            &json,
        ),
        (
            TENCENT_REPLIES,
            JSON,
            TENCENT_REPLY,
            "tencent/reply.events.json",
            tencent::STORED_BODY,
            &json,
        ),
        (
            TWILIO_STATUS_ROUTE,
            FORM,
            TWILIO_STATUS,
            "twilio/status.events.json",
            "",
            &Vec::new(),
        ),
        (
            TWILIO_INBOUND_ROUTE,
            FORM,
            TWILIO_INBOUND,
            "twilio/inbound.events.json",
            "<Response/>",
            &text_xml,
        ),
    ] {
        let ingested = push(endpoint, content_type, body);
        assert_eq!(events(&ingested), golden(events_file), "{events_file}");
        assert_eq!(
            (
                ingested.reply.status,
                ingested.reply.body.as_str(),
                &ingested.reply.headers
            ),
            (200, answer, headers),
            "{events_file}"
        );
    }
    // The answers are the vendors' exact bytes.
    assert_eq!(alibaba::STORED_BODY, r#"{"code":0,"msg":"接收成功"}"#);
    assert_eq!(alibaba::PROBE_BODY, r#"{"code":0,"msg":"成功"}"#);
    assert_eq!(tencent::STORED_BODY, r#"{"result":0,"errmsg":"OK"}"#);
}

#[test]
fn a_status_report_has_the_same_data_fields_whoever_sent_it() {
    let huawei = sms_relay::testing::oracle::ingest(
        &config(),
        Endpoint::Huawei(sms_relay::providers::huawei::Endpoint::Reports),
        FORM,
        sms_relay::testing::huawei::STATUS_REPORT.as_bytes(),
    )
    .unwrap();
    let keys = |event: &Value| -> Vec<String> {
        event["data"].as_object().unwrap().keys().cloned().collect()
    };
    let reference = keys(&events(&huawei)[0]);
    for (endpoint, content_type, body) in [
        (ALIBABA_REPORTS, JSON, ALIBABA_REPORT),
        (TENCENT_REPORTS_ROUTE, JSON, TENCENT_REPORTS),
        (TWILIO_STATUS_ROUTE, FORM, TWILIO_STATUS),
    ] {
        let event = &events(&push(endpoint, content_type, body))[0];
        assert_eq!(event["type"], "io.github.sms-relay.status_report");
        assert_eq!(keys(event), reference, "{}", event["provider"]);
    }
    let uplinks: Vec<Vec<String>> = [
        (ALIBABA_UPLINK_ROUTE, JSON, ALIBABA_UPLINK),
        (TENCENT_REPLIES, JSON, TENCENT_REPLY),
        (TWILIO_INBOUND_ROUTE, FORM, TWILIO_INBOUND),
    ]
    .into_iter()
    .map(|(endpoint, content_type, body)| keys(&events(&push(endpoint, content_type, body))[0]))
    .collect();
    assert!(uplinks.iter().all(|k| *k == uplinks[0]), "{uplinks:?}");
}

#[test]
fn a_batch_with_one_unreadable_entry_stores_the_rest_and_keeps_that_entry_whole() {
    for (endpoint, body, bad) in [
        (
            ALIBABA_REPORTS,
            format!(
                "[{},{}]",
                &ALIBABA_REPORT[1..ALIBABA_REPORT.len() - 1],
                r#"{"biz_id":"b","success":"perhaps"}"#
            ),
            r#"{"biz_id":"b","success":"perhaps"}"#,
        ),
        (
            TENCENT_REPORTS_ROUTE,
            format!(
                "[{},{}]",
                &TENCENT_REPORTS[1..TENCENT_REPORTS.len() - 1],
                r#"{"errmsg":"DELIVRD"}"#
            ),
            r#"{"errmsg":"DELIVRD"}"#,
        ),
    ] {
        let ingested = push(endpoint, JSON, &body);
        assert_eq!(
            ingested.reply.status, 200,
            "a readable entry is stored and answered"
        );
        let events = events(&ingested);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["type"], "io.github.sms-relay.status_report");
        assert_eq!(events[1]["type"], "io.github.sms-relay.unparsed");
        assert_eq!(events[1]["data"]["body"], bad);
    }
}

#[test]
fn unreadable_bodies_are_kept_and_answered_with_the_error_not_the_vendor_success_body() {
    for (endpoint, content_type, body, status, code) in [
        (ALIBABA_REPORTS, JSON, "{}", 400, "not_a_batch"),
        (
            ALIBABA_UPLINK_ROUTE,
            "text/plain",
            "x",
            415,
            "unsupported_media_type",
        ),
        (TENCENT_REPORTS_ROUTE, JSON, "[", 400, "malformed_json"),
        (TENCENT_REPLIES, JSON, "[]", 400, "not_an_object"),
        (
            TENCENT_REPLIES,
            JSON,
            r#"{"text":"hi"}"#,
            400,
            "missing_field",
        ),
        (
            TWILIO_STATUS_ROUTE,
            FORM,
            "MessageStatus=sent",
            400,
            "missing_field",
        ),
        (
            TWILIO_INBOUND_ROUTE,
            FORM,
            "From=%2B1&MessageSid=SM1&Body=a&Body=b",
            400,
            "duplicate_field",
        ),
    ] {
        let ingested = push(endpoint, content_type, body);
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (status, code),
            "{body}"
        );
        assert!(ingested.reply.body.contains(code));
        let events = events(&ingested);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["type"], "io.github.sms-relay.unparsed");
        assert_eq!(events[0]["data"]["body"], body);
    }
}

#[test]
fn bad_credentials_and_disabled_providers_store_nothing() {
    let config = config();
    let request = |url: &str, headers: &[(String, String)], body: &'static [u8]| {
        let (_, path, query) = sms_relay::http::split_url(url);
        (
            url.to_string(),
            path.to_string(),
            query.to_string(),
            headers.to_vec(),
            body,
        )
    };
    let form = vec![("content-type".to_string(), FORM.to_string())];
    let json = vec![("content-type".to_string(), JSON.to_string())];
    let mut signed = form.clone();
    signed.push((
        "x-twilio-signature".to_string(),
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=".to_string(),
    ));
    let cases = [
        (
            ALIBABA_REPORTS,
            None,
            request("https://r.example/alibaba/reports", &json, b"[]"),
            "missing_token",
        ),
        (
            ALIBABA_REPORTS,
            Some("alibaba-token-0123456788"),
            request("https://r.example/alibaba/reports", &json, b"[]"),
            "invalid_token",
        ),
        (
            TENCENT_REPLIES,
            Some("alibaba-token-0123456789"),
            request("https://r.example/tencent/replies", &json, b"{}"),
            "invalid_token",
        ),
        (
            TWILIO_STATUS_ROUTE,
            None,
            request(
                "https://r.example/twilio/status",
                &form,
                b"MessageSid=SM1&MessageStatus=sent",
            ),
            "missing_signature",
        ),
        (
            TWILIO_STATUS_ROUTE,
            None,
            request(
                "https://r.example/twilio/status",
                &signed,
                b"MessageSid=SM1&MessageStatus=sent",
            ),
            "signature_mismatch",
        ),
    ];
    for (endpoint, token, (url, path, query, headers, body), code) in cases {
        let push = sms_relay::http::PushRequest {
            method: "POST",
            url: &url,
            path: &path,
            query: &query,
            headers: &headers,
            body,
        };
        let callback = sms_relay::providers::Callback {
            token,
            request: &push,
            now: sms_relay::clock::Timestamp::from_unix_seconds(0),
            verification: None,
        };
        let ingested = endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes);
        assert_eq!((ingested.reply.status, ingested.reply.code), (401, code));
        assert!(ingested.events.is_empty());
    }

    let huawei_only = Config::from_vars(&[("ALLOW_UNSIGNED", "true")], Bindings::ALL);
    for endpoint in [ALIBABA_REPORTS, TENCENT_REPLIES, TWILIO_INBOUND_ROUTE] {
        let ingested = ingest(&huawei_only, endpoint, JSON, b"[]").unwrap();
        assert_eq!(
            (ingested.reply.status, ingested.reply.code),
            (404, "not_enabled")
        );
        assert!(ingested.events.is_empty());
    }
}

#[test]
fn ids_are_deterministic_and_never_shared_across_providers() {
    // The same push twice: the same ids.
    for (endpoint, content_type, body) in [
        (ALIBABA_REPORTS, JSON, ALIBABA_REPORT),
        (TENCENT_REPLIES, JSON, TENCENT_REPLY),
        (TWILIO_STATUS_ROUTE, FORM, TWILIO_STATUS),
    ] {
        let ids = |ingested: Ingested| {
            ingested
                .events
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(push(endpoint, content_type, body)),
            ids(push(endpoint, content_type, body))
        );
    }
    // One message id and status from two vendors: two ids, two KV keys.
    let alibaba = push(
        ALIBABA_REPORTS,
        JSON,
        r#"[{"biz_id":"M1","err_code":"DELIVRD","success":true}]"#,
    );
    let tencent = push(
        TENCENT_REPORTS_ROUTE,
        JSON,
        r#"[{"sid":"M1","errmsg":"DELIVRD","report_status":"SUCCESS"}]"#,
    );
    let (a, t) = (&alibaba.events[0], &tencent.events[0]);
    assert_ne!(a.id, t.id);
    assert_ne!(sms_relay::sinks::kv::key(a), sms_relay::sinks::kv::key(t));
    assert_eq!(
        sms_relay::sinks::kv::key(a),
        format!("status/alibaba/M1/{}", a.id)
    );
}

#[test]
fn times_without_a_zone_are_beijing_time_and_tencent_numbers_join() {
    let ingested = push(
        TENCENT_REPORTS_ROUTE,
        JSON,
        r#"[{"sid":"s","errmsg":"UNDELIV","report_status":"FAIL","nationcode":"852","mobile":"91234567","user_receive_time":"2024-01-01 07:59:59"}]"#,
    );
    let event = &events(&ingested)[0];
    assert_eq!(event["data"]["updated_at"], "2023-12-31T23:59:59Z");
    assert_eq!(event["data"]["recipient"], "+85291234567");
    assert_eq!(event["data"]["delivered"], false);
    assert_eq!(event["data"]["extra"]["nationcode"], "852");
}

mod twilio_signature {
    use proptest::prelude::*;
    use sms_relay::config::Secret;
    use sms_relay::providers::twilio::signature::{form_params, sign, verify, SignedBody};

    fn encode(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    fn params() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(("[A-Za-z]{1,12}", "\\PC{0,20}"), 1..8)
    }

    fn form_body(params: &[(String, String)]) -> String {
        params
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn url() -> impl Strategy<Value = String> {
        ("[a-z]{1,10}", "[a-z0-9/]{0,16}", "[a-z0-9=&]{0,12}")
            .prop_map(|(host, path, query)| format!("https://{host}.example/{path}?{query}"))
    }

    fn tokens() -> Vec<Secret> {
        vec![Secret::new("12345".into())]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn what_twilio_signed_verifies(params in params(), url in url()) {
            let body = form_body(&params);
            let signature = sign("12345", &url, &form_params(body.as_bytes()).unwrap());
            prop_assert_eq!(verify(Some(&signature), &url, SignedBody::Form(body.as_bytes()), &tokens()), Ok(1));
        }

        /// Any changed byte of the body fails, unless it decodes to the very same parameters
        /// (`%2b` for `%2B`): those are what Twilio signs.
        #[test]
        fn a_changed_body_byte_fails(params in params(), url in url(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let body = form_body(&params);
            let signature = sign("12345", &url, &form_params(body.as_bytes()).unwrap());
            let mut changed = body.clone().into_bytes();
            let at = at.index(changed.len());
            prop_assume!(changed[at] != byte);
            changed[at] = byte;
            // What is signed is names and values run together: `a=x` and `a&x` sign alike.
            let signed = |body: &[u8]| {
                form_params(body).ok().map(|params| {
                    params.iter().map(|(name, value)| format!("{name}{value}")).collect::<String>()
                })
            };
            let same = signed(&changed) == signed(body.as_bytes());
            let verified = verify(Some(&signature), &url, SignedBody::Form(&changed), &tokens());
            prop_assert_eq!(verified.is_ok(), same);
        }

        #[test]
        fn a_changed_parameter_or_url_fails(
            params in params(),
            url in url(),
            other_value in "\\PC{0,20}",
            at in any::<prop::sample::Index>(),
            url_at in any::<prop::sample::Index>(),
            url_byte in 0x21u8..0x7f,
        ) {
            let body = form_body(&params);
            let signature = sign("12345", &url, &form_params(body.as_bytes()).unwrap());
            let mut changed = params.clone();
            let index = at.index(changed.len());
            prop_assume!(changed[index].1 != other_value);
            changed[index].1 = other_value;
            let changed_body = form_body(&changed);
            prop_assert!(verify(Some(&signature), &url, SignedBody::Form(changed_body.as_bytes()), &tokens()).is_err());

            let mut changed_url = url.clone().into_bytes();
            let at = url_at.index(changed_url.len());
            prop_assume!(changed_url[at] != url_byte);
            changed_url[at] = url_byte;
            let changed_url = String::from_utf8(changed_url).unwrap();
            // A change that Twilio's own re-encoding of the query undoes (`?0=` for `?0&`) is
            // the same URL to Twilio's helper too.
            prop_assume!(!sms_relay::providers::twilio::url::candidates(&changed_url).iter().any(|c| *c == url));
            prop_assert!(verify(Some(&signature), &changed_url, SignedBody::Form(body.as_bytes()), &tokens()).is_err());
            prop_assert!(verify(Some(&signature), &url, SignedBody::Form(body.as_bytes()), &[Secret::new("12346".into())]).is_err());
        }
    }
}
