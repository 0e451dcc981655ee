"""fixwire.simplefix against simplefix itself: same calls, same results, same errors.

Each test does the same thing to a real ``simplefix`` object and to fixwire's, and compares
what comes out: encoded bytes, read values, parsed messages, the parser's leftover buffer and
the exceptions' names. Hypothesis writes the messages and the byte streams, cut at random.
"""

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import simplefix
import simplefix.constants
import simplefix.data
from hypothesis import given, settings
from hypothesis import strategies as st

import fixwire.simplefix as ours
from fixtext import CorpusEntry, frame

T = 1484581872.933458

# Values with FIX's usual characters, '=' included (only SOH ends a value).
values = st.binary(min_size=1, max_size=12).filter(lambda v: b"\x01" not in v and b"|" not in v)
ascii_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=8)
tags = st.sampled_from([1, 11, 35, 38, 44, 54, 55, 58, 8, 9, 10, 96, 20000])


def outcome(call: Callable[[], Any]) -> Any:
    """What ``call`` gives, or the name of the exception it raises."""
    try:
        return call()
    except Exception as exc:  # the exception's name is the result compared
        return type(exc).__name__


def test_constants_are_simplefix_names_and_values() -> None:
    theirs = {k: v for k, v in vars(simplefix.constants).items() if k.isupper()}
    mine = {k: v for k, v in vars(ours.constants).items() if k.isupper()}
    assert mine == theirs
    assert len(mine) == 694
    assert all(getattr(ours, name) == value for name, value in theirs.items())


def test_data_fields_cover_simplefix_list() -> None:
    mine = set(ours.data.RAW_DATA)
    theirs = set(simplefix.data.RAW_DATA)
    # simplefix pairs EncodedMarketDisruptionFallbackUnderlierSecurityDescLen <41101> with
    # itself; the data field it counts is <41102>.
    assert theirs - mine == {(41101, 41101)}
    assert (41101, 41102) in mine
    assert len(mine) == 83


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["pair", "header", "string", "data", "remove"]),
            tags,
            values,
            ascii_values,
        ),
        max_size=14,
    ),
    st.sampled_from(["FIX.4.2", "FIXT.1.1", None]),
    st.sampled_from(["D", "8", None]),
)
def test_building_and_encoding_match(
    steps: list[tuple[str, int, bytes, str]], begin: str | None, msg_type: str | None
) -> None:
    made = [simplefix.FixMessage(), ours.FixMessage()]
    for message in made:
        message.append_pair(8, begin)
        message.append_pair(35, msg_type, header=True)
        for step, tag, value, text in steps:
            if step == "pair":
                message.append_pair(tag, value)
            elif step == "header":
                message.append_pair(str(tag), text, header=True)
            elif step == "string":
                message.append_string(f"{tag}={text}")
            elif step == "data":
                message.append_data(95, 96, value + b"\x01" + value)
            else:
                message.remove(tag, 2)
    theirs, mine = made
    assert mine.pairs == theirs.pairs
    assert mine == theirs
    assert theirs == mine
    assert outcome(lambda: mine.encode()) == outcome(lambda: theirs.encode())
    assert mine.encode(raw=True) == theirs.encode(raw=True)
    read_tags: tuple[Any, ...] = (8, 35, 11, 96, "44", b"58")
    for tag in read_tags:
        for nth in (1, 2, 3):
            assert mine.get(tag, nth) == theirs.get(tag, nth)
        assert (tag in mine) == (tag in theirs)
    assert list(mine) == list(theirs)
    assert mine.count() == theirs.count()
    assert outcome(lambda: str(mine)) == outcome(lambda: str(theirs))


@pytest.mark.parametrize("tag", ["08", " 35", "010", "+9", "0035", "12", b"9", 10.0])
def test_frame_tags_spelled_oddly_match(tag: Any) -> None:
    made = [simplefix.FixMessage(), ours.FixMessage()]
    for message in made:
        message.append_pair(8, "FIX.4.2")
        message.append_pair(35, "0")
        message.append_pair(tag, "X")
        message.append_pair(tag, "Y", header=True)
    assert made[1].encode() == made[0].encode()
    assert made[1].begin_string == made[0].begin_string
    assert made[1].message_type == made[0].message_type


