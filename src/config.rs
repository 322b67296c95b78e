//! The worker's whole configuration (wrangler `[vars]`, secrets and bindings) as one
//! [`Config`], read once per isolate.
//!
//! Pure: the edge passes a lookup function and which bindings exist. Each module declares and
//! validates its own settings, one line per setting, through [`crate::settings::Reader`],
//! which records problems instead of throwing, so `/healthz` can list them all and callbacks
//! refuse with a reason; this module only gathers them:
//!
//! | module | settings |
//! |---|---|
//! | each provider ([`crate::providers`]) | `HUAWEI_PUSH_KEYS`, `INGEST_TOKEN`, `ALLOW_UNSIGNED`, `MAX_CLOCK_SKEW_SECS`; `ALIBABA_TOKEN`; `TENCENT_TOKEN`; `TWILIO_AUTH_TOKENS` |
//! | [`crate::access`] | `ALLOWED_IPS`, `READ_TOKEN` |
//! | [`crate::sinks`] | `FORWARD`, `KV_TTL_SECS` |
//! | [`crate::delivery`] | `FORWARD_URL`, `FORWARD_SECRET`, `FORWARD_MAX_ATTEMPTS`, `FORWARD_TIMEOUT_MS`, `FORWARD_RETRY_BASE_SECS`, `REPLAY_DEAD_LETTERS_BEFORE` |
//! | [`crate::limits`] | `MAX_BODY_BYTES` |
//! | [`crate::log`] | `LOG_REQUESTS` |

use crate::access::AccessSettings;
use crate::delivery::consumer::{delivery_for, Settle};
use crate::delivery::HttpDelivery;
use crate::limits::Limits;
use crate::log::LogRequests;
use crate::providers;
use crate::settings::Reader;
use crate::sinks::SinkSettings;

pub use crate::settings::{Bindings, ConfigError, Secret};

#[derive(Debug, Clone)]
pub struct Config {
    /// Every provider's settings.
    pub providers: providers::Settings,
    pub access: AccessSettings,
    pub sinks: SinkSettings,
    /// `Some` when `FORWARD` includes `http` and its settings are valid.
    pub http: Option<HttpDelivery>,
    pub limits: Limits,
    pub logging: LogRequests,
    /// Empty when the configuration is valid; callbacks are refused otherwise.
    pub errors: Vec<ConfigError>,
    /// Settings of optional features that are malformed: the feature is off (`/healthz` says
    /// so), callbacks are still taken.
    pub warnings: Vec<ConfigError>,
}

impl Config {
    /// Reads every setting through `lookup` (a var or secret by name; `None` when unset).
    pub fn load(lookup: impl Fn(&str) -> Option<String>, bindings: Bindings) -> Config {
        let mut reader = Reader::new(&lookup);
        let providers = providers::Settings::read_all(&mut reader);
        let access = AccessSettings::read(&mut reader);
        let sinks = SinkSettings::read(&mut reader, bindings);
        let http = sinks
            .wants_http
            .then(|| HttpDelivery::read(&mut reader, bindings))
            .flatten();
        let limits = Limits::read(&mut reader, &sinks);
        let logging = LogRequests::read(&mut reader);
        let (errors, warnings) = reader.finish();
        Config {
            providers,
            access,
            sinks,
            http,
            limits,
            logging,
            errors,
            warnings,
        }
    }

    /// [`Config::load`] from fixed `name → value` pairs (tests, benchmarks, fuzzing).
    #[cfg(any(test, feature = "testing"))]
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

    /// Whether the provider named `name` has its setting (`huawei`, `alibaba`, …).
    pub fn provider_enabled(&self, name: &str) -> bool {
        self.providers.enabled(name)
    }

