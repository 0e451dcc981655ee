"""The client on Kalshi's margin (perpetuals) gateway: what its messages mean there.

A margin trader uses the same :class:`~fixwire.kalshi.KalshiClient` with
``KalshiConfig(gateway=Gateway.MARGIN)`` (spec section 17). The differences live where each
fact belongs: the hosts and the refused settings in :mod:`fixwire.kalshi.config`, what the
gateway offers in :class:`~fixwire.kalshi.venue.Gateway`, the order templates' sides, prices and
quantities in :mod:`fixwire.kalshi.rules`; this module reads the venue's reports as the margin
gateway means them:

* Side <54> is ``"bid"`` (1, Buy) or ``"ask"`` (2, Sell), not a Yes or No contract.
* Prices are always dollars (UseDollars <21005> is always on), above 0 with no ceiling of $1.
* LongQty <704> and ShortQty <705> are the net long and short position after a trade.
* A market-data trade's AggressorSide <2446> is ``"bid"`` (1, a buyer took) or ``"ask"`` (2).

Requests the margin gateway does not take raise :class:`~fixwire.kalshi.venue.GatewayError`
before anything is sent: RFQ (as creator or maker), SecurityStatusRequest <e>, MaxExecutionCost
<21009> and ExDestination <100> on orders, AllocAccount <79> on an OrderGroupRequest <UOG>.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from fixwire._native import Message
from fixwire.kalshi.events import ExecutionReport, KalshiEvent, from_message, new_report
from fixwire.kalshi.market_data_events import MarketDataIncrement
from fixwire.kalshi.values import side_name

__all__ = ["PRICE_CEILING", "MarginExecutionReport", "read_event"]

#: No price ceiling on margin: a report's prices are checked to be above 0 only.
PRICE_CEILING = Decimal("Infinity")


class MarginExecutionReport(ExecutionReport):
    """An ExecutionReport <8> of the margin gateway: as :class:`ExecutionReport`, with
    ``side`` ``"bid"`` or ``"ask"`` (None for another code), and ``long_qty``/``short_qty``
    the net long and short position after a trade.
    """

    __slots__ = ()

    @property
    def side(self) -> str | None:
        """Side <54>: ``"bid"`` (1, Buy) or ``"ask"`` (2, Sell); None for another code."""
        return _SIDES.get(side_name(self.message[54]) or "")


def read_event(msg: Message, dollars: bool) -> KalshiEvent:
    """The typed event for one inbound message of the margin gateway (prices are always
    dollars there, whatever ``dollars`` says).
    """
    msg_type = msg.msg_type
    if msg_type == "8":
        return new_report(MarginExecutionReport, msg, True)
    event = from_message(msg, True)
    if msg_type == "X" and isinstance(event, MarketDataIncrement):
        entries = tuple(
            entry
            if entry.aggressor_side is None
            else dataclasses.replace(entry, aggressor_side=_SIDES[entry.aggressor_side])
            for entry in event.entries
        )
        event = dataclasses.replace(event, entries=entries)
    return event


# Side <54> and AggressorSide <2446> as the Predictions events name them (values.side_name), in
# the margin gateway's words.
_SIDES = {"yes": "bid", "no": "ask"}
