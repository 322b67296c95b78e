//! Reading the worker's configuration (wrangler `[vars]`, secrets and bindings) into a [`Config`].
//!
//! Pure: the adapter passes a lookup function and which bindings exist. Problems are collected,
//! not thrown, so `/healthz` can list them all and callbacks can refuse with a clear reason.

use crate::delivery::{validate_forward_url, RetryPolicy, WebhookSecret};
use crate::ip_allow::IpAllowList;
use crate::signing::KeySet;
use serde::Serialize;

pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = 900;
pub const DEFAULT_MAX_BODY_BYTES: usize = 262_144;
/// Cloudflare's smallest allowed KV `expirationTtl`.
pub const MIN_KV_TTL_SECS: u64 = 60;
/// Workers reject request bodies over 100 MB on every plan; a larger limit would be a typo.
const MAX_BODY_BYTES_CEILING: usize = 100 * 1024 * 1024;
/// A shorter token could be guessed; 16 unreserved characters is ~95 bits.
pub const MIN_TOKEN_LENGTH: usize = 16;
pub const DEFAULT_FORWARD_MAX_ATTEMPTS: u32 = 8;
pub const DEFAULT_FORWARD_TIMEOUT_MS: u32 = 10_000;
pub const DEFAULT_FORWARD_RETRY_BASE_SECS: u32 = 10;
/// The binding the queue consumer moves undeliverable events to.
pub const DEAD_LETTER_QUEUE_BINDING: &str = "DEAD_LETTER_QUEUE";

/// Where events are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sink {
    Queue,
    Kv,
}

impl Sink {
    pub fn name(self) -> &'static str {
        match self {
            Sink::Queue => "queue",
            Sink::Kv => "kv",
        }
    }

    /// The binding the sink writes through.
    pub fn binding(self) -> &'static str {
        match self {
            Sink::Queue => "EVENTS_QUEUE",
            Sink::Kv => "EVENTS_KV",
        }
    }
}

/// How callbacks are authenticated, derived from which settings are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Huawei signatures required (and the URL token too, when one is set).
    Signature { token: bool },
    /// No keys, but the URL must carry the ingest token.
    Token,
    /// Nothing required: `ALLOW_UNSIGNED=true` with neither keys nor token.
    Unsigned,
    /// Nothing set at all: every callback is refused until the operator configures one.
    Unconfigured,
}

impl AuthMode {
    pub fn name(self) -> &'static str {
        match self {
            AuthMode::Signature { token: false } => "aksk",
            AuthMode::Signature { token: true } => "aksk+token",
            AuthMode::Token => "token",
            AuthMode::Unsigned => "none",
            AuthMode::Unconfigured => "unconfigured",
        }
    }
}

/// Which optional bindings the environment has.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bindings {
    pub queue: bool,
    pub kv: bool,
    pub dead_letter_queue: bool,
}

impl Bindings {
    /// Every binding present (tests, benchmarks, tools).
    pub const ALL: Bindings = Bindings {
        queue: true,
        kv: true,
        dead_letter_queue: true,
    };
}

/// Delivery of queued events to an existing backend (`FORWARD` includes `http`).
#[derive(Debug, Clone)]
pub struct HttpDelivery {
    /// `FORWARD_URL`, in full (never logged or shown: its query may hold a token).
    pub url: String,
    /// Scheme and host of the URL, safe to show in `/healthz`.
    pub origin: String,
    /// `FORWARD_SECRET`: every secret signs every delivery.
    pub secrets: Vec<WebhookSecret>,
    pub policy: RetryPolicy,
    pub timeout_ms: u32,
}

/// One problem with one setting. Never holds a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub keys: KeySet,
    pub ingest_token: Option<String>,
    pub allow_unsigned: bool,
    pub max_clock_skew_secs: u64,
    pub sinks: Vec<Sink>,
    pub kv_ttl_secs: Option<u64>,
    pub max_body_bytes: usize,
    /// `Some` when `FORWARD` includes `http` and its settings are valid.
    pub http: Option<HttpDelivery>,
    /// `ALLOWED_IPS`: when set, callbacks must come from these ranges.
    pub allowed_ips: Option<IpAllowList>,
    /// Empty when the configuration is valid; callbacks are refused otherwise.
    pub errors: Vec<ConfigError>,
}

