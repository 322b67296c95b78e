//! `{"statusReportList": [ … ]}` batch bodies (spec §1.2).

use super::fields::{Fields, PayloadError};
use serde_json::Value;

/// A batch body split into its entries. An entry that is not an object stays as its JSON
/// value so it can be forwarded unparsed; the rest of the batch is unaffected.
#[derive(Debug)]
pub struct Batch {
    pub entries: Vec<Result<Fields, Value>>,
    /// `true` when the envelope had keys besides `statusReportList`.
    pub has_unexpected_keys: bool,
}

pub fn parse_batch(body: &[u8]) -> Result<Batch, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::InvalidUtf8)?;
    let envelope: Value = serde_json::from_str(text).map_err(|_| PayloadError::MalformedJson)?;
    let Value::Object(mut envelope) = envelope else {
        return Err(PayloadError::NotABatch);
    };
    let Some(Value::Array(list)) = envelope.remove("statusReportList") else {
        return Err(PayloadError::NotABatch);
    };
    let entries = list
        .into_iter()
        .map(|entry| match entry {
            Value::Object(fields) => Ok(fields),
            other => Err(other),
        })
        .collect();
    Ok(Batch {
        entries,
        has_unexpected_keys: !envelope.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_entries_and_keeps_bad_ones() {
        let batch =
            parse_batch(br#"{"statusReportList":[{"smsMsgId":"a","status":"DELIVRD"},"junk"]}"#);
        let entries = batch
            .as_ref()
            .map(|b| b.entries.as_slice())
            .unwrap_or_default();
        assert_eq!(entries.len(), 2);
        assert!(entries.first().is_some_and(Result::is_ok));
        assert_eq!(entries.get(1), Some(&Err(Value::from("junk"))));
        assert!(matches!(
            batch,
            Ok(Batch {
                has_unexpected_keys: false,
                ..
            })
        ));
    }

    #[test]
    fn rejects_what_is_not_a_batch() {
        for (body, code) in [
            (&b"not json"[..], "malformed_json"),
            (b"[]", "not_a_batch"),
            (b"null", "not_a_batch"),
            (b"\"x\"", "not_a_batch"),
            (br#"{"statusReportList":{}}"#, "not_a_batch"),
            (br#"{"other":[]}"#, "not_a_batch"),
            (b"{\"a\":\"\xff\"}", "invalid_utf8"),
        ] {
            assert_eq!(
                parse_batch(body).map(|_| ()).map_err(|e| e.code()),
                Err(code)
            );
        }
    }

    #[test]
    fn notices_extra_envelope_keys() {
        let batch = parse_batch(br#"{"statusReportList":[],"appKey":"x"}"#);
        assert!(matches!(
            batch,
            Ok(Batch {
                has_unexpected_keys: true,
                ..
            })
        ));
    }
}
