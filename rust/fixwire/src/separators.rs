//! Where a byte value (SOH, `=`) occurs in a message, 64 bytes at a time.
//!
//! A field is `tag=value<SOH>`: knowing where the SOH bytes are, a reader steps from field to
//! field with a bit scan instead of looking at every byte of every value. [`block_mask`] marks a
//! byte value in a 64-byte block as one bit a byte, [`lane_mask`] in 16 bytes: with SSE2 on
//! x86_64 (part of its baseline, so no runtime check is needed), a word at a time elsewhere.
//! [`mask_at`] does it for any block of a message, the short last one included.

/// Bytes per block: one bit of a `u64` mask each.
pub(crate) const BLOCK: usize = 64;

/// Bytes per lane: one SSE2 compare.
pub(crate) const LANE: usize = 16;

/// Bit `i` set when `lane[i] == byte`: one SSE2 compare on x86_64 (part of its baseline, so
/// no runtime check is needed), two words elsewhere.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn lane_mask(lane: &[u8; LANE], byte: u8) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: SSE2 is enabled on every x86_64 target, so these intrinsics exist on any CPU
    // this code runs on. `_mm_loadu_si128` reads 16 bytes from the pointer with no alignment
    // requirement, and `lane` is 16 bytes long, so every byte read is inside it.
    let found = unsafe {
        _mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128(lane.as_ptr().cast()),
            _mm_set1_epi8(i8::from_ne_bytes([byte])),
        ))
    };
    // The move mask sets the low 16 bits only, so it is never negative.
    found.unsigned_abs()
}

/// Copies `src` to `dst` and returns [`lane_mask`] of it, from one SSE2 load on x86_64.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn copy_lane(dst: &mut [u8; LANE], src: &[u8; LANE], byte: u8) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8, _mm_storeu_si128};
    // SAFETY: SSE2 is enabled on every x86_64 target. The unaligned load reads the 16 bytes of
    // `src` and the unaligned store writes the 16 bytes of `dst`, both whole arrays.
    let found = unsafe {
        let lane = _mm_loadu_si128(src.as_ptr().cast());
        _mm_storeu_si128(dst.as_mut_ptr().cast(), lane);
        _mm_movemask_epi8(_mm_cmpeq_epi8(lane, _mm_set1_epi8(i8::from_ne_bytes([byte]))))
    };
    // The move mask sets the low 16 bits only, so it is never negative.
    found.unsigned_abs()
}

/// Copies `src` to `dst` and returns [`lane_mask`] of it (targets without SSE2).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn copy_lane(dst: &mut [u8; LANE], src: &[u8; LANE], byte: u8) -> u32 {
    *dst = *src;
    lane_mask(src, byte)
}

/// Bit `i` set when `lane[i] == byte` (targets without SSE2).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn lane_mask(lane: &[u8; LANE], byte: u8) -> u32 {
    let (low, high) = lane.split_at(8);
    let word = |w: &[u8]| word_mask(u64::from_le_bytes(w.try_into().expect("eight bytes")), byte);
    (word(low) | word(high) << 8) as u32
}

/// Bit `i` set when `block[i] == byte`, a lane ([`lane_mask`]) at a time.
#[inline(always)]
pub(crate) fn block_mask(block: &[u8; BLOCK], byte: u8) -> u64 {
    let mut mask = 0;
    for (i, lane) in block.chunks_exact(LANE).enumerate() {
        mask |= u64::from(lane_mask(lane.try_into().expect("chunks of a lane"), byte)) << (LANE * i);
    }
    mask
}

/// [`block_mask`] without vector instructions, a word ([`word_mask`]) at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
pub(crate) fn block_mask_by_words(block: &[u8; BLOCK], byte: u8) -> u64 {
    let mut mask = 0;
    for (i, word) in block.chunks_exact(8).enumerate() {
        mask |= word_mask(u64::from_le_bytes(word.try_into().expect("chunks of eight")), byte) << (8 * i);
    }
    mask
}

/// Bit `i` (of the low eight) set when byte `i` of `word` (little-endian) is `byte`: each byte
/// equal to `byte` becomes zero (XOR), an exact zero-byte test sets its high bit, and a multiply
/// gathers the eight high bits into one byte.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn word_mask(word: u64, byte: u8) -> u64 {
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Bit 8k (the flag of byte k) times 2^(56 - 7k) lands on bit 56 + k; the other products
    // land on distinct bits below 56 or past 63, so nothing carries into the top byte.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let x = word ^ (ONES * u64::from(byte));
    // High bit of each byte set exactly when the byte is zero (no borrow between bytes).
    let zero = !(((x & LOWS) + LOWS) | x | LOWS);
    (zero >> 7).wrapping_mul(GATHER) >> 56
}

/// [`block_mask`] of block `block` of `bytes` (bytes `64 * block` on); the last block, when
/// shorter, is read as if padded with bytes other than `byte`, and blocks past the end are 0.
#[inline(always)]
pub(crate) fn mask_at(bytes: &[u8], block: usize, byte: u8) -> u64 {
    let start = block.saturating_mul(BLOCK);
    match bytes.get(start..).map(<[u8]>::first_chunk::<BLOCK>) {
        Some(Some(whole)) => block_mask(whole, byte),
        Some(None) => tail_mask(&bytes[start..], byte),
        None => 0,
    }
}

/// The mask of a block shorter than 64 bytes.
#[cold]
fn tail_mask(tail: &[u8], byte: u8) -> u64 {
    let mut padded = [!byte; BLOCK];
    padded[..tail.len()].copy_from_slice(tail);
    block_mask(&padded, byte)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SOH;

    /// Bit `i` set where `bytes[i] == byte`, one byte at a time.
    fn reference(bytes: &[u8], byte: u8) -> u64 {
        bytes.iter().enumerate().filter(|&(_, &b)| b == byte).fold(0, |mask, (i, _)| mask | 1 << i)
    }

    #[test]
    fn masks_mark_exactly_the_byte() {
        // Every byte value at every position, among the values where borrows and the sign bit
        // could leak into a neighbour.
        let neighbours = [0x00, 0x01, 0x02, b'<', b'=', b'>', 0x7f, 0x80, 0x81, 0xbd, 0xfe, 0xff];
        for value in 0..=255u8 {
            for at in 0..BLOCK {
                let mut block = [0u8; BLOCK];
                for (i, b) in block.iter_mut().enumerate() {
                    *b = neighbours[(i * 5 + usize::from(value)) % neighbours.len()];
                }
                block[at] = value;
                for byte in [SOH, b'=', value] {
                    let expected = reference(&block, byte);
                    assert_eq!(block_mask(&block, byte), expected, "{byte:#x} in {block:?}");
                    assert_eq!(block_mask_by_words(&block, byte), expected, "by words: {byte:#x} in {block:?}");
                }
            }
        }
    }

    #[test]
    fn every_block_of_a_message_is_masked_the_short_last_one_too() {
        for len in [0, 1, 63, 64, 65, 127, 128, 200] {
            let bytes: Vec<u8> = (0..len).map(|i| [b'4', b'=', b'x', SOH, 0xfe][(i * 7 + i / 3) % 5]).collect();
            for block in 0..len / BLOCK + 2 {
                let part = bytes.get(block * BLOCK..).unwrap_or_default();
                let part = &part[..part.len().min(BLOCK)];
                for byte in [SOH, b'=', 0xfe, 0x01] {
                    assert_eq!(mask_at(&bytes, block, byte), reference(part, byte), "len {len} block {block}");
                }
            }
        }
        assert_eq!(mask_at(b"ab", usize::MAX, b'a'), 0);
    }
}
