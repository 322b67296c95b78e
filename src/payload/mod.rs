//! Reading callback bodies into field lists, whatever the provider: form bodies, and JSON
//! objects (one batch entry, or one callback) split into raw members without a JSON tree.

pub mod fields;
pub mod form;
pub mod js_json;
pub mod json;
pub mod json_scan;
pub mod percent;

pub use fields::{Extra, ExtraValue, FieldValue, Fields, PayloadError};
pub use form::parse_form;
use json::{Bad, Reader};
use json_scan::for_each_member;

/// Most entries one push may carry. Huawei documents at most 50 reports per batch, Tencent at
/// most 100, Alibaba no maximum. Each entry becomes an event and a KV write, and a Worker has
/// a bounded number of operations per request, so a larger "batch" is kept whole as one
/// unparsed event instead of being fanned out.
pub const MAX_BATCH_ENTRIES: usize = 100;

/// A body that is a JSON array (Alibaba's and Tencent's pushes), split into its entries, each
/// still raw JSON so an unreadable one can be kept exactly as written.
pub fn json_array(body: &[u8]) -> Result<Vec<&str>, PayloadError> {
    json_array_of(body, MAX_BATCH_ENTRIES)
}

/// [`json_array`] of at most `max_entries` entries.
pub fn json_array_of(body: &[u8], max_entries: usize) -> Result<Vec<&str>, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::InvalidUtf8)?;
    // Read as serde_json read a `Vec<&RawValue>` (`json`).
    let mut reader = Reader::new(text);
    let mut entries = Vec::new();
    reader
        .seq(&mut |r| {
            entries.push(r.raw()?);
            Ok(())
        })
        .and_then(|()| reader.end())
        .map_err(Bad::batch_error)?;
    if entries.len() > max_entries {
        return Err(PayloadError::BatchTooLarge);
    }
    if entries.is_empty() {
        return Err(PayloadError::EmptyBatch);
    }
    Ok(entries)
}

/// A body that is one JSON object (Tencent's replies), split into its fields.
pub fn json_object(body: &[u8]) -> Result<Fields<'_>, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::InvalidUtf8)?;
    let raw = json::raw_value(text).map_err(|_| PayloadError::MalformedJson)?;
    entry_fields(raw).map_err(|error| match error {
        PayloadError::EntryNotAnObject => PayloadError::NotAnObject,
        other => other,
    })
}

/// One entry's fields; an entry that is not a JSON object is [`PayloadError::EntryNotAnObject`],
/// a key that appears twice a [`PayloadError::DuplicateField`].
pub fn entry_fields(entry: &str) -> Result<Fields<'_>, PayloadError> {
    // The entry was validated while the batch was read; split it without parsing it again.
    let mut fields = Fields::new();
    let mut duplicate = None;
    let scanned = for_each_member(entry, |name, value| {
        match fields.insert(name, FieldValue::Json(value)) {
            Ok(()) => Some(()),
            Err(error) => {
                duplicate = Some(error);
                None
            }
        }
    });
    match (scanned, duplicate) {
        (_, Some(error)) => Err(error),
        (None, None) => Err(PayloadError::EntryNotAnObject),
        (Some(()), None) => Ok(fields),
    }
}

/// The media types the relay accepts, told apart by type/subtype only (case-insensitive,
/// parameters ignored): Huawei documents `application/json` and sends `application/JSON;charset=UTF-8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Form,
    Json,
}

impl MediaType {
    pub fn from_content_type(header: Option<&str>) -> Option<MediaType> {
        let essence = header?.split(';').next()?.trim();
        if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            Some(MediaType::Form)
        } else if essence.eq_ignore_ascii_case("application/json") {
            Some(MediaType::Json)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_split_into_raw_entries_and_objects_into_fields() {
        let entries = json_array(br#"[{"a":1}, "x" ]"#).unwrap_or_default();
        assert_eq!(entries, [r#"{"a":1}"#, r#""x""#]);
        for (body, error) in [
            (&b"[]"[..], PayloadError::EmptyBatch),
            (b"{}", PayloadError::NotABatch),
            (b"[", PayloadError::MalformedJson),
            (b"[\"\xff\"]", PayloadError::InvalidUtf8),
        ] {
            assert_eq!(json_array(body).map(|_| ()), Err(error));
        }
        let many = format!("[{}]", vec!["1"; MAX_BATCH_ENTRIES + 1].join(","));
        assert_eq!(
            json_array(many.as_bytes()).map(|_| ()),
            Err(PayloadError::BatchTooLarge)
        );
        assert_eq!(json_object(br#"{"text":"hi"}"#).map(|f| f.len()), Ok(1));
        assert_eq!(json_object(b"[1]"), Err(PayloadError::NotAnObject));
        assert_eq!(json_object(b"{"), Err(PayloadError::MalformedJson));
    }

    #[test]
    fn media_type_ignores_case_and_parameters() {
        assert_eq!(
            MediaType::from_content_type(Some("application/JSON;charset=UTF-8")),
            Some(MediaType::Json)
        );
        assert_eq!(
            MediaType::from_content_type(Some(
                " Application/X-WWW-Form-Urlencoded ; charset=utf-8"
            )),
            Some(MediaType::Form)
        );
        assert_eq!(MediaType::from_content_type(Some("text/plain")), None);
        assert_eq!(
            MediaType::from_content_type(Some("application/jsonx")),
            None
        );
        assert_eq!(MediaType::from_content_type(None), None);
    }
}
