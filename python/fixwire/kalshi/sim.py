"""A Kalshi exchange simulator: a local FIX acceptor that behaves as the venue's spec describes.

Run it with ``python -m fixwire.kalshi.sim`` (it prints how to connect), or embed it::

    sim = Simulator(markets=["DEMO-YES"])
    sim.register(api_key, signer.public_key_pem())
    await sim.start("127.0.0.1", 0, tls=SelfSignedCertificate.generate())
    ... KalshiConfig(host="127.0.0.1", port=sim.port, ...)

What it does, from kalshi-fix-spec.md:

* TLS (a throwaway self-signed certificate), FIXT.1.1 sessions through :mod:`fixwire.session`,
  every session type on one port, told apart by TargetCompID <56>. Answers carry
  SenderCompID <49> = the session type (the real gateway may say ``Kalshi``; spec 18.7).
* Logon: the RSA-PSS signature in RawData <96> checked against the registered public key (a bad
  one gets Logout with Text), SendingTime within 30 s (else Reject 373=10), ResetSeqNumFlag
  <141>=Y required on KalshiNR/DC/RFQ/MD, HeartBtInt above 3, listener rules, one connection per
  API key (Logout ``already exists``).
* Order entry (35=D, F, G, q, UOG) through the :mod:`~fixwire.kalshi.matching` engine: Yes bids
  against No bids on the Yes price scale, price-time priority, every TimeInForce, post-only,
  self-trade prevention, order groups with the rolling 15-second window.
* ExecutionReports with the documented tags: ExecID ``clock;event``, CumQty/LeavesQty, AvgPx,
  trades with LastPx/LastQty, TrdMatchID, AggressorIndicator, LongQty/ShortQty, the NoMiscFees
  and NoCollateralAmountChanges groups; PENDING reports (ExecID ``-1;-1``) unless
  SkipPendingExecReports <21011>=Y; prices in cents, or dollars with UseDollars <21005>=Y.
* OrderCancelReject <9> and BusinessMessageReject <j> with the documented reasons; mass cancel
  on KalshiNR only, once a second; cancel-on-disconnect (8013=Y); retransmission on KalshiRT
  (the session layer's store); a per-key token bucket (BusinessRejectReason <380>=8).
* Drop copy (KalshiDC): EventResendRequest <U1> replays the key's ExecutionReports by ExecID
  range, then EventResendComplete <U2>, or EventResendReject <U3>.
* :meth:`Simulator.trade_against` places an order for a house account, the "other traders" whose
  flow fills the user's orders.

Not simulated: RFQ, market data, settlement reports, balances and risk limits, fees (zero), more
than one shard, listener sessions mirroring a trading session's reports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from fixwire._native import Dictionary, Message
from fixwire.errors import SessionError
from fixwire.kalshi import matching as m
from fixwire.kalshi.client import RateLimitError, TokenBucket
from fixwire.kalshi.config import RateLimit, SessionType
from fixwire.kalshi.signing import verify_logon_signature
from fixwire.session import (
    Acceptor,
    Connection,
    Disconnected,
    LoggedOn,
    MemoryStore,
    Received,
    Role,
    SessionConfig,
    serve,
)
from fixwire.session.config import FieldValue

if TYPE_CHECKING:
    from fixwire.kalshi.tls import SelfSignedCertificate

__all__ = ["HOUSE", "Simulator"]

#: The owner of the simulator's own orders (the rest of the market).
HOUSE = "00000000-0000-4000-8000-00000000f10e"
_SESSION_TYPES = {t.target_comp_id: t for t in SessionType}
_MUST_RESET = frozenset({SessionType.NR, SessionType.DC, SessionType.RFQ, SessionType.MD})
_CENT = Decimal("0.01")
_TWO_DP = Decimal("0.01")


@dataclass(slots=True)
class _Client:
    """One API key's logged-on session and its Logon flags."""

    session_type: SessionType
    connection: Connection
    use_dollars: bool = False
    skip_pending: bool = False
    cancel_on_disconnect: bool = False
    listener: bool = False
    expired_status: bool = False
    logged_on: bool = False
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(100.0, 100.0))
    mass_cancel_bucket: TokenBucket = field(default_factory=lambda: TokenBucket(1.0, 1.0))


