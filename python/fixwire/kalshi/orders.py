"""The client's order book: what it knows of each of its orders (:class:`OrderState`), kept
from the venue's ExecutionReports and OrderCancelRejects by :class:`OrderBook`.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple, TypeVar

from fixwire.kalshi.events import (
    ExecutionReport,
    KalshiEvent,
    OrderCancelReject,
)

_ZERO = Decimal(0)
_ONE = Decimal(1)
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
        party_id: The FCM customer's PartyID <448> it was placed for (cancels and amendments
            repeat it, as the venue requires).
        ex_destination: ExDestination <100>, the exchange shard it was sent to, if chosen
            (cancels and amendments repeat it).
        request_seq_num: MsgSeqNum <34> of the request that placed it (or amended it to this
            ClOrdID): a refusal naming that request by RefSeqNum <45> closes this order.
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
    party_id: str | None = None
    ex_destination: int | None = None
    request_seq_num: int | None = None

    @property
    def open(self) -> bool:
        """Whether the order may still trade."""
        return self.status in ("sent", "new", "partially_filled", "pending", "replaced", "unknown")


STATUS = {
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


# OrdStatus <39> of the reports whose OrderQty <38> is CumQty <14> + LeavesQty <151> (spec
# section 7.5): pending and rejected reports echo the request's quantity with nothing left.
_SUMMED = frozenset({"0", "1", "2", "4", "5", "C"})


def report_problem(
    event: ExecutionReport,
    order_qty: Decimal,
    cum_qty: Decimal,
    leaves_qty: Decimal,
    price: Decimal | None,
    *,
    quantity_sum: bool,
    ceiling: Decimal = _ONE,
    avg_px: Decimal | None = None,
) -> str | None:
    """What breaks the venue's invariants in an ExecutionReport, or None when nothing does.

    The rules (spec sections 6 and 7.5): Side <54> is 1 or 2 (``"yes"``/``"no"``, on margin
    ``"bid"``/``"ask"``); Price <44> and LastPx <31> lie strictly between 0 and
    1 dollar on the Yes scale, AvgPx <6> within [0, 1] (on the margin gateway, whose prices
    have no ceiling, ``ceiling`` is infinite: prices are above 0); no quantity is negative and
    a trade's LastQty <32> is positive; with ``quantity_sum``, OrderQty <38> = CumQty <14> +
    LeavesQty <151> on the reports of a working or finished order.

    Args:
        event: The report; Side, AvgPx, and LastPx and LastQty on trades, are read from it.
        order_qty: Its OrderQty, already read.
        cum_qty: Its CumQty, already read.
        leaves_qty: Its LeavesQty, already read.
        price: Its Price in dollars, already read.
        quantity_sum: Whether to check the sum.
        ceiling: Prices lie below it, AvgPx at or below it: 1 dollar, or infinite on margin.
        avg_px: Its AvgPx, if already read.

    Raises:
        FixError: A value read here is not of its type.
    """
    if event.side is None:
        return f"Side <54> {event.message[54]!r} is neither 1 nor 2"
    if price is not None and not _ZERO < price < ceiling:
        return f"Price <44> {price} is not {_band(ceiling)}"
    if avg_px is None:
        avg_px = event.avg_px
    if not _ZERO <= avg_px <= ceiling:
        return f"AvgPx <6> {avg_px} is not {_band(ceiling)}"
    if order_qty < 0 or cum_qty < 0 or leaves_qty < 0:
        for name, value in (
            ("OrderQty <38>", order_qty),
            ("CumQty <14>", cum_qty),
            ("LeavesQty <151>", leaves_qty),
        ):
            if value < 0:
                return f"{name} {value} is negative"
    if event.exec_type == "F":
        last_px, last_qty = event.last_px, event.last_qty
        if last_px is None or not _ZERO < last_px < ceiling:
            return f"LastPx <31> {last_px} of a trade is not {_band(ceiling)}"
        if last_qty is None or last_qty <= 0:
            return f"LastQty <32> {last_qty} of a trade is not positive"
    if quantity_sum and event.ord_status in _SUMMED and cum_qty + leaves_qty != order_qty:
        return (
            f"CumQty <14> {cum_qty} + LeavesQty <151> {leaves_qty} is not OrderQty <38> {order_qty}"
        )
    return None


def _band(ceiling: Decimal) -> str:
    """Where a price must lie, in words."""
    return "positive" if ceiling.is_infinite() else f"between 0 and {ceiling} dollar"


#: An ExecutionReport's decimals read as text in one call: OrderQty <38>, Price <44>, CumQty
#: <14>, LeavesQty <151> and AvgPx <6>.
_DECIMAL_TAGS = (38, 44, 14, 151, 6)
_ORDER_QTY = attrgetter("order_qty")
_CUM_QTY = attrgetter("cum_qty")
_LEAVES_QTY = attrgetter("leaves_qty")
_PRICE = attrgetter("price")
_AVG_PX = attrgetter("avg_px")
#: The longest text whose value is remembered, and how many are remembered at most (all
#: forgotten past that): a bound whatever the venue sends.
_MAX_REMEMBERED_TEXT = 16
_MAX_REMEMBERED = 4096
_V = TypeVar("_V", Decimal, Decimal | None)


def _remembered(
    values: dict[str, _V],
    text: str | None,
    event: ExecutionReport,
    read: Callable[[ExecutionReport], _V],
) -> _V:
    """The value ``read`` gives for the field whose text is ``text``, remembered by text:
    reports repeat a few quantities and prices, and reading a ``Decimal`` costs several
    times a dictionary's look-up. The value still comes from ``read`` (the report's own
    property, the one rule); an absent or long text is read each time.
    """
    if text is None or len(text) > _MAX_REMEMBERED_TEXT:
        return read(event)
    value = values.get(text)
    if value is None:
        value = read(event)
        if value is not None:
            if len(values) >= _MAX_REMEMBERED:
                values.clear()
            values[text] = value
    return value


class OrderBook:
    """The client's orders, kept from the reports the venue sends.

    An ExecutionReport whose values break the venue's own invariants is not applied (see
    :meth:`apply`): a report that is wrong must not make the book wrong.

    Args:
        max_closed: Closed entries kept; beyond this the oldest are forgotten.
        quantity_sum: Check OrderQty <38> = CumQty <14> + LeavesQty <151> on the reports of
            a working or finished order (spec section 7.5: true unless
            PreserveOriginalOrderQty <21008>=Y).
        ceiling: Reported prices lie below it: 1 dollar on the Yes scale, infinite on the
            margin gateway.
    """

    def __init__(
        self, max_closed: int, *, quantity_sum: bool = True, ceiling: Decimal = _ONE
    ) -> None:
        #: The orders by ClOrdID <11> (each amend adds its new ClOrdID).
        self.orders: dict[str, OrderState] = {}
        #: The same orders by OrderID <37>, once acknowledged.
        self.by_id: dict[str, OrderState] = {}
        # Orders as they closed, oldest first, to forget the oldest beyond max_closed.
        self._closed: collections.deque[OrderState] = collections.deque()
        self._max_closed = max_closed
        self._quantity_sum = quantity_sum
        self._ceiling = ceiling
        # The values of the reports' decimal texts, remembered (see _remembered): the
        # quantities, one rule for OrderQty <38>, CumQty <14> and LeavesQty <151>; Price <44>
        # and AvgPx <6> by UseDollars <21005>.
        self._quantities: dict[str, Decimal] = {}
        self._prices: tuple[dict[str, Decimal | None], dict[str, Decimal | None]] = ({}, {})
        self._avg_prices: tuple[dict[str, Decimal], dict[str, Decimal]] = ({}, {})

    def in_doubt(self) -> None:
        """After a disconnect on a session without retransmission, an order the venue has not
        answered may or may not exist: it becomes ``"unknown"`` (reconcile, or
        :meth:`~fixwire.kalshi.KalshiClient.retry_order` with the same ClOrdID).
        """
        for cl_ord_id, state in self.orders.items():
            if state.status == "sent":
                self.orders[cl_ord_id] = state._replace(status="unknown")

    def apply(self, event: KalshiEvent) -> str | None:
        """Updates the order book from an ExecutionReport or OrderCancelReject.

        Returns:
            Why an ExecutionReport was not applied (its values break the venue's invariants:
            see :func:`report_problem`), or None.

        Raises:
            KeyError: The report lacks a tag it must have; nothing was applied.
            FixError: A value is not of its type; nothing was applied.
        """
        if isinstance(event, ExecutionReport):
            # Each attribute of the lazy report is read once; its decimals' texts in one call,
            # their values remembered by text.
            cl_ord_id, exec_type, ord_status = event.cl_ord_id, event.exec_type, event.ord_status
            text = event.text
            qty_text, price_text, cum_text, leaves_text, avg_text = event.message.values(
                _DECIMAL_TAGS
            )
            # (UseDollars as the report was read with it: the same text may mean cents.)
            quantities, dollars = self._quantities, event._dollars
            order_qty = _remembered(quantities, qty_text, event, _ORDER_QTY)
            cum_qty = _remembered(quantities, cum_text, event, _CUM_QTY)
            leaves_qty = _remembered(quantities, leaves_text, event, _LEAVES_QTY)
            price = _remembered(self._prices[dollars], price_text, event, _PRICE)
            avg_px = _remembered(self._avg_prices[dollars], avg_text, event, _AVG_PX)
            problem = report_problem(
                event,
                order_qty,
                cum_qty,
                leaves_qty,
                price,
                quantity_sum=self._quantity_sum,
                ceiling=self._ceiling,
                avg_px=avg_px,
            )
            if problem is not None:
                return problem
            state = self.orders.get(cl_ord_id)
            if state is None:
                side = event.side
                assert side is not None  # A report without Side 1 or 2 is a problem above.
                state = OrderState(cl_ord_id, event.symbol, side, order_qty, price or _ZERO)
            if exec_type == "8" and text == "ORDER_ALREADY_EXISTS":
                # Refused because an order with this ClOrdID is open at the venue (spec 6.4):
                # that order lives on (placed by an earlier attempt whose answer was lost, when
                # this was retry_order), so the refusal must not close it. Its fills, if any,
                # come with its next report.
                if state.open:
                    status = "new" if state.status in ("sent", "unknown") else state.status
                    state = state._replace(
                        status=status, leaves=state.quantity - state.filled, text=text
                    )
                    self.orders[cl_ord_id] = state
                    self._forget_closed()
                    return None
                status = "new"
                cum_qty, leaves_qty = state.filled, state.quantity - state.filled
            elif exec_type == "8" and text == "EXCHANGE_UNAVAILABLE":
                status = "unknown"
            else:
                status = STATUS.get(ord_status, ord_status)
            order_id = event.order_id
            # OrderState(...) in place of state._replace(...), which costs a report about a
            # microsecond more: the same fields, in OrderState's order.
            state = _new_tuple(
                OrderState,
                (
                    state.cl_ord_id,
                    state.symbol,
                    state.side,
                    order_qty or state.quantity,
                    price if price is not None else state.price,
                    status,
                    order_id if order_id not in ("", "-1", "NONE") else state.order_id,
                    cum_qty,
                    leaves_qty,
                    text,
                    state.party_id,
                    state.ex_destination,
                    state.request_seq_num,
                ),
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
                self.by_id[state.order_id] = state
        elif isinstance(event, OrderCancelReject):
            state = self.orders.get(event.cl_ord_id)
            if state is not None and state.status == "sent":
                rejected = state._replace(status="rejected", text=event.text)
                self.orders[event.cl_ord_id] = rejected
                self._closed.append(rejected)
        self._forget_closed()
        return None

    def awaiting(self, request_seq_num: int) -> OrderState | None:
        """The newest order not yet answered (``"sent"``, or ``"unknown"`` after a disconnect)
        whose request was MsgSeqNum <34> ``request_seq_num``, if any.
        """
        for state in reversed(self.orders.values()):
            if state.request_seq_num == request_seq_num and state.status in ("sent", "unknown"):
                return state
        return None

    def refused(self, cl_ord_id: str, reason: str) -> None:
        """A request was refused before the venue handled it (BusinessMessageReject <j> or
        Reject <3>): the order it placed, or the ClOrdID it amended an order to, closes as
        rejected with ``reason``, if the venue had not answered it yet. The order a refused
        cancel or amendment is about stays as it was.
        """
        state = self.orders.get(cl_ord_id)
        if state is None or state.status not in ("sent", "unknown"):
            return
        rejected = state._replace(status="rejected", text=reason)
        self.orders[cl_ord_id] = rejected
        self._closed.append(rejected)
        self._forget_closed()

    def _forget_closed(self) -> None:
        """Forgets the oldest closed orders beyond ``max_closed``."""
        closed, limit = self._closed, self._max_closed
        while len(closed) > limit:
            state = closed.popleft()
            # Only an order unchanged since it closed: one updated since (reopened, reported
            # again, its ClOrdID reused) is another state object.
            if self.orders.get(state.cl_ord_id) is state:
                del self.orders[state.cl_ord_id]
            if state.order_id is not None and self.by_id.get(state.order_id) is state:
                del self.by_id[state.order_id]
