"""fixwire.Framer: stream decoding across chunk boundaries, garbage, resynchronisation, limits."""

import pytest

import fixwire
from fixtext import SOH, CorpusEntry, bar, build, frame

NOS = build("D", "11=abc|38=10|40=2|54=1|55=HIGHNY-23DEC31|44=75|59=1|", seq=2)
HEARTBEAT = build("0", seq=3)
TEST_REQUEST = build("1", "112=PING|", seq=4)


def raws(messages: list[fixwire.Message]) -> list[bytes]:
    """Return the raw bytes of each message."""
    return [m.raw for m in messages]


def feed_all(framer: fixwire.Framer, chunks: list[bytes]) -> list[bytes]:
    """Feed every chunk in turn; return the raw bytes of every message the framer produced."""
    out: list[bytes] = []
    for chunk in chunks:
        out += raws(framer.feed(chunk))
    return out


# Valid streams.


def test_whole_corpus_in_one_chunk(corpus_entries: tuple[CorpusEntry, ...]) -> None:
    framer = fixwire.Framer()
    stream = b"".join(e.data for e in corpus_entries)
    messages = framer.feed(stream)
    assert raws(messages) == [e.data for e in corpus_entries]
    assert [m.msg_type for m in messages] == [
        fixwire.parse(e.data).msg_type for e in corpus_entries
    ]
    assert framer.drain_errors() == []
    assert framer.buffered == 0


def test_whole_corpus_byte_by_byte(corpus_entries: tuple[CorpusEntry, ...]) -> None:
    framer = fixwire.Framer()
    stream = b"".join(e.data for e in corpus_entries)
    out = feed_all(framer, [stream[i : i + 1] for i in range(len(stream))])
    assert out == [e.data for e in corpus_entries]
    assert framer.drain_errors() == []


def test_every_split_point(corpus_entry: CorpusEntry) -> None:
    data = corpus_entry.data
    for cut in range(len(data)):
        framer = fixwire.Framer()
        assert framer.feed(data[:cut]) == [], f"cut at {cut}"
        assert framer.buffered == cut, f"cut at {cut}: {bar(data[:cut])}"
        out = raws(framer.feed(data[cut:]))
        assert out == [data], f"cut at {cut}"
        assert framer.buffered == 0
        assert framer.drain_errors() == []


def test_every_split_point_of_two_messages() -> None:
    stream = NOS + HEARTBEAT
    for cut in range(len(stream) + 1):
        framer = fixwire.Framer()
        assert feed_all(framer, [stream[:cut], stream[cut:]]) == [NOS, HEARTBEAT], f"cut {cut}"
        assert framer.drain_errors() == []


def test_message_raw_is_new_bytes_equal_to_the_message() -> None:
    framer = fixwire.Framer()
    chunk = NOS + HEARTBEAT
    first, second = framer.feed(chunk)
    assert type(first.raw) is bytes
    assert first.raw == NOS
    assert first.raw is first.raw  # made once, on the first read
    assert second.raw == HEARTBEAT
    assert first == fixwire.parse(NOS)
    assert first[55] == "HIGHNY-23DEC31"
    assert second.seq_num == 3


def test_chunk_that_is_exactly_one_message_is_its_raw() -> None:
    chunk = bytes(NOS)
    (msg,) = fixwire.Framer().feed(chunk)
    assert msg.raw is chunk


def test_messages_of_a_chunk_outlive_it_and_read_the_same_as_parsed() -> None:
    groups = fixwire.GroupSpecs()
    groups.add(fixwire.GroupSpec(453, [448, 447, 452]))
    report = build("8", "37=O1|453=2|448=A|447=D|452=3|448=B|58=caf\u00e9|")
    framer = fixwire.Framer(groups=groups)
    # The report straddles two feeds; the messages after it lie in the second chunk.
    stream = NOS + report + HEARTBEAT + report + TEST_REQUEST
    cut = len(NOS) + 30
    messages = framer.feed(stream[:cut]) + framer.feed(bytearray(stream[cut:]))
    del stream
    expected = [NOS, report, HEARTBEAT, report, TEST_REQUEST]
    assert [m.raw for m in messages] == expected
    for msg, data in zip(messages, expected, strict=True):
        parsed = fixwire.parse(data, groups=groups)
        assert msg == parsed
        assert hash(msg) == hash(parsed)
        assert list(msg) == list(parsed)
        assert (msg.msg_type, msg.begin_string, msg.seq_num) == (
            parsed.msg_type,
            parsed.begin_string,
            parsed.seq_num,
        )
    kalshi = fixwire.Dictionary.kalshi()
    for msg in (messages[1], messages[3]):
        assert msg[58] == "caf\u00e9"
        entries = msg.group(453)
        assert [e.values((448, 447, 452)) for e in entries] == [("A", "D", "3"), ("B", None, None)]
        assert hash(entries[0]) == hash(b"448=A\x01447=D\x01452=3")
        assert msg.pretty(kalshi) == fixwire.parse(msg.raw).pretty(kalshi)


