//! Telnyx's Messaging webhooks onto the shared event model (`docs/providers.md`, "Telnyx").
//! The body is `{"data": {event_type, id, occurred_at, record_type, payload}, "meta": {…}}`:
//!
//! - `message.sent` and `message.finalized` carry each recipient's status in `payload.to[]`:
//!   one status report per entry;
//! - `message.received` is an inbound message: one uplink.
//!
//! `extra` holds the payload's unmapped members by their names, the rest of `data` as
//! `data.<name>` (`data.id`, Telnyx's event id, tells a `message.sent` from a
//! `message.finalized` of the same message), and any other top-level member but `meta`, which
//! says how the webhook was delivered (`attempt`, `delivered_to`), not what happened, and so
//! would give a redelivery other ids. Any other event type, or a body that cannot be read, is
//! kept whole as `unparsed`.

use super::PROVIDER;
use crate::event::{CloudEvent, Ingested, Outcome, Receipt, State};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{entry_fields, json_array, json_object, FieldValue, Fields, PayloadError};
use crate::providers::common::{count, message_id, owned, unmapped, Push};
use crate::providers::events::{iso_time, merged, Report, Uplink};

const NOT_FINAL_ACCEPTED: Outcome = Outcome::of(State::Accepted, false);
const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Every outbound `to[].status` Telnyx documents (`docs/delivery-states.md`, "Telnyx").
const OUTCOMES: &[(&str, Outcome)] = &[
    ("queued", NOT_FINAL_ACCEPTED),
    ("sending", NOT_FINAL_ACCEPTED),
    ("sent", Outcome::of(State::Sent, false)),
    ("delivered", Outcome::of(State::Delivered, true)),
    ("sending_failed", FAILED),
    ("delivery_failed", FAILED),
    ("delivery_unconfirmed", Outcome::of(State::Unknown, true)),
];

/// A recipient's status's state and finality.
pub fn outcome(status: &str) -> Outcome {
    crate::event::state::lookup(OUTCOMES, status).unwrap_or(Outcome::UNRECOGNISED)
}

/// The webhook's events, or the whole body kept as `unparsed`.
pub fn webhook(push: Push<'_>, body: &[u8]) -> Ingested {
    match json_object(body).and_then(|envelope| events(&envelope, push.receipt())) {
        Ok(mut events) => {
            for event in &mut events {
                event.origin = Some(0..body.len());
            }
            push.stored(events)
        }
        Err(error) => push.refused(error),
    }
}

/// The members of the object `value` (the member `name`).
fn object<'a>(
    value: Option<&FieldValue<'a>>,
    name: &'static str,
) -> Result<Fields<'a>, PayloadError> {
    match value {
        Some(FieldValue::Json(raw)) => json_object(raw.as_bytes()).map_err(|error| match error {
            PayloadError::DuplicateField(_) | PayloadError::TooManyFields => error,
            _ => PayloadError::InvalidField(name),
        }),
        _ => Err(PayloadError::MissingField(name)),
    }
}

fn events(envelope: &Fields<'_>, receipt: &Receipt) -> Result<Vec<CloudEvent>, PayloadError> {
    let data = object(envelope.get("data"), "data")?;
    let payload = object(data.get("payload"), "payload")?;
    // Every member an event keeps: the payload's, `data`'s, the envelope's but `meta`.
    let fields = merged(&payload, &data, "data.", &["payload"])?;
    let fields = merged(&fields, envelope, "", &["data", "meta"])?;
    let to = match payload.get("to") {
        Some(FieldValue::Json(raw)) => *raw,
        _ => return Err(PayloadError::MissingField("to")),
    };
    let recipients = json_array(to.as_bytes()).map_err(|error| match error {
        PayloadError::BatchTooLarge => error,
        _ => PayloadError::InvalidField("to"),
    })?;
    match value_required(data.get("event_type"), "event_type")?.as_ref() {
        "message.sent" | "message.finalized" => {
            let extra = unmapped(&fields, &REPORT_MAPPED, &[])?;
            let mut events = Vec::with_capacity(recipients.len());
            for recipient in recipients {
                events.push(report(&fields, recipient, &extra, receipt)?);
            }
            Ok(events)
        }
        "message.received" => Ok(vec![uplink(&fields, &recipients, receipt)?]),
        _ => Err(PayloadError::InvalidField("event_type")),
    }
}

