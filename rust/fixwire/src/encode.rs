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

mod sending_time;
mod write;

use crate::decode::{DataFields, FieldIndex, ParseOptions};
use crate::error::{EncodeError, EncodeErrorKind as Kind, Error};
use crate::swar::digit_values;
use crate::value::{bool_text, format_u64, Date, Decimal, TimePrecision, UtcTimestamp};
use crate::SOH;
use sending_time::TimeCache;
use write::ASCII_ZEROS;
use write::{copy_checked, prefix_len, put_decimal, put_u64, put_word, room, window, zone, Entry, TagTable};
use write::{DATA, LENGTH, LONG, SLACK};

/// The largest body BodyLength <9> may describe here: seven digits.
pub const MAX_BODY_LENGTH: usize = 9_999_999;
const LENGTH_DIGITS: usize = 7;
/// `8=<BeginString><SOH>9=` at most: a BeginString has at most 16 bytes.
const BEGIN_ROOM: usize = 24;
/// Where the body starts in the buffer: room for `8=<BeginString><SOH>9=`, BodyLength's
/// digits and SOH, which are written right-aligned in front of the body when it is finished.
const HEAD_ROOM: usize = BEGIN_ROOM + LENGTH_DIGITS + 1;

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
    /// The tags pushed so far, checked and rendered.
    tags: TagTable,
    /// The zone messages are written in (see the `write` module); the message ends at a
    /// writer's cursor, not at the vector's length.
    buf: Vec<u8>,
    /// `<SOH>49=<SenderCompID><SOH>56=<TargetCompID><SOH>34=`, the same in every message.
    parties: Vec<u8>,
    /// `8=<BeginString><SOH>9=`, the same in every message, right-aligned after zeros so that
    /// it is copied as a whole array.
    begin: [u8; BEGIN_ROOM],
    /// The bytes of `begin` that are not padding.
    begin_len: usize,
    /// `35=` and the one-character MsgType <35> whose `35=<MsgType><SOH>` and `parties` are in
    /// the buffer after the head room, as the last `start` wrote them (0: none), so that the
    /// next message of the type writes only MsgSeqNum <34> and SendingTime <52>.
    header_for: u64,
    /// The MsgSeqNum <34> written after that header, and its digits: the next number is one
    /// more in the last digit when that is not a 9.
    last_seq: (u64, usize),
    time_cache: TimeCache,
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
        let parties = [&b"\x0149="[..], &sender, b"\x0156=", &target, b"\x0134="].concat();
        let text = [&b"8="[..], &begin_string, &[SOH], b"9="].concat();
        let mut begin = [0; BEGIN_ROOM];
        begin[BEGIN_ROOM - text.len()..].copy_from_slice(&text);
        Ok(Self {
            begin_string,
            sender,
            target,
            precision: TimePrecision::Millis,
            data_fields: DataFields::standard(),
            tags: TagTable::new(),
            buf: vec![0; 512],
            parties,
            begin,
            begin_len: text.len(),
            header_for: 0,
            last_seq: (0, 0),
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
        self.tags = TagTable::new();
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
    #[inline]
    pub fn start(
        &mut self,
        msg_type: &[u8],
        seq_num: u64,
        sending_time: i64,
    ) -> Result<MessageWriter<'_>, EncodeError> {
        self.format_sending_time(sending_time)?;
        let Self { buf, parties, time_cache, header_for, last_seq, .. } = self;
        let mut at = HEAD_ROOM;
        room(buf, at, msg_type.len() + parties.len() + 64 + SLACK);
        let prefix = u64::from_le_bytes(*b"35=\0\0\0\0\0");
        match msg_type {
            // The usual one-character MsgType <35>: `35=` and it in one word, and the same
            // header as the last message's already in place, with the last MsgSeqNum after it.
            [one] if *one != SOH && *header_for == prefix | u64::from(*one) << 24 => at += 4,
            [one] if *one != SOH => {
                *header_for = prefix | u64::from(*one) << 24;
                *last_seq = (0, 0);
                put_word(buf, at, *header_for);
                at += 4;
                // Whole lanes, no `memcpy` call; the SOHs it finds are the ones between the
                // fields.
                copy_checked(buf, at, parties);
            }
            _ => {
                *header_for = 0;
                *last_seq = (0, 0);
                put_word(buf, at, prefix);
                at += 3;
                if msg_type.is_empty() || copy_checked(buf, at, msg_type) {
                    return Err(value_error(35, msg_type));
                }
                at += msg_type.len();
                copy_checked(buf, at, parties);
            }
        }
        at += parties.len();
        // MsgSeqNum's digits (at most 20), `<SOH>52=`, SendingTime (at most 31 bytes) and SOH,
        // in one window of known size: its stores need no test each.
        let w = zone(buf, at);
        // The last MsgSeqNum written after this header (none when the header was just written,
        // as width 0 says) is counted up in its last digit when that is not a 9.
        let (last, width) = *last_seq;
        let units = width.wrapping_sub(1) & 31;
        if width != 0 && seq_num == last.wrapping_add(1) && w[units] != b'9' {
            w[units] += 1;
            last_seq.0 = seq_num;
        } else if width == 0 || seq_num != last {
            *last_seq = (seq_num, put_u64(w, 0, seq_num));
        }
        let mut end = last_seq.1.min(20);
        put_word(w, end, u64::from_le_bytes(*b"\x0152=\0\0\0\0"));
        end += 4;
        w[end..end + 32].copy_from_slice(&time_cache.text);
        end += time_cache.len & 31;
        w[end] = SOH;
        let at = at + end;
        Ok(MessageWriter { encoder: self, end: at + 1 })
    }

    /// Formats SendingTime at the encoder's precision into the cache, unless the same
    /// millisecond (or microsecond, ...) is already there.
    fn format_sending_time(&mut self, unix_nanos: i64) -> Result<(), EncodeError> {
        if self.time_cache.set(unix_nanos, self.precision) {
            Ok(())
        } else {
            Err(EncodeError::new(Kind::InvalidValue, Some(52), "SendingTime <52> is outside years 0-9999"))
        }
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
        let Self { buf, time_cache, header_for, .. } = self;
        *header_for = 0;
        buf.clear();
        buf.resize(HEAD_ROOM, 0);
        for field in header {
            match field.tag {
                43 | 122 => {}
                52 => {
                    push_field(buf, 52, &time_cache.text[..time_cache.len]);
                    push_field(buf, 43, b"Y");
                    push_field(buf, 122, first_sent);
                }
                _ => buf.extend_from_slice(&original[field.offset()..=field.end as usize]),
            }
        }
        buf.extend_from_slice(&original[fields[body_start].offset()..fields[fields.len() - 1].offset()]);
        let end = buf.len();
        Ok(self.seal(end)?)
    }

    /// Writes BeginString, BodyLength and CheckSum around the body, which ends at `end`, and
    /// returns the whole message.
    fn seal(&mut self, end: usize) -> Result<&[u8], EncodeError> {
        let body_length = end - HEAD_ROOM;
        if body_length > MAX_BODY_LENGTH {
            return Err(EncodeError::new(
                Kind::TooLarge,
                None,
                format!("message body is {body_length} bytes, more than {MAX_BODY_LENGTH}"),
            ));
        }
        // All eight digits, zero-padded, end at the SOH; BeginString's copy covers the zeros.
        let v = body_length_digits(body_length as u32);
        let width = 8 - ((v | 1 << 63).trailing_zeros() / 8) as usize;
        let digits = HEAD_ROOM - 1 - width;
        put_word(&mut self.buf, HEAD_ROOM - 9, v + ASCII_ZEROS);
        self.buf[HEAD_ROOM - 1] = SOH;
        self.buf[digits - BEGIN_ROOM..digits].copy_from_slice(&self.begin);
        let start = digits - self.begin_len;
        let sum = crate::checksum(&self.buf[start..end]);
        let trailer = TRAILERS[usize::from(sum)];
        if end + 8 <= self.buf.len() {
            put_word(&mut self.buf, end, trailer);
        } else {
            let trailer = trailer.to_le_bytes();
            // A message written through `MessageWriter::with_vec` ends the vector.
            self.buf.truncate(end);
            self.buf.extend_from_slice(&trailer[..7]);
        }
        Ok(&self.buf[start..end + 7])
    }
}

