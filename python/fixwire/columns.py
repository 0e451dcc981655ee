"""Columnar decoding: FIX logs into numpy arrays and Arrow tables.

The scan runs in Rust with the GIL released, on all cores; this module names the columns,
picks their types and wraps the buffers the scan returns, without copying them where the
types allow. See the README's "Columns" section for the dtype contract.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from fixwire import _native
from fixwire._extras import require

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from fixwire._native import Dictionary, GroupSpec

__all__ = ["STANDARD_KINDS", "Columns", "read_arrow", "read_columns"]

Source: TypeAlias = (
    "bytes | bytearray | memoryview | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]"
)
TagSpec: TypeAlias = "Iterable[int | tuple[int, str]] | Mapping[int, str]"

#: Scale of decimal columns when none is given: 8 fraction digits (an int64 mantissa then
#: holds values up to about 92 billion).
DEFAULT_DECIMAL_SCALE = 8

#: Column kinds of common FIX tags, used when a tag is given without a kind and no dictionary.
#: Tags not listed are read as text. Kinds: "str", "int", "float", "decimal" (or "decimal:N" for
#: N fraction digits), "time", "date", "bool". Given a dictionary, its field types decide
#: instead (``FieldInfo.column_kind``).
STANDARD_KINDS: dict[int, str] = {
    # SeqNum, Length, NumInGroup and int fields
    **dict.fromkeys((7, 9, 16, 34, 36, 45, 95, 108, 136, 146, 268, 371, 373, 380, 453, 789), "int"),
    **dict.fromkeys((1703, 20108, 20181), "int"),
    # Price, Qty and Amt fields
    **dict.fromkeys((6, 14, 31, 32, 38, 44, 99, 132, 133, 134, 135, 137, 151, 152), "decimal"),
    **dict.fromkeys((270, 271, 704, 705, 730, 1704, 21009, 21030, 21031), "decimal"),
    # UTCTimestamp and dates
    **dict.fromkeys((52, 60, 122, 126), "time"),
    **dict.fromkeys((75, 715), "date"),
    # Boolean
    **dict.fromkeys((43, 97, 123, 141, 893, 8013, 20126, 20127, 21005, 21011), "bool"),
}

_KINDS = ("str", "int", "float", "decimal", "time", "date", "bool")


class Columns(dict[str, "np.ndarray[Any, Any]"]):
    """The columns read from a FIX log: ``msg_type``, ``offset`` and one per requested tag.

    Requested columns are ``numpy.ma.MaskedArray`` objects, masked where the tag was absent or
    its value did not read as the column's kind. Keys are the tags as text (``"44"``).

    Attributes:
        rows: Number of rows.
        messages: Messages that parsed, before MsgType filtering.
        garbled: Offsets of message candidates that did not parse (skipped), in input order.
        invalid: Per column, how many present values did not read as its kind.
        scales: Per decimal column, the scale of its int64 mantissas.
    """

    rows: int
    messages: int
    garbled: npt.NDArray[Any]
    invalid: dict[str, int]
    scales: dict[str, int]


def _require_numpy() -> None:
    """Fail with the install hint when numpy is missing (it is an optional dependency)."""
    require("fixwire.read_columns", "columns", "numpy")


def _default_kind(tag: int, dictionary: Dictionary | None) -> str:
    """The kind of a tag given without one: its type in ``dictionary``, else the table's."""
    if dictionary is None:
        return STANDARD_KINDS.get(tag, "str")
    try:
        return dictionary.field(tag).column_kind
    except KeyError:
        return "str"


def _specs(
    tags: TagSpec, floats: bool, dictionary: Dictionary | None = None
) -> list[tuple[int, str, int]]:
    """(tag, kind, scale) for each requested tag, checked."""
    items = tags.items() if isinstance(tags, Mapping) else tags
    specs: list[tuple[int, str, int]] = []
    seen: set[int] = set()
    for item in items:
        tag, kind = item if isinstance(item, tuple) else (item, None)
        if not isinstance(tag, int) or isinstance(tag, bool) or tag <= 0:
            raise ValueError(f"a column is a positive tag number, not {tag!r}")
        if tag in seen:
            raise ValueError(f"tag {tag} is requested twice")
        seen.add(tag)
        kind = kind or _default_kind(tag, dictionary)
        name, _, scale_text = kind.partition(":")
        if floats and name == "decimal":
            name, scale_text = "float", ""
        if name not in _KINDS or (scale_text and name != "decimal"):
            raise ValueError(
                f"tag {tag}: unknown column kind {kind!r} (one of {', '.join(_KINDS)}, decimal:N)"
            )
        scale = int(scale_text) if scale_text else DEFAULT_DECIMAL_SCALE
        if not 0 <= scale <= 18:
            raise ValueError(f"tag {tag}: decimal scale must be 0-18, not {scale}")
        specs.append((tag, name, scale))
    return specs


