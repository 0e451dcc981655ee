"""What the matching engine reports: snapshots of orders, positions and groups, and one
immutable event per thing that happened (the simulator turns each into a FIX message).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from fixwire.kalshi.sim.vocabulary import (
    CancelReason,
    CancelRejectReason,
    CancelRequestType,
    GroupAction,
    Liquidity,
    OrderStatus,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
    to_yes_price,
)


class OrderState(NamedTuple):
    """An order as it stood right after an event (or when queried).

    A named tuple rather than a frozen dataclass: the engine snapshots an order for every event,
    and a tuple is made in one step where a frozen dataclass sets its 21 fields one by one.

    Attributes:
        order_id: OrderID <37>, assigned by the engine.
        client_id: ClOrdID <11> of the last request that changed the order.
        owner: The trading identity: self-trade prevention, ClOrdID uniqueness, order groups,
            mass cancel and cancel-on-disconnect are scoped to it.
        subaccount: AllocAccount <79>, 0 (primary) to 63.
        market: Symbol <55>.
        side: The contract the order buys.
        price: Limit price in dollars on the order's own side's scale.
        order_qty: OrderQty <38>, the current total after amendments.
        cum_qty: CumQty <14>.
        leaves_qty: LeavesQty <151>; zero once the order is filled or cancelled.
        cum_cost: Sum of fill quantity times fill price (own scale), for AvgPx <6>.
        cum_fees: Sum of the fees charged on the order's fills.
        status: OrdStatus <39>.
        time_in_force: TimeInForce <59>.
        expire_time: ExpireTime <126> for GTD orders, on the caller's clock.
        post_only: ExecInst <18> = 6.
        stp: SelfTradePreventionType <2964>.
        group_id: The order group, SecondaryClOrdID <526>.
        cancel_on_pause: CancelOrderOnPause <21006>.
        max_execution_cost: MaxExecutionCost <21009> in dollars.
        priority: Queue stamp: at one price, a lower stamp trades first.
    """

    order_id: str
    client_id: str
    owner: str
    subaccount: int
    market: str
    side: Side
    price: Decimal
    order_qty: Decimal
    cum_qty: Decimal
    leaves_qty: Decimal
    cum_cost: Decimal
    cum_fees: Decimal
    status: OrderStatus
    time_in_force: TimeInForce
    expire_time: float | None
    post_only: bool
    stp: SelfTradePrevention
    group_id: str | None
    cancel_on_pause: bool
    max_execution_cost: Decimal | None
    priority: int

    @property
    def yes_price(self) -> Decimal:
        """The limit price on the Yes scale, as Price <44> carries it."""
        return to_yes_price(self.side, self.price)

    @property
    def avg_price(self) -> Decimal | None:
        """Average fill price on the order's own scale, or None before the first fill."""
        return self.cum_cost / self.cum_qty if self.cum_qty else None

    @property
    def is_open(self) -> bool:
        """Whether the order can still trade."""
        return self.status in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


@dataclass(frozen=True, slots=True)
class Position:
    """A net position in one market.

    Attributes:
        long_qty: LongQty <704>, Yes contracts held net.
        short_qty: ShortQty <705>, No contracts held net.
    """

    long_qty: Decimal
    short_qty: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupState:
    """An order group as it stood right after an event (or when queried).

    Attributes:
        group_id: OrderGroupID <20130>, assigned by the engine.
        owner: The group's owner.
        subaccount: AllocAccount <79> the group belongs to.
        limit: OrderGroupContractsLimit <20132>.
        triggered: Whether the group refuses new orders until reset.
        volume: Contracts its orders filled in the window before the engine's latest ``now``.
    """

    group_id: str
    owner: str
    subaccount: int
    limit: int
    triggered: bool
    volume: Decimal


@dataclass(frozen=True, slots=True)
class Accepted:
    """The venue took a new order (ExecType <150> = 0 New)."""

    order: OrderState


_new_object = object.__new__
# Each slot's descriptor sets it past the frozen dataclass's __setattr__.
_set_accepted_order = Accepted.__dict__["order"].__set__


def accepted(order: OrderState) -> Accepted:
    """``Accepted(order)`` without its ``__init__`` (a frozen dataclass's sets each field with
    ``object.__setattr__``, in a Python call from ``type.__call__``): one on every order.
    """
    event = _new_object(Accepted)
    _set_accepted_order(event, order)
    return event


@dataclass(frozen=True, slots=True, kw_only=True)
class Filled:
    """One side of one trade (ExecType <150> = F Trade).

    Attributes:
        order: The order after the fill.
        trade_id: TrdMatchID <880>, shared by both sides of the trade.
        qty: LastQty <32>.
        price: What this side paid per contract, on its own scale.
        yes_price: The trade price on the Yes scale, LastPx <31>.
        liquidity: Maker or taker; AggressorIndicator <1057> is ``liquidity.aggressor``.
        fee: MiscFeeAmt <137> in dollars, from the engine's :class:`FeeModel`.
        long_qty: LongQty <704> of the order's owner and subaccount after the trade.
        short_qty: ShortQty <705> likewise.
    """

    order: OrderState
    trade_id: str
    qty: Decimal
    price: Decimal
    yes_price: Decimal
    liquidity: Liquidity
    fee: Decimal
    long_qty: Decimal
    short_qty: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancelled:
    """An order's remaining quantity was cancelled (ExecType <150> = 4, or C for expiries).

    Attributes:
        order: The order after the cancel; ``order.client_id`` is the cancel request's ClOrdID
            when a request caused it.
        reason: Text <58>.
        qty: The quantity cancelled (the leaves before the cancel).
        orig_client_id: OrigClOrdID <41> when a request renamed the order, else None.
    """

    order: OrderState
    reason: CancelReason
    qty: Decimal
    orig_client_id: str | None = None


