"""fixwire.session over asyncio: loopback TCP and TLS, reconnects, backpressure and faults.

Both ends are fixwire (``connect`` and ``serve``), or one end is a raw peer written by hand
with an :class:`~fixwire.Encoder` and a :class:`~fixwire.Framer`, which can misbehave in ways a
session never would: fall silent, send garbage, hang up mid-message, stop reading.

pytest-asyncio is not used: each test runs ``asyncio.run`` on a coroutine bounded by
``asyncio.timeout``, so a hung test fails instead of blocking the suite. Timers run on real
time here, so the sessions that need them use HeartBtInt <108> = 1 s.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import ipaddress
import random
import socket
import ssl
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fixwire import Encoder, Framer, Message, SessionError
from fixwire.session import (
    Acceptor,
    Connection,
    Disconnected,
    Event,
    FieldValue,
    Garbled,
    JournalStore,
    LoggedOn,
    LoggedOut,
    LogonRefused,
    MemoryStore,
    Received,
    Reconnect,
    Role,
    SessionConfig,
    State,
    connect,
    serve,
)
from fixwire.session import connection as connection_module

HOST = "127.0.0.1"
CLIENT = SessionConfig(sender_comp_id="CLIENT", target_comp_id="SERVER")
SERVER = SessionConfig(sender_comp_id="SERVER", target_comp_id="CLIENT", role=Role.ACCEPTOR)

_E = TypeVar("_E")


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
    **options: Any,
) -> AsyncIterator[tuple[Acceptor, Inbox]]:
    """A fixwire acceptor on loopback; its sessions' events all go to one inbox."""
    inbox = Inbox()

    async def handler(conn: Connection) -> None:
        async for event in conn:
            inbox(event)
            if answer is not None:
                try:
                    answer(conn, event)
                except Exception as e:
                    inbox.errors.append(e)

    acceptor = await serve(configs or [SERVER], handler, HOST, port, **options)
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


# Both ends fixwire.


def test_logon_messages_both_ways_and_logout() -> None:
    async def main() -> None:
        async with (
            accepting(answer=echo) as (acceptor, server),
            initiator(acceptor.port) as (conn, client),
        ):
            await conn.logged_on(timeout=5)
            assert [conn.send("D", order(n)) for n in range(1, 11)] == list(range(2, 12))
            await client.until(lambda: len(client.received("8")) == 10)
            assert [m[11] for m in client.received("8")] == [f"order-{n}" for n in range(1, 11)]
            assert [m.seq_num for m in server.received()] == list(range(2, 12))
            assert client.of(LoggedOn) == [LoggedOn(30, reset=False)]
            assert server.of(LoggedOn) == [LoggedOn(30, reset=False)]
            # Both ends turn Nagle off: a FIX order must not wait for an ACK to leave.
            for transport in (transport_of(conn), transport_of(the_session(acceptor))):
                sock = transport.get_extra_info("socket")
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0

            await conn.logout("done for the day", timeout=5)
            await server.until(lambda: bool(server.of(LoggedOut)))
            assert client.of(LoggedOut) == [LoggedOut(None, by_peer=False)]
            assert server.of(LoggedOut) == [LoggedOut("done for the day", by_peer=True)]
            assert not conn.connected
            session = the_session(acceptor).session
            assert session.store.next_target_seq == conn.session.store.next_sender_seq == 13
            assert conn.session.store.next_target_seq == session.store.next_sender_seq == 13

    run(main)


def test_iterating_a_connection_ends_when_it_closes() -> None:
    async def main() -> None:
        async with accepting() as (acceptor, _):
            conn = await connect(CLIENT, HOST, acceptor.port)
            seen: list[Event] = []
            async for event in conn:
                seen.append(event)
                if isinstance(event, LoggedOn):
                    conn.send("D", order(1))
                    await conn.logout(timeout=5)
            await conn.close()
            assert [type(e) for e in seen] == [LoggedOn, LoggedOut, Disconnected]

    run(main)


# TLS.


