"""fixwire.Message: lookups, typed getters (table-driven), iteration, identity and equality."""

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum

import pytest

import fixwire
from fixtext import build, frame

# One message holding a value of every type; each row of the tables below reads one tag.
TYPED = build(
    "8",
    "5001=42|5002=-7|5003=007|5004=9223372036854775807|5005=-9223372036854775808|5006=0|"
    "5101=0.7500|5102=100.00|5103=-16.8000|5104=0|5105=12345678901234567890.123456789|"
    "5106=-0.0030|5107=0.1|5108=42|"
    "5201=Y|5202=N|"
    "5301=2|5302=A|"
    "5401=20260820-14:30:05|5402=20260820-14:30:05.123|5403=20260820-14:30:05.123456|"
    "5404=20260820-14:30:05.123456789|5405=20261231-23:59:59.999999999|5406=19700101-00:00:00|"
    "5407=20240229-00:00:00.001|"
    "5501=20231231|5502=20240229|"
    "58=Undefined tag received|",
    seq=7,
)

EPOCH_20260820_143005 = calendar.timegm((2026, 8, 20, 14, 30, 5))
EPOCH_20261231_235959 = calendar.timegm((2026, 12, 31, 23, 59, 59))

GETTER_CASES: list[tuple[str, int, object]] = [
    ("get_int", 5001, 42),
    ("get_int", 5002, -7),
    ("get_int", 5003, 7),
    ("get_int", 5004, 2**63 - 1),
    ("get_int", 5005, -(2**63)),
    ("get_int", 5006, 0),
    ("get_int", 34, 7),
    ("get_decimal", 5101, Decimal("0.7500")),
    ("get_decimal", 5102, Decimal("100.00")),
    ("get_decimal", 5103, Decimal("-16.8000")),
    ("get_decimal", 5104, Decimal("0")),
    ("get_decimal", 5105, Decimal("12345678901234567890.123456789")),
    ("get_decimal", 5106, Decimal("-0.0030")),
    ("get_decimal", 5107, Decimal("0.1")),
    ("get_decimal", 5108, Decimal("42")),
    ("get_bool", 5201, True),
    ("get_bool", 5202, False),
    ("get_char", 5301, "2"),
    ("get_char", 5302, "A"),
    ("get_char", 35, "8"),
    ("get_time", 5401, datetime(2026, 8, 20, 14, 30, 5, tzinfo=UTC)),
    ("get_time", 5402, datetime(2026, 8, 20, 14, 30, 5, 123000, tzinfo=UTC)),
    ("get_time", 5403, datetime(2026, 8, 20, 14, 30, 5, 123456, tzinfo=UTC)),
    ("get_time", 5404, datetime(2026, 8, 20, 14, 30, 5, 123456, tzinfo=UTC)),
    ("get_time", 5405, datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("get_time", 5406, datetime(1970, 1, 1, tzinfo=UTC)),
    ("get_time", 5407, datetime(2024, 2, 29, 0, 0, 0, 1000, tzinfo=UTC)),
    ("get_time", 52, datetime(2026, 8, 20, 14, 30, 5, 123000, tzinfo=UTC)),
    ("get_time_ns", 5401, EPOCH_20260820_143005 * 10**9),
    ("get_time_ns", 5402, EPOCH_20260820_143005 * 10**9 + 123_000_000),
    ("get_time_ns", 5403, EPOCH_20260820_143005 * 10**9 + 123_456_000),
    ("get_time_ns", 5404, EPOCH_20260820_143005 * 10**9 + 123_456_789),
    ("get_time_ns", 5405, EPOCH_20261231_235959 * 10**9 + 999_999_999),
    ("get_time_ns", 5406, 0),
    ("get_date", 5501, date(2023, 12, 31)),
    ("get_date", 5502, date(2024, 2, 29)),
    ("get_bytes", 5101, b"0.7500"),
    ("get_bytes", 58, b"Undefined tag received"),
    ("get", 5003, "007"),
    ("get", 5101, "0.7500"),
]


@pytest.fixture(scope="module")
def typed() -> fixwire.Message:
    """The message holding one value of every type."""
    return fixwire.parse(TYPED)


@pytest.mark.parametrize(("getter", "tag", "expected"), GETTER_CASES)
def test_getter_reads_value(
    typed: fixwire.Message, getter: str, tag: int, expected: object
) -> None:
    value = getattr(typed, getter)(tag)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("tag", "text"),
    [(5101, "0.7500"), (5102, "100.00"), (5103, "-16.8000"), (5106, "-0.0030")],
)
def test_get_decimal_keeps_the_written_scale(typed: fixwire.Message, tag: int, text: str) -> None:
    value = typed.get_decimal(tag)
    assert str(value) == text


