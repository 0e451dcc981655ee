"""The Kalshi client's message log, against the simulator over TLS: each session writes its
own file of the messages it exchanged, ``fixwire decode`` reads it, and neither the Logon's
signature nor the private key is in it.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from fixwire import cli
from fixwire.kalshi import ExecutionReport, MessageLogFiles, SessionType
from fixwire.kalshi.signing import generate_key, private_key_pem
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_secrets import RecordingSigner, secrets_of
from kalshi_venue import run, venue

MARKET = "TEST-MKT"


def decoded(path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    """The messages of a log file as ``fixwire decode --json`` reads them."""
    assert cli.main(["decode", "--json", str(path)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("raw_data_length", [True, False], ids=["95-and-96", "96-alone"])
def test_each_session_logs_its_messages_and_never_a_secret(
    certificate: SelfSignedCertificate,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    raw_data_length: bool,
) -> None:
    key_pem = private_key_pem(generate_key())
    signer = RecordingSigner(key_pem)
    files = MessageLogFiles(tmp_path / "logs", max_bytes=1 << 20, backups=1)
    api_key = str(uuid.uuid4())
    cl_ord_ids: list[str] = []
    paths: list[Path] = []

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            orders, market_data = [
                await v.client(kind, api_key, message_log=files, raw_data_length=raw_data_length)
                for kind in (SessionType.NR, SessionType.MD)
            ]
            cl_ord_id = orders.client.new_order(MARKET, "yes", 3, Decimal("0.42"))
            cl_ord_ids.append(cl_ord_id)
            await orders.next(
                ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id and e.exec_type == "0"
            )
            paths.extend(files.path(c.client.config) for c in (orders, market_data))
            await orders.close()
            await market_data.close()

    run(main)
    nr, md = paths
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == sorted([nr.name, md.name])

    # The order session: Logon, the order and its acknowledgement, Logout, both ways.
    lines = nr.read_bytes().splitlines()
    directions = [line.split(b" ")[1] for line in lines]
    messages = decoded(nr, capsys)
    assert len(messages) == len(lines)
    sent = [m["msg_type"] for m, d in zip(messages, directions, strict=True) if d == b"OUT"]
    received = [m["msg_type"] for m, d in zip(messages, directions, strict=True) if d == b"IN"]
    assert (sent[0], sent[-1]) == ("A", "5")
    assert (received[0], received[-1]) == ("A", "5")
    assert "D" in sent
    assert [m.get("ClOrdID") for m in messages if m["msg_type"] == "D"] == cl_ord_ids
    acknowledged = [m for m in messages if m["msg_type"] == "8"]
    # Pending New (ExecType <150>=A), then New (0).
    assert [(m["ClOrdID"], m["ExecType"]) for m in acknowledged] == [
        (cl_ord_ids[0], "A"),
        (cl_ord_ids[0], "0"),
    ]
    logon = messages[0]
    assert (logon["SenderCompID"], logon["TargetCompID"]) == (api_key, "KalshiNR")
    assert set(str(logon["RawData"])) == {"*"}
    assert ("RawDataLength" in logon) is raw_data_length

    # The market-data session: its own file, its own Logon and Logout.
    md_messages = decoded(md, capsys)
    assert (md_messages[0]["msg_type"], md_messages[-1]["msg_type"]) == ("A", "5")
    assert md_messages[0]["TargetCompID"] == "KalshiMD"
    assert all(m["msg_type"] != "D" for m in md_messages)

    signatures = signer.signatures  # type: ignore[attr-defined]
    assert len(signatures) == 2  # One Logon a session, each masked in its file.
    secrets = secrets_of(key_pem, signatures)
    for path in (nr, md):
        text = path.read_bytes().decode("latin-1")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path.name} holds a secret"


@pytest.mark.parametrize(
    ("sizes", "complaint"),
    [
        ({"max_bytes": 0}, "max_bytes must be an int of at least 1, not 0"),
        ({"max_bytes": -5}, "max_bytes must be an int of at least 1"),
        ({"max_bytes": 1.5}, "max_bytes must be an int of at least 1, not 1.5"),
        ({"backups": -1}, "backups must be an int of at least 0, not -1"),
        ({"backups": True}, "backups must be an int of at least 0, not True"),
    ],
)
def test_message_log_sizes_are_refused_when_configured_not_at_connect(
    tmp_path: Path, sizes: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        MessageLogFiles(tmp_path, **sizes)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())


def test_message_log_sizes_at_their_bounds_are_taken(tmp_path: Path) -> None:
    files = MessageLogFiles(tmp_path, max_bytes=1, backups=0)
    assert (files.max_bytes, files.backups) == (1, 0)
