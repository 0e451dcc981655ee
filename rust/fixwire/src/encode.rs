//! Encoding into one reusable buffer, with BodyLength <9> and CheckSum <10> computed.
//!
//! The body is written after a reserved head room; when the message is finished, BeginString and
//! BodyLength are written right-aligned into that room, so the header never has to be moved.
//! The standard header is 8, 9, 35, 49, 56, 34, 52, then the fields the caller pushes, in order.
//!
//! ```
//! use fixwire::{Decimal, Encoder};
//! let mut enc = Encoder::new("SENDER", "TARGET").unwrap();
//! let mut msg = enc.start(b"D", 7, 1_787_233_501_123_000_000).unwrap();
//! msg.str(11, "id-1").unwrap().decimal(38, Decimal::new(10, 0)).unwrap();
//! let bytes = msg.finish().unwrap();
//! let body = b"35=D\x0149=SENDER\x0156=TARGET\x0134=7\x0152=20260820-13:45:01.123\x0111=id-1\x0138=10\x01";
//! assert!(bytes.starts_with(b"8=FIXT.1.1\x019=69\x01"));
//! assert_eq!(&bytes[16..16 + body.len()], body);
//! ```

use crate::decode::{DataFields, FieldIndex, ParseOptions};
use crate::error::{EncodeError, EncodeErrorKind as Kind, Error};
use crate::value::{bool_text, format_u64, Date, Decimal, TimePrecision, UtcTimestamp};
use crate::SOH;

/// The largest body BodyLength <9> may describe here: seven digits.
pub const MAX_BODY_LENGTH: usize = 9_999_999;
const LENGTH_DIGITS: usize = 7;

/// The largest tag the parser reads back (nine digits).
const MAX_TAG: u32 = 999_999_999;

/// Tags the encoder writes itself and refuses in the body.
const HEADER_TAGS: [u32; 8] = [8, 9, 10, 34, 35, 49, 52, 56];

/// A FIX encoder for one session's header: BeginString, SenderCompID, TargetCompID and the
/// SendingTime precision. Reuse it: its buffer and SendingTime cache survive between messages.
#[derive(Debug, Clone)]
pub struct Encoder {
    begin_string: Vec<u8>,
    sender: Vec<u8>,
    target: Vec<u8>,
    precision: TimePrecision,
    data_fields: DataFields,
    buf: Vec<u8>,
    /// `49=<SenderCompID><SOH>56=<TargetCompID><SOH>`, the same in every message.
    parties: Vec<u8>,
    /// `8=<BeginString><SOH>9=`, the same in every message.
    begin: Vec<u8>,
    /// `8=<BeginString><SOH>9=` and the room for BodyLength's digits and SOH.
    head_room: usize,
    time_cache: TimeCache,
}

/// The last SendingTime formatted, keyed by its value in units of the precision.
#[derive(Debug, Clone, Default)]
struct TimeCache {
    key: Option<i64>,
    text: Vec<u8>,
}

impl Encoder {
    /// An encoder for FIXT.1.1 messages from `sender` to `target`, SendingTime in milliseconds.
    pub fn new(sender: &str, target: &str) -> Result<Self, EncodeError> {
        Self::with_begin_string(sender, target, "FIXT.1.1")
    }

    /// An encoder with another BeginString <8> (for example `FIX.4.4`).
    pub fn with_begin_string(sender: &str, target: &str, begin_string: &str) -> Result<Self, EncodeError> {
        let sender = header_value(49, sender)?;
        let target = header_value(56, target)?;
        let begin_string = header_value(8, begin_string)?;
        if !crate::frame::plausible_begin_string(&begin_string) {
            return Err(EncodeError::new(
                Kind::InvalidValue,
                Some(8),
                format!(
                    "BeginString {:?} is not 1 to 16 letters, digits and dots, which framers look for",
                    String::from_utf8_lossy(&begin_string)
                ),
            ));
        }
        let parties = [&b"49="[..], &sender, &[SOH], b"56=", &target, &[SOH]].concat();
        let begin = [&b"8="[..], &begin_string, &[SOH], b"9="].concat();
        let head_room = begin.len() + LENGTH_DIGITS + 1;
        Ok(Self {
            begin_string,
            sender,
            target,
            precision: TimePrecision::Millis,
            data_fields: DataFields::standard(),
            buf: Vec::with_capacity(512),
            parties,
            begin,
            head_room,
            time_cache: TimeCache::default(),
        })
    }

