//! Reading JSON exactly as serde_json's typed deserialization reads it — the same inputs
//! accepted, the same refused, a value of the wrong type told from malformed JSON the same way
//! (`Error::is_data`) — without serde's typed deserialization. Every typed `from_str` reaches
//! serde_json's "invalid type" message, which prints floats (`floating point 1.5`): about
//! 23 KB of gzip wasm of float formatting code and tables (BENCHMARKS.md). serde_json is still
//! the serializer; it no longer parses anything in the worker.
//!
//! What each reader mirrors:
//!
//! - [`Reader::raw`]: a `&RawValue` (serde_json's `ignore_value`): any valid value, borrowed,
//!   without its surrounding whitespace; strings are checked for control characters and escape
//!   syntax only, so a lone surrogate escape (`"\ud800"`) is accepted;
//! - [`Reader::string`]: a `String` or `Cow<str>` (`parse_str`): also refuses lone surrogates;
//! - [`Reader::seq`], [`Reader::map`]: a `Vec<T>` and a map visitor (`deserialize_seq`,
//!   `deserialize_map`), with serde_json's rules for commas and ends;
//! - [`Reader::record`]: a `#[derive(Deserialize)]` struct: an object whose known members are
//!   read, unknown ones skipped and a repeated one refused, or an array of the fields in order;
//! - [`Reader::wrong_type`]: serde_json's `peek_invalid_type`: the value is still parsed (a
//!   malformed one is malformed, not of the wrong type), numbers with their range check.

use std::borrow::Cow;

/// Why a read failed: serde_json's error categories as the relay tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Not JSON (serde_json's syntax and end-of-input errors).
    Malformed,
    /// JSON, but not of the type wanted (serde_json's data errors).
    Type,
}

pub type Read<T> = Result<T, Bad>;

impl Bad {
    /// What a batch that failed to read is: valid JSON of the wrong shape (an object where an
    /// array was wanted, a list that is not a list) is not a batch; anything else is not JSON.
    pub fn batch_error(self) -> crate::payload::PayloadError {
        match self {
            Bad::Type => crate::payload::PayloadError::NotABatch,
            Bad::Malformed => crate::payload::PayloadError::MalformedJson,
        }
    }
}

/// A position in a JSON text.
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
}

