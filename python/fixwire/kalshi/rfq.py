"""The Kalshi client's RFQ requests (spec section 12): the creator's on KalshiRT, the market
maker's on KalshiRFQ.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fixwire.kalshi.base import ClientBase
from fixwire.kalshi.orders import OrderState
from fixwire.kalshi.rules import (
    SIDES,
    check_cl_ord_id,
    check_price,
    check_quantity,
    check_side,
    check_symbol,
    party_group,
)
from fixwire.kalshi.venue import SessionType
from fixwire.session.config import FieldValue


class RfqRequests(ClientBase):
    """RFQ as creator (KalshiRT) and as market maker (KalshiRFQ), spec section 12."""

    # RFQ, creator side (KalshiRT).

    def request_quote(
        self,
        symbol: str,
        quantity: Decimal | int | str,
        *,
        quote_req_id: str | None = None,
        rest_remainder: bool = False,
        replace_existing: bool = False,
        subaccount: int | None = None,
        party_id: str | None = None,
    ) -> str:
        """Asks market makers for quotes (QuoteRequest <R>, KalshiRT); returns QuoteReqID <131>.

        The venue answers QuoteRequestAck <b> with the server's RfqId <21023> (keep it) or
        QuoteRequestReject <AG>; quotes arrive as :class:`~fixwire.kalshi.Quote` events.
        RestRemainder <21015> and ReplaceExisting <21016> are written inside the NoRelatedSym
        <146> entry, where the venue reads them (outside it they are silently dropped).

        Args:
            symbol: Market ticker, Symbol <55> (the entry's first field).
            quantity: Contracts, OrderQty <38>, in steps of 0.01.
            quote_req_id: Your id; a UUID-shaped one is made when omitted.
            rest_remainder: RestRemainder <21015>=Y.
            replace_existing: ReplaceExisting <21016>=Y: close your older RFQs (the venue
                keeps your newest, at most two open including this one).
            subaccount: AllocAccount <79>, 0-63.
            party_id: For an FCM: the customer's PartyID <448>, in a NoPartyIDs <453> group
                inside the NoRelatedSym <146> entry (spec section 12).

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "QuoteRequest <R>", margin=False)
        check_symbol(symbol)
        qty = check_quantity(quantity)
        request_id = (
            self._new_id()
            if quote_req_id is None
            else check_cl_ord_id(quote_req_id, "quote_req_id")
        )
        entry: list[tuple[int, FieldValue]] = [(55, symbol), (38, qty)]
        if rest_remainder:
            entry.append((21015, "Y"))
        if replace_existing:
            entry.append((21016, "Y"))
        entry += party_group(party_id)
        fields: list[tuple[int, FieldValue]] = [(131, request_id), (146, [entry])]
        fields += self._subaccount(subaccount)
        self._send("R", fields)
        return request_id

    def request_combo_quote(
        self,
        collection: str,
        legs: Sequence[tuple[str, str, str]],
        *,
        quantity: Decimal | int | str | None = None,
        cash_quantity: Decimal | int | str | None = None,
        quote_req_id: str | None = None,
        rest_remainder: bool = False,
        replace_existing: bool = False,
        subaccount: int | None = None,
    ) -> str:
        """Asks for quotes on a combo (multivariate) market (QuoteRequest <R>, KalshiRT);
        returns QuoteReqID <131>. The QuoteRequestAck <b> names the resolved combo ticker.

        The NoRelatedSym <146> entry has no Symbol: OrderQty <38> or CashOrderQty <152> leads
        it (spec 18.14). The legs go at body level after MultivariateCollectionTicker <20180>.

        Args:
            collection: MultivariateCollectionTicker <20180>.
            legs: (event ticker, market ticker, ``"yes"``/``"no"``) per leg: 20182, 20183,
                20184; at least two, no market twice.
            quantity: Contracts, OrderQty <38>; or
            cash_quantity: Dollars to spend, CashOrderQty <152> (exactly one of the two).
            quote_req_id: As in :meth:`request_quote`.
            rest_remainder: As in :meth:`request_quote`.
            replace_existing: As in :meth:`request_quote`.
            subaccount: As in :meth:`request_quote`.

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "QuoteRequest <R>", margin=False)
        check_symbol(collection)
        if len(legs) < 2:
            raise ValueError("a combo needs at least two legs")
        markets = set()
        wire_legs: list[list[tuple[int, FieldValue]]] = []
        for leg in legs:
            if len(leg) != 3:
                raise ValueError(f"a leg is (event ticker, market ticker, side), not {leg!r}")
            event, market, side = leg
            check_symbol(event)
            check_symbol(market)
            if side not in SIDES:
                raise ValueError(f"a leg's side must be 'yes' or 'no', not {side!r}")
            if market in markets:
                raise ValueError(f"market {market!r} appears in more than one leg")
            markets.add(market)
            wire_legs.append([(20182, event), (20183, market), (20184, side)])
        entry: list[tuple[int, FieldValue]]
        if quantity is not None and cash_quantity is None:
            entry = [(38, check_quantity(quantity))]
        elif cash_quantity is not None and quantity is None:
            entry = [(152, check_quantity(cash_quantity, "cash_quantity"))]
        else:
            raise ValueError("give exactly one of quantity and cash_quantity")
        if rest_remainder:
            entry.append((21015, "Y"))
        if replace_existing:
            entry.append((21016, "Y"))
        request_id = (
            self._new_id()
            if quote_req_id is None
            else check_cl_ord_id(quote_req_id, "quote_req_id")
        )
        fields: list[tuple[int, FieldValue]] = [(131, request_id), (146, [entry])]
        fields += self._subaccount(subaccount)
        fields += [(20180, collection), (20181, wire_legs)]
        self._send("R", fields)
        return request_id

    def accept_quote(
        self,
        quote_id: str,
        side: str,
        *,
        rfq_id: str | None = None,
        quantity: Decimal | int | str | None = None,
        cl_ord_id: str | None = None,
        prefer_better_quote: bool = False,
        party_id: str | None = None,
    ) -> str:
        """Takes a maker's quote (AcceptQuote <UA>, KalshiRT); returns the ClOrdID <11> the
        executions will carry.

        Args:
            quote_id: QuoteID <117> of the :class:`~fixwire.kalshi.Quote`.
            side: ``"yes"`` buys Yes from the maker's No quote (Side <54>=1); ``"no"`` buys No
                from the maker's Yes quote (Side <54>=2).
            rfq_id: RfqId <21023>, recommended (the venue will require it).
            quantity: OrderQty <38>, at most the RFQ's; the whole RFQ when omitted.
            cl_ord_id: Your ClOrdID; a UUID-shaped one is made when omitted.
            prefer_better_quote: PreferBetterQuote <21022>=Y: the venue may fill from a quote
                at least as good.
            party_id: For an FCM: the customer's PartyID <448> (NoPartyIDs <453>).

        The answer is AcceptQuoteStatus <UC>; once the maker confirms, ExecutionReports.

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "AcceptQuote <UA>", margin=False)
        check_cl_ord_id(quote_id, "quote_id")
        wire_side = check_side(side)
        request_id = self._new_id() if cl_ord_id is None else check_cl_ord_id(cl_ord_id)
        fields: list[tuple[int, FieldValue]] = [(117, quote_id)]
        if rfq_id is not None:
            fields.append((21023, check_cl_ord_id(rfq_id, "rfq_id")))
        fields.append((54, wire_side))
        if quantity is not None:
            fields.append((38, check_quantity(quantity)))
        fields.append((11, request_id))
        if prefer_better_quote:
            fields.append((21022, "Y"))
        fields += party_group(party_id)
        self._send("UA", fields)
        return request_id

    def accept_quote_with_order(
        self,
        quote_id: str,
        symbol: str,
        side: str,
        quantity: Decimal | int | str,
        price: Decimal | str | int,
        *,
        rfq_id: str | None = None,
        cl_ord_id: str | None = None,
        party_id: str | None = None,
    ) -> str:
        """Takes a maker's quote with a NewOrderSingle <D> that carries its QuoteID <117>
        (the spec's alternative to AcceptQuote <UA>, KalshiRT); returns the order's ClOrdID
        <11>, which ``orders`` then follows like any order.

        Args:
            quote_id: QuoteID <117> of the :class:`~fixwire.kalshi.Quote`.
            symbol: The quote's market, Symbol <55>.
            side: ``"yes"`` buys Yes from the maker's No quote (Side <54>=1); ``"no"`` buys
                No from the maker's Yes quote (Side <54>=2), as on AcceptQuote.
            quantity: OrderQty <38>, at most the RFQ's.
            price: Price <44>, the Yes-scale limit in dollars: the quote executes only at this
                price or better for you (the spec does not say how the venue reads Price on
                such an order; a limit is the reading that can never cost more than asked).
            rfq_id: RfqId <21023>: the quote must belong to this RFQ (recommended).
            cl_ord_id: Your ClOrdID; a UUID-shaped one is made when omitted.
            party_id: For an FCM: the customer's PartyID <448> (NoPartyIDs <453>).

        The order is acknowledged and filled by ExecutionReports once the maker confirms;
        refused (ExecType <150>=8) with Text ``EXPIRED`` (OrdRejReason <103>=8) when the quote
        is no longer there to take.

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "NewOrderSingle <D> with QuoteID <117>", margin=False)
        check_cl_ord_id(quote_id, "quote_id")
        check_symbol(symbol)
        wire_side = check_side(side)
        qty = check_quantity(quantity)
        px = check_price(price, self._dollars)
        request_id = self._new_id() if cl_ord_id is None else check_cl_ord_id(cl_ord_id)
        existing = self.orders.get(request_id)
        if existing is not None and existing.open:
            raise ValueError(f"ClOrdID {request_id!r} belongs to an open order")
        fields: list[tuple[int, FieldValue]] = [
            (11, request_id),
            (38, qty),
            (40, "2"),
            (44, self._wire_price(px)),
            (54, wire_side),
            (55, symbol),
            (117, quote_id),
        ]
        if rfq_id is not None:
            fields.append((21023, check_cl_ord_id(rfq_id, "rfq_id")))
        fields += party_group(party_id)
        seq_num = self._send("D", fields)
        self.orders[request_id] = OrderState(
            request_id, symbol, side, qty, px, party_id=party_id, request_seq_num=seq_num
        )
        return request_id

    def cancel_rfq(
        self,
        *,
        quote_req_id: str | None = None,
        rfq_id: str | None = None,
        party_id: str | None = None,
    ) -> None:
        """Withdraws an RFQ (RFQCancel <UE>, KalshiRT) by your QuoteReqID <131> or the
        server's RfqId <21023>, exactly one of them; the answer is RFQCancelStatus <UB>.
        ``party_id`` is an FCM customer's PartyID <448> (NoPartyIDs <453>).
        """
        self._require(SessionType.RT, "RFQCancel <UE>", margin=False)
        if (quote_req_id is None) == (rfq_id is None):
            raise ValueError("give exactly one of quote_req_id and rfq_id")
        if quote_req_id is not None:
            fields: list[tuple[int, FieldValue]] = [
                (131, check_cl_ord_id(quote_req_id, "quote_req_id"))
            ]
        else:
            fields = [(21023, check_cl_ord_id(str(rfq_id), "rfq_id"))]
        fields += party_group(party_id)
        self._send("UE", fields)

    # RFQ, market-maker side (KalshiRFQ).

    def quote(
        self,
        rfq_id: str,
        symbol: str,
        *,
        yes_price: Decimal | str | int | None = None,
        no_price: Decimal | str | int | None = None,
        quote_id: str | None = None,
        post_only: bool = False,
        rest_remainder: bool = False,
        subaccount: int | None = None,
    ) -> str:
        """Answers an RFQ (Quote <S>, KalshiRFQ); returns QuoteID <117>. A new quote on the
        same RFQ replaces your previous one.

        Args:
            rfq_id: QuoteReqID <131> of the :class:`~fixwire.kalshi.QuoteRequest`
                (the server's id).
            symbol: Symbol <55>.
            yes_price: BidPx <132>, what you pay per Yes contract, dollars.
            no_price: OfferPx <133>, what you pay per No contract, dollars. At least one of
                the two; together they must not exceed $1.
            quote_id: Your id; a UUID-shaped one is made when omitted.
            post_only: ExecInst <18>=6.
            rest_remainder: RestRemainder <21015>=Y.
            subaccount: AllocAccount <79>, 0-63.

        The answer is QuoteStatusReport <AI> (pending, or rejected with a reason).

        Raises:
            ValueError: Not a KalshiRFQ session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on.
        """
        self._require(SessionType.RFQ, "Quote <S>", margin=False)
        check_cl_ord_id(rfq_id, "rfq_id")
        check_symbol(symbol)
        if yes_price is None and no_price is None:
            raise ValueError("give yes_price, no_price or both")
        dollars = self._dollars
        yes = None if yes_price is None else check_price(yes_price, dollars)
        no = None if no_price is None else check_price(no_price, dollars)
        if yes is not None and no is not None and yes + no > 1:
            raise ValueError(f"yes_price + no_price must not exceed $1, not {yes + no}")
        request_id = self._new_id() if quote_id is None else check_cl_ord_id(quote_id, "quote_id")
        fields: list[tuple[int, FieldValue]] = [(117, request_id), (131, rfq_id), (55, symbol)]
        if yes is not None:
            fields.append((132, self._wire_price(yes)))
        if no is not None:
            fields.append((133, self._wire_price(no)))
        if post_only:
            fields.append((18, "6"))
        fields += self._subaccount(subaccount)
        if rest_remainder:
            fields.append((21015, "Y"))
        self._send("S", fields)
        return request_id

    def cancel_quote(self, quote_id: str, *, rfq_id: str | None = None) -> None:
        """Withdraws a quote (QuoteCancel <Z>, KalshiRFQ); answered by QuoteStatusReport <AI>
        (cancelled) and QuoteCancelStatus <U9>.
        """
        self._require(SessionType.RFQ, "QuoteCancel <Z>", margin=False)
        fields: list[tuple[int, FieldValue]] = [(117, check_cl_ord_id(quote_id, "quote_id"))]
        if rfq_id is not None:
            fields.append((21023, check_cl_ord_id(rfq_id, "rfq_id")))
        self._send("Z", fields, cancel=True)

    def confirm_quote(self, quote_id: str, *, rfq_id: str | None = None) -> None:
        """Confirms a quote the creator accepted (QuoteConfirm <U7>, KalshiRFQ), within the
        venue's window (30 s; 3 s on some markets). The answer is QuoteConfirmStatus <U8>,
        then ExecutionReports.
        """
        self._require(SessionType.RFQ, "QuoteConfirm <U7>", margin=False)
        fields: list[tuple[int, FieldValue]] = [(117, check_cl_ord_id(quote_id, "quote_id"))]
        if rfq_id is not None:
            fields.append((21023, check_cl_ord_id(rfq_id, "rfq_id")))
        self._send("U7", fields)
