//! The README's "Answers" table against the relay's one table of refusals
//! (`sms_relay::http::Refusal`): every (status, code) the relay can refuse with is in the
//! README's row of that status, every code the README lists is one the relay answers, and each
//! header that belongs to a refusal is named in its row. Then every refusal's answer, byte for
//! byte, as the golden files and end-to-end tests expect it.

use sms_relay::http::{AuthFailure, Refusal, TokenError};
use sms_relay::payload::PayloadError;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One row of the README's "Answers" table: the codes (in backticks in the second column) and
/// the "when" column, by status.
struct Row {
    codes: BTreeSet<String>,
    when: String,
}

fn readme_answers() -> BTreeMap<u16, Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let section = readme
        .split("\n## ")
        .find(|section| section.starts_with("Answers\n"))
        .unwrap_or_default();
    let mut rows = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| status | code(s) | when |` splits into an empty cell, three cells, an empty cell.
        let [_, status, codes, when, _] = cells.as_slice() else {
            continue;
        };
        let Some(status) = status
            .strip_prefix('`')
            .and_then(|s| s.strip_suffix('`'))
            .and_then(|s| s.parse::<u16>().ok())
        else {
            continue;
        };
        let codes = codes
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        let row = Row {
            codes,
            when: when.to_string(),
        };
        assert!(
            rows.insert(status, row).is_none(),
            "README: two rows for {status}"
        );
    }
    assert!(
        !rows.is_empty(),
        "README.md: no \"## Answers\" section with a table of statuses"
    );
    rows
}

#[test]
fn the_readme_lists_every_refusal_and_nothing_else() {
    let readme = readme_answers();
    let refusals = Refusal::all();
    for refusal in &refusals {
        let (status, code) = refusal.status_and_code();
        let row = readme
            .get(&status)
            .unwrap_or_else(|| panic!("README: no row for {status} ({code}, {refusal:?})"));
        assert!(
            row.codes.contains(code),
            "README: the {status} row lacks `{code}` ({refusal:?})"
        );
    }
    let answered: BTreeSet<(u16, &str)> = refusals.iter().map(Refusal::status_and_code).collect();
    for (status, row) in &readme {
        if *status == 200 {
            assert!(row.codes.is_empty(), "README: codes in the 200 row");
            continue;
        }
        assert!(
            !row.codes.is_empty(),
            "README: the {status} row names no code"
        );
        for code in &row.codes {
            assert!(
                answered.contains(&(*status, code.as_str())),
                "README: the relay never answers {status} `{code}`"
            );
        }
    }
}

#[test]
fn the_readme_names_the_headers_that_belong_to_a_refusal() {
    let readme = readme_answers();
    for refusal in Refusal::all() {
        let status = refusal.status();
        let reply = refusal.clone().reply();
        let when = readme
            .get(&status)
            .map(|row| row.when.to_ascii_lowercase())
            .unwrap_or_default();
        for (name, _) in reply.headers.iter().skip(1) {
            assert!(
                when.contains(name),
                "README: the {status} row does not name {name} ({refusal:?})"
            );
        }
    }
}

#[test]
fn each_code_has_one_status_and_each_auth_failure_its_own_code() {
    let mut seen = BTreeMap::new();
    for refusal in Refusal::all() {
        let (status, code) = refusal.status_and_code();
        let status_of_code = *seen.entry(code).or_insert(status);
        assert_eq!(
            status_of_code, status,
            "`{code}` answered with two statuses"
        );
    }
    // Every AuthFailure's code is distinct: the README's 401 row is a list of them.
    let codes: BTreeSet<&str> = AuthFailure::ALL.iter().map(|f| f.code()).collect();
    assert_eq!(codes.len(), AuthFailure::ALL.len());
}

fn json_headers(extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    std::iter::once(("content-type", "application/json"))
        .chain(extra.iter().copied())
        .map(|(name, value)| (name, value.to_string()))
        .collect()
}

