use std::fmt::Write as _;

use super::values::decimal_mantissa;
use super::*;
use crate::testing::Rng;
use crate::value::{Decimal, UtcTimestamp};

mod walks;

fn message(body: &str, sep: char) -> String {
    let soh = body.replace('|', "\x01");
    let head = format!("8=FIX.4.4\x019={}\x01{soh}", soh.len());
    let sum = crate::checksum(head.as_bytes());
    format!("{head}10={sum:03}\x01").replace('\x01', &sep.to_string())
}

fn options(columns: &[(u32, ColumnKind)]) -> ScanOptions {
    ScanOptions {
        columns: columns.iter().map(|&(tag, kind)| ColumnSpec { tag, kind }).collect(),
        ..ScanOptions::default()
    }
}

#[test]
fn text_rows_cut_the_buffer_at_the_offsets() {
    assert_eq!(text_rows(&[0, 2, 2, 5], b"abcde").collect::<Vec<_>>(), [&b"ab"[..], b"", b"cde"]);
    assert_eq!(text_rows(&[0], b"").count(), 0);
    // Offsets out of order or past the data are clamped, never a panic.
    assert_eq!(text_rows(&[3, 1, 99, -1], b"abc").collect::<Vec<_>>(), [&b""[..], b"bc", b""]);
}

#[test]
fn every_format_gives_the_same_rows() {
    let a = message("35=D|34=1|44=0.55|52=20260820-13:45:01.123|", '\x01');
    let b = message("35=8|34=2|44=12|", '\x01');
    let soh = format!("{a}{b}");
    let lines = format!("{a}\n{b}\n");
    let pipes = format!("{}\n{}\n", a.replace('\x01', "|"), b.replace('\x01', "|"));
    let no_last_pipe = format!("{}\n{}", a.replace('\x01', "|").trim_end_matches('|'), b.replace('\x01', "|"));
    let quickfix = format!("20260820-13:45:01.124 : {a}\n20260820-13:45:01.125 : {b}\n");
    let opts = options(&[(34, ColumnKind::Int), (44, ColumnKind::Decimal { scale: 4 }), (52, ColumnKind::Time)]);
    let expected = scan(soh.as_bytes(), 0..soh.len(), &opts);
    assert_eq!(expected.rows, 2);
    assert_eq!(expected.columns[1].data, ColumnData::I64(vec![5500, 120_000]));
    assert_eq!(expected.columns[2].valid, vec![true, false]);
    for input in [lines, pipes, no_last_pipe, quickfix] {
        let got = scan(input.as_bytes(), 0..input.len(), &opts);
        assert_eq!(got.columns, expected.columns, "{input:?}");
        assert!(got.garbled.is_empty(), "{input:?}");
    }
}

#[test]
fn garbled_candidates_are_counted_and_skipped() {
    let a = message("35=D|34=1|", '\x01');
    let bad = message("35=D|34=2|", '\x01').replace("10=", "10=9");
    let input = format!("junk{a}{bad}xx{a}");
    let table = scan(input.as_bytes(), 0..input.len(), &options(&[(34, ColumnKind::Int)]));
    assert_eq!(table.rows, 2);
    assert_eq!(table.garbled, vec![4 + a.len() as u64]);
    assert_eq!(table.offset, vec![4, (4 + a.len() + bad.len() + 2) as i64]);
    // A range that starts inside the first message reads only what starts after it.
    let tail = scan(input.as_bytes(), 5..input.len(), &options(&[(34, ColumnKind::Int)]));
    assert_eq!(tail.offset, vec![(4 + a.len() + bad.len() + 2) as i64]);
}

#[test]
fn absent_and_invalid_values_are_masked() {
    let input = [message("35=D|38=5|", '\x01'), message("35=D|38=x|", '\x01'), message("35=D|", '\x01')].concat();
    let table = scan(input.as_bytes(), 0..input.len(), &options(&[(38, ColumnKind::Int), (38, ColumnKind::Str)]));
    assert_eq!(table.columns[0].valid, vec![true, false, false]);
    assert_eq!(table.columns[0].invalid_values, 1);
    assert_eq!(table.columns[1].data, ColumnData::Str { offsets: vec![0, 1, 2, 2], data: b"5x".to_vec() });
}

