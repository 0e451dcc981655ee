//! Columnar decoding: FIX messages found in a log become typed columns, one row per message.
//!
//! Logs come in several shapes: raw concatenated messages, one message a line, `|` instead of
//! SOH, QuickFIX-style lines with a timestamp prefix. All of them are read the same way: every
//! `8=FIX` is a candidate message start; the separator is the byte after the BeginString
//! value (SOH or `|`); BodyLength <9> gives the end; the message is parsed with the ordinary
//! parser (for `|` logs, from a copy with the separators turned back into SOH, so CheckSum is
//! verified on the bytes that were sent). Text around messages (timestamps, newlines) is skipped;
//! a candidate that does not parse is garbled: counted, its offset kept, and the scan goes on.
//!
//! Large inputs are split into chunks at message starts and scanned on several threads; the
//! chunks' columns are then joined in input order, so the result does not depend on the number
//! of threads.

// Offsets are positions in memory, below 2^63 on every target, and stored as i64 because
// that is what numpy and Arrow offsets are.
#![allow(clippy::cast_possible_wrap)]

use std::ops::Range;

use memchr::memmem;

use crate::decode::{Field, FieldIndex, Fields, Message, ParseOptions};
use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::group::{GroupSpec, Member};
use crate::value::{self, Date, Decimal, UtcTimestamp};
use crate::SOH;

/// The type a column's values are read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text: UTF-8 bytes as sent (other bytes make the value invalid).
    Str,
    /// A FIX int, as i64.
    Int,
    /// A decimal as an f64 (correctly rounded, but not exact).
    Float,
    /// A decimal as an i64 mantissa at a fixed scale: `0.55` at scale 4 is 5500. Values with more
    /// fraction digits than the scale, or too large, are invalid rather than rounded.
    Decimal {
        /// Fraction digits of the mantissa.
        scale: u8,
    },
    /// A UTCTimestamp as i64 nanoseconds since the Unix epoch.
    Time,
    /// A UTCDateOnly or LocalMktDate as i64 days since the Unix epoch.
    Date,
    /// A FIX Boolean.
    Bool,
}

/// One requested column: a tag and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The tag whose first occurrence (in the message, or in the exploded group entry) fills
    /// the column.
    pub tag: u32,
    /// How values are read.
    pub kind: ColumnKind,
}

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The columns, in order.
    pub columns: Vec<ColumnSpec>,
    /// Only messages of these MsgTypes become rows; all when `None`.
    pub msg_types: Option<Vec<Vec<u8>>>,
    /// One row per entry of this group instead of one per message. Columns of the group's
    /// members are read from the entry, the others from the message; a message without the
    /// group gives one row with the member columns absent.
    pub explode: Option<GroupSpec>,
    /// How messages are parsed (CheckSum verification, limits).
    pub parse: ParseOptions,
    /// Threads to use; 0 or 1 scans on the calling thread.
    pub threads: usize,
}

/// Values of one column, with one validity flag per row.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Int, Decimal, Time and Date columns.
    I64(Vec<i64>),
    /// Float columns.
    F64(Vec<f64>),
    /// Bool columns.
    Bool(Vec<bool>),
    /// Str columns, Arrow-style: row `i` is `data[offsets[i]..offsets[i + 1]]`.
    Str {
        /// `rows + 1` offsets into `data`.
        offsets: Vec<i64>,
        /// The values' bytes, back to back.
        data: Vec<u8>,
    },
}

/// One column of the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// What was asked for.
    pub spec: ColumnSpec,
    /// The values; rows where `valid` is false hold a zero or empty value.
    pub data: ColumnData,
    /// Whether each row has a value.
    pub valid: Vec<bool>,
    /// Rows where the tag was present but its value did not read as the column's kind.
    pub invalid_values: u64,
}

/// The columns read from an input, and what was skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Number of rows.
    pub rows: usize,
    /// MsgType <35> of each row.
    pub msg_type: Column,
    /// Byte offset of each row's message in the input (plus the scan's base offset).
    pub offset: Vec<i64>,
    /// The requested columns, in the order asked.
    pub columns: Vec<Column>,
    /// Offsets of message candidates that did not parse, in input order.
    pub garbled: Vec<u64>,
    /// Messages that parsed (before MsgType filtering).
    pub messages: u64,
}

