"""The venue's rules for the client's arguments: ClOrdID <11> characters and length, prices by
UseDollars <21005>, quantities, sides, and the order-entry templates that check them in Rust as
each message is written (NewOrderSingle <D>, OrderCancelRequest <F>,
OrderCancelReplaceRequest <G>), on either gateway: the margin gateway's orders (spec section 17)
are bids and asks (``"bid"``, ``"ask"``), priced in dollars above 0 with up to 4 decimals and
no ceiling of $1, for whole contracts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from fixwire._native import Rule, Template
from fixwire.kalshi.venue import (
    CL_ORD_ID_BYTES,
    CL_ORD_ID_MAX_LENGTH,
    Gateway,
    GroupAction,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from fixwire.kalshi.venue import check_cl_ord_id as check_cl_ord_id  # The client's name for it.
from fixwire.session.config import FieldValue

_ONE = Decimal(1)
# The words the client takes for the venue's codes (kalshi.venue holds the codes).
TIME_IN_FORCE = {tif.name.lower(): tif.value for tif in TimeInForce}
STP = {stp.name.lower(): int(stp) for stp in SelfTradePrevention}
ORDER_GROUP_ACTIONS = {action.name.lower(): int(action) for action in GroupAction}


_QTY_STEP = Decimal("0.01")
_DOLLAR_STEP = Decimal("0.0001")
# Every price the venue takes, by UseDollars <21005>: a Decimal argument is checked by one set
# lookup instead of Decimal arithmetic (equal Decimals hash alike, so 0.5500 is found as 0.55).
_PRICES = {
    dollars: frozenset(Decimal(n).scaleb(-places) for n in range(1, 10**places))
    for dollars, places in ((True, 4), (False, 2))
}


_HEX_PAIRS = tuple(f"{n:02x}" for n in range(256))


def cl_ord_ids(prefix: str) -> Iterator[str]:
    """UUID-shaped ClOrdIDs <11>: ``prefix`` (a random UUID's first 24 characters, drawn once
    per client) and a 12-digit hex counter, so that making one costs no os.urandom.

    Formatting ``f"{n:012x}"`` costs about 0.5 µs on every order; here the counter's last two
    digits come from a table and the rest is formatted once per 256 ids.
    """
    for high in itertools.count():
        block = f"{prefix}{high:010x}"
        for low in _HEX_PAIRS:
            yield block + low


# Small whole quantities as Decimals, made once: making a Decimal costs more than the rest of
# the check.
WHOLE_QUANTITIES = tuple(Decimal(n) for n in range(1001))


def check_quantity(value: Decimal | int | str, name: str = "quantity") -> Decimal:
    """``value`` as a positive Decimal number of contracts, to the venue's step; else
    ``ValueError`` naming ``name``.
    """
    if type(value) is int:  # The common case, checked without Decimal arithmetic.
        if value <= 0:
            raise ValueError(f"{name} must be positive, not {value!r}")
        return WHOLE_QUANTITIES[value] if value < len(WHOLE_QUANTITIES) else Decimal(value)
    try:
        qty = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number of contracts, not {value!r}") from None
    if not qty.is_finite() or qty <= 0:
        raise ValueError(f"{name} must be positive, not {value!r}")
    try:
        exact = qty == qty.quantize(_QTY_STEP)
    except InvalidOperation:  # More digits than the decimal context holds.
        raise ValueError(f"{name} is too large: {value!r}") from None
    if not exact:
        raise ValueError(f"{name} has more than 2 decimals: {value!r}")
    return qty


def check_price(value: Decimal | str | int, dollars: bool) -> Decimal:
    """``value`` as a Decimal price in dollars, strictly between 0 and 1, to 4 decimals with
    UseDollars <21005> (``dollars``) or to whole cents without; else ``ValueError``.
    """
    if type(value) is Decimal:
        if not value.is_snan() and value in _PRICES[dollars]:  # A signaling NaN cannot hash.
            return value
        price = value
    elif isinstance(value, float):
        raise ValueError("price must be a Decimal or str, not float (it is not exact)")
    else:
        try:
            price = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"price must be a Decimal number of dollars, not {value!r}") from None
    if not price.is_finite() or not 0 < price < _ONE:
        raise ValueError(f"price must be between $0 and $1 exclusive, not {value!r}")
    if price != price.quantize(_DOLLAR_STEP if dollars else _QTY_STEP):
        unit = "4 decimals (UseDollars)" if dollars else "whole cents (UseDollars is off)"
        raise ValueError(f"price {value!r} is finer than {unit}")
    return price


def check_exec_id(exec_id: str) -> str:
    """``exec_id`` if it has the form of Kalshi's ExecID <17> (``seq;seq`` or ``seq;seq;n``);
    else ``ValueError``.
    """
    if not re.fullmatch(r"-?\d+;-?\d+(;\d+)?", exec_id):
        raise ValueError(
            f"ExecID must look like 'clock;event' or 'clock;event;index', not {exec_id!r}"
        )
    return exec_id


SIDES = {side.name.lower(): side.value for side in Side}
#: The margin gateway's sides (spec section 6.2): Side <54> 1 = Buy (bid), 2 = Sell (ask).
MARGIN_SIDES = {"bid": "1", "ask": "2"}


def _side_rule(gateway: Gateway) -> Rule:
    """Side <54>: ``"yes"``/``"no"``, or ``"bid"``/``"ask"`` on the margin gateway."""
    return Rule.choice(MARGIN_SIDES if gateway is Gateway.MARGIN else SIDES, name="side")


def _quantity_rule(gateway: Gateway) -> Rule:
    """OrderQty <38>: positive, up to 2 decimals; whole contracts on the margin gateway."""
    if gateway is Gateway.MARGIN:
        return Rule.decimal(gt=0, places=0, name="quantity (whole contracts on margin)")
    return Rule.decimal(gt=0, places=2, name="quantity")


def _id_rule(name: str, *, optional: bool = False) -> Rule:
    """A ClOrdID-like id <11>: 1 to 64 of the venue's id characters, as check_cl_ord_id."""
    return Rule.text(
        charset=CL_ORD_ID_BYTES.decode("ascii"),
        max_length=CL_ORD_ID_MAX_LENGTH,
        name=name,
        optional=optional,
    )