#[test]
fn msg_type_filter_and_group_explode() {
    let fills = message("35=8|17=e1|136=2|137=0.01|138=USD|137=0.02|138=USD|", '\x01');
    let plain = message("35=8|17=e2|", '\x01');
    let heartbeat = message("35=0|", '\x01');
    let input = [fills, plain, heartbeat].concat();
    let mut opts = options(&[(17, ColumnKind::Str), (137, ColumnKind::Decimal { scale: 2 })]);
    opts.msg_types = Some(vec![b"8".to_vec()]);
    opts.explode = Some(GroupSpec::new(136, [137.into(), 138.into()]).unwrap());
    let table = scan(input.as_bytes(), 0..input.len(), &opts);
    assert_eq!(table.rows, 3);
    assert_eq!(table.messages, 3);
    assert_eq!(table.columns[0].data, ColumnData::Str { offsets: vec![0, 2, 4, 6], data: b"e1e1e2".to_vec() });
    assert_eq!(table.columns[1].data, ColumnData::I64(vec![1, 2, 0]));
    assert_eq!(table.columns[1].valid, vec![true, true, false]);
}

#[test]
fn a_chunk_boundary_inside_a_message_is_read_once() {
    // RawData <96> holding "8=FIX" puts a candidate start inside a message; with the input
    // cut there, the second chunk must be read from the end of that message.
    let inner = "8=FIX.4.4";
    let a = message(&format!("35=A|34=1|95={}|96={inner}|", inner.len()), '\x01');
    let at = a.find("8=FIX.4.4\x0110").expect("the data field's 8=FIX");
    let b = message("35=0|34=2|", '\x01');
    let input = format!("{a}{b}");
    let opts = options(&[(34, ColumnKind::Int)]);
    let mut first = scan_chunk(input.as_bytes(), 0, at, &opts);
    assert_eq!(first.1, a.len());
    let (second, _) = scan_chunk(input.as_bytes(), first.1, input.len(), &opts);
    first.0.append(second);
    assert_eq!(first.0.columns[0].data, ColumnData::I64(vec![1, 2]));
    assert!(first.0.garbled.is_empty());
}

