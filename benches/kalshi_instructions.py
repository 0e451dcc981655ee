"""Instructions per order of the Kalshi simulator and of the Kalshi client, counted by callgrind.

The round trips of ``bench_kalshi_sim.py`` move by 15 µs and more between runs on a loaded
machine; instruction counts do not. A worker process wires a
:class:`~fixwire.kalshi.KalshiClient` (KalshiNR, ``bench_kalshi.py``'s configuration, the
client called back as ``bench_kalshi_sim.py``'s ``CalledBack``: each New report has its order
cancelled, each Canceled report places the next, in an order group) to the
:class:`~fixwire.kalshi.sim.Simulator`'s own ``_run`` through two
:class:`~fixwire.session.Connection`s whose transports keep the bytes (``bench_kalshi.py``'s
``KeptBytes``), and moves each message across by hand, one message a read: no socket, no event
loop turn. Collection is on only inside ``functools.reduce``, which wraps the counted reads
(``--collect-atstart=no --toggle-collect=functools_reduce``). After :data:`WARM_UP` round trips
the worker runs ``gc.collect()``, ``gc.freeze()`` and ``gc.disable()``: a collection falls on
one round trip in a hundred or more, never on the median one that the benchmark's p50 times.
Each case is counted for ``N`` and ``2N`` round trips (``PYTHONHASHSEED=0``); the difference
over ``N`` is one round trip's share. Every report is checked to be the one expected, and the
engine to end with no open order. Run it from the repository with the interpreter that has the
(release) build installed: ``python benches/kalshi_instructions.py [CASE ...]``. Cases:

* ``simulator``: the simulator's read of a NewOrderSingle <D>, up to its New report handed to
  the transport: the timed half of the order's path (the cancel is not counted).
* ``client report``: the client's read of that New report, up to its callback.
* ``client order``: ``KalshiClient.new_order`` placing the order, up to the transport.
* ``plain answer``, ``plain report`` and ``plain order``: the same between a plain fixwire
  initiator and acceptor (``bench_session.py``'s configurations and order fields, the acceptor
  answering each order with ``session_peer.py``'s canned report from its callback): the plain
  session of the benchmark's ratio, counted the same way.

Run from a directory of its own (the repository is fine): the import system lists the
directories on ``sys.path``, and one that other work fills moves the counts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import gc
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benches import callgrind  # after the path
from benches.bench_kalshi import KeptBytes, kalshi_config, place
from benches.bench_session import ACCEPTOR, INITIATOR, numbered_orders, order_fields
from benches.conftest import NewOrderSingle
from benches.session_peer import Answers
from fixwire.kalshi import (
    ExecutionReport,
    KalshiClient,
    LogonSigner,
    OrderGroupResponse,
    generate_key,
)
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.sim.resend import RetentionStore
from fixwire.session import Connection, Event, Received, Session
from fixwire.session.connection import _Protocol

CASES = (
    "simulator",
    "client report",
    "client order",
    "plain answer",
    "plain report",
    "plain order",
)
WARM_UP = 300
"""Round trips before the counted ones."""
COUNT = 1_000
"""``N``: round trips of the shorter count."""
API_KEY = "a1b2c3d4-0000-4000-8000-00000000000b"
MARKET = "HIGHNY-23DEC31"


def _feed(protocol: _Protocol, wire: bytes) -> None:
    """Hands ``wire`` to ``protocol`` as one read."""
    buffer = protocol.get_buffer(-1)
    buffer[: len(wire)] = wire
    protocol.buffer_updated(len(wire))


def _counted(read: Callable[[], object]) -> None:
    """Runs ``read`` inside ``functools.reduce``: what the worker's callgrind counts."""
    functools.reduce(lambda _, __: read(), (None,), None)


def _read(protocol: _Protocol, wire: bytes, counting: bool) -> None:
    """:func:`_feed`, counted when ``counting``."""
    if counting:
        _counted(lambda: _feed(protocol, wire))
    else:
        _feed(protocol, wire)


