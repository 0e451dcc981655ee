"""fixwire.Template and Encoder.encode_template: the bytes Encoder.encode would write, every rule
held to a plain-Python reference, errors that name the slot, and the templates that
Session.send and the Kalshi client send through.

The references below decide from the values alone (Python's own Decimal, int and str), never by
calling fixwire, so a rule that accepts or refuses the wrong value fails here.
"""

import re
import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixwire
from fixtext import ENCODE_KINDS, frame
from fixwire import Rule, Template
from fixwire.kalshi.rules import cancel_template, new_order_template, replace_template
from fixwire.session import Role, Session, SessionConfig

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


@pytest.fixture
def encoder() -> fixwire.Encoder:
    """An encoder with the default FIXT.1.1 BeginString and millisecond SendingTime."""
    return fixwire.Encoder("SENDER", "TARGET")


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
    (``0.5``, ``1E+1``) or with trailing zeros beyond ``places`` (``0.5500`` for 2 places)."""
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


order_values = st.tuples(
    st.text(st.sampled_from(ID_CHARS), min_size=1, max_size=20),
    decimals(1, 10**8, 2),
    decimals(1, 9999, 4),
    st.sampled_from(["1", "2", "7", 7]),
    optional(st.integers(-5, 63)),
    optional(st.datetimes(timezones=st.none() | st.just(UTC))),
    optional(st.booleans()),
    optional(decimals(-500, 500, 2)),
    # At most 7 characters of at most 4 bytes: within the 30 bytes of Text <58>.
    optional(st.text(st.sampled_from(TEXT_CHARS), min_size=1, max_size=7)),
)


@SETTINGS
@given(
    values=order_values,
    seq_num=st.integers(1, 2**40),
    precision=st.sampled_from(["s", "ms", "us", "ns"]),
)
def test_template_writes_what_encode_writes(
    values: tuple[Any, ...], seq_num: int, precision: str
) -> None:
    encoder = fixwire.Encoder("SENDER", "TARGET", time_precision=precision)
    given_by_tag = dict(ORDER_FIXED)
    for (tag, convert), value in zip(ORDER_SLOTS, values, strict=True):
        if value is not None:
            given_by_tag[tag] = convert(value)
    fields = [(tag, given_by_tag[tag]) for tag in ORDER_TAGS if tag in given_by_tag]
    expected = encoder.encode("D", fields, seq_num=seq_num, sending_time=SENT)  # type: ignore[arg-type]
    got = encoder.encode_template(ORDER, values, seq_num=seq_num, sending_time=SENT)
    assert got == expected


def test_template_bytes_exactly(encoder: fixwire.Encoder) -> None:
    values = ("ab-1", Decimal("10.000"), Decimal("0.5500"), 7, 63, SENT, False, Decimal("-0.5"))
    assert encode(encoder, ORDER, *values, "né ~") == frame(
        f"{HEADER}11=ab-1|1=ACCT-1|38=10.00|40=2|44=0.5500|54=7|59=1|79=63|99=1.50|"
        "126=20260820-14:30:05.123|21005=Y|21006=N|21009=-50|58=né ~|5000=100|"
    )


def test_optional_slots_left_out(encoder: fixwire.Encoder) -> None:
    values = ("x", 3, "0.25", "2", None, None, None, None, None)
    assert encode(encoder, ORDER, *values) == frame(
        f"{HEADER}11=x|1=ACCT-1|38=3|40=2|44=0.25|54=2|59=1|99=1.50|21005=Y|5000=100|"
    )


def test_template_attributes() -> None:
    assert len(ORDER) == len(ORDER_SLOTS)
    assert ORDER.msg_type == "D"
    assert len(Template("0", [])) == 0
    assert len(Template("AE", [(1, "x"), (2, Rule.text())])) == 1
    rule = Rule.text(name="cl_ord_id", optional=True)
    assert (rule.name, rule.optional) == ("cl_ord_id", True)
    assert (Rule.boolean().name, Rule.boolean().optional) == (None, False)


# Each rule accepts exactly what a plain-Python reference accepts.


def parts_of(value: object) -> tuple[int, int] | None:
    """Return a number as FIX writes it without an exponent: its digits as one signed int and
    how many of them follow the point. None for what is not a number in FIX's syntax (a str),
    NaN or an infinity, or a value of another type."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, 0
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        magnitude = int("".join(map(str, digits))) * 10 ** max(exponent, 0)
        return -magnitude if sign else magnitude, max(-exponent, 0)
    if isinstance(value, str):
        match = FIX_FLOAT.fullmatch(value)
        if match is None or not (match[2] or match[3]):
            return None
        fraction = match[3] or ""
        magnitude = int(match[2] + fraction)
        return -magnitude if match[1] else magnitude, len(fraction)
    return None


def decimal_reference(
    value: object,
    bounds: dict[str, Decimal],
    places: int | None,
    in_units: bool,
) -> Decimal | None:
    """Return what a decimal rule must write for ``value`` (the units, with ``in_units``), or
    None when it must refuse it.

    Args:
        value: The value given.
        bounds: ``gt``, ``ge``, ``lt`` and ``le``, those that are set.
        places: The most fraction digits, trailing zeros not counted.
        in_units: Whether the value is written as a whole number of ``10**-places``.
    """
    parts = parts_of(value)
    if parts is None:
        return None
    mantissa, scale = parts
    while scale > 18 and mantissa % 10 == 0:  # Zeros past 18 decimals change nothing.
        mantissa, scale = mantissa // 10, scale - 1
    # A 64-bit mantissa and at most 18 fraction digits: what FIX decimals hold.
    if mantissa not in I64 or scale > 18:
        return None
    if places is not None and scale > places and mantissa % 10 ** (scale - places):
        return None
    number = Decimal(mantissa).scaleb(-scale)
    holds = {
        "gt": number.__gt__,
        "ge": number.__ge__,
        "lt": number.__lt__,
        "le": number.__le__,
    }
    if not all(holds[name](bound) for name, bound in bounds.items()):
        return None
    if in_units:
        assert places is not None
        units = number.scaleb(places)
        return units if int(units) in I64 else None
    return number


