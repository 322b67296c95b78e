//! Twilio's setting: `TWILIO_AUTH_TOKENS`, the account's auth tokens (primary and secondary
//! during a rotation); a webhook signed by any of them is accepted. It enables Twilio's routes.

use crate::settings::{parse_secret_list, Reader, Secret, SecretListProblem};
use std::fmt;

/// Twilio has a primary and a secondary auth token; more than a few is a mistake.
pub const MAX_TWILIO_AUTH_TOKENS: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Empty when unset.
    pub auth_tokens: Vec<Secret>,
}

impl Settings {
    pub fn read(reader: &mut Reader<'_>) -> Settings {
        Settings {
            auth_tokens: reader
                .parse("TWILIO_AUTH_TOKENS", parse_auth_tokens)
                .unwrap_or_default(),
        }
    }
}

/// What is wrong with `TWILIO_AUTH_TOKENS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokensProblem(SecretListProblem);

impl fmt::Display for TokensProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SecretListProblem::Empty => {
                f.write_str("names no auth token; remove it or add the account's auth token")
            }
            SecretListProblem::TooMany(max) => write!(
                f,
                "lists more than {max} auth tokens (a primary and a secondary are enough)"
            ),
            SecretListProblem::Space(entry) => write!(f, "entry {entry} has a space inside it"),
        }
    }
}

impl std::error::Error for TokensProblem {}

/// Comma-separated auth tokens, trimmed.
pub fn parse_auth_tokens(raw: &str) -> Result<Vec<Secret>, TokensProblem> {
    parse_secret_list(raw, MAX_TWILIO_AUTH_TOKENS).map_err(TokensProblem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_tokens_are_a_short_comma_list() {
        let problem = |raw| {
            parse_auth_tokens(raw)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            parse_auth_tokens(" primary , secondary ").map(|t| t.len()),
            Ok(2)
        );
        assert_eq!(
            problem(" , "),
            Err("names no auth token; remove it or add the account's auth token".into())
        );
        assert_eq!(
            problem("a,b c"),
            Err("entry 2 has a space inside it".into())
        );
        assert_eq!(
            problem("a,b,c,d,e"),
            Err("lists more than 4 auth tokens (a primary and a secondary are enough)".into())
        );
    }
}
