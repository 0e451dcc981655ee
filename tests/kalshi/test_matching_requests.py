"""The Kalshi matching engine's requests and venue rules, one scenario each: cancel, replace,
mass cancel, cost and fees, positions, argument validation, venue rejects and its output.
"""

from dataclasses import FrozenInstanceError
from decimal import Decimal
from typing import Any

import pytest

from fixwire.kalshi.sim.matching import (
    Accepted,
    Cancelled,
    CancelReason,
    CancelRejected,
    CancelRejectReason,
    CancelRequestType,
    Event,
    Filled,
    GroupRejected,
    Liquidity,
    MassCancelReport,
    MatchingEngine,
    OrderStatus,
    Position,
    Rejected,
    RejectReason,
    Replaced,
    SequentialIds,
    Side,
    TickBand,
    TimeInForce,
    TradingState,
)
from matching_cases import (
    MKT,
    NO,
    YES,
    D,
    names,
    new_engine,
    one,
    only,
    order_id,
    place,
)

# ---------------------------------------------------------------------------------- cancel


def test_cancel_renames_the_order_and_takes_it_off_the_book() -> None:
    engine = new_engine()
    oid = order_id(place(engine, "alice", "a1", YES, "0.30", 4))
    events = engine.cancel(owner="alice", client_id="a1-x", orig_client_id="a1", now=1)
    cancelled = one(events, Cancelled)
    assert cancelled.reason is CancelReason.CANCEL_REQUESTED
    assert (cancelled.order.order_id, cancelled.order.client_id) == (oid, "a1-x")
    assert (cancelled.orig_client_id, cancelled.qty) == ("a1", D(4))
    assert cancelled.order.status is OrderStatus.CANCELED
    assert engine.depth(MKT, YES) == []


def test_cancel_of_an_unknown_or_finished_order_is_rejected() -> None:
    engine = new_engine()
    unknown = one(
        engine.cancel(owner="alice", client_id="x", orig_client_id="nope", now=0), CancelRejected
    )
    assert (unknown.reason, unknown.order) == (CancelRejectReason.UNKNOWN_ORDER, None)
    assert unknown.reason.cxl_rej_reason == 1
    assert unknown.response_to is CancelRequestType.CANCEL

    place(engine, "bob", "b1", NO, "0.60", 1)
    place(engine, "alice", "a1", YES, "0.40", 1)
    late = one(
        engine.cancel(owner="alice", client_id="x", orig_client_id="a1", now=0), CancelRejected
    )
    assert late.reason is CancelRejectReason.TOO_LATE_TO_CANCEL
    assert late.order is not None
    assert late.order.status is OrderStatus.FILLED


def test_cancel_checks_owner_side_and_ticker() -> None:
    engine = new_engine()
    oid = order_id(place(engine, "alice", "a1", YES, "0.30"))
    for kwargs in (
        {"owner": "bob", "orig_client_id": "a1"},
        {"owner": "bob", "orig_client_id": "zz", "order_id": oid},
        {"owner": "alice", "orig_client_id": "a1", "side": NO},
        {"owner": "alice", "orig_client_id": "a1", "market": "OTHER"},
        {"owner": "alice", "orig_client_id": "a1", "subaccount": 1},
    ):
        rejected = one(engine.cancel(client_id="c", now=0, **kwargs), CancelRejected)
        assert rejected.reason is CancelRejectReason.UNKNOWN_ORDER
    by_id = engine.cancel(owner="alice", client_id="c", orig_client_id="stale", order_id=oid, now=0)
    assert one(by_id, Cancelled).order.order_id == oid


def test_cancel_reusing_another_orders_client_id_leaves_that_order_alone() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.30")
    keep = order_id(place(engine, "alice", "a2", YES, "0.31"))
    engine.cancel(owner="alice", client_id="a2", orig_client_id="a1", now=0)
    events = engine.cancel(owner="alice", client_id="a3", orig_client_id="a2", now=0)
    assert one(events, Cancelled).order.order_id == keep