@dataclass(frozen=True)
class Certificate:
    cert_pem: str
    sha256: str
    server: ssl.SSLContext

    def client(self) -> ssl.SSLContext:
        """A client context that verifies the server against this certificate only."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cadata=self.cert_pem)
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname
        return context


def make_certificate(directory: Path, label: str = "fixwire test") -> Certificate:
    """A self-signed certificate for localhost and 127.0.0.1, and a server context with it.

    ``label`` is the certificate's subject; certificates trusted together need different ones.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, label)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    stem = label.replace(" ", "-")
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    return Certificate(
        cert_path.read_text(),
        cert.fingerprint(hashes.SHA256()).hex(),
        server,
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def test_tls_session(certificate: Certificate) -> None:
    async def main() -> None:
        async with (
            accepting(answer=echo, ssl=certificate.server) as (acceptor, server),
            initiator(acceptor.port, ssl=certificate.client(), server_hostname="localhost") as (
                conn,
                client,
            ),
        ):
            await conn.logged_on(timeout=5)
            ssl_object = transport_of(conn).get_extra_info("ssl_object")
            assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
            for n in range(1, 4):
                conn.send("D", order(n))
            await client.until(lambda: len(client.received("8")) == 3)
            assert [m.seq_num for m in server.received()] == [2, 3, 4]
            await conn.logout(timeout=5)
            assert client.of(LoggedOut) == [LoggedOut(None, by_peer=False)]

    run(main)


def test_tls_with_an_untrusted_certificate_fails(certificate: Certificate, tmp_path: Path) -> None:
    stranger = make_certificate(tmp_path, "stranger")

    async def main() -> None:
        async with accepting(ssl=certificate.server) as (acceptor, _):
            with pytest.raises(ssl.SSLCertVerificationError):
                await connect(
                    CLIENT, HOST, acceptor.port, ssl=stranger.client(), server_hostname="localhost"
                )
            with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
                await connect(
                    CLIENT,
                    HOST,
                    acceptor.port,
                    ssl=certificate.client(),
                    server_hostname="fix.example.com",
                )
            assert acceptor.connections == {}

    run(main)


def test_tls_below_1_2_is_refused(certificate: Certificate) -> None:
    # Asking for TLS 1.1 is deprecated in Python too; that is not what this test is about.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old_client = certificate.client()
        old_client.minimum_version = ssl.TLSVersion.TLSv1_1
        old_server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        old_server.minimum_version = ssl.TLSVersion.TLSv1

    async def main() -> None:
        with pytest.raises(ValueError, match=r"below 1\.2"):
            await connect(CLIENT, HOST, 1, ssl=old_client)
        with pytest.raises(ValueError, match=r"below 1\.2"):
            await serve([SERVER], lambda _: asyncio.sleep(0), HOST, 0, ssl=old_server)

    run(main)


def test_certificate_pinning(certificate: Certificate) -> None:
    wrong = "00" * 32

    async def main() -> None:
        async with accepting(ssl=certificate.server) as (acceptor, server):
            with pytest.raises(SessionError, match="does not match the pinned"):
                await connect(
                    CLIENT,
                    HOST,
                    acceptor.port,
                    ssl=certificate.client(),
                    server_hostname="localhost",
                    pin_sha256=wrong,
                    reconnect=Reconnect(initial_delay=0.01),
                )
            # Without TLS there is no certificate, so nothing can match a pin.
            with pytest.raises(SessionError, match="does not match the pinned"):
                await connect(CLIENT, HOST, acceptor.port, pin_sha256=certificate.sha256)
            # The acceptor saw connections but never a Logon <A>.
            assert acceptor.connections == {}
            assert server.events == []

            # The right pin, written as colon-separated upper-case hex, as tools print it.
            pin = ":".join(
                certificate.sha256[i : i + 2].upper() for i in range(0, len(certificate.sha256), 2)
            )
            async with initiator(
                acceptor.port,
                ssl=certificate.client(),
                server_hostname="localhost",
                pin_sha256=pin,
            ) as (conn, _):
                await conn.logged_on(timeout=5)
                # This Logon was the first the acceptor ever read.
                assert server.events == [LoggedOn(30, reset=False)]
                assert the_session(acceptor).session.store.next_target_seq == 2

        with pytest.raises(ValueError, match="64 hex digits"):
            await connect(CLIENT, HOST, 1, pin_sha256="abc")

    run(main)


def test_a_changed_certificate_on_reconnect_ends_the_connection(tmp_path: Path) -> None:
    pinned, other = make_certificate(tmp_path, "pinned"), make_certificate(tmp_path, "other")
    # The client trusts both, so only the pin tells them apart.
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cadata=pinned.cert_pem + other.cert_pem)

    async def main() -> None:
        async with accepting(ssl=pinned.server) as (acceptor, _):
            port = acceptor.port
            conn = await connect(
                CLIENT,
                HOST,
                port,
                ssl=client,
                server_hostname="localhost",
                pin_sha256=pinned.sha256,
                reconnect=Reconnect(initial_delay=0.05, max_delay=0.1),
            )
            await conn.logged_on(timeout=5)
        async with accepting(port=port, ssl=other.server) as (acceptor, server):
            # The iteration ends: no reconnect follows a certificate that does not match.
            events = [event async for event in conn]
            await conn.close()
            assert [type(e) for e in events[:3]] == [LoggedOn, LoggedOut, Disconnected]
            # Attempts made before the new acceptor listened were refused; then the pin.
            reasons = [e.reason for e in events[3:] if isinstance(e, Disconnected)]
            assert len(reasons) == len(events) - 3
            assert all("attempt" in reason for reason in reasons[:-1])
            assert "does not match the pinned" in reasons[-1]
            assert acceptor.connections == {}
            assert server.events == []

    run(main)


