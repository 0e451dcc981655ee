//! Parsing one message into a [`FieldIndex`]: (tag, value range) pairs over the borrowed bytes.
//!
//! Parsing checks the structure a FIX counterparty relies on, and nothing a dictionary decides:
//! BeginString <8>, BodyLength <9> and MsgType <35> are the first three fields, BodyLength is the
//! exact byte count from after its own field to the `10=` field, CheckSum <10> is the last field
//! with three digits that match the bytes (switchable), every tag is a positive integer and every
//! value non-empty. Data fields, whose value may contain SOH, are read by their length field.
//! Values are not interpreted until asked for (see [`Fields`]).

use std::borrow::Cow;
use std::sync::Arc;

use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::group::{CheckedGroup, GroupSpecs};
use crate::value;
use crate::{find_soh, SOH};

mod common;
mod fields;
#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "dispatch-paths"))]
pub use common::WalkPath;
pub use fields::Fields;

/// One field of a parsed message: its tag and where its value lies in the message bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The tag number.
    pub tag: u32,
    /// Offset of the value's first byte.
    pub start: u32,
    /// Offset one past the value's last byte (where its SOH is).
    pub end: u32,
}

impl Field {
    /// The value's byte range in the message.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Offset of the field's first byte (its tag), from the start of the message.
    pub fn offset(self) -> usize {
        // The tag's digits and the '=' sit just before the value.
        self.start as usize - 1 - tag_width(self.tag)
    }
}

