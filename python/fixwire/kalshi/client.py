"""The Kalshi FIX client: signed Logon, the order API, typed events, and the user's order book.

::

    signer = LogonSigner("kalshi-key.pem")
    config = KalshiConfig(api_key="<uuid>", signer=signer, session_type=SessionType.NR)
    async with await KalshiClient.connect(config, ssl=ssl.create_default_context()) as client:
        cl_ord_id = client.new_order("HIGHNY-23DEC31", "yes", 10, Decimal("0.55"))
        async for event in client:
            if isinstance(event, ExecutionReport): ...

Every order method checks its arguments before anything is sent (a :class:`ValueError` naming
the argument), is rate limited on the client side (:class:`RateLimitError`, nothing sent), and
returns once the message is stored and written: order entry adds microseconds, it never waits
for the exchange. Answers arrive as events and update :attr:`KalshiClient.orders`.

Beyond order entry, by session type (a method called on the wrong one raises ValueError):

* KalshiRT, RFQ creator: :meth:`~KalshiClient.request_quote` (and
  :meth:`~KalshiClient.request_combo_quote`), :meth:`~KalshiClient.accept_quote` (or
  :meth:`~KalshiClient.accept_quote_with_order`, a NewOrderSingle <D> with QuoteID <117>),
  :meth:`~KalshiClient.cancel_rfq`; answers are QuoteRequestAck, Quote, AcceptQuoteStatus,
  RFQCancelStatus and QuoteRequestReject events, then ExecutionReports.
* KalshiRFQ, market maker: QuoteRequest events; :meth:`~KalshiClient.quote`,
  :meth:`~KalshiClient.cancel_quote`, :meth:`~KalshiClient.confirm_quote`; answers are
  QuoteStatusReport, QuoteCancelStatus and QuoteConfirmStatus events.
* KalshiMD: :meth:`~KalshiClient.subscribe_market_data`,
  :meth:`~KalshiClient.unsubscribe_market_data`, :meth:`~KalshiClient.subscribe_security_status`;
  MarketDataSnapshot, MarketDataIncrement, MarketDataRequestReject and SecurityStatus events.
  :attr:`~KalshiClient.books` holds each subscribed market's book, kept from them; a lost
  increment (a MsgSeqNum <34> gap, a reconnection) makes it stale and subscribes again
  (:mod:`fixwire.kalshi.books`).
* KalshiPT (and KalshiRT with ``receive_settlement_reports``): MarketSettlementReport events,
  and one MarketSettlement once a report's pages are all in (:attr:`~KalshiClient.settlements`).

On the margin gateway (``KalshiConfig(gateway=Gateway.MARGIN)``, :mod:`fixwire.kalshi.margin`)
orders are ``"bid"`` or ``"ask"`` at dollar prices above 0, for whole contracts; what that
gateway does not offer raises :class:`~fixwire.kalshi.venue.GatewayError` before anything is
sent.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from fixwire.kalshi.market_data import MarketDataRequests
from fixwire.kalshi.orders import OrderState
from fixwire.kalshi.rfq import RfqRequests
from fixwire.kalshi.rules import (
    ORDER_GROUP_ACTIONS,
    WHOLE_QUANTITIES,
    check_cl_ord_id,
    check_exec_id,
    parties,
)
from fixwire.kalshi.venue import RateLimitError, SessionType, TokenBucket
from fixwire.session.config import FieldValue

__all__ = ["KalshiClient", "OrderState", "RateLimitError", "TokenBucket"]

_new_tuple = tuple.__new__
_ZERO = Decimal(0)


class KalshiClient(RfqRequests, MarketDataRequests):
    """A Kalshi FIX session with the order API; make one with :meth:`connect`.

    Iterate it for events: the typed Kalshi events of :mod:`fixwire.kalshi.events` and the
    session's own events (LoggedOn, Disconnected, RejectReceived, ...).
    """

    # Orders.

    def new_order(
        self,
        symbol: str,
        side: str,
        quantity: Decimal | int | str,
        price: Decimal | str | int,
        *,
        cl_ord_id: str | None = None,
        time_in_force: str = "gtc",
        expire_time: datetime | None = None,
        post_only: bool = False,
        self_trade_prevention: str | None = None,
        order_group_id: str | None = None,
        cancel_on_pause: bool = False,
        max_execution_cost: Decimal | None = None,
        subaccount: int | None = None,
        party_id: str | None = None,
        ex_destination: int | None = None,
    ) -> str:
        """Places a limit order (NewOrderSingle <D>); returns its ClOrdID <11>.

        Args:
            symbol: Market ticker, Symbol <55>.
            side: ``"yes"`` (bid on Yes) or ``"no"`` (bid on No, an ask on Yes); on the
                margin gateway ``"bid"`` or ``"ask"``.
            quantity: Contracts, up to 2 decimals (whole contracts on margin).
            price: The Yes-scale price in dollars, ``Decimal`` (never float); on margin,
                dollars above 0.
            cl_ord_id: Your id; a UUID-shaped one, unique to this client, is made when
                omitted.
            time_in_force: ``"gtc"``, ``"day"``, ``"ioc"``, ``"fok"`` or ``"gtd"`` (with
                ``expire_time``). Sent explicitly: the venue's default is undocumented.
            expire_time: ExpireTime <126> for GTD.
            post_only: ExecInst <18>=6.
            self_trade_prevention: ``"taker_at_cross"`` or ``"maker"``.
            order_group_id: SecondaryClOrdID <526>, the order group.
            cancel_on_pause: CancelOrderOnPause <21006>.
            max_execution_cost: MaxExecutionCost <21009>, dollars (not on margin).
            subaccount: AllocAccount <79>, 0-63.
            party_id: For an FCM: the customer's PartyID <448> (sent in one NoPartyIDs <453>
                entry with PartyRole <452>=24), the alternative to ``subaccount``.
            ex_destination: ExDestination <100>: the exchange shard, or -1 (or None) for the
                venue's routing by Symbol (not on margin, which always routes to index 0).

        Raises:
            ValueError: An argument the venue would refuse (an ``EncodeError`` naming it, or
                a ``GatewayError`` for what the margin gateway does not take).
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on.
        """
        # The venue's rules for each value are checked in Rust as the order is written (see
        # new_order_template); what ties arguments to each other or to the book is checked here.
        if (time_in_force == "gtd") != (expire_time is not None):
            raise ValueError("expire_time is required with time_in_force='gtd' and only with it")
        if max_execution_cost is not None:
            self._not_on_margin("MaxExecutionCost <21009>")
        if subaccount is not None:
            self._own_subaccount(subaccount)
        if cl_ord_id is None:
            cl_ord_id = next(self._ids)  # _new_id, inlined
        else:
            existing = self.orders.get(cl_ord_id)
            if existing is not None and existing.open and existing.status != "unknown":
                raise ValueError(f"ClOrdID {cl_ord_id!r} belongs to an open order")
        values = (
            cl_ord_id,
            quantity,
            price,
            side,
            symbol,
            time_in_force,
            expire_time,
            "6" if post_only else None,
            self_trade_prevention,
            order_group_id,
            True if cancel_on_pause else None,
            max_execution_cost,
            subaccount,
        )
        routed = party_id is not None or ex_destination is not None
        if routed:
            if ex_destination is not None:
                self._not_on_margin("ExDestination <100>")
            if party_id is not None and subaccount is not None:
                raise ValueError("give party_id (FCM) or subaccount, not both")
            with_routing = (*values, ex_destination, *parties(party_id))
            seq_num = self._send(self._routed_new_order_single, with_routing)
        else:
            seq_num = self._send_order(self._new_order_single, values)
        # The template accepted both, so they make Decimals.
        qty = (
            WHOLE_QUANTITIES[quantity]
            if type(quantity) is int and quantity < len(WHOLE_QUANTITIES)
            else Decimal(quantity)
        )
        px = price if type(price) is Decimal else Decimal(price)
        # OrderState(...) without the named tuple's __new__: one tuple, built in place.
        self.orders[cl_ord_id] = _new_tuple(
            OrderState,
            (
                cl_ord_id,
                symbol,
                side,
                qty,
                px,
                "sent",
                None,
                _ZERO,
                _ZERO,
                None,
                party_id,
                ex_destination,
                seq_num,
            ),
        )
        return cl_ord_id

    def retry_order(self, cl_ord_id: str) -> None:
        """Sends again an order whose outcome is unknown (EXCHANGE_UNAVAILABLE), with the same
        ClOrdID <11>, so the venue's idempotency check keeps it from being placed twice.
        """
        state = self.orders.get(cl_ord_id)
        if state is None or state.status != "unknown":
            raise ValueError(f"order {cl_ord_id!r} does not have an unknown outcome")
        self.new_order(state.symbol, state.side, state.quantity, state.price, cl_ord_id=cl_ord_id)

    def cancel(self, cl_ord_id: str, *, new_cl_ord_id: str | None = None) -> str:
        """Cancels an order (OrderCancelRequest <F>); returns the request's ClOrdID."""
        state = self._known(cl_ord_id)
        request_id = self._request_id(new_cl_ord_id)
        values = (
            request_id,
            state.cl_ord_id,
            state.order_id,
            state.side,
            state.symbol,
        )
        if state.party_id is None and state.ex_destination is None:
            seq_num = self._send(self._order_cancel_request, values, cancel=True)
        else:
            routed = (*values, state.ex_destination, *parties(state.party_id))
            seq_num = self._send(self._routed_order_cancel_request, routed, cancel=True)
        self._sent_amend(seq_num, "F", request_id)
        return request_id

    def replace(
        self,
        cl_ord_id: str,
        *,
        quantity: Decimal | int | str | None = None,
        price: Decimal | str | int | None = None,
        new_cl_ord_id: str | None = None,
    ) -> str:
        """Amends an order's total quantity and/or price (OrderCancelReplaceRequest <G>);
        returns the new ClOrdID. Increasing the quantity loses queue priority.
        """
        state = self._known(cl_ord_id)
        if quantity is None and price is None:
            raise ValueError("give a new quantity, a new price, or both")
        request_id = self._request_id(new_cl_ord_id)
        new_quantity = state.quantity if quantity is None else quantity
        values = (
            request_id,
            state.order_id,
            new_quantity,
            state.cl_ord_id,
            price,
            state.side,
            state.symbol,
        )
        if state.party_id is None and state.ex_destination is None:
            seq_num = self._send(self._order_cancel_replace_request, values)
        else:
            routed = (*values, state.ex_destination, *parties(state.party_id))
            seq_num = self._send(self._routed_order_cancel_replace_request, routed)
        self._sent_amend(seq_num, "G", request_id)
        # The template accepted both, so they make Decimals.
        qty = Decimal(new_quantity)
        new_price = state.price if price is None else Decimal(price)
        self.orders[request_id] = state._replace(
            cl_ord_id=request_id,
            quantity=qty,
            price=new_price,
            status="sent",
            request_seq_num=seq_num,
        )
        return request_id

    def _request_id(self, cl_ord_id: str | None) -> str:
        """The ClOrdID <11> of a cancel or amendment: a new one, or ``cl_ord_id`` unless an
        open order has it (the venue would refuse it, and the client's entry for that order
        would be overwritten).
        """
        if cl_ord_id is None:
            return self._new_id()
        existing = self.orders.get(cl_ord_id)
        if existing is not None and existing.open:
            raise ValueError(f"ClOrdID {cl_ord_id!r} belongs to an open order")
        return cl_ord_id

    def mass_cancel(self) -> str:
        """Cancels every open order of the session (OrderMassCancelRequest <q>, KalshiNR only,
        at most once a second); returns its ClOrdID.
        """
        if self.config.session_type.target_comp_id != "KalshiNR":
            raise ValueError("OrderMassCancelRequest <q> is accepted on KalshiNR only")
        self._mass_cancel_bucket.take(1.0)
        request_id = self._new_id()
        try:
            self._send("q", [(11, request_id), (530, "6")])
        except BaseException:
            self._mass_cancel_bucket.give_back(1.0)
            raise
        return request_id

    def order_group(
        self,
        action: str,
        *,
        order_group_id: str | None = None,
        contracts_limit: int | None = None,
        subaccount: int | None = None,
    ) -> None:
        """An OrderGroupRequest <UOG>: ``create`` (with ``contracts_limit``), ``reset``,
        ``delete``, ``trigger`` or ``update`` (with ``contracts_limit``). The answer is an
        OrderGroupResponse event (its id, for create).
        """
        code = ORDER_GROUP_ACTIONS.get(action)
        if code is None:
            raise ValueError(f"action must be one of {', '.join(ORDER_GROUP_ACTIONS)}")
        if (action == "create") == (order_group_id is not None):
            raise ValueError(
                "order_group_id is required, except on create where the venue assigns it"
            )
        if (action in ("create", "update")) != (contracts_limit is not None):
            raise ValueError("contracts_limit is required on create and update, and only there")
        if contracts_limit is not None and not 1 <= contracts_limit <= 1_000_000:
            raise ValueError("contracts_limit must be 1 to 1,000,000")
        fields: list[tuple[int, FieldValue]] = [(20131, code)]
        if order_group_id is not None:
            fields.append((20130, check_cl_ord_id(order_group_id, "order_group_id")))
        if contracts_limit is not None:
            fields.append((20132, contracts_limit))
        if subaccount is not None:
            self._not_on_margin("AllocAccount <79> on an OrderGroupRequest <UOG>")
        fields += self._subaccount(subaccount)
        self._send("UOG", fields)

    def replay_executions(self, begin_exec_id: str, end_exec_id: str | None = None) -> int:
        """Drop copy (KalshiDC): asks for the ExecutionReports from ``begin_exec_id`` to
        ``end_exec_id`` (the latest when omitted) with EventResendRequest <U1>. They arrive
        as ExecutionReport events, then EventResendComplete or EventResendReject; returns the
        request's MsgSeqNum, which those carry as RefSeqNum <45>. Reconcile on ExecID <17>:
        replays come with new sequence numbers.
        """
        if self.config.session_type is not SessionType.DC:
            raise ValueError("EventResendRequest <U1> is accepted on KalshiDC only")
        fields: list[tuple[int, FieldValue]] = [(21001, check_exec_id(begin_exec_id))]
        if end_exec_id is not None:
            fields.append((21002, check_exec_id(end_exec_id)))
        return self.connection.send("U1", fields)
