//! The queue side of [`Relay`]: [`Delivery`] wraps the core's
//! [`crate::delivery::consumer::MessageJob`] for `worker.js`, which runs one per message,
//! concurrently, so one bad message never holds back the batch.

use super::{instant, Relay};
use crate::delivery::consumer::{attempt_number, MessageJob, MessageStep, Settle};
use crate::delivery::AttemptResult;
use crate::log::bounded;
use wasm_bindgen::prelude::wasm_bindgen;

/// What `worker.js` does next for a [`Delivery`]: `step()` answers one, and its data is read
/// with the getters named here. `worker.js` imports this enum from the wasm-bindgen glue and
/// throws on any other value.
#[wasm_bindgen]
pub enum DeliveryStep {
    /// POST `text()` to `url` with `JSON.parse(headers())`, redirects not followed, aborted
    /// after `timeoutMs`; then `answered()`, `timedOut()` or `unreachable()`.
    Post,
    /// `send(JSON.parse(text()), {contentType: "json"})` to the dead-letter queue, then
    /// `deadLettered()` or `deadLetterFailed(why)`.
    DeadLetter,
    /// `send(JSON.parse(text()), {contentType: "json"})` to the events queue (a dead letter's
    /// event replayed), then `requeued()` or `requeueFailed(why)`.
    Requeue,
    /// `ack()` the message, then `settled()` or `settleFailed(why)`.
    Ack,
    /// `retry({delaySeconds: delaySecs})` the message, then `settled()` or
    /// `settleFailed(why)`.
    Retry,
    /// Log `log()`; the message is done.
    Done,
}

#[wasm_bindgen]
impl Relay {
    /// `undefined` when a batch of `count` messages can be delivered, else the log line for a
    /// batch that cannot (an invalid configuration): every message is then retried after
    /// `refusedRetrySecs`.
    #[wasm_bindgen(js_name = batchRefused)]
    pub fn batch_refused(&self, count: usize) -> Option<String> {
        self.config.delivery(count).err().map(|(_, line)| line)
    }

    /// The delay for [`Relay::batch_refused`] batches.
    #[wasm_bindgen(getter, js_name = refusedRetrySecs)]
    pub fn refused_retry_secs(&self) -> u32 {
        match self.config.delivery(0) {
            Err((Settle::Retry { delay_secs }, _)) => delay_secs,
            _ => 0,
        }
    }

    /// One message's delivery: `body` is the message body as JSON, `id` the queue's id for it,
    /// `attempts` the runtime's count. `undefined` when the batch is refused.
    pub fn delivery(&self, body: String, id: &str, attempts: f64, now: f64) -> Option<Delivery> {
        let http = self.config.delivery(1).ok()?.clone();
        Some(Delivery {
            job: MessageJob::new(http, body, id, attempt_number(attempts), instant(now)),
            text: String::new(),
            url: String::new(),
            headers: String::new(),
            timeout_ms: 0,
            delay_secs: 0,
        })
    }
}

/// One queued message being delivered.
#[wasm_bindgen]
pub struct Delivery {
    job: MessageJob,
    text: String,
    url: String,
    headers: String,
    timeout_ms: u32,
    delay_secs: u32,
}

#[wasm_bindgen]
impl Delivery {
    /// What to do next.
    pub fn step(&mut self, now: f64) -> DeliveryStep {
        match self.job.step(instant(now)) {
            MessageStep::Post(post) => {
                self.url = post.url.to_string();
                self.headers = serde_json::to_string(&post.headers).unwrap_or_default();
                self.text = post.body.to_string();
                self.timeout_ms = post.timeout_ms;
                DeliveryStep::Post
            }
            MessageStep::DeadLetter(letter) => {
                self.text = letter.to_string();
                DeliveryStep::DeadLetter
            }
            MessageStep::Requeue(event) => {
                self.text = event.to_string();
                DeliveryStep::Requeue
            }
            MessageStep::Settle(Settle::Ack) => DeliveryStep::Ack,
            MessageStep::Settle(Settle::Retry { delay_secs }) => {
                self.delay_secs = delay_secs;
                DeliveryStep::Retry
            }
            MessageStep::Done => DeliveryStep::Done,
        }
    }

    /// The current step's text (the POST body or the dead letter), handed over once.
    pub fn text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn headers(&self) -> String {
        self.headers.clone()
    }

    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    #[wasm_bindgen(getter, js_name = delaySecs)]
    pub fn delay_secs(&self) -> u32 {
        self.delay_secs
    }

    /// The backend answered `status` (`retryAfter`: its `Retry-After` header, if any).
    pub fn answered(&mut self, status: u16, retry_after: Option<String>, now: f64, random: f64) {
        let result = AttemptResult::Status {
            code: status,
            retry_after,
        };
        self.job.posted(result, instant(now), random);
    }

    /// No answer within `timeoutMs`.
    #[wasm_bindgen(js_name = timedOut)]
    pub fn timed_out(&mut self, now: f64, random: f64) {
        self.job
            .posted(AttemptResult::Timeout, instant(now), random);
    }

    /// The request failed without an answer (DNS, TLS, refused, reset…).
    pub fn unreachable(&mut self, error: &str, now: f64, random: f64) {
        let result = AttemptResult::NetworkError(bounded(error));
        self.job.posted(result, instant(now), random);
    }

    /// The dead-letter `send` resolved.
    #[wasm_bindgen(js_name = deadLettered)]
    pub fn dead_lettered(&mut self) {
        self.job.dead_lettered(Ok(()));
    }

    /// The dead-letter `send` was rejected: `why` is the message.
    #[wasm_bindgen(js_name = deadLetterFailed)]
    pub fn dead_letter_failed(&mut self, why: String) {
        self.job.dead_lettered(Err(why));
    }

    /// The replayed event's `send` resolved.
    pub fn requeued(&mut self) {
        self.job.requeued(Ok(()));
    }

    /// The replayed event's `send` was rejected: `why` is the message.
    #[wasm_bindgen(js_name = requeueFailed)]
    pub fn requeue_failed(&mut self, why: String) {
        self.job.requeued(Err(why));
    }

    /// `ack()` or `retry()` returned.
    pub fn settled(&mut self) {
        self.job.settled(Ok(()));
    }

    /// `ack()` or `retry()` threw: `why` is the message.
    #[wasm_bindgen(js_name = settleFailed)]
    pub fn settle_failed(&mut self, why: String) {
        self.job.settled(Err(why));
    }

    /// The message's log line.
    pub fn log(&self) -> String {
        self.job.log_line()
    }
}
