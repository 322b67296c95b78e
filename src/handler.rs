//! The request flow, minus I/O: route → method → configuration → size → authentication →
//! parsing → events. The edge adapter runs [`admit`] before reading the body and [`ingest`]
//! after, then writes the events to the sinks and sends the reply.

use crate::auth::{authenticate, AuthError};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::event::normalize::{self, Receipt};
use crate::event::CloudEvent;
use crate::payload::{
    entry_fields, parse_batch, parse_form, Batch, Fields, MediaType, PayloadError,
};
use crate::reply::Reply;
use crate::request::PushRequest;
use serde::Serialize;

/// The two callback URLs Huawei posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/huawei/reports`: single (form) or batch (JSON) status reports.
    Reports,
    /// `/huawei/uplink`: subscribers' replies (form).
    Uplink,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Reports => "reports",
            Endpoint::Uplink => "uplink",
        }
    }
}

/// Where a request is going, from its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'p> {
    Health,
    /// A callback; `token` is the optional last path segment (`/huawei/reports/<token>`).
    Callback {
        endpoint: Endpoint,
        token: Option<&'p str>,
    },
}

impl Route<'_> {
    /// The route's name in logs (never the token).
    pub fn name(&self) -> &'static str {
        match self {
            Route::Health => "healthz",
            Route::Callback { endpoint, .. } => endpoint.name(),
        }
    }
}

/// Matches `/healthz`, `/huawei/reports[/<token>][/]` and `/huawei/uplink[/<token>][/]`.
pub fn route(path: &str) -> Option<Route<'_>> {
    if path == "/healthz" || path == "/healthz/" {
        return Some(Route::Health);
    }
    let rest = path.strip_prefix("/huawei/")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (name, token) = match rest.split_once('/') {
        Some((name, token)) if !token.is_empty() && !token.contains('/') => (name, Some(token)),
        Some(_) => return None,
        None => (rest, None),
    };
    let endpoint = match name {
        "reports" => Endpoint::Reports,
        "uplink" => Endpoint::Uplink,
        _ => return None,
    };
    Some(Route::Callback { endpoint, token })
}

/// The first decision, made before the body is read.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission<'p> {
    /// Answer now (errors, health).
    Respond(Reply),
    /// Read the body (at most `max_body_bytes`) and call [`ingest`].
    ReadBody {
        endpoint: Endpoint,
        token: Option<&'p str>,
    },
}

/// What [`admit`] looks at besides the path: no body, nothing that needs reading.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestHead<'h> {
    pub content_length: Option<&'h str>,
    /// `CF-Connecting-IP`: the client's address as Cloudflare saw it.
    pub client_ip: Option<&'h str>,
}

/// Routes the request and refuses early what needs no body to refuse: unknown paths (`404`),
/// wrong methods (`405`), an invalid configuration (`500`), a client outside `ALLOWED_IPS`
/// (`403`) and a `Content-Length` over the limit (`413`), so an oversized body is never buffered.
pub fn admit<'p>(
    method: &str,
    path: &'p str,
    head: RequestHead<'_>,
    config: &Config,
) -> Admission<'p> {
    let Some(route) = route(path) else {
        return Admission::Respond(Reply::error(404, "not_found"));
    };
    let (endpoint, token) = match route {
        Route::Health if method == "GET" || method == "HEAD" => {
            return Admission::Respond(health(config))
        }
        Route::Health => {
            return Admission::Respond(
                Reply::error(405, "method_not_allowed").with_header("allow", "GET, HEAD".into()),
            )
        }
        Route::Callback { .. } if method != "POST" => {
            return Admission::Respond(
                Reply::error(405, "method_not_allowed").with_header("allow", "POST".into()),
            )
        }
        Route::Callback { endpoint, token } => (endpoint, token),
    };
    if !config.is_valid() {
        return Admission::Respond(Reply::error(500, "config_invalid"));
    }
    if let Some(allowed) = &config.allowed_ips {
        // Fail closed: without the header there is no address to admit.
        if !head.client_ip.is_some_and(|ip| allowed.allows(ip)) {
            return Admission::Respond(Reply::error(403, "ip_not_allowed"));
        }
    }
    let declared = head
        .content_length
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > config.max_body_bytes as u64) {
        return Admission::Respond(Reply::error(413, "body_too_large"));
    }
    Admission::ReadBody { endpoint, token }
}

/// The outcome of a callback whose body was read: the events to store, and the reply to send
/// once every sink has accepted them (a sink failure turns it into `503`).
#[derive(Debug)]
pub struct Ingested {
    pub events: Vec<CloudEvent>,
    pub reply: Reply,
    pub access_key: Option<String>,
}

impl Ingested {
    fn refused(reply: Reply) -> Ingested {
        Ingested {
            events: Vec::new(),
            reply,
            access_key: None,
        }
    }
}

