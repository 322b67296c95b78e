//! Plivo's message status callback and inbound message parameters onto the shared event model
//! (`docs/providers.md`, "Plivo"): two tables read by [`mapped`]. Every parameter not mapped
//! here stays in `extra`, `Sequence` (the order Plivo generated a message's callbacks in)
//! among them.

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State};
use crate::payload::{Fields, PayloadError};
use crate::providers::common::utc_time;
use crate::providers::mapped::{self, listed, Numbers, ReportNames, UplinkNames};

const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Every `Status` Plivo documents (`docs/delivery-states.md`, "Plivo").
pub const OUTCOMES: &[(&str, Outcome)] = &[
    ("queued", Outcome::of(State::Accepted, false)),
    // May stay the last status where the carrier sends no receipt (US, Canada).
    ("sent", Outcome::of(State::Sent, false)),
    ("delivered", Outcome::of(State::Delivered, true)),
    ("undelivered", FAILED),
    ("failed", FAILED),
    ("rejected", FAILED),
    ("read", Outcome::of(State::Read, true)),
];

/// A message status callback. `updated_at` is `DeliveryReportTime` read as UTC, its fraction
/// as written; the zone is not documented, so the raw value also stays in `extra`. `To` is
/// E.164 with its `+`.
pub const STATUS: ReportNames = ReportNames {
    provider: PROVIDER,
    id: "MessageUUID",
    status: "Status",
    error: Some("ErrorCode"),
    no_error: "",
    error_unless_delivered: false,
    description: None,
    recipient: "To",
    numbers: Numbers::BareDigits,
    extend: None,
    updated: "DeliveryReportTime",
    sent: None,
    time: utc_time,
    segments: Some("Units"),
    outcome: |status, _| listed(OUTCOMES, status),
    mapped: &[
        "MessageUUID",
        "Status",
        "To",
        "ErrorCode",
        "Units",
        "DeliveryReportTime",
    ],
    kept: &["DeliveryReportTime"],
};

/// An inbound message: its body is `Text` (an SMS, which Plivo has already joined), else
/// `Body` (MMS, WhatsApp), the other one kept in `extra`. Plivo sends no time with it.
pub const INBOUND: UplinkNames = UplinkNames {
    provider: PROVIDER,
    id: Some("MessageUUID"),
    from: "From",
    to: &["To"],
    numbers: Numbers::BareDigits,
    body: &["Text", "Body"],
    body_may_be_absent: false,
    created: None,
    time: utc_time,
    mapped: &["MessageUUID", "From", "To", "Text", "Body"],
    kept: &[],
};

pub fn status(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    mapped::report(&STATUS, fields, receipt)
}

pub fn inbound(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    mapped::uplink(&INBOUND, fields, receipt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_has_its_state() {
        for (status, state, is_final) in [
            ("queued", State::Accepted, false),
            ("sent", State::Sent, false),
            ("delivered", State::Delivered, true),
            ("undelivered", State::Failed, true),
            ("failed", State::Failed, true),
            ("rejected", State::Failed, true),
            ("read", State::Read, true),
            ("Delivered", State::Unknown, false),
            ("receiving", State::Unknown, false),
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
