//! What every provider's ingest shares: the URL token check, one event per body or per batch
//! entry with unreadable input kept as `unparsed` events, and the field readers the
//! normalizers use (ids, counts, zone-less times, unmapped fields into `extra`).

pub use super::registry::Callback;
use super::registry::{self, Descriptor};
use crate::clock::{parse_zoneless_time, read_report_time, Timestamp};
use crate::event::{unparsed, AuthInfo, CloudEvent, Fallback, Ingested, Provider, Receipt};
pub use crate::http::TokenError;
use crate::http::{AuthFailure, PushRequest, Refusal, Reply};
use crate::payload::fields::{value_non_empty, value_required};
use crate::payload::{entry_fields, Extra, FieldValue, Fields, MediaType, PayloadError};
use crate::settings::Secret;
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

/// Proof that a callback passed its provider's authentication, and how. Its field is private
/// and only the authenticators in the provider folders can make one ([`check_token`], each
/// provider's signature check); every [`Push`], and so every event, needs one, so nothing
/// unauthenticated can be turned into events by mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    info: AuthInfo,
}

impl Authenticated {
    /// For a provider's authenticator, once it has checked the callback.
    pub(in crate::providers) fn new(info: AuthInfo) -> Authenticated {
        Authenticated { info }
    }

    pub fn info(&self) -> &AuthInfo {
        &self.info
    }

    /// The access key id that signed the push, if it was signed by one.
    pub fn access_key(&self) -> Option<&str> {
        access_key(&self.info)
    }
}

fn access_key(info: &AuthInfo) -> Option<&str> {
    match info {
        AuthInfo::Aksk { access_key, .. } => Some(access_key),
        AuthInfo::Token | AuthInfo::None | AuthInfo::Signature { .. } => None,
    }
}

/// Whether the path carried `expected`, compared in constant time: the comparison must not
/// reveal how much of a guess was right.
pub fn check_token(given: Option<&str>, expected: &Secret) -> Result<Authenticated, TokenError> {
    check_tokens(given, std::slice::from_ref(expected))
}

/// Whether the path carried one of `expected` (an old and a new token while a console's URL
/// changes), each compared in constant time and all of them always compared, so neither how
/// much of a guess was right nor which token matched shows in the time taken.
pub fn check_tokens(given: Option<&str>, expected: &[Secret]) -> Result<Authenticated, TokenError> {
    let given = given.ok_or(TokenError::Missing)?;
    let matched = expected
        .iter()
        .fold(subtle::Choice::from(0), |matched, token| {
            matched | given.as_bytes().ct_eq(token.expose().as_bytes())
        });
    if bool::from(matched) {
        Ok(Authenticated::new(AuthInfo::Token))
    } else {
        Err(TokenError::Invalid)
    }
}

/// One authenticated push on its way to events: who sent it, to which endpoint, how it was
/// received and what to answer once stored, so every unreadable part becomes an `unparsed`
/// event the same way. Made only from an [`Authenticated`] proof.
pub struct Push<'r> {
    provider: Provider,
    endpoint: &'static str,
    request: &'r PushRequest<'r>,
    receipt: Receipt,
    /// The answer once every event is stored.
    answer: Reply,
}