impl Column {
    fn new(spec: ColumnSpec) -> Self {
        let data = match spec.kind {
            ColumnKind::Str => ColumnData::Str { offsets: vec![0], data: Vec::new() },
            ColumnKind::Float => ColumnData::F64(Vec::new()),
            ColumnKind::Bool => ColumnData::Bool(Vec::new()),
            ColumnKind::Int | ColumnKind::Decimal { .. } | ColumnKind::Time | ColumnKind::Date => {
                ColumnData::I64(Vec::new())
            }
        };
        Self { spec, data, valid: Vec::new(), invalid_values: 0 }
    }

    /// Appends one row from `value` (absent when `None`).
    fn push(&mut self, value: Option<&[u8]>) {
        let read = value.map(|v| self.read(v));
        if matches!(read, Some(false)) {
            self.invalid_values += 1;
        }
        let valid = read == Some(true);
        if !valid {
            self.push_empty();
        }
        self.valid.push(valid);
    }

    /// Pushes `v` as this column's kind; false (and nothing pushed) when it does not read.
    fn read(&mut self, v: &[u8]) -> bool {
        match (&mut self.data, self.spec.kind) {
            // Text columns promise UTF-8 (numpy and Arrow strings): other bytes are invalid.
            (ColumnData::Str { offsets, data }, _) => {
                std::str::from_utf8(v).is_ok() && {
                    data.extend_from_slice(v);
                    offsets.push(data.len() as i64);
                    true
                }
            }
            (ColumnData::F64(out), _) => {
                let parsed =
                    value::decimal_parts(v).ok().and_then(|_| std::str::from_utf8(v).ok()?.parse::<f64>().ok());
                parsed.map(|f| out.push(f)).is_some()
            }
            (ColumnData::Bool(out), _) => value::parse_bool(v).map(|b| out.push(b)).is_ok(),
            (ColumnData::I64(out), kind) => {
                let parsed = match kind {
                    ColumnKind::Decimal { scale } => {
                        Decimal::parse(v).ok().and_then(|d| d.rescale(scale)).map(|d| d.mantissa)
                    }
                    ColumnKind::Time => UtcTimestamp::parse(v).ok().and_then(|t| i64::try_from(t.unix_nanos()).ok()),
                    ColumnKind::Date => Date::parse(v).ok().map(Date::days_since_epoch),
                    _ => value::parse_i64(v).ok(),
                };
                parsed.map(|n| out.push(n)).is_some()
            }
        }
    }

    fn push_empty(&mut self) {
        match &mut self.data {
            ColumnData::Str { offsets, data } => offsets.push(data.len() as i64),
            ColumnData::F64(out) => out.push(f64::NAN),
            ColumnData::Bool(out) => out.push(false),
            ColumnData::I64(out) => out.push(0),
        }
    }

    /// Appends `other`'s rows (a column of the same spec).
    fn append(&mut self, other: Column) {
        self.invalid_values += other.invalid_values;
        self.valid.extend_from_slice(&other.valid);
        match (&mut self.data, other.data) {
            (ColumnData::Str { offsets, data }, ColumnData::Str { offsets: more, data: bytes }) => {
                let base = data.len() as i64;
                data.extend_from_slice(&bytes);
                offsets.extend(more[1..].iter().map(|o| o + base));
            }
            (ColumnData::F64(out), ColumnData::F64(more)) => out.extend_from_slice(&more),
            (ColumnData::Bool(out), ColumnData::Bool(more)) => out.extend_from_slice(&more),
            (ColumnData::I64(out), ColumnData::I64(more)) => out.extend_from_slice(&more),
            _ => unreachable!("columns of one spec have one kind"),
        }
    }
}

impl Table {
    fn new(options: &ScanOptions) -> Self {
        Self {
            rows: 0,
            msg_type: Column::new(ColumnSpec { tag: 35, kind: ColumnKind::Str }),
            offset: Vec::new(),
            columns: options.columns.iter().copied().map(Column::new).collect(),
            garbled: Vec::new(),
            messages: 0,
        }
    }

    /// Appends `other`, the table of the next chunk of the same input.
    fn append(&mut self, other: Table) {
        self.rows += other.rows;
        self.messages += other.messages;
        self.offset.extend_from_slice(&other.offset);
        self.msg_type.append(other.msg_type);
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.append(theirs);
        }
        self.garbled.extend(other.garbled);
    }
}

/// How far before a range's start a scan begins, to step over a message the range starts in.
/// Messages are rarely longer; a longer one holding `8=FIX` in a data field right after a
/// range start could still give a spurious row.
const LOOK_BACK: usize = 64 << 10;

