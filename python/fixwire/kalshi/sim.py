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
  range, then EventResendComplete <U2>, or EventResendReject <U3>. Rejects are not replayed,
  and only the last 3 hours are kept (``drop_copy_lookback``).
* :meth:`Simulator.trade_against` places an order for a house account, the "other traders" whose
  flow fills the user's orders.
* RFQ (section 12), symbol RFQs: QuoteRequest <R> on KalshiRT is answered QuoteRequestAck <b> (a
  UUID RfqId <21023>, ExDestination 0) or QuoteRequestReject <AG> (658=1 unknown market, 99
  otherwise), and broadcast to every KalshiRFQ session logged on then, the requester named by a
  pseudonymous PartyID <448>. A Quote <S> is answered QuoteStatusReport <AI> (PENDING, or REJECTED
  with Text) and notified to the creator in dollars, with sizes and the maker's public id (452=35);
  a maker's new quote on the same RFQ replaces its pending one. AcceptQuote <UA> gets
  AcceptQuoteStatus <UC> and the maker AI ACCEPTED with AcceptedSide <54>; the maker then has
  ``rfq_confirm_window`` seconds for QuoteConfirm <U7>, answered QuoteConfirmStatus <U8>, after
  which the trade executes and both sides get ExecutionReports (the maker's on its KalshiRFQ
  session, ClOrdID = its QuoteID). QuoteCancel <Z> gets AI CANCELLED and QuoteCancelStatus <U9>;
  RFQCancel <UE> gets RFQCancelStatus <UB>, and the makers AG (older docs). An RFQ closes once
  executed.
* Market data (section 13) on KalshiMD: MarketDataRequest <V> subscribe (263=1), snapshot only (0)
  and unsubscribe (2, some or all symbols); a MarketDataSnapshotFullRefresh <W> per symbol from the
  engine's books (bids are the Yes bids, offers the No bids on the Yes scale; an unknown ticker gets
  an empty one); then MarketDataIncrementalRefresh <X> after every change: trades (269=2, with
  AggressorSide) and level-replace New/Change/Delete entries. MarketDataRequestReject <Y> for an
  unsupported 263. SecurityStatusRequest <e>; SecurityStatus <f> 326=101 when a market settles.
* Settlement (section 11): :meth:`Simulator.settle_market` closes a market and sends
  MarketSettlementReport <UMS> pages of positions from the engine to KalshiPT sessions (unless
  20127=N) and KalshiRT sessions that logged on with 20127=Y.

Simplifications, and choices where the spec is silent (safe for a trader, configurable where it
matters):

