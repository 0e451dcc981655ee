//! Differential fuzzing of [`fixwire::frame`] against [`fixwire::frame_checked_in_full`]: the
//! word-at-a-time shortcut for the common message must give the verdict of every check made in
//! turn (the same message length, the same `Incomplete`, the same garbage and error) on any
//! bytes, with and without CheckSum <10> verification and with a small BodyLength <9> limit.
//!
//! The first input byte picks the limit (0 means the default); the rest is the buffer, framed
//! from each of its first offsets, so that a message start anywhere in it is tried.

#![no_main]

use fixwire::{frame, frame_checked_in_full, FramerConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&limit, buf)) = data.split_first() else { return };
    for verify_checksum in [true, false] {
        let mut config = FramerConfig { verify_checksum, ..FramerConfig::default() };
        if limit != 0 {
            config.max_body_length = usize::from(limit);
        }
        for start in 0..buf.len().min(16) {
            let bytes = &buf[start..];
            assert_eq!(frame(bytes, &config), frame_checked_in_full(bytes, &config), "from byte {start}");
        }
    }
});
