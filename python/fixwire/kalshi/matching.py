"""Matching engine for the Kalshi exchange simulator: binary-contract books, sans-IO.

Theory of operation
===================

**Contracts and sides.** A Kalshi market (Symbol <55>, the ticker) is one binary contract that
pays $1 if the market resolves Yes. Every order *buys* contracts: Yes contracts (Side <54> = 1,
"Buy") or No contracts (Side <54> = 2, "Sell"; selling Yes is buying No, spec section 6.2). The
engine keeps two bid books per ticker, one per side. An order's ``price`` is what its owner pays
per contract **on its own side's scale**, in ``Decimal`` dollars: a Yes bid at 0.40 pays 40 cents
per Yes contract, a No bid at 0.60 pays 60 cents per No contract. On the wire Kalshi quotes both
sides on the Yes scale (Price <44> of a Side=2 order at 0.40 is a No bid at 0.60); convert at that
boundary with :func:`to_yes_price` and :func:`from_yes_price`.

**Crossing.** A Yes bid at ``p`` and a No bid at ``q`` cross when ``p + q >= 1``: together the
two buyers pay at least the dollar the pair of contracts is worth. The engine never leaves a
crossed book: after every operation the best Yes bid plus the best No bid is below one dollar.

**Priority.** Price-time: a higher bid comes first, and within a price the order that got there
first. An incoming (taker) order trades with resting (maker) orders in that priority, always at
the maker's price, so against a No maker at ``q`` a Yes taker pays ``1 - q``, never more than its
own limit. Each trade emits one :class:`Filled` per side, with ``price`` on that side's scale and
``yes_price`` the trade on the Yes scale (what LastPx <31> carries). A cancel/replace keeps the
order's place in the queue when only the quantity goes down; a new price or a larger quantity
sends it to the back of its (new) price level, as spec section 7.2 says for quantity increases.

**Time.** There is no clock: every operation takes ``now`` in seconds (any epoch, but it must
never go backwards, else ``ValueError``). Good-Till-Date orders expire at their ``expire_time``;
the engine expires them at the start of every operation and in :meth:`MatchingEngine.expire`, so
an expired order never trades. Day orders end when the simulator calls
:meth:`MatchingEngine.end_of_day` (Kalshi: 23:59:59.999 America/New_York). Order groups count
fills over the 15 seconds before ``now``.

**Output.** Each public operation returns the events it caused, in the order they happened:
immutable dataclasses that the simulator turns into ExecutionReports (35=8), OrderCancelRejects
(35=9), OrderMassCancelReports (35=r) and OrderGroupResponses (35=UOH). An order that passes
the venue's checks gets :class:`Accepted` first; one that fails them gets only
:class:`Rejected`. Reasons are Kalshi's Text <58> vocabulary where the spec gives one
(section 7.7) and carry their FIX reason codes. Ids come from a counter by default, so runs repeat.
Invalid *arguments* (a float price, a price outside (0, 1), a quantity <= 0) are the caller's
bug and raise ``TypeError``/``ValueError``; anything the venue answers, such as an unknown order
or ticker, is an event.

**Simplified compared with the real venue.** One exchange shard; limit orders only (OrdType
<40> = 2 is the only value Kalshi accepts, so there are no market orders); no RFQ negotiation
(the simulator records a confirmed quote with :meth:`MatchingEngine.block_trade`, a trade
between the two parties only); no settlement (the simulator reads :meth:`MatchingEngine.positions`),
balance, collateral, per-market risk limits or rate limits (INSUFFICIENT_BALANCE never happens);
no PENDING_* states, ExecIDs, timestamps or cents-versus-dollars handling (the simulator's job);
fees are a hook that defaults to zero, because the spec states no fee formula.

**Choices where the spec is silent or ambiguous** (each is the reading safer for a trader, or the
one the newest Kalshi text supports):

* A crossing post-only order is *cancelled* with POST_ONLY_CROSS after its :class:`Accepted`, as
  the newest spec says (sections 7.1 and 7.7; before 2026-06-04 it was a reject). A cancel/replace
  that would make a post-only order cross is refused and leaves the order as it was.
* Self-trade prevention compares ``owner`` only, so it also stops trades between subaccounts of
  one owner (Kalshi: "another order from the same user"). Taker-at-cross stops the taker at its
  own order, keeps earlier fills and cancels the rest with TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION;
  Maker cancels each own resting order it meets with MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION and
  goes on. A cancel/replace whose new price would cross one of the owner's own orders is refused
  with SELF_CROSS_ATTEMPT (CxlRejReason <102> = 18), whatever the mode. The text
  SELF_CROSS_ATTEMPT_PARTIALLY_FILLED is never produced.
* Order groups treat the limit as a hard cap: a fill is cut so that the group's 15-second volume
  never passes the limit, and *reaching* the limit triggers the group (the spec says
  "exceeding"; Kalshi's guide says "reached" and "maximum number of contracts that can be
  matched"). A fill leaves the window exactly 15 seconds later. An update to a limit at or below
  the current volume triggers at once.
* MaxExecutionCost <21009> makes the order fill-or-kill (as Kalshi's REST ``buy_max_cost``): the
  whole quantity must fill at a total cost, taker fees included, within the cap, else the order
  is cancelled with the engine's MAX_EXECUTION_COST text.
* A fill-or-kill order that self-trade prevention would stop short is killed whole
  (FOK_INSUFFICIENT_VOLUME), and nothing it would have done (fills, maker cancels) happens.
* A cancel never fails for a reused ClOrdID <11> (refusing it would leave the order live); a
  cancel/replace does (ORDER_ALREADY_EXISTS). When OrderID <37> is given it identifies the order
  and OrigClOrdID <41> is not compared.
* The default TimeInForce <59> (undocumented) is GTC; a GTD order whose expiry has passed acts
  as IOC; post-only with IOC, FOK, such a GTD, or a maximum cost is rejected as INVALID_ORDER.
* Positions are net per owner, subaccount and ticker: holding Yes and No of one market nets out,
  so LongQty <704> and ShortQty <705> are never both positive.
* Cancel-on-disconnect (:meth:`MatchingEngine.cancel_all_for_owner`) works even during an
  exchange pause, when every other request is refused.
"""

from __future__ import annotations

import heapq
import itertools
import math
from bisect import insort
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import Final, Protocol

__all__ = [
    "CENT_TICKS",
    "GROUP_WINDOW_SECONDS",
    "Accepted",
    "CancelReason",
    "CancelRejectReason",
    "CancelRejected",
    "CancelRequestType",
    "Cancelled",
    "Event",
    "FeeModel",
    "Filled",
    "GroupAction",
    "GroupCreated",
    "GroupDeleted",
    "GroupLimitUpdated",
    "GroupRejected",
    "GroupReset",
    "GroupState",
    "GroupTriggered",
    "Liquidity",
    "MassCancelReport",
    "MatchingEngine",
    "OrderState",
    "OrderStatus",
    "Position",
    "RejectReason",
    "Rejected",
    "Replaced",
    "SelfTradePrevention",
    "SequentialIds",
    "Side",
    "TickBand",
    "TimeInForce",
    "TradingState",
    "from_yes_price",
    "no_fees",
    "to_yes_price",
]

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
# Kalshi prices have at most four decimal places in dollars (spec section 6.1, subpenny).
PRICE_QUANTUM: Final = Decimal("0.0001")
GROUP_WINDOW_SECONDS: Final = 15.0
"""Length of the rolling window over which an order group sums its fills (spec section 9)."""
MAX_GROUP_LIMIT: Final = 1_000_000
MAX_SUBACCOUNT: Final = 63


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


class Side(Enum):
    """The contract an order buys; the value is Side <54> (1 = Buy = Yes, 2 = Sell = No)."""

    YES = "1"
    NO = "2"

    @property
    def opposite(self) -> Side:
        """The other contract of the market."""
        return Side.NO if self is Side.YES else Side.YES


