//! The queue consumer's per-message flow, as a sans-IO state machine.
//!
//! For each queued event the edge asks [`MessageJob::step`] what to do — POST it, put it on
//! the dead-letter queue, or settle the message (ack, or retry after a delay) — does it, and
//! reports back. The job decides everything: the request and its signature headers, whether an
//! answer means delivered, retry (and when) or give up, and what is logged.

use super::dead_letter::dead_letter_message;
use super::replay;
use super::retry::{decide, AttemptResult, DeadLetterReason, Verdict};
use super::settings::HttpDelivery;
use super::webhook::delivery_headers;
use crate::clock::Timestamp;
use crate::log::bounded;
use crate::settings::ConfigError;
use serde::Serialize;

/// How long to wait before retrying messages the worker cannot deliver because its own
/// configuration is invalid, or the dead-letter queue refused them (the fix is an operator's).
pub const MISCONFIGURED_RETRY_SECS: u32 = 300;

/// The consumer's HTTP delivery settings, or — when the configuration cannot deliver — how to
/// settle every message of the batch and the line to log. Never acknowledge what was not
/// delivered: retried messages reach the dead-letter queue after the consumer's `max_retries`.
pub fn delivery_for<'c>(
    http: Option<&'c HttpDelivery>,
    errors: &[ConfigError],
    messages: usize,
) -> Result<&'c HttpDelivery, (Settle, String)> {
    match http.filter(|_| errors.is_empty()) {
        Some(http) => Ok(http),
        None => {
            #[derive(Serialize)]
            struct Misconfigured<'a> {
                delivery: &'static str,
                outcome: &'static str,
                messages: usize,
                errors: &'a [ConfigError],
            }
            let log = Misconfigured {
                delivery: "http",
                outcome: "config_invalid",
                messages,
                errors,
            };
            let line = serde_json::to_string(&log).unwrap_or_default();
            Err((
                Settle::Retry {
                    delay_secs: MISCONFIGURED_RETRY_SECS,
                },
                line,
            ))
        }
    }
}

/// A message's `attempts` as the runtime reports it (a JS number): a positive whole number;
/// anything else counts as the first attempt.
pub fn attempt_number(attempts: f64) -> u32 {
    if attempts >= 1.0 && attempts <= f64::from(u32::MAX) {
        attempts as u32
    } else {
        1
    }
}

/// How a message leaves the consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    Ack,
    Retry { delay_secs: u32 },
}

/// One delivery attempt for the edge to make.
#[derive(Debug, PartialEq, Eq)]
pub struct Post<'j> {
    pub url: &'j str,
    pub headers: Vec<(&'static str, String)>,
    pub body: &'j str,
    /// Abort the attempt after this long (it then counts as a timeout).
    pub timeout_ms: u32,
}