/// Authenticates the callback and turns its body into events. Input that authenticates but
/// cannot be read still becomes an `unparsed` event (answered `400` or `415` once stored).
pub fn ingest(
    endpoint: Endpoint,
    token: Option<&str>,
    request: &PushRequest<'_>,
    config: &Config,
    now: Timestamp,
) -> Ingested {
    if request.body.len() > config.max_body_bytes {
        return Ingested::refused(Reply::error(413, "body_too_large"));
    }
    let authenticated = match authenticate(request, token, config, now) {
        Ok(authenticated) => authenticated,
        Err(AuthError::Unconfigured) => {
            return Ingested::refused(Reply::error(500, "config_invalid"))
        }
        Err(error) => return Ingested::refused(Reply::error(401, error.code())),
    };
    let receipt = Receipt::new(now, authenticated.info().clone());
    let content_type = request.header("content-type");
    let unparsed = |error: &PayloadError| {
        normalize::unparsed(error, endpoint.name(), content_type, request.body, &receipt)
    };

    let media_type = MediaType::from_content_type(content_type);
    let (events, reply) = match (endpoint, media_type) {
        (Endpoint::Reports, Some(MediaType::Form)) => single(
            parse_form(request.body),
            normalize::status_report,
            &receipt,
            unparsed,
        ),
        (Endpoint::Uplink, Some(MediaType::Form)) => single(
            parse_form(request.body),
            normalize::uplink,
            &receipt,
            unparsed,
        ),
        (Endpoint::Reports, Some(MediaType::Json)) => match parse_batch(request.body) {
            Ok(batch) => (batch_events(batch, &receipt, unparsed), Reply::stored()),
            Err(error) => (vec![unparsed(&error)], Reply::error(400, error.code())),
        },
        _ => {
            let error = PayloadError::UnsupportedMediaType;
            (vec![unparsed(&error)], Reply::error(415, error.code()))
        }
    };
    Ingested {
        events,
        reply,
        access_key: authenticated.access_key().map(str::to_string),
    }
}

/// A form body that holds exactly one report or uplink.
fn single(
    fields: Result<Fields<'_>, PayloadError>,
    normalize: impl Fn(&Fields<'_>, &Receipt) -> Result<CloudEvent, PayloadError>,
    receipt: &Receipt,
    unparsed: impl Fn(&PayloadError) -> CloudEvent,
) -> (Vec<CloudEvent>, Reply) {
    match fields.and_then(|fields| normalize(&fields, receipt)) {
        Ok(event) => (vec![event], Reply::stored()),
        Err(error) => (vec![unparsed(&error)], Reply::error(400, error.code())),
    }
}

/// One event per batch entry; an unreadable entry becomes an `unparsed` event holding that
/// entry's JSON, and the rest of the batch is unaffected.
fn batch_events(
    batch: Batch<'_>,
    receipt: &Receipt,
    whole_body_unparsed: impl Fn(&PayloadError) -> CloudEvent,
) -> Vec<CloudEvent> {
    let mut events: Vec<CloudEvent> = batch
        .entries
        .iter()
        .map(|entry| {
            entry_fields(entry)
                .and_then(|fields| normalize::status_report(&fields, receipt))
                .unwrap_or_else(|error| {
                    let body = entry.get().as_bytes();
                    let endpoint = Endpoint::Reports.name();
                    normalize::unparsed(&error, endpoint, Some("application/json"), body, receipt)
                })
        })
        .collect();
    if batch.has_unexpected_keys {
        events.push(whole_body_unparsed(&PayloadError::UnexpectedBatchKeys));
    }
    events
}

/// `GET /healthz`: what is configured and whether it is valid. Never a secret or key id.
pub fn health(config: &Config) -> Reply {
    #[derive(Serialize)]
    struct Health<'a> {
        service: &'static str,
        version: &'static str,
        config_valid: bool,
        auth_mode: &'static str,
        access_keys: usize,
        ingest_token: bool,
        allowed_ip_ranges: Option<usize>,
        sinks: Vec<&'static str>,
        max_clock_skew_secs: u64,
        max_body_bytes: usize,
        http_delivery: Option<HttpHealth<'a>>,
        errors: &'a [crate::config::ConfigError],
    }
    #[derive(Serialize)]
    struct HttpHealth<'a> {
        /// Scheme and host only: the path or query may hold the backend's own token.
        target: &'a str,
        secrets: usize,
        max_attempts: u32,
        retry_base_secs: u32,
        timeout_ms: u32,
    }
    let health = Health {
        service: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        config_valid: config.is_valid(),
        auth_mode: config.auth_mode().name(),
        access_keys: config.keys.len(),
        ingest_token: config.ingest_token.is_some(),
        allowed_ip_ranges: config.allowed_ips.as_ref().map(|list| list.len()),
        sinks: config.sinks.iter().map(|sink| sink.name()).collect(),
        max_clock_skew_secs: config.max_clock_skew_secs,
        max_body_bytes: config.max_body_bytes,
        http_delivery: config.http.as_ref().map(|http| HttpHealth {
            target: &http.origin,
            secrets: http.secrets.len(),
            max_attempts: http.policy.max_attempts,
            retry_base_secs: http.policy.base_delay_secs,
            timeout_ms: http.timeout_ms,
        }),
        errors: &config.errors,
    };
    let body = serde_json::to_string(&health).unwrap_or_default();
    if config.is_valid() {
        Reply::json(200, "ok", body)
    } else {
        Reply::json(500, "config_invalid", body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_with_optional_token_and_trailing_slash() {
        let reports = |token| {
            Some(Route::Callback {
                endpoint: Endpoint::Reports,
                token,
            })
        };
        assert_eq!(route("/huawei/reports"), reports(None));
        assert_eq!(route("/huawei/reports/"), reports(None));
        assert_eq!(route("/huawei/reports/abc"), reports(Some("abc")));
        assert_eq!(route("/huawei/reports/abc/"), reports(Some("abc")));
        assert_eq!(
            route("/huawei/uplink"),
            Some(Route::Callback {
                endpoint: Endpoint::Uplink,
                token: None
            })
        );
        assert_eq!(route("/healthz"), Some(Route::Health));
        for unknown in [
            "/",
            "",
            "/huawei",
            "/huawei/other",
            "/huawei/reports/a/b",
            "/huawei/reports//",
            "/x/huawei/reports",
        ] {
            assert_eq!(route(unknown), None, "{unknown}");
        }
    }
}
