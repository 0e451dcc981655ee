"""The Kalshi simulator of the round-trip benchmark, run in a child process of its own.

Usage, from the repository root::

    python -m benches.kalshi_peer PUBLIC_KEY_FILE CERTIFICATE_FILE API_KEY MARKET [plain|tcp]

It starts :class:`~fixwire.kalshi.sim.Simulator` listing ``MARKET``, with a self-signed
certificate generated for this run (written, PEM, to ``CERTIFICATE_FILE``, so that the client can
verify it as well as pin it), and registers ``API_KEY`` (several, separated by commas) with the
RSA public key (PEM) read from ``PUBLIC_KEY_FILE``. On stdout it writes ``port N sha256 HEX``
(HEX: the certificate's SHA-256, to pin) once it listens on 127.0.0.1, then runs until its stdin
is closed, answering each ``cpu`` line read with ``cpu SECONDS`` (the CPU time this process has
used so far), then writes ``open N`` (the keys' orders still open in the matching engine), one
``error ...`` line per exception the event loop caught, and exits. It imports neither pytest
nor the benchmarks' conftest, to start fast.

With ``tcp`` the simulator listens on plain TCP (``Simulator.start(tls=None)``, which the venue
never allows) and writes ``-`` for HEX, writing no certificate: the round-trip benchmark's
simulator on the transport of the plain session it is compared with.

With ``plain`` it starts no simulator but fixwire's own acceptor (``serve``) of a KalshiNR
session with ``API_KEY``, over TLS with the same kind of certificate, answering each
NewOrderSingle <35=D> from ``Connection.set_on_event``'s callback with ``session_peer.py``'s
canned ExecutionReport: the plain fixwire session of the round-trip benchmark, on the transport
the simulator uses. It writes ``answered N`` instead of ``open N``.

Why a process of its own: see ``session_peer.py``. In the benchmark's process the simulator's
Python would take turns at the GIL with the client being measured.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from benches.session_peer import Answers
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import Connection, Role, SessionConfig, serve

__all__ = ["main"]


def report(line: str) -> None:
    """Writes one line for the benchmark process."""
    print(line, flush=True)


async def run(
    public_key: bytes, certificate_file: Path, api_key: str, market: str, *, tls: bool = True
) -> list[str]:
    """Serves (over TLS, or with ``tls`` false plain TCP) until stdin is closed; returns the
    errors the event loop caught.
    """
    errors: list[str] = []

    def caught(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        errors.append(f"{context['message']}: {context.get('exception')!r}")

    asyncio.get_running_loop().set_exception_handler(caught)
    certificate = SelfSignedCertificate.generate() if tls else None
    if certificate is not None:
        await asyncio.to_thread(certificate_file.write_bytes, certificate.cert_pem)
    sim = Simulator([market])
    api_keys = api_key.split(",")
    for key in api_keys:
        sim.register(key, public_key)
    await sim.start("127.0.0.1", 0, tls=certificate)
    try:
        report(f"port {sim.port} sha256 {'-' if certificate is None else certificate.sha256}")
        while line := await asyncio.to_thread(sys.stdin.readline):
            if line.strip() == "cpu":
                report(f"cpu {time.process_time()}")
    finally:
        await sim.close()
    report(f"open {sum(len(sim.engine.open_orders(owner=key)) for key in api_keys)}")
    return errors


async def run_plain(certificate_file: Path, api_key: str) -> list[str]:
    """Serves a plain fixwire acceptor over TLS until stdin is closed; returns the errors."""
    answers = Answers()

    async def handle(conn: Connection) -> None:
        conn.set_on_event(answers.to(conn))
        async for _ in conn:  # Called back from now on: this ends at the close.
            pass

    certificate = SelfSignedCertificate.generate()
    await asyncio.to_thread(certificate_file.write_bytes, certificate.cert_pem)
    config = SessionConfig(sender_comp_id="KalshiNR", target_comp_id=api_key, role=Role.ACCEPTOR)
    acceptor = await serve([config], handle, "127.0.0.1", 0, ssl=certificate.server_context())
    async with acceptor:
        report(f"port {acceptor.port} sha256 {certificate.sha256}")
        while await asyncio.to_thread(sys.stdin.readline):
            pass
    report(f"answered {answers.answered}")
    return answers.errors


def main(argv: list[str]) -> int:
    """Runs the simulator (or, with ``plain``, the plain acceptor) as ``argv`` says (see the
    module documentation).
    """
    if len(argv) not in (4, 5) or argv[4:] not in ([], ["plain"], ["tcp"]):
        print(
            "usage: python -m benches.kalshi_peer PUBLIC_KEY_FILE CERTIFICATE_FILE API_KEY MARKET"
            " [plain|tcp]",
            file=sys.stderr,
        )
        return 2
    public_key_file, certificate_file, api_key, market = argv[:4]
    if argv[4:] == ["plain"]:
        errors = asyncio.run(run_plain(Path(certificate_file), api_key))
    else:
        public_key = Path(public_key_file).read_bytes()
        tls = argv[4:] != ["tcp"]
        errors = asyncio.run(run(public_key, Path(certificate_file), api_key, market, tls=tls))
    for error in errors:
        report(f"error {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
