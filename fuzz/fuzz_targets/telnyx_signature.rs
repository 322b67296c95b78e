#![no_main]
//! Telnyx's signature: the first byte is the signature header's length, then that header, then
//! the body. Any header value and body is refused or turned into a check without a panic; a
//! webhook signed with the test key at the relay's time becomes a check that verifies under
//! that key only, over exactly `timestamp|body`, and never once the body or time changes.
use libfuzzer_sys::fuzz_target;
use sms_relay::clock::Timestamp;
use sms_relay::http::PushRequest;
use sms_relay::providers::registry::Verification;
use sms_relay::providers::telnyx::signature::{check, SIGNATURE, TIMESTAMP};
use sms_relay::testing::{sign_ed25519, verify_ed25519, ED25519_TEST_SEED};

const TEST_KEY: [u8; 32] = [
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
];

fn run(signature: &str, timestamp: &str, body: &[u8], keys: &[[u8; 32]], now: Timestamp) -> Option<Verification> {
    let headers = vec![
        (SIGNATURE.to_string(), signature.to_string()),
        (TIMESTAMP.to_string(), timestamp.to_string()),
    ];
    let request = PushRequest { method: "POST", url: "https://r/telnyx/webhooks", path: "/telnyx/webhooks", query: "", headers: &headers, body };
    check(&request, keys, now).ok().map(|check| verify_ed25519(&check))
}

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (header, body) = rest.split_at(usize::from(len).min(rest.len()));
    let now = Timestamp::from_unix_seconds(1_575_926_000);
    let keys = [[7u8; 32], TEST_KEY];
    let _ = run(&String::from_utf8_lossy(header), &String::from_utf8_lossy(header), body, &keys, now);
    let mut message = b"1575926000|".to_vec();
    message.extend_from_slice(body);
    let signed = base64_encode(&sign_ed25519(&ED25519_TEST_SEED, &message));
    assert_eq!(run(&signed, "1575926000", body, &keys, now), Some(Verification::Verified(1)));
    assert_ne!(run(&signed, "1575926001", body, &keys, now), Some(Verification::Verified(1)));
    assert_eq!(run(&signed, "1575926000", body, &keys[..1], now), Some(Verification::NotVerified));
    assert_eq!(run(&signed, "1575926000", body, &keys, Timestamp::from_unix_seconds(1_575_926_301)), None);
    let mut changed = body.to_vec();
    changed.push(b' ');
    assert_eq!(run(&signed, "1575926000", &changed, &keys, now), Some(Verification::NotVerified));
});

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
