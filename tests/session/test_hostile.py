"""Hostile peers on loopback against a fixwire acceptor in a process of its own, its resident
memory read from ``/proc`` (Linux): what the peer makes it hold is bounded by the configured
limits, asserted as a ratio to them.

* A peer that leaves a gap open and streams large messages behind it is logged out, with the
  reason, once the held messages pass ``max_held_bytes``.
* A peer that stops reading and keeps sending ResendRequest <2> 1..0 costs one answer, read
  from the store as the transport drains: every further request is coalesced, and when the
  peer reads again it gets each stored message once.
"""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from fixwire import Encoder, Framer, Message
from fixwire.session import JournalStore, SessionConfig
from fixwire.session.connection import DEFAULT_MAX_BUFFER

TARGET = Path(__file__).resolve().parents[1] / "support" / "session_target.py"
NOW = 1_700_000_000.0
MiB = 1024 * 1024

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="reads resident memory from /proc (Linux)"
)


class Target:
    """The acceptor's process; its reports read as JSON lines with bounded waits."""

    def __init__(self, journal: Path, max_held_bytes: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(TARGET), str(journal), str(max_held_bytes)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # A thread reads the lines: a select() on the pipe misses lines already buffered.
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = self.wait_for("listening")["port"]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(b"")

    def next_report(self, timeout: float = 20) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no report from the acceptor within {timeout} s") from None
        assert line, "the acceptor ended"
        report: dict[str, Any] = json.loads(line)
        return report

    def wait_for(self, event: str) -> dict[str, Any]:
        while (report := self.next_report())["event"] != event:
            pass
        return report

    def rss(self) -> int:
        """Resident memory now, in bytes; and the peak since :meth:`reset_peak` is VmHWM."""
        return self._status("VmRSS")

    def peak(self) -> int:
        return self._status("VmHWM")

    def reset_peak(self) -> None:
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def _status(self, field: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"{field} not in /proc status")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self._reader.join(5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


class Peer:
    """CLIENT on a raw socket: what it sends is written with fixwire's Encoder, what it reads
    is framed into messages by a reader thread.
    """

    def __init__(self, port: int, receive_buffer: int | None = None) -> None:
        self.encoder = Encoder("CLIENT", "SERVER", begin_string="FIXT.1.1")
        self.sock = socket.socket()
        if receive_buffer is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(20)
        self.sock.connect(("127.0.0.1", port))
        self.received: list[Message] = []
        self.closed = threading.Event()
        self.reading = threading.Event()
        self.reading.set()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def send(self, msg_type: str, fields: list[tuple[int, Any]], seq: int) -> None:
        self.sock.sendall(self.encoder.encode(msg_type, fields, seq_num=seq, sending_time=NOW))

    def logon(self) -> None:
        self.send("A", [(98, 0), (108, 30), (1137, "9")], 1)
        self.wait(lambda: any(m.msg_type == "A" for m in self.received))

    def wait(self, condition: Any, timeout: float = 20) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: condition() or self.closed.is_set(), timeout)
        assert condition(), "the connection closed first"

    def _read(self) -> None:
        framer = Framer(max_body_length=2 * MiB)
        try:
            while True:
                self.reading.wait()
                data = self.sock.recv(65536)
                if not data:
                    break
                with self._changed:
                    self.received.extend(framer.feed(data))
                    self._changed.notify_all()
        except OSError:
            pass
        with self._changed:
            self.closed.set()
            self._changed.notify_all()

    def close(self) -> None:
        self.sock.close()
        self._reader.join(5)


def test_a_gap_left_open_under_large_messages_is_bounded_by_max_held_bytes(
    tmp_path: Path,
) -> None:
    limit = 8 * MiB
    target = Target(tmp_path / "server.journal", limit)
    peer = Peer(target.port)
    try:
        peer.logon()
        target.wait_for("logged-on")
        baseline = target.rss()
        target.reset_peak()
        big = [(58, "x" * (512 * 1024))]
        sent = 0
        try:
            for seq in range(3, 3 + 200):  # 100 MiB behind the gap at 2
                peer.send("B", big, seq)
                sent += 1
        except OSError:
            pass  # logged out and cut off
        text = f"more than {limit} bytes held ahead of a gap"
        assert target.wait_for("disconnected")["reason"] == text
        growth = target.peak() - baseline
        peer.wait(lambda: peer.closed.is_set())
        logouts = [m.get(58) for m in peer.received if m.msg_type == "5"]
        assert logouts == [text]
        assert sent < 200
        print(f"held-gap: resident growth {growth / MiB:.1f} MiB, limit {limit / MiB:.0f} MiB")
        assert growth < 2 * limit
    finally:
        peer.close()
        target.kill()


def test_resend_requests_to_a_peer_that_does_not_read_cost_one_streamed_answer(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "server.journal"
    stored = 4000  # 5 KB each: 20 MB in the store
    store = JournalStore(journal)
    ours = Encoder("SERVER", "CLIENT", begin_string="FIXT.1.1")
    for seq in range(1, stored + 1):
        fields = [(37, f"exec-{seq}"), (58, "p" * 5000)]
        store.save(seq, ours.encode("8", fields, seq_num=seq, sending_time=NOW))
    store.close()
    config = SessionConfig(sender_comp_id="SERVER", target_comp_id="CLIENT")
    bound = DEFAULT_MAX_BUFFER + config.max_outbound_bytes

    target = Target(journal, config.max_held_bytes)
    peer = Peer(target.port, receive_buffer=4096)
    try:
        peer.logon()
        target.wait_for("logged-on")
        peer.reading.clear()  # stops reading; the kernel's small buffer fills
        baseline = target.rss()
        target.reset_peak()
        requests = 150
        for seq in range(2, 2 + requests):
            peer.send("2", [(7, 1), (16, 0)], seq)
        served = [target.wait_for("resend-served") for _ in range(requests)]
        growth = target.peak() - baseline
        assert served[0]["resent"] == stored
        assert not served[0]["coalesced"]
        assert all(report["coalesced"] for report in served[1:])
        print(f"resend-flood: resident growth {growth / MiB:.1f} MiB, bound {bound / MiB:.0f} MiB")
        assert growth < bound

        peer.reading.set()  # reads again: the answer goes on as the transport drains

        def resent() -> list[int]:
            return [m.seq_num for m in peer.received if m.msg_type == "8"]

        peer.wait(lambda: len(resent()) >= stored)
        assert resent() == list(range(1, stored + 1))
        assert all(m.get(43) == "Y" for m in peer.received if m.msg_type == "8")
    finally:
        peer.close()
        target.kill()
