//! The typed-read view over parsed fields: [`Fields`], with the accessors that read a value as
//! text, int, decimal, Boolean, char, timestamp or date, and their out-of-line errors.

use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::value::{self, Date, Decimal, InvalidValue, UtcTimestamp};

use super::Field;
use crate::swar;

/// A run of fields over message bytes: a whole message, or one entry of a repeating group.
///
/// Accessors return the first occurrence of a tag. Typed accessors return `Ok(None)` when the
/// tag is absent and an [`InvalidValue`](crate::DecodeErrorKind::InvalidValue) error, naming the
/// tag and offset, when the value is malformed.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub(super) buf: &'a [u8],
    pub(super) fields: &'a [Field],
}

impl<'a> Fields<'a> {
    /// A run of `fields` over `buf`. Ranges outside `buf` make the accessors panic, so the
    /// fields must come from parsing `buf`.
    pub fn new(buf: &'a [u8], fields: &'a [Field]) -> Self {
        Self { buf, fields }
    }

    /// The message bytes the fields point into.
    pub fn buf(&self) -> &'a [u8] {
        self.buf
    }

    /// The fields in wire order.
    pub fn as_slice(&self) -> &'a [Field] {
        self.fields
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// (tag, value) pairs in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &'a [u8])> + 'a {
        let buf = self.buf;
        self.fields.iter().map(move |f| (f.tag, &buf[f.range()]))
    }

    /// The first field with `tag`.
    #[inline]
    pub fn find(&self, tag: u32) -> Option<Field> {
        // Eight fields a step, unrolled: a compare and a branch a field, the loop's own count
        // and bound shared by eight (four a step counted 23 more for read5, 32 for the
        // ExecutionReport; sixteen 12 fewer and 135 more).
        let mut steps = self.fields.chunks_exact(8);
        for step in steps.by_ref() {
            for field in step {
                if field.tag == tag {
                    return Some(*field);
                }
            }
        }
        steps.remainder().iter().find(|f| f.tag == tag).copied()
    }

    /// Whether `tag` is present.
    pub fn contains(&self, tag: u32) -> bool {
        self.find(tag).is_some()
    }

    /// The value bytes of the first field with `tag`.
    #[inline]
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        self.find(tag).map(|f| &self.buf[f.range()])
    }

    /// The values of every field with `tag`, in wire order.
    pub fn get_all(&self, tag: u32) -> impl Iterator<Item = &'a [u8]> + 'a {
        let buf = self.buf;
        self.fields.iter().filter(move |f| f.tag == tag).map(move |f| &buf[f.range()])
    }

    /// Reads the first field with `tag` through `convert`, naming the tag and offset on failure.
    pub fn get_with<T>(
        &self,
        tag: u32,
        convert: impl FnOnce(&'a [u8]) -> Result<T, InvalidValue>,
    ) -> Result<Option<T>, DecodeError> {
        let Some(field) = self.find(tag) else { return Ok(None) };
        convert(&self.buf[field.range()]).map(Some).map_err(|e| invalid_value(field, e))
    }

    /// The value as UTF-8 text.
    pub fn get_str(&self, tag: u32) -> Result<Option<&'a str>, DecodeError> {
        let Some(field) = self.find(tag) else { return Ok(None) };
        let bytes = &self.buf[field.range()];
        if is_ascii(bytes) {
            return Ok(Some(ascii_str(bytes)));
        }
        some_utf8_str(bytes, field.tag, field.start)
    }

    /// The value of `field` (one of these fields) as UTF-8 text.
    pub fn str_at(&self, field: Field) -> Result<&'a str, DecodeError> {
        let bytes = &self.buf[field.range()];
        if is_ascii(bytes) {
            return Ok(ascii_str(bytes));
        }
        utf8_str(bytes, field)
    }

    /// The value as a FIX int.
    pub fn get_i64(&self, tag: u32) -> Result<Option<i64>, DecodeError> {
        self.get_with(tag, value::parse_i64)
    }

    /// The value as an unsigned int (SeqNum, Length, NumInGroup).
    pub fn get_u64(&self, tag: u32) -> Result<Option<u64>, DecodeError> {
        self.get_with(tag, value::parse_u64)
    }

    /// The value as an exact decimal.
    pub fn get_decimal(&self, tag: u32) -> Result<Option<Decimal>, DecodeError> {
        let Some(field) = self.find(tag) else { return Ok(None) };
        // One to four bytes here, in 32 bits; longer ones out of line, so that the constants of
        // their 64-bit steps take no registers that this path would save and restore.
        let len = field.range().len();
        if let (1..=4, Some(word)) = (len, swar::load(self.buf, field.start as usize)) {
            if let Some(decimal) = short_decimal32(word as u32, len) {
                return Ok(Some(decimal));
            }
        }
        longer_decimal(self.buf, field)
    }

    /// The value as a FIX Boolean (`Y`/`N`).
    pub fn get_bool(&self, tag: u32) -> Result<Option<bool>, DecodeError> {
        self.get_with(tag, value::parse_bool)
    }

    /// The value as a FIX char (one byte).
    pub fn get_char(&self, tag: u32) -> Result<Option<u8>, DecodeError> {
        self.get_with(tag, value::parse_char)
    }

    /// The value as a UTCTimestamp.
    pub fn get_timestamp(&self, tag: u32) -> Result<Option<UtcTimestamp>, DecodeError> {
        self.get_with(tag, UtcTimestamp::parse)
    }

    /// The value as a UTCDateOnly or LocalMktDate.
    pub fn get_date(&self, tag: u32) -> Result<Option<Date>, DecodeError> {
        self.get_with(tag, Date::parse)
    }
}

