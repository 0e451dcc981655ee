"""Scale-out: FIX logs as a Dask DataFrame, one partition per file or per byte range.

Logs are named by path or fsspec URL (``s3://``, ``gs://``, ``file://``, ``memory://``, globs
in any of them); each partition reads its own bytes through fsspec on whichever worker runs it,
so the same call works on a laptop and on a cluster::

    from dask.distributed import Client
    import fixwire.dask

    client = Client("scheduler.internal:8786")        # or LocalCluster() on one machine
    df = fixwire.dask.read_fix("s3://fix/2026-08-*.log", ["MsgType", "ClOrdID", "Price"],
                               dictionary=fixwire.Dictionary.kalshi(), blocksize=256 << 20)
    df.groupby("msg_type").size().compute()

A byte range holds the messages that *start* in it (a message crossing the range's end belongs
to it), and the rows are exactly those of reading each file whole: ranges are read in parallel,
each from a little before its start to find the message it starts in, then checked in file
order against where the previous range's last message ended; a range that guessed wrong (it
starts inside a message longer than the look-back whose data holds ``8=FIX``) is read again
from there (see ``fixwire._ranges``). A file not split into ranges is memory-mapped when it is
local, and read whole otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from fixwire._extras import require
from fixwire._ranges import RangeRead, Scanner, scan_range, settle
from fixwire.columns import Explode, TagSpec, _group, _specs
from fixwire.table import ColumnTable, _read_table

if TYPE_CHECKING:
    import dask.dataframe as dd
    import fsspec
    import pandas as pd

    from fixwire._native import Dictionary

__all__ = ["read_fix"]

Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


@dataclass(frozen=True)
class _Log:
    """One log: its filesystem (picklable), path and size; reads ranges of it."""

    fs: fsspec.AbstractFileSystem
    path: str
    size: int

    def read(self, offset: int, length: int) -> bytes:
        return cast("bytes", self.fs.cat_file(self.path, start=offset, end=offset + length))

    def local(self) -> bool:
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        return "file" in protocols


def _logs(paths_or_glob: Paths, storage_options: dict[str, Any] | None) -> list[_Log]:
    from fsspec.core import url_to_fs

    names = (
        [os.fspath(paths_or_glob)]
        if isinstance(paths_or_glob, str | os.PathLike)
        else [os.fspath(p) for p in paths_or_glob]
    )
    logs = []
    for name in names:
        fs, path = url_to_fs(name, **(storage_options or {}))
        found = sorted(fs.glob(path)) if any(c in path for c in "*?[") else [path]
        logs += [_Log(fs, p, int(fs.size(p))) for p in found]
    if not logs:
        raise FileNotFoundError(f"no FIX log matches {paths_or_glob!r}")
    return logs


def _frame(table: ColumnTable) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    return cast("pd.DataFrame", pa.table(table).to_pandas(types_mapper=pd.ArrowDtype))


def _whole(log: _Log, scanner: Scanner) -> pd.DataFrame:
    """A log not split into ranges: memory-mapped when local, else read whole."""
    source: str | bytes = log.path if log.local() else log.read(0, log.size)
    return _frame(
        _read_table(
            source, scanner.specs, scanner.msg_types, scanner.explode, scanner.verify_checksum, 1
        )
    )


def _guess(log: _Log, start: int, end: int, scanner: Scanner) -> RangeRead:
    """A range read on its own: exact from the file's start, speculative elsewhere."""
    return scan_range(log.read, log.size, start, end, scanner, boundary=start == 0)


def _settled(
    log: _Log, start: int, end: int, scanner: Scanner, guess: RangeRead, before: int | None
) -> RangeRead:
    if before is None:
        return guess
    return settle(log.read, log.size, start, end, scanner, guess, before)


def _rows(
    log: _Log, start: int, end: int, scanner: Scanner, guess: RangeRead, before: int | None
) -> pd.DataFrame:
    return _frame(_settled(log, start, end, scanner, guess, before).table)


def _reached(
    log: _Log, start: int, end: int, scanner: Scanner, guess: RangeRead, before: int | None
) -> int:
    # Only where the rows end is needed: a range read again is read without columns.
    light = Scanner([], None, None, scanner.verify_checksum)
    return _settled(log, start, end, light, guess, before).reached


def read_fix(
    paths_or_glob: Paths,
    tags: TagSpec,
    *,
    msg_types: Iterable[str] | None = None,
    explode: Explode | None = None,
    floats: bool = False,
    verify_checksum: bool = True,
    blocksize: int | None = None,
    dictionary: Dictionary | None = None,
    storage_options: dict[str, Any] | None = None,
) -> dd.DataFrame:
    """FIX messages of many logs as a Dask DataFrame (pyarrow-backed dtypes).

    Args:
        paths_or_glob: Paths or fsspec URLs, or one of them; globs are expanded.
        tags: Columns as for :func:`fixwire.read_columns`: tags, or field names of
            ``dictionary``.
        msg_types: Only these MsgType <35> values become rows.
        explode: One row per entry of this repeating group (a ``GroupSpec``, or its name or
            NumInGroup tag in ``dictionary``).
        floats: Decimals as float64 instead of exact decimal128.
        verify_checksum: Check CheckSum <10>.
        blocksize: Split logs larger than this many bytes into partitions of about this size;
            by default one partition per log.
        dictionary: Names, kinds and enums of the columns, as for
            :func:`fixwire.read_columns`; resolved here, so workers need no dictionary.
        storage_options: Options for the fsspec filesystem (credentials, endpoints).

    Returns:
        A lazy DataFrame with columns ``msg_type``, ``offset`` (within its log) and one per
        column, named as :func:`fixwire.read_columns` names them.

    Raises:
        ColumnError: a column or group the dictionary does not define, or a bad kind.
        FileNotFoundError: nothing matches.
    """
    require("fixwire.dask.read_fix", "dask", "dask.dataframe", "fsspec", "pyarrow")
    import dask.dataframe as dd
    from dask.delayed import delayed

    types = None if msg_types is None else list(msg_types)
    scanner = Scanner(
        _specs(tags, floats, dictionary), types, _group(explode, dictionary, types), verify_checksum
    )
    meta = _frame(ColumnTable(scanner.specs, [scanner.scan(b"", (0, 0))]))
    parts = []
    for log in _logs(paths_or_glob, storage_options):
        if blocksize is None or log.size <= blocksize:
            parts.append(delayed(_whole)(log, scanner))
            continue
        before = None
        for start in range(0, log.size, blocksize):
            where = (log, start, min(start + blocksize, log.size), scanner)
            guess = delayed(_guess)(*where)
            parts.append(delayed(_rows)(*where, guess, before))
            before = delayed(_reached)(*where, guess, before)
    return cast("dd.DataFrame", dd.from_delayed(parts, meta=meta, verify_meta=False))
