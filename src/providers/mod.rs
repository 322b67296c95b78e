//! One folder per SMS provider. Each owns its callback routes, its settings, its
//! authentication, how its bodies are read and how they map onto the shared [`crate::event`]
//! model, and declares all of it in one [`registry::Descriptor`]. What several share sits beside
//! them, named for what it does, never in another provider's folder: [`common`] (a push's
//! lifecycle, URL tokens, field and time readers), [`events`] (the event builders), [`mapped`]
//! (the table readers of flat callbacks) and [`signature`] (signed forms).
//!
//! The list below is the only place that names every provider: routes, settings, `/healthz`,
//! log lines, the fuzz and property tests and the docs check all derive from it. Adding a
//! provider is its folder (with its descriptor), its fixtures and docs, and one line here.

pub mod alibaba;
pub mod common;
pub mod events;
pub mod huawei;
pub mod mapped;
pub mod plivo;
pub mod registry;
pub mod signature;
pub mod sinch;
pub mod telnyx;
pub mod tencent;
pub mod twilio;
pub mod volcengine;
pub mod vonage;
pub mod yunpian;

pub use common::Callback;
pub use registry::Info;

#[cfg(any(test, feature = "testing"))]
use crate::clock::Timestamp;
use crate::event::{Ingested, Provider};
use crate::http::Reply;
use crate::payload::MediaType;
use crate::settings::Reader;
use registry::{registry, Descriptor, SignatureCheck};
use std::fmt;

registry! {
    huawei::Huawei,
    alibaba::Alibaba,
    tencent::Tencent,
    twilio::Twilio,
    volcengine::Volcengine,
    yunpian::Yunpian,
    sinch::Sinch,
    telnyx::Telnyx,
    plivo::Plivo,
    vonage::Vonage,
}

impl Endpoint {
    /// The route's name in logs, `<provider>/<endpoint>` (never a token).
    pub fn route_name(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.provider().name, self.name())
    }
}

impl Settings {
    /// The enabled providers' names, in the list's order.
    pub fn enabled_names(&self) -> Vec<&'static str> {
        NAMES
            .iter()
            .copied()
            .filter(|name| self.enabled(name))
            .collect()
    }

    /// Every provider's settings; with none enabled and none malformed, that is a problem of
    /// its own, filed under the first provider's first enabling setting. (`ALLOW_UNSIGNED=false`, as
    /// `wrangler.toml` ships it, enables nothing.)
    pub fn read_all(reader: &mut Reader<'_>) -> Settings {
        let settings = Settings::read(reader);
        let enabling: Vec<&str> = INFOS
            .iter()
            .flat_map(|info| info.enabling.iter().copied())
            .collect();
        if settings.enabled_names().is_empty() && !reader.has_problem(&enabling) {
            if let Some(first) = INFOS.first().and_then(|info| info.enabling.first()) {
                reader.problem(first, NothingConfigured);
            }
        }
        settings
    }
}

/// No provider's setting is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NothingConfigured;

impl fmt::Display for NothingConfigured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no provider configured: set ")?;
        let count = INFOS.len();
        for (index, info) in INFOS.iter().enumerate() {
            let separator = match index {
                0 => "",
                _ if index + 1 == count => " or ",
                _ => ", ",
            };
            write!(f, "{separator}{}", info.enabled_by)?;
        }
        Ok(())
    }
}

impl std::error::Error for NothingConfigured {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::read_vars;

    #[test]
    fn credentials_count_each_enabled_providers_entries_by_setting_name() {
        let vars = test_settings();
        let (settings, errors) = read_vars(&vars, Settings::read_all);
        assert!(errors.is_empty(), "{errors:?}");
        let credentials = settings.credentials();
        let mut names: Vec<&str> = credentials.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), credentials.len(), "a setting counted twice");
        for info in INFOS {
            let own: Vec<_> = credentials
                .iter()
                .filter(|(name, _)| info.settings.contains(name))
                .collect();
            // A flag is no credential.
            let secret = vars
                .iter()
                .any(|(name, _)| info.settings.contains(name) && *name != "ALLOW_UNSIGNED");
            assert!(
                !secret || own.iter().any(|(_, count)| *count >= 1),
                "{} counts none of its credentials",
                info.provider.name
            );
        }
        for (name, count) in &credentials {
            assert!(
                INFOS.iter().any(|info| info.settings.contains(name)),
                "{name} is no provider's setting"
            );
            if let Some((_, value)) = vars.iter().find(|(var, _)| var == name) {
                let entries = value
                    .split([',', '\n'])
                    .filter(|entry| !entry.trim().is_empty())
                    .count();
                assert_eq!(*count, entries, "{name}");
            } else {
                assert_eq!(*count, 0, "{name} is unset");
            }
        }
        // Huawei, enabled by ALLOW_UNSIGNED alone, has no key and no token.
        assert!(credentials.contains(&("HUAWEI_PUSH_KEYS", 0)));
        let (none, _) = read_vars(&[], Settings::read_all);
        assert!(none.credentials().is_empty());
    }
}
