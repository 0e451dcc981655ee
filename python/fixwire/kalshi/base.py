"""The Kalshi client's base: the session it runs (the signed Logon, TLS, reconnects), its events
and order book, and the rate-limited way every request is sent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import ssl as _ssl
import uuid
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeAlias, overload

from fixwire._native import Message, Template
from fixwire.errors import FixError, SessionError
from fixwire.kalshi.books import MarketBooks
from fixwire.kalshi.config import KalshiConfig
from fixwire.kalshi.events import (
    BusinessMessageReject,
    ExecutionReport,
    InvalidExecutionReport,
    KalshiEvent,
    MarketSettlementReport,
    UnhandledMessage,
    from_message,
)
from fixwire.kalshi.margin import PRICE_CEILING, read_event
from fixwire.kalshi.market_data_events import (
    MarketDataIncrement,
    MarketDataSnapshot,
    SecurityStatus,
)
from fixwire.kalshi.orders import OrderBook, OrderState
from fixwire.kalshi.rules import (
    cancel_template,
    cl_ord_ids,
    new_order_template,
    replace_template,
)
from fixwire.kalshi.settlements import MarketSettlement, SettlementPages
from fixwire.kalshi.venue import KALSHI_GROUPS, Gateway, GatewayError, SessionType, TokenBucket
from fixwire.session import (
    Connection,
    Disconnected,
    Event,
    LoggedOn,
    LoggedOut,
    LogonContext,
    LogonRefused,
    Received,
    Reconnect,
    RejectReceived,
    Role,
    SequenceGap,
    SessionConfig,
    Store,
    connect,
)
from fixwire.session.config import FieldValue, TemplateValue

# Diagnostics: logons, logouts, refusals, disconnects and reconnects, and refused requests
# (with the order they refused), by their fields; never a message's bytes, so neither the
# signature of a Logon nor anything of the private key reaches a record.
_log = logging.getLogger("fixwire.kalshi")
# Cancels and amendments kept for refusals by RefSeqNum <45>; the venue refuses at once, so
# the newest suffice.
_MAX_REQUESTS = 100_000

#: What the client hands over, by iteration or to :meth:`ClientBase.set_on_event`'s callback:
#: the venue's messages typed, a settlement report put together, and the session's events.
ClientEvent: TypeAlias = "KalshiEvent | MarketSettlement | Event"


class ClientBase:
    """The client's session, its events and the ways every request is sent; the requests are
    in :class:`~fixwire.kalshi.KalshiClient` and the classes it is made of.
    """

    def __init__(self, config: KalshiConfig, connection: Connection) -> None:
        self.config = config
        #: The client's connection for its whole life (it reconnects by itself); not replaced.
        self.connection = connection
        #: Whether this is the margin gateway (spec section 17).
        self._margin = margin = config.gateway is Gateway.MARGIN
        self._book = OrderBook(
            config.max_closed_orders,
            quantity_sum=config.check_quantity_sum and not config.preserve_original_order_qty,
            ceiling=PRICE_CEILING if margin else Decimal(1),
        )
        self._read = read_event if margin else from_message
        # The MsgType and ClOrdID <11> of each cancel <F> and amendment <G> by MsgSeqNum <34>
        # (a new order keeps its number in its OrderState), so that a refusal naming one by
        # RefSeqNum <45> reaches its order; at most _MAX_REQUESTS are kept. Numbers start
        # again after a reset: a request counts only if the refusal's RefMsgType <372> (when
        # given) is its type, and only one may match.
        self._amends: dict[int, tuple[str, str]] = {}
        #: ExecutionReports not applied because their values break the venue's invariants
        #: (each was delivered as an InvalidExecutionReport event).
        self.invalid_reports = 0
        #: The client's orders by ClOrdID <11> (each amend adds its new ClOrdID).
        self.orders = self._book.orders
        #: The same orders by OrderID <37>, once acknowledged.
        self.orders_by_id = self._book.by_id
        #: KalshiMD: each subscribed market's book by Symbol <55> (:mod:`fixwire.kalshi.books`).
        self.books = MarketBooks()
        #: KalshiMD: MsgSeqNum <34> gaps seen (increments lost, books subscribed again).
        self.market_data_gaps = 0
        #: Each market's settlement, its report pages put together (the newest per Symbol).
        self.settlements: dict[str, MarketSettlement] = {}
        self._settlement_pages = SettlementPages()
        limit = config.rate_limit
        self._bucket = (
            None
            if limit is None
            else TokenBucket(limit.tokens_per_second, limit.tokens_per_second * limit.burst_seconds)
        )
        self._mass_cancel_bucket = TokenBucket(1.0, 1.0)
        # new_order's way out: with no rate limit to apply (and orders allowed at all), straight
        # to the connection, which saves a Python call (about 0.4 us here) on every order.
        self._send_order: Callable[[Template, tuple[TemplateValue, ...]], int] = (
            connection.send if self._bucket is None and not config.listener else self._send
        )
        self._dollars = config.use_dollars
        self._ids = cl_ord_ids(str(uuid.uuid4())[:24])
        # The order-entry messages, laid out once with the venue's rules.
        dollars, gateway = config.use_dollars, config.gateway
        self._new_order_single = new_order_template(dollars, gateway=gateway)
        self._order_cancel_request = cancel_template(gateway=gateway)
        self._order_cancel_replace_request = replace_template(dollars, gateway=gateway)
        # The same with ExDestination <100> and an FCM customer's NoPartyIDs <453>.
        self._routed_new_order_single = new_order_template(dollars, routed=True, gateway=gateway)
        self._routed_order_cancel_request = cancel_template(routed=True, gateway=gateway)
        self._routed_order_cancel_replace_request = replace_template(
            dollars, routed=True, gateway=gateway
        )

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
            groups=KALSHI_GROUPS,
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
    ) -> Self:
        """Connects over TLS, logs on, and returns the client once logged on.

        Raises:
            LogonRefusedError: The venue refused the Logon, by Reject <3> (a SendingTime
                out of tolerance: SessionRejectReason <373>=10), by Logout <5>, or both;
                the error carries what the venue said.
            SessionError: The connection closed before logon for another reason, or the
                certificate did not match ``pin_sha256``.
            TimeoutError: No Logon within ``logon_timeout`` seconds, and no refusal.
        """
        host, port = config.address
        _log.info("%s: connecting to %s:%s as %s", _name(config), host, port, config.api_key)
        session_config = cls.session_config(config)
        if config.message_log is not None:
            session_config = dataclasses.replace(
                session_config, message_log=config.message_log.open(config)
            )
        try:
            connection = await connect(
                session_config,
                host,
                port,
                store=store,
                ssl=ssl,
                server_hostname=server_hostname,
                pin_sha256=pin_sha256,
                reconnect=reconnect,
            )
        except BaseException:
            _close_log(session_config)
            raise
        try:
            await connection.logged_on(timeout=logon_timeout)
        except (SessionError, TimeoutError) as e:
            await connection.close()
            _close_log(session_config)
            # What the venue said before closing is still queued on the closed connection.
            refusal = _refusal([event async for event in connection])
            if refusal is None:
                _log.warning("%s: no logon: %s", _name(config), e or "timed out")
                raise
            _log.warning("%s: %s", _name(config), refusal)
            raise refusal from e
        except BaseException:
            await connection.close()
            _close_log(session_config)
            raise
        return cls(config, connection)

    async def close(self) -> None:
        """Logs out and closes the connection, then the message log (if any)."""
        _log.info("%s: logging out and closing", _name(self.config))
        await self.connection.close()
        _close_log(self.connection.session.config)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[ClientEvent]:
        return self._events()

    def set_on_event(self, on_event: Callable[[ClientEvent], None] | None) -> None:
        """Has ``on_event`` called with each event from now on, instead of iteration handing
        it over; ``None`` goes back to iteration.

        The events are those iteration gives, in the same order, each applied to
        :attr:`orders` (and the books and settlements) before the call: typed venue events,
        :class:`InvalidExecutionReport`, the session's own (LoggedOn, Disconnected, ...). The
        callback runs on the event loop thread within the socket read that brought the
        message (``Connection.set_on_event``): the lowest-latency way to act on a report, with
        no task switch between the bytes' arrival and, say, the next order's ``send``. It must
        not block. Events already queued are passed to it first, within this call; iteration,
        if the application still runs it, then only waits and ends when the client closes. A
        callback that raises is logged at ERROR on ``fixwire.session`` (the message named,
        never its bytes) and the events after it still come.
        """
        if on_event is None:
            self.connection.set_on_event(None)
            return

        def take(event: Event) -> None:
            typed, whole = self._take(event)
            try:
                on_event(typed)
            finally:
                if whole is not None:
                    # The last page of a batch: the whole report follows it.
                    self.settlements[whole.symbol] = whole
                    on_event(whole)

        self.connection.set_on_event(take)

    async def _events(self) -> AsyncIterator[ClientEvent]:
        async for event in self.connection:
            typed, whole = self._take(event)
            yield typed
            if whole is not None:
                # The last page of a batch: the whole report follows it.
                self.settlements[whole.symbol] = whole
                yield whole

    def _take(self, event: Event) -> tuple[KalshiEvent | Event, MarketSettlement | None]:
        """Applies one of the session's events to the client's state: the event to hand over,
        typed, and the settlement report its page completes, if it does.
        """
        if not isinstance(event, Received):
            if isinstance(event, RejectReceived):
                refused = self._refused(
                    event.ref_seq_num, event.ref_msg_type, _session_reason(event)
                )
                _log.warning(
                    "%s: Reject <3> for MsgSeqNum %s (%s, ClOrdID %s): %s",
                    _name(self.config),
                    event.ref_seq_num,
                    event.ref_msg_type,
                    refused,
                    _session_reason(event),
                )
            elif isinstance(event, Disconnected) and not self.config.session_type.retransmission:
                self._book.in_doubt()
                self.books.lost()
            elif isinstance(event, SequenceGap) and not event.recovering and self.books:
                self.market_data_gaps += 1
                self._subscribe_again(self.books.lost())
            elif isinstance(event, LoggedOn) and self.books:
                # A new Logon (141=Y): the venue has forgotten the subscriptions.
                self._subscribe_again(self.books.lost())
            _log_session_event(self.config, event)
            return event, None
        message = event.message
        problem: str | None
        whole: MarketSettlement | None = None
        try:
            typed = self._read(message, self._dollars)
            problem = self._book.apply(typed)
        except (KeyError, FixError) as e:
            # A message without a tag it must have (or a value not of its type) is still
            # delivered, rather than raised out of the application's loop.
            typed = UnhandledMessage(message)
            problem = _unreadable(e) if message.msg_type == "8" else None
        if problem is not None:
            self.invalid_reports += 1
            _log.warning(
                "ExecutionReport <8> MsgSeqNum %s not applied to the orders: %s",
                message.seq_num,
                problem,
            )
            return InvalidExecutionReport(problem, _cl_ord_id(message), message), None
        if type(typed) is ExecutionReport:
            return typed, None  # The most frequent, with nothing more to do.
        if type(typed) is BusinessMessageReject:
            refused = self._refused(typed.ref_seq_num, typed.ref_msg_type, _business_reason(typed))
            typed = dataclasses.replace(typed, cl_ord_id=refused)
            _log.warning(
                "%s: BusinessMessageReject <j> for MsgSeqNum %s (%s, ClOrdID %s): %s",
                _name(self.config),
                typed.ref_seq_num,
                typed.ref_msg_type,
                refused,
                _business_reason(typed),
            )
        elif type(typed) is MarketDataIncrement:
            self.books.increment(typed)
        elif type(typed) is MarketDataSnapshot:
            self.books.snapshot(typed)
        elif type(typed) is SecurityStatus and typed.status == "settled":
            self.books.ended(typed.symbol)
        elif type(typed) is MarketSettlementReport:
            whole = self._settlement_pages.add(typed)
        return typed, whole

    def _subscribe_again(self, symbols: tuple[str, ...]) -> None:
        """Subscribes again (MarketDataRequest <V> 263=1) to books whose increments were
        lost; their snapshots replace them. When the session is down, its next Logon does it.
        """
        if not symbols:
            return
        with contextlib.suppress(SessionError):
            self.connection.send("V", [(263, "1"), (146, [[(55, s)] for s in symbols])])

    def _refused(
        self, ref_seq_num: int | None, ref_msg_type: str | None, reason: str
    ) -> str | None:
        """A request refused before the venue handled it: the order it placed (or amended to)
        closes as rejected with ``reason``; an order amended from stays as it was. Returns the
        request's ClOrdID <11> when RefSeqNum <45> names one order request.
        """
        if ref_seq_num is None:
            return None
        placed = self._book.awaiting(ref_seq_num) if ref_msg_type in (None, "D") else None
        new = None if placed is None else placed.cl_ord_id
        amend = self._amends.get(ref_seq_num)
        if amend is not None and ref_msg_type not in (None, amend[0]):
            amend = None
        if new is not None and amend is None:
            cl_ord_id = new
        elif amend is not None and new is None:
            del self._amends[ref_seq_num]
            cl_ord_id = amend[1]
        else:
            return None  # None, or both (numbers used again after a reset): not a guess.
        self._book.refused(cl_ord_id, reason)
        return cl_ord_id

    def _sent_amend(self, seq_num: int, msg_type: str, cl_ord_id: str) -> None:
        """Keeps a cancel or amendment for a refusal that may name it."""
        amends = self._amends
        amends[seq_num] = (msg_type, cl_ord_id)
        if len(amends) > _MAX_REQUESTS:
            _forget_older_half(amends)

    # Internals.

    def _new_id(self) -> str:
        return next(self._ids)

    def _wire_price(self, price: Decimal) -> Decimal | int:
        return price if self.config.use_dollars else int(price * 100)

    def _subaccount(self, subaccount: int | None) -> list[tuple[int, FieldValue]]:
        """AllocAccount <79> as message fields, or nothing; one a restricted key may not use
        (or outside 0-63) is refused.
        """
        if subaccount is None:
            return []
        self._own_subaccount(subaccount)
        if (
            isinstance(subaccount, bool)
            or not isinstance(subaccount, int)
            or not 0 <= subaccount <= 63
        ):
            raise ValueError(f"subaccount must be 0 to 63, not {subaccount!r}")
        return [(79, subaccount)]

    def _own_subaccount(self, subaccount: int) -> None:
        """Refuses a subaccount other than a restricted key's own (spec section 1)."""
        own = self.config.restricted_subaccount
        if own is not None and subaccount != own:
            raise ValueError(f"a restricted API key trades subaccount {own} only, not {subaccount}")

    def _require(self, session_type: SessionType, what: str, *, margin: bool = True) -> None:
        """Refuses ``what`` unless on ``session_type`` and, without ``margin``, unless on the
        Predictions gateway (the margin gateway does not offer it: :class:`GatewayError`).
        """
        if not margin and self._margin:
            raise GatewayError(self.config.gateway, f"{what} is not offered")
        if self.config.session_type is not session_type:
            raise ValueError(f"{what} is accepted on {session_type.target_comp_id} only")

    def _not_on_margin(self, what: str) -> None:
        """Refuses ``what`` on the margin gateway (:class:`GatewayError`), which does not take
        it (spec section 17).
        """
        if self._margin:
            raise GatewayError(self.config.gateway, f"{what} is not offered")

    def _known(self, cl_ord_id: str) -> OrderState:
        state = self.orders.get(cl_ord_id)
        if state is None:
            raise ValueError(f"no order with ClOrdID {cl_ord_id!r}")
        return state

    @overload
    def _send(
        self, message: str, fields: list[tuple[int, FieldValue]], *, cancel: bool = False
    ) -> int: ...
    @overload
    def _send(
        self, message: Template, fields: tuple[TemplateValue, ...], *, cancel: bool = False
    ) -> int: ...
    def _send(self, message: str | Template, fields: Any, *, cancel: bool = False) -> int:
        """``connection.send(message, fields)`` within the client-side rate limit; returns the
        message's MsgSeqNum <34>.
        """
        if self.config.listener:
            raise SessionError("a listener session cannot send orders")
        bucket, limit = self._bucket, self.config.rate_limit
        if bucket is None or limit is None:
            return self.connection.send(message, fields)
        cost = limit.cancel_cost if cancel else limit.cost
        bucket.take(cost)
        try:
            return self.connection.send(message, fields)
        except BaseException:
            bucket.give_back(cost)  # Nothing went out: the tokens were not used.
            raise


