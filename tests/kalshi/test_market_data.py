"""Market data end to end over TLS loopback: KalshiMD subscriptions to the simulator's books
(spec section 13).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from fixtext import frame
from fixwire import parse
from fixwire.kalshi import ExecutionReport, LogonSigner, SessionType
from fixwire.kalshi.events import BusinessMessageReject, from_message
from fixwire.kalshi.market_data_events import (
    BookLevel,
    MarketDataEntry,
    MarketDataIncrement,
    MarketDataRequestReject,
    MarketDataSnapshot,
    SecurityStatus,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import LoggedOn
from kalshi_venue import run, venue

MARKET = "MD-MKT"
OTHER = "MD-OTHER"


def test_snapshot_then_increments_until_unsubscribed(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET, OTHER]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            md = await v.client(SessionType.MD)
            t = trader.client
            t.new_order(MARKET, "yes", 5, Decimal("0.40"))
            t.new_order(MARKET, "yes", 1, Decimal("0.38"))
            t.new_order(MARKET, "no", 3, Decimal("0.60"))  # A Yes-scale ask at 0.60.
            for _ in range(3):
                await trader.next(object, lambda e: getattr(e, "exec_type", None) == "0")

            md.client.subscribe_market_data(MARKET)
            snapshot = await md.next(MarketDataSnapshot)
            assert snapshot.symbol == MARKET
            assert snapshot.bids == (
                BookLevel(Decimal("0.4000"), Decimal("5.00")),
                BookLevel(Decimal("0.3800"), Decimal("1.00")),
            )
            assert snapshot.offers == (BookLevel(Decimal("0.6000"), Decimal("3.00")),)
            assert snapshot.message.get_date(272) is not None

            t.new_order(MARKET, "yes", 2, Decimal("0.40"))
            change = await md.next(MarketDataIncrement)
            # MDEntryDate/MDEntryTime <272>/<273>: the event's time, to the millisecond.
            when = change.entries[0].time
            assert when is not None
            assert abs(when - datetime.now(UTC)) < timedelta(minutes=1)
            assert change.entries == (
                MarketDataEntry(
                    "change", MARKET, "bid", Decimal("0.4000"), Decimal("7.00"), None, when
                ),
            )
            t.new_order(MARKET, "no", 1, Decimal("0.55"))
            new = await md.next(MarketDataIncrement)
            assert new.entries[0].action == "new"
            assert (new.entries[0].entry_type, new.entries[0].price) == ("offer", Decimal("0.55"))

            # The rest of the market sells 7 Yes at 0.40.
            v.sim.trade_against(MARKET, "no", 7, Decimal("0.40"))
            update = await md.next(MarketDataIncrement)
            # One trade per resting order it met (5 then 2), then the level goes.
            *trades, deleted = update.entries
            assert [(e.entry_type, e.price, e.size, e.aggressor_side) for e in trades] == [
                ("trade", Decimal("0.4000"), Decimal("5.00"), "no"),
                ("trade", Decimal("0.4000"), Decimal("2.00"), "no"),
            ]
            assert (deleted.action, deleted.entry_type, deleted.price, deleted.size) == (
                "delete",
                "bid",
                Decimal("0.4000"),
                Decimal(0),
            )

            # Another market's changes are not sent; nor anything after unsubscribing.
            t.new_order(OTHER, "yes", 1, Decimal("0.10"))
            await md.nothing(MarketDataIncrement)
            md.client.unsubscribe_market_data()
            # Answered after the unsubscribe (one connection, in order): then it is in force.
            md.client.subscribe_market_data("NO-SUCH-MKT", OTHER, snapshot_only=True)
            empty = await md.next(MarketDataSnapshot)
            assert (empty.symbol, empty.bids, empty.offers) == ("NO-SUCH-MKT", (), ())
            other = await md.next(MarketDataSnapshot)
            assert other.bids == (BookLevel(Decimal("0.1000"), Decimal("1.00")),)
            for market in (MARKET, OTHER):
                cl_ord_id = t.new_order(market, "yes", 1, Decimal("0.20"))
                while (await trader.next(ExecutionReport)).cl_ord_id != cl_ord_id:
                    pass
            await md.nothing(MarketDataIncrement)
            await trader.close()
            await md.close()

    run(main)


def test_a_market_data_session_is_looked_at_only_while_subscribed_and_connected(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Publishing an order looks only at the KalshiMD sessions that subscribed (none: nothing
    to look at); one that disconnects is dropped from them, its subscriptions with it.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            md = await v.client(SessionType.MD)
            assert v.sim._md_sessions == {}
            md.client.subscribe_market_data(MARKET)
            await md.next(MarketDataSnapshot)
            key = md.client.config.api_key
            assert list(v.sim._md_sessions.values()) == [v.sim._clients[key, SessionType.MD]]
            trader.client.new_order(MARKET, "yes", 1, Decimal("0.40"))
            assert (await md.next(MarketDataIncrement)).entries[0].action == "new"
            await md.close()
            async with asyncio.timeout(5):  # The simulator sees the disconnect.
                while v.sim._md_sessions:
                    await asyncio.sleep(0.01)
            cl_ord_id = trader.client.new_order(MARKET, "yes", 1, Decimal("0.41"))
            await trader.next(ExecutionReport, lambda r: r.cl_ord_id == cl_ord_id)
            await trader.close()

    run(main)


def test_a_reset_logon_ends_the_old_participants_subscriptions(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """A reset Logon <A> (141=Y) in an established KalshiMD session makes a new participant
    (the session reports ``LoggedOn(reset=True)``): the old one's subscriptions end with it,
    and nothing is kept for it or published to it.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            md = await v.client(SessionType.MD)
            md.client.subscribe_market_data(MARKET)
            await md.next(MarketDataSnapshot)
            key = md.client.config.api_key
            old = v.sim._clients[key, SessionType.MD]
            # What the simulator's session hands it for a 141=Y Logon in session.
            on_event = old.connection._on_event
            assert on_event is not None
            on_event(LoggedOn(30, reset=True))
            new = v.sim._clients[key, SessionType.MD]
            assert new is not old
            assert not old.logged_on
            assert v.sim._md_sessions == {}
            cl_ord_id = trader.client.new_order(MARKET, "yes", 1, Decimal("0.40"))
            await trader.next(ExecutionReport, lambda r: r.cl_ord_id == cl_ord_id)
            assert v.sim._md_sessions == {}
            await md.close()
            await trader.close()

    run(main)


