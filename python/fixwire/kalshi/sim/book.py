"""The engine's state: orders, the bid books of each market, order groups, and the
primitives every operation is built from (time, crossing, trades, cancels and the indexes).

:class:`EngineState` holds it; :class:`~fixwire.kalshi.sim.groups.GroupOperations` and
:class:`~fixwire.kalshi.sim.engine.MatchingEngine` build the public operations on it.
"""

from __future__ import annotations

import heapq
import itertools
import math
from bisect import insort
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from fixwire.kalshi.sim.events import (
    Cancelled,
    Event,
    Filled,
    GroupState,
    GroupTriggered,
    OrderState,
    Position,
    cancelled,
)
from fixwire.kalshi.sim.vocabulary import (
    GROUP_WINDOW_SECONDS,
    ONE,
    ZERO,
    CancelReason,
    FeeModel,
    Liquidity,
    OrderStatus,
    SelfTradePrevention,
    SequentialIds,
    Side,
    TickBand,
    TimeInForce,
    TradingState,
    no_fees,
    to_yes_price,
)
from fixwire.kalshi.venue import CL_ORD_ID_MAX_LENGTH

_new_tuple = tuple.__new__
#: The most quantities :meth:`Market.on_step` remembers.
_MAX_STEPS = 4096

# The members the order path reads, read once: on Python 3.11 each ``Enum.MEMBER`` read goes
# through EnumType's ``__getattr__`` hook, about five times a module global's cost, and an
# order reads a dozen. Side's opposite by dictionary, not its property, likewise.
OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)
IMMEDIATE = (TimeInForce.IOC, TimeInForce.FOK)
FOK = TimeInForce.FOK
OPPOSITE = {Side.YES: Side.NO, Side.NO: Side.YES}
CANCELED = OrderStatus.CANCELED

#: How long the engine remembers a closed order by default, hours: the venue's resend window
#: (spec section 3), so an order whose reports can still be resent can still be named.
DEFAULT_CLOSED_ORDER_HOURS = 24.0
#: The default cap on what the engine keeps of closed orders, bytes (64 MiB).
DEFAULT_MAX_CLOSED_ORDER_BYTES = 64 * 1024 * 1024
#: Bytes charged per closed order remembered, beyond its ids: the :class:`Order` and its
#: Decimals, its entries in the orders by OrderID <37> and in the closed queue. A closed order
#: is charged this plus the length of its OrderID <37>, plus :data:`CLIENT_ID_CHARGE` and the
#: length of each ClOrdID <11> it has had; that is above what tracemalloc measures on CPython
#: 3.11, 64-bit (``tests/kalshi/test_engine_memory.py``).
CLOSED_ORDER_CHARGE = 1024
#: Bytes charged per ClOrdID <11> a closed order is known by, beyond its length: the key
#: tuple and its entry in the index by (owner, ClOrdID).
CLIENT_ID_CHARGE = 256
_CHARGE_WITH_ONE_ID = CLOSED_ORDER_CHARGE + CLIENT_ID_CHARGE
#: The default cap on the former ClOrdIDs <11> one order is still known by, bytes (4 KiB).
DEFAULT_MAX_FORMER_CLIENT_ID_BYTES = 4 * 1024
#: What one former ClOrdID <11> is charged against that cap: :data:`CLIENT_ID_CHARGE` plus the
#: venue's longest ClOrdID (spec section 6.4, 64 characters; the simulator refuses longer ones
#: with Reject <3>). So the cap is a count, checked in constant time on every replace.
FORMER_CLIENT_ID_CHARGE = CLIENT_ID_CHARGE + CL_ORD_ID_MAX_LENGTH
#: The default cap on what one owner's open orders may take, bytes (64 MiB: about 60,000
#: orders, more than a market maker quoting every level of a thousand markets keeps resting).
DEFAULT_MAX_OPEN_ORDER_BYTES = 64 * 1024 * 1024
#: Bytes charged per open order beyond its market's ticker and its ClOrdIDs <11>: the
#: :class:`Order`, its Decimals, an OrderID <37> of up to 64 characters, its entries in the
#: indexes of orders and open orders, its book level, a GTD order's queued expiries and a
#: group's member map. An open order is charged this plus its ticker's length, plus
#: :data:`FORMER_CLIENT_ID_CHARGE` for its current ClOrdID and for each former one it still
#: answers to. On a 27-character ticker that is 1,115 bytes, where tracemalloc measures about
#: 830 for a resting order (950 for a GTD one in a group) on CPython 3.11, 64-bit
#: (``tests/kalshi/test_sim_open_orders.py``).
OPEN_ORDER_CHARGE = 768


