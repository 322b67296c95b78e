//! One delivery state for every vendor (`docs/delivery-states.md`): each provider maps its own
//! status values onto a [`State`] and whether the vendor sends anything after it (`final`).
//! The vendor's value always stays in the event (`status`, `error_code`); the state is an
//! addition consumers can match on without knowing the vendor.

use serde::Serialize;

/// Where a message is, whichever vendor reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// The vendor accepted or queued it; not yet handed to a carrier.
    Accepted,
    /// Handed to the carrier; waiting for a receipt (may stay so where carriers send none).
    Sent,
    /// A receipt says it reached the handset (or the carrier, where that is all the vendor knows).
    Delivered,
    /// Definitively not delivered: rejected, blocked, undeliverable, cancelled.
    Failed,
    /// The validity period lapsed, or no receipt came within the vendor's window.
    Expired,
    /// A read receipt (OTT channels; never plain SMS).
    Read,
    /// The vendor says it cannot tell, or sent a value no mapping knows.
    Unknown,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Accepted => "accepted",
            State::Sent => "sent",
            State::Delivered => "delivered",
            State::Failed => "failed",
            State::Expired => "expired",
            State::Read => "read",
            State::Unknown => "unknown",
        }
    }

    pub fn from_name(name: &str) -> Option<State> {
        Some(match name {
            "accepted" => State::Accepted,
            "sent" => State::Sent,
            "delivered" => State::Delivered,
            "failed" => State::Failed,
            "expired" => State::Expired,
            "read" => State::Read,
            "unknown" => State::Unknown,
            _ => return None,
        })
    }

    /// Whether the message reached the handset: the event's `delivered`.
    pub fn is_delivered(self) -> bool {
        matches!(self, State::Delivered | State::Read)
    }

    /// How far along a message in this state is: accepted 1, sent 2, the final outcomes 3,
    /// read 4; `unknown` is 3 when final, else 2.
    pub fn rank(self, is_final: bool) -> u8 {
        match self {
            State::Accepted => 1,
            State::Sent => 2,
            State::Delivered | State::Failed | State::Expired => 3,
            State::Read => 4,
            State::Unknown if is_final => 3,
            State::Unknown => 2,
        }
    }
}

/// A vendor value's place in the model: its state, and whether the vendor sends nothing after
/// it for the same message (and recipient, and part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub state: State,
    pub is_final: bool,
}

impl Outcome {
    pub const fn of(state: State, is_final: bool) -> Outcome {
        Outcome { state, is_final }
    }

    /// What a value no mapping knows means: `unknown`, and more may follow.
    pub const UNRECOGNISED: Outcome = Outcome::of(State::Unknown, false);
}

/// Looks `value` up in a vendor's table of exact values.
pub fn lookup(table: &[(&str, Outcome)], value: &str) -> Option<Outcome> {
    table
        .iter()
        .find(|(known, _)| *known == value)
        .map(|(_, outcome)| *outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serialize_as_written() {
        for state in [
            State::Accepted,
            State::Sent,
            State::Delivered,
            State::Failed,
            State::Expired,
            State::Read,
            State::Unknown,
        ] {
            assert_eq!(State::from_name(state.name()), Some(state));
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{}\"", state.name())
            );
        }
        assert_eq!(State::from_name("DELIVRD"), None);
    }

    #[test]
    fn ranks_order_the_journey() {
        assert!(State::Accepted.rank(false) < State::Sent.rank(false));
        assert!(State::Sent.rank(false) < State::Delivered.rank(true));
        assert!(State::Delivered.rank(true) < State::Read.rank(true));
        assert_eq!(State::Unknown.rank(true), 3);
        assert_eq!(State::Unknown.rank(false), 2);
        assert!(State::Read.is_delivered() && State::Delivered.is_delivered());
        assert!(!State::Sent.is_delivered() && !State::Failed.is_delivered());
    }
}
