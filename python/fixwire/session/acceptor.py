"""Acceptor sessions over asyncio: one listening socket, each connection handed to its session."""

from __future__ import annotations

import asyncio
import collections
import ssl as _ssl
import time
from collections.abc import Callable, Coroutine, Iterable
from types import TracebackType
from typing import Any, Self, cast

from fixwire._native import Framer
from fixwire.errors import FixError
from fixwire.session import socket_transport
from fixwire.session.config import Role, SessionConfig
from fixwire.session.connection import DEFAULT_MAX_BUFFER, Connection, _check_tls, _Protocol
from fixwire.session.core import Session
from fixwire.session.store import MemoryStore, Store

__all__ = ["Acceptor", "SessionLookup", "serve"]


class _Unidentified(asyncio.Protocol):
    """An accepted connection until its first message says which session it is for."""

    def __init__(self, acceptor: Acceptor) -> None:
        self._acceptor = acceptor
        self._framer = Framer()
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._timeout: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport, though not always an asyncio.Transport subclass (uvloop's are not).
        transport = cast(asyncio.Transport, transport)
        self._transport = transport
        self._acceptor._pending.add(transport)
        # A connection that never says who it is must not hold a socket forever.
        self._timeout = asyncio.get_running_loop().call_later(
            self._acceptor.first_message_timeout, transport.abort
        )

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        messages = self._framer.feed(data)
        if not messages:
            if len(self._buffer) > self._acceptor.max_logon_bytes:
                self._transport.abort()
            return
        self._acceptor._pending.discard(self._transport)
        if self._timeout is not None:
            self._timeout.cancel()
        first = messages[0]
        try:
            connection = self._acceptor._connection_for(
                first.begin_string,
                first.get(56),
                first.get(49),
                # Ours, as the peer names them: its Target*, then its Sender* (the peer's).
                tuple(first.get(tag) or "" for tag in (57, 143, 50, 142)),
                self._transport,
            )
        except (FixError, OSError, UnicodeError) as e:
            # CompIDs that are not text, a store that cannot open: refuse this connection,
            # keep serving the others.
            self._acceptor.refused.append(f"{type(e).__name__}: {e}")
            self._transport.abort()
            return
        if connection is None:
            return
        # From now on the transport talks to the session's protocol directly.
        self._transport.set_protocol(_Protocol(connection, None))
        connection._attach(self._transport, bytes(self._buffer))
        self._buffer.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timeout is not None:
            self._timeout.cancel()
        if self._transport is not None:
            self._acceptor._pending.discard(self._transport)


#: Finds the session for an inbound Logon: called with the peer's TargetCompID <56> (our
#: SenderCompID) and SenderCompID <49>; returns its configuration, or None to refuse it.
SessionLookup = Callable[[str, str], "SessionConfig | None"]


#: Finds the session for an inbound Logon: called with its BeginString <8>, our SenderCompID and
#: TargetCompID as the peer names them, and our SenderSubID, SenderLocationID, TargetSubID and
#: TargetLocationID as it names them (``""`` when absent).
_Lookup = Callable[[str, str, str, tuple[str, ...]], "SessionConfig | None"]


class Acceptor:
    """A listening socket serving FIXT.1.1 sessions; made by :func:`serve`.

    Each session (a BeginString <8> and a pair of CompIDs, with SubIDs and LocationIDs where
    they are configured: the same CompIDs on two versions are two sessions) gets one
    :class:`Connection`, kept across the peer's reconnects with its
    store, and handed to the ``handler`` when its first connection arrives. One connection per
    session at a time: a second one is closed without a message (FIX test case 1b), or after a
    Logout <5> carrying :attr:`duplicate_text` when that is set (as some venues answer).
    """

    def __init__(
        self,
        lookup: _Lookup,
        handler: Callable[[Connection], Coroutine[Any, Any, None]],
        *,
        store_factory: Callable[[SessionConfig], Store],
        max_buffer: int,
        max_logon_bytes: int,
        first_message_timeout: float,
    ) -> None:
        self._lookup = lookup
        self._handler = handler
        self._store_factory = store_factory
        self._max_buffer = max_buffer
        self.max_logon_bytes = max_logon_bytes
        self.first_message_timeout = first_message_timeout
        #: Text <58> of a Logout <5> that refuses a second connection for a connected session;
        #: ``None`` (the default) closes it without a message, as FIX test case 1b asks.
        self.duplicate_text: str | None = None
        #: Why connections were dropped before a session was found for them, oldest first
        #: (the last 100).
        self.refused: collections.deque[str] = collections.deque(maxlen=100)
        self._server: asyncio.Server | socket_transport.Listener | None = None
        self._pending: set[asyncio.Transport] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        #: Connections by :attr:`SessionConfig.key`: (BeginString, our SenderCompID, our
        #: TargetCompID), followed by the SubIDs and LocationIDs of a session that sets them.
        self.connections: dict[tuple[str, ...], Connection] = {}

    @property
    def port(self) -> int:
        """The port listened on (useful after ``serve(..., port=0)``)."""
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        """Stops listening, logs every session out, closes their connections and stores."""
        if self._server is not None:
            self._server.close()
        for transport in list(self._pending):
            transport.close()
        await asyncio.gather(
            *(c.close() for c in self.connections.values()), return_exceptions=True
        )
        # The stores came from store_factory: ours to close, or a JournalStore keeps its lock
        # and a new acceptor in this process cannot open the same journal.
        for connection in self.connections.values():
            connection.session.store.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _connection_for(
        self,
        begin_string: str,
        sender_comp_id: str | None,
        target_comp_id: str | None,
        qualifiers: tuple[str, ...],
        transport: asyncio.Transport,
    ) -> Connection | None:
        config = (
            None
            if sender_comp_id is None or target_comp_id is None
            else self._lookup(begin_string, sender_comp_id, target_comp_id, qualifiers)
        )
        if config is None or config.begin_string != begin_string:
            # No session of this BeginString: as for unknown CompIDs, no word (QuickFIX's way).
            self.refused.append(
                f"no session {begin_string} {sender_comp_id}->{target_comp_id}: closed"
            )
            transport.close()
            return None
        key = config.key
        connection = self.connections.get(key)
        if connection is not None and (connection.connected or connection._closed):
            self.refused.append(f"session {' '.join(key)} already connected: closed")
            transport.write(
                connection.session.second_connection_reply(time.time(), self.duplicate_text)
            )
            transport.close()
            return None
        if connection is None:
            connection = Connection(
                Session(config, self._store_factory(config)), max_buffer=self._max_buffer
            )
            self.connections[key] = connection
            connection._on_unused = lambda: self._forget(key)
            task = asyncio.create_task(self._handler(connection))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return connection

    def _forget(self, key: tuple[str, ...]) -> None:
        """Drops a session whose only connection closed before it logged on (a refused Logon,
        a peer that went away): peers sending CompIDs must not grow the acceptor's memory.
        """
        connection = self.connections.pop(key, None)
        if connection is not None:
            connection._end()
            connection.session.store.close()


async def serve(
    sessions: SessionLookup | Iterable[SessionConfig],
    handler: Callable[[Connection], Coroutine[Any, Any, None]],
    host: str,
    port: int,
    *,
    ssl: _ssl.SSLContext | None = None,
    store_factory: Callable[[SessionConfig], Store] | None = None,
    max_buffer: int = DEFAULT_MAX_BUFFER,
    max_logon_bytes: int = 64 * 1024,
    first_message_timeout: float = 10.0,
) -> Acceptor:
    """Listens on ``host:port`` and serves acceptor sessions.

    Args:
        sessions: The sessions served: acceptor configurations (told apart by BeginString
            <8> and CompIDs, and by SubIDs and LocationIDs where they set them: see
            :attr:`SessionConfig.sender_sub_id`), or a function from the peer's
            TargetCompID and SenderCompID to a configuration (None refuses the connection; a
            configuration of another BeginString refuses the Logon).
        handler: Called (as a task) with each session's :class:`Connection` when its first
            connection arrives; it typically iterates the events and answers, or has them
            called back (:meth:`Connection.set_on_event`) for the lowest latency.
        host: Address to listen on.
        port: Port, or 0 for any free one (see :attr:`Acceptor.port`).
        ssl: TLS context for the server side (TLS 1.2 or later).
        store_factory: Makes each session's store; in-memory stores when omitted.
        max_buffer: Bound of each connection's outbound queue, in bytes.
        first_message_timeout: Seconds a new connection may take to send its first whole
            message before it is dropped.
        max_logon_bytes: Bytes a new connection may send without a whole first message before
            it is dropped.
    """
    _check_tls(ssl)
    lookup: _Lookup
    if not callable(sessions):
        known: dict[tuple[str, ...], SessionConfig] = {}
        for config in sessions:
            if config.role is not Role.ACCEPTOR:
                raise ValueError(
                    f"serve() needs acceptor configurations; {config.sender_comp_id} is not one"
                )
            known[config.key] = config

        def find(
            begin_string: str, ours: str, theirs: str, qualifiers: tuple[str, ...]
        ) -> SessionConfig | None:
            key = (begin_string, ours, theirs)
            # The session these SubIDs and LocationIDs name, else the one that names none.
            return (any(qualifiers) and known.get(key + qualifiers)) or known.get(key)

        lookup = find

    else:
        by_comp_ids = sessions

        def find_by_comp_ids(
            _begin_string: str, ours: str, theirs: str, _qualifiers: tuple[str, ...]
        ) -> SessionConfig | None:
            return by_comp_ids(ours, theirs)

        lookup = find_by_comp_ids
    acceptor = Acceptor(
        lookup,
        handler,
        store_factory=store_factory or (lambda _: MemoryStore()),
        max_buffer=max_buffer,
        max_logon_bytes=max_logon_bytes,
        first_message_timeout=first_message_timeout,
    )
    loop = asyncio.get_running_loop()
    if socket_transport.usable(loop, ssl):
        # Plain TCP on asyncio's selector loop: fixwire's own transport (see its module).
        acceptor._server = await socket_transport.start_listening(
            loop, lambda: _Unidentified(acceptor), host, port
        )
    else:
        acceptor._server = await loop.create_server(
            lambda: _Unidentified(acceptor), host, port, ssl=ssl
        )
    return acceptor
