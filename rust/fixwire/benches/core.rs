//! Release benchmarks of the codec core alone: `cargo bench -p fixwire` (or `make bench`).
//!
//! A small harness instead of a benchmarking crate keeps `cargo test` free of extra
//! dependencies. Each case runs in batches of about 20 ms after a warm-up; the median batch gives
//! the time per operation, so one slow batch (the other core busy) does not skew it.

// Timings are reported as floats; a 52-bit mantissa is more precision than a clock has.
#![allow(clippy::cast_precision_loss)]

use std::hint::black_box;

use fixwire::columns::{scan, ColumnKind, ColumnSpec, ScanOptions};
use fixwire::{
    checksum, frame, Dictionary, Encoder, FieldIndex, Frame, Framer, FramerConfig, ParseOptions, ValidationOptions,
};

mod support;
use support::{fee_report, measure, order_encoder, order_template, SENDING_TIME};

fn report(name: &str, nanos: f64, bytes: usize) {
    let throughput = if bytes > 0 { format!("{:8.2} GB/s", bytes as f64 / nanos) } else { String::new() };
    println!("{name:<44} {nanos:>12.1} ns/op {throughput}");
}

fn write_order(encoder: &mut Encoder, seq: u64) -> &[u8] {
    support::write_order(encoder, seq, SENDING_TIME)
}

/// The order encoded field by field, and from a template that checks every value.
fn encoding(encoder: &mut Encoder) {
    let mut seq = 0;
    let encode = measure(|| {
        seq += 1;
        black_box(write_order(encoder, seq).len());
    });
    report("encode NewOrderSingle", encode, 0);

    let (template, values) = order_template();
    let templated = measure(|| {
        seq += 1;
        black_box(encoder.encode_template(&template, black_box(&values), seq, SENDING_TIME).expect("valid").len());
    });
    report("encode NewOrderSingle from a template", templated, 0);
}

fn main() {
    let mut encoder = order_encoder();
    let order = write_order(&mut encoder, 7).to_vec();
    println!("NewOrderSingle: {} bytes", order.len());

    let config = FramerConfig::default();
    let options = ParseOptions { verify_checksum: false, ..ParseOptions::default() };
    let mut index = FieldIndex::new();
    let frame_and_index = measure(|| {
        let Frame::Message(len) = frame(black_box(&order), &config) else { panic!("the order frames") };
        index.parse(&order[..len], &options).expect("the order parses");
        black_box(index.view(&order).get(44));
    });
    report("frame + index NewOrderSingle (checksum on)", frame_and_index, 0);

    let checked = ParseOptions::default();
    let parse_only = measure(|| {
        index.parse(black_box(&order), &checked).expect("the order parses");
        black_box(index.fields().len());
    });
    report("parse NewOrderSingle (checksum on)", parse_only, 0);

    encoding(&mut encoder);

    for size in [4 << 10, 1 << 20, 64 << 20] {
        let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        let nanos = measure(|| {
            black_box(checksum(black_box(&data)));
        });
        report(&format!("checksum {} KiB", size >> 10), nanos, size);
    }

    // A Kalshi trade ExecutionReport with its fee group, validated with the bundled dictionary.
    let dictionary = Dictionary::kalshi();
    let report_bytes = fee_report(None);
    let with_groups = ParseOptions { groups: Some(dictionary.group_specs()), ..ParseOptions::default() };
    index.parse(&report_bytes, &with_groups).expect("the report parses");
    dictionary.validate(&index.view(&report_bytes), ValidationOptions::default()).expect("the report is valid");
    let validate = measure(|| {
        let msg = index.view(black_box(&report_bytes));
        black_box(dictionary.validate(&msg, ValidationOptions::default()).is_ok());
    });
    report(&format!("validate ExecutionReport ({} bytes, Kalshi)", report_bytes.len()), validate, 0);

    // The same report in shapes the dictionary does not remember: each has its own user-defined
    // tag, and the first ones fill the remembered shapes, which the others are compared with
    // first (the worst case).
    let user_defined = ValidationOptions { allow_user_defined: true };
    let shapes: Vec<(Vec<u8>, FieldIndex)> = (5001..5065)
        .map(|tag| {
            let bytes = fee_report(Some(tag));
            let mut index = FieldIndex::new();
            index.parse(&bytes, &with_groups).expect("the report parses");
            dictionary.validate(&index.view(&bytes), user_defined).expect("the report is valid");
            (bytes, index)
        })
        .collect();
    let unremembered = &shapes[32..];
    let mut next = 0;
    let validate_new_shape = measure(|| {
        let (bytes, index) = &unremembered[next % unremembered.len()];
        next += 1;
        black_box(dictionary.validate(&index.view(black_box(bytes)), user_defined).is_ok());
    });
    report("validate ExecutionReport, shape not remembered", validate_new_shape, 0);

    let stream: Vec<u8> = (0..200_000u64).flat_map(|seq| write_order(&mut encoder, seq + 1).to_vec()).collect();
    let messages = 200_000.0;
    let framer_nanos = measure(|| {
        let mut framer = Framer::default();
        let mut count = 0u64;
        for chunk in stream.chunks(64 << 10) {
            framer.feed(chunk, |_, _| count += 1);
        }
        assert_eq!(count, 200_000);
    });
    report("Framer::feed per message (64 KiB chunks)", framer_nanos / messages, 0);
    println!("Framer::feed: {:.1} million messages/s", messages / framer_nanos * 1e3);

    columns(&stream);
}

/// Columns: the order stream read into ten columns of every kind, on one thread.
fn columns(stream: &[u8]) {
    let columns = [
        (11, ColumnKind::Str),
        (38, ColumnKind::Decimal { scale: 2 }),
        (40, ColumnKind::Str),
        (44, ColumnKind::Int),
        (54, ColumnKind::Str),
        (55, ColumnKind::Str),
        (59, ColumnKind::Str),
        (34, ColumnKind::Int),
        (52, ColumnKind::Time),
        (9999, ColumnKind::Int),
    ];
    let scan_options = ScanOptions {
        columns: columns.iter().map(|&(tag, kind)| ColumnSpec { tag, kind }).collect(),
        msg_types: None,
        explode: None,
        parse: ParseOptions::default(),
        threads: 1,
    };
    let scan_nanos = measure(|| {
        let table = scan(black_box(stream), 0..stream.len(), &scan_options);
        assert_eq!(table.rows, 200_000);
    });
    println!("columns::scan, 10 columns, one thread: {:.0} MB/s", stream.len() as f64 / scan_nanos * 1e3);
}
