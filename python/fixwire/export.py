"""``fixwire export LOG... --to OUT``: FIX logs into a Parquet or CSV file, in bounded memory.

Each log is read :data:`BATCH` bytes at a time (``--batch``), every batch starting where the
previous one's last message ended, so the rows are exactly those of ``fixwire.read_columns``
over the same files (see ``fixwire._ranges``), and each batch is written as soon as it is
read: memory follows the batch size, not the log's. The columns are the same as
``read_columns`` takes (tags or field names, ``name:kind``), named by the dictionary (the
bundled Kalshi one unless ``--dictionary`` names a QuickFIX XML file); ``--type`` and
``--explode`` filter and explode as ``msg_types=`` and ``explode=`` do.

The output is written to a temporary file beside it and renamed into place when complete, so
a failed export leaves no half-written file. A progress line is drawn on stderr when stderr is
a terminal (``--no-progress`` to silence it); never on a pipe.

Exit status: 0, 1 when garbled message candidates were skipped (counted on stderr), 2 for a
usage error, input that cannot be read or output that cannot be written (one line on stderr),
130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import fixwire
from fixwire._extras import require
from fixwire._ranges import Scanner, scan_range
from fixwire.cli import _Parser, dictionary_options, load_dictionary, message_types
from fixwire.columns import _group, _specs

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BATCH", "main"]

#: Bytes of a log read and written at a time, by default. The peak RSS stays flat whatever the
#: log's size (about 220 MB on Linux, 130 MB of it the interpreter, numpy and pyarrow); with
#: 64 MiB batches it grew with the log, as the C allocator kept the freed batches' memory.
BATCH = 16 << 20
_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fixwire export",
        description="Write the FIX messages of logs to a Parquet or CSV file, one row each.",
        epilog="Exit status: 0 ok, 1 garbled messages skipped, 2 usage, input or output error.",
    )
    parser.add_argument("logs", nargs="+", metavar="LOG", help="FIX log files")
    parser.add_argument(
        "--to", required=True, metavar="OUT", help="output file: .parquet (or .pq) or .csv"
    )
    parser.add_argument(
        "-c",
        "--columns",
        required=True,
        metavar="LIST",
        help="comma-separated tags or field names, each optionally :KIND "
        "(11,Price,OrderQty:float,44:decimal:2)",
    )
    parser.add_argument("--type", metavar="TYPES", help="only these MsgTypes, comma-separated")
    parser.add_argument(
        "--explode", metavar="GROUP", help="one row per entry of this group (NoMiscFees or 136)"
    )
    dictionary_options(parser)
    parser.add_argument(
        "--format", choices=("parquet", "csv"), help="output format (default: from OUT's suffix)"
    )
    parser.add_argument("--no-checksum", action="store_true", help="do not check CheckSum <10>")
    parser.add_argument(
        "--batch",
        type=_size,
        default=BATCH,
        metavar="SIZE",
        help=f"bytes of log read and written at a time, K/M/G suffixes (default {BATCH >> 20}M)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress line, even on a terminal"
    )
    return parser


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = (text[:-1], units[text[-1].upper()]) if text[-1:].upper() in units else (text, 1)
    if not number.isdigit() or int(number) == 0:
        raise argparse.ArgumentTypeError(f"not a positive size: {text!r}")
    return int(number) * unit


def _columns(text: str) -> list[int | str | tuple[int | str, str]]:
    out: list[int | str | tuple[int | str, str]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        column, _, kind = item.partition(":")
        name: int | str = int(column) if column.isdigit() else column
        out.append((name, kind) if kind else name)
    return out


class _Failed(Exception):
    """A one-line reason to stop with exit status 2."""


@dataclass
class _Progress:
    """The progress line on a terminal: bytes read of the total, and the rate."""

    stream: IO[str] | None
    total: int
    done: int = 0
    started: float = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream is None:
            return
        seconds = max(time.monotonic() - self.started, 1e-9)
        share = self.done / self.total if self.total else 1.0
        self.stream.write(
            f"\rexport: {self.done / 1e6:,.1f} of {self.total / 1e6:,.1f} MB ({share:.0%}), "
            f"{self.done / 1e6 / seconds:,.0f} MB/s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")


def _batches(
    path: str, scanner: Scanner, batch: int, progress: _Progress
) -> Iterator[fixwire.ColumnTable]:
    """The rows of one log, a batch at a time, each from where the previous one ended."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, after the generator's last batch
    except OSError as e:
        raise _Failed(f"cannot read {path}: {e.strerror}") from None
    with f:
        size = os.fstat(f.fileno()).st_size

        def read(offset: int, length: int) -> bytes:
            f.seek(offset)
            return f.read(length)

        position = 0
        while True:
            end = min(size, position + batch)
            part = scan_range(read, size, position, end, scanner, boundary=True)
            yield part.table
            progress.advance(max(end, part.reached) - position)
            position = max(end, part.reached)
            if position >= size:
                return


