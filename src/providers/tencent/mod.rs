//! Tencent Cloud SMS callbacks: status reports (a JSON array of at most 100) and replies (one
//! JSON object), authenticated by the `TENCENT_TOKEN` path segment (Tencent documents no
//! signature). The protocol facts are in `docs/providers.md` §2.
//!
//! - [`normalize`]: Tencent's fields onto the shared event model.

pub mod normalize;

use super::common::{token_push, Callback};
use super::registry::{Answer, Descriptor, EndpointSpec, PathToken};
use crate::event::{Ingested, Provider};
use crate::http::Refusal;
use crate::payload::{json_array, json_object, MediaType};
use crate::settings::{parse_token, Reader, Secret};

/// The answer Tencent needs to count a push delivered (`docs/providers.md` §2).
pub const STORED_BODY: &str = r#"{"result":0,"errmsg":"OK"}"#;

/// Tencent Cloud SMS in the provider registry.
pub struct Tencent;

/// The two callback URLs Tencent posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/tencent/reports/<token>`: delivery status reports, an array.
    Reports,
    /// `/tencent/replies/<token>`: one subscriber's reply.
    Replies,
}

/// `TENCENT_TOKEN`: the secret last path segment of Tencent's callback URLs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub token: Option<Secret>,
}

impl Descriptor for Tencent {
    const PROVIDER: Provider = Provider {
        name: "tencent",
        source: "urn:tencentcloud:sms",
        id_letter: b't',
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
            endpoint: Endpoint::Replies,
            name: "replies",
            media_types: &[MediaType::Json],
            answer: Answer::json(STORED_BODY),
        },
    ];
    type Settings = Settings;
    const SETTINGS: &'static [&'static str] = &["TENCENT_TOKEN"];
    const ENABLING: &'static [&'static str] = &["TENCENT_TOKEN"];
    const ENABLED_BY: &'static str = "TENCENT_TOKEN";
    const PATH_TOKEN: PathToken = PathToken::Required;
    const IP_ALLOW_LIST: bool = true;
    const PROBE: bool = false;

    fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            token: reader.parse("TENCENT_TOKEN", parse_token),
        }
    }

    fn enabled(settings: &Settings) -> bool {
        settings.token.is_some()
    }

    fn credentials(settings: &Settings) -> Vec<(&'static str, usize)> {
        vec![("TENCENT_TOKEN", usize::from(settings.token.is_some()))]
    }

    fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
        ingest(endpoint, callback, settings)
    }

    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)] =
        &[("TENCENT_TOKEN", "tencent-token-0123456789")];

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

/// Tencent Cloud, as its events name it.
pub const PROVIDER: Provider = Tencent::PROVIDER;

/// Authenticates a Tencent push and turns it into events.
pub fn ingest(endpoint: Endpoint, callback: &Callback<'_>, settings: &Settings) -> Ingested {
    let Some(expected) = &settings.token else {
        return Ingested::refused(Refusal::NotEnabled);
    };
    let push = match token_push::<Tencent>(endpoint, callback, std::slice::from_ref(expected)) {
        Ok(push) => push,
        Err(refusal) => return Ingested::refused(refusal),
    };
    if push.media_type() != Some(MediaType::Json) {
        return push.unsupported_media_type();
    }
    let body = callback.request.body;
    match endpoint {
        Endpoint::Reports => push.batch(json_array(body), normalize::report),
        Endpoint::Replies => push.single(json_object(body), normalize::reply),
    }
}
