//! `GET /v1/messages/<provider>/<message_id>`: where a message is now, per part and as a
//! whole, and every status report stored for it, oldest first, from what the KV sink stored.
//!
//! Every status report is stored under `status/<provider>/<message_id>/<event id>` with its
//! status, state, finality, part and times as the key's metadata (`sinks::kv`), so listing the
//! prefix answers without reading any value. The listing is read page by page (up to
//! [`LOOKUP_MAX_PAGES`]); an answer that stops short says so and gives a cursor. KV is
//! eventually consistent: a report written at another Cloudflare location can take up to a
//! minute to be listed here.
//!
//! Uplinks do not name the message they reply to, so no reply is listed.

use crate::event::{Outcome, State};
use crate::http::{Refusal, Reply};
use crate::payload::json::{Bad, Read, Reader};
use crate::payload::percent;
use crate::providers::common::MAX_MESSAGE_ID_BYTES;
use crate::sinks::kv;
use serde::Serialize;

/// The KV key prefix holding `provider`'s status reports of `message_id`, or `None` for an id
/// no report could have (empty, too long, not UTF-8 once decoded, or holding a `/`).
pub fn status_prefix(provider: &str, raw_message_id: &str) -> Option<String> {
    let decoded = String::from_utf8(percent::decode(raw_message_id.as_bytes(), false)).ok()?;
    let valid =
        !decoded.is_empty() && decoded.len() <= MAX_MESSAGE_ID_BYTES && !decoded.contains('/');
    valid.then(|| kv::status_key_prefix(provider, &decoded))
}

/// KV `list` pages one answer reads at the most (each holds up to 1,000 keys, KV "Limits"):
/// 5,000 reports. Past that the answer says `"complete": false` and gives the `cursor` that
/// `?cursor=` continues from, so nothing is ever left out silently.
pub const LOOKUP_MAX_PAGES: usize = 5;

/// The longest `?cursor=` accepted: KV's cursors are opaque, and far shorter.
pub const MAX_CURSOR_BYTES: usize = 1024;

/// A lookup in progress: the pages listed so far, and where the next one starts.
#[derive(Debug)]
pub struct Lookup {
    pub prefix: String,
    pub cursor: Option<String>,
    pages: usize,
    keys: Vec<ListedKey>,
}

impl Lookup {
    /// A lookup of the reports under `prefix`, from `cursor` (a previous answer's) if given.
    pub fn new(prefix: String, cursor: Option<String>) -> Lookup {
        Lookup {
            prefix,
            cursor,
            pages: 0,
            keys: Vec::new(),
        }
    }

    /// One `list` result (its JSON: `keys`, `list_complete`, `cursor`). The answer once the
    /// listing is complete or [`LOOKUP_MAX_PAGES`] were read; `None` to list the next page.
    pub fn listed(&mut self, list_result_json: &str) -> Option<Reply> {
        let Some(page) = ListResult::read(list_result_json) else {
            return Some(Refusal::KvUnreadable.reply());
        };
        self.keys.extend(page.keys);
        self.pages += 1;
        let next = page
            .cursor
            .filter(|cursor| !page.list_complete && !cursor.is_empty());
        if !page.list_complete && next.is_none() {
            // More keys, and no way to them: no answer could say what it left out.
            return Some(Refusal::KvUnreadable.reply());
        }
        match next {
            Some(cursor) if self.pages < LOOKUP_MAX_PAGES => {
                self.cursor = Some(cursor);
                None
            }
            next => Some(answer(&self.prefix, &self.keys, next.as_deref())),
        }
    }
}

/// What the runtime's `KVNamespace.list()` resolves to.
#[derive(Debug)]
struct ListResult {
    keys: Vec<ListedKey>,
    /// `true` when absent.
    list_complete: bool,
    cursor: Option<String>,
}

