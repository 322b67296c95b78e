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

/// Status reports are stored under `status/<provider>/<message_id>/<event id>`.
pub const STATUS_PREFIX: &str = "status/";

/// The prefix of every key holding `provider`'s status reports of `message_id` (what the
/// lookup lists).
pub fn status_key_prefix(provider: &str, message_id: &str) -> String {
    format!("{STATUS_PREFIX}{provider}/{message_id}/")
}

/// The key an event is stored under: `status/<provider>/<message_id>/<id>`,
/// `uplink/<provider>/<id>` or `unparsed/<provider>/<id>`. A repeated push has the same id,
/// so it overwrites the same key with the same value; two different reports of one message
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
        const FRAME: usize =
            r#"{"type":"","status":"","delivered":false,"segment":4294967295,"time":""}"#.len();
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
    /// A status report's part number, where the provider gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<u32>,
    pub time: Rc<str>,
}

impl KvMetadata {
    pub fn of(event: &CloudEvent) -> KvMetadata {
        let (status, delivered, segment) = match &event.data {
            EventData::StatusReport(report) => (
                Some(report.status.clone())
                    .filter(|status| status.len() <= KV_METADATA_STATUS_MAX_BYTES),
                Some(report.delivered),
                report.segment,
            ),
            EventData::Uplink(_) | EventData::Unparsed(_) => (None, None, None),
        };
        KvMetadata {
            kind: event.kind.type_name(),
            status,
            delivered,
            segment,
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
    fn the_longest_key_any_provider_can_make_fits() {
        use crate::event::{AuthInfo, CloudEvent, EventKind, StatusReportData};
        use crate::payload::Extra;
        use crate::providers::common::MAX_MESSAGE_ID_BYTES;
        for name in crate::config::providers::PROVIDER_NAMES {
            let provider = crate::event::Provider {
                name,
                source: "urn:x",
                id_letter: b'x',
            };
            let message_id: Rc<str> = "m".repeat(MAX_MESSAGE_ID_BYTES).into();
            let data = StatusReportData {
                message_id,
                status: "S".into(),
                delivered: false,
                status_description: None,
                report_source: None,
                segment: None,
                segments: None,
                recipient: None,
                extend: None,
                org_code: None,
                updated_at: None,
                received_at: "t".into(),
                auth: AuthInfo::None,
                extra: Extra::default(),
            };
            let id = crate::event::event_id(provider, EventKind::StatusReport, &[b"m"]);
            let event = CloudEvent::status_report(provider, id, data);
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
            delivered: Some(true),
            segment: None,
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
            for (delivered, segment) in [
                (None, None),
                (Some(true), Some(u32::MAX)),
                (Some(false), Some(1)),
            ] {
                let metadata = KvMetadata {
                    kind: crate::event::STATUS_REPORT_TYPE,
                    status: status.clone(),
                    delivered,
                    segment,
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
