"""The matching engine's vocabulary: sides and the Yes scale, order instructions, the venue's
reason texts with their FIX codes, tick bands, the fee hook, and the argument checks.

See :mod:`fixwire.kalshi.sim.matching` for the engine's theory of operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import Final, Protocol

# The order vocabulary the client writes lives in kalshi.venue; the engine speaks it too.
from fixwire.kalshi.venue import GroupAction as GroupAction
from fixwire.kalshi.venue import SelfTradePrevention as SelfTradePrevention
from fixwire.kalshi.venue import Side as Side
from fixwire.kalshi.venue import TimeInForce as TimeInForce

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

    # Members are singletons compared by identity: the identity hash (in C) serves as well as
    # Enum's hash of the name (a Python call); reports look codes up by status.
    __hash__ = object.__hash__


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
    EXPIRED = "EXPIRED"
    """The RFQ quote a NewOrderSingle <D> with QuoteID <117> would take is gone."""
    TOO_MANY_ORDER_GROUPS = "TOO_MANY_ORDER_GROUPS"
    """A Create past the owner's ``max_group_bytes`` (the simulator's text: the spec has none)."""
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    """A new order past the owner's ``max_open_order_bytes``: the venue's answer when a key's
    balance cannot hold another open order, which the cap stands in for."""

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
    RejectReason.EXPIRED: 8,
    RejectReason.TOO_MANY_ORDER_GROUPS: 3,
    RejectReason.INSUFFICIENT_BALANCE: 3,
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
        reports as ExecType <150> = C and OrdStatus <39> = C.
        """
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
    (on a cancel/replace) and INSUFFICIENT_BALANCE (on a cancel/replace: the venue documents it for
    new orders only) are the engine's. :attr:`cxl_rej_reason` is CxlRejReason <102>.
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
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    """The order would answer to one more ClOrdID <11> past its owner's
    ``max_open_order_bytes`` (the venue's text for a new order's; 102=99, Other)."""

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
    CancelRejectReason.INSUFFICIENT_BALANCE: 99,
}


# --------------------------------------------------------------------------------------------
# Argument checks (the caller's bugs, not venue answers)
# --------------------------------------------------------------------------------------------

#: The Decimals :func:`check_price` passed, and those :func:`check_qty` passed unchanged, each
#: check its own, by ``id``: each object is kept, so no other takes its id while it is
#: remembered. The simulator hands the engine the same few remembered prices and quantities
#: with every order, which so skip the arithmetic of their checks. At most
#: :data:`_MAX_CHECKED` each, then all forgotten.
_checked_prices: dict[int, Decimal] = {}
_checked_qtys: dict[int, Decimal] = {}
_MAX_CHECKED = 4096


def _passed(checked: dict[int, Decimal], value: Decimal) -> None:
    """Remembers in ``checked`` that ``value`` passed its check."""
    if len(checked) >= _MAX_CHECKED:
        checked.clear()
    checked[id(value)] = value


def check_price(price: object, what: str = "price") -> Decimal:
    """``price`` if a Decimal strictly between 0 and 1 of at most 4 decimals, else an error."""
    known = _checked_prices.get(id(price))
    if known is not None and known is price:
        return known
    if not isinstance(price, Decimal):
        raise TypeError(f"{what} must be a decimal.Decimal, not {type(price).__name__}")
    if not price.is_finite() or not ZERO < price < ONE:
        raise ValueError(f"{what} {price} is out of band: it must lie strictly between 0 and 1")
    if price % PRICE_QUANTUM != 0:
        raise ValueError(f"{what} {price} has more than four decimal places")
    _passed(_checked_prices, price)
    return price


def check_qty(qty: object, what: str = "quantity") -> Decimal:
    """``qty`` (a Decimal or int) as a positive Decimal, else an error naming ``what``."""
    known = _checked_qtys.get(id(qty))
    if known is not None and known is qty:
        return known
    # A tuple, not ``Decimal | int``: that makes a union object on every call.
    if isinstance(qty, bool) or not isinstance(qty, (Decimal, int)):
        raise TypeError(f"{what} must be a decimal.Decimal or int, not {type(qty).__name__}")
    value = Decimal(qty)
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what} must be positive, got {qty}")
    if value is qty:
        _passed(_checked_qtys, value)
    return value


def check_subaccount(subaccount: int) -> None:
    """Raises ``ValueError`` for a subaccount outside 0 to MAX_SUBACCOUNT."""
    if not 0 <= subaccount <= MAX_SUBACCOUNT:
        raise ValueError(f"subaccount must be 0 to {MAX_SUBACCOUNT}, got {subaccount}")


def check_limit(limit: int) -> None:
    """Raises for an order-group limit that is not an int from 1 to MAX_GROUP_LIMIT."""
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
        check_price(self.low, "band low")
        check_price(self.high, "band high")
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
        # (hex and zfill cost less than a format specification, parsed on every call)
        return "00000000-0000-4000-8000-" + hex(self._count)[2:].zfill(12)