def new_order_charge(ticker: str) -> int:
    """What a new open order on ``ticker`` is charged against its owner's
    ``max_open_order_bytes`` (:data:`OPEN_ORDER_CHARGE`; no former ClOrdIDs <11> yet).
    """
    return OPEN_ORDER_CHARGE + len(ticker) + FORMER_CLIENT_ID_CHARGE


@dataclass(slots=True, eq=False)
class Order:
    """One order as the engine keeps it: mutable, changed by fills, replaces and cancels."""

    order_id: str
    client_id: str
    owner: str
    subaccount: int
    market: str
    side: Side
    price: Decimal
    order_qty: Decimal
    time_in_force: TimeInForce
    expire_time: float | None
    post_only: bool
    stp: SelfTradePrevention
    group_id: str | None
    cancel_on_pause: bool
    max_execution_cost: Decimal | None
    priority: int
    leaves_qty: Decimal
    cum_qty: Decimal = ZERO
    cum_cost: Decimal = ZERO
    cum_fees: Decimal = ZERO
    status: OrderStatus = OrderStatus.NEW
    resting: bool = False
    #: The ClOrdIDs <11> the order had before its current one and still answers to, oldest
    #: first (None: none); at most the engine's :attr:`EngineState.max_former_client_ids`.
    former_client_ids: list[str] | None = None

    @property
    def is_open(self) -> bool:
        """Whether the order can still trade (new or partially filled)."""
        return self.status in OPEN_STATUSES

    def state(self) -> OrderState:
        """An immutable snapshot of the order, for the engine's events."""
        # OrderState(...) without the named tuple's __new__: one tuple, built in place, its
        # fields in OrderState's order.
        return _new_tuple(
            OrderState,
            (
                self.order_id,
                self.client_id,
                self.owner,
                self.subaccount,
                self.market,
                self.side,
                self.price,
                self.order_qty,
                self.cum_qty,
                self.leaves_qty,
                self.cum_cost,
                self.cum_fees,
                self.status,
                self.time_in_force,
                self.expire_time,
                self.post_only,
                self.stp,
                self.group_id,
                self.cancel_on_pause,
                self.max_execution_cost,
                self.priority,
            ),
        )


class BookSide:
    """The bids for one contract of one market: price levels, each FIFO by arrival."""

    __slots__ = ("_levels", "_prices")

    def __init__(self) -> None:
        self._prices: list[Decimal] = []  # ascending; the best bid is last
        self._levels: dict[Decimal, dict[str, Order]] = {}

    def add(self, order: Order) -> None:
        """Rests ``order`` at the back of its price level."""
        level = self._levels.get(order.price)
        if level is None:
            level = self._levels[order.price] = {}
            insort(self._prices, order.price)
        level[order.order_id] = order

    def remove(self, order: Order) -> None:
        """Takes ``order`` off the book."""
        level = self._levels[order.price]
        del level[order.order_id]
        if not level:
            del self._levels[order.price]
            self._prices.remove(order.price)

    def best(self) -> Decimal | None:
        """The best (highest) bid, or None on an empty side."""
        return self._prices[-1] if self._prices else None

    def __iter__(self) -> Iterator[Order]:
        for price in reversed(self._prices):
            yield from self._levels[price].values()

    def depth(self) -> list[tuple[Decimal, Decimal]]:
        """(price, resting quantity) per level, best first."""
        return [
            (price, sum((o.leaves_qty for o in self._levels[price].values()), ZERO))
            for price in reversed(self._prices)
        ]


