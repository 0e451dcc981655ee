"""Kalshi's inbound application messages as typed, immutable events, and the one dispatch that
reads them.

Prices are ``Decimal`` dollars whatever UseDollars <21005> says on the wire (cents are divided
by 100); quantities are ``Decimal`` contracts. Every event keeps the message it came from as
``message``. This module holds the order-entry, drop-copy and settlement events and
:func:`from_message`; the RFQ events are in :mod:`fixwire.kalshi.rfq_events` and the market-data
events in :mod:`fixwire.kalshi.market_data_events`, each with the reader of its flow that
:func:`from_message` asks in turn (all are published in :mod:`fixwire.kalshi`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from fixwire._native import Message
from fixwire.kalshi.market_data_events import MarketDataEvent, market_data_event
from fixwire.kalshi.rfq_events import RfqEvent, rfq_event
from fixwire.kalshi.values import price, side_name
from fixwire.kalshi.venue import with_groups

__all__ = [
    "BusinessMessageReject",
    "EventResendComplete",
    "EventResendReject",
    "ExecutionReport",
    "InvalidExecutionReport",
    "MarketSettlementReport",
    "MassCancelReport",
    "OrderCancelReject",
    "OrderGroupResponse",
    "SettlementParty",
    "UnhandledMessage",
    "from_message",
]

_ZERO = Decimal(0)


class ExecutionReport:
    """ExecutionReport <8>: an order's acknowledgement, fill, cancel, replace or reject.

    A lazy, immutable view: each attribute is read from the message when asked for, so an
    event costs almost nothing to make and a reader pays only for what it reads.

    Attributes:
        cl_ord_id: ClOrdID <11> of the last message that changed the order.
        order_id: OrderID <37>.
        exec_id: ExecID <17> (``-1;-1`` on pending reports).
        exec_type: ExecType <150>: ``0`` new, ``F`` trade, ``4`` canceled, ``5`` replaced, ``8``
            rejected, ``C`` expired, ``A``/``6``/``E`` pending.
        ord_status: OrdStatus <39>.
        symbol: Symbol <55>, the market ticker.
        side: ``"yes"`` (Side <54>=1) or ``"no"`` (2); None for any other code (such a
            report breaks the venue's invariants: the client delivers it as an
            :class:`InvalidExecutionReport`).
        order_qty: OrderQty <38>.
        cum_qty: CumQty <14>.
        leaves_qty: LeavesQty <151>.
        avg_px: AvgPx <6>, dollars.
        price: Price <44>, dollars, when present.
        last_px: LastPx <31>, dollars, on trades.
        last_qty: LastQty <32>, on trades.
        orig_cl_ord_id: OrigClOrdID <41>, on replaces and cancels.
        text: Text <58>, the venue's reason code (spec section 7.7).
        ord_rej_reason: OrdRejReason <103>, on rejects.
        transact_time: TransactTime <60>.
        long_qty: LongQty <704>, net Yes position after a trade.
        short_qty: ShortQty <705>, net No position after a trade.
        fees: MiscFeeAmt <137> entries summed, dollars, on trades.
        aggressor: AggressorIndicator <1057>: whether this side took liquidity.
        last_mkt: LastMkt <30>, the exchange shard that produced the report (exchange-made
            reports only).
        party_id: PartyID <448>, the FCM customer the order is for, when echoed.
        message: The ExecutionReport itself.
    """

    __slots__ = ("_dollars", "message")

    message: Message
    _dollars: bool

    def __init__(self, message: Message, dollars: bool) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "_dollars", dollars)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ExecutionReport is immutable; cannot set {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExecutionReport):
            return NotImplemented
        return self.message == other.message and self._dollars == other._dollars

    def __hash__(self) -> int:
        return hash(self.message)

    def __repr__(self) -> str:
        return (
            f"ExecutionReport(cl_ord_id={self.cl_ord_id!r}, exec_type={self.exec_type!r}, "
            f"ord_status={self.ord_status!r}, symbol={self.symbol!r}, side={self.side!r}, "
            f"cum_qty={self.cum_qty}, leaves_qty={self.leaves_qty}, text={self.text!r})"
        )

    @classmethod
    def from_message(cls, msg: Message, dollars: bool) -> ExecutionReport:
        """An ExecutionReport view of ``msg``; ``dollars`` is the session's UseDollars <21005>."""
        return cls(msg, dollars)

    @property
    def cl_ord_id(self) -> str:
        """ClOrdID <11>."""
        return self.message[11]

    @property
    def order_id(self) -> str:
        """OrderID <37>."""
        return self.message[37]

    @property
    def exec_id(self) -> str:
        """ExecID <17>."""
        return self.message[17]

    @property
    def exec_type(self) -> str:
        """ExecType <150>."""
        return self.message[150]

    @property
    def ord_status(self) -> str:
        """OrdStatus <39>."""
        return self.message[39]

    @property
    def symbol(self) -> str:
        """Symbol <55>."""
        return self.message[55]

    @property
    def side(self) -> str | None:
        """Side <54>: ``"yes"`` or ``"no"``; None for another code."""
        return side_name(self.message[54])

    @property
    def order_qty(self) -> Decimal:
        """OrderQty <38>."""
        return self.message.get_decimal(38, _ZERO)

    @property
    def cum_qty(self) -> Decimal:
        """CumQty <14>."""
        return self.message.get_decimal(14, _ZERO)

    @property
    def leaves_qty(self) -> Decimal:
        """LeavesQty <151>."""
        return self.message.get_decimal(151, _ZERO)

    @property
    def avg_px(self) -> Decimal:
        """AvgPx <6>, in dollars."""
        return price(self.message, 6, self._dollars) or _ZERO

    @property
    def price(self) -> Decimal | None:
        """Price <44>, in dollars."""
        return price(self.message, 44, self._dollars)

    @property
    def last_px(self) -> Decimal | None:
        """LastPx <31>, in dollars."""
        return price(self.message, 31, self._dollars)

    @property
    def last_qty(self) -> Decimal | None:
        """LastQty <32>."""
        return self.message.get_decimal(32)

    @property
    def orig_cl_ord_id(self) -> str | None:
        """OrigClOrdID <41>."""
        return self.message.get(41)

    @property
    def text(self) -> str | None:
        """Text <58>."""
        return self.message.get(58)

    @property
    def ord_rej_reason(self) -> int | None:
        """OrdRejReason <103>."""
        return self.message.get_int(103)

    @property
    def transact_time(self) -> datetime | None:
        """TransactTime <60>."""
        return self.message.get_time(60)

    @property
    def long_qty(self) -> Decimal | None:
        """LongQty <704>."""
        return self.message.get_decimal(704)

    @property
    def short_qty(self) -> Decimal | None:
        """ShortQty <705>."""
        return self.message.get_decimal(705)

    @property
    def fees(self) -> Decimal | None:
        """The fees: the sum of every MiscFeeAmt <137> entry, or None without any."""
        fees = self.message.get_all(137)
        return sum((Decimal(f) for f in fees), _ZERO) if fees else None

    @property
    def balance_change(self) -> Decimal | None:
        """CollateralAmountChange <1704> of the BALANCE entry of NoCollateralAmountChanges
        <1703> (dollars), or None without one.
        """
        for entry in with_groups(self.message).group(1703):
            if entry.get(1705) == "BALANCE":
                return entry.get_decimal(1704)
        return None

    @property
    def single_market_collateral_return(self) -> Decimal | None:
        """SingleMarketCollateralReturn <21030>, dollars (with SplitCollateralReturn)."""
        return self.message.get_decimal(21030)

    @property
    def ranged_market_collateral_return(self) -> Decimal | None:
        """RangedMarketCollateralReturn <21031>, dollars (with SplitCollateralReturn)."""
        return self.message.get_decimal(21031)

    @property
    def aggressor(self) -> bool | None:
        """AggressorIndicator <1057>."""
        return self.message.get_bool(1057)

    @property
    def last_mkt(self) -> str | None:
        """LastMkt <30>."""
        return self.message.get(30)

    @property
    def party_id(self) -> str | None:
        """PartyID <448>."""
        return self.message.get(448)

    @property
    def outcome_unknown(self) -> bool:
        """A reject with Text EXCHANGE_UNAVAILABLE: the order may or may not exist. Retry with
        the same ClOrdID <11>, or reconcile (spec section 7.7).
        """
        return self.exec_type == "8" and self.text == "EXCHANGE_UNAVAILABLE"


