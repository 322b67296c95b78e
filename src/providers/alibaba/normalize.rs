//! Alibaba's `SmsReport` and `SmsUp` fields onto the shared event model
//! (`docs/providers.md` §1 and §4).

use super::PROVIDER;
use crate::event::{CloudEvent, Outcome, Receipt, State, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{Extra, Fields, PayloadError};
use crate::providers::common::{
    china_time, count, flag, message_id, optional_message_id, owned, unmapped,
};
use std::borrow::Cow;

const REPORT_FIELDS: [&str; 7] = [
    "biz_id",
    "err_code",
    "success",
    "err_msg",
    "phone_number",
    "out_id",
    "report_time",
];
/// Mapped, and kept verbatim in `extra` too: `delivered` only reflects it. (`sms_size`, the
/// `segments` count, and `send_time` are not in the list above, so they stay in `extra`.)
const KEPT_IN_EXTRA: [&str; 1] = ["success"];

/// What a domestic receipt's `success` says (`docs/delivery-states.md`, "Alibaba Cloud"):
/// each receipt is the message's last.
pub fn outcome(success: bool) -> Outcome {
    if success {
        Outcome::of(State::Delivered, true)
    } else {
        Outcome::of(State::Failed, true)
    }
}

/// One `SmsReport` entry. The state is Alibaba's `success`; `status` its `err_code`
/// (`DELIVERED` on success), which is also the `error_code` of a failure.
pub fn report(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([id, code, success, description, phone, out_id, reported], _) =
        fields.pick(&REPORT_FIELDS);
    let message_id = message_id(id, "biz_id")?;
    let status = value_required(code, "err_code")?.into_owned();
    let delivered = flag(success, "success")?.ok_or(PayloadError::MissingField("success"))?;
    let segments = count(fields.get("sms_size"), "sms_size")?;
    let updated_at = china_time(reported, "report_time")?;
    let extra = unmapped(fields, &REPORT_FIELDS, &KEPT_IN_EXTRA)?;
    let outcome = outcome(delivered);
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: (!delivered).then(|| status.clone()),
        status,
        delivered,
        status_description: value_non_empty(description, "err_msg")?
            .map(|text| Cow::Owned(text.into_owned())),
        report_source: None,
        segment: None,
        segments,
        recipient: owned(value_text(phone, "phone_number")?),
        extend: owned(value_text(out_id, "out_id")?),
        org_code: None,
        updated_at,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra,
    };
    Ok(CloudEvent::status_report(PROVIDER, data))
}

const UPLINK_FIELDS: [&str; 5] = [
    "sequence_id",
    "phone_number",
    "dest_code",
    "content",
    "send_time",
];

/// One `SmsUp` entry. `to` is the `dest_code` extension the subscriber replied to; Alibaba
/// gives no fuller number.
pub fn uplink(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([sequence, phone, dest, content, sent], others) = fields.pick(&UPLINK_FIELDS);
    let message_id = optional_message_id(sequence, "sequence_id")?;
    let from = value_required(phone, "phone_number")?.into_owned();
    let body = value_text(content, "content")?
        .ok_or(PayloadError::MissingField("content"))?
        .into_owned();
    let created_at = china_time(sent, "send_time")?;
    let to = owned(value_text(dest, "dest_code")?);
    let data = UplinkData {
        message_id,
        from,
        to,
        body,
        created_at,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: if others == 0 {
            Extra::default()
        } else {
            unmapped(fields, &UPLINK_FIELDS, &[])?
        },
    };
    Ok(CloudEvent::uplink(PROVIDER, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_delivered_anything_else_failed_and_both_final() {
        assert_eq!(outcome(true), Outcome::of(State::Delivered, true));
        assert_eq!(outcome(false), Outcome::of(State::Failed, true));
    }
}
