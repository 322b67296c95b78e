//! The Cloudflare Workers adapter: the only module that touches the `worker` crate.
//!
//! [`fetch`] turns Huawei's callbacks into events and stores them; [`queue`] delivers queued
//! events to an HTTP backend. Every decision lives in the pure core; this module only moves
//! bytes between it and the runtime.

mod bindings;
mod fetch;
mod queue;

use crate::config::{Bindings, Config, Sink, DEAD_LETTER_QUEUE_BINDING};
use bindings::Binding;
use wasm_bindgen::JsValue;
use worker::{event, Env};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Reads the configuration on every invocation: env lookups are cheap, and a changed secret
/// takes effect without a redeploy.
fn load_config(env: &Env) -> Config {
    let lookup = |name: &str| {
        let value = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
        // wrangler passes `[vars]` numbers and booleans through as JSON values.
        value
            .as_string()
            .or_else(|| value.as_f64().map(whole_number_text))
            .or_else(|| value.as_bool().map(|b| b.to_string()))
    };
    let bindings = Bindings {
        queue: Binding::find(env, Sink::Queue.binding(), "sendBatch").is_some(),
        kv: Binding::find(env, Sink::Kv.binding(), "put").is_some(),
        dead_letter_queue: Binding::find(env, DEAD_LETTER_QUEUE_BINDING, "send").is_some(),
    };
    Config::load(lookup, bindings)
}

/// A numeric `[vars]` value as text. Settings are whole numbers, written as integers: `f64`'s
/// `Display` alone is 14 KB of wasm. Anything else becomes text the parser rejects.
fn whole_number_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        (number as i64).to_string()
    } else {
        "not a whole number".to_string()
    }
}
