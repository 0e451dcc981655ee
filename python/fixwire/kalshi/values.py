"""Values the venue's inbound messages share, read one way wherever they appear.

A price is ``Decimal`` dollars whatever UseDollars <21005> says on the wire (cents are divided
by 100); a side code (Side <54>, AggressorSide <2446>) is ``"yes"`` (1) or ``"no"`` (2).
"""

from __future__ import annotations

from decimal import Decimal

from fixwire._native import Message

__all__ = ["price", "side_name"]

_CENT = Decimal("0.01")
_SIDE_NAMES = {"1": "yes", "2": "no"}


def price(msg: Message, tag: int, dollars: bool) -> Decimal | None:
    """The price field ``tag`` of ``msg`` in dollars: as it is under UseDollars
    (``dollars``), else cents divided by 100; None when absent.
    """
    value = msg.get_decimal(tag)
    if value is None or dollars:
        return value
    return value * _CENT


def side_name(code: str | None) -> str | None:
    """``"yes"`` for side code 1 (buy), ``"no"`` for 2; None for anything else or nothing."""
    return _SIDE_NAMES.get(code or "")
