//! Errors: what went wrong, where (byte offset) and in which field (tag).
//!
//! Decoding errors come from bytes someone else wrote (a peer, a log file); encoding errors come
//! from the caller's own arguments. Both carry a machine-readable kind, so a session layer can
//! map them to FIX reject reasons, and print a sentence a human can act on. [`Error`] gathers
//! every error of the crate (dictionaries, rejects and group specs too), so a binding converts
//! one type.

use std::fmt;

use crate::dictionary::{DictionaryError, Invalid, Reject};
use crate::group::InvalidGroupSpec;

/// Why bytes could not be decoded as FIX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input does not start with BeginString `8=`.
    NotBeginString,
    /// A tag is not a positive integer without leading zeros (for example `0=`, `abc=`, `035=`).
    TagNotInteger,
    /// A field has no `=` between tag and value.
    MissingEquals,
    /// A field has an empty value (`58=|`).
    EmptyValue,
    /// BodyLength <9> is not a number, or the body is not as long as it says.
    BadBodyLength,
    /// BodyLength <9> exceeds the configured maximum message size.
    BodyLengthTooLarge,
    /// CheckSum <10> is not three digits, or does not match the bytes.
    BadCheckSum,
    /// BeginString <8>, BodyLength <9> and MsgType <35> are not the first three fields.
    HeaderOutOfOrder,
    /// CheckSum <10> appears before the end of the message.
    CheckSumNotLast,
    /// The input ends in the middle of a message.
    Truncated,
    /// Bytes follow the CheckSum <10> field of a single message.
    TrailingBytes,
    /// A data field's length field is malformed, or the data does not end where it says.
    BadDataLength,
    /// The message has more fields than the configured maximum.
    TooManyFields,
    /// A value does not have the format its type requires (for example an integer overflowing
    /// i64, or `X` where a boolean is expected).
    InvalidValue,
    /// A value read as a string is not valid UTF-8.
    InvalidUtf8,
    /// A NumInGroup count does not match the number of entries that follow.
    BadGroupCount,
    /// A repeating group's fields are out of the order its specification gives.
    GroupOrder,
    /// Repeating groups are nested deeper than the configured maximum.
    GroupTooDeep,
    /// Bytes in a stream that do not begin a message; the framer skipped them.
    Garbage,
}

impl DecodeErrorKind {
    /// A stable snake_case name, used by the Python binding as `DecodeError.kind`.
    pub fn name(self) -> &'static str {
        match self {
            Self::NotBeginString => "not_begin_string",
            Self::TagNotInteger => "tag_not_integer",
            Self::MissingEquals => "missing_equals",
            Self::EmptyValue => "empty_value",
            Self::BadBodyLength => "bad_body_length",
            Self::BodyLengthTooLarge => "body_length_too_large",
            Self::BadCheckSum => "bad_checksum",
            Self::HeaderOutOfOrder => "header_out_of_order",
            Self::CheckSumNotLast => "checksum_not_last",
            Self::Truncated => "truncated",
            Self::TrailingBytes => "trailing_bytes",
            Self::BadDataLength => "bad_data_length",
            Self::TooManyFields => "too_many_fields",
            Self::InvalidValue => "invalid_value",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::BadGroupCount => "bad_group_count",
            Self::GroupOrder => "group_order",
            Self::GroupTooDeep => "group_too_deep",
            Self::Garbage => "garbage",
        }
    }

    /// The FIX SessionRejectReason <373> a counterparty would send for this problem, where one
    /// exists. Framing problems (garbled messages) are not rejected in FIX; they are ignored.
    pub fn session_reject_reason(self) -> Option<u32> {
        match self {
            Self::TagNotInteger => Some(0),
            Self::EmptyValue => Some(4),
            Self::InvalidValue | Self::InvalidUtf8 => Some(6),
            Self::HeaderOutOfOrder | Self::CheckSumNotLast => Some(14),
            Self::GroupOrder => Some(15),
            Self::BadGroupCount => Some(16),
            _ => None,
        }
    }
}

