"""The asyncio transport on uvloop: logon, messages both ways, a resend after a gap, logout;
with the events iterated, and called back from the transport's reads.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import uvloop

from fixwire.session import Connection, Event, Received, Role, SessionConfig, connect, serve


@pytest.mark.parametrize("call_back", [False, True], ids=["iterated", "called-back"])
def test_session_over_uvloop(call_back: bool) -> None:
    received: list[str] = []
    answers: list[str] = []

    async def handler(conn: Connection) -> None:
        def answer(event: Event) -> None:
            if isinstance(event, Received):
                received.append(event.message[11])
                conn.send("8", [(11, event.message[11]), (150, "0")])

        if call_back:
            conn.set_on_event(answer)
        async for event in conn:
            answer(event)

    async def main() -> None:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        acceptor_config = SessionConfig(sender_comp_id="S", target_comp_id="C", role=Role.ACCEPTOR)
        acceptor = await serve([acceptor_config], handler, "127.0.0.1", 0)
        all_in = asyncio.Event()

        def report(event: Event) -> None:
            if isinstance(event, Received):
                answers.append(event.message[11])
                if len(answers) == 3:
                    all_in.set()

        try:
            config = SessionConfig(sender_comp_id="C", target_comp_id="S", heartbeat_interval=5)
            async with asyncio.timeout(10):
                conn = await connect(
                    config, "127.0.0.1", acceptor.port, on_event=report if call_back else None
                )
                await conn.logged_on()
                conn.send("D", [(11, "a")])
                # One message is stored but never written: the acceptor sees the gap and
                # recovers it with a ResendRequest.
                conn.session.send("D", [(11, "lost")], time.time())
                conn.session.data_to_send()
                conn.send("D", [(11, "b")])
                if call_back:
                    await all_in.wait()
                else:
                    async for event in conn:
                        report(event)
                        if all_in.is_set():
                            break
                await conn.close()
            server_side = acceptor.connections["FIXT.1.1", "S", "C"]
            assert server_side.session.store.next_target_seq == conn.session.store.next_sender_seq
        finally:
            await acceptor.close()

    uvloop.run(main())
    assert received == ["a", "lost", "b"]
    assert answers == ["a", "lost", "b"]
