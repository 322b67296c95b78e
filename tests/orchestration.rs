//! The decisions the edge only executes, driven natively: the store machine against simulated
//! Queue and KV sinks that refuse on cue, and the consumer's per-message machine against
//! scripted backend answers. No runtime, no timers: every wait is recorded, not slept.

// Helpers outside #[test] functions assert by panicking too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use sms_relay::clock::Timestamp;
use sms_relay::config::{Bindings, Config};
use sms_relay::delivery::consumer::{MessageJob, MessageStep, Settle, MISCONFIGURED_RETRY_SECS};
use sms_relay::delivery::AttemptResult;
use sms_relay::event::{AuthInfo, CloudEvent, Fallback, Ingested, Receipt};
use sms_relay::http::{AuthFailure, Refusal, Reply};
use sms_relay::sinks::kv::KV_BULK_GET_MAX_KEYS;
use sms_relay::sinks::queue::QUEUE_BATCH_MAX_MESSAGES;
use sms_relay::sinks::store::SINK_RETRY_DELAYS_MS;
use sms_relay::sinks::{Finished, Step, Store};
use sms_relay::testing::bench::fixture;
use std::collections::BTreeMap;

/// A sink that refuses the calls whose 1-based numbers are listed, and records the rest.
#[derive(Default)]
struct SimQueue {
    refuse: Vec<usize>,
    calls: usize,
    /// Accepted messages' event ids, per accepted `sendBatch` call.
    accepted: Vec<Vec<String>>,
}

#[derive(Default)]
struct SimKv {
    refuse_calls: Vec<usize>,
    calls: usize,
    /// Bulk reads made.
    reads: usize,
    entries: BTreeMap<String, (String, Value)>,
}

struct Run {
    finished: Finished,
    waits: Vec<u64>,
}

fn drive(mut store: Store, queue: &mut SimQueue, kv: &mut SimKv) -> Run {
    let mut waits = Vec::new();
    for _ in 0..1000 {
        match store.step() {
            Step::SendBatch(json) => {
                queue.calls += 1;
                if queue.refuse.contains(&queue.calls) {
                    store.queue_sent(Err("queue refused".into()));
                    continue;
                }
                let messages: Vec<Value> = serde_json::from_str(&json).unwrap();
                assert!(messages.len() <= QUEUE_BATCH_MAX_MESSAGES);
                let ids = messages
                    .iter()
                    .map(|m| {
                        assert_eq!(m["contentType"], "json");
                        m["body"]["id"].as_str().unwrap().to_string()
                    })
                    .collect();
                queue.accepted.push(ids);
                store.queue_sent(Ok(()));
            }
            Step::PutKv(puts) => {
                let results = puts
                    .iter()
                    .map(|put| {
                        kv.calls += 1;
                        if kv.refuse_calls.contains(&kv.calls) {
                            return Err("kv refused".to_string());
                        }
                        let options: Value = serde_json::from_str(put.options).unwrap();
                        kv.entries
                            .insert(put.key.to_string(), (put.value.to_string(), options));
                        Ok(())
                    })
                    .collect();
                store.kv_written(results);
            }
            Step::GetKv(keys) => {
                assert!(keys.len() <= KV_BULK_GET_MAX_KEYS);
                kv.reads += 1;
                let found = keys
                    .iter()
                    .map(|key| kv.entries.contains_key(*key))
                    .collect();
                store.kv_read(Ok(found));
            }
            Step::Wait { millis } => waits.push(millis),
            Step::ListKv { .. } | Step::ListR2 { .. } => panic!("a push never lists"),
            Step::PutR2 { .. } => panic!("no spill bucket here"),
            Step::Finish(finished) => return Run { finished, waits },
        }
    }
    panic!("the store never finished");
}

fn events(batch: usize) -> Vec<CloudEvent> {
    let fixture = fixture();
    let case = fixture.cases.iter().find(|c| c.name == "batch_50").unwrap();
    let mut events = case.ingest(&fixture).events;
    events.truncate(batch);
    events
}

/// `n` copies of one report, each its own event (ids `0…0` to `n`).
fn numbered(n: usize) -> Vec<CloudEvent> {
    let one = events(1).remove(0);
    (0..n)
        .map(|i| {
            let mut event = one.clone();
            event.id = format!("{i:032}");
            event
        })
        .collect()
}