/// The eight decimal digits of `n` (below 10^8) as digit values, the most significant first
/// (lowest), as [`digit_values`] gives them; below 10,000 (most bodies) from two entries of a
/// table of digit pairs instead of three rounds of multiplies.
#[inline(always)]
fn body_length_digits(n: u32) -> u64 {
    if n >= 10_000 {
        return digit_values(n);
    }
    // n / 100 as n * 5243 >> 19, exact below 43,699.
    let high = (n * 5243) >> 19;
    let pair = |p: u32| u64::from(DIGIT_VALUE_PAIRS[p as usize]);
    pair(high) << 32 | pair(n - high * 100) << 48
}

/// The two digit values of each number below 100, the tens first (lower byte).
static DIGIT_VALUE_PAIRS: [u16; 100] = {
    let mut pairs = [0; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = u16::from_le_bytes([(n / 10) as u8, (n % 10) as u8]);
        n += 1;
    }
    pairs
};

/// The CheckSum <10> field (`10=ddd<SOH>`, and a byte of padding) for each sum, as a
/// little-endian word.
static TRAILERS: [u64; 256] = {
    let mut trailers = [0; 256];
    let mut sum = 0;
    while sum < 256 {
        let digits = [b'0' + (sum / 100) as u8, b'0' + (sum / 10 % 10) as u8, b'0' + (sum % 10) as u8];
        trailers[sum] = u64::from_le_bytes([b'1', b'0', b'=', digits[0], digits[1], digits[2], SOH, 0]);
        sum += 1;
    }
    trailers
};

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
    /// Where the message written so far ends in the encoder's buffer.
    end: usize,
}