/// The value of `field` when it is a decimal of one to eight bytes without a sign (most prices
/// and quantities), read from one 8-byte word: digits and at most one point, a digit at least;
/// the same [`Decimal`] as [`Decimal::parse`] gives. `None` for anything else, and when the
/// eight bytes from the value's start are not all in `buf` (a value before the trailer always
/// is): [`Decimal::parse`] reads those, or says what is wrong.
// Eight digits at most: every mantissa is below 10^8, far inside an i64.
#[allow(clippy::cast_possible_wrap)]
#[inline(always)]
fn short_decimal(buf: &[u8], field: Field) -> Option<Decimal> {
    let len = field.range().len();
    if !(1..=8).contains(&len) {
        return None;
    }
    let word = swar::load(buf, field.start as usize)?;
    if len <= 4 {
        return short_decimal32(word as u32, len);
    }
    decimal_of_word(word, len)
}

/// [`short_decimal`] of a value of five to eight bytes, the low bytes of `word`.
// Eight digits at most: every mantissa is below 10^8, far inside an i64.
#[allow(clippy::cast_possible_wrap)]
#[inline(always)]
fn decimal_of_word(word: u64, len: usize) -> Option<Decimal> {
    debug_assert!((5..=8).contains(&len));
    // The bits of the value's bytes: the bytes after it (its SOH, the next field) are not read.
    let value = u64::MAX >> (64 - 8 * len);
    let point = swar::byte_marks(word, b'.') & value;
    if point == 0 {
        return swar::digits(word, len).map(|n| Decimal::new(n as i64, 0));
    }
    // The first point (a mark above it may be spurious; the digit test below refuses a second
    // point): the bytes after it moved down over it.
    let at = point.trailing_zeros() / 8;
    let below = (1u64 << (8 * at)) - 1;
    let digits = (word & below) | ((word >> 8) & !below);
    let count = len - 1;
    if count == 0 {
        return None;
    }
    let mantissa = swar::digits(digits, count)?;
    Some(Decimal::new(mantissa as i64, (count - at as usize) as u8))
}

/// [`short_decimal`] of a value of one to four bytes, the low bytes of `word`: in 32 bits, with
/// constants that fit an instruction.
#[allow(clippy::cast_possible_wrap)]
#[inline(always)]
fn short_decimal32(word: u32, len: usize) -> Option<Decimal> {
    let value = u32::MAX >> (32 - 8 * len);
    let x = word ^ 0x2E2E_2E2E;
    let point = x.wrapping_sub(0x0101_0101) & !x & 0x8080_8080 & value;
    let (digits, count, places) = if point == 0 {
        (word, len, 0)
    } else {
        // As in `short_decimal`: the bytes after the first point moved down over it.
        let at = point.trailing_zeros() / 8;
        let below = (1u32 << (8 * at)) - 1;
        let count = len - 1;
        ((word & below) | ((word >> 8) & !below), count, count.checked_sub(at as usize)?)
    };
    if count == 0 {
        return None;
    }
    let n = swar::digits32(digits, count)?;
    Some(Decimal::new(i64::from(n), places as u8))
}

