//! Replaying dead letters: when this worker also consumes the dead-letter queue, each letter's
//! event goes back to the events queue, unchanged (same id, same bytes, so the backend can
//! deduplicate), if it failed before `REPLAY_DEAD_LETTERS_BEFORE`: the time the operator fixed
//! the cause. A letter that failed later — the fix did not help it, or it failed again after a
//! replay — is held (retried every [`HOLD_SECS`]), never replayed in a loop. Without the
//! setting every letter is held.

use crate::clock::{parse_report_time, Timestamp};
use crate::payload::json::{Bad, Read, Reader};

/// How long a held letter waits before it is looked at again: Cloudflare Queues' longest retry
/// delay (12 hours).
pub const HOLD_SECS: u32 = 43_200;

/// A dead letter as `dead_letter::dead_letter_message` writes it.
#[derive(Debug)]
pub struct Letter<'a> {
    /// The event's JSON, as written.
    pub event: &'a str,
    pub delivery: Failure,
}

#[derive(Debug)]
pub struct Failure {
    pub failed_at: String,
}

/// What a queued message holds: an event (with its id when it has one) or a dead letter.
#[derive(Debug)]
pub enum Queued<'a> {
    Event { id: Option<String> },
    Letter(Letter<'a>),
}

/// Reads a queued body once, whichever it is: `{"id", "event", "delivery": {"failed_at"}}`
/// read as `#[derive(Deserialize)]` read it (every member optional, others ignored), without
/// serde's typed reads (`payload::json`).
pub fn read(body: &str) -> Queued<'_> {
    let mut reader = Reader::new(body);
    let (mut id, mut event, mut delivery) = (None, None, None);
    let read = reader
        .record(&["id", "event", "delivery"], &mut |r, field| {
            match field {
                0 => id = r.opt_string()?,
                1 => event = if r.null()? { None } else { Some(r.raw()?) },
                _ => delivery = if r.null()? { None } else { Some(failure(r)?) },
            }
            Ok(())
        })
        .and_then(|()| reader.end());
    match (read, event, delivery) {
        (Ok(()), Some(event), Some(delivery)) if event.starts_with('{') => {
            Queued::Letter(Letter { event, delivery })
        }
        (Ok(()), _, _) => Queued::Event { id },
        (Err(_), _, _) => Queued::Event { id: None },
    }
}

fn failure(reader: &mut Reader<'_>) -> Read<Failure> {
    let mut failed_at = None;
    reader.record(&["failed_at"], &mut |r, _| {
        failed_at = Some(r.string()?.into_owned());
        Ok(())
    })?;
    Ok(Failure {
        failed_at: failed_at.ok_or(Bad::Type)?,
    })
}

/// `body` read as a dead letter, `None` when it is not one (an event, or anything else).
pub fn read_letter(body: &str) -> Option<Letter<'_>> {
    match read(body) {
        Queued::Letter(letter) => Some(letter),
        Queued::Event { .. } => None,
    }
}

/// Whether `letter` is replayed: it failed before `before`.
pub fn replays(letter: &Letter<'_>, before: Option<Timestamp>) -> bool {
    let failed_at = parse_report_time(&letter.delivery.failed_at);
    matches!((failed_at, before), (Some(failed), Some(cutoff)) if failed.unix_millis() < cutoff.unix_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTER: &str = r#"{"event":{"id":"abc","data":{}},"delivery":{"reason":"permanent_failure","attempts":1,"last_status":400,"last_error":null,"failed_at":"2026-11-26T09:00:00.000Z"}}"#;

    #[test]
    fn letters_failed_before_the_cutoff_are_replayed_the_rest_held() {
        let letter = read_letter(LETTER).unwrap_or_else(|| unreachable!());
        assert_eq!(letter.event, r#"{"id":"abc","data":{}}"#);
        let at = |text| parse_report_time(text);
        assert!(replays(&letter, at("2026-11-26T09:00:00.001Z")));
        assert!(
            !replays(&letter, at("2026-11-26T09:00:00Z")),
            "not strictly before"
        );
        assert!(!replays(&letter, None), "no setting: held");
    }

    #[test]
    fn events_and_other_bodies_are_not_letters() {
        assert!(read_letter(r#"{"specversion":"1.0","id":"x"}"#).is_none());
        assert!(read_letter(r#"{"event":1,"delivery":{"failed_at":"x"}}"#).is_none());
        assert!(read_letter("not json").is_none());
    }
}
