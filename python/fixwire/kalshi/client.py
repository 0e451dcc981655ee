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
  :meth:`~KalshiClient.request_combo_quote`), :meth:`~KalshiClient.accept_quote`,
  :meth:`~KalshiClient.cancel_rfq`; answers are QuoteRequestAck, Quote, AcceptQuoteStatus,
  RFQCancelStatus and QuoteRequestReject events, then ExecutionReports.
* KalshiRFQ, market maker: QuoteRequest events; :meth:`~KalshiClient.quote`,
  :meth:`~KalshiClient.cancel_quote`, :meth:`~KalshiClient.confirm_quote`; answers are
  QuoteStatusReport, QuoteCancelStatus and QuoteConfirmStatus events.
* KalshiMD: :meth:`~KalshiClient.subscribe_market_data`,
  :meth:`~KalshiClient.unsubscribe_market_data`, :meth:`~KalshiClient.subscribe_security_status`;
  MarketDataSnapshot, MarketDataIncrement, MarketDataRequestReject and SecurityStatus events.
  The client keeps no book of its own: apply the level-replace increments to the snapshot.
* KalshiPT (and KalshiRT with ``receive_settlement_reports``): MarketSettlementReport events.

Not offered: accepting a quote with a NewOrderSingle <D> (AcceptQuote <UA> does it).
"""

from __future__ import annotations

import collections
import itertools
import re
import ssl as _ssl
import string
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any, NamedTuple, Self, overload

from fixwire._native import Rule, Template
from fixwire.errors import FixError, SessionError
from fixwire.kalshi.config import KalshiConfig
from fixwire.kalshi.events import (
    ExecutionReport,
    KalshiEvent,
    OrderCancelReject,
    UnhandledMessage,
    from_message,
)
from fixwire.kalshi.venue import RateLimitError, SessionType, TokenBucket
from fixwire.session import (
    Connection,
    Disconnected,
    Event,
    LogonContext,
    Received,
    Reconnect,
    Role,
    SessionConfig,
    Store,
    connect,
)
from fixwire.session.config import FieldValue, TemplateValue

__all__ = ["KalshiClient", "OrderState", "RateLimitError", "TokenBucket"]

# The characters of a ClOrdID <11> (spec question 21: the venue's regex also admits "/").
_CL_ORD_ID_BYTES = (string.ascii_letters + string.digits + "-_:+=/").encode("ascii")
_TIME_IN_FORCE = {"day": "0", "gtc": "1", "ioc": "3", "fok": "4", "gtd": "6"}
_STP = {"taker_at_cross": 1, "maker": 2}
_ORDER_GROUP_ACTIONS = {"create": 1, "reset": 2, "delete": 3, "trigger": 4, "update": 5}
_TERMINAL = frozenset({"2", "4", "8", "C"})
_ONE = Decimal(1)
_ZERO = Decimal(0)
_new_tuple = tuple.__new__


class OrderState(NamedTuple):
    """What the client knows about one of its orders (immutable; a named tuple because it is
    made on every order sent).

    Attributes:
        cl_ord_id: The ClOrdID <11> it was placed (or last amended) with.
        symbol: Market ticker.
        side: ``"yes"`` or ``"no"``.
        quantity: OrderQty <38> as last known.
        price: Limit price, dollars.
        status: ``"sent"`` until the venue answers, then the OrdStatus <39> name: ``"new"``,
            ``"partially_filled"``, ``"filled"``, ``"canceled"``, ``"replaced"``, ``"rejected"``,
            ``"expired"``, ``"pending"``; ``"unknown"`` after EXCHANGE_UNAVAILABLE; or
            ``"superseded"`` for a ClOrdID an amendment replaced (the order lives on under the
            new one).
        order_id: OrderID <37> once acknowledged.
        filled: CumQty <14>.
        leaves: LeavesQty <151>.
        text: The venue's last Text <58>.
    """

    cl_ord_id: str
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    status: str = "sent"
    order_id: str | None = None
    filled: Decimal = Decimal(0)
    leaves: Decimal = Decimal(0)
    text: str | None = None

    @property
    def open(self) -> bool:
        """Whether the order may still trade."""
        return self.status in ("sent", "new", "partially_filled", "pending", "replaced", "unknown")


# The fields of a new order's OrderState after the five new_order gives, from its defaults.
_SENT = OrderState("", "", "", _ZERO, _ZERO)[5:]

_STATUS = {
    "0": "new",
    "1": "partially_filled",
    "2": "filled",
    "4": "canceled",
    "5": "replaced",
    "6": "pending",
    "8": "rejected",
    "A": "pending",
    "C": "expired",
    "E": "pending",
}


def _check_cl_ord_id(value: str, name: str = "cl_ord_id") -> str:
    # Deleting every allowed byte from a valid id leaves nothing (faster than a regex).
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= 64
        or not value.isascii()
        or value.encode("ascii").translate(None, _CL_ORD_ID_BYTES)
    ):
        raise ValueError(
            f"{name} must be 1-64 characters of letters, digits and - _ : + = /, not {value!r}"
        )
    return value


_QTY_STEP = Decimal("0.01")
_DOLLAR_STEP = Decimal("0.0001")
# Every price the venue takes, by UseDollars <21005>: a Decimal argument is checked by one set
# lookup instead of Decimal arithmetic (equal Decimals hash alike, so 0.5500 is found as 0.55).
_PRICES = {
    dollars: frozenset(Decimal(n).scaleb(-places) for n in range(1, 10**places))
    for dollars, places in ((True, 4), (False, 2))
}


_HEX_PAIRS = tuple(f"{n:02x}" for n in range(256))


def _cl_ord_ids(prefix: str) -> Iterator[str]:
    """UUID-shaped ClOrdIDs <11>: ``prefix`` (a random UUID's first 24 characters, drawn once
    per client) and a 12-digit hex counter, so that making one costs no os.urandom.

    Formatting ``f"{n:012x}"`` costs about 0.5 µs on every order; here the counter's last two
    digits come from a table and the rest is formatted once per 256 ids.
    """
    for high in itertools.count():
        block = f"{prefix}{high:010x}"
        for low in _HEX_PAIRS:
            yield block + low


# Small whole quantities as Decimals, made once: making a Decimal costs more than the rest of
# the check.
_WHOLE_QUANTITIES = tuple(Decimal(n) for n in range(1001))


def _check_quantity(value: Decimal | int | str, name: str = "quantity") -> Decimal:
    if type(value) is int:  # The common case, checked without Decimal arithmetic.
        if value <= 0:
            raise ValueError(f"{name} must be positive, not {value!r}")
        return _WHOLE_QUANTITIES[value] if value < len(_WHOLE_QUANTITIES) else Decimal(value)
    try:
        qty = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number of contracts, not {value!r}") from None
    if not qty.is_finite() or qty <= 0:
        raise ValueError(f"{name} must be positive, not {value!r}")
    try:
        exact = qty == qty.quantize(_QTY_STEP)
    except InvalidOperation:  # More digits than the decimal context holds.
        raise ValueError(f"{name} is too large: {value!r}") from None
    if not exact:
        raise ValueError(f"{name} has more than 2 decimals: {value!r}")
    return qty


def _check_price(value: Decimal | str | int, dollars: bool) -> Decimal:
    if type(value) is Decimal:
        if not value.is_snan() and value in _PRICES[dollars]:  # A signaling NaN cannot hash.
            return value
        price = value
    elif isinstance(value, float):
        raise ValueError("price must be a Decimal or str, not float (it is not exact)")
    else:
        try:
            price = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"price must be a Decimal number of dollars, not {value!r}") from None
    if not price.is_finite() or not 0 < price < _ONE:
        raise ValueError(f"price must be between $0 and $1 exclusive, not {value!r}")
    if price != price.quantize(_DOLLAR_STEP if dollars else _QTY_STEP):
        unit = "4 decimals (UseDollars)" if dollars else "whole cents (UseDollars is off)"
        raise ValueError(f"price {value!r} is finer than {unit}")
    return price


def _check_exec_id(exec_id: str) -> str:
    if not re.fullmatch(r"-?\d+;-?\d+(;\d+)?", exec_id):
        raise ValueError(
            f"ExecID must look like 'clock;event' or 'clock;event;index', not {exec_id!r}"
        )
    return exec_id


_SIDES = {"yes": "1", "no": "2"}


def _id_rule(name: str, *, optional: bool = False) -> Rule:
    """A ClOrdID-like id <11>: 1 to 64 of the venue's id characters, as _check_cl_ord_id."""
    return Rule.text(
        charset=_CL_ORD_ID_BYTES.decode("ascii"), max_length=64, name=name, optional=optional
    )