_set_cancelled = tuple(
    Cancelled.__dict__[name].__set__ for name in ("order", "reason", "qty", "orig_client_id")
)


def cancelled(
    order: OrderState, reason: CancelReason, qty: Decimal, orig_client_id: str | None
) -> Cancelled:
    """``Cancelled(order=..., ...)`` without its ``__init__``, as :func:`accepted`."""
    event = _new_object(Cancelled)
    set_order, set_reason, set_qty, set_orig = _set_cancelled
    set_order(event, order)
    set_reason(event, reason)
    set_qty(event, qty)
    set_orig(event, orig_client_id)
    return event


@dataclass(frozen=True, slots=True, kw_only=True)
class Replaced:
    """A cancel/replace took effect (ExecType <150> = 5).

    Attributes:
        order: The order after the change (new ClOrdID, price and quantities).
        orig_client_id: OrigClOrdID <41>, the ClOrdID before the change.
        previous_price: The price before the change.
        previous_qty: The OrderQty before the change.
        priority_kept: Whether the order kept its place in the queue.
    """

    order: OrderState
    orig_client_id: str
    previous_price: Decimal
    previous_qty: Decimal
    priority_kept: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """A new order was refused before it reached the book (ExecType <150> = 8).

    Attributes:
        client_id: ClOrdID <11> of the request.
        owner: The request's owner.
        subaccount: AllocAccount <79>.
        market: Symbol <55>.
        side: Side <54>.
        price: The requested price, own scale.
        qty: OrderQty <38>.
        reason: Text <58>; ``reason.ord_rej_reason`` is OrdRejReason <103>.
    """

    client_id: str
    owner: str
    subaccount: int
    market: str
    side: Side
    price: Decimal
    qty: Decimal
    reason: RejectReason


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRejected:
    """A cancel or cancel/replace was refused: an OrderCancelReject (35=9).

    Attributes:
        client_id: ClOrdID <11> of the request.
        orig_client_id: OrigClOrdID <41> of the request.
        owner: The request's owner.
        response_to: CxlRejResponseTo <434>.
        reason: Text <58>; ``reason.cxl_rej_reason`` is CxlRejReason <102>.
        order: The order as it stands (for OrderID <37> and OrdStatus <39>), or None when it
            is unknown.
    """

    client_id: str
    orig_client_id: str
    owner: str
    response_to: CancelRequestType
    reason: CancelRejectReason
    order: OrderState | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MassCancelReport:
    """The answer to a mass cancel: an OrderMassCancelReport (35=r); the cancels follow it.

    Attributes:
        client_id: ClOrdID <11> of the request.
        owner: The request's owner.
        operation_id: OrderID <37>, the operation's id.
        accepted: MassCancelResponse <531>: 6 when true, 0 when false.
        reason: Why it was refused, when it was.
        count: How many orders it cancels.
    """

    client_id: str
    owner: str
    operation_id: str
    accepted: bool
    reason: RejectReason | None
    count: int


@dataclass(frozen=True, slots=True)
class GroupCreated:
    """An order group was created (OrderGroupResponse 35=UOH)."""

    group: GroupState


@dataclass(frozen=True, slots=True)
class GroupReset:
    """A group's triggered state and volume were cleared (35=UOH)."""

    group: GroupState


@dataclass(frozen=True, slots=True)
class GroupDeleted:
    """A group was removed; cancels of its open orders follow (35=UOH)."""

    group: GroupState


@dataclass(frozen=True, slots=True)
class GroupLimitUpdated:
    """A group's contracts limit changed (35=UOH); a trigger may follow."""

    group: GroupState


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupTriggered:
    """A group triggered; cancels of its open orders follow (ORDER_GROUP_CANCEL).

    Attributes:
        group: The group after triggering.
        manual: True for an explicit Trigger action, false when fills or a lower limit did it.
    """

    group: GroupState
    manual: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRejected:
    """An order group request was refused (the simulator answers 35=j).

    Attributes:
        action: OrderGroupAction <20131> of the request.
        group_id: OrderGroupID <20130> of the request (None for Create).
        owner: The request's owner.
        subaccount: AllocAccount <79> of the request.
        reason: Text <58>: ORDER_GROUP_NOT_FOUND or EXCHANGE_PAUSED.
    """

    action: GroupAction
    group_id: str | None
    owner: str
    subaccount: int
    reason: RejectReason


Event = (
    Accepted
    | Filled
    | Cancelled
    | Replaced
    | Rejected
    | CancelRejected
    | MassCancelReport
    | GroupCreated
    | GroupReset
    | GroupDeleted
    | GroupLimitUpdated
    | GroupTriggered
    | GroupRejected
)
"""Anything a :class:`MatchingEngine` operation can report."""
