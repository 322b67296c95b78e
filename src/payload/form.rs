//! `application/x-www-form-urlencoded` bodies.
//!
//! A parser of our own over `percent-encoding`, not `serde_urlencoded` or `form_urlencoded`:
//! those decode lossily (invalid UTF-8 becomes U+FFFD, so a body would be silently altered),
//! and a map target loses field order and duplicates, which the relay must see to refuse a
//! body that names a field twice rather than guess which value the provider meant.

use super::fields::{FieldValue, Fields, PayloadError};
use super::percent;
use std::borrow::Cow;

/// Decodes a form body into fields. Unlike lenient form parsers it refuses to guess: a value
/// that is not UTF-8 after decoding, or a field that appears twice, makes the body unreadable
/// (and it is then forwarded whole as an unparsed event).
pub fn parse_form(body: &[u8]) -> Result<Fields<'_>, PayloadError> {
    let mut fields = Fields::new();
    for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(index) => {
                let (name, equals_and_value) = pair.split_at(index);
                (name, equals_and_value.get(1..).unwrap_or_default())
            }
            None => (pair, &[][..]),
        };
        fields.insert(decode_text(name)?, FieldValue::Text(decode_text(value)?))?;
    }
    Ok(fields)
}

/// Borrows the text when there is nothing to decode (the common case), else decodes a copy (a
/// signed form's parameters are decoded by it too: `providers::signature`).
pub fn decode_text(raw: &[u8]) -> Result<Cow<'_, str>, PayloadError> {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| PayloadError::InvalidUtf8);
    }
    String::from_utf8(percent::decode(raw, true))
        .map(Cow::Owned)
        .map_err(|_| PayloadError::InvalidUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'f>(fields: &'f Fields<'_>, name: &str) -> Option<&'f str> {
        match fields.get(name) {
            Some(FieldValue::Text(text)) => Some(text),
            _ => None,
        }
    }

    #[test]
    fn decodes_the_docs_example() {
        let fields = parse_form(crate::testing::huawei::STATUS_REPORT.as_bytes());
        let fields = fields.unwrap_or_default();
        assert_eq!(fields.len(), 7);
        assert_eq!(text(&fields, "updateTime"), Some("2018-04-13T06:31:46Z"));
        assert_eq!(text(&fields, "status"), Some("DELIVRD"));
    }

    #[test]
    fn plus_and_utf8_escapes_decode() {
        let fields = parse_form(b"from=%2B8615500000000&body=%E4%BD%A0%E5%A5%BD+there&flag")
            .unwrap_or_default();
        assert_eq!(text(&fields, "from"), Some("+8615500000000"));
        assert_eq!(text(&fields, "body"), Some("你好 there"));
        assert_eq!(text(&fields, "flag"), Some(""));
    }

    #[test]
    fn ten_thousand_fields_are_refused_without_quadratic_work() {
        let body: Vec<String> = (0..10_000).map(|i| format!("f{i}=1")).collect();
        assert_eq!(
            parse_form(body.join("&").as_bytes()),
            Err(PayloadError::TooManyFields)
        );
    }

    #[test]
    fn the_same_name_and_value_twice_is_one_field() {
        let fields = parse_form(b"Tag=a&status=DELIVRD&Tag=a&Tag=%61").unwrap_or_default();
        assert_eq!(fields.len(), 2);
        assert_eq!(
            fields.get("Tag"),
            Some(&FieldValue::Text(Cow::Borrowed("a")))
        );
        assert!(parse_form(b"Tag=a&Tag=b").is_err());
    }

    #[test]
    fn refuses_duplicates_and_invalid_utf8() {
        assert_eq!(
            parse_form(b"status=DELIVRD&status=UNDELIV"),
            Err(PayloadError::DuplicateField("status".into()))
        );
        assert_eq!(parse_form(b"body=%FF%FE"), Err(PayloadError::InvalidUtf8));
        assert_eq!(parse_form(b"\xff=1"), Err(PayloadError::InvalidUtf8));
    }
}