    /// Sets the SendingTime <52> precision (milliseconds by default, as Kalshi requires).
    #[must_use]
    pub fn time_precision(mut self, precision: TimePrecision) -> Self {
        self.precision = precision;
        self.time_cache = TimeCache::default();
        self
    }

    /// Sets the data fields whose length field [`MessageWriter::bytes`] writes first.
    #[must_use]
    pub fn data_fields(mut self, data_fields: DataFields) -> Self {
        self.data_fields = data_fields;
        self
    }

    /// BeginString <8>.
    pub fn begin_string(&self) -> &[u8] {
        &self.begin_string
    }

    /// SenderCompID <49>.
    pub fn sender(&self) -> &[u8] {
        &self.sender
    }

    /// TargetCompID <56>.
    pub fn target(&self) -> &[u8] {
        &self.target
    }

    /// The SendingTime precision.
    pub fn precision(&self) -> TimePrecision {
        self.precision
    }

    /// Starts a message of `msg_type` with MsgSeqNum `seq_num`, sent at `sending_time`
    /// (nanoseconds since the Unix epoch; see [`now_unix_nanos`]). The header is written; push
    /// the body with the returned writer and [`MessageWriter::finish`] it.
    pub fn start(
        &mut self,
        msg_type: &[u8],
        seq_num: u64,
        sending_time: i64,
    ) -> Result<MessageWriter<'_>, EncodeError> {
        check_value(35, msg_type)?;
        self.format_sending_time(sending_time)?;
        let Self { buf, parties, time_cache, head_room, .. } = self;
        buf.clear();
        buf.resize(*head_room, 0);
        // The header's tags are spelled out: this runs for every message.
        let mut digits = [0u8; 20];
        let seq_num = format_u64(seq_num, &mut digits);
        buf.extend_from_slice(b"35=");
        buf.extend_from_slice(msg_type);
        buf.push(SOH);
        buf.extend_from_slice(parties);
        for (tag, value) in [(&b"34="[..], seq_num), (b"52=", &time_cache.text)] {
            buf.extend_from_slice(tag);
            buf.extend_from_slice(value);
            buf.push(SOH);
        }
        Ok(MessageWriter { encoder: self })
    }

    /// Formats SendingTime at the encoder's precision into the cache, unless the same
    /// millisecond (or microsecond, ...) is already there.
    fn format_sending_time(&mut self, unix_nanos: i64) -> Result<(), EncodeError> {
        let key = unix_nanos.div_euclid(i64::from(self.precision.unit_nanos()));
        if self.time_cache.key != Some(key) {
            let ts = UtcTimestamp::from_unix_nanos(i128::from(unix_nanos), self.precision).ok_or_else(|| {
                EncodeError::new(Kind::InvalidValue, Some(52), "SendingTime <52> is outside years 0-9999")
            })?;
            self.time_cache.text.clear();
            ts.write_to(&mut self.time_cache.text);
            self.time_cache.key = Some(key);
        }
        Ok(())
    }

    /// A copy of `original`, a message this session sent, for a resend: PossDupFlag <43>=Y,
    /// OrigSendingTime <122> set to the original SendingTime <52> (or kept, when the original
    /// was itself a resend), SendingTime set to `sending_time`, BodyLength <9> and CheckSum <10>
    /// recomputed. Every other byte, the body with its groups and data fields included, is
    /// copied unchanged, so a resend never re-encodes what the application sent.
    pub fn possible_duplicate(&mut self, original: &[u8], sending_time: i64) -> Result<&[u8], Error> {
        let mut index = FieldIndex::new();
        index.parse(original, &ParseOptions { data_fields: self.data_fields.clone(), ..ParseOptions::default() })?;
        let fields = index.fields();
        // The parser guarantees 8, 9 and 35 first and 10 last.
        let body_start =
            fields[2..].iter().position(|f| !is_standard_header(f.tag)).map_or(fields.len() - 1, |i| i + 2);
        let header = &fields[2..body_start];
        let original_time = header.iter().find(|f| f.tag == 52).ok_or_else(|| {
            EncodeError::new(Kind::InvalidValue, Some(52), "the original message has no SendingTime <52> in its header")
        })?;
        let first_sent = header.iter().find(|f| f.tag == 122).unwrap_or(original_time);
        let first_sent = &original[first_sent.range()];
        self.format_sending_time(sending_time)?;
        let Self { buf, time_cache, head_room, .. } = self;
        buf.clear();
        buf.resize(*head_room, 0);
        for field in header {
            match field.tag {
                43 | 122 => {}
                52 => {
                    push_field(buf, 52, &time_cache.text);
                    push_field(buf, 43, b"Y");
                    push_field(buf, 122, first_sent);
                }
                _ => buf.extend_from_slice(&original[field.offset()..=field.end as usize]),
            }
        }
        buf.extend_from_slice(&original[fields[body_start].offset()..fields[fields.len() - 1].offset()]);
        Ok(self.seal()?)
    }

    /// Writes BeginString, BodyLength and CheckSum around the body in the buffer and returns
    /// the whole message.
    fn seal(&mut self) -> Result<&[u8], EncodeError> {
        let head_room = self.head_room;
        let body_length = self.buf.len() - head_room;
        if body_length > MAX_BODY_LENGTH {
            return Err(EncodeError::new(
                Kind::TooLarge,
                None,
                format!("message body is {body_length} bytes, more than {MAX_BODY_LENGTH}"),
            ));
        }
        let mut digits = [0u8; 20];
        let length = format_u64(body_length as u64, &mut digits);
        let start = head_room - (self.begin.len() + length.len() + 1);
        let at = start + self.begin.len();
        self.buf[start..at].copy_from_slice(&self.begin);
        self.buf[at..head_room - 1].copy_from_slice(length);
        self.buf[head_room - 1] = SOH;
        let sum = crate::checksum(&self.buf[start..]);
        self.buf.extend_from_slice(&[b'1', b'0', b'=', b'0' + sum / 100, b'0' + sum / 10 % 10, b'0' + sum % 10, SOH]);
        Ok(&self.buf[start..])
    }
}