fn config(forward: &str) -> Config {
    let config = Config::from_vars(
        &[
            ("ALLOW_UNSIGNED", "true"),
            ("FORWARD", forward),
            ("KV_TTL_SECS", "3600"),
        ],
        Bindings::ALL,
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

fn ingested(events: &[CloudEvent], reply: Reply) -> Ingested {
    Ingested {
        events: events.to_vec(),
        reply,
        access_key: None,
        fallback: Some(Fallback {
            provider: sms_relay::providers::huawei::PROVIDER,
            endpoint: "reports",
            content_type: None,
            receipt: Receipt::new(NOW, AuthInfo::None),
        }),
    }
}

fn store(events: &[CloudEvent], forward: &str) -> Store {
    Store::new(
        ingested(events, Reply::stored()),
        b"",
        &config(forward).sinks,
    )
}

#[test]
fn everything_stored_answers_the_success_reply_and_writes_each_event_once_per_sink() {
    let events = events(50);
    let (mut queue, mut kv) = (SimQueue::default(), SimKv::default());
    let run = drive(store(&events, "queue,kv"), &mut queue, &mut kv);
    assert_eq!(run.finished.reply, Reply::stored());
    assert_eq!(run.finished.sink_error, None);
    assert!(run.waits.is_empty());
    let queued: Vec<&String> = queue.accepted.iter().flatten().collect();
    assert_eq!(queued.len(), 50);
    assert_eq!(kv.entries.len(), 50);
    let (_, options) = kv.entries.values().next().unwrap();
    assert_eq!(options["expirationTtl"], 3600);
}

#[test]
fn a_sink_that_fails_once_then_succeeds_is_retried_after_the_first_pause() {
    let events = events(3);
    let mut queue = SimQueue {
        refuse: vec![1],
        ..SimQueue::default()
    };
    let mut kv = SimKv {
        refuse_calls: vec![2],
        ..SimKv::default()
    };
    let run = drive(store(&events, "queue,kv"), &mut queue, &mut kv);
    assert_eq!(run.finished.reply, Reply::stored());
    // One pause for the queue's refusal, one for KV's.
    assert_eq!(
        run.waits,
        [SINK_RETRY_DELAYS_MS[0], SINK_RETRY_DELAYS_MS[0]]
    );
    assert_eq!(queue.accepted.len(), 1);
    assert_eq!(queue.accepted[0].len(), 3);
    assert_eq!(kv.entries.len(), 3);
    // Only the refused KV write was repeated: 3 puts, then 1.
    assert_eq!(kv.calls, 4);
}

#[test]
fn a_sink_that_always_fails_answers_503_and_claims_nothing() {
    let events = events(2);
    let mut queue = SimQueue {
        refuse: (1..=10).collect(),
        ..SimQueue::default()
    };
    let mut kv = SimKv::default();
    let run = drive(store(&events, "queue,kv"), &mut queue, &mut kv);
    assert_eq!(run.finished.reply.status, 503);
    assert_eq!(run.finished.reply.code, "sink_unavailable");
    assert!(run
        .finished
        .reply
        .headers
        .iter()
        .any(|(name, _)| *name == "retry-after"));
    let error = run.finished.sink_error.unwrap();
    assert!(
        error.starts_with("queue (EVENTS_QUEUE) on reports: queue refused"),
        "{error}"
    );
    assert_eq!(run.waits, SINK_RETRY_DELAYS_MS);
    assert_eq!(queue.calls, 1 + SINK_RETRY_DELAYS_MS.len());
    assert!(queue.accepted.is_empty());
    assert!(
        kv.entries.is_empty(),
        "a later sink is not written once one has failed"
    );
}

#[test]
fn a_queue_refusal_mid_split_resends_only_the_refused_batch_onwards() {
    // 150 events need two sendBatch calls (100 + 50); the second is refused once.
    let many = numbered(150);
    let mut queue = SimQueue {
        refuse: vec![2],
        ..SimQueue::default()
    };
    let run = drive(store(&many, "queue"), &mut queue, &mut SimKv::default());
    assert_eq!(run.finished.reply, Reply::stored());
    assert_eq!(queue.calls, 3);
    assert_eq!(
        queue.accepted.iter().map(Vec::len).collect::<Vec<_>>(),
        [100, 50]
    );
    let mut ids: Vec<&String> = queue.accepted.iter().flatten().collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 150, "every event queued exactly once");
}

/// The batch's events as ingested `seconds` after the fixture's time: the same reports,
/// received later.
fn events_received_later(batch: usize, seconds: i64) -> Vec<CloudEvent> {
    let mut fixture = fixture();
    fixture.now = Timestamp::from_unix_millis(fixture.now.unix_millis() + seconds * 1000);
    let case = fixture.cases.iter().find(|c| c.name == "batch_50").unwrap();
    let mut events = case.ingest(&fixture).events;
    events.truncate(batch);
    events
}

#[test]
fn a_repeat_changes_nothing_stored_and_is_queued_again_with_the_same_ids() {
    let first = events(50);
    let again = events_received_later(50, 90);
    let ids = |events: &[CloudEvent]| events.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&again), "the same reports keep their ids");
    let (mut queue, mut kv) = (SimQueue::default(), SimKv::default());
    drive(store(&first, "queue,kv"), &mut queue, &mut kv);
    let stored = kv.entries.clone();
    let puts = kv.calls;
    let run = drive(store(&again, "queue,kv"), &mut queue, &mut kv);
    assert_eq!(run.finished.reply, Reply::stored());
    assert_eq!(
        kv.entries, stored,
        "values, received_at included, unchanged"
    );
    assert_eq!(kv.calls, puts, "nothing written again");
    assert_eq!(kv.reads, 2, "one bulk read per push");
    // The queue is at least once: the repeat goes again, with the same ids.
    assert_eq!(queue.accepted.len(), 2);
    assert_eq!(queue.accepted[0], queue.accepted[1]);
}