def test_partial_tail_is_kept() -> None:
    framer = fixwire.Framer()
    assert raws(framer.feed(NOS + HEARTBEAT[:10])) == [NOS]
    assert framer.buffered == 10
    assert raws(framer.feed(HEARTBEAT[10:])) == [HEARTBEAT]
    assert framer.buffered == 0


def test_empty_chunk() -> None:
    framer = fixwire.Framer()
    assert framer.feed(b"") == []
    assert framer.buffered == 0
    assert framer.drain_errors() == []


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_feed_accepts_bytes_like(kind: type[bytearray] | type[memoryview]) -> None:
    framer = fixwire.Framer()
    (msg,) = framer.feed(kind(bytearray(NOS)))
    assert msg.raw == NOS
    assert type(msg.raw) is bytes


def test_data_field_containing_a_message_is_not_split(corpus: dict[str, bytes]) -> None:
    # The RawData <96> of this logon contains `|8=FIXT.1.1|10=000|`.
    logon = corpus["logon_signed_rawdata_with_soh"]
    framer = fixwire.Framer()
    assert feed_all(framer, [logon[:60], logon[60:] + NOS]) == [logon, NOS]
    assert framer.drain_errors() == []


# Garbage and resynchronisation: valid messages around bad bytes are never lost.


def test_garbage_before_a_message() -> None:
    framer = fixwire.Framer()
    garbage = b"garbage\r\n"
    assert raws(framer.feed(garbage + NOS)) == [NOS]
    (error,) = framer.drain_errors()
    assert isinstance(error, fixwire.DecodeError)
    assert error.kind == "garbage"
    assert error.offset == 0


def test_garbage_between_messages() -> None:
    framer = fixwire.Framer()
    garbage = b"\x00\xff noise \x01\x01"
    assert raws(framer.feed(NOS + garbage + HEARTBEAT)) == [NOS, HEARTBEAT]
    (error,) = framer.drain_errors()
    assert error.kind == "garbage"
    assert error.offset == len(NOS)


def test_garbage_after_a_message_in_separate_chunks() -> None:
    framer = fixwire.Framer()
    out = feed_all(framer, [NOS, b"junk", b"more junk", HEARTBEAT])
    assert out == [NOS, HEARTBEAT]
    errors = framer.drain_errors()
    assert errors
    assert errors[0].offset == len(NOS)
    assert all(e.kind == "garbage" for e in errors)
    assert all(len(NOS) <= e.offset < len(NOS) + 13 for e in errors)


def test_offsets_are_absolute_across_drains() -> None:
    framer = fixwire.Framer()
    assert not framer.has_errors
    framer.feed(b"xx" + NOS)
    assert framer.has_errors
    assert [e.offset for e in framer.drain_errors()] == [0]
    assert not framer.has_errors
    assert framer.drain_errors() == []
    assert raws(framer.feed(HEARTBEAT + b"yyy" + TEST_REQUEST)) == [HEARTBEAT, TEST_REQUEST]
    (error,) = framer.drain_errors()
    assert error.offset == 2 + len(NOS) + len(HEARTBEAT)
    assert error.kind == "garbage"


def test_begin_string_prefix_that_is_not_a_message() -> None:
    framer = fixwire.Framer()
    assert raws(framer.feed(b"8=garbage\x01" + NOS)) == [NOS]
    errors = framer.drain_errors()
    assert errors
    assert errors[0].offset == 0


def test_header_fragment_followed_by_a_message() -> None:
    framer = fixwire.Framer()
    assert raws(framer.feed(b"8=FIXT.1.1\x01" + NOS + HEARTBEAT)) == [NOS, HEARTBEAT]
    errors = framer.drain_errors()
    assert errors
    assert errors[0].offset == 0


