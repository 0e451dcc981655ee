"""``fixwire decode`` as a stream: the same output whatever the reads, messages printed as they
arrive from a pipe or a growing file, and memory that does not follow the input's size.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO

import pytest

import fixwire
import fixwire.cli
from fixtext import frame
from fixwire.cli import main

WAIT = 60.0
"""Seconds a test waits for output from a child process before it fails."""


def _mixed() -> bytes:
    """Messages in every shape the command reads, with bad ones between them: log lines with
    prefixes, '|' text, raw SOH messages back to back, a RawData <96> holding a newline and
    SOH, a corrupt CheckSum, garbage, and a message cut short at the end.
    """
    enc = fixwire.Encoder("C", "KalshiNR")
    raw = [
        enc.encode("D", [(11, f"id-{i}"), (38, i + 1), (44, Decimal("0.5"))], seq_num=i + 2)
        for i in range(40)
    ]
    data = enc.encode("B", [(148, "x"), (96, b"a\nb\x01c")], seq_num=99)
    beat = frame("35=0|49=C|56=KalshiNR|34=4|52=20260820-14:30:35.000|")
    return b"".join(
        [
            b"20260820-14:30:05.124 : " + raw[0] + b"\n",
            raw[1].replace(b"\x01", b"|") + b"\n",
            b"garbage line without a message 8=FIX 9=\n",
            *raw[2:20],
            data,
            beat.replace(b"10=", b"10=9", 1) + b"\n",
            b"\n".join(b"prefix " + m.replace(b"\x01", b"|") for m in raw[20:]),
            b"\n",
            beat,
            b"8=FIXT.1.1\x019=200\x0135=D\x01",
        ]
    )


def _decode(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    status = main(["decode", "--no-color", *options, str(path)])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
@pytest.mark.parametrize("as_json", [False, True])
def test_output_does_not_depend_on_the_reads(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    as_json: bool,
) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(_mixed())
    options = ("--json",) if as_json else ()
    whole = _decode(path, capsys, *options)
    assert whole[0] == 1
    assert whole[1].count('"msg_type": "D"' if as_json else "35=D NewOrderSingle") == 40
    assert len(whole[2].splitlines()) >= 3, whole[2]  # corrupt CheckSum, garbage, cut short
    assert "(truncated)" in whole[2]
    monkeypatch.setattr(fixwire.cli, "CHUNK", chunk)
    assert _decode(path, capsys, *options) == whole


def test_a_message_cut_longer_than_max_held_is_reported_and_the_rest_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    beat = frame("35=0|49=C|56=KalshiNR|34=4|52=20260820-14:30:35.000|")
    liar = b"8=FIXT.1.1\x019=999999999\x0135=D\x01" + b"x" * 5000 + b"\n"
    path = tmp_path / "liar.log"
    path.write_bytes(liar + beat)
    monkeypatch.setattr(fixwire.cli, "CHUNK", 256)
    monkeypatch.setattr(fixwire.cli, "MAX_HELD", 1024)
    status, out, err = _decode(path, capsys)
    assert status == 1
    assert f"byte {len(liar)}: 35=0 Heartbeat" in out
    assert err.startswith(f"{path}: byte 0: ")


class _Lines:
    """Reads a child's stdout on a thread, so that a test can wait for a line with a bound."""

    def __init__(self, child: subprocess.Popen[bytes]) -> None:
        self._lines: queue.Queue[bytes] = queue.Queue()
        assert child.stdout is not None
        stdout = child.stdout
        threading.Thread(target=self._read, args=(stdout,), daemon=True).start()

    def _read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            self._lines.put(line)

    def until(self, text: bytes) -> list[bytes]:
        """The lines up to and including the first that contains ``text``."""
        seen = []
        while True:
            line = self._lines.get(timeout=WAIT)
            seen.append(line)
            if text in line:
                return seen


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Child processes that are killed, if still running, when the test ends."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=WAIT)
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def _fixwire(*args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "fixwire", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _order(seq_num: int) -> bytes:
    return fixwire.Encoder("C", "KalshiNR").encode(
        "D", [(11, f"id-{seq_num}")], seq_num=seq_num, sending_time=0
    )


def test_a_pipe_is_decoded_as_it_flows(children: list[subprocess.Popen[bytes]]) -> None:
    child = _fixwire("decode", "--no-color", stdin=subprocess.PIPE)
    children.append(child)
    assert child.stdin is not None
    lines = _Lines(child)
    first = _order(2)
    child.stdin.write(first)
    child.stdin.flush()
    # The pipe stays open: the first message is printed before the input ends.
    assert b"# <stdin> byte 0: 35=D" in lines.until(b"11 ClOrdID")[0]
    child.stdin.write(_order(3)[:20])
    child.stdin.flush()
    child.stdin.write(_order(3)[20:])
    child.stdin.close()
    header = f"# <stdin> byte {len(first)}: 35=D".encode()
    assert any(header in line for line in lines.until(b"id-3"))
    assert child.wait(timeout=WAIT) == 0
    assert child.stderr is not None
    assert child.stderr.read() == b""


def test_follow_prints_what_is_appended_until_interrupted(
    tmp_path: Path, children: list[subprocess.Popen[bytes]]
) -> None:
    path = tmp_path / "growing.log"
    path.write_bytes(_order(2) + b"\n" + _order(3)[:30])
    child = _fixwire("decode", "--no-color", "-f", str(path))
    children.append(child)
    lines = _Lines(child)
    lines.until(b"id-2")
    with path.open("ab") as f:
        f.write(_order(3)[30:] + b"\n")
    lines.until(b"id-3")
    with path.open("ab") as f:
        f.write(_order(4) + b"\n")
    lines.until(b"id-4")
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=WAIT) == 130
    assert child.stderr is not None
    assert child.stderr.read() == b""


def _peak_rss_kib(path: Path) -> int:
    """Peak resident memory of a child process that decodes ``path`` to /dev/null."""
    code = (
        "import resource, sys\n"
        "from fixwire.cli import main\n"
        "sys.stdout = open('/dev/null', 'w')\n"
        f"status = main(['decode', '--no-color', {str(path)!r}])\n"
        "print(status, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    )
    status, peak = done.stderr.split()
    assert status == "0"
    return int(peak)


def test_memory_does_not_follow_the_input_size(tmp_path: Path) -> None:
    line = b"20260820-14:30:05.124 : " + _order(2).replace(b"\x01", b"|") + b"\n"
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_bytes(line * (2_000_000 // len(line)))
    large.write_bytes(line * (32_000_000 // len(line)))
    grown = _peak_rss_kib(large) - _peak_rss_kib(small)
    # 30 MB more input; reading it whole would take at least that much more memory.
    assert grown < 8_000, f"{grown} KiB more for 30 MB more input"
