"""Shared inputs of the template tests (``tests/codec/test_template*.py``): the header and clock,
hypothesis settings and alphabets, the ORDER template and its values, and small helpers.
"""

import re
import string
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st

import fixwire
from fixwire import Rule, Template

SENT = datetime(2026, 8, 20, 14, 30, 5, 123456, tzinfo=UTC)
HEADER = "35=D|49=SENDER|56=TARGET|34=7|52=20260820-14:30:05.123|"
NOW = SENT.timestamp()
SETTINGS = settings(max_examples=120, deadline=None)
# The values a 64-bit signed integer holds; `n in I64` is a comparison, not a scan.
I64 = range(-(2**63), 2**63)
ID_CHARS = string.ascii_letters + string.digits + "-_:"
# The FIX float syntax: an optional minus, digits, an optional point and digits.
FIX_FLOAT = re.compile(r"(-?)([0-9]*)(?:\.([0-9]*))?")
# Characters of one to four UTF-8 bytes, controls and the FIX delimiters' look-alikes, but no
# SOH. (A fixed alphabet rather than st.characters(): it spares a fresh checkout hypothesis's
# Unicode table, seconds of work, and covers every UTF-8 length.)
TEXT_CHARS = "aZ09 -_:=|~.\x00\t\n\x7f\x80éß€\u200b中\uffff😀\U0010ffff"


def encode(encoder: fixwire.Encoder, template: Template, *values: Any) -> bytes:
    """Encode ``template`` with ``values`` at seq 7, sent at SENT."""
    return encoder.encode_template(template, values, seq_num=7, sending_time=SENT)


def refused(encoder: fixwire.Encoder, template: Template, *values: Any) -> fixwire.EncodeError:
    """Return the EncodeError that encoding ``template`` with ``values`` must raise."""
    with pytest.raises(fixwire.EncodeError) as info:
        encode(encoder, template, *values)
    return info.value


def one_slot(rule: Rule) -> Template:
    """A NewOrderSingle whose body is one slot, Price <44>, with ``rule``."""
    return Template("D", [(44, rule)])


# The same bytes as Encoder.encode.


def written(value: Decimal, places: int) -> Decimal:
    """Return ``value`` as a rule of ``places`` writes it: zeros beyond ``places`` dropped."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return value.quantize(Decimal(1).scaleb(-places)) if exponent < -places else value


ORDER = Template(
    "D",
    [
        (11, Rule.text(charset=ID_CHARS, max_length=20, name="cl_ord_id")),
        (1, "ACCT-1"),
        (38, Rule.decimal(gt=0, places=2, name="quantity")),
        (40, "2"),
        (44, Rule.decimal(gt=0, lt=1, places=4, name="price")),
        (54, Rule.choice(["1", "2", 7], name="side")),
        (59, 1),
        (79, Rule.integer(ge=-5, le=63, name="subaccount", optional=True)),
        (99, Decimal("1.50")),
        (126, Rule.timestamp(name="expire_time", optional=True)),
        (21005, True),
        (21006, Rule.boolean(name="cancel_on_pause", optional=True)),
        (21009, Rule.decimal(ge=-5, le="5.00", places=2, in_units=True, optional=True)),
        (58, Rule.text(max_length=30, name="text", optional=True)),
        (5000, Decimal("1E+2")),
    ],
)
# ORDER's fixed fields by tag, as Encoder.encode is given them.
ORDER_FIXED: dict[int, object] = {
    1: "ACCT-1",
    40: "2",
    59: 1,
    99: Decimal("1.50"),
    21005: True,
    5000: Decimal("1E+2"),
}
# ORDER's slots in order: tag, and how a valid value is given to Encoder.encode.
ORDER_SLOTS: list[tuple[int, Callable[[Any], object]]] = [
    (11, lambda v: v),
    (38, lambda v: written(v, 2)),
    (44, lambda v: written(v, 4)),
    (54, lambda v: v),
    (79, lambda v: v),
    (126, lambda v: v),
    (21006, lambda v: v),
    (21009, lambda v: int(v.scaleb(2))),
    (58, lambda v: v),
]
ORDER_TAGS = [11, 1, 38, 40, 44, 54, 59, 79, 99, 126, 21005, 21006, 21009, 58, 5000]


@st.composite
def decimals(draw: st.DrawFn, low: int, high: int, places: int) -> Decimal:
    """A Decimal of ``low`` to ``high`` units of ``10**-places``, spelled as given, normalized
    (``0.5``, ``1E+1``) or with trailing zeros beyond ``places`` (``0.5500`` for 2 places).
    """
    value = Decimal(draw(st.integers(low, high))).scaleb(-places)
    spelling = draw(st.sampled_from(["as_given", "normalized", "padded"]))
    if spelling == "normalized":
        return value.normalize()
    if spelling == "padded":
        return value.quantize(Decimal(1).scaleb(-places - draw(st.integers(1, 4))))
    return value


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` or None."""
    return st.none() | strategy
