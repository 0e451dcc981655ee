"""A key's open orders are bounded in bytes (``max_open_order_bytes``, sim/book.py; "Memory" in
sim/matching.py): a new order past the cap is rejected INSUFFICIENT_BALANCE (OrdRejReason
<103>=3), a cancel/replace that would add a ClOrdID <11> past it is refused, every way an
order leaves the book gives its room back, the charge is checked against what tracemalloc
measures, and the answer is checked over TLS loopback with the Kalshi client.
"""

from __future__ import annotations

import gc
import tracemalloc
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from fixwire.kalshi import LogonSigner, OrderCancelReject, SessionType
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.sim.book import (
    DEFAULT_MAX_OPEN_ORDER_BYTES,
    FORMER_CLIENT_ID_CHARGE,
    OPEN_ORDER_CHARGE,
)
from fixwire.kalshi.sim.matching import (
    Accepted,
    Cancelled,
    CancelReason,
    CancelRejected,
    CancelRejectReason,
    Event,
    GroupCreated,
    MatchingEngine,
    Rejected,
    RejectReason,
    Replaced,
    Side,
    TimeInForce,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import run, venue
from matching_cases import MKT, place

#: What a fresh order on MKT is charged.
ONE = OPEN_ORDER_CHARGE + len(MKT) + FORMER_CLIENT_ID_CHARGE


def _engine(orders: int) -> MatchingEngine:
    """An engine with room for ``orders`` fresh orders of one owner on MKT."""
    engine = MatchingEngine(max_open_order_bytes=orders * ONE)
    engine.add_market(MKT)
    return engine


def _place(
    engine: MatchingEngine,
    client_id: str,
    *,
    owner: str = "alice",
    side: Side = Side.YES,
    price: str = "0.40",
    qty: int = 5,
    now: float = 1.0,
    **options: Any,
) -> Event:
    """Places an order; returns its first event (Accepted or Rejected)."""
    return place(engine, owner, client_id, side, price, qty, now, **options)[0]


def _held(engine: MatchingEngine, owner: str = "alice") -> int:
    """The owner's open orders' charges, worked out here from the open orders."""
    return sum(engine.open_order_charge(o) for o in engine._open.values() if o.owner == owner)


def test_a_new_order_past_the_cap_is_refused_insufficient_balance() -> None:
    """With room for three orders: a fourth is rejected INSUFFICIENT_BALANCE (103=3) without
    taking an OrderID <37>, another owner is not affected, and a cancel makes room again.
    """
    engine = _engine(3)
    made = [_place(engine, f"a{i}") for i in range(3)]
    assert all(isinstance(e, Accepted) for e in made)
    assert engine.open_order_bytes("alice") == 3 * ONE == _held(engine)
    refused = _place(engine, "a3")
    assert isinstance(refused, Rejected)
    assert refused.reason is RejectReason.INSUFFICIENT_BALANCE
    assert refused.reason.ord_rej_reason == 3
    assert engine.open_order_bytes("alice") == 3 * ONE
    assert isinstance(_place(engine, "b0", owner="bob", side=Side.NO, price="0.50"), Accepted)
    engine.cancel(owner="alice", client_id="x0", orig_client_id="a0", now=1.0)
    assert engine.open_order_bytes("alice") == 2 * ONE
    again = _place(engine, "a3")
    assert isinstance(again, Accepted)
    # The refused order took no id: the ids run on from the last accepted order's.
    last = made[-1]
    assert isinstance(last, Accepted)
    assert int(again.order.order_id[-12:], 16) == int(last.order.order_id[-12:], 16) + 2


def _fill(engine: MatchingEngine) -> None:
    _place(engine, "t", owner="bob", side=Side.NO, price="0.60", qty=5)


def _cancel(engine: MatchingEngine) -> None:
    engine.cancel(owner="alice", client_id="x", orig_client_id="a", now=1.0)


def _expire(engine: MatchingEngine) -> None:
    engine.expire(1e6)


def _delete_group(engine: MatchingEngine) -> None:
    engine.delete_group(owner="alice", group_id=next(iter(engine._groups)), now=1.0)


def _trigger_group(engine: MatchingEngine) -> None:
    engine.trigger_group(owner="alice", group_id=next(iter(engine._groups)), now=1.0)


def _mass_cancel(engine: MatchingEngine) -> None:
    engine.mass_cancel(owner="alice", client_id="q", now=1.0)


def _disconnect(engine: MatchingEngine) -> None:
    engine.cancel_all_for_owner("alice", 1.0)


def _replace_to_filled(engine: MatchingEngine) -> None:
    _place(engine, "t", owner="bob", side=Side.NO, price="0.60", qty=2)
    engine.replace(owner="alice", client_id="r", orig_client_id="a", qty=2, now=1.0)


def _close_market(engine: MatchingEngine) -> None:
    engine.close_market(MKT, 1.0)


def _end_of_day(engine: MatchingEngine) -> None:
    engine.end_of_day(1.0)


@pytest.mark.parametrize(
    ("leave", "options"),
    [
        (_fill, {}),
        (_cancel, {}),
        (_expire, {"time_in_force": TimeInForce.GTD, "expire_time": 1e5}),
        (_delete_group, {"group": True}),
        (_trigger_group, {"group": True}),
        (_mass_cancel, {}),
        (_disconnect, {}),
        (_replace_to_filled, {}),
        (_close_market, {}),
        (_end_of_day, {"time_in_force": TimeInForce.DAY}),
    ],
)
def test_every_way_an_order_leaves_the_book_gives_its_room_back(
    leave: Callable[[MatchingEngine], None], options: dict[str, Any]
) -> None:
    """With room for one order, one resting: a second is refused; after the order leaves the
    book (fill, cancel, expiry, group delete or trigger, mass cancel, cancel on disconnect,
    a cancel/replace down to the filled quantity, market close, day end) its owner holds
    nothing and a new order is taken.
    """
    engine = _engine(1)
    if options.pop("group", False):
        created = engine.create_group(owner="alice", limit=100, now=0.0)[-1]
        assert isinstance(created, GroupCreated)
        options["group_id"] = created.group.group_id
    assert isinstance(_place(engine, "a", **options), Accepted)
    assert isinstance(_place(engine, "b"), Rejected)
    leave(engine)
    assert not engine.open_orders("alice")
    assert engine.open_order_bytes("alice") == 0
    if _close_market is not leave:
        assert isinstance(_place(engine, "c", price="0.30", now=2e6), Accepted)
        assert engine.open_order_bytes("alice") == ONE


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"time_in_force": TimeInForce.IOC}, CancelReason.IMMEDIATE_OR_CANCELLED),
        ({"time_in_force": TimeInForce.FOK}, CancelReason.FOK_INSUFFICIENT_VOLUME),
        ({"post_only": True, "price": "0.70"}, CancelReason.POST_ONLY_CROSS),
    ],
)
def test_orders_that_never_rest_hold_nothing_after(
    options: dict[str, Any], reason: CancelReason
) -> None:
    """IOC, FOK and a crossing post-only order are taken within the cap and hold nothing
    once cancelled; an RFQ's block trade leaves both owners holding nothing.
    """
    engine = _engine(1)
    _place(engine, "m", owner="bob", side=Side.NO, price="0.50", qty=1)
    price = str(options.pop("price", "0.40"))
    events = place(engine, "alice", "a", Side.YES, price, 5, 1.0, **options)
    assert isinstance(events[0], Accepted)
    assert isinstance(events[-1], Cancelled)
    assert events[-1].reason is reason
    assert engine.open_order_bytes("alice") == 0
    engine.block_trade(
        market=MKT,
        taker_owner="alice",
        taker_client_id="bt",
        taker_side=Side.YES,
        maker_owner="carol",
        maker_client_id="bm",
        maker_price=Decimal("0.45"),
        qty=Decimal(3),
        now=1.0,
    )
    assert (engine.open_order_bytes("alice"), engine.open_order_bytes("carol")) == (0, 0)


