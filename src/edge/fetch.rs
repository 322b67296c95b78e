//! The fetch side of [`Relay`]: [`Exchange`] wraps the core's
//! [`crate::relay::Exchange`] for `worker.js`. Each `step()` answers a [`FetchStep`] naming
//! what to do; the data of that step is then read with the matching getter, and its outcome
//! reported with the matching method, one for success and one for failure.

use super::{found_keys, instant, listed_keys, KvPuts, Relay};
use crate::config::Config;
use crate::http::Reply;
use crate::providers::registry::Verification;
use crate::relay;
use crate::sinks::Step;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;

/// What `worker.js` does next for an [`Exchange`]: `step()` answers one, and the data of that
/// step is then read with the getters named here. `worker.js` imports this enum from the
/// wasm-bindgen glue (a frozen object of the names below) and throws on any other value.
#[wasm_bindgen]
pub enum FetchStep {
    /// Call the queue's `sendBatch` with `JSON.parse(text())`, then `sent()` or
    /// `sendFailed(why)`.
    SendBatch,
    /// `put` each of `putCount` KV entries (`putKey(i)`, `putValue(i)`,
    /// `JSON.parse(putOptions(i))`, each handed over once) concurrently; then, in order,
    /// `putDone()` or `putFailed(why)` for each, and `written()`.
    PutKv,
    /// Sleep `waitMs`, then step again.
    Wait,
    /// `list({prefix: text(), cursor})` the KV namespace (`cursor` only when defined), then
    /// `listed()` with the whole list result as JSON, or `listFailed(why)`.
    ListKv,
    /// `get(JSON.parse(text()))` KV (a bulk read of at most 100 keys), then `read()` with a
    /// byte per key, in order, 1 when it holds a value; or `readFailed(why)`.
    GetKv,
    /// `put(key, text())` the spill bucket, then `spilled()` or `spillFailed(why)`.
    PutR2,
    /// `list({prefix: text(), limit: listLimit})` the spill bucket, then `r2Listed()` with the
    /// objects' keys as a JSON array, or `r2ListFailed(why)`.
    ListR2,
    /// Verify an Ed25519 signature with WebCrypto under each raw public key in turn
    /// (`verifyInput()`: the key count, the keys, the signature, the message); then `verified(i)`
    /// with the first that verifies, `notVerified()` when none does, or `verifyFailed(why)` when
    /// the runtime throws. Only then does the provider read the body.
    VerifyEd25519,
    /// Respond with `status`, `JSON.parse(headers())` and `text()` (no body when empty), and
    /// log `log(now)` unless it is `undefined`. The exchange is over.
    Finish,
}

#[wasm_bindgen]
impl Relay {
    /// A request's exchange, from its head: `headers` is one `name:value` per line.
    pub fn exchange(&self, method: &str, url: &str, headers: &str, now: f64) -> Exchange {
        Exchange {
            inner: relay::Exchange::new(&self.config, method, url, headers, instant(now)),
            config: Rc::clone(&self.config),
            text: String::new(),
            puts: KvPuts::default(),
            key: String::new(),
            limit: 0,
            cursor: None,
            wait_ms: 0,
            reply: None,
        }
    }
}

/// One request in flight.
#[wasm_bindgen]
pub struct Exchange {
    inner: relay::Exchange,
    config: Rc<Config>,
    text: String,
    puts: KvPuts,
    /// The R2 key of a `PutR2` step, and how many keys a `ListR2` step lists.
    key: String,
    limit: usize,
    cursor: Option<String>,
    wait_ms: u64,
    reply: Option<Reply>,
}

#[wasm_bindgen]
impl Exchange {
    /// Whether to read (more of) the body and pass it to `chunk()`.
    #[wasm_bindgen(getter, js_name = wantsBody)]
    pub fn wants_body(&self) -> bool {
        self.inner.wants_body()
    }

