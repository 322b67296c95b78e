//! A small reader that turns settings into values and records every problem once, so the
//! settings themselves read like a table: one line per setting.

use super::ConfigError;
use std::fmt::Display;
use std::ops::RangeInclusive;

/// Reads settings through a lookup (a var or secret by name; `None` when unset) and keeps the
/// problems it meets. A value is trimmed; an empty value counts as unset.
pub struct Reader<'l> {
    lookup: &'l dyn Fn(&str) -> Option<String>,
    errors: Vec<ConfigError>,
    warnings: Vec<ConfigError>,
}

impl<'l> Reader<'l> {
    pub fn new(lookup: &'l dyn Fn(&str) -> Option<String>) -> Reader<'l> {
        Reader {
            lookup,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The setting's value, trimmed, or `None` when it is unset or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.text(name).is_some()
    }

    /// Whether a problem was recorded for any of `settings`.
    pub fn has_problem(&self, settings: &[&str]) -> bool {
        self.errors
            .iter()
            .any(|error| settings.contains(&error.setting))
    }

    /// Records one problem with `setting`.
    pub fn problem(&mut self, setting: &'static str, problem: impl Display) {
        self.errors.push(ConfigError {
            setting,
            problem: problem.to_string(),
        });
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, any case); `default` when unset.
    pub fn flag(&mut self, name: &'static str, default: bool) -> bool {
        let Some(raw) = self.text(name) else {
            return default;
        };
        match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => {
                self.problem(name, Problem::NotAFlag);
                default
            }
        }
    }

    /// A whole number in `range`; `default` when unset or invalid (the problem is recorded).
    pub fn number(&mut self, name: &'static str, default: u64, range: RangeInclusive<u64>) -> u64 {
        self.checked_number(name, default, range).unwrap_or(default)
    }

    /// A whole number in `range`, `default` when unset, `None` when invalid (the problem is
    /// recorded): for settings whose invalid value must disable what depends on them.
    pub fn checked_number(
        &mut self,
        name: &'static str,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Option<u64> {
        if self.is_set(name) {
            self.optional_number(name, range)
        } else {
            Some(default)
        }
    }

    /// A whole number in `range`, or `None` when unset or invalid (the problem is recorded).
    pub fn optional_number(
        &mut self,
        name: &'static str,
        range: RangeInclusive<u64>,
    ) -> Option<u64> {
        let raw = self.text(name)?;
        let parsed = raw.parse::<u64>().ok().filter(|n| range.contains(n));
        if parsed.is_none() {
            self.problem(
                name,
                Problem::NotANumber {
                    min: *range.start(),
                    max: *range.end(),
                },
            );
        }
        parsed
    }

    /// Comma-separated items, trimmed, empty ones dropped; `default` when unset.
    pub fn list(&self, name: &str, default: &str) -> Vec<String> {
        self.text(name)
            .as_deref()
            .unwrap_or(default)
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The setting read by `parse`; `None` when unset, or when `parse` fails (its error is the
    /// recorded problem).
    pub fn parse<T, E: Display>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        self.read(name, parse, false)
    }

    /// The setting of an optional feature read by `parse`: `None` when unset, or when `parse`
    /// fails, which is recorded as a warning, not a problem: the feature is off, everything
    /// else works (a malformed `READ_TOKEN` must not stop ingestion).
    pub fn feature<T, E: Display>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        self.read(name, parse, true)
    }

    /// The setting read by `parse`, its failure recorded as a problem or a warning.
    fn read<T, E: Display>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
        warning: bool,
    ) -> Option<T> {
        let raw = self.text(name)?;
        let error = match parse(&raw) {
            Ok(value) => return Some(value),
            Err(error) => ConfigError {
                setting: name,
                problem: error.to_string(),
            },
        };
        if warning {
            self.warnings.push(error);
        } else {
            self.errors.push(error);
        }
        None
    }

    /// Every problem recorded, in the order met, then every warning.
    pub fn finish(self) -> (Vec<ConfigError>, Vec<ConfigError>) {
        (self.errors, self.warnings)
    }
}

/// A numeric `[vars]` value (wrangler passes numbers through as JSON numbers) as the text the
/// reader parses. Settings are whole numbers, written as integers: `f64`'s `Display` alone is
/// 14 KB of wasm. Anything else becomes text that no number setting accepts.
pub fn number_var_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        itoa::Buffer::new().format(number as i64).to_string()
    } else {
        "not a whole number".to_string()
    }
}

/// The problems the reader itself finds; each setting module has its own error types too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NotAFlag,
    NotANumber { min: u64, max: u64 },
}

impl Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NotAFlag => f.write_str("must be true or false"),
            Problem::NotANumber { min, max } => {
                write!(f, "must be a whole number from {min} to {max}")
            }
        }
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_vars_become_integer_text() {
        assert_eq!(number_var_text(900.0), "900");
        assert_eq!(number_var_text(-1.0), "-1");
        assert_eq!(number_var_text(1.5), "not a whole number");
        assert_eq!(number_var_text(f64::NAN), "not a whole number");
        assert_eq!(number_var_text(1e300), "not a whole number");
    }

    #[test]
    fn records_each_problem_once_and_falls_back() {
        let vars = |name: &str| match name {
            "FLAG" => Some(" YES ".to_string()),
            "BAD_FLAG" => Some("maybe".to_string()),
            "N" => Some("42".to_string()),
            "BIG" => Some("4200".to_string()),
            "BLANK" => Some("   ".to_string()),
            "LIST" => Some("a, b,,c ".to_string()),
            _ => None,
        };
        let mut reader = Reader::new(&vars);
        assert!(reader.flag("FLAG", false));
        assert!(!reader.flag("BAD_FLAG", false));
        assert_eq!(reader.number("N", 1, 0..=100), 42);
        assert_eq!(reader.number("BIG", 7, 0..=100), 7);
        assert_eq!(reader.optional_number("BLANK", 0..=1), None);
        assert_eq!(reader.list("LIST", "x"), ["a", "b", "c"]);
        assert_eq!(reader.list("UNSET", "q"), ["q"]);
        assert_eq!(reader.parse("N", |n| n.parse::<u8>()), Some(42));
        assert_eq!(reader.parse("LIST", |n| n.parse::<u8>()), None);
        let (errors, _) = reader.finish();
        let settings: Vec<&str> = errors.iter().map(|e| e.setting).collect();
        assert_eq!(settings, ["BAD_FLAG", "BIG", "LIST"]);
        assert_eq!(
            errors.get(1).map(|e| e.problem.as_str()),
            Some("must be a whole number from 0 to 100")
        );
    }
}
