//! The typed-read view over parsed fields: [`Fields`], with the accessors that read a value as
//! text, int, decimal, Boolean, char, timestamp or date, and their out-of-line errors.

use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::value::{self, Date, Decimal, InvalidValue, UtcTimestamp};

use super::Field;

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
        // Four fields a step, unrolled: a compare and a branch a field, the loop's own count
        // and bound shared by four.
        let mut quads = self.fields.chunks_exact(4);
        for quad in quads.by_ref() {
            for field in quad {
                if field.tag == tag {
                    return Some(*field);
                }
            }
        }
        quads.remainder().iter().find(|f| f.tag == tag).copied()
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
        self.find(tag).map(|field| self.str_at(field)).transpose()
    }

    /// The value of `field` (one of these fields) as UTF-8 text.
    pub fn str_at(&self, field: Field) -> Result<&'a str, DecodeError> {
        let bytes = &self.buf[field.range()];
        if is_ascii(bytes) {
            return Ok(ascii_str(bytes));
        }
        std::str::from_utf8(bytes).map_err(|e| not_utf8(field, e.valid_up_to()))
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
        self.get_with(tag, Decimal::parse)
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
    let mut chunks = bytes.chunks_exact(16).map(|c| load(c.try_into().expect("chunks of 16")));
    // The first lane and the last 16 bytes; then, past 32 bytes, the lanes between.
    let mut lanes = or(load(last), chunks.next().unwrap_or_else(|| load(last)));
    if bytes.len() > 32 {
        lanes = chunks.fold(lanes, or);
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
