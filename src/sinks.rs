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

/// An event ready for the sinks, serialized once and shared by all of them.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    pub id: String,
    /// The CloudEvents JSON object.
    pub json: String,
    pub kv_key: String,
    pub kv_metadata: KvMetadata,
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
