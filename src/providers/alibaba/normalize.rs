//! Alibaba's `SmsReport` and `SmsUp` fields onto the shared event model
//! (`docs/providers.md` §1 and §4).

use super::PROVIDER;
use crate::clock::parse_offset_time;
use crate::event::{CloudEvent, Outcome, Receipt, State, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{Extra, FieldValue, Fields, PayloadError};
use crate::providers::common::{
    china_time, count, flag, message_id, optional_message_id, owned, unmapped,
};
use std::borrow::Cow;
use std::rc::Rc;

const REPORT_FIELDS: [&str; 8] = [
    "biz_id",
    "err_code",
    "success",
    "err_msg",
    "phone_number",
    "out_id",
    "report_time",
    "send_time",
];
/// Mapped, and kept verbatim in `extra` too: `delivered` only reflects it. (`sms_size`, the
/// `segments` count, is not in the list above, so it stays in `extra`.)
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

/// One `SmsReport` entry: a domestic receipt (`biz_id`, …), or an international one
/// (`MessageId`, `Status`, …: Alibaba's international and Hong Kong, Macao and Taiwan
/// messages), told apart by their field names.
pub fn report(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    if fields.get("biz_id").is_none() && fields.get("MessageId").is_some() {
        return international(fields, receipt);
    }
    domestic(fields, receipt)
}

/// A domestic receipt. The state is Alibaba's `success`; `status` its `err_code`
/// (`DELIVERED` on success), which is also the `error_code` of a failure. Both times are
/// Beijing time.
fn domestic(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([id, code, success, description, phone, out_id, reported, sent], _) =
        fields.pick(&REPORT_FIELDS);
    let message_id = message_id(id, "biz_id")?;
    let status = value_required(code, "err_code")?.into_owned();
    let delivered = flag(success, "success")?.ok_or(PayloadError::MissingField("success"))?;
    let segments = count(fields.get("sms_size"), "sms_size")?;
    let updated_at = china_time(reported, "report_time")?;
    let sent_at = china_time(sent, "send_time")?;
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
        sent_at,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra,
    };
    Ok(CloudEvent::status_report(PROVIDER, data))
}

const INTERNATIONAL_FIELDS: [&str; 9] = [
    "MessageId",
    "Status",
    "ErrorCode",
    "ErrorDescription",
    "To",
    "TaskId",
    "SmsSize",
    "ReceiveDate",
    "SendDate",
];

/// What an international receipt's `Status` says: `1` delivered, `2` failed, `6` expired
/// (失效), each the message's last; another value is not one Alibaba documents.
pub fn international_outcome(status: &str) -> Outcome {
    match status {
        "1" => Outcome::of(State::Delivered, true),
        "2" => Outcome::of(State::Failed, true),
        "6" => Outcome::of(State::Expired, true),
        _ => Outcome::UNRECOGNISED,
    }
}

/// An international receipt. `status` is `Status` as sent (`1`, `2`, `6`); `error_code` its
/// `ErrorCode` unless delivered (Alibaba writes `success` there then); the times carry their
/// own offset (`2024-03-01 20:00:00 +0800`, or `Thu, 25 Nov 2021 10:27:33 +0800`).
fn international(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([id, status, code, description, to, task, size, received, sent], _) =
        fields.pick(&INTERNATIONAL_FIELDS);
    let message_id = message_id(id, "MessageId")?;
    let status = value_required(status, "Status")?.into_owned();
    let outcome = international_outcome(&status);
    let error_code = match outcome.state {
        State::Delivered => None,
        _ => owned(value_non_empty(code, "ErrorCode")?),
    };
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code,
        delivered: outcome.state.is_delivered(),
        status,
        status_description: value_non_empty(description, "ErrorDescription")?
            .map(|text| Cow::Owned(text.into_owned())),
        report_source: None,
        segment: None,
        segments: count(size, "SmsSize")?,
        recipient: owned(value_text(to, "To")?),
        extend: owned(value_text(task, "TaskId")?),
        org_code: None,
        updated_at: offset_time(received, "ReceiveDate")?,
        sent_at: offset_time(sent, "SendDate")?,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, &INTERNATIONAL_FIELDS, &[])?,
    };
    Ok(CloudEvent::status_report(PROVIDER, data))
}

/// A time with its own offset, as RFC 3339 UTC; `None` when absent or empty.
fn offset_time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
        return Ok(None);
    };
    parse_offset_time(&value)
        .map(|at| Some(Rc::from(at.to_rfc3339(false))))
        .ok_or(PayloadError::InvalidField(name))
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

    #[test]
    fn domestic_and_international_receipts_are_told_apart_by_their_names() {
        use crate::clock::Timestamp;
        use crate::event::{AuthInfo, EventData};
        use crate::payload::json_object;
        let receipt = Receipt::new(Timestamp::from_unix_seconds(0), AuthInfo::Token);
        let read = |json: &str| report(&json_object(json.as_bytes()).unwrap(), &receipt);
        let state = |json: &str| match read(json).map(|event| event.data) {
            Ok(EventData::StatusReport(report)) => {
                Ok((report.message_id.to_string(), report.state, report.is_final))
            }
            Ok(_) => Err(PayloadError::NotAnObject),
            Err(error) => Err(error),
        };
        // biz_id decides: a domestic receipt that also names a MessageId is domestic.
        assert_eq!(
            state(r#"{"biz_id":"b","MessageId":"m","success":true,"err_code":"DELIVERED"}"#),
            Ok(("b".into(), State::Delivered, true))
        );
        assert_eq!(
            state(r#"{"MessageId":"m","Status":"6"}"#),
            Ok(("m".into(), State::Expired, true))
        );
        // An undocumented Status: kept, unknown, not final.
        assert_eq!(
            state(r#"{"MessageId":"m","Status":"9"}"#),
            Ok(("m".into(), State::Unknown, false))
        );
        // Neither: a domestic receipt missing its id.
        assert_eq!(
            state(r#"{"Status":"1"}"#),
            Err(PayloadError::MissingField("biz_id"))
        );
    }

    #[test]
    fn international_status_values() {
        assert_eq!(
            international_outcome("1"),
            Outcome::of(State::Delivered, true)
        );
        assert_eq!(international_outcome("2"), Outcome::of(State::Failed, true));
        assert_eq!(
            international_outcome("6"),
            Outcome::of(State::Expired, true)
        );
        assert_eq!(international_outcome("3"), Outcome::UNRECOGNISED);
    }
}
