//! What a provider folder declares, and the macro that turns the one list of providers in
//! [`super`] into everything else: the [`super::Endpoint`] enum the routes map to, every
//! provider's settings in [`super::Settings`], the names `/healthz` lists, and static dispatch
//! of `ingest` and `probe` (a `match`, no trait objects).
//!
//! A provider is a type implementing [`Descriptor`]; leaving out any part of it is a compile
//! error, and `tests/registry.rs` fails, naming the provider, where a part outside the code
//! (its fixtures, samples, README section, docs) is missing.

use crate::clock::Timestamp;
use crate::event::{Ingested, Provider};
use crate::http::{PushRequest, Refusal, Reply};
use crate::payload::MediaType;
use crate::settings::Reader;
use std::fmt::Debug;

/// One callback as the relay hands it to a provider's `ingest`.
#[derive(Debug, Clone, Copy)]
pub struct Callback<'r> {
    /// The optional last path segment (`/alibaba/reports/<token>`).
    pub token: Option<&'r str>,
    pub request: &'r PushRequest<'r>,
    /// When it was received.
    pub now: Timestamp,
    /// What the edge found verifying the provider's [`SignatureCheck`], when the provider asked
    /// for one ([`Descriptor::signature_check`]); `None` otherwise.
    pub verification: Option<Verification>,
}

/// A signature the provider asks the edge to verify before its `ingest` (Telnyx's Ed25519,
/// which WebCrypto checks: `docs/architecture.md`, "Choices"). The core decides everything
/// else; the edge only runs the check and reports [`Verification`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The raw 32-byte Ed25519 public keys, in the configured order; the first that verifies
    /// wins.
    pub keys: Vec<[u8; 32]>,
    /// The 64-byte signature.
    pub signature: [u8; 64],
    /// The signed bytes.
    pub message: Vec<u8>,
}

/// What the edge found when it ran a [`SignatureCheck`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The signature verifies under the key at this 0-based position of the check's keys.
    Verified(usize),
    /// It verifies under none of them.
    NotVerified,
    /// The runtime could not run the check (WebCrypto threw): taken as not verified.
    Failed,
}

/// Whether a provider's callback URLs end in a secret token (`/<provider>/<endpoint>/<token>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathToken {
    /// The provider signs its callbacks; a longer path is not one of its routes (`404`).
    Never,
    /// A token may be configured besides a signature (Huawei's `INGEST_TOKEN`).
    Optional,
    /// The provider cannot sign: the token authenticates.
    Required,
}

/// The `200` a provider needs to count a callback delivered, once everything is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// `None` with an empty body.
    pub content_type: Option<&'static str>,
    pub body: &'static str,
}

impl Answer {
    /// `200` with an empty body.
    pub const EMPTY: Answer = Answer {
        content_type: None,
        body: "",
    };

    /// `200` with this JSON body.
    pub const fn json(body: &'static str) -> Answer {
        Answer {
            content_type: Some("application/json"),
            body,
        }
    }

    pub fn reply(&self) -> Reply {
        Reply {
            status: 200,
            code: "ok",
            headers: self
                .content_type
                .map(|value| ("content-type", value.to_string()))
                .into_iter()
                .collect(),
            body: self.body.to_string(),
        }
    }
}

/// One callback URL of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointSpec<E: 'static> {
    pub endpoint: E,
    /// The path segment after the provider's (`reports`), also the `endpoint` of its
    /// unparsed events.
    pub name: &'static str,
    /// The media types it reads; any other is kept as `unparsed` and answered `415`.
    pub media_types: &'static [MediaType],
    /// The answer once stored.
    pub answer: Answer,
}

