"""Every program in examples/ runs as a user would run it, and prints what it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = ROOT / "tests" / "data" / "corpus.txt"
TESTED = {
    "columns_polars_duckdb.py",
    "columns_to_parquet.py",
    "decode_log.py",
    "fix44_pair.py",
    "kalshi_sim_trade.py",
}


def _run(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=55,
        check=False,
        cwd=ROOT,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_every_example_is_tested() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == TESTED


def test_fix44_pair() -> None:
    done = _run("fix44_pair.py")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"logged on to 127\.0\.0\.1:\d+ as CLIENT \(FIX\.4\.4\)", lines[0])
    assert lines[1:] == [
        "ExecutionReport MsgSeqNum=2 ClOrdID=order-1 AAPL filled 100 @ 187.25",
        "ExecutionReport MsgSeqNum=3 ClOrdID=order-2 MSFT filled 100 @ 411.5",
        "ExecutionReport MsgSeqNum=4 ClOrdID=order-3 IBM filled 100 @ 168",
        "logged out",
    ]


def test_kalshi_sim_trade() -> None:
    done = _run("kalshi_sim_trade.py")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].endswith("over TLS")
    assert "ExecType=0 OrdStatus=0 yes 5.00 @ 0.4300 filled 0.00" in done.stdout
    assert lines[-2] == (
        "ExecutionReport ExecType=F OrdStatus=2 yes 5.00 @ 0.4300 filled 5.00, "
        "position Yes 5.00 No 0.00"
    )
    assert lines[-1] == "logged out"


def test_decode_log(tmp_path: Path) -> None:
    log = tmp_path / "log"
    corpus = CORPUS.read_bytes()
    log.write_bytes(corpus + b"8=FIXT.1.1|9=5|35=0|10=000|\n")
    done = _run("decode_log.py", str(log))
    assert done.returncode == 1
    orders = [line for line in done.stdout.splitlines() if line.startswith("order ")]
    assert len(orders) == corpus.count(b"|35=D|")
    assert "     6 x 35=D NewOrderSingle" in done.stdout
    assert done.stdout.splitlines()[-1].startswith(f"bad message at byte {len(corpus)}: ")


@pytest.mark.parametrize("missing", [False, True])
def test_decode_log_usage(missing: bool) -> None:
    done = _run("decode_log.py") if missing else _run("decode_log.py", str(CORPUS))
    assert done.returncode == (1 if missing else 0)
    if missing:
        assert done.stderr.startswith("Decode a FIX log")


def test_columns_to_parquet(tmp_path: Path) -> None:
    out = tmp_path / "orders.parquet"
    done = _run("columns_to_parquet.py", str(CORPUS), str(out))
    assert done.returncode == 0
    table = pq.read_table(out)
    assert table.num_rows == CORPUS.read_bytes().count(b"|35=D|") == 6
    assert table.column_names == ["msg_type", "offset", "11", "38", "44", "52"]
    assert str(table.schema.field("38").type).startswith("decimal128")
    assert done.stdout.splitlines()[0] == (
        "6 orders, columns ['msg_type', 'offset', '11', '38', '44', '52']"
    )
    assert done.stdout.splitlines()[-1] == f"total OrderQty 295.50000000, written to {out}"


def test_columns_polars_duckdb() -> None:
    done = _run("columns_polars_duckdb.py", str(CORPUS))
    assert done.returncode == 0, done.stderr
    # The corpus' NewOrderSingles, read here by splitting their lines.
    orders = [
        dict(field.split("=", 1) for field in line.split("|") if "=" in field)
        for line in CORPUS.read_text().splitlines()
        if "|35=D|" in line
    ]
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{len(orders)} orders, columns ['msg_type', 'offset', 'ClOrdID'")
    names = {"1": "BUY_YES", "2": "SELL_NO"}
    for side in sorted({o["54"] for o in orders}):
        mine = [o for o in orders if o["54"] == side]
        quantity = sum(Decimal(o["38"]) for o in mine)
        notional = sum(Decimal(o["38"]) * Decimal(o["44"]) for o in mine)
        polars = f"polars: Side {side}: {len(mine)} orders, quantity "
        assert any(
            line.startswith(polars) and Decimal(line[len(polars) :]) == quantity for line in lines
        )
        duck = f"duckdb: {names[side]}: {len(mine)} orders, notional "
        assert any(
            line.startswith(duck) and Decimal(line[len(duck) :]) == notional for line in lines
        )
