//! Test-only: the Ed25519 key the tests sign Telnyx's webhooks with, and the native check that
//! stands in for the edge's WebCrypto step (`ed25519-compact`, never in the worker).

use crate::providers::registry::{SignatureCheck, Verification};

/// RFC 8032's test-1 secret key (seed): the tests sign Telnyx's webhooks with it.
pub const ED25519_TEST_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

/// The Ed25519 signature of `message` by the key of `seed`.
pub fn sign_ed25519(seed: &[u8; 32], message: &[u8]) -> [u8; 64] {
    let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(*seed));
    *pair.sk.sign(message, None)
}

/// What the edge's WebCrypto step answers for `check`, computed natively: the first key that
/// verifies, in order.
pub fn verify_ed25519(check: &SignatureCheck) -> Verification {
    let signature = ed25519_compact::Signature::new(check.signature);
    check
        .keys
        .iter()
        .position(|key| {
            ed25519_compact::PublicKey::new(*key)
                .verify(&check.message, &signature)
                .is_ok()
        })
        .map_or(Verification::NotVerified, Verification::Verified)
}
