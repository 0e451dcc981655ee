//! What the Rust benches share: the messages they measure and the clock.

// Timings are reported as floats; a 52-bit mantissa is more precision than a clock has. Each
// bench uses only some of these messages.
#![allow(clippy::cast_precision_loss, dead_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use fixwire::template::{Choice, DecimalRule, Part, Rule, Slot, Template, Value};
use fixwire::{Decimal, Encoder};

/// Median nanoseconds per call of `op`: batches of about 20 ms after a 200 ms warm-up, so one
/// slow batch (the other core busy) does not skew it.
pub fn measure(mut op: impl FnMut()) -> f64 {
    let warm = Instant::now();
    let mut per_batch = 1u64;
    while warm.elapsed() < Duration::from_millis(200) {
        let start = Instant::now();
        for _ in 0..per_batch {
            op();
        }
        if start.elapsed() < Duration::from_millis(20) {
            per_batch *= 2;
        }
    }
    let mut samples: Vec<f64> = (0..25)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch {
                op();
            }
            start.elapsed().as_nanos() as f64 / per_batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// SendingTime <52> of every benchmark message: 2026-08-20 13:45:01.123 UTC.
pub const SENDING_TIME: i64 = 1_787_233_501_123_000_000;

/// An encoder for the benchmark orders (FIXT.1.1, a Kalshi-style SenderCompID).
pub fn order_encoder() -> Encoder {
    Encoder::new("8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10", "KalshiNR").expect("valid header")
}

/// The benchmark NewOrderSingle <D>: about 250 bytes, as in the Python benches. Its values
/// pass through `black_box`, as values known only at run time: a literal would let the compiler
/// fold away the checks the encoder makes on each value (no SOH in a string, say).
pub fn write_order(encoder: &mut Encoder, seq: u64, sending_time: i64) -> &[u8] {
    let mut w = encoder.start(b"D", seq, sending_time).expect("valid header");
    w.str(11, black_box("7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a"))
        .and_then(|w| w.decimal(38, black_box(Decimal::new(1000, 2))))
        .and_then(|w| w.char(40, black_box(b'2')))
        .and_then(|w| w.int(44, black_box(75)))
        .and_then(|w| w.char(54, black_box(b'1')))
        .and_then(|w| w.str(55, black_box("KXNBAGAME-26MAY25NYKCLE-NYK")))
        .and_then(|w| w.char(59, black_box(b'1')))
        .and_then(|w| w.str(526, black_box("3f9e8d7c-6b5a-4938-a716-0f1e2d3c4b5a")))
        .and_then(|w| w.int(2964, black_box(1)))
        .and_then(|w| w.bool(21006, black_box(true)))
        .expect("valid fields");
    w.finish().expect("valid message")
}

/// A Kalshi trade ExecutionReport <8> with its fee group (NoMiscFees <136>), and with
/// `user_tag`, an extra user-defined field, when given (another shape).
pub fn fee_report(user_tag: Option<u32>) -> Vec<u8> {
    let mut enc = Encoder::new("Kalshi", "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10").expect("valid header");
    let mut w = enc.start(b"8", 12, SENDING_TIME).expect("valid header");
    if let Some(tag) = user_tag {
        w.str(tag, "x").expect("valid field");
    }
    w.str(37, "b5e3d2f1-7a4c-4c8e-9f10-3e2d1c0b9a87")
        .and_then(|w| w.str(11, "7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a"))
        .and_then(|w| w.str(17, "4;7"))
        .and_then(|w| w.char(150, b'F'))
        .and_then(|w| w.char(39, b'1'))
        .and_then(|w| w.char(54, b'1'))
        .and_then(|w| w.str(55, "KXNBAGAME-26MAY25NYKCLE-NYK"))
        .and_then(|w| w.decimal(151, Decimal::new(600, 2)))
        .and_then(|w| w.decimal(14, Decimal::new(400, 2)))
        .and_then(|w| w.decimal(6, Decimal::new(75, 0)))
        .and_then(|w| w.decimal(38, Decimal::new(1000, 2)))
        .and_then(|w| w.decimal(31, Decimal::new(75, 0)))
        .and_then(|w| w.decimal(32, Decimal::new(400, 2)))
        .and_then(|w| w.str(60, "20260820-13:45:01.123"))
        .and_then(|w| w.group(136, 1))
        .and_then(|w| w.decimal(137, Decimal::new(7, 2)))
        .and_then(|w| w.str(138, "USD"))
        .and_then(|w| w.char(139, b'4'))
        .and_then(|w| w.int(891, 0))
        .expect("valid fields");
    w.finish().expect("valid message").to_vec()
}

/// An ExecutionReport <8> with three Parties <453> entries (PartyID <448>, PartyIDSource
/// <447>, PartyRole <452>): about 440 bytes, the group case of the speed budget.
pub fn parties_report() -> Vec<u8> {
    let mut enc = Encoder::new("KalshiNR", "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10").expect("valid header");
    let mut w = enc.start(b"8", 4711, SENDING_TIME).expect("valid header");
    w.str(37, "b5e3d2f1-7a4c-4c8e-9f10-3e2d1c0b9a87")
        .and_then(|w| w.str(11, "7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a"))
        .and_then(|w| w.str(17, "E-20260820-0000004711"))
        .and_then(|w| w.char(150, b'F'))
        .and_then(|w| w.char(39, b'1'))
        .and_then(|w| w.char(54, b'1'))
        .and_then(|w| w.str(55, "KXNBAGAME-26MAY25NYKCLE-NYK"))
        .and_then(|w| w.decimal(38, Decimal::new(1000, 2)))
        .and_then(|w| w.decimal(44, Decimal::new(75, 2)))
        .and_then(|w| w.decimal(151, Decimal::new(600, 2)))
        .and_then(|w| w.decimal(14, Decimal::new(400, 2)))
        .and_then(|w| w.decimal(6, Decimal::new(75, 2)))
        .and_then(|w| w.str(60, "20260820-13:45:01.123"))
        .and_then(|w| w.group(453, 3))
        .and_then(|w| w.str(448, "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10"))
        .and_then(|w| w.char(447, b'D'))
        .and_then(|w| w.int(452, 3))
        .and_then(|w| w.str(448, "FCM-SUB-0042"))
        .and_then(|w| w.char(447, b'D'))
        .and_then(|w| w.int(452, 24))
        .and_then(|w| w.str(448, "KALSHI"))
        .and_then(|w| w.char(447, b'D'))
        .and_then(|w| w.int(452, 1))
        .expect("valid fields");
    w.finish().expect("valid message").to_vec()
}

/// The same order as a template whose slots carry a venue's rules, and its values.
pub fn order_template() -> (Template, [Value<'static>; 9]) {
    let id = || Rule::text(Some(b"0123456789abcdef-"), 64);
    let positive =
        |places| DecimalRule { above: Some(Decimal::new(0, 0)), places: Some(places), ..DecimalRule::default() };
    let choice = |values: &[&[u8]]| Rule::OneOf(values.iter().map(|v| Choice::same(v)).collect());
    let slot = |tag, rule| Part::Slot(Slot::new(tag, rule));
    let template = Template::new(
        b"D",
        vec![
            slot(11, id()),
            slot(38, Rule::Decimal(positive(2))),
            Part::Fixed(40, b"2".to_vec()),
            slot(44, Rule::Decimal(DecimalRule { below: Some(Decimal::new(1, 0)), ..positive(4) })),
            slot(54, choice(&[b"1", b"2"])),
            slot(55, Rule::text(None, 64)),
            slot(59, choice(&[b"0", b"1", b"3", b"4", b"6"])),
            slot(526, id()),
            slot(2964, choice(&[b"1", b"2"])),
            slot(21006, Rule::Bool),
        ],
    )
    .expect("a valid template");
    let values = [
        Value::Text(b"7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a"),
        Value::Decimal(b"10.00"),
        Value::Decimal(b"0.75"),
        Value::Text(b"1"),
        Value::Text(b"KXNBAGAME-26MAY25NYKCLE-NYK"),
        Value::Text(b"1"),
        Value::Text(b"3f9e8d7c-6b5a-4938-a716-0f1e2d3c4b5a"),
        Value::Int(1),
        Value::Bool(true),
    ];
    (template, values)
}
