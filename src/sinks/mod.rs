//! What gets written where, decided without I/O.
//!
//! - [`queue`]: Cloudflare Queues' limits and how messages are grouped into `sendBatch` calls;
//! - [`kv`]: KV's limits, keys, metadata and `put` options;
//! - [`store`]: the [`Store`] state machine that writes a push's events to every configured
//!   sink, retries refused writes, spills what a sink still refuses, and decides the answer
//!   (`2xx` only once all is stored, in the sinks or the spill bucket);
//! - [`spill`]: where a push's events go when a sink still refuses them (R2), and the drain.

pub mod kv;
pub mod queue;
pub mod settings;
pub mod spill;
pub mod store;

pub use settings::SinkSettings;
pub use store::{Finished, Step, Store};

use crate::event::{unparsed_piece, CloudEvent, EventData, Fallback, Piece};
use crate::payload::PayloadError;
use kv::KvMetadata;
use serde::Serialize;

/// Where events are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sink {
    Queue,
    Kv,
}

impl Sink {
    pub fn name(self) -> &'static str {
        match self {
            Sink::Queue => "queue",
            Sink::Kv => "kv",
        }
    }

    /// The binding the sink writes through.
    pub fn binding(self) -> &'static str {
        match self {
            Sink::Queue => "EVENTS_QUEUE",
            Sink::Kv => "EVENTS_KV",
        }
    }
}

/// The most an unparsed event adds to the base64 of the bytes it holds: its attributes, the
/// reason (a code and a field name of at most 64 bytes), the endpoint, the content type (at
/// most 256 bytes), the receive time and the access key (at most 128 bytes), each of the last
/// three escaped at worst six bytes per byte. The tests below check the bound.
pub const EVENT_OVERHEAD_BYTES: usize = 4096;

/// The largest event every one of `sinks` can hold: one queue message, or one KV value.
pub fn max_event_bytes(sinks: &[Sink]) -> usize {
    sinks
        .iter()
        .map(|sink| match sink {
            Sink::Queue => queue::QUEUE_MESSAGE_MAX_BYTES,
            Sink::Kv => kv::KV_VALUE_MAX_BYTES,
        })
        .min()
        .unwrap_or(kv::KV_VALUE_MAX_BYTES)
}

/// Most pieces one input is kept in when it is too large for one event ([`PreparedEvent::fitted`]):
/// with the queue, 16 × 92,928 bytes, about 1.4 MiB.
pub const MAX_UNPARSED_PARTS: usize = 16;

/// The largest body any configuration takes: a KV value's limit.
pub const MAX_BODY_CEILING_BYTES: usize = kv::KV_VALUE_MAX_BYTES;

/// Input bytes one unparsed event within `limit` holds: its bytes in base64 (4/3 of them)
/// plus [`EVENT_OVERHEAD_BYTES`] fit.
pub fn piece_bytes(limit: usize) -> usize {
    limit.saturating_sub(EVENT_OVERHEAD_BYTES) / 4 * 3
}

/// The largest body whose every event fits `sinks`: any input becomes at worst
/// [`MAX_UNPARSED_PARTS`] unparsed events of pieces of its bytes.
pub fn max_body_bytes(sinks: &[Sink]) -> usize {
    piece_bytes(max_event_bytes(sinks))
        .saturating_mul(MAX_UNPARSED_PARTS)
        .min(MAX_BODY_CEILING_BYTES)
}

/// The starting capacity of an event's JSON.
const EVENT_JSON_CAPACITY: usize = 1024;

/// An event ready for the sinks, serialized once and shared by all of them.
#[derive(Debug, Clone)]
pub struct PreparedEvent {
    pub id: String,
    /// The CloudEvents JSON object.
    pub json: String,
    pub kv_key: String,
    pub kv_metadata: KvMetadata,
}

impl PreparedEvent {
    pub fn new(event: &CloudEvent) -> Result<PreparedEvent, serde_json::Error> {
        // A report's event is 600–700 bytes: starting there saves the writer three regrowths.
        let mut json = Vec::with_capacity(EVENT_JSON_CAPACITY);
        serde_json::to_writer(&mut json, event)?;
        Ok(PreparedEvent {
            id: event.id.clone(),
            // serde_json writes UTF-8 only; the fallback is never taken.
            json: String::from_utf8(json).unwrap_or_default(),
            kv_key: kv::key(event),
            kv_metadata: KvMetadata::of(event),
        })
    }

