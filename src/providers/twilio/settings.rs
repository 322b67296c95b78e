//! Twilio's setting: `TWILIO_AUTH_TOKENS`, the account's auth tokens (primary and secondary
//! during a rotation); a webhook signed by any of them is accepted. It enables Twilio's routes.

use crate::settings::{parse_auth_tokens, Reader, Secret};

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
