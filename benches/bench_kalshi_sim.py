"""Groups "kalshi-throughput" and "kalshi-sim-roundtrip": the Kalshi simulator's speed, orders
in and acknowledgements out, against a plain fixwire acceptor measured in the same run.

Group "kalshi-throughput": each round sends a burst of :data:`BURST` NewOrderSingles <35=D>
(:data:`~benches.conftest.ORDER` with its own ClOrdID <11>, the order group left out) as fast as
the client writes them, then reads until every one has its first ExecutionReport <35=8>; the
table's median round time gives orders per second (``record_rate``, printed after the run).
:data:`ROUNDS` rounds after one warm-up round; under ``--benchmark-disable`` one round of
:data:`SMOKE_BURST`.

* ``test_simulator_throughput[clients]``: one, two or four ``KalshiClient`` on KalshiNR, each
  with an API key of its own, over TLS to the :class:`~fixwire.kalshi.sim.Simulator` in a child
  process (``kalshi_peer.py``), each client with its own burst, read concurrently: the
  simulator's matching engine places every order (they rest, so the book grows by ``BURST``
  per round) and writes a full ExecutionReport. Afterwards every order must rest in the
  engine. Besides the wall-clock rate, which on a shared machine is bounded by the clients (in
  this process) and by whatever else runs, the summary gives the orders per second of the
  simulator's own CPU time over the timed rounds (``sim-CPU orders/s``, the peer's
  ``time.process_time``): the rate one core would sustain with the simulator alone on it.
* ``test_session_throughput``: fixwire's ``connect`` to fixwire's acceptor in a child process
  (``session_peer.py``, answering each order with a canned ExecutionReport), plain TCP: what the
  session layer itself allows, the baseline of the issue's target (the simulator's order path
  within 2x of it). Afterwards the acceptor must have answered every order.

Both acceptors run on one core of their own, as a venue would; the client runs here. On a
loaded machine compare the two rates of one run, never rates across runs.

Group "kalshi-sim-roundtrip": ``test_round_trip_against_session``, the issue's ratio, on each
transport. Order out, first ExecutionReport (New) in, one order in flight, each order then
cancelled (untimed), against the simulator in a child process from a client answering in
``KalshiClient.set_on_event``'s callback (:class:`CalledBack`: the report cancels the order,
the cancel's report places the next, no task switch on either side): one simulator on plain
TCP (``kalshi_peer.py tcp``; ``simulator over TCP``) and one over TLS (``simulator over TLS``).
Against them, in the same run, the plain fixwire session: ``bench_session.py``'s
``test_round_trip[fixwire-to-fixwire]`` (fixwire's ``connect`` with an ``on_event`` callback,
the acceptor answering a canned report from ``Connection.set_on_event``'s callback), on plain
TCP as there (``plain fixwire session over TCP``) and over TLS with the same kind of
certificate as the simulator's (``plain fixwire session over TLS``, ``kalshi_peer.py plain``).
The summary gives each simulator's p50 and p99 as multiples of the plain session's on the same
transport: the issue's target (within 2x) holds only if both are. A fifth series is a client
iterating its events over TLS, as ``bench_kalshi.py``'s ``test_kalshi_round_trip`` does
(``simulator over TLS, client iterating``). The five alternate in batches of
:data:`ROUND_TRIP_BATCH`, so that load from elsewhere falls on all alike. :data:`ROUND_TRIPS`
timed round trips of each after the warm-up; under ``--benchmark-disable``,
:data:`SMOKE_ROUND_TRIPS`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from benches.bench_kalshi import (
    ROUND_TRIPS,
    SMOKE_ROUND_TRIPS,
    KalshiPeer,
    Reports,
    check_report,
    kalshi_config,
    place,
    round_trips,
)
from benches.bench_session import (
    TIMEOUT,
    FixwireInitiator,
    Peer,
    bounded,
    numbered_orders,
    open_initiator,
    order_fields,
)
from benches.conftest import API_KEY, Benchmark, NewOrderSingle, record_latency, record_rate
from fixwire.kalshi import (
    ExecutionReport,
    KalshiClient,
    LogonSigner,
    generate_key,
)
from fixwire.session import Event, Received, connect

BURST = 2_000
"""Orders per round, per client."""
ROUNDS = 5
"""Timed rounds, after one warm-up round."""
SMOKE_BURST = 20
"""Orders of the one round under ``--benchmark-disable``."""
ROUND_TRIP_BATCH = 200
"""Round trips in a row against one acceptor before the other's turn."""
PLAIN = "plain fixwire session over TCP"
"""The plain session on plain TCP, in the round-trip summary."""
SIMULATOR_TCP = "simulator over TCP"
"""The simulator on plain TCP (client called back), as multiples of :data:`PLAIN`."""
PLAIN_TLS = "plain fixwire session over TLS"
"""The plain session over TLS, in the round-trip summary."""
SIMULATOR_TLS = "simulator over TLS"
"""The simulator over TLS (client called back), as multiples of :data:`PLAIN_TLS`."""
ITERATING = "simulator over TLS, client iterating"
"""The client that iterates its events, as multiples of :data:`PLAIN_TLS`."""
CALLED_BACK_KEY = f"{API_KEY[:-1]}b"
"""The API key of the round trips' called-back clients (one on each simulator)."""


