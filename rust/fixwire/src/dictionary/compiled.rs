//! Validation tables compiled when a dictionary is loaded, for the common case: a valid message.
//!
//! [`Dictionary::validate`](super::Dictionary::validate) must name the *first* reason a message
//! would be rejected for, in a fixed order of checks (required tags of every part before any
//! field's value, header before trailer before body). That order costs scans and lookups the
//! valid messages of a live session do not need. So validation runs in two steps: these tables
//! answer, in one pass over the fields without allocating, whether the message is certainly
//! valid; when they cannot say so (it is invalid, or a rule is met that they leave to the
//! reference check) the reference check runs and finds the first reason.
//!
//! The tables must therefore never accept a message the reference check rejects; they may send a
//! valid one to it. What they hold:
//! - by tag, a dense table: whether the tag belongs to the header or trailer, and its field
//!   checks (type, enumerated values) in the application and the transport dictionary;
//! - by MsgType, each part's layout (header, body, trailer, group entries) as a small hash table
//!   from tag to its bit, field check and group, the required tags as a bit mask, and each
//!   repeating group's spec and entry layout.
//!
//! A message whose layouts the tables cannot follow exactly as the reference check does (a tag
//! listed twice in one layout, a group's count tag that may also occur inside a sibling group's
//! entries, a header or trailer tag in the body's layout) is not compiled and always takes the
//! reference check; so is every message of a dictionary with a tag in both header and trailer.
//!
//! A session sees the same few shapes of each MsgType over and over (an ExecutionReport for a
//! new order, a fill, a cancel, ...). Everything the tables decide but the field checks follows
//! from a message's tags, in order, its groups' counts and the options; so each message type
//! remembers the first [`SHAPES`] shapes it accepted, and a message of a remembered shape needs
//! only one comparison of its tags and its fields' value checks. A message of another shape is
//! checked by the tables in full; the cache never holds more (each shape is a few bytes per
//! field), so a peer sending odd shapes costs speed, never correctness or unbounded memory.
//!
//! The test below holds the tables and the shapes to that promise on mutated messages.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Entry, FieldDef, FieldType, MessageDef, ValidationOptions};
use crate::decode::{Field, Fields, Message};
use crate::group::{scan_group, GroupSpec, GroupSpecs, Member};

/// Tags above this are not given a dense table entry; a dictionary defining one is not
/// compiled.
const MAX_DENSE_TAG: u32 = 1 << 17;

/// Layout bits kept on the stack while a run is checked; a larger layout uses the heap.
const STACK_WORDS: usize = 8;

/// Undefined tags of the user-defined range accepted in one run before the tables give up.
const MAX_USER_TAGS: usize = 8;

/// Shapes remembered per MsgType.
const SHAPES: usize = 16;

/// The tables of one dictionary (empty when it could not be compiled).
#[derive(Clone, Default)]
pub(super) struct Compiled {
    /// By tag: placement and field checks.
    tags: Vec<TagInfo>,
    /// Field checks, referred to by [`TagInfo`] (index + 1).
    checks: Vec<FieldCheck>,
    /// By MsgType.
    messages: FxHashMap<Box<[u8]>, CompiledMessage>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").field("messages", &self.messages.len()).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct TagInfo {
    /// Check of the application dictionary's definition; 0 when undefined.
    app: u16,
    /// Check of the transport dictionary's definition; 0 when undefined.
    transport: u16,
    /// [`HEADER`] and [`TRAILER`] bits.
    place: u8,
}

const HEADER: u8 = 1;
const TRAILER: u8 = 2;

/// A field's value checks.
#[derive(Debug, Clone)]
struct FieldCheck {
    field_type: FieldType,
    /// Whether any value of the type is allowed (no enumeration).
    any: bool,
    /// The enumerated values one byte long, as a bit per byte.
    single: [u64; 4],
    /// The longer enumerated values, sorted.
    multi: Box<[Box<[u8]>]>,
}

