//! FIX data dictionaries in QuickFIX's XML format: field names and types, enum values,
//! message layouts with their repeating groups, and validation with FIX reject reasons.
//!
//! A FIXT.1.1 venue is described by two files, a transport dictionary (header, trailer, admin
//! messages: QuickFIX's `FIXT11.xml`) and an application dictionary (`FIX50SP2.xml`, or a
//! venue's own); [`Dictionary::from_xml`] reads them into one. A single file holding both (as
//! Kalshi publishes) works too. Components are flattened when loading: a component marked not
//! required makes its fields optional.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt;
use std::sync::Arc;

use crate::decode::{Field, FieldIndex, Fields, Message, ParseOptions};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::group::{scan_group, GroupSpec, GroupSpecs};
use crate::value::{self, Date, UtcTimestamp};

mod compiled;
mod xml;

use compiled::Compiled;
use xml::Builder;

/// The FIX data type of a field, as named in the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// INT, LENGTH, NUMINGROUP, SEQNUM, TAGNUM, DAYOFMONTH.
    Int,
    /// FLOAT, QTY, PRICE, PRICEOFFSET, AMT, PERCENTAGE.
    Decimal,
    /// CHAR.
    Char,
    /// BOOLEAN.
    Boolean,
    /// UTCTIMESTAMP.
    UtcTimestamp,
    /// UTCDATEONLY, LOCALMKTDATE.
    Date,
    /// UTCTIMEONLY, LOCALMKTTIME, TZTIMEONLY.
    TimeOnly,
    /// MULTIPLEVALUESTRING, MULTIPLECHARVALUE, MULTIPLESTRINGVALUE: space-separated values.
    MultipleValue,
    /// DATA, XMLDATA: any bytes, read by length.
    Data,
    /// STRING and every other type: any text.
    String,
}

impl FieldType {
    fn from_name(name: &str) -> Self {
        match name {
            "INT" | "LENGTH" | "NUMINGROUP" | "SEQNUM" | "TAGNUM" | "DAYOFMONTH" => Self::Int,
            "FLOAT" | "QTY" | "QUANTITY" | "PRICE" | "PRICEOFFSET" | "AMT" | "PERCENTAGE" => Self::Decimal,
            "CHAR" => Self::Char,
            "BOOLEAN" => Self::Boolean,
            "UTCTIMESTAMP" | "TIME" => Self::UtcTimestamp,
            "UTCDATEONLY" | "UTCDATE" | "LOCALMKTDATE" | "DATE" => Self::Date,
            "UTCTIMEONLY" | "LOCALMKTTIME" | "TZTIMEONLY" => Self::TimeOnly,
            "MULTIPLEVALUESTRING" | "MULTIPLECHARVALUE" | "MULTIPLESTRINGVALUE" => Self::MultipleValue,
            "DATA" | "XMLDATA" => Self::Data,
            _ => Self::String,
        }
    }

    /// Whether `v` has this type's format.
    fn accepts(&self, v: &[u8]) -> bool {
        match self {
            Self::Int => value::parse_i64(v).is_ok(),
            Self::Decimal => value::decimal_parts(v).is_ok(),
            Self::Char => value::parse_char(v).is_ok(),
            Self::Boolean => value::parse_bool(v).is_ok(),
            Self::UtcTimestamp => UtcTimestamp::parse(v).is_ok(),
            Self::Date => Date::parse(v).is_ok(),
            Self::TimeOnly => time_only(v),
            Self::MultipleValue | Self::Data | Self::String => true,
        }
    }
}

/// `HH:MM:SS` with an optional fraction of 3, 6 or 9 digits.
fn time_only(v: &[u8]) -> bool {
    // A UTCTimestamp is the date, '-', then exactly this; 30 bytes hold the longest.
    let mut stamp = [0u8; 30];
    let Some(time) = stamp.get_mut(9..9 + v.len()) else { return false };
    time.copy_from_slice(v);
    stamp[..9].copy_from_slice(b"19700101-");
    UtcTimestamp::parse(&stamp[..9 + v.len()]).is_ok()
}

/// A field of the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// The tag number.
    pub tag: u32,
    /// The FIX name (ClOrdID).
    pub name: String,
    /// The type name as written in the dictionary (PRICE, STRING, ...).
    pub type_name: String,
    /// The type as validation reads it.
    pub field_type: FieldType,
    /// Enumerated values with their descriptions, in dictionary order; empty when any value
    /// of the type is allowed.
    pub values: Vec<(String, String)>,
    /// The values as bytes, for validation's per-field check.
    allowed: FxHashSet<Box<[u8]>>,
}

