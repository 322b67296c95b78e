//! Time without a clock: parsing and formatting the few UTC timestamp shapes the relay meets.
//!
//! The core never reads the system time (`SystemTime::now` panics on wasm32); callers pass
//! "now" in as a [`Timestamp`]. A date library would cost more wasm than these ~100 lines.

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Timestamp(seconds.saturating_mul(1000))
    }

    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds between two instants, regardless of order.
    pub fn seconds_apart(self, other: Timestamp) -> u64 {
        self.0.abs_diff(other.0) / 1000
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`, or with `.mmm` milliseconds when `with_millis`. Written digit
    /// by digit: this runs several times per report, and `fmt` machinery was a tenth of the
    /// cost of normalizing a batch.
    pub fn to_rfc3339(self, with_millis: bool) -> String {
        let seconds = self.0.div_euclid(1000);
        let millis = self.0.rem_euclid(1000);
        let (date, time_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(date);
        let mut out = String::with_capacity(24);
        if !(0..=9999).contains(&year) {
            // Outside four digits RFC 3339 has no spelling; clamp rather than emit garbage.
            return if year < 0 {
                "0000-01-01T00:00:00Z".into()
            } else {
                "9999-12-31T23:59:59Z".into()
            };
        }
        push_digits(&mut out, year, 4);
        out.push('-');
        push_digits(&mut out, month, 2);
        out.push('-');
        push_digits(&mut out, day, 2);
        out.push('T');
        push_digits(&mut out, time_of_day / 3600, 2);
        out.push(':');
        push_digits(&mut out, time_of_day % 3600 / 60, 2);
        out.push(':');
        push_digits(&mut out, time_of_day % 60, 2);
        if with_millis {
            out.push('.');
            push_digits(&mut out, millis, 3);
        }
        out.push('Z');
        out
    }
}

/// Appends the last `width` (at most 4) decimal digits of a non-negative `value`, zero-padded.
fn push_digits(out: &mut String, value: i64, width: usize) {
    let mut digits = [b'0'; 4];
    let mut rest = value;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    for &digit in digits.get(4 - width.min(4)..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// Parses Huawei's signing date, `yyyyMMddTHHmmssZ` (the `X-Sdk-Date` header), exactly.
pub fn parse_sdk_date(value: &str) -> Option<Timestamp> {
    let b = value.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 4, 2)?;
    let day = digits(b, 6, 2)?;
    let hour = digits(b, 9, 2)?;
    let minute = digits(b, 11, 2)?;
    let second = digits(b, 13, 2)?;
    from_parts(year, month, day, hour, minute, second, 0)
}

/// Parses the report and uplink times: `yyyy-MM-ddTHH:mm:ssZ` as documented, also accepting a
/// space instead of `T`, fractional seconds, and a `+00:00` / `-hh:mm` offset, since Huawei's
/// pages show more than one spelling and a valid time should not turn a report into garbage.
pub fn parse_report_time(value: &str) -> Option<Timestamp> {
    let b = value.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let mut rest = b.get(19..)?;
    let mut millis = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        // Keep millisecond precision; further digits are truncated.
        let mut scale = 100;
        for &digit in fraction.iter().take(len.min(3)) {
            millis += i64::from(digit - b'0') * scale;
            scale /= 10;
        }
        rest = fraction.get(len..)?;
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = digits(rest, 1, 2)? * 60 + digits(rest, 4, 2)?;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let local = from_parts(year, month, day, hour, minute, second, millis)?;
    Some(Timestamp(local.0 - offset_minutes * 60_000))
}

/// Parses an HTTP date in its only current form, IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// as `Retry-After` may carry one.
pub fn parse_http_date(value: &str) -> Option<Timestamp> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = value.trim().as_bytes();
    if b.len() != 29 || b.get(3) != Some(&b',') || b.get(25..) != Some(b" GMT") {
        return None;
    }
    let month_name = std::str::from_utf8(b.get(8..11)?).ok()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as i64 + 1;
    if b.get(19) != Some(&b':') || b.get(22) != Some(&b':') {
        return None;
    }
    from_parts(
        digits(b, 12, 4)?,
        month,
        digits(b, 5, 2)?,
        digits(b, 17, 2)?,
        digits(b, 20, 2)?,
        digits(b, 23, 2)?,
        0,
    )
}

fn digits(bytes: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = bytes.get(start..start.checked_add(len)?)?;
    slice.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn from_parts(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
) -> Option<Timestamp> {
    let valid = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61; // a leap second is written as :60
    if !valid {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(Timestamp(seconds * 1000 + millis))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's proleptic-Gregorian day algorithms (public domain).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_date_round_trips_through_rfc3339() {
        let t = parse_sdk_date("20241212T070653Z");
        assert_eq!(t, Some(Timestamp::from_unix_seconds(1_733_987_213)));
        assert_eq!(
            t.map(|t| t.to_rfc3339(false)).as_deref(),
            Some("2024-12-12T07:06:53Z")
        );
    }

    #[test]
    fn sdk_date_rejects_other_shapes() {
        for bad in [
            "2024-12-12T07:06:53Z",
            "20241212T070653",
            "20241312T070653Z",
            "20240230T000000Z",
            "2024121xT070653Z",
            "",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn report_times_in_every_documented_spelling() {
        let expected = Some(Timestamp::from_unix_seconds(1_523_601_106));
        assert_eq!(parse_report_time("2018-04-13T06:31:46Z"), expected);
        assert_eq!(parse_report_time("2018-04-13 06:31:46Z"), expected);
        assert_eq!(parse_report_time("2018-04-13T14:31:46+08:00"), expected);
        assert_eq!(
            parse_report_time("2018-04-13T06:31:46.250Z"),
            Some(Timestamp::from_unix_millis(1_523_601_106_250))
        );
        for bad in [
            "2018-04-13T06:31:46",
            "2018-04-13T06:31:46%3AZ",
            "2018-04-31T06:31:46Z",
            "2018-04-13T06:31:46.Z",
            "x",
        ] {
            assert_eq!(parse_report_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Timestamp::from_unix_seconds(784_111_777))
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
    }

    #[test]
    fn formats_with_and_without_millis_across_eras() {
        assert_eq!(
            Timestamp::from_unix_millis(0).to_rfc3339(true),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(951_782_400_007).to_rfc3339(true),
            "2000-02-29T00:00:00.007Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(-1000).to_rfc3339(false),
            "1969-12-31T23:59:59Z"
        );
    }
}
