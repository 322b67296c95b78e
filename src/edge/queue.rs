//! The queue consumer: POSTs each queued event to `FORWARD_URL` and acknowledges, retries or
//! dead-letters each message on its own, so one bad message never holds back the batch.
//!
//! Exported by hand rather than through `#[event(queue)]`: workers-rs 0.8 does not expose a
//! message's `attempts`, and its ack/retry wrappers panic where the JS calls can throw.

use super::bindings::{json_value, Binding};
use super::load_config;
use crate::clock::Timestamp;
use crate::config::{HttpDelivery, DEAD_LETTER_QUEUE_BINDING};
use crate::delivery::retry::DeadLetterReason;
use crate::delivery::webhook::delivery_headers;
use crate::delivery::{dead_letter_message, decide, event_id, AttemptResult, Verdict};
use crate::log::bounded;
use futures_util::future::join_all;
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::{Message, MessageBatch};
use worker::{console_log, web_sys, Date, Env};

/// How long to wait before retrying messages the worker cannot deliver because its own
/// configuration is invalid (the fix is an operator's, not the backend's).
const MISCONFIGURED_RETRY_SECS: u32 = 300;

// `wasm_bindgen_futures` comes through workers-rs, which already depends on it.
#[wasm_bindgen(wasm_bindgen_futures = worker::wasm_bindgen_futures)]
pub async fn queue(batch: MessageBatch, env: Env, _ctx: JsValue) -> Result<JsValue, JsValue> {
    let config = load_config(&env);
    let messages: Vec<Message> = batch
        .messages()?
        .iter()
        .map(JsCast::unchecked_into)
        .collect();
    let Some(http) = config.http.as_ref().filter(|_| config.is_valid()) else {
        // Never acknowledge what was not delivered: retry later, and after the consumer's
        // max_retries Cloudflare moves the messages to the configured dead-letter queue.
        #[derive(Serialize)]
        struct Misconfigured<'a> {
            delivery: &'static str,
            outcome: &'static str,
            messages: usize,
            errors: &'a [crate::config::ConfigError],
        }
        let log = Misconfigured {
            delivery: "http",
            outcome: "config_invalid",
            messages: messages.len(),
            errors: &config.errors,
        };
        console_log!("{}", serde_json::to_string(&log).unwrap_or_default());
        for message in &messages {
            let _ = message.retry(retry_options(MISCONFIGURED_RETRY_SECS));
        }
        return Ok(JsValue::UNDEFINED);
    };
    join_all(messages.iter().map(|message| deliver(message, http, &env))).await;
    Ok(JsValue::UNDEFINED)
}

/// One line per attempt: event id, attempt, status, outcome and latency; never the body,
/// the URL or a secret.
#[derive(Serialize)]
struct AttemptLog<'a> {
    delivery: &'static str,
    event_id: &'a str,
    attempt: u32,
    status: Option<u16>,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_in_secs: Option<u32>,
    latency_ms: u64,
}

