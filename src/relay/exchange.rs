//! One HTTP exchange from request head to answer, as a sans-IO state machine.
//!
//! The edge hands over the request head ([`Exchange::new`]), feeds the body while
//! [`Exchange::wants_body`] says so, then executes [`Exchange::step`] until it says
//! [`Step::Finish`], reporting each write's result; finally it logs [`Exchange::log_line`].
//! Every decision — the route, the early refusals, the body cap, the provider's ingest, the
//! sink writes and their retries, the answer and the log — is made here, so the edge is a
//! loop of I/O calls and the whole flow is tested natively (`tests/exchange.rs`).

use super::{admit, lookup, route, Admission, BodyBuffer, RequestHead, RouteName};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::Ingested;
use crate::http::{header_lines, split_url, with_host, PushRequest, Refusal, Reply};
use crate::log::RequestLog;
use crate::providers::registry::{SignatureCheck, Verification};
use crate::providers::Callback;
use crate::providers::Endpoint;
use crate::sinks::{Finished, Step, Store};
use std::rc::Rc;

/// Where an exchange is.
#[derive(Debug)]
enum State {
    /// Admitted: the body is being read into the buffer.
    Reading {
        endpoint: Endpoint,
        token: Option<String>,
        body: BodyBuffer,
    },
    /// The provider asked for a signature to be verified before its ingest: the edge runs
    /// `check` ([`Exchange::verification`]) and reports with [`Exchange::verified`].
    Verifying {
        endpoint: Endpoint,
        token: Option<String>,
        body: Vec<u8>,
        check: Box<SignatureCheck>,
        now: Timestamp,
    },
    /// The events are being written.
    Storing(Box<Store>),
    /// A lookup: the KV keys of one message are being listed, page by page.
    Looking(lookup::Lookup),
    /// The detailed `/healthz`: the spill bucket's oldest object is being listed.
    CheckingSpill,
    /// The answer is decided.
    Done(Finished),
}

/// One request's way through the relay.
#[derive(Debug)]
pub struct Exchange {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    started: Timestamp,
    state: State,
    route: RouteName,
    events: usize,
    event_ids: Vec<String>,
    message_ids: Vec<Rc<str>>,
    access_key: Option<String>,
    /// The store's last answer, once it gave one.
    finished: Option<Finished>,
}

