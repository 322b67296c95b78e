//! How a setting is read: the [`Reader`] every module reads its own settings through, the
//! [`ConfigError`] it records instead of throwing, [`Secret`] values, the URL-token rule, and
//! which runtime [`Bindings`] exist.
//!
//! This is the floor of the configuration: each module that has settings (each provider,
//! [`crate::access`], [`crate::sinks`], [`crate::delivery`], [`crate::limits`], [`crate::log`])
//! declares and validates them with what is here, and [`crate::config::Config`] only gathers
//! them, so no module imports the aggregate it is part of.

pub mod reader;

pub use reader::Reader;

use serde::Serialize;
use std::fmt;

/// A shorter token could be guessed; 16 unreserved characters is ~95 bits.
pub const MIN_TOKEN_LENGTH: usize = 16;
/// The binding the queue consumer moves undeliverable events to.
pub const DEAD_LETTER_QUEUE_BINDING: &str = "DEAD_LETTER_QUEUE";

/// Which optional bindings the environment has.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bindings {
    pub queue: bool,
    pub kv: bool,
    pub dead_letter_queue: bool,
    /// `SPILL_BUCKET`: the R2 bucket a push's events go to while a sink refuses them.
    pub spill: bool,
}

impl Bindings {
    /// Every sink binding present (tests, benchmarks, fuzzing); no spill bucket, so a sink
    /// that refuses is answered `503` as without one.
    #[cfg(any(test, feature = "testing"))]
    pub const ALL: Bindings = Bindings {
        queue: true,
        kv: true,
        dead_letter_queue: true,
        spill: false,
    };

    /// [`Bindings::ALL`] and the spill bucket.
    #[cfg(any(test, feature = "testing"))]
    pub const ALL_WITH_SPILL: Bindings = Bindings {
        spill: true,
        ..Bindings::ALL
    };
}

/// One problem with one setting. Never holds a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// A secret setting's value. Its `Debug` never shows it; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A URL token too short or outside RFC 3986's unreserved set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenTooWeak;

impl fmt::Display for TokenTooWeak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~"
        )
    }
}

impl std::error::Error for TokenTooWeak {}

/// A URL token: at least [`MIN_TOKEN_LENGTH`] characters of RFC 3986's unreserved set.
pub fn parse_token(token: &str) -> Result<Secret, TokenTooWeak> {
    let unreserved = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    if unreserved && token.len() >= MIN_TOKEN_LENGTH {
        Ok(Secret::new(token.to_string()))
    } else {
        Err(TokenTooWeak)
    }
}

/// Most URL tokens one setting may list: an old and a new one while a console's URL changes.
pub const MAX_TOKENS: usize = 2;

/// URL tokens, comma-separated (`OLD,NEW` during a rotation), each one [`parse_token`]'s.
pub fn parse_token_list(raw: &str) -> Result<Vec<Secret>, TokenListProblem> {
    let mut tokens = Vec::new();
    for token in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        tokens.push(parse_token(token).map_err(|_| TokenListProblem::TooWeak)?);
    }
    if tokens.is_empty() {
        return Err(TokenListProblem::TooWeak);
    }
    if tokens.len() > MAX_TOKENS {
        return Err(TokenListProblem::TooMany);
    }
    Ok(tokens)
}

/// Why [`parse_token_list`] refused a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenListProblem {
    /// A token is too short or has other characters (or there is none).
    TooWeak,
    /// More than [`MAX_TOKENS`].
    TooMany,
}

impl fmt::Display for TokenListProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenListProblem::TooWeak => write!(
                f,
                "each token must be at least {MIN_TOKEN_LENGTH} characters from A-Z a-z 0-9 - _ . ~ (OLD,NEW during a rotation)"
            ),
            TokenListProblem::TooMany => write!(
                f,
                "lists more than {MAX_TOKENS} tokens (an old and a new one are enough)"
            ),
        }
    }
}

impl std::error::Error for TokenListProblem {}

/// Comma-separated secrets, trimmed, none with a space inside, between one and `max` of them
/// (Twilio's auth tokens, and the like).
pub fn parse_secret_list(raw: &str, max: usize) -> Result<Vec<Secret>, SecretListProblem> {
    let mut secrets = Vec::new();
    for (index, secret) in raw
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        if secret.contains(char::is_whitespace) {
            return Err(SecretListProblem::Space(index + 1));
        }
        secrets.push(Secret::new(secret.to_string()));
    }
    if secrets.is_empty() {
        return Err(SecretListProblem::Empty);
    }
    if secrets.len() > max {
        return Err(SecretListProblem::TooMany(max));
    }
    Ok(secrets)
}

