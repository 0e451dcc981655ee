"""Interoperability with simplefix: each side reads the other's bytes as the same fields."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import simplefix
from hypothesis import given, settings
from hypothesis import strategies as st

import fixwire
from fixtext import CorpusEntry

SENT = datetime(2026, 8, 20, 14, 30, 5, 123000, tzinfo=UTC)


def simplefix_fields(data: bytes) -> list[tuple[int, bytes]]:
    """Parse ``data`` with simplefix; return its ``(tag, value)`` pairs."""
    parser = simplefix.FixParser()
    parser.append_buffer(data)
    msg = parser.get_message()
    assert msg is not None, "simplefix found no message"
    assert parser.get_buffer() == b"", "simplefix left bytes over"
    return [(int(tag), bytes(value)) for tag, value in msg.pairs]


def fixwire_fields(data: bytes) -> list[tuple[int, bytes]]:
    """Parse ``data`` with fixwire; return its ``(tag, value)`` pairs as bytes."""
    msg = fixwire.parse(data)
    return [(tag, value.encode()) for tag, value in msg]


def test_corpus_parses_identically(corpus_entry: CorpusEntry) -> None:
    assert fixwire_fields(corpus_entry.data) == simplefix_fields(corpus_entry.data)


def test_our_encoding_parses_in_simplefix() -> None:
    encoder = fixwire.Encoder("8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10", "KalshiRT")
    signature = b"sig\x01with\x01soh\x0110=000\x01"
    data = encoder.encode(
        "A",
        [(98, 0), (108, 30), (96, signature), (141, True), (1137, "9"), (21005, True)],
        seq_num=1,
        sending_time=SENT,
    )
    assert simplefix_fields(data) == [
        (8, b"FIXT.1.1"),
        (9, data.split(b"\x01")[1][2:]),
        (35, b"A"),
        (49, b"8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10"),
        (56, b"KalshiRT"),
        (34, b"1"),
        (52, b"20260820-14:30:05.123"),
        (98, b"0"),
        (108, b"30"),
        (95, b"%d" % len(signature)),
        (96, signature),
        (141, b"Y"),
        (1137, b"9"),
        (21005, b"Y"),
        (10, data[-4:-1]),
    ]


def test_our_groups_parse_in_simplefix() -> None:
    encoder = fixwire.Encoder("Kalshi", "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10")
    party: list[tuple[int, Any]] = [
        (20109, "user-456"),
        (20110, 24),
        (1703, [[(1704, Decimal("100.00")), (1705, "PAYOUT")]]),
        (136, [[(137, Decimal("0.00")), (138, "USD"), (139, "4"), (891, 0)]]),
    ]
    data = encoder.encode(
        "UMS", [(20105, "settle-123"), (20108, [party, party])], seq_num=2, sending_time=SENT
    )
    fields = simplefix_fields(data)
    assert fields == fixwire_fields(data)
    assert [v for t, v in fields if t == 20108] == [b"2"]
    assert [v for t, v in fields if t == 1705] == [b"PAYOUT", b"PAYOUT"]


def simplefix_message(begin_string: str, msg_type: str) -> simplefix.FixMessage:
    """Return a simplefix message with the standard header filled in."""
    msg = simplefix.FixMessage()
    msg.append_pair(8, begin_string, header=True)
    msg.append_pair(35, msg_type, header=True)
    msg.append_pair(49, "CLIENT1", header=True)
    msg.append_pair(56, "BROKER", header=True)
    msg.append_pair(34, 12, header=True)
    msg.append_pair(52, "20260820-14:30:05.123", header=True)
    return msg


def test_simplefix_encoding_parses_in_fixwire() -> None:
    msg = simplefix_message("FIX.4.4", "D")
    msg.append_pair(11, "ORD-1")
    msg.append_pair(55, "MSFT")
    msg.append_pair(54, 1)
    msg.append_pair(38, 100)
    msg.append_pair(44, "415.25")
    msg.append_pair(58, "Ordre refusé")
    data = bytes(msg.encode())
    parsed = fixwire.parse(data)
    assert fixwire_fields(data) == simplefix_fields(data)
    assert parsed.begin_string == "FIX.4.4"
    assert parsed.msg_type == "D"
    assert parsed.seq_num == 12
    assert parsed.get_decimal(44) == Decimal("415.25")
    assert parsed[58] == "Ordre refusé"


def test_simplefix_data_field_parses_in_fixwire() -> None:
    msg = simplefix_message("FIXT.1.1", "A")
    msg.append_pair(98, 0)
    msg.append_pair(108, 30)
    msg.append_data(95, 96, b"pss\x01sig\x01=\x01")
    msg.append_pair(1137, 9)
    data = bytes(msg.encode())
    parsed = fixwire.parse(data)
    assert parsed.get_bytes(96) == b"pss\x01sig\x01=\x01"
    assert parsed.get_int(1137) == 9
    assert fixwire_fields(data) == simplefix_fields(data)


field_values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=30
)


@given(fields=st.lists(st.tuples(st.integers(5000, 9999), field_values), max_size=20))
@settings(max_examples=60, deadline=None)
def test_random_fields_agree_both_ways(fields: list[tuple[int, str]]) -> None:
    ours = fixwire.Encoder("S", "T").encode("D", fields, seq_num=3, sending_time=SENT)
    assert simplefix_fields(ours) == fixwire_fields(ours)
    theirs_msg = simplefix_message("FIXT.1.1", "D")
    for tag, value in fields:
        theirs_msg.append_pair(tag, value)
    theirs = bytes(theirs_msg.encode())
    assert fixwire_fields(theirs) == simplefix_fields(theirs)
    assert [(t, v) for t, v in fixwire_fields(theirs) if t >= 5000] == [
        (t, v.encode()) for t, v in fields
    ]