/// Everything the relay knows of one provider. Implemented by a unit type in the provider's
/// folder and named once in the list in [`super`].
pub trait Descriptor {
    /// Its name (routes, events, `/healthz`), `source` URN and id letter.
    const PROVIDER: Provider;
    /// Its callback URLs.
    type Endpoint: Copy + PartialEq + Debug + 'static;
    const ENDPOINTS: &'static [EndpointSpec<Self::Endpoint>];
    /// Its settings, as [`Descriptor::read`] reads them.
    type Settings: Debug + Clone;
    /// The names of every setting it reads.
    const SETTINGS: &'static [&'static str];
    /// Those of [`Descriptor::SETTINGS`] whose presence enables it.
    const ENABLING: &'static [&'static str];
    /// How the "no provider configured" problem names the setting that enables it.
    const ENABLED_BY: &'static str;
    const PATH_TOKEN: PathToken;
    /// Whether `ALLOWED_IPS` applies to its routes: it does to providers that publish the
    /// addresses they call from or cannot sign, not to those that sign every callback and
    /// publish no ranges.
    const IP_ALLOW_LIST: bool;
    /// Whether its console probes a URL with a `GET` (answered by [`Descriptor::probe`],
    /// without reading a body or storing anything).
    const PROBE: bool;
    /// Whether its callbacks may also come as a `GET` with the data in the query (a webhook
    /// format some vendors offer besides a `POST` body); `ingest` then reads
    /// [`PushRequest::query`]. Never together with [`Descriptor::PROBE`].
    const QUERY_CALLBACKS: bool = false;

    fn read(reader: &mut Reader<'_>) -> Self::Settings;
    /// Whether its settings enable its routes (else `404 not_enabled`).
    fn enabled(settings: &Self::Settings) -> bool;
    /// How many entries each of its credential settings holds (secrets, tokens, keys: two
    /// during a rotation; `0` when unset), by setting name, for the detailed `/healthz`:
    /// never a value.
    fn credentials(settings: &Self::Settings) -> Vec<(&'static str, usize)>;
    /// Authenticates one callback to an enabled provider, with a body within the limit, and
    /// turns it into events and the answer once they are stored.
    fn ingest(
        endpoint: Self::Endpoint,
        callback: &Callback<'_>,
        settings: &Self::Settings,
    ) -> Ingested;
    /// The signature the edge must verify before [`Descriptor::ingest`] is called, which then
    /// finds the result in [`Callback::verification`]: `None` (the default) when there is none
    /// to verify, or when the callback is refused without one (`ingest` then says why).
    fn signature_check(
        endpoint: Self::Endpoint,
        callback: &Callback<'_>,
        settings: &Self::Settings,
    ) -> Option<SignatureCheck> {
        let _ = (endpoint, callback, settings);
        None
    }

    /// The answer to the console's `GET` probe, when [`Descriptor::PROBE`].
    fn probe(endpoint: Self::Endpoint, token: Option<&str>, settings: &Self::Settings) -> Reply {
        let _ = (endpoint, token, settings);
        Refusal::MethodNotAllowed { allow: "POST" }.reply()
    }

    /// Settings that enable the provider for the property tests and fuzz oracles, under which
    /// [`Descriptor::authenticate_for_tests`] makes any body authentic.
    #[cfg(any(test, feature = "testing"))]
    const TEST_SETTINGS: &'static [(&'static str, &'static str)];
    /// Makes a push of `body` to `url` authentic under [`Descriptor::TEST_SETTINGS`], as the
    /// provider would: the URL token it returns, a signature header added, the URL changed.
    /// `None` where the provider could not have sent this body.
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests(
        settings: &Self::Settings,
        url: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
    ) -> Option<Option<String>>;

    /// [`Descriptor::authenticate_for_tests`] for a push received at `now`, for a provider
    /// whose signature covers a time (the default ignores it).
    #[cfg(any(test, feature = "testing"))]
    fn authenticate_for_tests_at(
        settings: &Self::Settings,
        url: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
        now: Timestamp,
    ) -> Option<Option<String>> {
        let _ = now;
        Self::authenticate_for_tests(settings, url, headers, body)
    }
}

/// When the property tests and fuzz oracles receive a push, unless told otherwise: the time a
/// provider whose signature covers a time signs its test pushes at.
#[cfg(any(test, feature = "testing"))]
pub const TEST_RECEIVED: i64 = 1_733_987_300;

/// The spec of `endpoint`.
pub fn spec<D: Descriptor>(endpoint: D::Endpoint) -> Option<&'static EndpointSpec<D::Endpoint>> {
    D::ENDPOINTS.iter().find(|spec| spec.endpoint == endpoint)
}

/// The endpoint whose path segment is `name`.
pub fn named<D: Descriptor>(name: &str) -> Option<D::Endpoint> {
    D::ENDPOINTS
        .iter()
        .find(|spec| spec.name == name)
        .map(|spec| spec.endpoint)
}

