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
//! The drain re-sends an object's events to the sinks they still need (reading KV first, as the
//! store does, so a repeat that reached KV meanwhile keeps its value), and deletes the object
//! once every one is accepted. A refusal stops the drain until the next tick; an object partly
//! accepted is rewritten first with only what is still pending, so nothing a sink took is sent
//! to it again (unless that rewrite fails: then an event may be sent twice, never lost). Each
//! tick takes at most [`DRAIN_MAX_OBJECTS`] objects and [`DRAIN_MAX_OPERATIONS`] binding
//! calls, within an invocation's 1,000 operations; a larger object drains over several ticks.
//! An object it cannot read (or that needs a sink no longer configured) is moved to
//! [`UNREADABLE_PREFIX`], never deleted and never in the way.

use super::kv::KvPut;
use super::queue::{self, QUEUE_BATCH_MAX_MESSAGES};
use super::{PreparedEvent, Sink};
use crate::clock::Timestamp;
use crate::payload::json::{Bad, Read, Reader};
use std::collections::VecDeque;

/// The prefix of every spill object's key.
pub const SPILL_PREFIX: &str = "spill/";
/// Objects one cron tick drains at the most; with [`DRAIN_MAX_OPERATIONS`], a larger spill
/// drains over several ticks.
pub const DRAIN_MAX_OBJECTS: usize = 20;

