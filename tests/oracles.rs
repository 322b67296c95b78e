//! The hand-written pieces that stand in for a crate, each checked against that crate on
//! generated input: `clock.rs` against `time` (kept because `time` costs ~14 KB gzip of wasm)
//! and its HTTP dates against `httpdate`, `json_scan.rs` against `serde_json`; and the hex
//! helper (the `hex` crate's slice encoder) against `hex::encode`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::{Map, Value};
use sms_relay::clock::{
    parse_http_date, parse_report_time, parse_sdk_date, parse_zoneless_time, read_report_time,
    Timestamp,
};
use sms_relay::payload::json_scan::object_members;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Milliseconds from 0000-01-01 to 9999-12-31, the range RFC 3339 can spell.
fn millis() -> impl Strategy<Value = i64> {
    -62_167_219_200_000i64..253_402_300_799_999
}

fn datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn formatting_matches_time(ms in millis()) {
        let at = datetime(ms);
        let seconds = at
            .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
            .unwrap();
        let with_millis = at
            .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
            .unwrap();
        let ours = Timestamp::from_unix_millis(ms);
        prop_assert_eq!(ours.to_rfc3339(false), seconds);
        prop_assert_eq!(ours.to_rfc3339(true), with_millis);
    }

    #[test]
    fn report_times_parse_like_time(ms in millis(), offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i32), with_fraction in any::<bool>()) {
        let offset = UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
        let ms = if with_fraction { ms } else { ms - ms.rem_euclid(1000) };
        let at = datetime(ms).to_offset(offset);
        // Keep to four-digit years after the offset is applied.
        prop_assume!((0..=9999).contains(&at.year()));
        let text = at.format(&Rfc3339).unwrap();
        let theirs = OffsetDateTime::parse(&text, &Rfc3339).unwrap();
        let ours = parse_report_time(&text).map(Timestamp::unix_millis);
        prop_assert_eq!(ours, Some((theirs.unix_timestamp_nanos() / 1_000_000) as i64), "{}", text);
        // The borrowed spelling (used when the text already is RFC 3339 UTC) is the formatted one.
        let read = read_report_time(&text).unwrap();
        prop_assert_eq!(read.rfc3339(), read.to_rfc3339(), "{}", text);
        let spaced = text.replacen('T', " ", 1).to_lowercase();
        let read = read_report_time(&spaced).unwrap();
        prop_assert_eq!(read.rfc3339(), read.to_rfc3339(), "{}", spaced);
    }

    #[test]
    fn a_leap_second_is_formatted_not_borrowed(fraction in proptest::option::of("[0-9]{1,9}")) {
        let text = match fraction {
            Some(digits) => format!("2016-12-31T23:59:60.{digits}Z"),
            None => "2016-12-31T23:59:60Z".to_string(),
        };
        let read = read_report_time(&text).unwrap();
        prop_assert_eq!(read.rfc3339(), read.to_rfc3339());
        prop_assert!(read.rfc3339().starts_with("2017-01-01T00:00:00"));
    }

    #[test]
    fn sdk_dates_parse_like_time(year in 1970i32..=9999, month in 1u8..=12, day in 1u8..=31, hour in 0u8..=23, minute in 0u8..=59, second in 0u8..=59) {
        let text = format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z");
        let theirs = PrimitiveDateTime::parse(
            &text,
            format_description!("[year][month][day]T[hour][minute][second]Z"),
        )
        .ok()
        .map(|at| at.assume_utc().unix_timestamp() * 1000);
        // Both refuse the same impossible days (31 April, 29 February of common years).
        let valid_date = Date::from_calendar_date(year, Month::try_from(month).unwrap(), day).is_ok();
        prop_assert_eq!(theirs.is_some(), valid_date);
        prop_assert_eq!(parse_sdk_date(&text).map(Timestamp::unix_millis), theirs, "{}", text);
    }

    /// Alibaba's and Tencent's zone-less times, as Beijing time, against `time`.
    #[test]
    fn zoneless_times_parse_like_time(year in 0i32..=9999, month in 1u8..=12, day in 1u8..=31, hour in 0u8..=23, minute in 0u8..=59, second in 0u8..=59) {
        let text = format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
        let beijing = UtcOffset::from_hms(8, 0, 0).unwrap();
        let theirs = PrimitiveDateTime::parse(
            &text,
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
        .ok()
        .map(|at| at.assume_offset(beijing).unix_timestamp() * 1000);
        let ours = parse_zoneless_time(&text, 8 * 60).map(Timestamp::unix_millis);
        prop_assert_eq!(ours, theirs, "{}", text);
    }

    /// IMF-fixdate as `httpdate` writes it, and asctime built from the same instant, over
    /// every instant `httpdate` can write.
    #[test]
    fn http_dates_parse_like_httpdate(seconds in 0u64..END_OF_9999, now in in_2019()) {
        let [imf, _, asctime] = http_date_forms(seconds);
        for text in [imf, asctime] {
            let ours = parse_http_date(&text, now).map(Timestamp::unix_millis);
            prop_assert_eq!(ours, httpdate_millis(&text), "{}", text);
            prop_assert_eq!(ours, Some(seconds as i64 * 1000), "{}", text);
        }
    }

    /// RFC 850 dates of 1970 to 2069, read in 2019: our 50-year rule then picks the years
    /// `httpdate`'s fixed one does (`00`–`69` are 20xx, `70`–`99` 19xx).
    #[test]
    fn rfc_850_dates_parse_like_httpdate(seconds in 0u64..START_OF_2070, now in in_2019()) {
        let [_, rfc850, _] = http_date_forms(seconds);
        let ours = parse_http_date(&rfc850, now).map(Timestamp::unix_millis);
        prop_assert_eq!(ours, httpdate_millis(&rfc850), "{}", rfc850);
        prop_assert_eq!(ours, Some(seconds as i64 * 1000), "{}", rfc850);
    }

    /// Any instant and any clock: the two-digit year is the one year with those digits from 49
    /// years before the current year to 50 after (RFC 9110 §5.6.7), the rest as written.
    #[test]
    fn rfc_850_years_are_read_against_now(seconds in 0u64..END_OF_9999, now_seconds in -2_208_988_800i64..END_OF_9949) {
        let [_, rfc850, _] = http_date_forms(seconds);
        let now = OffsetDateTime::from_unix_timestamp(now_seconds).unwrap();
        let written = OffsetDateTime::from_unix_timestamp(seconds as i64).unwrap();
        let year = (now.year() - 49..=now.year() + 50)
            .find(|year| year.rem_euclid(100) == written.year().rem_euclid(100))
            .unwrap();
        // `None` for 29 February of a common year.
        let expected = Date::from_calendar_date(year, written.month(), written.day())
            .ok()
            .map(|date| date.with_time(written.time()).assume_utc().unix_timestamp() * 1000);
        let ours = parse_http_date(&rfc850, Timestamp::from_unix_seconds(now_seconds));
        prop_assert_eq!(ours.map(Timestamp::unix_millis), expected, "{} at {}", rfc850, now);
    }

    /// Each form with one byte replaced, inserted or removed, or cut short: we refuse what
    /// `httpdate` refuses and read what it reads, up to the differences `agrees_with_httpdate`
    /// names.
    #[test]
    fn mutated_http_dates_are_judged_like_httpdate(
        seconds in 0u64..START_OF_2070,
        now in in_2019(),
        form in 0usize..3,
        edit in 0u8..4,
        at in any::<prop::sample::Index>(),
        byte in 0x20u8..0x7f,
    ) {
        let mut text = http_date_forms(seconds)[form].clone().into_bytes();
        let index = at.index(text.len());
        match edit {
            0 => text[index] = byte,
            1 => text.insert(index, byte),
            2 => drop(text.remove(index)),
            _ => text.truncate(index),
        }
        agrees_with_httpdate(&String::from_utf8(text).unwrap(), now)?;
    }

    #[test]
    fn garbage_is_judged_like_httpdate(text in "[ -~]{0,40}", now in in_2019()) {
        agrees_with_httpdate(&text, now)?;
    }

    #[test]
    fn json_objects_split_into_the_members_serde_json_reads(object in json_object(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&object).unwrap()
        } else {
            serde_json::to_string(&object).unwrap()
        };
        // serde_json's own reading of the text (floats may not round-trip exactly, so both
        // sides are read by the same parser).
        let read: Map<String, Value> = serde_json::from_str(&text).unwrap();
        let members = object_members(&text).expect("a valid object always splits");
        prop_assert_eq!(members.len(), read.len());
        for (name, raw) in members {
            let value: Value = serde_json::from_str(raw).unwrap();
            prop_assert_eq!(Some(&value), read.get(name.as_ref()), "{}", name);
        }
    }

    #[test]
    fn non_objects_are_refused(value in non_object()) {
        prop_assert!(object_members(&value.to_string()).is_none());
    }

    #[test]
    fn hex_matches_the_hex_crate(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        prop_assert_eq!(sms_relay::crypto::hex(&bytes), hex::encode(&bytes));
    }
}

