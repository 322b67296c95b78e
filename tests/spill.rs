//! The spill store's decisions, natively: which events a refusing sink leaves to the spill
//! bucket, what the push is answered, and what a drain sends, keeps and deletes, against
//! simulated sinks that refuse on command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use sms_relay::config::{Bindings, Config};
use sms_relay::event::{AuthInfo, CloudEvent, Fallback, Ingested, Receipt};
use sms_relay::http::Reply;
use sms_relay::sinks::spill::{
    Drain, DrainStep, DRAIN_MAX_OBJECTS, DRAIN_MAX_OPERATIONS, SPILL_PREFIX, UNREADABLE_PREFIX,
};
use sms_relay::sinks::Sink;
use sms_relay::sinks::{Step, Store};
use sms_relay::testing::bench::fixture;
use std::collections::BTreeMap;

/// Sinks that refuse while `down`, and a bucket that refuses while `bucket_down`.
#[derive(Default)]
struct World {
    queue_down: bool,
    kv_down: bool,
    bucket_down: bool,
    /// Event ids as the queue accepted them, in order.
    queued: Vec<String>,
    /// Queued bodies, by event id.
    queued_json: BTreeMap<String, Value>,
    kv: BTreeMap<String, String>,
    bucket: BTreeMap<String, String>,
    /// Binding calls the last drain tick made.
    last_operations: usize,
}

impl World {
    fn send(&mut self, json: &str) -> Result<(), String> {
        if self.queue_down {
            return Err("queue down".into());
        }
        let messages: Vec<Value> = serde_json::from_str(json).unwrap();
        assert!(messages.len() <= 100);
        for message in messages {
            let id = message["body"]["id"].as_str().unwrap().to_string();
            self.queued.push(id.clone());
            self.queued_json.insert(id, message["body"].clone());
        }
        Ok(())
    }

    fn put(&mut self, key: &str, value: &str) -> Result<(), String> {
        if self.kv_down {
            return Err("kv down".into());
        }
        self.kv.insert(key.into(), value.into());
        Ok(())
    }

    /// Runs a push's store to its answer.
    fn store(&mut self, mut store: Store) -> Reply {
        for _ in 0..1000 {
            match store.step() {
                Step::SendBatch(json) => {
                    let result = self.send(&json);
                    store.queue_sent(result);
                }
                Step::GetKv(keys) => {
                    let found = keys.iter().map(|key| self.kv.contains_key(*key)).collect();
                    store.kv_read(if self.kv_down {
                        Err("kv down".into())
                    } else {
                        Ok(found)
                    });
                }
                Step::PutKv(puts) => {
                    let results = puts
                        .iter()
                        .map(|put| self.put(put.key, put.value))
                        .collect();
                    store.kv_written(results);
                }
                Step::Wait { .. } => {}
                Step::PutR2 { key, body } => {
                    let (key, body) = (key.to_string(), body.to_string());
                    if self.bucket_down {
                        store.spilled(Err("bucket down".into()));
                    } else {
                        self.bucket.insert(key, body);
                        store.spilled(Ok(()));
                    }
                }
                Step::ListKv { .. } | Step::ListR2 { .. } => panic!("a push lists nothing"),
                Step::Finish(finished) => return finished.reply,
            }
        }
        panic!("the store never finished")
    }

    /// Runs one drain tick.
    fn drain(&mut self) -> Drain {
        self.drain_into(&[Sink::Queue, Sink::Kv])
    }

