"""SIGKILL an initiator mid-stream; after its restart the acceptor has every message once.

``session_sender.py`` runs in a child process: a fixwire initiator with a JournalStore sending
numbered orders as fast as it can. The acceptor runs here, in the test's event loop. The child
is killed with SIGKILL while it sends, restarted with the same journal, and left to finish.
Then, at the acceptor:

* no gap is left: its next expected MsgSeqNum <34> is the initiator's next outbound one, the
  gap the kill left having been asked for with ResendRequest <2> and resent;
* every order arrived exactly once, in order, under the MsgSeqNum the initiator stored it with
  (a PossDupFlag <43> resend of a number already received is dropped, never delivered).

On loopback an acceptor that keeps up leaves the kill little to lose: what the child wrote is
already in the acceptor's socket buffer. So in the ``lagging`` run the acceptor stops reading
just before the kill, as a busy one would: the child's socket buffers and then its transport's
queue fill with messages that are in its journal and nowhere else, and the kill loses them.
The ``keeping-up`` run kills at whatever point the stream is at.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixwire import SessionError
from fixwire.session import (
    Connection,
    Disconnected,
    Event,
    JournalStore,
    LoggedOn,
    LoggedOut,
    Received,
    RejectSent,
    ResendComplete,
    Role,
    SequenceGap,
    SessionConfig,
    serve,
)

SENDER = Path(__file__).resolve().parents[1] / "support" / "session_sender.py"
SERVER = SessionConfig(sender_comp_id="SERVER", target_comp_id="CLIENT", role=Role.ACCEPTOR)
KILL_AFTER = 200
SECOND_RUN = 200


class Child:
    """One run of the sender, its output in files; killed at the end if still running."""

    def __init__(self, directory: Path, name: str, port: int, journal: Path, count: int) -> None:
        self.stdout = directory / f"{name}.out"
        self.stderr = directory / f"{name}.err"
        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(SENDER), str(port), str(journal), str(count)],
                stdout=out,
                stderr=err,
            )

    async def wait(self, timeout: float) -> int:
        return await asyncio.to_thread(self.process.wait, timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # SIGKILL
        self.process.wait(5)

    def reports(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.read_text().splitlines()]

    def explain(self) -> str:
        return f"stdout:\n{self.stdout.read_text()}\nstderr:\n{self.stderr.read_text()}"


@pytest.mark.parametrize("lagging", [True, False], ids=["lagging", "keeping-up"])
def test_sigkill_mid_stream_loses_and_duplicates_nothing(tmp_path: Path, lagging: bool) -> None:
    journal = tmp_path / "client.journal"
    events: list[Event] = []
    # (MsgSeqNum, ClOrdID) of every order the acceptor's application received, in order.
    orders: list[tuple[int, str]] = []
    changed = asyncio.Event()
    acceptor_sessions: list[Connection] = []

    async def handler(conn: Connection) -> None:
        acceptor_sessions.append(conn)
        async for event in conn:
            events.append(event)
            changed.set()
            if isinstance(event, Received) and event.message.msg_type == "D":
                order = event.message[11]
                orders.append((event.message.seq_num, order))
                fields = [(37, order), (11, order), (17, order), (150, "0"), (39, "0")]
                # Events queued before a kill arrive after it: those go unanswered.
                with contextlib.suppress(SessionError):
                    conn.send("8", fields)

    async def until(condition: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                changed.clear()
                await changed.wait()

    children: list[Child] = []

    async def main() -> None:
        acceptor = await serve([SERVER], handler, "127.0.0.1", 0)
        try:
            first = Child(tmp_path, "first", acceptor.port, journal, 0)
            children.append(first)
            await until(lambda: len(orders) >= KILL_AFTER, timeout=8)
            if lagging:
                transport = acceptor_sessions[0]._transport  # private: the test's lever
                assert transport is not None
                transport.pause_reading()
                # Real time on purpose: the child fills its buffers while we do not read.
                await asyncio.sleep(0.2)
                first.kill()
                transport.resume_reading()
            else:
                first.kill()
            await until(lambda: any(isinstance(e, Disconnected) for e in events), timeout=5)
            assert first.process.returncode == -9, first.explain()

            second = Child(tmp_path, "second", acceptor.port, journal, SECOND_RUN)
            children.append(second)
            assert await second.wait(timeout=10) == 0, second.explain()
            await until(lambda: any(isinstance(e, LoggedOut) for e in events), timeout=5)
        finally:
            for child in children:
                child.kill()
            await acceptor.close()

    async def bounded() -> None:
        async with asyncio.timeout(18):
            await main()

    asyncio.run(bounded())

    start, *_, done = children[1].reports()
    assert start["event"] == "start", children[1].explain()
    assert done["event"] == "done", children[1].explain()
    last = done["last"]
    assert last == start["first"] + SECOND_RUN - 1
    assert start["first"] > KILL_AFTER  # the first run got at least that far

    # Every order once, in order: none lost, none delivered twice.
    assert [order for _, order in orders] == [f"order-{n}" for n in range(1, last + 1)]
    seq_nums = [seq for seq, _ in orders]
    assert seq_nums == sorted(set(seq_nums))

    # Each under the MsgSeqNum the initiator stored it with, and every stored one arrived.
    store = JournalStore(journal)
    try:
        stored = {
            seq: wire.split(b"\x0111=")[1].split(b"\x01")[0].decode()
            for seq, wire in store.messages(1, store.next_sender_seq - 1).items()
        }
        session = acceptor_sessions[0].session
        assert dict(orders) == stored
        # No gap left either way: each side expects what the other sends next.
        assert session.store.next_target_seq == store.next_sender_seq == done["next_sender_seq"]
        assert store.next_target_seq == session.store.next_sender_seq
    finally:
        store.close()

    # A gap the kill left was recovered with a ResendRequest <2>, answered by resends.
    gaps = [e for e in events if isinstance(e, SequenceGap)]
    served = [r for r in children[1].reports() if r["event"] == "resend-served"]
    if lagging:
        assert gaps, "the kill left no gap: the recovery was not exercised"
    assert all(gap.recovering for gap in gaps)
    if gaps:
        assert any(isinstance(e, ResendComplete) for e in events)
        assert served
        assert sum(r["resent"] for r in served) > 0
    assert [type(e) for e in events if isinstance(e, LoggedOn | LoggedOut)] == [
        LoggedOn,
        LoggedOn,
        LoggedOut,
    ]
    assert not any(isinstance(e, RejectSent) for e in events)