impl FieldDef {
    /// The description of an enumerated value.
    pub fn describe(&self, value: &str) -> Option<&str> {
        self.values.iter().find(|(v, _)| v == value).map(|(_, d)| d.as_str())
    }
}

/// One entry of a message layout: a field or a repeating group, and whether it is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A field.
    Field {
        /// Its tag.
        tag: u32,
        /// Whether the message must carry it.
        required: bool,
    },
    /// A repeating group.
    Group {
        /// The NumInGroup tag.
        count_tag: u32,
        /// Whether the message must carry it.
        required: bool,
        /// The entries' layout; the first item is the delimiter.
        layout: Vec<Entry>,
        /// Tags that may start an entry when more than the first member may (from the
        /// group's `delimiters` attribute, a fixwire extension that QuickFIX ignores).
        delimiters: Vec<u32>,
    },
}

impl Entry {
    /// The field's tag, or the group's count tag.
    pub fn tag(&self) -> u32 {
        match self {
            Self::Field { tag, .. } => *tag,
            Self::Group { count_tag, .. } => *count_tag,
        }
    }

    /// Whether it is required.
    pub fn required(&self) -> bool {
        match self {
            Self::Field { required, .. } | Self::Group { required, .. } => *required,
        }
    }
}

/// A message of the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDef {
    /// The FIX name (NewOrderSingle).
    pub name: String,
    /// MsgType <35>.
    pub msg_type: String,
    /// `admin` or `app`.
    pub category: String,
    /// The body layout, components flattened.
    pub layout: Vec<Entry>,
    /// Where each body tag is in `layout`, for validation's per-field lookups.
    positions: FxHashMap<u32, usize>,
    /// Defined by the transport dictionary (validated with its field definitions).
    transport: bool,
}

/// A dictionary that cannot be loaded: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictionaryError {
    /// Line in the XML text (1-based), when the problem is in a document.
    pub line: Option<u32>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for DictionaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for DictionaryError {}

/// Why a message would be rejected by a counterparty using this dictionary: a FIX
/// SessionRejectReason <373> with RefTagID <371> and RefMsgType <372>.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// SessionRejectReason <373>.
    pub reason: u32,
    /// RefTagID <371>: the tag at fault, when there is one.
    pub ref_tag: Option<u32>,
    /// RefMsgType <372>.
    pub ref_msg_type: String,
    /// A sentence for Text <58>.
    pub text: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (SessionRejectReason {})", self.text, self.reason)
    }
}

impl std::error::Error for Reject {}

/// Why [`Dictionary::parse_valid`] refused a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The bytes are not one well-formed message, its repeating groups included.
    Decode(DecodeError),
    /// The message is well formed, but a counterparty using the dictionary rejects it.
    Reject(Reject),
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(e) => e.fmt(f),
            Self::Reject(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for Invalid {}

/// SessionRejectReason <373> codes used by validation.
pub mod reject_reason {
    /// Invalid tag number.
    pub const INVALID_TAG_NUMBER: u32 = 0;
    /// Required tag missing.
    pub const REQUIRED_TAG_MISSING: u32 = 1;
    /// Tag not defined for this message type.
    pub const TAG_NOT_DEFINED_FOR_MESSAGE: u32 = 2;
    /// Undefined tag.
    pub const UNDEFINED_TAG: u32 = 3;
    /// Tag specified without a value.
    pub const TAG_WITHOUT_VALUE: u32 = 4;
    /// Value is incorrect (out of range) for this tag.
    pub const VALUE_INCORRECT: u32 = 5;
    /// Incorrect data format for value.
    pub const INCORRECT_DATA_FORMAT: u32 = 6;
    /// Invalid MsgType.
    pub const INVALID_MSG_TYPE: u32 = 11;
    /// Tag appears more than once.
    pub const TAG_APPEARS_MORE_THAN_ONCE: u32 = 13;
    /// Tag specified out of required order.
    pub const TAG_OUT_OF_ORDER: u32 = 14;
    /// Repeating group fields out of order.
    pub const GROUP_FIELDS_OUT_OF_ORDER: u32 = 15;
    /// Incorrect NumInGroup count for repeating group.
    pub const INCORRECT_NUM_IN_GROUP: u32 = 16;
}

use reject_reason as R;

/// Switches for [`Dictionary::validate`]; the default is strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ValidationOptions {
    /// Accept tags of the user-defined range (5000 and above) that the dictionary does not
    /// define, anywhere in a message.
    pub allow_user_defined: bool,
}

