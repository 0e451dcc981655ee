//! Framing: finding whole messages in a byte stream that arrives in arbitrary pieces.
//!
//! A message starts with `8=`; BodyLength <9> says where the `10=` trailer is, so the end is
//! found without scanning the body. Anything that does not fit (no `8=` where a message should
//! start, a BodyLength that does not lead to `10=NNN<SOH>`, a wrong CheckSum) is garbled: the
//! framer reports it with its stream offset and resumes at the next place a message can start,
//! so valid messages before and after garbage are never lost. A plausible start is `8=`, a
//! BeginString of at most [`MAX_BEGIN_STRING`] letters, digits and dots, SOH, then `9=`.

use crate::decode::{FieldIndex, ParseOptions};
use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::{swar, SOH};

/// The longest BeginString value a framer accepts (`FIXT.1.1` is 8 bytes).
pub const MAX_BEGIN_STRING: usize = 16;
/// Default for [`FramerConfig::max_body_length`]: 1 MiB.
pub const DEFAULT_MAX_BODY_LENGTH: usize = 1 << 20;
/// Digits a BodyLength may have; more is garbage whatever the maximum.
const MAX_LENGTH_DIGITS: usize = 10;
/// Bytes of `10=NNN<SOH>`.
const TRAILER_LEN: usize = 7;

/// Limits and switches for framing.
#[derive(Debug, Clone)]
pub struct FramerConfig {
    /// The largest BodyLength <9> accepted; a larger one is garbage, not an allocation.
    pub max_body_length: usize,
    /// Check CheckSum <10> while framing; a mismatch is garbage.
    pub verify_checksum: bool,
    /// How each framed message is parsed; its `verify_checksum` is not used (framing checks
    /// CheckSum, when `verify_checksum` above says so, and a message is not summed twice).
    pub parse: ParseOptions,
}

impl Default for FramerConfig {
    fn default() -> Self {
        Self { max_body_length: DEFAULT_MAX_BODY_LENGTH, verify_checksum: true, parse: ParseOptions::default() }
    }
}

/// What is at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole message of this many bytes.
    Message(usize),
    /// The start of a message, or nothing yet: more bytes are needed.
    Incomplete,
    /// Bytes that are not a message: skip `skip` bytes (at least one) and look again.
    Garbled {
        /// Bytes to drop before the next possible message start.
        skip: usize,
        /// What was wrong, with the offset relative to the buffer.
        error: DecodeError,
    },
}

/// Looks for a message at the start of `buf`.
pub fn frame(buf: &[u8], config: &FramerConfig) -> Frame {
    match common_message(buf, config) {
        Some((trailer, _)) if !config.verify_checksum => Frame::Message(trailer + TRAILER_LEN),
        Some((trailer, stated)) => summed(buf, trailer, stated, config),
        None => frame_checked_in_full(buf, config),
    }
}

/// The verdict on a common message whose CheckSum <10> at `trailer` states `stated`, out of
/// line so that framing without it saves and restores no registers. This only dispatches, by
/// tail jumps that keep no registers either: with AVX-512 (at any length) or AVX2 (from 64
/// bytes) to a function compiled with them, the sum inlined there; else to [`summed_plain`].
#[inline(never)]
fn summed(buf: &[u8], trailer: usize, stated: u64, config: &FramerConfig) -> Frame {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    match crate::checksum::detected() {
        // SAFETY: the CPU has AVX-512BW: the one promise `summed_avx512` needs.
        Some(crate::checksum::Vectors::Avx512) => return unsafe { summed_avx512(buf, trailer, stated, config) },
        // SAFETY: the CPU has AVX2: the one promise `summed_avx2` needs.
        Some(crate::checksum::Vectors::Avx2) if trailer >= 64 => {
            return unsafe { summed_avx2(buf, trailer, stated, config) }
        }
        _ => {}
    }
    summed_plain(buf, trailer, stated, config)
}

/// [`summed`] with [`crate::checksum()`] as it dispatches itself: SSE2, or any length before
/// the CPU's vectors are known (its first sum of more than 64 bytes detects them).
#[inline(never)]
fn summed_plain(buf: &[u8], trailer: usize, stated: u64, config: &FramerConfig) -> Frame {
    sum_verdict(buf, trailer, stated, config, crate::checksum)
}

/// [`summed`] with AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
fn summed_avx512(buf: &[u8], trailer: usize, stated: u64, config: &FramerConfig) -> Frame {
    sum_verdict(buf, trailer, stated, config, |data| crate::checksum::avx512_checksum(data))
}

