//! Events from a vendor's parts: the builders a normalizer fills ([`Report`], [`Uplink`]), one
//! copy of the event-making code for every vendor that uses them, and the readers of nested
//! JSON members ([`merged`]) and ISO 8601 times ([`iso_time`]) that JSON vendors share
//! (Sinch's and Telnyx's).

use crate::clock::read_report_time;
use crate::event::{CloudEvent, Outcome, Receipt, StatusReportData, UplinkData};
use crate::payload::fields::value_non_empty;
use crate::payload::{FieldValue, Fields, PayloadError};
use std::borrow::Cow;
use std::rc::Rc;

/// An ISO 8601 time with its offset (`2025-01-13T09:22:40.914Z`) in UTC, its fraction as
/// written; `None` when absent, null or empty.
pub fn iso_time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
        return Ok(None);
    };
    read_report_time(value.trim())
        .map(|time| Some(Rc::from(time.rfc3339().as_ref())))
        .ok_or(PayloadError::InvalidField(name))
}

/// A status report's parts, as a vendor's normalizer reads them; [`Report::event`] makes the
/// event, one copy of that code for every vendor that uses it.
pub struct Report {
    pub message_id: Rc<str>,
    pub outcome: Outcome,
    pub error_code: Option<String>,
    pub status_description: Option<String>,
    pub segments: Option<u32>,
    pub recipient: Option<String>,
    pub extend: Option<String>,
    pub updated_at: Option<Rc<str>>,
    pub sent_at: Option<Rc<str>>,
    pub extra: crate::payload::Extra,
}

impl Report {
    /// The status report of `provider` saying `status`, received as `receipt` says.
    #[inline(never)]
    pub fn event(
        self,
        provider: crate::event::Provider,
        status: String,
        receipt: &Receipt,
    ) -> CloudEvent {
        let data = StatusReportData {
            message_id: self.message_id,
            state: self.outcome.state,
            is_final: self.outcome.is_final,
            error_code: self.error_code,
            delivered: self.outcome.state.is_delivered(),
            status,
            status_description: self.status_description.map(Cow::Owned),
            report_source: None,
            segment: None,
            segments: self.segments,
            recipient: self.recipient,
            extend: self.extend,
            org_code: None,
            updated_at: self.updated_at,
            sent_at: self.sent_at,
            received_at: receipt.received_at.clone(),
            auth: receipt.auth.clone(),
            extra: self.extra,
        };
        CloudEvent::status_report(provider, data)
    }
}

/// An uplink's parts, as a vendor's normalizer reads them; [`Uplink::event`] makes the event.
pub struct Uplink {
    pub message_id: Rc<str>,
    pub from: String,
    pub to: Option<String>,
    pub body: String,
    pub created_at: Option<Rc<str>>,
    pub extra: crate::payload::Extra,
}

impl Uplink {
    /// The uplink of `provider`, received as `receipt` says.
    #[inline(never)]
    pub fn event(self, provider: crate::event::Provider, receipt: &Receipt) -> CloudEvent {
        let data = UplinkData {
            message_id: Some(self.message_id),
            from: self.from,
            to: self.to,
            body: self.body,
            created_at: self.created_at,
            received_at: receipt.received_at.clone(),
            auth: receipt.auth.clone(),
            extra: self.extra,
        };
        CloudEvent::uplink(provider, data)
    }
}

/// `base`'s fields followed by those of `more` not in `skip`, each named `prefix` + its name (a
/// name already there with another value is a repeated field). Not inlined: one copy serves
/// every vendor that merges a nested object's members into one list (Sinch's report entries,
/// Telnyx's `data` and `payload`).
#[inline(never)]
pub fn merged<'a>(
    base: &Fields<'a>,
    more: &Fields<'a>,
    prefix: &str,
    skip: &[&str],
) -> Result<Fields<'a>, PayloadError> {
    let mut fields = base.clone();
    for (name, value) in more.iter().filter(|(name, _)| !skip.contains(name)) {
        let mut named = String::with_capacity(prefix.len() + name.len());
        named.push_str(prefix);
        named.push_str(name);
        fields.insert(Cow::Owned(named), value.clone())?;
    }
    Ok(fields)
}
