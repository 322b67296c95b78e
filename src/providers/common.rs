//! What every provider's ingest shares: the URL token check, one event per body or per batch
//! entry with unreadable input kept as `unparsed` events, and the field readers the
//! normalizers use (ids, counts, zone-less times, unmapped fields into `extra`).

use crate::clock::{parse_zoneless_time, Timestamp};
use crate::config::Secret;
use crate::event::{unparsed, CloudEvent, Fallback, Ingested, Provider, Receipt};
use crate::http::{PushRequest, Reply};
use crate::payload::fields::{value_non_empty, value_required};
use crate::payload::{entry_fields, Extra, FieldValue, Fields, PayloadError};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::ops::Range;
use std::rc::Rc;
use subtle::ConstantTimeEq;

/// Longest accepted message id. Huawei documents 1–50 characters, the others are shorter; the
/// cap keeps KV keys far below KV's 512-byte limit while leaving room if ids grow.
pub const MAX_MESSAGE_ID_BYTES: usize = 256;

/// Beijing time, UTC+08:00: how Alibaba's and Tencent's zone-less times are read
/// (`docs/providers.md`, "Times").
pub const CHINA_OFFSET_MINUTES: i64 = 8 * 60;

/// Why a URL token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    Invalid,
}

impl TokenError {
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Missing => "missing_token",
            TokenError::Invalid => "invalid_token",
        }
    }

    /// The `401` answer.
    pub fn reply(self) -> Reply {
        Reply::error(401, self.code())
    }
}

/// Whether the path carried `expected`, compared in constant time: the comparison must not
/// reveal how much of a guess was right.
pub fn check_token(given: Option<&str>, expected: &Secret) -> Result<(), TokenError> {
    let given = given.ok_or(TokenError::Missing)?;
    if bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        Ok(())
    } else {
        Err(TokenError::Invalid)
    }
}

/// One authenticated push on its way to events: who sent it, to which endpoint, and how it
/// was received, so every unreadable part becomes an `unparsed` event the same way.
pub struct Push<'r> {
    pub provider: Provider,
    pub endpoint: &'static str,
    pub request: &'r PushRequest<'r>,
    pub receipt: Receipt,
}

impl Push<'_> {
    pub fn content_type(&self) -> Option<&str> {
        self.request.header("content-type")
    }

    /// The whole body as an `unparsed` event (kept in pieces by the store, should it be too
    /// large for one event).
    pub fn whole_body(&self, error: &PayloadError) -> CloudEvent {
        let mut event = unparsed(
            self.provider,
            error,
            self.endpoint,
            self.content_type(),
            self.request.body,
            &self.receipt,
        );
        event.origin = Some(0..self.request.body.len());
        event
    }

    /// The whole body kept as an `unparsed` event, answered with `error`'s status and code
    /// once stored.
    pub fn refused(
        self,
        status: u16,
        error: &PayloadError,
        access_key: Option<String>,
    ) -> Ingested {
        let event = self.whole_body(error);
        let reply = Reply::field_error(status, error.code(), error.field());
        self.ingested(vec![event], reply, access_key)
    }

    /// A body that holds exactly one report or message, read by `read` and turned into an
    /// event by `normalize`; `stored` is the answer once it is stored.
    pub fn single<'b>(
        self,
        read: Result<Fields<'b>, PayloadError>,
        normalize: impl Fn(&Fields<'b>, &Receipt) -> Result<CloudEvent, PayloadError>,
        stored: Reply,
        access_key: Option<String>,
    ) -> Ingested {
        match read.and_then(|fields| normalize(&fields, &self.receipt)) {
            Ok(mut event) => {
                event.origin = Some(0..self.request.body.len());
                self.ingested(vec![event], stored, access_key)
            }
            Err(error) => self.refused(400, &error, access_key),
        }
    }

    /// One event per batch entry; an unreadable entry becomes an `unparsed` event holding that
    /// entry's JSON, and the rest of the batch is unaffected.
    pub fn entries(
        &self,
        entries: &[&RawValue],
        normalize: impl Fn(&Fields<'_>, &Receipt) -> Result<CloudEvent, PayloadError>,
    ) -> Vec<CloudEvent> {
        entries
            .iter()
            .map(|entry| {
                let bytes = entry.get().as_bytes();
                let mut event = entry_fields(entry)
                    .and_then(|fields| normalize(&fields, &self.receipt))
                    .unwrap_or_else(|error| {
                        unparsed(
                            self.provider,
                            &error,
                            self.endpoint,
                            Some("application/json"),
                            bytes,
                            &self.receipt,
                        )
                    });
                event.origin = range_within(self.request.body, bytes);
                event
            })
            .collect()
    }

    /// The push's outcome: its events, the answer once they are stored, and how to keep an
    /// event's input should the event not fit a sink.
    pub fn ingested(
        self,
        events: Vec<CloudEvent>,
        reply: Reply,
        access_key: Option<String>,
    ) -> Ingested {
        Ingested {
            events,
            reply,
            access_key,
            fallback: Some(Fallback {
                provider: self.provider,
                endpoint: self.endpoint,
                content_type: self.content_type().map(str::to_string),
                receipt: self.receipt,
            }),
        }
    }
}