impl<'r> Push<'r> {
    /// The push of `callback` to `endpoint` of provider `D`, authenticated by `proof`.
    pub fn new<D: Descriptor>(
        endpoint: D::Endpoint,
        callback: &Callback<'r>,
        proof: Authenticated,
    ) -> Push<'r> {
        Push {
            provider: D::PROVIDER,
            endpoint: registry::name_of::<D>(endpoint),
            request: callback.request,
            receipt: Receipt::new(callback.now, proof.info),
            answer: registry::stored::<D>(endpoint),
        }
    }

    pub fn content_type(&self) -> Option<&'r str> {
        self.request.header("content-type")
    }

    pub fn media_type(&self) -> Option<MediaType> {
        MediaType::from_content_type(self.content_type())
    }

    pub fn receipt(&self) -> &Receipt {
        &self.receipt
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

    /// The whole body kept as an `unparsed` event, answered [`Refusal::Unreadable`] once
    /// stored.
    pub fn refused(self, error: PayloadError) -> Ingested {
        let event = self.whole_body(&error);
        self.ingested(vec![event], Refusal::Unreadable(error).reply())
    }

    /// The whole body kept as an `unparsed` event, answered `415`: the endpoint does not read
    /// its media type.
    pub fn unsupported_media_type(self) -> Ingested {
        self.refused(PayloadError::UnsupportedMediaType)
    }

    /// A body that holds exactly one report or message, read by `read` and turned into an
    /// event by `normalize`.
    pub fn single<'b>(
        self,
        read: Result<Fields<'b>, PayloadError>,
        normalize: impl Fn(&Fields<'b>, &Receipt) -> Result<CloudEvent, PayloadError>,
    ) -> Ingested {
        match read.and_then(|fields| normalize(&fields, &self.receipt)) {
            Ok(mut event) => {
                event.origin = Some(0..self.request.body.len());
                let stored = self.answer.clone();
                self.ingested(vec![event], stored)
            }
            Err(error) => self.refused(error),
        }
    }

    /// One event per batch entry; an unreadable entry becomes an `unparsed` event holding that
    /// entry's JSON, and the rest of the batch is unaffected.
    pub fn entries(
        &self,
        entries: &[&str],
        normalize: impl Fn(&Fields<'_>, &Receipt) -> Result<CloudEvent, PayloadError>,
    ) -> Vec<CloudEvent> {
        entries
            .iter()
            .map(|entry| {
                let bytes = entry.as_bytes();
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

    /// A batch read by `read` (each entry by `normalize`), answered as stored; an unreadable
    /// batch is kept whole and answered `400`.
    pub fn batch(
        self,
        read: Result<Vec<&str>, PayloadError>,
        normalize: impl Fn(&Fields<'_>, &Receipt) -> Result<CloudEvent, PayloadError>,
    ) -> Ingested {
        match read {
            Ok(entries) => {
                let events = self.entries(&entries, normalize);
                self.stored(events)
            }
            Err(error) => self.refused(error),
        }
    }

    /// `events`, answered as stored.
    pub fn stored(self, events: Vec<CloudEvent>) -> Ingested {
        let stored = self.answer.clone();
        self.ingested(events, stored)
    }

    /// The push's outcome: its events, the answer once they are stored, and how to keep an
    /// event's input should the event not fit a sink.
    fn ingested(self, events: Vec<CloudEvent>, reply: Reply) -> Ingested {
        Ingested {
            events,
            reply,
            access_key: access_key(&self.receipt.auth).map(str::to_string),
            fallback: Some(Fallback {
                provider: self.provider,
                endpoint: self.endpoint,
                content_type: self.content_type().map(str::to_string),
                receipt: self.receipt,
            }),
        }
    }
}

/// The start of a push to a route authenticated by a URL token alone (Alibaba's, Tencent's,
/// Volcengine's): `401` for a missing token or one that is none of `expected` (nothing
/// stored), else the push, ready to be read.
pub fn token_push<'r, D: Descriptor>(
    endpoint: D::Endpoint,
    callback: &Callback<'r>,
    expected: &[Secret],
) -> Result<Push<'r>, Refusal> {
    let proof = check_tokens(callback.token, expected)
        .map_err(|error| Refusal::Unauthenticated(error.into()))?;
    Ok(Push::new::<D>(endpoint, callback, proof))
}

/// The URL token a test push to a token-authenticated route carries
/// ([`Descriptor::authenticate_for_tests`]): `token`, or none without one.
#[cfg(any(test, feature = "testing"))]
pub fn test_token(token: Option<&Secret>) -> Option<Option<String>> {
    Some(token.map(|token| token.expose().to_string()))
}

/// A header of `request`, looked up once per name (not inlined at each).
#[inline(never)]
pub fn header<'a>(request: &PushRequest<'a>, name: &str) -> Option<&'a str> {
    request.header(name)
}

/// `text` before and after its first (or, with `last`, its last) `delimiter`, an ASCII byte;
/// a byte scan, lighter in the wasm than `str::split_once`'s searcher.
#[inline(never)]
pub fn split_at_byte(text: &str, delimiter: u8, last: bool) -> Option<(&str, &str)> {
    let mut positions = text
        .bytes()
        .enumerate()
        .filter(|(_, byte)| *byte == delimiter)
        .map(|(at, _)| at);
    let at = if last {
        positions.next_back()
    } else {
        positions.next()
    }?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// A `GET` callback as the request whose body is its query, which its events then keep when
/// unreadable, and whether it was one (Plivo's and Vonage's callbacks may be either).
pub fn query_as_body<'r>(request: &PushRequest<'r>) -> (PushRequest<'r>, bool) {
    let get = request.method == "GET";
    let mut request = *request;
    if get {
        request.body = request.query.as_bytes();
    }
    (request, get)
}

/// Unix seconds as Sinch writes them: ASCII digits only, at most 12 of them.
pub fn unix_seconds(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whether `timestamp` (Unix seconds) is within `max_age_secs` of `now`.
pub fn fresh(timestamp: &str, now: Timestamp, max_age_secs: i64) -> Result<(), AuthFailure> {
    let seconds = unix_seconds(timestamp).ok_or(AuthFailure::MalformedTimestamp)?;
    let apart = Timestamp::from_unix_seconds(seconds).millis_apart(now);
    if apart > max_age_secs.unsigned_abs().saturating_mul(1000) {
        return Err(AuthFailure::ClockSkew);
    }
    Ok(())
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

/// Unix milliseconds (a JSON number or its text) as RFC 3339 UTC with milliseconds, as
/// Volcengine writes its times; `None` when absent or empty.
pub fn unix_millis_time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
        return Ok(None);
    };
    // Four-digit years only: RFC 3339 has no other spelling.
    const MAX_MILLIS: i64 = 253_402_300_799_999;
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|millis| (0..=MAX_MILLIS).contains(millis))
        .map(|millis| {
            Some(Rc::from(
                Timestamp::from_unix_millis(millis).to_rfc3339(true),
            ))
        })
        .ok_or(PayloadError::InvalidField(name))
}

