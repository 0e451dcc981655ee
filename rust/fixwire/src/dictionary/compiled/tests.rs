use super::{is_decimal, is_int, is_plain_timestamp};
use crate::dictionary::{Dictionary, ValidationOptions};
use crate::testing::shared_messages;
use crate::value::{decimal_parts, parse_i64, UtcTimestamp};
use crate::{Field, FieldIndex, Message, ParseOptions};

/// The tables must never accept what the reference check rejects: the shared messages,
/// and each with random faults (fields dropped, repeated, moved, retagged, given another
/// field's value).
#[test]
fn never_accepts_what_the_reference_check_rejects() {
    let dict = Dictionary::kalshi();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut below = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let (mut accepted, mut checked) = (0, 0);
    for bytes in shared_messages() {
        let mut index = FieldIndex::new();
        if index.parse(&bytes, &ParseOptions::default()).is_err() {
            continue;
        }
        let original = index.fields().to_vec();
        let pool: Vec<u32> = original.iter().map(|f| f.tag).chain([58, 136, 453, 5001, 9999, 20000]).collect();
        for round in 0..300 {
            let mut fields: Vec<Field> = original.clone();
            for _ in 0..(if round == 0 { 0 } else { 1 + below(3) }) {
                let (i, j) = (below(fields.len()), below(fields.len()));
                match below(5) {
                    0 => drop(fields.remove(i)),
                    1 => fields.insert(j, fields[i]),
                    2 => fields.swap(i, j),
                    3 => fields[i].tag = pool[below(pool.len())],
                    _ => (fields[i].start, fields[i].end) = (fields[j].start, fields[j].end),
                }
            }
            let Some(msg) = Message::from_fields(&bytes, &fields) else { continue };
            for allow_user_defined in [false, true] {
                let options = ValidationOptions { allow_user_defined };
                checked += 1;
                if dict.compiled.accepts(&msg, options) {
                    accepted += 1;
                    assert_eq!(dict.first_reject(&msg, options), Ok(()), "{:?}", String::from_utf8_lossy(&bytes));
                }
            }
        }
    }
    // Both answers must have been exercised.
    assert!(accepted > 100 && checked - accepted > 1000, "{accepted} of {checked} accepted");
}

/// A remembered shape leaves the values to check: each shared message is validated once (so
/// that its shape is remembered, up to 16 a message type), then with each value replaced in
/// turn, counts included; what the tables accept the reference check must accept.
#[test]
fn remembered_shapes_still_check_every_value() {
    let dict = Dictionary::kalshi();
    let options = ValidationOptions::default();
    let (mut remembered, mut outcomes) = (0, [0; 2]);
    for bytes in shared_messages() {
        let mut index = FieldIndex::new();
        if index.parse(&bytes, &ParseOptions::default()).is_err() {
            continue;
        }
        let msg = index.view(&bytes);
        if !dict.compiled.accepts(&msg, options) {
            continue;
        }
        remembered += 1;
        let fields = index.fields().to_vec();
        for i in 0..fields.len() {
            for replacement in ["x", "0", "2", "-1", "1.5", "20260820-13:45:01", "USD"] {
                let mut changed = bytes[..fields[i].start as usize].to_vec();
                changed.extend_from_slice(replacement.as_bytes());
                changed.extend_from_slice(&bytes[fields[i].end as usize..]);
                // The fields after the replaced value move by the difference in length.
                let (old, new) = (fields[i].end - fields[i].start, replacement.len() as u32);
                let mut shifted = fields.clone();
                shifted[i].end = shifted[i].end - old + new;
                for f in &mut shifted[i + 1..] {
                    (f.start, f.end) = (f.start - old + new, f.end - old + new);
                }
                let Some(msg) = Message::from_fields(&changed, &shifted) else { continue };
                let accepted = dict.compiled.accepts(&msg, options);
                if accepted {
                    assert_eq!(dict.first_reject(&msg, options), Ok(()), "{:?}", String::from_utf8_lossy(&changed));
                }
                outcomes[usize::from(accepted)] += 1;
            }
        }
    }
    // Both answers must have been exercised.
    assert!(remembered > 10 && outcomes.iter().all(|&n| n > 1000), "{remembered} remembered, {outcomes:?}");
}

#[test]
fn decimal_format_agrees_with_the_value_reader() {
    let samples = [
        "0",
        "1.5",
        "-1.5",
        ".5",
        "5.",
        "-",
        ".",
        "-.",
        "",
        "1..2",
        "1.2.3",
        "--1",
        "-1-",
        "+1",
        "1e5",
        " 1",
        "007",
        "-0.000",
        "12345678901234567890.123",
    ];
    for v in samples {
        assert_eq!(is_decimal(v.as_bytes()), decimal_parts(v.as_bytes()).is_ok(), "{v:?}");
    }
}

#[test]
fn int_format_agrees_with_the_value_reader() {
    let samples = [
        "0",
        "-0",
        "12",
        "-12",
        "",
        "-",
        "--1",
        "1.0",
        "+1",
        " 1",
        "123456789012345678",
        "-123456789012345678",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "00000000000000000000001",
    ];
    for v in samples {
        assert_eq!(is_int(v.as_bytes()), parse_i64(v.as_bytes()).is_ok(), "{v:?}");
    }
}

#[test]
fn plain_timestamps_all_parse() {
    let samples = [
        "20260820-13:45:01",
        "20260820-13:45:01.123",
        "20260228-23:59:59.999",
        "00000101-00:00:00",
        "20260820-13:45:01.12",
        "20260820-13:45:01.1234",
        "20260820-13:45:01x123",
        "20260820 13:45:01",
        "20261320-13:45:01",
        "20260800-13:45:01",
        "20260829-13:45:01",
        "20260820-24:00:00",
        "20260820-13:60:00",
        "20260820-13:45:60",
        "2026082a-13:45:01",
        "20260820-13:45:01.12a",
        "20260820-13:45:01.123456",
    ];
    let mut plain = 0;
    for v in samples {
        if is_plain_timestamp(v.as_bytes()) {
            plain += 1;
            assert!(UtcTimestamp::parse(v.as_bytes()).is_ok(), "{v:?}");
        }
    }
    assert_eq!(plain, 4);
}