/// The current time in nanoseconds since the Unix epoch, for [`Encoder::start`].
pub fn now_unix_nanos() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_nanos()).unwrap_or(i64::MAX)
}

/// `seconds` since the Unix epoch (as a clock's `f64` gives them) in nanoseconds, rounded to the
/// microsecond: such a float resolves about 0.2 µs today, so finer digits are noise, and
/// truncating would turn .123 into .122999. `None` when not finite or outside what an `i64` of
/// nanoseconds holds (years 1677-2262).
pub fn unix_nanos_from_seconds(seconds: f64) -> Option<i64> {
    let micros = (seconds * 1e6 + 0.5).floor();
    // Both bounds are exact in an f64 and inside i64::MAX / 1000.
    (micros.is_finite() && micros.abs() < 9.2e15).then(|| micros as i64 * 1_000)
}

/// MsgSeqNum <34> from a caller's integer: positive.
pub fn seq_num(n: i64) -> Result<u64, EncodeError> {
    u64::try_from(n).ok().filter(|&n| n > 0).ok_or_else(|| {
        EncodeError::new(Kind::InvalidValue, Some(34), format!("MsgSeqNum <34> must be positive, not {n}"))
    })
}

/// A tag from a caller's integer: positive and within 32 bits.
pub fn tag_number(n: i64) -> Result<u32, EncodeError> {
    u32::try_from(n).ok().filter(|&t| t > 0).ok_or_else(|| {
        EncodeError::new(Kind::InvalidTag, None, format!("tag {n} is not a FIX tag (tags are positive integers)"))
    })
}

/// A tag given as the digits of an integer too large for 64 bits: always an error.
pub fn tag_out_of_range(digits: &str) -> EncodeError {
    EncodeError::new(Kind::InvalidTag, None, format!("tag {digits} is out of range"))
}

fn sending_time_out_of_range() -> EncodeError {
    EncodeError::new(Kind::InvalidValue, Some(52), "SendingTime <52> must be within years 1677-2262")
}

/// SendingTime <52> for [`Encoder::start`] from `seconds` since the Unix epoch (see
/// [`unix_nanos_from_seconds`]); an error outside years 1677-2262.
pub fn sending_time_from_seconds(seconds: f64) -> Result<i64, EncodeError> {
    unix_nanos_from_seconds(seconds).ok_or_else(sending_time_out_of_range)
}

/// SendingTime <52> for [`Encoder::start`] from a timestamp; an error outside years 1677-2262.
pub fn sending_time_from_timestamp(time: UtcTimestamp) -> Result<i64, EncodeError> {
    i64::try_from(time.unix_nanos()).map_err(|_| sending_time_out_of_range())
}

/// Writes the body of one message; every push checks its arguments first and writes nothing
/// when they are wrong. Dropping the writer without [`finish`](Self::finish) abandons the message.
#[derive(Debug)]
pub struct MessageWriter<'e> {
    encoder: &'e mut Encoder,
}

