//! Vonage's callbacks onto the shared event model (`docs/providers.md`, "Vonage"), told apart
//! by shape: a `message_uuid` is the Messages API's, anything else the SMS API's. Every field
//! not mapped stays in `extra`, but for the SMS API signature's `sig`, `nonce` and `timestamp`,
//! which are the signature's (as a signature header is), so a callback Vonage signs again when
//! it retries keeps its id.

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State};
use crate::payload::{Fields, PayloadError};
use crate::providers::plivo::normalize::{report_time, status_report, text, uplink, StatusNames};

const SENT: Outcome = Outcome::of(State::Sent, false);
const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Every status the SMS API and the Messages API document (`docs/delivery-states.md`,
/// "Vonage"); the two share `delivered` and `rejected`.
pub const OUTCOMES: &[(&str, Outcome)] = &[
    ("accepted", SENT),
    ("buffered", SENT),
    ("delivered", Outcome::of(State::Delivered, true)),
    ("expired", Outcome::of(State::Expired, true)),
    ("undelivered", FAILED),
    ("failed", FAILED),
    ("rejected", FAILED),
    ("unknown", Outcome::of(State::Unknown, true)),
    ("submitted", SENT),
    ("undeliverable", FAILED),
    ("read", Outcome::of(State::Read, true)),
];

/// An SMS API delivery receipt: one per part, `err-code` `0` meaning none.
const SMS_STATUS: StatusNames = StatusNames {
    id: "messageId",
    status: "status",
    recipient: "msisdn",
    error_code: Some("err-code"),
    no_error: "0",
    segments: None,
    mapped: &[
        "messageId",
        "status",
        "msisdn",
        "err-code",
        "message-timestamp",
        "sig",
        "nonce",
        "timestamp",
    ],
    kept: &[],
};

/// A Messages API status: its `error` object stays in `extra`.
const MESSAGES_STATUS: StatusNames = StatusNames {
    id: "message_uuid",
    status: "status",
    recipient: "to",
    error_code: None,
    no_error: "",
    segments: None,
    mapped: &["message_uuid", "status", "to", "timestamp"],
    kept: &[],
};

/// A status callback. `updated_at` is an SMS API receipt's `message-timestamp` (UTC, when
/// Vonage began pushing it; the carrier's `scts` stays raw in `extra`), a Messages API
/// status's `timestamp`.
pub fn status(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let (names, updated_at) = if messages_api(fields) {
        (&MESSAGES_STATUS, report_time(fields, "timestamp")?)
    } else {
        (&SMS_STATUS, report_time(fields, "message-timestamp")?)
    };
    status_report(PROVIDER, names, OUTCOMES, fields, receipt, updated_at)
}

/// An inbound message: `text` its body (empty for a binary SMS, whose `data` and `udh` stay
/// in `extra`, as do a long message's `concat-*`: each part is an event).
pub fn inbound(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let body = text(fields, "text")?.unwrap_or_default().into_owned();
    if messages_api(fields) {
        let mapped = &["message_uuid", "from", "to", "text", "timestamp"];
        let names = ["message_uuid", "from", "to"];
        let created_at = report_time(fields, "timestamp")?;
        return uplink(
            PROVIDER,
            fields,
            receipt,
            names,
            body,
            created_at,
            mapped,
            &[],
        );
    }
    let mapped = &[
        "messageId",
        "msisdn",
        "to",
        "text",
        "message-timestamp",
        "sig",
        "nonce",
        "timestamp",
    ];
    let created_at = report_time(fields, "message-timestamp")?;
    let names = ["messageId", "msisdn", "to"];
    uplink(
        PROVIDER,
        fields,
        receipt,
        names,
        body,
        created_at,
        mapped,
        &[],
    )
}

/// Whether the callback is the Messages API's.
pub fn messages_api(fields: &Fields<'_>) -> bool {
    fields.get("message_uuid").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_has_its_state() {
        for (status, state, is_final) in [
            ("accepted", State::Sent, false),
            ("buffered", State::Sent, false),
            ("delivered", State::Delivered, true),
            ("expired", State::Expired, true),
            ("undelivered", State::Failed, true),
            ("failed", State::Failed, true),
            ("rejected", State::Failed, true),
            ("unknown", State::Unknown, true),
            ("submitted", State::Sent, false),
            ("undeliverable", State::Failed, true),
            ("read", State::Read, true),
            ("DELIVERED", State::Unknown, false),
        ] {
            let outcome = crate::event::state::lookup(OUTCOMES, status);
            assert_eq!(
                outcome.unwrap_or(Outcome::UNRECOGNISED),
                Outcome::of(state, is_final),
                "{status}"
            );
        }
    }
}
