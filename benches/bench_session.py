"""Groups "session-send" and "session-roundtrip": the FIXT.1.1 session layer, out and back.

Every order is the ~250-byte NewOrderSingle <35=D> of the other groups, built from the typed
:data:`~benches.conftest.ORDER` inside the timed call. Budget (``shared/design.md``): the send
path, from the application's call to the bytes handed to the transport, <= 5 us p50 with the
in-memory store. pytest-benchmark's table has no p99, so each benchmark records its p50 and p99
with :func:`~benches.conftest.record_latency`; they are printed after the run.

Group "session-send", one call per round (``benchmark.pedantic``: the table's median is the p50;
each sample includes one read of ``time.perf_counter``, about 0.1 us here):

* ``test_send[store]``: ``Session.send`` then ``Session.data_to_send`` on a logged-on sans-IO
  session (logged on by pumping bytes with an acceptor ``Session``), with a ``MemoryStore``, a
  ``JournalStore`` with ``Sync.WRITE`` and one with ``Sync.FSYNC``, the journals under pytest's
  ``tmp_path`` (a real disk here, so the FSYNC case is mostly ``fdatasync``). The bytes must be
  those framed in pure Python by ``conftest.py``, and the store must hold every order sent (a
  journal is reopened to check). ``memory-messagelog`` is the in-memory case with the session
  message log on (``SessionConfig.message_log``, a file under ``tmp_path``, flushed every
  100 sends as a connection would flush it once per turn of its loop): its cost is its ratio to
  ``memory`` in the same run. The log must hold every order sent.
* ``test_connection_send``: ``Connection.send`` to a fixwire acceptor (``serve``) over loopback
  TCP: the above plus ``time.time()`` and the socket's ``send`` syscall. Before each round,
  untimed, the event loop runs until the acceptor has read every order sent, so each send finds
  the socket idle. On asyncio's own event loop and on uvloop's (the acceptor on the same loop,
  in this process), and on asyncio's with asyncio's own transports (``asyncio-transports``).

Group "session-roundtrip": NewOrderSingle out, ExecutionReport <35=8> in, over loopback TCP
with one order in flight: the callback that receives each report sends the next order. Each
case runs 200 warm-up round trips, then times 2,000 in one pedantic round (the table shows that
round: divide by 2,000 for the mean); the p50 and p99 come from a ``time.perf_counter_ns()`` pair
per round trip, read just before the order is built and first thing in the callback that gets
its report. Cases, initiator-to-acceptor:

* ``quickfix-to-quickfix``: QuickFIX's own initiator (``SocketInitiator``, sending from its
  ``fromApp``) against a QuickFIX acceptor answering in its ``fromApp``: the baseline of every
  other case's ratio in the summary (issue 17's target: fixwire-to-fixwire <= 0.33x of it).
* ``fixwire-to-quickfix``: fixwire's ``connect``, called back with ``on_event``, against the
  same acceptor.
* ``fixwire-to-fixwire``: against a fixwire acceptor (``serve``) answering from the callback
  ``Connection.set_on_event`` installs, with no other setting changed (memory store, no message
  log, no dictionary).
* ``fixwire-to-fixwire-iterating``: the acceptor answering as it iterates its events
  (``async for``), a task switch per order: how every fixwire acceptor answered before
  ``set_on_event``.
* ``...-uvloop``: the same with fixwire on uvloop's event loop (both sides, where both are
  fixwire); the others run on asyncio's own.
* ``fixwire-to-fixwire-asyncio-transports``: ``fixwire-to-fixwire`` with asyncio's own
  transports on both sides instead of fixwire's (``fixwire.session.socket_transport``, which
  plain TCP on asyncio's loop gets by default): the same run's measure of what that
  transport changes.

The acceptor runs in a child process (``session_peer.py``): in this one, its Python would take
turns at the GIL with the initiator being measured, and a thread waiting for the GIL can wait a
whole 5 ms switch interval (run that way, both QuickFIX-acceptor cases had a p99 of 5.5 ms). The
initiator runs here: fixwire on an event loop in the main thread, QuickFIX on its own thread
while the main thread waits. QuickFIX is set up as fixwire's side is: memory store, no log, no
dictionary validation (see ``quickfix_engine.py``). The acceptor's own time is part of every
round trip, alike for both initiators against it, so the ratio understates the difference
between the initiators. Under ``--benchmark-disable`` each case runs 1 + 5 round trips. The
figures in ``docs/performance.md`` come from runs pinned to one core (``taskset -c 0``, which
the child process inherits), as a latency-minded deployment pins its engine.
"""

