//! `GET /healthz`.

use crate::config::Config;
use crate::http::{Refusal, Reply};
use serde::Serialize;

/// `GET /healthz`. In public it says only whether the relay is ready and which settings are
/// invalid, by name (`disabled_settings`: those of an optional feature, now off, while the
/// relay stays ready); with `Authorization: Bearer <READ_TOKEN>` (`detailed`) it also says
/// what is configured: sinks, the delivery origin, limits. Never a secret or key id: a
/// problem names the setting and its entry.
pub fn health(config: &Config, detailed: bool) -> Reply {
    if detailed {
        return self::detailed(config, None);
    }
    {
        #[derive(Serialize)]
        struct Public<'a> {
            service: &'static str,
            ready: bool,
            /// The providers whose setting is present: their routes take callbacks.
            providers: Vec<&'static str>,
            invalid_settings: Vec<&'a str>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            disabled_settings: Vec<&'a str>,
        }
        let mut invalid_settings: Vec<&str> =
            config.errors.iter().map(|error| error.setting).collect();
        invalid_settings.dedup();
        let body = serde_json::to_string(&Public {
            service: env!("CARGO_PKG_NAME"),
            ready: config.is_valid(),
            providers: config.providers.enabled_names(),
            invalid_settings,
            disabled_settings: config.warnings.iter().map(|w| w.setting).collect(),
        })
        .unwrap_or_default();
        answer(config, body)
    }
}

/// What the spill bucket holds, for the detailed `/healthz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spill {
    /// Listed: whether it holds any object, and the spill time of its oldest.
    Listed {
        pending: bool,
        oldest: Option<String>,
    },
    /// The listing failed.
    Unreadable,
}

/// The detailed `/healthz` (with `READ_TOKEN`); `spill` when `SPILL_BUCKET` is bound.
pub fn detailed(config: &Config, spill: Option<Spill>) -> Reply {
    #[derive(Serialize)]
    struct SpillHealth {
        pending: Option<bool>,
        oldest: Option<String>,
    }
    #[derive(Serialize)]
    struct Health<'a> {
        service: &'static str,
        version: &'static str,
        ready: bool,
        config_valid: bool,
        providers: Vec<&'static str>,
        auth_mode: &'static str,
        access_keys: usize,
        ingest_token: bool,
        twilio_auth_tokens: usize,
        /// Every enabled provider's credential settings, by name: how many entries each holds.
        credentials: Counts,
        allowed_ip_ranges: Option<usize>,
        sinks: Vec<&'static str>,
        max_clock_skew_secs: u64,
        max_body_bytes: usize,
        http_delivery: Option<HttpHealth<'a>>,
        errors: &'a [crate::config::ConfigError],
        warnings: &'a [crate::config::ConfigError],
        #[serde(skip_serializing_if = "Option::is_none")]
        spill: Option<SpillHealth>,
    }
    #[derive(Serialize)]
    struct HttpHealth<'a> {
        /// Scheme and host only: the path or query may hold the backend's own token.
        target: &'a str,
        secrets: usize,
        max_attempts: u32,
        retry_base_secs: u32,
        timeout_ms: u32,
    }
    let health = Health {
        service: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        ready: config.is_valid(),
        config_valid: config.is_valid(),
        providers: config.providers.enabled_names(),
        auth_mode: config.providers.huawei.mode().name(),
        access_keys: config.providers.huawei.keys.len(),
        ingest_token: config.providers.huawei.ingest_token.is_some(),
        twilio_auth_tokens: config.providers.twilio.auth_tokens.len(),
        credentials: Counts(config.providers.credentials()),
        allowed_ip_ranges: config.access.allowed_ips.as_ref().map(|list| list.len()),
        sinks: config
            .sinks
            .enabled
            .iter()
            .map(|sink| sink.name())
            .collect(),
        max_clock_skew_secs: config.providers.huawei.max_clock_skew_secs,
        max_body_bytes: config.limits.max_body_bytes,
        http_delivery: config.http.as_ref().map(|http| HttpHealth {
            target: &http.origin,
            secrets: http.secrets.len(),
            max_attempts: http.policy.max_attempts,
            retry_base_secs: http.policy.base_delay_secs,
            timeout_ms: http.timeout_ms,
        }),
        errors: &config.errors,
        warnings: &config.warnings,
        spill: spill.map(|spill| match spill {
            Spill::Listed { pending, oldest } => SpillHealth {
                pending: Some(pending),
                oldest,
            },
            Spill::Unreadable => SpillHealth {
                pending: None,
                oldest: None,
            },
        }),
    };
    let body = serde_json::to_string(&health).unwrap_or_default();
    answer(config, body)
}

/// Counts by name, written as a JSON object in their order.
struct Counts(Vec<(&'static str, usize)>);

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, count)| (name, count)))
    }
}

/// `200` with the report, or the status and code of [`Refusal::ConfigInvalid`] with it.
fn answer(config: &Config, body: String) -> Reply {
    if config.is_valid() {
        Reply::json(200, "ok", body)
    } else {
        let (status, code) = Refusal::ConfigInvalid.status_and_code();
        Reply::json(status, code, body)
    }
}