/// The start of a push to a route authenticated by a URL token alone (Alibaba's, Tencent's):
/// `404 not_enabled` without the provider's setting (`expected`), `413` for a body over
/// `MAX_BODY_BYTES`, `401` for a missing or wrong token (nothing stored); else the push,
/// ready to be read.
pub fn token_push<'r>(
    provider: Provider,
    endpoint: &'static str,
    expected: Option<&Secret>,
    token: Option<&str>,
    request: &'r PushRequest<'r>,
    max_body_bytes: usize,
    now: Timestamp,
) -> Result<Push<'r>, Reply> {
    let expected = expected.ok_or_else(|| Reply::error(404, "not_enabled"))?;
    if let Some(reply) = too_large(request, max_body_bytes) {
        return Err(reply);
    }
    check_token(token, expected).map_err(TokenError::reply)?;
    Ok(Push {
        provider,
        endpoint,
        request,
        receipt: Receipt::new(now, crate::event::AuthInfo::Token),
    })
}

/// The answer to a body over `MAX_BODY_BYTES`, checked before authentication reads it.
pub fn too_large(request: &PushRequest<'_>, max_body_bytes: usize) -> Option<Reply> {
    (request.body.len() > max_body_bytes).then(|| Reply::error(413, "body_too_large"))
}

/// Where `part` (a slice borrowed from `whole`) sits in `whole`.
pub fn range_within(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

/// A required message id of at most [`MAX_MESSAGE_ID_BYTES`].
pub fn message_id(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Rc<str>, PayloadError> {
    let id = value_required(value, name)?;
    if id.len() > MAX_MESSAGE_ID_BYTES {
        return Err(PayloadError::InvalidField(name));
    }
    Ok(Rc::from(id.as_ref()))
}

/// An optional message id: absent or empty is `None`, too long is an error.
pub fn optional_message_id(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    match value_non_empty(value, name)? {
        None => Ok(None),
        Some(_) => message_id(value, name).map(Some),
    }
}

/// A positive count (segments, part numbers), `None` when absent or empty.
pub fn count(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<u32>, PayloadError> {
    match value_non_empty(value, name)? {
        None => Ok(None),
        Some(value) => value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or(PayloadError::InvalidField(name)),
    }
}

/// A `YYYY-MM-DD HH:MM:SS` time without a zone, read as Beijing time and written as RFC 3339
/// UTC; `None` when absent or empty.
pub fn china_time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
        return Ok(None);
    };
    parse_zoneless_time(value.trim(), CHINA_OFFSET_MINUTES)
        .map(|at| Some(Rc::from(at.to_rfc3339(false))))
        .ok_or(PayloadError::InvalidField(name))
}

/// Unix seconds (a JSON number or its text) as RFC 3339 UTC; `None` when absent or empty.
pub fn unix_time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
        return Ok(None);
    };
    // Four-digit years only: RFC 3339 has no other spelling.
    const MAX_SECONDS: i64 = 253_402_300_799;
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|seconds| (0..=MAX_SECONDS).contains(seconds))
        .map(|seconds| {
            Some(Rc::from(
                Timestamp::from_unix_seconds(seconds).to_rfc3339(false),
            ))
        })
        .ok_or(PayloadError::InvalidField(name))
}