def test_cancel_works_in_a_trading_pause_but_not_an_exchange_pause() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.30")
    place(engine, "alice", "a2", YES, "0.31")
    engine.pause(1)
    assert names(engine.cancel(owner="alice", client_id="c1", orig_client_id="a1", now=1)) == [
        "Cancelled"
    ]
    engine.pause(2, exchange=True)
    rejected = one(
        engine.cancel(owner="alice", client_id="c2", orig_client_id="a2", now=2), CancelRejected
    )
    assert rejected.reason is CancelRejectReason.EXCHANGE_PAUSED


# ---------------------------------------------------------------------------------- replace


def queue(engine: MatchingEngine, side: Side) -> list[str]:
    return [o.client_id for o in engine.resting(MKT, side)]


def test_replace_keeps_priority_only_for_a_smaller_quantity_at_the_same_price() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.30", 5)
    place(engine, "bob", "b1", YES, "0.30", 5)

    smaller = engine.replace(owner="alice", client_id="a2", orig_client_id="a1", qty=3, now=1)
    replaced = one(smaller, Replaced)
    assert replaced.priority_kept
    assert (replaced.orig_client_id, replaced.previous_qty) == ("a1", D(5))
    assert (replaced.order.order_qty, replaced.order.leaves_qty) == (D(3), D(3))
    assert queue(engine, YES) == ["a2", "b1"]

    larger = engine.replace(owner="alice", client_id="a3", orig_client_id="a2", qty=4, now=2)
    assert not one(larger, Replaced).priority_kept
    assert queue(engine, YES) == ["b1", "a3"]

    moved = engine.replace(
        owner="bob", client_id="b2", orig_client_id="b1", qty=5, price=D("0.29"), now=3
    )
    assert not one(moved, Replaced).priority_kept
    assert one(moved, Replaced).previous_price == D("0.30")
    assert queue(engine, YES) == ["a3", "b2"]


def test_replace_to_a_crossing_price_trades_as_a_taker() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.65", 2)
    place(engine, "alice", "a1", YES, "0.30", 5)
    events = engine.replace(
        owner="alice", client_id="a2", orig_client_id="a1", qty=5, price=D("0.40"), now=1
    )
    assert names(events) == ["Replaced", "Filled", "Filled"]
    taker = only(events, Filled)[0]
    assert (taker.liquidity, taker.price, taker.qty) == (Liquidity.TAKER, D("0.35"), D(2))
    assert engine.depth(MKT, YES) == [(D("0.40"), D(3))]


def test_replace_quantity_against_what_has_filled() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.60", 2)
    place(engine, "alice", "a1", YES, "0.40", 5)
    below = one(
        engine.replace(owner="alice", client_id="a2", orig_client_id="a1", qty=1, now=1),
        CancelRejected,
    )
    assert below.reason is CancelRejectReason.INVALID_AMEND_QTY_FOR_ORDER
    assert below.reason.cxl_rej_reason == 2
    assert below.response_to is CancelRequestType.REPLACE

    equal = engine.replace(owner="alice", client_id="a3", orig_client_id="a1", qty=2, now=1)
    cancelled = one(equal, Cancelled)
    assert (cancelled.reason, cancelled.qty) == (CancelReason.CANCEL_REQUESTED, D(3))
    assert cancelled.order.order_qty == cancelled.order.cum_qty + cancelled.qty

    place(engine, "alice", "a4", YES, "0.30", 1, now=2)
    place(engine, "bob", "b2", NO, "0.70", 1, now=2)
    filled = one(
        engine.replace(owner="alice", client_id="a5", orig_client_id="a4", qty=3, now=2),
        CancelRejected,
    )
    assert filled.reason is CancelRejectReason.CANNOT_UPDATE_FILLED_ORDER


