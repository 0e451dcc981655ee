"""Kalshi venue facts that the client and the exchange simulator both read.

This module sits below both sides: :mod:`fixwire.kalshi.client` (and its configuration) and
:mod:`fixwire.kalshi.sim` import it, it imports neither. It holds what is not in the bundled
dictionary ``kalshi.xml`` (the home of the venue's tags, types and groups):

* :class:`SessionType`: TargetCompID <56>, port and sequence-number rules of each session type
  (kalshi-fix-spec.md section 1).
* :class:`Gateway`: the Predictions (event-contract) gateway and the margin (perpetuals)
  gateway, and what the margin one does not offer (section 17); :class:`GatewayError` is the
  refusal of what a gateway does not take.
* :class:`LogonFlags`: the one table of Kalshi's Logon flags (section 4), each with its tag and
  the venue's default. The client writes its Logon from it; the simulator reads a Logon with it.
* :class:`RateLimit` and :class:`TokenBucket`: the Write budget of section 14, which the client
  applies to itself and the simulator enforces.
* :func:`check_cl_ord_id`: what a ClOrdID <11> may be (section 6.4), which the client checks
  before sending and the simulator refuses.
"""

from __future__ import annotations

import dataclasses
import enum
import string
import time
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import TYPE_CHECKING

from fixwire._native import GroupSpecs, Message, parse
from fixwire.errors import FixError, SessionError

if TYPE_CHECKING:
    from fixwire._native import Message
    from fixwire.session.config import FieldValue

__all__ = [
    "KALSHI_GROUPS",
    "Gateway",
    "GatewayError",
    "GroupAction",
    "LogonFlags",
    "RateLimit",
    "RateLimitError",
    "SelfTradePrevention",
    "SessionType",
    "Side",
    "TimeInForce",
    "TokenBucket",
    "check_cl_ord_id",
    "check_message_retention",
    "check_settlement_reports",
    "with_groups",
]

# The characters of a ClOrdID <11> (spec question 21: the venue's regex also admits "/").
CL_ORD_ID_BYTES = (string.ascii_letters + string.digits + "-_:+=/").encode("ascii")
#: The longest ClOrdID <11> the venue takes (spec section 6.4).
CL_ORD_ID_MAX_LENGTH = 64
# Each byte to itself when a ClOrdID may hold it, else to NUL (which none may).
_CL_ORD_ID_TABLE = bytes(b if b in CL_ORD_ID_BYTES else 0 for b in range(256))


def check_cl_ord_id(value: str, name: str = "cl_ord_id") -> str:
    """``value`` if it is a ClOrdID <11> the venue takes (its characters and length); else
    ``ValueError`` naming ``name``.
    """
    # Mapped through _CL_ORD_ID_TABLE, a valid id holds no NUL: one pass of a table lookup
    # per byte (deleting the allowed bytes instead builds a table from them on every call).
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= CL_ORD_ID_MAX_LENGTH
        or not value.isascii()
        or 0 in value.encode("ascii").translate(_CL_ORD_ID_TABLE)
    ):
        raise ValueError(
            f"{name} must be 1-{CL_ORD_ID_MAX_LENGTH} characters of letters, digits and"
            f" - _ : + = /, not {value!r}"
        )
    return value


#: The longest resend window a Logon may ask for, MessageRetentionPeriod <20200> hours (spec
#: section 4); the shortest is one hour.
MAX_MESSAGE_RETENTION_HOURS = 72


def check_message_retention(hours: int, session_type: SessionType) -> int:
    """``hours`` if it is a MessageRetentionPeriod <20200> the venue takes on ``session_type``:
    1 to :data:`MAX_MESSAGE_RETENTION_HOURS`, on a session that retransmits (KalshiRT and
    KalshiPT, spec section 4: the flag is the resend window's); else ``ValueError`` saying so.
    """
    if not session_type.retransmission:
        raise ValueError(
            "MessageRetentionPeriod <20200> applies to KalshiRT/KalshiPT,"
            f" not {session_type.target_comp_id}"
        )
    if not 1 <= hours <= MAX_MESSAGE_RETENTION_HOURS:
        raise ValueError(
            f"MessageRetentionPeriod <20200> must be 1 to {MAX_MESSAGE_RETENTION_HOURS} hours,"
            f" not {hours}"
        )
    return hours


