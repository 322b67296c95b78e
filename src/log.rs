//! The one structured log line written per request. It names the route, outcome and key id,
//! never a secret, a token, a message body or a phone number.
//!
//! `LOG_REQUESTS` says which requests get one.
//!
//! The Workers runtime already records every invocation (path, status, CPU time) when
//! observability is on, so by default the relay adds its line only where it explains something
//! the status cannot: a refusal's error code, a sink failure. A line per stored push costs CPU
//! on every request (about a tenth of a single report's, measured in BENCHMARKS.md) and log
//! volume; `all` turns it on, e.g. to watch which access key Huawei signs with during a
//! rotation.

use crate::settings::Reader;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Default, Serialize)]
pub struct RequestLog<'a> {
    pub route: &'a str,
    pub method: &'a str,
    pub status: u16,
    /// `ok`, or the error code sent to the client.
    pub outcome: &'a str,
    pub events: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<&'a str>,
    pub duration_ms: i64,
    /// The ids of the events the request produced, in order.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub event_ids: &'a [String],
    /// The provider's message ids those events are about (none for an unparsed event).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub message_ids: &'a [std::rc::Rc<str>],
    /// Which sink failed and how, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink_error: Option<String>,
}

impl RequestLog<'_> {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Cuts an error message from a runtime binding to a bounded length for the log.
pub fn bounded(message: &str) -> String {
    const LIMIT: usize = 300;
    match message.char_indices().nth(LIMIT) {
        Some((index, _)) => format!("{}…", message.get(..index).unwrap_or_default()),
        None => message.to_string(),
    }
}

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
    /// `LOG_REQUESTS`, `errors` when unset.
    pub fn read(reader: &mut Reader<'_>) -> LogRequests {
        reader
            .parse("LOG_REQUESTS", LogRequests::parse)
            .unwrap_or_default()
    }

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

impl std::error::Error for NotALogLevel {}

#[cfg(test)]
mod tests {
    use super::LogRequests;
    use crate::settings::read_vars;

    #[test]
    fn errors_only_by_default_every_request_with_all() {
        let load = |vars: &[(&str, &str)]| read_vars(vars, LogRequests::read);
        let (default, errors) = load(&[]);
        assert!(errors.is_empty());
        assert_eq!(default, LogRequests::Errors);
        assert!(!default.logs(200, false));
        assert!(default.logs(200, true));
        assert!(default.logs(401, false));
        assert!(default.logs(503, false));
        assert!(load(&[("LOG_REQUESTS", " All ")]).0.logs(200, false));
        let (bad, errors) = load(&[("LOG_REQUESTS", "verbose")]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].setting, "LOG_REQUESTS");
        assert_eq!(bad, LogRequests::Errors);
    }
}
