//! Test-only APIs, compiled for this crate's unit tests and behind the `testing` feature for
//! the integration tests, benches, examples and fuzz targets; never part of the worker.
//!
//! The fixtures are read from `tests/data/`, the one copy every test suite uses.

pub use crate::providers::huawei::signing::signer::{authorization_header, signed_push_headers};

/// `endpoint`'s ingest of `request` under `config`, received at `now` with the path's
/// `token`: what the relay does once the body is read, the edge's Ed25519 step included
/// ([`verify_ed25519`] in its place).
pub fn ingest(
    endpoint: crate::providers::Endpoint,
    token: Option<&str>,
    request: &crate::http::PushRequest<'_>,
    config: &crate::config::Config,
    now: crate::clock::Timestamp,
) -> crate::event::Ingested {
    let mut callback = crate::providers::Callback {
        token,
        request,
        now,
        verification: None,
    };
    let max = config.limits.max_body_bytes;
    callback.verification = endpoint
        .signature_check(&callback, &config.providers, max)
        .map(|check| verify_ed25519(&check));
    endpoint.ingest(&callback, &config.providers, max)
}

pub use crate::providers::telnyx::test_key::{sign_ed25519, verify_ed25519, ED25519_TEST_SEED};

/// Runs the exchange's Ed25519 step natively, when it asks for one, as `worker.js` runs it.
pub fn verify_exchange(exchange: &mut crate::relay::Exchange, config: &crate::config::Config) {
    if let Some(check) = exchange.verification() {
        let verification = verify_ed25519(check);
        exchange.verified(config, verification);
    }
}

/// Huawei's documented bodies (see `tests/data/huawei/README.md`).
pub mod huawei {
    pub const FORM: &str = "application/x-www-form-urlencoded";
    /// The content type Huawei's batch example sends.
    pub const JSON: &str = "application/JSON;charset=UTF-8";
    pub const STATUS_REPORT: &str = include_str!("../tests/data/huawei/status-report.form");
    pub const UPLINK: &str = include_str!("../tests/data/huawei/uplink.form");
    pub const UPLINK_UNMASKED: &str = include_str!("../tests/data/huawei/uplink-unmasked.form");
    pub const BATCH: &str = include_str!("../tests/data/huawei/batch.json");
    /// The event [`STATUS_REPORT`] becomes, signed by [`AK`] and received at [`RECEIVED_AT`].
    pub const STATUS_REPORT_EVENT: &str =
        include_str!("../tests/data/huawei/status-report.event.json");
    /// The signing vectors: Huawei's published example first, then SMS-shaped requests.
    pub const SIGNING_VECTORS: &str = include_str!("../tests/data/huawei-signing.json");

    /// The access key and secret of Huawei's published signing example.
    pub const AK: &str = "exampleAk";
    pub const SK: &str = "exampleSk*1231d881wd";
    /// When the example pushes are signed (`X-Sdk-Date`) and received.
    pub const SDK_DATE: &str = "20241212T070653Z";
    pub const RECEIVED_AT: &str = "2024-12-12T07:10:00Z";
    /// The host the example pushes are sent to.
    pub const HOST: &str = "relay.example.com";

    /// The headers of a push signed with the example key at [`SDK_DATE`] to [`HOST`], exactly
    /// as Huawei sends them (`Connection: close` first).
    pub fn signed_headers(path: &str, content_type: &str, body: &[u8]) -> Vec<(String, String)> {
        super::signed_push_headers(AK, SK, path, content_type, HOST, SDK_DATE, body)
    }
}

/// The other providers' documented bodies (see `tests/data/<provider>/README.md`).
pub mod samples {
    pub const ALIBABA_REPORT: &str = include_str!("../tests/data/alibaba/sms-report.json");
    pub const ALIBABA_REPORT_INTL: &str =
        include_str!("../tests/data/alibaba/sms-report-intl.json");
    pub const ALIBABA_UPLINK: &str = include_str!("../tests/data/alibaba/sms-up.json");
    pub const TENCENT_REPORTS: &str = include_str!("../tests/data/tencent/status-reports.json");
    pub const TENCENT_REPLY: &str = include_str!("../tests/data/tencent/reply.json");
    pub const TWILIO_STATUS: &str = include_str!("../tests/data/twilio/status.form");
    pub const TWILIO_INBOUND: &str = include_str!("../tests/data/twilio/inbound.form");
}