impl<'e> MessageWriter<'e> {
    /// A text field. Empty text and SOH are errors.
    pub fn str(&mut self, tag: u32, value: &str) -> Result<&mut Self, EncodeError> {
        self.bytes(tag, value.as_bytes())
    }

    /// A usable body tag that is not a data field's length, which the encoder writes itself.
    fn check_not_length(&self, tag: u32) -> Result<(), EncodeError> {
        check_tag(tag)?;
        match self.encoder.data_fields.data_tag_for(tag) {
            Some(data_tag) => Err(EncodeError::new(
                Kind::InvalidTag,
                Some(tag),
                format!("tag {tag} is the length of data field {data_tag}, which the encoder writes with it"),
            )),
            None => Ok(()),
        }
    }

    /// A field from raw bytes. For a data tag (RawData <96>, ...) its length field is written
    /// first and the bytes may contain SOH; anywhere else SOH is an error.
    pub fn bytes(&mut self, tag: u32, value: &[u8]) -> Result<&mut Self, EncodeError> {
        self.check_not_length(tag)?;
        if let Some(length_tag) = self.encoder.data_fields.length_tag_for(tag) {
            if value.is_empty() {
                return Err(EncodeError::new(Kind::EmptyValue, Some(tag), "data field value is empty"));
            }
            push_uint(&mut self.encoder.buf, length_tag, value.len() as u64);
        } else {
            check_value(tag, value)?;
        }
        push_field(&mut self.encoder.buf, tag, value);
        Ok(self)
    }

    /// An int field.
    pub fn int(&mut self, tag: u32, value: i64) -> Result<&mut Self, EncodeError> {
        self.check_not_length(tag)?;
        push_tag(&mut self.encoder.buf, tag);
        if value < 0 {
            self.encoder.buf.push(b'-');
        }
        let mut digits = [0u8; 20];
        self.encoder.buf.extend_from_slice(format_u64(value.unsigned_abs(), &mut digits));
        self.encoder.buf.push(SOH);
        Ok(self)
    }

    /// An unsigned int field (SeqNum, Length, NumInGroup).
    pub fn uint(&mut self, tag: u32, value: u64) -> Result<&mut Self, EncodeError> {
        self.check_not_length(tag)?;
        push_uint(&mut self.encoder.buf, tag, value);
        Ok(self)
    }

    /// A decimal at its natural scale: `Decimal::new(550, 3)` writes `0.550`.
    pub fn decimal(&mut self, tag: u32, value: Decimal) -> Result<&mut Self, EncodeError> {
        check_tag(tag)?;
        push_tag(&mut self.encoder.buf, tag);
        value.write_to(&mut self.encoder.buf);
        self.encoder.buf.push(SOH);
        Ok(self)
    }

    /// A decimal at exactly `scale` fraction digits; an error when that would drop a non-zero
    /// digit (`0.555` at scale 2), never a rounding.
    pub fn decimal_fixed(&mut self, tag: u32, value: Decimal, scale: u8) -> Result<&mut Self, EncodeError> {
        let fixed = value.rescale(scale).ok_or_else(|| {
            EncodeError::new(
                Kind::InvalidValue,
                Some(tag),
                format!("{value} cannot be written with exactly {scale} decimals"),
            )
        })?;
        self.decimal(tag, fixed)
    }

    /// A decimal given as text, written as is after checking the FIX float syntax
    /// (`-?[0-9]*(\.[0-9]*)?`, no exponent). Any number of digits.
    pub fn decimal_text(&mut self, tag: u32, value: &[u8]) -> Result<&mut Self, EncodeError> {
        check_tag(tag)?;
        crate::value::decimal_parts(value).map_err(|e| {
            EncodeError::new(Kind::InvalidValue, Some(tag), format!("{e}: {:?}", String::from_utf8_lossy(value)))
        })?;
        push_field(&mut self.encoder.buf, tag, value);
        Ok(self)
    }

    /// A char field. SOH is an error.
    pub fn char(&mut self, tag: u32, value: u8) -> Result<&mut Self, EncodeError> {
        self.bytes(tag, &[value])
    }

    /// A Boolean field, `Y` or `N`.
    pub fn bool(&mut self, tag: u32, value: bool) -> Result<&mut Self, EncodeError> {
        self.bytes(tag, bool_text(value))
    }

