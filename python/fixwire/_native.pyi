"""Type stubs for ``fixwire._native``, the Rust extension. Import from ``fixwire`` instead."""

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self, TypeAlias, TypeVar, final, overload

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer, disjoint_base

from fixwire.errors import DecodeError

DEBUG_BUILD: bool
"""True when the extension was built without optimisation (``make build``)."""

__version__: str
"""The version of the workspace ``Cargo.toml`` the extension was built from."""

_D = TypeVar("_D")
_F = TypeVar("_F")
_G = TypeVar("_G", bound="FieldMap")

_FieldValue: TypeAlias = (
    str
    | int
    | bool
    | Decimal
    | bytes
    | bytearray
    | datetime
    | date
    | Sequence[Iterable[tuple[int, _FieldValue]]]
)

@final
class Message:
    """A parsed FIX message, or one entry of a repeating group: a frozen, lazy view over ``raw``.

    Values become Python objects only when read. Accessors return the first occurrence of a tag.
    Typed getters return ``default`` when the tag is absent and raise ``DecodeError`` (kind
    ``"invalid_value"``) naming the tag and byte offset when the value is malformed.
    """

    @property
    def msg_type(self) -> str:
        """MsgType <35>."""
    @property
    def begin_string(self) -> str:
        """BeginString <8>."""
    @property
    def seq_num(self) -> int:
        """MsgSeqNum <34>; ``DecodeError`` when absent or not an integer."""
    @property
    def raw(self) -> bytes:
        """The message bytes: the very object given to ``parse`` (for a group entry, the
        enclosing message's); from a ``Framer``, the chunk when it was exactly this message, else
        a ``bytes`` of the message made on the first read.
        """
    @property
    def grouped(self) -> bool:
        """Whether the message was parsed with repeating-group specs (``groups=`` or a dictionary),
        so that ``group`` reads its entries; a group entry always is.
        """
    def __getitem__(self, tag: object, /) -> str:
        """The value of ``tag`` as text.

        ``KeyError`` when absent, ``DecodeError`` when not UTF-8.
        """
    @overload
    def get(self, tag: int) -> str | None: ...
    @overload
    def get(self, tag: int, default: _D) -> str | _D:
        """The value of ``tag`` as text, or ``default``."""
    def values(self, tags: Iterable[int], /) -> tuple[str | None, ...]:
        """The values of ``tags`` as text, in the order asked, ``None`` where absent: one call."""
    def get_all(self, tag: int) -> list[str]:
        """Every value of ``tag``, in wire order."""
    @overload
    def get_int(self, tag: int) -> int | None: ...
    @overload
    def get_int(self, tag: int, default: _D) -> int | _D:
        """The value as a FIX int (fits a signed 64-bit integer)."""
    @overload
    def get_decimal(self, tag: int) -> Decimal | None: ...
    @overload
    def get_decimal(self, tag: int, default: _D) -> Decimal | _D:
        """The value as an exact ``Decimal``; never through a float."""
    @overload
    def get_bytes(self, tag: int) -> bytes | None: ...
    @overload
    def get_bytes(self, tag: int, default: _D) -> bytes | _D:
        """The raw value bytes; a data field's may contain SOH."""
    @overload
    def get_bool(self, tag: int) -> bool | None: ...
    @overload
    def get_bool(self, tag: int, default: _D) -> bool | _D:
        """The value as a FIX Boolean: ``Y`` or ``N``."""
    @overload
    def get_char(self, tag: int) -> str | None: ...
    @overload
    def get_char(self, tag: int, default: _D) -> str | _D:
        """The value as a FIX char: exactly one character."""
    @overload
    def get_time(self, tag: int) -> datetime | None: ...
    @overload
    def get_time(self, tag: int, default: _D) -> datetime | _D:
        """The value as a UTCTimestamp, a timezone-aware UTC ``datetime``. Digits below the
        microsecond are truncated (use ``get_time_ns`` for them); a leap second 60 becomes the
        next minute's second 0.
        """
    @overload
    def get_time_ns(self, tag: int) -> int | None: ...
    @overload
    def get_time_ns(self, tag: int, default: _D) -> int | _D:
        """The value as a UTCTimestamp in exact nanoseconds since the Unix epoch."""
    @overload
    def get_date(self, tag: int) -> date | None: ...
    @overload
    def get_date(self, tag: int, default: _D) -> date | _D:
        """The value as a UTCDateOnly or LocalMktDate (``YYYYMMDD``)."""
    def group(self, count_tag: int) -> list[Message]:
        """The entries of the repeating group counted by ``count_tag``, each a ``Message`` view of
        that entry's fields. Empty when the count tag is absent; ``KeyError`` when the message was
        parsed without a spec for that group.
        """
    def pretty(self, dictionary: Dictionary) -> str:
        """The message as text with the dictionary's names and enum meanings."""
    def __contains__(self, tag: object, /) -> bool: ...
    def __len__(self) -> int:
        """Number of fields, header and trailer included."""
    def __iter__(self) -> Iterator[tuple[int, str]]:
        """(tag, value) pairs in wire order."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def parse(
    data: Buffer,
    /,
    *,
    verify_checksum: bool = True,
    groups: GroupSpecs | None = None,
    dictionary: Dictionary | None = None,
    validate: bool = False,
    allow_user_defined: bool = False,
) -> Message:
    """Parse bytes holding exactly one FIX message.

    ``bytes`` are kept as they are (``msg.raw is data``); other buffers are copied once. With
    ``groups`` (or a ``dictionary``, whose groups are used), every repeating group is checked
    (entry count, field order) here. With ``validate=True`` the message is also validated with
    the ``dictionary`` in the same call, as ``dictionary.validate(msg, allow_user_defined=...)``
    would, for less than the two calls cost; ``allow_user_defined`` applies only then.

    Raises:
        DecodeError: the bytes are not one valid message (kind, offset and tag say why).
        RejectError: ``validate=True`` and the dictionary rejects the message.
        ValueError: ``validate=True`` without a dictionary, or with ``groups`` (the
            dictionary's own are read).
    """

@final
class Framer:
    """A stream decoder: feed bytes as they arrive, get whole messages.

    Garbled input is skipped up to the next place a message can start and reported by
    ``drain_errors`` with its stream offset; it never stops the stream. One thread at a time.
    """

    def __new__(
        cls,
        *,
        max_body_length: int = ...,  # 1 MiB
        verify_checksum: bool = True,
        groups: GroupSpecs | None = None,
    ) -> Self: ...
    def feed(self, chunk: Buffer, /) -> list[Message]:
        """Add ``chunk`` to the stream; return every message it completes. A message that lies
        wholly in ``chunk`` is a view into it (``chunk`` stays alive while the message does; its
        ``raw`` is made on the first read, or is ``chunk`` itself when that was exactly the
        message); one completed from a held tail has its own bytes. An unfinished tail is kept
        for the next call.
        """
    def drain_errors(self) -> list[DecodeError]:
        """Take the errors found since the last call; offsets count from the stream's start."""
    @property
    def has_errors(self) -> bool:
        """Whether errors were found since the last ``drain_errors``: a cheaper question than
        draining, for a reader that asks after every chunk.
        """
    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a message."""
    @property
    def offset(self) -> int:
        """Bytes of the stream consumed so far (framed or skipped)."""

@final
class Encoder:
    """Encodes messages with the standard header 8, 9, 35, 49, 56, 34, 52 and CheckSum <10>.

    One thread at a time; keep one per session and reuse it (its buffer and SendingTime cache
    persist).
    """

    def __new__(
        cls,
        sender_comp_id: str,
        target_comp_id: str,
        *,
        begin_string: str = "FIXT.1.1",
        time_precision: str = "ms",
        length_fields: bool = True,
    ) -> Self:
        """``time_precision`` is ``"s"``, ``"ms"``, ``"us"`` or ``"ns"``, for SendingTime <52>
        and every datetime value.

        ``length_fields=False`` writes data fields (RawData <96>, ...) alone, without their
        length field (RawDataLength <95>), for a venue that does not expect it; their values
        may then not contain SOH, like any other value's.
        """
    def encode(
        self,
        msg_type: str,
        fields: Iterable[tuple[int, _FieldValue]],
        *,
        seq_num: int,
        sending_time: datetime | int | float | None = None,
    ) -> bytes:
        """Encode one message: the header, then ``fields`` in the order given, then CheckSum.

        ``sending_time`` is a ``datetime``, an ``int`` of nanoseconds since the Unix epoch, or a
        ``float`` of seconds as ``time.time()`` gives them (rounded to the microsecond, below
        what such a float resolves); ``None`` reads the clock.

        Values: ``str``; ``int``; ``bool`` (``Y``/``N``); ``Decimal`` (exact, as written);
        ``bytes`` (for a data tag such as RawData <96> its length field is written first and
        SOH is allowed); ``datetime`` (UTC; naive means UTC; written at the encoder's
        precision, lower digits truncated); ``date`` (``YYYYMMDD``); a list of entries for a
        repeating group, each entry a list of (tag, value) pairs.

        Raises:
            EncodeError: a tag is not positive or is a header tag, a value is empty, contains
                SOH outside a data field, or cannot be written exactly.
            TypeError: a value of an unsupported type, such as ``float``.
        """
    def encode_template(
        self,
        template: Template,
        values: tuple[_TemplateValue, ...],
        /,
        *,
        seq_num: int,
        sending_time: datetime | int | float | None = None,
    ) -> bytes:
        """Encode ``template`` with one value per slot, in order: the header, the fixed fields
        and each value checked against its rule as it is written, then CheckSum <10>.

        ``None`` leaves an optional slot's field out. ``sending_time`` is as for :meth:`encode`.

        Raises:
            EncodeError: a value breaks its slot's rule, is of a kind the rule does not take
                (a ``float``, say), or is missing; or there are not exactly ``len(template)``
                values. The message names the slot (its rule's ``name``, else ``tag N``) and
                the rule; ``tag`` is the slot's tag.
        """
    def possible_duplicate(
        self, original: bytes, /, *, sending_time: datetime | int | float | None = None
    ) -> bytes:
        """A copy of ``original``, a message this session sent, to send again in a resend.

        PossDupFlag <43> becomes ``Y``, OrigSendingTime <122> the original SendingTime <52>
        (kept when ``original`` was itself a resend), SendingTime <52> ``sending_time``;
        BodyLength <9> and CheckSum <10> are recomputed. Every other byte, the body with its
        groups and data fields included, is copied as it was.

        Raises:
            DecodeError: ``original`` is not one whole FIX message.
            EncodeError: ``original`` has no SendingTime <52>, or the result is too large.
        """
    @property
    def sender_comp_id(self) -> str:
        """SenderCompID <49>."""
    @property
    def target_comp_id(self) -> str:
        """TargetCompID <56>."""
    @property
    def begin_string(self) -> str:
        """BeginString <8>."""

_TemplateValue: TypeAlias = str | int | bool | Decimal | datetime | None

@final
class Rule:
    """What one slot of a :class:`Template` accepts: built by the static methods below.

    Every rule also carries the ``name`` its errors give the slot (an argument name, say;
    ``tag N`` when ``None``) and whether ``None`` leaves the field out (``optional``). A value
    of a kind the rule does not take is refused, never converted: a ``float`` never passes.
    """

    @staticmethod
    def text(
        *,
        charset: str | None = None,
        max_length: int | None = None,
        name: str | None = None,
        optional: bool = False,
    ) -> Rule:
        """A ``str`` of 1 to ``max_length`` UTF-8 bytes, each a character of ``charset`` (any
        but SOH when ``None``). The charset holds ASCII characters only: the rule checks
        bytes, and :class:`Template` refuses any other charset.
        """
    @staticmethod
    def choice(
        values: Iterable[str | int] | dict[str, str | int] | dict[int, str | int],
        /,
        *,
        name: str | None = None,
        optional: bool = False,
    ) -> Rule:
        """Exactly one of ``values``: a ``str``, or an ``int`` (within 64 bits) compared by its
        digits. Given a ``dict``, its keys are accepted and its values written:
        ``{"yes": "1", "no": "2"}`` takes ``"yes"`` and writes ``1``.

        Raises:
            TypeError: ``values`` is a single ``str``, or holds something else than ``str``
                and ``int``.
            ValueError: an ``int`` beyond 64 bits.
        """
    @staticmethod
    def integer(
        *,
        ge: int | None = None,
        le: int | None = None,
        name: str | None = None,
        optional: bool = False,
    ) -> Rule:
        """An ``int`` (not a ``bool``) from ``ge`` to ``le``, both included."""
    @staticmethod
    def decimal(
        *,
        gt: Decimal | int | str | None = None,
        ge: Decimal | int | str | None = None,
        lt: Decimal | int | str | None = None,
        le: Decimal | int | str | None = None,
        places: int | None = None,
        in_units: bool = False,
        name: str | None = None,
        optional: bool = False,
    ) -> Rule:
        """A ``Decimal``, ``int`` or numeric ``str`` within the bounds (compared by value) with
        at most ``places`` decimals, trailing zeros not counted (those beyond ``places`` are
        dropped). ``in_units`` writes it as a whole number of ``10**-places``: with
        ``places=2``, dollars ``0.55`` go out as cents, ``55``. The value is written plainly
        (``".5"`` as ``0.5``), its decimals kept; it must fit a 64-bit mantissa with at most 18
        decimals once trailing zeros are dropped.

        Raises:
            ValueError: a bound that is not a number (a ``float`` included), or ``places``
                outside 0 to 18.
        """
    @staticmethod
    def boolean(*, name: str | None = None, optional: bool = False) -> Rule:
        """A ``bool``, written ``Y`` or ``N``."""
    @staticmethod
    def timestamp(*, name: str | None = None, optional: bool = False) -> Rule:
        """A ``datetime`` (UTC; naive means UTC), written at the encoder's precision."""
    @property
    def name(self) -> str | None:
        """The name errors give the slot, if any."""
    @property
    def optional(self) -> bool:
        """Whether ``None`` leaves the field out."""

@final
class Template:
    """A message of one MsgType laid out in advance, for :meth:`Encoder.encode_template`.

    ``fields`` lists the body in wire order: ``(tag, Rule)`` for a slot, whose value is given
    at each encoding, or ``(tag, value)`` for a field fixed in every message (``str``, ``int``,
    ``bool`` or ``Decimal``). A venue's rules for an order become data checked in Rust, in the
    same pass that writes the message::

        order = Template("D", [
            (11, Rule.text(charset=ID_CHARS, max_length=64, name="cl_ord_id")),
            (40, "2"),
            (44, Rule.decimal(gt=0, lt=1, places=4, name="price")),
        ])
        wire = encoder.encode_template(order, ("id-1", Decimal("0.55")), seq_num=7)

    Raises:
        EncodeError: a tag the encoder writes itself, an empty or SOH-holding fixed value, a
            fixed ``Decimal`` that is not a number, a rule that admits nothing (an empty
            charset or choice, bounds with no value between them), a charset beyond ASCII,
            ``in_units`` without ``places``, or ``places`` above 18.
    """

    def __new__(
        cls, msg_type: str, fields: Iterable[tuple[int, Rule | str | int | bool | Decimal]], /
    ) -> Self: ...
    @property
    def msg_type(self) -> str:
        """MsgType <35>."""
    def __len__(self) -> int:
        """How many values an encoding takes."""

def checksum(data: Buffer, /) -> int:
    """The FIX checksum of ``data``: the sum of its bytes modulo 256."""

@final
class GroupSpec:
    """The layout of one repeating group: its NumInGroup tag and members in order.

    The first member delimits entries, unless ``delimiters`` lists the members that may start an
    entry; then the first of them seen in a message delimits all of that group's entries.
    """

    def __new__(
        cls,
        count_tag: int,
        members: Iterable[int | GroupSpec],
        *,
        delimiters: Sequence[int] | None = None,
    ) -> Self: ...
    @property
    def count_tag(self) -> int:
        """The NumInGroup tag."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[int, list[int | GroupSpec]]]:
        """Specs pickle (Dask ships them to its workers)."""

@final
class GroupSpecs:
    """Repeating-group specs by message type, for ``parse(..., groups=...)`` and ``Framer``."""

    def __new__(cls, specs: Iterable[GroupSpec] | None = None) -> Self:
        """``specs`` apply to every message type."""
    def add(self, spec: GroupSpec, *, msg_types: Sequence[str] | None = None) -> None:
        """Add ``spec`` for ``msg_types`` (taking precedence), or for every message type."""
    @staticmethod
    def kalshi() -> GroupSpecs:
        """The repeating groups of Kalshi's FIX gateway."""

@final
class Dictionary:
    """A FIX data dictionary (QuickFIX XML): names, types, enums, layouts, validation."""

    @staticmethod
    def kalshi() -> Dictionary:
        """The bundled dictionary of Kalshi's FIX gateway (lenient where the venue's docs leave
        questions open).
        """
    @staticmethod
    def from_xml(
        app: str | os.PathLike[str], transport: str | os.PathLike[str] | None = None
    ) -> Dictionary:
        """Read QuickFIX XML (a path, or the XML text itself): an application dictionary and,
        for FIXT.1.1, its transport dictionary (header, trailer, admin messages).

        Raises:
            DictionaryError: malformed XML or an inconsistent dictionary; ``.line`` names the
                line (a ``ValueError`` too).
            OSError: a path that cannot be read.
        """
    @property
    def begin_string(self) -> str:
        """BeginString <8> of the dictionary."""
    @property
    def warnings(self) -> list[str]:
        """What the XML had that is not quite right but was accepted as QuickFIX accepts it (a
        group listing a member twice: the second is ignored), one line each.
        """
    @property
    def groups(self) -> GroupSpecs:
        """The repeating groups of every message, for ``parse(..., groups=)`` and ``Framer``."""
    def field(self, tag: int) -> FieldInfo:
        """The field with ``tag``; ``KeyError`` when undefined."""
    def tag(self, name: str) -> int:
        """The tag of the field named ``name``; ``KeyError`` when undefined."""
    def group(self, count_tag: int, msg_type: str | None = None) -> GroupSpec:
        """The repeating group counted by ``count_tag`` (its NumInGroup tag), laid out as in
        messages of ``msg_type``, or as in the first message (by MsgType) that has it;
        ``KeyError`` when no message has it.
        """
    def message(self, msg_type: str) -> MessageInfo:
        """The message of MsgType ``msg_type``; ``KeyError`` when undefined."""
    def msg_types(self) -> list[str]:
        """Every MsgType, sorted."""
    def validate(self, msg: Message, *, allow_user_defined: bool = False) -> None:
        """Check ``msg`` as a counterparty using this dictionary would.

        Raises:
            RejectError: with the SessionRejectReason <373> (1, 2, 3, 5, 6, 11, 13, 14, 15, 16),
                RefTagID <371> and RefMsgType <372> of the first problem found.
            TypeError: ``msg`` is a group entry, not a whole message.
        """
    def format(self, msg: Message) -> str:
        """One line per field: tag, name, value and the value's meaning; groups indented."""

@final
class FieldInfo:
    """A field of a dictionary."""

    @property
    def tag(self) -> int:
        """The tag number."""
    @property
    def name(self) -> str:
        """The FIX name."""
    @property
    def type(self) -> str:
        """The FIX type name: PRICE, STRING, UTCTIMESTAMP, ..."""
    @property
    def column_kind(self) -> str:
        """The column kind ``read_columns`` reads the field as when given this dictionary:
        ``"int"``, ``"decimal"``, ``"time"``, ``"date"``, ``"bool"`` or ``"str"``.
        """
    @property
    def values(self) -> dict[str, str]:
        """Enumerated values and their descriptions; empty when any value is allowed."""

@final
class MessageInfo:
    """A message of a dictionary."""

    @property
    def name(self) -> str:
        """The FIX name."""
    @property
    def msg_type(self) -> str:
        """MsgType <35>."""
    @property
    def category(self) -> str:
        """``admin`` or ``app``."""
    @property
    def fields(self) -> list[int]:
        """Body tags in dictionary order (a group by its count tag), components flattened."""
    @property
    def required(self) -> list[int]:
        """Body tags the message must carry."""

@final
class LogPrinter:
    """The messages of a FIX log as text for people, a read at a time (private: the ``fixwire
    decode`` command's engine). One thread at a time.
    """

    def __new__(
        cls,
        dictionary: Dictionary,
        *,
        style: Literal["plain", "colour", "json"],
        msg_types: Sequence[str] | None,
        heading: bytes,
        json_source: bytes,
    ) -> Self: ...
    def print(
        self, data: Buffer, /, base: int, *, last: bool, max_held: int
    ) -> tuple[bytes, list[tuple[int, int, DecodeError]], int, int]:
        """The output for the messages of ``data``, which starts ``base`` bytes into the input:
        ``(text, garbled, consumed, need)``. ``text`` is UTF-8; ``garbled`` lists the bad
        candidates as ``(position in text, offset in the input, DecodeError)``; the caller keeps
        ``data[consumed:]`` for the next call and makes that call once it holds ``need`` bytes.
        With ``last``, everything in ``data`` is reported; otherwise a message cut short at
        the end is held back, up to ``max_held`` bytes. The GIL is released meanwhile.
        """

def find_messages(
    data: Buffer, /, *, groups: GroupSpecs | None = None
) -> list[tuple[int, Message | DecodeError]]:
    """Every FIX message in log text (raw, one a line, ``|``-separated, or after line prefixes
    such as timestamps), as ``(offset, message)``; a candidate that is not a valid message
    comes as ``(offset, DecodeError)`` and the search goes on after it. Messages from ``|``
    text hold the SOH form in ``raw``.
    """

def scan_columns(
    source: Buffer | str,
    columns: list[tuple[int, str, int]],
    *,
    msg_types: list[str] | None = None,
    explode: GroupSpec | None = None,
    verify_checksum: bool = True,
    threads: int = 0,
    byte_range: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Scan FIX messages into column buffers (private: use ``fixwire.read_columns``).

    ``source`` is bytes or a path (``str``, memory-mapped); ``columns`` are
    ``(tag, kind, scale)``. Returns ``rows``, ``messages``, ``garbled`` (offsets), ``offset``,
    ``msg_type``, ``columns``: per column ``(values, valid, invalid_count)``, where text
    values are ``(offsets, data)``, and for bytes ``reached``: where the last message read
    ended (at least the range's start; ``None`` for a path). The GIL is released during the
    scan.
    """

@final
class ArrowStream:
    """Columns as an Arrow C stream (private: ``fixwire.table`` builds it).

    ``fields`` are ``(name, format, nullable, metadata, dictionary_format)``; each batch is
    ``(rows, columns)`` with a column per field, ``(length, null_count, buffers, dictionary)``,
    its buffers (objects with the buffer protocol, ``None`` for an absent validity bitmap) laid
    out as the field's Arrow format requires. The buffers are not copied: consumers read them
    in place, and they stay alive until every consumer has released its arrays.
    """

    def __new__(
        cls,
        fields: list[tuple[str, str, bool, list[tuple[str, str]], str | None]],
        batches: list[tuple[int, list[tuple[Any, ...]]]],
        metadata: list[tuple[str, str]],
    ) -> Self: ...
    def __arrow_c_schema__(self) -> object:
        """The schema, as an ``arrow_schema`` capsule."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The batches, as an ``arrow_array_stream`` capsule. A requested schema is not applied
        (the PyCapsule protocol lets the consumer cast).
        """

@disjoint_base
class FieldBase:
    """A tag and its value as text: the base of `fixwire.quickfix`'s field classes.

    ``FieldBase(tag, value=None)``; a subclass with a non-zero ``TAG`` class attribute (a
    named field class, ``ClOrdID``) takes only the value. A ``str`` value is kept as it is.
    The class's ``_KIND`` says what else is converted natively: ``1`` an integer field (an
    ``int``), ``2`` a double field (a ``float``, or an ``int`` a double holds, written as
    QuickFIX writes doubles), ``3``, ``4``, ``5`` a UTC timestamp, time or date field (no value
    is the time now, to the second). ``None`` is otherwise ``""``, and any other value is
    converted by ``cls._convert(value)``, the Python class's own conversion.
    """

    def __new__(cls, *args: Any) -> Self: ...
    @property
    def _tag(self) -> int:
        """The tag."""
    @_tag.setter
    def _tag(self, value: int) -> None:
        """The tag."""
    @property
    def _string(self) -> str:
        """The value as it is written on the wire."""
    @_string.setter
    def _string(self, value: str) -> None:
        """The value as it is written on the wire."""

@final
class GroupLayout:
    """The order of a repeating group's entries: its count tag, the delimiter that starts
    each entry, then ``order``; undeclared tags last, by tag (``fixwire.quickfix``'s groups).
    """

    def __new__(cls, count_tag: int, delim: int, order: list[int] = ...) -> Self: ...

@final
class HeaderCheck:
    """The check a session makes of the common inbound message, in one call.

    ``in_sequence`` is True when a message is an application message carrying the expected
    MsgSeqNum <34>, without PossDupFlag <43>=Y, whose BeginString <8>, TargetCompID <56>,
    SenderCompID <49> and SendingTime <52> pass the session's checks: the session's full order of
    checks would pass it too. False promises nothing (the full path decides); a SendingTime
    within 1 ms of the allowed skew is left to it.
    """

    def __new__(
        cls,
        begin_string: str,
        sender_comp_id: str,
        target_comp_id: str | None,
        max_skew: float | None,
    ) -> Self: ...
    def in_sequence(self, message: Message, expected: int, now: float, /) -> bool:
        """Whether ``message`` is the common inbound message: MsgSeqNum <34> ``expected``, the
        time ``now`` (seconds since the Unix epoch). A group entry is read as its whole message.
        """

@final
class Filing:
    """How a parse is filed into a message's maps: ``Filing(header_tags, count_tags)``."""

    def __new__(cls, header_tags: Iterable[int], count_tags: Iterable[int]) -> Self: ...

@disjoint_base
class FieldMap:
    """Fields by tag with repeating groups, written in QuickFIX's order.

    A subclass's ``_ORDER`` class attribute says which order: ``1`` a header, ``2`` a trailer,
    a :class:`GroupLayout` a group entry; anything else (or none) a body.
    """

    def __new__(cls, *_args: Any) -> Self: ...
    def _set_layout(self, layout: GroupLayout) -> None:
        """Makes this (empty) map a group entry of ``layout``."""
    @overload
    def setField(self, field: int, value: object) -> None: ...
    @overload
    def setField(self, field: object, value: bool | None = None) -> None:
        """Set a field: ``setField(ClOrdID("a"))`` or ``setField(11, "a")``; ``setField(field,
        False)`` keeps a value already set (QuickFIX's ``overwrite``).
        """
    @overload
    def getField(self, field: int) -> str: ...
    @overload
    def getField(self, field: _F) -> _F:
        """``getField(11)`` is the text of ClOrdID <11>; ``getField(ClOrdID())`` fills the field
        object given and returns it.

        Raises:
            FieldNotFound: the field is not set.
        """
    def getFieldIfSet(self, field: object) -> bool:
        """Fill ``field`` if it is set; return whether it was."""
    def isSetField(self, field: object) -> bool:
        """Whether the field (object or tag) is set."""
    def removeField(self, field: object) -> None:
        """Remove the field (object or tag) and its repeats, if set."""
    def addGroup(self, group: FieldMap) -> None:
        """Append a copy of ``group`` as a new entry and set the count field."""
    def getGroup(self, num: int, group: _G) -> _G:
        """Fill ``group`` with entry ``num`` (from 1) of its group and return it.

        Raises:
            FieldNotFound: there is no such entry (``group`` is left empty, as in QuickFIX).
        """
    def replaceGroup(self, num: int, group: FieldMap) -> None:
        """Replace entry ``num`` (from 1) with a copy of ``group``.

        Raises:
            FieldNotFound: there is no such entry.
        """
    def removeGroup(self, *args: object) -> None:
        """``removeGroup(num, tag_or_group)`` removes one entry, ``removeGroup(tag_or_group)``
        every entry (and the count field).
        """
    def hasGroup(self, *args: object) -> bool:
        """``hasGroup(tag_or_group)`` or ``hasGroup(num, tag_or_group)``."""
    def groupCount(self, tag: int) -> int:
        """How many entries the group of count field ``tag`` has."""
    def clear(self) -> None:
        """Remove every field and group."""
    def isEmpty(self) -> bool:
        """Whether no field is set."""
    def totalFields(self) -> int:
        """Fields set, group entries' fields included."""
    def field(self) -> int:
        """The count tag of a group entry (NoPartyIDs <453> ...)."""
    def delim(self) -> int:
        """The tag that starts each entry of a group."""
    def _get(self, tag: int) -> str | None:
        """The value of ``tag``, or ``None``."""
    def _fill_from(
        self, header: FieldMap, trailer: FieldMap, native: Message, filing: Filing
    ) -> None:
        """Files the fields of ``native`` (a parse) into ``header``, this body and ``trailer`` in
        wire order, a group's entries (when ``native`` was parsed with the group's spec) into
        entries of its count field.
        """
    def _flat(self) -> list[tuple[int, Any]]:
        """The fields in written order as ``(tag, text)``, a group's count field as ``(tag,
        [entry, ...])`` with each entry the same: what ``fixwire.Encoder`` takes.
        """
    def _text(self) -> str:
        """The map's fields as they are written inside a message."""

@final
class MessageLayout:
    """What a message class makes with each message: ``MessageLayout(header_class,
    trailer_class, header_fields)``, the classes of its header and trailer and the ``(tag,
    text)`` fields set in the header (BeginString <8>, ApplVerID <1128>, MsgType <35>).
    """

    def __new__(
        cls,
        header_class: type[FieldMap],
        trailer_class: type[FieldMap],
        header_fields: list[tuple[int, str]],
    ) -> Self: ...

@disjoint_base
class MessageMap(FieldMap):
    """A message: its body, and the header and trailer made with it.

    A subclass's ``_LAYOUT`` class attribute (a :class:`MessageLayout`) gives the classes of
    the header and trailer and the header fields each new message has. A class whose layout
    sets header fields (a version's message class) takes no arguments; any other leaves its
    arguments to ``__init__``.
    """

    def __new__(cls, *args: Any) -> Self: ...
    def getHeader(self) -> FieldMap:
        """The header, shared (changes to it change the message)."""
    def getTrailer(self) -> FieldMap:
        """The trailer, shared."""
    def toString(self) -> str:
        """The message as FIX text, with BodyLength <9> and CheckSum <10> computed (and set in
        header and trailer).
        """

def pack_strings(
    out: npt.NDArray[Any], offsets: npt.NDArray[np.int64], data: npt.NDArray[np.uint8], /
) -> None:
    """Store text column values (UTF-8) into ``out``, a new one-dimensional ``StringDType``
    array with a row per value, through numpy's string API: one copy of each value.

    Raises:
        ValueError: ``out`` is not such an array, or a value is not UTF-8.
        MemoryError: numpy could not store a value.
    """

__all__ = [
    "DEBUG_BUILD",
    "ArrowStream",
    "Dictionary",
    "Encoder",
    "FieldBase",
    "FieldInfo",
    "FieldMap",
    "Filing",
    "Framer",
    "GroupLayout",
    "GroupSpec",
    "GroupSpecs",
    "HeaderCheck",
    "LogPrinter",
    "Message",
    "MessageInfo",
    "MessageLayout",
    "MessageMap",
    "Rule",
    "Template",
    "__version__",
    "checksum",
    "find_messages",
    "pack_strings",
    "parse",
    "scan_columns",
]