/// The pushes the benchmarks measure, and their hashing floor.
pub mod bench {
    use super::huawei::{
        signed_headers, AK, FORM, JSON, SDK_DATE, SK, STATUS_REPORT, UPLINK_UNMASKED,
    };
    use crate::clock::Timestamp;
    use crate::config::{Bindings, Config};
    use crate::crypto::{hmac_sha256, sha256_hex};
    use crate::event::Ingested;
    use crate::http::PushRequest;
    use crate::providers::huawei::signing::{canonical_request, string_to_sign};
    use crate::providers::{huawei, Callback, Endpoint};
    use hmac::Mac;
    use sha2::Digest;

    const SIGNED: &str = "connection;content-length;content-type;host;x-sdk-date";

    /// A signed push as Cloudflare delivers it (`Connection: Keep-Alive` where `close` was
    /// signed).
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
        let reports = Endpoint::Huawei(huawei::Endpoint::Reports);
        let uplink = Endpoint::Huawei(huawei::Endpoint::Uplink);
        let cases = vec![
            case(
                "status_report",
                reports,
                "/huawei/reports",
                FORM,
                STATUS_REPORT,
                1,
            ),
            case("uplink", uplink, "/huawei/uplink", FORM, UPLINK_UNMASKED, 1),
            case(
                "batch_50",
                reports,
                "/huawei/reports",
                JSON,
                &batch_of(50),
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
                url: self.path,
                path: self.path,
                query: "",
                headers: &self.headers,
                body: &self.body,
            }
        }

        /// Whether the push is accepted whole, so a benchmark never times a rejection.
        pub fn ingests(&self, fixture: &Fixture) -> bool {
            let ingested = self.ingest(fixture);
            (ingested.reply.status, ingested.events.len()) == (200, self.expected_events)
        }

        /// What the relay does per push before any I/O.
        pub fn ingest(&self, fixture: &Fixture) -> Ingested {
            let request = self.request();
            let callback = Callback {
                token: None,
                request: &request,
                now: fixture.now,
                verification: None,
            };
            self.endpoint.ingest(
                &callback,
                &fixture.config.providers,
                fixture.config.limits.max_body_bytes,
            )
        }

        /// The floor: the three hashes any verifier of this push must compute.
        pub fn floor(&self) -> [u8; 32] {
            let body_hash = sha256_hex(&self.body);
            let values = self.headers.iter().take(5).map(|(_, v)| v.as_str());
            let canonical = canonical_request("POST", self.path, "", SIGNED, values, &body_hash);
            let to_sign = string_to_sign(SDK_DATE, &canonical);
            let mut mac = hmac_sha256(SK.as_bytes());
            mac.update(to_sign.as_bytes());
            mac.finalize().into_bytes().into()
        }

        /// The other hashing the path cannot skip: one SHA-256 per event for its id (one
        /// block each here), with the ids' input shape.
        pub fn id_hashes(&self) -> [u8; 32] {
            let mut last = [0u8; 32];
            let mut input = *b"hs\x27b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_0\x011\x07DELIVRD";
            for i in 0..self.expected_events {
                if let Some(byte) = input.get_mut(3) {
                    *byte = i as u8;
                }
                last = sha2::Sha256::digest(input).into();
            }
            last
        }
    }

    /// A batch of `n` reports, every value a JSON string, as Huawei's batch push sends them.
    pub fn batch_of(n: usize) -> String {
        let entries: Vec<String> = (0..n)
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
        let mut headers = signed_headers(path, content_type, body.as_bytes());
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
}

