"""Settlement report pages reassembled into one report per market (spec section 11).

The venue may split one market's MarketSettlementReport <UMS> into pages: each has its own
MarketSettlementReportID <20105>, all carry the market's Symbol <55> ("use this to stitch pages
together"), TotNumMarketSettlementReports <20106> gives the page count and LastFragment <893>=N
says more follow. The client delivers every page as it comes
(:class:`~fixwire.kalshi.events.MarketSettlementReport`) and, once the last one is in, one
:class:`MarketSettlement` with every party of the batch.

Choices where the spec is silent, made so that a trader is never shown a partial report as a
whole one: a page whose id was seen already (a possible duplicate) is not counted twice; a batch
is finished by LastFragment <893>=Y, or, when a page says nothing of 893, once 20106 pages are in
(a page with neither is a batch of one); a finished batch with fewer pages than 20106, or whose
pages disagree on the result, price or date, is delivered with ``complete=False`` and the
problem named. At most :data:`MAX_PAGES` pages of one market are held; past that the batch is
delivered incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fixwire.kalshi.events import MarketSettlementReport, SettlementParty

__all__ = ["MAX_PAGES", "MarketSettlement", "SettlementPages"]

#: Pages of one market held while its batch is incomplete (memory stays bounded).
MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class MarketSettlement:
    """One market's settlement, its pages put together.

    Attributes:
        symbol: Symbol <55>.
        business_date: ClearingBusinessDate <715> of the first page.
        result: MarketResult <20107>: ``yes``, ``no`` or ``scalar``.
        settlement_price: SettlementPrice <730>, cents (up to 2 decimals).
        parties: Every page's NoMarketSettlementPartyIDs <20108> entries, in page order.
        report_ids: MarketSettlementReportID <20105> of each page, in order.
        complete: Every page of the batch arrived and they agree; when False, ``problems``
            says what is wrong and the report must not be taken as the whole.
        problems: What is wrong with the batch, one sentence each.
    """

    symbol: str
    business_date: date | None
    result: str
    settlement_price: Decimal
    parties: tuple[SettlementParty, ...]
    report_ids: tuple[str, ...]
    complete: bool
    problems: tuple[str, ...]


class SettlementPages:
    """Holds the pages of each market's batch until its last one arrives."""

    def __init__(self) -> None:
        self._pages: dict[str, list[MarketSettlementReport]] = {}
        self._seen: dict[str, set[str]] = {}

    def add(self, page: MarketSettlementReport) -> MarketSettlement | None:
        """Takes one page; returns the whole report once its batch is finished."""
        symbol = page.symbol
        pages = self._pages.setdefault(symbol, [])
        seen = self._seen.setdefault(symbol, set())
        if page.report_id in seen:
            return None
        seen.add(page.report_id)
        pages.append(page)
        total = page.message.get_int(20106)
        last = page.message.get_bool(893)
        finished = last is True or (last is None and (total is None or len(pages) >= total))
        if not finished and len(pages) < MAX_PAGES:
            return None
        del self._pages[symbol]
        del self._seen[symbol]
        return _assemble(pages, total)


def _assemble(pages: list[MarketSettlementReport], total: int | None) -> MarketSettlement:
    first = pages[0]
    problems = []
    if total is not None and len(pages) != total:
        problems.append(
            f"{len(pages)} pages arrived of the {total} TotNumMarketSettlementReports <20106> says"
        )
    elif total is None and pages[-1].message.get_bool(893) is False:
        problems.append(f"stopped after {len(pages)} pages without LastFragment <893>=Y")
    for page in pages[1:]:
        if (page.result, page.settlement_price, page.business_date) != (
            first.result,
            first.settlement_price,
            first.business_date,
        ):
            problems.append(
                f"page {page.report_id} disagrees with page {first.report_id} on the result,"
                " SettlementPrice <730> or ClearingBusinessDate <715>"
            )
    return MarketSettlement(
        symbol=first.symbol,
        business_date=first.business_date,
        result=first.result,
        settlement_price=first.settlement_price,
        parties=tuple(party for page in pages for party in page.parties),
        report_ids=tuple(page.report_id for page in pages),
        complete=not problems,
        problems=tuple(problems),
    )
