"""fixwire.Encoder: exact bytes for every value type, groups, data fields, and every error case."""

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

import pytest

import fixwire
from fixtext import frame

SENT = datetime(2026, 8, 20, 14, 30, 5, 123456, tzinfo=UTC)
HEADER = "35=D|49=SENDER|56=TARGET|34=7|52=20260820-14:30:05.123|"


class Tag(IntEnum):
    """Tags as an enum, as some users name them."""

    CL_ORD_ID = 11


class Price(Decimal):
    """A Decimal subclass as a value."""


class Side(StrEnum):
    """A str subclass as a value."""

    BUY = "1"


def encode_d(encoder: fixwire.Encoder, fields: Sequence[tuple[int, object]]) -> bytes:
    """Encode a NewOrderSingle with ``fields`` at seq 7, sent at SENT."""
    return encoder.encode("D", fields, seq_num=7, sending_time=SENT)  # type: ignore[arg-type]


def test_encode_new_order_single_exact_bytes(encoder: fixwire.Encoder) -> None:
    data = encode_d(
        encoder,
        [
            (11, "7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a"),
            (38, 10),
            (40, "2"),
            (54, "1"),
            (55, "HIGHNY-23DEC31"),
            (44, 75),
            (59, "1"),
        ],
    )
    expected = frame(
        HEADER + "11=7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a|38=10|40=2|54=1|55=HIGHNY-23DEC31|"
        "44=75|59=1|"
    )
    assert data == expected
    assert type(data) is bytes