/// The key of a push's spill object: its receive time, its first event's id, and a hash of
/// its body, so two pushes in one millisecond that start with the same event never share a key
/// unless they are the same object.
pub fn object_key(at: Timestamp, first_id: &str, body: &str) -> String {
    let millis = at.unix_millis().max(0);
    let hash = crate::crypto::sha256_hex(body.as_bytes());
    format!(
        "{SPILL_PREFIX}{millis:013}/{first_id}-{}",
        hash.get(..16).unwrap_or_default()
    )
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

/// What the edge must do next to drain the spill.
#[derive(Debug, PartialEq, Eq)]
pub enum DrainStep<'d> {
    /// `list({prefix, limit})` the bucket, then [`Drain::listed`] with the keys, in order.
    List { prefix: &'static str, limit: usize },
    /// `get(key)`, then [`Drain::got`] with its text (`None` when it is gone).
    Get { key: &'d str },
    /// `sendBatch` this JSON array, then [`Drain::sent`].
    SendBatch(&'d str),
    /// Read these KV keys (one bulk `get`), then [`Drain::kv_read`] with whether each holds a
    /// value.
    GetKv(Vec<&'d str>),
    /// Write these KV entries, then [`Drain::kv_written`] with one result each.
    PutKv(Vec<KvPut<'d>>),
    /// `put(key, body)` into the bucket, then [`Drain::put`]: an object rewritten with what is
    /// still pending, or an unreadable one moved aside.
    Put { key: &'d str, body: &'d str },
    /// `delete(key)`, then [`Drain::deleted`].
    Delete { key: &'d str },
    /// Done for this tick: log [`Drain::log_line`].
    Finish,
}

/// Where an object that cannot be read is moved, out of the drain's way, never deleted.
pub const UNREADABLE_PREFIX: &str = "spill-unreadable/";

/// Binding calls one tick makes at the most (R2, queue and KV alike): a Worker invocation may
/// make 1,000 operations to the platform's services; the margin leaves room for the tick's
/// own list and the rewrite of an object cut short.
pub const DRAIN_MAX_OPERATIONS: usize = 900;

/// One event of the object being drained, and what it still needs.
#[derive(Debug)]
struct Pending {
    id: String,
    event: String,
    kv_key: Option<String>,
    kv_options: String,
    queue: bool,
    kv: bool,
    /// KV was read for this key and found empty: it may be written.
    kv_checked: bool,
}

#[derive(Debug)]
enum Work {
    /// Sending these entries (indices into `pending`) with one `sendBatch`.
    Sending(Vec<usize>),
    Reading(Vec<usize>),
    Writing(Vec<usize>),
    /// Rewriting the object with what is still pending, or moving it aside.
    Putting,
    Deleting,
    None,
}

/// The object being drained.
#[derive(Debug)]
struct Current {
    key: String,
    pending: Vec<Pending>,
    /// Some entry's needs changed since the object was read: stopping now means rewriting it.
    progressed: bool,
    /// Set when the object must be put before this tick ends: (key, body).
    put: Option<(String, String)>,
    /// Delete the object once `put` is done (a move aside).
    delete_after_put: bool,
    work: Work,
    text: String,
    puts: Vec<(usize, String)>,
}

/// One cron tick's drain, as a state machine.
#[derive(Debug)]
pub struct Drain {
    enabled: bool,
    sinks: Vec<Sink>,
    listed: bool,
    keys: VecDeque<String>,
    current: Option<Current>,
    stopped: Option<String>,
    operations: usize,
    drained: usize,
    kept: usize,
    moved: usize,
    event_ids: Vec<String>,
    events_sent: usize,
}

impl Drain {
    /// A drain into `sinks`; nothing to do without a bucket (`spill` false).
    pub fn new(spill: bool, sinks: &[Sink]) -> Drain {
        Drain {
            enabled: spill,
            sinks: sinks.to_vec(),
            listed: false,
            keys: VecDeque::new(),
            current: None,
            stopped: None,
            operations: 0,
            drained: 0,
            kept: 0,
            moved: 0,
            event_ids: Vec::new(),
            events_sent: 0,
        }
    }

    fn spend(&mut self, operations: usize) -> bool {
        if self.operations + operations > DRAIN_MAX_OPERATIONS {
            return false;
        }
        self.operations += operations;
        true
    }

    pub fn step(&mut self) -> DrainStep<'_> {
        if !self.enabled {
            return DrainStep::Finish;
        }
        if !self.listed {
            self.operations += 1;
            return DrainStep::List {
                prefix: SPILL_PREFIX,
                limit: DRAIN_MAX_OBJECTS,
            };
        }
        if self.current.is_none() {
            if self.stopped.is_some() || self.keys.is_empty() || !self.spend(1) {
                return DrainStep::Finish;
            }
            return match self.keys.front() {
                Some(key) => DrainStep::Get { key },
                None => DrainStep::Finish,
            };
        }
        self.plan_next();
        let Some(current) = &self.current else {
            return DrainStep::Finish;
        };
        match &current.work {
            Work::Sending(_) => DrainStep::SendBatch(&current.text),
            Work::Reading(indices) => DrainStep::GetKv(
                indices
                    .iter()
                    .filter_map(|&i| current.pending.get(i)?.kv_key.as_deref())
                    .collect(),
            ),
            Work::Writing(_) => DrainStep::PutKv(
                current
                    .puts
                    .iter()
                    .filter_map(|(i, _)| {
                        let entry = current.pending.get(*i)?;
                        Some(KvPut {
                            key: entry.kv_key.as_deref()?,
                            value: &entry.event,
                            options: &entry.kv_options,
                        })
                    })
                    .collect(),
            ),
            Work::Putting => match &current.put {
                Some((key, body)) => DrainStep::Put { key, body },
                None => DrainStep::Finish,
            },
            Work::Deleting => DrainStep::Delete { key: &current.key },
            Work::None => DrainStep::Finish,
        }
    }

    /// Decides the current object's next write, within the tick's operations.
    fn plan_next(&mut self) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        if !matches!(current.work, Work::None) {
            self.current = Some(current);
            return;
        }
        if current.put.is_some() {
            if self.spend(1) {
                current.work = Work::Putting;
            } else {
                self.kept += 1;
                self.stopped.get_or_insert_with(|| "operations".into());
            }
            self.current = Some(current);
            return;
        }
        let for_queue: Vec<usize> = (0..current.pending.len())
            .filter(|&i| current.pending.get(i).is_some_and(|p| p.queue))
            .collect();
        if !for_queue.is_empty() {
            if !self.spend(1) {
                return self.cut_short(current, "operations".into());
            }
            let sizes: Vec<usize> = for_queue
                .iter()
                .filter_map(|&i| Some(current.pending.get(i)?.event.len()))
                .collect();
            let first = queue::batches(&sizes).into_iter().next().unwrap_or(0..0);
            let batch: Vec<usize> = for_queue.get(first).unwrap_or_default().to_vec();
            let jsons: Vec<&str> = batch
                .iter()
                .filter_map(|&i| Some(current.pending.get(i)?.event.as_str()))
                .collect();
            debug_assert!(jsons.len() <= QUEUE_BATCH_MAX_MESSAGES);
            current.text = queue::batch_json_of(&jsons);
            current.work = Work::Sending(batch);
            self.current = Some(current);
            return;
        }
        let unchecked: Vec<usize> = (0..current.pending.len())
            .filter(|&i| {
                current
                    .pending
                    .get(i)
                    .is_some_and(|p| p.kv && !p.kv_checked)
            })
            .take(super::kv::KV_BULK_GET_MAX_KEYS)
            .collect();
        if !unchecked.is_empty() {
            if !self.spend(1) {
                return self.cut_short(current, "operations".into());
            }
            current.work = Work::Reading(unchecked);
            self.current = Some(current);
            return;
        }
        let writable: Vec<usize> = (0..current.pending.len())
            .filter(|&i| current.pending.get(i).is_some_and(|p| p.kv))
            .collect();
        if !writable.is_empty() {
            let room = DRAIN_MAX_OPERATIONS.saturating_sub(self.operations + 2);
            let take: Vec<usize> = writable.into_iter().take(room).collect();
            if take.is_empty() || !self.spend(take.len()) {
                return self.cut_short(current, "operations".into());
            }
            current.puts = take.iter().map(|&i| (i, String::new())).collect();
            current.work = Work::Writing(take);
            self.current = Some(current);
            return;
        }
        if self.spend(1) {
            current.work = Work::Deleting;
            self.current = Some(current);
        } else {
            self.kept += 1;
            self.stopped.get_or_insert_with(|| "operations".into());
        }
    }

    /// Stops the tick at the current object: rewritten with what is still pending when part
    /// of it was accepted (so nothing accepted is sent again), else kept as it is.
    fn cut_short(&mut self, mut current: Current, why: String) {
        self.kept += 1 + self.keys.len();
        self.keys.clear();
        self.stopped.get_or_insert(why);
        if current.progressed && self.operations < DRAIN_MAX_OPERATIONS + 1 {
            current.put = Some((current.key.clone(), remaining_body(&current.pending)));
            current.work = Work::Putting;
            self.operations += 1;
            self.current = Some(current);
        }
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
        if self.current.is_some() {
            return;
        }
        let Some(key) = self.keys.pop_front() else {
            return;
        };
        match result {
            Ok(Some(body)) => match read(&body, &self.sinks) {
                Some(pending) => {
                    self.current = Some(Current::new(key, pending, None));
                }
                // Never deleted, never guessed at: moved out of the drain's way.
                None => {
                    let aside = format!(
                        "{UNREADABLE_PREFIX}{}",
                        key.strip_prefix(SPILL_PREFIX).unwrap_or(&key)
                    );
                    let mut current = Current::new(key, Vec::new(), Some((aside, body)));
                    current.delete_after_put = true;
                    self.current = Some(current);
                }
            },
            Ok(None) => {}
            Err(error) => {
                self.keys.push_front(key);
                self.kept += self.keys.len();
                self.keys.clear();
                self.stopped = Some(format!("get: {}", crate::log::bounded(&error)));
            }
        }
    }

    /// The `sendBatch` asked for settled.
    pub fn sent(&mut self, result: Result<(), String>) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        let Work::Sending(batch) = std::mem::replace(&mut current.work, Work::None) else {
            self.current = Some(current);
            return;
        };
        match result {
            Ok(()) => {
                for i in batch {
                    if let Some(entry) = current.pending.get_mut(i) {
                        entry.queue = false;
                        self.events_sent += 1;
                    }
                }
                current.progressed = true;
                self.current = Some(current);
            }
            Err(error) => {
                self.cut_short(current, format!("queue: {}", crate::log::bounded(&error)))
            }
        }
    }

    /// The bulk read asked for: whether each key holds a value. A key already there is not
    /// written again (a repeat that reached KV first keeps its value); a failed read stops the
    /// tick.
    pub fn kv_read(&mut self, result: Result<Vec<bool>, String>) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        let Work::Reading(indices) = std::mem::replace(&mut current.work, Work::None) else {
            self.current = Some(current);
            return;
        };
        match result {
            Ok(found) => {
                for (position, i) in indices.into_iter().enumerate() {
                    if let Some(entry) = current.pending.get_mut(i) {
                        entry.kv_checked = true;
                        if found.get(position) == Some(&true) {
                            entry.kv = false;
                            current.progressed = true;
                        }
                    }
                }
                self.current = Some(current);
            }
            Err(error) => self.cut_short(current, format!("kv: {}", crate::log::bounded(&error))),
        }
    }

    /// The KV writes asked for settled, one result each.
    pub fn kv_written(&mut self, results: Vec<Result<(), String>>) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        let Work::Writing(indices) = std::mem::replace(&mut current.work, Work::None) else {
            self.current = Some(current);
            return;
        };
        let mut failure = None;
        for (position, i) in indices.into_iter().enumerate() {
            match results.get(position) {
                Some(Ok(())) => {
                    if let Some(entry) = current.pending.get_mut(i) {
                        entry.kv = false;
                        current.progressed = true;
                    }
                }
                Some(Err(error)) => {
                    failure.get_or_insert_with(|| error.clone());
                }
                None => {
                    failure.get_or_insert_with(|| "a result missing".to_string());
                }
            }
        }
        match failure {
            None => self.current = Some(current),
            Some(error) => self.cut_short(current, format!("kv: {}", crate::log::bounded(&error))),
        }
    }

    /// The `put` asked for settled: a rewrite ends the tick; a move aside goes on to delete.
    pub fn put(&mut self, result: Result<(), String>) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        if !matches!(current.work, Work::Putting) {
            self.current = Some(current);
            return;
        }
        current.work = Work::None;
        current.put = None;
        match result {
            Ok(()) if current.delete_after_put => {
                self.moved += 1;
                current.work = Work::Deleting;
                self.operations += 1;
                self.current = Some(current);
            }
            // Rewritten with what is pending: kept for the next tick.
            Ok(()) => {}
            Err(error) => {
                self.stopped
                    .get_or_insert_with(|| format!("put: {}", crate::log::bounded(&error)));
            }
        }
    }

    /// The object's `delete` settled. Failed, the object is drained again: a repeat.
    pub fn deleted(&mut self, result: Result<(), String>) {
        let Some(current) = self.current.take() else {
            return;
        };
        match result {
            Ok(()) if current.delete_after_put => {}
            Ok(()) => {
                self.drained += 1;
                self.event_ids
                    .extend(current.pending.into_iter().map(|entry| entry.id));
            }
            Err(error) => {
                self.kept += 1 + self.keys.len();
                self.keys.clear();
                self.stopped = Some(format!("delete: {}", crate::log::bounded(&error)));
            }
        }
    }

    /// Whether the bucket may hold more than this tick drained.
    pub fn more(&self) -> bool {
        self.stopped.is_some() || self.kept > 0 || self.drained + self.moved == DRAIN_MAX_OBJECTS
    }

    /// The tick's log line: what was drained (objects, and up to 100 event ids), what was
    /// kept, moved aside, and why it stopped.
    pub fn log_line(&self) -> String {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            drain: &'static str,
            drained: usize,
            kept: usize,
            moved_aside: usize,
            events_sent: usize,
            event_ids: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            stopped: Option<&'a str>,
        }
        serde_json::to_string(&Line {
            drain: "spill",
            drained: self.drained,
            kept: self.kept,
            moved_aside: self.moved,
            events_sent: self.events_sent,
            event_ids: self.event_ids.get(..100).unwrap_or(&self.event_ids),
            stopped: self.stopped.as_deref(),
        })
        .unwrap_or_default()
    }
}

