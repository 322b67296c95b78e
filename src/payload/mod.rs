//! Reading callback bodies into field lists, whatever the provider: form bodies, and JSON
//! objects (one batch entry, or one callback) split into raw members without a JSON tree.

pub mod fields;
pub mod form;
pub mod js_json;
pub mod json_scan;
pub mod percent;

pub use fields::{Extra, FieldValue, Fields, PayloadError};
pub use form::parse_form;
use json_scan::for_each_member;
use serde_json::value::RawValue;

/// One entry's fields; an entry that is not a JSON object is [`PayloadError::EntryNotAnObject`],
/// a key that appears twice a [`PayloadError::DuplicateField`].
pub fn entry_fields(entry: &RawValue) -> Result<Fields<'_>, PayloadError> {
    // The entry was validated while the batch was read; split it without parsing it again.
    let mut fields = Fields::new();
    let mut duplicate = None;
    let scanned = for_each_member(entry.get(), |name, value| {
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
    use super::MediaType;

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