#[test]
fn keys_are_read_at_most_a_bulk_read_at_a_time_and_only_the_new_ones_written() {
    let many = numbered(150);
    let mut kv = SimKv::default();
    // Ten of them are already stored.
    drive(store(&many[..10], "kv"), &mut SimQueue::default(), &mut kv);
    let (reads, puts) = (kv.reads, kv.calls);
    let run = drive(store(&many, "kv"), &mut SimQueue::default(), &mut kv);
    assert_eq!(run.finished.reply, Reply::stored());
    assert_eq!(kv.reads - reads, 2, "100 keys, then 50");
    assert_eq!(kv.calls - puts, 140);
    assert_eq!(kv.entries.len(), 150);
}

#[test]
fn a_failed_read_writes_every_key_it_asked_about() {
    let events = events(3);
    let mut store = store(&events, "kv");
    let Step::GetKv(keys) = store.step() else {
        panic!("a KV store reads first")
    };
    assert_eq!(keys.len(), 3);
    store.kv_read(Err("kv down".into()));
    let Step::PutKv(puts) = store.step() else {
        panic!("then writes")
    };
    assert_eq!(puts.len(), 3);
}

#[test]
fn a_result_for_another_step_is_ignored_and_nothing_is_claimed_written() {
    let many = numbered(150);
    let mut store = store(&many, "kv");
    assert!(matches!(store.step(), Step::GetKv(keys) if keys.len() == 100));
    store.kv_read(Ok(vec![false; 100]));
    assert!(matches!(store.step(), Step::GetKv(keys) if keys.len() == 50));
    // A write result while a read is out: ignored, the 100 events stay to be written.
    store.kv_written(vec![Ok(()); 100]);
    store.kv_read(Ok(vec![false; 50]));
    let Step::PutKv(puts) = store.step() else {
        panic!("then the writes")
    };
    assert_eq!(puts.len(), 150);
    // A read result while the writes are out: ignored too.
    store.kv_read(Ok(vec![true; 150]));
    store.kv_written(vec![Ok(()); 150]);
    assert!(matches!(store.step(), Step::Finish(f) if f.reply == Reply::stored()));
}

#[test]
fn fewer_read_results_than_keys_write_the_rest_and_one_event_twice_is_written_once() {
    let events = events(3);
    let twice = [events.clone(), events[..1].to_vec()].concat();
    let mut store = store(&twice, "kv");
    // The repeated event is read and written once.
    assert!(matches!(store.step(), Step::GetKv(keys) if keys.len() == 3));
    // The edge reported one result for three keys: the missing results count as not there.
    store.kv_read(Ok(vec![false]));
    let Step::PutKv(puts) = store.step() else {
        panic!("then the writes")
    };
    let keys: Vec<&str> = puts.iter().map(|put| put.key).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
}

