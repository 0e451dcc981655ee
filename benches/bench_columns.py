"""Group "columns": read ten fields of every message in a FIX log file into columns.

The log is conftest's mixed stream (D, eight ExecutionReports with groups, Heartbeat, G, F,
repeated; two thirds of the messages are ExecutionReports) written to a file once per session.
Its size is ``FIXWIRE_BENCH_LOG_MB`` MiB, 16 by default so the smoke run in ``make test`` stays
quick; ``FIXWIRE_BENCH_LOG_MB=1024`` is the full run. The fields are MsgType <35>, ClOrdID
<11>, CumQty <14>, LastPx <31>, LastQty <32>, OrderQty <38>, Price <44>, SendingTime <52>,
Symbol <55> and TransactTime <60>. Every implementation reads the file itself, inside the
timing (the page cache is warm), and must find every message, the right number of values per
field and the right values in the last row. Each round is one call after a warm-up call, and
the result is freed outside the timing (for every implementation alike). Throughput, in input
bytes per second of the median time, is in ``extra_info["bytes_per_s"]`` and in the summary
printed after the run.

* read_columns: ``fixwire.read_columns`` with 1 and 2 threads: memory-mapped, CheckSum <10>
  verified, values typed (decimal mantissas, datetime64) into masked numpy arrays.
* read_arrow: ``fixwire.read_arrow``, the same scan into a ``pyarrow.Table``.
* read_table-polars: ``fixwire.read_table`` read by ``polars.DataFrame`` through the Arrow C
  stream (no pyarrow in between).
* simplefix: ``FixParser.append_buffer`` per 64 KiB read, ``get_message`` until None, then
  ``get`` per field into Python lists of ``bytes``.
* regex: one compiled ``re`` pattern, ``finditer`` over the whole file's bytes, fields appended
  to Python lists of ``bytes``.
* quickfix (when installed): messages cut out by a regex, ``quickfix.Message(text)`` without a
  data dictionary (BodyLength and CheckSum checked), ``getField`` into lists of ``str``.
* refix (when ``FIXWIRE_REFIX_PYTHON`` names a Python 3.12+ with ``refix`` installed, as refix
  needs): ``refix.read_log`` (Rust behind PyO3) in a child process on that interpreter, ``get``
  per field into lists of ``bytes`` (``benches/refix_reader.py``). The child starts once and
  then reads the log once per round, so a round's time is the read and a pipe round trip.

The Python parsers leave values as text and, but for quickfix, check nothing, so they do less
than read_columns; refix frames each message by its BodyLength and leaves values as text. They
manage about 1 to 40 MB/s, so they read a slice instead: the first
whole rounds within 1 MiB (the whole log if smaller). read_columns reads the slice too, so
each ratio can also be taken on the same input; MB/s compares across the two sizes either way.

``test_export`` runs ``fixwire export`` of the whole log to Parquet and to CSV in a child process
and reports its rate and peak RSS against the log's size (batches of the default size: the peak
should not grow with the log).

``test_columns_memory`` runs one read of the whole log in a child process and reports the
child's peak RSS (``ru_maxrss``, read by its parent with ``RUSAGE_CHILDREN``) next to its peak
before the read (interpreter, numpy, pyarrow), the output's size and the input's size. The
child's parent is a small launcher process, not pytest, because Linux carries the RSS
high-water mark of the process that execs into the new program's ``ru_maxrss`` (``exec_mmap``
in ``fs/exec.c``): started by pytest, the child would report pytest's own peak, generated log
and earlier results included. The child also samples how far its file-backed and anonymous RSS
rise during the read (``file_growth``, ``anon_growth``, every 5 ms): the input is memory-mapped,
so the pages of the file it has read count in its RSS although they are page cache the kernel
can drop; the anonymous part is the scan's own memory and the output.
"""

import atexit
import functools
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeAlias

import numpy as np
import pytest
import simplefix

