//! Deciding whether a callback is authentic, per the configured [`AuthMode`].

use super::signing::{verify, VerifyError};
use crate::clock::Timestamp;
use crate::config::{AuthMode, AuthSettings};
use crate::event::AuthInfo;
use crate::http::PushRequest;
use subtle::ConstantTimeEq;

/// Proof that a callback passed authentication. Only [`authenticate`] makes one, and turning a
/// body into events requires one, so nothing unauthenticated can be forwarded by mistake.
#[derive(Debug, Clone)]
pub struct Authenticated {
    info: AuthInfo,
}

impl Authenticated {
    pub fn info(&self) -> &AuthInfo {
        &self.info
    }

    /// The access key id that signed the push, if it was signed.
    pub fn access_key(&self) -> Option<&str> {
        match &self.info {
            AuthInfo::Aksk { access_key, .. } => Some(access_key),
            AuthInfo::Token | AuthInfo::None | AuthInfo::Signature { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The configuration names no way to authenticate (answered `500`, not `401`).
    Unconfigured,
    /// The URL lacks the ingest token.
    MissingToken,
    /// The URL's token is not the configured one.
    InvalidToken,
    Signature(VerifyError),
}

impl AuthError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Unconfigured => "not_configured",
            AuthError::MissingToken => "missing_token",
            AuthError::InvalidToken => "invalid_token",
            AuthError::Signature(error) => error.code(),
        }
    }
}

/// Authenticates a callback. `path_token` is the extra last path segment, if the URL had one.
/// The token is checked first (it is cheap), then the signature.
pub fn authenticate(
    request: &PushRequest<'_>,
    path_token: Option<&str>,
    config: &AuthSettings,
    now: Timestamp,
) -> Result<Authenticated, AuthError> {
    let mode = config.mode();
    if let Some(expected) = &config.ingest_token {
        let given = path_token.ok_or(AuthError::MissingToken)?;
        // Constant time: the comparison must not reveal how much of a guess was right.
        if !bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
            return Err(AuthError::InvalidToken);
        }
    }
    let info = match mode {
        AuthMode::Signature { .. } => {
            let verified = verify(request, &config.keys, now, config.max_clock_skew_secs)
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
    Ok(Authenticated { info })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Bindings, Config};

    fn config(vars: &[(&str, &str)]) -> AuthSettings {
        Config::from_vars(vars, Bindings::ALL).auth
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
            Err(AuthError::MissingToken)
        );
        assert_eq!(
            authenticate(&request(&[]), Some("tok-0123456789abcdeX"), &config, now).map(|_| ()),
            Err(AuthError::InvalidToken)
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
