//! The fetch side of [`Relay`]: [`Exchange`] wraps the core's
//! [`crate::relay::Exchange`] for `worker.js`. Each `step()` answers a [`FetchStep`] naming
//! what to do; the data of that step is then read with the matching getter.

use super::{bulk_read, instant, listed_keys, put_results, KvPuts, Relay};
use crate::config::Config;
use crate::http::Reply;
use crate::relay;
use crate::sinks::Step;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;

/// What `worker.js` does next for an [`Exchange`]: `step()` answers one, and the data of that
/// step is then read with the getters named here. `worker.js` imports this enum from the
/// wasm-bindgen glue (a frozen object of the names below) and throws on any other value.
#[wasm_bindgen]
pub enum FetchStep {
    /// Call the queue's `sendBatch` with `JSON.parse(text())`, then `sent()`.
    SendBatch,
    /// `put` each of `putCount` entries (`putKey(i)`, `putValue(i)`,
    /// `JSON.parse(putOptions(i))`, each handed over once) concurrently, then `written()`.
    PutKv,
    /// Sleep `waitMs`, then step again.
    Wait,
    /// `list({prefix: text(), cursor})` the KV namespace (`cursor` only when
    /// defined), then `listed()` with the whole list result as JSON, or with the failure.
    ListKv,
    /// `get(JSON.parse(text()))` (a bulk read of at most 100 keys), then
    /// `read()` with whether each key holds a value, in order, or with the failure.
    GetKv,
    /// `put(key, text())` the spill bucket, then `spilled()`.
    PutR2,
    /// `list({prefix: text(), limit: listLimit})` the spill bucket, then
    /// `r2Listed()` with the objects' keys as a JSON array, or with the failure.
    ListR2,
    /// Respond with `status`, `JSON.parse(headers())` and `text()` (no body
    /// when empty), and log `log(now)` unless it is `undefined`.
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

    /// The current step's text (the `sendBatch` argument, or the answer's body), handed over
    /// once.
    pub fn text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// `sendBatch` settled: `error` is its rejection's message, if it was rejected.
    pub fn sent(&mut self, error: Option<String>) {
        self.inner.queue_sent(error.map_or(Ok(()), Err));
    }

    /// The KV `list` settled: `result` is what it resolved to, as JSON, or `error` why it
    /// failed.
    pub fn listed(&mut self, result: Option<String>, error: Option<String>) {
        self.inner
            .kv_listed(result.ok_or_else(|| error.unwrap_or_default()));
    }

    /// The spill object's `put` settled: `error` is its rejection's message, if rejected.
    pub fn spilled(&mut self, error: Option<String>) {
        self.inner.spilled(error.map_or(Ok(()), Err));
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

    /// The spill bucket's `list` settled: its objects' keys as a JSON array, or the failure.
    #[wasm_bindgen(js_name = r2Listed)]
    pub fn r2_listed(&mut self, keys: Option<String>, error: Option<String>) {
        self.inner.r2_listed(&self.config, listed_keys(keys, error));
    }

    /// Where the `list` of a `ListKv` step starts, or `undefined` for the first page.
    #[wasm_bindgen(getter)]
    pub fn cursor(&mut self) -> Option<String> {
        self.cursor.take()
    }

    /// The bulk `get` settled: `found` has one entry per key, in order, `true` when the key
    /// holds a value; `error` is why it failed.
    pub fn read(&mut self, found: Option<Vec<u8>>, error: Option<String>) {
        self.inner.kv_read(bulk_read(found, error));
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

    /// The `put`s settled: one entry per put, in order, `undefined` for success or the
    /// rejection's message.
    pub fn written(&mut self, errors: Vec<wasm_bindgen::JsValue>) {
        self.inner.kv_written(put_results(&errors));
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
