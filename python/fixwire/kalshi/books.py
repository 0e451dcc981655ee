"""The client's market-data books: ``client.books[symbol]``, kept from KalshiMD (spec section 13).

Theory of operation: a subscription (MarketDataRequest <V> 263=1) makes the symbol's
:class:`MarketBook`, stale until its MarketDataSnapshotFullRefresh <W> arrives; the snapshot
replaces the whole book, and each MarketDataIncrementalRefresh <X> entry then applies in order:
New <279>=0 and Change 1 set a level to MDEntrySize <271> (level-replace), Delete 2 removes it,
and trades (MDEntryType <269>=2) are kept as :class:`Trade` without touching the levels (the
venue sends the level change that a trade causes as its own entry).

KalshiMD has no retransmission: a MsgSeqNum <34> gap (the session's
:class:`~fixwire.session.SequenceGap` with ``recovering=False``) means increments were lost, so
every live book turns stale and the client subscribes again; a stale book ignores increments
until the fresh snapshot replaces it. A reconnection (whose Logon resets the numbers) does the
same, since the venue forgets a session's subscriptions. ``stale`` is what a trader must check
before acting on a book.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from fixwire.kalshi.market_data_events import MarketDataIncrement, MarketDataSnapshot

__all__ = ["MarketBook", "MarketBooks", "Trade"]

#: Trades kept per book, newest last (older ones are dropped: memory stays bounded).
MAX_TRADES = 1000


@dataclass(frozen=True, slots=True)
class Trade:
    """A trade in the market (MDEntryType <269>=2).

    Attributes:
        price: MDEntryPx <270>, dollars on the Yes scale.
        size: MDEntrySize <271>, contracts.
        aggressor_side: AggressorSide <2446>: ``"yes"`` (1, a Yes buyer took) or ``"no"``
            (2); on the margin gateway ``"bid"`` (a buyer took) or ``"ask"``; None when the
            venue did not say.
        time: MDEntryDate <272> + MDEntryTime <273>, the source event's time (UTC), None
            when the venue did not send them (the margin gateway does not).
    """

    price: Decimal
    size: Decimal
    aggressor_side: str | None
    time: datetime | None


@dataclass(slots=True)
class MarketBook:
    """One market's book as the venue published it.

    Attributes:
        symbol: Symbol <55>.
        bids: Yes bids, price to size (MDEntryType <269>=0); on the margin gateway, bids.
        offers: Asks on the Yes scale (the No bids), price to size (269=1); on margin, asks.
        trades: The newest :data:`MAX_TRADES` trades, oldest first.
        stale: True until a snapshot arrives, and again from a detected gap or a lost
            connection until the next one: the levels may then be wrong.
        updated: MDEntryDate/MDEntryTime <272>/<273> of the newest entry applied (the
            snapshot's capture time, or an increment's event time).
        live: Whether increments are expected (a subscription with updates, not a
            snapshot-only request).
    """

    symbol: str
    bids: dict[Decimal, Decimal] = field(default_factory=dict)
    offers: dict[Decimal, Decimal] = field(default_factory=dict)
    trades: deque[Trade] = field(default_factory=lambda: deque(maxlen=MAX_TRADES))
    stale: bool = True
    updated: datetime | None = None
    live: bool = True

    @property
    def best_bid(self) -> tuple[Decimal, Decimal] | None:
        """The highest Yes bid as (price, size), or None."""
        if not self.bids:
            return None
        price = max(self.bids)
        return price, self.bids[price]

    @property
    def best_offer(self) -> tuple[Decimal, Decimal] | None:
        """The lowest Yes-scale ask as (price, size), or None."""
        if not self.offers:
            return None
        price = min(self.offers)
        return price, self.offers[price]

    @property
    def last_trade(self) -> Trade | None:
        """The newest trade, or None."""
        return self.trades[-1] if self.trades else None

    def levels(self, side: str) -> list[tuple[Decimal, Decimal]]:
        """The ``"bid"`` or ``"offer"`` levels as (price, size), best first."""
        if side == "bid":
            return sorted(self.bids.items(), reverse=True)
        if side == "offer":
            return sorted(self.offers.items())
        raise ValueError(f"side must be 'bid' or 'offer', not {side!r}")


class MarketBooks(dict[str, MarketBook]):
    """The client's books by Symbol <55> (a dict); kept by the client as events arrive."""

    def subscribed(self, symbols: tuple[str, ...], *, live: bool) -> None:
        """Symbols were (re)requested: their books are stale until the snapshot comes."""
        for symbol in symbols:
            book = self.get(symbol)
            if book is None:
                self[symbol] = MarketBook(symbol, live=live)
            else:
                book.stale = True
                book.live = book.live or live

    def unsubscribed(self, symbols: tuple[str, ...]) -> None:
        """Subscriptions ended (all when ``symbols`` is empty): their books are dropped."""
        for symbol in symbols or tuple(self):
            self.pop(symbol, None)

    def ended(self, symbol: str) -> None:
        """The venue ended a subscription (the market settled): no increments will come."""
        book = self.get(symbol)
        if book is not None:
            book.live = False

    def live_symbols(self) -> tuple[str, ...]:
        """The symbols subscribed with updates."""
        return tuple(symbol for symbol, book in self.items() if book.live)

    def lost(self) -> tuple[str, ...]:
        """Increments were lost (a gap, a disconnection): every live book turns stale;
        returns the symbols to subscribe again.
        """
        symbols = self.live_symbols()
        for symbol in symbols:
            self[symbol].stale = True
        return symbols

    def snapshot(self, event: MarketDataSnapshot) -> None:
        """A MarketDataSnapshotFullRefresh <W> replaces its book (of a symbol subscribed)."""
        book = self.get(event.symbol)
        if book is None:
            return
        book.bids = {level.price: level.size for level in event.bids}
        book.offers = {level.price: level.size for level in event.offers}
        book.stale = False
        book.updated = event.time

    def increment(self, event: MarketDataIncrement) -> None:
        """Applies a MarketDataIncrementalRefresh <X>'s entries to their fresh books.

        An entry of a symbol with no book, or a stale one (awaiting its snapshot), is skipped:
        the snapshot brings its effect.
        """
        for entry in event.entries:
            book = self.get(entry.symbol or "")
            if book is None or book.stale or entry.price is None:
                continue
            if entry.time is not None:
                book.updated = entry.time
            if entry.entry_type == "trade":
                book.trades.append(Trade(entry.price, entry.size, entry.aggressor_side, entry.time))
                continue
            levels = (
                book.bids
                if entry.entry_type == "bid"
                else book.offers
                if entry.entry_type == "offer"
                else None
            )
            if levels is None:
                continue
            if entry.action == "delete" or entry.size == 0:
                levels.pop(entry.price, None)
            else:
                levels[entry.price] = entry.size
