"""The asyncio connection of one session: TCP with TLS, backpressure, clean shutdown.

This module has no protocol logic: :class:`Connection` moves bytes between a socket and a
sans-IO :class:`~fixwire.session.Session`, calls :meth:`~fixwire.session.Session.tick` when the
session asks, and hands the session's events to the application. It runs on one event loop
thread and starts no other threads; it uses only the loop's public API, so it runs on uvloop as
well. :mod:`fixwire.session.initiator` opens connections (and reopens them);
:mod:`fixwire.session.acceptor` takes them in.

Sending is synchronous: :meth:`Connection.send` encodes, stores and writes in one call and
returns the MsgSeqNum, but for one case. While the application handles a burst of inbound
messages (from the moment iteration hands it an event with more queued behind it, or while
``on_event`` is called for the messages of one read, when there are several), what it sends is
gathered and written together when it is done with them: one TLS record and one ``send``
syscall for the answers to a burst of orders, not one per answer. The bytes never wait past the
end of that handling: they are written when iteration finds no event left, when ``on_event``
has returned for the read's last event, or, for an application that awaits something else
meanwhile, on the event loop's next turn; and at once when :data:`_WRITE_PIECE` bytes have
gathered. The answer to a lone message is written within the ``send`` call.

The transport's write buffer is the outbound queue; it is bounded by ``max_buffer`` bytes,
beyond which ``send`` raises :class:`~fixwire.SessionError` and :meth:`Connection.drain` waits
for room. A message ``send`` accepted is in the store before it reaches the socket: if the
connection dies before the peer reads it, the peer's ResendRequest on the next connection
brings it back (on sessions with retransmission).

What the session itself queues (answers the peer's messages call for, a resend) goes to the
transport only while it has room; an answer to ResendRequest <2> is read from the store as the
transport drains, so a peer that asks for everything and does not read costs a bounded buffer.

Inbound, events wait in a queue until the application iterates the connection; when it falls
:data:`MAX_QUEUED_EVENTS` events or ``max_event_bytes`` (:class:`SessionConfig`) bytes of
application messages behind, the connection stops reading its socket until it catches up, so
a slow application slows the peer (through TCP) instead of growing memory without bound. A
session paused for longer than its heartbeat patience takes the peer for silent and ends.

Or the application is called back: with ``on_event`` (:meth:`Connection.set_on_event`, or
``connect(..., on_event=)``) each event is handed to the callback from the protocol's
``data_received``, on the event loop thread, as soon as the session has framed and checked the
read that brought it: no queue, no task switch, and what the callback sends is written before
the read's handling returns. The session's rules are the same either way (sequence numbers,
gaps and resends, Rejects: the callback sees the same events in the same order that iteration
would). A callback that raises is logged at ERROR on ``fixwire.session`` (the event named, never
its bytes); the message counts as taken and the connection carries on with the next event, so
one bad message neither stops the session nor holds the ones after it.

An inbound application message counts as taken by the application (and its number as done
with, in the store) when the application asks for the next event, calls :meth:`acknowledge`,
or, with ``on_event``, when the callback returns: a crash before that has the peer send it again
(see :mod:`fixwire.session.delivery`).
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import socket
import ssl as _ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable
from types import TracebackType
from typing import Any, Self, cast, overload

from fixwire._native import Template
from fixwire.errors import SessionError
from fixwire.session.config import FieldValue, TemplateValue
from fixwire.session.core import Session
from fixwire.session.diagnostics import log_callback_error, log_event
from fixwire.session.events import Event, LoggedOn, LogonRefused, Received
from fixwire.session.states import State

__all__ = ["DEFAULT_MAX_BUFFER", "MAX_QUEUED_EVENTS", "Connection"]


#: Default bound of the outbound queue (the transport's write buffer), in bytes.
DEFAULT_MAX_BUFFER = 4 * 1024 * 1024
#: Events queued for an application that iterates a connection, beyond which the connection
#: stops reading its socket until half of them are taken.
MAX_QUEUED_EVENTS = 100_000


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
_DISCONNECTED = State.DISCONNECTED
#: The most the session's output is taken in one piece, in bytes.
_WRITE_PIECE = 64 * 1024
#: The most one read from the socket takes, in bytes (its buffer is kept per connection).
_READ_PIECE = 64 * 1024


def _msg_type(message: str | Template) -> str:
    """The MsgType <35> of what :meth:`Connection.send` was given."""
    return message.msg_type if isinstance(message, Template) else message


class Connection:
    """The application's handle on one session over asyncio: send, events, logout.

    Iterate it (``async for event in conn``) for every :mod:`~fixwire.session.events` event,
    application messages as :class:`~fixwire.session.Received`; iteration ends when the
    connection is closed for good. Or have a callback called with each event instead, on the
    event loop thread, from the read that brought it: :meth:`set_on_event`, or ``on_event`` of
    :func:`connect`.
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
        # While inbound messages are handled, send leaves its bytes to _uncork (see the module's
        # documentation); _uncork_due: an _uncork_later is scheduled.
        self._corked = False
        self._uncork_due = False
        self._disconnected = asyncio.Event()
        self._disconnected.set()
        self._closed = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        # The session's state when the timer was last checked against its deadline.
        self._timer_state: State | None = None
        self._failure: BaseException | None = None
        self._runner: asyncio.Task[None] | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self._had_logon = False
        self._reading_paused = False
        # Bytes of the application messages in self._events; the last one handed over.
        self._event_bytes = 0
        self._yielded = 0
        self._refusal: str | None = None
        self._ever_logged_on = False
        #: Called when a connection closes before the session ever logged on (the acceptor
        #: forgets such sessions).
        self._on_unused: Callable[[], None] | None = None
        # The session's message log, flushed once per turn of the loop in which it logged.
        self._message_log = session.config.message_log
        self._log_flush_due = False

    # The application's API.

    @overload
    def send(self, message: str, fields: Iterable[tuple[int, FieldValue]]) -> int: ...
    @overload
    def send(self, message: Template, fields: tuple[TemplateValue, ...]) -> int: ...
    def send(self, message: str | Template, fields: Any) -> int:
        """Encodes, stores and writes one application message; returns its MsgSeqNum <34>.

        While the application handles a burst of inbound messages the write is gathered with
        the others it sends for them (see the module's documentation).

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
        out = session._out
        items = out.items
        if self._corked:
            if out.queued >= _WRITE_PIECE:
                self._write_some(transport)
        elif len(items) == 1:
            # The common case, the message just sent and nothing before it: Session.data_to_send
            # unfolded (Outbound.items says how). The transport takes it whatever its size, as
            # it has room (_can_write).
            out.queued = 0
            transport.write(items.popleft())  # type: ignore[arg-type]
        else:
            self._write_some(transport)
        if self._message_log is not None and not self._log_flush_due:
            self._flush_log_soon()
        return seq_num

    def set_on_event(self, on_event: Callable[[Event], None] | None) -> None:
        """Has ``on_event`` called with each event from now on, instead of queueing it for
        iteration; ``None`` queues them again.

        The callback runs on the event loop thread, inside the handling of the socket read
        that brought the event (see the module's documentation): the lowest-latency way to
        answer, with no task switch between the bytes' arrival and the answer's ``send``. It
        must not block. Events already queued and not yet handed to iteration are passed to
        it first, in order, within this call. Iteration, if the application still runs it,
        then only waits: it ends when the connection is closed for good, as before. An
        acceptor's handler typically calls this first, then returns or iterates to wait for
        the end::

            async def handle(conn: Connection) -> None:
                def answer(event: Event) -> None:
                    if isinstance(event, Received) and event.message.msg_type == "D":
                        conn.send("8", [(11, event.message[11]), (150, "0"), (39, "0")])

                conn.set_on_event(answer)
                async for _ in conn:  # Nothing arrives here any more: ends at close.
                    pass

        Each application message counts as taken when the callback returns for it. If the
        callback raises (an :class:`Exception`), the error is logged at ERROR on the
        ``fixwire.session`` logger with the event's MsgType <35> and MsgSeqNum <34> (never its
        bytes), the message still counts as taken, and the next event is delivered: a bad
        message neither stops the session nor holds the ones after it.
        """
        self._on_event = on_event
        if on_event is None:
            return
        self.acknowledge()  # What iteration handed over before: the application took it.
        self._yielded = 0
        queued = self._events
        closed = bool(queued) and queued[-1] is _CLOSED
        while queued and queued[0] is not _CLOSED:
            event = cast(Event, queued.popleft())
            if isinstance(event, Received):
                self._event_bytes -= len(event.message.raw)
            self._call_back(on_event, event)
        if closed:
            self._readable.set()
        if self._reading_paused:
            self._reading_paused = False
            if self._transport is not None:
                self._transport.resume_reading()
        self._flush()

    def acknowledge(self) -> None:
        """Says the application took every inbound message iteration has handed it so far;
        asking for the next event says the same (see :mod:`fixwire.session.delivery`).
        """
        if self._yielded:
            self.session.acknowledge(self._yielded)

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
            if not self._events:
                if self._corked:
                    self._uncork()  # Every event handled: what the application sent goes.
                while not self._events:
                    self._readable.clear()
                    await self._readable.wait()
            event = self._events.popleft()
            if event is _CLOSED:
                return
            if isinstance(event, Received):
                self._event_bytes -= len(event.message.raw)
                self._yielded = event.message.seq_num
            if (
                self._reading_paused
                and len(self._events) <= MAX_QUEUED_EVENTS // 2
                and self._event_bytes <= self.session.config.max_event_bytes // 2
            ):
                self._reading_paused = False
                if self._transport is not None:
                    self._transport.resume_reading()
            if self._events and not self._corked:
                # More events are queued behind this one: what the application sends for them
                # is gathered. (A lone event's answer goes at once, as a single order's must:
                # gathering costs the loop a turn.)
                self._cork()
            yield event  # type: ignore[misc]
            self.acknowledge()

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
        self._reading_paused = self._queue_full()
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

    def _queue_full(self) -> bool:
        """Whether the application is too far behind for the socket to be read."""
        return (
            len(self._events) >= MAX_QUEUED_EVENTS
            or self._event_bytes >= self.session.config.max_event_bytes
        )

    def _resume_writing(self) -> None:
        """The transport drained below its bound: what the session still has goes on."""
        self._set_writable(True)
        if self._transport is not None:
            self._flush()

    def _set_writable(self, writable: bool) -> None:
        """Whether the transport takes more bytes: wakes :meth:`drain` and sets the flag
        :meth:`send` reads.
        """
        if writable:
            self._writable.set()
        else:
            self._writable.clear()
        self._can_write = writable

    def _data_received(self, data: bytes) -> None:
        self.session.receive(data, time.time())
        self._flush(True)  # Positional: a keyword call costs the interpreter more.

    def _cork(self) -> None:
        """Gathers what :meth:`send` writes until :meth:`_uncork`, at the latest on the event
        loop's next turn.
        """
        self._corked = True
        if not self._uncork_due:
            self._uncork_due = True
            self._loop.call_soon(self._uncork_later)

    def _uncork_later(self) -> None:
        self._uncork_due = False
        if self._corked:
            self._uncork()

    def _uncork(self) -> None:
        """Writes what :meth:`send` gathered."""
        self._corked = False
        transport = self._transport
        if transport is not None:
            self._write(transport)

    def _connection_lost(self, exc: BaseException | None) -> None:
        self.session.connection_lost(
            time.time(), "connection lost" if exc is None else f"connection lost: {exc}"
        )
        self._transport = None
        self._flush_log()  # What this connection logged, now: the loop may not turn again.
        self._set_writable(True)
        self._disconnected.set()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._dispatch()
        self._notify()
        if not self._ever_logged_on and self._on_unused is not None:
            self._on_unused()

    def _flush_log_soon(self) -> None:
        """Flushes the message log once the loop has run what is ready now: one write to
        the file for every message logged meanwhile.
        """
        self._log_flush_due = True
        self._loop.call_soon(self._flush_log)

    def _flush_log(self) -> None:
        self._log_flush_due = False
        if self._message_log is not None:
            self._message_log.flush()

    def _flush(self, gather: bool = False) -> None:
        """Delivers the session's events (see :meth:`_dispatch` for ``gather``), writes what it
        has to send, and rearms the timer.
        """
        session = self.session
        # Session.has_events and has_data_to_send, read without their calls: this runs on
        # every read and every timer.
        events = session._events
        if events:
            on_event = self._on_event
            if on_event is not None and len(events) == 1 and type(events[0]) is Received:
                # The hot path, one application message: Session.next_events(False), then
                # _dispatch's handing over, unfolded (two Python frames less on every read).
                lone = events.pop()
                untaken = session._ledger.untaken
                session._handed = handed = untaken[-1] if untaken else 0
                try:
                    on_event(lone)
                except Exception as e:
                    log_callback_error(session.config, lone, e)
                # Session.acknowledge(MsgSeqNum of lone) without the call, the number being the
                # last one handed over: no native read; none at all when the ledger holds no
                # number (it keeps none for a MemoryStore).
                if untaken:
                    session._ledger.taken(handed)
                if self._waiters:
                    self._notify()
            else:
                self._dispatch(gather)
        transport = self._transport
        if transport is not None and session._out.items:
            self._write(transport)
        if self._message_log is not None and self._message_log.pending and not self._log_flush_due:
            self._flush_log_soon()
        state = session.state
        if state is _DISCONNECTED:  # Session.should_close, without a second lookup.
            if transport is not None and not transport.is_closing():
                transport.close()  # Flushes the buffer first...
                # ...unless the peer stopped reading: then the socket is cut after a while.
                self._loop.call_later(
                    self.session.config.logout_timeout, _abort_if_open, self, transport
                )
            return
        if self._timer is not None and state is self._timer_state:
            # Armed for a time no later than the deadline, which cannot have moved earlier in
            # the same state (Session.next_deadline): nothing to ask on this read.
            return
        deadline = session.next_deadline()
        if deadline is not None and (self._timer is None or deadline < self._timer_at):
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self._loop.call_later(max(0.0, deadline - time.time()), self._on_timer)
        self._timer_state = state

    def _write(self, transport: asyncio.Transport) -> None:
        """Hands the transport what the session has to send, while it has room: in pieces of
        at most :data:`_WRITE_PIECE` bytes, so that a resend is never copied whole. Past
        ``max_buffer`` the transport pauses writing; resume_writing brings us back here.
        """
        session = self.session
        if not session.has_data_to_send:
            return
        if session.should_close:
            data = session.data_to_send()  # A last Logout: the transport is closed after it.
            if data:
                transport.write(data)
            return
        while self._can_write:
            room = self._max_buffer + 1 - transport.get_write_buffer_size()
            data = session.data_to_send(min(room, _WRITE_PIECE))
            if not data:
                return
            transport.write(data)

    def _write_some(self, transport: asyncio.Transport) -> None:
        """Hands the transport one piece of what the session has to send, as much as it has
        room for (at least one message).
        """
        data = self.session.data_to_send(self._max_buffer + 1 - transport.get_write_buffer_size())
        if data:
            transport.write(data)

    def _on_timer(self) -> None:
        self._timer = None
        self.session.tick(time.time())
        self._flush()

    def _dispatch(self, gather: bool = False) -> None:
        """Hands the session's events over. With ``gather``, ``on_event`` handling a burst
        (more than one event) has what it sends written together once it is done with the
        last (by :meth:`_flush`, which writes after dispatching).
        """
        events = self.session.next_events(False)  # Not acknowledge=: a keyword call costs more.
        if not events:
            return
        on_event = self._on_event
        corked = gather and on_event is not None and len(events) > 1 and not self._corked
        if corked:
            self._corked = True
        try:
            for event in events:
                if on_event is not None and type(event) is Received:
                    self._call_back(on_event, event)  # The hot path: no log, no queue.
                else:
                    if isinstance(event, LoggedOn):
                        self._had_logon = self._ever_logged_on = True
                    self._deliver(event)
                on_event = self._on_event  # The application may have switched it.
        finally:
            if corked:
                self._corked = False
        if self._waiters:
            self._notify()

    def _deliver(self, event: Event) -> None:
        if type(event) is not Received:
            log_event(self.session.config, event)
        if isinstance(event, LogonRefused):
            self._refusal = event.text
        on_event = self._on_event
        if on_event is not None:
            self._call_back(on_event, event)
            return
        self._events.append(event)
        if isinstance(event, Received):
            self._event_bytes += len(event.message.raw)
        self._readable.set()
        transport = self._transport
        if self._queue_full() and transport is not None and not self._reading_paused:
            # The application is not keeping up: stop reading the socket rather than queue
            # without bound; TCP pushes back on the peer until the queue drains.
            transport.pause_reading()
            self._reading_paused = True

    def _call_back(self, on_event: Callable[[Event], None], event: Event) -> None:
        """Hands ``event`` to ``on_event``; an application message is taken when it returns."""
        try:
            on_event(event)
        except Exception as e:
            # The session has counted the message: an exception here must not lose the events
            # after it, nor the connection.
            log_callback_error(self.session.config, event, e)
        if type(event) is Received:
            self.session.acknowledge(event.message.seq_num)

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


class _Protocol(asyncio.BufferedProtocol):
    """Connects one transport to a :class:`Connection`.

    A buffered protocol: asyncio's transports read into one buffer of :data:`_READ_PIECE`
    bytes kept for the connection, and each read is copied out once, at its size. (Given a
    plain protocol, asyncio's own loop allocates 256 KiB for every read, which glibc maps and
    unmaps each time: three system calls and page faults a message.) fixwire's socket
    transport makes each read's bytes itself and hands them to :meth:`data_received`.
    """

    #: Bytes read by a transport that makes them itself (fixwire's socket transport; asyncio's
    #: call :meth:`buffer_updated`): the connection's own method, set on each protocol, so
    #: that a read reaches the connection without a Python frame of this class between.
    data_received: Callable[[bytes], None]

    def __init__(self, connection: Connection, pin_sha256: str | None) -> None:
        self._connection = connection
        self._pin = pin_sha256
        self._buffer = memoryview(bytearray(_READ_PIECE))
        self.data_received = connection._data_received

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

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._buffer

    def buffer_updated(self, nbytes: int) -> None:
        # Connection._data_received's body, unfolded: one Python frame less on every read.
        connection = self._connection
        connection.session.receive(self._buffer[:nbytes].tobytes(), time.time())
        connection._flush(True)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._connection._transport is not None:
            self._connection._connection_lost(exc)

    def pause_writing(self) -> None:
        self._connection._set_writable(False)

    def resume_writing(self) -> None:
        self._connection._resume_writing()


def _normalize_pin(pin_sha256: str | None) -> str | None:
    if pin_sha256 is None:
        return None
    pin = pin_sha256.replace(":", "").lower()
    if len(pin) != 64 or any(c not in "0123456789abcdef" for c in pin):
        raise ValueError("pin_sha256 must be the certificate's SHA-256 as 64 hex digits")
    return pin