impl ListResult {
    /// Read as `#[derive(Deserialize)]` would read it, without serde's typed reads
    /// (`payload::json`: they print floats in their errors, about 23 KB of wasm).
    fn read(json: &str) -> Option<ListResult> {
        let mut reader = Reader::new(json);
        let (mut keys, mut list_complete, mut cursor) = (None, true, None);
        reader
            .record(&["keys", "list_complete", "cursor"], &mut |r, field| {
                match field {
                    0 => {
                        let mut list = Vec::new();
                        r.seq(&mut |r| {
                            list.push(ListedKey::read(r)?);
                            Ok(())
                        })?;
                        keys = Some(list);
                    }
                    1 => list_complete = r.boolean()?,
                    _ => cursor = r.opt_string()?,
                }
                Ok(())
            })
            .ok()?;
        reader.end().ok()?;
        Some(ListResult {
            keys: keys?,
            list_complete,
            cursor,
        })
    }
}

/// `?cursor=` from a lookup's query string, decoded; `Err` for one no listing could have made.
pub fn cursor_param(query: &str) -> Result<Option<String>, Refusal> {
    let Some(raw) = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("cursor="))
    else {
        return Ok(None);
    };
    let decoded = String::from_utf8(percent::decode(raw.as_bytes(), false))
        .ok()
        .filter(|cursor| !cursor.is_empty() && cursor.len() <= MAX_CURSOR_BYTES);
    decoded.map(Some).ok_or(Refusal::InvalidCursor)
}

/// One listed key as the runtime's `KVNamespace.list()` returns it.
#[derive(Debug)]
pub struct ListedKey {
    pub name: String,
    pub metadata: Option<ListedMetadata>,
}

impl ListedKey {
    fn read(reader: &mut Reader<'_>) -> Read<ListedKey> {
        let (mut name, mut metadata) = (None, None);
        reader.record(&["name", "metadata"], &mut |r, field| {
            if field == 0 {
                name = Some(r.string()?.into_owned());
            } else if !r.null()? {
                metadata = Some(ListedMetadata::read(r)?);
            }
            Ok(())
        })?;
        Ok(ListedKey {
            name: name.ok_or(Bad::Type)?,
            metadata,
        })
    }
}

/// The metadata the KV sink stores beside each report ([`kv::KvMetadata`]). Entries written
/// before `state`, `final` and `received_at` existed lack them: their state is then read from
/// `delivered`.
#[derive(Debug, Default)]
pub struct ListedMetadata {
    pub status: Option<String>,
    pub state: Option<String>,
    /// `final`.
    pub is_final: Option<bool>,
    pub delivered: Option<bool>,
    /// Any JSON number, as its `serde_json::Number::as_u64`: `None` for one that is not a
    /// non-negative integer.
    pub segment: Option<u64>,
    pub segments: Option<u64>,
    pub recipient: Option<String>,
    pub time: Option<String>,
    pub received_at: Option<String>,
}

