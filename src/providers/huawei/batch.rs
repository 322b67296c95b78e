//! `{"statusReportList": [ … ]}` batch bodies (`docs/huawei-protocol.md` §1.2), read without building a JSON tree:
//! entries and values stay borrowed slices of the body until a field is actually read.

use crate::payload::PayloadError;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A batch body split into its entries, each still raw JSON, so an unreadable entry can be
/// forwarded exactly as Huawei wrote it while the rest of the batch goes on.
#[derive(Debug)]
pub struct Batch<'a> {
    pub entries: Vec<&'a RawValue>,
    /// `true` when the envelope had keys besides `statusReportList`.
    pub has_unexpected_keys: bool,
}

pub use crate::payload::MAX_BATCH_ENTRIES;

pub fn parse_batch(body: &[u8]) -> Result<Batch<'_>, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::InvalidUtf8)?;
    let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|error| {
        // Valid JSON of the wrong shape (an array, null, a list that is not a list) is not a
        // batch; anything else is not JSON at all.
        if error.is_data() {
            PayloadError::NotABatch
        } else {
            PayloadError::MalformedJson
        }
    })?;
    let entries = envelope.list.ok_or(PayloadError::NotABatch)?;
    if entries.len() > MAX_BATCH_ENTRIES {
        return Err(PayloadError::BatchTooLarge);
    }
    if entries.is_empty() {
        return Err(PayloadError::EmptyBatch);
    }
    Ok(Batch {
        entries,
        has_unexpected_keys: envelope.other_keys,
    })
}

/// The batch object: its list of raw entries, and whether anything else was in it.
struct Envelope<'a> {
    list: Option<Vec<&'a RawValue>>,
    other_keys: bool,
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;
        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = Envelope<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(r#"{"statusReportList": [...]}"#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut envelope = Envelope {
                    list: None,
                    other_keys: false,
                };
                while let Some(name) = map.next_key::<Name<'de>>()? {
                    if name.0 == "statusReportList" && envelope.list.is_none() {
                        envelope.list = Some(map.next_value()?);
                    } else {
                        map.next_value::<&'de RawValue>()?;
                        envelope.other_keys = true;
                    }
                }
                Ok(envelope)
            }
        }
        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

/// A member name, borrowed from the input unless it had to be unescaped.
struct Name<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Borrowed(value)))
            }
            fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Owned(value.to_string())))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::entry_fields;

    #[test]
    fn splits_entries_and_keeps_them_verbatim() {
        let batch =
            parse_batch(br#"{"statusReportList":[{"smsMsgId":"a","status":"DELIVRD"}, "junk" ]}"#);
        let entries: Vec<&str> = batch
            .as_ref()
            .map(|b| b.entries.iter().map(|e| e.get()).collect())
            .unwrap_or_default();
        assert_eq!(
            entries,
            [r#"{"smsMsgId":"a","status":"DELIVRD"}"#, r#""junk""#]
        );
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
            (b"{\"statusReportList\":", "malformed_json"),
            (b"[]", "not_a_batch"),
            (b"null", "not_a_batch"),
            (b"\"x\"", "not_a_batch"),
            (br#"{"statusReportList":{}}"#, "not_a_batch"),
            (br#"{"other":[]}"#, "not_a_batch"),
            (b"{\"a\":\"\xff\"}", "invalid_utf8"),
        ] {
            assert_eq!(
                parse_batch(body).map(|_| ()).map_err(|e| e.code()),
                Err(code),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn oversized_batches_and_entries_are_refused_whole() {
        let entries = vec!["{}"; MAX_BATCH_ENTRIES + 1].join(",");
        let body = format!(r#"{{"statusReportList":[{entries}]}}"#);
        assert_eq!(
            parse_batch(body.as_bytes()).map(|_| ()),
            Err(PayloadError::BatchTooLarge)
        );
        let members: Vec<String> = (0..=crate::payload::fields::MAX_FIELDS)
            .map(|i| format!(r#""f{i}":1"#))
            .collect();
        let entry = format!("{{{}}}", members.join(","));
        let raw: &RawValue = serde_json::from_str(&entry).unwrap_or(RawValue::NULL);
        assert_eq!(entry_fields(raw), Err(PayloadError::TooManyFields));
    }

    #[test]
    fn notices_extra_envelope_keys() {
        let batch = parse_batch(br#"{"statusReportList":[{}],"appKey":"x"}"#);
        assert!(matches!(
            batch,
            Ok(Batch {
                has_unexpected_keys: true,
                ..
            })
        ));
    }

    #[test]
    fn entry_fields_borrow_and_refuse_duplicates_and_non_objects() {
        let raw: &RawValue = serde_json::from_str(r#"{"smsMsgId":"a","total":2,"x\u0041":[1]}"#)
            .unwrap_or(RawValue::NULL);
        let fields = entry_fields(raw).unwrap_or_default();
        assert_eq!(
            fields.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            ["smsMsgId", "total", "xA"]
        );
        let duplicate: &RawValue =
            serde_json::from_str(r#"{"status":"A","status":"B"}"#).unwrap_or(RawValue::NULL);
        assert_eq!(
            entry_fields(duplicate),
            Err(PayloadError::DuplicateField("status".into()))
        );
        for not_object in ["1", "\"x\"", "null", "[1]"] {
            let raw: &RawValue = serde_json::from_str(not_object).unwrap_or(RawValue::NULL);
            assert_eq!(entry_fields(raw), Err(PayloadError::EntryNotAnObject));
        }
    }
}
