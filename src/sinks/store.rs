//! Storing one push's events, as a sans-IO state machine.
//!
//! The edge asks [`Store::step`] what to do, does it, and reports what happened
//! ([`Store::queue_sent`], [`Store::kv_read`], [`Store::kv_written`], [`Store::spilled`]).
//! Every decision is here: which sinks, in what order, how writes are grouped, which refusals
//! are retried after which pause, what is spilled, and what the push is answered. A `2xx` is
//! only ever returned once every event is in every sink, or in the spill bucket for the sinks
//! that refused it ([`super::spill`]).
//!
//! Writes are idempotent (same keys, same event ids), so repeating one that was partly applied
//! is safe; but a retry only repeats what failed: the `sendBatch` calls already accepted are not
//! sent again, nor the KV keys already written.
//!
//! A repeat changes nothing stored: KV has no conditional put, so the store first reads the
//! keys it is about to write (one bulk `get` per [`kv::KV_BULK_GET_MAX_KEYS`] keys) and writes
//! only those not there yet. A repeated push then keeps the first delivery's value, its
//! `received_at` and `time` included, and costs one read instead of a write (which KV also
//! limits to one per second per key). KV is eventually consistent: a repeat read at another
//! location within about a minute of the first write may not see it and write again, under the
//! same key and id. The queue stays at least once: a repeat is queued again, with its id.

use super::kv::{self, KvPut};
use super::spill;
use super::SinkSettings;
use super::{max_event_bytes, queue, PreparedEvent, Sink};
use crate::clock::Timestamp;
use crate::event::Ingested;
use crate::http::{Refusal, Reply};
use crate::log::bounded;
use crate::payload::PayloadError;
use std::ops::Range;

/// Pauses before retrying a sink write that failed, within the same request: a transient
/// refusal (seen from local Queues under load) should not cost the push a 503. After the
/// last, the pending events are spilled (`SPILL_BUCKET`), or the push is answered 503 and
/// nothing is claimed stored.
pub const SINK_RETRY_DELAYS_MS: [u64; 2] = [25, 150];

/// The R2 binding of the spill store ([`spill`]).
pub const SPILL_BUCKET: &str = "SPILL_BUCKET";

