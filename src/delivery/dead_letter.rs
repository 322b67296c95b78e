//! The message put on the dead-letter queue when an event cannot be delivered: the event
//! itself plus why, so an operator can fix the cause and replay it.

use super::retry::{AttemptResult, DeadLetterReason};
use crate::clock::Timestamp;
use serde::Serialize;

#[derive(Serialize)]
struct DeliveryFailure {
    reason: &'static str,
    attempts: u32,
    last_status: Option<u16>,
    last_error: Option<String>,
    failed_at: String,
}

/// The dead-letter message as JSON, or `None` if `event_json` is not JSON (it always is: the
/// relay wrote it).
pub fn dead_letter_message(
    event_json: &str,
    reason: DeadLetterReason,
    attempts: u32,
    last: &AttemptResult,
    now: Timestamp,
) -> Option<String> {
    // `{"event": <the event as queued>, "delivery": {…}}`, as serde_json would write it.
    let event = crate::payload::json::raw_value(event_json).ok()?;
    let delivery = serde_json::to_string(&DeliveryFailure {
        reason: reason.code(),
        attempts,
        last_status: last.status(),
        last_error: last.error(),
        failed_at: now.to_rfc3339(true),
    })
    .ok()?;
    let mut letter = String::with_capacity(event.len() + delivery.len() + 24);
    letter.push_str(r#"{"event":"#);
    letter.push_str(event);
    letter.push_str(r#","delivery":"#);
    letter.push_str(&delivery);
    letter.push('}');
    Some(letter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_the_event_and_the_last_failure() {
        let last = AttemptResult::Status {
            code: 400,
            retry_after: None,
        };
        let text = dead_letter_message(
            r#"{"id":"abc","data":{"x":1}}"#,
            DeadLetterReason::PermanentFailure,
            1,
            &last,
            Timestamp::from_unix_seconds(0),
        );
        let value: serde_json::Value =
            serde_json::from_str(text.as_deref().unwrap_or("null")).unwrap_or_default();
        assert_eq!(
            value,
            json!({
                "event": {"id": "abc", "data": {"x": 1}},
                "delivery": {"reason": "permanent_failure", "attempts": 1, "last_status": 400, "last_error": "http_400", "failed_at": "1970-01-01T00:00:00.000Z"}
            })
        );
        assert_eq!(
            dead_letter_message(
                "not json",
                DeadLetterReason::RetriesExhausted,
                8,
                &AttemptResult::Timeout,
                Timestamp::from_unix_seconds(0)
            ),
            None
        );
    }
}
