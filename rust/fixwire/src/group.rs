//! Repeating groups: a NumInGroup count field followed by that many entries.
//!
//! A [`GroupSpec`] names the count tag and the member tags in order; an entry starts at the
//! delimiter, normally the first member. Kalshi's `QuoteRequest <R>` is the exception the design
//! allows for: its NoRelatedSym <146> entries start with Symbol <55>, OrderQty <38> or
//! CashOrderQty <152>, whichever the message uses, so a spec may list several delimiters and the
//! first one seen in a message is used for all of that group's entries.
//!
//! Specs are plain data so that a dictionary can generate them; [`GroupSpecs::kalshi`] gives
//! the groups of the bundled Kalshi dictionary.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashSet;

use crate::decode::{Field, Fields};
use crate::error::{DecodeError, DecodeErrorKind as Kind};
use crate::value;

/// A member of a repeating group: a plain field or a nested group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A field, by tag.
    Field(u32),
    /// A nested repeating group.
    Group(Arc<GroupSpec>),
}

impl Member {
    /// The member's tag: the field's, or the nested group's count tag.
    pub fn tag(&self) -> u32 {
        match self {
            Self::Field(tag) => *tag,
            Self::Group(spec) => spec.count_tag,
        }
    }
}

impl From<u32> for Member {
    fn from(tag: u32) -> Self {
        Self::Field(tag)
    }
}

impl From<GroupSpec> for Member {
    fn from(spec: GroupSpec) -> Self {
        Self::Group(Arc::new(spec))
    }
}

/// The layout of one repeating group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    count_tag: u32,
    members: Vec<Member>,
    /// The members' tags in order: what each field of an entry is looked up in.
    tags: Vec<u32>,
    delimiters: Vec<u32>,
    /// 1 for a group without nested groups.
    depth: usize,
}

/// How deeply groups may nest. FIX 5.0 SP2 nests four levels at most; the limit keeps
/// recursion over specs (reading, dropping) bounded.
pub const MAX_GROUP_DEPTH: usize = 16;

impl GroupSpec {
    /// A group counted by `count_tag` whose entries hold `members` in order; the first member
    /// is the delimiter. Members must be distinct non-zero tags, and there must be at least one.
    pub fn new(count_tag: u32, members: impl IntoIterator<Item = Member>) -> Result<Self, InvalidGroupSpec> {
        let members: Vec<Member> = members.into_iter().collect();
        let Some(first) = members.first() else {
            return Err(InvalidGroupSpec(format!("group {count_tag} needs at least one member")));
        };
        if count_tag == 0 || members.iter().any(|m| m.tag() == 0) {
            return Err(InvalidGroupSpec(format!("group {count_tag} has tag 0, which is not a FIX tag")));
        }
        // A set, not a scan of the earlier members: dictionaries flatten components into groups
        // of hundreds of members (FIX50SP2.xml), and the scan made loading them quadratic.
        let mut seen = FxHashSet::default();
        if let Some(m) = members.iter().find(|m| !seen.insert(m.tag())) {
            return Err(InvalidGroupSpec(format!("group {count_tag} lists member {} twice", m.tag())));
        }
        let depth = 1 + members
            .iter()
            .map(|m| match m {
                Member::Group(nested) => nested.depth,
                Member::Field(_) => 0,
            })
            .max()
            .unwrap_or(0);
        if depth > MAX_GROUP_DEPTH {
            return Err(InvalidGroupSpec(format!(
                "group {count_tag} nests groups {depth} deep, more than {MAX_GROUP_DEPTH}"
            )));
        }
        let delimiters = vec![first.tag()];
        let tags = members.iter().map(Member::tag).collect();
        Ok(Self { count_tag, members, tags, delimiters, depth })
    }

    /// The same group, where an entry may start with any of `delimiters` (all members); the
    /// first one seen in a message delimits every entry of that group.
    pub fn with_delimiters(mut self, delimiters: &[u32]) -> Result<Self, InvalidGroupSpec> {
        if delimiters.is_empty() {
            return Err(InvalidGroupSpec(format!("group {} needs at least one delimiter", self.count_tag)));
        }
        if let Some(d) = delimiters.iter().find(|d| self.position(**d).is_none()) {
            return Err(InvalidGroupSpec(format!("delimiter {d} is not a member of group {}", self.count_tag)));
        }
        self.delimiters = delimiters.to_vec();
        Ok(self)
    }

