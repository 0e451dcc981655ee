"""The client's order book: what it knows of each of its orders (:class:`OrderState`), kept
from the venue's ExecutionReports and OrderCancelRejects by :class:`OrderBook`.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple, TypeAlias, TypeVar

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
        return self.status in OPEN_STATUSES


#: The statuses of an order that may still trade (:attr:`OrderState.open`).
OPEN_STATUSES = frozenset({"sent", "new", "partially_filled", "pending", "replaced", "unknown"})


def _with_status(state: OrderState, status: str) -> OrderState:
    """``state`` with ``status`` (``state._replace(status=status)``, in place: several times
    cheaper).
    """
    return _new_tuple(OrderState, (*state[:5], status, *state[6:]))


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
        event: The report; Side, ExecType, OrdStatus, AvgPx, and LastPx and LastQty on
            trades, are read from it.
        order_qty: Its OrderQty, already read.
        cum_qty: Its CumQty, already read.
        leaves_qty: Its LeavesQty, already read.
        price: Its Price in dollars, already read.
        quantity_sum: Whether to check the sum.
        ceiling: Prices lie below it, AvgPx at or below it: 1 dollar, or infinite on margin.
        avg_px: Its AvgPx, if already read.

    Raises:
        KeyError: Side <54>, ExecType <150> or OrdStatus <39> is missing.
        FixError: A value read here is not of its type.
    """
    return _problem(
        event,
        event.message.get(54),
        event.exec_type,
        event.ord_status,
        order_qty,
        cum_qty,
        leaves_qty,
        price,
        event.avg_px if avg_px is None else avg_px,
        quantity_sum,
        ceiling,
    )


def _problem(
    event: ExecutionReport,
    side_code: str | None,
    exec_type: str,
    ord_status: str,
    order_qty: Decimal,
    cum_qty: Decimal,
    leaves_qty: Decimal,
    price: Decimal | None,
    avg_px: Decimal,
    quantity_sum: bool,
    ceiling: Decimal,
) -> str | None:
    """:func:`report_problem`'s rules, the one place they are written, on values already read
    (``side_code`` as Side <54> came); called positionally on every report. LastPx <31> and
    LastQty <32> are read from ``event`` on trades.
    """
    if side_code != "1" and side_code != "2":
        if side_code is None:
            raise KeyError(54)
        return f"Side <54> {side_code!r} is neither 1 nor 2"
    if price is not None and not _ZERO < price < ceiling:
        return f"Price <44> {price} is not {_band(ceiling)}"
    if not _ZERO <= avg_px <= ceiling:
        return f"AvgPx <6> {avg_px} is not {_band(ceiling)}"
    if order_qty < _ZERO or cum_qty < _ZERO or leaves_qty < _ZERO:
        for name, value in (
            ("OrderQty <38>", order_qty),
            ("CumQty <14>", cum_qty),
            ("LeavesQty <151>", leaves_qty),
        ):
            if value < _ZERO:
                return f"{name} {value} is negative"
    if exec_type == "F":
        last_px, last_qty = event.last_px, event.last_qty
        if last_px is None or not _ZERO < last_px < ceiling:
            return f"LastPx <31> {last_px} of a trade is not {_band(ceiling)}"
        if last_qty is None or last_qty <= _ZERO:
            return f"LastQty <32> {last_qty} of a trade is not positive"
    if quantity_sum and ord_status in _SUMMED and cum_qty + leaves_qty != order_qty:
        return (
            f"CumQty <14> {cum_qty} + LeavesQty <151> {leaves_qty} is not OrderQty <38> {order_qty}"
        )
    return None


def _band(ceiling: Decimal) -> str:
    """Where a price must lie, in words."""
    return "positive" if ceiling.is_infinite() else f"between 0 and {ceiling} dollar"


