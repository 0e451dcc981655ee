"""A FIX initiator that sends numbered orders, for ``tests/session/test_crash.py`` to kill.

Run as ``python session_sender.py PORT JOURNAL COUNT``. It logs on to 127.0.0.1:PORT as CLIENT,
with a :class:`~fixwire.session.JournalStore` at JOURNAL, and sends NewOrderSingle <D> with
ClOrdID <11> ``order-N`` as fast as the session takes them. Numbering goes on from the last
order in the journal: what the journal holds, the application counts as sent, since a message
stored but lost in flight comes back through the peer's ResendRequest <2>.

With COUNT 0 it sends until it is killed. Otherwise it sends COUNT orders, waits for the
ExecutionReport <8> of the last (the acceptor processes in MsgSeqNum order, so that one answered
means every earlier one arrived), logs out and exits. Each line it prints is a JSON object.
"""

from __future__ import annotations

import asyncio
import json
import sys

from fixwire import SessionError, parse
from fixwire.session import (
    Event,
    JournalStore,
    Received,
    ResendServed,
    SequenceGap,
    SessionConfig,
    Store,
    connect,
)

CONFIG = SessionConfig(sender_comp_id="CLIENT", target_comp_id="SERVER", logon_timeout=5)


def report(what: str, **details: object) -> None:
    print(json.dumps({"event": what, **details}), flush=True)


def last_order(store: Store) -> int:
    """The number of the last order in the store; 0 when there is none."""
    numbers = [0]
    for wire in store.messages(1, store.next_sender_seq - 1).values():
        message = parse(wire)
        if message.msg_type == "D":
            numbers.append(int(message[11].removeprefix("order-")))
    return max(numbers)


async def main(port: int, journal: str, count: int) -> None:
    store = JournalStore(journal)
    try:
        first = last_order(store) + 1
        last = first + count - 1 if count else None
        report(
            "start",
            first=first,
            next_sender_seq=store.next_sender_seq,
            next_target_seq=store.next_target_seq,
        )
        answered = asyncio.Event()

        def on_event(event: Event) -> None:
            if isinstance(event, ResendServed):
                report("resend-served", begin=event.begin, end=event.end, resent=event.resent)
            elif isinstance(event, SequenceGap):
                report("gap", expected=event.expected, received=event.received)
            elif (
                isinstance(event, Received)
                and event.message.msg_type == "8"
                and event.message[11] == f"order-{last}"
            ):
                answered.set()

        conn = await connect(
            CONFIG, "127.0.0.1", port, store=store, on_event=on_event, max_buffer=256 * 1024
        )
        async with conn:
            await conn.logged_on(timeout=5)
            n = first
            while last is None or n <= last:
                try:
                    conn.send("D", [(11, f"order-{n}"), (55, "ABC"), (54, "1"), (38, n)])
                except SessionError:
                    if not conn.session.logged_on:
                        raise
                    await conn.drain()  # the outbound queue is full
                    continue
                n += 1
                if n % 50 == 0:
                    await asyncio.sleep(0)  # read what the acceptor sent meanwhile
            async with asyncio.timeout(10):
                await answered.wait()
        report("done", last=last, next_sender_seq=store.next_sender_seq)
    finally:
        store.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
