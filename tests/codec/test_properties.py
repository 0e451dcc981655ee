"""Property tests (hypothesis): encode/parse round trips, and hostile bytes never escape FixError.

Example counts are bounded so the whole file runs well under a minute against a debug build.
"""

import contextlib
import itertools
import re
from collections.abc import Callable
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixwire
from fixtext import load_corpus

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORPUS = [entry.data for entry in load_corpus()]
KALSHI = fixwire.GroupSpecs.kalshi()
GETTERS: list[Callable[[fixwire.Message, int], object]] = [
    fixwire.Message.get,
    fixwire.Message.get_int,
    fixwire.Message.get_decimal,
    fixwire.Message.get_bytes,
    fixwire.Message.get_bool,
    fixwire.Message.get_char,
    fixwire.Message.get_time,
    fixwire.Message.get_time_ns,
    fixwire.Message.get_date,
    fixwire.Message.get_all,
]
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")

# Tags that are neither header/trailer nor data-length pairs: custom ranges plus common ones.
tags = st.integers(5000, 9999) | st.sampled_from([1, 11, 17, 37, 38, 44, 54, 55, 58, 60, 112, 131])
texts = st.text(
    st.characters(exclude_characters="\x01", exclude_categories=["Cs"]), min_size=1, max_size=40
)
decimals = st.builds(
    lambda mantissa, scale: Decimal(mantissa).scaleb(-scale),
    st.integers(-(10**30), 10**30),
    st.integers(0, 12),
)
values = texts | st.integers(-(2**63), 2**63 - 1) | decimals | st.booleans()


def expected_text(value: object) -> str | None:
    """Return the exact wire text of ``value``, or None where only the number is fixed."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | str):
        return str(value)
    return None


# RawData <96> made of any characters, SOH included, so it stays readable as str too.
raw_texts = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=64)


@given(
    fields=st.lists(st.tuples(tags, values), max_size=25),
    raw_data=st.none() | raw_texts.map(str.encode),
    seq_num=st.integers(1, 2**31),
)
@SETTINGS
def test_encode_then_parse_gives_the_same_fields(
    fields: list[tuple[int, object]], raw_data: bytes | None, seq_num: int
) -> None:
    encoder = fixwire.Encoder("SENDER", "TARGET")
    to_send: list[tuple[int, object]] = list(fields)
    if raw_data is not None:
        to_send.append((96, raw_data))
    data = encoder.encode("D", to_send, seq_num=seq_num)  # type: ignore[arg-type]
    msg = fixwire.parse(data)
    assert msg.seq_num == seq_num
    assert fixwire.checksum(data[: data.rindex(b"10=")]) == int(msg[10])
    body = list(msg)[7:-1]
    if raw_data is not None:
        assert body[-2:] == [(95, str(len(raw_data))), (96, raw_data.decode())]
        assert msg.get_bytes(96) == raw_data
        body = body[:-2]
    assert [tag for tag, _ in body] == [tag for tag, _ in fields]
    for (_, text), (_, value) in zip(body, fields, strict=True):
        wanted = expected_text(value)
        if wanted is None:
            assert isinstance(value, Decimal)
            assert PLAIN_DECIMAL.fullmatch(text), text
            assert Decimal(text) == value
        else:
            assert text == wanted


@given(
    st.builds(
        lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=30),
        # str() then writes exponents within 64; beyond, values are refused (test_template.py).
        st.integers(-30, 30),
    )
)
@SETTINGS
def test_decimals_in_any_notation_are_written_as_python_formats_them(value: Decimal) -> None:
    """str() may use an exponent ("1.20E-8"); fields and fixed fields write format(value, "f")."""
    encoder = fixwire.Encoder("SENDER", "TARGET")
    template = fixwire.Template("D", [(11, fixwire.Rule.text()), (44, value)])
    for data in (
        encoder.encode("D", [(11, "x"), (44, value)], seq_num=1),
        encoder.encode_template(template, ("x",), seq_num=1),
    ):
        assert fixwire.parse(data)[44] == format(value, "f")


@given(raw_data=st.binary(min_size=1, max_size=300))
@SETTINGS
def test_binary_data_field_round_trips(raw_data: bytes) -> None:
    encoder = fixwire.Encoder("SENDER", "TARGET")
    data = encoder.encode("A", [(98, 0), (96, raw_data), (108, 30)], seq_num=1)
    msg = fixwire.parse(data)
    assert msg.get_bytes(96) == raw_data
    assert msg.get_int(95) == len(raw_data)
    assert msg.get_int(108) == 30


def read_everything(msg: fixwire.Message) -> None:
    """Read every field with every getter; only FixError may come out."""
    for tag, _ in msg:
        for getter in GETTERS:
            with contextlib.suppress(fixwire.FixError):
                getter(msg, tag)
    for attribute in ("msg_type", "begin_string", "seq_num"):
        with contextlib.suppress(fixwire.FixError):
            getattr(msg, attribute)
    assert repr(msg)


def parse_hostile(data: bytes) -> None:
    """Parse ``data`` every way; anything but success or a FixError fails the test."""
    for options in ({}, {"verify_checksum": False}, {"groups": KALSHI}):
        try:
            msg = fixwire.parse(data, **options)
        except fixwire.FixError:
            continue
        except Exception as exc:
            raise AssertionError(f"{type(exc).__name__} escaped parse: {exc}") from exc
        with contextlib.suppress(fixwire.FixError):
            # Iteration itself may meet a value that is not UTF-8.
            read_everything(msg)


@given(st.binary(max_size=300))
@SETTINGS
def test_random_bytes_only_raise_fix_errors(data: bytes) -> None:
    parse_hostile(data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus message with a few random edits: flips, inserts, deletes, cuts, copies."""
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "cut", "copy", "digit"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif op == "cut":
            del data[at:]
        elif op == "copy":
            data[at:at] = data[draw(st.integers(0, len(data))) :][:20]
        elif op == "digit" and at < len(data):
            data[at] = draw(st.sampled_from(b"0123456789=\x01"))
    return bytes(data)


