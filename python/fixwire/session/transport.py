"""asyncio transport for sessions: TCP with TLS, reconnects, backpressure, clean shutdown.

This module has no protocol logic: it moves bytes between sockets and a sans-IO
:class:`~fixwire.session.Session`, calls :meth:`~fixwire.session.Session.tick` when the session
asks, and hands the session's events to the application. It runs on one event loop thread and
starts no other threads; it uses only the loop's public API, so it runs on uvloop as well.

Sending is synchronous: :meth:`Connection.send` encodes, stores and writes in one call and
returns the MsgSeqNum. The transport's write buffer is the outbound queue; it is bounded by
``max_buffer`` bytes, beyond which ``send`` raises :class:`~fixwire.SessionError` and
:meth:`Connection.drain` waits for room. A message ``send`` accepted is in the store before it
reaches the socket: if the connection dies before the peer reads it, the peer's ResendRequest
on the next connection brings it back (on sessions with retransmission).

Inbound, events wait in a queue until the application iterates the connection; when it falls
:data:`MAX_QUEUED_EVENTS` behind, the connection stops reading its socket until it catches up,
so a slow application slows the peer (through TCP) instead of growing memory without bound. A
session paused for longer than its heartbeat patience takes the peer for silent and ends.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import random
import socket
import ssl as _ssl
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, cast, overload

from fixwire._native import Encoder, Framer, Template
from fixwire.errors import FixError, SessionError
from fixwire.session.config import FieldValue, Role, SessionConfig, TemplateValue
from fixwire.session.core import Session
from fixwire.session.events import Disconnected, Event, LoggedOn, LogonRefused
from fixwire.session.store import MemoryStore, Store

__all__ = ["Acceptor", "Connection", "Reconnect", "connect", "serve"]

#: Default bound of the outbound queue (the transport's write buffer), in bytes.
DEFAULT_MAX_BUFFER = 4 * 1024 * 1024
#: Events queued for an application that iterates a connection, beyond which the connection
#: stops reading its socket until half of them are taken.
MAX_QUEUED_EVENTS = 100_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconnect:
    """How an initiator reconnects after losing its connection: exponential backoff with jitter.

    Attributes:
        initial_delay: Seconds before the first retry.
        max_delay: The longest wait between two attempts.
        jitter: Each wait is scaled by a random factor in ``[1 - jitter, 1 + jitter]``, so that
            many clients do not return at the same instant.
        max_attempts: Consecutive failed attempts before giving up; ``None`` never gives up.
    """

    initial_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.2
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.initial_delay <= 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 < initial_delay <= max_delay")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first)."""
        base = min(self.max_delay, self.initial_delay * 2.0 ** min(attempt - 1, 62))
        draw: float = (rng or random).random()
        return base * (1 + self.jitter * (2 * draw - 1))


def _check_tls(context: _ssl.SSLContext | None) -> None:
    if context is not None and context.minimum_version < _ssl.TLSVersion.TLSv1_2:
        raise ValueError(
            "the SSLContext allows TLS below 1.2; set minimum_version to TLSv1_2 or later"
        )


def _peer_certificate_sha256(transport: asyncio.BaseTransport) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return None if der is None else hashlib.sha256(der).hexdigest()


_CLOSED = object()


def _msg_type(message: str | Template) -> str:
    """The MsgType <35> of what :meth:`Connection.send` was given."""
    return message.msg_type if isinstance(message, Template) else message


