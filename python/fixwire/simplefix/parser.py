"""``FixParser``: simplefix's stream parser, with an optional strict mode on fixwire's checks.

Theory of operation. The parser keeps simplefix's state exactly: ``buf`` holds the bytes not
yet consumed, ``pairs`` the ``(int tag, bytes value)`` pairs of a message not yet complete,
``raw_len`` the length a data field's length field announced. ``get_message`` consumes whole
fields from the front of ``buf`` until the stop tag (CheckSum <10> by default) or the stop byte
ends a message, then drops pairs before BeginString <8> and returns the message. It finds each
``=`` and SOH with ``bytes.find`` (C speed) where simplefix steps through every byte in
Python, and it consumes the buffer once per call where simplefix copies it once per field.
Before that, when nothing is pending and a whole plain message (no data fields, no odd
fields) starts the buffer, ``_whole_message`` hands it to ``fixwire.parse`` in one call and
returns a message that reads through fixwire's index; its conditions make the result the one
the field-by-field reader would give, which the differential tests check against simplefix.

Like simplefix, the default parser checks neither BodyLength <9> nor CheckSum <10>: a message
whose bytes were damaged, or whose SOH-ridden data field was not declared with ``add_raw``,
is returned cut or merged without a word. ``strict=True`` hands each complete message to
``fixwire.parse`` first, which checks the frame (BodyLength, CheckSum, header order, empty
values, data field lengths); a message it rejects is dropped and reported as an
``InvalidMessageError`` (``BadMessageLengthError``, ``BadChecksumValueError``) carrying
fixwire's ``kind``, byte ``offset`` and ``tag``, and the next call goes on after it.

Unlike simplefix, the parser does not hold unbounded memory for a message that never ends:
past ``max_message_size`` bytes (1 MiB by default) it drops them with a
``MessageTooLargeError``.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from typing import Any, SupportsIndex

from fixwire._native import parse
from fixwire.errors import DecodeError
from fixwire.simplefix import errors
from fixwire.simplefix.data import RAW_DATA_TAGS, RAW_LEN_TAGS
from fixwire.simplefix.message import FixMessage, fix_val, tag_text

__all__ = ["DEFAULT_STOP_TAG", "MAX_MESSAGE_SIZE", "FixParser"]

DEFAULT_STOP_TAG = 10
"""CheckSum <10> ends a message unless told otherwise."""

_log = logging.getLogger("fixwire.simplefix")
_SOH = b"\x01"

MAX_MESSAGE_SIZE = 1 << 20
"""The default limit of a message not yet complete, in bytes: 1 MiB, as ``fixwire.Framer``'s
BodyLength limit."""
_STRICT_ERRORS: dict[str, type[errors.InvalidMessageError]] = {
    "bad_checksum": errors.BadChecksumValueError,
    "bad_body_length": errors.BadMessageLengthError,
}


class _TagList(list[int]):
    """A list of tags that remembers its members as sets until it is changed."""

    _members: frozenset[int] | None = None
    _pattern: re.Pattern[bytes] | None = None

    def members(self) -> frozenset[int]:
        """The tags as a set, for membership tests."""
        if self._members is None:
            self._members = frozenset(self)
        return self._members

    def search(self, wire: bytes) -> bool:
        """Whether a field of ``wire`` after its first has one of the tags."""
        if self._pattern is None:
            self._pattern = re.compile(b"\x01" + _alternatives({b"%d=" % tag for tag in self}))
        return self._pattern.search(wire) is not None

    def _changed(self) -> None:
        self._members = None
        self._pattern = None

    def append(self, tag: int) -> None:
        super().append(tag)
        self._changed()

    def extend(self, tags: Iterable[int]) -> None:
        super().extend(tags)
        self._changed()

    def insert(self, index: SupportsIndex, tag: int) -> None:
        super().insert(index, tag)
        self._changed()

    def remove(self, tag: int) -> None:
        super().remove(tag)
        self._changed()

    def pop(self, index: SupportsIndex = -1) -> int:
        self._changed()
        return super().pop(index)

    def clear(self) -> None:
        super().clear()
        self._changed()

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._changed()

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._changed()

    def __iadd__(self, tags: Iterable[int]) -> _TagList:  # type: ignore[override, misc]
        self.extend(tags)
        return self

    def __imul__(self, times: SupportsIndex) -> _TagList:
        result = super().__imul__(times)
        self._changed()
        return result


def _alternatives(texts: Iterable[bytes]) -> bytes:
    """A regular expression matching any of ``texts``, as a trie so that it fails fast."""
    firsts: dict[bytes, list[bytes]] = {}
    for text in texts:
        firsts.setdefault(text[:1], []).append(text[1:])
    branches = []
    for first, rests in sorted(firsts.items()):
        if b"" in rests:
            # Only the last character of a text can end it: every text ends with "=".
            branches.append(re.escape(first))
        else:
            branches.append(re.escape(first) + _alternatives(rests))
    return b"(?:" + b"|".join(branches) + b")" if branches else b"(?!)"


class FixParser:
    """Turns a byte stream into ``FixMessage`` objects, one ``get_message`` call at a time.

    Attributes:
        buf: Bytes appended and not yet consumed.
        pairs: ``(tag, value)`` pairs of the message being read.
        raw_len: The length the last data length field announced, until its data field.
        stop_tag: The tag of a message's last field (``None`` when only ``stop_byte`` ends).
        stop_byte: The byte (as an int) that ends a message wherever it comes, or ``None``.
        allow_empty_values: Accept ``tag=`` with nothing after it.
        allow_missing_begin_string: Return messages that do not start with BeginString <8>.
        strip_fields_before_begin_string: Drop fields that come before BeginString <8>.
        strict: Check each message with ``fixwire.parse`` (BodyLength <9>, CheckSum <10>...).
    """

    def __init__(
        self,
        allow_empty_values: bool = False,
        allow_missing_begin_string: bool = False,
        strip_fields_before_begin_string: bool = True,
        stop_tag: int | None = DEFAULT_STOP_TAG,
        stop_byte: bytes | None = None,
        *,
        strict: bool = False,
        max_message_size: int | None = MAX_MESSAGE_SIZE,
    ) -> None:
        r"""Make a parser.

        Args:
            allow_empty_values: Accept empty values, which FIX forbids.
            allow_missing_begin_string: Accept a first field other than BeginString <8>.
            strip_fields_before_begin_string: Drop fields before BeginString <8>.
            stop_tag: The tag that ends a message; ``stop_byte`` overrides it.
            stop_byte: A byte (such as ``b"\n"``) that ends a message wherever it comes.
            strict: fixwire's addition: check BodyLength <9>, CheckSum <10> and the rest of
                the frame with ``fixwire.parse``; needs the default ``stop_tag`` and no
                ``stop_byte``.
            max_message_size: fixwire's addition: the most bytes a message not yet complete
                may hold (see ``get_message``); ``None`` for no limit, as in simplefix.

        Raises:
            ParserConfigError: both ``allow_missing_begin_string`` and
                ``strip_fields_before_begin_string``.
        """
        self._raw_len_tags = _TagList(RAW_LEN_TAGS)
        self._raw_data_tags = _TagList(RAW_DATA_TAGS)
        # The buffer is ``_data[_start:]``: consuming a message moves ``_start`` instead of
        # copying the rest of the buffer.
        self._data = b""
        self._start = 0
        self.pairs: list[tuple[int, bytes]] = []
        self.raw_len = 0
        self.stop_tag = stop_tag
        self.stop_byte = ord(stop_byte) if stop_byte is not None else None
        self.allow_missing_begin_string = allow_missing_begin_string
        self.allow_empty_values = allow_empty_values
        self.strip_fields_before_begin_string = strip_fields_before_begin_string
        self.strict = strict
        self.max_message_size = max_message_size
        # Bytes consumed since the last message was returned, while fields are pending.
        self._pending_size = 0
        # Strict mode: the bytes consumed since the first pending pair, and where each
        # pending pair starts in them.
        self._held = b""
        self._held_starts: list[int] = []
        if allow_missing_begin_string and strip_fields_before_begin_string:
            raise errors.ParserConfigError(
                "Can't set 'allow_missing_begin_string' and "
                "'strip_fields_before_begin_string' simultaneously."
            )

    @property
    def buf(self) -> bytes:
        """The bytes appended and not yet consumed."""
        if self._start:
            self._data = self._data[self._start :]
            self._start = 0
        return self._data

    @buf.setter
    def buf(self, data: bytes) -> None:
        self._data = data
        self._start = 0

    @property
    def raw_len_tags(self) -> list[int]:
        """The length tags of data fields (RawDataLength <95>, ...)."""
        return self._raw_len_tags

    @raw_len_tags.setter
    def raw_len_tags(self, tags: Iterable[int]) -> None:
        self._raw_len_tags = _TagList(tags)

    @property
    def raw_data_tags(self) -> list[int]:
        """The data tags whose value is read by length (RawData <96>, ...)."""
        return self._raw_data_tags

    @raw_data_tags.setter
    def raw_data_tags(self, tags: Iterable[int]) -> None:
        self._raw_data_tags = _TagList(tags)

    def set_stop_tag(self, value: int = DEFAULT_STOP_TAG) -> None:
        """Set the tag of a message's last field (overridden by a stop byte)."""
        self.stop_tag = value

    def set_stop_byte(self, value: bytes | None = None) -> None:
        """Set the byte that ends a message wherever it comes; ``None`` turns it off."""
        self.stop_byte = ord(value) if value is not None else None

    def set_allow_missing_begin_string(self, value: bool = True) -> None:
        """Accept messages whose first field is not BeginString <8>."""
        self.allow_missing_begin_string = value

    def set_allow_empty_values(self, value: bool = True) -> None:
        """Accept empty values (FIX forbids them)."""
        self.allow_empty_values = value

    def set_strip_fields_before_begin_string(self, value: bool = True) -> None:
        """Drop the fields that come before BeginString <8>."""
        self.strip_fields_before_begin_string = value

    def set_message_terminator(self, tag: int | None = None, char: bytes | None = None) -> None:
        """Set the end of a message: a ``tag`` or a ``char`` (deprecated by simplefix).

        Raises:
            ValueError: both are given.
        """
        warnings.warn(
            "simplefix.FixParser.set_message_terminator() is deprecated. Use "
            "set_stop_tag(), set_stop_byte(), or constructor keywords instead",
            DeprecationWarning,
            stacklevel=2,
        )
        if tag is not None and char is not None:
            raise ValueError("Only supply one of 'tag' or 'char'.")
        if tag is not None:
            self.stop_tag = tag
            self.stop_byte = None
        else:
            self.stop_tag = None
            self.stop_byte = ord(char) if char is not None else None

    def add_raw(self, length_tag: int, value_tag: int) -> None:
        """Declare a (private) data field: ``value_tag``'s value is ``length_tag`` bytes long."""
        self._raw_len_tags.append(length_tag)
        self._raw_data_tags.append(value_tag)

    def remove_raw(self, length_tag: int, value_tag: int) -> None:
        """Forget a data field, so that its value is read up to SOH again.

        Raises:
            ValueError: the tags were not declared.
        """
        self._raw_len_tags.remove(length_tag)
        self._raw_data_tags.remove(value_tag)

    def reset(self) -> None:
        """Drop the buffer and any fields read so far."""
        self.buf = b""
        self.pairs = []
        self.raw_len = 0
        self._pending_size = 0
        self._held = b""
        self._held_starts = []

    def append_buffer(self, buf: Any) -> None:
        """Add bytes (or text, as UTF-8) to the end of the buffer."""
        self.buf += fix_val(buf)

    def get_buffer(self) -> bytes:
        """The bytes appended and not yet consumed."""
        return self.buf

    def get_message(self) -> FixMessage | None:
        """Consume the first complete message in the buffer and return it, or ``None``.

        Fields before BeginString <8> are dropped (unless configured otherwise). ``None`` means
        more bytes are needed; the fields read so far are kept for the next call. If the bytes
        read since the last message ended (fields before BeginString included) and the rest
        of the buffer then come to more than ``max_message_size``, the parser drops them all
        and raises ``MessageTooLargeError``: a peer cannot make it hold unbounded memory.

        Raises:
            TagNotNumberError: a tag is not an integer.
            EmptyValueError: a value is empty and ``allow_empty_values`` is off.
            RawLengthNotNumberError: a data length field is not an integer.
            IncompleteTagError: the stop byte came inside a tag.
            FieldOrderError: the message does not start with BeginString <8>.
            InvalidMessageError: strict only: fixwire rejects the message (the subclasses
                ``BadMessageLengthError`` and ``BadChecksumValueError`` name the usual two).
            ParserConfigError: strict with a stop byte or a stop tag other than 10.
            MessageTooLargeError: more than ``max_message_size`` bytes without a message.
        """
        try:
            message = self._read_message()
        except errors.ParsingError:
            # An error leaves the bad field in the buffer, as simplefix does: the limit
            # still applies to what piles up behind it.
            self._limit_held()
            raise
        if message is not None:
            self._pending_size = 0
            return message
        self._limit_held()
        return None

    def _limit_held(self) -> None:
        """Drop everything held and raise if it is more than ``max_message_size``."""
        if not self.pairs:
            self._pending_size = 0
        held = self._pending_size + len(self._data) - self._start
        limit = self.max_message_size
        if limit is not None and held > limit:
            self.reset()
            raise errors.MessageTooLargeError(
                f"{held} bytes held without a complete message, more than max_message_size "
                f"{limit}: dropped"
            )

    def _read_message(self) -> FixMessage | None:
        """``get_message`` without its size limit."""
        if self.strict and (self.stop_byte is not None or self.stop_tag != DEFAULT_STOP_TAG):
            raise errors.ParserConfigError(
                "strict parsing frames messages by BodyLength <9> and CheckSum <10>: "
                "it takes neither a stop byte nor a stop tag other than 10"
            )
        if (
            not self.pairs
            and not self.raw_len
            and self.stop_byte is None
            and self.stop_tag == DEFAULT_STOP_TAG
        ):
            whole = self._whole_message()
            if whole is not None:
                return whole
        eom = self._consume()
        pairs = self.pairs
        if not pairs:
            return None
        if self.strip_fields_before_begin_string and pairs[0][0] != 8:
            junk = next((i for i, (tag, _) in enumerate(pairs) if tag == 8), len(pairs))
            # Tags only: a value may be a signature or a password.
            _log.debug(
                "dropped %d fields before BeginString <8>, tags %s",
                junk,
                [tag for tag, _ in pairs[:junk]],
            )
            del pairs[:junk]
            del self._held_starts[:junk]
            if not pairs:
                self._held = b""
                return None
        if not self.allow_missing_begin_string and pairs[0][0] != 8:
            raise errors.FieldOrderError(
                f"a message must start with BeginString <8>, not tag {pairs[0][0]}"
            )
        if not eom and pairs[-1][0] != self.stop_tag:
            return None
        self.pairs = []
        if self.strict:
            self._check_frame()
        return _message(pairs)

    def _whole_message(self) -> FixMessage | None:
        """The fast path: a whole plain message at the front of the buffer, or ``None``.

        It applies when nothing is pending and the buffer starts with BeginString <8>. The
        bytes up to the first CheckSum <10> field are handed to ``fixwire.parse`` (CheckSum
        verified only when strict). The message is taken as it is when fixwire accepts it (so
        its tags are written as simplefix writes them, no value is empty, and BeginString <8>
        and MsgType <35> come once, first and third), no value holds SOH and no data length
        field is present: what ``_consume`` would then read field by field is exactly
        fixwire's fields.
        Anything else, a message not yet complete included, returns ``None`` for ``_consume``,
        which also raises the errors.
        """
        data = self._data
        start = self._start
        if not data.startswith(b"8=", start):
            return None
        end = data.find(b"\x0110=", start)
        if end < 0:
            return None
        end = data.find(_SOH, end + 4)
        if end < 0:
            return None
        end += 1
        wire = data[start:end]
        if self._raw_len_tags.search(wire):
            return None
        try:
            view = parse(wire, verify_checksum=self.strict)
        except DecodeError:
            return None
        if len(view) != wire.count(_SOH):
            return None
        self._start = end if end < len(data) else 0
        if not self._start:
            self._data = b""
        return FixMessage._parsed(wire, view)

    def _consume(self) -> bool:
        """Move whole fields from ``buf`` to ``pairs``; whether a stop byte ended a message."""
        buf = self._data
        size = len(buf)
        pairs = self.pairs
        stop_tag = self.stop_tag
        stop = self.stop_byte
        stop_text = None if stop is None else bytes((stop,))
        len_tags = self._raw_len_tags.members()
        data_tags = self._raw_data_tags.members()
        starts: list[int] | None = [] if self.strict else None
        begin = pos = self._start
        eom = False
        try:
            while pos < size:
                equals = buf.find(b"=", pos)
                if stop_text is not None:
                    found = buf.find(stop_text, pos, size if equals < 0 else equals)
                    if found >= 0:
                        if found != pos:
                            raise errors.IncompleteTagError(buf[pos:found])
                        pos += 1
                        eom = True
                        break
                if equals < 0:
                    break
                try:
                    tag = int(buf[pos:equals])
                except ValueError as exc:
                    raise errors.TagNotNumberError(*exc.args) from None
                start = equals + 1
                if self.raw_len > 0 and tag in data_tags:
                    end = start + self.raw_len
                    if end > size:
                        break
                    if starts is not None:
                        starts.append(pos)
                    pairs.append((tag, buf[start:end]))
                    # The byte after a data value is taken as its SOH, as simplefix does.
                    pos = end + 1
                    self.raw_len = 0
                    continue
                end = buf.find(_SOH, start)
                if stop_text is not None:
                    found = buf.find(stop_text, start, size if end < 0 else end)
                    if found >= 0:
                        end = found
                if end < 0:
                    break
                value = buf[start:end]
                if not value and not self.allow_empty_values:
                    raise errors.EmptyValueError(tag)
                if starts is not None:
                    starts.append(pos)
                pairs.append((tag, value))
                pos = end + 1
                if buf[end] == stop:
                    eom = True
                    break
                if tag == stop_tag:
                    break
                if tag in len_tags:
                    try:
                        self.raw_len = int(value)
                    except ValueError as exc:
                        raise errors.RawLengthNotNumberError(*exc.args) from None
        finally:
            self._pending_size += pos - begin
            if pos != begin:
                if starts is not None:
                    self._hold(buf[begin:pos], [start - begin for start in starts])
                if pos >= size:
                    self._data = b""
                    pos = 0
                self._start = pos
        return eom

    def _hold(self, consumed: bytes, starts: list[int]) -> None:
        """Strict mode: keep ``consumed`` bytes while they belong to a pending message."""
        if self._held_starts:
            base = len(self._held)
            self._held += consumed
            self._held_starts.extend(base + start for start in starts)
        elif starts:
            first = starts[0]
            self._held = consumed[first:]
            self._held_starts = [start - first for start in starts]

    def _check_frame(self) -> None:
        """Strict mode: check the message just completed with ``fixwire.parse``."""
        wire = self._held[self._held_starts[0] :]
        self._held = b""
        self._held_starts = []
        try:
            parse(wire)
        except DecodeError as exc:
            error = _STRICT_ERRORS.get(exc.kind, errors.InvalidMessageError)
            raise error(exc.reason, exc.kind, exc.offset, exc.tag) from exc


def _message(pairs: list[tuple[int, bytes]]) -> FixMessage:
    """A ``FixMessage`` of parsed pairs, as simplefix's ``append_pair`` calls would make it."""
    message = FixMessage()
    message.pairs = [(tag_text(tag), value) for tag, value in pairs]
    for tag, value in pairs:
        if tag == 8:
            message.begin_string = value
        elif tag == 35:
            message.message_type = value
    return message
