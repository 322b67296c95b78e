//! A callback's fields, whichever body format they came in, and the errors reading them.
//!
//! Fields borrow from the request body wherever they can: a batch of 50 reports is read
//! without building a JSON tree, and only values that need decoding are copied.

use super::js_json::{canonical, Refused};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Huawei's callbacks carry about ten fields. The duplicate check is quadratic, so a body of
/// 10,000 fields must not reach it: past this many, the body is passed on unparsed.
pub const MAX_FIELDS: usize = 100;

/// One field's value: text from a form body, or the raw JSON text of a batch entry's value,
/// already validated (kept as written, so an unmapped value is passed on verbatim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue<'a> {
    Text(Cow<'a, str>),
    Json(&'a str),
}

/// A callback's fields in the order they arrived. Names are unique: a repeated name is refused
/// when the fields are read. Callbacks carry about ten fields, so a list beats a map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields<'a> {
    entries: Vec<(Cow<'a, str>, FieldValue<'a>)>,
}

impl<'a> Fields<'a> {
    /// Room for a typical callback's fields, so reading one allocates once.
    pub fn new() -> Fields<'a> {
        Fields {
            entries: Vec::with_capacity(12),
        }
    }

    /// Adds a field; a name already present with another value is a
    /// [`PayloadError::DuplicateField`]. The same name and value again is the same field
    /// (Twilio repeats form parameters, and its signature covers each distinct value once):
    /// it is kept once.
    pub fn insert(
        &mut self,
        name: Cow<'a, str>,
        value: FieldValue<'a>,
    ) -> Result<(), PayloadError> {
        if let Some(present) = self.get(&name) {
            if *present == value {
                return Ok(());
            }
            return Err(PayloadError::DuplicateField(name.into_owned()));
        }
        if self.entries.len() >= MAX_FIELDS {
            return Err(PayloadError::TooManyFields);
        }
        self.entries.push((name, value));
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&FieldValue<'a>> {
        self.entries
            .iter()
            .find(|(candidate, _)| candidate == name)
            .map(|(_, value)| value)
    }

    /// The values of `names`, in that order, and how many fields are none of them: one pass
    /// over the fields instead of one search per name.
    pub fn pick<const N: usize>(&self, names: &[&str; N]) -> ([Option<&FieldValue<'a>>; N], usize) {
        let mut values = [None; N];
        let mut others = 0;
        for (name, value) in &self.entries {
            match names.iter().position(|wanted| wanted == name) {
                Some(index) => {
                    if let Some(slot) = values.get_mut(index) {
                        *slot = Some(value);
                    }
                }
                None => others += 1,
            }
        }
        (values, others)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldValue<'a>)> {
        self.entries
            .iter()
            .map(|(name, value)| (name.as_ref(), value))
    }
}

/// Fields Huawei sent that the event does not map, kept verbatim for `extra`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra(Vec<(String, ExtraValue)>);

#[derive(Debug, Clone)]
pub enum ExtraValue {
    Text(String),
    Json(Box<RawValue>),
}

impl PartialEq for ExtraValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ExtraValue::Text(a), ExtraValue::Text(b)) => a == b,
            (ExtraValue::Json(a), ExtraValue::Json(b)) => a.get() == b.get(),
            _ => false,
        }
    }
}

impl Eq for ExtraValue {}

impl Extra {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ExtraValue)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }
}

