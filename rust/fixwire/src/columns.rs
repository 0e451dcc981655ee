//! Columnar decoding: FIX messages found in a log become typed columns, one row per message.
//!
//! Logs come in several shapes: raw concatenated messages, one message a line, `|` instead of
//! SOH, QuickFIX-style lines with a timestamp prefix. All of them are read the same way: every
//! `8=FIX` is a candidate message start; the separator is the byte after the BeginString
//! value (SOH or `|`); BodyLength <9> gives the end; the message is parsed (for `|` logs, from a
//! copy with the separators turned back into SOH, so CheckSum is verified on the bytes that were
//! sent). Text around messages (timestamps, newlines) is skipped; a candidate that does not parse
//! is garbled: counted, its offset kept, and the scan goes on.
//!
//! Most messages are read by a quick reader that finds the columns' values in one pass over the
//! bytes while checking what the ordinary parser checks, and keeps them as ranges that are read
//! into the columns a batch of rows and a column at a time. Whatever it does not handle (data
//! fields, group checks, exploded groups, anything malformed) goes to the ordinary parser and a
//! [`FieldIndex`], which decides as it always has; a test holds the two to the same results.
//!
//! Large inputs are split into chunks at message starts and scanned on several threads; the
//! chunks' columns are then joined in input order, so the result does not depend on the number
//! of threads.

// Offsets are positions in memory, below 2^63 on every target, and stored as i64 because
// that is what numpy and Arrow offsets are.
#![allow(clippy::cast_possible_wrap)]

use std::ops::Range;
use std::path::Path;

use memchr::memmem;

use crate::decode::{Field, FieldIndex, Fields, ParseOptions};
use crate::dictionary::FieldType;
use crate::group::GroupSpec;

mod log;
mod quick;
mod room;
mod values;

use log::{Candidate, Candidates};
pub use log::{Found, LogReader};
use quick::{is_member, QuickReader};
use values::DateCache;

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

impl ColumnKind {
    /// The kind named `name` (`str`, `int`, `float`, `decimal`, `time`, `date`, `bool`), a
    /// decimal at `scale`; `None` for any other name.
    pub fn from_name(name: &str, scale: u8) -> Option<Self> {
        Some(match name {
            "str" => Self::Str,
            "int" => Self::Int,
            "float" => Self::Float,
            "decimal" => Self::Decimal { scale },
            "time" => Self::Time,
            "date" => Self::Date,
            "bool" => Self::Bool,
            _ => return None,
        })
    }

    /// The kind's name, as [`from_name`](Self::from_name) reads it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::Int => "int",
            Self::Float => "float",
            Self::Decimal { .. } => "decimal",
            Self::Time => "time",
            Self::Date => "date",
            Self::Bool => "bool",
        }
    }

    /// How a field of the FIX type `field_type` reads as a column: ints, decimals (at `scale`),
    /// timestamps, dates and Booleans as such, everything else as text.
    pub fn of_type(field_type: &FieldType, scale: u8) -> Self {
        match field_type {
            FieldType::Int => Self::Int,
            FieldType::Decimal => Self::Decimal { scale },
            FieldType::UtcTimestamp => Self::Time,
            FieldType::Date => Self::Date,
            FieldType::Boolean => Self::Bool,
            FieldType::Char | FieldType::TimeOnly | FieldType::MultipleValue | FieldType::Data | FieldType::String => {
                Self::Str
            }
        }
    }
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

/// [`scan`], also returning where the last message read ended (at least `range.start`).
pub fn scan_reaching(input: &[u8], range: Range<usize>, options: &ScanOptions) -> (Table, usize) {
    let mut table = Table::new(options);
    let reached = scan_into(&mut table, input, range, options, 0);
    (table, reached)
}

