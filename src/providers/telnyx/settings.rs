//! Telnyx's setting: `TELNYX_PUBLIC_KEYS`, the Base64 of the account's 32-byte Ed25519 public
//! key (Mission Control → Keys & Credentials → Public Key), or two, comma-separated, while a
//! key is replaced. Public keys, not secrets; it enables Telnyx's route.

use base64::Engine;
use std::fmt;

/// One account key, and another during a change; more is a mistake.
pub const MAX_TELNYX_KEYS: usize = 4;

/// What is wrong with `TELNYX_PUBLIC_KEYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysProblem {
    /// It names no key.
    Empty,
    /// More than [`MAX_TELNYX_KEYS`].
    TooMany,
    /// Entry `n` (1-based) is not the Base64 of 32 bytes.
    NotAKey(usize),
}

impl fmt::Display for KeysProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeysProblem::Empty => f.write_str("names no public key"),
            KeysProblem::TooMany => f.write_str("lists more than 4 public keys"),
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
    let mut keys = Vec::new();
    for (index, key) in raw
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .enumerate()
    {
        let mut bytes = [0u8; 32];
        match base64::engine::general_purpose::STANDARD.decode_slice(key, &mut bytes) {
            Ok(32) if keys.len() < MAX_TELNYX_KEYS => keys.push(bytes),
            Ok(32) => return Err(KeysProblem::TooMany),
            _ => return Err(KeysProblem::NotAKey(index + 1)),
        }
    }
    if keys.is_empty() {
        return Err(KeysProblem::Empty);
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
        assert_eq!(problem(" , "), Err("names no public key".into()));
        let five = ["11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="; 5].join(",");
        assert_eq!(problem(&five), Err("lists more than 4 public keys".into()));
        // 33 bytes do not fit.
        assert_eq!(
            problem("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURoA"),
            Err("entry 1 is not the Base64 of a 32-byte Ed25519 public key".into())
        );
    }
}
