//! Fuzzes [`fixwire::FieldIndex::parse`] with Kalshi's repeating groups, then every reader of a
//! message that parses.
//!
//! The parse skips CheckSum <10> verification, because the fuzzer cannot keep a checksum right
//! while it changes the bytes, and a wrong one would stop nearly every input before the readers.
//! The checksum is checked on its own instead. Whatever the bytes:
//!
//! - a parse error points inside the input (or at its end);
//! - a message that parses fails a parse with verification exactly when its checksum is wrong,
//!   and then as `BadCheckSum`;
//! - every field reads through every typed accessor without a panic, and a reader's error names
//!   the field's tag and points inside its value;
//! - typed values agree with each other and with the bytes: a `u64` that fits is the same `i64`,
//!   an `i64` is the same decimal, decimals, dates and timestamps write back to what they were
//!   read from, and dates and timestamps survive a round trip through days or nanoseconds;
//! - every group that parse checked reads entry by entry, nested groups included, and its entries
//!   are the spans its check finds;
//! - the framer finds the message as one whole frame, or refuses it for its wrong checksum,
//!   unless the message is outside what the framer accepts (a BeginString <8> that is not a
//!   `plausible_begin_string`, a BodyLength <9> of more than ten digits).

#![no_main]

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use fixwire::{
    frame, plausible_begin_string, Date, Decimal, DecodeError, DecodeErrorKind, Field, FieldIndex, Fields, Frame,
    FramerConfig, GroupSpec, GroupSpecs, Member, Message, ParseOptions, TimePrecision, UtcTimestamp,
};
use libfuzzer_sys::fuzz_target;

static OPTIONS: LazyLock<ParseOptions> = LazyLock::new(|| ParseOptions {
    verify_checksum: false,
    groups: Some(Arc::new(GroupSpecs::kalshi())),
    ..ParseOptions::default()
});
static VERIFYING: LazyLock<ParseOptions> = LazyLock::new(|| ParseOptions { verify_checksum: true, ..OPTIONS.clone() });
static FRAMER: LazyLock<FramerConfig> = LazyLock::new(FramerConfig::default);

/// Digits a BodyLength <9> may have for the framer.
const MAX_LENGTH_DIGITS: usize = 10;
const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

fuzz_target!(|data: &[u8]| {
    let mut index = FieldIndex::new();
    match index.parse(data, &OPTIONS) {
        Ok(()) => check_message(index.view(data)),
        Err(error) => {
            assert!(error.offset <= data.len(), "error past the input's {} bytes: {error}", data.len());
        }
    }
});

fn check_message(msg: Message<'_>) {
    let buf = msg.as_bytes();
    let specs = OPTIONS.groups.as_deref().expect("the options carry Kalshi's groups");
    if let Err(error) = msg.check_groups(specs) {
        panic!("groups that passed at parse time fail a check of the view: {error}");
    }
    let _ = (msg.begin_string(), msg.msg_type());
    let trailer = *msg.as_slice().last().expect("a message ends with CheckSum <10>");
    let stated = msg.get_u64(10).ok().flatten().expect("parse checked that CheckSum <10> is three digits");
    let sums_match = u64::from(fixwire::checksum(&buf[..trailer.offset()])) == stated;
    match FieldIndex::new().parse(buf, &VERIFYING) {
        Ok(()) => assert!(sums_match, "a wrong CheckSum <10> passes verification"),
        Err(error) => {
            assert!(!sums_match, "a right CheckSum <10> fails verification: {error}");
            assert_eq!(error.kind, DecodeErrorKind::BadCheckSum, "a wrong CheckSum <10> is reported as {error}");
        }
    }
    if let Some(field) = msg.find(34) {
        let _ = read(msg.seq_num(), field);
    }

    let mut tags = BTreeSet::new();
    for (&field, (tag, value)) in msg.as_slice().iter().zip(msg.iter()) {
        assert_eq!(tag, field.tag);
        assert_eq!(value, &buf[field.range()]);
        read_every_type(Fields::new(buf, std::slice::from_ref(&field)), field);
        if tags.insert(tag) {
            assert_eq!(msg.get(tag), Some(value), "get({tag}) is not the first field with that tag");
            if let Some(spec) = specs.lookup(msg.msg_type(), tag) {
                walk_group(&msg, spec);
            }
        }
    }

    let framable = plausible_begin_string(msg.begin_string())
        && msg.get(9).is_some_and(|digits| digits.len() <= MAX_LENGTH_DIGITS)
        && buf.len() <= FRAMER.max_body_length;
    if framable {
        match frame(buf, &FRAMER) {
            Frame::Message(len) if sums_match && len == buf.len() => {}
            Frame::Garbled { error, .. } if !sums_match && error.kind == DecodeErrorKind::BadCheckSum => {}
            other => panic!("the framer gives {other:?} for a message that parses (checksum right: {sums_match})"),
        }
    }
}

