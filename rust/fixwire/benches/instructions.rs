//! Instructions and nanoseconds per operation for the cases of the speed budget (issue 17):
//! `make bench-instructions`, or `cargo bench -p fixwire --bench instructions [-- NAME...]`.
//!
//! Instruction counts are deterministic: each case runs `RUNS` and `2 * RUNS` times in a child of
//! this binary under `valgrind --tool=callgrind`, and the difference divided by `RUNS` is what
//! one operation costs, set-up and process start cancelled out. The nanoseconds beside them come
//! from the same binary in the same run (median batch, as in `core`). Without valgrind on the
//! `PATH` only the nanoseconds are printed.

// Counts and timings are reported as floats; a 52-bit mantissa is precision enough.
#![allow(clippy::cast_precision_loss)]

use std::hint::black_box;
use std::process::Command;
use std::sync::Arc;

use fixwire::{
    checksum, frame, ChecksumPath, FieldIndex, Frame, FramerConfig, GroupSpec, GroupSpecs, Member, ParseOptions,
};

mod support;
use support::{measure, order_encoder, order_template, parties_report, write_order, SENDING_TIME};

/// Operations in the shorter of the two counted runs.
const RUNS: u64 = 10_000;

/// One case: a name to select it by, what it measures, and the operation.
struct Case {
    name: String,
    about: String,
    op: Box<dyn FnMut()>,
}

fn case(name: impl Into<String>, about: impl Into<String>, op: impl FnMut() + 'static) -> Case {
    Case { name: name.into(), about: about.into(), op: Box::new(op) }
}

/// The five fields the typed-read cases look up, in wire order: ClOrdID <11>, OrderQty <38>,
/// Price <44>, Side <54>, Symbol <55>.
const FIVE: [u32; 5] = [11, 38, 44, 54, 55];

/// Frames `order` with CheckSum verified (as `Framer::feed` does), indexes it without summing it
/// again and reads `tags` as their types.
fn frame_and_read(order: &[u8], config: &FramerConfig, index: &mut FieldIndex, tags: [u32; 5]) {
    let Frame::Message(len) = frame(black_box(order), config) else { panic!("the order frames") };
    index.parse(&order[..len], &config.parse).expect("the order parses");
    let msg = index.view(&order[..len]);
    for tag in tags {
        match tag {
            11 | 55 => {
                black_box(msg.get_str(tag).expect("text"));
            }
            38 | 44 => {
                black_box(msg.get_decimal(tag).expect("a decimal"));
            }
            _ => {
                black_box(msg.get_char(tag).expect("a char"));
            }
        }
    }
}

fn cases() -> Vec<Case> {
    let mut encoder = order_encoder();
    let order = write_order(&mut encoder, 7, SENDING_TIME).to_vec();
    let bytes = order.len();
    let unchecked = ParseOptions { verify_checksum: false, ..ParseOptions::default() };
    let config = FramerConfig { parse: unchecked.clone(), ..FramerConfig::default() };
    let mut cases = Vec::new();

    let mut seq = 0;
    cases.push(case("encode", format!("encode the NewOrderSingle ({bytes} B), 9 and 10 computed"), move || {
        seq += 1;
        black_box(write_order(&mut encoder, seq, SENDING_TIME).len());
    }));
    let mut encoder = order_encoder();
    let (mut seq, mut time) = (0, SENDING_TIME);
    cases.push(case("encode-clock", "the same, SendingTime 1 ms later every op", move || {
        seq += 1;
        time += 1_000_000;
        black_box(write_order(&mut encoder, seq, time).len());
    }));

    let mut encoder = order_encoder();
    let (template, values) = order_template();
    let mut seq = 0;
    cases.push(case("encode-template", "the same from a template, 9 values checked against rules", move || {
        seq += 1;
        black_box(encoder.encode_template(&template, black_box(&values), seq, SENDING_TIME).expect("valid").len());
    }));

    let framed = order.clone();
    let frame_only = FramerConfig { verify_checksum: false, ..config.clone() };
    cases.push(case("frame", "frame only (8 and 9 checked, trailer located, not summed)", move || {
        black_box(frame(black_box(&framed), &frame_only));
    }));

    for (name, about, tags) in [
        ("read5", "frame + CheckSum + 5 typed reads, wire order", FIVE),
        ("read5-shuffled", "the same, out of wire order", [55, 44, 11, 54, 38]),
    ] {
        let (order, config, mut index) = (order.clone(), config.clone(), FieldIndex::new());
        cases.push(case(name, about, move || frame_and_read(&order, &config, &mut index, tags)));
    }

    let (scanned, mut index) = (order.clone(), FieldIndex::new());
    cases.push(case("scan", "scan every field (index, CheckSum not verified)", move || {
        index.parse(black_box(&scanned), &unchecked).expect("the order parses");
        let sum: usize = index.fields().iter().map(|f| f.tag as usize + f.range().len()).sum();
        black_box(sum);
    }));

    let (scanned, mut index) = (order.clone(), FieldIndex::new());
    let unchecked = ParseOptions { verify_checksum: false, ..ParseOptions::default() };
    cases.push(case(
        "scan-checked",
        "the same through the checked parser (how every message was read before)",
        move || {
            index.parse_checked_in_full(black_box(&scanned), &unchecked).expect("the order parses");
            let sum: usize = index.fields().iter().map(|f| f.tag as usize + f.range().len()).sum();
            black_box(sum);
        },
    ));

    let report = parties_report();
    let spec = GroupSpec::new(453, [448, 447, 452].map(Member::Field)).expect("a valid group");
    let mut specs = GroupSpecs::new();
    specs.add(spec.clone(), Some(&[b"8"]));
    let with_groups = ParseOptions { groups: Some(Arc::new(specs)), ..ParseOptions::default() };
    let mut index = FieldIndex::new();
    let about = format!("ExecutionReport ({} B): parse, 8 fields + its 453 group (3 entries)", report.len());
    cases.push(case("report", about, move || {
        index.parse(black_box(&report), &with_groups).expect("the report parses");
        let msg = index.view(&report);
        for tag in [37, 11, 17, 55] {
            black_box(msg.get_str(tag).expect("text"));
        }
        for tag in [150, 39] {
            black_box(msg.get_char(tag).expect("a char"));
        }
        for tag in [151, 14] {
            black_box(msg.get_decimal(tag).expect("a decimal"));
        }
        for entry in msg.group_entries(&spec).expect("the group") {
            black_box(entry.get_str(448).expect("text"));
            black_box(entry.get_char(447).expect("a char"));
            black_box(entry.get_i64(452).expect("an int"));
        }
    }));

    checksum_cases(&mut cases);
    cases
}