def test_encode_accepts_every_call_form_its_signature_allows(encoder: fixwire.Encoder) -> None:
    # The usual call shape has a fast entry; every other shape goes to the full method.
    fields = [(11, "id-1")]
    expected = encode_d(encoder, fields)
    assert encoder.encode("D", fields, sending_time=SENT, seq_num=7) == expected
    assert encoder.encode(msg_type="D", fields=fields, seq_num=7, sending_time=SENT) == expected
    assert fixwire.parse(encoder.encode("D", fields, seq_num=Tag.CL_ORD_ID)).seq_num == 11
    with pytest.raises(TypeError, match="missing 1 required keyword argument: 'seq_num'"):
        encoder.encode("D", fields)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'seq'"):
        encoder.encode("D", fields, seq_num=7, seq=7)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'fields'"):
        encoder.encode("D", fields, fields=fields, seq_num=7)  # type: ignore[misc]
    with pytest.raises(TypeError):
        encoder.encode(b"D", fields, seq_num=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fixwire.Encoder.encode(object(), "D", fields, seq_num=7)  # type: ignore[arg-type]
    with pytest.raises(fixwire.EncodeError) as info:
        encoder.encode("D", [(11, "a\x01b")], seq_num=7)
    assert info.value.tag == 11


def test_encode_without_fields(encoder: fixwire.Encoder) -> None:
    data = encoder.encode("0", [], seq_num=1, sending_time=SENT)
    assert data == frame("35=0|49=SENDER|56=TARGET|34=1|52=20260820-14:30:05.123|")


def test_encode_accepts_a_tuple_of_fields(encoder: fixwire.Encoder) -> None:
    data = encoder.encode("1", ((112, "PING"),), seq_num=2, sending_time=SENT)
    assert fixwire.parse(data)[112] == "PING"


VALUE_CASES: list[tuple[str, object, str]] = [
    ("str", "HIGHNY-23DEC31", "HIGHNY-23DEC31"),
    ("str_utf8", "Ordre refusé «x» — ok", "Ordre refusé «x» — ok"),
    ("str_with_equals", "a=b=c", "a=b=c"),
    ("int", 42, "42"),
    ("int_zero", 0, "0"),
    ("int_negative", -1, "-1"),
    ("int_one_digit_max", 2**30 - 1, "1073741823"),
    ("int_two_digits", 2**30, "1073741824"),
    ("int_one_digit_min", -(2**30 - 1), "-1073741823"),
    ("int_two_digits_negative", -(2**30), "-1073741824"),
    ("int_i64_max", 2**63 - 1, "9223372036854775807"),
    ("int_i64_min", -(2**63), "-9223372036854775808"),
    ("int_u64_max", 2**64 - 1, "18446744073709551615"),
    ("int_subclass", Tag.CL_ORD_ID, "11"),
    ("str_subclass", Side("1"), "1"),
    ("decimal", Decimal("0.7500"), "0.7500"),
    ("decimal_integral", Decimal("100"), "100"),
    ("decimal_negative", Decimal("-16.8000"), "-16.8000"),
    ("decimal_trailing_zeros", Decimal("100.00"), "100.00"),
    ("decimal_positive_exponent", Decimal("1E+2"), "100"),
    ("decimal_small", Decimal("1E-7"), "0.0000001"),
    ("decimal_zero_scaled", Decimal("0E-4"), "0.0000"),
    ("decimal_long", Decimal("12345678901234567890.123456789"), "12345678901234567890.123456789"),
    ("decimal_tenth", Decimal("0.1"), "0.1"),
    # Read in place up to 19 digits and six zeros after the point; beyond, through str().
    ("decimal_19_digits", Decimal("-1.000000000000000001"), "-1.000000000000000001"),
    ("decimal_20_digits", Decimal("0.12345678901234567890"), "0.12345678901234567890"),
    ("decimal_six_zeros", Decimal("0.0000012"), "0.0000012"),
    ("decimal_seven_zeros", Decimal("0.00000012"), "0.00000012"),
    ("decimal_negative_zero", Decimal("-0.00"), "-0.00"),
    ("decimal_subclass", Price("0.55"), "0.55"),
    ("bool_true", True, "Y"),
    ("bool_false", False, "N"),
    ("bytes", b"raw value", "raw value"),
    ("datetime", datetime(2026, 8, 20, 14, 30, 5, 987654, tzinfo=UTC), "20260820-14:30:05.987"),
    ("datetime_naive_is_utc", datetime(2026, 8, 20, 14, 30, 5, 1000), "20260820-14:30:05.001"),
    ("date", date(2023, 12, 31), "20231231"),
    ("date_padding", date(987, 6, 5), "09870605"),
]


@pytest.mark.parametrize(
    ("value", "text"),
    [case[1:] for case in VALUE_CASES],
    ids=[case[0] for case in VALUE_CASES],
)
def test_encode_value_types(encoder: fixwire.Encoder, value: object, text: str) -> None:
    data = encode_d(encoder, [(5000, value)])
    assert data == frame(f"{HEADER}5000={text}|")


def test_fields_may_be_any_iterable_and_tags_int_subclasses(encoder: fixwire.Encoder) -> None:
    pairs = ((Tag.CL_ORD_ID, "a"), (38, 5))
    from_iterator = encoder.encode("D", iter(pairs), seq_num=7, sending_time=SENT)
    assert from_iterator == frame(f"{HEADER}11=a|38=5|")
    assert encode_d(encoder, list(pairs)) == encode_d(encoder, pairs) == from_iterator


def test_a_value_that_empties_the_list_mid_encode_ends_it_cleanly(encoder: fixwire.Encoder) -> None:
    class Emptying(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            fields.clear()
            return timedelta(0)

        def dst(self, dt: datetime | None) -> timedelta:
            return timedelta(0)

        def tzname(self, dt: datetime | None) -> str:
            return "emptying"

    fields: list[tuple[int, object]] = [(60, datetime(2026, 8, 20, tzinfo=Emptying())), (11, "a")]
    assert encode_d(encoder, fields) == frame(f"{HEADER}60=20260820-00:00:00.000|")


def test_bool_is_not_written_as_an_int(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(141, True), (8013, False)])
    assert b"\x01141=Y\x01" in data
    assert b"\x018013=N\x01" in data


def test_datetime_is_not_written_as_a_date(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(60, datetime(2026, 8, 20, 0, 0, tzinfo=UTC))])
    assert b"\x0160=20260820-00:00:00.000\x01" in data


