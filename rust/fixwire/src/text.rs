//! FIX logs as text for people, a read at a time: what `fixwire decode` prints.
//!
//! A [`LogPrinter`] takes the bytes read so far and returns, in one call, the output for every
//! message that is complete in them (a heading and [`Dictionary::format`]'s lines, coloured or
//! not, or one JSON object a line), the bad candidates in order with where they fall in that
//! output, and how much of the input to keep for the next read. Messages are found as
//! [`LogReader`] finds them: anywhere in the text, SOH- or `|`-separated, after line prefixes.
//!
//! What is kept for the next read: a candidate cut short by the end of the input (a
//! `truncated` error, or when it comes last another error when even its BodyLength <9> is
//! cut) is held with all that follows it, up to `max_held` bytes, and the caller searches again only once the input has grown to
//! the length its BodyLength gives ([`Printed::need`]), so a long message arriving in small
//! reads is not searched over and over; after the last message the last [`TAIL`] bytes are kept
//! too, for the start of a message ("8=FI") not yet recognisable as one.

mod colour;
mod json;

use std::sync::Arc;

use crate::columns::{Found, LogReader};
use crate::decode::{Message, ParseOptions};
use crate::dictionary::Dictionary;
use crate::error::{DecodeError, DecodeErrorKind};

/// Bytes kept after the last message found, for a message whose first bytes came at the end
/// of a read.
pub const TAIL: usize = 16;
/// Bytes from a message's start that hold its BodyLength <9>, in the longest header allowed.
const HEADER: usize = 64;

/// How the messages are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A heading line, then one line per field (tag, name, value, the value's meaning), then a
    /// blank line.
    Plain,
    /// [`Style::Plain`] with ANSI colours: the heading bold, tags dim, names cyan, values bold,
    /// meanings green.
    Colour,
    /// One JSON object a line: `source`, `offset`, `msg_type`, then the fields by name (the tag
    /// when undefined); groups as lists of objects; a tag repeated outside a group as a list.
    Json,
}

/// What a [`LogPrinter`] writes besides the messages.
#[derive(Debug, Clone)]
pub struct PrintOptions {
    /// Plain, coloured or JSON.
    pub style: Style,
    /// Only messages of these MsgTypes <35>; all when `None`.
    pub msg_types: Option<Vec<String>>,
    /// What starts a heading, before the message's offset: `# <source> byte `.
    pub heading: Vec<u8>,
    /// The input's name as a JSON string, quotes included (the value of `"source"`).
    pub json_source: Vec<u8>,
}

/// A bad candidate: where it starts in the input and what is wrong.
#[derive(Debug, Clone)]
pub struct Garbled {
    /// Where in [`Printed::text`] it falls: after the output of the messages before it.
    pub at: usize,
    /// Where the candidate starts, counted from the start of the whole input.
    pub offset: u64,
    /// What is wrong.
    pub error: DecodeError,
}

/// The output of one [`LogPrinter::print`].
#[derive(Debug, Default)]
pub struct Printed {
    /// The messages, formatted (UTF-8).
    pub text: Vec<u8>,
    /// The bad candidates, in input order.
    pub garbled: Vec<Garbled>,
    /// Bytes of the input done with: the caller drops them and keeps the rest for the next read.
    pub consumed: usize,
    /// Bytes the kept rest must reach before a new search can find more (0: any read will do).
    pub need: usize,
}

/// Formats the messages of a log as they are read; see the module documentation.
#[derive(Debug)]
pub struct LogPrinter {
    dictionary: Arc<Dictionary>,
    options: PrintOptions,
    parse: ParseOptions,
    /// What the JSON style needs to keep keys unique.
    keys: json::Keys,
    /// Reused for each message's formatted lines.
    scratch: Vec<u8>,
}

impl LogPrinter {
    /// A printer of messages with `dictionary`'s names, enums and repeating groups.
    pub fn new(dictionary: Arc<Dictionary>, options: PrintOptions) -> Self {
        let parse = ParseOptions { groups: Some(dictionary.group_specs()), ..ParseOptions::default() };
        let keys = if options.style == Style::Json { json::Keys::new(&dictionary) } else { json::Keys::default() };
        Self { dictionary, options, parse, keys, scratch: Vec::new() }
    }