def text_reference(value: object, charset: str | None, max_length: int | None) -> bool:
    """Whether a text rule must accept ``value``: a str of 1 to ``max_length`` UTF-8 bytes, no
    SOH, every character in ``charset``."""
    return (
        isinstance(value, str)
        and "\x01" not in value
        and len(value.encode()) >= 1
        and (max_length is None or len(value.encode()) <= max_length)
        and (charset is None or set(value) <= set(charset))
    )


def choice_reference(value: object, choices: list[str | int]) -> str | None:
    """Return what a choice rule must write for ``value``, or None when it must refuse it."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool) and value in I64:
        text = str(value)
    else:
        return None
    return text if text in {str(choice) for choice in choices} else None


def integer_reference(value: object, ge: int | None, le: int | None) -> bool:
    """Whether an integer rule from ``ge`` to ``le`` must accept ``value``."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value in I64
        and (ge is None or ge <= value)
        and (le is None or value <= le)
    )


def utc_text(value: datetime) -> str:
    """``value`` as a millisecond UTCTimestamp (naive is UTC), written without the encoder."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}-"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}"
    )


def check_against(rule: Rule, value: object, accepted: bool) -> fixwire.Message | None:
    """Encode ``value`` in a one-slot template of ``rule``; check that it raised an EncodeError
    naming the slot exactly when not ``accepted``.

    Returns:
        The message parsed back when it was accepted, else None.
    """
    encoder = fixwire.Encoder("SENDER", "TARGET")
    template = one_slot(rule)
    if not accepted:
        with pytest.raises(fixwire.EncodeError) as info:
            encode(encoder, template, value)
        assert info.value.tag == 44
        assert info.value.kind in ENCODE_KINDS
        assert info.value.reason.startswith(f"{rule.name or 'tag 44'}: ")
        return None
    data = encode(encoder, template, value)
    message = fixwire.parse(data)
    assert message[35] == "D"
    if value is None:
        assert 44 not in message
    return message


names = st.none() | st.sampled_from(["price", "cl_ord_id"])
special_decimals = st.sampled_from(
    [
        Decimal("NaN"),
        Decimal("-NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("-0"),
        Decimal("-0.00"),
        Decimal("1E+2"),
        Decimal("0E-30"),
        Decimal("1E-18"),
        Decimal("1E-19"),
        Decimal("0.5000000000000000000000"),
        Decimal(2**63 - 1),
        Decimal(2**63),
        Decimal(-(2**63)),
        Decimal("922337203685477580.8"),
    ]
)
scaled_decimals = st.builds(
    lambda mantissa, exponent: Decimal(mantissa).scaleb(exponent),
    st.integers(-(10**20), 10**20) | st.integers(-2000, 2000),
    st.integers(-22, 4),
)
# Text in FIX's float syntax (or just short of it: "", "-", "."), and text of a number's
# characters in any order.
number_texts = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["", "-"]),
        st.text(st.sampled_from(string.digits), max_size=20),
        st.sampled_from(["", "."]),
        st.text(st.sampled_from(string.digits), max_size=21),
    ),
) | st.text(st.sampled_from("0123456789.-+eE _x\x01"), max_size=8)
# Values of every kind, for rules that take another kind: None, bools, ints beyond 64 bits,
# floats, bytes, dates and datetimes.
other_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.floats(),
    st.binary(max_size=3),
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.text(st.sampled_from(TEXT_CHARS + "\x01"), max_size=4),
    special_decimals,
)
# Bounds as Decimals (one in exponent form), ints and numeric strs: lower ones for gt and ge,
# upper ones for lt and le, so that most rules admit something.
LOWER_BOUNDS: list[Decimal | int | str] = [
    Decimal("-1"),
    Decimal("0"),
    Decimal("0.50"),
    -3,
    0,
    "0.25",
    "-2.5",
    ".5",
]
UPPER_BOUNDS: list[Decimal | int | str] = [
    Decimal("1"),
    Decimal("1E+1"),
    Decimal("100.00"),
    1,
    3,
    "0.75",
    "250",
]
lower_bounds = st.none() | st.sampled_from(LOWER_BOUNDS)
upper_bounds = st.none() | st.sampled_from(UPPER_BOUNDS)
# Numbers near those bounds, of up to 5 decimals, and the bounds themselves.
near_decimals = st.builds(
    lambda mantissa, scale: Decimal(mantissa).scaleb(-scale),
    st.integers(-300, 30000),
    st.integers(0, 5),
) | st.sampled_from([Decimal(bound) for bound in LOWER_BOUNDS + UPPER_BOUNDS])
respelled = st.one_of(
    near_decimals.map(Decimal.normalize),
    near_decimals.map(lambda d: d.quantize(Decimal("1E-8"))),
    near_decimals.map(str),
    near_decimals.map(lambda d: format(d, "f")),
)


@settings(max_examples=200, deadline=None)
@given(
    gt=lower_bounds,
    ge=lower_bounds,
    lt=upper_bounds,
    le=upper_bounds,
    places=st.none() | st.integers(0, 6) | st.integers(0, 18),
    units=st.booleans(),
    name=names,
    optional_slot=st.booleans(),
    value=st.one_of(
        near_decimals,
        respelled,
        st.integers(-5, 300),
        scaled_decimals,
        special_decimals,
        st.integers(-(2**64), 2**64),
        number_texts,
        other_values,
    ),
)
def test_decimal_rule_matches_the_reference(
    gt: Decimal | int | str | None,
    ge: Decimal | int | str | None,
    lt: Decimal | int | str | None,
    le: Decimal | int | str | None,
    places: int | None,
    units: bool,
    name: str | None,
    optional_slot: bool,
    value: object,
) -> None:
    in_units = units and places is not None
    rule = Rule.decimal(
        gt=gt,
        ge=ge,
        lt=lt,
        le=le,
        places=places,
        in_units=in_units,
        name=name,
        optional=optional_slot,
    )
    given_bounds = {"gt": gt, "ge": ge, "lt": lt, "le": le}
    limits = {key: Decimal(bound) for key, bound in given_bounds.items() if bound is not None}
    expected = decimal_reference(value, limits, places, in_units)
    accepted = expected is not None or (value is None and optional_slot)
    message = check_against(rule, value, accepted)
    if message is None or value is None:
        return
    got = message.get_decimal(44)
    assert got == expected, (value, message[44])
    assert got is not None
    exponent = got.as_tuple().exponent
    assert isinstance(exponent, int)
    if in_units:
        assert exponent == 0
    elif places is not None:
        assert -exponent <= places


@SETTINGS
@given(
    lower=st.none() | st.integers(-(2**63), 2**63 - 1) | st.integers(-50, 50),
    upper=st.none() | st.integers(-(2**63), 2**63 - 1) | st.integers(-50, 50),
    name=names,
    optional_slot=st.booleans(),
    value=st.integers(-60, 60)
    | st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1])
    | st.decimals(allow_nan=False, allow_infinity=False, places=0)
    | st.integers(-999, 999).map(str)
    | other_values,
)
def test_integer_rule_matches_the_reference(
    lower: int | None, upper: int | None, name: str | None, optional_slot: bool, value: object
) -> None:
    if lower is not None and upper is not None and lower > upper:
        lower, upper = upper, lower
    rule = Rule.integer(ge=lower, le=upper, name=name, optional=optional_slot)
    accepted = integer_reference(value, lower, upper) or (value is None and optional_slot)
    message = check_against(rule, value, accepted)
    if message is not None and value is not None:
        assert message.get_int(44) == value
        assert message[44] == str(value)


@pytest.mark.parametrize("bound", ["gt", "ge", "lt", "le"])
@pytest.mark.parametrize(
    "value",
    [
        Decimal("0.5"),
        Decimal("0.500000"),
        Decimal("5E-1"),
        "0.50",
        ".5",
        Decimal("0.499999999999999999"),
        "0.500000000000000001",
    ],
    ids=repr,
)
def test_bounds_compare_by_value(bound: str, value: object) -> None:
    limit = Decimal("0.50")
    rule = Rule.decimal(
        gt=limit if bound == "gt" else None,
        ge=limit if bound == "ge" else None,
        lt=limit if bound == "lt" else None,
        le=limit if bound == "le" else None,
    )
    number = Decimal(str(value))
    accepted = {
        "gt": number > Decimal("0.5"),
        "ge": number >= Decimal("0.5"),
        "lt": number < Decimal("0.5"),
        "le": number <= Decimal("0.5"),
    }[bound]
    assert (decimal_reference(value, {bound: Decimal("0.5")}, None, False) is not None) == accepted
    message = check_against(rule, value, accepted)
    if message is not None:
        assert message.get_decimal(44) == number


LIMIT_VALUES: list[object] = [
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    Decimal(2**63 - 1),
    Decimal(2**63),
    Decimal(-(2**63)),
    Decimal(-(2**63) - 1),
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "0.922337203685477580",
    "92233720368547758.08",
    "92233720368547758.0800",
    Decimal("1E-18"),
    Decimal("1E-19"),
    "0.000000000000000001",
    "0.0000000000000000010",
    Decimal("0E-18"),
    Decimal("0E-19"),
    Decimal("1E+18"),
    Decimal("1E+19"),
]


@pytest.mark.parametrize("value", LIMIT_VALUES, ids=repr)
@pytest.mark.parametrize("places", [None, 0, 2, 18])
def test_decimal_limits_match_the_reference(value: object, places: int | None) -> None:
    rule = Rule.decimal(places=places)
    expected = decimal_reference(value, {}, places, in_units=False)
    message = check_against(rule, value, accepted=expected is not None)
    if message is not None:
        assert message.get_decimal(44) == expected


@pytest.mark.parametrize("value", LIMIT_VALUES, ids=repr)
@pytest.mark.parametrize("places", [0, 1, 18])
def test_units_limits_match_the_reference(value: object, places: int) -> None:
    rule = Rule.decimal(places=places, in_units=True)
    expected = decimal_reference(value, {}, places, in_units=True)
    message = check_against(rule, value, accepted=expected is not None)
    if message is not None:
        assert message.get_decimal(44) == expected


@pytest.mark.parametrize("value", LIMIT_VALUES[:4], ids=repr)
def test_integer_limits_match_the_reference(value: object) -> None:
    message = check_against(Rule.integer(), value, integer_reference(value, None, None))
    if message is not None:
        assert message.get_int(44) == value


# Charsets of ASCII characters, where a character is a byte; SOH listed in some, which must not
# make it acceptable.
ascii_charsets = st.text(
    st.sampled_from(string.ascii_letters + string.digits + string.punctuation + " \x01"),
    min_size=1,
    max_size=12,
).filter(lambda charset: charset != "\x01" * len(charset))


@SETTINGS
@given(
    charset=st.none() | ascii_charsets,
    max_length=st.none() | st.integers(1, 12),
    name=names,
    optional_slot=st.booleans(),
    data=st.data(),
)
def test_text_rule_matches_the_reference(
    charset: str | None,
    max_length: int | None,
    name: str | None,
    optional_slot: bool,
    data: st.DataObject,
) -> None:
    # Mostly characters of the charset, with some that are not: SOH, a slash, non-ASCII.
    alphabet = st.sampled_from((charset or "ab=") + "\x01/é€") | st.sampled_from(TEXT_CHARS)
    value = data.draw(st.text(alphabet, max_size=14) | other_values, label="value")
    rule = Rule.text(charset=charset, max_length=max_length, name=name, optional=optional_slot)
    accepted = text_reference(value, charset, max_length) or (value is None and optional_slot)
    message = check_against(rule, value, accepted)
    if message is not None and value is not None:
        assert message[44] == value


@SETTINGS
@given(
    choices=st.lists(
        st.text(st.sampled_from(string.ascii_letters + string.digits + "-"), min_size=1)
        | st.integers(-100, 100),
        min_size=1,
        max_size=4,
    ),
    name=names,
    optional_slot=st.booleans(),
    data=st.data(),
)
def test_choice_rule_matches_the_reference(
    choices: list[str | int], name: str | None, optional_slot: bool, data: st.DataObject
) -> None:
    spelled = st.sampled_from(choices).flatmap(
        lambda choice: st.sampled_from([choice, str(choice)])
    )
    value = data.draw(
        spelled
        | st.integers(-100, 100)
        | st.text(st.sampled_from(TEXT_CHARS), max_size=3)
        | other_values,
        label="value",
    )
    rule = Rule.choice(choices, name=name, optional=optional_slot)
    expected = choice_reference(value, choices)
    accepted = expected is not None or (value is None and optional_slot)
    message = check_against(rule, value, accepted)
    if message is not None and value is not None:
        assert message[44] == expected


@SETTINGS
@given(
    name=names,
    optional_slot=st.booleans(),
    value=other_values | st.sampled_from(["Y", "N", 0, 1, Decimal(1)]),
)
def test_boolean_rule_matches_the_reference(
    name: str | None, optional_slot: bool, value: object
) -> None:
    rule = Rule.boolean(name=name, optional=optional_slot)
    accepted = isinstance(value, bool) or (value is None and optional_slot)
    message = check_against(rule, value, accepted)
    if message is not None and value is not None:
        assert message.get_bool(44) is value


@SETTINGS
@given(
    name=names,
    optional_slot=st.booleans(),
    value=other_values
    | st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.builds(timezone, st.timedeltas(timedelta(hours=-23), timedelta(hours=23))),
    )
    | st.sampled_from(["20260820-14:30:05.123", 1_787_233_501_123_000_000]),
)
def test_timestamp_rule_matches_the_reference(
    name: str | None, optional_slot: bool, value: object
) -> None:
    rule = Rule.timestamp(name=name, optional=optional_slot)
    accepted = isinstance(value, datetime) or (value is None and optional_slot)
    message = check_against(rule, value, accepted)
    if message is not None and isinstance(value, datetime):
        assert message[44] == utc_text(value)


# Errors name the slot and the problem.

VALUE_ERRORS: list[tuple[str, Rule, object, str, str]] = [
    (
        "float_for_decimal",
        Rule.decimal(name="price"),
        0.5,
        "invalid_value",
        "price: expected a decimal, an integer or text, not float",
    ),
    (
        "float_for_integer",
        Rule.integer(name="qty"),
        1.0,
        "invalid_value",
        "qty: expected an integer, not float",
    ),
    ("float_for_text", Rule.text(), 1.5, "invalid_value", "tag 44: expected text, not float"),
    (
        "float_for_choice",
        Rule.choice([1, 2], name="side"),
        1.0,
        "invalid_value",
        "side: expected text or an integer, not float",
    ),
    (
        "bool_for_integer",
        Rule.integer(name="n"),
        True,
        "invalid_value",
        "n: expected an integer, not a Boolean",
    ),
    (
        "bool_for_decimal",
        Rule.decimal(name="price"),
        False,
        "invalid_value",
        "price: expected a decimal, an integer or text, not a Boolean",
    ),
    (
        "int_beyond_64_bits_for_integer",
        Rule.integer(name="n"),
        2**64,
        "invalid_value",
        "n: 18446744073709551616 does not fit in 64 bits",
    ),
    (
        "int_beyond_64_bits_for_decimal",
        Rule.decimal(name="price"),
        -(2**63) - 1,
        "invalid_value",
        "price: -9223372036854775809 does not fit in 64 bits",
    ),
    (
        "missing_required",
        Rule.text(name="cl_ord_id"),
        None,
        "empty_value",
        "cl_ord_id: a value is required",
    ),
    (
        "missing_required_unnamed",
        Rule.boolean(),
        None,
        "empty_value",
        "tag 44: a value is required",
    ),
    ("empty_text", Rule.text(name="cl_ord_id"), "", "empty_value", "cl_ord_id: text is empty"),
    (
        "text_too_long",
        Rule.text(max_length=3, name="cl_ord_id"),
        "abcd",
        "invalid_value",
        "cl_ord_id: 4 bytes is longer than 3",
    ),
    (
        "text_too_long_in_bytes",
        Rule.text(max_length=3, name="text"),
        "éé",
        "invalid_value",
        "text: 4 bytes is longer than 3",
    ),
    (
        "text_outside_charset",
        Rule.text(charset="abc", name="cl_ord_id"),
        "abd",
        "invalid_value",
        'cl_ord_id: "abd" holds a byte not allowed here (0x64) at byte 2; allowed: a-c',
    ),
    (
        "text_with_soh",
        Rule.text(name="text"),
        "a\x01b",
        "soh_in_value",
        "text: value contains SOH at byte 1",
    ),
    (
        "bytes_for_text",
        Rule.text(name="text"),
        b"abc",
        "invalid_value",
        "text: expected text, not bytes",
    ),
    (
        "choice_not_listed",
        Rule.choice(["1", "2"], name="side"),
        "3",
        "invalid_value",
        'side: "3" is not one of "1", "2"',
    ),
    (
        "choice_int_not_listed",
        Rule.choice(["1", "2"], name="side"),
        3,
        "invalid_value",
        'side: "3" is not one of "1", "2"',
    ),
    (
        "integer_above",
        Rule.integer(ge=0, le=63, name="subaccount"),
        64,
        "invalid_value",
        "subaccount: 64 is not within 0 to 63",
    ),
    (
        "integer_below",
        Rule.integer(ge=0, le=63, name="subaccount"),
        -1,
        "invalid_value",
        "subaccount: -1 is not within 0 to 63",
    ),
    (
        "decimal_too_fine",
        Rule.decimal(places=4, name="price"),
        Decimal("0.55555"),
        "invalid_value",
        "price: 0.55555 has more than 4 decimals",
    ),
    (
        "decimal_at_exclusive_bound",
        Rule.decimal(gt=0, lt=1, name="price"),
        Decimal("1.00"),
        "invalid_value",
        "price: 1.00 is not less than 1",
    ),
    (
        "decimal_below_inclusive_bound",
        Rule.decimal(ge="0.5", name="price"),
        Decimal("0.49"),
        "invalid_value",
        "price: 0.49 is not at least 0.5",
    ),
    (
        "int_above_inclusive_decimal_bound",
        Rule.decimal(le=10, name="quantity"),
        11,
        "invalid_value",
        "quantity: 11 is not at most 10",
    ),
    (
        "decimal_nan",
        Rule.decimal(name="price"),
        Decimal("NaN"),
        "invalid_value",
        'price: "NaN": not a decimal',
    ),
    (
        "decimal_snan",
        Rule.decimal(name="price"),
        Decimal("sNaN"),
        "invalid_value",
        'price: "sNaN": not a decimal',
    ),
    (
        "decimal_infinity",
        Rule.decimal(name="price"),
        Decimal("Infinity"),
        "invalid_value",
        'price: "Infinity": not a decimal',
    ),
    (
        "decimal_minus_infinity",
        Rule.decimal(name="price"),
        Decimal("-Infinity"),
        "invalid_value",
        'price: "-Infinity": not a decimal',
    ),
    (
        "text_not_a_number",
        Rule.decimal(name="price"),
        "1e-2",
        "invalid_value",
        'price: "1e-2": not a decimal',
    ),
    (
        "decimal_exponent_form_checked_by_value",
        Rule.decimal(lt=100, name="quantity"),
        Decimal("1E+2"),
        "invalid_value",
        "quantity: 100 is not less than 100",
    ),
    (
        "text_for_boolean",
        Rule.boolean(name="flag"),
        "Y",
        "invalid_value",
        "flag: expected a Boolean, not text",
    ),
    (
        "int_for_boolean",
        Rule.boolean(name="flag"),
        1,
        "invalid_value",
        "flag: expected a Boolean, not an integer",
    ),
    (
        "date_for_timestamp",
        Rule.timestamp(name="expire_time"),
        date(2026, 8, 20),
        "invalid_value",
        "expire_time: expected a timestamp, not date",
    ),
    (
        "text_for_timestamp",
        Rule.timestamp(name="expire_time"),
        "20260820-14:30:05.123",
        "invalid_value",
        "expire_time: expected a timestamp, not text",
    ),
]


@pytest.mark.parametrize(
    ("rule", "value", "kind", "reason"),
    [case[1:] for case in VALUE_ERRORS],
    ids=[case[0] for case in VALUE_ERRORS],
)
def test_value_error(
    encoder: fixwire.Encoder, rule: Rule, value: object, kind: str, reason: str
) -> None:
    err = refused(encoder, one_slot(rule), value)
    assert (err.kind, err.reason, err.tag, err.offset) == (kind, reason, 44, None)
    assert str(err) == f"{reason} (tag 44)"
    assert isinstance(err, ValueError)
    # The failed call left nothing behind: the next message is exactly right.
    assert encode(encoder, one_slot(Rule.text()), "ok") == frame(f"{HEADER}44=ok|")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1E+2"), "100"),
        (Decimal("1.5E+1"), "15"),
        (Decimal("5E-1"), "0.5"),
        (Decimal("100"), "100"),
        (100, "100"),
        ("100.0", "100.0"),
    ],
)
def test_exponent_form_is_written_plainly(
    encoder: fixwire.Encoder, value: object, text: str
) -> None:
    template = one_slot(Rule.decimal(gt=0, le=100, name="quantity"))
    assert encode(encoder, template, value) == frame(f"{HEADER}44={text}|")


def test_exponent_form_in_units(encoder: fixwire.Encoder) -> None:
    template = one_slot(Rule.decimal(places=2, in_units=True))
    assert encode(encoder, template, Decimal("1E+2")) == frame(f"{HEADER}44=10000|")
    assert encode(encoder, template, Decimal("5E-2")) == frame(f"{HEADER}44=5|")


def test_zeros_beyond_places_are_dropped(encoder: fixwire.Encoder) -> None:
    template = one_slot(Rule.decimal(places=2))
    assert encode(encoder, template, Decimal("0.5500")) == frame(f"{HEADER}44=0.55|")
    assert encode(encoder, template, "7.000") == frame(f"{HEADER}44=7.00|")
    # Within places, the decimals are kept and the number written plainly.
    assert encode(encoder, template, Decimal("0.50")) == frame(f"{HEADER}44=0.50|")
    assert encode(encoder, template, ".5") == frame(f"{HEADER}44=0.5|")
    assert encode(encoder, template, "010.") == frame(f"{HEADER}44=10|")


@pytest.mark.parametrize("count", [0, 1, 3])
def test_wrong_number_of_values(encoder: fixwire.Encoder, count: int) -> None:
    template = Template("D", [(11, Rule.text()), (40, "2"), (44, Rule.decimal(optional=True))])
    err = refused(encoder, template, *["x"] * count)
    assert err.reason == f"{count} values for a template of 2 slots"
    assert (err.kind, err.tag) == ("invalid_value", None)
    assert encode(encoder, template, "x", None) == frame(f"{HEADER}11=x|40=2|")


def test_values_are_a_tuple(encoder: fixwire.Encoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode_template(one_slot(Rule.text()), ["x"], seq_num=7, sending_time=SENT)  # type: ignore[arg-type]


def test_the_first_broken_slot_is_named(encoder: fixwire.Encoder) -> None:
    values = ("ok", Decimal("0"), Decimal("2"), "9", None, None, None, None, None)
    err = refused(encoder, ORDER, *values)
    assert (err.reason, err.tag) == ("quantity: 0 is not greater than 0", 38)


# Templates that cannot work are refused when made.

HEADER_TAGS = [8, 9, 10, 34, 35, 49, 52, 56]


@pytest.mark.parametrize("tag", HEADER_TAGS)
@pytest.mark.parametrize("entry", ["fixed", "slot"])
def test_header_tags_are_refused(tag: int, entry: str) -> None:
    value: Rule | str = Rule.text(name="x") if entry == "slot" else "1"
    with pytest.raises(fixwire.EncodeError) as info:
        Template("D", [(11, "a"), (tag, value)])
    err = info.value
    assert (err.kind, err.tag) == ("invalid_tag", tag)
    assert (
        err.reason
        == f"tag {tag} is part of the standard header or trailer, which the encoder writes"
    )


TEMPLATE_ERRORS: list[tuple[str, str, list[tuple[int, Any]], str, int, str]] = [
    ("empty_fixed_value", "D", [(40, "")], "empty_value", 40, "value is empty"),
    (
        "soh_in_fixed_value",
        "D",
        [(58, "a\x01b")],
        "soh_in_value",
        58,
        "value contains SOH at byte 1",
    ),
    ("empty_msg_type", "", [], "empty_value", 35, "value is empty"),
    (
        "empty_charset",
        "D",
        [(11, Rule.text(charset="", name="cl_ord_id"))],
        "invalid_value",
        11,
        "cl_ord_id: a text rule must admit at least one byte and a length of at least 1",
    ),
    (
        "charset_of_soh_only",
        "D",
        [(11, Rule.text(charset="\x01"))],
        "invalid_value",
        11,
        "tag 11: a text rule must admit at least one byte and a length of at least 1",
    ),
    (
        "zero_max_length",
        "D",
        [(11, Rule.text(max_length=0))],
        "invalid_value",
        11,
        "tag 11: a text rule must admit at least one byte and a length of at least 1",
    ),
    (
        "empty_choice",
        "D",
        [(54, Rule.choice([], name="side"))],
        "invalid_value",
        54,
        "side: a choice needs at least one value",
    ),
    (
        "empty_choice_value",
        "D",
        [(54, Rule.choice(["1", ""]))],
        "empty_value",
        54,
        "value is empty",
    ),
    (
        "integer_ge_above_le",
        "D",
        [(79, Rule.integer(ge=2, le=1))],
        "invalid_value",
        79,
        "tag 79: the least integer is greater than the greatest",
    ),
    (
        "in_units_without_places",
        "D",
        [(44, Rule.decimal(in_units=True, name="price"))],
        "invalid_value",
        44,
        "price: in_units needs places",
    ),
]


@pytest.mark.parametrize(
    ("msg_type", "fields", "kind", "tag", "reason"),
    [case[1:] for case in TEMPLATE_ERRORS],
    ids=[case[0] for case in TEMPLATE_ERRORS],
)
def test_template_error(
    msg_type: str, fields: list[tuple[int, Any]], kind: str, tag: int, reason: str
) -> None:
    with pytest.raises(fixwire.EncodeError) as info:
        Template(msg_type, fields)
    assert (info.value.kind, info.value.tag, info.value.reason) == (kind, tag, reason)


@pytest.mark.parametrize(
    "fields",
    [
        [(44, 0.5)],
        [(44, b"0.5")],
        [(44, None)],
        [(44, [1])],
        [(44, object())],
        [(44, date(2026, 8, 20))],
        [11],
        [(11,)],
        [(11, "a", "b")],
        [("11", "a")],
        [(True, "a")],
        [(11.0, "a")],
        ["11=a"],
        [None],
        42,
    ],
    ids=[
        "float",
        "bytes",
        "none",
        "list",
        "object",
        "date",
        "bare_tag",
        "one_tuple",
        "triple",
        "str_tag",
        "bool_tag",
        "float_tag",
        "field_is_str",
        "field_is_none",
        "fields_not_iterable",
    ],
)
def test_template_type_error(fields: object) -> None:
    with pytest.raises(TypeError):
        Template("D", fields)  # type: ignore[arg-type]


def test_rule_argument_errors() -> None:
    with pytest.raises(TypeError):
        Rule.choice([True])
    with pytest.raises(TypeError):
        Rule.choice([1.0])  # type: ignore[list-item]
    for bound in [0.5, True, Decimal("NaN"), "abc", 2**64]:
        with pytest.raises(ValueError, match="gt must be"):
            Rule.decimal(gt=bound)  # type: ignore[arg-type]


def test_fixed_values_are_written_as_encode_writes_them(encoder: fixwire.Encoder) -> None:
    fields: list[tuple[int, Any]] = [
        (1, "ACCT"),
        (38, 10),
        (39, -3),
        (44, Decimal("0.7500")),
        (45, Decimal("1E+2")),
        (141, True),
        (8013, False),
    ]
    got = encode(encoder, Template("D", fields))
    assert got == frame(f"{HEADER}1=ACCT|38=10|39=-3|44=0.7500|45=100|141=Y|8013=N|")
    assert got == encoder.encode("D", fields, seq_num=7, sending_time=SENT)


@pytest.mark.parametrize(
    ("fields", "values", "plain"),
    [
        ([(96, Rule.text(name="raw_data"))], ("sig",), "96=sig|"),
        ([(95, Rule.integer())], (3,), "95=3|"),
        ([(95, "3"), (96, Rule.text())], ("sig",), "95=3|96=sig|"),
        ([(93, 3), (89, "sig")], (), "93=3|89=sig|"),
    ],
    ids=["raw_data_slot", "raw_data_length_slot", "raw_data_pair", "signature_pair_fixed"],
)
def test_data_fields_only_without_length_fields(
    fields: list[tuple[int, Any]], values: tuple[Any, ...], plain: str
) -> None:
    template = Template("A", fields)
    standard = fixwire.Encoder("SENDER", "TARGET")
    with pytest.raises(fixwire.EncodeError) as info:
        standard.encode_template(template, values, seq_num=1, sending_time=SENT)
    tag = fields[0][0]
    assert (info.value.kind, info.value.tag) == ("invalid_tag", tag)
    assert (
        info.value.reason
        == f"tag {tag} is a data field or its length, which templates do not write"
    )
    without = fixwire.Encoder("SENDER", "TARGET", length_fields=False)
    got = without.encode_template(template, values, seq_num=1, sending_time=SENT)
    assert got == frame(f"35=A|49=SENDER|56=TARGET|34=1|52=20260820-14:30:05.123|{plain}")


# A failed encoding leaves the encoder and the session as they were.


def test_encoder_usable_after_a_failure_mid_message(encoder: fixwire.Encoder) -> None:
    good = ("ab", Decimal("1"), Decimal("0.5"), "1", None, None, None, None, None)
    first = encode(encoder, ORDER, *good)
    # The first slots were written before the price broke its rule.
    broken = ("ab", Decimal("1"), Decimal("1.5"), "1", 1, SENT, True, 1, "t")
    assert refused(encoder, ORDER, *broken).tag == 44
    assert refused(encoder, ORDER, *good[:3]).tag is None
    assert encode(encoder, ORDER, *good) == first
    plain = encoder.encode("0", [], seq_num=8, sending_time=SENT)
    assert plain == frame("35=0|49=SENDER|56=TARGET|34=8|52=20260820-14:30:05.123|")


def logged_on_session() -> Session:
    """Return an initiator Session logged on to an acceptor Session in memory, with nothing
    left to send and no events pending."""
    initiator = Session(SessionConfig(sender_comp_id="CLIENT", target_comp_id="VENUE"))
    acceptor = Session(
        SessionConfig(sender_comp_id="VENUE", target_comp_id="CLIENT", role=Role.ACCEPTOR)
    )
    initiator.connection_made(NOW)
    acceptor.connection_made(NOW)
    acceptor.receive(initiator.data_to_send(), NOW)
    initiator.receive(acceptor.data_to_send(), NOW)
    assert initiator.logged_on
    assert initiator.data_to_send() == b""
    initiator.next_events()
    return initiator


def test_session_send_with_a_template() -> None:
    session = logged_on_session()
    template = Template("D", [(11, Rule.text(name="cl_ord_id")), (40, "2")])
    seq_num = session.store.next_sender_seq
    assert session.send(template, ("ord-1",), NOW) == seq_num
    wire = session.data_to_send()
    assert wire == frame(
        f"35=D|49=CLIENT|56=VENUE|34={seq_num}|52=20260820-14:30:05.123|11=ord-1|40=2|"
    )
    assert session.store.messages(seq_num, seq_num) == {seq_num: wire}


def test_session_send_with_a_template_before_logon() -> None:
    session = Session(SessionConfig(sender_comp_id="CLIENT", target_comp_id="VENUE"))
    with pytest.raises(fixwire.SessionError):
        session.send(Template("D", [(11, Rule.text())]), ("ord-1",), NOW)


@pytest.mark.parametrize(
    "values",
    [("",), (None,), ("a\x01",), (1.5,), ("a", "b"), ()],
    ids=["empty", "missing", "soh", "float", "too_many", "too_few"],
)
def test_failed_session_send_consumes_nothing(values: tuple[Any, ...]) -> None:
    session = logged_on_session()
    template = Template("D", [(11, Rule.text(name="cl_ord_id")), (40, "2")])
    seq_num = session.store.next_sender_seq
    stored = session.store.messages(1, seq_num + 1)
    with pytest.raises(fixwire.EncodeError):
        session.send(template, values, NOW)
    assert session.store.next_sender_seq == seq_num
    assert session.store.messages(1, seq_num + 1) == stored
    assert session.data_to_send() == b""
    assert session.next_events() == []
    assert session.send(template, ("ord-1",), NOW) == seq_num
    assert fixwire.parse(session.data_to_send()).get_int(34) == seq_num


# Kalshi's NewOrderSingle: whole cents unless UseDollars.


def kalshi_order(price: object) -> tuple[Any, ...]:
    """The values of Kalshi's new-order template for a 10-lot GTC Yes bid at ``price``."""
    return (
        "ord-1",
        10,
        price,
        "yes",
        "KXHIGHNY-26AUG20-B80",
        "gtc",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


KALSHI_BODY = "11=ord-1|38=10|40=2|44={}|54=1|55=KXHIGHNY-26AUG20-B80|59=1|"


@pytest.mark.parametrize(
    ("price", "text"),
    [(Decimal("0.55"), "55"), (Decimal("0.5500"), "55"), (Decimal("0.07"), "7"), ("0.99", "99")],
)
def test_kalshi_cents(encoder: fixwire.Encoder, price: object, text: str) -> None:
    got = encode(encoder, new_order_template(False), *kalshi_order(price))
    assert got == frame(HEADER + KALSHI_BODY.format(text))


@pytest.mark.parametrize(
    ("price", "problem"),
    [
        (Decimal("0.425"), "0.425 has more than 2 decimals"),
        (Decimal("1.00"), "1.00 is not less than 1"),
        (Decimal("0"), "0 is not greater than 0"),
    ],
)
def test_kalshi_cents_refused(encoder: fixwire.Encoder, price: object, problem: str) -> None:
    err = refused(encoder, new_order_template(False), *kalshi_order(price))
    assert err.tag == 44
    assert err.reason == f"price (whole cents: UseDollars is off): {problem}"
    assert "whole cents" in str(err)


def test_kalshi_dollars(encoder: fixwire.Encoder) -> None:
    dollars = new_order_template(True)
    got = encode(encoder, dollars, *kalshi_order(Decimal("0.4250")))
    assert got == frame(HEADER + KALSHI_BODY.format("0.4250"))
    err = refused(encoder, dollars, *kalshi_order(Decimal("0.42505")))
    assert (err.tag, err.reason) == (44, "price: 0.42505 has more than 4 decimals")


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")], ids=repr)
def test_a_fixed_decimal_that_is_not_a_number_is_refused(value: Decimal) -> None:
    with pytest.raises(fixwire.EncodeError, match="is not a FIX number") as caught:
        Template("D", [(44, value)])
    assert caught.value.tag == 44


def test_a_charset_is_ascii() -> None:
    # The rule checks bytes; beyond ASCII, the bytes of two characters could spell a third.
    with pytest.raises(fixwire.EncodeError, match="ASCII characters only"):
        Template("D", [(58, Rule.text(charset="éĂ"))])


@pytest.mark.parametrize("in_units", [False, True])
def test_places_beyond_18_are_refused_when_the_template_is_made(in_units: bool) -> None:
    with pytest.raises(fixwire.EncodeError, match="places must be at most 18"):
        Template("D", [(44, Rule.decimal(places=19, in_units=in_units))])


def test_a_choice_int_fits_in_64_bits() -> None:
    with pytest.raises(ValueError, match="64 bits"):
        Rule.choice([2**64])


def test_a_rule_repr_is_short() -> None:
    text = repr(Rule.text(name="symbol", optional=True))
    assert text.startswith('<Rule "symbol" optional Text')
    assert "ByteSet(255 bytes)" in text
    assert len(text) < 100


def test_a_huge_exponent_is_refused_without_writing_it_out(encoder: fixwire.Encoder) -> None:
    template = one_slot(Rule.decimal(name="quantity"))
    err = refused(encoder, template, Decimal("1E+100000000"))
    assert err.reason == 'quantity: "1E+100000000": not a decimal'
    with pytest.raises(fixwire.EncodeError, match="not a decimal"):
        encoder.encode("D", [(38, Decimal("-1E-100000000"))], seq_num=1)


def test_errors_show_at_most_40_characters(encoder: fixwire.Encoder) -> None:
    err = refused(encoder, one_slot(Rule.choice(["a"], name="side")), "b" * 1000)
    assert err.reason == f'side: "{"b" * 40}..." is not one of "a"'


def test_trailing_zeros_make_no_number_too_long(encoder: fixwire.Encoder) -> None:
    template = one_slot(Rule.decimal(places=2))
    assert encode(encoder, template, "10.000000000000000000") == frame(f"{HEADER}44=10|")


def test_decimal_bounds_that_admit_nothing_are_refused() -> None:
    for rule in [Rule.decimal(ge=2, le=1), Rule.decimal(gt=1, lt=1), Rule.decimal(gt=1, le=1)]:
        with pytest.raises(fixwire.EncodeError, match="the bounds admit no value"):
            Template("D", [(44, rule)])


def test_rule_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="not one str"):
        Rule.choice("yes")
    with pytest.raises(ValueError, match="places must be 0 to 18, not 300"):
        Rule.decimal(places=300)
    assert repr(Rule.choice({"yes": "1"}, name="side")) == '<Rule "side" OneOf(["yes"="1"])>'


