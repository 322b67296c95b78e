//! Reading Huawei's callback bodies into field maps: form-encoded single reports and uplinks,
//! and JSON batches of status reports (spec §1.1–1.3).

pub mod batch;
pub mod fields;
pub mod form;
pub mod json_scan;

pub use batch::{entry_fields, parse_batch, Batch};
pub use fields::{Extra, FieldValue, Fields, PayloadError};
pub use form::parse_form;

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
