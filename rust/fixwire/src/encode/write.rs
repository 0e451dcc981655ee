//! The encoder's writing primitives. A message is written into a zone of the encoder's buffer
//! that is zero-filled once and then reused, through a cursor: a push makes sure of room once,
//! then stores whole words, so it costs no capacity check per byte and no call into `memcpy`
//! for a short value. Bytes past the cursor are scratch; a refused push leaves the cursor where
//! it was, so it writes nothing.

use super::check_tag;
use crate::decode::DataFields;
use crate::error::EncodeError;
use crate::separators::{copy_lane, LANE};
use crate::swar::{digit_values, soh_marks};
use crate::value::{format_u64, Decimal, DIGIT_PAIRS, POWERS_OF_TEN};
use crate::SOH;

/// Room a push asks for beyond its value: an 8-byte tag word, a data field's length field
/// (`tag=` and up to 20 digits and SOH), the SOH and whole-word stores that reach past the end.
pub(super) const SLACK: usize = 64;

/// Makes `buf[at..at + need]` writable. The zone grows (zero-filled) only for a message longer
/// than any before it.
#[inline(always)]
pub(super) fn room(buf: &mut Vec<u8>, at: usize, need: usize) {
    if at + need > buf.len() {
        grow(buf, at + need);
    }
}

#[cold]
#[inline(never)]
fn grow(buf: &mut Vec<u8>, need: usize) {
    buf.resize(need.max(2 * buf.len()), 0);
}

/// Stores `word`'s eight bytes, little-endian, at `buf[at..]`.
#[inline(always)]
pub(super) fn put_word(buf: &mut [u8], at: usize, word: u64) {
    buf[at..at + 8].copy_from_slice(&word.to_le_bytes());
}

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

/// Copies `value` to `buf[at..]` and says whether it holds SOH, in one pass: from 16 bytes on
/// as overlapping 16-byte lanes, each stored and compared with SOH as it is loaded (SSE2 on
/// x86_64, see [`copy_lane`]); up to 64 bytes with no loop, so no call into `memcpy`. Eight to
/// fifteen bytes as two overlapping words, four to seven as two overlapping halves.
#[inline(always)]
pub(super) fn copy_checked(buf: &mut [u8], at: usize, value: &[u8]) -> bool {
    let n = value.len();
    let dst = &mut buf[at..at + n];
    let mut marks = 0;
    let mut lane = |i: usize| {
        let src = value[i..i + LANE].try_into().expect("a lane");
        marks |= u64::from(copy_lane((&mut dst[i..i + LANE]).try_into().expect("a lane"), src, SOH));
    };
    // The long values first: the fewest tests for the values that cost the most.
    if n >= LANE {
        if n <= 2 * LANE {
            lane(0);
            lane(n - LANE);
        } else if n <= 4 * LANE {
            for i in [0, LANE, n - 2 * LANE, n - LANE] {
                lane(i);
            }
        } else {
            for i in (0..n - LANE).step_by(LANE) {
                lane(i);
            }
            lane(n - LANE);
        }
        return marks != 0;
    }
    match n {
        0 => {}
        1..=3 => {
            // First, middle and last byte (some the same): no loop, so no call into `memcpy`.
            let (a, b, c) = (value[0], value[n / 2], value[n - 1]);
            dst[0] = a;
            dst[n / 2] = b;
            dst[n - 1] = c;
            marks = u64::from(a == SOH) | u64::from(b == SOH) | u64::from(c == SOH);
        }
        4..=7 => {
            let half = |at: usize| u32::from_le_bytes(value[at..at + 4].try_into().expect("four bytes"));
            let (a, b) = (half(0), half(n - 4));
            dst[..4].copy_from_slice(&a.to_le_bytes());
            dst[n - 4..].copy_from_slice(&b.to_le_bytes());
            marks = soh_marks(u64::from(a) | u64::from(b) << 32);
        }
        _ => {
            let (a, b) = (word(value, 0), word(value, n - 8));
            dst[..8].copy_from_slice(&a.to_le_bytes());
            dst[n - 8..].copy_from_slice(&b.to_le_bytes());
            marks = soh_marks(a) | soh_marks(b);
        }
    }
    marks != 0
}

