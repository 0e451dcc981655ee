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

use crate::decode::{scan_tag, DataFields, Field, FieldIndex, Fields, Message, ParseOptions};
use crate::dictionary::FieldType;
use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::group::{GroupSpec, Member};
use crate::value::{self, Date, Decimal};
use crate::{find_soh, SOH};

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

    /// Appends one row from `value` (absent when `None`); `dates` is this column's own.
    fn push(&mut self, value: Option<&[u8]>, dates: &mut DateCache) {
        self.push_many(std::iter::once(value), dates);
    }

    /// Appends one row per item of `values`, choosing how to read them once for all.
    #[inline]
    fn push_many<'v>(&mut self, values: impl ExactSizeIterator<Item = Option<&'v [u8]>>, dates: &mut DateCache) {
        let Self { spec, data, valid, invalid_values } = self;
        valid.reserve(values.len());
        match (data, spec.kind) {
            // Text columns promise UTF-8 (numpy and Arrow strings): other bytes are invalid.
            // Values are mostly ASCII, which is checked a word at a time.
            (ColumnData::Str { offsets, data }, _) => {
                offsets.reserve(values.len());
                fill(values, valid, invalid_values, |v| {
                    let text = v.filter(|v| v.is_ascii() || std::str::from_utf8(v).is_ok());
                    if let Some(v) = text {
                        data.extend_from_slice(v);
                    }
                    offsets.push(data.len() as i64);
                    text.is_some()
                });
            }
            (ColumnData::F64(out), _) => fill_with(values, valid, invalid_values, out, f64::NAN, |v| {
                value::decimal_parts(v).ok().and_then(|_| std::str::from_utf8(v).ok()?.parse::<f64>().ok())
            }),
            (ColumnData::Bool(out), _) => {
                fill_with(values, valid, invalid_values, out, false, |v| value::parse_bool(v).ok());
            }
            (ColumnData::I64(out), ColumnKind::Decimal { scale }) => {
                fill_with(values, valid, invalid_values, out, 0, |v| decimal_mantissa(v, scale));
            }
            (ColumnData::I64(out), ColumnKind::Time) => {
                fill_with(values, valid, invalid_values, out, 0, |v| dates.timestamp_nanos(v));
            }
            (ColumnData::I64(out), ColumnKind::Date) => {
                fill_with(values, valid, invalid_values, out, 0, |v| Date::parse(v).ok().map(Date::days_since_epoch));
            }
            (ColumnData::I64(out), _) => fill_with(values, valid, invalid_values, out, 0, |v| value::parse_i64(v).ok()),
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

/// Appends a validity flag per value, as `push` (which appends the value, or an empty one)
/// reads it; counts the values present that did not read.
#[inline(always)]
fn fill<'v>(
    values: impl Iterator<Item = Option<&'v [u8]>>,
    valid: &mut Vec<bool>,
    invalid: &mut u64,
    mut push: impl FnMut(Option<&'v [u8]>) -> bool,
) {
    for value in values {
        let read = push(value);
        *invalid += u64::from(value.is_some() && !read);
        valid.push(read);
    }
}

/// [`fill`] for columns of plain values: `read` gives each value, `empty` stands in for the
/// absent and invalid ones.
#[inline(always)]
fn fill_with<'v, T: Copy>(
    values: impl ExactSizeIterator<Item = Option<&'v [u8]>>,
    valid: &mut Vec<bool>,
    invalid: &mut u64,
    out: &mut Vec<T>,
    empty: T,
    mut read: impl FnMut(&[u8]) -> Option<T>,
) {
    out.reserve(values.len());
    fill(values, valid, invalid, |v| {
        let value = v.and_then(&mut read);
        out.push(value.unwrap_or(empty));
        value.is_some()
    });
}

/// Powers of ten that fit an i64, by exponent.
const POW10: [i64; 19] = {
    let mut table = [1i64; 19];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// The mantissa of `v` at `scale` fraction digits: `Decimal::parse(v)?.rescale(scale)`, with
/// the common case (at most 18 digits, at most `scale` of them after the point) read in one
/// pass and the rest left to those functions.
#[inline]
fn decimal_mantissa(v: &[u8], scale: u8) -> Option<i64> {
    let (negative, unsigned) = match v {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, v),
    };
    let mut magnitude: u64 = 0;
    let mut point = None;
    for (i, &b) in unsigned.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit <= 9 {
            // Wrapping is harmless: more than 18 digits go to the general path below.
            magnitude = magnitude.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let digits = unsigned.len() - usize::from(point.is_some());
    let fraction = point.map_or(0, |p| unsigned.len() - p - 1);
    if digits == 0 {
        return None;
    }
    if digits > 18 || fraction > usize::from(scale) || scale > value::MAX_DECIMAL_SCALE {
        return Decimal::parse(v).ok().and_then(|d| d.rescale(scale)).map(|d| d.mantissa);
    }
    // Below 10^18, so the magnitude fits an i64.
    let mantissa = if negative { -(magnitude as i64) } else { magnitude as i64 };
    mantissa.checked_mul(POW10[usize::from(scale) - fraction])
}

/// A Time column's last date: timestamps in a log mostly share their day, so the calendar
/// arithmetic is done once a day rather than once a value.
#[derive(Debug, Default)]
struct DateCache {
    /// The date's eight bytes, `YYYYMMDD`, as a little-endian word; 0 (no digits) when empty.
    key: u64,
    /// Its days since the Unix epoch.
    days: i64,
}

impl DateCache {
    /// `UtcTimestamp::parse(v)?.unix_nanos()` as an i64, when it fits.
    #[inline]
    fn timestamp_nanos(&mut self, v: &[u8]) -> Option<i64> {
        const NANOS_PER_SECOND: i64 = 1_000_000_000;
        if v.len() < 17 || v[8] != b'-' || v[11] != b':' || v[14] != b':' {
            return None;
        }
        let date: [u8; 8] = v[..8].try_into().ok()?;
        let key = u64::from_le_bytes(date);
        if key != self.key {
            self.days = Date::parse(&date).ok()?.days_since_epoch();
            self.key = key;
        }
        let (hour, minute, second) = (digits2(v[9], v[10])?, digits2(v[12], v[13])?, digits2(v[15], v[16])?);
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let nanos = match &v[17..] {
            [] => 0,
            [b'.', fraction @ ..] => {
                let unit = match fraction.len() {
                    3 => 1_000_000,
                    6 => 1_000,
                    9 => 1,
                    _ => return None,
                };
                // At most nine digits: no overflow.
                let mut units = 0;
                for &b in fraction {
                    let digit = b.wrapping_sub(b'0');
                    if digit > 9 {
                        return None;
                    }
                    units = units * 10 + i64::from(digit);
                }
                units * unit
            }
            _ => return None,
        };
        let seconds = self.days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        // Years 0-9999 reach past i64 nanoseconds; near its ends, the exact sum decides.
        seconds
            .checked_mul(NANOS_PER_SECOND)
            .and_then(|n| n.checked_add(nanos))
            .or_else(|| i64::try_from(i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos)).ok())
    }
}

/// Two ASCII digits as a number.
#[inline]
fn digits2(tens: u8, units: u8) -> Option<u8> {
    let (t, u) = (tens.wrapping_sub(b'0'), units.wrapping_sub(b'0'));
    (t <= 9 && u <= 9).then(|| t * 10 + u)
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
// The crate's only `unsafe`: mapping the file and dropping the pages read.
#[allow(unsafe_code)]
pub fn scan_file(path: &Path, range: Option<Range<usize>>, options: &ScanOptions) -> std::io::Result<Table> {
    let file = std::fs::File::open(path)?;
    // SAFETY: the map is only read and lives until the scan below has finished; every byte is
    // treated as hostile input, so a file rewritten in place while mapped gives garbled rows.
    // A file truncated while mapped makes the next read of a vanished page raise SIGBUS: the
    // documentation above (and read_columns') says that logs must not be truncated while read.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let range = range.unwrap_or(0..map.len());
    Ok(scan_windowed(&map, range, options, SCAN_WINDOW, |upto| {
        // SAFETY: the map is shared and read-only, so dropping its pages only makes later reads
        // fault them in again from the file; the scan reads nothing before `upto` again. A
        // failed advice just keeps the pages.
        let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, upto) };
    }))
}

