//! The quick reader: a message's row in one pass over its bytes, checking what the parser
//! checks, for the messages it can take; the parser decides the rest.

use super::log::Frame;
use super::{DateCaches, ScanOptions, Table, DENSE_TAGS, NO_COLUMN};
use crate::decode::{scan_tag, DataFields};
use crate::group::{GroupSpec, Member};
use crate::separators::{mask_at, BLOCK};
use crate::{find_soh, SOH};

#[cfg(any(test, feature = "reference-scan"))]
mod reference;

/// Marks, in [`QuickReader`]'s table, a tag whose field the quick reader leaves to the parser.
pub(super) const DECLINE: u16 = NO_COLUMN - 1;

/// Reads a message's row in one pass over its bytes, without building a [`FieldIndex`](crate::FieldIndex).
///
/// It takes a message only when the parser would, and finds the same values (each tag's first
/// occurrence): it checks what the parser checks (BeginString <8>, BodyLength <9> and MsgType
/// <35> first, BodyLength leading to CheckSum <10>, tags of 1 to 9 digits without a leading
/// zero, non-empty values, no header or trailer tag in the body, the field limit, the CheckSum
/// value) and declines anything else, leaving it to the parser, which then says what is wrong
/// or reads what is unusual: a message with a data field (whose value may hold SOH), group
/// checks, exploded groups.
pub(super) struct QuickReader<'o> {
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
    pub(super) fn new(options: &'o ScanOptions) -> Option<Self> {
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
    pub(super) fn class(&self, tag: u32) -> u16 {
        match self.dense.get(tag as usize) {
            Some(&class) => class,
            None => self.sparse_class(tag),
        }
    }

    #[cold]
    pub(super) fn sparse_class(&self, tag: u32) -> u16 {
        if self.data_fields.data_tag_for(tag).is_some() {
            return DECLINE;
        }
        self.sparse.binary_search_by_key(&tag, |&(t, _)| t).map_or(NO_COLUMN, |i| self.sparse[i].1)
    }

    /// Reads `msg` (one candidate in SOH form) as [`try_read`](Self::try_read) does, its
    /// BeginString <8> and BodyLength <9> where the framing found them rather than read
    /// again; false when the parser must decide. Debug builds hold it to `try_read`.
    #[inline]
    pub(super) fn read(&mut self, msg: &[u8], frame: Frame) -> bool {
        let read = self.try_read_framed(msg, frame).is_some();
        #[cfg(debug_assertions)]
        {
            let framed = (read, self.msg_type, self.found.clone());
            let read_again = self.try_read(msg).is_some();
            debug_assert!(framed == (read_again, self.msg_type, self.found.clone()) || !read && !read_again);
        }
        read
    }

    #[inline(always)]
    fn try_read_framed(&mut self, msg: &[u8], frame: Frame) -> Option<()> {
        let Frame { begin_end, body_start, trailer } = frame;
        let begin = QuickField { tag: 8, start: 2, end: begin_end };
        let length = QuickField { tag: 9, start: begin_end + 3, end: body_start - 1 };
        self.read_after_header(msg, begin, length, trailer, Self::body_masked)
    }

    /// Reads `msg`, its header read again (the reference for [`read`](Self::read)).
    #[cfg(any(debug_assertions, test, feature = "reference-scan"))]
    #[inline]
    pub(super) fn try_read(&mut self, msg: &[u8]) -> Option<()> {
        self.read_fields(msg, Self::body_masked)
    }

    /// The row of `msg` as [`try_read`](Self::try_read) reads it, the body's fields found a
    /// byte at a time (the reader before the SOH masks, kept to hold them to the same results).
    #[cfg(any(test, feature = "reference-scan"))]
    pub(super) fn try_read_bytewise(&mut self, msg: &[u8]) -> Option<()> {
        self.read_fields(msg, Self::body_bytewise)
    }

    /// Reads `msg`'s row: the header and trailer fields here, the body's fields from the one
    /// after MsgType <35> to the trailer (exclusive) with `body`, which counts them on from
    /// the three before.
    #[cfg(any(debug_assertions, test, feature = "reference-scan"))]
    #[inline(always)]
    fn read_fields(
        &mut self,
        msg: &[u8],
        body: impl FnOnce(&mut Self, &[u8], usize, usize) -> Option<()>,
    ) -> Option<()> {
        let begin = quick_field(msg, 0).filter(|f| f.tag == 8)?;
        let length = quick_field(msg, begin.end + 1).filter(|f| f.tag == 9)?;
        let body_length = usize::try_from(crate::value::parse_u64(&msg[length.start..length.end]).ok()?).ok()?;
        let trailer = (length.end + 1).checked_add(body_length)?;
        self.read_after_header(msg, begin, length, trailer, body)
    }

    /// The rest of [`read_fields`](Self::read_fields), from BeginString <8> and BodyLength <9>
    /// read and CheckSum <10> expected at `trailer`.
    #[inline(always)]
    fn read_after_header(
        &mut self,
        msg: &[u8],
        begin: QuickField,
        length: QuickField,
        trailer: usize,
        body: impl FnOnce(&mut Self, &[u8], usize, usize) -> Option<()>,
    ) -> Option<()> {
        // Value ranges are kept as u32, as in a FieldIndex.
        u32::try_from(msg.len()).ok()?;
        self.found.fill((0, 0));
        let body_start = length.end + 1;
        if trailer <= body_start || !msg.get(trailer..)?.starts_with(b"10=") || msg[trailer - 1] != SOH {
            return None;
        }
        let msg_type = quick_field(msg, body_start).filter(|f| f.tag == 35 && f.end < trailer)?;
        body(self, msg, msg_type.end + 1, trailer)?;
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

    /// Reads the body's fields from `pos` to `trailer`, stepping from SOH to SOH with the
    /// message's SOH masks; each field's tag is read from the word at its start.
    ///
    /// It takes exactly the fields that [`quick_field`] takes, with the same ranges: the first
    /// SOH at or after a field's start ends its value, since a tag that reads holds no SOH.
    #[inline(always)]
    fn body_masked(&mut self, msg: &[u8], mut pos: usize, trailer: usize) -> Option<()> {
        let mut count = 3;
        let mut block = pos / BLOCK;
        let mut sohs = mask_at(msg, block, SOH) & (u64::MAX << (pos % BLOCK));
        while pos < trailer {
            while sohs == 0 {
                block += 1;
                // The byte before the trailer is an SOH, so this stops there at the latest.
                if block * BLOCK >= trailer {
                    return None;
                }
                sohs = mask_at(msg, block, SOH);
            }
            let end = block * BLOCK + sohs.trailing_zeros() as usize;
            sohs &= sohs - 1;
            let (tag, equals) = match msg.get(pos..pos + 8) {
                Some(word) => tag_in_word(u64::from_le_bytes(word.try_into().expect("eight bytes")))
                    .map(|(tag, digits)| (tag, pos + digits)),
                None => None,
            }
            .or_else(|| scan_tag(msg, pos))?;
            if end <= equals + 1 || end >= trailer {
                return None;
            }
            self.take(&mut count, tag, equals + 1, end)?;
            pos = end + 1;
        }
        Some(())
    }

    /// Takes a body field, the `count`th of the message: its value `start..end` fills its
    /// column unless an earlier field of its tag did. `None` when the parser must decide (a
    /// tag it declines, or too many fields).
    #[inline(always)]
    fn take(&mut self, count: &mut usize, tag: u32, start: usize, end: usize) -> Option<()> {
        *count += 1;
        if *count > self.max_fields {
            return None;
        }
        match self.class(tag) {
            NO_COLUMN => {}
            DECLINE => return None,
            column => {
                let slot = &mut self.found[usize::from(column)];
                if slot.0 == 0 {
                    *slot = (start as u32, end as u32);
                }
            }
        }
        Some(())
    }

    /// Reads `msg` with the masked field walk and the byte-at-a-time one: whether it was read
    /// (the same for both), or how the two disagree.
    #[cfg(any(test, feature = "reference-scan"))]
    pub(super) fn compare_walks(&mut self, msg: &[u8]) -> Result<bool, String> {
        let masked = self.try_read(msg).map(|()| (self.msg_type, self.found.clone()));
        let bytewise = self.try_read_bytewise(msg).map(|()| (self.msg_type, self.found.clone()));
        if masked == bytewise {
            Ok(masked.is_some())
        } else {
            Err(format!("masked walk {masked:?}, byte-at-a-time walk {bytewise:?}"))
        }
    }

    /// The MsgType of the message last read.
    #[inline]
    pub(super) fn msg_type<'m>(&self, msg: &'m [u8]) -> &'m [u8] {
        &msg[self.msg_type.0 as usize..self.msg_type.1 as usize]
    }

    /// Appends the row of the message last read, which starts at `offset` in the input. Its
    /// values are kept as ranges of the input and read into the columns by
    /// [`flush`](Self::flush), a column at a time.
    #[inline]
    pub(super) fn push_row(&mut self, table: &mut Table, offset: usize) {
        table.rows += 1;
        table.offset.push(offset as i64);
        self.bases.push(offset);
        self.batch.push(self.msg_type);
        self.batch.extend(self.source.iter().map(|&source| self.found[usize::from(source)]));
    }

    /// Whether the rows kept since the last flush fill a batch.
    #[inline]
    pub(super) fn batch_full(&self) -> bool {
        self.bases.len() >= QUICK_BATCH
    }

    /// Reads the values of the rows kept since the last flush into the columns. `input` is the
    /// scanned input: a value lies at its message's offset plus its offset in the message,
    /// the same bytes for `|` logs as in their SOH copy, since values hold no separator.
    pub(super) fn flush(&mut self, table: &mut Table, dates: &mut DateCaches, input: &[u8]) {
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
pub(super) const QUICK_BATCH: usize = 64;

/// A field as the quick reader sees it: tag and value range.
#[derive(Debug, Clone, Copy)]
pub(super) struct QuickField {
    tag: u32,
    start: usize,
    end: usize,
}

/// The field at `pos`, read as the parser reads a field that is not a data field; `None` when
/// the parser would refuse it.
#[inline(always)]
pub(super) fn quick_field(buf: &[u8], pos: usize) -> Option<QuickField> {
    let (tag, equals) = scan_tag(buf, pos)?;
    let start = equals + 1;
    let end = start + find_soh(buf.get(start..)?)?;
    (end > start).then_some(QuickField { tag, start, end })
}

/// The tag that starts `word` (eight message bytes, little-endian) and its number of digits,
/// when a `=` follows it within the word, as [`scan_tag`] reads it: digits only, no leading
/// zero. `None` when the digits are not a tag, or when no `=` is in the word (a tag of eight
/// or nine digits, which [`scan_tag`] reads).
#[inline(always)]
fn tag_in_word(word: u64) -> Option<(u32, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    // The first `=`: XOR makes it a zero byte, and the lowest zero-byte mark is exact.
    let x = word ^ (ONES * u64::from(b'='));
    let equals = x.wrapping_sub(ONES) & !x & HIGHS;
    let digits = (equals.trailing_zeros() / 8) as usize;
    if digits == 0 || digits == 8 || word as u8 == b'0' {
        return None;
    }
    // Shifted to the top of the word, the digits are the number's last places; the places
    // before them become `0` characters.
    let shift = 64 - 8 * digits as u32;
    let text = (word << shift) | (ZEROS & !(u64::MAX << shift));
    // Every byte `0`-`9`: high nibble 3, and still 3 after adding 6.
    if text & HIGH_NIBBLES != ZEROS || (text + 0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS {
        return None;
    }
    // Pairs, then fours, then all eight places (the first character is the highest place).
    let mut value = text - ZEROS;
    value = (value * 10 + (value >> 8)) & 0x00ff_00ff_00ff_00ff;
    value = (value * 100 + (value >> 16)) & 0x0000_ffff_0000_ffff;
    value = (value * 10_000 + (value >> 32)) & 0xffff_ffff;
    Some((value as u32, digits))
}

/// Whether `tag` belongs to `spec`'s entries (directly or in a nested group).
pub(super) fn is_member(spec: &GroupSpec, tag: u32) -> bool {
    spec.members().iter().any(|m| match m {
        Member::Field(t) => *t == tag,
        Member::Group(nested) => nested.count_tag() == tag || is_member(nested, tag),
    })
}