# Reconnects.


def test_reconnect_after_the_acceptor_drops_the_connection() -> None:
    backoff = Reconnect(initial_delay=0.2, max_delay=0.4, jitter=0.1)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with (
            accepting() as (acceptor, server),
            initiator(acceptor.port, reconnect=backoff) as (conn, client),
        ):
            await conn.logged_on(timeout=5)
            for n in range(1, 4):
                conn.send("D", order(n))
            await server.until(lambda: len(server.received()) == 3)

            dropped_at = loop.time()
            transport_of(the_session(acceptor)).abort()
            await client.until(lambda: len(client.of(LoggedOn)) == 2)
            waited = loop.time() - dropped_at
            assert waited >= backoff.initial_delay * (1 - backoff.jitter)
            assert len(client.of(Disconnected)) == 1

            for n in range(4, 7):
                conn.send("D", order(n))
            await server.until(lambda: len(server.received()) == 6)
            # The second Logon took 5: the numbers went on from the first connection.
            assert [m.seq_num for m in server.received()] == [2, 3, 4, 6, 7, 8]
            assert [m[11] for m in server.received()] == [f"order-{n}" for n in range(1, 7)]
            assert client.of(LoggedOn) == [LoggedOn(30, reset=False)] * 2
            assert server.of(LoggedOn) == [LoggedOn(30, reset=False)] * 2
            assert conn.session.store.next_sender_seq == 9

    run(main)


def test_reconnect_to_a_restarted_acceptor_with_a_journal(tmp_path: Path) -> None:
    backoff = Reconnect(initial_delay=0.05, max_delay=0.1, jitter=0.2)
    journal = tmp_path / "acceptor.journal"

    def journal_store(config: SessionConfig) -> JournalStore:
        return JournalStore(journal)

    async def main() -> None:
        async with contextlib.AsyncExitStack() as stack:
            async with accepting(store_factory=journal_store) as (acceptor, server):
                port = acceptor.port
                conn, client = await stack.enter_async_context(initiator(port, reconnect=backoff))
                await conn.logged_on(timeout=5)
                for n in range(1, 4):
                    conn.send("D", order(n))
                await server.until(lambda: len(server.received()) == 3)
            # The acceptor logged the session out on its way down; the client keeps trying.
            await client.until(
                lambda: any("attempt 2 failed" in e.reason for e in client.of(Disconnected))
            )
            # A new acceptor process, as it were: same port, same journal.
            async with accepting(port=port, store_factory=journal_store) as (acceptor, server):
                await client.until(lambda: len(client.of(LoggedOn)) == 2)
                conn.send("D", order(4))
                await server.until(lambda: len(server.received()) == 1)
                assert client.of(LoggedOut) == [LoggedOut(None, by_peer=True)]
                assert client.of(LoggedOn)[1] == LoggedOn(30, reset=False)
                # Logon 1, orders 2-4, Logout 5, Logon 6, the new order 7.
                assert [m.seq_num for m in server.received()] == [7]
                session = the_session(acceptor).session
                assert session.store.next_target_seq == conn.session.store.next_sender_seq == 8
                await conn.close()

    run(main)