/// Scans messages that start in `input[start..end]` (they may end after `end`). Returns the
/// table and the offset just past the last message read.
fn scan_chunk(input: &[u8], start: usize, end: usize, options: &ScanOptions) -> (Table, usize) {
    scan_chunk_with(input, start, end, options, QuickReader::new(options))
}

/// [`scan_chunk`], reading rows with `quick` where it can and with the ordinary parser (a
/// [`FieldIndex`] per message) elsewhere; without `quick`, with the parser alone.
fn scan_chunk_with(
    input: &[u8],
    start: usize,
    end: usize,
    options: &ScanOptions,
    mut quick: Option<QuickReader>,
) -> (Table, usize) {
    let mut table = Table::new(options);
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
        let (offset, message_end, message) = match candidate {
            Candidate::Garbled { offset, .. } => {
                if offset >= start {
                    table.garbled.push(offset as u64);
                }
                continue;
            }
            Candidate::Framed { offset, end, message } => (offset, end, message),
        };
        if let Some(quick) = quick.as_mut() {
            if quick.read(message) {
                reached = reached.max(message_end);
                if offset >= start {
                    table.messages += 1;
                    if wanted(options, quick.msg_type(message)) {
                        quick.push_row(&mut table, offset);
                        if quick.batch_full() {
                            quick.flush(&mut table, &mut dates, input);
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
                quick.flush(&mut table, &mut dates, input);
            }
            add_rows(&mut table, &mut finder, &mut dates, message.fields(), offset as u64, options);
        }
    }
    if let Some(quick) = quick.as_mut() {
        quick.flush(&mut table, &mut dates, input);
    }
    (table, reached)
}

/// Whether a message of `msg_type` passes the MsgType filter.
#[inline]
fn wanted(options: &ScanOptions, msg_type: &[u8]) -> bool {
    options.msg_types.as_ref().map_or(true, |types| types.iter().any(|t| t.as_slice() == msg_type))
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
            Candidate::Framed { offset, end, message } => (offset, end, message),
        };
        if let Err(error) = self.index.parse(message, self.options) {
            self.rejected = Some(offset);
            return Some(Found::Garbled { offset, error: error.shifted(offset) });
        }
        Some(Found::Message { offset, end, message: self.index.view(message) })
    }
}