_new_object = object.__new__
# The slots' own setters (ExecutionReport.__setattr__ refuses every assignment).
_set_message = ExecutionReport.__dict__["message"].__set__
_set_dollars = ExecutionReport.__dict__["_dollars"].__set__
_R = TypeVar("_R", bound=ExecutionReport)


@dataclass(frozen=True, slots=True)
class OrderCancelReject:
    """OrderCancelReject <9>: a cancel (``response_to`` 1) or cancel/replace (2) failed; the
    order is unchanged. ``reason`` is CxlRejReason <102>, ``text`` the venue's code.
    """

    cl_ord_id: str
    orig_cl_ord_id: str | None
    order_id: str
    ord_status: str
    response_to: str
    reason: int | None
    text: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class BusinessMessageReject:
    """BusinessMessageReject <j>: refused before reaching the exchange (rate limit 380=8, order
    group errors, listener restrictions, unsupported MsgType). ``cl_ord_id`` is the ClOrdID
    <11> of the order request RefSeqNum <45> names, when it names one: that order is closed as
    rejected in ``KalshiClient.orders``.
    """

    ref_seq_num: int | None
    ref_msg_type: str | None
    reason: int
    text: str | None
    message: Message
    cl_ord_id: str | None = None

    @property
    def rate_limited(self) -> bool:
        """BusinessRejectReason <380>=8: the venue throttled the request."""
        return self.reason == 8


