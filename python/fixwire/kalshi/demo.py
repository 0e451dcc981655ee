"""``make demo``: a short market-making session against the simulator, over TLS, on one machine.

It starts the Kalshi simulator, makes a throwaway RSA key and registers it, logs on to KalshiNR
over TLS with a signed Logon (pinning the simulator's certificate), and then: creates an order
group, quotes both sides, amends and cancels, gets filled by simulated flow, shows a reject, and
mass-cancels. It prints the event log, two of the FIX messages received (decoded as
``fixwire decode`` shows them), the final positions, and latency figures: a histogram of the order
to acknowledgement round trips over loopback with their p50/p99, the encode cost and the
send-path cost.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
import time
import uuid
from decimal import Decimal

import fixwire
from fixwire.kalshi.base import ClientEvent
from fixwire.kalshi.client import KalshiClient
from fixwire.kalshi.config import KalshiConfig, SessionType
from fixwire.kalshi.events import (
    BusinessMessageReject,
    ExecutionReport,
    MassCancelReport,
    OrderCancelReject,
    OrderGroupResponse,
)
from fixwire.kalshi.signing import LogonSigner, generate_key
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import LoggedOn
from fixwire.session.config import FieldValue

MARKET = "DEMO-RAIN-26NOV30"
_EXEC_TYPES = {"0": "New", "F": "Trade", "4": "Canceled", "5": "Replaced", "8": "Rejected"}
_EXEC_TYPES |= {"A": "PendingNew", "6": "PendingCancel", "E": "PendingReplace", "C": "Expired"}


def describe(event: ClientEvent) -> str:
    """One line for the event log."""
    if isinstance(event, ExecutionReport):
        what = _EXEC_TYPES.get(event.exec_type, event.exec_type)
        order = f"{event.cl_ord_id[:8]} {event.side:>3} {event.order_qty:>6} @ {event.price}"
        line = f"ER {what:<14} {order}"
        if event.exec_type == "F":
            line += f"  filled {event.last_qty} @ {event.last_px}"
            line += f"  position Yes {event.long_qty} No {event.short_qty}"
        if event.text:
            line += f"  [{event.text}]"
        return line
    if isinstance(event, OrderCancelReject):
        return f"OrderCancelReject {event.cl_ord_id[:8]} [{event.text}]"
    if isinstance(event, OrderGroupResponse):
        return f"OrderGroupResponse {event.order_group_id} limit {event.contracts_limit}"
    if isinstance(event, MassCancelReport):
        return f"MassCancelReport accepted={event.accepted}"
    if isinstance(event, BusinessMessageReject):
        return f"BusinessMessageReject {event.reason} [{event.text}]"
    if isinstance(event, LoggedOn):
        return f"LoggedOn: signed Logon accepted, HeartBtInt {event.heartbeat_interval}"
    return type(event).__name__


class Demo:
    """The scripted session; events are collected as they arrive."""

    def __init__(self, client: KalshiClient, sim: Simulator) -> None:
        self.client = client
        self.sim = sim
        self.log: list[str] = []
        self.logging = True
        #: The first ExecutionReport of each ExecType <150> received, to show decoded.
        self.reports: dict[str, fixwire.Message] = {}
        self._pending: dict[str, asyncio.Future[ExecutionReport]] = {}
        self._group: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.client:
            if self.logging:
                self.log.append(describe(event))
                if isinstance(event, ExecutionReport):
                    self.reports.setdefault(event.exec_type, event.message)
            if isinstance(event, ExecutionReport) and event.exec_type != "A":
                waiter = self._pending.pop(event.cl_ord_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(event)
            elif isinstance(event, OrderGroupResponse) and not self._group.done():
                self._group.set_result(event.order_group_id)

    def expect(self, cl_ord_id: str) -> asyncio.Future[ExecutionReport]:
        """A future for the first non-pending report on ``cl_ord_id``."""
        waiter: asyncio.Future[ExecutionReport] = asyncio.get_running_loop().create_future()
        self._pending[cl_ord_id] = waiter
        return waiter

    async def order(self, *args: object, **kwargs: object) -> ExecutionReport:
        """Sends ``new_order(*args, **kwargs)`` and waits (5 s at most) for its first report."""
        cl_ord_id = str(uuid.uuid4())
        waiter = self.expect(cl_ord_id)
        self.client.new_order(*args, cl_ord_id=cl_ord_id, **kwargs)  # type: ignore[arg-type]
        return await asyncio.wait_for(waiter, 5)

    async def run(self) -> None:
        """Plays the scripted session, appending what happens to ``log``."""
        client = self.client
        self.log.append("-- TLS to KalshiNR, certificate pinned, RSA-PSS signed Logon")
        await asyncio.sleep(0)  # Let the reader log the LoggedOn already queued.
        self.log.append("-- an order group: at most 10 contracts filled in any 15 s")
        client.order_group("create", contracts_limit=10)
        group = await asyncio.wait_for(self._group, 5)

        self.log.append("-- quote both sides in the group (the ask post-only)")
        bid = await self.order(MARKET, "yes", 10, Decimal("0.42"), order_group_id=group)
        ask = await self.order(
            MARKET, "no", 10, Decimal("0.47"), order_group_id=group, post_only=True
        )

        self.log.append("-- amend the bid up a cent, cut the ask to 6")
        waiter = self.expect(new_bid := str(uuid.uuid4()))
        client.replace(bid.cl_ord_id, price=Decimal("0.43"), new_cl_ord_id=new_bid)
        await asyncio.wait_for(waiter, 5)
        waiter = self.expect(new_ask := str(uuid.uuid4()))
        client.replace(ask.cl_ord_id, quantity=6, new_cl_ord_id=new_ask)
        await asyncio.wait_for(waiter, 5)

        self.log.append("-- flow: sellers of Yes hit the bid, buyers of Yes lift the ask")
        self.log.append("   (10 contracts filled: the group triggers and cancels the rest)")
        self.sim.trade_against(MARKET, "no", 4, Decimal("0.40"))
        self.sim.trade_against(MARKET, "yes", 6, Decimal("0.50"))
        await asyncio.sleep(0.05)

        self.log.append("-- rejects: an order in the triggered group, a market that does not exist")
        await self.order(MARKET, "yes", 1, Decimal("0.40"), order_group_id=group)
        await self.order("NO-SUCH-MARKET", "yes", 1, Decimal("0.10"))

        self.log.append("-- reset the group; rest two orders, cancel one, mass cancel the other")
        client.order_group("reset", order_group_id=group)
        resting = await self.order(MARKET, "yes", 5, Decimal("0.30"), order_group_id=group)
        await self.order(MARKET, "no", 5, Decimal("0.60"))
        waiter = self.expect(cancel_id := str(uuid.uuid4()))
        client.cancel(resting.cl_ord_id, new_cl_ord_id=cancel_id)
        await asyncio.wait_for(waiter, 5)
        client.mass_cancel()
        await asyncio.sleep(0.05)

    async def latency(self, count: int) -> list[float]:
        """Order -> acknowledgement round trips, microseconds, each order cancelled after."""
        samples = []
        self.logging = False
        for i in range(count):
            cl_ord_id = f"lat-{i}"
            waiter = self.expect(cl_ord_id)
            start = time.perf_counter_ns()
            self.client.new_order(MARKET, "yes", 1, Decimal("0.05"), cl_ord_id=cl_ord_id)
            await asyncio.wait_for(waiter, 5)
            samples.append((time.perf_counter_ns() - start) / 1000)
            waiter = self.expect(cancel_id := f"latc-{i}")
            self.client.cancel(cl_ord_id, new_cl_ord_id=cancel_id)
            await asyncio.wait_for(waiter, 5)
        self.logging = True
        return samples


def percentile(samples: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``samples`` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def histogram(samples: list[float], width: int = 40) -> list[str]:
    """Text bars of ``samples`` (microseconds) in buckets that double in width (16-32 µs,
    32-64 µs, ...), so a long tail takes a few rows; the rows holding the p50 and the p99 are
    marked.
    """
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    first = math.floor(math.log2(max(min(samples), 1.0)))
    counts: dict[int, int] = {}
    for s in samples:
        row = math.floor(math.log2(max(s, 1.0)))
        counts[row] = counts.get(row, 0) + 1
    peak = max(counts.values())
    lines = []
    for row in range(first, max(counts) + 1):
        count = counts.get(row, 0)
        low, high = 2**row, 2 ** (row + 1)
        bar = "█" * math.ceil(width * count / peak) if count else ""
        marks = [name for name, v in (("p50", p50), ("p99", p99)) if low <= max(v, 1.0) < high]
        note = f"  <- {' and '.join(marks)}" if marks else ""
        lines.append(f"  {low:>7,} - {high:>7,} µs  {bar:<{width}} {count:>5}{note}")
    return lines


def shown_messages(reports: dict[str, fixwire.Message]) -> list[str]:
    """The first ExecutionReports <8> of a new order and of a fill, formatted one field a line
    as ``fixwire decode`` prints them (KalshiNR keeps no copy of what the client sent: its
    sessions do not retransmit).
    """
    dictionary = fixwire.Dictionary.kalshi()
    lines = []
    for exec_type, what in (("0", "the order is working"), ("F", "a fill")):
        if exec_type in reports:
            lines.append(f"  ExecutionReport <8>: {what}")
            lines += ["  " + line for line in dictionary.format(reports[exec_type]).splitlines()]
            lines.append("")
    return lines


def encode_cost(count: int = 20_000) -> tuple[float, float]:
    """Median microseconds to encode a NewOrderSingle, and for a session's whole send path."""
    from fixwire.session import Role, Session, SessionConfig

    encoder = fixwire.Encoder("6f1c2b9e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "KalshiNR")
    fields: list[tuple[int, FieldValue]] = [(11, "demo-order-1"), (38, Decimal("10")), (40, "2")]
    fields += [(44, Decimal("0.42"))]
    fields += [(54, "1"), (55, MARKET), (59, "1")]
    initiator = Session(
        SessionConfig(sender_comp_id="C", target_comp_id="S", heartbeat_interval=30)
    )
    acceptor = Session(SessionConfig(sender_comp_id="S", target_comp_id="C", role=Role.ACCEPTOR))
    now = time.time()
    initiator.connection_made(now)
    acceptor.connection_made(now)
    acceptor.receive(initiator.data_to_send(), now)
    initiator.receive(acceptor.data_to_send(), now)
    encode, send = [], []
    for seq in range(1, count + 1):
        start = time.perf_counter_ns()
        encoder.encode("D", fields, seq_num=seq)
        middle = time.perf_counter_ns()
        initiator.send("D", fields, now)
        initiator.data_to_send()
        end = time.perf_counter_ns()
        encode.append((middle - start) / 1000)
        send.append((end - middle) / 1000)
    return statistics.median(encode), statistics.median(send)


async def main() -> int:
    """Runs the demo: the simulator, the client, the script and the figures; the exit status."""
    started = time.perf_counter()
    certificate = SelfSignedCertificate.generate()
    sim = Simulator([MARKET])
    signer = LogonSigner(generate_key())
    api_key = str(uuid.uuid4())
    sim.register(api_key, signer.public_key_pem())
    await sim.start("127.0.0.1", 0, tls=certificate)
    config = KalshiConfig(
        api_key=api_key,
        signer=signer,
        session_type=SessionType.NR,
        host="127.0.0.1",
        port=sim.port,
        skip_pending_exec_reports=True,
        rate_limit=None,
    )
    print(
        f"simulator on 127.0.0.1:{sim.port}, TLS certificate SHA-256 {certificate.sha256[:16]}..."
    )
    try:
        client = await KalshiClient.connect(
            config,
            ssl=certificate.client_context(),
            server_hostname="localhost",
            pin_sha256=certificate.sha256,
        )
        demo = Demo(client, sim)
        await demo.run()
        samples = await demo.latency(500)
        await client.close()
        await asyncio.wait_for(demo._reader, 5)
    finally:
        await sim.close()
    print("\nevent log:")
    for line in demo.log:
        print("  " + line)
    print("\ntwo of the FIX messages received, decoded:\n")
    print("\n".join(shown_messages(demo.reports)))
    position = sim.engine.position(api_key, MARKET)
    print(f"\nfinal position in {MARKET}: Yes {position.long_qty}, No {position.short_qty}")
    open_orders = [o.cl_ord_id for o in client.orders.values() if o.open]
    print(f"orders tracked: {len(client.orders)}, still open: {open_orders or 'none'}")
    encode, send = encode_cost()
    print(f"\norder -> acknowledgement, {len(samples)} round trips by time taken (loopback, TLS,")
    print("simulator in the same process):")
    print("\n".join(histogram(samples)))
    print("\nlatency:")
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    print(f"  order -> acknowledgement  p50 {p50:8.1f} µs   p99 {p99:8.1f} µs")
    print(f"  encode NewOrderSingle     p50 {encode:8.2f} µs")
    print(
        f"  session send path         p50 {send:8.2f} µs   (encode + store + queue for the socket)"
    )
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
