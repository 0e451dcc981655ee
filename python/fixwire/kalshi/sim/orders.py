"""Order entry (spec section 7: 35=D, F, G, q, UOG) through the matching engine, and the
reports: ExecutionReports with the documented tags (ExecID ``clock;event``, CumQty/LeavesQty,
AvgPx, trades with LastPx/LastQty, TrdMatchID, AggressorIndicator, LongQty/ShortQty, NoMiscFees
and NoCollateralAmountChanges), PENDING reports (ExecID ``-1;-1``) unless SkipPendingExecReports
<21011>=Y, OrderCancelReject <9>, OrderMassCancelReport <r> and OrderGroupResponse <UOH>.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any, cast

from fixwire._native import Message, Rule, Template
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.core import (
    HOUSE,
    TWO_DP,
    Participant,
    qty_text,
    transact_time,
)
from fixwire.kalshi.sim.drop_copy import DropCopyFlow
from fixwire.kalshi.sim.market_data import MarketDataFlow
from fixwire.kalshi.sim.vocabulary import ZERO
from fixwire.session.config import FieldValue, TemplateValue

#: CumQty <14> before a fill, as :func:`~.core.qty_text` writes it.
_NO_QTY = qty_text(ZERO)
#: ``_publish``'s ``unsent`` when every report is sent (one object, made once).
_NOTHING_UNSENT: frozenset[str] = frozenset()


class OrderFlow(MarketDataFlow, DropCopyFlow):
    """KalshiNR/KalshiRT order entry, and every engine event published as its FIX report."""

    _events: itertools.count[int]
    #: Fault injection (:meth:`exchange_unavailable`): answers still to lose, and whether
    #: their orders are placed all the same.
    _unavailable: list[bool]

    def exchange_unavailable(self, orders: int = 1, *, placed: bool) -> None:
        """Fault injection: the next ``orders`` NewOrderSingles <D> are answered with a
        rejected ExecutionReport, Text ``EXCHANGE_UNAVAILABLE`` (OrdRejReason <103>=99), the
        answer of a venue that cannot tell what became of them (spec 7.7). With ``placed``
        each was placed all the same: its New report is kept for drop copy but never sent;
        without, it was not placed.
        """
        if orders < 1:
            raise ValueError("orders must be at least 1")
        self._unavailable += [placed] * orders

    def _new_order(self, api_key: str, client: Participant, msg: Message, now: float) -> None:
        # The order's text fields in one call (each read is a call into the message).
        (
            cl_ord_id,
            side_code,
            symbol,
            tif,
            group_id,
            named,
            exec_inst,
            price_text,
            qty_text_,
            stp_text,
            expire_text,
            pause_text,
            cost_text,
            account_text,
        ) = msg.values(_ORDER_TEXT)
        if cl_ord_id is None or side_code is None or symbol is None:
            raise KeyError(11 if cl_ord_id is None else 54 if side_code is None else 55)
        side = _YES if side_code == "1" else _NO
        # The remembered values first (_order_price and _order_qty look them up as well).
        prices = self._order_prices[client.flags.use_dollars].get(price_text)
        if prices is None:
            prices = self._order_price(client, msg, price_text)
        yes_price = None if prices is None else prices[0]
        qty = self._order_qtys.get(qty_text_)
        if qty is None:
            qty = self._order_qty(msg, qty_text_)
        if not client.flags.skip_pending_exec_reports:
            self._send_pending(client, msg, "A", side, yes_price, qty)
        unavailable = bool(self._unavailable)
        if unavailable and not self._unavailable.pop(0):
            self._send(client, "8", self._unavailable_fields(msg, side, qty))
            return  # Never placed.
        # The order group: SecondaryClOrdID <526> in the docs, OrderGroupID <20130> in the
        # dictionary (spec 18.11). Either is honoured, so that an order never escapes the
        # group's risk limit that its sender asked for; two that disagree are refused.
        if named is not None and group_id is not None and named != group_id:
            reason = m.RejectReason.INVALID_ORDER
            self._publish([refused(api_key, msg, side, yes_price, reason)], client)
            return
        try:
            if tif is None:
                tif = "1"
            # The common texts by dictionary; any other is read as its type (and refused
            # there when it is not one).
            stp = _STP_BY_TEXT.get(stp_text)
            if stp is None:
                code = msg.get_int(2964, 1)
                stp = _SELF_TRADE_PREVENTION.get(code) or m.SelfTradePrevention(code)
            cancel_on_pause = _FLAG_BY_TEXT.get(pause_text)
            if cancel_on_pause is None:
                cancel_on_pause = bool(msg.get_bool(21006, default=False))
            expire = None if expire_text is None else msg.get_time_ns(126)
            # MatchingEngine.submit's arguments, by position (see its docstring).
            events = self.engine.submit(
                api_key,  # owner
                cl_ord_id,  # client_id
                symbol,  # market
                side,
                ZERO if prices is None else prices[1 if side is _YES else 2],  # price
                qty,
                now,
                # A dictionary rather than the enum's call (its ValueError for the rest).
                _TIME_IN_FORCE.get(tif) or m.TimeInForce(tif),
                None if expire is None else expire / 1e9,  # expire_time
                "6" in (exec_inst or ""),  # post_only
                stp,
                group_id or named,  # group_id
                cancel_on_pause,
                None if cost_text is None else msg.get_decimal(21009),  # max_execution_cost
                client.subaccount if account_text is None else msg.get_int(79, client.subaccount),
            )
        except (ValueError, TypeError, ArithmeticError):
            # The engine's message names the argument; the venue answers with a code.
            events = [refused(api_key, msg, side, yes_price, m.RejectReason.INVALID_ORDER)]
        unsent = _NOTHING_UNSENT
        if unavailable:
            self._send(client, "8", self._unavailable_fields(msg, side, qty))
            unsent = frozenset(e.order.order_id for e in events if isinstance(e, m.Accepted))
        self._publish(events, client, unsent)

    def _unavailable_fields(
        self, msg: Message, side: m.Side, qty: Decimal
    ) -> list[tuple[int, FieldValue]]:
        """A rejected ExecutionReport, EXCHANGE_UNAVAILABLE: the outcome is not known."""
        return [
            (11, msg[11]),
            (37, "NONE"),
            (17, "-1;-1"),
            (6, Decimal(0)),
            (14, Decimal("0.00")),
            (38, qty.quantize(TWO_DP)),
            (39, "8"),
            (54, side.value),
            (55, msg[55]),
            (58, "EXCHANGE_UNAVAILABLE"),
            (60, transact_time(self._now())),
            (103, 99),
            (150, "8"),
            (151, Decimal("0.00")),
        ]

    def _cancel(self, api_key: str, client: Participant, msg: Message, now: float) -> None:
        # Side <54>, Symbol <55> and AllocAccount <79> (when sent) must match the order's
        # (spec 7.3): a mismatch is an unknown order, CxlRejReason <102>=1.
        events = self.engine.cancel(
            owner=api_key,
            client_id=msg[11],
            orig_client_id=msg[41],
            order_id=msg.get(37),
            now=now,
            market=msg[55],
            side=m.Side.YES if msg[54] == "1" else m.Side.NO,
            subaccount=msg.get_int(79),
        )
        if not client.flags.skip_pending_exec_reports:
            # The cancelled order as the event saw it: the engine may already have forgotten it.
            # Expiries due by now come first: the requested cancel is the CANCEL_REQUESTED one.
            order = next(
                (
                    e.order
                    for e in events
                    if isinstance(e, m.Cancelled) and e.reason is m.CancelReason.CANCEL_REQUESTED
                ),
                None,
            )
            if order is not None:
                self._send_pending(client, msg, "6", order.side, order.yes_price, order.order_qty)
        self._publish(events, client)

    def _replace(self, api_key: str, client: Participant, msg: Message, now: float) -> None:
        price = self._price(client, msg)
        side = m.Side.YES if msg[54] == "1" else m.Side.NO
        if not client.flags.skip_pending_exec_reports:
            self._send_pending(client, msg, "E", side, price, msg.get_decimal(38, Decimal(0)))
        try:
            events = self.engine.replace(
                owner=api_key,
                client_id=msg[11],
                orig_client_id=msg[41],
                qty=msg.get_decimal(38, Decimal(0)),
                price=None if price is None else m.from_yes_price(side, price),
                order_id=msg.get(37),
                now=now,
                market=msg[55],  # Must match the order's, as Side and AllocAccount (spec 7.2).
                side=side,
                subaccount=msg.get_int(79),
            )
        except (ValueError, TypeError, ArithmeticError):
            self._send(
                client,
                "9",
                [
                    (11, msg[11]),
                    (41, msg[41]),
                    (37, msg.get(37) or "NONE"),
                    (39, "8"),
                    (434, "2"),
                    (102, 99),
                    (58, "INVALID_PRICE"),
                ],
            )
            return
        self._publish(events, client)

    def _order_group(self, api_key: str, client: Participant, msg: Message, now: float) -> None:
        action = msg.get_int(20131)
        group_id = msg.get(20130)
        subaccount = msg.get_int(79, client.subaccount) or 0
        limit = msg.get_int(20132)
        engine = self.engine
        if action == 1 and limit is not None and group_id is None:
            events = engine.create_group(owner=api_key, limit=limit, now=now, subaccount=subaccount)
        elif action in (2, 3, 4) and group_id is not None:
            operation = {2: engine.reset_group, 3: engine.delete_group, 4: engine.trigger_group}[
                action
            ]
            events = operation(owner=api_key, group_id=group_id, now=now, subaccount=subaccount)
        elif action == 5 and group_id is not None and limit is not None:
            events = engine.update_group_limit(
                owner=api_key, group_id=group_id, limit=limit, now=now, subaccount=subaccount
            )
        else:
            self._business_reject(client, msg, 5, "OrderGroupRequest fields do not fit its action")
            return
        for event in events:
            if isinstance(event, m.GroupRejected):
                self._business_reject(client, msg, 0, event.reason.value)
        self._publish(events, client)

    def _publish(
        self,
        events: list[m.Event],
        requester: Participant | None = None,
        unsent: frozenset[str] = _NOTHING_UNSENT,
    ) -> None:
        """Sends each engine event to its owner's trading sessions, then the book changes
        and trades to KalshiMD subscribers. The New reports of the orders in ``unsent``
        (OrderIDs) are numbered and kept for drop copy, never sent.

        Every ExecutionReport is numbered and kept for drop copy whoever is connected, then
        sent to each of the key's trading sessions (a logged-out KalshiRT stores it for
        resend). Answers to a request (OrderCancelReject <9>, OrderMassCancelReport <r>,
        OrderGroupResponse <UOH>) go to the ``requester`` only.
        """
        # Orders that trade in the same batch they were accepted in: by default (no
        # AlwaysEmitNewBeforeTrade <21026>) their New is folded into the first Trade.
        trading = (
            {e.order.order_id for e in events if isinstance(e, m.Filled)} if len(events) > 1 else ()
        )
        trading_sessions = self._trading
        for event in events:
            # The report's event number and ExecID <17>, made for the first session sent it.
            number, exec_id = 0, None
            # An order's report first: the common case, one check.
            if isinstance(event, _REPORTED):
                order = event.order
                owner = order.owner
                if owner == HOUSE:
                    continue
                # Whether each session is sent the report depends on its Logon's flags:
                # AlwaysEmitNewBeforeTrade <21026> for a New folded into a Trade, and
                # EnableIocCancelReport <21007> for a partially filled IOC's unfilled rest
                # (without it, no report: a guess, as the spec leaves it open, question 17).
                folded = quiet = unsent_new = False
                message: str | Template = _ORDER_REPORT
                if isinstance(event, m.Accepted):
                    folded = bool(trading) and order.order_id in trading
                    unsent_new = bool(unsent) and order.order_id in unsent
                elif isinstance(event, m.Filled):
                    message = "8"
                elif isinstance(event, m.Cancelled):
                    quiet = event.reason is _IMMEDIATE_OR_CANCELLED and order.cum_qty > 0
                for client in trading_sessions.get(owner, ()):  # _trading_sessions, inlined
                    if (folded and not client.flags.always_emit_new_before_trade) or (
                        quiet and not client.flags.enable_ioc_cancel_report
                    ):
                        continue
                    first = exec_id is None
                    if exec_id is None:
                        number = next(self._events)
                        text = str(number)
                        exec_id = f"{text};{text}"
                    report: Any = (
                        self._order_values(client, event, exec_id)
                        if message is _ORDER_REPORT
                        else self._order_fields(client, cast(m.Filled, event), exec_id)
                    )
                    if first:
                        # Every execution is kept for drop copy once, as the first session
                        # it goes to is sent it (spec section 10: not rejects).
                        self._remember(owner, number, message, report)
                    if not unsent_new:
                        self._send(client, message, report)
                continue
            owner = _owner(event)
            if (
                owner == HOUSE
                or isinstance(event, m.GroupRejected)
                or (isinstance(event, m.GroupTriggered) and not event.manual)
            ):
                # A trigger by fills is told by the cancels that follow it; a Trigger action
                # is answered OrderGroupResponse <UOH>, as every action is (spec section 9).
                continue
            for client in trading_sessions.get(owner, ()):
                if isinstance(event, m.Rejected):
                    fields = self._rejected_fields(client, event)
                    if exec_id is None:
                        number = next(self._events)
                        exec_id = f"{number};{number}"
                    fields.insert(2, (17, exec_id))
                    self._send(client, "8", fields)
                elif requester is None or client is requester:
                    self._answer(client, event)
        if self._md_sessions:  # (_market_data_updates' own first check, saving the call)
            self._market_data_updates(events)

    def _answer(self, client: Participant, event: m.Event) -> None:
        """The answer to an order-entry request that is not an ExecutionReport."""
        if isinstance(event, m.CancelRejected):
            self._cancel_reject(client, event)
        elif isinstance(event, m.MassCancelReport):
            fields: list[tuple[int, FieldValue]] = [
                (11, event.client_id),
                (37, event.operation_id),
            ]
            fields.append((531, "6" if event.accepted else "0"))
            if not event.accepted:
                fields.append((532, 99))
            self._send(client, "r", fields)
        elif isinstance(event, _GROUP_ANSWERS):
            group = event.group
            fields = [(20130, group.group_id)]
            if isinstance(event, (m.GroupCreated, m.GroupLimitUpdated)):
                fields.append((20132, group.limit))
            fields.append((79, group.subaccount))
            self._send(client, "UOH", fields)

    def _order_values(
        self,
        client: Participant,
        event: m.Accepted | m.Filled | m.Cancelled | m.Replaced,
        exec_id: str,
    ) -> tuple[TemplateValue, ...]:
        """An order's ExecutionReport <8> for ``client``: the values of :data:`_ORDER_REPORT`,
        ExecID <17> ``exec_id``. A Trade's own fields are added by :meth:`_order_fields`.

        Prices and quantities go as the text the encoder would write for them, mostly
        remembered (:func:`~.core.qty_text`, :meth:`~.core.VenueCore._tick_text`): a report's
        Decimals cost more to round and to encode than the rest of it.
        """
        order = event.order
        flags = client.flags
        side = order.side
        status = _ORD_STATUS[order.status]
        text: str | None = None
        orig: str | None = None
        if isinstance(event, m.Accepted):
            exec_type = "0"
        elif isinstance(event, m.Filled):
            exec_type = "F"
        elif isinstance(event, m.Cancelled):
            exec_type = "4"
            if event.reason.is_expiry and flags.use_expired_ord_status:
                exec_type = status = "C"
            text, orig = event.reason.value, event.orig_client_id
        else:
            exec_type = status = "5"
            orig = event.orig_client_id
        cum_qty, leaves_qty = order.cum_qty, order.leaves_qty
        # OrderQty <38> is CumQty + LeavesQty unless PreserveOriginalOrderQty <21008>.
        # (Without fills it is LeavesQty itself, whose text is remembered: a sum would be a
        # fresh Decimal to hash.)
        leaves_text = qty_text(leaves_qty)
        if flags.preserve_original_order_qty:
            order_qty_text = qty_text(order.order_qty)
        else:
            order_qty_text = qty_text(cum_qty + leaves_qty) if cum_qty else leaves_text
        return (
            order.client_id,
            order.order_id,
            exec_id,
            # AvgPx <6>: before a fill "0", the text the encoder writes for Decimal 0.
            "0"
            if not cum_qty
            else format(
                self._wire_price(client, m.to_yes_price(side, order.cum_cost / cum_qty)), "f"
            ),
            qty_text(cum_qty) if cum_qty else _NO_QTY,
            order_qty_text,
            status,
            self._tick_text(client, side, order.price),
            _SIDE_CODE[side],
            order.market,
            # The time of the engine operation that made the event, the latest _now().
            transact_time(self._last_now),
            exec_type,
            leaves_text,
            text,
            orig,
            order.subaccount or None,
        )

    def _order_fields(
        self, client: Participant, event: m.Filled, exec_id: str
    ) -> list[tuple[int, FieldValue]]:
        """A Trade's ExecutionReport <8> for ``client``: :meth:`_order_values`' fields, then
        the trade's own (LastPx <31>, LastQty <32>, positions, TrdMatchID <880>, fees and
        collateral).
        """
        order = event.order
        values = self._order_values(client, event, exec_id)
        # Its first slots' values, never None.
        common = cast(tuple[FieldValue, ...], values[:_COMMON_SLOTS])
        fields: list[tuple[int, FieldValue]] = list(zip(_ORDER_REPORT_TAGS, common, strict=True))
        fields += [
            (31, self._wire_price(client, event.yes_price)),
            (32, event.qty.quantize(TWO_DP)),
            (704, event.long_qty.quantize(TWO_DP)),
            (705, event.short_qty.quantize(TWO_DP)),
            (880, event.trade_id),
            (1057, event.liquidity.aggressor),
            (136, [[(137, event.fee.quantize(TWO_DP)), (138, "USD"), (139, "4"), (891, "0")]]),
        ]
        # Contracts that net against the owner's opposite position free $1 of collateral
        # each (a Yes and a No pay exactly $1): the BALANCE change is that return less
        # the cost, and SingleMarketCollateralReturn <21030> says how much was returned
        # (only with SplitCollateralReturn <21027>, only when non-zero, spec 7.5). No
        # market groups are simulated, so RangedMarketCollateralReturn <21031> never is.
        kept = event.long_qty if order.side is m.Side.YES else event.short_qty
        returned = max(event.qty - kept, ZERO)
        balance = returned - event.price * event.qty
        fields.append((1703, [[(1704, balance.quantize(TWO_DP)), (1705, "BALANCE")]]))
        if returned and client.flags.split_collateral_return:
            fields.append((21030, returned.quantize(TWO_DP)))
        if order.subaccount:
            fields.append((79, order.subaccount))
        fields.append(_LAST_MKT)
        return fields

    def _rejected_fields(
        self, client: Participant, event: m.Rejected
    ) -> list[tuple[int, FieldValue]]:
        return [
            (11, event.client_id),
            (37, "NONE"),
            (6, Decimal(0)),
            (14, Decimal("0.00")),
            (38, event.qty.quantize(TWO_DP)),
            (39, "8"),
            (54, event.side.value),
            (55, event.market),
            (58, event.reason.value),
            (60, transact_time(self._now())),
            (103, event.reason.ord_rej_reason),
            (150, "8"),
            (151, Decimal("0.00")),
            _LAST_MKT,
        ]

    def _cancel_reject(self, client: Participant, event: m.CancelRejected) -> None:
        order = event.order
        fields: list[tuple[int, FieldValue]] = [
            (11, event.client_id),
            (41, event.orig_client_id),
            (37, order.order_id if order is not None else "NONE"),
            (39, order.status.value if order is not None else "8"),
            (434, str(int(event.response_to))),
            (102, self._cxl_rej_reason(event.reason)),
            (58, event.reason.value),
        ]
        self._send(client, "9", fields)

    def _cxl_rej_reason(self, reason: m.CancelRejectReason) -> int:
        """CxlRejReason <102> for ``reason`` in the gateway's vocabulary."""
        return reason.cxl_rej_reason

    def _send_pending(
        self,
        client: Participant,
        msg: Message,
        status: str,
        side: m.Side,
        yes_price: Decimal | None,
        qty: Decimal,
    ) -> None:
        """A PENDING_NEW / PENDING_CANCEL / PENDING_REPLACE report: ExecID ``-1;-1``."""
        fields: list[tuple[int, FieldValue]] = [
            (11, msg[11]),
            (37, msg.get(37) or "NONE"),
            (17, "-1;-1"),
            (6, Decimal(0)),
            (14, Decimal("0.00")),
            (38, qty.quantize(TWO_DP) if qty > 0 else Decimal("0.00")),
            (39, status),
            (54, side.value),
            (55, msg.get(55) or "NONE"),
            (150, status),
            (151, Decimal("0.00")),
        ]
        if yes_price is not None and 0 < yes_price < 1:
            fields.append((44, self._wire_price(client, yes_price)))
        self._send(client, "8", fields)


