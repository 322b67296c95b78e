//! Percent-encoding as Huawei's signer and HTML forms use it.
//!
//! Written here rather than pulled in because both users need byte-level control: the signer
//! re-encodes bytes that may not be UTF-8, and the form parser must notice invalid UTF-8
//! instead of replacing it (which would silently change what Huawei sent).

/// Decodes `%XY` escapes into bytes. A `%` not followed by two hex digits is kept literally,
/// as browsers and Huawei's Python signer do. With `plus_as_space`, `+` decodes to a space
/// (form bodies); in URLs it stays a `+`.
pub fn decode(input: &[u8], plus_as_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let byte = input[i];
        match byte {
            b'%' => match (
                input.get(i + 1).copied().and_then(crate::hex::nibble),
                input.get(i + 2).copied().and_then(crate::hex::nibble),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_as_space => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// Appends `bytes` to `out` with every byte outside RFC 3986's unreserved set
/// (`A-Z a-z 0-9 - _ . ~`) written as `%XY` with upper-case hex.
pub fn encode_unreserved(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_broken_ones() {
        assert_eq!(decode(b"a%20b%3a%3A", false), b"a b::");
        assert_eq!(decode(b"100%", false), b"100%");
        assert_eq!(decode(b"%zz%4", false), b"%zz%4");
        assert_eq!(decode(b"%E4%BD%A0", false), "你".as_bytes());
    }

    #[test]
    fn plus_is_a_space_only_in_forms() {
        assert_eq!(decode(b"a+b", true), b"a b");
        assert_eq!(decode(b"a+b", false), b"a+b");
        assert_eq!(decode(b"%2B", true), b"+");
    }

    #[test]
    fn encodes_everything_but_unreserved() {
        let mut out = String::new();
        encode_unreserved("a b/~-_.Z9+你".as_bytes(), &mut out);
        assert_eq!(out, "a%20b%2F~-_.Z9%2B%E4%BD%A0");
    }
}
