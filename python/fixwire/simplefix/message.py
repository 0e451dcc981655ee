"""``FixMessage``: simplefix's message class, encoded with fixwire's checksum.

A message is an ordered list of ``(tag, value)`` pairs, both ``bytes``, in ``pairs`` exactly as
simplefix keeps them, so code that reads or edits ``pairs`` directly keeps working. ``encode``
builds the frame in one join and sums it in Rust (``fixwire.checksum``) instead of a
byte-by-byte Python loop. A message that ``FixParser`` read whole is a view over fixwire's
parse of its bytes: ``get`` reads through it, and ``pairs`` is made on first use.

Naive UTC times are computed without ``datetime.utcnow`` and ``utcfromtimestamp``, which
Python 3.12 deprecates; the values written are the same. Where this module differs from
simplefix 1.0.17 on purpose, ``docs/simplefix.md`` says so and why.
"""

from __future__ import annotations

import datetime
import time
import warnings
from collections import Counter
from typing import Any

from fixwire._native import Message, checksum

__all__ = ["FixMessage", "fix_tag", "fix_val"]

_UTC = datetime.UTC
# Tags ``encode`` writes itself: BeginString <8>, BodyLength <9>, MsgType <35>, CheckSum <10>.
_FRAME_TAGS = frozenset((8, 9, 35, 10))
_FRAME_TAG_BYTES = frozenset((b"8", b"9", b"35", b"10"))
# Tag texts by number, so that the same tags are not formatted again (bounded).
_TAG_TEXT: dict[int, bytes] = {}
_TAG_TEXT_LIMIT = 10_000
# Tags fixwire reads are below 2**32.
_TAG_LIMIT = 1 << 32
_DATE_TIME = "%Y%m%d-%H:%M:%S"
_TIME = "%H:%M:%S"


def fix_val(value: Any) -> bytes:
    """A FIX value as bytes: ``bytes`` as they are, ``str`` as UTF-8, anything else via ``str``."""
    if type(value) is bytes:
        return value
    if type(value) is str:
        return value.encode()
    return str(value).encode("ascii")


def fix_tag(value: Any) -> bytes:
    """A FIX tag as bytes: anything with ``__int__`` as its decimal digits, text as ASCII."""
    if hasattr(value, "__int__"):
        return str(int(value)).encode("ascii")
    if type(value) is bytes:
        return value
    if type(value) is str:
        return value.encode("ascii")
    return str(value).encode("ascii")


def tag_text(tag: int) -> bytes:
    """``tag`` in decimal, as simplefix writes an int tag (remembered for tags up to 10,000)."""
    text = _TAG_TEXT.get(tag)
    if text is None:
        text = b"%d" % tag
        if 0 < tag < _TAG_TEXT_LIMIT:
            _TAG_TEXT[tag] = text
    return text


def _utc_naive(timestamp: float | None) -> datetime.datetime:
    """UTC wall time as a naive datetime, for ``timestamp`` seconds or now."""
    moment = (
        datetime.datetime.now(_UTC)
        if timestamp is None
        else datetime.datetime.fromtimestamp(timestamp, _UTC)
    )
    return moment.replace(tzinfo=None)


def _local_offset_minutes(local: datetime.datetime, epoch_seconds: float) -> int:
    """Minutes east of UTC of local time ``local``, which is ``epoch_seconds`` on the clock."""
    delta = local - _utc_naive(epoch_seconds)
    return int((delta.days * 86400 + delta.seconds) / 60)


def _fraction(moment: datetime.datetime, precision: int | None) -> str:
    """The sub-second digits for ``precision`` 0, 3 or 6 (with their dot)."""
    if precision == 0:
        return ""
    if precision == 3:
        return f".{moment.microsecond // 1000:03d}"
    if precision == 6:
        return f".{moment.microsecond:06d}"
    raise ValueError(f"Precision ({precision}) should be one of 0, 3 or 6 digits")


