"""The session message log: every message in and out, on a real file that ``fixwire decode``
reads, rotated by size, and flushed by a connection once per turn of its loop.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path

import pytest

from fixwire import Framer, cli
from fixwire.session import FieldValue, LogonContext, MessageLog, Received, Session
from transport_cases import CLIENT, SERVER, accepting, initiator, order, run

NOW = 1_700_000_000.25
STAMP = b"20231114-22:13:20.250000"
LINE = re.compile(rb"(\d{8}-\d\d:\d\d:\d\d\.\d{6}) (IN |OUT) (8=.*?\x0110=\d{3}\x01)\n", re.S)


def lines(*paths: Path) -> list[tuple[bytes, str, bytes]]:
    """The (time, direction, message) lines of the log files, oldest file first; fails unless
    the files hold nothing else.
    """
    out = []
    for path in paths:
        data = path.read_bytes()
        found = list(LINE.finditer(data))
        assert sum(len(m.group(0)) for m in found) == len(data), f"{path} holds other bytes"
        out += [(m[1], m[2].decode().strip(), m[3]) for m in found]
    return out


def msg_type(raw: bytes) -> str:
    """MsgType <35> of a message's bytes."""
    found = re.search(rb"\x0135=([^\x01]+)", raw)
    assert found is not None
    return found[1].decode()


def seq_num(raw: bytes) -> int:
    """MsgSeqNum <34> of a message's bytes."""
    found = re.search(rb"\x0134=(\d+)\x01", raw)
    assert found is not None
    return int(found[1])


def framed(data: bytes) -> list[bytes]:
    """The raw bytes of each message in ``data``."""
    return [m.raw for m in Framer().feed(data)]


def pair(client_log: MessageLog, server_log: MessageLog) -> tuple[Session, Session]:
    client = Session(dataclasses.replace(CLIENT, message_log=client_log))
    server = Session(dataclasses.replace(SERVER, message_log=server_log))
    return client, server


def test_every_message_both_ways_is_logged_as_on_the_wire_and_decode_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wire: dict[str, list[bytes]] = {"client": [], "server": []}
    fed: dict[str, list[bytes]] = {"client": [], "server": []}
    with (
        MessageLog(tmp_path / "client.log") as client_log,
        MessageLog(tmp_path / "server.log") as server_log,
    ):
        client, server = pair(client_log, server_log)

        def pump(drop: int | None = None) -> None:
            """Moves what each side has to send to the other; the client's message with
            MsgSeqNum ``drop`` is lost on the way.
            """
            for _ in range(4):
                out = client.data_to_send()
                wire["client"] += framed(out)
                kept = [
                    m for m in framed(out) if drop is None or f"\x0134={drop}\x01".encode() not in m
                ]
                fed["server"] += kept
                server.receive(b"".join(kept), NOW)
                out = server.data_to_send()
                wire["server"] += framed(out)
                fed["client"] += framed(out)
                client.receive(out, NOW)

        client.connection_made(NOW)
        server.connection_made(NOW)
        pump()
        assert client.logged_on
        assert server.logged_on
        lost = client.send("D", order(1), NOW)
        pump(drop=lost)
        client.send("D", order(2), NOW)
        pump()  # The server finds the gap and asks for it; the client resends from order 1.
        received = [e for e in server.next_events() if isinstance(e, Received)]
        assert [e.message[11] for e in received] == ["order-1", "order-2"]
        assert received[0].possible_duplicate
        client.logout(NOW)
        pump()
        assert client.should_close
        assert server.should_close

    for side in ("client", "server"):
        logged = lines(tmp_path / f"{side}.log")
        assert {t for t, _, _ in logged} == {STAMP}
        assert [m for _, d, m in logged if d == "OUT"] == wire[side]
        assert [m for _, d, m in logged if d == "IN"] == fed[side]
    client_types = [msg_type(m) for _, _, m in lines(tmp_path / "client.log")]
    # Logon out and in, the order lost, the next order, the ResendRequest, both orders resent,
    # and the Logout exchange.
    assert client_types == ["A", "A", "D", "D", "2", "D", "D", "5", "5"]

    assert cli.main(["decode", "--json", str(tmp_path / "client.log")]) == 0
    decoded = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["msg_type"] for r in decoded] == client_types
    assert [r.get("ClOrdID") for r in decoded if r["msg_type"] == "D"] == [
        "order-1",
        "order-2",
        "order-1",
        "order-2",
    ]


