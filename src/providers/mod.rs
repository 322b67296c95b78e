//! One folder per SMS provider. Each owns its callback routes, its authentication, how its
//! bodies are read and how they map onto the shared [`crate::event`] model; [`common`] holds
//! what they share.
//!
//! Adding a provider means adding its folder, its setting in [`crate::config::providers`],
//! and one entry in [`PROVIDERS`] and [`Endpoint`].

pub mod alibaba;
pub mod common;
pub mod huawei;
pub mod tencent;
pub mod twilio;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::{Ingested, Provider};
use crate::http::{PushRequest, Reply};

/// A callback URL of one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Huawei(huawei::Endpoint),
    Alibaba(alibaba::Endpoint),
    Tencent(tencent::Endpoint),
    Twilio(twilio::Endpoint),
}

impl Endpoint {
    /// The endpoint's name in unparsed events (`reports`, `uplink`, …).
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Huawei(endpoint) => endpoint.name(),
            Endpoint::Alibaba(endpoint) => endpoint.name(),
            Endpoint::Tencent(endpoint) => endpoint.name(),
            Endpoint::Twilio(endpoint) => endpoint.name(),
        }
    }

    /// The route's name in logs: provider and endpoint.
    pub fn route_name(self) -> &'static str {
        match self {
            Endpoint::Huawei(huawei::Endpoint::Reports) => "huawei/reports",
            Endpoint::Huawei(huawei::Endpoint::Uplink) => "huawei/uplink",
            Endpoint::Alibaba(alibaba::Endpoint::Reports) => "alibaba/reports",
            Endpoint::Alibaba(alibaba::Endpoint::Uplink) => "alibaba/uplink",
            Endpoint::Tencent(tencent::Endpoint::Reports) => "tencent/reports",
            Endpoint::Tencent(tencent::Endpoint::Replies) => "tencent/replies",
            Endpoint::Twilio(twilio::Endpoint::Status) => "twilio/status",
            Endpoint::Twilio(twilio::Endpoint::Inbound) => "twilio/inbound",
        }
    }

    pub fn provider(self) -> Provider {
        match self {
            Endpoint::Huawei(_) => huawei::PROVIDER,
            Endpoint::Alibaba(_) => alibaba::PROVIDER,
            Endpoint::Tencent(_) => tencent::PROVIDER,
            Endpoint::Twilio(_) => twilio::PROVIDER,
        }
    }

    /// Whether `ALLOWED_IPS` applies. Twilio publishes no source ranges for its Messaging
    /// webhooks (Event Streams' come from `35.90.102.128/25`, on the same routes) and signs
    /// every one, so its routes are not limited by address.
    pub fn uses_ip_allow_list(self) -> bool {
        !matches!(self, Endpoint::Twilio(_))
    }

    /// Whether the provider probes the URL with a `GET` (Alibaba's console does before it
    /// accepts a URL), answered by [`Endpoint::probe`].
    pub fn has_probe(self) -> bool {
        matches!(self, Endpoint::Alibaba(_))
    }

    /// The answer to the provider's `GET` probe: no body is read and nothing is stored.
    pub fn probe(self, token: Option<&str>, config: &Config) -> Reply {
        match self {
            Endpoint::Alibaba(_) => alibaba::probe(token, config),
            _ => Reply::error(405, "method_not_allowed").with_header("allow", "POST".into()),
        }
    }

    /// Authenticates the callback and turns its body into events.
    pub fn ingest(
        self,
        token: Option<&str>,
        request: &PushRequest<'_>,
        config: &Config,
        now: Timestamp,
    ) -> Ingested {
        match self {
            Endpoint::Huawei(endpoint) => huawei::ingest(endpoint, token, request, config, now),
            Endpoint::Alibaba(endpoint) => alibaba::ingest(endpoint, token, request, config, now),
            Endpoint::Tencent(endpoint) => tencent::ingest(endpoint, token, request, config, now),
            // Twilio's URLs carry no token (admission refuses a path with one): the
            // signature authenticates.
            Endpoint::Twilio(endpoint) => twilio::ingest(endpoint, request, config, now),
        }
    }
}

/// Maps a provider's endpoint name (the path segment after the provider's) to its endpoint.
pub type EndpointNamed = fn(&str) -> Option<Endpoint>;

/// The route table: the first path segment names the provider, whose function maps the
/// second segment to one of its endpoints.
pub const PROVIDERS: &[(&str, EndpointNamed)] = &[
    ("huawei", |name| {
        huawei::Endpoint::from_name(name).map(Endpoint::Huawei)
    }),
    ("alibaba", |name| {
        alibaba::Endpoint::from_name(name).map(Endpoint::Alibaba)
    }),
    ("tencent", |name| {
        tencent::Endpoint::from_name(name).map(Endpoint::Tencent)
    }),
    ("twilio", |name| {
        twilio::Endpoint::from_name(name).map(Endpoint::Twilio)
    }),
];