    /// A binary floating-point number: always an error ([`EncodeErrorKind::WrongType`]), because
    /// its digits are not the decimal its writer meant (0.1 is 0.1000000000000000055...). Give
    /// a decimal or text instead. For bindings, which forward whatever value they are given;
    /// the wording names the Python types.
    ///
    /// [`EncodeErrorKind::WrongType`]: crate::EncodeErrorKind::WrongType
    pub fn float(&mut self, tag: u32, value: f64) -> Result<&mut Self, EncodeError> {
        let _ = value;
        Err(EncodeError::new(
            Kind::WrongType,
            None,
            format!("tag {tag}: float values are not exact; pass a decimal.Decimal or a str"),
        ))
    }

    /// An integer wider than 64 bits, given as its digits: always an error.
    pub fn big_int(&mut self, tag: u32, digits: &str) -> Result<&mut Self, EncodeError> {
        Err(EncodeError::new(Kind::InvalidValue, Some(tag), format!("integer {digits} does not fit in 64 bits")))
    }

    /// A value of a type with no FIX form, named by its type name in the caller's language:
    /// always an error ([`EncodeErrorKind::WrongType`]). The wording names the Python types.
    ///
    /// [`EncodeErrorKind::WrongType`]: crate::EncodeErrorKind::WrongType
    pub fn unsupported(&mut self, tag: u32, type_name: &str) -> Result<&mut Self, EncodeError> {
        Err(EncodeError::new(
            Kind::WrongType,
            None,
            format!(
                "tag {tag}: cannot encode a {type_name} (use str, int, Decimal, bool, bytes, datetime, date or a list \
                 of entries)"
            ),
        ))
    }

    /// A UTCTimestamp field at the timestamp's own precision.
    pub fn timestamp(&mut self, tag: u32, value: UtcTimestamp) -> Result<&mut Self, EncodeError> {
        check_tag(tag)?;
        push_tag(&mut self.encoder.buf, tag);
        value.write_to(&mut self.encoder.buf);
        self.encoder.buf.push(SOH);
        Ok(self)
    }

    /// A UTCDateOnly or LocalMktDate field.
    pub fn date(&mut self, tag: u32, value: Date) -> Result<&mut Self, EncodeError> {
        check_tag(tag)?;
        push_tag(&mut self.encoder.buf, tag);
        value.write_to(&mut self.encoder.buf);
        self.encoder.buf.push(SOH);
        Ok(self)
    }

    /// A repeating group's NumInGroup field; push the `entries` entries' fields after it, each
    /// starting with the group's delimiter.
    pub fn group(&mut self, count_tag: u32, entries: usize) -> Result<&mut Self, EncodeError> {
        self.uint(count_tag, entries as u64)
    }

    /// The buffer, for writers in this crate that checked their fields themselves.
    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.encoder.buf
    }

    /// Whether `tag` is a data field or a data field's length for this encoder.
    pub(crate) fn is_data_or_length(&self, tag: u32) -> bool {
        let data_fields = &self.encoder.data_fields;
        data_fields.length_tag_for(tag).is_some() || data_fields.data_tag_for(tag).is_some()
    }

    /// Writes BeginString, BodyLength and CheckSum and returns the whole message.
    pub fn finish(self) -> Result<&'e [u8], EncodeError> {
        self.encoder.seal()
    }
}

#[inline]
fn push_tag(buf: &mut Vec<u8>, tag: u32) {
    if let Some((block, len)) = short_tag(tag) {
        // A copy of known size compiles to one store, where copying the digits alone would call
        // `memcpy` and then push `=` with a capacity check of its own.
        let end = buf.len() + len;
        buf.extend_from_slice(&block.to_le_bytes());
        buf.truncate(end);
    } else {
        let mut digits = [0u8; 20];
        buf.extend_from_slice(format_u64(u64::from(tag), &mut digits));
        buf.push(b'=');
    }
}

/// A tag of up to five digits and its `=`, as the first bytes of a little-endian word, and how
/// many bytes that is; `None` for a longer tag.
#[inline]
fn short_tag(tag: u32) -> Option<(u64, usize)> {
    // The digit `tag / place % 10`, as ASCII.
    let digit = |place: u32| u64::from(b'0') + u64::from(tag / place % 10);
    let equals = u64::from(b'=');
    Some(match tag {
        0..=9 => (digit(1) | equals << 8, 2),
        10..=99 => (digit(10) | digit(1) << 8 | equals << 16, 3),
        100..=999 => (digit(100) | digit(10) << 8 | digit(1) << 16 | equals << 24, 4),
        1000..=9999 => (digit(1000) | digit(100) << 8 | digit(10) << 16 | digit(1) << 24 | equals << 32, 5),
        10_000..=99_999 => {
            (digit(10_000) | digit(1000) << 8 | digit(100) << 16 | digit(10) << 24 | digit(1) << 32 | equals << 40, 6)
        }
        _ => return None,
    })
}

