"""QuickFIX's ``FieldMap``, ``Group``, ``Header``, ``Trailer`` and ``Message``.

A field map holds text values by tag, as QuickFIX's does, and writes them in QuickFIX's
order: a message's header starts BeginString <8>, BodyLength <9>, MsgType <35>; its body is
in ascending tag order, each group's count field followed by its entries; a group entry
starts with its delimiter and follows the group's declared order; the trailer ends with
CheckSum <10>. ``toString`` writes BodyLength and CheckSum (summed by fixwire's Rust
checksum) into the message as QuickFIX does. ``setString`` hands the text to fixwire's Rust
parser (framing, BodyLength and CheckSum checks, repeating groups from a data dictionary)
and files each field into header, body or trailer by QuickFIX's dictionaries.

Without a data dictionary a repeated tag is kept, once per occurrence, as QuickFIX keeps it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from fixwire._native import Message as NativeMessage
from fixwire._native import checksum, parse
from fixwire.errors import DecodeError
from fixwire.quickfix.errors import FieldNotFound, InvalidMessage
from fixwire.quickfix.fields import FieldBase
from fixwire.quickfix.spec import spec

if TYPE_CHECKING:
    from fixwire.quickfix.dictionary import DataDictionary

__all__ = ["FieldMap", "Group", "Header", "Message", "Trailer"]

# SignatureLength <93> and Signature <89> come before CheckSum <10>, which ends a message.
_TRAILER_ORDER = {93: 0, 89: 1, 10: 2}
# Admin MsgTypes: Heartbeat, TestRequest, ResendRequest, Reject, SequenceReset, Logout, Logon.
_ADMIN = frozenset("0A12345")


# Orders a group layout remembers (one per set of fields an entry has), and headers, at most.
_MAX_ORDERS = 256
# Header orders by the header's tags as set (headers of one program have few shapes).
_HEADER_ORDERS: dict[tuple[int, ...], list[int]] = {}


class _Layout:
    """A group's field order: each tag's rank, and the orders worked out so far by the tags
    an entry has (entries of one group usually have the same few sets of fields).
    """

    __slots__ = ("orders", "rank")

    def __init__(self, tags: tuple[int, ...]) -> None:
        self.rank = {tag: rank for rank, tag in enumerate(tags)}
        self.orders: dict[tuple[int, ...], list[int]] = {}

    def order(self, fields: dict[int, str]) -> list[int]:
        """The tags of ``fields`` in the group's order, undeclared ones last by tag."""
        key = tuple(fields)
        found = self.orders.get(key)
        if found is None:
            rank = self.rank
            last = len(rank)
            found = sorted(key, key=lambda t: (rank.get(t, last), t))
            if len(self.orders) >= _MAX_ORDERS:
                self.orders.clear()
            self.orders[key] = found
        return found


@functools.cache
def _layout(delim: int, order: tuple[int, ...]) -> _Layout:
    """The one layout of a group with delimiter ``delim`` and declared ``order``."""
    return _Layout((delim, *(t for t in order if t != delim)))


def _tag_of(item: FieldBase | int) -> int:
    return item if type(item) is int else item.getTag()  # type: ignore[union-attr]


