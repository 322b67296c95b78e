//! Node's legacy `querystring` module, as far as Twilio's Node helper uses it: a webhook URL's
//! query is also tried re-encoded by `querystring.stringify(querystring.parse(query))`
//! (`withLegacyQuerystring` in twilio-node's `src/webhooks/webhooks.ts`), for a URL the runtime
//! re-escaped (`'` becomes `%27` in `request.url`, while Twilio signed the `'`).
//!
//! Written after Node's `lib/querystring.js`, including its corners:
//!
//! - `parse` splits on `&` (at most 1,000 pieces, its default `maxKeys`), skips empty pieces,
//!   splits each at its first `=` (a piece without one is a key with an empty value), turns
//!   `+` into a space, and decodes a key or value only where it saw a valid `%XY` (in a value a
//!   `+` between `%` and its digits does not interrupt that check): with `decodeURIComponent`,
//!   or, where that throws (a stray `%`, escapes that are not UTF-8), byte by byte keeping
//!   broken escapes, each UTF-16 unit cut to its low byte, the bytes then read as UTF-8 with
//!   U+FFFD for what is not. A repeated key collects its values in order;
//! - `stringify` writes the keys in JavaScript's object key order (array-index keys first,
//!   ascending, then insertion order), every value as `key=value` (`k=v1&k=v2` for repeats),
//!   both escaped by `querystring.escape`: `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as they are,
//!   everything else as UTF-8 `%XY` in upper-case hex.

use crate::payload::js_json::array_index;
use std::borrow::Cow;

/// `querystring.parse`'s default `maxKeys`: pieces past it are ignored.
const MAX_KEYS: usize = 1000;

/// `url` with its query (everything after the first `?`) replaced by
/// `querystring.stringify(querystring.parse(query))`; unchanged when it has no query or an
/// empty one.
pub fn legacy_query(url: &str) -> Cow<'_, str> {
    match url.split_once('?') {
        Some((head, query)) if !query.is_empty() => {
            let mut out = String::with_capacity(url.len() + 16);
            out.push_str(head);
            out.push('?');
            stringify(&parse(query), &mut out);
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(url),
    }
}

/// `querystring.parse`: each key with its values, keys in the order first seen.
pub fn parse(query: &str) -> Vec<(String, Vec<String>)> {
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for piece in query.split('&').take(MAX_KEYS) {
        let (key, value) = match piece.split_once('=') {
            Some(pair) => pair,
            None if piece.is_empty() => continue,
            None => (piece, ""),
        };
        let key = unescape(key, has_escape(key, false));
        let value = unescape(value, has_escape(value, true));
        match entries.iter_mut().find(|(known, _)| *known == key) {
            Some((_, values)) => values.push(value),
            None => entries.push((key, vec![value])),
        }
    }
    entries
}

/// `querystring.stringify` of what [`parse`] returned, appended to `out`.
pub fn stringify(entries: &[(String, Vec<String>)], out: &mut String) {
    // JavaScript's key order: array indices ascending, then the other keys as inserted.
    let mut indexed: Vec<(u32, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(position, (key, _))| array_index(key).map(|index| (index, position)))
        .collect();
    crate::sort::sort(&mut indexed);
    let named = entries
        .iter()
        .enumerate()
        .filter(|(_, (key, _))| array_index(key).is_none())
        .map(|(position, _)| position);
    let order = indexed.iter().map(|(_, position)| *position).chain(named);
    let mut first = true;
    for (key, values) in order.filter_map(|position| entries.get(position)) {
        for value in values {
            if !first {
                out.push('&');
            }
            first = false;
            escape(key, out);
            out.push('=');
            escape(value, out);
        }
    }
}

/// `querystring.escape`: every character but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XY` of its
/// UTF-8 bytes, upper-case hex.
pub fn escape(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        let kept = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        if kept {
            out.push(char::from(byte));
        } else {
            out.push('%');
            for nibble in [byte >> 4, byte & 0xf] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        }
    }
}

/// Whether Node's parser marks `raw` (a key, or with `in_value` a value) for decoding: it
/// holds `%` and two hex digits. In a value Node skips a `+` without resetting the check, so
/// `%4+1` counts; in a key it does not.
fn has_escape(raw: &str, in_value: bool) -> bool {
    let mut seen = 0;
    for byte in raw.bytes() {
        if byte == b'+' && in_value {
            continue;
        }
        if byte == b'%' {
            seen = 1;
        } else if seen > 0 {
            if byte.is_ascii_hexdigit() {
                seen += 1;
                if seen == 3 {
                    return true;
                }
            } else {
                seen = 0;
            }
        }
    }
    false
}

/// A key or value as `parse` leaves it: `+` as a space, then, when `marked`, decoded by
/// `decodeURIComponent` or, where that throws, by `unescapeBuffer`.
fn unescape(raw: &str, marked: bool) -> String {
    let spaced = raw.replace('+', " ");
    if !marked || spaced.is_empty() {
        return spaced;
    }
    decode_uri_component(&spaced).unwrap_or_else(|| unescape_buffer(&spaced))
}