def test_market_data_only_on_kalshi_md(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR)
            with pytest.raises(ValueError, match="KalshiMD"):
                trader.client.subscribe_market_data(MARKET)
            md = await v.client(SessionType.MD)
            with pytest.raises(ValueError, match="at least one"):
                md.client.subscribe_market_data()
            with pytest.raises(ValueError, match="ticker"):
                md.client.subscribe_market_data("")
            # Order entry on KalshiMD is refused by the venue.
            md.client.connection.send(
                "D", [(11, "x"), (38, 1), (40, "2"), (44, 50), (54, "1"), (55, MARKET)]
            )
            reject = await md.next(BusinessMessageReject)
            assert reject.reason == 3
            # An unsupported SubscriptionRequestType gets MarketDataRequestReject <Y> 281=4, as
            # the spec says, not the session Reject <3> 373=5 its dictionary would give.
            md.client.connection.send("V", [(263, "5"), (146, [[(55, MARKET)]])])
            unsupported = await md.next(MarketDataRequestReject)
            assert (unsupported.reason, unsupported.text) == ("4", "SubscriptionRequestType 5")
            md.client.connection.send("V", [(263, "1")])
            assert (await md.next(MarketDataRequestReject)).text is not None
            await trader.close()
            await md.close()

    run(main)


def test_spec_examples_parse() -> None:
    snapshot = from_message(
        parse(
            frame(
                "35=W|55=KX-1|268=2|269=0|270=0.4500|271=100.00|272=20260820|273=14:30:00.123|"
                "269=1|270=0.4700|271=5.00|"
            )
        ),
        dollars=False,  # MDEntryPx <270> is dollars whatever UseDollars says.
    )
    assert isinstance(snapshot, MarketDataSnapshot)
    assert snapshot.bids == (BookLevel(Decimal("0.45"), Decimal(100)),)
    assert snapshot.offers == (BookLevel(Decimal("0.47"), Decimal(5)),)
    update = from_message(
        parse(
            frame(
                "35=X|268=2|279=2|55=KX-1|269=1|270=0.4700|271=0.00|"
                "279=0|55=KX-1|269=2|270=0.4600|271=3.00|2446=1|"
            )
        ),
        dollars=True,
    )
    assert isinstance(update, MarketDataIncrement)
    assert update.entries == (
        MarketDataEntry("delete", "KX-1", "offer", Decimal("0.47"), Decimal(0), None),
        MarketDataEntry("new", "KX-1", "trade", Decimal("0.46"), Decimal(3), "yes"),
    )
    status = from_message(parse(frame("35=f|55=KX-1|326=2|")), dollars=True)
    assert isinstance(status, SecurityStatus)
    assert status.status == "halted"
