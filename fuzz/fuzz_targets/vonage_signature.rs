#![no_main]
//! Vonage's signatures: the first byte picks the SMS API method and whether the rest is a form
//! or a JSON object; the rest is the callback. A `sig` made over what the SMS API signs
//! verifies by its API key's entry only, a Messages API JWT over any body by its API key's
//! secret only, and any `sig` value or `Authorization` header is refused or accepted without
//! a panic.
use libfuzzer_sys::fuzz_target;
use sms_relay::config::Secret;
use sms_relay::crypto::hex;
use sms_relay::payload::{json_object, parse_form};
use sms_relay::providers::vonage::settings::Algorithm;
use sms_relay::providers::vonage::signature::{
    digest, sign_jwt, string_to_sign, verify_jwt, verify_sig,
};

const METHODS: [(&str, Algorithm); 5] = [
    ("md5hash", Algorithm::Md5Hash),
    ("md5", Algorithm::Md5),
    ("sha1", Algorithm::Sha1),
    ("sha256", Algorithm::Sha256),
    ("sha512", Algorithm::Sha512),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let (name, algorithm) = METHODS[usize::from(selector) % METHODS.len()];
    let entries = [
        Secret::new(format!("k:{name}:secret-one")),
        Secret::new("other:sha256:secret-two".to_string()),
    ];
    // Whatever it carries: refused or accepted, never a panic.
    if let Ok(fields) = parse_form(body) {
        let _ = verify_sig(&fields, &entries);
    }
    if let Ok(fields) = json_object(body) {
        let _ = verify_sig(&fields, &entries);
        let _ = string_to_sign(&fields);
    }
    // The form signed by `k`, as Vonage adds `api-key` and `sig`, verifies by `k`'s entry.
    let keyed = [body, b"&api-key=k"].concat();
    if let Some(signed) = parse_form(&keyed).ok().and_then(|f| string_to_sign(&f)) {
        let sig = hex(&digest(algorithm, "secret-one", &signed)).to_uppercase();
        let signed_body = [&keyed[..], b"&sig=", sig.as_bytes()].concat();
        if let Ok(fields) = parse_form(&signed_body) {
            assert_eq!(
                verify_sig(&fields, &entries).map(|(key, index)| (key, index)),
                Ok(("k".to_string(), 1))
            );
            assert!(verify_sig(&fields, &entries[1..]).is_err());
        }
    }
    let _ = verify_jwt(&String::from_utf8_lossy(body), body, &entries);
    let jwt = format!("Bearer {}", sign_jwt("other", "secret-two", body));
    assert_eq!(verify_jwt(&jwt, body, &entries), Ok(("other".to_string(), 2)));
    assert!(verify_jwt(&jwt, body, &entries[..1]).is_err());
});
