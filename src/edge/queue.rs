//! The queue consumer entry point: runs one [`MessageJob`] per message, concurrently, so one
//! bad message never holds back the batch.
//!
//! Exported by hand rather than through `#[event(queue)]`: workers-rs 0.8 does not expose a
//! message's `attempts`, and its ack/retry wrappers panic where the JS calls can throw.

use super::bindings::{describe, error_name, Bindings, Message, MessageBatch};
use super::{load_config, now};
use crate::config::HttpDelivery;
use crate::delivery::consumer::{
    attempt_number, delivery_for, MessageJob, MessageStep, Post, Settle,
};
use crate::delivery::AttemptResult;
use crate::log::bounded;
use futures_util::future::join_all;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{console_log, web_sys, Env};

// `wasm_bindgen_futures` comes through workers-rs, which already depends on it.
#[wasm_bindgen(wasm_bindgen_futures = worker::wasm_bindgen_futures)]
pub async fn queue(batch: MessageBatch, env: Env, _ctx: JsValue) -> Result<JsValue, JsValue> {
    let bindings = Bindings::of(&env);
    let config = load_config(&env, &bindings);
    let messages: Vec<Message> = batch
        .messages()
        .iter()
        .map(JsCast::unchecked_into)
        .collect();
    match delivery_for(&config, messages.len()) {
        Ok(http) => {
            join_all(
                messages
                    .iter()
                    .map(|message| deliver(message, http, &bindings)),
            )
            .await;
        }
        Err((settle, line)) => {
            console_log!("{line}");
            for message in &messages {
                let _ = apply(message, settle);
            }
        }
    }
    Ok(JsValue::UNDEFINED)
}

async fn deliver(message: &Message, http: &HttpDelivery, bindings: &Bindings) {
    let body = js_sys::JSON::stringify(&message.body())
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default();
    let attempt = attempt_number(message.attempts());
    let mut job = MessageJob::new(http, body, &message.id(), attempt, now());
    loop {
        match job.step(now()) {
            MessageStep::Post(post) => {
                let result = post_once(&post).await;
                job.posted(result, now(), js_sys::Math::random());
            }
            MessageStep::DeadLetter(letter) => {
                let result = match &bindings.dead_letter_queue {
                    Some(queue) => queue.send_json(letter).await,
                    None => Err("binding missing".to_string()),
                };
                job.dead_lettered(result);
            }
            MessageStep::Settle(settle) => {
                let result = apply(message, settle).map_err(describe);
                job.settled(result);
            }
            MessageStep::Done => break,
        }
    }
    console_log!("{}", job.log_line());
}

fn apply(message: &Message, settle: Settle) -> Result<(), JsValue> {
    match settle {
        Settle::Ack => message.ack(),
        Settle::Retry { delay_secs } => {
            let options = js_sys::Object::new();
            js_sys::Reflect::set(
                &options,
                &JsValue::from_str("delaySeconds"),
                &JsValue::from(delay_secs),
            )?;
            message.retry(&options)
        }
    }
}

/// One POST as the job describes it, redirects not followed. Uses the Fetch API through
/// `web_sys` directly: workers-rs' `Request`/`Fetch` wrappers pull in their `cf` options
/// machinery, about 90 KB of wasm this call does not need.
async fn post_once(post: &Post<'_>) -> AttemptResult {
    match try_post(post).await {
        Ok(response) => AttemptResult::Status {
            code: response.status(),
            retry_after: response.headers().get("retry-after").ok().flatten(),
        },
        // `AbortSignal.timeout` rejects with a DOMException named TimeoutError.
        Err(error) if error_name(&error).as_deref() == Some("TimeoutError") => {
            AttemptResult::Timeout
        }
        Err(error) => AttemptResult::NetworkError(bounded(&describe(error))),
    }
}

async fn try_post(post: &Post<'_>) -> Result<web_sys::Response, JsValue> {
    let headers = web_sys::Headers::new()?;
    for (name, value) in &post.headers {
        headers.set(name, value)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(post.body));
    init.set_redirect(web_sys::RequestRedirect::Manual);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(
        post.timeout_ms,
    )));
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response = JsFuture::from(global.fetch_with_str_and_init(post.url, &init)).await?;
    response.dyn_into()
}
