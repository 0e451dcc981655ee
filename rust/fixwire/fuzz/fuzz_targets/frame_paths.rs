//! Differential fuzzing of [`fixwire::frame`] against [`fixwire::frame_checked_in_full`]: the
//! word-at-a-time shortcut for the common message must give the verdict of every check made in
//! turn (the same message length, the same `Incomplete`, the same garbage and error) on any
//! bytes, with and without CheckSum <10> verification and with a small BodyLength <9> limit.
//! The sum that CheckSum is checked with is held to the plain byte sum by every path this CPU
//! runs ([`ChecksumPath`]: AVX-512, AVX2, SSE2, words, the portable loop, and as dispatched),
//! on every prefix of the buffer up to 300 bytes and on the buffer from each start tried, and
//! the frame by every way of checking CheckSum this CPU runs ([`FramePath`]: AVX-512, AVX2, the
//! sum as it dispatches itself) is the full check's.
//!
//! The first input byte picks the limit (0 means the default); the rest is the buffer, framed
//! from each of its first offsets, so that a message start anywhere in it is tried.

#![no_main]

use fixwire::{frame, frame_checked_in_full, ChecksumPath, FramePath, FramerConfig};
use libfuzzer_sys::fuzz_target;

/// Every path's sum of the `len` bytes of `buf` from `start` is `want`.
fn sums_agree(buf: &[u8], start: usize, len: usize, want: u8) {
    for path in ChecksumPath::ALL {
        if let Some(sum) = path.checksum(&buf[start..start + len]) {
            assert_eq!(sum, want, "{path:?} path, {len} bytes from byte {start}");
        }
    }
}

fn byte_sum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |sum, &b| sum.wrapping_add(b))
}

fuzz_target!(|data: &[u8]| {
    let Some((&limit, buf)) = data.split_first() else { return };
    let mut want = 0u8;
    for len in 0..=buf.len().min(300) {
        sums_agree(buf, 0, len, want);
        if let Some(&b) = buf.get(len) {
            want = want.wrapping_add(b);
        }
    }
    for start in 0..buf.len().min(16) {
        sums_agree(buf, start, buf.len() - start, byte_sum(&buf[start..]));
    }
    for verify_checksum in [true, false] {
        let mut config = FramerConfig { verify_checksum, ..FramerConfig::default() };
        if limit != 0 {
            config.max_body_length = usize::from(limit);
        }
        for start in 0..buf.len().min(16) {
            let bytes = &buf[start..];
            let full = frame_checked_in_full(bytes, &config);
            assert_eq!(frame(bytes, &config), full, "from byte {start}");
            for path in FramePath::ALL {
                if let Some(framed) = path.frame(bytes, &config) {
                    assert_eq!(framed, full, "{path:?} path, from byte {start}");
                }
            }
        }
    }
});