from __future__ import annotations

import asyncio
import select
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol, Self, TypeVar

import pytest
import uvloop

from benches.conftest import (
    API_KEY,
    HAVE_QUICKFIX,
    KALSHI_NR,
    ORDER,
    SENDING_TIME,
    Benchmark,
    NewOrderSingle,
    new_order_single_bytes,
    record_latency,
)
from fixwire import Message
from fixwire.session import (
    Connection,
    Disconnected,
    Event,
    FieldValue,
    Garbled,
    JournalStore,
    MemoryStore,
    MessageLog,
    Received,
    RejectReceived,
    Role,
    Session,
    SessionConfig,
    Store,
    Sync,
    connect,
    serve,
    socket_transport,
)

T = TypeVar("T")
Engine = Literal["fixwire", "quickfix"]
Loop = Literal["asyncio", "asyncio-transports", "uvloop"]

LOOPS: dict[Loop, Callable[[], asyncio.AbstractEventLoop] | None] = {
    "asyncio": None,
    "asyncio-transports": None,
    "uvloop": uvloop.new_event_loop,
}
"""The event loops fixwire runs on (``asyncio.Runner``'s ``loop_factory``): asyncio's own,
with fixwire's transport for plain TCP (the default) or with asyncio's transports (as before
``fixwire.session.socket_transport``), and uvloop's.
"""


