"""The transport under a plain TCP connection on asyncio's own loop, fault by fault.

fixwire's own transport (:mod:`fixwire.session.socket_transport`) and asyncio's must behave
alike: every test runs on both (``either_transport``). The far end is a raw socket driven by
hand, which can do what no session does: read a few bytes at a time through a small receive
buffer, reset the connection in the middle of a message, or half-close it mid-frame. Loopback
only; every wait is bounded (``run``'s timeout, ``asyncio.timeout``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
import uvloop

from fixwire import Encoder, Framer, Message, SessionError
from fixwire.session import (
    Connection,
    Disconnected,
    LoggedOn,
    Received,
    connect,
    socket_transport,
)
from fixwire.session.socket_transport import SocketTransport
from transport_cases import (
    CLIENT,
    HOST,
    Inbox,
    accepting,
    either_transport,  # noqa: F401 (an autouse fixture: each test runs on both transports)
    initiator,
    order,
    run,
    served_again,
    the_session,
    transport_of,
)

#: Bytes of the raw peer's receive buffer and of fixwire's send buffer in the partial-write
#: test (the kernel doubles and rounds them): far below one message of :data:`BIG_TEXT`.
SMALL_BUFFER = 4096
#: Text <58> of a message the kernel cannot take in one ``send``.
BIG_TEXT = "y" * 300_000


class SocketPeer:
    """A FIX peer on a bare non-blocking socket, its reads and writes made by the test."""

    def __init__(self, sock: socket.socket, sender: str, target: str) -> None:
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        self.encoder = Encoder(sender, target)
        self.framer = Framer()
        self.next_seq = 1
        self.pending: list[Message] = []

    def encode(self, msg_type: str, fields: Any = ()) -> bytes:
        wire = self.encoder.encode(msg_type, fields, seq_num=self.next_seq)
        self.next_seq += 1
        return wire

    async def write(self, data: bytes) -> None:
        await self.loop.sock_sendall(self.sock, data)

    async def read(self, piece: int = 65536) -> Message | None:
        """The next message, read ``piece`` bytes at a time; None at EOF."""
        while not self.pending:
            data = await self.loop.sock_recv(self.sock, piece)
            if not data:
                return None
            self.pending.extend(self.framer.feed(data))
            assert self.framer.drain_errors() == []
        return self.pending.pop(0)

    async def expect(self, msg_type: str, piece: int = 65536) -> Message:
        while True:
            msg = await self.read(piece)
            assert msg is not None, f"EOF while waiting for MsgType {msg_type}"
            if msg.msg_type == msg_type:
                return msg

    def reset(self) -> None:
        """Closes with an RST instead of a FIN (SO_LINGER with a zero timeout)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


@contextlib.asynccontextmanager
async def socket_acceptor(rcvbuf: int | None = None) -> AsyncIterator[tuple[int, Any]]:
    """A listening socket; ``accept()`` gives the next connection as a :class:`SocketPeer`
    (the SERVER side of :data:`CLIENT`), its receive buffer ``rcvbuf`` bytes if given.
    """
    loop = asyncio.get_running_loop()
    listening = socket.socket()
    accepted: list[socket.socket] = []
    try:
        if rcvbuf is not None:  # Before listen(): the window is agreed on at the handshake.
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        listening.bind((HOST, 0))
        listening.listen()
        listening.setblocking(False)

        async def accept() -> SocketPeer:
            sock, _ = await loop.sock_accept(listening)
            sock.setblocking(False)
            accepted.append(sock)
            return SocketPeer(sock, "SERVER", "CLIENT")

        yield listening.getsockname()[1], accept
    finally:
        listening.close()
        for sock in accepted:
            sock.close()


async def log_on(peer: SocketPeer) -> None:
    """Reads fixwire's Logon <A> and answers it."""
    await peer.expect("A")
    await peer.write(peer.encode("A", [(98, 0), (108, 30), (1137, "9")]))


