//! Huawei's push signature, "SDK-HMAC-SHA256" (`docs/huawei-protocol.md` §2).
//!
//! - [`authorization`] reads the `Authorization` header,
//! - [`canonical`] builds the canonical request and string to sign (shared by signer and verifier),
//! - `signer` signs like Huawei does (tests, benchmarks and fuzzing only: the `testing` feature),
//! - [`verifier`] checks a received push against the configured key set, tolerating what a CDN
//!   edge does to the `Connection` and `Content-Length` headers.

pub mod authorization;
pub mod canonical;
#[cfg(any(test, feature = "testing"))]
pub mod signer;
pub mod verifier;

pub use authorization::{parse_authorization, Authorization, ALGORITHM};
pub use canonical::{canonical_query, canonical_request, canonical_uri, sign, string_to_sign};
pub use verifier::{
    verify, KeySet, KeySetError, VerifiedSignature, VerifyError, MAX_SECRETS_PER_ACCESS_KEY,
};
