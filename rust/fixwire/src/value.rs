//! Typed FIX values, read from and written to bytes without allocating.
//!
//! | FIX type | Rust | wire form |
//! |---|---|---|
//! | int, SeqNum, Length, NumInGroup | `i64` / `u64` | `-?[0-9]+` (leading zeros allowed) |
//! | float, Price, Qty, Amt | [`Decimal`] | `-?[0-9]*(\.[0-9]*)?` with at least one digit, never an exponent |
//! | char | `u8` | one byte |
//! | Boolean | `bool` | `Y` or `N` |
//! | UTCTimestamp | [`UtcTimestamp`] | `YYYYMMDD-HH:MM:SS[.sss|.ssssss|.sssssssss]` |
//! | UTCDateOnly, LocalMktDate | [`Date`] | `YYYYMMDD` |
//!
//! Decimals are a mantissa and a scale, so `0.55` is exactly 55 × 10⁻²: no value ever passes
//! through a binary float.

use std::borrow::Cow;
use std::fmt;

use crate::error::{EncodeError, EncodeErrorKind};

/// Why a value does not have the format its type requires. The message accessors turn this into
/// a [`DecodeError`](crate::DecodeError) carrying the tag and offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidValue(pub &'static str);

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for InvalidValue {}

/// Reads an unsigned decimal integer, rejecting empty input, any non-digit and overflow.
pub fn parse_u64(v: &[u8]) -> Result<u64, InvalidValue> {
    if v.is_empty() {
        return Err(InvalidValue("empty where an integer is expected"));
    }
    // Nineteen digits are below 10^19 < 2^64: no overflow to check for, a multiply and an add
    // a digit (the usual value is far shorter).
    if v.len() <= 19 {
        let mut n: u64 = 0;
        for &b in v {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return Err(InvalidValue("not an integer"));
            }
            n = n * 10 + u64::from(d);
        }
        return Ok(n);
    }
    parse_long_u64(v)
}

/// [`parse_u64`] of twenty digits or more, each step checked for overflow: out of line.
#[inline(never)]
fn parse_long_u64(v: &[u8]) -> Result<u64, InvalidValue> {
    let mut n: u64 = 0;
    for &b in v {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Err(InvalidValue("not an integer"));
        }
        n = n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d))).ok_or(InvalidValue("integer too large"))?;
    }
    Ok(n)
}

/// Reads a FIX int: an optional `-` and decimal digits; overflow of `i64` is an error.
pub fn parse_i64(v: &[u8]) -> Result<i64, InvalidValue> {
    let (negative, digits) = match v.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, v),
    };
    let magnitude = parse_u64(digits)?;
    if negative {
        // -(2^63) is the one magnitude that fits only when negated.
        0i64.checked_sub_unsigned(magnitude).ok_or(InvalidValue("integer overflows i64"))
    } else {
        i64::try_from(magnitude).map_err(|_| InvalidValue("integer overflows i64"))
    }
}

/// Reads a FIX Boolean: exactly `Y` or `N`.
pub fn parse_bool(v: &[u8]) -> Result<bool, InvalidValue> {
    match v {
        b"Y" => Ok(true),
        b"N" => Ok(false),
        _ => Err(InvalidValue("not a FIX Boolean (Y or N)")),
    }
}

/// Reads a FIX char: exactly one ASCII byte.
pub fn parse_char(v: &[u8]) -> Result<u8, InvalidValue> {
    match v {
        [c] if c.is_ascii() => Ok(*c),
        _ => Err(InvalidValue("not a single ASCII character")),
    }
}

/// The parts of a decimal as written: sign, integer digits and fraction digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalParts<'a> {
    /// Whether the value starts with `-`.
    pub negative: bool,
    /// Digits before the point (possibly empty, as in `.5`).
    pub integer: &'a [u8],
    /// Digits after the point (possibly empty, as in `5.`).
    pub fraction: &'a [u8],
}

/// Checks the FIX float syntax, `-?[0-9]*(\.[0-9]*)?` with at least one digit, and splits it.
/// No exponent, no `+`, no spaces: what the FIX specification allows and nothing more.
pub fn decimal_parts(v: &[u8]) -> Result<DecimalParts<'_>, InvalidValue> {
    let (negative, unsigned) = match v.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, v),
    };
    let (integer, fraction) = match memchr::memchr(b'.', unsigned) {
        Some(dot) => (&unsigned[..dot], &unsigned[dot + 1..]),
        None => (unsigned, &[][..]),
    };
    if integer.is_empty() && fraction.is_empty() {
        return Err(InvalidValue("not a decimal: no digits"));
    }
    if !integer.iter().chain(fraction).all(u8::is_ascii_digit) {
        return Err(InvalidValue("not a decimal"));
    }
    Ok(DecimalParts { negative, integer, fraction })
}