impl Config {
    /// Reads every setting through `lookup` (a var or secret by name; `None` when unset).
    pub fn load(lookup: impl Fn(&str) -> Option<String>, bindings: Bindings) -> Config {
        let mut errors = Vec::new();
        let mut error =
            |setting: &'static str, problem: String| errors.push(ConfigError { setting, problem });
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let keys = match get("HUAWEI_PUSH_KEYS") {
            Some(raw) => parse_keys(&raw).unwrap_or_else(|problem| {
                error("HUAWEI_PUSH_KEYS", problem);
                KeySet::new()
            }),
            None => KeySet::new(),
        };
        let ingest_token = get("INGEST_TOKEN");
        if let Some(token) = &ingest_token {
            let unreserved = token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
            if !unreserved || token.len() < MIN_TOKEN_LENGTH {
                error(
                    "INGEST_TOKEN",
                    format!(
                        "must be at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~"
                    ),
                );
            }
        }
        let allow_unsigned = match get("ALLOW_UNSIGNED")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(_) => {
                error("ALLOW_UNSIGNED", "must be true or false".into());
                false
            }
        };
        let max_clock_skew_secs = number(
            get("MAX_CLOCK_SKEW_SECS"),
            DEFAULT_MAX_CLOCK_SKEW_SECS,
            0..=86_400,
        )
        .unwrap_or_else(|problem| {
            error("MAX_CLOCK_SKEW_SECS", problem);
            DEFAULT_MAX_CLOCK_SKEW_SECS
        });
        let max_body_bytes = number(
            get("MAX_BODY_BYTES"),
            DEFAULT_MAX_BODY_BYTES as u64,
            1..=MAX_BODY_BYTES_CEILING as u64,
        )
        .map(|n| usize::try_from(n).unwrap_or(DEFAULT_MAX_BODY_BYTES))
        .unwrap_or_else(|problem| {
            error("MAX_BODY_BYTES", problem);
            DEFAULT_MAX_BODY_BYTES
        });
        let kv_ttl_secs = match get("KV_TTL_SECS") {
            None => None,
            Some(raw) => number(Some(raw), 0, MIN_KV_TTL_SECS..=u64::MAX)
                .map(Some)
                .unwrap_or_else(|problem| {
                    error("KV_TTL_SECS", problem);
                    None
                }),
        };
        let mut sinks = Vec::new();
        let mut wants_http = false;
        let forward = get("FORWARD");
        for name in forward
            .as_deref()
            .unwrap_or("queue")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let sink = match name.to_ascii_lowercase().as_str() {
                "queue" => Sink::Queue,
                "kv" => Sink::Kv,
                // HTTP delivery runs from the queue, so the fetch path enqueues.
                "http" => {
                    wants_http = true;
                    Sink::Queue
                }
                _ => {
                    error(
                        "FORWARD",
                        format!("unknown sink {name:?}; use queue, kv and/or http"),
                    );
                    continue;
                }
            };
            if !sinks.contains(&sink) {
                sinks.push(sink);
            }
        }
        for sink in &sinks {
            let bound = match sink {
                Sink::Queue => bindings.queue,
                Sink::Kv => bindings.kv,
            };
            if !bound {
                error(
                    "FORWARD",
                    format!(
                        "sink {} needs the {} binding in wrangler.toml",
                        sink.name(),
                        sink.binding()
                    ),
                );
            }
        }
        if sinks.is_empty() {
            error("FORWARD", "names no sink; use queue, kv and/or http".into());
        }
        let http = if wants_http {
            load_http_delivery(&get, bindings, &mut error)
        } else {
            None
        };

        let allowed_ips = match get("ALLOWED_IPS") {
            None => None,
            Some(list) => IpAllowList::parse(&list)
                .map(Some)
                .unwrap_or_else(|problem| {
                    error("ALLOWED_IPS", problem);
                    None
                }),
        };

        let mut config = Config {
            keys,
            ingest_token,
            allow_unsigned,
            max_clock_skew_secs,
            sinks,
            kv_ttl_secs,
            max_body_bytes,
            http,
            allowed_ips,
            errors,
        };
        if config.auth_mode() == AuthMode::Unconfigured {
            config.errors.push(ConfigError {
                setting: "HUAWEI_PUSH_KEYS",
                problem: "no authentication configured: set HUAWEI_PUSH_KEYS (or INGEST_TOKEN, or ALLOW_UNSIGNED=true for local development)".into(),
            });
        }
        config
    }

    /// [`Config::load`] from fixed `name → value` pairs (tests, benchmarks, tools).
    pub fn from_vars(vars: &[(&str, &str)], bindings: Bindings) -> Config {
        Config::load(
            |name| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            },
            bindings,
        )
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn auth_mode(&self) -> AuthMode {
        match (
            self.keys.is_empty(),
            self.ingest_token.is_some(),
            self.allow_unsigned,
        ) {
            (false, token, _) => AuthMode::Signature { token },
            (true, true, _) => AuthMode::Token,
            (true, false, true) => AuthMode::Unsigned,
            (true, false, false) => AuthMode::Unconfigured,
        }
    }
}