#[test]
fn a_push_too_large_for_reads_and_writes_within_the_kv_operations_is_written_without_reading() {
    use sms_relay::sinks::kv::KV_OPERATIONS_PER_INVOCATION;
    let many = numbered;
    // 990 events and their 10 reads fit 1,000 operations; 991 and 10 do not.
    for (n, reads) in [(990, 10), (991, 0), (KV_OPERATIONS_PER_INVOCATION, 0)] {
        let mut kv = SimKv::default();
        let run = drive(store(&many(n), "kv"), &mut SimQueue::default(), &mut kv);
        assert_eq!(run.finished.reply, Reply::stored());
        assert_eq!((kv.reads, kv.calls), (reads, n), "{n}");
        assert!(kv.reads + kv.calls <= KV_OPERATIONS_PER_INVOCATION);
    }
}

#[test]
fn a_large_push_with_repeats_writes_each_key_once_and_more_than_kv_can_take_is_kept_whole() {
    // 995 events, 5 of them twice: 995 writes, no reads (no room for both), each key once.
    let mut repeated = numbered(995);
    repeated.extend(numbered(5));
    let mut kv = SimKv::default();
    let run = drive(store(&repeated, "kv"), &mut SimQueue::default(), &mut kv);
    assert_eq!(run.finished.reply, Reply::stored());
    assert_eq!((kv.reads, kv.calls, kv.entries.len()), (0, 995, 995));

    // 1,001 distinct events: no invocation could write them; the push is kept whole.
    let mut kv = SimKv::default();
    let run = drive(
        store(&numbered(1001), "queue,kv"),
        &mut SimQueue::default(),
        &mut kv,
    );
    assert_eq!(
        (run.finished.reply.status, run.finished.reply.code),
        (400, "batch_too_large")
    );
    let stored: Vec<&str> = kv.entries.keys().map(String::as_str).collect();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("unparsed/huawei/"), "{stored:?}");
}

#[test]
fn no_events_means_nothing_to_write() {
    let mut queue = SimQueue::default();
    let refused = Refusal::Unauthenticated(AuthFailure::MissingSignature).reply();
    let run = drive(
        Store::new(ingested(&[], refused.clone()), b"", &config("queue").sinks),
        &mut queue,
        &mut SimKv::default(),
    );
    assert_eq!(run.finished.reply, refused);
    assert_eq!(queue.calls, 0);
}

// The consumer.

fn http_config(max_attempts: &str) -> Config {
    let config = Config::from_vars(
        &[
            ("ALLOW_UNSIGNED", "true"),
            ("FORWARD", "http"),
            ("FORWARD_URL", "https://backend.example/hooks?token=abc"),
            ("FORWARD_SECRET", "whsec_c2VjcmV0LW9uZQ=="),
            ("FORWARD_MAX_ATTEMPTS", max_attempts),
        ],
        Bindings::ALL,
    );
    assert!(config.is_valid(), "{:?}", config.errors);
    config
}

const EVENT: &str = r#"{"id":"0123456789abcdef0123456789abcdef","data":{"x":1}}"#;
const NOW: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

/// Runs one message through the job: each POST answered by `answer`, the dead-letter queue
/// accepting. Returns how it settled, what was dead-lettered, and the log line.
fn consume(
    config: &Config,
    attempt: u32,
    answer: AttemptResult,
) -> (Settle, Option<Value>, Value, usize) {
    let http = config.http.as_ref().unwrap();
    let mut job = MessageJob::new(http.clone(), EVENT.to_string(), "queue-msg-1", attempt, NOW);
    let (mut settle, mut letter, mut posts) = (None, None, 0);
    loop {
        match job.step(NOW) {
            MessageStep::Post(post) => {
                posts += 1;
                assert_eq!(post.url, "https://backend.example/hooks?token=abc");
                assert_eq!(post.body, EVENT);
                let header = |name: &str| {
                    post.headers
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| v.clone())
                };
                assert_eq!(
                    header("webhook-id").as_deref(),
                    Some("0123456789abcdef0123456789abcdef")
                );
                assert_eq!(header("webhook-timestamp").as_deref(), Some("1700000000"));
                assert!(header("webhook-signature").unwrap().starts_with("v1,"));
                job.posted(
                    answer.clone(),
                    Timestamp::from_unix_millis(NOW.unix_millis() + 42),
                    0.5,
                );
            }
            MessageStep::DeadLetter(json) => {
                letter = Some(serde_json::from_str(json).unwrap());
                job.dead_lettered(Ok(()));
            }
            MessageStep::Requeue(_) => panic!("an event is never requeued"),
            MessageStep::Settle(how) => {
                settle = Some(how);
                job.settled(Ok(()));
            }
            MessageStep::Done => break,
        }
    }
    let log: Value = serde_json::from_str(&job.log_line()).unwrap();
    (settle.unwrap(), letter, log, posts)
}

