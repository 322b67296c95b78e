//! Plivo's signatures (`docs/providers.md`, "Plivo"): Base64 of HMAC-SHA256 under an auth token,
//! in `X-Plivo-Signature-V3` (the (sub)account's token) or `X-Plivo-Signature-Ma-V3` (the main
//! account's), with `X-Plivo-Signature-V3-Nonce`; where neither V3 header is sent, the older
//! `X-Plivo-Signature-V2` / `-Ma-V2` with `-V2-Nonce`.
//!
//! - **V3** covers the URL and the parameters, as plivo-node's `validateV3Signature`
//!   (`lib/utils/v3Security.js`) and plivo-python's `validate_v3_signature`
//!   (`plivo/utils/signature_v3.py`) compute it: `scheme://host[:port]/path`, then `?` and the
//!   URL's query parameters, decoded and sorted, as `name=value` joined by `&` (a GET's
//!   parameters are its query); for a POST with form parameters, `?` even without a query, a
//!   `.` after a non-empty query, and the form's parameters sorted, as `namevalue` with no
//!   separator; then `.` and the nonce.
//! - **V2** covers `scheme://host[:port]/path` followed by the nonce: not the query, not the
//!   body.
//!
//! A header may carry several signatures separated by commas; one that matches is enough.
//! Names (then values) are sorted by UTF-16 code units, as plivo-node's `sort()`. The URL is
//! the one the request arrived on, with its port.

use crate::crypto::digest::hmac_sha256;
use crate::http::PushRequest;
use crate::payload::MediaType;
use crate::providers::common::{header, split_at_byte};
use crate::providers::signature::{form_params, SignatureError};
use crate::settings::Secret;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use subtle::{Choice, ConstantTimeEq};

/// The V3 headers: the (sub)account's signature, the main account's, the nonce.
pub const V3_HEADERS: [&str; 3] = [
    "x-plivo-signature-v3",
    "x-plivo-signature-ma-v3",
    "x-plivo-signature-v3-nonce",
];
/// The V2 headers, in the same order.
pub const V2_HEADERS: [&str; 3] = [
    "x-plivo-signature-v2",
    "x-plivo-signature-ma-v2",
    "x-plivo-signature-v2-nonce",
];

/// The 1-based position of the auth token that signed `request`: by V3 when a V3 signature
/// header is present, else by V2.
pub fn verify(request: &PushRequest<'_>, tokens: &[Secret]) -> Result<u8, SignatureError> {
    let header = |name| header(request, name);
    let v3 = header(V3_HEADERS[0]).or(header(V3_HEADERS[1])).is_some();
    let [own, main, nonce] = if v3 { V3_HEADERS } else { V2_HEADERS };
    let nonce = header(nonce).ok_or(SignatureError::Missing)?;
    // Both headers' signatures, each one between commas.
    let given = [
        header(own).unwrap_or_default(),
        header(main).unwrap_or_default(),
    ]
    .join(",");
    if given == "," {
        return Err(SignatureError::Missing);
    }
    let data = if v3 {
        let form = MediaType::from_content_type(header("content-type"));
        let params = match (form, request.body.is_empty()) {
            (Some(MediaType::Form), _) => request.body,
            // Plivo posts forms: a V3 signature vouches for no other body.
            (_, false) => return Err(SignatureError::BodyNotSigned),
            (_, true) => &[],
        };
        v3_data(request.url, params, nonce)?
    } else {
        [base_url(request.url), nonce].concat()
    };
    for (index, token) in tokens.iter().enumerate() {
        let expected = sign(token.expose(), &data);
        let matched = given
            .split(',')
            .fold(Choice::from(0), |matched, signature| {
                matched | signature.trim().as_bytes().ct_eq(expected.as_bytes())
            });
        if bool::from(matched) {
            return Ok(u8::try_from(index + 1).unwrap_or(u8::MAX));
        }
    }
    Err(SignatureError::Mismatch)
}