async def _round_trips(case: str, count: int) -> None:
    """``WARM_UP + count`` round trips, ``case``'s part of the last ``count`` counted."""
    signer = LogonSigner(generate_key())
    sim = Simulator([MARKET])
    sim.register(API_KEY, signer.public_key_pem())
    config = dataclasses.replace(kalshi_config(signer, 1), api_key=API_KEY)
    venue_config = sim._lookup("KalshiNR", API_KEY)
    assert venue_config is not None
    venue = Connection(Session(venue_config, RetentionStore(sim._clock)))
    served = asyncio.create_task(sim._run(venue))
    await asyncio.sleep(0)  # _run sets its callback
    client_connection = Connection(Session(KalshiClient.session_config(config)))
    to_client, to_venue = KeptBytes(), KeptBytes()
    venue_protocol = _Protocol(venue, None)
    client_protocol = _Protocol(client_connection, None)
    venue_protocol.connection_made(to_client)
    client_protocol.connection_made(to_venue)  # the client's Logon
    client = KalshiClient(config, client_connection)
    reports: list[object] = []
    client.set_on_event(reports.append)

    def exchange() -> None:
        """Moves messages both ways until neither side has more to send."""
        while True:
            if wire := to_venue.take():
                _feed(venue_protocol, wire)
            elif wire := to_client.take():
                _feed(client_protocol, wire)
            else:
                return

    exchange()
    client.order_group("create", contracts_limit=1_000_000)
    exchange()
    group = reports.pop()
    assert isinstance(group, OrderGroupResponse), group
    reports.clear()
    orders = numbered_orders(WARM_UP + count)

    def one(index: int, counting: bool) -> None:
        order = orders[index]
        if counting and case == "client order":
            _counted(lambda: place(client, order, group.order_group_id))
        else:
            place(client, order, group.order_group_id)
        _read(venue_protocol, to_venue.take(), counting and case == "simulator")
        _read(client_protocol, to_client.take(), counting and case == "client report")
        new = reports.pop()
        assert isinstance(new, ExecutionReport), new
        assert (new.exec_type, new.cl_ord_id) == ("0", order.cl_ord_id), new
        client.cancel(order.cl_ord_id)
        exchange()
        canceled = reports.pop()
        assert isinstance(canceled, ExecutionReport), canceled
        assert canceled.exec_type == "4", canceled
        assert not reports, reports

    for index in range(WARM_UP):
        one(index, False)
    gc.collect()
    gc.freeze()
    gc.disable()
    for index in range(WARM_UP, WARM_UP + count):
        one(index, True)
    if sim.engine.open_orders():
        raise RuntimeError("orders left open in the engine")
    served.cancel()


def _send_plain(initiator: Connection, order: NewOrderSingle) -> None:
    """Sends ``order`` as the plain session's initiator does."""
    initiator.send("D", order_fields(order))


async def _plain_round_trips(case: str, count: int) -> None:
    """``WARM_UP + count`` round trips between a plain initiator and acceptor, ``case``'s
    read of the last ``count`` counted.
    """
    acceptor = Connection(Session(ACCEPTOR))
    answers = Answers()
    acceptor.set_on_event(answers.to(acceptor))
    initiator = Connection(Session(INITIATOR))
    reports: list[str] = []

    def on_event(event: Event) -> None:
        if isinstance(event, Received) and event.message.msg_type == "8":
            reports.append(event.message[11])

    initiator.set_on_event(on_event)
    to_initiator, to_acceptor = KeptBytes(), KeptBytes()
    acceptor_protocol = _Protocol(acceptor, None)
    initiator_protocol = _Protocol(initiator, None)
    acceptor_protocol.connection_made(to_initiator)
    initiator_protocol.connection_made(to_acceptor)  # the Logon
    _feed(acceptor_protocol, to_acceptor.take())
    _feed(initiator_protocol, to_initiator.take())
    orders = numbered_orders(WARM_UP + count)
    for index, order in enumerate(orders):
        counting = index >= WARM_UP
        if index == WARM_UP:
            gc.collect()
            gc.freeze()
            gc.disable()
        if counting and case == "plain order":
            _counted(functools.partial(_send_plain, initiator, order))
        else:
            initiator.send("D", order_fields(order))
        _read(acceptor_protocol, to_acceptor.take(), counting and case == "plain answer")
        _read(initiator_protocol, to_initiator.take(), counting and case == "plain report")
        if reports != [order.cl_ord_id] or answers.errors:
            raise RuntimeError(f"order {order.cl_ord_id}: reports {reports}, {answers.errors}")
        reports.clear()


def counted(case: str, count: int) -> int:
    """Instructions counted in a worker process running ``count`` round trips of ``case``."""
    options = ["--collect-atstart=no", "--toggle-collect=functools_reduce"]
    return callgrind.counted(__file__, case, count, options)


def main() -> None:
    """Counts the cases named on the command line (every case when none is) and prints
    instructions per round trip; ``--worker CASE COUNT`` is a worker.
    """
    if sys.argv[1:2] == ["--worker"]:
        case = sys.argv[2]
        work = _plain_round_trips if case.startswith("plain") else _round_trips
        asyncio.run(work(case, int(sys.argv[3])))
        return
    for case in sys.argv[1:] or CASES:
        if case not in CASES:
            raise SystemExit(f"unknown case {case!r}; the cases: {', '.join(CASES)}")
        each = (counted(case, 2 * COUNT) - counted(case, COUNT)) / COUNT
        print(f"{case:<14} {each:8.0f} instructions per order")


if __name__ == "__main__":
    main()