def _ranged(value: Any, name: str, low: int, high: int) -> int:
    """``int(value)``, or ``ValueError`` naming ``name`` when outside ``low`` to ``high``."""
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{name} ({number}) out of range {low} to {high}")
    return number


def _time_of_day(h: Any, m: Any, s: Any, ms: Any, us: Any) -> str:
    """``HH:MM[:SS[.sss[sss]]]``, each part checked; a ``None`` part ends the value there."""
    text = f"{_ranged(h, 'Hour value `h`', 0, 23):02d}:{_ranged(m, 'Minute value `m`', 0, 59):02d}"
    if s is not None:
        text += f":{_ranged(s, 'Seconds value `s`', 0, 60):02d}"
        if ms is not None:
            text += f".{_ranged(ms, 'Milliseconds value `ms`', 0, 999):03d}"
            if us is not None:
                text += f"{_ranged(us, 'Microseconds value `us`', 0, 999):03d}"
    return text


class FixMessage:
    """A FIX message: ordered ``(tag, value)`` pairs, repeats and groups allowed.

    Attributes:
        begin_string: BeginString <8> as last appended, or ``None``.
        message_type: MsgType <35> as last appended, or ``None``.
        pairs: The ``(tag, value)`` pairs as ``bytes``, in order.
        header_index: Where the next ``header=True`` pair goes.
    """

    # Messages are mutable: no hashing, as in simplefix.
    __hash__ = None  # type: ignore[assignment]

    def __init__(self) -> None:
        self.begin_string: bytes | None = None
        self.message_type: bytes | None = None
        self._pairs: list[tuple[bytes, bytes]] | None = []
        self.header_index = 0
        # A message read by FixParser's fast path: its bytes and fixwire's view of them, until
        # ``pairs`` is first used; the pairs are then made from ``_wire``.
        self._wire = b""
        self._view: Message | None = None

    @classmethod
    def _parsed(cls, wire: bytes, view: Message) -> FixMessage:
        """A message of plain fields (values without SOH, one BeginString <8> and MsgType <35>)
        that fixwire has parsed, whose ``pairs`` are made only when used.
        """
        message = cls()
        message._pairs = None
        message._wire = wire
        message._view = view
        message.begin_string = wire[2 : wire.index(b"\x01")]
        message.message_type = view.get_bytes(35)
        return message

    @property
    def pairs(self) -> list[tuple[bytes, bytes]]:
        """The ``(tag, value)`` pairs as ``bytes``, in order; edit them freely."""
        pairs = self._pairs
        if pairs is None:
            fields = self._wire[:-1].split(b"\x01")
            pairs = self._pairs = [(tag, value) for tag, _, value in map(_split_field, fields)]
            self._view = None
        return pairs

    @pairs.setter
    def pairs(self, pairs: list[tuple[bytes, bytes]]) -> None:
        self._pairs = pairs
        self._view = None

    def count(self) -> int:
        """The number of pairs."""
        if self._view is not None:
            return len(self._view)
        return len(self.pairs)

    def append_pair(self, tag: Any, value: Any, header: bool = False) -> None:
        """Append ``tag=value``; a ``None`` tag or value appends nothing.

        Args:
            tag: The tag: an int (or anything with ``__int__``), ``str`` or ``bytes``.
            value: The value: ``bytes``, ``str`` (UTF-8) or anything ``str`` can write.
            header: Insert after the header pairs appended so far instead of at the end.
        """
        if tag is None or value is None:
            return
        if type(tag) is int:
            number = tag
            text = _TAG_TEXT.get(tag) or tag_text(tag)
        else:
            number = int(tag)
            text = fix_tag(tag)
        kind = type(value)
        data = value if kind is bytes else value.encode() if kind is str else fix_val(value)
        if number == 8:
            self.begin_string = data
        elif number == 35:
            self.message_type = data
        pairs = self._pairs
        if pairs is None:
            pairs = self.pairs
        if header:
            pairs.insert(self.header_index, (text, data))
            self.header_index += 1
        else:
            pairs.append((text, data))

    def append_time(
        self,
        tag: Any,
        timestamp: Any = None,
        precision: int = 3,
        utc: bool = True,
        header: bool = False,
    ) -> None:
        """Append a timestamp (deprecated by simplefix: use ``append_utc_timestamp``).

        Args:
            tag: The tag.
            timestamp: A ``datetime`` (written as it is), a ``float`` of epoch seconds, or a
                false value for now.
            precision: Sub-second digits: 0, 3 or 6.
            utc: Write a float ``timestamp`` as UTC (else local time).
            header: Append to the header.
        """
        warnings.warn(
            "simplefix.FixMessage.append_time() is deprecated. "
            "Use append_utc_timestamp() or append_tz_timestamp() instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        if not timestamp:
            moment = _utc_naive(None)
        elif type(timestamp) is float:
            moment = _utc_naive(timestamp) if utc else datetime.datetime.fromtimestamp(timestamp)
        else:
            moment = timestamp
        text = f"{moment:%Y%m%d-%H:%M:%S}{_fraction(moment, precision)}"
        self.append_pair(tag, text, header=header)

    def _append_utc(self, tag: Any, fmt: str, timestamp: Any, precision: int, header: bool) -> None:
        moment = timestamp if timestamp is not None and type(timestamp) is not float else None
        if moment is None:
            moment = _utc_naive(timestamp)
        if precision not in (0, 3, 6):
            raise ValueError(f"Precision ({precision}) should be one of 0, 3 or 6 digits")
        if fmt is _DATE_TIME and type(moment) is datetime.datetime and moment.year >= 1000:
            # strftime is slow; this writes what it writes for these years.
            text = (
                f"{moment.year}{moment.month:02d}{moment.day:02d}-"
                f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
            )
        else:
            text = moment.strftime(fmt)
        self.append_pair(tag, text + _fraction(moment, precision), header=header)

    def append_utc_timestamp(
        self, tag: Any, timestamp: Any = None, precision: int = 3, header: bool = False
    ) -> None:
        """Append a UTCTimestamp (``YYYYMMDD-HH:MM:SS[.sss[sss]]``).

        Args:
            tag: The tag.
            timestamp: A UTC ``datetime``, a ``float`` of epoch seconds, or ``None`` for now.
            precision: Sub-second digits: 0, 3 or 6; anything else is a ``ValueError``.
            header: Append to the header.
        """
        self._append_utc(tag, _DATE_TIME, timestamp, precision, header)

    def append_utc_time_only(
        self, tag: Any, timestamp: Any = None, precision: int = 3, header: bool = False
    ) -> None:
        """Append a UTCTimeOnly (``HH:MM:SS[.sss[sss]]``); arguments as ``append_utc_timestamp``."""
        self._append_utc(tag, _TIME, timestamp, precision, header)

    def append_utc_time_only_parts(
        self,
        tag: Any,
        h: Any,
        m: Any,
        s: Any,
        ms: Any = None,
        us: Any = None,
        header: bool = False,
    ) -> None:
        """Append a UTCTimeOnly from hours, minutes, seconds and optional ms and us.

        Raises:
            ValueError: a part is not an integer or is out of its range (a second may be 60).
            TypeError: ``s`` is ``None``.
        """
        if s is None:
            raise TypeError("UTCTimeOnly needs its seconds `s`")
        self.append_pair(tag, _time_of_day(h, m, s, ms, us), header=header)

    def append_tz_timestamp(
        self, tag: Any, timestamp: Any = None, precision: int = 3, header: bool = False
    ) -> None:
        """Append a TZTimestamp: local time and its offset from UTC, ``timestamp`` local.

        Arguments as :meth:`append_utc_timestamp`; a float or ``None`` is written as local time.
        """
        if timestamp is None:
            seconds = time.time()
        elif type(timestamp) is float:
            seconds = timestamp
        else:
            seconds = time.mktime(timestamp.timetuple()) + timestamp.microsecond * 1e-6
        local = datetime.datetime.fromtimestamp(seconds)
        offset = _local_offset_minutes(local, seconds)
        text = local.strftime(_DATE_TIME) + _fraction(local, precision)
        self.append_pair(tag, text + self._tz_offset_string(offset), header=header)

    def append_tz_time_only(
        self, tag: Any, timestamp: Any = None, precision: int | None = 3, header: bool = False
    ) -> None:
        """Append a TZTimeOnly: local time of day with its offset from UTC.

        Args:
            tag: The tag.
            timestamp: A local ``datetime``, a ``float`` of epoch seconds, or ``None`` for now.
            precision: ``None`` for minutes only, else sub-second digits 0, 3 or 6.
            header: Append to the header.
        """
        if timestamp is None:
            local = datetime.datetime.now()
        elif type(timestamp) is float:
            local = datetime.datetime.fromtimestamp(timestamp)
        else:
            local = timestamp
        seconds = time.mktime(local.timetuple()) + local.microsecond * 1e-6
        offset = _local_offset_minutes(local, seconds)
        if precision is None:
            text = f"{local:%H:%M}"
        elif precision in (0, 3, 6):
            text = f"{local:%H:%M:%S}{_fraction(local, precision)}"
        else:
            raise ValueError("Precision should be one of None, 0, 3 or 6 digits")
        self.append_pair(tag, text + self._tz_offset_string(offset), header=header)

    def append_tz_time_only_parts(
        self,
        tag: Any,
        h: Any,
        m: Any,
        s: Any = None,
        ms: Any = None,
        us: Any = None,
        offset: Any = 0,
        header: bool = False,
    ) -> None:
        """Append a TZTimeOnly from its parts; ``offset`` is minutes east of UTC.

        Each of ``s``, ``ms`` and ``us`` may be ``None`` to end the value before it.

        Raises:
            ValueError: a part is not an integer or is out of its range.
        """
        text = _time_of_day(h, m, s, ms, us) + self._tz_offset_string(offset)
        self.append_pair(tag, text, header=header)

    def append_string(self, field: str, header: bool = False) -> None:
        """Append a ``"tag=value"`` string, split at its first ``=``.

        Raises:
            ValueError: there is no ``=``, or the tag is not an integer.
        """
        tag, equals, value = field.partition("=")
        if not equals:
            raise ValueError("Field missing '=' separator.")
        try:
            number = int(tag)
        except ValueError:
            raise ValueError(f"Tag value must be an integer, not {tag!r}") from None
        self.append_pair(number, value, header=header)

    def append_strings(self, string_list: Any, header: bool = False) -> None:
        """Append each ``"tag=value"`` string of ``string_list``."""
        for field in string_list:
            self.append_string(field, header=header)

    def append_data(self, len_tag: Any, val_tag: Any, data: Any, header: bool = False) -> None:
        """Append a data field (which may hold SOH) after its length field, e.g. 95 and 96."""
        self.append_pair(len_tag, len(data), header=header)
        self.append_pair(val_tag, data, header=header)

    def get(self, tag: Any, nth: Any = 1) -> bytes | None:
        """The ``nth`` value (from 1) of ``tag``, or ``None``."""
        view = self._view
        if view is not None and nth == 1:
            number = tag if type(tag) is int else _plain_tag(fix_tag(tag))
            # A parsed message's tags are all plain: another spelling is in no pair.
            return view.get_bytes(number) if 0 < number < _TAG_LIMIT else None
        wanted = fix_tag(tag)
        left = int(nth)
        for pair_tag, value in self.pairs:
            if pair_tag == wanted:
                left -= 1
                if left == 0:
                    return value
        return None

    def remove(self, tag: Any, nth: Any = 1) -> bytes | None:
        """Remove the ``nth`` occurrence (from 1) of ``tag``; return its value, or ``None``."""
        wanted = fix_tag(tag)
        left = int(nth)
        for index, (pair_tag, value) in enumerate(self.pairs):
            if pair_tag == wanted:
                left -= 1
                if left == 0:
                    del self.pairs[index]
                    return value
        return None

    def encode(self, raw: bool = False) -> bytes:
        """The message on the wire.

        Args:
            raw: Write the pairs exactly as they are. Otherwise BeginString <8>, BodyLength <9>
                and MsgType <35> lead, from ``begin_string`` and ``message_type``, the other
                pairs follow in order (any 8, 9, 35 or 10 among them left out) and CheckSum
                <10> ends the message.

        Raises:
            ValueError: not ``raw`` and no MsgType <35> or BeginString <8> was appended.
        """
        if raw:
            return b"".join([b"%b=%b\x01" % pair for pair in self.pairs])
        if self.message_type is None:
            raise ValueError("No message type set")
        frame_tags = _FRAME_TAGS_BY_TEXT
        body = b"".join([b"%b=%b\x01" % pair for pair in self.pairs if not frame_tags[pair[0]]])
        if not self.begin_string:
            raise ValueError("No begin string set")
        head = b"35=%b\x01" % self.message_type
        frame = b"8=%b\x019=%d\x01%b%b" % (
            self.begin_string,
            len(head) + len(body),
            head,
            body,
        )
        return frame + b"10=%03d\x01" % checksum(frame)

    def __str__(self) -> str:
        return self.to_string("|")

    def to_string(self, separator: str = "|") -> str:
        """The pairs as ``tag=value`` text joined by ``separator``, for people (not FIX).

        Raises:
            UnicodeDecodeError: a tag or value is not ASCII.
        """
        return separator.join(
            f"{tag.decode('ascii')}={value.decode('ascii')}" for tag, value in self.pairs
        )

    def __eq__(self, other: object) -> bool:
        """Equal when ``other`` has the same pairs, in any order (as simplefix compares)."""
        if not hasattr(other, "pairs"):
            return False
        theirs = other.pairs
        return len(self.pairs) == len(theirs) and Counter(self.pairs) == Counter(theirs)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __getitem__(self, item_index: int) -> tuple[int, bytes]:
        """The pair at ``item_index`` as ``(int tag, bytes value)``; makes the message iterable."""
        if item_index >= len(self.pairs):
            raise IndexError(item_index)
        tag, value = self.pairs[item_index]
        return int(tag), value

    def __contains__(self, item: object) -> bool:
        """Whether a pair has tag ``item``."""
        needle = fix_tag(item)
        return any(tag == needle for tag, _ in self.pairs)

    @staticmethod
    def _tz_offset_string(offset: Any) -> str:
        """An offset of minutes east of UTC as FIX writes it: ``Z``, ``+HH`` or ``-HH:MM``.

        Raises:
            ValueError: outside -1439 to +1439 minutes.
        """
        minutes = int(offset)
        if minutes == 0:
            return "Z"
        if not -1439 <= minutes <= 1439:
            raise ValueError(
                f"Timezone `offset` ({minutes}) out of allowed range -1439 to +1439 minutes"
            )
        sign = "-" if minutes < 0 else "+"
        hours, rest = divmod(abs(minutes), 60)
        return f"{sign}{hours:02d}" if rest == 0 else f"{sign}{hours:02d}:{rest:02d}"


def _split_field(field: bytes) -> tuple[bytes, bytes, bytes]:
    return field.partition(b"=")


def _plain_tag(tag: bytes) -> int:
    """``tag`` as a number if it is written plainly (digits, no leading zero), else 0."""
    return int(tag) if tag.isdigit() and tag[:1] != b"0" else 0


class _FrameTags(dict[bytes, bool]):
    """Whether a tag text is one ``encode`` writes itself, read as simplefix reads it (with
    ``int``, so ``b"08"`` is BeginString <8>); each text is worked out once.
    """

    def __missing__(self, tag: bytes) -> bool:
        frame = tag in _FRAME_TAG_BYTES or (
            not (tag.isdigit() and tag[:1] != b"0") and int(tag) in _FRAME_TAGS
        )
        if len(self) < _TAG_TEXT_LIMIT:
            self[tag] = frame
        return frame


_FRAME_TAGS_BY_TEXT = _FrameTags()
