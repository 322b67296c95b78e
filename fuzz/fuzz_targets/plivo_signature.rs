#![no_main]
//! Plivo's signatures: the first byte is the URL's length, the second picks the method, then
//! the URL, then the body. A V3 signature over what V3 signs verifies, by the token that made
//! it only, and so does a V2 one; any header value, URL and body is refused or accepted
//! without a panic.
use libfuzzer_sys::fuzz_target;
use sms_relay::config::Secret;
use sms_relay::http::PushRequest;
use sms_relay::providers::plivo::signature::{base_url, sign, v3_data, verify};

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

fuzz_target!(|data: &[u8]| {
    let Some((&url_len, rest)) = data.split_first() else {
        return;
    };
    let Some((&method, rest)) = rest.split_first() else {
        return;
    };
    let (url, body) = rest.split_at(usize::from(url_len).min(rest.len()));
    let url = String::from_utf8_lossy(url);
    let (method, body) = if method % 2 == 0 { ("GET", &b""[..]) } else { ("POST", body) };
    let tokens = [Secret::new("token-a".into()), Secret::new("token-b".into())];
    let header = |name: &str, value: &str| (name.to_string(), value.to_string());
    let form = header("content-type", "application/x-www-form-urlencoded");
    // Arbitrary header values: refused or accepted, never a panic.
    let junk = String::from_utf8_lossy(body).into_owned();
    let forged = [
        form.clone(),
        header("x-plivo-signature-ma-v3", &junk),
        header("x-plivo-signature-v3-nonce", &junk),
    ];
    let _ = verify(&request(method, &url, &forged, body), &tokens);
    if let Ok(signed) = v3_data(&url, body, "nonce") {
        let signature = sign("token-b", &signed);
        let headers = [
            form.clone(),
            header("x-plivo-signature-v3", &format!("x,{signature}")),
            header("x-plivo-signature-v3-nonce", "nonce"),
        ];
        assert_eq!(verify(&request(method, &url, &headers, body), &tokens), Ok(2));
        let other = [Secret::new("token-c".into())];
        assert!(verify(&request(method, &url, &headers, body), &other).is_err());
    }
    let v2 = sign("token-a", &format!("{}nonce", base_url(&url)));
    let headers = [
        header("x-plivo-signature-v2", &v2),
        header("x-plivo-signature-v2-nonce", "nonce"),
    ];
    assert_eq!(verify(&request(method, &url, &headers, body), &tokens), Ok(1));
});
