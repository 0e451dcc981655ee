"""Groups "kalshi-send" and "kalshi-roundtrip": the Kalshi client's order entry, out and back.

Every order is :data:`~benches.conftest.ORDER` (a GTC Yes bid, 10 at $0.55, self-trade
prevention ``maker``, CancelOrderOnPause <21006>=Y) in an order group the client creates at the
start, each with its own ClOrdID <11>, placed with ``KalshiClient.new_order``: about 250 bytes,
like the other groups' order. Every client is a ``KalshiClient`` logged on with a signed Logon
to the Kalshi ``Simulator`` (``fixwire.kalshi.sim``) over TLS on loopback, with the certificate
verified and pinned, KalshiNR, UseDollars <21005>=Y, SkipPendingExecReports <21011>=Y, and the
client-side rate limit off (``KalshiConfig(rate_limit=None)``; the default, Kalshi's Basic tier,
allows 10 orders a second). Budget (``shared/design.md``): the send path <= 5 us p50. Each
benchmark records its p50 and p99 with :func:`~benches.conftest.record_latency`; they are
printed after the run.

Group "kalshi-send", one call per round (``benchmark.pedantic``: the table's median is the p50;
each sample includes one read of ``time.perf_counter``, about 0.1 us here). The simulator runs in
this process, on the same event loop: the loop is not running while a call is timed, and before
each round, untimed, it runs until the client has read the simulator's ExecutionReport <35=8>
(New) on the previous order, so each call finds the connection idle. (Against the simulator in a
child process, the ``send`` syscall wakes it, and on a two-CPU machine it often ran its whole
answer before the call returned: a p50 near 400 us that measured the simulator.)

* ``test_kalshi_new_order``: ``KalshiClient.new_order``, from the call to the bytes handed to
  the socket: ``Connection.send`` of the client's NewOrderSingle template with the arguments
  (each checked against the venue's rules as it is encoded; store, TLS record, ``send``
  syscall) and the client's own order book entry. Afterwards every order must rest in
  the simulator's matching engine as sent.
* ``test_kalshi_new_order_to_transport``: the budget's measure, ``new_order`` from the call to
  the bytes handed to the transport. The same client and ``Connection``, attached to a
  transport that keeps what it is given and notes when each ``write`` began: where asyncio's
  transport would take over (TLS record, ``send`` syscall; the case above has them). The
  connection is driven as asyncio drives it (its protocol's ``connection_made`` and
  ``data_received``), logged on by an acceptor ``Session``, with the rate limit off.
  ``new_order`` is called as an application calls it, keywords written out, its arguments made
  untimed in ``setup``. The summary's p50 and p99 run from just before the call to the start of
  ``write``; the table's median is the whole call, with what ``new_order`` does after the write
  (the order book entry) and the timing itself. Afterwards the bytes must be exactly the orders
  placed, framed in pure Python.
* ``test_kalshi_connection_send``: ``Connection.send`` of the same order as (tag, value) fields,
  built inside the timed call and not checked, on the same kind of connection: the generic path
  next to ``new_order``'s template. The same check afterwards.
* ``test_kalshi_session_send``: ``Session.send`` then ``Session.data_to_send`` of the same order
  on a sans-IO session with the Kalshi client's session configuration and a ``MemoryStore``,
  logged on by pumping bytes with an acceptor ``Session``: no TLS, no socket. The bytes must be
  those framed in pure Python by ``conftest.py``. The summary gives the two cases above as
  multiples of this one.

Group "kalshi-roundtrip": ``test_kalshi_round_trip``, NewOrderSingle <35=D> out, the first
ExecutionReport (New) in, one order in flight, against the simulator in a child process
(``kalshi_peer.py``: in this process its Python would take turns at the GIL with the client; see
``bench_session.py``). Each round trip is timed from just before ``new_order`` to the moment the
client's event iterator (``async for event in client``) hands over the typed
``ExecutionReport``, parsed and applied to ``client.orders``: the path an application sees. Then,
untimed, the order is cancelled and the client waits for its Canceled report, so the book stays
empty. 200 warm-up round trips, then 2,000 timed in one pedantic round (the table shows that
round: divide by 2,000 for the mean). Under ``--benchmark-disable``, 1 + 5.

Next to it, the order->ack round trips of QuickFIX's own initiator and of fixwire's against a
QuickFIX acceptor answering each 35=D with a 35=8 are the "session-roundtrip" group of
``bench_session.py``: ``test_round_trip[quickfix-to-quickfix]`` (the summary gives the Kalshi
round trip as multiples of it), ``test_round_trip[fixwire-to-quickfix]`` and
``test_round_trip[fixwire-to-fixwire]``. To print the four one under the other::

    pytest benches/bench_session.py benches/bench_kalshi.py -k round_trip

They differ in more than the engines: the Kalshi round trip has TLS at both ends, a simulator
that runs its matching engine and builds a full ExecutionReport in Python, and a client that
parses every report into a typed event; the session cases are plain TCP with a canned answer.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import fixwire
from benches.bench_session import BASELINE, ChildPeer, body, bounded, numbered_orders
from benches.conftest import (
    API_KEY,
    KALSHI_NR,
    ORDER,
    SENDING_TIME,
    SENDING_TIME_TEXT,
    Benchmark,
    NewOrderSingle,
    frame,
    header,
    record_latency,
)
from fixwire.kalshi import (
    ExecutionReport,
    KalshiClient,
    KalshiConfig,
    LogonSigner,
    OrderGroupResponse,
    SessionType,
    generate_key,
)
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import LoggedOn, Role, Session, SessionConfig
from fixwire.session.config import FieldValue
from fixwire.session.transport import Connection, _Protocol

NOW = SENDING_TIME.timestamp()
"""The sans-IO session's clock: SendingTime <52> comes out as in ``conftest.py``'s order."""

MARKET = ORDER.symbol
"""The one market the simulator lists."""
GROUP_LIMIT = 1_000_000
"""The order group's contracts limit, the most Kalshi allows: no order here ever fills."""

