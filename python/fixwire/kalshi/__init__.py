"""Kalshi venue layer: trading on Kalshi's FIX gateway from Python.

* :class:`KalshiConfig` holds one session's settings and refuses the combinations the venue
  refuses; :class:`LogonSigner` signs the Logon with the account's RSA key.
* :class:`KalshiClient` logs on over TLS and offers the order API (new order, cancel, amend,
  mass cancel, order groups), typed events, and the user's own order book.

The venue's facts (tags, values, flows, open questions) follow kalshi-fix-spec.md; where that
leaves a question open, the module documentation of :mod:`fixwire.kalshi.config` says which
behaviour was chosen.
"""

from fixwire.kalshi.client import KalshiClient, OrderState, RateLimitError, TokenBucket
from fixwire.kalshi.config import Environment, KalshiConfig, RateLimit, SessionType
from fixwire.kalshi.events import (
    BusinessMessageReject,
    EventResendComplete,
    EventResendReject,
    ExecutionReport,
    MarketSettlementReport,
    MassCancelReport,
    OrderCancelReject,
    OrderGroupResponse,
    UnhandledMessage,
)
from fixwire.kalshi.signing import LogonSigner, generate_key, private_key_pem

__all__ = [
    "BusinessMessageReject",
    "Environment",
    "EventResendComplete",
    "EventResendReject",
    "ExecutionReport",
    "KalshiClient",
    "KalshiConfig",
    "LogonSigner",
    "MarketSettlementReport",
    "MassCancelReport",
    "OrderCancelReject",
    "OrderGroupResponse",
    "OrderState",
    "RateLimit",
    "RateLimitError",
    "SessionType",
    "TokenBucket",
    "UnhandledMessage",
    "generate_key",
    "private_key_pem",
]