impl Current {
    fn new(key: String, pending: Vec<Pending>, put: Option<(String, String)>) -> Current {
        Current {
            key,
            pending,
            progressed: false,
            work: Work::None,
            put,
            delete_after_put: false,
            text: String::new(),
            puts: Vec::new(),
        }
    }
}

/// A spill object's events and what each needs; `None` for a body this release cannot read,
/// or one that needs a sink no longer configured (kept for when it is).
fn read(body: &str, sinks: &[Sink]) -> Option<Vec<Pending>> {
    let mut reader = Reader::new(body);
    let mut events = None;
    // Read as `#[derive(Deserialize)]` read `{"events": [{"id", "sinks", "kv_key",
    // "kv_options", "event"}]}`, without serde's typed reads (`payload::json`).
    reader
        .record(&["events"], &mut |r, _| {
            let mut list = Vec::new();
            r.seq(&mut |r| {
                list.push(entry(r, sinks)?);
                Ok(())
            })?;
            events = Some(list);
            Ok(())
        })
        .ok()?;
    reader.end().ok()?;
    // An entry needing a sink no longer configured is `None`, the whole object with it.
    events?.into_iter().collect()
}

/// One entry of a spill object; `Ok(None)` when it needs a sink this relay does not have.
fn entry(reader: &mut Reader<'_>, sinks: &[Sink]) -> Read<Option<Pending>> {
    let (mut id, mut named, mut kv_key, mut kv_options, mut event) = (None, None, None, None, None);
    reader.record(
        &["id", "sinks", "kv_key", "kv_options", "event"],
        &mut |r, field| {
            match field {
                0 => id = Some(r.string()?.into_owned()),
                1 => {
                    let mut list = Vec::new();
                    r.seq(&mut |r| {
                        list.push(r.string()?);
                        Ok(())
                    })?;
                    named = Some(list);
                }
                2 => kv_key = r.opt_string()?,
                3 => kv_options = if r.null()? { None } else { Some(r.raw()?) },
                _ => event = Some(r.raw()?),
            }
            Ok(())
        },
    )?;
    let (Some(id), Some(named), Some(event)) = (id, named, event) else {
        return Err(Bad::Type);
    };
    let (mut queue, mut kv) = (false, false);
    for sink in &named {
        match sink.as_ref() {
            "queue" if sinks.contains(&Sink::Queue) => queue = true,
            "kv" if sinks.contains(&Sink::Kv) && kv_key.is_some() => kv = true,
            _ => return Ok(None),
        }
    }
    Ok(Some(Pending {
        id,
        event: event.to_string(),
        kv_key,
        kv_options: kv_options.unwrap_or("{}").to_string(),
        queue,
        kv,
        kv_checked: false,
    }))
}