    /// The NumInGroup tag.
    pub fn count_tag(&self) -> u32 {
        self.count_tag
    }

    /// The members in order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The tags that may start an entry.
    pub fn delimiters(&self) -> &[u32] {
        &self.delimiters
    }

    /// The nested group counted by `count_tag`, if this group has one.
    pub fn nested(&self, count_tag: u32) -> Option<&Arc<GroupSpec>> {
        self.members.iter().find_map(|m| match m {
            Member::Group(spec) if spec.count_tag == count_tag => Some(spec),
            _ => None,
        })
    }

    #[inline]
    fn position(&self, tag: u32) -> Option<usize> {
        self.tags.iter().position(|&t| t == tag)
    }

    /// Whether `other` reads every message as this spec does: `==` without comparing the
    /// members of a group without nested groups twice (its tags say the same).
    #[inline]
    fn same_layout(&self, other: &Self) -> bool {
        self.count_tag == other.count_tag
            && self.depth == other.depth
            && same_tags(&self.tags, &other.tags)
            && same_tags(&self.delimiters, &other.delimiters)
            && (self.depth == 1 || self.members == other.members)
    }

    /// [`position`](Self::position) of a field that follows the member at `last`: the next
    /// member is the usual answer, tried first (members are distinct, so it is the answer
    /// whenever it matches).
    #[inline(always)]
    fn position_after(&self, last: usize, tag: u32) -> Option<usize> {
        match self.tags.get(last + 1) {
            Some(&next) if next == tag => Some(last + 1),
            _ => self.position(tag),
        }
    }
}

/// A group spec that cannot describe a group: no members, a repeated member, a delimiter
/// that is not a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidGroupSpec(pub String);

impl std::fmt::Display for InvalidGroupSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidGroupSpec {}

/// A set of group specs, each for every message type or for listed ones (the same count tag
/// can mean different layouts, as NoMDEntries <268> does in W and X).
#[derive(Debug, Clone)]
pub struct GroupSpecs {
    /// The count tags in ascending order, each with its specs for listed message types (`Some`)
    /// and for every type (`None`).
    counts: Vec<(u32, Vec<ScopedSpec>)>,
    /// A byte per tag below [`GroupSpecs::TABLE_END`]: 0 for no count tag, else one more than its
    /// position in `counts` (255 from the 255th count tag on, whose position is searched), so
    /// that the usual answer (not a count tag) is one load and a count tag's specs are found
    /// without hashing; the range of the count tags above.
    low: Box<[u8; GroupSpecs::TABLE_END as usize]>,
    high_min: u32,
    high_max: u32,
    /// The smallest count tag: the fields of a message's header (BeginString <8>, MsgType <35>,
    /// SenderCompID <49>, ...) are below it and rejected with one compare.
    min: u32,
}

/// A spec and the message types it applies to (`None`: every type).
type ScopedSpec = (Option<Vec<u8>>, Arc<GroupSpec>);

impl Default for GroupSpecs {
    fn default() -> Self {
        let low = Box::new([0; Self::TABLE_END as usize]);
        Self { counts: Vec::new(), low, high_min: u32::MAX, high_max: 0, min: u32::MAX }
    }
}

impl GroupSpecs {
    /// Count tags below this one are found through `low` (8 KiB); those above it, rare, by
    /// binary search.
    const TABLE_END: u32 = 8192;

    /// No specs.
    pub fn new() -> Self {
        Self::default()
    }

    /// False when `tag` is certainly not the count tag of a group here.
    #[inline(always)]
    fn may_count(&self, tag: u32) -> bool {
        if tag < self.min {
            false
        } else if tag < Self::TABLE_END {
            self.low[tag as usize] != 0
        } else {
            (self.high_min..=self.high_max).contains(&tag)
        }
    }

