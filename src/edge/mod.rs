//! The Cloudflare Workers adapter: the only module that touches the `worker` crate.
//!
//! [`fetch`] and [`queue`] are the runtime's entry points. Each asks the core what to do —
//! [`crate::relay::admit`], a provider's `ingest`, the [`crate::sinks::Store`] machine, the
//! [`crate::delivery::consumer::MessageJob`] machine — and executes it: reading the body,
//! calling bindings, sleeping, fetching, answering. No decision is made here.

mod bindings;
mod fetch;
mod queue;

use crate::clock::Timestamp;
use crate::config::reader::number_var_text;
use crate::config::Config;
use bindings::Bindings;
use wasm_bindgen::JsValue;
use worker::{event, Date, Env};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The current time, for the core.
fn now() -> Timestamp {
    Timestamp::from_unix_millis(i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX))
}

/// Reads the configuration on every invocation: env lookups are cheap, and a changed secret
/// takes effect without a redeploy.
fn load_config(env: &Env, bindings: &Bindings) -> Config {
    let lookup = |name: &str| {
        let value = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
        // wrangler passes `[vars]` numbers and booleans through as JSON values.
        value
            .as_string()
            .or_else(|| value.as_f64().map(number_var_text))
            .or_else(|| value.as_bool().map(|b| b.to_string()))
    };
    Config::load(lookup, bindings.present())
}
