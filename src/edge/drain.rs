//! The cron side of [`Relay`]: [`DrainJob`] wraps the core's [`crate::sinks::spill::Drain`] for
//! `worker.js`'s `scheduled` handler. Each `step()` answers a number naming what to do; its
//! data is read with the getters.

use super::{bulk_read, listed_keys, put_results, KvPuts, Relay};
use crate::sinks::spill::{Drain, DrainStep};
use wasm_bindgen::prelude::wasm_bindgen;

/// `step()` answers: `sendBatch(JSON.parse(text()))` the events queue, then `sent()`.
const SEND_BATCH: u8 = 1;
/// `step()` answers: `put` each of `putCount` KV entries, then `written()`.
const PUT_KV: u8 = 2;
/// `step()` answers: log `log()`; the tick is done.
const FINISH: u8 = 4;
/// `step()` answers: `list({prefix: text(), limit})` the spill bucket, then `listed()` with
/// the objects' keys as a JSON array.
const LIST_R2: u8 = 8;
/// `step()` answers: `get(text())` the spill bucket, then `got()` with the object's text.
const GET_R2: u8 = 9;
/// `step()` answers: `delete(text())` the spill bucket, then `deleted()`.
const DELETE_R2: u8 = 10;
/// `step()` answers: `get(JSON.parse(text()))` KV (a bulk read), then `read()`.
const GET_KV: u8 = 6;
/// `step()` answers: `put(key, text())` the spill bucket (`key` the getter), then `put()`.
const PUT_R2: u8 = 7;

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
    pub fn step(&mut self) -> u8 {
        match self.inner.step() {
            DrainStep::List { prefix, limit } => {
                self.text = prefix.to_string();
                self.limit = limit;
                LIST_R2
            }
            DrainStep::Get { key } => {
                self.text = key.to_string();
                GET_R2
            }
            DrainStep::SendBatch(json) => {
                self.text = json.to_string();
                SEND_BATCH
            }
            DrainStep::PutKv(puts) => {
                self.puts = KvPuts::of(&puts);
                PUT_KV
            }
            DrainStep::Delete { key } => {
                self.text = key.to_string();
                DELETE_R2
            }
            DrainStep::GetKv(keys) => {
                self.text = serde_json::to_string(&keys).unwrap_or_default();
                GET_KV
            }
            DrainStep::Put { key, body } => {
                self.key = key.to_string();
                self.text = body.to_string();
                PUT_R2
            }
            DrainStep::Finish => FINISH,
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

    /// The key of a `PUT_R2` step, handed over once.
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
