//! Templates: messages of one MsgType whose body is laid out in advance, each variable field
//! checked against a [`Rule`] as it is written.
//!
//! A venue's rules for an order (which characters an id may hold, the price band and step, the
//! enumerations) are data given to the template once. Encoding an order is then one pass: the
//! header, the fixed fields copied, each value checked and written, BodyLength and CheckSum.
//! Nothing is written when a value breaks its rule: the error names the slot and the rule.
//!
//! ```
//! use fixwire::template::{DecimalRule, Part, Rule, Slot, Template, Value};
//! use fixwire::{Decimal, Encoder};
//! let template = Template::new(b"D", vec![
//!     Part::Slot(Slot::new(11, Rule::text(Some(b"0123456789abcdef-"), 36)).named("cl_ord_id")),
//!     Part::Fixed(40, b"2".to_vec()),
//!     Part::Slot(Slot::new(44, Rule::Decimal(DecimalRule {
//!         above: Some(Decimal::new(0, 0)),
//!         below: Some(Decimal::new(1, 0)),
//!         places: Some(4),
//!         ..DecimalRule::default()
//!     })).named("price")),
//! ]).unwrap();
//! let mut enc = Encoder::new("SENDER", "TARGET").unwrap();
//! let time = 1_787_233_501_123_000_000;
//! let order = [Value::Text(b"1f-0a"), Value::Decimal(b"0.5500")];
//! let bytes = enc.encode_template(&template, &order, 7, time).unwrap();
//! let body = b"11=1f-0a\x0140=2\x0144=0.5500\x01"; // Then CheckSum <10>, 7 bytes.
//! assert_eq!(&bytes[bytes.len() - 7 - body.len()..bytes.len() - 7], body);
//! let too_fine = [Value::Text(b"1f-0a"), Value::Decimal(b"0.55555")];
//! let err = enc.encode_template(&template, &too_fine, 8, time).unwrap_err();
//! assert_eq!(err.reason, "price: 0.55555 has more than 4 decimals");
//! ```

use crate::encode::{check_tag, check_value, Encoder, MessageWriter};
use crate::error::{EncodeError, EncodeErrorKind as Kind};
use crate::value::{bool_text, decimal_parts, format_u64, Decimal, UtcTimestamp, MAX_DECIMAL_SCALE};
use crate::SOH;

/// A value for one slot of a [`Template`], as the caller has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// No value: the field is left out (an error for a required slot).
    Absent,
    /// Text, as UTF-8 bytes.
    Text(&'a [u8]),
    /// An integer.
    Int(i64),
    /// A decimal number in the FIX float syntax (`-?[0-9]*(\.[0-9]*)?`).
    Decimal(&'a [u8]),
    /// A Boolean, written `Y` or `N`.
    Bool(bool),
    /// A UTCTimestamp, written at its own precision.
    Timestamp(UtcTimestamp),
    /// An integer beyond 64 bits, in decimal: always an error that names the slot.
    BigInt(&'a str),
    /// A value of a kind no rule accepts, named (a caller's type name): always an error that
    /// names the slot.
    Other(&'a str),
}

impl Value<'_> {
    /// What kind of value this is, for errors.
    fn kind(&self) -> &str {
        match self {
            Self::Other(kind) => kind,
            Self::Absent => "nothing",
            Self::Text(_) => "text",
            Self::Int(_) | Self::BigInt(_) => "an integer",
            Self::Decimal(_) => "a decimal",
            Self::Bool(_) => "a Boolean",
            Self::Timestamp(_) => "a timestamp",
        }
    }
}

/// The bytes a text slot accepts: a table of 256 flags, one load per byte checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ByteSet([bool; 256]);

impl std::fmt::Debug for ByteSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.iter().filter(|&&b| b).count();
        write!(f, "ByteSet({count} bytes)")
    }
}

impl ByteSet {
    /// Every byte but SOH, which no text field may hold.
    pub const ANY: Self = {
        let mut set = [true; 256];
        set[crate::SOH as usize] = false;
        Self(set)
    };

    /// No byte at all.
    pub const EMPTY: Self = Self([false; 256]);

    /// Exactly the bytes of `bytes` (SOH excluded even when listed).
    pub fn of(bytes: &[u8]) -> Self {
        let mut set = [false; 256];
        for &b in bytes {
            set[usize::from(b)] = true;
        }
        set[usize::from(crate::SOH)] = false;
        Self(set)
    }

