//! The spill store: where a push's events go when a sink still refuses them after the
//! in-request retries, so the push can be answered `2xx` (Huawei and Twilio do not retry), and
//! the drain that sends them on once the sinks take writes again. Both are decided here,
//! sans-IO; the edge only runs R2's `put`, `list`, `get` and `delete` and the cron entry point.
//!
//! One R2 object per push, under `spill/<13-digit Unix ms>/<first event id>`, so a listing
//! (R2 lists keys in order) starts with the oldest. Its body keeps each pending event exactly
//! as it would have been sent (its JSON verbatim, so the same id, bytes and `received_at`) with
//! the sinks that had not accepted it yet, and its KV key and `put` options:
//!
//! `{"spilled_at":"…","events":[{"id":"…","sinks":["queue","kv"],"kv_key":"…","kv_options":{…},"event":{…}}]}`
//!
//! The drain re-sends an object's events to the sinks they still need, and deletes the object
//! once every one is accepted. A refusal stops the drain until the next tick with the object
//! kept: an event may be sent twice (the queue is at least once anyway, and a KV value is
//! rewritten with the same bytes), never lost. Each tick drains at most
//! [`DRAIN_MAX_OBJECTS`], within a cron invocation's CPU.

use super::queue::{self, QUEUE_BATCH_MAX_MESSAGES};
use super::store::KvPut;
use super::{PreparedEvent, Sink};
use crate::clock::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::VecDeque;

/// The prefix of every spill object's key.
pub const SPILL_PREFIX: &str = "spill/";
/// Objects one cron tick drains at the most: each is one push (at most 1,000 events, ten
/// `sendBatch` calls and 1,000 KV writes), so 20 stay well within a cron invocation's limits;
/// a larger spill drains over several ticks.
pub const DRAIN_MAX_OBJECTS: usize = 20;

/// The key of a push's spill object: its receive time, then its first event's id.
pub fn object_key(at: Timestamp, first_id: &str) -> String {
    let millis = at.unix_millis().max(0);
    format!("{SPILL_PREFIX}{millis:013}/{first_id}")
}

/// When the object under `key` was spilled, from its key.
pub fn spilled_at(key: &str) -> Option<Timestamp> {
    let millis = key.strip_prefix(SPILL_PREFIX)?.split('/').next()?;
    (millis.len() == 13)
        .then(|| millis.parse::<i64>().ok())
        .flatten()
        .map(Timestamp::from_unix_millis)
}