/// [`Fields::get_decimal`] of `field` past its path for one to four bytes: [`short_decimal`],
/// else [`Decimal::parse`].
#[inline(never)]
fn longer_decimal(buf: &[u8], field: Field) -> Result<Option<Decimal>, DecodeError> {
    // Five to eight bytes from one word, without `short_decimal`'s tests of shorter values.
    let len = field.range().len();
    if let (5..=8, Some(word)) = (len, swar::load(buf, field.start as usize)) {
        if let Some(decimal) = decimal_of_word(word, len) {
            return Ok(Some(decimal));
        }
    }
    match short_decimal(buf, field) {
        Some(decimal) => Ok(Some(decimal)),
        None => any_decimal(buf, field.tag, field.range()),
    }
}

/// A value that is not ASCII as UTF-8 text, or the error naming where it is not: out of line,
/// so that the text accessors' ASCII path saves no registers for it.
#[inline(never)]
fn utf8_str(bytes: &[u8], field: Field) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| not_utf8(field, e.valid_up_to()))
}

/// [`utf8_str`] as [`Fields::get_str`] answers, for the value of tag `tag` at `start`: its
/// answer made here, and the field in registers, so that the ASCII path keeps no stack frame.
#[inline(never)]
fn some_utf8_str(bytes: &[u8], tag: u32, start: u32) -> Result<Option<&str>, DecodeError> {
    let end = start + bytes.len() as u32;
    utf8_str(bytes, Field { tag, start, end }).map(Some)
}

/// The value of tag `tag` in `range` as [`Decimal::parse`] reads it, for what
/// [`short_decimal`] leaves: out of line, its answer as [`Fields::get_decimal`] gives it, for
/// the same reason.
#[inline(never)]
fn any_decimal(buf: &[u8], tag: u32, range: std::ops::Range<usize>) -> Result<Option<Decimal>, DecodeError> {
    // The range is a field's, of u32 offsets.
    let field = Field { tag, start: range.start as u32, end: range.end as u32 };
    Decimal::parse(&buf[range]).map(Some).map_err(|e| invalid_value(field, e))
}

/// The error for the value of `field` that its type refuses: out of line, so that the typed
/// accessors' fast path keeps few registers.
#[cold]
#[inline(never)]
fn invalid_value(field: Field, e: InvalidValue) -> DecodeError {
    DecodeError::new(Kind::InvalidValue, field.start as usize, Some(field.tag), e.0)
}

/// The error for the value of `field`, not UTF-8 from `valid` bytes on: out of line too.
#[cold]
#[inline(never)]
fn not_utf8(field: Field, valid: usize) -> DecodeError {
    DecodeError::new(Kind::InvalidUtf8, field.start as usize + valid, Some(field.tag), "value is not valid UTF-8")
}

/// Whether `bytes` are all ASCII: from 16 bytes on a 16-byte SSE2 lane at a time on x86_64, the
/// last lane overlapping the ones before; else a word at a time, the last word overlapping too
/// (`<[u8]>::is_ascii` takes the bytes after its last whole word one at a time: most of its cost
/// on a 36-byte ClOrdID <11>).
#[inline(always)]
pub(super) fn is_ascii(bytes: &[u8]) -> bool {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    #[cfg(target_arch = "x86_64")]
    if let Some(last) = bytes.last_chunk::<16>() {
        return lanes_are_ascii(bytes, last);
    }
    if let Some(last) = bytes.last_chunk::<8>() {
        let mut words = bytes.chunks_exact(8);
        let high = words.by_ref().fold(u64::from_le_bytes(*last), |high, w| {
            high | u64::from_le_bytes(w.try_into().expect("chunks of eight"))
        });
        return high & HIGHS == 0;
    }
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (Some(first), Some(last)) => (u32::from_le_bytes(*first) | u32::from_le_bytes(*last)) & 0x8080_8080 == 0,
        _ => bytes.iter().all(u8::is_ascii),
    }
}