    /// Whether `byte` is in the set.
    #[inline]
    pub fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte)]
    }

    /// The set for people: its printable ASCII characters, runs of three or more digits or
    /// letters as ranges (`0-9 A-Z _`), then how many other bytes it holds.
    pub fn describe(&self) -> String {
        // Ranges only within digits, upper case or lower case: `/-9` would puzzle anyone.
        let class = |b: u8| match b {
            b'0'..=b'9' => 1,
            b'A'..=b'Z' => 2,
            b'a'..=b'z' => 3,
            _ => 0,
        };
        let mut parts = Vec::new();
        let mut byte = b' ';
        while byte <= b'~' {
            if !self.contains(byte) {
                byte += 1;
                continue;
            }
            let start = byte;
            while byte < b'~' && class(start) != 0 && class(byte + 1) == class(start) && self.contains(byte + 1) {
                byte += 1;
            }
            let run: String = (start..=byte).map(char::from).collect();
            parts.push(if run.len() >= 3 { format!("{}-{}", char::from(start), char::from(byte)) } else { run });
            byte += 1;
        }
        let others = (0..=255u8).filter(|&b| self.contains(b) && !(b' '..=b'~').contains(&b)).count();
        if others > 0 {
            parts.push(format!("and {others} other bytes"));
        }
        parts.join(" ")
    }

    /// Whether the set takes some bytes beyond ASCII but not all: then it could accept a
    /// character made of bytes of two others.
    fn splits_characters(&self) -> bool {
        let high = self.0[128..].iter().filter(|&&b| b).count();
        high != 0 && high != 128
    }
}

/// Which values a decimal slot accepts. Bounds compare by value (`0.5` equals `0.50`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecimalRule {
    /// The value must be greater than this.
    pub above: Option<Decimal>,
    /// The value must be at least this.
    pub at_least: Option<Decimal>,
    /// The value must be less than this.
    pub below: Option<Decimal>,
    /// The value must be at most this.
    pub at_most: Option<Decimal>,
    /// The most fraction digits the value may have, trailing zeros not counted (`0.5500` has
    /// 2); zeros beyond this many are dropped when written.
    pub places: Option<u8>,
    /// Write the value as a whole number of units of `10^-places` (with `places` 2, dollars
    /// `0.55` go out as cents, `55`). Needs `places`.
    pub in_units: bool,
}

/// What a slot accepts. Every rule refuses a value of the wrong kind; the text rules refuse
/// empty text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Text of 1 to `max_len` bytes, each in `allowed`.
    Text {
        /// The bytes the text may hold.
        allowed: Box<ByteSet>,
        /// The most bytes it may have.
        max_len: usize,
    },
    /// Exactly one of these values (text, or an integer compared by its digits), each written
    /// as its wire value.
    OneOf(Vec<Choice>),
    /// An integer from `min` to `max`, both included.
    Int {
        /// The least value accepted.
        min: i64,
        /// The greatest value accepted.
        max: i64,
    },
    /// A decimal (or an integer) within the rule's bounds and places.
    Decimal(DecimalRule),
    /// A Boolean.
    Bool,
    /// A UTCTimestamp.
    Timestamp,
}

impl Rule {
    /// Text of at most `max_len` bytes from `allowed` (any byte but SOH when `None`).
    pub fn text(allowed: Option<&[u8]>, max_len: usize) -> Self {
        Self::Text { allowed: Box::new(allowed.map_or(ByteSet::ANY, ByteSet::of)), max_len }
    }
}

/// One value a [`Rule::OneOf`] accepts and what is written for it: the value itself, or a FIX
/// code for a word (`yes` written `1`).
#[derive(Clone, PartialEq, Eq)]
pub struct Choice {
    /// The value as given.
    pub given: Vec<u8>,
    /// What is written for it.
    pub wire: Vec<u8>,
}

impl std::fmt::Debug for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (given, wire) = (String::from_utf8_lossy(&self.given), String::from_utf8_lossy(&self.wire));
        if given == wire {
            write!(f, "{given:?}")
        } else {
            write!(f, "{given:?}={wire:?}")
        }
    }
}

impl Choice {
    /// A value written as itself.
    pub fn same(value: &[u8]) -> Self {
        Self { given: value.to_vec(), wire: value.to_vec() }
    }
}

