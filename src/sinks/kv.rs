//! Workers KV: keys, the metadata stored beside each value, and the options of a `put`.
//!
//! Limits from Cloudflare's KV documentation ("Limits"): a key is at most 512 bytes, its
//! metadata at most 1,024 bytes of JSON, a value at most 25 MiB; `expirationTtl` at least 60 s.

use crate::event::{escaped_len, CloudEvent, EventData, State};
use serde::Serialize;
use std::rc::Rc;

/// Bytes per key.
pub const KV_KEY_MAX_BYTES: usize = 512;
/// Bytes of serialized metadata per key.
pub const KV_METADATA_MAX_BYTES: usize = 1024;
/// Bytes per value.
pub const KV_VALUE_MAX_BYTES: usize = 25 * 1024 * 1024;

/// Status reports are stored under `status/<provider>/<message_id>/<event id>`.
pub const STATUS_PREFIX: &str = "status/";

/// The prefix of every key holding `provider`'s status reports of `message_id` (what the
/// lookup lists).
pub fn status_key_prefix(provider: &str, message_id: &str) -> String {
    format!("{STATUS_PREFIX}{provider}/{message_id}/")
}

/// The key an event is stored under: `status/<provider>/<message_id>/<id>`,
/// `uplink/<provider>/<id>` or `unparsed/<provider>/<id>`. A repeated push has the same id,
/// so it maps to the same key, which the store reads first and leaves as it is (`store`); two
/// different reports of one message
/// (two segments, or `sent` then `delivered`) never overwrite each other, in whatever order
/// they arrive; and the provider in every key keeps two vendors' messages apart.
pub fn key(event: &CloudEvent) -> String {
    let (prefix, message_id) = match &event.data {
        EventData::StatusReport(report) => (STATUS_PREFIX, Some(&*report.message_id)),
        EventData::Uplink(_) => ("uplink/", None),
        EventData::Unparsed(_) => ("unparsed/", None),
    };
    // Built by hand: `format!` took twice as long, once per event.
    let mut key = String::with_capacity(
        prefix.len() + event.provider.len() + message_id.map_or(0, str::len) + event.id.len() + 2,
    );
    key.push_str(prefix);
    key.push_str(event.provider);
    key.push('/');
    if let Some(message_id) = message_id {
        key.push_str(message_id);
        key.push('/');
    }
    key.push_str(&event.id);
    key
}

/// The longest `status` kept in metadata, as escaped JSON; a longer one (Huawei's are at most 7
/// characters) is left out of the metadata and stays in the value.
pub const KV_METADATA_STATUS_MAX_BYTES: usize = 64;
/// The longest `recipient` kept in metadata, as escaped JSON (a phone number is at most 16
/// characters); a
/// longer one stays in the value only, and the lookup counts its report as the recipient-less
/// part.
pub const KV_METADATA_RECIPIENT_MAX_BYTES: usize = 64;

/// KV operations one Worker invocation may make (KV "Limits", free and paid plans alike; a
/// bulk read counts as one). A push of more events than leave room for the reads before the
/// writes is written without them ([`crate::sinks::Store`]).
pub const KV_OPERATIONS_PER_INVOCATION: usize = 1000;

/// Keys per bulk `get`: Cloudflare's KV binding reads at most 100 keys in one call, and counts
/// the call as one operation against a Worker's 1,000 per invocation (KV "Limits").
pub const KV_BULK_GET_MAX_KEYS: usize = 100;

/// Bytes of `metadata` as KV stores it (JSON).
pub fn metadata_len(metadata: &KvMetadata) -> usize {
    serde_json::to_string(metadata).map_or(usize::MAX, |json| json.len())
}

impl KvMetadata {
    /// At least [`metadata_len`], without serializing: the keys and punctuation at their
    /// longest, plus each value as escaped. Checked on every event before a write.
    pub fn max_len(&self) -> usize {
        const FRAME: usize = concat!(
            r#"{"type":"","status":"","state":"delivered","final":false,"delivered":false,"#,
            r#""segment":4294967295,"segments":4294967295,"recipient":"","time":"","received_at":""}"#
        )
        .len();
        let escaped = |text: Option<&str>| text.map_or(0, escaped_len);
        FRAME
            + escaped(Some(self.kind))
            + escaped(self.status.as_deref())
            + escaped(self.recipient.as_deref())
            + escaped(Some(&self.time))
            + escaped(Some(&self.received_at))
    }
}

/// Small metadata stored beside each KV value, so `list` shows a message's reports and the
/// lookup decides its state without reading any value.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KvMetadata {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    #[serde(rename = "final", skip_serializing_if = "Option::is_none")]
    pub is_final: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<bool>,
    /// A status report's part number, where the provider gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<u32>,
    /// How many parts the message has, where the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The event's `time`: the vendor's time, else when it was received.
    pub time: Rc<str>,
    /// When the relay received it: the arrival order among reports of equal time.
    pub received_at: Rc<str>,
}