fn tag_width(tag: u32) -> usize {
    tag.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// Pairs of (length tag, data tag) for data fields whose value may contain SOH.
#[derive(Debug, Clone)]
pub struct DataFields {
    pairs: Cow<'static, [(u32, u32)]>,
    // Every field is checked against these, so the common answer ("not a data field") must
    // not cost a scan of the pairs.
    length_tags: TagSet,
    data_tags: TagSet,
    /// The length tags and the tags that cannot be in a body (8, 9, 10, 35): where the parse of
    /// the common message stops and leaves the message to the checked parser.
    pub(crate) stops: TagSet,
    /// Whether these are [`DataFields::standard`], whose stops the parse has as a static table.
    pub(crate) standard: bool,
}

/// A membership pre-check for tags: exact below [`TagSet::EXACT`], a range above.
#[derive(Debug, Clone)]
pub(crate) struct TagSet {
    low: [u64; TagSet::EXACT as usize / 64],
    high_min: u32,
    high_max: u32,
}

impl TagSet {
    const EXACT: u32 = 1024;

    const fn of(pairs: &[(u32, u32)], data: bool) -> Self {
        let mut set = Self { low: [0; Self::EXACT as usize / 64], high_min: u32::MAX, high_max: 0 };
        let mut i = 0;
        while i < pairs.len() {
            let tag = if data { pairs[i].1 } else { pairs[i].0 };
            if tag < Self::EXACT {
                set.low[tag as usize / 64] |= 1 << (tag % 64);
            } else {
                set.high_min = if tag < set.high_min { tag } else { set.high_min };
                set.high_max = if tag > set.high_max { tag } else { set.high_max };
            }
            i += 1;
        }
        set
    }

    /// The length tags of `pairs` and the tags that cannot be in a body.
    pub(crate) const fn stops(pairs: &[(u32, u32)]) -> Self {
        let mut set = Self::of(pairs, false);
        // And 0: the parse of the common message reads `=` with no tag before it as tag 0.
        set.low[0] |= HEADER_OR_TRAILER | 1;
        set
    }

    /// False when `tag` is certainly not in the set.
    #[inline]
    pub(crate) const fn may_contain(&self, tag: u32) -> bool {
        if tag < Self::EXACT {
            self.low[tag as usize / 64] >> (tag % 64) & 1 == 1
        } else {
            self.high_min <= tag && tag <= self.high_max
        }
    }
}

/// The data fields of FIX 5.0 SP2 that fixwire reads by length out of the box.
pub const STANDARD_DATA_FIELDS: &[(u32, u32)] = &[
    (90, 91),     // SecureDataLen, SecureData
    (93, 89),     // SignatureLength, Signature
    (95, 96),     // RawDataLength, RawData
    (212, 213),   // XmlDataLen, XmlData
    (348, 349),   // EncodedIssuerLen, EncodedIssuer
    (350, 351),   // EncodedSecurityDescLen, EncodedSecurityDesc
    (352, 353),   // EncodedListExecInstLen, EncodedListExecInst
    (354, 355),   // EncodedTextLen, EncodedText
    (356, 357),   // EncodedSubjectLen, EncodedSubject
    (358, 359),   // EncodedHeadlineLen, EncodedHeadline
    (360, 361),   // EncodedAllocTextLen, EncodedAllocText
    (362, 363),   // EncodedUnderlyingIssuerLen, EncodedUnderlyingIssuer
    (364, 365),   // EncodedUnderlyingSecurityDescLen, EncodedUnderlyingSecurityDesc
    (445, 446),   // EncodedListStatusTextLen, EncodedListStatusText
    (618, 619),   // EncodedLegIssuerLen, EncodedLegIssuer
    (621, 622),   // EncodedLegSecurityDescLen, EncodedLegSecurityDesc
    (1184, 1185), // SecurityXMLLen, SecurityXML
];

impl DataFields {
    /// The standard FIX data fields ([`STANDARD_DATA_FIELDS`]).
    pub const fn standard() -> Self {
        Self {
            pairs: Cow::Borrowed(STANDARD_DATA_FIELDS),
            length_tags: TagSet::of(STANDARD_DATA_FIELDS, false),
            data_tags: TagSet::of(STANDARD_DATA_FIELDS, true),
            stops: TagSet::stops(STANDARD_DATA_FIELDS),
            standard: true,
        }
    }

    /// No data fields: every field is plain, and SOH in a value is an error. For an encoder
    /// that writes RawData <96> and the like without their length field, as some venues expect.
    pub const fn none() -> Self {
        Self {
            pairs: Cow::Borrowed(&[]),
            length_tags: TagSet::of(&[], false),
            data_tags: TagSet::of(&[], true),
            stops: TagSet::stops(&[]),
            standard: false,
        }
    }

    /// The standard data fields plus `extra` (length tag, data tag) pairs, for venues or
    /// dictionaries that define their own.
    pub fn with_extra(extra: &[(u32, u32)]) -> Self {
        let mut pairs = STANDARD_DATA_FIELDS.to_vec();
        pairs.extend_from_slice(extra);
        Self::of(Cow::Owned(pairs))
    }

    fn of(pairs: Cow<'static, [(u32, u32)]>) -> Self {
        Self {
            length_tags: TagSet::of(&pairs, false),
            data_tags: TagSet::of(&pairs, true),
            stops: TagSet::stops(&pairs),
            standard: false,
            pairs,
        }
    }

    /// The data tag whose length `tag` gives, when `tag` is a length tag.
    #[inline]
    pub fn data_tag_for(&self, length_tag: u32) -> Option<u32> {
        if !self.length_tags.may_contain(length_tag) {
            return None;
        }
        self.pairs.iter().find(|p| p.0 == length_tag).map(|p| p.1)
    }

    /// The length tag that must precede the data tag `tag`, when `tag` is a data tag.
    #[inline]
    pub fn length_tag_for(&self, data_tag: u32) -> Option<u32> {
        if !self.data_tags.may_contain(data_tag) {
            return None;
        }
        self.pairs.iter().find(|p| p.1 == data_tag).map(|p| p.0)
    }

    /// Every length tag, for callers that build their own lookup tables.
    pub(crate) fn length_tags(&self) -> impl Iterator<Item = u32> + '_ {
        self.pairs.iter().map(|p| p.0)
    }
}

impl Default for DataFields {
    fn default() -> Self {
        Self::standard()
    }
}

/// Limits and switches for parsing. The defaults suit a live session.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Check CheckSum <10> against the bytes (on by default; a framer that already checked
    /// can switch it off).
    pub verify_checksum: bool,
    /// The most fields a message may have.
    pub max_fields: usize,
    /// Data fields read by their length field.
    pub data_fields: DataFields,
    /// Repeating-group specifications; when present, every group in the message is checked
    /// (entry count and field order) at parse time.
    pub groups: Option<Arc<GroupSpecs>>,
}