/// A data dictionary: fields, header, trailer and messages.
#[derive(Debug, Clone)]
pub struct Dictionary {
    begin_string: String,
    fields: FxHashMap<u32, FieldDef>,
    /// The transport dictionary's definitions, when it was read separately.
    transport_fields: Option<FxHashMap<u32, FieldDef>>,
    by_name: HashMap<String, u32>,
    header: Vec<Entry>,
    trailer: Vec<Entry>,
    messages: HashMap<String, MessageDef>,
    /// Tags of the header and trailer, for placement checks.
    header_tags: TagBits,
    trailer_tags: TagBits,
    groups: Arc<GroupSpecs>,
    /// Whether no group's count tag or members are header or trailer tags. Validation reads
    /// groups after splitting the header and trailer off; only then does a message it accepts
    /// certainly pass the parse-time group check, which [`Dictionary::parse_valid`] skips.
    groups_in_body: bool,
    /// Validation tables for the common case, a valid message.
    compiled: Compiled,
    /// What was accepted although the XML is not quite right (see [`Dictionary::warnings`]).
    warnings: Vec<String>,
}

/// A set of tags tested for every field of a message: a bitmap below [`TagBits::BITMAP`], a
/// hash set above.
#[derive(Debug, Clone, Default)]
struct TagBits {
    low: Vec<u64>,
    high: FxHashSet<u32>,
}

impl TagBits {
    const BITMAP: u32 = 8192;

    #[inline]
    fn contains(&self, tag: u32) -> bool {
        if tag < Self::BITMAP {
            self.low.get(tag as usize / 64).is_some_and(|w| w >> (tag % 64) & 1 == 1)
        } else {
            self.high.contains(&tag)
        }
    }
}

impl FromIterator<u32> for TagBits {
    fn from_iter<I: IntoIterator<Item = u32>>(tags: I) -> Self {
        let mut set = Self { low: vec![0; Self::BITMAP as usize / 64], high: FxHashSet::default() };
        for tag in tags {
            if tag < Self::BITMAP {
                set.low[tag as usize / 64] |= 1 << (tag % 64);
            } else {
                set.high.insert(tag);
            }
        }
        set
    }
}

/// The bundled dictionary of Kalshi's FIX gateway.
const KALSHI_XML: &str = include_str!("../dictionaries/kalshi.xml");

impl Dictionary {
    /// Reads an application dictionary and, for FIXT.1.1, its transport dictionary (whose
    /// header, trailer and admin messages are used). Both are QuickFIX XML text.
    pub fn from_xml(app: &str, transport: Option<&str>) -> Result<Self, DictionaryError> {
        let mut builder = Builder::default();
        if let Some(transport) = transport {
            builder.read(transport, true)?;
            // Admin messages, header and trailer are checked with the transport's own field
            // definitions, as a FIXT engine does, even where the application redefines a field.
            builder.transport_fields = Some(builder.fields.clone());
        }
        builder.read(app, false)?;
        builder.finish()
    }

    /// The bundled dictionary of Kalshi's FIX gateway, written from the current Kalshi docs
    /// (lenient where they leave questions open; see the comments in the XML).
    ///
    /// # Panics
    ///
    /// Never: the bundled XML is loaded by the tests.
    pub fn kalshi() -> Self {
        Self::from_xml(KALSHI_XML, None).expect("the bundled Kalshi dictionary loads")
    }

