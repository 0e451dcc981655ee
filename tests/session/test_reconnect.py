"""The initiator's reconnect loop over loopback: after a dropped connection, to a restarted
acceptor with a journal, with gaps on both sides, its backoff and jitter, and giving up.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from pathlib import Path
from typing import Any

import pytest

from fixwire import Encoder
from fixwire.session import (
    Disconnected,
    JournalStore,
    LoggedOn,
    LoggedOut,
    MemoryStore,
    Reconnect,
    SessionConfig,
    State,
    connect,
)
from transport_cases import (
    CLIENT,
    HOST,
    accepting,
    echo,
    either_transport,  # noqa: F401 (an autouse fixture: each test runs on both transports)
    initiator,
    order,
    raw_acceptor,
    run,
    the_session,
    transport_of,
)

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
