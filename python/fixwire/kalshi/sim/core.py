"""The simulator's shared parts: a logged-on session (:class:`Participant`), and the state,
clock and answers every venue flow uses (:class:`VenueCore`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fixwire._native import Encoder, Message, Template
from fixwire.errors import SessionError
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.vocabulary import ZERO
from fixwire.kalshi.venue import LogonFlags, SessionType, TokenBucket
from fixwire.session import (
    Connection,
)
from fixwire.session.config import FieldValue

#: The owner of the simulator's own orders (the rest of the market).
HOUSE = "00000000-0000-4000-8000-00000000f10e"
CENT = Decimal("0.01")
TWO_DP = Decimal("0.01")
FOUR_DP = Decimal("0.0001")


@dataclass(slots=True)
class Participant:
    """One API key's logged-on session and the flags of its Logon."""

    session_type: SessionType
    connection: Connection
    flags: LogonFlags = field(default_factory=LogonFlags)
    logged_on: bool = False
    #: KalshiMD: the symbols whose book updates it gets, and whose status changes.
    md_symbols: set[str] = field(default_factory=set)
    status_symbols: set[str] = field(default_factory=set)
    #: What those two sets take, by ``market_data.SUBSCRIPTION_CHARGE``.
    subscription_bytes: int = 0
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(100.0, 100.0))
    mass_cancel_bucket: TokenBucket = field(default_factory=lambda: TokenBucket(1.0, 1.0))
    #: Writes what a retransmission session is sent while logged out (made on first use).
    encoder: Encoder | None = None
    #: The AllocAccount <79> of a request without one: a restricted key's subaccount, else 0.
    subaccount: int = 0
    #: Whether the key is restricted to :attr:`subaccount` (spec section 1).
    restricted: bool = False

    @property
    def settlement_reports(self) -> bool:
        """Whether MarketSettlementReport <UMS> goes to this session."""
        return self.flags.settlement_reports(self.session_type)


_TRADING = (SessionType.NR, SessionType.RT, SessionType.RFQ)
# Read once (see book.py: each Enum.MEMBER read costs an EnumType hook on Python 3.11).
_YES = m.Side.YES


