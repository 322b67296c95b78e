//! What the vendors that sign a form's parameters share (Twilio, Plivo): why a signature was
//! refused ([`SignatureError`]), and a form's parameters decoded and in signing order
//! ([`form_params`]): sorted by name, then value, in UTF-16 code units, as JavaScript's
//! `sort()` orders them, both vendors' helpers being JavaScript.

use crate::http::AuthFailure;
use crate::payload::form::decode_text;
use std::borrow::Cow;

/// Why a push was not accepted as signed by a vendor that signs a form's parameters (Twilio,
/// Plivo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No signature header (`X-Twilio-Signature`; Plivo's, or their nonce).
    Missing,
    /// The signature matches no configured auth token.
    Mismatch,
    /// A body the signature does not vouch for: neither form-encoded nor covered by Twilio's
    /// `bodySHA256`, or not a form under Plivo's V3.
    BodyNotSigned,
    /// The form body is not UTF-8 once decoded: there is nothing Twilio could have signed.
    UnreadableForm,
}

impl SignatureError {
    /// The refusal's failure: what the `401` answer says. An unreadable form is answered as
    /// a mismatch: no signature could match it.
    pub fn failure(self) -> AuthFailure {
        match self {
            SignatureError::Missing => AuthFailure::MissingSignature,
            SignatureError::Mismatch | SignatureError::UnreadableForm => {
                AuthFailure::SignatureMismatch
            }
            SignatureError::BodyNotSigned => AuthFailure::BodyNotSigned,
        }
    }

    pub fn code(self) -> &'static str {
        self.failure().code()
    }
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "no signature header, or no nonce with it",
            SignatureError::Mismatch => "the signature matches no configured auth token",
            SignatureError::BodyNotSigned => "the signature does not cover a body of this kind",
            SignatureError::UnreadableForm => "the form is not UTF-8 once decoded",
        })
    }
}

impl std::error::Error for SignatureError {}

/// One decoded form parameter: name and value.
pub type Param<'b> = (Cow<'b, str>, Cow<'b, str>);

/// A form body's parameters, decoded, in signing order: by name, then by value, a parameter
/// sent twice with the same value kept once (Twilio's helper signs each distinct value once).
/// Most parameters a signed form may carry. Twilio's callbacks carry a few dozen; the bound
/// keeps an unauthenticated body from buying a sort and HMACs over half a million pairs.
pub const MAX_SIGNED_PARAMS: usize = 1000;

pub fn form_params(body: &[u8]) -> Result<Vec<Param<'_>>, SignatureError> {
    let mut params = Vec::new();
    for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        if params.len() >= MAX_SIGNED_PARAMS {
            return Err(SignatureError::UnreadableForm);
        }
        let mut parts = pair.splitn(2, |&b| b == b'=');
        let name = decode(parts.next().unwrap_or_default())?;
        let value = decode(parts.next().unwrap_or_default())?;
        params.push((name, value));
    }
    crate::sort::sort_by(&mut params, |(a, x), (b, y)| {
        a.encode_utf16()
            .cmp(b.encode_utf16())
            .then_with(|| x.encode_utf16().cmp(y.encode_utf16()))
    });
    // Equal pairs are now adjacent.
    params.dedup();
    Ok(params)
}

/// A name or value decoded as the form reader decodes it; not UTF-8, nothing was signed.
fn decode(raw: &[u8]) -> Result<Cow<'_, str>, SignatureError> {
    decode_text(raw).map_err(|_| SignatureError::UnreadableForm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_parameter_is_kept_once_per_distinct_value_in_signing_order() {
        let params = form_params(b"Tag=b&To=%2B1&Tag=a&Tag=b&%C3%A9=1&Z=2").unwrap();
        let names_values: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        assert_eq!(
            names_values,
            [
                ("Tag", "a"),
                ("Tag", "b"),
                ("To", "+1"),
                ("Z", "2"),
                ("é", "1")
            ]
        );
    }

    #[test]
    fn a_form_beyond_the_bound_or_not_utf8_is_unreadable() {
        let many = "a=1&".repeat(MAX_SIGNED_PARAMS + 1);
        assert_eq!(
            form_params(many.as_bytes()).map(|_| ()),
            Err(SignatureError::UnreadableForm)
        );
        let most = "a=1&".repeat(MAX_SIGNED_PARAMS);
        assert_eq!(form_params(most.as_bytes()).map(|p| p.len()), Ok(1));
        assert_eq!(
            form_params(b"a=%FF").map(|_| ()),
            Err(SignatureError::UnreadableForm)
        );
    }
}
