"""Kalshi FIX session settings: endpoints, session types, the Logon flags, and their rules.

Every flag of the Kalshi Logon <A> (kalshi-fix-spec.md section 4) is a typed option of
:class:`KalshiConfig`, and combinations the gateway refuses are refused here, before anything
connects, with a :class:`ValueError` that says why.

Where the venue's documentation is ambiguous (spec section 18) the default is the choice that is
safe for a trader, and each is configurable:

* SendingTime tolerance (item 1): inbound SendingTime <52> is checked against 30 s.
* Retransmission (item 2): only KalshiRT and KalshiPT request and serve resends; the others must
  log on with ResetSeqNumFlag <141>=Y.
* RawDataLength <95> (item 5): sent before RawData <96>, as FIX data fields require and
  third-party clients do; ``raw_data_length=False`` sends 96 alone.
* Server SenderCompID (item 7): inbound SenderCompID <49> is not validated; TargetCompID <56>
  must be our API key.
* EnableIocCancelReport <21007> (item 17) is on by default, so that the unfilled rest of a
  partially filled IOC order always gets a report; what the venue sends without it is not
  documented.
* UseDollars <21005> is on by default: the order API takes prices as ``Decimal`` dollars, which
  also covers subpenny markets; with it off, prices must be whole cents.

The margin gateway (``gateway=Gateway.MARGIN``, spec section 17) takes the same messages less
what it does not offer, and each of those is refused with a :class:`GatewayError`: session types
other than KalshiNR, KalshiRT, KalshiDC and KalshiMD, ``use_dollars=False`` (prices are always
dollars there, so the client does not send UseDollars <21005>), and the Logon flags its table
does not list (ReceiveSettlementReports <20127>, AlwaysEmitNewBeforeTrade <21026>,
SplitCollateralReturn <21027>): a flag the venue might ignore would leave the trader waiting
for what never comes. HeartBtInt may be 3 there (spec 18.4: "at least 3" on margin).
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fixwire.kalshi.venue import (
    Gateway,
    GatewayError,
    LogonFlags,
    RateLimit,
    SessionType,
    check_message_retention,
    check_settlement_reports,
)
from fixwire.session.config import FieldValue
from fixwire.session.messagelog import MessageLog

if TYPE_CHECKING:
    from fixwire.kalshi.signing import LogonSigner

__all__ = [
    "Environment",
    "Gateway",
    "GatewayError",
    "KalshiConfig",
    "MessageLogFiles",
    "RateLimit",
    "SessionType",
]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Environment(enum.Enum):
    """Kalshi's environments: the order-entry host and the market-data host of the
    Predictions gateway, then of the margin gateway (spec section 1).
    """

    PROD = (
        ("mm.fix.elections.kalshi.com", "marketdata.fix.elections.kalshi.com"),
        ("margin-mm.fix.elections.kalshi.com", "margin-marketdata.fix.elections.kalshi.com"),
    )
    DEMO = (
        ("fix.demo.kalshi.co", "marketdata.fix.demo.kalshi.co"),
        ("margin-fix.demo.kalshi.co", "margin-marketdata.fix.demo.kalshi.co"),
    )

    def host(self, session_type: SessionType, gateway: Gateway = Gateway.PREDICTIONS) -> str:
        """The host serving ``session_type`` on ``gateway`` (KalshiMD has its own)."""
        order_entry, market_data = self.value[1 if gateway is Gateway.MARGIN else 0]
        return market_data if session_type is SessionType.MD else order_entry


@dataclass(frozen=True, slots=True)
class MessageLogFiles:
    """Where a Kalshi session's message log goes: one file per session, named after it.

    Each session logs every message in and out to its own
    :class:`~fixwire.session.MessageLog`, ``<directory>/<SenderCompID>-<TargetCompID>.log``
    (the API key, then KalshiNR, KalshiMD, ...), so that several sessions given the same
    ``MessageLogFiles`` never share a file. The Logon's RawData <96> (the signature) is written
    as ``*``; ``fixwire decode`` reads the files. The directory is made if it does not exist.

    Attributes:
        directory: The directory of the files.
        max_bytes: The largest a file grows before it is rotated, in bytes (at least 1).
        backups: Rotated files kept per session (0 or more).
    """

    directory: str | os.PathLike[str]
    max_bytes: int = field(default=64 * 1024 * 1024, kw_only=True)
    backups: int = field(default=5, kw_only=True)

    def __post_init__(self) -> None:
        """Refuses, when the configuration is made rather than when a client connects, the
        sizes :class:`~fixwire.session.MessageLog` would refuse.

        Raises:
            ValueError: ``max_bytes`` is below 1 or ``backups`` below 0 (or either is not an
                int).
        """
        for name, value, least in (("max_bytes", self.max_bytes, 1), ("backups", self.backups, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"{name} must be an int of at least {least}, not {value!r}")

    def path(self, config: KalshiConfig) -> Path:
        """The file of the session ``config`` describes."""
        name = f"{config.api_key}-{config.session_type.target_comp_id}.log"
        return Path(self.directory) / name

    def open(self, config: KalshiConfig) -> MessageLog:
        """Opens (appends to) the log of the session ``config`` describes.

        Raises:
            OSError: The directory cannot be made or the file cannot be opened.
        """
        path = self.path(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        return MessageLog(path, max_bytes=self.max_bytes, backups=self.backups)


@dataclass(frozen=True, slots=True, kw_only=True)
class KalshiConfig:
    """One Kalshi FIX session, checked against the venue's rules when constructed.

    Attributes:
        api_key: The API key id (a UUID): SenderCompID <49>.
        signer: Signs the Logon (the private key never leaves it; not in ``repr``).
        session_type: KalshiNR, KalshiRT, ...: TargetCompID <56> and port.
        gateway: Predictions (event contracts) or margin (perpetuals): the hosts, and what
            the margin gateway does not offer is refused (:class:`GatewayError`).
        environment: Production or demo gateway; ignored when ``host`` is given.
        host: An explicit host (for the simulator), with ``port``.
        port: An explicit port; the session type's port by default.
        heartbeat_interval: HeartBtInt <108>, seconds, more than 3 (at least 3 on margin).
        reset_seq_num: ResetSeqNumFlag <141>; ``None`` means Y where the session type
            requires it and N on KalshiRT/KalshiPT.
        cancel_orders_on_disconnect: CancelOrdersOnDisconnect <8013>.
        listener: ListenerSession <20126> (KalshiNR/KalshiRT, needs skip_pending_exec_reports).
        receive_settlement_reports: ReceiveSettlementReports <20127> (KalshiRT/KalshiPT).
        message_retention_hours: MessageRetentionPeriod <20200>, 1-72 (KalshiRT/KalshiPT).
        use_dollars: UseDollars <21005>; always on on margin (not sent there: it is the
            venue's default).
        skip_pending_exec_reports: SkipPendingExecReports <21011>.
        use_expired_ord_status: UseExpiredOrdStatus <21012>.
        enable_ioc_cancel_report: EnableIocCancelReport <21007>: a partially filled IOC order's
            unfilled rest gets a cancel report. On by default, unlike the venue's default,
            because without it nothing says the rest is gone (what the venue sends instead is
            its open question 17): the order would stay ``"partially_filled"`` in
            ``KalshiClient.orders``.
        preserve_original_order_qty: PreserveOriginalOrderQty <21008>.
        always_emit_new_before_trade: AlwaysEmitNewBeforeTrade <21026>.
        split_collateral_return: SplitCollateralReturn <21027>.
        raw_data_length: Send RawDataLength <95> before RawData <96> in the Logon, as FIX
            requires of a data field and third-party SDKs do; Kalshi's docs never mention it
            (their open question 5). ``False`` sends the signature in 96 alone.
        max_sending_time_skew: Seconds of SendingTime <52> skew tolerated inbound.
        rate_limit: The client-side token bucket; ``None`` turns it off.
        check_quantity_sum: Treat an ExecutionReport whose OrderQty <38> is not CumQty <14> +
            LeavesQty <151> as invalid (not applied to the orders; spec section 7.5 says they
            add up unless PreserveOriginalOrderQty <21008>, under which it is not checked).
            Other invariants (prices in (0, 1) dollars, no negative quantity) are always
            checked.
        restricted_subaccount: The subaccount of a restricted (single-subaccount) API key
            (spec section 1): KalshiDC, KalshiRT, KalshiPT and listener sessions are refused
            here, as the venue refuses them, and so are requests for another subaccount (RFQs
            are created and quotes accepted on KalshiRT only, so those are refused too).
        max_closed_orders: Closed entries (ClOrdIDs of orders no longer open; a cancel or
            amend adds one) that ``KalshiClient.orders`` keeps; beyond this the oldest are
            forgotten, so a long session's memory stays bounded. Open orders are always kept.
        message_log: Logs every message in and out to a file of this session's own
            (:class:`MessageLogFiles`); off by default. Opened when the client connects and
            closed with it.
    """

    api_key: str
    signer: LogonSigner = field(repr=False)
    session_type: SessionType = SessionType.NR
    gateway: Gateway = Gateway.PREDICTIONS
    environment: Environment = Environment.DEMO
    host: str | None = None
    port: int | None = None
    heartbeat_interval: int = 30
    reset_seq_num: bool | None = None
    cancel_orders_on_disconnect: bool = False
    listener: bool = False
    receive_settlement_reports: bool | None = None
    message_retention_hours: int | None = None
    use_dollars: bool = True
    skip_pending_exec_reports: bool = False
    use_expired_ord_status: bool = False
    enable_ioc_cancel_report: bool = True
    preserve_original_order_qty: bool = False
    always_emit_new_before_trade: bool = False
    split_collateral_return: bool = False
    raw_data_length: bool = True
    max_sending_time_skew: float = 30.0
    rate_limit: RateLimit | None = field(default_factory=RateLimit)
    check_quantity_sum: bool = True
    restricted_subaccount: int | None = None
    max_closed_orders: int = 100_000
    message_log: MessageLogFiles | None = None

    def __post_init__(self) -> None:
        kind = self.session_type
        name = kind.target_comp_id
        if not _UUID.match(self.api_key):
            raise ValueError("api_key must be the API key id, a UUID (it is SenderCompID <49>)")
        if self.max_closed_orders < 0:
            raise ValueError(f"max_closed_orders must be 0 or more, not {self.max_closed_orders}")
        self._check_gateway()
        if self.heartbeat_interval < self.gateway.min_heartbeat_interval:
            least = (
                "at least 3"
                if self.gateway is Gateway.MARGIN
                else f"more than {self.gateway.min_heartbeat_interval - 1}"
            )
            raise ValueError(f"heartbeat_interval must be {least} s, not {self.heartbeat_interval}")
        own = self.restricted_subaccount
        if own is not None:
            if not 0 <= own <= 63:
                raise ValueError(f"restricted_subaccount must be 0 to 63, not {own}")
            if kind in (SessionType.DC, SessionType.RT, SessionType.PT):
                raise ValueError(f"a restricted API key cannot open {name} sessions")
            if self.listener:
                raise ValueError("a restricted API key cannot open listener sessions")
        if self.reset_seq_num is False and not kind.retransmission:
            raise ValueError(f"{name} requires ResetSeqNumFlag <141>=Y on every Logon")
        if self.listener:
            if kind not in (SessionType.NR, SessionType.RT):
                raise ValueError(f"listener sessions exist on KalshiNR and KalshiRT, not {name}")
            if not self.skip_pending_exec_reports:
                raise ValueError("a listener session requires skip_pending_exec_reports (21011=Y)")
            if self.cancel_orders_on_disconnect:
                raise ValueError("a listener session forbids cancel_orders_on_disconnect (8013=Y)")
        if self.message_retention_hours is not None:
            check_message_retention(self.message_retention_hours, kind)
        if self.receive_settlement_reports is not None:
            check_settlement_reports(kind)
        if (self.host is None) != (self.port is None) and self.host is None:
            raise ValueError("give host together with port")

    def _check_gateway(self) -> None:
        """Refuses what the margin gateway does not offer (spec section 17)."""
        gateway = self.gateway
        if self.session_type not in gateway.session_types:
            raise GatewayError(gateway, f"{self.session_type.target_comp_id} is not offered")
        if gateway is not Gateway.MARGIN:
            return
        if not self.use_dollars:
            raise GatewayError(gateway, "prices are always dollars: use_dollars=False is refused")
        defaults = LogonFlags()
        for name, tag in gateway.refused_logon_flags.items():
            if getattr(self, name) != getattr(defaults, name):
                raise GatewayError(gateway, f"{name} (tag {tag}) is not offered")

    @property
    def resets(self) -> bool:
        """Whether Logon carries ResetSeqNumFlag <141>=Y."""
        if self.reset_seq_num is None:
            return not self.session_type.retransmission
        return self.reset_seq_num

    @property
    def address(self) -> tuple[str, int]:
        """The host and port to connect to."""
        host = self.host
        if host is None:
            host = self.environment.host(self.session_type, self.gateway)
        return host, self.port if self.port is not None else self.session_type.port

    def logon_flags(self) -> list[tuple[int, FieldValue]]:
        """The Kalshi Logon flags (section 4) that differ from the venue's defaults (on margin,
        UseDollars <21005> is the default).
        """
        flags = {name: getattr(self, name) for name in LogonFlags.names()}
        if self.gateway is Gateway.MARGIN:
            flags["use_dollars"] = False
        return LogonFlags(**flags).fields()
