//! CheckSum <10>: the sum of every byte before the `10=` field, modulo 256.
//!
//! Because only the sum modulo 256 matters, bytes can be added with wrapping byte arithmetic in
//! independent lanes and the lanes folded at the end. On x86_64 that is one packed byte-add per
//! 16 bytes with SSE2, which every x86_64 CPU has, or per 32 bytes with AVX2 when the CPU has it
//! (detected at run time, once, so a wheel built for baseline x86-64 still gets it). The last
//! bytes that do not fill a lane are the end of one overlapping lane with the bytes already
//! added masked out, so there is no byte-at-a-time tail from 16 bytes on; the lanes are folded
//! by one sum-of-absolute-differences against zero. Elsewhere a 64-lane accumulator lets the
//! compiler vectorise the same sum.

/// Bytes from which the AVX2 path pays for its call and its dispatch.
#[cfg(target_arch = "x86_64")]
const AVX2_FROM: usize = 64;

/// The FIX checksum of `data`: the sum of its bytes modulo 256.
///
/// ```
/// assert_eq!(fixwire::checksum(b"8=FIX.4.2\x01"), (b"8=FIX.4.2\x01".iter().map(|&b| u32::from(b)).sum::<u32>() % 256) as u8);
/// ```
#[inline]
pub fn checksum(data: &[u8]) -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        if data.len() >= AVX2_FROM {
            if let Some(sum) = x86::avx2(data) {
                return sum;
            }
        }
        if data.len() >= x86::LANE {
            return x86::sse2(data);
        }
        short(data)
    }
    #[cfg(not(target_arch = "x86_64"))]
    portable(data)
}

/// The sum of fewer than 16 bytes: two overlapping words of eight, the second shifted past the
/// bytes the first added, or a byte at a time below eight.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn short(data: &[u8]) -> u8 {
    let n = data.len();
    if n < 8 {
        return data.iter().fold(0u8, |sum, &b| sum.wrapping_add(b));
    }
    let word = |at: usize| u64::from_le_bytes(data[at..at + 8].try_into().expect("eight bytes"));
    // The last word's first 16 - n bytes are the first word's last ones: shift them out (in two
    // steps, as all eight go at n = 8 and a shift by 64 is not one).
    word_sum(word(0)).wrapping_add(word_sum(word(n - 8) >> (8 * (15 - n)) >> 8))
}

/// The sum of a word's eight bytes modulo 256: pairs of bytes in 16-bit lanes (at most 510
/// each), then the four lanes summed into the top lane by one multiply (at most 2,040, no carry
/// out of 16 bits).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn word_sum(w: u64) -> u8 {
    const EVEN: u64 = 0x00ff_00ff_00ff_00ff;
    let pairs = (w & EVEN) + ((w >> 8) & EVEN);
    (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as u8
}

