//! The platform-free HTTP vocabulary of the core: the request it reads, the reply it builds,
//! and the one table of refusals every error reply comes from.

pub mod refusal;
pub mod reply;
pub mod request;

pub use refusal::{AuthFailure, Refusal, TokenError};
pub use reply::Reply;
pub use request::{header_lines, split_url, with_host, PushRequest};