impl ListedMetadata {
    fn read(reader: &mut Reader<'_>) -> Read<ListedMetadata> {
        const NAMES: [&str; 9] = [
            "status",
            "state",
            "final",
            "delivered",
            "segment",
            "segments",
            "recipient",
            "time",
            "received_at",
        ];
        let mut m = ListedMetadata::default();
        reader.record(&NAMES, &mut |r, field| {
            let count = |r: &mut Reader<'_>| -> Read<Option<u64>> {
                if r.null()? {
                    Ok(None)
                } else {
                    r.count()
                }
            };
            match field {
                0 => m.status = r.opt_string()?,
                1 => m.state = r.opt_string()?,
                2 => m.is_final = r.opt_boolean()?,
                3 => m.delivered = r.opt_boolean()?,
                4 => m.segment = count(r)?,
                5 => m.segments = count(r)?,
                6 => m.recipient = r.opt_string()?,
                7 => m.time = r.opt_string()?,
                _ => m.received_at = r.opt_string()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

fn small_count(number: Option<u64>) -> Option<u32> {
    number.and_then(|n| u32::try_from(n).ok())
}

/// One stored report as the lookup lists it.
#[derive(Debug, Serialize)]
struct Report<'a> {
    /// The event's id: its value is stored under `<prefix><id>`.
    id: &'a str,
    segment: Option<u32>,
    #[serde(skip)]
    segments: Option<u32>,
    recipient: Option<&'a str>,
    status: Option<&'a str>,
    state: State,
    #[serde(rename = "final")]
    is_final: bool,
    delivered: Option<bool>,
    updated_at: Option<&'a str>,
    received_at: Option<&'a str>,
    /// `updated_at` and `received_at` as instants (milliseconds): times keep the fraction
    /// the vendor wrote, so as text `…:46.500Z` would sort before `…:46Z`.
    #[serde(skip)]
    at: Option<i64>,
    #[serde(skip)]
    arrived: Option<i64>,
}

fn instant(time: Option<&str>) -> Option<i64> {
    time.and_then(crate::clock::parse_report_time)
        .map(|at| at.unix_millis())
}

impl Report<'_> {
    /// Which of two reports of one part says where it is now: a final one beats any other,
    /// whatever order they came in; then the further state (`read` after `delivered`, `sent`
    /// after `queued`); then the later time (the vendor's, else the arrival), the later
    /// arrival, and the id, so the choice never depends on listing order.
    fn precedence(&self) -> (bool, u8, Option<i64>, Option<i64>, &str) {
        (
            self.is_final,
            self.state.rank(self.is_final),
            self.at,
            self.arrived,
            self.id,
        )
    }
}

/// One part of a message, (recipient, segment), and the report that says where it is.
#[derive(Debug, Serialize)]
struct Part<'a> {
    recipient: Option<&'a str>,
    segment: Option<u32>,
    segments: Option<u32>,
    state: State,
    #[serde(rename = "final")]
    is_final: bool,
    updated_at: Option<&'a str>,
    /// The id of the report that decided the part's state.
    report: &'a str,
}

/// The message's state from its parts' (`docs/delivery-states.md`, "The message's current
/// state"): `failed` if any part failed, else `expired` if any expired, else the least
/// advanced state of the parts still in flight, else `unknown` if any part is, else `read`
/// if every part is, else `delivered`. Final once every part is, the expected parts not yet
/// reported (`missing`) counting as `sent`.
fn message_state(parts: &[Part<'_>], missing: u64) -> (State, bool) {
    let mut states: Vec<(State, bool)> = parts.iter().map(|p| (p.state, p.is_final)).collect();
    if missing > 0 {
        states.push((State::Sent, false));
    }
    let is_final = states.iter().all(|(_, is_final)| *is_final);
    let any = |wanted: State| states.iter().any(|(state, _)| *state == wanted);
    let state = if any(State::Failed) {
        State::Failed
    } else if any(State::Expired) {
        State::Expired
    } else if let Some((state, _)) = states
        .iter()
        .filter(|(_, is_final)| !is_final)
        .min_by_key(|(state, is_final)| (state.rank(*is_final), *state))
    {
        *state
    } else if any(State::Unknown) {
        State::Unknown
    } else if !states.is_empty() && states.iter().all(|(state, _)| *state == State::Read) {
        State::Read
    } else {
        State::Delivered
    };
    (state, is_final)
}

/// The answer to a lookup, from the keys listed under [`status_prefix`]'s prefix; `cursor`
/// when the listing went on past what this answer read.
fn answer(prefix: &str, keys: &[ListedKey], cursor: Option<&str>) -> Reply {
    #[derive(Serialize)]
    struct Found<'a> {
        provider: &'a str,
        message_id: &'a str,
        state: State,
        #[serde(rename = "final")]
        is_final: bool,
        updated_at: Option<&'a str>,
        parts: Vec<Part<'a>>,
        /// Parts the provider said the message has (`segments`) with no report yet.
        missing_parts: u64,
        reports: Vec<Report<'a>>,
        complete: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        cursor: Option<&'a str>,
    }
    let (provider, message_id) = prefix
        .strip_prefix(kv::STATUS_PREFIX)
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|rest| rest.split_once('/'))
        .unwrap_or_default();
    let mut reports: Vec<Report<'_>> = keys
        .iter()
        .filter_map(|key| report(provider, prefix, key))
        .collect();
    if reports.is_empty() {
        return Refusal::NotFound.reply();
    }
    // Group by part, each part's deciding report last.
    crate::sort::sort_by(&mut reports, |a, b| {
        (a.recipient, a.segment)
            .cmp(&(b.recipient, b.segment))
            .then_with(|| a.precedence().cmp(&b.precedence()))
    });
    let mut parts: Vec<Part<'_>> = Vec::new();
    let mut latest: Option<(i64, Option<&str>)> = None;
    for (index, report) in reports.iter().enumerate() {
        let last_of_part = reports.get(index + 1).is_none_or(|next| {
            (next.recipient, next.segment) != (report.recipient, report.segment)
        });
        if last_of_part {
            latest = latest.max(report.at.map(|at| (at, report.updated_at)));
            parts.push(Part {
                recipient: report.recipient,
                segment: report.segment,
                segments: report.segments,
                state: report.state,
                is_final: report.is_final,
                updated_at: report.updated_at,
                report: report.id,
            });
        }
    }
    let missing = missing_parts(&reports);
    let (state, is_final) = message_state(&parts, missing);
    let updated_at = latest.and_then(|(_, text)| text);
    // Oldest first, by instant; segments break ties.
    crate::sort::sort_by(&mut reports, |a, b| {
        (a.at, a.segment, a.id).cmp(&(b.at, b.segment, b.id))
    });
    let body = serde_json::to_string(&Found {
        provider,
        message_id,
        state,
        is_final,
        updated_at,
        parts,
        missing_parts: missing,
        reports,
        complete: cursor.is_none(),
        cursor,
    })
    .unwrap_or_default();
    Reply::json(200, "ok", body)
}

