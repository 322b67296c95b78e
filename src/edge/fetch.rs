//! The fetch handler: Huawei's callbacks in, events to the Queue and KV bindings, reply out.

use super::bindings::{json_value, Binding};
use super::load_config;
use crate::clock::Timestamp;
use crate::config::{Config, Sink};
use crate::handler::{admit, ingest, route, Admission, Endpoint, RequestHead};
use crate::log::{bounded, RequestLog};
use crate::reply::Reply;
use crate::request::{split_url, PushRequest};
use crate::sinks::{
    kv_put_options, queue_batch_json, queue_batches, PreparedEvent, SINK_RETRY_DELAYS_MS,
};
use futures_util::StreamExt;
use std::time::Duration;
use wasm_bindgen::JsValue;
use worker::{console_log, event, Context, Date, Delay, Env, Request, Response};

#[event(fetch)]
async fn fetch(mut request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = Date::now().as_millis();
    let config = load_config(&env);
    let method = request.method().to_string();
    let url = request.inner().url();
    let (host, path, query) = split_url(&url);
    let headers = collect_headers(&request, host);
    let header = |wanted: &str| {
        headers
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.as_str())
    };
    let head = RequestHead {
        content_length: header("content-length"),
        client_ip: header("cf-connecting-ip"),
    };

    let mut log = RequestLog {
        route: route(path).map_or("unknown", |route| route.name()),
        method: &method,
        status: 0,
        outcome: "",
        events: 0,
        access_key: None,
        duration_ms: 0,
        sink_error: None,
    };
    let access_key;
    let reply = match admit(&method, path, head, &config) {
        Admission::Respond(reply) => reply,
        Admission::ReadBody { endpoint, token } => {
            match read_body(&mut request, config.max_body_bytes).await {
                Err(reply) => reply,
                Ok(body) => {
                    let push = PushRequest {
                        method: &method,
                        path,
                        query,
                        headers: &headers,
                        body: &body,
                    };
                    let now = Timestamp::from_unix_millis(
                        i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX),
                    );
                    let ingested = ingest(endpoint, token, &push, &config, now);
                    access_key = ingested.access_key;
                    log.access_key = access_key.as_deref();
                    log.events = ingested.events.len();
                    match store(&env, &config, endpoint, &ingested.events).await {
                        Ok(()) => ingested.reply,
                        Err(failure) => {
                            log.sink_error = Some(failure);
                            Reply::sink_unavailable()
                        }
                    }
                }
            }
        }
    };

    log.status = reply.status;
    log.outcome = reply.code;
    log.duration_ms =
        i64::try_from(Date::now().as_millis().saturating_sub(started)).unwrap_or(i64::MAX);
    console_log!("{}", log.to_json());
    respond(reply)
}

/// The request's headers with lower-case names (the Fetch API already lower-cases them), plus
/// `host` from the URL when the runtime does not list it.
fn collect_headers(request: &Request, url_host: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = request.headers().entries().collect();
    if !headers.iter().any(|(name, _)| name == "host") {
        headers.push(("host".to_string(), url_host.to_string()));
    }
    headers
}

/// Reads the body chunk by chunk and stops as soon as it passes `limit`, so a body without a
/// `Content-Length` cannot make the isolate buffer more than the limit.
async fn read_body(request: &mut Request, limit: usize) -> Result<Vec<u8>, Reply> {
    let mut stream = match request.stream() {
        Ok(stream) => stream,
        // No body at all.
        Err(_) => return Ok(Vec::new()),
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Reply::error(400, "body_unreadable"))?;
        if body.len() + chunk.len() > limit {
            return Err(Reply::error(413, "body_too_large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Writes every event to every configured sink. `Err` names the sink that failed and why.
async fn store(
    env: &Env,
    config: &Config,
    endpoint: Endpoint,
    events: &[crate::event::CloudEvent],
) -> Result<(), String> {
    if events.is_empty() {
        return Ok(());
    }
    let prepared = events
        .iter()
        .map(PreparedEvent::new)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("serialize: {error}"))?;
    for sink in &config.sinks {
        let mut retries = SINK_RETRY_DELAYS_MS.iter();
        loop {
            let outcome = match sink {
                Sink::Queue => send_to_queue(env, &prepared).await,
                Sink::Kv => put_in_kv(env, config.kv_ttl_secs, &prepared).await,
            };
            match (outcome, retries.next()) {
                (Ok(()), _) => break,
                // A transient refusal gets a short second chance; the writes are idempotent
                // (same keys, same event ids), so repeating a partly applied one is safe.
                (Err(_), Some(delay)) => Delay::from(Duration::from_millis(*delay)).await,
                (Err(error), None) => {
                    return Err(format!(
                        "{} ({}) on {}: {}",
                        sink.name(),
                        sink.binding(),
                        endpoint.name(),
                        bounded(&error)
                    ))
                }
            }
        }
    }
    Ok(())
}

/// One message per event, in as few `sendBatch` calls as the limits allow. Each body goes over
/// as a parsed JS object: consumers receive the event itself, not a string.
async fn send_to_queue(env: &Env, prepared: &[PreparedEvent]) -> Result<(), String> {
    let queue = Binding::find(env, Sink::Queue.binding(), "sendBatch").ok_or("binding missing")?;
    let sizes: Vec<usize> = prepared.iter().map(|event| event.json.len()).collect();
    for batch in queue_batches(&sizes) {
        let messages = json_value(&queue_batch_json(prepared.get(batch).unwrap_or_default()))?;
        queue.call("sendBatch", &[messages]).await?;
    }
    Ok(())
}

/// One key per event, written concurrently; the key is derived from the report, so a repeated
/// push overwrites the same key with the same value.
async fn put_in_kv(
    env: &Env,
    ttl_secs: Option<u64>,
    prepared: &[PreparedEvent],
) -> Result<(), String> {
    let kv = Binding::find(env, Sink::Kv.binding(), "put").ok_or("binding missing")?;
    let writes = prepared.iter().map(|event| {
        let kv = &kv;
        async move {
            let options =
                kv_put_options(&event.kv_metadata, ttl_secs).map_err(|error| error.to_string())?;
            let args = [
                JsValue::from_str(&event.kv_key),
                JsValue::from_str(&event.json),
                json_value(&options)?,
            ];
            kv.call("put", &args)
                .await
                .map(|_| ())
                .map_err(|error| format!("{}: {error}", event.kv_key))
        }
    });
    futures_util::future::join_all(writes)
        .await
        .into_iter()
        .collect::<Result<Vec<()>, String>>()
        .map(|_| ())
}

fn respond(reply: Reply) -> worker::Result<Response> {
    let response = if reply.body.is_empty() {
        Response::empty()?
    } else {
        Response::ok(reply.body)?
    };
    let mut response = response.with_status(reply.status);
    let headers = response.headers_mut();
    for (name, value) in &reply.headers {
        headers.set(name, value)?;
    }
    Ok(response)
}
