//! Limits on what one request may make the worker do: `MAX_BODY_BYTES`.

use super::reader::Reader;

pub const DEFAULT_MAX_BODY_BYTES: usize = 262_144;
/// Workers reject request bodies over 100 MB on every plan; a larger limit would be a typo.
const MAX_BODY_BYTES_CEILING: u64 = 100 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_body_bytes: usize,
}

impl Limits {
    pub fn read(reader: &mut Reader<'_>) -> Limits {
        let max = reader.number(
            "MAX_BODY_BYTES",
            DEFAULT_MAX_BODY_BYTES as u64,
            1..=MAX_BODY_BYTES_CEILING,
        );
        Limits {
            max_body_bytes: usize::try_from(max).unwrap_or(DEFAULT_MAX_BODY_BYTES),
        }
    }
}
