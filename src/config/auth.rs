//! How callbacks are authenticated: `HUAWEI_PUSH_KEYS`, `INGEST_TOKEN`, `ALLOW_UNSIGNED`,
//! `MAX_CLOCK_SKEW_SECS` and `ALLOWED_IPS`.

use super::ip_allow::IpAllowList;
use super::reader::Reader;
use super::{Secret, MIN_TOKEN_LENGTH};
use crate::providers::huawei::signing::{KeySet, KeySetError, MAX_SECRETS_PER_ACCESS_KEY};
use std::fmt;
use subtle::ConstantTimeEq;

pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = 900;
/// An access key id is carried in every event (`auth.access_key`); Huawei's are about 20
/// characters, and the bound keeps an event's size bounded.
pub const MAX_ACCESS_KEY_BYTES: usize = 128;

#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `HUAWEI_PUSH_KEYS`: the access keys Huawei may sign with (two during a rotation).
    pub keys: KeySet,
    /// `INGEST_TOKEN`: the secret last path segment, when set.
    pub ingest_token: Option<Secret>,
    pub allow_unsigned: bool,
    pub max_clock_skew_secs: u64,
    /// `ALLOWED_IPS`: when set, callbacks must come from these ranges.
    pub allowed_ips: Option<IpAllowList>,
    /// `READ_TOKEN`: the bearer token for `/healthz` details and the status lookup.
    pub read_token: Option<Secret>,
}

/// How callbacks are authenticated, derived from which settings are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Huawei signatures required (and the URL token too, when one is set).
    Signature { token: bool },
    /// No keys, but the URL must carry the ingest token.
    Token,
    /// Nothing required: `ALLOW_UNSIGNED=true` with neither keys nor token.
    Unsigned,
    /// Nothing set at all: every callback is refused until the operator configures one.
    Unconfigured,
}

impl AuthMode {
    pub fn name(self) -> &'static str {
        match self {
            AuthMode::Signature { token: false } => "aksk",
            AuthMode::Signature { token: true } => "aksk+token",
            AuthMode::Token => "token",
            AuthMode::Unsigned => "none",
            AuthMode::Unconfigured => "unconfigured",
        }
    }
}