/// 10000-01-01T00:00:00Z: `httpdate` writes every instant before it.
const END_OF_9999: u64 = 253_402_300_800;
/// 9950-01-01T00:00:00Z: a clock before it reads RFC 850's years within `time`'s four digits.
const END_OF_9949: i64 = 251_824_464_000;
/// 2070-01-01T00:00:00Z: `httpdate` reads RFC 850's years as 1970 to 2069.
const START_OF_2070: u64 = 3_155_760_000;

/// A clock in 2019, when RFC 9110's 50-year window for RFC 850 is `httpdate`'s 1970–2069.
fn in_2019() -> impl Strategy<Value = Timestamp> {
    (1_546_300_800i64..1_577_836_800).prop_map(Timestamp::from_unix_seconds)
}

const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn long_day(short: &str) -> &'static str {
    LONG_DAYS
        .into_iter()
        .find(|day| day.starts_with(short))
        .unwrap()
}

fn system_time(millis: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(millis).unwrap())
}

/// IMF-fixdate, RFC 850 and asctime of one instant: `httpdate` writes the first, the other two
/// are rebuilt from its fields (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date_forms(seconds: u64) -> [String; 3] {
    let imf = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(seconds));
    let (name, day, month, year, clock) = (
        &imf[..3],
        &imf[5..7],
        &imf[8..11],
        &imf[12..16],
        &imf[17..25],
    );
    let rfc850 = format!(
        "{}, {day}-{month}-{} {clock} GMT",
        long_day(name),
        &year[2..]
    );
    let asctime = format!(
        "{name} {month} {:>2} {clock} {year}",
        day.trim_start_matches('0')
    );
    [imf, rfc850, asctime]
}

