//! Status reports and uplinks read by a table of field names, for vendors whose callbacks are
//! flat objects whose fields map one to one onto the shared event (Volcengine's, Yunpian's):
//! each such vendor's normalizer is a table ([`ReportNames`], [`UplinkNames`]) read by the one
//! reader here, so the wasm holds one copy of the reading code however many vendors use it.

use crate::event::{CloudEvent, Outcome, Provider, Receipt, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{FieldValue, Fields, PayloadError};
use crate::providers::common::{count, message_id, optional_message_id, unmapped};
use std::borrow::Cow;
use std::rc::Rc;

/// How a vendor writes a time: `common::unix_millis_time`, `common::china_time`, …
pub type TimeReader =
    fn(Option<&FieldValue<'_>>, &'static str) -> Result<Option<Rc<str>>, PayloadError>;

/// Where a vendor's status report keeps each part of the shared event.
#[derive(Debug)]
pub struct ReportNames {
    pub provider: Provider,
    /// The message id (required).
    pub id: &'static str,
    /// The vendor's status, verbatim (required).
    pub status: &'static str,
    /// The carrier's or vendor's code, the `error_code` when not empty…
    pub error: &'static str,
    /// …and only when the report is not a delivery.
    pub error_unless_delivered: bool,
    pub description: &'static str,
    pub recipient: &'static str,
    /// The caller's own reference.
    pub extend: &'static str,
    /// `updated_at`, and `sent_at` where the vendor says, in `time`'s format.
    pub updated: &'static str,
    pub sent: Option<&'static str>,
    pub time: TimeReader,
    pub segments: Option<&'static str>,
    /// The state of a `status` (and `error` value).
    pub outcome: fn(&str, Option<&str>) -> Outcome,
    /// Every name above: the rest of the fields go to `extra`.
    pub mapped: &'static [&'static str],
}

/// One status report read by `names`.
pub fn report(
    names: &ReportNames,
    fields: &Fields<'_>,
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let get = |name| field(fields, name);
    let time = |name| (names.time)(get(name), name);
    let message_id = message_id(get(names.id), names.id)?;
    let status = required(get(names.status), names.status)?;
    let code = text(value_non_empty(get(names.error), names.error))?;
    let outcome = (names.outcome)(&status, code.as_deref());
    let delivered = outcome.state.is_delivered();
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: code.filter(|_| !(delivered && names.error_unless_delivered)),
        delivered,
        status,
        status_description: text(value_non_empty(get(names.description), names.description))?
            .map(Cow::Owned),
        report_source: None,
        segment: None,
        segments: match names.segments {
            Some(name) => count(get(name), name)?,
            None => None,
        },
        recipient: text(value_text(get(names.recipient), names.recipient))?,
        extend: text(value_text(get(names.extend), names.extend))?,
        org_code: None,
        updated_at: time(names.updated)?,
        sent_at: match names.sent {
            Some(name) => time(name)?,
            None => None,
        },
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, names.mapped, &[])?,
    };
    Ok(CloudEvent::status_report(names.provider, data))
}

/// Where a vendor's uplink keeps each part of the shared event.
#[derive(Debug)]
pub struct UplinkNames {
    pub provider: Provider,
    /// The uplink's id, where the vendor gives one.
    pub id: Option<&'static str>,
    /// The sender (required).
    pub from: &'static str,
    /// What `to` joins, in order (`None` when all are absent).
    pub to: &'static [&'static str],
    /// The text (present, may be empty).
    pub body: &'static str,
    pub created: &'static str,
    pub time: TimeReader,
    /// Every name above: the rest of the fields go to `extra`…
    pub mapped: &'static [&'static str],
    /// …and these too (the parts `to` joins).
    pub kept: &'static [&'static str],
}

/// One uplink read by `names`.
pub fn uplink(
    names: &UplinkNames,
    fields: &Fields<'_>,
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let get = |name| field(fields, name);
    let mut to: Option<String> = None;
    for &name in names.to {
        if let Some(part) = value_text(get(name), name)? {
            to.get_or_insert_with(String::new).push_str(&part);
        }
    }
    let data = UplinkData {
        message_id: match names.id {
            Some(name) => optional_message_id(get(name), name)?,
            None => None,
        },
        from: required(get(names.from), names.from)?,
        to,
        body: text(value_text(get(names.body), names.body))
            .and_then(|body| body.ok_or(PayloadError::MissingField(names.body)))?,
        created_at: (names.time)(get(names.created), names.created)?,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, names.mapped, names.kept)?,
    };
    Ok(CloudEvent::uplink(names.provider, data))
}

/// `fields.get(name)`, called rather than inlined at each of a reader's fields.
#[inline(never)]
fn field<'f, 'a>(fields: &'f Fields<'a>, name: &str) -> Option<&'f FieldValue<'a>> {
    fields.get(name)
}

/// An optional field's text, owned.
#[inline(never)]
fn text(value: Result<Option<Cow<'_, str>>, PayloadError>) -> Result<Option<String>, PayloadError> {
    value.map(|text| text.map(Cow::into_owned))
}

/// A required, non-empty field's text, owned.
fn required(value: Option<&FieldValue<'_>>, name: &'static str) -> Result<String, PayloadError> {
    value_required(value, name).map(Cow::into_owned)
}