/// A field whose value is given at each encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Its tag.
    pub tag: u32,
    /// What it accepts.
    pub rule: Rule,
    /// Whether [`Value::Absent`] is accepted (the field is then left out).
    pub optional: bool,
    /// The name errors give it (the caller's argument name, say); `tag N` when `None`.
    pub name: Option<String>,
}

impl Slot {
    /// A required slot for `tag`.
    pub fn new(tag: u32, rule: Rule) -> Self {
        Self { tag, rule, optional: false, name: None }
    }

    /// The same slot, named `name` in errors.
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// The same slot, left out when given [`Value::Absent`].
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    fn error(&self, kind: Kind, problem: std::fmt::Arguments<'_>) -> EncodeError {
        let reason = match &self.name {
            Some(name) => format!("{name}: {problem}"),
            None => format!("tag {}: {problem}", self.tag),
        };
        EncodeError::new(kind, Some(self.tag), reason)
    }

    fn wrong_kind(&self, value: &Value<'_>) -> EncodeError {
        let wanted = match self.rule {
            Rule::Text { .. } => "text",
            Rule::OneOf(_) => "text or an integer",
            Rule::Int { .. } => "an integer",
            Rule::Decimal(_) => "a decimal, an integer or text",
            Rule::Bool => "a Boolean",
            Rule::Timestamp => "a timestamp",
        };
        self.error(Kind::InvalidValue, format_args!("expected {wanted}, not {}", value.kind()))
    }

    /// Checks `value` and writes the field, `prefix` (`tag=`) first.
    fn write(&self, buf: &mut Vec<u8>, prefix: &[u8], value: Value<'_>) -> Result<(), EncodeError> {
        match (&self.rule, value) {
            (_, Value::Absent) if self.optional => Ok(()),
            (_, Value::Absent) => Err(self.error(Kind::EmptyValue, format_args!("a value is required"))),
            (Rule::Text { allowed, max_len }, Value::Text(text)) => {
                // The set never holds SOH: the text is a valid field value once checked.
                self.check_text(text, allowed, *max_len)?;
                push(buf, prefix, text);
                Ok(())
            }
            (Rule::OneOf(choices), Value::Text(_) | Value::Int(_)) => {
                let mut digits = [0u8; 21];
                let bytes = match value {
                    Value::Int(n) => signed_digits(n, &mut digits),
                    Value::Text(text) => text,
                    _ => unreachable!("matched above"),
                };
                match choices.iter().find(|c| c.given == bytes) {
                    Some(choice) => {
                        push(buf, prefix, &choice.wire);
                        Ok(())
                    }
                    None => Err(self.error(
                        Kind::InvalidValue,
                        format_args!("{:?} is not one of {}", shown(bytes), choice_list(choices)),
                    )),
                }
            }
            (Rule::Int { min, max }, Value::Int(n)) => {
                if n < *min || n > *max {
                    return Err(self.error(Kind::InvalidValue, format_args!("{n} is not within {min} to {max}")));
                }
                let mut digits = [0u8; 21];
                push(buf, prefix, signed_digits(n, &mut digits));
                Ok(())
            }
            (Rule::Decimal(rule), Value::Int(n)) => self.write_decimal(buf, prefix, rule, Decimal::new(n, 0), None),
            (Rule::Decimal(rule), Value::Decimal(text) | Value::Text(text)) => {
                // Trailing fraction zeros change nothing: when the digits do not fit as given
                // (`10.000000000000000000`), they fit without them.
                let number = Decimal::parse(text)
                    .or_else(|e| match decimal_parts(text) {
                        Ok(_) => Decimal::parse(without_trailing_zeros(text)).map_err(|_| e),
                        Err(_) => Err(e),
                    })
                    .map_err(|e| self.error(Kind::InvalidValue, format_args!("{:?}: {e}", shown(text))))?;
                self.write_decimal(buf, prefix, rule, number, Some(text))
            }
            (Rule::Bool, Value::Bool(flag)) => {
                push(buf, prefix, bool_text(flag));
                Ok(())
            }
            (Rule::Timestamp, Value::Timestamp(ts)) => {
                buf.extend_from_slice(prefix);
                ts.write_to(buf);
                buf.push(SOH);
                Ok(())
            }
            (_, Value::BigInt(digits)) => {
                Err(self
                    .error(Kind::InvalidValue, format_args!("{} does not fit in 64 bits", shown(digits.as_bytes()))))
            }
            _ => Err(self.wrong_kind(&value)),
        }
    }

