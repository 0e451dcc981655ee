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
    fills = fixwire.read_table("drop-copy.log", ["Price"], dictionary=fixwire.Dictionary.kalshi())
    polars.DataFrame(fills)            # or pyarrow.table, DuckDB, fills.to_pandas(): no copies

FIXT.1.1 sessions (sans-IO core, asyncio and TLS transport, stores) are in
:mod:`fixwire.session`.

Every error fixwire raises on purpose is a :class:`FixError`.
"""

# ``__version__`` (the workspace ``Cargo.toml``'s, the version's one home) comes from the
# extension as a plain attribute: with a module ``__getattr__`` reading it lazily, CPython would
# not specialise any attribute read of this module, and every ``fixwire.parse(data)`` would cost
# about 270 instructions more.
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
    __version__,
    checksum,
    find_messages,
    parse,
)
from fixwire.columns import Columns, read_arrow, read_columns
from fixwire.errors import (
    ColumnError,
    DecodeError,
    DictionaryError,
    EncodeError,
    FixError,
    MissingExtraError,
    RejectError,
    SessionError,
    StoreError,
)
from fixwire.table import ColumnTable, read_table

__all__ = [
    "ColumnError",
    "ColumnTable",
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
    "MissingExtraError",
    "RejectError",
    "Rule",
    "SessionError",
    "StoreError",
    "Template",
    "__version__",
    "checksum",
    "find_messages",
    "parse",
    "read_arrow",
    "read_columns",
    "read_table",
]