/// [`summed`] with AVX2.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx2")]
unsafe fn summed_avx2(buf: &[u8], trailer: usize, stated: u64, config: &FramerConfig) -> Frame {
    sum_verdict(buf, trailer, stated, config, |data| {
        if data.len() < 32 {
            return crate::checksum(data);
        }
        // SAFETY: the CPU has AVX2 (this function's promise) and `data` 32 bytes or more.
        unsafe { crate::checksum::avx2_checksum(data) }
    })
}

/// A way [`frame()`] can check a common message's CheckSum <10>, for the tests and the
/// `frame_paths` fuzz target, which hold each to [`frame_checked_in_full`]; not part of the
/// API.
#[cfg(any(test, feature = "dispatch-paths"))]
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FramePath {
    /// [`frame()`] itself, as this CPU dispatches it (any buffer).
    Dispatched,
    /// The sum with AVX-512 (x86_64 with AVX-512BW).
    Avx512,
    /// The sum with AVX2 (x86_64 with AVX2), at any length.
    Avx2,
    /// The sum as [`crate::checksum()`] dispatches itself.
    Plain,
}

#[cfg(any(test, feature = "dispatch-paths"))]
impl FramePath {
    /// Every path.
    pub const ALL: [Self; 4] = [Self::Dispatched, Self::Avx512, Self::Avx2, Self::Plain];

    /// The frame of `buf` by this path; `None` where the path does not apply: the CPU lacks its
    /// instructions, or no sum is checked (the buffer does not start with a common message, or
    /// `config` verifies no CheckSum).
    #[allow(unsafe_code)]
    pub fn frame(self, buf: &[u8], config: &FramerConfig) -> Option<Frame> {
        if self == Self::Dispatched {
            return Some(frame(buf, config));
        }
        let (trailer, stated) = common_message(buf, config).filter(|_| config.verify_checksum)?;
        match self {
            Self::Plain => Some(summed_plain(buf, trailer, stated, config)),
            // SAFETY: the CPU has AVX-512BW, checked first.
            #[cfg(target_arch = "x86_64")]
            Self::Avx512 => (crate::checksum::widest() == crate::checksum::Vectors::Avx512)
                .then(|| unsafe { summed_avx512(buf, trailer, stated, config) }),
            // SAFETY: the CPU has AVX2, checked first.
            #[cfg(target_arch = "x86_64")]
            Self::Avx2 => (crate::checksum::widest() != crate::checksum::Vectors::Sse2)
                .then(|| unsafe { summed_avx2(buf, trailer, stated, config) }),
            _ => None,
        }
    }
}

/// The frame of a common message whose bytes before `trailer` sum (by `sum`) to `stated`, else
/// the checked path's verdict.
#[inline(always)]
fn sum_verdict(buf: &[u8], trailer: usize, stated: u64, config: &FramerConfig, sum: impl Fn(&[u8]) -> u8) -> Frame {
    match buf.get(..trailer) {
        Some(summed) if u64::from(sum(summed)) == stated => Frame::Message(trailer + TRAILER_LEN),
        _ => frame_checked_in_full(buf, config),
    }
}

/// [`frame`] without its shortcut for the common message: every check in turn, which also
/// names what is wrong. The same verdict as [`frame`] on every input (fuzzed against it).
#[doc(hidden)]
#[inline(never)]
pub fn frame_checked_in_full(buf: &[u8], config: &FramerConfig) -> Frame {
    match frame_message(buf, config) {
        Ok(Some(len)) => Frame::Message(len),
        Ok(None) => Frame::Incomplete,
        Err(fault) => garbled(buf, fault, config),
    }
}

/// `8=FIXT.1.1<SOH>9=` from its sixth byte on: with the first eight, the whole of it.
const FIXT_TAIL: u64 = u64::from_le_bytes(*b"T.1.1\x019=");
/// `8=FIX.d.d<SOH>9=`: the bytes that are not digits, and which ones those are.
const FIX_HEAD: u64 = u64::from_le_bytes(*b"8=FIX.\0.");
const FIX_HEAD_MASK: u64 = 0xFF00_FFFF_FFFF_FFFF;
const FIX_TAIL: u64 = u64::from_le_bytes(*b"\0.\0\x019=\0\0");
const FIX_TAIL_MASK: u64 = 0x0000_FFFF_FF00_FF00;
/// `<SOH>10=`, then three digits and SOH: the word from the body's last byte on.
const TRAILER_WORD: u64 = u64::from_le_bytes([SOH, b'1', b'0', b'=', 0, 0, 0, SOH]);
const TRAILER_MASK: u64 = 0xFF00_0000_FFFF_FFFF;