/// [`scan_reaching`], appending the rows to `table`, whose rows came from `scanned` bytes of
/// input before (0: none, or no estimate). The first chunk's rows go straight into `table`, the
/// other threads' into tables of their own with room for as many rows (judging by `table`'s),
/// appended in input order.
fn scan_into(table: &mut Table, input: &[u8], range: Range<usize>, options: &ScanOptions, scanned: usize) -> usize {
    let (start, end) = (range.start.min(input.len()), range.end.min(input.len()));
    let threads = options.threads.max(1).min((end.saturating_sub(start) / MIN_CHUNK).max(1));
    if threads == 1 {
        return scan_chunk_into(table, input, start, end, options, QuickReader::new(options));
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
    let mut chunks: Vec<Table> = bounds[1..]
        .windows(2)
        .map(|w| {
            let mut chunk = Table::new(options);
            chunk.room_like(table, scanned, w[1] - w[0]);
            chunk
        })
        .collect();
    let reached: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter_mut()
            .zip(bounds[1..].windows(2))
            .map(|(chunk, w)| {
                let (start, end) = (w[0], w[1]);
                scope.spawn(move || scan_chunk_into(chunk, input, start, end, options, QuickReader::new(options)))
            })
            .collect();
        let first = scan_chunk_into(table, input, bounds[0], bounds[1], options, QuickReader::new(options));
        std::iter::once(first)
            .chain(handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))))
            .collect()
    });
    let mut last = reached[0];
    for ((chunk, &chunk_reached), w) in chunks.into_iter().zip(&reached[1..]).zip(bounds[1..].windows(2)) {
        // A chunk starts at an `8=FIX`, which is normally a message start. When the previous
        // chunk's last message ran past it (the `8=FIX` was inside that message), the chunk is
        // read again from where that message ended, so nothing is read twice.
        if last > w[0] {
            last = last.max(scan_chunk_into(table, input, last, w[1].max(last), options, QuickReader::new(options)));
        } else {
            table.append(chunk);
            last = last.max(chunk_reached);
        }
    }
    last
}

/// Like [`scan`], a window of `window` bytes at a time (the first in two parts, the rows of a
/// sixteenth of it sizing the room for the rest); after each window, `done(upto)` says
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
    let window = window.max(1);
    let mut table = Table::new(options);
    let mut at = start;
    let mut reached = start;
    while at < end {
        // The first window is cut in two: a probe of a sixteenth of it, whose rows size the
        // room for the rest of it, so that its columns neither grow by doubling and copying
        // nor fault a page at a time; then the rest, whose rows size the room for the input.
        let size = match at - start {
            0 => (window / 16).max(1),
            done if done < window => window - done,
            _ => window,
        };
        let next = at.saturating_add(size).min(end);
        // A message read by the previous window may run past this window's start (even past
        // the look-back); nothing starting inside it is a message of its own.
        let from = at.max(reached).min(next);
        // The rows go straight into the table (those of the first thread's chunk, with more).
        reached = reached.max(scan_into(&mut table, input, from..next, options, at - start));
        if next - start <= window {
            table.reserve_like(next - start, end - start);
        }
        table.populate_like(next - start, window.min(end - next));
        // The next window reads from up to LOOK_BACK bytes before its start.
        done(next.saturating_sub(LOOK_BACK));
        at = next;
    }
    table
}

/// A mapped file is scanned by [`scan_file`] this many bytes at a time, releasing what was
/// read, so memory follows the output rather than the file size.
pub const SCAN_WINDOW: usize = 64 << 20;

/// Reads every message of the file at `path` that starts in `range` (the whole file when
/// `None`) into columns, as [`scan`] does, without reading the file into memory: it is mapped
/// and scanned [`SCAN_WINDOW`] bytes at a time, each window's pages released once read.
///
/// The file must not be truncated while it is read (a `copytruncate` log rotation): reading a
/// mapped page that has gone raises SIGBUS, which stops the process. A file rewritten in place
/// while it is read gives garbled rows, as every byte is read as hostile input.
// `unsafe` here (see lib.rs for the crate's others): mapping the file and dropping the pages
// read.
#[allow(unsafe_code)]
pub fn scan_file(path: &Path, range: Option<Range<usize>>, options: &ScanOptions) -> std::io::Result<Table> {
    let file = std::fs::File::open(path)?;
    // SAFETY: the map is only read and lives until the scan below has finished; every byte is
    // treated as hostile input, so a file rewritten in place while mapped gives garbled rows.
    // A file truncated while mapped makes the next read of a vanished page raise SIGBUS: the
    // documentation above (and read_columns') says that logs must not be truncated while read.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let range = range.unwrap_or(0..map.len());
    Ok(scan_windowed(&map, range, options, SCAN_WINDOW, |upto| release_pages(&map, upto)))
}

