//! Nanoseconds per checksum at the lengths of the speed budget (issue 17), by each path this CPU
//! runs: `cargo bench -p fixwire --bench checksum [-- NAME...]`.
//!
//! Each operation is inlined into the timing loop (a slice through `black_box` in, the sum
//! through `black_box` out), as a C++ loop calling an inline function is, so the row measures
//! the sum and not a call through a pointer; `call` is that loop with nothing summed. The
//! `instructions` bench counts the same sums through its boxed call.

use std::hint::black_box;

use fixwire::ChecksumPath;

mod support;
use support::measure;

/// The lengths timed: 16 bytes, a lane of AVX-512, a Heartbeat <0>, a NewOrderSingle <D>, 4 KiB.
const LENGTHS: [usize; 5] = [16, 64, 110, 256, 4096];

/// Times `sum` on the first `len` bytes of `data` for each length, where `path` applies.
fn time(names: &[String], data: &[u8], path: ChecksumPath, suffix: &str, sum: impl Fn(&[u8]) -> Option<u8>) {
    for len in LENGTHS {
        let name = format!("checksum{len}{suffix}");
        let bytes = &data[..len];
        if sum(bytes).is_none() || !(names.is_empty() || names.contains(&name)) {
            continue;
        }
        let nanos = measure(|| {
            black_box(sum(black_box(bytes)));
        });
        println!("{name:<20} {nanos:>8.1} ns  {path:?}");
    }
}

fn main() {
    let names: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let data: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
    if names.is_empty() || names.iter().any(|n| n == "call") {
        let bytes = &data[..16];
        let nanos = measure(|| {
            black_box(black_box(bytes).len() as u8);
        });
        println!("{:<20} {nanos:>8.1} ns  the loop alone, nothing summed", "call");
    }
    // One closure per path, so that each inlines its path alone.
    time(&names, &data, ChecksumPath::Dispatched, "", |d| Some(fixwire::checksum(d)));
    time(&names, &data, ChecksumPath::Avx512, "-avx512", |d| ChecksumPath::Avx512.checksum(d));
    time(&names, &data, ChecksumPath::Avx2, "-avx2", |d| ChecksumPath::Avx2.checksum(d));
    time(&names, &data, ChecksumPath::Sse2, "-sse2", |d| ChecksumPath::Sse2.checksum(d));
}