/// What the edge must do next for one message.
#[derive(Debug, PartialEq, Eq)]
pub enum MessageStep<'j> {
    /// POST without following redirects, then [`MessageJob::posted`].
    Post(Post<'j>),
    /// `send` this JSON object to the dead-letter queue, then [`MessageJob::dead_lettered`].
    DeadLetter(&'j str),
    /// `send` this event (JSON) back to the events queue, then [`MessageJob::requeued`]: a dead
    /// letter being replayed.
    Requeue(&'j str),
    /// Acknowledge or retry the message, then [`MessageJob::settled`]; the job is done.
    Settle(Settle),
    /// Nothing left: log [`MessageJob::log_line`].
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Start,
    Posting {
        started: Timestamp,
    },
    DeadLettering {
        letter: String,
        reason: DeadLetterReason,
    },
    AwaitingDeadLetter {
        reason: DeadLetterReason,
    },
    /// A dead letter to replay: its event goes back to the events queue.
    Replaying,
    AwaitingRequeue,
    Settling(Settle),
    Settled,
}

/// One line per attempt: event id, attempt, status, outcome and latency; never the body,
/// the URL or a secret.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AttemptLog {
    pub delivery: &'static str,
    pub event_id: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_in_secs: Option<u32>,
    pub latency_ms: u64,
}

/// The delivery of one queued event.
#[derive(Debug)]
pub struct MessageJob {
    http: HttpDelivery,
    body: String,
    attempt: u32,
    headers_at: i64,
    state: State,
    log: AttemptLog,
}

impl MessageJob {
    /// `body` is the event JSON as queued, `message_id` the queue's id for the message (the
    /// fallback `webhook-id` should the body hold no event id), `attempt` the queue's 1-based
    /// delivery count, `now` when the consumer picked it up.
    pub fn new(
        http: HttpDelivery,
        body: String,
        message_id: &str,
        attempt: u32,
        now: Timestamp,
    ) -> MessageJob {
        let id = match replay::read(&body) {
            replay::Queued::Event { id } => id,
            replay::Queued::Letter(letter) => {
                return MessageJob::replay(http, letter, message_id, attempt, now)
            }
        };
        MessageJob {
            http,
            body,
            attempt: attempt.max(1),
            headers_at: now.unix_millis().div_euclid(1000),
            state: State::Start,
            log: AttemptLog {
                delivery: "http",
                event_id: id.unwrap_or_else(|| message_id.to_string()),
                attempt: attempt.max(1),
                ..AttemptLog::default()
            },
        }
    }

    /// The job for a dead letter (this worker consumes the dead-letter queue to replay): its
    /// event is sent back for delivery if it failed before REPLAY_DEAD_LETTERS_BEFORE, else held.
    fn replay(
        http: HttpDelivery,
        letter: replay::Letter<'_>,
        message_id: &str,
        attempt: u32,
        now: Timestamp,
    ) -> MessageJob {
        let mut log = AttemptLog {
            delivery: "replay",
            event_id: super::event_id(letter.event).unwrap_or_else(|| message_id.to_string()),
            attempt: attempt.max(1),
            ..AttemptLog::default()
        };
        let state = if replay::replays(&letter, http.replay_before) {
            State::Replaying
        } else {
            log.outcome = "held";
            log.retry_in_secs = Some(replay::HOLD_SECS);
            State::Settling(Settle::Retry {
                delay_secs: replay::HOLD_SECS,
            })
        };
        let event = letter.event.to_string();
        MessageJob {
            http,
            body: event,
            attempt: attempt.max(1),
            headers_at: now.unix_millis().div_euclid(1000),
            state,
            log,
        }
    }

    /// What to do next; `now` times the POST for the log.
    pub fn step(&mut self, now: Timestamp) -> MessageStep<'_> {
        match std::mem::replace(&mut self.state, State::Settled) {
            State::Start => {
                self.state = State::Posting { started: now };
                MessageStep::Post(Post {
                    url: self.http.url.expose(),
                    headers: delivery_headers(
                        &self.http.secrets,
                        &self.log.event_id,
                        self.headers_at,
                        &self.body,
                    ),
                    body: &self.body,
                    timeout_ms: self.http.timeout_ms,
                })
            }
            State::DeadLettering { letter, reason } => {
                self.state = State::AwaitingDeadLetter { reason };
                // Keep the letter until it is reported sent.
                self.body = letter;
                MessageStep::DeadLetter(&self.body)
            }
            State::Replaying => {
                self.state = State::AwaitingRequeue;
                MessageStep::Requeue(&self.body)
            }
            State::Settling(settle) => {
                self.state = State::Settled;
                MessageStep::Settle(settle)
            }
            State::Settled => MessageStep::Done,
            // Waiting for a report: asking again changes nothing.
            waiting @ (State::Posting { .. }
            | State::AwaitingDeadLetter { .. }
            | State::AwaitingRequeue) => {
                self.state = waiting;
                MessageStep::Done
            }
        }
    }

    /// How the POST ended. `random` in `[0, 1)` spreads the retry delay.
    pub fn posted(&mut self, result: AttemptResult, now: Timestamp, random: f64) {
        let State::Posting { started } = self.state else {
            return;
        };
        self.log.latency_ms =
            u64::try_from(now.unix_millis().saturating_sub(started.unix_millis())).unwrap_or(0);
        self.log.status = result.status();
        self.log.error = result.error();
        let verdict = decide(&result, self.attempt, &self.http.policy, now, random);
        self.state = match verdict {
            Verdict::Delivered => {
                self.log.outcome = "delivered";
                State::Settling(Settle::Ack)
            }
            Verdict::RetryIn { seconds } => {
                self.log.outcome = "retry";
                self.log.retry_in_secs = Some(seconds);
                State::Settling(Settle::Retry {
                    delay_secs: seconds,
                })
            }
            Verdict::DeadLetter { reason } => {
                match dead_letter_message(&self.body, reason, self.attempt, &result, now) {
                    Some(letter) => State::DeadLettering { letter, reason },
                    // Not an event the relay wrote: keep it visible rather than drop it.
                    None => self.keep("not_an_event", "the queued body is not JSON".into()),
                }
            }
        };
    }

    /// Whether the dead-letter queue took the letter.
    pub fn dead_lettered(&mut self, result: Result<(), String>) {
        let State::AwaitingDeadLetter { reason } = self.state else {
            return;
        };
        self.state = match result {
            Ok(()) => {
                self.log.outcome = reason.code();
                State::Settling(Settle::Ack)
            }
            // Keep the message: it is retried until the dead-letter queue takes it.
            Err(error) => self.keep("dead_letter_failed", error),
        };
    }

    /// Whether the events queue took the replayed event back. If not, the dead letter is kept
    /// and retried.
    pub fn requeued(&mut self, result: Result<(), String>) {
        if self.state != State::AwaitingRequeue {
            return;
        }
        self.state = match result {
            Ok(()) => {
                self.log.outcome = "replayed";
                State::Settling(Settle::Ack)
            }
            Err(error) => self.keep("requeue_failed", error),
        };
    }

    /// Whether the runtime's `ack`/`retry` call itself failed (logged, nothing else to do).
    pub fn settled(&mut self, result: Result<(), String>) {
        if let Err(error) = result {
            self.log.error = Some(bounded(&format!("ack/retry failed: {error}")));
        }
    }

    /// The attempt's log line (JSON).
    pub fn log_line(&self) -> String {
        serde_json::to_string(&self.log).unwrap_or_default()
    }

    pub fn log(&self) -> &AttemptLog {
        &self.log
    }

    fn keep(&mut self, outcome: &'static str, error: String) -> State {
        self.log.outcome = outcome;
        self.log.error = Some(bounded(&error));
        self.log.retry_in_secs = Some(MISCONFIGURED_RETRY_SECS);
        State::Settling(Settle::Retry {
            delay_secs: MISCONFIGURED_RETRY_SECS,
        })
    }
}
