//! A mutable field map in QuickFIX's model: text values by tag, repeating groups as lists of
//! entries, written in QuickFIX's order.
//!
//! This is what `fixwire.quickfix`'s `Message`, `Header`, `Trailer` and `Group` hold. A map
//! keeps one value per tag (`set` replaces it); a parse without a data dictionary may add
//! repeats of a tag (`push`), kept after the first, in the order read. The order a map writes
//! its fields in is its [`Order`]:
//!
//! - a header starts BeginString <8>, BodyLength <9>, MsgType <35>, then the rest by tag;
//! - a body is by tag;
//! - a trailer ends SignatureLength <93>, Signature <89>, CheckSum <10>, the rest before them
//!   by tag;
//! - a group entry starts with its delimiter, then its declared order, then undeclared tags
//!   by tag.
//!
//! A group's count field is followed on the wire by its entries; [`FieldMap::add_group`] keeps
//! the count field's value equal to the number of entries. [`write_message`] writes a whole
//! message with BodyLength <9> and CheckSum <10> computed, and sets both in the maps, as
//! QuickFIX's `Message::toString` does.
//!
//! ```
//! use fixwire::fieldmap::{write_message, FieldMap, GroupLayout, Order};
//! use std::sync::Arc;
//!
//! let mut header = FieldMap::new(Order::Header);
//! header.set(35, "D").set(8, "FIX.4.4").set(49, "CLIENT");
//! let mut body = FieldMap::new(Order::Body);
//! body.set(11, "id-1");
//! let parties = Arc::new(GroupLayout::new(453, 448, &[448, 447, 452]));
//! let mut party = FieldMap::new(Order::Group(parties));
//! party.set(452, "3").set(448, "desk");
//! body.add_group(453, party);
//! let mut trailer = FieldMap::new(Order::Trailer);
//! let wire = write_message(&mut header, &body, &mut trailer);
//! assert_eq!(
//!     wire,
//!     b"8=FIX.4.4\x019=44\x0135=D\x0149=CLIENT\x0111=id-1\x01453=1\x01448=desk\x01452=3\x0110=187\x01"
//! );
//! assert_eq!(header.get(9), Some("44"));
//! ```

use std::sync::Arc;

use crate::checksum;

/// The order of a group entry's fields: its count tag, its delimiter and each declared tag's
/// rank.
#[derive(Debug, PartialEq, Eq)]
pub struct GroupLayout {
    count_tag: u32,
    delim: u32,
    /// `(tag, rank)` sorted by tag; the delimiter has rank 0.
    ranks: Vec<(u32, u32)>,
}

impl GroupLayout {
    /// The layout of group `count_tag` whose entries start with `delim` and follow `order`
    /// (the delimiter first whether `order` names it or not; a tag named twice keeps its first
    /// place).
    pub fn new(count_tag: u32, delim: u32, order: &[u32]) -> Self {
        let mut ranks: Vec<(u32, u32)> = Vec::with_capacity(order.len() + 1);
        for &tag in std::iter::once(&delim).chain(order) {
            if !ranks.iter().any(|&(t, _)| t == tag) {
                ranks.push((tag, ranks.len() as u32));
            }
        }
        ranks.sort_unstable();
        Self { count_tag, delim, ranks }
    }

    /// The count tag (NoPartyIDs <453> ...).
    pub fn count_tag(&self) -> u32 {
        self.count_tag
    }

    /// The tag that starts each entry.
    pub fn delim(&self) -> u32 {
        self.delim
    }

    fn rank(&self, tag: u32) -> u32 {
        match self.ranks.binary_search_by_key(&tag, |&(t, _)| t) {
            Ok(at) => self.ranks[at].1,
            Err(_) => self.ranks.len() as u32,
        }
    }
}

/// Which part of a message a map is, which decides the order of its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// The standard header: 8, 9, 35 first, then by tag.
    Header,
    /// A message body: by tag.
    Body,
    /// The standard trailer: by tag, then 93, 89 and 10 last.
    Trailer,
    /// One entry of a repeating group.
    Group(Arc<GroupLayout>),
}