#[test]
fn windows_do_not_change_the_result() {
    let mut input = Vec::new();
    for n in 0..2000 {
        input.extend_from_slice(message(&format!("35=D|34={n}|58=text {n}|"), '\x01').as_bytes());
    }
    let opts = options(&[(34, ColumnKind::Int), (58, ColumnKind::Str)]);
    let whole = scan(&input, 0..input.len(), &opts);
    let mut released = Vec::new();
    // Windows far smaller than LOOK_BACK, cutting messages anywhere.
    let windowed = scan_windowed(&input, 0..input.len(), &opts, 997, |upto| released.push(upto));
    assert_eq!(whole, windowed);
    assert!(released.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(released.last(), Some(&(input.len() - LOOK_BACK)));
    // With more than one thread, each window's table is appended (one thread reads into the
    // result directly).
    let threads = ScanOptions { threads: 2, ..opts.clone() };
    assert_eq!(scan_windowed(&input, 0..input.len(), &threads, 997, |_| {}), whole);
}

#[test]
fn a_file_reads_as_its_bytes_do() {
    let mut input = Vec::new();
    for n in 0..500 {
        input.extend_from_slice(message(&format!("35=D|34={n}|58=text {n}|"), '\x01').as_bytes());
    }
    let path = std::env::temp_dir().join(format!("fixwire-scan-file-{}.log", std::process::id()));
    std::fs::write(&path, &input).unwrap();
    let opts = options(&[(34, ColumnKind::Int), (58, ColumnKind::Str)]);
    let whole = scan_file(&path, None, &opts);
    let half = input.len() / 2;
    let part = scan_file(&path, Some(half..input.len()), &opts);
    let empty = path.with_extension("empty");
    std::fs::write(&empty, b"").unwrap();
    let nothing = scan_file(&empty, None, &opts);
    let missing = scan_file(&path.with_extension("missing"), None, &opts);
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(&empty).unwrap();
    assert_eq!(whole.unwrap(), scan(&input, 0..input.len(), &opts));
    assert_eq!(part.unwrap(), scan(&input, half..input.len(), &opts));
    assert_eq!(nothing.unwrap().rows, 0);
    assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn a_long_message_across_a_window_edge_is_read_once() {
    // RawData several times longer than LOOK_BACK holding "8=FIX" messages: windows
    // starting inside it, beyond the look-back's reach, must not read those as messages.
    let inner = message("35=0|34=99|", '\x01').repeat(LOOK_BACK / 10);
    let long = message(&format!("35=A|34=1|95={}|96={inner}|", inner.len()), '\x01');
    let input = [long.clone(), message("35=0|34=2|", '\x01')].concat();
    let opts = options(&[(34, ColumnKind::Int)]);
    let windowed = scan_windowed(input.as_bytes(), 0..input.len(), &opts, 4096, |_| {});
    assert_eq!(windowed.columns[0].data, ColumnData::I64(vec![1, 2]));
    assert_eq!(windowed, scan(input.as_bytes(), 0..input.len(), &opts));
}

#[test]
fn threads_do_not_change_the_result() {
    let mut input = Vec::new();
    let mut n = 0;
    while input.len() < 12 << 20 {
        n += 1;
        input.extend_from_slice(message(&format!("35=D|34={n}|58=text {n}|"), '\x01').as_bytes());
        if n % 1000 == 0 {
            input.extend_from_slice(b"8=FIX garbage\n");
        }
    }
    let mut opts = options(&[(34, ColumnKind::Int), (58, ColumnKind::Str)]);
    let one = scan(&input, 0..input.len(), &opts);
    opts.threads = 3;
    let three = scan(&input, 0..input.len(), &opts);
    assert_eq!(one.rows, n);
    assert_eq!(one, three);
}

/// A random message body: column tags and others, values of every kind (valid or not),
/// repeated tags, tags past the dense table, now and then a data field or a misplaced
/// header tag.
fn random_body(rng: &mut Rng) -> String {
    const TAGS: &[u32] = &[11, 14, 31, 34, 38, 44, 52, 55, 58, 60, 75, 43, 5001, 9000, 21006, 1, 999];
    const VALUES: &[&str] = &[
        "0.55",
        "12",
        "-3",
        "1.5000",
        "0.123456789",
        "99999999999999999999",
        ".5",
        "5.",
        "-",
        "x",
        "20260820-13:45:01.123",
        "20260820-13:45:01",
        "20260230-00:00:00",
        "16770921-00:12:43.145224191",
        "22620411-23:47:16.854775808",
        "20260820-24:00:00.000",
        "20260820",
        "Y",
        "N",
        "caf\u{e9}",
        "id-1",
    ];
    let mut body = format!("35={}|", *rng.pick(&["D", "8", "0", "AE"]));
    for _ in 0..rng.below(12) {
        match rng.below(40) {
            0 => body.push_str("95=3|96=a\u{1}b|"),
            1 => {
                let misplaced: &&str = rng.pick(&["9=5|", "10=000|", "35=D|", "8=FIX.4.4|"]);
                body.push_str(misplaced);
            }
            _ => {
                let (tag, value) = (rng.pick(TAGS), rng.pick(VALUES));
                write!(body, "{tag}={value}|").expect("writing to a String");
            }
        }
    }
    body
}

/// A log of random messages in one of the input formats, with random bytes changed.
fn random_log(rng: &mut Rng) -> Vec<u8> {
    let mut log = Vec::new();
    for _ in 0..rng.below(20) {
        let sep = *rng.pick(&['\x01', '|']);
        let text = message(&random_body(rng), sep);
        match rng.below(3) {
            0 => log.extend_from_slice(text.as_bytes()),
            1 => log.extend_from_slice(format!("{text}\n").as_bytes()),
            _ => log.extend_from_slice(format!("20260820-13:45:01.124 : {text}\n").as_bytes()),
        }
    }
    for _ in 0..rng.below(4) {
        if log.is_empty() {
            break;
        }
        let at = rng.below(log.len());
        let byte = *rng.pick(b"0189=|.-A\n\x01");
        match rng.below(3) {
            0 => log[at] = byte,
            1 => log.insert(at, byte),
            _ => {
                log.remove(at);
            }
        }
    }
    log
}

#[test]
fn the_quick_reader_agrees_with_the_parser() {
    let kinds = [
        (11, ColumnKind::Str),
        (14, ColumnKind::Decimal { scale: 0 }),
        (31, ColumnKind::Float),
        (34, ColumnKind::Int),
        (38, ColumnKind::Decimal { scale: 2 }),
        (44, ColumnKind::Decimal { scale: 18 }),
        (52, ColumnKind::Time),
        (60, ColumnKind::Time),
        (75, ColumnKind::Date),
        (43, ColumnKind::Bool),
        (58, ColumnKind::Str),
        // Twice, in two kinds; past the dense table; the framing fields; a data field and
        // its length.
        (44, ColumnKind::Str),
        (21006, ColumnKind::Bool),
        (9000, ColumnKind::Int),
        (35, ColumnKind::Str),
        (8, ColumnKind::Str),
        (9, ColumnKind::Int),
        (10, ColumnKind::Int),
        (95, ColumnKind::Int),
        (96, ColumnKind::Str),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut quick_rows = 0;
    for round in 0..3000 {
        let input = random_log(&mut rng);
        let mut opts = options(&kinds[..=round % kinds.len()]);
        opts.parse.verify_checksum = round % 7 != 0;
        if round % 5 == 0 {
            opts.parse.max_fields = 6;
        }
        if round % 3 == 0 {
            opts.msg_types = Some(vec![b"8".to_vec(), b"AE".to_vec()]);
        }
        let start = if round % 4 == 0 { rng.below(input.len() + 1) } else { 0 };
        let quick = QuickReader::new(&opts).expect("these options allow the quick reader");
        let with_quick = scan_chunk_with(&input, start, input.len(), &opts, Some(quick));
        let parser_only = scan_chunk_with(&input, start, input.len(), &opts, None);
        // Compared as text: NaN, the empty Float value, is not equal to itself.
        assert_eq!(
            format!("{with_quick:?}"),
            format!("{parser_only:?}"),
            "round {round}: {:?}",
            String::from_utf8_lossy(&input)
        );
        quick_rows += with_quick.0.rows;
    }
    // The comparison is not vacuous: most messages are read by the quick reader.
    let all = options(&kinds);
    let mut quick = QuickReader::new(&all).expect("quick reader");
    assert!(quick.try_read(message("35=D|11=a|44=1.5|52=20260820-13:45:01.123|", '\x01').as_bytes()).is_some());
    assert!(quick.try_read(message("35=D|95=1|96=x|", '\x01').as_bytes()).is_none());
    assert!(quick_rows > 10_000, "{quick_rows} rows");
}

#[test]
fn one_pass_values_agree_with_the_value_types() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let decimal_bytes = b"0123456789.-.9";
    for _ in 0..200_000 {
        let len = rng.below(22);
        let v: Vec<u8> = (0..len).map(|_| *rng.pick(decimal_bytes)).collect();
        let scale = rng.below(21) as u8;
        let expected = Decimal::parse(&v).ok().and_then(|d| d.rescale(scale)).map(|d| d.mantissa);
        assert_eq!(decimal_mantissa(&v, scale), expected, "{:?} at scale {scale}", String::from_utf8_lossy(&v));
    }
    for v in ["-9223372036854775808", "9223372036854775807", "-0.000", "1e5", "--1", "0.1.2"] {
        for scale in [0, 3, 18] {
            let expected = Decimal::parse(v.as_bytes()).ok().and_then(|d| d.rescale(scale)).map(|d| d.mantissa);
            assert_eq!(decimal_mantissa(v.as_bytes(), scale), expected, "{v} at scale {scale}");
        }
    }
    let timestamps = [
        "20260820-13:45:01.123",
        "20260820-13:45:01",
        "20240229-23:59:60.999999",
        "20230229-00:00:00",
        "00000101-00:00:00.000000000",
        "16770921-00:12:43.145224191",
        "16770921-00:12:43.145224192",
        "22620411-23:47:16.854775807",
        "22620411-23:47:16.854775808",
        "99991231-23:59:59.999999999",
    ];
    let mut cache = DateCache::default();
    for _ in 0..50 {
        for t in timestamps {
            let mut v = t.as_bytes().to_vec();
            // Now and then a byte changed: each check must fail as the type's does.
            if rng.below(2) == 0 {
                let at = rng.below(v.len());
                v[at] = *rng.pick(b"0123456789-:.x");
            }
            let expected = UtcTimestamp::parse(&v).ok().and_then(|t| i64::try_from(t.unix_nanos()).ok());
            assert_eq!(cache.timestamp_nanos(&v), expected, "{:?}", String::from_utf8_lossy(&v));
        }
    }
}