/// A candidate message framed by its BodyLength, before it is parsed.
enum Candidate<'s> {
    /// A message-sized span: its SOH form (the input itself, or a converted copy of a `|` line).
    Framed { offset: usize, end: usize, message: &'s [u8] },
    /// A candidate that does not even frame.
    Garbled { offset: usize, error: DecodeError },
}

/// Finds and frames the candidates of a range (the first half of a [`LogReader`]); the caller
/// parses each and calls [`Candidates::reject`] on the ones that do not parse.
#[derive(Debug)]
struct Candidates<'a> {
    input: &'a [u8],
    pos: usize,
    end: usize,
    finder: memmem::Finder<'static>,
    scratch: Vec<u8>,
}

impl<'a> Candidates<'a> {
    fn new(input: &'a [u8], range: Range<usize>) -> Self {
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
    fn next_candidate(&mut self) -> Option<Candidate<'_>> {
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
        Some(Candidate::Framed { offset: at, end: self.pos, message })
    }

    /// The candidate at `offset` did not parse: the search goes on from the byte after its start.
    fn reject(&mut self, offset: usize) {
        self.pos = offset + 1;
    }
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

/// Marks, in [`QuickReader`]'s table, a tag whose field the quick reader leaves to the parser.
const DECLINE: u16 = NO_COLUMN - 1;

/// Reads a message's row in one pass over its bytes, without building a [`FieldIndex`].
///
/// It takes a message only when the parser would, and finds the same values (each tag's first
/// occurrence): it checks what the parser checks (BeginString <8>, BodyLength <9> and MsgType
/// <35> first, BodyLength leading to CheckSum <10>, tags of 1 to 9 digits without a leading
/// zero, non-empty values, no header or trailer tag in the body, the field limit, the CheckSum
/// value) and declines anything else, leaving it to the parser, which then says what is wrong
/// or reads what is unusual: a message with a data field (whose value may hold SOH), group
/// checks, exploded groups.
struct QuickReader<'o> {
    /// For each tag below [`DENSE_TAGS`]: the first column it fills, [`NO_COLUMN`] or [`DECLINE`].
    dense: Vec<u16>,
    /// Columns of tags from [`DENSE_TAGS`] up, sorted by tag.
    sparse: Vec<(u32, u16)>,
    /// For each column, the column whose value it takes: itself, or the first of its tag.
    source: Vec<u16>,
    /// Columns of BeginString, BodyLength, MsgType and CheckSum, which the frame gives.
    framing: Vec<(u32, u16)>,
    /// Each column's value range in the current message; start 0 when absent (no value
    /// starts a message).
    found: Vec<(u32, u32)>,
    /// The current message's MsgType <35> value range.
    msg_type: (u32, u32),
    /// Rows not yet in the columns: each row's message offset in the input, and its MsgType
    /// and column value ranges (as in `found`), a row after the other.
    bases: Vec<usize>,
    batch: Vec<(u32, u32)>,
    data_fields: &'o DataFields,
    max_fields: usize,
    verify_checksum: bool,
}