impl FieldCheck {
    fn new(def: &FieldDef) -> Self {
        let mut single = [0u64; 4];
        let mut multi: Vec<Box<[u8]>> = Vec::new();
        for value in &def.allowed {
            if let [b] = **value {
                single[usize::from(b / 64)] |= 1 << (b % 64);
            } else {
                multi.push(value.clone());
            }
        }
        multi.sort_unstable();
        Self { field_type: def.field_type.clone(), any: def.allowed.is_empty(), single, multi: multi.into() }
    }

    fn is_value(&self, v: &[u8]) -> bool {
        match v {
            [b] => self.single[usize::from(b / 64)] >> (b % 64) & 1 == 1,
            _ => self.multi.binary_search_by(|m| (**m).cmp(v)).is_ok(),
        }
    }

    /// Whether every value passes.
    fn accepts_all(&self) -> bool {
        self.any && matches!(self.field_type, FieldType::String | FieldType::Data | FieldType::MultipleValue)
    }

    /// The same answer as the reference check's format and enumeration tests.
    #[inline(always)]
    fn accepts(&self, v: &[u8]) -> bool {
        // The common types are tested here without building their values.
        let format = match self.field_type {
            FieldType::Int => is_int(v),
            FieldType::Decimal => is_decimal(v),
            FieldType::Char => matches!(v, [c] if c.is_ascii()),
            FieldType::UtcTimestamp => is_plain_timestamp(v) || self.field_type.accepts(v),
            FieldType::MultipleValue | FieldType::Data | FieldType::String => true,
            FieldType::Boolean | FieldType::Date | FieldType::TimeOnly => self.field_type.accepts(v),
        };
        if !format {
            return false;
        }
        if self.any {
            return true;
        }
        if self.field_type == FieldType::MultipleValue {
            v.split(|&b| b == b' ').all(|v| self.is_value(v))
        } else {
            self.is_value(v)
        }
    }
}

/// Whether `v` is a FIX float as [`crate::value::decimal_parts`] reads one (an optional `-`,
/// digits with at most one `.`, at least one digit), in one pass without a search for the dot.
fn is_decimal(v: &[u8]) -> bool {
    let unsigned = v.strip_prefix(b"-").unwrap_or(v);
    let mut dots = 0;
    let mut digits = 0;
    for &b in unsigned {
        if b.is_ascii_digit() {
            digits += 1;
        } else if b == b'.' {
            dots += 1;
        } else {
            return false;
        }
    }
    dots <= 1 && digits > 0
}

/// Whether `v` is a FIX int that fits an i64, as [`crate::value::parse_i64`] reads one; up to
/// 18 digits cannot overflow, so only longer ones need the full reader.
fn is_int(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"-").unwrap_or(v);
    if (1..=18).contains(&digits.len()) {
        digits.iter().all(u8::is_ascii_digit)
    } else {
        crate::value::parse_i64(v).is_ok()
    }
}

/// True for a UTCTimestamp in its usual form, `YYYYMMDD-HH:MM:SS` with no fraction or 3
/// digits, on a day every month has and not in a leap second; such a value certainly parses.
/// False says nothing: [`crate::value::UtcTimestamp::parse`] decides the rest.
fn is_plain_timestamp(v: &[u8]) -> bool {
    let (head, fraction) = match v.len() {
        17 => (v, &[][..]),
        21 if v[17] == b'.' => v.split_at(17),
        _ => return false,
    };
    let two = |i: usize| {
        let (tens, units) = (head[i].wrapping_sub(b'0'), head[i + 1].wrapping_sub(b'0'));
        (tens <= 9 && units <= 9).then_some(tens * 10 + units)
    };
    let [Some(_), Some(_), Some(month), Some(day), Some(hour), Some(minute), Some(second)] =
        [two(0), two(2), two(4), two(6), two(9), two(12), two(15)]
    else {
        return false;
    };
    head[8] == b'-'
        && head[11] == b':'
        && head[14] == b':'
        && (1..=12).contains(&month)
        && (1..=28).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 59
        && fraction.get(1..).unwrap_or_default().iter().all(u8::is_ascii_digit)
}

