//! Fuzzes [`fixwire::text::LogPrinter`], `fixwire decode`'s engine, with logs that arrive in
//! pieces.
//!
//! The first input byte picks the style (plain, coloured, JSON), the size of every read and
//! whether the rest of the input is printed as it is or also wrapped as the body of a message
//! with the right BodyLength <9> and CheckSum <10> (SOH or `|` form, after a log prefix), so that
//! changed bytes reach the formatting instead of stopping at the framing. Whatever the bytes:
//!
//! - nothing panics, and the output is UTF-8;
//! - the output and the bad candidates (offset and kind) do not depend on the reads: read by
//!   read, as the command reads, they are those of the whole log printed at once;
//! - every bad candidate's offset lies inside the log, in order, and the JSON style writes one
//!   line per message, each an object.

#![no_main]

use std::sync::{Arc, OnceLock};

use fixwire::text::{LogPrinter, PrintOptions, Printed, Style};
use fixwire::Dictionary;
use libfuzzer_sys::fuzz_target;

/// The bundled dictionary, loaded once.
fn dictionary() -> Arc<Dictionary> {
    static KALSHI: OnceLock<Arc<Dictionary>> = OnceLock::new();
    Arc::clone(KALSHI.get_or_init(|| Arc::new(Dictionary::kalshi())))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let style = [Style::Plain, Style::Colour, Style::Json][usize::from(selector % 3)];
    let read = 1 + usize::from(selector >> 2) % 48;
    let mut logs = vec![rest.to_vec()];
    if selector & 2 != 0 {
        let mut log = b"20260820-14:30:05.124 : ".to_vec();
        log.extend_from_slice(&wrapped(rest, selector & 0x80 != 0));
        log.extend_from_slice(rest);
        logs.push(log);
    }
    for log in logs {
        let whole = print(&log, log.len(), style);
        assert!(std::str::from_utf8(&whole.0).is_ok(), "the output is not UTF-8");
        assert!(whole.1.windows(2).all(|w| w[0].0 < w[1].0), "bad candidates out of order");
        assert!(whole.1.iter().all(|&(offset, _)| offset < log.len() as u64));
        if style == Style::Json {
            for line in whole.0.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                assert!(line.starts_with(b"{\"source\": ") && line.ends_with(b"}"));
            }
        }
        assert!(print(&log, read, style) == whole, "the output depends on the reads ({read} bytes)");
    }
});

/// The log printed `read` bytes at a time, as `fixwire decode` reads: the output, and the bad
/// candidates as `(offset, kind)`.
fn print(log: &[u8], read: usize, style: Style) -> (Vec<u8>, Vec<(u64, &'static str)>) {
    let options =
        PrintOptions { style, msg_types: None, heading: b"# log byte ".to_vec(), json_source: b"\"log\"".to_vec() };
    let mut printer = LogPrinter::new(dictionary(), options);
    let mut out = Printed::default();
    let (mut text, mut garbled) = (Vec::new(), Vec::new());
    let (mut pending, mut base, mut need) = (Vec::new(), 0, 0);
    let mut chunks = log.chunks(read.max(1)).peekable();
    loop {
        let last = chunks.peek().is_none();
        if let Some(chunk) = chunks.next() {
            pending.extend_from_slice(chunk);
            if pending.len() < need {
                continue;
            }
        }
        printer.print(&pending, base, last, 1 << 16, &mut out);
        text.extend_from_slice(&out.text);
        garbled.extend(out.garbled.iter().map(|g| (g.offset, g.error.kind.name())));
        if last {
            return (text, garbled);
        }
        assert!(out.consumed <= pending.len());
        base += out.consumed as u64;
        pending.drain(..out.consumed);
        need = out.need;
    }
}

/// `body` as the body of a FIXT.1.1 message with the right BodyLength <9> and CheckSum <10>,
/// with `|` for SOH when `bar`.
fn wrapped(body: &[u8], bar: bool) -> Vec<u8> {
    let mut msg = format!("8=FIXT.1.1\x019={}\x01", body.len()).into_bytes();
    msg.extend_from_slice(body);
    let sum = fixwire::checksum(&msg);
    msg.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
    if bar {
        for b in &mut msg {
            if *b == 1 {
                *b = b'|';
            }
        }
    }
    msg
}
