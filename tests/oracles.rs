//! The hand-written pieces that stand in for a crate, each checked against that crate on
//! generated input: `clock.rs` against `time` (kept because `time` costs ~14 KB gzip of wasm),
//! `json_scan.rs` against `serde_json`, and the hex helper against `hex::encode`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::{Map, Value};
use sms_relay::clock::{
    parse_report_time, parse_sdk_date, parse_zoneless_time, read_report_time, Timestamp,
};
use sms_relay::payload::json_scan::object_members;
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
