//! CheckSum <10>: the sum of every byte before the `10=` field, modulo 256.
//!
//! Because only the sum modulo 256 matters, bytes can be added with wrapping byte arithmetic in
//! independent lanes and the lanes folded at the end. On x86_64, 16 to 64 bytes are summed
//! inline in 16-byte SSE2 lanes (every x86_64 CPU has SSE2), without a loop: the first lanes,
//! then the last 16 or 32 bytes with those already added masked out. Longer inputs go to the
//! widest vectors the CPU has, detected at run time (once, so a wheel built for baseline
//! x86-64 still gets them): 64-byte AVX-512 lanes whose last partial lane is added under a byte
//! mask, else 32-byte AVX2 lanes, else 16-byte SSE2 lanes, both ending with an overlapping
//! lane whose bytes already added are masked out. The lanes are folded by one sum of absolute
//! differences against zero. Fewer than 16 bytes are summed a word at a time. Elsewhere a
//! 64-lane accumulator lets the compiler vectorise the same sum.

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86;

#[cfg(all(target_arch = "x86_64", any(test, feature = "dispatch-paths")))]
pub(crate) use x86::widest;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{detected, Vectors};

/// The FIX checksum of `data`: the sum of its bytes modulo 256.
///
/// ```
/// assert_eq!(fixwire::checksum(b"8=FIX.4.2\x01"), (b"8=FIX.4.2\x01".iter().map(|&b| u32::from(b)).sum::<u32>() % 256) as u8);
/// ```
#[inline]
pub fn checksum(data: &[u8]) -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        if data.len() > x86::INLINE_MAX {
            return x86::wide(data);
        }
        if data.len() >= x86::LANE {
            return x86::sse2_short(data);
        }
        short(data)
    }
    #[cfg(not(target_arch = "x86_64"))]
    portable(data)
}

/// The checksum of `data` with AVX-512, for a caller compiled with AVX-512BW itself (into
/// which it inlines).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
#[inline]
pub(crate) fn avx512_checksum(data: &[u8]) -> u8 {
    x86::avx512(data)
}

/// The checksum of `data` with AVX2, for a caller compiled with AVX2 itself (into which it
/// inlines).
///
/// # Safety
/// `data` must hold at least 32 bytes.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn avx2_checksum(data: &[u8]) -> u8 {
    // SAFETY: AVX2 is enabled here, and the caller's promise is `avx2`'s other one.
    unsafe { x86::avx2(data) }
}

/// A way [`checksum()`] can take, for the tests, the benches and the `frame_paths` fuzz target,
/// which hold every one to the plain byte sum and time each; not part of the API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChecksumPath {
    /// [`checksum()`] itself, as this CPU dispatches it.
    Dispatched,
    /// 64-byte AVX-512 lanes, the last one a masked load (x86_64 with AVX-512BW).
    Avx512,
    /// 32-byte AVX2 lanes (x86_64 with AVX2, 32 bytes or more).
    Avx2,
    /// 16-byte SSE2 lanes (x86_64, 16 bytes or more).
    Sse2,
    /// 16-byte SSE2 lanes without a loop (x86_64, 16 to 64 bytes).
    Sse2Inline,
    /// Words of eight bytes (x86_64, fewer than 16 bytes).
    Words,
    /// The 64-lane loop of targets other than x86_64.
    Portable,
}

impl ChecksumPath {
    /// Every path.
    pub const ALL: [Self; 7] =
        [Self::Dispatched, Self::Avx512, Self::Avx2, Self::Sse2, Self::Sse2Inline, Self::Words, Self::Portable];

    /// The checksum of `data` by this path; `None` where the path does not apply: the CPU lacks
    /// its instructions, or `data` is outside the lengths it takes.
    #[inline(always)]
    #[allow(unsafe_code)]
    pub fn checksum(self, data: &[u8]) -> Option<u8> {
        #[cfg(target_arch = "x86_64")]
        let n = data.len();
        match self {
            Self::Dispatched => Some(checksum(data)),
            Self::Portable => Some(portable(data)),
            // SAFETY: the CPU has AVX-512BW, checked first.
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => (x86::widest() == Vectors::Avx512).then(|| unsafe { x86::avx512(data) }),
            // SAFETY: the CPU has AVX2 and `data` holds 32 bytes or more, both checked first.
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => (n >= x86::WIDE && x86::widest() != Vectors::Sse2).then(|| unsafe { x86::avx2(data) }),
            #[cfg(target_arch = "x86_64")]
            Self::Sse2 => (n >= x86::LANE).then(|| x86::sse2(data)),
            #[cfg(target_arch = "x86_64")]
            Self::Sse2Inline => (x86::LANE..=x86::INLINE_MAX).contains(&n).then(|| x86::sse2_short(data)),
            #[cfg(target_arch = "x86_64")]
            Self::Words => (n < x86::LANE).then(|| short(data)),
            #[cfg(not(target_arch = "x86_64"))]
            _ => None,
        }
    }
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

/// The sum in 64 lanes that the compiler vectorises for the target (the path of targets other
/// than x86_64; compiled everywhere, so that x86_64's tests hold it to the byte sum too).
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
mod tests;