@given(mutated())
@SETTINGS
def test_mutated_messages_only_raise_fix_errors(data: bytes) -> None:
    parse_hostile(data)


def check_framer_output(
    framer: fixwire.Framer, messages: list[fixwire.Message], fed: int, verify: bool
) -> None:
    """Every message a framer hands out parses; every error is a DecodeError inside the stream."""
    for msg in messages:
        assert type(msg.raw) is bytes
        assert fixwire.parse(msg.raw, verify_checksum=verify, groups=KALSHI) == msg
    for error in framer.drain_errors():
        assert isinstance(error, fixwire.DecodeError)
        assert error.offset is not None
        assert 0 <= error.offset < fed
    assert 0 <= framer.buffered <= fed


@given(
    chunks=st.lists(
        st.one_of(st.binary(max_size=64), mutated(), st.sampled_from(CORPUS)), max_size=12
    ),
    verify=st.booleans(),
)
@SETTINGS
def test_framer_survives_hostile_streams(chunks: list[bytes], verify: bool) -> None:
    framer = fixwire.Framer(verify_checksum=verify, max_body_length=4096, groups=KALSHI)
    fed = 0
    messages: list[fixwire.Message] = []
    for chunk in chunks:
        fed += len(chunk)
        try:
            messages += framer.feed(chunk)
        except fixwire.FixError:
            pass
        except Exception as exc:
            raise AssertionError(f"{type(exc).__name__} escaped Framer.feed: {exc}") from exc
    check_framer_output(framer, messages, fed, verify)


@given(
    picks=st.lists(st.sampled_from(CORPUS), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 4000), max_size=20),
)
@SETTINGS
def test_framer_finds_every_message_at_any_chunking(picks: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(picks)
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    framer = fixwire.Framer()
    out: list[bytes] = []
    for start, end in itertools.pairwise(points):
        out += [m.raw for m in framer.feed(stream[start:end])]
    assert out == picks
    assert framer.drain_errors() == []
    assert framer.buffered == 0


@given(
    picks=st.lists(st.sampled_from(CORPUS), min_size=1, max_size=6),
    garbage=st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=6),
    cuts=st.lists(st.integers(0, 4000), max_size=10),
)
@SETTINGS
def test_framer_never_loses_a_message_around_garbage(
    picks: list[bytes], garbage: list[bytes], cuts: list[int]
) -> None:
    # Garbage cannot begin a message here (no `8=`), so every valid message must come out.
    junk = [g.replace(b"8=", b"8-") for g in garbage]
    if any(j.endswith(b"8") for j in junk):
        junk = [j + b"." for j in junk]
    stream = b""
    for i, pick in enumerate(picks):
        stream += junk[i % len(junk)] + pick
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    framer = fixwire.Framer()
    out: list[bytes] = []
    for start, end in itertools.pairwise(points):
        out += [m.raw for m in framer.feed(stream[start:end])]
    assert out == picks
    errors = framer.drain_errors()
    assert errors
    assert errors[0].offset == 0
