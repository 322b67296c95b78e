//! What to do after one delivery attempt: acknowledge, retry later, or dead-letter.

use crate::clock::{parse_http_date, Timestamp};

/// Cloudflare Queues accept retry delays of at most 12 hours.
pub const MAX_RETRY_DELAY_SECS: u32 = 12 * 60 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (`FORWARD_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// The first retry waits about this long; each further one twice as long.
    pub base_delay_secs: u32,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// The backend answered; `retry_after` is its `Retry-After` header, if any.
    Status {
        code: u16,
        retry_after: Option<String>,
    },
    /// No answer within `FORWARD_TIMEOUT_MS`.
    Timeout,
    /// The connection failed (DNS, TLS, refused, reset…).
    NetworkError(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    RetryIn { seconds: u32 },
    DeadLetter { reason: DeadLetterReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLetterReason {
    /// A 4xx other than 408/429, or a redirect: retrying would not help.
    PermanentFailure,
    /// Still failing after `max_attempts`.
    RetriesExhausted,
}

impl DeadLetterReason {
    pub fn code(self) -> &'static str {
        match self {
            DeadLetterReason::PermanentFailure => "permanent_failure",
            DeadLetterReason::RetriesExhausted => "retries_exhausted",
        }
    }
}

impl AttemptResult {
    /// `2xx` is delivered; `408`, `429`, `5xx`, timeouts and network errors are worth
    /// retrying; everything else (other `4xx`, redirects, `1xx`) is permanent.
    fn is_retryable(&self) -> bool {
        match self {
            AttemptResult::Status { code, .. } => {
                *code == 408 || *code == 429 || (500..=599).contains(code)
            }
            AttemptResult::Timeout | AttemptResult::NetworkError(_) => true,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            AttemptResult::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A short description for logs and dead-letter records.
    pub fn error(&self) -> Option<String> {
        match self {
            AttemptResult::Status { code, .. } if (200..=299).contains(code) => None,
            AttemptResult::Status { code, .. } => Some(format!("http_{code}")),
            AttemptResult::Timeout => Some("timeout".to_string()),
            AttemptResult::NetworkError(message) => Some(format!("network: {message}")),
        }
    }
}

/// Decides the fate of a message after its `attempt`-th delivery attempt (1-based).
/// `random` in `[0, 1)` spreads retries so a recovering backend is not hit by all at once.
pub fn decide(
    result: &AttemptResult,
    attempt: u32,
    policy: &RetryPolicy,
    now: Timestamp,
    random: f64,
) -> Verdict {
    if matches!(
        result,
        AttemptResult::Status {
            code: 200..=299,
            ..
        }
    ) {
        return Verdict::Delivered;
    }
    if !result.is_retryable() {
        return Verdict::DeadLetter {
            reason: DeadLetterReason::PermanentFailure,
        };
    }
    if attempt >= policy.max_attempts {
        return Verdict::DeadLetter {
            reason: DeadLetterReason::RetriesExhausted,
        };
    }
    let retry_after = match result {
        AttemptResult::Status {
            retry_after: Some(value),
            ..
        } => parse_retry_after(value, now),
        _ => None,
    };
    let seconds =
        retry_after.unwrap_or_else(|| backoff_secs(attempt, policy.base_delay_secs, random));
    Verdict::RetryIn {
        seconds: seconds.min(MAX_RETRY_DELAY_SECS),
    }
}

/// Exponential backoff with "equal jitter": half of `base · 2^(attempt-1)` fixed, the other
/// half random, so the delay still grows but retries of one outage spread out.
pub fn backoff_secs(attempt: u32, base_delay_secs: u32, random: f64) -> u32 {
    let doubling = attempt.saturating_sub(1).min(20);
    let ceiling = u64::from(base_delay_secs)
        .saturating_mul(1 << doubling)
        .min(u64::from(MAX_RETRY_DELAY_SECS));
    let half = ceiling as f64 / 2.0;
    let jittered = half + half * random.clamp(0.0, 1.0);
    // `ceiling` is at most 12 hours, so this fits a u32.
    jittered.ceil() as u32
}

/// `Retry-After`: delay-seconds, or an HTTP date (then the time until it).
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<u32> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(u32::try_from(seconds).unwrap_or(u32::MAX));
    }
    let at = parse_http_date(value, now)?;
    let millis = at.unix_millis().saturating_sub(now.unix_millis()).max(0);
    u32::try_from((millis + 999) / 1000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 8,
        base_delay_secs: 10,
    };
    const NOW: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

    fn status(code: u16) -> AttemptResult {
        AttemptResult::Status {
            code,
            retry_after: None,
        }
    }

    #[test]
    fn success_permanent_and_retryable_outcomes() {
        assert_eq!(
            decide(&status(204), 1, &POLICY, NOW, 0.5),
            Verdict::Delivered
        );
        for permanent in [400, 401, 403, 404, 410, 422, 301, 302] {
            assert_eq!(
                decide(&status(permanent), 1, &POLICY, NOW, 0.5),
                Verdict::DeadLetter {
                    reason: DeadLetterReason::PermanentFailure
                },
                "{permanent}"
            );
        }
        for retryable in [
            status(408),
            status(429),
            status(500),
            status(503),
            AttemptResult::Timeout,
            AttemptResult::NetworkError("refused".into()),
        ] {
            assert!(
                matches!(
                    decide(&retryable, 1, &POLICY, NOW, 0.5),
                    Verdict::RetryIn { .. }
                ),
                "{retryable:?}"
            );
            assert_eq!(
                decide(&retryable, 8, &POLICY, NOW, 0.5),
                Verdict::DeadLetter {
                    reason: DeadLetterReason::RetriesExhausted
                }
            );
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        assert_eq!(
            (backoff_secs(1, 10, 0.0), backoff_secs(1, 10, 1.0)),
            (5, 10)
        );
        assert_eq!(
            (backoff_secs(4, 10, 0.0), backoff_secs(4, 10, 1.0)),
            (40, 80)
        );
        assert_eq!(backoff_secs(40, 10, 1.0), MAX_RETRY_DELAY_SECS);
        let spread: Vec<u32> = [0.1, 0.5, 0.9]
            .iter()
            .map(|r| backoff_secs(3, 10, *r))
            .collect();
        assert!(spread.windows(2).all(|w| w[0] < w[1]), "{spread:?}");
    }

    #[test]
    fn retry_after_dates_in_every_http_date_form() {
        // NOW is 2023-11-14T22:13:20Z.
        for value in [
            "Tue, 14 Nov 2023 22:14:20 GMT",
            "Tuesday, 14-Nov-23 22:14:20 GMT",
            "Tue Nov 14 22:14:20 2023",
        ] {
            assert_eq!(parse_retry_after(value, NOW), Some(60), "{value}");
        }
    }

    #[test]
    fn retry_after_wins_over_backoff() {
        let limited = AttemptResult::Status {
            code: 429,
            retry_after: Some("120".into()),
        };
        assert_eq!(
            decide(&limited, 1, &POLICY, NOW, 0.0),
            Verdict::RetryIn { seconds: 120 }
        );
        // NOW is 2023-11-14T22:13:20Z.
        let dated = AttemptResult::Status {
            code: 503,
            retry_after: Some("Tue, 14 Nov 2023 22:14:20 GMT".into()),
        };
        assert_eq!(
            decide(&dated, 1, &POLICY, NOW, 0.0),
            Verdict::RetryIn { seconds: 60 }
        );
        let huge = AttemptResult::Status {
            code: 503,
            retry_after: Some("999999999".into()),
        };
        assert_eq!(
            decide(&huge, 1, &POLICY, NOW, 0.0),
            Verdict::RetryIn {
                seconds: MAX_RETRY_DELAY_SECS
            }
        );
        let garbage = AttemptResult::Status {
            code: 503,
            retry_after: Some("soon".into()),
        };
        assert_eq!(
            decide(&garbage, 1, &POLICY, NOW, 0.0),
            Verdict::RetryIn { seconds: 5 }
        );
    }
}
