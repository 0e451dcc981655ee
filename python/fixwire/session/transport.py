"""asyncio transport for sessions, by its older name: the names of
:mod:`fixwire.session.connection` (one session's connection), :mod:`fixwire.session.initiator`
(:func:`connect` and reconnects) and :mod:`fixwire.session.acceptor` (:func:`serve`), re-exported
for code that imports them from here.
"""

from fixwire.session.acceptor import Acceptor, SessionLookup, serve
from fixwire.session.connection import (
    DEFAULT_MAX_BUFFER,
    MAX_QUEUED_EVENTS,
    Connection,
    _Protocol,
)
from fixwire.session.initiator import Reconnect, connect

__all__ = [
    "DEFAULT_MAX_BUFFER",
    "MAX_QUEUED_EVENTS",
    "Acceptor",
    "Connection",
    "Reconnect",
    "SessionLookup",
    "_Protocol",
    "connect",
    "serve",
]
