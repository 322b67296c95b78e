//! The cron side of [`Relay`]: [`DrainJob`] wraps the core's [`crate::sinks::spill::Drain`] for
//! `worker.js`'s `scheduled` handler. Each `step()` answers a [`DrainStep`] naming what to do;
//! its data is read with the getters.

use super::{bulk_read, listed_keys, put_results, KvPuts, Relay};
use crate::sinks::spill::{self, Drain};
use wasm_bindgen::prelude::wasm_bindgen;

/// What `worker.js` does next for a [`DrainJob`]: `step()` answers one, and its data is read
/// with the getters named here. `worker.js` imports this enum from the wasm-bindgen glue and
/// throws on any other value.
#[wasm_bindgen]
pub enum DrainStep {
    /// `list({prefix: text(), limit})` the spill bucket, then `listed()` with
    /// the objects' keys as a JSON array.
    ListR2,
    /// `get(text())` the spill bucket, then `got()` with the object's text.
    GetR2,
    /// `sendBatch(JSON.parse(text()))` the events queue, then `sent()`.
    SendBatch,
    /// `get(JSON.parse(text()))` KV (a bulk read), then `read()`.
    GetKv,
    /// `put` each of `putCount` KV entries, then `written()`.
    PutKv,
    /// `put(key, text())` the spill bucket (`key` the getter), then `putDone()`.
    PutR2,
    /// `delete(text())` the spill bucket, then `deleted()`.
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

    /// The bulk KV read settled: one byte per key, 1 when it holds a value; or the failure.
    pub fn read(&mut self, found: Option<Vec<u8>>, error: Option<String>) {
        self.inner.kv_read(bulk_read(found, error));
    }

    /// The spill bucket's `put` settled.
    #[wasm_bindgen(js_name = putDone)]
    pub fn put_done(&mut self, error: Option<String>) {
        self.inner.put(error.map_or(Ok(()), Err));
    }

    /// The listing: the objects' keys as a JSON array, or why it failed.
    pub fn listed(&mut self, keys: Option<String>, error: Option<String>) {
        self.inner.listed(listed_keys(keys, error));
    }

    /// The object: its text, `missing` when it is gone, or why the get failed.
    pub fn got(&mut self, body: Option<String>, missing: bool, error: Option<String>) {
        let result = match (body, missing, error) {
            (_, _, Some(error)) => Err(error),
            (_, true, None) => Ok(None),
            (body, false, None) => Ok(Some(body.unwrap_or_default())),
        };
        self.inner.got(result);
    }

    pub fn sent(&mut self, error: Option<String>) {
        self.inner.sent(error.map_or(Ok(()), Err));
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

    /// The puts settled: `undefined` for success or the rejection's message, in order.
    pub fn written(&mut self, errors: Vec<wasm_bindgen::JsValue>) {
        self.inner.kv_written(put_results(&errors));
    }

    pub fn deleted(&mut self, error: Option<String>) {
        self.inner.deleted(error.map_or(Ok(()), Err));
    }

    /// The tick's log line.
    pub fn log(&self) -> String {
        self.inner.log_line()
    }
}