    fn drain_into(&mut self, sinks: &[Sink]) -> Drain {
        let mut drain = Drain::new(true, sinks);
        let mut operations = 0;
        for _ in 0..10_000 {
            match drain.step() {
                DrainStep::List { prefix, limit } => {
                    operations += 1;
                    let keys = self
                        .bucket
                        .keys()
                        .filter(|key| key.starts_with(prefix))
                        .take(limit)
                        .cloned()
                        .collect();
                    drain.listed(Ok(keys));
                }
                DrainStep::Get { key } => {
                    operations += 1;
                    let body = self.bucket.get(key).cloned();
                    drain.got(Ok(body));
                }
                DrainStep::SendBatch(json) => {
                    operations += 1;
                    let json = json.to_string();
                    let result = self.send(&json);
                    drain.sent(result);
                }
                DrainStep::PutKv(puts) => {
                    let puts: Vec<(String, String)> = puts
                        .iter()
                        .map(|put| (put.key.to_string(), put.value.to_string()))
                        .collect();
                    operations += puts.len();
                    let results = puts.iter().map(|(k, v)| self.put(k, v)).collect();
                    drain.kv_written(results);
                }
                DrainStep::Delete { key } => {
                    let key = key.to_string();
                    self.bucket.remove(&key);
                    drain.deleted(Ok(()));
                }
                DrainStep::GetKv(keys) => {
                    operations += 1;
                    let found: Vec<bool> =
                        keys.iter().map(|key| self.kv.contains_key(*key)).collect();
                    drain.kv_read(if self.kv_down {
                        Err("kv down".into())
                    } else {
                        Ok(found)
                    });
                    continue;
                }
                DrainStep::Put { key, body } => {
                    let (key, body) = (key.to_string(), body.to_string());
                    self.bucket.insert(key, body);
                    drain.put(Ok(()));
                }
                DrainStep::Finish => {
                    assert!(operations <= DRAIN_MAX_OPERATIONS + 100);
                    self.last_operations = operations;
                    return drain;
                }
            }
        }
        panic!("the drain never finished")
    }
}

fn events(n: usize, seconds: i64) -> Vec<CloudEvent> {
    let mut fixture = fixture();
    fixture.now =
        sms_relay::clock::Timestamp::from_unix_millis(fixture.now.unix_millis() + seconds * 1000);
    let case = fixture.cases.iter().find(|c| c.name == "batch_50").unwrap();
    let mut events = case.ingest(&fixture).events;
    events.truncate(n);
    events
}