    fn check_text(&self, text: &[u8], allowed: &ByteSet, max_len: usize) -> Result<(), EncodeError> {
        if text.is_empty() {
            return Err(self.error(Kind::EmptyValue, format_args!("text is empty")));
        }
        if text.len() > max_len {
            return Err(self.error(Kind::InvalidValue, format_args!("{} bytes is longer than {max_len}", text.len())));
        }
        // Without an early exit the loop has no branch per byte (the benchmark order encodes in
        // 451 ns rather than 512); a refused value is looked at again below.
        if text.iter().fold(true, |ok, &b| ok & allowed.contains(b)) {
            return Ok(());
        }
        if let Some(at) = text.iter().position(|&b| !allowed.contains(b)) {
            if text[at] == SOH {
                return Err(self.error(Kind::SohInValue, format_args!("value contains SOH at byte {at}")));
            }
            return Err(self.error(
                Kind::InvalidValue,
                format_args!(
                    "{:?} holds a byte not allowed here (0x{:02x}) at byte {at}; allowed: {}",
                    shown(text),
                    text[at],
                    allowed.describe()
                ),
            ));
        }
        Ok(())
    }

    /// Checks `number` (spelled `text` when it came as text) against `rule` and writes it in
    /// its plain form (`.5` goes out as `0.5`, `010` as `10`), its decimals kept.
    fn write_decimal(
        &self,
        buf: &mut Vec<u8>,
        prefix: &[u8],
        rule: &DecimalRule,
        number: Decimal,
        text: Option<&[u8]>,
    ) -> Result<(), EncodeError> {
        let shown = || text.map_or_else(|| number.to_string(), shown);
        let mut number = number;
        if let Some(places) = rule.places {
            if number.scale > places {
                number = number.rescale(places).ok_or_else(|| {
                    self.error(Kind::InvalidValue, format_args!("{} has more than {places} decimals", shown()))
                })?;
            }
        }
        let refuse = |words: &str, bound: Decimal| {
            self.error(Kind::InvalidValue, format_args!("{} is not {words} {bound}", shown()))
        };
        if let Some(bound) = rule.above.filter(|&b| number.cmp_value(b).is_le()) {
            return Err(refuse("greater than", bound));
        }
        if let Some(bound) = rule.at_least.filter(|&b| number.cmp_value(b).is_lt()) {
            return Err(refuse("at least", bound));
        }
        if let Some(bound) = rule.below.filter(|&b| number.cmp_value(b).is_ge()) {
            return Err(refuse("less than", bound));
        }
        if let Some(bound) = rule.at_most.filter(|&b| number.cmp_value(b).is_gt()) {
            return Err(refuse("at most", bound));
        }
        if let (true, Some(places)) = (rule.in_units, rule.places) {
            let units = number.rescale(places).ok_or_else(|| {
                self.error(Kind::InvalidValue, format_args!("{} is out of range in units of 10^-{places}", shown()))
            })?;
            let mut digits = [0u8; 21];
            push(buf, prefix, signed_digits(units.mantissa, &mut digits));
        } else {
            buf.extend_from_slice(prefix);
            number.write_to(buf);
            buf.push(SOH);
        }
        Ok(())
    }
}

/// Text for an error message, cut to 40 characters: a caller's value may be huge.
fn shown(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.into_owned(),
    }
}

/// Appends `prefix` (`tag=`), `value` and SOH.
#[inline]
fn push(buf: &mut Vec<u8>, prefix: &[u8], value: &[u8]) {
    buf.reserve(prefix.len() + value.len() + 1);
    buf.extend_from_slice(prefix);
    buf.extend_from_slice(value);
    buf.push(SOH);
}

/// `text`, a FIX decimal, without its trailing fraction zeros (and a point left bare).
fn without_trailing_zeros(text: &[u8]) -> &[u8] {
    if !text.contains(&b'.') {
        return text;
    }
    let end = text.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
    let text = &text[..end];
    text.strip_suffix(b".").unwrap_or(text)
}

/// `n` in decimal, with its sign, in `digits`.
fn signed_digits(n: i64, digits: &mut [u8; 21]) -> &[u8] {
    let mut magnitude = [0u8; 20];
    let text = format_u64(n.unsigned_abs(), &mut magnitude);
    let start = 21 - text.len() - usize::from(n < 0);
    digits[21 - text.len()..].copy_from_slice(text);
    if n < 0 {
        digits[start] = b'-';
    }
    &digits[start..]
}

