//! Where a byte value (SOH, `=`) occurs in a message, 64 bytes at a time.
//!
//! A field is `tag=value<SOH>`: knowing where the SOH bytes are, a reader steps from field to
//! field with a bit scan instead of looking at every byte of every value. [`block_mask`] marks a
//! byte value in a 64-byte block as one bit a byte, [`lane_mask`] in 16 bytes: with SSE2 on
//! x86_64 (part of its baseline, so no runtime check is needed), a word at a time elsewhere.
//! [`mask_at`] does it for any block of a message, the short last one included; [`block_masks`]
//! for all of a message's blocks at once, with AVX2 when the CPU has it (detected at run time).

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

/// Writes the [`block_mask`] of each 64-byte block of `bytes` into `masks`, in order, as many as
/// both hold, the short last block too when `bytes` has a whole block before it (from the last
/// 64 bytes, shifted; for a message shorter than a block the caller pads): two 32-byte AVX2
/// compares a block when the CPU has AVX2 (detected at run time, so a build for baseline
/// x86-64 gets it), else [`block_mask`].
#[inline(always)]
pub(crate) fn block_masks(bytes: &[u8], masks: &mut [u64], byte: u8) {
    #[cfg(target_arch = "x86_64")]
    {
        // The feature check is a load of a cached word after the first call.
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just now: the one promise `avx2_block_masks` needs.
            #[allow(unsafe_code)]
            unsafe {
                avx2_block_masks(bytes, masks, byte);
            }
            return;
        }
    }
    masks_with(bytes, masks, |block| block_mask(block, byte));
}

/// The masks of [`block_masks`], each block's from `mask_of`.
#[inline(always)]
fn masks_with(bytes: &[u8], masks: &mut [u64], mask_of: impl Fn(&[u8; BLOCK]) -> u64) {
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut masks = masks.iter_mut();
    // The blocks first: `zip` takes no mask past the last whole block.
    for (block, mask) in blocks.by_ref().zip(masks.by_ref()) {
        *mask = mask_of(block.try_into().expect("chunks of a block"));
    }
    let tail = blocks.remainder().len();
    if let (Some(mask), Some(last), true) = (masks.next(), bytes.last_chunk::<BLOCK>(), tail > 0) {
        // The last 64 bytes, shifted to start where the short block does.
        *mask = mask_of(last) >> (BLOCK - tail);
    }
}

/// [`block_masks`] with AVX2: out of line (a function with a target feature of its own), so a
/// message pays one call for all its blocks.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx2")]
unsafe fn avx2_block_masks(bytes: &[u8], masks: &mut [u64], byte: u8) {
    use std::arch::x86_64::{_mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8};
    masks_with(bytes, masks, |block| {
        let p = block.as_ptr();
        // SAFETY: AVX2 is enabled for this function and the CPU has it (the caller's promise).
        // `block` is 64 bytes long: the unaligned loads read bytes 0-31 and 32-63 of it.
        let (low, high) = unsafe {
            let needle = _mm256_set1_epi8(i8::from_ne_bytes([byte]));
            (
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(p.cast()), needle)),
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256(p.add(32).cast()), needle)),
            )
        };
        // Each move mask is 32 bits, one a byte: reinterpreted, not converted.
        u64::from(u32::from_ne_bytes(low.to_ne_bytes())) | u64::from(u32::from_ne_bytes(high.to_ne_bytes())) << 32
    });
}

/// A way the masks of a message's blocks can be made, for the tests and the `parse_paths`
/// fuzz target, which hold each to the others; not part of the API.
#[cfg(any(test, feature = "dispatch-paths"))]
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaskPath {
    /// [`block_masks`] as this CPU dispatches it.
    Dispatched,
    /// Two 32-byte AVX2 compares a block (x86_64 with AVX2).
    Avx2,
    /// [`block_mask`]: 16-byte SSE2 lanes on x86_64, words elsewhere.
    Lanes,
    /// [`block_mask_by_words`], a word at a time.
    Words,
    /// [`mask_at`], a block at a time, the short last one padded.
    Blocks,
}

#[cfg(any(test, feature = "dispatch-paths"))]
impl MaskPath {
    /// Every path.
    pub const ALL: [Self; 5] = [Self::Dispatched, Self::Avx2, Self::Lanes, Self::Words, Self::Blocks];

    /// The masks of `byte` in each 64-byte block of `bytes` (the short last one from the last
    /// 64 bytes, as [`block_masks`] reads it) by this path; `None` where the path does not
    /// apply: the CPU lacks its instructions, or `bytes` is shorter than a block and the path
    /// leaves it to its caller to pad ([`MaskPath::Blocks`] pads).
    pub fn masks(self, bytes: &[u8], byte: u8) -> Option<Vec<u64>> {
        let mut masks = vec![0; bytes.len().div_ceil(BLOCK)];
        if bytes.len() < BLOCK && self != Self::Blocks {
            return None;
        }
        match self {
            Self::Dispatched => block_masks(bytes, &mut masks, byte),
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 if std::is_x86_feature_detected!("avx2") => {
                // SAFETY: the CPU has AVX2, checked just now.
                #[allow(unsafe_code)]
                unsafe {
                    avx2_block_masks(bytes, &mut masks, byte);
                }
            }
            Self::Avx2 => return None,
            Self::Lanes => masks_with(bytes, &mut masks, |block| block_mask(block, byte)),
            Self::Words => masks_with(bytes, &mut masks, |block| block_mask_by_words(block, byte)),
            Self::Blocks => {
                for (block, mask) in masks.iter_mut().enumerate() {
                    *mask = mask_at(bytes, block, byte);
                }
            }
        }
        Some(masks)
    }
}

/// [`block_mask`] without vector instructions, a word ([`word_mask`]) at a time.
#[cfg(any(test, feature = "dispatch-paths"))]
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
    use crate::testing::{Aligned, Ran};
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

    /// Every path this CPU runs marks SOH, `=` and a high byte exactly, at every length to 300
    /// from every offset of a 64-byte line, among bytes that hold all three and their
    /// neighbours.
    #[test]
    fn every_path_masks_every_length_from_every_alignment() {
        let values = [SOH, b'=', 0xff, 0x80, 0x00, 0x02, b'<', b'>', b'9', 0x7f, 0xfe, 0x81, b'a'];
        let buf = Aligned::filled(|i| values[(i * 7 + i / 5) % values.len()] ^ u8::from(i % 11 == 10));
        let mut ran = Ran::new();
        for start in 0..BLOCK {
            for len in 0..=300 {
                let part = &buf.0[start..start + len];
                for byte in [SOH, b'=', 0xff] {
                    let want: Vec<u64> = part.chunks(BLOCK).map(|block| reference(block, byte)).collect();
                    for path in MaskPath::ALL {
                        if let Some(masks) = path.masks(part, byte) {
                            assert_eq!(masks, want, "{path:?}: {byte:#x} in {len} bytes from offset {start}");
                            ran.note(path);
                        }
                    }
                }
                // Fewer masks than blocks: the first ones only.
                if len > BLOCK {
                    let mut first = [0; 1];
                    block_masks(part, &mut first, SOH);
                    assert_eq!(first[0], reference(&part[..BLOCK], SOH));
                }
            }
        }
        let mut expected = vec![MaskPath::Dispatched, MaskPath::Lanes, MaskPath::Words, MaskPath::Blocks];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            expected.push(MaskPath::Avx2);
        }
        ran.assert_exactly(expected, 10_000);
    }
}
