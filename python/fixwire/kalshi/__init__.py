"""Kalshi venue layer: trading on Kalshi's FIX gateway from Python.

* :class:`KalshiConfig` holds one session's settings and refuses the combinations the venue
  refuses; :class:`LogonSigner` signs the Logon with the account's RSA key;
  :class:`MessageLogFiles` turns on each session's message log.
* :class:`KalshiClient` logs on over TLS and offers the order API (new order, cancel, amend,
  mass cancel, order groups), RFQ as creator and as market maker, market-data subscriptions,
  typed events (by iteration, or called back: ``KalshiClient.set_on_event``), the user's own
  order book, each subscribed market's book
  (:class:`MarketBook`) and settlement reports put together (:class:`MarketSettlement`).
* :class:`Gateway` picks the Predictions (event contracts) or the margin (perpetuals) gateway;
  what the margin gateway does not offer is refused with a :class:`GatewayError`.

The venue's facts (tags, values, flows, open questions) follow kalshi-fix-spec.md; where that
leaves a question open, the module documentation of :mod:`fixwire.kalshi.config` says which
behaviour was chosen.
"""

from fixwire.errors import MissingExtraError

try:  # the kalshi extra: Logon signatures and the simulator's certificate need it
    import cryptography  # noqa: F401
except ImportError as e:
    raise MissingExtraError("fixwire.kalshi", "kalshi", "cryptography") from e

from fixwire.kalshi.base import ClientEvent, LogonRefusedError
from fixwire.kalshi.books import MarketBook
from fixwire.kalshi.client import KalshiClient, OrderState, RateLimitError, TokenBucket
from fixwire.kalshi.config import (
    Environment,
    Gateway,
    GatewayError,
    KalshiConfig,
    MessageLogFiles,
    RateLimit,
    SessionType,
)
from fixwire.kalshi.events import (
    BusinessMessageReject,
    EventResendComplete,
    EventResendReject,
    ExecutionReport,
    InvalidExecutionReport,
    MarketSettlementReport,
    MassCancelReport,
    OrderCancelReject,
    OrderGroupResponse,
    SettlementParty,
    UnhandledMessage,
)
from fixwire.kalshi.margin import MarginExecutionReport
from fixwire.kalshi.market_data_events import (
    BookLevel,
    MarketDataEntry,
    MarketDataIncrement,
    MarketDataRequestReject,
    MarketDataSnapshot,
    SecurityStatus,
)
from fixwire.kalshi.rfq_events import (
    AcceptQuoteStatus,
    Quote,
    QuoteCancelStatus,
    QuoteConfirmStatus,
    QuoteRequest,
    QuoteRequestAck,
    QuoteRequestReject,
    QuoteStatusReport,
    RFQCancelStatus,
)
from fixwire.kalshi.settlements import MarketSettlement
from fixwire.kalshi.signing import LogonSigner, generate_key, private_key_pem

__all__ = [
    "AcceptQuoteStatus",
    "BookLevel",
    "BusinessMessageReject",
    "ClientEvent",
    "Environment",
    "EventResendComplete",
    "EventResendReject",
    "ExecutionReport",
    "Gateway",
    "GatewayError",
    "InvalidExecutionReport",
    "KalshiClient",
    "KalshiConfig",
    "LogonRefusedError",
    "LogonSigner",
    "MarginExecutionReport",
    "MarketBook",
    "MarketDataEntry",
    "MarketDataIncrement",
    "MarketDataRequestReject",
    "MarketDataSnapshot",
    "MarketSettlement",
    "MarketSettlementReport",
    "MassCancelReport",
    "MessageLogFiles",
    "OrderCancelReject",
    "OrderGroupResponse",
    "OrderState",
    "Quote",
    "QuoteCancelStatus",
    "QuoteConfirmStatus",
    "QuoteRequest",
    "QuoteRequestAck",
    "QuoteRequestReject",
    "QuoteStatusReport",
    "RFQCancelStatus",
    "RateLimit",
    "RateLimitError",
    "SecurityStatus",
    "SessionType",
    "SettlementParty",
    "TokenBucket",
    "UnhandledMessage",
    "generate_key",
    "private_key_pem",
]