/// The sum of `data` with AVX2, for a caller compiled with AVX2 itself (into which it inlines).
///
/// # Safety
/// The CPU must have AVX2 and `data` must hold at least 32 bytes.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn avx2_checksum(data: &[u8]) -> u8 {
    // SAFETY: the caller's promise is `avx2_sum`'s.
    unsafe { x86::avx2_sum(data) }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_castsi256_si128, _mm256_extracti128_si256,
        _mm256_loadu_si256, _mm256_setzero_si256, _mm_add_epi64, _mm_add_epi8, _mm_and_si128, _mm_cvtsi128_si32,
        _mm_loadu_si128, _mm_sad_epu8, _mm_setzero_si128, _mm_unpackhi_epi64,
    };

    /// Bytes of an SSE2 lane.
    pub(super) const LANE: usize = 16;
    /// Bytes of an AVX2 lane.
    const WIDE: usize = 32;

    /// 32 zero bytes then 32 bytes of ones: the 32 bytes from offset `k` keep the last `k`
    /// bytes of a lane (the first `32 - k` are zero), the 16 from offset `16 + k` the last `k`
    /// of a 16-byte lane.
    static TAIL_MASKS: [u8; 64] = {
        let mut masks = [0u8; 64];
        let mut i = WIDE;
        while i < 64 {
            masks[i] = 0xff;
            i += 1;
        }
        masks
    };

    /// The sum modulo 256 of the sixteen bytes of `lanes`: one sum of absolute differences
    /// against zero gives the sums of its two halves.
    #[inline(always)]
    fn fold(lanes: __m128i) -> u8 {
        // SAFETY: SSE2 is part of every x86_64 target's baseline, so these intrinsics exist on
        // any CPU this code runs on; they read and write registers only.
        unsafe {
            let halves = _mm_sad_epu8(lanes, _mm_setzero_si128());
            _mm_cvtsi128_si32(_mm_add_epi64(halves, _mm_unpackhi_epi64(halves, halves))).to_le_bytes()[0]
        }
    }

    /// The sum of `data` (16 bytes or more) in 16-byte lanes.
    pub(super) fn sse2(data: &[u8]) -> u8 {
        let n = data.len();
        assert!(n >= LANE);
        let p = data.as_ptr();
        // SAFETY: SSE2 is part of every x86_64 target's baseline. Every unaligned load reads 16
        // bytes at `p + i` with `i + 16 <= n`, inside `data`: the loops' conditions say so, and
        // the last lane starts at `n - 16 >= 0`. The mask is read at `16 + (n - i)` with
        // `n - i` from 0 to 16 (the lanes from `i` on cover all but fewer than 16 bytes, or
        // `i` is 16 and `n` at most 32), so its 16 bytes end inside the 64 of `TAIL_MASKS`.
        unsafe {
            let load = |i: usize| _mm_loadu_si128(p.add(i).cast());
            let tail =
                |i: usize| _mm_and_si128(load(n - LANE), _mm_loadu_si128(TAIL_MASKS.as_ptr().add(LANE + n - i).cast()));
            if n <= 2 * LANE {
                // The first lane, and the last with the bytes the first added masked out: no loop.
                return fold(_mm_add_epi8(load(0), tail(LANE)));
            }
            let (mut first, mut second) = (_mm_setzero_si128(), _mm_setzero_si128());
            let mut i = 0;
            while i + 4 * LANE <= n {
                first = _mm_add_epi8(first, _mm_add_epi8(load(i), load(i + LANE)));
                second = _mm_add_epi8(second, _mm_add_epi8(load(i + 2 * LANE), load(i + 3 * LANE)));
                i += 4 * LANE;
            }
            while i + LANE <= n {
                first = _mm_add_epi8(first, load(i));
                i += LANE;
            }
            if i < n {
                second = _mm_add_epi8(second, tail(i));
            }
            fold(_mm_add_epi8(first, second))
        }
    }

    /// The sum of `data` in 32-byte lanes; `None` when the CPU has no AVX2 or `data` is
    /// shorter than a lane.
    #[inline(always)]
    pub(super) fn avx2(data: &[u8]) -> Option<u8> {
        // The feature check is a load of a cached word after the first call.
        (data.len() >= WIDE && std::is_x86_feature_detected!("avx2")).then(|| {
            // SAFETY: the CPU has AVX2 and `data` at least 32 bytes, both checked above.
            unsafe { avx2_sum(data) }
        })
    }

    /// # Safety
    /// The CPU must have AVX2 and `data` must hold at least 32 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn avx2_sum(data: &[u8]) -> u8 {
        let n = data.len();
        let p = data.as_ptr();
        // SAFETY: every unaligned load reads 32 bytes at `p + i` with `i + 32 <= n` (the loops'
        // conditions; the last lane starts at `n - 32 >= 0`, the caller's promise), inside
        // `data`. The mask is read at `n - i`, from 0 to 32 (the lanes from `i` on cover all
        // but fewer than 32 bytes, or `i` is 32 and `n` at most 64), so its 32 bytes end inside
        // the 64 of `TAIL_MASKS`. AVX2 is enabled for this function, and the CPU has it.
        unsafe {
            let load = |i: usize| -> __m256i { _mm256_loadu_si256(p.add(i).cast()) };
            let tail =
                |i: usize| _mm256_and_si256(load(n - WIDE), _mm256_loadu_si256(TAIL_MASKS.as_ptr().add(n - i).cast()));
            let fold_wide =
                |sum: __m256i| fold(_mm_add_epi8(_mm256_castsi256_si128(sum), _mm256_extracti128_si256::<1>(sum)));
            if n <= 2 * WIDE {
                // The first lane, and the last with the bytes the first added masked out: no loop.
                return fold_wide(_mm256_add_epi8(load(0), tail(WIDE)));
            }
            let (mut first, mut second) = (_mm256_setzero_si256(), _mm256_setzero_si256());
            let mut i = 0;
            while i + 4 * WIDE <= n {
                first = _mm256_add_epi8(first, _mm256_add_epi8(load(i), load(i + WIDE)));
                second = _mm256_add_epi8(second, _mm256_add_epi8(load(i + 2 * WIDE), load(i + 3 * WIDE)));
                i += 4 * WIDE;
            }
            while i + WIDE <= n {
                first = _mm256_add_epi8(first, load(i));
                i += WIDE;
            }
            if i < n {
                second = _mm256_add_epi8(second, tail(i));
            }
            fold_wide(_mm256_add_epi8(first, second))
        }
    }
}