@pytest.fixture(scope="module")
def signer() -> LogonSigner:
    """The client's Logon key, a throwaway 2048-bit RSA key."""
    return LogonSigner(generate_key())


async def connect_client(signer: LogonSigner, peer: KalshiPeer, api_key: str) -> KalshiClient:
    """A KalshiNR client of ``api_key`` logged on to the simulator, its certificate pinned;
    on plain TCP to a simulator without TLS (``KalshiClient.connect`` is TLS only, as the
    venue: the client is made from fixwire's ``connect`` with the same session configuration).
    """
    config = dataclasses.replace(kalshi_config(signer, peer.port), api_key=api_key)
    if peer.tls:
        return await KalshiClient.connect(
            config, ssl=peer.context, server_hostname="localhost", pin_sha256=peer.sha256
        )
    connection = await connect(KalshiClient.session_config(config), "127.0.0.1", peer.port)
    try:
        await connection.logged_on(timeout=TIMEOUT)
    except BaseException:
        await connection.close()
        raise
    return KalshiClient(config, connection)


async def burst(
    client: KalshiClient, events: AsyncIterator[object], orders: list[NewOrderSingle]
) -> None:
    """Sends ``orders``, then reads ``events`` (the client's) until each has its New
    ExecutionReport.
    """
    waiting = set()
    for order in orders:
        side = "yes" if order.side == "1" else "no"
        waiting.add(
            client.new_order(
                order.symbol, side, order.order_qty, order.price, cl_ord_id=order.cl_ord_id
            )
        )
    async with asyncio.timeout(60):
        while waiting:
            event = await anext(events)
            if isinstance(event, ExecutionReport) and event.exec_type == "0":
                waiting.discard(event.cl_ord_id)


@pytest.mark.benchmark(group="kalshi-throughput")
@pytest.mark.parametrize("clients", [1, 2, 4])
def test_simulator_throughput(
    benchmark: Benchmark, tmp_path: Path, signer: LogonSigner, clients: int
) -> None:
    """Bursts of orders to the simulator; each must be acknowledged and rest in its engine."""
    size = SMOKE_BURST if benchmark.disabled else BURST
    timed_rounds = 1 if benchmark.disabled else ROUNDS
    rounds = timed_rounds + (0 if benchmark.disabled else 1)
    orders = iter(numbered_orders(size * clients * rounds))
    keys = tuple(f"{API_KEY[:-1]}{n}" for n in range(clients))
    with asyncio.Runner() as runner, KalshiPeer(tmp_path, signer, keys) as peer:
        sessions = [runner.run(connect_client(signer, peer, key)) for key in keys]
        streams: list[AsyncIterator[object]] = [aiter(c) for c in sessions]

        async def all_bursts() -> None:
            await asyncio.gather(
                *(
                    burst(c, stream, [next(orders) for _ in range(size)])
                    for c, stream in zip(sessions, streams, strict=True)
                )
            )

        if not benchmark.disabled:
            runner.run(all_bursts())  # The warm-up round, outside the simulator's CPU count.
        cpu = peer.cpu()
        benchmark.pedantic(lambda: runner.run(all_bursts()), rounds=timed_rounds)
        cpu = peer.cpu() - cpu
        placed = sum(len(c.orders) for c in sessions)
        for client in sessions:
            runner.run(client.close())
    assert placed == size * clients * rounds
    assert peer.open_orders == placed
    record_rate(benchmark, "orders", size * clients)
    timed = size * clients * timed_rounds
    benchmark.extra_info["simulator_cpu_us_per_order"] = cpu / timed * 1e6
    record_rate(benchmark, "sim-CPU orders", timed, seconds=cpu)


