//! One folder per SMS provider. Each owns its callback routes, its authentication, how its
//! bodies are read and how they map onto the shared [`crate::event`] model.
//!
//! Adding a provider means adding its folder and one entry in [`PROVIDERS`] and [`Endpoint`].

pub mod huawei;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::Ingested;
use crate::http::PushRequest;

/// A callback URL of one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Huawei(huawei::Endpoint),
}

impl Endpoint {
    /// The endpoint's name in logs and in unparsed events (`reports`, `uplink`).
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Huawei(endpoint) => endpoint.name(),
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
        }
    }
}

/// Maps a provider's endpoint name (the path segment after the provider's) to its endpoint.
pub type EndpointNamed = fn(&str) -> Option<Endpoint>;

/// The route table: the first path segment names the provider, whose function maps the
/// second segment to one of its endpoints.
pub const PROVIDERS: &[(&str, EndpointNamed)] = &[("huawei", |name| {
    huawei::Endpoint::from_name(name).map(Endpoint::Huawei)
})];