    /// The output for the messages of `input`, which starts `base` bytes into the whole input.
    ///
    /// With `last`, `input` is all there is: everything in it is reported, a message cut short
    /// as `truncated`. Otherwise a candidate cut short at the end is held back (up to
    /// `max_held` bytes) with what follows it; see the module documentation.
    ///
    /// The output goes into `out`, emptied first: one `Printed` kept from a read to the next
    /// keeps its buffers.
    pub fn print(&mut self, input: &[u8], base: u64, last: bool, max_held: usize, out: &mut Printed) {
        out.text.clear();
        out.garbled.clear();
        out.need = 0;
        // The text is a few times the input (a name and padding for each field).
        out.text.reserve(input.len() * 4);
        // Where the last item found ends: for a message, its end; for a bad candidate, the byte
        // after its start.
        let mut end = 0;
        // The last item when it is a bad candidate: its start, its kind, and how much output
        // and how many bad candidates came before it.
        let mut last_garbled = None;
        // The first bad candidate that the end of the input cut short, likewise.
        let mut first_cut = None;
        // Cloned once a read (the group specs are shared), as the messages are written by `self`.
        let parse = self.parse.clone();
        let mut reader = LogReader::new(input, 0..input.len(), &parse);
        while let Some(found) = reader.next_message() {
            match found {
                Found::Message { offset, end: message_end, message } => {
                    last_garbled = None;
                    end = message_end;
                    self.message(out, base + offset as u64, &message);
                }
                Found::Garbled { offset, error } => {
                    let mark = (offset, error.kind, out.text.len(), out.garbled.len());
                    last_garbled = Some(mark);
                    let cut = error.kind == DecodeErrorKind::Truncated && error.offset == input.len();
                    if first_cut.is_none() && cut && input.len() - offset <= max_held {
                        first_cut = Some(mark);
                    }
                    end = offset + 1;
                    out.garbled.push(Garbled { at: out.text.len(), offset: base + offset as u64, error });
                }
            }
        }
        if last {
            out.consumed = input.len();
            return;
        }
        // A candidate cut short is held with all that follows it, even when the search found
        // more after it (a message's own bytes may hold "8=FIX"): the next search, with its end
        // there, finds what a search of the whole input finds.
        let held = last_garbled.filter(|&(offset, kind, ..)| {
            let held = input.len() - offset;
            held <= HEADER || (kind == DecodeErrorKind::Truncated && held <= max_held)
        });
        if let Some((offset, _, text, garbled)) = first_cut.or(held) {
            out.text.truncate(text);
            out.garbled.truncate(garbled);
            out.consumed = offset;
            out.need = needed(&input[offset..input.len().min(offset + HEADER)]).min(max_held + 1);
            return;
        }
        out.consumed = end.max(input.len().saturating_sub(TAIL));
    }

    /// Writes one message, unless the MsgType filter leaves it out.
    fn message(&mut self, out: &mut Printed, offset: u64, message: &Message<'_>) {
        let msg_type = message.msg_type();
        if let Some(types) = &self.options.msg_types {
            if !types.iter().any(|t| t.as_bytes() == msg_type) {
                return;
            }
        }
        let text = &mut out.text;
        match self.options.style {
            Style::Json => {
                if let Err(error) =
                    json::write(text, &self.dictionary, &self.keys, &self.options.json_source, offset, message)
                {
                    out.garbled.push(Garbled { at: text.len(), offset, error });
                }
            }
            Style::Plain | Style::Colour => {
                let colour = self.options.style == Style::Colour;
                let msg_type = String::from_utf8_lossy(msg_type);
                let name = self.dictionary.message(&msg_type).map_or("unknown message type", |m| m.name.as_str());
                if colour {
                    text.extend_from_slice(colour::BOLD.as_bytes());
                }
                text.extend_from_slice(&self.options.heading);
                push_decimal(text, offset);
                for piece in [": 35=", &msg_type, " ", name, "\n"] {
                    text.extend_from_slice(piece.as_bytes());
                }
                if colour {
                    text.extend_from_slice(colour::RESET.as_bytes());
                    self.scratch.clear();
                    self.dictionary.format_into(message, &mut self.scratch);
                    // The formatted lines are UTF-8 by construction: this never copies.
                    colour::colour_lines(&String::from_utf8_lossy(&self.scratch), text);
                } else {
                    self.dictionary.format_into(message, text);
                }
                text.push(b'\n');
            }
        }
    }
}

/// Bytes a message cut short at the start of `held` needs in all, read from its BodyLength
/// <9>; 0 when that cannot be read yet. The header must look like `8=<1 to 20 bytes>`, a
/// separator (SOH or `|`), `9=<1 to 9 digits>` and a separator.
fn needed(held: &[u8]) -> usize {
    let is_separator = |b: &u8| *b == crate::SOH || *b == b'|';
    let Some(rest) = held.strip_prefix(b"8=") else { return 0 };
    let Some(n) = rest.iter().position(is_separator) else { return 0 };
    if !(1..=20).contains(&n) {
        return 0;
    }
    let Some(digits) = rest[n + 1..].strip_prefix(b"9=") else { return 0 };
    let count = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=9).contains(&count) || !digits.get(count).is_some_and(is_separator) {
        return 0;
    }
    let body_length = digits[..count].iter().fold(0, |n, &d| n * 10 + usize::from(d - b'0'));
    // 8= and the BeginString, its separator, 9= and the digits, their separator; the body;
    // then the trailer: "10=", three digits and a separator.
    2 + n + 1 + 2 + count + 1 + body_length + 7
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests;