@pytest.mark.benchmark(group="kalshi-throughput")
def test_session_throughput(benchmark: Benchmark, tmp_path: Path) -> None:
    """Bursts of orders to a canned-answer fixwire acceptor; each must be answered."""
    size = SMOKE_BURST if benchmark.disabled else BURST
    rounds = 1 if benchmark.disabled else ROUNDS + 1
    orders = iter(numbered_orders(size * rounds))
    with asyncio.Runner() as runner, Peer("fixwire", tmp_path) as peer:
        connection = runner.run(open_initiator(peer.port))
        events: AsyncIterator[Event] = aiter(connection)

        async def one_burst() -> None:
            for _ in range(size):
                connection.send("D", order_fields(next(orders)))
            answered = 0
            async with asyncio.timeout(60):
                while answered < size:
                    event = await anext(events)
                    if isinstance(event, Received) and event.message.msg_type == "8":
                        answered += 1

        benchmark.pedantic(
            lambda: runner.run(one_burst()),
            rounds=rounds - (0 if benchmark.disabled else 1),
            warmup_rounds=0 if benchmark.disabled else 1,
        )
        peer.report()
        runner.run(connection.close())
    assert peer.answered == size * rounds
    record_rate(benchmark, "orders", size)


class CalledBack:
    """A client answering from ``KalshiClient.set_on_event``'s callback: each order's New
    report (timed from the order's send) cancels it there and then, and the cancel's report
    places the next order, as the plain session's initiator sends from its ``on_event``.
    """

    def __init__(self, client: KalshiClient, group_id: str) -> None:
        self._client = client
        self._group_id = group_id
        self._orders: list[NewOrderSingle] = []
        self._next = 0
        self._sent_at = 0
        self._timed: list[int] = []
        self._finished: asyncio.Future[None] | None = None
        client.set_on_event(self._on_event)

    async def round_trips(self, orders: list[NewOrderSingle]) -> list[int]:
        """Places ``orders`` one at a time; the round trips to their New reports (ns)."""
        self._orders, self._next, self._timed = orders, 0, []
        self._finished = asyncio.get_running_loop().create_future()
        self._place()
        await self._finished
        return self._timed

    def _place(self) -> None:
        self._sent_at = time.perf_counter_ns()
        place(self._client, self._orders[self._next], self._group_id)

    def _on_event(self, event: object) -> None:
        arrived = time.perf_counter_ns()
        if not isinstance(event, ExecutionReport) or self._finished is None:
            return
        try:
            order = self._orders[self._next]
            if event.exec_type == "0":
                check_report(event, order.cl_ord_id, "0")
                self._timed.append(arrived - self._sent_at)
                self._client.cancel(order.cl_ord_id)
                return
            check_report(event, event.cl_ord_id, "4", Decimal(0))
            self._next += 1
            if self._next < len(self._orders):
                self._place()
            elif not self._finished.done():
                self._finished.set_result(None)
        except Exception as e:  # In the client's callback: reported to the waiting test.
            if not self._finished.done():
                self._finished.set_exception(e)