@dataclass(frozen=True, slots=True)
class OrderGroupResponse:
    """OrderGroupResponse <UOH>: the group's id, and its limit on create and update."""

    order_group_id: str
    contracts_limit: int | None
    subaccount: int | None
    message: Message


@dataclass(frozen=True, slots=True)
class MassCancelReport:
    """OrderMassCancelReport <r>: ``accepted`` when MassCancelResponse <531> is 6; individual
    cancel ExecutionReports follow.
    """

    cl_ord_id: str
    accepted: bool
    reject_reason: int | None
    message: Message


@dataclass(frozen=True, slots=True)
class EventResendComplete:
    """EventResendComplete <U2>: a drop-copy replay ended; ``count`` reports were replayed
    (ResendEventCount <21003>) for the EventResendRequest sent as ``ref_seq_num``.
    """

    ref_seq_num: int | None
    count: int
    message: Message


@dataclass(frozen=True, slots=True)
class EventResendReject:
    """EventResendReject <U3>: a drop-copy replay was refused. ``reason`` is
    EventResendRejectReason <21004>: 1 too many requests, 2 server error, 3 BeginExecID too
    old, 4 EndExecID too large.
    """

    ref_seq_num: int | None
    reason: int
    message: Message


@dataclass(frozen=True, slots=True)
class SettlementParty:
    """One account in a MarketSettlementReport: its positions, payout and fee, dollars."""

    party_id: str
    long_qty: Decimal | None
    short_qty: Decimal | None
    payout: Decimal | None
    fee: Decimal | None


