//! Status reports and uplinks read by a table of field names, for vendors whose callbacks are
//! flat lists of fields that map one to one onto the shared event: JSON objects (Volcengine's,
//! Yunpian's, Vonage's Messages API's) or forms and queries (Plivo's, Vonage's SMS API's).
//! Each such vendor's normalizer is a table ([`ReportNames`], [`UplinkNames`]) read by the one
//! reader here, so the wasm holds one copy of the reading code however many vendors use it.

use crate::event::{CloudEvent, Outcome, Provider, Receipt, StatusReportData, UplinkData};
use crate::payload::fields::{value_non_empty, value_required, value_text};
use crate::payload::{FieldValue, Fields, PayloadError};
use crate::providers::common::{
    bare_international, count, message_id, optional_message_id, unmapped,
};
use std::borrow::Cow;
use std::rc::Rc;

/// How a vendor writes a time: `common::unix_millis_time`, `common::china_time`,
/// `common::utc_time`, …
pub type TimeReader =
    fn(Option<&FieldValue<'_>>, &'static str) -> Result<Option<Rc<str>>, PayloadError>;

/// How a vendor writes phone numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// As sent: national, masked or already E.164 (Volcengine, Yunpian, as Alibaba).
    Verbatim,
    /// International numbers as bare digits, given their `+` (as `common::e164` writes them: Vonage, Plivo).
    BareDigits,
}

impl Numbers {
    /// `number` as the event writes it.
    #[inline(never)]
    fn write(self, number: Cow<'_, str>) -> String {
        if self == Numbers::BareDigits && bare_international(&number) {
            format!("+{number}")
        } else {
            // A number already owned is kept, not copied.
            number.into_owned()
        }
    }
}

/// Where a vendor's status report keeps each part of the shared event.
#[derive(Debug)]
pub struct ReportNames {
    pub provider: Provider,
    /// The message id (required).
    pub id: &'static str,
    /// The vendor's status, verbatim (required).
    pub status: &'static str,
    /// The carrier's or vendor's code, the `error_code` when not empty and not `no_error`…
    pub error: Option<&'static str>,
    /// …(the code that means no error: Vonage's `0`; `""` where only absence does)…
    pub no_error: &'static str,
    /// …and only when the report is not a delivery.
    pub error_unless_delivered: bool,
    pub description: Option<&'static str>,
    pub recipient: &'static str,
    pub numbers: Numbers,
    /// The caller's own reference.
    pub extend: Option<&'static str>,
    /// `updated_at`, and `sent_at` where the vendor says, in `time`'s format.
    pub updated: &'static str,
    pub sent: Option<&'static str>,
    pub time: TimeReader,
    pub segments: Option<&'static str>,
    /// The state of a `status` (and `error` value).
    pub outcome: fn(&str, Option<&str>) -> Outcome,
    /// Every name above: the rest of the fields go to `extra`…
    pub mapped: &'static [&'static str],
    /// …and these too (a raw time whose zone the vendor leaves unsaid).
    pub kept: &'static [&'static str],
}

/// The outcome `outcomes` lists for `status`, else [`Outcome::UNRECOGNISED`]: a
/// [`ReportNames::outcome`] for vendors whose status alone says it.
pub fn listed(outcomes: &[(&str, Outcome)], status: &str) -> Outcome {
    crate::event::state::lookup(outcomes, status).unwrap_or(Outcome::UNRECOGNISED)
}

/// One status report read by `names`.
pub fn report(
    names: &ReportNames,
    fields: &Fields<'_>,
    receipt: &Receipt,
) -> Result<CloudEvent, PayloadError> {
    let get = |name| field(fields, name);
    let time = |name| (names.time)(get(name), name);
    let optional = |name: Option<&'static str>| match name {
        Some(name) => text(value_non_empty(get(name), name)),
        None => Ok(None),
    };
    let message_id = message_id(get(names.id), names.id)?;
    let status = required(get(names.status), names.status)?;
    let code = optional(names.error)?;
    let outcome = (names.outcome)(&status, code.as_deref());
    let delivered = outcome.state.is_delivered();
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: code
            .filter(|code| code != names.no_error && !(delivered && names.error_unless_delivered)),
        delivered,
        status,
        status_description: optional(names.description)?.map(Cow::Owned),
        report_source: None,
        segment: None,
        segments: match names.segments {
            Some(name) => count(get(name), name)?,
            None => None,
        },
        recipient: value_text(get(names.recipient), names.recipient)?
            .map(|number| names.numbers.write(number)),
        extend: match names.extend {
            Some(name) => text(value_text(get(name), name))?,
            None => None,
        },
        org_code: None,
        updated_at: time(names.updated)?,
        sent_at: match names.sent {
            Some(name) => time(name)?,
            None => None,
        },
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra: unmapped(fields, names.mapped, names.kept)?,
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
    pub numbers: Numbers,
    /// The text: the first of these present (it may be empty); the others stay in `extra`
    /// (Plivo's `Text`, else its `Body`)…
    pub body: &'static [&'static str],
    /// …and when none is, an empty text (Vonage's binary SMS, its data in `extra`) or, when
    /// false, a missing field.
    pub body_may_be_absent: bool,
    pub created: Option<&'static str>,
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
    let mut body = None;
    for &name in names.body {
        if let Some(text) = value_text(get(name), name)? {
            body = Some((name, text.into_owned()));
            break;
        }
    }
    let (chosen, body) = match body {
        Some(body) => body,
        None if names.body_may_be_absent => ("", String::new()),
        None => {
            let first = names.body.first().copied().unwrap_or("text");
            return Err(PayloadError::MissingField(first));
        }
    };
    let extra = if names.body.len() > 1 {
        let others = names.body.iter().filter(|name| **name != chosen);
        let kept: Vec<&str> = names.kept.iter().chain(others).copied().collect();
        unmapped(fields, names.mapped, &kept)?
    } else {
        unmapped(fields, names.mapped, names.kept)?
    };
    let data = UplinkData {
        message_id: match names.id {
            Some(name) => optional_message_id(get(name), name)?,
            None => None,
        },
        from: names
            .numbers
            .write(Cow::Owned(required(get(names.from), names.from)?)),
        to: to.map(|to| names.numbers.write(Cow::Owned(to))),
        body,
        created_at: match names.created {
            Some(name) => (names.time)(get(name), name)?,
            None => None,
        },
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra,
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
