"""simplefix's exceptions, rooted in fixwire's :class:`~fixwire.FixError` tree.

The names and bases are simplefix's, so ``except simplefix.errors.ParsingError`` keeps
working; each is also a ``FixError``. The strict parser's errors are also
:class:`~fixwire.DecodeError`, with the byte ``offset`` and ``tag`` fixwire found.
"""

from __future__ import annotations

from fixwire.errors import DecodeError, FixError

__all__ = [
    "BadChecksumValueError",
    "BadMessageLengthError",
    "EmptyValueError",
    "FieldOrderError",
    "IncompleteTagError",
    "InvalidMessageError",
    "MessageTooLargeError",
    "ParserConfigError",
    "ParsingError",
    "RawLengthNotNumberError",
    "TagNotNumberError",
]


class ParserConfigError(FixError):
    """The parser's options contradict each other."""


class ParsingError(FixError):
    """Base of every error ``FixParser.get_message`` raises."""


class TagNotNumberError(ParsingError, ValueError):
    """A tag is not an integer."""


class RawLengthNotNumberError(ParsingError, ValueError):
    """The length field of a data field (RawDataLength <95>, ...) is not an integer."""


class FieldOrderError(ParsingError):
    """A message does not start with BeginString <8>."""


class IncompleteTagError(ParsingError):
    """The end-of-message byte came in the middle of a tag."""


class EmptyValueError(ParsingError):
    """A field has an empty value (allowed only with ``allow_empty_values``)."""


class MessageTooLargeError(ParsingError):
    """More bytes than ``max_message_size`` arrived without completing a message."""


class InvalidMessageError(ParsingError, DecodeError):
    """Strict parsing only: fixwire rejects the message's frame (``kind`` says why)."""


class BadChecksumValueError(InvalidMessageError):
    """Strict parsing only: CheckSum <10> does not match the message's bytes."""


class BadMessageLengthError(InvalidMessageError):
    """Strict parsing only: BodyLength <9> does not match the message's body."""
