"""FIX log to columns: pandas for a quick look, Parquet for later, without a Python loop.

``read_arrow`` scans the log in Rust on every core and returns an Arrow table with exact
decimals (decimal128) and UTC timestamps; it converts to pandas without copying the numbers
and writes to Parquet as it is.

Run: ``python examples/columns_to_parquet.py LOG OUT.parquet`` (needs
``pip install 'fixwire[arrow]' pandas``).
"""

from __future__ import annotations

import sys

import pyarrow.parquet as pq

import fixwire

# The columns: MsgType comes with every row; these tags are read with the kinds of their field
# types (ClOrdID text, OrderQty and Price decimal, SendingTime time).
TAGS = [11, 38, 44, 52]


def main(log: str, out: str) -> None:
    """Writes the orders of ``log`` to the Parquet file ``out`` and prints a summary."""
    table = fixwire.read_arrow(log, TAGS, msg_types=["D"])
    pq.write_table(table, out)
    frame = table.to_pandas()
    print(f"{table.num_rows} orders, columns {table.column_names}")
    print(frame.head().to_string(index=False))
    print(f"total OrderQty {frame['38'].sum()}, written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
