//! Twilio's status callback and inbound message parameters onto the shared event model
//! (`docs/providers.md` §3 and §4). Twilio adds parameters without notice: every one not
//! mapped here stays in `extra`, including `ErrorCode` and the raw `RawDlrDoneDate`.

use super::PROVIDER;
use crate::event::{event_id, CloudEvent, EventKind, Receipt, StatusReportData, UplinkData};
use crate::payload::fields::{value_required, value_text};
use crate::payload::{Fields, PayloadError};
use crate::providers::common::{count, message_id, owned, unmapped};

const STATUS_FIELDS: [&str; 3] = ["MessageSid", "MessageStatus", "To"];

/// A status callback. `delivered` is `MessageStatus` `delivered` (or `read`, which comes
/// after it). Twilio's only time, `RawDlrDoneDate`, has no zone and minute precision, so
/// `updated_at` is when the relay received the callback and the raw value stays in `extra`.
pub fn status(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([sid, message_status, to], _) = fields.pick(&STATUS_FIELDS);
    let message_id = message_id(sid, "MessageSid")?;
    let status = value_required(message_status, "MessageStatus")?.into_owned();
    let delivered = matches!(status.as_str(), "delivered" | "read");
    let data = StatusReportData {
        message_id,
        delivered,
        status,
        status_description: None,
        report_source: None,
        segment: None,
        segments: count(fields.get("NumSegments"), "NumSegments")?,
        recipient: owned(value_text(to, "To")?),
        extend: None,
        org_code: None,
        updated_at: Some(receipt.received_at.clone()),
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, &STATUS_FIELDS, &[])?,
    };
    // The error code is part of what the callback says: `failed` with two codes is two reports.
    let error_code = value_text(fields.get("ErrorCode"), "ErrorCode")?;
    let id = event_id(
        PROVIDER,
        EventKind::StatusReport,
        &[
            data.message_id.as_bytes(),
            data.status.as_bytes(),
            error_code.as_deref().unwrap_or_default().as_bytes(),
        ],
    );
    Ok(CloudEvent::status_report(PROVIDER, id, data))
}

const INBOUND_FIELDS: [&str; 4] = ["MessageSid", "From", "To", "Body"];

/// An inbound message. Twilio sends no time with it: `created_at` is null and the event's
/// `time` is when the relay received it.
pub fn inbound(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([sid, from, to, body], _) = fields.pick(&INBOUND_FIELDS);
    let message_id = message_id(sid, "MessageSid")?;
    let id = event_id(PROVIDER, EventKind::Uplink, &[message_id.as_bytes()]);
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
    Ok(CloudEvent::uplink(PROVIDER, id, data))
}