def _scan(
    source: bytes | bytearray | memoryview | str,
    specs: list[tuple[int, str, int]],
    msg_types: Iterable[str] | None,
    explode: GroupSpec | None,
    verify_checksum: bool,
    threads: int | None,
    byte_range: tuple[int, int] | None = None,
) -> dict[str, Any]:
    _require_numpy()
    return _native.scan_columns(
        source,
        specs,
        msg_types=None if msg_types is None else list(msg_types),
        explode=explode,
        verify_checksum=verify_checksum,
        threads=threads if threads is not None else (os.cpu_count() or 1),
        byte_range=byte_range,
    )


def _sources(source: Source) -> list[bytes | bytearray | memoryview | str]:
    if isinstance(source, bytes | bytearray | memoryview | str):
        return [source]
    if isinstance(source, os.PathLike):
        return [os.fspath(source)]
    return [os.fspath(s) for s in source]


def _strings(offsets: np.ndarray[Any, Any], data: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Text values as a numpy StringDType array, each value copied once into it."""
    import numpy as np

    out = np.empty(len(offsets) - 1, dtype=np.dtypes.StringDType())
    _native.pack_strings(out, offsets, data)
    return out


_NUMPY_DTYPES = {
    "int": "int64",
    "decimal": "int64",
    "time": "datetime64[ns]",
    "date": "datetime64[D]",
}


def read_columns(
    source: Source,
    tags: TagSpec,
    *,
    msg_types: Iterable[str] | None = None,
    explode: GroupSpec | None = None,
    floats: bool = False,
    verify_checksum: bool = True,
    threads: int | None = None,
    dictionary: Dictionary | None = None,
) -> Columns:
    """Read every FIX message in ``source`` into numpy columns, one row per message.

    Args:
        source: Bytes, a path (memory-mapped, never read whole into Python), or a list of paths
            (their rows concatenated; ``offset`` is then within each file). A file must not be
            truncated while it is read (a ``copytruncate`` log rotation): the operating system
            stops the process when a mapped page disappears. Messages may be
            concatenated raw, one a line, ``|``-separated, or inside log lines with a prefix
            such as a timestamp (QuickFIX logs).
        tags: The columns: tag numbers, ``(tag, kind)`` pairs or a ``{tag: kind}`` mapping.
            Kinds: ``"str"``, ``"int"``, ``"float"``, ``"decimal"`` / ``"decimal:N"``,
            ``"time"``, ``"date"``, ``"bool"``; a bare tag takes its kind from
            ``dictionary`` when one is given (its field type; ``"str"`` for a tag it does not
            define), else from :data:`STANDARD_KINDS`, else ``"str"``.
        msg_types: Only messages of these MsgType <35> values become rows.
        explode: One row per entry of this repeating group (for example fills with their fee
            group); member columns come from the entry, the others from the message.
        floats: Read decimal columns as float64 instead of exact int64 mantissas.
        verify_checksum: Check CheckSum <10>; a message with a wrong one is garbled.
        threads: Threads for the scan; all cores by default.
        dictionary: A data dictionary whose field types give the kinds of bare tags.

    Returns:
        The columns, with counts of what was skipped (see :class:`Columns`).
    """
    _require_numpy()
    import numpy as np

    specs = _specs(tags, floats, dictionary)
    tables = [
        _scan(s, specs, msg_types, explode, verify_checksum, threads) for s in _sources(source)
    ]
    result = Columns()
    result.rows = sum(t["rows"] for t in tables)
    result.messages = sum(t["messages"] for t in tables)
    result.garbled = (
        np.concatenate([t["garbled"] for t in tables]) if tables else np.zeros(0, np.uint64)
    )
    result.invalid = {}
    result.scales = {}
    result["msg_type"] = _concat([_strings(*t.pop("msg_type")[0]) for t in tables])
    result["offset"] = _concat([t["offset"] for t in tables])
    for i, (tag, kind, scale) in enumerate(specs):
        name = str(tag)
        parts, masks, invalid = [], [], 0
        for table in tables:
            values, valid, bad = table["columns"][i]
            # Drop the scan's buffers as each column is converted, so that peak memory stays
            # near the output size: text becomes new arrays, numbers are viewed, not copied.
            table["columns"][i] = None
            parts.append(
                _strings(*values)
                if kind == "str"
                else values.view(_NUMPY_DTYPES.get(kind, values.dtype))
            )
            masks.append(np.logical_not(valid, out=valid))
            invalid += bad
        result[name] = np.ma.MaskedArray(_concat(parts), mask=_concat(masks))
        result.invalid[name] = invalid
        if kind == "decimal":
            result.scales[name] = scale
    return result


def _concat(parts: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    import numpy as np

    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def read_arrow(
    source: Source,
    tags: TagSpec,
    *,
    msg_types: Iterable[str] | None = None,
    explode: GroupSpec | None = None,
    floats: bool = False,
    verify_checksum: bool = True,
    threads: int | None = None,
    byte_range: tuple[int, int] | None = None,
    dictionary: Dictionary | None = None,
) -> pa.Table:
    """Like :func:`read_columns`, as a ``pyarrow.Table``.

    Text, int64, timestamp and float buffers are handed to Arrow without a copy; decimals become
    ``decimal128(38, scale)`` and validity becomes Arrow's null bitmaps. The table's metadata
    carries the garbled count. ``byte_range=(start, end)`` reads only messages starting in that
    byte range of a single source (the Dask partitions use it).

    Raises:
        MissingExtraError: numpy or pyarrow is not installed (the ``arrow`` extra).
    """
    require("fixwire.read_arrow", "arrow", "numpy", "pyarrow")
    import pyarrow as pa

    specs = _specs(tags, floats, dictionary)
    sources = _sources(source)
    if byte_range is not None and len(sources) != 1:
        raise ValueError("byte_range applies to a single source")
    batches = []
    garbled = 0
    for s in sources:
        table = _scan(s, specs, msg_types, explode, verify_checksum, threads, byte_range)
        garbled += len(table["garbled"])
        arrays = [_arrow_column("str", 0, *table["msg_type"]), pa.array(table["offset"])]
        arrays += [
            _arrow_column(kind, scale, *table["columns"][i])
            for i, (_, kind, scale) in enumerate(specs)
        ]
        names = ["msg_type", "offset", *(str(tag) for tag, _, _ in specs)]
        batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
    out = pa.Table.from_batches(batches)
    return out.replace_schema_metadata({"fixwire.garbled": str(garbled)})


def _arrow_column(kind: str, scale: int, values: Any, valid: Any, _invalid: int) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    rows = len(valid)
    nulls = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    if kind == "str":
        offsets, data = values
        return pa.LargeStringArray.from_buffers(
            rows, pa.py_buffer(offsets), pa.py_buffer(data), nulls
        )
    if kind == "decimal":
        # decimal128 values are 16-byte little-endian two's complement: the mantissa and its
        # sign extension.
        wide = np.empty((rows, 2), dtype=np.int64)
        wide[:, 0] = values
        wide[:, 1] = values >> 63
        return pa.Array.from_buffers(pa.decimal128(38, scale), rows, [nulls, pa.py_buffer(wide)])
    if kind == "bool":
        return pa.Array.from_buffers(
            pa.bool_(), rows, [nulls, pa.py_buffer(np.packbits(values, bitorder="little"))]
        )
    if kind == "date":
        return pa.Array.from_buffers(
            pa.date32(), rows, [nulls, pa.py_buffer(values.astype(np.int32))]
        )
    arrow_type = {"int": pa.int64(), "float": pa.float64(), "time": pa.timestamp("ns", tz="UTC")}[
        kind
    ]
    return pa.Array.from_buffers(arrow_type, rows, [nulls, pa.py_buffer(values)])
