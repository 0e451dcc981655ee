"""The acceptor of the round-trip benchmarks, run in a child process of its own.

Usage, from the repository root::

    python -m benches.session_peer {fixwire,quickfix} DIRECTORY SENDER_COMP_ID TARGET_COMP_ID
        [uvloop | asyncio-transports] [call-back]

It answers every NewOrderSingle <35=D> with an ExecutionReport <35=8> (ExecType <150>=0, New).
fixwire's acceptor runs on asyncio's own event loop (with fixwire's transport, or asyncio's with
``asyncio-transports``), or on uvloop's with ``uvloop``; it answers
as it iterates its events (``async for``), or from the callback that ``Connection.set_on_event``
installs with ``call-back``.
On stdout it writes ``port N`` once it listens (fixwire on 127.0.0.1; QuickFIX 1.16 cannot be
told an address and listens on every interface), then runs until its stdin is closed, then
writes ``answered N`` and one ``error ...`` line per problem, and exits. A ``report`` line on
its stdin gets ``answered N`` at once: the benchmark asks before its initiator disconnects,
because QuickFIX 1.16 can crash in the teardown that follows a disconnect. It imports neither
pytest nor the benchmarks' conftest, to start fast.

Why a process of its own: in the benchmark's process, the peer's Python (QuickFIX's callbacks
run Python on QuickFIX's threads) would take turns at the GIL with the initiator being measured,
and a thread that waits for the GIL can wait a whole switch interval (5 ms). A venue is another
machine; here it is at least another interpreter.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from fixwire.session import (
    Connection,
    Event,
    Received,
    Role,
    SessionConfig,
    serve,
    socket_transport,
)

__all__ = ["execution_report", "main"]


def execution_report(get: Callable[[int], str], exec_id: int) -> list[tuple[int, str]]:
    """The ExecutionReport <35=8> (ExecType <150>=0, New) for the order whose fields ``get``
    reads, as text.
    """
    return [
        (37, f"O-{exec_id}"),
        (11, get(11)),
        (17, f"E-{exec_id}"),
        (150, "0"),
        (39, "0"),
        (54, get(54)),
        (55, get(55)),
        (38, get(38)),
        (40, get(40)),
        (44, get(44)),
        (151, get(38)),
        (14, "0"),
        (6, "0"),
    ]


def answer_reports(answered: Callable[[], int]) -> None:
    """Until stdin closes, writes ``answered N`` for each ``report`` line read."""
    for line in sys.stdin:
        if line.strip() == "report":
            report(f"answered {answered()}")


def report(line: str) -> None:
    """Writes one line for the benchmark process."""
    print(line, flush=True)


class Answers:
    """Answers the NewOrderSingles <35=D> of the connections it is given with
    :func:`execution_report`, counting them and the errors in sending.
    """

    def __init__(self) -> None:
        self.answered = 0
        self.errors: list[str] = []

    def to(self, conn: Connection) -> Callable[[Event], None]:
        """The handler of ``conn``'s events that answers its orders."""

        def answer(event: Event) -> None:
            if isinstance(event, Received) and event.message.msg_type == "D":
                self.answered += 1
                try:
                    conn.send("8", execution_report(event.message.__getitem__, self.answered))
                except Exception as e:  # Reported to the benchmark process.
                    self.errors.append(repr(e))

        return answer


async def run_fixwire(
    sender_comp_id: str, target_comp_id: str, call_back: bool
) -> tuple[int, list[str]]:
    """A fixwire acceptor (``serve``), answering as it iterates its events or, with
    ``call_back``, from ``Connection.set_on_event``'s callback.
    """
    answers = Answers()

    async def handle(conn: Connection) -> None:
        answer = answers.to(conn)
        if call_back:
            conn.set_on_event(answer)
        async for event in conn:
            answer(event)

    config = SessionConfig(
        sender_comp_id=sender_comp_id, target_comp_id=target_comp_id, role=Role.ACCEPTOR
    )
    async with await serve([config], handle, "127.0.0.1", 0) as acceptor:
        report(f"port {acceptor.port}")
        await asyncio.to_thread(answer_reports, lambda: answers.answered)
    return answers.answered, answers.errors


def run_quickfix(
    directory: Path, sender_comp_id: str, target_comp_id: str
) -> tuple[int, list[str]]:
    """A QuickFIX acceptor, answering in its ``fromApp`` (see ``quickfix_engine.py``).

    It is left running: the process ends without stopping it (see :func:`main`).
    """
    from benches.quickfix_engine import Answerer, QuickFixEngine, free_port

    app = Answerer(execution_report)
    port = free_port()
    engine = QuickFixEngine(
        directory,
        app,
        role="acceptor",
        sender_comp_id=sender_comp_id,
        target_comp_id=target_comp_id,
        port=port,
    )
    engine.start()
    report(f"port {port}")
    answer_reports(lambda: app.answered)
    return app.answered, app.errors


#: The options after the four arguments.
OPTIONS = frozenset({"uvloop", "asyncio-transports", "call-back"})


def main(argv: list[str]) -> int:
    """Runs the peer that ``argv`` names (see the module documentation)."""
    options = set(argv[4:])
    if len(argv) < 4 or argv[0] not in ("fixwire", "quickfix") or options - OPTIONS:
        print(
            "usage: python -m benches.session_peer {fixwire,quickfix} DIRECTORY"
            " SENDER_COMP_ID TARGET_COMP_ID [uvloop | asyncio-transports] [call-back]",
            file=sys.stderr,
        )
        return 2
    kind, directory, sender_comp_id, target_comp_id = argv[:4]
    if "asyncio-transports" in options:
        socket_transport.enabled = False
    if kind == "fixwire":
        main = run_fixwire(sender_comp_id, target_comp_id, "call-back" in options)
        if "uvloop" in options:
            import uvloop

            answered, errors = uvloop.run(main)
        else:
            answered, errors = asyncio.run(main)
    else:
        answered, errors = run_quickfix(Path(directory), sender_comp_id, target_comp_id)
    report(f"answered {answered}")
    for error in errors:
        report(f"error {error}")
    if kind == "quickfix":
        # QuickFIX 1.16's Acceptor::stop races with its own thread, which is still handling the
        # connection the benchmark just closed: stopping it here crashed this process (SIGSEGV)
        # in 10 of 25 runs. Nothing is left to clean up that ending the process does not.
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
