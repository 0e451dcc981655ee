"""Shared helpers of the Kalshi matching engine tests: one market, and placing orders on it."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from fixwire.kalshi.sim.matching import (
    Accepted,
    Event,
    MatchingEngine,
    Side,
)

D = Decimal
MKT = "HIGHNY-23DEC31"
YES, NO = Side.YES, Side.NO
E = TypeVar("E")


def new_engine(**kwargs: Any) -> MatchingEngine:
    engine = MatchingEngine(**kwargs)
    engine.add_market(MKT)
    return engine


def place(
    engine: MatchingEngine,
    owner: str,
    client_id: str,
    side: Side,
    price: str,
    qty: int = 1,
    now: float = 0.0,
    **kwargs: Any,
) -> list[Event]:
    """Submit an order to MKT with the price given as a string."""
    return engine.submit(
        owner=owner,
        client_id=client_id,
        market=MKT,
        side=side,
        price=D(price),
        qty=qty,
        now=now,
        **kwargs,
    )


def only(events: Sequence[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def one(events: Sequence[Event], kind: type[E]) -> E:
    found = only(events, kind)
    assert len(found) == 1, events
    return found[0]


def names(events: Sequence[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def order_id(events: Sequence[Event]) -> str:
    return one(events, Accepted).order.order_id