def _price_rule(
    dollars: bool, *, optional: bool = False, gateway: Gateway = Gateway.PREDICTIONS
) -> Rule:
    """Price <44> on the Yes scale: dollars with up to 4 decimals under UseDollars <21005>,
    else whole cents, written as an integer. On the margin gateway: dollars above 0 with up to
    4 decimals (its docs state no ceiling; the venue refuses a price off its market's band).
    """
    if gateway is Gateway.MARGIN:
        return Rule.decimal(gt=0, places=4, name="price", optional=optional)
    if dollars:
        return Rule.decimal(gt=0, lt=1, places=4, name="price", optional=optional)
    return Rule.decimal(
        gt=0,
        lt=1,
        places=2,
        in_units=True,
        name="price (whole cents: UseDollars is off)",
        optional=optional,
    )


# The slots a routed order request adds (its values after the others, see parties): the shard,
# ExDestination <100>, and an FCM customer's NoPartyIDs <453> group of one PartyID <448> with
# PartyRole <452>=24, written as the group's fields in their order.
_ROUTING: tuple[tuple[int, Rule], ...] = (
    (100, Rule.integer(ge=-1, name="ex_destination", optional=True)),
    (453, Rule.choice(["1"], name="party_id", optional=True)),
    (448, _id_rule("party_id", optional=True)),
    (452, Rule.choice(["24"], name="party_id", optional=True)),
)


