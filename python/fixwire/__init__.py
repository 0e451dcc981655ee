"""fixwire: a FIX protocol codec with a Rust core.

Parse, frame and encode FIX tag=value messages::

    import fixwire

    msg = fixwire.parse(data)          # exactly one message, as bytes
    msg.msg_type, msg[11], msg.get_decimal(44)

    framer = fixwire.Framer()          # a stream, in pieces
    for msg in framer.feed(chunk): ...

    enc = fixwire.Encoder("SENDER", "TARGET")
    wire = enc.encode("D", [(11, "id-1"), (38, 10)], seq_num=7)

    cols = fixwire.read_columns("drop-copy.log", [11, 38, 44, 60])   # numpy columns

FIXT.1.1 sessions (sans-IO core, asyncio and TLS transport, stores) are in
:mod:`fixwire.session`.

Every error fixwire raises on purpose is a :class:`FixError`.
"""

from fixwire._native import (
    Dictionary,
    Encoder,
    FieldInfo,
    Framer,
    GroupSpec,
    GroupSpecs,
    Message,
    MessageInfo,
    Rule,
    Template,
    checksum,
    find_messages,
    parse,
)
from fixwire.columns import Columns, read_arrow, read_columns
from fixwire.errors import (
    DecodeError,
    DictionaryError,
    EncodeError,
    FixError,
    RejectError,
    SessionError,
    StoreError,
)

__all__ = [
    "Columns",
    "DecodeError",
    "Dictionary",
    "DictionaryError",
    "EncodeError",
    "Encoder",
    "FieldInfo",
    "FixError",
    "Framer",
    "GroupSpec",
    "GroupSpecs",
    "Message",
    "MessageInfo",
    "RejectError",
    "Rule",
    "SessionError",
    "StoreError",
    "Template",
    "checksum",
    "find_messages",
    "parse",
    "read_arrow",
    "read_columns",
]
