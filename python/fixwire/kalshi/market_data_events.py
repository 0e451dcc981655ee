"""Kalshi's market data (spec section 13) as typed, immutable events: KalshiMD's snapshots,
incremental refreshes, refusals and security status. :func:`fixwire.kalshi.events.from_message`
delivers them; each keeps the message it came from as ``message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as time_of_day
from decimal import Decimal

from fixwire._native import Message
from fixwire.errors import DecodeError
from fixwire.kalshi.values import side_name
from fixwire.kalshi.venue import with_groups

__all__ = [
    "BookLevel",
    "MarketDataEntry",
    "MarketDataEvent",
    "MarketDataIncrement",
    "MarketDataRequestReject",
    "MarketDataSnapshot",
    "SecurityStatus",
    "entry_time",
    "market_data_event",
]

_TIME_OF_DAY = re.compile(r"\d\d:\d\d:\d\d(\.\d{1,9})?")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class BookLevel:
    """One price level: MDEntryPx <270> in dollars on the Yes scale, MDEntrySize <271>."""

    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class MarketDataSnapshot:
    """MarketDataSnapshotFullRefresh <W>: one market's whole book, best level first.

    ``bids`` are the Yes bids (MDEntryType <269>=0); ``offers`` (269=1) are the asks on the
    Yes scale, which are the No bids. An unknown ticker gets an empty snapshot. ``time`` is
    the capture time, MDEntryDate/MDEntryTime <272>/<273> of the first entry (None when the
    venue sent none).
    """

    symbol: str
    bids: tuple[BookLevel, ...]
    offers: tuple[BookLevel, ...]
    message: Message
    time: datetime | None = None

    @classmethod
    def from_message(cls, msg: Message) -> MarketDataSnapshot:
        """Reads the NoMDEntries <268> group."""
        bids: list[BookLevel] = []
        offers: list[BookLevel] = []
        entries = with_groups(msg).group(268)
        for entry in entries:
            price = entry.get_decimal(270)
            if price is None:
                continue
            level = BookLevel(price, entry.get_decimal(271, _ZERO))
            entry_type = entry.get(269)
            if entry_type == "0":
                bids.append(level)
            elif entry_type == "1":
                offers.append(level)
        time = entry_time(entries[0]) if entries else None
        return cls(msg[55], tuple(bids), tuple(offers), msg, time)


def entry_time(entry: Message) -> datetime | None:
    """MDEntryDate <272> (``YYYYMMDD``) and MDEntryTime <273> (``HH:MM:SS.sss``) of a
    NoMDEntries <268> entry as one UTC time; None unless both are present.

    Raises:
        DecodeError: MDEntryTime <273> is not a time of day.
    """
    day = entry.get_date(272)
    clock = entry.get(273)
    if day is None or clock is None:
        return None
    if _TIME_OF_DAY.fullmatch(clock) is None:
        raise DecodeError(
            f"MDEntryTime <273> {clock!r} is not HH:MM:SS.sss", "invalid_value", 0, 273
        )
    try:
        return datetime.combine(day, time_of_day.fromisoformat(clock), UTC)
    except ValueError as e:
        raise DecodeError(
            f"MDEntryTime <273> {clock!r} is not a time of day", "invalid_value", 0, 273
        ) from e


_MD_ACTIONS = {"0": "new", "1": "change", "2": "delete"}
_MD_TYPES = {"0": "bid", "1": "offer", "2": "trade"}


@dataclass(frozen=True, slots=True)
class MarketDataEntry:
    """One NoMDEntries <268> entry of an incremental refresh.

    Attributes:
        action: MDUpdateAction <279>: ``new``, ``change`` or ``delete``.
        symbol: Symbol <55>.
        entry_type: MDEntryType <269>: ``bid``, ``offer`` or ``trade``.
        price: MDEntryPx <270>, dollars, Yes scale.
        size: MDEntrySize <271>: the level's new total (level-replace), or the trade's size.
        aggressor_side: AggressorSide <2446> on trades: ``"yes"`` (1, buy) or ``"no"`` (2).
        time: MDEntryDate/MDEntryTime <272>/<273>, the source event's time (UTC); None
            when absent (the margin gateway sends neither).
    """

    action: str
    symbol: str | None
    entry_type: str
    price: Decimal | None
    size: Decimal
    aggressor_side: str | None
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class MarketDataIncrement:
    """MarketDataIncrementalRefresh <X>: level changes and trades, in order."""

    entries: tuple[MarketDataEntry, ...]
    message: Message

    @classmethod
    def from_message(cls, msg: Message) -> MarketDataIncrement:
        """Reads the NoMDEntries <268> group."""
        entries = []
        for entry in with_groups(msg).group(268):
            action, entry_type = entry.get(279, ""), entry.get(269, "")
            entries.append(
                MarketDataEntry(
                    _MD_ACTIONS.get(action, action),
                    entry.get(55),
                    _MD_TYPES.get(entry_type, entry_type),
                    entry.get_decimal(270),
                    entry.get_decimal(271, _ZERO),
                    side_name(entry.get(2446)),
                    entry_time(entry),
                )
            )
        return cls(tuple(entries), msg)


@dataclass(frozen=True, slots=True)
class MarketDataRequestReject:
    """MarketDataRequestReject <Y>: MDReqRejReason <281> (``2`` symbol limits, ``4``
    unsupported SubscriptionRequestType) and Text <58>.
    """

    reason: str | None
    text: str | None
    message: Message


_SECURITY_STATUS = {3: "active", 2: "halted", 100: "determined", 101: "settled"}


@dataclass(frozen=True, slots=True)
class SecurityStatus:
    """SecurityStatus <f>: a market's trading status changed (changes only, no initial state).

    ``status`` is SecurityTradingStatus <326> by name: ``active`` (3), ``halted`` (2),
    ``determined`` (100), ``settled`` (101, after which the subscription is dropped).
    """

    symbol: str
    status: str
    message: Message


MarketDataEvent = (
    MarketDataSnapshot | MarketDataIncrement | MarketDataRequestReject | SecurityStatus
)


def market_data_event(msg: Message) -> MarketDataEvent | None:
    """The typed event for a market-data message, or None if ``msg`` is not one."""
    msg_type = msg.msg_type
    if msg_type == "X":
        return MarketDataIncrement.from_message(msg)
    if msg_type == "W":
        return MarketDataSnapshot.from_message(msg)
    if msg_type == "Y":
        return MarketDataRequestReject(msg.get(281), msg.get(58), msg)
    if msg_type == "f":
        code = msg.get_int(326, -1)
        return SecurityStatus(msg[55], _SECURITY_STATUS.get(code, str(code)), msg)
    return None
