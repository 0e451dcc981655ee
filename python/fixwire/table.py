"""FIX logs for dataframe libraries: columns as an Arrow C stream, read in place.

:func:`read_table` scans like :func:`fixwire.read_columns` and returns a :class:`ColumnTable`,
which speaks the Arrow PyCapsule protocol (``__arrow_c_stream__``, ``__arrow_c_schema__``):
``pyarrow.table(t)``, ``polars.DataFrame(t)`` / ``polars.from_arrow(t)`` and DuckDB
(``duckdb.sql("select ... from t")``) read its buffers where the scan left them, and fixwire
needs no pyarrow to hand them over. Text, int, float and timestamp buffers are shared, not
copied; decimals are widened to ``decimal128(38, scale)`` (16 bytes a value), dates narrowed to
``date32``, Booleans and validity packed into bitmaps, enum columns dictionary-encoded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fixwire import _native
from fixwire._extras import require
from fixwire.columns import (
    ColumnSpec,
    Explode,
    Source,
    TagSpec,
    _group,
    _scan,
    _sources,
    _specs,
    _strings,
)
from fixwire.errors import ColumnError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from fixwire._native import Dictionary, GroupSpec

__all__ = ["ColumnTable", "read_table"]

#: How decimal columns are handed over: exact ``decimal128(38, scale)``, or their int64
#: mantissas (the scale in the field's ``fixwire.scale`` metadata and in ``scales``).
Decimals = Literal["decimal128", "int"]

#: Arrow format strings (the C data interface's) of the fixed-width kinds.
_FORMATS = {"int": "l", "float": "g", "time": "tsn:UTC", "date": "tdD", "bool": "b"}
_MSG_TYPE = ColumnSpec(35, "msg_type", "str")
_OFFSET = ColumnSpec(0, "offset", "int")


@dataclass
class _Part:
    """One column of one source: its values as the scan gave them and its validity bitmap."""

    rows: int
    values: Any
    bitmap: npt.NDArray[np.uint8] | None
    nulls: int


def _part(values: Any, valid: npt.NDArray[np.bool_]) -> _Part:
    import numpy as np

    rows = len(valid)
    nulls = rows - int(np.count_nonzero(valid))
    bitmap = np.packbits(valid, bitorder="little") if nulls else None
    return _Part(rows, values, bitmap, nulls)


class ColumnTable:
    """Columns of FIX messages, one row per message, for pyarrow, polars, DuckDB and pandas.

    Attributes:
        column_names: ``msg_type``, ``offset``, then the requested columns, named as
            :func:`fixwire.read_columns` names them.
        num_rows: Number of rows.
        messages: Messages that parsed, before MsgType filtering.
        garbled: Offsets of message candidates that did not parse (skipped), in input order.
        invalid: Per column, how many present values did not read as its kind.
        scales: Per decimal column, its scale.
        meanings: Per enum column, its values' descriptions from the dictionary.
    """

    column_names: list[str]
    num_rows: int
    messages: int
    garbled: npt.NDArray[Any]
    invalid: dict[str, int]
    scales: dict[str, int]
    meanings: dict[str, dict[str, str]]

    def __init__(self, specs: list[ColumnSpec], scans: list[dict[str, Any]]) -> None:
        """Wrap the native scans of each source (private: use :func:`read_table`)."""
        import numpy as np

        self._specs = [_MSG_TYPE, _OFFSET, *specs]
        self._batches: list[list[_Part]] = []
        for scan in scans:
            parts = [_part(*scan["msg_type"][:2])]
            parts.append(_Part(scan["rows"], scan["offset"], None, 0))
            parts += [_part(values, valid) for values, valid, _ in scan["columns"]]
            self._batches.append(parts)
        self.column_names = [spec.name for spec in self._specs]
        self.num_rows = sum(int(scan["rows"]) for scan in scans)
        self.messages = sum(int(scan["messages"]) for scan in scans)
        self.garbled = (
            np.concatenate([s["garbled"] for s in scans]) if scans else np.zeros(0, np.uint64)
        )
        self.invalid = {
            spec.name: sum(scan["columns"][i][2] for scan in scans) for i, spec in enumerate(specs)
        }
        self.scales = {spec.name: spec.scale for spec in specs if spec.kind == "decimal"}
        self.meanings = {spec.name: dict(spec.meanings) for spec in specs if spec.kind == "enum"}

    def __len__(self) -> int:
        return self.num_rows

    def __repr__(self) -> str:
        return f"<ColumnTable rows={self.num_rows} columns={self.column_names}>"

    def __arrow_c_schema__(self) -> object:
        """The schema as an ``arrow_schema`` PyCapsule (the Arrow PyCapsule protocol)."""
        return self._stream("decimal128").__arrow_c_schema__()

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The rows as an ``arrow_array_stream`` PyCapsule, a record batch per source; the
        consumer reads the buffers in place. ``requested_schema`` is not applied (the protocol
        leaves casting to the consumer).
        """
        return self._stream("decimal128").__arrow_c_stream__(requested_schema)

    def arrow_stream(self, decimals: Decimals = "decimal128") -> _native.ArrowStream:
        """The same stream with decimals as ``decimals`` says: ``"int"`` hands over the int64
        mantissas (no widening) with each field's scale in its ``fixwire.scale`` metadata.
        """
        return self._stream(decimals)

    def to_pandas(self, *, decimals: Decimals = "decimal128") -> pd.DataFrame:
        """A pandas DataFrame with Arrow-backed dtypes (``pd.ArrowDtype``): no column of Python
        objects. Decimals are ``decimal128(38, scale)`` (exact), or with ``decimals="int"``
        int64 mantissas whose scales are in ``df.attrs["scales"]``; enum columns are
        ``pd.Categorical`` of the values sent. ``df.attrs`` also holds ``meanings`` and
        ``garbled`` (the count).

        Raises:
            MissingExtraError: pandas or pyarrow is not installed (the ``arrow`` extra).
        """
        require("fixwire.ColumnTable.to_pandas", "arrow", "pandas", "pyarrow")
        import pandas as pd
        import pyarrow as pa

        def mapper(arrow_type: pa.DataType) -> Any:
            # Dictionary-encoded columns become pandas categoricals (the default mapping).
            return None if pa.types.is_dictionary(arrow_type) else pd.ArrowDtype(arrow_type)

        frame: pd.DataFrame = pa.table(self._stream(decimals)).to_pandas(types_mapper=mapper)
        frame.attrs.update(
            scales=dict(self.scales), meanings=dict(self.meanings), garbled=len(self.garbled)
        )
        return frame

    def _stream(self, decimals: Decimals) -> _native.ArrowStream:
        if decimals not in ("decimal128", "int"):
            raise ColumnError(f"decimals must be 'decimal128' or 'int', not {decimals!r}")
        batches = [
            (
                parts[0].rows,
                [_array(s, p, decimals) for s, p in zip(self._specs, parts, strict=True)],
            )
            for parts in self._batches
        ]
        fields = [_field(spec, decimals) for spec in self._specs]
        return _native.ArrowStream(fields, batches, [("fixwire.garbled", str(len(self.garbled)))])