fn choice_list(choices: &[Choice]) -> String {
    let names: Vec<String> = choices.iter().map(|c| format!("{:?}", String::from_utf8_lossy(&c.given))).collect();
    names.join(", ")
}

/// One part of a template's body, in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A field with the same value in every message.
    Fixed(u32, Vec<u8>),
    /// A field whose value is given at each encoding.
    Slot(Slot),
}

impl Part {
    /// A fixed Boolean field, written `Y` or `N`.
    pub fn fixed_bool(tag: u32, value: bool) -> Self {
        Self::Fixed(tag, bool_text(value).to_vec())
    }

    /// A fixed decimal field from its digits in the FIX float syntax (see
    /// [`plain_decimal`](crate::value::plain_decimal)); an error naming the field when they are
    /// not a FIX number.
    pub fn fixed_decimal(tag: u32, digits: &[u8]) -> Result<Self, EncodeError> {
        decimal_parts(digits).map_err(|e| {
            let shown = String::from_utf8_lossy(digits);
            EncodeError::new(Kind::InvalidValue, Some(tag), format!("tag {tag}: {e}: {shown} is not a FIX number"))
        })?;
        Ok(Self::Fixed(tag, digits.to_vec()))
    }
}

/// A message of one MsgType laid out in advance: fixed fields and slots, in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    msg_type: Vec<u8>,
    parts: Vec<Part>,
    slots: usize,
    /// Per part, in order: a fixed field's whole bytes (`tag=value<SOH>`), or a slot's `tag=`.
    encoded: Vec<Vec<u8>>,
}

impl Template {
    /// A template for `msg_type` with `parts` after the standard header. Errors on a tag the
    /// encoder writes itself, an unusable fixed value, a rule that admits nothing (an empty
    /// charset or choice, bounds with no value between them), a charset beyond ASCII,
    /// `in_units` without `places`, or `places` above 18.
    pub fn new(msg_type: &[u8], parts: Vec<Part>) -> Result<Self, EncodeError> {
        check_value(35, msg_type)?;
        for part in &parts {
            match part {
                Part::Fixed(tag, value) => {
                    check_tag(*tag)?;
                    check_value(*tag, value)?;
                }
                Part::Slot(slot) => {
                    check_tag(slot.tag)?;
                    check_rule(slot)?;
                }
            }
        }
        let slots = parts.iter().filter(|p| matches!(p, Part::Slot(_))).count();
        let encoded = parts
            .iter()
            .map(|part| match part {
                Part::Fixed(tag, value) => {
                    format!("{tag}=").into_bytes().into_iter().chain(value.iter().copied()).chain([SOH]).collect()
                }
                Part::Slot(slot) => format!("{}=", slot.tag).into_bytes(),
            })
            .collect();
        Ok(Self { msg_type: msg_type.to_vec(), parts, slots, encoded })
    }

    /// MsgType <35>.
    pub fn msg_type(&self) -> &[u8] {
        &self.msg_type
    }

    /// The parts, in wire order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// How many values an encoding takes.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Errors unless `values` is [`slots`](Self::slots): for callers that check the count
    /// before pushing the values one by one.
    pub fn check_count(&self, values: usize) -> Result<(), EncodeError> {
        if values == self.slots {
            return Ok(());
        }
        Err(EncodeError::new(
            Kind::InvalidValue,
            None,
            format!("{values} values for a template of {} slots", self.slots),
        ))
    }
}

fn check_rule(slot: &Slot) -> Result<(), EncodeError> {
    let problem = match &slot.rule {
        Rule::Text { allowed, max_len } if *max_len == 0 || **allowed == ByteSet::EMPTY => {
            "a text rule must admit at least one byte and a length of at least 1"
        }
        Rule::Text { allowed, .. } if allowed.splits_characters() => {
            "a charset holds ASCII characters only (the rule checks bytes)"
        }
        Rule::OneOf(choices) if choices.is_empty() => "a choice needs at least one value",
        Rule::OneOf(choices) => {
            for choice in choices {
                check_value(slot.tag, &choice.wire)?;
            }
            return Ok(());
        }
        Rule::Int { min, max } if min > max => "the least integer is greater than the greatest",
        Rule::Decimal(rule) if rule.in_units && rule.places.is_none() => "in_units needs places",
        Rule::Decimal(rule) if rule.places.is_some_and(|p| p > MAX_DECIMAL_SCALE) => {
            "places must be at most 18, the most a decimal here carries"
        }
        Rule::Decimal(rule) if admits_nothing(rule) => "the bounds admit no value",
        _ => return Ok(()),
    };
    Err(slot.error(Kind::InvalidValue, format_args!("{problem}")))
}