impl<'o> QuickReader<'o> {
    /// The reader for `options`, or `None` when they need the parser for every message
    /// (group checks, exploded groups) or have more columns than the table can number.
    fn new(options: &'o ScanOptions) -> Option<Self> {
        let columns = &options.columns;
        if options.parse.groups.is_some() || options.explode.is_some() || columns.len() >= usize::from(DECLINE) {
            return None;
        }
        let data_fields = &options.parse.data_fields;
        let mut dense = vec![NO_COLUMN; DENSE_TAGS as usize];
        for tag in [8, 9, 10, 35].into_iter().chain(data_fields.length_tags()) {
            if let Some(slot) = dense.get_mut(tag as usize) {
                *slot = DECLINE;
            }
        }
        let mut sparse: Vec<(u32, u16)> = Vec::new();
        let mut framing = Vec::new();
        let mut source = Vec::with_capacity(columns.len());
        for (i, column) in columns.iter().enumerate() {
            let index = u16::try_from(i).ok()?;
            let tag = column.tag;
            let first = if matches!(tag, 8 | 9 | 10 | 35) {
                framing.push((tag, index));
                index
            } else if let Some(slot) = dense.get_mut(tag as usize) {
                // A data length tag's column is only ever filled by the parser.
                if *slot == NO_COLUMN {
                    *slot = index;
                }
                if *slot == DECLINE {
                    index
                } else {
                    *slot
                }
            } else {
                let at = sparse.partition_point(|&(t, _)| t < tag);
                match sparse.get(at) {
                    Some(&(t, first)) if t == tag => first,
                    _ => {
                        sparse.insert(at, (tag, index));
                        index
                    }
                }
            };
            source.push(first);
        }
        Some(Self {
            dense,
            sparse,
            source,
            framing,
            found: vec![(0, 0); columns.len()],
            msg_type: (0, 0),
            bases: Vec::with_capacity(QUICK_BATCH),
            batch: Vec::with_capacity(QUICK_BATCH * (columns.len() + 1)),
            data_fields,
            max_fields: options.parse.max_fields,
            verify_checksum: options.parse.verify_checksum,
        })
    }

    /// What the table says of `tag`: a column, [`NO_COLUMN`] or [`DECLINE`].
    #[inline(always)]
    fn class(&self, tag: u32) -> u16 {
        match self.dense.get(tag as usize) {
            Some(&class) => class,
            None => self.sparse_class(tag),
        }
    }

    #[cold]
    fn sparse_class(&self, tag: u32) -> u16 {
        if self.data_fields.data_tag_for(tag).is_some() {
            return DECLINE;
        }
        self.sparse.binary_search_by_key(&tag, |&(t, _)| t).map_or(NO_COLUMN, |i| self.sparse[i].1)
    }

    /// Reads `msg` (one candidate in SOH form); false when the parser must decide.
    #[inline]
    fn read(&mut self, msg: &[u8]) -> bool {
        self.try_read(msg).is_some()
    }

