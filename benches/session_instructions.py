"""Instructions per order of fixwire's session layer, counted by callgrind (issue 17).

The round trips of ``bench_session.py`` move by 15% or more between runs on a loaded machine;
instruction counts do not. Each case runs as a *worker* under ``valgrind --tool=callgrind``
twice, with ``N`` and ``2N`` orders after the same set-up, warm-up, ``gc.freeze()`` and
``gc.disable()`` (and ``PYTHONHASHSEED=0``); the difference divided by ``N`` is one order's
cost. Run it from the repository with the interpreter that has the (release) build installed:
``python benches/session_instructions.py [CASE ...]``. Cases:

* ``answer``: an acceptor :class:`~fixwire.session.Connection` answering from ``on_event``, as
  ``session_peer.py`` does: a NewOrderSingle <35=D>'s bytes handed to the connection's protocol
  (``buffer_updated``), framed and checked by the session, the callback building the
  ExecutionReport <35=8> and sending it (``Connection.send``: encoded, stored, handed to the
  transport). The transport is ``bench_kalshi.py``'s, which keeps the bytes: no socket, no
  event loop turn.
* ``answer, no send``: the same with a callback that only counts the order: the read path.
* ``round trip asyncio`` / ``round trip uvloop``: both ends in this process on one event loop
  over loopback TCP, a fixwire initiator sending each order from the callback that receives
  the last one's report, against the acceptor above: both sides, the loop and the system calls
  (their user-space part) of one round trip. On asyncio's loop both connections get fixwire's
  own transport (:mod:`fixwire.session.socket_transport`, the default for plain TCP there);
  ``round trip asyncio transports`` is the same with asyncio's own transports.
"""

import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvloop  # after the path that finds benches

from benches import callgrind
from benches.bench_kalshi import KeptBytes
from benches.bench_session import ACCEPTOR, INITIATOR, numbered_orders, order_fields
from benches.session_peer import execution_report
from fixwire.session import (
    Connection,
    Event,
    Received,
    Session,
    connect,
    serve,
    socket_transport,
)
from fixwire.session.connection import _Protocol

CASES = (
    "answer",
    "answer, no send",
    "round trip asyncio",
    "round trip asyncio transports",
    "round trip uvloop",
)
WARM_UP = 300
"""Orders before the counted ones."""
MOST = 4_000
"""The most orders a worker counts: every worker prepares this many, whatever it counts."""


class _Answerer:
    """The acceptor's callback: answers each order (or only counts it, without ``send``)."""

    def __init__(self, conn: Connection, send: bool) -> None:
        self._conn = conn
        self._send = send
        self.answered = 0

    def __call__(self, event: Event) -> None:
        if type(event) is Received and event.message.msg_type == "D":
            self.answered += 1
            if self._send:
                report = execution_report(event.message.__getitem__, self.answered)
                self._conn.send("8", report)


async def _answer(count: int, send: bool) -> None:
    """Hands ``count`` orders to an acceptor connection (see the module's ``answer``)."""
    now = time.time()
    initiator = Session(INITIATOR)
    initiator.connection_made(now)
    conn = Connection(Session(ACCEPTOR))
    answerer = _Answerer(conn, send)
    conn.set_on_event(answerer)
    protocol = _Protocol(conn, None)
    transport = KeptBytes()
    protocol.connection_made(transport)
    protocol.data_received(initiator.data_to_send())
    initiator.receive(transport.take(), now)
    wires = []
    for order in numbered_orders(WARM_UP + MOST):
        initiator.send("D", order_fields(order), time.time())
        wires.append(initiator.data_to_send())
    buffer = protocol.get_buffer(-1)

    def read(wire: bytes) -> None:
        buffer[: len(wire)] = wire
        protocol.buffer_updated(len(wire))

    for wire in wires[:WARM_UP]:
        read(wire)
    _quiet()
    for wire in wires[WARM_UP : WARM_UP + count]:
        read(wire)
    if answerer.answered != WARM_UP + count:
        raise RuntimeError(f"{answerer.answered} orders answered of {WARM_UP + count}")


async def _round_trips(count: int) -> None:
    """``count`` round trips between two connections of this process (see the module)."""
    loop = asyncio.get_running_loop()

    async def handle(conn: Connection) -> None:
        conn.set_on_event(_Answerer(conn, True))
        async for _ in conn:
            pass

    acceptor = await serve([ACCEPTOR], handle, "127.0.0.1", 0)
    orders = numbered_orders(WARM_UP + MOST)
    sent = 0
    stop = WARM_UP
    done = loop.create_future()
    initiator: list[Connection] = []

    def on_report(event: Event) -> None:
        nonlocal sent
        if type(event) is Received and event.message.msg_type == "8":
            if sent == stop:
                done.set_result(None)
            else:
                sent += 1
                initiator[0].send("D", order_fields(orders[sent - 1]))

    conn = await connect(INITIATOR, "127.0.0.1", acceptor.port, on_event=on_report)
    initiator.append(conn)
    await conn.logged_on()
    for counted in (False, True):
        if counted:
            _quiet()
            stop, done = WARM_UP + count, loop.create_future()
        sent += 1
        conn.send("D", order_fields(orders[sent - 1]))
        await done
    await conn.close()
    await acceptor.close()


def _quiet() -> None:
    """No collection from here on: what is counted is the orders' own work."""
    gc.collect()
    gc.freeze()
    gc.disable()


def worker(name: str, count: int) -> None:
    """Runs ``count`` orders of ``name`` (the process callgrind counts)."""
    if name == "round trip uvloop":
        uvloop.run(_round_trips(count))
    elif name.startswith("round trip asyncio"):
        socket_transport.enabled = name == "round trip asyncio"
        asyncio.run(_round_trips(count))
    else:
        asyncio.run(_answer(count, send=name == "answer"))


def counted(name: str, count: int) -> int:
    """Instructions of a worker process running ``count`` orders of ``name``."""
    return callgrind.counted(__file__, name, count)


def main() -> None:
    """Counts the cases named on the command line (every case when none is) and prints
    instructions per order; ``--worker CASE COUNT`` is a worker.
    """
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], int(sys.argv[3]))
        return
    for name in sys.argv[1:] or CASES:
        if name not in CASES:
            raise SystemExit(f"unknown case {name!r}; the cases: {', '.join(CASES)}")
        print(f"{name:<20} {per_order(name):8.0f} instructions per order")


def per_order(name: str) -> float:
    """One order's instructions in case ``name``: the count for twice :data:`MOST` // 2
    orders less that for :data:`MOST` // 2, divided by the difference.
    """
    count = MOST // 2
    return (counted(name, 2 * count) - counted(name, count)) / count


if __name__ == "__main__":
    main()
