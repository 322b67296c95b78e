//! Raw JSON values rewritten in the exact form JavaScript prints them, so every sink carries
//! the same value and the same bytes.
//!
//! The queue binding takes a JS object: the runtime parses the event's JSON and prints it again
//! (`JSON.stringify`), which changes what a JS number cannot hold (`12345678901234567891`
//! becomes `12345678901234567000`, `1e999` becomes `null`, `1e-400` becomes `0`), respells the
//! rest (`1e20` becomes `100000000000000000000`), drops whitespace, decodes escapes, and keeps
//! the last of two equal keys. A value passed on verbatim would therefore differ between KV and
//! the queue, in content and in size. Written here once in JavaScript's own form:
//!
//! - a number of at most 15 significant digits within the normal range (about 1e-306 to
//!   1e308) is printed as `Number.prototype.toString` prints it: a double holds every such
//!   decimal and prints it back with the same digits (IEEE 754's 15-digit guarantee), so the
//!   form is computed from the digits alone, with no float parsing or printing (which cost
//!   about 30 KB of gzip wasm);
//! - any other number becomes a string holding its literal text, so nothing is lost. That
//!   takes in every number JavaScript would change, and a few 16- and 17-digit ones it would
//!   not (`0.30000000000000004`): a string there too keeps the value and every sink alike;
//! - strings are escaped as serde_json and `JSON.stringify` both escape them; whitespace goes;
//! - an object naming one key twice is refused: which value the provider meant is unknowable;
//! - an object's integer-like keys (array indices, `"0"` to `"4294967294"`) go first, in
//!   ascending order, then the others as written: the order in which a JavaScript object
//!   holds and prints its keys. Written as received, `{"10":1,"9":2}` would reach KV in one
//!   order and the queue and the HTTP backend in the other.
//!
//! A number whose exponent no integer type holds (`1e99999999999999999999`) is a number all
//! the same: it is kept as its literal text, like any other number JavaScript would change.
//!
//! The input must be valid JSON (a `RawValue`); on anything else the rewriter refuses.

use super::json_scan::{skip_whitespace, string_end};
use std::cmp::Ordering;
use std::ops::Range;

/// The key as a JavaScript array index (a canonical decimal below 2^32 − 1), if it is one.
pub fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    let canonical = match bytes {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !canonical || bytes.len() > 10 {
        return None;
    }
    key.parse::<u32>().ok().filter(|index| *index < u32::MAX)
}

/// JavaScript's order of an object's keys, for keys sorted by name otherwise: array indices
/// first, by value, then the rest by their bytes.
pub fn js_key_order(a: &str, b: &str) -> Ordering {
    match (array_index(a), array_index(b)) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Why a JSON value has no JavaScript form here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A key appears twice in one object; holds the key.
    DuplicateKey(String),
    /// Not valid JSON (never for a validated `RawValue`).
    Malformed,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::DuplicateKey(key) => write!(f, "the key {key:?} appears twice in one object"),
            Refused::Malformed => f.write_str("not JSON"),
        }
    }
}

impl std::error::Error for Refused {}

/// The JavaScript form of a valid JSON value.
pub fn canonical(raw: &str) -> Result<String, Refused> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let start = skip_whitespace(bytes, 0);
    let end = value(raw, start, &mut out)?;
    if skip_whitespace(bytes, end) != bytes.len() {
        return Err(Refused::Malformed);
    }
    Ok(out)
}

/// Writes the value at `start` and returns the index just past it.
fn value(raw: &str, start: usize, out: &mut String) -> Result<usize, Refused> {
    let bytes = raw.as_bytes();
    match bytes.get(start).ok_or(Refused::Malformed)? {
        b'"' => {
            let end = string_end(bytes, start).ok_or(Refused::Malformed)?;
            let text = raw.get(start..end).ok_or(Refused::Malformed)?;
            string(text, out)?;
            Ok(end)
        }
        b'{' => object(raw, start, out),
        b'[' => array(raw, start, out),
        b't' | b'f' | b'n' => {
            let end = literal_end(bytes, start);
            let word = raw.get(start..end).ok_or(Refused::Malformed)?;
            if !matches!(word, "true" | "false" | "null") {
                return Err(Refused::Malformed);
            }
            out.push_str(word);
            Ok(end)
        }
        _ => {
            let end = literal_end(bytes, start);
            let literal = raw.get(start..end).ok_or(Refused::Malformed)?;
            number(literal, out)?;
            Ok(end)
        }
    }
}

fn literal_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while matches!(
        bytes.get(i),
        Some(b'a'..=b'z' | b'0'..=b'9' | b'-' | b'+' | b'.' | b'E')
    ) {
        i += 1;
    }
    i
}

/// A string token (with its quotes) in canonical form: unchanged unless it holds escapes.
fn string(token: &str, out: &mut String) -> Result<(), Refused> {
    if !token.contains('\\') {
        out.push_str(token);
        return Ok(());
    }
    let decoded = super::json::decode_string(token).map_err(|_| Refused::Malformed)?;
    out.push_str(&serde_json::to_string(&decoded).map_err(|_| Refused::Malformed)?);
    Ok(())
}

