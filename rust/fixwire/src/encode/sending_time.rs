//! SendingTime <52>'s text, cached: a time within the cached millisecond (or microsecond, ...)
//! costs two compares, a new one within the cached second rewrites the fraction's digits from a
//! table of three-digit groups, a new second within the cached day the time of day as well, and
//! only a new day renders the date. Every test on the way is on `i64` nanoseconds with constant
//! divisors (no 128-bit or run-time division).

use super::write::put_digits_back;
use crate::value::{TimePrecision, UtcTimestamp};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Where the fraction's digits start in the text: after `YYYYMMDD-HH:MM:SS.`.
const FRACTION_AT: usize = 18;

/// The last SendingTime rendered and the ranges of time (in nanoseconds since the Unix epoch,
/// start inclusive, end exclusive) its unit, second and day cover. An empty range (start at
/// `i64::MAX`, end at `i64::MIN`) holds nothing; a range clipped at an end of `i64` holds what
/// of it `i64` reaches.
#[derive(Debug, Clone)]
pub(super) struct TimeCache {
    unit: (i64, i64),
    second: (i64, i64),
    /// Days since the Unix epoch of the text's date; `i64::MIN` when none.
    day: i64,
    pub(super) text: [u8; 32],
    pub(super) len: usize,
}

const NOTHING: (i64, i64) = (i64::MAX, i64::MIN);

impl Default for TimeCache {
    fn default() -> Self {
        Self { unit: NOTHING, second: NOTHING, day: i64::MIN, text: [0; 32], len: 0 }
    }
}

/// Whether `t` is in `range` (start inclusive, end exclusive).
#[inline(always)]
fn within(t: i64, range: (i64, i64)) -> bool {
    range.0 <= t && t < range.1
}

/// The range of `unit` nanoseconds that holds `t`, whose offset into it is `offset`. Where `i64`
/// ends first, the start is clipped at `i64::MIN` (the end, from it, then comes too early) or the
/// end wraps below the start: the range holds less than it might, never a time outside it, and a
/// time it misses is rendered again.
#[inline(always)]
fn range_of(t: i64, offset: i64, unit: i64) -> (i64, i64) {
    let start = t.saturating_sub(offset);
    (start, start.wrapping_add(unit))
}

/// The three digits of each number below 1,000, and a byte of padding, as a little-endian word:
/// a group of the fraction is one load and one store.
static THREE_DIGITS: [u32; 1000] = {
    let mut table = [0; 1000];
    let mut n = 0;
    while n < 1000 {
        let digits = [b'0' + (n / 100) as u8, b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8, 0];
        table[n] = u32::from_le_bytes(digits);
        n += 1;
    }
    table
};

impl TimeCache {
    /// Renders `unix_nanos` at `precision` unless the same unit of it is already there; `false`
    /// when its year is outside 0-9999.
    #[inline(always)]
    pub(super) fn set(&mut self, unix_nanos: i64, precision: TimePrecision) -> bool {
        within(unix_nanos, self.unit) || self.render(unix_nanos, precision)
    }

    #[inline(never)]
    fn render(&mut self, t: i64, precision: TimePrecision) -> bool {
        // A new millisecond within the cached second, the usual miss: three digits, inline.
        if precision == TimePrecision::Millis && within(t, self.second) {
            // The time into the second (never clipped: see `render_second`), from 0 to 10^9 - 1,
            // so there is no sign to lose and the milliseconds are below 1,000.
            #[allow(clippy::cast_sign_loss)]
            let nanos = (t - self.second.0) as u32;
            let millis = (nanos / 1_000_000).min(999);
            self.text[FRACTION_AT..FRACTION_AT + 4].copy_from_slice(&THREE_DIGITS[millis as usize].to_le_bytes());
            let start = self.second.0 + i64::from(millis * 1_000_000);
            // In the last millisecond `i64` reaches the end wraps: an empty range (see `range_of`).
            self.unit = (start, start.wrapping_add(1_000_000));
            return true;
        }
        self.render_unit(t, precision)
    }

