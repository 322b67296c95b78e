//! Plivo's message status callback and inbound message parameters onto the shared event model
//! (`docs/providers.md`, "Plivo"). Every parameter not mapped here stays in `extra`, `Sequence`
//! (the order Plivo generated a message's callbacks in) among them.
//!
//! [`status_report`] and [`uplink`] build the events from a vendor's field names; Vonage's
//! callbacks are read by them too (candidates for `providers::common`).

use super::PROVIDER;
use crate::clock::read_report_time;
use crate::event::{CloudEvent, Outcome, Provider, Receipt, State, StatusReportData, UplinkData};
use crate::payload::fields::value_text;
use crate::payload::{Fields, PayloadError};
use crate::providers::common::{count, e164, message_id, owned, unmapped};
use std::borrow::Cow;
use std::rc::Rc;

const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Every `Status` Plivo documents (`docs/delivery-states.md`, "Plivo").
pub const OUTCOMES: &[(&str, Outcome)] = &[
    ("queued", Outcome::of(State::Accepted, false)),
    // May stay the last status where the carrier sends no receipt (US, Canada).
    ("sent", Outcome::of(State::Sent, false)),
    ("delivered", Outcome::of(State::Delivered, true)),
    ("undelivered", FAILED),
    ("failed", FAILED),
    ("rejected", FAILED),
    ("read", Outcome::of(State::Read, true)),
];

/// Where a vendor's status report keeps what the event maps.
pub struct StatusNames {
    pub id: &'static str,
    pub status: &'static str,
    /// A number, given its `+` when it is bare digits.
    pub recipient: &'static str,
    pub error_code: Option<&'static str>,
    /// The error code that means no error (`""` when only absence does).
    pub no_error: &'static str,
    pub segments: Option<&'static str>,
    /// Every field the event maps (these and the time), out of `extra`…
    pub mapped: &'static [&'static str],
    /// …but for these, kept in `extra` too.
    pub kept: &'static [&'static str],
}

const STATUS: StatusNames = StatusNames {
    id: "MessageUUID",
    status: "Status",
    recipient: "To",
    error_code: Some("ErrorCode"),
    no_error: "",
    segments: Some("Units"),
    mapped: &[
        "MessageUUID",
        "Status",
        "To",
        "ErrorCode",
        "Units",
        "DeliveryReportTime",
    ],
    kept: &["DeliveryReportTime"],
};

/// A message status callback. `updated_at` is `DeliveryReportTime` read as UTC, its fraction
/// as written; the zone is not documented, so the raw value also stays in `extra`.
pub fn status(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let reported = report_time(fields, "DeliveryReportTime")?;
    status_report(PROVIDER, &STATUS, OUTCOMES, fields, receipt, reported)
}

/// A status report read by `names`, its status's outcome from `outcomes` (else
/// [`Outcome::UNRECOGNISED`]), updated at `updated_at`.
pub fn status_report(
    provider: Provider,
    names: &StatusNames,
    outcomes: &[(&str, Outcome)],
    fields: &Fields<'_>,
    receipt: &Receipt,
    updated_at: Option<Rc<str>>,
) -> Result<CloudEvent, PayloadError> {
    // Everything that can fail first, borrowed; what is kept is copied once nothing can.
    let status = required(fields, names.status)?;
    let error_code = match names.error_code {
        Some(name) => text(fields, name)?.filter(|code| !code.is_empty() && code != names.no_error),
        None => None,
    };
    let segments = match names.segments {
        Some(name) => count(fields.get(name), name)?,
        None => None,
    };
    let recipient = text(fields, names.recipient)?;
    let extra = unmapped(fields, names.mapped, names.kept)?;
    let message_id = message_id(fields.get(names.id), names.id)?;
    let outcome = crate::event::state::lookup(outcomes, &status).unwrap_or(Outcome::UNRECOGNISED);
    let data = StatusReportData {
        message_id,
        state: outcome.state,
        is_final: outcome.is_final,
        error_code: owned(error_code),
        delivered: outcome.state.is_delivered(),
        status: status.into_owned(),
        status_description: None,
        report_source: None,
        segment: None,
        segments,
        recipient: number(recipient),
        extend: None,
        org_code: None,
        updated_at,
        sent_at: None,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra,
    };
    Ok(CloudEvent::status_report(provider, data))
}

/// An inbound message: its body is `Text` (an SMS, which Plivo has already joined), else
/// `Body` (MMS, WhatsApp), the other one kept in `extra`. Plivo sends no time with it.
pub fn inbound(fields: &Fields<'_>, receipt: &Receipt) -> Result<CloudEvent, PayloadError> {
    let (body, kept): (_, &[&str]) = match text(fields, "Text")? {
        Some(text) => (text, &["Body"]),
        None => (
            text(fields, "Body")?.ok_or(PayloadError::MissingField("Text"))?,
            &[],
        ),
    };
    let mapped = &["MessageUUID", "From", "To", "Text", "Body"];
    let names = ["MessageUUID", "From", "To"];
    uplink(
        PROVIDER,
        fields,
        receipt,
        names,
        body.into_owned(),
        None,
        mapped,
        kept,
    )
}

