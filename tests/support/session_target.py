"""A FIX acceptor in a process of its own, for ``tests/session/test_hostile.py`` to attack and
measure (its resident memory is read from ``/proc``).

Run as ``python session_target.py JOURNAL MAX_HELD_BYTES``. It serves SERVER (acceptor) for
CLIENT on 127.0.0.1, an ephemeral port, with a :class:`~fixwire.session.JournalStore` at
JOURNAL (whatever it holds is what a ResendRequest <2> is answered from) and the default byte
limits except ``max_held_bytes``. Each line it prints is a JSON object: ``listening`` with the
port first, then the session's events that the test waits on.
"""

from __future__ import annotations

import asyncio
import json
import sys

from fixwire.session import (
    Connection,
    Disconnected,
    JournalStore,
    LoggedOn,
    ResendServed,
    Role,
    SessionConfig,
    serve,
)


def report(what: str, **details: object) -> None:
    print(json.dumps({"event": what, **details}), flush=True)


async def main(journal: str, max_held_bytes: int) -> None:
    config = SessionConfig(
        sender_comp_id="SERVER",
        target_comp_id="CLIENT",
        role=Role.ACCEPTOR,
        max_held_bytes=max_held_bytes,
        max_sending_time_skew=None,
    )

    async def handler(conn: Connection) -> None:
        async for event in conn:
            if isinstance(event, LoggedOn):
                report("logged-on")
            elif isinstance(event, ResendServed):
                report("resend-served", resent=event.resent, coalesced=event.coalesced)
            elif isinstance(event, Disconnected):
                report("disconnected", reason=event.reason)

    acceptor = await serve(
        [config], handler, "127.0.0.1", 0, store_factory=lambda _: JournalStore(journal)
    )
    report("listening", port=acceptor.port)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