fn push_field(buf: &mut Vec<u8>, tag: u32, value: &[u8]) {
    // One capacity check for the whole field: tag digits, '=', value, SOH.
    buf.reserve(10 + 1 + value.len() + 1);
    push_tag(buf, tag);
    buf.extend_from_slice(value);
    buf.push(SOH);
}

fn push_uint(buf: &mut Vec<u8>, tag: u32, value: u64) {
    let mut digits = [0u8; 20];
    push_field(buf, tag, format_u64(value, &mut digits));
}

/// The standard header's tags in FIXT.1.1 (and FIX 4.x), which come before the body.
fn is_standard_header(tag: u32) -> bool {
    matches!(
        tag,
        8 | 9
            | 34
            | 35
            | 43
            | 49
            | 50
            | 52
            | 56
            | 57
            | 90
            | 91
            | 97
            | 115
            | 116
            | 122
            | 128
            | 129
            | 142
            | 143
            | 144
            | 145
            | 212
            | 213
            | 347
            | 369
            | 627..=630 | 1128 | 1129 | 1156
    )
}

pub(crate) fn check_tag(tag: u32) -> Result<(), EncodeError> {
    if tag == 0 {
        return Err(EncodeError::new(Kind::InvalidTag, Some(0), "tag 0 is not a FIX tag"));
    }
    if tag > MAX_TAG {
        return Err(EncodeError::new(Kind::InvalidTag, Some(tag), format!("tag {tag} has more than nine digits")));
    }
    if HEADER_TAGS.contains(&tag) {
        return Err(EncodeError::new(
            Kind::InvalidTag,
            Some(tag),
            format!("tag {tag} is part of the standard header or trailer, which the encoder writes"),
        ));
    }
    Ok(())
}

pub(crate) fn check_value(tag: u32, value: &[u8]) -> Result<(), EncodeError> {
    if value.is_empty() {
        return Err(EncodeError::new(Kind::EmptyValue, Some(tag), "value is empty"));
    }
    if let Some(at) = crate::find_soh(value) {
        return Err(EncodeError::new(Kind::SohInValue, Some(tag), format!("value contains SOH at byte {at}")));
    }
    Ok(())
}