/// Default for [`ParseOptions::max_fields`].
pub const DEFAULT_MAX_FIELDS: usize = 8192;

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            verify_checksum: true,
            max_fields: DEFAULT_MAX_FIELDS,
            data_fields: DataFields::standard(),
            groups: None,
        }
    }
}

/// The fields of one message as (tag, value range) pairs; owns no message bytes.
///
/// Build it with [`FieldIndex::parse`] and read it through [`FieldIndex::view`] with the same
/// bytes. One index can be reused for many messages, so a hot loop allocates nothing.
#[derive(Clone, Default)]
pub struct FieldIndex {
    /// The message's fields, then slots left from longer messages: the parse of the common
    /// message writes into slots it finds ready rather than pushing.
    fields: Vec<Field>,
    /// How many of `fields` are the message's.
    count: usize,
    len: usize,
    /// Room for the SOH masks of the message's 64-byte blocks, kept between messages.
    masks: Vec<u64>,
    /// The groups the parse checked (with [`ParseOptions::groups`]), for the message's
    /// [`group_entries`](Message::group_entries), when `noted` says they are this message's.
    groups: Vec<CheckedGroup>,
    /// Whether `groups` holds the notes of this message's parse: a flag, so that a parse
    /// without specs makes one store rather than emptying `groups`.
    noted: bool,
}

impl std::fmt::Debug for FieldIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The slots after the message's fields are left from earlier messages.
        f.debug_struct("FieldIndex").field("fields", &self.fields()).field("len", &self.len).finish_non_exhaustive()
    }
}

impl FieldIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `buf`, which must hold exactly one message, replacing this index's contents.
    pub fn parse(&mut self, buf: &[u8], options: &ParseOptions) -> Result<(), DecodeError> {
        // Every field takes at least four bytes ("1=x<SOH>"), so a quarter of the length is
        // enough slots for any message; a third lets the parse's walk skip a check a field (see
        // `common::walk`).
        let slots = buf.len() / 3 + 5;
        if self.fields.len() < slots {
            self.grow(slots, options);
        }
        match common::parse(buf, options, &mut self.fields, &mut self.masks) {
            Some(count) => {
                self.count = count;
                self.len = buf.len();
                self.check_groups(buf, options)
            }
            None => self.parse_checked_in_full(buf, options),
        }
    }

    /// Makes room for `slots` fields, or for the limit on fields and the trailer when that is
    /// fewer: no more are ever filled, so the index of a long input, and what a reused one keeps,
    /// is bounded by the limit, not by the input's length (the slots the parse fills are the
    /// same either way). Out of line, as a reused index rarely grows (and an input over the
    /// limit's length, which calls it each time, is refused or long), so that
    /// [`parse`](Self::parse) saves no registers for it.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, slots: usize, options: &ParseOptions) {
        let slots = slots.min(options.max_fields.max(3).saturating_add(1));
        if self.fields.len() < slots {
            self.fields.resize(slots, Field { tag: 0, start: 0, end: 0 });
        }
    }

    /// [`parse`](Self::parse) without its single pass for the common message: every check in
    /// turn, which also names what is wrong. The same verdict and fields as [`parse`](Self::parse)
    /// on every input (fuzzed against it).
    #[doc(hidden)]
    #[inline(never)]
    pub fn parse_checked_in_full(&mut self, buf: &[u8], options: &ParseOptions) -> Result<(), DecodeError> {
        self.fields.clear();
        self.len = buf.len();
        let result = Parser { buf, options, fields: &mut self.fields }.run();
        self.count = self.fields.len();
        if let Err(e) = result {
            self.clear();
            return Err(e);
        }
        self.check_groups(buf, options)
    }

    /// Checks the groups `options` name, noting each for the message's reads, and empties the
    /// index when one is wrong.
    #[inline(always)]
    fn check_groups(&mut self, buf: &[u8], options: &ParseOptions) -> Result<(), DecodeError> {
        if let Some(specs) = &options.groups {
            return self.check_and_note_groups(buf, specs);
        }
        // Notes of an earlier message's groups are not this message's.
        self.noted = false;
        Ok(())
    }

    /// [`check_groups`](Self::check_groups) with specs: out of line, so that the parse without
    /// them keeps its registers.
    #[inline(never)]
    fn check_and_note_groups(&mut self, buf: &[u8], specs: &GroupSpecs) -> Result<(), DecodeError> {
        let fields = Fields { buf, fields: &self.fields[..self.count] };
        let msg_type = fields.fields.get(2).map_or(&[][..], |f| &buf[f.range()]);
        // The notes are overwritten in place (see `CheckedGroup::note`) and the rest dropped.
        let (groups, mut noted) = (&mut self.groups, 0);
        let checked = fields.check_groups_noting(msg_type, specs, |spec, at, end, entries| {
            CheckedGroup::note(groups, noted, spec, fields.fields, (at, end, entries));
            noted += 1;
        });
        if let Err(e) = checked {
            self.clear();
            return Err(e);
        }
        if noted < self.groups.len() {
            self.groups.truncate(noted);
        }
        self.noted = true;
        Ok(())
    }

    fn clear(&mut self) {
        self.count = 0;
        self.len = 0;
        self.noted = false;
    }

    /// A view of the message, reading values out of `buf`.
    ///
    /// # Panics
    ///
    /// When `buf` is not as long as the bytes this index was parsed from: reading values out of
    /// other bytes would give wrong answers.
    pub fn view<'a>(&'a self, buf: &'a [u8]) -> Message<'a> {
        assert_eq!(buf.len(), self.len, "a FieldIndex must be viewed with the bytes it was parsed from");
        let groups = if self.noted { &self.groups[..] } else { &[] };
        Message { fields: Fields { buf, fields: self.fields() }, groups }
    }

    /// The fields in wire order.
    pub fn fields(&self) -> &[Field] {
        &self.fields[..self.count]
    }
}