def _writer(fmt: str, sink: IO[bytes], schema: pa.Schema) -> Any:
    import pyarrow.csv
    import pyarrow.parquet

    if fmt == "parquet":
        return pyarrow.parquet.ParquetWriter(sink, schema)
    return pyarrow.csv.CSVWriter(sink, schema)


def _for_csv(table: pa.Table) -> pa.Table:
    """CSV has no dictionary encoding: enum columns as their text."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table


def _export(args: argparse.Namespace, stderr: IO[str]) -> int:
    require("fixwire export", "arrow", "numpy", "pyarrow")
    import pyarrow as pa

    fmt = args.format or _FORMATS.get(os.path.splitext(args.to)[1].lower())
    if fmt is None:
        raise _Failed(f"cannot tell the format of {args.to}: name it .parquet or .csv, or --format")
    try:
        dictionary = load_dictionary(args)
    except (OSError, fixwire.DictionaryError) as e:
        raise _Failed(f"cannot load the dictionary: {e}") from None
    types = message_types(args.type)
    explode = args.explode
    if explode is not None and explode.isdigit():
        explode = int(explode)
    scanner = Scanner(
        _specs(_columns(args.columns), False, dictionary),
        types,
        _group(explode, dictionary, types),
        not args.no_checksum,
        None,
    )
    sizes = []
    for path in args.logs:
        try:
            sizes.append(os.path.getsize(path))
        except OSError as e:
            raise _Failed(f"cannot read {path}: {e.strerror}") from None
    tty = not args.no_progress and stderr.isatty()
    progress = _Progress(stderr if tty else None, sum(sizes), started=time.monotonic())
    directory = os.path.dirname(os.path.abspath(args.to))
    try:
        sink = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
            dir=directory, prefix=".fixwire-export-", delete=False
        )
    except OSError as e:
        raise _Failed(f"cannot write {args.to}: {e.strerror}") from None
    garbled = 0
    first: tuple[str, int] | None = None
    writer = None
    try:
        with sink:
            for path in args.logs:
                for part in _batches(path, scanner, args.batch, progress):
                    # The garbled count of one batch would mislead in the file's metadata.
                    table = pa.table(part).replace_schema_metadata(None)
                    if fmt == "csv":
                        table = _for_csv(table)
                    if writer is None:
                        writer = _writer(fmt, sink, table.schema)
                    writer.write_table(table)
                    if first is None and len(part.garbled):
                        first = (path, int(part.garbled[0]))
                    garbled += len(part.garbled)
            if writer is not None:
                writer.close()
        os.replace(sink.name, args.to)
    except BaseException:
        os.unlink(sink.name)
        raise
    finally:
        progress.close()
    if first is not None:
        stderr.write(
            f"fixwire export: {garbled} garbled message candidates skipped "
            f"(the first at byte {first[1]} of {first[0]})\n"
        )
        return 1
    return 0


def main(argv: Sequence[str], stderr: IO[str] | None = None) -> int:
    """Run ``fixwire export`` with ``argv`` (the arguments after ``export``); the exit status."""
    stderr = stderr if stderr is not None else sys.stderr
    args = _parser().parse_args(list(argv))
    try:
        return _export(args, stderr)
    except (_Failed, fixwire.FixError) as e:
        stderr.write(f"fixwire export: error: {e}\n")
        return 2
    except OSError as e:
        stderr.write(f"fixwire export: error: cannot write {args.to}: {e.strerror or e}\n")
        return 2