    /// The next piece of the body; `false` once no more is wanted.
    pub fn chunk(&mut self, bytes: &[u8]) -> bool {
        self.inner.body_chunk(bytes)
    }

    /// The body could not be read to its end.
    pub fn failed(&mut self) {
        self.inner.body_failed();
    }

    /// The body is complete (a no-op when none was wanted).
    pub fn end(&mut self, now: f64) {
        self.inner.body_end(&self.config, instant(now));
    }

    /// What to do next.
    pub fn step(&mut self) -> FetchStep {
        if self.inner.verification().is_some() {
            return FetchStep::VerifyEd25519;
        }
        match self.inner.step() {
            Step::SendBatch(json) => {
                self.text = json;
                FetchStep::SendBatch
            }
            Step::PutKv(puts) => {
                self.puts = KvPuts::of(&puts);
                FetchStep::PutKv
            }
            Step::Wait { millis } => {
                self.wait_ms = millis;
                FetchStep::Wait
            }
            Step::ListKv { prefix, cursor } => {
                self.text = prefix.to_string();
                self.cursor = cursor.map(str::to_string);
                FetchStep::ListKv
            }
            Step::GetKv(keys) => {
                self.text = serde_json::to_string(&keys).unwrap_or_default();
                FetchStep::GetKv
            }
            Step::PutR2 { key, body } => {
                self.key = key.to_string();
                self.text = body.to_string();
                FetchStep::PutR2
            }
            Step::ListR2 { prefix, limit } => {
                self.text = prefix.to_string();
                self.limit = limit;
                FetchStep::ListR2
            }
            Step::Finish(mut finished) => {
                self.text = std::mem::take(&mut finished.reply.body);
                self.reply = Some(finished.reply);
                FetchStep::Finish
            }
        }
    }

    /// What a `VerifyEd25519` step verifies, in one buffer: the number of keys `n` (one byte),
    /// the `n` raw 32-byte public keys, the 64-byte signature, then the signed message.
    #[wasm_bindgen(js_name = verifyInput)]
    pub fn verify_input(&self) -> Vec<u8> {
        let Some(check) = self.inner.verification() else {
            return Vec::new();
        };
        let mut input = Vec::with_capacity(1 + 32 * check.keys.len() + 64 + check.message.len());
        input.push(u8::try_from(check.keys.len()).unwrap_or(0));
        for key in &check.keys {
            input.extend_from_slice(key);
        }
        input.extend_from_slice(&check.signature);
        input.extend_from_slice(&check.message);
        input
    }

    /// The signature verifies under the public key at `index`.
    pub fn verified(&mut self, index: usize) {
        self.inner
            .verified(&self.config, Verification::Verified(index));
    }

    /// The signature verifies under none of the keys.
    #[wasm_bindgen(js_name = notVerified)]
    pub fn not_verified(&mut self) {
        self.inner.verified(&self.config, Verification::NotVerified);
    }

    /// The runtime could not verify (WebCrypto threw `why`): refused as not verified, with
    /// its own code in the log line.
    #[wasm_bindgen(js_name = verifyFailed)]
    pub fn verify_failed(&mut self, why: String) {
        let _ = why;
        self.inner.verified(&self.config, Verification::Failed);
    }

    /// The current step's text (the `sendBatch` argument, or the answer's body), handed over
    /// once.
    pub fn text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// `sendBatch` resolved.
    pub fn sent(&mut self) {
        self.inner.queue_sent(Ok(()));
    }

    /// `sendBatch` was rejected: `why` is the rejection's message.
    #[wasm_bindgen(js_name = sendFailed)]
    pub fn send_failed(&mut self, why: String) {
        self.inner.queue_sent(Err(why));
    }

    /// The KV `list` resolved: `result` is what it resolved to, as JSON.
    pub fn listed(&mut self, result: String) {
        self.inner.kv_listed(Ok(result));
    }