impl<'e> MessageWriter<'e> {
    /// A text field. Empty text and SOH are errors.
    #[inline(always)]
    pub fn str(&mut self, tag: u32, value: &str) -> Result<&mut Self, EncodeError> {
        self.bytes(tag, value.as_bytes())
    }

    /// `tag`'s entry when it is a usable body tag (see [`check_tag`]).
    #[inline(always)]
    fn entry(&mut self, tag: u32) -> Result<Entry, EncodeError> {
        let Encoder { tags, data_fields, .. } = &mut *self.encoder;
        tags.entry(tag, data_fields)
    }

    #[cold]
    #[inline(never)]
    fn length_error(&self, tag: u32) -> EncodeError {
        let data_tag = self.encoder.data_fields.data_tag_for(tag).unwrap_or_default();
        EncodeError::new(
            Kind::InvalidTag,
            Some(tag),
            format!("tag {tag} is the length of data field {data_tag}, which the encoder writes with it"),
        )
    }

    /// Writes a field at the cursor: the entry's `tag=` (a tag of up to five digits), then the
    /// value `write` renders into the window (the buffer from the cursor on, with room for
    /// `need` bytes after the prefix) at the offset it is given, returning where the value ends;
    /// then SOH. Everything is addressed in one window, so the buffer is looked up once.
    #[inline(always)]
    fn field(&mut self, entry: Entry, need: usize, write: impl FnOnce(&mut [u8], usize) -> usize) -> &mut Self {
        let w = open(&mut self.encoder.buf, self.end, entry, need);
        let at = write(w, prefix_len(entry));
        w[at] = SOH;
        self.end += at + 1;
        self
    }

    /// A field whose tag has more than five digits, its value rendered by `value`.
    #[cold]
    #[inline(never)]
    fn long_field(&mut self, tag: u32, value: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        self.with_vec(|buf| {
            push_tag(buf, tag);
            value(buf);
            buf.push(SOH);
        });
        self
    }

    /// A field from raw bytes. For a data tag (RawData <96>, ...) its length field is written
    /// first and the bytes may contain SOH; anywhere else SOH is an error.
    #[inline(always)]
    pub fn bytes(&mut self, tag: u32, value: &[u8]) -> Result<&mut Self, EncodeError> {
        let entry = self.entry(tag)?;
        if entry & (DATA | LENGTH | LONG) != 0 {
            return self.data_or_long(tag, entry, value);
        }
        // The value is copied and checked in one pass; when refused, the cursor stays put.
        let w = open(&mut self.encoder.buf, self.end, entry, value.len());
        let at = prefix_len(entry);
        if value.is_empty() || copy_checked(w, at, value) {
            return Err(value_error(tag, value));
        }
        w[at + value.len()] = SOH;
        self.end += at + value.len() + 1;
        Ok(self)
    }

