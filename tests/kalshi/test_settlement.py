"""Market settlement end to end over TLS loopback: MarketSettlementReport <UMS> pages to
KalshiPT and opted-in KalshiRT sessions, SecurityStatus to KalshiMD (spec sections 11, 13).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from fixtext import frame
from fixwire import parse
from fixwire.kalshi import ExecutionReport, LogonSigner, MarketSettlementReport, SessionType
from fixwire.kalshi.events import SettlementParty, from_message
from fixwire.kalshi.market_data_events import SecurityStatus
from fixwire.kalshi.settlements import MarketSettlement, SettlementPages
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import Client, run, venue

MARKET = "SETTLE-MKT"


async def buy(trader: Client, side: str, quantity: int, price: str, subaccount: int = 0) -> None:
    """A resting order the rest of the market fills at once."""
    cl_ord_id = trader.client.new_order(
        MARKET, side, quantity, Decimal(price), subaccount=subaccount
    )
    await trader.next(ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id and e.exec_type == "0")


def test_rt_session_opted_in_gets_its_report(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            opted_in = await v.client(
                SessionType.RT, reset_seq_num=True, receive_settlement_reports=True
            )
            other = await v.client(SessionType.RT, reset_seq_num=True)
            md = await v.client(SessionType.MD)
            md.client.subscribe_security_status(MARKET)
            await buy(opted_in, "yes", 5, "0.40")
            await buy(other, "no", 2, "0.50")  # Yes-scale 0.50: a No bid at 0.50.
            v.sim.trade_against(MARKET, "no", 5, Decimal("0.40"))
            v.sim.trade_against(MARKET, "yes", 2, Decimal("0.50"))
            await opted_in.next(ExecutionReport, lambda e: e.exec_type == "F")
            await other.next(ExecutionReport, lambda e: e.exec_type == "F")
            # A resting order is cancelled when the market closes.
            resting = opted_in.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            await opted_in.next(
                ExecutionReport, lambda e: e.cl_ord_id == resting and e.exec_type == "0"
            )

            v.sim.settle_market(MARKET, "yes")
            closed = await opted_in.next(
                ExecutionReport, lambda e: e.cl_ord_id == resting and e.exec_type == "4"
            )
            assert closed.text == "MARKET_CLOSE"
            report = await opted_in.next(MarketSettlementReport)
            assert (report.symbol, report.result, report.settlement_price) == (
                MARKET,
                "yes",
                Decimal("100.00"),
            )
            assert report.last_fragment
            assert report.business_date == datetime.now(UTC).date()
            assert report.message.get_int(20106) == 1
            key = opted_in.client.config.api_key
            assert report.parties == (
                SettlementParty(key, Decimal(5), Decimal(0), Decimal("5.00"), Decimal(0)),
            )
            await other.nothing(MarketSettlementReport)
            status = await md.next(SecurityStatus)
            assert (status.symbol, status.status) == (MARKET, "settled")
            with pytest.raises(ValueError, match="settled already"):
                v.sim.settle_market(MARKET, "no")
            for client in (opted_in, other, md):
                await client.close()

    run(main)


def test_pt_session_gets_paged_scalar_report(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            key = trader.client.config.api_key
            await buy(trader, "yes", 3, "0.50")
            await buy(trader, "no", 2, "0.60", subaccount=7)
            v.sim.trade_against(MARKET, "no", 3, Decimal("0.50"))
            v.sim.trade_against(MARKET, "yes", 2, Decimal("0.60"))
            for _ in range(2):
                await trader.next(ExecutionReport, lambda e: e.exec_type == "F")
            await trader.close()
            # One connection per key: the same key logs on to KalshiPT after trading.
            post_trade = await v.client(SessionType.PT, api_key=key, reset_seq_num=True)
            with pytest.raises(ValueError, match="scalar"):
                v.sim.settle_market(MARKET, "scalar")
            with pytest.raises(ValueError, match="result"):
                v.sim.settle_market(MARKET, "Yes")
            v.sim.settle_market(
                MARKET, "scalar", settlement_price=Decimal("0.306"), parties_per_page=1
            )
            first = await post_trade.next(MarketSettlementReport)
            second = await post_trade.next(MarketSettlementReport)
            assert first.report_id != second.report_id
            assert (first.last_fragment, second.last_fragment) == (False, True)
            assert first.settlement_price == Decimal("30.60")
            assert first.result == "scalar"
            # 3 Yes at 0.306 = 0.918: 0.91 paid, the rounding in MiscFeeAmt.
            assert first.parties == (
                SettlementParty(key, Decimal(3), Decimal(0), Decimal("0.91"), Decimal("0.008")),
            )
            # 2 No at 1 - 0.306 = 1.388.
            assert second.parties == (
                SettlementParty(
                    f"{key}/7", Decimal(0), Decimal(2), Decimal("1.38"), Decimal("0.008")
                ),
            )
            # After the last page, the pages put together.
            whole = await post_trade.next(MarketSettlement)
            assert whole.complete
            assert whole.problems == ()
            assert (whole.symbol, whole.result, whole.settlement_price) == (
                MARKET,
                "scalar",
                Decimal("30.60"),
            )
            assert whole.parties == first.parties + second.parties
            assert whole.report_ids == (first.report_id, second.report_id)
            assert post_trade.client.settlements[MARKET] is whole
            await post_trade.close()

    run(main)


def test_spec_example_parses() -> None:
    report = from_message(
        parse(
            frame(
                "35=UMS|20105=settle-123|55=HIGHNY-23DEC31|715=20231231|20107=yes|730=100.00|"
                "20108=1|20109=user-456|20110=24|704=100|705=0|1703=1|1704=100.00|1705=PAYOUT|"
                "136=1|137=0.00|138=USD|139=4|891=0|893=Y|"
            )
        ),
        dollars=True,
    )
    assert isinstance(report, MarketSettlementReport)
    assert (report.report_id, report.symbol, report.result) == (
        "settle-123",
        "HIGHNY-23DEC31",
        "yes",
    )
    assert report.business_date == date(2023, 12, 31)
    assert report.settlement_price == Decimal("100.00")
    assert report.last_fragment
    assert report.parties == (
        SettlementParty("user-456", Decimal(100), Decimal(0), Decimal(100), Decimal(0)),
    )


def page(report_id: str, number: int | None, last: str | None, price: str = "100.00") -> str:
    """A MarketSettlementReport <UMS> page with one party, as the venue frames it."""
    fields = f"35=UMS|20105={report_id}|55=KX-1|715=20260820|"
    if number is not None:
        fields += f"20106={number}|"
    fields += f"20107=yes|730={price}|20108=1|20109=p-{report_id}|20110=24|704=1|705=0|"
    if last is not None:
        fields += f"893={last}|"
    return fields


def add(pages: SettlementPages, fields: str) -> MarketSettlement | None:
    report = from_message(parse(frame(fields)), dollars=True)
    assert isinstance(report, MarketSettlementReport)
    return pages.add(report)


def test_pages_put_together_only_when_whole() -> None:
    pages = SettlementPages()
    assert add(pages, page("a", 3, "N")) is None
    assert add(pages, page("a", 3, "N")) is None  # The same page again counts once.
    assert add(pages, page("b", 3, "N")) is None
    whole = add(pages, page("c", 3, "Y"))
    assert whole is not None
    assert whole.complete
    assert [p.party_id for p in whole.parties] == ["p-a", "p-b", "p-c"]

    # The last page came, one page short of the count: delivered, not as whole.
    assert add(pages, page("d", 3, "N")) is None
    short = add(pages, page("e", 3, "Y"))
    assert short is not None
    assert not short.complete
    assert short.problems == (
        "2 pages arrived of the 3 TotNumMarketSettlementReports <20106> says",
    )

    # Pages without LastFragment <893> finish at the count; a disagreeing page is named.
    assert add(pages, page("f", 2, None)) is None
    mixed = add(pages, page("g", 2, None, price="0.00"))
    assert mixed is not None
    assert not mixed.complete
    assert "page g disagrees with page f" in mixed.problems[0]

    # A page with neither is a batch of one.
    single = add(pages, page("h", None, None))
    assert single is not None
    assert single.complete