/// Whether a decimal rule's lower bounds are at or above its upper ones.
fn admits_nothing(rule: &DecimalRule) -> bool {
    let lower = [(rule.above, false), (rule.at_least, true)];
    let upper = [(rule.below, false), (rule.at_most, true)];
    lower.iter().filter_map(|&(b, inclusive)| Some((b?, inclusive))).any(|(low, low_in)| {
        upper.iter().filter_map(|&(b, inclusive)| Some((b?, inclusive))).any(|(high, high_in)| {
            let order = low.cmp_value(high);
            order.is_gt() || (order.is_eq() && !(low_in && high_in))
        })
    })
}

/// Writes a template's body value by value: each [`push`](Self::push) checks and writes the
/// next slot, with the fixed fields before it. Dropping the writer abandons the message.
#[derive(Debug)]
pub struct TemplateWriter<'e, 't> {
    writer: MessageWriter<'e>,
    parts: std::iter::Zip<std::slice::Iter<'t, Part>, std::slice::Iter<'t, Vec<u8>>>,
}

impl<'e, 't> TemplateWriter<'e, 't> {
    /// Starts `template`'s message on `encoder`; see [`Encoder::start`]. Errors when a tag of
    /// the template is one of the encoder's data fields or their lengths: templates do not
    /// write data fields.
    pub fn start(
        encoder: &'e mut Encoder,
        template: &'t Template,
        seq_num: u64,
        sending_time: i64,
    ) -> Result<Self, EncodeError> {
        let writer = encoder.start(&template.msg_type, seq_num, sending_time)?;
        for part in &template.parts {
            let tag = match part {
                Part::Fixed(tag, _) => *tag,
                Part::Slot(slot) => slot.tag,
            };
            if writer.is_data_or_length(tag) {
                return Err(EncodeError::new(
                    Kind::InvalidTag,
                    Some(tag),
                    format!("tag {tag} is a data field or its length, which templates do not write"),
                ));
            }
        }
        Ok(Self { writer, parts: template.parts.iter().zip(&template.encoded) })
    }

    /// Writes the fixed fields up to the next slot and returns that slot and its `tag=`, if
    /// any is left.
    fn next_slot(&mut self) -> Option<(&'t Slot, &'t [u8])> {
        for (part, encoded) in self.parts.by_ref() {
            match part {
                Part::Fixed(..) => self.writer.with_vec(|buf| buf.extend_from_slice(encoded)),
                Part::Slot(slot) => return Some((slot, encoded)),
            }
        }
        None
    }

    /// Checks `value` against the next slot's rule and writes it.
    pub fn push(&mut self, value: Value<'_>) -> Result<(), EncodeError> {
        match self.next_slot() {
            Some((slot, prefix)) => self.writer.with_vec(|buf| slot.write(buf, prefix, value)),
            None => Err(EncodeError::new(Kind::InvalidValue, None, "more values than the template has slots")),
        }
    }

    /// Writes the fixed fields after the last slot, BeginString, BodyLength and CheckSum, and
    /// returns the whole message. Errors when a slot was not given a value.
    pub fn finish(mut self) -> Result<&'e [u8], EncodeError> {
        if let Some((slot, _)) = self.next_slot() {
            return Err(slot.error(Kind::EmptyValue, format_args!("no value was given")));
        }
        self.writer.finish()
    }
}

impl Encoder {
    /// Encodes `template` with `values`, one per slot in order; see [`TemplateWriter`].
    pub fn encode_template(
        &mut self,
        template: &Template,
        values: &[Value<'_>],
        seq_num: u64,
        sending_time: i64,
    ) -> Result<&[u8], EncodeError> {
        template.check_count(values.len())?;
        let mut writer = TemplateWriter::start(self, template, seq_num, sending_time)?;
        for &value in values {
            writer.push(value)?;
        }
        writer.finish()
    }
}

#[cfg(test)]
mod tests;