* An RFQ trade is a direct trade between the two parties
  (:meth:`~fixwire.kalshi.matching.MatchingEngine.block_trade`): it never meets the book, and
  positions change as for any trade. The whole accepted quantity trades (default: the RFQ's);
  RestRemainder, ReplaceExisting, PreferBetterQuote and combo RFQs are not simulated (a combo RFQ is
  rejected with 658=99).
* The confirmation window is ``rfq_confirm_window`` (30 s, the FIX page's figure; spec 18.18). When
  it passes, or the maker cancels an accepted quote, the maker gets AI CANCELLED and the creator a
  second AcceptQuoteStatus <UC> with 21025=1 and Text ``EXPIRED``: the spec documents no message
  for this, and a creator must not be left waiting for executions that will not come.
* Quote prices on AI follow the maker's UseDollars (cents by default, spec 18.9); the
  notification to the creator is in dollars; MDEntryPx is dollars; SettlementPrice is cents with
  2 decimals.
* Settlement reports go only to sessions logged on when :meth:`~Simulator.settle_market` runs, and
  carry only the receiving key's own positions.

Not simulated: balances and risk limits, fees (zero), more than one shard, listener sessions
mirroring a trading session's reports, security status other than settlement.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, TypeAlias

from fixwire._native import Dictionary, GroupSpecs, Message, parse
from fixwire.errors import FixError, RejectError, SessionError
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
_FOUR_DP = Decimal("0.0001")
_ONE = Decimal(1)
_ORDER_ENTRY = frozenset({"D", "F", "G", "q", "UOG"})
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


_Sent: TypeAlias = tuple[int, float, list[tuple[int, FieldValue]]]
"""An ExecutionReport kept for drop copy: its event number, when it was sent, its fields."""


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
    preserve_order_qty: bool = False
    new_before_trade: bool = False
    ioc_cancel_report: bool = False
    settlement_reports: bool = False
    logged_on: bool = False
    #: KalshiMD: the symbols whose book updates it gets, and whose status changes.
    md_symbols: set[str] = field(default_factory=set)
    status_symbols: set[str] = field(default_factory=set)
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(100.0, 100.0))
    mass_cancel_bucket: TokenBucket = field(default_factory=lambda: TokenBucket(1.0, 1.0))


@dataclass(slots=True, eq=False)
class _Rfq:
    """An RFQ: its creator, the server id the makers see, the market and size."""

    rfq_id: str
    creator: str
    quote_req_id: str
    symbol: str
    quantity: Decimal
    subaccount: int
    open: bool = True


@dataclass(slots=True, eq=False)
class _Quote:
    """A maker's quote on an RFQ; ``status`` is pending, accepted (waiting for the maker's
    confirmation), executed, cancelled or expired. Prices are dollars; each is what the
    maker pays per contract of that side."""

    quote_id: str
    maker: str
    rfq: _Rfq
    yes_price: Decimal | None
    no_price: Decimal | None
    subaccount: int
    status: str = "pending"
    taker_side: m.Side = m.Side.YES
    quantity: Decimal = Decimal(0)
    cl_ord_id: str | None = None
    timer: asyncio.TimerHandle | None = None

    def maker_price(self) -> Decimal | None:
        """What the maker pays on the side the creator took."""
        return self.no_price if self.taker_side is m.Side.YES else self.yes_price


class Simulator:
    """The Kalshi exchange, simulated: register keys, list markets, :meth:`start`.

    Args:
        markets: Tickers listed at start (whole-cent ticks, whole contracts).
        rate_limit: The per-key Write bucket; ``None`` for no limit.
        max_sending_time_skew: SendingTime <52> tolerance, seconds (the venue's is 30).
        rfq_confirm_window: Seconds a maker has to send QuoteConfirm <U7> after the creator
            accepted its quote (the FIX page says 30; the REST page says 3 on
            high-volatility and combo markets, spec 18.18).
        drop_copy_lookback: Seconds of ExecutionReports kept for drop-copy replay (the
            venue's 3 hours); older ones are forgotten, so memory stays bounded, and a replay
            that begins before the oldest kept is refused with EventResendReject <U3> 21004=3.
        clock: Wall-clock seconds, for the lookback; tests give their own.
    """

    def __init__(
        self,
        markets: Iterable[str] = ("DEMO-MKT",),
        *,
        rate_limit: RateLimit | None = None,
        max_sending_time_skew: float = 30.0,
        rfq_confirm_window: float = 30.0,
        drop_copy_lookback: float = 3 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = m.MatchingEngine()
        #: Each market's book as last published to KalshiMD: Yes bids and Yes-scale offers.
        self._md_books: dict[str, tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]] = {}
        for ticker in markets:
            self.engine.add_market(ticker)
            self._md_books[ticker] = ({}, {})
        self._confirm_window = rfq_confirm_window
        self._rfqs: dict[str, _Rfq] = {}
        self._quotes: dict[str, _Quote] = {}
        self._public_ids: dict[str, str] = {}
        self._settled: set[str] = set()
        self._settlement_ids = itertools.count(1)
        self._keys: dict[str, bytes] = {}
        self._clients: dict[str, _Client] = {}
        self._rate_limit = rate_limit
        self._skew = max_sending_time_skew
        self._dictionary = Dictionary.kalshi()
        self._events = itertools.count(1)
        self._acceptor: Acceptor | None = None
        # The ExecutionReports of the lookback, per key, for drop-copy replay: (event number,
        # time sent, fields), oldest first; and the newest event number forgotten, per key.
        self._history: dict[str, collections.deque[_Sent]] = {}
        self._forgotten: dict[str, int] = {}
        self._lookback = drop_copy_lookback
        self._clock = clock
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
        # Kalshi's words for a second connection with a key already connected (spec §1).
        self._acceptor.duplicate_text = "already exists"

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

    def settle_market(
        self,
        ticker: str,
        result: str,
        *,
        settlement_price: Decimal | None = None,
        parties_per_page: int = 100,
    ) -> None:
        """Determines and settles a market: its resting orders are cancelled (MARKET_CLOSE),
        then every logged-on session that takes settlement reports (KalshiPT unless it logged
        on with ReceiveSettlementReports <20127>=N, KalshiRT only with 20127=Y) gets
        MarketSettlementReport <UMS> pages of its own key's positions, KalshiMD sessions
        watching the market's status get SecurityStatus <f> 326=101 (settled), and its
        market-data and status subscriptions end.

        One NoMarketSettlementPartyIDs <20108> entry per subaccount with a net position:
        MarketSettlementPartyID <20109> is the API key (``key/N`` for subaccount N, the
        simulator's own convention), LongQty/ShortQty the net position, the payout
        (CollateralAmountChange <1704>, type PAYOUT) is rounded down to whole cents and the
        remainder is the entry's MiscFeeAmt <137>, so that the two add up to the exact value
        as the spec says. Sessions not logged on at the time get nothing (the venue would
        keep the reports for a KalshiPT resend; the simulator does not).

        Args:
            ticker: A listed market, not settled before.
            result: MarketResult <20107>: ``"yes"``, ``"no"`` or ``"scalar"``.
            settlement_price: For ``"scalar"`` only: the Yes contract's value, dollars in
                [0, 1]; SettlementPrice <730> carries it in cents with 2 decimals.
            parties_per_page: Entries per page; more make several pages, stitched by Symbol
                <55> with TotNumMarketSettlementReports <20106> and LastFragment <893>.

        Raises:
            ValueError: An unknown or already settled market, a result other than the three,
                a scalar without a price in [0, 1] (or a price with yes/no), a page size
                below 1.
        """
        if result not in ("yes", "no", "scalar"):
            raise ValueError(f"result must be 'yes', 'no' or 'scalar', not {result!r}")
        if (result == "scalar") != (settlement_price is not None):
            raise ValueError("settlement_price is required with 'scalar' and only with it")
        if settlement_price is not None and not (
            isinstance(settlement_price, Decimal) and 0 <= settlement_price <= 1
        ):
            raise ValueError("settlement_price must be a Decimal number of dollars in [0, 1]")
        if parties_per_page < 1:
            raise ValueError("parties_per_page must be at least 1")
        if ticker in self._settled:
            raise ValueError(f"market {ticker!r} is settled already")
        price = settlement_price if settlement_price is not None else Decimal(result == "yes")
        self._publish(self.engine.close_market(ticker, _now()))
        self._settled.add(ticker)
        for rfq in self._rfqs.values():
            if rfq.symbol == ticker and rfq.open:
                self._close_rfq(rfq, "MARKET_CLOSED")
        by_owner: dict[str, list[list[tuple[int, FieldValue]]]] = {}
        for (owner, subaccount), position in sorted(self.engine.positions(ticker).items()):
            exact = position.long_qty * price + position.short_qty * (_ONE - price)
            payout = exact.quantize(_TWO_DP, rounding=ROUND_DOWN)
            by_owner.setdefault(owner, []).append(
                [
                    (20109, owner if subaccount == 0 else f"{owner}/{subaccount}"),
                    (20110, 24),
                    (704, position.long_qty.quantize(_TWO_DP)),
                    (705, position.short_qty.quantize(_TWO_DP)),
                    (1703, [[(1704, payout), (1705, "PAYOUT")]]),
                    (136, [[(137, exact - payout), (138, "USD"), (139, "4"), (891, "0")]]),
                ]
            )
        batch = next(self._settlement_ids)
        business_date = datetime.now(UTC).date()
        for owner, client in self._clients.items():
            if not client.logged_on:
                continue
            if client.session_type is SessionType.MD:
                if ticker in client.status_symbols:
                    self._send(client, "f", [(55, ticker), (326, 101)])
                client.status_symbols.discard(ticker)
                client.md_symbols.discard(ticker)
                continue
            parties = by_owner.get(owner)
            if not parties or not client.settlement_reports:
                continue
            pages = [
                parties[i : i + parties_per_page] for i in range(0, len(parties), parties_per_page)
            ]
            for number, page in enumerate(pages, 1):
                fields: list[tuple[int, FieldValue]] = [
                    (20105, f"settle-{batch}-{owner}-{number}"),
                    (55, ticker),
                    (715, business_date),
                    (20106, len(pages)),
                    (20107, result),
                    (893, number == len(pages)),
                    (730, (price * 100).quantize(_TWO_DP)),
                    (20108, list(page)),
                ]
                self._send(client, "UMS", fields)

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
            answers_invalid=_answers_invalid,
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
                try:
                    self._on_message(api_key, client, event.message)
                except (FixError, ArithmeticError, ValueError, TypeError, KeyError) as e:
                    # A message the dictionary let through but a handler cannot take (a value
                    # out of range, a missing conditional tag): the venue answers, and serves on.
                    self._business_reject(client, event.message, 0, f"cannot process: {e}")

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
            client.preserve_order_qty = bool(logon.get_bool(21008, default=False))
            client.new_before_trade = bool(logon.get_bool(21026, default=False))
            client.ioc_cancel_report = bool(logon.get_bool(21007, default=False))
            client.settlement_reports = bool(
                logon.get_bool(20127, default=session_type is SessionType.PT)
            )
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
        order_entry = msg_type in _ORDER_ENTRY
        if client.listener and (order_entry or msg_type in ("R", "UA", "UE")):
            self._business_reject(client, msg, 6, "listener sessions cannot trade")
            return
        wrong_session = (
            client.session_type not in (SessionType.NR, SessionType.RT)
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
        if msg_type in _WRITES and self._rate_limit is not None:
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
        elif msg_type in ("R", "UA", "UE", "S", "Z", "U7"):
            self._rfq_message(api_key, client, msg)
        elif msg_type == "V":
            self._market_data_request(client, msg)
        elif msg_type == "e":
            symbol = msg[55]
            if msg.get(263) == "2":
                client.status_symbols.discard(symbol)
            else:
                client.status_symbols.add(symbol)
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
        except (ValueError, TypeError, ArithmeticError) as e:
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
        history = self._history.get(api_key, collections.deque())

        def event_number(exec_id: str | None) -> int | None:
            try:
                return None if exec_id is None else int(exec_id.split(";")[1])
            except (IndexError, ValueError):
                return None

        begin = event_number(msg.get(21001))
        end = event_number(msg.get(21002)) if 21002 in msg else (history[-1][0] if history else 0)
        if begin is None or end is None or begin <= self._forgotten.get(api_key, 0):
            self._send(client, "U3", [(45, msg.seq_num), (21004, 3)])
            return
        if history and end > history[-1][0]:
            self._send(client, "U3", [(45, msg.seq_num), (21004, 4)])
            return
        replayed = [fields for number, _, fields in history if begin <= number <= end]
        for fields in replayed:
            client.connection.send("8", fields)
        self._send(client, "U2", [(45, msg.seq_num), (21003, len(replayed))])

    # RFQ (spec section 12).

    def _rfq_message(self, api_key: str, client: _Client, msg: Message) -> None:
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

    def _makers(self) -> list[_Client]:
        return [
            c for c in self._clients.values() if c.logged_on and c.session_type is SessionType.RFQ
        ]

    def _quote_request(self, api_key: str, client: _Client, msg: Message) -> None:
        request_id = msg[131]
        entries = parse(msg.raw, groups=GroupSpecs.kalshi()).group(146)

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
        if quantity is None or quantity <= 0 or quantity != quantity.quantize(_TWO_DP):
            reject(99, "INVALID_QUANTITY")
            return
        rfq = _Rfq(
            str(uuid.uuid4()), api_key, request_id, symbol, quantity, msg.get_int(79, 0) or 0
        )
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
                        (38, quantity.quantize(_TWO_DP)),
                        (453, [[(448, self._public_id(api_key))]]),
                    ]
                ],
            ),
        ]
        for maker in self._makers():
            self._send(maker, "R", list(broadcast))

    def _combo_request(self, client: _Client, msg: Message) -> None:
        """A combo RFQ: its legs are validated as the venue does (MVEValidationReasonCode
        <20187> with the offending legs), then it is refused all the same, 658=99: combo
        markets are not simulated."""
        legs = [
            (leg.get(20183, ""), leg.get(20184, ""))
            for leg in parse(msg.raw, groups=GroupSpecs.kalshi()).group(20181)
        ]
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

    def _quote(self, api_key: str, client: _Client, msg: Message) -> None:
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
        for old in self._quotes.values():
            if old.maker == api_key and old.rfq is rfq and old.status == "pending":
                old.status = "cancelled"  # Replaced by the new quote, as the spec says.
        quote = _Quote(quote_id, api_key, rfq, yes, no, msg.get_int(79, 0) or 0)
        self._quotes[quote_id] = quote
        self._send(client, "AI", self._quote_status(client, quote, 10))
        creator = self._clients.get(rfq.creator)
        if creator is None or not creator.logged_on:
            return
        notification: list[tuple[int, FieldValue]] = [
            (117, quote_id),
            (131, rfq.rfq_id),
            (55, rfq.symbol),
        ]
        if yes is not None:
            notification.append((132, yes.quantize(_FOUR_DP)))
        if no is not None:
            notification.append((133, no.quantize(_FOUR_DP)))
        notification.append((38, rfq.quantity.quantize(_TWO_DP)))
        if yes is not None:
            notification.append((134, rfq.quantity.quantize(_TWO_DP)))
        if no is not None:
            notification.append((135, rfq.quantity.quantize(_TWO_DP)))
        notification.append((453, [[(448, self._public_id(api_key)), (452, 35)]]))
        self._send(creator, "S", notification)

    def _quote_status(
        self, client: _Client, quote: _Quote, status: int, text: str | None = None
    ) -> list[tuple[int, FieldValue]]:
        """A QuoteStatusReport <AI> for the maker, prices in the maker's units."""
        fields: list[tuple[int, FieldValue]] = [(117, quote.quote_id), (131, quote.rfq.rfq_id)]
        if quote.subaccount:
            fields.append((79, quote.subaccount))
        fields += [(297, status), (38, quote.rfq.quantity.quantize(_TWO_DP))]
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

    def _tell_maker(self, quote: _Quote, status: int, text: str | None = None) -> None:
        maker = self._clients.get(quote.maker)
        if maker is not None and maker.logged_on:
            self._send(maker, "AI", self._quote_status(maker, quote, status, text))

    def _tell_creator_failed(self, quote: _Quote, text: str) -> None:
        """An accepted quote will not execute: the creator hears it as a failed
        AcceptQuoteStatus <UC> (the spec documents no message for this)."""
        creator = self._clients.get(quote.rfq.creator)
        if creator is None or not creator.logged_on:
            return
        fields: list[tuple[int, FieldValue]] = [(117, quote.quote_id), (21025, 1)]
        if quote.cl_ord_id is not None:
            fields.append((11, quote.cl_ord_id))
        fields.append((58, text))
        self._send(creator, "UC", fields)

    def _accept_quote(self, api_key: str, client: _Client, msg: Message) -> None:
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
        quote.taker_side = m.Side.YES if msg[54] == "1" else m.Side.NO
        quantity = msg.get_decimal(38, quote.rfq.quantity)
        if quote.maker_price() is None:
            refuse("QUOTE_SIDE_NOT_OFFERED")
            return
        if not 0 < quantity <= quote.rfq.quantity or quantity != quantity.quantize(_TWO_DP):
            refuse("INVALID_QUANTITY")
            return
        quote.status = "accepted"
        quote.quantity = quantity
        quote.cl_ord_id = cl_ord_id
        fields: list[tuple[int, FieldValue]] = [(117, quote_id), (21025, 0), (21024, quote_id)]
        if cl_ord_id is not None:
            fields.append((11, cl_ord_id))
        self._send(client, "UC", fields)
        self._tell_maker(quote, 0)
        quote.timer = asyncio.get_running_loop().call_later(
            self._confirm_window, self._confirmation_expired, quote
        )

    def _confirmation_expired(self, quote: _Quote) -> None:
        if quote.status != "accepted":
            return
        quote.status = "expired"
        self._tell_maker(quote, 17, "EXPIRED")
        self._tell_creator_failed(quote, "EXPIRED")

    def _confirm_quote(self, api_key: str, client: _Client, msg: Message) -> None:
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
            now=_now(),
            taker_subaccount=rfq.subaccount,
            maker_subaccount=quote.subaccount,
        )
        rejected = next((e for e in events if isinstance(e, m.Rejected)), None)
        if rejected is not None:
            quote.status = "cancelled"
            refuse(rejected.reason.value)
            self._tell_creator_failed(quote, rejected.reason.value)
            return
        quote.status = "executed"
        self._send(client, "U8", [(117, quote_id), (21010, 0)])
        self._publish(events)
        self._close_rfq(rfq, "RFQ_EXECUTED", makers=False)

    def _close_rfq(self, rfq: _Rfq, text: str, *, makers: bool = True) -> None:
        """Closes an RFQ: its live quotes are cancelled (QuoteStatusReport <AI> 297=17 to their
        makers) and, with ``makers``, every maker hears QuoteRequestReject <AG> (older docs:
        makers receive AG when an RFQ is cancelled)."""
        rfq.open = False
        for quote in self._quotes.values():
            if quote.rfq is rfq and quote.status in ("pending", "accepted"):
                if quote.status == "accepted":
                    if quote.timer is not None:
                        quote.timer.cancel()
                    self._tell_creator_failed(quote, "EXPIRED")
                quote.status = "cancelled"
                self._tell_maker(quote, 17, text)
        if makers:
            for maker in self._makers():
                self._send(maker, "AG", [(58, text), (131, rfq.rfq_id), (658, 99)])

    def _cancel_rfq(self, api_key: str, client: _Client, msg: Message) -> None:
        quote_req_id, rfq_id = msg.get(131), msg.get(21023)
        rfq: _Rfq | None = None
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

    def _cancel_quote(self, api_key: str, client: _Client, msg: Message) -> None:
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
        self._send(client, "AI", self._quote_status(client, quote, 17))
        self._send(client, "U9", [(117, quote_id), (298, 0)])

    # Market data (spec section 13).

    def _market_data_request(self, client: _Client, msg: Message) -> None:
        request_type = msg.get(263)
        symbols = [e[55] for e in parse(msg.raw, groups=GroupSpecs.kalshi()).group(146)]
        if request_type == "2":
            if symbols:
                client.md_symbols.difference_update(symbols)
            else:
                client.md_symbols.clear()
            return
        if request_type not in ("0", "1"):
            self._send(client, "Y", [(281, "4"), (58, f"SubscriptionRequestType {request_type}")])
            return
        if not symbols:
            self._send(client, "Y", [(58, "NoRelatedSym <146> is required to subscribe")])
            return
        for symbol in symbols:
            bids, offers = self._book(symbol)
            now = datetime.now(UTC)
            entries = [
                self._md_entry(entry_type, price, size, now)
                for entry_type, levels in (("0", bids), ("1", offers))
                for price, size in levels.items()
            ]
            self._send(client, "W", [(55, symbol), (268, entries)])
            if request_type == "1":
                client.md_symbols.add(symbol)

    def _book(self, market: str) -> tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]:
        """Yes bids and offers (the No bids on the Yes scale), best first; empty when the
        market is unknown (the venue answers an unknown ticker with an empty snapshot)."""
        try:
            yes = self.engine.depth(market, m.Side.YES)
            no = self.engine.depth(market, m.Side.NO)
        except KeyError:
            return {}, {}
        return dict(yes), {_ONE - price: size for price, size in no}

    @staticmethod
    def _md_entry(
        entry_type: str, price: Decimal, size: Decimal, now: datetime
    ) -> list[tuple[int, FieldValue]]:
        return [
            (269, entry_type),
            (270, price.quantize(_FOUR_DP)),
            (271, size.quantize(_TWO_DP)),
            (272, now.date()),
            (273, now.strftime("%H:%M:%S.") + f"{now.microsecond // 1000:03d}"),
        ]

    def _market_data_updates(self, events: list[m.Event]) -> None:
        """MarketDataIncrementalRefresh <X> to each subscriber: trades, then the levels that
        changed (level-replace: the new size; deleted levels with size 0)."""
        touched: dict[str, None] = {}
        trades: list[tuple[str, list[tuple[int, FieldValue]]]] = []
        now = datetime.now(UTC)
        for event in events:
            if isinstance(event, (m.Accepted, m.Filled, m.Cancelled, m.Replaced)):
                touched[event.order.market] = None
            if isinstance(event, m.Filled) and event.liquidity is m.Liquidity.TAKER:
                market = event.order.market
                entry = self._md_entry("2", event.yes_price, event.qty, now)
                aggressor = "1" if event.order.side is m.Side.YES else "2"
                trades.append((market, [(279, "0"), (55, market), *entry, (2446, aggressor)]))
        changes: list[tuple[str, list[tuple[int, FieldValue]]]] = list(trades)
        for market in touched:
            new = self._book(market)
            old = self._md_books.get(market, ({}, {}))
            self._md_books[market] = new
            for entry_type, before, after in zip(("0", "1"), old, new, strict=True):
                for price, size in after.items():
                    if before.get(price) != size:
                        action = "1" if price in before else "0"
                        entry = self._md_entry(entry_type, price, size, now)
                        changes.append((market, [(279, action), (55, market), *entry]))
                for price in before.keys() - after.keys():
                    entry = self._md_entry(entry_type, price, Decimal(0), now)
                    changes.append((market, [(279, "2"), (55, market), *entry]))
        if not changes:
            return
        for client in list(self._clients.values()):
            if client.logged_on and client.md_symbols:
                mine = [entry for market, entry in changes if market in client.md_symbols]
                if mine:
                    self._send(client, "X", [(268, mine)])

    # Reports.

    def _publish(self, events: list[m.Event]) -> None:
        """Sends each engine event to its owner, when the owner is connected, then the book
        changes and trades to KalshiMD subscribers."""
        # Orders that trade in the same batch they were accepted in: by default (no
        # AlwaysEmitNewBeforeTrade <21026>) their New is folded into the first Trade.
        trading = {e.order.order_id for e in events if isinstance(e, m.Filled)}
        for event in events:
            owner = _owner(event)
            if owner == HOUSE:
                continue
            client = self._clients.get(owner)
            if client is None or not client.logged_on:
                continue
            if (
                isinstance(event, m.Accepted)
                and event.order.order_id in trading
                and not client.new_before_trade
            ):
                continue
            if (
                isinstance(event, m.Cancelled)
                and event.reason is m.CancelReason.IMMEDIATE_OR_CANCELLED
                and event.order.cum_qty > 0
                and not client.ioc_cancel_report
            ):
                # Without EnableIocCancelReport <21007> a partially filled IOC gets no report
                # for its unfilled rest: a guess, as the spec leaves it open (question 17).
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
        self._market_data_updates(events)

    def _execution_report(
        self, client: _Client, owner: str, fields: list[tuple[int, FieldValue]]
    ) -> None:
        number = next(self._events)
        fields.insert(2, (17, f"{number};{number}"))
        # Drop copy replays executions, not rejects (spec section 10).
        if (150, "8") not in fields:
            self._remember(owner, number, fields)
        self._send(client, "8", fields)

    def _remember(self, owner: str, number: int, fields: list[tuple[int, FieldValue]]) -> None:
        """Keeps an ExecutionReport for drop copy, forgetting those past the lookback."""
        now = self._clock()
        history = self._history.setdefault(owner, collections.deque())
        while history and history[0][1] < now - self._lookback:
            self._forgotten[owner] = history.popleft()[0]
        history.append((number, now, fields))

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
            # OrderQty <38> is CumQty + LeavesQty unless PreserveOriginalOrderQty <21008>.
            (
                38,
                (
                    order.order_qty
                    if client.preserve_order_qty
                    else order.cum_qty + order.leaves_qty
                ).quantize(_TWO_DP),
            ),
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


def _answers_invalid(msg: Message, error: RejectError) -> bool:
    """Whether the venue answers an invalid message itself rather than with Reject <3>: an
    unsupported SubscriptionRequestType <263> gets MarketDataRequestReject <Y> 281=4 (spec
    section 13), which the market-data handler sends."""
    return msg.msg_type == "V" and error.ref_tag_id == 263


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
