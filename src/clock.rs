//! Time without a clock: the UTC instants the relay reads and writes, in each spelling it meets.
//!
//! [`Timestamp`] (milliseconds since the Unix epoch) and its RFC 3339 formatting; the readers of
//! Huawei's `X-Sdk-Date` ([`parse_sdk_date`]), of the providers' report times
//! ([`parse_report_time`], and [`read_report_time`], which keeps the fraction as written), of
//! zone-less local times ([`parse_zoneless_time`]), of times with a numeric offset
//! ([`parse_offset_time`]) and of HTTP dates ([`parse_http_date`]); and the proleptic-Gregorian
//! day arithmetic beneath them.
//!
//! The core never reads the system time (`SystemTime::now` panics on wasm32); callers pass
//! "now" in as a [`Timestamp`]. No date library: `time` would cost about 14 KB gzip of wasm.
//! `tests/oracles.rs` checks these readers against `time` and `httpdate` instead.

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

    /// Milliseconds between two instants, regardless of order.
    pub fn millis_apart(self, other: Timestamp) -> u64 {
        self.0.abs_diff(other.0)
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
    let civil = Civil {
        year: digits(b, 0, 4)?,
        month: digits(b, 4, 2)?,
        day: digits(b, 6, 2)?,
        hour: digits(b, 9, 2)?,
        minute: digits(b, 11, 2)?,
        second: digits(b, 13, 2)?,
        millis: 0,
    };
    instant(civil, 0)
}

/// A provider's time as read: the instant, and the fraction of a second as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportTime<'a> {
    pub at: Timestamp,
    /// The digits after the decimal point (none, or 1 to 9), kept as written.
    pub fraction: &'a str,
    /// The text as read, when it already is its own RFC 3339 UTC spelling (`T`, `Z`, no
    /// offset, no leap second): most reports, which then need no formatting.
    canonical: Option<&'a str>,
}

impl<'a> ReportTime<'a> {
    /// [`ReportTime::to_rfc3339`], borrowing the text read when it already is that spelling.
    pub fn rfc3339(&self) -> std::borrow::Cow<'a, str> {
        match self.canonical {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(self.to_rfc3339()),
        }
    }

    /// RFC 3339 in UTC with the fraction as it was written, so `46.250Z` stays `46.250Z`.
    /// Offsets are whole minutes, so moving to UTC never changes the fraction.
    pub fn to_rfc3339(&self) -> String {
        let whole = Timestamp(self.at.0.div_euclid(1000) * 1000).to_rfc3339(false);
        if self.fraction.is_empty() {
            return whole;
        }
        let mut out = String::with_capacity(whole.len() + 1 + self.fraction.len());
        out.push_str(whole.strip_suffix('Z').unwrap_or(&whole));
        out.push('.');
        out.push_str(self.fraction);
        out.push('Z');
        out
    }
}

/// Parses the report and uplink times: `yyyy-MM-ddTHH:mm:ssZ` as documented, also accepting a
/// space instead of `T`, fractional seconds, and a `+00:00` / `-hh:mm` offset, since Huawei's
/// pages show more than one spelling and a valid time should not turn a report into garbage.
pub fn parse_report_time(value: &str) -> Option<Timestamp> {
    read_report_time(value).map(|time| time.at)
}

