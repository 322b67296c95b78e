//! Which providers are enabled, and their secrets: `ALIBABA_TOKEN`, `TENCENT_TOKEN`,
//! `TWILIO_AUTH_TOKENS` (Huawei's settings are in [`super::auth`]). A provider is enabled
//! when its setting is present; its routes answer `404 not_enabled` otherwise.

use super::auth::{parse_token, AuthMode, AuthSettings};
use super::reader::Reader;
use super::Secret;
use std::fmt;

/// Twilio has a primary and a secondary auth token; more than a few is a mistake.
pub const MAX_TWILIO_AUTH_TOKENS: usize = 4;

/// Every setting that enables a provider (Huawei's three, then one each).
pub const PROVIDER_SETTINGS: [&str; 6] = [
    "HUAWEI_PUSH_KEYS",
    "INGEST_TOKEN",
    "ALLOW_UNSIGNED",
    "ALIBABA_TOKEN",
    "TENCENT_TOKEN",
    "TWILIO_AUTH_TOKENS",
];

/// Every provider the relay knows, by the name its routes and events use.
pub const PROVIDER_NAMES: [&str; 4] = ["huawei", "alibaba", "tencent", "twilio"];

#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    /// `ALIBABA_TOKEN`: the secret last path segment of Alibaba's callback URLs.
    pub alibaba_token: Option<Secret>,
    /// `TENCENT_TOKEN`: the secret last path segment of Tencent's callback URLs.
    pub tencent_token: Option<Secret>,
    /// `TWILIO_AUTH_TOKENS`: the account's auth tokens (primary and secondary during a
    /// rotation); a push signed by any of them is accepted. Empty when unset.
    pub twilio_auth_tokens: Vec<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderProblem {
    NoTwilioToken,
    TooManyTwilioTokens,
    TwilioTokenWithSpace(usize),
}

impl fmt::Display for ProviderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderProblem::NoTwilioToken => {
                f.write_str("names no auth token; remove it or add the account's auth token")
            }
            ProviderProblem::TooManyTwilioTokens => write!(
                f,
                "lists more than {MAX_TWILIO_AUTH_TOKENS} auth tokens (a primary and a secondary are enough)"
            ),
            ProviderProblem::TwilioTokenWithSpace(entry) => {
                write!(f, "entry {entry} has a space inside it")
            }
        }
    }
}

impl ProviderSettings {
    pub fn read(reader: &mut Reader<'_>) -> ProviderSettings {
        ProviderSettings {
            alibaba_token: reader.parse("ALIBABA_TOKEN", parse_token),
            tencent_token: reader.parse("TENCENT_TOKEN", parse_token),
            twilio_auth_tokens: reader
                .parse("TWILIO_AUTH_TOKENS", parse_twilio_tokens)
                .unwrap_or_default(),
        }
    }

    /// Whether the provider named `name` is enabled, Huawei's state coming from `auth`.
    pub fn enabled(&self, name: &str, auth: &AuthSettings) -> bool {
        match name {
            "huawei" => auth.mode() != AuthMode::Unconfigured,
            "alibaba" => self.alibaba_token.is_some(),
            "tencent" => self.tencent_token.is_some(),
            "twilio" => !self.twilio_auth_tokens.is_empty(),
            _ => false,
        }
    }

    /// The enabled providers' names, in [`PROVIDER_NAMES`] order.
    pub fn enabled_names(&self, auth: &AuthSettings) -> Vec<&'static str> {
        PROVIDER_NAMES
            .into_iter()
            .filter(|name| self.enabled(name, auth))
            .collect()
    }
}

/// Comma-separated auth tokens, trimmed.
pub fn parse_twilio_tokens(raw: &str) -> Result<Vec<Secret>, ProviderProblem> {
    let mut tokens = Vec::new();
    for (index, token) in raw
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        if token.contains(char::is_whitespace) {
            return Err(ProviderProblem::TwilioTokenWithSpace(index + 1));
        }
        tokens.push(Secret::new(token.to_string()));
    }
    if tokens.is_empty() {
        return Err(ProviderProblem::NoTwilioToken);
    }
    if tokens.len() > MAX_TWILIO_AUTH_TOKENS {
        return Err(ProviderProblem::TooManyTwilioTokens);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_tokens_are_a_short_comma_list() {
        let tokens = parse_twilio_tokens(" primary , secondary ");
        assert_eq!(
            tokens.map(|t| t.iter().map(|s| s.expose().to_string()).collect::<Vec<_>>()),
            Ok(vec!["primary".to_string(), "secondary".to_string()])
        );
        assert_eq!(
            parse_twilio_tokens(" , ").map(|_| ()),
            Err(ProviderProblem::NoTwilioToken)
        );
        assert_eq!(
            parse_twilio_tokens("a,b c").map(|_| ()),
            Err(ProviderProblem::TwilioTokenWithSpace(2))
        );
        assert_eq!(
            parse_twilio_tokens("a,b,c,d,e").map(|_| ()),
            Err(ProviderProblem::TooManyTwilioTokens)
        );
    }
}
