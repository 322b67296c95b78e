//! Sinch's callback bodies onto the shared event model (`docs/providers.md`, "Sinch"). One
//! URL takes every kind, told apart by `type`:
//!
//! - `recipient_delivery_report_sms` / `_mms` (`per_recipient`, `per_recipient_final`): one
//!   status report;
//! - `delivery_report_sms` / `_mms` (`summary`, `full`): one status report per `statuses[]`
//!   entry, `recipient` null, or, where the entry lists its `recipients` (`full`), one per
//!   recipient;
//! - `mo_text`, `mo_binary`, `mo_media`: one uplink.
//!
//! Any other `type`, or a body that cannot be read, is kept whole as `unparsed`.

use super::PROVIDER;
use crate::event::{CloudEvent, Ingested, Outcome, Receipt, State};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{entry_fields, json_array_of, json_object, FieldValue, Fields, PayloadError};
use crate::providers::common::{count, e164, message_id, owned, unmapped, Push};
use crate::providers::events::{iso_time, merged, Report, Uplink};
use std::borrow::Cow;

/// Most events one callback may become: a `full` report lists every recipient of a batch, and
/// each event is a queue message and a KV write, within a Worker's KV operations per request.
/// A longer report is kept whole as `unparsed` (`batch_too_large`).
pub const MAX_SINCH_EVENTS: usize = crate::sinks::kv::KV_OPERATIONS_PER_INVOCATION;

const NOT_FINAL_ACCEPTED: Outcome = Outcome::of(State::Accepted, false);
const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Every delivery status Sinch documents, lower-cased (`docs/delivery-states.md`, "Sinch").
const OUTCOMES: &[(&str, Outcome)] = &[
    ("queued", NOT_FINAL_ACCEPTED),
    ("dispatched", Outcome::of(State::Sent, false)),
    ("delivered", Outcome::of(State::Delivered, true)),
    ("failed", FAILED),
    ("rejected", FAILED),
    ("aborted", FAILED),
    ("cancelled", FAILED),
    ("deleted", FAILED),
    ("expired", Outcome::of(State::Expired, true)),
    ("unknown", Outcome::of(State::Unknown, true)),
];

/// A status's state and finality, whatever its case (Sinch's REST API writes `Delivered`, its
/// Python SDK `DELIVERED`).
pub fn outcome(status: &str) -> Outcome {
    OUTCOMES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(status))
        .map_or(Outcome::UNRECOGNISED, |(_, outcome)| *outcome)
}

/// The callback's events, or the whole body kept as `unparsed`.
pub fn callback(push: Push<'_>, body: &[u8]) -> Ingested {
    let read = json_object(body).and_then(|fields| {
        let kind = value_required(fields.get("type"), "type")?;
        let receipt = push.receipt();
        match kind.as_ref() {
            "recipient_delivery_report_sms" | "recipient_delivery_report_mms" => {
                let recipient = value_text(fields.get("recipient"), "recipient")?;
                Ok(vec![report(
                    &fields,
                    recipient,
                    &RECIPIENT_MAPPED,
                    receipt,
                )?])
            }
            "delivery_report_sms" | "delivery_report_mms" => batch_report(&fields, receipt),
            "mo_text" | "mo_binary" | "mo_media" => {
                Ok(vec![inbound(&fields, kind == "mo_media", receipt)?])
            }
            _ => Err(PayloadError::InvalidField("type")),
        }
    });
    match read {
        Ok(mut events) => {
            for event in &mut events {
                event.origin = Some(0..body.len());
            }
            push.stored(events)
        }
        Err(error) => push.refused(error),
    }
}

/// What a report's fields are read as, in this order (`recipient` is read by the caller).
const REPORT_FIELDS: [&str; 6] = [
    "batch_id",
    "status",
    "code",
    "at",
    "client_reference",
    "number_of_message_parts",
];
/// What a per-recipient report maps.
const RECIPIENT_MAPPED: [&str; 7] = [
    "batch_id",
    "status",
    "code",
    "at",
    "client_reference",
    "number_of_message_parts",
    "recipient",
];
/// What an entry of a summary or full report maps, its report's members and its own together.
const ENTRY_MAPPED: [&str; 8] = [
    "batch_id",
    "status",
    "code",
    "at",
    "client_reference",
    "number_of_message_parts",
    "statuses",
    "recipients",
];
/// Mapped, and kept verbatim in `extra` too: `error_code` holds `code` only when it explains
/// a failure, so the code of a delivery (`0`) stays on record there.
const KEPT: [&str; 1] = ["code"];

/// One status report for `recipient` (E.164 once a `+` is added to bare digits). `updated_at`
/// is `at`, when Sinch made the report; `operator_status_at`, the SMSC's own time (not on
/// every report, and with the SMSC's precision), stays in `extra` with every field not in
/// `mapped`. `error_code` is `code` unless the report is progress or a delivery.
fn report(
    fields: &Fields<'_>,
    recipient: Option<Cow<'_, str>>,
    mapped: &[&str],
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let ([batch, status, code, at, reference, parts], _) = fields.pick(&REPORT_FIELDS);
    let status = value_required(status, "status")?;
    let outcome = outcome(&status);
    let report = Report {
        message_id: message_id(batch, "batch_id")?,
        outcome,
        error_code: match outcome.state {
            State::Accepted | State::Sent | State::Delivered | State::Read => None,
            _ => owned(value_non_empty(code, "code")?),
        },
        status_description: None,
        segments: count(parts, "number_of_message_parts")?,
        recipient: recipient.map(|number| e164(&number).into_owned()),
        extend: owned(value_text(reference, "client_reference")?),
        updated_at: iso_time(at, "at")?,
        sent_at: None,
        extra: unmapped(fields, mapped, &KEPT)?,
    };
    Ok(report.event(PROVIDER, status.into_owned(), receipt))
}