impl Order {
    /// The sort key of `tag` in this order.
    fn key(&self, tag: u32) -> (u32, u32) {
        match self {
            Order::Header => match tag {
                8 => (0, 0),
                9 => (1, 0),
                35 => (2, 0),
                _ => (3, tag),
            },
            Order::Body => (0, tag),
            Order::Trailer => match tag {
                93 => (1, 0),
                89 => (2, 0),
                10 => (3, 0),
                _ => (0, tag),
            },
            Order::Group(layout) => (layout.rank(tag), tag),
        }
    }
}

/// Bytes a value keeps inline, in the field's own slot.
const INLINE: usize = 22;

/// A field's value. Most FIX values are short (a side, a quantity, an ID, a timestamp): those
/// are kept inline, so that setting, copying and dropping a field allocates nothing.
#[derive(Clone, PartialEq, Eq)]
enum Text {
    /// `len` bytes of `bytes`, a whole `&str`.
    Inline { len: u8, bytes: [u8; INLINE] },
    /// A longer value.
    Heap(Box<str>),
}

impl Text {
    fn new(value: &str) -> Self {
        if value.len() > INLINE {
            return Text::Heap(value.into());
        }
        let mut bytes = [0; INLINE];
        bytes[..value.len()].copy_from_slice(value.as_bytes());
        // At most INLINE (22) bytes: the length fits a u8.
        Text::Inline { len: value.len() as u8, bytes }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Text::Heap(text) => text.as_bytes(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // The bytes were copied whole from a `&str`, so this never falls back.
            Text::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Text::Heap(text) => text,
        }
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// Fields by tag in their written order, with repeating groups (QuickFIX's `FieldMap`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap {
    order: Order,
    /// `(tag, value)` in written order; repeats of a tag follow its first occurrence.
    fields: Vec<(u32, Text)>,
    /// The entries of each group, by count tag, in the order the groups were first added.
    groups: Vec<(u32, Vec<FieldMap>)>,
}

impl FieldMap {
    /// An empty map in `order`.
    pub fn new(order: Order) -> Self {
        Self { order, fields: Vec::new(), groups: Vec::new() }
    }

    /// The map's order.
    pub fn order(&self) -> &Order {
        &self.order
    }

    /// Index of the first field whose key is not below `tag`'s.
    fn lower(&self, tag: u32) -> usize {
        let key = self.order.key(tag);
        self.fields.partition_point(|&(t, _)| self.order.key(t) < key)
    }

    /// Sets `tag` to `value`: replaces its first occurrence, or adds it in its place.
    pub fn set(&mut self, tag: u32, value: &str) -> &mut Self {
        // Fields are mostly set in their written order: then the new one goes last.
        if self.fields.last().is_none_or(|&(last, _)| self.order.key(last) < self.order.key(tag)) {
            self.append(tag, value);
            return self;
        }
        let at = self.lower(tag);
        match self.fields.get_mut(at) {
            Some((t, old)) if *t == tag => *old = Text::new(value),
            _ => self.fields.insert(at, (tag, Text::new(value))),
        }
        self
    }

    /// Appends a field, with room for a message's usual few on the first.
    fn append(&mut self, tag: u32, value: &str) {
        if self.fields.capacity() == 0 {
            self.fields.reserve(8);
        }
        self.fields.push((tag, Text::new(value)));
    }

    /// Adds `value` as a further occurrence of `tag` (after those already there), or as its
    /// first: how a parse without a data dictionary keeps a repeated tag.
    pub fn push(&mut self, tag: u32, value: &str) -> &mut Self {
        let key = self.order.key(tag);
        if self.fields.last().is_none_or(|&(last, _)| self.order.key(last) <= key) {
            self.append(tag, value);
            return self;
        }
        let at = self.fields.partition_point(|&(t, _)| self.order.key(t) <= key);
        self.fields.insert(at, (tag, Text::new(value)));
        self
    }