/// The powers of ten where a `u64` significand can overflow a double: serde_json computes a
/// number as `significand as f64 * 10^exponent` and calls it out of range when that is
/// infinite, which below 10^289 it never is.
const POW10_HIGH: [f64; 20] = [
    1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301,
    1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader { text, at: 0 }
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// The next byte after whitespace.
    pub fn peek(&mut self) -> Option<u8> {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
        self.byte()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.byte();
        self.at += usize::from(byte.is_some());
        byte
    }

    fn digit(&self) -> Option<u8> {
        self.byte().filter(u8::is_ascii_digit).map(|d| d - b'0')
    }

    /// Only whitespace is left (serde_json's `Deserializer::end`).
    pub fn end(&mut self) -> Read<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Bad::Malformed),
        }
    }

    /// The rest of a literal whose first byte was read.
    fn ident(&mut self, rest: &[u8]) -> Read<()> {
        for expected in rest {
            if self.next() != Some(*expected) {
                return Err(Bad::Malformed);
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Read<u16> {
        let mut n = 0u16;
        for _ in 0..4 {
            let digit = self
                .next()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(Bad::Malformed)?;
            n = (n << 4) | digit as u16;
        }
        Ok(n)
    }

    /// A string's contents after its opening quote, up to and past its closing quote, decoded
    /// into `out` when it is `Some` (then lone surrogates are refused, as serde_json refuses
    /// them when it reads a string; skipping one, it accepts them).
    fn string_body(&mut self, mut out: Option<&mut String>) -> Read<()> {
        let mut plain = self.at;
        loop {
            let Some(byte) = self.next() else {
                return Err(Bad::Malformed);
            };
            match byte {
                b'"' => {
                    if let Some(out) = out.as_deref_mut() {
                        out.push_str(self.text.get(plain..self.at - 1).unwrap_or_default());
                    }
                    return Ok(());
                }
                0..=0x1f => return Err(Bad::Malformed),
                b'\\' => {
                    if let Some(out) = out.as_deref_mut() {
                        out.push_str(self.text.get(plain..self.at - 1).unwrap_or_default());
                    }
                    let escaped = match self.next().ok_or(Bad::Malformed)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let n = self.hex4()?;
                            if out.is_none() {
                                plain = self.at;
                                continue;
                            }
                            self.code_point(n)?
                        }
                        _ => return Err(Bad::Malformed),
                    };
                    if let Some(out) = out.as_deref_mut() {
                        out.push(escaped);
                    }
                    plain = self.at;
                }
                _ => {}
            }
        }
    }

    /// The character of the `\u` escape `n`, reading its trailing surrogate if it leads a pair.
    fn code_point(&mut self, n: u16) -> Read<char> {
        let n = u32::from(n);
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(Bad::Malformed);
        }
        if !(0xD800..=0xDBFF).contains(&n) {
            return char::from_u32(n).ok_or(Bad::Malformed);
        }
        if self.next() != Some(b'\\') || self.next() != Some(b'u') {
            return Err(Bad::Malformed);
        }
        let low = u32::from(self.hex4()?);
        if !(0xDC00..=0xDFFF).contains(&low) {
            return Err(Bad::Malformed);
        }
        char::from_u32((((n - 0xD800) << 10) | (low - 0xDC00)) + 0x1_0000).ok_or(Bad::Malformed)
    }

    /// A string (which must come next), borrowed unless it has escapes.
    pub fn string(&mut self) -> Read<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(self.wrong_type());
        }
        self.at += 1;
        let start = self.at;
        let mut probe = Reader {
            text: self.text,
            at: start,
        };
        probe.string_body(None)?;
        let token = self.text.get(start..probe.at - 1).unwrap_or_default();
        if !token.contains('\\') {
            self.at = probe.at;
            return Ok(Cow::Borrowed(token));
        }
        let mut out = String::with_capacity(token.len());
        self.string_body(Some(&mut out))?;
        Ok(Cow::Owned(out))
    }

    /// A number's grammar, after its sign. With `range`, also serde_json's range check of a
    /// typed read; `Some` for a non-negative integer that fits a `u64` (a `Number` whose
    /// `as_u64` is `Some`).
    fn number(&mut self, negative: bool, range: bool) -> Read<Option<u64>> {
        let mut significand = 0u64;
        let mut exponent = 0i32;
        let mut overflowed = false;
        let mut float = negative;
        match self.next() {
            Some(b'0') => {
                if self.digit().is_some() {
                    return Err(Bad::Malformed);
                }
            }
            Some(first @ b'1'..=b'9') => {
                significand = u64::from(first - b'0');
                while let Some(d) = self.digit() {
                    self.at += 1;
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(d)))
                    {
                        Some(s) if !overflowed => significand = s,
                        _ => {
                            overflowed = true;
                            float = true;
                            exponent = exponent.saturating_add(1);
                        }
                    }
                }
            }
            _ => return Err(Bad::Malformed),
        }
        if self.byte() == Some(b'.') {
            self.at += 1;
            float = true;
            if self.digit().is_none() {
                return Err(Bad::Malformed);
            }
            // serde_json goes on adding fraction digits to a significand that overflowed in
            // the integer part while they fit, then skips the rest.
            let mut skipping = false;
            while let Some(d) = self.digit() {
                self.at += 1;
                match significand
                    .checked_mul(10)
                    .and_then(|s| s.checked_add(u64::from(d)))
                {
                    Some(s) if !skipping => {
                        significand = s;
                        exponent = exponent.saturating_sub(1);
                    }
                    _ => skipping = true,
                }
            }
        }
        if matches!(self.byte(), Some(b'e' | b'E')) {
            self.at += 1;
            float = true;
            let positive = match self.byte() {
                Some(b'+') => {
                    self.at += 1;
                    true
                }
                Some(b'-') => {
                    self.at += 1;
                    false
                }
                _ => true,
            };
            let mut exp = i32::from(self.digit().ok_or(Bad::Malformed)?);
            self.at += 1;
            let mut exp_overflowed = false;
            while let Some(d) = self.digit() {
                self.at += 1;
                match exp
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i32::from(d)))
                {
                    Some(e) if !exp_overflowed => exp = e,
                    _ => exp_overflowed = true,
                }
            }
            if exp_overflowed {
                if range && significand != 0 && positive {
                    return Err(Bad::Malformed);
                }
                return Ok(None);
            }
            exponent = if positive {
                exponent.saturating_add(exp)
            } else {
                exponent.saturating_sub(exp)
            };
        }
        if range && float && significand != 0 && exponent >= 0 {
            let out_of_range = match exponent {
                309.. => true,
                289..=308 => POW10_HIGH
                    .get(usize::try_from(exponent - 289).unwrap_or(usize::MAX))
                    .is_some_and(|pow| (significand as f64 * pow).is_infinite()),
                _ => false,
            };
            if out_of_range {
                return Err(Bad::Malformed);
            }
        }
        Ok((!float).then_some(significand))
    }

    /// A `serde_json::Number` (which must come next) as its `as_u64`.
    pub fn count(&mut self) -> Read<Option<u64>> {
        match self.peek() {
            Some(b'-') => {
                self.at += 1;
                self.number(true, true)
            }
            Some(b'0'..=b'9') => self.number(false, true),
            _ => Err(self.wrong_type()),
        }
    }

    /// A `bool` (which must come next).
    pub fn boolean(&mut self) -> Read<bool> {
        match self.peek() {
            Some(b't') => {
                self.at += 1;
                self.ident(b"rue").map(|()| true)
            }
            Some(b'f') => {
                self.at += 1;
                self.ident(b"alse").map(|()| false)
            }
            _ => Err(self.wrong_type()),
        }
    }

    /// For an `Option`: `true` (and past it) when `null` comes next.
    pub fn null(&mut self) -> Read<bool> {
        if self.peek() != Some(b'n') {
            return Ok(false);
        }
        self.at += 1;
        self.ident(b"ull").map(|()| true)
    }

    /// An `Option<String>` (`null` is `None`).
    pub fn opt_string(&mut self) -> Read<Option<String>> {
        if self.null()? {
            return Ok(None);
        }
        self.string().map(|text| Some(text.into_owned()))
    }

    /// An `Option<bool>`.
    pub fn opt_boolean(&mut self) -> Read<Option<bool>> {
        if self.null()? {
            return Ok(None);
        }
        self.boolean().map(Some)
    }

    /// The error of reading the next value as a type it is not: the value is parsed first, so
    /// a malformed scalar is [`Bad::Malformed`]; an array or object is refused at its start.
    pub fn wrong_type(&mut self) -> Bad {
        let read = match self.peek() {
            Some(b'n') => {
                self.at += 1;
                self.ident(b"ull")
            }
            Some(b't') => {
                self.at += 1;
                self.ident(b"rue")
            }
            Some(b'f') => {
                self.at += 1;
                self.ident(b"alse")
            }
            Some(b'-') => {
                self.at += 1;
                self.number(true, true).map(drop)
            }
            Some(b'0'..=b'9') => self.number(false, true).map(drop),
            Some(b'"') => {
                self.at += 1;
                let mut decoded = String::new();
                self.string_body(Some(&mut decoded))
            }
            Some(b'[' | b'{') => Ok(()),
            _ => Err(Bad::Malformed),
        };
        match read {
            Ok(()) => Bad::Type,
            Err(bad) => bad,
        }
    }

    /// Any valid value, as written (a `&RawValue`).
    pub fn raw(&mut self) -> Read<&'a str> {
        self.peek();
        let start = self.at;
        // Open arrays (`false`) and objects (`true`), innermost last.
        let mut open: Vec<bool> = Vec::new();
        loop {
            match self.peek().ok_or(Bad::Malformed)? {
                b'n' => {
                    self.at += 1;
                    self.ident(b"ull")?;
                }
                b't' => {
                    self.at += 1;
                    self.ident(b"rue")?;
                }
                b'f' => {
                    self.at += 1;
                    self.ident(b"alse")?;
                }
                b'-' => {
                    self.at += 1;
                    self.number(true, false)?;
                }
                b'0'..=b'9' => {
                    self.number(false, false)?;
                }
                b'"' => {
                    self.at += 1;
                    self.string_body(None)?;
                }
                frame @ (b'[' | b'{') => {
                    self.at += 1;
                    let object = frame == b'{';
                    let close = if object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.at += 1;
                    } else {
                        open.push(object);
                        if object {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                _ => return Err(Bad::Malformed),
            }
            // A value ended: close what it ends, or go on to the next member or element.
            loop {
                let Some(&object) = open.last() else {
                    return self.text.get(start..self.at).ok_or(Bad::Malformed);
                };
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if object {
                            self.member_name()?;
                        }
                        break;
                    }
                    Some(b']') if !object => {}
                    Some(b'}') if object => {}
                    _ => return Err(Bad::Malformed),
                }
                self.at += 1;
                open.pop();
            }
        }
    }

    /// An object member's name and colon, skipped.
    fn member_name(&mut self) -> Read<()> {
        if self.peek() != Some(b'"') {
            return Err(Bad::Malformed);
        }
        self.at += 1;
        self.string_body(None)?;
        if self.peek() != Some(b':') {
            return Err(Bad::Malformed);
        }
        self.at += 1;
        Ok(())
    }

    /// An array (which must come next), `element` reading each element.
    pub fn seq(&mut self, element: &mut dyn FnMut(&mut Reader<'a>) -> Read<()>) -> Read<()> {
        match self.peek() {
            Some(b'[') => self.at += 1,
            None => return Err(Bad::Malformed),
            Some(_) => return Err(self.wrong_type()),
        }
        let mut first = true;
        while self.more(&mut first, b']')? {
            element(self)?;
        }
        self.close(b']')
    }

    /// Whether another element or member follows (serde_json's `has_next_element` and
    /// `has_next_key`), past its comma.
    fn more(&mut self, first: &mut bool, close: u8) -> Read<bool> {
        let peek = self.peek().ok_or(Bad::Malformed)?;
        if peek == close {
            return Ok(false);
        }
        let key = close == b'}';
        if std::mem::take(first) {
            return if key && peek != b'"' {
                Err(Bad::Malformed)
            } else {
                Ok(true)
            };
        }
        if peek != b',' {
            return Err(Bad::Malformed);
        }
        self.at += 1;
        match self.peek() {
            Some(b) if b == close => Err(Bad::Malformed),
            Some(b) if key && b != b'"' => Err(Bad::Malformed),
            Some(_) => Ok(true),
            None => Err(Bad::Malformed),
        }
    }

    /// The end of an array or object once its visitor is done (serde_json's `end_seq` and
    /// `end_map`): anything but the closing bracket is malformed.
    fn close(&mut self, close: u8) -> Read<()> {
        if self.peek() == Some(close) {
            self.at += 1;
            Ok(())
        } else {
            Err(Bad::Malformed)
        }
    }

    /// An object (which must come next), `member` reading each member's value.
    pub fn map(
        &mut self,
        member: &mut dyn FnMut(&mut Reader<'a>, Cow<'a, str>) -> Read<()>,
    ) -> Read<()> {
        match self.peek() {
            Some(b'{') => self.at += 1,
            None => return Err(Bad::Malformed),
            Some(_) => return Err(self.wrong_type()),
        }
        let mut first = true;
        while self.more(&mut first, b'}')? {
            let name = self.string()?;
            if self.peek() != Some(b':') {
                return Err(Bad::Malformed);
            }
            self.at += 1;
            member(self, name)?;
        }
        self.close(b'}')
    }

    /// A struct with the fields `names` (which must come next), as `#[derive(Deserialize)]`
    /// reads one: an object, `field` reading the value of each known member by its index
    /// (unknown members are skipped, a repeated one refused), or an array of at most
    /// `names.len()` values in field order. The caller refuses missing required fields.
    pub fn record(
        &mut self,
        names: &[&str],
        field: &mut dyn FnMut(&mut Reader<'a>, usize) -> Read<()>,
    ) -> Read<()> {
        if self.peek() == Some(b'[') {
            self.at += 1;
            let mut first = true;
            for index in 0..names.len() {
                if !self.more(&mut first, b']')? {
                    break;
                }
                field(self, index)?;
            }
            return self.close(b']');
        }
        let mut seen = 0u64;
        self.map(&mut |reader, name| {
            let Some(index) = names.iter().position(|known| *known == name) else {
                return reader.raw().map(drop);
            };
            let bit = 1u64 << index;
            if seen & bit != 0 {
                return Err(Bad::Type);
            }
            seen |= bit;
            field(reader, index)
        })
    }
}

/// The text of the JSON string token `token` (quotes included), as serde_json decodes it.
pub fn decode_string(token: &str) -> Read<Cow<'_, str>> {
    let mut reader = Reader::new(token);
    let text = reader.string()?;
    reader.end()?;
    Ok(text)
}