class Simulator:
    """The Kalshi exchange, simulated: register keys, list markets, :meth:`start`.

    Args:
        markets: Tickers listed at start (whole-cent ticks, whole contracts).
        rate_limit: The per-key Write bucket; ``None`` for no limit.
        max_sending_time_skew: SendingTime <52> tolerance, seconds (the venue's is 30).
    """

    def __init__(
        self,
        markets: Iterable[str] = ("DEMO-MKT",),
        *,
        rate_limit: RateLimit | None = None,
        max_sending_time_skew: float = 30.0,
    ) -> None:
        self.engine = m.MatchingEngine()
        for ticker in markets:
            self.engine.add_market(ticker)
        self._keys: dict[str, bytes] = {}
        self._clients: dict[str, _Client] = {}
        self._rate_limit = rate_limit
        self._skew = max_sending_time_skew
        self._dictionary = Dictionary.kalshi()
        self._events = itertools.count(1)
        self._acceptor: Acceptor | None = None
        # Every ExecutionReport sent, per key, for drop-copy replay: (event number, fields).
        self._history: dict[str, list[tuple[int, list[tuple[int, FieldValue]]]]] = {}
        self._house_ids = itertools.count(1)

    def register(self, api_key: str, public_key_pem: bytes) -> None:
        """Accepts Logons from ``api_key`` signed by the key whose public half is given."""
        self._keys[api_key] = public_key_pem

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, tls: SelfSignedCertificate | None
    ) -> None:
        """Listens (TLS unless ``tls`` is None, which the real venue never allows)."""
        self._acceptor = await serve(
            self._lookup,
            self._run,
            host,
            port,
            ssl=None if tls is None else tls.server_context(),
            store_factory=lambda _: MemoryStore(),
        )

    @property
    def port(self) -> int:
        """The port listened on."""
        if self._acceptor is None:
            raise SessionError("the simulator is not started")
        return self._acceptor.port

    async def close(self) -> None:
        """Logs every session out and stops listening."""
        if self._acceptor is not None:
            await self._acceptor.close()

    def trade_against(self, market: str, side: str, quantity: int, price: Decimal) -> None:
        """The rest of the market places an IOC order: ``side`` ``"yes"``/``"no"`` at the
        Yes-scale ``price``; fills go to the user's resting orders as ExecutionReports."""
        engine_side = m.Side.YES if side == "yes" else m.Side.NO
        events = self.engine.submit(
            owner=HOUSE,
            client_id=f"house-{next(self._house_ids)}",
            market=market,
            side=engine_side,
            price=m.from_yes_price(engine_side, price),
            qty=Decimal(quantity),
            now=_now(),
            time_in_force=m.TimeInForce.IOC,
        )
        self._publish(events)

    # Sessions.

    def _lookup(self, ours: str, theirs: str) -> SessionConfig | None:
        session_type = _SESSION_TYPES.get(ours)
        if session_type is None:
            return None
        return SessionConfig(
            sender_comp_id=ours,
            target_comp_id=theirs,
            role=Role.ACCEPTOR,
            retransmission=session_type.retransmission,
            accept_logon=lambda logon: self._accept_logon(session_type, logon),
            max_sending_time_skew=self._skew,
            dictionary=self._dictionary,
        )

    def _accept_logon(self, session_type: SessionType, logon: Message) -> str | None:
        api_key = logon.get(49, "")
        public_key = self._keys.get(api_key)
        if public_key is None:
            return "unknown API key"
        signature = logon.get_bytes(96)
        if signature is None or not verify_logon_signature(
            public_key, signature, logon[52], logon.seq_num, api_key, logon[56]
        ):
            return "signature verification failed"
        if session_type in _MUST_RESET and not logon.get_bool(141, default=False):
            return f"ResetSeqNumFlag must be Y on {session_type.target_comp_id}"
        if logon.get_int(108, 0) <= 3:
            return "HeartBtInt must be greater than 3"
        listener = bool(logon.get_bool(20126, default=False))
        if listener and (
            session_type not in (SessionType.NR, SessionType.RT)
            or not logon.get_bool(21011, default=False)
            or logon.get_bool(8013, default=False)
        ):
            return "invalid listener session"
        current = self._clients.get(api_key)
        if current is not None and current.connection.connected and current.logged_on:
            return "already exists"
        return None

    async def _run(self, connection: Connection) -> None:
        """Serves one session (across its reconnects) until the simulator closes."""
        api_key = connection.session.config.target_comp_id
        session_type = _SESSION_TYPES[connection.session.config.sender_comp_id]
        client: _Client | None = None
        async for event in connection:
            if isinstance(event, LoggedOn):
                client = self._logged_on(api_key, session_type, connection)
            elif isinstance(event, Disconnected) and client is not None:
                client.logged_on = False
                if client.cancel_on_disconnect:
                    self._publish(self.engine.cancel_all_for_owner(api_key, _now()))
            elif isinstance(event, Received) and client is not None and event.reject is None:
                self._on_message(api_key, client, event.message)

    def _logged_on(
        self, api_key: str, session_type: SessionType, connection: Connection
    ) -> _Client:
        # The Logon's flags are read from the session's last inbound Logon.
        logon = connection.session.last_logon
        client = _Client(session_type, connection)
        if logon is not None:
            client.use_dollars = bool(logon.get_bool(21005, default=False))
            client.skip_pending = bool(
                logon.get_bool(21011, default=False) or logon.get_bool(21003, default=False)
            )
            client.cancel_on_disconnect = bool(logon.get_bool(8013, default=False))
            client.listener = bool(logon.get_bool(20126, default=False))
            client.expired_status = bool(logon.get_bool(21012, default=False))
        if self._rate_limit is not None:
            limit = self._rate_limit
            client.bucket = TokenBucket(
                limit.tokens_per_second, limit.tokens_per_second * limit.burst_seconds
            )
        client.logged_on = True
        self._clients[api_key] = client
        return client

    # Application messages.

    def _on_message(self, api_key: str, client: _Client, msg: Message) -> None:
        msg_type = msg.msg_type
        order_entry = msg_type in ("D", "F", "G", "q", "UOG")
        if client.listener and order_entry:
            self._business_reject(client, msg, 6, "listener sessions cannot trade")
            return
        if order_entry and client.session_type not in (SessionType.NR, SessionType.RT):
            self._business_reject(
                client,
                msg,
                3,
                f"{msg_type} is not supported on {client.session_type.target_comp_id}",
            )
            return
        if order_entry and self._rate_limit is not None:
            try:
                client.bucket.take(
                    self._rate_limit.cancel_cost if msg_type == "F" else self._rate_limit.cost
                )
            except RateLimitError:
                self._business_reject(client, msg, 8, "rate limit exceeded")
                return
        now = _now()
        if msg_type == "D":
            self._new_order(api_key, client, msg, now)
        elif msg_type == "F":
            self._cancel(api_key, client, msg, now)
        elif msg_type == "G":
            self._replace(api_key, client, msg, now)
        elif msg_type == "q":
            if client.session_type is not SessionType.NR:
                self._business_reject(
                    client, msg, 3, "OrderMassCancelRequest is accepted on KalshiNR only"
                )
                return
            try:
                client.mass_cancel_bucket.take(1.0)
            except RateLimitError:
                self._business_reject(client, msg, 8, "mass cancel is limited to 1 per second")
                return
            self._publish(self.engine.mass_cancel(owner=api_key, client_id=msg[11], now=now))
        elif msg_type == "UOG":
            self._order_group(api_key, client, msg, now)
        elif msg_type == "U1" and client.session_type is SessionType.DC:
            self._replay(api_key, client, msg)
        else:
            self._business_reject(client, msg, 3, f"unsupported MsgType {msg_type}")

    def _price(self, client: _Client, msg: Message, tag: int = 44) -> Decimal | None:
        value = msg.get_decimal(tag)
        if value is None or client.use_dollars:
            return value
        return value * _CENT

    def _new_order(self, api_key: str, client: _Client, msg: Message, now: float) -> None:
        side = m.Side.YES if msg[54] == "1" else m.Side.NO
        yes_price = self._price(client, msg)
        qty = msg.get_decimal(38, Decimal(0))
        if not client.skip_pending:
            self._send_pending(client, msg, "A", side, yes_price, qty)
        try:
            tif = m.TimeInForce(msg.get(59, "1"))
            expire = msg.get_time_ns(126)
            events = self.engine.submit(
                owner=api_key,
                client_id=msg[11],
                market=msg[55],
                side=side,
                price=m.from_yes_price(side, yes_price) if yes_price is not None else Decimal(0),
                qty=qty,
                now=now,
                time_in_force=tif,
                expire_time=None if expire is None else expire / 1e9,
                post_only="6" in (msg.get(18) or ""),
                stp=m.SelfTradePrevention(msg.get_int(2964, 1)),
                group_id=msg.get(526),
                cancel_on_pause=bool(msg.get_bool(21006, default=False)),
                max_execution_cost=msg.get_decimal(21009),
                subaccount=msg.get_int(79, 0),
            )
        except (ValueError, TypeError) as e:
            events = [
                m.Rejected(
                    client_id=msg[11],
                    owner=api_key,
                    subaccount=msg.get_int(79, 0) or 0,
                    market=msg[55],
                    side=side,
                    price=yes_price or Decimal(0),
                    qty=qty,
                    reason=m.RejectReason.INVALID_ORDER,
                )
            ]
            del e  # The engine's message names the argument; the venue answers with a code.
        self._publish(events)

    def _cancel(self, api_key: str, client: _Client, msg: Message, now: float) -> None:
        events = self.engine.cancel(
            owner=api_key,
            client_id=msg[11],
            orig_client_id=msg[41],
            order_id=msg.get(37),
            now=now,
        )
        if not client.skip_pending and any(isinstance(e, m.Cancelled) for e in events):
            order = self.engine.order(
                next(e.order.order_id for e in events if isinstance(e, m.Cancelled))
            )
            if order is not None:
                self._send_pending(client, msg, "6", order.side, order.yes_price, order.order_qty)
        self._publish(events)

    def _replace(self, api_key: str, client: _Client, msg: Message, now: float) -> None:
        price = self._price(client, msg)
        side = m.Side.YES if msg[54] == "1" else m.Side.NO
        if not client.skip_pending:
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
            )
        except (ValueError, TypeError):
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
        self._publish(events)

    def _order_group(self, api_key: str, client: _Client, msg: Message, now: float) -> None:
        action = msg.get_int(20131)
        group_id = msg.get(20130)
        subaccount = msg.get_int(79, 0) or 0
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
        self._publish([e for e in events if not isinstance(e, m.GroupRejected)])

    def _replay(self, api_key: str, client: _Client, msg: Message) -> None:
        """Drop copy: the key's ExecutionReports from BeginExecID <21001> to EndExecID <21002>."""
        history = self._history.get(api_key, [])

        def event_number(exec_id: str | None) -> int | None:
            try:
                return None if exec_id is None else int(exec_id.split(";")[1])
            except (IndexError, ValueError):
                return None

        begin = event_number(msg.get(21001))
        end = event_number(msg.get(21002)) if 21002 in msg else (history[-1][0] if history else 0)
        if begin is None or end is None:
            self._send(client, "U3", [(45, msg.seq_num), (21004, 3)])
            return
        if history and end > history[-1][0]:
            self._send(client, "U3", [(45, msg.seq_num), (21004, 4)])
            return
        replayed = [fields for number, fields in history if begin <= number <= end]
        for fields in replayed:
            client.connection.send("8", fields)
        self._send(client, "U2", [(45, msg.seq_num), (21003, len(replayed))])

    # Reports.

    def _publish(self, events: Iterable[m.Event]) -> None:
        """Sends each engine event to its owner, when the owner is connected."""
        for event in events:
            owner = _owner(event)
            if owner == HOUSE:
                continue
            client = self._clients.get(owner)
            if client is None or not client.logged_on:
                continue
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
            elif isinstance(
                event, (m.GroupCreated, m.GroupReset, m.GroupDeleted, m.GroupLimitUpdated)
            ):
                group = event.group
                fields = [(20130, group.group_id)]
                if isinstance(event, (m.GroupCreated, m.GroupLimitUpdated)):
                    fields.append((20132, group.limit))
                fields.append((79, group.subaccount))
                self._send(client, "UOH", fields)
            elif isinstance(event, m.GroupTriggered):
                continue  # The cancels that follow say it.
            elif isinstance(event, m.Rejected):
                self._execution_report(client, owner, self._rejected_fields(client, event))
            elif not isinstance(event, m.GroupRejected):
                self._execution_report(client, owner, self._order_fields(client, event))

    def _execution_report(
        self, client: _Client, owner: str, fields: list[tuple[int, FieldValue]]
    ) -> None:
        number = next(self._events)
        fields.insert(2, (17, f"{number};{number}"))
        self._history.setdefault(owner, []).append((number, fields))
        self._send(client, "8", fields)

    def _wire_price(self, client: _Client, yes_price: Decimal) -> Decimal:
        if client.use_dollars:
            return yes_price.quantize(Decimal("0.0001"))
        return (yes_price * 100).normalize()

    def _order_fields(
        self, client: _Client, event: m.Accepted | m.Filled | m.Cancelled | m.Replaced
    ) -> list[tuple[int, FieldValue]]:
        order = event.order
        exec_type, status = "0", order.status.value
        if isinstance(event, m.Filled):
            exec_type = "F"
        elif isinstance(event, m.Cancelled):
            exec_type = "4"
            if event.reason.is_expiry and client.expired_status:
                exec_type = status = "C"
        elif isinstance(event, m.Replaced):
            exec_type = status = "5"
        avg = order.avg_price
        fields: list[tuple[int, FieldValue]] = [
            (11, order.client_id),
            (37, order.order_id),
            (
                6,
                self._wire_price(client, m.to_yes_price(order.side, avg))
                if avg is not None
                else Decimal(0),
            ),
            (14, order.cum_qty.quantize(_TWO_DP)),
            (38, order.order_qty.quantize(_TWO_DP)),
            (39, status),
            (44, self._wire_price(client, order.yes_price)),
            (54, order.side.value),
            (55, order.market),
            (60, datetime.now(UTC)),
            (150, exec_type),
            (151, order.leaves_qty.quantize(_TWO_DP)),
        ]
        if isinstance(event, m.Cancelled):
            fields.append((58, event.reason.value))
            if event.orig_client_id is not None:
                fields.append((41, event.orig_client_id))
        elif isinstance(event, m.Replaced):
            fields.append((41, event.orig_client_id))
        elif isinstance(event, m.Filled):
            fields += [
                (31, self._wire_price(client, event.yes_price)),
                (32, event.qty.quantize(_TWO_DP)),
                (704, event.long_qty.quantize(_TWO_DP)),
                (705, event.short_qty.quantize(_TWO_DP)),
                (880, event.trade_id),
                (1057, event.liquidity.aggressor),
                (136, [[(137, event.fee.quantize(_TWO_DP)), (138, "USD"), (139, "4"), (891, "0")]]),
                (1703, [[(1704, -(event.price * event.qty).quantize(_TWO_DP)), (1705, "BALANCE")]]),
            ]
        if order.subaccount:
            fields.append((79, order.subaccount))
        return fields

    def _rejected_fields(self, client: _Client, event: m.Rejected) -> list[tuple[int, FieldValue]]:
        return [
            (11, event.client_id),
            (37, "NONE"),
            (6, Decimal(0)),
            (14, Decimal("0.00")),
            (38, event.qty.quantize(_TWO_DP)),
            (39, "8"),
            (54, event.side.value),
            (55, event.market),
            (58, event.reason.value),
            (60, datetime.now(UTC)),
            (103, event.reason.ord_rej_reason),
            (150, "8"),
            (151, Decimal("0.00")),
        ]

    def _cancel_reject(self, client: _Client, event: m.CancelRejected) -> None:
        order = event.order
        fields: list[tuple[int, FieldValue]] = [
            (11, event.client_id),
            (41, event.orig_client_id),
            (37, order.order_id if order is not None else "NONE"),
            (39, order.status.value if order is not None else "8"),
            (434, str(int(event.response_to))),
            (102, event.reason.cxl_rej_reason),
            (58, event.reason.value),
        ]
        self._send(client, "9", fields)

    def _send_pending(
        self,
        client: _Client,
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
            (38, qty.quantize(_TWO_DP) if qty > 0 else Decimal("0.00")),
            (39, status),
            (54, side.value),
            (55, msg.get(55) or "NONE"),
            (150, status),
            (151, Decimal("0.00")),
        ]
        if yes_price is not None and 0 < yes_price < 1:
            fields.append((44, self._wire_price(client, yes_price)))
        self._send(client, "8", fields)

    def _business_reject(self, client: _Client, msg: Message, reason: int, text: str) -> None:
        fields: list[tuple[int, FieldValue]] = [
            (45, msg.seq_num),
            (372, msg.msg_type),
            (380, reason),
            (58, text),
        ]
        self._send(client, "j", fields)

    def _send(self, client: _Client, msg_type: str, fields: list[tuple[int, FieldValue]]) -> None:
        try:
            client.connection.send(msg_type, fields)
        except SessionError:
            # Not logged on any more: what it would have said is lost to it, as on the venue.
            client.logged_on = False


