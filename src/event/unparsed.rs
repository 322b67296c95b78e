//! Input that authenticated but could not be read, and the receipt every event of a push shares.

use super::{event_id, AuthInfo, CloudEvent, EventData, EventKind, UnparsedData};
use crate::clock::Timestamp;
use crate::payload::PayloadError;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::rc::Rc;

/// When and how the push that carried the fields was received; shared by every event of a
/// push, so the receive time is formatted once per push, not once per report.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub at: Timestamp,
    pub received_at: Rc<str>,
    pub auth: AuthInfo,
}

impl Receipt {
    pub fn new(at: Timestamp, auth: AuthInfo) -> Receipt {
        Receipt {
            at,
            received_at: at.to_rfc3339(true).into(),
            auth,
        }
    }
}

/// Input that authenticated but could not be read, carried on whole so nothing the provider sent is
/// lost. Its id hashes the endpoint and the exact bytes, so a duplicate push repeats the id.
pub fn unparsed(
    source: &'static str,
    error: &PayloadError,
    endpoint: &'static str,
    content_type: Option<&str>,
    body: &[u8],
    receipt: &Receipt,
) -> CloudEvent {
    let (body, body_encoding) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), "utf8"),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(body),
            "base64",
        ),
    };
    let body_digest = crate::crypto::hex(&Sha256::digest(body.as_bytes()));
    let data = UnparsedData {
        reason: error.reason(),
        endpoint,
        content_type: content_type.map(str::to_string),
        body,
        body_encoding,
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
    };
    let id = event_id(EventKind::Unparsed, &body_digest, 0, endpoint);
    CloudEvent::new(
        source,
        EventKind::Unparsed,
        id,
        None,
        receipt.received_at.clone(),
        EventData::Unparsed(data),
    )
}