def padded(body_length: int) -> bytes:
    """Return a valid message whose BodyLength <9> is exactly ``body_length``."""
    header = "35=0|49=C|56=K|34=1|52=20260820-14:30:05.123|58="
    pad = body_length - len(header) - 1
    assert pad > 0
    return frame(header + "x" * pad + "|")


def corrupt(data: bytes, how: str) -> bytes:
    """Return ``data`` broken in one way; every way leaves its first bytes `8=FIXT.1.1|9=`."""
    trailer = data.rindex(b"10=")
    cs = int(data[trailer + 3 : trailer + 6])
    middle = len(data) // 2
    if how == "inserted_bytes":
        return data[:middle] + b"XYZ" + data[middle:]
    if how == "deleted_bytes":
        return data[:middle] + data[middle + 5 :]
    if how == "cut_in_half":
        return data[:middle]
    if how == "body_length_plus_one":
        return _shift(data, 1)
    if how == "body_length_minus_one":
        return _shift(data, -1)
    if how == "checksum_wrong":
        return data[: trailer + 3] + b"%03d" % ((cs + 1) % 256) + SOH
    if how == "checksum_short":
        return data[: trailer + 3] + b"%02d" % (cs % 100) + SOH
    if how == "checksum_long":
        return data[: trailer + 3] + b"0%03d" % cs + SOH
    if how == "checksum_non_digit":
        return data[: trailer + 3] + b"%02dx" % (cs // 10) + SOH
    if how == "flipped_body_byte":
        flipped = bytearray(data)
        flipped[middle] ^= 0x20
        return bytes(flipped)
    raise ValueError(how)


def _shift(data: bytes, delta: int) -> bytes:
    """Return ``data`` with BodyLength <9> off by ``delta`` (and a checksum matching the bytes)."""
    start = data.index(b"\x019=") + 3
    end = data.index(SOH, start)
    shifted = data[:start] + b"%d" % (int(data[start:end]) + delta) + data[end:]
    trailer = shifted.rindex(b"10=")
    return shifted[: trailer + 3] + b"%03d" % (sum(shifted[:trailer]) % 256) + SOH


CORRUPTIONS = {
    "inserted_bytes": "bad_body_length",
    "deleted_bytes": "bad_body_length",
    "cut_in_half": "bad_body_length",
    "body_length_plus_one": "bad_body_length",
    "body_length_minus_one": "bad_body_length",
    "checksum_wrong": "bad_checksum",
    "checksum_short": "bad_checksum",
    "checksum_long": "bad_checksum",
    "checksum_non_digit": "bad_checksum",
    "flipped_body_byte": "bad_checksum",
}


@pytest.mark.parametrize(("how", "kind"), CORRUPTIONS.items(), ids=list(CORRUPTIONS))
@pytest.mark.parametrize("chunking", ["one_chunk", "byte_by_byte"])
def test_corrupt_message_is_skipped_and_neighbours_kept(how: str, kind: str, chunking: str) -> None:
    bad = corrupt(NOS, how)
    # Enough valid traffic after the bad message for any BodyLength it claims to be resolved.
    after = [HEARTBEAT, TEST_REQUEST, NOS, HEARTBEAT]
    stream = HEARTBEAT + bad + b"".join(after)
    framer = fixwire.Framer()
    if chunking == "one_chunk":
        out = raws(framer.feed(stream))
    else:
        out = feed_all(framer, [stream[i : i + 1] for i in range(len(stream))])
    assert out == [HEARTBEAT, *after]
    errors = framer.drain_errors()
    assert errors, "the skipped message must be reported"
    assert errors[0].kind == kind
    assert all(len(HEARTBEAT) <= e.offset < len(HEARTBEAT) + len(bad) for e in errors)
    assert framer.buffered == 0


SKIPPED_AT_START = [
    *[(how, corrupt(NOS, how)) for how in CORRUPTIONS],
    ("body_length_over_limit", padded(4097)),
    ("body_length_huge", b"8=FIXT.1.1\x019=999999999\x0135=D\x01"),
    ("body_length_overflowing", b"8=FIXT.1.1\x019=99999999999999999999999999\x0135=D\x01"),
]


@pytest.mark.parametrize(
    "bad", [case[1] for case in SKIPPED_AT_START], ids=[case[0] for case in SKIPPED_AT_START]
)
def test_error_offset_is_where_the_skipped_bytes_start(bad: bytes) -> None:
    # The contract: `.offset` is the stream offset "where the bad bytes start", i.e. where the
    # input the framer skipped begins (the garbled message's `8=`), not the field at fault.
    framer = fixwire.Framer(max_body_length=4096)
    stream = HEARTBEAT + bad + HEARTBEAT + TEST_REQUEST + NOS + HEARTBEAT
    assert raws(framer.feed(stream))[-4:] == [HEARTBEAT, TEST_REQUEST, NOS, HEARTBEAT]
    errors = framer.drain_errors()
    assert errors
    assert errors[0].offset == len(HEARTBEAT)


def test_wrong_checksum_is_accepted_without_verification() -> None:
    bad = corrupt(HEARTBEAT, "checksum_wrong")
    framer = fixwire.Framer(verify_checksum=False)
    assert raws(framer.feed(NOS + bad + TEST_REQUEST)) == [NOS, bad, TEST_REQUEST]
    assert framer.drain_errors() == []


# Limits: a BodyLength over the maximum is garbage, not an allocation.


@pytest.mark.parametrize("limit", [64, 200, 4096])
def test_body_length_at_the_limit_is_accepted(limit: int) -> None:
    data = padded(limit)
    framer = fixwire.Framer(max_body_length=limit)
    assert raws(framer.feed(data)) == [data]
    assert framer.drain_errors() == []


@pytest.mark.parametrize("limit", [64, 200, 4096])
def test_body_length_over_the_limit_is_skipped(limit: int) -> None:
    data = padded(limit + 1)
    framer = fixwire.Framer(max_body_length=limit)
    assert raws(framer.feed(data + HEARTBEAT)) == [HEARTBEAT]
    errors = framer.drain_errors()
    assert errors
    assert errors[0].kind == "body_length_too_large"
    assert all(0 <= e.offset < len(data) for e in errors)


def test_huge_body_length_is_rejected_before_the_body_arrives() -> None:
    framer = fixwire.Framer()
    head = b"8=FIXT.1.1\x019=999999999\x0135=D\x01"
    assert framer.feed(head) == []
    (error,) = framer.drain_errors()
    assert error.kind == "body_length_too_large"
    assert 0 <= error.offset < len(head)
    assert framer.buffered < len(head)
    assert raws(framer.feed(NOS)) == [NOS]


def test_overflowing_body_length_is_rejected() -> None:
    framer = fixwire.Framer()
    head = b"8=FIXT.1.1\x019=99999999999999999999999999\x0135=D\x01"
    assert raws(framer.feed(head + NOS)) == [NOS]
    errors = framer.drain_errors()
    assert errors
    assert errors[0].kind in {"body_length_too_large", "bad_body_length"}
    assert all(0 <= e.offset < len(head) for e in errors)


def test_buffer_stays_bounded_under_endless_garbage() -> None:
    framer = fixwire.Framer(max_body_length=1024)
    for _ in range(200):
        framer.feed(b"no message here " * 64)
        assert framer.buffered < 2048
    assert raws(framer.feed(NOS)) == [NOS]
    errors = framer.drain_errors()
    assert errors
    assert all(e.kind == "garbage" for e in errors)


@pytest.mark.parametrize("value", ["8=FIX", 42, None, [1, 2]])
def test_feed_rejects_non_bytes_with_type_error(value: object) -> None:
    framer = fixwire.Framer()
    with pytest.raises(TypeError):
        framer.feed(value)  # type: ignore[arg-type]
    assert framer.buffered == 0
    assert framer.drain_errors() == []


def test_framed_message_with_a_bad_field_is_skipped() -> None:
    # Framing is fine (BodyLength and CheckSum agree) but a tag is not a number: the framer
    # must not hand out a Message that parse would refuse.
    bad = build("0", "abc=1|", seq=9)
    framer = fixwire.Framer()
    assert raws(framer.feed(NOS + bad + HEARTBEAT)) == [NOS, HEARTBEAT]
    (error,) = framer.drain_errors()
    assert error.kind == "tag_not_integer"
    assert len(NOS) <= error.offset < len(NOS) + len(bad)
