"""FIX sessions: a sans-IO state machine, stores, and an asyncio transport with TLS.

The layers, from the protocol out:

* :class:`Session` (in :mod:`fixwire.session.core`) decides everything the FIX session
  protocol decides (Logon, heartbeats, sequence numbers, resends, Logout) without doing I/O or
  reading a clock; its module documentation is the theory of operation.
* :class:`MemoryStore` and :class:`JournalStore` keep sequence numbers and sent messages, the
  latter durably on disk; a :class:`MessageLog` keeps every message in and out for people.
* :func:`connect` and :func:`serve` run sessions over asyncio TCP, with TLS, and give the
  application a :class:`Connection` to send with and take events from.

An initiator::

    config = SessionConfig(sender_comp_id="ME", target_comp_id="THEM")
    async with await connect(config, "fix.example.com", 9878, ssl=ssl_context) as conn:
        await conn.logged_on()
        conn.send("D", [(11, "id-1"), (55, "ABC"), (54, "1"), (38, 10)])
        async for event in conn:
            ...
"""

from fixwire.session.acceptor import Acceptor, serve
from fixwire.session.config import FieldValue, LogonContext, Role, SessionConfig
from fixwire.session.connection import Connection
from fixwire.session.core import ADMIN_MSG_TYPES, Session
from fixwire.session.events import (
    Disconnected,
    Event,
    Garbled,
    LoggedOn,
    LoggedOut,
    LogonRefused,
    Received,
    RejectReceived,
    RejectSent,
    ResendComplete,
    ResendServed,
    SequenceGap,
)
from fixwire.session.initiator import Reconnect, connect
from fixwire.session.messagelog import MessageLog
from fixwire.session.states import State
from fixwire.session.store import JournalStore, MemoryStore, Store, Sync

__all__ = [
    "ADMIN_MSG_TYPES",
    "Acceptor",
    "Connection",
    "Disconnected",
    "Event",
    "FieldValue",
    "Garbled",
    "JournalStore",
    "LoggedOn",
    "LoggedOut",
    "LogonContext",
    "LogonRefused",
    "MemoryStore",
    "MessageLog",
    "Received",
    "Reconnect",
    "RejectReceived",
    "RejectSent",
    "ResendComplete",
    "ResendServed",
    "Role",
    "SequenceGap",
    "Session",
    "SessionConfig",
    "State",
    "Store",
    "Sync",
    "connect",
    "serve",
]