fn object(raw: &str, start: usize, out: &mut String) -> Result<usize, Refused> {
    let bytes = raw.as_bytes();
    let mut keys: Vec<String> = Vec::new();
    // Where each member was written in `out`, to move integer-like keys first at the end.
    let mut members: Vec<Range<usize>> = Vec::new();
    let mut indexed = false;
    out.push('{');
    let object_start = out.len();
    let mut i = skip_whitespace(bytes, start + 1);
    if bytes.get(i) == Some(&b'}') {
        out.push('}');
        return Ok(i + 1);
    }
    loop {
        let key_end = string_end(bytes, i).ok_or(Refused::Malformed)?;
        let token = raw.get(i..key_end).ok_or(Refused::Malformed)?;
        let key = super::json::decode_string(token)
            .map_err(|_| Refused::Malformed)?
            .into_owned();
        indexed |= array_index(&key).is_some();
        keys.push(key);
        let member_start = out.len();
        string(token, out)?;
        i = skip_whitespace(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return Err(Refused::Malformed);
        }
        out.push(':');
        i = value(raw, skip_whitespace(bytes, i + 1), out)?;
        members.push(member_start..out.len());
        i = skip_whitespace(bytes, i);
        match bytes.get(i) {
            Some(b',') => {
                out.push(',');
                i = skip_whitespace(bytes, i + 1);
            }
            Some(b'}') => {
                if indexed {
                    js_order(out, object_start, &keys, &members);
                }
                out.push('}');
                crate::sort::sort(&mut keys);
                if let Some(pair) = keys.windows(2).find(|pair| pair.first() == pair.last()) {
                    return Err(Refused::DuplicateKey(
                        pair.first().cloned().unwrap_or_default(),
                    ));
                }
                return Ok(i + 1);
            }
            _ => return Err(Refused::Malformed),
        }
    }
}

/// Rewrites the members written from `object_start` with array-index keys first, ascending,
/// then the others in the order written (`keys[i]` is the key of `members[i]`).
fn js_order(out: &mut String, object_start: usize, keys: &[String], members: &[Range<usize>]) {
    let mut order: Vec<(Option<u32>, usize)> = keys
        .iter()
        .enumerate()
        .map(|(position, key)| (array_index(key), position))
        .collect();
    // Indices by value, then the rest (None sorts after Some here) in the order written.
    crate::sort::sort_by(&mut order, |a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    let written = out.get(object_start..).unwrap_or_default().to_string();
    out.truncate(object_start);
    for (n, (_, position)) in order.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let member = members
            .get(*position)
            .and_then(|range| written.get(range.start - object_start..range.end - object_start))
            .unwrap_or_default();
        out.push_str(member);
    }
}

fn array(raw: &str, start: usize, out: &mut String) -> Result<usize, Refused> {
    let bytes = raw.as_bytes();
    out.push('[');
    let mut i = skip_whitespace(bytes, start + 1);
    if bytes.get(i) == Some(&b']') {
        out.push(']');
        return Ok(i + 1);
    }
    loop {
        i = skip_whitespace(bytes, value(raw, i, out)?);
        match bytes.get(i) {
            Some(b',') => {
                out.push(',');
                i = skip_whitespace(bytes, i + 1);
            }
            Some(b']') => {
                out.push(']');
                return Ok(i + 1);
            }
            _ => return Err(Refused::Malformed),
        }
    }
}

/// A decimal number as sign, significant digits (no leading or trailing zeros) and the
/// exponent of its last digit: `-0.0120e2` is `(true, "12", -2)`. Zero has no digits.
fn decimal(literal: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match literal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, literal),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (
            rest.get(..at)?,
            rest.get(at + 1..)?
                .trim_start_matches('+')
                .parse::<i64>()
                .ok()?,
        ),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits: String = whole.chars().chain(fraction.chars()).collect();
    let mut last = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    let trimmed = digits.trim_end_matches('0').len();
    last = last.checked_add(i64::try_from(digits.len() - trimmed).ok()?)?;
    digits.truncate(trimmed);
    let digits = digits.trim_start_matches('0').to_string();
    if digits.is_empty() {
        return Some((negative, digits, 0));
    }
    Some((negative, digits, last))
}

/// Whether `literal` is a JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn is_json_number(literal: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let rest = literal.strip_prefix('-').unwrap_or(literal);
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at).unwrap_or_default(), rest.get(at + 1..)),
        None => (rest, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let whole_ok = digits(whole) && (whole == "0" || !whole.starts_with('0'));
    let fraction_ok = fraction.is_none_or(digits);
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    whole_ok && fraction_ok && exponent_ok
}

/// Significant digits every double holds exactly and prints back unchanged.
const EXACT_DIGITS: usize = 15;