@pytest.mark.benchmark(group="kalshi-sim-roundtrip")
def test_round_trip_against_session(
    benchmark: Benchmark, tmp_path: Path, signer: LogonSigner
) -> None:
    """Round trips to the simulator over TCP and over TLS (client called back) and over TLS
    from a client iterating its events, and to a plain fixwire acceptor over TCP and over
    TLS, alternating in batches; every report must answer its own order, and the simulators'
    books must end empty.
    """
    count, warmup = SMOKE_ROUND_TRIPS if benchmark.disabled else ROUND_TRIPS
    batch = min(count, ROUND_TRIP_BATCH)
    orders = iter(numbered_orders(5 * (warmup + count)))
    for name in ("kalshi", "kalshi-tcp", "plain", "plain-tls"):
        (tmp_path / name).mkdir()
    keys = (API_KEY, CALLED_BACK_KEY)
    with (
        asyncio.Runner() as runner,
        KalshiPeer(tmp_path / "kalshi", signer, keys) as venue,
        KalshiPeer(tmp_path / "kalshi-tcp", signer, (CALLED_BACK_KEY,), tls=False) as tcp_venue,
        Peer("fixwire", tmp_path / "plain", call_back=True) as plain_peer,
        KalshiPeer(tmp_path / "plain-tls", signer, plain=True) as tls_peer,
    ):
        client = runner.run(bounded(connect_client(signer, venue, API_KEY)))
        reports = Reports(client)
        tls_client = runner.run(bounded(connect_client(signer, venue, CALLED_BACK_KEY)))
        tls_reports = Reports(tls_client)
        tcp_client = runner.run(bounded(connect_client(signer, tcp_venue, CALLED_BACK_KEY)))
        tcp_reports = Reports(tcp_client)
        plain = FixwireInitiator(runner, plain_peer.port)
        plain_tls = FixwireInitiator(runner, tls_peer.port, tls=tls_peer)
        try:
            group_id = runner.run(bounded(reports.open_group()))
            over_tls = CalledBack(tls_client, runner.run(bounded(tls_reports.open_group())))
            over_tcp = CalledBack(tcp_client, runner.run(bounded(tcp_reports.open_group())))

            def iterating(n: int) -> list[int]:
                placed = [next(orders) for _ in range(n)]
                return runner.run(bounded(round_trips(client, reports, placed, group_id)))

            def calling_back(called_back: CalledBack) -> Callable[[int], list[int]]:
                def run(n: int) -> list[int]:
                    placed = [next(orders) for _ in range(n)]
                    return runner.run(bounded(called_back.round_trips(placed)))

                return run

            def to_session(initiator: FixwireInitiator) -> Callable[[int], list[int]]:
                return lambda n: initiator.round_trips([next(orders) for _ in range(n)])

            # Each simulator series next to the plain session on its transport.
            runs = (
                calling_back(over_tcp),
                to_session(plain),
                calling_back(over_tls),
                to_session(plain_tls),
                iterating,
            )

            def alternate() -> list[list[int]]:
                series: list[list[int]] = [[] for _ in runs]
                while len(series[0]) < count:
                    n = min(batch, count - len(series[0]))
                    for samples, run in zip(series, runs, strict=True):
                        samples += run(n)
                return series

            for run in runs:
                run(warmup)
            series = benchmark.pedantic(alternate, rounds=1)
            plain_peer.report()
        finally:
            plain.close()
            plain_tls.close()
            for each in (reports, tls_reports, tcp_reports):
                runner.run(bounded(each.close()))
    assert venue.open_orders == tcp_venue.open_orders == 0
    assert [len(samples) for samples in series] == [count] * len(runs)
    assert plain_peer.answered == tls_peer.answered == warmup + count
    simulator_tcp, session, simulator_tls, tls_session, simulator_iterating = (
        [ns / 1e9 for ns in samples] for samples in series
    )
    record_latency(benchmark, session, name=PLAIN)
    record_latency(benchmark, simulator_tcp, name=SIMULATOR_TCP, baseline=PLAIN)
    record_latency(benchmark, tls_session, name=PLAIN_TLS, baseline=PLAIN)
    record_latency(benchmark, simulator_tls, name=SIMULATOR_TLS, baseline=PLAIN_TLS)
    record_latency(benchmark, simulator_iterating, name=ITERATING, baseline=PLAIN_TLS)
