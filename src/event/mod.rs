//! The normalized event: one CloudEvents 1.0 JSON object (structured mode) per status report,
//! uplink message, or input that could not be read. `schema/event.schema.json` describes it.

pub mod normalize;
pub mod status_codes;

use crate::payload::Fields;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub const SPEC_VERSION: &str = "1.0";
pub const SOURCE: &str = "urn:huaweicloud:msgsms";
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

    fn id_tag(self) -> &'static str {
        match self {
            EventKind::StatusReport => "status_report",
            EventKind::Uplink => "uplink",
            EventKind::Unparsed => "unparsed",
        }
    }
}

/// A CloudEvents 1.0 event in structured JSON form.
#[derive(Debug, Clone, Serialize)]
pub struct CloudEvent {
    pub specversion: &'static str,
    pub id: String,
    pub source: &'static str,
    #[serde(rename = "type")]
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub time: String,
    pub datacontenttype: &'static str,
    pub data: EventData,
}

impl CloudEvent {
    /// An event with the fixed CloudEvents attributes filled in.
    pub fn new(
        kind: EventKind,
        id: String,
        subject: Option<String>,
        time: String,
        data: EventData,
    ) -> CloudEvent {
        CloudEvent {
            specversion: SPEC_VERSION,
            id,
            source: SOURCE,
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
    Aksk { access_key: String },
    /// The URL carried the configured ingest token.
    Token,
    /// Accepted unauthenticated (`ALLOW_UNSIGNED=true`, local development).
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReportData {
    pub message_id: String,
    pub status: String,
    pub delivered: bool,
    pub status_description: Option<String>,
    pub report_source: Option<&'static str>,
    pub segment: u32,
    pub segments: u32,
    pub recipient: Option<String>,
    pub extend: Option<String>,
    pub org_code: Option<String>,
    pub updated_at: Option<String>,
    pub received_at: String,
    pub auth: AuthInfo,
    /// Every field Huawei sent that is not mapped above, verbatim.
    pub extra: Fields,
}

#[derive(Debug, Clone, Serialize)]
pub struct UplinkData {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub created_at: Option<String>,
    pub received_at: String,
    pub auth: AuthInfo,
    pub extra: Fields,
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
    pub received_at: String,
    pub auth: AuthInfo,
}

/// The deterministic event id: the first 16 bytes of SHA-256 over the kind, message id,
/// segment number and status, NUL-separated, in lower-case hex. A duplicate push of the same
/// report yields the same id, so consumers and the KV sink can deduplicate.
pub fn event_id(kind: EventKind, message_id: &str, segment: u32, status: &str) -> String {
    let mut hasher = Sha256::new();
    for (index, part) in [kind.id_tag(), message_id, &segment.to_string(), status]
        .iter()
        .enumerate()
    {
        if index > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    hex::encode(digest.get(..16).unwrap_or_default())
}