def test_the_log_rotates_by_size_and_keeps_the_newest_messages(tmp_path: Path) -> None:
    path = tmp_path / "session.log"
    with (
        MessageLog(path, max_bytes=2_000, backups=2) as log,
        MessageLog(tmp_path / "server.log") as server_log,
    ):
        client, server = pair(log, server_log)
        client.connection_made(NOW)
        server.connection_made(NOW)
        server.receive(client.data_to_send(), NOW)
        client.receive(server.data_to_send(), NOW)
        sent = [client.send("D", order(n), NOW) for n in range(1, 60)]
        client.data_to_send()
    files = [path.with_name("session.log.2"), path.with_name("session.log.1"), path]
    assert not path.with_name("session.log.3").exists()
    assert all(0 < f.stat().st_size <= 2_000 for f in files)
    kept = [m for _, _, m in lines(*files)]
    numbers = [seq_num(m) for m in kept]
    # Contiguous up to the last order: only the oldest lines were dropped.
    assert numbers == list(range(numbers[0], sent[-1] + 1))
    assert len(numbers) < len(sent)


def test_a_log_that_cannot_be_written_says_so_once_and_the_session_carries_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = MessageLog("/dev/full")  # Every write fails: no space left on the device.
    server_log = MessageLog("/dev/null")
    client, server = pair(log, server_log)
    client.connection_made(NOW)
    server.connection_made(NOW)
    server.receive(client.data_to_send(), NOW)
    client.receive(server.data_to_send(), NOW)
    with caplog.at_level(logging.ERROR, logger="fixwire.session"):
        # More than the log's 64 KiB buffer: the write fails while a message is logged.
        for n in range(1, 1_000):
            client.send("D", order(n), NOW)
            server.receive(client.data_to_send(), NOW)
        assert isinstance(log.failure, OSError)
        log.flush()
        log.close()
    errors = [r.getMessage() for r in caplog.records if r.name == "fixwire.session"]
    assert len(errors) == 1
    assert errors[0].startswith("message log /dev/full stopped:")
    assert client.logged_on
    assert len([e for e in server.next_events() if isinstance(e, Received)]) == 999
    server_log.close()


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        MessageLog("/dev/null", max_bytes=0)
    with pytest.raises(ValueError, match="backups"):
        MessageLog("/dev/null", backups=-1)


def test_a_connection_flushes_the_log_before_the_peer_has_read_the_message(
    tmp_path: Path,
) -> None:
    path = tmp_path / "client.log"
    log = MessageLog(path)

    async def main() -> None:
        async with accepting() as (acceptor, server):
            client = dataclasses.replace(CLIENT, message_log=log)
            async with initiator(acceptor.port, client) as (conn, _):
                await conn.logged_on(timeout=5)
                conn.send("D", order(7))
                await server.until(lambda: bool(server.received("D")))
                # Nothing closed or flushed by hand: the connection flushed it.
                logged = lines(path)
                assert [d for _, d, _ in logged] == ["OUT", "IN", "OUT"]
                assert b"\x0111=order-7\x01" in logged[-1][2]

    run(main)
    try:
        # The Logout exchange is in the file too, the log still open.
        assert [d for _, d, _ in lines(path)][-2:] == ["OUT", "IN"]
        assert msg_type(lines(path)[-1][2]) == "5"
    finally:
        log.close()


SIGNATURE = b"c2lnbmF0dXJl\x01554=not-a-field\x01LW5vdC1mb3ItbG9ncw=="


def test_a_logons_secrets_are_masked_and_the_line_stays_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def signed(context: LogonContext) -> list[tuple[int, FieldValue]]:
        return [(96, SIGNATURE), (554, "hunter2")]

    with (
        MessageLog(tmp_path / "client.log") as client_log,
        MessageLog(tmp_path / "server.log") as server_log,
    ):
        client = Session(dataclasses.replace(CLIENT, message_log=client_log, logon_fields=signed))
        server = Session(dataclasses.replace(SERVER, message_log=server_log))
        client.connection_made(NOW)
        server.connection_made(NOW)
        logon = client.data_to_send()
        assert SIGNATURE in logon
        server.receive(logon, NOW)
        client.receive(server.data_to_send(), NOW)
        assert client.logged_on
        client.send("D", [*order(1), (554, "not-a-logon")], NOW)
        server.receive(client.data_to_send(), NOW)
    for side in ("client", "server"):
        data = (tmp_path / f"{side}.log").read_bytes()
        assert b"hunter2" not in data
        assert b"c2lnbmF0dXJl" not in data
        assert b"\x0195=%d\x0196=%s\x01" % (len(SIGNATURE), b"*" * len(SIGNATURE)) in data
        assert b"\x01554=*******\x01" in data
        assert b"\x01554=not-a-logon\x01" in data  # Only a Logon's fields are secrets.
        assert len(lines(tmp_path / f"{side}.log")[0][2]) == len(logon)
        assert cli.main(["decode", "--json", str(tmp_path / f"{side}.log")]) == 0
        decoded = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert decoded[0]["RawData"] == "*" * len(SIGNATURE)  # The Logon, out or in.