def test_inequality_with_a_simplefix_message() -> None:
    theirs, mine = simplefix.FixMessage(), ours.FixMessage()
    for message in (theirs, mine):
        message.append_pair(8, "FIX.4.4")
        message.append_pair(35, "0")
    assert mine == theirs
    mine.append_pair(112, "ping")
    assert mine != theirs
    assert mine != "8=FIX.4.4"


@pytest.mark.parametrize("precision", [0, 3, 6, 9])
@pytest.mark.parametrize(
    "method", ["append_utc_timestamp", "append_utc_time_only", "append_tz_timestamp"]
)
def test_timestamps_match(method: str, precision: int) -> None:
    moment = datetime.datetime(2017, 1, 16, 15, 51, 12, 933458)
    for value in (T, moment):
        theirs, mine = simplefix.FixMessage(), ours.FixMessage()
        results = [
            outcome(partial(getattr(m, method), 52, value, precision)) for m in (theirs, mine)
        ]
        assert results[0] == results[1]
        assert mine.pairs == theirs.pairs


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime.datetime(1, 1, 1)), st.sampled_from([0, 3, 6]))
def test_any_utc_timestamp_matches(moment: datetime.datetime, precision: int) -> None:
    theirs, mine = simplefix.FixMessage(), ours.FixMessage()
    for message in (theirs, mine):
        message.append_utc_timestamp(52, moment, precision)
        message.append_utc_time_only(273, moment, precision)
    assert mine.pairs == theirs.pairs


@pytest.mark.parametrize("precision", [None, 0, 3, 6, 9])
def test_tz_time_only_matches(precision: int | None) -> None:
    theirs, mine = simplefix.FixMessage(), ours.FixMessage()
    for message in (theirs, mine):
        outcome(partial(message.append_tz_time_only, 1079, T, precision))
    assert mine.pairs == theirs.pairs


def test_now_is_now() -> None:
    message = ours.FixMessage()
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    message.append_utc_timestamp(52, precision=0)
    value = message.get(52)
    assert value is not None
    written = datetime.datetime.strptime(value.decode(), "%Y%m%d-%H:%M:%S")
    assert before <= written <= before + datetime.timedelta(seconds=2)


def test_negative_offset_under_an_hour_keeps_its_sign() -> None:
    # simplefix writes -30 minutes as "+00:30" (int(-30 / 60) is 0, which has no sign).
    assert simplefix.FixMessage._tz_offset_string(-30) == "+00:30"
    assert ours.FixMessage._tz_offset_string(-30) == "-00:30"
    assert ours.FixMessage._tz_offset_string(-90) == simplefix.FixMessage._tz_offset_string(-90)


# Fields a whole-message shortcut must notice: a second BeginString <8> or MsgType <35>, tags
# with a leading zero, sign or space, no "=", an empty tag or value, data fields.
ODD_FIELDS = [
    b"8=FIX.4.4\x01",
    b"35=E\x01",
    b"035=F\x01",
    b"+35=G\x01",
    b" 8=X\x01",
    b"010=1\x01",
    b"58\x01",
    b"=v\x01",
    b"58=\x01",
    b"0=z\x01",
    b"96=w\x01",
    b"212=3\x01",
    b"95=2\x0196=a\x01\x01",
    b"1=a=b\x01",
]

field = st.one_of(
    st.tuples(st.sampled_from([b"35", b"11", b"55", b"58", b"1"]), values).map(
        lambda p: p[0] + b"=" + p[1] + b"\x01"
    ),
    values.map(lambda v: b"95=%d\x0196=%b\x01" % (len(v) + 1, v + b"\x01")),
    st.sampled_from(ODD_FIELDS),
)
message_bytes = st.lists(field, min_size=1, max_size=6).map(
    lambda fs: frame(b"".join(fs), "FIX.4.2")
)
junk = st.sampled_from(
    [b"", b"1=2\x01", b"\n", b"x=1\x01", b"=\x01", b"58=\x01", b"95=zz\x01", b"10=1\x01", b"8"]
)
parser_options = st.fixed_dictionaries(
    {
        "allow_empty_values": st.booleans(),
        "stop_byte": st.sampled_from([None, b"\n"]),
        "stop_tag": st.sampled_from([10, 58]),
    }
)


# Tags to read from parsed messages, spelled every way simplefix takes them.
READS: tuple[Any, ...] = (8, 35, "58", b"11", 96, 10, 1, True, 1.0, 0, -1, b"035", "x", 1 << 40)