class VenueCore:
    """The state every venue flow shares (set by :class:`~fixwire.kalshi.sim.Simulator`), and
    the few ways they all answer: send, BusinessMessageReject <j>, prices in the session's
    units.
    """

    # The state an order's path reads, in slots. CPython 3.11 specialises attribute and
    # method access on an instance only while its dictionary holds at most 30 keys, and the
    # simulator has more attributes than that: past it every ``self._x`` and ``self._f()``
    # is a lookup through the class's MRO and the dictionary. Slots keep the dictionary
    # (which the other flows' state still uses) under the limit. Those of VenueCore and of
    # DropCopyFlow, MarketDataFlow and OrderFlow (declared there).
    __slots__ = (
        "_clients",
        "_clock",
        "_events",
        "_forgotten",
        "_history",
        "_history_bytes",
        "_history_cap",
        "_last_now",
        "_lookback",
        "_max_subscription_bytes",
        "_md_books",
        "_md_losses",
        "_md_sessions",
        "_order_prices",
        "_order_qtys",
        "_replay_buckets",
        "_replay_failures",
        "_replay_limit",
        "_tick_texts",
        "_trading",
        "_unavailable",
        "engine",
    )

    engine: m.MatchingEngine
    #: Each key's sessions, one per session type (spec section 1).
    _clients: dict[tuple[str, SessionType], Participant]
    #: Each key's trading sessions (:meth:`_trading_sessions`), kept by :meth:`_add_client`.
    _trading: dict[str, tuple[Participant, ...]]
    #: :meth:`_tick_text`'s texts: ``[use_dollars][side is YES][price]``.
    _tick_texts: tuple[tuple[dict[Decimal, str], dict[Decimal, str]], ...]
    #: The simulator's clock, wall-clock seconds (``Simulator(clock=)``), and the latest
    #: time :meth:`_now` gave.
    _clock: Callable[[], float]
    _last_now: float
    #: :meth:`_order_price`'s prices: ``[use_dollars][Price <44> text]`` (None, absent, is
    #: never a key: a type that lets it be looked up).
    _order_prices: tuple[dict[str | None, tuple[Decimal, Decimal, Decimal]], ...]
    #: :meth:`_order_qty`'s quantities by OrderQty <38> text (never None either).
    _order_qtys: dict[str | None, Decimal]

    def _now(self) -> float:
        """The simulator's clock, never going backwards (the engine requires it): the ``now``
        of every engine operation. ExpireTime <126> is wall-clock, so is the clock.
        """
        now = self._clock()
        if now > self._last_now:
            self._last_now = now
        return self._last_now

    def _add_client(self, api_key: str, client: Participant) -> None:
        """Makes ``client`` the key's session of its type (replacing the one before)."""
        self._clients[api_key, client.session_type] = client
        get = self._clients.get
        self._trading[api_key] = tuple(
            session for t in _TRADING if (session := get((api_key, t))) is not None
        )

    def _trading_sessions(self, owner: str) -> tuple[Participant, ...]:
        """The key's KalshiNR, KalshiRT and KalshiRFQ sessions, logged on or not: where its
        ExecutionReports go (KalshiDC only replays them on request, spec section 10). The spec
        names no session for a maker's executions; the simulator sends them on KalshiRFQ too.
        """
        return self._trading.get(owner, ())

    def _price(self, client: Participant, msg: Message, tag: int = 44) -> Decimal | None:
        value = msg.get_decimal(tag)
        if value is None or client.flags.use_dollars:
            return value
        return value * CENT

    def _order_price(
        self, client: Participant, msg: Message, text: str | None
    ) -> tuple[Decimal, Decimal, Decimal] | None:
        """Price <44> of an order, ``text`` as sent: :meth:`_price`'s Yes price, then the
        prices on the Yes and the No side's own scales (:func:`~.matching.from_yes_price`);
        None without one. Remembered by text (per UseDollars <21005>): the same few prices
        recur, and a remembered ``Decimal`` has its hash computed already (a fresh one's
        costs about a microsecond in each dictionary the engine looks it up in).
        """
        prices = self._order_prices[client.flags.use_dollars]
        known = prices.get(text)
        if known is None:
            yes_price = self._price(client, msg)
            if yes_price is None:
                return None
            known = (
                yes_price,
                m.from_yes_price(m.Side.YES, yes_price),
                m.from_yes_price(m.Side.NO, yes_price),
            )
            if text is not None and len(text) <= _MAX_REMEMBERED_TEXT:
                if len(prices) >= _MAX_REMEMBERED:
                    prices.clear()
                prices[text] = known
        return known

    def _order_qty(self, msg: Message, text: str | None) -> Decimal:
        """OrderQty <38> of an order (0 without one), ``text`` as sent, remembered by text as
        :meth:`_order_price` remembers prices.
        """
        qtys = self._order_qtys
        qty = qtys.get(text)
        if qty is None:
            qty = msg.get_decimal(38, ZERO)
            if text is not None and len(text) <= _MAX_REMEMBERED_TEXT:
                if len(qtys) >= _MAX_REMEMBERED:
                    qtys.clear()
                qtys[text] = qty
        return qty

    def _wire_price(self, client: Participant, yes_price: Decimal) -> Decimal:
        if client.flags.use_dollars:
            return yes_price.quantize(FOUR_DP)
        return (yes_price * 100).normalize()

    def _tick_text(self, client: Participant, side: m.Side, price: Decimal) -> str:
        """Price <44> of an order the engine took, on ``side``'s own scale (a tick: at most
        9,999 of them): :meth:`_wire_price` of its Yes price, as the text the encoder would
        write, remembered per UseDollars <21005> and side. Keyed by the order's own price,
        whose hash the engine's book has already computed (a fresh ``Decimal``'s costs about
        a microsecond).
        """
        texts = self._tick_texts[client.flags.use_dollars][side is _YES]
        text = texts.get(price)
        if text is None:
            yes_price = m.to_yes_price(side, price)
            text = texts[price] = format(self._wire_price(client, yes_price), "f")
        return text

    def _business_reject(self, client: Participant, msg: Message, reason: int, text: str) -> None:
        fields: list[tuple[int, FieldValue]] = [
            (45, msg.seq_num),
            (372, msg.msg_type),
            (380, reason),
            (58, text),
        ]
        self._send(client, "j", fields)

    def _session_reject(
        self, client: Participant, msg: Message, tag: int, reason: int, text: str
    ) -> None:
        """Reject <3> of ``msg``: RefTagID <371> ``tag``, SessionRejectReason <373>
        ``reason``.
        """
        fields: list[tuple[int, FieldValue]] = [
            (45, msg.seq_num),
            (371, tag),
            (372, msg.msg_type),
            (373, reason),
            (58, text),
        ]
        self._send(client, "3", fields)

    def _send(self, client: Participant, message: str | Template, fields: Any) -> None:
        """Sends to a logged-on session: a MsgType <35> and its (tag, value) pairs, or a
        :class:`~fixwire.Template` and its values. A retransmission session (KalshiRT) that is
        logged out has the message stored under its next MsgSeqNum <34>, so that its next Logon
        shows the gap and a ResendRequest <2> returns it; other sessions lose it, as on the
        venue.
        """
        if client.logged_on:
            try:
                client.connection.send(message, fields)
                return
            except SessionError:
                client.logged_on = False
        if client.session_type.retransmission:
            _keep_for_resend(client, message, fields)


