"""Connection: what the application sends while it handles a burst of inbound messages is
written together.

The answers to a burst go to the transport in one ``write`` (one TLS record, one ``send``
syscall) once the application is done with what one read brought: when iteration finds no event
left, or when ``on_event`` has been called for the read's last event. The answer to a lone
message, and a send made at any other time, is written within the call, and a handler that
awaits something else between events does not hold back what it already sent. Over loopback
TCP against a raw FIX peer, with each connection's ``write`` and reads counted (the transport's
own methods, wrapped).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from fixwire.session import Connection, Event, Received, connect, serve
from fixwire.session import connection as connection_module
from transport_cases import (
    CLIENT,
    HOST,
    SERVER,
    RawPeer,
    accepting,
    echo,
    either_transport,  # noqa: F401 (an autouse fixture: each test runs on both transports)
    order,
    raw_acceptor,
    raw_initiator,
    run,
    the_session,
    transport_of,
)

BURST = 50


class Counted:
    """Counts a connection's transport writes (with their sizes) and its socket reads."""

    def __init__(self, conn: Connection) -> None:
        self.writes: list[int] = []
        self.reads = 0
        transport = transport_of(conn)
        write = transport.write
        receive = conn.session.receive

        def counted_write(data: bytes | bytearray | memoryview) -> None:
            self.writes.append(len(data))
            write(data)

        def counted_read(data: bytes, now: float) -> None:
            self.reads += 1  # The connection hands the session each read whole, once.
            receive(data, now)

        transport.write = counted_write  # type: ignore[method-assign]
        conn.session.receive = counted_read  # type: ignore[method-assign]


async def log_on(peer: RawPeer) -> None:
    """Logs the raw initiator on (Logon <A>, HeartBtInt 30) and reads the answer."""
    peer.send("A", [(98, 0), (108, 30), (1137, "9")])
    await peer.expect("A")


async def read_reports(peer: RawPeer, count: int) -> list[str]:
    """ClOrdID <11> of the next ``count`` ExecutionReports <8> the peer reads."""
    return [(await peer.expect("8"))[11] for _ in range(count)]


def burst_of_orders(peer: RawPeer) -> None:
    """:data:`BURST` NewOrderSingles <D> in one socket write."""
    peer.writer.write(b"".join(peer.encode("D", order(n)) for n in range(1, BURST + 1)))


async def echoed_burst() -> tuple[list[int], int]:
    """A burst of orders from a raw initiator to an acceptor iterating its connection and
    answering each; returns the acceptor connection's writes and reads once every answer is
    read (before the Logout <5> of the end).
    """
    async with accepting(answer=echo) as (acceptor, _), raw_initiator(acceptor.port) as peer:
        await log_on(peer)
        counted = Counted(the_session(acceptor))
        burst_of_orders(peer)
        assert await read_reports(peer, BURST) == [f"order-{n}" for n in range(1, BURST + 1)]
        return list(counted.writes), counted.reads


def test_answers_to_a_burst_go_out_in_one_write_while_iterating() -> None:
    async def main() -> None:
        writes, reads = await echoed_burst()
        # One write per read the burst took (loopback delivers it in one, mostly), never one
        # per answer.
        assert 1 <= len(writes) <= reads < BURST

    run(main)


@contextlib.asynccontextmanager
async def echoing_initiator() -> AsyncIterator[tuple[RawPeer, Counted, list[int]]]:
    """A fixwire initiator whose ``on_event`` answers each order, logged on to a raw acceptor;
    yields the raw peer, the initiator's counts and, per answer, the writes its ``send`` made.
    """
    conns: list[Connection] = []
    counters: list[Counted] = []
    written_by_send: list[int] = []

    def answer(event: Event) -> None:
        if isinstance(event, Received) and event.message.msg_type == "D":
            before = len(counters[0].writes)
            echo(conns[0], event)
            written_by_send.append(len(counters[0].writes) - before)

    async with raw_acceptor() as (port, peers):
        conn = await connect(CLIENT, HOST, port, on_event=answer)
        conns.append(conn)
        peer = await peers.get()
        await peer.accept_logon()
        await conn.logged_on(timeout=5)
        counters.append(Counted(conn))
        try:
            yield peer, counters[0], written_by_send
        finally:
            await conn.close()


