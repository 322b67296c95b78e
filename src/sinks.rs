//! What gets written where, decided without I/O: the JSON each sink receives, KV keys and
//! metadata, and how queue messages are grouped into `sendBatch` calls.

use crate::event::{CloudEvent, EventData};
use serde::Serialize;
use std::ops::Range;
use std::rc::Rc;

/// Queues accept at most 100 messages per `sendBatch`.
pub const QUEUE_BATCH_MAX_MESSAGES: usize = 100;
/// …and at most 256 KB per batch. Leave room for the runtime's per-message overhead.
pub const QUEUE_BATCH_MAX_BYTES: usize = 256 * 1000 - 8 * 1024;

/// Pauses before retrying a sink write that failed, within the same request: a transient
/// refusal (seen from local Queues under load) should not cost Huawei's push a 503. After the
/// last, the request is answered 503 and nothing is claimed stored.
pub const SINK_RETRY_DELAYS_MS: [u64; 2] = [25, 150];

/// An event ready for the sinks, serialized once and shared by all of them.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    pub id: String,
    /// The CloudEvents JSON object.
    pub json: String,
    pub kv_key: String,
    pub kv_metadata: KvMetadata,
}

/// The options object of a KV `put`: metadata, and an expiry when `KV_TTL_SECS` is set.
pub fn kv_put_options(
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

/// The argument of one `sendBatch` call: one JSON-typed message per event, the event itself as
/// the body (an object, not a string), built by splicing the already serialized events.
pub fn queue_batch_json(events: &[PreparedEvent]) -> String {
    let capacity = events
        .iter()
        .map(|event| event.json.len() + 32)
        .sum::<usize>()
        + 2;
    let mut out = String::with_capacity(capacity);
    out.push('[');
    for (index, event) in events.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(r#"{"contentType":"json","body":"#);
        out.push_str(&event.json);
        out.push('}');
    }
    out.push(']');
    out
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

impl PreparedEvent {
    pub fn new(event: &CloudEvent) -> Result<PreparedEvent, serde_json::Error> {
        let (kv_key, status, delivered) = match &event.data {
            EventData::StatusReport(report) => (
                format!("status/{}/{}", report.message_id, report.segment),
                Some(report.status.clone()),
                Some(report.delivered),
            ),
            EventData::Uplink(uplink) => (format!("uplink/{}", uplink.message_id), None, None),
            EventData::Unparsed(_) => (format!("unparsed/{}", event.id), None, None),
        };
        Ok(PreparedEvent {
            id: event.id.clone(),
            json: serde_json::to_string(event)?,
            kv_key,
            kv_metadata: KvMetadata {
                kind: event.kind.type_name(),
                status,
                delivered,
                time: event.time.clone(),
            },
        })
    }
}

/// Groups consecutive messages into `sendBatch` calls of at most 100 messages and
/// [`QUEUE_BATCH_MAX_BYTES`]. A message too large for any batch still gets one of its own, so
/// the queue reports the failure instead of the message being skipped.
pub fn queue_batches(message_sizes: &[usize]) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (index, &size) in message_sizes.iter().enumerate() {
        let count = index - start;
        if count > 0 && (count == QUEUE_BATCH_MAX_MESSAGES || bytes + size > QUEUE_BATCH_MAX_BYTES)
        {
            batches.push(start..index);
            start = index;
            bytes = 0;
        }
        bytes += size;
    }
    if start < message_sizes.len() {
        batches.push(start..message_sizes.len());
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_batches_and_kv_options_are_the_json_the_bindings_take() {
        let event = PreparedEvent {
            id: "i".into(),
            json: r#"{"id":"i"}"#.into(),
            kv_key: "status/m/1".into(),
            kv_metadata: KvMetadata {
                kind: "t",
                status: Some("DELIVRD".into()),
                delivered: Some(true),
                time: "x".into(),
            },
        };
        assert_eq!(
            queue_batch_json(&[event.clone(), event.clone()]),
            r#"[{"contentType":"json","body":{"id":"i"}},{"contentType":"json","body":{"id":"i"}}]"#
        );
        assert_eq!(queue_batch_json(&[]), "[]");
        assert_eq!(
            kv_put_options(&event.kv_metadata, Some(60)).ok().as_deref(),
            Some(
                r#"{"metadata":{"type":"t","status":"DELIVRD","delivered":true,"time":"x"},"expirationTtl":60}"#
            )
        );
        assert_eq!(
            kv_put_options(&event.kv_metadata, None).ok().as_deref(),
            Some(r#"{"metadata":{"type":"t","status":"DELIVRD","delivered":true,"time":"x"}}"#)
        );
    }

    #[test]
    fn batches_split_at_100_messages() {
        assert_eq!(queue_batches(&[]), Vec::<Range<usize>>::new());
        assert_eq!(queue_batches(&[10; 50]), vec![0..50]);
        assert_eq!(queue_batches(&[10; 250]), [0..100, 100..200, 200..250]);
    }

    #[test]
    fn batches_split_by_bytes_and_isolate_giants() {
        let big = QUEUE_BATCH_MAX_BYTES / 2;
        assert_eq!(queue_batches(&[big, big, 1]), [0..2, 2..3]);
        assert_eq!(
            queue_batches(&[1, QUEUE_BATCH_MAX_BYTES * 2, 1]),
            [0..1, 1..2, 2..3]
        );
    }
}