    /// The value of the first occurrence of `tag`.
    pub fn get(&self, tag: u32) -> Option<&str> {
        match self.fields.get(self.lower(tag)) {
            Some((t, value)) if *t == tag => Some(value.as_str()),
            _ => None,
        }
    }

    /// Whether `tag` is set.
    pub fn contains(&self, tag: u32) -> bool {
        self.get(tag).is_some()
    }

    /// Removes every occurrence of `tag` (its group entries, if any, stay, unwritten, as in
    /// QuickFIX).
    pub fn remove(&mut self, tag: u32) {
        self.fields.retain(|&(t, _)| t != tag);
    }

    /// Every field in written order, repeats included, group entries not.
    pub fn fields(&self) -> impl Iterator<Item = (u32, &str)> {
        self.fields.iter().map(|(t, v)| (*t, v.as_str()))
    }

    /// Number of fields, repeats included, group entries' fields not.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Fields set, repeats and group entries' fields included.
    pub fn total_fields(&self) -> usize {
        self.fields.len() + self.groups.iter().flat_map(|(_, es)| es).map(FieldMap::total_fields).sum::<usize>()
    }

    /// Removes every field and group.
    pub fn clear(&mut self) {
        self.fields.clear();
        self.groups.clear();
    }

    /// Replaces this map's fields and groups with copies of `other`'s (the order stays).
    pub fn copy_from(&mut self, other: &FieldMap) {
        if self.order == other.order {
            self.fields.clone_from(&other.fields);
        } else {
            self.fields.clear();
            for (tag, value) in &other.fields {
                self.push(*tag, value.as_str());
            }
        }
        self.groups.clone_from(&other.groups);
    }

    fn entries_mut(&mut self, count_tag: u32) -> Option<&mut Vec<FieldMap>> {
        self.groups.iter_mut().find(|(t, _)| *t == count_tag).map(|(_, es)| es)
    }

    /// The entries of group `count_tag` (empty when it has none).
    pub fn entries(&self, count_tag: u32) -> &[FieldMap] {
        self.groups.iter().find(|(t, _)| *t == count_tag).map_or(&[], |(_, es)| es.as_slice())
    }

    fn set_count(&mut self, count_tag: u32, count: usize) {
        self.set(count_tag, itoa(count).as_str());
    }

    /// Appends `entry` to group `count_tag` and sets the count field to the number of entries.
    pub fn add_group(&mut self, count_tag: u32, entry: FieldMap) {
        let count = if let Some(entries) = self.entries_mut(count_tag) {
            entries.push(entry);
            entries.len()
        } else {
            self.groups.push((count_tag, vec![entry]));
            1
        };
        self.set_count(count_tag, count);
    }

    /// Adds an entry to group `count_tag` without touching the count field: how a parse
    /// files the entries it read after the count field it read.
    pub fn push_entry(&mut self, count_tag: u32, entry: FieldMap) {
        match self.entries_mut(count_tag) {
            Some(entries) => entries.push(entry),
            None => self.groups.push((count_tag, vec![entry])),
        }
    }

    /// Entry `num` (from 1) of group `count_tag`.
    pub fn entry(&self, count_tag: u32, num: usize) -> Option<&FieldMap> {
        num.checked_sub(1).and_then(|i| self.entries(count_tag).get(i))
    }

    /// Replaces entry `num` (from 1) of group `count_tag`; `false` when there is no such entry.
    pub fn replace_entry(&mut self, count_tag: u32, num: usize, entry: FieldMap) -> bool {
        match self.entries_mut(count_tag).and_then(|es| num.checked_sub(1).and_then(|i| es.get_mut(i))) {
            Some(slot) => {
                *slot = entry;
                true
            }
            None => false,
        }
    }