@contextlib.asynccontextmanager
async def logged_on_to_peer(
    rcvbuf: int | None = None,
) -> AsyncIterator[tuple[Connection, Inbox, SocketPeer]]:
    """A fixwire initiator logged on to a :class:`SocketPeer` (receive buffer ``rcvbuf``)."""
    async with socket_acceptor(rcvbuf) as (port, accept), initiator(port) as (conn, client):
        peer = await accept()
        await log_on(peer)
        await conn.logged_on(timeout=5)
        yield conn, client, peer


def no_loop_errors() -> list[dict[str, Any]]:
    """The contexts the running loop's exception handler is called with from now on."""
    seen: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: seen.append(context))
    return seen


def test_partial_writes_to_a_slow_reader_arrive_whole_and_in_order() -> None:
    async def main() -> None:
        errors = no_loop_errors()
        async with logged_on_to_peer(rcvbuf=SMALL_BUFFER) as (conn, _, peer):
            sock = transport_of(conn).get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)
            conn.send("D", order(1, text=BIG_TEXT))
            # The kernel took part of the message; the transport holds the rest.
            assert transport_of(conn).get_write_buffer_size() > 0
            conn.send("D", order(2))
            conn.send("D", order(3, text=BIG_TEXT[:1000]))
            # The peer reads 1 KiB at a time: many more partial writes.
            got = [await peer.expect("D", piece=1024) for _ in range(3)]
            assert [m[11] for m in got] == ["order-1", "order-2", "order-3"]
            assert [m.seq_num for m in got] == [2, 3, 4]
            assert got[0][58] == BIG_TEXT
            assert got[2][58] == BIG_TEXT[:1000]
            await asyncio.wait_for(conn.drain(), timeout=5)
            assert transport_of(conn).get_write_buffer_size() == 0
            assert conn.session.logged_on
            closing = asyncio.create_task(conn.close())
            await peer.expect("5")
            await peer.write(peer.encode("5"))
            await asyncio.wait_for(closing, timeout=5)
        assert errors == []

    run(main)


