"""QuickFIX's ``FieldMap``, ``Group``, ``Header``, ``Trailer`` and ``Message``.

Each is a Python subclass of fixwire's native field map (``fixwire._native.FieldMap``, the
Rust core's ``fieldmap`` module), so QuickFIX's methods (``setField``, ``getField``,
``addGroup`` ...) run in Rust and the map keeps QuickFIX's order: a message's header starts
BeginString <8>, BodyLength <9>, MsgType <35>; its body is in ascending tag order, each
group's count field followed by its entries; a group entry starts with its delimiter and
follows the group's declared order; the trailer ends with CheckSum <10>. ``toString`` is
written by the Rust core in one call, BodyLength and CheckSum computed and set in the message
as QuickFIX does. ``setString`` hands the text to fixwire's Rust parser (framing, BodyLength
and CheckSum checks, repeating groups from a data dictionary) and files each field into
header, body or trailer by QuickFIX's dictionaries.

Without a data dictionary a repeated tag is kept, once per occurrence, as QuickFIX keeps it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fixwire._native import FieldMap as _NativeFieldMap
from fixwire._native import Filing, GroupLayout, MessageLayout, MessageMap, parse
from fixwire._native import Message as NativeMessage
from fixwire.errors import DecodeError
from fixwire.quickfix.errors import InvalidMessage
from fixwire.quickfix.spec import spec

if TYPE_CHECKING:
    from fixwire.quickfix.dictionary import DataDictionary

__all__ = ["FieldMap", "Group", "Header", "Message", "Trailer", "group_layout"]

# Admin MsgTypes: Heartbeat, TestRequest, ResendRequest, Reject, SequenceReset, Logout, Logon.
_ADMIN = frozenset("0A12345")


@functools.cache
def _filing(counts: frozenset[int] | None) -> Filing:
    """How a parse is filed: QuickFIX's header tags, and ``counts`` (none without a data
    dictionary, so that a repeated tag stays flat).
    """
    return Filing(spec().header_tags, counts or ())


@functools.cache
def group_layout(field: int, delim: int, order: tuple[int, ...] = ()) -> GroupLayout:
    """The one layout of group ``field`` with delimiter ``delim`` and declared ``order``."""
    return GroupLayout(field, delim, list(order))


class FieldMap(_NativeFieldMap):
    """Fields by tag, with repeating groups (QuickFIX's ``FieldMap``)."""

    __slots__ = ()
    # The order of the native map: a body (1 a header, 2 a trailer, a GroupLayout a group).
    _ORDER: int | GroupLayout = 0


class Group(FieldMap):
    """One entry of a repeating group: ``Group(count_tag, delimiter_tag, order=None)``."""

    __slots__ = ()

    def __init__(self, field: int, delim: int, order: Sequence[int] | None = None) -> None:
        self._set_layout(group_layout(field, delim, tuple(order or ())))

    def toString(self) -> str:
        """The entry as it is written inside a message."""
        return self._text()

    __str__ = toString


class Header(FieldMap):
    """The standard header: BeginString <8>, BodyLength <9>, MsgType <35> first."""

    __slots__ = ()
    _ORDER = 1


class Trailer(FieldMap):
    """The standard trailer: SignatureLength <93>, Signature <89>, CheckSum <10> last."""

    __slots__ = ()
    _ORDER = 2


class Message(FieldMap, MessageMap):
    """A FIX message: header, body and trailer (QuickFIX's ``Message``).

    ``Message()``, ``Message(text, validate=True)`` or ``Message(text, dictionary,
    validate=True)``; the generated version classes (``quickfix44.NewOrderSingle``) set
    BeginString <8> and MsgType <35> for you. The header and trailer are made natively with
    the message (``fixwire._native.MessageMap``), as are ``getHeader``, ``getTrailer`` and
    ``toString``.
    """

    __slots__ = ()
    _LAYOUT = MessageLayout(Header, Trailer, [])

    def __init__(self, *args: Any) -> None:
        if args:
            self._set_string(*args)

    def clear(self) -> None:
        """Empty header, body and trailer."""
        FieldMap.clear(self)
        self.getHeader().clear()
        self.getTrailer().clear()

    def isAdmin(self) -> bool:
        """Whether MsgType <35> is a session-level (admin) message."""
        return (self.getHeader()._get(35) or "") in _ADMIN

    def isApp(self) -> bool:
        """Whether MsgType <35> is set and is an application message."""
        msg_type = self.getHeader()._get(35)
        return msg_type is not None and msg_type not in _ADMIN

    @staticmethod
    def isAdminMsgType(msg_type: str) -> bool:
        """Whether ``msg_type`` is a session-level MsgType."""
        return msg_type in _ADMIN

    def bodyLength(self) -> int:
        """BodyLength <9> of the message as it would be written."""
        self.toString()
        return int(self.getHeader().getField(9))

    def checkSum(self) -> int:
        """CheckSum <10> of the message as it would be written."""
        self.toString()
        return int(self.getTrailer().getField(10))

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
        self._fill_from(self.getHeader(), self.getTrailer(), native, _filing(counts))

    @classmethod
    def _from_native(cls, native: NativeMessage) -> Message:
        """A message from a fixwire parse (flat; groups are read with a dictionary)."""
        message = cls()
        message._fill(native, None)
        return message
