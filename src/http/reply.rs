//! What the worker answers: a status, a few headers, and a short JSON error code. Every error
//! answer is a [`super::Refusal`]'s.

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

    /// A JSON document (the health report, a lookup's answer, a refusal's body).
    pub fn json(status: u16, code: &'static str, body: String) -> Reply {
        Reply {
            status,
            code,
            headers: vec![("content-type", "application/json".to_string())],
            body,
        }
    }
}