def to_yes_price(side: Side, price: Decimal) -> Decimal:
    """Return a price on ``side``'s own scale as a price on the Yes scale.

    Args:
        side: The side whose scale ``price`` is on.
        price: Dollars per contract of that side.

    Returns:
        ``price`` for Yes, ``1 - price`` for No.
    """
    return price if side is Side.YES else ONE - price


def from_yes_price(side: Side, yes_price: Decimal) -> Decimal:
    """Return a Yes-scale price (as in Price <44>) as a price on ``side``'s own scale.

    Args:
        side: The side the order buys.
        yes_price: Dollars on the Yes scale.

    Returns:
        ``yes_price`` for Yes, ``1 - yes_price`` for No.
    """
    return yes_price if side is Side.YES else ONE - yes_price


class TimeInForce(Enum):
    """How long an order may rest; the value is TimeInForce <59>."""

    DAY = "0"
    """Rests until :meth:`MatchingEngine.end_of_day` (Kalshi: 23:59:59.999 ET)."""
    GTC = "1"
    """Rests until cancelled."""
    IOC = "3"
    """Trades what it can at once; the rest is cancelled with IMMEDIATE_OR_CANCELLED."""
    FOK = "4"
    """Fills whole at once or is cancelled with FOK_INSUFFICIENT_VOLUME without trading."""
    GTD = "6"
    """Rests until ``expire_time``; one already past acts as IOC."""


class SelfTradePrevention(IntEnum):
    """What happens when an order would trade with its owner's own order (tag 2964)."""

    TAKER_AT_CROSS = 1
    """The incoming order stops; fills before the cross stand, the rest is cancelled."""
    MAKER = 2
    """Each own resting order met is cancelled and the incoming order keeps matching."""


class Liquidity(Enum):
    """Whether a fill added liquidity (resting maker) or removed it (incoming taker)."""

    MAKER = "maker"
    TAKER = "taker"

    @property
    def aggressor(self) -> bool:
        """AggressorIndicator <1057>: true for the taker."""
        return self is Liquidity.TAKER


class OrderStatus(Enum):
    """An order's state; the value is OrdStatus <39>."""

    NEW = "0"
    PARTIALLY_FILLED = "1"
    FILLED = "2"
    CANCELED = "4"


class TradingState(Enum):
    """Whether the exchange takes orders (spec section 3, maintenance and pauses)."""

    OPEN = "open"
    TRADING_PAUSED = "trading_paused"
    """No new orders or amendments; cancels are allowed."""
    EXCHANGE_PAUSED = "exchange_paused"
    """Nothing is allowed except cancel-on-disconnect."""


class CancelRequestType(IntEnum):
    """The request a :class:`CancelRejected` answers: CxlRejResponseTo <434>."""

    CANCEL = 1
    REPLACE = 2


class GroupAction(IntEnum):
    """An order group operation: OrderGroupAction <20131>."""

    CREATE = 1
    RESET = 2
    DELETE = 3
    TRIGGER = 4
    UPDATE = 5


class RejectReason(StrEnum):
    """Why a new order (or a request about a group or a mass cancel) was refused.

    Every value is Kalshi's Text <58> from spec section 7.7; :attr:`ord_rej_reason` is the
    OrdRejReason <103> that goes with it on a rejected ExecutionReport.
    """

    MARKET_NOT_FOUND = "MARKET_NOT_FOUND"
    MARKET_ALREADY_CLOSED = "MARKET_ALREADY_CLOSED"
    TRADING_PAUSED = "TRADING_PAUSED"
    EXCHANGE_PAUSED = "EXCHANGE_PAUSED"
    ORDER_ALREADY_EXISTS = "ORDER_ALREADY_EXISTS"
    """ClOrdID <11> equals one of the owner's open orders."""
    EXCEEDED_ORDER_GROUP_RISK_LIMIT = "EXCEEDED_ORDER_GROUP_RISK_LIMIT"
    """The order's group has triggered and has not been reset."""
    INVALID_ORDER = "INVALID_ORDER"
    """Price off the market's ticks, quantity off its step, or contradictory instructions."""
    ORDER_GROUP_NOT_FOUND = "ORDER_GROUP_NOT_FOUND"
    """No such group for this owner and subaccount."""

    @property
    def ord_rej_reason(self) -> int:
        """OrdRejReason <103> for this text (spec section 7.7)."""
        return _ORD_REJ_REASON[self]


_ORD_REJ_REASON: Final = {
    RejectReason.MARKET_NOT_FOUND: 1,
    RejectReason.MARKET_ALREADY_CLOSED: 2,
    RejectReason.TRADING_PAUSED: 2,
    RejectReason.EXCHANGE_PAUSED: 2,
    RejectReason.ORDER_ALREADY_EXISTS: 6,
    RejectReason.EXCEEDED_ORDER_GROUP_RISK_LIMIT: 3,
    RejectReason.INVALID_ORDER: 11,
    RejectReason.ORDER_GROUP_NOT_FOUND: 11,
}


class CancelReason(StrEnum):
    """Why an order was cancelled; the value is the Text <58> for the canceled ExecutionReport.

    The first six are Kalshi's own texts (spec section 7.7). The spec gives no text for the
    others, so the engine names them; the simulator may leave Text out for those
    (:attr:`documented` tells them apart).
    """

    IMMEDIATE_OR_CANCELLED = "IMMEDIATE_OR_CANCELLED"
    FOK_INSUFFICIENT_VOLUME = "FOK_INSUFFICIENT_VOLUME"
    POST_ONLY_CROSS = "POST_ONLY_CROSS"
    ORDER_GROUP_CANCEL = "ORDER_GROUP_CANCEL"
    TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION = "TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION"
    MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION = "MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION"
    CANCEL_REQUESTED = "CANCEL_REQUESTED"
    """An OrderCancelRequest (35=F), or a cancel/replace down to the filled quantity."""
    MASS_CANCEL = "MASS_CANCEL"
    """An OrderMassCancelRequest (35=q)."""
    CANCEL_ON_DISCONNECT = "CANCEL_ON_DISCONNECT"
    """CancelOrdersOnDisconnect <8013>."""
    ORDER_EXPIRY = "ORDER_EXPIRY"
    """A GTD order reached its expire time or a Day order its day end (Kalshi's
    "OrderExpiryCancel")."""
    MARKET_CLOSE = "MARKET_CLOSE"
    """The market closed (Kalshi's "CloseCancel")."""
    PAUSE = "PAUSE"
    """A pause began and the order had CancelOrderOnPause <21006> = Y."""
    MAX_EXECUTION_COST = "MAX_EXECUTION_COST"
    """The whole quantity could not fill within MaxExecutionCost <21009>."""

    @property
    def documented(self) -> bool:
        """Whether Kalshi documents this text (else the engine chose it)."""
        return self in _DOCUMENTED_CANCEL_TEXTS

    @property
    def is_expiry(self) -> bool:
        """Whether this is an expiry-type cancel, which UseExpiredOrdStatus <21012> = Y
        reports as ExecType <150> = C and OrdStatus <39> = C."""
        return self in (CancelReason.ORDER_EXPIRY, CancelReason.MARKET_CLOSE)


_DOCUMENTED_CANCEL_TEXTS: Final = frozenset(
    {
        CancelReason.IMMEDIATE_OR_CANCELLED,
        CancelReason.FOK_INSUFFICIENT_VOLUME,
        CancelReason.POST_ONLY_CROSS,
        CancelReason.ORDER_GROUP_CANCEL,
        CancelReason.TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION,
        CancelReason.MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION,
    }
)


