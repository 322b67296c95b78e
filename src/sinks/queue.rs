//! Cloudflare Queues: the limits a producer must respect, and how a push's messages are
//! grouped into `sendBatch` calls.
//!
//! Limits from Cloudflare's Queues documentation ("Limits"): a message is at most 128 KB, and
//! one `sendBatch` call carries at most 100 messages and 256 KB in all.

use super::PreparedEvent;
use std::ops::Range;

/// Messages per `sendBatch` call.
pub const QUEUE_BATCH_MAX_MESSAGES: usize = 100;
/// Bytes per `sendBatch` call, less room for the runtime's per-message overhead.
pub const QUEUE_BATCH_MAX_BYTES: usize = 256 * 1000 - 8 * 1024;
/// Bytes per message.
pub const QUEUE_MESSAGE_MAX_BYTES: usize = 128 * 1000;

/// The argument of one `sendBatch` call: one JSON-typed message per event, the event itself as
/// the body (an object, not a string), built by splicing the already serialized events.
pub fn batch_json(events: &[PreparedEvent]) -> String {
    let jsons: Vec<&str> = events.iter().map(|event| event.json.as_str()).collect();
    batch_json_of(&jsons)
}

/// [`batch_json`] of events already serialized.
pub fn batch_json_of(events: &[&str]) -> String {
    let capacity = events.iter().map(|json| json.len() + 32).sum::<usize>() + 2;
    let mut out = String::with_capacity(capacity);
    out.push('[');
    for (index, json) in events.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(r#"{"contentType":"json","body":"#);
        out.push_str(json);
        out.push('}');
    }
    out.push(']');
    out
}

/// Groups consecutive messages into `sendBatch` calls of at most [`QUEUE_BATCH_MAX_MESSAGES`]
/// and [`QUEUE_BATCH_MAX_BYTES`]. A message too large for any batch still gets one of its own,
/// so the queue reports the failure instead of the message being skipped.
pub fn batches(message_sizes: &[usize]) -> Vec<Range<usize>> {
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
    use crate::sinks::kv::KvMetadata;

    #[test]
    fn batch_json_is_the_array_send_batch_takes() {
        let event = PreparedEvent {
            id: "i".into(),
            json: r#"{"id":"i"}"#.into(),
            kv_key: "status/m/1".into(),
            kv_metadata: KvMetadata {
                kind: "t",
                status: None,
                state: None,
                is_final: None,
                delivered: None,
                segment: None,
                segments: None,
                recipient: None,
                time: "x".into(),
                received_at: "x".into(),
            },
        };
        assert_eq!(
            batch_json(&[event.clone(), event]),
            r#"[{"contentType":"json","body":{"id":"i"}},{"contentType":"json","body":{"id":"i"}}]"#
        );
        assert_eq!(batch_json(&[]), "[]");
    }

    #[test]
    fn batches_split_at_100_messages() {
        assert_eq!(batches(&[]), Vec::<Range<usize>>::new());
        assert_eq!(batches(&[10; 50]), vec![0..50]);
        assert_eq!(batches(&[10; 250]), [0..100, 100..200, 200..250]);
    }

    #[test]
    fn batches_split_by_bytes_and_isolate_giants() {
        let big = QUEUE_BATCH_MAX_BYTES / 2;
        assert_eq!(batches(&[big, big, 1]), [0..2, 2..3]);
        assert_eq!(
            batches(&[1, QUEUE_BATCH_MAX_BYTES * 2, 1]),
            [0..1, 1..2, 2..3]
        );
    }
}
