"""Events called back from the transport's reads (``Connection.set_on_event``), over loopback.

The callback path delivers what iteration would, in the same order, and the session's rules
hold under it: sequence numbers, the store's record of what was taken, a gap recovered by
ResendRequest <2>, and a callback that raises (logged on ``fixwire.session``, the session goes
on). The TLS case is in ``test_transport_tls.py``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from fixwire.session import (
    Connection,
    Event,
    JournalStore,
    LoggedOn,
    Received,
    SequenceGap,
    connect,
    serve,
)
from transport_cases import (
    CLIENT,
    HOST,
    SERVER,
    Inbox,
    accepting,
    echo,
    either_transport,  # noqa: F401 (an autouse fixture: each test runs on both transports)
    initiator,
    order,
    raw_initiator,
    run,
    the_session,
)


def journal(directory: Path) -> JournalStore:
    """The acceptor's journal, reopened: what a restart would find."""
    return JournalStore(directory / "server.journal")


def test_a_burst_is_called_back_in_order_and_answered_in_order(tmp_path: Path) -> None:
    async def main() -> None:
        async with (
            accepting(answer=echo, call_back=True, store_factory=lambda _: journal(tmp_path)) as (
                acceptor,
                server,
            ),
            initiator(acceptor.port) as (conn, client),
        ):
            await conn.logged_on(timeout=5)
            for n in range(1, 201):
                conn.send("D", order(n))
            await client.until(lambda: len(client.received("8")) == 200)
            assert [m.seq_num for m in server.received()] == list(range(2, 202))
            assert [m[11] for m in server.received()] == [f"order-{n}" for n in range(1, 201)]
            reports = client.received("8")
            assert [m[11] for m in reports] == [f"order-{n}" for n in range(1, 201)]
            assert [m.seq_num for m in reports] == list(range(2, 202))
            assert server.of(LoggedOn) == [LoggedOn(30, reset=False)]
        store = journal(tmp_path)
        try:
            # Every order was taken as its callback returned; the Logout came after them.
            assert store.next_target_seq == 203
            assert store.next_sender_seq == 203
        finally:
            store.close()

    run(main)


def test_events_queued_before_the_switch_come_first(tmp_path: Path) -> None:
    """A handler that has not iterated yet switches to a callback: the queued events are
    called back first, within the switch; then the later ones; ``None`` queues them again.
    """
    switch = asyncio.Event()
    seen: list[Event] = []
    iterated: list[Event] = []

    async def handler(conn: Connection) -> None:
        await switch.wait()
        conn.set_on_event(seen.append)
        assert [type(e) for e in seen] == [LoggedOn, Received, Received, Received]
        conn.set_on_event(None)
        async for event in conn:
            iterated.append(event)

    async def main() -> None:
        store_factory = lambda _: journal(tmp_path)  # noqa: E731
        async with await serve([SERVER], handler, HOST, 0, store_factory=store_factory) as a:
            conn = await connect(CLIENT, HOST, a.port, on_event=Inbox())
            async with conn:
                await conn.logged_on(timeout=5)
                for n in range(1, 4):
                    conn.send("D", order(n))
                server = the_session(a).session
                async with asyncio.timeout(5):
                    while server.store.next_target_seq < 5:
                        await asyncio.sleep(0.01)
                switch.set()
                await asyncio.sleep(0)
                async with asyncio.timeout(5):
                    while len(seen) < 4:
                        await asyncio.sleep(0.01)
                conn.send("D", order(4))
                async with asyncio.timeout(5):
                    while not iterated:
                        await asyncio.sleep(0.01)
        received = [e.message[11] for e in seen if isinstance(e, Received)]
        assert received == ["order-1", "order-2", "order-3"]
        first = iterated[0]
        assert isinstance(first, Received)
        assert first.message[11] == "order-4"

    run(main)