class CancelRejectReason(StrEnum):
    """Why a cancel or cancel/replace was refused: Text <58> of an OrderCancelReject (35=9).

    Kalshi documents the texts INVALID_AMEND_QTY_FOR_ORDER, CANNOT_UPDATE_FILLED_ORDER,
    SELF_CROSS_ATTEMPT, INVALID_PRICE and ORDER_ALREADY_EXISTS for 35=9, and TRADING_PAUSED and
    EXCHANGE_PAUSED for ExecutionReports; UNKNOWN_ORDER, TOO_LATE_TO_CANCEL and POST_ONLY_CROSS
    (on a cancel/replace) are the engine's. :attr:`cxl_rej_reason` is CxlRejReason <102>.
    """

    UNKNOWN_ORDER = "UNKNOWN_ORDER"
    """No such order for this owner, or its side, ticker or subaccount does not match."""
    TOO_LATE_TO_CANCEL = "TOO_LATE_TO_CANCEL"
    """The order is already filled or cancelled."""
    INVALID_AMEND_QTY_FOR_ORDER = "INVALID_AMEND_QTY_FOR_ORDER"
    """The new OrderQty <38> is below the filled quantity or off the market's step."""
    CANNOT_UPDATE_FILLED_ORDER = "CANNOT_UPDATE_FILLED_ORDER"
    SELF_CROSS_ATTEMPT = "SELF_CROSS_ATTEMPT"
    """The new price would cross one of the owner's own resting orders."""
    INVALID_PRICE = "INVALID_PRICE"
    """The new price is off the market's ticks."""
    ORDER_ALREADY_EXISTS = "ORDER_ALREADY_EXISTS"
    """The new ClOrdID <11> equals one of the owner's open orders."""
    TRADING_PAUSED = "TRADING_PAUSED"
    EXCHANGE_PAUSED = "EXCHANGE_PAUSED"
    POST_ONLY_CROSS = "POST_ONLY_CROSS"
    """The new price would make a post-only order cross."""

    @property
    def cxl_rej_reason(self) -> int:
        """CxlRejReason <102> for this text (spec section 7.6)."""
        return _CXL_REJ_REASON[self]


_CXL_REJ_REASON: Final = {
    CancelRejectReason.UNKNOWN_ORDER: 1,
    CancelRejectReason.TOO_LATE_TO_CANCEL: 0,
    CancelRejectReason.INVALID_AMEND_QTY_FOR_ORDER: 2,
    CancelRejectReason.CANNOT_UPDATE_FILLED_ORDER: 2,
    CancelRejectReason.SELF_CROSS_ATTEMPT: 18,
    CancelRejectReason.INVALID_PRICE: 99,
    CancelRejectReason.ORDER_ALREADY_EXISTS: 6,
    CancelRejectReason.TRADING_PAUSED: 99,
    CancelRejectReason.EXCHANGE_PAUSED: 99,
    CancelRejectReason.POST_ONLY_CROSS: 99,
}


# --------------------------------------------------------------------------------------------
# Argument checks (the caller's bugs, not venue answers)
# --------------------------------------------------------------------------------------------


def _check_price(price: object, what: str = "price") -> Decimal:
    if not isinstance(price, Decimal):
        raise TypeError(f"{what} must be a decimal.Decimal, not {type(price).__name__}")
    if not price.is_finite() or not ZERO < price < ONE:
        raise ValueError(f"{what} {price} is out of band: it must lie strictly between 0 and 1")
    if price % PRICE_QUANTUM != 0:
        raise ValueError(f"{what} {price} has more than four decimal places")
    return price


def _check_qty(qty: object, what: str = "quantity") -> Decimal:
    if isinstance(qty, bool) or not isinstance(qty, Decimal | int):
        raise TypeError(f"{what} must be a decimal.Decimal or int, not {type(qty).__name__}")
    value = Decimal(qty)
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what} must be positive, got {qty}")
    return value


def _check_subaccount(subaccount: int) -> None:
    if not 0 <= subaccount <= MAX_SUBACCOUNT:
        raise ValueError(f"subaccount must be 0 to {MAX_SUBACCOUNT}, got {subaccount}")


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"group limit must be an int, not {type(limit).__name__}")
    if not 1 <= limit <= MAX_GROUP_LIMIT:
        raise ValueError(f"group limit must be 1 to {MAX_GROUP_LIMIT:,}, got {limit}")


# --------------------------------------------------------------------------------------------
# Configuration and hooks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickBand:
    """A run of valid prices, on the Yes scale: ``low``, ``low + step``, ... up to ``high``.

    A market's bands come from its REST ``price_ranges`` (spec section 6.1). A No price ``q`` is
    valid when its Yes-scale price ``1 - q`` is, so symmetric bands treat both sides alike.

    Raises:
        ValueError: The band is empty, its step is not positive, or a bound lies outside (0, 1)
            or has more than four decimal places.
    """

    low: Decimal
    high: Decimal
    step: Decimal

    def __post_init__(self) -> None:
        _check_price(self.low, "band low")
        _check_price(self.high, "band high")
        if not self.step.is_finite() or self.step <= 0:
            raise ValueError(f"tick band step must be positive, got {self.step}")
        if self.low > self.high:
            raise ValueError(f"tick band low {self.low} is above its high {self.high}")

    def __contains__(self, yes_price: object) -> bool:
        if not isinstance(yes_price, Decimal):
            return False
        return self.low <= yes_price <= self.high and (yes_price - self.low) % self.step == 0


CENT_TICKS: Final = (TickBand(Decimal("0.01"), Decimal("0.99"), Decimal("0.01")),)
"""The classic Kalshi market: whole cents from 1 to 99."""


class FeeModel(Protocol):
    """Computes the exchange fee in dollars, MiscFeeAmt <137>, for one side of one trade.

    The spec states no fee formula, so the engine charges nothing (:func:`no_fees`) unless one is
    given. A negative result is a rebate.
    """

    def __call__(self, market: str, price: Decimal, qty: Decimal, liquidity: Liquidity) -> Decimal:
        """Return the fee for buying ``qty`` contracts at ``price`` (own scale) in ``market``."""
        ...


def no_fees(market: str, price: Decimal, qty: Decimal, liquidity: Liquidity) -> Decimal:
    """The default :class:`FeeModel`: every trade is free."""
    return ZERO


class SequentialIds:
    """Deterministic UUID-shaped ids, ``00000000-0000-4000-8000-000000000001`` and on.

    Each engine gets its own counter, so the same operations give the same ids on every run.
    """

    __slots__ = ("_count",)

    def __init__(self) -> None:
        self._count = 0

    def __call__(self) -> str:
        """Return the next id."""
        self._count += 1
        return f"00000000-0000-4000-8000-{self._count:012x}"