def test_replace_rejects_leave_the_order_unchanged() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", NO, "0.60", 2)
    place(engine, "alice", "a2", YES, "0.30", 2)
    place(engine, "alice", "p1", YES, "0.20", 2, post_only=True)
    place(engine, "bob", "b1", NO, "0.50", 1)
    before = engine.open_orders()
    cases = [
        ("a2", D("0.40"), "x1", CancelRejectReason.SELF_CROSS_ATTEMPT, 18),
        ("a2", D("0.305"), "x2", CancelRejectReason.INVALID_PRICE, 99),
        ("a2", D("0.31"), "a1", CancelRejectReason.ORDER_ALREADY_EXISTS, 6),
        ("p1", D("0.50"), "x3", CancelRejectReason.POST_ONLY_CROSS, 99),
    ]
    for orig, price, new_id, reason, code in cases:
        events = engine.replace(
            owner="alice", client_id=new_id, orig_client_id=orig, qty=2, price=price, now=1
        )
        rejected = one(events, CancelRejected)
        assert (rejected.reason, rejected.reason.cxl_rej_reason) == (reason, code)
    assert engine.open_orders() == before


def test_replace_is_refused_in_a_trading_pause() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.30", 2)
    engine.pause(1)
    events = engine.replace(owner="alice", client_id="a2", orig_client_id="a1", qty=1, now=1)
    assert one(events, CancelRejected).reason is CancelRejectReason.TRADING_PAUSED


# ---------------------------------------------------------------------------------- mass cancel


def test_mass_cancel_reports_first_and_cancels_the_owners_orders() -> None:
    engine = new_engine()
    engine.add_market("OTHER")
    first = order_id(place(engine, "alice", "a1", YES, "0.30"))
    elsewhere = order_id(
        engine.submit(
            owner="alice", client_id="a2", market="OTHER", side=NO, price=D("0.2"), qty=1, now=0
        )
    )
    bobs = order_id(place(engine, "bob", "b1", YES, "0.30"))

    events = engine.mass_cancel(owner="alice", client_id="m1", now=1, market=MKT)
    assert names(events) == ["MassCancelReport", "Cancelled"]
    report = one(events, MassCancelReport)
    assert (report.accepted, report.count, report.client_id) == (True, 1, "m1")
    assert one(events, Cancelled).order.order_id == first
    assert one(events, Cancelled).reason is CancelReason.MASS_CANCEL

    everything = engine.mass_cancel(owner="alice", client_id="m2", now=2)
    assert [c.order.order_id for c in only(everything, Cancelled)] == [elsewhere]
    assert [o.order_id for o in engine.open_orders()] == [bobs]


def test_cancel_on_disconnect_works_even_in_an_exchange_pause() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.30")
    place(engine, "alice", "a2", NO, "0.30", subaccount=1)
    engine.pause(1, exchange=True)
    refused = one(engine.mass_cancel(owner="alice", client_id="m", now=1), MassCancelReport)
    assert (refused.accepted, refused.reason) == (False, RejectReason.EXCHANGE_PAUSED)
    events = engine.cancel_all_for_owner("alice", 2)
    assert [c.reason for c in only(events, Cancelled)] == [CancelReason.CANCEL_ON_DISCONNECT] * 2
    assert engine.open_orders() == []


# ---------------------------------------------------------------------------------- cost and fees


def test_max_execution_cost_is_fill_or_kill_within_the_cap() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.70", 2)
    place(engine, "bob", "b2", NO, "0.60", 2)
    # Four Yes contracts cost 2 x 0.30 + 2 x 0.40 = 1.40.
    over = place(engine, "alice", "a1", YES, "0.40", 4, max_execution_cost=D("1.39"))
    assert names(over) == ["Accepted", "Cancelled"]
    assert one(over, Cancelled).reason is CancelReason.MAX_EXECUTION_COST
    short = place(engine, "alice", "a2", YES, "0.40", 5, max_execution_cost=D("10"))
    assert one(short, Cancelled).reason is CancelReason.FOK_INSUFFICIENT_VOLUME
    within = place(engine, "alice", "a3", YES, "0.40", 4, max_execution_cost=D("1.40"))
    assert sum(f.qty for f in only(within, Filled) if f.liquidity is Liquidity.TAKER) == D(4)
    assert only(within, Cancelled) == []


