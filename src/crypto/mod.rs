//! What the relay's signatures are built from, behind helpers that cannot fail, so no caller
//! carries an "unreachable" fallback: HMAC-SHA256 (Huawei's signatures, Standard Webhooks,
//! Sinch's) and HMAC-SHA1 (Twilio's) as the `hmac` crate's streaming MACs for a key of any
//! length; lower-case hex, through the `hex` crate's slice encoder (event ids use it too); the
//! hex SHA-256 of a body; and, in [`digest`], every hash as a function of its whole input with
//! one HMAC over any of them (Vonage's five signature methods, Plivo's, Yunpian's MD5 `_sign`).

pub mod digest;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};

/// SHA-256's (and SHA-1's) block size: the length of an HMAC key once it is normalized.
const BLOCK_BYTES: usize = 64;

/// HMAC-SHA256 keyed with `key`, whatever its length.
///
/// `Hmac::new_from_slice` returns a `Result` for the sake of MACs with fixed key sizes; for
/// HMAC it never fails. Rather than handle an error that cannot happen, the key is normalized
/// here exactly as RFC 2104 §2 defines it — a key longer than the hash's block is replaced by
/// its digest, and a shorter one is padded with zeros to one block — and passed to the
/// infallible block-sized constructor. The result is the same MAC (tested against
/// `new_from_slice` for keys of every length around the block size).
pub fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new(GenericArray::from_slice(&block_key::<Sha256, BLOCK_BYTES>(
        key,
    )))
}

/// HMAC-SHA1 keyed with `key`, the same way: Twilio signs its webhooks with it.
pub fn hmac_sha1(key: &[u8]) -> Hmac<Sha1> {
    <Hmac<Sha1> as Mac>::new(GenericArray::from_slice(&block_key::<Sha1, BLOCK_BYTES>(
        key,
    )))
}

/// Lower-case hex of MD5 of `bytes` (signatures only; MD5 is what those vendors chose), by
/// [`digest::md5`]: the relay links one MD5.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex(&digest::md5(bytes))
}

/// `key` normalized to one block of `D` (`N` bytes: 64 for SHA-1 and SHA-256).
fn block_key<D: Digest, const N: usize>(key: &[u8]) -> [u8; N] {
    let mut block = [0u8; N];
    if key.len() > N {
        let digest = D::digest(key);
        for (slot, byte) in block.iter_mut().zip(digest.iter()) {
            *slot = *byte;
        }
    } else {
        for (slot, byte) in block.iter_mut().zip(key) {
            *slot = *byte;
        }
    }
    block
}

/// `bytes` as lower-case hex, through the `hex` crate's slice encoder (its iterator-based
/// `encode` was a twentieth of the cost of normalizing a batch).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    // The buffer is exactly twice the input, the one length `encode_to_slice` accepts.
    let _ = hex::encode_to_slice(bytes, &mut out);
    // Hex digits are ASCII, so this always takes the first branch.
    String::from_utf8(out).unwrap_or_default()
}

/// Lower-case hex of SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_variable_length_constructor_for_every_key_length() {
        for length in (0..=200).chain([1000, 4096]) {
            let key: Vec<u8> = (0..length).map(|i| (i * 7 + 3) as u8).collect();
            let ours = hmac_sha256(&key)
                .chain_update(b"message")
                .finalize()
                .into_bytes();
            let theirs = <Hmac<Sha256> as Mac>::new_from_slice(&key)
                .unwrap()
                .chain_update(b"message")
                .finalize()
                .into_bytes();
            assert_eq!(ours, theirs, "key of {length} bytes");
            let ours = hmac_sha1(&key).chain_update(b"m").finalize().into_bytes();
            let theirs = <Hmac<Sha1> as Mac>::new_from_slice(&key)
                .unwrap()
                .chain_update(b"m")
                .finalize()
                .into_bytes();
            assert_eq!(ours, theirs, "SHA-1, key of {length} bytes");
        }
    }

    #[test]
    fn rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe")
            .chain_update(b"what do ya want for nothing?")
            .finalize()
            .into_bytes();
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0x7f, 0xab, 0xff]), "007fabff");
        assert_eq!(hex(&[]), "");
    }
}
