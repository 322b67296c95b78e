//! sms-relay: receives SMS providers' callbacks at the edge, verifies them, and forwards one
//! normalized CloudEvents JSON event per status report or uplink message.
//!
//! The crate is a sans-IO core plus a thin edge:
//!
//! - [`relay`] routes a request and admits it before the body is read; [`providers`] holds
//!   each provider's authentication, body parsing and normalization (Huawei today);
//! - [`event`] is the shared event model; [`sinks`] decides what is written to Queue and KV
//!   and, as a state machine, in what order, with which retries, and what is answered;
//! - [`delivery`] decides each queued event's HTTP delivery (attempt, retry, dead letter);
//! - [`config`] reads settings into a [`config::Config`], listing every problem once.
//!
//! None of it touches the `worker` crate or reads a clock: the time is always an argument.
//! `edge` (wasm only) executes what the core returns and holds the runtime entry points.

pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod event;
pub mod http;
pub mod log;
pub mod payload;
pub mod providers;
pub mod relay;
pub mod sinks;
pub mod sort;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(target_arch = "wasm32")]
mod edge;
