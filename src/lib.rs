//! sms-relay: receives Huawei Cloud SMS callbacks at the edge, verifies them, and forwards one
//! normalized CloudEvents JSON event per status report or uplink message.
//!
//! Everything except `edge` is plain Rust that runs and is tested on the host: it never
//! touches the `worker` crate and takes the current time as an argument.

pub mod auth;
pub mod clock;
pub mod config;
pub mod event;
pub mod handler;
pub mod hex;
pub mod ip_allow;
pub mod log;
pub mod payload;
pub mod percent;
pub mod reply;
pub mod request;
pub mod signing;
pub mod sinks;

pub mod delivery;
#[cfg(target_arch = "wasm32")]
mod edge;