def _owner(event: m.Event) -> str:
    if isinstance(event, (m.Accepted, m.Filled, m.Cancelled, m.Replaced)):
        return event.order.owner
    if isinstance(
        event, (m.GroupCreated, m.GroupReset, m.GroupDeleted, m.GroupLimitUpdated, m.GroupTriggered)
    ):
        return event.group.owner
    return event.owner


_last_now = 0.0


def _now() -> float:
    """Wall-clock seconds (ExpireTime <126> is wall-clock), never going backwards, as the
    engine requires."""
    global _last_now
    _last_now = max(_last_now, time.time())
    return _last_now


def main(argv: list[str] | None = None) -> None:
    """``python -m fixwire.kalshi.sim``: serve until interrupted."""
    from fixwire.kalshi.tls import SelfSignedCertificate

    parser = argparse.ArgumentParser(
        prog="python -m fixwire.kalshi.sim", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8228)
    parser.add_argument(
        "--market", action="append", default=None, help="ticker to list (repeatable)"
    )
    parser.add_argument(
        "--key", action="append", nargs=2, metavar=("API_KEY", "PUBLIC_PEM"), default=[]
    )
    args = parser.parse_args(argv)

    async def run() -> None:
        sim = Simulator(args.market or ["DEMO-MKT"])
        for api_key, path in args.key:
            with open(path, "rb") as f:
                sim.register(api_key, f.read())
        certificate = SelfSignedCertificate.generate()
        await sim.start(args.host, args.port, tls=certificate)
        print(f"Kalshi simulator on {args.host}:{sim.port}, TLS certificate SHA-256:")
        print(certificate.sha256)
        print(certificate.cert_pem.decode())
        try:
            await asyncio.Event().wait()
        finally:
            await sim.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
