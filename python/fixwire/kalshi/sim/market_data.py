"""Market data (spec section 13) on KalshiMD: MarketDataRequest <V> subscribe (263=1), snapshot
only (0) and unsubscribe (2, some or all symbols); a MarketDataSnapshotFullRefresh <W> per symbol
from the engine's books (bids are the Yes bids, offers the No bids on the Yes scale; an unknown
ticker gets an empty one); then MarketDataIncrementalRefresh <X> after every change: trades
(269=2, with AggressorSide) and level-replace New/Change/Delete entries. SecurityStatusRequest
<e> subscriptions too.

A session's subscriptions (both kinds) are bounded by ``max_subscription_bytes``
(:data:`DEFAULT_MAX_SUBSCRIPTION_BYTES`), each symbol charged :data:`SUBSCRIPTION_CHARGE` plus
its length. A MarketDataRequest <V> that would pass it subscribes to none of its symbols and
gets MarketDataRequestReject <Y> MDReqRejReason <281>=2 (the spec's "insufficient bandwidth,
incl. symbol limits"); a SecurityStatusRequest <e>, for which the spec has no reject,
BusinessMessageReject <j> 380=0. Unsubscribing makes room again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fixwire._native import Message
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.core import (
    FOUR_DP,
    TWO_DP,
    Participant,
    VenueCore,
)
from fixwire.kalshi.sim.vocabulary import ONE
from fixwire.kalshi.venue import with_groups
from fixwire.session.config import FieldValue

#: The default cap on one KalshiMD session's subscriptions, bytes (4 MiB: about 14,000
#: symbols of 30 characters).
DEFAULT_MAX_SUBSCRIPTION_BYTES = 4 * 1024 * 1024
#: Bytes charged per symbol subscribed, beyond its length: its string and its place in the
#: session's set. tracemalloc measures about 185 for a 30-character symbol (its length
#: included) on CPython 3.11, 64-bit (``tests/kalshi/test_sim_limits.py``).
SUBSCRIPTION_CHARGE = 256


class MarketDataFlow(VenueCore):
    """KalshiMD: snapshots and incremental refreshes from the engine's books."""

    #: The cap on each session's subscriptions, bytes.
    _max_subscription_bytes: int

    #: Each market's book as last published to KalshiMD: Yes bids and Yes-scale offers.
    _md_books: dict[str, tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]]
    #: Incremental refreshes still to lose (:meth:`lose_market_data`).
    _md_losses: int
    #: The KalshiMD sessions that have subscribed to market data, by ``id``, until they
    #: disconnect (:meth:`_md_session_ended`): the only ones an order's publication looks at,
    #: so that with none it looks at nothing.
    _md_sessions: dict[int, Participant]

    def lose_market_data(self, messages: int = 1) -> None:
        """Fault injection: the next ``messages`` MarketDataIncrementalRefresh <X> are lost on
        the way, as a feed drops messages to a slow consumer: each uses its subscriber's
        MsgSeqNum <34> but is never written. KalshiMD has no retransmission (spec section
        1), so the subscriber sees a gap it cannot fill and must subscribe again.
        """
        if messages < 1:
            raise ValueError("messages must be at least 1")
        self._md_losses += messages

    def _market_data_request(self, client: Participant, msg: Message) -> None:
        request_type = msg.get(263)
        symbols = [e[55] for e in with_groups(msg).group(146)]
        if request_type == "2":
            unsubscribe(client, client.md_symbols, symbols or list(client.md_symbols))
            return
        if request_type not in ("0", "1"):
            self._send(client, "Y", [(281, "4"), (58, f"SubscriptionRequestType {request_type}")])
            return
        if not symbols:
            self._send(client, "Y", [(58, "NoRelatedSym <146> is required to subscribe")])
            return
        if request_type == "1":
            problem = self._subscribe(client, client.md_symbols, symbols)
            if problem is not None:
                self._send(client, "Y", [(281, "2"), (58, problem)])
                return
            self._md_sessions[id(client)] = client
        for symbol in symbols:
            bids, offers = self._book(symbol)
            now = datetime.fromtimestamp(self._clock(), UTC)
            entries = [
                self._md_entry(entry_type, price, size, now)
                for entry_type, levels in (("0", bids), ("1", offers))
                for price, size in levels.items()
            ]
            self._send(client, "W", [(55, symbol), (268, entries)])
            if request_type == "1" and symbol in self._md_books:
                # The increments that follow are changes from what this snapshot showed
                # (kept only while a market is watched: see _market_data_updates).
                self._md_books[symbol] = (bids, offers)

    def _security_status_request(self, client: Participant, msg: Message) -> None:
        """SecurityStatusRequest <e>: 263=1 subscribes to Symbol <55>'s status changes, 2
        unsubscribes.
        """
        symbol = msg[55]
        if msg.get(263) == "2":
            unsubscribe(client, client.status_symbols, [symbol])
            return
        problem = self._subscribe(client, client.status_symbols, [symbol])
        if problem is not None:
            self._business_reject(client, msg, 0, problem)

    def _subscribe(self, client: Participant, kept: set[str], symbols: list[str]) -> str | None:
        """Adds ``symbols`` to ``kept`` (one of ``client``'s subscription sets), all or none:
        None when done, else why not (they would take the session past its cap).
        """
        new = [symbol for symbol in dict.fromkeys(symbols) if symbol not in kept]
        held = client.subscription_bytes + sum(SUBSCRIPTION_CHARGE + len(s) for s in new)
        cap = self._max_subscription_bytes
        if held > cap:
            return (
                f"subscription limit: {len(new)} more symbols would take this session's"
                f" subscriptions to {held} bytes, past {cap}"
            )
        kept.update(new)
        client.subscription_bytes = held
        return None

    def _book(self, market: str) -> tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]:
        """Yes bids and offers (the No bids on the Yes scale), best first; empty when the
        market is unknown (the venue answers an unknown ticker with an empty snapshot).
        """
        try:
            yes = self.engine.depth(market, m.Side.YES)
            no = self.engine.depth(market, m.Side.NO)
        except KeyError:
            return {}, {}
        return dict(yes), {ONE - price: size for price, size in no}

    def _md_entry(
        self, entry_type: str, price: Decimal, size: Decimal, now: datetime
    ) -> list[tuple[int, FieldValue]]:
        """One NoMDEntries <268> entry: ``price`` on the engine's (Yes) scale, in dollars."""
        return [
            (269, entry_type),
            (270, price.quantize(FOUR_DP)),
            (271, size.quantize(TWO_DP)),
            (272, now.date()),
            (273, now.strftime("%H:%M:%S.") + f"{now.microsecond // 1000:03d}"),
        ]

    def _market_data_updates(self, events: list[m.Event]) -> None:
        """MarketDataIncrementalRefresh <X> to each subscriber: trades, then the levels that
        changed (level-replace: the new size; deleted levels with size 0).

        Only markets some KalshiMD session watches are looked at: reading a market's depth
        costs a pass over its resting orders, which no order should pay when nobody listens.
        A market's published book is brought up to date by the snapshot that starts a watch.
        """
        sessions = self._md_sessions
        if not sessions:
            return
        subscribers = [
            client for client in sessions.values() if client.logged_on and client.md_symbols
        ]
        if not subscribers:
            return
        watched = set().union(*(client.md_symbols for client in subscribers))
        touched: dict[str, None] = {}
        trades: list[tuple[str, list[tuple[int, FieldValue]]]] = []
        now = datetime.fromtimestamp(self._clock(), UTC)
        for event in events:
            if not isinstance(event, (m.Accepted, m.Filled, m.Cancelled, m.Replaced)):
                continue
            market = event.order.market
            if market not in watched:
                continue
            touched[market] = None
            if isinstance(event, m.Filled) and event.liquidity is m.Liquidity.TAKER:
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
        for client in subscribers:
            mine = [entry for market, entry in changes if market in client.md_symbols]
            if not mine:
                continue
            if self._md_losses:
                self._md_losses -= 1
                store = client.connection.session.store
                store.set_next_sender_seq(store.next_sender_seq + 1)
            else:
                self._send(client, "X", [(268, mine)])

    def _md_session_ended(self, client: Participant) -> None:
        """``client`` disconnected: its market-data subscriptions end with it."""
        self._md_sessions.pop(id(client), None)


def unsubscribe(client: Participant, kept: set[str], symbols: list[str]) -> None:
    """Takes ``symbols`` out of ``kept`` (one of ``client``'s subscription sets)."""
    for symbol in dict.fromkeys(symbols):
        if symbol in kept:
            kept.discard(symbol)
            client.subscription_bytes -= SUBSCRIPTION_CHARGE + len(symbol)
