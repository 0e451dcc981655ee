"""read_table's ColumnTable read by pyarrow, polars, DuckDB and pandas through the Arrow
PyCapsule protocol, held against read_columns' numpy columns of the same generated logs.
"""

import gc
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import cast

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import fixwire
from fixlog import LogGenerator, render, write_logs

SEED = 2026
TAGS: dict[int, str] = {
    11: "str",
    58: "str",
    34: "int",
    44: "decimal",
    32: "decimal:2",
    31: "float",
    60: "time",
    75: "date",
    43: "bool",
    54: "enum",
}


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generated log files, one of each format: every kind, invalid values, garbage."""
    return write_logs(tmp_path_factory.mktemp("capsule"), SEED, 120)


def numpy_values(cols: fixwire.Columns, name: str, kind: str) -> list[object]:
    """A read_columns column as Python values: None where masked, decimals as Decimal, times
    and dates as integers since the epoch.
    """
    array = cols[name]
    mask = np.ma.getmaskarray(array).tolist()
    data = np.ma.getdata(array)
    if kind in ("time", "date"):
        data = data.view(np.int64)
    values = data.tolist()
    if kind.startswith("decimal"):
        values = [Decimal(v).scaleb(-cols.scales[name]) for v in values]
    return [None if m else v for v, m in zip(values, mask, strict=True)]


def arrow_values(column: pa.ChunkedArray, kind: str) -> list[object]:
    if kind == "time":
        column = column.cast(pa.int64())
    elif kind == "date":
        column = column.cast(pa.int32())
    elif kind == "enum":
        column = column.cast(pa.string())
    return list(column.to_pylist())


def polars_values(series: pl.Series, kind: str) -> list[object]:
    if kind == "time":
        series = series.dt.epoch("ns")
    elif kind == "date":
        series = series.dt.epoch("d")
    elif kind == "enum":
        series = series.cast(pl.String)
    return list(series.to_list())


def test_pyarrow_reads_the_capsule(logs: list[Path]) -> None:
    table = fixwire.read_table(logs, TAGS)
    cols = fixwire.read_columns(logs, TAGS)
    got = pa.table(table)
    assert got.column_names == list(cols) == table.column_names
    assert got.num_rows == cols.rows == len(table) > 500
    assert got.column("msg_type").to_pylist() == cols["msg_type"].tolist()
    assert got.column("offset").to_pylist() == cols["offset"].tolist()
    for tag, kind in TAGS.items():
        assert arrow_values(got.column(str(tag)), kind) == numpy_values(cols, str(tag), kind), tag
    assert got.schema.field("44").type == pa.decimal128(38, 8)
    assert got.schema.field("32").type == pa.decimal128(38, 2)
    assert pa.types.is_dictionary(got.schema.field("54").type)
    assert got.schema.metadata[b"fixwire.garbled"] == str(len(cols.garbled)).encode()
    assert len(cols.garbled) > 0
    # The schema capsule says the same.
    assert pa.schema(table) == got.schema
    # read_arrow is this very table.
    assert fixwire.read_arrow(logs, TAGS).equals(got)


def test_buffers_are_shared_not_copied() -> None:
    gen = LogGenerator(SEED + 1)
    data = render(gen.items(50), "soh", gen).data
    table = fixwire.read_table(data, {34: "int", 11: "str", 31: "float", 60: "time"})
    first, second = pa.table(table), pa.table(table)
    # Private: the scan's numpy buffers, which the exported arrays must point at.
    parts = table._batches[0]
    for i, name in enumerate(table.column_names):
        if i == 0 or name == "11":
            values = parts[i].values[1]  # text: (offsets, data); data is buffer 2
            address = first.column(name).chunk(0).buffers()[2].address
        else:
            values = parts[i].values
            address = first.column(name).chunk(0).buffers()[1].address
        assert address == values.ctypes.data, name
        assert address == second.column(name).chunk(0).buffers()[-1].address


def test_exported_arrays_outlive_the_table() -> None:
    gen = LogGenerator(SEED + 2)
    data = render(gen.items(80), "lines", gen).data
    want = fixwire.read_arrow(data, TAGS).to_pylist()
    table = fixwire.read_table(data, TAGS)
    arrow = pa.table(table)
    frame = pl.DataFrame(table)
    del table
    gc.collect()
    assert arrow.to_pylist() == want
    assert frame.height == len(want)
    assert frame["11"].to_list() == [row["11"] for row in want]


def test_polars_reads_the_capsule(logs: list[Path]) -> None:
    kalshi = fixwire.Dictionary.kalshi()
    names = ["ClOrdID", "Price", "MsgSeqNum", "TransactTime", "PossDupFlag", "Side"]
    table = fixwire.read_table(logs, names, dictionary=kalshi)
    cols = fixwire.read_columns(logs, names, dictionary=kalshi)
    frame = pl.DataFrame(table)
    assert frame.columns == list(cols)
    assert frame.schema["Price"] == pl.Decimal(38, 8)
    assert frame.schema["TransactTime"] == pl.Datetime("ns", "UTC")
    kinds = {"ClOrdID": "str", "Price": "decimal", "MsgSeqNum": "int"}
    kinds |= {"TransactTime": "time", "PossDupFlag": "bool", "Side": "enum"}
    for name, kind in kinds.items():
        assert polars_values(frame[name], kind) == numpy_values(cols, name, kind), name
    # polars.from_arrow gives a capsule's rows as a struct Series (polars' choice for streams
    # that are not pyarrow objects); unnested, it is the same frame.
    assert pl.from_arrow(table).struct.unnest().equals(frame)  # type: ignore[union-attr]


def test_polars_needs_no_pyarrow(logs: list[Path]) -> None:
    """With pyarrow made unimportable, polars still reads the table."""
    path = logs[0]
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["pyarrow"] = None  # any import of pyarrow now fails
        import polars as pl
        import fixwire
        t = fixwire.read_table({str(path)!r}, ["Price", "ClOrdID", "Side"],
                               dictionary=fixwire.Dictionary.kalshi())
        df = pl.DataFrame(t)
        print(df.height, df.schema["Price"], df["ClOrdID"].null_count())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=50, check=True
    )
    cols = fixwire.read_columns(path, ["Price", "ClOrdID"], dictionary=fixwire.Dictionary.kalshi())
    nulls = int(np.ma.getmaskarray(cols["ClOrdID"]).sum())
    assert out.stdout.split() == [str(cols.rows), "Decimal(precision=38,", "scale=8)", str(nulls)]


def test_duckdb_queries_the_table(logs: list[Path]) -> None:
    kalshi = fixwire.Dictionary.kalshi()
    fills = fixwire.read_table(logs, ["Price", "Side", "MsgSeqNum"], dictionary=kalshi)
    cols = fixwire.read_columns(logs, ["Price", "Side", "MsgSeqNum"], dictionary=kalshi)
    assert len(fills) == cols.rows
    got = duckdb.sql(
        "select msg_type, count(*), count(Price), sum(Price), max(MsgSeqNum) "
        "from fills group by msg_type order by msg_type"
    ).fetchall()  # type: ignore[union-attr]
    prices = numpy_values(cols, "Price", "decimal")
    seqs = numpy_values(cols, "MsgSeqNum", "int")
    types = cols["msg_type"].tolist()
    want = []
    for msg_type in sorted(set(types)):
        present = [
            cast("Decimal", p)
            for p, t in zip(prices, types, strict=True)
            if t == msg_type and p is not None
        ]
        numbers = [s for s, t in zip(seqs, types, strict=True) if t == msg_type and s is not None]
        want.append(
            (
                msg_type,
                types.count(msg_type),
                len(present),
                sum(present) if present else None,
                max(numbers) if numbers else None,  # type: ignore[type-var]
            )
        )
    assert got == want
    sides = duckdb.sql("select Side, count(*) from fills group by Side").fetchall()  # type: ignore[union-attr]
    values = numpy_values(cols, "Side", "enum")
    assert sorted(sides, key=str) == sorted(((v, values.count(v)) for v in set(values)), key=str)


def test_to_pandas_has_no_python_objects(logs: list[Path]) -> None:
    table = fixwire.read_table(logs, TAGS)
    frame = table.to_pandas()
    assert not any(dtype is np.dtype(object) for dtype in frame.dtypes)
    assert frame["44"].dtype == pd.ArrowDtype(pa.decimal128(38, 8))
    assert isinstance(frame["54"].dtype, pd.CategoricalDtype)
    cols = fixwire.read_columns(logs, TAGS)
    assert frame["44"].tolist() == [
        pd.NA if v is None else v for v in numpy_values(cols, "44", "decimal")
    ]
    mantissas = table.to_pandas(decimals="int")
    assert mantissas["44"].dtype == pd.ArrowDtype(pa.int64())
    assert mantissas.attrs["scales"] == {"44": 8, "32": 2}
    assert mantissas["32"].tolist() == [
        pd.NA if m else v
        for v, m in zip(
            np.ma.getdata(cols["32"]).tolist(), np.ma.getmaskarray(cols["32"]).tolist(), strict=True
        )
    ]
    assert mantissas.attrs["garbled"] == len(cols.garbled)
    with pytest.raises(fixwire.ColumnError, match="decimals"):
        table.to_pandas(decimals="float")  # type: ignore[arg-type]


def test_an_empty_source_is_an_empty_table() -> None:
    empty = fixwire.read_table(b"", TAGS)
    assert len(empty) == 0
    assert pa.table(empty).num_rows == 0
    assert pl.DataFrame(empty).columns == empty.column_names
    assert duckdb.sql("select count(*) from empty").fetchall() == [(0,)]  # type: ignore[union-attr]


def test_an_int_decimal_stream_carries_the_scales(logs: list[Path]) -> None:
    table = fixwire.read_table(logs, TAGS)
    cols = fixwire.read_columns(logs, TAGS)
    mantissas = pa.table(table.arrow_stream("int"))
    for name, scale in (("44", b"8"), ("32", b"2")):
        field = mantissas.schema.field(name)
        assert field.type == pa.int64()
        assert field.metadata == {b"fixwire.scale": scale}
        mask = np.ma.getmaskarray(cols[name]).tolist()
        values = np.ma.getdata(cols[name]).tolist()
        want = [None if m else v for v, m in zip(values, mask, strict=True)]
        assert mantissas.column(name).to_pylist() == want
    assert pl.DataFrame(table.arrow_stream("int"))["44"].dtype == pl.Int64