/// JavaScript's `decodeURIComponent`: every `%XY` decoded, a multi-byte character from
/// consecutive escapes forming one well-formed UTF-8 sequence; `None` where it throws.
fn decode_uri_component(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte != b'%' {
            out.push(byte);
            at += 1;
            continue;
        }
        let lead = escaped_byte(bytes, at)?;
        at += 3;
        let len = match lead {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => return None,
        };
        let mut sequence = [lead, 0, 0, 0];
        for slot in sequence.iter_mut().take(len).skip(1) {
            let next = escaped_byte(bytes, at)?;
            if next & 0xc0 != 0x80 {
                return None;
            }
            *slot = next;
            at += 3;
        }
        // Overlong forms, surrogates and code points past U+10FFFF throw too.
        let sequence = sequence.get(..len)?;
        std::str::from_utf8(sequence).ok()?;
        out.extend_from_slice(sequence);
    }
    String::from_utf8(out).ok()
}

/// The byte of the escape `%XY` at `at`.
fn escaped_byte(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    let high = hex_value(u16::from(*bytes.get(at + 1)?))?;
    let low = hex_value(u16::from(*bytes.get(at + 2)?))?;
    Some(high << 4 | low)
}

fn hex_value(unit: u16) -> Option<u8> {
    let digit = u8::try_from(unit).ok()?;
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// Node's `querystring.unescapeBuffer(text).toString()`: over UTF-16 units, `%XY` decoded, a
/// `%` without two hex digits kept, every other unit cut to its low byte; the bytes read as
/// UTF-8, U+FFFD for each ill-formed part.
fn unescape_buffer(text: &str) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = Vec::with_capacity(units.len());
    // Node checks `index < s.length - 2` before reading an escape.
    let last_escape_start = units.len().saturating_sub(2);
    let mut at = 0;
    while let Some(&unit) = units.get(at) {
        if unit == u16::from(b'%') && at < last_escape_start {
            let next = units.get(at + 1).copied().unwrap_or_default();
            let Some(high) = hex_value(next) else {
                out.push(b'%');
                at += 1;
                continue;
            };
            match units.get(at + 2).copied().and_then(hex_value) {
                Some(low) => {
                    out.push(high << 4 | low);
                    at += 3;
                }
                None => {
                    out.push(b'%');
                    out.push(low_byte(next));
                    at += 2;
                }
            }
            continue;
        }
        out.push(low_byte(unit));
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A UTF-16 unit as a `Buffer` stores it: its low byte.
fn low_byte(unit: u16) -> u8 {
    (unit & 0xff) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(query: &str) -> String {
        let mut out = String::new();
        stringify(&parse(query), &mut out);
        out
    }

    /// Each printed by Node 20: `querystring.stringify(querystring.parse(query))`.
    #[test]
    fn node_re_encodes_these_queries_so() {
        for (query, node) in [
            ("a=1&a=2&b", "a=1&a=2&b="),
            ("=x&&a=%zz%41&c=%E9", "=x&a=%25zzA&c=%EF%BF%BD"),
            (
                "10=a&b=1&2=c&__proto__=x&1=y",
                "1=y&2=c&10=a&b=1&__proto__=x",
            ),
            ("a+b=c+d&e=%2B", "a%20b=c%20d&e=%2B"),
            ("x=%C3%A9%FF", "x=%C3%A9%EF%BF%BD"),
            ("k=%4+1", "k=%254%201"),
            ("a=b=c", "a=b%3Dc"),
            ("%", "%25="),
            ("a&b=", "a=&b="),
            ("x=it%27s,:~*()!", "x=it's%2C%3A~*()!"),
        ] {
            assert_eq!(round_trip(query), node, "{query}");
        }
    }

    #[test]
    fn no_query_or_an_empty_one_is_left_alone() {
        assert_eq!(legacy_query("https://h/p"), "https://h/p");
        assert_eq!(legacy_query("https://h/p?"), "https://h/p?");
        assert_eq!(
            legacy_query("https://h/p?a=it%27s&b=x?y"),
            "https://h/p?a=it's&b=x%3Fy"
        );
    }

    #[test]
    fn at_most_a_thousand_pieces_are_read() {
        let query: Vec<String> = (0..1001).map(|i| format!("k{i}=v")).collect();
        let entries = parse(&query.join("&"));
        assert_eq!(entries.len(), 1000);
        assert_eq!(entries.last().map(|(key, _)| key.as_str()), Some("k999"));
        // Empty pieces count too.
        let mut empties = "&".repeat(999);
        empties.push_str("a=1&b=2");
        assert_eq!(parse(&empties).len(), 1);
    }

    #[test]
    fn decode_uri_component_throws_where_javascript_does() {
        assert_eq!(decode_uri_component("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode_uri_component("a%2Bb%26").as_deref(), Some("a+b&"));
        for thrown in [
            "%",
            "%4",
            "%zz",
            "%C3",
            "%C3%41",
            "%C0%80",
            "%ED%A0%80",
            "%F4%90%80%80",
        ] {
            assert_eq!(decode_uri_component(thrown), None, "{thrown}");
        }
    }
}