    /// A data field, its length field first, or a field whose tag has more than five digits;
    /// an error for a data field's length.
    #[cold]
    #[inline(never)]
    fn data_or_long(&mut self, tag: u32, entry: Entry, value: &[u8]) -> Result<&mut Self, EncodeError> {
        if entry & LENGTH != 0 {
            return Err(self.length_error(tag));
        }
        if entry & DATA == 0 {
            check_value(tag, value)?;
            return Ok(self.long_field(tag, |buf| buf.extend_from_slice(value)));
        }
        if value.is_empty() {
            return Err(EncodeError::new(Kind::EmptyValue, Some(tag), "data field value is empty"));
        }
        let length_tag = self.encoder.data_fields.length_tag_for(tag).expect("a data field has a length tag");
        self.with_vec(|buf| {
            push_uint(buf, length_tag, value.len() as u64);
            push_field(buf, tag, value);
        });
        Ok(self)
    }

    /// An int field.
    #[inline(always)]
    pub fn int(&mut self, tag: u32, value: i64) -> Result<&mut Self, EncodeError> {
        let entry = self.entry(tag)?;
        if entry & (LENGTH | LONG) != 0 {
            if entry & LENGTH != 0 {
                return Err(self.length_error(tag));
            }
            let mut digits = [0u8; 20];
            let text = format_u64(value.unsigned_abs(), &mut digits);
            return Ok(self.long_field(tag, |buf| {
                if value < 0 {
                    buf.push(b'-');
                }
                buf.extend_from_slice(text);
            }));
        }
        Ok(self.field(entry, 21, |w, mut at| {
            w[at] = b'-';
            at += usize::from(value < 0);
            at + put_u64(w, at, value.unsigned_abs())
        }))
    }

    /// An unsigned int field (SeqNum, Length, NumInGroup).
    #[inline(always)]
    pub fn uint(&mut self, tag: u32, value: u64) -> Result<&mut Self, EncodeError> {
        let entry = self.entry(tag)?;
        if entry & (LENGTH | LONG) != 0 {
            if entry & LENGTH != 0 {
                return Err(self.length_error(tag));
            }
            let mut digits = [0u8; 20];
            let text = format_u64(value, &mut digits);
            return Ok(self.long_field(tag, |buf| buf.extend_from_slice(text)));
        }
        Ok(self.field(entry, 20, |w, at| at + put_u64(w, at, value)))
    }

    /// A decimal at its natural scale: `Decimal::new(550, 3)` writes `0.550`.
    #[inline(always)]
    pub fn decimal(&mut self, tag: u32, value: Decimal) -> Result<&mut Self, EncodeError> {
        let entry = self.entry(tag)?;
        if entry & LONG != 0 {
            return Ok(self.long_field(tag, |buf| value.write_to(buf)));
        }
        // Written here rather than through `field`: the compiler leaves a closure this long out of
        // line, and the call costs more than the digits.
        let w = open(&mut self.encoder.buf, self.end, entry, 42 + usize::from(value.scale));
        let at = prefix_len(entry);
        let at = at + put_decimal(w, at, value);
        w[at] = SOH;
        self.end += at + 1;
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
        let entry = self.entry(tag)?;
        crate::value::decimal_parts(value).map_err(|e| {
            EncodeError::new(Kind::InvalidValue, Some(tag), format!("{e}: {:?}", String::from_utf8_lossy(value)))
        })?;
        if entry & LONG != 0 {
            return Ok(self.long_field(tag, |buf| buf.extend_from_slice(value)));
        }
        // The syntax holds no SOH.
        Ok(self.field(entry, value.len(), |w, at| {
            copy_checked(w, at, value);
            at + value.len()
        }))
    }