def test_an_int_too_long_to_print_is_refused_by_name(encoder: fixwire.Encoder) -> None:
    err = refused(encoder, one_slot(Rule.integer(name="n")), 10**5000)
    assert err.reason == "n: an integer of over 4,300 digits does not fit in 64 bits"


def test_kalshi_replace_leaves_an_unchanged_price_out(encoder: fixwire.Encoder) -> None:
    replace = replace_template(False)
    same_price = ("ord-2", "B-1", Decimal("5"), "ord-1", None, "no", "KXHIGHNY-26AUG20-B80")
    body = "11=ord-2|37=B-1|38=5|40=2|41=ord-1|54=2|55=KXHIGHNY-26AUG20-B80|"
    assert encode(encoder, replace, *same_price) == frame(HEADER.replace("35=D", "35=G") + body)
    new_price = ("ord-3", None, 5, "ord-2", Decimal("0.42"), "no", "KXHIGHNY-26AUG20-B80")
    body = "11=ord-3|38=5|40=2|41=ord-2|44=42|54=2|55=KXHIGHNY-26AUG20-B80|"
    assert encode(encoder, replace, *new_price) == frame(HEADER.replace("35=D", "35=G") + body)
    too_fine = ("ord-4", None, 5, "ord-3", Decimal("0.425"), "no", "KXHIGHNY-26AUG20-B80")
    assert "whole cents" in refused(encoder, replace, *too_fine).reason


def test_kalshi_cancel_names_the_request_id(encoder: fixwire.Encoder) -> None:
    err = refused(encoder, cancel_template(), "bad id", "ord-1", None, "yes", "KXHIGHNY")
    assert err.reason.startswith('new_cl_ord_id: "bad id" holds a byte not allowed here (0x20)')