/// Below this many bytes per thread, another thread costs more than it saves.
const MIN_CHUNK: usize = 4 << 20;

/// Reads every message that starts in `input[range]` into columns (the last may end after the
/// range), on `options.threads` threads. Offsets in the result are positions in `input`.
pub fn scan(input: &[u8], range: Range<usize>, options: &ScanOptions) -> Table {
    scan_reaching(input, range, options).0
}

/// [`scan`], also returning where the last message read ended.
fn scan_reaching(input: &[u8], range: Range<usize>, options: &ScanOptions) -> (Table, usize) {
    let (start, end) = (range.start.min(input.len()), range.end.min(input.len()));
    let threads = options.threads.max(1).min((end.saturating_sub(start) / MIN_CHUNK).max(1));
    if threads == 1 {
        return scan_chunk(input, start, end, options);
    }
    let finder = memmem::Finder::new(b"8=FIX");
    let mut bounds = vec![start];
    for i in 1..threads {
        let guess = start + (end - start) / threads * i;
        let at = finder.find(&input[guess..end]).map_or(end, |n| guess + n);
        if at > *bounds.last().unwrap_or(&start) {
            bounds.push(at);
        }
    }
    bounds.push(end);
    let results: Vec<(Table, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let (start, end) = (w[0], w[1]);
                scope.spawn(move || scan_chunk(input, start, end, options))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut table = Table::new(options);
    let mut reached = start;
    for ((chunk, chunk_reached), w) in results.into_iter().zip(bounds.windows(2)) {
        // A chunk starts at an `8=FIX`, which is normally a message start. When the previous
        // chunk's last message ran past it (the `8=FIX` was inside that message), the chunk is
        // read again from where that message ended, so nothing is read twice.
        let (chunk, chunk_reached) = if reached > w[0] {
            scan_chunk(input, reached, w[1].max(reached), options)
        } else {
            (chunk, chunk_reached)
        };
        table.append(chunk);
        reached = reached.max(chunk_reached);
    }
    (table, reached)
}

/// Like [`scan`], a window of `window` bytes at a time; after each window, `done(upto)` says
/// that bytes before `upto` will not be read again, so a caller reading a memory-mapped file
/// can release them and keep its memory bounded by the output instead of the input.
pub fn scan_windowed(
    input: &[u8],
    range: Range<usize>,
    options: &ScanOptions,
    window: usize,
    mut done: impl FnMut(usize),
) -> Table {
    let (start, end) = (range.start.min(input.len()), range.end.min(input.len()));
    let mut table = Table::new(options);
    let mut at = start;
    let mut reached = start;
    while at < end {
        let next = at.saturating_add(window.max(1)).min(end);
        // A message read by the previous window may run past this window's start (even past
        // the look-back); nothing starting inside it is a message of its own.
        let (window_table, window_reached) = scan_reaching(input, at.max(reached).min(next)..next, options);
        table.append(window_table);
        reached = reached.max(window_reached);
        // The next window reads from up to LOOK_BACK bytes before its start.
        done(next.saturating_sub(LOOK_BACK));
        at = next;
    }
    table
}

/// Scans messages that start in `input[start..end]` (they may end after `end`). Returns the
/// table and the offset just past the last message read.
fn scan_chunk(input: &[u8], start: usize, end: usize, options: &ScanOptions) -> (Table, usize) {
    let mut table = Table::new(options);
    // A range that starts inside the input may start inside a message whose data field holds
    // `8=FIX`; reading from up to LOOK_BACK bytes earlier finds that message first, and its
    // rows (before `start`) are dropped.
    let from = start.saturating_sub(LOOK_BACK);
    let mut reader = LogReader::new(input, from..end, &options.parse);
    let mut finder = RowFinder::new(&options.columns);
    let mut reached = start;
    while let Some(found) = reader.next_message() {
        match found {
            Found::Garbled { offset, .. } if offset < start => {}
            Found::Message { offset, end, .. } if offset < start => reached = reached.max(end),
            Found::Garbled { offset, .. } => table.garbled.push(offset as u64),
            Found::Message { offset, end, message } => {
                table.messages += 1;
                reached = end;
                if let Some(types) = &options.msg_types {
                    if !types.iter().any(|t| t.as_slice() == message.msg_type()) {
                        continue;
                    }
                }
                add_rows(&mut table, &mut finder, message.fields(), offset as u64, options);
            }
        }
    }
    (table, reached)
}

/// Every candidate message starts with these bytes.
const NEEDLE: &[u8] = b"8=FIX";

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
    input: &'a [u8],
    pos: usize,
    end: usize,
    options: &'o ParseOptions,
    finder: memmem::Finder<'static>,
    index: FieldIndex,
    scratch: Vec<u8>,
}