def test_get_time_is_utc_aware(typed: fixwire.Message) -> None:
    value = typed.get_time(5402)
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


GETTERS = [
    "get",
    "get_int",
    "get_decimal",
    "get_bytes",
    "get_bool",
    "get_char",
    "get_time",
    "get_time_ns",
    "get_date",
]


@pytest.mark.parametrize("getter", GETTERS)
def test_getter_returns_none_for_absent_tag(typed: fixwire.Message, getter: str) -> None:
    assert getattr(typed, getter)(9999) is None


@pytest.mark.parametrize("getter", GETTERS)
def test_getter_returns_default_for_absent_tag(typed: fixwire.Message, getter: str) -> None:
    sentinel = object()
    assert getattr(typed, getter)(9999, sentinel) is sentinel


@pytest.mark.parametrize("getter", GETTERS)
def test_getter_takes_default_by_keyword(typed: fixwire.Message, getter: str) -> None:
    # The contract spells it `get_int(self, tag, default=None)`: `default` is not positional-only.
    sentinel = object()
    assert getattr(typed, getter)(9999, default=sentinel) is sentinel


# Malformed values: every row is (getter, value as written on the wire).
BAD_CASES: list[tuple[str, str]] = [
    ("get_int", "abc"),
    ("get_int", "1.0"),
    ("get_int", "1e3"),
    ("get_int", " 1"),
    ("get_int", "1 "),
    ("get_int", "0x10"),
    ("get_int", "-"),
    ("get_int", "9223372036854775808"),
    ("get_int", "-9223372036854775809"),
    ("get_int", "99999999999999999999999"),
    ("get_decimal", "abc"),
    ("get_decimal", "1.2.3"),
    ("get_decimal", "1e5"),
    ("get_decimal", "1E5"),
    ("get_decimal", "1,5"),
    ("get_decimal", "NaN"),
    ("get_decimal", "Infinity"),
    ("get_decimal", "-inf"),
    ("get_decimal", "-"),
    ("get_decimal", " 1.5"),
    ("get_bool", "y"),
    ("get_bool", "n"),
    ("get_bool", "1"),
    ("get_bool", "0"),
    ("get_bool", "YES"),
    ("get_bool", "T"),
    ("get_char", "AB"),
    ("get_char", "12"),
    ("get_time", "20260820-14:30:05.1"),
    ("get_time", "20260820-14:30:05.12"),
    ("get_time", "20260820-14:30:05.1234"),
    ("get_time", "20260820-14:30:05.1234567"),
    ("get_time", "20260820-14:30:05."),
    ("get_time", "20261320-14:30:05"),
    ("get_time", "20260230-14:30:05"),
    ("get_time", "20260820-24:00:00"),
    ("get_time", "20260820-14:60:00"),
    ("get_time", "20260820T14:30:05"),
    ("get_time", "2026-08-20-14:30:05"),
    ("get_time", "2026082-14:30:05"),
    ("get_time", "20260820"),
    ("get_time", "20260820-14:30"),
    ("get_time", "20260820-14:30:05Z"),
    ("get_time_ns", "20260820-14:30:05.1234"),
    ("get_time_ns", "20261320-14:30:05"),
    ("get_time_ns", "abc"),
    ("get_date", "20231301"),
    ("get_date", "20230229"),
    ("get_date", "20230100"),
    ("get_date", "2023123"),
    ("get_date", "2023-12-31"),
    ("get_date", "20231231-00:00:00"),
]
BAD = build("8", "".join(f"{7000 + i}={value}|" for i, (_, value) in enumerate(BAD_CASES)), seq=9)


