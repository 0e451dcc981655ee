//! Reading values into columns: text checked as UTF-8, ints, decimals as scaled mantissas,
//! timestamps and dates as counts since the Unix epoch, Booleans; a batch of rows a column at
//! a time.

// Offsets are positions in memory, below 2^63 on every target, stored as i64 as numpy and
// Arrow want them.
#![allow(clippy::cast_possible_wrap)]

use super::{Column, ColumnData, ColumnKind, ColumnSpec};
use crate::value::{self, Date, Decimal};

impl Column {
    pub(super) fn new(spec: ColumnSpec) -> Self {
        let data = match spec.kind {
            ColumnKind::Str => ColumnData::Str { offsets: vec![0], data: Vec::new() },
            ColumnKind::Float => ColumnData::F64(Vec::new()),
            ColumnKind::Bool => ColumnData::Bool(Vec::new()),
            ColumnKind::Int | ColumnKind::Decimal { .. } | ColumnKind::Time | ColumnKind::Date => {
                ColumnData::I64(Vec::new())
            }
        };
        Self { spec, data, valid: Vec::new(), invalid_values: 0 }
    }

    /// Appends one row from `value` (absent when `None`); `dates` is this column's own.
    pub(super) fn push(&mut self, value: Option<&[u8]>, dates: &mut DateCache) {
        self.push_many(std::iter::once(value), dates);
    }

    /// Appends one row per item of `values`, choosing how to read them once for all.
    #[inline]
    pub(super) fn push_many<'v>(
        &mut self,
        values: impl ExactSizeIterator<Item = Option<&'v [u8]>>,
        dates: &mut DateCache,
    ) {
        let Self { spec, data, valid, invalid_values } = self;
        valid.reserve(values.len());
        match (data, spec.kind) {
            // Text columns promise UTF-8 (numpy and Arrow strings): other bytes are invalid.
            // Values are mostly ASCII, which is checked a word at a time.
            (ColumnData::Str { offsets, data }, _) => {
                offsets.reserve(values.len());
                fill(values, valid, invalid_values, |v| {
                    let text = v.filter(|v| v.is_ascii() || std::str::from_utf8(v).is_ok());
                    match text {
                        // One-byte values (most MsgTypes) without a call to memcpy.
                        Some(&[byte]) => data.push(byte),
                        Some(v) => data.extend_from_slice(v),
                        None => {}
                    }
                    offsets.push(data.len() as i64);
                    text.is_some()
                });
            }
            (ColumnData::F64(out), _) => fill_with(values, valid, invalid_values, out, f64::NAN, |v| {
                value::decimal_parts(v).ok().and_then(|_| std::str::from_utf8(v).ok()?.parse::<f64>().ok())
            }),
            (ColumnData::Bool(out), _) => {
                fill_with(values, valid, invalid_values, out, false, |v| value::parse_bool(v).ok());
            }
            (ColumnData::I64(out), ColumnKind::Decimal { scale }) => {
                fill_with(values, valid, invalid_values, out, 0, |v| decimal_mantissa(v, scale));
            }
            (ColumnData::I64(out), ColumnKind::Time) => {
                fill_with(values, valid, invalid_values, out, 0, |v| dates.timestamp_nanos(v));
            }
            (ColumnData::I64(out), ColumnKind::Date) => {
                fill_with(values, valid, invalid_values, out, 0, |v| Date::parse(v).ok().map(Date::days_since_epoch));
            }
            (ColumnData::I64(out), _) => fill_with(values, valid, invalid_values, out, 0, |v| value::parse_i64(v).ok()),
        }
    }

    /// Appends `other`'s rows (a column of the same spec).
    pub(super) fn append(&mut self, other: Column) {
        self.invalid_values += other.invalid_values;
        self.valid.extend_from_slice(&other.valid);
        match (&mut self.data, other.data) {
            (ColumnData::Str { offsets, data }, ColumnData::Str { offsets: more, data: bytes }) => {
                let base = data.len() as i64;
                data.extend_from_slice(&bytes);
                offsets.extend(more[1..].iter().map(|o| o + base));
            }
            (ColumnData::F64(out), ColumnData::F64(more)) => out.extend_from_slice(&more),
            (ColumnData::Bool(out), ColumnData::Bool(more)) => out.extend_from_slice(&more),
            (ColumnData::I64(out), ColumnData::I64(more)) => out.extend_from_slice(&more),
            _ => unreachable!("columns of one spec have one kind"),
        }
    }
}