#: NewOrderSingle <D>'s fields, read as text in one call (each read is a call into the
#: message): ClOrdID <11>, Side <54>, Symbol <55>, TimeInForce <59>, SecondaryClOrdID <526>,
#: OrderGroupID <20130>, ExecInst <18>, Price <44> and OrderQty <38> (their values remembered
#: by text), SelfTradePreventionType <2964>, ExpireTime <126>, CancelOrderOnPause <21006>,
#: MaxExecutionCost <21009> and AllocAccount <79> (the last four read as their type when sent).
_ORDER_TEXT = (11, 54, 55, 59, 526, 20130, 18, 44, 38, 2964, 126, 21006, 21009, 79)
_TIME_IN_FORCE = {t.value: t for t in m.TimeInForce}
# Read once (see book.py: each Enum.MEMBER read costs an EnumType hook on Python 3.11).
_YES, _NO = m.Side.YES, m.Side.NO
_IMMEDIATE_OR_CANCELLED = m.CancelReason.IMMEDIATE_OR_CANCELLED
# Side <54> and OrdStatus <39> by member: a dict read costs less than an enum's value property.
_SIDE_CODE = {side: side.value for side in m.Side}
_ORD_STATUS = {status: status.value for status in m.OrderStatus}
_SELF_TRADE_PREVENTION = {int(t): t for t in m.SelfTradePrevention}
#: SelfTradePreventionType <2964> by its usual texts; absent, the default (1).
_STP_BY_TEXT: dict[str | None, m.SelfTradePrevention] = {
    None: m.SelfTradePrevention(1),
    **{str(int(t)): t for t in m.SelfTradePrevention},
}
#: CancelOrderOnPause <21006> by its texts; absent, N.
_FLAG_BY_TEXT: dict[str | None, bool] = {None: False, "Y": True, "N": False}
#: LastMkt <30> on the ExecutionReports the exchange makes (spec 7.5, since 2026-08-06): the
#: exchange index that made it, 0, the simulator's one shard. Pending reports and
#: EXCHANGE_UNAVAILABLE answers are the gateway's and go without (spec 18.22).
_LAST_MKT: tuple[int, str] = (30, "0")