def _field(spec: ColumnSpec, decimals: Decimals) -> tuple[str, str, bool, list[Any], str | None]:
    """The field of a column: ``(name, format, nullable, metadata, dictionary_format)``."""
    if spec.kind == "enum":
        return (spec.name, "i", True, [("fixwire.meanings", json.dumps(dict(spec.meanings)))], "u")
    if spec.kind == "decimal":
        if decimals == "int":
            return (spec.name, "l", True, [("fixwire.scale", str(spec.scale))], None)
        return (spec.name, f"d:38,{spec.scale}", True, [], None)
    return (spec.name, _FORMATS.get(spec.kind, "U"), True, [], None)


def _array(spec: ColumnSpec, part: _Part, decimals: Decimals) -> tuple[Any, ...]:
    """A column's Arrow array: ``(length, null_count, buffers, dictionary)``."""
    import numpy as np

    rows, values, bitmap, nulls = part.rows, part.values, part.bitmap, part.nulls
    if spec.kind == "str":
        offsets, data = values
        return (rows, nulls, [bitmap, offsets, data], None)
    if spec.kind == "enum":
        codes, dictionary = _encode(values, bitmap, rows, spec.meanings)
        return (rows, nulls, [bitmap, codes], dictionary)
    if spec.kind == "decimal" and decimals == "decimal128":
        # decimal128 values are 16-byte little-endian two's complement: the mantissa and its
        # sign extension.
        wide = np.empty((rows, 2), dtype=np.int64)
        wide[:, 0] = values
        wide[:, 1] = values >> 63
        return (rows, nulls, [bitmap, wide], None)
    if spec.kind == "bool":
        return (rows, nulls, [bitmap, np.packbits(values, bitorder="little")], None)
    if spec.kind == "date":
        return (rows, nulls, [bitmap, values.astype(np.int32)], None)
    return (rows, nulls, [bitmap, values], None)


