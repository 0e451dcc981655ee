//! The x86_64 paths of the checksum: SSE2 (every x86_64 CPU), AVX2 and AVX-512 (when the CPU
//! has them, detected at run time once and kept in one byte).

use std::sync::atomic::{AtomicU8, Ordering};

use std::arch::x86_64::{
    __m128i, __m256i, __m512i, _mm256_add_epi8, _mm256_and_si256, _mm256_castsi256_si128, _mm256_extracti128_si256,
    _mm256_loadu_si256, _mm256_setzero_si256, _mm512_add_epi8, _mm512_cvtepi64_epi8, _mm512_loadu_si512,
    _mm512_mask_add_epi8, _mm512_maskz_loadu_epi8, _mm512_sad_epu8, _mm512_setzero_si512, _mm_add_epi64, _mm_add_epi8,
    _mm_and_si128, _mm_cvtsi128_si32, _mm_loadu_si128, _mm_sad_epu8, _mm_setzero_si128, _mm_unpackhi_epi64,
};

/// Bytes of an SSE2 lane.
pub(super) const LANE: usize = 16;
/// Bytes of an AVX2 lane.
pub(super) const WIDE: usize = 32;
/// Bytes of an AVX-512 lane.
const WIDEST: usize = 64;
/// The longest input summed inline with SSE2, without a loop; longer ones go to the widest
/// vectors the CPU has.
pub(super) const INLINE_MAX: usize = 64;

/// 32 zero bytes then 32 bytes of ones: the 32 bytes from offset `k` keep the last `k` bytes
/// of a 32-byte window (the first `32 - k` are zero), the 16 from offset `16 + k` the last `k`
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

/// The widest vectors this CPU sums with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Vectors {
    /// 16-byte SSE2 lanes, which every x86_64 CPU has.
    Sse2 = 1,
    /// 32-byte AVX2 lanes.
    Avx2 = 2,
    /// 64-byte AVX-512 lanes with byte masks (AVX-512BW, which implies AVX-512F).
    Avx512 = 3,
}

/// [`Vectors`] as detected, or 0 before the first call of [`widest`].
static DETECTED: AtomicU8 = AtomicU8::new(0);

/// The widest vectors this CPU has: one load of a byte and a compare or two after the first
/// call (the standard library's own cache is tested a feature at a time).
#[inline(always)]
pub(crate) fn widest() -> Vectors {
    match DETECTED.load(Ordering::Relaxed) {
        3 => Vectors::Avx512,
        2 => Vectors::Avx2,
        1 => Vectors::Sse2,
        _ => detect(),
    }
}

/// The widest vectors this CPU has, if [`widest`] has detected them: one load of a byte.
#[inline(always)]
pub(crate) fn detected() -> Option<Vectors> {
    match DETECTED.load(Ordering::Relaxed) {
        3 => Some(Vectors::Avx512),
        2 => Some(Vectors::Avx2),
        1 => Some(Vectors::Sse2),
        _ => None,
    }
}

/// Detects [`Vectors`] and keeps the answer (two threads may both detect; they agree).
#[cold]
#[inline(never)]
fn detect() -> Vectors {
    // AVX-512BW implies AVX2 in every CPU, but the code compiled for it may use AVX2 too, so a
    // CPU (or a virtual one) that says otherwise is taken at its word.
    let avx2 = std::is_x86_feature_detected!("avx2");
    let found = if avx2 && std::is_x86_feature_detected!("avx512bw") {
        Vectors::Avx512
    } else if avx2 {
        Vectors::Avx2
    } else {
        Vectors::Sse2
    };
    DETECTED.store(found as u8, Ordering::Relaxed);
    found
}

/// The sum of `data` (longer than [`INLINE_MAX`]) with the widest vectors the CPU has: one call
/// to a function compiled for them.
#[inline(always)]
pub(super) fn wide(data: &[u8]) -> u8 {
    match widest() {
        // SAFETY: the CPU has AVX-512BW: `avx512`'s one promise.
        Vectors::Avx512 => unsafe { avx512(data) },
        // SAFETY: the CPU has AVX2, and `data` is longer than 64 bytes: `avx2`'s promises.
        Vectors::Avx2 => unsafe { avx2(data) },
        Vectors::Sse2 => sse2(data),
    }
}

