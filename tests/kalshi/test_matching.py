"""The Kalshi matching engine's matching, one scenario per feature: crossing, time in force,
post-only, self-trade prevention and order groups. Requests and venue rules are in
``test_matching_requests.py``, the hypothesis state machine in ``test_matching_properties.py``.
"""

from decimal import Decimal

import pytest

from fixwire.kalshi.sim.matching import (
    Cancelled,
    CancelReason,
    Filled,
    GroupAction,
    GroupCreated,
    GroupDeleted,
    GroupLimitUpdated,
    GroupRejected,
    GroupReset,
    GroupTriggered,
    Liquidity,
    MatchingEngine,
    OrderStatus,
    Position,
    Rejected,
    RejectReason,
    SelfTradePrevention,
    TimeInForce,
    from_yes_price,
    to_yes_price,
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
