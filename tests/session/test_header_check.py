"""The native in-sequence check (``fixwire._native.HeaderCheck``) against the checks it stands in
for, written out here in Python as the session made them before the check was native.

``HeaderCheck.in_sequence`` lets the session hand a message over without its full order of
checks, so it must never say True where those checks would not all pass: the property below
holds it to that over messages built from right, wrong, missing, repeated and undecodable
header fields, any MsgSeqNum <34> text, and SendingTime <52> on either side of the allowed
skew. The other way it may only be stricter within its 1 ms margin of the skew's bound.
"""

from __future__ import annotations

import os

from hypothesis import example, given, settings
from hypothesis import strategies as st

import fixwire
from fixwire._native import HeaderCheck
from fixwire.errors import DecodeError
from fixwire.session.checks import sending_time_off

EXAMPLES = int(os.environ.get("FIXWIRE_SESSION_FUZZ_EXAMPLES", "300"))
OURS, PEER, BEGIN = "US", "THEM", "FIXT.1.1"
NOON = 1_796_644_800.0  # 2026-12-07T12:00:00Z.
SENT = "20261207-12:00:00.000"
_FAST_TAGS = (8, 35, 49, 56, 43)
ADMIN = frozenset({"0", "1", "2", "3", "4", "5", "A"})


def python_in_sequence(
    msg: fixwire.Message, expected: int, now: float, peer: str | None, skew: float | None
) -> bool:
    """The session's in-sequence conditions as Python wrote them."""
    try:
        begin, msg_type, sender, target, possible_duplicate = msg.values(_FAST_TAGS)
        seq_num = msg.get_int(34)
    except DecodeError:
        return False
    if (
        msg_type in ADMIN
        or seq_num != expected
        or begin != BEGIN
        or (possible_duplicate is not None and possible_duplicate != "N")
        or target != OURS
        or sender is None
        or (peer is not None and sender != peer)
    ):
        return False
    return not sending_time_off(msg, now, skew)


def frame(begin: str, fields: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(b"%d=%s\x01" % (tag, value) for tag, value in fields)
    head = b"8=%s\x019=%d\x01%s" % (begin.encode(), len(body), body)
    return head + b"10=%03d\x01" % fixwire.checksum(head)


def choice(*values: bytes | None) -> st.SearchStrategy[bytes | None]:
    return st.sampled_from(values)


HEADER_FIELDS = {
    35: choice(b"D", b"8", b"0", b"A", b"5", b"AE", b"\xff"),
    34: choice(b"7", b"8", b"07", b"+7", b"-7", b"x", b"7.0", b"99999999999999999999", None),
    49: choice(b"THEM", b"OTHER", b"THEM ", b"\xc3\xa9", b"\xff", None),
    56: choice(b"US", b"us", b"OTHER", b"\xff", None),
    43: choice(None, b"N", b"Y", b"X", b"n"),
    52: choice(
        b"20261207-12:00:00.000",
        b"20261207-12:00:00",
        b"20261207-12:00:00.000123",
        b"20261207-11:58:00.000",
        b"20261207-12:02:00.500",
        b"20261207-12:00:00.0",
        b"2026-12-07",
        None,
    ),
}


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    present = {tag: draw(values) for tag, values in HEADER_FIELDS.items()}
    fields: list[tuple[int, bytes]] = [(35, present.pop(35) or b"D")]
    order = draw(st.permutations(sorted(present)))
    fields += [(tag, value) for tag in order if (value := present[tag]) is not None]
    fields.append((11, b"ORDER-1"))
    repeated = draw(st.sampled_from([None, 49, 56, 34, 52]))
    if repeated is not None:
        fields.append((repeated, draw(HEADER_FIELDS[repeated]) or b"Z"))
    begin = draw(st.sampled_from([BEGIN, BEGIN, "FIX.4.4"]))
    return frame(begin, fields)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    raw=messages(),
    expected=st.sampled_from([7, 8]),
    offset=st.one_of(
        st.sampled_from([0.0, 119.998, 119.9995, 120.0, 120.0001, -119.9995, -121.0]),
        st.floats(-200, 200, allow_nan=False),
    ),
    peer=st.sampled_from([PEER, None]),
    skew=st.sampled_from([120.0, 0.5, None]),
)
@example(
    raw=frame(BEGIN, [(35, b"D"), (34, b"7"), (49, b"THEM"), (56, b"US"), (52, SENT.encode())]),
    expected=7,
    offset=0.0,
    peer=PEER,
    skew=120.0,
)
def test_true_only_where_every_check_passes(
    raw: bytes, expected: int, offset: float, peer: str | None, skew: float | None
) -> None:
    msg = fixwire.parse(raw)
    now = NOON + offset
    native = HeaderCheck(BEGIN, OURS, peer, skew).in_sequence(msg, expected, now)
    python = python_in_sequence(msg, expected, now, peer, skew)
    if native:
        assert python
    elif python:
        # Stricter only within the margin of the skew's bound.
        assert skew is not None
        sent = msg.get_time_ns(52)
        assert sent is not None
        assert abs(sent / 1e9 - now) > skew - 0.001 - 1e-6


def test_the_common_message_is_taken() -> None:
    """The property is not met by a check that says False to everything."""
    raw = frame(BEGIN, [(35, b"D"), (34, b"7"), (49, b"THEM"), (56, b"US"), (52, SENT.encode())])
    check = HeaderCheck(BEGIN, OURS, PEER, 120.0)
    assert check.in_sequence(fixwire.parse(raw), 7, NOON)
    assert check.in_sequence(fixwire.parse(raw), 7, int(NOON) + 60)
    assert not check.in_sequence(fixwire.parse(raw), 8, NOON)
