//! # fixwire: a FIX protocol codec
//!
//! fixwire reads and writes FIX tag=value messages: it frames byte streams, parses messages into
//! a compact index over the original bytes (no per-field allocation), reads values as exact
//! types (integers, decimals as mantissa and scale, UTC timestamps to the nanosecond), walks
//! repeating groups, and encodes messages with BodyLength <9> and CheckSum <10> computed. Bad
//! input is an error naming the kind, byte offset and tag; never a panic.
//!
//! ```
//! use fixwire::{Decimal, Encoder, FieldIndex, ParseOptions};
//!
//! // Encode a NewOrderSingle <D>.
//! let mut encoder = Encoder::new("CLIENT", "KalshiNR")?;
//! let mut order = encoder.start(b"D", 2, fixwire::now_unix_nanos())?;
//! order.str(11, "id-1")?.decimal(38, Decimal::new(10, 0))?.char(40, b'2')?.int(44, 75)?;
//! let wire = order.finish()?.to_vec();
//!
//! // Parse it back: values are read lazily out of `wire`.
//! let mut index = FieldIndex::new();
//! index.parse(&wire, &ParseOptions::default())?;
//! let msg = index.view(&wire);
//! assert_eq!(msg.msg_type(), b"D");
//! assert_eq!(msg.get_str(11)?, Some("id-1"));
//! assert_eq!(msg.get_decimal(38)?, Some(Decimal::new(10, 0)));
//! # Ok::<(), fixwire::Error>(())
//! ```
//!
//! ## Which API when
//!
//! | you have | use |
//! |---|---|
//! | bytes from a socket or file, in pieces | [`Framer::feed`] (or [`frame()`] to drive your own buffer) |
//! | exactly one message | [`FieldIndex::parse`] then [`FieldIndex::view`], or [`parse`] |
//! | a value of a known type | [`Fields::get_i64`], [`Fields::get_decimal`], [`Fields::get_timestamp`], ... |
//! | a repeating group | [`Fields::group_entries`] (or [`Fields::group`], a `Vec`) with a [`GroupSpec`]; [`GroupSpecs::kalshi`] for Kalshi |
//! | a message to send | [`Encoder::start`], the typed pushes of [`MessageWriter`], then [`MessageWriter::finish`] |
//! | messages of one shape to send often, each value checked against a venue's rule | a [`template::Template`] and [`Encoder::encode_template`] |
//! | a checksum of any bytes | [`checksum()`] |
//! | a log file to analyse as columns | [`columns::scan_file`], or [`columns::scan`] for bytes in memory |
//! | names, types, validation, readable output | [`Dictionary`] |
//! | a log to print for people (`fixwire decode`), a read at a time | [`text::LogPrinter`] |

// `unsafe` is allowed only where it is needed: the file map of `columns::scan_file`, the SSE2
// loads of `separators`, the madvise that makes column room resident (`columns/room.rs`), and
// text made of bytes checked to be ASCII (`decode/fields.rs`: `ascii_str`).
#![deny(unsafe_code)]

mod checksum;
pub mod columns;
mod decode;
pub mod dictionary;
mod encode;
mod error;
pub mod fieldmap;
mod frame;
mod group;
mod separators;
pub mod session_check;
mod swar;
pub mod template;
#[cfg(test)]
mod testing;
pub mod text;
pub mod value;

pub use checksum::checksum;
#[doc(hidden)]
pub use checksum::ChecksumPath;
pub use decode::{
    parse, DataFields, Field, FieldIndex, Fields, Message, ParseOptions, DEFAULT_MAX_FIELDS, STANDARD_DATA_FIELDS,
};
pub use dictionary::{Dictionary, DictionaryError, Invalid, Reject, ValidationOptions};
pub use encode::{
    now_unix_nanos, sending_time_from_seconds, sending_time_from_timestamp, seq_num, tag_number, tag_out_of_range,
    unix_nanos_from_seconds, Encoder, MessageWriter, MAX_BODY_LENGTH,
};
pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, Error};
pub use frame::{
    frame, frame_checked_in_full, plausible_begin_string, Frame, Framer, FramerConfig, DEFAULT_MAX_BODY_LENGTH,
    MAX_BEGIN_STRING,
};
pub use group::{GroupEntries, GroupSpec, GroupSpecs, InvalidGroupSpec, Member, MAX_GROUP_DEPTH};
pub use value::{Date, Decimal, TimePrecision, UtcTimestamp};
#[cfg(feature = "dispatch-paths")]
#[doc(hidden)]
pub use {decode::WalkPath, frame::FramePath, separators::MaskPath};

/// The field delimiter, SOH (0x01).
pub const SOH: u8 = 0x01;

/// The position of the first SOH in `bytes`, eight bytes at a time.
///
/// Values are mostly shorter than a vectorised search's setup, so this is a word-at-a-time
/// scan: XOR turns SOH bytes into zero bytes, and the classic has-zero-byte expression marks
/// them; the lowest mark is always exact.
#[inline(always)]
pub(crate) fn find_soh(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let zero = swar::soh_marks(u64::from_le_bytes(word.try_into().expect("chunks of eight")));
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| b == SOH).map(|n| at + n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn find_soh_finds_the_first_at_every_position() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![b'a'; len];
                if at < len {
                    bytes[at] = super::SOH;
                    // A second SOH later must not hide the first.
                    if at + 1 < len {
                        bytes[len - 1] = super::SOH;
                    }
                }
                let expected = bytes.iter().position(|&b| b == super::SOH);
                assert_eq!(super::find_soh(&bytes), expected, "len {len} at {at}");
            }
        }
        // 0x01 next to 0x00 and 0x02 (where borrows propagate) is still found exactly.
        assert_eq!(super::find_soh(&[0, 2, 0, 1, 0, 1, 2, 0]), Some(3));
        assert_eq!(super::find_soh(&[0x81, 0x80, 0x01]), Some(2));
    }
}