impl AuthSettings {
    pub fn read(reader: &mut Reader<'_>) -> AuthSettings {
        AuthSettings {
            keys: reader
                .parse("HUAWEI_PUSH_KEYS", parse_keys)
                .unwrap_or_default(),
            ingest_token: reader.parse("INGEST_TOKEN", parse_token),
            allow_unsigned: reader.flag("ALLOW_UNSIGNED", false),
            max_clock_skew_secs: reader.number(
                "MAX_CLOCK_SKEW_SECS",
                DEFAULT_MAX_CLOCK_SKEW_SECS,
                0..=86_400,
            ),
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

    pub fn mode(&self) -> AuthMode {
        match (
            self.keys.is_empty(),
            self.ingest_token.is_some(),
            self.allow_unsigned,
        ) {
            (false, token, _) => AuthMode::Signature { token },
            (true, true, _) => AuthMode::Token,
            (true, false, true) => AuthMode::Unsigned,
            (true, false, false) => AuthMode::Unconfigured,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthProblem {
    NothingConfigured,
    TokenTooWeak,
    /// A `READ_TOKEN` of too few distinct characters (`0000000000000000`).
    ReadTokenTooWeak,
    /// Entry `n` (1-based) of the key list is not `ACCESS_KEY:SECRET_KEY`.
    NotAPair(usize),
    EmptyPart(usize),
    /// Entry `n` repeats an earlier entry, access key and secret alike.
    RepeatedEntry(usize),
    /// Entry `n` gives an access key more secrets than a rotation needs.
    TooManySecrets(usize),
    /// Entry `n`'s access key is longer than [`MAX_ACCESS_KEY_BYTES`].
    AccessKeyTooLong(usize),
    /// The setting is present but names no key pair (`HUAWEI_PUSH_KEYS=","`).
    NoKeyPair,
}

impl fmt::Display for AuthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthProblem::NothingConfigured => f.write_str(
                "no provider configured: set HUAWEI_PUSH_KEYS (or INGEST_TOKEN, or ALLOW_UNSIGNED=true for local development), ALIBABA_TOKEN, TENCENT_TOKEN or TWILIO_AUTH_TOKENS",
            ),
            AuthProblem::TokenTooWeak => write!(
                f,
                "must be at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~"
            ),
            AuthProblem::ReadTokenTooWeak => write!(
                f,
                "must be at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~, at least \
                 {MIN_READ_TOKEN_DISTINCT} of them different; the status lookup and /healthz's \
                 details are off until it is"
            ),
            AuthProblem::NotAPair(entry) => {
                write!(f, "entry {entry} is not ACCESS_KEY:SECRET_KEY")
            }
            AuthProblem::EmptyPart(entry) => {
                write!(f, "entry {entry} has an empty access key or secret key")
            }
            AuthProblem::RepeatedEntry(entry) => {
                write!(f, "entry {entry} repeats an earlier entry")
            }
            AuthProblem::TooManySecrets(entry) => write!(
                f,
                "entry {entry} gives its access key more than {MAX_SECRETS_PER_ACCESS_KEY} secrets (two are enough for a rotation)"
            ),
            AuthProblem::AccessKeyTooLong(entry) => write!(
                f,
                "entry {entry} has an access key over {MAX_ACCESS_KEY_BYTES} bytes"
            ),
            AuthProblem::NoKeyPair => {
                f.write_str("names no ACCESS_KEY:SECRET_KEY pair; remove it or add a pair")
            }
        }
    }
}

/// A URL token: at least [`MIN_TOKEN_LENGTH`] characters of RFC 3986's unreserved set.
pub fn parse_token(token: &str) -> Result<Secret, AuthProblem> {
    let unreserved = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    if unreserved && token.len() >= MIN_TOKEN_LENGTH {
        Ok(Secret::new(token.to_string()))
    } else {
        Err(AuthProblem::TokenTooWeak)
    }
}

/// Distinct characters a `READ_TOKEN` needs: 16 zeros or 16 dots are not a secret. Sixteen
/// characters of which at least eight differ still leave far more guesses than an online
/// attacker can try (KV and the Worker rate the lookup, and each guess is one request), and
/// anything a generator makes (`openssl rand -hex 16`) passes.
pub const MIN_READ_TOKEN_DISTINCT: usize = 8;

/// A `READ_TOKEN`: a URL token's rules ([`parse_token`]) plus [`MIN_READ_TOKEN_DISTINCT`]
/// distinct characters.
pub fn parse_read_token(token: &str) -> Result<Secret, AuthProblem> {
    let secret = parse_token(token).map_err(|_| AuthProblem::ReadTokenTooWeak)?;
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
        return Err(AuthProblem::ReadTokenTooWeak);
    }
    Ok(secret)
}

/// `AK:SK` entries separated by commas or newlines, each split at its first `:`.
pub fn parse_keys(raw: &str) -> Result<KeySet, AuthProblem> {
    let mut keys = KeySet::new();
    let entries = raw
        .split([',', '\n'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty());
    for (index, entry) in entries.enumerate() {
        let position = index + 1;
        let (access, secret) = entry
            .split_once(':')
            .ok_or(AuthProblem::NotAPair(position))?;
        let (access, secret) = (access.trim(), secret.trim());
        if access.is_empty() || secret.is_empty() {
            return Err(AuthProblem::EmptyPart(position));
        }
        if access.len() > MAX_ACCESS_KEY_BYTES {
            return Err(AuthProblem::AccessKeyTooLong(position));
        }
        keys.insert(access, secret).map_err(|error| match error {
            KeySetError::Repeated => AuthProblem::RepeatedEntry(position),
            KeySetError::TooManySecrets => AuthProblem::TooManySecrets(position),
        })?;
    }
    if keys.is_empty() {
        return Err(AuthProblem::NoKeyPair);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_key_entries() {
        assert_eq!(
            parse_keys("justakey").map(|_| ()),
            Err(AuthProblem::NotAPair(1))
        );
        assert_eq!(
            parse_keys("a:b,:sk").map(|_| ()),
            Err(AuthProblem::EmptyPart(2))
        );
        assert_eq!(
            parse_keys("ak:").map(|_| ()),
            Err(AuthProblem::EmptyPart(1))
        );
        assert_eq!(parse_keys("a:b,c:d").map(|k| k.len()), Ok(2));
        // A rotation of the secret alone: one access key, two secrets.
        assert_eq!(parse_keys("ak:old,ak:new").map(|k| k.len()), Ok(2));
        assert_eq!(
            parse_keys("ak:old,ak:new,ak:newer").map(|_| ()),
            Err(AuthProblem::TooManySecrets(3))
        );
        assert_eq!(
            parse_keys("ak:same,b:x,ak:same").map(|_| ()),
            Err(AuthProblem::RepeatedEntry(3))
        );
        // No problem names a key id or a secret.
        for problem in [
            AuthProblem::RepeatedEntry(3),
            AuthProblem::TooManySecrets(3),
        ] {
            assert!(!problem.to_string().contains("ak"), "{problem}");
        }
        assert_eq!(parse_keys(",").map(|_| ()), Err(AuthProblem::NoKeyPair));
        assert_eq!(
            parse_keys(" , \n ").map(|_| ()),
            Err(AuthProblem::NoKeyPair)
        );
        let long = format!("{}:sk", "a".repeat(129));
        assert_eq!(
            parse_keys(&long).map(|_| ()),
            Err(AuthProblem::AccessKeyTooLong(1))
        );
    }

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
        ] {
            assert_eq!(
                parse_read_token(weak).map(|_| ()),
                Err(AuthProblem::ReadTokenTooWeak),
                "{weak}"
            );
        }
        assert_eq!(
            parse_read_token("0000000000000000").map(|_| ()),
            Err(AuthProblem::ReadTokenTooWeak)
        );
        assert_eq!(
            parse_read_token("has/a/slash-0123456789").map(|_| ()),
            Err(AuthProblem::ReadTokenTooWeak)
        );
    }

    #[test]
    fn tokens_must_be_long_and_unreserved() {
        assert!(parse_token("0123456789abcdef").is_ok());
        assert_eq!(
            parse_token("0123456789abcde"),
            Err(AuthProblem::TokenTooWeak)
        );
        assert_eq!(
            parse_token("0123456789abcdef/"),
            Err(AuthProblem::TokenTooWeak)
        );
    }
}
