//! Every hash as a function of its whole input, and one HMAC (RFC 2104) over any of them, sized
//! for the wasm: each hash's finalization is compiled once whatever calls it (Vonage's five
//! signature methods, Plivo's HMAC-SHA256, Yunpian's MD5 `_sign`). SHA-512 is a compact loop of
//! FIPS 180-4's rounds (the `sha2` crate unrolls them into about 11 KB of wasm), and MD5 one of
//! its 64 steps (the `md-5` crate's is 2 KB, now a dev-dependency only), both checked against
//! those crates in the tests. The streaming MACs of [`super::hmac_sha256`] and
//! [`super::hmac_sha1`] stay where a signer feeds its message in parts (Huawei, Twilio).

use sha1::{Digest, Sha1};

/// A hash, as a function of its whole input.
pub type Hash = fn(&[u8]) -> Vec<u8>;

/// MD5's per-step constants (RFC 1321 §3.4): the integer part of 2³² × |sin(i + 1)|.
const MD5_K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// MD5's rotations: four per round, each used in turn.
const MD5_S: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/// MD5 of `data` (RFC 1321), as a loop of its 64 steps (the `md-5` crate unrolls them).
pub fn md5(data: &[u8]) -> Vec<u8> {
    let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    let bits = (data.len() as u64).wrapping_mul(8);
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bits.to_le_bytes());
    for block in message.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (word, bytes) in m.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_le_bytes(bytes.try_into().unwrap_or_default());
        }
        let [mut a, mut b, mut c, mut d] = state;
        for (i, k) in MD5_K.iter().enumerate() {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), 5 * i + 1),
                2 => (b ^ c ^ d, 3 * i + 5),
                _ => (c ^ (b | !d), 7 * i),
            };
            let rotation = MD5_S.get(i / 16 * 4 + i % 4).copied().unwrap_or_default();
            let word = m.get(g % 16).copied().unwrap_or_default();
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(*k)
                .wrapping_add(word)
                .rotate_left(rotation);
            (a, b, c, d) = (d, b.wrapping_add(rotated), b, c);
        }
        for (word, add) in state.iter_mut().zip([a, b, c, d]) {
            *word = word.wrapping_add(add);
        }
    }
    state.iter().flat_map(|word| word.to_le_bytes()).collect()
}

/// SHA-1 of `data`.
#[inline(never)]
pub fn sha1(data: &[u8]) -> Vec<u8> {
    Sha1::digest(data).to_vec()
}

/// SHA-256 of `data`.
#[inline(never)]
pub fn sha256(data: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(data).to_vec()
}

/// HMAC of `data` under `key` with `hash`, whose block is `block` bytes: a key longer than a
/// block is replaced by its hash, a shorter one padded with zeros.
pub fn hmac(hash: Hash, block: usize, key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut key = if key.len() > block {
        hash(key)
    } else {
        key.to_vec()
    };
    key.resize(block, 0);
    let mut inner: Vec<u8> = key.iter().map(|byte| byte ^ 0x36).collect();
    inner.extend_from_slice(data);
    let mut outer: Vec<u8> = key.iter().map(|byte| byte ^ 0x5c).collect();
    outer.extend(hash(&inner));
    hash(&outer)
}

/// HMAC-SHA256 of `data` under `key`, whole (Plivo's signatures, Vonage's JWTs): the one HMAC
/// above over [`sha256`]. [`crate::crypto::hmac_sha256`] is the streaming MAC, for a signer that
/// feeds its message in parts.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac(sha256, 64, key, data)
}

/// SHA-512's round constants: the first 64 bits of the fractional parts of the cube roots of
/// the first 80 primes.
const K: [u64; 80] = [
    0x428a2f98d728ae22,
    0x7137449123ef65cd,
    0xb5c0fbcfec4d3b2f,
    0xe9b5dba58189dbbc,
    0x3956c25bf348b538,
    0x59f111f1b605d019,
    0x923f82a4af194f9b,
    0xab1c5ed5da6d8118,
    0xd807aa98a3030242,
    0x12835b0145706fbe,
    0x243185be4ee4b28c,
    0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f,
    0x80deb1fe3b1696b1,
    0x9bdc06a725c71235,
    0xc19bf174cf692694,
    0xe49b69c19ef14ad2,
    0xefbe4786384f25e3,
    0x0fc19dc68b8cd5b5,
    0x240ca1cc77ac9c65,
    0x2de92c6f592b0275,
    0x4a7484aa6ea6e483,
    0x5cb0a9dcbd41fbd4,
    0x76f988da831153b5,
    0x983e5152ee66dfab,
    0xa831c66d2db43210,
    0xb00327c898fb213f,
    0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2,
    0xd5a79147930aa725,
    0x06ca6351e003826f,
    0x142929670a0e6e70,
    0x27b70a8546d22ffc,
    0x2e1b21385c26c926,
    0x4d2c6dfc5ac42aed,
    0x53380d139d95b3df,
    0x650a73548baf63de,
    0x766a0abb3c77b2a8,
    0x81c2c92e47edaee6,
    0x92722c851482353b,
    0xa2bfe8a14cf10364,
    0xa81a664bbc423001,
    0xc24b8b70d0f89791,
    0xc76c51a30654be30,
    0xd192e819d6ef5218,
    0xd69906245565a910,
    0xf40e35855771202a,
    0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8,
    0x1e376c085141ab53,
    0x2748774cdf8eeb99,
    0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63,
    0x4ed8aa4ae3418acb,
    0x5b9cca4f7763e373,
    0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc,
    0x78a5636f43172f60,
    0x84c87814a1f0ab72,
    0x8cc702081a6439ec,
    0x90befffa23631e28,
    0xa4506cebde82bde9,
    0xbef9a3f7b2c67915,
    0xc67178f2e372532b,
    0xca273eceea26619c,
    0xd186b8c721c0c207,
    0xeada7dd6cde0eb1e,
    0xf57d4f7fee6ed178,
    0x06f067aa72176fba,
    0x0a637dc5a2c898a6,
    0x113f9804bef90dae,
    0x1b710b35131c471b,
    0x28db77f523047d84,
    0x32caab7b40c72493,
    0x3c9ebe0a15c9bebc,
    0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6,
    0x597f299cfc657e2a,
    0x5fcb6fab3ad6faec,
    0x6c44198c4a475817,
];

