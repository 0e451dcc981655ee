"""The matching engine's memory of closed orders is bounded in time and bytes (sim/book.py,
"Memory" in sim/matching.py): closed orders past the retention time or the byte cap are
forgotten, earliest closed first, with every index naming them; open orders never are; the
engine's own byte count is checked against the documented charge and against what tracemalloc
measures; a request about a forgotten order gets UNKNOWN_ORDER, one about a closed order still
remembered TOO_LATE_TO_CANCEL, in the engine and over a TLS loopback session with the
simulator.
"""

from __future__ import annotations

import gc
import tracemalloc
from decimal import Decimal

import pytest

from fixwire.kalshi import LogonSigner, OrderCancelReject, SessionType
from fixwire.kalshi.sim.book import (
    CLIENT_ID_CHARGE,
    CLOSED_ORDER_CHARGE,
    DEFAULT_MAX_FORMER_CLIENT_ID_BYTES,
    FORMER_CLIENT_ID_CHARGE,
)
from fixwire.kalshi.sim.matching import (
    DEFAULT_CLOSED_ORDER_HOURS,
    DEFAULT_MAX_CLOSED_ORDER_BYTES,
    Cancelled,
    CancelReason,
    CancelRejected,
    CancelRejectReason,
    MatchingEngine,
    OrderStatus,
    Replaced,
    Side,
    TimeInForce,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session.config import FieldValue
from kalshi_venue import run, venue

MKT = "MEM-MKT"
PRICE = Decimal("0.40")


def _engine(
    *, hours: float = DEFAULT_CLOSED_ORDER_HOURS, cap: int = DEFAULT_MAX_CLOSED_ORDER_BYTES
) -> MatchingEngine:
    engine = MatchingEngine(closed_order_hours=hours, max_closed_order_bytes=cap)
    engine.add_market(MKT)
    return engine


def _place(
    engine: MatchingEngine, client_id: str, now: float, expire_time: float | None = None
) -> str:
    """Places a resting Yes bid, GTD when ``expire_time`` is given; returns its OrderID <37>."""
    events = engine.submit(
        owner="alice",
        client_id=client_id,
        market=MKT,
        side=Side.YES,
        price=PRICE,
        qty=5,
        now=now,
        time_in_force=TimeInForce.GTC if expire_time is None else TimeInForce.GTD,
        expire_time=expire_time,
    )
    return events[-1].order.order_id  # type: ignore[union-attr]


def _cancel(engine: MatchingEngine, client_id: str, orig: str, now: float) -> object:
    """Cancels alice's order ``orig``; returns the last event."""
    return engine.cancel(owner="alice", client_id=client_id, orig_client_id=orig, now=now)[-1]


def _charge(order_id: str, *client_ids: str) -> int:
    """The documented charge of a closed order, worked out here from its ids."""
    return (
        CLOSED_ORDER_CHARGE
        + len(order_id)
        + sum(CLIENT_ID_CHARGE + len(client_id) for client_id in client_ids)
    )


def test_closed_orders_past_the_byte_cap_are_forgotten_earliest_first() -> None:
    """3,000 orders placed and cancelled under a cap of about 50 of them: after each, the
    engine's count equals the documented charges of exactly the newest closed orders that
    fit, nothing older is remembered by OrderID <37> or by either ClOrdID <11>, and the open
    orders placed first are all still there.
    """
    cap = 50 * _charge("0000", "c-0000", "x-0000")
    engine = _engine(cap=cap)
    kept_open = [_place(engine, f"open-{i}", 0.0) for i in range(10)]
    closed: list[tuple[str, int]] = []  # OrderID, charge; earliest closed first
    for i in range(3_000):
        order_id = _place(engine, f"c-{i:04d}", 1.0)
        assert isinstance(_cancel(engine, f"x-{i:04d}", f"c-{i:04d}", 1.0), Cancelled)
        closed.append((order_id, _charge(order_id, f"c-{i:04d}", f"x-{i:04d}")))
        held, total = 0, 0
        for _, charge in reversed(closed):
            if total + charge > cap:
                break
            total += charge
            held += 1
        assert engine.closed_order_bytes == total <= cap
        assert engine.forgotten_orders == len(closed) - held
    assert 40 <= held <= 50
    remembered = {order_id for order_id, _ in closed[-held:]}
    for order_id, _ in closed:
        assert (engine.order(order_id) is not None) == (order_id in remembered)
    assert len(engine._orders) == held + len(kept_open)
    assert len(engine._last_by_client) == 2 * held + len(kept_open)
    assert [o.order_id for o in engine.open_orders()] == kept_open
    first = _cancel(engine, "bye", "open-0", 2.0)
    assert isinstance(first, Cancelled)
    assert first.order.order_id == kept_open[0]


def test_closed_orders_past_the_retention_time_are_forgotten_and_open_ones_never() -> None:
    """With a one-hour retention, an order closed at t is remembered at t + 3600 and
    forgotten after it; an order left open for 100 hours is still cancellable.
    """
    engine = _engine(hours=1)
    resting = _place(engine, "resting", 0.0)
    early = _place(engine, "early", 0.0)
    _cancel(engine, "early-x", "early", 10.0)
    late = _place(engine, "late", 1_000.0)
    _cancel(engine, "late-x", "late", 1_000.0)
    engine.expire(3_610.0)
    assert engine.order(early) is not None
    assert engine.order(late) is not None
    engine.expire(3_610.5)
    assert engine.order(early) is None
    assert engine.order(late) is not None
    assert engine.closed_order_bytes == _charge(late, "late", "late-x")
    engine.expire(4_601.0)
    assert engine.order(late) is None
    assert (engine.closed_order_bytes, engine.forgotten_orders) == (0, 2)
    done = _cancel(engine, "resting-x", "resting", 360_000.0)
    assert isinstance(done, Cancelled)
    assert done.order.order_id == resting


def test_a_forgotten_order_is_unknown_and_a_remembered_one_too_late() -> None:
    """Cancel and cancel/replace of a closed order: while remembered, TOO_LATE_TO_CANCEL (or
    CANNOT_UPDATE_FILLED_ORDER for a filled one) with the order; once forgotten, by
    OrigClOrdID <41> or OrderID <37>, UNKNOWN_ORDER with no order, as for one never seen.
    """
    engine = _engine(hours=1)
    cancelled = _place(engine, "a", 0.0)
    _cancel(engine, "a-x", "a", 0.0)
    filled = _place(engine, "b", 0.0)
    engine.submit(
        owner="bob", client_id="t", market=MKT, side=Side.NO, price=Decimal("0.60"), qty=5, now=0
    )
    assert engine.order(filled).status is OrderStatus.FILLED  # type: ignore[union-attr]

    def refused(now: float, orig: str, order_id: str | None, replace: bool) -> CancelRejected:
        if replace:
            events = engine.replace(
                owner="alice", client_id="r", orig_client_id=orig, qty=3, order_id=order_id, now=now
            )
        else:
            events = engine.cancel(
                owner="alice", client_id="r", orig_client_id=orig, order_id=order_id, now=now
            )
        assert isinstance(events[-1], CancelRejected)
        return events[-1]

    late = refused(60.0, "a-x", None, False)
    assert late.reason is CancelRejectReason.TOO_LATE_TO_CANCEL
    assert late.order is not None
    assert refused(60.0, "a", cancelled, True).reason is CancelRejectReason.TOO_LATE_TO_CANCEL
    done = refused(60.0, "b", None, True)
    assert done.reason is CancelRejectReason.CANNOT_UPDATE_FILLED_ORDER
    named = (("a", None), ("a-x", None), ("b", None), ("x", cancelled), ("x", filled))
    for orig, order_id in named:
        for replace in (False, True):
            gone = refused(7_200.0, orig, order_id, replace)
            assert (gone.reason, gone.order) == (CancelRejectReason.UNKNOWN_ORDER, None)
    assert engine.order(cancelled) is None
    assert engine.order(filled) is None


def test_forgetting_an_order_keeps_a_newer_order_with_one_of_its_client_ids() -> None:
    """Every ClOrdID <11> a replaced order had names it until it is forgotten; one reused by a
    newer order keeps naming the newer order after the old one is forgotten.
    """
    engine = _engine(hours=1)
    old = _place(engine, "v1", 0.0)
    engine.replace(owner="alice", client_id="v2", orig_client_id="v1", qty=4, now=0.0)
    engine.replace(owner="alice", client_id="v3", orig_client_id="v2", qty=3, now=0.0)
    _cancel(engine, "v4", "v3", 0.0)
    assert engine.closed_order_bytes == _charge(old, "v1", "v2", "v3", "v4")
    newer = _place(engine, "v2", 1.0)
    _cancel(engine, "w", "v2", 2.0)
    engine.expire(3_601.0)
    assert engine.order(old) is None
    assert engine.order(newer) is not None
    assert set(engine._last_by_client) == {("alice", "v2"), ("alice", "w")}
    late = _cancel(engine, "again", "v2", 3_601.0)
    assert isinstance(late, CancelRejected)
    assert late.reason is CancelRejectReason.TOO_LATE_TO_CANCEL
    assert late.order is not None
    assert late.order.order_id == newer


def test_expiries_of_forgotten_orders_neither_fail_nor_pile_up() -> None:
    """GTD orders cancelled long before their ExpireTime <126>: their queued expiries stay
    within twice the open orders (the one just closed counted, plus 64 and the newest
    entry), and one that falls due after its order was
    forgotten is dropped without an event.
    """
    engine = _engine(cap=0)
    keep = _place(engine, "keep", 0.0, expire_time=1e6)
    for i in range(5_000):
        _place(engine, f"g{i}", 1.0, expire_time=2e6 + i)
        _cancel(engine, f"gx{i}", f"g{i}", 1.0)
        assert len(engine._expiries) <= 2 * (len(engine._open) + 1) + 65
    assert len(engine._orders) == 1
    assert engine.forgotten_orders == 5_000
    expired = engine.expire(3e6)
    assert [(e.order.order_id, e.reason) for e in expired if isinstance(e, Cancelled)] == [
        (keep, CancelReason.ORDER_EXPIRY)
    ]
    assert len(expired) == 1


def test_memory_stays_within_the_charge_over_a_long_run() -> None:
    """The documented charge is at least what a closed order takes (tracemalloc), and under
    a 256 KiB cap 20,000 more orders through the engine leave its memory where it was.
    """
    engine = _engine(cap=10**12)

    def churn(start: int, count: int) -> None:
        for i in range(start, start + count):
            _place(engine, f"client-{i:08d}", 1.0)
            _cancel(engine, f"cancel-{i:08d}", f"client-{i:08d}", 1.0)

    churn(0, 1_000)
    gc.collect()
    tracemalloc.start()
    try:
        before, charged = tracemalloc.get_traced_memory()[0], engine.closed_order_bytes
        churn(1_000, 5_000)
        gc.collect()
        taken = tracemalloc.get_traced_memory()[0] - before
        assert taken <= engine.closed_order_bytes - charged
        assert taken > (engine.closed_order_bytes - charged) / 3  # the charge is not slack
        engine.max_closed_order_bytes = 256 * 1024
        churn(6_000, 10_000)
        gc.collect()
        steady = tracemalloc.get_traced_memory()[0]
        churn(16_000, 20_000)
        gc.collect()
        assert tracemalloc.get_traced_memory()[0] - steady < 64 * 1024
        assert engine.closed_order_bytes <= 256 * 1024
    finally:
        tracemalloc.stop()


def test_a_cancel_of_a_forgotten_order_gets_unknown_order_over_a_session(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Over TLS loopback with the simulator, its cap fitting one closed order: a second cancel
    of an order just cancelled gets OrderCancelReject <9> CxlRejReason <102>=0
    TOO_LATE_TO_CANCEL with the order's OrderID <37> and OrdStatus <39>=4; once a later closed
    order pushed it out, the same request gets 102=1 UNKNOWN_ORDER, 37=NONE, 39=8.
    """

    def request(cl_ord_id: str, orig: str, order_id: str | None) -> list[tuple[int, FieldValue]]:
        fields: list[tuple[int, FieldValue]] = [(11, cl_ord_id), (41, orig), (54, "1"), (55, MKT)]
        return fields if order_id is None else [*fields, (37, order_id)]

    async def main() -> None:
        async with venue(certificate, signer, [MKT]) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            first = nr.client.new_order(MKT, "yes", 2, Decimal("0.40"))
            order_id = (await nr.report(first, "0")).order_id
            cancel = nr.client.cancel(first)
            await nr.report(cancel, "4")
            v.sim.engine.max_closed_order_bytes = v.sim.engine.closed_order_bytes
            nr.client.connection.send("F", request("again-1", cancel, order_id))
            late = await nr.next(OrderCancelReject, lambda e: e.cl_ord_id == "again-1")
            assert (late.reason, late.text) == (0, "TOO_LATE_TO_CANCEL")
            assert (late.order_id, late.ord_status) == (order_id, "4")
            second = nr.client.new_order(MKT, "yes", 2, Decimal("0.40"))
            await nr.report(second, "0")
            await nr.report(nr.client.cancel(second), "4")
            assert v.sim.engine.order(order_id) is None
            nr.client.connection.send("F", request("again-2", cancel, order_id))
            by_order_id = await nr.next(OrderCancelReject, lambda e: e.cl_ord_id == "again-2")
            nr.client.connection.send("F", request("again-3", cancel, None))
            by_client_id = await nr.next(OrderCancelReject, lambda e: e.cl_ord_id == "again-3")
            for gone in (by_order_id, by_client_id):
                assert (gone.reason, gone.text) == (1, "UNKNOWN_ORDER")
                assert (gone.order_id, gone.ord_status, gone.response_to) == ("NONE", "8", "1")
            await nr.close()

    run(main)


@pytest.mark.parametrize(("hours", "cap"), [(0, 1), (-1, 1), (1, -1)])
def test_impossible_limits_are_refused(hours: float, cap: int) -> None:
    """A retention time that is not positive or a negative cap is a ValueError."""
    with pytest.raises(ValueError, match="closed_order"):
        MatchingEngine(closed_order_hours=hours, max_closed_order_bytes=cap)
    with pytest.raises(ValueError, match="max_former_client_id_bytes must be at least 0"):
        MatchingEngine(max_former_client_id_bytes=-1)


def _replace(engine: MatchingEngine, client_id: str, orig: str, now: float) -> object:
    """Replaces alice's order ``orig`` at the same price and size; returns the last event."""
    return engine.replace(owner="alice", client_id=client_id, orig_client_id=orig, qty=5, now=now)[
        -1
    ]


def test_an_order_replaced_in_a_loop_answers_to_its_newest_former_client_ids_only() -> None:
    """An open order replaced 20,000 times: it keeps the 12 newest former ClOrdIDs <11> the
    default 4 KiB allows (at 320 bytes each), the engine's index holds those and the current
    one, and tracemalloc sees the second 10,000 replaces take under 16 KiB. A cancel naming a
    forgotten ClOrdID gets UNKNOWN_ORDER with no order; one naming a kept one cancels it.
    """
    engine = _engine()
    assert (
        engine.max_former_client_ids
        == 12
        == (DEFAULT_MAX_FORMER_CLIENT_ID_BYTES // FORMER_CLIENT_ID_CHARGE)
    )
    order_id = _place(engine, "v0", 0.0)

    def loop(start: int, stop: int) -> None:
        for i in range(start, stop):
            assert isinstance(_replace(engine, f"v{i + 1}", f"v{i}", 1.0), Replaced)

    loop(0, 10_000)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loop(10_000, 20_000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 16 * 1024  # Unbounded, 10,000 names would take about 1.9 MB.
    order = engine._orders[order_id]
    assert order.former_client_ids == [f"v{i}" for i in range(19_988, 20_000)]
    assert set(engine._last_by_client) == {("alice", f"v{i}") for i in range(19_988, 20_001)}
    assert engine.forgotten_client_ids == 20_000 - 12
    gone = _cancel(engine, "x-1", "v19987", 2.0)
    assert isinstance(gone, CancelRejected)
    assert (gone.reason, gone.order) == (CancelRejectReason.UNKNOWN_ORDER, None)
    gone = _replace(engine, "x-2", "v5", 2.0)
    assert isinstance(gone, CancelRejected)
    assert (gone.reason, gone.order) == (CancelRejectReason.UNKNOWN_ORDER, None)
    done = _cancel(engine, "x-3", "v19988", 2.0)
    assert isinstance(done, Cancelled)
    assert done.order.order_id == order_id
    # Closed, it is charged for the 12 names it keeps (the cancel's pushed out the oldest)
    # and its current one.
    kept = [f"v{i}" for i in range(19_989, 20_001)]
    assert engine._orders[order_id].former_client_ids == kept
    assert engine.closed_order_bytes == _charge(order_id, *kept, "x-3")


def test_a_former_client_id_used_again_keeps_naming_the_order() -> None:
    """With room for one former ClOrdID <11>: an order renamed a -> b -> a -> b forgets the
    names that fell out of its list, but never one it still answers to; with no room, a
    replaced order answers to its current ClOrdID only.
    """
    engine = _engine()
    engine.max_former_client_ids = 1
    order_id = _place(engine, "a", 0.0)
    for new, old in (("b", "a"), ("a", "b"), ("b", "a")):
        assert isinstance(_replace(engine, new, old, 1.0), Replaced)
    assert engine._orders[order_id].former_client_ids == ["a"]
    assert set(engine._last_by_client) == {("alice", "a"), ("alice", "b")}
    engine.max_former_client_ids = 0
    assert isinstance(_replace(engine, "c", "a", 1.0), Replaced)
    assert engine._orders[order_id].former_client_ids == []
    assert set(engine._last_by_client) == {("alice", "c")}
    gone = _cancel(engine, "d", "b", 1.0)
    assert isinstance(gone, CancelRejected)
    assert gone.reason is CancelRejectReason.UNKNOWN_ORDER


def test_a_cancel_naming_a_forgotten_former_client_id_gets_unknown_order_over_a_session(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Over TLS loopback, the simulator keeping two former ClOrdIDs <11> per order: an order
    replaced five times, then cancels sent naming its first ClOrdID (forgotten: 102=1
    UNKNOWN_ORDER, 37=NONE, 39=8) and its fourth (kept: cancelled, OrigClOrdID <41> its
    current one).
    """
    cap = 2 * FORMER_CLIENT_ID_CHARGE

    async def main() -> None:
        async with venue(certificate, signer, [MKT], max_former_client_id_bytes=cap) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            names = [nr.client.new_order(MKT, "yes", 2, Decimal("0.40"))]
            await nr.report(names[0], "0")
            for _ in range(5):
                names.append(nr.client.replace(names[-1], quantity=3 - len(names) % 2))
                replaced = await nr.report(names[-1], "5")
            order = v.sim.engine._orders[replaced.order_id]
            assert order.former_client_ids == names[3:5]
            fields: list[tuple[int, FieldValue]] = [(41, names[0]), (54, "1"), (55, MKT)]
            nr.client.connection.send("F", [(11, "again-1"), *fields])
            gone = await nr.next(OrderCancelReject, lambda e: e.cl_ord_id == "again-1")
            assert (gone.reason, gone.text) == (1, "UNKNOWN_ORDER")
            assert (gone.order_id, gone.ord_status) == ("NONE", "8")
            fields[0] = (41, names[3])
            nr.client.connection.send("F", [(11, "again-2"), *fields])
            done = await nr.report("again-2", "4")
            assert done.message.get(41) == names[-1]
            await nr.close()

    run(main)
