//! Fuzzes the column scan's quick reader: its field walk over SOH masks against the
//! byte-at-a-time walk it replaced ([`fixwire::columns::compare_field_walks`]).
//!
//! The first input byte picks the options (which columns, CheckSum <10> verified or not, a
//! small field limit); the rest is the candidate message. It is compared as it is, and wrapped
//! as the body of a message with the right BodyLength <9> and CheckSum <10>, so that changed
//! bytes reach the field walk instead of stopping at the framing. Whatever the bytes:
//!
//! - both walks read the message or both leave it to the parser, and when they read it they
//!   find the same MsgType <35> and the same value for every column;
//! - scanning the bytes as a log gives as many rows as messages and never panics.

#![no_main]

use fixwire::columns::{compare_field_walks, scan, ColumnKind, ColumnSpec, ScanOptions};
use fixwire::ParseOptions;
use libfuzzer_sys::fuzz_target;

/// Columns to choose from: common tags, one of each framing field, one past the dense table,
/// a data field's length and value, eight and nine digits.
const TAGS: [u32; 12] = [11, 44, 52, 35, 8, 9, 10, 9000, 95, 96, 12_345_678, 123_456_789];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, msg)) = data.split_first() else { return };
    let columns = TAGS
        .iter()
        .enumerate()
        .filter(|&(i, _)| selector & (1 << (i % 6)) != 0 || i == usize::from(selector) % TAGS.len())
        .map(|(_, &tag)| ColumnSpec { tag, kind: ColumnKind::Str })
        .collect();
    let options = ScanOptions {
        columns,
        parse: ParseOptions {
            verify_checksum: selector & 0x40 == 0,
            max_fields: if selector & 0x80 == 0 { ParseOptions::default().max_fields } else { 6 },
            ..ParseOptions::default()
        },
        ..ScanOptions::default()
    };
    for candidate in [msg.to_vec(), wrapped(msg)] {
        match compare_field_walks(&candidate, &options) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the options allow the quick reader"),
            Err(difference) => panic!("{difference}"),
        }
        let table = scan(&candidate, 0..candidate.len(), &options);
        assert_eq!(table.rows as u64, table.messages);
    }
});

/// `body` as the body of a FIX.4.4 message with the right BodyLength <9> and CheckSum <10>.
fn wrapped(body: &[u8]) -> Vec<u8> {
    let mut msg = format!("8=FIX.4.4\x019={}\x01", body.len()).into_bytes();
    msg.extend_from_slice(body);
    let sum = fixwire::checksum(&msg);
    msg.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    msg
}
