//! `LOG_REQUESTS`: which requests get a log line.
//!
//! The Workers runtime already records every invocation (path, status, CPU time) when
//! observability is on, so by default the relay adds its line only where it explains something
//! the status cannot: a refusal's error code, a sink failure. A line per stored push costs CPU
//! on every request (about a tenth of a single report's, measured in BENCHMARKS.md) and log
//! volume; `all` turns it on, e.g. to watch which access key Huawei signs with during a
//! rotation.

use std::fmt;

/// Which requests are logged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogRequests {
    /// Answers other than `2xx`, and any answer after a sink failed.
    #[default]
    Errors,
    /// Every request.
    All,
}

impl LogRequests {
    pub fn parse(raw: &str) -> Result<LogRequests, NotALogLevel> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "errors" => Ok(LogRequests::Errors),
            "all" => Ok(LogRequests::All),
            _ => Err(NotALogLevel),
        }
    }

    /// Whether a request answered `status` (after `sink_failed`) is logged.
    pub fn logs(self, status: u16, sink_failed: bool) -> bool {
        self == LogRequests::All || !(200..300).contains(&status) || sink_failed
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotALogLevel;

impl fmt::Display for NotALogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("must be `errors` or `all`")
    }
}

#[cfg(test)]
mod tests {
    use super::LogRequests;
    use crate::config::{Bindings, Config};

    #[test]
    fn errors_only_by_default_every_request_with_all() {
        let load = |vars: &[(&str, &str)]| Config::from_vars(vars, Bindings::ALL);
        let default = load(&[("ALLOW_UNSIGNED", "true")]);
        assert_eq!(default.logging, LogRequests::Errors);
        assert!(!default.logging.logs(200, false));
        assert!(default.logging.logs(200, true));
        assert!(default.logging.logs(401, false));
        assert!(default.logging.logs(503, false));
        let all = load(&[("ALLOW_UNSIGNED", "true"), ("LOG_REQUESTS", " All ")]);
        assert!(all.logging.logs(200, false));
        let bad = load(&[("ALLOW_UNSIGNED", "true"), ("LOG_REQUESTS", "verbose")]);
        assert_eq!(bad.errors.len(), 1);
        assert_eq!(bad.errors[0].setting, "LOG_REQUESTS");
        assert_eq!(bad.logging, LogRequests::Errors);
    }
}
