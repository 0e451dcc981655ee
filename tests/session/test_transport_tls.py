"""fixwire.session over TLS on loopback: verified certificates, TLS 1.2 at least, SHA-256
pinning, and a changed certificate on reconnect (each test bounded by ``asyncio.timeout``).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fixwire import SessionError
from fixwire.session import (
    Disconnected,
    LoggedOn,
    LoggedOut,
    Reconnect,
    connect,
    serve,
)
from transport_cases import (
    CLIENT,
    HOST,
    SERVER,
    accepting,
    echo,
    initiator,
    order,
    run,
    the_session,
    transport_of,
)

# TLS.


@dataclass(frozen=True)
class Certificate:
    cert_pem: str
    sha256: str
    server: ssl.SSLContext

    def client(self) -> ssl.SSLContext:
        """A client context that verifies the server against this certificate only."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cadata=self.cert_pem)
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname
        return context


def make_certificate(directory: Path, label: str = "fixwire test") -> Certificate:
    """A self-signed certificate for localhost and 127.0.0.1, and a server context with it.

    ``label`` is the certificate's subject; certificates trusted together need different ones.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, label)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    stem = label.replace(" ", "-")
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    return Certificate(
        cert_path.read_text(),
        cert.fingerprint(hashes.SHA256()).hex(),
        server,
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def test_tls_session(certificate: Certificate) -> None:
    async def main() -> None:
        async with (
            accepting(answer=echo, ssl=certificate.server) as (acceptor, server),
            initiator(acceptor.port, ssl=certificate.client(), server_hostname="localhost") as (
                conn,
                client,
            ),
        ):
            await conn.logged_on(timeout=5)
            ssl_object = transport_of(conn).get_extra_info("ssl_object")
            assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
            for n in range(1, 4):
                conn.send("D", order(n))
            await client.until(lambda: len(client.received("8")) == 3)
            assert [m.seq_num for m in server.received()] == [2, 3, 4]
            await conn.logout(timeout=5)
            assert client.of(LoggedOut) == [LoggedOut(None, by_peer=False)]

    run(main)


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_tls_session_answered_from_callbacks(certificate: Certificate, loop: str) -> None:
    """An acceptor called back from the TLS transport's reads answers a burst of orders, in
    order, with consecutive numbers both ways, on asyncio's event loop and on uvloop's.
    """

    async def main() -> None:
        async with (
            accepting(answer=echo, call_back=True, ssl=certificate.server) as (acceptor, server),
            initiator(acceptor.port, ssl=certificate.client(), server_hostname="localhost") as (
                conn,
                client,
            ),
        ):
            await conn.logged_on(timeout=5)
            assert transport_of(the_session(acceptor)).get_extra_info("ssl_object") is not None
            for n in range(1, 51):
                conn.send("D", order(n))
            await client.until(lambda: len(client.received("8")) == 50)
            assert [m.seq_num for m in server.received()] == list(range(2, 52))
            reports = client.received("8")
            assert [m[11] for m in reports] == [f"order-{n}" for n in range(1, 51)]
            assert [m.seq_num for m in reports] == list(range(2, 52))
            await conn.logout(timeout=5)
            assert server.of(LoggedOut) == [LoggedOut(None, by_peer=True)]

    if loop == "uvloop":
        uvloop.run(asyncio.wait_for(main(), timeout=10))
    else:
        run(main)


def test_tls_with_an_untrusted_certificate_fails(certificate: Certificate, tmp_path: Path) -> None:
    stranger = make_certificate(tmp_path, "stranger")

    async def main() -> None:
        async with accepting(ssl=certificate.server) as (acceptor, _):
            with pytest.raises(ssl.SSLCertVerificationError):
                await connect(
                    CLIENT, HOST, acceptor.port, ssl=stranger.client(), server_hostname="localhost"
                )
            with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
                await connect(
                    CLIENT,
                    HOST,
                    acceptor.port,
                    ssl=certificate.client(),
                    server_hostname="fix.example.com",
                )
            assert acceptor.connections == {}

    run(main)


def test_tls_below_1_2_is_refused(certificate: Certificate) -> None:
    # Asking for TLS 1.1 is deprecated in Python too; that is not what this test is about.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old_client = certificate.client()
        old_client.minimum_version = ssl.TLSVersion.TLSv1_1
        old_server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        old_server.minimum_version = ssl.TLSVersion.TLSv1

    async def main() -> None:
        with pytest.raises(ValueError, match=r"below 1\.2"):
            await connect(CLIENT, HOST, 1, ssl=old_client)
        with pytest.raises(ValueError, match=r"below 1\.2"):
            await serve([SERVER], lambda _: asyncio.sleep(0), HOST, 0, ssl=old_server)

    run(main)


def test_certificate_pinning(certificate: Certificate) -> None:
    wrong = "00" * 32

    async def main() -> None:
        async with accepting(ssl=certificate.server) as (acceptor, server):
            with pytest.raises(SessionError, match="does not match the pinned"):
                await connect(
                    CLIENT,
                    HOST,
                    acceptor.port,
                    ssl=certificate.client(),
                    server_hostname="localhost",
                    pin_sha256=wrong,
                    reconnect=Reconnect(initial_delay=0.01),
                )
            # Without TLS there is no certificate, so nothing can match a pin.
            with pytest.raises(SessionError, match="does not match the pinned"):
                await connect(CLIENT, HOST, acceptor.port, pin_sha256=certificate.sha256)
            # The acceptor saw connections but never a Logon <A>.
            assert acceptor.connections == {}
            assert server.events == []

            # The right pin, written as colon-separated upper-case hex, as tools print it.
            pin = ":".join(
                certificate.sha256[i : i + 2].upper() for i in range(0, len(certificate.sha256), 2)
            )
            async with initiator(
                acceptor.port,
                ssl=certificate.client(),
                server_hostname="localhost",
                pin_sha256=pin,
            ) as (conn, _):
                await conn.logged_on(timeout=5)
                # This Logon was the first the acceptor ever read.
                assert server.events == [LoggedOn(30, reset=False)]
                assert the_session(acceptor).session.store.next_target_seq == 2

        with pytest.raises(ValueError, match="64 hex digits"):
            await connect(CLIENT, HOST, 1, pin_sha256="abc")

    run(main)


def test_a_changed_certificate_on_reconnect_ends_the_connection(tmp_path: Path) -> None:
    pinned, other = make_certificate(tmp_path, "pinned"), make_certificate(tmp_path, "other")
    # The client trusts both, so only the pin tells them apart.
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cadata=pinned.cert_pem + other.cert_pem)

    async def main() -> None:
        async with accepting(ssl=pinned.server) as (acceptor, _):
            port = acceptor.port
            conn = await connect(
                CLIENT,
                HOST,
                port,
                ssl=client,
                server_hostname="localhost",
                pin_sha256=pinned.sha256,
                reconnect=Reconnect(initial_delay=0.05, max_delay=0.1),
            )
            await conn.logged_on(timeout=5)
        async with accepting(port=port, ssl=other.server) as (acceptor, server):
            # The iteration ends: no reconnect follows a certificate that does not match.
            events = [event async for event in conn]
            await conn.close()
            assert [type(e) for e in events[:3]] == [LoggedOn, LoggedOut, Disconnected]
            # Attempts made before the new acceptor listened were refused; then the pin.
            reasons = [e.reason for e in events[3:] if isinstance(e, Disconnected)]
            assert len(reasons) == len(events) - 3
            assert all("attempt" in reason for reason in reasons[:-1])
            assert "does not match the pinned" in reasons[-1]
            assert acceptor.connections == {}
            assert server.events == []

    run(main)
