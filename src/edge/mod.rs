//! The Cloudflare Workers adapter: the only module that touches the `worker` crate.
//!
//! [`fetch`] turns Huawei's callbacks into events and stores them; [`queue`] delivers queued
//! events to an HTTP backend. Every decision lives in the pure core; this module only moves
//! bytes between it and the runtime.

mod fetch;
mod queue;

use crate::config::{Bindings, Config, Sink, DEAD_LETTER_QUEUE_BINDING};
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
            .or_else(|| value.as_f64().map(|n| n.to_string()))
            .or_else(|| value.as_bool().map(|b| b.to_string()))
    };
    let bindings = Bindings {
        queue: env.queue(Sink::Queue.binding()).is_ok(),
        kv: env.kv(Sink::Kv.binding()).is_ok(),
        dead_letter_queue: env.queue(DEAD_LETTER_QUEUE_BINDING).is_ok(),
    };
    Config::load(lookup, bindings)
}
