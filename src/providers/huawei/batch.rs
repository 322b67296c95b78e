//! `{"statusReportList": [ … ]}` batch bodies (`docs/huawei-protocol.md` §1.2), read without building a JSON tree:
//! entries and values stay borrowed slices of the body until a field is actually read.

use crate::payload::json::{Bad, Reader};
use crate::payload::PayloadError;

/// A batch body split into its entries, each still raw JSON, so an unreadable entry can be
/// forwarded exactly as Huawei wrote it while the rest of the batch goes on.
#[derive(Debug)]
pub struct Batch<'a> {
    pub entries: Vec<&'a str>,
    /// `true` when the envelope had keys besides `statusReportList`.
    pub has_unexpected_keys: bool,
}

pub use crate::payload::MAX_BATCH_ENTRIES;

pub fn parse_batch(body: &[u8]) -> Result<Batch<'_>, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::InvalidUtf8)?;
    // The envelope is read as serde_json read it into a map visitor (`payload::json`): the
    // first `statusReportList` as an array of raw entries, any other member skipped.
    let mut reader = Reader::new(text);
    let mut list: Option<Vec<&str>> = None;
    let mut other_keys = false;
    reader
        .map(&mut |r, name| {
            if name == "statusReportList" && list.is_none() {
                let mut entries = Vec::new();
                r.seq(&mut |r| {
                    entries.push(r.raw()?);
                    Ok(())
                })?;
                list = Some(entries);
            } else {
                r.raw()?;
                other_keys = true;
            }
            Ok(())
        })
        .and_then(|()| reader.end())
        .map_err(Bad::batch_error)?;
    let entries = list.ok_or(PayloadError::NotABatch)?;
    if entries.len() > MAX_BATCH_ENTRIES {
        return Err(PayloadError::BatchTooLarge);
    }
    if entries.is_empty() {
        return Err(PayloadError::EmptyBatch);
    }
    Ok(Batch {
        entries,
        has_unexpected_keys: other_keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::entry_fields;
    use serde_json::value::RawValue;

    /// The serde_json reading this module's reader replaced, kept as its oracle.
    mod serde_oracle {
        use super::super::MAX_BATCH_ENTRIES;
        use crate::payload::PayloadError;
        use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
        use serde_json::value::RawValue;
        use std::borrow::Cow;
        use std::fmt;

        pub fn parse_batch(body: &[u8]) -> Result<(Vec<&str>, bool), PayloadError> {
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
            Ok((
                entries.iter().map(|e| e.get()).collect(),
                envelope.other_keys,
            ))
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
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
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
    }

    const TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\"statusReportList\"",
        "\"appKey\"",
        "\"\\ud800\"",
        "\"x\"",
        "1",
        "1e400",
        "-0",
        "null",
        "true",
        "nul",
        "\"",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn batches_read_as_serde_json_read_them(picks in proptest::collection::vec(0..TOKENS.len(), 0..14)) {
            let body: String = picks.iter().filter_map(|&i| TOKENS.get(i).copied()).collect();
            let ours = parse_batch(body.as_bytes()).map(|b| (b.entries, b.has_unexpected_keys));
            proptest::prop_assert_eq!(ours, serde_oracle::parse_batch(body.as_bytes()), "{}", body);
            let arrays = crate::payload::json_array(body.as_bytes());
            let oracle = serde_json::from_str::<Vec<&RawValue>>(&body)
                .map(|v| v.iter().map(|e| e.get()).collect::<Vec<_>>())
                .map_err(|e| if e.is_data() { PayloadError::NotABatch } else { PayloadError::MalformedJson })
                .and_then(|v| if v.is_empty() { Err(PayloadError::EmptyBatch) } else { Ok(v) });
            proptest::prop_assert_eq!(arrays, oracle, "{}", body);
        }
    }

    #[test]
    fn splits_entries_and_keeps_them_verbatim() {
        let batch =
            parse_batch(br#"{"statusReportList":[{"smsMsgId":"a","status":"DELIVRD"}, "junk" ]}"#);
        let entries: Vec<&str> = batch
            .as_ref()
            .map(|b| b.entries.clone())
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
        assert_eq!(entry_fields(&entry), Err(PayloadError::TooManyFields));
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
        let fields =
            entry_fields(r#"{"smsMsgId":"a","total":2,"x\u0041":[1]}"#).unwrap_or_default();
        assert_eq!(
            fields.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            ["smsMsgId", "total", "xA"]
        );
        assert_eq!(
            entry_fields(r#"{"status":"A","status":"B"}"#),
            Err(PayloadError::DuplicateField("status".into()))
        );
        for not_object in ["1", "\"x\"", "null", "[1]"] {
            assert_eq!(
                entry_fields(not_object),
                Err(PayloadError::EntryNotAnObject)
            );
        }
    }
}