impl<'a, 'o> LogReader<'a, 'o> {
    /// A reader of the messages that start in `input[range]` (they may end after it).
    pub fn new(input: &'a [u8], range: Range<usize>, options: &'o ParseOptions) -> Self {
        Self {
            input,
            pos: range.start.min(input.len()),
            end: range.end.min(input.len()),
            options,
            finder: memmem::Finder::new(NEEDLE),
            index: FieldIndex::new(),
            scratch: Vec::new(),
        }
    }

    /// Where the reader is: past the last message or candidate it returned.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next message or garbled candidate, `None` at the end of the range.
    pub fn next_message(&mut self) -> Option<Found<'_>> {
        let input = self.input;
        // A candidate belongs to the range if it *starts* before `end`, so the five bytes of
        // `8=FIX` may reach four bytes past it. After a message that ran past the range, `pos`
        // is beyond `end`: nothing more to read.
        let window = input.get(self.pos..(self.end + NEEDLE.len() - 1).min(input.len()))?;
        let at = self.pos + self.finder.find(window).filter(|&n| self.pos + n < self.end)?;
        let len = match candidate_length(&input[at..]) {
            Ok(len) => len,
            Err(error) => {
                self.pos = at + 1;
                return Some(Found::Garbled { offset: at, error: error.shifted(at) });
            }
        };
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
        if let Err(error) = self.index.parse(message, self.options) {
            self.pos = at + 1;
            return Some(Found::Garbled { offset: at, error: error.shifted(at) });
        }
        self.pos = at + len.consumed;
        Some(Found::Message { offset: at, end: self.pos, message: self.index.view(message) })
    }
}

/// Text values of rows `offsets[i]..offsets[i + 1]` laid out at one fixed width (the longest
/// value's), NUL-padded, as numpy's `S<width>` arrays are; returns the bytes and the width.
pub fn fixed_width(offsets: &[i64], data: &[u8]) -> (Vec<u8>, usize) {
    let bounds = |w: &[i64]| {
        let start = usize::try_from(w[0]).unwrap_or(0).min(data.len());
        let end = usize::try_from(w[1]).unwrap_or(0).clamp(start, data.len());
        start..end
    };
    let width = offsets.windows(2).map(|w| bounds(w).len()).max().unwrap_or(0).max(1);
    let mut out = vec![0u8; width * offsets.len().saturating_sub(1)];
    for (row, w) in offsets.windows(2).enumerate() {
        let value = &data[bounds(w)];
        out[row * width..row * width + value.len()].copy_from_slice(value);
    }
    (out, width)
}

/// Where a candidate message ends: its separator, the bytes of the message (through the
/// CheckSum value and its separator, if any), and the bytes to consume.
struct CandidateLength {
    separator: u8,
    message: usize,
    consumed: usize,
}

/// Frames a candidate starting with `8=FIX` by its BodyLength, for either separator; the
/// error's offset is within the candidate.
fn candidate_length(buf: &[u8]) -> Result<CandidateLength, DecodeError> {
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
    match buf.get(trailer + 6) {
        Some(&b) if b == separator => Ok(CandidateLength { separator, message: trailer + 7, consumed: trailer + 7 }),
        // `|` logs often end a line without the last separator.
        Some(b'\n' | b'\r') | None if separator == b'|' => {
            Ok(CandidateLength { separator, message: trailer + 6, consumed: trailer + 6 })
        }
        None => Err(truncated()),
        Some(_) => Err(DecodeError::new(Kind::BadCheckSum, trailer, Some(10), "CheckSum <10> is not three digits")),
    }
}

/// Which column each tag fills: a dense table for tags below [`DENSE_TAGS`], a sorted list
/// above, so that a row is filled in one pass over its message's fields instead of one search
/// per column.
struct ColumnLookup {
    dense: Vec<u16>,
    sparse: Vec<(u32, u16)>,
}

/// Tags below this are looked up by index (the table costs two bytes a tag).
const DENSE_TAGS: u32 = 8192;
const NO_COLUMN: u16 = u16::MAX;