    /// Adds `spec` for the message types `msg_types`, or for every type when `None`. A spec for
    /// a specific type takes precedence over one for every type.
    pub fn add(&mut self, spec: GroupSpec, msg_types: Option<&[&[u8]]>) -> &mut Self {
        let tag = spec.count_tag;
        let spec = Arc::new(spec);
        let at = match self.counts.binary_search_by_key(&tag, |(count, _)| *count) {
            Ok(at) => at,
            Err(at) => {
                self.counts.insert(at, (tag, Vec::new()));
                self.min = self.min.min(tag);
                if tag < Self::TABLE_END {
                    // The count tags from `at` on moved up one place.
                    for (place, (count, _)) in self.counts.iter().enumerate().skip(at) {
                        if let Some(slot) = self.low.get_mut(*count as usize) {
                            *slot = u8::try_from(place + 1).unwrap_or(u8::MAX);
                        }
                    }
                } else {
                    self.high_min = self.high_min.min(tag);
                    self.high_max = self.high_max.max(tag);
                }
                at
            }
        };
        let entries = &mut self.counts[at].1;
        match msg_types {
            None => entries.push((None, spec)),
            Some(types) => entries.extend(types.iter().map(|t| (Some(t.to_vec()), Arc::clone(&spec)))),
        }
        self
    }

    /// The spec for `count_tag` in messages of type `msg_type`.
    #[inline]
    pub fn lookup(&self, msg_type: &[u8], count_tag: u32) -> Option<&Arc<GroupSpec>> {
        if !self.may_count(count_tag) {
            return None;
        }
        self.lookup_count(msg_type, count_tag)
    }

    /// [`lookup`](Self::lookup) of a tag that [`may_count`](Self::may_count) let through: below
    /// [`TABLE_END`](Self::TABLE_END), its byte in `low` gives its place in `counts`.
    #[inline(always)]
    fn lookup_count(&self, msg_type: &[u8], count_tag: u32) -> Option<&Arc<GroupSpec>> {
        let slot = self.low.get(count_tag as usize).map_or(u8::MAX, |&slot| slot);
        let at = match slot {
            0 => return None,
            u8::MAX => self.counts.binary_search_by_key(&count_tag, |(count, _)| *count).ok()?,
            slot => usize::from(slot - 1),
        };
        let (_, specs) = self.counts.get(at)?;
        spec_for(specs, msg_type)
    }

    /// [`lookup`](Self::lookup) by walking every count tag: for the tests and the
    /// `parse_paths` fuzz target, which hold the two to the same answers.
    #[doc(hidden)]
    pub fn lookup_walked(&self, msg_type: &[u8], count_tag: u32) -> Option<&Arc<GroupSpec>> {
        let (_, specs) = self.counts.iter().find(|(count, _)| *count == count_tag)?;
        spec_for(specs, msg_type)
    }

    /// The repeating groups of Kalshi's FIX gateway, read from the bundled dictionary
    /// ([`Dictionary::kalshi`](crate::Dictionary::kalshi), the one home of the venue's groups)
    /// and [`widened`](Self::widened): a group applies to every message type, except
    /// NoRelatedSym <146> and NoMDEntries <268>, whose layouts differ by message type. Built
    /// once; each call clones the set (its specs are shared).
    ///
    /// # Panics
    ///
    /// Never: the bundled dictionary is loaded by the tests.
    pub fn kalshi() -> Self {
        static KALSHI: OnceLock<GroupSpecs> = OnceLock::new();
        KALSHI.get_or_init(|| crate::Dictionary::kalshi().group_specs().widened()).clone()
    }

    /// The same specs, where every message type that has a count tag gives its group one
    /// layout, applying to every message type, so that a message its dictionary does not
    /// describe still has its groups read. A count tag whose layout differs between message
    /// types keeps a spec per message type.
    #[must_use]
    pub fn widened(&self) -> Self {
        let mut out = Self::new();
        // In ascending order of count tags, so that equal sets are built the same way.
        for (_, specs) in &self.counts {
            let first = &specs[0].1;
            if specs.iter().all(|(_, spec)| spec == first) {
                out.add((**first).clone(), None);
            } else {
                for (types, spec) in specs {
                    match types {
                        Some(t) => out.add((**spec).clone(), Some(&[t.as_slice()])),
                        None => out.add((**spec).clone(), None),
                    };
                }
            }
        }
        out
    }
}