def test_aware_datetime_is_converted_to_utc(encoder: fixwire.Encoder) -> None:
    eastern = timezone(timedelta(hours=-4))
    local = datetime(2026, 8, 20, 10, 30, 5, 123000, tzinfo=eastern)
    data = encoder.encode("0", [(60, local)], seq_num=1, sending_time=local)
    msg = fixwire.parse(data)
    assert msg[52] == "20260820-14:30:05.123"
    assert msg[60] == "20260820-14:30:05.123"


@pytest.mark.parametrize(
    ("precision", "text"),
    [
        ("s", "20260820-14:30:05"),
        ("ms", "20260820-14:30:05.123"),
        ("us", "20260820-14:30:05.123456"),
        ("ns", "20260820-14:30:05.123456000"),
    ],
)
def test_time_precision(precision: str, text: str) -> None:
    encoder = fixwire.Encoder("S", "T", time_precision=precision)
    data = encoder.encode("0", [(60, SENT)], seq_num=1, sending_time=SENT)
    msg = fixwire.parse(data)
    assert msg[52] == text
    assert msg[60] == text
    micros = {"s": 0, "ms": 123000, "us": 123456, "ns": 123456}[precision]
    assert msg.get_time(52) == SENT.replace(microsecond=micros)


def test_sending_time_defaults_to_now() -> None:
    encoder = fixwire.Encoder("S", "T")
    before = datetime.now(UTC)
    msg = fixwire.parse(encoder.encode("0", [], seq_num=1))
    after = datetime.now(UTC)
    sent = msg.get_time(52)
    assert sent is not None
    assert before - timedelta(milliseconds=1) <= sent <= after
    assert len(msg[52]) == len("20260820-14:30:05.123")


def test_begin_string_and_attributes() -> None:
    encoder = fixwire.Encoder("CLIENT1", "BROKER", begin_string="FIX.4.4")
    assert encoder.sender_comp_id == "CLIENT1"
    assert encoder.target_comp_id == "BROKER"
    assert encoder.begin_string == "FIX.4.4"
    data = encoder.encode("0", [], seq_num=3, sending_time=SENT)
    assert data == frame("35=0|49=CLIENT1|56=BROKER|34=3|52=20260820-14:30:05.123|", "FIX.4.4")


def test_default_begin_string_is_fixt() -> None:
    assert fixwire.Encoder("S", "T").begin_string == "FIXT.1.1"


def test_fields_keep_the_given_order_and_repeats(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(55, "B"), (11, "x"), (55, "A")])
    assert data == frame(f"{HEADER}55=B|11=x|55=A|")


def test_multi_character_msg_type(encoder: fixwire.Encoder) -> None:
    data = encoder.encode("UOG", [(20131, 1), (20132, 5000)], seq_num=6, sending_time=SENT)
    assert data == frame(
        "35=UOG|49=SENDER|56=TARGET|34=6|52=20260820-14:30:05.123|20131=1|20132=5000|"
    )


def test_encoded_message_parses_back(encoder: fixwire.Encoder) -> None:
    fields: list[tuple[int, object]] = [
        (11, "id-1"),
        (38, Decimal("12.50")),
        (44, Decimal("0.7250")),
        (21006, True),
        (126, SENT),
        (715, date(2023, 12, 31)),
    ]
    msg = fixwire.parse(encode_d(encoder, fields))
    assert msg.msg_type == "D"
    assert msg.seq_num == 7
    assert msg[49] == "SENDER"
    assert msg.get_decimal(38) == Decimal("12.50")
    assert msg.get_bool(21006) is True
    assert msg.get_time(126) == SENT.replace(microsecond=123000)
    assert msg.get_date(715) == date(2023, 12, 31)


# Repeating groups and data fields.


def test_group_with_one_entry(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(11, "a"), (453, [[(448, "abc"), (452, 24)]]), (38, 1)])
    assert data == frame(f"{HEADER}11=a|453=1|448=abc|452=24|38=1|")