_ANY = Rule.text()
#: The tags of :data:`_ORDER_REPORT`'s first thirteen slots, every order report's.
_ORDER_REPORT_TAGS = (11, 37, 17, 6, 14, 38, 39, 44, 54, 55, 60, 150, 151)
_COMMON_SLOTS = len(_ORDER_REPORT_TAGS)
#: An order's ExecutionReport <8> (New, Cancel, Replace; a Trade's starts so): ClOrdID <11>,
#: OrderID <37>, ExecID <17>, AvgPx <6>, CumQty <14>, OrderQty <38>, OrdStatus <39>, Price <44>,
#: Side <54>, Symbol <55>, TransactTime <60>, ExecType <150>, LeavesQty <151>, then when set
#: Text <58>, OrigClOrdID <41> and AllocAccount <79>, and LastMkt <30>. A template: its values
#: are one tuple, encoded in one pass, and that tuple is what drop copy keeps.
_ORDER_REPORT = Template(
    "8",
    [
        *((tag, _ANY) for tag in _ORDER_REPORT_TAGS),
        (58, Rule.text(optional=True)),
        (41, Rule.text(optional=True)),
        (79, Rule.integer(optional=True)),
        _LAST_MKT,
    ],
)
_GROUP_ANSWERS = (
    m.GroupCreated,
    m.GroupReset,
    m.GroupDeleted,
    m.GroupLimitUpdated,
    m.GroupTriggered,
)
#: The events that are an order's ExecutionReport (the rest: a Rejected one, or an answer).
_REPORTED = (m.Accepted, m.Filled, m.Cancelled, m.Replaced)


def refused(
    api_key: str, msg: Message, side: m.Side, yes_price: Decimal | None, reason: m.RejectReason
) -> m.Rejected:
    """The rejection of the NewOrderSingle <D> ``msg`` before it reached the book."""
    return m.Rejected(
        client_id=msg[11],
        owner=api_key,
        subaccount=msg.get_int(79, 0) or 0,
        market=msg[55],
        side=side,
        price=yes_price or Decimal(0),
        qty=msg.get_decimal(38, Decimal(0)),
        reason=reason,
    )


def _owner(event: m.Event) -> str:
    if isinstance(event, _REPORTED):
        return event.order.owner
    if isinstance(
        event, (m.GroupCreated, m.GroupReset, m.GroupDeleted, m.GroupLimitUpdated, m.GroupTriggered)
    ):
        return event.group.owner
    return event.owner
