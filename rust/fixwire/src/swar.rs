//! Eight bytes at a time in a `u64` (SIMD within a register): finding SOH and reading digits
//! without a loop per byte, in safe code on any target.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `bytes` at `at`, little-endian (the first byte lowest), when there are
/// eight.
#[inline(always)]
pub(crate) fn load(bytes: &[u8], at: usize) -> Option<u64> {
    let word = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(word.try_into().expect("eight bytes")))
}

/// Non-zero when a byte of `w` is SOH, and then its lowest set bit is the high bit of the first
/// SOH byte: see [`byte_marks`].
#[inline(always)]
pub(crate) fn soh_marks(w: u64) -> u64 {
    byte_marks(w, crate::SOH)
}

/// Non-zero when a byte of `w` is `byte`, and then its lowest set bit is the high bit of the
/// first such byte: XOR turns those bytes into zero bytes, and the classic has-zero-byte
/// expression marks them (a mark above the first may be spurious, the first never is).
#[inline(always)]
pub(crate) fn byte_marks(w: u64, byte: u8) -> u64 {
    let x = w ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The number the first `n` bytes of `w` spell when they are all ASCII digits (`n` from 1 to
/// 8), else `None`.
#[inline(always)]
pub(crate) fn digits(w: u64, n: usize) -> Option<u64> {
    debug_assert!((1..=8).contains(&n));
    let keep = u64::MAX >> (64 - 8 * n);
    let v = w.wrapping_sub(0x3030_3030_3030_3030) & keep;
    // A byte is a digit when its value after the subtraction is at most 9: adding 0x76 sets the
    // high bit of any larger one. Borrows and carries only cross from a byte already marked,
    // so whether any byte is marked is exact.
    if (v.wrapping_add(0x7676_7676_7676_7676) | v) & HIGHS & keep != 0 {
        return None;
    }
    // The digits moved to the top, zeros (digit 0) before them.
    Some(combine(v << (64 - 8 * n)))
}

/// How many of the bytes of `w` are ASCII digits before the first that is not (8 when all are).
#[inline(always)]
pub(crate) fn digit_run(w: u64) -> usize {
    let v = w.wrapping_sub(0x3030_3030_3030_3030);
    // A byte is a digit when its value after the subtraction is at most 9: adding 0x76 sets the
    // high bit of any larger one. Borrows and carries only cross from a byte that is not a digit
    // into the bytes after it, so the first mark is exact.
    let marks = (v.wrapping_add(0x7676_7676_7676_7676) | v) & HIGHS;
    (marks.trailing_zeros() / 8) as usize
}

/// [`digit_run`] as a shift: eight times the number of leading digit bytes of `w` when fewer
/// than eight are, and 0 when all are (so `w >> digit_run_bits(w)` is the first byte that is
/// not a digit, or the first digit).
#[inline(always)]
pub(crate) fn digit_run_bits(w: u64) -> u32 {
    let v = w.wrapping_sub(0x3030_3030_3030_3030);
    // As in `digit_run`: the first mark is exact.
    ((v.wrapping_add(0x7676_7676_7676_7676) | v) & HIGHS).trailing_zeros() & 0x38
}

/// The number the first `n` bytes of `w` spell, which must be ASCII digits (`n` from 1 to 7, as
/// [`digit_run`] counts them).
#[inline(always)]
pub(crate) fn digits_unchecked(w: u64, n: usize) -> u64 {
    debug_assert!((1..=7).contains(&n));
    combine(w.wrapping_sub(0x3030_3030_3030_3030) << (64 - 8 * n))
}

/// The number the digits below bit `shift` of `w` spell: one to seven digits, as
/// [`digit_run_bits`] measures them. Up to four digits are combined in 32 bits.
#[inline(always)]
pub(crate) fn digits_below(w: u64, shift: u32) -> u32 {
    debug_assert!(shift.is_multiple_of(8) && (8..=56).contains(&shift));
    let v = w.wrapping_sub(0x3030_3030_3030_3030);
    if shift > 32 {
        return combine(v << (64 - shift)) as u32;
    }
    // The digits moved to the top of 32 bits, zeros before them.
    combine32((v as u32) << (32 - shift))
}

/// [`digits`] in 32 bits, with constants that fit an instruction: the number the first `n`
/// bytes of `w` spell when they are all ASCII digits (`n` from 1 to 4), else `None`.
#[inline(always)]
pub(crate) fn digits32(w: u32, n: usize) -> Option<u32> {
    debug_assert!((1..=4).contains(&n));
    // The digits moved to the top, the bytes after them shifted out; as in `digits`, a byte
    // is a digit when adding 0x76 leaves its high bit clear.
    let shift = 32 - 8 * n as u32;
    let v = w.wrapping_sub(0x3030_3030) << shift;
    if (v.wrapping_add(0x7676_7676 << shift) | v) & (0x8080_8080 << shift) != 0 {
        return None;
    }
    Some(combine32(v))
}

/// The number whose digit values (0 to 9, one a byte) fill `x`, most significant first: pairs
/// (the byte of each and the next, no carry past a byte), then the two pairs.
#[inline(always)]
fn combine32(x: u32) -> u32 {
    let x = x.wrapping_mul(10).wrapping_add(x >> 8);
    (x & 0x00FF_00FF).wrapping_mul(1 + (100 << 16)) >> 16
}

/// A tag of one to four digits, the first 1-9 (no leading zero), and the `=` after it at the
/// start of `w`: the tag and its digit count; `(0, 0)` for `=` with no digit before it; `None`
/// for anything else (a longer tag among others). All in 32 bits, with constants that fit an
/// instruction.
#[inline(always)]
pub(crate) fn short_tag(w: u64) -> Option<(u32, u32)> {
    let low = w as u32;
    // The first byte against 1-9, the others against 0-9. As in `digit_run`, only a marked byte
    // borrows or carries into the next, so the first mark is exact; four digits leave no mark,
    // a shift of 32.
    let v = low.wrapping_sub(0x3030_3031);
    // The marks moved to the bytes' low bits: a mark's bit number is then its byte's shift, and
    // none leaves 32, with no mask after the scan.
    let shift = (((low.wrapping_add(0x4646_4646) | v) & 0x8080_8080) >> 7).trailing_zeros();
    if (w >> shift) as u8 != b'=' {
        return None;
    }
    // The digits (the first one's 1 added back: it was 1-9, so nothing carries) moved to the
    // top of 32 bits, zeros before them, none when there is no digit.
    Some((combine32(((u64::from(v) + 1) << (32 - shift)) as u32), shift / 8))
}

/// The eight decimal digits of `n` (below 10^8), zero-padded, as digit values (0 to 9) one a
/// byte, the most significant first (lowest): the inverse of [`combine`]. Split in halves of
/// four digits, quarters of two and single digits, all the lanes of a step divided by one
/// multiply and shift, exact for the lanes' ranges (x / 100 as x * 5243 >> 19 below 43,699,
/// x / 10 as x * 103 >> 10 below 179).
#[inline(always)]
pub(crate) fn digit_values(n: u32) -> u64 {
    debug_assert!(n < 100_000_000);
    let v = u64::from(n / 10_000) | u64::from(n % 10_000) << 32;
    let high = ((v * 5243) >> 19) & 0x0000_007F_0000_007F;
    let v = high | (v - high * 100) << 16;
    let high = ((v * 103) >> 10) & 0x000F_000F_000F_000F;
    high | (v - high * 10) << 8
}

/// The number whose digit values (0 to 9, one a byte) fill `v`, most significant first.
#[inline(always)]
fn combine(v: u64) -> u64 {
    // Combined in pairs, fours and eights.
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32))
        + ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &[u8]) -> u64 {
        let mut bytes = [b'x'; 8];
        bytes[..text.len()].copy_from_slice(text);
        u64::from_le_bytes(bytes)
    }

    #[test]
    fn digits_read_every_width_and_refuse_every_other_byte() {
        for n in 1..=8usize {
            for value in [0u64, 1, 7, 10, 99, 268, 4_096, 99_999, 1_234_567, 98_765_432] {
                let text = format!("{value:0n$}");
                if text.len() == n {
                    assert_eq!(digits(word(text.as_bytes()), n), Some(value), "{text}");
                    if n <= 4 {
                        assert_eq!(digits32(word(text.as_bytes()) as u32, n), Some(value as u32), "{text}");
                    }
                }
            }
            for bad in (0..=255u8).filter(|b| !b.is_ascii_digit()) {
                for at in 0..n {
                    let mut text = vec![b'5'; n];
                    text[at] = bad;
                    assert_eq!(digits(word(&text), n), None, "{text:?}");
                    if n <= 4 {
                        assert_eq!(digits32(word(&text) as u32, n), None, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn digit_runs_and_their_numbers() {
        for n in 1..=7usize {
            for value in [0u64, 1, 7, 10, 99, 268, 4_096, 21_006, 99_999, 1_234_567] {
                let text = format!("{value:0n$}=");
                if text.len() == n + 1 {
                    let w = word(text.as_bytes());
                    assert_eq!(digit_run(w), n, "{text}");
                    assert_eq!(digits_unchecked(w, n), value, "{text}");
                    assert_eq!(u64::from(digits_below(w, digit_run_bits(w))), value, "{text}");
                }
            }
        }
        assert_eq!(digit_run(word(b"12345678")), 8);
        assert_eq!(digit_run(word(b"=1")), 0);
        assert_eq!(digit_run(word(b"12/4")), 2);
        for (text, bits) in [(&b"12345678"[..], 0), (b"=1", 0), (b"12/4", 16), (b"1234567=", 56), (b"5=", 8)] {
            assert_eq!(digit_run_bits(word(text)), bits, "{text:?}");
        }
    }

    #[test]
    fn short_tags_read_one_to_four_digits_and_refuse_the_rest() {
        for tag in (1..10_000u32).step_by(7).chain([1, 9, 10, 99, 100, 999, 1000, 9999]) {
            let text = format!("{tag}=x");
            let width = text.len() as u32 - 2;
            assert_eq!(short_tag(word(text.as_bytes())), Some((tag, width)), "{text}");
        }
        assert_eq!(short_tag(word(b"=1")), Some((0, 0)));
        for text in [&b"0=1"[..], b"01=1", b"12345=1", b"1234", b"12a=", b"1\x01=", b"\x81=", b":=", b"/="] {
            assert_eq!(short_tag(word(text)), None, "{text:?}");
        }
        // Every byte value as the first and as a later byte.
        for b in 0..=255u8 {
            let first = short_tag(word(&[b, b'=']));
            let expected = match b {
                b'1'..=b'9' => Some((u32::from(b - b'0'), 1)),
                b'=' => Some((0, 0)),
                _ => None,
            };
            assert_eq!(first, expected, "{b:#x}");
            let later = short_tag(word(&[b'7', b, b'=']));
            let expected = match b {
                b'0'..=b'9' => Some((70 + u32::from(b - b'0'), 2)),
                b'=' => Some((7, 1)),
                _ => None,
            };
            assert_eq!(later, expected, "{b:#x}");
        }
    }

    #[test]
    fn digit_values_are_the_digits_and_combine_back() {
        let mut numbers: Vec<u32> = (0..8).flat_map(|p| [10u32.pow(p) - 1, 10u32.pow(p), 10u32.pow(p) + 7]).collect();
        numbers.extend([0, 42, 99_999_999, 12_345_678, 43_699, 179, 9_999, 10_000]);
        numbers.extend((0..100_000_000).step_by(9_973));
        for n in numbers {
            let v = digit_values(n);
            let text: Vec<u8> = v.to_le_bytes().iter().map(|d| b'0' + d).collect();
            assert_eq!(text, format!("{n:08}").as_bytes(), "{n}");
            assert_eq!(combine(v), u64::from(n));
        }
    }

    #[test]
    fn soh_marks_find_the_first_soh() {
        for at in 0..8 {
            let mut bytes = [0x02u8; 8];
            bytes[at] = 1;
            if at < 7 {
                bytes[7] = 1;
            }
            let marks = soh_marks(u64::from_le_bytes(bytes));
            assert_eq!(marks.trailing_zeros() as usize / 8, at);
        }
        assert_eq!(soh_marks(u64::from_le_bytes([0, 2, 0x81, 0x80, 0xff, 0x10, 0, 2])), 0);
    }
}