fn header_value(tag: u32, value: &str) -> Result<Vec<u8>, EncodeError> {
    check_value(tag, value.as_bytes())?;
    Ok(value.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FieldIndex, ParseOptions};

    const T: i64 = 1_787_233_501_123_456_789;

    #[test]
    fn tags_are_written_as_their_digits_and_equals_after_what_is_there() {
        let tags = (1..=200_000).chain([999_999, 1_000_000, 999_999_999, u32::MAX]);
        for tag in tags {
            let mut buf = b"35=D\x01".to_vec();
            push_tag(&mut buf, tag);
            assert_eq!(buf, format!("35=D\x01{tag}=").as_bytes(), "tag {tag}");
        }
    }

    #[test]
    fn seconds_round_to_the_microsecond() {
        let instant = 1_787_236_205_123_456_000;
        let seconds: f64 = 1_787_236_205.123_456;
        // The floats on either side of the instant come back to it.
        for s in [seconds, f64::from_bits(seconds.to_bits() - 1), f64::from_bits(seconds.to_bits() + 1)] {
            assert_eq!(unix_nanos_from_seconds(s), Some(instant), "{s}");
        }
        assert_eq!(unix_nanos_from_seconds(-1.5), Some(-1_500_000_000));
        for bad in [f64::NAN, f64::INFINITY, 1e300, -1e300, 9.3e9] {
            assert_eq!(unix_nanos_from_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn header_order_body_length_and_checksum() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"0", 1, T).unwrap();
        w.str(112, "ping").unwrap();
        let bytes = w.finish().unwrap().to_vec();
        let expected_body = "35=0\x0149=S\x0156=T\x0134=1\x0152=20260820-13:45:01.123\x01112=ping\x01";
        let head = format!("8=FIXT.1.1\x019={}\x01{expected_body}", expected_body.len());
        let sum = crate::checksum(head.as_bytes());
        assert_eq!(bytes, format!("{head}10={sum:03}\x01").into_bytes());
        let mut index = FieldIndex::new();
        index.parse(&bytes, &ParseOptions::default()).unwrap();
    }

    #[test]
    fn typed_pushes_round_trip() {
        let mut enc = Encoder::with_begin_string("S", "T", "FIX.4.4").unwrap().time_precision(TimePrecision::Micros);
        let mut w = enc.start(b"D", 42, T).unwrap();
        w.int(1, -5).unwrap().uint(2, 7).unwrap().decimal(44, Decimal::new(55, 2)).unwrap();
        w.decimal_fixed(38, Decimal::new(10, 0), 2).unwrap().char(54, b'1').unwrap().bool(141, true).unwrap();
        w.bytes(96, b"sig\x01with\x01soh").unwrap().decimal_text(6, b"123456789012345678901.5").unwrap();
        w.group(453, 1).unwrap().str(448, "p").unwrap().int(452, 24).unwrap();
        w.timestamp(60, UtcTimestamp::parse(b"20260820-13:45:01.123456789").unwrap()).unwrap();
        w.date(75, Date::parse(b"20260820").unwrap()).unwrap();
        let bytes = w.finish().unwrap().to_vec();
        let mut index = FieldIndex::new();
        index.parse(&bytes, &ParseOptions::default()).unwrap();
        let m = index.view(&bytes);
        assert_eq!(m.begin_string(), b"FIX.4.4");
        assert_eq!(m.get(52), Some(&b"20260820-13:45:01.123456"[..]));
        assert_eq!(m.get_i64(1).unwrap(), Some(-5));
        assert_eq!(m.get(44), Some(&b"0.55"[..]));
        assert_eq!(m.get(38), Some(&b"10.00"[..]));
        assert_eq!(m.get(95), Some(&b"12"[..]));
        assert_eq!(m.get(96), Some(&b"sig\x01with\x01soh"[..]));
        assert_eq!(m.get(6), Some(&b"123456789012345678901.5"[..]));
        assert_eq!(m.get(141), Some(&b"Y"[..]));
        assert_eq!(m.get(60), Some(&b"20260820-13:45:01.123456789"[..]));
    }

    #[test]
    fn bad_arguments_are_refused() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"D", 1, T).unwrap();
        assert_eq!(w.str(0, "x").unwrap_err().kind, Kind::InvalidTag);
        assert_eq!(w.str(35, "x").unwrap_err().kind, Kind::InvalidTag);
        assert_eq!(w.str(58, "").unwrap_err().kind, Kind::EmptyValue);
        assert_eq!(w.str(58, "a\x01b").unwrap_err().kind, Kind::SohInValue);
        assert_eq!(w.char(54, SOH).unwrap_err().kind, Kind::SohInValue);
        assert_eq!(w.decimal_fixed(44, Decimal::new(555, 3), 2).unwrap_err().kind, Kind::InvalidValue);
        assert_eq!(w.decimal_text(44, b"1e5").unwrap_err().kind, Kind::InvalidValue);
        assert_eq!(w.bytes(96, b"").unwrap_err().kind, Kind::EmptyValue);
        assert!(Encoder::new("S\x01", "T").is_err());
        assert!(Encoder::new("S", "").is_err());
        assert!(Encoder::with_begin_string("S", "T", "FIX.4.4.EXTENDED.VERSION.X").is_err());
        assert!(Encoder::with_begin_string("S", "T", "FIX 4.4").is_err());
        assert_eq!(w_tag_error(1_000_000_000), Kind::InvalidTag);
        assert_eq!(enc.start(b"", 1, T).unwrap_err().kind, Kind::EmptyValue);
    }

    fn w_tag_error(tag: u32) -> Kind {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"D", 1, T).unwrap();
        w.str(tag, "x").unwrap_err().kind
    }

    #[test]
    fn data_length_fields_are_written_by_the_encoder() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"A", 1, T).unwrap();
        assert_eq!(w.uint(95, 3).unwrap_err().kind, Kind::InvalidTag);
        assert_eq!(w.str(95, "3").unwrap_err().kind, Kind::InvalidTag);
        w.bytes(96, b"a\x01b").unwrap();
        let bytes = w.finish().unwrap();
        assert_eq!(bytes.windows(4).filter(|w| w == b"\x0195=").count(), 1);
    }

    #[test]
    fn refused_pushes_write_nothing() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"0", 1, T).unwrap();
        assert!(w.str(58, "a\x01b").is_err());
        let with_error = w.finish().unwrap().to_vec();
        let clean = enc.start(b"0", 1, T).unwrap().finish().unwrap().to_vec();
        assert_eq!(with_error, clean);
    }

    #[test]
    fn sending_time_cache_follows_the_clock() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let a = enc.start(b"0", 1, T).unwrap().finish().unwrap().to_vec();
        let b = enc.start(b"0", 1, T + 1_000).unwrap().finish().unwrap().to_vec();
        let c = enc.start(b"0", 1, T + 1_000_000).unwrap().finish().unwrap().to_vec();
        assert_eq!(a, b, "same millisecond");
        assert_ne!(a, c, "next millisecond");
        assert!(c.windows(21).any(|w| w == b"20260820-13:45:01.124"));
    }

    #[test]
    fn possible_duplicate_patches_the_header_and_keeps_the_body() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"D", 9, T).unwrap();
        w.str(11, "id-1").unwrap().group(453, 1).unwrap().str(448, "p").unwrap().bytes(96, b"a\x01b").unwrap();
        let original = w.finish().unwrap().to_vec();
        let later = T + 5_000_000_000;
        let resent = enc.possible_duplicate(&original, later).unwrap().to_vec();
        let body = "35=D\x0149=S\x0156=T\x0134=9\x0152=20260820-13:45:06.123\x0143=Y\x01\
                    122=20260820-13:45:01.123\x0111=id-1\x01453=1\x01448=p\x0195=3\x0196=a\x01b\x01";
        let head = format!("8=FIXT.1.1\x019={}\x01{body}", body.len());
        assert_eq!(resent, format!("{head}10={:03}\x01", crate::checksum(head.as_bytes())).into_bytes());
        // A resend of a resend keeps the first OrigSendingTime and one PossDupFlag.
        let again = enc.possible_duplicate(&resent, later + 1_000_000_000).unwrap().to_vec();
        let text = String::from_utf8(again).unwrap();
        assert_eq!(text.matches("43=Y").count(), 1);
        assert!(text.contains("52=20260820-13:45:07.123\x0143=Y\x01122=20260820-13:45:01.123\x01"));
    }

    #[test]
    fn possible_duplicate_refuses_what_is_not_a_message() {
        let mut enc = Encoder::new("S", "T").unwrap();
        assert!(matches!(enc.possible_duplicate(b"8=FIXT.1.1\x019=5\x01", T), Err(Error::Decode(_))));
        let head = "8=FIXT.1.1\x019=5\x0135=0\x01";
        let no_time = format!("{head}10={:03}\x01", crate::checksum(head.as_bytes()));
        let refused = enc.possible_duplicate(no_time.as_bytes(), T);
        assert!(matches!(refused, Err(Error::Encode(e)) if e.tag == Some(52)));
    }

    #[test]
    fn caller_values_checked_for_fix() {
        assert_eq!(seq_num(7), Ok(7));
        for bad in [0, -1, i64::MIN] {
            let err = seq_num(bad).unwrap_err();
            assert_eq!((err.kind, err.tag), (Kind::InvalidValue, Some(34)));
            assert_eq!(err.reason, format!("MsgSeqNum <34> must be positive, not {bad}"));
        }
        assert_eq!(tag_number(35), Ok(35));
        for bad in [0, -5, i64::from(u32::MAX) + 1] {
            assert_eq!(tag_number(bad).unwrap_err().kind, Kind::InvalidTag);
        }
        assert_eq!(tag_out_of_range("99999999999999999999").reason, "tag 99999999999999999999 is out of range");
        assert_eq!(sending_time_from_seconds(1.5), Ok(1_500_000_000));
        for bad in [f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(sending_time_from_seconds(bad).unwrap_err().tag, Some(52));
        }
        let far = UtcTimestamp::parse(b"25000101-00:00:00").unwrap();
        assert_eq!(
            sending_time_from_timestamp(far).unwrap_err().reason,
            "SendingTime <52> must be within years 1677-2262"
        );
    }

    #[test]
    fn floats_and_values_without_a_fix_form_are_refused() {
        let mut enc = Encoder::new("S", "T").unwrap();
        let mut w = enc.start(b"D", 1, T).unwrap();
        let err = w.float(44, 0.5).unwrap_err();
        assert_eq!(err.kind, Kind::WrongType);
        assert_eq!(err.reason, "tag 44: float values are not exact; pass a decimal.Decimal or a str");
        let err = w.unsupported(58, "object").unwrap_err();
        assert_eq!(err.kind, Kind::WrongType);
        assert!(err.reason.starts_with("tag 58: cannot encode a object (use str"), "{}", err.reason);
        let err = w.big_int(38, "18446744073709551616").unwrap_err();
        assert_eq!((err.kind, err.tag), (Kind::InvalidValue, Some(38)));
        // Nothing refused was written.
        let bytes = w.finish().unwrap();
        assert!(!bytes.windows(4).any(|f| f == b"\x0144=" || f == b"\x0158="));
    }
}
