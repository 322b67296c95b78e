//! Huawei's settings: `HUAWEI_PUSH_KEYS`, `INGEST_TOKEN`, `ALLOW_UNSIGNED` and
//! `MAX_CLOCK_SKEW_SECS`. Any of the first three enables Huawei's routes.

use super::signing::{KeySet, KeySetError, MAX_SECRETS_PER_ACCESS_KEY};
use crate::settings::{parse_token, Reader, Secret};
use std::fmt;

pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = 900;
/// An access key id is carried in every event (`auth.access_key`); Huawei's are about 20
/// characters, and the bound keeps an event's size bounded.
pub const MAX_ACCESS_KEY_BYTES: usize = 128;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `HUAWEI_PUSH_KEYS`: the access keys Huawei may sign with (two during a rotation).
    pub keys: KeySet,
    /// `INGEST_TOKEN`: the secret last path segment, when set.
    pub ingest_token: Option<Secret>,
    /// `ALLOW_UNSIGNED`: local development without keys or token.
    pub allow_unsigned: bool,
    /// `MAX_CLOCK_SKEW_SECS`: how far `X-Sdk-Date` may be from now.
    pub max_clock_skew_secs: u64,
}

/// How Huawei's callbacks are authenticated, derived from which settings are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Huawei signatures required (and the URL token too, when one is set).
    Signature { token: bool },
    /// No keys, but the URL must carry the ingest token.
    Token,
    /// Nothing required: `ALLOW_UNSIGNED=true` with neither keys nor token.
    Unsigned,
    /// Nothing set at all: Huawei's routes answer `404 not_enabled`.
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

impl Settings {
    pub fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
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
        }
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

/// What is wrong with `HUAWEI_PUSH_KEYS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysProblem {
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

impl fmt::Display for KeysProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeysProblem::NotAPair(entry) => {
                write!(f, "entry {entry} is not ACCESS_KEY:SECRET_KEY")
            }
            KeysProblem::EmptyPart(entry) => {
                write!(f, "entry {entry} has an empty access key or secret key")
            }
            KeysProblem::RepeatedEntry(entry) => {
                write!(f, "entry {entry} repeats an earlier entry")
            }
            KeysProblem::TooManySecrets(entry) => write!(
                f,
                "entry {entry} gives its access key more than {MAX_SECRETS_PER_ACCESS_KEY} secrets (two are enough for a rotation)"
            ),
            KeysProblem::AccessKeyTooLong(entry) => write!(
                f,
                "entry {entry} has an access key over {MAX_ACCESS_KEY_BYTES} bytes"
            ),
            KeysProblem::NoKeyPair => {
                f.write_str("names no ACCESS_KEY:SECRET_KEY pair; remove it or add a pair")
            }
        }
    }
}

impl std::error::Error for KeysProblem {}

/// `AK:SK` entries separated by commas or newlines, each split at its first `:`.
pub fn parse_keys(raw: &str) -> Result<KeySet, KeysProblem> {
    let mut keys = KeySet::new();
    let entries = raw
        .split([',', '\n'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty());
    for (index, entry) in entries.enumerate() {
        let position = index + 1;
        let (access, secret) = entry
            .split_once(':')
            .ok_or(KeysProblem::NotAPair(position))?;
        let (access, secret) = (access.trim(), secret.trim());
        if access.is_empty() || secret.is_empty() {
            return Err(KeysProblem::EmptyPart(position));
        }
        if access.len() > MAX_ACCESS_KEY_BYTES {
            return Err(KeysProblem::AccessKeyTooLong(position));
        }
        keys.insert(access, secret).map_err(|error| match error {
            KeySetError::Repeated => KeysProblem::RepeatedEntry(position),
            KeySetError::TooManySecrets => KeysProblem::TooManySecrets(position),
        })?;
    }
    if keys.is_empty() {
        return Err(KeysProblem::NoKeyPair);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::read_vars;

    #[test]
    fn malformed_key_entries() {
        assert_eq!(
            parse_keys("justakey").map(|_| ()),
            Err(KeysProblem::NotAPair(1))
        );
        assert_eq!(
            parse_keys("a:b,:sk").map(|_| ()),
            Err(KeysProblem::EmptyPart(2))
        );
        assert_eq!(
            parse_keys("ak:").map(|_| ()),
            Err(KeysProblem::EmptyPart(1))
        );
        assert_eq!(parse_keys("a:b,c:d").map(|k| k.len()), Ok(2));
        // A rotation of the secret alone: one access key, two secrets.
        assert_eq!(parse_keys("ak:old,ak:new").map(|k| k.len()), Ok(2));
        assert_eq!(
            parse_keys("ak:old,ak:new,ak:newer").map(|_| ()),
            Err(KeysProblem::TooManySecrets(3))
        );
        assert_eq!(
            parse_keys("ak:same,b:x,ak:same").map(|_| ()),
            Err(KeysProblem::RepeatedEntry(3))
        );
        // No problem names a key id or a secret.
        for problem in [
            KeysProblem::RepeatedEntry(3),
            KeysProblem::TooManySecrets(3),
        ] {
            assert!(!problem.to_string().contains("ak"), "{problem}");
        }
        assert_eq!(parse_keys(",").map(|_| ()), Err(KeysProblem::NoKeyPair));
        assert_eq!(
            parse_keys(" , \n ").map(|_| ()),
            Err(KeysProblem::NoKeyPair)
        );
        let long = format!("{}:sk", "a".repeat(129));
        assert_eq!(
            parse_keys(&long).map(|_| ()),
            Err(KeysProblem::AccessKeyTooLong(1))
        );
    }

    #[test]
    fn the_mode_follows_the_settings_present() {
        let mode = |vars: &[(&str, &str)]| read_vars(vars, Settings::read).0.mode();
        assert_eq!(mode(&[]), AuthMode::Unconfigured);
        assert_eq!(mode(&[("ALLOW_UNSIGNED", "true")]), AuthMode::Unsigned);
        assert_eq!(
            mode(&[("INGEST_TOKEN", "0123456789abcdefXYZ")]),
            AuthMode::Token
        );
        assert_eq!(
            mode(&[
                ("HUAWEI_PUSH_KEYS", "ak:sk"),
                ("INGEST_TOKEN", "0123456789abcdefXYZ")
            ]),
            AuthMode::Signature { token: true }
        );
        let (settings, errors) = read_vars(
            &[("HUAWEI_PUSH_KEYS", " ak1:sk:with:colons ,\nak2 : sk2\n")],
            Settings::read,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            settings.keys.access_keys().collect::<Vec<_>>(),
            ["ak1", "ak2"]
        );
        assert_eq!(settings.max_clock_skew_secs, 900);
    }
}