    /// The queue consumer's HTTP delivery settings, or how to settle a batch of `messages`
    /// that this configuration cannot deliver, and the line to log.
    pub fn delivery(&self, messages: usize) -> Result<&HttpDelivery, (Settle, String)> {
        delivery_for(self.http.as_ref(), &self.errors, messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::huawei::AuthMode;
    use crate::sinks::Sink;

    fn load(vars: &[(&str, &str)], bindings: Bindings) -> Config {
        Config::from_vars(vars, bindings)
    }

    const BOTH: Bindings = Bindings::ALL;

    fn settings(config: &Config) -> Vec<&'static str> {
        config.errors.iter().map(|e| e.setting).collect()
    }

    #[test]
    fn two_keys_for_rotation_and_defaults() {
        let config = load(
            &[("HUAWEI_PUSH_KEYS", " ak1:sk:with:colons ,\nak2 : sk2\n")],
            BOTH,
        );
        assert!(config.is_valid(), "{:?}", config.errors);
        assert_eq!(
            config
                .providers
                .huawei
                .keys
                .access_keys()
                .collect::<Vec<_>>(),
            ["ak1", "ak2"]
        );
        assert_eq!(
            config.providers.huawei.mode(),
            AuthMode::Signature { token: false }
        );
        assert_eq!(config.sinks.enabled, [Sink::Queue]);
        assert_eq!(
            (
                config.providers.huawei.max_clock_skew_secs,
                config.limits.max_body_bytes,
                config.sinks.kv_ttl_secs
            ),
            (900, 1_048_576, None)
        );
    }

    #[test]
    fn nothing_configured_refuses_everything() {
        let config = load(&[], BOTH);
        assert_eq!(config.providers.huawei.mode(), AuthMode::Unconfigured);
        assert_eq!(settings(&config), ["HUAWEI_PUSH_KEYS"]);
        assert!(load(&[("ALLOW_UNSIGNED", "true")], BOTH).is_valid());
        // wrangler.toml's shipped vars enable nothing: not ready until a secret is set.
        let shipped = load(&[("ALLOW_UNSIGNED", "false"), ("FORWARD", "queue")], BOTH);
        assert_eq!(settings(&shipped), ["HUAWEI_PUSH_KEYS"]);
        for secret in [
            ("ALIBABA_TOKEN", "alibaba-token-0123456789"),
            ("TENCENT_TOKEN", "tencent-token-0123456789"),
            ("TWILIO_AUTH_TOKENS", "auth-token"),
        ] {
            let one = load(&[("ALLOW_UNSIGNED", "false"), secret], BOTH);
            assert!(one.is_valid(), "{secret:?}: {:?}", one.errors);
            assert_eq!(
                one.providers.huawei.mode(),
                AuthMode::Unconfigured,
                "Huawei stays off"
            );
        }
        // A malformed provider setting is reported as itself, not also as "nothing configured".
        assert_eq!(
            settings(&load(&[("TENCENT_TOKEN", "short")], BOTH)),
            ["TENCENT_TOKEN"]
        );
        assert_eq!(
            load(&[("INGEST_TOKEN", "0123456789abcdefXYZ")], BOTH)
                .providers
                .huawei
                .mode(),
            AuthMode::Token
        );
    }

    #[test]
    fn every_bad_setting_is_reported_once_without_its_secret() {
        let config = load(
            &[
                (
                    "HUAWEI_PUSH_KEYS",
                    "ak1:topsecret,ak1:othersecret,ak1:third",
                ),
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
                spill: false,
            },
        );
        assert_eq!(
            settings(&config),
            [
                "HUAWEI_PUSH_KEYS",
                "INGEST_TOKEN",
                "ALLOW_UNSIGNED",
                "MAX_CLOCK_SKEW_SECS",
                "FORWARD",
                "FORWARD",
                "KV_TTL_SECS",
                "MAX_BODY_BYTES",
            ]
        );
        let problems: Vec<&str> = config.errors.iter().map(|e| e.problem.as_str()).collect();
        assert_eq!(
            problems.first(),
            Some(
                &"entry 3 gives its access key more than 2 secrets (two are enough for a rotation)"
            )
        );
        assert!(problems.contains(&"unknown sink \"s3\"; use queue, kv and/or http"));
        assert!(problems.contains(&"sink kv needs the EVENTS_KV binding in wrangler.toml"));
        let text = format!("{:?}", config.errors);
        assert!(
            !text.contains("topsecret") && !text.contains("short"),
            "{text}"
        );
    }

    #[test]
    fn a_malformed_key_list_is_not_also_missing_authentication() {
        let config = load(&[("HUAWEI_PUSH_KEYS", "justakey")], BOTH);
        assert_eq!(
            config.errors,
            [ConfigError {
                setting: "HUAWEI_PUSH_KEYS",
                problem: "entry 1 is not ACCESS_KEY:SECRET_KEY".into()
            }]
        );
    }

    #[test]
    fn an_unknown_sink_alone_is_one_problem() {
        let config = load(&[("ALLOW_UNSIGNED", "true"), ("FORWARD", "s3")], BOTH);
        assert_eq!(settings(&config), ["FORWARD"]);
        let blank = load(&[("ALLOW_UNSIGNED", "true"), ("FORWARD", " , ")], BOTH);
        assert_eq!(
            blank.errors.first().map(|e| e.problem.as_str()),
            Some("names no sink; use queue, kv and/or http")
        );
    }

    #[test]
    fn debug_redacts_every_secret() {
        let config = load(
            &[
                ("HUAWEI_PUSH_KEYS", "ak1:sk-secret-value"),
                ("INGEST_TOKEN", "tok-0123456789abcdef-secret"),
                ("FORWARD", "http"),
                ("FORWARD_URL", "https://b.example/h?key=url-secret"),
                ("FORWARD_SECRET", "whsec_c2VjcmV0LW9uZQ=="),
            ],
            BOTH,
        );
        assert!(config.is_valid(), "{:?}", config.errors);
        let text = format!("{config:?}");
        for secret in [
            "sk-secret-value",
            "tok-0123456789abcdef",
            "url-secret",
            "c2VjcmV0",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("ak1") && text.contains("https://b.example"));
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
        assert_eq!(
            config.sinks.enabled,
            [Sink::Queue],
            "the fetch path only enqueues"
        );
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
                spill: false,
            },
        );
        assert_eq!(
            settings(&broken),
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
        assert_eq!(config.sinks.enabled, [Sink::Kv, Sink::Queue]);
        assert_eq!(config.sinks.kv_ttl_secs, Some(3600));
    }
}
