//! The normalized event: one CloudEvents 1.0 JSON object (structured mode) per status report,
//! uplink message, or input that could not be read. `schema/event.schema.json` describes it.

pub mod state;
mod unparsed;

pub use state::{Outcome, State};
pub use unparsed::{base64_len, escaped_len, unparsed, unparsed_piece, Piece, Receipt};

use crate::http::{Refusal, Reply};
use crate::payload::{Extra, ExtraValue};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::ops::Range;
// Shared, not copied, by every event of a batch.
use std::rc::Rc;

pub const SPEC_VERSION: &str = "1.0";
pub const DATA_CONTENT_TYPE: &str = "application/json";

/// The CloudEvents `type` of a delivery status report, whichever provider sent it: consumers
/// match one type per kind and read the provider from the `provider` attribute. Reverse-DNS
/// under the project's home (`github.com/sms-relay`), as the CloudEvents spec recommends.
pub const STATUS_REPORT_TYPE: &str = "io.github.sms-relay.status_report";
/// The `type` of an uplink (mobile-originated) message.
pub const UPLINK_TYPE: &str = "io.github.sms-relay.uplink";
/// The `type` of input that authenticated but could not be read.
pub const UNPARSED_TYPE: &str = "io.github.sms-relay.unparsed";

/// What an event describes; its CloudEvents `type` and its part in the deterministic id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    StatusReport,
    Uplink,
    Unparsed,
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.type_name())
    }
}

impl EventKind {
    pub fn type_name(self) -> &'static str {
        match self {
            EventKind::StatusReport => STATUS_REPORT_TYPE,
            EventKind::Uplink => UPLINK_TYPE,
            EventKind::Unparsed => UNPARSED_TYPE,
        }
    }

    /// The kind's letter in the id input (see [`event_id`]).
    fn id_letter(self) -> u8 {
        match self {
            EventKind::StatusReport => b's',
            EventKind::Uplink => b'u',
            EventKind::Unparsed => b'x',
        }
    }
}

/// Who sent an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// `huawei`, `alibaba`, `tencent` or `twilio`: the event's `provider` attribute.
    pub name: &'static str,
    /// The CloudEvents `source`, a URN per provider.
    pub source: &'static str,
    /// The provider's letter in the id input, so two providers' ids never collide.
    pub id_letter: u8,
}

/// A CloudEvents 1.0 event in structured JSON form.
#[derive(Debug, Clone, Serialize)]
pub struct CloudEvent {
    pub specversion: &'static str,
    pub id: String,
    /// The provider's URN, e.g. `urn:huaweicloud:msgsms`.
    pub source: &'static str,
    #[serde(rename = "type")]
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Rc<str>>,
    pub time: Rc<str>,
    pub datacontenttype: &'static str,
    /// CloudEvents extension attribute: which provider sent it (`huawei`, `alibaba`, …).
    pub provider: &'static str,
    pub data: EventData,
    /// Where in the request body the event was read from (the whole body, or one batch entry),
    /// so an event too large for a sink can be stored as those bytes instead.
    #[serde(skip)]
    pub origin: Option<Range<usize>>,
}

impl CloudEvent {
    /// An event with the fixed CloudEvents attributes filled in.
    pub fn new(
        provider: Provider,
        kind: EventKind,
        id: String,
        subject: Option<Rc<str>>,
        time: Rc<str>,
        data: EventData,
    ) -> CloudEvent {
        CloudEvent {
            specversion: SPEC_VERSION,
            id,
            source: provider.source,
            kind,
            subject,
            time,
            datacontenttype: DATA_CONTENT_TYPE,
            provider: provider.name,
            data,
            origin: None,
        }
    }
}

impl CloudEvent {
    /// A status report: its id hashes what it says ([`StatusReportData::id`]), `subject` is
    /// its message id, `time` its `updated_at`, else when the push was received.
    pub fn status_report(provider: Provider, data: StatusReportData) -> CloudEvent {
        let id = data.id(provider);
        let subject = Some(data.message_id.clone());
        let time = data
            .updated_at
            .clone()
            .unwrap_or_else(|| data.received_at.clone());
        let data = EventData::StatusReport(data);
        CloudEvent::new(provider, EventKind::StatusReport, id, subject, time, data)
    }