/// The tables of one MsgType.
#[derive(Debug, Clone)]
struct CompiledMessage {
    /// Every layout of the message; group entries refer to their layout by index.
    levels: Vec<Level>,
    header: usize,
    body: usize,
    trailer: usize,
    /// The body is checked with the transport dictionary's definitions.
    transport: bool,
    /// The tags that count a group in any layout of the message.
    count_tags: Box<[u32]>,
    /// The shapes of accepted messages, filled in order and never replaced.
    shapes: Box<[OnceLock<Shape>]>,
}

/// The shape of an accepted message: what the tables' answer depended on, but its values.
#[derive(Debug, Clone)]
struct Shape {
    /// The tags in order.
    tags: Box<[u32]>,
    /// By position: the field's check (index + 1), 0 when every value passes, or
    /// [`Shape::COUNT`].
    checks: Box<[u16]>,
    /// The values of the fields marked [`Shape::COUNT`], in order.
    counts: Box<[Box<[u8]>]>,
    /// The options the message was accepted with.
    options: ValidationOptions,
}

impl Shape {
    /// A group count, which must equal the accepted message's.
    const COUNT: u16 = u16::MAX;
}

/// One layout: a message part or a group's entries.
#[derive(Debug, Clone)]
struct Level {
    /// The layout's tags, open-addressed by a multiplicative hash of the tag (tag 0, never a
    /// FIX tag, marks a free slot); at most half full.
    slots: Box<[Slot]>,
    /// Right shift that takes a hash to a slot.
    shift: u32,
    /// By position: the group a count tag starts (its spec and its entries' level).
    groups: Box<[Option<Group>]>,
    /// Bits of the required tags.
    required: Box<[u64]>,
}

/// A repeating group of a layout: its spec and the level of its entries.
type Group = (Arc<GroupSpec>, usize);

/// A tag of a layout, with what checking it needs.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    tag: u32,
    /// The tag's bit in the masks, with [`Slot::GROUP`] set when it counts a group.
    bit: u16,
    /// Its field check in the definitions this layout is checked with (index + 1); 0 when
    /// undefined there.
    check: u16,
}

impl Slot {
    const GROUP: u16 = 0x8000;
}

impl Level {
    /// `tags` in bit order, with their checks, groups and required bits; `None` when there are
    /// too many for the slots.
    fn new(tags: &[u32], checks: &[u16], groups: Box<[Option<Group>]>, required: Box<[u64]>) -> Option<Self> {
        if tags.len() >= usize::from(Slot::GROUP) {
            return None;
        }
        let size = (tags.len() * 2).next_power_of_two().max(2);
        let shift = 32 - size.trailing_zeros();
        let mut slots = vec![Slot::default(); size];
        for (bit, &tag) in tags.iter().enumerate() {
            let mut h = Self::hash(tag, shift);
            while slots[h].tag != 0 {
                h = (h + 1) & (size - 1);
            }
            let group = if groups[bit].is_some() { Slot::GROUP } else { 0 };
            slots[h] = Slot { tag, bit: bit as u16 | group, check: checks[bit] };
        }
        Some(Self { slots: slots.into(), shift, groups, required })
    }

    #[inline]
    fn hash(tag: u32, shift: u32) -> usize {
        (tag.wrapping_mul(0x9E37_79B9) >> shift) as usize
    }

    /// The slot of `tag`, when the layout has it.
    #[inline]
    fn slot(&self, tag: u32) -> Option<Slot> {
        let mask = self.slots.len() - 1;
        let mut h = Self::hash(tag, self.shift);
        loop {
            let slot = self.slots[h];
            if slot.tag == tag {
                return Some(slot);
            }
            if slot.tag == 0 {
                return None;
            }
            h = (h + 1) & mask;
        }
    }
}