/// A time in UTC with its fraction as written: RFC 3339 with any offset (Vonage's Messages
/// API), or `YYYY-MM-DD HH:MM:SS[.ffffff]` without a zone, read as UTC (Plivo's, Vonage's SMS
/// API's); `None` when absent or empty.
pub fn utc_time(
    value: Option<&FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Rc<str>>, PayloadError> {
    let Some(value) = value_non_empty(value, name)? else {
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

/// Fewest digits of an international number: a three-digit country code and a four-digit
/// subscriber number (Saint Helena's `+290 XXXX`, Niue's `+683 XXXX`; ITU-T E.164). Short
/// codes have at most six (US 5–6, UK 5, most others 3–6).
pub const MIN_E164_DIGITS: usize = 7;

/// A phone number as E.164: a vendor that writes international numbers as bare digits
/// (`447547232824`) gets its `+`; anything else (already `+…`, a short code of fewer than
/// [`MIN_E164_DIGITS`] digits, a masked or alphanumeric sender) stays verbatim.
pub fn e164(number: &str) -> Cow<'_, str> {
    if bare_international(number) {
        Cow::Owned(format!("+{number}"))
    } else {
        Cow::Borrowed(number)
    }
}

/// Whether `number` is an international number written as bare digits, which [`e164`] gives
/// its `+`.
pub fn bare_international(number: &str) -> bool {
    number.len() >= MIN_E164_DIGITS && number.bytes().all(|b| b.is_ascii_digit())
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
    fn millis_utc_times_and_numbers() {
        assert_eq!(
            unix_millis_time(Some(&json("1669171012444")), "t")
                .ok()
                .flatten()
                .as_deref(),
            Some("2022-11-23T02:36:52.444Z")
        );
        assert_eq!(
            unix_millis_time(Some(&json("-1")), "t"),
            Err(PayloadError::InvalidField("t"))
        );
        assert_eq!(e164("447547232824"), "+447547232824");
        assert_eq!(e164("2904002"), "+2904002");
        for verbatim in [
            "+15551234567",
            "Nexmo CLI",
            "188******",
            "",
            "12345",
            "881234",
        ] {
            assert_eq!(e164(verbatim), verbatim);
        }
    }

    #[test]
    fn utc_times_keep_their_fraction_and_take_an_offset() {
        let time = |raw: &str| {
            let value = FieldValue::Text(Cow::Owned(raw.to_string()));
            utc_time(Some(&value), "t").map(|t| t.map(|t| t.to_string()))
        };
        for (raw, expected) in [
            (
                "2023-05-01 14:00:00.123456",
                Some("2023-05-01T14:00:00.123456Z"),
            ),
            ("2023-05-01 14:00:00", Some("2023-05-01T14:00:00Z")),
            ("2018-10-25 12:10:29", Some("2018-10-25T12:10:29Z")),
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
        assert_eq!(
            check_token(Some("tok-0123456789abcdef"), &expected).map(|proof| proof.info().clone()),
            Ok(AuthInfo::Token)
        );
        assert_eq!(
            check_token(Some("tok-0123456789abcde"), &expected),
            Err(TokenError::Invalid)
        );
        assert_eq!(check_token(None, &expected), Err(TokenError::Missing));
        let rotation = [
            Secret::new("old-token-0123456789".into()),
            Secret::new("new-token-0123456789".into()),
        ];
        for given in ["old-token-0123456789", "new-token-0123456789"] {
            assert!(check_tokens(Some(given), &rotation).is_ok(), "{given}");
        }
        assert_eq!(
            check_tokens(Some("new-token-012345678"), &rotation).map(|_| ()),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            check_tokens(None, &rotation).map(|_| ()),
            Err(TokenError::Missing)
        );
        assert_eq!(
            check_tokens(Some("x"), &[]).map(|_| ()),
            Err(TokenError::Invalid)
        );
    }
}
