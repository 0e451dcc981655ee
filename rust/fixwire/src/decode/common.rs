//! The parse of the common message in one forward pass, for [`FieldIndex::parse`]: SOH bytes
//! found 64 at a time as bits of a mask ([`separators::block_mask`](crate::separators::block_mask), SSE2 on x86_64; the masks
//! of all blocks first, then the fields), each tag read from one 8-byte word (its `=` found and
//! its digits converted without a loop per byte).
//!
//! It accepts a message only when the checked parser would, with the same fields, and leaves
//! anything else to that parser (which names what is wrong): a tag of eight or nine digits, a
//! data field, a header or trailer tag in the body, more fields than the limit, bytes after the
//! trailer.
//! The `parse_paths` fuzz target holds the two to the same verdicts.
//!
//! [`FieldIndex::parse`]: super::FieldIndex::parse

use super::{Field, ParseOptions, TagSet, STANDARD_DATA_FIELDS};
use crate::separators::{block_mask, block_masks, BLOCK};
use crate::{swar, value, SOH};

/// `10=` then three digits and SOH: the trailer, read as the message's last eight bytes
/// (`<SOH>10=ddd<SOH>`), the digits masked out.
const TRAILER_WORD: u64 = u64::from_le_bytes([SOH, b'1', b'0', b'=', 0, 0, 0, SOH]);
const TRAILER_MASK: u64 = 0xFF00_0000_FFFF_FFFF;
/// Bytes of `10=ddd<SOH>`.
const TRAILER_LEN: usize = 7;

/// The SOH bytes of a message in order, from the masks of its 64-byte blocks.
struct Sohs<'a> {
    /// The masks of the blocks after the one in `mask`.
    rest: std::slice::Iter<'a, u64>,
    /// Where the block in `mask` starts.
    base: usize,
    /// Bit `i` set when the byte at `base + i` is an SOH not yet handed out.
    mask: u64,
}

impl<'a> Sohs<'a> {
    /// The SOH bytes of `buf`, its block masks computed into `masks` first: in a loop of their
    /// own, so that the loop over fields takes each from memory with no vector code of its own.
    fn new(buf: &[u8], masks: &'a mut Vec<u64>) -> Self {
        masks.resize(buf.len().div_ceil(BLOCK), 0);
        block_masks(buf, masks, SOH);
        if let ([mask], true) = (&mut masks[..], buf.len() < BLOCK) {
            *mask = Self::short(buf);
        }
        let mut rest = masks.iter();
        let mask = rest.next().copied().unwrap_or(0);
        Self { rest, base: 0, mask }
    }

    /// The mask of a message shorter than a block, from a padded copy.
    #[inline(never)]
    fn short(buf: &[u8]) -> u64 {
        let mut block = [0u8; BLOCK];
        block[..buf.len()].copy_from_slice(buf);
        block_mask(&block, SOH)
    }

    /// The next SOH.
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.mask = *self.rest.next()?;
            self.base += BLOCK;
        }
        let at = self.base + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// The field at `pos`, which follows the SOH `sohs` handed out last: a tag of one to seven
/// digits without a leading zero, `=`, a non-empty value up to the next SOH. `None` for anything
/// else (which may still be a field the checked parser reads, such as a tag of eight digits).
#[inline(always)]
fn field_at(buf: &[u8], sohs: &mut Sohs<'_>, pos: usize) -> Option<Field> {
    let word = swar::load(buf, pos)?;
    let digits = swar::digit_run(word);
    // No digit, or eight of them (a tag too long for this path); the byte after them must be
    // `=`, the first one not `0`.
    if digits == 0 || digits == 8 || (word >> (8 * digits)) as u8 != b'=' || word as u8 == b'0' {
        return None;
    }
    // Seven digits at most: the tag fits a u32.
    let tag = swar::digits_unchecked(word, digits) as u32;
    let start = pos + digits + 1;
    // The digits and `=` hold no SOH, so the next one ends this value.
    let end = sohs.next()?;
    if end == start {
        return None;
    }
    // The caller checked that the message is addressable with u32.
    Some(Field { tag, start: start as u32, end: end as u32 })
}

