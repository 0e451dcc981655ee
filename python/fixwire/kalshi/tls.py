"""Throwaway TLS for the simulator and tests: a self-signed certificate and matching contexts."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["SelfSignedCertificate"]


@dataclass(frozen=True, slots=True)
class SelfSignedCertificate:
    """A self-signed certificate for ``localhost`` and 127.0.0.1, made for one run.

    Attributes:
        cert_pem: The certificate, PEM.
        key_pem: Its private key, PEM (PKCS#8).
        sha256: SHA-256 of the certificate (DER), hex: the value to pin.
    """

    cert_pem: bytes
    key_pem: bytes
    sha256: str

    @classmethod
    def generate(cls, hostname: str = "localhost", days: int = 7) -> SelfSignedCertificate:
        """Makes a certificate valid for ``hostname`` and 127.0.0.1 for ``days`` days."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        return cls(
            cert_pem=cert.public_bytes(serialization.Encoding.PEM),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            sha256=hashlib.sha256(der).hexdigest(),
        )

    def server_context(self) -> ssl.SSLContext:
        """A server context (TLS 1.2 or later) presenting this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # load_cert_chain reads files only; the files live just long enough to be read.
        with tempfile.TemporaryDirectory() as tmp:
            cert_path = os.path.join(tmp, "cert.pem")
            key_path = os.path.join(tmp, "key.pem")
            with open(cert_path, "wb") as f:
                f.write(self.cert_pem)
            with open(os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
                f.write(self.key_pem)
            context.load_cert_chain(cert_path, key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that verifies the server against this certificate only."""
        context = ssl.create_default_context(cadata=self.cert_pem.decode())
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context
