//! Calling the Queue and KV bindings through their JavaScript methods.
//!
//! workers-rs' `KvStore` and `Queue` wrappers pass options through `serde_wasm_bindgen`, which
//! is tens of kilobytes of wasm for building two small objects. The core already has the exact
//! JSON each call needs (`sinks.rs`), so here it is parsed into a JS value and handed over.

use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Env;

/// A binding object from the environment (`env.EVENTS_QUEUE`, `env.EVENTS_KV`, …).
pub struct Binding(JsValue);

impl Binding {
    /// The binding named `name`, if the environment has one with a `method` function (so a
    /// plain var of the same name, or a KV namespace where a queue is expected, is not taken).
    pub fn find(env: &Env, name: &str, method: &str) -> Option<Binding> {
        let value = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
        let function = js_sys::Reflect::get(&value, &JsValue::from_str(method)).ok()?;
        function.is_function().then_some(Binding(value))
    }

    /// Calls `method` with `args` and awaits the promise it returns.
    pub async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue, String> {
        let function: js_sys::Function = js_sys::Reflect::get(&self.0, &JsValue::from_str(method))
            .map_err(describe)?
            .dyn_into()
            .map_err(describe)?;
        let arguments: js_sys::Array = args.iter().collect();
        let returned = js_sys::Reflect::apply(&function, &self.0, &arguments).map_err(describe)?;
        JsFuture::from(js_sys::Promise::resolve(&returned))
            .await
            .map_err(describe)
    }
}

/// Parses JSON the core produced into a JS value.
pub fn json_value(json: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(json).map_err(describe)
}

/// A JS error's message (or its debug form) for logs.
pub fn describe(error: JsValue) -> String {
    js_sys::Reflect::get(&error, &JsValue::from_str("message"))
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
