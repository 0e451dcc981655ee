//! Finding messages in log text: every `8=FIX` is a candidate, framed by its BodyLength <9>
//! for either separator (SOH or `|`); what does not frame or parse is garbled.

use std::ops::Range;

use memchr::memmem;

use crate::decode::{FieldIndex, Message, ParseOptions};
use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::value;
use crate::SOH;

/// Every candidate message starts with these bytes.
pub(super) const NEEDLE: &[u8] = b"8=FIX";

/// What a [`LogReader`] found next.
#[derive(Debug)]
pub enum Found<'a> {
    /// A message that parsed; for `|` logs, its bytes are the SOH form.
    Message {
        /// Where the message starts in the input.
        offset: usize,
        /// Where it ends (exclusive) in the input.
        end: usize,
        /// The parsed message.
        message: Message<'a>,
    },
    /// A candidate (`8=FIX`) that is not a whole, valid message; the reader goes on after it.
    Garbled {
        /// Where the candidate starts in the input.
        offset: usize,
        /// What is wrong, with the offset within the input.
        error: DecodeError,
    },
}

/// Finds FIX messages in log text: raw, one a line, `|`-separated, or after line prefixes.
///
/// A lending iterator: each message borrows the reader's buffers until the next call.
#[derive(Debug)]
pub struct LogReader<'a, 'o> {
    candidates: Candidates<'a>,
    options: &'o ParseOptions,
    index: FieldIndex,
    // The last candidate framed but did not parse: the search goes on from the byte after its
    // start. Applied at the next call, as the message of this one still borrows the candidates.
    rejected: Option<usize>,
}

impl<'a, 'o> LogReader<'a, 'o> {
    /// A reader of the messages that start in `input[range]` (they may end after it).
    pub fn new(input: &'a [u8], range: Range<usize>, options: &'o ParseOptions) -> Self {
        Self { candidates: Candidates::new(input, range), options, index: FieldIndex::new(), rejected: None }
    }

    /// Where the reader is: past the last message or candidate it returned.
    pub fn position(&self) -> usize {
        self.rejected.map_or(self.candidates.pos, |offset| offset + 1)
    }

    /// The next message or garbled candidate, `None` at the end of the range.
    pub fn next_message(&mut self) -> Option<Found<'_>> {
        if let Some(offset) = self.rejected.take() {
            self.candidates.reject(offset);
        }
        let (offset, end, message) = match self.candidates.next_candidate()? {
            Candidate::Garbled { offset, error } => return Some(Found::Garbled { offset, error }),
            Candidate::Framed { offset, end, message, .. } => (offset, end, message),
        };
        if let Err(error) = self.index.parse(message, self.options) {
            self.rejected = Some(offset);
            return Some(Found::Garbled { offset, error: error.shifted(offset) });
        }
        Some(Found::Message { offset, end, message: self.index.view(message) })
    }
}

/// A candidate message framed by its BodyLength, before it is parsed.
pub(super) enum Candidate<'s> {
    /// A message-sized span: its SOH form (the input itself, or a converted copy of a `|` line).
    Framed { offset: usize, end: usize, message: &'s [u8], frame: Frame },
    /// A candidate that does not even frame.
    Garbled { offset: usize, error: DecodeError },
}

/// Finds and frames the candidates of a range (the first half of a [`LogReader`]); the caller
/// parses each and calls [`Candidates::reject`] on the ones that do not parse.
#[derive(Debug)]
pub(super) struct Candidates<'a> {
    input: &'a [u8],
    pos: usize,
    end: usize,
    finder: memmem::Finder<'static>,
    scratch: Vec<u8>,
}

impl<'a> Candidates<'a> {
    pub(super) fn new(input: &'a [u8], range: Range<usize>) -> Self {
        Self {
            input,
            pos: range.start.min(input.len()),
            end: range.end.min(input.len()),
            finder: memmem::Finder::new(NEEDLE),
            scratch: Vec::new(),
        }
    }

