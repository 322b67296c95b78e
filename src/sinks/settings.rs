//! Where events are written: `FORWARD` and `KV_TTL_SECS`.

use super::Sink;
use crate::settings::{Bindings, Reader};
use std::fmt;

/// Cloudflare's smallest allowed KV `expirationTtl`.
pub const MIN_KV_TTL_SECS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkSettings {
    /// The sinks every event is written to, in the order written.
    pub enabled: Vec<Sink>,
    /// `KV_TTL_SECS`: when set, KV entries expire after this long.
    pub kv_ttl_secs: Option<u64>,
    /// `FORWARD` names `http`: the queue consumer delivers to `FORWARD_URL`.
    pub wants_http: bool,
    /// `SPILL_BUCKET` is bound: events a sink still refuses after the retries are written
    /// there and drained later.
    pub spill: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkProblem {
    UnknownSink(String),
    NoSink,
    MissingBinding(Sink),
}

impl fmt::Display for SinkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SinkProblem::UnknownSink(name) => {
                write!(f, "unknown sink {name:?}; use queue, kv and/or http")
            }
            SinkProblem::NoSink => f.write_str("names no sink; use queue, kv and/or http"),
            SinkProblem::MissingBinding(sink) => write!(
                f,
                "sink {} needs the {} binding in wrangler.toml",
                sink.name(),
                sink.binding()
            ),
        }
    }
}

impl std::error::Error for SinkProblem {}

impl SinkSettings {
    pub fn read(reader: &mut Reader<'_>, bindings: Bindings) -> SinkSettings {
        let names = reader.list("FORWARD", "queue");
        let mut enabled = Vec::new();
        let mut wants_http = false;
        for name in &names {
            let sink = match name.to_ascii_lowercase().as_str() {
                "queue" => Sink::Queue,
                "kv" => Sink::Kv,
                // HTTP delivery runs from the queue, so the fetch path enqueues.
                "http" => {
                    wants_http = true;
                    Sink::Queue
                }
                _ => {
                    reader.problem("FORWARD", SinkProblem::UnknownSink(name.clone()));
                    continue;
                }
            };
            if !enabled.contains(&sink) {
                enabled.push(sink);
            }
        }
        if names.is_empty() {
            reader.problem("FORWARD", SinkProblem::NoSink);
        }
        for &sink in &enabled {
            let bound = match sink {
                Sink::Queue => bindings.queue,
                Sink::Kv => bindings.kv,
            };
            if !bound {
                reader.problem("FORWARD", SinkProblem::MissingBinding(sink));
            }
        }
        SinkSettings {
            enabled,
            kv_ttl_secs: reader.optional_number("KV_TTL_SECS", MIN_KV_TTL_SECS..=u64::MAX),
            wants_http,
            spill: bindings.spill,
        }
    }
}