def test_a_replace_that_adds_a_client_id_past_the_cap_is_refused() -> None:
    """A replace charges the order's former ClOrdID <11>; at the cap it is refused
    INSUFFICIENT_BALANCE (CxlRejReason <102>=99) and the order is unchanged, while a replace
    down to the filled quantity (a cancel) still goes; with no former ClOrdIDs kept, a replace
    adds nothing and goes at the cap.
    """
    engine = MatchingEngine(max_open_order_bytes=ONE + FORMER_CLIENT_ID_CHARGE)
    engine.add_market(MKT)
    _place(engine, "a")
    first = engine.replace(owner="alice", client_id="b", orig_client_id="a", qty=4, now=1.0)
    assert isinstance(first[-1], Replaced)
    assert engine.open_order_bytes("alice") == ONE + FORMER_CLIENT_ID_CHARGE == _held(engine)
    second = engine.replace(owner="alice", client_id="c", orig_client_id="b", qty=3, now=1.0)
    refused = second[-1]
    assert isinstance(refused, CancelRejected)
    assert refused.reason is CancelRejectReason.INSUFFICIENT_BALANCE
    assert refused.reason.cxl_rej_reason == 99
    assert refused.order is not None
    assert (refused.order.client_id, refused.order.order_qty) == ("b", Decimal(4))
    engine.max_former_client_ids = 0
    third = engine.replace(owner="alice", client_id="c", orig_client_id="b", qty=3, now=1.0)
    assert isinstance(third[-1], Replaced)
    assert engine.open_order_bytes("alice") == ONE == _held(engine)
    assert isinstance(_place(engine, "t", owner="bob", side=Side.NO, price="0.60", qty=1), Accepted)
    engine.max_open_order_bytes = ONE - 1  # Lowered below what is held: nothing new goes.
    engine.max_former_client_ids = 12
    fourth = engine.replace(owner="alice", client_id="d", orig_client_id="c", qty=2, now=1.0)
    assert isinstance(fourth[-1], CancelRejected)
    done = engine.replace(owner="alice", client_id="d", orig_client_id="c", qty=1, now=1.0)
    assert isinstance(done[-1], Cancelled)
    assert engine.open_order_bytes("alice") == 0