def test_reconnect_with_gaps_on_both_sides() -> None:
    """Both ends lost messages: each asks for a resend at Logon, and both gaps close at once.

    The client's answer to the acceptor's ResendRequest <2> ends with one gap fill over its
    Logon <A> and its own ResendRequest; the acceptor has passed over the Logon's number by
    then, and must still take the rest of that gap fill instead of waiting for a resend.
    """
    client_store = MemoryStore()

    async def main() -> None:
        async with accepting(answer=echo) as (acceptor, server):
            async with initiator(acceptor.port, store=client_store) as (conn, client):
                await conn.logged_on(timeout=5)
                conn.send("D", order(1))
                await client.until(lambda: len(client.received("8")) == 1)
                await conn.logout(timeout=5)
            # Apart, as if the last connection had died with messages in flight both ways:
            # the client stored orders 2-4 that never left, the acceptor sent 3 that never came.
            encoder = Encoder("CLIENT", "SERVER")
            for n in (2, 3, 4):
                seq = client_store.next_sender_seq
                client_store.save(seq, encoder.encode("D", order(n), seq_num=seq))
            server_store = the_session(acceptor).session.store
            server_store.set_next_sender_seq(server_store.next_sender_seq + 3)

            async with initiator(acceptor.port, store=client_store) as (conn, client):
                await conn.logged_on(timeout=5)
                conn.send("D", order(5))
                await client.until(lambda: any(m[11] == "order-5" for m in client.received("8")))
                assert [m[11] for m in server.received()] == [f"order-{n}" for n in range(1, 6)]
                assert [m.get_bool(43, False) for m in server.received()] == [False] + [
                    True
                ] * 3 + [False]
                session = the_session(acceptor).session
                assert session.state is State.IN_SESSION
                assert conn.session.state is State.IN_SESSION
                assert session.store.next_target_seq == client_store.next_sender_seq
                assert client_store.next_target_seq == session.store.next_sender_seq

    run(main)


