"""SIGKILL the receiving side while it takes ExecutionReports; after its restarts every one the
peer sent was taken at least once, and every one taken twice is marked PossDupFlag <43>.

``session_receiver.py`` runs in a child process: a fixwire initiator with a JournalStore that
takes each ExecutionReport <8> by writing it to its stdout before asking for the next event.
The acceptor here sends numbered ExecutionReports as fast as the session takes them. The child
is killed with SIGKILL at random moments (after a random number of reports taken; it is still
taking more when the signal lands), restarted with the same journal, and, after the last
restart, left to take everything.

The events queued in the child at the kill were read from its socket but not taken: had the
next inbound MsgSeqNum been recorded as they were read, they would be lost for good. Recorded
only once taken, the restarted session expects the first untaken one, the acceptor's Logon
opens a gap, the ResendRequest <2> brings them back with PossDupFlag <43>=Y.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path
from typing import Any

from fixwire import SessionError
from fixwire.session import Connection, Role, SessionConfig, serve

RECEIVER = Path(__file__).resolve().parents[1] / "support" / "session_receiver.py"
SERVER = SessionConfig(sender_comp_id="SERVER", target_comp_id="CLIENT", role=Role.ACCEPTOR)
REPORTS = 3000
KILLS = 3


async def _run(journal: Path, kill_points: list[int]) -> list[list[dict[str, Any]]]:
    """Runs the child once per kill point and once more; returns what each run took."""
    sent = 0

    async def send_reports(conn: Connection) -> None:
        nonlocal sent
        while sent < REPORTS:
            if not conn.session.logged_on:
                # The next receiver's Logon: its start-up alone can take seconds on a loaded
                # machine, so no wait of its own here (a TimeoutError would end this task and
                # nothing more would be sent); the test's bound covers it.
                await conn.logged_on()
                continue
            fields = [(37, "order"), (17, f"exec-{sent + 1}"), (150, "F"), (39, "1")]
            try:
                conn.send("8", fields)
            except SessionError:
                await conn.drain()
                await asyncio.sleep(0)  # not logged on: let the loop run the reconnect
                continue
            sent += 1
            if sent % 50 == 0:
                await asyncio.sleep(0)

    tasks: list[asyncio.Task[None]] = []

    async def handler(conn: Connection) -> None:
        tasks.append(asyncio.create_task(send_reports(conn)))
        async for _ in conn:
            pass

    runs: list[list[dict[str, Any]]] = []
    acceptor = await serve([SERVER], handler, "127.0.0.1", 0)
    try:
        for kill_after in [*kill_points, None]:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                str(RECEIVER),
                str(acceptor.port),
                str(journal),
                stdout=asyncio.subprocess.PIPE,
            )
            assert child.stdout is not None
            taken: list[dict[str, Any]] = []
            runs.append(taken)
            try:
                # The last run ends with the last report: delivered in order, everything before
                # it was delivered by then, in this run or an earlier one.
                while kill_after is None or len(taken) < kill_after:
                    line = await child.stdout.readline()
                    assert line, "the receiver ended by itself"
                    taken.append(json.loads(line))
                    if kill_after is None and taken[-1]["exec_id"] == f"exec-{REPORTS}":
                        break
            finally:
                child.kill()  # SIGKILL: mid-stream, it was taking more
                # What it wrote before dying is still in the pipe: taken too.
                taken.extend(json.loads(line) for line in (await child.stdout.read()).splitlines())
                await child.wait()
    finally:
        for task in tasks:
            task.cancel()
        await acceptor.close()
        # A sender that failed is why the reports stopped: say so rather than time out.
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise AssertionError("the acceptor stopped sending") from task.exception()
    return runs


def test_sigkill_while_taking_events_loses_no_execution_report(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    kill_points = [rng.randrange(50, 600) for _ in range(KILLS)]

    async def bounded() -> list[list[dict[str, Any]]]:
        async with asyncio.timeout(40):
            return await _run(tmp_path / "client.journal", kill_points)

    runs = asyncio.run(bounded())
    everything = [report for run in runs for report in run]
    taken = [report["exec_id"] for report in everything]
    context = f"seed {seed}, kill points {kill_points}"
    # Nothing lost: every ExecutionReport sent was taken at least once.
    assert set(taken) == {f"exec-{n}" for n in range(1, REPORTS + 1)}, context
    # Duplicates detectable: a report taken again comes marked PossDupFlag <43>=Y, under the
    # MsgSeqNum it was first taken with.
    first: dict[str, int] = {}
    for report in everything:
        if report["exec_id"] in first:
            assert report["possible_duplicate"], (report, context)
            assert report["seq"] == first[report["exec_id"]], context
        else:
            first[report["exec_id"]] = report["seq"]
    # The kills happened while reports were flowing, and each restart recovered some.
    assert all(len(run) >= point for run, point in zip(runs, kill_points, strict=False))
    # Something was in flight at a kill and came back through a resend.
    assert any(report["possible_duplicate"] for report in everything), context