/// The body of a spill object holding `events`, each with the sinks it still needs.
pub fn object_body(at: Timestamp, events: &[(&PreparedEvent, Vec<Sink>, Option<&str>)]) -> String {
    let mut out = String::with_capacity(
        events
            .iter()
            .map(|(event, _, _)| event.json.len() + 256)
            .sum::<usize>()
            + 64,
    );
    out.push_str(r#"{"spilled_at":""#);
    out.push_str(&at.to_rfc3339(true));
    out.push_str(r#"","events":["#);
    for (index, (event, sinks, kv_options)) in events.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(r#"{"id":"#);
        out.push_str(&serde_json::to_string(&event.id).unwrap_or_default());
        out.push_str(r#","sinks":["#);
        for (n, sink) in sinks.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(sink.name());
            out.push('"');
        }
        out.push_str(r#"],"kv_key":"#);
        out.push_str(&serde_json::to_string(&event.kv_key).unwrap_or_default());
        out.push_str(r#","kv_options":"#);
        out.push_str(kv_options.unwrap_or("null"));
        out.push_str(r#","event":"#);
        out.push_str(&event.json);
        out.push('}');
    }
    out.push_str("]}");
    out
}

#[derive(Deserialize)]
struct Object<'a> {
    #[serde(borrow)]
    events: Vec<Entry<'a>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    sinks: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    kv_key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kv_options: Option<&'a RawValue>,
    #[serde(borrow)]
    event: &'a RawValue,
}

/// What the edge must do next to drain the spill.
#[derive(Debug, PartialEq, Eq)]
pub enum DrainStep<'d> {
    /// `list({prefix, limit})` the bucket, then [`Drain::listed`] with the keys, in order.
    List { prefix: &'static str, limit: usize },
    /// `get(key)`, then [`Drain::got`] with its text (`None` when it is gone).
    Get { key: &'d str },
    /// `sendBatch` this JSON array, then [`Drain::sent`].
    SendBatch(&'d str),
    /// Write these KV entries, then [`Drain::kv_written`] with one result each.
    PutKv(Vec<KvPut<'d>>),
    /// `delete(key)`, then [`Drain::deleted`].
    Delete { key: &'d str },
    /// Done for this tick: log [`Drain::log_line`].
    Finish,
}

/// The object being drained.
#[derive(Debug)]
struct Current {
    key: String,
    ids: Vec<String>,
    batches: Vec<String>,
    next_batch: usize,
    /// KV key, value, options.
    kv: Vec<(String, String, String)>,
    kv_done: bool,
}

/// One cron tick's drain, as a state machine.
#[derive(Debug, Default)]
pub struct Drain {
    listed: bool,
    keys: VecDeque<String>,
    current: Option<Current>,
    stopped: Option<String>,
    drained: Vec<String>,
    kept: usize,
    event_ids: Vec<String>,
}

impl Drain {
    pub fn new() -> Drain {
        Drain::default()
    }

    pub fn step(&mut self) -> DrainStep<'_> {
        if !self.listed {
            return DrainStep::List {
                prefix: SPILL_PREFIX,
                limit: DRAIN_MAX_OBJECTS,
            };
        }
        if self.stopped.is_some() {
            return DrainStep::Finish;
        }
        if self.current.is_none() {
            return match self.keys.front() {
                Some(key) => DrainStep::Get { key },
                None => DrainStep::Finish,
            };
        }
        let Some(current) = &self.current else {
            return DrainStep::Finish;
        };
        if let Some(batch) = current.batches.get(current.next_batch) {
            return DrainStep::SendBatch(batch);
        }
        if !current.kv_done && !current.kv.is_empty() {
            return DrainStep::PutKv(
                current
                    .kv
                    .iter()
                    .map(|(key, value, options)| KvPut {
                        key,
                        value,
                        options,
                    })
                    .collect(),
            );
        }
        DrainStep::Delete { key: &current.key }
    }

    /// The listing: the objects' keys, oldest first, or why the list failed.
    pub fn listed(&mut self, result: Result<Vec<String>, String>) {
        self.listed = true;
        match result {
            Ok(keys) => {
                self.keys = keys
                    .into_iter()
                    .filter(|key| key.starts_with(SPILL_PREFIX))
                    .take(DRAIN_MAX_OBJECTS)
                    .collect()
            }
            Err(error) => self.stopped = Some(format!("list: {error}")),
        }
    }

    /// The object asked for: its text, `None` when it is gone, or why the get failed.
    pub fn got(&mut self, result: Result<Option<String>, String>) {
        let Some(key) = self.keys.pop_front() else {
            return;
        };
        match result {
            Ok(Some(body)) => match plan(key.clone(), &body) {
                Some(current) => self.current = Some(current),
                // Never deleted, never guessed at: an object this release cannot read waits.
                None => self.kept += 1,
            },
            Ok(None) => {}
            Err(error) => {
                self.keys.push_front(key);
                self.stop(format!("get: {error}"));
            }
        }
    }

    /// The `sendBatch` asked for settled.
    pub fn sent(&mut self, result: Result<(), String>) {
        match (result, &mut self.current) {
            (Ok(()), Some(current)) => current.next_batch += 1,
            (Err(error), Some(_)) => self.stop(format!("queue: {error}")),
            _ => {}
        }
    }

    /// The KV writes asked for settled, one result each.
    pub fn kv_written(&mut self, results: Vec<Result<(), String>>) {
        let Some(current) = &mut self.current else {
            return;
        };
        let expected = current.kv.len();
        let first_error = results
            .iter()
            .find_map(|result| result.as_ref().err())
            .cloned();
        match first_error {
            None if results.len() == expected => current.kv_done = true,
            None => self.stop("kv: a result missing".into()),
            Some(error) => self.stop(format!("kv: {error}")),
        }
    }

    /// The object's `delete` settled: its events are all accepted either way (a failed delete
    /// only means it is drained again, a repeat).
    pub fn deleted(&mut self, result: Result<(), String>) {
        let Some(current) = self.current.take() else {
            return;
        };
        match result {
            Ok(()) => {
                self.event_ids.extend(current.ids);
                self.drained.push(current.key);
            }
            Err(error) => {
                self.kept += 1;
                self.stopped = Some(format!("delete: {error}"));
            }
        }
    }

    fn stop(&mut self, why: String) {
        if self.current.take().is_some() {
            self.kept += 1;
        }
        self.kept += self.keys.len();
        self.keys.clear();
        self.stopped = Some(why);
    }

    /// Whether the bucket may hold more than this tick drained.
    pub fn more(&self) -> bool {
        self.stopped.is_some() || self.kept > 0 || self.drained.len() == DRAIN_MAX_OBJECTS
    }

    /// The tick's log line: what was drained (objects and event ids), what was kept, and why.
    pub fn log_line(&self) -> String {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            drain: &'static str,
            drained: usize,
            kept: usize,
            event_ids: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            stopped: Option<String>,
        }
        serde_json::to_string(&Line {
            drain: "spill",
            drained: self.drained.len(),
            kept: self.kept,
            event_ids: &self.event_ids,
            stopped: self.stopped.as_deref().map(crate::log::bounded),
        })
        .unwrap_or_default()
    }
}

/// The writes that drain one object: its queue events in `sendBatch` calls within the queue's
/// limits, its KV entries. `None` for a body that is not a spill object.
fn plan(key: String, body: &str) -> Option<Current> {
    let object: Object<'_> = serde_json::from_str(body).ok()?;
    let mut for_queue: Vec<&str> = Vec::new();
    let mut kv = Vec::new();
    let mut ids = Vec::new();
    for entry in &object.events {
        ids.push(entry.id.to_string());
        for sink in &entry.sinks {
            match sink.as_ref() {
                "queue" => for_queue.push(entry.event.get()),
                "kv" => kv.push((
                    entry.kv_key.as_deref()?.to_string(),
                    entry.event.get().to_string(),
                    entry.kv_options.map_or("{}", RawValue::get).to_string(),
                )),
                _ => return None,
            }
        }
    }
    let sizes: Vec<usize> = for_queue.iter().map(|json| json.len()).collect();
    let batches = queue::batches(&sizes)
        .into_iter()
        .map(|range| {
            let events = for_queue.get(range).unwrap_or_default();
            debug_assert!(events.len() <= QUEUE_BATCH_MAX_MESSAGES);
            queue::batch_json_of(events)
        })
        .collect();
    Some(Current {
        key,
        ids,
        batches,
        next_batch: 0,
        kv,
        kv_done: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_oldest_first_and_name_their_time() {
        let early = object_key(Timestamp::from_unix_millis(999), "b");
        let late = object_key(Timestamp::from_unix_millis(1_733_987_300_000), "a");
        assert_eq!(early, "spill/0000000000999/b");
        assert!(early < late);
        assert_eq!(
            spilled_at(&late).map(|at| at.unix_millis()),
            Some(1_733_987_300_000)
        );
        assert_eq!(spilled_at("spill/12/x"), None);
    }
}