impl<'a> Fields<'a> {
    /// The entries of the group `spec` describes, each a run of fields. Empty when the count
    /// tag is absent; an error when the count does not match the entries or a member is out of
    /// order.
    pub fn group(&self, spec: &GroupSpec) -> Result<Vec<Fields<'a>>, DecodeError> {
        Ok(self.group_entries(spec)?.collect())
    }

    /// Like [`group`](Self::group), but the entries come from an iterator, so that reading a
    /// group allocates nothing. The group is checked first, as a whole.
    pub fn group_entries<'s>(&self, spec: &'s GroupSpec) -> Result<GroupEntries<'a, 's>, DecodeError> {
        let mut entries = GroupEntries { run: *self, spec, delimiter: 0, next: 0, end: 0, left: 0, stride: 0 };
        let Some(at) = first_where(self.as_slice(), 0, spec.count_tag, |tag| tag == spec.count_tag) else {
            return Ok(entries);
        };
        let mut left = 0;
        entries.end = scan_group(*self, at, spec, |_| left += 1)?;
        entries.next = at + 1;
        entries.left = left;
        entries.stride = stride(spec, at + 1, entries.end, left);
        if let Some(first) = self.as_slice().get(at + 1).filter(|_| left > 0) {
            entries.delimiter = first.tag;
        }
        Ok(entries)
    }

    /// Like [`group`](Self::group), but each entry as its range of positions in
    /// [`as_slice`](Self::as_slice).
    pub fn group_spans(&self, spec: &GroupSpec) -> Result<Vec<Range<usize>>, DecodeError> {
        match first_where(self.as_slice(), 0, spec.count_tag, |tag| tag == spec.count_tag) {
            None => Ok(Vec::new()),
            Some(at) => read_group(*self, at, spec).map(|(entries, _)| entries),
        }
    }

    /// Checks every group of this message that `specs` knows for `msg_type`.
    pub fn check_groups_for(&self, msg_type: &[u8], specs: &GroupSpecs) -> Result<(), DecodeError> {
        self.check_groups_noting(msg_type, specs, |_, _, _, _| {})
    }

    /// [`check_groups_for`](Self::check_groups_for) with every group read by the general walk,
    /// none by the usual group's loop: for the `parse_paths` fuzz target, which holds the two to
    /// the same verdicts.
    #[doc(hidden)]
    pub fn check_groups_walked(&self, msg_type: &[u8], specs: &GroupSpecs) -> Result<(), DecodeError> {
        self.check_groups_by(msg_type, specs, false, |_, _, _, _| {})
    }

    /// [`check_groups_for`](Self::check_groups_for), handing each group it checked to `checked`:
    /// its spec, count field's position, the position after it and its number of entries.
    #[inline(always)]
    pub(crate) fn check_groups_noting(
        &self,
        msg_type: &[u8],
        specs: &GroupSpecs,
        checked: impl FnMut(&Arc<GroupSpec>, usize, usize, u32),
    ) -> Result<(), DecodeError> {
        self.check_groups_by(msg_type, specs, true, checked)
    }

    /// [`check_groups_noting`](Self::check_groups_noting), the usual group read by its own loop
    /// when `usual` (always, but for the fuzz target's comparison).
    #[inline(always)]
    fn check_groups_by(
        &self,
        msg_type: &[u8],
        specs: &GroupSpecs,
        usual: bool,
        mut checked: impl FnMut(&Arc<GroupSpec>, usize, usize, u32),
    ) -> Result<(), DecodeError> {
        let fields = self.as_slice();
        let mut i = 0;
        while let Some(at) = first_where(fields, i, specs.min, |tag| specs.may_count(tag)) {
            // `first_where` found a tag that `may_count` let through.
            i = match specs.lookup_count(msg_type, fields[at].tag) {
                Some(spec) => {
                    let (end, entries) = match if usual { usual_group(*self, at, spec) } else { 0 } {
                        0 => counted_group(*self, at, spec)?,
                        usual => ((usual >> 32) as usize, usual as u32),
                    };
                    checked(spec, at, end, entries);
                    end
                }
                None => at + 1,
            };
        }
        Ok(())
    }
}