def test_reconnect_delay_backs_off_with_bounded_jitter() -> None:
    backoff = Reconnect(initial_delay=0.5, max_delay=30.0, jitter=0.2)
    rng = random.Random(20240101)
    for attempt in range(1, 40):
        base = min(30.0, 0.5 * 2 ** (attempt - 1))
        for _ in range(50):
            delay = backoff.delay(attempt, rng)
            assert base * 0.8 <= delay <= base * 1.2, (attempt, delay)
    # Seeded, the waits repeat; the jitter spreads them over the whole band.
    first = [backoff.delay(3, random.Random(7)) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    spread = [backoff.delay(3, rng) for _ in range(1000)]
    assert min(spread) < 2.0 * 0.85
    assert max(spread) > 2.0 * 1.15
    # Without jitter the waits double exactly up to the cap; huge attempt numbers are fine.
    exact = Reconnect(initial_delay=0.1, max_delay=1.0, jitter=0.0)
    assert [exact.delay(a) for a in range(1, 7)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert exact.delay(10**9) == 1.0
    invalid: list[dict[str, Any]] = [
        {"initial_delay": 0.0},
        {"initial_delay": 2.0, "max_delay": 1.0},
        {"jitter": 1.0},
        {"jitter": -0.1},
    ]
    for bad in invalid:
        with pytest.raises(ValueError, match=r"delay|jitter"):
            Reconnect(**bad)


def test_reconnect_gives_up_after_max_attempts() -> None:
    async def main() -> None:
        async with raw_acceptor() as (port, peers):
            conn = await connect(
                CLIENT,
                HOST,
                port,
                reconnect=Reconnect(initial_delay=0.01, max_delay=0.02, max_attempts=2),
            )
            peer = await peers.get()
            await peer.accept_logon()
            await conn.logged_on(timeout=5)
        # The acceptor is gone: the connection drops, and every attempt is refused.
        events = [event async for event in conn]
        await conn.close()
        assert [type(e) for e in events] == [LoggedOn] + [Disconnected] * 3
        reasons = [e.reason for e in events if isinstance(e, Disconnected)]
        assert "attempt 1 failed" in reasons[1]
        assert "attempt 2 failed" in reasons[2]

    run(main)


# Backpressure.


async def fill(conn: Connection, text: str, max_buffer: int, first: int = 1) -> int:
    """Sends orders until the outbound queue is full; returns how many were accepted."""
    n = first
    while transport_of(conn).get_write_buffer_size() <= max_buffer:
        conn.send("D", order(n, text))
        n += 1
        if n % 100 == 0:
            await asyncio.sleep(0)  # let the loop write what the kernel takes
    with pytest.raises(SessionError, match="outbound queue full"):
        conn.send("D", order(n, text))
    return n - first


async def logout_from(conn: Connection, peer: RawPeer) -> None:
    """Closes ``conn``, the raw peer answering its Logout <5>."""
    closing = asyncio.create_task(conn.close())
    await peer.expect("5")
    peer.send("5")
    await asyncio.wait_for(closing, timeout=5)


def test_backpressure_when_the_peer_does_not_read() -> None:
    max_buffer = 64 * 1024
    text = "x" * 1000

    async def main() -> None:
        async with (
            raw_acceptor() as (port, peers),
            initiator(port, max_buffer=max_buffer) as (conn, _),
        ):
            peer = await peers.get()
            await peer.accept_logon()
            await conn.logged_on(timeout=5)
            # The peer now reads nothing: the kernel's buffers fill, then the transport's.
            peer.reading(False)
            accepted = await fill(conn, text, max_buffer)
            assert transport_of(conn).get_write_buffer_size() > max_buffer
            # Until the kernel's buffers are full it may take a little more; then drain() waits.
            for _attempt in range(50):
                drain = asyncio.create_task(conn.drain())
                done, _ = await asyncio.wait({drain}, timeout=0.2)
                if not done:
                    break
                accepted += await fill(conn, text, max_buffer, first=accepted + 1)
            else:
                pytest.fail("drain() never waited while the peer was not reading")

            # The peer reads again: drain() returns, and nothing send() accepted was lost.
            peer.reading(True)
            orders: list[Message] = []
            while len(orders) < accepted:
                orders.append(await peer.expect("D"))
            await asyncio.wait_for(drain, timeout=5)
            assert [m.seq_num for m in orders] == list(range(2, accepted + 2))
            conn.send("D", order(accepted + 1))
            await logout_from(conn, peer)

    run(main)


# Faults.


def test_silent_peer_gets_a_test_request_then_is_dropped() -> None:
    config = SessionConfig(sender_comp_id="CLIENT", target_comp_id="SERVER", heartbeat_interval=1)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with (
            raw_acceptor() as (port, peers),
            initiator(port, config) as (conn, client),
        ):
            peer = await peers.get()
            await peer.accept_logon(heartbeat=1)
            await conn.logged_on(timeout=5)
            logged_on_at = loop.time()
            # The peer reads, and says nothing.
            seen: list[Message] = []
            while (msg := await peer.read()) is not None:
                seen.append(msg)
            await client.until(lambda: bool(client.of(Disconnected)))
            silent_for = loop.time() - logged_on_at
            # TestRequest after 1.2 s of silence, disconnect 1.2 s after that.
            assert 2 * 1 * 1.2 - 0.1 <= silent_for <= 2 * 1 * 1.2 + 0.5
            types = [m.msg_type for m in seen]
            assert "1" in types
            assert seen[types.index("1")][112] == "TEST-1"
            assert types.count("0") >= 1  # heartbeats went out while we waited
            assert "peer silent" in client.of(Disconnected)[0].reason
            assert not conn.connected

    run(main)


def test_garbage_after_logon_is_reported_and_ignored() -> None:
    async def main() -> None:
        async with (
            raw_acceptor() as (port, peers),
            initiator(port) as (conn, client),
        ):
            peer = await peers.get()
            await peer.accept_logon()
            await conn.logged_on(timeout=5)
            bad_checksum = peer.encoder.encode("D", order(99), seq_num=2)
            bad_checksum = bad_checksum[:-4] + (b"000" if bad_checksum[-4:-1] != b"000" else b"001")
            peer.writer.write(b"this is not FIX\x01at all\x01" + bad_checksum + b"\x00\xff junk")
            peer.send("D", order(1))  # MsgSeqNum 2: the garbage took no number
            await client.until(lambda: len(client.received()) == 1)
            assert len(client.of(Garbled)) >= 2
            assert conn.session.garbled == len(client.of(Garbled))
            assert client.received()[0][11] == "order-1"
            assert conn.session.logged_on
            conn.send("D", order(2))
            assert (await peer.expect("D"))[11] == "order-2"
            assert not client.of(Disconnected)
            await logout_from(conn, peer)

    run(main)


def test_connection_cut_mid_message() -> None:
    async def main() -> None:
        async with raw_acceptor() as (port, peers):
            conn = await connect(CLIENT, HOST, port)
            peer = await peers.get()
            await peer.accept_logon()
            wire = peer.encode("D", order(1))
            peer.writer.write(wire[: len(wire) // 2])
            await peer.close()
            events = [event async for event in conn]
            assert [type(e) for e in events] == [LoggedOn, Disconnected]
            assert not conn.connected
            assert not conn.session.logged_on
            await conn.close()

    run(main)


def test_acceptor_survives_connections_cut_mid_message() -> None:
    async def main() -> None:
        async with accepting() as (acceptor, server):
            async with raw_initiator(acceptor.port) as raw:
                logon = raw.encode("A", [(98, 0), (108, 30), (1137, "9")])
                raw.writer.write(logon[:20])  # half a Logon: no session yet
            async with raw_initiator(acceptor.port) as raw:
                raw.writer.write(logon)
                await raw.expect("A")
                wire = raw.encode("D", order(1))
                raw.writer.write(wire[:-10])
            await server.until(lambda: bool(server.of(Disconnected)))
            assert [type(e) for e in server.events] == [LoggedOn, Disconnected]
            # The acceptor still serves the session (the new client starts over with a reset).
            reset = SessionConfig(
                sender_comp_id="CLIENT", target_comp_id="SERVER", reset_on_logon=True
            )
            async with initiator(acceptor.port, reset) as (conn, _):
                await conn.logged_on(timeout=5)
                conn.send("D", order(2))
                await server.until(lambda: len(server.received()) == 1)
                assert server.received()[0][11] == "order-2"

    run(main)


def test_1b_second_connection_for_a_session_is_dropped_silently() -> None:
    """FIX test case 1b: a second connection for a logged-on session is closed without a
    message; the first does not notice.
    """

    async def main() -> None:
        async with (
            accepting() as (acceptor, server),
            initiator(acceptor.port) as (first, _),
        ):
            await first.logged_on(timeout=5)
            async with initiator(acceptor.port) as (second, refused):
                with pytest.raises(SessionError, match="closed before logon"):
                    await second.logged_on(timeout=5)
                assert refused.of(LogonRefused) == []
            async with raw_initiator(acceptor.port) as raw:
                raw.send("A", [(98, 0), (108, 30), (1137, "9")])
                assert await raw.read() is None  # closed without a word
            assert "session FIXT.1.1 SERVER CLIENT already connected: closed" in acceptor.refused
            # The first connection did not notice.
            assert first.session.logged_on
            first.send("D", order(1))
            await server.until(lambda: len(server.received()) == 1)
            assert [type(e) for e in server.events] == [LoggedOn, Received]

    run(main)


def test_second_connection_gets_a_logout_with_a_venues_text() -> None:
    """With ``duplicate_text`` set (a venue that says why), the second connection gets one
    Logout <5> carrying it, then the connection closes.
    """

    async def main() -> None:
        async with (
            accepting() as (acceptor, _),
            initiator(acceptor.port) as (first, _),
        ):
            acceptor.duplicate_text = "already exists"
            await first.logged_on(timeout=5)
            async with initiator(acceptor.port) as (second, refused):
                with pytest.raises(SessionError, match="closed before logon"):
                    await second.logged_on(timeout=5)
                assert refused.of(LogonRefused) == [LogonRefused("already exists")]
            assert first.session.logged_on

    run(main)


def test_lookup_by_comp_ids_is_held_to_the_begin_string() -> None:
    """With a lookup by CompIDs alone, a Logon under another BeginString than the session's is
    not that session: the connection is closed without a word (as QuickFIX does).
    """
    handed: list[Connection] = []

    async def handler(conn: Connection) -> None:
        handed.append(conn)

    async def main() -> None:
        async with await serve(lambda ours, theirs: SERVER, handler, HOST, 0) as acceptor:
            async with raw_initiator(acceptor.port) as raw:
                raw.writer.write(
                    Encoder("CLIENT", "SERVER", begin_string="FIX.4.2").encode(
                        "A", [(98, 0), (108, 30)], seq_num=1
                    )
                )
                assert await raw.read() is None
            assert acceptor.connections == {}
            assert handed == []
            assert "no session FIX.4.2 SERVER->CLIENT: closed" in acceptor.refused

    run(main)


def test_sessions_are_told_apart_by_begin_string() -> None:
    """The same CompIDs on two BeginStrings are two sessions, each with its own numbers."""
    fix44 = replace(SERVER, begin_string="FIX.4.4")

    async def main() -> None:
        async with accepting(SERVER, fix44) as (acceptor, server):
            client44 = replace(CLIENT, begin_string="FIX.4.4")
            async with (
                initiator(acceptor.port) as (fixt, _),
                initiator(acceptor.port, client44) as (fix4, _),
            ):
                await fixt.logged_on(timeout=5)
                await fix4.logged_on(timeout=5)
                fixt.send("D", order(1))
                fix4.send("D", order(2))
                fix4.send("D", order(3))
                await server.until(lambda: len(server.received()) == 3)
            assert set(acceptor.connections) == {
                ("FIXT.1.1", "SERVER", "CLIENT"),
                ("FIX.4.4", "SERVER", "CLIENT"),
            }
            by_version = {
                key[0]: conn.session.store.next_target_seq
                for key, conn in acceptor.connections.items()
            }
            # Each: Logon, its orders, Logout.
            assert by_version == {"FIXT.1.1": 4, "FIX.4.4": 5}
            # A BeginString no session speaks is closed without a word.
            async with raw_initiator(acceptor.port) as raw:
                raw.writer.write(
                    Encoder("CLIENT", "SERVER", begin_string="FIX.4.2").encode(
                        "A", [(98, 0), (108, 30)], seq_num=1
                    )
                )
                assert await raw.read() is None

    run(main)


def test_unknown_comp_ids_are_disconnected() -> None:
    async def main() -> None:
        async with accepting() as (acceptor, server):
            async with raw_initiator(acceptor.port, sender="STRANGER") as raw:
                raw.send("A", [(98, 0), (108, 30), (1137, "9")])
                assert await raw.read() is None  # closed without a word
            stranger = SessionConfig(sender_comp_id="CLIENT", target_comp_id="ELSEWHERE")
            async with initiator(acceptor.port, stranger) as (conn, client):
                with pytest.raises(SessionError, match="closed before logon"):
                    await conn.logged_on(timeout=5)
                assert [type(e) for e in client.events] == [Disconnected]
            assert acceptor.connections == {}
            assert server.events == []

    run(main)


def test_close_after_a_burst_delivers_everything_before_the_logout() -> None:
    burst = 2000

    async def main() -> None:
        async with accepting() as (acceptor, server):
            async with initiator(acceptor.port) as (conn, client):
                await conn.logged_on(timeout=5)
                for n in range(1, burst + 1):
                    conn.send("D", order(n))
                await conn.close()
                assert client.of(LoggedOut) == [LoggedOut(None, by_peer=False)]
            await server.until(lambda: bool(server.of(LoggedOut)))
            assert [type(e) for e in server.events] == [LoggedOn] + [Received] * burst + [
                LoggedOut,
                Disconnected,
            ]
            assert [m[11] for m in server.received()] == [f"order-{n}" for n in range(1, burst + 1)]
            session = the_session(acceptor).session
            assert session.store.next_target_seq == conn.session.store.next_sender_seq

    run(main)


def test_an_application_that_falls_behind_pauses_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection_module, "MAX_QUEUED_EVENTS", 20)

    async def main() -> None:
        async with accepting() as (acceptor, _):
            conn = await connect(CLIENT, HOST, acceptor.port)
            async with conn:
                await conn.logged_on(timeout=5)
                server = the_session(acceptor)
                for n in range(1, 101):
                    server.send("8", [(11, f"order-{n}"), (150, "0")])
                # Nobody iterates the client: it stops reading once 20 events wait.
                async with asyncio.timeout(5):
                    while transport_of(conn).is_reading():
                        await asyncio.sleep(0.01)
                received: list[str] = []
                async with asyncio.timeout(5):
                    async for event in conn:
                        if isinstance(event, Received):
                            received.append(event.message[11])
                            if len(received) == 100:
                                break
                assert received == [f"order-{n}" for n in range(1, 101)]
                assert transport_of(conn).is_reading()

    run(main)


def test_reconnect_also_retries_a_failed_first_attempt() -> None:
    async def main() -> None:
        with socket.socket() as placeholder:
            placeholder.bind((HOST, 0))
            port = placeholder.getsockname()[1]
        # Nothing listens on the port yet: the first attempt fails, and is retried.
        conn = await connect(
            CLIENT, HOST, port, reconnect=Reconnect(initial_delay=0.05, max_delay=0.1)
        )
        async with conn:
            assert not conn.connected
            async with accepting(port=port) as (_, server):
                await conn.logged_on(timeout=5)
                await server.until(lambda: bool(server.of(LoggedOn)))

    run(main)


def test_refused_logons_leave_nothing_behind_and_tell_the_initiator_why() -> None:
    refusing = SessionConfig(
        sender_comp_id="SERVER",
        target_comp_id="CLIENT",
        role=Role.ACCEPTOR,
        accept_logon=lambda _: "bad signature",
    )

    async def main() -> None:
        async with accepting(refusing) as (acceptor, _):
            for _ in range(3):
                conn = await connect(CLIENT, HOST, acceptor.port)
                async with conn:
                    with pytest.raises(SessionError, match="bad signature"):
                        await conn.logged_on(timeout=5)
            async with asyncio.timeout(5):
                while acceptor.connections:
                    await asyncio.sleep(0.01)

    run(main)


def test_an_exception_in_on_event_loses_nothing() -> None:
    seen: list[str] = []

    def fragile(event: Event) -> None:
        if isinstance(event, Received):
            seen.append(event.message[11])
            if event.message[11] == "first":
                raise RuntimeError("application bug")

    async def main() -> None:
        loop = asyncio.get_running_loop()
        reported: list[str] = []
        loop.set_exception_handler(lambda _, context: reported.append(context["message"]))
        async with accepting() as (acceptor, _):
            conn = await connect(CLIENT, HOST, acceptor.port, on_event=fragile)
            async with conn:
                await conn.logged_on(timeout=5)
                server = the_session(acceptor)
                server.send("8", [(11, "first"), (150, "0")])
                server.send("8", [(11, "second"), (150, "0")])
                async with asyncio.timeout(5):
                    while len(seen) < 2:
                        await asyncio.sleep(0.01)
                assert conn.connected
        assert seen == ["first", "second"]
        assert len(reported) == 1

    run(main)


def test_a_peer_that_stops_reading_is_cut_after_the_logout_timeout() -> None:
    async def main() -> None:
        async with accepting() as (acceptor, _), raw_initiator(acceptor.port) as peer:
            peer.send("A", [(98, 0), (108, 30), (1137, "9")])
            await peer.expect("A")
            peer.reading(False)
            conn = the_session(acceptor)
            async with asyncio.timeout(5):
                while transport_of(conn).get_write_buffer_size() == 0:
                    with contextlib.suppress(SessionError):
                        for n in range(200):
                            conn.send("8", [(11, f"filler-{n}" + "x" * 400), (150, "0")])
                    await asyncio.sleep(0.01)
            started = asyncio.get_running_loop().time()
            await conn.logout(timeout=10)
            # Logout unanswered (2 s), then the flush the peer never reads is cut (2 s more).
            assert asyncio.get_running_loop().time() - started < 6
            assert not conn.connected

    run(main, timeout=20)