class LogonRefusedError(SessionError):
    """The venue refused the Logon <A>; what it said is kept.

    Attributes:
        text: The venue's reason: Text <58> of its Reject, else of its Logout (None if it
            gave none).
        reject_reason: SessionRejectReason <373> of its Reject <3> (10: SendingTime accuracy),
            or None when it sent no Reject.
        logout_text: Text <58> of its Logout <5>, if it sent one with a Text.
    """

    def __init__(self, text: str | None, reject_reason: int | None, logout_text: str | None):
        parts = []
        if reject_reason is not None:
            parts.append(f"Reject <3> SessionRejectReason <373>={reject_reason}")
        parts.append(text if text is not None else "no reason given")
        if logout_text is not None and logout_text != text:
            parts.append(f"Logout: {logout_text}")
        super().__init__("logon refused by the venue: " + "; ".join(parts))
        self.text = text
        self.reject_reason = reject_reason
        self.logout_text = logout_text


def _refusal(events: list[object]) -> LogonRefusedError | None:
    """The venue's refusal among the events of a connection that closed before logon."""
    reject = next((e for e in events if isinstance(e, RejectReceived)), None)
    logout_text = next(
        (e.text for e in events if isinstance(e, LogonRefused | LoggedOut) and e.text), None
    )
    if reject is None and logout_text is None:
        return None
    text = reject.text if reject is not None and reject.text else logout_text
    return LogonRefusedError(text, reject.reason if reject is not None else None, logout_text)