/// A listed key as a report, `None` for a key that is not one of this message's.
fn report<'k>(provider: &str, prefix: &str, key: &'k ListedKey) -> Option<Report<'k>> {
    let id = key.name.strip_prefix(prefix)?;
    if id.is_empty() || id.contains('/') {
        return None;
    }
    let metadata = key.metadata.as_ref();
    let delivered = metadata.and_then(|m| m.delivered);
    let stored = metadata
        .and_then(|m| m.state.as_deref())
        .and_then(State::from_name)
        .zip(metadata.and_then(|m| m.is_final));
    let Outcome { state, is_final } = match stored {
        Some((state, is_final)) => Outcome { state, is_final },
        None => legacy_outcome(
            provider,
            metadata.and_then(|m| m.status.as_deref()),
            delivered,
        ),
    };
    let time = metadata.and_then(|m| m.time.as_deref());
    let received_at = metadata.and_then(|m| m.received_at.as_deref()).or(time);
    Some(Report {
        id,
        segment: small_count(metadata.and_then(|m| m.segment)),
        segments: small_count(metadata.and_then(|m| m.segments)),
        recipient: metadata.and_then(|m| m.recipient.as_deref()),
        status: metadata.and_then(|m| m.status.as_deref()),
        state,
        is_final,
        delivered,
        updated_at: time,
        received_at,
        at: instant(time),
        arrived: instant(received_at),
    })
}

/// The state of an entry stored before `state` and `final` were: from its `status` by the
/// provider's table where the status is the state's source (Huawei, Twilio), else from
/// `delivered` (Alibaba's and Tencent's receipts are each final).
fn legacy_outcome(provider: &str, status: Option<&str>, delivered: Option<bool>) -> Outcome {
    use crate::providers::{huawei, twilio};
    match (provider, status, delivered) {
        ("huawei", Some(status), _) => huawei::status_codes::outcome(status),
        ("twilio", Some(status), _) => twilio::normalize::outcome(status),
        (_, _, Some(true)) => Outcome::of(State::Delivered, true),
        ("alibaba" | "tencent", _, Some(false)) => Outcome::of(State::Failed, true),
        _ => Outcome::UNRECOGNISED,
    }
}