def test_group_with_two_entries(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(453, [[(448, "p1"), (452, 24)], [(448, "p2"), (452, 3)]])])
    assert data == frame(f"{HEADER}453=2|448=p1|452=24|448=p2|452=3|")


def test_nested_groups(encoder: fixwire.Encoder) -> None:
    party: list[tuple[int, Any]] = [
        (20109, "user-456"),
        (20110, 24),
        (704, 100),
        (705, 0),
        (1703, [[(1704, Decimal("100.00")), (1705, "PAYOUT")]]),
        (136, [[(137, Decimal("0.00")), (138, "USD"), (139, "4"), (891, 0)]]),
    ]
    data = encoder.encode(
        "UMS",
        [(20105, "settle-123"), (20108, [party]), (893, True)],
        seq_num=2,
        sending_time=SENT,
    )
    expected = frame(
        "35=UMS|49=SENDER|56=TARGET|34=2|52=20260820-14:30:05.123|20105=settle-123|"
        "20108=1|20109=user-456|20110=24|704=100|705=0|1703=1|1704=100.00|1705=PAYOUT|"
        "136=1|137=0.00|138=USD|139=4|891=0|893=Y|"
    )
    assert data == expected
    msg = fixwire.parse(data, groups=fixwire.GroupSpecs.kalshi())
    assert msg.group(20108)[0].group(1703)[0][1705] == "PAYOUT"


def test_group_entries_may_be_tuples(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(453, (((448, "abc"), (452, 24)),))])
    assert data == frame(f"{HEADER}453=1|448=abc|452=24|")


@pytest.mark.parametrize(
    ("length_tag", "data_tag"),
    [(95, 96), (93, 89), (90, 91), (212, 213), (354, 355)],
)
def test_data_field_writes_its_length_first(
    encoder: fixwire.Encoder, length_tag: int, data_tag: int
) -> None:
    value = b"pss\x01sha256\x01=\x00\xff"
    data = encode_d(encoder, [(data_tag, value)])
    assert data == frame(
        HEADER.encode() + b"%d=%d|%d=" % (length_tag, len(value), data_tag) + value + b"|"
    )
    assert fixwire.parse(data).get_bytes(data_tag) == value


def test_data_fields_without_their_length() -> None:
    """``length_fields=False``: RawData <96> alone, as plain text; SOH in it is then refused."""
    encoder = fixwire.Encoder("S", "T", length_fields=False)
    data = encoder.encode("A", [(98, 0), (96, b"c2ln+/=")], seq_num=1, sending_time=SENT)
    assert data == frame("35=A|49=S|56=T|34=1|52=20260820-14:30:05.123|98=0|96=c2ln+/=|")
    with pytest.raises(fixwire.EncodeError) as info:
        encoder.encode("A", [(96, b"a\x01b")], seq_num=1, sending_time=SENT)
    assert (info.value.kind, info.value.tag) == ("soh_in_value", 96)


def test_logon_with_signed_raw_data_round_trips() -> None:
    encoder = fixwire.Encoder("8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10", "KalshiNR")
    signature = b"sig|with|soh|10=000|".replace(b"|", b"\x01")
    data = encoder.encode(
        "A",
        [(98, 0), (108, 30), (96, signature), (141, True), (1137, "9")],
        seq_num=1,
        sending_time=SENT,
    )
    msg = fixwire.parse(data)
    assert msg.get_bytes(96) == signature
    assert msg.get_int(95) == len(signature)
    assert msg.get_bool(141) is True
    assert [tag for tag, _ in msg] == [8, 9, 35, 49, 56, 34, 52, 98, 108, 95, 96, 141, 1137, 10]


def test_body_length_and_checksum_count_utf8_bytes(encoder: fixwire.Encoder) -> None:
    data = encode_d(encoder, [(58, "é" * 10)])
    body = data[data.index(b"35=") : data.rindex(b"10=")]
    assert b"\x019=%d\x01" % len(body) in data
    assert fixwire.parse(data)[58] == "é" * 10


# Errors: raised before anything is returned, and the encoder stays usable.