const REPORT_FIELDS: [&str; 6] = [
    "id",
    "errors",
    "parts",
    "completed_at",
    "sent_at",
    "data.occurred_at",
];
/// The payload's members a report maps (`errors`, `to` and `data.occurred_at` stay in `extra`
/// too: `to` whole, every recipient's status, in each recipient's event).
const REPORT_MAPPED: [&str; 4] = ["id", "parts", "completed_at", "sent_at"];

/// The report of one `to[]` entry. Unless the recipient's
/// status is progress or a delivery, `error_code` and `status_description` are the first of
/// `errors[]`'s `code` and `title` (`errors` is the message's, so a group message's delivered
/// recipients do not take its failures; all of `errors` stays in `extra`); `updated_at` is
/// `completed_at`, else `data.occurred_at`.
fn report(
    fields: &Fields<'_>,
    recipient: &str,
    extra: &crate::payload::Extra,
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let ([id, errors, parts, completed, sent, occurred], _) = fields.pick(&REPORT_FIELDS);
    let entry = entry_fields(recipient).map_err(|_| PayloadError::InvalidField("to"))?;
    let status = value_required(entry.get("status"), "status")?.into_owned();
    let outcome = outcome(&status);
    let progress_or_success = matches!(
        outcome.state,
        State::Accepted | State::Sent | State::Delivered | State::Read
    );
    let (error_code, description) = match errors {
        Some(FieldValue::Json(list))
            if !progress_or_success && *list != "null" && *list != "[]" =>
        {
            let first = json_array(list.as_bytes())
                .ok()
                .and_then(|list| list.first().copied())
                .ok_or(PayloadError::InvalidField("errors"))?;
            let error = entry_fields(first).map_err(|_| PayloadError::InvalidField("errors"))?;
            (
                owned(value_non_empty(error.get("code"), "errors")?),
                owned(value_non_empty(error.get("title"), "errors")?),
            )
        }
        _ => (None, None),
    };
    let updated_at = match iso_time(completed, "completed_at")? {
        Some(time) => Some(time),
        None => iso_time(occurred, "occurred_at")?,
    };
    let report = Report {
        message_id: message_id(id, "id")?,
        outcome,
        error_code,
        status_description: description,
        segments: count(parts, "parts")?,
        recipient: owned(value_text(entry.get("phone_number"), "phone_number")?),
        extend: None,
        updated_at,
        sent_at: iso_time(sent, "sent_at")?,
        extra: extra.clone(),
    };
    Ok(report.event(PROVIDER, status, receipt))
}

const UPLINK_FIELDS: [&str; 4] = ["id", "from", "text", "received_at"];
/// `from` and `to` are objects of which the numbers are mapped: kept whole in `extra`.
const UPLINK_MAPPED: [&str; 3] = ["id", "text", "received_at"];

/// An inbound message: `from.phone_number`, `to[0].phone_number`, `text` (empty when absent or
/// null: an MMS may carry only media, which stays in `extra`), `received_at`.
fn uplink(
    fields: &Fields<'_>,
    recipients: &[&str],
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let ([id, from, text, received], _) = fields.pick(&UPLINK_FIELDS);
    let from =
        value_required(object(from, "from")?.get("phone_number"), "phone_number")?.into_owned();
    let to_number = match recipients.first() {
        Some(entry) => {
            let entry = entry_fields(entry).map_err(|_| PayloadError::InvalidField("to"))?;
            owned(value_text(entry.get("phone_number"), "phone_number")?)
        }
        None => None,
    };
    let uplink = Uplink {
        message_id: message_id(id, "id")?,
        from,
        to: to_number,
        body: owned(value_text(text, "text")?).unwrap_or_default(),
        created_at: iso_time(received, "received_at")?,
        extra: unmapped(fields, &UPLINK_MAPPED, &[])?,
    };
    Ok(uplink.event(PROVIDER, receipt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_recipient_status() {
        for (status, state, is_final) in [
            ("queued", State::Accepted, false),
            ("sending", State::Accepted, false),
            ("sent", State::Sent, false),
            ("delivered", State::Delivered, true),
            ("sending_failed", State::Failed, true),
            ("delivery_failed", State::Failed, true),
            ("delivery_unconfirmed", State::Unknown, true),
            ("webhook_delivered", State::Unknown, false),
            ("Delivered", State::Unknown, false),
        ] {
            assert_eq!(outcome(status), Outcome::of(state, is_final), "{status}");
        }
    }
}
