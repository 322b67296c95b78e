//! Volcengine's status report and uplink fields onto the shared event model
//! (`docs/providers.md`, "Volcengine"), as tables for [`crate::providers::mapped`].

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State};
use crate::payload::{Fields, PayloadError};
use crate::providers::common::unix_millis_time;
use crate::providers::mapped::{self, Numbers, ReportNames, UplinkNames};

/// What a report says (`docs/delivery-states.md`, "Volcengine"): `status_code` `"0"` is a
/// delivery, anything else a failure, and an `EXPIRED` description an expiry; each report is
/// the message's last.
pub fn outcome(status_code: &str, description: Option<&str>) -> Outcome {
    let state = match (status_code, description) {
        ("0", _) => State::Delivered,
        (_, Some("EXPIRED")) => State::Expired,
        _ => State::Failed,
    };
    Outcome::of(state, true)
}

/// A status report: `status` is `status_code` as sent (`"0"` on success); `description`, the
/// carrier's code (`DELIVRD`, `NE:0101`, …), is `status_description` and, unless delivered,
/// the `error_code`; `mobile` stays as sent (national for China, masked in the docs); both
/// times are Unix milliseconds; `msg_count` is `segments`, `ext` (the send's `Tag`) `extend`.
pub const REPORT: ReportNames = ReportNames {
    provider: PROVIDER,
    id: "message_id",
    status: "status_code",
    error: Some("description"),
    no_error: "",
    error_unless_delivered: true,
    description: Some("description"),
    recipient: "mobile",
    numbers: Numbers::Verbatim,
    extend: Some("ext"),
    updated: "recv_time",
    sent: Some("send_time"),
    time: unix_millis_time,
    segments: Some("msg_count"),
    outcome,
    mapped: &[
        "message_id",
        "status_code",
        "description",
        "mobile",
        "ext",
        "recv_time",
        "send_time",
        "msg_count",
    ],
    kept: &[],
};

/// An uplink: Volcengine gives it no id, so `message_id` is null and the event's id hashes
/// what the uplink says; `to` is the channel number it was sent to (`service_id`, where given).
pub const UPLINK: UplinkNames = UplinkNames {
    provider: PROVIDER,
    id: None,
    from: "mobile",
    to: &["service_id"],
    numbers: Numbers::Verbatim,
    body: &["content"],
    body_may_be_absent: false,
    created: Some("recv_time"),
    time: unix_millis_time,
    mapped: &["mobile", "service_id", "content", "recv_time"],
    kept: &[],
};

pub fn report(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    mapped::report(&REPORT, fields, receipt)
}

pub fn uplink(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    mapped::uplink(&UPLINK, fields, receipt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_code_zero_is_delivered_anything_else_failed_and_expired_by_description() {
        assert_eq!(
            outcome("0", Some("DELIVRD")),
            Outcome::of(State::Delivered, true)
        );
        assert_eq!(outcome("0", None), Outcome::of(State::Delivered, true));
        for (code, description) in [("1", Some("NE:0101")), ("2", None), ("", Some("DELIVRD"))] {
            assert_eq!(
                outcome(code, description),
                Outcome::of(State::Failed, true),
                "{code}"
            );
        }
        assert_eq!(
            outcome("1", Some("EXPIRED")),
            Outcome::of(State::Expired, true)
        );
    }
}