/// Exponents beyond this are left as written by [`plain_decimal`]: written out, `1E+100000000`
/// would be a hundred million digits, and no FIX decimal has more than 38.
pub const MAX_PLAIN_EXPONENT: i64 = 64;

/// A decimal in scientific notation, as libraries print decimals (`1E+2`, `-1.20E-8`: Python's
/// `str(Decimal)`, Java's `BigDecimal.toString`), in the FIX float syntax: `100`,
/// `-0.0000000120`. Every digit is kept, trailing zeros included, and a zero with a positive
/// exponent is `0`, as Python's `format(d, "f")` writes them. Text that is already plain, that
/// is not a number in scientific notation (`NaN`, `Infinity`) or whose exponent is beyond
/// [`MAX_PLAIN_EXPONENT`] comes back unchanged (borrowed), so that the FIX syntax check then
/// refuses it in its own spelling.
// Lengths of text in memory are far below 2^63, so they fit an i64.
#[allow(clippy::cast_possible_wrap)]
pub fn plain_decimal(text: &[u8]) -> Cow<'_, [u8]> {
    if text.iter().all(|&b| b.is_ascii_digit() || b == b'-' || b == b'.') {
        return Cow::Borrowed(text);
    }
    let Some(e) = text.iter().position(|&b| b == b'E' || b == b'e') else { return Cow::Borrowed(text) };
    let exponent = std::str::from_utf8(&text[e + 1..]).ok().and_then(|t| t.parse::<i64>().ok());
    let (Some(exponent), Ok(parts)) = (exponent.filter(|x| x.abs() <= MAX_PLAIN_EXPONENT), decimal_parts(&text[..e]))
    else {
        return Cow::Borrowed(text);
    };
    let digits: Vec<u8> = parts.integer.iter().chain(parts.fraction).copied().collect();
    let leading = digits.iter().take_while(|&&d| d == b'0').count().min(digits.len() - 1);
    let coefficient = &digits[leading..];
    let mut exponent = exponent - parts.fraction.len() as i64;
    if coefficient == b"0" && exponent > 0 {
        exponent = 0;
    }
    let point = exponent + coefficient.len() as i64;
    let mut out = Vec::with_capacity(coefficient.len() + exponent.unsigned_abs() as usize + 3);
    if parts.negative {
        out.push(b'-');
    }
    match usize::try_from(point) {
        Err(_) | Ok(0) => {
            out.extend_from_slice(b"0.");
            out.resize(out.len() + point.unsigned_abs() as usize, b'0');
            out.extend_from_slice(coefficient);
        }
        Ok(point) if point >= coefficient.len() => {
            out.extend_from_slice(coefficient);
            out.resize(out.len() + point - coefficient.len(), b'0');
        }
        Ok(point) => {
            out.extend_from_slice(&coefficient[..point]);
            out.push(b'.');
            out.extend_from_slice(&coefficient[point..]);
        }
    }
    Cow::Owned(out)
}

/// The FIX Boolean form of `value`: `Y` or `N`.
pub const fn bool_text(value: bool) -> &'static [u8] {
    if value {
        b"Y"
    } else {
        b"N"
    }
}

/// An exact decimal number: `mantissa × 10^(-scale)`.
///
/// Equality is by representation: `1.5` (15, 1) and `1.50` (150, 2) are different values of
/// this type, as they are different FIX strings. Compare numerically with [`Decimal::cmp_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The digits as an integer, with the sign.
    pub mantissa: i64,
    /// How many of the digits are after the decimal point.
    pub scale: u8,
}

/// The largest scale a [`Decimal`] carries: 10^18 is the largest power of ten in an i64.
pub const MAX_DECIMAL_SCALE: u8 = 18;

impl Decimal {
    /// `mantissa × 10^(-scale)`.
    pub const fn new(mantissa: i64, scale: u8) -> Self {
        Self { mantissa, scale }
    }

    /// Reads a FIX float exactly. Errors when the digits do not fit an i64 mantissa.
    #[inline]
    pub fn parse(v: &[u8]) -> Result<Self, InvalidValue> {
        match Self::parse_short(v) {
            Some(value) => Ok(value),
            None => Self::parse_in_full(v),
        }
    }