impl Extra {
    /// The unmapped fields in JavaScript's key order ([`super::js_json::js_key_order`]):
    /// integer-like names first, ascending, then the others sorted by name, so the same fields
    /// always serialize the same way, and as the queue and the HTTP backend (which print the
    /// event with `JSON.stringify`) see them. A JSON value is rewritten in JavaScript's form ([`super::js_json`]), so every sink
    /// carries the same value; one naming a key twice at any depth is refused.
    pub fn from_fields<'a, 'f>(
        fields: impl IntoIterator<Item = (&'f str, &'f FieldValue<'a>)>,
    ) -> Result<Extra, PayloadError>
    where
        'a: 'f,
    {
        let mut extra = Vec::new();
        for (name, value) in fields {
            extra.push((name.to_string(), ExtraValue::of(value)?));
        }
        Ok(Extra::sorted(extra))
    }

    /// Not generic, so the sort is compiled once, whatever iterator built the list.
    fn sorted(mut extra: Vec<(String, ExtraValue)>) -> Extra {
        crate::sort::sort_by(&mut extra, |a, b| super::js_json::js_key_order(&a.0, &b.0));
        Extra(extra)
    }
}

impl ExtraValue {
    fn of(value: &FieldValue<'_>) -> Result<ExtraValue, PayloadError> {
        Ok(match value {
            FieldValue::Text(text) => ExtraValue::Text(text.to_string()),
            FieldValue::Json(raw) => {
                let canonical = canonical(raw).map_err(|refused| match refused {
                    Refused::DuplicateKey(key) => PayloadError::DuplicateField(key),
                    Refused::Malformed => PayloadError::MalformedJson,
                })?;
                // `RawValue::from_string`, with the check done by `json` rather than by
                // serde_json's typed reading (which prints floats in its errors).
                let value = super::json::raw_value(&canonical)
                    .map_err(|_| PayloadError::MalformedJson)?
                    .to_string();
                // SAFETY: `value` was just read as one well-formed JSON value, without
                // surrounding whitespace, which is all `from_string_unchecked` requires.
                ExtraValue::Json(unsafe { RawValue::from_string_unchecked(value) })
            }
        })
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            match value {
                ExtraValue::Text(text) => map.serialize_entry(name, text)?,
                ExtraValue::Json(raw) => map.serialize_entry(name, raw)?,
            }
        }
        map.end()
    }
}

/// Why a body or a batch entry could not be read. The code is the `400` answer's error code and
/// the `reason` of the unparsed event that carries the input on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// A form value or the JSON body is not valid UTF-8 (after percent-decoding).
    InvalidUtf8,
    /// The same form field twice (`status=DELIVRD&status=UNDELIV`): which one Huawei meant is
    /// unknowable, so neither wins and the whole body is passed on unparsed.
    DuplicateField(String),
    /// A required field is absent or empty.
    MissingField(&'static str),
    /// A field has a value of the wrong shape (not an integer, not a time, not a string…).
    InvalidField(&'static str),
    /// The body is not JSON.
    MalformedJson,
    /// JSON, but not the batch the endpoint takes (`{"statusReportList": [ … ]}`, an array).
    NotABatch,
    /// JSON, but not the one object the endpoint takes.
    NotAnObject,
    /// A batch entry that is not a JSON object.
    EntryNotAnObject,
    /// The batch object had keys besides `statusReportList`; the entries are still forwarded,
    /// and the whole body goes on as an unparsed event so those keys are not lost.
    UnexpectedBatchKeys,
    /// A `Content-Type` the endpoint does not take.
    UnsupportedMediaType,
    /// More than [`MAX_FIELDS`] fields.
    TooManyFields,
    /// More than `MAX_BATCH_ENTRIES` entries in one batch (`super::MAX_BATCH_ENTRIES`).
    BatchTooLarge,
    /// The event made of the input would not fit a configured sink; the input is kept whole.
    EventTooLarge,
    /// A batch with no entries: kept as one unparsed event, so even that is on record.
    EmptyBatch,
}

impl PayloadError {
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::InvalidUtf8 => "invalid_utf8",
            PayloadError::DuplicateField(_) => "duplicate_field",
            PayloadError::MissingField(_) => "missing_field",
            PayloadError::InvalidField(_) => "invalid_field",
            PayloadError::MalformedJson => "malformed_json",
            PayloadError::NotABatch => "not_a_batch",
            PayloadError::NotAnObject => "not_an_object",
            PayloadError::EntryNotAnObject => "entry_not_an_object",
            PayloadError::UnexpectedBatchKeys => "unexpected_batch_keys",
            PayloadError::UnsupportedMediaType => "unsupported_media_type",
            PayloadError::TooManyFields => "too_many_fields",
            PayloadError::BatchTooLarge => "batch_too_large",
            PayloadError::EventTooLarge => "event_too_large",
            PayloadError::EmptyBatch => "empty_batch",
        }
    }

    /// The field concerned, when there is one that can be shown (see [`PayloadError::reason`]).
    pub fn field(&self) -> Option<&str> {
        match self {
            PayloadError::DuplicateField(name) => Some(name.as_str()).filter(|n| fits_reason(n)),
            PayloadError::MissingField(name) | PayloadError::InvalidField(name) => Some(name),
            _ => None,
        }
    }

    /// Code plus the field concerned, e.g. `missing_field: smsMsgId`. A name the schema's
    /// `reason` pattern could not hold (empty, over 64 bytes, or with a control character or
    /// line separator) is left out: the body in the event still shows it.
    pub fn reason(&self) -> String {
        match self {
            PayloadError::DuplicateField(name) if !fits_reason(name) => self.code().to_string(),
            PayloadError::DuplicateField(name) => format!("{}: {name}", self.code()),
            PayloadError::MissingField(name) | PayloadError::InvalidField(name) => {
                format!("{}: {name}", self.code())
            }
            _ => self.code().to_string(),
        }
    }
}

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PayloadError::InvalidUtf8 => f.write_str("not valid UTF-8"),
            PayloadError::DuplicateField(name) => write!(f, "the field {name:?} appears twice"),
            PayloadError::MissingField(name) => write!(f, "the field {name:?} is absent or empty"),
            PayloadError::InvalidField(name) => write!(f, "the field {name:?} has a wrong value"),
            PayloadError::MalformedJson => f.write_str("not JSON"),
            PayloadError::NotABatch => f.write_str("JSON, but not the batch the endpoint takes"),
            PayloadError::NotAnObject => f.write_str("JSON, but not an object"),
            PayloadError::EntryNotAnObject => f.write_str("a batch entry is not an object"),
            PayloadError::UnexpectedBatchKeys => f.write_str("the batch has unexpected keys"),
            PayloadError::UnsupportedMediaType => {
                f.write_str("a Content-Type the endpoint does not take")
            }
            PayloadError::TooManyFields => write!(f, "more than {MAX_FIELDS} fields"),
            PayloadError::BatchTooLarge => f.write_str("more entries than one push may carry"),
            PayloadError::EventTooLarge => f.write_str("the event would not fit a sink"),
            PayloadError::EmptyBatch => f.write_str("a batch with no entries"),
        }
    }
}