/// A group that [`FieldIndex::parse`](crate::FieldIndex::parse) checked, kept with the index so
/// that reading its entries through the index's [`Message`](crate::Message) does not check it
/// again: the spec, and what [`Fields::group_entries`] would find with it. Positions are in the
/// message's fields.
#[derive(Debug, Clone)]
pub(crate) struct CheckedGroup {
    spec: Arc<GroupSpec>,
    /// The count field.
    at: u32,
    /// The first field after the group.
    end: u32,
    entries: u32,
    /// The tag every entry starts with (0 without entries).
    delimiter: u32,
}

impl CheckedGroup {
    /// Notes the group of `spec` whose count field is `fields[at]` as the `k`th of `groups`
    /// (`k` at most their number). The note there is overwritten, its spec kept when it is
    /// `spec`: messages of one layout, parsed one after another, note their groups without
    /// touching a reference count.
    #[inline(always)]
    pub(crate) fn note(
        groups: &mut Vec<Self>,
        k: usize,
        spec: &Arc<GroupSpec>,
        fields: &[Field],
        (at, end, entries): (usize, usize, u32),
    ) {
        let delimiter = fields.get(at + 1).filter(|_| entries > 0).map_or(0, |f| f.tag);
        // Field positions are below the message's length, which is addressable with u32.
        let (at, end) = (at as u32, end as u32);
        match groups.get_mut(k) {
            Some(old) => {
                if !Arc::ptr_eq(&old.spec, spec) {
                    old.spec = Arc::clone(spec);
                }
                (old.at, old.end, old.entries, old.delimiter) = (at, end, entries, delimiter);
            }
            None => groups.push(Self { spec: Arc::clone(spec), at, end, entries, delimiter }),
        }
    }
}

impl<'a> crate::decode::Message<'a> {
    /// [`Fields::group_entries`] on the whole message. When the parse that made this message's
    /// index checked this group (its `groups` option held an equal spec for it), the entries
    /// come from what that check found, without checking the group again.
    pub fn group_entries<'s>(&self, spec: &'s GroupSpec) -> Result<GroupEntries<'a, 's>, DecodeError> {
        let run = self.fields();
        let (fields, groups) = (run.as_slice(), self.checked_groups());
        if let Some(k) = groups.iter().position(|g| g.spec.count_tag == spec.count_tag) {
            let checked = &groups[k];
            // `Fields::group_entries` reads the group at the first field with its count tag. The
            // check met every field outside the groups it read, and would have read a field
            // with this tag before this one as this group too (the spec depends on the tag and
            // MsgType alone): so only a group noted before this one can hold such a field.
            let later = groups[..k].iter().any(|g| {
                fields
                    .get(g.at as usize..g.end as usize)
                    .is_none_or(|span| span.iter().any(|f| f.tag == spec.count_tag))
            });
            let same = std::ptr::eq(&raw const *checked.spec, spec) || checked.spec.same_layout(spec);
            if !later && same {
                let (next, end, left) = (checked.at as usize + 1, checked.end as usize, checked.entries as usize);
                let stride = stride(spec, next, end, left);
                return Ok(GroupEntries { run, spec, delimiter: checked.delimiter, next, end, left, stride });
            }
        }
        run.group_entries(spec)
    }
}

/// Whether two lists of tags are the same: a group's few tags compared in line, without the
/// call to `memcmp` that `==` makes.
#[inline(always)]
fn same_tags(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Of the specs of one count tag, the one for `msg_type`: its own, else the one for every type.
#[inline(always)]
fn spec_for<'s>(specs: &'s [ScopedSpec], msg_type: &[u8]) -> Option<&'s Arc<GroupSpec>> {
    let mut general = None;
    for (types, spec) in specs {
        match types {
            Some(t) if same_msg_type(t, msg_type) => return Some(spec),
            None => general = general.or(Some(spec)),
            Some(_) => {}
        }
    }
    general
}

/// Whether two MsgTypes <35> are the same: most are one byte, compared without a call.
#[inline(always)]
fn same_msg_type(a: &[u8], b: &[u8]) -> bool {
    match (a, b) {
        ([x], [y]) => x == y,
        _ => a == b,
    }
}