/// The whole of `text` as one value (`serde_json::from_str::<&RawValue>`).
pub fn raw_value(text: &str) -> Read<&str> {
    let mut reader = Reader::new(text);
    let raw = reader.raw()?;
    reader.end()?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::value::RawValue;

    fn category(error: &serde_json::Error) -> Bad {
        if error.is_data() {
            Bad::Type
        } else {
            Bad::Malformed
        }
    }

    fn serde_raw(text: &str) -> Read<&str> {
        serde_json::from_str::<&RawValue>(text)
            .map(RawValue::get)
            .map_err(|e| category(&e))
    }

    fn serde_string(text: &str) -> Read<String> {
        serde_json::from_str::<String>(text).map_err(|e| category(&e))
    }

    fn serde_count(text: &str) -> Read<Option<u64>> {
        serde_json::from_str::<serde_json::Number>(text)
            .map(|n| n.as_u64())
            .map_err(|e| category(&e))
    }

    fn serde_raw_seq(text: &str) -> Read<Vec<&str>> {
        serde_json::from_str::<Vec<&RawValue>>(text)
            .map(|v| v.into_iter().map(RawValue::get).collect())
            .map_err(|e| category(&e))
    }

    fn ours_string(text: &str) -> Read<String> {
        let mut reader = Reader::new(text);
        let s = reader.string()?;
        reader.end()?;
        Ok(s.into_owned())
    }

    fn ours_count(text: &str) -> Read<Option<u64>> {
        let mut reader = Reader::new(text);
        let n = reader.count()?;
        reader.end()?;
        Ok(n)
    }

    fn ours_raw_seq(text: &str) -> Read<Vec<&str>> {
        let mut reader = Reader::new(text);
        let mut out = Vec::new();
        reader.seq(&mut |r| {
            out.push(r.raw()?);
            Ok(())
        })?;
        reader.end()?;
        Ok(out)
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Pair {
        #[serde(default)]
        a: Option<String>,
        b: bool,
    }

    fn serde_pair(text: &str) -> Option<(Option<String>, bool)> {
        serde_json::from_str::<Pair>(text).ok().map(|p| (p.a, p.b))
    }

    fn ours_pair(text: &str) -> Option<(Option<String>, bool)> {
        let mut reader = Reader::new(text);
        let (mut a, mut b) = (None, None);
        reader
            .record(&["a", "b"], &mut |r, index| {
                if index == 0 {
                    a = if r.null()? {
                        None
                    } else {
                        Some(r.string()?.into_owned())
                    };
                } else {
                    b = Some(r.boolean()?);
                }
                Ok(())
            })
            .ok()?;
        reader.end().ok()?;
        Some((a, b?))
    }

    const CASES: &[&str] = &[
        "",
        " ",
        "null",
        "nul",
        "nulll",
        "true",
        "false",
        "0",
        "-0",
        "01",
        "-",
        "1.",
        "1.5",
        "1e",
        "1e+",
        "1e5",
        "1E-5",
        "-1.5e300",
        "1e308",
        "1e309",
        "1.8e308",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "17976931348623157e292",
        "18446744073709551615",
        "18446744073709551616",
        "184467440737095516150000000000e280",
        "1e99999999999",
        "0e99999999999",
        "1e-99999999999",
        "-1e99999999999",
        "1.0",
        "[]",
        "[1]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[[]]",
        "{}",
        "{\"a\":1}",
        "{\"a\":1,}",
        "{,}",
        "{\"a\"}",
        "{\"a\":}",
        "{1:2}",
        "\"\"",
        "\"a\"",
        "\"a",
        "\"\\u00e9\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800x\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\t\"",
        "\"\u{1}\"",
        "\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"",
        " [ 1 , {\"a\" : [ null ] } ] ",
        "[1] x",
        "{\"a\":1}}",
        "[\"\\ud800\"]",
        "{\"\\ud800\":1}",
        "{\"a\":1,\"a\":2}",
        "[\"x\",true]",
        "[null,true]",
        "[\"x\"]",
        "{\"b\":true}",
        "{\"b\":false,\"a\":\"x\",\"c\":[1,{}]}",
        "{\"b\":1}",
        "{\"b\":true,\"b\":true}",
        "[\"x\",true,1]",
        "{\"a\":null,\"b\":true}",
        "-01",
        "2.e3",
        "[1e400]",
        "1e400",
        "-1e400",
        "{\"a\":1e400,\"b\":true}",
    ];

    fn check(text: &str) {
        assert_eq!(raw_value(text), serde_raw(text), "raw {text:?}");
        assert_eq!(ours_string(text), serde_string(text), "string {text:?}");
        assert_eq!(ours_count(text), serde_count(text), "count {text:?}");
        assert_eq!(ours_raw_seq(text), serde_raw_seq(text), "seq {text:?}");
        assert_eq!(ours_pair(text), serde_pair(text), "record {text:?}");
    }

    #[test]
    fn reads_as_serde_json_reads() {
        for text in CASES {
            check(text);
        }
    }

    const TOKENS: &[&str] = &[
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        " ",
        "\"a\"",
        "\"b\"",
        "\"c\"",
        "\"\\ud800\"",
        "\"\\u0041\"",
        "\"\\n\"",
        "1",
        "-0",
        "1.5",
        "1e400",
        "12345678901234567890123",
        "null",
        "true",
        "false",
        "nul",
        "\"",
        "x",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn token_soup_reads_as_serde_json_reads(picks in proptest::collection::vec(0..TOKENS.len(), 0..12)) {
            let text: String = picks.iter().filter_map(|&i| TOKENS.get(i).copied()).collect();
            check(&text);
        }

        #[test]
        fn numbers_near_the_double_range_read_as_serde_json_reads(
            negative in any::<bool>(),
            whole in "[1-9][0-9]{0,24}",
            fraction in proptest::option::of("[0-9]{1,24}"),
            exponent in proptest::option::of(250i64..330),
        ) {
            let mut text = format!("{}{whole}", if negative { "-" } else { "" });
            if let Some(fraction) = fraction {
                text.push('.');
                text.push_str(&fraction);
            }
            if let Some(exponent) = exponent {
                text.push_str(&format!("e{exponent}"));
            }
            check(&text);
            check(&format!("[{text}]"));
        }
    }
}