def run_parser(parser: Any, chunks: list[bytes], calls: int) -> list[Any]:
    """Feed ``chunks`` one by one, calling ``get_message`` ``calls`` times after each."""
    seen: list[Any] = []
    for chunk in chunks:
        parser.append_buffer(chunk)
        for _ in range(calls):
            result = outcome(parser.get_message)
            if result is not None and not isinstance(result, str):
                # Reads before ``pairs``: a parsed message answers them without making pairs.
                reads = [result.get(tag) for tag in READS] + [result.count(), result.get(58, 2)]
                result = (reads, result.pairs, result.begin_string, result.message_type)
            seen.append((result, parser.get_buffer(), parser.raw_len))
    return seen


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(junk, message_bytes), min_size=1, max_size=4),
    st.lists(st.integers(min_value=1, max_value=60), max_size=8),
    parser_options,
    st.integers(min_value=1, max_value=3),
)
def test_parsing_streams_matches(
    parts: list[tuple[bytes, bytes]], cuts: list[int], options: dict[str, Any], calls: int
) -> None:
    stream = b"".join(j + m for j, m in parts)
    chunks = []
    for cut in cuts:
        chunks.append(stream[:cut])
        stream = stream[cut:]
    chunks.append(stream)
    results = [
        run_parser(module.FixParser(**options), chunks, calls) for module in (simplefix, ours)
    ]
    assert results[1] == results[0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(junk, message_bytes), min_size=1, max_size=3))
def test_whole_messages_with_default_options_match(parts: list[tuple[bytes, bytes]]) -> None:
    stream = b"".join(j + m for j, m in parts)
    results = [run_parser(module.FixParser(), [stream], 4) for module in (simplefix, ours)]
    assert results[1] == results[0]


@pytest.mark.parametrize("odd", ODD_FIELDS)
@pytest.mark.parametrize("options", [{}, {"strict": True}])
def test_odd_fields_match(odd: bytes, options: dict[str, Any]) -> None:
    data = frame(b"35=D\x01" + odd + b"58=x\x01", "FIX.4.2")
    theirs = run_parser(simplefix.FixParser(), [data], 2)
    mine = run_parser(ours.FixParser(**options), [data], 2)
    if options and theirs[0][0] != "EmptyValueError":
        # Strict: the message is checked by fixwire, which may reject it; else the same.
        assert mine[0][0] in (theirs[0][0], "InvalidMessageError")
    else:
        assert mine == theirs


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80), st.booleans())
def test_parsing_noise_matches(noise: bytes, missing_begin: bool) -> None:
    options = {
        "allow_missing_begin_string": missing_begin,
        "strip_fields_before_begin_string": not missing_begin,
        "stop_byte": b"\n",
    }
    results = [run_parser(m.FixParser(**options), [noise], 2) for m in (simplefix, ours)]
    assert results[1] == results[0]


@pytest.mark.parametrize(
    "body", ["35=D|5001=5|5002=a|=b||20000=x|", "35=D|95=3|96=a|b|5001=1|5002=c|20000=x|"]
)
def test_private_data_fields_and_terminators_match(body: str) -> None:
    data = frame(body, "FIX.4.2")
    configurations: list[Callable[[Any], None]] = [
        lambda p: p.add_raw(5001, 5002),
        lambda p: p.remove_raw(95, 96),
        lambda p: p.set_stop_tag(20000),
        lambda p: p.set_stop_byte(b"\x01"),
        lambda p: p.raw_len_tags.append(5001) or p.raw_data_tags.append(5002),
    ]
    for configure in configurations:
        parsers = [simplefix.FixParser(), ours.FixParser()]
        for parser in parsers:
            configure(parser)
        assert run_parser(parsers[1], [data], 2) == run_parser(parsers[0], [data], 2)


def test_corpus_parses_as_in_simplefix(corpus_entry: CorpusEntry) -> None:
    results = []
    for parser in (simplefix.FixParser(), ours.FixParser(), ours.FixParser(strict=True)):
        parser.append_buffer(corpus_entry.data)
        message = parser.get_message()
        assert message is not None
        results.append((message.pairs, parser.get_buffer()))
    assert results[1] == results[0]
    assert results[2] == results[0]


def test_many_messages_in_one_buffer() -> None:
    one = frame("35=0|", "FIX.4.2")
    parser = ours.FixParser()
    parser.append_buffer(one * 20_000 + b"8=FIX")
    count = 0
    while parser.get_message() is not None:
        count += 1
    assert count == 20_000
    assert parser.get_buffer() == b"8=FIX"
