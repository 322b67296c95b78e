//! Workers KV: keys, the metadata stored beside each value, and the options of a `put`.
//!
//! Limits from Cloudflare's KV documentation ("Limits"): a key is at most 512 bytes, its
//! metadata at most 1,024 bytes of JSON, a value at most 25 MiB; `expirationTtl` at least 60 s.

use crate::event::{CloudEvent, EventData};
use serde::Serialize;
use std::rc::Rc;

/// Bytes per key.
pub const KV_KEY_MAX_BYTES: usize = 512;
/// Bytes of serialized metadata per key.
pub const KV_METADATA_MAX_BYTES: usize = 1024;
/// Bytes per value.
pub const KV_VALUE_MAX_BYTES: usize = 25 * 1024 * 1024;

/// Status reports are stored under `status/<message_id>/<segment>`.
pub const STATUS_PREFIX: &str = "status/";

/// The prefix of every key holding `message_id`'s status reports (what the lookup lists).
pub fn status_key_prefix(message_id: &str) -> String {
    format!("{STATUS_PREFIX}{message_id}/")
}

/// The key an event is stored under: one per report segment, per uplink, per unparsed input,
/// so a repeated push overwrites the same key with the same value.
pub fn key(event: &CloudEvent) -> String {
    let (prefix, name, segment) = match &event.data {
        EventData::StatusReport(report) => {
            (STATUS_PREFIX, &*report.message_id, Some(report.segment))
        }
        EventData::Uplink(uplink) => ("uplink/", &*uplink.message_id, None),
        EventData::Unparsed(_) => ("unparsed/", event.id.as_str(), None),
    };
    // Built by hand: `format!` took twice as long, once per event.
    let mut key = String::with_capacity(prefix.len() + name.len() + 11);
    key.push_str(prefix);
    key.push_str(name);
    if let Some(segment) = segment {
        key.push('/');
        key.push_str(itoa::Buffer::new().format(segment));
    }
    key
}

/// The longest `status` kept in metadata; a longer one (Huawei's are at most 7 characters) is
/// left out of the metadata and stays in the value.
pub const KV_METADATA_STATUS_MAX_BYTES: usize = 64;

/// Bytes of `metadata` as KV stores it (JSON).
pub fn metadata_len(metadata: &KvMetadata) -> usize {
    serde_json::to_string(metadata).map_or(usize::MAX, |json| json.len())
}

impl KvMetadata {
    /// At least [`metadata_len`], without serializing: the keys and punctuation, plus each
    /// value at its worst escaping (six bytes a byte). Checked on every event before a write.
    pub fn max_len(&self) -> usize {
        const FRAME: usize = r#"{"type":"","status":"","delivered":false,"time":""}"#.len();
        FRAME
            + self.kind.len()
            + 6 * self.status.as_ref().map_or(0, String::len)
            + 6 * self.time.len()
    }
}

/// Small metadata stored beside each KV value, so `list` shows state without reading values.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KvMetadata {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<bool>,
    pub time: Rc<str>,
}

impl KvMetadata {
    pub fn of(event: &CloudEvent) -> KvMetadata {
        let (status, delivered) = match &event.data {
            EventData::StatusReport(report) => (
                Some(report.status.clone())
                    .filter(|status| status.len() <= KV_METADATA_STATUS_MAX_BYTES),
                Some(report.delivered),
            ),
            EventData::Uplink(_) | EventData::Unparsed(_) => (None, None),
        };
        KvMetadata {
            kind: event.kind.type_name(),
            status,
            delivered,
            time: event.time.clone(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_options_are_the_json_the_binding_takes() {
        let metadata = KvMetadata {
            kind: "t",
            status: Some("DELIVRD".into()),
            delivered: Some(true),
            time: "x".into(),
        };
        assert_eq!(
            put_options(&metadata, Some(60)).ok().as_deref(),
            Some(
                r#"{"metadata":{"type":"t","status":"DELIVRD","delivered":true,"time":"x"},"expirationTtl":60}"#
            )
        );
        assert_eq!(
            put_options(&metadata, None).ok().as_deref(),
            Some(r#"{"metadata":{"type":"t","status":"DELIVRD","delivered":true,"time":"x"}}"#)
        );
    }

    #[test]
    fn the_metadata_bound_is_never_below_the_real_length() {
        for status in [
            None,
            Some(String::new()),
            Some("DELIVRD".into()),
            Some("\u{1}\"é".repeat(21)),
        ] {
            for delivered in [None, Some(true), Some(false)] {
                let metadata = KvMetadata {
                    kind: "com.huaweicloud.sms.status_report",
                    status: status.clone(),
                    delivered,
                    time: "2018-04-13T06:31:46.123456789Z".into(),
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
