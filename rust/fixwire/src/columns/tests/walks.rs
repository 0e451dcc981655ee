//! The quick reader's field walk over separator masks against the byte-at-a-time walk it
//! replaced, on random messages made to hit what either could get wrong: tags of every length
//! (none, nine and ten digits, leading zeros, letters), `=` inside values, empty values, values
//! across the 64-byte blocks, SOH and `=` where they do not belong, wrong BodyLength <9> and
//! CheckSum <10>, and bytes changed, added or removed anywhere.

use std::fmt::Write as _;

use super::{message, options};
use crate::columns::{compare_field_walks, ColumnKind, ScanOptions};
use crate::testing::Rng;

const COLUMNS: &[(u32, ColumnKind)] = &[
    (11, ColumnKind::Str),
    (44, ColumnKind::Decimal { scale: 2 }),
    (52, ColumnKind::Time),
    (35, ColumnKind::Str),
    (10, ColumnKind::Int),
    (12_345_678, ColumnKind::Int),
    (123_456_789, ColumnKind::Str),
    (9000, ColumnKind::Int),
    (96, ColumnKind::Str),
    (1, ColumnKind::Str),
];

/// A tag as written: mostly valid numbers of one to nine digits, sometimes not a tag at all.
fn tag(rng: &mut Rng) -> String {
    const ODD: &[&str] = &["", "0", "035", "1234567890", "12345678901", "1a", "4 4", "+4", "95", "9", "10", "35"];
    match rng.below(60) {
        0 => (*rng.pick(ODD)).to_owned(),
        1..=20 => rng.pick(COLUMNS).0.to_string(),
        _ => {
            let digits = 1 + rng.below(9);
            let first = 1 + rng.below(9);
            (1..digits).fold(first.to_string(), |mut t, _| {
                t.push(char::from(b'0' + rng.below(10) as u8));
                t
            })
        }
    }
}

/// A value: short or long (across blocks), now and then empty or holding `=`.
fn value(rng: &mut Rng) -> String {
    let len = match rng.below(60) {
        0 => 0,
        1..=8 => 40 + rng.below(160),
        _ => 1 + rng.below(12),
    };
    (0..len).map(|_| char::from(*rng.pick(b"0123456789.-:ABCxyz== "))).collect()
}

/// A message of random fields, now and then with bytes changed, added or removed.
fn random_message(rng: &mut Rng) -> Vec<u8> {
    let mut body = format!("35={}|", *rng.pick(&["D", "8", "AE", "0", "D", "8", "AE", ""]));
    for _ in 0..rng.below(24) {
        write!(body, "{}={}|", tag(rng), value(rng)).expect("writing to a String");
    }
    let mut bytes = message(&body, '\x01').into_bytes();
    for _ in 0..rng.below(6).saturating_sub(3) {
        let at = rng.below(bytes.len() + 1);
        let byte = *rng.pick(b"0189=\x01A|");
        match rng.below(3) {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

#[test]
fn the_masked_walk_reads_every_message_as_the_bytewise_walk_does() {
    let mut rng = Rng(0xd1b5_4a32_d192_ed03);
    let (mut read, mut declined) = (0, 0);
    for round in 0..40_000 {
        let msg = random_message(&mut rng);
        let mut opts: ScanOptions = options(&COLUMNS[..=round % COLUMNS.len()]);
        opts.parse.verify_checksum = round % 3 != 0;
        if round % 5 == 0 {
            opts.parse.max_fields = 8;
        }
        match compare_field_walks(&msg, &opts) {
            Ok(Some(true)) => read += 1,
            Ok(Some(false)) => declined += 1,
            Ok(None) => panic!("these options allow the quick reader"),
            Err(difference) => panic!("round {round}: {difference} for {:?}", String::from_utf8_lossy(&msg)),
        }
    }
    // Neither side of the comparison is vacuous.
    assert!(read > 5_000 && declined > 5_000, "{read} read, {declined} declined");
}
