"""The Kalshi client's market-data requests on KalshiMD (spec section 13)."""

from __future__ import annotations

from fixwire.kalshi.base import ClientBase
from fixwire.kalshi.rules import (
    check_symbol,
)
from fixwire.kalshi.venue import SessionType
from fixwire.session.config import FieldValue


class MarketDataRequests(ClientBase):
    """Market data and security status on KalshiMD, spec section 13."""

    # Market data (KalshiMD).

    def subscribe_market_data(self, *symbols: str, snapshot_only: bool = False) -> None:
        """Subscribes to markets' books (MarketDataRequest <V>, KalshiMD): a
        :class:`~fixwire.kalshi.MarketDataSnapshot` per market, then
        :class:`~fixwire.kalshi.MarketDataIncrement` events (unless ``snapshot_only``,
        SubscriptionRequestType <263>=0). Subscriptions are keyed by Symbol <55>.

        ``client.books[symbol]`` (a :class:`~fixwire.kalshi.books.MarketBook`) is kept from
        them; it is ``stale`` until the snapshot arrives, and again after a lost increment
        (a MsgSeqNum <34> gap or a reconnection), when the client subscribes again by itself.
        """
        self._require(SessionType.MD, "MarketDataRequest <V>")
        if not symbols:
            raise ValueError("give at least one symbol")
        for symbol in symbols:
            check_symbol(symbol)
        self.connection.send(
            "V", [(263, "0" if snapshot_only else "1"), (146, [[(55, s)] for s in symbols])]
        )
        self.books.subscribed(symbols, live=not snapshot_only)

    def unsubscribe_market_data(self, *symbols: str) -> None:
        """Ends subscriptions (MarketDataRequest <V>, 263=2): those ``symbols``, or all when
        none are given.
        """
        self._require(SessionType.MD, "MarketDataRequest <V>")
        for symbol in symbols:
            check_symbol(symbol)
        fields: list[tuple[int, FieldValue]] = [(263, "2")]
        if symbols:
            fields.append((146, [[(55, s)] for s in symbols]))
        self.connection.send("V", fields)
        self.books.unsubscribed(symbols)

    def subscribe_security_status(self, symbol: str, *, subscribe: bool = True) -> None:
        """SecurityStatusRequest <e> (KalshiMD): status changes of one market arrive as
        :class:`~fixwire.kalshi.SecurityStatus` events; ``subscribe=False`` ends it.
        """
        self._require(SessionType.MD, "SecurityStatusRequest <e>", margin=False)
        check_symbol(symbol)
        self.connection.send("e", [(263, "1" if subscribe else "2"), (55, symbol)])