ENCODE_ERRORS: list[tuple[str, list[tuple[int, object]], str, int | None]] = [
    ("tag_zero", [(0, "x")], "invalid_tag", None),
    ("tag_negative", [(-5, "x")], "invalid_tag", None),
    ("empty_str", [(58, "")], "empty_value", 58),
    ("empty_bytes", [(58, b"")], "empty_value", 58),
    ("empty_data", [(96, b"")], "empty_value", 96),
    ("soh_in_str", [(58, "a\x01b")], "soh_in_value", 58),
    ("soh_in_bytes", [(58, b"a\x01b")], "soh_in_value", 58),
    ("soh_at_end", [(11, "abc\x01")], "soh_in_value", 11),
    ("decimal_nan", [(44, Decimal("NaN"))], "invalid_value", 44),
    ("decimal_snan", [(44, Decimal("sNaN"))], "invalid_value", 44),
    ("decimal_infinity", [(44, Decimal("Infinity"))], "invalid_value", 44),
    ("decimal_negative_infinity", [(44, Decimal("-Infinity"))], "invalid_value", 44),
    ("tag_zero_in_group", [(453, [[(0, "x")]])], "invalid_tag", None),
    ("empty_in_group", [(453, [[(448, "")]])], "empty_value", 448),
    (
        "soh_in_nested_group",
        [(20108, [[(20109, "u"), (1703, [[(1705, "P\x01")]])]])],
        "soh_in_value",
        1705,
    ),
    ("error_after_good_fields", [(11, "ok"), (38, 1), (58, "")], "empty_value", 58),
]


@pytest.mark.parametrize(
    ("fields", "kind", "tag"),
    [case[1:] for case in ENCODE_ERRORS],
    ids=[case[0] for case in ENCODE_ERRORS],
)
def test_encode_error(
    encoder: fixwire.Encoder, fields: list[tuple[int, object]], kind: str, tag: int | None
) -> None:
    with pytest.raises(fixwire.EncodeError) as info:
        encode_d(encoder, fields)
    err = info.value
    assert err.kind == kind
    assert err.offset is None
    if tag is not None:
        assert err.tag == tag
    # The failed call left nothing behind: the next message is exactly right.
    assert encode_d(encoder, [(11, "a")]) == frame(f"{HEADER}11=a|")


TYPE_ERRORS: list[tuple[str, object]] = [
    ("float", [(44, 0.75)]),
    ("float_in_group", [(453, [[(448, "p"), (452, 24.0)]])]),
    ("none", [(58, None)]),
    ("object", [(58, object())]),
    ("dict", [(58, {"a": 1})]),
    ("str_tag", [("58", "x")]),
    ("bool_tag", [(True, "x")]),
    ("float_tag", [(58.0, "x")]),
    ("not_a_pair", [(58,)]),
    ("triple", [(58, "x", "y")]),
    ("field_is_str", ["58=x"]),
    ("fields_not_iterable", 42),
    ("group_entry_not_a_list", [(453, ["448=x"])]),
    ("group_member_not_a_pair", [(453, [[448]])]),
]


@pytest.mark.parametrize(
    "fields", [case[1] for case in TYPE_ERRORS], ids=[case[0] for case in TYPE_ERRORS]
)
def test_encode_type_error(encoder: fixwire.Encoder, fields: object) -> None:
    with pytest.raises(TypeError):
        encoder.encode("D", fields, seq_num=7, sending_time=SENT)  # type: ignore[arg-type]
    assert encode_d(encoder, [(11, "a")]) == frame(f"{HEADER}11=a|")


def test_float_is_rejected_even_when_exact(encoder: fixwire.Encoder) -> None:
    with pytest.raises(TypeError):
        encode_d(encoder, [(38, 10.0)])


@pytest.mark.parametrize(("msg_type", "kind"), [("", "empty_value"), ("D\x01", "soh_in_value")])
def test_bad_msg_type(encoder: fixwire.Encoder, msg_type: str, kind: str) -> None:
    with pytest.raises(fixwire.EncodeError) as info:
        encoder.encode(msg_type, [], seq_num=1, sending_time=SENT)
    assert info.value.kind == kind


