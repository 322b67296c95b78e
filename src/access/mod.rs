//! Who may call the relay besides the providers' own authentication: `ALLOWED_IPS`, the
//! address ranges callbacks must come from (on the routes of providers that publish their
//! ranges), and `READ_TOKEN`, the bearer token for `/healthz`'s details and the status lookup.

pub mod ip_allow;

pub use ip_allow::IpAllowList;

use crate::settings::{parse_token, Reader, Secret, MIN_TOKEN_LENGTH};
use std::fmt;
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, Default)]
pub struct AccessSettings {
    /// `ALLOWED_IPS`: when set, callbacks must come from these ranges.
    pub allowed_ips: Option<IpAllowList>,
    /// `READ_TOKEN`: the bearer token for `/healthz` details and the status lookup.
    pub read_token: Option<Secret>,
}

impl AccessSettings {
    pub fn read(reader: &mut Reader<'_>) -> AccessSettings {
        AccessSettings {
            allowed_ips: reader.parse("ALLOWED_IPS", IpAllowList::parse),
            // Only the lookup and `/healthz`'s details use it: a bad one turns them off, never
            // ingestion.
            read_token: reader.feature("READ_TOKEN", parse_read_token),
        }
    }

    /// Whether `authorization` is `Bearer <READ_TOKEN>`, compared in constant time. Always
    /// `false` without a `READ_TOKEN`.
    pub fn reads(&self, authorization: Option<&str>) -> bool {
        let (Some(expected), Some(given)) = (&self.read_token, authorization) else {
            return false;
        };
        let Some(token) = given
            .trim()
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
        else {
            return false;
        };
        bool::from(token.as_bytes().ct_eq(expected.expose().as_bytes()))
    }
}

/// Distinct characters a `READ_TOKEN` needs: 16 zeros or 16 dots are not a secret. Sixteen
/// characters of which at least eight differ still leave far more guesses than an online
/// attacker can try (KV and the Worker rate the lookup, and each guess is one request), and
/// anything a generator makes (`openssl rand -hex 16`) passes.
pub const MIN_READ_TOKEN_DISTINCT: usize = 8;

/// A `READ_TOKEN` of too few characters, or of too few distinct ones (`0000000000000000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadTokenTooWeak;

impl fmt::Display for ReadTokenTooWeak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~, at least \
             {MIN_READ_TOKEN_DISTINCT} of them different; the status lookup and /healthz's \
             details are off until it is"
        )
    }
}

impl std::error::Error for ReadTokenTooWeak {}

/// A `READ_TOKEN`: a URL token's rules ([`parse_token`]) plus [`MIN_READ_TOKEN_DISTINCT`]
/// distinct characters.
pub fn parse_read_token(token: &str) -> Result<Secret, ReadTokenTooWeak> {
    let secret = parse_token(token).map_err(|_| ReadTokenTooWeak)?;
    let mut seen = [false; 128];
    let mut distinct = 0;
    for byte in token.bytes() {
        if let Some(slot) = seen.get_mut(usize::from(byte)) {
            if !*slot {
                *slot = true;
                distinct += 1;
            }
        }
    }
    if distinct < MIN_READ_TOKEN_DISTINCT {
        return Err(ReadTokenTooWeak);
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_tokens_must_also_vary() {
        assert!(parse_read_token("e2e-read-token-0123456789").is_ok());
        assert!(parse_read_token("abcdefgh01234567").is_ok());
        for weak in [
            "0000000000000000",
            "................",
            "abababababababab",
            "abcdefgabcdefgab",
            "short-varied",
            "has/a/slash-0123456789",
        ] {
            assert_eq!(
                parse_read_token(weak).map(|_| ()),
                Err(ReadTokenTooWeak),
                "{weak}"
            );
        }
    }
}