/// Whether `bytes` (16 or more, ending with `last`) are all ASCII: the high bits of 16-byte
/// lanes from the start and of the last 16 bytes, OR-ed together, gathered by one move mask.
/// Up to 48 bytes (a UUID's 36 included) that is two or three loads with no loop.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn lanes_are_ascii(bytes: &[u8], last: &[u8; 16]) -> bool {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128};
    // SAFETY (of each `unsafe` below): SSE2 is part of every x86_64 target's baseline, so these
    // intrinsics exist on any CPU this code runs on; they read registers only, and the one load
    // reads the 16 bytes of the array it is given.
    let load = |lane: &[u8; 16]| -> __m128i { unsafe { _mm_loadu_si128(lane.as_ptr().cast()) } };
    let or = |a, b| unsafe { _mm_or_si128(a, b) };
    let lane = |at: usize| load(bytes[at..at + 16].try_into().expect("a lane"));
    // The first lane and the last 16 bytes; up to 48 bytes the second lane, with no loop; past
    // that the lanes between.
    let mut lanes = or(load(last), lane(0));
    if bytes.len() > 32 {
        lanes = or(lanes, lane(16));
        if bytes.len() > 48 {
            let chunks = bytes[32..].chunks_exact(16).map(|c| load(c.try_into().expect("chunks of 16")));
            lanes = chunks.fold(lanes, or);
        }
    }
    unsafe { _mm_movemask_epi8(lanes) == 0 }
}

/// `bytes`, which are ASCII, as text: without the UTF-8 validation's second look at them (most
/// FIX values are ASCII, and the ASCII check is a word at a time).
#[allow(unsafe_code)]
#[inline(always)]
fn ascii_str(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii());
    // SAFETY: every ASCII byte sequence is valid UTF-8, and the caller checked that `bytes` is
    // ASCII.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

#[cfg(test)]
mod tests {
    use super::{short_decimal, Field};
    use crate::Decimal;

    /// Every value of up to six bytes from digits, points, signs and a letter, and longer ones
    /// of digits and a point: the short path reads each it takes as `Decimal::parse` does.
    #[test]
    fn short_decimals_read_as_the_full_parse_does() {
        let alphabet = [b'0', b'1', b'5', b'9', b'.', b'-', b'a'];
        let mut values: Vec<Vec<u8>> = vec![Vec::new()];
        let mut taken = 0;
        for _ in 0..6 {
            values = values.iter().flat_map(|v| alphabet.iter().map(move |&b| [&v[..], &[b]].concat())).collect();
            taken += check(&values);
        }
        for text in ["12345678", "1234567.", ".1234567", "9999.999", "99999999", "123456789", "0.000001", "1.2.3"] {
            taken += check(&[text.as_bytes().to_vec()]);
        }
        // The path is taken for every unsigned value it covers, not only some.
        assert!(taken > 13_000, "{taken}");
        assert_eq!(
            short_decimal(b"10.00\x0110=000\x01", Field { tag: 38, start: 0, end: 5 }),
            Some(Decimal::new(1000, 2))
        );
        // Too close to the end of the bytes for a word: left to the full parse.
        assert_eq!(short_decimal(b"7\x01", Field { tag: 38, start: 0, end: 1 }), None);
    }

    fn check(values: &[Vec<u8>]) -> usize {
        let mut taken = 0;
        for value in values {
            let mut buf = value.clone();
            buf.extend_from_slice(b"\x0110=000\x01");
            let field = Field { tag: 44, start: 0, end: value.len() as u32 };
            if let Some(short) = short_decimal(&buf, field) {
                assert_eq!(Decimal::parse(value), Ok(short), "{:?}", String::from_utf8_lossy(value));
                taken += 1;
            } else if !value.contains(&b'-') && value.len() <= 8 {
                // Unsigned and short: refused only when the full parse refuses it too.
                assert!(Decimal::parse(value).is_err(), "{:?}", String::from_utf8_lossy(value));
            }
        }
        taken
    }
}