/// Most auth tokens a vendor's list may hold: Twilio has a primary and a secondary; Plivo signs
/// with the (sub-)account's token or its main account's, each rotating. More is a mistake.
pub const MAX_AUTH_TOKENS: usize = 4;

/// What is wrong with a list of auth tokens (`TWILIO_AUTH_TOKENS`, `PLIVO_AUTH_TOKENS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthTokensProblem(SecretListProblem);

impl fmt::Display for AuthTokensProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SecretListProblem::Empty => {
                f.write_str("names no auth token; remove it or add the account's auth token")
            }
            SecretListProblem::TooMany(max) => write!(
                f,
                "lists more than {max} auth tokens (an account's two during a rotation, and its main account's, are enough)"
            ),
            SecretListProblem::Space(entry) => write!(f, "entry {entry} has a space inside it"),
        }
    }
}

impl std::error::Error for AuthTokensProblem {}

/// Comma-separated auth tokens, trimmed, at most [`MAX_AUTH_TOKENS`].
pub fn parse_auth_tokens(raw: &str) -> Result<Vec<Secret>, AuthTokensProblem> {
    parse_secret_list(raw, MAX_AUTH_TOKENS).map_err(AuthTokensProblem)
}

/// Why [`parse_secret_list`] refused a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretListProblem {
    /// The list names no secret.
    Empty,
    /// More than this many.
    TooMany(usize),
    /// Entry `n` (1-based) has a space inside it.
    Space(usize),
}

impl fmt::Display for SecretListProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretListProblem::Empty => f.write_str("names no secret"),
            SecretListProblem::TooMany(max) => write!(f, "lists more than {max} secrets"),
            SecretListProblem::Space(entry) => write!(f, "entry {entry} has a space inside it"),
        }
    }
}

impl std::error::Error for SecretListProblem {}

/// Reads settings from fixed `name → value` pairs with `read` (tests): its result and the
/// problems recorded, then the warnings.
#[cfg(any(test, feature = "testing"))]
pub fn read_vars<T>(
    vars: &[(&str, &str)],
    read: impl FnOnce(&mut Reader<'_>) -> T,
) -> (T, Vec<ConfigError>) {
    let lookup = |name: &str| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
    };
    let mut reader = Reader::new(&lookup);
    let value = read(&mut reader);
    let (mut errors, warnings) = reader.finish();
    errors.extend(warnings);
    (value, errors)
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
            Err("lists more than 4 auth tokens (an account's two during a rotation, and its main account's, are enough)".into())
        );
    }

    #[test]
    fn tokens_must_be_long_and_unreserved() {
        assert!(parse_token("0123456789abcdef").is_ok());
        assert_eq!(parse_token("0123456789abcde"), Err(TokenTooWeak));
        assert_eq!(parse_token("0123456789abcdef/"), Err(TokenTooWeak));
    }

    #[test]
    fn token_lists_hold_an_old_and_a_new_token() {
        let list = |raw| parse_token_list(raw).map(|t| t.len());
        assert_eq!(list("0123456789abcdef"), Ok(1));
        assert_eq!(list(" 0123456789abcdef , fedcba9876543210 "), Ok(2));
        assert_eq!(
            list("0123456789abcdef,short"),
            Err(TokenListProblem::TooWeak)
        );
        assert_eq!(list(" , "), Err(TokenListProblem::TooWeak));
        assert_eq!(
            list("0123456789abcdef,0123456789abcdeg,0123456789abcdeh"),
            Err(TokenListProblem::TooMany)
        );
    }

    #[test]
    fn secret_lists_are_short_comma_lists() {
        let listed = parse_secret_list(" primary , secondary ", 4);
        assert_eq!(
            listed.map(|t| t.iter().map(|s| s.expose().to_string()).collect::<Vec<_>>()),
            Ok(vec!["primary".to_string(), "secondary".to_string()])
        );
        assert_eq!(
            parse_secret_list(" , ", 4).map(|_| ()),
            Err(SecretListProblem::Empty)
        );
        assert_eq!(
            parse_secret_list("a,b c", 4).map(|_| ()),
            Err(SecretListProblem::Space(2))
        );
        assert_eq!(
            parse_secret_list("a,b,c,d,e", 4).map(|_| ()),
            Err(SecretListProblem::TooMany(4))
        );
    }
}
