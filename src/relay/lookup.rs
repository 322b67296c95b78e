//! `GET /v1/messages/<message_id>`: the latest status of a message, per segment, from what the
//! KV sink stored.
//!
//! Every status report is stored under `status/<message_id>/<segment>` with its type, status,
//! delivered flag and time as the key's metadata (`sinks::kv`), so one KV `list` of the prefix
//! answers without reading any value. KV is eventually consistent: a report written at another
//! Cloudflare location can take up to a minute to be listed here.
//!
//! Huawei's uplinks do not name the message they reply to, so no reply is listed.

use crate::http::Reply;
use crate::payload::percent;
use crate::providers::huawei::normalize::MAX_MESSAGE_ID_BYTES;
use crate::sinks::kv;
use serde::{Deserialize, Serialize};

/// The KV key prefix holding `message_id`'s status reports, or `None` for an id no report
/// could have (empty, too long, not UTF-8 once decoded, or holding a `/`).
pub fn status_prefix(raw_message_id: &str) -> Option<String> {
    let decoded = String::from_utf8(percent::decode(raw_message_id.as_bytes(), false)).ok()?;
    let valid =
        !decoded.is_empty() && decoded.len() <= MAX_MESSAGE_ID_BYTES && !decoded.contains('/');
    valid.then(|| kv::status_key_prefix(&decoded))
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
    #[serde(default)]
    pub time: Option<String>,
}

/// The answer to a lookup, from the `keys` of a KV `list` under [`status_prefix`]'s prefix
/// (their JSON).
pub fn answer(prefix: &str, listed_keys_json: &str) -> Reply {
    #[derive(Serialize)]
    struct Found<'a> {
        message_id: &'a str,
        segments: Vec<Segment<'a>>,
    }
    #[derive(Serialize)]
    struct Segment<'a> {
        segment: u32,
        status: Option<&'a str>,
        delivered: Option<bool>,
        updated_at: Option<&'a str>,
    }
    let Ok(keys) = serde_json::from_str::<Vec<ListedKey>>(listed_keys_json) else {
        return Reply::error(502, "kv_unreadable");
    };
    let message_id = prefix
        .strip_prefix(kv::STATUS_PREFIX)
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_default();
    let mut segments: Vec<Segment<'_>> = keys
        .iter()
        .filter_map(|key| {
            let segment = key.name.strip_prefix(prefix)?.parse::<u32>().ok()?;
            let metadata = key.metadata.as_ref();
            Some(Segment {
                segment,
                status: metadata.and_then(|m| m.status.as_deref()),
                delivered: metadata.and_then(|m| m.delivered),
                updated_at: metadata.and_then(|m| m.time.as_deref()),
            })
        })
        .collect();
    if segments.is_empty() {
        return Reply::error(404, "not_found");
    }
    segments.sort_by_key(|segment| segment.segment);
    let body = serde_json::to_string(&Found {
        message_id,
        segments,
    })
    .unwrap_or_default();
    Reply::json(200, "ok", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_decoded_id_and_odd_ids_have_none() {
        assert_eq!(status_prefix("abc_1").as_deref(), Some("status/abc_1/"));
        assert_eq!(status_prefix("a%20b").as_deref(), Some("status/a b/"));
        for odd in ["", "a%2Fb", "%FF", &"x".repeat(MAX_MESSAGE_ID_BYTES + 1)] {
            assert_eq!(status_prefix(odd), None, "{odd}");
        }
    }

    #[test]
    fn segments_in_order_with_their_status_and_nothing_else() {
        let listed = r#"[
            {"name":"status/m/2","metadata":{"type":"t","status":"UNDELIV","delivered":false,"time":"2018-04-13T06:31:47Z"}},
            {"name":"status/m/1","metadata":{"type":"t","status":"DELIVRD","delivered":true,"time":"2018-04-13T06:31:46Z"}},
            {"name":"status/m/x"},
            {"name":"status/mm/1"}
        ]"#;
        let reply = answer("status/m/", listed);
        assert_eq!(reply.status, 200);
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        assert_eq!(
            body,
            serde_json::json!({"message_id": "m", "segments": [
                {"segment": 1, "status": "DELIVRD", "delivered": true, "updated_at": "2018-04-13T06:31:46Z"},
                {"segment": 2, "status": "UNDELIV", "delivered": false, "updated_at": "2018-04-13T06:31:47Z"}
            ]})
        );
        assert_eq!(answer("status/m/", "[]").code, "not_found");
        assert_eq!(answer("status/m/", "{").status, 502);
    }
}
