//! Alibaba Cloud SMS (Dysmsapi) HTTP push: delivery receipts (`SmsReport`) and uplinks
//! (`SmsUp`), each a JSON array, authenticated by the `ALIBABA_TOKEN` path segment (Alibaba
//! documents no signature). Before accepting a URL, Alibaba's console probes it with a `GET`.
//! The protocol facts are in `docs/providers.md` §1.
//!
//! - [`normalize`]: Alibaba's fields onto the shared event model.

pub mod normalize;

use super::common::{check_token, token_push, Callback};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{Ingested, Provider};
use crate::http::{Refusal, Reply};
use crate::payload::{json_array_of, MediaType};
use crate::settings::{parse_token, Reader, Secret};

/// Most receipts (or uplinks) one push may carry. Alibaba documents no maximum ("a request may
/// hold several status reports"), and retries a refused push three times before dropping it,
/// so the relay takes as many as a Worker can store in one request: each becomes a queue
/// message (100 a `sendBatch`) and a KV write, and a Worker makes at most
/// [`crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION`] KV operations per invocation. A longer
/// array is kept whole as `unparsed` (`batch_too_large`).
pub const MAX_ALIBABA_ENTRIES: usize = crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION;

/// The answer Alibaba needs to count a push delivered: `code` 0 (`docs/providers.md` §1).
pub const STORED_BODY: &str = r#"{"code":0,"msg":"接收成功"}"#;
/// The answer to the console's `GET` probe, which must come within 700 ms.
pub const PROBE_BODY: &str = r#"{"code":0,"msg":"成功"}"#;

/// Alibaba Cloud SMS in the provider registry.
pub struct Alibaba;

/// The two callback URLs Alibaba posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/alibaba/reports/<token>`: `SmsReport`, delivery receipts.
    Reports,
    /// `/alibaba/uplink/<token>`: `SmsUp`, subscribers' messages.
    Uplink,
}

/// `ALIBABA_TOKEN`: the secret last path segment of Alibaba's callback URLs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub token: Option<Secret>,
}

impl Descriptor for Alibaba {
    const PROVIDER: Provider = Provider {
        name: "alibaba",
        source: "urn:alibabacloud:dysms",
        id_letter: b'a',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[
        EndpointSpec {
            endpoint: Endpoint::Reports,
            name: "reports",
            media_types: &[MediaType::Json],
            answer: Answer::json(STORED_BODY),
        },
        EndpointSpec {
            endpoint: Endpoint::Uplink,
            name: "uplink",
            media_types: &[MediaType::Json],
            answer: Answer::json(STORED_BODY),
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["ALIBABA_TOKEN"];
    const ENABLING: &'static [&'static str] = &["ALIBABA_TOKEN"];
    const ENABLED_BY: &'static str = "ALIBABA_TOKEN";
    const PATH_TOKEN: PathToken = PathToken::Required;
    const IP_ALLOW_LIST: bool = true;
    const PROBE: bool = true;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            token: reader.parse("ALIBABA_TOKEN", parse_token),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        settings.token.is_some()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("ALIBABA_TOKEN", usize::from(settings.token.is_some()))]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    /// The answer to the console's `GET`: the probe body once the token is right, with no
    /// storage work.
    fn probe(_: Endpoint, token: Option<&str>, settings: &Settings) -> Reply {
        let Some(expected) = &settings.token else {
            return Refusal::NotEnabled.reply();
        };
        match check_token(token, expected) {
            Ok(_) => Reply::json(200, "ok", PROBE_BODY.to_string()),
            Err(error) => Refusal::Unauthenticated(error.into()).reply(),
        }
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] =
        &[("ALIBABA_TOKEN", "alibaba-token-0123456789")];

    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        _: &mut String,
        _: &mut Vec<(String, String)>,
        _: &[u8],
    ) -> Option<Option<String>> {
        super::common::test_token(settings.token.as_ref())
    }
}

/// Alibaba Cloud, as its events name it.
pub const PROVIDER: Provider = Alibaba::PROVIDER;

/// Authenticates an Alibaba push and turns its array into one event per entry.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let Some(expected) = &settings.token else {
        return Ingested::refused(Refusal::NotEnabled);
    };
    let push = match token_push::<Alibaba>(endpoint, callback, std::slice::from_ref(expected)) {
        Ok(push) => push,
        Err(refusal) => return Ingested::refused(refusal),
    };
    let normalize = match endpoint {
        Endpoint::Reports => normalize::report,
        Endpoint::Uplink => normalize::uplink,
    };
    if push.media_type() != Some(MediaType::Json) {
        return push.unsupported_media_type();
    }
    push.batch(
        json_array_of(callback.request.body, MAX_ALIBABA_ENTRIES),
        normalize,
    )
}