def fee_model(market: str, price: Decimal, qty: Decimal, liquidity: Liquidity) -> Decimal:
    """A made-up fee for the tests: a cent per contract for takers, nothing for makers."""
    return qty * D("0.01") if liquidity is Liquidity.TAKER else D(0)


def test_fee_model_is_applied_per_side_and_counts_toward_max_cost() -> None:
    engine = new_engine(fee_model=fee_model)
    place(engine, "bob", "b1", NO, "0.70", 4)
    over = place(engine, "alice", "a1", YES, "0.30", 2, max_execution_cost=D("0.60"))
    assert one(over, Cancelled).reason is CancelReason.MAX_EXECUTION_COST
    events = place(engine, "alice", "a2", YES, "0.30", 2, max_execution_cost=D("0.62"))
    taker, maker = only(events, Filled)
    assert (taker.fee, maker.fee) == (D("0.02"), D(0))
    assert taker.order.cum_fees == D("0.02")


def test_without_a_fee_model_trades_are_free() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.70", 1)
    assert {f.fee for f in only(place(engine, "alice", "a1", YES, "0.30"), Filled)} == {D(0)}


# ---------------------------------------------------------------------------------- positions


def test_positions_net_yes_against_no_per_subaccount() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.50", 10)
    bought = place(engine, "alice", "a1", YES, "0.50", 5)
    assert (only(bought, Filled)[0].long_qty, only(bought, Filled)[0].short_qty) == (D(5), D(0))
    place(engine, "carol", "c1", YES, "0.45", 10)
    sold = place(engine, "alice", "a2", NO, "0.55", 3)
    assert (only(sold, Filled)[0].long_qty, only(sold, Filled)[0].short_qty) == (D(2), D(0))
    assert engine.position("alice", MKT) == Position(long_qty=D(2), short_qty=D(0))
    assert engine.position("bob", MKT) == Position(long_qty=D(0), short_qty=D(5))
    assert engine.position("alice", MKT, subaccount=1) == Position(D(0), D(0))


# ---------------------------------------------------------------------------------- validation


@pytest.mark.parametrize("price", ["0", "1", "1.5", "-0.2", "0.00001", "0.12345", "NaN"])
def test_price_out_of_band_is_a_value_error(price: str) -> None:
    engine = new_engine()
    with pytest.raises(ValueError, match="price"):
        place(engine, "alice", "a1", YES, price)


def test_float_prices_are_refused() -> None:
    engine = new_engine()
    with pytest.raises(TypeError, match="Decimal"):
        engine.submit(
            owner="alice",
            client_id="a1",
            market=MKT,
            side=YES,
            price=0.5,  # type: ignore[arg-type]
            qty=1,
            now=0,
        )


def test_a_value_that_passed_one_check_is_checked_again_by_the_other() -> None:
    """The engine remembers the Decimals that passed its price check and, apart, those that
    passed its quantity check: ten contracts (a quantity that passed) is no price, and a
    price that passed is still refused as a quantity of another market's step.
    """
    engine = new_engine()
    ten = D(10)
    engine.submit(
        owner="alice", client_id="a1", market=MKT, side=YES, price=D("0.5"), qty=ten, now=0
    )
    with pytest.raises(ValueError, match="price"):
        engine.submit(owner="alice", client_id="a2", market=MKT, side=YES, price=ten, qty=1, now=0)
    half = D("0.5")
    engine.submit(owner="alice", client_id="a3", market=MKT, side=YES, price=half, qty=1, now=0)
    events = engine.submit(
        owner="alice", client_id="a4", market=MKT, side=YES, price=half, qty=half, now=0
    )
    assert only(events, Rejected)[0].reason is RejectReason.INVALID_ORDER  # Not a whole one.


@pytest.mark.parametrize("qty", [0, -1, D("-0.5"), D("Infinity")])
def test_non_positive_quantity_is_a_value_error(qty: Decimal | int) -> None:
    engine = new_engine()
    with pytest.raises(ValueError, match="quantity"):
        place(engine, "alice", "a1", YES, "0.5", qty)  # type: ignore[arg-type]


