"""A FIX initiator that takes ExecutionReports, for ``tests/session/test_crash_inbound.py`` to
kill while it takes them.

Run as ``python session_receiver.py PORT JOURNAL``. It logs on to 127.0.0.1:PORT as CLIENT with
a :class:`~fixwire.session.JournalStore` at JOURNAL and iterates the connection's events. Taking
an ExecutionReport <8> means printing it, one JSON line (its MsgSeqNum <34>, ExecID <17> and
PossDupFlag <43>) written to stdout before the next event is asked for: what the line records,
the application has acted on. It runs until it is killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from fixwire.session import JournalStore, Received, SessionConfig, connect

CONFIG = SessionConfig(sender_comp_id="CLIENT", target_comp_id="SERVER", logon_timeout=5)


async def main(port: int, journal: str) -> None:
    store = JournalStore(journal)
    conn = await connect(CONFIG, "127.0.0.1", port, store=store)
    async for event in conn:
        if isinstance(event, Received) and event.message.msg_type == "8":
            line = {
                "seq": event.message.seq_num,
                "exec_id": event.message[17],
                "possible_duplicate": event.possible_duplicate,
            }
            os.write(1, json.dumps(line).encode() + b"\n")  # unbuffered: taken once written


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
