"""Every rule of fixwire.Template held to a plain-Python reference: each accepts exactly what the
reference accepts, and writes what the reference writes.

The references decide from the values alone (Python's own Decimal, int and str), never by
calling fixwire, so a rule that accepts or refuses the wrong value fails here.
"""

import string
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixwire
from fixtext import ENCODE_KINDS
from fixwire import Rule
from template_cases import (
    FIX_FLOAT,
    I64,
    SETTINGS,
    TEXT_CHARS,
    encode,
    one_slot,
)

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
    # Zeros after the point change nothing: dropped past 18 decimals, and where the digits with
    # them would not fit in 64 bits (1250000000000000000.0 is written 1250000000000000000).
    while (scale > 18 or mantissa not in I64) and scale > 0 and mantissa % 10 == 0:
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
