//! Descriptions for the Huawei / carrier status codes the docs list (`docs/huawei-protocol.md` §1.4). The list is
//! open-ended: the raw code is always kept, this only fills `status_description` when Huawei
//! sent none.

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
    use super::describe;

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