/// The `FORWARD_*` settings; `None` (with errors reported) when any is unusable.
fn load_http_delivery(
    get: &impl Fn(&str) -> Option<String>,
    bindings: Bindings,
    error: &mut impl FnMut(&'static str, String),
) -> Option<HttpDelivery> {
    let mut complete = true;
    let url = get("FORWARD_URL");
    let origin = match url.as_deref().map(validate_forward_url) {
        None => {
            error(
                "FORWARD_URL",
                "is required when FORWARD includes http".into(),
            );
            None
        }
        Some(Err(_)) => {
            error(
                "FORWARD_URL",
                "must be an https:// URL (http:// only to a loopback address)".into(),
            );
            None
        }
        Some(Ok(origin)) => Some(origin),
    };
    let secrets = match get("FORWARD_SECRET")
        .as_deref()
        .map(WebhookSecret::parse_list)
    {
        None => {
            error(
                "FORWARD_SECRET",
                "is required when FORWARD includes http".into(),
            );
            None
        }
        Some(Err(_)) => {
            error(
                "FORWARD_SECRET",
                "must be one or more whsec_<base64> secrets separated by spaces".into(),
            );
            None
        }
        Some(Ok(secrets)) => Some(secrets),
    };
    let mut bounded =
        |setting: &'static str, default: u32, range: std::ops::RangeInclusive<u64>| {
            let value = number(get(setting), u64::from(default), range).unwrap_or_else(|problem| {
                error(setting, problem);
                complete = false;
                u64::from(default)
            });
            u32::try_from(value).unwrap_or(default)
        };
    let max_attempts = bounded(
        "FORWARD_MAX_ATTEMPTS",
        DEFAULT_FORWARD_MAX_ATTEMPTS,
        1..=100,
    );
    let timeout_ms = bounded(
        "FORWARD_TIMEOUT_MS",
        DEFAULT_FORWARD_TIMEOUT_MS,
        100..=300_000,
    );
    let base_delay_secs = bounded(
        "FORWARD_RETRY_BASE_SECS",
        DEFAULT_FORWARD_RETRY_BASE_SECS,
        0..=3600,
    );
    if !bindings.dead_letter_queue {
        error(
            "FORWARD",
            format!(
                "sink http needs the {DEAD_LETTER_QUEUE_BINDING} queue binding in wrangler.toml"
            ),
        );
        complete = false;
    }
    let (url, origin, secrets) = (url?, origin?, secrets?);
    complete.then_some(HttpDelivery {
        url,
        origin,
        secrets,
        policy: RetryPolicy {
            max_attempts,
            base_delay_secs,
        },
        timeout_ms,
    })
}