/// A number literal: JavaScript's spelling when a JS number holds it exactly, else its literal
/// text as a string.
fn number(literal: &str, out: &mut String) -> Result<(), Refused> {
    let Some((negative, digits, last)) = decimal(literal) else {
        // Valid, but its exponent is past any integer: no double holds it as written.
        if !is_json_number(literal) {
            return Err(Refused::Malformed);
        }
        out.push('"');
        out.push_str(literal);
        out.push('"');
        return Ok(());
    };
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    // The value is 0.digits × 10^n; doubles are normal from 2.2e-308 to 1.8e308;
    // n = 309 would reach past the largest double (1.8e308): stay below 1e308.
    let n = last.saturating_add(k);
    let held = digits.is_empty() || (digits.len() <= EXACT_DIGITS && (-306..=308).contains(&n));
    if held {
        js_number(negative && !digits.is_empty(), &digits, last, out);
    } else {
        out.push('"');
        out.push_str(literal);
        out.push('"');
    }
    Ok(())
}

/// ECMAScript's `Number::toString` for the value `digits × 10^last` (digits being the
/// shortest round-trip digits, as JavaScript itself chooses them).
fn js_number(negative: bool, digits: &str, last: i64, out: &mut String) {
    if digits.is_empty() {
        out.push('0');
        return;
    }
    if negative {
        out.push('-');
    }
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    // The decimal point sits after the n-th digit.
    let n = last.saturating_add(k);
    let zeros = |count: i64, out: &mut String| {
        for _ in 0..count {
            out.push('0');
        }
    };
    if k <= n && n <= 21 {
        out.push_str(digits);
        zeros(n - k, out);
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(usize::try_from(n).unwrap_or(0));
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        zeros(-n, out);
        out.push_str(digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(itoa::Buffer::new().format((n - 1).unsigned_abs()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(raw: &str) -> String {
        canonical(raw).unwrap_or_else(|error| format!("{error:?}"))
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        for (raw, expected) in [
            ("0", "0"),
            ("-0", "0"),
            ("1.0", "1"),
            ("0.10", "0.1"),
            ("1e2", "100"),
            ("1E20", "100000000000000000000"),
            ("1e21", "1e+21"),
            ("123e-20", "1.23e-18"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("-1.5e300", "-1.5e+300"),
            ("9007199254740993", "\"9007199254740993\""),
            ("12345678901234567891", "\"12345678901234567891\""),
            ("1e999", "\"1e999\""),
            ("1e-400", "\"1e-400\""),
            ("0.1", "0.1"),
            ("5e-324", "\"5e-324\""),
            ("0.30000000000000004", "\"0.30000000000000004\""),
            ("123456789012345", "123456789012345"),
            ("1234567890123456", "\"1234567890123456\""),
            ("1.5e307", "1.5e+307"),
            ("1.5e308", "\"1.5e308\""),
            ("1e309", "\"1e309\""),
            ("1e-306", "1e-306"),
            ("1e99999999999999999999", "\"1e99999999999999999999\""),
            (
                "-2.5E-99999999999999999999",
                "\"-2.5E-99999999999999999999\"",
            ),
            ("1e4294967296", "\"1e4294967296\""),
        ] {
            assert_eq!(js(raw), expected, "{raw}");
        }
    }

    #[test]
    fn structure_is_kept_and_whitespace_and_escapes_normalized() {
        assert_eq!(
            js(r#" { "a\u0041" : [ 1 , "x\/y\u00e9" , null , true , { } ] } "#),
            r#"{"aA":[1,"x/yé",null,true,{}]}"#
        );
        assert_eq!(js(r#""\u0001\n""#), r#""\u0001\n""#);
    }

    #[test]
    fn integer_like_keys_go_first_as_javascript_orders_them() {
        assert_eq!(
            js(
                r#"{"b":1,"10":2,"a":[{"20":0,"3":0,"x":0}],"9":3,"01":4,"4294967295":5,"4294967294":6}"#
            ),
            r#"{"9":3,"10":2,"4294967294":6,"b":1,"a":[{"3":0,"20":0,"x":0}],"01":4,"4294967295":5}"#
        );
        assert_eq!(
            js(r#"{"x":{"2":1,"1":2,"b":3,"a":4}}"#),
            r#"{"x":{"1":2,"2":1,"b":3,"a":4}}"#
        );
        assert_eq!(array_index("0"), Some(0));
        for not_index in ["", "-1", "01", "1.0", "4294967295", "99999999999", "1e3"] {
            assert_eq!(array_index(not_index), None, "{not_index}");
        }
        assert_eq!(js_key_order("9", "10"), Ordering::Less);
        assert_eq!(js_key_order("10", "a"), Ordering::Less);
        assert_eq!(js_key_order("b", "a"), Ordering::Greater);
    }

    #[test]
    fn invalid_numbers_are_still_refused() {
        for bad in [".5", "1e", "--1", "1e+", "1ee5"] {
            assert_eq!(canonical(bad), Err(Refused::Malformed), "{bad}");
        }
    }

    #[test]
    fn duplicate_keys_at_any_depth_are_refused() {
        assert_eq!(
            canonical(r#"{"x":{"a":1,"a":2}}"#),
            Err(Refused::DuplicateKey("a".into()))
        );
        assert_eq!(
            canonical(r#"[{"b":1,"\u0062":2}]"#),
            Err(Refused::DuplicateKey("b".into()))
        );
    }
}