/// A cached tag is a data field: its length field is written before it and SOH is allowed.
pub(super) const DATA: u64 = 1 << 56;
/// A cached tag is a data field's length, which the encoder writes itself.
pub(super) const LENGTH: u64 = 2 << 56;
/// The tag has more than five digits: not pre-rendered, written through `Vec`.
pub(super) const LONG: u64 = 4 << 56;

/// A tag's entry: `tag=` in the low bytes, its length in byte 6 and the flags above in byte 7.
/// Storing the whole word writes the prefix; the bytes after it are overwritten by the value.
pub(super) type Entry = u64;

/// Bytes of the `tag=` prefix an entry holds.
#[inline(always)]
pub(super) fn prefix_len(entry: Entry) -> usize {
    // At most six, so three bits hold it, and a window's bounds are known at compile time.
    (entry >> 48) as usize & 7
}

/// Makes room at `buf[at..]` and returns the next `SLACK` bytes as an array, for a push of
/// known size (a char field) that needs no bounds check per store.
#[inline(always)]
pub(super) fn window(buf: &mut Vec<u8>, at: usize) -> &mut [u8; SLACK] {
    room(buf, at, SLACK);
    (&mut buf[at..at + SLACK]).try_into().expect("room made")
}

/// The `SLACK` bytes at `buf[at..]`, for which room was made, as an array: stores into it at
/// bounded offsets need no test each.
#[inline(always)]
pub(super) fn zone(buf: &mut [u8], at: usize) -> &mut [u8; SLACK] {
    (&mut buf[at..at + SLACK]).try_into().expect("room made")
}

/// The encoder's tags seen so far, in pairs of slots chosen by a multiplicative hash: a tag's checks (zero, nine
/// digits, a header or trailer tag, a data field or its length) and its rendered `tag=` prefix
/// are a load and a compare or two after the first use. Only usable tags are kept; a tag that
/// fails a check is checked again every time, and gets its error.
#[derive(Debug, Clone)]
pub(super) struct TagTable {
    slots: Box<[(u32, Entry); TagTable::SLOTS]>,
}

impl TagTable {
    const SLOTS: usize = 512;

    /// `tag`'s slot: the top nine bits of a Fibonacci hash, which spreads nearby tags and tags
    /// 256 apart alike.
    #[inline(always)]
    fn slot(tag: u32) -> usize {
        (tag.wrapping_mul(0x9E37_79B9) >> 23) as usize
    }

    /// An empty table. `u32::MAX` (more than nine digits) is never kept, so it marks a free slot.
    pub(super) fn new() -> Self {
        Self { slots: Box::new([(u32::MAX, 0); Self::SLOTS]) }
    }

    /// `tag`'s entry, or the error that refuses it as a body tag.
    #[inline(always)]
    pub(super) fn entry(&mut self, tag: u32, data_fields: &DataFields) -> Result<Entry, EncodeError> {
        let at = Self::slot(tag);
        let (first, second) = (self.slots[at], self.slots[at ^ 1]);
        if first.0 == tag {
            Ok(first.1)
        } else if second.0 == tag {
            Ok(second.1)
        } else {
            self.miss(tag, data_fields)
        }
    }

    #[cold]
    #[inline(never)]
    fn miss(&mut self, tag: u32, data_fields: &DataFields) -> Result<Entry, EncodeError> {
        check_tag(tag)?;
        let mut flags = 0;
        if data_fields.length_tag_for(tag).is_some() {
            flags |= DATA;
        }
        if data_fields.data_tag_for(tag).is_some() {
            flags |= LENGTH;
        }
        let Some((prefix, len)) = short_tag(tag) else {
            return Ok(flags | LONG);
        };
        let entry = prefix | (len as u64) << 48 | flags;
        // Two slots per hash (a pair): the first free one, else the pair's second is replaced.
        let at = Self::slot(tag);
        let at = if self.slots[at].0 == u32::MAX { at } else { at ^ 1 };
        self.slots[at] = (tag, entry);
        Ok(entry)
    }
}