fn store(events: &[CloudEvent], forward: &str, bindings: Bindings, at: i64) -> Store {
    let config = Config::from_vars(
        &[("ALLOW_UNSIGNED", "true"), ("FORWARD", forward)],
        bindings,
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    let ingested = Ingested {
        events: events.to_vec(),
        reply: Reply::stored(),
        access_key: None,
        fallback: Some(Fallback {
            provider: sms_relay::providers::huawei::PROVIDER,
            endpoint: "reports",
            content_type: None,
            receipt: Receipt::new(
                sms_relay::clock::Timestamp::from_unix_millis(at),
                AuthInfo::None,
            ),
        }),
    };
    Store::new(ingested, b"", &config.sinks)
}

const SPILL: Bindings = Bindings::ALL_WITH_SPILL;

#[test]
fn a_refusing_queue_spills_the_push_which_is_answered_2xx_then_drained_whole() {
    let mut world = World {
        queue_down: true,
        ..World::default()
    };
    let events = events(50, 0);
    let reply = world.store(store(&events, "queue", SPILL, 1_000));
    assert_eq!(reply, Reply::stored(), "stored in the bucket: 2xx");
    assert!(world.queued.is_empty());
    assert_eq!(world.bucket.len(), 1, "one object per push");
    let (key, body) = world.bucket.iter().next().unwrap();
    assert!(key.starts_with(&format!("{SPILL_PREFIX}0000000001000/")));
    let object: Value = serde_json::from_str(body).unwrap();
    assert_eq!(object["events"].as_array().unwrap().len(), 50);
    for (entry, event) in object["events"].as_array().unwrap().iter().zip(&events) {
        assert_eq!(entry["id"], event.id.as_str());
        assert_eq!(entry["sinks"], serde_json::json!(["queue"]));
        assert_eq!(entry["event"], serde_json::to_value(event).unwrap());
    }

    // Still down: the drain keeps everything.
    let drain = world.drain();
    assert!(drain.more());
    assert_eq!(world.bucket.len(), 1);
    assert!(world.queued.is_empty());

    // Back: every event reaches the queue with its id and bytes; the bucket is empty.
    world.queue_down = false;
    let drain = world.drain();
    assert!(!drain.more(), "{}", drain.log_line());
    assert!(world.bucket.is_empty());
    assert_eq!(
        world.queued,
        events.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
    );
    for event in &events {
        assert_eq!(
            world.queued_json[&event.id],
            serde_json::to_value(event).unwrap()
        );
    }
    let line: Value = serde_json::from_str(&drain.log_line()).unwrap();
    assert_eq!(
        (line["drained"].as_u64(), line["kept"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(line["event_ids"].as_array().unwrap().len(), 50);
}

#[test]
fn only_what_a_sink_has_not_taken_is_spilled_and_nothing_taken_is_sent_twice() {
    // The queue takes the push; KV refuses: the bucket holds the events for KV alone.
    let mut world = World {
        kv_down: true,
        ..World::default()
    };
    let events = events(3, 0);
    let reply = world.store(store(&events, "queue,kv", SPILL, 2_000));
    assert_eq!(reply, Reply::stored());
    assert_eq!(world.queued.len(), 3);
    let object: Value = serde_json::from_str(world.bucket.values().next().unwrap()).unwrap();
    for entry in object["events"].as_array().unwrap() {
        assert_eq!(entry["sinks"], serde_json::json!(["kv"]));
        assert!(entry["kv_key"]
            .as_str()
            .unwrap()
            .starts_with("status/huawei/"));
        assert!(entry["kv_options"]["metadata"].is_object());
    }
    world.kv_down = false;
    world.drain();
    assert!(world.bucket.is_empty());
    assert_eq!(
        world.queued.len(),
        3,
        "the queue is not sent the events again"
    );
    assert_eq!(world.kv.len(), 3);
    for event in &events {
        let stored: Value =
            serde_json::from_str(world.kv.values().find(|v| v.contains(&event.id)).unwrap())
                .unwrap();
        assert_eq!(
            stored,
            serde_json::to_value(event).unwrap(),
            "same bytes, received_at too"
        );
    }
}

#[test]
fn both_down_is_the_honest_503_and_without_a_bucket_nothing_changes() {
    let events = events(2, 0);
    let mut world = World {
        queue_down: true,
        bucket_down: true,
        ..World::default()
    };
    let reply = world.store(store(&events, "queue", SPILL, 0));
    assert_eq!((reply.status, reply.code), (503, "sink_unavailable"));
    assert!(world.bucket.is_empty());

    let mut world = World {
        queue_down: true,
        ..World::default()
    };
    let reply = world.store(store(&events, "queue", Bindings::ALL, 0));
    assert_eq!((reply.status, reply.code), (503, "sink_unavailable"));
    assert!(world.bucket.is_empty(), "no bucket bound, nothing spilled");
}

#[test]
fn a_large_spill_drains_over_several_ticks_and_an_interrupted_one_loses_nothing() {
    let mut world = World {
        queue_down: true,
        ..World::default()
    };
    let pushes = DRAIN_MAX_OBJECTS * 2 + 3;
    let mut ids = Vec::new();
    for push in 0..pushes {
        let events = events(2, push as i64);
        ids.extend(events.iter().map(|e| e.id.clone()));
        let reply = world.store(store(&events, "queue", SPILL, push as i64 * 1000));
        assert_eq!(reply, Reply::stored());
    }
    assert_eq!(world.bucket.len(), pushes);
    world.queue_down = false;
    let mut ticks = 0;
    while !world.bucket.is_empty() {
        let drain = world.drain();
        ticks += 1;
        assert!(ticks <= 3, "{}", drain.log_line());
        // Interrupted: the queue goes down halfway through the second tick.
        if ticks == 1 {
            assert_eq!(world.bucket.len(), pushes - DRAIN_MAX_OBJECTS);
            world.queue_down = true;
            let kept = world.drain();
            assert_eq!(
                world.bucket.len(),
                pushes - DRAIN_MAX_OBJECTS,
                "{}",
                kept.log_line()
            );
            world.queue_down = false;
        }
    }
    assert_eq!(ticks, 3);
    let mut queued = world.queued.clone();
    queued.sort();
    queued.dedup();
    ids.sort();
    ids.dedup();
    assert_eq!(queued, ids, "every event at least once");
}

#[test]
fn objects_the_drain_cannot_read_are_moved_aside_never_deleted_nor_in_the_way() {
    let mut world = World::default();
    for n in 0..DRAIN_MAX_OBJECTS + 1 {
        world
            .bucket
            .insert(format!("{SPILL_PREFIX}{n:013}/x"), format!("not json {n}"));
    }
    let events = events(2, 0);
    world.store(store(&events, "queue", SPILL, 9_000_000_000));
    world.queue_down = false;
    for _ in 0..3 {
        world.drain();
    }
    let aside = world
        .bucket
        .iter()
        .filter(|(key, _)| key.starts_with(UNREADABLE_PREFIX))
        .count();
    assert_eq!(aside, DRAIN_MAX_OBJECTS + 1, "kept, under their own prefix");
    assert!(world
        .bucket
        .keys()
        .all(|key| !key.starts_with(SPILL_PREFIX)));
    assert_eq!(
        world.queued.len(),
        2,
        "the readable push behind them is drained"
    );
}

#[test]
fn what_a_sink_accepted_is_not_sent_again_while_another_still_refuses() {
    // Queue down at the push: the object needs both sinks. At the drain the queue is back but
    // KV is down: the queue takes the events once, and the object is rewritten with KV alone.
    let mut world = World {
        queue_down: true,
        ..World::default()
    };
    let events = events(3, 0);
    world.store(store(&events, "queue,kv", SPILL, 1_000));
    world.queue_down = false;
    world.kv_down = true;
    for _ in 0..5 {
        world.drain();
    }
    assert_eq!(world.queued.len(), 3, "five ticks, one send each");
    let object: Value = serde_json::from_str(world.bucket.values().next().unwrap()).unwrap();
    for entry in object["events"].as_array().unwrap() {
        assert_eq!(entry["sinks"], serde_json::json!(["kv"]));
    }
    world.kv_down = false;
    world.drain();
    assert!(world.bucket.is_empty());
    assert_eq!((world.queued.len(), world.kv.len()), (3, 3));
}

#[test]
fn the_drain_reads_kv_first_and_keeps_a_value_already_there() {
    // The queue refused the push, so its KV writes were never tried; meanwhile a repeat of it
    // reached KV. The drain must not replace that value.
    let mut world = World {
        queue_down: true,
        ..World::default()
    };
    let first = events(1, 0);
    world.store(store(&first, "queue,kv", SPILL, 1_000));
    world.queue_down = false;
    let repeat = events(1, 60);
    assert_eq!(first[0].id, repeat[0].id);
    world.store(store(&repeat, "queue,kv", SPILL, 61_000));
    let before = world.kv.clone();
    assert_eq!(before.len(), 1);
    world.drain();
    assert!(world.bucket.is_empty());
    assert_eq!(world.kv, before, "the value stored first stays");
}

#[test]
fn a_tick_stays_within_its_operations_and_a_large_object_drains_over_several() {
    let one = events(1, 0).remove(0);
    let many: Vec<CloudEvent> = (0..1000)
        .map(|i| {
            let mut event = one.clone();
            event.id = format!("{i:032}");
            event
        })
        .collect();
    let mut world = World {
        kv_down: true,
        ..World::default()
    };
    world.store(store(&many, "kv", SPILL, 1_000));
    assert_eq!(world.bucket.len(), 1);
    world.kv_down = false;
    let mut ticks = 0;
    while !world.bucket.is_empty() {
        world.drain();
        assert!(
            world.last_operations <= DRAIN_MAX_OPERATIONS + 1,
            "{}",
            world.last_operations
        );
        ticks += 1;
        assert!(ticks <= 3);
    }
    assert_eq!(ticks, 2);
    assert_eq!(world.kv.len(), 1000);
}

#[test]
fn the_detailed_healthz_says_whether_a_spill_waits_and_since_when() {
    use sms_relay::relay::Exchange;
    let config = Config::from_vars(
        &[
            ("ALLOW_UNSIGNED", "true"),
            ("FORWARD", "queue"),
            ("READ_TOKEN", "read-token-0123456789"),
        ],
        SPILL,
    );
    let health = |listed: Result<Vec<String>, String>| {
        let mut exchange = Exchange::new(
            &config,
            "GET",
            "https://relay.example/healthz",
            "authorization:Bearer read-token-0123456789\n",
            sms_relay::clock::Timestamp::from_unix_seconds(0),
        );
        assert!(matches!(
            exchange.step(),
            Step::ListR2 {
                prefix: SPILL_PREFIX,
                limit: 1
            }
        ));
        exchange.r2_listed(&config, listed);
        let Step::Finish(finished) = exchange.step() else {
            panic!("answered")
        };
        let body: Value = serde_json::from_str(&finished.reply.body).unwrap();
        body["spill"].clone()
    };
    assert_eq!(
        health(Ok(vec![format!("{SPILL_PREFIX}0000000001500/abc")])),
        serde_json::json!({"pending": true, "oldest": "1970-01-01T00:00:01.500Z"})
    );
    assert_eq!(
        health(Ok(vec![])),
        serde_json::json!({"pending": false, "oldest": null})
    );
    assert_eq!(
        health(Err("r2 down".into())),
        serde_json::json!({"pending": null, "oldest": null})
    );
    // In public, nothing is listed.
    let public = Exchange::new(
        &config,
        "GET",
        "https://relay.example/healthz",
        "",
        sms_relay::clock::Timestamp::from_unix_seconds(0),
    );
    let mut public = public;
    assert!(matches!(public.step(), Step::Finish(_)));
}
