"""``fixwire export``: Parquet and CSV files read back and compared with read_arrow's rows of the
same logs, batch boundaries anywhere (inside messages, inside data fields), bad input, the
progress line only on a terminal.
"""

import os
import pty
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet
import pytest

import fixwire
from fixlog import write_logs
from fixtext import build, frame

SEED = 4242
KALSHI = fixwire.Dictionary.kalshi()
COLUMNS = "11,Price,OrderQty,MsgSeqNum,TransactTime,PossDupFlag,Side,58,75:date,32:decimal:2"
SPECS: list[int | str | tuple[int | str, str]] = [
    11,
    "Price",
    "OrderQty",
    "MsgSeqNum",
    "TransactTime",
    "PossDupFlag",
    "Side",
    58,
    (75, "date"),
    (32, "decimal:2"),
]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generated log files, one of each format: every kind, invalid values, garbage."""
    return write_logs(tmp_path_factory.mktemp("export"), SEED, 150)


def export(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run ``fixwire export`` in a fresh interpreter, stderr a pipe."""
    return subprocess.run(
        [sys.executable, "-m", "fixwire", "export", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )


def expected(paths: list[Path], **options: object) -> pa.Table:
    """read_arrow's rows of the same logs, as the files hold them (no schema metadata)."""
    table = fixwire.read_arrow(paths, SPECS, dictionary=KALSHI, **options)  # type: ignore[arg-type]
    return table.replace_schema_metadata(None)


@pytest.mark.parametrize("batch", ["700", "3001", "64K"])
def test_parquet_round_trip(logs: list[Path], tmp_path: Path, batch: str) -> None:
    out = tmp_path / "fills.parquet"
    done = export(*logs, "--to", out, "-c", COLUMNS, "--batch", batch)
    want = expected(logs)
    garbled = len(fixwire.read_columns(logs, [11]).garbled)
    assert garbled > 0
    assert done.returncode == 1
    assert done.stderr.startswith(f"fixwire export: {garbled} garbled message candidates")
    got = pyarrow.parquet.read_table(out)
    assert got.schema.names == want.schema.names
    assert [f.type for f in got.schema] == [f.type for f in want.schema]
    assert got.to_pylist() == want.to_pylist()
    assert got.num_rows > 600


def test_csv_round_trip(logs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "fills.csv"
    done = export(*logs, "--to", out, "-c", COLUMNS, "--batch", "2000")
    assert done.returncode == 1
    # Enum columns are written as their text; read back with the types the rows have.
    want = expected(logs)
    want = want.set_column(
        want.schema.get_field_index("Side"), "Side", want.column("Side").cast(pa.string())
    )
    # Text is quoted, so an empty value ("") stays apart from an absent one (nothing).
    options = pyarrow.csv.ConvertOptions(
        column_types={f.name: f.type for f in want.schema},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    got = pyarrow.csv.read_csv(out, convert_options=options)
    assert got.to_pylist() == want.to_pylist()


def test_filters_and_explode(logs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "fees.parquet"
    columns = "ClOrdID,MiscFeeAmt,MiscFeeCurr,MiscFeeType"
    args: list[str | Path] = ["--to", out, "-c", columns, "--type", "8", "--explode", "NoMiscFees"]
    export(*logs, *args, "--batch", "1500")
    got = pyarrow.parquet.read_table(out)
    names = columns.split(",")
    want = fixwire.read_arrow(logs, names, dictionary=KALSHI, msg_types=["8"], explode="NoMiscFees")
    assert got.to_pylist() == want.to_pylist()
    assert set(got.column("msg_type").to_pylist()) == {"8"}
    assert got.column("MiscFeeAmt").null_count < got.num_rows


def test_a_long_message_carrying_fix_cut_by_batches(tmp_path: Path) -> None:
    """A message longer than the batch and the read-ahead, whose RawData <96> holds a whole FIX
    message, is one row; the carried message is data, whichever batch it falls in.
    """
    carried = frame("35=D|11=carried|")
    data = b"a" * 100_000 + carried + b"b" * 100_000
    outer = build("8", b"11=outer|95=%d|96=%s|" % (len(data), data))
    log = tmp_path / "raw-data.log"
    log.write_bytes(build("0", "11=first|") + outer + build("0", "11=next|"))
    out = tmp_path / "rows.parquet"
    for batch in ("4K", "60000", "150000"):
        done = export(log, "--to", out, "-c", "ClOrdID", "--batch", batch)
        assert done.returncode == 0, done.stderr
        got = pyarrow.parquet.read_table(out)
        assert got.column("ClOrdID").to_pylist() == ["first", "outer", "next"]
        assert got.to_pylist() == expected_rows(log)


def expected_rows(log: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = fixwire.read_arrow(
        log, ["ClOrdID"], dictionary=KALSHI
    ).to_pylist()
    return rows


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["missing.log", "--to", "{out}", "-c", "11"], "cannot read missing.log"),
        (["{log}", "--to", "{out}", "-c", "Prize"], "'Prize'"),
        (["{log}", "--to", "{dir}/rows.json", "-c", "11"], "cannot tell the format"),
        (["{log}", "--to", "{dir}/none/rows.csv", "-c", "11"], "cannot write"),
        (["{log}", "missing.log", "--to", "{out}", "-c", "11"], "cannot read missing.log"),
        (["{log}", "--to", "{out}", "-c", "11", "--explode", "NoFills"], "'NoFills'"),
        (["{log}", "--to", "{out}", "-c", "11", "--batch", "0"], "not a positive size"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_file(
    logs: list[Path], tmp_path: Path, args: list[str], words: str
) -> None:
    out = tmp_path / "rows.parquet"
    filled = [a.format(log=logs[0], out=out, dir=tmp_path) for a in args]
    done = export(*filled)
    assert done.returncode == 2
    assert words in done.stderr
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def run_on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run ``fixwire export`` with stderr on a pseudo-terminal; the status and what it drew."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fixwire", "export", *map(str, args)],
            stdout=subprocess.DEVNULL,
            stderr=follower,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            drawn += chunk
        return proc.wait(timeout=50), drawn.decode()
    finally:
        os.close(leader)


def test_progress_only_on_a_terminal(logs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "rows.csv"
    status, drawn = run_on_a_terminal(*logs, "--to", out, "-c", "11", "--batch", "4K")
    assert status == 1
    assert "\rexport: " in drawn
    total = sum(p.stat().st_size for p in logs) / 1e6
    assert f"of {total:,.1f} MB (100%)" in drawn
    status, drawn = run_on_a_terminal(
        *logs, "--to", out, "-c", "11", "--batch", "4K", "--no-progress"
    )
    assert "\rexport: " not in drawn
    assert drawn.startswith("fixwire export: ")
    assert "garbled" in drawn
    piped = export(*logs, "--to", out, "-c", "11", "--batch", "4K")
    assert "\r" not in piped.stderr
    assert piped.stderr.count("\n") == 1  # the garbled count only