def _memory(place: Callable[[int], None], count: int) -> int:
    """What ``count`` calls of ``place`` leave allocated, by tracemalloc."""
    place(0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1, count + 1):
            place(i)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


TICKER = "KXNBAGAME-26MAY25NYKCLE-NYK"
PRICES = [Decimal(cents) / 100 for cents in range(1, 40)]


@pytest.mark.parametrize("kind", ["resting", "gtd-in-group", "replaced"])
def test_the_open_order_charge_covers_what_an_open_order_takes(kind: str) -> None:
    """tracemalloc: 5,000 resting orders (UUID ClOrdIDs <11>, the ticker a fresh string per
    order as the simulator's parse makes it) take no more than they are charged and more
    than half of it; GTD orders in a group, and orders replaced twice with 64-character
    ClOrdIDs, take no more than they are charged.
    """
    engine = MatchingEngine(max_open_order_bytes=10**12)
    engine.add_market(TICKER)
    options: dict[str, object] = {}
    if kind == "gtd-in-group":
        created = engine.create_group(owner="alice", limit=10**6, now=0.0)[-1]
        assert isinstance(created, GroupCreated)
        options = {"group_id": created.group.group_id, "time_in_force": TimeInForce.GTD}

    def place(i: int) -> None:
        client_id = str(uuid.UUID(int=i))
        events = engine.submit(
            owner="alice",
            client_id=client_id,
            market=(TICKER + " ")[:-1],
            side=Side.YES,
            price=PRICES[i % len(PRICES)],
            qty=5,
            now=1.0,
            expire_time=1e9 + i if options else None,
            **options,  # type: ignore[arg-type]
        )
        assert isinstance(events[-1], Accepted)
        if kind == "replaced":
            for qty in (4, 3):
                new_id = f"{qty}{client_id}".ljust(64, "x")
                replaced = engine.replace(
                    owner="alice", client_id=new_id, orig_client_id=client_id, qty=qty, now=1.0
                )
                assert isinstance(replaced[-1], Replaced)
                client_id = new_id

    taken = _memory(place, 5_000)
    assert engine.open_order_bytes("alice") == _held(engine)
    # All but the order placed before tracemalloc started.
    charged = engine.open_order_bytes("alice") * 5_000 // 5_001
    assert taken <= charged
    if kind == "resting":
        assert taken > charged / 2


def test_impossible_open_order_cap_is_refused() -> None:
    with pytest.raises(ValueError, match="max_open_order_bytes must be at least 0"):
        MatchingEngine(max_open_order_bytes=-1)
    with pytest.raises(ValueError, match="max_open_order_bytes must be at least 0"):
        Simulator(max_open_order_bytes=-1)
    assert Simulator().engine.max_open_order_bytes == DEFAULT_MAX_OPEN_ORDER_BYTES


def test_an_order_past_the_cap_gets_a_rejected_report_over_a_session(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Over TLS loopback, a key with room for two orders: the third NewOrderSingle <D> gets
    ExecutionReport 150=8 39=8 103=3 Text INSUFFICIENT_BALANCE and the client closes it
    rejected; a replace that would add a ClOrdID gets OrderCancelReject <9> 102=99
    INSUFFICIENT_BALANCE; a cancel makes room and the next order is taken. Another key is
    not affected.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MKT], max_open_order_bytes=2 * ONE) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            other = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            first = nr.client.new_order(MKT, "yes", 2, Decimal("0.40"))
            await nr.report(first, "0")
            second = nr.client.new_order(MKT, "yes", 2, Decimal("0.41"))
            await nr.report(second, "0")
            third = nr.client.new_order(MKT, "yes", 2, Decimal("0.42"))
            refused = await nr.report(third, "8")
            assert (refused.ord_status, refused.ord_rej_reason, refused.text) == (
                "8",
                3,
                "INSUFFICIENT_BALANCE",
            )
            assert nr.client.orders[third].status == "rejected"
            replace = nr.client.replace(second, quantity=1)
            cxl = await nr.next(OrderCancelReject, lambda e: e.cl_ord_id == replace)
            assert (cxl.reason, cxl.text) == (99, "INSUFFICIENT_BALANCE")
            other_order = other.client.new_order(MKT, "yes", 2, Decimal("0.40"))
            await other.report(other_order, "0")
            await nr.report(nr.client.cancel(first), "4")
            fourth = nr.client.new_order(MKT, "yes", 2, Decimal("0.42"))
            await nr.report(fourth, "0")
            await nr.close()
            await other.close()

    run(main)