impl ColumnLookup {
    /// The lookup for `columns`, or `None` when one pass cannot serve them (a tag asked for
    /// twice, or more columns than the table can number).
    fn new(columns: &[ColumnSpec]) -> Option<Self> {
        if columns.len() >= usize::from(NO_COLUMN) {
            return None;
        }
        let mut lookup = Self { dense: Vec::new(), sparse: Vec::new() };
        for (i, column) in columns.iter().enumerate() {
            let index = u16::try_from(i).ok()?;
            if lookup.column_of(column.tag).is_some() {
                return None;
            }
            if column.tag < DENSE_TAGS {
                let at = column.tag as usize;
                if lookup.dense.len() <= at {
                    lookup.dense.resize(at + 1, NO_COLUMN);
                }
                lookup.dense[at] = index;
            } else {
                let at = lookup.sparse.partition_point(|&(tag, _)| tag < column.tag);
                lookup.sparse.insert(at, (column.tag, index));
            }
        }
        Some(lookup)
    }

    #[inline]
    fn column_of(&self, tag: u32) -> Option<usize> {
        if tag < DENSE_TAGS {
            match self.dense.get(tag as usize) {
                Some(&i) if i != NO_COLUMN => Some(usize::from(i)),
                _ => None,
            }
        } else {
            self.sparse.binary_search_by_key(&tag, |&(t, _)| t).ok().map(|i| usize::from(self.sparse[i].1))
        }
    }
}

/// Finds each column's value in a message: its tag's first occurrence.
struct RowFinder {
    lookup: Option<ColumnLookup>,
    found: Vec<Option<Field>>,
}

impl RowFinder {
    fn new(columns: &[ColumnSpec]) -> Self {
        Self { lookup: ColumnLookup::new(columns), found: vec![None; columns.len()] }
    }

    /// Fills `found` from `msg`'s fields, in one pass when the lookup allows.
    fn find(&mut self, msg: Fields<'_>, columns: &[Column]) {
        match &self.lookup {
            Some(lookup) => {
                self.found.fill(None);
                for &field in msg.as_slice() {
                    if let Some(slot) = lookup.column_of(field.tag).map(|i| &mut self.found[i]) {
                        if slot.is_none() {
                            *slot = Some(field);
                        }
                    }
                }
            }
            None => {
                for (slot, column) in self.found.iter_mut().zip(columns) {
                    *slot = msg.find(column.spec.tag);
                }
            }
        }
    }
}

fn add_rows(table: &mut Table, finder: &mut RowFinder, msg: Fields<'_>, offset: u64, options: &ScanOptions) {
    finder.find(msg, &table.columns);
    let Some(spec) = &options.explode else {
        push_row(table, finder, msg, None, offset);
        return;
    };
    match msg.group(spec) {
        Ok(entries) if !entries.is_empty() => {
            for entry in entries {
                push_row(table, finder, msg, Some((spec, entry)), offset);
            }
        }
        // No entries, or a group that does not match its spec: one row, members absent.
        _ => push_row(table, finder, msg, Some((spec, Fields::new(msg.buf(), &[]))), offset),
    }
}

fn push_row(
    table: &mut Table,
    finder: &RowFinder,
    msg: Fields<'_>,
    entry: Option<(&GroupSpec, Fields<'_>)>,
    offset: u64,
) {
    table.rows += 1;
    table.offset.push(offset as i64);
    table.msg_type.push(msg.get(35));
    let buf = msg.buf();
    for (column, found) in table.columns.iter_mut().zip(&finder.found) {
        let value = match entry {
            Some((spec, entry)) if is_member(spec, column.spec.tag) => entry.get(column.spec.tag),
            _ => found.map(|field| &buf[field.range()]),
        };
        column.push(value);
    }
}

/// Whether `tag` belongs to `spec`'s entries (directly or in a nested group).
fn is_member(spec: &GroupSpec, tag: u32) -> bool {
    spec.members().iter().any(|m| match m {
        Member::Field(t) => *t == tag,
        Member::Group(nested) => nested.count_tag() == tag || is_member(nested, tag),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn fixed_width_pads_to_the_longest_value() {
        assert_eq!(fixed_width(&[0, 2, 2, 5], b"abcde"), (b"ab\0\0\0\0cde".to_vec(), 3));
        assert_eq!(fixed_width(&[0], b""), (Vec::new(), 1));
        // Offsets out of order or past the data are clamped, never a panic.
        assert_eq!(fixed_width(&[3, 1, 99], b"abc"), (b"\0\0bc".to_vec(), 2));
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
}