/// Base64(HMAC-SHA256(token, data)): a signature as Plivo writes it.
pub fn sign(token: &str, data: &str) -> String {
    STANDARD.encode(hmac_sha256(token.as_bytes(), data.as_bytes()))
}

/// `scheme://host[:port]/path`: the URL without its query and fragment.
pub fn base_url(url: &str) -> &str {
    base_and_query(url).0
}

/// What V3 signs for a request to `url` whose form body is `params` (empty for a GET, whose
/// parameters are in its query) with `nonce`.
pub fn v3_data(url: &str, params: &[u8], nonce: &str) -> Result<String, SignatureError> {
    let (base, query) = base_and_query(url);
    let query = form_params(query.as_bytes())?;
    let post = form_params(params)?;
    let mut pieces = vec![base];
    if !query.is_empty() || !post.is_empty() {
        pieces.push("?");
    }
    for (index, (name, value)) in query.iter().enumerate() {
        pieces.extend([if index == 0 { "" } else { "&" }, name, "=", value]);
    }
    if !query.is_empty() && !post.is_empty() {
        pieces.push(".");
    }
    for (name, value) in &post {
        pieces.extend([&**name, &**value]);
    }
    pieces.extend([".", nonce]);
    Ok(pieces.concat())
}

/// `scheme://host[:port]/path` and the query of `url`, without its fragment.
fn base_and_query(url: &str) -> (&str, &str) {
    let (url, _) = split_at_byte(url, b'#', false).unwrap_or((url, ""));
    split_at_byte(url, b'?', false).unwrap_or((url, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "my_auth_token";
    const PARAMS: &[u8] = b"MessageUUID=0936ec98-7c4c-11e4-9bd8-22000afa12b9&Status=delivered&To=14155551212&From=14155550000";

    fn tokens(list: &[&str]) -> Vec<Secret> {
        list.iter().map(|t| Secret::new(t.to_string())).collect()
    }

    fn request<'a>(
        method: &'a str,
        url: &'a str,
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> PushRequest<'a> {
        PushRequest {
            method,
            url,
            path: "",
            query: "",
            headers,
            body,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// plivo-python's test vector (`tests/resources/test_signature.py`).
    #[test]
    fn plivos_published_v2_vector() {
        let expected = "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=";
        assert_eq!(sign(TOKEN, "https://answer.url12345"), expected);
        let signed = headers(&[
            ("X-Plivo-Signature-V2", expected),
            ("X-Plivo-Signature-V2-Nonce", "12345"),
        ]);
        let push = request("POST", "https://answer.url", &signed, b"");
        assert_eq!(verify(&push, &tokens(&[TOKEN])), Ok(1));
        assert_eq!(
            verify(&push, &tokens(&["my_auth_tokens"])),
            Err(SignatureError::Mismatch)
        );
        // The query is not signed, the body neither.
        let push = request("POST", "https://answer.url?x=1", &signed, b"a=1");
        assert_eq!(verify(&push, &tokens(&["other", TOKEN])), Ok(2));
    }

    /// The three V3 cases of plivo-python's `signature_v3.py`, computed with its functions.
    #[test]
    fn the_v3_vectors() {
        let form = ("content-type", "application/x-www-form-urlencoded");
        for (method, url, body, data, expected) in [
            (
                "POST",
                "https://example.com/plivo/status?b=2&a=1",
                PARAMS,
                "https://example.com/plivo/status?a=1&b=2.From14155550000MessageUUID0936ec98-7c4c-11e4-9bd8-22000afa12b9StatusdeliveredTo14155551212.12345",
                "Qkmtsc/n79JcTHugbPNifW9dug3qesdOM6/IfGAXHno=",
            ),
            (
                "POST",
                "https://example.com/plivo/status",
                PARAMS,
                "https://example.com/plivo/status?From14155550000MessageUUID0936ec98-7c4c-11e4-9bd8-22000afa12b9StatusdeliveredTo14155551212.12345",
                "GHLYpqrJHG80DhSyRhnWHV0W6tkUZ8q/1TRi5w4jqnQ=",
            ),
            (
                "GET",
                "https://example.com/plivo/status?MessageUUID=0936ec98-7c4c-11e4-9bd8-22000afa12b9&Status=delivered&To=14155551212&From=14155550000",
                b"",
                "https://example.com/plivo/status?From=14155550000&MessageUUID=0936ec98-7c4c-11e4-9bd8-22000afa12b9&Status=delivered&To=14155551212.12345",
                "UHEOj0+cuPXsm7PdsSw2McNFQIkVxOzozj8adVNJgMg=",
            ),
        ] {
            assert_eq!(v3_data(url, body, "12345").as_deref(), Ok(data));
            assert_eq!(sign(TOKEN, data), expected);
            let mut signed = headers(&[
                ("x-plivo-signature-v3", expected),
                ("x-plivo-signature-v3-nonce", "12345"),
            ]);
            if method == "POST" {
                signed.push((form.0.into(), form.1.into()));
            }
            let push = request(method, url, &signed, body);
            assert_eq!(verify(&push, &tokens(&[TOKEN])), Ok(1), "{url}");
            // The main account's header, among other signatures.
            let listed = format!("bogus=,{expected}");
            let mut main = headers(&[
                ("X-Plivo-Signature-Ma-V3", &listed),
                ("X-Plivo-Signature-V3-Nonce", "12345"),
            ]);
            main.extend(signed.iter().skip(2).cloned());
            let push = request(method, url, &main, body);
            assert_eq!(verify(&push, &tokens(&["sub", TOKEN])), Ok(2), "{url}");
        }
    }

    #[test]
    fn v3_decides_and_covers_the_parameters() {
        let data = v3_data("https://h/p", PARAMS, "n").unwrap();
        let signature = sign(TOKEN, &data);
        let signed = headers(&[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-plivo-signature-v3", &signature),
            ("x-plivo-signature-v3-nonce", "n"),
            // A valid V2 signature does not rescue a failing V3 one.
            ("x-plivo-signature-v2", &sign(TOKEN, "https://h/pn")),
            ("x-plivo-signature-v2-nonce", "n"),
        ]);
        let token = tokens(&[TOKEN]);
        assert_eq!(
            verify(&request("POST", "https://h/p", &signed, PARAMS), &token),
            Ok(1)
        );
        for (url, body) in [
            ("https://h/p", &b"MessageUUID=x&Status=failed"[..]),
            ("https://h/p?extra=1", PARAMS),
            ("https://h:8443/p", PARAMS),
            ("http://h/p", PARAMS),
        ] {
            assert_eq!(
                verify(&request("POST", url, &signed, body), &token),
                Err(SignatureError::Mismatch),
                "{url}"
            );
        }
        let json = headers(&[
            ("content-type", "application/json"),
            ("x-plivo-signature-v3", &signature),
            ("x-plivo-signature-v3-nonce", "n"),
        ]);
        assert_eq!(
            verify(&request("POST", "https://h/p", &json, b"{}"), &token),
            Err(SignatureError::BodyNotSigned)
        );
        let no_nonce = headers(&[("x-plivo-signature-v3", &signature)]);
        assert_eq!(
            verify(&request("POST", "https://h/p", &no_nonce, PARAMS), &token),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(&request("POST", "https://h/p", &[], PARAMS), &token),
            Err(SignatureError::Missing)
        );
        // A POST without parameters signs the URL and its query as a GET does.
        assert_eq!(
            v3_data("https://h/p", b"", "n").as_deref(),
            Ok("https://h/p.n")
        );
        assert_eq!(
            v3_data("https://h/p?b=%20&a", b"", "n").as_deref(),
            Ok("https://h/p?a=&b= .n")
        );
        assert_eq!(
            v3_data("https://h/p?a=1&a=0#f", b"z=1&y=2", "n").as_deref(),
            Ok("https://h/p?a=0&a=1.y2z1.n")
        );
    }
}
