//! A Yunpian reply's `_sign` (`docs/providers.md`, "Yunpian"): lower-case hex MD5 of the
//! values of every member but `_sign`, in the order of their names, each followed by `,`,
//! then the account's apikey. Yunpian signs replies only; there is no timestamp, so nothing
//! bounds a replay (the event id of a replayed reply is the same, so a consumer sees a repeat).

use crate::crypto::md5_hex;
use crate::http::AuthFailure;
use crate::payload::fields::{value_non_empty, value_text};
use crate::payload::{FieldValue, Fields};
use crate::settings::Secret;
use std::borrow::Cow;
use subtle::ConstantTimeEq;

/// The member that carries the signature.
pub const SIGN: &str = "_sign";

/// Why a reply was not accepted as Yunpian's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `_sign` (or a body that cannot be read as a reply, so none can be found).
    Missing,
    /// `_sign` matches no configured apikey.
    Mismatch,
}

impl SignatureError {
    /// The `401` answer's failure.
    pub fn failure(self) -> AuthFailure {
        match self {
            SignatureError::Missing => AuthFailure::MissingSignature,
            SignatureError::Mismatch => AuthFailure::SignatureMismatch,
        }
    }
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "no _sign in the reply",
            SignatureError::Mismatch => "the _sign matches no configured apikey",
        })
    }
}

impl std::error::Error for SignatureError {}

/// What is signed before the apikey: each value but `_sign`'s, by member name (byte order),
/// followed by `,`. A string is its text, a number its literal, `null` empty, anything else
/// its JSON as written.
pub fn signed_values(fields: &Fields<'_>) -> String {
    let mut signed = String::new();
    let mut last = None;
    // Names are distinct (a repeated one makes the reply unreadable): each pass takes the
    // least name after the last one.
    while let Some((name, value)) = fields
        .iter()
        .filter(|(name, _)| *name != SIGN && last.is_none_or(|last| *name > last))
        .min_by(|a, b| a.0.cmp(b.0))
    {
        signed.push_str(&text(value));
        signed.push(',');
        last = Some(name);
    }
    signed
}

fn text<'f>(value: &'f FieldValue<'_>) -> Cow<'f, str> {
    match (value_text(Some(value), SIGN), value) {
        (Ok(text), _) => text.unwrap_or_default(),
        (Err(_), FieldValue::Json(raw)) => Cow::Borrowed(raw),
        (Err(_), FieldValue::Text(text)) => Cow::Borrowed(text),
    }
}

/// The `_sign` Yunpian computes for a reply with these members under `apikey`.
pub fn sign(fields: &Fields<'_>, apikey: &str) -> String {
    let mut signed = signed_values(fields);
    signed.push_str(apikey);
    md5_hex(signed.as_bytes())
}

/// The 1-based position of the apikey whose `_sign` the reply carries. Every apikey is
/// compared, each in constant time.
pub fn verify(fields: &Fields<'_>, apikeys: &[Secret]) -> Result<u8, SignatureError> {
    let given = value_non_empty(fields.get(SIGN), SIGN)
        .ok()
        .flatten()
        .ok_or(SignatureError::Missing)?;
    let mut signed = signed_values(fields);
    let values = signed.len();
    let mut matched = 0;
    for (index, apikey) in apikeys.iter().enumerate().rev() {
        signed.truncate(values);
        signed.push_str(apikey.expose());
        if bool::from(
            md5_hex(signed.as_bytes())
                .as_bytes()
                .ct_eq(given.as_bytes()),
        ) {
            matched = u8::try_from(index + 1).unwrap_or(u8::MAX);
        }
    }
    match matched {
        0 => Err(SignatureError::Mismatch),
        index => Ok(index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::json_object;

    /// Yunpian's published example (its reply push page): the text's comma and exclamation
    /// mark are the full-width U+FF0C and U+FF01; with ASCII ones the hash differs.
    const DOCUMENTED: &str = r#"{"id":"2a70c6bb4f2845da816ea1bfe5732747","mobile":"15205201314","reply_time":"2014-03-17 22:55:21","text":"收到了，谢谢！","extend":"01","base_extend":"8888","_sign":"393d079e0a00912335adfe46f4a2e10f"}"#;

    #[test]
    fn the_published_vector() {
        let fields = json_object(DOCUMENTED.as_bytes()).unwrap();
        assert_eq!(
            signed_values(&fields),
            "8888,01,2a70c6bb4f2845da816ea1bfe5732747,15205201314,2014-03-17 22:55:21,收到了，谢谢！,"
        );
        assert_eq!(sign(&fields, "0000"), "393d079e0a00912335adfe46f4a2e10f");
        assert_eq!(verify(&fields, &[Secret::new("0000".into())]), Ok(1));
        // Rotation: either apikey verifies, and the event says which.
        let rotation = [Secret::new("1111".into()), Secret::new("0000".into())];
        assert_eq!(verify(&fields, &rotation), Ok(2));
        assert_eq!(
            verify(&fields, &[Secret::new("0001".into())]),
            Err(SignatureError::Mismatch)
        );
        let ascii = DOCUMENTED.replace('，', ",").replace('！', "!");
        let fields = json_object(ascii.as_bytes()).unwrap();
        assert_eq!(
            verify(&fields, &[Secret::new("0000".into())]),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn values_are_signed_by_name_whatever_their_order_and_type() {
        let fields =
            json_object(br#"{"b":2,"_sign":"x","a":"\u0041","c":null,"d":true,"e":[1]}"#).unwrap();
        assert_eq!(signed_values(&fields), "A,2,,true,[1],");
        for missing in [
            r#"{"a":"1"}"#,
            r#"{"a":"1","_sign":""}"#,
            r#"{"_sign":null}"#,
        ] {
            let fields = json_object(missing.as_bytes()).unwrap();
            assert_eq!(
                verify(&fields, &[Secret::new("0000".into())]),
                Err(SignatureError::Missing),
                "{missing}"
            );
        }
    }
}
