//! The Cloudflare Workers adapter: the core's calls exported to the worker's JavaScript entry
//! module, `worker.js` (beside this file), which does the runtime I/O around them.
//!
//! The split is measured (BENCHMARKS.md): the runtime calls `worker.js` directly, which reads
//! the request, makes one synchronous call into wasm per step of the core's machines
//! ([`crate::relay::Exchange`], [`crate::delivery::consumer::MessageJob`]), and performs the
//! write, fetch or answer each step names. No decision is made in the JS or here: these
//! types only translate between JS values and the core's.
//!
//! The protocol is declared here once: each machine's `step()` answers a `#[wasm_bindgen]`
//! enum ([`fetch::FetchStep`], [`drain::DrainStep`], [`queue::DeliveryStep`]) that
//! `worker.js` imports from the wasm-bindgen glue, with a case for every kind and a throw for
//! any other value; each step's outcome comes back through a method for success and one for
//! failure (`sent()` / `sendFailed(why)`), never an optional error.
//!
//! [`Relay`] holds the configuration, read once per isolate (the environment of a deployed
//! worker never changes; a new secret or var is a new version, hence new isolates).

mod drain;
mod fetch;
mod queue;

use crate::clock::Timestamp;
use crate::config::{self, Config};
use crate::settings::reader::number_var_text;
use crate::settings::DEAD_LETTER_QUEUE_BINDING;
use crate::sinks::Sink;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

/// The configuration and bindings of one worker environment.
#[wasm_bindgen]
pub struct Relay {
    config: Rc<Config>,
    queue: JsValue,
    kv: JsValue,
    dead_letter_queue: JsValue,
    spill: JsValue,
}

#[wasm_bindgen]
impl Relay {
    /// Reads every setting and finds the bindings in `env`.
    #[wasm_bindgen(constructor)]
    pub fn new(env: &JsValue) -> Relay {
        let get = |name: &str| js_sys::Reflect::get(env, &JsValue::from_str(name)).ok();
        // A binding is taken only if it has the method the relay calls: a plain var of the
        // same name, or a KV namespace where a queue is expected, is not.
        let binding = |name: &str, method: &str| {
            get(name)
                .filter(|value| value.is_object())
                .filter(|value| {
                    js_sys::Reflect::get(value, &JsValue::from_str(method))
                        .is_ok_and(|method| method.is_function())
                })
                .unwrap_or(JsValue::UNDEFINED)
        };
        let queue = binding(Sink::Queue.binding(), "sendBatch");
        let kv = binding(Sink::Kv.binding(), "put");
        let dead_letter_queue = binding(DEAD_LETTER_QUEUE_BINDING, "send");
        let spill = binding(crate::sinks::store::SPILL_BUCKET, "put");
        let present = config::Bindings {
            queue: !queue.is_undefined(),
            kv: !kv.is_undefined(),
            dead_letter_queue: !dead_letter_queue.is_undefined(),
            spill: !spill.is_undefined(),
        };
        let lookup = |name: &str| {
            let value = get(name)?;
            // wrangler passes `[vars]` numbers and booleans through as JSON values.
            value
                .as_string()
                .or_else(|| value.as_f64().map(number_var_text))
                .or_else(|| value.as_bool().map(|b| b.to_string()))
        };
        Relay {
            config: Rc::new(Config::load(lookup, present)),
            queue,
            kv,
            dead_letter_queue,
            spill,
        }
    }

    /// The spill bucket's R2 binding (`undefined` when absent).
    #[wasm_bindgen(getter)]
    pub fn spill(&self) -> JsValue {
        self.spill.clone()
    }

    /// The events queue's producer binding (`undefined` when absent).
    #[wasm_bindgen(getter)]
    pub fn queue(&self) -> JsValue {
        self.queue.clone()
    }

    /// The KV namespace binding (`undefined` when absent).
    #[wasm_bindgen(getter)]
    pub fn kv(&self) -> JsValue {
        self.kv.clone()
    }

    /// The dead-letter queue's producer binding (`undefined` when absent).
    #[wasm_bindgen(getter, js_name = deadLetterQueue)]
    pub fn dead_letter_queue(&self) -> JsValue {
        self.dead_letter_queue.clone()
    }
}

/// KV `put`s a step names, handed to `worker.js` a part at a time, each part taken once, and
/// their outcomes as `worker.js` reports them, one per put, in order.
#[derive(Debug, Default)]
struct KvPuts {
    puts: Vec<(String, String, String)>,
    outcomes: Vec<Result<(), String>>,
}

impl KvPuts {
    fn of(puts: &[crate::sinks::kv::KvPut<'_>]) -> KvPuts {
        KvPuts {
            puts: puts
                .iter()
                .map(|put| {
                    (
                        put.key.to_string(),
                        put.value.to_string(),
                        put.options.to_string(),
                    )
                })
                .collect(),
            outcomes: Vec::with_capacity(puts.len()),
        }
    }

    fn count(&self) -> usize {
        self.puts.len()
    }

    fn take(
        &mut self,
        index: usize,
        part: fn(&mut (String, String, String)) -> &mut String,
    ) -> String {
        self.puts
            .get_mut(index)
            .map(|put| std::mem::take(part(put)))
            .unwrap_or_default()
    }

    fn key(&mut self, index: usize) -> String {
        self.take(index, |put| &mut put.0)
    }

    fn value(&mut self, index: usize) -> String {
        self.take(index, |put| &mut put.1)
    }

    fn options(&mut self, index: usize) -> String {
        self.take(index, |put| &mut put.2)
    }

    /// The next put resolved.
    fn done(&mut self) {
        self.outcomes.push(Ok(()));
    }

    /// The next put was rejected: why.
    fn failed(&mut self, why: String) {
        self.outcomes.push(Err(why));
    }

    /// The outcomes reported so far, handed over once.
    fn outcomes(&mut self) -> Vec<Result<(), String>> {
        std::mem::take(&mut self.outcomes)
    }
}

/// A bulk KV read as `worker.js` reports it, a byte per key (1 when it holds a value): whether
/// each key holds a value.
fn found_keys(found: &[u8]) -> Vec<bool> {
    found.iter().map(|&byte| byte != 0).collect()
}

/// An R2 listing as `worker.js` reports it, its keys as a JSON array: the keys.
fn listed_keys(keys: &str) -> Result<Vec<String>, String> {
    // `JSON.stringify` of an array of strings (`payload::json` reads it).
    let mut reader = crate::payload::json::Reader::new(keys);
    let mut listed = Vec::new();
    reader
        .seq(&mut |r| {
            listed.push(r.string()?.into_owned());
            Ok(())
        })
        .and_then(|()| reader.end())
        .map_err(|_| "the listing is not a JSON array of strings".to_string())?;
    Ok(listed)
}

/// A JS `Date.now()` for the core.
fn instant(millis: f64) -> Timestamp {
    // Saturating: NaN is 0, out of range is clamped.
    Timestamp::from_unix_millis(millis as i64)
}
