"""Shared pieces of the asyncio transport tests (``tests/session/test_transport*.py``,
``test_reconnect.py``): the two configurations, a bounded ``run``, an inbox of events, an echoing
application, and :class:`RawPeer`, a FIX peer written by hand that can misbehave as a session
never would.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from typing import Any, TypeVar

import pytest

from fixwire import Encoder, Framer, Message
from fixwire.session import (
    Acceptor,
    Connection,
    Event,
    FieldValue,
    Received,
    Role,
    SessionConfig,
    connect,
    serve,
    socket_transport,
)

HOST = "127.0.0.1"
CLIENT = SessionConfig(sender_comp_id="CLIENT", target_comp_id="SERVER")
SERVER = SessionConfig(sender_comp_id="SERVER", target_comp_id="CLIENT", role=Role.ACCEPTOR)

_E = TypeVar("_E")


#: The transports of a plain TCP connection on asyncio's own loop: fixwire's
#: (:mod:`fixwire.session.socket_transport`, the default) and asyncio's.
TRANSPORTS = ("fixwire", "asyncio")


@pytest.fixture(autouse=True, params=TRANSPORTS)
def either_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs each test of a module that imports it once on each of :data:`TRANSPORTS`."""
    kind: str = request.param
    monkeypatch.setattr(socket_transport, "enabled", kind == "fixwire")
    return kind


def run(main: Callable[[], Coroutine[Any, Any, None]], timeout: float = 10.0) -> None:
    """Runs ``main`` on a new event loop; fails it after ``timeout`` seconds."""

    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await main()

    asyncio.run(bounded())


def order(n: int, text: str | None = None) -> list[tuple[int, FieldValue]]:
    """A NewOrderSingle <D> body with ClOrdID <11> ``order-n``."""
    fields: list[tuple[int, FieldValue]] = [(11, f"order-{n}"), (55, "ABC"), (54, "1"), (38, n)]
    if text is not None:
        fields.append((58, text))
    return fields


class Inbox:
    """Collects a connection's events; tests wait on it for a condition to hold."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        #: Exceptions raised while answering (a handler must not die silently).
        self.errors: list[BaseException] = []
        self._arrived = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._arrived.set()

    def of(self, kind: type[_E]) -> list[_E]:
        """The events of one kind, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    def received(self, msg_type: str = "D") -> list[Message]:
        """The application messages of ``msg_type`` received, in order."""
        return [e.message for e in self.of(Received) if e.message.msg_type == msg_type]

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Waits until ``condition()`` holds, checking it after every event."""
        async with asyncio.timeout(timeout):
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()


def echo(conn: Connection, event: Event) -> None:
    """An acceptor's answer: an ExecutionReport <8> for each NewOrderSingle <D>."""
    if isinstance(event, Received) and event.message.msg_type == "D":
        conn.send("8", [(37, "x"), (11, event.message[11]), (17, "e"), (150, "0"), (39, "0")])


@contextlib.asynccontextmanager
async def accepting(
    *configs: SessionConfig,
    answer: Callable[[Connection, Event], None] | None = None,
    port: int = 0,
    call_back: bool = False,
    host: str = HOST,
    **options: Any,
) -> AsyncIterator[tuple[Acceptor, Inbox]]:
    """A fixwire acceptor on loopback (``host``); its sessions' events all go to one inbox. With
    ``call_back`` the handler has them called back (``Connection.set_on_event``) instead of
    iterating them.
    """
    inbox = Inbox()

    async def handler(conn: Connection) -> None:
        def handle(event: Event) -> None:
            inbox(event)
            if answer is not None:
                try:
                    answer(conn, event)
                except Exception as e:
                    inbox.errors.append(e)

        if call_back:
            conn.set_on_event(handle)
        async for event in conn:
            handle(event)

    acceptor = await serve(configs or [SERVER], handler, host, port, **options)
    try:
        yield acceptor, inbox
    finally:
        await acceptor.close()
    assert inbox.errors == []