@pytest.fixture(scope="module")
def bad() -> fixwire.Message:
    """A message holding every malformed value of BAD_CASES."""
    return fixwire.parse(BAD)


@pytest.mark.parametrize(
    ("index", "getter", "text"),
    [(i, getter, text) for i, (getter, text) in enumerate(BAD_CASES)],
    ids=[f"{getter}-{text}" for getter, text in BAD_CASES],
)
def test_getter_rejects_malformed_value(
    bad: fixwire.Message, index: int, getter: str, text: str
) -> None:
    tag = 7000 + index
    assert bad[tag] == text
    with pytest.raises(fixwire.DecodeError) as info:
        getattr(bad, getter)(tag)
    assert info.value.kind == "invalid_value"
    assert info.value.tag == tag


@pytest.mark.parametrize("getter", [g for g in GETTERS if g not in {"get", "get_bytes"}])
def test_default_does_not_hide_a_malformed_value(bad: fixwire.Message, getter: str) -> None:
    # 7000 holds "abc", malformed for every typed getter.
    with pytest.raises(fixwire.DecodeError):
        getattr(bad, getter)(7000, None)


# Lookups.


def test_getitem_returns_first_occurrence() -> None:
    msg = fixwire.parse(build("V", "263=1|146=2|55=FIRST|55=SECOND|"))
    assert msg[55] == "FIRST"
    assert msg.get(55) == "FIRST"
    assert msg.get_all(55) == ["FIRST", "SECOND"]


def test_values_reads_several_tags_in_one_call() -> None:
    msg = fixwire.parse(build("V", "263=1|146=2|55=FIRST|55=SECOND|"))
    assert msg.values((55, 35, 9999, 263)) == ("FIRST", "V", None, "1")
    assert msg.values([]) == ()
    assert msg.values(iter([146])) == ("2",)


def test_values_agree_with_get_on_every_corpus_message(corpus: dict[str, bytes]) -> None:
    for data in corpus.values():
        msg = fixwire.parse(data)
        tags = [*(tag for tag, _ in reversed(list(msg))), 9999]
        assert msg.values(tags) == tuple(msg.get(tag) for tag in tags)


def test_values_of_a_group_entry_are_the_entries() -> None:
    groups = fixwire.GroupSpecs()
    groups.add(fixwire.GroupSpec(453, [448, 447, 452]))
    msg = fixwire.parse(build("8", "453=2|448=A|452=3|448=B|447=D|"), groups=groups)
    first, second = msg.group(453)
    assert first.values((448, 447, 452, 35)) == ("A", None, "3", None)
    assert second.values((448, 447)) == ("B", "D")


def test_values_refuses_text_that_is_not_utf8_and_tags_that_are_not_ints() -> None:
    msg = fixwire.parse(build("j", b"45=1|380=0|58=caf\xe9|"))
    with pytest.raises(fixwire.DecodeError) as info:
        msg.values((45, 58))
    assert (info.value.kind, info.value.tag) == ("invalid_utf8", 58)
    not_a_tag: list[object] = [45, "58"]
    with pytest.raises(TypeError):
        msg.values(not_a_tag)  # type: ignore[arg-type]


def test_getitem_raises_key_error_for_absent_tag(typed: fixwire.Message) -> None:
    with pytest.raises(KeyError):
        typed[9999]


@pytest.mark.parametrize("key", [-35, (1 << 30) + 35, (1 << 32) + 35, -(1 << 30), 0, 1 << 64])
def test_getitem_of_a_key_beyond_one_digit_or_negative_is_absent(
    typed: fixwire.Message, key: int
) -> None:
    # Small ints are read from their digit directly: no key may read as a tag it is not.
    assert typed[35] == "8"
    assert key not in typed
    with pytest.raises(KeyError):
        typed[key]


