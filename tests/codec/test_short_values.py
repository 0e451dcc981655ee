"""Short values read as text: the strings kept for repeated values never give a wrong answer.

Values of up to 24 ASCII bytes are answered from a table of kept strings keyed by their bytes
(read as up to three words, the last overlapping); these tests read values that differ in one
byte at every position of every length around the table's word sizes, values that evict one
another, and values that are not ASCII, through every read that makes text.
"""

import string
from collections.abc import Callable

import pytest

import fixwire
from fixtext import build

LENGTHS = range(1, 29)
REFUSING_READS: list[Callable[[fixwire.Message], object]] = [
    lambda msg: msg[58],
    lambda msg: msg.get(58),
    lambda msg: msg.values((58,)),
]


def reads(msg: fixwire.Message, tag: int) -> list[object]:
    """Every way of reading ``tag``'s value as text."""
    return [
        msg[tag],
        msg.get(tag),
        msg.values((tag,))[0],
        msg.get_all(tag)[0],
        dict(list(msg))[tag],
    ]


@pytest.mark.parametrize("length", LENGTHS)
def test_values_differing_in_one_byte_read_apart_at_every_length(length: int) -> None:
    base = string.ascii_letters[:length]
    variants = [base] + [base[:at] + "#" + base[at + 1 :] for at in range(length)]
    for _ in range(2):  # the second round reads the strings the first one kept
        for text in variants:
            msg = fixwire.parse(build("8", f"58={text}|"))
            assert reads(msg, 58) == [text] * 5


def test_values_that_evict_one_another_still_read_right() -> None:
    # More distinct values than the table has slots, twice over, mixed with repeated ones.
    texts = [f"{n / 100:.2f}" for n in range(3000)] + [f"SYM-{n:09d}" for n in range(3000)]
    texts += [f"KXHIGHNY-25JAN01-T{n:04d}" for n in range(3000)]
    for _ in range(2):
        for text in texts:
            msg = fixwire.parse(build("8", f"44={text}|58={text}|54=1|"))
            assert (msg[44], msg[58], msg[54]) == (text, text, "1")
            assert msg.values((44, 54, 58)) == (text, "1", text)


@pytest.mark.parametrize("length", LENGTHS)
def test_a_byte_that_is_not_ascii_at_any_position_is_decoded_or_refused(length: int) -> None:
    for at in range(length):
        text = "a" * at + "é" + "a" * (length - at - 1)  # one byte longer than `length`
        msg = fixwire.parse(build("8", f"58={text}|"))
        assert reads(msg, 58) == [text] * 5
        latin1 = b"a" * at + b"\xe9" + b"a" * (length - at - 1)
        data = build("8", b"58=" + latin1 + b"|")
        msg = fixwire.parse(data)
        for read in REFUSING_READS:
            with pytest.raises(fixwire.DecodeError) as info:
                read(msg)
            assert (info.value.kind, info.value.tag) == ("invalid_utf8", 58)
            assert info.value.offset == data.index(b"\x0158=") + 4 + at


def test_a_kept_value_is_an_exact_str_equal_to_a_fresh_one() -> None:
    data = build("8", "38=10|44=0.55|55=HIGHNY-23DEC31|")
    first, second = fixwire.parse(data), fixwire.parse(data)
    for tag, text in ((38, "10"), (44, "0.55"), (55, "HIGHNY-23DEC31")):
        assert type(second[tag]) is str
        assert second[tag] == first[tag] == text
        assert hash(second[tag]) == hash(text)
