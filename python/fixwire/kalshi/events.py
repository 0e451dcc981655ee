"""Kalshi's inbound application messages as typed, immutable events.

Prices are ``Decimal`` dollars whatever UseDollars <21005> says on the wire (cents are divided
by 100); quantities are ``Decimal`` contracts. Every event keeps the message it came from as
``message``.

Why this file is long: it is one thin, typed view per inbound message type of the venue (orders,
settlement, RFQ, market data), each a few lines, and :func:`from_message`, the one dispatch
that names them all. Split by flow, each part would import the others' dispatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from decimal import Decimal

from fixwire._native import Message
from fixwire.errors import DecodeError
from fixwire.kalshi.venue import with_groups

__all__ = [
    "AcceptQuoteStatus",
    "BookLevel",
    "BusinessMessageReject",
    "EventResendComplete",
    "EventResendReject",
    "ExecutionReport",
    "InvalidExecutionReport",
    "MarketDataEntry",
    "MarketDataIncrement",
    "MarketDataRequestReject",
    "MarketDataSnapshot",
    "MarketSettlementReport",
    "MassCancelReport",
    "OrderCancelReject",
    "OrderGroupResponse",
    "Quote",
    "QuoteCancelStatus",
    "QuoteConfirmStatus",
    "QuoteRequest",
    "QuoteRequestAck",
    "QuoteRequestReject",
    "QuoteStatusReport",
    "RFQCancelStatus",
    "SecurityStatus",
    "SettlementParty",
    "UnhandledMessage",
    "from_message",
]

_CENT = Decimal("0.01")
_TIME_OF_DAY = re.compile(r"\d\d:\d\d:\d\d(\.\d{1,9})?")
_ZERO = Decimal(0)


def _price(msg: Message, tag: int, dollars: bool) -> Decimal | None:
    value = msg.get_decimal(tag)
    if value is None or dollars:
        return value
    return value * _CENT


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
    def side(self) -> str:
        """Side <54>: ``"yes"`` or ``"no"``."""
        return "yes" if self.message[54] == "1" else "no"

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
        return _price(self.message, 6, self._dollars) or _ZERO

    @property
    def price(self) -> Decimal | None:
        """Price <44>, in dollars."""
        return _price(self.message, 44, self._dollars)

    @property
    def last_px(self) -> Decimal | None:
        """LastPx <31>, in dollars."""
        return _price(self.message, 31, self._dollars)

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


# RFQ (spec section 12).

_QUOTE_STATUS = {0: "accepted", 5: "rejected", 10: "pending", 17: "cancelled"}
_RFQ_CANCEL_STATUS = {0: "canceled", 1: "rejected", 2: "expired"}


def _yes_no(value: str | None) -> str | None:
    return {"1": "yes", "2": "no"}.get(value or "")


def _party_id(msg: Message) -> str | None:
    """PartyID <448> of the message's NoPartyIDs <453> entry (the only one Kalshi sends),
    read from the message itself or from the entry of its first group that holds one.
    """
    grouped = with_groups(msg)
    parties = grouped.group(453)
    if parties:
        return parties[0].get(448)
    for entry in grouped.group(146):
        nested = entry.group(453)
        if nested:
            return nested[0].get(448)
    return None


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """QuoteRequest <R> broadcast to market makers (KalshiRFQ): someone wants a quote.

    Attributes:
        rfq_id: QuoteReqID <131>, the server's RFQ id; quote against it.
        symbol: Symbol <55> of the NoRelatedSym <146> entry (None for a combo RFQ sized in
            dollars without a resolved ticker).
        quantity: OrderQty <38>, contracts, when sized in contracts.
        cash_quantity: CashOrderQty <152>, dollars, when sized by cost.
        requester_id: PartyID <448>, the requester's pseudonymous public id.
        collection: MultivariateCollectionTicker <20180>, on combo RFQs.
    """

    rfq_id: str
    symbol: str | None
    quantity: Decimal | None
    cash_quantity: Decimal | None
    requester_id: str | None
    collection: str | None
    message: Message

    @classmethod
    def from_message(cls, msg: Message) -> QuoteRequest:
        """Reads the broadcast, with its NoRelatedSym <146> entry."""
        entries = with_groups(msg).group(146)
        entry = entries[0] if entries else msg
        return cls(
            rfq_id=msg[131],
            symbol=entry.get(55),
            quantity=entry.get_decimal(38),
            cash_quantity=entry.get_decimal(152),
            requester_id=_party_id(msg),
            collection=msg.get(20180),
            message=msg,
        )


@dataclass(frozen=True, slots=True)
class QuoteRequestAck:
    """QuoteRequestAck <b>: the venue took an RFQ. Keep ``rfq_id`` (RfqId <21023>): quotes,
    acceptances and cancels refer to it.
    """

    quote_req_id: str
    rfq_id: str | None
    symbol: str | None
    exchange_index: int | None
    message: Message


@dataclass(frozen=True, slots=True)
class QuoteRequestReject:
    """QuoteRequestReject <AG>: an RFQ was refused (to its creator) or withdrawn (to makers).

    Attributes:
        quote_req_id: QuoteReqID <131>.
        reason: QuoteRequestRejectReason <658>: 1 unknown symbol, 3 exceeds limit, 11
            insufficient credit, 99 other (invalid combos too).
        text: Text <58>.
        validation_code: MVEValidationReasonCode <20187> on invalid combos:
            ``conflicting_leg_outcomes``, ``duplicated_legs``, ``invalid_market_combination``.
        offending_markets: MVEOffendingMarketTicker <20186> of each NoMVEOffendingLegs <20185>
            entry.
    """

    quote_req_id: str
    reason: int
    text: str | None
    validation_code: str | None
    offending_markets: tuple[str, ...]
    message: Message

    @classmethod
    def from_message(cls, msg: Message) -> QuoteRequestReject:
        """Reads the reject, with its NoMVEOffendingLegs <20185> group."""
        legs: tuple[str, ...] = ()
        if 20185 in msg:
            grouped = with_groups(msg)
            legs = tuple(e[20186] for e in grouped.group(20185) if 20186 in e)
        return cls(msg[131], msg.get_int(658, 99), msg.get(58), msg.get(20187), legs, msg)


@dataclass(frozen=True, slots=True)
class Quote:
    """Quote <S> notification to an RFQ's creator (KalshiRT): a maker's two-sided price.

    Accept it with :meth:`~fixwire.kalshi.KalshiClient.accept_quote`: side ``"yes"`` buys
    Yes at ``1 - no_price`` (taking the maker's No quote), ``"no"`` buys No at
    ``1 - yes_price``.

    Attributes:
        quote_id: QuoteID <117>.
        rfq_id: QuoteReqID <131>, the server's RFQ id.
        symbol: Symbol <55>.
        yes_price: BidPx <132>, dollars (always dollars on this message), the maker's Yes bid;
            None when the maker quoted No only.
        no_price: OfferPx <133>, dollars, the maker's No bid; None when not quoted.
        quantity: OrderQty <38>.
        yes_size: BidSize <134>.
        no_size: OfferSize <135>.
        quoter_id: PartyID <448> (PartyRole 35), the maker's public id.
    """

    quote_id: str
    rfq_id: str
    symbol: str
    yes_price: Decimal | None
    no_price: Decimal | None
    quantity: Decimal | None
    yes_size: Decimal | None
    no_size: Decimal | None
    quoter_id: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class QuoteStatusReport:
    """QuoteStatusReport <AI> to a maker: its quote is ``pending`` (live), ``accepted`` by the
    creator (confirm it within the window), ``rejected`` or ``cancelled``.

    Attributes:
        quote_id: QuoteID <117> (may be empty on a rejected quote).
        rfq_id: QuoteReqID <131>.
        status: QuoteStatus <297> by name; an undocumented code stays as its digits.
        quantity: OrderQty <38>, the RFQ's size.
        yes_price: BidPx <132>, dollars.
        no_price: OfferPx <133>, dollars.
        accepted_side: AcceptedSide <54>, ``"yes"`` or ``"no"``: the side of the quote the
            creator took (accepted reports only).
        text: Text <58>, the reason on a rejected report.
    """

    quote_id: str | None
    rfq_id: str
    status: str
    quantity: Decimal | None
    yes_price: Decimal | None
    no_price: Decimal | None
    accepted_side: str | None
    text: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class QuoteCancelStatus:
    """QuoteCancelStatus <U9>: ``canceled`` when QuoteCancelStatus <298> is 0, else the
    cancel was refused with ``text``.
    """

    quote_id: str
    canceled: bool
    text: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class QuoteConfirmStatus:
    """QuoteConfirmStatus <U8>: ``accepted`` when QuoteConfirmStatus <21010> (or, from older
    gateways, 297) is 0; executions follow as ExecutionReports.
    """

    quote_id: str
    accepted: bool
    text: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class AcceptQuoteStatus:
    """AcceptQuoteStatus <UC>: whether an AcceptQuote <UA> was taken (AcceptQuoteStatus
    <21025> = 0), the quote actually accepted (AcceptedQuoteId <21024>; differs with
    PreferBetterQuote), the ClOrdID <11> echoed, and the reason (``NOT_FOUND``, ``EXPIRED``).
    """

    quote_id: str
    accepted: bool
    accepted_quote_id: str | None
    cl_ord_id: str | None
    text: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class RFQCancelStatus:
    """RFQCancelStatus <UB>: ``status`` is ``canceled``, ``rejected`` or ``expired`` (the
    exchange closed the RFQ unasked) from RFQCancelStatus <21013>; ``quote_req_id`` echoes
    the id the cancel used.
    """

    quote_req_id: str
    status: str
    rfq_id: str | None
    text: str | None
    message: Message


# Market data (spec section 13).


@dataclass(frozen=True, slots=True)
class BookLevel:
    """One price level: MDEntryPx <270> in dollars on the Yes scale, MDEntrySize <271>."""

    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class MarketDataSnapshot:
    """MarketDataSnapshotFullRefresh <W>: one market's whole book, best level first.

    ``bids`` are the Yes bids (MDEntryType <269>=0); ``offers`` (269=1) are the asks on the
    Yes scale, which are the No bids. An unknown ticker gets an empty snapshot. ``time`` is
    the capture time, MDEntryDate/MDEntryTime <272>/<273> of the first entry (None when the
    venue sent none).
    """

    symbol: str
    bids: tuple[BookLevel, ...]
    offers: tuple[BookLevel, ...]
    message: Message
    time: datetime | None = None

    @classmethod
    def from_message(cls, msg: Message) -> MarketDataSnapshot:
        """Reads the NoMDEntries <268> group."""
        bids: list[BookLevel] = []
        offers: list[BookLevel] = []
        entries = with_groups(msg).group(268)
        for entry in entries:
            price = entry.get_decimal(270)
            if price is None:
                continue
            level = BookLevel(price, entry.get_decimal(271, _ZERO))
            entry_type = entry.get(269)
            if entry_type == "0":
                bids.append(level)
            elif entry_type == "1":
                offers.append(level)
        time = entry_time(entries[0]) if entries else None
        return cls(msg[55], tuple(bids), tuple(offers), msg, time)


def entry_time(entry: Message) -> datetime | None:
    """MDEntryDate <272> (``YYYYMMDD``) and MDEntryTime <273> (``HH:MM:SS.sss``) of a
    NoMDEntries <268> entry as one UTC time; None unless both are present.

    Raises:
        DecodeError: MDEntryTime <273> is not a time of day.
    """
    day = entry.get_date(272)
    clock = entry.get(273)
    if day is None or clock is None:
        return None
    if _TIME_OF_DAY.fullmatch(clock) is None:
        raise DecodeError(
            f"MDEntryTime <273> {clock!r} is not HH:MM:SS.sss", "invalid_value", 0, 273
        )
    try:
        return datetime.combine(day, time_of_day.fromisoformat(clock), UTC)
    except ValueError as e:
        raise DecodeError(
            f"MDEntryTime <273> {clock!r} is not a time of day", "invalid_value", 0, 273
        ) from e


_MD_ACTIONS = {"0": "new", "1": "change", "2": "delete"}
_MD_TYPES = {"0": "bid", "1": "offer", "2": "trade"}


@dataclass(frozen=True, slots=True)
class MarketDataEntry:
    """One NoMDEntries <268> entry of an incremental refresh.

    Attributes:
        action: MDUpdateAction <279>: ``new``, ``change`` or ``delete``.
        symbol: Symbol <55>.
        entry_type: MDEntryType <269>: ``bid``, ``offer`` or ``trade``.
        price: MDEntryPx <270>, dollars, Yes scale.
        size: MDEntrySize <271>: the level's new total (level-replace), or the trade's size.
        aggressor_side: AggressorSide <2446> on trades: ``"yes"`` (1, buy) or ``"no"`` (2).
        time: MDEntryDate/MDEntryTime <272>/<273>, the source event's time (UTC); None
            when absent (the margin gateway sends neither).
    """

    action: str
    symbol: str | None
    entry_type: str
    price: Decimal | None
    size: Decimal
    aggressor_side: str | None
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class MarketDataIncrement:
    """MarketDataIncrementalRefresh <X>: level changes and trades, in order."""

    entries: tuple[MarketDataEntry, ...]
    message: Message

    @classmethod
    def from_message(cls, msg: Message) -> MarketDataIncrement:
        """Reads the NoMDEntries <268> group."""
        entries = []
        for entry in with_groups(msg).group(268):
            action, entry_type = entry.get(279, ""), entry.get(269, "")
            entries.append(
                MarketDataEntry(
                    _MD_ACTIONS.get(action, action),
                    entry.get(55),
                    _MD_TYPES.get(entry_type, entry_type),
                    entry.get_decimal(270),
                    entry.get_decimal(271, _ZERO),
                    _yes_no(entry.get(2446)),
                    entry_time(entry),
                )
            )
        return cls(tuple(entries), msg)


@dataclass(frozen=True, slots=True)
class MarketDataRequestReject:
    """MarketDataRequestReject <Y>: MDReqRejReason <281> (``2`` symbol limits, ``4``
    unsupported SubscriptionRequestType) and Text <58>.
    """

    reason: str | None
    text: str | None
    message: Message


_SECURITY_STATUS = {3: "active", 2: "halted", 100: "determined", 101: "settled"}


@dataclass(frozen=True, slots=True)
class SecurityStatus:
    """SecurityStatus <f>: a market's trading status changed (changes only, no initial state).

    ``status`` is SecurityTradingStatus <326> by name: ``active`` (3), ``halted`` (2),
    ``determined`` (100), ``settled`` (101, after which the subscription is dropped).
    """

    symbol: str
    status: str
    message: Message


@dataclass(frozen=True, slots=True)
class InvalidExecutionReport:
    """An ExecutionReport <8> that breaks the venue's own invariants, delivered instead of an
    :class:`ExecutionReport` and never applied to ``KalshiClient.orders``
    (``KalshiClient.invalid_reports`` counts them): a price outside (0, 1) dollars (on margin,
    not above 0), a negative quantity, CumQty + LeavesQty not OrderQty, a bad value, a missing tag.

    Attributes:
        problem: What is wrong, naming the field.
        cl_ord_id: ClOrdID <11> as it came, if present.
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
    | QuoteRequest
    | QuoteRequestAck
    | QuoteRequestReject
    | Quote
    | QuoteStatusReport
    | QuoteCancelStatus
    | QuoteConfirmStatus
    | AcceptQuoteStatus
    | RFQCancelStatus
    | MarketDataSnapshot
    | MarketDataIncrement
    | MarketDataRequestReject
    | SecurityStatus
    | InvalidExecutionReport
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
    return _rfq_or_market_data(msg, dollars)


def _rfq_or_market_data(msg: Message, dollars: bool) -> KalshiEvent:
    msg_type = msg.msg_type
    if msg_type == "X":
        return MarketDataIncrement.from_message(msg)
    if msg_type == "W":
        return MarketDataSnapshot.from_message(msg)
    if msg_type == "R":
        return QuoteRequest.from_message(msg)
    if msg_type == "b":
        return QuoteRequestAck(msg[131], msg.get(21023), msg.get(55), msg.get_int(100), msg)
    if msg_type == "AG":
        return QuoteRequestReject.from_message(msg)
    if msg_type == "S":
        # The creator's notification: prices are dollars whatever UseDollars says.
        return Quote(
            quote_id=msg[117],
            rfq_id=msg[131],
            symbol=msg[55],
            yes_price=msg.get_decimal(132) or None,
            no_price=msg.get_decimal(133) or None,
            quantity=msg.get_decimal(38),
            yes_size=msg.get_decimal(134),
            no_size=msg.get_decimal(135),
            quoter_id=_party_id(msg),
            message=msg,
        )
    if msg_type == "AI":
        code = msg.get_int(297, -1)
        return QuoteStatusReport(
            quote_id=msg.get(117),
            rfq_id=msg[131],
            status=_QUOTE_STATUS.get(code, str(code)),
            quantity=msg.get_decimal(38),
            yes_price=_price(msg, 132, dollars) or None,
            no_price=_price(msg, 133, dollars) or None,
            accepted_side=_yes_no(msg.get(54)),
            text=msg.get(58),
            message=msg,
        )
    if msg_type == "U9":
        return QuoteCancelStatus(msg[117], msg.get_int(298, 1) == 0, msg.get(58), msg)
    if msg_type == "U8":
        status = msg.get_int(21010)
        if status is None:
            status = msg.get_int(297, 1)  # Gateways before v1.0.17.
        return QuoteConfirmStatus(msg[117], status == 0, msg.get(58), msg)
    if msg_type == "UC":
        return AcceptQuoteStatus(
            msg[117], msg.get_int(21025, 1) == 0, msg.get(21024), msg.get(11), msg.get(58), msg
        )
    if msg_type == "UB":
        code = msg.get_int(21013, -1)
        return RFQCancelStatus(
            msg[131], _RFQ_CANCEL_STATUS.get(code, str(code)), msg.get(21023), msg.get(58), msg
        )
    if msg_type == "Y":
        return MarketDataRequestReject(msg.get(281), msg.get(58), msg)
    if msg_type == "f":
        code = msg.get_int(326, -1)
        return SecurityStatus(msg[55], _SECURITY_STATUS.get(code, str(code)), msg)
    return UnhandledMessage(msg)
