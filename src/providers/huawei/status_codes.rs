//! The Huawei / carrier status codes the docs list (`docs/huawei-protocol.md` §1.4): their
//! place in the state model (`docs/delivery-states.md`, "Huawei Cloud") and a description to
//! fill `status_description` when Huawei sent none. The list is open-ended: the raw code is
//! always kept.

use crate::event::{Outcome, State};

/// The only code that means the message reached the handset.
pub const DELIVERED: &str = "DELIVRD";

const EXACT: &[(&str, &str)] = &[
    ("DELIVRD", "Delivered to the handset"),
    (
        "EXPIRED",
        "No delivery receipt from the carrier within 72 hours",
    ),
    ("DELETED", "Deleted by the carrier"),
    ("UNDELIV", "Undeliverable"),
    ("ACCEPTD", "Accepted by the carrier, no final state"),
    ("UNKNOWN", "Unknown state"),
    ("REJECTD", "Rejected by the carrier"),
    ("MILIMIT", "Sending rate or volume limit reached"),
    ("LIMIT", "Sending rate or volume limit reached"),
    ("BEYONDN", "Sending rate or volume limit reached"),
    ("CTLIMIT", "Sending rate or volume limit reached"),
    ("KEYWORD", "Blocked by a keyword filter"),
    ("BLACK", "Recipient is on a blacklist"),
    ("TDBLACK", "Recipient is on a blacklist"),
    ("TSBLACK", "Recipient is on a blacklist"),
    ("MBBLACK", "Recipient is on a blacklist"),
    ("E000628", "Rejected by the Huawei platform"),
    ("E000629", "Rejected by the Huawei platform"),
];

const PREFIXES: &[(&str, &str)] = &[
    ("E2000", "Rejected by the Huawei platform"),
    ("MA:", "Carrier gateway error"),
    ("MB:", "Carrier gateway error"),
    ("MC:", "Carrier gateway error"),
    ("CA:", "Carrier gateway error"),
    ("CB:", "Carrier gateway error"),
    ("DA:", "Carrier gateway error"),
    ("DB:", "Carrier gateway error"),
    ("ID:", "Carrier gateway error"),
    ("MK:", "Carrier gateway error"),
    ("MN:", "Carrier gateway error"),
];

const FAILED: Outcome = Outcome::of(State::Failed, true);

/// Huawei counts every pushed report as the message's last: each known code is final.
const OUTCOMES: &[(&str, Outcome)] = &[
    ("DELIVRD", Outcome::of(State::Delivered, true)),
    ("EXPIRED", Outcome::of(State::Expired, true)),
    ("UNDELIV", FAILED),
    ("REJECTD", FAILED),
    ("DELETED", FAILED),
    // SMPP's "accepted": Huawei bills it as a failure and sends nothing after it.
    ("ACCEPTD", Outcome::of(State::Unknown, true)),
    ("UNKNOWN", Outcome::of(State::Unknown, true)),
    ("MILIMIT", FAILED),
    ("LIMIT", FAILED),
    ("BEYONDN", FAILED),
    ("CTLIMIT", FAILED),
    ("KEYWORD", FAILED),
    ("BLACK", FAILED),
    ("TDBLACK", FAILED),
    ("TSBLACK", FAILED),
    ("MBBLACK", FAILED),
    ("E000628", FAILED),
    ("E000629", FAILED),
];

/// Carrier gateway code prefixes; `MC:` is "no report from the SMSC", which is what
/// `EXPIRED` means too.
const OUTCOME_PREFIXES: &[(&str, Outcome)] = &[
    ("E2", FAILED),
    ("MC:", Outcome::of(State::Expired, true)),
    ("MA:", FAILED),
    ("MB:", FAILED),
    ("CA:", FAILED),
    ("CB:", FAILED),
    ("DA:", FAILED),
    ("DB:", FAILED),
    ("ID:", FAILED),
    ("MK:", FAILED),
    ("MN:", FAILED),
    ("LT:", FAILED),
    ("DJ:", FAILED),
    ("UT:", FAILED),
];

/// The code's state and finality; `unknown`, not final, for a code no list names.
pub fn outcome(code: &str) -> Outcome {
    if let Some(outcome) = crate::event::state::lookup(OUTCOMES, code) {
        return outcome;
    }
    if let Some((_, outcome)) = OUTCOME_PREFIXES
        .iter()
        .find(|(prefix, _)| code.starts_with(prefix))
    {
        return *outcome;
    }
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        // A bare operator error code.
        return FAILED;
    }
    Outcome::UNRECOGNISED
}

/// A short description of a status code, if it is one the docs describe.
pub fn describe(code: &str) -> Option<&'static str> {
    if let Some((_, text)) = EXACT.iter().find(|(known, _)| *known == code) {
        return Some(text);
    }
    if let Some((_, text)) = PREFIXES.iter().find(|(prefix, _)| code.starts_with(prefix)) {
        return Some(text);
    }
    (!code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()))
        .then_some("Carrier operator error code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_state() {
        let expect = |code: &str, state: State, is_final: bool| {
            assert_eq!(outcome(code), Outcome::of(state, is_final), "{code}");
        };
        expect("DELIVRD", State::Delivered, true);
        expect("EXPIRED", State::Expired, true);
        for code in [
            "UNDELIV", "REJECTD", "DELETED", "MILIMIT", "LIMIT", "BEYONDN", "CTLIMIT", "KEYWORD",
            "BLACK", "TDBLACK", "TSBLACK", "MBBLACK", "E000628", "E000629", "E200051", "E200033",
            "MA:0001", "MB:1078", "CA:0054", "CB:0013", "DA:0001", "DB:0008", "ID:0013", "MK:0000",
            "MN:0001", "LT:0005", "DJ:0001", "UT:0001", "0042", "1",
        ] {
            expect(code, State::Failed, true);
        }
        expect("MC:0001", State::Expired, true);
        expect("ACCEPTD", State::Unknown, true);
        expect("UNKNOWN", State::Unknown, true);
        for unknown in ["NEWCODE", "", "delivrd", "ZZ:0001"] {
            expect(unknown, State::Unknown, false);
        }
    }

    #[test]
    fn known_codes_patterns_and_unknown_ones() {
        assert_eq!(describe("DELIVRD"), Some("Delivered to the handset"));
        assert_eq!(describe("MA:0001"), Some("Carrier gateway error"));
        assert_eq!(describe("E200031"), Some("Rejected by the Huawei platform"));
        assert_eq!(describe("0042"), Some("Carrier operator error code"));
        assert_eq!(describe("NEWCODE"), None);
        assert_eq!(describe(""), None);
    }
}
