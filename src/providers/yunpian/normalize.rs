//! Yunpian's status report and reply fields onto the shared event model
//! (`docs/providers.md`, "Yunpian"), as tables for [`crate::providers::mapped`].

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State};
use crate::payload::{Fields, PayloadError};
use crate::providers::common::china_time;
use crate::providers::mapped::{self, Numbers, ReportNames, UplinkNames};

/// What `report_status` says (`docs/delivery-states.md`, "Yunpian"): each pushed report is the
/// message's last.
pub fn outcome(report_status: &str) -> Outcome {
    match report_status {
        "SUCCESS" => Outcome::of(State::Delivered, true),
        "FAIL" => Outcome::of(State::Failed, true),
        _ => Outcome::UNRECOGNISED,
    }
}

/// A status report. `message_id` is `sid` digit for digit (a 64-bit integer, more than a
/// JavaScript number holds: its JSON text is taken, never a float); `status` is
/// `report_status`, `error_code` the carrier's `error_msg` (`DB:0103`, `YP:54`; empty on
/// success), `status_description` `error_detail`; `extend` the caller's `uid`; `mobile` stays
/// as sent (`+86` stripped for China, international with `+`); `user_receive_time` is
/// Beijing time.
pub const REPORT: ReportNames = ReportNames {
    provider: PROVIDER,
    id: "sid",
    status: "report_status",
    error: Some("error_msg"),
    no_error: "",
    error_unless_delivered: false,
    description: Some("error_detail"),
    recipient: "mobile",
    numbers: Numbers::Verbatim,
    extend: Some("uid"),
    updated: "user_receive_time",
    sent: None,
    time: china_time,
    segments: None,
    outcome: |status, _| outcome(status),
    mapped: &[
        "sid",
        "report_status",
        "error_msg",
        "error_detail",
        "mobile",
        "uid",
        "user_receive_time",
    ],
    kept: &[],
};

/// A reply. `to` is the extension it was sent to, `base_extend` (the account's) followed by
/// `extend` (the one the message it answers was sent with; empty if none); both also stay in
/// `extra`, and so does `_sign`. `reply_time` is Beijing time.
pub const REPLY: UplinkNames = UplinkNames {
    provider: PROVIDER,
    id: Some("id"),
    from: "mobile",
    to: &["base_extend", "extend"],
    numbers: Numbers::Verbatim,
    body: &["text"],
    body_may_be_absent: false,
    created: Some("reply_time"),
    time: china_time,
    mapped: &[
        "id",
        "mobile",
        "base_extend",
        "extend",
        "text",
        "reply_time",
    ],
    kept: &["base_extend", "extend"],
};

pub fn report(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    mapped::report(&REPORT, fields, receipt)
}

pub fn reply(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    mapped::uplink(&REPLY, fields, receipt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::event::{AuthInfo, EventData};
    use crate::payload::json_object;

    #[test]
    fn report_status_values_and_unknown_ones() {
        assert_eq!(outcome("SUCCESS"), Outcome::of(State::Delivered, true));
        assert_eq!(outcome("FAIL"), Outcome::of(State::Failed, true));
        for other in ["UNKNOWN", "success", ""] {
            assert_eq!(outcome(other), Outcome::UNRECOGNISED, "{other}");
        }
    }

    #[test]
    fn a_sid_beyond_2_53_is_kept_digit_for_digit() {
        let receipt = Receipt::new(Timestamp::from_unix_seconds(0), AuthInfo::Token);
        let fields = json_object(
            br#"{"sid":12345678901234567891,"report_status":"SUCCESS","uid":123456789012345678901}"#,
        )
        .unwrap();
        let Ok(EventData::StatusReport(report)) = report(&fields, &receipt).map(|e| e.data) else {
            panic!("a report")
        };
        assert_eq!(&*report.message_id, "12345678901234567891");
        assert_eq!(report.extend.as_deref(), Some("123456789012345678901"));
    }
}