def use_transports(loop: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Has the connections this process opens from now on use asyncio's own transports where
    ``loop`` is ``"asyncio-transports"``, fixwire's where it may otherwise.
    """
    monkeypatch.setattr(socket_transport, "enabled", loop != "asyncio-transports")


NOW = SENDING_TIME.timestamp()
"""The sans-IO sessions' clock: SendingTime <52> comes out as in ``conftest.py``'s order."""

TIMEOUT = 60.0
"""Seconds anything that waits on a peer may take before the benchmark fails."""

SEND_ROUNDS = {
    "memory": (20_000, 1_000),
    "journal-write": (20_000, 1_000),
    "journal-fsync": (2_000, 100),
    "memory-messagelog": (20_000, 1_000),
}
"""Timed and warm-up rounds of ``test_send`` per store."""
CONNECTION_SEND_ROUNDS = (5_000, 200)
"""Timed and warm-up rounds of ``test_connection_send``."""
ROUND_TRIPS = (2_000, 200)
"""Timed and warm-up round trips of each ``test_round_trip`` case."""
SMOKE_ROUND_TRIPS = (5, 1)
"""The same under ``--benchmark-disable``."""

ROOT = Path(__file__).resolve().parents[1]
"""The repository root, where ``python -m benches.session_peer`` finds its modules."""

HEADER_TAGS = frozenset({8, 9, 35, 49, 56, 34, 52, 10})

INITIATOR = SessionConfig(sender_comp_id=API_KEY, target_comp_id=KALSHI_NR)
ACCEPTOR = SessionConfig(sender_comp_id=KALSHI_NR, target_comp_id=API_KEY, role=Role.ACCEPTOR)


def order_fields(o: NewOrderSingle) -> list[tuple[int, FieldValue]]:
    """The order's body fields as typed values, as a strategy hands them to fixwire."""
    return [
        (11, o.cl_ord_id),
        (38, o.order_qty),
        (40, o.ord_type),
        (44, o.price),
        (54, o.side),
        (55, o.symbol),
        (59, o.time_in_force),
        (526, o.order_group_id),
        (2964, o.self_trade_prevention),
        (21006, o.cancel_on_pause),
    ]


def numbered_orders(count: int) -> list[NewOrderSingle]:
    """``count`` copies of :data:`ORDER`, each with its own ClOrdID <11>."""
    return [replace(ORDER, cl_ord_id=f"{n:08x}-2b1f-4e5d-8c6a-9f0e1d2c3b4a") for n in range(count)]


def body(message: Message) -> list[tuple[int, str]]:
    """The body fields of ``message``, in wire order."""
    return [(tag, value) for tag, value in message if tag not in HEADER_TAGS]


async def bounded(awaitable: Awaitable[T]) -> T:
    """``awaitable``, failing with TimeoutError after :data:`TIMEOUT` seconds."""
    async with asyncio.timeout(TIMEOUT):
        return await awaitable


# Group "session-send".


def open_store(kind: str, directory: Path) -> Store:
    """A fresh store of ``kind`` (a key of :data:`SEND_ROUNDS`), journals in ``directory``."""
    if kind.startswith("memory"):
        return MemoryStore()
    sync = Sync.FSYNC if kind == "journal-fsync" else Sync.WRITE
    return JournalStore(directory / "journal", sync=sync)


def logged_on_session(store: Store, config: SessionConfig = INITIATOR) -> Session:
    """An initiator session on ``store``, logged on by an acceptor ``Session``; no I/O."""
    initiator, acceptor = Session(config, store), Session(ACCEPTOR)
    initiator.connection_made(NOW)
    acceptor.connection_made(NOW)
    acceptor.receive(initiator.data_to_send(), NOW)
    initiator.receive(acceptor.data_to_send(), NOW)
    assert initiator.logged_on, initiator.next_events()
    assert acceptor.logged_on, acceptor.next_events()
    assert initiator.data_to_send() == b""
    initiator.next_events()
    return initiator


@pytest.mark.benchmark(group="session-send")
@pytest.mark.parametrize("store_kind", list(SEND_ROUNDS))
def test_send(benchmark: Benchmark, tmp_path: Path, store_kind: str) -> None:
    """Send the order on a logged-on sans-IO session; the bytes must be the expected ones."""
    store = open_store(store_kind, tmp_path)
    log = MessageLog(tmp_path / "messages.log") if store_kind.endswith("messagelog") else None
    try:
        session = logged_on_session(store, replace(INITIATOR, message_log=log))
        sends = 0

        def send() -> bytes:
            nonlocal sends
            session.send("D", order_fields(ORDER), NOW)
            sends += 1
            if log is not None and sends % 100 == 0:
                log.flush()
            return session.data_to_send()

        rounds, warmup = SEND_ROUNDS[store_kind]
        sent = benchmark.pedantic(send, rounds=rounds, warmup_rounds=warmup)
        last = store.next_sender_seq - 1
        if log is not None:
            log.close()
            logged = log.path.read_bytes().split(b"\n")
            assert logged[-1] == b""
            assert logged[-2].endswith(b" OUT " + sent)
            orders = [line for line in logged if b" OUT 8=" in line and b"\x0135=D\x01" in line]
            assert len(orders) == sends
        assert sent == new_order_single_bytes(seq_num=last)
        assert session.next_events() == []
        if isinstance(store, JournalStore):
            store.close()
            store = JournalStore(store.path)  # What a restart would find.
        assert store.next_sender_seq == last + 1
        kept = store.messages(2, last)  # MsgSeqNum 1 was the Logon.
        assert len(kept) == last - 1
        assert kept[last] == sent
    finally:
        store.close()
    record_latency(benchmark)


class OrderDesk:
    """A fixwire acceptor's handler: keeps the NewOrderSingles it receives, in order."""

    def __init__(self) -> None:
        self.orders: list[Message] = []
        self._arrived = asyncio.Event()

    async def handle(self, conn: Connection) -> None:
        """Serves one session (``serve``'s handler)."""
        async for event in conn:
            if isinstance(event, Received) and event.message.msg_type == "D":
                self.orders.append(event.message)
                self._arrived.set()

    async def until(self, count: int) -> None:
        """Waits until ``count`` orders have arrived."""
        while len(self.orders) < count:
            self._arrived.clear()
            await self._arrived.wait()


async def open_initiator(
    port: int,
    on_event: Callable[[Event], None] | None = None,
    *,
    tls: TlsPeer | None = None,
) -> Connection:
    """A fixwire initiator connected to 127.0.0.1:``port`` and logged on; over TLS to ``tls``
    (its certificate trusted and pinned) when given.
    """
    if tls is None:
        conn = await connect(INITIATOR, "127.0.0.1", port, on_event=on_event)
    else:
        conn = await connect(
            INITIATOR,
            "127.0.0.1",
            port,
            ssl=tls.context,
            server_hostname="localhost",
            pin_sha256=tls.sha256,
            on_event=on_event,
        )
    await conn.logged_on()
    return conn


@pytest.mark.benchmark(group="session-send")
@pytest.mark.parametrize("loop", ["asyncio", "asyncio-transports", "uvloop"])
def test_connection_send(benchmark: Benchmark, monkeypatch: pytest.MonkeyPatch, loop: Loop) -> None:
    """``Connection.send`` over loopback TCP; the acceptor must receive every order intact."""
    use_transports(loop, monkeypatch)
    desk = OrderDesk()
    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        acceptor = runner.run(bounded(serve([ACCEPTOR], desk.handle, "127.0.0.1", 0)))
        try:
            conn = runner.run(bounded(open_initiator(acceptor.port)))
            try:

                def caught_up() -> None:
                    # Orders sent so far: MsgSeqNum 1 was the Logon.
                    runner.run(bounded(desk.until(conn.session.store.next_sender_seq - 2)))

                def send() -> int:
                    return conn.send("D", order_fields(ORDER))

                rounds, warmup = CONNECTION_SEND_ROUNDS
                last = benchmark.pedantic(
                    send, setup=caught_up, rounds=rounds, warmup_rounds=warmup
                )
                runner.run(bounded(desk.until(last - 1)))
            finally:
                runner.run(bounded(conn.close()))
        finally:
            runner.run(bounded(acceptor.close()))
    assert [m.seq_num for m in desk.orders] == list(range(2, last + 1))
    assert body(desk.orders[-1]) == ORDER.body_fields()
    assert desk.orders[-1][49] == API_KEY
    record_latency(benchmark)


# Group "session-roundtrip".


class PingPong:
    """Round trips with one order in flight: the report on each order sends the next one.

    Args:
        orders: The orders, sent in turn.
        send: Builds and sends one order; called right after ``time.perf_counter_ns()``.
        finished: Called once, when the last report is in or something failed.
    """

    def __init__(
        self,
        orders: Sequence[NewOrderSingle],
        send: Callable[[NewOrderSingle], object],
        finished: Callable[[], None],
    ) -> None:
        self._orders = orders
        self._send = send
        self._finished = finished
        self._next = 0
        self._sent_at = 0
        self.done = False
        #: Nanoseconds from each order's send to its report.
        self.round_trips_ns: list[int] = []
        #: What went wrong, if something did.
        self.error: str | None = None

    def start(self) -> None:
        """Sends the first order."""
        self._send_next()

    def report(self, arrived: int, cl_ord_id: str | None) -> None:
        """An ExecutionReport arrived at ``arrived`` (``perf_counter_ns``) for ``cl_ord_id``
        (None: not an ExecutionReport).
        """
        if self.done:
            return
        expected = self._orders[self._next - 1].cl_ord_id
        if cl_ord_id != expected:
            self.fail(f"report {self._next}: ClOrdID <11> {cl_ord_id!r}, expected {expected!r}")
            return
        self.round_trips_ns.append(arrived - self._sent_at)
        if self._next == len(self._orders):
            self._finish()
        else:
            self._send_next()

    def fail(self, why: str) -> None:
        """Stops the round trips with an error."""
        if not self.done:
            self.error = why
            self._finish()

    def _send_next(self) -> None:
        order = self._orders[self._next]
        self._next += 1
        self._sent_at = time.perf_counter_ns()
        try:
            self._send(order)
        except Exception as e:  # It may run in a peer's callback: reported.
            self.fail(f"sending order {self._next}: {e!r}")

    def _finish(self) -> None:
        self.done = True
        self._finished()

    def result(self) -> list[int]:
        """The round trips in nanoseconds.

        Raises:
            AssertionError: They did not all complete.
        """
        assert self.error is None, self.error
        assert len(self.round_trips_ns) == len(self._orders)
        return self.round_trips_ns


class Initiator(Protocol):
    """One side of the round-trip cases: sends orders, times their reports."""

    def round_trips(self, orders: Sequence[NewOrderSingle]) -> list[int]:
        """Sends each order when the previous one's report is in; returns the round trips (ns)."""

    def close(self) -> None:
        """Logs out and closes."""


class TlsPeer(Protocol):
    """A peer listening with TLS on 127.0.0.1: a context that trusts its certificate, and the
    certificate's SHA-256 to pin.
    """

    context: ssl.SSLContext
    sha256: str


class FixwireInitiator:
    """fixwire's ``connect`` on the runner's event loop, with an ``on_event`` callback; or,
    with ``iterate``, a task iterating the connection's events (``async for``) instead. Over
    TLS to ``tls`` when given.
    """

    def __init__(
        self,
        runner: asyncio.Runner,
        port: int,
        *,
        iterate: bool = False,
        tls: TlsPeer | None = None,
    ) -> None:
        self._runner = runner
        self._ping: PingPong | None = None
        self._conn = runner.run(
            bounded(open_initiator(port, None if iterate else self._on_event, tls=tls))
        )
        self._iterating = runner.get_loop().create_task(self._iterate()) if iterate else None

    @property
    def connection(self) -> Connection:
        """The initiator's connection."""
        return self._conn

    async def _iterate(self) -> None:
        async for event in self._conn:
            self._on_event(event)

    def _on_event(self, event: Event) -> None:
        arrived = time.perf_counter_ns()
        ping = self._ping
        if ping is None:
            return
        if isinstance(event, Received):
            message = event.message
            ping.report(arrived, message.get(11) if message.msg_type == "8" else None)
        elif isinstance(event, Disconnected | RejectReceived | Garbled):
            ping.fail(repr(event))

    def round_trips(self, orders: Sequence[NewOrderSingle]) -> list[int]:
        return self._runner.run(bounded(self._round_trips(orders)))

    async def _round_trips(self, orders: Sequence[NewOrderSingle]) -> list[int]:
        finished = asyncio.get_running_loop().create_future()
        ping = PingPong(
            orders,
            lambda order: self._conn.send("D", order_fields(order)),
            lambda: finished.set_result(None),
        )
        self._ping = ping
        try:
            ping.start()
            await finished
        finally:
            self._ping = None
        return ping.result()

    def close(self) -> None:
        self._runner.run(bounded(self._conn.close()))
        if self._iterating is not None:
            self._runner.run(bounded(self._iterating))


class QuickFixInitiator:
    """QuickFIX's ``SocketInitiator``, sending each next order from its ``fromApp``."""

    def __init__(self, directory: Path, port: int) -> None:
        from benches.quickfix_engine import QuickFixEngine, Sender

        self._app = Sender()
        self._engine = QuickFixEngine(
            directory,
            self._app,
            role="initiator",
            sender_comp_id=API_KEY,
            target_comp_id=KALSHI_NR,
            port=port,
        )
        self._engine.start()
        if not self._app.logged_on.wait(TIMEOUT):
            self._engine.stop()
            raise TimeoutError(f"QuickFIX initiator not logged on within {TIMEOUT} s")

    def round_trips(self, orders: Sequence[NewOrderSingle]) -> list[int]:
        finished = threading.Event()
        ping = PingPong(
            orders, lambda order: self._app.send("D", order.body_fields()), finished.set
        )
        self._app.on_report = ping.report
        try:
            ping.start()
            if not finished.wait(TIMEOUT):
                raise TimeoutError(f"QuickFIX round trips not done within {TIMEOUT} s")
        finally:
            self._app.on_report = None
        return ping.result()

    def close(self) -> None:
        # No Logout handshake: QuickFIX would take up to a second (its timer tick) to send it.
        self._engine.stop()


class ChildPeer:
    """A benchmark peer in a child process: started with ``python -m <module> ARGS``, it writes
    one line on stdout once it listens and the rest when its stdin is closed.

    Args:
        name: For messages and its stderr file.
        module: The peer's module.
        args: Its command-line arguments.
        directory: For its stderr file.
    """

    def __init__(self, name: str, module: str, args: list[str], directory: Path) -> None:
        self._name = name
        # stderr goes to a file: a pipe nobody reads until the end could fill and stall the peer.
        self._stderr = directory / f"{name}-peer.stderr"
        with self._stderr.open("w", encoding="utf-8") as stderr:
            # faulthandler: a crash of the peer leaves a traceback in its stderr.
            self._process = subprocess.Popen(
                [sys.executable, "-X", "faulthandler", "-m", module, *args],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )

    def _read_line(self) -> str:
        """The peer's next stdout line, or "" when none comes within the timeout."""
        stdout = self._process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], TIMEOUT)
        return stdout.readline() if ready else ""

    def _ask(self, question: str, answer: str) -> str:
        """Writes the line ``question`` to the peer; returns its answer, a line starting with
        ``answer``.

        Raises:
            RuntimeError: No such answer within the timeout.
        """
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(f"{question}\n")
        stdin.flush()
        line = self._read_line()
        if not line.startswith(answer):
            raise RuntimeError(
                f"{self._name} peer did not answer {question!r}: {line!r} {self._errors()}"
            )
        return line

    def _started(self, line: str, ok: bool) -> None:
        """Stops the peer and raises unless its first line, ``line``, is ``ok``."""
        if not ok:
            self._kill()
            raise RuntimeError(f"{self._name} peer did not start: {line!r} {self._errors()}")

    def _finish(self) -> list[str]:
        """Closes the peer's stdin and returns the lines it wrote until it exited."""
        try:
            out, _ = self._process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._kill()
            raise RuntimeError(f"{self._name} peer did not stop within {TIMEOUT} s") from None
        return out.splitlines()

    def _failed(self, problems: list[str]) -> RuntimeError:
        return RuntimeError(
            f"{self._name} peer exited with {self._process.returncode}: {problems} {self._errors()}"
        )

    def close(self) -> None:
        """Stops the peer and checks what it reported."""
        raise NotImplementedError

    def _kill(self) -> None:
        self._process.kill()
        self._process.communicate()

    def _errors(self) -> str:
        return self._stderr.read_text(encoding="utf-8", errors="replace").strip()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
        else:
            self._kill()