import fixwire
from benches.conftest import (
    HAVE_QUICKFIX,
    MIB,
    ROUND_MESSAGES,
    Benchmark,
    env_size,
    make_stream,
    record_memory,
    record_rate,
    round_messages,
    split_parse,
)
from fixwire.columns import Columns, default_kind

LOG_MB_ENV = "FIXWIRE_BENCH_LOG_MB"
"""Environment variable: size of the log in MiB (default 16; the full run uses 1024)."""
DEFAULT_LOG_MB = 16
SLICE_SIZE = MIB
"""The Python parsers read at most this much of the log: whole rounds from its start."""
CHUNK_SIZE = 64 * 1024

TAGS = (35, 11, 14, 31, 32, 38, 44, 52, 55, 60)
"""MsgType, ClOrdID, CumQty, LastPx, LastQty, OrderQty, Price, SendingTime, Symbol,
TransactTime."""
HEADER_TAGS = frozenset((35, 52))
"""The fields of :data:`TAGS` in the standard header (quickfix keeps them apart)."""

ROOT = Path(__file__).resolve().parents[1]
"""The repository root, from which the memory benchmark's child imports this module."""

Value: TypeAlias = str | Decimal | datetime | None


@dataclass(frozen=True, slots=True)
class Log:
    """A log file and what a correct reader must find in it."""

    path: Path
    size: int  # bytes
    messages: int
    present: dict[int, int]  # rows in which each tag of TAGS has a value
    last: dict[int, Value]  # each tag's value in the last message, typed as in :func:`typed`


@dataclass(frozen=True, slots=True)
class Extracted:
    """What an implementation read, reduced to what is compared with the :class:`Log`."""

    rows: int
    present: dict[int, int]
    last: dict[int, Value]
    skipped: int  # garbled messages and values that did not read as their kind


def typed(tag: int, text: str | bytes | None) -> Value:
    """Return a FIX value as the Python type of its column kind in read_columns.

    Decimal columns become :class:`~decimal.Decimal`, UTCTimestamps aware datetimes, the rest
    ``str``; an absent value stays ``None``.
    """
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode()
    kind = default_kind(tag)
    if kind == "decimal":
        return Decimal(text)
    if kind == "time":
        return datetime.strptime(text, "%Y%m%d-%H:%M:%S.%f").replace(tzinfo=UTC)
    return text


def write_log(path: Path, size: int) -> Log:
    """Write conftest's mixed stream of at most ``size`` bytes to ``path``; describe it."""
    stream = make_stream(size)
    path.write_bytes(stream.data)
    rounds, rest = divmod(stream.messages, ROUND_MESSAGES)
    assert rest == 0
    # Every round has the same fields; only their values differ.
    per_round = [split_parse(message) for message in round_messages(0)]
    last = split_parse(stream.last_message)
    return Log(
        path=path,
        size=len(stream.data),
        messages=stream.messages,
        present={tag: rounds * sum(tag in fields for fields in per_round) for tag in TAGS},
        last={tag: typed(tag, last.get(tag)) for tag in TAGS},
    )


def log_size() -> int:
    """Return the log size in bytes from ``FIXWIRE_BENCH_LOG_MB`` (MiB)."""
    return env_size(LOG_MB_ENV, DEFAULT_LOG_MB)


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Log]]:
    """The log (``FIXWIRE_BENCH_LOG_MB`` MiB) and its first MiB, as files, deleted after."""
    size = log_size()
    directory = tmp_path_factory.mktemp("columns")
    files = {
        "log": write_log(directory / "log.fix", size),
        "slice": write_log(directory / "slice.fix", min(size, SLICE_SIZE)),
    }
    yield files
    # pytest keeps the last few runs' temporary directories; a gigabyte each is too much.
    for log in files.values():
        log.path.unlink()


# Implementations. Each reads the file at `path` and returns its own kind of result, which the
# matching summary reduces to an `Extracted` after the timing.