/// Bytes that are not valid FIX, with the byte offset and tag where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong.
    pub kind: DecodeErrorKind,
    /// Byte offset of the problem: from the start of the message for a parse, from the start of
    /// the stream for a framer.
    pub offset: usize,
    /// The tag of the field at fault, when the problem is inside a field whose tag was read.
    pub tag: Option<u32>,
    /// A sentence naming the problem, for people.
    pub reason: String,
}

impl DecodeError {
    /// An error of `kind` at `offset` in the field `tag`, explained by `reason`.
    pub fn new(kind: DecodeErrorKind, offset: usize, tag: Option<u32>, reason: impl Into<String>) -> Self {
        Self { kind, offset, tag, reason: reason.into() }
    }

    /// The same error with its offset moved by `base`, for errors found inside a larger buffer.
    #[must_use]
    pub fn shifted(mut self, base: usize) -> Self {
        self.offset += base;
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)?;
        if let Some(tag) = self.tag {
            write!(f, " (tag {tag})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Why a message could not be encoded from the caller's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A tag is zero or otherwise unusable.
    InvalidTag,
    /// A value cannot be written in the FIX type asked for (for example a decimal that would
    /// lose digits at a fixed scale).
    InvalidValue,
    /// A value is empty; FIX fields always carry at least one byte.
    EmptyValue,
    /// A value contains the SOH delimiter outside a data field.
    SohInValue,
    /// The message would exceed what BodyLength <9> can describe.
    TooLarge,
    /// A value of a type that has no exact FIX form, such as a binary floating-point number
    /// (a binding raises its language's type error for it).
    WrongType,
}

impl EncodeErrorKind {
    /// A stable snake_case name, used by the Python binding as `EncodeError.kind`.
    pub fn name(self) -> &'static str {
        match self {
            Self::InvalidTag => "invalid_tag",
            Self::InvalidValue => "invalid_value",
            Self::EmptyValue => "empty_value",
            Self::SohInValue => "soh_in_value",
            Self::TooLarge => "too_large",
            Self::WrongType => "wrong_type",
        }
    }
}

/// Arguments that cannot be encoded as FIX, with the tag at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// What is wrong.
    pub kind: EncodeErrorKind,
    /// The tag being written when the problem was found.
    pub tag: Option<u32>,
    /// A sentence naming the problem, for people.
    pub reason: String,
}

impl EncodeError {
    /// An error of `kind` in the field `tag`, explained by `reason`.
    pub fn new(kind: EncodeErrorKind, tag: Option<u32>, reason: impl Into<String>) -> Self {
        Self { kind, tag, reason: reason.into() }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if let Some(tag) = self.tag {
            write!(f, " (tag {tag})")?;
        }
        Ok(())
    }
}

impl std::error::Error for EncodeError {}

/// Any error the codec returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Input bytes are not valid FIX.
    Decode(DecodeError),
    /// Arguments cannot be encoded.
    Encode(EncodeError),
    /// A data dictionary cannot be loaded.
    Dictionary(DictionaryError),
    /// A well-formed message that a counterparty using a dictionary rejects.
    Reject(Reject),
    /// A repeating-group spec that cannot describe a group.
    GroupSpec(InvalidGroupSpec),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(e) => e.fmt(f),
            Self::Encode(e) => e.fmt(f),
            Self::Dictionary(e) => e.fmt(f),
            Self::Reject(r) => r.fmt(f),
            Self::GroupSpec(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl From<DictionaryError> for Error {
    fn from(e: DictionaryError) -> Self {
        Self::Dictionary(e)
    }
}

impl From<Reject> for Error {
    fn from(r: Reject) -> Self {
        Self::Reject(r)
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        match e {
            Invalid::Decode(e) => Self::Decode(e),
            Invalid::Reject(r) => Self::Reject(r),
        }
    }
}

impl From<InvalidGroupSpec> for Error {
    fn from(e: InvalidGroupSpec) -> Self {
        Self::GroupSpec(e)
    }
}
