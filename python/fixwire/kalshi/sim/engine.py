"""The matching engine's public operations: markets and venue state, time, order entry, and
queries. Order groups are in :mod:`~fixwire.kalshi.sim.groups`, the state and the crossing in
:mod:`~fixwire.kalshi.sim.book`; the theory of operation is in :mod:`~fixwire.kalshi.sim.matching`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from fixwire.kalshi.sim.book import (
    FORMER_CLIENT_ID_CHARGE,
    IMMEDIATE,
    OPEN_ORDER_CHARGE,
    Market,
    Order,
    net_position,
)
from fixwire.kalshi.sim.events import (
    CancelRejected,
    Event,
    GroupState,
    MassCancelReport,
    OrderState,
    Position,
    Rejected,
    Replaced,
    accepted,
)
from fixwire.kalshi.sim.groups import GroupOperations
from fixwire.kalshi.sim.vocabulary import (
    CENT_TICKS,
    ONE,
    ZERO,
    CancelReason,
    CancelRejectReason,
    CancelRequestType,
    OrderStatus,
    RejectReason,
    SelfTradePrevention,
    Side,
    TickBand,
    TimeInForce,
    TradingState,
    check_price,
    check_qty,
    check_subaccount,
)

# Read once (see book.py: each Enum.MEMBER read costs an EnumType hook on Python 3.11).
_GTD = TimeInForce.GTD
_new_object = object.__new__
_init_order = Order.__init__
_OPEN = TradingState.OPEN


class MatchingEngine(GroupOperations):
    """Books, orders, order groups and positions for every market of one simulated venue.

    Args:
        id_factory: Makes order, trade, group and mass-cancel ids; defaults to a
            :class:`SequentialIds` of the engine's own.
        fee_model: Fee per side of each trade; defaults to :func:`no_fees`.
        closed_order_hours: How long a closed order is remembered after it closed (24 hours
            by default).
        max_closed_order_bytes: The most the closed orders remembered may take (64 MiB by
            default); the earliest closed are forgotten past it. "Memory" in
            :mod:`~fixwire.kalshi.sim.matching` says how closed orders are counted and what a
            request about a forgotten one gets.
        max_former_client_id_bytes: The most one order's former ClOrdIDs <11> may take (4 KiB
            by default, 12 of the longest); an order replaced again and again forgets the
            oldest, and a request naming one gets UNKNOWN_ORDER.
        max_group_bytes: The most one owner's order groups may take (4 MiB by default); a
            Create past it is refused TOO_MANY_ORDER_GROUPS
            (:mod:`~fixwire.kalshi.sim.groups`).
        max_open_order_bytes: The most one owner's open orders may take (64 MiB by default,
            about 60,000); a new order past it is refused INSUFFICIENT_BALANCE, and so is a
            cancel/replace that would add a ClOrdID <11> to it ("Memory" in
            :mod:`~fixwire.kalshi.sim.matching`).
    """

    # ---------------------------------------------------------------- markets and venue state

    def add_market(
        self,
        ticker: str,
        *,
        tick_bands: Sequence[TickBand] = CENT_TICKS,
        qty_step: Decimal = ONE,
    ) -> None:
        """List a market.

        Args:
            ticker: Symbol <55>.
            tick_bands: Valid prices on the Yes scale; whole cents by default.
            qty_step: Quantity increment: 1 for whole contracts (the default, as no market
                trades fractions yet, spec section 18 item 15), ``Decimal("0.01")`` for
                fractional trading.

        Raises:
            ValueError: The ticker is listed already, there are no bands, or the step is not
                positive.
        """
        if ticker in self._markets:
            raise ValueError(f"market {ticker!r} is listed already")
        if not tick_bands:
            raise ValueError("a market needs at least one tick band")
        if not qty_step.is_finite() or qty_step <= 0:
            raise ValueError(f"quantity step must be positive, got {qty_step}")
        self._markets[ticker] = Market(ticker, tuple(tick_bands), qty_step)

    def close_market(self, ticker: str, now: float) -> list[Event]:
        """Close a market: cancel its orders (MARKET_CLOSE) and refuse new ones.

        Args:
            ticker: Symbol <55> of a listed market.
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``, then one :class:`Cancelled` per open order.

        Raises:
            ValueError: The ticker is not listed.
        """
        if ticker not in self._markets:
            raise ValueError(f"market {ticker!r} is not listed")
        events = self._advance(now)
        self._markets[ticker].closed = True
        for order in [o for o in self._open.values() if o.market == ticker]:
            events.append(self._cancel(order, CancelReason.MARKET_CLOSE))
        return events

    def block_trade(
        self,
        *,
        market: str,
        taker_owner: str,
        taker_client_id: str,
        taker_side: Side,
        maker_owner: str,
        maker_client_id: str,
        maker_price: Decimal,
        qty: Decimal,
        now: float,
        taker_subaccount: int = 0,
        maker_subaccount: int = 0,
    ) -> list[Event]:
        """Record a trade agreed off the book, such as an accepted and confirmed RFQ quote.

        Two fill-or-kill orders are made and matched with each other only, never with the
        book: the maker buys ``taker_side.opposite`` at ``maker_price`` (its own scale) and
        the taker buys ``taker_side`` at one dollar minus that. Positions change as for any
        trade; self-trade prevention, order groups and the book's priority do not apply.

        Returns:
            Expiries due by ``now``, then :class:`Accepted` for the taker and the maker, then
            both :class:`Filled` events (taker first), or one :class:`Rejected` per side
            when the market is not open or a client id is in use by an open order.

        Raises:
            TypeError: ``maker_price`` or ``qty`` is not a Decimal.
            ValueError: ``maker_price`` is outside (0, 1), ``qty`` is not positive, a
                subaccount is outside 0 to 63, or ``now`` went backwards.
        """
        check_price(maker_price)
        quantity = check_qty(qty)
        check_subaccount(taker_subaccount)
        check_subaccount(maker_subaccount)
        events = self._advance(now)
        sides = (
            (taker_owner, taker_client_id, taker_side, ONE - maker_price, taker_subaccount),
            (maker_owner, maker_client_id, taker_side.opposite, maker_price, maker_subaccount),
        )
        market_state = self._markets.get(market)
        reason: RejectReason | None = None
        if market_state is None:
            reason = RejectReason.MARKET_NOT_FOUND
        elif market_state.closed:
            reason = RejectReason.MARKET_ALREADY_CLOSED
        elif self._state is not TradingState.OPEN:
            reason = RejectReason.EXCHANGE_PAUSED
        elif any((owner, client_id) in self._open_by_client for owner, client_id, *_ in sides):
            reason = RejectReason.ORDER_ALREADY_EXISTS
        if reason is not None:
            for owner, client_id, side, price, subaccount in sides:
                events.append(
                    Rejected(
                        client_id=client_id,
                        owner=owner,
                        subaccount=subaccount,
                        market=market,
                        side=side,
                        price=price,
                        qty=quantity,
                        reason=reason,
                    )
                )
            return events
        orders = []
        for owner, client_id, side, price, subaccount in sides:
            order = Order(
                order_id=self._new_id(),
                client_id=client_id,
                owner=owner,
                subaccount=subaccount,
                market=market,
                side=side,
                price=price,
                order_qty=quantity,
                time_in_force=TimeInForce.FOK,
                expire_time=None,
                post_only=False,
                stp=SelfTradePrevention.TAKER_AT_CROSS,
                group_id=None,
                cancel_on_pause=False,
                max_execution_cost=None,
                priority=next(self._priority),
                leaves_qty=quantity,
            )
            self._orders[order.order_id] = order
            self._open[order.order_id] = order
            self._open_by_client[owner, client_id] = order
            self._last_by_client[owner, client_id] = order
            self._hold(order)  # Never resting: refunded by the trade that fills it.
            events.append(accepted(order.state()))
            orders.append(order)
        events.extend(self._trade(orders[0], orders[1], quantity, now))
        return events

    def positions(self, market: str) -> dict[tuple[str, int], Position]:
        """Return every non-zero net position in ``market`` by (owner, subaccount)."""
        return {
            (owner, subaccount): net_position(net)
            for (owner, subaccount, ticker), net in self._positions.items()
            if ticker == market and net != 0
        }

    @property
    def trading_state(self) -> TradingState:
        """Whether the exchange is open or paused."""
        return self._state

    def pause(self, now: float, *, exchange: bool = False) -> list[Event]:
        """Begin a trading pause, or with ``exchange`` an exchange pause.

        Orders placed with CancelOrderOnPause <21006> = Y are cancelled (PAUSE); the rest keep
        resting. During a trading pause new orders and amendments are refused and cancels work;
        during an exchange pause everything but cancel-on-disconnect is refused.

        Args:
            now: The current time in seconds.
            exchange: Pause the whole exchange, not just trading.

        Returns:
            Expiries due by ``now``, then the cancels.
        """
        events = self._advance(now)
        self._state = TradingState.EXCHANGE_PAUSED if exchange else TradingState.TRADING_PAUSED
        for order in [o for o in self._open.values() if o.cancel_on_pause]:
            events.append(self._cancel(order, CancelReason.PAUSE))
        return events

    def resume(self, now: float) -> list[Event]:
        """End a pause.

        Args:
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``.
        """
        events = self._advance(now)
        self._state = TradingState.OPEN
        return events

    # ---------------------------------------------------------------- time

    def expire(self, now: float) -> list[Event]:
        """Cancel every GTD order whose expire time is at or before ``now`` (ORDER_EXPIRY).

        Every other operation does this first too, so calling it is only needed to report
        expiries on time when nothing else happens.

        Args:
            now: The current time in seconds.

        Returns:
            One :class:`Cancelled` per expired order, earliest expiry first.
        """
        return self._advance(now)

    def end_of_day(self, now: float) -> list[Event]:
        """Cancel every open Day order (ORDER_EXPIRY).

        The simulator calls this at Kalshi's day end, 23:59:59.999 America/New_York.

        Args:
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``, then one :class:`Cancelled` per Day order.
        """
        events = self._advance(now)
        for order in [o for o in self._open.values() if o.time_in_force is TimeInForce.DAY]:
            events.append(self._cancel(order, CancelReason.ORDER_EXPIRY))
        return events

    # ---------------------------------------------------------------- order entry

    def submit(
        self,
        owner: str,
        client_id: str,
        market: str,
        side: Side,
        price: Decimal,
        qty: Decimal | int,
        now: float,
        time_in_force: TimeInForce = TimeInForce.GTC,
        expire_time: float | None = None,
        post_only: bool = False,
        stp: SelfTradePrevention = SelfTradePrevention.TAKER_AT_CROSS,
        group_id: str | None = None,
        cancel_on_pause: bool = False,
        max_execution_cost: Decimal | None = None,
        subaccount: int = 0,
    ) -> list[Event]:
        """Enter a new limit order (NewOrderSingle 35=D).

        The arguments may be given by keyword or, in this order, by position: the simulator's
        order path gives all of them by position (a call with sixteen keywords costs about
        1,200 instructions more).

        Args:
            owner: The trading identity placing the order.
            client_id: ClOrdID <11>; must differ from the owner's open orders.
            market: Symbol <55>.
            side: The contract to buy.
            price: Limit in dollars on ``side``'s own scale (see :func:`from_yes_price`).
            qty: OrderQty <38>, a multiple of the market's quantity step.
            now: The current time in seconds.
            time_in_force: TimeInForce <59>; GTC when not given.
            expire_time: ExpireTime <126>, required with GTD and only with GTD.
            post_only: ExecInst <18> = 6: never take liquidity.
            stp: SelfTradePreventionType <2964>.
            group_id: Order group to join, SecondaryClOrdID <526>.
            cancel_on_pause: CancelOrderOnPause <21006>.
            max_execution_cost: MaxExecutionCost <21009> in dollars; makes the order
                fill-or-kill within that total cost (fees included).
            subaccount: AllocAccount <79>.

        Returns:
            Expiries due by ``now``; then :class:`Rejected`, or :class:`Accepted` followed by
            fills, maker cancels, group triggers and the order's own cancel, as they happened.

        Raises:
            TypeError: ``price`` or ``max_execution_cost`` is not a Decimal, or ``qty`` is
                neither Decimal nor int.
            ValueError: ``price`` is outside (0, 1) or has more than four decimal places,
                ``qty`` is not positive, ``subaccount`` is outside 0 to 63, ``expire_time`` is
                missing for GTD or given for another time in force, ``max_execution_cost`` is
                not positive, or ``now`` went backwards.
        """
        check_price(price)
        quantity = check_qty(qty)
        check_subaccount(subaccount)
        if (time_in_force is _GTD) != (expire_time is not None):
            raise ValueError("expire_time is required with GTD and allowed only with GTD")
        if expire_time is not None and not math.isfinite(expire_time):
            raise ValueError(f"expire_time must be finite, got {expire_time}")
        if max_execution_cost is not None:
            if not isinstance(max_execution_cost, Decimal):
                raise TypeError("max_execution_cost must be a decimal.Decimal")
            if not max_execution_cost.is_finite() or max_execution_cost <= 0:
                raise ValueError(f"max_execution_cost must be positive, got {max_execution_cost}")
        events = self._advance(now)

        # Why the venue refuses the order, if it does (the venue's answer, not an error).
        key = (owner, client_id)
        reason: RejectReason | None = None
        market_state = self._markets.get(market)
        if market_state is None:
            reason = RejectReason.MARKET_NOT_FOUND
        elif market_state.closed:
            reason = RejectReason.MARKET_ALREADY_CLOSED
        elif self._state is not _OPEN:
            reason = (
                RejectReason.EXCHANGE_PAUSED
                if self._state is TradingState.EXCHANGE_PAUSED
                else RejectReason.TRADING_PAUSED
            )
        elif key in self._open_by_client:
            reason = RejectReason.ORDER_ALREADY_EXISTS
        elif (
            not market_state.on_tick(side, price)
            or not market_state.on_step(quantity)
            or (
                # Post-only never takes: an order that must trade now cannot be post-only (a
                # GTD order whose expire time has passed acts as IOC).
                post_only
                and (
                    time_in_force in IMMEDIATE
                    or (expire_time is not None and expire_time <= now)
                    or max_execution_cost is not None
                )
            )
        ):
            reason = RejectReason.INVALID_ORDER
        elif group_id is not None:
            group = self._groups.get(group_id)
            if group is None or group.owner != owner or group.subaccount != subaccount:
                reason = RejectReason.ORDER_GROUP_NOT_FOUND
            elif group.triggered:
                reason = RejectReason.EXCEEDED_ORDER_GROUP_RISK_LIMIT
        if reason is None:
            # Charged here, once taken (the order is made next), refunded when it closes:
            # new_order_charge inlined, as a call costs the order path about 1,000
            # instructions.
            held = (
                self._open_bytes.get(owner, 0)
                + OPEN_ORDER_CHARGE
                + len(market)
                + FORMER_CLIENT_ID_CHARGE
            )
            if held > self.max_open_order_bytes:
                reason = RejectReason.INSUFFICIENT_BALANCE
            else:
                self._open_bytes[owner] = held
        if reason is not None:
            events.append(
                Rejected(
                    client_id=client_id,
                    owner=owner,
                    subaccount=subaccount,
                    market=market,
                    side=side,
                    price=price,
                    qty=quantity,
                    reason=reason,
                )
            )
            return events

        # Positional, in Order's field order: a class called with keywords has them packed
        # into a dictionary and unpacked again, about 3 us for Order's seventeen. Made, then
        # its __init__ called from here: a class's call reaches a Python __init__ through C
        # (type.__call__, slot_tp_init), about 1,000 instructions more than a call from Python.
        order = _new_object(Order)
        _init_order(
            order,
            self._new_id(),  # order_id
            client_id,
            owner,
            subaccount,
            market,
            side,
            price,
            quantity,  # order_qty
            time_in_force,
            expire_time,
            post_only,
            stp,
            group_id,
            cancel_on_pause,
            max_execution_cost,
            next(self._priority),  # priority
            quantity,  # leaves_qty
        )
        self._orders[order.order_id] = order
        self._open[order.order_id] = order
        self._open_by_client[key] = order
        self._last_by_client[key] = order
        if group_id is not None:
            self._groups[group_id].members[order.order_id] = order
        if expire_time is not None:
            self._schedule_expiry(order, expire_time)
        events.append(accepted(order.state()))
        events.extend(self._execute(order, now))
        return events

    def cancel(
        self,
        *,
        owner: str,
        client_id: str,
        orig_client_id: str,
        now: float,
        order_id: str | None = None,
        market: str | None = None,
        side: Side | None = None,
        subaccount: int | None = None,
    ) -> list[Event]:
        """Cancel an open order (OrderCancelRequest 35=F).

        Args:
            owner: The requesting identity; it must own the order.
            client_id: ClOrdID <11> of the request; the order takes it on.
            orig_client_id: OrigClOrdID <41>, the order's current ClOrdID.
            now: The current time in seconds.
            order_id: OrderID <37>; when given it identifies the order.
            market: Symbol <55>; when given it must match.
            side: Side <54>; when given it must match.
            subaccount: AllocAccount <79>; when given it must match.

        Returns:
            Expiries due by ``now``, then :class:`Cancelled` or :class:`CancelRejected`.
        """
        events = self._advance(now)
        order, reason = self._find(owner, orig_client_id, order_id, market, side, subaccount)
        if order is not None and reason is None:
            if not order.is_open:
                reason = CancelRejectReason.TOO_LATE_TO_CANCEL
            elif self._state is TradingState.EXCHANGE_PAUSED:
                reason = CancelRejectReason.EXCHANGE_PAUSED
        if order is None or reason is not None:
            events.append(
                CancelRejected(
                    client_id=client_id,
                    orig_client_id=orig_client_id,
                    owner=owner,
                    response_to=CancelRequestType.CANCEL,
                    reason=CancelRejectReason.UNKNOWN_ORDER if reason is None else reason,
                    order=order.state() if order is not None else None,
                )
            )
            return events
        events.append(self._cancel(order, CancelReason.CANCEL_REQUESTED, client_id=client_id))
        return events

    def replace(
        self,
        *,
        owner: str,
        client_id: str,
        orig_client_id: str,
        qty: Decimal | int,
        now: float,
        price: Decimal | None = None,
        order_id: str | None = None,
        market: str | None = None,
        side: Side | None = None,
        subaccount: int | None = None,
    ) -> list[Event]:
        """Change an open order's quantity and/or price (OrderCancelReplaceRequest 35=G).

        ``qty`` is the new total OrderQty <38>, filled contracts included. Equal to the filled
        quantity, it cancels the order; below it, the request is refused. The order keeps its
        queue place only when the price stays and the quantity does not grow. A new price that
        crosses makes the order trade at once, as a taker, before the rest rests again.

        Args:
            owner: The requesting identity; it must own the order.
            client_id: The new ClOrdID <11>; must differ from the owner's open orders.
            orig_client_id: OrigClOrdID <41>, the order's current ClOrdID.
            qty: The new OrderQty <38>.
            now: The current time in seconds.
            price: The new price on the order's own scale; None keeps the price.
            order_id: OrderID <37>; when given it identifies the order.
            market: Symbol <55>; when given it must match.
            side: Side <54>; when given it must match.
            subaccount: AllocAccount <79>; when given it must match.

        Returns:
            Expiries due by ``now``, then :class:`CancelRejected`, :class:`Cancelled`, or
            :class:`Replaced` followed by any fills and cancels the new price caused.

        Raises:
            TypeError: ``price`` is not a Decimal or ``qty`` neither Decimal nor int.
            ValueError: ``price`` is out of band, ``qty`` is not positive, or ``now`` went
                backwards.
        """
        new_qty = check_qty(qty)
        if price is not None:
            check_price(price)
        events = self._advance(now)
        order, reason = self._find(owner, orig_client_id, order_id, market, side, subaccount)
        if order is not None and reason is None:
            reason = self._check_replace(order, client_id, new_qty, price)
        if order is None or reason is not None:
            events.append(
                CancelRejected(
                    client_id=client_id,
                    orig_client_id=orig_client_id,
                    owner=owner,
                    response_to=CancelRequestType.REPLACE,
                    reason=CancelRejectReason.UNKNOWN_ORDER if reason is None else reason,
                    order=order.state() if order is not None else None,
                )
            )
            return events
        if new_qty == order.cum_qty:
            events.append(self._cancel(order, CancelReason.CANCEL_REQUESTED, client_id=client_id))
            return events

        previous_price, previous_qty = order.price, order.order_qty
        new_price = order.price if price is None else price
        priority_kept = new_price == previous_price and new_qty <= previous_qty
        if not priority_kept:
            self._unrest(order)
            order.priority = next(self._priority)
        orig = order.client_id
        self._rename(order, client_id)
        order.price = new_price
        order.order_qty = new_qty
        order.leaves_qty = new_qty - order.cum_qty
        events.append(
            Replaced(
                order=order.state(),
                orig_client_id=orig,
                previous_price=previous_price,
                previous_qty=previous_qty,
                priority_kept=priority_kept,
            )
        )
        if not priority_kept:
            events.extend(self._execute(order, now))
        return events

    def mass_cancel(
        self,
        *,
        owner: str,
        client_id: str,
        now: float,
        market: str | None = None,
        subaccount: int | None = None,
    ) -> list[Event]:
        """Cancel all of an owner's open orders (OrderMassCancelRequest 35=q).

        Args:
            owner: The requesting identity.
            client_id: ClOrdID <11> of the request.
            now: The current time in seconds.
            market: Only this market's orders, when given.
            subaccount: Only this subaccount's orders, when given.

        Returns:
            Expiries due by ``now``, then a :class:`MassCancelReport` and, when it was
            accepted, one :class:`Cancelled` (MASS_CANCEL) per order, in entry order.
        """
        events = self._advance(now)
        operation_id = self._new_id()
        if self._state is TradingState.EXCHANGE_PAUSED:
            events.append(
                MassCancelReport(
                    client_id=client_id,
                    owner=owner,
                    operation_id=operation_id,
                    accepted=False,
                    reason=RejectReason.EXCHANGE_PAUSED,
                    count=0,
                )
            )
            return events
        targets = [
            o
            for o in self._open.values()
            if o.owner == owner
            and (market is None or o.market == market)
            and (subaccount is None or o.subaccount == subaccount)
        ]
        events.append(
            MassCancelReport(
                client_id=client_id,
                owner=owner,
                operation_id=operation_id,
                accepted=True,
                reason=None,
                count=len(targets),
            )
        )
        events.extend(self._cancel(o, CancelReason.MASS_CANCEL) for o in targets)
        return events

    def cancel_all_for_owner(self, owner: str, now: float) -> list[Event]:
        """Cancel every open order of ``owner`` (CancelOrdersOnDisconnect <8013>).

        Unlike :meth:`mass_cancel` this is the venue's own action, so it also works during an
        exchange pause.

        Args:
            owner: The identity whose session ended.
            now: The current time in seconds.

        Returns:
            Expiries due by ``now``, then one :class:`Cancelled` (CANCEL_ON_DISCONNECT) per
            order, in entry order.
        """
        events = self._advance(now)
        for order in [o for o in self._open.values() if o.owner == owner]:
            events.append(self._cancel(order, CancelReason.CANCEL_ON_DISCONNECT))
        return events

    # ---------------------------------------------------------------- queries

    def order(self, order_id: str) -> OrderState | None:
        """Return an order by OrderID <37>, open or closed, or None if there is none (never was,
        or closed and forgotten: see :class:`~fixwire.kalshi.sim.book.EngineState`).
        """
        order = self._orders.get(order_id)
        return order.state() if order is not None else None

    def open_orders(self, owner: str | None = None, market: str | None = None) -> list[OrderState]:
        """Return the open orders, optionally of one owner and/or market, in entry order."""
        return [
            o.state()
            for o in self._open.values()
            if (owner is None or o.owner == owner) and (market is None or o.market == market)
        ]

    def resting(self, market: str, side: Side) -> list[OrderState]:
        """Return one side of a market's book in priority order (best price, then earliest).

        Raises:
            KeyError: The market is not listed.
        """
        return [o.state() for o in self._markets[market].bids[side]]

    def depth(self, market: str, side: Side) -> list[tuple[Decimal, Decimal]]:
        """Return ``(price, total leaves)`` per level of one side, best price first.

        Raises:
            KeyError: The market is not listed.
        """
        return self._markets[market].bids[side].depth()

    def best_bid(self, market: str, side: Side) -> Decimal | None:
        """Return the best resting bid for ``side`` on its own scale, or None if there is none.

        Raises:
            KeyError: The market is not listed.
        """
        return self._markets[market].bids[side].best()

    def position(self, owner: str, market: str, subaccount: int = 0) -> Position:
        """Return the net position of an owner's subaccount in a market."""
        return net_position(self._positions.get((owner, subaccount, market), ZERO))

    def group(self, group_id: str) -> GroupState | None:
        """Return a group (volume as of the latest ``now``), or None if there is none."""
        group = self._groups.get(group_id)
        return group.state(self._now) if group is not None else None

    # ---------------------------------------------------------------- internals

    def _find(
        self,
        owner: str,
        orig_client_id: str,
        order_id: str | None,
        market: str | None,
        side: Side | None,
        subaccount: int | None,
    ) -> tuple[Order | None, CancelRejectReason | None]:
        """Return the order a cancel or replace is about, or why there is none."""
        if order_id is not None:
            order = self._orders.get(order_id)
        else:
            key = (owner, orig_client_id)
            order = self._open_by_client.get(key) or self._last_by_client.get(key)
        if (
            order is None
            or order.owner != owner
            or (market is not None and market != order.market)
            or (side is not None and side is not order.side)
            or (subaccount is not None and subaccount != order.subaccount)
        ):
            return None, CancelRejectReason.UNKNOWN_ORDER
        return order, None

    def _check_replace(
        self, order: Order, client_id: str, qty: Decimal, price: Decimal | None
    ) -> CancelRejectReason | None:
        """Return why a cancel/replace of ``order`` is refused, or None when it can go ahead."""
        if order.status is OrderStatus.FILLED:
            return CancelRejectReason.CANNOT_UPDATE_FILLED_ORDER
        if not order.is_open:
            return CancelRejectReason.TOO_LATE_TO_CANCEL
        if self._state is TradingState.EXCHANGE_PAUSED:
            return CancelRejectReason.EXCHANGE_PAUSED
        if self._state is TradingState.TRADING_PAUSED:
            return CancelRejectReason.TRADING_PAUSED
        if (order.owner, client_id) in self._open_by_client:
            return CancelRejectReason.ORDER_ALREADY_EXISTS
        market = self._markets[order.market]
        if qty < order.cum_qty or not market.on_step(qty):
            return CancelRejectReason.INVALID_AMEND_QTY_FOR_ORDER
        if (
            qty != order.cum_qty
            and len(order.former_client_ids or ()) < self.max_former_client_ids
            and self._open_bytes[order.owner] + FORMER_CLIENT_ID_CHARGE > self.max_open_order_bytes
        ):
            # The order would answer to one more ClOrdID <11>, past its owner's cap.
            return CancelRejectReason.INSUFFICIENT_BALANCE
        if price is None or price == order.price:
            return None
        if not market.on_tick(order.side, price):
            return CancelRejectReason.INVALID_PRICE
        opposite = market.bids[order.side.opposite]
        best = opposite.best()
        if best is None or price + best < ONE:
            return None
        if order.post_only:
            return CancelRejectReason.POST_ONLY_CROSS
        for maker in opposite:
            if price + maker.price < ONE:
                break
            if maker.owner == order.owner:
                return CancelRejectReason.SELF_CROSS_ATTEMPT
        return None