    /// Removes entry `num` (from 1) of group `count_tag` and updates the count field; the last
    /// entry takes the count field with it. Nothing happens when there is no such entry.
    pub fn remove_entry(&mut self, count_tag: u32, num: usize) {
        let Some(entries) = self.entries_mut(count_tag) else { return };
        if num == 0 || num > entries.len() {
            return;
        }
        entries.remove(num - 1);
        let left = entries.len();
        if left == 0 {
            self.remove_group(count_tag);
        } else {
            self.set_count(count_tag, left);
        }
    }

    /// Removes every entry of group `count_tag` and its count field.
    pub fn remove_group(&mut self, count_tag: u32) {
        self.groups.retain(|(t, _)| *t != count_tag);
        self.remove(count_tag);
    }

    /// Appends the map's fields to `out` as `tag=value` and SOH, each group's entries after
    /// its count field.
    pub fn write(&self, out: &mut Vec<u8>) {
        self.write_skipping(out, &[]);
    }

    fn write_skipping(&self, out: &mut Vec<u8>, skip: &[u32]) {
        for (tag, value) in &self.fields {
            if skip.contains(tag) {
                continue;
            }
            out.extend_from_slice(itoa(*tag as usize).as_bytes());
            out.push(b'=');
            out.extend_from_slice(value.as_bytes());
            out.push(crate::SOH);
            if !self.groups.is_empty() {
                for entry in self.entries(*tag) {
                    entry.write(out);
                }
            }
        }
    }
}

/// Which map of a message a field read from the wire goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The standard header.
    Header,
    /// The body.
    Body,
    /// The standard trailer: SignatureLength <93>, Signature <89>, CheckSum <10>.
    Trailer,
}

/// How a parsed message is filed into header, body and trailer maps: the header's tags and
/// the count tags that start a repeating group (both from QuickFIX's data dictionaries).
#[derive(Clone, Debug, Default)]
pub struct Filing {
    header: Vec<u32>,
    counts: Vec<u32>,
}

impl Filing {
    /// A filing with these header tags and count tags.
    pub fn new(header: impl IntoIterator<Item = u32>, counts: impl IntoIterator<Item = u32>) -> Self {
        let mut header: Vec<u32> = header.into_iter().collect();
        let mut counts: Vec<u32> = counts.into_iter().collect();
        header.sort_unstable();
        header.dedup();
        counts.sort_unstable();
        counts.dedup();
        Self { header, counts }
    }

    /// Where `tag` goes.
    pub fn part(&self, tag: u32) -> Part {
        if self.header.binary_search(&tag).is_ok() {
            Part::Header
        } else if matches!(tag, 93 | 89 | 10) {
            Part::Trailer
        } else {
            Part::Body
        }
    }

    /// Whether `tag` is a count tag, whose entries follow it.
    pub fn starts_group(&self, tag: u32) -> bool {
        self.counts.binary_search(&tag).is_ok()
    }

    /// The layout of an entry read from the wire: the count tag, the tag it starts with, and
    /// no declared order (the rest by tag), as QuickFIX reads a group.
    pub fn entry(count_tag: u32, delim: u32) -> FieldMap {
        FieldMap::new(Order::Group(Arc::new(GroupLayout::new(count_tag, delim, &[]))))
    }
}