/// `AK:SK` entries separated by commas or newlines, each split at its first `:`.
fn parse_keys(raw: &str) -> Result<KeySet, String> {
    let mut keys = KeySet::new();
    let entries = raw
        .split([',', '\n'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty());
    for (index, entry) in entries.enumerate() {
        let position = index + 1;
        let Some((access, secret)) = entry.split_once(':') else {
            return Err(format!("entry {position} is not ACCESS_KEY:SECRET_KEY"));
        };
        let (access, secret) = (access.trim(), secret.trim());
        if access.is_empty() || secret.is_empty() {
            return Err(format!(
                "entry {position} has an empty access key or secret key"
            ));
        }
        if !keys.insert(access, secret) {
            return Err(format!("entry {position} repeats an access key"));
        }
    }
    Ok(keys)
}

fn number(
    raw: Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, String> {
    let Some(raw) = raw else { return Ok(default) };
    raw.parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "must be a whole number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)], bindings: Bindings) -> Config {
        Config::load(
            |name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            },
            bindings,
        )
    }

    const BOTH: Bindings = Bindings::ALL;

    #[test]
    fn two_keys_for_rotation_and_defaults() {
        let config = load(
            &[("HUAWEI_PUSH_KEYS", " ak1:sk:with:colons ,\nak2 : sk2\n")],
            BOTH,
        );
        assert!(config.is_valid(), "{:?}", config.errors);
        assert_eq!(
            config.keys.access_keys().collect::<Vec<_>>(),
            ["ak1", "ak2"]
        );
        assert_eq!(config.auth_mode(), AuthMode::Signature { token: false });
        assert_eq!(config.sinks, [Sink::Queue]);
        assert_eq!(
            (
                config.max_clock_skew_secs,
                config.max_body_bytes,
                config.kv_ttl_secs
            ),
            (900, 262_144, None)
        );
    }

    #[test]
    fn nothing_configured_refuses_everything() {
        let config = load(&[], BOTH);
        assert_eq!(config.auth_mode(), AuthMode::Unconfigured);
        assert!(!config.is_valid());
        assert!(load(&[("ALLOW_UNSIGNED", "true")], BOTH).is_valid());
        assert_eq!(
            load(&[("INGEST_TOKEN", "0123456789abcdefXYZ")], BOTH).auth_mode(),
            AuthMode::Token
        );
    }

    #[test]
    fn every_bad_setting_is_reported_without_its_secret() {
        let config = load(
            &[
                ("HUAWEI_PUSH_KEYS", "ak1:topsecret,ak1:othersecret"),
                ("INGEST_TOKEN", "short"),
                ("ALLOW_UNSIGNED", "maybe"),
                ("MAX_CLOCK_SKEW_SECS", "-1"),
                ("MAX_BODY_BYTES", "0"),
                ("KV_TTL_SECS", "30"),
                ("FORWARD", "queue,kv,s3"),
            ],
            Bindings {
                queue: true,
                kv: false,
                dead_letter_queue: false,
            },
        );
        let settings: Vec<_> = config.errors.iter().map(|e| e.setting).collect();
        for setting in [
            "HUAWEI_PUSH_KEYS",
            "INGEST_TOKEN",
            "ALLOW_UNSIGNED",
            "MAX_CLOCK_SKEW_SECS",
            "MAX_BODY_BYTES",
            "KV_TTL_SECS",
            "FORWARD",
        ] {
            assert!(
                settings.contains(&setting),
                "{setting} not reported: {settings:?}"
            );
        }
        assert_eq!(
            settings.iter().filter(|s| **s == "FORWARD").count(),
            2,
            "unknown sink and missing binding"
        );
        let text = format!("{:?}", config.errors);
        assert!(
            !text.contains("topsecret") && !text.contains("short"),
            "{text}"
        );
    }

    #[test]
    fn malformed_key_entries() {
        assert!(parse_keys("justakey").is_err());
        assert!(parse_keys(":sk").is_err());
        assert!(parse_keys("ak:").is_err());
        assert_eq!(parse_keys("a:b,c:d").map(|k| k.len()), Ok(2));
    }

    #[test]
    fn http_delivery_enqueues_and_needs_url_secret_and_dead_letter_queue() {
        let secret = "whsec_c2VjcmV0LW9uZQ==";
        let config = load(
            &[
                ("ALLOW_UNSIGNED", "true"),
                ("FORWARD", "http"),
                ("FORWARD_URL", "https://b.example/h?k=1"),
                ("FORWARD_SECRET", secret),
                ("FORWARD_MAX_ATTEMPTS", "3"),
            ],
            BOTH,
        );
        assert!(config.is_valid(), "{:?}", config.errors);
        assert_eq!(config.sinks, [Sink::Queue], "the fetch path only enqueues");
        let http = config.http.as_ref().map(|h| {
            (
                h.origin.as_str(),
                h.secrets.len(),
                h.policy.max_attempts,
                h.timeout_ms,
            )
        });
        assert_eq!(http, Some(("https://b.example", 1, 3, 10_000)));

        let broken = load(
            &[
                ("ALLOW_UNSIGNED", "true"),
                ("FORWARD", "queue,http"),
                ("FORWARD_URL", "http://b.example/"),
                ("FORWARD_SECRET", "plain"),
                ("FORWARD_TIMEOUT_MS", "5"),
            ],
            Bindings {
                queue: true,
                kv: false,
                dead_letter_queue: false,
            },
        );
        let settings: Vec<_> = broken.errors.iter().map(|e| e.setting).collect();
        assert_eq!(
            settings,
            [
                "FORWARD_URL",
                "FORWARD_SECRET",
                "FORWARD_TIMEOUT_MS",
                "FORWARD"
            ]
        );
        assert!(broken.http.is_none());
        assert!(!format!("{:?}", broken.errors).contains("plain"));
    }

    #[test]
    fn forward_lists_sinks_once_in_order() {
        let config = load(
            &[
                ("ALLOW_UNSIGNED", "true"),
                ("FORWARD", "KV, queue,kv"),
                ("KV_TTL_SECS", "3600"),
            ],
            BOTH,
        );
        assert!(config.is_valid(), "{:?}", config.errors);
        assert_eq!(config.sinks, [Sink::Kv, Sink::Queue]);
        assert_eq!(config.kv_ttl_secs, Some(3600));
    }
}
