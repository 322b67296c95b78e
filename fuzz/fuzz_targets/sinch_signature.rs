#![no_main]
//! Sinch's signature: the first byte is the nonce's length, then the nonce, then the body. What
//! the signer signs verifies under the secret that signed it and within the window only; any
//! header values and body are refused or accepted without a panic.
use libfuzzer_sys::fuzz_target;
use sms_relay::clock::Timestamp;
use sms_relay::config::Secret;
use sms_relay::http::PushRequest;
use sms_relay::providers::sinch::signature::{sign, verify, ALGORITHM, NONCE, SIGNATURE, TIMESTAMP};

fuzz_target!(|data: &[u8]| {
    let Some((&nonce_len, rest)) = data.split_first() else {
        return;
    };
    let (nonce, body) = rest.split_at(usize::from(nonce_len).min(rest.len()));
    let nonce = String::from_utf8_lossy(nonce);
    let secrets = [Secret::new("old".into()), Secret::new("SMSWebhooksSecret".into())];
    let now = Timestamp::from_unix_seconds(1_736_760_161);
    let check = |signature: &str, timestamp: &str, body: &[u8], secrets: &[Secret], now| {
        let headers: Vec<(String, String)> = [
            (SIGNATURE, signature),
            (ALGORITHM, "HmacSHA256"),
            (NONCE, &nonce),
            (TIMESTAMP, timestamp),
        ]
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
        let request = PushRequest { method: "POST", url: "https://r/sinch/callbacks", path: "/sinch/callbacks", query: "", headers: &headers, body };
        verify(&request, secrets, now)
    };
    // Arbitrary header values: never a panic.
    let _ = check(&String::from_utf8_lossy(body), &nonce, body, &secrets, now);
    let signature = sign(b"SMSWebhooksSecret", body, &nonce, "1736760161");
    assert_eq!(check(&signature, "1736760161", body, &secrets, now), Ok(2));
    assert!(check(&signature, "1736760161", body, &secrets[..1], now).is_err());
    assert!(check(&signature, "1736760162", body, &secrets, now).is_err());
    let late = Timestamp::from_unix_seconds(1_736_760_161 + 86_401);
    assert!(check(&signature, "1736760161", body, &secrets, late).is_err());
});
