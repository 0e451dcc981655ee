"""The simulator: its public face (:class:`Simulator`), its sessions and the dispatch of each
application message to its venue flow.
"""

from __future__ import annotations

import collections
import itertools
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from fixwire._native import Dictionary, Message
from fixwire.errors import FixError, RejectError, SessionError
from fixwire.kalshi.signing import verify_logon_signature
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.core import (
    HOUSE,
    Participant,
)
from fixwire.kalshi.sim.drop_copy import DEFAULT_MAX_DROP_COPY_BYTES
from fixwire.kalshi.sim.groups import DEFAULT_MAX_GROUP_BYTES
from fixwire.kalshi.sim.market_data import DEFAULT_MAX_SUBSCRIPTION_BYTES
from fixwire.kalshi.sim.resend import (
    DEFAULT_MAX_RESEND_BYTES,
    DEFAULT_RETENTION_HOURS,
    RetentionStore,
    check_limits,
    note_pruned_request,
    refuse_pruned,
    refuse_when_resent,
)
from fixwire.kalshi.sim.rfq import (
    DEFAULT_CLOSED_RFQ_HOURS,
    DEFAULT_MAX_CLOSED_RFQ_BYTES,
    DEFAULT_MAX_OPEN_RFQ_BYTES,
)
from fixwire.kalshi.sim.settlement import SettlementFlow
from fixwire.kalshi.venue import (
    KALSHI_GROUPS,
    Gateway,
    LogonFlags,
    RateLimit,
    RateLimitError,
    SessionType,
    TokenBucket,
    check_cl_ord_id,
    check_message_retention,
    check_settlement_reports,
    with_groups,
)
from fixwire.session import (
    Acceptor,
    Connection,
    Disconnected,
    Event,
    LoggedOn,
    Received,
    ResendServed,
    Role,
    SessionConfig,
    serve,
)

if TYPE_CHECKING:
    from fixwire.kalshi.tls import SelfSignedCertificate

_SESSION_TYPES = {t.target_comp_id: t for t in SessionType}
_ORDER_ENTRY = frozenset({"D", "F", "G", "q", "UOG"})
#: The sessions order entry is accepted on.
_ORDER_ENTRY_SESSIONS = (SessionType.NR, SessionType.RT)
#: Order-entry messages whose ClOrdID <11> the venue checks (spec section 6.4).
_CL_ORD_ID_CHECKED = frozenset({"D", "F", "G", "q"})
#: Messages with an FCM's NoPartyIDs <453> group at body level (spec section 16).
_PARTIES_CHECKED = frozenset({"D", "F", "G", "UA", "UE"})
#: Messages that spend Write tokens (spec section 14: order entry, order groups, RFQ flow).
_WRITES = _ORDER_ENTRY | {"R", "UA", "UE", "S", "Z", "U7"}
#: Which session type may send each non-order-entry application message.
_SESSION_OF = {
    "R": SessionType.RT,
    "UA": SessionType.RT,
    "UE": SessionType.RT,
    "S": SessionType.RFQ,
    "Z": SessionType.RFQ,
    "U7": SessionType.RFQ,
    "V": SessionType.MD,
    "e": SessionType.MD,
}


#: The default drop-copy request budget: a burst of 5, then one a second.
_REPLAY_BUDGET = RateLimit(tokens_per_second=1.0, burst_seconds=5.0, cost=1.0)