impl Compiled {
    /// Tables for a dictionary of `fields` (`transport_fields` for the header, trailer and
    /// admin messages), `messages`, `header` and `trailer` layouts, and its `groups`.
    pub(super) fn new(
        fields: &FxHashMap<u32, FieldDef>,
        transport_fields: &FxHashMap<u32, FieldDef>,
        messages: &HashMap<String, MessageDef>,
        [header, trailer]: [&[Entry]; 2],
        groups: &GroupSpecs,
    ) -> Self {
        let max_tag = fields.keys().chain(transport_fields.keys()).copied().max().unwrap_or(0);
        let field_count = fields.len() + transport_fields.len();
        // Check numbers are u16, with u16::MAX reserved for Shape::COUNT.
        if max_tag >= MAX_DENSE_TAG || field_count >= usize::from(u16::MAX) - 1 {
            return Self::default();
        }
        let mut tags = vec![TagInfo::default(); max_tag as usize + 1];
        let mut checks = Vec::with_capacity(field_count);
        for (tag, def) in fields {
            checks.push(FieldCheck::new(def));
            tags[*tag as usize].app = checks.len() as u16;
        }
        for (tag, def) in transport_fields {
            checks.push(FieldCheck::new(def));
            tags[*tag as usize].transport = checks.len() as u16;
        }
        for (layout, bit) in [(header, HEADER), (trailer, TRAILER)] {
            for entry in layout {
                // Layout tags are defined fields, so within the table.
                if let Some(info) = tags.get_mut(entry.tag() as usize) {
                    info.place |= bit;
                }
            }
        }
        // The parts' placement is checked implicitly (see `accepts`), which needs header and
        // trailer tags to be distinct.
        if tags.iter().any(|t| t.place == HEADER | TRAILER) {
            return Self { tags, checks, messages: FxHashMap::default() };
        }
        let messages = messages
            .values()
            .filter_map(|def| {
                let msg_type = def.msg_type.as_bytes();
                let top = |tag: u32| groups.lookup(msg_type, tag).cloned();
                let app = |tag: u32| tags.get(tag as usize).map_or(0, |t| t.app);
                let transport = |tag: u32| tags.get(tag as usize).map_or(0, |t| t.transport);
                let body_checks: &dyn Fn(u32) -> u16 = if def.transport { &transport } else { &app };
                let mut levels = Vec::new();
                let header = compile_level(header, &top, &transport, &mut levels)?;
                let first_body_level = levels.len();
                let body = compile_level(&def.layout, &top, body_checks, &mut levels)?;
                let placed = |slot: &Slot| tags.get(slot.tag as usize).is_some_and(|t| t.place != 0);
                if levels[first_body_level..].iter().any(|level| level.slots.iter().any(placed)) {
                    return None;
                }
                let trailer = compile_level(trailer, &top, &transport, &mut levels)?;
                let mut count_tags: Vec<u32> = levels
                    .iter()
                    .flat_map(|level| {
                        level.slots.iter().filter(|slot| slot.bit & Slot::GROUP != 0).map(|slot| slot.tag)
                    })
                    .collect();
                count_tags.sort_unstable();
                count_tags.dedup();
                let message = CompiledMessage {
                    levels,
                    header,
                    body,
                    trailer,
                    transport: def.transport,
                    count_tags: count_tags.into(),
                    shapes: (0..SHAPES).map(|_| OnceLock::new()).collect(),
                };
                Some((msg_type.into(), message))
            })
            .collect();
        Self { tags, checks, messages }
    }

    /// True when `msg` is certainly valid; false when it is not, or the tables cannot tell.
    pub(super) fn accepts(&self, msg: &Message<'_>, options: ValidationOptions) -> bool {
        let Some(message) = self.messages.get(msg.msg_type()) else { return false };
        let fields = msg.fields();
        for shape in message.shapes.iter().map_while(OnceLock::get) {
            if let Some(valid) = self.matches(shape, fields, options) {
                return valid;
            }
        }
        let Some(parts) = self.accepts_in_full(message, fields, options) else { return false };
        if let Some(free) = message.shapes.iter().find(|shape| shape.get().is_none()) {
            // Another thread may have filled the slot meanwhile; the shape is then dropped.
            let _ = free.set(self.shape(message, fields, parts, options));
        }
        true
    }

