//! Telnyx's setting: `TELNYX_PUBLIC_KEYS`, the Base64 of the account's 32-byte Ed25519 public
//! key (Mission Control → Keys & Credentials → Public Key), or two, comma-separated, while a
//! key is replaced. Public keys, not secrets; it enables Telnyx's route.

use crate::settings::{parse_secret_list, SecretListProblem};
use base64::Engine;
use std::fmt;

/// One account key, and another during a change; more is a mistake.
pub const MAX_TELNYX_KEYS: usize = 4;

/// What is wrong with `TELNYX_PUBLIC_KEYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysProblem {
    List(SecretListProblem),
    /// Entry `n` (1-based) is not the Base64 of 32 bytes.
    NotAKey(usize),
}

impl fmt::Display for KeysProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeysProblem::List(problem) => problem.fmt(f),
            KeysProblem::NotAKey(entry) => write!(
                f,
                "entry {entry} is not the Base64 of a 32-byte Ed25519 public key"
            ),
        }
    }
}

impl std::error::Error for KeysProblem {}

/// Comma-separated Base64 public keys, each 32 bytes once decoded, in the order given.
pub fn parse_public_keys(raw: &str) -> Result<Vec<[u8; 32]>, KeysProblem> {
    let listed = parse_secret_list(raw, MAX_TELNYX_KEYS).map_err(KeysProblem::List)?;
    let mut keys = Vec::with_capacity(listed.len());
    for (index, key) in listed.iter().enumerate() {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key.expose())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or(KeysProblem::NotAKey(index + 1))?;
        keys.push(key);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_base64_of_32_bytes() {
        let keys = parse_public_keys(
            " 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= ,PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=",
        )
        .unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0][0], 0xd7);
        let problem = |raw| {
            parse_public_keys(raw)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            problem("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=,AAAA"),
            Err("entry 2 is not the Base64 of a 32-byte Ed25519 public key".into())
        );
        assert_eq!(problem(" , "), Err("names no secret".into()));
    }
}