def test_other_argument_errors() -> None:
    engine = new_engine()
    with pytest.raises(ValueError, match="subaccount"):
        place(engine, "alice", "a1", YES, "0.5", subaccount=64)
    with pytest.raises(ValueError, match="max_execution_cost"):
        place(engine, "alice", "a1", YES, "0.5", max_execution_cost=D(0))
    with pytest.raises(ValueError, match="listed already"):
        engine.add_market(MKT)
    with pytest.raises(ValueError, match="not listed"):
        engine.close_market("NOPE", 0)
    with pytest.raises(ValueError, match="band"):
        TickBand(D("0.5"), D("0.4"), D("0.01"))
    engine.expire(10)
    with pytest.raises(ValueError, match="backwards"):
        engine.expire(9)


# ---------------------------------------------------------------------------------- venue rejects


def test_venue_rejects_carry_kalshi_texts_and_codes() -> None:
    engine = new_engine()
    place(engine, "alice", "dup", YES, "0.30")
    cases: list[tuple[dict[str, Any], RejectReason, int]] = [
        (dict(market="NOPE"), RejectReason.MARKET_NOT_FOUND, 1),
        (dict(client_id="dup"), RejectReason.ORDER_ALREADY_EXISTS, 6),
        (dict(price=D("0.305")), RejectReason.INVALID_ORDER, 11),
        (dict(qty=D("1.5")), RejectReason.INVALID_ORDER, 11),
        (dict(group_id="no-such-group"), RejectReason.ORDER_GROUP_NOT_FOUND, 11),
    ]
    for override, reason, code in cases:
        request: dict[str, Any] = dict(
            owner="alice", client_id="new", market=MKT, side=YES, price=D("0.3"), qty=1, now=0
        )
        request.update(override)
        rejected = one(engine.submit(**request), Rejected)
        assert (rejected.reason, rejected.reason.ord_rej_reason) == (reason, code)
        assert rejected.client_id == request["client_id"]
    # A ClOrdID is free again once its order is no longer open.
    engine.cancel(owner="alice", client_id="gone", orig_client_id="dup", now=0)
    assert names(place(engine, "alice", "dup", YES, "0.30")) == ["Accepted"]


def test_closed_market_cancels_orders_and_refuses_new_ones() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.30")
    events = engine.close_market(MKT, 5)
    assert one(events, Cancelled).reason is CancelReason.MARKET_CLOSE
    assert one(events, Cancelled).reason.is_expiry
    rejected = one(place(engine, "alice", "a2", YES, "0.30", now=6), Rejected)
    assert (rejected.reason, rejected.reason.ord_rej_reason) == (
        RejectReason.MARKET_ALREADY_CLOSED,
        2,
    )


def test_subpenny_bands_decide_valid_prices_on_the_yes_scale() -> None:
    engine = MatchingEngine()
    engine.add_market(
        MKT,
        tick_bands=(
            TickBand(D("0.001"), D("0.099"), D("0.001")),
            TickBand(D("0.10"), D("0.90"), D("0.01")),
            TickBand(D("0.901"), D("0.999"), D("0.001")),
        ),
        qty_step=D("0.01"),
    )
    assert names(place(engine, "alice", "a1", YES, "0.005", 1)) == ["Accepted"]
    assert names(place(engine, "carol", "c1", NO, "0.994", 1)) == ["Accepted"]  # Yes 0.006
    for side, price in ((YES, "0.105"), (NO, "0.9945")):  # off the 0.01 and 0.001 ticks
        rejected = one(place(engine, "carol", "c2", side, price), Rejected)
        assert rejected.reason is RejectReason.INVALID_ORDER
    events = engine.submit(
        owner="bob", client_id="b1", market=MKT, side=NO, price=D("0.995"), qty=D("0.25"), now=0
    )
    assert one(events, Accepted).order.order_qty == D("0.25")
    assert only(events, Filled)[0].qty == D("0.25")


