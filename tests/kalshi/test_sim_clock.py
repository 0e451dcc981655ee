"""The simulator keeps one clock, ``Simulator(clock=)``: the engine's time (GTD expiries) and
every timestamp it writes come from it, so a test drives time without sleeping. Over TLS
loopback with the Kalshi client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fixwire import Encoder, parse
from fixwire.kalshi import (
    AcceptQuoteStatus,
    LogonSigner,
    MarketDataSnapshot,
    MarketSettlementReport,
    QuoteConfirmStatus,
    QuoteRequestAck,
    QuoteStatusReport,
    SessionType,
)
from fixwire.kalshi.sim.core import transact_time
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import run, venue

MARKET = "CLOCK-MKT"


def test_reports_and_expiries_follow_the_simulator_clock(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """A clock set to 2031: the acknowledgement's TransactTime <60> is the clock's; a GTD order
    whose ExpireTime <126> is a minute later still rests 30 s on, and is cancelled
    (ORDER_EXPIRY) by the next request once the clock is past it, stamped with that time.
    """
    start = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp()
    now = [start]

    def at(seconds: float) -> datetime:
        return datetime.fromtimestamp(start + seconds, UTC)

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], clock=lambda: now[0]) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            gtd = nr.client.new_order(
                MARKET, "yes", 1, Decimal("0.30"), time_in_force="gtd", expire_time=at(60)
            )
            ack = await nr.report(gtd, "0")
            assert ack.transact_time == at(0)
            now[0] += 30
            await nr.report(nr.client.new_order(MARKET, "yes", 1, Decimal("0.20")), "0")
            assert ack.order_id in [o.order_id for o in v.sim.engine.open_orders()]
            now[0] += 60
            later = nr.client.new_order(MARKET, "yes", 1, Decimal("0.21"))
            expired = await nr.report(gtd, "4")
            assert expired.transact_time == at(90)
            assert (await nr.report(later, "0")).transact_time == at(90)
            assert ack.order_id not in [o.order_id for o in v.sim.engine.open_orders()]
            await nr.close()

    run(main)


def test_market_data_and_settlement_dates_follow_the_simulator_clock(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """With the clock at 2031-03-04 23:59:59.5: a snapshot's MDEntryDate/MDEntryTime
    <272>/<273> are the clock's (to the millisecond); a second later the market settles and
    the report's ClearingBusinessDate <715> is the clock's new day.
    """
    start = datetime(2031, 3, 4, 23, 59, 59, 500_000, tzinfo=UTC).timestamp()
    now = [start]

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], clock=lambda: now[0]) as v:
            rt = await v.client(
                SessionType.RT,
                reset_seq_num=True,
                skip_pending_exec_reports=True,
                receive_settlement_reports=True,
            )
            await rt.report(rt.client.new_order(MARKET, "yes", 2, Decimal("0.30")), "0")
            md = await v.client(SessionType.MD)
            md.client.subscribe_market_data(MARKET, snapshot_only=True)
            snapshot = await md.next(MarketDataSnapshot)
            assert snapshot.time == datetime.fromtimestamp(start, UTC)
            v.sim.trade_against(MARKET, "no", 1, Decimal("0.30"))
            now[0] += 1
            v.sim.settle_market(MARKET, "yes")
            report = await rt.next(MarketSettlementReport)
            assert report.business_date == datetime(2031, 3, 5, tzinfo=UTC).date()
            await md.close()
            await rt.close()

    run(main)


def test_the_rfq_confirmation_window_follows_the_simulator_clock(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """A 30-second window, the clock moved 31 s after the creator accepted (no timer has
    fired on the event loop's clock): the maker's QuoteConfirm <U7> is refused EXPIRED, the
    maker hears its quote cancelled EXPIRED and the creator a failed AcceptQuoteStatus <UC>.
    """
    now = [datetime(2031, 3, 4, tzinfo=UTC).timestamp()]

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], clock=lambda: now[0]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)
            creator.client.request_quote(MARKET, 10)
            rfq_id = (await creator.next(QuoteRequestAck)).rfq_id
            assert rfq_id is not None
            quote_id = maker.client.quote(rfq_id, MARKET, no_price=Decimal("0.60"))
            await maker.next(QuoteStatusReport, lambda e: e.status == "pending")
            creator.client.accept_quote(quote_id, "yes")
            assert (await creator.next(AcceptQuoteStatus)).accepted
            await maker.next(QuoteStatusReport, lambda e: e.status == "accepted")
            now[0] += 31
            maker.client.confirm_quote(quote_id)
            expired = await maker.next(QuoteStatusReport)
            assert (expired.status, expired.text) == ("cancelled", "EXPIRED")
            late = await maker.next(QuoteConfirmStatus)
            assert (late.accepted, late.text) == (False, "EXPIRED")
            failed = await creator.next(AcceptQuoteStatus)
            assert (failed.accepted, failed.text) == (False, "EXPIRED")
            await creator.close()
            await maker.close()

    run(main)


def test_transact_time_is_the_text_the_encoder_writes() -> None:
    """TransactTime <60> from the simulator's clock is the text the sessions' encoder writes
    for the same float seconds (rounded to the microsecond, then cut to the millisecond), on
    the millisecond grid where a float's product with 1,000 falls just short (1.001 s).
    """
    encoder = Encoder("S", "T")
    moments = [1.001, 1.9999999, 4.123, 1796644800.9999996, 1796644800.0004999]
    moments += [s + ms / 1000 for s in (0, 1, 4, 86400, 1.7e9) for ms in range(0, 1000, 7)]
    for now in moments:
        wire = encoder.encode("0", [], seq_num=1, sending_time=now)
        assert transact_time(now) == parse(wire)[52], now
