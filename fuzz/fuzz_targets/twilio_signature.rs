#![no_main]
//! Twilio's signature: the first byte is the URL's length, then the URL, then the body. What
//! the signer signs verifies, under the token that signed it only; any header value, URL and
//! body is refused or accepted without a panic.
use libfuzzer_sys::fuzz_target;
use sms_relay::config::Secret;
use sms_relay::providers::twilio::signature::{form_params, sign, verify, SignedBody};

fuzz_target!(|data: &[u8]| {
    let Some((&url_len, rest)) = data.split_first() else {
        return;
    };
    let (url, body) = rest.split_at(usize::from(url_len).min(rest.len()));
    let url = String::from_utf8_lossy(url);
    let tokens = [Secret::new("12345".into())];
    let _ = verify(Some(&String::from_utf8_lossy(body)), &url, SignedBody::Form(body), &tokens);
    let _ = verify(Some("x"), &url, SignedBody::Other(body), &tokens);
    if let Ok(params) = form_params(body) {
        let signature = sign("12345", &url, &params);
        assert_eq!(verify(Some(&signature), &url, SignedBody::Form(body), &tokens), Ok(1));
        let other = [Secret::new("54321".into())];
        assert!(verify(Some(&signature), &url, SignedBody::Form(body), &other).is_err());
    }
});
