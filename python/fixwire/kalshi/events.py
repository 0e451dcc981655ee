"""Kalshi's inbound application messages as typed, immutable events.

Prices are ``Decimal`` dollars whatever UseDollars <21005> says on the wire (cents are divided
by 100); quantities are ``Decimal`` contracts. Every event keeps the message it came from as
``message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from fixwire._native import GroupSpecs, Message, parse

__all__ = [
    "BusinessMessageReject",
    "EventResendComplete",
    "EventResendReject",
    "ExecutionReport",
    "MarketSettlementReport",
    "MassCancelReport",
    "OrderCancelReject",
    "OrderGroupResponse",
    "SettlementParty",
    "UnhandledMessage",
    "from_message",
]

_CENT = Decimal("0.01")


def _price(msg: Message, tag: int, dollars: bool) -> Decimal | None:
    value = msg.get_decimal(tag)
    if value is None or dollars:
        return value
    return value * _CENT


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    """ExecutionReport <8>: an order's acknowledgement, fill, cancel, replace or reject.

    Attributes:
        cl_ord_id: ClOrdID <11> of the last message that changed the order.
        order_id: OrderID <37>.
        exec_id: ExecID <17> (``-1;-1`` on pending reports).
        exec_type: ExecType <150>: ``0`` new, ``F`` trade, ``4`` canceled, ``5`` replaced, ``8``
            rejected, ``C`` expired, ``A``/``6``/``E`` pending.
        ord_status: OrdStatus <39>.
        symbol: Symbol <55>, the market ticker.
        side: ``"yes"`` (Side <54>=1) or ``"no"`` (2).
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
        message: The ExecutionReport itself.
    """

    cl_ord_id: str
    order_id: str
    exec_id: str
    exec_type: str
    ord_status: str
    symbol: str
    side: str
    order_qty: Decimal
    cum_qty: Decimal
    leaves_qty: Decimal
    avg_px: Decimal
    price: Decimal | None
    last_px: Decimal | None
    last_qty: Decimal | None
    orig_cl_ord_id: str | None
    text: str | None
    ord_rej_reason: int | None
    transact_time: datetime | None
    long_qty: Decimal | None
    short_qty: Decimal | None
    fees: Decimal | None
    aggressor: bool | None
    message: Message

    @property
    def outcome_unknown(self) -> bool:
        """A reject with Text EXCHANGE_UNAVAILABLE: the order may or may not exist. Retry with
        the same ClOrdID <11>, or reconcile (spec section 7.7)."""
        return self.exec_type == "8" and self.text == "EXCHANGE_UNAVAILABLE"

    @classmethod
    def from_message(cls, msg: Message, dollars: bool) -> ExecutionReport:
        """Reads an ExecutionReport; ``dollars`` is the session's UseDollars <21005>."""
        fees = msg.get_all(137)
        return cls(
            cl_ord_id=msg[11],
            order_id=msg[37],
            exec_id=msg[17],
            exec_type=msg[150],
            ord_status=msg[39],
            symbol=msg[55],
            side="yes" if msg[54] == "1" else "no",
            order_qty=msg.get_decimal(38, Decimal(0)),
            cum_qty=msg.get_decimal(14, Decimal(0)),
            leaves_qty=msg.get_decimal(151, Decimal(0)),
            avg_px=_price(msg, 6, dollars) or Decimal(0),
            price=_price(msg, 44, dollars),
            last_px=_price(msg, 31, dollars),
            last_qty=msg.get_decimal(32),
            orig_cl_ord_id=msg.get(41),
            text=msg.get(58),
            ord_rej_reason=msg.get_int(103),
            transact_time=msg.get_time(60),
            long_qty=msg.get_decimal(704),
            short_qty=msg.get_decimal(705),
            fees=sum((Decimal(f) for f in fees), Decimal(0)) if fees else None,
            aggressor=msg.get_bool(1057),
            message=msg,
        )


@dataclass(frozen=True, slots=True)
class OrderCancelReject:
    """OrderCancelReject <9>: a cancel (``response_to`` 1) or cancel/replace (2) failed; the
    order is unchanged. ``reason`` is CxlRejReason <102>, ``text`` the venue's code."""

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
    group errors, listener restrictions, unsupported MsgType)."""

    ref_seq_num: int | None
    ref_msg_type: str | None
    reason: int
    text: str | None
    message: Message

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
    cancel ExecutionReports follow."""

    cl_ord_id: str
    accepted: bool
    reject_reason: int | None
    message: Message


@dataclass(frozen=True, slots=True)
class EventResendComplete:
    """EventResendComplete <U2>: a drop-copy replay ended; ``count`` reports were replayed
    (ResendEventCount <21003>) for the EventResendRequest sent as ``ref_seq_num``."""

    ref_seq_num: int | None
    count: int
    message: Message


@dataclass(frozen=True, slots=True)
class EventResendReject:
    """EventResendReject <U3>: a drop-copy replay was refused. ``reason`` is
    EventResendRejectReason <21004>: 1 too many requests, 2 server error, 3 BeginExecID too
    old, 4 EndExecID too large."""

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
        grouped = parse(msg.raw, groups=GroupSpecs.kalshi())
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
    | UnhandledMessage
)


def from_message(msg: Message, dollars: bool) -> KalshiEvent:
    """The typed event for one inbound application message."""
    msg_type = msg.msg_type
    if msg_type == "8":
        return ExecutionReport.from_message(msg, dollars)
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
    return UnhandledMessage(msg)