def _keep_for_resend(client: Participant, message: str | Template, fields: Any) -> None:
    """Stores an application message for a logged-out session's resend, as the session would
    have stored it had it been sent.
    """
    session = client.connection.session
    if client.encoder is None:
        config = session.config
        client.encoder = Encoder(
            config.sender_comp_id,
            config.target_comp_id,
            begin_string=config.begin_string,
            time_precision=config.time_precision,
            length_fields=config.length_fields,
        )
    store = session.store
    seq_num = store.next_sender_seq
    # SendingTime <52> is the session layer's, the real clock's, as on what it sends itself.
    now = time.time()
    encoder = client.encoder
    store.save(
        seq_num,
        encoder.encode_template(message, fields, seq_num=seq_num, sending_time=now)
        if isinstance(message, Template)
        else encoder.encode(message, fields, seq_num=seq_num, sending_time=now),
    )
    store.set_next_sender_seq(seq_num + 1)


#: The longest Price <44> or OrderQty <38> text whose value is remembered, and how many are
#: remembered at most (all forgotten past that): a bound whatever a client sends.
_MAX_REMEMBERED_TEXT = 16
_MAX_REMEMBERED = 4096

#: Quantities :func:`qty_text` remembers at most (it forgets them all past that).
_MAX_QTY_TEXTS = 4096
_qty_texts: dict[Decimal, str] = {}


def qty_text(qty: Decimal) -> str:
    """A quantity as the venue writes it on reports, with two decimals (spec 6.3: ``10.00``),
    as the encoder would write ``qty.quantize(TWO_DP)``: most reports carry a few recurring
    quantities, whose text is remembered.
    """
    if not qty:  # -0 and 0 would be one key for two texts.
        return "-0.00" if qty.is_signed() else "0.00"
    text = _qty_texts.get(qty)
    if text is None:
        if len(_qty_texts) >= _MAX_QTY_TEXTS:
            _qty_texts.clear()
        text = _qty_texts[qty] = format(qty.quantize(TWO_DP), "f")
    return text


#: :func:`transact_time`'s last millisecond and its text, and its second's text.
_transact_millisecond: tuple[int, str] = (-1, "")
_transact_second: tuple[int, str] = (-1, "")


def transact_time(now: float) -> str:
    """TransactTime <60> at ``now`` (seconds since the epoch, the simulator's clock), as the
    text the sessions' encoder writes a ``datetime`` in (UTCTimestamp at millisecond
    precision, spec section 2: ``YYYYMMDD-HH:MM:SS.mmm``), remembered for the millisecond and
    the second: a ``datetime`` costs more to make and to encode than the rest of a report's
    clock, and reports come many to a millisecond.
    """
    global _transact_millisecond, _transact_second
    # Rounded to the microsecond first, as the encoder rounds a float's seconds.
    milliseconds = _floor(now * 1e6 + 0.5) // 1000
    known = _transact_millisecond  # each read once: another thread may replace it
    if milliseconds == known[0]:
        return known[1]
    second, millisecond = divmod(milliseconds, 1000)
    day = _transact_second
    if second != day[0]:
        day = _transact_second = (second, time.strftime("%Y%m%d-%H:%M:%S.", time.gmtime(second)))
    text = day[1] + _MILLISECONDS[millisecond]
    _transact_millisecond = (milliseconds, text)
    return text


_floor = math.floor
#: A millisecond's three digits, by number: an index costs less than a format.
_MILLISECONDS = tuple(f"{n:03d}" for n in range(1000))
