//! The pushes the benchmarks measure and their hashing floor, shared by the Criterion benches
//! (`hot_path.rs`) and the wasm timing program (`examples/wasm_ratio.rs`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config};
use sms_relay::handler::{ingest, Endpoint, Ingested};
use sms_relay::request::PushRequest;
use sms_relay::signing::{canonical_request, signed_push_headers, string_to_sign};

const AK: &str = "exampleAk";
const SK: &str = "exampleSk*1231d881wd";
const SDK_DATE: &str = "20241212T070653Z";
const SIGNED: &str = "connection;content-length;content-type;host;x-sdk-date";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/JSON;charset=UTF-8";

const STATUS_REPORT: &str = "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6&status=DELIVRD";
const UPLINK: &str = "from=%2B8615500000000&to=201804131431201234&body=%E4%BD%A0%E5%A5%BD+TD&smsMsgId=9692b5be-c427-4525-8e73-cf4a6ac5b3f7";

/// A signed push as Cloudflare delivers it (`Connection: Keep-Alive` where `close` was signed).
pub struct Case {
    pub name: &'static str,
    pub endpoint: Endpoint,
    pub expected_events: usize,
    path: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

pub struct Fixture {
    pub config: Config,
    pub now: Timestamp,
    pub cases: Vec<Case>,
}

/// The three measured pushes: one status report, one uplink, a batch of 50 reports.
pub fn fixture() -> Fixture {
    let config = Config::from_vars(
        &[
            ("HUAWEI_PUSH_KEYS", &format!("{AK}:{SK}")),
            ("FORWARD", "queue,kv"),
        ],
        Bindings::ALL,
    );
    let cases = vec![
        case(
            "status_report",
            Endpoint::Reports,
            "/huawei/reports",
            FORM,
            STATUS_REPORT,
            1,
        ),
        case(
            "uplink",
            Endpoint::Uplink,
            "/huawei/uplink",
            FORM,
            UPLINK,
            1,
        ),
        case(
            "batch_50",
            Endpoint::Reports,
            "/huawei/reports",
            JSON,
            &batch_of_50(),
            50,
        ),
    ];
    Fixture {
        config,
        now: Timestamp::from_unix_seconds(1_733_987_300),
        cases,
    }
}

impl Case {
    pub fn request(&self) -> PushRequest<'_> {
        PushRequest {
            method: "POST",
            path: self.path,
            query: "",
            headers: &self.headers,
            body: &self.body,
        }
    }

    /// Checks the push is accepted whole, so a benchmark never times a rejection.
    pub fn assert_ingests(&self, fixture: &Fixture) {
        let ingested = self.ingest(fixture);
        assert_eq!(
            (ingested.reply.status, ingested.events.len()),
            (200, self.expected_events),
            "{}",
            self.name
        );
    }

    /// What the relay does per push before any I/O.
    pub fn ingest(&self, fixture: &Fixture) -> Ingested {
        ingest(
            self.endpoint,
            None,
            &self.request(),
            &fixture.config,
            fixture.now,
        )
    }

    /// The floor: the three hashes any verifier of this push must compute.
    pub fn floor(&self) -> [u8; 32] {
        let body_hash = sms_relay::hex::encode(Sha256::digest(&self.body));
        let values = self.headers.iter().take(5).map(|(_, v)| v.as_str());
        let canonical = canonical_request("POST", self.path, "", SIGNED, values, &body_hash);
        let to_sign = string_to_sign(SDK_DATE, &canonical);
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(SK.as_bytes()) else {
            return [0; 32];
        };
        mac.update(to_sign.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

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

fn case(
    name: &'static str,
    endpoint: Endpoint,
    path: &'static str,
    content_type: &str,
    body: &str,
    expected_events: usize,
) -> Case {
    let mut headers = signed_push_headers(
        AK,
        SK,
        path,
        content_type,
        "relay.example.com",
        SDK_DATE,
        body.as_bytes(),
    );
    // Received as Cloudflare delivers it: `Connection` rewritten to `Keep-Alive`.
    if let Some(connection) = headers.first_mut() {
        connection.1 = "Keep-Alive".to_string();
    }
    Case {
        name,
        endpoint,
        expected_events,
        path,
        headers,
        body: body.as_bytes().to_vec(),
    }
}
