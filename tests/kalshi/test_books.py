"""The client's market-data books (``client.books``) end to end over TLS loopback: kept from
the simulator's KalshiMD snapshots and increments, and made whole again after a lost increment
(spec section 13; KalshiMD has no retransmission, section 1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from fixtext import frame
from fixwire import DecodeError, parse
from fixwire.kalshi import ExecutionReport, KalshiClient, LogonSigner, SessionType
from fixwire.kalshi.books import MarketBook, Trade
from fixwire.kalshi.events import from_message
from fixwire.kalshi.market_data_events import MarketDataIncrement, MarketDataSnapshot
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import Disconnected, LoggedOn, Reconnect, SequenceGap
from kalshi_venue import Client, Venue, run, venue

MARKET = "BOOK-MKT"


async def rest(trader: Client, side: str, quantity: int, price: str) -> str:
    """A resting order, acknowledged."""
    cl_ord_id = trader.client.new_order(MARKET, side, quantity, Decimal(price))
    await trader.next(ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id and e.exec_type == "0")
    return cl_ord_id


async def fresh_book(v: Venue) -> MarketBook:
    """The market's book from a new snapshot-only subscription: what the venue holds now."""
    md = await v.client(SessionType.MD)
    md.client.subscribe_market_data(MARKET, snapshot_only=True)
    await md.next(MarketDataSnapshot)
    book = md.client.books[MARKET]
    await md.close()
    return book


def same_levels(book: MarketBook, other: MarketBook) -> bool:
    return (book.bids, book.offers) == (other.bids, other.offers)


def near_now(when: datetime | None) -> bool:
    return when is not None and abs(when - datetime.now(UTC)) < timedelta(minutes=1)


def test_book_kept_from_snapshot_and_increments(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            md = await v.client(SessionType.MD)
            await rest(trader, "yes", 5, "0.40")
            await rest(trader, "no", 3, "0.60")  # A Yes-scale offer at 0.60.

            md.client.subscribe_market_data(MARKET)
            assert md.client.books[MARKET].stale  # Until the snapshot arrives.
            await md.next(MarketDataSnapshot)
            book = md.client.books[MARKET]
            assert not book.stale
            assert book.bids == {Decimal("0.40"): Decimal(5)}
            assert book.offers == {Decimal("0.60"): Decimal(3)}
            assert near_now(book.updated)

            # New, Change, then a trade that empties a level (Delete).
            await rest(trader, "yes", 2, "0.38")
            await md.next(MarketDataIncrement)
            await rest(trader, "yes", 1, "0.40")
            await md.next(MarketDataIncrement)
            assert book.levels("bid") == [
                (Decimal("0.40"), Decimal(6)),
                (Decimal("0.38"), Decimal(2)),
            ]
            cancelled = await rest(trader, "yes", 4, "0.35")
            await md.next(MarketDataIncrement)
            trader.client.cancel(cancelled)
            await md.next(MarketDataIncrement)
            assert Decimal("0.35") not in book.bids
            v.sim.trade_against(MARKET, "no", 6, Decimal("0.40"))
            await md.next(MarketDataIncrement)
            assert book.best_bid == (Decimal("0.38"), Decimal(2))
            assert [(t.price, t.size, t.aggressor_side) for t in book.trades] == [
                (Decimal("0.40"), Decimal(5), "no"),
                (Decimal("0.40"), Decimal(1), "no"),
            ]
            last = book.last_trade
            assert isinstance(last, Trade)
            assert near_now(last.time)
            assert same_levels(book, await fresh_book(v))

            md.client.unsubscribe_market_data(MARKET)
            assert MARKET not in md.client.books
            await trader.close()
            await md.close()

    run(main)


def test_lost_increment_is_detected_and_the_book_made_whole(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            md = await v.client(SessionType.MD)
            await rest(trader, "yes", 5, "0.40")
            md.client.subscribe_market_data(MARKET)
            await md.next(MarketDataSnapshot)
            book = md.client.books[MARKET]

            v.sim.lose_market_data()
            await rest(trader, "yes", 2, "0.30")  # Its increment never arrives.
            await rest(trader, "yes", 1, "0.20")
            gap = await md.next(SequenceGap)
            assert not gap.recovering
            assert md.client.market_data_gaps == 1
            assert book.stale  # The level at 0.30 is missing until the new snapshot.
            await md.next(MarketDataSnapshot)
            assert not book.stale
            assert book.bids == {
                Decimal("0.40"): Decimal(5),
                Decimal("0.30"): Decimal(2),
                Decimal("0.20"): Decimal(1),
            }

            # Increments apply again after the new snapshot.
            await rest(trader, "no", 4, "0.45")
            await md.next(MarketDataIncrement)
            assert book.offers == {Decimal("0.45"): Decimal(4)}
            assert same_levels(book, await fresh_book(v))
            await trader.close()
            await md.close()

    run(main)


def test_md_entry_time_read_and_refused_when_malformed() -> None:
    update = from_message(
        parse(
            frame(
                "35=X|268=1|279=0|55=KX-1|269=2|270=0.4600|271=3.00|272=20260820|"
                "273=14:30:00.123|2446=2|"
            )
        ),
        dollars=True,
    )
    assert isinstance(update, MarketDataIncrement)
    assert update.entries[0].time == datetime(2026, 8, 20, 14, 30, 0, 123000, UTC)
    with pytest.raises(DecodeError, match="MDEntryTime <273>"):
        from_message(
            parse(frame("35=X|268=1|279=0|55=KX-1|269=0|270=0.46|271=3|272=20260820|273=2pm|")),
            dollars=True,
        )


def test_books_are_subscribed_again_after_a_reconnection(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            md = Client(
                await KalshiClient.connect(
                    v.config(SessionType.MD),
                    ssl=certificate.client_context(),
                    server_hostname="localhost",
                    reconnect=Reconnect(initial_delay=0.05, max_delay=0.1, jitter=0.0),
                    logon_timeout=5,
                )
            )
            md.client.subscribe_market_data(MARKET)
            await md.next(MarketDataSnapshot)
            book = md.client.books[MARKET]
            # The venue ends the session (maintenance): it forgets the subscription.
            await v.sim.log_out(md.client.config.api_key, SessionType.MD)
            await md.next(Disconnected)
            assert book.stale
            await rest(trader, "yes", 3, "0.25")  # While the client is away.
            await md.next(LoggedOn)
            await md.next(MarketDataSnapshot)
            assert not book.stale
            assert book.bids == {Decimal("0.25"): Decimal(3)}
            await rest(trader, "yes", 1, "0.25")
            await md.next(MarketDataIncrement)
            assert book.bids == {Decimal("0.25"): Decimal(4)}
            await trader.close()
            await md.close()

    run(main)