    /// The bundled Kalshi dictionary's XML text.
    pub fn kalshi_xml() -> &'static str {
        KALSHI_XML
    }

    /// BeginString of the dictionary (`FIXT.1.1`, `FIX.4.4`).
    pub fn begin_string(&self) -> &str {
        &self.begin_string
    }

    /// What the XML had that is not quite right but was accepted as QuickFIX accepts it (a
    /// group listing a member twice: the second is ignored), one line each.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The field with `tag`.
    pub fn field(&self, tag: u32) -> Option<&FieldDef> {
        self.fields.get(&tag)
    }

    /// The tag of the field named `name`.
    pub fn tag(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// Every field, in no particular order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.values()
    }

    /// The message of MsgType `msg_type`.
    pub fn message(&self, msg_type: &str) -> Option<&MessageDef> {
        self.messages.get(msg_type)
    }

    /// Every message, in no particular order.
    pub fn messages(&self) -> impl Iterator<Item = &MessageDef> {
        self.messages.values()
    }

    /// The header layout.
    pub fn header(&self) -> &[Entry] {
        &self.header
    }

    /// The repeating groups of every message, for parsing with [`crate::ParseOptions::groups`].
    pub fn group_specs(&self) -> Arc<GroupSpecs> {
        Arc::clone(&self.groups)
    }

    /// The layout of the repeating group counted by `count_tag`: as in messages of `msg_type`
    /// when given, else as in the first message (by MsgType) that has the group.
    pub fn group(&self, count_tag: u32, msg_type: Option<&str>) -> Option<Arc<GroupSpec>> {
        if let Some(msg_type) = msg_type {
            return self.groups.lookup(msg_type.as_bytes(), count_tag).cloned();
        }
        let mut types: Vec<&str> = self.messages.keys().map(String::as_str).collect();
        types.sort_unstable();
        types.into_iter().find_map(|t| self.groups.lookup(t.as_bytes(), count_tag).cloned())
    }

    /// Parses `buf` into `index` and validates it: the answer of [`FieldIndex::parse`] with
    /// this dictionary's groups followed by [`Dictionary::validate`], for less work. A message
    /// that passes validation has well-formed groups (validation reads them with the same
    /// specs), so a valid message's groups are read once, by validation; only a rejected one
    /// is checked for malformed groups, which parsing would have reported first. (With a
    /// dictionary whose groups touch the header or trailer, such as FIXT.1.1's NoHops <627>,
    /// every message's groups are checked, as parsing would.) `parse.groups` is ignored: the
    /// dictionary's own are used.
    pub fn parse_valid(
        &self,
        index: &mut FieldIndex,
        buf: &[u8],
        parse: &ParseOptions,
        options: ValidationOptions,
    ) -> Result<(), Invalid> {
        if parse.groups.is_some() {
            let flat = ParseOptions { groups: None, ..parse.clone() };
            return self.parse_valid(index, buf, &flat, options);
        }
        index.parse(buf, parse).map_err(Invalid::Decode)?;
        let msg = index.view(buf);
        let result = self.validate(&msg, options);
        if result.is_err() || !self.groups_in_body {
            msg.check_groups(&self.groups).map_err(Invalid::Decode)?;
        }
        result.map_err(Invalid::Reject)
    }

    /// Checks `msg` the way a counterparty using this dictionary would, returning the first
    /// reason it would be rejected for.
    pub fn validate(&self, msg: &Message<'_>, options: ValidationOptions) -> Result<(), Reject> {
        // The compiled tables only answer "valid"; any doubt (a reject, or a layout they do not
        // cover) goes to the reference check below, which finds the first reason in order.
        if self.compiled.accepts(msg, options) {
            return Ok(());
        }
        self.first_reject(msg, options)
    }

    /// The reference check: every rule in the order a reject is chosen by.
    fn first_reject(&self, msg: &Message<'_>, options: ValidationOptions) -> Result<(), Reject> {
        let msg_type = String::from_utf8_lossy(msg.msg_type());
        let reject = |reason: u32, ref_tag: Option<u32>, text: String| Reject {
            reason,
            ref_tag,
            ref_msg_type: msg_type.clone().into_owned(),
            text,
        };
        let Some(def) = self.messages.get(msg_type.as_ref()) else {
            return Err(reject(R::INVALID_MSG_TYPE, Some(35), format!("MsgType <35> {msg_type:?} is not defined")));
        };
        let fields = msg.fields();
        let all = fields.as_slice();
        let header_end = self.header_end(msg.msg_type(), fields);
        self.check_placement(all, header_end).map_err(|(tag, text)| reject(R::TAG_OUT_OF_ORDER, Some(tag), text))?;

        // Split the message into header, body and trailer runs.
        let trailer_start = all.iter().rposition(|f| !self.trailer_tags.contains(f.tag)).map_or(header_end, |i| i + 1);
        let header = Fields::new(fields.buf(), &all[..header_end]);
        let body = Fields::new(fields.buf(), &all[header_end..trailer_start.max(header_end)]);
        let trailer = Fields::new(fields.buf(), &all[trailer_start.max(header_end)..]);

        let checker = Checker {
            dict: self,
            options,
            msg_type: &msg_type,
            seen: std::cell::RefCell::new(Vec::with_capacity(all.len())),
        };
        for (run, layout) in [(header, &self.header), (body, &def.layout), (trailer, &self.trailer)] {
            checker.check_required(run, layout, None).map_err(|tag| {
                reject(
                    R::REQUIRED_TAG_MISSING,
                    Some(tag),
                    format!("required tag {} is missing", self.describe_tag(tag)),
                )
            })?;
        }
        let transport_defs = self.transport_fields.as_ref().unwrap_or(&self.fields);
        let body_defs = if def.transport { transport_defs } else { &self.fields };
        for (run, layout, positions, defs) in [
            (header, &self.header, None, transport_defs),
            (trailer, &self.trailer, None, transport_defs),
            (body, &def.layout, Some(&def.positions), body_defs),
        ] {
            checker
                .check_run(run, layout, positions, defs, None)
                .map_err(|(reason, tag, text)| reject(reason, Some(tag), text))?;
        }
        Ok(())
    }

    /// Header fields first, trailer fields last: the tag and a sentence when not.
    fn check_placement(&self, all: &[Field], header_end: usize) -> Result<(), (u32, String)> {
        let mut in_trailer = false;
        for f in &all[header_end..] {
            let trailer = self.trailer_tags.contains(f.tag);
            if self.header_tags.contains(f.tag) {
                return Err((f.tag, format!("header field {} appears after the body", self.describe_tag(f.tag))));
            }
            if in_trailer && !trailer {
                return Err((f.tag, format!("field {} appears after the trailer started", self.describe_tag(f.tag))));
            }
            in_trailer |= trailer;
        }
        Ok(())
    }

    /// Where the header ends: after the leading header fields, the entries of a header group
    /// (NoHops <627>, ...) included, whose members are not header fields themselves.
    fn header_end(&self, msg_type: &[u8], fields: Fields<'_>) -> usize {
        let all = fields.as_slice();
        let mut i = 0;
        while i < all.len() && self.header_tags.contains(all[i].tag) {
            i = match self.groups.lookup(msg_type, all[i].tag) {
                // A malformed group ends the header at its count field; the header's own
                // check then says what is wrong with it.
                Some(spec) => scan_group(fields, i, spec, &mut |_| {}).unwrap_or(i + 1),
                None => i + 1,
            };
        }
        i
    }

    /// `Name <tag>`, or the bare tag when it is not defined.
    pub fn describe_tag(&self, tag: u32) -> String {
        match self.fields.get(&tag) {
            Some(f) => format!("{} <{tag}>", f.name),
            None => format!("<{tag}>"),
        }
    }

    /// The message as text, one field a line: tag, name, value and the value's meaning, with
    /// group entries indented.
    pub fn format(&self, msg: &Message<'_>) -> String {
        let all = msg.fields();
        // About 40 bytes of name and padding per field come on top of its bytes on the wire.
        let mut out = Vec::with_capacity(all.buf().len() + 40 * all.len());
        self.format_into(msg, &mut out);
        // Every piece written is text (names, and values read as UTF-8), so this never copies.
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// [`format`](Self::format), appended to `out` as UTF-8 (so that a log is formatted into
    /// one buffer).
    pub fn format_into(&self, msg: &Message<'_>, out: &mut Vec<u8>) {
        let msg_type = msg.msg_type();
        let all = msg.fields();
        let mut i = 0;
        while i < all.len() {
            i = self.format_from(out, all, i, msg_type, None, 0);
        }
    }

    /// Formats the field at `i` (a group with all its entries); returns the next position.
    fn format_from(
        &self,
        out: &mut Vec<u8>,
        run: Fields<'_>,
        i: usize,
        msg_type: &[u8],
        parent: Option<&GroupSpec>,
        depth: usize,
    ) -> usize {
        let field = run.as_slice()[i];
        self.format_line(out, run, field, depth);
        let spec = match parent {
            Some(p) => p.nested(field.tag).cloned(),
            None => self.groups.lookup(msg_type, field.tag).cloned(),
        };
        let Some(spec) = spec else { return i + 1 };
        let rest = Fields::new(run.buf(), &run.as_slice()[i..]);
        let Ok(spans) = rest.group_spans(&spec) else { return i + 1 };
        let mut end = i + 1;
        for span in spans {
            let entry = Fields::new(run.buf(), &rest.as_slice()[span.clone()]);
            let mut j = 0;
            while j < entry.len() {
                j = self.format_from(out, entry, j, msg_type, Some(&spec), depth + 1);
            }
            end = i + span.end;
        }
        end
    }

    fn format_line(&self, out: &mut Vec<u8>, run: Fields<'_>, field: Field, depth: usize) {
        /// Spaces to pad a name with; names are padded to at most 28 characters.
        const SPACES: &[u8; 28] = b"                            ";
        let raw = &run.buf()[field.range()];
        let def = self.fields.get(&field.tag);
        let name = def.map_or("?", |d| d.name.as_str());
        // Written piece by piece rather than through `write!`, whose padding goes a character at
        // a time: `fixwire decode` formats every field of a log this way.
        for _ in 0..depth {
            out.extend_from_slice(b"  ");
        }
        let mut digits = [b' '; 10];
        let mut at = digits.len();
        let mut tag = field.tag;
        loop {
            at -= 1;
            digits[at] = b'0' + (tag % 10) as u8;
            tag /= 10;
            if tag == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at.min(digits.len() - 5)..]);
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        let width = 28usize.saturating_sub(2 * depth);
        let chars = if name.is_ascii() { name.len() } else { name.chars().count() };
        out.extend_from_slice(&SPACES[..width.saturating_sub(chars).min(SPACES.len())]);
        out.extend_from_slice(b" = ");
        // Printable ASCII, most values, is written as it is. Anything else is read as UTF-8
        // (invalid bytes as U+FFFD); data fields may hold SOH and other control bytes, which are
        // shown, not emitted.
        let printable = raw.iter().all(|&b| (0x20..0x7f).contains(&b));
        let read;
        let value: &[u8] = if printable {
            out.extend_from_slice(raw);
            raw
        } else {
            read = lossy_escaped(raw, out);
            &read
        };
        if let Some(meaning) = def.and_then(|d| d.values.iter().find(|(v, _)| v.as_bytes() == value)) {
            out.extend_from_slice(b" (");
            out.extend_from_slice(meaning.1.as_bytes());
            out.push(b')');
        }
        out.push(b'\n');
    }
}