/// The position of the first field from `from` on whose tag passes `hit`, where every tag that
/// passes is at least `floor`: in a loop of its own, which stays small, eight fields a step. A
/// step ORs their tags, which is at least the largest of them, so that eight fields below
/// `floor` (most of a message's, for the count tags of groups) cost a compare.
#[inline(always)]
fn first_where(fields: &[Field], from: usize, floor: u32, hit: impl Fn(u32) -> bool) -> Option<usize> {
    let rest = fields.get(from..)?;
    let mut steps = rest.chunks_exact(8);
    let mut at = from;
    for step in steps.by_ref() {
        if step.iter().fold(0, |tags, f| tags | f.tag) >= floor {
            if let Some(n) = step.iter().position(|f| hit(f.tag)) {
                return Some(at + n);
            }
        }
        at += 8;
    }
    steps.remainder().iter().position(|f| hit(f.tag)).map(|n| at + n)
}

impl crate::decode::Message<'_> {
    /// Checks every group of this message that `specs` knows for its MsgType.
    pub fn check_groups(&self, specs: &GroupSpecs) -> Result<(), DecodeError> {
        self.fields().check_groups_for(self.msg_type(), specs)
    }
}

/// The entries of one repeating group, in order, each a run of fields: see
/// [`Fields::group_entries`], which checked the group before handing this out.
#[derive(Debug, Clone)]
pub struct GroupEntries<'a, 's> {
    run: Fields<'a>,
    spec: &'s GroupSpec,
    /// The tag every entry starts with.
    delimiter: u32,
    /// Where the next entry starts, and where the group ends, as positions in `run`.
    next: usize,
    end: usize,
    /// Entries not yet handed out.
    left: usize,
    /// The fields of every entry when each holds every member (0 otherwise): the next entry
    /// starts that many fields on, without a look for its delimiter.
    stride: usize,
}

/// [`GroupEntries::stride`] of a group of `spec` whose `entries` entries fill the positions from
/// `first` to `end`: a group without nested groups whose entries hold as many fields as they
/// have members each. An entry of such a group holds each member at most once (the check
/// refuses a member out of order or repeated), so the count says each holds every member.
#[inline(always)]
fn stride(spec: &GroupSpec, first: usize, end: usize, entries: usize) -> usize {
    let members = spec.tags.len();
    if spec.depth == 1 && entries > 0 && end.checked_sub(first) == entries.checked_mul(members) {
        members
    } else {
        0
    }
}

