//! Deciding whether a callback is authentic, per the configured [`AuthMode`].

use super::settings::{AuthMode, Settings};
use super::signing::{verify, VerifyError};
use crate::clock::Timestamp;
use crate::event::AuthInfo;
use crate::http::{PushRequest, Refusal};
use crate::providers::common::{check_token, Authenticated, TokenError};
use std::fmt;

/// Why a Huawei callback did not authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The configuration names no way to authenticate: answered `404 not_enabled`, as the
    /// admission and the registry answer before a callback gets here.
    Unconfigured,
    /// The URL lacks the ingest token, or carries another.
    Token(TokenError),
    Signature(VerifyError),
}

impl AuthError {
    /// The answer: `404 not_enabled` unconfigured, else `401` with the failure's code.
    pub fn refusal(&self) -> Refusal {
        match self {
            AuthError::Unconfigured => Refusal::NotEnabled,
            AuthError::Token(error) => Refusal::Unauthenticated((*error).into()),
            AuthError::Signature(error) => Refusal::Unauthenticated(error.failure()),
        }
    }

    pub fn code(&self) -> &'static str {
        self.refusal().code()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Unconfigured => f.write_str("Huawei's routes are not enabled"),
            AuthError::Token(error) => write!(f, "the URL's token: {error}"),
            AuthError::Signature(error) => write!(f, "signature: {error}"),
        }
    }
}

impl std::error::Error for AuthError {}

/// Authenticates a callback. `path_token` is the extra last path segment, if the URL had one.
/// The token is checked first (it is cheap), then the signature.
pub fn authenticate(
    request: &PushRequest<'_>,
    path_token: Option<&str>,
    settings: &Settings,
    now: Timestamp,
) -> Result<Authenticated, AuthError> {
    let mode = settings.mode();
    if let Some(expected) = &settings.ingest_token {
        check_token(path_token, expected).map_err(AuthError::Token)?;
    }
    let info = match mode {
        AuthMode::Signature { .. } => {
            let verified = verify(request, &settings.keys, now, settings.max_clock_skew_secs)
                .map_err(AuthError::Signature)?;
            AuthInfo::Aksk {
                access_key: verified.access_key().into(),
                key_index: verified.key_index(),
            }
        }
        AuthMode::Token => AuthInfo::Token,
        AuthMode::Unsigned => AuthInfo::None,
        AuthMode::Unconfigured => return Err(AuthError::Unconfigured),
    };
    Ok(Authenticated::new(info))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::read_vars;

    fn config(vars: &[(&str, &str)]) -> Settings {
        read_vars(vars, Settings::read).0
    }

    const TOKEN: &str = "tok-0123456789abcdef";

    fn request(headers: &[(String, String)]) -> PushRequest<'_> {
        PushRequest {
            method: "POST",
            url: "https://relay.example/huawei/reports",
            path: "/huawei/reports",
            query: "",
            headers,
            body: b"",
        }
    }

    #[test]
    fn token_mode_checks_the_path_token() {
        let config = config(&[("INGEST_TOKEN", TOKEN)]);
        let now = Timestamp::from_unix_seconds(0);
        let ok = authenticate(&request(&[]), Some(TOKEN), &config, now);
        assert_eq!(ok.map(|a| a.info().clone()), Ok(AuthInfo::Token));
        assert_eq!(
            authenticate(&request(&[]), None, &config, now).map(|_| ()),
            Err(AuthError::Token(TokenError::Missing))
        );
        assert_eq!(
            authenticate(&request(&[]), Some("tok-0123456789abcdeX"), &config, now).map(|_| ()),
            Err(AuthError::Token(TokenError::Invalid))
        );
    }

    #[test]
    fn keys_require_a_signature_even_with_a_good_token() {
        let config = config(&[("INGEST_TOKEN", TOKEN), ("HUAWEI_PUSH_KEYS", "ak:sk")]);
        let outcome = authenticate(
            &request(&[]),
            Some(TOKEN),
            &config,
            Timestamp::from_unix_seconds(0),
        );
        assert_eq!(
            outcome.map(|_| ()),
            Err(AuthError::Signature(VerifyError::MissingSignature))
        );
    }

    #[test]
    fn unsigned_and_unconfigured() {
        let now = Timestamp::from_unix_seconds(0);
        let open = config(&[("ALLOW_UNSIGNED", "true")]);
        assert_eq!(
            authenticate(&request(&[]), None, &open, now).map(|a| a.info().clone()),
            Ok(AuthInfo::None)
        );
        let closed = config(&[]);
        assert_eq!(
            authenticate(&request(&[]), None, &closed, now).map(|_| ()),
            Err(AuthError::Unconfigured)
        );
    }
}