/// [`parse_report_time`], keeping the fraction of a second as written.
pub fn read_report_time(value: &str) -> Option<ReportTime<'_>> {
    let b = value.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        ..
    } = date_and_time(b)?;
    let mut rest = b.get(19..)?;
    let mut millis = 0;
    let mut fraction_digits = "";
    if let Some((b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        fraction_digits = value.get(20..20 + len)?;
        // The instant keeps milliseconds; the text keeps every digit.
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
            let (hours, minutes) = (digits(rest, 1, 2)?, digits(rest, 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        millis,
    };
    let canonical = (b.get(10) == Some(&b'T') && rest == b"Z" && second < 60).then_some(value);
    let at = instant(civil, offset_minutes)?;
    Some(ReportTime {
        at,
        fraction: fraction_digits,
        canonical,
    })
}

/// Parses `YYYY-MM-DD HH:MM:SS` (a space or `T` between date and time, no fraction, no zone)
/// as local time `offset_minutes` east of UTC: how Alibaba and Tencent write their times.
pub fn parse_zoneless_time(value: &str, offset_minutes: i64) -> Option<Timestamp> {
    let b = value.as_bytes();
    if b.len() != 19 {
        return None;
    }
    instant(date_and_time(b)?, offset_minutes)
}

/// The `yyyy-MM-dd HH:mm:ss` every time spelling starts with (`T`, `t` or a space between date
/// and time), as written; whether it exists is [`instant`]'s to say.
fn date_and_time(b: &[u8]) -> Option<Civil> {
    let shaped = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    if !shaped {
        return None;
    }
    Some(Civil {
        year: digits(b, 0, 4)?,
        month: digits(b, 5, 2)?,
        day: digits(b, 8, 2)?,
        hour: digits(b, 11, 2)?,
        minute: digits(b, 14, 2)?,
        second: digits(b, 17, 2)?,
        millis: 0,
    })
}

/// A calendar date and time of day, as written.
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

/// The instant of a local date and time at `offset_minutes` east of UTC, or `None` for a date
/// or time that does not exist. A leap second (`:60`) exists only as 23:59:60 UTC; it is the
/// instant after 23:59:59.999, as Unix time counts it.
fn instant(civil: Civil, offset_minutes: i64) -> Option<Timestamp> {
    let leap = civil.second == 60;
    let second = if leap { 59 } else { civil.second };
    let valid = (1..=12).contains(&civil.month)
        && (1..=days_in_month(civil.year, civil.month)).contains(&civil.day)
        && civil.hour < 24
        && civil.minute < 60
        && second < 60;
    if !valid {
        return None;
    }
    let seconds = days_from_civil(civil.year, civil.month, civil.day) * 86_400
        + civil.hour * 3600
        + civil.minute * 60
        + second;
    let utc = seconds * 1000 + civil.millis - offset_minutes * 60_000;
    if !leap {
        return Some(Timestamp(utc));
    }
    let second_of_day = utc.div_euclid(1000).rem_euclid(86_400);
    (second_of_day == 86_399).then_some(Timestamp(utc + 1000))
}

/// Parses a time with a numeric offset, as Alibaba's international receipts write them:
/// `2024-03-01 20:00:00 +0800` (also `T`, and `+08:00`), or RFC 2822's
/// `Thu, 25 Nov 2021 10:27:33 +0800` (the weekday optional, not checked).
pub fn parse_offset_time(value: &str) -> Option<Timestamp> {
    let value = value.trim();
    let (time, offset) = value.rsplit_once(' ')?;
    let offset = offset_minutes(offset.as_bytes())?;
    let b = time.trim().as_bytes();
    if b.len() == 19 && b.get(4) == Some(&b'-') {
        return instant(date_and_time(b)?, offset);
    }
    // RFC 2822: [Day, ]DD Mon YYYY HH:MM:SS
    let rest = time.split_once(", ").map_or(time, |(_, rest)| rest).trim();
    let mut words = rest.split(' ').filter(|word| !word.is_empty());
    let (day, month, year, clock) = (words.next()?, words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || day.len() > 2 || year.len() != 4 || clock.len() != 8 {
        return None;
    }
    let month = month_number(month.as_bytes())?;
    let c = clock.as_bytes();
    if c.get(2) != Some(&b':') || c.get(5) != Some(&b':') {
        return None;
    }
    let civil = Civil {
        year: digits(year.as_bytes(), 0, 4)?,
        month,
        day: digits(day.as_bytes(), 0, day.len())?,
        hour: digits(c, 0, 2)?,
        minute: digits(c, 3, 2)?,
        second: digits(c, 6, 2)?,
        millis: 0,
    };
    instant(civil, offset)
}

/// `+hhmm`, `-hhmm`, `+hh:mm` or `-hh:mm` as minutes east of UTC.
fn offset_minutes(b: &[u8]) -> Option<i64> {
    let (sign, hours, minutes) = match b {
        [sign @ (b'+' | b'-'), _, _, _, _] => (sign, digits(b, 1, 2)?, digits(b, 3, 2)?),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => (sign, digits(b, 1, 2)?, digits(b, 4, 2)?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    let total = hours * 60 + minutes;
    Some(if *sign == b'+' { total } else { -total })
}

/// Parses an HTTP date (RFC 9110 §5.6.7), as `Retry-After` may carry one, in any of the three
/// forms a recipient must accept: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the
/// obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
/// forms. RFC 850's two-digit year is the latest year with those digits that is at most 50
/// years after `now`'s: one further in the future is taken as the most recent past year with
/// the same last two digits. Names are case-sensitive, as the grammar spells them; the day's
/// name is not checked against the date.
pub fn parse_http_date(value: &str, now: Timestamp) -> Option<Timestamp> {
    let b = value.trim().as_bytes();
    imf_fixdate(b)
        .or_else(|| rfc850_date(b, now))
        .or_else(|| asctime_date(b))
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
const LONG_DAYS: [&[u8]; 7] = [
    b"Monday",
    b"Tuesday",
    b"Wednesday",
    b"Thursday",
    b"Friday",
    b"Saturday",
    b"Sunday",
];

/// `Jan` … `Dec` as 1 … 12.
fn month_number(name: &[u8]) -> Option<i64> {
    MONTHS.iter().position(|m| *m == name).map(|i| i as i64 + 1)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`, read exactly as when it was the only form accepted: the
/// day's name and the four spaces between the fields are not checked.
fn imf_fixdate(b: &[u8]) -> Option<Timestamp> {
    if b.len() != 29 || b.get(3) != Some(&b',') || b.get(25..) != Some(b" GMT") {
        return None;
    }
    let month = month_number(b.get(8..11)?)?;
    if b.get(19) != Some(&b':') || b.get(22) != Some(&b':') {
        return None;
    }
    let civil = Civil {
        year: digits(b, 12, 4)?,
        month,
        day: digits(b, 5, 2)?,
        hour: digits(b, 17, 2)?,
        minute: digits(b, 20, 2)?,
        second: digits(b, 23, 2)?,
        millis: 0,
    };
    instant(civil, 0)
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`, the year read against `now` (see [`parse_http_date`]).
fn rfc850_date(b: &[u8], now: Timestamp) -> Option<Timestamp> {
    let comma = b.iter().position(|&c| c == b',')?;
    if !LONG_DAYS.contains(&b.get(..comma)?) {
        return None;
    }
    // `, 06-Nov-94 08:49:37 GMT`
    let rest = b.get(comma..)?;
    let shaped = rest.len() == 24
        && rest.get(..2) == Some(b", ")
        && rest.get(4) == Some(&b'-')
        && rest.get(8) == Some(&b'-')
        && rest.get(11) == Some(&b' ')
        && rest.get(20..) == Some(b" GMT");
    if !shaped {
        return None;
    }
    let (now_year, _, _) = civil_from_days(now.0.div_euclid(86_400_000));
    let latest = now_year + 50;
    let (hour, minute, second) = time_of_day(rest, 12)?;
    let civil = Civil {
        year: latest - (latest - digits(rest, 9, 2)?).rem_euclid(100),
        month: month_number(rest.get(5..8)?)?,
        day: digits(rest, 2, 2)?,
        hour,
        minute,
        second,
        millis: 0,
    };
    instant(civil, 0)
}

/// `Sun Nov  6 08:49:37 1994` (the day as ` 6` or `06`), always UTC.
fn asctime_date(b: &[u8]) -> Option<Timestamp> {
    let shaped = b.len() == 24
        && DAYS.contains(&b.get(..3)?)
        && [3, 7, 10, 19].iter().all(|&at| b.get(at) == Some(&b' '));
    if !shaped {
        return None;
    }
    let (hour, minute, second) = time_of_day(b, 11)?;
    let civil = Civil {
        year: digits(b, 20, 4)?,
        month: month_number(b.get(4..7)?)?,
        day: match b.get(8)? {
            b' ' => digits(b, 9, 1)?,
            _ => digits(b, 8, 2)?,
        },
        hour,
        minute,
        second,
        millis: 0,
    };
    instant(civil, 0)
}

/// `hh:mm:ss` at `start`, as written (whether it exists is [`instant`]'s to say).
fn time_of_day(b: &[u8], start: usize) -> Option<(i64, i64, i64)> {
    if b.get(start + 2) != Some(&b':') || b.get(start + 5) != Some(&b':') {
        return None;
    }
    Some((
        digits(b, start, 2)?,
        digits(b, start + 3, 2)?,
        digits(b, start + 6, 2)?,
    ))
}

fn digits(bytes: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = bytes.get(start..start.checked_add(len)?)?;
    slice.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
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
    fn offset_times_in_both_of_alibabas_spellings() {
        let utc = |value: &str| parse_offset_time(value).map(|at| at.to_rfc3339(false));
        for (value, expected) in [
            ("2024-03-01 20:00:00 +0800", "2024-03-01T12:00:00Z"),
            ("2024-03-01T20:00:00 +08:00", "2024-03-01T12:00:00Z"),
            ("2024-03-01 01:30:00 -0230", "2024-03-01T04:00:00Z"),
            ("Thu, 25 Nov 2021 10:27:33 +0800", "2021-11-25T02:27:33Z"),
            ("25 Nov 2021 10:27:33 +0000", "2021-11-25T10:27:33Z"),
            ("Mon, 1 Mar 2021 00:00:00 +0100", "2021-02-28T23:00:00Z"),
            // 19 bytes before the offset, like the ISO spelling.
            ("1 Mar 2021 00:00:00 +0100", "2021-02-28T23:00:00Z"),
        ] {
            assert_eq!(utc(value).as_deref(), Some(expected), "{value}");
        }
        for bad in [
            "2024-03-01 20:00:00",
            "2024-03-01 20:00:00 +2400",
            "2024-02-30 20:00:00 +0800",
            "Thu, 25 Foo 2021 10:27:33 +0800",
            "Thu, 25 Nov 2021 10:27 +0800",
            "",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }

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
    fn offsets_are_range_checked() {
        assert_eq!(parse_report_time("2018-04-13T06:31:46+99:99"), None);
        assert_eq!(parse_report_time("2018-04-13T06:31:46+24:00"), None);
        assert_eq!(parse_report_time("2018-04-13T06:31:46-00:60"), None);
        assert_eq!(
            parse_report_time("2018-04-14T06:30:46+23:59"),
            Some(Timestamp::from_unix_seconds(1_523_601_106))
        );
    }

    #[test]
    fn a_leap_second_only_at_23_59_60_utc() {
        let new_year = Some(Timestamp::from_unix_seconds(1_483_228_800));
        assert_eq!(parse_report_time("2016-12-31T23:59:60Z"), new_year);
        assert_eq!(parse_report_time("2017-01-01T07:59:60+08:00"), new_year);
        assert_eq!(parse_sdk_date("20161231T235960Z"), new_year);
        for bad in [
            "2018-04-13T06:31:60Z",
            "2016-12-31T23:58:60Z",
            "2016-12-31T23:59:60+08:00",
        ] {
            assert_eq!(parse_report_time(bad), None, "{bad}");
        }
        assert_eq!(parse_sdk_date("20241212T070660Z"), None);
        let now = Timestamp::from_unix_seconds(1_700_000_000);
        assert_eq!(parse_http_date("Tue, 13 Apr 2018 06:31:60 GMT", now), None);
    }

    #[test]
    fn fractions_are_kept_as_written() {
        let read = |text| read_report_time(text).map(|t| t.to_rfc3339());
        assert_eq!(
            read("2018-04-13T06:31:46.250Z").as_deref(),
            Some("2018-04-13T06:31:46.250Z")
        );
        assert_eq!(
            read("2018-04-13T14:31:46.5+08:00").as_deref(),
            Some("2018-04-13T06:31:46.5Z")
        );
        assert_eq!(
            read("2018-04-13T06:31:46.123456789Z").as_deref(),
            Some("2018-04-13T06:31:46.123456789Z")
        );
        assert_eq!(read("2018-04-13T06:31:46.1234567890Z"), None);
        assert_eq!(
            read("2018-04-13T06:31:46Z").as_deref(),
            Some("2018-04-13T06:31:46Z")
        );
        assert_eq!(
            read("1969-12-31T23:59:59.5Z").as_deref(),
            Some("1969-12-31T23:59:59.5Z")
        );
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        // 2023-11-14: RFC 850's `94` is 1994, its `73` 2073, its `74` 1974.
        let now = Timestamp::from_unix_seconds(1_700_000_000);
        let nov_6_1994 = Some(Timestamp::from_unix_seconds(784_111_777));
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun Nov 06 08:49:37 1994",
            " Sun Nov  6 08:49:37 1994\t",
        ] {
            assert_eq!(parse_http_date(value, now), nov_6_1994, "{value:?}");
        }
        let year =
            |value: &str| parse_http_date(value, now).map(|t| t.to_rfc3339(false)[..4].to_string());
        assert_eq!(
            year("Sunday, 01-Jan-73 00:00:00 GMT").as_deref(),
            Some("2073")
        );
        assert_eq!(
            year("Tuesday, 01-Jan-74 00:00:00 GMT").as_deref(),
            Some("1974")
        );
        assert_eq!(
            year("Saturday, 01-Jan-00 00:00:00 GMT").as_deref(),
            Some("2000")
        );
        for bad in [
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 6-Nov-94 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37",
            "Sunday 06-Nov-94 08:49:37 GMT",
            "Sonntag, 06-Nov-94 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun Nov  6 08-49-37 1994",
            "Sun Nov 6  08:49:37 1994",
            "Sun Nov  x 08:49:37 1994",
            "Sunday,",
            ",",
            "",
        ] {
            assert_eq!(parse_http_date(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn rfc_850_years_follow_the_clock() {
        let year = |value: &str, now: &str| {
            let now = parse_report_time(now).unwrap();
            parse_http_date(value, now).map(|t| t.to_rfc3339(false)[..4].to_string())
        };
        // At most 50 years after the current year: 2076 from 2026, 1976 from 2025 (the day's
        // name, 1976's, is not checked).
        let value = "Thursday, 01-Jan-76 00:00:00 GMT";
        assert_eq!(year(value, "2026-01-01T00:00:00Z").as_deref(), Some("2076"));
        assert_eq!(year(value, "2025-12-31T23:59:59Z").as_deref(), Some("1976"));
        assert_eq!(year(value, "2130-06-01T00:00:00Z").as_deref(), Some("2176"));
        assert_eq!(year(value, "1970-01-01T00:00:00Z").as_deref(), Some("1976"));
        // 29 February exists only if the year the rule picks is a leap year.
        let leap_day = "Tuesday, 29-Feb-00 00:00:00 GMT";
        assert_eq!(
            year(leap_day, "2024-01-01T00:00:00Z").as_deref(),
            Some("2000")
        );
        assert_eq!(year(leap_day, "2051-01-01T00:00:00Z"), None);
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
