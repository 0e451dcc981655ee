"""The Kalshi client's diagnostics on ``fixwire.kalshi``: logon, refused requests, a lost
connection and the reconnect, logout and a refused logon, each at its level; and with every
``fixwire`` logger at DEBUG, no record holds the private key or a Logon's signature.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest

from fixwire.kalshi import (
    BusinessMessageReject,
    KalshiClient,
    LogonRefusedError,
    SessionType,
)
from fixwire.kalshi.signing import generate_key, private_key_pem
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import FieldValue, LoggedOn, Reconnect, RejectReceived
from kalshi_secrets import RecordingSigner, secrets_of
from kalshi_venue import Client, run, venue
from transport_cases import transport_of

MARKET = "TEST-MKT"


def test_the_client_logs_what_happens_and_never_a_secret(
    certificate: SelfSignedCertificate, caplog: pytest.LogCaptureFixture
) -> None:
    key_pem = private_key_pem(generate_key())
    signer = RecordingSigner(key_pem)
    impostor = RecordingSigner(generate_key())
    caplog.set_level(logging.DEBUG, logger="fixwire")

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            config = v.config(SessionType.NR, skip_pending_exec_reports=True)
            client = await KalshiClient.connect(
                config,
                ssl=certificate.client_context(),
                server_hostname="localhost",
                pin_sha256=certificate.sha256,
                reconnect=Reconnect(initial_delay=0.05, max_delay=0.1),
                logon_timeout=5,
            )
            c = Client(client)
            await c.next(LoggedOn)
            # A ClOrdID <11> the venue refuses with Reject <3>, past the client's own check.
            fields: list[tuple[int, FieldValue]] = [(11, "x" * 65), (38, 1), (40, "2")]
            client.connection.send("D", [*fields, (44, Decimal("0.40")), (54, "1"), (55, MARKET)])
            await c.next(RejectReceived)
            client.order_group("delete", order_group_id=str(uuid.uuid4()))
            await c.next(BusinessMessageReject)
            transport_of(client.connection).abort()  # The connection is lost...
            await c.next(LoggedOn)  # ...and the client logs on again by itself.
            await c.close()
            with pytest.raises(LogonRefusedError):
                await KalshiClient.connect(
                    dataclasses.replace(config, signer=impostor),
                    ssl=certificate.client_context(),
                    server_hostname="localhost",
                    pin_sha256=certificate.sha256,
                    logon_timeout=5,
                )

    run(main, timeout=30)
    kalshi = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "fixwire.kalshi"]
    expected: list[tuple[str, Callable[[str], bool]]] = [
        ("INFO", lambda m: m.startswith("KalshiNR: connecting to 127.0.0.1:")),
        ("INFO", lambda m: m == "KalshiNR: logged on, HeartBtInt 30, sequence numbers reset"),
        ("WARNING", lambda m: m.startswith("KalshiNR: Reject <3> for MsgSeqNum 2 (D, ClOrdID")),
        ("WARNING", lambda m: m.startswith("KalshiNR: BusinessMessageReject <j> for MsgSeqNum 3")),
        ("WARNING", lambda m: m.startswith("KalshiNR: disconnected: connection lost")),
        ("INFO", lambda m: m == "KalshiNR: logged on, HeartBtInt 30, sequence numbers reset"),
        ("INFO", lambda m: m == "KalshiNR: logging out and closing"),
        ("WARNING", lambda m: "logon refused by the venue: signature verification failed" in m),
    ]
    at = 0
    for level, matches in expected:
        while at < len(kalshi) and not (kalshi[at][0] == level and matches(kalshi[at][1])):
            at += 1
        assert at < len(kalshi), f"no {level} record in order, after {kalshi[:at]}"
    assert len(signer.signatures) == 2  # type: ignore[attr-defined]
    assert len(impostor.signatures) == 1  # type: ignore[attr-defined]
    secrets = secrets_of(key_pem, signer.signatures + impostor.signatures)  # type: ignore[attr-defined]
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{record.name} {record.levelname} holds a secret: {text[:200]}"
    assert all(s not in caplog.text for s in secrets)
    # The signature is base64 of the RSA-PSS bytes: also never its raw bytes, decoded.
    raw = [base64.b64decode(s) for s in signer.signatures]  # type: ignore[attr-defined]
    assert all(repr(r)[2:40] not in caplog.text for r in raw)