impl KvMetadata {
    pub fn of(event: &CloudEvent) -> KvMetadata {
        let mut metadata = KvMetadata {
            kind: event.kind.type_name(),
            status: None,
            state: None,
            is_final: None,
            delivered: None,
            segment: None,
            segments: None,
            recipient: None,
            time: event.time.clone(),
            received_at: event.data.received_at().clone(),
        };
        if let EventData::StatusReport(report) = &event.data {
            metadata.status = Some(report.status.clone())
                .filter(|status| escaped_len(status) <= KV_METADATA_STATUS_MAX_BYTES);
            metadata.state = Some(report.state);
            metadata.is_final = Some(report.is_final);
            metadata.delivered = Some(report.delivered);
            metadata.segment = report.segment;
            metadata.segments = report.segments;
            metadata.recipient = report
                .recipient
                .clone()
                .filter(|recipient| escaped_len(recipient) <= KV_METADATA_RECIPIENT_MAX_BYTES);
        }
        metadata
    }
}

/// The options object of a KV `put`: metadata, and an expiry when `KV_TTL_SECS` is set.
pub fn put_options(
    metadata: &KvMetadata,
    ttl_secs: Option<u64>,
) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct PutOptions<'a> {
        metadata: &'a KvMetadata,
        #[serde(rename = "expirationTtl", skip_serializing_if = "Option::is_none")]
        expiration_ttl: Option<u64>,
    }
    serde_json::to_string(&PutOptions {
        metadata,
        expiration_ttl: ttl_secs,
    })
}

/// One KV `put(key, value, options)`; `options` is the JSON of the options object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvPut<'s> {
    pub key: &'s str,
    pub value: &'s str,
    pub options: &'s str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_key_any_provider_can_make_fits() {
        use crate::event::{AuthInfo, CloudEvent, StatusReportData};
        use crate::payload::Extra;
        use crate::providers::common::MAX_MESSAGE_ID_BYTES;
        for name in crate::providers::NAMES {
            let provider = crate::event::Provider {
                name,
                source: "urn:x",
                id_letter: b'x',
            };
            let message_id: Rc<str> = "m".repeat(MAX_MESSAGE_ID_BYTES).into();
            let data = StatusReportData {
                message_id,
                status: "S".into(),
                state: State::Unknown,
                is_final: false,
                error_code: None,
                delivered: false,
                status_description: None,
                report_source: None,
                segment: None,
                segments: None,
                recipient: None,
                extend: None,
                org_code: None,
                updated_at: None,
                sent_at: None,
                received_at: "t".into(),
                auth: AuthInfo::None,
                extra: Extra::default(),
            };
            let event = CloudEvent::status_report(provider, data);
            let key = key(&event);
            assert!(key.starts_with(&status_key_prefix(name, &"m".repeat(MAX_MESSAGE_ID_BYTES))));
            assert!(key.len() <= KV_KEY_MAX_BYTES, "{} bytes", key.len());
        }
    }

    #[test]
    fn put_options_are_the_json_the_binding_takes() {
        let metadata = KvMetadata {
            kind: "t",
            status: Some("DELIVRD".into()),
            state: Some(State::Delivered),
            is_final: Some(true),
            delivered: Some(true),
            segment: None,
            segments: None,
            recipient: None,
            time: "x".into(),
            received_at: "y".into(),
        };
        assert_eq!(
            put_options(&metadata, Some(60)).ok().as_deref(),
            Some(concat!(
                r#"{"metadata":{"type":"t","status":"DELIVRD","state":"delivered","final":true,"#,
                r#""delivered":true,"time":"x","received_at":"y"},"expirationTtl":60}"#
            ))
        );
        assert_eq!(
            put_options(&metadata, None).ok().as_deref(),
            Some(concat!(
                r#"{"metadata":{"type":"t","status":"DELIVRD","state":"delivered","final":true,"#,
                r#""delivered":true,"time":"x","received_at":"y"}}"#
            ))
        );
    }

    #[test]
    fn the_metadata_bound_is_never_below_the_real_length() {
        for status in [
            None,
            Some(String::new()),
            Some("DELIVRD".into()),
            Some("\u{1}\"é".repeat(6)),
        ] {
            for (delivered, segment, recipient) in [
                (None, None, None),
                (
                    Some(true),
                    Some(u32::MAX),
                    Some("+8613800000000".to_string()),
                ),
                (
                    Some(false),
                    Some(1),
                    Some("\u{1}\"".repeat(KV_METADATA_RECIPIENT_MAX_BYTES / 8)),
                ),
            ] {
                let metadata = KvMetadata {
                    kind: crate::event::STATUS_REPORT_TYPE,
                    status: status.clone(),
                    state: delivered.map(|_| State::Delivered),
                    is_final: delivered,
                    delivered,
                    segment,
                    segments: segment,
                    recipient,
                    time: "2018-04-13T06:31:46.123456789Z".into(),
                    received_at: "2018-04-13T06:31:46.123Z".into(),
                };
                assert!(
                    metadata.max_len() >= metadata_len(&metadata),
                    "{metadata:?}"
                );
                assert!(metadata.max_len() <= KV_METADATA_MAX_BYTES);
            }
        }
    }
}
