//! The parse of the common message against the checked parser: the same verdict, error and
//! fields on messages and on every small change to them.

use std::sync::Arc;

use super::*;
use crate::group::{GroupSpec, GroupSpecs, Member};
use crate::testing::Rng;

fn message(begin: &str, body: &str) -> Vec<u8> {
    let body = body.replace('|', "\x01");
    let mut out = format!("8={begin}\x019={}\x01{body}", body.len()).into_bytes();
    let sum = crate::checksum(&out);
    out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    out
}

fn messages() -> Vec<Vec<u8>> {
    vec![
        message("FIXT.1.1", "35=D|11=a|55=XYZ|"),
        message("FIX.4.4", "35=0|49=A|56=B|"),
        // Values with `=` in them, a tag of seven digits, a group.
        message("FIXT.1.1", "35=8|58=a=b=|1234567=x|453=2|448=P|447=D|448=Q|447=D|"),
        // Longer than a few 64-byte blocks.
        message("FIXT.1.1", &format!("35=D|{}", "58=long text|".repeat(30))),
        // The checked parser's: a data field, a tag of eight digits.
        message("FIXT.1.1", "35=B|95=3|96=a\x01b|58=x|"),
        message("FIXT.1.1", "35=B|12345678=y|"),
    ]
}

fn options() -> Vec<ParseOptions> {
    let mut groups = GroupSpecs::new();
    groups.add(GroupSpec::new(453, [448, 447].map(Member::Field)).expect("a valid group"), None);
    vec![
        ParseOptions::default(),
        ParseOptions { verify_checksum: false, ..ParseOptions::default() },
        ParseOptions { max_fields: 5, ..ParseOptions::default() },
        ParseOptions { max_fields: 0, verify_checksum: false, ..ParseOptions::default() },
        ParseOptions { data_fields: DataFields::none(), ..ParseOptions::default() },
        ParseOptions { groups: Some(Arc::new(groups)), ..ParseOptions::default() },
    ]
}

/// Both parses of `bytes` under `options`, through one index each (reused, as in a loop).
fn same(bytes: &[u8], options: &ParseOptions, common: &mut FieldIndex, checked: &mut FieldIndex) {
    let fast = common.parse(bytes, options);
    let full = checked.parse_checked_in_full(bytes, options);
    assert_eq!(fast, full, "{:?}", String::from_utf8_lossy(bytes));
    assert_eq!(common.fields(), checked.fields(), "{:?}", String::from_utf8_lossy(bytes));
    if fast.is_ok() {
        // A lookup finds what a plain scan of the fields finds, absent tags included.
        let msg = common.view(bytes);
        for tag in checked.fields().iter().map(|f| f.tag).chain([1, 7, 58, 1023, 1024, 1_234_567]) {
            assert_eq!(msg.find(tag), checked.fields().iter().find(|f| f.tag == tag).copied(), "{tag}");
        }
    }
}

#[test]
fn the_common_path_reads_the_usual_messages_itself() {
    let (mut slots, mut masks) = (vec![Field { tag: 0, start: 0, end: 0 }; 200], Vec::new());
    let messages = messages();
    // The standard data fields (their stops a static table) and the same pairs built as others.
    let others = ParseOptions { data_fields: DataFields::with_extra(&[]), ..ParseOptions::default() };
    for options in [ParseOptions::default(), others] {
        for original in &messages[..4] {
            let count = common::parse(original, &options, &mut slots, &mut masks);
            let mut checked = FieldIndex::new();
            checked.parse_checked_in_full(original, &options).expect("a valid message");
            assert_eq!(count.map(|n| &slots[..n]), Some(checked.fields()));
        }
    }
    // Left to the checked parser, which reads them.
    for original in &messages[4..] {
        assert_eq!(common::parse(original, &ParseOptions::default(), &mut slots, &mut masks), None);
        FieldIndex::new().parse(original, &ParseOptions::default()).expect("a valid message");
    }
}

#[test]
fn the_static_stops_are_those_of_the_standard_data_fields() {
    let standard = DataFields::standard();
    for tag in 0..70_000 {
        let table = common::STANDARD_STOPS.get(tag as usize).is_some_and(|&stop| stop);
        assert_eq!(table, standard.stops.may_contain(tag), "{tag}");
    }
}

#[test]
fn both_parses_agree_on_every_truncation_and_byte_change() {
    let (mut common, mut checked) = (FieldIndex::new(), FieldIndex::new());
    let options = options();
    for original in messages() {
        for options in &options {
            for len in 0..=original.len() {
                same(&original[..len], options, &mut common, &mut checked);
            }
            for at in 0..original.len() {
                for b in [0, 1, b'0', b'1', b'3', b'5', b'8', b'9', b'=', b'A', 0xff] {
                    let mut changed = original.clone();
                    changed[at] = b;
                    same(&changed, options, &mut common, &mut checked);
                }
            }
            let mut longer = original.clone();
            longer.push(b'x');
            same(&longer, options, &mut common, &mut checked);
        }
    }
}

#[test]
fn both_parses_agree_on_random_edits() {
    let (mut common, mut checked) = (FieldIndex::new(), FieldIndex::new());
    let options = options();
    let alphabet = [0, 1, b'0', b'1', b'2', b'9', b'=', b'|', b'A', 0x80];
    for seed in 1..3000u64 {
        let mut rng = Rng(seed);
        let mut bytes = rng.pick(&messages()).clone();
        for _ in 0..=rng.below(3) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = *rng.pick(&alphabet),
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, *rng.pick(&alphabet)),
            }
        }
        same(&bytes, rng.pick(&options), &mut common, &mut checked);
    }
}

#[test]
fn the_ascii_check_finds_a_high_byte_anywhere_at_every_length() {
    for len in 0..=100 {
        let ascii: Vec<u8> = (0..len).map(|i| b' ' + (i * 7 % 95) as u8).collect();
        assert!(super::fields::is_ascii(&ascii), "{len}");
        for at in 0..len {
            for high in [0x80, 0xc3, 0xff] {
                let mut bytes = ascii.clone();
                bytes[at] = high;
                assert!(!super::fields::is_ascii(&bytes), "{len} at {at}");
            }
        }
    }
}

#[test]
fn text_reads_name_where_a_value_is_not_utf8() {
    let body = "35=D|58=caf\u{e9}|11=ab~cd|".replace('|', "\x01");
    let mut wire = format!("8=FIXT.1.1\x019={}\x01{body}10=000\x01", body.len()).into_bytes();
    // ClOrdID <11>'s third byte a lone UTF-8 continuation byte.
    let at = wire.iter().position(|&b| b == b'~').unwrap();
    wire[at] = 0x80;
    let options = ParseOptions { verify_checksum: false, ..ParseOptions::default() };
    let mut index = FieldIndex::new();
    index.parse(&wire, &options).unwrap();
    let msg = index.view(&wire);
    assert_eq!(msg.get_str(58).unwrap(), Some("caf\u{e9}"));
    let error = msg.get_str(11).unwrap_err();
    assert_eq!((error.kind, error.offset, error.tag), (crate::DecodeErrorKind::InvalidUtf8, at, Some(11)));
    assert_eq!(msg.get_str(12).unwrap(), None);
    let field = msg.find(11).unwrap();
    assert_eq!(msg.str_at(field).unwrap_err(), error);
}