class FieldMap:
    """Fields by tag, with repeating groups (QuickFIX's ``FieldMap``)."""

    __slots__ = ("_extra", "_fields", "_groups")

    def __init__(self) -> None:
        self._fields: dict[int, str] = {}
        self._groups: dict[int, list[Group]] = {}
        # Second and later occurrences of a tag, read from text without a data dictionary.
        self._extra: list[tuple[int, str]] = []

    # -- fields --------------------------------------------------------------------------------

    @overload
    def setField(self, field: FieldBase, overwrite: bool = True) -> None: ...
    @overload
    def setField(self, field: int, value: str) -> None: ...
    def setField(self, field: Any, value: Any = True) -> None:  # type: ignore[misc]
        """Set a field: ``setField(ClOrdID("a"))`` or ``setField(11, "a")``.

        ``setField(field, False)`` keeps a value already set, as QuickFIX's ``overwrite``.
        """
        if type(field) is int:
            self._fields[field] = value if type(value) is str else str(value)
        elif value is False and field._tag in self._fields:
            return
        else:
            self._fields[field._tag] = field._string

    @overload
    def getField(self, field: int) -> str: ...
    @overload
    def getField(self, field: FieldBase) -> FieldBase: ...
    def getField(self, field: Any) -> Any:
        """``getField(11)`` is the text of ClOrdID <11>; ``getField(ClOrdID())`` fills the
        field object given and returns it.

        Raises:
            FieldNotFound: the field is not set.
        """
        if type(field) is int:
            try:
                return self._fields[field]
            except KeyError:
                raise FieldNotFound(field) from None
        try:
            field._string = self._fields[field._tag]
        except KeyError:
            raise FieldNotFound(field._tag) from None
        return field

    def getFieldIfSet(self, field: FieldBase) -> bool:
        """Fill ``field`` if it is set; return whether it was."""
        value = self._fields.get(field._tag)
        if value is None:
            return False
        field._string = value
        return True

    def isSetField(self, field: FieldBase | int) -> bool:
        """Whether the field (object or tag) is set."""
        return _tag_of(field) in self._fields

    def removeField(self, field: FieldBase | int) -> None:
        """Remove the field (object or tag) and its repeats, if set."""
        tag = _tag_of(field)
        self._fields.pop(tag, None)
        if self._extra:
            self._extra = [(t, v) for t, v in self._extra if t != tag]

    # -- groups --------------------------------------------------------------------------------

    def addGroup(self, group: Group) -> None:
        """Append a copy of ``group`` as a new entry and set the count field."""
        tag = group._field
        entries = self._groups.setdefault(tag, [])
        entries.append(group._copy())
        self._fields[tag] = str(len(entries))

    def _entries(self, tag: int, num: int) -> list[Group]:
        entries = self._groups.get(tag, [])
        if not 1 <= num <= len(entries):
            raise FieldNotFound(tag)
        return entries

    def getGroup(self, num: int, group: Group) -> Group:
        """Fill ``group`` with entry ``num`` (from 1) of its group and return it.

        Raises:
            FieldNotFound: there is no such entry (``group`` is left empty, as in QuickFIX).
        """
        group.clear()
        entry = self._entries(group.field(), num)[num - 1]
        group._fields = dict(entry._fields)
        group._groups = {t: [g._copy() for g in gs] for t, gs in entry._groups.items()}
        group._extra = list(entry._extra)
        return group

    def replaceGroup(self, num: int, group: Group) -> None:
        """Replace entry ``num`` (from 1) with a copy of ``group``."""
        self._entries(group.field(), num)[num - 1] = group._copy()

    def removeGroup(self, *args: Any) -> None:
        """``removeGroup(num, tag_or_group)`` removes one entry, ``removeGroup(tag_or_group)``
        every entry (and the count field).
        """
        tag = args[-1] if type(args[-1]) is int else args[-1].field()
        if len(args) == 1:
            self._groups.pop(tag, None)
            self._fields.pop(tag, None)
            return
        entries = self._groups.get(tag, [])
        if 1 <= args[0] <= len(entries):
            del entries[args[0] - 1]
            if entries:
                self._fields[tag] = str(len(entries))
            else:
                self.removeGroup(tag)

    def hasGroup(self, *args: Any) -> bool:
        """``hasGroup(tag_or_group)`` or ``hasGroup(num, tag_or_group)``."""
        tag = args[-1] if type(args[-1]) is int else args[-1].field()
        count = len(self._groups.get(tag, ()))
        return count > 0 if len(args) == 1 else 1 <= args[0] <= count

    def groupCount(self, tag: int) -> int:
        """How many entries the group of count field ``tag`` has."""
        return len(self._groups.get(tag, ()))

    # -- the map -------------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove every field and group."""
        self._fields = {}
        self._groups = {}
        self._extra = []

    def isEmpty(self) -> bool:
        """Whether no field is set."""
        return not self._fields

    def totalFields(self) -> int:
        """Fields set, group entries' fields included."""
        return (
            len(self._fields)
            + len(self._extra)
            + sum(g.totalFields() for gs in self._groups.values() for g in gs)
        )

    def _order(self) -> list[int]:
        return sorted(self._fields)

    def _write(self, out: list[str]) -> None:
        fields = self._fields
        extra = self._extra
        groups = self._groups
        if not extra:
            if not groups:
                out += [f"{tag}={fields[tag]}\x01" for tag in self._order()]
                return
            for tag in self._order():
                out.append(f"{tag}={fields[tag]}\x01")
                entries = groups.get(tag)
                if entries:
                    for entry in entries:
                        entry._write(out)
            return
        for tag in self._order():
            out.append(f"{tag}={fields[tag]}\x01")
            if extra:
                out.extend(f"{t}={v}\x01" for t, v in extra if t == tag)
            entries = self._groups.get(tag)
            if entries:
                for entry in entries:
                    entry._write(out)
        if extra:
            known = set(fields)
            out.extend(f"{t}={v}\x01" for t, v in extra if t not in known)

    def _load(
        self,
        native: NativeMessage,
        counts: frozenset[int],
        items: list[tuple[int, str]] | None = None,
    ) -> None:
        """Take every field of ``native`` (a parse or a group entry, whose fields are
        ``items`` when given) in wire order.
        """
        if items is None:
            items = list(native)
        i = 0
        while i < len(items):
            tag, value = items[i]
            i += 1
            self._put(tag, value)
            if tag in counts:
                i += self._load_group(native, tag, counts)

    def _load_group(self, native: NativeMessage, tag: int, counts: frozenset[int]) -> int:
        """Take the entries of ``native``'s group ``tag``; returns how many fields they have
        (none when the parse did not read it as a group).
        """
        try:
            entries = native.group(tag)
        except (KeyError, ValueError):
            return 0
        taken = 0
        groups = self._groups.setdefault(tag, [])
        for entry in entries:
            items = list(entry)
            group = Group(tag, items[0][0])
            group._load(entry, counts, items)
            groups.append(group)
            taken += len(items)
        return taken

    def _put(self, tag: int, value: str) -> None:
        if tag in self._fields:
            self._extra.append((tag, value))
        else:
            self._fields[tag] = value