@dataclass(slots=True, eq=False)
class Market:
    """One market: its ticker, tick bands, quantity step, books and trading state."""

    ticker: str
    tick_bands: tuple[TickBand, ...]
    qty_step: Decimal
    closed: bool = False
    bids: dict[Side, BookSide] = field(
        default_factory=lambda: {Side.YES: BookSide(), Side.NO: BookSide()}
    )
    #: :meth:`on_tick`'s answers by side and price on that side's scale (the order's own
    #: price: a No price's Yes-scale ``Decimal`` would be a new one, whose hash costs about a
    #: microsecond): prices reach it checked (four decimals within (0, 1)), so each holds at
    #: most 9,999.
    ticks: dict[Side, dict[Decimal, bool]] = field(
        default_factory=lambda: {Side.YES: {}, Side.NO: {}}
    )

    #: :meth:`on_step`'s answers by quantity (the same few recur; a Decimal's remainder costs
    #: more than a lookup of one whose hash is known): at most :data:`_MAX_STEPS`, then all
    #: forgotten.
    steps: dict[Decimal, bool] = field(default_factory=dict)

    def on_tick(self, side: Side, price: Decimal) -> bool:
        """Whether ``price`` on ``side`` lies on a tick of the market's bands (Yes scale)."""
        ticks = self.ticks[side]
        known = ticks.get(price)
        if known is None:
            yes_price = to_yes_price(side, price)
            known = ticks[price] = any(yes_price in band for band in self.tick_bands)
        return known

    def on_step(self, qty: Decimal) -> bool:
        """Whether ``qty`` is a whole number of the market's quantity steps."""
        steps = self.steps
        known = steps.get(qty)
        if known is None:
            if len(steps) >= _MAX_STEPS:
                steps.clear()
            known = steps[qty] = qty % self.qty_step == 0
        return known


@dataclass(slots=True, eq=False)
class Group:
    """An order group: its members and the fills of its rolling window."""

    group_id: str
    owner: str
    subaccount: int
    limit: int
    triggered: bool = False
    fills: deque[tuple[float, Decimal]] = field(default_factory=deque)
    members: dict[str, Order] = field(default_factory=dict)

    def volume(self, now: float) -> Decimal:
        """Contracts filled in the window before ``now``; drops fills that left it."""
        cutoff = now - GROUP_WINDOW_SECONDS
        while self.fills and self.fills[0][0] <= cutoff:
            self.fills.popleft()
        return sum((qty for _, qty in self.fills), ZERO)

    def state(self, now: float) -> GroupState:
        """An immutable snapshot of the group at ``now``, for the engine's events."""
        return GroupState(
            group_id=self.group_id,
            owner=self.owner,
            subaccount=self.subaccount,
            limit=self.limit,
            triggered=self.triggered,
            volume=self.volume(now),
        )


@dataclass(slots=True, eq=False)
class Fill:
    """A matching step: ``qty`` of the resting ``maker`` trades."""

    maker: Order
    qty: Decimal


@dataclass(slots=True, eq=False)
class CancelMaker:
    """A matching step: self-trade prevention cancels the resting ``maker``."""

    maker: Order


@dataclass(slots=True, eq=False)
class Trigger:
    """A matching step: ``group`` reached its limit and triggers."""

    group: Group


@dataclass(slots=True, eq=False)
class Plan:
    """What a taker would do against the book, worked out before anything changes."""

    steps: list[Fill | CancelMaker | Trigger]
    filled: Decimal
    cost: Decimal
    stop: CancelReason | None


_NO_PLAN = Plan([], ZERO, ZERO, None)
"""The plan of an order that does not cross: nothing to do (read only, shared)."""


