//! sms-relay: receives SMS providers' callbacks at the edge, verifies them, and forwards one
//! normalized CloudEvents JSON event per status report or uplink message.
//!
//! The crate is a sans-IO core plus a thin edge:
//!
//! - [`relay`] routes a request and admits it before the body is read, then hands it to its
//!   provider; [`providers`] holds one folder per provider (authentication, settings, body
//!   parsing, normalization) and the registry that lists them;
//! - [`event`] is the shared event model; [`sinks`] decides what is written to Queue, KV and
//!   the R2 spill bucket and, as a state machine, in what order, with which retries, and what
//!   is answered;
//! - [`delivery`] decides each queued event's HTTP delivery (attempt, retry, dead letter);
//! - [`config`] gathers every module's settings into one [`config::Config`], read through
//!   [`settings`], listing every problem once; [`access`] and [`limits`] are the relay's own.
//!
//! None of it performs I/O or reads a clock: the time is always an argument (no workers-rs:
//! `docs/architecture.md` says why).
//! `edge` (wasm only) executes what the core returns and holds the runtime entry points.
//! `docs/architecture.md` follows one push and one queued message through these modules.

pub mod access;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod event;
pub mod http;
pub mod limits;
pub mod log;
pub mod payload;
pub mod providers;
pub mod relay;
pub mod settings;
pub mod sinks;
pub mod sort;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(target_arch = "wasm32")]
mod edge;
