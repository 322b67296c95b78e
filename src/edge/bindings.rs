//! The runtime's Queue, KV and queue-message objects, declared as typed `extern` blocks.
//!
//! workers-rs' `KvStore` and `Queue` wrappers pass options through `serde_wasm_bindgen`, tens
//! of kilobytes of wasm for building two small objects, and its `Message` does not expose
//! `attempts`. These few declarations call the runtime's methods directly; the core already
//! has the exact JSON each call takes, which is parsed into a JS value here.

use crate::config::{self, DEAD_LETTER_QUEUE_BINDING};
use crate::sinks::Sink;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Env;

#[wasm_bindgen]
extern "C" {
    /// A Queue producer binding.
    pub type Queue;
    #[wasm_bindgen(method, catch, js_name = sendBatch)]
    fn send_batch(this: &Queue, messages: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn send(this: &Queue, body: &JsValue, options: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, getter, js_name = sendBatch)]
    fn send_batch_function(this: &Queue) -> JsValue;

    /// A KV namespace binding.
    pub type KvNamespace;
    #[wasm_bindgen(method, catch)]
    fn put(
        this: &KvNamespace,
        key: &str,
        value: &str,
        options: &JsValue,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, getter, js_name = put)]
    fn put_function(this: &KvNamespace) -> JsValue;

    /// The batch a queue consumer receives.
    pub type MessageBatch;
    #[wasm_bindgen(method, getter)]
    pub fn messages(this: &MessageBatch) -> Array;

    /// One message of a consumer's batch.
    pub type Message;
    #[wasm_bindgen(method, getter)]
    pub fn id(this: &Message) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn body(this: &Message) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn attempts(this: &Message) -> f64;
    #[wasm_bindgen(method, catch)]
    pub fn ack(this: &Message) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    pub fn retry(this: &Message, options: &JsValue) -> Result<(), JsValue>;

    /// A JS error, for its message.
    type JsError;
    #[wasm_bindgen(method, getter)]
    fn message(this: &JsError) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn name(this: &JsError) -> JsValue;
}

/// The bindings of one invocation, each looked up once.
pub struct Bindings {
    pub queue: Option<Queue>,
    pub kv: Option<KvNamespace>,
    pub dead_letter_queue: Option<Queue>,
}

impl Bindings {
    pub fn of(env: &Env) -> Bindings {
        Bindings {
            queue: queue(env, Sink::Queue.binding()),
            kv: binding::<KvNamespace>(env, Sink::Kv.binding())
                .filter(|kv| kv.put_function().is_function()),
            dead_letter_queue: queue(env, DEAD_LETTER_QUEUE_BINDING),
        }
    }

    /// Which bindings exist, as the configuration reader takes them.
    pub fn present(&self) -> config::Bindings {
        config::Bindings {
            queue: self.queue.is_some(),
            kv: self.kv.is_some(),
            dead_letter_queue: self.dead_letter_queue.is_some(),
        }
    }
}

/// The environment's value named `name`, unchecked (checked by the callers' method probes).
fn binding<T: JsCast>(env: &Env, name: &str) -> Option<T> {
    let value = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
    value.is_object().then(|| value.unchecked_into())
}

/// A queue producer: an object with `sendBatch` (a plain var of the same name, or a KV
/// namespace where a queue is expected, is not taken).
fn queue(env: &Env, name: &str) -> Option<Queue> {
    binding::<Queue>(env, name).filter(|queue| queue.send_batch_function().is_function())
}

impl Queue {
    /// `sendBatch(messages)`, `messages` being the JSON array the core built.
    pub async fn send_batch_json(&self, messages_json: &str) -> Result<(), String> {
        let messages = json_value(messages_json)?;
        settle(self.send_batch(&messages)).await
    }

    /// `send(body, {contentType: "json"})`, `body_json` being a JSON object the core built.
    pub async fn send_json(&self, body_json: &str) -> Result<(), String> {
        let options = json_value(r#"{"contentType":"json"}"#)?;
        settle(self.send(&json_value(body_json)?, &options)).await
    }
}

impl KvNamespace {
    /// `put(key, value, options)`, `options_json` being the options object the core built.
    pub async fn put_json(&self, key: &str, value: &str, options_json: &str) -> Result<(), String> {
        let options = json_value(options_json)?;
        settle(self.put(key, value, &options)).await
    }
}

async fn settle(call: Result<Promise, JsValue>) -> Result<(), String> {
    let promise = call.map_err(describe)?;
    JsFuture::from(promise).await.map(|_| ()).map_err(describe)
}

/// Parses JSON the core produced into a JS value.
pub fn json_value(json: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(json).map_err(describe)
}

/// A JS error's message (or its debug form) for logs.
pub fn describe(error: JsValue) -> String {
    let message = if error.is_object() {
        error.unchecked_ref::<JsError>().message().as_string()
    } else {
        error.as_string()
    };
    message.unwrap_or_else(|| format!("{error:?}"))
}

/// A JS error's `name` (`TimeoutError`, …).
pub fn error_name(error: &JsValue) -> Option<String> {
    if !error.is_object() {
        return None;
    }
    error.unchecked_ref::<JsError>().name().as_string()
}