/// Drops the pages of `map` before `upto` from memory (Unix: `madvise(MADV_DONTNEED)`).
#[cfg(unix)]
#[allow(unsafe_code)]
fn release_pages(map: &memmap2::Mmap, upto: usize) {
    // SAFETY: the map is shared and read-only, so dropping its pages only makes later reads
    // fault them in again from the file; the scan reads nothing before `upto` again. A failed
    // advice just keeps the pages.
    let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, upto) };
}

/// Elsewhere (Windows) pages are left to the system: a mapped file's clean pages are the first
/// it reclaims under memory pressure.
#[cfg(not(unix))]
fn release_pages(_map: &memmap2::Mmap, _upto: usize) {}

/// Scans messages that start in `input[start..end]` (they may end after `end`). Returns the
/// table and the offset just past the last message read.
#[cfg(test)]
fn scan_chunk(input: &[u8], start: usize, end: usize, options: &ScanOptions) -> (Table, usize) {
    scan_chunk_with(input, start, end, options, QuickReader::new(options))
}

/// [`scan_chunk`], reading rows with `quick` where it can and with the ordinary parser (a
/// [`FieldIndex`] per message) elsewhere; without `quick`, with the parser alone.
#[cfg(test)]
fn scan_chunk_with(
    input: &[u8],
    start: usize,
    end: usize,
    options: &ScanOptions,
    quick: Option<QuickReader>,
) -> (Table, usize) {
    let mut table = Table::new(options);
    let reached = scan_chunk_into(&mut table, input, start, end, options, quick);
    (table, reached)
}

/// Scans messages that start in `input[start..end]` (they may end after `end`), appending
/// the rows to `table`, read with `quick` where it can and with the ordinary parser (a
/// [`FieldIndex`] per message) elsewhere; without `quick`, with the parser alone. Returns where
/// the last message read ended (at least `start`).
fn scan_chunk_into(
    table: &mut Table,
    input: &[u8],
    start: usize,
    end: usize,
    options: &ScanOptions,
    mut quick: Option<QuickReader>,
) -> usize {
    let mut dates = DateCaches::new(options.columns.len());
    // A range that starts inside the input may start inside a message whose data field holds
    // `8=FIX`; reading from up to LOOK_BACK bytes earlier finds that message first, and its
    // rows (before `start`) are dropped.
    let from = start.saturating_sub(LOOK_BACK);
    let mut candidates = Candidates::new(input, from..end);
    let mut index = FieldIndex::new();
    let mut finder = RowFinder::new(&options.columns);
    let mut reached = start;
    while let Some(candidate) = candidates.next_candidate() {
        let (offset, message_end, message, frame) = match candidate {
            Candidate::Garbled { offset, .. } => {
                if offset >= start {
                    table.garbled.push(offset as u64);
                }
                continue;
            }
            Candidate::Framed { offset, end, message, frame } => (offset, end, message, frame),
        };
        if let Some(quick) = quick.as_mut() {
            if quick.read(message, frame) {
                reached = reached.max(message_end);
                if offset >= start {
                    table.messages += 1;
                    if wanted(options, quick.msg_type(message)) {
                        quick.push_row(table, offset);
                        if quick.batch_full() {
                            quick.flush(table, &mut dates, input);
                        }
                    }
                }
                continue;
            }
        }
        // The quick reader declined: the parser decides, and reads the rows if it parses.
        if index.parse(message, &options.parse).is_err() {
            candidates.reject(offset);
            if offset >= start {
                table.garbled.push(offset as u64);
            }
            continue;
        }
        reached = reached.max(message_end);
        if offset < start {
            continue;
        }
        let message = index.view(message);
        table.messages += 1;
        if wanted(options, message.msg_type()) {
            // Rows stay in input order: the quick reader's go in first.
            if let Some(quick) = quick.as_mut() {
                quick.flush(table, &mut dates, input);
            }
            add_rows(table, &mut finder, &mut dates, message.fields(), offset as u64, options);
        }
    }
    if let Some(quick) = quick.as_mut() {
        quick.flush(table, &mut dates, input);
    }
    reached
}