    /// An uplink: its id hashes what it says ([`UplinkData::id`]), `subject` is its message
    /// id when it has one, `time` its `created_at`, else when the push was received.
    pub fn uplink(provider: Provider, data: UplinkData) -> CloudEvent {
        let id = data.id(provider);
        let subject = data.message_id.clone();
        let time = data
            .created_at
            .clone()
            .unwrap_or_else(|| data.received_at.clone());
        let data = EventData::Uplink(data);
        CloudEvent::new(provider, EventKind::Uplink, id, subject, time, data)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum EventData {
    StatusReport(StatusReportData),
    Uplink(UplinkData),
    Unparsed(UnparsedData),
}

impl EventData {
    /// When the push that carried the event was received.
    pub fn received_at(&self) -> &Rc<str> {
        match self {
            EventData::StatusReport(report) => &report.received_at,
            EventData::Uplink(uplink) => &uplink.received_at,
            EventData::Unparsed(unparsed) => &unparsed.received_at,
        }
    }

    /// The provider's id of the message the event is about (none for unparsed input).
    pub fn message_id(&self) -> Option<Rc<str>> {
        match self {
            EventData::StatusReport(report) => Some(report.message_id.clone()),
            EventData::Uplink(uplink) => uplink.message_id.clone(),
            EventData::Unparsed(_) => None,
        }
    }
}

/// How the push that carried an event was authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "lowercase")]
pub enum AuthInfo {
    /// A valid SDK-HMAC-SHA256 signature by this access key, with the secret of the
    /// `HUAWEI_PUSH_KEYS` entry at this 1-based position (two entries share an access key
    /// while its secret is rotated).
    Aksk { access_key: Rc<str>, key_index: u8 },
    /// The URL carried the configured ingest token.
    Token,
    /// Accepted unauthenticated (`ALLOW_UNSIGNED=true`, local development).
    None,
    /// A valid provider signature (Twilio's `X-Twilio-Signature`) by the auth token at this
    /// 1-based position in the configured list, so a rotation shows which one is still used.
    Signature { token_index: u8 },
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReportData {
    pub message_id: Rc<str>,
    /// The vendor's status value, verbatim.
    pub status: String,
    /// Where the message is, in the one model every vendor maps onto.
    pub state: State,
    /// Whether the outcome is settled: the vendor sends nothing after this report (for this
    /// recipient and part), but a read receipt after `delivered`.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The vendor's error or status code explaining the outcome, verbatim; `None` when the
    /// report carries none (success, or no code sent).
    pub error_code: Option<String>,
    /// `state` is `delivered` or `read`.
    pub delivered: bool,
    pub status_description: Option<Cow<'static, str>>,
    pub report_source: Option<&'static str>,
    /// The part number of a split message, where the provider says (Huawei: 1 when not split).
    pub segment: Option<u32>,
    /// How many parts the message was split into, where the provider says.
    pub segments: Option<u32>,
    pub recipient: Option<String>,
    pub extend: Option<String>,
    pub org_code: Option<String>,
    pub updated_at: Option<Rc<str>>,
    /// When the vendor says it sent the message to the carrier, where it says (Alibaba).
    pub sent_at: Option<Rc<str>>,
    pub received_at: Rc<str>,
    pub auth: AuthInfo,
    /// Every field the provider sent that is not mapped above, verbatim.
    pub extra: Extra,
}

#[derive(Debug, Clone, Serialize)]
pub struct UplinkData {
    /// The provider's id of the uplink, where it gives one (Tencent does not).
    pub message_id: Option<Rc<str>>,
    pub from: String,
    /// The number or extension it was sent to, where the provider says.
    pub to: Option<String>,
    pub body: String,
    pub created_at: Option<Rc<str>>,
    pub received_at: Rc<str>,
    pub auth: AuthInfo,
    pub extra: Extra,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnparsedData {
    /// Error code and detail, e.g. `missing_field: smsMsgId`.
    pub reason: String,
    /// Which callback URL of its provider it arrived on: `reports`, `uplink`, `replies`,
    /// `status` or `inbound`.
    pub endpoint: &'static str,
    pub content_type: Option<String>,
    pub body: String,
    /// `utf8` when `body` is the input as text, `base64` when the input was not UTF-8.
    pub body_encoding: &'static str,
    /// Where the input was too large for one event: which piece this is (1-based)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
    /// …of how many…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<u32>,
    /// …and the hex SHA-256 of the whole input, which the pieces' bytes joined in order make.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whole_sha256: Option<String>,
    pub received_at: Rc<str>,
    pub auth: AuthInfo,
}

/// The deterministic event id: the first 16 bytes of SHA-256, in lower-case hex, over the
/// provider's and the kind's letters followed by each part, every one prefixed by its length
/// (LEB128). Status reports and uplinks hash every field of their `data` but `received_at` and
/// `auth` ([`StatusReportData::id`], [`UplinkData::id`]), so two reports that say anything
/// different never share an id and the same report delivered again repeats it; unparsed input
/// hashes endpoint, content type, reason and the raw bytes. Because every part carries its
/// length, different parts never hash alike.
pub fn event_id(provider: Provider, kind: EventKind, parts: &[&[u8]]) -> String {
    let mut hasher = IdHasher::new(provider, kind);
    for part in parts {
        hasher.bytes(part);
    }
    hasher.finish()
}

/// Feeds an event's parts into its id ([`event_id`]): bytes length-prefixed, optional values
/// tagged present or absent, so `None` and `Some("")` differ.
pub struct IdHasher(Sha256);

impl IdHasher {
    pub fn new(provider: Provider, kind: EventKind) -> IdHasher {
        let mut hasher = Sha256::new();
        hasher.update([provider.id_letter, kind.id_letter()]);
        IdHasher(hasher)
    }

    pub fn bytes(&mut self, part: &[u8]) {
        let mut length = [0u8; 10];
        self.0.update(leb128(part.len(), &mut length));
        self.0.update(part);
    }

    pub fn text(&mut self, part: Option<&str>) {
        match part {
            None => self.0.update([0]),
            Some(text) => {
                self.0.update([1]);
                self.bytes(text.as_bytes());
            }
        }
    }

    pub fn number(&mut self, part: Option<u32>) {
        match part {
            None => self.0.update([0]),
            Some(n) => {
                self.0.update([1]);
                self.0.update(n.to_le_bytes());
            }
        }
    }

    pub fn flag(&mut self, part: bool) {
        self.0.update([u8::from(part)]);
    }

    /// Every unmapped field: its name and its value as JSON text, so a form's `x=5` and a
    /// JSON entry's `"x":"5"` (the same event) hash alike.
    pub fn extra(&mut self, extra: &Extra) {
        let mut length = [0u8; 10];
        self.0.update(leb128(extra.len(), &mut length));
        for (name, value) in extra.iter() {
            self.bytes(name.as_bytes());
            match value {
                ExtraValue::Json(raw) => self.bytes(raw.get().as_bytes()),
                ExtraValue::Text(text) => {
                    // The text as a JSON string, streamed: its length first, then its bytes.
                    let mut length = [0u8; 10];
                    self.0.update(leb128(escaped_len(text) + 2, &mut length));
                    let _ = serde_json::to_writer(HashWriter(&mut self.0), text.as_str());
                }
            }
        }
    }

    pub fn finish(self) -> String {
        let digest = self.0.finalize();
        crate::crypto::hex(digest.get(..16).unwrap_or_default())
    }
}

/// Feeds what serde_json writes into a hash.
struct HashWriter<'h>(&'h mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl StatusReportData {
    /// The report's id: every field but `received_at` and `auth`, in declaration order, less
    /// what the relay derives from the others by its own tables (`state`, `final`,
    /// `delivered`), so a change of mapping in a later release keeps the ids of reports a
    /// vendor retries across it. The fields are named one by one, so a new field cannot be
    /// left out of the id unnoticed.
    pub fn id(&self, provider: Provider) -> String {
        let StatusReportData {
            message_id,
            status,
            state: _,
            is_final: _,
            error_code,
            delivered: _,
            status_description,
            report_source,
            segment,
            segments,
            recipient,
            extend,
            org_code,
            updated_at,
            sent_at,
            received_at: _,
            auth: _,
            extra,
        } = self;
        let mut hasher = IdHasher::new(provider, EventKind::StatusReport);
        hasher.bytes(message_id.as_bytes());
        hasher.bytes(status.as_bytes());
        hasher.text(error_code.as_deref());
        hasher.text(status_description.as_deref());
        hasher.text(*report_source);
        hasher.number(*segment);
        hasher.number(*segments);
        hasher.text(recipient.as_deref());
        hasher.text(extend.as_deref());
        hasher.text(org_code.as_deref());
        hasher.text(updated_at.as_deref());
        hasher.text(sent_at.as_deref());
        hasher.extra(extra);
        hasher.finish()
    }
}

impl UplinkData {
    /// The uplink's id: every field but `received_at` and `auth`, as for status reports.
    pub fn id(&self, provider: Provider) -> String {
        let UplinkData {
            message_id,
            from,
            to,
            body,
            created_at,
            received_at: _,
            auth: _,
            extra,
        } = self;
        let mut hasher = IdHasher::new(provider, EventKind::Uplink);
        hasher.text(message_id.as_deref());
        hasher.bytes(from.as_bytes());
        hasher.text(to.as_deref());
        hasher.bytes(body.as_bytes());
        hasher.text(created_at.as_deref());
        hasher.extra(extra);
        hasher.finish()
    }
}

/// `value` as unsigned LEB128: seven bits a byte, low first, the high bit set on all but the
/// last. Unambiguous, and one byte for any part shorter than 128 bytes.
fn leb128(mut value: usize, out: &mut [u8; 10]) -> &[u8] {
    let mut used = 0;
    for slot in out.iter_mut() {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        used += 1;
        if value == 0 {
            *slot = low;
            break;
        }
        *slot = low | 0x80;
    }
    out.get(..used).unwrap_or_default()
}

/// The outcome of a callback whose body was read: the events to store, and the reply to send
/// once every sink has accepted them (a sink failure turns it into `503`).
#[derive(Debug)]
pub struct Ingested {
    pub events: Vec<CloudEvent>,
    pub reply: Reply,
    pub access_key: Option<String>,
    /// How to keep an event's input as an unparsed event, should the event not fit a sink.
    pub fallback: Option<Fallback>,
}

/// What an unparsed event needs besides the bytes and the error.
#[derive(Debug, Clone)]
pub struct Fallback {
    pub provider: Provider,
    pub endpoint: &'static str,
    pub content_type: Option<String>,
    pub receipt: Receipt,
}

impl Ingested {
    /// Nothing to store; answer `refusal`.
    pub fn refused(refusal: Refusal) -> Ingested {
        Ingested {
            events: Vec::new(),
            reply: refusal.reply(),
            access_key: None,
            fallback: None,
        }
    }
}

/// A provider for unit tests.
#[cfg(test)]
pub(crate) const TEST_PROVIDER: Provider = Provider {
    name: "p",
    source: "urn:p",
    id_letter: b'p',
};

#[cfg(test)]
mod tests {
    use super::*;

    const P: Provider = TEST_PROVIDER;

    #[test]
    fn a_text_extra_is_hashed_as_the_json_string_serde_writes() {
        for text in [
            "",
            "a",
            "\"\\",
            "\u{1}\u{1f}\n\t\u{8}\u{c}\r",
            "é中\u{7f}",
            "\u{2028}",
        ] {
            let json = serde_json::to_string(text).unwrap();
            assert_eq!(escaped_len(text) + 2, json.len(), "{text:?}");
        }
    }

    #[test]
    fn leb128_lengths() {
        let mut out = [0u8; 10];
        assert_eq!(leb128(0, &mut out), [0]);
        assert_eq!(leb128(127, &mut out), [127]);
        assert_eq!(leb128(128, &mut out), [0x80, 1]);
        assert_eq!(leb128(300, &mut out), [0xac, 0x02]);
        assert_eq!(leb128(usize::MAX, &mut out).len(), 10);
    }

    #[test]
    fn the_id_is_sha256_over_the_letters_and_length_prefixed_parts_at_every_length() {
        let reference = |parts: &[&[u8]]| {
            let mut hasher = Sha256::new();
            hasher.update([P.id_letter, EventKind::StatusReport.id_letter()]);
            for part in parts {
                let mut length = [0u8; 10];
                hasher.update(leb128(part.len(), &mut length));
                hasher.update(part);
            }
            crate::crypto::hex(&hasher.finalize()[..16])
        };
        let bytes = [b'x'; 200];
        for len in 0..=bytes.len() {
            for parts in [
                vec![&bytes[..len]],
                vec![&bytes[..len], b"1".as_slice(), b"DELIVRD"],
                vec![&bytes[..len / 2], &bytes[..len - len / 2], b"", b"z"],
            ] {
                assert_eq!(
                    event_id(P, EventKind::StatusReport, &parts),
                    reference(&parts),
                    "{len}"
                );
            }
        }
    }

    #[test]
    fn moving_bytes_between_parts_changes_the_id() {
        let a = event_id(P, EventKind::StatusReport, &[b"A", b"1", b"1\x00X"]);
        let b = event_id(P, EventKind::StatusReport, &[b"A\x001", b"1", b"X"]);
        assert_ne!(a, b);
        assert_ne!(
            event_id(P, EventKind::Uplink, &[b"ab", b""]),
            event_id(P, EventKind::Uplink, &[b"a", b"b"])
        );
        let other = Provider {
            id_letter: b'q',
            ..P
        };
        assert_ne!(
            event_id(P, EventKind::Uplink, &[b"m"]),
            event_id(other, EventKind::Uplink, &[b"m"])
        );
    }
}