impl std::error::Error for PayloadError {}

/// Whether a field name can follow `code: ` in a `reason`.
fn fits_reason(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name
            .chars()
            .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
}

/// Reads `name` as text. Form values are text; in a batch, JSON strings are taken as they
/// are and numbers as their decimal text (an entry may carry `"total": 1`); `null` and absence
/// are `None`; any other JSON is an [`PayloadError::InvalidField`].
pub fn text<'f>(
    fields: &'f Fields<'_>,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    value_text(fields.get(name), name)
}

/// [`text`] of a value already looked up (`name` names it in errors).
pub fn value_text<'f>(
    value: Option<&'f FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    match value {
        None => Ok(None),
        Some(FieldValue::Text(text)) => Ok(Some(Cow::Borrowed(text))),
        Some(FieldValue::Json(raw)) => {
            json_text(raw).map_err(|()| PayloadError::InvalidField(name))
        }
    }
}

fn json_text(json: &str) -> Result<Option<Cow<'_, str>>, ()> {
    match json.as_bytes().first() {
        // The raw value was already validated as JSON: a string without a backslash is its
        // own text between the quotes.
        Some(b'"') if !json.contains('\\') => Ok(json.get(1..json.len() - 1).map(Cow::Borrowed)),
        // Escapes (`\u00e9`, `\"`) need decoding into a new string.
        Some(b'"') => super::json::decode_string(json)
            .map(|text| Some(Cow::Owned(text.into_owned())))
            .map_err(|_| ()),
        Some(b'-' | b'0'..=b'9') => Ok(Some(Cow::Borrowed(json))),
        Some(b'n') => Ok(None),
        _ => Err(()),
    }
}

/// Like [`text`], but an empty value counts as absent.
pub fn non_empty<'f>(
    fields: &'f Fields<'_>,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    value_non_empty(fields.get(name), name)
}

/// [`non_empty`] of a value already looked up.
pub fn value_non_empty<'f>(
    value: Option<&'f FieldValue<'_>>,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    Ok(value_text(value, name)?.filter(|value| !value.is_empty()))
}

/// Like [`text`], but the field must be present and non-empty.
pub fn required<'f>(
    fields: &'f Fields<'_>,
    name: &'static str,
) -> Result<Cow<'f, str>, PayloadError> {
    value_required(fields.get(name), name)
}

/// [`required`] of a value already looked up.
pub fn value_required<'f>(
    value: Option<&'f FieldValue<'_>>,
    name: &'static str,
) -> Result<Cow<'f, str>, PayloadError> {
    value_non_empty(value, name)?.ok_or(PayloadError::MissingField(name))
}