def test_answers_from_on_event_go_out_in_one_write_after_the_reads_last_event() -> None:
    async def main() -> None:
        async with echoing_initiator() as (peer, counted, _):
            burst_of_orders(peer)
            assert await read_reports(peer, BURST) == [f"order-{n}" for n in range(1, BURST + 1)]
            assert 1 <= len(counted.writes) <= counted.reads < BURST

    run(main, timeout=15)


def test_the_answer_to_a_lone_message_is_written_within_the_call() -> None:
    async def main() -> None:
        counters: list[Counted] = []
        written_by_send: list[int] = []

        async def handler(conn: Connection) -> None:
            async for event in conn:
                if isinstance(event, Received) and event.message.msg_type == "D":
                    before = len(counters[0].writes)
                    echo(conn, event)
                    written_by_send.append(len(counters[0].writes) - before)

        acceptor = await serve([SERVER], handler, HOST, 0)
        try:
            async with raw_initiator(acceptor.port) as peer:
                await log_on(peer)
                counters.append(Counted(the_session(acceptor)))
                for n in range(1, 4):
                    peer.send("D", order(n))
                    assert await read_reports(peer, 1) == [f"order-{n}"]
        finally:
            await acceptor.close()
        assert written_by_send == [1, 1, 1]

    run(main)


def test_the_answer_from_on_event_to_a_lone_message_is_written_within_the_call() -> None:
    async def main() -> None:
        async with echoing_initiator() as (peer, _, written_by_send):
            for n in range(1, 4):
                peer.send("D", order(n))
                assert await read_reports(peer, 1) == [f"order-{n}"]
        assert written_by_send == [1, 1, 1]

    run(main, timeout=15)


def test_a_send_outside_inbound_handling_is_written_within_the_call() -> None:
    async def main() -> None:
        async with accepting() as (acceptor, server), raw_initiator(acceptor.port) as peer:
            await log_on(peer)
            conn = the_session(acceptor)
            await server.until(lambda: conn.session.logged_on)
            await asyncio.sleep(0)  # The handler is back waiting for events.
            counted = Counted(conn)
            for n in range(1, 4):
                conn.send("8", [(37, "x"), (11, f"order-{n}"), (17, "e"), (150, "0"), (39, "0")])
                assert len(counted.writes) == n
            assert await read_reports(peer, 3) == ["order-1", "order-2", "order-3"]

    run(main)


def test_a_handler_that_awaits_between_events_does_not_hold_back_its_answers() -> None:
    async def main() -> None:
        # After each answer the handler waits until the peer has read that answer: were the
        # answer held back until the handler is done, each would wait for the other (and the
        # run's timeout would end the test).
        read_by_peer: asyncio.Queue[str] = asyncio.Queue()
        waited: list[str] = []
        done = asyncio.Event()

        async def handler(conn: Connection) -> None:
            async for event in conn:
                if isinstance(event, Received) and event.message.msg_type == "D":
                    echo(conn, event)
                    waited.append(await read_by_peer.get())
                    if len(waited) == BURST:
                        done.set()

        acceptor = await serve([SERVER], handler, HOST, 0)
        try:
            async with raw_initiator(acceptor.port) as peer:
                await log_on(peer)
                burst_of_orders(peer)
                for _ in range(BURST):
                    read_by_peer.put_nowait((await peer.expect("8"))[11])
                await done.wait()
        finally:
            await acceptor.close()
        assert waited == [f"order-{n}" for n in range(1, BURST + 1)]

    run(main)


def test_gathered_answers_are_written_once_they_reach_a_write_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    piece = 500
    monkeypatch.setattr(connection_module, "_WRITE_PIECE", piece)

    async def main() -> None:
        writes, _ = await echoed_burst()
        # Each answer is about 100 bytes: a write once 500 have gathered, and the rest.
        assert len(writes) >= BURST * 100 // (piece + 200)
        assert all(size < piece + 200 for size in writes)

    run(main)