/// The object's body with only what is still pending.
fn remaining_body(pending: &[Pending]) -> String {
    let mut out = String::from(r#"{"events":["#);
    let mut first = true;
    for entry in pending.iter().filter(|entry| entry.queue || entry.kv) {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(r#"{"id":"#);
        out.push_str(&serde_json::to_string(&entry.id).unwrap_or_default());
        out.push_str(r#","sinks":["#);
        let sinks: Vec<&str> = [("queue", entry.queue), ("kv", entry.kv)]
            .iter()
            .filter(|(_, needed)| *needed)
            .map(|(name, _)| *name)
            .collect();
        out.push_str(
            &sinks
                .iter()
                .map(|name| format!("\"{name}\""))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str(r#"],"kv_key":"#);
        out.push_str(&serde_json::to_string(&entry.kv_key).unwrap_or_default());
        out.push_str(r#","kv_options":"#);
        out.push_str(&entry.kv_options);
        out.push_str(r#","event":"#);
        out.push_str(&entry.event);
        out.push('}');
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_oldest_first_and_name_their_time() {
        let early = object_key(Timestamp::from_unix_millis(999), "b", "{}");
        let late = object_key(Timestamp::from_unix_millis(1_733_987_300_000), "a", "{}");
        assert!(early.starts_with("spill/0000000000999/b-"), "{early}");
        assert_ne!(
            object_key(Timestamp::from_unix_millis(999), "b", "{\"x\":1}"),
            early,
            "another body, another key"
        );
        assert!(early < late);
        assert_eq!(
            spilled_at(&late).map(|at| at.unix_millis()),
            Some(1_733_987_300_000)
        );
        assert_eq!(spilled_at("spill/12/x"), None);
    }
}