    /// Whether `fields` have `shape`'s tags and options, and then whether their values pass;
    /// `None` when the shape is another one.
    fn matches(&self, shape: &Shape, fields: Fields<'_>, options: ValidationOptions) -> Option<bool> {
        let all = fields.as_slice();
        if shape.options != options
            || all.len() != shape.tags.len()
            || all.iter().zip(shape.tags.iter()).any(|(f, &tag)| f.tag != tag)
        {
            return None;
        }
        let mut counts = shape.counts.iter();
        let valid = all.iter().zip(shape.checks.iter()).all(|(f, &check)| {
            let value = &fields.buf()[f.range()];
            match check {
                0 => true,
                Shape::COUNT => counts.next().is_some_and(|count| **count == *value),
                check => self.checks[usize::from(check - 1)].accepts(value),
            }
        });
        Some(valid)
    }

    /// The shape of `fields`, which the tables accepted with `options`; `parts` are where the
    /// body starts and where the trailer starts.
    fn shape(
        &self,
        message: &CompiledMessage,
        fields: Fields<'_>,
        parts: [usize; 2],
        options: ValidationOptions,
    ) -> Shape {
        let all = fields.as_slice();
        let mut counts = Vec::new();
        let checks = all
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if message.count_tags.binary_search(&f.tag).is_ok() {
                    counts.push(fields.buf()[f.range()].into());
                    return Shape::COUNT;
                }
                let info = self.tags.get(f.tag as usize).copied().unwrap_or_default();
                let in_body = (parts[0]..parts[1]).contains(&i);
                let check = if in_body && !message.transport { info.app } else { info.transport };
                // Fields every value passes need no check at all.
                match check.checked_sub(1) {
                    Some(index) if self.checks[usize::from(index)].accepts_all() => 0,
                    _ => check,
                }
            })
            .collect();
        Shape { tags: all.iter().map(|f| f.tag).collect(), checks, counts: counts.into(), options }
    }

    /// The full check by the tables; on success, where the body and the trailer start.
    fn accepts_in_full(
        &self,
        message: &CompiledMessage,
        fields: Fields<'_>,
        options: ValidationOptions,
    ) -> Option<[usize; 2]> {
        let all = fields.as_slice();
        // The parts split as the reference check splits them. Header fields come first and
        // trailer fields last when the body holds neither: no body layout has them (see `new`)
        // and a tag outside the layout fails.
        let place = |f: &Field| self.tags.get(f.tag as usize).map_or(0, |t| t.place);
        let header_end = all.iter().position(|f| place(f) & HEADER == 0).unwrap_or(all.len());
        let trailer_start = all.iter().rposition(|f| place(f) & TRAILER == 0).map_or(header_end, |i| i + 1);
        let trailer_start = trailer_start.max(header_end);
        let run = |range: Range<usize>| Fields::new(fields.buf(), &all[range]);
        let check = Check { tables: self, message, allow_user_defined: options.allow_user_defined };
        let valid = check.run(run(0..header_end), message.header, true)
            && check.run(run(trailer_start..all.len()), message.trailer, true)
            && check.run(run(header_end..trailer_start), message.body, message.transport);
        valid.then_some([header_end, trailer_start])
    }
}

/// Compiles `layout` (and its groups' entry layouts) into `levels`; returns its index, or
/// `None` when the tables could not follow it as the reference check does.
fn compile_level(
    layout: &[Entry],
    spec_of: &dyn Fn(u32) -> Option<Arc<GroupSpec>>,
    check_of: &dyn Fn(u32) -> u16,
    levels: &mut Vec<Level>,
) -> Option<usize> {
    let mut order: Vec<usize> = (0..layout.len()).collect();
    order.sort_unstable_by_key(|&i| layout[i].tag());
    let tags: Box<[u32]> = order.iter().map(|&i| layout[i].tag()).collect();
    // The reference check finds a tag's entry by a first (header, groups) or last (body) match.
    if tags.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    let mut required = vec![0u64; tags.len().div_ceil(64)];
    let mut groups = Vec::with_capacity(tags.len());
    // The reference check reads a group from the first occurrence of its count tag anywhere in
    // the part, entries included; a one-pass check reads it where it stands in the part. The two
    // agree when no group's entries can hold another group's count tag of the same layout.
    let mut inner = FxHashSet::default();
    let mut count_tags = Vec::new();
    for (bit, &i) in order.iter().enumerate() {
        let entry = &layout[i];
        if entry.required() {
            required[bit / 64] |= 1 << (bit % 64);
        }
        let group = match entry {
            Entry::Group { count_tag, layout: members, .. } => match spec_of(*count_tag) {
                Some(spec) => {
                    inner_tags(&spec, &mut inner);
                    count_tags.push(*count_tag);
                    let nested = |tag: u32| spec.nested(tag).cloned();
                    let level = compile_level(members, &nested, check_of, levels)?;
                    Some((spec, level))
                }
                None => None,
            },
            Entry::Field { .. } => None,
        };
        groups.push(group);
    }
    if count_tags.iter().any(|t| inner.contains(t)) {
        return None;
    }
    let checks: Vec<u16> = tags.iter().map(|&t| check_of(t)).collect();
    levels.push(Level::new(&tags, &checks, groups.into(), required.into())?);
    Some(levels.len() - 1)
}