/// Parses `buf`, which must hold exactly one message, with default options.
///
/// ```
/// let wire = b"8=FIXT.1.1\x019=19\x0135=D\x0111=id-1\x0138=10\x0110=015\x01";
/// let mut index = fixwire::FieldIndex::new();
/// let msg = fixwire::parse(wire, &mut index).unwrap();
/// assert_eq!(msg.msg_type(), b"D");
/// assert_eq!(msg.get(11), Some(&b"id-1"[..]));
/// ```
pub fn parse<'a>(buf: &'a [u8], index: &'a mut FieldIndex) -> Result<Message<'a>, DecodeError> {
    index.parse(buf, &ParseOptions::default())?;
    Ok(index.view(buf))
}

/// Nine digits always fit a u32; FIX tags have at most five.
const MAX_TAG_DIGITS: usize = 9;

/// BeginString, BodyLength, CheckSum and MsgType, which cannot appear in a body: one bit test.
const HEADER_OR_TRAILER: u64 = 1 << 8 | 1 << 9 | 1 << 10 | 1 << 35;

/// The tag of the field at `pos` and where its `=` is, as the parser reads a tag (1 to
/// [`MAX_TAG_DIGITS`] digits, no leading zero); `None` when it is not one.
#[inline(always)]
pub(crate) fn scan_tag(buf: &[u8], pos: usize) -> Option<(u32, usize)> {
    // The first digit is 1-9: no zero tag, no leading zero.
    let mut tag = u32::from(buf.get(pos)?.wrapping_sub(b'1'));
    if tag > 8 {
        return None;
    }
    tag += 1;
    let mut i = pos + 1;
    loop {
        let b = *buf.get(i)?;
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            if b != b'=' {
                return None;
            }
            break;
        }
        // Wrapping is harmless: more than nine digits is refused below.
        tag = tag.wrapping_mul(10).wrapping_add(u32::from(digit));
        i += 1;
    }
    (i - pos <= MAX_TAG_DIGITS).then_some((tag, i))
}

struct Parser<'a, 'o> {
    buf: &'a [u8],
    options: &'o ParseOptions,
    fields: &'a mut Vec<Field>,
}

