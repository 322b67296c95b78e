//! `application/x-www-form-urlencoded` bodies.

use super::fields::{Fields, PayloadError};
use crate::percent;
use serde_json::Value;

/// Decodes a form body into fields. Unlike lenient form parsers it refuses to guess: a value
/// that is not UTF-8 after decoding, or a field that appears twice, makes the body unreadable
/// (and it is then forwarded whole as an unparsed event).
pub fn parse_form(body: &[u8]) -> Result<Fields, PayloadError> {
    let mut fields = Fields::new();
    for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(index) => {
                let (name, equals_and_value) = pair.split_at(index);
                (name, equals_and_value.get(1..).unwrap_or_default())
            }
            None => (pair, &[][..]),
        };
        let name = decode_text(name)?;
        let value = decode_text(value)?;
        if fields.contains_key(&name) {
            return Err(PayloadError::DuplicateField(name));
        }
        fields.insert(name, Value::String(value));
    }
    Ok(fields)
}

fn decode_text(raw: &[u8]) -> Result<String, PayloadError> {
    String::from_utf8(percent::decode(raw, true)).map_err(|_| PayloadError::InvalidUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_docs_example() {
        let fields = parse_form(
            b"sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6&status=DELIVRD",
        );
        let fields = fields.unwrap_or_default();
        assert_eq!(fields.len(), 7);
        assert_eq!(
            fields.get("updateTime"),
            Some(&Value::from("2018-04-13T06:31:46Z"))
        );
        assert_eq!(fields.get("status"), Some(&Value::from("DELIVRD")));
    }

    #[test]
    fn plus_and_utf8_escapes_decode() {
        let fields = parse_form(b"from=%2B8615500000000&body=%E4%BD%A0%E5%A5%BD+there&flag")
            .unwrap_or_default();
        assert_eq!(fields.get("from"), Some(&Value::from("+8615500000000")));
        assert_eq!(fields.get("body"), Some(&Value::from("你好 there")));
        assert_eq!(fields.get("flag"), Some(&Value::from("")));
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