/// A `summary` or `full` report: one event per `statuses[]` entry, or per recipient of an
/// entry that lists them. Each entry is read with its report's members (`batch_id`,
/// `total_message_count`, `type`, …), so each event's `extra` holds both; a member the entry
/// and the report both name, with two values, makes the report unreadable, as a repeated field
/// does.
fn batch_report(fields: &Fields<'_>, receipt: &Receipt) -> Result<Vec<CloudEvent>, PayloadError> {
    let entries = match fields.get("statuses") {
        Some(FieldValue::Json(raw)) => json_array_of(raw.as_bytes(), MAX_SINCH_EVENTS)
            .map_err(|error| nested(error, "statuses"))?,
        _ => return Err(PayloadError::MissingField("statuses")),
    };
    let mut events = Vec::new();
    for entry in entries {
        let entry = entry_fields(entry).map_err(|error| nested(error, "statuses"))?;
        let merged = merged(fields, &entry, "", &[])?;
        let numbers = match merged.get("recipients") {
            Some(FieldValue::Json(list)) if *list != "null" && *list != "[]" => {
                json_array_of(list.as_bytes(), MAX_SINCH_EVENTS)
                    .map_err(|error| nested(error, "recipients"))?
            }
            _ => Vec::new(),
        };
        if events.len() + numbers.len().max(1) > MAX_SINCH_EVENTS {
            return Err(PayloadError::BatchTooLarge);
        }
        if numbers.is_empty() {
            events.push(report(&merged, None, &ENTRY_MAPPED, receipt)?);
        }
        for number in numbers {
            let value = FieldValue::Json(number);
            let number = value_text(Some(&value), "recipients")?
                .ok_or(PayloadError::InvalidField("recipients"))?;
            events.push(report(&merged, Some(number), &ENTRY_MAPPED, receipt)?);
        }
    }
    Ok(events)
}

/// A nested array's error as the field's: only its size is the body's.
fn nested(error: PayloadError, name: &'static str) -> PayloadError {
    match error {
        PayloadError::BatchTooLarge | PayloadError::DuplicateField(_) => error,
        _ => PayloadError::InvalidField(name),
    }
}

const INBOUND_FIELDS: [&str; 5] = ["id", "from", "to", "body", "received_at"];
/// An MMS's `body` is an object (`subject`, `message`, `media`): kept verbatim in `extra`.
const MEDIA_KEPT: [&str; 1] = ["body"];

/// An inbound (MO) message. `body` is the text of `mo_text`, the Base64 text of `mo_binary`
/// as sent (its `udh` and `type` stay in `extra`), and an MMS's `message` (empty without one),
/// its whole `body` object staying in `extra`. `created_at` is `received_at`, when Sinch
/// received it.
fn inbound(
    fields: &Fields<'_>,
    media: bool,
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let ([id, from, to, body, received], _) = fields.pick(&INBOUND_FIELDS);
    let text = match (media, body) {
        (true, Some(FieldValue::Json(raw))) => {
            let object = json_object(raw.as_bytes()).map_err(|error| nested(error, "body"))?;
            owned(value_text(object.get("message"), "body")?).unwrap_or_default()
        }
        (true, _) => return Err(PayloadError::MissingField("body")),
        (false, _) => owned(value_text(body, "body")?).ok_or(PayloadError::MissingField("body"))?,
    };
    let uplink = Uplink {
        message_id: message_id(id, "id")?,
        from: e164(&value_required(from, "from")?).into_owned(),
        to: value_text(to, "to")?.map(|number| e164(&number).into_owned()),
        body: text,
        created_at: iso_time(received, "received_at")?,
        extra: unmapped(
            fields,
            &INBOUND_FIELDS,
            if media { &MEDIA_KEPT } else { &[] },
        )?,
    };
    Ok(uplink.event(PROVIDER, receipt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_in_any_case() {
        for (status, state, is_final) in [
            ("Queued", State::Accepted, false),
            ("Dispatched", State::Sent, false),
            ("Delivered", State::Delivered, true),
            ("DELIVERED", State::Delivered, true),
            ("Failed", State::Failed, true),
            ("Rejected", State::Failed, true),
            ("Aborted", State::Failed, true),
            ("Cancelled", State::Failed, true),
            ("Deleted", State::Failed, true),
            ("Expired", State::Expired, true),
            ("Unknown", State::Unknown, true),
            ("Canceled", State::Unknown, false),
            ("", State::Unknown, false),
        ] {
            assert_eq!(outcome(status), Outcome::of(state, is_final), "{status}");
        }
    }
}
