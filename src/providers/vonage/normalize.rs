//! Vonage's callbacks onto the shared event model (`docs/providers.md`, "Vonage"), told apart
//! by shape: a `message_uuid` is the Messages API's, anything else the SMS API's. Every field
//! not mapped stays in `extra`, but for the SMS API signature's `sig`, `nonce` and `timestamp`,
//! which are the signature's (as a signature header is), so a callback Vonage signs again when
//! it retries keeps its id.

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State};
use crate::payload::{Fields, PayloadError};
use crate::providers::common::utc_time;
use crate::providers::mapped::{self, listed, Numbers, ReportNames, UplinkNames};

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

/// An SMS API delivery receipt: one per part, `err-code` `0` meaning none. `updated_at` is
/// `message-timestamp` (UTC, when Vonage began pushing it; the carrier's `scts` stays raw in
/// `extra`).
const SMS_STATUS: ReportNames = ReportNames {
    provider: PROVIDER,
    id: "messageId",
    status: "status",
    error: Some("err-code"),
    no_error: "0",
    error_unless_delivered: false,
    description: None,
    recipient: "msisdn",
    numbers: Numbers::BareDigits,
    extend: None,
    updated: "message-timestamp",
    sent: None,
    time: utc_time,
    segments: None,
    outcome: |status, _| listed(OUTCOMES, status),
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

/// A Messages API status, at its `timestamp`: its `error` object stays in `extra`.
const MESSAGES_STATUS: ReportNames = ReportNames {
    error: None,
    no_error: "",
    recipient: "to",
    id: "message_uuid",
    updated: "timestamp",
    mapped: &["message_uuid", "status", "to", "timestamp"],
    ..SMS_STATUS
};

/// An SMS API inbound message: `text` its body (empty for a binary SMS, whose `data` and
/// `udh` stay in `extra`, as do a long message's `concat-*`: each part is an event).
const SMS_INBOUND: UplinkNames = UplinkNames {
    provider: PROVIDER,
    id: Some("messageId"),
    from: "msisdn",
    to: &["to"],
    numbers: Numbers::BareDigits,
    body: &["text"],
    body_may_be_absent: true,
    created: Some("message-timestamp"),
    time: utc_time,
    mapped: &[
        "messageId",
        "msisdn",
        "to",
        "text",
        "message-timestamp",
        "sig",
        "nonce",
        "timestamp",
    ],
    kept: &[],
};

/// A Messages API inbound message, at its `timestamp`.
const MESSAGES_INBOUND: UplinkNames = UplinkNames {
    id: Some("message_uuid"),
    from: "from",
    created: Some("timestamp"),
    mapped: &["message_uuid", "from", "to", "text", "timestamp"],
    ..SMS_INBOUND
};

/// A status callback, by the table of the API that sent it.
pub fn status(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let names = match messages_api(fields) {
        true => &MESSAGES_STATUS,
        false => &SMS_STATUS,
    };
    mapped::report(names, fields, receipt)
}

/// An inbound message, by the table of the API that sent it.
pub fn inbound(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let names = match messages_api(fields) {
        true => &MESSAGES_INBOUND,
        false => &SMS_INBOUND,
    };
    mapped::uplink(names, fields, receipt)
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