/// `value` as QuickFIX writes a double: rounded to 15 significant digits, positional (no
/// exponent), no trailing zeros (`100.0` is `100`, `1e-7` is `0.0000001`, `-0.0` is `-0`).
/// `None` for NaN and the infinities, which QuickFIX cannot read back.
pub fn format_double(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    // The shortest text that reads back as `value`, positional. With at most 15 significant
    // digits it is also `value` rounded to 15 digits when `value` is normal: its spacing is
    // far below half a unit in the 15th digit (a subnormal's is not).
    if value == 0.0 || value.is_normal() {
        let shortest = format!("{value}");
        // Significant digits: from the first non-zero digit to the last.
        let (mut first, mut last) = (None, 0);
        for (at, digit) in shortest.bytes().filter(u8::is_ascii_digit).enumerate() {
            if digit != b'0' {
                first.get_or_insert(at);
                last = at;
            }
        }
        if first.map_or(0, |first| last + 1 - first) <= 15 {
            return Some(shortest);
        }
    }
    // 15 significant digits, correctly rounded, as `d.dddddddddddddde<exp>`.
    let scientific = format!("{value:.14e}");
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // The point goes after digit `exponent + 1` (before the first when that is not positive).
    let point = exponent + 1;
    let mut text = String::with_capacity(digits.len() + 24);
    if negative {
        text.push('-');
    }
    if point <= 0 {
        text.push_str("0.");
        text.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        text.push_str(&digits);
    } else {
        let point = point.unsigned_abs() as usize;
        if point >= digits.len() {
            text.push_str(&digits);
            text.extend(std::iter::repeat_n('0', point - digits.len()));
        } else {
            text.push_str(&digits[..point]);
            text.push('.');
            text.push_str(&digits[point..]);
        }
    }
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
    Some(text)
}

/// What a time field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeText {
    /// `YYYYMMDD-HH:MM:SS` (UTCTimestamp).
    Timestamp,
    /// `HH:MM:SS` (UTCTimeOnly).
    TimeOnly,
    /// `YYYYMMDD` (UTCDateOnly).
    Date,
}

/// The instant `unix_nanos` as a time field of `kind` writes it when made without a value, as
/// QuickFIX's do: UTC, to the second. `None` outside years 0-9999.
pub fn time_text(unix_nanos: i64, kind: TimeText) -> Option<String> {
    let stamp = crate::UtcTimestamp::from_unix_nanos(i128::from(unix_nanos), crate::TimePrecision::Seconds)?;
    let mut out = Vec::with_capacity(17);
    stamp.write_to(&mut out);
    let text = String::from_utf8(out).ok()?;
    Some(match kind {
        TimeText::Timestamp => text,
        TimeText::TimeOnly => text[9..].to_owned(),
        TimeText::Date => text[..8].to_owned(),
    })
}

/// A small number as decimal digits, without allocating.
struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this never falls back.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// CheckSum <10>'s three digits.
    fn three(sum: u8) -> Digits {
        let mut digits = Digits { buf: [0; 20], start: 17 };
        digits.buf[17..].copy_from_slice(&[b'0' + sum / 100, b'0' + sum / 10 % 10, b'0' + sum % 10]);
        digits
    }
}

fn itoa(mut n: usize) -> Digits {
    let mut digits = Digits { buf: [0; 20], start: 20 };
    loop {
        digits.start -= 1;
        digits.buf[digits.start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return digits;
        }
    }
}