def new_order_template(
    dollars: bool, *, routed: bool = False, gateway: Gateway = Gateway.PREDICTIONS
) -> Template:
    """NewOrderSingle <D> as :meth:`KalshiClient.new_order` sends it, the venue's rules for
    its arguments checked in Rust as the message is written. Each slot is named after the
    argument that fills it, so that an error names what the caller gave.

    Args:
        dollars: UseDollars <21005>: prices in dollars with up to 4 decimals; else whole
            cents, written as an integer.
        routed: With the slots of ExDestination <100> and an FCM customer's PartyID <448>
            (their values follow the others: the shard, then :func:`parties`).
        gateway: The margin gateway's sides, prices and quantities, or the Predictions
            gateway's.

    Returns:
        The template; its values are new_order's arguments, in the order of its slots.
    """
    return Template(
        "D",
        [
            (11, _id_rule("cl_ord_id")),
            (38, _quantity_rule(gateway)),
            (40, "2"),  # OrdType: limit.
            (44, _price_rule(dollars, gateway=gateway)),
            (54, _side_rule(gateway)),
            (55, Rule.text(name="symbol")),
            (59, Rule.choice(TIME_IN_FORCE, name="time_in_force")),
            (126, Rule.timestamp(name="expire_time", optional=True)),
            (18, Rule.choice(["6"], name="post_only", optional=True)),
            (2964, Rule.choice(STP, name="self_trade_prevention", optional=True)),
            (526, _id_rule("order_group_id", optional=True)),
            (21006, Rule.boolean(name="cancel_on_pause", optional=True)),
            (21009, Rule.decimal(gt=0, name="max_execution_cost", optional=True)),
            (79, Rule.integer(ge=0, le=63, name="subaccount", optional=True)),
            *(_ROUTING if routed else ()),
        ],
    )


def check_symbol(symbol: str) -> str:
    """``symbol`` if it can be a market ticker, Symbol <55> (non-empty text without SOH);
    else ``ValueError``.
    """
    if not symbol or not isinstance(symbol, str) or "\x01" in symbol:
        raise ValueError(f"symbol must be a market ticker, not {symbol!r}")
    return symbol


def cancel_template(*, routed: bool = False, gateway: Gateway = Gateway.PREDICTIONS) -> Template:
    """OrderCancelRequest <F> as :meth:`KalshiClient.cancel` sends it: the request's own
    ClOrdID <11> checked like any new id, the order's fields as the client's book has them
    (its side in ``gateway``'s words).
    """
    return Template(
        "F",
        [
            (11, _id_rule("new_cl_ord_id")),
            (41, Rule.text(name="cl_ord_id")),
            (37, Rule.text(name="order_id", optional=True)),
            (54, _side_rule(gateway)),
            (55, Rule.text(name="symbol")),
            *(_ROUTING if routed else ()),
        ],
    )


def replace_template(
    dollars: bool, *, routed: bool = False, gateway: Gateway = Gateway.PREDICTIONS
) -> Template:
    """OrderCancelReplaceRequest <G> as :meth:`KalshiClient.replace` sends it: the new
    ClOrdID, quantity and price checked like new_order's, the rest from the client's book.

    Args:
        dollars: UseDollars <21005>, as for :func:`new_order_template`.
        routed: With ExDestination <100> and an FCM customer's NoPartyIDs <453>.
        gateway: As for :func:`new_order_template`.

    Returns:
        The template; Price <44> is left out when the price does not change.
    """
    return Template(
        "G",
        [
            (11, _id_rule("new_cl_ord_id")),
            (37, Rule.text(name="order_id", optional=True)),
            (38, _quantity_rule(gateway)),
            (40, "2"),  # OrdType: limit.
            (41, Rule.text(name="cl_ord_id")),
            (44, _price_rule(dollars, optional=True, gateway=gateway)),
            (54, _side_rule(gateway)),
            (55, Rule.text(name="symbol")),
            *(_ROUTING if routed else ()),
        ],
    )


def parties(party_id: str | None) -> tuple[str | None, str | None, str | None]:
    """The template values of an FCM customer's NoPartyIDs <453> group: one PartyID <448> with
    PartyRole <452>=24 (customer account), or nothing.
    """
    if party_id is None:
        return None, None, None
    return "1", party_id, "24"


def party_group(party_id: str | None) -> list[tuple[int, FieldValue]]:
    """An FCM customer's NoPartyIDs <453> group as message fields, or nothing."""
    if party_id is None:
        return []
    return [(453, [[(448, check_cl_ord_id(party_id, "party_id")), (452, 24)]])]


def check_side(side: str) -> str:
    """Side <54> on the wire for ``"yes"`` or ``"no"``; else ``ValueError``."""
    wire_side = SIDES.get(side)
    if wire_side is None:
        raise ValueError(f"side must be 'yes' or 'no', not {side!r}")
    return wire_side