class Peer(ChildPeer):
    """The round trips' acceptor, KalshiNR, answering every order, in a child process
    (``session_peer.py``).

    Args:
        kind: Which engine.
        directory: For its files.
        loop: fixwire's event loop.
        call_back: Whether fixwire answers from ``Connection.set_on_event``'s callback rather
            than as it iterates its events.
    """

    def __init__(
        self, kind: Engine, directory: Path, *, loop: Loop = "asyncio", call_back: bool = False
    ) -> None:
        args = [kind, str(directory), KALSHI_NR, API_KEY]
        if loop != "asyncio":
            args.append(loop)
        if call_back:
            args.append("call-back")
        super().__init__(kind, "benches.session_peer", args, directory)
        line = self._read_line()
        self._started(line, line.startswith("port "))
        #: The port it listens on, on 127.0.0.1.
        self.port = int(line.split()[1])
        #: Orders it answered; known after :meth:`report` or :meth:`close`.
        self.answered = 0
        self._kind = kind
        self._reported = False

    def report(self) -> None:
        """Asks the peer how many orders it answered, while the initiator is still connected.

        Raises:
            RuntimeError: No answer within the timeout.
        """
        self.answered = int(self._ask("report", "answered ").split()[1])
        self._reported = True

    def close(self) -> None:
        """Stops the peer (closes its stdin) and reads what it did.

        Raises:
            RuntimeError: The peer failed or reported errors.
        """
        lines = self._finish()
        answered = [int(line.split()[1]) for line in lines if line.startswith("answered ")]
        problems = [line for line in lines if line.startswith("error ")]
        # QuickFIX 1.16 can crash (SIGSEGV) in its own teardown after the initiator has gone;
        # the peer already said what it answered (report), so that crash is not the
        # benchmark's business. Any other failure is.
        teardown_crash = (
            self._kind == "quickfix"
            and self._reported
            and self._process.returncode == -signal.SIGSEGV
        )
        failed = self._process.returncode != 0 and not teardown_crash
        if failed or problems or not (answered or self._reported):
            raise self._failed(problems)
        if answered:
            self.answered = answered[-1]


