//! The one structured log line written per request. It names the route, outcome and key id,
//! never a secret, a token, a message body or a phone number.

use serde::Serialize;

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