impl Exchange {
    /// A request as the runtime gives it: `headers` one `name:value` per line (the Fetch API
    /// lower-cases names and never lets a value hold a line break), `url` absolute.
    pub fn new(
        config: &Config,
        method: &str,
        url: &str,
        headers: &str,
        now: Timestamp,
    ) -> Exchange {
        let (host, path, query) = split_url(url);
        let headers = with_host(header_lines(headers), host);
        let header = |wanted: &str| {
            headers
                .iter()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.as_str())
        };
        let head = RequestHead {
            content_length: header("content-length"),
            client_ip: header("cf-connecting-ip"),
            authorization: header("authorization"),
            query,
        };
        let state = match admit(method, path, head, config) {
            Admission::Respond(reply) => State::Done(Finished {
                reply,
                sink_error: None,
            }),
            Admission::LookUp { prefix, cursor } => {
                State::Looking(lookup::Lookup::new(prefix, cursor))
            }
            Admission::CheckSpill => State::CheckingSpill,
            Admission::ReadBody { endpoint, token } => State::Reading {
                endpoint,
                token: token.map(str::to_string),
                body: BodyBuffer::new(config.limits.max_body_bytes),
            },
        };
        Exchange {
            route: route(path).map_or(RouteName::Unknown, |route| route.name()),
            method: method.to_string(),
            url: url.to_string(),
            headers,
            started: now,
            state,
            events: 0,
            event_ids: Vec::new(),
            message_ids: Vec::new(),
            access_key: None,
            finished: None,
        }
    }

    /// Whether the edge should read (more of) the body.
    pub fn wants_body(&self) -> bool {
        matches!(self.state, State::Reading { .. })
    }

    /// The next piece of the body. `false` once no more is wanted: the body passed the limit
    /// (answered `413`), or nothing was wanted.
    pub fn body_chunk(&mut self, chunk: &[u8]) -> bool {
        let State::Reading { body, .. } = &mut self.state else {
            return false;
        };
        match body.push(chunk) {
            Ok(()) => true,
            Err(refusal) => {
                self.finish_with(refusal.reply());
                false
            }
        }
    }

    /// The body stream failed before its end.
    pub fn body_failed(&mut self) {
        if self.wants_body() {
            self.finish_with(Refusal::BodyUnreadable.reply());
        }
    }

    /// The body is complete: the provider ingests it and the writes are planned.
    pub fn body_end(&mut self, config: &Config, now: Timestamp) {
        let state = std::mem::replace(
            &mut self.state,
            State::Done(Finished {
                reply: Refusal::InternalError.reply(),
                sink_error: None,
            }),
        );
        let State::Reading {
            endpoint,
            token,
            body,
        } = state
        else {
            self.state = state;
            return;
        };
        let body = body.into_bytes();
        // The provider's ingest right away, on the one request it is checked with, unless it
        // asks for a signature to be verified first.
        let next = {
            let push = self.request(&body);
            let callback = Callback {
                token: token.as_deref(),
                request: &push,
                now,
                verification: None,
            };
            let max_body_bytes = config.limits.max_body_bytes;
            match endpoint.signature_check(&callback, &config.providers, max_body_bytes) {
                Some(check) => Err(check),
                None => Ok(endpoint.ingest(&callback, &config.providers, max_body_bytes)),
            }
        };
        match next {
            Ok(ingested) => self.plan(config, ingested, &body),
            Err(check) => {
                self.state = State::Verifying {
                    endpoint,
                    token,
                    body,
                    check: Box::new(check),
                    now,
                }
            }
        }
    }

    /// The request as a provider reads it: this exchange's head with `body`.
    fn request<'a>(&'a self, body: &'a [u8]) -> PushRequest<'a> {
        let (_, path, query) = split_url(&self.url);
        PushRequest {
            method: &self.method,
            url: &self.url,
            path,
            query,
            headers: &self.headers,
            body,
        }
    }

    /// The signature the edge must verify before the provider's ingest, while it is asked for:
    /// Ed25519 under each key in turn (WebCrypto), then [`Exchange::verified`].
    pub fn verification(&self) -> Option<&SignatureCheck> {
        match &self.state {
            State::Verifying { check, .. } => Some(check),
            _ => None,
        }
    }

    /// What the edge found running [`Exchange::verification`]'s check: the provider ingests
    /// the body with it (and mints its proof only from [`Verification::Verified`]).
    pub fn verified(&mut self, config: &Config, verification: Verification) {
        if !matches!(self.state, State::Verifying { .. }) {
            return;
        }
        let state = std::mem::replace(&mut self.state, Self::unfinished());
        if let State::Verifying {
            endpoint,
            token,
            body,
            now,
            ..
        } = state
        {
            let ingested = {
                let push = self.request(&body);
                let callback = Callback {
                    token: token.as_deref(),
                    request: &push,
                    now,
                    verification: Some(verification),
                };
                endpoint.ingest(&callback, &config.providers, config.limits.max_body_bytes)
            };
            self.plan(config, ingested, &body);
        }
    }

    fn unfinished() -> State {
        State::Done(Finished {
            reply: Refusal::InternalError.reply(),
            sink_error: None,
        })
    }

    /// What the provider's ingest of `body` gave, noted for the log; then the writes planned.
    fn plan(&mut self, config: &Config, mut ingested: Ingested, body: &[u8]) {
        self.access_key = ingested.access_key.take();
        self.events = ingested.events.len();
        self.event_ids = ingested
            .events
            .iter()
            .map(|event| event.id.clone())
            .collect();
        self.message_ids = ingested
            .events
            .iter()
            .filter_map(|event| event.data.message_id())
            .collect();
        self.state = State::Storing(Box::new(Store::new(ingested, body, &config.sinks)));
    }

    /// What to do next. Once this says [`Step::Finish`], it keeps saying so.
    pub fn step(&mut self) -> Step<'_> {
        match &mut self.state {
            State::Storing(store) => {
                let step = store.step();
                if let Step::Finish(finished) = &step {
                    self.finished = Some(finished.clone());
                }
                step
            }
            State::Looking(lookup) => Step::ListKv {
                prefix: &lookup.prefix,
                cursor: lookup.cursor.as_deref(),
            },
            State::CheckingSpill => Step::ListR2 {
                prefix: crate::sinks::spill::SPILL_PREFIX,
                limit: 1,
            },
            State::Done(finished) => Step::Finish(finished.clone()),
            // Asked before the body was ended or the signature verified: a bug in the edge,
            // answered as one.
            State::Reading { .. } | State::Verifying { .. } => Step::Finish(Finished {
                reply: Refusal::InternalError.reply(),
                sink_error: None,
            }),
        }
    }

    /// The result of the `sendBatch` call [`Exchange::step`] asked for.
    pub fn queue_sent(&mut self, result: Result<(), String>) {
        if let State::Storing(store) = &mut self.state {
            store.queue_sent(result);
        }
    }

    /// The KV `list` [`Exchange::step`] asked for: its result (`keys`, `list_complete`,
    /// `cursor`) as JSON, or why the call failed. A listing that goes on is asked for again,
    /// from its cursor.
    pub fn kv_listed(&mut self, result: Result<String, String>) {
        let State::Looking(lookup) = &mut self.state else {
            return;
        };
        let reply = match result {
            Ok(page) => match lookup.listed(&page) {
                Some(reply) => reply,
                None => return,
            },
            Err(_) => Refusal::KvUnavailable.reply(),
        };
        self.finish_with(reply);
    }

    /// The spill object's `put` [`Exchange::step`] asked for settled.
    pub fn spilled(&mut self, result: Result<(), String>) {
        if let State::Storing(store) = &mut self.state {
            store.spilled(result);
        }
    }

    /// The spill bucket's listing `/healthz` asked for: its first keys, or why it failed.
    pub fn r2_listed(&mut self, config: &Config, result: Result<Vec<String>, String>) {
        if !matches!(self.state, State::CheckingSpill) {
            return;
        }
        let spill = match result {
            Ok(keys) => super::health::Spill::Listed {
                pending: !keys.is_empty(),
                oldest: keys
                    .first()
                    .and_then(|key| crate::sinks::spill::spilled_at(key))
                    .map(|at| at.to_rfc3339(true)),
            },
            Err(_) => super::health::Spill::Unreadable,
        };
        self.finish_with(super::health::detailed(config, Some(spill)));
    }

    /// The bulk KV read [`Exchange::step`] asked for: whether each key holds a value.
    pub fn kv_read(&mut self, result: Result<Vec<bool>, String>) {
        if let State::Storing(store) = &mut self.state {
            store.kv_read(result);
        }
    }

    /// The results of the KV writes [`Exchange::step`] asked for, in the same order.
    pub fn kv_written(&mut self, results: Vec<Result<(), String>>) {
        if let State::Storing(store) = &mut self.state {
            store.kv_written(results);
        }
    }

    /// The request's log line, when `LOG_REQUESTS` asks for one ([`crate::log::LogRequests`]).
    pub fn log(&self, config: &Config, now: Timestamp) -> Option<String> {
        let finished = match &self.state {
            State::Done(finished) => Some(finished),
            _ => self.finished.as_ref(),
        };
        let (status, sink_failed) =
            finished.map_or((0, false), |f| (f.reply.status, f.sink_error.is_some()));
        config
            .logging
            .logs(status, sink_failed)
            .then(|| self.log_line(now))
    }

    /// The request's log line, whatever `LOG_REQUESTS` says.
    pub fn log_line(&self, now: Timestamp) -> String {
        let finished = match &self.state {
            State::Done(finished) => Some(finished),
            _ => self.finished.as_ref(),
        };
        let (status, outcome, sink_error) = match finished {
            Some(finished) => (
                finished.reply.status,
                finished.reply.code,
                finished.sink_error.clone(),
            ),
            None => (0, "unfinished", None),
        };
        RequestLog {
            route: &self.route.to_string(),
            method: &self.method,
            status,
            outcome,
            events: self.events,
            access_key: self.access_key.as_deref(),
            duration_ms: now.unix_millis().saturating_sub(self.started.unix_millis()),
            event_ids: &self.event_ids,
            message_ids: &self.message_ids,
            sink_error,
        }
        .to_json()
    }

    fn finish_with(&mut self, reply: Reply) {
        self.state = State::Done(Finished {
            reply,
            sink_error: None,
        });
    }
}