@dataclass(frozen=True)
class RoundTripCase:
    """One ``test_round_trip`` case: who initiates, who accepts, on which event loop (fixwire's
    sides, both), and whether a fixwire acceptor answers from a callback or as it iterates.
    """

    initiator: Engine
    acceptor: Engine
    loop: Loop = "asyncio"
    call_back: bool = True


ROUND_TRIP_CASES: dict[str, RoundTripCase] = {
    "fixwire-to-fixwire": RoundTripCase("fixwire", "fixwire"),
    "fixwire-to-fixwire-asyncio-transports": RoundTripCase(
        "fixwire", "fixwire", "asyncio-transports"
    ),
    "fixwire-to-fixwire-uvloop": RoundTripCase("fixwire", "fixwire", "uvloop"),
    "fixwire-to-fixwire-iterating": RoundTripCase("fixwire", "fixwire", call_back=False),
    "fixwire-to-fixwire-iterating-uvloop": RoundTripCase(
        "fixwire", "fixwire", "uvloop", call_back=False
    ),
}
"""The cases by name."""
if HAVE_QUICKFIX:
    ROUND_TRIP_CASES = {
        "quickfix-to-quickfix": RoundTripCase("quickfix", "quickfix"),
        "fixwire-to-quickfix": RoundTripCase("fixwire", "quickfix"),
        "fixwire-to-quickfix-uvloop": RoundTripCase("fixwire", "quickfix", "uvloop"),
        **ROUND_TRIP_CASES,
    }
