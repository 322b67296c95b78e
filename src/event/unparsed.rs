//! Input that authenticated but could not be read, and the receipt every event of a push shares.

use super::{event_id, AuthInfo, CloudEvent, EventData, EventKind, Provider, UnparsedData};
use crate::clock::Timestamp;
use crate::payload::PayloadError;
use base64::Engine as _;
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

/// How much more than base64 a body may cost as escaped text and still go as text: keeps
/// small quote-heavy JSON readable, and stays inside the sinks' event overhead budget.
pub const TEXT_SLACK_BYTES: usize = 64;

/// The longest `Content-Type` kept in an unparsed event; a longer header is cut at a character
/// boundary (it is the request's metadata, not data the provider sent).
pub const MAX_CONTENT_TYPE_BYTES: usize = 256;

/// Input that authenticated but could not be read, carried on whole so nothing the provider
/// sent is lost. The bytes go as text when they are UTF-8 and JSON-escaping them costs at most
/// `TEXT_SLACK_BYTES` more than base64 would, else as base64, so the event is never more
/// than about 4/3 of the input.
/// Its id hashes the endpoint, content type, reason and the exact bytes, so a duplicate push
/// repeats the id and nothing else shares it.
pub fn unparsed(
    provider: Provider,
    error: &PayloadError,
    endpoint: &'static str,
    content_type: Option<&str>,
    body: &[u8],
    receipt: &Receipt,
) -> CloudEvent {
    unparsed_piece(
        provider,
        error.reason(),
        endpoint,
        content_type,
        body,
        receipt,
        None,
    )
}

/// Which piece of an input too large for one event an unparsed event holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'w> {
    /// 1-based.
    pub part: u32,
    pub parts: u32,
    /// Hex SHA-256 of the whole input.
    pub whole_sha256: &'w str,
}

/// [`unparsed`] of `body`, one piece of a larger input when `piece` says so, with its
/// `reason` already written. A piece's id also hashes its place and the whole input's hash, so
/// no two pieces share one; a whole input's id is the same as [`unparsed`]'s.
pub fn unparsed_piece(
    provider: Provider,
    reason: String,
    endpoint: &'static str,
    content_type: Option<&str>,
    body: &[u8],
    receipt: &Receipt,
    piece: Option<Piece<'_>>,
) -> CloudEvent {
    let (text, body_encoding) = match std::str::from_utf8(body) {
        Ok(text) if escaped_len(text) <= base64_len(body.len()) + TEXT_SLACK_BYTES => {
            (text.to_string(), "utf8")
        }
        _ => (
            base64::engine::general_purpose::STANDARD.encode(body),
            "base64",
        ),
    };
    let content_type = content_type.map(|value| cut(value, MAX_CONTENT_TYPE_BYTES));
    let (part, parts) = piece.map_or(([0; 4], [0; 4]), |piece| {
        (piece.part.to_le_bytes(), piece.parts.to_le_bytes())
    });
    let mut id_parts: Vec<&[u8]> = vec![
        endpoint.as_bytes(),
        content_type.unwrap_or_default().as_bytes(),
        reason.as_bytes(),
        body,
    ];
    if let Some(piece) = &piece {
        id_parts.extend([&part[..], &parts[..], piece.whole_sha256.as_bytes()]);
    }
    let id = event_id(provider, EventKind::Unparsed, &id_parts);
    let data = UnparsedData {
        reason,
        endpoint,
        content_type: content_type.map(str::to_string),
        body: text,
        body_encoding,
        part: piece.map(|piece| piece.part),
        parts: piece.map(|piece| piece.parts),
        whole_sha256: piece.map(|piece| piece.whole_sha256.to_string()),
        received_at: receipt.received_at.clone(),
        auth: receipt.auth.clone(),
    };
    CloudEvent::new(
        provider,
        EventKind::Unparsed,
        id,
        None,
        receipt.received_at.clone(),
        EventData::Unparsed(data),
    )
}

/// Bytes of `text` as a JSON string's contents (serde_json's escaping).
pub fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

/// Bytes of `n` bytes in padded base64.
pub fn base64_len(n: usize) -> usize {
    n.div_ceil(3).saturating_mul(4)
}

/// `text` cut to at most `max` bytes at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Provider = crate::event::TEST_PROVIDER;

    fn receipt() -> Receipt {
        Receipt::new(Timestamp::from_unix_seconds(0), AuthInfo::None)
    }

    fn event(body: &[u8]) -> CloudEvent {
        unparsed(
            P,
            &PayloadError::MalformedJson,
            "reports",
            None,
            body,
            &receipt(),
        )
    }

    #[test]
    fn invalid_utf8_and_its_base64_text_get_different_ids() {
        // "\xff\xff\xff" is "////" in base64.
        let bytes = event(b"\xff\xff\xff");
        let text = event(b"////");
        assert_ne!(bytes.id, text.id);
        let EventData::Unparsed(data) = &bytes.data else {
            panic!("not unparsed")
        };
        assert_eq!((data.body.as_str(), data.body_encoding), ("////", "base64"));
    }

    #[test]
    fn text_stays_text_unless_escaping_would_cost_more_than_base64() {
        let EventData::Unparsed(plain) = event(b"smsMsgId=a&x=\"q\"").data else {
            panic!("not unparsed")
        };
        assert_eq!(plain.body_encoding, "utf8");
        let EventData::Unparsed(controls) = event(&[1u8; 300]).data else {
            panic!("not unparsed")
        };
        assert_eq!(controls.body_encoding, "base64");
        assert_eq!(controls.body.len(), 400);
    }

    #[test]
    fn overlong_content_types_are_cut_at_a_character_boundary() {
        let long = "é".repeat(200);
        let made = unparsed(
            P,
            &PayloadError::UnsupportedMediaType,
            "reports",
            Some(&long),
            b"",
            &receipt(),
        );
        let EventData::Unparsed(data) = made.data else {
            panic!("not unparsed")
        };
        let kept = data.content_type.unwrap_or_default();
        assert_eq!(kept.len(), 256);
        assert!(long.starts_with(&kept));
    }
}