def _price_rule(dollars: bool, *, optional: bool = False) -> Rule:
    """Price <44> on the Yes scale: dollars with up to 4 decimals under UseDollars <21005>,
    else whole cents, written as an integer."""
    if dollars:
        return Rule.decimal(gt=0, lt=1, places=4, name="price", optional=optional)
    return Rule.decimal(
        gt=0,
        lt=1,
        places=2,
        in_units=True,
        name="price (whole cents: UseDollars is off)",
        optional=optional,
    )


def _new_order_template(dollars: bool) -> Template:
    """NewOrderSingle <D> as :meth:`KalshiClient.new_order` sends it, the venue's rules for
    its arguments checked in Rust as the message is written. Each slot is named after the
    argument that fills it, so that an error names what the caller gave.

    Args:
        dollars: UseDollars <21005>: prices in dollars with up to 4 decimals; else whole
            cents, written as an integer.

    Returns:
        The template; its values are new_order's arguments, in the order of its slots.
    """
    return Template(
        "D",
        [
            (11, _id_rule("cl_ord_id")),
            (38, Rule.decimal(gt=0, places=2, name="quantity")),
            (40, "2"),  # OrdType: limit.
            (44, _price_rule(dollars)),
            (54, Rule.choice(_SIDES, name="side")),
            (55, Rule.text(name="symbol")),
            (59, Rule.choice(_TIME_IN_FORCE, name="time_in_force")),
            (126, Rule.timestamp(name="expire_time", optional=True)),
            (18, Rule.choice(["6"], name="post_only", optional=True)),
            (2964, Rule.choice(_STP, name="self_trade_prevention", optional=True)),
            (526, _id_rule("order_group_id", optional=True)),
            (21006, Rule.boolean(name="cancel_on_pause", optional=True)),
            (21009, Rule.decimal(gt=0, name="max_execution_cost", optional=True)),
            (79, Rule.integer(ge=0, le=63, name="subaccount", optional=True)),
        ],
    )


