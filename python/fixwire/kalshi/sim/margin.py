"""The margin (perpetuals) gateway, simulated (kalshi-fix-spec.md section 17).

:class:`MarginSimulator` serves KalshiNR, KalshiRT, KalshiDC and KalshiMD for perpetual
symbols such as ``BTC-PERP``, with the same flows as the Predictions simulator (order entry,
order groups, drop copy, market data) and the margin gateway's differences:

* Orders are bids (Side <54>=1, Buy) and asks (2, Sell) at dollar prices; UseDollars <21005>
  is always on (a Logon with 21005=N is refused). Quantities are whole contracts: a fraction
  is refused INVALID_ORDER (OrdRejReason <103>=11), as on the Predictions simulator's markets.
* Logons: HeartBtInt <108> of 3 is taken (spec 18.4: "at least 3"); KalshiPT and KalshiRFQ are
  refused ("... is not offered on the margin gateway"), and so are the Logon flags its table
  does not list (ReceiveSettlementReports <20127>, AlwaysEmitNewBeforeTrade <21026>,
  SplitCollateralReturn <21027>) when Y.
* Messages it does not take: RFQ (35=R, UA, UE, S, Z, U7) and SecurityStatusRequest <e> get
  BusinessMessageReject <j> 380=3; ExDestination <100> (on D, F, G, UOG), QuoteID <117>,
  RfqId <21023> and MaxExecutionCost <21009> on D, and AllocAccount <79> on UOG get Reject
  <3> 373=2 (tag not defined for this message type), naming the tag.
* ExecutionReports made by the exchange carry LastMkt <30>=0 (index 0, the only one on
  margin, since 2026-08-05), as on the Predictions simulator; pending reports and
  EXCHANGE_UNAVAILABLE answers, made by the gateway, do not (spec 18.22). LongQty <704> /
  ShortQty <705> are the net long / short position. Margin balances are not simulated, so
  trades carry no NoCollateralAmountChanges <1703>; fees are zero (NoMiscFees <136> says so).
* Its reject vocabulary is the margin pages' lists: OrdRejReason <103> Stale order is 5, not
  8 (spec 18.16); CxlRejReason <102> only 0, 1 and 99, and 2 and 18 for the texts its page maps
  to them (so ORDER_ALREADY_EXISTS, 6 on Predictions, is 99); BusinessRejectReason <380> only
  0 to 5 (so the rate limit, 8 on Predictions, and a listener's order, 6, are 0 with Text
  saying why). Where the margin pages list fewer codes than the Predictions ones, the
  simulator keeps to the list: a client that handles those is safe on either.
  ``listed_codes_only=False`` sends the Predictions codes instead, should the margin gateway
  turn out to use them (its pages may lag the Predictions ones).
* Market data: MDEntryPx <270> in dollars, bids and asks; no MDEntryDate/MDEntryTime
  <272>/<273> (spec section 13: Predictions only).

How a perpetual book rides on the matching engine: the engine keeps two bid books per market
and crosses a bid at ``p`` with a bid of the other side at ``q`` when ``p + q >= 1``, prices on
a 0.0001 grid inside (0, 1). A margin bid at ``P`` dollars enters as a Yes bid at ``P / S`` and
an ask at ``A`` as a No bid at ``1 - A / S``, ``S`` being ``tick / 0.0001``: they cross exactly
when ``P >= A``, trade at the maker's price, and keep price-time priority, self-trade
prevention, TimeInForce, post-only and order groups as they are. So a simulated perpetual market
has 9,999 prices: ``tick``, ``2 * tick``, ... ``9999 * tick`` (``tick`` 0.01 by default: $0.01
to $99.99, which holds the docs' example ``44=19.5000``); a price off that grid is refused
INVALID_ORDER (on an amendment, OrderCancelReject INVALID_PRICE).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from fixwire._native import Message
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.core import FOUR_DP, TWO_DP, Participant
from fixwire.kalshi.sim.simulator import Simulator
from fixwire.kalshi.venue import Gateway, SessionType
from fixwire.session.config import FieldValue

__all__ = ["MarginSimulator"]

# The engine's price grid (see the module documentation): every 0.0001 inside (0, 1).
_GRID = Decimal("0.0001")
_PERP_TICKS = (m.TickBand(_GRID, Decimal(1) - _GRID, _GRID),)
#: OrdRejReason <103> codes of the Predictions pages that the margin pages number otherwise.
_ORD_REJ_REASON = {8: 5}
#: CxlRejReason <102> codes the margin pages use (listed, or in their Text table).
_CXL_REJ_REASONS = frozenset({0, 1, 2, 18, 99})
#: BusinessRejectReason <380> codes the margin pages list.
_BUSINESS_REJECT_REASONS = frozenset(range(6))


class MarginSimulator(Simulator):
    """The margin gateway, simulated: register keys, list perpetual markets, :meth:`start`.

    Args:
        markets: Perpetual symbols listed at start.
        tick: The price step of every market, dollars: its prices are ``tick`` to ``9999 *
            tick``.
        listed_codes_only: Keep OrdRejReason <103>, CxlRejReason <102> and
            BusinessRejectReason <380> to the codes the margin pages list (the default); else
            send the Predictions gateway's.
        **options: As for :class:`~fixwire.kalshi.sim.Simulator` (rate limit, SendingTime
            tolerance, drop-copy lookback, clock).

    Raises:
        ValueError: ``tick`` is not a positive Decimal.
    """

    _gateway: ClassVar[Gateway] = Gateway.MARGIN

    def __init__(
        self,
        markets: Iterable[str] = ("BTC-PERP",),
        *,
        tick: Decimal = Decimal("0.01"),
        listed_codes_only: bool = True,
        **options: Any,
    ) -> None:
        if not isinstance(tick, Decimal) or not tick.is_finite() or tick <= 0:
            raise ValueError(f"tick must be a positive Decimal, not {tick!r}")
        super().__init__((), **options)
        self.tick = tick
        self._listed_codes_only = listed_codes_only
        self._scale = tick / _GRID
        for ticker in markets:
            self.engine.add_market(ticker, tick_bands=_PERP_TICKS)
            self._md_books[ticker] = ({}, {})

    def trade_against(self, market: str, side: str, quantity: int, price: Decimal) -> None:
        """The rest of the market places an IOC order: ``side`` ``"bid"``/``"ask"`` at
        ``price`` dollars; fills go to the user's resting orders as ExecutionReports.
        """
        if side not in ("bid", "ask"):
            raise ValueError(f"side must be 'bid' or 'ask', not {side!r}")
        contract = "yes" if side == "bid" else "no"
        super().trade_against(market, contract, quantity, self._engine_price(price))

    def settle_market(
        self,
        ticker: str,
        result: str,
        *,
        settlement_price: Decimal | None = None,
        parties_per_page: int = 100,
    ) -> None:
        """Perpetual markets do not settle, and the margin gateway has no settlement
        reports: always ``ValueError``.
        """
        raise ValueError("the margin gateway's perpetual markets do not settle")

    # Prices: dollars on the wire, the engine's grid inside.

    def _engine_price(self, price: Decimal) -> Decimal:
        """A dollar price on the engine's Yes scale (off the grid when off the tick)."""
        return price / self._scale

    def _price(self, client: Participant, msg: Message, tag: int = 44) -> Decimal | None:
        value = msg.get_decimal(tag)
        return None if value is None else self._engine_price(value)

    def _wire_price(self, client: Participant, yes_price: Decimal) -> Decimal:
        return (yes_price * self._scale).quantize(FOUR_DP)

    def _md_entry(
        self, entry_type: str, price: Decimal, size: Decimal, now: datetime
    ) -> list[tuple[int, FieldValue]]:
        return [
            (269, entry_type),
            (270, (price * self._scale).quantize(FOUR_DP)),
            (271, size.quantize(TWO_DP)),
        ]

    # What the gateway takes.

    def _accept_logon(self, session_type: SessionType, logon: Message) -> str | None:
        problem = super()._accept_logon(session_type, logon)
        if problem is not None:
            return problem
        for tag in self._gateway.refused_logon_flags.values():
            if logon.get_bool(tag, default=False):
                return f"tag {tag} is not offered on the margin gateway"
        if logon.get_bool(21005, default=True) is False:
            return "UseDollars <21005> is always on on the margin gateway"
        return None

    def _on_message(self, api_key: str, client: Participant, msg: Message) -> None:
        msg_type = msg.msg_type
        gateway = self._gateway
        if msg_type in gateway.unsupported_messages:
            self._business_reject(client, msg, 3, f"{msg_type} is not offered on margin")
            return
        for tag in sorted(gateway.refused_tags(msg_type)):
            if tag in msg:
                text = f"tag {tag} is not defined for {msg_type} on the margin gateway"
                self._session_reject(client, msg, tag, 2, text)
                return
        super()._on_message(api_key, client, msg)

    # The margin pages' reject vocabulary.

    def _business_reject(self, client: Participant, msg: Message, reason: int, text: str) -> None:
        if reason not in _BUSINESS_REJECT_REASONS and self._listed_codes_only:
            reason = 0
        super()._business_reject(client, msg, reason, text)

    def _cxl_rej_reason(self, reason: m.CancelRejectReason) -> int:
        code = reason.cxl_rej_reason
        return code if code in _CXL_REJ_REASONS or not self._listed_codes_only else 99

    def _order_fields(
        self, client: Participant, event: m.Filled, exec_id: str
    ) -> list[tuple[int, FieldValue]]:
        fields = super()._order_fields(client, event, exec_id)
        return [field for field in fields if field[0] != 1703]

    def _rejected_fields(
        self, client: Participant, event: m.Rejected
    ) -> list[tuple[int, FieldValue]]:
        fields = super()._rejected_fields(client, event)
        if not self._listed_codes_only:
            return fields
        for at, (tag, value) in enumerate(fields):
            if tag == 103 and isinstance(value, int):
                fields[at] = (tag, _ORD_REJ_REASON.get(value, value))
        return fields