/// `endpoint`'s name (`reports`).
pub fn name_of<D: Descriptor>(endpoint: D::Endpoint) -> &'static str {
    spec::<D>(endpoint).map_or("", |spec| spec.name)
}

/// `endpoint`'s answer once stored.
pub fn stored<D: Descriptor>(endpoint: D::Endpoint) -> Reply {
    spec::<D>(endpoint)
        .map_or(Answer::EMPTY, |spec| spec.answer)
        .reply()
}

/// A provider's declarations without its types: what `/healthz`, the admission, the docs
/// check and the tests read.
#[derive(Debug, Clone, Copy)]
pub struct Info {
    pub provider: Provider,
    pub settings: &'static [&'static str],
    pub enabling: &'static [&'static str],
    pub enabled_by: &'static str,
    pub path_token: PathToken,
    pub ip_allow_list: bool,
    pub probe: bool,
    pub query_callbacks: bool,
}

impl Info {
    pub const fn of<D: Descriptor>() -> Info {
        Info {
            provider: D::PROVIDER,
            settings: D::SETTINGS,
            enabling: D::ENABLING,
            enabled_by: D::ENABLED_BY,
            path_token: D::PATH_TOKEN,
            ip_allow_list: D::IP_ALLOW_LIST,
            probe: D::PROBE,
            query_callbacks: D::QUERY_CALLBACKS,
        }
    }

    /// Whether its callback routes take `method`: `POST`, and `GET` for a probe or a callback
    /// in the query.
    pub fn takes(&self, method: &str) -> bool {
        method == "POST" || (method == "GET" && (self.probe || self.query_callbacks))
    }

    /// The `Allow` of its callback routes.
    pub fn allow(&self) -> &'static str {
        if self.probe || self.query_callbacks {
            "GET, POST"
        } else {
            "POST"
        }
    }
}

