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
from typing import TYPE_CHECKING, Any, cast

from fixwire._extras import require
from fixwire.columns import TagSpec, read_arrow

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

    from fixwire._native import GroupSpec

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

    def __init__(self, tags: TagSpec, options: dict[str, Any]) -> None:
        self.tags = tags
        self.options = options

    def __call__(self, part: Partition | None) -> pd.DataFrame:
        import pandas as pd

        if part is None:  # the empty frame that gives Dask the columns and dtypes
            table = read_arrow(b"", self.tags, **self.options)
        else:
            path, byte_range = part
            table = read_arrow(path, self.tags, byte_range=byte_range, **self.options)
        return cast("pd.DataFrame", table.to_pandas(types_mapper=pd.ArrowDtype))


def read_fix(
    paths_or_glob: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    tags: TagSpec,
    *,
    msg_types: Iterable[str] | None = None,
    explode: GroupSpec | None = None,
    floats: bool = False,
    verify_checksum: bool = True,
    blocksize: int | None = None,
) -> dd.DataFrame:
    """FIX messages of many files as a Dask DataFrame (pyarrow-backed dtypes).

    Args:
        paths_or_glob: Paths, or one path or glob pattern.
        tags: Columns as for :func:`fixwire.read_columns`.
        msg_types: Only these MsgType <35> values become rows.
        explode: One row per entry of this repeating group.
        floats: Decimals as float64 instead of exact decimal128.
        verify_checksum: Check CheckSum <10>.
        blocksize: Split files larger than this many bytes into partitions of about this size;
            by default one partition per file.

    Returns:
        A lazy DataFrame with columns ``msg_type``, ``offset`` (within its file) and one per tag.
    """
    require("fixwire.dask.read_fix", "dask", "dask.dataframe", "pyarrow")
    import dask.dataframe as dd

    options: dict[str, Any] = {
        "msg_types": None if msg_types is None else list(msg_types),
        "explode": explode,
        "floats": floats,
        "verify_checksum": verify_checksum,
        # Dask runs partitions in parallel; each one uses a single thread.
        "threads": 1,
    }
    read = _ReadPartition(tags, options)
    partitions = _partitions(_paths(paths_or_glob), blocksize)
    # dask.dataframe.from_map carries no type annotations.
    frame = dd.from_map(read, partitions, meta=read(None), enforce_metadata=False)  # type: ignore[no-untyped-call]
    return cast("dd.DataFrame", frame)
