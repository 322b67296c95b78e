//! Turning Huawei's fields into events (the mapping is in `README.md` and the JSON schema;
//! the fields in `docs/huawei-protocol.md` §1).

use super::status_codes;
use super::PROVIDER;
use crate::clock::read_report_time;
use crate::event::{CloudEvent, Receipt, State, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{percent, Extra, FieldValue, Fields, PayloadError};
use crate::providers::common::{self, owned, unmapped};
use std::borrow::Cow;
use std::rc::Rc;

pub use crate::providers::common::MAX_MESSAGE_ID_BYTES;

const STATUS_REPORT_FIELDS: [&str; 10] = [
    "smsMsgId",
    "status",
    "statusDesc",
    "source",
    "updateTime",
    "total",
    "sequence",
    "extend",
    "to",
    "orgCode",
];

/// A status report (`docs/huawei-protocol.md` §1.1), from a form body or one batch entry.
pub fn status_report(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    // One pass over the fields finds every mapped one (a batch normalizes 50 of these).
    let ([id, status, description, source, updated, total, sequence, extend, to, org], others) =
        fields.pick(&STATUS_REPORT_FIELDS);
    let message_id = common::message_id(id, "smsMsgId")?;
    let status = value_required(status, "status")?.into_owned();
    let segment = count(sequence, "sequence")?;
    let segments = count(total, "total")?;
    let updated_at = time(updated, "updateTime")?;
    let report_source = match value_non_empty(source, "source")?.as_deref() {
        Some("1") => Some("sms_platform"),
        Some("2") => Some("sms_center"),
        Some("3") => Some("huawei_platform"),
        _ => None,
    };
    let status_description = match value_non_empty(description, "statusDesc")? {
        Some(description) => Some(Cow::Owned(description.into_owned())),
        None => status_codes::describe(&status).map(Cow::Borrowed),
    };
    // An unrecognised `source` value is not mapped, so it stays in `extra`.
    let source_unmapped = source.is_some() && report_source.is_none();
    let extra = if others == 0 && !source_unmapped {
        Extra::default()
    } else {
        let kept: &[&str] = if source_unmapped { &["source"] } else { &[] };
        unmapped(fields, &STATUS_REPORT_FIELDS, kept)?
    };
    let outcome = status_codes::outcome(&status);
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        // The status is Huawei's code for what happened; success needs no error code.
        error_code: (outcome.state != State::Delivered).then(|| status.clone()),
        delivered: outcome.state.is_delivered(),
        status,
        status_description,
        report_source,
        segment: Some(segment),
        segments: Some(segments),
        recipient: owned(value_text(to, "to")?),
        extend: owned(value_text(extend, "extend")?),
        org_code: owned(value_text(org, "orgCode")?),
        updated_at,
        sent_at: None,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra,
    };
    Ok(CloudEvent::status_report(PROVIDER, data))
}

const UPLINK_FIELDS: [&str; 5] = ["smsMsgId", "from", "to", "body", "createTime"];

/// An uplink (mobile-originated) SMS (`docs/huawei-protocol.md` §1.3).
pub fn uplink(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([id, from, to, body, created], others) = fields.pick(&UPLINK_FIELDS);
    let message_id = common::message_id(id, "smsMsgId")?;
    let from = value_required(from, "from")?.into_owned();
    let to = Some(value_required(to, "to")?.into_owned());
    // An empty text is still a message; only absence is an error.
    let body = value_text(body, "body")?
        .ok_or(PayloadError::MissingField("body"))?
        .into_owned();
    let created_at = time(created, "createTime")?;
    let data = UplinkData {
        message_id: Some(message_id),
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

/// `sequence` / `total`: a positive integer, 1 when absent (a message that was not split).
fn count(value: Option<&FieldValue<'_>>, name: &'static str) -> Result<u32, PayloadError> {
    Ok(common::count(value, name)?.unwrap_or(1))
}

/// `updateTime` / `createTime` as RFC 3339 UTC, its fraction of a second as written. Batch
/// entries may carry the form-encoded spelling (`%3A`).
fn time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
        return Ok(None);
    };
    let decoded;
    let value = if value.contains('%') {
        decoded = String::from_utf8(percent::decode(value.as_bytes(), false))
            .map_err(|_| PayloadError::InvalidField(name))?;
        decoded.as_str()
    } else {
        &value
    };
    read_report_time(value.trim())
        .map(|time| Some(Rc::from(time.rfc3339().as_ref())))
        .ok_or(PayloadError::InvalidField(name))
}