/// The invariants every authenticated push must keep, checked on arbitrary input by the
/// property tests (`tests/ingest_oracle.rs`) and the `oracle` fuzz target.
pub mod oracle {
    use crate::clock::Timestamp;
    use crate::config::Config;
    use crate::http::PushRequest;
    use crate::providers::{Callback, Endpoint};
    use crate::sinks::kv::{
        metadata_len, KV_KEY_MAX_BYTES, KV_METADATA_MAX_BYTES, KV_VALUE_MAX_BYTES,
    };
    use crate::sinks::queue::QUEUE_MESSAGE_MAX_BYTES;
    use crate::sinks::{Step, Store};
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// What an event stands for: two events with the same identity are the same report (or
    /// the same unreadable input) and must share an id; different identities must not.
    pub type Identity = String;

    /// When [`ingest`] receives a push, unless told otherwise.
    pub const RECEIVED: i64 = crate::providers::registry::TEST_RECEIVED;

    /// One push of `body` as `content_type` to `endpoint`, ingested under `config`, carrying
    /// the credentials `config` names: the provider's URL token, or a Twilio signature (over
    /// the form, or over the URL with `bodySHA256` for any other body). Huawei's routes need a
    /// `config` that authenticates everything (`ALLOW_UNSIGNED=true`). `None` for a Twilio
    /// form that is not UTF-8 once decoded: nothing Twilio could have signed.
    pub fn ingest(
        config: &Config,
        endpoint: Endpoint,
        content_type: &str,
        body: &[u8],
    ) -> Option<crate::event::Ingested> {
        ingest_at(
            config,
            endpoint,
            content_type,
            body,
            Timestamp::from_unix_seconds(RECEIVED),
        )
    }

    /// [`ingest`], received at `now`.
    pub fn ingest_at(
        config: &Config,
        endpoint: Endpoint,
        content_type: &str,
        body: &[u8],
        now: Timestamp,
    ) -> Option<crate::event::Ingested> {
        let mut headers = vec![("content-type".to_string(), content_type.to_string())];
        let mut url = format!("https://relay.example/{endpoint}");
        let token = endpoint.authenticate_for_tests(
            &config.providers,
            &mut url,
            &mut headers,
            body,
            now,
        )?;
        let (_, path, query) = crate::http::split_url(&url);
        let request = PushRequest {
            method: "POST",
            url: &url,
            path,
            query,
            headers: &headers,
            body,
        };
        let mut callback = Callback {
            token: token.as_deref(),
            request: &request,
            now,
            verification: None,
        };
        let max = config.limits.max_body_bytes;
        callback.verification = endpoint
            .signature_check(&callback, &config.providers, max)
            .map(|check| super::verify_ed25519(&check));
        Some(endpoint.ingest(&callback, &config.providers, max))
    }

    /// Ingests one push under `config` (which must authenticate everything, e.g.
    /// `ALLOW_UNSIGNED=true`) and checks, for a body within `MAX_BODY_BYTES`:
    ///
    /// - at least one event comes out, and the answer is `200`, `400` or `415`;
    /// - every event, as the sinks receive it, satisfies `schema` (the published JSON Schema);
    /// - every event fits every sink: a queue message, a KV value, key and metadata;
    /// - the same push received again, later, gets the same events with the same ids;
    ///
    /// and returns each event's id with its identity, for the caller's distinct-id check.
    pub fn check(
        config: &Config,
        endpoint: Endpoint,
        content_type: &str,
        body: &[u8],
        schema: &dyn Fn(&Value) -> Result<(), String>,
    ) -> Result<Vec<(String, Identity)>, String> {
        if body.len() > config.limits.max_body_bytes {
            return Ok(Vec::new());
        }
        let Some(ingested) = ingest(config, endpoint, content_type, body) else {
            return Ok(Vec::new());
        };
        let later = Timestamp::from_unix_seconds(RECEIVED + 3_601);
        let again = ingest_at(config, endpoint, content_type, body, later);
        let ids = |events: &[crate::event::CloudEvent]| -> Vec<String> {
            events.iter().map(|event| event.id.clone()).collect()
        };
        if again.as_ref().map(|again| ids(&again.events)) != Some(ids(&ingested.events)) {
            return Err("received again, the same push got other ids".into());
        }
        let status = ingested.reply.status;
        if !matches!(status, 200 | 400 | 415) {
            return Err(format!("answered {status} {}", ingested.reply.code));
        }
        if ingested.events.is_empty() {
            return Err("no event: the input would be lost".into());
        }
        let mut store = Store::new(ingested, body, &config.sinks);
        let mut out = Vec::new();
        for event in store.events() {
            if event.json.len() > QUEUE_MESSAGE_MAX_BYTES.min(KV_VALUE_MAX_BYTES) {
                return Err(format!("event of {} bytes", event.json.len()));
            }
            if event.kv_key.len() > KV_KEY_MAX_BYTES {
                return Err(format!("KV key of {} bytes", event.kv_key.len()));
            }
            if metadata_len(&event.kv_metadata) > KV_METADATA_MAX_BYTES {
                return Err("KV metadata over 1,024 bytes".into());
            }
            let value: Value = serde_json::from_str(&event.json).map_err(|e| e.to_string())?;
            schema(&value).map_err(|error| format!("{error}: {value}"))?;
            out.push((event.id.clone(), identity(&value)));
        }
        if let Step::Finish(finished) = store.step() {
            return Err(format!(
                "nothing written, answered {}",
                finished.reply.status
            ));
        }
        Ok(out)
    }