def test_a_peer_that_resets_mid_message_ends_the_connection_cleanly() -> None:
    async def main() -> None:
        errors = no_loop_errors()
        async with logged_on_to_peer() as (conn, client, peer):
            wire = peer.encode("D", order(1))
            await peer.write(wire[: len(wire) // 2])
            peer.reset()
            await client.until(lambda: bool(client.of(Disconnected)))
            assert [type(e) for e in client.events] == [LoggedOn, Disconnected]
            assert client.of(Disconnected)[0].reason.startswith("connection lost")
            assert not conn.connected
            assert not conn.session.logged_on
            with pytest.raises(SessionError, match="not connected"):
                conn.send("D", order(2))
        assert errors == []

    run(main)


def test_an_acceptor_survives_a_reset_mid_message() -> None:
    async def main() -> None:
        errors = no_loop_errors()
        async with accepting(call_back=True) as (acceptor, server):
            sock = await asyncio.wait_for(open_raw(acceptor.port), timeout=5)
            peer = SocketPeer(sock, "CLIENT", "SERVER")
            await peer.write(peer.encode("A", [(98, 0), (108, 30), (1137, "9")]))
            await peer.expect("A")
            wire = peer.encode("D", order(1))
            await peer.write(wire[:-7])
            peer.reset()
            await server.until(lambda: bool(server.of(Disconnected)))
            assert server.received() == []
            assert not the_session(acceptor).connected
            await served_again(acceptor, server)
        assert errors == []

    run(main)


async def open_raw(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, (HOST, port))
    except BaseException:
        sock.close()
        raise
    return sock


def test_eof_mid_frame_closes_both_ways_and_delivers_nothing_of_the_frame() -> None:
    async def main() -> None:
        errors = no_loop_errors()
        async with logged_on_to_peer() as (conn, client, peer):
            whole = peer.encode("D", order(1))
            half = peer.encode("D", order(2))
            await peer.write(whole + half[: len(half) // 2])
            peer.sock.shutdown(socket.SHUT_WR)  # EOF, while the peer still reads.
            await client.until(lambda: bool(client.of(Disconnected)))
            assert [m[11] for m in client.received()] == ["order-1"]
            assert [type(e) for e in client.events] == [LoggedOn, Received, Disconnected]
            # fixwire closed its end in turn: the peer reads EOF (after anything sent).
            async with asyncio.timeout(5):
                while await peer.read() is not None:
                    pass
            assert not conn.connected
        assert errors == []

    run(main)


def test_the_transport_is_fixwires_only_for_plain_tcp_on_a_selector_loop() -> None:
    ours = socket_transport.enabled  # False where the test runs on asyncio's transports.

    async def main() -> None:
        async with accepting() as (acceptor, _), initiator(acceptor.port) as (conn, _):
            await conn.logged_on(timeout=5)
            for end in (conn, the_session(acceptor)):
                assert isinstance(transport_of(end), SocketTransport) is ours

    run(main)
    loop = asyncio.new_event_loop()
    try:
        assert socket_transport.usable(loop, None) is ours
        assert not socket_transport.usable(loop, ssl.create_default_context())
    finally:
        loop.close()
    other = uvloop.new_event_loop()
    try:
        assert not socket_transport.usable(other, None)
    finally:
        other.close()


def test_an_initiator_that_cannot_connect_says_so() -> None:
    async def main() -> None:
        with socket.socket() as placeholder:
            placeholder.bind((HOST, 0))
            port = placeholder.getsockname()[1]
        # Nothing listens there.
        with pytest.raises(ConnectionRefusedError):
            await connect(CLIENT, HOST, port)

    run(main)


def ipv6_loopback() -> bool:
    """Whether ::1 can be bound here."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_a_session_over_ipv6_loopback() -> None:
    async def main() -> None:
        async with accepting(host="::1") as (acceptor, _):
            conn = await connect(CLIENT, "::1", acceptor.port)
            async with conn:
                await conn.logged_on(timeout=5)
                assert transport_of(conn).get_extra_info("peername")[0] == "::1"

    run(main)


def test_an_initiator_finds_the_acceptor_by_name() -> None:
    async def main() -> None:
        async with accepting() as (acceptor, server):
            conn = await connect(CLIENT, "localhost", acceptor.port)
            async with conn:
                await conn.logged_on(timeout=5)
                await server.until(lambda: bool(server.of(LoggedOn)))

    run(main)


class RefusesToStart(asyncio.Protocol):
    """A protocol whose ``connection_made`` fails after it kept the transport."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        raise RuntimeError("cannot start")


def connected_pair(server: socket.socket) -> tuple[socket.socket, socket.socket]:
    """Both ends of a new loopback TCP connection to ``server``, blocking: the near end's
    socket made first.
    """
    near = socket.create_connection(server.getsockname()[:2], timeout=5)
    far, _ = server.accept()
    far.settimeout(5)
    return near, far


def test_a_transport_that_failed_to_start_writes_nowhere_when_its_socket_number_is_reused() -> None:
    async def main() -> None:
        server = socket.create_server((HOST, 0))
        near, far = connected_pair(server)
        number = near.fileno()
        protocol = RefusesToStart()
        with pytest.raises(RuntimeError, match="cannot start"):
            SocketTransport(asyncio.get_running_loop(), near, protocol)
        assert far.recv(10) == b""  # The transport closed its socket.
        far.close()
        # A new socket takes the lowest free number: the one the failed transport had.
        reused, other_end = connected_pair(server)
        server.close()
        try:
            assert reused.fileno() == number
            assert protocol.transport is not None
            assert protocol.transport.is_closing()
            protocol.transport.write(b"8=FIXT.1.1\x01stale\x01")
            protocol.transport.close()
            reused.sendall(b"still ours")
            assert other_end.recv(100) == b"still ours"  # Nothing of the stale write came first.
            other_end.setblocking(False)
            with pytest.raises(BlockingIOError):
                other_end.recv(100)
        finally:
            reused.close()
            other_end.close()

    run(main)


def test_the_socket_handed_out_can_be_tuned_but_not_closed_behind_the_transport() -> None:
    async def main() -> None:
        async with logged_on_to_peer() as (conn, _, _):
            sock = transport_of(conn).get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
            assert not hasattr(sock, "close")  # As asyncio's own transports hand it out.

    run(main)