    /// The KV `list` failed: `why` is the message.
    #[wasm_bindgen(js_name = listFailed)]
    pub fn list_failed(&mut self, why: String) {
        self.inner.kv_listed(Err(why));
    }

    /// The spill object's `put` resolved.
    pub fn spilled(&mut self) {
        self.inner.spilled(Ok(()));
    }

    /// The spill object's `put` was rejected: `why` is the message.
    #[wasm_bindgen(js_name = spillFailed)]
    pub fn spill_failed(&mut self, why: String) {
        self.inner.spilled(Err(why));
    }

    /// How many keys a `ListR2` step lists.
    #[wasm_bindgen(getter, js_name = listLimit)]
    pub fn list_limit(&self) -> f64 {
        self.limit as f64
    }

    /// The key of a `PutR2` step, handed over once.
    #[wasm_bindgen(getter)]
    pub fn key(&mut self) -> String {
        std::mem::take(&mut self.key)
    }

    /// The spill bucket's `list` resolved: its objects' keys as a JSON array.
    #[wasm_bindgen(js_name = r2Listed)]
    pub fn r2_listed(&mut self, keys: &str) {
        self.inner.r2_listed(&self.config, listed_keys(keys));
    }

    /// The spill bucket's `list` failed: `why` is the message.
    #[wasm_bindgen(js_name = r2ListFailed)]
    pub fn r2_list_failed(&mut self, why: String) {
        self.inner.r2_listed(&self.config, Err(why));
    }

    /// Where the `list` of a `ListKv` step starts, or `undefined` for the first page.
    #[wasm_bindgen(getter)]
    pub fn cursor(&mut self) -> Option<String> {
        self.cursor.take()
    }

    /// The bulk `get` resolved: `found` has a byte per key, in order, 1 when the key holds a
    /// value.
    pub fn read(&mut self, found: &[u8]) {
        self.inner.kv_read(Ok(found_keys(found)));
    }

    /// The bulk `get` failed: `why` is the message.
    #[wasm_bindgen(js_name = readFailed)]
    pub fn read_failed(&mut self, why: String) {
        self.inner.kv_read(Err(why));
    }

    #[wasm_bindgen(getter, js_name = putCount)]
    pub fn put_count(&self) -> usize {
        self.puts.count()
    }

    #[wasm_bindgen(js_name = putKey)]
    pub fn put_key(&mut self, index: usize) -> String {
        self.puts.key(index)
    }

    #[wasm_bindgen(js_name = putValue)]
    pub fn put_value(&mut self, index: usize) -> String {
        self.puts.value(index)
    }

    #[wasm_bindgen(js_name = putOptions)]
    pub fn put_options(&mut self, index: usize) -> String {
        self.puts.options(index)
    }

    /// The next `put`, in order, resolved.
    #[wasm_bindgen(js_name = putDone)]
    pub fn put_done(&mut self) {
        self.puts.done();
    }

    /// The next `put`, in order, was rejected: `why` is the message.
    #[wasm_bindgen(js_name = putFailed)]
    pub fn put_failed(&mut self, why: String) {
        self.puts.failed(why);
    }

    /// Every `put` settled and was reported with `putDone()` or `putFailed()`.
    pub fn written(&mut self) {
        self.inner.kv_written(self.puts.outcomes());
    }

    #[wasm_bindgen(getter, js_name = waitMs)]
    pub fn wait_ms(&self) -> f64 {
        self.wait_ms as f64
    }

    /// The answer's status.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.reply.as_ref().map_or(500, |reply| reply.status)
    }

    /// The answer's headers as a JSON array of `[name, value]` pairs.
    pub fn headers(&self) -> String {
        let headers = self.reply.as_ref().map(|reply| &reply.headers);
        serde_json::to_string(&headers.cloned().unwrap_or_default()).unwrap_or_default()
    }

    /// The request's log line, or `undefined` when it is not logged.
    pub fn log(&self, now: f64) -> Option<String> {
        self.inner.log(&self.config, instant(now))
    }
}
