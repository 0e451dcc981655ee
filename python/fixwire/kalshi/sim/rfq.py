"""RFQ (spec section 12), symbol RFQs: QuoteRequest <R>, Quote <S>, AcceptQuote <UA>,
QuoteConfirm <U7>, QuoteCancel <Z> and RFQCancel <UE>, and every answer and notification; see
:mod:`fixwire.kalshi.sim` for the choices where the spec is silent.

What RFQ traffic leaves behind is bounded in bytes and time. A key's open RFQs take at most
``max_open_rfq_bytes`` (:data:`DEFAULT_MAX_OPEN_RFQ_BYTES`, each charged :data:`RFQ_CHARGE`
plus its ids' and symbol's lengths); a QuoteRequest <R> past it gets QuoteRequestReject <AG>
658=3 (QUOTE_REQUEST_EXCEEDS_LIMIT) Text ``TOO_MANY_OPEN_RFQS``. A maker has at most one live
quote per RFQ (a new one replaces it), so live quotes are bounded by the open RFQs; each RFQ
indexes its live quotes (:attr:`Rfq.quotes`), so no request scans every quote. Closed RFQs
and quotes (cancelled, replaced, expired, executed) are remembered, to answer a late request
with EXPIRED rather than NOT_FOUND, for ``closed_rfq_hours`` (24, the older docs' RFQ
lifetime) and within ``max_closed_rfq_bytes`` (:data:`DEFAULT_MAX_CLOSED_RFQ_BYTES`, a quote
charged :data:`QUOTE_CHARGE` plus its ids' lengths), then forgotten, earliest closed first: a
request naming one forgotten gets the answer for one never seen (NOT_FOUND, RFQ_NOT_FOUND).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from fixwire._native import Message
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.core import (
    FOUR_DP,
    TWO_DP,
    Participant,
)
from fixwire.kalshi.sim.orders import OrderFlow, refused
from fixwire.kalshi.sim.vocabulary import ONE
from fixwire.kalshi.venue import SessionType, with_groups
from fixwire.session.config import FieldValue

#: The default cap on one key's open RFQs, bytes (256 KiB: about 400).
DEFAULT_MAX_OPEN_RFQ_BYTES = 256 * 1024
#: The default cap on the closed RFQs and quotes remembered, bytes (16 MiB).
DEFAULT_MAX_CLOSED_RFQ_BYTES = 16 * 1024 * 1024
#: How long a closed RFQ or quote is remembered by default, hours.
DEFAULT_CLOSED_RFQ_HOURS = 24.0
#: Bytes charged per RFQ beyond its ids' and symbol's lengths: the :class:`Rfq`, its Decimal
#: size, its (emptied) index of live quotes, its entry in the map of RFQs and in the closed
#: queue.
RFQ_CHARGE = 768
#: Bytes charged per quote beyond its ids' lengths: the :class:`Quote`, its Decimal prices,
#: its entry in the map of quotes and in the closed queue. A closed RFQ with one closed quote
#: is charged about 1,860 bytes; tracemalloc measures about 1,000 on CPython 3.11, 64-bit, ids
#: included (``tests/kalshi/test_sim_limits.py``).
QUOTE_CHARGE = 1024


@dataclass(slots=True, eq=False)
class Rfq:
    """An RFQ: its creator, the server id the makers see, the market and size."""

    rfq_id: str
    creator: str
    quote_req_id: str
    symbol: str
    quantity: Decimal
    subaccount: int
    open: bool = True
    #: Its live (pending or accepted) quotes by QuoteID <117>: a quote leaves when it closes,
    #: and the index is emptied when the RFQ closes.
    quotes: dict[str, Quote] = field(default_factory=dict)

    def charge(self) -> int:
        """What the RFQ is charged, bytes (:data:`RFQ_CHARGE`)."""
        return RFQ_CHARGE + len(self.rfq_id) + len(self.quote_req_id) + len(self.symbol)


@dataclass(slots=True, eq=False)
class Quote:
    """A maker's quote on an RFQ; ``status`` is pending, accepted (waiting for the maker's
    confirmation), executed, cancelled or expired. Prices are dollars; each is what the
    maker pays per contract of that side.
    """

    quote_id: str
    maker: str
    rfq: Rfq
    yes_price: Decimal | None
    no_price: Decimal | None
    subaccount: int
    status: str = "pending"
    taker_side: m.Side = m.Side.YES
    quantity: Decimal = Decimal(0)
    cl_ord_id: str | None = None
    timer: asyncio.TimerHandle | None = None
    #: When an accepted quote's confirmation window ends, on the simulator's clock.
    deadline: float = 0.0
    #: When taken by a NewOrderSingle <D> with QuoteID <117>: that order's Yes-scale limit
    #: (its failures are then told by a rejected ExecutionReport, not AcceptQuoteStatus).
    order_price: Decimal | None = None

    def maker_price(self) -> Decimal | None:
        """What the maker pays on the side the creator took."""
        return self.no_price if self.taker_side is m.Side.YES else self.yes_price

    def charge(self) -> int:
        """What the quote is charged once closed, bytes (:data:`QUOTE_CHARGE`)."""
        return QUOTE_CHARGE + len(self.quote_id) + len(self.cl_ord_id or "")


class RfqFlow(OrderFlow):
    """RFQ as creator (KalshiRT) and as market maker (KalshiRFQ)."""

    _confirm_window: float
    _rfqs: dict[str, Rfq]
    _quotes: dict[str, Quote]
    _public_ids: dict[str, str]
    _settled: set[str]
    #: What each key's open RFQs take, and the cap on it.
    _open_rfq_bytes: dict[str, int]
    _max_open_rfq_bytes: int
    #: Closed RFQs and quotes still remembered, earliest closed first, with when each closed
    #: and its charge; what they take, the cap on it and the retention time.
    _closed_rfq: deque[tuple[float, Rfq | Quote, int]]
    _closed_rfq_bytes: int
    _max_closed_rfq_bytes: int
    _closed_rfq_hours: float

    def _rfq_message(self, api_key: str, client: Participant, msg: Message) -> None:
        msg_type = msg.msg_type
        if msg_type == "R":
            self._quote_request(api_key, client, msg)
        elif msg_type == "UA":
            self._accept_quote(api_key, client, msg)
        elif msg_type == "UE":
            self._cancel_rfq(api_key, client, msg)
        elif msg_type == "S":
            self._quote(api_key, client, msg)
        elif msg_type == "Z":
            self._cancel_quote(api_key, client, msg)
        else:
            self._confirm_quote(api_key, client, msg)

    def _listed(self, market: str) -> bool:
        try:
            self.engine.depth(market, m.Side.YES)
        except KeyError:
            return False
        return True

    def _public_id(self, api_key: str) -> str:
        """The pseudonymous public id the other side of an RFQ sees for ``api_key``."""
        return self._public_ids.setdefault(api_key, f"anon-{len(self._public_ids) + 1}")

    def _makers(self) -> list[Participant]:
        return [
            c for c in self._clients.values() if c.logged_on and c.session_type is SessionType.RFQ
        ]

    def _quote_request(self, api_key: str, client: Participant, msg: Message) -> None:
        request_id = msg[131]
        entries = with_groups(msg).group(146)

        def reject(reason: int, text: str) -> None:
            self._send(client, "AG", [(58, text), (131, request_id), (658, reason)])

        if 20180 in msg:
            self._combo_request(client, msg)
            return
        if len(entries) != 1 or 55 not in entries[0]:
            reject(99, "send one NoRelatedSym <146> entry, with Symbol <55>")
            return
        entry = entries[0]
        symbol = entry[55]
        quantity = entry.get_decimal(38)
        if not self._listed(symbol):
            reject(1, "MARKET_NOT_FOUND")
            return
        if symbol in self._settled:
            reject(99, "MARKET_ALREADY_CLOSED")
            return
        if quantity is None or quantity <= 0 or quantity != quantity.quantize(TWO_DP):
            reject(99, "INVALID_QUANTITY")
            return
        rfq = Rfq(str(uuid.uuid4()), api_key, request_id, symbol, quantity, msg.get_int(79, 0) or 0)
        replaced: list[Rfq] = []
        if entry.get(21016) == "Y":
            # ReplaceExisting (newest docs, spec 18.19): the creator's older open RFQs close,
            # but its newest stays, so that at most two are open with this one. Each closed
            # one is told as the exchange closing it, RFQCancelStatus <UB> 21013=2.
            replaced = [r for r in self._rfqs.values() if r.creator == api_key and r.open][:-1]
        # The cap counts what the replaced RFQs free, and is checked before any of them
        # closes: a refused request leaves the creator's RFQs as they were.
        freed = sum(r.charge() for r in replaced)
        if self._open_rfq_bytes.get(api_key, 0) - freed + rfq.charge() > self._max_open_rfq_bytes:
            reject(3, "TOO_MANY_OPEN_RFQS")
            return
        for closed in replaced:
            self._close_rfq(closed, "RFQ_REPLACED", expired=True)
        self._open_rfq_bytes[api_key] = self._open_rfq_bytes.get(api_key, 0) + rfq.charge()
        self._rfqs[rfq.rfq_id] = rfq
        self._send(
            client,
            "b",
            [(131, request_id), (303, 1), (21023, rfq.rfq_id), (55, symbol), (100, 0)],
        )
        broadcast: list[tuple[int, FieldValue]] = [
            (131, rfq.rfq_id),
            (
                146,
                [
                    [
                        (55, symbol),
                        (38, quantity.quantize(TWO_DP)),
                        (453, [[(448, self._public_id(api_key))]]),
                    ]
                ],
            ),
        ]
        for maker in self._makers():
            self._send(maker, "R", list(broadcast))

    def _combo_request(self, client: Participant, msg: Message) -> None:
        """A combo RFQ: its legs are validated as the venue does (MVEValidationReasonCode
        <20187> with the offending legs), then it is refused all the same, 658=99: combo
        markets are not simulated.
        """
        legs = [(leg.get(20183, ""), leg.get(20184, "")) for leg in with_groups(msg).group(20181)]
        sides: dict[str, set[str]] = {}
        counts: dict[str, int] = {}
        for market, side in legs:
            sides.setdefault(market, set()).add(side)
            counts[market] = counts.get(market, 0) + 1
        conflicting = [market for market, seen in sides.items() if len(seen) > 1]
        duplicated = [market for market, n in counts.items() if n > 1 and market not in conflicting]
        unknown = [market for market in counts if not self._listed(market)]
        fields: list[tuple[int, FieldValue]] = [(131, msg[131]), (658, 99)]
        for code, offending in (
            ("conflicting_leg_outcomes", conflicting),
            ("duplicated_legs", duplicated),
            ("invalid_market_combination", unknown),
        ):
            if offending:
                fields.insert(0, (58, code))
                fields += [(20187, code), (20185, [[(20186, market)] for market in offending])]
                break
        else:
            fields.insert(0, (58, "combo RFQs are not simulated"))
        self._send(client, "AG", fields)

    def _quote(self, api_key: str, client: Participant, msg: Message) -> None:
        quote_id, rfq_id = msg[117], msg[131]

        def reject(text: str) -> None:
            self._send(client, "AI", [(117, quote_id), (131, rfq_id), (297, 5), (58, text)])

        rfq = self._rfqs.get(rfq_id)
        if rfq is None or not rfq.open:
            reject("RFQ_NOT_FOUND")
            return
        if msg[55] != rfq.symbol:
            reject("SYMBOL_MISMATCH")
            return
        try:
            yes = self._price(client, msg, 132) or None
            no = self._price(client, msg, 133) or None
        except (ValueError, ArithmeticError):
            reject("INVALID_PRICE")
            return
        prices = [p for p in (yes, no) if p is not None]
        if not prices or any(not 0 < p < 1 for p in prices) or sum(prices) > 1:
            reject("INVALID_PRICE")
            return
        existing = self._quotes.get(quote_id)
        if existing is not None:
            reject("DUPLICATE_QUOTE_ID")
            return
        for old in [q for q in rfq.quotes.values() if q.maker == api_key]:
            if old.status == "pending":
                old.status = "cancelled"  # Replaced by the new quote, as the spec says.
                self._retire(old)
        quote = Quote(quote_id, api_key, rfq, yes, no, msg.get_int(79, client.subaccount) or 0)
        self._quotes[quote_id] = rfq.quotes[quote_id] = quote
        self._send(client, "AI", self._quote_status(client, quote, 10))
        creator = self._clients.get((rfq.creator, SessionType.RT))
        if creator is None or not creator.logged_on:
            return
        notification: list[tuple[int, FieldValue]] = [
            (117, quote_id),
            (131, rfq.rfq_id),
            (55, rfq.symbol),
        ]
        if yes is not None:
            notification.append((132, yes.quantize(FOUR_DP)))
        if no is not None:
            notification.append((133, no.quantize(FOUR_DP)))
        notification.append((38, rfq.quantity.quantize(TWO_DP)))
        if yes is not None:
            notification.append((134, rfq.quantity.quantize(TWO_DP)))
        if no is not None:
            notification.append((135, rfq.quantity.quantize(TWO_DP)))
        notification.append((453, [[(448, self._public_id(api_key)), (452, 35)]]))
        self._send(creator, "S", notification)

    def _quote_status(
        self, client: Participant, quote: Quote, status: int, text: str | None = None
    ) -> list[tuple[int, FieldValue]]:
        """A QuoteStatusReport <AI> for the maker, prices in the maker's units."""
        fields: list[tuple[int, FieldValue]] = [(117, quote.quote_id), (131, quote.rfq.rfq_id)]
        if quote.subaccount:
            fields.append((79, quote.subaccount))
        fields += [(297, status), (38, quote.rfq.quantity.quantize(TWO_DP))]
        if quote.yes_price is not None:
            fields.append((132, self._wire_price(client, quote.yes_price)))
        if quote.no_price is not None:
            fields.append((133, self._wire_price(client, quote.no_price)))
        if status == 0:
            # AcceptedSide: the maker's side the creator took (a Yes taker takes the No quote).
            fields.append((54, "2" if quote.taker_side is m.Side.YES else "1"))
        if text is not None:
            fields.append((58, text))
        return fields

    def _tell_maker(self, quote: Quote, status: int, text: str | None = None) -> None:
        maker = self._clients.get((quote.maker, SessionType.RFQ))
        if maker is not None and maker.logged_on:
            self._send(maker, "AI", self._quote_status(maker, quote, status, text))

    def _tell_creator_failed(self, quote: Quote, text: str) -> None:
        """An accepted quote will not execute: the creator hears it as a failed
        AcceptQuoteStatus <UC> (the spec documents no message for this), or, when it took the
        quote with a NewOrderSingle <D>, as that order's rejection (Text ``EXPIRED``, or the
        engine's reason).
        """
        rfq = quote.rfq
        if quote.order_price is not None:
            reason = (
                m.RejectReason(text)
                if text in m.RejectReason.__members__
                else m.RejectReason.EXPIRED
            )
            rejected = m.Rejected(
                client_id=quote.cl_ord_id or quote.quote_id,
                owner=rfq.creator,
                subaccount=rfq.subaccount,
                market=rfq.symbol,
                side=quote.taker_side,
                price=quote.order_price,
                qty=quote.quantity,
                reason=reason,
            )
            self._publish([rejected])
            return
        creator = self._clients.get((rfq.creator, SessionType.RT))
        if creator is None or not creator.logged_on:
            return
        fields: list[tuple[int, FieldValue]] = [(117, quote.quote_id), (21025, 1)]
        if quote.cl_ord_id is not None:
            fields.append((11, quote.cl_ord_id))
        fields.append((58, text))
        self._send(creator, "UC", fields)

    def _accept_quote(self, api_key: str, client: Participant, msg: Message) -> None:
        quote_id, cl_ord_id = msg[117], msg.get(11)

        def refuse(text: str) -> None:
            fields: list[tuple[int, FieldValue]] = [(117, quote_id), (21025, 1)]
            if cl_ord_id is not None:
                fields.append((11, cl_ord_id))
            fields.append((58, text))
            self._send(client, "UC", fields)

        quote = self._quotes.get(quote_id)
        if (
            quote is None
            or quote.rfq.creator != api_key
            or msg.get(21023, quote.rfq.rfq_id) != quote.rfq.rfq_id
        ):
            refuse("NOT_FOUND")
            return
        if quote.status != "pending" or not quote.rfq.open:
            refuse("EXPIRED")
            return
        quote.taker_side = side = m.Side.YES if msg[54] == "1" else m.Side.NO
        quantity = msg.get_decimal(38, quote.rfq.quantity)
        if quote.maker_price() is None:
            refuse("QUOTE_SIDE_NOT_OFFERED")
            return
        if not 0 < quantity <= quote.rfq.quantity or quantity != quantity.quantize(TWO_DP):
            refuse("INVALID_QUANTITY")
            return
        if msg.get(21022) == "Y":
            # PreferBetterQuote: the pending quote of the RFQ whose maker pays the most on the
            # side taken (so the creator pays the least), when it beats the one named; a tie
            # keeps the one named. AcceptedQuoteId <21024> says which was taken.
            def paid(q: Quote) -> Decimal:
                price = q.no_price if side is m.Side.YES else q.yes_price
                return price if price is not None else Decimal(-1)

            rivals = quote.rfq.quotes.values()
            best = max((q for q in rivals if q.status == "pending"), key=paid)
            if paid(best) > paid(quote):
                quote = best
                quote.taker_side = side
        quote.status = "accepted"
        quote.quantity = quantity
        quote.cl_ord_id = cl_ord_id
        fields: list[tuple[int, FieldValue]] = [
            (117, quote_id),
            (21025, 0),
            (21024, quote.quote_id),
        ]
        if cl_ord_id is not None:
            fields.append((11, cl_ord_id))
        self._send(client, "UC", fields)
        self._tell_maker(quote, 0)
        self._await_confirmation(quote)

    def _accept_with_order(self, api_key: str, client: Participant, msg: Message) -> None:
        """A NewOrderSingle <D> with QuoteID <117> (spec 7.1): takes the quote as AcceptQuote
        <UA> would, its Price <44> a Yes-scale limit; refused with a rejected ExecutionReport:
        Text ``EXPIRED`` (OrdRejReason <103>=8) when the quote is no longer pending,
        ``INVALID_ORDER`` (11) when it is unknown, of another RFQ than RfqId <21023> says or
        another market, when the side taken was not quoted, the quantity is above the RFQ's,
        or the quote is worse than the limit; and an RfqId without a QuoteID.

        The order is acknowledged with its trade, once the maker confirms (as an order that
        trades at once, its New folded into the Trade unless AlwaysEmitNewBeforeTrade
        <21026>); if the maker lets the window pass or cancels, it is rejected ``EXPIRED``.
        """
        side = m.Side.YES if msg[54] == "1" else m.Side.NO
        limit = self._price(client, msg)
        quantity = msg.get_decimal(38, Decimal(0))
        quote = self._quotes.get(msg.get(117, ""))

        def refuse(reason: m.RejectReason) -> None:
            self._publish([refused(api_key, msg, side, limit, reason)], client)

        if (
            quote is None
            or quote.rfq.creator != api_key
            or msg.get(21023, quote.rfq.rfq_id) != quote.rfq.rfq_id
            or msg[55] != quote.rfq.symbol
            or limit is None
        ):
            refuse(m.RejectReason.INVALID_ORDER)
            return
        if quote.status != "pending" or not quote.rfq.open:
            refuse(m.RejectReason.EXPIRED)
            return
        maker_price = quote.no_price if side is m.Side.YES else quote.yes_price
        if (
            maker_price is None
            or not 0 < quantity <= quote.rfq.quantity
            or quantity != quantity.quantize(TWO_DP)
            # The Yes-scale price of the trade: 1 - the No quote for a Yes taker, the Yes
            # quote for a No taker; never worse for the taker than its limit.
            or (side is m.Side.YES and ONE - maker_price > limit)
            or (side is m.Side.NO and maker_price < limit)
        ):
            refuse(m.RejectReason.INVALID_ORDER)
            return
        quote.taker_side = side
        quote.status = "accepted"
        quote.quantity = quantity
        quote.cl_ord_id = msg[11]
        quote.order_price = limit
        self._tell_maker(quote, 0)
        self._await_confirmation(quote)

    def _await_confirmation(self, quote: Quote) -> None:
        """Starts an accepted quote's confirmation window, on the simulator's clock: a
        QuoteConfirm <U7> past it is too late, and an event-loop timer tells both sides
        unasked once the clock has passed it.
        """
        quote.deadline = self._now() + self._confirm_window
        quote.timer = asyncio.get_running_loop().call_later(
            self._confirm_window, self._confirmation_due, quote
        )

    def _confirmation_due(self, quote: Quote) -> None:
        """The timer: the window has ended on the event loop's clock; on the simulator's
        (which a test may hold back) it may not have yet, and the timer waits the rest.
        """
        if quote.status != "accepted":
            return
        remaining = quote.deadline - self._now()
        if remaining > 0:
            quote.timer = asyncio.get_running_loop().call_later(
                remaining, self._confirmation_due, quote
            )
            return
        self._confirmation_expired(quote)

    def _confirmation_expired(self, quote: Quote) -> None:
        if quote.timer is not None:
            quote.timer.cancel()
        quote.status = "expired"
        self._retire(quote)
        self._tell_maker(quote, 17, "EXPIRED")
        self._tell_creator_failed(quote, "EXPIRED")

    def _confirm_quote(self, api_key: str, client: Participant, msg: Message) -> None:
        quote_id = msg[117]

        def refuse(text: str) -> None:
            self._send(client, "U8", [(117, quote_id), (21010, 1), (58, text)])

        quote = self._quotes.get(quote_id)
        if (
            quote is None
            or quote.maker != api_key
            or msg.get(21023, quote.rfq.rfq_id) != quote.rfq.rfq_id
        ):
            refuse("NOT_FOUND")
            return
        if quote.status == "accepted" and self._now() > quote.deadline:
            self._confirmation_expired(quote)  # The window ended before the timer fired.
        if quote.status != "accepted":
            refuse("EXPIRED" if quote.status == "expired" else "QUOTE_NOT_ACCEPTED")
            return
        if quote.timer is not None:
            quote.timer.cancel()
        rfq = quote.rfq
        maker_price = quote.maker_price()
        assert maker_price is not None  # Checked when the creator accepted.
        events = self.engine.block_trade(
            market=rfq.symbol,
            taker_owner=rfq.creator,
            taker_client_id=quote.cl_ord_id or f"rfq-{quote_id}",
            taker_side=quote.taker_side,
            maker_owner=api_key,
            maker_client_id=quote_id,
            maker_price=maker_price,
            qty=quote.quantity,
            now=self._now(),
            taker_subaccount=rfq.subaccount,
            maker_subaccount=quote.subaccount,
        )
        rejected = next((e for e in events if isinstance(e, m.Rejected)), None)
        if rejected is not None:
            quote.status = "cancelled"
            self._retire(quote)
            refuse(rejected.reason.value)
            self._tell_creator_failed(quote, rejected.reason.value)
            return
        quote.status = "executed"
        self._retire(quote)
        self._send(client, "U8", [(117, quote_id), (21010, 0)])
        self._publish(events)
        self._close_rfq(rfq, "RFQ_EXECUTED", makers=False)

    def _close_rfq(
        self, rfq: Rfq, text: str, *, makers: bool = True, expired: bool = False
    ) -> None:
        """Closes an RFQ: its live quotes are cancelled (QuoteStatusReport <AI> 297=17 to their
        makers) and, with ``makers``, every maker hears QuoteRequestReject <AG> (older docs:
        makers receive AG when an RFQ is cancelled). With ``expired`` (the exchange closed it,
        not its creator) the creator hears RFQCancelStatus <UB> 21013=2 unasked, with its
        QuoteReqID <131>, RfqId <21023> and ``text`` (spec section 12).
        """
        if expired:
            creator = self._clients.get((rfq.creator, SessionType.RT))
            if creator is not None:
                self._send(
                    creator,
                    "UB",
                    [(131, rfq.quote_req_id), (21013, 2), (21023, rfq.rfq_id), (58, text)],
                )
        was_open, rfq.open = rfq.open, False
        if was_open:
            self._open_rfq_bytes[rfq.creator] -= rfq.charge()
        for quote in list(rfq.quotes.values()):
            if quote.status in ("pending", "accepted"):
                if quote.status == "accepted":
                    if quote.timer is not None:
                        quote.timer.cancel()
                    self._tell_creator_failed(quote, "EXPIRED")
                quote.status = "cancelled"
                self._retire(quote)
                self._tell_maker(quote, 17, text)
        rfq.quotes.clear()  # Empty already: clear() gives its table back too.
        if was_open:
            self._retire(rfq)
        if makers:
            for maker in self._makers():
                self._send(maker, "AG", [(58, text), (131, rfq.rfq_id), (658, 99)])

    def _cancel_rfq(self, api_key: str, client: Participant, msg: Message) -> None:
        quote_req_id, rfq_id = msg.get(131), msg.get(21023)
        rfq: Rfq | None = None
        if rfq_id is not None:
            rfq = self._rfqs.get(rfq_id)
        elif quote_req_id is not None:
            rfq = next(
                (
                    r
                    for r in reversed(self._rfqs.values())
                    if r.creator == api_key and r.quote_req_id == quote_req_id and r.open
                ),
                None,
            )
        echo = quote_req_id or rfq_id or ""
        if rfq is None or rfq.creator != api_key or not rfq.open:
            self._send(client, "UB", [(131, echo), (21013, 1), (58, "NOT_FOUND")])
            return
        self._close_rfq(rfq, "RFQ_CANCELLED")
        self._send(client, "UB", [(131, echo), (21013, 0), (21023, rfq.rfq_id)])

    def _cancel_quote(self, api_key: str, client: Participant, msg: Message) -> None:
        quote_id = msg[117]
        quote = self._quotes.get(quote_id)
        if (
            quote is None
            or quote.maker != api_key
            or msg.get(21023, quote.rfq.rfq_id) != quote.rfq.rfq_id
            or quote.status not in ("pending", "accepted")
        ):
            self._send(client, "U9", [(117, quote_id), (298, 1), (58, "NOT_FOUND")])
            return
        if quote.status == "accepted":
            if quote.timer is not None:
                quote.timer.cancel()
            self._tell_creator_failed(quote, "EXPIRED")
        quote.status = "cancelled"
        self._retire(quote)
        self._send(client, "AI", self._quote_status(client, quote, 17))
        self._send(client, "U9", [(117, quote_id), (298, 0)])

    def _retire(self, closed: Rfq | Quote) -> None:
        """Remembers a closed RFQ or quote, then forgets the earliest closed while they are
        past the retention time or the cap (see the module documentation).
        """
        if isinstance(closed, Quote):
            closed.rfq.quotes.pop(closed.quote_id, None)
        now = self._now()
        charge = closed.charge()
        self._closed_rfq.append((now, closed, charge))
        self._closed_rfq_bytes += charge
        horizon = now - self._closed_rfq_hours * 3600
        queue = self._closed_rfq
        while queue and (
            queue[0][0] < horizon or self._closed_rfq_bytes > self._max_closed_rfq_bytes
        ):
            _, item, charge = queue.popleft()
            self._closed_rfq_bytes -= charge
            if isinstance(item, Quote):
                if self._quotes.get(item.quote_id) is item:
                    del self._quotes[item.quote_id]
            elif self._rfqs.get(item.rfq_id) is item:
                del self._rfqs[item.rfq_id]