def read_columns(path: Path, threads: int) -> Columns:
    """fixwire.read_columns of :data:`TAGS` on ``threads`` threads."""
    return fixwire.read_columns(path, TAGS, threads=threads)


def read_arrow(path: Path, threads: int) -> Any:
    """fixwire.read_arrow of :data:`TAGS` on ``threads`` threads (a ``pyarrow.Table``)."""
    return fixwire.read_arrow(path, TAGS, threads=threads)


def read_table_polars(path: Path, threads: int) -> Any:
    """fixwire.read_table of :data:`TAGS` read by polars through the Arrow C stream."""
    import polars as pl

    return pl.DataFrame(fixwire.read_table(path, TAGS, threads=threads))


def simplefix_lists(path: Path) -> list[list[bytes | None]]:
    """Feed the file to a simplefix FixParser in 64 KiB reads; one list per tag."""
    parser = simplefix.FixParser()
    columns: list[list[bytes | None]] = [[] for _ in TAGS]
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_SIZE):
            parser.append_buffer(chunk)
            while (msg := parser.get_message()) is not None:
                for column, tag in zip(columns, TAGS, strict=True):
                    column.append(msg.get(tag))
    return columns


# A message start, or an SOH and one of the wanted fields (the SOH keeps `11=` from matching
# inside `111=`; the value stops before the next SOH, which starts the next match).
FIELDS = re.compile(
    rb"(?:\A|\x01)8=FIX|\x01(" + b"|".join(b"%d" % tag for tag in TAGS) + rb")=([^\x01]*)"
)
_COLUMN_OF = {b"%d" % tag: i for i, tag in enumerate(TAGS)}


def regex_lists(path: Path) -> list[list[bytes | None]]:
    """One ``finditer`` over the file's bytes: a row per ``8=FIX``, first value of each tag."""
    columns: list[list[bytes | None]] = [[] for _ in TAGS]
    for match in FIELDS.finditer(path.read_bytes()):
        tag = match[1]
        if tag is None:
            for column in columns:
                column.append(None)
        else:
            column = columns[_COLUMN_OF[tag]]
            if column[-1] is None:
                column[-1] = match[2]
    return columns


MESSAGE = re.compile(rb"8=FIX.*?\x0110=\d{3}\x01", re.DOTALL)
"""A whole message: from BeginString <8> to the SOH after CheckSum <10>."""


def quickfix_lists(path: Path) -> list[list[str | None]]:
    """Cut messages out with :data:`MESSAGE`, parse each with quickfix; one list per tag."""
    import quickfix

    columns: list[list[str | None]] = [[] for _ in TAGS]
    for match in MESSAGE.finditer(path.read_bytes()):
        msg = quickfix.Message(match[0].decode())
        header = msg.getHeader()
        for column, tag in zip(columns, TAGS, strict=True):
            fields = header if tag in HEADER_TAGS else msg
            column.append(fields.getField(tag) if fields.isSetField(tag) else None)
    return columns


REFIX_PYTHON_ENV = "FIXWIRE_REFIX_PYTHON"
"""Environment variable: a Python 3.12+ interpreter with ``refix`` installed (optional)."""
REFIX_READER = ROOT / "benches" / "refix_reader.py"