/// Where the trailer of a whole message at the start of `buf` in its common form starts, and
/// the CheckSum <10> it states, read a word at a time: BeginString `FIXT.1.1` or `FIX.d.d`, a
/// BodyLength <9> of one to seven digits, the trailer `10=ddd<SOH>` where BodyLength says.
/// `None` for anything else, which [`frame_checked_in_full`] then judges; what this accepts
/// (with a right CheckSum when asked), it accepts too.
#[inline(always)]
fn common_message(buf: &[u8], config: &FramerConfig) -> Option<(usize, u64)> {
    // Every header word is read out of the first 24 bytes, with no bounds check of its own; a
    // shorter buffer is left to the checked path (no message that short has a body).
    let first: &[u8; 24] = buf.first_chunk()?;
    let word = |at: usize| swar::load(first, at).unwrap_or_default();
    let head = word(0);
    let digits_start = if head == u64::from_le_bytes(*b"8=FIXT.1") && word(5) == FIXT_TAIL {
        13
    } else {
        // Bytes 6 to 13: the second digit, `.`, the third, SOH, `9=`.
        let tail = word(6);
        let versions = u64::from_le_bytes([(head >> 48) as u8, (tail >> 16) as u8, 0, 0, 0, 0, 0, 0]);
        if head & FIX_HEAD_MASK != FIX_HEAD || tail & FIX_TAIL_MASK != FIX_TAIL || swar::digits(versions, 2).is_none() {
            return None;
        }
        12
    };
    let digits = word(digits_start);
    // One to seven digits, then SOH (eight digits have a shift of 0, and a digit is no SOH).
    let shift = swar::digit_run_bits(digits);
    if (digits >> shift) as u8 != SOH || shift == 0 {
        return None;
    }
    let body_length = swar::digits_below(digits, shift) as usize;
    if body_length == 0 || body_length > config.max_body_length {
        return None;
    }
    // At most seven digits: no overflow.
    let trailer = digits_start + (shift / 8) as usize + 1 + body_length;
    let last = swar::load(buf, trailer - 1)?;
    if last & TRAILER_MASK != TRAILER_WORD {
        return None;
    }
    let stated = swar::digits(last >> 32, 3)?;
    Some((trailer, stated))
}

/// Why the bytes at the start of a buffer are not a message: small and `Copy`, so the fast path
/// carries no [`DecodeError`] and formats no sentence; [`garbled`] does that, out of line.
#[derive(Debug, Clone, Copy)]
enum Fault {
    NotAStart,
    /// BodyLength <9> is not a number; the BeginString's SOH is at `begin_end`.
    LengthNotANumber {
        begin_end: usize,
    },
    LengthTooLarge {
        begin_end: usize,
        body_length: u64,
    },
    NoTrailer {
        begin_end: usize,
        body_length: u64,
    },
    /// CheckSum <10> (at `trailer`) is not three digits and SOH.
    CheckSumNotDigits {
        trailer: usize,
    },
    CheckSumWrong {
        trailer: usize,
        stated: u32,
        actual: u8,
    },
}

/// The garbage report for `fault` at the start of `buf`, and where to look next.
#[cold]
#[inline(never)]
fn garbled(buf: &[u8], fault: Fault, config: &FramerConfig) -> Frame {
    let error = match fault {
        Fault::NotAStart => DecodeError::new(Kind::Garbage, 0, None, "bytes that do not start a FIX message"),
        Fault::LengthNotANumber { begin_end } => {
            DecodeError::new(Kind::BadBodyLength, begin_end + 1, Some(9), "BodyLength <9> is not a number")
        }
        Fault::LengthTooLarge { begin_end, body_length } => DecodeError::new(
            Kind::BodyLengthTooLarge,
            begin_end + 1,
            Some(9),
            format!("BodyLength <9> is {body_length}, more than the maximum {}", config.max_body_length),
        ),
        Fault::NoTrailer { begin_end, body_length } => DecodeError::new(
            Kind::BadBodyLength,
            begin_end + 1,
            Some(9),
            format!("BodyLength <9> is {body_length} but no CheckSum <10> field starts there"),
        ),
        Fault::CheckSumNotDigits { trailer } => {
            DecodeError::new(Kind::BadCheckSum, trailer, Some(10), "CheckSum <10> is not three digits")
        }
        Fault::CheckSumWrong { trailer, stated, actual } => DecodeError::new(
            Kind::BadCheckSum,
            trailer,
            Some(10),
            format!("CheckSum <10> is {stated:03} but the bytes sum to {actual:03}"),
        ),
    };
    Frame::Garbled { skip: next_start(buf, 1), error }
}