# --------------------------------------------------------------------------------------------
# Snapshots and events
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """An order as it stood right after an event (or when queried).

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


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Order:
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

    @property
    def is_open(self) -> bool:
        return self.status in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)

    def state(self) -> OrderState:
        return OrderState(
            order_id=self.order_id,
            client_id=self.client_id,
            owner=self.owner,
            subaccount=self.subaccount,
            market=self.market,
            side=self.side,
            price=self.price,
            order_qty=self.order_qty,
            cum_qty=self.cum_qty,
            leaves_qty=self.leaves_qty,
            cum_cost=self.cum_cost,
            cum_fees=self.cum_fees,
            status=self.status,
            time_in_force=self.time_in_force,
            expire_time=self.expire_time,
            post_only=self.post_only,
            stp=self.stp,
            group_id=self.group_id,
            cancel_on_pause=self.cancel_on_pause,
            max_execution_cost=self.max_execution_cost,
            priority=self.priority,
        )


class _BookSide:
    """The bids for one contract of one market: price levels, each FIFO by arrival."""

    __slots__ = ("_levels", "_prices")

    def __init__(self) -> None:
        self._prices: list[Decimal] = []  # ascending; the best bid is last
        self._levels: dict[Decimal, dict[str, _Order]] = {}

    def add(self, order: _Order) -> None:
        level = self._levels.get(order.price)
        if level is None:
            level = self._levels[order.price] = {}
            insort(self._prices, order.price)
        level[order.order_id] = order

    def remove(self, order: _Order) -> None:
        level = self._levels[order.price]
        del level[order.order_id]
        if not level:
            del self._levels[order.price]
            self._prices.remove(order.price)

    def best(self) -> Decimal | None:
        return self._prices[-1] if self._prices else None

    def __iter__(self) -> Iterator[_Order]:
        for price in reversed(self._prices):
            yield from self._levels[price].values()

    def depth(self) -> list[tuple[Decimal, Decimal]]:
        return [
            (price, sum((o.leaves_qty for o in self._levels[price].values()), ZERO))
            for price in reversed(self._prices)
        ]


@dataclass(slots=True, eq=False)
class _Market:
    ticker: str
    tick_bands: tuple[TickBand, ...]
    qty_step: Decimal
    closed: bool = False
    bids: dict[Side, _BookSide] = field(
        default_factory=lambda: {Side.YES: _BookSide(), Side.NO: _BookSide()}
    )

    def on_tick(self, side: Side, price: Decimal) -> bool:
        yes_price = to_yes_price(side, price)
        return any(yes_price in band for band in self.tick_bands)

    def on_step(self, qty: Decimal) -> bool:
        return qty % self.qty_step == 0


@dataclass(slots=True, eq=False)
class _Group:
    group_id: str
    owner: str
    subaccount: int
    limit: int
    triggered: bool = False
    fills: deque[tuple[float, Decimal]] = field(default_factory=deque)
    members: dict[str, _Order] = field(default_factory=dict)

    def volume(self, now: float) -> Decimal:
        """Contracts filled in the window before ``now``; drops fills that left it."""
        cutoff = now - GROUP_WINDOW_SECONDS
        while self.fills and self.fills[0][0] <= cutoff:
            self.fills.popleft()
        return sum((qty for _, qty in self.fills), ZERO)

    def state(self, now: float) -> GroupState:
        return GroupState(
            group_id=self.group_id,
            owner=self.owner,
            subaccount=self.subaccount,
            limit=self.limit,
            triggered=self.triggered,
            volume=self.volume(now),
        )


@dataclass(slots=True, eq=False)
class _Fill:
    maker: _Order
    qty: Decimal


@dataclass(slots=True, eq=False)
class _CancelMaker:
    maker: _Order


@dataclass(slots=True, eq=False)
class _Trigger:
    group: _Group


@dataclass(slots=True, eq=False)
class _Plan:
    """What a taker would do against the book, worked out before anything changes."""

    steps: list[_Fill | _CancelMaker | _Trigger]
    filled: Decimal
    cost: Decimal
    stop: CancelReason | None


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


class MatchingEngine:
    """Books, orders, order groups and positions for every market of one simulated venue.

    Args:
        id_factory: Makes order, trade, group and mass-cancel ids; defaults to a
            :class:`SequentialIds` of the engine's own.
        fee_model: Fee per side of each trade; defaults to :func:`no_fees`.
    """

    def __init__(
        self,
        *,
        id_factory: Callable[[], str] | None = None,
        fee_model: FeeModel = no_fees,
    ) -> None:
        self._new_id: Callable[[], str] = id_factory if id_factory is not None else SequentialIds()
        self._fee_model = fee_model
        self._markets: dict[str, _Market] = {}
        self._orders: dict[str, _Order] = {}
        self._open: dict[str, _Order] = {}
        self._open_by_client: dict[tuple[str, str], _Order] = {}
        self._last_by_client: dict[tuple[str, str], _Order] = {}
        self._groups: dict[str, _Group] = {}
        self._positions: dict[tuple[str, int, str], Decimal] = {}
        self._expiries: list[tuple[float, int, str]] = []
        self._priority = itertools.count(1)
        self._now = -math.inf
        self._state = TradingState.OPEN

    # ---------------------------------------------------------------- markets and venue state

    def add_market(
        self,
        ticker: str,
        *,
        tick_bands: Sequence[TickBand] = CENT_TICKS,
        qty_step: Decimal = ONE,
    ) -> None:
        """List a market.

        Args:
            ticker: Symbol <55>.
            tick_bands: Valid prices on the Yes scale; whole cents by default.
            qty_step: Quantity increment: 1 for whole contracts (the default, as no market
                trades fractions yet, spec section 18 item 15), ``Decimal("0.01")`` for
                fractional trading.

        Raises:
            ValueError: The ticker is listed already, there are no bands, or the step is not
                positive.
        """
        if ticker in self._markets:
            raise ValueError(f"market {ticker!r} is listed already")
        if not tick_bands:
            raise ValueError("a market needs at least one tick band")
        if not qty_step.is_finite() or qty_step <= 0:
            raise ValueError(f"quantity step must be positive, got {qty_step}")
        self._markets[ticker] = _Market(ticker, tuple(tick_bands), qty_step)

    def close_market(self, ticker: str, now: float) -> list[Event]:
        """Close a market: cancel its orders (MARKET_CLOSE) and refuse new ones.

        Args:
            ticker: Symbol <55> of a listed market.
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``, then one :class:`Cancelled` per open order.

        Raises:
            ValueError: The ticker is not listed.
        """
        if ticker not in self._markets:
            raise ValueError(f"market {ticker!r} is not listed")
        events = self._advance(now)
        self._markets[ticker].closed = True
        for order in [o for o in self._open.values() if o.market == ticker]:
            events.append(self._cancel(order, CancelReason.MARKET_CLOSE))
        return events

    def block_trade(
        self,
        *,
        market: str,
        taker_owner: str,
        taker_client_id: str,
        taker_side: Side,
        maker_owner: str,
        maker_client_id: str,
        maker_price: Decimal,
        qty: Decimal,
        now: float,
        taker_subaccount: int = 0,
        maker_subaccount: int = 0,
    ) -> list[Event]:
        """Record a trade agreed off the book, such as an accepted and confirmed RFQ quote.

        Two fill-or-kill orders are made and matched with each other only, never with the
        book: the maker buys ``taker_side.opposite`` at ``maker_price`` (its own scale) and
        the taker buys ``taker_side`` at one dollar minus that. Positions change as for any
        trade; self-trade prevention, order groups and the book's priority do not apply.

        Returns:
            Expiries due by ``now``, then :class:`Accepted` for the taker and the maker, then
            both :class:`Filled` events (taker first), or one :class:`Rejected` per side
            when the market is not open or a client id is in use by an open order.

        Raises:
            TypeError: ``maker_price`` or ``qty`` is not a Decimal.
            ValueError: ``maker_price`` is outside (0, 1), ``qty`` is not positive, a
                subaccount is outside 0 to 63, or ``now`` went backwards.
        """
        _check_price(maker_price)
        quantity = _check_qty(qty)
        _check_subaccount(taker_subaccount)
        _check_subaccount(maker_subaccount)
        events = self._advance(now)
        sides = (
            (taker_owner, taker_client_id, taker_side, ONE - maker_price, taker_subaccount),
            (maker_owner, maker_client_id, taker_side.opposite, maker_price, maker_subaccount),
        )
        market_state = self._markets.get(market)
        reason: RejectReason | None = None
        if market_state is None:
            reason = RejectReason.MARKET_NOT_FOUND
        elif market_state.closed:
            reason = RejectReason.MARKET_ALREADY_CLOSED
        elif self._state is not TradingState.OPEN:
            reason = RejectReason.EXCHANGE_PAUSED
        elif any((owner, client_id) in self._open_by_client for owner, client_id, *_ in sides):
            reason = RejectReason.ORDER_ALREADY_EXISTS
        if reason is not None:
            for owner, client_id, side, price, subaccount in sides:
                events.append(
                    Rejected(
                        client_id=client_id,
                        owner=owner,
                        subaccount=subaccount,
                        market=market,
                        side=side,
                        price=price,
                        qty=quantity,
                        reason=reason,
                    )
                )
            return events
        orders = []
        for owner, client_id, side, price, subaccount in sides:
            order = _Order(
                order_id=self._new_id(),
                client_id=client_id,
                owner=owner,
                subaccount=subaccount,
                market=market,
                side=side,
                price=price,
                order_qty=quantity,
                time_in_force=TimeInForce.FOK,
                expire_time=None,
                post_only=False,
                stp=SelfTradePrevention.TAKER_AT_CROSS,
                group_id=None,
                cancel_on_pause=False,
                max_execution_cost=None,
                priority=next(self._priority),
                leaves_qty=quantity,
            )
            self._orders[order.order_id] = order
            self._open[order.order_id] = order
            self._open_by_client[owner, client_id] = order
            self._last_by_client[owner, client_id] = order
            events.append(Accepted(order.state()))
            orders.append(order)
        events.extend(self._trade(orders[0], orders[1], quantity, now))
        return events

    def positions(self, market: str) -> dict[tuple[str, int], Position]:
        """Return every non-zero net position in ``market`` by (owner, subaccount)."""
        return {
            (owner, subaccount): _position(net)
            for (owner, subaccount, ticker), net in self._positions.items()
            if ticker == market and net != 0
        }

    @property
    def trading_state(self) -> TradingState:
        """Whether the exchange is open or paused."""
        return self._state

    def pause(self, now: float, *, exchange: bool = False) -> list[Event]:
        """Begin a trading pause, or with ``exchange`` an exchange pause.

        Orders placed with CancelOrderOnPause <21006> = Y are cancelled (PAUSE); the rest keep
        resting. During a trading pause new orders and amendments are refused and cancels work;
        during an exchange pause everything but cancel-on-disconnect is refused.

        Args:
            now: The current time in seconds.
            exchange: Pause the whole exchange, not just trading.

        Returns:
            Expiries due by ``now``, then the cancels.
        """
        events = self._advance(now)
        self._state = TradingState.EXCHANGE_PAUSED if exchange else TradingState.TRADING_PAUSED
        for order in [o for o in self._open.values() if o.cancel_on_pause]:
            events.append(self._cancel(order, CancelReason.PAUSE))
        return events

    def resume(self, now: float) -> list[Event]:
        """End a pause.

        Args:
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``.
        """
        events = self._advance(now)
        self._state = TradingState.OPEN
        return events

    # ---------------------------------------------------------------- time

    def expire(self, now: float) -> list[Event]:
        """Cancel every GTD order whose expire time is at or before ``now`` (ORDER_EXPIRY).

        Every other operation does this first too, so calling it is only needed to report
        expiries on time when nothing else happens.

        Args:
            now: The current time in seconds.

        Returns:
            One :class:`Cancelled` per expired order, earliest expiry first.
        """
        return self._advance(now)

    def end_of_day(self, now: float) -> list[Event]:
        """Cancel every open Day order (ORDER_EXPIRY).

        The simulator calls this at Kalshi's day end, 23:59:59.999 America/New_York.

        Args:
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``, then one :class:`Cancelled` per Day order.
        """
        events = self._advance(now)
        for order in [o for o in self._open.values() if o.time_in_force is TimeInForce.DAY]:
            events.append(self._cancel(order, CancelReason.ORDER_EXPIRY))
        return events

    # ---------------------------------------------------------------- order entry

    def submit(
        self,
        *,
        owner: str,
        client_id: str,
        market: str,
        side: Side,
        price: Decimal,
        qty: Decimal | int,
        now: float,
        time_in_force: TimeInForce = TimeInForce.GTC,
        expire_time: float | None = None,
        post_only: bool = False,
        stp: SelfTradePrevention = SelfTradePrevention.TAKER_AT_CROSS,
        group_id: str | None = None,
        cancel_on_pause: bool = False,
        max_execution_cost: Decimal | None = None,
        subaccount: int = 0,
    ) -> list[Event]:
        """Enter a new limit order (NewOrderSingle 35=D).

        Args:
            owner: The trading identity placing the order.
            client_id: ClOrdID <11>; must differ from the owner's open orders.
            market: Symbol <55>.
            side: The contract to buy.
            price: Limit in dollars on ``side``'s own scale (see :func:`from_yes_price`).
            qty: OrderQty <38>, a multiple of the market's quantity step.
            now: The current time in seconds.
            time_in_force: TimeInForce <59>; GTC when not given.
            expire_time: ExpireTime <126>, required with GTD and only with GTD.
            post_only: ExecInst <18> = 6: never take liquidity.
            stp: SelfTradePreventionType <2964>.
            group_id: Order group to join, SecondaryClOrdID <526>.
            cancel_on_pause: CancelOrderOnPause <21006>.
            max_execution_cost: MaxExecutionCost <21009> in dollars; makes the order
                fill-or-kill within that total cost (fees included).
            subaccount: AllocAccount <79>.

        Returns:
            Expiries due by ``now``; then :class:`Rejected`, or :class:`Accepted` followed by
            fills, maker cancels, group triggers and the order's own cancel, as they happened.

        Raises:
            TypeError: ``price`` or ``max_execution_cost`` is not a Decimal, or ``qty`` is
                neither Decimal nor int.
            ValueError: ``price`` is outside (0, 1) or has more than four decimal places,
                ``qty`` is not positive, ``subaccount`` is outside 0 to 63, ``expire_time`` is
                missing for GTD or given for another time in force, ``max_execution_cost`` is
                not positive, or ``now`` went backwards.
        """
        _check_price(price)
        quantity = _check_qty(qty)
        _check_subaccount(subaccount)
        if (time_in_force is TimeInForce.GTD) != (expire_time is not None):
            raise ValueError("expire_time is required with GTD and allowed only with GTD")
        if expire_time is not None and not math.isfinite(expire_time):
            raise ValueError(f"expire_time must be finite, got {expire_time}")
        if max_execution_cost is not None:
            if not isinstance(max_execution_cost, Decimal):
                raise TypeError("max_execution_cost must be a decimal.Decimal")
            if not max_execution_cost.is_finite() or max_execution_cost <= 0:
                raise ValueError(f"max_execution_cost must be positive, got {max_execution_cost}")
        events = self._advance(now)

        reason = self._admit(
            owner,
            client_id,
            market,
            side,
            price,
            quantity,
            time_in_force,
            post_only,
            max_execution_cost,
            group_id,
            subaccount,
            expire_time is not None and expire_time <= now,
        )
        if reason is not None:
            events.append(
                Rejected(
                    client_id=client_id,
                    owner=owner,
                    subaccount=subaccount,
                    market=market,
                    side=side,
                    price=price,
                    qty=quantity,
                    reason=reason,
                )
            )
            return events

        order = _Order(
            order_id=self._new_id(),
            client_id=client_id,
            owner=owner,
            subaccount=subaccount,
            market=market,
            side=side,
            price=price,
            order_qty=quantity,
            time_in_force=time_in_force,
            expire_time=expire_time,
            post_only=post_only,
            stp=stp,
            group_id=group_id,
            cancel_on_pause=cancel_on_pause,
            max_execution_cost=max_execution_cost,
            priority=next(self._priority),
            leaves_qty=quantity,
        )
        self._orders[order.order_id] = order
        self._open[order.order_id] = order
        self._open_by_client[owner, client_id] = order
        self._last_by_client[owner, client_id] = order
        if group_id is not None:
            self._groups[group_id].members[order.order_id] = order
        if expire_time is not None:
            heapq.heappush(self._expiries, (expire_time, order.priority, order.order_id))
        events.append(Accepted(order.state()))
        events.extend(self._execute(order, now))
        return events

    def cancel(
        self,
        *,
        owner: str,
        client_id: str,
        orig_client_id: str,
        now: float,
        order_id: str | None = None,
        market: str | None = None,
        side: Side | None = None,
        subaccount: int | None = None,
    ) -> list[Event]:
        """Cancel an open order (OrderCancelRequest 35=F).

        Args:
            owner: The requesting identity; it must own the order.
            client_id: ClOrdID <11> of the request; the order takes it on.
            orig_client_id: OrigClOrdID <41>, the order's current ClOrdID.
            now: The current time in seconds.
            order_id: OrderID <37>; when given it identifies the order.
            market: Symbol <55>; when given it must match.
            side: Side <54>; when given it must match.
            subaccount: AllocAccount <79>; when given it must match.

        Returns:
            Expiries due by ``now``, then :class:`Cancelled` or :class:`CancelRejected`.
        """
        events = self._advance(now)
        order, reason = self._find(owner, orig_client_id, order_id, market, side, subaccount)
        if order is not None and reason is None:
            if not order.is_open:
                reason = CancelRejectReason.TOO_LATE_TO_CANCEL
            elif self._state is TradingState.EXCHANGE_PAUSED:
                reason = CancelRejectReason.EXCHANGE_PAUSED
        if order is None or reason is not None:
            events.append(
                CancelRejected(
                    client_id=client_id,
                    orig_client_id=orig_client_id,
                    owner=owner,
                    response_to=CancelRequestType.CANCEL,
                    reason=CancelRejectReason.UNKNOWN_ORDER if reason is None else reason,
                    order=order.state() if order is not None else None,
                )
            )
            return events
        events.append(self._cancel(order, CancelReason.CANCEL_REQUESTED, client_id=client_id))
        return events

    def replace(
        self,
        *,
        owner: str,
        client_id: str,
        orig_client_id: str,
        qty: Decimal | int,
        now: float,
        price: Decimal | None = None,
        order_id: str | None = None,
        market: str | None = None,
        side: Side | None = None,
        subaccount: int | None = None,
    ) -> list[Event]:
        """Change an open order's quantity and/or price (OrderCancelReplaceRequest 35=G).

        ``qty`` is the new total OrderQty <38>, filled contracts included. Equal to the filled
        quantity, it cancels the order; below it, the request is refused. The order keeps its
        queue place only when the price stays and the quantity does not grow. A new price that
        crosses makes the order trade at once, as a taker, before the rest rests again.

        Args:
            owner: The requesting identity; it must own the order.
            client_id: The new ClOrdID <11>; must differ from the owner's open orders.
            orig_client_id: OrigClOrdID <41>, the order's current ClOrdID.
            qty: The new OrderQty <38>.
            now: The current time in seconds.
            price: The new price on the order's own scale; None keeps the price.
            order_id: OrderID <37>; when given it identifies the order.
            market: Symbol <55>; when given it must match.
            side: Side <54>; when given it must match.
            subaccount: AllocAccount <79>; when given it must match.

        Returns:
            Expiries due by ``now``, then :class:`CancelRejected`, :class:`Cancelled`, or
            :class:`Replaced` followed by any fills and cancels the new price caused.

        Raises:
            TypeError: ``price`` is not a Decimal or ``qty`` neither Decimal nor int.
            ValueError: ``price`` is out of band, ``qty`` is not positive, or ``now`` went
                backwards.
        """
        new_qty = _check_qty(qty)
        if price is not None:
            _check_price(price)
        events = self._advance(now)
        order, reason = self._find(owner, orig_client_id, order_id, market, side, subaccount)
        if order is not None and reason is None:
            reason = self._check_replace(order, client_id, new_qty, price)
        if order is None or reason is not None:
            events.append(
                CancelRejected(
                    client_id=client_id,
                    orig_client_id=orig_client_id,
                    owner=owner,
                    response_to=CancelRequestType.REPLACE,
                    reason=CancelRejectReason.UNKNOWN_ORDER if reason is None else reason,
                    order=order.state() if order is not None else None,
                )
            )
            return events
        if new_qty == order.cum_qty:
            events.append(self._cancel(order, CancelReason.CANCEL_REQUESTED, client_id=client_id))
            return events

        previous_price, previous_qty = order.price, order.order_qty
        new_price = order.price if price is None else price
        priority_kept = new_price == previous_price and new_qty <= previous_qty
        if not priority_kept:
            self._unrest(order)
            order.priority = next(self._priority)
        orig = order.client_id
        self._rename(order, client_id)
        order.price = new_price
        order.order_qty = new_qty
        order.leaves_qty = new_qty - order.cum_qty
        events.append(
            Replaced(
                order=order.state(),
                orig_client_id=orig,
                previous_price=previous_price,
                previous_qty=previous_qty,
                priority_kept=priority_kept,
            )
        )
        if not priority_kept:
            events.extend(self._execute(order, now))
        return events

    def mass_cancel(
        self,
        *,
        owner: str,
        client_id: str,
        now: float,
        market: str | None = None,
        subaccount: int | None = None,
    ) -> list[Event]:
        """Cancel all of an owner's open orders (OrderMassCancelRequest 35=q).

        Args:
            owner: The requesting identity.
            client_id: ClOrdID <11> of the request.
            now: The current time in seconds.
            market: Only this market's orders, when given.
            subaccount: Only this subaccount's orders, when given.

        Returns:
            Expiries due by ``now``, then a :class:`MassCancelReport` and, when it was
            accepted, one :class:`Cancelled` (MASS_CANCEL) per order, in entry order.
        """
        events = self._advance(now)
        operation_id = self._new_id()
        if self._state is TradingState.EXCHANGE_PAUSED:
            events.append(
                MassCancelReport(
                    client_id=client_id,
                    owner=owner,
                    operation_id=operation_id,
                    accepted=False,
                    reason=RejectReason.EXCHANGE_PAUSED,
                    count=0,
                )
            )
            return events
        targets = [
            o
            for o in self._open.values()
            if o.owner == owner
            and (market is None or o.market == market)
            and (subaccount is None or o.subaccount == subaccount)
        ]
        events.append(
            MassCancelReport(
                client_id=client_id,
                owner=owner,
                operation_id=operation_id,
                accepted=True,
                reason=None,
                count=len(targets),
            )
        )
        events.extend(self._cancel(o, CancelReason.MASS_CANCEL) for o in targets)
        return events

    def cancel_all_for_owner(self, owner: str, now: float) -> list[Event]:
        """Cancel every open order of ``owner`` (CancelOrdersOnDisconnect <8013>).

        Unlike :meth:`mass_cancel` this is the venue's own action, so it also works during an
        exchange pause.

        Args:
            owner: The identity whose session ended.
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``, then one :class:`Cancelled` (CANCEL_ON_DISCONNECT) per
            order, in entry order.
        """
        events = self._advance(now)
        for order in [o for o in self._open.values() if o.owner == owner]:
            events.append(self._cancel(order, CancelReason.CANCEL_ON_DISCONNECT))
        return events

    # ---------------------------------------------------------------- order groups

    def create_group(
        self, *, owner: str, limit: int, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Create an order group (OrderGroupRequest 35=UOG, action 1).

        Args:
            owner: The group's owner.
            limit: OrderGroupContractsLimit <20132>, 1 to 1,000,000 contracts per 15 seconds.
            now: The current time in seconds.
            subaccount: AllocAccount <79> the group belongs to.

        Returns:
            Expiries due by ``now``, then :class:`GroupCreated` (with the new id) or
            :class:`GroupRejected`.

        Raises:
            TypeError: ``limit`` is not an int.
            ValueError: ``limit`` or ``subaccount`` is out of range, or ``now`` went backwards.
        """
        _check_limit(limit)
        _check_subaccount(subaccount)
        events = self._advance(now)
        if self._state is TradingState.EXCHANGE_PAUSED:
            events.append(
                GroupRejected(
                    action=GroupAction.CREATE,
                    group_id=None,
                    owner=owner,
                    subaccount=subaccount,
                    reason=RejectReason.EXCHANGE_PAUSED,
                )
            )
            return events
        group = _Group(self._new_id(), owner, subaccount, limit)
        self._groups[group.group_id] = group
        events.append(GroupCreated(group.state(now)))
        return events

    def reset_group(
        self, *, owner: str, group_id: str, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Clear a group's triggered state and volume (action 2) so it takes orders again.

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupReset` or :class:`GroupRejected`.
        """
        events = self._advance(now)
        group = self._group_for(events, GroupAction.RESET, owner, group_id, subaccount)
        if group is not None:
            group.triggered = False
            group.fills.clear()
            events.append(GroupReset(group.state(now)))
        return events

    def delete_group(
        self, *, owner: str, group_id: str, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Remove a group and cancel its open orders (action 3; ORDER_GROUP_CANCEL).

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupDeleted` and the cancels, or
            :class:`GroupRejected`.
        """
        events = self._advance(now)
        group = self._group_for(events, GroupAction.DELETE, owner, group_id, subaccount)
        if group is not None:
            events.append(GroupDeleted(group.state(now)))
            for order in list(group.members.values()):
                events.append(self._cancel(order, CancelReason.ORDER_GROUP_CANCEL))
            del self._groups[group_id]
        return events

    def trigger_group(
        self, *, owner: str, group_id: str, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Trigger a group by hand (action 4): cancel its open orders and refuse new ones.

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupTriggered` and the cancels, or
            :class:`GroupRejected`.
        """
        events = self._advance(now)
        group = self._group_for(events, GroupAction.TRIGGER, owner, group_id, subaccount)
        if group is not None:
            events.extend(self._trigger(group, now, manual=True))
        return events

    def update_group_limit(
        self, *, owner: str, group_id: str, limit: int, now: float, subaccount: int = 0
    ) -> list[Event]:
        """Change a group's contracts limit (action 5).

        A limit at or below the volume of the last 15 seconds triggers the group at once.

        Args:
            owner: The group's owner.
            group_id: OrderGroupID <20130>.
            limit: The new OrderGroupContractsLimit <20132>, 1 to 1,000,000.
            now: The current time in seconds.
            subaccount: AllocAccount <79>; must be the group's.

        Returns:
            Expiries due by ``now``, then :class:`GroupLimitUpdated` (and perhaps a trigger
            with its cancels), or :class:`GroupRejected`.

        Raises:
            TypeError: ``limit`` is not an int.
            ValueError: ``limit`` is out of range or ``now`` went backwards.
        """
        _check_limit(limit)
        events = self._advance(now)
        group = self._group_for(events, GroupAction.UPDATE, owner, group_id, subaccount)
        if group is not None:
            group.limit = limit
            events.append(GroupLimitUpdated(group.state(now)))
            if not group.triggered and group.volume(now) >= limit:
                events.extend(self._trigger(group, now, manual=False))
        return events

    # ---------------------------------------------------------------- queries

    def order(self, order_id: str) -> OrderState | None:
        """Return an order by OrderID <37>, open or not, or None if there is none."""
        order = self._orders.get(order_id)
        return order.state() if order is not None else None

    def open_orders(self, owner: str | None = None, market: str | None = None) -> list[OrderState]:
        """Return the open orders, optionally of one owner and/or market, in entry order."""
        return [
            o.state()
            for o in self._open.values()
            if (owner is None or o.owner == owner) and (market is None or o.market == market)
        ]

    def resting(self, market: str, side: Side) -> list[OrderState]:
        """Return one side of a market's book in priority order (best price, then earliest).

        Raises:
            KeyError: The market is not listed.
        """
        return [o.state() for o in self._markets[market].bids[side]]

    def depth(self, market: str, side: Side) -> list[tuple[Decimal, Decimal]]:
        """Return ``(price, total leaves)`` per level of one side, best price first.

        Raises:
            KeyError: The market is not listed.
        """
        return self._markets[market].bids[side].depth()

    def best_bid(self, market: str, side: Side) -> Decimal | None:
        """Return the best resting bid for ``side`` on its own scale, or None if there is none.

        Raises:
            KeyError: The market is not listed.
        """
        return self._markets[market].bids[side].best()

    def position(self, owner: str, market: str, subaccount: int = 0) -> Position:
        """Return the net position of an owner's subaccount in a market."""
        return _position(self._positions.get((owner, subaccount, market), ZERO))

    def group(self, group_id: str) -> GroupState | None:
        """Return a group (volume as of the latest ``now``), or None if there is none."""
        group = self._groups.get(group_id)
        return group.state(self._now) if group is not None else None

    # ---------------------------------------------------------------- internals

    def _advance(self, now: float) -> list[Event]:
        if not math.isfinite(now):
            raise ValueError(f"now must be a finite number of seconds, got {now}")
        if now < self._now:
            raise ValueError(f"time went backwards: now {now} is before {self._now}")
        self._now = now
        events: list[Event] = []
        while self._expiries and self._expiries[0][0] <= now:
            _, _, order_id = heapq.heappop(self._expiries)
            order = self._orders[order_id]
            if order.is_open:
                events.append(self._cancel(order, CancelReason.ORDER_EXPIRY))
        return events

    def _admit(
        self,
        owner: str,
        client_id: str,
        ticker: str,
        side: Side,
        price: Decimal,
        qty: Decimal,
        time_in_force: TimeInForce,
        post_only: bool,
        max_execution_cost: Decimal | None,
        group_id: str | None,
        subaccount: int,
        expired: bool,
    ) -> RejectReason | None:
        """Return why the venue refuses a new order, or None when it takes it.

        ``expired`` marks a GTD order whose expire time has passed, which acts as IOC.
        """
        market = self._markets.get(ticker)
        if market is None:
            return RejectReason.MARKET_NOT_FOUND
        if market.closed:
            return RejectReason.MARKET_ALREADY_CLOSED
        if self._state is TradingState.EXCHANGE_PAUSED:
            return RejectReason.EXCHANGE_PAUSED
        if self._state is TradingState.TRADING_PAUSED:
            return RejectReason.TRADING_PAUSED
        if (owner, client_id) in self._open_by_client:
            return RejectReason.ORDER_ALREADY_EXISTS
        if not market.on_tick(side, price) or not market.on_step(qty):
            return RejectReason.INVALID_ORDER
        immediate = time_in_force in (TimeInForce.IOC, TimeInForce.FOK) or expired
        if post_only and (immediate or max_execution_cost is not None):
            return RejectReason.INVALID_ORDER
        if group_id is not None:
            group = self._groups.get(group_id)
            if group is None or group.owner != owner or group.subaccount != subaccount:
                return RejectReason.ORDER_GROUP_NOT_FOUND
            if group.triggered:
                return RejectReason.EXCEEDED_ORDER_GROUP_RISK_LIMIT
        return None

    def _find(
        self,
        owner: str,
        orig_client_id: str,
        order_id: str | None,
        market: str | None,
        side: Side | None,
        subaccount: int | None,
    ) -> tuple[_Order | None, CancelRejectReason | None]:
        """Return the order a cancel or replace is about, or why there is none."""
        if order_id is not None:
            order = self._orders.get(order_id)
        else:
            key = (owner, orig_client_id)
            order = self._open_by_client.get(key) or self._last_by_client.get(key)
        if (
            order is None
            or order.owner != owner
            or (market is not None and market != order.market)
            or (side is not None and side is not order.side)
            or (subaccount is not None and subaccount != order.subaccount)
        ):
            return None, CancelRejectReason.UNKNOWN_ORDER
        return order, None

    def _check_replace(
        self, order: _Order, client_id: str, qty: Decimal, price: Decimal | None
    ) -> CancelRejectReason | None:
        """Return why a cancel/replace of ``order`` is refused, or None when it can go ahead."""
        if order.status is OrderStatus.FILLED:
            return CancelRejectReason.CANNOT_UPDATE_FILLED_ORDER
        if not order.is_open:
            return CancelRejectReason.TOO_LATE_TO_CANCEL
        if self._state is TradingState.EXCHANGE_PAUSED:
            return CancelRejectReason.EXCHANGE_PAUSED
        if self._state is TradingState.TRADING_PAUSED:
            return CancelRejectReason.TRADING_PAUSED
        if (order.owner, client_id) in self._open_by_client:
            return CancelRejectReason.ORDER_ALREADY_EXISTS
        market = self._markets[order.market]
        if qty < order.cum_qty or not market.on_step(qty):
            return CancelRejectReason.INVALID_AMEND_QTY_FOR_ORDER
        if price is None or price == order.price:
            return None
        if not market.on_tick(order.side, price):
            return CancelRejectReason.INVALID_PRICE
        opposite = market.bids[order.side.opposite]
        best = opposite.best()
        if best is None or price + best < ONE:
            return None
        if order.post_only:
            return CancelRejectReason.POST_ONLY_CROSS
        for maker in opposite:
            if price + maker.price < ONE:
                break
            if maker.owner == order.owner:
                return CancelRejectReason.SELF_CROSS_ATTEMPT
        return None

    def _group_for(
        self,
        events: list[Event],
        action: GroupAction,
        owner: str,
        group_id: str,
        subaccount: int,
    ) -> _Group | None:
        """Return the group a request is about, or append why it is refused and return None."""
        group = self._groups.get(group_id)
        reason: RejectReason | None = None
        if self._state is TradingState.EXCHANGE_PAUSED:
            reason = RejectReason.EXCHANGE_PAUSED
        elif group is None or group.owner != owner or group.subaccount != subaccount:
            reason = RejectReason.ORDER_GROUP_NOT_FOUND
        if reason is None:
            return group
        events.append(
            GroupRejected(
                action=action,
                group_id=group_id,
                owner=owner,
                subaccount=subaccount,
                reason=reason,
            )
        )
        return None

    def _execute(self, order: _Order, now: float) -> list[Event]:
        """Match an order that is not resting, then rest or cancel what is left of it."""
        market = self._markets[order.market]
        opposite = market.bids[order.side.opposite]
        best = opposite.best()
        crosses = best is not None and order.price + best >= ONE
        if order.post_only:
            if crosses:
                return [self._cancel(order, CancelReason.POST_ONLY_CROSS)]
            self._rest(order, market)
            return []

        plan = self._plan(order, opposite, now) if crosses else _Plan([], ZERO, ZERO, None)
        if order.time_in_force is TimeInForce.FOK or order.max_execution_cost is not None:
            if plan.filled < order.leaves_qty:
                return [self._cancel(order, CancelReason.FOK_INSUFFICIENT_VOLUME)]
            if order.max_execution_cost is not None and plan.cost > order.max_execution_cost:
                return [self._cancel(order, CancelReason.MAX_EXECUTION_COST)]

        events = self._commit(order, plan, now)
        if order.is_open:
            immediate = (
                order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK)
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

    def _plan(self, taker: _Order, opposite: _BookSide, now: float) -> _Plan:
        """Work out, without changing anything, what ``taker`` would do against the book.

        Fill-or-kill and maximum-cost orders look at the plan before committing to it.
        """
        steps: list[_Fill | _CancelMaker | _Trigger] = []
        remaining = taker.leaves_qty
        cost = ZERO
        stop: CancelReason | None = None
        headroom: dict[str, Decimal] = {}
        triggered: set[str] = set()
        taker_group = self._groups.get(taker.group_id) if taker.group_id is not None else None

        def room(group: _Group) -> Decimal:
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
                    steps.append(_CancelMaker(maker))
                    continue
                stop = CancelReason.TAKER_CANCEL_FOR_SELF_TRADE_PREVENTION
                break
            maker_group = self._groups.get(maker.group_id) if maker.group_id is not None else None
            groups = [g for g in (taker_group, maker_group) if g is not None]
            qty = min(remaining, maker.leaves_qty, *(room(g) for g in groups))
            steps.append(_Fill(maker, qty))
            remaining -= qty
            price = ONE - maker.price
            cost += qty * price + self._fee_model(taker.market, price, qty, Liquidity.TAKER)
            for group in groups:
                headroom[group.group_id] -= qty
                if headroom[group.group_id] <= 0:
                    steps.append(_Trigger(group))
                    triggered.add(group.group_id)
                    if group is taker_group:
                        stop = CancelReason.ORDER_GROUP_CANCEL
            if stop is not None:
                break
        return _Plan(steps, taker.leaves_qty - remaining, cost, stop)

    def _commit(self, taker: _Order, plan: _Plan, now: float) -> list[Event]:
        events: list[Event] = []
        for step in plan.steps:
            if isinstance(step, _Fill):
                events.extend(self._trade(taker, step.maker, step.qty, now))
            elif isinstance(step, _CancelMaker):
                events.append(
                    self._cancel(step.maker, CancelReason.MAKER_CANCEL_FOR_SELF_TRADE_PREVENTION)
                )
            else:
                events.extend(self._trigger(step.group, now, manual=False))
        return events

    def _trade(self, taker: _Order, maker: _Order, qty: Decimal, now: float) -> list[Event]:
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
            position = _position(net)
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

    def _trigger(self, group: _Group, now: float, *, manual: bool) -> list[Event]:
        group.triggered = True
        events: list[Event] = [GroupTriggered(group=group.state(now), manual=manual)]
        for order in list(group.members.values()):
            events.append(self._cancel(order, CancelReason.ORDER_GROUP_CANCEL))
        return events

    def _cancel(
        self, order: _Order, reason: CancelReason, *, client_id: str | None = None
    ) -> Cancelled:
        qty = order.leaves_qty
        order.leaves_qty = ZERO
        order.status = OrderStatus.CANCELED
        self._close(order)
        orig: str | None = None
        if client_id is not None:
            # Renamed only after closing: a cancel may reuse the ClOrdID of another open order
            # (it is never refused for that), and that order must keep its index entry.
            orig = order.client_id
            order.client_id = client_id
            self._last_by_client[order.owner, client_id] = order
        return Cancelled(order=order.state(), reason=reason, qty=qty, orig_client_id=orig)

    def _rest(self, order: _Order, market: _Market) -> None:
        market.bids[order.side].add(order)
        order.resting = True

    def _unrest(self, order: _Order) -> None:
        if order.resting:
            self._markets[order.market].bids[order.side].remove(order)
            order.resting = False

    def _rename(self, order: _Order, client_id: str) -> None:
        if self._open_by_client.get((order.owner, order.client_id)) is order:
            del self._open_by_client[order.owner, order.client_id]
        order.client_id = client_id
        self._open_by_client[order.owner, client_id] = order
        self._last_by_client[order.owner, client_id] = order

    def _close(self, order: _Order) -> None:
        """Take a filled or cancelled order out of the book and every index of open orders."""
        self._unrest(order)
        del self._open[order.order_id]
        if self._open_by_client.get((order.owner, order.client_id)) is order:
            del self._open_by_client[order.owner, order.client_id]
        if order.group_id is not None and order.group_id in self._groups:
            self._groups[order.group_id].members.pop(order.order_id, None)


def _position(net: Decimal) -> Position:
    return Position(long_qty=max(net, ZERO), short_qty=max(-net, ZERO))
