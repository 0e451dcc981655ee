"""Kalshi's RFQ messages (spec section 12) as typed, immutable events: what an RFQ's creator
receives on KalshiRT and a market maker on KalshiRFQ. :func:`fixwire.kalshi.events.from_message`
delivers them; each keeps the message it came from as ``message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fixwire._native import Message
from fixwire.kalshi.values import price, side_name
from fixwire.kalshi.venue import with_groups

__all__ = [
    "AcceptQuoteStatus",
    "Quote",
    "QuoteCancelStatus",
    "QuoteConfirmStatus",
    "QuoteRequest",
    "QuoteRequestAck",
    "QuoteRequestReject",
    "QuoteStatusReport",
    "RFQCancelStatus",
    "RfqEvent",
    "rfq_event",
]

_QUOTE_STATUS = {0: "accepted", 5: "rejected", 10: "pending", 17: "cancelled"}
_RFQ_CANCEL_STATUS = {0: "canceled", 1: "rejected", 2: "expired"}


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


RfqEvent = (
    QuoteRequest
    | QuoteRequestAck
    | QuoteRequestReject
    | Quote
    | QuoteStatusReport
    | QuoteCancelStatus
    | QuoteConfirmStatus
    | AcceptQuoteStatus
    | RFQCancelStatus
)


def rfq_event(msg: Message, dollars: bool) -> RfqEvent | None:
    """The typed event for an RFQ message, or None if ``msg`` is not one."""
    msg_type = msg.msg_type
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
            yes_price=price(msg, 132, dollars) or None,
            no_price=price(msg, 133, dollars) or None,
            accepted_side=side_name(msg.get(54)),
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
    return None