fn frame_message(buf: &[u8], config: &FramerConfig) -> Result<Option<usize>, Fault> {
    let begin_end = match start_at(buf, 0) {
        Start::Yes(begin_end) => begin_end,
        Start::Maybe => return Ok(None),
        Start::No => return Err(Fault::NotAStart),
    };
    // `start_at` checked "9=" after the BeginString's SOH. At most MAX_LENGTH_DIGITS digits are
    // read, so the number cannot overflow; a byte that is not a digit is only an error once the
    // SOH ending the value has arrived (until then more bytes are awaited, as for any field).
    let digits_start = begin_end + 3;
    let mut body_length = 0u64;
    let mut all_digits = true;
    let n = match until_soh(&buf[digits_start..], MAX_LENGTH_DIGITS + 1, |b| {
        let d = b.wrapping_sub(b'0');
        all_digits &= d <= 9;
        body_length = body_length * 10 + u64::from(d);
    }) {
        Ok(n) => n,
        Err(seen) if seen > MAX_LENGTH_DIGITS => return Err(Fault::LengthNotANumber { begin_end }),
        Err(_) => return Ok(None),
    };
    if n == 0 || !all_digits {
        return Err(Fault::LengthNotANumber { begin_end });
    }
    if body_length > config.max_body_length as u64 {
        return Err(Fault::LengthTooLarge { begin_end, body_length });
    }
    let body_start = digits_start + n + 1;
    // Bounded by max_body_length, so this cannot overflow.
    let trailer = body_start + body_length as usize;
    let Some(trailer_bytes) = buf.get(trailer..trailer + TRAILER_LEN) else {
        return Ok(None);
    };
    if body_length == 0 || buf[trailer - 1] != SOH || !trailer_bytes.starts_with(b"10=") {
        return Err(Fault::NoTrailer { begin_end, body_length });
    }
    let digits = &trailer_bytes[3..6];
    if !digits.iter().all(u8::is_ascii_digit) || trailer_bytes[6] != SOH {
        return Err(Fault::CheckSumNotDigits { trailer });
    }
    if config.verify_checksum {
        let stated = digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        let actual = crate::checksum(&buf[..trailer]);
        if stated != u32::from(actual) {
            return Err(Fault::CheckSumWrong { trailer, stated, actual });
        }
    }
    Ok(Some(trailer + TRAILER_LEN))
}

/// The offset of the first SOH in the first `limit` bytes of `bytes`, handing each byte before it
/// to `each`; without one, `Err` with the number of bytes looked at.
#[inline]
fn until_soh(bytes: &[u8], limit: usize, mut each: impl FnMut(u8)) -> Result<usize, usize> {
    let window = &bytes[..bytes.len().min(limit)];
    for (i, &b) in window.iter().enumerate() {
        if b == SOH {
            return Ok(i);
        }
        each(b);
    }
    Err(window.len())
}

enum Start {
    /// A message can start here; the BeginString's SOH is at this offset.
    Yes(usize),
    /// Too few bytes to tell.
    Maybe,
    No,
}

/// Whether a message can start at `buf[at..]`: `8=`, a version of 1 to [`MAX_BEGIN_STRING`]
/// letters, digits and dots, SOH, `9=`.
fn start_at(buf: &[u8], at: usize) -> Start {
    let rest = &buf[at..];
    if !rest.starts_with(b"8=") {
        return if prefix_ok(b"8=", rest) { Start::Maybe } else { Start::No };
    }
    // The BeginStrings that real traffic carries, compared whole; the loop below gives the same
    // answer for them, byte by byte.
    if rest.get(..11) == Some(b"8=FIXT.1.1\x01") {
        return begin_string_ends(rest, at, 10);
    }
    if let Some(&[b'8', b'=', b'F', b'I', b'X', b'.', major, b'.', minor, SOH]) = rest.get(..10) {
        if major.is_ascii_digit() && minor.is_ascii_digit() {
            return begin_string_ends(rest, at, 9);
        }
    }
    // One pass finds the SOH and checks the bytes before it, as `plausible_begin_string` would.
    let mut plausible = true;
    let n = match until_soh(&rest[2..], MAX_BEGIN_STRING + 1, |b| plausible &= BEGIN_STRING_BYTE[usize::from(b)]) {
        Ok(n) => n,
        Err(seen) if seen <= MAX_BEGIN_STRING => return Start::Maybe,
        Err(_) => return Start::No,
    };
    // "FIX.4.4", "FIXT.1.1": anything else (a line break, '=') is text before a message.
    if n == 0 || !plausible {
        return Start::No;
    }
    begin_string_ends(rest, at, 2 + n)
}