NEW_ORDER_ROUNDS = (5_000, 200)
"""Timed and warm-up rounds of ``test_kalshi_new_order`` and ``test_kalshi_connection_send``."""
SESSION_SEND_ROUNDS = (20_000, 1_000)
"""Timed and warm-up rounds of ``test_kalshi_session_send``."""
ROUND_TRIPS = (2_000, 200)
"""Timed and warm-up round trips of ``test_kalshi_round_trip``."""
SMOKE_ROUND_TRIPS = (5, 1)
"""The same under ``--benchmark-disable``."""


@pytest.fixture(scope="module")
def signer() -> LogonSigner:
    """The client's Logon key, a throwaway 2048-bit RSA key."""
    return LogonSigner(generate_key())


def kalshi_config(signer: LogonSigner, port: int) -> KalshiConfig:
    """A KalshiNR session to the simulator on 127.0.0.1:``port``, the rate limit off."""
    return KalshiConfig(
        api_key=API_KEY,
        signer=signer,
        session_type=SessionType.NR,
        host="127.0.0.1",
        port=port,
        skip_pending_exec_reports=True,
        rate_limit=None,
    )


def new_order_arguments(
    order: NewOrderSingle, group_id: str
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of ``new_order`` that place ``order`` (TimeInForce <59>=1 is ``gtc``,
    SelfTradePreventionType <2964>=2 is ``maker``) in order group ``group_id``.
    """
    side = "yes" if order.side == "1" else "no"
    return (order.symbol, side, order.order_qty, order.price), {
        "cl_ord_id": order.cl_ord_id,
        "time_in_force": "gtc",
        "self_trade_prevention": "maker",
        "order_group_id": group_id,
        "cancel_on_pause": order.cancel_on_pause,
    }


def place(client: KalshiClient, order: NewOrderSingle, group_id: str) -> str:
    """Places ``order`` in order group ``group_id``; returns its ClOrdID <11>."""
    args, kwargs = new_order_arguments(order, group_id)
    return client.new_order(*args, **kwargs)


def wire_fields(order: NewOrderSingle, group_id: str) -> list[tuple[int, FieldValue]]:
    """The body fields :func:`place` makes ``new_order`` send, as typed values, in its order."""
    return [
        (11, order.cl_ord_id),
        (38, order.order_qty),
        (40, order.ord_type),
        (44, order.price),
        (54, order.side),
        (55, order.symbol),
        (59, order.time_in_force),
        (2964, order.self_trade_prevention),
        (526, group_id),
        (21006, order.cancel_on_pause),
    ]


def wire_text(order: NewOrderSingle, group_id: str) -> str:
    """:func:`wire_fields` as FIX text in ``|`` form, written without fixwire."""
    return (
        f"11={order.cl_ord_id}|38={order.order_qty}|40={order.ord_type}|44={order.price:f}|"
        f"54={order.side}|55={order.symbol}|59={order.time_in_force}|"
        f"2964={order.self_trade_prevention}|526={group_id}|"
        f"21006={'Y' if order.cancel_on_pause else 'N'}|"
    )


class Reports:
    """A client's events, read one at a time by the coroutine waiting for the next report.

    Reading them in the waiting coroutine itself (no reader task) keeps the round trip to one
    wake-up after the report arrives, as the client's own iterator allows.
    """

    def __init__(self, client: KalshiClient) -> None:
        self._client = client
        self._events = aiter(client)

    async def next(self) -> ExecutionReport | OrderGroupResponse:
        """The next ExecutionReport or OrderGroupResponse.

        Raises:
            AssertionError: Any other event came first, but the LoggedOn.
        """
        while True:
            event = await anext(self._events)
            if isinstance(event, ExecutionReport | OrderGroupResponse):
                return event
            assert isinstance(event, LoggedOn), f"unexpected {event!r}"

    async def open_group(self) -> str:
        """Creates the order group of :data:`GROUP_LIMIT` contracts; returns its id."""
        self._client.order_group("create", contracts_limit=GROUP_LIMIT)
        answer = await self.next()
        assert isinstance(answer, OrderGroupResponse), answer
        assert answer.contracts_limit == GROUP_LIMIT, answer
        return answer.order_group_id

    async def close(self) -> None:
        """Logs the client out and reads its events to the end."""
        await self._client.close()
        async for _ in self._events:
            pass


def check_report(
    report: ExecutionReport | OrderGroupResponse,
    cl_ord_id: str,
    exec_type: str,
    order_qty: Decimal = Decimal(ORDER.order_qty),
) -> None:
    """Asserts that ``report`` is the ExecutionReport of ExecType <150> ``exec_type`` (and the
    same OrdStatus <39>) on ``cl_ord_id``, for :data:`ORDER`'s side and price, with OrderQty
    <38> ``order_qty`` (CumQty + LeavesQty, as the venue reports by default: 0 once an
    unfilled order is cancelled).
    """
    assert isinstance(report, ExecutionReport), report
    assert (report.cl_ord_id, report.exec_type, report.ord_status) == (
        cl_ord_id,
        exec_type,
        exec_type,
    ), report
    assert (report.symbol, report.side, report.order_qty, report.price) == (
        ORDER.symbol,
        "yes",
        order_qty,
        ORDER.price,
    ), report


# Group "kalshi-send".


class LocalVenue:
    """A ``Simulator`` on the runner's event loop, over TLS on loopback, and a ``KalshiClient``
    logged on to it (certificate verified and pinned) with an order group.
    """

    def __init__(self, runner: asyncio.Runner, signer: LogonSigner) -> None:
        self._runner = runner
        certificate = SelfSignedCertificate.generate()
        self.sim = Simulator([MARKET])
        self.sim.register(API_KEY, signer.public_key_pem())
        runner.run(bounded(self.sim.start("127.0.0.1", 0, tls=certificate)))
        try:
            self.client = runner.run(
                bounded(
                    KalshiClient.connect(
                        kalshi_config(signer, self.sim.port),
                        ssl=certificate.client_context(),
                        server_hostname="localhost",
                        pin_sha256=certificate.sha256,
                    )
                )
            )
            self.reports = Reports(self.client)
            self.group_id = runner.run(bounded(self.reports.open_group()))
        except BaseException:
            runner.run(bounded(self.sim.close()))
            raise
        #: The orders sent so far, in order.
        self.sent: list[NewOrderSingle] = []
        self._acked = 0

    def next_order(self) -> tuple[tuple[NewOrderSingle], dict[str, Any]]:
        """Untimed, before each round: catches up, then makes the next order (``pedantic``'s
        ``setup``: the order is the timed call's argument).
        """
        self.catch_up()
        order = replace(ORDER, cl_ord_id=f"{len(self.sent):08x}-2b1f-4e5d-8c6a-9f0e1d2c3b4a")
        self.sent.append(order)
        return (order,), {}

    def catch_up(self) -> None:
        """Runs the event loop until the client has read the New report on every order sent."""
        while self._acked < len(self.sent):
            report = self._runner.run(bounded(self.reports.next()))
            check_report(report, self.sent[self._acked].cl_ord_id, "0")
            self._acked += 1

    def check_book(self) -> None:
        """Asserts that every order sent rests in the matching engine, as sent."""
        resting = self.sim.engine.open_orders(owner=API_KEY, market=MARKET)
        assert [o.client_id for o in resting] == [o.cl_ord_id for o in self.sent]
        assert {
            (o.side.value, o.price, o.order_qty, int(o.stp), o.group_id, o.cancel_on_pause)
            for o in resting
        } == {
            (
                ORDER.side,
                ORDER.price,
                Decimal(ORDER.order_qty),
                ORDER.self_trade_prevention,
                self.group_id,
                ORDER.cancel_on_pause,
            )
        }

    def close(self) -> None:
        """Logs the client out and stops the simulator."""
        try:
            self._runner.run(bounded(self.reports.close()))
        finally:
            self._runner.run(bounded(self.sim.close()))


def run_send(
    benchmark: Benchmark, signer: LogonSigner, send: Callable[[LocalVenue, NewOrderSingle], object]
) -> LocalVenue:
    """Times ``send(venue, order)`` over :data:`NEW_ORDER_ROUNDS`; returns the closed venue,
    whose book has been checked.
    """
    with asyncio.Runner() as runner:
        venue = LocalVenue(runner, signer)
        try:
            rounds, warmup = NEW_ORDER_ROUNDS
            benchmark.pedantic(
                lambda order: send(venue, order),
                setup=venue.next_order,
                rounds=rounds,
                warmup_rounds=warmup,
            )
            venue.catch_up()
        finally:
            venue.close()
    venue.check_book()
    return venue


@pytest.mark.benchmark(group="kalshi-send")
def test_kalshi_new_order(benchmark: Benchmark, signer: LogonSigner) -> None:
    """``new_order`` on a logged-on client; every order must rest in the simulator's book."""
    venue = run_send(benchmark, signer, lambda v, order: place(v.client, order, v.group_id))
    # The client's own book has every order, acknowledged.
    assert [o.cl_ord_id for o in venue.client.orders.values()] == [o.cl_ord_id for o in venue.sent]
    assert {o.status for o in venue.client.orders.values()} == {"new"}
    record_latency(benchmark, baseline="test_kalshi_session_send")


@pytest.mark.benchmark(group="kalshi-send")
def test_kalshi_connection_send(benchmark: Benchmark, signer: LogonSigner) -> None:
    """``Connection.send`` of the fields ``new_order`` sends; every order must rest in the
    simulator's book.
    """
    run_send(
        benchmark,
        signer,
        lambda v, order: v.client.connection.send("D", wire_fields(order, v.group_id)),
    )
    record_latency(benchmark, baseline="test_kalshi_session_send")


class KeptBytes(asyncio.Transport):
    """A transport that keeps the bytes written to it, where asyncio's would send them, and
    when each write began.
    """

    def __init__(self) -> None:
        super().__init__()
        #: Everything written so far.
        self.written = bytearray()
        #: ``time.perf_counter()`` on entering each ``write``: the moment bytes were handed over.
        self.handed: list[float] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.handed.append(time.perf_counter())
        self.written += data

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def take(self) -> bytes:
        """The bytes written since the last call."""
        data = bytes(self.written)
        self.written.clear()
        return data


async def client_on_kept_bytes(signer: LogonSigner) -> tuple[KalshiClient, KeptBytes]:
    """A logged-on client whose connection writes to a :class:`KeptBytes`, driven as asyncio
    drives a connection; an acceptor ``Session`` answers its Logon.
    """
    config = kalshi_config(signer, 0)
    connection = Connection(Session(KalshiClient.session_config(config)))
    protocol, transport = _Protocol(connection, None), KeptBytes()
    protocol.connection_made(transport)
    acceptor = Session(
        SessionConfig(sender_comp_id=KALSHI_NR, target_comp_id=API_KEY, role=Role.ACCEPTOR)
    )
    now = time.time()
    acceptor.connection_made(now)
    acceptor.receive(transport.take(), now)
    protocol.data_received(acceptor.data_to_send())
    assert connection.session.logged_on, connection.session.next_events()
    return KalshiClient(config, connection), transport


@pytest.mark.benchmark(group="kalshi-send")
def test_kalshi_new_order_to_transport(benchmark: Benchmark, signer: LogonSigner) -> None:
    """``new_order`` to the bytes handed to the transport; they must be the orders placed."""
    with asyncio.Runner() as runner:
        client, transport = runner.run(client_on_kept_bytes(signer))
        group_id = ORDER.order_group_id
        rounds, warmup = NEW_ORDER_ROUNDS
        orders = iter(numbered_orders(rounds + warmup))
        starts: list[float] = []

        def arguments() -> tuple[tuple[Any, ...], dict[str, Any]]:
            order = next(orders)
            side = "yes" if order.side == "1" else "no"
            ids = (order.cl_ord_id, order.cancel_on_pause)
            return (order.symbol, side, order.order_qty, order.price, *ids), {}

        def place(
            symbol: str, side: str, quantity: int, price: Decimal, cl_ord_id: str, pause: bool
        ) -> None:
            # As an application calls it, with its keywords written out (new_order_arguments
            # as **kwargs would add about 0.4 us of dict unpacking to every call).
            start = time.perf_counter()
            client.new_order(
                symbol,
                side,
                quantity,
                price,
                cl_ord_id=cl_ord_id,
                time_in_force="gtc",
                self_trade_prevention="maker",
                order_group_id=group_id,
                cancel_on_pause=pause,
            )
            starts.append(start)

        transport.handed.clear()
        benchmark.pedantic(place, setup=arguments, rounds=rounds, warmup_rounds=warmup)
        placed = [o for o in numbered_orders(rounds + warmup) if o.cl_ord_id in client.orders]
        framer = fixwire.Framer()
        sent = framer.feed(transport.take())
        assert framer.drain_errors() == []
        assert len(sent) == len(placed) == len(starts) == len(transport.handed) > 0
        for msg, order in zip(sent, placed, strict=True):
            fields = (f.split("=", 1) for f in wire_text(order, group_id).split("|") if f)
            assert body(msg) == [(int(tag), value) for tag, value in fields]
    handed = [end - start for start, end in zip(starts, transport.handed, strict=True)]
    # The whole call, the order book entry made after the write included, is the table's
    # median; the summary's p50 and p99 stop where the bytes are handed over.
    record_latency(benchmark, handed[-rounds:], baseline="test_kalshi_session_send")


def logged_on_session(signer: LogonSigner) -> Session:
    """A sans-IO session with the Kalshi client's configuration, logged on by an acceptor
    ``Session``; no I/O.
    """
    config = KalshiClient.session_config(kalshi_config(signer, 0))
    initiator = Session(config)
    acceptor = Session(
        SessionConfig(sender_comp_id=KALSHI_NR, target_comp_id=API_KEY, role=Role.ACCEPTOR)
    )
    initiator.connection_made(NOW)
    acceptor.connection_made(NOW)
    acceptor.receive(initiator.data_to_send(), NOW)
    initiator.receive(acceptor.data_to_send(), NOW)
    assert initiator.logged_on, initiator.next_events()
    assert acceptor.logged_on, acceptor.next_events()
    assert initiator.data_to_send() == b""
    initiator.next_events()
    return initiator


@pytest.mark.benchmark(group="kalshi-send")
def test_kalshi_session_send(benchmark: Benchmark, signer: LogonSigner) -> None:
    """The same order on a sans-IO session; the bytes must be the expected ones."""
    session = logged_on_session(signer)
    group_id = ORDER.order_group_id

    def send() -> bytes:
        session.send("D", wire_fields(ORDER, group_id), NOW)
        return session.data_to_send()

    rounds, warmup = SESSION_SEND_ROUNDS
    sent = benchmark.pedantic(send, rounds=rounds, warmup_rounds=warmup)
    last = session.store.next_sender_seq - 1
    body = header("D", API_KEY, KALSHI_NR, last, SENDING_TIME_TEXT) + wire_text(ORDER, group_id)
    assert sent == frame(body)
    assert session.next_events() == []
    record_latency(benchmark)


# Group "kalshi-roundtrip".


class KalshiPeer(ChildPeer):
    """The simulator in a child process (``kalshi_peer.py``), accepting ``signer``'s Logons.

    Args:
        directory: For its files.
        signer: The client's key; its public half is registered.
        api_keys: The API keys it accepts, all with ``signer``'s key.
        plain: Instead of the simulator, fixwire's plain acceptor of a KalshiNR session with
            the first key, over TLS, answering each order with a canned report (its
            :attr:`answered` is known once closed, :attr:`open_orders` stays None).
        tls: False: the simulator on plain TCP, for a comparison with a plain session on
            TCP; it has no certificate, so no :attr:`context` or :attr:`sha256`.
    """

    #: A client context that trusts its certificate only (TLS peers).
    context: ssl.SSLContext
    #: The SHA-256 of its certificate, to pin (TLS peers).
    sha256: str

    def __init__(
        self,
        directory: Path,
        signer: LogonSigner,
        api_keys: tuple[str, ...] = (API_KEY,),
        *,
        plain: bool = False,
        tls: bool = True,
    ) -> None:
        public_key = directory / "client-public.pem"
        public_key.write_bytes(signer.public_key_pem())
        certificate = directory / "simulator-cert.pem"
        args = [str(public_key), str(certificate), ",".join(api_keys), MARKET]
        if plain:
            args.append("plain")
        elif not tls:
            args.append("tcp")
        super().__init__("kalshi", "benches.kalshi_peer", args, directory)
        line = self._read_line()
        words = line.split()
        self._started(line, len(words) == 4 and (words[0], words[2]) == ("port", "sha256"))
        #: The port it listens on, on 127.0.0.1.
        self.port = int(words[1])
        #: Whether it listens with TLS.
        self.tls = plain or tls
        if self.tls:
            self.sha256 = words[3]
            self.context = ssl.create_default_context(
                cadata=certificate.read_text(encoding="ascii")
            )
            self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        #: The key's orders left open in the matching engine; known once closed.
        self.open_orders: int | None = None
        #: The plain acceptor's answers; known once closed.
        self.answered: int | None = None
        self._plain = plain

    def cpu(self) -> float:
        """The CPU time, in seconds, the simulator's process has used so far.

        Raises:
            RuntimeError: No answer within the timeout.
        """
        return float(self._ask("cpu", "cpu ").split()[1])

    def close(self) -> None:
        """Stops the peer (closes its stdin) and reads what it did.

        Raises:
            RuntimeError: The peer failed or reported errors.
        """
        lines = self._finish()
        counted = "answered " if self._plain else "open "
        counts = [int(line.split()[1]) for line in lines if line.startswith(counted)]
        problems = [line for line in lines if line.startswith("error ")]
        if self._process.returncode != 0 or problems or not counts:
            raise self._failed(problems)
        if self._plain:
            self.answered = counts[0]
        else:
            self.open_orders = counts[0]


async def round_trips(
    client: KalshiClient, reports: Reports, orders: list[NewOrderSingle], group_id: str
) -> list[int]:
    """Places each order, times its New report (ns), then cancels it and waits for that."""
    timed: list[int] = []
    for order in orders:
        sent = time.perf_counter_ns()
        place(client, order, group_id)
        ack = await reports.next()
        timed.append(time.perf_counter_ns() - sent)
        check_report(ack, order.cl_ord_id, "0")
        cancel_id = client.cancel(order.cl_ord_id)
        check_report(await reports.next(), cancel_id, "4", Decimal(0))
    return timed


@pytest.mark.benchmark(group="kalshi-roundtrip")
def test_kalshi_round_trip(benchmark: Benchmark, tmp_path: Path, signer: LogonSigner) -> None:
    """Order out, New report in, one at a time, each order cancelled after; every report must
    answer its own order and the book must end empty.
    """
    count, warmup = SMOKE_ROUND_TRIPS if benchmark.disabled else ROUND_TRIPS
    orders = numbered_orders(warmup + count)
    with asyncio.Runner() as runner, KalshiPeer(tmp_path, signer) as peer:
        client = runner.run(
            bounded(
                KalshiClient.connect(
                    kalshi_config(signer, peer.port),
                    ssl=peer.context,
                    server_hostname="localhost",
                    pin_sha256=peer.sha256,
                )
            )
        )
        reports = Reports(client)
        try:
            group_id = runner.run(bounded(reports.open_group()))

            def run(batch: list[NewOrderSingle]) -> list[int]:
                return runner.run(bounded(round_trips(client, reports, batch, group_id)))

            run(orders[:warmup])
            timed = benchmark.pedantic(run, args=(orders[warmup:],), rounds=1)
        finally:
            runner.run(bounded(reports.close()))
    assert peer.open_orders == 0
    assert len(timed) == count
    assert all(client.orders[o.cl_ord_id].status == "canceled" for o in orders)
    record_latency(benchmark, [ns / 1e9 for ns in timed], baseline=BASELINE)
