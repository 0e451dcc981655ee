"""fixwire.Template and Encoder.encode_template: the bytes Encoder.encode would write, every rule
held to a plain-Python reference, errors that name the slot, and the templates that
Session.send and the Kalshi client send through.

The references below decide from the values alone (Python's own Decimal, int and str), never by
calling fixwire, so a rule that accepts or refuses the wrong value fails here.
"""

from datetime import UTC, date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fixwire
from fixtext import frame
from fixwire import Rule, Template
from fixwire.kalshi.rules import cancel_template, new_order_template, replace_template
from fixwire.session import Role, Session, SessionConfig
from template_cases import (
    HEADER,
    ID_CHARS,
    NOW,
    ORDER,
    ORDER_FIXED,
    ORDER_SLOTS,
    ORDER_TAGS,
    SENT,
    SETTINGS,
    TEXT_CHARS,
    decimals,
    encode,
    one_slot,
    optional,
    refused,
)

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


def test_keywords_in_either_order_and_only_the_two(encoder: fixwire.Encoder) -> None:
    template = one_slot(Rule.text())
    expected = encoder.encode_template(template, ("x",), seq_num=7, sending_time=SENT)
    assert encoder.encode_template(template, ("x",), sending_time=SENT, seq_num=7) == expected
    with pytest.raises(TypeError, match="missing 1 required keyword argument: 'seq_num'"):
        encoder.encode_template(template, ("x",))  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        encoder.encode_template(template=template, values=("x",), seq_num=7)  # type: ignore[call-arg]


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
    left to send and no events pending.
    """
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