impl Parser<'_, '_> {
    fn run(mut self) -> Result<(), DecodeError> {
        let buf = self.buf;
        // Field offsets are stored as u32.
        if u32::try_from(buf.len()).is_err() {
            return Err(DecodeError::new(Kind::BodyLengthTooLarge, 0, None, "message is larger than 4 GiB"));
        }
        if !buf.starts_with(b"8=") {
            return Err(DecodeError::new(Kind::NotBeginString, 0, None, "message does not start with BeginString <8>"));
        }
        let begin = self.field_at(0, None)?;
        let after_begin = begin.end as usize + 1;
        if !buf[after_begin..].starts_with(b"9=") {
            return Err(DecodeError::new(
                Kind::HeaderOutOfOrder,
                after_begin,
                None,
                "BodyLength <9> is not the second field",
            ));
        }
        let length_field = self.field_at(after_begin, None)?;
        let body_start = length_field.end as usize + 1;
        let body_length = value::parse_u64(&buf[length_field.range()])
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                DecodeError::new(Kind::BadBodyLength, length_field.offset(), Some(9), "BodyLength <9> is not a number")
            })?;
        let trailer = self.locate_trailer(body_start, body_length)?;
        // Every field takes at least four bytes ("1=x<SOH>"), and no more than the limit on
        // fields and the trailer are pushed, so this is the most the loop below can push: it
        // never reallocates, and a long input reserves no more than the limit.
        let most = self.options.max_fields.max(3).saturating_add(1);
        self.fields.reserve(((trailer - body_start) / 4 + 3).min(most));
        self.fields.push(begin);
        self.fields.push(length_field);

        let msg_type = self.field_at(body_start, None)?;
        if msg_type.tag != 35 {
            return Err(out_of_order(msg_type, "MsgType <35> is not the third field"));
        }
        let mut pos = self.body_field(msg_type, trailer, body_length)?;
        let mut pending_data: Option<(u32, usize)> = None;
        while pos < trailer {
            let field = self.field_at(pos, pending_data.take())?;
            if field.tag < 64 && HEADER_OR_TRAILER >> field.tag & 1 == 1 {
                return Err(misplaced(field));
            }
            if self.fields.len() >= self.options.max_fields {
                return Err(DecodeError::new(
                    Kind::TooManyFields,
                    field.offset(),
                    Some(field.tag),
                    format!("message has more than {} fields", self.options.max_fields),
                ));
            }
            pending_data = self.data_length(field)?;
            pos = self.body_field(field, trailer, body_length)?;
        }
        let checksum = self.field_at(trailer, None)?;
        self.check_trailer(checksum)?;
        self.fields.push(checksum);
        Ok(())
    }

    /// Adds a body field, checking that it ends before the trailer; returns where the next
    /// field starts.
    #[inline(always)]
    fn body_field(&mut self, field: Field, trailer: usize, body_length: usize) -> Result<usize, DecodeError> {
        let next = field.end as usize + 1;
        if next > trailer {
            // The value runs into the trailer: BodyLength cut a field in half.
            return Err(DecodeError::new(
                Kind::BadBodyLength,
                field.offset(),
                Some(field.tag),
                format!("BodyLength <9> is {body_length} but the body's last field ends after it"),
            ));
        }
        self.fields.push(field);
        Ok(next)
    }

    /// Where the `10=` field starts, from BodyLength, with a precise error when it is not there.
    fn locate_trailer(&self, body_start: usize, body_length: usize) -> Result<usize, DecodeError> {
        let buf = self.buf;
        let declared = body_start.checked_add(body_length).filter(|&t| t <= buf.len());
        if let Some(trailer) = declared {
            if buf[trailer..].starts_with(b"10=") && trailer > body_start && buf[trailer - 1] == SOH {
                return Ok(trailer);
            }
        }
        // BodyLength does not lead to the trailer. Find where the body really ends to say by how
        // much it is wrong; without a trailer at all, the input was cut short.
        match memchr::memmem::rfind(buf, b"\x0110=") {
            Some(soh) if soh + 1 >= body_start => {
                let actual = soh + 1 - body_start;
                Err(DecodeError::new(
                    Kind::BadBodyLength,
                    body_start,
                    Some(9),
                    format!("BodyLength <9> is {body_length} but the body is {actual} bytes"),
                ))
            }
            _ => Err(DecodeError::new(Kind::Truncated, buf.len(), None, "input ends before the CheckSum <10> field")),
        }
    }

    fn check_trailer(&self, checksum: Field) -> Result<(), DecodeError> {
        let buf = self.buf;
        let digits = &buf[checksum.range()];
        let stated = match digits {
            [a, b, c] if digits.iter().all(u8::is_ascii_digit) => {
                u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0')
            }
            _ => {
                return Err(DecodeError::new(
                    Kind::BadCheckSum,
                    checksum.offset(),
                    Some(10),
                    "CheckSum <10> is not three digits",
                ))
            }
        };
        let end = checksum.end as usize + 1;
        if end < buf.len() {
            return Err(DecodeError::new(
                Kind::TrailingBytes,
                end,
                None,
                format!("{} bytes follow the CheckSum <10> field", buf.len() - end),
            ));
        }
        if self.options.verify_checksum {
            let actual = crate::checksum(&buf[..checksum.offset()]);
            if u32::from(actual) != stated {
                return Err(DecodeError::new(
                    Kind::BadCheckSum,
                    checksum.offset(),
                    Some(10),
                    format!("CheckSum <10> is {stated:03} but the bytes sum to {actual:03}"),
                ));
            }
        }
        Ok(())
    }

    /// The data field announced by a length field, as (data tag, value length).
    #[inline(always)]
    fn data_length(&self, field: Field) -> Result<Option<(u32, usize)>, DecodeError> {
        let Some(data_tag) = self.options.data_fields.data_tag_for(field.tag) else {
            return Ok(None);
        };
        let length =
            value::parse_u64(&self.buf[field.range()]).ok().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| {
                DecodeError::new(
                    Kind::BadDataLength,
                    field.offset(),
                    Some(field.tag),
                    "data length field is not a number",
                )
            })?;
        Ok(Some((data_tag, length)))
    }

    /// Reads the field starting at `pos`. `data` is the data field the previous field announced:
    /// if this field is it, its value is exactly that many bytes, SOH included.
    #[inline(always)]
    fn field_at(&self, pos: usize, data: Option<(u32, usize)>) -> Result<Field, DecodeError> {
        match self.scan_field(pos, data) {
            Some(field) => Ok(field),
            None => Err(self.field_error(pos, data)),
        }
    }

    /// The field at `pos`, or `None` when anything is wrong with it. The hot path: no error
    /// is built here, so the loop stays small.
    #[inline(always)]
    fn scan_field(&self, pos: usize, data: Option<(u32, usize)>) -> Option<Field> {
        let buf = self.buf;
        let (tag, equals) = scan_tag(buf, pos)?;
        let start = equals + 1;
        let end = match data {
            Some((data_tag, length)) if data_tag == tag => {
                let end = start.checked_add(length)?;
                if *buf.get(end)? != SOH {
                    return None;
                }
                end
            }
            _ => start + find_soh(buf.get(start..)?)?,
        };
        if end == start {
            return None;
        }
        // `run` checked that the whole buffer is addressable with u32.
        Some(Field { tag, start: start as u32, end: end as u32 })
    }

    /// What is wrong with the field at `pos`, found by reading it again with every check
    /// spelled out; only called when [`scan_field`](Self::scan_field) failed.
    #[cold]
    #[inline(never)]
    fn field_error(&self, pos: usize, data: Option<(u32, usize)>) -> DecodeError {
        match self.read_field_checked(pos, data) {
            Err(error) => error,
            // scan_field and read_field_checked accept the same fields; this is a bug if reached.
            Ok(field) => DecodeError::new(Kind::InvalidValue, pos, Some(field.tag), "field could not be read"),
        }
    }

    fn read_field_checked(&self, pos: usize, data: Option<(u32, usize)>) -> Result<Field, DecodeError> {
        let buf = self.buf;
        let Some(&first) = buf.get(pos) else {
            return Err(DecodeError::new(Kind::Truncated, pos, None, "input ends where a field should start"));
        };
        let mut tag = u32::from(first.wrapping_sub(b'0'));
        if !(1..=9).contains(&tag) {
            return Err(bad_tag_byte(pos, first));
        }
        let mut i = pos + 1;
        loop {
            let Some(&b) = buf.get(i) else {
                return Err(DecodeError::new(Kind::Truncated, i, None, "input ends inside a tag"));
            };
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                if b == b'=' {
                    break;
                }
                return Err(bad_tag_byte(pos, b));
            }
            // Wrapping is harmless: more than nine digits is an error below.
            tag = tag.wrapping_mul(10).wrapping_add(u32::from(digit));
            i += 1;
        }
        if i - pos > MAX_TAG_DIGITS {
            return Err(bad_tag(pos, "tag is too large"));
        }
        let start = i + 1;
        let end = match data {
            Some((data_tag, length)) if data_tag == tag => {
                let end = start.saturating_add(length);
                if buf.get(end) != Some(&SOH) {
                    return Err(DecodeError::new(
                        Kind::BadDataLength,
                        pos,
                        Some(tag),
                        format!("data field does not end after the {length} bytes its length field gives"),
                    ));
                }
                end
            }
            _ => match buf.get(start..).and_then(find_soh) {
                Some(n) => start + n,
                None => {
                    return Err(DecodeError::new(Kind::Truncated, buf.len(), Some(tag), "input ends inside a value"))
                }
            },
        };
        if end == start {
            return Err(DecodeError::new(Kind::EmptyValue, pos, Some(tag), "field has an empty value"));
        }
        // `run` checked that the whole buffer is addressable with u32.
        Ok(Field { tag, start: start as u32, end: end as u32 })
    }
}