/// Appends a validity flag per value, as `push` (which appends the value, or an empty one)
/// reads it; counts the values present that did not read.
#[inline(always)]
fn fill<'v>(
    values: impl Iterator<Item = Option<&'v [u8]>>,
    valid: &mut Vec<bool>,
    invalid: &mut u64,
    mut push: impl FnMut(Option<&'v [u8]>) -> bool,
) {
    for value in values {
        let read = push(value);
        *invalid += u64::from(value.is_some() && !read);
        valid.push(read);
    }
}

/// [`fill`] for columns of plain values: `read` gives each value, `empty` stands in for the
/// absent and invalid ones.
#[inline(always)]
fn fill_with<'v, T: Copy>(
    values: impl ExactSizeIterator<Item = Option<&'v [u8]>>,
    valid: &mut Vec<bool>,
    invalid: &mut u64,
    out: &mut Vec<T>,
    empty: T,
    mut read: impl FnMut(&[u8]) -> Option<T>,
) {
    out.reserve(values.len());
    fill(values, valid, invalid, |v| {
        let value = v.and_then(&mut read);
        out.push(value.unwrap_or(empty));
        value.is_some()
    });
}

/// Powers of ten that fit an i64, by exponent.
const POW10: [i64; 19] = {
    let mut table = [1i64; 19];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// The mantissa of `v` at `scale` fraction digits: `Decimal::parse(v)?.rescale(scale)`, with
/// the common case (at most 18 digits, at most `scale` of them after the point) read in one
/// pass and the rest left to those functions.
#[inline]
pub(super) fn decimal_mantissa(v: &[u8], scale: u8) -> Option<i64> {
    let (negative, unsigned) = match v {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, v),
    };
    let mut magnitude: u64 = 0;
    let mut point = None;
    for (i, &b) in unsigned.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            // Wrapping is harmless: more than 18 digits go to the general path below.
            magnitude = magnitude.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let digits = unsigned.len() - usize::from(point.is_some());
    let fraction = point.map_or(0, |p| unsigned.len() - p - 1);
    if digits == 0 {
        return None;
    }
    if digits > 18 || fraction > usize::from(scale) || scale > value::MAX_DECIMAL_SCALE {
        return Decimal::parse(v).ok().and_then(|d| d.rescale(scale)).map(|d| d.mantissa);
    }
    // Below 10^18, so the magnitude fits an i64.
    let mantissa = if negative { -(magnitude as i64) } else { magnitude as i64 };
    mantissa.checked_mul(POW10[usize::from(scale) - fraction])
}

/// A Time column's last date: timestamps in a log mostly share their day, so the calendar
/// arithmetic is done once a day rather than once a value.
#[derive(Debug, Default)]
pub(super) struct DateCache {
    /// The date's eight bytes, `YYYYMMDD`, as a little-endian word; 0 (no digits) when empty.
    key: u64,
    /// Its days since the Unix epoch.
    days: i64,
}

impl DateCache {
    /// `UtcTimestamp::parse(v)?.unix_nanos()` as an i64, when it fits.
    #[inline]
    pub(super) fn timestamp_nanos(&mut self, v: &[u8]) -> Option<i64> {
        const NANOS_PER_SECOND: i64 = 1_000_000_000;
        if v.len() < 17 || v[8] != b'-' || v[11] != b':' || v[14] != b':' {
            return None;
        }
        let date: [u8; 8] = v[..8].try_into().ok()?;
        let key = u64::from_le_bytes(date);
        if key != self.key {
            self.days = Date::parse(&date).ok()?.days_since_epoch();
            self.key = key;
        }
        let (hour, minute, second) = (digits2(v[9], v[10])?, digits2(v[12], v[13])?, digits2(v[15], v[16])?);
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let nanos = match &v[17..] {
            [] => 0,
            [b'.', fraction @ ..] => {
                let unit = match fraction.len() {
                    3 => 1_000_000,
                    6 => 1_000,
                    9 => 1,
                    _ => return None,
                };
                // At most nine digits: no overflow.
                let mut units = 0;
                for &b in fraction {
                    let digit = b.wrapping_sub(b'0');
                    if digit > 9 {
                        return None;
                    }
                    units = units * 10 + i64::from(digit);
                }
                units * unit
            }
            _ => return None,
        };
        let seconds = self.days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        // Years 0-9999 reach past i64 nanoseconds; near its ends, the exact sum decides.
        seconds
            .checked_mul(NANOS_PER_SECOND)
            .and_then(|n| n.checked_add(nanos))
            .or_else(|| i64::try_from(i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos)).ok())
    }
}

/// Two ASCII digits as a number.
#[inline]
fn digits2(tens: u8, units: u8) -> Option<u8> {
    let (t, u) = (tens.wrapping_sub(b'0'), units.wrapping_sub(b'0'));
    (t <= 9 && u <= 9).then(|| t * 10 + u)
}