def _encode(
    values: tuple[Any, Any],
    bitmap: npt.NDArray[np.uint8] | None,
    rows: int,
    meanings: dict[str, str] | Any,
) -> tuple[npt.NDArray[np.int32], tuple[Any, ...]]:
    """Dictionary-encode a text column: int32 codes and a utf8 dictionary of the dictionary's
    values in its order, then other values the log holds, sorted.
    """
    import numpy as np

    text = _strings(*values)
    present = (
        np.ones(rows, np.bool_)
        if bitmap is None
        else np.unpackbits(bitmap, count=rows, bitorder="little").astype(np.bool_)
    )
    seen, inverse = np.unique(text[present], return_inverse=True)
    categories = [*meanings, *sorted(set(seen.tolist()).difference(meanings))]
    position = {value: i for i, value in enumerate(categories)}
    codes = np.zeros(rows, np.int32)
    codes[present] = np.array([position[v] for v in seen.tolist()], np.int32)[inverse]
    encoded = [c.encode() for c in categories]
    offsets = np.zeros(len(encoded) + 1, np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), np.uint8) if encoded else np.zeros(0, np.uint8)
    return codes, (len(categories), 0, [None, offsets, data], None)


def read_table(
    source: Source,
    tags: TagSpec,
    *,
    msg_types: Iterable[str] | None = None,
    explode: Explode | None = None,
    floats: bool = False,
    verify_checksum: bool = True,
    threads: int | None = None,
    byte_range: tuple[int, int] | None = None,
    dictionary: Dictionary | None = None,
) -> ColumnTable:
    """Read FIX messages as :func:`fixwire.read_columns` does, into a :class:`ColumnTable` that
    pyarrow, polars, DuckDB and pandas read through the Arrow PyCapsule protocol.

    Args:
        source: As for :func:`fixwire.read_columns`; a record batch per source.
        tags: As for :func:`fixwire.read_columns`.
        msg_types: Only these MsgType <35> values become rows.
        explode: One row per entry of this repeating group (a ``GroupSpec``, or its name or
            NumInGroup tag in ``dictionary``).
        floats: Decimals as float64 instead of exact decimals.
        verify_checksum: Check CheckSum <10>.
        threads: Threads for the scan; all cores by default.
        byte_range: ``(start, end)``: only messages starting in that byte range of a single
            source.
        dictionary: Names, kinds and enums of the columns.

    Returns:
        The table.

    Raises:
        ColumnError: a column or group the dictionary does not define, or a bad kind.
        MissingExtraError: numpy is not installed (the ``columns`` extra).
    """
    specs = _specs(tags, floats, dictionary)
    types = None if msg_types is None else list(msg_types)
    return _read_table(
        source,
        specs,
        types,
        _group(explode, dictionary, types),
        verify_checksum,
        threads,
        byte_range,
    )


def _read_table(
    source: Source,
    specs: list[ColumnSpec],
    types: list[str] | None,
    group: GroupSpec | None,
    verify_checksum: bool,
    threads: int | None,
    byte_range: tuple[int, int] | None = None,
) -> ColumnTable:
    """:func:`read_table` of columns already resolved."""
    sources = _sources(source)
    if byte_range is not None and len(sources) != 1:
        raise ValueError("byte_range applies to a single source")
    scans = [_scan(s, specs, types, group, verify_checksum, threads, byte_range) for s in sources]
    return ColumnTable(specs, scans)