    #[inline(never)]
    fn render_unit(&mut self, t: i64, precision: TimePrecision) -> bool {
        if !within(t, self.second) && !self.render_second(t) {
            return false;
        }
        // Below 10^9, so every step is a small non-negative number.
        let nanos = t.rem_euclid(NANOS_PER_SECOND) as u32;
        let group = |n: u32| THREE_DIGITS[n as usize].to_le_bytes();
        let (offset, unit) = match precision {
            TimePrecision::Seconds => {
                self.len = FRACTION_AT - 1;
                (nanos, NANOS_PER_SECOND)
            }
            TimePrecision::Millis => {
                self.len = FRACTION_AT + 3;
                let millis = nanos / 1_000_000;
                self.text[FRACTION_AT..FRACTION_AT + 4].copy_from_slice(&group(millis));
                (nanos % 1_000_000, 1_000_000)
            }
            TimePrecision::Micros => {
                self.len = FRACTION_AT + 6;
                let micros = nanos / 1_000;
                self.text[FRACTION_AT..FRACTION_AT + 4].copy_from_slice(&group(micros / 1_000));
                self.text[FRACTION_AT + 3..FRACTION_AT + 7].copy_from_slice(&group(micros % 1_000));
                (nanos % 1_000, 1_000)
            }
            TimePrecision::Nanos => {
                self.len = FRACTION_AT + 9;
                self.text[FRACTION_AT..FRACTION_AT + 4].copy_from_slice(&group(nanos / 1_000_000));
                self.text[FRACTION_AT + 3..FRACTION_AT + 7].copy_from_slice(&group(nanos / 1_000 % 1_000));
                self.text[FRACTION_AT + 6..FRACTION_AT + 10].copy_from_slice(&group(nanos % 1_000));
                (0, 1)
            }
        };
        self.unit = range_of(t, i64::from(offset), unit);
        true
    }

    /// Renders the date (for a new day) or the time of day (for a new second within the day) of
    /// `t`, the fraction left to the caller; `false` when the year is outside 0-9999. Out of
    /// line, so that a new unit within the second saves no registers for it.
    #[cold]
    #[inline(never)]
    fn render_second(&mut self, t: i64) -> bool {
        let second = t.div_euclid(NANOS_PER_SECOND);
        let day = second.div_euclid(SECONDS_PER_DAY);
        if day == self.day {
            // `YYYYMMDD-` stays; `HH:MM:SS` is rewritten. Within a day the offset is below
            // 86,400 s, so every part is a small non-negative number.
            let seconds = second.rem_euclid(SECONDS_PER_DAY).unsigned_abs();
            let text = &mut self.text;
            put_digits_back(text, 11, seconds / 3600, 2);
            put_digits_back(text, 14, seconds / 60 % 60, 2);
            put_digits_back(text, 17, seconds % 60, 2);
        } else {
            // Whole seconds (`YYYYMMDD-HH:MM:SS`, 17 bytes for years 0-9999) and the dot: the
            // fraction's digits are the caller's.
            let Some(ts) = UtcTimestamp::from_unix_nanos(i128::from(second) * 1_000_000_000, TimePrecision::Seconds)
            else {
                self.day = i64::MIN;
                self.second = NOTHING;
                self.unit = NOTHING;
                return false;
            };
            let mut text = Vec::with_capacity(32);
            ts.write_to(&mut text);
            self.text[..text.len()].copy_from_slice(&text);
            self.text[text.len()] = b'.';
            self.day = day;
        }
        // The first second an `i64` reaches starts before it: that range is left empty (a time in
        // it renders its second again), so that a cached second's start is always its own.
        let offset = t.rem_euclid(NANOS_PER_SECOND);
        self.second = match t.checked_sub(offset) {
            Some(start) => (start, start.saturating_add(NANOS_PER_SECOND)),
            None => NOTHING,
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sending_time_is_rendered_as_timestamps_are_across_days_and_precisions() {
        let precisions = [TimePrecision::Seconds, TimePrecision::Millis, TimePrecision::Micros, TimePrecision::Nanos];
        for precision in precisions {
            let mut cache = TimeCache::default();
            // Steps that cross units, seconds, hours, midnight and a leap day, backwards too.
            let mut t: i64 = 1_709_164_799_000_000_000 - 3 * 3_600_000_000_000;
            for step in [1, 999_999, 1_000_000, 7_123_456_789, 3_600_000_000_000, -86_400_000_000_000, 13, -1, -999]
                .iter()
                .cycle()
                .take(500)
            {
                t += step;
                assert!(cache.set(t, precision));
                let mut expected = Vec::new();
                UtcTimestamp::from_unix_nanos(i128::from(t), precision).unwrap().write_to(&mut expected);
                assert_eq!(&cache.text[..cache.len], &expected[..], "{t} at {precision:?}");
            }
        }
        // The first and last seconds an i64 of nanoseconds reaches, at every precision, twice
        // each (the second time within the cached second) and across the unit.
        for precision in precisions {
            for t in [i64::MIN, i64::MIN + 1, i64::MIN + 999_999, i64::MAX, i64::MAX - 1, i64::MAX - 1_000_000] {
                let mut cache = TimeCache::default();
                for t in [t, t ^ 1, if t < 0 { t + 1_000 } else { t - 1_000 }, t] {
                    assert!(cache.set(t, precision));
                    let mut expected = Vec::new();
                    UtcTimestamp::from_unix_nanos(i128::from(t), precision).unwrap().write_to(&mut expected);
                    assert_eq!(&cache.text[..cache.len], &expected[..], "{t} at {precision:?}");
                }
            }
        }
    }
}
