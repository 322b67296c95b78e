//! The cron side of [`Relay`]: [`DrainJob`] wraps the core's [`crate::sinks::spill::Drain`] for
//! `worker.js`'s `scheduled` handler. Each `step()` answers a number naming what to do; its
//! data is read with the getters.

use super::Relay;
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
            puts: Vec::new(),
        }
    }
}

#[wasm_bindgen]
pub struct DrainJob {
    inner: Drain,
    text: String,
    key: String,
    limit: usize,
    puts: Vec<(String, String, String)>,
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
                self.puts = puts
                    .iter()
                    .map(|put| {
                        (
                            put.key.to_string(),
                            put.value.to_string(),
                            put.options.to_string(),
                        )
                    })
                    .collect();
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
        let result = match (found, error) {
            (Some(found), None) => Ok(found.into_iter().map(|byte| byte != 0).collect()),
            (_, error) => Err(error.unwrap_or_default()),
        };
        self.inner.kv_read(result);
    }

    /// The spill bucket's `put` settled.
    #[wasm_bindgen(js_name = putDone)]
    pub fn put_done(&mut self, error: Option<String>) {
        self.inner.put(error.map_or(Ok(()), Err));
    }

    /// The listing: the objects' keys as a JSON array, or why it failed.
    pub fn listed(&mut self, keys: Option<String>, error: Option<String>) {
        let result = match (keys, error) {
            (Some(keys), None) => serde_json::from_str(&keys).map_err(|e| e.to_string()),
            (_, error) => Err(error.unwrap_or_default()),
        };
        self.inner.listed(result);
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
        self.puts.len()
    }

    #[wasm_bindgen(js_name = putKey)]
    pub fn put_key(&mut self, index: usize) -> String {
        self.puts
            .get_mut(index)
            .map(|put| std::mem::take(&mut put.0))
            .unwrap_or_default()
    }

    #[wasm_bindgen(js_name = putValue)]
    pub fn put_value(&mut self, index: usize) -> String {
        self.puts
            .get_mut(index)
            .map(|put| std::mem::take(&mut put.1))
            .unwrap_or_default()
    }

    #[wasm_bindgen(js_name = putOptions)]
    pub fn put_options(&mut self, index: usize) -> String {
        self.puts
            .get_mut(index)
            .map(|put| std::mem::take(&mut put.2))
            .unwrap_or_default()
    }

    /// The puts settled: `undefined` for success or the rejection's message, in order.
    pub fn written(&mut self, errors: Vec<wasm_bindgen::JsValue>) {
        let results = errors
            .iter()
            .map(|error| error.as_string().map_or(Ok(()), Err))
            .collect();
        self.inner.kv_written(results);
    }

    pub fn deleted(&mut self, error: Option<String>) {
        self.inner.deleted(error.map_or(Ok(()), Err));
    }

    /// The tick's log line.
    pub fn log(&self) -> String {
        self.inner.log_line()
    }
}