/// An uplink with its id, sender and recipient in the fields `[id, from, to]` (numbers, given
/// their `+` when bare digits), `body` and `created_at`; `mapped` and `kept` as for
/// [`StatusNames`].
#[allow(clippy::too_many_arguments)]
pub fn uplink(
    provider: Provider,
    fields: &Fields<'_>,
    receipt: &Receipt,
    [id, from, to]: [&'static str; 3],
    body: String,
    created_at: Option<Rc<str>>,
    mapped: &[&str],
    kept: &[&str],
) -> Result<CloudEvent, PayloadError> {
    let from = required(fields, from)?;
    let to = text(fields, to)?;
    let extra = unmapped(fields, mapped, kept)?;
    let data = UplinkData {
        message_id: Some(message_id(fields.get(id), id)?),
        from: number(Some(from)).unwrap_or_default(),
        to: number(to),
        body,
        created_at,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
        extra,
    };
    Ok(CloudEvent::uplink(provider, data))
}

/// Field `name` as text ([`value_text`]), in one place for every caller.
#[inline(never)]
pub fn text<'f>(
    fields: &'f Fields<'_>,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    value_text(fields.get(name), name)
}

/// Field `name`, which must be present and not empty.
pub fn required<'f>(
    fields: &'f Fields<'_>,
    name: &'static str,
) -> Result<Cow<'f, str>, PayloadError> {
    text(fields, name)?
        .filter(|value| !value.is_empty())
        .ok_or(PayloadError::MissingField(name))
}

/// A phone number, E.164 with its `+` where it is bare digits ([`e164`]).
#[inline(never)]
fn number(value: Option<Cow<'_, str>>) -> Option<String> {
    value.map(|number| e164(&number).into_owned())
}

/// A time in UTC with its fraction as written: RFC 3339 with any offset (Vonage's Messages
/// API), or `YYYY-MM-DD HH:MM:SS[.ffffff]` without a zone read as UTC (Plivo's, Vonage's SMS
/// API's); `None` when absent or empty.
pub fn report_time(
    fields: &Fields<'_>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = text(fields, name)?.filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    let value = value.trim();
    let zoned;
    let time = match read_report_time(value) {
        Some(time) => time,
        None => {
            zoned = [value, "Z"].concat();
            read_report_time(&zoned).ok_or(PayloadError::InvalidField(name))?
        }
    };
    Ok(Some(Rc::from(time.rfc3339().as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::FieldValue;

    #[test]
    fn every_documented_status_has_its_state() {
        for (status, state, is_final) in [
            ("queued", State::Accepted, false),
            ("sent", State::Sent, false),
            ("delivered", State::Delivered, true),
            ("undelivered", State::Failed, true),
            ("failed", State::Failed, true),
            ("rejected", State::Failed, true),
            ("read", State::Read, true),
            ("Delivered", State::Unknown, false),
            ("receiving", State::Unknown, false),
        ] {
            let outcome = crate::event::state::lookup(OUTCOMES, status);
            assert_eq!(
                outcome.unwrap_or(Outcome::UNRECOGNISED),
                Outcome::of(state, is_final),
                "{status}"
            );
        }
    }

    #[test]
    fn report_times_are_utc_with_their_fraction() {
        let time = |raw: &'static str| {
            let mut fields = Fields::new();
            let _ = fields.insert(Cow::Borrowed("t"), FieldValue::Text(Cow::Borrowed(raw)));
            report_time(&fields, "t").map(|t| t.map(|t| t.to_string()))
        };
        for (raw, expected) in [
            (
                "2023-05-01 14:00:00.123456",
                Some("2023-05-01T14:00:00.123456Z"),
            ),
            ("2023-05-01 14:00:00", Some("2023-05-01T14:00:00Z")),
            ("2023-05-01T14:00:00.000Z", Some("2023-05-01T14:00:00.000Z")),
            ("2023-05-01T16:00:00+02:00", Some("2023-05-01T14:00:00Z")),
            ("2023-05-01T14:00:00", Some("2023-05-01T14:00:00Z")),
            ("", None),
        ] {
            assert_eq!(time(raw), Ok(expected.map(str::to_string)), "{raw}");
        }
        for bad in ["2023-05-01 14:00:00ZZ", "2023-13-01 00:00:00", "yesterday"] {
            assert_eq!(time(bad), Err(PayloadError::InvalidField("t")), "{bad}");
        }
    }
}
