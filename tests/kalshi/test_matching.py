"""Tests of the Kalshi matching engine: one scenario per feature, then a hypothesis state machine.

The state machine drives random orders, cancels, replaces, clock steps, pauses and order-group
actions, and after every step checks that the book is never crossed, that every order's
quantity adds up, that every trade has a Yes and a No side of equal size, that positions follow
the fills, that order groups stay within their limits and that fills respect price-time
priority.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import FrozenInstanceError, dataclass
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fixwire.kalshi.sim.matching import (
    Accepted,
    Cancelled,
    CancelReason,
    CancelRejected,
    CancelRejectReason,
    CancelRequestType,
    Event,
    Filled,
    GroupAction,
    GroupCreated,
    GroupDeleted,
    GroupLimitUpdated,
    GroupRejected,
    GroupReset,
    GroupTriggered,
    Liquidity,
    MassCancelReport,
    MatchingEngine,
    OrderStatus,
    Position,
    Rejected,
    RejectReason,
    Replaced,
    SelfTradePrevention,
    SequentialIds,
    Side,
    TickBand,
    TimeInForce,
    TradingState,
    from_yes_price,
    to_yes_price,
)

D = Decimal
MKT = "HIGHNY-23DEC31"
YES, NO = Side.YES, Side.NO
E = TypeVar("E")


def new_engine(**kwargs: Any) -> MatchingEngine:
    engine = MatchingEngine(**kwargs)
    engine.add_market(MKT)
    return engine


def place(
    engine: MatchingEngine,
    owner: str,
    client_id: str,
    side: Side,
    price: str,
    qty: int = 1,
    now: float = 0.0,
    **kwargs: Any,
) -> list[Event]:
    """Submit an order to MKT with the price given as a string."""
    return engine.submit(
        owner=owner,
        client_id=client_id,
        market=MKT,
        side=side,
        price=D(price),
        qty=qty,
        now=now,
        **kwargs,
    )


def only(events: Sequence[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def one(events: Sequence[Event], kind: type[E]) -> E:
    found = only(events, kind)
    assert len(found) == 1, events
    return found[0]


def names(events: Sequence[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def order_id(events: Sequence[Event]) -> str:
    return one(events, Accepted).order.order_id


# ---------------------------------------------------------------------------------- crossing


def test_yes_and_no_bids_cross_only_when_they_sum_to_a_dollar() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", YES, "0.40", 2)
    assert names(place(engine, "bob", "b1", NO, "0.59")) == ["Accepted"]
    assert engine.best_bid(MKT, YES) == D("0.40")
    assert engine.best_bid(MKT, NO) == D("0.59")

    events = place(engine, "bob", "b2", NO, "0.60")
    assert names(events) == ["Accepted", "Filled", "Filled"]
    taker, maker = only(events, Filled)
    assert (taker.order.side, taker.price, taker.liquidity) == (NO, D("0.60"), Liquidity.TAKER)
    assert (maker.order.side, maker.price, maker.liquidity) == (YES, D("0.40"), Liquidity.MAKER)
    assert taker.yes_price == maker.yes_price == D("0.40")
    assert taker.trade_id == maker.trade_id


def test_taker_trades_at_the_resting_price_on_its_own_scale() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.65", 3)
    events = place(engine, "alice", "a1", YES, "0.40", 2)
    taker, maker = only(events, Filled)
    # A Yes buyer willing to pay 40 cents meets a No buyer paying 65: the Yes side pays 35.
    assert taker.price == D("0.35")
    assert maker.price == D("0.65")
    assert taker.yes_price == D("0.35")
    assert taker.order.avg_price == D("0.35")
    assert (taker.order.cum_qty, taker.order.leaves_qty) == (D(2), D(0))
    assert taker.order.status is OrderStatus.FILLED
    assert (maker.order.cum_qty, maker.order.leaves_qty) == (D(2), D(1))
    assert maker.order.status is OrderStatus.PARTIALLY_FILLED


def test_sweep_takes_the_best_price_first_then_the_earliest_order() -> None:
    engine = new_engine()
    first = order_id(place(engine, "alice", "a1", YES, "0.45", 2))
    second = order_id(place(engine, "bob", "b1", YES, "0.45", 2))
    best = order_id(place(engine, "carol", "c1", YES, "0.50", 1))
    events = place(engine, "dave", "d1", NO, "0.55", 4)
    makers = [f for f in only(events, Filled) if f.liquidity is Liquidity.MAKER]
    expected = [(best, D(1)), (first, D(2)), (second, D(1))]
    assert [(f.order.order_id, f.qty) for f in makers] == expected
    takers = [f.price for f in only(events, Filled) if f.liquidity is Liquidity.TAKER]
    assert takers == [D("0.50"), D("0.55"), D("0.55")]
    assert engine.depth(MKT, YES) == [(D("0.45"), D(1))]
    assert engine.depth(MKT, NO) == []


def test_price_scale_helpers_are_mirror_images() -> None:
    assert to_yes_price(YES, D("0.30")) == D("0.30")
    assert to_yes_price(NO, D("0.30")) == D("0.70")
    assert from_yes_price(NO, D("0.4")) == D("0.6")
    assert from_yes_price(YES, to_yes_price(YES, D("0.1234"))) == D("0.1234")


# ---------------------------------------------------------------------------------- time in force


def test_ioc_trades_what_it_can_and_cancels_the_rest() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.60", 2)
    events = place(engine, "alice", "a1", YES, "0.40", 5, time_in_force=TimeInForce.IOC)
    assert names(events) == ["Accepted", "Filled", "Filled", "Cancelled"]
    cancelled = one(events, Cancelled)
    assert cancelled.reason is CancelReason.IMMEDIATE_OR_CANCELLED
    assert cancelled.qty == D(3)
    assert cancelled.order.cum_qty == D(2)
    assert engine.depth(MKT, YES) == []


def test_fok_fills_whole_or_not_at_all() -> None:
    engine = new_engine()
    maker = order_id(place(engine, "bob", "b1", NO, "0.60", 2))
    killed = place(engine, "alice", "a1", YES, "0.40", 3, time_in_force=TimeInForce.FOK)
    assert names(killed) == ["Accepted", "Cancelled"]
    assert one(killed, Cancelled).reason is CancelReason.FOK_INSUFFICIENT_VOLUME
    assert engine.depth(MKT, NO) == [(D("0.60"), D(2))]

    filled = place(engine, "alice", "a2", YES, "0.40", 2, time_in_force=TimeInForce.FOK)
    assert names(filled) == ["Accepted", "Filled", "Filled"]
    state = engine.order(maker)
    assert state is not None
    assert state.status is OrderStatus.FILLED


def test_gtd_expires_on_its_own_and_never_trades_late() -> None:
    engine = new_engine()
    gtd = order_id(
        place(engine, "alice", "a1", YES, "0.40", 1, time_in_force=TimeInForce.GTD, expire_time=10)
    )
    assert engine.expire(9.5) == []
    events = engine.expire(10)
    assert names(events) == ["Cancelled"]
    assert one(events, Cancelled).reason is CancelReason.ORDER_EXPIRY
    assert one(events, Cancelled).reason.is_expiry

    # An operation after the expiry time expires the order before it could trade.
    place(engine, "alice", "a2", YES, "0.40", 1, 20, time_in_force=TimeInForce.GTD, expire_time=30)
    events = place(engine, "bob", "b1", NO, "0.60", 1, now=31)
    assert names(events) == ["Cancelled", "Accepted"]
    state = engine.order(gtd)
    assert state is not None
    assert not state.is_open


def test_gtd_already_past_acts_as_ioc() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.60", 1, now=5)
    events = place(
        engine, "alice", "a1", YES, "0.40", 3, 5, time_in_force=TimeInForce.GTD, expire_time=4
    )
    assert names(events) == ["Accepted", "Filled", "Filled", "Cancelled"]
    assert one(events, Cancelled).reason is CancelReason.IMMEDIATE_OR_CANCELLED
    assert engine.open_orders() == []


def test_post_only_gtd_already_past_is_invalid() -> None:
    engine = new_engine()
    events = place(
        engine,
        "alice",
        "a1",
        YES,
        "0.30",
        now=5,
        time_in_force=TimeInForce.GTD,
        expire_time=5,
        post_only=True,
    )
    assert one(events, Rejected).reason is RejectReason.INVALID_ORDER
    assert engine.open_orders() == []


def test_end_of_day_cancels_day_orders_only() -> None:
    engine = new_engine()
    day = order_id(place(engine, "alice", "a1", YES, "0.30", time_in_force=TimeInForce.DAY))
    gtc = order_id(place(engine, "alice", "a2", YES, "0.31"))
    events = engine.end_of_day(100)
    assert [c.order.order_id for c in only(events, Cancelled)] == [day]
    assert one(events, Cancelled).reason is CancelReason.ORDER_EXPIRY
    assert [o.order_id for o in engine.open_orders()] == [gtc]


def test_expire_time_must_come_with_gtd_and_only_gtd() -> None:
    engine = new_engine()
    with pytest.raises(ValueError, match="GTD"):
        place(engine, "alice", "a1", YES, "0.30", time_in_force=TimeInForce.GTD)
    with pytest.raises(ValueError, match="GTD"):
        place(engine, "alice", "a1", YES, "0.30", expire_time=5.0)


# ---------------------------------------------------------------------------------- post-only


def test_post_only_rests_when_passive_and_is_cancelled_when_it_would_cross() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.60", 2)
    assert names(place(engine, "alice", "a1", YES, "0.39", post_only=True)) == ["Accepted"]
    events = place(engine, "alice", "a2", YES, "0.40", post_only=True)
    assert names(events) == ["Accepted", "Cancelled"]
    assert one(events, Cancelled).reason is CancelReason.POST_ONLY_CROSS
    assert CancelReason.POST_ONLY_CROSS.documented
    assert engine.depth(MKT, NO) == [(D("0.60"), D(2))]


def test_post_only_with_an_immediate_time_in_force_is_invalid() -> None:
    engine = new_engine()
    events = place(
        engine, "alice", "a1", YES, "0.30", post_only=True, time_in_force=TimeInForce.IOC
    )
    rejected = one(events, Rejected)
    assert rejected.reason is RejectReason.INVALID_ORDER
    assert rejected.reason.ord_rej_reason == 11


# ---------------------------------------------------------------------------------- self-trade


def test_taker_at_cross_keeps_earlier_fills_and_cancels_the_taker() -> None:
    engine = new_engine()
    place(engine, "bob", "b1", NO, "0.62", 1)
    own = order_id(place(engine, "alice", "a1", NO, "0.61", 1))
    place(engine, "bob", "b2", NO, "0.60", 1)
    events = place(engine, "alice", "a2", YES, "0.40", 3)
    assert names(events) == ["Accepted", "Filled", "Filled", "Cancelled"]
    cancelled = one(events, Cancelled)
    assert cancelled.reason is CancelReason.TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION
    assert (cancelled.qty, cancelled.order.cum_qty) == (D(2), D(1))
    assert engine.resting(MKT, NO)[0].order_id == own


def test_maker_mode_cancels_own_resting_orders_and_keeps_matching() -> None:
    engine = new_engine()
    own = order_id(place(engine, "alice", "a1", NO, "0.62", 1))
    other = order_id(place(engine, "bob", "b1", NO, "0.61", 1))
    events = place(engine, "alice", "a2", YES, "0.40", 1, stp=SelfTradePrevention.MAKER)
    assert names(events) == ["Accepted", "Cancelled", "Filled", "Filled"]
    cancelled = one(events, Cancelled)
    assert cancelled.order.order_id == own
    assert cancelled.reason is CancelReason.MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION
    assert only(events, Filled)[1].order.order_id == other


def test_self_trade_prevention_spans_subaccounts() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", NO, "0.60", 1, subaccount=3)
    events = place(engine, "alice", "a2", YES, "0.40", 1, subaccount=0)
    assert one(events, Cancelled).reason is CancelReason.TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION
    assert only(events, Filled) == []


def test_fok_stopped_by_self_trade_prevention_is_killed_without_side_effects() -> None:
    engine = new_engine()
    place(engine, "alice", "a1", NO, "0.62", 1)
    place(engine, "bob", "b1", NO, "0.61", 1)
    events = place(
        engine,
        "alice",
        "a2",
        YES,
        "0.39",
        2,
        time_in_force=TimeInForce.FOK,
        stp=SelfTradePrevention.MAKER,
    )
    # Maker mode would cancel alice's own No bid and fill one from bob: not enough, so nothing.
    assert names(events) == ["Accepted", "Cancelled"]
    assert one(events, Cancelled).reason is CancelReason.FOK_INSUFFICIENT_VOLUME
    assert engine.depth(MKT, NO) == [(D("0.62"), D(1)), (D("0.61"), D(1))]


# ---------------------------------------------------------------------------------- order groups


def create_group(engine: MatchingEngine, owner: str, limit: int, now: float = 0.0) -> str:
    return one(engine.create_group(owner=owner, limit=limit, now=now), GroupCreated).group.group_id


def volume(engine: MatchingEngine, group_id: str) -> Decimal:
    group = engine.group(group_id)
    assert group is not None
    return group.volume


def test_group_caps_fills_and_triggers_when_its_limit_is_reached() -> None:
    engine = new_engine()
    group = create_group(engine, "alice", 3)
    capped = order_id(place(engine, "alice", "a1", NO, "0.62", 5, group_id=group))
    sibling = order_id(place(engine, "alice", "a2", NO, "0.10", 1, group_id=group))
    other = order_id(place(engine, "bob", "b1", NO, "0.61", 5))

    events = place(engine, "carol", "c1", YES, "0.40", 4)
    assert names(events) == [
        "Accepted",
        "Filled",
        "Filled",
        "GroupTriggered",
        "Cancelled",
        "Cancelled",
        "Filled",
        "Filled",
    ]
    fills = [(f.order.order_id, f.qty) for f in only(events, Filled)]
    assert fills[1] == (capped, D(3))  # cut from 4 to the group's 3
    assert fills[3] == (other, D(1))
    triggered = one(events, GroupTriggered)
    assert (triggered.manual, triggered.group.volume, triggered.group.triggered) == (
        False,
        D(3),
        True,
    )
    assert {c.order.order_id for c in only(events, Cancelled)} == {capped, sibling}
    assert {c.reason for c in only(events, Cancelled)} == {CancelReason.ORDER_GROUP_CANCEL}

    rejected = one(place(engine, "alice", "a3", NO, "0.10", group_id=group), Rejected)
    assert rejected.reason is RejectReason.EXCEEDED_ORDER_GROUP_RISK_LIMIT
    assert rejected.reason.ord_rej_reason == 3

    reset = engine.reset_group(owner="alice", group_id=group, now=1)
    assert one(reset, GroupReset).group == engine.group(group)
    assert (one(reset, GroupReset).group.triggered, one(reset, GroupReset).group.volume) == (
        False,
        D(0),
    )
    assert names(place(engine, "alice", "a4", NO, "0.10", now=1, group_id=group)) == ["Accepted"]


def test_taker_in_a_group_stops_at_the_limit() -> None:
    engine = new_engine()
    group = create_group(engine, "alice", 4)
    place(engine, "bob", "b1", NO, "0.60", 10)
    events = place(engine, "alice", "a1", YES, "0.40", 10, group_id=group)
    assert names(events) == ["Accepted", "Filled", "Filled", "GroupTriggered", "Cancelled"]
    cancelled = one(events, Cancelled)
    assert cancelled.reason is CancelReason.ORDER_GROUP_CANCEL
    assert (cancelled.order.cum_qty, cancelled.qty) == (D(4), D(6))
    assert engine.position("alice", MKT) == Position(long_qty=D(4), short_qty=D(0))


def test_group_volume_rolls_off_after_fifteen_seconds() -> None:
    engine = new_engine()
    group = create_group(engine, "alice", 3)
    place(engine, "bob", "b1", NO, "0.60", 10)
    place(engine, "alice", "a1", YES, "0.40", 2, 0.0, group_id=group)
    place(engine, "alice", "a2", YES, "0.30", 1, 14.9, group_id=group)  # rests, no fill
    assert volume(engine, group) == D(2)
    engine.expire(15.0)
    assert volume(engine, group) == D(0)
    events = place(engine, "alice", "a3", YES, "0.40", 2, 15.0, group_id=group)
    assert only(events, GroupTriggered) == []
    assert sum(f.qty for f in only(events, Filled)) == D(4)


def test_manual_trigger_cancels_resting_members() -> None:
    engine = new_engine()
    group = create_group(engine, "alice", 100)
    member = order_id(place(engine, "alice", "a1", YES, "0.30", 2, group_id=group))
    outsider = order_id(place(engine, "alice", "a2", YES, "0.31", 2))
    events = engine.trigger_group(owner="alice", group_id=group, now=1)
    assert names(events) == ["GroupTriggered", "Cancelled"]
    assert one(events, GroupTriggered).manual
    assert one(events, Cancelled).order.order_id == member
    assert [o.order_id for o in engine.open_orders()] == [outsider]


def test_update_limit_to_the_volume_triggers_at_once() -> None:
    engine = new_engine()
    group = create_group(engine, "alice", 10)
    place(engine, "bob", "b1", NO, "0.60", 10)
    place(engine, "alice", "a1", YES, "0.40", 3, group_id=group)
    place(engine, "alice", "a2", YES, "0.20", 1, group_id=group)
    raised = engine.update_group_limit(owner="alice", group_id=group, limit=4, now=1)
    assert names(raised) == ["GroupLimitUpdated"]
    assert one(raised, GroupLimitUpdated).group.limit == 4
    lowered = engine.update_group_limit(owner="alice", group_id=group, limit=3, now=2)
    assert names(lowered) == ["GroupLimitUpdated", "GroupTriggered", "Cancelled"]


def test_delete_cancels_members_and_forgets_the_group() -> None:
    engine = new_engine()
    group = create_group(engine, "alice", 10)
    place(engine, "alice", "a1", YES, "0.30", 2, group_id=group)
    events = engine.delete_group(owner="alice", group_id=group, now=1)
    assert names(events) == ["GroupDeleted", "Cancelled"]
    assert one(events, GroupDeleted).group.group_id == group
    assert one(events, Cancelled).reason is CancelReason.ORDER_GROUP_CANCEL
    assert engine.group(group) is None
    again = one(engine.reset_group(owner="alice", group_id=group, now=2), GroupRejected)
    assert (again.action, again.reason) == (GroupAction.RESET, RejectReason.ORDER_GROUP_NOT_FOUND)
    rejected = one(place(engine, "alice", "a2", YES, "0.30", now=2, group_id=group), Rejected)
    assert rejected.reason is RejectReason.ORDER_GROUP_NOT_FOUND


def test_groups_belong_to_one_owner_and_subaccount() -> None:
    engine = new_engine()
    group = one(
        engine.create_group(owner="alice", limit=5, now=0, subaccount=2), GroupCreated
    ).group.group_id
    wrong_owner = one(engine.trigger_group(owner="bob", group_id=group, now=0), GroupRejected)
    assert wrong_owner.reason is RejectReason.ORDER_GROUP_NOT_FOUND
    wrong_sub = one(engine.delete_group(owner="alice", group_id=group, now=0), GroupRejected)
    assert (wrong_sub.action, wrong_sub.subaccount) == (GroupAction.DELETE, 0)
    rejected = one(place(engine, "alice", "a1", YES, "0.30", group_id=group), Rejected)
    assert rejected.reason is RejectReason.ORDER_GROUP_NOT_FOUND
    ok = place(engine, "alice", "a2", YES, "0.30", group_id=group, subaccount=2)
    assert names(ok) == ["Accepted"]


@pytest.mark.parametrize("limit", [0, 1_000_001, -5])
def test_group_limit_out_of_range_is_a_value_error(limit: int) -> None:
    engine = new_engine()
    with pytest.raises(ValueError, match="group limit"):
        engine.create_group(owner="alice", limit=limit, now=0)


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
    with pytest.raises(FrozenInstanceError):
        event.order.price = D("0.5")  # type: ignore[misc]


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


# ---------------------------------------------------------------------------------- properties

OWNERS = ("alice", "bob", "carol")
PRICES = [D(n) / 100 for n in range(30, 71, 5)]
TIFS = [TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD]
TIFS += [TimeInForce.DAY]
MAX_COSTS = [D("0.5"), D("1.5"), D("4")]
# Resuming is listed more often than pausing so that the exchange is mostly open.
HOUSEKEEPING = ["advance", "advance", "end_of_day", "mass_cancel", "disconnect", "pause"]
HOUSEKEEPING += ["resume", "resume", "resume", "create_group", "create_group", "reset_group"]
HOUSEKEEPING += ["delete_group", "trigger_group", "update_group_limit"]


@dataclass(frozen=True)
class OrderRequest:
    """The random part of a new order; the machine fills in ids, time and marketability."""

    owner: str
    subaccount: int
    side: Side
    price: Decimal
    qty: int
    time_in_force: TimeInForce
    ttl: int
    post_only: bool
    max_cost: Decimal | None
    stp: SelfTradePrevention
    cancel_on_pause: bool
    group: int | None
    foreign_group: bool


ORDER_REQUESTS = st.builds(
    OrderRequest,
    owner=st.sampled_from(OWNERS),
    subaccount=st.sampled_from([0, 0, 1]),
    side=st.sampled_from([YES, NO]),
    price=st.sampled_from(PRICES),
    qty=st.integers(1, 6),
    time_in_force=st.sampled_from(TIFS),
    ttl=st.integers(-2, 20),
    post_only=st.sampled_from([False] * 5 + [True]),
    max_cost=st.sampled_from([None] * 6 + MAX_COSTS),
    stp=st.sampled_from(list(SelfTradePrevention)),
    cancel_on_pause=st.booleans(),
    group=st.sampled_from([None, 0, 1, 2, 3, 4, 5]) | st.none(),
    foreign_group=st.sampled_from([False] * 5 + [True]),
)


class EngineMachine(RuleBasedStateMachine):
    """Random traffic against one market, checked against a model built from the events."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = new_engine()
        self.now = 0.0
        self.serial = 0
        self.order_ids: list[str] = []
        self.groups: list[tuple[str, str, int]] = []  # (group id, owner, subaccount)
        self.filled: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.cancelled: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.trades: defaultdict[str, list[Filled]] = defaultdict(list)
        self.net: defaultdict[tuple[str, int], Decimal] = defaultdict(Decimal)

    def next_id(self) -> str:
        self.serial += 1
        return f"c{self.serial}"

    def record(self, events: list[Event]) -> list[Event]:
        for event in events:
            if isinstance(event, Accepted):
                self.order_ids.append(event.order.order_id)
            elif isinstance(event, Filled):
                self.filled[event.order.order_id] += event.qty
                self.trades[event.trade_id].append(event)
                sign = 1 if event.order.side is YES else -1
                self.net[event.order.owner, event.order.subaccount] += sign * event.qty
            elif isinstance(event, Cancelled):
                self.cancelled[event.order.order_id] += event.qty
            elif isinstance(event, GroupCreated):
                group = event.group
                self.groups.append((group.group_id, group.owner, group.subaccount))
        return events

    def check_priority(
        self, taker_id: str | None, ahead: list[tuple[str, str]], events: list[Event]
    ) -> None:
        """Every maker filled had no other owner's order ahead of it still resting."""
        if taker_id is None:
            return
        taker = self.engine.order(taker_id)
        assert taker is not None
        position = {oid: i for i, (oid, _) in enumerate(ahead)}
        paid: list[Decimal] = []
        for fill in only(events, Filled):
            if fill.liquidity is Liquidity.TAKER:
                assert fill.order.order_id == taker_id
                assert fill.price <= taker.price
                paid.append(fill.price)
                continue
            for earlier, owner in ahead[: position[fill.order.order_id]]:
                state = self.engine.order(earlier)
                assert state is not None
                assert owner == taker.owner or not state.is_open, "priority skipped"
        assert paid == sorted(paid), "a taker met a worse price before a better one"

    def check_fill_triggers(self, events: list[Event]) -> None:
        """Fills stop exactly at a group's limit: never beyond it, never short of it."""
        for trigger in only(events, GroupTriggered):
            assert trigger.group.volume == trigger.group.limit

    def opposite_queue(self, side: Side) -> list[tuple[str, str]]:
        return [(o.order_id, o.owner) for o in self.engine.resting(MKT, side.opposite)]

    def submit(self, request: OrderRequest, *, marketable: bool) -> None:
        owner, subaccount = request.owner, request.subaccount
        price = request.price
        best = self.engine.best_bid(MKT, request.side.opposite)
        if marketable and best is not None:
            price = max(price, 1 - best)  # reaches the best opposite bid, and perhaps more
        group_id = None
        if self.groups and request.group is not None:
            # Mostly a group of the order's owner; sometimes another's, which must be refused.
            group_id, owner, subaccount = self.groups[request.group % len(self.groups)]
            if request.foreign_group:
                owner = next(o for o in OWNERS if o != owner)
        tif = request.time_in_force
        ahead = self.opposite_queue(request.side)
        events = self.record(
            self.engine.submit(
                owner=owner,
                client_id=self.next_id(),
                market=MKT,
                side=request.side,
                price=price,
                qty=request.qty,
                now=self.now,
                time_in_force=tif,
                expire_time=self.now + request.ttl if tif is TimeInForce.GTD else None,
                post_only=request.post_only,
                stp=request.stp,
                group_id=group_id,
                cancel_on_pause=request.cancel_on_pause,
                max_execution_cost=request.max_cost,
                subaccount=subaccount,
            )
        )
        self.check_fill_triggers(events)
        accepted = only(events, Accepted)
        if not accepted:
            return
        taker_id = accepted[0].order.order_id
        self.check_priority(taker_id, ahead, events)
        state = self.engine.order(taker_id)
        assert state is not None
        if tif in (TimeInForce.IOC, TimeInForce.FOK) or request.max_cost is not None:
            assert not state.is_open
        if tif is TimeInForce.FOK or request.max_cost is not None:
            assert state.cum_qty in (0, request.qty)
        if request.max_cost is not None:
            assert state.cum_cost <= request.max_cost
        if request.post_only:
            assert state.cum_qty == 0

    @rule(request=ORDER_REQUESTS)
    def rest(self, request: OrderRequest) -> None:
        self.submit(request, marketable=False)

    @rule(request=ORDER_REQUESTS)
    def take(self, request: OrderRequest) -> None:
        self.submit(request, marketable=True)

    @precondition(lambda self: self.order_ids)
    @rule(pick=st.integers(0, 10**6), by_id=st.booleans())
    def cancel(self, pick: int, by_id: bool) -> None:
        state = self.engine.order(self.order_ids[pick % len(self.order_ids)])
        assert state is not None
        events = self.record(
            self.engine.cancel(
                owner=state.owner,
                client_id=self.next_id(),
                orig_client_id=state.client_id,
                order_id=state.order_id if by_id else None,
                now=self.now,
            )
        )
        requested = [
            c.order.order_id
            for c in only(events, Cancelled)
            if c.reason is CancelReason.CANCEL_REQUESTED
        ]
        if state.is_open and self.engine.trading_state is not TradingState.EXCHANGE_PAUSED:
            assert requested == [state.order_id]
        else:
            assert only(events, CancelRejected)

    @precondition(lambda self: self.engine.open_orders())
    @rule(
        pick=st.integers(0, 10**6),
        qty=st.integers(1, 8),
        price=st.none() | st.sampled_from(PRICES),
    )
    def replace(self, pick: int, qty: int, price: Decimal | None) -> None:
        open_orders = self.engine.open_orders()
        state = open_orders[pick % len(open_orders)]
        ahead = self.opposite_queue(state.side)
        events = self.record(
            self.engine.replace(
                owner=state.owner,
                client_id=self.next_id(),
                orig_client_id=state.client_id,
                qty=qty,
                price=price,
                now=self.now,
            )
        )
        self.check_fill_triggers(events)
        replaced = only(events, Replaced)
        if replaced:
            self.check_priority(state.order_id, ahead, events)
            after = replaced[0].order
            kept = replaced[0].priority_kept
            assert kept == (after.price == state.price and after.order_qty <= state.order_qty)

    @rule(data=st.data(), action=st.sampled_from(HOUSEKEEPING))
    def housekeeping(self, data: st.DataObject, action: str) -> None:
        owner = data.draw(st.sampled_from(OWNERS), label="owner")
        if action == "advance":
            self.now += data.draw(st.sampled_from([0.5, 3.0, 7.5, 15.0]), label="dt")
            self.record(self.engine.expire(self.now))
        elif action == "end_of_day":
            self.record(self.engine.end_of_day(self.now))
            assert all(o.time_in_force is not TimeInForce.DAY for o in self.engine.open_orders())
        elif action in ("mass_cancel", "disconnect"):
            if action == "disconnect":
                self.record(self.engine.cancel_all_for_owner(owner, self.now))
            else:
                self.record(self.engine.mass_cancel(owner=owner, client_id="m", now=self.now))
            if action == "disconnect" or self.engine.trading_state is TradingState.OPEN:
                assert self.engine.open_orders(owner=owner) == []
        elif action == "pause":
            self.record(self.engine.pause(self.now, exchange=data.draw(st.booleans())))
            assert not any(o.cancel_on_pause for o in self.engine.open_orders())
        elif action == "resume":
            self.record(self.engine.resume(self.now))
        elif action == "create_group":
            subaccount = data.draw(st.sampled_from([0, 1]), label="subaccount")
            limit = data.draw(st.integers(1, 5), label="limit")
            self.record(
                self.engine.create_group(
                    owner=owner, limit=limit, now=self.now, subaccount=subaccount
                )
            )
        elif self.groups:
            group_id, owner, subaccount = data.draw(st.sampled_from(self.groups), label="group")
            common: dict[str, Any] = dict(
                owner=owner, group_id=group_id, now=self.now, subaccount=subaccount
            )
            if action == "reset_group":
                self.record(self.engine.reset_group(**common))
            elif action == "delete_group":
                self.record(self.engine.delete_group(**common))
            elif action == "trigger_group":
                self.record(self.engine.trigger_group(**common))
            else:
                limit = data.draw(st.integers(1, 8), label="limit")
                self.record(self.engine.update_group_limit(limit=limit, **common))

    @invariant()
    def book_is_never_crossed(self) -> None:
        yes = self.engine.best_bid(MKT, YES)
        no = self.engine.best_bid(MKT, NO)
        if yes is not None and no is not None:
            assert yes + no < 1

    @invariant()
    def book_is_in_price_time_order_and_holds_exactly_the_open_orders(self) -> None:
        resting: set[str] = set()
        for side in (YES, NO):
            orders = self.engine.resting(MKT, side)
            keys = [(-o.price, o.priority) for o in orders]
            assert keys == sorted(keys)
            assert all(o.is_open and o.leaves_qty > 0 and o.side is side for o in orders)
            resting |= {o.order_id for o in orders}
        assert resting == {o.order_id for o in self.engine.open_orders()}

    @invariant()
    def every_order_adds_up(self) -> None:
        for oid in self.order_ids:
            state = self.engine.order(oid)
            assert state is not None
            assert self.filled[oid] == state.cum_qty
            assert state.cum_qty + state.leaves_qty + self.cancelled[oid] == state.order_qty
            assert state.is_open == (state.leaves_qty > 0)

    @invariant()
    def every_trade_pairs_a_yes_with_a_no(self) -> None:
        bought = {YES: Decimal(0), NO: Decimal(0)}
        for fills in self.trades.values():
            assert len(fills) == 2
            assert {f.order.side for f in fills} == {YES, NO}
            assert {f.liquidity for f in fills} == {Liquidity.MAKER, Liquidity.TAKER}
            assert fills[0].qty == fills[1].qty > 0
            assert fills[0].yes_price == fills[1].yes_price
            assert fills[0].price + fills[1].price == 1
            assert fills[0].order.owner != fills[1].order.owner
            for fill in fills:
                bought[fill.order.side] += fill.qty
        assert bought[YES] == bought[NO]

    @invariant()
    def positions_follow_the_fills(self) -> None:
        for owner in OWNERS:
            for subaccount in (0, 1):
                net = self.net[owner, subaccount]
                expected = Position(long_qty=max(net, D(0)), short_qty=max(-net, D(0)))
                assert self.engine.position(owner, MKT, subaccount) == expected

    @invariant()
    def groups_stay_within_their_limits(self) -> None:
        for group_id, _, _ in self.groups:
            group = self.engine.group(group_id)
            if group is None:
                continue
            # An Update may lower the limit below the volume; that triggers the group.
            assert group.triggered or group.volume < group.limit
            members = [o for o in self.engine.open_orders() if o.group_id == group_id]
            assert not (group.triggered and members)


EngineMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineMachine = EngineMachine.TestCase