/// Reads `msg` (one candidate message in SOH form) with the quick reader's field walk over the
/// separator masks and with the byte-at-a-time walk it replaced: `Ok(Some(read))` when the two
/// agree (on whether the message is read, and on every value found), `Err` saying how they
/// differ, `Ok(None)` when `options` leave every message to the parser. For the differential
/// fuzz target; not part of the API.
#[cfg(any(test, feature = "reference-scan"))]
#[doc(hidden)]
pub fn compare_field_walks(msg: &[u8], options: &ScanOptions) -> Result<Option<bool>, String> {
    QuickReader::new(options).map(|mut quick| quick.compare_walks(msg)).transpose()
}

/// Whether a message of `msg_type` passes the MsgType filter.
#[inline]
fn wanted(options: &ScanOptions, msg_type: &[u8]) -> bool {
    options.msg_types.as_ref().is_none_or(|types| types.iter().any(|t| t.as_slice() == msg_type))
}

/// The text values of rows `offsets[i]..offsets[i + 1]` of `data` (a text column's buffers);
/// offsets out of order or past the end give a shorter or empty value, never a panic.
pub fn text_rows<'a>(offsets: &'a [i64], data: &'a [u8]) -> impl ExactSizeIterator<Item = &'a [u8]> + 'a {
    offsets.windows(2).map(move |w| {
        let start = usize::try_from(w[0]).unwrap_or(0).min(data.len());
        let end = usize::try_from(w[1]).unwrap_or(0).clamp(start, data.len());
        &data[start..end]
    })
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

fn add_rows(
    table: &mut Table,
    finder: &mut RowFinder,
    dates: &mut DateCaches,
    msg: Fields<'_>,
    offset: u64,
    options: &ScanOptions,
) {
    finder.find(msg, &table.columns);
    let Some(spec) = &options.explode else {
        push_row(table, finder, dates, msg, None, offset);
        return;
    };
    match msg.group(spec) {
        Ok(entries) if !entries.is_empty() => {
            for entry in entries {
                push_row(table, finder, dates, msg, Some((spec, entry)), offset);
            }
        }
        // No entries, or a group that does not match its spec: one row, members absent.
        _ => push_row(table, finder, dates, msg, Some((spec, Fields::new(msg.buf(), &[]))), offset),
    }
}

fn push_row(
    table: &mut Table,
    finder: &RowFinder,
    dates: &mut DateCaches,
    msg: Fields<'_>,
    entry: Option<(&GroupSpec, Fields<'_>)>,
    offset: u64,
) {
    table.rows += 1;
    table.offset.push(offset as i64);
    table.msg_type.push(msg.get(35), &mut dates.msg_type);
    let buf = msg.buf();
    for ((column, found), dates) in table.columns.iter_mut().zip(&finder.found).zip(&mut dates.columns) {
        let value = match entry {
            Some((spec, entry)) if is_member(spec, column.spec.tag) => entry.get(column.spec.tag),
            _ => found.map(|field| &buf[field.range()]),
        };
        column.push(value, dates);
    }
}

/// Each column's [`DateCache`] (and one for the MsgType column, unused as it is text).
struct DateCaches {
    msg_type: DateCache,
    columns: Vec<DateCache>,
}

impl DateCaches {
    fn new(columns: usize) -> Self {
        Self {
            msg_type: DateCache::default(),
            columns: std::iter::repeat_with(DateCache::default).take(columns).collect(),
        }
    }
}

#[cfg(test)]
mod tests;
