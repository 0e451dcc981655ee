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
import contextlib
import logging
import socket
from dataclasses import replace

import pytest

from fixwire import Encoder, Message, SessionError
from fixwire.session import (
    Connection,
    Disconnected,
    Event,
    Garbled,
    LoggedOn,
    LoggedOut,
    LogonRefused,
    Received,
    Reconnect,
    Role,
    SessionConfig,
    connect,
    serve,
)
from fixwire.session import connection as connection_module
from transport_cases import (
    CLIENT,
    HOST,
    SERVER,
    RawPeer,
    accepting,
    echo,
    either_transport,  # noqa: F401 (an autouse fixture: each test runs on both transports)
    initiator,
    order,
    raw_acceptor,
    raw_initiator,
    run,
    served_again,
    the_session,
    transport_of,
)

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
            await served_again(acceptor, server)

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


def test_an_exception_in_on_event_loses_nothing(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    def fragile(event: Event) -> None:
        if isinstance(event, Received):
            seen.append(event.message[11])
            if event.message[11] == "first":
                raise RuntimeError("application bug")

    async def main() -> None:
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

    with caplog.at_level(logging.ERROR, logger="fixwire.session"):
        run(main)
    reported = [r for r in caplog.records if r.name == "fixwire.session"]
    assert [r.levelno for r in reported] == [logging.ERROR]
    assert "on_event raised for application message MsgType 8" in reported[0].getMessage()


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