    /// A char field. SOH is an error.
    #[inline(always)]
    pub fn char(&mut self, tag: u32, value: u8) -> Result<&mut Self, EncodeError> {
        let entry = self.entry(tag)?;
        if entry & (DATA | LENGTH | LONG) != 0 || value == SOH {
            return self.char_slow(tag, value);
        }
        // The prefix as a word, then value and SOH over the bytes after it.
        let len = prefix_len(entry);
        let w = window(&mut self.encoder.buf, self.end);
        w[..8].copy_from_slice(&entry.to_le_bytes());
        w[len] = value;
        w[len + 1] = SOH;
        self.end += len + 2;
        Ok(self)
    }

    #[cold]
    #[inline(never)]
    fn char_slow(&mut self, tag: u32, value: u8) -> Result<&mut Self, EncodeError> {
        self.bytes(tag, &[value])
    }

    /// A Boolean field, `Y` or `N`.
    #[inline(always)]
    pub fn bool(&mut self, tag: u32, value: bool) -> Result<&mut Self, EncodeError> {
        self.char(tag, bool_text(value)[0])
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
        self.with_vec(|buf| {
            push_tag(buf, tag);
            value.write_to(buf);
            buf.push(SOH);
        });
        Ok(self)
    }

    /// A UTCDateOnly or LocalMktDate field.
    pub fn date(&mut self, tag: u32, value: Date) -> Result<&mut Self, EncodeError> {
        check_tag(tag)?;
        self.with_vec(|buf| {
            push_tag(buf, tag);
            value.write_to(buf);
            buf.push(SOH);
        });
        Ok(self)
    }

    /// A repeating group's NumInGroup field; push the `entries` entries' fields after it, each
    /// starting with the group's delimiter.
    pub fn group(&mut self, count_tag: u32, entries: usize) -> Result<&mut Self, EncodeError> {
        self.uint(count_tag, entries as u64)
    }

    /// Runs `write` on the buffer as a vector that ends where the message does, and takes what
    /// it appended as written: for writers in this crate that checked their fields themselves,
    /// and for the rare fields written through `Vec` (data fields, timestamps, dates).
    pub(crate) fn with_vec<R>(&mut self, write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let buf = &mut self.encoder.buf;
        buf.truncate(self.end);
        let out = write(buf);
        self.end = buf.len();
        out
    }

    /// Whether `tag` is a data field or a data field's length for this encoder.
    pub(crate) fn is_data_or_length(&self, tag: u32) -> bool {
        let data_fields = &self.encoder.data_fields;
        data_fields.length_tag_for(tag).is_some() || data_fields.data_tag_for(tag).is_some()
    }

    /// Writes BeginString, BodyLength and CheckSum and returns the whole message.
    pub fn finish(self) -> Result<&'e [u8], EncodeError> {
        self.encoder.seal(self.end)
    }
}

/// Makes room for `need` bytes of value after `entry`'s `tag=` at `buf[end..]`, writes the
/// prefix there and returns the buffer from `end` on, where the field is written.
#[inline(always)]
fn open(buf: &mut Vec<u8>, end: usize, entry: Entry, need: usize) -> &mut [u8] {
    room(buf, end, need + SLACK);
    let w = &mut buf[end..end + need + SLACK];
    put_word(w, 0, entry);
    w
}

/// Appends `tag=` (for the fields written through `Vec`).
fn push_tag(buf: &mut Vec<u8>, tag: u32) {
    let mut digits = [0u8; 20];
    buf.extend_from_slice(format_u64(u64::from(tag), &mut digits));
    buf.push(b'=');
}

fn push_field(buf: &mut Vec<u8>, tag: u32, value: &[u8]) {
    push_tag(buf, tag);
    buf.extend_from_slice(value);
    buf.push(SOH);
}

fn push_uint(buf: &mut Vec<u8>, tag: u32, value: u64) {
    let mut digits = [0u8; 20];
    push_field(buf, tag, format_u64(value, &mut digits));
}

/// Why `value` cannot be `tag`'s value: empty, or holding SOH.
#[cold]
#[inline(never)]
fn value_error(tag: u32, value: &[u8]) -> EncodeError {
    check_value(tag, value).expect_err("an empty value or one holding SOH")
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
mod tests;
