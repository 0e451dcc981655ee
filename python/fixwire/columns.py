"""Columnar decoding: FIX logs into numpy arrays and Arrow tables.

The scan runs in Rust with the GIL released, on all cores; this module names the columns,
picks their types and wraps the buffers the scan returns, without copying them where the
types allow. See the README's "Columns" section for the dtype contract.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from fixwire import _native
from fixwire._extras import require
from fixwire.errors import ColumnError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from fixwire._native import Dictionary, FieldInfo, GroupSpec

__all__ = ["Columns", "default_kind", "read_arrow", "read_columns"]

Source: TypeAlias = (
    "bytes | bytearray | memoryview | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]"
)
#: A column: a tag, or a field name when a dictionary is given.
Field: TypeAlias = "int | str"
TagSpec: TypeAlias = "Iterable[Field | tuple[Field, str]] | Mapping[Field, str]"
#: A group to explode: its spec, or (with a dictionary) its NumInGroup tag or name.
Explode: TypeAlias = "GroupSpec | int | str"

#: Scale of decimal columns when none is given: 8 fraction digits (an int64 mantissa then
#: holds values up to about 92 billion).
DEFAULT_DECIMAL_SCALE = 8

#: Kinds a column can be read as; "enum" is text that Arrow consumers get dictionary-encoded.
_KINDS = ("str", "int", "float", "decimal", "time", "date", "bool", "enum")


@dataclass(frozen=True)
class ColumnSpec:
    """One requested column, resolved.

    Attributes:
        tag: The tag read.
        name: The column's name: the field's name in the dictionary, else the tag as text.
        kind: What the scan reads it as (``"enum"`` is read as ``"str"``).
        scale: Fraction digits of a decimal column's mantissas.
        meanings: For an enum column, the dictionary's values and their descriptions.
    """

    tag: int
    name: str
    kind: str
    scale: int = DEFAULT_DECIMAL_SCALE
    meanings: Mapping[str, str] = field(default_factory=dict)

    @property
    def scan_kind(self) -> str:
        """The kind the native scan reads."""
        return "str" if self.kind == "enum" else self.kind


class Columns(dict[str, "np.ndarray[Any, Any]"]):
    """The columns read from a FIX log: ``msg_type``, ``offset`` and one per requested tag.

    Requested columns are ``numpy.ma.MaskedArray`` objects, masked where the tag was absent or
    its value did not read as the column's kind. Keys are the fields' names when a dictionary
    was given (``"Price"``), else the tags as text (``"44"``).

    Attributes:
        rows: Number of rows.
        messages: Messages that parsed, before MsgType filtering.
        garbled: Offsets of message candidates that did not parse (skipped), in input order.
        invalid: Per column, how many present values did not read as its kind.
        scales: Per decimal column, the scale of its int64 mantissas.
        meanings: Per enum column, its values' descriptions from the dictionary.
    """

    rows: int
    messages: int
    garbled: npt.NDArray[Any]
    invalid: dict[str, int]
    scales: dict[str, int]
    meanings: dict[str, dict[str, str]]


def _require_numpy() -> None:
    """Fail with the install hint when numpy is missing (it is an optional dependency)."""
    require("fixwire.read_columns", "columns", "numpy")


@functools.cache
def _bundled() -> Dictionary:
    return _native.Dictionary.kalshi()


def default_kind(tag: int, dictionary: Dictionary | None = None) -> str:
    """The kind a tag given without one is read as: its field type in ``dictionary`` or, without
    one, in the bundled dictionary (``Dictionary.kalshi()``, FIX 5.0 SP2 types); ``"str"`` for
    a tag the dictionary does not define.
    """
    try:
        return (dictionary or _bundled()).field(tag).column_kind
    except KeyError:
        return "str"


def _tag(item: object, dictionary: Dictionary | None) -> int:
    """The tag a column names: a tag number, its digits, or a field name of ``dictionary``."""
    if isinstance(item, str) and item.isdigit():
        item = int(item)
    if isinstance(item, str):
        if dictionary is None:
            raise ColumnError(
                f"column {item!r} is a field name: pass dictionary= (fixwire.Dictionary.kalshi()"
                " or Dictionary.from_xml(...)) or use its tag number"
            )
        try:
            return dictionary.tag(item)
        except KeyError:
            raise ColumnError(
                f"column {item!r}: no field of that name in the {dictionary.begin_string}"
                " dictionary"
            ) from None
    if not isinstance(item, int) or isinstance(item, bool) or item <= 0:
        raise ColumnError(f"a column is a positive tag number or a field name, not {item!r}")
    return item


def _specs(tags: TagSpec, floats: bool, dictionary: Dictionary | None = None) -> list[ColumnSpec]:
    """The requested columns resolved: tags, names, kinds and scales, checked.

    Raises:
        ColumnError: a name without a dictionary or unknown to it, a bad kind, a repeated tag.
    """
    items = tags.items() if isinstance(tags, Mapping) else tags
    specs: list[ColumnSpec] = []
    seen: set[int] = set()
    for item in items:
        column, kind = item if isinstance(item, tuple) else (item, None)
        tag = _tag(column, dictionary)
        if tag in seen:
            raise ColumnError(f"tag {tag} is requested twice")
        seen.add(tag)
        info = _field(tag, dictionary)
        meanings = dict(info.values) if info is not None else {}
        if kind is None:
            kind = default_kind(tag, dictionary)
            if kind == "str" and meanings and dictionary is not None:
                kind = "enum"
        name, _, scale_text = kind.partition(":")
        if floats and name == "decimal":
            name, scale_text = "float", ""
        if name not in _KINDS or (scale_text and name != "decimal"):
            raise ColumnError(
                f"tag {tag}: unknown column kind {kind!r} (one of {', '.join(_KINDS)}, decimal:N)"
            )
        if not scale_text.isdigit() and scale_text:
            raise ColumnError(f"tag {tag}: decimal scale must be 0-18, not {scale_text!r}")
        scale = int(scale_text) if scale_text else DEFAULT_DECIMAL_SCALE
        if not 0 <= scale <= 18:
            raise ColumnError(f"tag {tag}: decimal scale must be 0-18, not {scale}")
        label = info.name if info is not None and dictionary is not None else str(tag)
        specs.append(ColumnSpec(tag, label, name, scale, meanings if name == "enum" else {}))
    return specs


def _field(tag: int, dictionary: Dictionary | None) -> FieldInfo | None:
    if dictionary is None:
        return None
    try:
        return dictionary.field(tag)
    except KeyError:
        return None


def _group(
    explode: Explode | None, dictionary: Dictionary | None, msg_types: list[str] | None
) -> GroupSpec | None:
    """The group spec to explode: given, or the dictionary's group of that NumInGroup tag or name
    (laid out as in the first of ``msg_types`` that has it).

    Raises:
        ColumnError: a name or tag the dictionary has no group for, or no dictionary.
    """
    if explode is None or isinstance(explode, _native.GroupSpec):
        return explode
    if dictionary is None:
        raise ColumnError(
            f"explode={explode!r} names a group: pass dictionary= or a fixwire.GroupSpec"
        )
    tag = _tag(explode, dictionary)
    for msg_type in [*(msg_types or []), None]:
        try:
            return dictionary.group(tag, msg_type)
        except KeyError:
            continue
    raise ColumnError(f"explode={explode!r}: no message of the dictionary has that group")


def _scan(
    source: bytes | bytearray | memoryview | str,
    specs: list[ColumnSpec],
    msg_types: list[str] | None,
    explode: GroupSpec | None,
    verify_checksum: bool,
    threads: int | None,
    byte_range: tuple[int, int] | None = None,
) -> dict[str, Any]:
    _require_numpy()
    return _native.scan_columns(
        source,
        [(c.tag, c.scan_kind, c.scale) for c in specs],
        msg_types=msg_types,
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
    explode: Explode | None = None,
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
        tags: The columns: tags or (with ``dictionary``) field names such as ``"Price"``,
            ``(column, kind)`` pairs or a ``{column: kind}`` mapping. Kinds: ``"str"``,
            ``"int"``, ``"float"``, ``"decimal"`` / ``"decimal:N"``, ``"time"``, ``"date"``,
            ``"bool"``, ``"enum"`` (text, dictionary-encoded for Arrow); a bare column takes
            its kind from the field's type (:func:`default_kind`), and a text field with
            enumerated values in ``dictionary`` is an enum.
        msg_types: Only messages of these MsgType <35> values become rows.
        explode: One row per entry of this repeating group (for example fills with their fee
            group); member columns come from the entry, the others from the message. A
            ``GroupSpec``, or with ``dictionary`` the group's NumInGroup name or tag
            (``"NoPartyIDs"``).
        floats: Read decimal columns as float64 instead of exact int64 mantissas.
        verify_checksum: Check CheckSum <10>; a message with a wrong one is garbled.
        threads: Threads for the scan; all cores by default.
        dictionary: A data dictionary (``Dictionary.kalshi()``, ``Dictionary.from_xml``): its
            names may be asked for and name the columns, its types give the kinds.

    Returns:
        The columns, with counts of what was skipped (see :class:`Columns`).

    Raises:
        ColumnError: a column or group the dictionary does not define, or a bad kind.
    """
    _require_numpy()
    import numpy as np

    specs = _specs(tags, floats, dictionary)
    types = None if msg_types is None else list(msg_types)
    group = _group(explode, dictionary, types)
    tables = [_scan(s, specs, types, group, verify_checksum, threads) for s in _sources(source)]
    result = Columns()
    result.rows = sum(t["rows"] for t in tables)
    result.messages = sum(t["messages"] for t in tables)
    result.garbled = (
        np.concatenate([t["garbled"] for t in tables]) if tables else np.zeros(0, np.uint64)
    )
    result.invalid = {}
    result.scales = {}
    result.meanings = {}
    result["msg_type"] = _concat([_strings(*t.pop("msg_type")[0]) for t in tables])
    result["offset"] = _concat([t["offset"] for t in tables])
    for i, spec in enumerate(specs):
        parts, masks, invalid = [], [], 0
        for table in tables:
            values, valid, bad = table["columns"][i]
            # Drop the scan's buffers as each column is converted, so that peak memory stays
            # near the output size: text becomes new arrays, numbers are viewed, not copied.
            table["columns"][i] = None
            parts.append(
                _strings(*values)
                if spec.scan_kind == "str"
                else values.view(_NUMPY_DTYPES.get(spec.kind, values.dtype))
            )
            masks.append(np.logical_not(valid, out=valid))
            invalid += bad
        result[spec.name] = np.ma.MaskedArray(_concat(parts), mask=_concat(masks))
        result.invalid[spec.name] = invalid
        if spec.kind == "decimal":
            result.scales[spec.name] = spec.scale
        if spec.kind == "enum":
            result.meanings[spec.name] = dict(spec.meanings)
    return result


def _concat(parts: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    import numpy as np

    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def read_arrow(
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
) -> pa.Table:
    """Like :func:`read_columns`, as a ``pyarrow.Table``: ``pyarrow.table`` of
    :func:`fixwire.read_table`'s result, which hands its buffers over without a copy.

    Text is ``large_string``; decimals become ``decimal128(38, scale)``, enum columns
    ``dictionary(int32, string)`` (their meanings in the field's metadata,
    ``fixwire.meanings``, as JSON), validity Arrow's null bitmaps. The table's metadata carries
    the garbled count (``fixwire.garbled``). ``byte_range=(start, end)`` reads only messages
    starting in that byte range of a single source.

    Raises:
        MissingExtraError: numpy or pyarrow is not installed (the ``arrow`` extra).
        ColumnError: a column or group the dictionary does not define, or a bad kind.
    """
    require("fixwire.read_arrow", "arrow", "numpy", "pyarrow")
    import pyarrow as pa

    from fixwire.table import read_table

    table = read_table(
        source,
        tags,
        msg_types=msg_types,
        explode=explode,
        floats=floats,
        verify_checksum=verify_checksum,
        threads=threads,
        byte_range=byte_range,
        dictionary=dictionary,
    )
    return pa.table(table)
