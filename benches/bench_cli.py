"""Group "cli": ``fixwire decode`` of a FIX log to /dev/null, against the same command with
its formatting in Python (as it was before the Rust core formatted whole reads) and against
copying the log there.

The log is conftest's mixed stream (D, ExecutionReports with groups, Heartbeat, G, F),
``FIXWIRE_BENCH_CLI_MB`` MiB of it (4 by default, so the smoke run in ``make test`` stays quick;
``FIXWIRE_BENCH_CLI_MB=48`` is the run ``docs/cli.md`` quotes), written to a file once; with
``FIXWIRE_BENCH_CLI_FORMAT=quickfix`` it is instead a QuickFIX log from ``fixlog`` (a timestamp
before each message, 1% garbage; ``FIXWIRE_BENCH_CLI_MB=50`` makes the 52 MB log of
``docs/performance.md``). Each
round is one whole command, run in this process as the console script runs it (``cli.main``),
its standard output and error text files on /dev/null:

* text: ``fixwire decode --no-color LOG``, the output a person reads;
* json: ``fixwire decode --json LOG``;
* colour: ``fixwire decode --color LOG``, as a terminal gets it;
* text-python, json-python, colour-python: the same output, formatted in Python a message at a time
  (``tests/support/decode_reference.py``, the reference the tests compare the command with);
* cat: the baseline, the log copied to /dev/null in the command's read size, as ``cat`` does.

Times are the process's CPU time (``time.process_time``), so that other work on a shared machine
does not count. Throughput, in input bytes per second of the median time, is in
``extra_info["bytes_per_s"]`` and in the summary printed after the run.
"""

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import decode_reference
import fixwire
from benches.conftest import Benchmark, env_size, make_stream, record_rate
from fixlog import LogGenerator, render
from fixwire import cli

LOG_MB_ENV = "FIXWIRE_BENCH_CLI_MB"
FORMAT_ENV = "FIXWIRE_BENCH_CLI_FORMAT"
#: Bytes per item of a generated QuickFIX log, about.
QUICKFIX_LINE = 261


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark log, written once."""
    path = tmp_path_factory.mktemp("cli") / "mixed.log"
    size = env_size(LOG_MB_ENV, 4)
    if os.environ.get(FORMAT_ENV) == "quickfix":
        gen = LogGenerator(7)
        path.write_bytes(render(gen.items(size // QUICKFIX_LINE), "quickfix", gen).data)
    else:
        path.write_bytes(make_stream(size).data)
    return path


def _decode(*options: str) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        with (
            open(os.devnull, "w") as out,
            open(os.devnull, "w") as err,
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            return cli.main(["decode", *options, str(path)])

    return run


def _python(*, as_json: bool = False, colour: bool = False) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        with open(path, "rb") as f, open(os.devnull, "w") as out, open(os.devnull, "w") as err:
            dictionary = fixwire.Dictionary.kalshi()
            printer = decode_reference.Printer(dictionary, None, as_json, colour, out, err)
            decode_reference.decode_stream(f, str(path), printer, cli.CHUNK)
        return 1 if printer.bad else 0

    return run


def _cat(path: Path) -> int:
    with open(path, "rb") as f, open(os.devnull, "wb") as out:
        while chunk := f.read(cli.CHUNK):
            out.write(chunk)
    return 0


COMMANDS: dict[str, Callable[[Path], int]] = {
    "text": _decode("--no-color"),
    "json": _decode("--json"),
    "colour": _decode("--color"),
    "text-python": _python(),
    "json-python": _python(as_json=True),
    "colour-python": _python(colour=True),
    "cat": _cat,
}


@pytest.mark.benchmark(group="cli", timer=time.process_time)
@pytest.mark.timeout(900)  # JSON formatted in Python takes minutes on a long log: 5 MB/s
@pytest.mark.parametrize("command", list(COMMANDS))
def test_cli_decode(benchmark: Benchmark, log: Path, command: str) -> None:
    """One command over the whole log; every message decodes (exit status 0), but the garbage
    of a QuickFIX log (1).
    """
    status = benchmark.pedantic(COMMANDS[command], args=(log,), rounds=3, warmup_rounds=1)
    garbage = command != "cat" and os.environ.get(FORMAT_ENV) == "quickfix"
    assert status == (1 if garbage else 0)
    record_rate(benchmark, "B", log.stat().st_size)
