"""FIX log to polars and DuckDB by field name: no copies, no pyarrow needed on fixwire's side.

``read_table`` scans the log in Rust and returns a table that polars and DuckDB read in place
through the Arrow PyCapsule protocol. With the Kalshi dictionary, columns are asked for and
named by field name, decimals stay exact, Side <54> is dictionary-encoded and its meanings come
with the table.

Run: ``python examples/columns_polars_duckdb.py LOG`` (needs
``pip install 'fixwire[columns]' polars duckdb``).
"""

from __future__ import annotations

import sys

import duckdb
import polars as pl

import fixwire

COLUMNS = ["ClOrdID", "Symbol", "Side", "OrderQty", "Price"]


def main(log: str) -> None:
    """Prints the NewOrderSingles of ``log`` per side, with polars and with DuckDB."""
    orders = fixwire.read_table(
        log, COLUMNS, msg_types=["D"], dictionary=fixwire.Dictionary.kalshi()
    )
    frame = pl.DataFrame(orders)
    print(f"{frame.height} orders, columns {frame.columns}")
    by_side = (
        frame.group_by("Side")
        .agg(pl.len().alias("orders"), pl.col("OrderQty").sum().alias("quantity"))
        .sort("Side")
    )
    for side, count, quantity in by_side.iter_rows():
        print(f"polars: Side {side}: {count} orders, quantity {quantity}")
    meanings = orders.meanings["Side"]
    notional = duckdb.execute(
        "select Side, count(*), sum(OrderQty * Price) from orders group by Side order by Side"
    ).fetchall()
    for side, count, total in notional:
        print(f"duckdb: {meanings.get(side, side)}: {count} orders, notional {total}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