fn httpdate_millis(text: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64)
}

/// Our reading of `text` (at `now`, in 2019) is `httpdate`'s, but for what `httpdate` reads and
/// we do not, or the other way round, each checked to be the only difference:
/// - we accept any day name the grammar has, without checking it against the date, and in
///   IMF-fixdate leave the day name and the four spaces between the fields unread (as before
///   the obsolete forms were read), where `httpdate` checks them;
/// - we read years before 1970 and the leap second 23:59:60, which `httpdate` refuses;
/// - `httpdate` does not read the space between RFC 850's year and time; we require it.
fn agrees_with_httpdate(text: &str, now: Timestamp) -> Result<(), TestCaseError> {
    let ours = parse_http_date(text, now).map(Timestamp::unix_millis);
    let theirs = httpdate_millis(text);
    match (ours, theirs) {
        (Some(ours), None) if ours < 0 || text.contains("23:59:60") => {}
        (Some(ours), None) => {
            let name = &httpdate::fmt_http_date(system_time(ours))[..3];
            let mut fixed = text.trim().to_string();
            if fixed.len() == 29 && fixed.as_bytes()[3] == b',' {
                fixed.replace_range(..3, name);
                for at in [4, 7, 11, 16] {
                    fixed.replace_range(at..=at, " ");
                }
            } else if let Some(comma) = fixed.find(',') {
                fixed.replace_range(..comma, long_day(name));
            } else {
                fixed.replace_range(..3, name);
            }
            prop_assert_eq!(
                httpdate_millis(&fixed),
                Some(ours),
                "{:?} read as {:?}",
                text,
                fixed
            );
        }
        (None, Some(theirs)) => {
            let mut fixed = text.trim().to_string();
            let year_end = fixed.find(',').map(|comma| comma + 11);
            prop_assert!(year_end.is_some(), "{:?}", text);
            let year_end = year_end.unwrap_or_default();
            fixed.replace_range(year_end..=year_end, " ");
            let ours = parse_http_date(&fixed, now).map(Timestamp::unix_millis);
            prop_assert_eq!(ours, Some(theirs), "{:?} read as {:?}", text, fixed);
        }
        (ours, theirs) => prop_assert_eq!(ours, theirs, "{:?}", text),
    }
    Ok(())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(".*", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn non_object() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value().prop_filter("not an object", |v| !v.is_object()),
        proptest::collection::vec(json_value(), 0..4).prop_map(Value::Array),
    ]
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::btree_map(".*", json_value(), 0..12)
        .prop_map(|map| map.into_iter().collect())
}