/// What the edge must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'s> {
    /// Call the queue binding's `sendBatch` with this JSON array, then [`Store::queue_sent`].
    SendBatch(String),
    /// Read these KV keys (one bulk `get`), then [`Store::kv_read`] with whether each holds a
    /// value, in the same order.
    GetKv(Vec<&'s str>),
    /// Write these KV entries (concurrently), then [`Store::kv_written`] with one result each,
    /// in the same order.
    PutKv(Vec<KvPut<'s>>),
    /// Sleep this long, then ask again.
    Wait { millis: u64 },
    /// `put(key, body)` into the spill bucket, then [`Store::spilled`]: a sink still refuses
    /// after the retries, and these are the events it (and any sink after it) has not taken.
    PutR2 { key: &'s str, body: &'s str },
    /// List the KV keys under this prefix (with their metadata), from `cursor` when there is
    /// one, then [`crate::relay::Exchange::kv_listed`] with the list result as JSON. Only a
    /// lookup asks this; the store never does.
    ListKv {
        prefix: &'s str,
        cursor: Option<&'s str>,
    },
    /// `list({prefix, limit})` the spill bucket, then
    /// [`crate::relay::Exchange::r2_listed`] with the keys. Only `/healthz` asks this.
    ListR2 { prefix: &'static str, limit: usize },
    /// Nothing more to do: answer.
    Finish(Finished),
}

/// The end of a push: its answer, and which sink failed and how, when one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub reply: Reply,
    pub sink_error: Option<String>,
}

/// Per sink, what is still to be written.
#[derive(Debug)]
enum Work {
    /// `sendBatch` calls in order; `next` is the first not yet accepted.
    Queue {
        batches: Vec<Range<usize>>,
        next: usize,
    },
    /// Events not yet known to be in KV (`unchecked`), and those to write (`pending`).
    Kv {
        unchecked: Vec<usize>,
        pending: Vec<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Ready to issue the current sink's next write.
    Ready,
    /// A write was handed out; waiting for its result.
    Writing,
    /// A KV bulk read was handed out; waiting for what it found.
    Reading,
    /// The spill object was handed out; waiting for the bucket.
    Spilling,
    /// A retry pause was handed out.
    Waiting,
}

#[derive(Debug)]
pub struct Store {
    events: Vec<PreparedEvent>,
    kv_options: Vec<String>,
    work: Vec<(Sink, Work)>,
    /// Index into `work` of the sink being written.
    current: usize,
    /// Retries used on the current sink.
    retries: usize,
    phase: Phase,
    endpoint: &'static str,
    success: Reply,
    finished: Option<Finished>,
    /// When the push was received, where a spill object is to be written (`SPILL_BUCKET`).
    spill: Option<Timestamp>,
    /// The spill object handed out (key, body), and the failure that made it.
    spilling: Option<(String, String, String)>,
}

impl Store {
    /// A store of what `ingested` produced from `body` into the configured sinks. Its reply is
    /// the answer once all is stored (it may be an error answer for input kept as an
    /// `unparsed` event). Every event is made to fit every sink first ([`PreparedEvent::fitted`]);
    /// should one not fit even as its raw bytes, the push is refused `413` before any write.
    pub fn new(ingested: Ingested, body: &[u8], sinks: &SinkSettings) -> Store {
        let endpoint = ingested.fallback.as_ref().map_or("", |f| f.endpoint);
        let mut store = Store {
            events: Vec::new(),
            kv_options: Vec::new(),
            work: Vec::new(),
            current: 0,
            retries: 0,
            phase: Phase::Ready,
            endpoint,
            success: ingested.reply,
            finished: None,
            spill: sinks
                .spill
                .then(|| ingested.fallback.as_ref().map(|f| f.receipt.at))
                .flatten(),
            spilling: None,
        };
        if ingested.events.is_empty() {
            return store;
        }
        let limit = max_event_bytes(&sinks.enabled);
        let fallback = ingested.fallback.as_ref();
        let prepared: Option<Vec<PreparedEvent>> = ingested
            .events
            .iter()
            .map(|event| PreparedEvent::fitted(event, body, fallback, limit))
            .collect::<Option<Vec<Vec<PreparedEvent>>>>()
            .map(|events| events.into_iter().flatten().collect());
        let Some(mut prepared) = prepared else {
            store.finished = Some(Finished {
                reply: Refusal::BodyTooLarge.reply(),
                sink_error: None,
            });
            return store;
        };
        // More events than KV's operations per invocation can write: no request could store
        // them, and a 503 would be retried into the same wall. The push is kept whole as
        // unparsed (at most 16 pieces) and answered as an oversized batch.
        if sinks.enabled.contains(&Sink::Kv)
            && distinct_keys(&prepared) > kv::KV_OPERATIONS_PER_INVOCATION
        {
            match whole_body(body, fallback, limit) {
                Some(whole) => {
                    prepared = whole;
                    store.success = Refusal::Unreadable(PayloadError::BatchTooLarge).reply();
                }
                None => {
                    store.finished = Some(Finished {
                        reply: Refusal::BodyTooLarge.reply(),
                        sink_error: None,
                    });
                    return store;
                }
            }
        }
        store.events = prepared;
        let kv_options: Result<Vec<String>, _> = if sinks.enabled.contains(&Sink::Kv) {
            store
                .events
                .iter()
                .map(|event| kv::put_options(&event.kv_metadata, sinks.kv_ttl_secs))
                .collect()
        } else {
            Ok(Vec::new())
        };
        match kv_options {
            Ok(options) => store.kv_options = options,
            Err(error) => {
                store.fail(format!("serialize: {error}"));
                return store;
            }
        }
        let sizes: Vec<usize> = store.events.iter().map(|event| event.json.len()).collect();
        store.work = sinks
            .enabled
            .iter()
            .map(|&sink| match sink {
                Sink::Queue => (
                    sink,
                    Work::Queue {
                        batches: queue::batches(&sizes),
                        next: 0,
                    },
                ),
                Sink::Kv => {
                    // Each key once: an event repeated within one push is written once (two
                    // writes to one key at once meet KV's one write per second per key).
                    let unique = first_of_each_key(&store.events);
                    let reads = unique.len().div_ceil(kv::KV_BULK_GET_MAX_KEYS);
                    // Within the invocation's KV operations, the writes come first: a push
                    // too large for reads and writes both is written without reading.
                    let (unchecked, pending) =
                        if unique.len() + reads <= kv::KV_OPERATIONS_PER_INVOCATION {
                            (unique, Vec::new())
                        } else {
                            (Vec::new(), unique)
                        };
                    (sink, Work::Kv { unchecked, pending })
                }
            })
            .collect();
        store
    }

    /// The events as prepared for the sinks (ids, JSON, keys).
    pub fn events(&self) -> &[PreparedEvent] {
        &self.events
    }

    /// What to do next. Call again after reporting each write's result or sleeping.
    pub fn step(&mut self) -> Step<'_> {
        if let Some(finished) = &self.finished {
            return Step::Finish(finished.clone());
        }
        if let Some((key, body, _)) = &self.spilling {
            self.phase = Phase::Spilling;
            return Step::PutR2 { key, body };
        }
        if self.phase == Phase::Waiting {
            let millis = SINK_RETRY_DELAYS_MS
                .get(self.retries)
                .copied()
                .unwrap_or_default();
            self.retries += 1;
            self.phase = Phase::Ready;
            return Step::Wait { millis };
        }
        // Skip sinks that have nothing left.
        while self
            .work
            .get(self.current)
            .is_some_and(|(_, work)| work.is_done())
        {
            self.current += 1;
            self.retries = 0;
        }
        let Some((_, work)) = self.work.get(self.current) else {
            return Step::Finish(Finished {
                reply: self.success.clone(),
                sink_error: None,
            });
        };
        self.phase = match work {
            Work::Kv { unchecked, .. } if !unchecked.is_empty() => Phase::Reading,
            _ => Phase::Writing,
        };
        match work {
            Work::Queue { batches, next } => {
                let batch = batches
                    .get(*next)
                    .and_then(|range| self.events.get(range.clone()))
                    .unwrap_or_default();
                Step::SendBatch(queue::batch_json(batch))
            }
            Work::Kv { unchecked, .. } if !unchecked.is_empty() => Step::GetKv(
                unchecked
                    .iter()
                    .take(kv::KV_BULK_GET_MAX_KEYS)
                    .filter_map(|&index| Some(self.events.get(index)?.kv_key.as_str()))
                    .collect(),
            ),
            Work::Kv { pending, .. } => Step::PutKv(
                pending
                    .iter()
                    .filter_map(|&index| {
                        let event = self.events.get(index)?;
                        Some(KvPut {
                            key: &event.kv_key,
                            value: &event.json,
                            options: self.kv_options.get(index)?,
                        })
                    })
                    .collect(),
            ),
        }
    }

    /// The result of the `sendBatch` call [`Store::step`] asked for.
    pub fn queue_sent(&mut self, result: Result<(), String>) {
        if self.phase != Phase::Writing {
            return;
        }
        let failure = match (self.work.get_mut(self.current), result) {
            (Some((_, Work::Queue { next, .. })), Ok(())) => {
                *next += 1;
                None
            }
            (Some((_, Work::Queue { .. })), Err(error)) => Some(error),
            // Reported for a write that was not asked for: ignore it.
            _ => return,
        };
        self.settle(failure);
    }

    /// The bulk `get` [`Store::step`] asked for: whether each key holds a value, in the same
    /// order. A key already there is not written again; a failed read writes every key it
    /// asked about (a rewrite is safe, a skipped write is not).
    pub fn kv_read(&mut self, result: Result<Vec<bool>, String>) {
        if self.phase != Phase::Reading {
            return;
        }
        let Some((_, Work::Kv { unchecked, pending })) = self.work.get_mut(self.current) else {
            return;
        };
        let asked = unchecked.len().min(kv::KV_BULK_GET_MAX_KEYS);
        let exists = result.unwrap_or_default();
        for (position, index) in unchecked.drain(..asked).enumerate() {
            if exists.get(position) != Some(&true) {
                pending.push(index);
            }
        }
        self.phase = Phase::Ready;
    }

    /// The results of the KV `put`s [`Store::step`] asked for, in the same order.
    pub fn kv_written(&mut self, results: Vec<Result<(), String>>) {
        if self.phase != Phase::Writing {
            return;
        }
        let Some((_, Work::Kv { pending, .. })) = self.work.get_mut(self.current) else {
            return;
        };
        let mut first_error = None;
        let mut still = Vec::new();
        for (position, &index) in pending.iter().enumerate() {
            match results.get(position) {
                Some(Ok(())) => {}
                Some(Err(error)) => {
                    let key = self
                        .events
                        .get(index)
                        .map_or("", |event| event.kv_key.as_str());
                    first_error.get_or_insert_with(|| format!("{key}: {error}"));
                    still.push(index);
                }
                None => {
                    first_error.get_or_insert_with(|| "no result reported".to_string());
                    still.push(index);
                }
            }
        }
        *pending = still;
        self.settle(first_error);
    }

    /// A write finished: go on, pause before a retry, or give up with a `503`.
    fn settle(&mut self, failure: Option<String>) {
        let Some(error) = failure else {
            self.phase = Phase::Ready;
            return;
        };
        match SINK_RETRY_DELAYS_MS.get(self.retries) {
            Some(_) => {
                self.phase = Phase::Waiting;
            }
            None => {
                let sink = self.work.get(self.current).map(|(sink, _)| *sink);
                let described = match sink {
                    Some(sink) => format!(
                        "{} ({}) on {}: {}",
                        sink.name(),
                        sink.binding(),
                        self.endpoint,
                        bounded(&error)
                    ),
                    None => bounded(&error),
                };
                match self.spill {
                    Some(at) => self.spill_pending(at, described),
                    None => self.fail(described),
                }
            }
        }
    }

    /// Every event some sink has not accepted yet, with those sinks, into one spill object.
    fn spill_pending(&mut self, at: Timestamp, sink_error: String) {
        let mut needs: Vec<Vec<Sink>> = vec![Vec::new(); self.events.len()];
        for (sink, work) in self.work.iter().skip(self.current) {
            let indices: Vec<usize> = match work {
                Work::Queue { batches, next } => batches
                    .iter()
                    .skip(*next)
                    .flat_map(|range| range.clone())
                    .collect(),
                Work::Kv { unchecked, pending } => {
                    unchecked.iter().chain(pending).copied().collect()
                }
            };
            for index in indices {
                if let Some(sinks) = needs.get_mut(index) {
                    sinks.push(*sink);
                }
            }
        }
        let pending: Vec<(&PreparedEvent, Vec<Sink>, Option<&str>)> = self
            .events
            .iter()
            .zip(needs)
            .enumerate()
            .filter(|(_, (_, sinks))| !sinks.is_empty())
            .map(|(index, (event, sinks))| {
                let options = self.kv_options.get(index).map(String::as_str);
                (event, sinks, options)
            })
            .collect();
        let Some((first, _, _)) = pending.first() else {
            self.fail(sink_error);
            return;
        };
        let body = spill::object_body(at, &pending);
        let key = spill::object_key(at, &first.id, &body);
        self.spilling = Some((key, body, sink_error));
    }

    /// The spill object's `put` settled: stored, the push is answered as if every sink had
    /// taken it (the drain sends it on); refused, the honest `503`.
    pub fn spilled(&mut self, result: Result<(), String>) {
        if self.phase != Phase::Spilling {
            return;
        }
        let Some((key, _, sink_error)) = self.spilling.take() else {
            return;
        };
        self.finished = Some(match result {
            Ok(()) => Finished {
                reply: self.success.clone(),
                sink_error: Some(format!("{sink_error}; spilled to {SPILL_BUCKET} as {key}")),
            },
            Err(error) => Finished {
                reply: Refusal::SinkUnavailable.reply(),
                sink_error: Some(format!(
                    "{sink_error}; the spill to {SPILL_BUCKET} failed too: {}",
                    bounded(&error)
                )),
            },
        });
    }

    fn fail(&mut self, sink_error: String) {
        self.finished = Some(Finished {
            reply: Refusal::SinkUnavailable.reply(),
            sink_error: Some(sink_error),
        });
    }
}

/// The index of the first event of each KV key, in order.
fn first_of_each_key(events: &[PreparedEvent]) -> Vec<usize> {
    let mut keys: Vec<(&str, usize)> = events
        .iter()
        .enumerate()
        .map(|(index, event)| (event.kv_key.as_str(), index))
        .collect();
    crate::sort::sort(&mut keys);
    keys.dedup_by(|later, first| later.0 == first.0);
    let mut unique: Vec<usize> = keys.into_iter().map(|(_, index)| index).collect();
    crate::sort::sort(&mut unique);
    unique
}

fn distinct_keys(events: &[PreparedEvent]) -> usize {
    first_of_each_key(events).len()
}

/// The whole body as unparsed events (`batch_too_large`), pieces if need be.
fn whole_body(
    body: &[u8],
    fallback: Option<&crate::event::Fallback>,
    limit: usize,
) -> Option<Vec<PreparedEvent>> {
    let fallback = fallback?;
    let mut event = crate::event::unparsed(
        fallback.provider,
        &PayloadError::BatchTooLarge,
        fallback.endpoint,
        fallback.content_type.as_deref(),
        body,
        &fallback.receipt,
    );
    event.origin = Some(0..body.len());
    PreparedEvent::fitted(&event, body, Some(fallback), limit)
}

impl Work {
    fn is_done(&self) -> bool {
        match self {
            Work::Queue { batches, next } => *next >= batches.len(),
            Work::Kv { unchecked, pending } => unchecked.is_empty() && pending.is_empty(),
        }
    }
}
