"""Columnar decoding: read_columns and read_arrow against a pure-Python reference reader.

The logs come from the seeded generator in ``fixlog.py``, in every input format, with garbage
between the messages. The reference reader below finds and checks messages with nothing but
``bytes.find`` and ``bytes.split``, written from the FIX rules rather than from fixwire's code:
a candidate starts at every ``8=FIX``; BeginString <8> is a FIX version (``FIX.4.4``,
``FIXT.1.1``) and the byte after it is the separator (SOH or ``|``); BodyLength <9> gives where
CheckSum <10> starts; the CheckSum is the byte sum of the SOH form. The reader is first checked
against what the generator wrote, then fixwire against the reader.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import fixwire
from fixlog import (
    FORMATS,
    GARBLED_KINDS,
    Garbage,
    Item,
    Log,
    LogGenerator,
    Message,
    concat,
    render,
)
from fixtext import SOH, build, frame
from fixwire import _native

SEED = 20260820
# Every column kind, on tags the generator fills: text (Text <58> non-ASCII), ints (a custom
# tag with invalid values), decimals at the default scale and at explicit scales 2 and 0, a
# float, times, a date, a bool, and the NoMiscFees <136> group's members.
ALL_KINDS: dict[int, str] = {
    11: "str",
    58: "str",
    138: "str",
    34: "int",
    5001: "int",
    136: "int",
    139: "int",
    891: "int",
    38: "decimal",
    44: "decimal",
    137: "decimal",
    32: "decimal:2",
    14: "decimal:0",
    31: "float",
    52: "time",
    60: "time",
    75: "date",
    43: "bool",
}
FEE_MEMBERS = (137, 138, 139, 891)
FEES = fixwire.GroupSpec(136, list(FEE_MEMBERS))
LOG_FORMATS = (*FORMATS, "mixed")

Field = tuple[int, bytes]
Spec = tuple[int, str, int]


# The reference reader.


@dataclass(frozen=True)
class RefMessage:
    """A message the reference reader found: where it starts and all its fields, 8 to 10."""

    offset: int
    fields: tuple[Field, ...]


# The FIX versions: FIX.4.2, FIX.4.4, FIXT.1.1 and the like.
BEGIN_STRING = re.compile(rb"FIXT?\.[0-9]\.[0-9]")


def reference_read(
    data: bytes, *, verify_checksum: bool = True
) -> tuple[list[RefMessage], list[int]]:
    """The messages of a log and the offsets of the candidates that are not messages."""
    messages: list[RefMessage] = []
    garbled: list[int] = []
    pos = 0
    while (at := data.find(b"8=FIX", pos)) >= 0:
        found = _reference_message(data, at, verify_checksum)
        if found is None:
            garbled.append(at)
            pos = at + 1
        else:
            fields, pos = found
            messages.append(RefMessage(at, fields))
    return messages, garbled


def _reference_message(
    data: bytes, at: int, verify_checksum: bool
) -> tuple[tuple[Field, ...], int] | None:
    """The fields of the message starting at ``at`` and the offset after it, or None."""
    # BeginString has at most 16 characters; the byte after it is the separator.
    head = data[at : at + 19]
    ends = [i for i in (head.find(SOH), head.find(b"|")) if i >= 0]
    if not ends:
        return None
    sep_at = at + min(ends)
    sep = data[sep_at : sep_at + 1]
    if not BEGIN_STRING.fullmatch(data[at + 2 : sep_at]):
        return None
    if data[sep_at + 1 : sep_at + 3] != b"9=":
        return None
    length_end = data.find(sep, sep_at + 3)
    length = data[sep_at + 3 : length_end]
    if length_end < 0 or not length.isdigit():
        return None
    trailer = length_end + 1 + int(length)
    tail = data[trailer : trailer + 7]
    if data[trailer - 1 : trailer] != sep or len(tail) < 6 or not tail.startswith(b"10="):
        return None
    if tail[6:] == sep:
        end = trailer + 7
    elif sep == b"|" and tail[6:] in (b"", b"\n", b"\r"):
        end = trailer + 6  # a `|` line without the last separator
    else:
        return None
    wire = data[at:end].replace(sep, SOH)
    if not wire.endswith(SOH):
        wire += SOH
    fields: list[Field] = []
    for part in wire[:-1].split(SOH):
        tag, eq, value = part.partition(b"=")
        if not eq or not value or not tag.isdigit() or tag.startswith(b"0"):
            return None
        fields.append((int(tag), value))
    tags = [tag for tag, _ in fields]
    if tags[:3] != [8, 9, 35] or tags[-1] != 10 or {8, 9, 10, 35} & set(tags[3:-1]):
        return None
    stated = fields[-1][1]
    if len(stated) != 3 or not stated.isdigit():
        return None
    if verify_checksum and int(stated) != sum(wire[: trailer - at]) % 256:
        return None
    return tuple(fields), end


DECIMAL = re.compile(rb"(-?)([0-9]*)(?:\.([0-9]*))?")
TIME = re.compile(
    rb"([0-9]{8})-([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{3}|[0-9]{6}|[0-9]{9}))?"
)
EPOCH = dt.date(1970, 1, 1)
I64 = range(-(2**63), 2**63)


def _days(text: bytes) -> int | None:
    try:
        return (dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])) - EPOCH).days
    except ValueError:
        return None


def reference_value(kind: str, scale: int, raw: bytes) -> object | None:
    """``raw`` read as ``kind``: decimals as mantissas at ``scale``, times as nanoseconds since
    the epoch, dates as days since the epoch; None when it does not read.
    """
    if kind == "str":
        return raw.decode()
    if kind == "bool":
        return {b"Y": True, b"N": False}.get(raw)
    if kind == "int":
        return int(raw) if re.fullmatch(rb"-?[0-9]+", raw) and int(raw) in I64 else None
    if kind in ("decimal", "float"):
        m = DECIMAL.fullmatch(raw)
        if m is None or not (m[2] or m[3]):
            return None
        if kind == "float":
            return float(raw)
        exact = Decimal(raw.decode().rstrip(".") or "0").scaleb(scale)
        if exact != exact.to_integral_value() or int(exact) not in I64:
            return None
        return int(exact)
    if kind == "date":
        return _days(raw) if re.fullmatch(rb"[0-9]{8}", raw) else None
    assert kind == "time"
    t = TIME.fullmatch(raw)
    days = None if t is None else _days(t[1])
    if t is None or days is None:
        return None
    hour, minute, second = int(t[2]), int(t[3]), int(t[4])
    if hour > 23 or minute > 59 or second > 60:
        return None
    fraction = t[5] or b""
    nanos = int(fraction.ljust(9, b"0")) if fraction else 0
    # A leap second (60) is the next second's start, as numpy has no leap seconds.
    nanos += (days * 86_400 + hour * 3600 + minute * 60 + second) * 10**9
    return nanos if nanos in I64 else None


def specs_of(tags: Mapping[int, str]) -> list[Spec]:
    """(tag, kind, scale) of each column; decimals default to scale 8."""
    specs = []
    for tag, kind in tags.items():
        name, _, scale = kind.partition(":")
        specs.append((tag, name, int(scale) if scale else 8))
    return specs


def _first(fields: Iterable[Field], tag: int) -> bytes | None:
    return next((value for t, value in fields if t == tag), None)


def _entries(fields: Sequence[Field], count_tag: int, members: Sequence[int]) -> list[list[Field]]:
    """Entries of a repeating group (the first member delimits them); empty when the group is
    absent, has no entries, or does not match its count.
    """
    at = next((i for i, (tag, _) in enumerate(fields) if tag == count_tag), None)
    if at is None or not fields[at][1].isdigit():
        return []
    entries: list[list[Field]] = []
    i = at + 1
    while i < len(fields) and fields[i][0] == members[0]:
        entry = [fields[i]]
        i += 1
        last = 0
        while i < len(fields) and fields[i][0] in members[1:]:
            position = members.index(fields[i][0])
            if position <= last:
                return []
            entry.append(fields[i])
            last = position
            i += 1
        entries.append(entry)
    return entries if len(entries) == int(fields[at][1]) else []


@dataclass
class Expected:
    """What reading a log should give: like :class:`fixwire.Columns`, as Python lists."""

    msg_type: list[str]
    offset: list[int]
    columns: dict[str, list[object]]
    invalid: dict[str, int]
    garbled: list[int]
    messages: int


def reference_columns(
    data: bytes,
    tags: Mapping[int, str],
    *,
    msg_types: Iterable[str] | None = None,
    explode: tuple[int, Sequence[int]] | None = None,
    verify_checksum: bool = True,
) -> Expected:
    """The columns of ``tags`` read from ``data`` by the reference reader."""
    messages, garbled = reference_read(data, verify_checksum=verify_checksum)
    specs = specs_of(tags)
    wanted = None if msg_types is None else set(msg_types)
    out = Expected([], [], {str(tag): [] for tag, _, _ in specs}, {}, garbled, len(messages))
    out.invalid = dict.fromkeys(out.columns, 0)
    for message in messages:
        msg_type = _first(message.fields, 35)
        assert msg_type is not None
        if wanted is not None and msg_type.decode() not in wanted:
            continue
        entries: list[list[Field] | None] = [None]
        if explode is not None:
            entries = [*_entries(message.fields, *explode)] or [[]]
        for entry in entries:
            out.msg_type.append(msg_type.decode())
            out.offset.append(message.offset)
            for tag, kind, scale in specs:
                # Members come from the entry (none when it is empty), the rest from the message.
                member = explode is not None and tag in explode[1]
                raw = _first(entry if entry is not None and member else message.fields, tag)
                value = None if raw is None else reference_value(kind, scale, raw)
                if raw is not None and value is None:
                    out.invalid[str(tag)] += 1
                out.columns[str(tag)].append(value)
    return out


# fixwire's results as the same Python lists.


def column_values(array: Any, kind: str) -> list[object]:
    """A column of :class:`fixwire.Columns` as a list, None where masked; times and dates as
    integers since the epoch.
    """
    mask = np.ma.getmaskarray(array).tolist()
    data = np.ma.getdata(array)
    if kind in ("time", "date"):
        data = data.view(np.int64)
    return [None if masked else value for value, masked in zip(data.tolist(), mask, strict=True)]


def actual(cols: fixwire.Columns, tags: Mapping[int, str]) -> Expected:
    """``cols`` in the form of :class:`Expected`."""
    return Expected(
        msg_type=cols["msg_type"].tolist(),
        offset=cols["offset"].tolist(),
        columns={str(t): column_values(cols[str(t)], k) for t, k, _ in specs_of(tags)},
        invalid=cols.invalid,
        garbled=cols.garbled.tolist(),
        messages=cols.messages,
    )


def arrow_values(column: pa.ChunkedArray, kind: str, scale: int) -> list[object]:
    """An Arrow column as :func:`column_values` gives a numpy one."""
    if kind == "time":
        return list(column.cast(pa.int64()).to_pylist())
    if kind == "date":
        return list(column.cast(pa.int32()).to_pylist())
    values = column.to_pylist()
    if kind == "decimal":
        return [None if v is None else int(v.scaleb(scale)) for v in values]
    return list(values)


def assert_matches(got: Expected, want: Expected) -> None:
    """Field by field, so a failure names the column that differs."""
    assert got.garbled == want.garbled
    assert got.messages == want.messages
    assert got.msg_type == want.msg_type
    assert got.offset == want.offset
    assert got.columns.keys() == want.columns.keys()
    for name, values in want.columns.items():
        assert got.columns[name] == values, f"column {name}"
    assert got.invalid == want.invalid


# The generated logs.


@pytest.fixture(scope="module")
def items() -> list[Item]:
    """Messages and garbage, the same for every format."""
    return LogGenerator(SEED).items(300)


@pytest.fixture(scope="module")
def logs(items: list[Item]) -> dict[str, Log]:
    """``items`` rendered in every format, and in a log mixing them line by line."""
    out = {fmt: render(items, fmt, LogGenerator(SEED + i)) for i, fmt in enumerate(FORMATS)}
    gen = LogGenerator(SEED + 99)
    out["mixed"] = render(items, [gen.rng.choice(FORMATS) for _ in items], gen, final_newline=True)
    return out


def test_generated_logs_hold_every_case(items: list[Item], logs: dict[str, Log]) -> None:
    messages = [i for i in items if isinstance(i, Message)]
    garbage = [i.kind for i in items if isinstance(i, Garbage)]
    assert {*GARBLED_KINDS, "text"} <= set(garbage)
    assert {m.fields[0][1] for m in messages} == {b"8", b"D", b"0"}
    fee_counts = [dict(m.fields).get(136) for m in messages]
    assert {None, b"0", b"1", b"2", b"3"} <= set(fee_counts)
    texts = [v for m in messages for t, v in m.fields if t == 58]
    assert any(not t.isascii() for t in texts)
    # Every column but MsgSeqNum <34> has absent values, and every kind invalid ones.
    expected = reference_columns(logs["soh"].data, ALL_KINDS)
    for name, values in expected.columns.items():
        assert (None in values) is (name != "34"), name
        assert any(v is not None for v in values), name
    for name in ("5001", "38", "44", "32", "14", "31", "60", "75", "43", "139"):
        assert expected.invalid[name] > 0, name
    assert not logs["pipe_no_final"].data.endswith((b"\n", b"|"))


@pytest.mark.parametrize("fmt", LOG_FORMATS)
def test_reference_reader_agrees_with_the_generator(fmt: str, logs: dict[str, Log]) -> None:
    log = logs[fmt]
    messages, garbled = reference_read(log.data)
    assert [m.offset for m in messages] == [offset for offset, _ in log.messages]
    assert [m.fields[2:-1] for m in messages] == [m.fields for _, m in log.messages]
    assert garbled == log.garbled
    unchecked, _ = reference_read(log.data, verify_checksum=False)
    assert sorted(m.offset for m in unchecked) == sorted(
        [offset for offset, _ in log.messages] + [offset for offset, _ in log.unchecked]
    )


@pytest.mark.parametrize("fmt", LOG_FORMATS)
def test_read_columns_matches_the_reference(fmt: str, logs: dict[str, Log]) -> None:
    log = logs[fmt]
    cols = fixwire.read_columns(log.data, ALL_KINDS)
    assert_matches(actual(cols, ALL_KINDS), reference_columns(log.data, ALL_KINDS))
    assert cols.rows == len(log.messages)
    assert cols.messages == len(log.messages)
    assert cols.garbled.tolist() == log.garbled


def test_every_format_gives_the_same_columns(logs: dict[str, Log]) -> None:
    base = actual(fixwire.read_columns(logs["soh"].data, ALL_KINDS), ALL_KINDS)
    for fmt in LOG_FORMATS:
        got = actual(fixwire.read_columns(logs[fmt].data, ALL_KINDS), ALL_KINDS)
        assert got.columns == base.columns, fmt
        assert got.msg_type == base.msg_type, fmt
        assert got.invalid == base.invalid, fmt
        assert len(got.garbled) == len(base.garbled), fmt


def test_values_of_every_kind() -> None:
    # Literal expectations, independent of the reference reader.
    data = b"".join(
        [
            build(
                "8",
                "11=a|58=Füllung €|38=0.55|32=1.25|14=7|31=.5|60=20260820-13:45:01.123456|"
                "75=20260820|43=Y|5001=-0042|",
            ),
            build(
                "8", "38=12.123456789|32=1.255|14=7.5|31=1e5|60=20260820-24:00:00|75=20260230|43=y|"
            ),
            build(
                "8", "38=-3|32=2.50|14=8.0|31=-2.|60=20261231-23:59:60|75=19691231|43=N|5001=1.0|"
            ),
        ]
    )
    tags = {11: "str", 58: "str", 38: "decimal", 32: "decimal:2", 14: "decimal:0", 31: "float"}
    tags |= {60: "time", 75: "date", 43: "bool", 5001: "int", 55: "str"}
    cols = fixwire.read_columns(data, tags)
    assert cols.rows == 3
    assert column_values(cols["11"], "str") == ["a", None, None]
    assert column_values(cols["58"], "str") == ["Füllung €", None, None]
    assert column_values(cols["38"], "decimal") == [55_000_000, None, -300_000_000]
    assert column_values(cols["32"], "decimal") == [125, None, 250]
    assert column_values(cols["14"], "decimal") == [7, None, 8]
    assert column_values(cols["31"], "float") == [0.5, None, -2.0]
    assert cols["60"][0] == np.datetime64("2026-08-20T13:45:01.123456", "ns")
    assert cols["60"][2] == np.datetime64("2027-01-01T00:00:00", "ns")
    assert cols["75"].tolist() == [dt.date(2026, 8, 20), None, dt.date(1969, 12, 31)]
    assert column_values(cols["43"], "bool") == [True, None, False]
    assert column_values(cols["5001"], "int") == [-42, None, None]
    assert column_values(cols["55"], "str") == [None, None, None]
    assert cols.invalid == {
        "11": 0,
        "58": 0,
        "38": 1,
        "32": 1,
        "14": 1,
        "31": 1,
        "60": 1,
        "75": 1,
        "43": 1,
        "5001": 1,
        "55": 0,
    }
    assert cols.scales == {"38": 8, "32": 2, "14": 0}


def test_text_columns_over_many_rows() -> None:
    # Text becomes numpy strings in chunks of rows; cross a chunk boundary or two.
    data = b"".join(frame(f"35=0|11=v{i}|58={'é' * (i % 3)}x|") for i in range(140_000))
    cols = fixwire.read_columns(data, [11, 58])
    assert cols.rows == 140_000
    assert cols["11"].tolist() == [f"v{i}" for i in range(140_000)]
    assert cols["58"].tolist() == ["é" * (i % 3) + "x" for i in range(140_000)]
    assert cols["msg_type"].tolist() == ["0"] * 140_000


def test_dtype_contract(logs: dict[str, Log]) -> None:
    cols = fixwire.read_columns(logs["mixed"].data, ALL_KINDS)
    assert list(cols) == ["msg_type", "offset", *map(str, ALL_KINDS)]
    assert isinstance(cols["msg_type"].dtype, np.dtypes.StringDType)
    assert not isinstance(cols["msg_type"], np.ma.MaskedArray)
    assert cols["offset"].dtype == np.int64
    assert not isinstance(cols["offset"], np.ma.MaskedArray)
    numpy_dtype = {
        "int": np.dtype(np.int64),
        "decimal": np.dtype(np.int64),
        "float": np.dtype(np.float64),
        "time": np.dtype("datetime64[ns]"),
        "date": np.dtype("datetime64[D]"),
        "bool": np.dtype(np.bool_),
    }
    for tag, kind, _ in specs_of(ALL_KINDS):
        column = cols[str(tag)]
        assert isinstance(column, np.ma.MaskedArray), tag
        assert len(column) == cols.rows, tag
        if kind == "str":
            assert isinstance(column.dtype, np.dtypes.StringDType), tag
        else:
            assert column.dtype == numpy_dtype[kind], tag
        # Every message has MsgSeqNum <34>; the other tags are absent or invalid somewhere.
        assert np.ma.getmaskarray(column).any() is np.bool_(tag != 34), tag
        assert not np.ma.getmaskarray(column).all(), tag
    assert cols.scales == {"38": 8, "44": 8, "137": 8, "32": 2, "14": 0}
    assert set(cols.invalid) == {str(t) for t in ALL_KINDS}
    assert cols.garbled.dtype.kind in "iu"


def test_bare_tags_take_the_bundled_dictionarys_kinds(logs: dict[str, Log]) -> None:
    data = logs["lines"].data
    bare = fixwire.read_columns(data, [44, 60, 43, 34, 75, 11, 58, 5001])
    assert fixwire.columns.default_kind(44) == "decimal"
    assert bare["44"].dtype == np.int64
    assert bare.scales == {"44": 8}
    assert bare["60"].dtype == np.dtype("datetime64[ns]")
    assert bare["43"].dtype == np.bool_
    assert bare["34"].dtype == np.int64
    # TradeDate <75> is not in the bundled (Kalshi) dictionary: text, like tags of no field.
    for name in ("11", "58", "5001", "75"):
        assert isinstance(bare[name].dtype, np.dtypes.StringDType), name
    kinds = {44: "decimal", 60: "time", 43: "bool", 34: "int", 75: "date", 11: "str"}
    want = reference_columns(data, kinds)
    pairs = fixwire.read_columns(data, list(kinds.items()))
    mapping = fixwire.read_columns(data, kinds)
    for got in (pairs, mapping):
        assert {n: actual(got, kinds).columns[n] for n in want.columns} == want.columns
    del kinds[75]
    assert actual(bare, kinds).columns == reference_columns(data, kinds).columns


def test_floats_reads_decimals_as_float64(logs: dict[str, Log]) -> None:
    data = logs["quickfix"].data
    tags = {38: "decimal", 44: "decimal", 32: "decimal:2", 31: "float"}
    cols = fixwire.read_columns(data, tags, floats=True)
    assert cols.scales == {}
    floats = {tag: "float" for tag in tags}
    for name in ("38", "44", "32", "31"):
        assert cols[name].dtype == np.float64, name
    assert_matches(actual(cols, floats), reference_columns(data, floats))


def test_garbage_alone_is_counted_and_never_aborts() -> None:
    gen = LogGenerator(SEED + 7)
    items: list[Item] = [gen.garbage(kind) for kind in (*GARBLED_KINDS, "text") * 5]
    for fmt in LOG_FORMATS[:-1]:
        log = render(items, fmt, gen)
        cols = fixwire.read_columns(log.data, ALL_KINDS)
        assert cols.rows == 0, fmt
        assert cols.messages == 0, fmt
        assert cols.garbled.tolist() == log.garbled, fmt
        assert len(log.garbled) == 20, fmt
        assert all(len(cols[str(tag)]) == 0 for tag in ALL_KINDS), fmt


@pytest.mark.parametrize("verify_checksum", [True, False])
def test_a_line_before_a_message_is_not_part_of_its_begin_string(verify_checksum: bool) -> None:
    # A log line holding only the start of a message, then a message. The line's bytes sum to
    # 0 modulo 256, so the CheckSum <10> of the message still holds with the line in front.
    fragment = b"8=FIXMM\n"
    assert sum(fragment) % 256 == 0
    message = build("0", "112=ping|")
    data = fragment + message
    cols = fixwire.read_columns(data, {8: "str", 112: "str"}, verify_checksum=verify_checksum)
    assert cols["offset"].tolist() == [len(fragment)]
    assert cols["8"].tolist() == ["FIXT.1.1"]
    assert cols.garbled.tolist() == [0]


@pytest.mark.parametrize("fmt", LOG_FORMATS)
def test_bad_checksum_is_a_message_when_not_verified(fmt: str, logs: dict[str, Log]) -> None:
    log = logs[fmt]
    assert log.unchecked
    cols = fixwire.read_columns(log.data, ALL_KINDS, verify_checksum=False)
    want = reference_columns(log.data, ALL_KINDS, verify_checksum=False)
    assert_matches(actual(cols, ALL_KINDS), want)
    assert cols.rows == len(log.messages) + len(log.unchecked)
    bad = {offset for offset, _ in log.unchecked}
    assert set(cols.garbled.tolist()) == set(log.garbled) - bad


@pytest.mark.parametrize("msg_types", [["8"], ["D", "0"], ("0",), ["X"]], ids=str)
def test_msg_types_filter(logs: dict[str, Log], msg_types: Sequence[str]) -> None:
    log = logs["pipe"]
    cols = fixwire.read_columns(log.data, ALL_KINDS, msg_types=msg_types)
    want = reference_columns(log.data, ALL_KINDS, msg_types=msg_types)
    assert_matches(actual(cols, ALL_KINDS), want)
    assert set(cols["msg_type"].tolist()) <= set(msg_types)
    assert cols.messages == len(log.messages)
    assert cols.rows == sum(m.fields[0][1].decode() in msg_types for _, m in log.messages)


def test_explode_small_example() -> None:
    two_fees = build("8", "17=e1|136=2|137=0.01|138=USD|139=4|137=0.02|891=1|58=after|")
    no_group = build("8", "17=e2|137=9|")
    zero = build("8", "17=e3|136=0|")
    data = two_fees + no_group + zero
    tags = {17: "str", 136: "int", 137: "decimal:2", 138: "str", 139: "int", 891: "int", 58: "str"}
    cols = fixwire.read_columns(data, tags, explode=FEES)
    assert cols.rows == 4
    assert cols.messages == 3
    assert cols["offset"].tolist() == [0, 0, len(two_fees), len(two_fees) + len(no_group)]
    assert column_values(cols["17"], "str") == ["e1", "e1", "e2", "e3"]
    assert column_values(cols["136"], "int") == [2, 2, None, 0]
    # Members come from the entry, so they are masked for a message without entries, even one
    # with a member tag outside any group (e2's 137); other tags come from the message.
    assert column_values(cols["137"], "decimal") == [1, 2, None, None]
    assert column_values(cols["138"], "str") == ["USD", None, None, None]
    assert column_values(cols["139"], "int") == [4, None, None, None]
    assert column_values(cols["891"], "int") == [None, 1, None, None]
    assert column_values(cols["58"], "str") == ["after", "after", None, None]
    # Without explode, a member column holds the first entry's value.
    plain = fixwire.read_columns(data, tags)
    assert column_values(plain["137"], "decimal") == [1, 900, None]


@pytest.mark.parametrize("msg_types", [None, ["8"]], ids=str)
def test_explode_matches_the_reference(logs: dict[str, Log], msg_types: list[str] | None) -> None:
    log = logs["mixed"]
    cols = fixwire.read_columns(log.data, ALL_KINDS, explode=FEES, msg_types=msg_types)
    want = reference_columns(log.data, ALL_KINDS, explode=(136, FEE_MEMBERS), msg_types=msg_types)
    assert_matches(actual(cols, ALL_KINDS), want)
    # One row per fee entry, one for each message without entries.
    fees = [len(_entries(m.fields, 136, FEE_MEMBERS)) for _, m in log.messages]
    kept = [m.fields[0][1].decode() for _, m in log.messages]
    assert cols.rows == sum(
        max(n, 1) for n, t in zip(fees, kept, strict=True) if msg_types is None or t in msg_types
    )
    assert max(fees) >= 2


def test_path_sources_equal_bytes(tmp_path: Path, logs: dict[str, Log]) -> None:
    first, second = logs["quickfix"].data, logs["pipe_no_final"].data
    (tmp_path / "a.log").write_bytes(first)
    (tmp_path / "b.log").write_bytes(second)
    from_bytes = actual(fixwire.read_columns(first, ALL_KINDS), ALL_KINDS)
    for source in (str(tmp_path / "a.log"), tmp_path / "a.log"):
        got = fixwire.read_columns(source, ALL_KINDS)
        assert_matches(actual(got, ALL_KINDS), from_bytes)
    # A list of paths: rows concatenated, offsets and garbled offsets within each file.
    both = fixwire.read_columns([str(tmp_path / "a.log"), tmp_path / "b.log"], ALL_KINDS)
    a = reference_columns(first, ALL_KINDS)
    b = reference_columns(second, ALL_KINDS)
    want = Expected(
        msg_type=a.msg_type + b.msg_type,
        offset=a.offset + b.offset,
        columns={name: a.columns[name] + b.columns[name] for name in a.columns},
        invalid={name: a.invalid[name] + b.invalid[name] for name in a.invalid},
        garbled=a.garbled + b.garbled,
        messages=a.messages + b.messages,
    )
    assert_matches(actual(both, ALL_KINDS), want)
    assert both.rows == len(want.offset)


def _large_log() -> tuple[Log, int]:
    """A mixed-format log of over 8 MiB whose midpoint falls inside a message holding ``8=FIX``
    in RawData <96>; returns it and the offset of that inner ``8=FIX``.

    The log repeats pieces drawn from a pool: generating 40,000 distinct messages in Python
    would take most of the time budget, and repeats read like any other message.
    """
    gen = LogGenerator(SEED + 3)
    pool = [
        render([item], gen.rng.choice(FORMATS), gen, final_newline=True)
        for item in gen.items(1500, garbage_rate=0.05)
    ]
    first: list[Log] = []
    size = 0
    while size < 9 << 19:
        first.append(gen.rng.choice(pool))
        size += len(first[-1].data)
    raw = b"x" * 4000 + b"8=FIX.4.4"
    inner = gen.message("8")
    straddler = render(
        [Message("FIX.4.4", (*inner.fields, (95, b"%d" % len(raw)), (96, raw)))], "lines", gen
    )
    # The scan's second chunk starts at the first 8=FIX after the midpoint; put the midpoint
    # 100 bytes into the straddling message, and pad the end with log text to get there.
    total = 2 * (size + 100)
    second: list[Log] = []
    size += len(straddler.data)
    while size + len((more := gen.rng.choice(pool)).data) <= total:
        second.append(more)
        size += len(more.data)
    padding = Log(b"x" * (total - size))
    log = concat([*first, straddler, *second, padding])
    return log, len(concat(first).data) + straddler.data.index(b"8=FIX", 1)


def test_threads_do_not_change_the_result() -> None:
    log, inner = _large_log()
    assert len(log.data) > 8 << 20
    assert log.data.find(b"8=FIX", len(log.data) // 2) == inner
    tags = {34: "int", 11: "str", 58: "str", 44: "decimal", 60: "time", 43: "bool", 137: "decimal"}
    one = fixwire.read_columns(log.data, tags, threads=1)
    two = fixwire.read_columns(log.data, tags, threads=2)
    assert_matches(actual(two, tags), actual(one, tags))
    assert one.rows == two.rows
    # The generator's record stands in for the reference reader, which is slow at this size.
    assert one["offset"].tolist() == [offset for offset, _ in log.messages]
    assert one.garbled.tolist() == log.garbled
    assert inner not in two.garbled.tolist()


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("mixed", {}),
        ("soh", {"msg_types": ["8"], "explode": FEES}),
        ("quickfix", {"floats": True}),
        ("pipe", {"verify_checksum": False}),
    ],
    ids=["plain", "explode", "floats", "unchecked"],
)
def test_read_arrow_matches_read_columns(
    fmt: str, options: dict[str, Any], logs: dict[str, Log]
) -> None:
    data = logs[fmt].data
    table = fixwire.read_arrow(data, ALL_KINDS, **options)
    cols = fixwire.read_columns(data, ALL_KINDS, **options)
    floats = options.get("floats", False)
    arrow_type = {
        "str": pa.large_string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "time": pa.timestamp("ns", tz="UTC"),
        "date": pa.date32(),
        "bool": pa.bool_(),
    }
    assert table.schema.names == list(cols)
    assert table.schema.field("msg_type").type == pa.large_string()
    assert table.schema.field("offset").type == pa.int64()
    assert table.num_rows == cols.rows
    assert table.schema.metadata == {b"fixwire.garbled": str(len(cols.garbled)).encode()}
    assert table.column("msg_type").to_pylist() == cols["msg_type"].tolist()
    assert table.column("msg_type").null_count == 0
    assert table.column("offset").to_pylist() == cols["offset"].tolist()
    for tag, kind, scale in specs_of(ALL_KINDS):
        kind = "float" if floats and kind == "decimal" else kind
        name = str(tag)
        column = table.column(name)
        want = pa.decimal128(38, scale) if kind == "decimal" else arrow_type[kind]
        assert column.type == want, name
        assert column.null_count == int(np.ma.getmaskarray(cols[name]).sum()), name
        assert arrow_values(column, kind, scale) == column_values(cols[name], kind), name


def test_read_arrow_from_paths(tmp_path: Path, logs: dict[str, Log]) -> None:
    paths = []
    for fmt in ("lines", "pipe", "mixed"):
        paths.append(tmp_path / f"{fmt}.log")
        paths[-1].write_bytes(logs[fmt].data)
    table = fixwire.read_arrow(paths, ALL_KINDS)
    parts = [fixwire.read_arrow(logs[fmt].data, ALL_KINDS) for fmt in ("lines", "pipe", "mixed")]
    assert table.to_pylist() == [row for part in parts for row in part.to_pylist()]
    garbled = sum(len(logs[fmt].garbled) for fmt in ("lines", "pipe", "mixed"))
    assert table.schema.metadata == {b"fixwire.garbled": str(garbled).encode()}
    single = fixwire.read_arrow(str(paths[0]), ALL_KINDS)
    assert single.equals(parts[0])


def test_byte_ranges_hold_the_messages_that_start_in_them() -> None:
    # A message belongs to the range it starts in, wherever the cut falls, even a few bytes
    # into its "8=FIX".
    gen = LogGenerator(SEED + 5)
    log = render(
        [gen.message("0"), gen.message("D"), gen.garbage("text"), gen.message("0")], "lines", gen
    )
    starts = [offset for offset, _ in log.messages]
    n = len(log.data)
    wrong = []
    for cut in range(n + 1):
        head = fixwire.read_arrow(log.data, [34], byte_range=(0, cut)).column("offset").to_pylist()
        tail = fixwire.read_arrow(log.data, [34], byte_range=(cut, n)).column("offset").to_pylist()
        if head != [s for s in starts if s < cut] or tail != [s for s in starts if s >= cut]:
            wrong.append((cut, head, tail))
    assert wrong == [], f"message starts {starts}; (cut, first range, second range): {wrong}"


@pytest.mark.parametrize(
    "tags",
    [
        [0],
        [-5],
        [True],
        [38, 38],
        [(38, "int"), 38],
        {38: "text"},
        {38: "int:2"},
        {38: "decimal:19"},
    ],
    ids=["zero", "negative", "bool", "twice", "twice-kinds", "unknown", "int-scale", "scale-19"],
)
def test_bad_columns_are_value_errors(tags: Any) -> None:
    data = build("D", "38=5|")
    with pytest.raises(ValueError, match=r"tag|kind|scale"):
        fixwire.read_columns(data, tags)
    with pytest.raises(ValueError, match=r"tag|kind|scale"):
        fixwire.read_arrow(data, tags)


def test_a_str_source_is_a_path(tmp_path: Path) -> None:
    # FIX text passed as str is a file name, not data.
    with pytest.raises(FileNotFoundError):
        fixwire.read_columns("8=FIX.4.4|9=5|35=0|10=000|", [34])
    with pytest.raises(FileNotFoundError):
        fixwire.read_columns(str(tmp_path / "missing.log"), [34])
    with pytest.raises(FileNotFoundError):
        fixwire.read_arrow([tmp_path / "missing.log"], [34])
    with pytest.raises(OSError, match=r"device|directory"):
        fixwire.read_columns(str(tmp_path), [34])
    with pytest.raises(ValueError, match="single source"):
        fixwire.read_arrow([tmp_path, tmp_path], [34], byte_range=(0, 1))


def test_empty_input() -> None:
    cols = fixwire.read_columns(b"", ALL_KINDS)
    assert cols.rows == 0
    assert cols.messages == 0
    assert len(cols.garbled) == 0
    assert isinstance(cols["msg_type"].dtype, np.dtypes.StringDType)
    assert cols["60"].dtype == np.dtype("datetime64[ns]")
    assert all(len(cols[str(tag)]) == 0 for tag in ALL_KINDS)
    table = fixwire.read_arrow(b"", ALL_KINDS)
    assert table.num_rows == 0
    assert table.schema.field("44").type == pa.decimal128(38, 8)


def test_text_that_is_not_utf8_is_masked_and_counted() -> None:
    data = frame(b"35=0|34=1|58=\xff|") + frame(b"35=0|34=2|58=ok|")
    cols = fixwire.read_columns(data, [34, (58, "str")])
    assert cols.rows == 2
    assert cols.invalid["58"] == 1
    assert list(np.ma.getmaskarray(cols["58"])) == [True, False]
    assert cols["58"][1] == "ok"


@pytest.mark.parametrize(
    "out",
    [
        np.empty(2, dtype=np.dtypes.StringDType()),  # one row short
        np.empty(3, dtype="S4"),
        np.empty((3, 1), dtype=np.dtypes.StringDType()),
        np.empty(6, dtype=np.dtypes.StringDType())[::2],  # not contiguous
    ],
)
def test_text_is_packed_only_into_an_array_made_for_it(out: np.ndarray[Any, Any]) -> None:
    """The binding writes numpy's packed strings itself: it refuses any other target."""
    offsets = np.array([0, 1, 3, 3], dtype=np.int64)
    data = np.frombuffer(b"abc", dtype=np.uint8)
    with pytest.raises(ValueError, match="StringDType"):
        _native.pack_strings(out, offsets, data)
    fine = np.empty(3, dtype=np.dtypes.StringDType())
    _native.pack_strings(fine, offsets, data)
    assert fine.tolist() == ["a", "bc", ""]
    fine.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        _native.pack_strings(fine, offsets, data)
    with pytest.raises(ValueError, match="row 1 is not UTF-8"):
        _native.pack_strings(
            np.empty(2, dtype=np.dtypes.StringDType()),
            offsets[:3],
            np.frombuffer(b"a\xff\xfe", dtype=np.uint8),
        )