/// Turns the list of providers (`module::Type`, one a line) into [`super::Endpoint`],
/// [`super::Settings`], [`super::INFOS`] and [`super::NAMES`], with static dispatch.
macro_rules! registry {
    ($($module:ident :: $name:ident),+ $(,)?) => {
        /// A callback URL of one provider.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Endpoint {
            $($name(<$module::$name as Descriptor>::Endpoint),)+
        }

        /// Every provider's settings.
        #[derive(Debug, Clone)]
        pub struct Settings {
            $(pub $module: <$module::$name as Descriptor>::Settings,)+
        }

        /// Every provider's declarations, in the list's order.
        pub const INFOS: &[Info] = &[$(Info::of::<$module::$name>(),)+];

        /// Every provider, by the name its routes and events use, in the list's order.
        pub const NAMES: &[&str] = &[$(<$module::$name as Descriptor>::PROVIDER.name,)+];

        impl Settings {
            /// Every provider's settings, in the list's order.
            pub fn read(reader: &mut Reader<'_>) -> Settings {
                Settings {
                    $($module: <$module::$name as Descriptor>::read(reader),)+
                }
            }

            /// The credential entries of every enabled provider, by setting name, in the list's
            /// order ([`Descriptor::credentials`]).
            pub fn credentials(&self) -> Vec<(&'static str, usize)> {
                let mut all = Vec::new();
                $(if <$module::$name as Descriptor>::enabled(&self.$module) {
                    all.extend(<$module::$name as Descriptor>::credentials(&self.$module));
                })+
                all
            }

            /// Whether the provider named `name` has its setting.
            pub fn enabled(&self, name: &str) -> bool {
                $(if name == <$module::$name as Descriptor>::PROVIDER.name {
                    return <$module::$name as Descriptor>::enabled(&self.$module);
                })+
                false
            }
        }

        impl Endpoint {
            /// Every provider's every endpoint, in the list's order.
            pub fn all() -> Vec<Endpoint> {
                let mut all = Vec::new();
                $(all.extend(
                    <$module::$name as Descriptor>::ENDPOINTS
                        .iter()
                        .map(|spec| Endpoint::$name(spec.endpoint)),
                );)+
                all
            }

            /// The endpoint of route `/<provider>/<name>`.
            pub fn named(provider: &str, name: &str) -> Option<Endpoint> {
                $(if provider == <$module::$name as Descriptor>::PROVIDER.name {
                    return registry::named::<$module::$name>(name).map(Endpoint::$name);
                })+
                None
            }

            /// The declarations of the endpoint's provider.
            pub fn info(self) -> Info {
                match self {
                    $(Endpoint::$name(_) => Info::of::<$module::$name>(),)+
                }
            }

            pub fn provider(self) -> Provider {
                match self {
                    $(Endpoint::$name(_) => <$module::$name as Descriptor>::PROVIDER,)+
                }
            }

            /// The endpoint's name in unparsed events (`reports`, `uplink`, …).
            pub fn name(self) -> &'static str {
                match self {
                    $(Endpoint::$name(endpoint) => registry::name_of::<$module::$name>(endpoint),)+
                }
            }

            /// The media types the endpoint reads.
            pub fn media_types(self) -> &'static [MediaType] {
                match self {
                    $(Endpoint::$name(endpoint) => registry::spec::<$module::$name>(endpoint)
                        .map_or(&[], |spec| spec.media_types),)+
                }
            }

            /// The answer once a callback's events are stored.
            pub fn stored(self) -> Reply {
                match self {
                    $(Endpoint::$name(endpoint) => registry::stored::<$module::$name>(endpoint),)+
                }
            }

            /// The answer to the provider's `GET` probe: no body is read and nothing is stored.
            pub fn probe(self, token: Option<&str>, settings: &Settings) -> Reply {
                match self {
                    $(Endpoint::$name(endpoint) if <$module::$name as Descriptor>::PROBE => {
                        <$module::$name as Descriptor>::probe(endpoint, token, &settings.$module)
                    })+
                    _ => crate::http::Refusal::MethodNotAllowed { allow: "POST" }.reply(),
                }
            }

            /// Authenticates the callback and turns its body into events: `404 not_enabled`
            /// without the provider's setting and `413` over `max_body_bytes`, nothing read.
            pub fn ingest(
                self,
                callback: &Callback<'_>,
                settings: &Settings,
                max_body_bytes: usize,
            ) -> Ingested {
                if callback.request.body.len() > max_body_bytes {
                    return Ingested::refused(crate::http::Refusal::BodyTooLarge);
                }
                match self {
                    $(Endpoint::$name(endpoint) => {
                        let settings = &settings.$module;
                        if !<$module::$name as Descriptor>::enabled(settings) {
                            return Ingested::refused(crate::http::Refusal::NotEnabled);
                        }
                        <$module::$name as Descriptor>::ingest(endpoint, callback, settings)
                    })+
                }
            }

            /// The signature the edge must verify before [`Endpoint::ingest`]
            /// ([`Descriptor::signature_check`]); `None` where `ingest` refuses the callback
            /// anyway (over `max_body_bytes`, not enabled) or there is nothing to verify.
            pub fn signature_check(
                self,
                callback: &Callback<'_>,
                settings: &Settings,
                max_body_bytes: usize,
            ) -> Option<SignatureCheck> {
                if callback.request.body.len() > max_body_bytes {
                    return None;
                }
                match self {
                    $(Endpoint::$name(endpoint) => {
                        let settings = &settings.$module;
                        if !<$module::$name as Descriptor>::enabled(settings) {
                            return None;
                        }
                        <$module::$name as Descriptor>::signature_check(endpoint, callback, settings)
                    })+
                }
            }

            /// Authenticates a test push to this endpoint, received at `now`, as its provider
            /// would ([`Descriptor::authenticate_for_tests_at`]).
            #[cfg(any(test, feature = "testing"))]
            pub fn authenticate_for_tests(
                self,
                settings: &Settings,
                url: &mut String,
                headers: &mut Vec<(String, String)>,
                body: &[u8],
                now: Timestamp,
            ) -> Option<Option<String>> {
                match self {
                    $(Endpoint::$name(_) => <$module::$name as Descriptor>::authenticate_for_tests_at(
                        &settings.$module, url, headers, body, now,
                    ),)+
                }
            }
        }

        /// The settings every provider's [`Descriptor::TEST_SETTINGS`] give, in the list's order.
        #[cfg(any(test, feature = "testing"))]
        pub fn test_settings() -> Vec<(&'static str, &'static str)> {
            let mut all = Vec::new();
            $(all.extend_from_slice(<$module::$name as Descriptor>::TEST_SETTINGS);)+
            all
        }
    };
}

pub(crate) use registry;