/// A tag of up to five digits and its `=`, as the first bytes of a little-endian word, and how
/// many bytes that is; `None` for a longer tag.
pub(super) fn short_tag(tag: u32) -> Option<(u64, usize)> {
    if tag > 99_999 {
        return None;
    }
    let mut digits = [0u8; 20];
    let text = format_u64(u64::from(tag), &mut digits);
    let mut bytes = [0u8; 8];
    bytes[..text.len()].copy_from_slice(text);
    bytes[text.len()] = b'=';
    Some((u64::from_le_bytes(bytes), text.len() + 1))
}

/// Writes `n` in exactly `width` digits, zero-padded, ending at `buf[end]` (exclusive).
#[inline(always)]
pub(super) fn put_digits_back(buf: &mut [u8], end: usize, mut n: u64, width: usize) {
    let mut i = end;
    let start = end - width;
    while i >= start + 2 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if i > start {
        buf[start] = b'0' + (n % 10) as u8;
    }
}

/// Writes `n` in decimal at `buf[at..]` (room for 20 bytes; bytes past the digits are
/// scratch); returns the digits written. Below 100 from the table of pairs, with no branch;
/// below 10^8 as one word of digits ([`digit_values`]) stored from its first non-zero digit.
#[inline(always)]
pub(super) fn put_u64(buf: &mut [u8], at: usize, n: u64) -> usize {
    if n < 100 {
        // Both bytes of the pair; below ten the first is the second (the digit), and the
        // byte after it is scratch.
        let (pair, wide) = (2 * n as usize, usize::from(n >= 10));
        buf[at] = DIGIT_PAIRS[pair + 1 - wide];
        buf[at + 1] = DIGIT_PAIRS[pair + 1];
        return 1 + wide;
    }
    if n < 100_000_000 {
        let v = digit_values(n as u32);
        // At least three digits, so not all eight bytes are leading zeros.
        let zeros = (v.trailing_zeros() / 8) as usize;
        put_word(buf, at, (v + ASCII_ZEROS) >> (8 * zeros));
        return 8 - zeros;
    }
    put_u64_long(buf, at, n)
}

/// [`put_u64`] from 10^8 on.
#[cold]
#[inline(never)]
fn put_u64_long(buf: &mut [u8], at: usize, n: u64) -> usize {
    let width = n.checked_ilog10().map_or(1, |l| l as usize + 1);
    put_digits_back(buf, at + width, n, width);
    width
}

/// `b'0'` in each byte: added to digit values, the digits' text.
pub(super) const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

/// Writes `value` as FIX writes a decimal (all `scale` fraction digits, `-` for negatives) at
/// `buf[at..]`, with room for 42 + scale bytes; returns the bytes written. The same text as
/// [`Decimal::write_to`].
#[inline(always)]
pub(super) fn put_decimal(buf: &mut [u8], at: usize, value: Decimal) -> usize {
    let mut i = at;
    buf[i] = b'-';
    i += usize::from(value.mantissa < 0);
    let abs = value.mantissa.unsigned_abs();
    let scale = usize::from(value.scale);
    if scale == 0 {
        return i - at + put_u64(buf, i, abs);
    }
    if scale <= 8 {
        // The fraction is below 10^8: its digits are the last `scale` of one word.
        let p = POWERS_OF_TEN[scale];
        i += put_u64(buf, i, abs / p);
        buf[i] = b'.';
        let fraction = digit_values((abs % p) as u32) + ASCII_ZEROS;
        put_word(buf, i + 1, fraction >> (8 * (8 - scale)));
        return i + 1 + scale - at;
    }
    put_long_fraction(buf, at, i, abs, scale)
}