#: What :meth:`OrderBook.apply` reads of an ExecutionReport, as text in one call: ClOrdID <11>,
#: ExecType <150>, OrderID <37>, Text <58>, OrigClOrdID <41>, then what the checks read
#: (:data:`_CHECKED`): OrdStatus <39>, Side <54> and the decimals OrderQty <38>, Price <44>,
#: CumQty <14>, LeavesQty <151> and AvgPx <6>.
_REPORT_TAGS = (11, 150, 37, 58, 41, 39, 54, 38, 44, 14, 151, 6)
#: Where the texts the checks read begin in the values of :data:`_REPORT_TAGS`.
_CHECKED = 5
#: How many reports' checked texts are remembered at most (all forgotten past that).
_MAX_CHECKED = 1024
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
# Checked texts -> OrderQty, CumQty, LeavesQty and Price (see OrderBook._checked).
_Checked: TypeAlias = dict[tuple[str | None, ...], tuple[Decimal, Decimal, Decimal, Decimal | None]]


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


def _short(texts: tuple[str | None, ...]) -> bool:
    """Whether every one of ``texts`` is short enough to be remembered."""
    return all(text is None or len(text) <= _MAX_REMEMBERED_TEXT for text in texts)


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
        # The values of the reports that passed the checks (_problem), by UseDollars and the
        # texts the checks read (OrdStatus, Side and the decimals; not a trade's, whose LastPx
        # and LastQty are read apart): the same texts pass again, with the same values.
        self._checked: tuple[_Checked, _Checked] = ({}, {})

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
            FixError: A value is not of its type, or a field the book reads (any of
                :data:`_REPORT_TAGS`, whether or not this kind of report uses it) is not
                UTF-8; nothing was applied.
        """
        if isinstance(event, ExecutionReport):
            # Every field the book reads, as text in one call (a report's property is a Python
            # call and a read of the message each). The texts the checks read, when they
            # passed before, give the values they gave then (see _checked); otherwise _check.
            values = event.message.values(_REPORT_TAGS)
            cl_ord_id, exec_type, order_id, text, orig_cl_ord_id, ord_status = values[:6]
            # A missing tag the report must have is the same KeyError its property raises.
            if cl_ord_id is None:
                raise KeyError(11)
            if exec_type is None:
                raise KeyError(150)
            if ord_status is None:
                raise KeyError(39)
            # (UseDollars as the report was read with it: the same text may mean cents.)
            checked = self._checked[event._dollars]
            texts = values[_CHECKED:]
            known = None if exec_type == "F" else checked.get(texts)
            if known is not None:
                order_qty, cum_qty, leaves_qty, price = known
            else:
                order_qty, cum_qty, leaves_qty, price, problem = self._check(
                    event, exec_type, texts
                )
                if problem is not None:
                    return problem
                if exec_type != "F" and _short(texts):
                    if len(checked) >= _MAX_CHECKED:
                        checked.clear()
                    checked[texts] = (order_qty, cum_qty, leaves_qty, price)
            orders = self.orders
            state = orders.get(cl_ord_id)
            if state is None:
                side = event.side
                assert side is not None  # A report without Side 1 or 2 is a problem above.
                state = OrderState(cl_ord_id, event.symbol, side, order_qty, price or _ZERO)
            if exec_type != "8":
                status = STATUS.get(ord_status, ord_status)
            elif text == "ORDER_ALREADY_EXISTS":
                # Refused because an order with this ClOrdID is open at the venue (spec 6.4):
                # that order lives on (placed by an earlier attempt whose answer was lost, when
                # this was retry_order), so the refusal must not close it. Its fills, if any,
                # come with its next report.
                if state.status in OPEN_STATUSES:
                    status = "new" if state.status in ("sent", "unknown") else state.status
                    state = state._replace(
                        status=status, leaves=state.quantity - state.filled, text=text
                    )
                    orders[cl_ord_id] = state
                    self._forget_closed()
                    return None
                status = "new"
                cum_qty, leaves_qty = state.filled, state.quantity - state.filled
            elif text == "EXCHANGE_UNAVAILABLE":
                status = "unknown"
            else:
                status = STATUS.get(ord_status, ord_status)
            if order_id is None:
                raise KeyError(37)
            # The fields kept, unpacked at once (a named tuple's attribute is a descriptor
            # call each), and the new state built in place rather than by state._replace(...),
            # which costs a report about a microsecond more.
            (
                known_id,
                symbol,
                side,
                quantity,
                known_price,
                _,
                old_id,
                _,
                _,
                _,
                party_id,
                ex_destination,
                request_seq_num,
            ) = state
            state = _new_tuple(
                OrderState,
                (
                    known_id,
                    symbol,
                    side,
                    order_qty or quantity,
                    price if price is not None else known_price,
                    status,
                    order_id if order_id not in ("", "-1", "NONE") else old_id,
                    cum_qty,
                    leaves_qty,
                    text,
                    party_id,
                    ex_destination,
                    request_seq_num,
                ),
            )
            orders[cl_ord_id] = state
            if status not in OPEN_STATUSES:
                self._closed.append(state)
            if exec_type in ("4", "5", "C"):
                previous = orders.get(orig_cl_ord_id or "")
                if previous is not None and previous[5] in OPEN_STATUSES:  # Its status.
                    # The order now answers to the new ClOrdID; the old one is history.
                    closed = _with_status(previous, "superseded" if exec_type == "5" else status)
                    orders[previous[0]] = closed  # By its ClOrdID.
                    self._closed.append(closed)
            order_id = state[6]  # OrderID, the report's or as known.
            if order_id is not None:
                self.by_id[order_id] = state
            if len(self._closed) > self._max_closed:
                self._forget_closed()
            return None
        elif isinstance(event, OrderCancelReject):
            state = self.orders.get(event.cl_ord_id)
            if state is not None and state.status == "sent":
                rejected = state._replace(status="rejected", text=event.text)
                self.orders[event.cl_ord_id] = rejected
                self._closed.append(rejected)
        self._forget_closed()
        return None

    def _check(
        self, event: ExecutionReport, exec_type: str, texts: tuple[str | None, ...]
    ) -> tuple[Decimal, Decimal, Decimal, Decimal | None, str | None]:
        """A report's OrderQty, CumQty, LeavesQty and Price, and what breaks the venue's
        invariants in it (:func:`_problem`), or None; ``texts``: OrdStatus <39>, Side <54>,
        OrderQty, Price <44>, CumQty, LeavesQty and AvgPx <6> as they came. The decimals'
        values are remembered by text.
        """
        ord_status, side_code, qty_text, price_text, cum_text, leaves_text, avg_text = texts
        assert ord_status is not None  # apply raised KeyError otherwise.
        quantities, dollars = self._quantities, event._dollars
        order_qty = quantities.get(qty_text)  # type: ignore[arg-type]
        if order_qty is None:
            order_qty = _remembered(quantities, qty_text, event, _ORDER_QTY)
        cum_qty = quantities.get(cum_text)  # type: ignore[arg-type]
        if cum_qty is None:
            cum_qty = _remembered(quantities, cum_text, event, _CUM_QTY)
        leaves_qty = quantities.get(leaves_text)  # type: ignore[arg-type]
        if leaves_qty is None:
            leaves_qty = _remembered(quantities, leaves_text, event, _LEAVES_QTY)
        prices = self._prices[dollars]
        price = prices.get(price_text)  # type: ignore[arg-type]
        if price is None:
            price = _remembered(prices, price_text, event, _PRICE)
        avg_prices = self._avg_prices[dollars]
        avg_px = avg_prices.get(avg_text)  # type: ignore[arg-type]
        if avg_px is None:
            avg_px = _remembered(avg_prices, avg_text, event, _AVG_PX)
        problem = _problem(
            event,
            side_code,
            exec_type,
            ord_status,
            order_qty,
            cum_qty,
            leaves_qty,
            price,
            avg_px,
            self._quantity_sum,
            self._ceiling,
        )
        return order_qty, cum_qty, leaves_qty, price, problem

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