/// Parts the provider announced (`segments`) but that have no report yet: for each recipient
/// whose reports number their parts, the parts up to the largest count announced (or part
/// number seen) that no report names. `reports` is grouped by recipient, then segment: one
/// pass.
fn missing_parts(reports: &[Report<'_>]) -> u64 {
    let mut missing = 0u64;
    let mut group: Option<Option<&str>> = None;
    let (mut numbered, mut expected, mut last_segment) = (0u64, 0u32, None);
    let mut close = |numbered: u64, expected: u32| {
        if numbered > 0 {
            missing += u64::from(expected).saturating_sub(numbered);
        }
    };
    for report in reports {
        if group != Some(report.recipient) {
            close(numbered, expected);
            group = Some(report.recipient);
            (numbered, expected, last_segment) = (0, 0, None);
        }
        if report.segment.is_some() && report.segment != last_segment {
            numbered += 1;
            last_segment = report.segment;
        }
        expected = expected.max(report.segments.max(report.segment).unwrap_or(0));
    }
    close(numbered, expected);
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The derive this module's reader replaced, kept as its oracle.
    mod serde_oracle {
        #[derive(Debug, serde::Deserialize)]
        pub struct ListResult {
            pub keys: Vec<ListedKey>,
            #[serde(default = "complete")]
            pub list_complete: bool,
            #[serde(default)]
            pub cursor: Option<String>,
        }
        fn complete() -> bool {
            true
        }
        #[derive(Debug, serde::Deserialize)]
        pub struct ListedKey {
            pub name: String,
            #[serde(default)]
            pub metadata: Option<ListedMetadata>,
        }
        #[derive(Debug, serde::Deserialize)]
        pub struct ListedMetadata {
            #[serde(default)]
            pub status: Option<String>,
            #[serde(default)]
            pub state: Option<String>,
            #[serde(default, rename = "final")]
            pub is_final: Option<bool>,
            #[serde(default)]
            pub delivered: Option<bool>,
            #[serde(default)]
            pub segment: Option<serde_json::Number>,
            #[serde(default)]
            pub segments: Option<serde_json::Number>,
            #[serde(default)]
            pub recipient: Option<String>,
            #[serde(default)]
            pub time: Option<String>,
            #[serde(default)]
            pub received_at: Option<String>,
        }
    }

    fn ours(json: &str) -> Option<String> {
        ListResult::read(json).map(|page| format!("{page:?}"))
    }

    fn oracle(json: &str) -> Option<String> {
        let page = serde_json::from_str::<serde_oracle::ListResult>(json).ok()?;
        let keys = page
            .keys
            .into_iter()
            .map(|key| ListedKey {
                name: key.name,
                metadata: key.metadata.map(|m| ListedMetadata {
                    status: m.status,
                    state: m.state,
                    is_final: m.is_final,
                    delivered: m.delivered,
                    segment: m.segment.and_then(|n| n.as_u64()),
                    segments: m.segments.and_then(|n| n.as_u64()),
                    recipient: m.recipient,
                    time: m.time,
                    received_at: m.received_at,
                }),
            })
            .collect();
        let page = ListResult {
            keys,
            list_complete: page.list_complete,
            cursor: page.cursor,
        };
        Some(format!("{page:?}"))
    }

    const LIST_TOKENS: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"keys\"",
        "\"name\"",
        "\"metadata\"",
        "\"cursor\"",
        "\"list_complete\"",
        "\"segment\"",
        "\"final\"",
        "\"state\"",
        "\"x\"",
        "\"\\ud800\"",
        "1",
        "-1",
        "1.5",
        "1e400",
        "null",
        "true",
        "false",
    ];

    #[test]
    fn list_results_read_as_the_derive_read_them() {
        for json in [
            r#"{"keys":[{"name":"a","metadata":{"segment":2,"segments":3.0,"final":true,"state":"delivered"}}],"list_complete":false,"cursor":"c","cacheStatus":null}"#,
            r#"{"keys":[]}"#,
            r#"{"keys":[],"keys":[]}"#,
            r#"[[["a",{"segment":1}]],true,null]"#,
            r#"{"keys":[{"name":"a","metadata":null,"expiration":1e400}]}"#,
            r#"{"keys":[{"name":"a","metadata":{"segment":1e400}}]}"#,
            r#"{"keys":[{"name":"a","metadata":{"segment":-0}}],"list_complete":null}"#,
        ] {
            assert_eq!(ours(json), oracle(json), "{json}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn list_result_soup_reads_as_the_derive_read_it(picks in proptest::collection::vec(0..LIST_TOKENS.len(), 0..16)) {
            let json: String = picks.iter().filter_map(|&i| LIST_TOKENS.get(i).copied()).collect();
            prop_assert_eq!(ours(&json), oracle(&json), "{}", json);
        }
    }

    #[test]
    fn the_prefix_is_the_decoded_id_and_odd_ids_have_none() {
        assert_eq!(
            status_prefix("huawei", "abc_1").as_deref(),
            Some("status/huawei/abc_1/")
        );
        assert_eq!(
            status_prefix("twilio", "a%20b").as_deref(),
            Some("status/twilio/a b/")
        );
        for odd in ["", "a%2Fb", "%FF", &"x".repeat(MAX_MESSAGE_ID_BYTES + 1)] {
            assert_eq!(status_prefix("huawei", odd), None, "{odd}");
        }
    }

    fn listed(keys: &str) -> String {
        format!(r#"{{"keys":{keys},"list_complete":true}}"#)
    }

    fn body(reply: &Reply) -> serde_json::Value {
        serde_json::from_str(&reply.body).unwrap_or_default()
    }

    fn key(id: &str, metadata: &str) -> String {
        format!(r#"{{"name":"status/huawei/m/{id}","metadata":{metadata}}}"#)
    }

    #[test]
    fn reports_oldest_first_with_their_state_and_nothing_else() {
        let keys = format!(
            "[{},{},{},{}]",
            key(
                "b2",
                r#"{"type":"t","status":"UNDELIV","state":"failed","final":true,"delivered":false,"segment":2,"segments":2,"time":"2018-04-13T06:31:47Z","received_at":"2018-04-13T06:40:00Z"}"#
            ),
            key(
                "a1",
                r#"{"type":"t","status":"DELIVRD","state":"delivered","final":true,"delivered":true,"segment":1,"segments":2,"time":"2018-04-13T06:31:46Z","received_at":"2018-04-13T06:40:00Z"}"#
            ),
            r#"{"name":"status/huawei/m/c/x"}"#,
            r#"{"name":"status/huawei/mm/d1"}"#
        );
        let mut lookup = Lookup::new("status/huawei/m/".into(), None);
        let reply = lookup.listed(&listed(&keys)).unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(
            body(&reply),
            serde_json::json!({"provider": "huawei", "message_id": "m",
                "state": "failed", "final": true, "updated_at": "2018-04-13T06:31:47Z",
                "parts": [
                    {"recipient": null, "segment": 1, "segments": 2, "state": "delivered", "final": true, "updated_at": "2018-04-13T06:31:46Z", "report": "a1"},
                    {"recipient": null, "segment": 2, "segments": 2, "state": "failed", "final": true, "updated_at": "2018-04-13T06:31:47Z", "report": "b2"}
                ],
                "missing_parts": 0,
                "reports": [
                    {"id": "a1", "segment": 1, "recipient": null, "status": "DELIVRD", "state": "delivered", "final": true, "delivered": true, "updated_at": "2018-04-13T06:31:46Z", "received_at": "2018-04-13T06:40:00Z"},
                    {"id": "b2", "segment": 2, "recipient": null, "status": "UNDELIV", "state": "failed", "final": true, "delivered": false, "updated_at": "2018-04-13T06:31:47Z", "received_at": "2018-04-13T06:40:00Z"}
                ],
                "complete": true})
        );
        let mut empty = Lookup::new("status/huawei/m/".into(), None);
        assert_eq!(
            empty.listed(&listed("[]")).map(|r| r.code),
            Some("not_found")
        );
        assert_eq!(empty.listed("{").map(|r| r.status), Some(502));
    }

    /// `(state, final, time, received_at)` of each report of one part, in arrival order.
    fn current(reports: &[(&str, bool, &str, &str)]) -> (String, bool) {
        let keys: Vec<String> = reports
            .iter()
            .enumerate()
            .map(|(i, (state, is_final, time, received))| {
                key(
                    &format!("r{i}"),
                    &format!(
                        r#"{{"type":"t","state":"{state}","final":{is_final},"time":"{time}","received_at":"{received}"}}"#
                    ),
                )
            })
            .collect();
        let reply = Lookup::new("status/huawei/m/".into(), None)
            .listed(&listed(&format!("[{}]", keys.join(","))))
            .unwrap();
        let body = body(&reply);
        (
            body["state"].as_str().unwrap_or_default().to_string(),
            body["final"].as_bool().unwrap_or_default(),
        )
    }

    #[test]
    fn a_final_state_beats_any_later_non_final_one_then_time_then_arrival() {
        // A late `sent` never hides `delivered`, whichever came first.
        let delivered = (
            "delivered",
            true,
            "2024-01-01T00:00:05Z",
            "2024-01-01T00:00:05Z",
        );
        let sent = (
            "sent",
            false,
            "2024-01-01T00:00:09Z",
            "2024-01-01T00:00:09Z",
        );
        assert_eq!(current(&[delivered, sent]), ("delivered".into(), true));
        assert_eq!(current(&[sent, delivered]), ("delivered".into(), true));
        // `read` goes further than `delivered`, even when it came first.
        let read = ("read", true, "2024-01-01T00:00:01Z", "2024-01-01T00:00:01Z");
        assert_eq!(current(&[read, delivered]), ("read".into(), true));
        // Between two finals of one rank, the vendor's later time wins over arrival.
        let failed_late = (
            "failed",
            true,
            "2024-01-01T00:00:07Z",
            "2024-01-01T00:00:01Z",
        );
        assert_eq!(current(&[delivered, failed_late]), ("failed".into(), true));
        // Equal times: the later arrival.
        let failed_same = (
            "failed",
            true,
            "2024-01-01T00:00:05Z",
            "2024-01-01T00:00:06Z",
        );
        assert_eq!(current(&[failed_same, delivered]), ("failed".into(), true));
        // In flight: the further state; `queued` arriving after `sent` does not go back.
        let queued = (
            "accepted",
            false,
            "2024-01-01T00:00:10Z",
            "2024-01-01T00:00:10Z",
        );
        assert_eq!(current(&[sent, queued]), ("sent".into(), false));
    }

    #[test]
    fn times_compare_as_instants_whatever_fraction_they_carry() {
        // As text `.500Z` sorts before `Z`; as instants it is half a second later.
        let early = (
            "failed",
            true,
            "2024-01-01T00:00:05Z",
            "2024-01-01T00:00:09Z",
        );
        let late = (
            "delivered",
            true,
            "2024-01-01T00:00:05.500Z",
            "2024-01-01T00:00:01Z",
        );
        assert_eq!(current(&[early, late]), ("delivered".into(), true));
        assert_eq!(current(&[late, early]), ("delivered".into(), true));
    }

    #[test]
    fn a_listing_that_goes_on_without_a_cursor_is_unreadable() {
        let mut lookup = Lookup::new("status/huawei/m/".into(), None);
        let reply = lookup.listed(r#"{"keys":[],"list_complete":false}"#);
        assert_eq!(
            reply.map(|r| (r.status, r.code)),
            Some((502, "kv_unreadable"))
        );
    }

    #[test]
    fn a_message_is_delivered_only_once_every_part_is() {
        let part = |segment: u32, state: &str, is_final: bool| {
            key(
                &format!("p{segment}{state}"),
                &format!(
                    r#"{{"type":"t","state":"{state}","final":{is_final},"segment":{segment},"segments":2,"time":"2024-01-01T00:00:0{segment}Z"}}"#
                ),
            )
        };
        let state_of = |keys: &[String]| {
            let reply = Lookup::new("status/huawei/m/".into(), None)
                .listed(&listed(&format!("[{}]", keys.join(","))))
                .unwrap();
            let body = body(&reply);
            (
                body["state"].as_str().unwrap_or_default().to_string(),
                body["final"].as_bool().unwrap_or_default(),
                body["missing_parts"].as_u64().unwrap_or(99),
            )
        };
        assert_eq!(
            state_of(&[part(1, "delivered", true)]),
            ("sent".into(), false, 1)
        );
        assert_eq!(
            state_of(&[part(1, "delivered", true), part(2, "delivered", true)]),
            ("delivered".into(), true, 0)
        );
        assert_eq!(
            state_of(&[part(1, "delivered", true), part(2, "sent", false)]),
            ("sent".into(), false, 0)
        );
        assert_eq!(
            state_of(&[part(1, "expired", true), part(2, "delivered", true)]),
            ("expired".into(), true, 0)
        );
        assert_eq!(
            state_of(&[part(1, "failed", true), part(2, "expired", true)]),
            ("failed".into(), true, 0)
        );
        assert_eq!(
            state_of(&[part(1, "unknown", true), part(2, "delivered", true)]),
            ("unknown".into(), true, 0)
        );
    }

    #[test]
    fn entries_from_before_the_state_model_take_their_providers_state() {
        let old = |prefix: &str, status: &str, delivered: bool| {
            let keys = format!(
                r#"[{{"name":"{prefix}old","metadata":{{"type":"t","status":"{status}","delivered":{delivered},"time":"2018-04-13T06:31:46Z"}}}}]"#
            );
            let body = body(
                &Lookup::new(prefix.into(), None)
                    .listed(&listed(&keys))
                    .unwrap(),
            );
            (
                body["state"].as_str().unwrap_or_default().to_string(),
                body["final"].as_bool().unwrap_or_default(),
            )
        };
        assert_eq!(
            old("status/huawei/m/", "UNDELIV", false),
            ("failed".into(), true)
        );
        assert_eq!(
            old("status/twilio/m/", "sent", false),
            ("sent".into(), false)
        );
        assert_eq!(
            old("status/alibaba/m/", "IS_CLOSE", false),
            ("failed".into(), true)
        );
        assert_eq!(
            old("status/tencent/m/", "DELIVRD", true),
            ("delivered".into(), true)
        );
    }

    #[test]
    fn entries_from_before_the_state_model_read_their_state_from_delivered() {
        let keys = format!(
            "[{}]",
            key(
                "old",
                r#"{"type":"t","status":"DELIVRD","delivered":true,"segment":1,"time":"2018-04-13T06:31:46Z"}"#
            )
        );
        let reply = Lookup::new("status/huawei/m/".into(), None)
            .listed(&listed(&keys))
            .unwrap();
        let body = body(&reply);
        assert_eq!(body["state"], "delivered");
        assert_eq!(body["reports"][0]["received_at"], "2018-04-13T06:31:46Z");
    }

    #[test]
    fn every_page_is_read_up_to_the_cap_then_the_answer_says_where_to_go_on() {
        let page = |n: usize, cursor: Option<&str>| {
            let keys: Vec<String> = (0..3)
                .map(|i| {
                    key(
                        &format!("k{n}-{i}"),
                        r#"{"type":"t","state":"sent","final":false,"time":"t"}"#,
                    )
                })
                .collect();
            match cursor {
                Some(cursor) => format!(
                    r#"{{"keys":[{}],"list_complete":false,"cursor":"{cursor}"}}"#,
                    keys.join(",")
                ),
                None => listed(&format!("[{}]", keys.join(","))),
            }
        };
        let mut lookup = Lookup::new("status/huawei/m/".into(), None);
        assert!(lookup.listed(&page(0, Some("c1"))).is_none());
        assert_eq!(lookup.cursor.as_deref(), Some("c1"));
        let reply = lookup.listed(&page(1, None)).unwrap();
        let found = body(&reply);
        assert_eq!(found["reports"].as_array().map(Vec::len), Some(6));
        assert_eq!(found["complete"], true);
        assert!(found.get("cursor").is_none());

        let mut capped = Lookup::new("status/huawei/m/".into(), Some("start".into()));
        for n in 1..LOOKUP_MAX_PAGES {
            assert!(capped.listed(&page(n, Some(&format!("c{n}")))).is_none());
        }
        let reply = capped.listed(&page(9, Some("more"))).unwrap();
        let found = body(&reply);
        assert_eq!(
            found["reports"].as_array().map(Vec::len),
            Some(3 * LOOKUP_MAX_PAGES)
        );
        assert_eq!(found["complete"], false);
        assert_eq!(found["cursor"], "more");
    }

    #[test]
    fn cursors_come_from_the_query() {
        assert_eq!(cursor_param(""), Ok(None));
        assert_eq!(cursor_param("x=1&cursor=a%2Bb"), Ok(Some("a+b".into())));
        assert_eq!(cursor_param("cursor="), Err(Refusal::InvalidCursor));
        let long = format!("cursor={}", "c".repeat(MAX_CURSOR_BYTES + 1));
        assert_eq!(cursor_param(&long), Err(Refusal::InvalidCursor));
    }
}