def test_getitem_takes_int_subclasses_as_the_ints_they_are() -> None:
    # An exact int is read by the Message's own subscript slot; anything else takes the full
    # conversion, with the answers it always gave: a bool is the int it equals, as a dict's key.
    msg = fixwire.parse(frame("35=0|49=S|56=T|34=1|52=20260820-14:30:05.123|1=ACC|112=PING|"))

    class Tag(IntEnum):
        TEST_REQ_ID = 112

    assert msg[Tag.TEST_REQ_ID] == msg[112] == msg.__getitem__(112) == "PING"
    assert msg[True] == msg[1] == "ACC"
    with pytest.raises(KeyError):
        msg[False]


def test_get_all_of_absent_tag_is_empty(typed: fixwire.Message) -> None:
    assert typed.get_all(9999) == []


def test_get_all_of_header_field(typed: fixwire.Message) -> None:
    assert typed.get_all(35) == ["8"]


def test_contains(typed: fixwire.Message) -> None:
    assert 5001 in typed
    assert 8 in typed
    assert 10 in typed
    assert 9999 not in typed


def test_header_properties(typed: fixwire.Message) -> None:
    assert typed.msg_type == "8"
    assert typed.begin_string == "FIXT.1.1"
    assert typed.seq_num == 7


def test_multi_character_msg_type(corpus: dict[str, bytes]) -> None:
    assert fixwire.parse(corpus["kalshi_market_settlement"]).msg_type == "UMS"


def test_seq_num_absent_is_invalid_value() -> None:
    msg = fixwire.parse(frame("35=0|49=A|56=B|52=20260820-14:30:05.123|"))
    with pytest.raises(fixwire.DecodeError) as info:
        _ = msg.seq_num
    assert info.value.kind == "invalid_value"


def test_seq_num_not_an_integer_is_invalid_value() -> None:
    msg = fixwire.parse(frame("35=0|49=A|56=B|34=x1|52=20260820-14:30:05.123|"))
    with pytest.raises(fixwire.DecodeError) as info:
        _ = msg.seq_num
    assert info.value.kind == "invalid_value"


def test_len_counts_every_field_including_8_9_10(typed: fixwire.Message) -> None:
    assert len(typed) == TYPED.count(b"\x01")


def test_iter_yields_fields_in_wire_order() -> None:
    data = build("0", "112=T1|")
    pairs = list(fixwire.parse(data))
    assert pairs[0] == (8, "FIXT.1.1")
    assert pairs[1] == (9, str(len(data) - data.index(b"35=") - 7))
    assert pairs[2] == (35, "0")
    assert [tag for tag, _ in pairs] == [8, 9, 35, 49, 56, 34, 52, 112, 10]
    assert pairs[-1] == (10, data[-4:-1].decode())


def test_non_utf8_value_is_readable_as_bytes_only() -> None:
    data = build("j", b"45=1|380=0|58=caf\xe9|")
    msg = fixwire.parse(data)
    assert msg.get_bytes(58) == b"caf\xe9"
    with pytest.raises(fixwire.DecodeError) as info:
        msg[58]
    assert info.value.kind == "invalid_utf8"
    assert info.value.tag == 58


# Text values: ASCII copied straight, other UTF-8 decoded once, anything else refused.

TEXT_VALUES = [
    "D",  # one ASCII character
    "~",
    "ORD-000042",
    "é",  # one character, two bytes
    "\u00ff",
    "caf\u00e9 au lait",
    "\u20ac 12.50",  # three-byte character
    "\u6ce8\u6587",  # CJK
    "\U0001f4c8 up",  # four-byte character
    "x" * 300 + "\u00e9",  # non-ASCII after a long ASCII run
]