class Connection:
    """The application's handle on one session over asyncio: send, events, logout.

    Iterate it (``async for event in conn``) for every :mod:`~fixwire.session.events` event,
    application messages as :class:`~fixwire.session.Received`; iteration ends when the
    connection is closed for good. Or pass ``on_event`` to :func:`connect` / :func:`serve` to be
    called back instead, on the event loop thread.
    """

    def __init__(
        self,
        session: Session,
        *,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        self.session = session
        self._max_buffer = max_buffer
        self._on_event = on_event
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._events: collections.deque[Event | object] = collections.deque()
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._can_write = True  # Mirrors self._writable for send, without a call (_set_writable).
        self._disconnected = asyncio.Event()
        self._disconnected.set()
        self._closed = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._failure: BaseException | None = None
        self._runner: asyncio.Task[None] | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self._had_logon = False
        self._reading_paused = False
        self._refusal: str | None = None
        self._ever_logged_on = False
        #: Called when a connection closes before the session ever logged on (the acceptor
        #: forgets such sessions).
        self._on_unused: Callable[[], None] | None = None

    # The application's API.

    @overload
    def send(self, message: str, fields: Iterable[tuple[int, FieldValue]]) -> int: ...
    @overload
    def send(self, message: Template, fields: tuple[TemplateValue, ...]) -> int: ...
    def send(self, message: str | Template, fields: Any) -> int:
        """Encodes, stores and writes one application message; returns its MsgSeqNum <34>.

        ``message`` and ``fields`` are a MsgType <35> and its (tag, value) pairs, or a
        :class:`fixwire.Template` and its values (see :meth:`Session.send`).

        Raises:
            SessionError: Not logged on, or the outbound queue holds more than ``max_buffer``
                bytes (await :meth:`drain`, then send again). Nothing was sent.
            EncodeError: The fields cannot be encoded. Nothing was sent.
        """
        transport = self._transport
        # A transport that is closing (the socket failed; connection_lost is on its way) would
        # take the bytes and drop them.
        if transport is None or transport.is_closing():
            raise SessionError(f"cannot send {_msg_type(message)!r}: not connected")
        # The transport pauses writing past max_buffer (its high-water mark): a flag read
        # rather than a call into the transport for every message.
        if not self._can_write:
            raise SessionError(
                f"outbound queue full ({transport.get_write_buffer_size()} bytes unsent)"
            )
        session = self.session
        seq_num = session.send(message, fields, time.time())
        transport.write(session.data_to_send())
        return seq_num

    async def drain(self) -> None:
        """Waits until the outbound queue is below its bound (or the connection closed)."""
        await self._writable.wait()

    async def logged_on(self, timeout: float | None = None) -> None:
        """Waits until the session is logged on.

        Raises:
            SessionError: The connection was closed for good first.
            TimeoutError: ``timeout`` seconds passed first.
        """
        async with asyncio.timeout(timeout):
            while not self.session.logged_on:
                if self._closed:
                    reason = f": {self._refusal}" if self._refusal else ""
                    raise SessionError(f"connection closed before logon{reason}") from self._failure
                await self._changed()

    async def logout(self, text: str | None = None, timeout: float | None = None) -> None:
        """Logs out (the Logout <5> handshake) and waits for the connection to close."""
        self.session.logout(time.time(), text)
        self._flush()
        async with asyncio.timeout(timeout):
            await self._disconnected.wait()

    async def close(self) -> None:
        """Logs out if logged on, stops reconnecting, and closes; sent messages are flushed."""
        if self._closed:
            return
        self._closed = True
        if self.session.logged_on:
            await self.logout()
        if self._transport is not None:
            self._transport.close()
            await self._disconnected.wait()
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        self._end()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        """Whether a transport connection is open."""
        return self._transport is not None

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            while not self._events:
                self._readable.clear()
                await self._readable.wait()
            event = self._events.popleft()
            if event is _CLOSED:
                return
            if self._reading_paused and len(self._events) <= MAX_QUEUED_EVENTS // 2:
                self._reading_paused = False
                if self._transport is not None:
                    self._transport.resume_reading()
            yield event  # type: ignore[misc]

    async def _changed(self) -> None:
        """Waits until the session reports events or the connection closes."""
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    # The transport's side.

    def _attach(self, transport: asyncio.Transport, pending: bytes = b"") -> None:
        self._transport = transport
        self._disconnected.clear()
        self._reading_paused = len(self._events) >= MAX_QUEUED_EVENTS
        if self._reading_paused:
            transport.pause_reading()
        # low = high: writing resumes as soon as the queue is back within max_buffer, so send
        # refuses exactly while more than max_buffer bytes are unsent.
        transport.set_write_buffer_limits(high=self._max_buffer, low=self._max_buffer)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        now = time.time()
        self.session.connection_made(now)
        if pending:
            self.session.receive(pending, now)
        self._flush()

    def _set_writable(self, writable: bool) -> None:
        """Whether the transport takes more bytes: wakes :meth:`drain` and sets the flag
        :meth:`send` reads."""
        if writable:
            self._writable.set()
        else:
            self._writable.clear()
        self._can_write = writable

    def _data_received(self, data: bytes) -> None:
        self.session.receive(data, time.time())
        self._flush()

    def _connection_lost(self, exc: BaseException | None) -> None:
        self.session.connection_lost(
            time.time(), "connection lost" if exc is None else f"connection lost: {exc}"
        )
        self._transport = None
        self._set_writable(True)
        self._disconnected.set()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._dispatch()
        self._notify()
        if not self._ever_logged_on and self._on_unused is not None:
            self._on_unused()

    def _flush(self) -> None:
        """Writes what the session has to send, delivers its events, and rearms the timer."""
        data = self.session.data_to_send()
        transport = self._transport
        if data and transport is not None:
            transport.write(data)
        self._dispatch()
        if self.session.should_close:
            if transport is not None and not transport.is_closing():
                transport.close()  # Flushes the buffer first...
                # ...unless the peer stopped reading: then the socket is cut after a while.
                self._loop.call_later(
                    self.session.config.logout_timeout, _abort_if_open, self, transport
                )
            return
        deadline = self.session.next_deadline()
        if deadline is not None and (self._timer is None or deadline < self._timer_at):
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self._loop.call_later(max(0.0, deadline - time.time()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.session.tick(time.time())
        self._flush()

    def _dispatch(self) -> None:
        events = self.session.next_events()
        if not events:
            return
        for event in events:
            if isinstance(event, LoggedOn):
                self._had_logon = self._ever_logged_on = True
            self._deliver(event)
        self._notify()

    def _deliver(self, event: Event) -> None:
        if isinstance(event, LogonRefused):
            self._refusal = event.text
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception as e:
                # The session has counted the message: an exception here must not lose the
                # events after it, nor the connection. It is reported, as asyncio reports
                # errors in callbacks.
                self._loop.call_exception_handler(
                    {"message": f"on_event raised for {event!r}", "exception": e}
                )
            return
        self._events.append(event)
        self._readable.set()
        transport = self._transport
        if (
            len(self._events) >= MAX_QUEUED_EVENTS
            and transport is not None
            and not self._reading_paused
        ):
            # The application is not keeping up: stop reading the socket rather than queue
            # without bound; TCP pushes back on the peer until the queue drains.
            transport.pause_reading()
            self._reading_paused = True

    def _end(self) -> None:
        if self._closed and self._events and self._events[-1] is _CLOSED:
            return
        self._closed = True
        self._events.append(_CLOSED)
        self._readable.set()
        self._notify()


def _abort_if_open(connection: Connection, transport: asyncio.Transport) -> None:
    """Cuts a closing transport that could not flush (its peer does not read)."""
    if connection._transport is transport:
        transport.abort()


class _Protocol(asyncio.Protocol):
    """Connects one transport to a :class:`Connection`."""

    def __init__(self, connection: Connection, pin_sha256: str | None) -> None:
        self._connection = connection
        self._pin = pin_sha256

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport, though not always an asyncio.Transport subclass (uvloop's are not).
        transport = cast(asyncio.Transport, transport)
        if self._pin is not None:
            seen = _peer_certificate_sha256(transport)
            if seen is None or not hmac.compare_digest(seen, self._pin):
                self._connection._failure = SessionError(
                    f"TLS certificate SHA-256 {seen} does not match the pinned {self._pin}"
                )
                transport.abort()
                return
        self._connection._attach(transport)

    def data_received(self, data: bytes) -> None:
        self._connection._data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._connection._transport is not None:
            self._connection._connection_lost(exc)

    def pause_writing(self) -> None:
        self._connection._set_writable(False)

    def resume_writing(self) -> None:
        self._connection._set_writable(True)


def _normalize_pin(pin_sha256: str | None) -> str | None:
    if pin_sha256 is None:
        return None
    pin = pin_sha256.replace(":", "").lower()
    if len(pin) != 64 or any(c not in "0123456789abcdef" for c in pin):
        raise ValueError("pin_sha256 must be the certificate's SHA-256 as 64 hex digits")
    return pin


async def connect(
    config: SessionConfig,
    host: str,
    port: int,
    *,
    store: Store | None = None,
    ssl: _ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    pin_sha256: str | None = None,
    reconnect: Reconnect | None = None,
    max_buffer: int = DEFAULT_MAX_BUFFER,
    on_event: Callable[[Event], None] | None = None,
) -> Connection:
    """Opens an initiator session to ``host:port``; returns once connected (Logon sent).

    Args:
        config: The session; its role must be initiator.
        host: Host name or address.
        port: TCP port.
        store: Sequence numbers and sent messages; a :class:`~fixwire.session.MemoryStore`
            when omitted.
        ssl: TLS context (TLS 1.2 or later; certificate verification as the context says).
        server_hostname: The name to verify the certificate against, when not ``host``.
        pin_sha256: SHA-256 of the server's certificate (DER), hex; any other certificate
            ends the connection with :class:`~fixwire.SessionError`, and no reconnect follows.
        reconnect: Reconnect after a lost connection, with backoff; ``None`` to not.
        max_buffer: Bound of the outbound queue, in bytes.
        on_event: Called with each event instead of queueing it for iteration.

    Raises:
        OSError: The first connection failed and ``reconnect`` is ``None``.
        SessionError: The certificate did not match ``pin_sha256``.
    """
    if config.role is not Role.INITIATOR:
        raise ValueError("connect() needs a SessionConfig with role=Role.INITIATOR")
    _check_tls(ssl)
    pin = _normalize_pin(pin_sha256)
    connection = Connection(
        Session(config, store if store is not None else MemoryStore()),
        max_buffer=max_buffer,
        on_event=on_event,
    )
    loop = asyncio.get_running_loop()

    async def open_once() -> None:
        await loop.create_connection(
            lambda: _Protocol(connection, pin), host, port, ssl=ssl, server_hostname=server_hostname
        )
        if connection._failure is not None:
            raise connection._failure

    try:
        await open_once()
    except OSError as e:
        if reconnect is None:
            raise
        # With reconnect, a first attempt that fails is retried like a lost connection.
        connection._deliver(Disconnected(f"connection attempt failed: {e}"))

    async def keep_connected() -> None:
        attempt = 0
        while not connection._closed:
            await connection._disconnected.wait()
            if connection._closed or reconnect is None or connection._failure is not None:
                break
            # Backoff restarts only after a connection that got as far as logging on: a venue
            # that accepts TCP but refuses every Logon is retried ever more slowly.
            if connection._had_logon:
                attempt = 0
            connection._had_logon = False
            attempt += 1
            if reconnect.max_attempts is not None and attempt > reconnect.max_attempts:
                break
            await asyncio.sleep(reconnect.delay(attempt))
            if connection._closed:
                break
            try:
                await open_once()
            except OSError as e:
                connection._deliver(Disconnected(f"reconnect attempt {attempt} failed: {e}"))
            except SessionError as e:
                # The certificate no longer matches the pin: no reconnect follows, and the
                # application hears why (an exception here would end the task unseen).
                connection._deliver(Disconnected(str(e)))
                break
        connection._end()

    connection._runner = asyncio.create_task(keep_connected())
    return connection


class _Unidentified(asyncio.Protocol):
    """An accepted connection until its first message says which session it is for."""

    def __init__(self, acceptor: Acceptor) -> None:
        self._acceptor = acceptor
        self._framer = Framer()
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._protocol: _Protocol | None = None
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
        if self._protocol is not None:
            self._protocol.data_received(data)
            return
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
                first.get(56), first.get(49), self._transport
            )
        except (FixError, OSError, UnicodeError) as e:
            # CompIDs that are not text, a store that cannot open: refuse this connection,
            # keep serving the others.
            self._acceptor.refused.append(f"{type(e).__name__}: {e}")
            self._transport.abort()
            return
        if connection is None:
            return
        self._protocol = _Protocol(connection, None)
        connection._attach(self._transport, bytes(self._buffer))
        self._buffer.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timeout is not None:
            self._timeout.cancel()
        if self._transport is not None:
            self._acceptor._pending.discard(self._transport)
        if self._protocol is not None:
            self._protocol.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._protocol is not None:
            self._protocol.pause_writing()

    def resume_writing(self) -> None:
        if self._protocol is not None:
            self._protocol.resume_writing()


#: Finds the session for an inbound Logon: called with the peer's TargetCompID <56> (our
#: SenderCompID) and SenderCompID <49>; returns its configuration, or None to refuse it.
SessionLookup = Callable[[str, str], "SessionConfig | None"]


class Acceptor:
    """A listening socket serving FIXT.1.1 sessions; made by :func:`serve`.

    Each session (a pair of CompIDs) gets one :class:`Connection`, kept across the peer's
    reconnects with its store, and handed to the ``handler`` when its first connection arrives.
    One connection per session at a time: a second one gets a Logout <5> with ``"session
    already connected"`` and is closed.
    """

    def __init__(
        self,
        lookup: SessionLookup,
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
        #: Text <58> of the Logout that refuses a second connection for a connected session.
        self.duplicate_text = "session already connected"
        #: Why connections were dropped before a session was found for them, oldest first
        #: (the last 100).
        self.refused: collections.deque[str] = collections.deque(maxlen=100)
        self._server: asyncio.Server | None = None
        self._pending: set[asyncio.Transport] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        #: Connections by (our SenderCompID, our TargetCompID).
        self.connections: dict[tuple[str, str], Connection] = {}

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
        self, sender_comp_id: str | None, target_comp_id: str | None, transport: asyncio.Transport
    ) -> Connection | None:
        config = (
            None
            if sender_comp_id is None or target_comp_id is None
            else self._lookup(sender_comp_id, target_comp_id)
        )
        if config is None:
            transport.close()
            return None
        key = (config.sender_comp_id, config.target_comp_id)
        connection = self.connections.get(key)
        if connection is not None and (connection.connected or connection._closed):
            refusal = Encoder(
                config.sender_comp_id, config.target_comp_id, begin_string=config.begin_string
            )
            transport.write(refusal.encode("5", [(58, self.duplicate_text)], seq_num=1))
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

    def _forget(self, key: tuple[str, str]) -> None:
        """Drops a session whose only connection closed before it logged on (a refused Logon,
        a peer that went away): peers sending CompIDs must not grow the acceptor's memory."""
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
        sessions: The sessions served: acceptor configurations, or a function from the peer's
            TargetCompID and SenderCompID to a configuration (None refuses the connection).
        handler: Called (as a task) with each session's :class:`Connection` when its first
            connection arrives; it typically iterates the events and answers.
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
    lookup: SessionLookup
    if not callable(sessions):
        known: dict[tuple[str, str], SessionConfig] = {}
        for config in sessions:
            if config.role is not Role.ACCEPTOR:
                raise ValueError(
                    f"serve() needs acceptor configurations; {config.sender_comp_id} is not one"
                )
            known[config.sender_comp_id, config.target_comp_id] = config

        def find(ours: str, theirs: str) -> SessionConfig | None:
            return known.get((ours, theirs))

        lookup = find

    else:
        lookup = sessions
    acceptor = Acceptor(
        lookup,
        handler,
        store_factory=store_factory or (lambda _: MemoryStore()),
        max_buffer=max_buffer,
        max_logon_bytes=max_logon_bytes,
        first_message_timeout=first_message_timeout,
    )
    loop = asyncio.get_running_loop()
    acceptor._server = await loop.create_server(
        lambda: _Unidentified(acceptor), host, port, ssl=ssl
    )
    return acceptor