BASELINE = "test_round_trip[quickfix-to-quickfix]"
"""The case the summary compares fixwire's with."""


@pytest.mark.benchmark(group="session-roundtrip")
@pytest.mark.parametrize("case", list(ROUND_TRIP_CASES))
def test_round_trip(
    benchmark: Benchmark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Order out, report in, one at a time; every report must answer its own order."""
    setup = ROUND_TRIP_CASES[case]
    use_transports(setup.loop, monkeypatch)
    count, warmup = SMOKE_ROUND_TRIPS if benchmark.disabled else ROUND_TRIPS
    orders = numbered_orders(warmup + count)
    with (
        asyncio.Runner(loop_factory=LOOPS[setup.loop]) as runner,
        Peer(setup.acceptor, tmp_path, loop=setup.loop, call_back=setup.call_back) as peer,
    ):
        initiator: Initiator = (
            FixwireInitiator(runner, peer.port)
            if setup.initiator == "fixwire"
            else QuickFixInitiator(tmp_path, peer.port)
        )
        try:
            initiator.round_trips(orders[:warmup])
            timed = benchmark.pedantic(initiator.round_trips, args=(orders[warmup:],), rounds=1)
            peer.report()
        finally:
            initiator.close()
    assert peer.answered == len(orders)
    record_latency(
        benchmark,
        [ns / 1e9 for ns in timed],
        baseline=None if setup.initiator == "quickfix" else BASELINE,
    )
