"""QuickFIX's field classes: the typed bases and the named classes made from the dictionaries.

A field is a tag and its text as it goes on the wire; the typed bases convert on the way in
(``setValue``, the constructor) and out (``getValue``) exactly as QuickFIX's convertors do:
a double with at most 15 significant digits and no exponent or trailing zeros, a bool as
``Y``/``N``, a timestamp as ``YYYYMMDD-HH:MM:SS[.sss]`` in UTC. ``ClOrdID``, ``Price`` and
the other named classes are made on first use from QuickFIX's XML dictionaries
(:mod:`fixwire.quickfix.spec`), with the base QuickFIX gives each type.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from typing import Any

from fixwire._native import FieldBase as _NativeFieldBase
from fixwire.quickfix.errors import FieldConvertError, IncorrectDataFormat
from fixwire.quickfix.spec import spec

__all__ = [
    "BoolField",
    "CharField",
    "CheckSumField",
    "DoubleField",
    "FieldBase",
    "IntField",
    "StringField",
    "UtcDateField",
    "UtcDateOnlyField",
    "UtcTimeOnlyField",
    "UtcTimeStampField",
    "field_class",
]

_UTC = datetime.UTC


class FieldBase(_NativeFieldBase):
    """A tag and its value as text (QuickFIX's ``FieldBase``): ``FieldBase(tag, value=None)``,
    or ``ClOrdID(value=None)`` for a named class.

    The object is made natively (``fixwire._native.FieldBase``): text is kept as given, an
    ``int`` of an integer field written in decimal, and any other value converted by the
    class's :meth:`_convert`.
    """

    __slots__ = ()
    #: The tag of a named field class (``ClOrdID`` -> 11); 0 on the bases.
    TAG = 0
    #: What the native constructor converts itself (``fixwire._native.FieldBase``): 0 text
    #: only, 1 an integer field's ``int``, 2 a double field's ``float`` or ``int``, 3, 4, 5 a
    #: timestamp, time or date field's "now" when made without a value.
    _KIND = 0

    @classmethod
    def _convert(cls, value: Any) -> str:
        return str(value)

    @classmethod
    def _make_default(cls) -> str:
        return ""

    def _from_string(self, text: str) -> Any:
        return text

    def getTag(self) -> int:
        """The tag."""
        return self._tag

    getField = getTag

    def setTag(self, tag: int) -> None:
        """Change the tag."""
        self._tag = int(tag)

    def getString(self) -> str:
        """The value as it is written on the wire."""
        return self._string

    def setString(self, text: str) -> None:
        """Set the value from its wire text."""
        self._string = str(text)

    def getValue(self) -> Any:
        """The value, typed (``int``, ``float``, ``bool``, ``datetime`` ...).

        Raises:
            IncorrectDataFormat: the text is not of the field's type.
        """
        try:
            return self._from_string(self._string)
        except (ValueError, IndexError) as e:
            raise IncorrectDataFormat(self._tag) from e

    def setValue(self, value: Any) -> None:
        """Set the value from its typed form."""
        self._string = value if type(value) is str else self._convert(value)

    def getFixString(self) -> str:
        """``tag=value`` and SOH, as the field is written in a message."""
        return f"{self._tag}={self._string}\x01"

    def getLength(self) -> int:
        """Bytes of the field on the wire, SOH included."""
        return len(self.getFixString().encode())

    def getTotal(self) -> int:
        """The field's share of CheckSum <10>: the sum of its bytes."""
        return sum(self.getFixString().encode()) % 256

    def __str__(self) -> str:
        return self.getFixString()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._tag}={self._string!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldBase):
            return NotImplemented
        return (self._tag, self._string) == (other._tag, other._string)

    def __hash__(self) -> int:
        return hash((self._tag, self._string))


class StringField(FieldBase):
    """Text."""

    __slots__ = ()


class CharField(FieldBase):
    """One character."""

    __slots__ = ()