/// What follows a plausible BeginString whose SOH is at `rest[soh]`: `9=` makes a start.
fn begin_string_ends(rest: &[u8], at: usize, soh: usize) -> Start {
    let after = &rest[soh + 1..];
    if after.starts_with(b"9=") {
        Start::Yes(at + soh)
    } else if prefix_ok(b"9=", after) {
        Start::Maybe
    } else {
        Start::No
    }
}

/// Whether `got`, shorter than `expected`, is how `expected` begins: more bytes may complete it.
fn prefix_ok(expected: &[u8], got: &[u8]) -> bool {
    got.len() < expected.len() && expected.starts_with(got)
}

/// Bytes a BeginString may hold: ASCII letters, digits and dots.
const BEGIN_STRING_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // b < 256
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'.';
        b += 1;
    }
    table
};

/// Whether `v` can be a BeginString: 1 to [`MAX_BEGIN_STRING`] letters, digits and dots. A
/// framer or a log scan takes `8=` followed by anything else for text, not a message start
/// ([`parse`](crate::parse) of a single message does not ask this).
pub fn plausible_begin_string(v: &[u8]) -> bool {
    (1..=MAX_BEGIN_STRING).contains(&v.len()) && v.iter().all(|&b| BEGIN_STRING_BYTE[usize::from(b)])
}

/// The first offset at or after `from` where a message can start, or where the buffer ends in
/// what may be one; `buf.len()` when there is none.
fn next_start(buf: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(n) = memchr::memchr(b'8', &buf[at.min(buf.len())..]) {
        let candidate = at + n;
        match start_at(buf, candidate) {
            Start::Yes(_) | Start::Maybe => return candidate,
            Start::No => at = candidate + 1,
        }
    }
    buf.len()
}

/// A stream decoder: feed it bytes as they arrive, get whole parsed messages.
///
/// Errors (garbled bytes, messages that frame but do not parse) are collected with their
/// offset in the stream and taken with [`Framer::drain_errors`]; they never stop the stream.
#[derive(Debug)]
pub struct Framer {
    config: FramerConfig,
    pending: Vec<u8>,
    /// Stream offset of `pending[0]`.
    offset: u64,
    errors: Vec<DecodeError>,
    /// Reused for every message, so framing allocates nothing per message.
    index: FieldIndex,
    /// `config.parse` without the CheckSum check, which framing did.
    parse: ParseOptions,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new(FramerConfig::default())
    }
}

impl Framer {
    /// A framer with `config`.
    pub fn new(config: FramerConfig) -> Self {
        let parse = ParseOptions { verify_checksum: false, ..config.parse.clone() };
        Self { config, pending: Vec::new(), offset: 0, errors: Vec::new(), index: FieldIndex::new(), parse }
    }

    /// The configuration.
    pub fn config(&self) -> &FramerConfig {
        &self.config
    }

    /// Bytes held while waiting for the rest of a message.
    pub fn buffered(&self) -> usize {
        self.pending.len()
    }

    /// Bytes consumed from the stream so far (framed, or skipped as garbage).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether errors were found since the last [`drain_errors`](Self::drain_errors): a
    /// cheaper question than draining, for a reader that asks after every chunk.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Takes the errors found since the last call.
    pub fn drain_errors(&mut self) -> std::vec::Drain<'_, DecodeError> {
        self.errors.drain(..)
    }

    /// Adds `chunk` to the stream and calls `on_message(bytes, index)` for every whole message
    /// that parses. Only an unfinished tail is copied when nothing is pending; a message that
    /// lies wholly in `chunk` is always handed out as a slice of `chunk` (so a caller can keep
    /// a view into it instead of a copy), including those after one completed from a held tail.
    pub fn feed(&mut self, chunk: &[u8], mut on_message: impl FnMut(&[u8], &FieldIndex)) {
        let mut rest = chunk;
        if !self.pending.is_empty() {
            let mut pending = std::mem::take(&mut self.pending);
            let held = pending.len();
            pending.extend_from_slice(chunk);
            // Frame out of the joined bytes only until the held ones are used up.
            let used = self.drain(&pending, held, &mut on_message);
            if used < held {
                pending.drain(..used);
                self.pending = pending;
                return;
            }
            rest = &chunk[used - held..];
            pending.clear();
            self.pending = pending;
        }
        let used = self.drain(rest, usize::MAX, &mut on_message);
        self.pending.extend_from_slice(&rest[used..]);
    }

    /// Frames and parses every message at the front of `buf` (stopping once `stop` bytes are
    /// consumed); returns the bytes consumed.
    fn drain(&mut self, buf: &[u8], stop: usize, on_message: &mut impl FnMut(&[u8], &FieldIndex)) -> usize {
        let mut pos = 0;
        while pos < stop {
            let stream_offset = self.offset as usize;
            match frame(&buf[pos..], &self.config) {
                Frame::Incomplete => break,
                Frame::Garbled { skip, error } => {
                    self.errors.push(at_skip_start(error, stream_offset));
                    self.offset += skip as u64;
                    pos += skip;
                }
                Frame::Message(len) => {
                    let message = &buf[pos..pos + len];
                    match self.index.parse(message, &self.parse) {
                        Ok(()) => on_message(message, &self.index),
                        Err(error) => self.errors.push(at_skip_start(error, stream_offset)),
                    }
                    self.offset += len as u64;
                    pos += len;
                }
            }
        }
        pos
    }
}