def trading_state(engine: MatchingEngine) -> TradingState:
    """The state as a call, so that mypy does not carry a narrowed property across calls."""
    return engine.trading_state


def test_pause_cancels_flagged_orders_and_refuses_new_ones_until_resumed() -> None:
    engine = new_engine()
    flagged = order_id(place(engine, "alice", "a1", YES, "0.30", cancel_on_pause=True))
    kept = order_id(place(engine, "alice", "a2", YES, "0.31"))
    events = engine.pause(1)
    assert trading_state(engine) is TradingState.TRADING_PAUSED
    assert [(c.order.order_id, c.reason) for c in only(events, Cancelled)] == [
        (flagged, CancelReason.PAUSE)
    ]
    assert one(place(engine, "bob", "b1", NO, "0.5", now=1), Rejected).reason is (
        RejectReason.TRADING_PAUSED
    )
    engine.pause(2, exchange=True)
    assert one(place(engine, "bob", "b1", NO, "0.5", now=2), Rejected).reason is (
        RejectReason.EXCHANGE_PAUSED
    )
    assert one(engine.create_group(owner="bob", limit=1, now=2), GroupRejected).reason is (
        RejectReason.EXCHANGE_PAUSED
    )
    engine.resume(3)
    assert trading_state(engine) is TradingState.OPEN
    assert names(place(engine, "bob", "b1", NO, "0.5", now=3)) == ["Accepted"]
    assert [o.order_id for o in engine.open_orders(owner="alice")] == [kept]


# ---------------------------------------------------------------------------------- output


def script(engine: MatchingEngine) -> list[Event]:
    events = place(engine, "alice", "a1", YES, "0.40", 3)
    events += place(engine, "bob", "b1", NO, "0.65", 5)
    events += engine.replace(owner="bob", client_id="b2", orig_client_id="b1", qty=4, now=1)
    events += engine.create_group(owner="bob", limit=2, now=2)
    return events


def test_runs_repeat_exactly_and_ids_come_from_the_factory() -> None:
    assert script(new_engine()) == script(new_engine())
    counter = iter(range(1, 100))
    events = script(new_engine(id_factory=lambda: f"id-{next(counter)}"))
    assert one(events[:1], Accepted).order.order_id == "id-1"
    ids = SequentialIds()
    assert (ids(), ids()) == (
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
    )


def test_events_are_immutable() -> None:
    event = one(place(new_engine(), "alice", "a1", YES, "0.40"), Accepted)
    with pytest.raises(FrozenInstanceError):
        event.order = event.order  # type: ignore[misc]
    # The order snapshot is a named tuple: its fields cannot be set either.
    with pytest.raises(AttributeError):
        event.order.price = D("0.5")  # type: ignore[misc]


def test_an_events_order_is_the_order_as_the_engine_keeps_it_field_by_field() -> None:
    engine = new_engine()
    event = one(place(engine, "alice", "a1", YES, "0.40", qty=7), Accepted)
    kept = engine._orders[event.order.order_id]
    assert event.order._asdict() == {name: getattr(kept, name) for name in event.order._fields}
    assert (event.order.client_id, event.order.price, event.order.leaves_qty) == (
        "a1",
        D("0.40"),
        D(7),
    )


def test_only_kalshi_texts_are_marked_documented() -> None:
    documented = {r for r in CancelReason if r.documented}
    assert documented == {
        CancelReason.IMMEDIATE_OR_CANCELLED,
        CancelReason.FOK_INSUFFICIENT_VOLUME,
        CancelReason.POST_ONLY_CROSS,
        CancelReason.ORDER_GROUP_CANCEL,
        CancelReason.TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION,
        CancelReason.MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION,
    }
    assert {r for r in CancelReason if r.is_expiry} == {
        CancelReason.ORDER_EXPIRY,
        CancelReason.MARKET_CLOSE,
    }
    assert Liquidity.TAKER.aggressor
    assert not Liquidity.MAKER.aggressor
    assert (Side.YES.value, Side.NO.value, TimeInForce.GTD.value) == ("1", "2", "6")