def _close_log(config: SessionConfig) -> None:
    """Closes the session's message log, if it has one (flushing what it holds)."""
    if config.message_log is not None:
        config.message_log.close()


def _name(config: KalshiConfig) -> str:
    """The session a record is about: its TargetCompID <56> (KalshiNR, ...)."""
    return config.session_type.target_comp_id


def _log_session_event(config: KalshiConfig, event: Event) -> None:
    """Logs a logon, logout, refusal or disconnect of the client's session; a disconnect
    other than after a Logout <5> exchange (a lost connection, a failed reconnect attempt) is a
    warning.
    """
    name = _name(config)
    if isinstance(event, LoggedOn):
        reset = ", sequence numbers reset" if event.reset else ""
        _log.info("%s: logged on, HeartBtInt %s%s", name, event.heartbeat_interval, reset)
    elif isinstance(event, LoggedOut):
        by = "by the venue" if event.by_peer else "by us"
        _log.info("%s: logged out %s: %s", name, by, event.text or "no reason given")
    elif isinstance(event, LogonRefused):
        _log.warning("%s: logon refused: %s", name, event.text)
    elif isinstance(event, Disconnected):
        level = logging.INFO if event.reason == "logout" else logging.WARNING
        in_doubt = "" if config.session_type.retransmission else "; open orders in doubt"
        _log.log(level, "%s: disconnected: %s%s", name, event.reason, in_doubt)


def _forget_older_half(requests: dict[int, Any]) -> None:
    """Forgets the older half of the requests kept (the venue refuses at once)."""
    for seq_num in list(itertools.islice(requests, len(requests) // 2)):
        del requests[seq_num]


def _business_reason(reject: BusinessMessageReject) -> str:
    """The reason an order refused by BusinessMessageReject <j> carries."""
    code = f"BusinessRejectReason <380>={reject.reason}"
    return code if reject.text is None else f"{reject.text} ({code})"


def _session_reason(reject: RejectReceived) -> str:
    """The reason an order refused by Reject <3> carries."""
    code = f"SessionRejectReason <373>={reject.reason}"
    return code if reject.text is None else f"{reject.text} ({code})"


def _cl_ord_id(message: Message) -> str | None:
    """The report's ClOrdID <11>, or None when it has none or it is not UTF-8 (the report is
    then invalid for that, and its raw message is what the trader has).
    """
    try:
        return message.get(11)
    except FixError:
        return None


def _unreadable(error: KeyError | FixError) -> str:
    """The problem of a report that could not be read at all."""
    if isinstance(error, KeyError):
        return f"required tag {error.args[0]} is missing"
    return str(error)