impl<'a> Iterator for GroupEntries<'a, '_> {
    type Item = Fields<'a>;

    fn next(&mut self) -> Option<Fields<'a>> {
        if self.left == 0 {
            return None;
        }
        let fields = self.run.as_slice();
        let start = self.next;
        let stop = if self.stride != 0 {
            start + self.stride
        } else if self.spec.depth == 1 {
            // Without nested groups, an entry runs to the next delimiter or the group's end.
            let rest = fields.get(start + 1..self.end)?;
            rest.iter().position(|f| f.tag == self.delimiter).map_or(self.end, |n| start + 1 + n)
        } else {
            // The group was checked, so its entries read again without error.
            entry_end(self.run, start, self.spec, self.delimiter).ok()?
        };
        self.next = stop;
        self.left -= 1;
        Some(Fields::new(self.run.buf(), &fields[start..stop]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for GroupEntries<'_, '_> {}

/// [`scan_group`] of the group whose count field is `run`'s field `at`, counting its entries:
/// out of line, for the groups [`usual_group`] leaves, so that its registers are not the
/// caller's.
#[inline(never)]
fn counted_group(run: Fields<'_>, at: usize, spec: &GroupSpec) -> Result<(usize, u32), DecodeError> {
    let mut entries = 0u32;
    let end = scan_group(run, at, spec, |_| entries += 1)?;
    Ok((end, entries))
}

/// What [`scan_group`] finds for the usual group, in one register: the position after the
/// group in the high half and its number of entries in the low. The usual group has no nested
/// groups, a count of one digit from 1 to 9, its first delimiter (the spec's first member)
/// after the count field, and entries that hold their members in the spec's order, each
/// followed by the next entry's delimiter or, after the last, by a field that is no member.
/// 0 for any other group (a member skipped, an error): [`scan_group`]'s to read, or to say
/// what is wrong. Its answer in a register rather than a `Result` in memory; inlined into the
/// group check, which saves the call and its saved registers (21 instructions for the
/// ExecutionReport of the instruction budget).
#[inline(always)]
pub(crate) fn usual_group(run: Fields<'_>, at: usize, spec: &GroupSpec) -> u64 {
    let fields = run.as_slice();
    let (Some(count_field), [delimiter, after @ ..], 1) = (fields.get(at), &spec.tags[..], spec.depth) else {
        return 0;
    };
    let count = match run.buf().get(count_field.range()) {
        Some(&[digit @ b'1'..=b'9']) => u64::from(digit - b'0'),
        _ => return 0,
    };
    if spec.delimiters.first() != Some(delimiter) {
        return 0;
    }
    let mut i = at + 1;
    let mut entries = 0;
    loop {
        // Whole entries: the spec's tags, one compare a field; for a group of one to four
        // members (most groups) each entry's compares unrolled, its tags in registers.
        let rest = fields.get(i..).unwrap_or_default();
        let whole = match spec.tags[..] {
            [t0] => whole_entries(rest, [t0]),
            [t0, t1] => whole_entries(rest, [t0, t1]),
            [t0, t1, t2] => whole_entries(rest, [t0, t1, t2]),
            [t0, t1, t2, t3] => whole_entries(rest, [t0, t1, t2, t3]),
            _ => rest
                .chunks_exact(spec.tags.len())
                .take_while(|entry| entry.iter().zip(&spec.tags).all(|(f, &t)| f.tag == t))
                .count(),
        };
        i += whole * spec.tags.len();
        entries += whole as u64;
        match fields.get(i) {
            // An entry that ends before its last member: its delimiter, then its members in
            // order as far as they go.
            Some(f) if f.tag == *delimiter => {
                i += 1;
                i += fields.get(i..).unwrap_or_default().iter().zip(after).take_while(|(f, &t)| f.tag == t).count();
                entries += 1;
            }
            // A member where an entry or the group's end should be: `scan_group`'s walk.
            Some(f) if spec.position(f.tag).is_some() => return 0,
            _ => break,
        }
    }
    if entries != count {
        return 0;
    }
    // Positions are below the message's length, which is addressable with u32.
    (i as u64) << 32 | entries
}

/// How many entries from the start of `fields` hold the `N` tags of `tags` in order, each in
/// `N` fields: [`usual_group`]'s whole entries for a group of `N` members, with no loop over an
/// entry's members.
#[inline(always)]
fn whole_entries<const N: usize>(fields: &[Field], tags: [u32; N]) -> usize {
    fields.chunks_exact(N).take_while(|entry| entry.iter().zip(tags).all(|(f, t)| f.tag == t)).count()
}

/// Reads the group whose count field is `fields[at]`; returns its entries (as position ranges)
/// and the position of the first field after the group.
fn read_group(run: Fields<'_>, at: usize, spec: &GroupSpec) -> Result<(Vec<Range<usize>>, usize), DecodeError> {
    let mut entries = Vec::new();
    let end = scan_group(run, at, spec, |span| entries.push(span))?;
    Ok((entries, end))
}

/// Like [`read_group`], but hands each entry to `on_entry` instead of collecting them, so that
/// checking a message's groups allocates nothing; returns the position after the group.
pub(crate) fn scan_group(
    run: Fields<'_>,
    at: usize,
    spec: &GroupSpec,
    mut on_entry: impl FnMut(Range<usize>),
) -> Result<usize, DecodeError> {
    let fields = run.as_slice();
    let count_field = fields[at];
    let count = match &run.buf()[count_field.range()] {
        // The usual count, one digit: what `parse_count` makes of it, without its checks.
        [digit @ b'0'..=b'9'] => u64::from(digit - b'0'),
        digits => parse_count(digits, count_field, spec)?,
    };
    let mut i = at + 1;
    let mut entries = 0u64;
    if count == 0 {
        if fields.get(i).is_some_and(|f| spec.delimiters.contains(&f.tag)) {
            return Err(count_error(count_field, format!("NumInGroup <{}> is 0 but an entry follows", spec.count_tag)));
        }
        return Ok(i);
    }
    let delimiter = match fields.get(i) {
        // The first delimiter, the usual one, before a scan of the others.
        Some(f) if spec.delimiters.first() == Some(&f.tag) || spec.delimiters.contains(&f.tag) => f.tag,
        // A member where the delimiter should be: the entry's fields are out of order.
        Some(f) if spec.position(f.tag).is_some() => {
            return Err(DecodeError::new(
                Kind::GroupOrder,
                f.offset(),
                Some(f.tag),
                format!("field {} comes before the delimiter of group {}", f.tag, spec.count_tag),
            ))
        }
        next => {
            return Err(count_error(
                count_field,
                format!(
                    "NumInGroup <{}> is {count} but the next field is {}, not the group's delimiter",
                    spec.count_tag,
                    next.map_or_else(|| "missing".to_owned(), |f| f.tag.to_string())
                ),
            ))
        }
    };
    if spec.depth == 1 {
        // Without nested groups, one loop over the group's fields: what the loop below does
        // with `entry_end`, without a call per entry.
        let first =
            if spec.tags.first() == Some(&delimiter) { 0 } else { spec.position(delimiter).unwrap_or_default() };
        let after = spec.tags.get(first + 1..).unwrap_or_default();
        loop {
            // `fields[i]` is an entry's delimiter. The usual entry holds the members after it,
            // every one in order: matched tag for tag, before the general walk of the rest.
            let start = i;
            i += 1;
            let run = fields.get(i..).unwrap_or_default().iter().zip(after).take_while(|(f, &t)| f.tag == t).count();
            i += run;
            let mut last = first + run;
            while let Some(field) = fields.get(i) {
                if field.tag == delimiter {
                    break;
                }
                let Some(position) = spec.position_after(last, field.tag) else { break };
                if position <= last {
                    return Err(out_of_order(*field, spec));
                }
                last = position;
                i += 1;
            }
            on_entry(start..i);
            entries += 1;
            if fields.get(i).is_none_or(|f| f.tag != delimiter) {
                break;
            }
        }
    }
    while fields.get(i).is_some_and(|f| f.tag == delimiter) {
        let start = i;
        i = entry_end(run, i, spec, delimiter)?;
        on_entry(start..i);
        entries += 1;
    }
    if entries != count {
        return Err(count_error(
            count_field,
            format!("NumInGroup <{}> is {count} but {entries} entries follow", spec.count_tag),
        ));
    }
    Ok(i)
}

/// Where the entry of group `spec` that starts at position `start` of `run` (its delimiter)
/// ends: at the next delimiter, or at the first field that is not a member.
#[inline]
fn entry_end(run: Fields<'_>, start: usize, spec: &GroupSpec, delimiter: u32) -> Result<usize, DecodeError> {
    let fields = run.as_slice();
    let mut last = spec.position(delimiter).unwrap_or_default();
    let mut i = start + 1;
    while let Some(field) = fields.get(i) {
        if field.tag == delimiter {
            break;
        }
        let Some(position) = spec.position_after(last, field.tag) else { break };
        if position <= last {
            return Err(out_of_order(*field, spec));
        }
        last = position;
        i = match &spec.members[position] {
            Member::Group(nested) => scan_group(run, i, nested, |_| {})?,
            Member::Field(_) => i + 1,
        };
    }
    Ok(i)
}

/// The value of the NumInGroup field `count_field` of group `spec`. A count that is not a
/// number is a malformed value (as QuickFIX also reports it); a negative one is a wrong count.
#[inline(never)]
fn parse_count(digits: &[u8], count_field: Field, spec: &GroupSpec) -> Result<u64, DecodeError> {
    let count = value::parse_i64(digits).map_err(|e| {
        DecodeError::new(
            Kind::InvalidValue,
            count_field.start as usize,
            Some(spec.count_tag),
            format!("NumInGroup <{}>: {e}", spec.count_tag),
        )
    })?;
    u64::try_from(count).map_err(|_| count_error(count_field, format!("NumInGroup <{}> is negative", spec.count_tag)))
}

#[cold]
fn out_of_order(field: Field, spec: &GroupSpec) -> DecodeError {
    DecodeError::new(
        Kind::GroupOrder,
        field.offset(),
        Some(field.tag),
        format!("field {} is out of order in an entry of group {}", field.tag, spec.count_tag),
    )
}

#[cold]
fn count_error(count_field: Field, reason: String) -> DecodeError {
    DecodeError::new(Kind::BadGroupCount, count_field.offset(), Some(count_field.tag), reason)
}

#[cfg(test)]
mod tests;