    /// A valid decimal of at most 18 digits in one pass, no overflow possible (10^18 < 2^63);
    /// `None` for anything else, which [`parse_in_full`](Self::parse_in_full) then reads or
    /// refuses with its reason.
    #[inline(always)]
    fn parse_short(v: &[u8]) -> Option<Self> {
        let (negative, text) = match v.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, v),
        };
        if text.len() > usize::from(MAX_DECIMAL_SCALE) + 1 {
            return None;
        }
        // The integer digits, then, after a point, the fraction digits: two loops with one test
        // a byte each.
        let mut magnitude = 0u64;
        let mut rest = text;
        while let Some((&b, tail)) = rest.split_first() {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            magnitude = magnitude * 10 + u64::from(d);
            rest = tail;
        }
        let (mut scale, has_point) = (0, !rest.is_empty());
        if let Some((&point, fraction)) = rest.split_first() {
            if point != b'.' {
                return None;
            }
            for &b in fraction {
                let d = b.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                magnitude = magnitude * 10 + u64::from(d);
            }
            scale = fraction.len();
        }
        // Digits: every byte but the point.
        let digits = text.len() - usize::from(has_point);
        if digits == 0 || digits > usize::from(MAX_DECIMAL_SCALE) {
            return None;
        }
        // At most 18 fraction digits (checked above): a u8.
        let scale = scale as u8;
        let magnitude = i64::try_from(magnitude).ok()?;
        Some(Self { mantissa: if negative { -magnitude } else { magnitude }, scale })
    }

    /// [`parse`](Self::parse) for any input, every check spelled out.
    fn parse_in_full(v: &[u8]) -> Result<Self, InvalidValue> {
        let parts = decimal_parts(v)?;
        let scale = u8::try_from(parts.fraction.len())
            .ok()
            .filter(|&s| s <= MAX_DECIMAL_SCALE)
            .ok_or(InvalidValue("decimal has more than 18 fraction digits"))?;
        let mut magnitude: u64 = 0;
        for &b in parts.integer.iter().chain(parts.fraction) {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(b - b'0')))
                .ok_or(InvalidValue("decimal has too many digits for a 64-bit mantissa"))?;
        }
        let mantissa =
            if parts.negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() }
                .ok_or(InvalidValue("decimal has too many digits for a 64-bit mantissa"))?;
        Ok(Self { mantissa, scale })
    }

    /// The same value at `scale` fraction digits, or `None` when that would drop a non-zero
    /// digit or overflow.
    pub fn rescale(self, scale: u8) -> Option<Self> {
        if scale > MAX_DECIMAL_SCALE {
            return None;
        }
        let mantissa = if scale >= self.scale {
            self.mantissa.checked_mul(10i64.checked_pow(u32::from(scale - self.scale))?)?
        } else {
            let divisor = 10i64.checked_pow(u32::from(self.scale - scale))?;
            if self.mantissa % divisor != 0 {
                return None;
            }
            self.mantissa / divisor
        };
        Some(Self { mantissa, scale })
    }

    /// Numeric comparison, ignoring trailing zeros: `1.5` equals `1.50`.
    pub fn cmp_value(self, other: Self) -> std::cmp::Ordering {
        // Compare exactly in i128 at a common scale: an i64 times 10^19 fits, and a table
        // lookup is cheaper than a power.
        if let Some(&power) = POWERS_OF_TEN.get(usize::from(self.scale.abs_diff(other.scale))) {
            let (a, b) = (i128::from(self.mantissa), i128::from(other.mantissa));
            let power = i128::from(power);
            return if self.scale < other.scale { (a * power).cmp(&b) } else { a.cmp(&(b * power)) };
        }
        // Scales further apart than 19 digits (never read from FIX, where 18 is the maximum)
        // saturate rather than overflow.
        let scale = self.scale.max(other.scale);
        let widen = |d: Self| {
            10i128
                .checked_pow(u32::from(scale - d.scale))
                .map_or(i128::MAX, |f| i128::from(d.mantissa).saturating_mul(f))
        };
        widen(self).cmp(&widen(other))
    }

    /// Appends the FIX form: all `scale` fraction digits, no exponent, `-` for negatives.
    pub fn write_to(self, out: &mut Vec<u8>) {
        if self.mantissa < 0 {
            out.push(b'-');
        }
        let mut digits = [0u8; 20];
        let text = format_u64(self.mantissa.unsigned_abs(), &mut digits);
        let scale = usize::from(self.scale);
        if scale == 0 {
            out.extend_from_slice(text);
        } else if text.len() > scale {
            let (int, frac) = text.split_at(text.len() - scale);
            out.extend_from_slice(int);
            out.push(b'.');
            out.extend_from_slice(frac);
        } else {
            out.extend_from_slice(b"0.");
            out.resize(out.len() + scale - text.len(), b'0');
            out.extend_from_slice(text);
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::with_capacity(24);
        self.write_to(&mut out);
        // write_to emits only ASCII digits, '-' and '.'.
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

/// 10^0 to 10^19, every power of ten a u64 holds.
pub(crate) const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// "00" to "99": two digits per division when formatting.
pub(crate) const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Formats `n` in decimal into the end of `buf` and returns the digits written.
#[inline]
pub fn format_u64(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    &buf[i..]
}

/// Fraction-of-second digits in a UTCTimestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimePrecision {
    /// `HH:MM:SS`
    Seconds,
    /// `HH:MM:SS.sss`, what Kalshi requires in SendingTime <52>.
    Millis,
    /// `HH:MM:SS.ssssss`
    Micros,
    /// `HH:MM:SS.sssssssss`
    Nanos,
}

impl TimePrecision {
    /// Number of fraction digits written.
    pub const fn digits(self) -> usize {
        match self {
            Self::Seconds => 0,
            Self::Millis => 3,
            Self::Micros => 6,
            Self::Nanos => 9,
        }
    }

    /// Nanoseconds per unit of the last digit.
    pub const fn unit_nanos(self) -> u32 {
        match self {
            Self::Seconds => 1_000_000_000,
            Self::Millis => 1_000_000,
            Self::Micros => 1_000,
            Self::Nanos => 1,
        }
    }
}

/// A calendar date, as in UTCDateOnly and LocalMktDate (`YYYYMMDD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year, 0–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31 as the month allows.
    pub day: u8,
}

