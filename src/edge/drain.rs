//! The cron side of [`Relay`]: [`DrainJob`] wraps the core's [`crate::sinks::spill::Drain`] for
//! `worker.js`'s `scheduled` handler. Each `step()` answers a [`DrainStep`] naming what to do;
//! its data is read with the getters, and its outcome reported with the matching method, one
//! for success and one for failure.

use super::{found_keys, listed_keys, KvPuts, Relay};
use crate::sinks::spill::{self, Drain};
use wasm_bindgen::prelude::wasm_bindgen;

/// What `worker.js` does next for a [`DrainJob`]: `step()` answers one, and its data is read
/// with the getters named here. `worker.js` imports this enum from the wasm-bindgen glue and
/// throws on any other value.
#[wasm_bindgen]
pub enum DrainStep {
    /// `list({prefix: text(), limit})` the spill bucket, then `listed()` with the objects'
    /// keys as a JSON array, or `listFailed(why)`.
    ListR2,
    /// `get(text())` the spill bucket, then `got()` with the object's text, `gone()` when
    /// there is no such object, or `getFailed(why)`.
    GetR2,
    /// `sendBatch(JSON.parse(text()))` the events queue, then `sent()` or `sendFailed(why)`.
    SendBatch,
    /// `get(JSON.parse(text()))` KV (a bulk read), then `read()` with a byte per key, 1 when
    /// it holds a value; or `readFailed(why)`.
    GetKv,
    /// `put` each of `putCount` KV entries concurrently; then, in order, `putDone()` or
    /// `putFailed(why)` for each, and `written()`.
    PutKv,
    /// `put(key, text())` the spill bucket (`key` the getter), then `stored()` or
    /// `storeFailed(why)`.
    PutR2,
    /// `delete(text())` the spill bucket, then `deleted()` or `deleteFailed(why)`.
    DeleteR2,
    /// Log `log()`; the tick is done.
    Finish,
}

#[wasm_bindgen]
impl Relay {
    /// One cron tick's drain of the spill bucket.
    pub fn drain(&self) -> DrainJob {
        DrainJob {
            inner: Drain::new(self.config.sinks.spill, &self.config.sinks.enabled),
            text: String::new(),
            key: String::new(),
            limit: 0,
            puts: KvPuts::default(),
        }
    }
}

#[wasm_bindgen]
pub struct DrainJob {
    inner: Drain,
    text: String,
    key: String,
    limit: usize,
    puts: KvPuts,
}

#[wasm_bindgen]
impl DrainJob {
    /// What to do next.
    pub fn step(&mut self) -> DrainStep {
        match self.inner.step() {
            spill::DrainStep::List { prefix, limit } => {
                self.text = prefix.to_string();
                self.limit = limit;
                DrainStep::ListR2
            }
            spill::DrainStep::Get { key } => {
                self.text = key.to_string();
                DrainStep::GetR2
            }
            spill::DrainStep::SendBatch(json) => {
                self.text = json.to_string();
                DrainStep::SendBatch
            }
            spill::DrainStep::PutKv(puts) => {
                self.puts = KvPuts::of(&puts);
                DrainStep::PutKv
            }
            spill::DrainStep::Delete { key } => {
                self.text = key.to_string();
                DrainStep::DeleteR2
            }
            spill::DrainStep::GetKv(keys) => {
                self.text = serde_json::to_string(&keys).unwrap_or_default();
                DrainStep::GetKv
            }
            spill::DrainStep::Put { key, body } => {
                self.key = key.to_string();
                self.text = body.to_string();
                DrainStep::PutR2
            }
            spill::DrainStep::Finish => DrainStep::Finish,
        }
    }

    /// The current step's text, handed over once.
    pub fn text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    #[wasm_bindgen(getter)]
    pub fn limit(&self) -> f64 {
        self.limit as f64
    }

    /// The key of a `PutR2` step, handed over once.
    #[wasm_bindgen(getter)]
    pub fn key(&mut self) -> String {
        std::mem::take(&mut self.key)
    }

    /// The bulk KV read resolved: a byte per key, in order, 1 when it holds a value.
    pub fn read(&mut self, found: &[u8]) {
        self.inner.kv_read(Ok(found_keys(found)));
    }

    /// The bulk KV read failed: `why` is the message.
    #[wasm_bindgen(js_name = readFailed)]
    pub fn read_failed(&mut self, why: String) {
        self.inner.kv_read(Err(why));
    }

    /// The spill bucket's `put` resolved.
    pub fn stored(&mut self) {
        self.inner.put(Ok(()));
    }

    /// The spill bucket's `put` was rejected: `why` is the message.
    #[wasm_bindgen(js_name = storeFailed)]
    pub fn store_failed(&mut self, why: String) {
        self.inner.put(Err(why));
    }

    /// The listing resolved: the objects' keys as a JSON array.
    pub fn listed(&mut self, keys: &str) {
        self.inner.listed(listed_keys(keys));
    }

    /// The listing failed: `why` is the message.
    #[wasm_bindgen(js_name = listFailed)]
    pub fn list_failed(&mut self, why: String) {
        self.inner.listed(Err(why));
    }

    /// The object's text.
    pub fn got(&mut self, body: String) {
        self.inner.got(Ok(Some(body)));
    }

    /// There is no such object.
    pub fn gone(&mut self) {
        self.inner.got(Ok(None));
    }

    /// The `get` failed: `why` is the message.
    #[wasm_bindgen(js_name = getFailed)]
    pub fn get_failed(&mut self, why: String) {
        self.inner.got(Err(why));
    }

    /// `sendBatch` resolved.
    pub fn sent(&mut self) {
        self.inner.sent(Ok(()));
    }

    /// `sendBatch` was rejected: `why` is the message.
    #[wasm_bindgen(js_name = sendFailed)]
    pub fn send_failed(&mut self, why: String) {
        self.inner.sent(Err(why));
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

    /// The object's `delete` resolved.
    pub fn deleted(&mut self) {
        self.inner.deleted(Ok(()));
    }

    /// The object's `delete` was rejected: `why` is the message.
    #[wasm_bindgen(js_name = deleteFailed)]
    pub fn delete_failed(&mut self, why: String) {
        self.inner.deleted(Err(why));
    }

    /// The tick's log line.
    pub fn log(&self) -> String {
        self.inner.log_line()
    }
}