/// The sum modulo 256 of the sixteen bytes of `lanes`: one sum of absolute differences against
/// zero gives the sums of its two halves.
#[inline(always)]
fn fold(lanes: __m128i) -> u8 {
    // SAFETY: SSE2 is part of every x86_64 target's baseline, so these intrinsics exist on any
    // CPU this code runs on; they read and write registers only.
    unsafe {
        let halves = _mm_sad_epu8(lanes, _mm_setzero_si128());
        _mm_cvtsi128_si32(_mm_add_epi64(halves, _mm_unpackhi_epi64(halves, halves))).to_le_bytes()[0]
    }
}

/// The sum of 16 to 64 bytes in 16-byte lanes, without a loop: the first one or two lanes,
/// then the last 16 or 32 bytes with the ones those added masked out.
#[inline(always)]
pub(super) fn sse2_short(data: &[u8]) -> u8 {
    let n = data.len();
    assert!((LANE..=INLINE_MAX).contains(&n));
    let p = data.as_ptr();
    // SAFETY: SSE2 is part of every x86_64 target's baseline. The loads read 16 bytes at 0 and
    // `n - 16` (and at 16 and `n - 32` when `n > 32`), all inside `data` as `16 <= n <= 64`.
    // The masks are read at `16 + (n - 16)` = `n` (`n <= 32`), or at `n - 32` and `n - 16`
    // (`n > 32`), so their 16 bytes end inside the 64 of `TAIL_MASKS`.
    unsafe {
        let load = |i: usize| _mm_loadu_si128(p.add(i).cast());
        let mask = |at: usize| _mm_loadu_si128(TAIL_MASKS.as_ptr().add(at).cast());
        if n <= 2 * LANE {
            // The last lane keeps its last `n - 16` bytes.
            return fold(_mm_add_epi8(load(0), _mm_and_si128(load(n - LANE), mask(n))));
        }
        // The last 32 bytes keep their last `n - 32`.
        let head = _mm_add_epi8(load(0), load(LANE));
        let tail = _mm_add_epi8(
            _mm_and_si128(load(n - 2 * LANE), mask(n - 2 * LANE)),
            _mm_and_si128(load(n - LANE), mask(n - LANE)),
        );
        fold(_mm_add_epi8(head, tail))
    }
}

/// The sum of `data` (16 bytes or more) in 16-byte lanes, for CPUs without AVX2.
pub(super) fn sse2(data: &[u8]) -> u8 {
    let n = data.len();
    if n <= INLINE_MAX {
        return sse2_short(data);
    }
    let p = data.as_ptr();
    // SAFETY: SSE2 is part of every x86_64 target's baseline. Every unaligned load reads 16
    // bytes at `p + i` with `i + 16 <= n`, inside `data`: the loops' conditions say so, and the
    // last lane starts at `n - 16 > 0`. The mask is read at `16 + (n - i)` with `n - i` below
    // 16 (the lanes from `i` on cover all but fewer than 16 bytes), so its 16 bytes end inside
    // the 64 of `TAIL_MASKS`.
    unsafe {
        let load = |i: usize| _mm_loadu_si128(p.add(i).cast());
        let tail =
            |i: usize| _mm_and_si128(load(n - LANE), _mm_loadu_si128(TAIL_MASKS.as_ptr().add(LANE + n - i).cast()));
        fold(lanes(n, LANE, _mm_setzero_si128(), load, |a, b| _mm_add_epi8(a, b), tail))
    }
}

/// The byte-wise sum of `n` bytes in lanes of `width` bytes: two accumulators of two lanes each
/// while four lanes remain, then a lane at a time, then `tail(i)`, the last lane with the bytes
/// before `i` masked out, when the lanes from `i` cover all but fewer than `width` bytes.
#[inline(always)]
fn lanes<V: Copy>(
    n: usize,
    width: usize,
    zero: V,
    load: impl Fn(usize) -> V,
    add: impl Fn(V, V) -> V,
    tail: impl Fn(usize) -> V,
) -> V {
    let (mut first, mut second) = (zero, zero);
    let mut i = 0;
    while i + 4 * width <= n {
        first = add(first, add(load(i), load(i + width)));
        second = add(second, add(load(i + 2 * width), load(i + 3 * width)));
        i += 4 * width;
    }
    while i + width <= n {
        first = add(first, load(i));
        i += width;
    }
    if i < n {
        second = add(second, tail(i));
    }
    add(first, second)
}

