//! `GET /v1/messages/<provider>/<message_id>`: every status report stored for a message, from
//! what the KV sink stored, oldest first.
//!
//! Every status report is stored under `status/<provider>/<message_id>/<event id>` with its
//! type, status, delivered flag, segment and time as the key's metadata (`sinks::kv`), so one
//! KV `list` of the prefix answers without reading any value. KV is eventually consistent: a
//! report written at another Cloudflare location can take up to a minute to be listed here.
//!
//! Uplinks do not name the message they reply to, so no reply is listed.

use crate::http::Reply;
use crate::payload::percent;
use crate::providers::common::MAX_MESSAGE_ID_BYTES;
use crate::sinks::kv;
use serde::{Deserialize, Serialize};

/// The KV key prefix holding `provider`'s status reports of `message_id`, or `None` for an id
/// no report could have (empty, too long, not UTF-8 once decoded, or holding a `/`).
pub fn status_prefix(provider: &str, raw_message_id: &str) -> Option<String> {
    let decoded = String::from_utf8(percent::decode(raw_message_id.as_bytes(), false)).ok()?;
    let valid =
        !decoded.is_empty() && decoded.len() <= MAX_MESSAGE_ID_BYTES && !decoded.contains('/');
    valid.then(|| kv::status_key_prefix(provider, &decoded))
}

/// One listed key as the runtime's `KVNamespace.list()` returns it.
#[derive(Debug, Deserialize)]
pub struct ListedKey {
    pub name: String,
    #[serde(default)]
    pub metadata: Option<ListedMetadata>,
}

#[derive(Debug, Deserialize)]
pub struct ListedMetadata {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub delivered: Option<bool>,
    /// Read as any JSON number: a typed `u32` would pull serde's float error formatting
    /// (about 20 KB of wasm) into the worker for a value the relay wrote itself.
    #[serde(default)]
    pub segment: Option<serde_json::Number>,
    #[serde(default)]
    pub time: Option<String>,
}

/// The answer to a lookup, from the `keys` of a KV `list` under [`status_prefix`]'s prefix
/// (their JSON).
pub fn answer(prefix: &str, listed_keys_json: &str) -> Reply {
    #[derive(Serialize)]
    struct Found<'a> {
        provider: &'a str,
        message_id: &'a str,
        reports: Vec<Report<'a>>,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        /// The event's id: its value is stored under `<prefix><id>`.
        id: &'a str,
        segment: Option<u32>,
        status: Option<&'a str>,
        delivered: Option<bool>,
        updated_at: Option<&'a str>,
    }
    let Ok(keys) = serde_json::from_str::<Vec<ListedKey>>(listed_keys_json) else {
        return Reply::error(502, "kv_unreadable");
    };
    let (provider, message_id) = prefix
        .strip_prefix(kv::STATUS_PREFIX)
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|rest| rest.split_once('/'))
        .unwrap_or_default();
    let mut reports: Vec<Report<'_>> = keys
        .iter()
        .filter_map(|key| {
            let id = key.name.strip_prefix(prefix)?;
            if id.is_empty() || id.contains('/') {
                return None;
            }
            let metadata = key.metadata.as_ref();
            Some(Report {
                id,
                segment: metadata
                    .and_then(|m| m.segment.as_ref())
                    .and_then(serde_json::Number::as_u64)
                    .and_then(|n| u32::try_from(n).ok()),
                status: metadata.and_then(|m| m.status.as_deref()),
                delivered: metadata.and_then(|m| m.delivered),
                updated_at: metadata.and_then(|m| m.time.as_deref()),
            })
        })
        .collect();
    if reports.is_empty() {
        return Reply::error(404, "not_found");
    }
    // RFC 3339 UTC times sort as text; segments break ties.
    crate::sort::sort_by(&mut reports, |a, b| {
        (a.updated_at, a.segment, a.id).cmp(&(b.updated_at, b.segment, b.id))
    });
    let body = serde_json::to_string(&Found {
        provider,
        message_id,
        reports,
    })
    .unwrap_or_default();
    Reply::json(200, "ok", body)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn reports_oldest_first_with_their_status_and_nothing_else() {
        let listed = r#"[
            {"name":"status/huawei/m/b2","metadata":{"type":"t","status":"UNDELIV","delivered":false,"segment":2,"time":"2018-04-13T06:31:47Z"}},
            {"name":"status/huawei/m/a1","metadata":{"type":"t","status":"DELIVRD","delivered":true,"segment":1,"time":"2018-04-13T06:31:46Z"}},
            {"name":"status/huawei/m/c/x"},
            {"name":"status/huawei/mm/d1"}
        ]"#;
        let reply = answer("status/huawei/m/", listed);
        assert_eq!(reply.status, 200);
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        assert_eq!(
            body,
            serde_json::json!({"provider": "huawei", "message_id": "m", "reports": [
                {"id": "a1", "segment": 1, "status": "DELIVRD", "delivered": true, "updated_at": "2018-04-13T06:31:46Z"},
                {"id": "b2", "segment": 2, "status": "UNDELIV", "delivered": false, "updated_at": "2018-04-13T06:31:47Z"}
            ]})
        );
        assert_eq!(answer("status/huawei/m/", "[]").code, "not_found");
        assert_eq!(answer("status/huawei/m/", "{").status, 502);
    }
}
