"""The asyncio transport on uvloop: logon, messages both ways, a resend after a gap, logout."""

from __future__ import annotations

import asyncio
import time

import uvloop

from fixwire.session import Connection, Received, Role, SessionConfig, connect, serve


def test_session_over_uvloop() -> None:
    received: list[str] = []
    answers: list[str] = []

    async def handler(conn: Connection) -> None:
        async for event in conn:
            if isinstance(event, Received):
                received.append(event.message[11])
                conn.send("8", [(11, event.message[11]), (150, "0")])

    async def main() -> None:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        acceptor_config = SessionConfig(sender_comp_id="S", target_comp_id="C", role=Role.ACCEPTOR)
        acceptor = await serve([acceptor_config], handler, "127.0.0.1", 0)
        try:
            config = SessionConfig(sender_comp_id="C", target_comp_id="S", heartbeat_interval=5)
            async with asyncio.timeout(10):
                conn = await connect(config, "127.0.0.1", acceptor.port)
                await conn.logged_on()
                conn.send("D", [(11, "a")])
                # One message is stored but never written: the acceptor sees the gap and
                # recovers it with a ResendRequest.
                conn.session.send("D", [(11, "lost")], time.time())
                conn.session.data_to_send()
                conn.send("D", [(11, "b")])
                async for event in conn:
                    if isinstance(event, Received):
                        answers.append(event.message[11])
                        if len(answers) == 3:
                            break
                await conn.close()
            server_side = acceptor.connections["FIXT.1.1", "S", "C"]
            assert server_side.session.store.next_target_seq == conn.session.store.next_sender_seq
        finally:
            await acceptor.close()

    uvloop.run(main())
    assert received == ["a", "lost", "b"]
    assert answers == ["a", "lost", "b"]