#[cold]
fn bad_tag_byte(pos: usize, b: u8) -> DecodeError {
    match b {
        b'=' => bad_tag(pos, "field has no tag before '='"),
        b'0' => bad_tag(pos, "tag is zero or has a leading zero"),
        SOH => DecodeError::new(Kind::MissingEquals, pos, None, "field has no '=' after its tag"),
        _ => bad_tag(pos, "tag is not a positive integer"),
    }
}

#[cold]
fn bad_tag(offset: usize, reason: &str) -> DecodeError {
    DecodeError::new(Kind::TagNotInteger, offset, None, reason)
}

/// The error for BeginString, BodyLength, MsgType or CheckSum found inside the body.
#[cold]
fn misplaced(field: Field) -> DecodeError {
    if field.tag == 10 {
        DecodeError::new(
            Kind::CheckSumNotLast,
            field.offset(),
            Some(10),
            "CheckSum <10> appears before the end of the message",
        )
    } else {
        out_of_order(field, "a header field (8, 9 or 35) appears again in the body")
    }
}

#[cold]
fn out_of_order(field: Field, reason: &str) -> DecodeError {
    DecodeError::new(Kind::HeaderOutOfOrder, field.offset(), Some(field.tag), reason)
}

/// A parsed message: [`Fields`] that start with BeginString <8>, BodyLength <9> and MsgType <35>
/// and end with CheckSum <10>. Derefs to [`Fields`] for the value accessors.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    fields: Fields<'a>,
    /// The groups the parse of these fields checked (none for [`Message::from_fields`]).
    groups: &'a [CheckedGroup],
}

