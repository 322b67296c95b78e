//! Tencent's status report and reply fields onto the shared event model
//! (`docs/providers.md` §2 and §4).

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{FieldValue, Fields, PayloadError};
use crate::providers::common::{china_time, message_id, owned, unix_time, unmapped};
use std::borrow::Cow;

const REPORT_FIELDS: [&str; 8] = [
    "sid",
    "errmsg",
    "report_status",
    "description",
    "nationcode",
    "mobile",
    "ext",
    "user_receive_time",
];
/// Mapped, and kept verbatim in `extra` too: `report_status` is only reflected in
/// `delivered`, and the recipient joins `nationcode` and `mobile`.
const REPORT_KEPT: [&str; 3] = ["report_status", "nationcode", "mobile"];

/// What `report_status` says (`docs/delivery-states.md`, "Tencent Cloud").
pub fn outcome(report_status: &str) -> Outcome {
    match report_status {
        "SUCCESS" => Outcome::of(State::Delivered, true),
        "FAIL" => Outcome::of(State::Failed, true),
        _ => Outcome::UNRECOGNISED,
    }
}

/// The carrier code Tencent sends on success.
const DELIVERED_ERRMSG: &str = "DELIVRD";

/// One status report. `status` is the carrier's code (`errmsg`, `DELIVRD` on success), and
/// the `error_code` of anything but a delivery; the state is `report_status`'s.
pub fn report(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([sid, errmsg, report_status, description, nationcode, mobile, ext, received], _) =
        fields.pick(&REPORT_FIELDS);
    let message_id = message_id(sid, "sid")?;
    let status = value_required(errmsg, "errmsg")?.into_owned();
    let outcome = outcome(&value_required(report_status, "report_status")?);
    let updated_at = china_time(received, "user_receive_time")?;
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: (outcome.state != State::Delivered && status != DELIVERED_ERRMSG)
            .then(|| status.clone()),
        delivered: outcome.state.is_delivered(),
        status,
        status_description: value_non_empty(description, "description")?
            .map(|text| Cow::Owned(text.into_owned())),
        report_source: None,
        segment: None,
        segments: None,
        recipient: number(nationcode, mobile)?,
        extend: owned(value_text(ext, "ext")?),
        org_code: None,
        updated_at,
        sent_at: None,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, &REPORT_FIELDS, &REPORT_KEPT)?,
    };
    Ok(CloudEvent::status_report(PROVIDER, data))
}

const REPLY_FIELDS: [&str; 4] = ["nationcode", "mobile", "text", "time"];
/// Kept verbatim in `extra` too: `from` joins them.
const REPLY_KEPT: [&str; 2] = ["nationcode", "mobile"];

/// One reply. Tencent gives it no id; the event's id hashes what it says. Tencent names no
/// number the reply was sent to, so `to` is null; `extend`, the channel's extension code
/// (empty unless Tencent enabled it for the account), stays in `extra` as sent: it is not a
/// number.
pub fn reply(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([nationcode, mobile, text, time], _) = fields.pick(&REPLY_FIELDS);
    let from = number(nationcode, mobile)?.ok_or(PayloadError::MissingField("mobile"))?;
    let to = None;
    let body = value_text(text, "text")?
        .ok_or(PayloadError::MissingField("text"))?
        .into_owned();
    let created_at = unix_time(time, "time")?;
    let data = UplinkData {
        message_id: None,
        from,
        to,
        body,
        created_at,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, &REPLY_FIELDS, &REPLY_KEPT)?,
    };
    Ok(CloudEvent::uplink(PROVIDER, data))
}

/// `+<nationcode><mobile>`; the mobile alone when there is no country code; `None` without a
/// mobile number.
fn number(
    nationcode: Option<&FieldValue<'_>>,
    mobile: Option<&FieldValue<'_>>,
) -> Result<Option<String>, PayloadError> {
    let Some(mobile) = value_non_empty(mobile, "mobile")? else {
        return Ok(None);
    };
    let mobile = mobile.trim();
    Ok(Some(match value_non_empty(nationcode, "nationcode")? {
        Some(code) => format!("+{}{mobile}", code.trim().trim_start_matches('+')),
        None => mobile.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_status_values_and_unknown_ones() {
        assert_eq!(outcome("SUCCESS"), Outcome::of(State::Delivered, true));
        assert_eq!(outcome("FAIL"), Outcome::of(State::Failed, true));
        for other in ["success", "", "PENDING"] {
            assert_eq!(outcome(other), Outcome::UNRECOGNISED, "{other}");
        }
    }
}
