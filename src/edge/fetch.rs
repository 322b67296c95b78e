//! The fetch entry point: reads what the core asks for, executes the [`Store`] machine's
//! writes, and sends the answer it decides.

use super::bindings::Bindings;
use super::{load_config, now};
use crate::http::{split_url, with_host, PushRequest, Reply};
use crate::log::RequestLog;
use crate::relay::{admit, route, Admission, BodyBuffer, RequestHead};
use crate::sinks::{Finished, Step, Store};
use futures_util::StreamExt;
use std::time::Duration;
use worker::{console_log, event, Context, Delay, Env, Request, Response};

#[event(fetch)]
async fn fetch(mut request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = now();
    let bindings = Bindings::of(&env);
    let config = load_config(&env, &bindings);
    let method = request.method().to_string();
    let url = request.inner().url();
    let (host, path, query) = split_url(&url);
    let headers = with_host(request.headers().entries().collect(), host);
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
        ..RequestLog::default()
    };
    let access_key;
    let reply = match admit(&method, path, head, &config) {
        Admission::Respond(reply) => reply,
        Admission::ReadBody { endpoint, token } => {
            match read_body(&mut request, config.limits.max_body_bytes).await {
                Err(reply) => reply,
                Ok(body) => {
                    let push = PushRequest {
                        method: &method,
                        path,
                        query,
                        headers: &headers,
                        body: &body,
                    };
                    let mut ingested = endpoint.ingest(token, &push, &config, now());
                    access_key = ingested.access_key.take();
                    log.access_key = access_key.as_deref();
                    log.events = ingested.events.len();
                    let store = Store::new(ingested, &body, &config.sinks);
                    let finished = run(store, &bindings).await;
                    log.sink_error = finished.sink_error;
                    finished.reply
                }
            }
        }
    };

    log.status = reply.status;
    log.outcome = reply.code;
    log.duration_ms = now().unix_millis().saturating_sub(started.unix_millis());
    console_log!("{}", log.to_json());
    respond(reply)
}

/// Executes the store machine's steps until it finishes.
async fn run(mut store: Store, bindings: &Bindings) -> Finished {
    loop {
        match store.step() {
            Step::SendBatch(messages) => {
                let result = match &bindings.queue {
                    Some(queue) => queue.send_batch_json(&messages).await,
                    None => Err("binding missing".to_string()),
                };
                store.queue_sent(result);
            }
            Step::PutKv(puts) => {
                let results = match &bindings.kv {
                    Some(kv) => {
                        let writes = puts
                            .iter()
                            .map(|put| kv.put_json(put.key, put.value, put.options));
                        futures_util::future::join_all(writes).await
                    }
                    None => vec![Err("binding missing".to_string()); puts.len()],
                };
                store.kv_written(results);
            }
            Step::Wait { millis } => Delay::from(Duration::from_millis(millis)).await,
            Step::Finish(finished) => return finished,
        }
    }
}

/// Feeds the body to the core's [`BodyBuffer`] chunk by chunk; it stops the read as soon as
/// the body passes the limit.
async fn read_body(request: &mut Request, limit: usize) -> Result<Vec<u8>, Reply> {
    let mut body = BodyBuffer::new(limit);
    // No stream: no body at all.
    if let Ok(mut stream) = request.stream() {
        while let Some(chunk) = stream.next().await {
            body.push(&chunk.map_err(|_| BodyBuffer::unreadable())?)?;
        }
    }
    Ok(body.into_bytes())
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