/// The sum in 64 lanes that the compiler vectorises for the target (targets other than x86_64).
#[cfg(not(target_arch = "x86_64"))]
fn portable(data: &[u8]) -> u8 {
    const LANES: usize = 64;
    let mut lanes = [0u8; LANES];
    let mut chunks = data.chunks_exact(LANES);
    for chunk in &mut chunks {
        for (lane, &b) in lanes.iter_mut().zip(chunk) {
            *lane = lane.wrapping_add(b);
        }
    }
    let tail = chunks.remainder().iter().fold(0u8, |sum, &b| sum.wrapping_add(b));
    lanes.iter().fold(tail, |sum, &b| sum.wrapping_add(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(data: &[u8]) -> u8 {
        (data.iter().map(|&b| u64::from(b)).sum::<u64>() % 256) as u8
    }

    #[test]
    fn matches_reference_at_every_length_around_the_lane_boundaries() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(checksum(&data[..len]), reference(&data[..len]), "length {len}");
        }
    }

    #[test]
    fn unaligned_starts_agree() {
        let data = vec![0xffu8; 4096 + 17];
        for start in 0..40 {
            assert_eq!(checksum(&data[start..]), reference(&data[start..]));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_path_matches_the_reference() {
        // Both vector paths whatever the CPU picks, the byte values that carry across lanes.
        let data: Vec<u8> =
            (0..700u32).map(|i| [0xff, 0x80, 0x7f, 1, 0, 0xfe][(i * 7 % 6) as usize] ^ (i as u8)).collect();
        for len in 0..data.len() {
            let part = &data[..len];
            if len < x86::LANE {
                assert_eq!(short(part), reference(part), "short, length {len}");
            } else {
                assert_eq!(x86::sse2(part), reference(part), "SSE2, length {len}");
            }
            if let Some(sum) = x86::avx2(part) {
                assert_eq!(sum, reference(part), "AVX2, length {len}");
            }
        }
    }

    #[test]
    fn wraps_modulo_256() {
        assert_eq!(checksum(b""), 0);
        assert_eq!(checksum(&[200, 100]), 44);
        // 8=FIX.4.2|9=5|35=0| sums to 929, and 929 mod 256 = 161.
        assert_eq!(checksum(b"8=FIX.4.2\x019=5\x0135=0\x01"), 161);
    }
}