def test_negative_seq_num_is_invalid_value(encoder: fixwire.Encoder) -> None:
    with pytest.raises(fixwire.EncodeError) as info:
        encoder.encode("0", [], seq_num=-1, sending_time=SENT)
    assert info.value.kind == "invalid_value"


def test_sending_time_must_be_a_datetime(encoder: fixwire.Encoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode("0", [], seq_num=1, sending_time="20260820-14:30:05.123")  # type: ignore[arg-type]


@pytest.mark.parametrize("precision", ["ms", "us"])
def test_sending_time_as_float_seconds(precision: str) -> None:
    """time.time() seconds, rounded to the microsecond: the same message as the same instant
    given as a datetime or as int nanoseconds, from a float a little below it too.
    """
    encoder = fixwire.Encoder("S", "T", time_precision=precision)
    seconds = math.nextafter(SENT.timestamp(), 0)  # the float just below the instant
    nanos = 1_787_236_205_123_456_000
    assert int(seconds * 1e6) * 1000 < nanos  # truncated, it would fall a microsecond short
    as_float = encoder.encode("0", [], seq_num=1, sending_time=seconds)
    as_nanos = encoder.encode("0", [], seq_num=1, sending_time=nanos)
    assert as_float == as_nanos == encoder.encode("0", [], seq_num=1, sending_time=SENT)


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), 1e300, -1e300])
def test_sending_time_float_out_of_range(encoder: fixwire.Encoder, seconds: float) -> None:
    with pytest.raises(fixwire.EncodeError) as info:
        encoder.encode("0", [], seq_num=1, sending_time=seconds)
    assert info.value.tag == 52


def test_seq_num_is_keyword_only(encoder: fixwire.Encoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode("0", [], 1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("sender", "target", "begin_string", "kind", "tag"),
    [
        ("A\x01B", "T", "FIXT.1.1", "soh_in_value", 49),
        ("", "T", "FIXT.1.1", "empty_value", 49),
        ("S", "T\x01", "FIXT.1.1", "soh_in_value", 56),
        ("S", "", "FIXT.1.1", "empty_value", 56),
        ("S", "T", "FIX\x014.4", "soh_in_value", 8),
    ],
)
def test_bad_header_values(
    sender: str, target: str, begin_string: str, kind: str, tag: int
) -> None:
    # Raised by the constructor or by the first encode; either way before any bytes exist.
    with pytest.raises(fixwire.EncodeError) as info:
        fixwire.Encoder(sender, target, begin_string=begin_string).encode("0", [], seq_num=1)
    assert info.value.kind == kind
    assert info.value.tag == tag


def test_body_too_large_for_body_length_is_too_large(encoder: fixwire.Encoder) -> None:
    with pytest.raises(fixwire.EncodeError) as info:
        encode_d(encoder, [(58, "x" * 10_000_000)])
    assert info.value.kind == "too_large"


def test_unknown_time_precision_is_rejected() -> None:
    with pytest.raises(ValueError, match="precision"):
        fixwire.Encoder("S", "T", time_precision="minutes")


def test_data_length_tags_are_written_by_the_encoder() -> None:
    enc = fixwire.Encoder("S", "T")
    with pytest.raises(fixwire.EncodeError) as caught:
        enc.encode("A", [(95, 3), (96, b"a\x01b")], seq_num=1)
    assert caught.value.tag == 95
    wire = enc.encode("A", [(96, b"a\x01b")], seq_num=1)
    assert wire.count(b"\x0195=3\x01") == 1


def test_values_the_parser_could_not_read_back_are_refused() -> None:
    enc = fixwire.Encoder("S", "T")
    with pytest.raises(fixwire.EncodeError) as caught:
        enc.encode("D", [(1_000_000_000, "x")], seq_num=1)
    assert caught.value.kind == "invalid_tag"
    with pytest.raises(fixwire.EncodeError):
        fixwire.Encoder("S", "T", begin_string="FIX.4.4.EXTENDED.VERSION.X")
