"""EncryptMethod <98> on an inbound Logon <A>, against QuickFIX: the same Logon bytes sent to a
QuickFIX acceptor and to a fixwire acceptor. A value QuickFIX's dictionary does not list (98=7)
QuickFIX counts as SessionRejectReason <373>=5 on tag 98 and, the peer not logged on, answers
with nothing; fixwire refuses it with a Logout <5> naming the field and closes. A value QuickFIX
lists but no fixwire session speaks (98=1, PKCS) QuickFIX takes; fixwire refuses it the same
way as 98=7, since it cannot encrypt.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import fixwire
from fixwire.session import Connection, Role, SessionConfig, serve
from quickfix_interop import TIMEOUT, close_bounded, run
from quickfix_peer import QuickFixPeer, free_port

OURS, THEIRS = "FW-ENCRYPT", "QF-ENCRYPT"
#: How long a silent acceptor is given to answer, seconds.
QUIET = 1.0


async def answers(
    port: int, encrypt_method: int, wait: float = TIMEOUT, enough: int | None = None
) -> list[fixwire.Message]:
    """Sends a Logon with ``encrypt_method`` to 127.0.0.1:``port``; returns what the acceptor
    answers until it closes the connection, ``enough`` messages have come or ``wait`` seconds
    pass.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    encoder = fixwire.Encoder(OURS, THEIRS, begin_string="FIXT.1.1")
    writer.write(encoder.encode("A", [(98, encrypt_method), (108, 30), (1137, 9)], seq_num=1))
    framer = fixwire.Framer()
    messages: list[fixwire.Message] = []
    try:
        async with asyncio.timeout(wait):
            while (enough is None or len(messages) < enough) and (data := await reader.read(4096)):
                messages += framer.feed(data)
    except TimeoutError:
        pass
    finally:
        writer.close()
    return messages


async def served(conn: Connection) -> None:
    """Reads the session's events to its end."""
    async for _ in conn:
        pass


def test_a_logon_with_another_encrypt_method_is_refused_naming_the_field(
    tmp_path: Path, quickfix_spec: Path
) -> None:
    with QuickFixPeer(
        tmp_path / "quickfix",
        quickfix_spec,
        role="acceptor",
        port=free_port(),
        comp_ids=[(THEIRS, OURS)],
        store="memory",
    ) as peer:
        peer.start()

        async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
            assert await answers(peer.port, 7, QUIET) == []
            log = peer[OURS].events_log()
            assert "Value is incorrect (out of range) for this tag:98" in log
            config = SessionConfig(sender_comp_id=THEIRS, target_comp_id=OURS, role=Role.ACCEPTOR)
            acceptor = await serve([config], served, "127.0.0.1", 0)
            cleanup.push_async_callback(close_bounded, acceptor)
            (logout,) = await answers(acceptor.port, 7)  # Then closed: no wait.
            assert (logout.msg_type, logout[58]) == (
                "5",
                "EncryptMethod <98> must be 0 (None), not '7'",
            )
            # An answer is awaited (up to TIMEOUT), not a silence: a loaded machine's QuickFIX
            # may take longer than QUIET to answer.
            (taken,) = await answers(peer.port, 1, enough=1)
            assert taken.msg_type == "A"  # QuickFIX takes a method its dictionary lists.
            (logout,) = await answers(acceptor.port, 1)
            assert (logout.msg_type, logout[58]) == (
                "5",
                "EncryptMethod <98> must be 0 (None), not '1'",
            )

        run(scenario)