def test_a_gap_is_recovered_and_called_back_in_sequence() -> None:
    """A peer leaves MsgSeqNum 3 out: the callback sees 2, the gap, then 3 (a possible
    duplicate), 4 and 5, each once; the answers go out in that order, numbered in turn.
    """

    async def main() -> None:
        async with (
            accepting(answer=echo, call_back=True) as (acceptor, server),
            raw_initiator(acceptor.port) as peer,
        ):
            peer.send("A", [(98, 0), (108, 30), (1137, "9")])
            await peer.expect("A")
            wires = {n: peer.encode("D", order(n)) for n in (2, 3, 4, 5)}
            for n in (2, 4, 5):
                peer.writer.write(wires[n])
            request = await peer.expect("2")
            assert (request.get_int(7), request.get_int(16)) == (3, 0)
            for n in (3, 4, 5):
                peer.writer.write(peer.encoder.possible_duplicate(wires[n]))
            reports = [await peer.expect("8") for _ in range(4)]
            assert [m[11] for m in reports] == [f"order-{n}" for n in (2, 3, 4, 5)]
            numbers = [m.seq_num for m in reports]
            assert numbers == list(range(numbers[0], numbers[0] + 4))
            received = server.of(Received)
            assert [e.message.seq_num for e in received] == [2, 3, 4, 5]
            assert received[1].possible_duplicate
            gaps = server.of(SequenceGap)
            assert [(g.expected, g.received, g.recovering) for g in gaps] == [(3, 4, True)]
            kinds = [type(e) for e in server.events if isinstance(e, Received | SequenceGap)]
            assert kinds == [Received, SequenceGap, Received, Received, Received]
            assert the_session(acceptor).session.store.next_target_seq == 6

    run(main)


def test_a_callback_that_raises_is_logged_and_the_session_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(conn: Connection) -> None:
        def fragile(event: Event) -> None:
            if isinstance(event, Received) and event.message[11] == "order-2":
                raise RuntimeError("strategy bug")
            echo(conn, event)

        conn.set_on_event(fragile)

    async def main() -> None:
        store_factory = lambda _: journal(tmp_path)  # noqa: E731
        async with (
            await serve([SERVER], handler, HOST, 0, store_factory=store_factory) as acceptor,
            initiator(acceptor.port) as (conn, client),
        ):
            await conn.logged_on(timeout=5)
            for n in range(1, 4):
                conn.send("D", order(n))
            await client.until(lambda: len(client.received("8")) == 2)
            assert [m[11] for m in client.received("8")] == ["order-1", "order-3"]
            assert conn.connected
        store = journal(tmp_path)
        try:
            # order-2 (MsgSeqNum 3) counts as taken; the Logout (5) came after order-3 (4).
            assert store.next_target_seq == 6
        finally:
            store.close()

    with caplog.at_level(logging.ERROR, logger="fixwire.session"):
        run(main)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    record = errors[0]
    assert record.name == "fixwire.session"
    assert "MsgType D, MsgSeqNum 3" in record.getMessage()
    assert "order-2" not in record.getMessage()  # Never a message's contents.
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_a_lone_message_whose_callback_raises_counts_as_taken(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One order in flight at a time: each read brings one message (the callback's fast path).
    seen: list[str] = []

    async def handler(conn: Connection) -> None:
        def fragile(event: Event) -> None:
            if isinstance(event, Received):
                seen.append(event.message[11])
                if event.message[11] == "order-2":
                    raise RuntimeError("strategy bug")
            echo(conn, event)

        conn.set_on_event(fragile)

    async def main() -> None:
        async with (
            await serve([SERVER], handler, HOST, 0) as acceptor,
            initiator(acceptor.port) as (conn, client),
        ):
            await conn.logged_on(timeout=5)
            conn.send("D", order(1))
            await client.until(lambda: len(client.received("8")) == 1)
            conn.send("D", order(2))
            async with asyncio.timeout(5):
                while len(seen) < 2:
                    await asyncio.sleep(0.01)
            server = acceptor.connections["FIXT.1.1", "SERVER", "CLIENT"]
            # Taken: the store's next expected number is past it.
            assert server.session.store.next_target_seq == 4
            conn.send("D", order(3))
            await client.until(lambda: len(client.received("8")) == 2)
            assert [m[11] for m in client.received("8")] == ["order-1", "order-3"]
            assert server.connected

    with caplog.at_level(logging.ERROR, logger="fixwire.session"):
        run(main)
    assert seen == ["order-1", "order-2", "order-3"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "MsgType D, MsgSeqNum 3" in errors[0].getMessage()
    assert isinstance(errors[0].exc_info and errors[0].exc_info[1], RuntimeError)
