//! The platform-free HTTP vocabulary of the core: the request it reads, the reply it builds.

pub mod reply;
pub mod request;

pub use reply::Reply;
pub use request::{header_lines, split_url, with_host, PushRequest};