def check_settlement_reports(session_type: SessionType) -> None:
    """``ValueError`` unless ReceiveSettlementReports <20127> may be set on ``session_type``:
    MarketSettlementReport <UMS> goes out on KalshiRT (opt-in) and KalshiPT (opt-out) only
    (spec sections 4 and 11), so the flag, Y or N, belongs to no other session.
    """
    if session_type not in (SessionType.RT, SessionType.PT):
        raise ValueError(
            "ReceiveSettlementReports <20127> applies to KalshiRT/KalshiPT,"
            f" not {session_type.target_comp_id}"
        )


class SessionType(enum.Enum):
    """Kalshi's session types: TargetCompID <56>, port, and the sequence-number rules."""

    NR = ("KalshiNR", 8228)
    DC = ("KalshiDC", 8229)
    RT = ("KalshiRT", 8230)
    PT = ("KalshiPT", 8231)
    RFQ = ("KalshiRFQ", 8232)
    MD = ("KalshiMD", 8233)

    # Members are singletons compared by identity: the identity hash (in C) serves as well as
    # Enum's hash of the name (a Python call), and the simulator looks sessions up by
    # (API key, session type) for every report it sends.
    __hash__ = object.__hash__

    @property
    def target_comp_id(self) -> str:
        """TargetCompID <56> of this session type."""
        return self.value[0]

    @property
    def port(self) -> int:
        """The gateway's port for this session type (the same in every environment)."""
        return self.value[1]

    @property
    def retransmission(self) -> bool:
        """Whether ResendRequest <2> and SequenceReset <4> are supported (KalshiRT, KalshiPT).

        The other session types must log on with ResetSeqNumFlag <141>=Y every time.
        """
        return self in (SessionType.RT, SessionType.PT)


class GatewayError(FixError, ValueError):
    """A setting or request the gateway does not take (the margin gateway's missing session
    types, Logon flags, fields and messages, spec section 17), refused before anything is
    sent.

    Attributes:
        gateway: The gateway that does not take it.
    """

    def __init__(self, gateway: Gateway, what: str) -> None:
        super().__init__(f"{what} on the {gateway.value} gateway")
        self.gateway = gateway
        self._what = what

    def __reduce__(self) -> tuple[type[GatewayError], tuple[Gateway, str]]:
        return (type(self), (self.gateway, self._what))


class Gateway(enum.Enum):
    """Kalshi's two FIX gateways (spec sections 1 and 17): their own hosts, the same session
    types' ports and the same messages, less what the margin gateway does not offer.
    """

    PREDICTIONS = "predictions"
    """The event-contract exchange: Yes/No contracts priced between $0 and $1."""
    MARGIN = "margin"
    """The margin (perpetuals) exchange, symbols such as ``BTC-PERP``: bid/ask, prices
    always in dollars, whole-number quantities; KalshiNR, KalshiRT, KalshiDC and KalshiMD
    only; no RFQ, settlement or security status."""

    @property
    def session_types(self) -> frozenset[SessionType]:
        """The session types the gateway offers."""
        if self is Gateway.MARGIN:
            return frozenset({SessionType.NR, SessionType.RT, SessionType.DC, SessionType.MD})
        return frozenset(SessionType)

    @property
    def min_heartbeat_interval(self) -> int:
        """The smallest HeartBtInt <108> taken: more than 3 s, or at least 3 on margin."""
        return 3 if self is Gateway.MARGIN else 4

    @property
    def refused_logon_flags(self) -> dict[str, int]:
        """:class:`LogonFlags` attributes (with their tags) that the gateway's Logon table
        does not list: the margin gateway has no settlement reports and neither
        AlwaysEmitNewBeforeTrade <21026> nor SplitCollateralReturn <21027>.
        """
        if self is Gateway.MARGIN:
            return {
                "receive_settlement_reports": 20127,
                "always_emit_new_before_trade": 21026,
                "split_collateral_return": 21027,
            }
        return {}

    @property
    def unsupported_messages(self) -> frozenset[str]:
        """Application MsgTypes <35> the gateway does not take from a client: on margin, the
        RFQ messages and SecurityStatusRequest <e>.
        """
        if self is Gateway.MARGIN:
            return frozenset({"R", "UA", "UE", "S", "Z", "U7", "e"})
        return frozenset()

    def refused_tags(self, msg_type: str) -> frozenset[int]:
        """Tags the gateway does not define on ``msg_type`` (client to venue), of those the
        other gateway takes: on margin, ExDestination <100> anywhere (it always routes to
        index 0), QuoteID <117>, RfqId <21023> and MaxExecutionCost <21009> on a
        NewOrderSingle <D>, and AllocAccount <79> on an OrderGroupRequest <UOG>.
        """
        if self is not Gateway.MARGIN:
            return frozenset()
        return _MARGIN_REFUSED_TAGS.get(msg_type, frozenset())


