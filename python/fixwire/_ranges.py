"""Reading a FIX log a byte range at a time, with the same rows as reading it whole.

A range owns the messages that *start* in it. Where a range starts inside a message, the bytes
after its start are not messages of their own even if they hold ``8=FIX`` (a data field
carrying a FIX message, say), so a range cannot be read on its own without knowing where the
messages before it end. Two ways are exact:

* From a *boundary*, a position known not to be inside a message (the file's start, or where
  the previous range's last message ended): :func:`scan_range` with ``boundary=True``. A scan
  of the log is the same from any position it passes through outside a message, so ranges read
  one after another from the previous one's ``reached`` give exactly the rows of a whole read
  (``fixwire export`` does this).
* *Speculatively*, in parallel (the Dask partitions): a range is read from :data:`LOOK_BACK`
  bytes before its start, which finds the message it starts in (if no longer than that), and
  its ``entry`` is noted: where its first row could start. Once the previous range's
  ``reached`` is known, :func:`settle` compares: the same entry means the same scan, so the
  rows stand; otherwise (a message longer than the look-back, whose data holds ``8=FIX``, cut
  by the range's start) the range is read again from the true boundary.

A message that crosses a range's end is read whole: the range is read :data:`TAIL` bytes
further, and further again when a candidate message there would end past what was read (up to
:data:`MAX_MESSAGE` bytes long; a longer one is garbled, as bytes past the limit are not read).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fixwire import _native
from fixwire.columns import ColumnSpec, _scan
from fixwire.table import ColumnTable

#: Bytes before a range's start read to find the message it starts in (speculative reads).
LOOK_BACK = 64 << 10
#: Bytes after a range's end read for the message that crosses it.
TAIL = 64 << 10
#: The longest message a range read reaches out for past its end, in bytes.
MAX_MESSAGE = 64 << 20

#: A candidate's BodyLength <9>, for either separator.
_HEADER = re.compile(rb"8=FIX[^\x01|]{0,16}([\x01|])9=(\d{1,10})\1")

#: ``read(offset, length) -> bytes``: the log's bytes there (fewer at its end).
Reader = Callable[[int, int], bytes]


@dataclass(frozen=True)
class Scanner:
    """What to read: the resolved columns and options of a read (picklable, for workers)."""

    specs: list[ColumnSpec]
    msg_types: list[str] | None
    explode: _native.GroupSpec | None
    verify_checksum: bool
    threads: int | None = 1

    def scan(self, data: bytes, byte_range: tuple[int, int]) -> dict[str, Any]:
        """The native scan of the messages starting in ``byte_range`` of ``data``."""
        return _scan(
            data,
            self.specs,
            self.msg_types,
            self.explode,
            self.verify_checksum,
            self.threads,
            byte_range,
        )

    def reached(self, data: bytes, at: int) -> int:
        """Where the last message starting before ``at`` in ``data`` ends, or ``at``."""
        out = _native.scan_columns(
            data, [], verify_checksum=self.verify_checksum, threads=1, byte_range=(at, at)
        )
        return int(out["reached"])


@dataclass
class RangeRead:
    """The rows of one range, with where they begin and end.

    Attributes:
        table: The rows (offsets within the log).
        entry: Where the scan entered the range: its start, or the end of the message the
            range starts in (as far as this read could tell).
        reached: Where the last message read ended (at least ``entry``).
    """

    table: ColumnTable
    entry: int
    reached: int


def scan_range(
    read: Reader, size: int, start: int, end: int, scanner: Scanner, *, boundary: bool
) -> RangeRead:
    """Read the messages that start in ``[start, end)`` of a log of ``size`` bytes.

    Args:
        read: Reads the log's bytes.
        size: The log's size.
        start: The range's start.
        end: The range's end.
        scanner: What to read.
        boundary: ``start`` is known not to be inside a message: nothing before it is read.
            Otherwise the read is speculative (see :func:`settle`).

    Returns:
        The rows and where they begin and end.
    """
    base = start if boundary else max(0, start - LOOK_BACK)
    stop = min(size, end + TAIL)
    while True:
        data = read(base, stop - base)
        scan = scanner.scan(data, (start - base, end - base))
        further = _reach_for(data, scan["garbled"], base, size)
        if further <= stop or len(data) < stop - base:
            break
        stop = further
    entry = start if boundary else base + scanner.reached(data, start - base)
    reached = base + int(scan["reached"])
    scan["offset"] += base
    scan["garbled"] += base
    return RangeRead(ColumnTable(scanner.specs, [scan]), max(entry, start), max(reached, entry))


def _reach_for(data: bytes, garbled: Any, base: int, size: int) -> int:
    """How far to read so that no garbled candidate was cut by the end of ``data``."""
    further = base + len(data)
    for offset in garbled.tolist():
        header = _HEADER.match(data, offset)
        if header is None:
            continue
        length = header.end() - offset + int(header[2]) + len(b"10=000") + 1
        if offset + length > len(data) and length <= MAX_MESSAGE:
            further = max(further, min(size, base + offset + length))
    return further


def settle(
    read: Reader, size: int, start: int, end: int, scanner: Scanner, guess: RangeRead, before: int
) -> RangeRead:
    """The exact rows of a range read speculatively as ``guess``, given ``before``: where the
    previous range's last message ended (its ``reached``, once settled).
    """
    entry = max(start, before)
    if entry == guess.entry:
        return guess
    if entry >= end:  # a message before the range covers all of it
        return RangeRead(ColumnTable(scanner.specs, [scanner.scan(b"", (0, 0))]), entry, entry)
    return scan_range(read, size, entry, end, scanner, boundary=True)