/// The message `header`, `body` and `trailer` make, as QuickFIX's `Message::toString` writes
/// it: `8=` the header's BeginString <8> (empty when unset), BodyLength <9>, the header's
/// other fields, the body, the trailer's fields but CheckSum <10>, and CheckSum <10>. Sets
/// BodyLength <9> in `header` and CheckSum <10> in `trailer` to the values written.
pub fn write_message(header: &mut FieldMap, body: &FieldMap, trailer: &mut FieldMap) -> Vec<u8> {
    let mut rest = Vec::with_capacity(256);
    header.write_skipping(&mut rest, &[8, 9]);
    body.write(&mut rest);
    trailer.write_skipping(&mut rest, &[10]);
    let begin = header.get(8).unwrap_or("");
    let mut out = Vec::with_capacity(rest.len() + begin.len() + 24);
    out.extend_from_slice(b"8=");
    out.extend_from_slice(begin.as_bytes());
    out.extend_from_slice(b"\x019=");
    let length = itoa(rest.len());
    out.extend_from_slice(length.as_bytes());
    out.push(crate::SOH);
    out.extend_from_slice(&rest);
    let sum = checksum(&out);
    let total = Digits::three(sum);
    out.extend_from_slice(b"10=");
    out.extend_from_slice(total.as_bytes());
    out.push(crate::SOH);
    header.set(9, length.as_str());
    trailer.set(10, total.as_str());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(map: &FieldMap) -> String {
        let mut out = Vec::new();
        map.write(&mut out);
        String::from_utf8(out).unwrap().replace('\x01', "|")
    }

    #[test]
    fn each_order_writes_as_quickfix_does() {
        let mut header = FieldMap::new(Order::Header);
        for tag in [56, 35, 49, 9, 34, 8] {
            header.set(tag, "x");
        }
        assert_eq!(text(&header), "8=x|9=x|35=x|34=x|49=x|56=x|");
        let mut trailer = FieldMap::new(Order::Trailer);
        for tag in [10, 89, 93, 5000, 1] {
            trailer.set(tag, "x");
        }
        assert_eq!(text(&trailer), "1=x|5000=x|93=x|89=x|10=x|");
        let mut body = FieldMap::new(Order::Body);
        for tag in [55, 11, 38] {
            body.set(tag, "x");
        }
        assert_eq!(text(&body), "11=x|38=x|55=x|");
        let layout = Arc::new(GroupLayout::new(453, 448, &[452, 448, 447]));
        let mut entry = FieldMap::new(Order::Group(layout));
        for tag in [9999, 447, 452, 448, 5000] {
            entry.set(tag, "x");
        }
        assert_eq!(text(&entry), "448=x|452=x|447=x|5000=x|9999=x|");
    }

    #[test]
    fn set_replaces_and_push_repeats_in_order() {
        let mut body = FieldMap::new(Order::Body);
        body.set(58, "a").push(58, "b").push(58, "c").set(11, "id").set(58, "z");
        assert_eq!(text(&body), "11=id|58=z|58=b|58=c|");
        assert_eq!(body.get(58), Some("z"));
        assert_eq!((body.len(), body.total_fields()), (4, 4));
        body.remove(58);
        assert_eq!(text(&body), "11=id|");
        assert_eq!(body.get(58), None);
    }

    #[test]
    fn short_and_long_values_read_back_whole() {
        let long = "x".repeat(INLINE + 1);
        let mut body = FieldMap::new(Order::Body);
        body.set(58, "é…ü").set(11, &"a".repeat(INLINE)).set(355, &long).set(1, "");
        assert_eq!(body.get(58), Some("é…ü"));
        assert_eq!(body.get(11), Some("a".repeat(INLINE).as_str()));
        assert_eq!(body.get(355), Some(long.as_str()));
        assert_eq!(body.get(1), Some(""));
        body.set(355, "short").set(58, &long);
        assert_eq!(text(&body), format!("1=|11={}|58={long}|355=short|", "a".repeat(INLINE)));
        assert_eq!(format!("{:?}", body.fields[0].1), "\"\"");
    }

    #[test]
    fn groups_follow_their_count_field_and_keep_it_right() {
        let layout = Arc::new(GroupLayout::new(453, 448, &[448, 447, 452]));
        assert_eq!((layout.count_tag(), layout.delim()), (453, 448));
        let mut body = FieldMap::new(Order::Body);
        body.set(11, "id").set(500, "after");
        for name in ["a", "b", "c"] {
            let mut entry = FieldMap::new(Order::Group(Arc::clone(&layout)));
            entry.set(452, "3").set(448, name);
            body.add_group(453, entry);
        }
        assert_eq!(text(&body), "11=id|453=3|448=a|452=3|448=b|452=3|448=c|452=3|500=after|");
        assert_eq!(body.total_fields(), 3 + 6);
        assert_eq!(body.entry(453, 2).and_then(|e| e.get(448)), Some("b"));
        assert_eq!(body.entry(453, 0), None);
        assert_eq!(body.entry(453, 4), None);
        let mut other = FieldMap::new(Order::Group(Arc::clone(&layout)));
        other.set(448, "B");
        assert!(body.replace_entry(453, 2, other.clone()));
        assert!(!body.replace_entry(453, 9, other));
        body.remove_entry(453, 1);
        assert_eq!(text(&body), "11=id|453=2|448=B|448=c|452=3|500=after|");
        body.remove_entry(453, 7);
        body.remove_entry(453, 1);
        body.remove_entry(453, 1);
        assert_eq!(text(&body), "11=id|500=after|");
        assert!(body.entries(453).is_empty());
    }

    #[test]
    fn a_message_gets_body_length_and_checksum() {
        let mut header = FieldMap::new(Order::Header);
        header.set(8, "FIX.4.2").set(35, "0").set(9, "999");
        let body = FieldMap::new(Order::Body);
        let mut trailer = FieldMap::new(Order::Trailer);
        trailer.set(10, "000");
        let wire = write_message(&mut header, &body, &mut trailer);
        let sum = checksum(&wire[..wire.len() - 7]);
        assert_eq!(String::from_utf8_lossy(&wire), format!("8=FIX.4.2\x019=5\x0135=0\x0110={sum:03}\x01"));
        assert_eq!(header.get(9), Some("5"));
        assert_eq!(trailer.get(10), Some(format!("{sum:03}").as_str()));
        // Written again, the message is the same: BodyLength and CheckSum are not counted.
        assert_eq!(write_message(&mut header, &body, &mut trailer), wire);
    }

    #[test]
    fn doubles_are_written_as_quickfix_writes_them() {
        // The texts Python's reference (15 significant digits, positional, no trailing
        // zeros) gives for the same doubles.
        for (value, text) in [
            (0.55, "0.55"),
            (100.0, "100"),
            (10.0, "10"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1e-7, "0.0000001"),
            (1e20, "100000000000000000000"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333333333333"),
            (-2.0 / 3.0, "-0.666666666666667"),
            (123_456_789_012_345_680_000.0, "123456789012346000000"),
            (9_999_999_999_999_999.0, "10000000000000000"),
            (1.234_567_890_123_456_7e-5, "0.0000123456789012346"),
            (5e-324, "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000494065645841247"),
        ] {
            assert_eq!(format_double(value).as_deref(), Some(text), "{value:e}");
        }
        assert_eq!(format_double(f64::NAN), None);
        assert_eq!(format_double(f64::INFINITY), None);
    }

    #[test]
    fn a_time_field_made_now_is_to_the_second() {
        // 2026-01-02 03:04:05.678 UTC.
        let nanos = 1_767_323_045_678_000_000;
        assert_eq!(time_text(nanos, TimeText::Timestamp).as_deref(), Some("20260102-03:04:05"));
        assert_eq!(time_text(nanos, TimeText::TimeOnly).as_deref(), Some("03:04:05"));
        assert_eq!(time_text(nanos, TimeText::Date).as_deref(), Some("20260102"));
    }

    #[test]
    fn a_filing_sends_each_tag_to_its_part() {
        let filing = Filing::new([8, 9, 35, 49, 56, 34, 52, 35], [453, 78]);
        assert_eq!(filing.part(49), Part::Header);
        assert_eq!(filing.part(10), Part::Trailer);
        assert_eq!(filing.part(89), Part::Trailer);
        assert_eq!(filing.part(11), Part::Body);
        assert!(filing.starts_group(453) && !filing.starts_group(454));
        let mut entry = Filing::entry(453, 448);
        entry.push(452, "3").push(448, "a").push(447, "D");
        assert_eq!(text(&entry), "448=a|447=D|452=3|");
    }

    #[test]
    fn copies_are_deep_and_keep_their_own_order() {
        let layout = Arc::new(GroupLayout::new(78, 79, &[79, 80]));
        let mut source = FieldMap::new(Order::Group(Arc::clone(&layout)));
        source.set(80, "1").set(79, "acct");
        let mut copy = FieldMap::new(Order::Group(layout));
        copy.set(5, "gone");
        copy.copy_from(&source);
        source.set(79, "changed");
        assert_eq!(text(&copy), "79=acct|80=1|");
        copy.clear();
        assert!(copy.is_empty());
    }
}