/// Writes `raw` as UTF-8 (invalid bytes as U+FFFD) with control characters as `\xNN`; returns
/// the text read (unescaped), which enum meanings are looked up by.
fn lossy_escaped<'a>(raw: &'a [u8], out: &mut Vec<u8>) -> std::borrow::Cow<'a, [u8]> {
    let value = String::from_utf8_lossy(raw);
    for c in value.chars() {
        if c.is_control() {
            // Control characters are below U+00A0: two hex digits.
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let code = u32::from(c) as usize;
            out.extend_from_slice(&[b'\\', b'x', HEX[code >> 4 & 15], HEX[code & 15]]);
        } else {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    match value {
        std::borrow::Cow::Borrowed(text) => std::borrow::Cow::Borrowed(text.as_bytes()),
        std::borrow::Cow::Owned(text) => std::borrow::Cow::Owned(text.into_bytes()),
    }
}

/// Validation of one message's runs against their layouts.
struct Checker<'d> {
    dict: &'d Dictionary,
    options: ValidationOptions,
    msg_type: &'d str,
    /// Tags met so far in the run being checked; a short list beats a hash set here.
    seen: std::cell::RefCell<Vec<u32>>,
}

impl Checker<'_> {
    /// The spec of the group counted by `count_tag`: nested in `parent`, or of the message.
    fn group_spec<'s>(&'s self, parent: Option<&'s GroupSpec>, count_tag: u32) -> Option<&'s Arc<GroupSpec>> {
        match parent {
            Some(parent) => parent.nested(count_tag),
            None => self.dict.groups.lookup(self.msg_type.as_bytes(), count_tag),
        }
    }

    /// The first required entry of `layout` missing from `run` (and, inside each group entry,
    /// from that entry). `parent` is the group `run` is an entry of.
    fn check_required(&self, run: Fields<'_>, layout: &[Entry], parent: Option<&GroupSpec>) -> Result<(), u32> {
        for entry in layout {
            if !entry.required() {
                continue;
            }
            if !run.contains(entry.tag()) {
                return Err(entry.tag());
            }
        }
        for entry in layout {
            if let Entry::Group { count_tag, layout: members, .. } = entry {
                let Some(spec) = self.group_spec(parent, *count_tag) else { continue };
                // Malformed groups are reported by check_run, with their own reason.
                for span in run.group_spans(spec).unwrap_or_default() {
                    self.check_required(Fields::new(run.buf(), &run.as_slice()[span]), members, Some(spec))?;
                }
            }
        }
        Ok(())
    }

    /// Every field of `run`: defined, in this layout, once, non-empty, of the right format and
    /// value; groups with the right count and order.
    /// `defs` are the field definitions to check with (the transport's for admin messages).
    fn check_run(
        &self,
        run: Fields<'_>,
        layout: &[Entry],
        positions: Option<&FxHashMap<u32, usize>>,
        defs: &FxHashMap<u32, FieldDef>,
        parent: Option<&GroupSpec>,
    ) -> Result<(), (u32, u32, String)> {
        let all = run.as_slice();
        let mark = self.seen.borrow().len();
        let mut i = 0;
        while i < all.len() {
            let field = all[i];
            let tag = field.tag;
            let described = || self.dict.describe_tag(tag);
            {
                let mut seen = self.seen.borrow_mut();
                if seen[mark..].contains(&tag) {
                    return Err((
                        R::TAG_APPEARS_MORE_THAN_ONCE,
                        tag,
                        format!("tag {} appears more than once", described()),
                    ));
                }
                seen.push(tag);
            }
            let user_defined_pass = self.options.allow_user_defined && tag >= 5000;
            let Some(def) = defs.get(&tag) else {
                if user_defined_pass {
                    i += 1;
                    continue;
                }
                return Err((R::UNDEFINED_TAG, tag, format!("tag {tag} is not defined in the dictionary")));
            };
            self.check_value(run, field, def)?;
            let entry = match positions {
                Some(positions) => positions.get(&tag).map(|&i| &layout[i]),
                None => layout.iter().find(|e| e.tag() == tag),
            };
            let Some(entry) = entry else {
                return Err((
                    R::TAG_NOT_DEFINED_FOR_MESSAGE,
                    tag,
                    format!("tag {} is not defined for MsgType {}", described(), self.msg_type),
                ));
            };
            let Entry::Group { layout: members, .. } = entry else {
                i += 1;
                continue;
            };
            let Some(spec) = self.group_spec(parent, tag) else {
                i += 1;
                continue;
            };
            let rest = Fields::new(run.buf(), &all[i..]);
            let spans = rest.group_spans(spec).map_err(|e| {
                let reason = if e.kind == DecodeErrorKind::GroupOrder {
                    R::GROUP_FIELDS_OUT_OF_ORDER
                } else {
                    R::INCORRECT_NUM_IN_GROUP
                };
                (reason, e.tag.unwrap_or(tag), e.reason)
            })?;
            let mut end = i + 1;
            for span in spans {
                let entry = Fields::new(run.buf(), &rest.as_slice()[span.clone()]);
                self.check_run(entry, members, None, defs, Some(spec))?;
                end = i + span.end;
            }
            i = end;
        }
        self.seen.borrow_mut().truncate(mark);
        Ok(())
    }

    fn check_value(&self, run: Fields<'_>, field: Field, def: &FieldDef) -> Result<(), (u32, u32, String)> {
        let value = &run.buf()[field.range()];
        if !def.field_type.accepts(value) {
            return Err((
                R::INCORRECT_DATA_FORMAT,
                field.tag,
                format!(
                    "{} is not a valid {}: {:?}",
                    self.dict.describe_tag(field.tag),
                    def.type_name,
                    String::from_utf8_lossy(value)
                ),
            ));
        }
        if def.allowed.is_empty() {
            return Ok(());
        }
        let ok = if def.field_type == FieldType::MultipleValue {
            value.split(|&b| b == b' ').all(|v| def.allowed.contains(v))
        } else {
            def.allowed.contains(value)
        };
        if ok {
            Ok(())
        } else {
            Err((
                R::VALUE_INCORRECT,
                field.tag,
                format!("{:?} is not a value of {}", String::from_utf8_lossy(value), self.dict.describe_tag(field.tag)),
            ))
        }
    }
}

#[cfg(test)]
mod tests;
