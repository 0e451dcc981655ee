"""fixwire.simplefix's strict parser: what simplefix lets through, it reports.

simplefix checks neither BodyLength <9> nor CheckSum <10>, so a damaged message comes out as if
it were whole. ``FixParser(strict=True)`` checks each message with ``fixwire.parse`` and raises
an ``InvalidMessageError`` naming the fault; the default parser keeps simplefix's behaviour.
"""

import logging
from typing import Any

import pytest
import simplefix

import fixwire
import fixwire.simplefix as ours
from fixtext import frame, soh
from fixwire.simplefix import errors

GOOD = soh("8=FIX.4.2|9=5|35=0|10=161|")
BAD_CHECKSUM = soh("8=FIX.4.2|9=5|35=0|10=162|")
BAD_LENGTH = soh("8=FIX.4.2|9=6|35=0|10=161|")


def parse_all(parser: Any, data: bytes) -> list[object]:
    """Every message (raw bytes) or error (its name) ``parser`` gives for ``data``."""
    parser.append_buffer(data)
    found: list[object] = []
    for _ in range(10):
        try:
            message = parser.get_message()
        except Exception as exc:  # the error's name is the result compared
            found.append(type(exc).__name__)
            continue
        if message is None:
            return found
        found.append(message.encode(raw=True))
    raise AssertionError(f"no end after {found}")


@pytest.mark.parametrize("damaged", [BAD_CHECKSUM, BAD_LENGTH])
def test_lenient_parsers_pass_damage_on(damaged: bytes) -> None:
    assert parse_all(simplefix.FixParser(), damaged + GOOD) == [damaged, GOOD]
    assert parse_all(ours.FixParser(), damaged + GOOD) == [damaged, GOOD]


@pytest.mark.parametrize(
    ("damaged", "error", "kind"),
    [
        (BAD_CHECKSUM, errors.BadChecksumValueError, "bad_checksum"),
        (BAD_LENGTH, errors.BadMessageLengthError, "bad_body_length"),
        (frame("35=0|58=|", "FIX.4.2"), errors.InvalidMessageError, "empty_value"),
    ],
)
def test_strict_parser_reports_the_fault_and_goes_on(
    damaged: bytes, error: type[errors.InvalidMessageError], kind: str
) -> None:
    parser = ours.FixParser(strict=True, allow_empty_values=True)
    parser.append_buffer(damaged + GOOD)
    with pytest.raises(error) as caught:
        parser.get_message()
    assert caught.value.kind == kind
    assert isinstance(caught.value, fixwire.DecodeError)
    assert isinstance(caught.value, errors.ParsingError)
    message = parser.get_message()
    assert message is not None
    assert message.encode(raw=True) == GOOD


def test_checksum_error_names_the_tag_and_offset() -> None:
    parser = ours.FixParser(strict=True)
    parser.append_buffer(b"1=junk\x01" + BAD_CHECKSUM)
    with pytest.raises(errors.BadChecksumValueError) as caught:
        parser.get_message()
    assert caught.value.tag == 10
    # The offset counts from the message's BeginString <8>, not from the junk before it.
    assert caught.value.offset == BAD_CHECKSUM.index(b"10=")


def test_undeclared_data_field_is_cut_by_default_and_caught_when_strict() -> None:
    # A private data field holding SOH and "10=": simplefix ends the message inside it and
    # drops the rest as fields before a BeginString <8>.
    data = frame("35=D|5001=9|5002=ab|10=123|11=x|", "FIX.4.4")
    theirs = parse_all(simplefix.FixParser(), data)
    assert theirs == parse_all(ours.FixParser(), data)
    assert theirs[0] == data[: data.index(b"10=123") + 7]
    assert parse_all(ours.FixParser(strict=True), data) == ["BadMessageLengthError"]
    declared = ours.FixParser(strict=True)
    declared.add_raw(5001, 5002)
    # fixwire's frame check knows only the standard data fields: it reads 5002 up to SOH.
    assert parse_all(declared, data) == ["InvalidMessageError"]