def _check_symbol(symbol: str) -> str:
    if not symbol or not isinstance(symbol, str) or "\x01" in symbol:
        raise ValueError(f"symbol must be a market ticker, not {symbol!r}")
    return symbol


def _cancel_template() -> Template:
    """OrderCancelRequest <F> as :meth:`KalshiClient.cancel` sends it: the request's own
    ClOrdID <11> checked like any new id, the order's fields as the client's book has them."""
    return Template(
        "F",
        [
            (11, _id_rule("new_cl_ord_id")),
            (41, Rule.text(name="cl_ord_id")),
            (37, Rule.text(name="order_id", optional=True)),
            (54, Rule.choice(_SIDES, name="side")),
            (55, Rule.text(name="symbol")),
        ],
    )


def _replace_template(dollars: bool) -> Template:
    """OrderCancelReplaceRequest <G> as :meth:`KalshiClient.replace` sends it: the new
    ClOrdID, quantity and price checked like new_order's, the rest from the client's book.

    Args:
        dollars: UseDollars <21005>, as for :func:`_new_order_template`.

    Returns:
        The template; Price <44> is left out when the price does not change.
    """
    return Template(
        "G",
        [
            (11, _id_rule("new_cl_ord_id")),
            (37, Rule.text(name="order_id", optional=True)),
            (38, Rule.decimal(gt=0, places=2, name="quantity")),
            (40, "2"),  # OrdType: limit.
            (41, Rule.text(name="cl_ord_id")),
            (44, _price_rule(dollars, optional=True)),
            (54, Rule.choice(_SIDES, name="side")),
            (55, Rule.text(name="symbol")),
        ],
    )


def _check_side(side: str) -> str:
    wire_side = _SIDES.get(side)
    if wire_side is None:
        raise ValueError(f"side must be 'yes' or 'no', not {side!r}")
    return wire_side