/// A framer error points at the start of the bytes it skipped, so the offset finds the dropped
/// input in a capture; where inside them the problem was goes into the reason.
fn at_skip_start(mut error: DecodeError, skip_start: usize) -> DecodeError {
    if error.offset > 0 {
        error.reason = format!("{} ({} bytes into the skipped input)", error.reason, error.offset);
    }
    error.offset = skip_start;
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Aligned, Ran};

    fn message(body: &str) -> Vec<u8> {
        let body = body.replace('|', "\x01");
        let mut out = format!("8=FIXT.1.1\x019={}\x01{}", body.len(), body).into_bytes();
        let sum = crate::checksum(&out);
        out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        out
    }

    /// Every path this CPU checks CheckSum <10> by gives the full check's verdict, on messages
    /// of every length to 300 bytes from every offset of a 64-byte line, with the right sum and
    /// a wrong one, both common BeginStrings, bodies of SOH, `=` and high bytes.
    #[test]
    fn every_path_gives_the_full_checks_verdict_at_every_length_and_alignment() {
        let values = [SOH, b'=', 0xff, 0x80, b'1', b'0', b'A', 0x7f, 0xfe, b'9'];
        let body: Vec<u8> = (0..300).map(|i| values[(i * 7 + i / 3) % values.len()]).collect();
        let config = FramerConfig::default();
        let mut ran = Ran::new();
        let mut inputs = 0;
        for begin in ["FIXT.1.1", "FIX.4.4"] {
            for body_len in 1..=300 - 30 {
                let mut wire = format!("8={begin}\x019={body_len}\x01").into_bytes();
                wire.extend_from_slice(&body[..body_len - 1]);
                wire.push(SOH);
                let sum = crate::checksum(&wire);
                for stated in [sum, sum.wrapping_add(1)] {
                    let mut message = wire.clone();
                    message.extend_from_slice(format!("10={stated:03}\x01").as_bytes());
                    for start in 0..64 {
                        let mut buf = Aligned::filled(|_| b'x');
                        buf.0[start..start + message.len()].copy_from_slice(&message);
                        let bytes = &buf.0[start..start + message.len() + 3];
                        let want = frame_checked_in_full(bytes, &config);
                        inputs += 1;
                        if stated == sum {
                            assert_eq!(want, Frame::Message(message.len()));
                        } else {
                            assert!(matches!(want, Frame::Garbled { .. }), "{want:?}");
                        }
                        for path in FramePath::ALL {
                            if let Some(got) = path.frame(bytes, &config) {
                                assert_eq!(got, want, "{path:?}: {begin}, body of {body_len} at offset {start}");
                                ran.note(path);
                            }
                        }
                    }
                }
            }
        }
        let mut expected = vec![FramePath::Dispatched, FramePath::Plain];
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                expected.push(FramePath::Avx2);
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("avx512bw") {
                expected.push(FramePath::Avx512);
            }
        }
        // Every input is a common message, so every path that runs checks every one's sum.
        ran.assert_exactly(expected, inputs);
    }

    #[test]
    fn the_shortcut_gives_the_full_checks_verdict_on_every_small_change() {
        let fix44 = {
            let body = "35=0\x0149=A\x0156=B\x01";
            let mut out = format!("8=FIX.4.4\x019={}\x01{body}", body.len()).into_bytes();
            let sum = crate::checksum(&out);
            out.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
            out
        };
        let messages = [message("35=D|11=a|55=XYZ|"), fix44, message(&"58=long text|".repeat(90))];
        let configs = [
            FramerConfig::default(),
            FramerConfig { verify_checksum: false, ..FramerConfig::default() },
            FramerConfig { max_body_length: 20, ..FramerConfig::default() },
        ];
        let same = |bytes: &[u8]| {
            for config in &configs {
                assert_eq!(frame(bytes, config), frame_checked_in_full(bytes, config), "{bytes:?}");
            }
        };
        for original in &messages {
            for len in 0..=original.len() {
                same(&original[..len]);
            }
            let near = original.len().min(40);
            for at in (0..near).chain(original.len() - 10..original.len()) {
                for b in [0, 1, b'0', b'1', b'8', b'9', b'=', b'.', b'A', b'T', 0xff] {
                    let mut changed = original.clone();
                    changed[at] = b;
                    same(&changed);
                    changed.extend_from_slice(b"8=FIX");
                    same(&changed);
                }
            }
        }
    }

    fn collect(framer: &mut Framer, chunk: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        framer.feed(chunk, |m, _| out.push(m.to_vec()));
        out
    }

    #[test]
    fn one_message_split_at_every_byte() {
        let m = message("35=D|49=A|56=B|34=1|11=x|");
        for cut in 0..=m.len() {
            let mut framer = Framer::default();
            let mut got = collect(&mut framer, &m[..cut]);
            got.extend(collect(&mut framer, &m[cut..]));
            assert_eq!(got, vec![m.clone()], "cut at {cut}");
            assert_eq!(framer.drain_errors().count(), 0, "cut at {cut}");
            assert_eq!(framer.buffered(), 0);
        }
    }

    /// Every chunking of a stream with garbage gives the messages, errors and offsets of one
    /// whole feed (garbage may come in pieces), and every message that lies wholly in a chunk comes as a slice of that chunk.
    #[test]
    fn chunked_feeds_agree_with_one_feed_and_lend_messages_lying_in_a_chunk() {
        let a = message("35=D|49=A|56=B|34=1|11=x|");
        let b = message("35=0|34=2|");
        let stream = [&a[..], b"junk", &b, &a, b"8=FIXT.1.1\x019=zz\x01", &b, &a].concat();
        let whole = {
            let mut framer = Framer::default();
            let got = collect(&mut framer, &stream);
            let errors: Vec<_> = framer.drain_errors().map(|e| (e.kind, e.offset)).collect();
            (got, errors)
        };
        assert_eq!(whole.0.len(), 5);
        for size in 1..=stream.len() {
            let mut framer = Framer::default();
            let mut got = Vec::new();
            let mut start = 0;
            for chunk in stream.chunks(size) {
                let at = chunk.as_ptr() as usize;
                framer.feed(chunk, |m, _| {
                    let from = m.as_ptr() as usize;
                    let in_chunk = from >= at && from + m.len() <= at + chunk.len();
                    got.push((m.to_vec(), in_chunk));
                });
                start += chunk.len();
            }
            // Garbage cut into chunks is reported a piece at a time, from the same first offset.
            let mut errors: Vec<_> = framer.drain_errors().map(|e| (e.kind, e.offset)).collect();
            errors.dedup_by(|later, first| later.0 == Kind::Garbage && first.0 == Kind::Garbage);
            assert_eq!(got.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(), whole.0, "chunks of {size}");
            assert_eq!(errors, whole.1, "chunks of {size}");
            assert_eq!((framer.offset(), framer.buffered()), (start as u64, 0), "chunks of {size}");
            // A message starting at a chunk boundary and ending inside that chunk lies in it.
            let mut pos = 0;
            for (m, (_, in_chunk)) in whole.0.iter().zip(&got) {
                pos += stream[pos..].windows(m.len()).position(|w| w == &m[..]).unwrap();
                let fits = pos / size == (pos + m.len() - 1) / size;
                assert_eq!(*in_chunk, fits, "chunks of {size}, message at {pos}");
                pos += m.len();
            }
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let stream = [message("35=0|34=1|"), message("35=0|34=2|")].concat();
        let mut framer = Framer::default();
        let mut got = Vec::new();
        for b in &stream {
            got.extend(collect(&mut framer, std::slice::from_ref(b)));
        }
        assert_eq!(got.len(), 2);
        assert_eq!(framer.offset(), stream.len() as u64);
    }

    #[test]
    fn garbage_before_between_and_after_is_reported_with_offsets() {
        let a = message("35=0|34=1|");
        let b = message("35=0|34=2|");
        let stream = [&b"xx"[..], &a, b"garbage", &b, b"8=FIXT.1.1\x019=zz\x01"].concat();
        let mut framer = Framer::default();
        let got = collect(&mut framer, &stream);
        assert_eq!(got, vec![a.clone(), b.clone()]);
        assert!(framer.has_errors());
        let errors: Vec<_> = framer.drain_errors().collect();
        assert!(!framer.has_errors());
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!((errors[0].kind, errors[0].offset), (Kind::Garbage, 0));
        assert_eq!((errors[1].kind, errors[1].offset), (Kind::Garbage, 2 + a.len()));
        assert_eq!(errors[2].kind, Kind::BadBodyLength);
        assert_eq!(errors[2].offset, 2 + a.len() + 7 + b.len());
        assert!(errors[2].reason.ends_with("(11 bytes into the skipped input)"), "{}", errors[2].reason);
    }

    #[test]
    fn body_length_off_by_one_loses_only_that_message() {
        let good = message("35=0|34=1|");
        for delta in [-1i64, 1] {
            let mut bad = message("35=0|34=2|");
            let text = String::from_utf8(bad.clone()).unwrap();
            let len: i64 = text.split('\x01').nth(1).unwrap()[2..].parse().unwrap();
            bad = text.replacen(&format!("9={len}"), &format!("9={}", len + delta), 1).into_bytes();
            let stream = [&good[..], &bad, &good].concat();
            let mut framer = Framer::default();
            assert_eq!(collect(&mut framer, &stream), vec![good.clone(), good.clone()], "delta {delta}");
            let kinds: Vec<_> = framer.drain_errors().map(|e| e.kind).collect();
            assert!(
                !kinds.is_empty() && kinds.iter().all(|k| *k == Kind::BadBodyLength || *k == Kind::Garbage),
                "{kinds:?}"
            );
        }
    }

    #[test]
    fn bad_checksums_are_garbage() {
        let good = message("35=0|34=1|");
        let n = good.len();
        for trailer in [&b"10=000\x01"[..], b"10=12\x01", b"10=1x3\x01"] {
            let bad = [&good[..n - 7], trailer].concat();
            let stream = [&bad[..], &good].concat();
            let mut framer = Framer::default();
            assert_eq!(collect(&mut framer, &stream), vec![good.clone()]);
            let errors: Vec<_> = framer.drain_errors().collect();
            assert_eq!(errors[0].kind, Kind::BadCheckSum, "{trailer:?}");
            assert_eq!(errors[0].offset, 0);
        }
    }

    #[test]
    fn common_and_other_begin_strings_frame_alike() {
        for version in ["FIXT.1.1", "FIX.4.4", "FIX.4.0", "FIX.5.0SP2", "FIXT.1.10", "F"] {
            let mut m = message("35=0|34=1|");
            m.splice(2..10, version.bytes());
            let body = m.iter().position(|&b| b == SOH).unwrap() + 1;
            let sum = crate::checksum(&m[..m.len() - 7]);
            let n = m.len();
            m[n - 4..n - 1].copy_from_slice(format!("{sum:03}").as_bytes());
            assert_eq!(frame(&m, &FramerConfig::default()), Frame::Message(m.len()), "{version}");
            for cut in 0..body + 2 {
                assert_eq!(frame(&m[..cut], &FramerConfig::default()), Frame::Incomplete, "{version} cut at {cut}");
            }
        }
        for bad in [&b"8=FIX.4.4 \x019=5\x01"[..], b"8=FIX.4-4\x019=5\x01", b"8=\x019=5\x01", b"8=FIXT.1.1\x018=5\x01"]
        {
            assert!(matches!(frame(bad, &FramerConfig::default()), Frame::Garbled { .. }), "{bad:?}");
        }
    }

    #[test]
    fn huge_body_length_is_garbage_not_a_wait() {
        let good = message("35=0|34=1|");
        let stream = [&b"8=FIXT.1.1\x019=999999999\x0135=0\x01"[..], &good].concat();
        let mut framer = Framer::default();
        assert_eq!(collect(&mut framer, &stream), vec![good]);
        assert_eq!(framer.drain_errors().next().unwrap().kind, Kind::BodyLengthTooLarge);
        assert_eq!(framer.buffered(), 0);
    }

    #[test]
    fn a_message_that_frames_but_does_not_parse_is_reported() {
        let bad = message("35=0|=1|");
        let good = message("35=0|34=1|");
        let mut framer = Framer::default();
        assert_eq!(collect(&mut framer, &[&bad[..], &good].concat()), vec![good]);
        let error = framer.drain_errors().next().unwrap();
        assert_eq!(error.kind, Kind::TagNotInteger);
    }
}
