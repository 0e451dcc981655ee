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
fn an_index_holds_slots_for_the_limit_on_fields_not_for_the_inputs_length() {
    // A megabyte of fields: far over the default limit, and far over any limit set below it.
    let long = message("FIXT.1.1", &format!("35=D|{}", "58=x|".repeat(200_000)));
    let within = message("FIXT.1.1", &format!("35=D|{}", "58=x|".repeat(8_000)));
    for max_fields in [DEFAULT_MAX_FIELDS, 5, 0] {
        let options = ParseOptions { max_fields, ..ParseOptions::default() };
        let (mut index, mut checked) = (FieldIndex::new(), FieldIndex::new());
        for bytes in [&within, &long, &within] {
            same(bytes, &options, &mut index, &mut checked);
            let bound = max_fields.max(3) + 1;
            assert!(index.fields.capacity() <= bound, "{} slots for {max_fields}", index.fields.capacity());
        }
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

/// One to `most + 1` random edits of `bytes`: a byte replaced, removed or inserted, from
/// `alphabet`.
fn edit(rng: &mut Rng, bytes: &mut Vec<u8>, most: usize, alphabet: &[u8]) {
    for _ in 0..=rng.below(most) {
        let at = rng.below(bytes.len());
        match rng.below(3) {
            0 => bytes[at] = *rng.pick(alphabet),
            1 => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, *rng.pick(alphabet)),
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
        edit(&mut rng, &mut bytes, 3, &alphabet);
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

/// A message of random fields: tags of one to eight digits (some with a leading zero, some a
/// stop such as a data field with SOH in its value), values of 0 to 80 bytes that hold `=` and
/// high bytes, or, one time in eight, many fields of four bytes (`1=x<SOH>`), the densest.
fn random_message(rng: &mut Rng) -> Vec<u8> {
    let mut body = format!("35={}\x01", rng.pick(&["D", "8", "0", "AE"])).into_bytes();
    let dense = rng.below(8) == 0;
    for _ in 0..rng.below(if dense { 90 } else { 30 }) {
        if dense {
            body.extend_from_slice(b"1=x\x01");
            continue;
        }
        let tag = match rng.below(10) {
            0 => format!("{}", 1 + rng.below(9)),
            1..=3 => format!("{}", 10 + rng.below(9990)),
            4 => format!("{}", 10_000 + rng.below(90_000)),
            5 => format!("{}", 100_000 + rng.below(9_900_000)),
            6 => format!("{}", 10_000_000 + rng.below(90_000_000)),
            7 => format!("0{}", 1 + rng.below(99)),
            8 => {
                // A data field: its length, then a value that may hold SOH.
                let value: Vec<u8> = (0..=rng.below(20)).map(|_| *rng.pick(&[b'a', 1, b'=', 0xff])).collect();
                body.extend_from_slice(format!("95={}\x0196=", value.len()).as_bytes());
                body.extend_from_slice(&value);
                body.push(SOH);
                continue;
            }
            _ => rng.pick(&["11", "55", "58", "44", "38", "8", "9", "10", "35"]).to_string(),
        };
        body.extend_from_slice(tag.as_bytes());
        body.push(b'=');
        let len = if rng.below(40) == 0 { 0 } else { 1 + rng.below(80) };
        body.extend((0..len).map(|_| *rng.pick(&[b'a', b'7', b'=', b'.', 0x80, 0xff, b' '])));
        body.push(SOH);
    }
    let begin = rng.pick(&["FIXT.1.1", "FIX.4.4"]);
    let mut out = format!("8={begin}\x019={}\x01", body.len()).into_bytes();
    out.extend_from_slice(&body);
    let sum = crate::checksum(&out);
    out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    out
}

/// Holds every walk path this CPU runs to the baseline on one input.
struct Walks {
    ran: crate::testing::Ran<WalkPath>,
    /// Accepted parses whose walk was told its slots cannot run out, and those that were not.
    bounded: [usize; 2],
    slots: Vec<Field>,
    masks: Vec<u64>,
    checked: FieldIndex,
}

impl Walks {
    /// Every path's parse of `bytes` with `slots` slots: the same answer and fields as the
    /// baseline's, and those the checked parser's when the baseline accepts.
    fn agree(&mut self, bytes: &[u8], options: &ParseOptions, slots: usize) {
        self.slots.resize(slots, Field { tag: 0, start: 0, end: 0 });
        let mut answers = Vec::new();
        for path in WalkPath::ALL {
            let Some((count, walked)) = path.parse(bytes, options, &mut self.slots, &mut self.masks) else { continue };
            let fields = count.map(|n| self.slots[..n].to_vec());
            if walked {
                self.ran.note(path);
            }
            answers.push((path, fields));
        }
        let (_, baseline) = answers.iter().find(|(path, _)| *path == WalkPath::Baseline).expect("the baseline");
        for (path, fields) in &answers {
            assert_eq!(fields, baseline, "{path:?}, {slots} slots: {:?}", String::from_utf8_lossy(bytes));
        }
        if let Some(fields) = baseline {
            self.checked.parse_checked_in_full(bytes, options).expect("what the walk accepts, the checked parser does");
            assert_eq!(&fields[..], self.checked.fields());
            let free = options.max_fields.min(slots - 1).max(3) - 3;
            let rest = bytes.len() - (fields[2].end as usize + 1);
            self.bounded[usize::from(free > rest / 3)] += 1;
        }
    }

    /// [`Walks::agree`] on `bytes` with the slots the parse gets, the fewest it may get, and
    /// the slot counts around where the walk stops asking whether they run out; and with limits
    /// on fields around the message's count.
    fn agree_near_the_threshold(&mut self, bytes: &[u8]) {
        let options = ParseOptions::default();
        let len = bytes.len();
        let (pos, count) = match self.checked.parse_checked_in_full(bytes, &options) {
            Ok(()) => (self.checked.fields()[2].end as usize + 1, Some(self.checked.fields().len())),
            Err(_) => (len.min(20), None),
        };
        let threshold = (len - pos) / 3 + 5;
        let mut slot_counts = vec![len / 3 + 5, len / 4];
        slot_counts.extend((threshold.saturating_sub(2)..=threshold + 2).filter(|&s| s >= len / 4));
        slot_counts.dedup();
        for slots in slot_counts {
            self.agree(bytes, &options, slots);
        }
        let unchecked = ParseOptions { verify_checksum: false, ..ParseOptions::default() };
        self.agree(bytes, &unchecked, len / 3 + 5);
        if let Some(count) = count {
            for max_fields in count.saturating_sub(2)..=count + 1 {
                self.agree(bytes, &ParseOptions { max_fields, ..ParseOptions::default() }, len / 3 + 5);
            }
        }
    }
}

/// Every walk of the body this CPU can run gives the baseline's answer and fields, on the
/// shared corpus, random messages and changes to both, values that put the fields after them
/// at every alignment, and slot counts and limits around the walk's threshold.
#[test]
fn every_walk_path_gives_the_baselines_fields() {
    let mut walks = Walks {
        ran: crate::testing::Ran::new(),
        bounded: [0; 2],
        slots: Vec::new(),
        masks: Vec::new(),
        checked: FieldIndex::new(),
    };
    let alphabet = [0, 1, b'0', b'1', b'9', b'=', b'A', 0x80, 0xff];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mutated = |walks: &mut Walks, original: &[u8], times: usize, rng: &mut Rng| {
        for _ in 0..times {
            let mut bytes = original.to_vec();
            edit(rng, &mut bytes, 2, &alphabet);
            walks.agree_near_the_threshold(&bytes);
        }
    };
    for original in crate::testing::shared_messages() {
        walks.agree_near_the_threshold(&original);
        mutated(&mut walks, &original, 10, &mut rng);
    }
    for _ in 0..4000 {
        let original = random_message(&mut rng);
        walks.agree_near_the_threshold(&original);
        mutated(&mut walks, &original, 2, &mut rng);
    }
    for width in 1..=130 {
        let fields = "58=x|11=abc|12345=7|1=y|55=XYZ|".repeat(1 + width % 3);
        let original = message("FIXT.1.1", &format!("35=D|58={}|{fields}", "v".repeat(width)));
        walks.agree_near_the_threshold(&original);
    }
    let mut expected = vec![WalkPath::Dispatched, WalkPath::Baseline];
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("bmi1") && std::is_x86_feature_detected!("bmi2") {
        expected.push(WalkPath::Bmi);
    }
    walks.ran.assert_exactly(expected, 10_000);
    assert!(walks.bounded.iter().all(|&n| n >= 1_000), "accepted unbounded, bounded: {:?}", walks.bounded);
}
