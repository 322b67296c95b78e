//! Vonage's settings: `VONAGE_SIGNATURE_SECRETS`, the signature secrets of the API keys whose
//! webhooks Vonage signs, and `VONAGE_TOKEN`, a URL token for API keys whose webhooks are not
//! signed. Either enables Vonage's routes; with both set, both are required.

use crate::providers::common::split_at_byte;
use crate::settings::{parse_secret_list, parse_token_list, Reader, Secret, SecretListProblem};
use std::fmt;

/// Two entries per API key during a rotation, for a few API keys: more is a mistake.
pub const MAX_SIGNATURE_SECRETS: usize = 16;

/// How an SMS API signature is made from the signature secret (the dashboard's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `md5hash`: hex MD5 of the string to sign followed by the secret.
    Md5Hash,
    /// `md5`, `sha1`, `sha256`, `sha512`: hex HMAC of the string to sign under the secret.
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    pub fn named(name: &str) -> Option<Algorithm> {
        Some(match name {
            "md5hash" => Algorithm::Md5Hash,
            "md5" => Algorithm::Md5,
            "sha1" => Algorithm::Sha1,
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => return None,
        })
    }
}

/// One `API_KEY:ALGORITHM:SECRET` entry's parts, split at its first two `:` (a secret may
/// hold more); `None` for an entry that is not one.
pub fn entry(raw: &str) -> Option<(&str, Algorithm, &str)> {
    let (api_key, rest) = split_at_byte(raw, b':', false)?;
    let (algorithm, secret) = split_at_byte(rest, b':', false)?;
    let algorithm = Algorithm::named(algorithm)?;
    (!api_key.is_empty() && !secret.is_empty()).then_some((api_key, algorithm, secret))
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `VONAGE_SIGNATURE_SECRETS`: its entries, in order, each whole (read by [`entry`]);
    /// empty when unset.
    pub secrets: Vec<Secret>,
    /// `VONAGE_TOKEN`: `OLD,NEW` during a rotation; empty when unset.
    pub tokens: Vec<Secret>,
}

impl Settings {
    pub fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            secrets: reader
                .parse("VONAGE_SIGNATURE_SECRETS", parse_secrets)
                .unwrap_or_default(),
            tokens: reader
                .parse("VONAGE_TOKEN", parse_token_list)
                .unwrap_or_default(),
        }
    }
}

/// Entry `n` (1-based) of `VONAGE_SIGNATURE_SECRETS` is not `API_KEY:ALGORITHM:SECRET`, has a
/// space inside it, or is one too many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretsProblem(pub usize);

impl fmt::Display for SecretsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "entry {} is not API_KEY:ALGORITHM:SECRET (ALGORITHM md5hash, md5, sha1, sha256 or sha512; no spaces; at most {MAX_SIGNATURE_SECRETS} entries)",
            self.0
        )
    }
}

impl std::error::Error for SecretsProblem {}

/// `API_KEY:ALGORITHM:SECRET` entries separated by commas or newlines.
pub fn parse_secrets(raw: &str) -> Result<Vec<Secret>, SecretsProblem> {
    let entries =
        parse_secret_list(&raw.replace('\n', ","), MAX_SIGNATURE_SECRETS).map_err(|problem| {
            SecretsProblem(match problem {
                SecretListProblem::Empty => 1,
                SecretListProblem::TooMany(max) => max + 1,
                SecretListProblem::Space(entry) => entry,
            })
        })?;
    match entries.iter().position(|raw| entry(raw.expose()).is_none()) {
        Some(index) => Err(SecretsProblem(index + 1)),
        None => Ok(entries),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_split_at_their_first_two_colons_by_commas_or_newlines() {
        let entries =
            parse_secrets(" abcd1234:sha256:s3cr:et ,\nabcd1234:md5hash:old\nother:sha512:x")
                .unwrap();
        let read: Vec<_> = entries.iter().filter_map(|e| entry(e.expose())).collect();
        assert_eq!(
            read,
            [
                ("abcd1234", Algorithm::Sha256, "s3cr:et"),
                ("abcd1234", Algorithm::Md5Hash, "old"),
                ("other", Algorithm::Sha512, "x"),
            ]
        );
        for (raw, entry) in [
            ("k:sha256", 1),
            ("k:sha1:s,:md5:s", 2),
            ("k:sha1:s,k:md5:", 2),
            ("k:sha384:s", 1),
            (" , ", 1),
            ("k:md5:a b", 1),
        ] {
            assert_eq!(
                parse_secrets(raw).map(|_| ()),
                Err(SecretsProblem(entry)),
                "{raw}"
            );
        }
        assert_eq!(
            parse_secrets(&"k:md5:s,".repeat(MAX_SIGNATURE_SECRETS + 1)).map(|_| ()),
            Err(SecretsProblem(MAX_SIGNATURE_SECRETS + 1))
        );
        assert!(SecretsProblem(2)
            .to_string()
            .starts_with("entry 2 is not API_KEY:ALGORITHM:SECRET"));
        for name in ["md5hash", "md5", "sha1", "sha256", "sha512"] {
            assert!(Algorithm::named(name).is_some(), "{name}");
        }
    }
}