class Group(FieldMap):
    """One entry of a repeating group: ``Group(count_tag, delimiter_tag, order=None)``."""

    __slots__ = ("_delim", "_field", "_layout")

    def __init__(self, field: int, delim: int, order: Sequence[int] | None = None) -> None:
        super().__init__()
        self._field = field
        self._delim = delim
        self._layout = _layout(delim, tuple(order or ()))

    def field(self) -> int:
        """The count tag (NoPartyIDs <453> ...)."""
        return self._field

    def delim(self) -> int:
        """The tag that starts each entry."""
        return self._delim

    def _order(self) -> list[int]:
        return self._layout.order(self._fields)

    def _copy(self) -> Group:
        cls = type(self)
        copy = cls.__new__(cls)
        copy._field = self._field
        copy._delim = self._delim
        copy._layout = self._layout
        copy._fields = self._fields.copy()
        groups = self._groups
        copy._groups = {t: [g._copy() for g in gs] for t, gs in groups.items()} if groups else {}
        copy._extra = self._extra.copy()
        return copy

    def toString(self) -> str:
        """The entry as it is written inside a message."""
        out: list[str] = []
        self._write(out)
        return "".join(out)

    __str__ = toString


class Header(FieldMap):
    """The standard header: BeginString <8>, BodyLength <9>, MsgType <35> first."""

    __slots__ = ()

    def _order(self) -> list[int]:
        fields = self._fields
        key = tuple(fields)
        order = _HEADER_ORDERS.get(key)
        if order is None:
            order = sorted(fields)
            for tag in (35, 9, 8):
                if tag in fields:
                    order.remove(tag)
                    order.insert(0, tag)
            if len(_HEADER_ORDERS) >= _MAX_ORDERS:
                _HEADER_ORDERS.clear()
            _HEADER_ORDERS[key] = order
        return order


class Trailer(FieldMap):
    """The standard trailer: SignatureLength <93>, Signature <89>, CheckSum <10> last."""

    __slots__ = ()

    def _order(self) -> list[int]:
        return sorted(self._fields, key=lambda t: (_TRAILER_ORDER.get(t, -1), t))


_new_header = functools.partial(Header.__new__, Header)
_new_trailer = functools.partial(Trailer.__new__, Trailer)