@contextlib.asynccontextmanager
async def initiator(
    port: int, config: SessionConfig = CLIENT, **options: Any
) -> AsyncIterator[tuple[Connection, Inbox]]:
    """A fixwire initiator connected to ``port``, events to an inbox; closed at the end."""
    inbox = Inbox()
    conn = await connect(config, HOST, port, on_event=inbox, **options)
    async with conn:
        yield conn, inbox


def the_session(acceptor: Acceptor) -> Connection:
    """The acceptor's connection for the CLIENT session."""
    return acceptor.connections["FIXT.1.1", "SERVER", "CLIENT"]


async def served_again(acceptor: Acceptor, server: Inbox) -> None:
    """Checks that ``acceptor`` still serves the CLIENT session after its connection failed:
    a new client (which starts over with a reset) logs on and its order reaches ``server``.
    """
    reset = SessionConfig(sender_comp_id="CLIENT", target_comp_id="SERVER", reset_on_logon=True)
    async with initiator(acceptor.port, reset) as (conn, _):
        await conn.logged_on(timeout=5)
        conn.send("D", order(2))
        await server.until(lambda: len(server.received()) == 1)
        assert server.received()[0][11] == "order-2"


def transport_of(conn: Connection) -> asyncio.Transport:
    """The connection's current transport. Private: the tests need the socket under it."""
    transport = conn._transport
    assert transport is not None
    return transport


# A FIX peer by hand.


class RawPeer:
    """One end of a TCP connection that speaks FIX without any session logic."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        sender: str = "SERVER",
        target: str = "CLIENT",
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.encoder = Encoder(sender, target)
        self.framer = Framer()
        self.pending: collections.deque[Message] = collections.deque()
        self.next_seq = 1

    def encode(self, msg_type: str, fields: Iterable[tuple[int, FieldValue]] = ()) -> bytes:
        """The next message this peer sends, with the next MsgSeqNum <34>."""
        wire = self.encoder.encode(msg_type, fields, seq_num=self.next_seq)
        self.next_seq += 1
        return wire

    def send(self, msg_type: str, fields: Iterable[tuple[int, FieldValue]] = ()) -> None:
        self.writer.write(self.encode(msg_type, fields))

    async def read(self) -> Message | None:
        """The next message from the other end; None when it closed the connection."""
        while not self.pending:
            data = await self.reader.read(65536)
            if not data:
                return None
            self.pending.extend(self.framer.feed(data))
        return self.pending.popleft()

    async def expect(self, msg_type: str) -> Message:
        """Reads up to the next message of ``msg_type``, skipping the others."""
        while True:
            msg = await self.read()
            assert msg is not None, f"connection closed while waiting for MsgType {msg_type}"
            if msg.msg_type == msg_type:
                return msg

    async def accept_logon(self, heartbeat: int = 30) -> Message:
        """Reads the initiator's Logon <A> and answers it."""
        logon = await self.expect("A")
        self.send("A", [(98, 0), (108, heartbeat), (1137, "9")])
        return logon

    def reading(self, on: bool) -> None:
        """Stops or resumes reading from the socket, below the stream's own buffering."""
        transport = self.writer.transport
        assert isinstance(transport, asyncio.Transport)
        if on:
            transport.resume_reading()
        else:
            transport.pause_reading()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@contextlib.asynccontextmanager
async def raw_acceptor() -> AsyncIterator[tuple[int, asyncio.Queue[RawPeer]]]:
    """A listening socket whose connections are handed over as raw peers."""
    peers: asyncio.Queue[RawPeer] = asyncio.Queue()
    opened: list[RawPeer] = []

    def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = RawPeer(reader, writer)
        opened.append(peer)
        peers.put_nowait(peer)

    server = await asyncio.start_server(on_connect, HOST, 0)
    try:
        yield server.sockets[0].getsockname()[1], peers
    finally:
        server.close()
        for peer in opened:
            await peer.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def raw_initiator(port: int, sender: str = "CLIENT") -> AsyncIterator[RawPeer]:
    """A raw connection to ``port``, as SenderCompID ``sender``."""
    reader, writer = await asyncio.open_connection(HOST, port)
    peer = RawPeer(reader, writer, sender=sender, target="SERVER")
    try:
        yield peer
    finally:
        await peer.close()