impl<'a> Message<'a> {
    /// A message over `fields` parsed earlier from `buf` (an index kept elsewhere, as the
    /// Python binding does). `None` unless they begin with 8, 9, 35 and end with 10 inside `buf`.
    pub fn from_fields(buf: &'a [u8], fields: &'a [Field]) -> Option<Self> {
        let header = fields.iter().take(3).map(|f| f.tag).eq([8, 9, 35]);
        let last = fields.last()?;
        (header && last.tag == 10 && last.end as usize <= buf.len())
            .then_some(Self { fields: Fields { buf, fields }, groups: &[] })
    }

    /// The whole message's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.fields.buf
    }

    /// All fields, header and trailer included.
    pub fn fields(&self) -> Fields<'a> {
        self.fields
    }

    /// BeginString <8> (empty for a view of an index that holds no message).
    pub fn begin_string(&self) -> &'a [u8] {
        self.fields.fields.first().map_or(&[], |f| &self.fields.buf[f.range()])
    }

    /// MsgType <35> (empty for a view of an index that holds no message).
    pub fn msg_type(&self) -> &'a [u8] {
        self.fields.fields.get(2).map_or(&[], |f| &self.fields.buf[f.range()])
    }

    /// MsgSeqNum <34>, when present.
    pub fn seq_num(&self) -> Result<Option<u64>, DecodeError> {
        self.fields.get_u64(34)
    }

    /// The groups the parse of these fields checked.
    pub(crate) fn checked_groups(&self) -> &'a [CheckedGroup] {
        self.groups
    }
}

impl<'a> std::ops::Deref for Message<'a> {
    type Target = Fields<'a>;

    fn deref(&self) -> &Fields<'a> {
        &self.fields
    }
}
