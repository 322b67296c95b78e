//! The normalized event: one CloudEvents 1.0 JSON object (structured mode) per status report,
//! uplink message, or input that could not be read. `schema/event.schema.json` describes it.

mod unparsed;

pub use unparsed::{unparsed, Receipt};

use crate::http::Reply;
use crate::payload::Extra;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
// Shared, not copied, by every event of a batch.
use std::rc::Rc;

pub const SPEC_VERSION: &str = "1.0";
pub const DATA_CONTENT_TYPE: &str = "application/json";

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
            EventKind::StatusReport => "com.huaweicloud.sms.status_report",
            EventKind::Uplink => "com.huaweicloud.sms.uplink",
            EventKind::Unparsed => "com.huaweicloud.sms.unparsed",
        }
    }

    /// One letter, so that the hashed input of a typical report (a 39-character message id)
    /// fits one SHA-256 block: with the full kind name it took two, and id hashing was a fifth
    /// of the cost of normalizing a batch.
    fn id_tag(self) -> &'static str {
        match self {
            EventKind::StatusReport => "s",
            EventKind::Uplink => "u",
            EventKind::Unparsed => "x",
        }
    }
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
    pub data: EventData,
}

impl CloudEvent {
    /// An event with the fixed CloudEvents attributes filled in.
    pub fn new(
        source: &'static str,
        kind: EventKind,
        id: String,
        subject: Option<Rc<str>>,
        time: Rc<str>,
        data: EventData,
    ) -> CloudEvent {
        CloudEvent {
            specversion: SPEC_VERSION,
            id,
            source,
            kind,
            subject,
            time,
            datacontenttype: DATA_CONTENT_TYPE,
            data,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum EventData {
    StatusReport(StatusReportData),
    Uplink(UplinkData),
    Unparsed(UnparsedData),
}

/// How the push that carried an event was authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "lowercase")]
pub enum AuthInfo {
    /// A valid SDK-HMAC-SHA256 signature by this access key.
    Aksk { access_key: Rc<str> },
    /// The URL carried the configured ingest token.
    Token,
    /// Accepted unauthenticated (`ALLOW_UNSIGNED=true`, local development).
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReportData {
    pub message_id: Rc<str>,
    pub status: String,
    pub delivered: bool,
    pub status_description: Option<Cow<'static, str>>,
    pub report_source: Option<&'static str>,
    pub segment: u32,
    pub segments: u32,
    pub recipient: Option<String>,
    pub extend: Option<String>,
    pub org_code: Option<String>,
    pub updated_at: Option<Rc<str>>,
    pub received_at: Rc<str>,
    pub auth: AuthInfo,
    /// Every field Huawei sent that is not mapped above, verbatim.
    pub extra: Extra,
}

#[derive(Debug, Clone, Serialize)]
pub struct UplinkData {
    pub message_id: Rc<str>,
    pub from: String,
    pub to: String,
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
    /// Which callback URL it arrived on: `reports` or `uplink`.
    pub endpoint: &'static str,
    pub content_type: Option<String>,
    pub body: String,
    /// `utf8` when `body` is the input as text, `base64` when the input was not UTF-8.
    pub body_encoding: &'static str,
    pub received_at: Rc<str>,
    pub auth: AuthInfo,
}

/// The deterministic event id: the first 16 bytes of SHA-256 over the kind's letter (`s`
/// status report, `u` uplink, `x` unparsed), message id, segment number and status,
/// NUL-separated, in lower-case hex. A duplicate push of the same
/// report yields the same id, so consumers and the KV sink can deduplicate.
pub fn event_id(kind: EventKind, message_id: &str, segment: u32, status: &str) -> String {
    let mut digits = itoa::Buffer::new();
    let mut hasher = Sha256::new();
    hasher.update(kind.id_tag().as_bytes());
    for part in [
        message_id.as_bytes(),
        digits.format(segment).as_bytes(),
        status.as_bytes(),
    ] {
        hasher.update([0u8]);
        hasher.update(part);
    }
    let digest = hasher.finalize();
    crate::crypto::hex(digest.get(..16).unwrap_or_default())
}

/// The outcome of a callback whose body was read: the events to store, and the reply to send
/// once every sink has accepted them (a sink failure turns it into `503`).
#[derive(Debug)]
pub struct Ingested {
    pub events: Vec<CloudEvent>,
    pub reply: Reply,
    pub access_key: Option<String>,
}

impl Ingested {
    /// Nothing to store; answer `reply`.
    pub fn refused(reply: Reply) -> Ingested {
        Ingested {
            events: Vec::new(),
            reply,
            access_key: None,
        }
    }
}
