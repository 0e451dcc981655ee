"""Scale-out: FIX logs as a Dask DataFrame, one partition per file or per byte range.

Each partition is read by :func:`fixwire.read_arrow` on whichever worker runs it, so the same
call works on a laptop and on a cluster whose workers see the same paths::

    from dask.distributed import Client
    import fixwire.dask

    client = Client("scheduler.internal:8786")        # or LocalCluster() on one machine
    df = fixwire.dask.read_fix("/data/fix/2026-08-*.log", [35, 11, 38, 44, 60], blocksize=256 << 20)
    df.groupby("35").size().compute()

A byte range holds the messages that *start* in it (a message crossing the range's end belongs
to it), so ranges split the file on message boundaries and every message is read once.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from fixwire._extras import require
from fixwire.columns import ColumnSpec, Explode, TagSpec, _group, _specs
from fixwire.table import _read_table

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

    from fixwire._native import Dictionary, GroupSpec

__all__ = ["read_fix"]

Partition = tuple[str, tuple[int, int] | None]


def _paths(paths_or_glob: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str]:
    if isinstance(paths_or_glob, str | os.PathLike):
        pattern = os.fspath(paths_or_glob)
        found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    else:
        found = [os.fspath(p) for p in paths_or_glob]
    if not found:
        raise FileNotFoundError(f"no FIX log matches {paths_or_glob!r}")
    return found


def _partitions(paths: list[str], blocksize: int | None) -> list[Partition]:
    parts: list[Partition] = []
    for path in paths:
        size = os.path.getsize(path)
        if blocksize is None or size <= blocksize:
            parts.append((path, None))
        else:
            parts.extend(
                (path, (start, min(start + blocksize, size))) for start in range(0, size, blocksize)
            )
    return parts


class _ReadPartition:
    """Reads one partition; a plain picklable object, so workers can run it."""

    def __init__(
        self,
        specs: list[ColumnSpec],
        msg_types: list[str] | None,
        explode: GroupSpec | None,
        verify_checksum: bool,
    ) -> None:
        self.specs = specs
        self.msg_types = msg_types
        self.explode = explode
        self.verify_checksum = verify_checksum

    def __call__(self, part: Partition | None) -> pd.DataFrame:
        import pandas as pd
        import pyarrow as pa

        source, byte_range = (b"", None) if part is None else part
        # Dask runs partitions in parallel; each one uses a single thread.
        table = _read_table(
            source, self.specs, self.msg_types, self.explode, self.verify_checksum, 1, byte_range
        )
        return cast("pd.DataFrame", pa.table(table).to_pandas(types_mapper=pd.ArrowDtype))


def read_fix(
    paths_or_glob: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    tags: TagSpec,
    *,
    msg_types: Iterable[str] | None = None,
    explode: Explode | None = None,
    floats: bool = False,
    verify_checksum: bool = True,
    blocksize: int | None = None,
    dictionary: Dictionary | None = None,
) -> dd.DataFrame:
    """FIX messages of many files as a Dask DataFrame (pyarrow-backed dtypes).

    Args:
        paths_or_glob: Paths, or one path or glob pattern.
        tags: Columns as for :func:`fixwire.read_columns`: tags, or field names of
            ``dictionary``.
        msg_types: Only these MsgType <35> values become rows.
        explode: One row per entry of this repeating group (a ``GroupSpec``, or its name or
            NumInGroup tag in ``dictionary``).
        floats: Decimals as float64 instead of exact decimal128.
        verify_checksum: Check CheckSum <10>.
        blocksize: Split files larger than this many bytes into partitions of about this size;
            by default one partition per file.
        dictionary: Names, kinds and enums of the columns, as for
            :func:`fixwire.read_columns`; resolved here, so workers need no dictionary.

    Returns:
        A lazy DataFrame with columns ``msg_type``, ``offset`` (within its file) and one per
        column, named as :func:`fixwire.read_columns` names them.

    Raises:
        ColumnError: a column or group the dictionary does not define, or a bad kind.
    """
    require("fixwire.dask.read_fix", "dask", "dask.dataframe", "pyarrow")
    import dask.dataframe as dd

    types = None if msg_types is None else list(msg_types)
    read = _ReadPartition(
        _specs(tags, floats, dictionary), types, _group(explode, dictionary, types), verify_checksum
    )
    partitions = _partitions(_paths(paths_or_glob), blocksize)
    # dask.dataframe.from_map carries no type annotations.
    frame = dd.from_map(read, partitions, meta=read(None), enforce_metadata=False)  # type: ignore[no-untyped-call]
    return cast("dd.DataFrame", frame)