#[test]
fn a_2xx_acknowledges() {
    let ok = AttemptResult::Status {
        code: 204,
        retry_after: None,
    };
    let (settle, letter, log, posts) = consume(&http_config("8"), 1, ok);
    assert_eq!((settle, letter, posts), (Settle::Ack, None, 1));
    assert_eq!(log["outcome"], "delivered");
    assert_eq!(log["latency_ms"], 42);
    let text = log.to_string();
    assert!(
        !text.contains("token=abc") && !text.contains("\"x\""),
        "{text}"
    );
}

#[test]
fn a_429_with_retry_after_is_retried_when_the_backend_asked() {
    let limited = AttemptResult::Status {
        code: 429,
        retry_after: Some("120".into()),
    };
    let (settle, letter, log, _) = consume(&http_config("8"), 3, limited);
    assert_eq!(settle, Settle::Retry { delay_secs: 120 });
    assert_eq!(letter, None);
    assert_eq!(
        (log["outcome"].as_str(), log["attempt"].as_u64()),
        (Some("retry"), Some(3))
    );
    assert_eq!(log["retry_in_secs"], 120);
}

#[test]
fn a_5xx_until_attempts_run_out_is_dead_lettered_with_the_failure() {
    let failing = AttemptResult::Status {
        code: 503,
        retry_after: None,
    };
    // Before the last attempt: retried with backoff.
    let (settle, letter, _, _) = consume(&http_config("4"), 3, failing.clone());
    assert!(matches!(settle, Settle::Retry { delay_secs } if delay_secs > 0));
    assert_eq!(letter, None);
    // The last attempt: dead-lettered, then acknowledged.
    let (settle, letter, log, _) = consume(&http_config("4"), 4, failing);
    assert_eq!(settle, Settle::Ack);
    let letter = letter.unwrap();
    assert_eq!(
        letter["event"],
        serde_json::from_str::<Value>(EVENT).unwrap()
    );
    assert_eq!(letter["delivery"]["reason"], "retries_exhausted");
    assert_eq!(letter["delivery"]["attempts"], 4);
    assert_eq!(letter["delivery"]["last_status"], 503);
    assert_eq!(letter["delivery"]["last_error"], "http_503");
    assert_eq!(log["outcome"], "retries_exhausted");
}

#[test]
fn a_permanent_4xx_is_dead_lettered_at_once() {
    let refused = AttemptResult::Status {
        code: 422,
        retry_after: None,
    };
    let (settle, letter, log, posts) = consume(&http_config("8"), 1, refused);
    assert_eq!((settle, posts), (Settle::Ack, 1));
    assert_eq!(letter.unwrap()["delivery"]["reason"], "permanent_failure");
    assert_eq!(log["outcome"], "permanent_failure");
}

#[test]
fn a_refused_dead_letter_keeps_the_message_for_later() {
    let config = http_config("1");
    let http = config.http.as_ref().unwrap();
    let mut job = MessageJob::new(http.clone(), EVENT.to_string(), "m", 1, NOW);
    assert!(matches!(job.step(NOW), MessageStep::Post(_)));
    job.posted(AttemptResult::Timeout, NOW, 0.0);
    assert!(matches!(job.step(NOW), MessageStep::DeadLetter(_)));
    job.dead_lettered(Err("dead-letter queue refused".into()));
    assert_eq!(
        job.step(NOW),
        MessageStep::Settle(Settle::Retry {
            delay_secs: MISCONFIGURED_RETRY_SECS
        })
    );
    assert_eq!(job.log().outcome, "dead_letter_failed");
    assert_eq!(job.step(NOW), MessageStep::Done);
}

#[test]
fn a_consumer_without_usable_delivery_settings_retries_everything() {
    let config = Config::from_vars(&[("ALLOW_UNSIGNED", "true")], Bindings::ALL);
    let (settle, line) = config.delivery(7).unwrap_err();
    assert_eq!(
        settle,
        Settle::Retry {
            delay_secs: MISCONFIGURED_RETRY_SECS
        }
    );
    let log: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (log["outcome"].as_str(), log["messages"].as_u64()),
        (Some("config_invalid"), Some(7))
    );
}