_MARGIN_REFUSED_TAGS = {
    "D": frozenset({100, 117, 21023, 21009}),
    "F": frozenset({100}),
    "G": frozenset({100}),
    "UOG": frozenset({79, 100}),
}


def _flag(tag: int, *, legacy: int | None = None) -> bool:
    """A Y/N Logon flag whose venue default is N, ``legacy`` an older tag still accepted."""
    return field(default=False, metadata={"tag": tag, "legacy": legacy})


@dataclass(frozen=True, slots=True, kw_only=True)
class LogonFlags:
    """Kalshi's Logon <A> flags (spec section 4): each attribute's metadata holds its tag, and
    its default is the venue's.

    Attributes:
        cancel_orders_on_disconnect: CancelOrdersOnDisconnect <8013>.
        listener: ListenerSession <20126>.
        use_dollars: UseDollars <21005>.
        skip_pending_exec_reports: SkipPendingExecReports <21011> (legacy tag 21003).
        use_expired_ord_status: UseExpiredOrdStatus <21012>.
        enable_ioc_cancel_report: EnableIocCancelReport <21007>.
        preserve_original_order_qty: PreserveOriginalOrderQty <21008>.
        always_emit_new_before_trade: AlwaysEmitNewBeforeTrade <21026>.
        split_collateral_return: SplitCollateralReturn <21027>.
        receive_settlement_reports: ReceiveSettlementReports <20127>; ``None`` (absent) means
            the session type's default: Y on KalshiPT, N elsewhere.
        message_retention_hours: MessageRetentionPeriod <20200>; ``None`` (absent) means the
            venue's default.
    """

    cancel_orders_on_disconnect: bool = _flag(8013)
    listener: bool = _flag(20126)
    use_dollars: bool = _flag(21005)
    skip_pending_exec_reports: bool = _flag(21011, legacy=21003)
    use_expired_ord_status: bool = _flag(21012)
    enable_ioc_cancel_report: bool = _flag(21007)
    preserve_original_order_qty: bool = _flag(21008)
    always_emit_new_before_trade: bool = _flag(21026)
    split_collateral_return: bool = _flag(21027)
    receive_settlement_reports: bool | None = field(default=None, metadata={"tag": 20127})
    message_retention_hours: int | None = field(default=None, metadata={"tag": 20200})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The attribute names, in the table's order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    def fields(self) -> list[tuple[int, FieldValue]]:
        """The Logon fields of the flags that differ from the venue's defaults, in the table's
        order: a Y/N flag only when Y, the other two whenever given.
        """
        out: list[tuple[int, FieldValue]] = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                out.append((f.metadata["tag"], value))
        return out

    @classmethod
    def read(cls, logon: Message) -> LogonFlags:
        """The flags of an inbound Logon <A>, the venue's default for each one absent."""
        values: dict[str, bool | int | None] = {}
        for f in dataclasses.fields(cls):
            tag = f.metadata["tag"]
            if f.default is False:
                legacy = f.metadata["legacy"]
                values[f.name] = bool(
                    logon.get_bool(tag, default=False)
                    or (legacy is not None and logon.get_bool(legacy, default=False))
                )
            elif tag == 20127:
                values[f.name] = logon.get_bool(tag)
            else:
                values[f.name] = logon.get_int(tag)
        return cls(**values)  # type: ignore[arg-type]

    def settlement_reports(self, session_type: SessionType) -> bool:
        """Whether MarketSettlementReport <UMS> is delivered on ``session_type``."""
        if self.receive_settlement_reports is None:
            return session_type is SessionType.PT
        return self.receive_settlement_reports


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The Write budget for application messages (spec section 14).

    Heartbeat, TestRequest and Logout are never limited. The defaults are the Basic tier's Write
    bucket: 100 tokens a second, 10 tokens a request.

    Attributes:
        tokens_per_second: The refill rate.
        burst_seconds: The bucket holds this many seconds of refill (2 above the Basic tier).
        cost: Tokens per order-entry request.
        cancel_cost: Tokens per OrderCancelRequest <F>.
    """

    tokens_per_second: float = 100.0
    burst_seconds: float = 1.0
    cost: float = 10.0
    cancel_cost: float = 2.0

    @classmethod
    def tier(cls, name: str) -> RateLimit:
        """The Write budget of a Kalshi tier: basic, advanced, expert, premier, paragon, prime,
        prestige.
        """
        budgets = {
            "basic": (100, 1.0),
            "advanced": (300, 2.0),
            "expert": (600, 2.0),
            "premier": (1_000, 2.0),
            "paragon": (2_000, 2.0),
            "prime": (4_000, 2.0),
            "prestige": (8_000, 2.0),
        }
        if name.lower() not in budgets:
            raise ValueError(f"unknown tier {name!r}; one of {', '.join(budgets)}")
        rate, burst = budgets[name.lower()]
        return cls(tokens_per_second=rate, burst_seconds=burst)

    def bucket(self) -> TokenBucket:
        """A full bucket of this budget."""
        return TokenBucket(self.tokens_per_second, self.tokens_per_second * self.burst_seconds)


class RateLimitError(SessionError):
    """The rate limit refused a request; nothing was sent.

    Attributes:
        retry_after: Seconds until the request would fit.
    """

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limit: retry in {retry_after:.3f} s")
        self.retry_after = retry_after


class TokenBucket:
    """A token bucket: ``rate`` tokens a second, holding at most ``capacity``, full at ``now``
    (``time.monotonic()`` by default, the clock :meth:`take` reads when not given one).
    """

    def __init__(self, rate: float, capacity: float, now: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._at = time.monotonic() if now is None else now

    def take(self, cost: float, now: float | None = None) -> None:
        """Takes ``cost`` tokens, or raises :class:`RateLimitError` and takes none."""
        now = time.monotonic() if now is None else now
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < cost:
            raise RateLimitError((cost - self._tokens) / self.rate)
        self._tokens -= cost

    def give_back(self, cost: float) -> None:
        """Returns ``cost`` tokens taken for a request that was not sent after all."""
        self._tokens = min(self.capacity, self._tokens + cost)


#: Kalshi's repeating groups, from the bundled dictionary: the client's and the simulator's
#: sessions parse every inbound message with them as it is framed (``SessionConfig.groups``).
KALSHI_GROUPS = GroupSpecs.kalshi()


def with_groups(msg: Message) -> Message:
    """``msg`` with Kalshi's repeating groups readable: the message itself when it was parsed
    with them (as the sessions do, once, as it is framed), else parsed again with them (a
    message an application parsed flat).
    """
    return msg if msg.grouped else parse(msg.raw, groups=KALSHI_GROUPS)


# Order vocabulary: the client writes these codes and the simulator reads them.


class Side(Enum):
    """The contract an order buys; the value is Side <54> (1 = Buy = Yes, 2 = Sell = No)."""

    YES = "1"
    NO = "2"

    # As SessionType's: the matching engine keys its books by side on every order.
    __hash__ = object.__hash__

    @property
    def opposite(self) -> Side:
        """The other contract of the market."""
        return Side.NO if self is Side.YES else Side.YES


class TimeInForce(Enum):
    """How long an order may rest; the value is TimeInForce <59>."""

    DAY = "0"
    """Rests until :meth:`MatchingEngine.end_of_day` (Kalshi: 23:59:59.999 ET)."""
    GTC = "1"
    """Rests until cancelled."""
    IOC = "3"
    """Trades what it can at once; the rest is cancelled with IMMEDIATE_OR_CANCELLED."""
    FOK = "4"
    """Fills whole at once or is cancelled with FOK_INSUFFICIENT_VOLUME without trading."""
    GTD = "6"
    """Rests until ``expire_time``; one already past acts as IOC."""


class SelfTradePrevention(IntEnum):
    """What happens when an order would trade with its owner's own order (tag 2964)."""

    TAKER_AT_CROSS = 1
    """The incoming order stops; fills before the cross stand, the rest is cancelled."""
    MAKER = 2
    """Each own resting order met is cancelled and the incoming order keeps matching."""


class GroupAction(IntEnum):
    """An order group operation: OrderGroupAction <20131>."""

    CREATE = 1
    RESET = 2
    DELETE = 3
    TRIGGER = 4
    UPDATE = 5
