//! What gets written where, decided without I/O.
//!
//! - [`queue`]: Cloudflare Queues' limits and how messages are grouped into `sendBatch` calls;
//! - [`kv`]: KV's limits, keys, metadata and `put` options;
//! - [`store`]: the [`Store`] state machine that writes a push's events to every configured
//!   sink, retries refused writes, and decides the answer (`2xx` only once all is stored).

pub mod kv;
pub mod queue;
pub mod store;

pub use store::{Finished, Step, Store};

use crate::event::CloudEvent;
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
        Ok(PreparedEvent {
            id: event.id.clone(),
            json: serde_json::to_string(event)?,
            kv_key: kv::key(event),
            kv_metadata: KvMetadata::of(event),
        })
    }
}