/// Reads `field` (the only one in `one`) through every typed accessor and checks the values
/// against each other and against the bytes.
fn read_every_type(one: Fields<'_>, field: Field) {
    let tag = field.tag;
    let value = &one.buf()[field.range()];
    let int = read(one.get_i64(tag), field);
    let unsigned = read(one.get_u64(tag), field);
    let decimal = read(one.get_decimal(tag), field);
    if let Some(n) = unsigned.and_then(|n| i64::try_from(n).ok()) {
        assert_eq!(int, Some(n), "{value:?} reads as u64 {n} but not as the same i64");
    }
    if let Some(n) = int {
        assert_eq!(decimal, Some(Decimal::new(n, 0)), "{value:?} reads as i64 {n} but not as the same decimal");
    }
    if let Some(d) = decimal {
        let mut out = Vec::new();
        d.write_to(&mut out);
        assert_eq!(Decimal::parse(&out), Ok(d), "decimal {d:?} read from {value:?} writes as {out:?}");
    }
    if let Some(b) = read(one.get_bool(tag), field) {
        assert_eq!(value, if b { b"Y" } else { b"N" });
    }
    if let Some(c) = read(one.get_char(tag), field) {
        assert_eq!(value, [c]);
    }
    if let Some(date) = read(one.get_date(tag), field) {
        check_date(date, value);
    }
    if let Some(ts) = read(one.get_timestamp(tag), field) {
        check_timestamp(ts, value);
    }
    match one.get_str(tag) {
        Ok(text) => assert_eq!(text.map(str::as_bytes), Some(value)),
        Err(error) => {
            assert!(std::str::from_utf8(value).is_err(), "UTF-8 {value:?} is refused: {error}");
            check_error(&error, field);
        }
    }
}

fn check_date(date: Date, value: &[u8]) {
    let mut out = Vec::new();
    date.write_to(&mut out);
    assert_eq!(out, value, "date {date:?} does not write back as it was read");
    let midnight =
        UtcTimestamp::from_unix_nanos(i128::from(date.days_since_epoch()) * NANOS_PER_DAY, TimePrecision::Seconds);
    assert_eq!(midnight.map(|ts| ts.date), Some(date), "date {date:?} does not survive a round trip through days");
}

fn check_timestamp(ts: UtcTimestamp, value: &[u8]) {
    let mut out = Vec::new();
    ts.write_to(&mut out);
    assert_eq!(out, value, "timestamp {ts:?} does not write back as it was read");
    // A leap second counts as the next second's start, so only it may come back different.
    if ts.second < 60 {
        assert_eq!(
            UtcTimestamp::from_unix_nanos(ts.unix_nanos(), ts.precision),
            Some(ts),
            "timestamp {ts:?} does not survive a round trip through nanoseconds"
        );
    }
}

/// The value of a typed read of `field`, which is present; `None` when it has another type.
fn read<T>(result: Result<Option<T>, DecodeError>, field: Field) -> Option<T> {
    match result {
        Ok(Some(v)) => Some(v),
        Ok(None) => panic!("field {} is present but reads as absent", field.tag),
        Err(error) => {
            check_error(&error, field);
            None
        }
    }
}

fn check_error(error: &DecodeError, field: Field) {
    assert_eq!(error.tag, Some(field.tag), "a read of tag {} blames another: {error}", field.tag);
    assert!(field.range().contains(&error.offset), "a read of tag {} points outside its value: {error}", field.tag);
}

/// Reads the group `spec` describes out of `fields`, and every nested group of every entry.
fn walk_group(fields: &Fields<'_>, spec: &GroupSpec) {
    let entries = match fields.group(spec) {
        Ok(entries) => entries,
        Err(error) => panic!("group {} passed at parse time but does not read: {error}", spec.count_tag()),
    };
    let spans = fields.group_spans(spec).expect("the group reads as spans as it reads as entries");
    let all = fields.as_slice();
    assert!(
        entries.iter().map(Fields::as_slice).eq(spans.into_iter().map(|span| &all[span])),
        "group {}: its entries are not the spans its check finds",
        spec.count_tag()
    );
    if let Ok(Some(count)) = fields.get_u64(spec.count_tag()) {
        assert_eq!(entries.len() as u64, count, "group {} has other than NumInGroup entries", spec.count_tag());
    }
    for entry in &entries {
        let first = entry.as_slice().first().expect("a group entry has at least its delimiter");
        assert!(
            spec.delimiters().contains(&first.tag),
            "entry of group {} starts with {}",
            spec.count_tag(),
            first.tag
        );
        for member in spec.members() {
            if let Member::Group(nested) = member {
                walk_group(entry, nested);
            }
        }
    }
}