/// The bench's own call, the checksum as dispatched, and its AVX2 and SSE2 paths forced where
/// they differ from it (past the 64 bytes summed inline). The AVX-512 path, which valgrind
/// cannot run, is timed by the `checksum` bench.
fn checksum_cases(cases: &mut Vec<Case>) {
    let bytes = vec![0u8; 16];
    cases.push(case(
        "call",
        "the bench's own call of an operation (in every row): a slice in, a byte out",
        move || {
            black_box(black_box(&bytes).len() as u8);
        },
    ));
    let data: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
    for len in [16, 64, 110, 256, 4096] {
        let what = if len == 110 { "110 B (a Heartbeat's length)".to_owned() } else { format!("{len} B") };
        let bytes = data[..len].to_vec();
        cases.push(case(format!("checksum{len}"), format!("checksum {what}"), move || {
            black_box(checksum(black_box(&bytes)));
        }));
    }
    for len in [110, 256, 4096] {
        let bytes = data[..len].to_vec();
        if ChecksumPath::Avx2.checksum(&bytes).is_some() {
            let bytes = bytes.clone();
            cases.push(case(format!("checksum{len}-avx2"), format!("checksum {len} B, AVX2 forced"), move || {
                black_box(ChecksumPath::Avx2.checksum(black_box(&bytes)));
            }));
        }
        cases.push(case(format!("checksum{len}-sse2"), format!("checksum {len} B, SSE2 forced"), move || {
            black_box(ChecksumPath::Sse2.checksum(black_box(&bytes)));
        }));
    }
}

/// Instructions valgrind counts for this binary running case `name` `runs` times.
fn count(name: &str, runs: u64) -> Option<u64> {
    let me = std::env::current_exe().ok()?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(me)
        .args(["--count", name, &runs.to_string()])
        .output()
        .ok()?;
    // A case valgrind's CPU cannot run (AVX-512) is not among its cases, and the child fails.
    if !out.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(':').next()?.trim().parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if let [flag, name, runs] = args.as_slice() {
        if flag == "--count" {
            let runs: u64 = runs.parse().expect("a count of runs");
            let mut case = cases().into_iter().find(|c| c.name == *name).expect("a known case");
            for _ in 0..runs {
                (case.op)();
            }
            return;
        }
    }
    let counting = Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success());
    println!("{:<16} {:>12} {:>10}  case", "name", "instructions", "ns");
    for mut case in cases().into_iter().filter(|c| args.is_empty() || args.contains(&c.name)) {
        let instructions = match (counting, count(&case.name, RUNS), count(&case.name, 2 * RUNS)) {
            (true, Some(once), Some(twice)) => format!("{:.0}", twice.saturating_sub(once) as f64 / RUNS as f64),
            _ => "-".to_owned(),
        };
        let nanos = measure(&mut case.op);
        println!("{:<16} {instructions:>12} {nanos:>10.1}  {}", case.name, case.about);
    }
}
