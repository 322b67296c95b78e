//! A callback's fields, whichever body format they came in, and the errors reading them.

use serde_json::{Map, Value};
use std::borrow::Cow;

/// Field name → value. Form bodies give strings; JSON batch entries give whatever JSON the
/// entry held, so unmapped fields can be passed on verbatim.
pub type Fields = Map<String, Value>;

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
    /// JSON, but not `{"statusReportList": [ … ]}`.
    NotABatch,
    /// A batch entry that is not a JSON object.
    EntryNotAnObject,
    /// The batch object had keys besides `statusReportList`; the entries are still forwarded,
    /// and the whole body goes on as an unparsed event so those keys are not lost.
    UnexpectedBatchKeys,
    /// A `Content-Type` the endpoint does not take.
    UnsupportedMediaType,
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
            PayloadError::EntryNotAnObject => "entry_not_an_object",
            PayloadError::UnexpectedBatchKeys => "unexpected_batch_keys",
            PayloadError::UnsupportedMediaType => "unsupported_media_type",
        }
    }

    /// Code plus the field concerned, e.g. `missing_field: smsMsgId`.
    pub fn reason(&self) -> String {
        match self {
            PayloadError::DuplicateField(name) => format!("{}: {name}", self.code()),
            PayloadError::MissingField(name) | PayloadError::InvalidField(name) => {
                format!("{}: {name}", self.code())
            }
            _ => self.code().to_string(),
        }
    }
}

/// Reads `name` as text. Strings are taken as they are; numbers are accepted as their decimal
/// text (a batch may carry `"total": 1`); `null` and absence are `None`.
pub fn text<'f>(
    fields: &'f Fields,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(Cow::Borrowed(text))),
        Some(Value::Number(number)) => Ok(Some(Cow::Owned(number.to_string()))),
        Some(_) => Err(PayloadError::InvalidField(name)),
    }
}

/// Like [`text`], but an empty value counts as absent.
pub fn non_empty<'f>(
    fields: &'f Fields,
    name: &'static str,
) -> Result<Option<Cow<'f, str>>, PayloadError> {
    Ok(text(fields, name)?.filter(|value| !value.is_empty()))
}

/// Like [`text`], but the field must be present and non-empty.
pub fn required<'f>(fields: &'f Fields, name: &'static str) -> Result<Cow<'f, str>, PayloadError> {
    non_empty(fields, name)?.ok_or(PayloadError::MissingField(name))
}
