"""fixwire._ranges: a log read a byte range at a time gives the rows of reading it whole, the
speculative read of a range that starts inside a long message carrying FIX included.
"""

import pyarrow as pa

import fixwire
from fixlog import LogGenerator, render
from fixtext import build, frame
from fixwire._ranges import LOOK_BACK, TAIL, Scanner, scan_range, settle
from fixwire.columns import _specs

SCANNER = Scanner(_specs({11: "str", 34: "int", 44: "decimal"}, False), None, None, True)


def carrying_log() -> tuple[bytes, int, int]:
    """A message longer than the look-back and read-ahead whose RawData <96> carries a whole
    FIX message past the look-back, between two short ones; where the outer and the carried
    messages start.
    """
    carried = frame("35=D|11=carried|")
    data = b"a" * (LOOK_BACK + TAIL) + carried + b"b" * (LOOK_BACK + TAIL)
    outer = build("8", b"11=outer|95=%d|96=%s|" % (len(data), data))
    log = build("0", "11=first|") + outer + build("0", "11=next|")
    return log, log.index(outer), log.index(carried)


def reader(log: bytes):  # type: ignore[no-untyped-def]
    return lambda offset, length: log[offset : offset + length]


def ids(table: fixwire.ColumnTable) -> list[object]:
    return list(pa.table(table).column("11").to_pylist())


def test_a_speculative_read_is_fooled_and_settling_corrects_it() -> None:
    log, _, carried = carrying_log()
    read = reader(log)
    first = scan_range(read, len(log), 0, carried - 10, SCANNER, boundary=True)
    # The first range owns the outer message, read whole past its end (and the read-ahead).
    assert ids(first.table) == ["first", "outer"]
    assert first.reached > carried
    # On its own, the second range cannot see the outer message's start: it takes the carried
    # message for a message of its own.
    guess = scan_range(read, len(log), carried - 10, len(log), SCANNER, boundary=False)
    assert ids(guess.table) == ["carried", "next"]
    # Told where the first range's last message ended, it reads again from there.
    settled = settle(read, len(log), carried - 10, len(log), SCANNER, guess, first.reached)
    assert ids(settled.table) == ["next"]
    assert settled.entry == first.reached
    whole = fixwire.read_table(log, {11: "str", 34: "int", 44: "decimal"})
    assert ids(first.table) + ids(settled.table) == ids(whole)


def test_a_right_guess_stands() -> None:
    gen = LogGenerator(77)
    log = render(gen.items(300), "lines", gen).data
    read = reader(log)
    cut = len(log) // 2
    first = scan_range(read, len(log), 0, cut, SCANNER, boundary=True)
    guess = scan_range(read, len(log), cut, len(log), SCANNER, boundary=False)
    assert settle(read, len(log), cut, len(log), SCANNER, guess, first.reached) is guess
    whole = fixwire.read_table(log, {11: "str", 34: "int", 44: "decimal"})
    assert ids(first.table) + ids(guess.table) == ids(whole)
    offsets = pa.table(first.table).column("offset").to_pylist()
    offsets += pa.table(guess.table).column("offset").to_pylist()
    assert offsets == pa.table(whole).column("offset").to_pylist()


def test_a_range_inside_one_message_has_no_rows() -> None:
    log, outer, carried = carrying_log()
    read = reader(log)
    first = scan_range(read, len(log), 0, outer + 100, SCANNER, boundary=True)
    guess = scan_range(read, len(log), carried - 5, carried + 5, SCANNER, boundary=False)
    settled = settle(read, len(log), carried - 5, carried + 5, SCANNER, guess, first.reached)
    assert ids(settled.table) == []
    assert settled.reached == first.reached