class Simulator(SettlementFlow):
    """The Kalshi exchange, simulated: register keys, list markets, :meth:`start`.

    Args:
        markets: Tickers listed at start (whole-cent ticks, whole contracts).
        rate_limit: The per-key Write bucket; ``None`` for no limit.
        max_sending_time_skew: SendingTime <52> tolerance, seconds (the venue's is 30).
        rfq_confirm_window: Seconds a maker has to send QuoteConfirm <U7> after the creator
            accepted its quote (the FIX page says 30; the REST page says 3 on
            high-volatility and combo markets, spec 18.18).
        drop_copy_lookback: Seconds of ExecutionReports kept for drop-copy replay (the
            venue's 3 hours); older ones are forgotten, and a replay that begins before the
            oldest kept is refused with EventResendReject <U3> 21004=3.
        drop_copy_max_bytes: The most each key's kept ExecutionReports may take, bytes (64 MiB;
            :mod:`~fixwire.kalshi.sim.drop_copy` says how they are counted); the oldest are
            forgotten past it, as past the lookback.
        drop_copy_rate_limit: Each key's budget of EventResendRequests <U1> (``cost`` tokens
            each); one past it is refused with EventResendReject <U3> 21004=1 (too many
            requests). The venue states no figure (spec section 10); the default, a burst of
            5 then one a second, lets a trader page through a replay and stops a tight loop.
            ``None``: no limit.
        message_retention_hours: The resend window of KalshiRT and KalshiPT sessions whose
            Logon sets no MessageRetentionPeriod <20200> (the venue's 24 hours); older
            messages are pruned (:mod:`~fixwire.kalshi.sim.resend`).
        max_resend_bytes: The most each retransmission session's store holds, bytes (64 MiB
            by default); the oldest messages are pruned past it.
        closed_order_hours: How long the matching engine remembers a closed order (24 hours);
            a cancel or cancel/replace naming one forgotten gets OrderCancelReject <9>
            CxlRejReason <102>=1 UNKNOWN_ORDER (:mod:`~fixwire.kalshi.sim.matching`, "Memory").
        max_closed_order_bytes: The most the closed orders remembered may take, bytes (64 MiB
            by default); the earliest closed are forgotten past it.
        max_former_client_id_bytes: The most one order's former ClOrdIDs <11> may take, bytes
            (4 KiB by default: 12 of them); an order replaced in a loop forgets the oldest, and
            a request naming one gets OrderCancelReject <9> 102=1 UNKNOWN_ORDER.
        max_open_order_bytes: The most one key's open orders may take, bytes (64 MiB by
            default, about 60,000 orders; :mod:`~fixwire.kalshi.sim.matching`, "Memory", says
            how they are counted). The venue bounds them by balance, which is not simulated;
            a NewOrderSingle <D> past it gets its answer for a balance that cannot hold the
            order, a rejected ExecutionReport 39=8 103=3 Text INSUFFICIENT_BALANCE, and a
            cancel/replace that would add a ClOrdID <11> past it OrderCancelReject <9> 102=99
            INSUFFICIENT_BALANCE. An order leaving the book (filled, cancelled, expired) frees
            its room.
        max_group_bytes: The most one key's order groups may take, bytes (4 MiB by default,
            about 3,200 groups); an OrderGroupRequest <UOG> Create past it gets
            BusinessMessageReject <j> 380=0 TOO_MANY_ORDER_GROUPS.
        max_subscription_bytes: The most one KalshiMD session's subscriptions (market data
            and security status) may take, bytes (4 MiB by default, about 14,000 symbols); a
            MarketDataRequest <V> past it gets MarketDataRequestReject <Y> 281=2 and
            subscribes to none of its symbols, a SecurityStatusRequest <e>
            BusinessMessageReject <j> 380=0 (:mod:`~fixwire.kalshi.sim.market_data`).
        max_open_rfq_bytes: The most one key's open RFQs may take, bytes (256 KiB by default,
            about 400); a QuoteRequest <R> past it gets QuoteRequestReject <AG> 658=3
            ``TOO_MANY_OPEN_RFQS`` (:mod:`~fixwire.kalshi.sim.rfq`).
        max_closed_rfq_bytes: The most the closed RFQs and quotes remembered may take, bytes
            (16 MiB by default); the earliest closed are forgotten past it.
        closed_rfq_hours: How long a closed RFQ or quote is remembered (24 hours); a request
            naming one forgotten gets NOT_FOUND.
        clock: Wall-clock seconds: the time of every engine operation (GTD and Day expiries,
            the closed-order retention, order groups' 15-second window), of TransactTime
            <60>, MDEntryDate/MDEntryTime <272>/<273> and ClearingBusinessDate <715>, and of
            the drop-copy lookback, the resend window, the RFQ confirmation window and the
            closed RFQs' retention. Tests give their own to drive time;
            the FIX sessions' SendingTime <52> and heartbeats keep the real clock.

    This is the Predictions gateway; :class:`~fixwire.kalshi.sim.margin.MarginSimulator` is
    the margin (perpetuals) gateway.
    """

    #: The gateway served: its session types, HeartBtInt floor and what it refuses.
    _gateway: ClassVar[Gateway] = Gateway.PREDICTIONS

    def __init__(
        self,
        markets: Iterable[str] = ("DEMO-MKT",),
        *,
        rate_limit: RateLimit | None = None,
        max_sending_time_skew: float = 30.0,
        rfq_confirm_window: float = 30.0,
        drop_copy_lookback: float = 3 * 3600.0,
        drop_copy_rate_limit: RateLimit | None = _REPLAY_BUDGET,
        drop_copy_max_bytes: int = DEFAULT_MAX_DROP_COPY_BYTES,
        message_retention_hours: float = DEFAULT_RETENTION_HOURS,
        max_resend_bytes: int = DEFAULT_MAX_RESEND_BYTES,
        closed_order_hours: float = m.DEFAULT_CLOSED_ORDER_HOURS,
        max_closed_order_bytes: int = m.DEFAULT_MAX_CLOSED_ORDER_BYTES,
        max_former_client_id_bytes: int = m.DEFAULT_MAX_FORMER_CLIENT_ID_BYTES,
        max_open_order_bytes: int = m.DEFAULT_MAX_OPEN_ORDER_BYTES,
        max_group_bytes: int = DEFAULT_MAX_GROUP_BYTES,
        max_subscription_bytes: int = DEFAULT_MAX_SUBSCRIPTION_BYTES,
        max_open_rfq_bytes: int = DEFAULT_MAX_OPEN_RFQ_BYTES,
        max_closed_rfq_bytes: int = DEFAULT_MAX_CLOSED_RFQ_BYTES,
        closed_rfq_hours: float = DEFAULT_CLOSED_RFQ_HOURS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        check_limits(message_retention_hours, max_resend_bytes)
        if drop_copy_max_bytes < 0:
            raise ValueError(f"drop_copy_max_bytes must be at least 0, not {drop_copy_max_bytes}")
        if max_subscription_bytes < 0:
            raise ValueError(
                f"max_subscription_bytes must be at least 0, not {max_subscription_bytes}"
            )
        self._retention = (message_retention_hours, max_resend_bytes)
        self._max_subscription_bytes = max_subscription_bytes
        if max_open_rfq_bytes < 0 or max_closed_rfq_bytes < 0 or not closed_rfq_hours > 0:
            raise ValueError(
                "max_open_rfq_bytes and max_closed_rfq_bytes must be at least 0 and"
                f" closed_rfq_hours positive, not {max_open_rfq_bytes}, {max_closed_rfq_bytes}"
                f" and {closed_rfq_hours}"
            )
        self._open_rfq_bytes = {}
        self._max_open_rfq_bytes = max_open_rfq_bytes
        self._closed_rfq = collections.deque()
        self._closed_rfq_bytes = 0
        self._max_closed_rfq_bytes = max_closed_rfq_bytes
        self._closed_rfq_hours = closed_rfq_hours
        self.engine = m.MatchingEngine(
            closed_order_hours=closed_order_hours,
            max_closed_order_bytes=max_closed_order_bytes,
            max_former_client_id_bytes=max_former_client_id_bytes,
            max_group_bytes=max_group_bytes,
            max_open_order_bytes=max_open_order_bytes,
        )
        self._md_books = {}
        self._md_losses = 0
        self._md_sessions = {}
        self._unavailable = []
        for ticker in markets:
            self.engine.add_market(ticker)
            self._md_books[ticker] = ({}, {})
        self._confirm_window = rfq_confirm_window
        self._rfqs = {}
        self._quotes = {}
        self._public_ids = {}
        self._settled = set()
        self._settlement_ids = itertools.count(1)
        self._keys: dict[str, bytes] = {}
        #: Restricted keys and their subaccount.
        self._restricted: dict[str, int] = {}
        self._clients = {}
        self._trading = {}
        self._tick_texts = (({}, {}), ({}, {}))
        self._order_prices = ({}, {})
        self._order_qtys = {}
        self._rate_limit = rate_limit
        self._write_buckets: dict[str, TokenBucket] = {}
        self._skew = max_sending_time_skew
        self._dictionary = Dictionary.kalshi()
        self._events = itertools.count(1)
        self._acceptor: Acceptor | None = None
        self._history = {}
        self._forgotten = {}
        self._lookback = drop_copy_lookback
        self._history_bytes = {}
        self._history_cap = drop_copy_max_bytes
        self._replay_limit = drop_copy_rate_limit
        self._replay_buckets = {}
        self._replay_failures = 0
        self._clock = clock
        self._last_now = 0.0
        self._house_ids = itertools.count(1)

    def register(
        self, api_key: str, public_key_pem: bytes, *, subaccount: int | None = None
    ) -> None:
        """Accepts Logons from ``api_key`` signed by the key whose public half is given.

        With ``subaccount`` the key is a restricted (single-subaccount) key (spec section 1):
        it may open KalshiNR, KalshiMD and KalshiRFQ sessions, not KalshiDC, KalshiRT,
        KalshiPT or listener ones (Logout with Text); it may not create RFQs or accept quotes
        (a NewOrderSingle <D> with QuoteID <117> included); a request without AllocAccount
        <79> is for its subaccount, and one for another is refused with BusinessMessageReject
        <j> 380=6 (not authorized: the spec says "rejected" and no more).
        """
        if subaccount is not None and not 0 <= subaccount <= 63:
            raise ValueError(f"subaccount must be 0 to 63, not {subaccount}")
        self._keys[api_key] = public_key_pem
        if subaccount is None:
            self._restricted.pop(api_key, None)
        else:
            self._restricted[api_key] = subaccount

    def registered(self, api_key: str) -> bool:
        """Whether ``api_key`` is registered."""
        return api_key in self._keys

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
            store_factory=lambda _: RetentionStore(self._clock, *self._retention),
        )
        # Kalshi's words for a second connection with a key already connected (spec §1).
        self._acceptor.duplicate_text = "already exists"

    @property
    def gateway(self) -> Gateway:
        """The gateway this simulator serves."""
        return self._gateway

    @property
    def port(self) -> int:
        """The port listened on."""
        if self._acceptor is None:
            raise SessionError("the simulator is not started")
        return self._acceptor.port

    async def close(self) -> None:
        """Logs every session out and stops listening."""
        for quote in self._quotes.values():
            if quote.timer is not None:
                quote.timer.cancel()
        if self._acceptor is not None:
            await self._acceptor.close()

    async def log_out(
        self, api_key: str, session_type: SessionType, text: str = "maintenance"
    ) -> None:
        """Ends a logged-on session with Logout <5> ``text``, as the venue does in its
        maintenance window (spec section 3); the client may log on again. What the session
        held (KalshiMD subscriptions, say) is forgotten.

        Raises:
            ValueError: No such session is logged on.
        """
        client = self._clients.get((api_key, session_type))
        if client is None or not client.logged_on:
            raise ValueError(f"no {session_type.target_comp_id} session of {api_key} is logged on")
        await client.connection.logout(text)

    def pause(self, *, exchange: bool = False) -> None:
        """A trading pause begins (with ``exchange``, an exchange pause), as in the weekly
        maintenance window (spec section 3): orders placed with CancelOrderOnPause <21006>=Y
        are cancelled; new orders and amendments are refused (TRADING_PAUSED or
        EXCHANGE_PAUSED, OrdRejReason <103>=2) and, in an exchange pause, cancels too, until
        :meth:`resume`.
        """
        self._publish(self.engine.pause(self._now(), exchange=exchange))

    def resume(self) -> None:
        """The pause ends."""
        self._publish(self.engine.resume(self._now()))

    def trade_against(self, market: str, side: str, quantity: int, price: Decimal) -> None:
        """The rest of the market places an IOC order: ``side`` ``"yes"``/``"no"`` at the
        Yes-scale ``price``; fills go to the user's resting orders as ExecutionReports.
        """
        engine_side = m.Side.YES if side == "yes" else m.Side.NO
        events = self.engine.submit(
            owner=HOUSE,
            client_id=f"house-{next(self._house_ids)}",
            market=market,
            side=engine_side,
            price=m.from_yes_price(engine_side, price),
            qty=Decimal(quantity),
            now=self._now(),
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
            reject_stale_logon=True,  # Reject 373=10, then Logout (spec section 4).
            dictionary=self._dictionary,
            answers_invalid=_answers_invalid,
            groups=KALSHI_GROUPS,
            # A ResendRequest <2> older than what the store keeps gets a Reject (spec section 3).
            inbound=note_pruned_request if session_type.retransmission else None,
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
        gateway = self._gateway
        if session_type not in gateway.session_types:
            return f"{session_type.target_comp_id} is not offered on the {gateway.value} gateway"
        if api_key in self._restricted:
            if session_type in (SessionType.DC, SessionType.RT, SessionType.PT):
                name = session_type.target_comp_id
                return f"a restricted API key cannot open {name} sessions"
            if logon.get_bool(20126, default=False):
                return "a restricted API key cannot open listener sessions"
        if not session_type.retransmission and not logon.get_bool(141, default=False):
            return f"ResetSeqNumFlag must be Y on {session_type.target_comp_id}"
        if logon.get_int(108, 0) < gateway.min_heartbeat_interval:
            return f"HeartBtInt must be greater than {gateway.min_heartbeat_interval - 1}"
        flags = LogonFlags.read(logon)
        try:
            if flags.message_retention_hours is not None:
                check_message_retention(flags.message_retention_hours, session_type)
            if flags.receive_settlement_reports is not None:
                check_settlement_reports(session_type)
        except ValueError as e:
            return str(e)
        if flags.listener and (
            session_type not in (SessionType.NR, SessionType.RT)
            or not flags.skip_pending_exec_reports
            or flags.cancel_orders_on_disconnect
        ):
            return "invalid listener session"
        current = self._clients.get((api_key, session_type))
        if (
            current is not None
            and current.connection.connected
            and current.logged_on
            # A reset Logon (141=Y) of the session logged on is checked by that very session.
            and not current.connection.session.resetting
        ):
            return "already exists"
        return None

    async def _run(self, connection: Connection) -> None:
        """Serves one session (across its reconnects) until the simulator closes.

        Each event is handled within the read that brought it (``Connection.set_on_event``):
        an order is matched and its report written with no task switch between its bytes'
        arrival and the answer, and the reports for a burst of orders read at once go out
        together.
        """
        api_key = connection.session.config.target_comp_id
        session_type = _SESSION_TYPES[connection.session.config.sender_comp_id]
        client: Participant | None = None

        def on_event(event: Event) -> None:
            nonlocal client
            if isinstance(event, Received):
                if client is not None and event.reject is None:
                    try:
                        self._on_message(api_key, client, event.message)
                    except (FixError, ArithmeticError, ValueError, TypeError, KeyError) as e:
                        # A message the dictionary let through but a handler cannot take (a
                        # value out of range, a missing conditional tag): the venue answers,
                        # and serves on.
                        self._business_reject(client, event.message, 0, f"cannot process: {e}")
            elif isinstance(event, LoggedOn):
                if client is not None:
                    # A reset Logon <A> (141=Y) in an established session: the session starts
                    # again as a new participant, and the old one's subscriptions end with it.
                    client.logged_on = False
                    self._md_session_ended(client)
                client = self._logged_on(api_key, session_type, connection)
            elif isinstance(event, ResendServed):
                refuse_pruned(connection)  # After the resend, numbered past it.
            elif isinstance(event, Disconnected) and client is not None:
                client.logged_on = False
                self._md_session_ended(client)
                if client.flags.cancel_orders_on_disconnect:
                    self._publish(self.engine.cancel_all_for_owner(api_key, self._now()))

        connection.set_on_event(on_event)
        async for _ in connection:  # Nothing is queued any more: this ends at the close.
            pass

    def _logged_on(
        self, api_key: str, session_type: SessionType, connection: Connection
    ) -> Participant:
        # The Logon's flags are read from the session's last inbound Logon.
        logon = connection.session.last_logon
        client = Participant(session_type, connection)
        if logon is not None:
            client.flags = LogonFlags.read(logon)
        store = connection.session.store
        if isinstance(store, RetentionStore):
            store.hours = client.flags.message_retention_hours or self._retention[0]
            refuse_when_resent(connection)
        if api_key in self._restricted:
            client.subaccount = self._restricted[api_key]
            client.restricted = True
        if self._rate_limit is not None:
            # The Write bucket is the key's (spec section 14): its sessions share it, and a
            # reconnect or a reset Logon does not refill it.
            bucket = self._write_buckets.get(api_key)
            if bucket is None:
                bucket = self._write_buckets[api_key] = self._rate_limit.bucket()
            client.bucket = bucket
        client.logged_on = True
        self._add_client(api_key, client)
        return client

    # Application messages.

    def _on_message(self, api_key: str, client: Participant, msg: Message) -> None:
        msg_type = msg.msg_type
        order_entry = msg_type in _ORDER_ENTRY
        if client.flags.listener and (order_entry or msg_type in ("R", "UA", "UE")):
            self._business_reject(client, msg, 6, "listener sessions cannot trade")
            return
        if client.restricted:
            refusal = _restricted_problem(client, msg)
            if refusal is not None:
                self._business_reject(client, msg, 6, refusal)
                return
        wrong_session = (
            client.session_type not in _ORDER_ENTRY_SESSIONS
            if order_entry
            else _SESSION_OF.get(msg_type, client.session_type) is not client.session_type
        )
        if wrong_session:
            self._business_reject(
                client,
                msg,
                3,
                f"{msg_type} is not supported on {client.session_type.target_comp_id}",
            )
            return
        if msg_type in _CL_ORD_ID_CHECKED:
            try:
                check_cl_ord_id(msg[11], "ClOrdID <11>")
            except ValueError as e:
                # The spec has the venue refuse bad values with Reject <3> (section 8); which
                # reason, it does not say for ClOrdID: the simulator says incorrect value.
                self._session_reject(client, msg, 11, 5, str(e))
                return
        if msg_type in _PARTIES_CHECKED and 453 in msg:
            problem = _parties_problem(msg)
            if problem is not None:
                self._session_reject(client, msg, *problem)
                return
        if msg_type in _WRITES and self._rate_limit is not None:
            try:
                client.bucket.take(
                    self._rate_limit.cancel_cost if msg_type == "F" else self._rate_limit.cost
                )
            except RateLimitError:
                self._business_reject(client, msg, 8, "rate limit exceeded")
                return
        now = self._now()
        if msg_type == "D" and (117 in msg or 21023 in msg):
            self._accept_with_order(api_key, client, msg)
        elif msg_type == "D":
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
            self._publish(
                self.engine.mass_cancel(owner=api_key, client_id=msg[11], now=now), client
            )
        elif msg_type == "UOG":
            self._order_group(api_key, client, msg, now)
        elif msg_type == "U1" and client.session_type is SessionType.DC:
            self._replay(api_key, client, msg)
        elif msg_type in ("R", "UA", "UE", "S", "Z", "U7"):
            self._rfq_message(api_key, client, msg)
        elif msg_type == "V":
            self._market_data_request(client, msg)
        elif msg_type == "e":
            self._security_status_request(client, msg)
        else:
            self._business_reject(client, msg, 3, f"unsupported MsgType {msg_type}")


def _restricted_problem(client: Participant, msg: Message) -> str | None:
    """Why a restricted key may not send ``msg`` (spec section 1), or None."""
    msg_type = msg.msg_type
    if msg_type in ("R", "UA") or (msg_type == "D" and (117 in msg or 21023 in msg)):
        return "a restricted API key cannot create RFQs or accept quotes"
    if 79 in msg and msg.get_int(79) != client.subaccount:
        return f"a restricted API key trades subaccount {client.subaccount} only"
    return None


def _parties_problem(msg: Message) -> tuple[int, int, str] | None:
    """What is wrong with an FCM's NoPartyIDs <453> group (spec 7.1, 16: one entry only, its
    PartyRole <452> required with PartyID <448>), as (RefTagID, SessionRejectReason, Text);
    None when nothing is.
    """
    entries = with_groups(msg).group(453)
    if not entries:
        return None
    if len(entries) != 1:
        return 453, 5, f"NoPartyIDs <453> must be 1, not {len(entries)}"
    if 448 in entries[0] and 452 not in entries[0]:
        return 452, 1, "PartyRole <452> is required with PartyID <448>"
    return None


def _answers_invalid(msg: Message, error: RejectError) -> bool:
    """Whether the venue answers an invalid message itself rather than with Reject <3>: an
    unsupported SubscriptionRequestType <263> gets MarketDataRequestReject <Y> 281=4 (spec
    section 13), which the market-data handler sends.
    """
    return msg.msg_type == "V" and error.ref_tag_id == 263