/// The sum of `data` in 32-byte lanes, the last partial lane the end of an overlapping one
/// with the bytes already added masked out, for CPUs with AVX2 and without AVX-512.
///
/// # Safety
/// The CPU must have AVX2 and `data` must hold at least 32 bytes.
#[target_feature(enable = "avx2")]
#[inline]
pub(super) unsafe fn avx2(data: &[u8]) -> u8 {
    let n = data.len();
    let p = data.as_ptr();
    // SAFETY: every unaligned load reads 32 bytes at `p + i` with `i + 32 <= n` (the loops'
    // conditions; the last lane starts at `n - 32 >= 0`, the caller's promise), inside `data`.
    // The mask is read at `n - i`, from 0 to 32 (the lanes from `i` on cover all but fewer than
    // 32 bytes, or `i` is 32 and `n` at most 64), so its 32 bytes end inside the 64 of
    // `TAIL_MASKS`. AVX2 is enabled for this function, and the CPU has it.
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
        fold_wide(lanes(n, WIDE, _mm256_setzero_si256(), load, |a, b| _mm256_add_epi8(a, b), tail))
    }
}

/// The sum of `data` in 64-byte lanes, of any length, with no scalar tail: the last 1 to 64
/// bytes are the end of the last 64 bytes, added under a byte mask that leaves out those already
/// added, or, in fewer than 64 bytes, one masked load, which reads no byte outside `data`.
#[target_feature(enable = "avx512bw")]
#[inline]
pub(super) fn avx512(data: &[u8]) -> u8 {
    let n = data.len();
    if n == 0 {
        return 0;
    }
    let p = data.as_ptr();
    // SAFETY: every full load reads 64 bytes at `p + i` with `i + 64 < n` (the loops'
    // conditions), or at `n - 64 >= 0`, inside `data`. Below 64 bytes the one load is masked to
    // its first `n` bytes, inside `data`; the bytes masked out are not read, so they may lie
    // past its end (the CPU suppresses their faults). AVX-512BW is enabled for this function.
    unsafe {
        let load = |i: usize| -> __m512i { _mm512_loadu_si512(p.add(i).cast()) };
        let (mut first, mut second) = (_mm512_setzero_si512(), _mm512_setzero_si512());
        let mut i = 0;
        while i + 4 * WIDEST < n {
            first = _mm512_add_epi8(first, _mm512_add_epi8(load(i), load(i + WIDEST)));
            second = _mm512_add_epi8(second, _mm512_add_epi8(load(i + 2 * WIDEST), load(i + 3 * WIDEST)));
            i += 4 * WIDEST;
        }
        while i + WIDEST < n {
            first = _mm512_add_epi8(first, load(i));
            i += WIDEST;
        }
        // The loops leave 1 to 64 bytes from `i` (at least one as `n > 0`).
        if n >= WIDEST {
            let kept = u64::MAX << (WIDEST - (n - i));
            second = _mm512_mask_add_epi8(second, kept, second, load(n - WIDEST));
        } else {
            let kept = u64::MAX >> (WIDEST - (n - i));
            second = _mm512_add_epi8(second, _mm512_maskz_loadu_epi8(kept, p.add(i).cast()));
        }
        // Eight sums of eight bytes; only their low bytes count modulo 256, so those eight are
        // packed into one word (the rest of the register zero) and summed by one more `psadbw`.
        let sums = _mm512_sad_epu8(_mm512_add_epi8(first, second), _mm512_setzero_si512());
        let low_bytes = _mm512_cvtepi64_epi8(sums);
        _mm_cvtsi128_si32(_mm_sad_epu8(low_bytes, _mm_setzero_si128())).to_le_bytes()[0]
    }
}
