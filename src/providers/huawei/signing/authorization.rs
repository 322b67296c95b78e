//! Parsing `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.

/// The only algorithm Huawei's pushes use.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The three parts of a push's `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// Opaque key id, looked up in the configured key set.
    pub access_key: &'a str,
    /// `;`-separated lower-case header names, in the order the sender signed them.
    pub signed_headers: &'a str,
    /// The 32-byte HMAC, decoded from 64 hex digits.
    pub signature: [u8; 32],
}

/// Why an `Authorization` header could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationError {
    /// Another scheme with its credentials (`Bearer …`, `Basic …`, AWS…).
    UnsupportedAlgorithm,
    /// Not `<scheme> <credentials>` at all (`garbage`), or the right scheme with its parts
    /// not as Huawei writes them.
    Malformed,
}

impl std::fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthorizationError::UnsupportedAlgorithm => "a scheme other than SDK-HMAC-SHA256",
            AuthorizationError::Malformed => "not an SDK-HMAC-SHA256 Authorization header",
        })
    }
}

impl std::error::Error for AuthorizationError {}

/// Reads the header the way Huawei's own verification sample does
/// (`SDK-HMAC-SHA256\s+Access=([^,]+),\s?SignedHeaders=([^,]+),\s?Signature=(\w+)`): the parts in
/// this order, separated by `,` with or without one space (the docs omit it, the SDKs write it).
pub fn parse_authorization(header: &str) -> Result<Authorization<'_>, AuthorizationError> {
    let header = header.trim();
    let (scheme, rest) = header
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((header, ""));
    let rest = rest.trim_start();
    if scheme != ALGORITHM {
        // RFC 9110 §11.4: credentials are a scheme token, then its parameters.
        let other_scheme = !rest.is_empty() && !scheme.is_empty() && scheme.bytes().all(is_tchar);
        return Err(if other_scheme {
            AuthorizationError::UnsupportedAlgorithm
        } else {
            AuthorizationError::Malformed
        });
    }
    let (access_key, rest) = take_part(rest, "Access=")?;
    let (signed_headers, rest) = take_part(rest, "SignedHeaders=")?;
    let signature_hex = rest
        .strip_prefix("Signature=")
        .ok_or(AuthorizationError::Malformed)?;
    let mut signature = [0u8; 32];
    hex::decode_to_slice(signature_hex, &mut signature)
        .ok()
        .ok_or(AuthorizationError::Malformed)?;
    Ok(Authorization {
        access_key,
        signed_headers,
        signature,
    })
}

/// RFC 9110 §5.6.2 `tchar`: what a token, such as an authentication scheme, is made of.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Takes `name=value` up to the next `,` and skips the separator and at most one space.
fn take_part<'a>(input: &'a str, name: &str) -> Result<(&'a str, &'a str), AuthorizationError> {
    let after_name = input
        .strip_prefix(name)
        .ok_or(AuthorizationError::Malformed)?;
    let (value, rest) = after_name
        .split_once(',')
        .ok_or(AuthorizationError::Malformed)?;
    if value.is_empty() {
        return Err(AuthorizationError::Malformed);
    }
    Ok((value, rest.strip_prefix(' ').unwrap_or(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "0f213909a553ce3c4ad2f4c2f0dec306eb2ea3f93a9a38346d9023c30682c97f";

    #[test]
    fn reads_both_separator_styles() {
        for header in [
            format!("SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;x-sdk-date, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=ak,SignedHeaders=host;x-sdk-date,Signature={SIG}"),
        ] {
            let parsed = parse_authorization(&header);
            assert_eq!(
                parsed.as_ref().map(|a| (a.access_key, a.signed_headers)),
                Ok(("ak", "host;x-sdk-date"))
            );
            assert_eq!(
                parsed.map(|a| crate::crypto::hex(&a.signature)).as_deref(),
                Ok(SIG)
            );
        }
    }

    #[test]
    fn tells_other_schemes_from_broken_ones() {
        assert_eq!(
            parse_authorization("Bearer abc"),
            Err(AuthorizationError::UnsupportedAlgorithm)
        );
        assert_eq!(
            parse_authorization("SDK-HMAC-SHA256X Access=a"),
            Err(AuthorizationError::UnsupportedAlgorithm)
        );
        // Not credentials at all: no scheme and parameters.
        for garbage in [
            "garbage",
            "",
            "   ",
            "Bearer",
            "{json} x",
            "SDK-HMAC-SHA256,Access=a",
        ] {
            assert_eq!(
                parse_authorization(garbage),
                Err(AuthorizationError::Malformed),
                "{garbage}"
            );
        }
        for broken in [
            "SDK-HMAC-SHA256".to_string(),
            "SDK-HMAC-SHA256 Access=ak".to_string(),
            format!("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 SignedHeaders=host, Access=ak, Signature={SIG}"),
            "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=abc".to_string(),
            format!("SDK-HMAC-SHA256 Access=ak,  SignedHeaders=host, Signature={SIG}"),
            format!("SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature={SIG}00"),
        ] {
            assert!(parse_authorization(&broken).is_err(), "{broken}");
        }
    }
}