async fn deliver(message: &Message, http: &HttpDelivery, env: &Env) {
    let attempt = js_sys::Reflect::get(message, &JsValue::from_str("attempts"))
        .ok()
        .and_then(|value| value.as_f64())
        .map_or(1, |n| n as u32);
    let body = message
        .body()
        .ok()
        .and_then(|body| js_sys::JSON::stringify(&body).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_default();
    let id = event_id(&body).unwrap_or_else(|| message.id().map(String::from).unwrap_or_default());

    let started = Date::now().as_millis();
    let result = post(http, &id, &body).await;
    let finished = Date::now().as_millis();
    let now = Timestamp::from_unix_millis(i64::try_from(finished).unwrap_or(i64::MAX));
    let verdict = decide(&result, attempt, &http.policy, now, js_sys::Math::random());

    let mut log = AttemptLog {
        delivery: "http",
        event_id: &id,
        attempt,
        status: result.status(),
        outcome: "",
        error: result.error(),
        retry_in_secs: None,
        latency_ms: finished.saturating_sub(started),
    };
    let acted = match verdict {
        Verdict::Delivered => {
            log.outcome = "delivered";
            message.ack()
        }
        Verdict::RetryIn { seconds } => {
            log.outcome = "retry";
            log.retry_in_secs = Some(seconds);
            message.retry(retry_options(seconds))
        }
        Verdict::DeadLetter { reason } => {
            match dead_letter(env, &body, reason, attempt, &result, now).await {
                Ok(()) => {
                    log.outcome = reason.code();
                    message.ack()
                }
                Err(error) => {
                    // Keep the message: it is retried until the dead-letter queue takes it.
                    log.outcome = "dead_letter_failed";
                    log.error = Some(bounded(&error));
                    log.retry_in_secs = Some(MISCONFIGURED_RETRY_SECS);
                    message.retry(retry_options(MISCONFIGURED_RETRY_SECS))
                }
            }
        }
    };
    if let Err(error) = acted {
        log.error = Some(bounded(&format!("ack/retry failed: {error:?}")));
    }
    console_log!("{}", serde_json::to_string(&log).unwrap_or_default());
}

/// One signed POST, bounded by `FORWARD_TIMEOUT_MS`. Redirects are not followed: a signed
/// event should reach the URL it was configured for or fail visibly.
///
/// Uses the Fetch API through `web_sys` directly: workers-rs' `Request`/`Fetch` wrappers pull
/// in their `cf` options machinery, about 90 KB of wasm this call does not need.
async fn post(http: &HttpDelivery, id: &str, body: &str) -> AttemptResult {
    match try_post(http, id, body).await {
        Ok(response) => AttemptResult::Status {
            code: response.status(),
            retry_after: response.headers().get("retry-after").ok().flatten(),
        },
        Err(error) => {
            // `AbortSignal.timeout` rejects with a DOMException named TimeoutError.
            let name = js_sys::Reflect::get(&error, &JsValue::from_str("name"))
                .ok()
                .and_then(|n| n.as_string());
            if name.as_deref() == Some("TimeoutError") {
                AttemptResult::Timeout
            } else {
                let message = js_sys::Reflect::get(&error, &JsValue::from_str("message"))
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| format!("{error:?}"));
                AttemptResult::NetworkError(bounded(&message))
            }
        }
    }
}

async fn try_post(http: &HttpDelivery, id: &str, body: &str) -> Result<web_sys::Response, JsValue> {
    let timestamp = i64::try_from(Date::now().as_millis() / 1000).unwrap_or_default();
    let headers = web_sys::Headers::new()?;
    for (name, value) in delivery_headers(&http.secrets, id, timestamp, body) {
        headers.set(name, &value)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_redirect(web_sys::RequestRedirect::Manual);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(
        http.timeout_ms,
    )));
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response = JsFuture::from(global.fetch_with_str_and_init(&http.url, &init)).await?;
    response.dyn_into()
}

/// Puts the event, with why it failed, on the dead-letter queue as a JSON object.
async fn dead_letter(
    env: &Env,
    event_json: &str,
    reason: DeadLetterReason,
    attempts: u32,
    last: &AttemptResult,
    now: Timestamp,
) -> Result<(), String> {
    let letter =
        dead_letter_message(event_json, reason, attempts, last, now).ok_or("event is not JSON")?;
    let queue = Binding::find(env, DEAD_LETTER_QUEUE_BINDING, "send").ok_or("binding missing")?;
    let options = json_value(r#"{"contentType":"json"}"#)?;
    queue
        .call("send", &[json_value(&letter)?, options])
        .await
        .map(|_| ())
}

fn retry_options(delay_seconds: u32) -> JsValue {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &options,
        &JsValue::from_str("delaySeconds"),
        &JsValue::from(delay_seconds),
    );
    options.into()
}