class IntField(FieldBase):
    """An integer."""

    __slots__ = ()

    _KIND = 1

    @classmethod
    def _convert(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        return str(int(value))

    def _from_string(self, text: str) -> int:
        return int(text)


def format_double(value: float) -> str:
    """``value`` as QuickFIX writes a double: 15 significant digits, no exponent, no trailing
    zeros (``100.0`` -> ``"100"``, ``1e-7`` -> ``"0.0000001"``).
    """
    text = repr(value)
    # repr is the shortest text that reads back the same; at 15 characters or fewer it has at
    # most 15 significant digits and no exponent, so it is already QuickFIX's text.
    if len(text) <= 15 and "e" not in text and "n" not in text:
        return text[:-2] if text.endswith(".0") else text
    text = format(Decimal(f"{value:.15g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class DoubleField(FieldBase):
    """A number (Price <44>, OrderQty <38> ...); read back as ``float``."""

    __slots__ = ()
    _KIND = 2

    @classmethod
    def _convert(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, Decimal):
            return format(value, "f")
        try:
            return format_double(float(value))
        except (TypeError, ValueError) as e:
            raise FieldConvertError(str(value)) from e

    def _from_string(self, text: str) -> float:
        return float(text)


class BoolField(FieldBase):
    """``Y`` or ``N``."""

    __slots__ = ()

    @classmethod
    def _convert(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        return "Y" if value else "N"

    def _from_string(self, text: str) -> bool:
        if text not in ("Y", "N"):
            raise ValueError(text)
        return text == "Y"


# The current second's text per format, written once per second.
_NOW: dict[str, tuple[int, str]] = {}


def _now(fmt: str) -> str:
    """The current UTC time, to the second, in ``fmt``."""
    second = int(time.time())
    cached = _NOW.get(fmt)
    if cached is not None and cached[0] == second:
        return cached[1]
    text = time.strftime(fmt, time.gmtime(second))
    _NOW[fmt] = (second, text)
    return text


class UtcTimeStampField(FieldBase):
    """A UTC timestamp; the constructor without a value takes the current time (seconds)."""

    __slots__ = ()
    _FORMAT = "%Y%m%d-%H:%M:%S"
    _KIND = 3

    @classmethod
    def _make_default(cls) -> str:
        return _now(cls._FORMAT)

    @classmethod
    def _convert(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(_UTC)
            text = value.strftime(cls._FORMAT)
            return f"{text}.{value.microsecond // 1000:03d}" if value.microsecond else text
        raise FieldConvertError(str(value))

    def _from_string(self, text: str) -> datetime.datetime:
        fmt = f"{self._FORMAT}.%f" if "." in text else self._FORMAT
        return datetime.datetime.strptime(text, fmt).replace(tzinfo=_UTC)


class UtcTimeOnlyField(UtcTimeStampField):
    """A UTC time of day."""

    __slots__ = ()
    _FORMAT = "%H:%M:%S"
    _KIND = 4


class UtcDateField(FieldBase):
    """A UTC date, ``YYYYMMDD``."""

    __slots__ = ()
    _KIND = 5

    @classmethod
    def _make_default(cls) -> str:
        return _now("%Y%m%d")

    @classmethod
    def _convert(cls, value: Any) -> str:
        if isinstance(value, datetime.date):
            return value.strftime("%Y%m%d")
        return str(value)

    def _from_string(self, text: str) -> datetime.date:
        return datetime.datetime.strptime(text, "%Y%m%d").date()


UtcDateOnlyField = UtcDateField


class CheckSumField(FieldBase):
    """CheckSum <10>: three digits."""

    __slots__ = ()

    @classmethod
    def _convert(cls, value: Any) -> str:
        if isinstance(value, str):
            return value
        return f"{int(value) % 256:03d}"

    def _from_string(self, text: str) -> int:
        return int(text)


# QuickFIX's base class for each dictionary type; every type not named here is a StringField.
_BASES: dict[str, type[FieldBase]] = {
    "CHAR": CharField,
    "BOOLEAN": BoolField,
    "INT": IntField,
    "NUMINGROUP": IntField,
    "SEQNUM": IntField,
    "LENGTH": IntField,
    "FLOAT": DoubleField,
    "PRICE": DoubleField,
    "QTY": DoubleField,
    "AMT": DoubleField,
    "PRICEOFFSET": DoubleField,
    "PERCENTAGE": DoubleField,
    "UTCTIMESTAMP": UtcTimeStampField,
    "UTCTIMEONLY": UtcTimeOnlyField,
    "UTCDATEONLY": UtcDateField,
    "UTCDATE": UtcDateField,
}
_CLASSES: dict[str, type[FieldBase]] = {}


def field_class(name: str) -> type[FieldBase] | None:
    """The named field class ``name`` (``"ClOrdID"``), made on first use; ``None`` when no
    dictionary defines such a field.
    """
    found = _CLASSES.get(name)
    if found is None:
        definition = spec().fields.get(name)
        if definition is None:
            return None
        base = CheckSumField if definition.tag == 10 else _BASES.get(definition.type, StringField)
        tag = definition.tag
        found = type(
            name,
            (base,),
            {
                "__slots__": (),
                "TAG": tag,
                "__module__": "fixwire.quickfix",
                "__doc__": f"{name} <{tag}> ({definition.type}).",
            },
        )
        _CLASSES[name] = found
    return found
