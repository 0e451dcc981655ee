"""Settlement (spec section 11): :meth:`SettlementFlow.settle_market` closes a market and sends
MarketSettlementReport <UMS> pages of positions from the engine.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal

from fixwire.kalshi.sim.core import (
    TWO_DP,
)
from fixwire.kalshi.sim.market_data import unsubscribe
from fixwire.kalshi.sim.rfq import RfqFlow
from fixwire.kalshi.sim.vocabulary import ONE
from fixwire.kalshi.venue import SessionType
from fixwire.session.config import FieldValue


class SettlementFlow(RfqFlow):
    """Settling a market: cancels, MarketSettlementReport <UMS> pages, SecurityStatus <f>."""

    _settlement_ids: itertools.count[int]

    def settle_market(
        self,
        ticker: str,
        result: str,
        *,
        settlement_price: Decimal | None = None,
        parties_per_page: int = 100,
    ) -> None:
        """Determines and settles a market: its resting orders are cancelled (MARKET_CLOSE),
        then every logged-on session that takes settlement reports (KalshiPT unless it logged
        on with ReceiveSettlementReports <20127>=N, KalshiRT only with 20127=Y) gets
        MarketSettlementReport <UMS> pages of its own key's positions, KalshiMD sessions
        watching the market's status get SecurityStatus <f> 326=101 (settled), and its
        market-data and status subscriptions end.

        One NoMarketSettlementPartyIDs <20108> entry per subaccount with a net position:
        MarketSettlementPartyID <20109> is the API key (``key/N`` for subaccount N, the
        simulator's own convention), LongQty/ShortQty the net position, the payout
        (CollateralAmountChange <1704>, type PAYOUT) is rounded down to whole cents and the
        remainder is the entry's MiscFeeAmt <137>, so that the two add up to the exact value
        as the spec says. Sessions not logged on at the time get nothing (the venue would
        keep the reports for a KalshiPT resend; the simulator does not).

        Args:
            ticker: A listed market, not settled before.
            result: MarketResult <20107>: ``"yes"``, ``"no"`` or ``"scalar"``.
            settlement_price: For ``"scalar"`` only: the Yes contract's value, dollars in
                [0, 1]; SettlementPrice <730> carries it in cents with 2 decimals.
            parties_per_page: Entries per page; more make several pages, stitched by Symbol
                <55> with TotNumMarketSettlementReports <20106> and LastFragment <893>.

        Raises:
            ValueError: An unknown or already settled market, a result other than the three,
                a scalar without a price in [0, 1] (or a price with yes/no), a page size
                below 1.
        """
        if result not in ("yes", "no", "scalar"):
            raise ValueError(f"result must be 'yes', 'no' or 'scalar', not {result!r}")
        if (result == "scalar") != (settlement_price is not None):
            raise ValueError("settlement_price is required with 'scalar' and only with it")
        if settlement_price is not None and not (
            isinstance(settlement_price, Decimal) and 0 <= settlement_price <= 1
        ):
            raise ValueError("settlement_price must be a Decimal number of dollars in [0, 1]")
        if parties_per_page < 1:
            raise ValueError("parties_per_page must be at least 1")
        if ticker in self._settled:
            raise ValueError(f"market {ticker!r} is settled already")
        price = settlement_price if settlement_price is not None else Decimal(result == "yes")
        self._publish(self.engine.close_market(ticker, self._now()))
        self._settled.add(ticker)
        for rfq in list(self._rfqs.values()):
            if rfq.symbol == ticker and rfq.open:
                self._close_rfq(rfq, "MARKET_CLOSED", expired=True)
        by_owner: dict[str, list[list[tuple[int, FieldValue]]]] = {}
        for (owner, subaccount), position in sorted(self.engine.positions(ticker).items()):
            exact = position.long_qty * price + position.short_qty * (ONE - price)
            payout = exact.quantize(TWO_DP, rounding=ROUND_DOWN)
            by_owner.setdefault(owner, []).append(
                [
                    (20109, owner if subaccount == 0 else f"{owner}/{subaccount}"),
                    (20110, 24),
                    (704, position.long_qty.quantize(TWO_DP)),
                    (705, position.short_qty.quantize(TWO_DP)),
                    (1703, [[(1704, payout), (1705, "PAYOUT")]]),
                    (136, [[(137, exact - payout), (138, "USD"), (139, "4"), (891, "0")]]),
                ]
            )
        batch = next(self._settlement_ids)
        business_date = datetime.fromtimestamp(self._clock(), UTC).date()
        for (owner, _), client in self._clients.items():
            if not client.logged_on:
                continue
            if client.session_type is SessionType.MD:
                if ticker in client.status_symbols:
                    self._send(client, "f", [(55, ticker), (326, 101)])
                unsubscribe(client, client.status_symbols, [ticker])
                unsubscribe(client, client.md_symbols, [ticker])
                continue
            parties = by_owner.get(owner)
            if not parties or not client.settlement_reports:
                continue
            pages = [
                parties[i : i + parties_per_page] for i in range(0, len(parties), parties_per_page)
            ]
            for number, page in enumerate(pages, 1):
                fields: list[tuple[int, FieldValue]] = [
                    (20105, f"settle-{batch}-{owner}-{number}"),
                    (55, ticker),
                    (715, business_date),
                    (20106, len(pages)),
                    (20107, result),
                    (893, number == len(pages)),
                    (730, (price * 100).quantize(TWO_DP)),
                    (20108, list(page)),
                ]
                self._send(client, "UMS", fields)