/// Every tag an entry of `spec` may hold, nested groups' included.
fn inner_tags(spec: &GroupSpec, out: &mut FxHashSet<u32>) {
    for member in spec.members() {
        out.insert(member.tag());
        if let Member::Group(nested) = member {
            inner_tags(nested, out);
        }
    }
}

/// One message's check against its compiled tables.
struct Check<'t> {
    tables: &'t Compiled,
    message: &'t CompiledMessage,
    allow_user_defined: bool,
}

impl Check<'_> {
    /// Whether every field of `run` (a part, or a group entry) passes in layout `level`,
    /// checked with the transport's definitions or the application's, and every required tag
    /// of the layout is among them.
    fn run(&self, run: Fields<'_>, level: usize, transport: bool) -> bool {
        let level = &self.message.levels[level];
        let mut stack = [0u64; STACK_WORDS];
        let mut heap = Vec::new();
        let seen: &mut [u64] = if level.required.len() <= STACK_WORDS {
            &mut stack[..level.required.len()]
        } else {
            heap.resize(level.required.len(), 0);
            &mut heap
        };
        let mut user_tags = [0u32; MAX_USER_TAGS];
        let mut user_count = 0;
        let all = run.as_slice();
        let mut i = 0;
        while i < all.len() {
            let field = all[i];
            let tag = field.tag;
            let Some(slot) = level.slot(tag) else {
                // Not in the layout: only an undefined tag of the user-defined range passes.
                let info = self.tables.tags.get(tag as usize).copied().unwrap_or_default();
                let defined = if transport { info.transport } else { info.app } != 0;
                if defined
                    || info.place != 0
                    || !(self.allow_user_defined && tag >= 5000)
                    || user_tags[..user_count].contains(&tag)
                    || user_count == MAX_USER_TAGS
                {
                    return false;
                }
                user_tags[user_count] = tag;
                user_count += 1;
                i += 1;
                continue;
            };
            let bit = usize::from(slot.bit & !Slot::GROUP);
            if seen[bit / 64] >> (bit % 64) & 1 == 1 {
                return false;
            }
            seen[bit / 64] |= 1 << (bit % 64);
            let Some(check) = usize::from(slot.check).checked_sub(1) else {
                if !(self.allow_user_defined && tag >= 5000) {
                    return false;
                }
                i += 1;
                continue;
            };
            if !self.tables.checks[check].accepts(&run.buf()[field.range()]) {
                return false;
            }
            if slot.bit & Slot::GROUP == 0 {
                i += 1;
                continue;
            }
            let Some((spec, entries)) = &level.groups[bit] else { return false };
            let rest = Fields::new(run.buf(), &all[i..]);
            let mut ok = true;
            let on_entry = &mut |span: Range<usize>| {
                ok = ok && self.run(Fields::new(run.buf(), &rest.as_slice()[span]), *entries, transport);
            };
            match scan_group(rest, 0, spec, on_entry) {
                Ok(end) if ok => i += end,
                _ => return false,
            }
        }
        seen.iter().zip(level.required.iter()).all(|(seen, required)| seen & required == *required)
    }
}

#[cfg(test)]
mod tests;