/// A JSON boolean (or its text, `true`/`false`), `None` when absent or null.
pub fn flag(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<bool>, PayloadError> {
    let text: &str = match value {
        None => return Ok(None),
        Some(FieldValue::Json(raw)) => raw,
        Some(FieldValue::Text(text)) => text,
    };
    match text.trim() {
        "true" | "\"true\"" => Ok(Some(true)),
        "false" | "\"false\"" => Ok(Some(false)),
        "null" => Ok(None),
        _ => Err(PayloadError::InvalidField(name)),
    }
}

pub fn owned(value: Option<Cow<'_, str>>) -> Option<String> {
    value.map(Cow::into_owned)
}

/// Every field not in `mapped`, plus the mapped ones in `kept` (a value only partly mapped,
/// like a flag only reflected in `delivered`), verbatim for `extra`.
pub fn unmapped(
    fields: &Fields<'_>,
    mapped: &[&str],
    kept: &[&str],
) -> Result<Extra, PayloadError> {
    Extra::from_fields(
        fields
            .iter()
            .filter(|(name, _)| !mapped.contains(name) || kept.contains(name)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(raw: &str) -> FieldValue<'_> {
        FieldValue::Json(raw)
    }

    #[test]
    fn china_times_are_beijing_time_written_in_utc() {
        let value = json("\"2017-01-01 00:00:00\"");
        assert_eq!(
            china_time(Some(&value), "t").ok().flatten().as_deref(),
            Some("2016-12-31T16:00:00Z")
        );
        for bad in [
            "\"2017-01-01T00:00:00Z\"",
            "\"2017-13-01 00:00:00\"",
            "\"yesterday\"",
            "1",
        ] {
            assert_eq!(
                china_time(Some(&json(bad)), "t"),
                Err(PayloadError::InvalidField("t")),
                "{bad}"
            );
        }
        assert_eq!(china_time(Some(&json("\"\"")), "t"), Ok(None));
    }

    #[test]
    fn unix_seconds_and_flags() {
        assert_eq!(
            unix_time(Some(&json("1457336869")), "time")
                .ok()
                .flatten()
                .as_deref(),
            Some("2016-03-07T07:47:49Z")
        );
        assert_eq!(
            unix_time(Some(&json("-1")), "time"),
            Err(PayloadError::InvalidField("time"))
        );
        assert_eq!(flag(Some(&json("true")), "s"), Ok(Some(true)));
        assert_eq!(flag(Some(&json("\"false\"")), "s"), Ok(Some(false)));
        assert_eq!(
            flag(Some(&json("1")), "s"),
            Err(PayloadError::InvalidField("s"))
        );
        assert_eq!(flag(None, "s"), Ok(None));
    }

    #[test]
    fn tokens_compare_whole() {
        let expected = Secret::new("tok-0123456789abcdef".into());
        assert_eq!(check_token(Some("tok-0123456789abcdef"), &expected), Ok(()));
        assert_eq!(
            check_token(Some("tok-0123456789abcde"), &expected),
            Err(TokenError::Invalid)
        );
        assert_eq!(check_token(None, &expected), Err(TokenError::Missing));
    }
}