class EngineState:
    """Books, orders, order groups and positions, and the primitives that change them.

    Args:
        id_factory: Makes order, trade, group and mass-cancel ids; defaults to a
            :class:`SequentialIds` of the engine's own.
        fee_model: Fee per side of each trade; defaults to :func:`no_fees`.
        closed_order_hours: How long a closed order is remembered after it closed.
        max_closed_order_bytes: The most the closed orders remembered may take, each charged
            :data:`CLOSED_ORDER_CHARGE`; the earliest closed are forgotten past it.
        max_former_client_id_bytes: The most the former ClOrdIDs <11> of one order may take,
            each charged :data:`FORMER_CLIENT_ID_CHARGE`: an order replaced again and again
            answers to its newest former ClOrdIDs that fit, and forgets the oldest.
        max_open_order_bytes: The most one owner's open orders may take, each charged
            :meth:`open_order_charge`; a new order past it is refused INSUFFICIENT_BALANCE, as
            is a cancel/replace whose ClOrdID <11> would add to it. The venue bounds open
            orders by balance, which the engine does not model; this stands in for it.

    Attributes:
        closed_order_hours: As given; may be changed between operations.
        max_closed_order_bytes: As given; may be changed between operations.
        closed_order_bytes: What the closed orders remembered take, by that charge.
        forgotten_orders: How many closed orders have been forgotten.
        max_former_client_ids: How many former ClOrdIDs <11> one order answers to:
            ``max_former_client_id_bytes`` over :data:`FORMER_CLIENT_ID_CHARGE`.
        forgotten_client_ids: How many former ClOrdIDs have been forgotten that way.
        max_open_order_bytes: As given; may be changed between operations.

    Raises:
        ValueError: ``closed_order_hours`` is not positive, or ``max_closed_order_bytes``,
            ``max_former_client_id_bytes`` or ``max_open_order_bytes`` is negative.
    """

    def __init__(
        self,
        *,
        id_factory: Callable[[], str] | None = None,
        fee_model: FeeModel = no_fees,
        closed_order_hours: float = DEFAULT_CLOSED_ORDER_HOURS,
        max_closed_order_bytes: int = DEFAULT_MAX_CLOSED_ORDER_BYTES,
        max_former_client_id_bytes: int = DEFAULT_MAX_FORMER_CLIENT_ID_BYTES,
        max_open_order_bytes: int = DEFAULT_MAX_OPEN_ORDER_BYTES,
    ) -> None:
        if not closed_order_hours > 0:
            raise ValueError(f"closed_order_hours must be positive, not {closed_order_hours}")
        if max_closed_order_bytes < 0:
            raise ValueError(
                f"max_closed_order_bytes must be at least 0, not {max_closed_order_bytes}"
            )
        if max_former_client_id_bytes < 0:
            raise ValueError(
                f"max_former_client_id_bytes must be at least 0, not {max_former_client_id_bytes}"
            )
        if max_open_order_bytes < 0:
            raise ValueError(f"max_open_order_bytes must be at least 0, not {max_open_order_bytes}")
        self.max_open_order_bytes = max_open_order_bytes
        # What each owner's open orders take, by open_order_charge.
        self._open_bytes: dict[str, int] = {}
        self.max_former_client_ids = max_former_client_id_bytes // FORMER_CLIENT_ID_CHARGE
        self.forgotten_client_ids = 0
        self.closed_order_hours = closed_order_hours
        self.max_closed_order_bytes = max_closed_order_bytes
        self.closed_order_bytes = 0
        self.forgotten_orders = 0
        # Closed orders still remembered, earliest closed first: when each closed, the order
        # and its charge. The order of forgetting.
        self._closed: deque[tuple[float, Order, int]] = deque()
        # The bound method, not the instance: calling an instance goes through its type's
        # __call__ slot, about 0.4 us more an id.
        self._new_id: Callable[[], str] = (
            id_factory if id_factory is not None else SequentialIds().__call__
        )
        self._fee_model = fee_model
        self._markets: dict[str, Market] = {}
        self._orders: dict[str, Order] = {}
        self._open: dict[str, Order] = {}
        self._open_by_client: dict[tuple[str, str], Order] = {}
        self._last_by_client: dict[tuple[str, str], Order] = {}
        self._groups: dict[str, Group] = {}
        self._positions: dict[tuple[str, int, str], Decimal] = {}
        self._expiries: list[tuple[float, int, str]] = []
        self._priority = itertools.count(1)
        self._now = -math.inf
        self._state = TradingState.OPEN

    def open_order_bytes(self, owner: str) -> int:
        """What ``owner``'s open orders take, by :meth:`open_order_charge`."""
        return self._open_bytes.get(owner, 0)

    @staticmethod
    def open_order_charge(order: Order) -> int:
        """What an open order is charged against its owner's ``max_open_order_bytes``:
        :data:`OPEN_ORDER_CHARGE`, its ticker's length, and :data:`FORMER_CLIENT_ID_CHARGE` for
        its ClOrdID <11> and each former one it answers to.
        """
        former = order.former_client_ids
        names = len(former) if former else 0
        return new_order_charge(order.market) + names * FORMER_CLIENT_ID_CHARGE

    def _hold(self, order: Order) -> None:
        """Charge a new open order to its owner (refunded in :meth:`_close`); block trades
        only: the order path charges in ``MatchingEngine.submit`` and refunds in
        :meth:`_close`, each with the charge inlined, as a call costs it about 1,000
        instructions.
        """
        held = self._open_bytes
        held[order.owner] = held.get(order.owner, 0) + new_order_charge(order.market)

    def _advance(self, now: float) -> list[Event]:
        if not math.isfinite(now):
            raise ValueError(f"now must be a finite number of seconds, got {now}")
        if now < self._now:
            raise ValueError(f"time went backwards: now {now} is before {self._now}")
        self._now = now
        closed = self._closed
        if closed and closed[0][0] < now - self.closed_order_hours * 3600:
            self._forget()
        events: list[Event] = []
        while self._expiries and self._expiries[0][0] <= now:
            _, _, order_id = heapq.heappop(self._expiries)
            order = self._orders.get(order_id)  # None: closed and forgotten since
            if order is not None and order.is_open:
                events.append(self._cancel(order, CancelReason.ORDER_EXPIRY))
        return events

    def _schedule_expiry(self, order: Order, expire_time: float) -> None:
        """Queue a GTD order's expiry. The queue is rebuilt from the open orders when closed
        orders' entries outnumber them, so it stays within about twice the open orders (plus 64),
        at an amortised constant cost per order.
        """
        expiries = self._expiries
        if len(expiries) > 2 * len(self._open) + 64:
            open_orders = self._open
            expiries[:] = [e for e in expiries if e[2] in open_orders]
            heapq.heapify(expiries)
        heapq.heappush(expiries, (expire_time, order.priority, order.order_id))

    def _execute(self, order: Order, now: float) -> list[Event]:
        """Match an order that is not resting, then rest or cancel what is left of it."""
        market = self._markets[order.market]
        opposite = market.bids[OPPOSITE[order.side]]
        best = opposite.best()
        crosses = best is not None and order.price + best >= ONE
        if order.post_only:
            if crosses:
                return [self._cancel(order, CancelReason.POST_ONLY_CROSS)]
            self._rest(order, market)
            return []

        plan = self._plan(order, opposite, now) if crosses else _NO_PLAN
        if order.time_in_force is FOK or order.max_execution_cost is not None:
            if plan.filled < order.leaves_qty:
                return [self._cancel(order, CancelReason.FOK_INSUFFICIENT_VOLUME)]
            if order.max_execution_cost is not None and plan.cost > order.max_execution_cost:
                return [self._cancel(order, CancelReason.MAX_EXECUTION_COST)]

        events = self._commit(order, plan, now) if plan.steps else []
        if order.status in OPEN_STATUSES:
            immediate = (
                order.time_in_force in IMMEDIATE
                or order.max_execution_cost is not None
                or (order.expire_time is not None and order.expire_time <= now)
            )
            if plan.stop is not None:
                events.append(self._cancel(order, plan.stop))
            elif immediate:
                events.append(self._cancel(order, CancelReason.IMMEDIATE_OR_CANCELLED))
            else:
                self._rest(order, market)
        return events

    def _plan(self, taker: Order, opposite: BookSide, now: float) -> Plan:
        """Work out, without changing anything, what ``taker`` would do against the book.

        Fill-or-kill and maximum-cost orders look at the plan before committing to it.
        """
        steps: list[Fill | CancelMaker | Trigger] = []
        remaining = taker.leaves_qty
        cost = ZERO
        stop: CancelReason | None = None
        headroom: dict[str, Decimal] = {}
        triggered: set[str] = set()
        taker_group = self._groups.get(taker.group_id) if taker.group_id is not None else None

        def room(group: Group) -> Decimal:
            if group.group_id not in headroom:
                headroom[group.group_id] = group.limit - group.volume(now)
            return headroom[group.group_id]

        for maker in opposite:
            if remaining == 0 or taker.price + maker.price < ONE:
                break
            if maker.group_id is not None and maker.group_id in triggered:
                continue  # the trigger step cancels it before the next fill
            if maker.owner == taker.owner:
                if taker.stp is SelfTradePrevention.MAKER:
                    steps.append(CancelMaker(maker))
                    continue
                stop = CancelReason.TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION
                break
            maker_group = self._groups.get(maker.group_id) if maker.group_id is not None else None
            groups = [g for g in (taker_group, maker_group) if g is not None]
            qty = min(remaining, maker.leaves_qty, *(room(g) for g in groups))
            steps.append(Fill(maker, qty))
            remaining -= qty
            price = ONE - maker.price
            cost += qty * price + self._fee_model(taker.market, price, qty, Liquidity.TAKER)
            for group in groups:
                headroom[group.group_id] -= qty
                if headroom[group.group_id] <= 0:
                    steps.append(Trigger(group))
                    triggered.add(group.group_id)
                    if group is taker_group:
                        stop = CancelReason.ORDER_GROUP_CANCEL
            if stop is not None:
                break
        return Plan(steps, taker.leaves_qty - remaining, cost, stop)

    def _commit(self, taker: Order, plan: Plan, now: float) -> list[Event]:
        events: list[Event] = []
        for step in plan.steps:
            if isinstance(step, Fill):
                events.extend(self._trade(taker, step.maker, step.qty, now))
            elif isinstance(step, CancelMaker):
                events.append(
                    self._cancel(step.maker, CancelReason.MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION)
                )
            else:
                events.extend(self._trigger(step.group, now, manual=False))
        return events

    def _trade(self, taker: Order, maker: Order, qty: Decimal, now: float) -> list[Event]:
        trade_id = self._new_id()
        maker_price = maker.price
        yes_price = to_yes_price(maker.side, maker_price)
        events: list[Event] = []
        for order, price, liquidity in (
            (taker, ONE - maker_price, Liquidity.TAKER),
            (maker, maker_price, Liquidity.MAKER),
        ):
            fee = self._fee_model(order.market, price, qty, liquidity)
            order.cum_qty += qty
            order.leaves_qty -= qty
            order.cum_cost += qty * price
            order.cum_fees += fee
            key = (order.owner, order.subaccount, order.market)
            net = self._positions.get(key, ZERO) + (qty if order.side is Side.YES else -qty)
            self._positions[key] = net
            group = self._groups.get(order.group_id) if order.group_id is not None else None
            if group is not None:
                group.fills.append((now, qty))
            if order.leaves_qty == 0:
                order.status = OrderStatus.FILLED
                self._close(order)
            else:
                order.status = OrderStatus.PARTIALLY_FILLED
            position = net_position(net)
            events.append(
                Filled(
                    order=order.state(),
                    trade_id=trade_id,
                    qty=qty,
                    price=price,
                    yes_price=yes_price,
                    liquidity=liquidity,
                    fee=fee,
                    long_qty=position.long_qty,
                    short_qty=position.short_qty,
                )
            )
        return events

    def _trigger(self, group: Group, now: float, *, manual: bool) -> list[Event]:
        group.triggered = True
        events: list[Event] = [GroupTriggered(group=group.state(now), manual=manual)]
        for order in list(group.members.values()):
            events.append(self._cancel(order, CancelReason.ORDER_GROUP_CANCEL))
        return events

    def _cancel(
        self, order: Order, reason: CancelReason, *, client_id: str | None = None
    ) -> Cancelled:
        qty = order.leaves_qty
        order.leaves_qty = ZERO
        order.status = CANCELED
        orig = order.client_id if client_id is not None else None
        self._close(order, client_id)
        return cancelled(order.state(), reason, qty, orig)

    def _rest(self, order: Order, market: Market) -> None:
        market.bids[order.side].add(order)
        order.resting = True

    def _unrest(self, order: Order) -> None:
        if order.resting:
            self._markets[order.market].bids[order.side].remove(order)
            order.resting = False

    def _rename(self, order: Order, client_id: str) -> None:
        """Give an open order a new ClOrdID <11>, its owner charged for the former one."""
        if self._open_by_client.get((order.owner, order.client_id)) is order:
            del self._open_by_client[order.owner, order.client_id]
        former = order.former_client_ids
        names = len(former) if former else 0
        self._take_name(order, client_id)
        self._open_by_client[order.owner, client_id] = order
        added = len(order.former_client_ids or ()) - names
        if added:
            self._open_bytes[order.owner] += added * FORMER_CLIENT_ID_CHARGE

    def _take_name(self, order: Order, client_id: str) -> None:
        """Give ``order`` a new ClOrdID <11>, its old one still naming it until forgotten:
        with the order, or sooner, past :attr:`max_former_client_ids` (oldest first).
        """
        former = order.former_client_ids
        if former is None:
            former = order.former_client_ids = [order.client_id]
        else:
            former.append(order.client_id)
        order.client_id = client_id
        self._last_by_client[order.owner, client_id] = order
        if len(former) > self.max_former_client_ids:
            self._forget_former(order, former)

    def _forget_former(self, order: Order, former: list[str]) -> None:
        """Forget ``order``'s oldest former ClOrdIDs past :attr:`max_former_client_ids`; a
        request naming one gets what a name never seen gets (UNKNOWN_ORDER).
        """
        by_client = self._last_by_client
        while len(former) > self.max_former_client_ids:
            name = former.pop(0)
            self.forgotten_client_ids += 1
            # A name the order still answers to (its current one, or again further on) stays.
            if name != order.client_id and name not in former:
                key = (order.owner, name)
                if by_client.get(key) is order:
                    del by_client[key]

    def _close(self, order: Order, client_id: str | None = None) -> None:
        """Take a filled or cancelled order out of the book and every index of open orders,
        renamed ``client_id`` when given, and remember it as closed.
        """
        self._unrest(order)
        del self._open[order.order_id]
        former = order.former_client_ids  # open_order_charge, inlined (see _hold's note)
        self._open_bytes[order.owner] -= (
            OPEN_ORDER_CHARGE
            + len(order.market)
            + FORMER_CLIENT_ID_CHARGE * (1 + len(former) if former else 1)
        )
        if self._open_by_client.get((order.owner, order.client_id)) is order:
            del self._open_by_client[order.owner, order.client_id]
        if order.group_id is not None and order.group_id in self._groups:
            self._groups[order.group_id].members.pop(order.order_id, None)
        if client_id is not None:
            # Renamed only after leaving the open index: a cancel may reuse the ClOrdID of
            # another open order (it is never refused for that), which keeps its entry there.
            self._take_name(order, client_id)
        # The charge documented at CLOSED_ORDER_CHARGE, worked out here: this is per order.
        charge = _CHARGE_WITH_ONE_ID + len(order.order_id) + len(order.client_id)
        former = order.former_client_ids
        if former is not None:
            charge += len(former) * CLIENT_ID_CHARGE + sum(map(len, former))
        self._closed.append((self._now, order, charge))
        self.closed_order_bytes += charge
        if self.closed_order_bytes > self.max_closed_order_bytes:
            self._forget()

    def _forget(self) -> None:
        """Forget closed orders, earliest closed first, while the earliest is past the
        retention time or the closed orders remembered take more than the cap.
        """
        closed = self._closed
        horizon = self._now - self.closed_order_hours * 3600
        orders, by_client = self._orders, self._last_by_client
        while closed and (
            closed[0][0] < horizon or self.closed_order_bytes > self.max_closed_order_bytes
        ):
            _, order, charge = closed.popleft()
            self.closed_order_bytes -= charge
            self.forgotten_orders += 1
            del orders[order.order_id]
            owner = order.owner
            for name in (order.client_id, *(order.former_client_ids or ())):
                if by_client.get((owner, name)) is order:
                    del by_client[owner, name]


def net_position(net: Decimal) -> Position:
    """The position of a net Yes quantity: long when positive, short when negative."""
    return Position(long_qty=max(net, ZERO), short_qty=max(-net, ZERO))