class KalshiClient:
    """A Kalshi FIX session with the order API; make one with :meth:`connect`.

    Iterate it for events: the typed Kalshi events of :mod:`fixwire.kalshi.events` and the
    session's own events (LoggedOn, Disconnected, RejectReceived, ...).
    """

    def __init__(self, config: KalshiConfig, connection: Connection) -> None:
        self.config = config
        #: The client's connection for its whole life (it reconnects by itself); not replaced.
        self.connection = connection
        #: The client's orders by ClOrdID <11> (each amend adds its new ClOrdID).
        self.orders: dict[str, OrderState] = {}
        #: The same orders by OrderID <37>, once acknowledged.
        self.orders_by_id: dict[str, OrderState] = {}
        # Orders as they closed, oldest first, to forget the oldest beyond
        # config.max_closed_orders.
        self._closed: collections.deque[OrderState] = collections.deque()
        limit = config.rate_limit
        self._bucket = (
            None
            if limit is None
            else TokenBucket(limit.tokens_per_second, limit.tokens_per_second * limit.burst_seconds)
        )
        self._mass_cancel_bucket = TokenBucket(1.0, 1.0)
        # new_order's way out: with no rate limit to apply (and orders allowed at all), straight
        # to the connection, which saves a Python call (about 0.4 us here) on every order.
        self._send_order: Callable[[Template, tuple[TemplateValue, ...]], object] = (
            connection.send if self._bucket is None and not config.listener else self._send
        )
        self._dollars = config.use_dollars
        self._ids = _cl_ord_ids(str(uuid.uuid4())[:24])
        # The order-entry messages, laid out once with the venue's rules.
        self._new_order_single = _new_order_template(config.use_dollars)
        self._order_cancel_request = _cancel_template()
        self._order_cancel_replace_request = _replace_template(config.use_dollars)

    @staticmethod
    def session_config(config: KalshiConfig) -> SessionConfig:
        """The FIXT.1.1 session configuration for ``config``, with the signed Logon."""

        def logon_fields(context: LogonContext) -> list[tuple[int, FieldValue]]:
            signature = config.signer.sign(
                context.sending_time,
                context.seq_num,
                context.sender_comp_id,
                context.target_comp_id,
            )
            # RawData <96> is a data field: the encoder writes RawDataLength <95> before it
            # unless the configuration says not to (length_fields below).
            fields: list[tuple[int, FieldValue]] = [(96, signature.encode())]
            return fields + config.logon_flags()

        return SessionConfig(
            sender_comp_id=config.api_key,
            target_comp_id=config.session_type.target_comp_id,
            role=Role.INITIATOR,
            heartbeat_interval=config.heartbeat_interval,
            reset_on_logon=config.resets,
            retransmission=config.session_type.retransmission,
            logon_fields=logon_fields,
            max_sending_time_skew=config.max_sending_time_skew,
            check_peer_comp_id=False,
            length_fields=config.raw_data_length,
        )

    @classmethod
    async def connect(
        cls,
        config: KalshiConfig,
        *,
        ssl: _ssl.SSLContext,
        server_hostname: str | None = None,
        pin_sha256: str | None = None,
        store: Store | None = None,
        reconnect: Reconnect | None = None,
        logon_timeout: float = 10.0,
    ) -> KalshiClient:
        """Connects over TLS, logs on, and returns the client once logged on.

        Raises:
            SessionError: The Logon was refused (the reason is in the message) or the
                certificate did not match ``pin_sha256``.
            TimeoutError: No Logon within ``logon_timeout`` seconds.
        """
        host, port = config.address
        connection = await connect(
            cls.session_config(config),
            host,
            port,
            store=store,
            ssl=ssl,
            server_hostname=server_hostname,
            pin_sha256=pin_sha256,
            reconnect=reconnect,
        )
        try:
            await connection.logged_on(timeout=logon_timeout)
        except BaseException:
            await connection.close()
            raise
        return cls(config, connection)

    async def close(self) -> None:
        """Logs out and closes the connection."""
        await self.connection.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[KalshiEvent | Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[KalshiEvent | Event]:
        async for event in self.connection:
            if isinstance(event, Received):
                try:
                    typed = from_message(event.message, self.config.use_dollars)
                    self._track(typed)
                except (KeyError, FixError):
                    # A report without a tag it must have (or a value not of its type) is still
                    # delivered, untyped, rather than raised out of the application's loop.
                    typed = UnhandledMessage(event.message)
                yield typed
            else:
                if isinstance(event, Disconnected) and not self.config.session_type.retransmission:
                    self._orders_in_doubt()
                yield event

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
    ) -> str:
        """Places a limit order (NewOrderSingle <D>); returns its ClOrdID <11>.

        Args:
            symbol: Market ticker, Symbol <55>.
            side: ``"yes"`` (bid on Yes) or ``"no"`` (bid on No, an ask on Yes).
            quantity: Contracts, up to 2 decimals.
            price: The Yes-scale price in dollars, ``Decimal`` (never float).
            cl_ord_id: Your id; a UUID-shaped one, unique to this client, is made when
                omitted.
            time_in_force: ``"gtc"``, ``"day"``, ``"ioc"``, ``"fok"`` or ``"gtd"`` (with
                ``expire_time``). Sent explicitly: the venue's default is undocumented.
            expire_time: ExpireTime <126> for GTD.
            post_only: ExecInst <18>=6.
            self_trade_prevention: ``"taker_at_cross"`` or ``"maker"``.
            order_group_id: SecondaryClOrdID <526>, the order group.
            cancel_on_pause: CancelOrderOnPause <21006>.
            max_execution_cost: MaxExecutionCost <21009>, dollars.
            subaccount: AllocAccount <79>, 0-63.

        Raises:
            ValueError: An argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on.
        """
        # The venue's rules for each value are checked in Rust as the order is written (see
        # _new_order_template); what ties arguments to each other or to the book is checked here.
        if (time_in_force == "gtd") != (expire_time is not None):
            raise ValueError("expire_time is required with time_in_force='gtd' and only with it")
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
        self._send_order(self._new_order_single, values)
        # The template accepted both, so they make Decimals.
        qty = (
            _WHOLE_QUANTITIES[quantity]
            if type(quantity) is int and quantity < len(_WHOLE_QUANTITIES)
            else Decimal(quantity)
        )
        px = price if type(price) is Decimal else Decimal(price)
        # OrderState(cl_ord_id, symbol, side, qty, px), without the named tuple's __new__;
        # concatenated, which builds one tuple fewer than unpacking _SENT would.
        state = (cl_ord_id, symbol, side, qty, px) + _SENT  # noqa: RUF005
        self.orders[cl_ord_id] = _new_tuple(OrderState, state)
        return cl_ord_id

    def retry_order(self, cl_ord_id: str) -> None:
        """Sends again an order whose outcome is unknown (EXCHANGE_UNAVAILABLE), with the same
        ClOrdID <11>, so the venue's idempotency check keeps it from being placed twice."""
        state = self.orders.get(cl_ord_id)
        if state is None or state.status != "unknown":
            raise ValueError(f"order {cl_ord_id!r} does not have an unknown outcome")
        self.new_order(state.symbol, state.side, state.quantity, state.price, cl_ord_id=cl_ord_id)

    def cancel(self, cl_ord_id: str, *, new_cl_ord_id: str | None = None) -> str:
        """Cancels an order (OrderCancelRequest <F>); returns the request's ClOrdID."""
        state = self._known(cl_ord_id)
        request_id = self._new_id() if new_cl_ord_id is None else new_cl_ord_id
        values = (request_id, state.cl_ord_id, state.order_id, state.side, state.symbol)
        self._send(self._order_cancel_request, values, cancel=True)
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
        returns the new ClOrdID. Increasing the quantity loses queue priority."""
        state = self._known(cl_ord_id)
        if quantity is None and price is None:
            raise ValueError("give a new quantity, a new price, or both")
        request_id = self._new_id() if new_cl_ord_id is None else new_cl_ord_id
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
        self._send(self._order_cancel_replace_request, values)
        # The template accepted both, so they make Decimals.
        qty = Decimal(new_quantity)
        new_price = state.price if price is None else Decimal(price)
        self.orders[request_id] = state._replace(
            cl_ord_id=request_id, quantity=qty, price=new_price, status="sent"
        )
        return request_id

    def mass_cancel(self) -> str:
        """Cancels every open order of the session (OrderMassCancelRequest <q>, KalshiNR only,
        at most once a second); returns its ClOrdID."""
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
        OrderGroupResponse event (its id, for create)."""
        code = _ORDER_GROUP_ACTIONS.get(action)
        if code is None:
            raise ValueError(f"action must be one of {', '.join(_ORDER_GROUP_ACTIONS)}")
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
            fields.append((20130, _check_cl_ord_id(order_group_id, "order_group_id")))
        if contracts_limit is not None:
            fields.append((20132, contracts_limit))
        fields += self._subaccount(subaccount)
        self._send("UOG", fields)

    def replay_executions(self, begin_exec_id: str, end_exec_id: str | None = None) -> int:
        """Drop copy (KalshiDC): asks for the ExecutionReports from ``begin_exec_id`` to
        ``end_exec_id`` (the latest when omitted) with EventResendRequest <U1>. They arrive
        as ExecutionReport events, then EventResendComplete or EventResendReject; returns the
        request's MsgSeqNum, which those carry as RefSeqNum <45>. Reconcile on ExecID <17>:
        replays come with new sequence numbers."""
        if self.config.session_type is not SessionType.DC:
            raise ValueError("EventResendRequest <U1> is accepted on KalshiDC only")
        fields: list[tuple[int, FieldValue]] = [(21001, _check_exec_id(begin_exec_id))]
        if end_exec_id is not None:
            fields.append((21002, _check_exec_id(end_exec_id)))
        return self.connection.send("U1", fields)

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
    ) -> str:
        """Asks market makers for quotes (QuoteRequest <R>, KalshiRT); returns QuoteReqID <131>.

        The venue answers QuoteRequestAck <b> with the server's RfqId <21023> (keep it) or
        QuoteRequestReject <AG>; quotes arrive as :class:`~fixwire.kalshi.events.Quote` events.
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

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "QuoteRequest <R>")
        _check_symbol(symbol)
        qty = _check_quantity(quantity)
        request_id = (
            self._new_id()
            if quote_req_id is None
            else _check_cl_ord_id(quote_req_id, "quote_req_id")
        )
        entry: list[tuple[int, FieldValue]] = [(55, symbol), (38, qty)]
        if rest_remainder:
            entry.append((21015, "Y"))
        if replace_existing:
            entry.append((21016, "Y"))
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
            quote_req_id, rest_remainder, replace_existing, subaccount: As in
                :meth:`request_quote`.

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "QuoteRequest <R>")
        _check_symbol(collection)
        if len(legs) < 2:
            raise ValueError("a combo needs at least two legs")
        markets = set()
        wire_legs: list[list[tuple[int, FieldValue]]] = []
        for leg in legs:
            if len(leg) != 3:
                raise ValueError(f"a leg is (event ticker, market ticker, side), not {leg!r}")
            event, market, side = leg
            _check_symbol(event)
            _check_symbol(market)
            if side not in _SIDES:
                raise ValueError(f"a leg's side must be 'yes' or 'no', not {side!r}")
            if market in markets:
                raise ValueError(f"market {market!r} appears in more than one leg")
            markets.add(market)
            wire_legs.append([(20182, event), (20183, market), (20184, side)])
        entry: list[tuple[int, FieldValue]]
        if quantity is not None and cash_quantity is None:
            entry = [(38, _check_quantity(quantity))]
        elif cash_quantity is not None and quantity is None:
            entry = [(152, _check_quantity(cash_quantity, "cash_quantity"))]
        else:
            raise ValueError("give exactly one of quantity and cash_quantity")
        if rest_remainder:
            entry.append((21015, "Y"))
        if replace_existing:
            entry.append((21016, "Y"))
        request_id = (
            self._new_id()
            if quote_req_id is None
            else _check_cl_ord_id(quote_req_id, "quote_req_id")
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
    ) -> str:
        """Takes a maker's quote (AcceptQuote <UA>, KalshiRT); returns the ClOrdID <11> the
        executions will carry.

        Args:
            quote_id: QuoteID <117> of the :class:`~fixwire.kalshi.events.Quote`.
            side: ``"yes"`` buys Yes from the maker's No quote (Side <54>=1); ``"no"`` buys No
                from the maker's Yes quote (Side <54>=2).
            rfq_id: RfqId <21023>, recommended (the venue will require it).
            quantity: OrderQty <38>, at most the RFQ's; the whole RFQ when omitted.
            cl_ord_id: Your ClOrdID; a UUID-shaped one is made when omitted.
            prefer_better_quote: PreferBetterQuote <21022>=Y: the venue may fill from a quote
                at least as good.

        The answer is AcceptQuoteStatus <UC>; once the maker confirms, ExecutionReports.

        Raises:
            ValueError: Not a KalshiRT session, or an argument the venue would refuse.
            RateLimitError: Over the client-side rate limit; nothing sent.
            SessionError: Not logged on, or a listener session.
        """
        self._require(SessionType.RT, "AcceptQuote <UA>")
        _check_cl_ord_id(quote_id, "quote_id")
        wire_side = _check_side(side)
        request_id = self._new_id() if cl_ord_id is None else _check_cl_ord_id(cl_ord_id)
        fields: list[tuple[int, FieldValue]] = [(117, quote_id)]
        if rfq_id is not None:
            fields.append((21023, _check_cl_ord_id(rfq_id, "rfq_id")))
        fields.append((54, wire_side))
        if quantity is not None:
            fields.append((38, _check_quantity(quantity)))
        fields.append((11, request_id))
        if prefer_better_quote:
            fields.append((21022, "Y"))
        self._send("UA", fields)
        return request_id

    def cancel_rfq(self, *, quote_req_id: str | None = None, rfq_id: str | None = None) -> None:
        """Withdraws an RFQ (RFQCancel <UE>, KalshiRT) by your QuoteReqID <131> or the
        server's RfqId <21023>, exactly one of them; the answer is RFQCancelStatus <UB>."""
        self._require(SessionType.RT, "RFQCancel <UE>")
        if (quote_req_id is None) == (rfq_id is None):
            raise ValueError("give exactly one of quote_req_id and rfq_id")
        if quote_req_id is not None:
            fields: list[tuple[int, FieldValue]] = [
                (131, _check_cl_ord_id(quote_req_id, "quote_req_id"))
            ]
        else:
            fields = [(21023, _check_cl_ord_id(str(rfq_id), "rfq_id"))]
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
            rfq_id: QuoteReqID <131> of the :class:`~fixwire.kalshi.events.QuoteRequest`
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
        self._require(SessionType.RFQ, "Quote <S>")
        _check_cl_ord_id(rfq_id, "rfq_id")
        _check_symbol(symbol)
        if yes_price is None and no_price is None:
            raise ValueError("give yes_price, no_price or both")
        dollars = self._dollars
        yes = None if yes_price is None else _check_price(yes_price, dollars)
        no = None if no_price is None else _check_price(no_price, dollars)
        if yes is not None and no is not None and yes + no > _ONE:
            raise ValueError(f"yes_price + no_price must not exceed $1, not {yes + no}")
        request_id = self._new_id() if quote_id is None else _check_cl_ord_id(quote_id, "quote_id")
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
        (cancelled) and QuoteCancelStatus <U9>."""
        self._require(SessionType.RFQ, "QuoteCancel <Z>")
        fields: list[tuple[int, FieldValue]] = [(117, _check_cl_ord_id(quote_id, "quote_id"))]
        if rfq_id is not None:
            fields.append((21023, _check_cl_ord_id(rfq_id, "rfq_id")))
        self._send("Z", fields, cancel=True)

    def confirm_quote(self, quote_id: str, *, rfq_id: str | None = None) -> None:
        """Confirms a quote the creator accepted (QuoteConfirm <U7>, KalshiRFQ), within the
        venue's window (30 s; 3 s on some markets). The answer is QuoteConfirmStatus <U8>,
        then ExecutionReports."""
        self._require(SessionType.RFQ, "QuoteConfirm <U7>")
        fields: list[tuple[int, FieldValue]] = [(117, _check_cl_ord_id(quote_id, "quote_id"))]
        if rfq_id is not None:
            fields.append((21023, _check_cl_ord_id(rfq_id, "rfq_id")))
        self._send("U7", fields)

    # Market data (KalshiMD).

    def subscribe_market_data(self, *symbols: str, snapshot_only: bool = False) -> None:
        """Subscribes to markets' books (MarketDataRequest <V>, KalshiMD): a
        :class:`~fixwire.kalshi.events.MarketDataSnapshot` per market, then
        :class:`~fixwire.kalshi.events.MarketDataIncrement` events (unless ``snapshot_only``,
        SubscriptionRequestType <263>=0). Subscriptions are keyed by Symbol <55>."""
        self._require(SessionType.MD, "MarketDataRequest <V>")
        if not symbols:
            raise ValueError("give at least one symbol")
        for symbol in symbols:
            _check_symbol(symbol)
        self.connection.send(
            "V", [(263, "0" if snapshot_only else "1"), (146, [[(55, s)] for s in symbols])]
        )

    def unsubscribe_market_data(self, *symbols: str) -> None:
        """Ends subscriptions (MarketDataRequest <V>, 263=2): those ``symbols``, or all when
        none are given."""
        self._require(SessionType.MD, "MarketDataRequest <V>")
        for symbol in symbols:
            _check_symbol(symbol)
        fields: list[tuple[int, FieldValue]] = [(263, "2")]
        if symbols:
            fields.append((146, [[(55, s)] for s in symbols]))
        self.connection.send("V", fields)

    def subscribe_security_status(self, symbol: str, *, subscribe: bool = True) -> None:
        """SecurityStatusRequest <e> (KalshiMD): status changes of one market arrive as
        :class:`~fixwire.kalshi.events.SecurityStatus` events; ``subscribe=False`` ends it."""
        self._require(SessionType.MD, "SecurityStatusRequest <e>")
        _check_symbol(symbol)
        self.connection.send("e", [(263, "1" if subscribe else "2"), (55, symbol)])

    # Internals.

    def _new_id(self) -> str:
        return next(self._ids)

    def _wire_price(self, price: Decimal) -> Decimal | int:
        return price if self.config.use_dollars else int(price * 100)

    @staticmethod
    def _subaccount(subaccount: int | None) -> list[tuple[int, FieldValue]]:
        if subaccount is None:
            return []
        if (
            isinstance(subaccount, bool)
            or not isinstance(subaccount, int)
            or not 0 <= subaccount <= 63
        ):
            raise ValueError(f"subaccount must be 0 to 63, not {subaccount!r}")
        return [(79, subaccount)]

    def _require(self, session_type: SessionType, what: str) -> None:
        if self.config.session_type is not session_type:
            raise ValueError(f"{what} is accepted on {session_type.target_comp_id} only")

    def _known(self, cl_ord_id: str) -> OrderState:
        state = self.orders.get(cl_ord_id)
        if state is None:
            raise ValueError(f"no order with ClOrdID {cl_ord_id!r}")
        return state

    @overload
    def _send(
        self, message: str, fields: list[tuple[int, FieldValue]], *, cancel: bool = False
    ) -> None: ...
    @overload
    def _send(
        self, message: Template, fields: tuple[TemplateValue, ...], *, cancel: bool = False
    ) -> None: ...
    def _send(self, message: str | Template, fields: Any, *, cancel: bool = False) -> None:
        """``connection.send(message, fields)`` within the client-side rate limit."""
        if self.config.listener:
            raise SessionError("a listener session cannot send orders")
        bucket, limit = self._bucket, self.config.rate_limit
        if bucket is None or limit is None:
            self.connection.send(message, fields)
            return
        cost = limit.cancel_cost if cancel else limit.cost
        bucket.take(cost)
        try:
            self.connection.send(message, fields)
        except BaseException:
            bucket.give_back(cost)  # Nothing went out: the tokens were not used.
            raise

    def _orders_in_doubt(self) -> None:
        """After a disconnect on a session without retransmission, an order the venue has not
        answered may or may not exist: it becomes ``"unknown"`` (reconcile, or
        :meth:`retry_order` with the same ClOrdID)."""
        for cl_ord_id, state in self.orders.items():
            if state.status == "sent":
                self.orders[cl_ord_id] = state._replace(status="unknown")

    def _track(self, event: KalshiEvent) -> None:
        """Updates the order book from an ExecutionReport or OrderCancelReject."""
        if isinstance(event, ExecutionReport):
            # Each attribute of the lazy report is read once.
            cl_ord_id, exec_type, ord_status = event.cl_ord_id, event.exec_type, event.ord_status
            order_qty, price, text = event.order_qty, event.price, event.text
            state = self.orders.get(cl_ord_id)
            if state is None:
                state = OrderState(cl_ord_id, event.symbol, event.side, order_qty, price or _ZERO)
            if exec_type == "8" and text == "EXCHANGE_UNAVAILABLE":
                status = "unknown"
            else:
                status = _STATUS.get(ord_status, ord_status)
            order_id = event.order_id
            state = state._replace(
                status=status,
                order_id=order_id if order_id not in ("", "-1", "NONE") else state.order_id,
                filled=event.cum_qty,
                leaves=event.leaves_qty,
                quantity=order_qty or state.quantity,
                price=price if price is not None else state.price,
                text=text,
            )
            self.orders[cl_ord_id] = state
            if not state.open:
                self._closed.append(state)
            if exec_type in ("4", "5", "C"):
                previous = self.orders.get(event.orig_cl_ord_id or "")
                if previous is not None and previous.open:
                    # The order now answers to the new ClOrdID; the old one is history.
                    closed = previous._replace(status="superseded" if exec_type == "5" else status)
                    self.orders[previous.cl_ord_id] = closed
                    self._closed.append(closed)
            if state.order_id is not None:
                self.orders_by_id[state.order_id] = state
        elif isinstance(event, OrderCancelReject):
            state = self.orders.get(event.cl_ord_id)
            if state is not None and state.status == "sent":
                rejected = state._replace(status="rejected", text=event.text)
                self.orders[event.cl_ord_id] = rejected
                self._closed.append(rejected)
        self._forget_closed()

    def _forget_closed(self) -> None:
        """Forgets the oldest closed orders beyond ``config.max_closed_orders``."""
        closed, limit = self._closed, self.config.max_closed_orders
        while len(closed) > limit:
            state = closed.popleft()
            # Only an order unchanged since it closed: one updated since (reopened, reported
            # again, its ClOrdID reused) is another state object.
            if self.orders.get(state.cl_ord_id) is state:
                del self.orders[state.cl_ord_id]
            if state.order_id is not None and self.orders_by_id.get(state.order_id) is state:
                del self.orders_by_id[state.order_id]