/// SHA-512 of `data` (FIPS 180-4 §6.4).
pub fn sha512(data: &[u8]) -> Vec<u8> {
    let mut state: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let bits = (data.len() as u128).wrapping_mul(8);
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 128 != 112 {
        message.push(0);
    }
    message.extend_from_slice(&bits.to_be_bytes());
    for block in message.chunks_exact(128) {
        compress(&mut state, block);
    }
    let mut digest = Vec::with_capacity(64);
    for word in std::hint::black_box(&state) {
        digest.extend_from_slice(&word.to_be_bytes());
    }
    digest
}

/// One 128-byte block into `state`. The schedule is a window of 16 words: at round `t`,
/// `w[0]` is `W(t)`, and `W(t + 16)` joins at the end. The loops' counts are hidden from the
/// optimizer (`black_box`), which would unroll them into three times the code.
fn compress(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u64; 16];
    for (word, bytes) in w
        .iter_mut()
        .zip(block.chunks_exact(std::hint::black_box(8)))
    {
        *word = bytes
            .iter()
            .fold(0, |word, byte| (word << 8) | u64::from(*byte));
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for k in std::hint::black_box(&K) {
        let t1 = h
            .wrapping_add(e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41))
            .wrapping_add((e & f) ^ (!e & g))
            .wrapping_add(*k)
            .wrapping_add(w[0]);
        let t2 = (a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39))
            .wrapping_add((a & b) ^ (a & c) ^ (b & c));
        (h, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        let (w1, w14) = (w[1], w[14]);
        let next = (w14.rotate_right(19) ^ w14.rotate_right(61) ^ (w14 >> 6))
            .wrapping_add(w[9])
            .wrapping_add(w1.rotate_right(1) ^ w1.rotate_right(8) ^ (w1 >> 7))
            .wrapping_add(w[0]);
        w.rotate_left(1);
        w[15] = next;
    }
    for (word, add) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *word = word.wrapping_add(add);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The `hmac` crate's MAC of `data` under `key` with hash `D`.
    fn crate_hmac<D>(key: &[u8], data: &[u8]) -> Vec<u8>
    where
        D: sha2::digest::core_api::CoreProxy,
        hmac::SimpleHmac<D>: hmac::Mac + hmac::digest::KeyInit,
        D: sha2::Digest + sha2::digest::core_api::BlockSizeUser,
    {
        let mut mac = <hmac::SimpleHmac<D> as hmac::digest::KeyInit>::new_from_slice(key).unwrap();
        hmac::Mac::update(&mut mac, data);
        hmac::Mac::finalize(mac).into_bytes().to_vec()
    }

    #[test]
    fn published_vectors_of_hmac_md5_and_hmac_sha512() {
        // RFC 2202 test case 2, RFC 4231 test case 2.
        let hex = crate::crypto::hex;
        let message = b"what do ya want for nothing?";
        assert_eq!(
            hex(&hmac(md5, 64, b"Jefe", message)),
            "750c783e6ab0b503eaa86e310a5db738"
        );
        assert_eq!(
            hex(&hmac(sha512, 128, b"Jefe", message)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert_eq!(
            crate::crypto::md5_hex(b"abc"),
            "900150983cd24fb0d6963f7d28e17f72"
        );
    }

    #[test]
    fn md5_of_rfc_1321s_examples() {
        let hex = |data: &[u8]| crate::crypto::hex(&md5(data));
        assert_eq!(hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    #[test]
    fn sha512_of_fips_180_2s_examples() {
        let hex = |data: &[u8]| crate::crypto::hex(&sha512(data));
        assert_eq!(
            hex(b"abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(
            hex(b""),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
    }

    proptest! {
        #[test]
        fn every_digest_and_hmac_agrees_with_the_crates(data in proptest::collection::vec(any::<u8>(), 0..300), key in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(sha512(&data), sha2::Sha512::digest(&data).to_vec());
            prop_assert_eq!(md5(&data), md5::Md5::digest(&data).to_vec());
            let crates = [
                crate_hmac::<md5::Md5>(&key, &data),
                crate_hmac::<Sha1>(&key, &data),
                crate_hmac::<sha2::Sha256>(&key, &data),
                crate_hmac::<sha2::Sha512>(&key, &data),
            ];
            let ours = [
                hmac(md5, 64, &key, &data),
                hmac(sha1, 64, &key, &data),
                hmac(sha256, 64, &key, &data),
                hmac(sha512, 128, &key, &data),
            ];
            prop_assert_eq!(ours, crates);
        }
    }
}
