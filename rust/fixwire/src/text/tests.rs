use std::sync::Arc;

use super::*;
use crate::testing::Rng;

/// A message with the right BodyLength <9> and CheckSum <10> from `|` text.
fn message(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\x01");
    let mut msg = format!("8=FIXT.1.1\x019={}\x01{body}", body.len()).into_bytes();
    let sum = crate::checksum(&msg);
    msg.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    msg
}

fn printer(style: Style) -> LogPrinter {
    let options =
        PrintOptions { style, msg_types: None, heading: b"# log byte ".to_vec(), json_source: b"\"log\"".to_vec() };
    LogPrinter::new(Arc::new(Dictionary::kalshi()), options)
}

/// The log output a read of at most `read` bytes at a time, as `fixwire decode` reads it:
/// the output, and the bad candidates as `(offset, kind)`.
fn in_reads(log: &[u8], read: usize, style: Style) -> (Vec<u8>, Vec<(u64, &'static str)>) {
    let mut printer = printer(style);
    let (mut text, mut garbled) = (Vec::new(), Vec::new());
    let mut pending = Vec::new();
    let mut base = 0;
    let mut need = 0;
    let mut take = |output: &Printed, text: &mut Vec<u8>| {
        text.extend_from_slice(&output.text);
        garbled.extend(output.garbled.iter().map(|g| (g.offset, g.error.kind.name())));
        (output.consumed, output.need)
    };
    for chunk in log.chunks(read) {
        pending.extend_from_slice(chunk);
        if pending.len() < need {
            continue;
        }
        let mut output = Printed::default();
        printer.print(&pending, base, false, 1 << 20, &mut output);
        let (consumed, needs) = take(&output, &mut text);
        base += consumed as u64;
        pending.drain(..consumed);
        need = needs;
    }
    let mut output = Printed::default();
    printer.print(&pending, base, true, 1 << 20, &mut output);
    take(&output, &mut text);
    (text, garbled)
}

fn log() -> Vec<u8> {
    let order = message("35=D|49=C|56=K|34=2|52=20260820-14:30:05.124|11=id-1|54=1|38=5|44=0.55|");
    let mut log = b"20260820-14:30:05.124 : ".to_vec();
    log.extend_from_slice(&order);
    log.extend_from_slice(b"\ngarbage 8=FIX 9=\n");
    log.extend_from_slice(&order.iter().map(|&b| if b == 1 { b'|' } else { b }).collect::<Vec<_>>());
    log.extend_from_slice(b"\n");
    log.extend_from_slice(&message("35=0|49=C|56=K|34=3|52=20260820-14:30:06.000|58=a b (c)|"));
    log.extend_from_slice(b"8=FIXT.1.1\x019=200\x0135=D\x01");
    log
}

#[test]
fn a_message_prints_a_heading_its_lines_and_a_blank_line() {
    let order = message("35=D|49=C|56=K|34=2|52=20260820-14:30:05.124|11=id-1|54=1|");
    let mut output = Printed::default();
    printer(Style::Plain).print(&order, 7, true, 1 << 20, &mut output);
    let text = String::from_utf8(output.text).unwrap();
    assert!(text.starts_with("# log byte 7: 35=D NewOrderSingle\n    8 BeginString"), "{text}");
    assert!(text.contains("   54 Side                         = 1 (BUY_YES)\n"), "{text}");
    assert!(text.ends_with("\n\n"));
    assert!(output.garbled.is_empty());
}

#[test]
fn the_output_does_not_depend_on_the_reads() {
    let log = log();
    for style in [Style::Plain, Style::Colour, Style::Json] {
        let whole = in_reads(&log, log.len(), style);
        assert_eq!(whole.1.len(), 2, "{:?}", whole.1);
        assert_eq!(whole.1.last().unwrap().1, "truncated");
        for read in [1, 2, 7, 16, 64, 100] {
            assert!(in_reads(&log, read, style) == whole, "{style:?} in reads of {read}");
        }
    }
}

#[test]
fn a_long_message_cut_short_is_held_until_its_body_length_is_there() {
    let order = message(&format!("35=D|49=C|56=K|34=2|52=20260820-14:30:05.124|58={}|", "x".repeat(500)));
    let mut printer = printer(Style::Plain);
    let mut output = Printed::default();
    printer.print(&order[..100], 0, false, 1 << 20, &mut output);
    assert_eq!((output.consumed, output.need), (0, order.len()));
    assert!(output.text.is_empty() && output.garbled.is_empty());
    // Longer than the limit: reported as it stands.
    printer.print(&order[..100], 0, false, 80, &mut output);
    assert_eq!(output.garbled.len(), 1);
    assert_eq!(output.garbled[0].error.kind, DecodeErrorKind::Truncated);
}

#[test]
fn needed_reads_the_body_length_as_the_header_allows() {
    assert_eq!(needed(b"8=FIX.4.4\x019=5\x0135="), 10 + 4 + 5 + 7);
    assert_eq!(needed(b"8=FIX.4.4|9=123456789|"), 10 + 12 + 123_456_789 + 7);
    for short in [&b"8=FIX.4.4\x019=5"[..], b"8=FIX.4.4\x019=1234567890\x01", b"8=\x019=5\x01", b"9=5\x01"] {
        assert_eq!(needed(short), 0, "{short:?}");
    }
}

#[test]
fn random_bytes_and_cuts_never_panic_and_keep_the_output() {
    let log = log();
    let mut rng = Rng(0x5eed);
    for _ in 0..200 {
        let mut bytes = log.clone();
        for _ in 0..rng.below(8) {
            let at = rng.below(bytes.len());
            bytes[at] = *rng.pick(&[0, 1, b'|', b'=', b'(', b')', b'\n', 0xe2, 0x80, 0xa8, 0xff, b'9', b'8']);
        }
        for style in [Style::Plain, Style::Colour, Style::Json] {
            let whole = in_reads(&bytes, bytes.len(), style);
            let read = 1 + rng.below(40);
            assert!(in_reads(&bytes, read, style) == whole, "{style:?} in reads of {read}");
            assert!(std::str::from_utf8(&whole.0).is_ok());
        }
    }
}

#[test]
fn a_cut_message_holding_the_start_of_another_is_held_whole() {
    // The body of the outer message is a message with a two-digit CheckSum <10>: cut by a read,
    // the outer one is held, and what its body holds is not reported before it is whole.
    let mut inner = message("35=0|49=C|56=K|34=2|52=20260820-14:30:05.123|");
    inner.truncate(inner.len() - 7);
    inner.extend_from_slice(b"10=17\x01");
    let outer = message(std::str::from_utf8(&inner).unwrap());
    let mut log = b"20260820-14:30:05.124 : ".to_vec();
    log.extend_from_slice(&outer);
    log.extend_from_slice(&inner);
    for style in [Style::Plain, Style::Json] {
        let whole = in_reads(&log, log.len(), style);
        assert_eq!(whole.1.len(), 3, "{:?}", whole.1);
        for read in 1..60 {
            assert!(in_reads(&log, read, style) == whole, "{style:?} in reads of {read}");
        }
    }
}

#[test]
fn a_bar_message_that_ends_a_read_without_its_last_bar_keeps_the_offsets() {
    let order = message("35=0|49=C|56=K|34=2|52=20260820-14:30:05.123|");
    let bar: Vec<u8> = order.iter().map(|&b| if b == 1 { b'|' } else { b }).collect();
    let mut log = bar[..bar.len() - 1].to_vec();
    log.extend_from_slice(b"\n");
    log.extend_from_slice(&order);
    log.extend_from_slice(b"8=FIXT.1.1|9=5|35=0");
    let whole = in_reads(&log, log.len(), Style::Plain);
    assert_eq!(whole.1, [((log.len() - 19) as u64, "truncated")]);
    assert!(in_reads(&log, bar.len() - 1, Style::Plain) == whole);
}

#[test]
fn a_group_whose_count_tag_comes_twice_shows_each_occurrence_s_own_entries() {
    let head = "35=D|49=C|56=K|34=2|52=20260820-14:30:05.124|11=A|";
    let order = message(&format!("{head}453=1|448=p|452=24|58=x|453=2|448=q|452=1|448=r|452=3|"));
    let mut output = Printed::default();
    printer(Style::Json).print(&order, 0, true, 1 << 20, &mut output);
    let text = String::from_utf8(output.text).unwrap();
    let parties = r#""NoPartyIDs": [{"PartyID": "p", "PartyRole": "24"}, {"PartyID": "q", "PartyRole": "1"}, {"PartyID": "r", "PartyRole": "3"}], "Text": "x", "CheckSum": "#;
    assert!(text.contains(parties), "{text}");
    // An empty group after one with an entry: the fields after it are all there.
    let order = message(&format!("{head}453=1|448=p|452=24|453=0|"));
    let mut output = Printed::default();
    printer(Style::Json).print(&order, 0, true, 1 << 20, &mut output);
    let text = String::from_utf8(output.text).unwrap();
    let end = "\"NoPartyIDs\": [{\"PartyID\": \"p\", \"PartyRole\": \"24\"}], \"CheckSum\": \"";
    assert!(text.contains(end), "{text}");
}
