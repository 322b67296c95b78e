//! Twilio Event Streams deliveries to a webhook sink: an `application/json` body that is an
//! array of CloudEvents (structured mode), signed with `X-Twilio-Signature` over the URL with
//! its `bodySHA256` (`docs/providers.md` §3). Each element is read by its `type`:
//!
//! - `com.twilio.messaging.message.*` (Outbound Message: queued, sent, delivered,
//!   undelivered, failed, read, …) is a status report, like a status callback;
//! - `com.twilio.messaging.inbound-message.received` is an uplink, like an inbound message.
//!
//! Whichever route the sink posts to: one sink may carry both kinds. Every other field stays
//! in `extra`, verbatim: the unmapped members of `data` by their names, and the envelope's
//! attributes (`id`, `type`, `source`, `specversion`, `dataschema`, `datacontenttype`, `time`,
//! any extension) as `ce_<name>`, as CloudEvents' binary modes name them. An element of any
//! other type, or one that cannot be read, becomes an `unparsed` event of that element.

use super::normalize::outcome;
use super::PROVIDER;
use crate::clock::read_report_time;
use crate::event::{CloudEvent, Receipt, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::json_scan::for_each_member;
use crate::payload::{Extra, FieldValue, Fields, PayloadError};
use crate::providers::common::{count, message_id, owned};
use std::rc::Rc;

/// The type prefix of Outbound Message events, one per status.
pub const MESSAGE_TYPE_PREFIX: &str = "com.twilio.messaging.message.";
/// The type of an Inbound Message event.
pub const INBOUND_TYPE: &str = "com.twilio.messaging.inbound-message.received";
/// What an envelope attribute is named in `extra`: `ce_id`, `ce_type`, …
pub const ATTRIBUTE_PREFIX: &str = "ce_";

/// One element of the array as an event: its fields are the envelope's members.
pub fn event(envelope: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let ([kind, data], _) = envelope.pick(&["type", "data"]);
    let kind = value_required(kind, "type")?;
    let data = match data {
        Some(FieldValue::Json(raw)) => object_fields(raw)?,
        Some(FieldValue::Text(_)) => return Err(PayloadError::InvalidField("data")),
        None => return Err(PayloadError::MissingField("data")),
    };
    let attributes: Vec<(String, &FieldValue<'_>)> = envelope
        .iter()
        .filter(|(name, _)| *name != "data")
        .map(|(name, value)| (format!("{ATTRIBUTE_PREFIX}{name}"), value))
        .collect();
    let is_message = kind
        .strip_prefix(MESSAGE_TYPE_PREFIX)
        .is_some_and(|status| !status.is_empty());
    if is_message {
        status(&data, &attributes, receipt)
    } else if kind == INBOUND_TYPE {
        inbound(&data, &attributes, receipt)
    } else {
        Err(PayloadError::InvalidField("type"))
    }
}

/// The members of `data`, which must be a JSON object naming each member once.
fn object_fields(raw: &str) -> Result<Fields<'_>, PayloadError> {
    let mut fields = Fields::new();
    let mut refused = None;
    let scanned = for_each_member(raw, |name, value| {
        match fields.insert(name, FieldValue::Json(value)) {
            Ok(()) => Some(()),
            Err(error) => {
                refused = Some(error);
                None
            }
        }
    });
    match (scanned, refused) {
        (_, Some(error)) => Err(error),
        (None, None) => Err(PayloadError::InvalidField("data")),
        (Some(()), None) => Ok(fields),
    }
}

const STATUS_FIELDS: [&str; 6] = [
    "messageSid",
    "messageStatus",
    "errorCode",
    "to",
    "numberOfSegments",
    "timestamp",
];

/// An Outbound Message event: `messageStatus` verbatim as `status`, its state by the status
/// callbacks' table whatever its case (Event Streams write `DELIVERED`), `errorCode` as text.
fn status(
    data: &Fields<'_>,
    attributes: &[(String, &FieldValue<'_>)],
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let ([sid, message_status, error_code, to, segments, timestamp], _) = data.pick(&STATUS_FIELDS);
    let message_id = message_id(sid, "messageSid")?;
    let status = value_required(message_status, "messageStatus")?.into_owned();
    let outcome = outcome(&status.to_ascii_lowercase());
    let report = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: owned(value_non_empty(error_code, "errorCode")?),
        delivered: outcome.state.is_delivered(),
        status,
        status_description: None,
        report_source: None,
        segment: None,
        segments: count(segments, "numberOfSegments")?,
        recipient: owned(value_text(to, "to")?),
        extend: None,
        org_code: None,
        updated_at: time(timestamp)?,
        sent_at: None,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: extra(data, &STATUS_FIELDS, attributes)?,
    };
    Ok(CloudEvent::status_report(PROVIDER, report))
}

const INBOUND_FIELDS: [&str; 5] = ["messageSid", "from", "to", "body", "timestamp"];

/// An Inbound Message event; `created_at` is its `timestamp`.
fn inbound(
    data: &Fields<'_>,
    attributes: &[(String, &FieldValue<'_>)],
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let ([sid, from, to, body, timestamp], _) = data.pick(&INBOUND_FIELDS);
    let uplink = UplinkData {
        message_id: Some(message_id(sid, "messageSid")?),
        from: value_required(from, "from")?.into_owned(),
        to: owned(value_text(to, "to")?),
        // As for inbound webhooks: an empty text is a message, only absence is an error.
        body: value_text(body, "body")?
            .ok_or(PayloadError::MissingField("body"))?
            .into_owned(),
        created_at: time(timestamp)?,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: extra(data, &INBOUND_FIELDS, attributes)?,
    };
    Ok(CloudEvent::uplink(PROVIDER, uplink))
}

/// `timestamp` (RFC 3339, any fraction up to nanoseconds, any offset) in UTC, its fraction as
/// written; `None` when absent, null or empty.
fn time(value: Option<&FieldValue<'_>>) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, "timestamp")? else {
        return Ok(None);
    };
    read_report_time(value.trim())
        .map(|time| Some(Rc::from(time.rfc3339().as_ref())))
        .ok_or(PayloadError::InvalidField("timestamp"))
}

/// The unmapped members of `data` and the envelope's attributes. A member of `data` named like
/// an attribute in `extra` (`ce_id`) would make two entries of one name: the element is then
/// unreadable, as a repeated field is.
fn extra(
    data: &Fields<'_>,
    mapped: &[&str],
    attributes: &[(String, &FieldValue<'_>)],
) -> Result<Extra, PayloadError> {
    if let Some((name, _)) = attributes.iter().find(|(name, _)| data.get(name).is_some()) {
        return Err(PayloadError::DuplicateField(name.clone()));
    }
    let unmapped = data.iter().filter(|(name, _)| !mapped.contains(name));
    let named = attributes
        .iter()
        .map(|(name, value)| (name.as_str(), *value));
    Extra::from_fields(unmapped.chain(named))
}