impl Date {
    /// Reads `YYYYMMDD`, checking that the day exists in that month.
    pub fn parse(v: &[u8]) -> Result<Self, InvalidValue> {
        let [y0, y1, y2, y3, m0, m1, d0, d1] = *v else {
            return Err(InvalidValue("not a date (YYYYMMDD)"));
        };
        let year = digits4([y0, y1, y2, y3]).ok_or(InvalidValue("not a date (YYYYMMDD)"))?;
        let month = digits2([m0, m1]).ok_or(InvalidValue("not a date (YYYYMMDD)"))?;
        let day = digits2([d0, d1]).ok_or(InvalidValue("not a date (YYYYMMDD)"))?;
        if !(1..=12).contains(&month) {
            return Err(InvalidValue("month out of range"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(InvalidValue("day out of range for the month"));
        }
        Ok(Self { year, month, day })
    }

    /// A date from a year, month and day as another library holds them (a valid date of any
    /// year); a year FIX cannot write (outside 0–9999) is an error naming the field `tag`.
    pub fn from_calendar(year: i32, month: u8, day: u8, tag: Option<u32>) -> Result<Self, EncodeError> {
        let year = u16::try_from(year).ok().filter(|&y| y <= 9999).ok_or_else(|| {
            EncodeError::new(EncodeErrorKind::InvalidValue, tag, format!("year {year} is outside 0-9999"))
        })?;
        Ok(Self { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(i64::from(self.year), self.month, self.day)
    }

    /// Appends `YYYYMMDD`.
    pub fn write_to(self, out: &mut Vec<u8>) {
        push_digits(out, u32::from(self.year), 4);
        push_digits(out, u32::from(self.month), 2);
        push_digits(out, u32::from(self.day), 2);
    }
}

/// A UTCTimestamp: date, time of day and nanoseconds, with the precision it was written at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UtcTimestamp {
    /// The calendar date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60 (60 is a leap second, which FIX allows).
    pub second: u8,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// How many fraction digits the value has on the wire.
    pub precision: TimePrecision,
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

impl UtcTimestamp {
    /// Reads `YYYYMMDD-HH:MM:SS` with an optional fraction of 3, 6 or 9 digits.
    pub fn parse(v: &[u8]) -> Result<Self, InvalidValue> {
        const FORMAT: InvalidValue = InvalidValue("not a UTCTimestamp (YYYYMMDD-HH:MM:SS[.sss])");
        if v.len() < 17 || v[8] != b'-' || v[11] != b':' || v[14] != b':' {
            return Err(FORMAT);
        }
        let date = Date::parse(&v[..8])?;
        let hour = digits2([v[9], v[10]]).ok_or(FORMAT)?;
        let minute = digits2([v[12], v[13]]).ok_or(FORMAT)?;
        let second = digits2([v[15], v[16]]).ok_or(FORMAT)?;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(InvalidValue("time of day out of range"));
        }
        let (precision, nanos) = match &v[17..] {
            [] => (TimePrecision::Seconds, 0),
            [b'.', fraction @ ..] => {
                let precision = match fraction.len() {
                    3 => TimePrecision::Millis,
                    6 => TimePrecision::Micros,
                    9 => TimePrecision::Nanos,
                    _ => return Err(InvalidValue("UTCTimestamp fraction must have 3, 6 or 9 digits")),
                };
                let units = parse_u64(fraction).map_err(|_| FORMAT)?;
                // At most 9 digits, so the product stays below 10^9.
                (precision, units as u32 * precision.unit_nanos())
            }
            _ => return Err(FORMAT),
        };
        Ok(Self { date, hour, minute, second, nanos, precision })
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z; a leap second counts as the next second's start.
    /// An `i128`, because years 0-9999 do not fit an `i64` of nanoseconds.
    pub fn unix_nanos(self) -> i128 {
        let seconds = self.date.days_since_epoch() * SECONDS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    /// The timestamp `nanos` after the Unix epoch, written at `precision` (digits below the
    /// precision are truncated). Years outside 0–9999 are `None`.
    pub fn from_unix_nanos(nanos: i128, precision: TimePrecision) -> Option<Self> {
        let seconds = i64::try_from(nanos.div_euclid(i128::from(NANOS_PER_SECOND))).ok()?;
        let sub = nanos.rem_euclid(i128::from(NANOS_PER_SECOND)) as u32;
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let of_day = seconds.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        let year = u16::try_from(year).ok().filter(|&y| y <= 9999)?;
        Some(Self {
            date: Date { year, month, day },
            hour: (of_day / 3600) as u8,
            minute: (of_day / 60 % 60) as u8,
            second: (of_day % 60) as u8,
            nanos: sub - sub % precision.unit_nanos(),
            precision,
        })
    }

    /// The same instant at `precision`, the digits below it dropped (a leap second becomes the
    /// next second's start). Unchanged when the result would be past year 9999.
    #[must_use]
    pub fn truncated(self, precision: TimePrecision) -> Self {
        Self::from_unix_nanos(self.unix_nanos(), precision).unwrap_or(self)
    }

    /// The same instant for a library without leap seconds (Python's `datetime`): 23:59:60
    /// becomes the next day's 00:00:00. Unchanged when that day would be past year 9999.
    #[must_use]
    pub fn without_leap_second(self) -> Self {
        if self.second == 60 {
            self.truncated(TimePrecision::Nanos)
        } else {
            self
        }
    }

    /// Appends the FIX form at this timestamp's precision.
    pub fn write_to(self, out: &mut Vec<u8>) {
        self.date.write_to(out);
        out.push(b'-');
        push_digits(out, u32::from(self.hour), 2);
        out.push(b':');
        push_digits(out, u32::from(self.minute), 2);
        out.push(b':');
        push_digits(out, u32::from(self.second), 2);
        let digits = self.precision.digits();
        if digits > 0 {
            out.push(b'.');
            push_digits(out, self.nanos / self.precision.unit_nanos(), digits);
        }
    }
}

fn digits2(b: [u8; 2]) -> Option<u8> {
    let (t, u) = (b[0].wrapping_sub(b'0'), b[1].wrapping_sub(b'0'));
    (t <= 9 && u <= 9).then(|| t * 10 + u)
}

fn digits4(b: [u8; 4]) -> Option<u16> {
    let hi = digits2([b[0], b[1]])?;
    let lo = digits2([b[2], b[3]])?;
    Some(u16::from(hi) * 100 + u16::from(lo))
}

/// Appends `n` as exactly `width` digits, zero-padded (higher digits are dropped).
fn push_digits(out: &mut Vec<u8>, mut n: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for slot in out[start..].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Civil-calendar conversions by the era method: a 400-year era has a fixed 146,097 days, and
// counting years from March puts the leap day at the end of the year.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

// Day (1-31) and month (1-12) are in range by construction, so their casts cannot lose a sign.
#[allow(clippy::cast_sign_loss)]
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u8;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