def test_strict_parser_reads_byte_by_byte() -> None:
    parser = ours.FixParser(strict=True)
    found = []
    for byte in b"1=2\x01" + GOOD + GOOD:
        parser.append_buffer(bytes((byte,)))
        message = parser.get_message()
        if message is not None:
            found.append(message.encode(raw=True))
    assert found == [GOOD, GOOD]


@pytest.mark.parametrize("options", [{"stop_byte": b"\n"}, {"stop_tag": 58}])
def test_strict_parser_needs_the_standard_frame(options: dict[str, object]) -> None:
    parser = ours.FixParser(strict=True, **options)  # type: ignore[arg-type]
    parser.append_buffer(GOOD)
    with pytest.raises(errors.ParserConfigError, match="strict"):
        parser.get_message()


def test_dropped_fields_are_logged_by_tag_only(caplog: pytest.LogCaptureFixture) -> None:
    parser = ours.FixParser()
    with caplog.at_level(logging.DEBUG, logger="fixwire.simplefix"):
        assert parse_all(parser, b"1=secret\x0195=2\x01" + GOOD) == [GOOD]
    assert caplog.messages == ["dropped 2 fields before BeginString <8>, tags [1, 95]"]


def test_errors_are_fixwire_errors() -> None:
    assert issubclass(errors.ParsingError, fixwire.FixError)
    assert issubclass(errors.ParserConfigError, fixwire.FixError)
    assert issubclass(errors.TagNotNumberError, ValueError)
    with pytest.raises(errors.ParserConfigError):
        ours.FixParser(allow_missing_begin_string=True)


def feed_until_error(parser: Any, chunk: bytes, times: int) -> int:
    """Append ``chunk`` up to ``times`` times, reading after each; the append that failed."""
    for count in range(1, times + 1):
        parser.append_buffer(chunk)
        try:
            assert parser.get_message() is None
        except errors.MessageTooLargeError:
            return count
    return 0


HEAD = GOOD[: GOOD.index(b"10=")]


@pytest.mark.parametrize(
    ("start", "chunk", "failed_at"),
    [
        (HEAD, b"x" * 1000, 10),
        (HEAD, b"58=" + b"y" * 996 + b"\x01", 10),
        # Fields before BeginString are dropped as they are read: nothing piles up.
        (b"", b"1=2\x01" * 250, 0),
    ],
    ids=["no SOH", "fields without CheckSum", "fields before BeginString"],
)
def test_a_message_that_never_ends_is_dropped_at_the_limit(
    start: bytes, chunk: bytes, failed_at: int
) -> None:
    parser = ours.FixParser(max_message_size=10_000)
    parser.append_buffer(start)
    assert parser.get_message() is None
    assert feed_until_error(parser, chunk, 50) == failed_at
    if failed_at:
        assert parser.get_buffer() == b""
        assert parser.pairs == []
    assert parse_all(parser, GOOD) == [GOOD]


def test_the_limit_holds_when_a_bad_tag_blocks_the_buffer() -> None:
    parser = ours.FixParser(max_message_size=10_000)
    parser.append_buffer(b"8=FIX.4.2\x01x=1\x01")
    with pytest.raises(errors.TagNotNumberError):
        parser.get_message()
    for _ in range(9):
        parser.append_buffer(GOOD * 40)
        with pytest.raises(errors.TagNotNumberError):
            parser.get_message()
    parser.append_buffer(GOOD * 40)
    with pytest.raises(errors.MessageTooLargeError):
        parser.get_message()
    assert parse_all(parser, GOOD) == [GOOD]


def test_no_limit_holds_everything_as_simplefix_does() -> None:
    junk = b"x" * (2 << 20)
    for parser in (simplefix.FixParser(), ours.FixParser(max_message_size=None)):
        parser.append_buffer(junk)
        assert parser.get_message() is None
        assert parser.get_buffer() == junk


def test_default_limit_is_a_mebibyte() -> None:
    assert ours.parser.MAX_MESSAGE_SIZE == 1 << 20
    parser = ours.FixParser()
    assert feed_until_error(parser, b"x" * (1 << 16), 20) == 17