#[test]
fn queue_attempt_counts_are_positive_whole_numbers() {
    use sms_relay::delivery::consumer::attempt_number;
    assert_eq!(attempt_number(3.0), 3);
    for odd in [0.0, -1.0, f64::NAN, 1e20] {
        assert_eq!(attempt_number(odd), 1, "{odd}");
    }
}

/// A dead letter of EVENT that failed at `failed_at`, as the relay writes them.
fn letter_failed_at(failed_at: &str) -> String {
    format!(
        r#"{{"event":{EVENT},"delivery":{{"reason":"permanent_failure","attempts":1,"last_status":400,"last_error":"http_400","failed_at":"{failed_at}"}}}}"#
    )
}

/// Runs a dead letter through a consumer job: the events queue answers `requeue`.
fn replay(
    config: &Config,
    letter: &str,
    requeue: Result<(), String>,
) -> (Vec<String>, Settle, Value) {
    let http = config.http.as_ref().unwrap();
    let mut job = MessageJob::new(http.clone(), letter.to_string(), "dlq-msg-1", 1, NOW);
    let (mut requeued, mut settle) = (Vec::new(), None);
    loop {
        match job.step(NOW) {
            MessageStep::Requeue(event) => {
                requeued.push(event.to_string());
                job.requeued(requeue.clone());
            }
            MessageStep::Settle(how) => {
                settle = Some(how);
                job.settled(Ok(()));
            }
            MessageStep::Done => break,
            other => panic!("a dead letter is never posted or dead-lettered again: {other:?}"),
        }
    }
    (
        requeued,
        settle.unwrap(),
        serde_json::from_str(&job.log_line()).unwrap(),
    )
}

#[test]
fn dead_letters_that_failed_before_the_cutoff_are_replayed_unchanged_the_rest_held() {
    let mut vars = vec![
        ("ALLOW_UNSIGNED", "true"),
        ("FORWARD", "http"),
        ("FORWARD_URL", "https://backend.example/hooks"),
        ("FORWARD_SECRET", "whsec_c2VjcmV0LW9uZQ=="),
        ("REPLAY_DEAD_LETTERS_BEFORE", "2026-11-26T10:00:00Z"),
    ];
    let config = Config::from_vars(&vars, Bindings::ALL);
    assert!(config.is_valid(), "{:?}", config.errors);

    // Failed before the fix: the very event goes back to the events queue, then the letter is acked.
    let (requeued, settle, log) = replay(
        &config,
        &letter_failed_at("2026-11-26T09:59:59.999Z"),
        Ok(()),
    );
    assert_eq!(requeued, [EVENT], "same bytes, same id");
    assert_eq!(settle, Settle::Ack);
    assert_eq!(
        (log["delivery"].as_str(), log["outcome"].as_str()),
        (Some("replay"), Some("replayed"))
    );
    assert_eq!(log["event_id"], "0123456789abcdef0123456789abcdef");

    // Failed after it (the fix did not help, or it failed again after a replay): held, not looped.
    let (requeued, settle, log) = replay(
        &config,
        &letter_failed_at("2026-11-26T10:00:00.000Z"),
        Ok(()),
    );
    assert!(requeued.is_empty());
    assert_eq!(
        settle,
        Settle::Retry {
            delay_secs: sms_relay::delivery::replay::HOLD_SECS
        }
    );
    assert_eq!(log["outcome"], "held");

    // The events queue refusing: the letter is kept and retried, never acknowledged.
    let (_, settle, log) = replay(
        &config,
        &letter_failed_at("2026-11-26T09:00:00.000Z"),
        Err("queue down".into()),
    );
    assert!(matches!(settle, Settle::Retry { .. }));
    assert_eq!(log["outcome"], "requeue_failed");

    // Without the setting every letter is held; a malformed setting is a configuration error.
    vars.pop();
    let unset = Config::from_vars(&vars, Bindings::ALL);
    let (requeued, _, log) = replay(
        &unset,
        &letter_failed_at("2020-01-01T00:00:00.000Z"),
        Ok(()),
    );
    assert!(requeued.is_empty());
    assert_eq!(log["outcome"], "held");
    vars.push(("REPLAY_DEAD_LETTERS_BEFORE", "yesterday"));
    let bad = Config::from_vars(&vars, Bindings::ALL);
    assert_eq!(bad.errors.len(), 1);
    assert_eq!(bad.errors[0].setting, "REPLAY_DEAD_LETTERS_BEFORE");
}
