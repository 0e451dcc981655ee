"""The Kalshi matching engine under a hypothesis state machine.

The state machine drives random orders, cancels, replaces, clock steps, pauses and order-group
actions, and after every step checks that the book is never crossed, that every order's
quantity adds up, that every trade has a Yes and a No side of equal size, that positions follow
the fills, that order groups stay within their limits and that fills respect price-time
priority.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fixwire.kalshi.sim.matching import (
    Accepted,
    Cancelled,
    CancelReason,
    CancelRejected,
    Event,
    Filled,
    GroupCreated,
    GroupTriggered,
    Liquidity,
    Position,
    Replaced,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingState,
)
from matching_cases import (
    MKT,
    NO,
    YES,
    D,
    new_engine,
    only,
)

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
