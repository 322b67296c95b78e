//! Delivering queued events to an existing HTTP backend (`FORWARD` includes `http`).
//!
//! The fetch path only enqueues; the worker's queue consumer then POSTs each event to
//! `FORWARD_URL`, signed the Standard Webhooks way, and decides per message whether it is
//! delivered, retried later, or dead-lettered. All of those decisions live here, free of I/O;
//! [`consumer::MessageJob`] strings them together for one message.

pub mod consumer;
pub mod dead_letter;
pub mod replay;
pub mod retry;
pub mod settings;
pub mod target;
pub mod webhook;

pub use dead_letter::dead_letter_message;
pub use retry::{decide, AttemptResult, RetryPolicy, Verdict};
pub use settings::HttpDelivery;
pub use target::{validate_forward_url, ForwardUrlError};
pub use webhook::{WebhookSecret, WebhookSecretError};

/// The event id inside a queued event's JSON (the `webhook-id` of its delivery).
pub fn event_id(event_json: &str) -> Option<String> {
    // `{"id": "…"}` read as `#[derive(Deserialize)]` read it (`payload::json`).
    let mut reader = crate::payload::json::Reader::new(event_json);
    let mut id = None;
    reader
        .record(&["id"], &mut |r, _| {
            id = Some(r.string()?.into_owned());
            Ok(())
        })
        .ok()?;
    reader.end().ok()?;
    id
}