    /// The next candidate that starts before the range's end. A framed candidate is taken as
    /// read (the search goes on after it) until [`reject`](Self::reject) says otherwise.
    #[inline]
    pub(super) fn next_candidate(&mut self) -> Option<Candidate<'_>> {
        let input = self.input;
        // A candidate belongs to the range if it *starts* before `end`, so the five bytes of
        // `8=FIX` may reach four bytes past it. After a message that ran past the range, `pos`
        // is beyond `end`: nothing more to read.
        let window = input.get(self.pos..(self.end + NEEDLE.len() - 1).min(input.len()))?;
        // Messages mostly follow each other directly: look there before searching.
        let found = if window.starts_with(NEEDLE) { Some(0) } else { self.finder.find(window) };
        let at = self.pos + found.filter(|&n| self.pos + n < self.end)?;
        let len = match candidate_length(&input[at..]) {
            Ok(len) => len,
            Err(error) => {
                self.pos = at + 1;
                return Some(Candidate::Garbled { offset: at, error: error.shifted(at) });
            }
        };
        self.pos = at + len.consumed;
        let raw = &input[at..at + len.consumed];
        let message: &[u8] = if len.separator == SOH {
            raw
        } else {
            self.scratch.clear();
            self.scratch.extend(raw[..len.message].iter().map(|&b| if b == len.separator { SOH } else { b }));
            if self.scratch.last() != Some(&SOH) {
                self.scratch.push(SOH);
            }
            &self.scratch
        };
        Some(Candidate::Framed { offset: at, end: self.pos, message, frame: len.frame })
    }

    /// The candidate at `offset` did not parse: the search goes on from the byte after its start.
    pub(super) fn reject(&mut self, offset: usize) {
        self.pos = offset + 1;
    }
}

/// Where a candidate message ends: its separator, the bytes of the message (through the
/// CheckSum value and its separator, if any), and the bytes to consume.
pub(super) struct CandidateLength {
    separator: u8,
    message: usize,
    consumed: usize,
    frame: Frame,
}

/// Where the framing found a candidate's header and trailer (the same in its SOH form), so
/// that a reader of the message need not read BeginString <8> and BodyLength <9> again.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    /// The separator after BeginString <8>'s value (the first one in the message).
    pub(super) begin_end: usize,
    /// The first byte after BodyLength <9>'s separator.
    pub(super) body_start: usize,
    /// Where CheckSum <10> starts: `body_start` plus BodyLength <9>.
    pub(super) trailer: usize,
}

/// Frames a candidate starting with `8=FIX` by its BodyLength, for either separator; the
/// error's offset is within the candidate.
pub(super) fn candidate_length(buf: &[u8]) -> Result<CandidateLength, DecodeError> {
    const MAX_BEGIN_STRING: usize = 16;
    let truncated = || DecodeError::new(Kind::Truncated, buf.len(), None, "input ends inside a message");
    let garbled = |tag, reason: &str| DecodeError::new(Kind::BadBodyLength, 0, tag, reason);
    let begin_end = 2 + buf[2..]
        .iter()
        .take(MAX_BEGIN_STRING + 1)
        .position(|&b| b == SOH || b == b'|')
        .ok_or_else(|| garbled(Some(8), "BeginString <8> is not followed by SOH or '|'"))?;
    let separator = buf[begin_end];
    // "FIX.4.4", "FIXT.1.1": a line break or '=' here means text before a message was taken
    // for its start.
    if !crate::frame::plausible_begin_string(&buf[2..begin_end]) {
        return Err(garbled(Some(8), "BeginString <8> is not a FIX version"));
    }
    let rest = buf.get(begin_end + 1..).ok_or_else(truncated)?;
    let digits = rest.strip_prefix(b"9=").ok_or_else(|| garbled(Some(9), "BodyLength <9> is not the second field"))?;
    let n = digits
        .iter()
        .take(11)
        .position(|&b| b == separator)
        .ok_or_else(|| garbled(Some(9), "BodyLength <9> is not a number"))?;
    let body_length = value::parse_u64(&digits[..n])
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| garbled(Some(9), "BodyLength <9> is not a number"))?;
    let body_start = begin_end + 1 + 2 + n + 1;
    let trailer = body_start.checked_add(body_length).ok_or_else(|| garbled(Some(9), "BodyLength <9> is too large"))?;
    let checksum = buf.get(trailer..trailer + 6).ok_or_else(truncated)?;
    if !checksum.starts_with(b"10=") || buf[trailer - 1] != separator {
        return Err(garbled(Some(9), "BodyLength <9> does not lead to the CheckSum <10> field"));
    }
    let frame = Frame { begin_end, body_start, trailer };
    match buf.get(trailer + 6) {
        Some(&b) if b == separator => {
            Ok(CandidateLength { separator, message: trailer + 7, consumed: trailer + 7, frame })
        }
        // `|` logs often end a line without the last separator.
        Some(b'\n' | b'\r') | None if separator == b'|' => {
            Ok(CandidateLength { separator, message: trailer + 6, consumed: trailer + 6, frame })
        }
        None => Err(truncated()),
        Some(_) => Err(DecodeError::new(Kind::BadCheckSum, trailer, Some(10), "CheckSum <10> is not three digits")),
    }
}
