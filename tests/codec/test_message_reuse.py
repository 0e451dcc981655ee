"""Messages made in the memory (and field array) of messages released before: nothing carries over.

``parse`` keeps released ``Message`` objects with their field arrays and makes the next messages
in them; these tests release messages of other sizes first and check that a new message reads
only its own fields, and that a released message lets go of its bytes at once.
"""

import gc
import sys
import weakref

import pytest

import fixwire
from fixtext import build, fields_of

WIDE = build("D", "".join(f"{6000 + i}=value-{i}|" for i in range(100)), seq=11)
HUGE = build("D", "".join(f"{7000 + i}=v{i}|" for i in range(200)), seq=12)
SHORT = build("0", seq=13)


def churn(data: bytes, count: int = 200) -> None:
    """Parse ``data`` ``count`` times, each message released before the next is made."""
    for _ in range(count):
        msg = fixwire.parse(data)
        assert len(msg) == len(fields_of(data))
        del msg


def expected(data: bytes) -> list[tuple[int, str]]:
    """The message's fields as ``Message`` iterates them."""
    return [(tag, value.decode()) for tag, value in fields_of(data)]


@pytest.mark.parametrize("before", [WIDE, HUGE, SHORT], ids=["wide", "huge", "short"])
@pytest.mark.parametrize("after", [WIDE, HUGE, SHORT], ids=["wide", "huge", "short"])
def test_message_after_released_ones_reads_only_its_own_fields(before: bytes, after: bytes) -> None:
    churn(before)
    msg = fixwire.parse(after)
    assert list(msg) == expected(after)
    assert len(msg) == len(expected(after))
    assert msg.raw is after
    for tag in (6000, 6099, 7000, 7199):
        present = any(t == tag for t, _ in expected(after))
        assert (tag in msg) is present
        assert (msg.get(tag) is not None) is present
        if not present:
            with pytest.raises(KeyError):
                msg[tag]
    assert msg.values((35, 6050, 7150)) == (
        fixwire.parse(after).msg_type,
        "value-50" if after is WIDE else None,
        "v150" if after is HUGE else None,
    )


def test_many_messages_alive_at_once_then_released_then_made_again() -> None:
    datas = [build("D", f"11=order-{i}|55=SYM{i}|", seq=i + 1) for i in range(300)]
    for _ in range(2):
        msgs = [fixwire.parse(data) for data in datas]
        wanted = [(i + 1, f"order-{i}", f"SYM{i}") for i in range(300)]
        assert [(m.seq_num, m[11], m[55]) for m in msgs] == wanted
        assert all(list(m) == expected(d) for m, d in zip(msgs, datas, strict=True))
        del msgs


def test_released_message_lets_go_of_its_bytes_at_once() -> None:
    data = build("D", "11=held|", seq=5)
    before = sys.getrefcount(data)
    msgs = [fixwire.parse(data) for _ in range(100)]
    assert sys.getrefcount(data) == before + 100
    del msgs
    assert sys.getrefcount(data) == before


def test_released_framer_message_lets_go_of_its_copy() -> None:
    first, second = build("D", "11=a|", seq=1), build("D", "11=b|", seq=2)
    framer = fixwire.Framer()
    msgs = framer.feed(first + second)
    raw = msgs[0].raw
    assert raw == first
    held = sys.getrefcount(raw)
    del msgs
    assert sys.getrefcount(raw) == held - 1


def test_group_entries_outlive_their_message_and_its_reuse(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_market_settlement"], groups=kalshi_groups)
    entries = msg.group(20108)
    seen = [list(entry) for entry in entries]
    del msg
    churn(WIDE)
    churn(SHORT)
    assert [list(entry) for entry in entries] == seen
    assert all(entry.msg_type == "UMS" for entry in entries)


class Holder:
    """An object that can refer to itself and be weakly referenced."""

    messages: list[fixwire.Message]
    me: object


def test_messages_in_a_reference_cycle_are_collected() -> None:
    data = bytes(WIDE)  # A copy of its own, so that only these messages hold it.
    held = sys.getrefcount(data)
    holder = Holder()
    holder.messages = [fixwire.parse(data) for _ in range(10)]
    holder.me = holder
    assert sys.getrefcount(data) == held + 10
    gone = weakref.ref(holder)
    del holder
    gc.collect()
    assert gone() is None
    assert sys.getrefcount(data) == held  # The messages let go of their bytes.
    churn(SHORT, 20)


def test_a_parse_from_a_collection_that_a_parse_started_returns_its_message() -> None:
    # Making a Message can start the cycle collector (on CPython 3.11 inside the allocation),
    # and with it Python code that parses again.
    seen: list[str] = []

    def hook(phase: str, info: object) -> None:
        if phase == "start":
            seen.append(fixwire.parse(SHORT)[35])

    assert gc.isenabled()
    gc.callbacks.append(hook)
    try:
        kept = [fixwire.parse(WIDE) for _ in range(5000)]  # More than the free list holds.
    finally:
        gc.callbacks.remove(hook)
    assert len(kept) == 5000
    assert seen
    assert set(seen) == {"0"}


def test_bad_input_and_non_ascii_values_after_reuse_raise_and_decode_as_before() -> None:
    churn(WIDE)
    text = build("D", "58=café|")
    assert fixwire.parse(text)[58] == "café"
    bad = build("D", "58=\xff|".encode("latin-1"))
    with pytest.raises(fixwire.DecodeError):
        fixwire.parse(bad)[58]
    with pytest.raises(fixwire.DecodeError):
        fixwire.parse(WIDE[:-2])
