"""QuickFIX's Python API on fixwire: change one import and a QuickFIX program runs as before.

::

    import fixwire.quickfix as fix            # was: import quickfix as fix
    from fixwire.quickfix import quickfix44 as fix44   # was: import quickfix44 as fix44

    order = fix44.NewOrderSingle()
    order.setField(fix.ClOrdID("id-1"))
    order.setField(fix.Side(fix.Side_BUY))
    order.setField(fix.Price(10.5))
    text = order.toString()

Field classes (``ClOrdID``), enum constants (``Side_BUY``, ``MsgType_NewOrderSingle``) and the
version modules are made on first use from QuickFIX's own XML dictionaries, found through
``$FIXWIRE_QUICKFIX_SPEC`` or :func:`use_spec` (:mod:`fixwire.quickfix.spec`), so their names
and values are QuickFIX's. Messages are encoded with fixwire's checksum and parsed by fixwire's
Rust parser. ``docs/quickfix.md`` lists what is covered and every difference from QuickFIX.
"""

from typing import Any

from fixwire.quickfix.dictionary import DataDictionary
from fixwire.quickfix.engine import (
    Application,
    Session,
    SessionNotFound,
    SocketAcceptor,
    SocketInitiator,
    ThreadedSocketAcceptor,
    ThreadedSocketInitiator,
)
from fixwire.quickfix.errors import (
    ConfigError,
    DoNotSend,
    FieldConvertError,
    FieldNotFound,
    FIXException,
    IncorrectDataFormat,
    IncorrectTagValue,
    InvalidMessage,
    RejectLogon,
    RuntimeError,
    UnsupportedMessageType,
)
from fixwire.quickfix.fields import (
    BoolField,
    CharField,
    CheckSumField,
    DoubleField,
    FieldBase,
    IntField,
    StringField,
    UtcDateField,
    UtcDateOnlyField,
    UtcTimeOnlyField,
    UtcTimeStampField,
    field_class,
)
from fixwire.quickfix.message import FieldMap, Group, Header, Message, Trailer
from fixwire.quickfix.settings import Dictionary, SessionID, SessionSettings
from fixwire.quickfix.spec import SpecNotFound, spec, use_spec
from fixwire.quickfix.stores import (
    FileLogFactory,
    FileStoreFactory,
    MemoryStoreFactory,
    NullLogFactory,
    ScreenLogFactory,
)

__all__ = [
    "Application",
    "BoolField",
    "CharField",
    "CheckSumField",
    "ConfigError",
    "DataDictionary",
    "Dictionary",
    "DoNotSend",
    "DoubleField",
    "FIXException",
    "FieldBase",
    "FieldConvertError",
    "FieldMap",
    "FieldNotFound",
    "FileLogFactory",
    "FileStoreFactory",
    "Group",
    "Header",
    "IncorrectDataFormat",
    "IncorrectTagValue",
    "IntField",
    "InvalidMessage",
    "MemoryStoreFactory",
    "Message",
    "NullLogFactory",
    "RejectLogon",
    "RuntimeError",
    "ScreenLogFactory",
    "Session",
    "SessionID",
    "SessionNotFound",
    "SessionSettings",
    "SocketAcceptor",
    "SocketInitiator",
    "SpecNotFound",
    "StringField",
    "ThreadedSocketAcceptor",
    "ThreadedSocketInitiator",
    "Trailer",
    "UnsupportedMessageType",
    "UtcDateField",
    "UtcDateOnlyField",
    "UtcTimeOnlyField",
    "UtcTimeStampField",
    "use_spec",
]


def __getattr__(name: str) -> Any:
    """A field class (``ClOrdID``) or a constant (``Side_BUY``), from QuickFIX's dictionaries."""
    if name.startswith("__"):
        raise AttributeError(name)
    cls = field_class(name)
    if cls is not None:
        globals()[name] = cls
        return cls
    constants = spec().constants
    if name in constants:
        value = globals()[name] = constants[name]
        return value
    raise AttributeError(f"module 'fixwire.quickfix' has no attribute {name!r}")
