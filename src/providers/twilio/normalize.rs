//! Twilio's status callback and inbound message parameters onto the shared event model
//! (`docs/providers.md` §3 and §4). Twilio adds parameters without notice: every one not
//! mapped here stays in `extra`, including the raw `RawDlrDoneDate`.

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{Fields, PayloadError};
use crate::providers::common::{count, message_id, owned, unmapped};

const NOT_FINAL_ACCEPTED: Outcome = Outcome::of(State::Accepted, false);
const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Every `MessageStatus` Twilio documents (`docs/delivery-states.md`, "Twilio").
const OUTCOMES: &[(&str, Outcome)] = &[
    ("queued", NOT_FINAL_ACCEPTED),
    ("accepted", NOT_FINAL_ACCEPTED),
    ("scheduled", NOT_FINAL_ACCEPTED),
    ("sending", NOT_FINAL_ACCEPTED),
    // May stay the last status where the carrier returns no receipt.
    ("sent", Outcome::of(State::Sent, false)),
    // A `read` may still follow; both are final outcomes of the delivery.
    ("delivered", Outcome::of(State::Delivered, true)),
    ("undelivered", FAILED),
    ("failed", FAILED),
    ("canceled", FAILED),
    ("read", Outcome::of(State::Read, true)),
    ("partially_delivered", Outcome::UNRECOGNISED),
];

/// `MessageStatus`'s state and finality.
pub fn outcome(message_status: &str) -> Outcome {
    crate::event::state::lookup(OUTCOMES, message_status).unwrap_or(Outcome::UNRECOGNISED)
}

const STATUS_FIELDS: [&str; 4] = ["MessageSid", "MessageStatus", "To", "ErrorCode"];

/// A status callback. Its state is `MessageStatus`'s, its `error_code` Twilio's `ErrorCode`.
/// Twilio's only time, `RawDlrDoneDate`, has no zone and minute precision, so `updated_at`
/// is null (the event's `time` is when the relay received it) and the raw value stays in
/// `extra`.
pub fn status(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([sid, message_status, to, error_code], _) = fields.pick(&STATUS_FIELDS);
    let message_id = message_id(sid, "MessageSid")?;
    let status = value_required(message_status, "MessageStatus")?.into_owned();
    let outcome = outcome(&status);
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: owned(value_non_empty(error_code, "ErrorCode")?),
        delivered: outcome.state.is_delivered(),
        status,
        status_description: None,
        report_source: None,
        segment: None,
        segments: count(fields.get("NumSegments"), "NumSegments")?,
        recipient: owned(value_text(to, "To")?),
        extend: None,
        org_code: None,
        updated_at: None,
        sent_at: None,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, &STATUS_FIELDS, &[])?,
    };
    Ok(CloudEvent::status_report(PROVIDER, data))
}

const INBOUND_FIELDS: [&str; 4] = ["MessageSid", "From", "To", "Body"];

/// An inbound message. Twilio sends no time with it: `created_at` is null and the event's
/// `time` is when the relay received it.
pub fn inbound(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([sid, from, to, body], _) = fields.pick(&INBOUND_FIELDS);
    let message_id = message_id(sid, "MessageSid")?;
    let data = UplinkData {
        message_id: Some(message_id),
        from: value_required(from, "From")?.into_owned(),
        to: owned(value_text(to, "To")?),
        // An empty text is still a message (a picture alone, say); only absence is an error.
        body: value_text(body, "Body")?
            .ok_or(PayloadError::MissingField("Body"))?
            .into_owned(),
        created_at: None,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, &INBOUND_FIELDS, &[])?,
    };
    Ok(CloudEvent::uplink(PROVIDER, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_message_status_has_its_state() {
        for (status, state, is_final) in [
            ("queued", State::Accepted, false),
            ("accepted", State::Accepted, false),
            ("scheduled", State::Accepted, false),
            ("sending", State::Accepted, false),
            ("sent", State::Sent, false),
            ("delivered", State::Delivered, true),
            ("undelivered", State::Failed, true),
            ("failed", State::Failed, true),
            ("canceled", State::Failed, true),
            ("read", State::Read, true),
            ("partially_delivered", State::Unknown, false),
            ("receiving", State::Unknown, false),
            ("Delivered", State::Unknown, false),
        ] {
            assert_eq!(outcome(status), Outcome::of(state, is_final), "{status}");
        }
    }
}