@dataclass(frozen=True, slots=True)
class MarketSettlementReport:
    """MarketSettlementReport <UMS>: how a market settled, one page of a batch.

    Attributes:
        report_id: MarketSettlementReportID <20105>, unique per page.
        symbol: Symbol <55>; stitch pages by it.
        business_date: ClearingBusinessDate <715>.
        result: MarketResult <20107>: ``yes``, ``no`` or ``scalar``.
        settlement_price: SettlementPrice <730>, in cents (up to 2 decimals), as the venue
            sends it whatever UseDollars says.
        last_fragment: LastFragment <893>: no more pages follow.
        parties: The NoMarketSettlementPartyIDs <20108> entries.
    """

    report_id: str
    symbol: str
    business_date: date | None
    result: str
    settlement_price: Decimal
    last_fragment: bool
    parties: tuple[SettlementParty, ...]
    message: Message

    @classmethod
    def from_message(cls, msg: Message) -> MarketSettlementReport:
        """Reads a report, with its nested groups."""
        grouped = with_groups(msg)
        parties = []
        for entry in grouped.group(20108):
            payouts = entry.group(1703)
            fees = entry.group(136)
            parties.append(
                SettlementParty(
                    entry[20109],
                    entry.get_decimal(704),
                    entry.get_decimal(705),
                    payouts[0].get_decimal(1704) if payouts else None,
                    fees[0].get_decimal(137) if fees else None,
                )
            )
        return cls(
            report_id=msg[20105],
            symbol=msg[55],
            business_date=msg.get_date(715),
            result=msg[20107],
            settlement_price=msg.get_decimal(730, Decimal(0)),
            last_fragment=bool(msg.get_bool(893, default=True)),
            parties=tuple(parties),
            message=msg,
        )


@dataclass(frozen=True, slots=True)
class InvalidExecutionReport:
    """An ExecutionReport <8> that breaks the venue's own invariants, delivered instead of an
    :class:`ExecutionReport` and never applied to ``KalshiClient.orders``
    (``KalshiClient.invalid_reports`` counts them): a price outside (0, 1) dollars (on margin,
    not above 0), a negative quantity, CumQty + LeavesQty not OrderQty, a bad value, a missing tag.

    Attributes:
        problem: What is wrong, naming the field.
        cl_ord_id: ClOrdID <11> as it came, if present and UTF-8.
        message: The report as it came.
    """

    problem: str
    cl_ord_id: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class UnhandledMessage:
    """An application message this client has no type for (delivered as it came)."""

    message: Message


KalshiEvent = (
    ExecutionReport
    | OrderCancelReject
    | BusinessMessageReject
    | OrderGroupResponse
    | MassCancelReport
    | EventResendComplete
    | EventResendReject
    | MarketSettlementReport
    | RfqEvent
    | MarketDataEvent
    | InvalidExecutionReport
    | UnhandledMessage
)


def new_report(cls: type[_R], msg: Message, dollars: bool) -> _R:
    """``cls(msg, dollars)`` (an :class:`ExecutionReport` or subclass) without calling its
    ``__init__`` (a Python call, and an ``object.__setattr__`` call per slot): the two slots set
    by their descriptors.
    """
    report = _new_object(cls)
    _set_message(report, msg)
    _set_dollars(report, dollars)
    return report


def from_message(msg: Message, dollars: bool) -> KalshiEvent:
    """The typed event for one inbound application message."""
    msg_type = msg.msg_type
    if msg_type == "8":
        # new_report(ExecutionReport, msg, dollars), unfolded: every report comes this way.
        report = _new_object(ExecutionReport)
        _set_message(report, msg)
        _set_dollars(report, dollars)
        return report
    if msg_type == "9":
        return OrderCancelReject(
            msg[11], msg.get(41), msg[37], msg[39], msg[434], msg.get_int(102), msg.get(58), msg
        )
    if msg_type == "j":
        return BusinessMessageReject(
            msg.get_int(45), msg.get(372), msg.get_int(380, 0), msg.get(58), msg
        )
    if msg_type == "UOH":
        return OrderGroupResponse(msg[20130], msg.get_int(20132), msg.get_int(79), msg)
    if msg_type == "r":
        return MassCancelReport(msg[11], msg.get(531) == "6", msg.get_int(532), msg)
    if msg_type == "U2":
        return EventResendComplete(msg.get_int(45), msg.get_int(21003, 0), msg)
    if msg_type == "U3":
        return EventResendReject(msg.get_int(45), msg.get_int(21004, 0), msg)
    if msg_type == "UMS":
        return MarketSettlementReport.from_message(msg)
    event: KalshiEvent | None = rfq_event(msg, dollars)
    if event is None:
        event = market_data_event(msg)
    return UnhandledMessage(msg) if event is None else event