    /// `event` prepared so that it fits `limit` bytes: as it is; or — when it is larger — as an
    /// unparsed event holding the bytes it was read from (`body[event.origin]`); or, when even
    /// that is too large, as unparsed events holding those bytes in pieces, in order, each
    /// naming its place and the whole's SHA-256, so a consumer can join them. `None` when even
    /// that does not fit, which a valid configuration rules out ([`max_body_bytes`]).
    pub fn fitted(
        event: &CloudEvent,
        body: &[u8],
        fallback: Option<&Fallback>,
        limit: usize,
    ) -> Option<Vec<PreparedEvent>> {
        let prepared = PreparedEvent::new(event).ok()?;
        if prepared.fits(limit) {
            return Some(vec![prepared]);
        }
        let fallback = fallback?;
        let bytes = body.get(event.origin.clone()?)?;
        let reason = match &event.data {
            EventData::Unparsed(unparsed) => unparsed.reason.clone(),
            _ => PayloadError::EventTooLarge.reason(),
        };
        let kept = |bytes: &[u8], piece: Option<Piece<'_>>| {
            let event = unparsed_piece(
                fallback.provider,
                reason.clone(),
                fallback.endpoint,
                fallback.content_type.as_deref(),
                bytes,
                &fallback.receipt,
                piece,
            );
            PreparedEvent::new(&event)
                .ok()
                .filter(|kept| kept.fits(limit))
        };
        if let Some(whole) = kept(bytes, None) {
            return Some(vec![whole]);
        }
        let size = piece_bytes(limit).max(1);
        let parts = bytes.len().div_ceil(size);
        if parts > MAX_UNPARSED_PARTS {
            return None;
        }
        let whole_sha256 = crate::crypto::sha256_hex(bytes);
        let parts = u32::try_from(parts).ok()?;
        bytes
            .chunks(size)
            .zip(1..)
            .map(|(piece, part)| {
                kept(
                    piece,
                    Some(Piece {
                        part,
                        parts,
                        whole_sha256: &whole_sha256,
                    }),
                )
            })
            .collect()
    }

    /// Whether the event is within `limit` bytes, and its KV key and metadata within KV's.
    pub fn fits(&self, limit: usize) -> bool {
        self.json.len() <= limit
            && self.kv_key.len() <= kv::KV_KEY_MAX_BYTES
            && self.kv_metadata.max_len() <= kv::KV_METADATA_MAX_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::event::unparsed;
    use crate::event::{AuthInfo, Receipt};
    use crate::providers::huawei::PROVIDER;
    use base64::Engine as _;

    #[test]
    fn an_unparsed_event_adds_at_most_the_overhead_to_its_base64() {
        // Every attribute at its longest and worst to escape.
        let receipt = Receipt::new(
            Timestamp::from_unix_millis(253_402_300_799_999),
            AuthInfo::Aksk {
                access_key: "\u{1}".repeat(128).into(),
                key_index: u8::MAX,
            },
        );
        let name = "\"".repeat(64);
        let content_type = "\u{1}".repeat(300);
        for body in [&[][..], &[0xffu8; 3000][..]] {
            let event = unparsed(
                PROVIDER,
                &PayloadError::DuplicateField(name.clone()),
                "reports",
                Some(&content_type),
                body,
                &receipt,
            );
            let prepared = PreparedEvent::new(&event).unwrap();
            let base64 = crate::event::base64_len(body.len());
            assert!(
                prepared.json.len() <= base64 + EVENT_OVERHEAD_BYTES,
                "{} > {} + {EVENT_OVERHEAD_BYTES}",
                prepared.json.len(),
                base64
            );
        }
    }

    #[test]
    fn the_body_ceiling_follows_the_smallest_sink() {
        assert_eq!(piece_bytes(queue::QUEUE_MESSAGE_MAX_BYTES), 92_928);
        assert_eq!(max_body_bytes(&[Sink::Queue]), 16 * 92_928);
        assert_eq!(max_body_bytes(&[Sink::Kv, Sink::Queue]), 16 * 92_928);
        assert_eq!(max_body_bytes(&[Sink::Kv]), kv::KV_VALUE_MAX_BYTES);
        // A piece's worst case, base64 plus the overhead, fits one queue message.
        assert!(
            crate::event::base64_len(92_928) + EVENT_OVERHEAD_BYTES
                <= queue::QUEUE_MESSAGE_MAX_BYTES
        );
    }

    #[test]
    fn an_input_too_large_for_one_event_is_kept_in_pieces_that_join_to_it() {
        let receipt = Receipt::new(Timestamp::from_unix_seconds(0), AuthInfo::None);
        let fallback = Fallback {
            provider: PROVIDER,
            endpoint: "reports",
            content_type: Some("application/json".into()),
            receipt: receipt.clone(),
        };
        let limit = queue::QUEUE_MESSAGE_MAX_BYTES;
        for len in [
            piece_bytes(limit),
            2 * piece_bytes(limit) + 5,
            3 * piece_bytes(limit) + 7,
        ] {
            let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut event = unparsed(
                PROVIDER,
                &PayloadError::MalformedJson,
                "reports",
                Some("application/json"),
                &body,
                &receipt,
            );
            event.origin = Some(0..body.len());
            let pieces = PreparedEvent::fitted(&event, &body, Some(&fallback), limit).unwrap();
            // Whole while one event holds it, else in pieces.
            assert_eq!(pieces.len(), len.div_ceil(piece_bytes(limit)), "{len}");
            let mut joined = Vec::new();
            let mut ids = std::collections::BTreeSet::new();
            for (n, piece) in pieces.iter().enumerate() {
                assert!(piece.fits(limit));
                assert!(ids.insert(piece.id.clone()));
                let value: serde_json::Value = serde_json::from_str(&piece.json).unwrap();
                let data = &value["data"];
                assert_eq!(data["reason"], "malformed_json");
                if pieces.len() > 1 {
                    assert_eq!(data["part"], n + 1);
                    assert_eq!(data["parts"], pieces.len());
                    assert_eq!(data["whole_sha256"], crate::crypto::sha256_hex(&body));
                }
                let text = data["body"].as_str().unwrap();
                joined.extend(match data["body_encoding"].as_str() {
                    Some("base64") => base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .unwrap(),
                    _ => text.as_bytes().to_vec(),
                });
            }
            assert_eq!(joined, body, "{len}");
        }
    }
}
