//! Tests of reading and writing FIX values.

use super::*;

#[test]
fn integers() {
    assert_eq!(parse_i64(b"0"), Ok(0));
    assert_eq!(parse_i64(b"00023"), Ok(23));
    assert_eq!(parse_i64(b"-17"), Ok(-17));
    assert_eq!(parse_i64(b"9223372036854775807"), Ok(i64::MAX));
    assert_eq!(parse_i64(b"-9223372036854775808"), Ok(i64::MIN));
    for bad in [&b"9223372036854775808"[..], b"-9223372036854775809", b"", b"-", b"1.0", b"+1", b" 1", b"1a"] {
        assert!(parse_i64(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
    }
    assert_eq!(parse_u64(b"18446744073709551615"), Ok(u64::MAX));
    assert!(parse_u64(b"18446744073709551616").is_err());
    // Nineteen digits are read without overflow checks, twenty or more with them: both sides of
    // that line, leading zeros and a bad byte on each.
    assert_eq!(parse_u64(b"9999999999999999999"), Ok(9_999_999_999_999_999_999));
    assert_eq!(parse_u64(b"00000000000000000000000042"), Ok(42));
    assert_eq!(parse_u64(b"99999999999999999999"), Err(InvalidValue("integer too large")));
    assert_eq!(parse_u64(b"999999999999999999x"), Err(InvalidValue("not an integer")));
    assert_eq!(parse_u64(b"9999999999999999999x"), Err(InvalidValue("not an integer")));
    // An overflow before the bad byte is named first, as the digits are read in order.
    assert_eq!(parse_u64(b"99999999999999999999x"), Err(InvalidValue("integer too large")));
}

#[test]
fn format_u64_matches_display() {
    let mut buf = [0u8; 20];
    for n in (0..2000).chain([9_999, 10_000, 99_999, 1 << 32, u64::MAX - 1, u64::MAX]) {
        assert_eq!(format_u64(n, &mut buf), n.to_string().as_bytes());
    }
}

#[test]
fn booleans_and_chars() {
    assert_eq!(parse_bool(b"Y"), Ok(true));
    assert_eq!(parse_bool(b"N"), Ok(false));
    assert!(parse_bool(b"y").is_err());
    assert!(parse_bool(b"YES").is_err());
    assert_eq!(parse_char(b"2"), Ok(b'2'));
    assert!(parse_char(b"").is_err());
    assert!(parse_char(b"12").is_err());
    assert!(parse_char(&[0xc3]).is_err());
}

#[test]
fn decimals_are_exact() {
    assert_eq!(Decimal::parse(b"0.55"), Ok(Decimal::new(55, 2)));
    assert_eq!(Decimal::parse(b"-1.250"), Ok(Decimal::new(-1250, 3)));
    assert_eq!(Decimal::parse(b"10"), Ok(Decimal::new(10, 0)));
    assert_eq!(Decimal::parse(b".5"), Ok(Decimal::new(5, 1)));
    assert_eq!(Decimal::parse(b"5."), Ok(Decimal::new(5, 0)));
    assert_eq!(Decimal::parse(b"-9223372036854775808"), Ok(Decimal::new(i64::MIN, 0)));
    for bad in [&b""[..], b"-", b".", b"1e5", b"1.2.3", b"+1", b"NaN", b"1,5", b"99999999999999999999"] {
        assert!(Decimal::parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn decimal_round_trip_and_rescale() {
    for text in ["0.55", "-0.0001", "123", "0.0000", "-42.10", "0"] {
        let d = Decimal::parse(text.as_bytes()).unwrap();
        assert_eq!(d.to_string(), text);
    }
    assert_eq!(Decimal::new(-5, 3).to_string(), "-0.005");
    assert_eq!(Decimal::new(55, 2).rescale(4), Some(Decimal::new(5500, 4)));
    assert_eq!(Decimal::new(5500, 4).rescale(2), Some(Decimal::new(55, 2)));
    assert_eq!(Decimal::new(5501, 4).rescale(2), None);
    assert_eq!(Decimal::new(i64::MAX, 0).rescale(1), None);
    assert_eq!(Decimal::new(15, 1).cmp_value(Decimal::new(150, 2)), std::cmp::Ordering::Equal);
    assert_eq!(Decimal::new(-1, 0).cmp_value(Decimal::new(1, 5)), std::cmp::Ordering::Less);
}

#[test]
fn timestamps_at_every_precision() {
    let t = UtcTimestamp::parse(b"20260820-13:45:01.123").unwrap();
    assert_eq!((t.hour, t.minute, t.second, t.nanos), (13, 45, 1, 123_000_000));
    assert_eq!(t.precision, TimePrecision::Millis);
    assert_eq!(UtcTimestamp::parse(b"20260820-13:45:01").unwrap().nanos, 0);
    assert_eq!(UtcTimestamp::parse(b"20260820-13:45:01.000123").unwrap().nanos, 123_000);
    assert_eq!(UtcTimestamp::parse(b"20260820-13:45:01.000000123").unwrap().nanos, 123);
    for text in
        ["20260820-13:45:01.123", "19700101-00:00:00", "20240229-23:59:60.999999", "99991231-23:59:59.000000001"]
    {
        let mut out = Vec::new();
        UtcTimestamp::parse(text.as_bytes()).unwrap().write_to(&mut out);
        assert_eq!(out, text.as_bytes());
    }
    for bad in [
        "20260820-13:45:01.12",
        "20260820-24:00:00",
        "20260820-13:60:00",
        "20260820-13:45:61",
        "20260230-00:00:00",
        "20250229-00:00:00",
        "20261320-00:00:00",
        "20260820 13:45:01",
        "2026082-13:45:01",
        "20260820-13:45:01.",
        "20260820-13:45:01.1234",
        "20260820-13:45:0x",
    ] {
        assert!(UtcTimestamp::parse(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn unix_nanos_round_trip() {
    let last = UtcTimestamp::parse(b"99991231-23:59:60.999999999").unwrap();
    assert_eq!(last.unix_nanos(), 253_402_300_800_999_999_999);
    let t = UtcTimestamp::parse(b"20260820-13:45:01.123456789").unwrap();
    // 2026-08-20T13:45:01Z is 1787233501 seconds after the epoch.
    assert_eq!(t.unix_nanos(), 1_787_233_501_123_456_789);
    assert_eq!(UtcTimestamp::from_unix_nanos(t.unix_nanos(), TimePrecision::Nanos), Some(t));
    let ms = UtcTimestamp::from_unix_nanos(t.unix_nanos(), TimePrecision::Millis).unwrap();
    assert_eq!(ms.nanos, 123_000_000);
    assert_eq!(UtcTimestamp::parse(b"19700101-00:00:00").unwrap().unix_nanos(), 0);
    let before = UtcTimestamp::from_unix_nanos(-1, TimePrecision::Nanos).unwrap();
    assert_eq!((before.date.year, before.date.month, before.date.day, before.second), (1969, 12, 31, 59));
    // Every day over four centuries survives the civil conversions.
    for days in -146_097..146_097 {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
}

#[test]
fn scientific_decimals_are_written_plainly() {
    // As Python's format(Decimal(text), "f") writes each.
    for (text, plain) in [
        ("1E+2", "100"),
        ("0E+2", "0"),
        ("-0E+2", "-0"),
        ("1.5E-7", "0.00000015"),
        ("-1.20E-8", "-0.0000000120"),
        ("0E-7", "0.0000000"),
        ("1.23E+5", "123000"),
        ("1.234E+3", "1234"),
        ("1.2345E+3", "1234.5"),
        ("1.23E-7", "0.000000123"),
        ("5E-1", "0.5"),
        ("1E+64", "10000000000000000000000000000000000000000000000000000000000000000"),
    ] {
        assert_eq!(plain_decimal(text.as_bytes()), plain.as_bytes(), "{text}");
    }
    // Plain text, non-numbers and exponents beyond the cap come back as they are.
    for text in ["0.55", "-12", "NaN", "-Infinity", "sNaN", "1E+65", "1E-65", "1E+999999999999", "1E", "E5", "x1E5"] {
        assert!(matches!(plain_decimal(text.as_bytes()), Cow::Borrowed(t) if t == text.as_bytes()), "{text}");
    }
    assert_eq!(bool_text(true), b"Y");
    assert_eq!(bool_text(false), b"N");
}

#[test]
fn calendar_values_from_other_libraries() {
    let leap = UtcTimestamp::parse(b"20161231-23:59:60.500").unwrap();
    let next = leap.without_leap_second();
    assert_eq!((next.date, next.hour, next.second, next.nanos), (Date::parse(b"20170101").unwrap(), 0, 0, 500_000_000));
    let ordinary = UtcTimestamp::parse(b"20161231-23:59:59.500").unwrap();
    assert_eq!(ordinary.without_leap_second(), ordinary);
    // The last leap second FIX can write has no next day to move to.
    let last = UtcTimestamp::parse(b"99991231-23:59:60").unwrap();
    assert_eq!(last.without_leap_second(), last);
    let fine = UtcTimestamp::parse(b"20260820-13:45:01.123456789").unwrap();
    let ms = fine.truncated(TimePrecision::Millis);
    assert_eq!((ms.nanos, ms.precision), (123_000_000, TimePrecision::Millis));
    assert_eq!(Date::from_calendar(2026, 8, 20, None), Ok(Date { year: 2026, month: 8, day: 20 }));
    let err = Date::from_calendar(10_000, 1, 1, Some(75)).unwrap_err();
    assert_eq!(
        (err.kind, err.tag, err.reason.as_str()),
        (EncodeErrorKind::InvalidValue, Some(75), "year 10000 is outside 0-9999")
    );
    assert!(Date::from_calendar(-1, 1, 1, None).is_err());
}

#[test]
fn dates() {
    let d = Date::parse(b"20231231").unwrap();
    assert_eq!((d.year, d.month, d.day), (2023, 12, 31));
    assert_eq!(Date::parse(b"19700101").unwrap().days_since_epoch(), 0);
    assert!(Date::parse(b"20231232").is_err());
    assert!(Date::parse(b"2023123").is_err());
    assert!(Date::parse(b"2023-12-3").is_err());
}

#[test]
fn decimals_read_in_one_pass_as_in_full() {
    let mut rng = crate::testing::Rng(0x5EED);
    let alphabet = b"-.0123456789x";
    let mut checked = 0;
    for _ in 0..200_000 {
        let len = rng.below(24);
        let text: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        assert_eq!(Decimal::parse(&text), Decimal::parse_in_full(&text), "{:?}", String::from_utf8_lossy(&text));
        checked += usize::from(Decimal::parse(&text).is_ok());
    }
    // Plenty of the inputs were decimals, not only refusals.
    assert!(checked > 10_000, "{checked}");
    for text in [&b"999999999999999999"[..], b"-999999999999999999", b"9999999999999999999", b"0.000000000000000001"] {
        assert_eq!(Decimal::parse(text), Decimal::parse_in_full(text));
    }
}
