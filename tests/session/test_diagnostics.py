"""Session diagnostics on the ``fixwire.session`` logger: what an operator needs to see, named
by session, and never a Logon's signature or a message's bytes.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from fixwire.session import Garbled, LoggedOut, LogonContext, RejectReceived
from transport_cases import CLIENT, SERVER, accepting, initiator, raw_initiator, run

SIGNATURE = "c2lnbmF0dXJlLW5vdC1mb3ItbG9ncw=="


def signed_logon(context: LogonContext) -> list[tuple[int, str]]:
    """A Logon carrying a signature in RawData <96>, as a venue's signed Logon does."""
    return [(96, SIGNATURE)]


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "fixwire.session"]


def test_logon_logout_and_refusal_are_logged_without_the_signature(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="fixwire.session")
    client = replace(CLIENT, logon_fields=signed_logon)
    refusing = replace(SERVER, accept_logon=lambda logon: "unknown key")

    async def main() -> None:
        async with accepting() as (acceptor, server):
            async with initiator(acceptor.port, client) as (conn, _):
                await conn.logged_on(timeout=5)
                await conn.logout(timeout=5)
            await server.until(lambda: bool(server.of(LoggedOut)))
        async with (
            accepting(refusing) as (acceptor, _),
            initiator(acceptor.port, client) as (_, inbox),
        ):
            await inbox.until(lambda: any("unknown key" in repr(e) for e in inbox.events))

    run(main)
    lines = [(r.levelname, r.getMessage()) for r in records(caplog)]
    assert (
        "INFO",
        "FIXT.1.1 CLIENT->SERVER: LoggedOn(heartbeat_interval=30, reset=False)",
    ) in lines
    assert (
        "INFO",
        "FIXT.1.1 SERVER->CLIENT: LoggedOn(heartbeat_interval=30, reset=False)",
    ) in lines
    assert any(level == "INFO" and "CLIENT->SERVER: LoggedOut(" in m for level, m in lines)
    assert ("WARNING", "FIXT.1.1 CLIENT->SERVER: LogonRefused(text='unknown key')") in lines
    assert all(SIGNATURE not in m for _, m in lines)


def test_garbled_input_and_a_reject_are_warnings_by_their_fields(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="fixwire.session")

    async def main() -> None:
        async with accepting() as (acceptor, server), raw_initiator(acceptor.port) as raw:
            raw.send("A", [(98, 0), (108, 30), (1137, "9"), (96, SIGNATURE)])
            await raw.expect("A")
            raw.writer.write(b"8=FIXT.1.1\x019=5\x0135=0\x0110=000\x01")  # CheckSum wrong
            raw.send("3", [(45, 1), (58, "no such thing"), (372, "A"), (373, 5)])
            await server.until(lambda: bool(server.of(Garbled)) and bool(server.of(RejectReceived)))

    run(main)
    warnings = [r.getMessage() for r in records(caplog) if r.levelno == logging.WARNING]
    assert any("SERVER->CLIENT: garbled input ignored: " in m and "at byte" in m for m in warnings)
    assert (
        "FIXT.1.1 SERVER->CLIENT: Reject <3> received for MsgSeqNum 1: SessionRejectReason 5,"
        " RefTagID None, RefMsgType A (no such thing)"
    ) in warnings
    assert all(SIGNATURE not in r.getMessage() for r in records(caplog))