    /// What the event says, read back from it: its type, provider and `data`, less how and
    /// when the push was received (`received_at`, `auth`). Ids hash exactly this
    /// (`docs/delivery-states.md`, "Ids and repeats"): two events that say anything different
    /// are two reports.
    fn identity(event: &Value) -> Identity {
        let mut data = event["data"].clone();
        if let Some(data) = data.as_object_mut() {
            data.remove("received_at");
            data.remove("auth");
        }
        serde_json::to_string(&[&event["type"], &event["provider"], &data]).unwrap_or_default()
    }

    /// The settings every provider's check ingests under: every provider's test settings
    /// (everything authenticates), both sinks, the largest body the queue holds.
    pub fn oracle_vars() -> Vec<(&'static str, &'static str)> {
        let mut vars = crate::providers::test_settings();
        vars.extend([("FORWARD", "queue,kv"), ("MAX_BODY_BYTES", "92928")]);
        vars
    }

    /// The configuration the property tests and fuzz targets ingest under ([`oracle_vars`]).
    pub fn fuzz_config() -> Config {
        Config::from_vars(&oracle_vars(), crate::config::Bindings::ALL)
    }

    /// Every provider's every endpoint, from the registry.
    pub fn endpoints() -> Vec<Endpoint> {
        Endpoint::all()
    }

    /// The endpoint and content type the fuzz targets derive from an input's first byte: the
    /// low bits pick any endpoint of the registry, the two above them the content type.
    pub fn fuzz_selector(selector: u8) -> (Endpoint, &'static str) {
        let endpoints = endpoints();
        let count = endpoints.len().max(1);
        let endpoint = endpoints
            .get(usize::from(selector) % count)
            .copied()
            .unwrap_or(Endpoint::Huawei(
                crate::providers::huawei::Endpoint::Reports,
            ));
        let content_type = match usize::from(selector) / count % 4 {
            0 => "application/x-www-form-urlencoded",
            1 => "application/JSON;charset=UTF-8",
            2 => "text/plain",
            _ => "application/json",
        };
        (endpoint, content_type)
    }

    /// Records ids and identities across pushes; `Err` when two identities share an id or one
    /// identity got two ids.
    #[derive(Default)]
    pub struct Ids {
        by_id: BTreeMap<String, Identity>,
        by_identity: BTreeMap<Identity, String>,
    }

    impl Ids {
        pub fn add(&mut self, events: Vec<(String, Identity)>) -> Result<(), String> {
            for (id, identity) in events {
                if let Some(seen) = self.by_id.insert(id.clone(), identity.clone()) {
                    if seen != identity {
                        return Err(format!("id {id} for {seen} and {identity}"));
                    }
                }
                if let Some(seen) = self.by_identity.insert(identity.clone(), id.clone()) {
                    if seen != id {
                        return Err(format!("{identity} got ids {seen} and {id}"));
                    }
                }
            }
            Ok(())
        }
    }
}
