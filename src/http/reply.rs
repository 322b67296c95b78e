//! What the worker answers: a status, a few headers, and a short JSON error code.

/// An HTTP answer, built by the core and written out by the edge adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// `ok`, or the short error code also sent in the body.
    pub code: &'static str,
    pub headers: Vec<(&'static str, String)>,
    /// Empty for success (Huawei's console guide asks for `200` with an empty body), else JSON.
    pub body: String,
}

/// Seconds Huawei (or an operator's retry tooling) should wait after a `503`.
pub const RETRY_AFTER_SECS: u32 = 30;

impl Reply {
    /// `200` with an empty body: every event is stored.
    pub fn stored() -> Reply {
        Reply {
            status: 200,
            code: "ok",
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// An error answer with body `{"error":"<code>"}`.
    pub fn error(status: u16, code: &'static str) -> Reply {
        Reply {
            status,
            code,
            headers: vec![("content-type", "application/json".to_string())],
            body: format!("{{\"error\":\"{code}\"}}"),
        }
    }

    /// An error answer about one field of the input: `{"error":"<code>","field":"<name>"}`, so
    /// the sender sees what to fix (`missing_field` and `smsMsgId`).
    pub fn field_error(status: u16, code: &'static str, field: Option<&str>) -> Reply {
        let Some(field) = field else {
            return Reply::error(status, code);
        };
        #[derive(serde::Serialize)]
        struct FieldError<'a> {
            error: &'a str,
            field: &'a str,
        }
        let body = serde_json::to_string(&FieldError { error: code, field }).unwrap_or_default();
        Reply::json(status, code, body)
    }

    /// A JSON document (the health report).
    pub fn json(status: u16, code: &'static str, body: String) -> Reply {
        Reply {
            status,
            code,
            headers: vec![("content-type", "application/json".to_string())],
            body,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// `503` when a sink did not accept the events: nothing may be answered 2xx that is not stored.
    pub fn sink_unavailable() -> Reply {
        Reply::error(503, "sink_unavailable")
            .with_header("retry-after", RETRY_AFTER_SECS.to_string())
    }
}