    #[inline]
    fn try_read(&mut self, msg: &[u8]) -> Option<()> {
        // Value ranges are kept as u32, as in a FieldIndex.
        u32::try_from(msg.len()).ok()?;
        self.found.fill((0, 0));
        let begin = quick_field(msg, 0).filter(|f| f.tag == 8)?;
        let length = quick_field(msg, begin.end + 1).filter(|f| f.tag == 9)?;
        let body_start = length.end + 1;
        let body_length = usize::try_from(value::parse_u64(&msg[length.start..length.end]).ok()?).ok()?;
        let trailer = body_start.checked_add(body_length)?;
        if trailer <= body_start || !msg.get(trailer..)?.starts_with(b"10=") || msg[trailer - 1] != SOH {
            return None;
        }
        let msg_type = quick_field(msg, body_start).filter(|f| f.tag == 35 && f.end < trailer)?;
        let mut fields = 3;
        let mut pos = msg_type.end + 1;
        while pos < trailer {
            let field = quick_field(msg, pos).filter(|f| f.end < trailer)?;
            fields += 1;
            if fields > self.max_fields {
                return None;
            }
            match self.class(field.tag) {
                NO_COLUMN => {}
                DECLINE => return None,
                column => {
                    let slot = &mut self.found[usize::from(column)];
                    if slot.0 == 0 {
                        *slot = (field.start as u32, field.end as u32);
                    }
                }
            }
            pos = field.end + 1;
        }
        let checksum = quick_field(msg, trailer)?;
        let stated = match msg[checksum.start..checksum.end] {
            [a, b, c] if [a, b, c].iter().all(u8::is_ascii_digit) => {
                u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0')
            }
            _ => return None,
        };
        if checksum.end + 1 != msg.len()
            || (self.verify_checksum && u32::from(crate::checksum(&msg[..trailer])) != stated)
        {
            return None;
        }
        for &(tag, column) in &self.framing {
            let field = match tag {
                8 => begin,
                9 => length,
                35 => msg_type,
                _ => checksum,
            };
            self.found[usize::from(column)] = (field.start as u32, field.end as u32);
        }
        self.msg_type = (msg_type.start as u32, msg_type.end as u32);
        Some(())
    }

    /// The MsgType of the message last read.
    #[inline]
    fn msg_type<'m>(&self, msg: &'m [u8]) -> &'m [u8] {
        &msg[self.msg_type.0 as usize..self.msg_type.1 as usize]
    }

    /// Appends the row of the message last read, which starts at `offset` in the input. Its
    /// values are kept as ranges of the input and read into the columns by
    /// [`flush`](Self::flush), a column at a time.
    #[inline]
    fn push_row(&mut self, table: &mut Table, offset: usize) {
        table.rows += 1;
        table.offset.push(offset as i64);
        self.bases.push(offset);
        self.batch.push(self.msg_type);
        self.batch.extend(self.source.iter().map(|&source| self.found[usize::from(source)]));
    }

    /// Whether the rows kept since the last flush fill a batch.
    #[inline]
    fn batch_full(&self) -> bool {
        self.bases.len() >= QUICK_BATCH
    }

    /// Reads the values of the rows kept since the last flush into the columns. `input` is the
    /// scanned input: a value lies at its message's offset plus its offset in the message,
    /// the same bytes for `|` logs as in their SOH copy, since values hold no separator.
    fn flush(&mut self, table: &mut Table, dates: &mut DateCaches, input: &[u8]) {
        let width = self.source.len() + 1;
        let value = |base: usize, (start, end): (u32, u32)| {
            (start != 0).then(|| &input[base + start as usize..base + end as usize])
        };
        let rows = || self.bases.iter().zip(self.batch.chunks_exact(width));
        table.msg_type.push_many(rows().map(|(&base, row)| value(base, row[0])), &mut dates.msg_type);
        for (i, (column, dates)) in table.columns.iter_mut().zip(&mut dates.columns).enumerate() {
            column.push_many(rows().map(|(&base, row)| value(base, row[i + 1])), dates);
        }
        self.bases.clear();
        self.batch.clear();
    }
}

/// Rows the quick reader keeps before reading their values into the columns.
const QUICK_BATCH: usize = 64;

/// A field as the quick reader sees it: tag and value range.
#[derive(Debug, Clone, Copy)]
struct QuickField {
    tag: u32,
    start: usize,
    end: usize,
}

/// The field at `pos`, read as the parser reads a field that is not a data field; `None` when
/// the parser would refuse it.
#[inline(always)]
fn quick_field(buf: &[u8], pos: usize) -> Option<QuickField> {
    let (tag, equals) = scan_tag(buf, pos)?;
    let start = equals + 1;
    let end = start + find_soh(buf.get(start..)?)?;
    (end > start).then_some(QuickField { tag, start, end })
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
    use std::fmt::Write as _;

    use super::*;
    use crate::value::UtcTimestamp;

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

    /// A small deterministic generator (xorshift), so the tests need no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
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
        assert!(quick.read(message("35=D|11=a|44=1.5|52=20260820-13:45:01.123|", '\x01').as_bytes()));
        assert!(!quick.read(message("35=D|95=1|96=x|", '\x01').as_bytes()));
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
}