@pytest.mark.parametrize("text", TEXT_VALUES)
def test_text_values_read_the_same_through_every_accessor(text: str) -> None:
    msg = fixwire.parse(build("j", f"45=1|380=0|58={text}|"))
    assert msg[58] == text
    assert type(msg[58]) is str
    assert msg.get(58) == text
    assert msg.values((58, 45)) == (text, "1")
    assert msg.get_all(58) == [text]
    assert (58, text) in list(msg)
    assert msg.get_bytes(58) == text.encode()


NOT_UTF8 = [
    (b"caf\xe9", 3),  # Latin-1, not UTF-8
    (b"\xff", 0),
    (b"ab\xc3", 2),  # a character cut short
    (b"\xed\xa0\x80x", 0),  # an encoded surrogate
    (b"\xc0\xaf", 0),  # overlong
    (b"ok\xf4\x90\x80\x80", 2),  # past U+10FFFF
]


@pytest.mark.parametrize(("value", "bad_at"), NOT_UTF8)
def test_value_that_is_not_utf8_names_tag_and_offset_everywhere(value: bytes, bad_at: int) -> None:
    data = build("j", b"45=1|380=0|58=" + value + b"|")
    msg = fixwire.parse(data)
    expected_offset = data.index(b"\x0158=") + 4 + bad_at
    for read in (
        lambda: msg[58],
        lambda: msg.get(58),
        lambda: msg.values((45, 58)),
        lambda: msg.get_all(58),
        lambda: list(msg),
    ):
        with pytest.raises(fixwire.DecodeError) as info:
            read()
        error = info.value
        assert (error.kind, error.tag, error.offset) == ("invalid_utf8", 58, expected_offset)
    assert msg.get_bytes(58) == value


# Identity, equality, immutability.


def test_raw_is_the_original_object() -> None:
    data = build("0")
    assert fixwire.parse(data).raw is data


def test_equality_and_hash_follow_raw_bytes() -> None:
    data = build("0")
    first = fixwire.parse(data)
    second = fixwire.parse(bytes(bytearray(data)))
    other = fixwire.parse(build("0", seq=2))
    assert first == second
    assert hash(first) == hash(second)
    assert first != other
    assert len({first, second, other}) == 2


def test_message_is_not_equal_to_its_bytes() -> None:
    data = build("0")
    assert fixwire.parse(data) != data


def test_repr_names_type_seq_and_field_count(typed: fixwire.Message) -> None:
    text = repr(typed)
    assert text.startswith("<Message ")
    assert "35=8" in text
    assert "34=7" in text
    assert f"fields={len(typed)}" in text


def test_message_is_frozen(typed: fixwire.Message) -> None:
    with pytest.raises(AttributeError):
        typed.msg_type = "D"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        typed.anything = 1  # type: ignore[attr-defined]
    assert typed.msg_type == "8"


def test_message_cannot_be_subscripted_for_assignment(typed: fixwire.Message) -> None:
    with pytest.raises(TypeError):
        typed[58] = "x"  # type: ignore[index]


def test_keys_that_are_not_tags_are_absent() -> None:
    msg = fixwire.parse(frame("35=0|49=S|56=T|34=1|52=20260820-14:30:05.123|"))
    assert "x" not in msg
    assert -1 not in msg
    assert 2**40 not in msg
    for key in (-1, 2**40, "x"):
        with pytest.raises(KeyError):
            msg[key]
    assert 2**70 not in msg
    with pytest.raises(KeyError):
        msg[2**70]


def test_get_and_values_refuse_tags_that_are_not_u32_as_int_conversion_does() -> None:
    msg = fixwire.parse(frame("35=0|49=S|56=T|34=1|52=20260820-14:30:05.123|"))
    for tag in (-1, 2**32, 2**70):
        with pytest.raises(OverflowError):
            msg.get(tag)
        with pytest.raises(OverflowError):
            msg.values((35, tag))
    with pytest.raises(TypeError):
        msg.get("35")  # type: ignore[call-overload]
    assert msg.get(True) is None  # bool is an int: tag 1, absent here
    assert msg.get(35) == "0"
    assert msg.get(2**32 - 1, "absent") == "absent"