#[test]
fn every_answer_is_its_code_in_json_then_its_own_header() {
    for refusal in Refusal::all() {
        let (status, code) = refusal.status_and_code();
        let reply = refusal.clone().reply();
        assert_eq!((reply.status, reply.code), (status, code), "{refusal:?}");
        let field = refusal.field().map(str::to_string);
        let body = match &field {
            Some(field) => format!(r#"{{"error":"{code}","field":"{field}"}}"#),
            None => format!(r#"{{"error":"{code}"}}"#),
        };
        assert_eq!(reply.body, body, "{refusal:?}");
        let extra: &[(&str, &str)] = match refusal {
            Refusal::MethodNotAllowed { allow } => &[("allow", allow)],
            Refusal::ReadToken(_) => &[("www-authenticate", "Bearer")],
            Refusal::KvUnavailable | Refusal::SinkUnavailable => &[("retry-after", "30")],
            _ => &[],
        };
        assert_eq!(reply.headers, json_headers(extra), "{refusal:?}");
    }
}

#[test]
fn answers_byte_for_byte() {
    let cases = [
        (
            Refusal::Unreadable(PayloadError::MissingField("smsMsgId")),
            400,
            r#"{"error":"missing_field","field":"smsMsgId"}"#,
        ),
        (
            Refusal::Unreadable(PayloadError::DuplicateField("a\"b".into())),
            400,
            r#"{"error":"duplicate_field","field":"a\"b"}"#,
        ),
        // A field name an unparsed event's `reason` could not hold is not named.
        (
            Refusal::Unreadable(PayloadError::DuplicateField(String::new())),
            400,
            r#"{"error":"duplicate_field"}"#,
        ),
        (
            Refusal::Unreadable(PayloadError::BatchTooLarge),
            400,
            r#"{"error":"batch_too_large"}"#,
        ),
        (
            Refusal::Unreadable(PayloadError::UnsupportedMediaType),
            415,
            r#"{"error":"unsupported_media_type"}"#,
        ),
        (
            Refusal::InvalidCursor,
            400,
            r#"{"error":"invalid_field","field":"cursor"}"#,
        ),
        (
            Refusal::BodyUnreadable,
            400,
            r#"{"error":"body_unreadable"}"#,
        ),
        (
            Refusal::Unauthenticated(AuthFailure::Token(TokenError::Missing)),
            401,
            r#"{"error":"missing_token"}"#,
        ),
        (
            Refusal::ReadToken(TokenError::Invalid),
            401,
            r#"{"error":"invalid_token"}"#,
        ),
        (
            Refusal::Unauthenticated(AuthFailure::ContentTypeNotSigned),
            401,
            r#"{"error":"content_type_not_signed"}"#,
        ),
        (Refusal::NotEnabled, 404, r#"{"error":"not_enabled"}"#),
        (
            Refusal::MethodNotAllowed { allow: "GET, POST" },
            405,
            r#"{"error":"method_not_allowed"}"#,
        ),
        (Refusal::BodyTooLarge, 413, r#"{"error":"body_too_large"}"#),
        (Refusal::ConfigInvalid, 500, r#"{"error":"config_invalid"}"#),
        (Refusal::KvUnreadable, 502, r#"{"error":"kv_unreadable"}"#),
        (
            Refusal::SinkUnavailable,
            503,
            r#"{"error":"sink_unavailable"}"#,
        ),
    ];
    for (refusal, status, body) in cases {
        let reply = sms_relay::http::Reply::from(refusal);
        assert_eq!((reply.status, reply.body.as_str()), (status, body));
    }
    let allow = Refusal::MethodNotAllowed { allow: "GET, POST" }.reply();
    assert_eq!(
        allow.headers,
        json_headers(&[("allow", "GET, POST")]),
        "Allow follows Content-Type"
    );
}

#[test]
fn refusals_and_their_errors_are_errors() {
    fn error<E: std::error::Error>(_: &E) {}
    for refusal in Refusal::all() {
        error(&refusal);
        assert!(!refusal.to_string().is_empty());
    }
    error(&PayloadError::EmptyBatch);
    error(&AuthFailure::ClockSkew);
    error(&TokenError::Missing);
    error(&sms_relay::providers::huawei::signing::VerifyError::SignatureMismatch);
    error(&sms_relay::providers::twilio::signature::SignatureError::Missing);
    error(&sms_relay::providers::huawei::auth::AuthError::Unconfigured);
}