/// Reads the body fields from `pos` into `free`, up to the trailer: `body` is the message up to
/// the trailer's SOH, so that a field starts before the trailer exactly when its first eight
/// bytes are in `body` (the trailer's seven follow the field's first). Such a field ends at
/// the latest at the SOH before the trailer: its tag digits and `=` hold no SOH, so the next
/// SOH ends its value. A tag has one to seven digits, the first 1-9 (no leading zero), then
/// `=`; eight digits leave no byte that is not a digit within the word, so their shift is 0
/// and the byte there, the first digit, is not `=`.
///
/// `None` for any other tag, an empty value, a tag in `stops` (a header or trailer tag in the
/// body, a data length field, and 0, which is what a field without a tag reads as) or one
/// field more than `free` holds: the checked parser's to judge. Returns how many of `free` it
/// left, so that no register holds their count. Positions are u32 (the caller checked that the
/// message is addressable so), and the function is out of line: its state stays in registers,
/// its arguments too (the walk's state comes as one, by reference).
///
/// `BOUNDED` says that `free` has more slots than a third of the bytes from `pos` to the end of
/// `body`, which [`walk`] checks: then no field can find the slots used up, and the loop does
/// not ask (a compare and a branch a field fewer).
#[inline(always)]
fn body_fields<const BOUNDED: bool>(
    body: &[u8],
    (mut sohs, stops, mut pos): (Sohs<'_>, Stops<impl Fn(u32) -> bool, impl Fn(u32) -> bool>, u32),
    free: &mut [Field],
) -> Option<usize> {
    debug_assert!(!BOUNDED || free.len() > (body.len() - pos as usize) / 3);
    let mut out = free.iter_mut();
    while let Some(word) = swar::load(body, pos as usize) {
        // Tags of up to four digits, the common ones, from the word's low half: constants that
        // fit an instruction, so the loop keeps its state in registers. Longer ones from all of it.
        // Each path asks its own stops: below 10,000 the standard ones are one load, no bound.
        let (tag, width) = match swar::short_tag(word) {
            Some((tag, width)) if !(stops.short)(tag) => (tag, width),
            Some(_) => return None,
            None => match long_tag(word) {
                0 => return None,
                long if (stops.long)(long as u32) => return None,
                long => (long as u32, (long >> 32) as u32),
            },
        };
        let start = pos + width + 1;
        let end = sohs.next()? as u32;
        // `end` is never before `start` (the tag and `=` hold no SOH): this is the check for an
        // empty value, written so that each field ends at least a byte after `start`.
        if end <= start {
            return None;
        }
        let slot = if BOUNDED {
            // SAFETY: `free` has more slots than the fields that start here. Each field this loop
            // writes starts at a `pos` with `pos + 8 <= body.len()` (its word was loaded), the
            // first at the `pos` the caller gave, and each next one at least three bytes after
            // the one before (`start >= pos + 1`, `end > start` checked above, the next `pos` is
            // `end + 1`); so the k-th field (from 0) starts at or after `pos + 3k`, and k is at
            // most `(body.len() - 8 - pos) / 3`, below `free.len()` (the caller's check,
            // asserted above).
            #[allow(unsafe_code)]
            unsafe {
                out.next().unwrap_unchecked()
            }
        } else {
            out.next()?
        };
        *slot = Field { tag, start, end };
        pos = end + 1;
    }
    Some(out.len())
}

/// Whether a tag stops [`body_fields`]: `short` for the tags of one to four digits (and 0),
/// `long` for those of five to seven.
struct Stops<S, L> {
    short: S,
    long: L,
}

/// [`body_fields`] with the standard data fields: whether a tag of up to four digits stops the
/// walk is one byte of a static table, indexed without a bound check (the table has a byte for
/// every such tag, and the mask changes none of them); no tag of five digits or more is a stop.
#[inline(never)]
fn standard_body_fields(body: &[u8], (sohs, pos): (Sohs<'_>, u32), free: &mut [Field]) -> Option<usize> {
    let short = |tag: u32| STANDARD_STOPS[(tag & SHORT_TAG_MASK) as usize];
    walk(body, (sohs, Stops { short, long: |_| false }, pos), free)
}

/// [`body_fields`], told it is `BOUNDED` when `free` is long enough: [`FieldIndex::parse`]
/// gives a third of the message's length in slots, so it is unless the limit on fields is
/// lower: with the default 8,192 fields, for messages of about 24 KiB and more after MsgType.
///
/// [`FieldIndex::parse`]: super::FieldIndex::parse
#[inline(always)]
fn walk(
    body: &[u8],
    walk: (Sohs<'_>, Stops<impl Fn(u32) -> bool, impl Fn(u32) -> bool>, u32),
    free: &mut [Field],
) -> Option<usize> {
    let from = walk.2 as usize;
    if free.len() > body.len().checked_sub(from)? / 3 {
        body_fields::<true>(body, walk, free)
    } else {
        body_fields::<false>(body, walk, free)
    }
}

/// [`standard_body_fields`] compiled for BMI1 and BMI2 (x86-64 CPUs since 2013 have them):
/// a bit cleared, a bit scanned and a shift by a register each one instruction, where the
/// baseline build takes two. Chosen at run time by [`standard_walk`].
///
/// # Safety
/// The CPU must have BMI1 and BMI2.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "bmi1,bmi2")]
#[inline(never)]
unsafe fn bmi_standard_body_fields(body: &[u8], (sohs, pos): (Sohs<'_>, u32), free: &mut [Field]) -> Option<usize> {
    let short = |tag: u32| STANDARD_STOPS[(tag & SHORT_TAG_MASK) as usize];
    walk(body, (sohs, Stops { short, long: |_| false }, pos), free)
}

/// [`standard_body_fields`], with BMI1 and BMI2 when the CPU has them (detected at run time,
/// so a build for baseline x86-64 gets them; the check is a load of a cached word).
#[inline(always)]
fn standard_walk(body: &[u8], walk: (Sohs<'_>, u32), free: &mut [Field]) -> Option<usize> {
    #[cfg(any(test, feature = "dispatch-paths"))]
    if let Some(path) = FORCED_WALK.get() {
        WALKED.set(true);
        match path {
            WalkPath::Baseline => return standard_body_fields(body, walk, free),
            // SAFETY: `WalkPath::parse` asks for this path only when the CPU has BMI1 and BMI2.
            #[cfg(target_arch = "x86_64")]
            #[allow(unsafe_code)]
            WalkPath::Bmi => return unsafe { bmi_standard_body_fields(body, walk, free) },
            _ => {}
        }
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("bmi1") && std::is_x86_feature_detected!("bmi2") {
        // SAFETY: the CPU has BMI1 and BMI2, checked just now: the one promise the function needs.
        #[allow(unsafe_code)]
        return unsafe { bmi_standard_body_fields(body, walk, free) };
    }
    standard_body_fields(body, walk, free)
}

/// [`body_fields`] with other data fields.
#[inline(never)]
fn other_body_fields(body: &[u8], (sohs, stops, pos): (Sohs<'_>, &TagSet, u32), free: &mut [Field]) -> Option<usize> {
    let may = |tag| stops.may_contain(tag);
    walk(body, (sohs, Stops { short: may, long: may }, pos), free)
}

/// The mask that keeps every tag of up to four digits (below 10,000) as it is: the index of
/// [`STANDARD_STOPS`] for such a tag. 16 bits, which the compiler sees [`swar::short_tag`]'s
/// tags fit (its last step is a shift of a u32 by 16), so the mask costs nothing.
const SHORT_TAG_MASK: u32 = 0xFFFF;

/// The stops ([`DataFields::stops`](super::DataFields)) of the standard data fields, a byte a
/// tag below 65,536 (every tag of up to four digits; the largest stop, SecurityXMLLen <1184>,
/// has four).
pub(super) static STANDARD_STOPS: [bool; STANDARD_STOPS_LEN] = {
    let set = TagSet::stops(STANDARD_DATA_FIELDS);
    let mut table = [false; STANDARD_STOPS_LEN];
    let mut tag = 0;
    while tag < STANDARD_STOPS_LEN {
        table[tag] = set.may_contain(tag as u32);
        tag += 1;
    }
    table
};

/// Bytes of [`STANDARD_STOPS`]: one for every index [`SHORT_TAG_MASK`] leaves.
const STANDARD_STOPS_LEN: usize = SHORT_TAG_MASK as usize + 1;

// Every standard stop has at most four digits, so the tags of five digits or more, which the
// standard walk never stops at, hold none of them.
const _: () = {
    let mut i = 0;
    while i < STANDARD_DATA_FIELDS.len() {
        assert!(STANDARD_DATA_FIELDS[i].0 < 10_000);
        i += 1;
    }
};

/// A tag of one to seven digits (no leading zero) and `=` at the start of `word`, with its
/// digit count in the high half; 0 for anything else (a tag is not 0). For the tags
/// [`swar::short_tag`] leaves (five digits or more), out of line, its answer in one register
/// (an `Option` of the pair came back through memory).
#[inline(never)]
fn long_tag(word: u64) -> u64 {
    let shift = swar::digit_run_bits(word);
    if (word as u8).wrapping_sub(b'1') > 8 || (word >> shift) as u8 != b'=' {
        return 0;
    }
    u64::from(swar::digits_below(word, shift)) | u64::from(shift / 8) << 32
}

/// `8=FIXT.1.1<SOH>9=` from its sixth byte on: with the first eight, the whole of it.
const FIXT_TAIL: u64 = u64::from_le_bytes(*b"T.1.1\x019=");

/// BeginString <8> and BodyLength <9> of the usual header, `8=FIXT.1.1<SOH>9=` and up to seven
/// digits, read as words, and the body length; `None` for any other header.
#[inline(always)]
fn usual_header(buf: &[u8], sohs: &mut Sohs<'_>) -> Option<(Field, Field, usize)> {
    if swar::load(buf, 0)? != u64::from_le_bytes(*b"8=FIXT.1") || swar::load(buf, 5)? != FIXT_TAIL {
        return None;
    }
    let word = swar::load(buf, 13)?;
    let digits = swar::digit_run(word);
    if digits == 0 || digits == 8 || (word >> (8 * digits)) as u8 != SOH {
        return None;
    }
    // The SOH after `FIXT.1.1` and the one after the digits.
    let (first, second) = (sohs.next()?, sohs.next()?);
    debug_assert_eq!((first, second), (10, 13 + digits));
    let begin = Field { tag: 8, start: 2, end: 10 };
    let length = Field { tag: 9, start: 13, end: 13 + digits as u32 };
    Some((begin, length, swar::digits_below(word, 8 * digits as u32) as usize))
}

/// The value of BodyLength <9>: up to seven digits from one word, more digit by digit.
#[inline(always)]
fn body_length(buf: &[u8], length: Field) -> Option<usize> {
    let digits = length.range().len();
    match swar::load(buf, length.start as usize) {
        Some(word) if digits < 8 => {
            (swar::digit_run(word) >= digits).then(|| swar::digits_unchecked(word, digits) as usize)
        }
        _ => usize::try_from(value::parse_u64(&buf[length.range()]).ok()?).ok(),
    }
}

/// Parses `buf` into `slots` when it is a common message, and returns how many fields it has
/// (at most `slots.len()`, which must be at least `buf.len() / 4` or the limit on fields and
/// the trailer, whichever is fewer, and is best at least `buf.len() / 3 + 5`: see [`walk`]);
/// `None` leaves the verdict to the checked parser, `slots` in any state.
#[inline(never)]
pub(super) fn parse(buf: &[u8], options: &ParseOptions, slots: &mut [Field], masks: &mut Vec<u64>) -> Option<usize> {
    u32::try_from(buf.len()).ok()?;
    let mut sohs = Sohs::new(buf, masks);
    let (begin, length, body_length) = if let Some(header) = usual_header(buf, &mut sohs) {
        header
    } else {
        let begin = field_at(buf, &mut sohs, 0).filter(|f| f.tag == 8)?;
        let length = field_at(buf, &mut sohs, begin.end as usize + 1).filter(|f| f.tag == 9)?;
        (begin, length, body_length(buf, length)?)
    };
    let body_start = length.end as usize + 1;
    let trailer = body_start.checked_add(body_length)?;
    // The trailer ends the message exactly; it is not the body's first byte.
    if trailer <= body_start || trailer.checked_add(TRAILER_LEN) != Some(buf.len()) {
        return None;
    }
    let last = swar::load(buf, trailer - 1).filter(|w| w & TRAILER_MASK == TRAILER_WORD)?;
    let stated = swar::digits(last >> 32, 3)?;
    if options.verify_checksum && u64::from(crate::checksum(&buf[..trailer])) != stated {
        return None;
    }

    let msg_type = match swar::load(buf, body_start) {
        // `35=`, then the value up to the next SOH.
        Some(word) if word & 0xFF_FFFF == u64::from_le_bytes(*b"35=\0\0\0\0\0") => {
            let start = body_start + 3;
            let end = sohs.next().filter(|&end| end > start)?;
            Field { tag: 35, start: start as u32, end: end as u32 }
        }
        _ => field_at(buf, &mut sohs, body_start).filter(|f| f.tag == 35)?,
    };
    let pos = msg_type.end as usize + 1;
    if pos > trailer {
        return None;
    }
    let [first, second, third, ..] = slots else { return None };
    (*first, *second, *third) = (begin, length, msg_type);
    // Body fields may fill the slots up to the limit on fields; the trailer's slot comes after.
    let limit = options.max_fields.min(slots.len() - 1).max(3);
    // Checked above: the message is addressable with u32.
    let body = buf.get(..trailer + TRAILER_LEN)?;
    let free = slots.get_mut(3..limit)?;
    let room = free.len();
    let left = if options.data_fields.standard {
        standard_walk(body, (sohs, pos as u32), free)?
    } else {
        other_body_fields(body, (sohs, &options.data_fields.stops, pos as u32), free)?
    };
    let count = 3 + room - left;
    // `10=` at `trailer`, three digits and SOH, checked above.
    let start = trailer as u32 + 3;
    *slots.get_mut(count)? = Field { tag: 10, start, end: start + 3 };
    Some(count + 1)
}

/// A way the parse can walk a body with the standard data fields, for the tests and the
/// `parse_paths` fuzz target, which hold each to the baseline; not part of the API.
#[cfg(any(test, feature = "dispatch-paths"))]
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WalkPath {
    /// [`standard_walk`], as this CPU dispatches it.
    Dispatched,
    /// Compiled for BMI1 and BMI2 (x86_64 with both).
    Bmi,
    /// Compiled for the target's baseline.
    Baseline,
}

#[cfg(any(test, feature = "dispatch-paths"))]
thread_local! {
    /// The walk [`WalkPath::parse`] asks [`standard_walk`] for; `None` (the parse's own) outside it.
    static FORCED_WALK: std::cell::Cell<Option<WalkPath>> = const { std::cell::Cell::new(None) };
    /// Whether [`standard_walk`] ran since [`WalkPath::parse`] cleared it.
    static WALKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(any(test, feature = "dispatch-paths"))]
impl WalkPath {
    /// Every path.
    pub const ALL: [Self; 3] = [Self::Dispatched, Self::Bmi, Self::Baseline];

    /// The parse of the common message in `buf` into `slots` with this path as its walk, as
    /// [`FieldIndex::parse`](super::FieldIndex::parse) makes it (`slots` must hold at least a
    /// quarter of `buf.len()`): the number of fields, `None` for the checked parser to judge,
    /// and whether the walk ran. `None` where the CPU lacks the path's instructions.
    pub fn parse(
        self,
        buf: &[u8],
        options: &ParseOptions,
        slots: &mut [Field],
        masks: &mut Vec<u64>,
    ) -> Option<(Option<usize>, bool)> {
        #[cfg(target_arch = "x86_64")]
        let bmi = std::is_x86_feature_detected!("bmi1") && std::is_x86_feature_detected!("bmi2");
        #[cfg(not(target_arch = "x86_64"))]
        let bmi = false;
        if self == Self::Bmi && !bmi {
            return None;
        }
        FORCED_WALK.set(Some(self));
        WALKED.set(false);
        let count = parse(buf, options, slots, masks);
        FORCED_WALK.set(None);
        Some((count, WALKED.get()))
    }
}
