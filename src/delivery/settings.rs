//! HTTP delivery of queued events (`FORWARD` includes `http`): `FORWARD_URL`,
//! `FORWARD_SECRET`, `FORWARD_MAX_ATTEMPTS`, `FORWARD_TIMEOUT_MS`, `FORWARD_RETRY_BASE_SECS`.

use super::{validate_forward_url, RetryPolicy, WebhookSecret};
use crate::clock::{parse_report_time, Timestamp};
use crate::settings::{Bindings, Reader, Secret, DEAD_LETTER_QUEUE_BINDING};
use std::fmt;

pub const DEFAULT_FORWARD_MAX_ATTEMPTS: u64 = 8;
pub const DEFAULT_FORWARD_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_FORWARD_RETRY_BASE_SECS: u64 = 10;

#[derive(Debug, Clone)]
pub struct HttpDelivery {
    /// `FORWARD_URL`, in full (never logged or shown: its query may hold a token).
    pub url: Secret,
    /// Scheme and host of the URL, safe to show in `/healthz`.
    pub origin: String,
    /// `FORWARD_SECRET`: every secret signs every delivery.
    pub secrets: Vec<WebhookSecret>,
    pub policy: RetryPolicy,
    pub timeout_ms: u32,
    /// `REPLAY_DEAD_LETTERS_BEFORE`: dead letters that failed before this instant are sent back
    /// for delivery when this worker consumes the dead-letter queue; later ones are held.
    pub replay_before: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryProblem {
    RequiredForHttp,
    MissingDeadLetterQueue,
}

impl fmt::Display for DeliveryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryProblem::RequiredForHttp => {
                f.write_str("is required when FORWARD includes http")
            }
            DeliveryProblem::MissingDeadLetterQueue => write!(
                f,
                "sink http needs the {DEAD_LETTER_QUEUE_BINDING} queue binding in wrangler.toml"
            ),
        }
    }
}

impl std::error::Error for DeliveryProblem {}

impl HttpDelivery {
    /// The `FORWARD_*` settings; `None` (with every problem recorded) when any is unusable.
    pub fn read(reader: &mut Reader<'_>, bindings: Bindings) -> Option<HttpDelivery> {
        let url = required(reader, "FORWARD_URL", |url| {
            validate_forward_url(url).map(|origin| (Secret::new(url.to_string()), origin))
        });
        let secrets = required(reader, "FORWARD_SECRET", WebhookSecret::parse_list);
        let max_attempts = reader.checked_number(
            "FORWARD_MAX_ATTEMPTS",
            DEFAULT_FORWARD_MAX_ATTEMPTS,
            1..=100,
        );
        let timeout_ms = reader.checked_number(
            "FORWARD_TIMEOUT_MS",
            DEFAULT_FORWARD_TIMEOUT_MS,
            100..=300_000,
        );
        let base_delay_secs = reader.checked_number(
            "FORWARD_RETRY_BASE_SECS",
            DEFAULT_FORWARD_RETRY_BASE_SECS,
            0..=3600,
        );
        let replay_before = reader.parse("REPLAY_DEAD_LETTERS_BEFORE", |raw| {
            parse_report_time(raw.trim())
                .filter(|_| raw.trim().ends_with('Z'))
                .ok_or("must be an RFC 3339 UTC time, e.g. 2026-11-26T09:00:00Z")
        });
        if !bindings.dead_letter_queue {
            reader.problem("FORWARD", DeliveryProblem::MissingDeadLetterQueue);
            return None;
        }
        let (max_attempts, timeout_ms, base_delay_secs) =
            (max_attempts?, timeout_ms?, base_delay_secs?);
        let ((url, origin), secrets) = (url?, secrets?);
        Some(HttpDelivery {
            url,
            origin,
            secrets,
            policy: RetryPolicy {
                // The ranges above fit u32.
                max_attempts: u32::try_from(max_attempts).ok()?,
                base_delay_secs: u32::try_from(base_delay_secs).ok()?,
            },
            timeout_ms: u32::try_from(timeout_ms).ok()?,
            replay_before,
        })
    }
}

/// A setting `http` delivery cannot go without.
fn required<T, E: fmt::Display>(
    reader: &mut Reader<'_>,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    if !reader.is_set(name) {
        reader.problem(name, DeliveryProblem::RequiredForHttp);
        return None;
    }
    reader.parse(name, parse)
}
