"""Group "session-reaction": how long a strategy on fixwire takes to react, inside its process.

From the moment the transport hands the bytes of an ExecutionReport <35=8> to the connection's
protocol to the moment the transport's ``write`` returns with the next NewOrderSingle <35=D>:
the session frames and checks the report, hands it to the application, the application reads
its ClOrdID <11> and sends the next order (``Connection.send``: encoded, stored, written). The
wire and the peer are not in it. It is the initiator side of ``bench_session.py``'s round trips
(one order in flight, against the fixwire acceptor in a child process, answering from its
callback), with both ends of each reaction stamped by ``time.perf_counter_ns()``: the protocol's
``buffer_updated`` and ``data_received`` are wrapped (the transport's ``set_protocol`` makes it
take the wrappers; asyncio's transports call the first, fixwire's the second) and
the connection's transport is behind a proxy whose ``write`` stamps its return, about 0.2 us of
wrapping in every sample. Percentiles over :data:`REACTIONS` reactions after a warm-up, in the
summary printed after the run; the table's one round is all of them together.

Two series per case: wall time, and the thread's CPU time over the same span
(``time.thread_time_ns``, a system call of its own, about 0.3 us). They differ because the
``send`` system call wakes the peer, and on a machine with fewer free cores than runnable
processes the kernel often runs the woken peer before the sender returns from ``send``: the
wall time then holds the peer's own reaction (strace puts the call itself at about 5 us here,
while ``write`` took 22-43 us of wall time at p50 on the shared two-core machine). The CPU time
is what the strategy itself spends.

Cases: the application called back (``on_event``) or iterating its events (``async for``, a
task switch between the read and the application), each on asyncio's own event loop (with
fixwire's transport for plain TCP, the default, and with asyncio's own transports,
``asyncio-transports``) and on uvloop's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benches.bench_session import (
    LOOPS,
    FixwireInitiator,
    Loop,
    Peer,
    numbered_orders,
    use_transports,
)
from benches.conftest import Benchmark, record_latency
from fixwire.session import Connection

REACTIONS = (2_000, 200)
"""Timed and warm-up reactions of each case."""
SMOKE_REACTIONS = (5, 1)
"""The same under ``--benchmark-disable``."""


class _StampedTransport:
    """A transport that stamps the return of each ``write``; the rest is the transport's."""

    def __init__(self, transport: asyncio.Transport, written: Callable[[], None]) -> None:
        self._transport = transport
        self._written = written

    def write(self, data: bytes) -> None:
        self._transport.write(data)
        self._written()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class Stopwatch:
    """Times each read of ``conn`` that led to a write, from the read to the write's return.

    Private parts of the connection are reached into here: what is timed is below its API.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        transport = conn._transport
        assert transport is not None
        self._transport = transport
        self._read_at = 0
        self._read_cpu_at = 0
        #: Nanoseconds from a read to the end of the write it led to, one per reaction.
        self.reactions_ns: list[int] = []
        #: The thread's CPU time over the same span, nanoseconds.
        self.reactions_cpu_ns: list[int] = []
        protocol = transport.get_protocol()
        self._protocol = protocol
        self._buffer_updated = protocol.buffer_updated  # type: ignore[attr-defined]
        self._data_received = protocol.data_received  # type: ignore[attr-defined]
        protocol.buffer_updated = self._stamp_read  # type: ignore[attr-defined]
        protocol.data_received = self._stamp_data  # type: ignore[attr-defined]
        transport.set_protocol(protocol)  # uvloop takes the protocol's methods again.
        conn._transport = _StampedTransport(transport, self._stamp_write)  # type: ignore[assignment]

    def _stamp_read(self, nbytes: int) -> None:
        self._read_cpu_at = time.thread_time_ns()
        self._read_at = time.perf_counter_ns()
        self._buffer_updated(nbytes)

    def _stamp_data(self, data: bytes) -> None:
        self._read_cpu_at = time.thread_time_ns()
        self._read_at = time.perf_counter_ns()
        self._data_received(data)

    def _stamp_write(self) -> None:
        if self._read_at:
            done = time.perf_counter_ns()
            self.reactions_cpu_ns.append(time.thread_time_ns() - self._read_cpu_at)
            self.reactions_ns.append(done - self._read_at)
            self._read_at = 0

    def stop(self) -> None:
        """Puts the connection's transport and protocol back as they were."""
        self._conn._transport = self._transport
        del self._protocol.buffer_updated  # type: ignore[attr-defined]
        self._protocol.data_received = self._data_received  # type: ignore[attr-defined]
        self._transport.set_protocol(self._protocol)


@pytest.mark.benchmark(group="session-reaction")
@pytest.mark.parametrize("loop", ["asyncio", "asyncio-transports", "uvloop"])
@pytest.mark.parametrize("delivery", ["called-back", "iterating"])
def test_reaction(
    benchmark: Benchmark,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    delivery: str,
    loop: Loop,
) -> None:
    """Report bytes in to the next order's bytes out; every order must be answered."""
    use_transports(loop, monkeypatch)
    count, warmup = SMOKE_REACTIONS if benchmark.disabled else REACTIONS
    orders = numbered_orders(warmup + count + 1)
    with (
        asyncio.Runner(loop_factory=LOOPS[loop]) as runner,
        Peer("fixwire", tmp_path, loop=loop, call_back=True) as peer,
    ):
        initiator = FixwireInitiator(runner, peer.port, iterate=delivery == "iterating")
        try:
            initiator.round_trips(orders[:warmup])
            watch = Stopwatch(initiator.connection)
            try:
                # One order more than reactions: the first is sent before any report.
                benchmark.pedantic(initiator.round_trips, args=(orders[warmup:],), rounds=1)
            finally:
                watch.stop()
            peer.report()
        finally:
            initiator.close()
    assert peer.answered == len(orders)
    assert len(watch.reactions_ns) == count
    record_latency(benchmark, [ns / 1e9 for ns in watch.reactions_ns])
    record_latency(
        benchmark,
        [ns / 1e9 for ns in watch.reactions_cpu_ns],
        name=f"{benchmark.name} CPU",
    )