/// [`put_decimal`] from the integer part on, for a scale past eight digits.
#[cold]
#[inline(never)]
fn put_long_fraction(buf: &mut [u8], at: usize, mut i: usize, abs: u64, scale: usize) -> usize {
    let (int, frac) = match POWERS_OF_TEN.get(scale) {
        Some(&p) => (abs / p, abs % p),
        None => (0, abs),
    };
    i += put_u64(buf, i, int);
    buf[i] = b'.';
    i += 1;
    // A scale past 19 digits has only zeros before the mantissa's own (at most 20) digits.
    let zeros = scale.saturating_sub(20);
    buf[i..i + zeros].fill(b'0');
    put_digits_back(buf, i + scale, frac, scale - zeros);
    i + scale - at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_find_soh_at_every_length_and_position() {
        for len in 0..80 {
            for soh in (0..len).map(Some).chain([None]) {
                let value: Vec<u8> =
                    (0..len).map(|i| if Some(i) == soh { SOH } else { b'a' + (i % 26) as u8 }).collect();
                let mut buf = vec![0xee; len + 90];
                let found = copy_checked(&mut buf, 3, &value);
                assert_eq!(found, soh.is_some(), "len {len} SOH at {soh:?}");
                assert_eq!(&buf[3..3 + len], &value[..], "len {len}");
                assert!(buf[..3].iter().chain(&buf[3 + len..]).all(|&b| b == 0xee), "len {len}: wrote outside");
            }
        }
        // Bytes next to SOH in value (0x00, 0x02, 0x81) are not taken for it.
        let mut buf = [0; 16];
        assert!(!copy_checked(&mut buf, 0, &[0, 2, 0x81, 0x80, 0, 2, 0, 0x81, 0xff]));
    }

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        let mut numbers: Vec<u64> = (0..20).flat_map(|p| [10u64.pow(p) - 1, 10u64.pow(p), 10u64.pow(p) + 7]).collect();
        numbers.extend([u64::MAX, 0, 42, 99, 100, 101]);
        for n in numbers {
            let mut buf = [0u8; 32];
            let len = put_u64(&mut buf, 5, n);
            assert_eq!(&buf[5..5 + len], n.to_string().as_bytes());
        }
    }

    #[test]
    fn decimals_are_written_as_decimal_writes_them() {
        let mantissas = [0, 1, -1, 5, -5, 75, 1000, -1234, 999_999_999, i64::MAX, i64::MIN, 10_i64.pow(18)];
        for mantissa in mantissas {
            for scale in (0..=25).chain([40, 255]) {
                let value = Decimal::new(mantissa, scale);
                let mut expected = Vec::new();
                value.write_to(&mut expected);
                let mut buf = vec![0u8; 42 + usize::from(scale) + 8];
                let len = put_decimal(&mut buf, 0, value);
                assert_eq!(&buf[..len], &expected[..], "{mantissa} at scale {scale}");
            }
        }
    }

    #[test]
    fn tag_prefixes_are_the_digits_and_equals() {
        for tag in (1..=120_000).chain([999_999, 1_000_000, 999_999_999]) {
            match short_tag(tag) {
                Some((word, len)) => assert_eq!(&word.to_le_bytes()[..len], format!("{tag}=").as_bytes()),
                None => assert!(tag > 99_999, "tag {tag}"),
            }
        }
    }

    #[test]
    fn tag_table_keeps_checks_and_flags_per_tag() {
        let mut table = TagTable::new();
        let data = DataFields::standard();
        // Many tags share hash pairs; each still gets its own entry.
        for round in 0..2 {
            for tag in 1..3000 {
                match (tag, table.entry(tag, &data)) {
                    (8 | 9 | 10 | 34 | 35 | 49 | 52 | 56, Err(_)) => {}
                    (_, Ok(e)) => {
                        let data_tag = if data.length_tag_for(tag).is_some() { DATA } else { 0 };
                        let length_tag = if data.data_tag_for(tag).is_some() { LENGTH } else { 0 };
                        assert_eq!(e & (LENGTH | DATA | LONG), data_tag | length_tag, "tag {tag}, round {round}");
                        assert_eq!(&e.to_le_bytes()[..prefix_len(e)], format!("{tag}=").as_bytes());
                    }
                    (_, Err(e)) => panic!("tag {tag}: {e:?}"),
                }
            }
        }
        assert!(table.entry(0, &data).is_err());
        assert!(table.entry(u32::MAX, &data).is_err());
        assert_eq!(table.entry(95, &data).map(|e| e & (LENGTH | DATA)), Ok(LENGTH));
        assert_eq!(table.entry(96, &data).map(|e| e & (LENGTH | DATA)), Ok(DATA));
        assert_eq!(table.entry(123_456, &data).map(|e| e & LONG), Ok(LONG));
    }
}