@functools.cache
def refix_child() -> subprocess.Popen[str]:
    """Start :data:`REFIX_READER` under ``FIXWIRE_REFIX_PYTHON`` once; stopped at exit."""
    child = subprocess.Popen(
        [os.environ[REFIX_PYTHON_ENV], str(REFIX_READER), *map(str, TAGS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def stop() -> None:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)

    atexit.register(stop)
    return child


def refix_report(path: Path) -> dict[str, Any]:
    """Have the refix child read the log at ``path``; return its JSON report."""
    child = refix_child()
    assert child.stdin is not None
    assert child.stdout is not None
    child.stdin.write(f"{path}\n")
    child.stdin.flush()
    reply = child.stdout.readline()
    assert reply, "the refix child stopped"
    report: dict[str, Any] = json.loads(reply)
    return report


def summarize_refix(report: dict[str, Any]) -> Extracted:
    """Reduce the refix child's report, typing the last row's values as read_columns does."""
    return Extracted(
        rows=report["rows"],
        present=dict(zip(TAGS, report["present"], strict=True)),
        last={tag: typed(tag, text) for tag, text in zip(TAGS, report["last"], strict=True)},
        skipped=report["garbled"],
    )


def summarize_columns(columns: Columns) -> Extracted:
    """Reduce read_columns' result; decimal mantissas and datetime64 go back to Python."""
    last: dict[int, Value] = {}
    for tag in TAGS:
        column = columns[str(tag)]
        value = column[-1]
        if value is np.ma.masked:
            last[tag] = None
        elif column.dtype.kind == "M":
            last[tag] = value.astype("datetime64[us]").item().replace(tzinfo=UTC)
        elif str(tag) in columns.scales:
            last[tag] = Decimal(int(value)).scaleb(-columns.scales[str(tag)])
        else:
            last[tag] = str(value)
    return Extracted(
        rows=columns.rows,
        present={tag: int(np.ma.count(columns[str(tag)])) for tag in TAGS},
        last=last,
        skipped=len(columns.garbled) + sum(columns.invalid.values()),
    )


def summarize_arrow(table: Any) -> Extracted:
    """Reduce read_arrow's table: pyarrow already gives Decimal and aware datetimes."""
    last = table.slice(table.num_rows - 1).to_pylist()[0]
    return Extracted(
        rows=table.num_rows,
        present={tag: len(table[str(tag)]) - table[str(tag)].null_count for tag in TAGS},
        last={tag: last[str(tag)] for tag in TAGS},
        skipped=int(table.schema.metadata[b"fixwire.garbled"]),
    )


def summarize_polars(frame: Any) -> Extracted:
    """Reduce the polars frame: polars gives Decimal and aware datetimes too."""
    last = frame.row(frame.height - 1, named=True)
    return Extracted(
        rows=frame.height,
        present={tag: frame.height - frame[str(tag)].null_count() for tag in TAGS},
        last={tag: last[str(tag)] for tag in TAGS},
        skipped=0,
    )


def summarize_lists(columns: Sequence[Sequence[str | bytes | None]]) -> Extracted:
    """Reduce one text list per tag, typing the last row's values as read_columns does."""
    return Extracted(
        rows=len(columns[0]),
        present={
            tag: sum(v is not None for v in column)
            for tag, column in zip(TAGS, columns, strict=True)
        },
        last={tag: typed(tag, column[-1]) for tag, column in zip(TAGS, columns, strict=True)},
        skipped=0,
    )


@dataclass(frozen=True, slots=True)
class Case:
    """One implementation on one input."""

    read: Callable[[Path], Any]
    summarize: Callable[[Any], Extracted]
    source: str  # "log" or "slice"
    rounds: int = 5  # timed calls, after one warm-up call


CASES: dict[str, Case] = {
    "read_columns-1thread": Case(partial(read_columns, threads=1), summarize_columns, "log"),
    "read_columns-2threads": Case(partial(read_columns, threads=2), summarize_columns, "log"),
    "read_arrow-1thread": Case(partial(read_arrow, threads=1), summarize_arrow, "log"),
    "read_arrow-2threads": Case(partial(read_arrow, threads=2), summarize_arrow, "log"),
    "read_table-polars-1thread": Case(
        partial(read_table_polars, threads=1), summarize_polars, "log"
    ),
    "read_table-polars-2threads": Case(
        partial(read_table_polars, threads=2), summarize_polars, "log"
    ),
    "read_columns-1thread-slice": Case(
        partial(read_columns, threads=1), summarize_columns, "slice", rounds=50
    ),
    "simplefix-slice": Case(simplefix_lists, summarize_lists, "slice"),
    "regex-slice": Case(regex_lists, summarize_lists, "slice", rounds=20),
}
if HAVE_QUICKFIX:
    CASES["quickfix-slice"] = Case(quickfix_lists, summarize_lists, "slice")
if os.environ.get(REFIX_PYTHON_ENV):
    CASES["refix-slice"] = Case(refix_report, summarize_refix, "slice", rounds=20)


@pytest.mark.benchmark(group="columns")
@pytest.mark.parametrize("case", list(CASES))
def test_columns(benchmark: Benchmark, logs: dict[str, Log], case: str) -> None:
    """Read the ten fields of every message; rows, value counts and last row must be right."""
    spec = CASES[case]
    log = logs[spec.source]
    result = benchmark.pedantic(spec.read, args=(log.path,), rounds=spec.rounds, warmup_rounds=1)
    assert spec.summarize(result) == Extracted(log.messages, log.present, log.last, skipped=0)
    record_rate(benchmark, "bytes", log.size)


# Peak memory: `python -c LAUNCHER child...` runs the child and prints the child's report, then
# the child's ru_maxrss. The launcher imports nothing of the project, so its own small RSS is all
# the child can inherit into ru_maxrss.
LAUNCHER = """\
import resource, subprocess, sys
sys.stdout.write(subprocess.run(sys.argv[1:], check=True, stdout=subprocess.PIPE, text=True).stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
RU_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024
"""Bytes per unit of ``ru_maxrss``: bytes on macOS, KiB on Linux and the BSDs."""

READERS: dict[str, Callable[[Path, int], Any]] = {
    "read_columns": read_columns,
    "read_arrow": read_arrow,
}


class RssSampler:
    """Samples this process's file-backed and anonymous RSS every 5 ms (Linux ``/proc``).

    ``growth`` is how far each rose during the ``with`` block: its peak minus its value on
    entry. Elsewhere (no ``/proc``) it stays zero.
    """

    STATUS = Path("/proc/self/status")
    KINDS = ("RssFile", "RssAnon")

    def __init__(self) -> None:
        self.growth = dict.fromkeys(self.KINDS, 0)
        self._start: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self) -> dict[str, int]:
        """The current RSS of each kind, in bytes."""
        sizes = {}
        for line in self.STATUS.read_text().splitlines():
            name, _, value = line.partition(":")
            if name in self.KINDS:
                sizes[name] = int(value.split()[0]) * 1024  # kB
        return sizes

    def _sample(self) -> None:
        for name, size in self._read().items():
            self.growth[name] = max(self.growth[name], size - self._start[name])

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self._sample()

    def __enter__(self) -> Self:
        if self.STATUS.exists():
            self._start = self._read()
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self._sample()


def output_bytes(result: Any) -> int:
    """Bytes held by a read's result: Arrow buffers, or numpy data and masks.

    numpy's StringDType keeps strings of up to 15 bytes inside the 16-byte element and longer
    ones in a separate arena that ``nbytes`` leaves out, so their lengths are added (the data is
    ASCII, so characters are bytes).
    """
    if not isinstance(result, Columns):
        return int(result.nbytes)
    total = 0
    for column in result.values():
        data = np.ma.getdata(column)
        total += data.nbytes
        if np.ma.isMaskedArray(column):
            total += np.ma.getmaskarray(column).nbytes
        if isinstance(data.dtype, np.dtypes.StringDType):
            lengths = np.strings.str_len(data)
            total += int(lengths[lengths > 15].sum())
    return total


def child(api: str, path: Path, threads: int) -> dict[str, Any]:
    """Run one read in this process; report what it took, and the peak RSS before it."""
    if api == "read_arrow":
        import pyarrow  # noqa: F401 -- read_arrow imports it; the baseline includes it
    report: dict[str, Any] = {
        "fixwire": fixwire.__file__,
        "baseline": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RU_MAXRSS_UNIT,
    }
    with RssSampler() as sampler:
        start = time.perf_counter()
        result = READERS[api](path, threads)
        report["seconds"] = time.perf_counter() - start
    rows = result.rows if isinstance(result, Columns) else result.num_rows
    report |= {"rows": rows, "output": output_bytes(result)}
    report |= {"file_growth": sampler.growth["RssFile"], "anon_growth": sampler.growth["RssAnon"]}
    return report


def launch(command: list[str]) -> tuple[list[str], int]:
    """Run ``command`` through the launcher; its output lines and its peak RSS in bytes."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *lines, maxrss = done.stdout.splitlines()
    return lines, int(maxrss) * RU_MAXRSS_UNIT


def run_child(api: str, path: Path, threads: int) -> dict[str, Any]:
    """Run :func:`child` through the launcher; return its report with ``maxrss`` in bytes."""
    command = [sys.executable, "-m", "benches.bench_columns", api, str(path), str(threads)]
    (report,), maxrss = launch(command)
    return {**json.loads(report), "maxrss": maxrss}


@pytest.mark.benchmark(group="columns")
@pytest.mark.parametrize("threads", [pytest.param(1, id="1thread"), pytest.param(2, id="2threads")])
@pytest.mark.parametrize("api", list(READERS))
def test_columns_memory(benchmark: Benchmark, logs: dict[str, Log], api: str, threads: int) -> None:
    """Read the whole log once in a child process; report its peak RSS against the sizes.

    The time is the child's whole run, interpreter start included.
    """
    log = logs["log"]
    report = benchmark.pedantic(run_child, args=(api, log.path, threads), rounds=1)
    assert report["fixwire"] == fixwire.__file__
    assert report["rows"] == log.messages
    assert report["output"] >= 8 * len(TAGS) * log.messages
    assert 0 < report["baseline"] <= report["maxrss"]
    # Sampled growths; their sum may exceed the peak, as they need not peak at the same time.
    assert 0 <= report["file_growth"] <= report["maxrss"]
    assert 0 <= report["anon_growth"] <= report["maxrss"]
    record_memory(
        benchmark,
        peak=report["maxrss"],
        baseline=report["baseline"],
        output=report["output"],
        input=log.size,
        file_growth=report["file_growth"],
        anon_growth=report["anon_growth"],
    )
    benchmark.extra_info["child_read_seconds"] = report["seconds"]


@pytest.mark.benchmark(group="columns")
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export(benchmark: Benchmark, logs: dict[str, Log], tmp_path: Path, fmt: str) -> None:
    """``fixwire export`` of the whole log (the ten fields) in a child process, batches of the
    default size: its rate (interpreter start included) and peak RSS against the log's size.
    """
    import pyarrow.csv
    import pyarrow.parquet

    log = logs["log"]
    out = tmp_path / f"rows.{fmt}"
    command = [sys.executable, "-m", "fixwire", "export", str(log.path), "--to", str(out)]
    command += ["-c", ",".join(map(str, TAGS)), "--no-progress"]
    _, peak = benchmark.pedantic(launch, args=(command,), rounds=1)
    read = pyarrow.parquet.read_table if fmt == "parquet" else pyarrow.csv.read_csv
    table = read(out)
    assert table.num_rows == log.messages
    assert table.column("Price").null_count == log.messages - log.present[44]
    record_rate(benchmark, "bytes", log.size)
    record_memory(benchmark, peak=peak, input=log.size, output=out.stat().st_size)


def main() -> None:
    """``python -m benches.bench_columns API PATH THREADS``: the memory benchmark's child."""
    api, path, threads = sys.argv[1:]
    print(json.dumps(child(api, Path(path), int(threads))))


if __name__ == "__main__":
    main()