class Message(FieldMap):
    """A FIX message: header, body and trailer (QuickFIX's ``Message``).

    ``Message()``, ``Message(text, validate=True)`` or ``Message(text, dictionary,
    validate=True)``; the generated version classes (``quickfix44.NewOrderSingle``) set
    BeginString <8> and MsgType <35> for you.
    """

    __slots__ = ("_header", "_trailer")

    def __init__(self, *args: Any) -> None:
        # The maps are made here rather than by FieldMap.__init__: three calls fewer for
        # every message built.
        self._fields = {}
        self._groups = {}
        self._extra = []
        header = self._header = _new_header()
        header._fields, header._groups, header._extra = {}, {}, []
        trailer = self._trailer = _new_trailer()
        trailer._fields, trailer._groups, trailer._extra = {}, {}, []
        if args:
            self._set_string(*args)

    def getHeader(self) -> Header:
        """The header, shared (changes to it change the message)."""
        return self._header

    def getTrailer(self) -> Trailer:
        """The trailer, shared."""
        return self._trailer

    def clear(self) -> None:
        """Empty header, body and trailer."""
        super().clear()
        self._header.clear()
        self._trailer.clear()

    def isAdmin(self) -> bool:
        """Whether MsgType <35> is a session-level (admin) message."""
        return self._header._fields.get(35, "") in _ADMIN

    def isApp(self) -> bool:
        """Whether MsgType <35> is set and is an application message."""
        msg_type = self._header._fields.get(35)
        return msg_type is not None and msg_type not in _ADMIN

    @staticmethod
    def isAdminMsgType(msg_type: str) -> bool:
        """Whether ``msg_type`` is a session-level MsgType."""
        return msg_type in _ADMIN

    def _encode(self) -> bytes:
        """The message as bytes, BodyLength <9> and CheckSum <10> recomputed and set."""
        header = self._header._fields
        # BeginString <8> and BodyLength <9> are written here, CheckSum <10> after the body.
        begin = header.pop(8, "")
        header.pop(9, None)
        self._trailer._fields.pop(10, None)
        out: list[str] = []
        self._header._write(out)
        self._write(out)
        if self._trailer._fields:
            self._trailer._write(out)
        body = "".join(out).encode()
        header[8] = begin
        header[9] = str(len(body))
        wire = f"8={begin}\x019={len(body)}\x01".encode() + body
        total = f"{checksum(wire):03d}"
        self._trailer._fields[10] = total
        return wire + f"10={total}\x01".encode()

    def toString(self) -> str:
        """The message as FIX text, with BodyLength <9> and CheckSum <10> computed."""
        return self._encode().decode()

    __str__ = toString

    def bodyLength(self) -> int:
        """BodyLength <9> of the message as it would be written."""
        self._encode()
        return int(self._header._fields[9])

    def checkSum(self) -> int:
        """CheckSum <10> of the message as it would be written."""
        self._encode()
        return int(self._trailer._fields[10])

    def setString(self, text: str | bytes, *args: Any) -> None:
        """Replace the message with the one in ``text``.

        ``setString(text, validate=True, dictionary=None)``; with a data dictionary (a
        :class:`DataDictionary`, or a transport and an application dictionary for FIXT.1.1)
        repeating groups are read as groups, without one each field is kept flat. ``validate``
        checks BodyLength <9> and CheckSum <10>.

        Raises:
            InvalidMessage: the text is not one whole FIX message (the reason from fixwire's
                parser says what and at which byte).
        """
        self.clear()
        self._set_string(text, *args)

    def _set_string(self, text: str | bytes, *args: Any) -> None:
        """``setString`` into an empty message."""
        validate = True
        dictionary: DataDictionary | None = None
        for arg in args:
            if type(arg) is bool:
                validate = arg
            elif arg is not None:
                dictionary = arg
        data = text.encode() if isinstance(text, str) else bytes(text)
        try:
            native = parse(
                data,
                verify_checksum=validate,
                groups=None if dictionary is None else dictionary.groups(),
            )
        except DecodeError as e:
            raise InvalidMessage(str(e)) from e
        self._fill(native, None if dictionary is None else dictionary.count_tags())

    def _fill(self, native: NativeMessage, counts: frozenset[int] | None) -> None:
        """Files the fields of ``native`` into header, body and trailer, in wire order; with
        ``counts`` (the count tags of a data dictionary), group entries into their groups.
        """
        header_tags = spec().header_tags
        header = self._header
        trailer = self._trailer
        # Fields of group entries just taken, which follow their count field in ``native``.
        skip = 0
        for tag, value in native:
            if skip:
                skip -= 1
                continue
            target = header if tag in header_tags else trailer if tag in _TRAILER_ORDER else self
            fields = target._fields
            if tag in fields:
                target._extra.append((tag, value))
            else:
                fields[tag] = value
            if counts is not None and tag in counts:
                skip = target._load_group(native, tag, counts)

    @classmethod
    def _from_native(cls, native: NativeMessage) -> Message:
        """A message from a fixwire parse (flat; groups are read with a dictionary)."""
        message = cls()
        message._fill(native, None)
        return message
