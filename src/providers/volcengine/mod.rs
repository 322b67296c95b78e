//! Volcengine (火山引擎) SMS callbacks: status reports (短信状态报告) and uplinks (短信上行),
//! each a JSON array, authenticated by the `VOLCENGINE_TOKEN` path segment (Volcengine
//! documents no signature and publishes no source addresses). The protocol facts are in
//! `docs/providers.md`, "Volcengine".
//!
//! - [`normalize`]: Volcengine's fields onto the shared event model, as tables for

pub mod normalize;

use super::common::{token_push, Callback};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{Ingested, Provider};

use crate::payload::{json_array_of, MediaType};
use crate::settings::{parse_token_list, Reader, Secret};

/// Most reports (or uplinks) one push may carry. Volcengine documents no maximum, so the relay
/// takes as many as a Worker can store in one request
/// ([`crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION`], as Alibaba does); a longer array is kept
/// whole as `unparsed` (`batch_too_large`).
pub const MAX_VOLCENGINE_ENTRIES: usize = crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION;

/// Volcengine SMS in the provider registry.
pub struct Volcengine;

/// The two callback URLs Volcengine posts to (console: 通用管理 → 回执配置).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/volcengine/reports/<token>`: the 默认状态报告地址, delivery status reports.
    Reports,
    /// `/volcengine/uplink/<token>`: the 默认上行地址, subscribers' messages.
    Uplink,
}

/// `VOLCENGINE_TOKEN`: the secret last path segment of Volcengine's callback URLs, or `OLD,NEW`
/// while the console's URLs change. Empty when unset.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub tokens: Vec<Secret>,
}

impl Descriptor for Volcengine {
    const PROVIDER: Provider = Provider {
        name: "volcengine",
        source: "urn:volcengine:sms",
        id_letter: b'e',
    };
    type Endpoint = Endpoint;
    const ENDPOINTS: &'static [EndpointSpec<Endpoint>] = &[
        EndpointSpec {
            endpoint: Endpoint::Reports,
            name: "reports",
            media_types: &[MediaType::Json],
            answer: Answer::EMPTY,
        },
        EndpointSpec {
            endpoint: Endpoint::Uplink,
            name: "uplink",
            media_types: &[MediaType::Json],
            answer: Answer::EMPTY,
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["VOLCENGINE_TOKEN"];
    const ENABLING: &'static [&'static str] = &["VOLCENGINE_TOKEN"];
    const ENABLED_BY: &'static str = "VOLCENGINE_TOKEN";
    const PATH_TOKEN: PathToken = PathToken::Required;
    /// Volcengine asks receivers to let its requests through a firewall but names no
    /// addresses: `ALLOWED_IPS` applies for those who learn them.
    const IP_ALLOW_LIST: bool = true;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            tokens: reader
                .parse("VOLCENGINE_TOKEN", parse_token_list)
                .unwrap_or_default(),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        !settings.tokens.is_empty()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("VOLCENGINE_TOKEN", settings.tokens.len())]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] = &[(
        "VOLCENGINE_TOKEN",
        "volcengine-old-token-0123,volcengine-token-0123456789",
    )];

    /// The new token of the two, as the console would use once changed.
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Settings,
        _: &mut String,
        _: &mut Vec<(String, String)>,
        _: &[u8],
    ) -> Option<Option<String>> {
        super::common::test_token(settings.tokens.last())
    }
}

/// Volcengine, as its events name it.
pub const PROVIDER: Provider = Volcengine::PROVIDER;

/// Authenticates a Volcengine push by its path token and turns its array into one event per
/// entry, answered `200` with an empty body once stored (Volcengine reads only the status).
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let push = match token_push::<Volcengine>(endpoint, callback, &settings.tokens) {
        Ok(push) => push,
        Err(refusal) => return Ingested::refused(refusal),
    };
    if push.media_type() != Some(MediaType::Json) {
        return push.unsupported_media_type();
    }
    let normalize = match endpoint {
        Endpoint::Reports => normalize::report,
        Endpoint::Uplink => normalize::uplink,
    };
    push.batch(
        json_array_of(callback.request.body, MAX_VOLCENGINE_ENTRIES),
        normalize,
    )
}
