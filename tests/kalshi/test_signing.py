"""The Kalshi Logon signature (fixwire.kalshi.signing): payload bytes, RSA-PSS, key handling.

Signatures are checked with ``cryptography`` directly as well as with the module's own
verifier, so a mistake shared by signer and verifier cannot hide. RSA keys are generated once
per module; generation is the slow part.
"""

import base64
import copy
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from fixwire.kalshi.signing import (
    LogonSigner,
    generate_key,
    logon_payload,
    private_key_pem,
    verify_logon_signature,
)

UUID = "3f2a9c1e-7b4d-4e8f-9a6b-0c1d2e3f4a5b"
TIME = "20260101-12:00:00.000"
FIELDS = (TIME, 1, UUID, "KalshiNR")
PASSWORD = b"correct horse battery staple"


def pss(salt_length: int) -> padding.PSS:
    """Return PSS padding with MGF1-SHA-256 and a fixed salt length in bytes."""
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)


# What cryptography's verifier does with a salt length it is not told: AUTO reads it from the
# signature; MAX_LENGTH on verification also means "any length" (OpenSSL's -2).
PSS_AUTO = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
PSS_MAX = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key, the size Kalshi issues."""
    return generate_key()


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    """A second 2048-bit RSA key, for signatures that must not verify under ``key``."""
    return generate_key()


@pytest.fixture(scope="module")
def signer(key: rsa.RSAPrivateKey) -> LogonSigner:
    """A signer holding ``key``."""
    return LogonSigner(key)


@pytest.fixture(scope="module")
def signature(signer: LogonSigner) -> str:
    """RawData <96> for FIELDS, signed with ``key``."""
    return signer.sign(*FIELDS)


# The payload.


def test_payload_bytes() -> None:
    assert logon_payload(*FIELDS) == (
        b"20260101-12:00:00.000\x01A\x011\x013f2a9c1e-7b4d-4e8f-9a6b-0c1d2e3f4a5b\x01KalshiNR"
    )


def test_payload_seq_num_and_utf8() -> None:
    assert logon_payload("20261231-23:59:59.999", 1234, "clé", "KalshiRT") == (
        b"20261231-23:59:59.999\x01A\x011234\x01cl\xc3\xa9\x01KalshiRT"
    )


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        (("20260101-12:00:00", 1, UUID, "KalshiNR"), "SendingTime <52> must look like"),
        (("20260101-12:00:00.000000", 1, UUID, "KalshiNR"), "SendingTime <52> must look like"),
        (("2026-01-01T12:00:00.000", 1, UUID, "KalshiNR"), "SendingTime <52> must look like"),
        ((" 20260101-12:00:00.000", 1, UUID, "KalshiNR"), "SendingTime <52> must look like"),
        (("20260101-12:00:00.000\n", 1, UUID, "KalshiNR"), "SendingTime <52> must look like"),
        (("20261301-12:00:00.000", 1, UUID, "KalshiNR"), "not a real date"),
        (("20260101-24:00:00.000", 1, UUID, "KalshiNR"), "not a real date"),
        ((TIME, 0, UUID, "KalshiNR"), "MsgSeqNum <34> must be positive"),
        ((TIME, -1, UUID, "KalshiNR"), "MsgSeqNum <34> must be positive"),
        ((TIME, 1, "", "KalshiNR"), "SenderCompID <49> must not be empty"),
        ((TIME, 1, UUID, ""), "TargetCompID <56> must not be empty"),
        ((TIME, 1, UUID + "\x01", "KalshiNR"), "SenderCompID <49> must not contain SOH"),
        ((TIME, 1, UUID, "Kalshi\x01NR"), "TargetCompID <56> must not contain SOH"),
    ],
)
def test_payload_rejects(fields: tuple[str, int, str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        logon_payload(*fields)


@pytest.mark.parametrize(
    "fields",
    [
        (b"20260101-12:00:00.000", 1, UUID, "KalshiNR"),
        (TIME, "1", UUID, "KalshiNR"),
        (TIME, True, UUID, "KalshiNR"),
        (TIME, 1, None, "KalshiNR"),
    ],
)
def test_payload_rejects_types(fields: tuple[object, ...]) -> None:
    with pytest.raises(TypeError):
        logon_payload(*fields)  # type: ignore[arg-type]


# Signing, checked by cryptography itself.


def test_signature_verifies_with_cryptography(key: rsa.RSAPrivateKey, signature: str) -> None:
    raw = base64.b64decode(signature, validate=True)
    key.public_key().verify(raw, logon_payload(*FIELDS), pss(32), hashes.SHA256())


@pytest.mark.parametrize("scheme", [PSS_AUTO, PSS_MAX], ids=["auto", "max"])
def test_signature_is_pss(key: rsa.RSAPrivateKey, signature: str, scheme: padding.PSS) -> None:
    raw = base64.b64decode(signature)
    key.public_key().verify(raw, logon_payload(*FIELDS), scheme, hashes.SHA256())


def test_signature_is_not_pkcs1v15(key: rsa.RSAPrivateKey, signature: str) -> None:
    raw = base64.b64decode(signature)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(raw, logon_payload(*FIELDS), padding.PKCS1v15(), hashes.SHA256())


def test_signature_salt_is_32_bytes(key: rsa.RSAPrivateKey, signature: str) -> None:
    raw = base64.b64decode(signature)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(raw, logon_payload(*FIELDS), pss(20), hashes.SHA256())


def test_signature_is_344_padded_base64(signature: str) -> None:
    assert len(signature) == 344
    assert signature.endswith("=")
    assert base64.b64encode(base64.b64decode(signature, validate=True)).decode() == signature
    assert len(base64.b64decode(signature)) == 256


def test_signatures_are_randomized(signer: LogonSigner, signature: str) -> None:
    again = signer.sign(*FIELDS)
    assert again != signature
    assert verify_logon_signature(signer.public_key_pem(), again, *FIELDS)


def test_sign_validates_fields(signer: LogonSigner) -> None:
    with pytest.raises(ValueError, match="MsgSeqNum <34>"):
        signer.sign(TIME, 0, UUID, "KalshiNR")


# The module's verifier.


def test_verify_accepts_pem_and_loaded_key(
    key: rsa.RSAPrivateKey, signer: LogonSigner, signature: str
) -> None:
    assert verify_logon_signature(signer.public_key_pem(), signature, *FIELDS)
    assert verify_logon_signature(key.public_key(), signature, *FIELDS)
    assert verify_logon_signature(key.public_key(), signature.encode(), *FIELDS)


@pytest.mark.parametrize(
    "fields",
    [
        ("20260101-12:00:00.001", 1, UUID, "KalshiNR"),
        (TIME, 2, UUID, "KalshiNR"),
        (TIME, 1, UUID.replace("3f", "4f"), "KalshiNR"),
        (TIME, 1, UUID, "KalshiRT"),
        (TIME, 1, UUID, "Kalshi"),
    ],
)
def test_verify_rejects_tampered_payload(
    key: rsa.RSAPrivateKey, signature: str, fields: tuple[str, int, str, str]
) -> None:
    assert not verify_logon_signature(key.public_key(), signature, *fields)


@pytest.mark.parametrize(
    "fields",
    [
        ("2026-01-01 12:00:00", 1, UUID, "KalshiNR"),
        (TIME, 0, UUID, "KalshiNR"),
        (TIME, 1, "", "KalshiNR"),
        (TIME, 1, UUID, "Kalshi\x01NR"),
    ],
)
def test_verify_malformed_fields_is_false(
    key: rsa.RSAPrivateKey, signature: str, fields: tuple[str, int, str, str]
) -> None:
    assert not verify_logon_signature(key.public_key(), signature, *fields)


def test_verify_rejects_other_key(
    key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey, signature: str
) -> None:
    forged = LogonSigner(other_key).sign(*FIELDS)
    assert not verify_logon_signature(key.public_key(), forged, *FIELDS)
    assert not verify_logon_signature(other_key.public_key(), signature, *FIELDS)


def test_verify_rejects_other_salt_length(key: rsa.RSAPrivateKey) -> None:
    payload = logon_payload(*FIELDS)
    for scheme in (pss(20), pss(64), PSS_MAX):  # PSS_MAX signs with the longest salt: 222
        raw = key.sign(payload, scheme, hashes.SHA256())
        assert not verify_logon_signature(key.public_key(), base64.b64encode(raw), *FIELDS)


def test_verify_rejects_pkcs1v15_signature(key: rsa.RSAPrivateKey) -> None:
    raw = key.sign(logon_payload(*FIELDS), padding.PKCS1v15(), hashes.SHA256())
    assert not verify_logon_signature(key.public_key(), base64.b64encode(raw), *FIELDS)


def flip_first_byte(signature: str) -> str:
    """Return ``signature`` with the first byte of the decoded signature inverted."""
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 0xFF
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda s: s[:-4], id="truncated-by-one-quantum"),
        pytest.param(lambda s: s[:-1], id="missing-padding"),
        pytest.param(lambda s: s[:100], id="truncated"),
        pytest.param(lambda s: s + "AAAA", id="too-long"),
        pytest.param(lambda s: s[:10] + "!" + s[11:], id="bad-character"),
        pytest.param(lambda s: s[:172] + "\n" + s[172:], id="embedded-newline"),
        pytest.param(lambda s: s.replace("+", "-").replace("/", "_") + "-_", id="urlsafe"),
        pytest.param(lambda s: "not base64 at all", id="garbage"),
        pytest.param(lambda s: "é" * 344, id="non-ascii"),
        pytest.param(lambda s: "", id="empty"),
        pytest.param(flip_first_byte, id="flipped-bit"),
    ],
)
def test_verify_malformed_signature_is_false(
    key: rsa.RSAPrivateKey, signature: str, mangle: Callable[[str], str]
) -> None:
    bad = mangle(signature)
    assert not verify_logon_signature(key.public_key(), bad, *FIELDS)
    if bad.isascii():
        assert not verify_logon_signature(key.public_key(), bad.encode(), *FIELDS)


def test_verify_non_ascii_bytes_is_false(key: rsa.RSAPrivateKey) -> None:
    assert not verify_logon_signature(key.public_key(), b"\xff" * 344, *FIELDS)


def test_verify_bad_key_argument_raises(signature: str) -> None:
    ec_public = ec.generate_private_key(ec.SECP256R1()).public_key()
    ec_pem = ec_public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="not a PEM public key"):
        verify_logon_signature(b"-----BEGIN PUBLIC KEY-----\nxyz\n", signature, *FIELDS)
    with pytest.raises(ValueError, match="RSA public key"):
        verify_logon_signature(ec_pem, signature, *FIELDS)
    with pytest.raises(ValueError, match="RSA public key"):
        verify_logon_signature(ec_public, signature, *FIELDS)  # type: ignore[arg-type]


def test_verify_small_public_key_raises(small_key: rsa.RSAPrivateKey, signature: str) -> None:
    with pytest.raises(ValueError, match="1024 bits"):
        verify_logon_signature(small_key.public_key(), signature, *FIELDS)


# Key loading.


@pytest.fixture(scope="module")
def small_key() -> rsa.RSAPrivateKey:
    """A 1024-bit RSA key, too small for Kalshi."""
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.fixture
def pem_file(tmp_path: Path, key: rsa.RSAPrivateKey) -> Path:
    """``key`` written as unencrypted PKCS#8 PEM."""
    path = tmp_path / "kalshi.pem"
    path.write_bytes(private_key_pem(key))
    return path


def check_same_key(loaded: LogonSigner, key: rsa.RSAPrivateKey) -> None:
    """Assert that ``loaded`` signs with ``key``."""
    assert verify_logon_signature(key.public_key(), loaded.sign(*FIELDS), *FIELDS)


def test_private_key_pem_is_pkcs8(key: rsa.RSAPrivateKey) -> None:
    pem = private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    with pytest.raises(ValueError, match="RSA private key"):
        private_key_pem(ec.generate_private_key(ec.SECP256R1()))  # type: ignore[arg-type]


def test_load_from_path(pem_file: Path, key: rsa.RSAPrivateKey) -> None:
    check_same_key(LogonSigner(pem_file), key)
    check_same_key(LogonSigner(str(pem_file)), key)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        LogonSigner(tmp_path / "absent.pem")


def test_load_from_pem_bytes(key: rsa.RSAPrivateKey) -> None:
    check_same_key(LogonSigner(private_key_pem(key)), key)


def test_load_pkcs1_pem(key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    assert pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    check_same_key(LogonSigner(pem), key)


@pytest.fixture(scope="module")
def encrypted_pem(key: rsa.RSAPrivateKey) -> bytes:
    """``key`` as PKCS#8 PEM encrypted with PASSWORD."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD),
    )


def test_load_encrypted_pem(encrypted_pem: bytes, key: rsa.RSAPrivateKey) -> None:
    check_same_key(LogonSigner(encrypted_pem, password=PASSWORD), key)
    check_same_key(LogonSigner(encrypted_pem, password=PASSWORD.decode()), key)


def test_load_encrypted_pem_wrong_password(encrypted_pem: bytes) -> None:
    with pytest.raises(ValueError, match="wrong password"):
        LogonSigner(encrypted_pem, password=b"wrong")


def test_load_encrypted_pem_without_password(encrypted_pem: bytes) -> None:
    with pytest.raises(ValueError, match="encrypted; pass its password"):
        LogonSigner(encrypted_pem)


def test_load_password_for_plain_pem(key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ValueError, match="not encrypted"):
        LogonSigner(private_key_pem(key), password=PASSWORD)
    with pytest.raises(ValueError, match="only to PEM input"):
        LogonSigner(key, password=PASSWORD)


def test_load_rejects_ec_key() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pem = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="RSA private key"):
        LogonSigner(ec_pem)
    with pytest.raises(ValueError, match="RSA private key"):
        LogonSigner(ec_key)  # type: ignore[arg-type]


def test_load_rejects_small_rsa_key(small_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ValueError, match="1024 bits"):
        LogonSigner(small_key)
    with pytest.raises(ValueError, match="1024 bits"):
        LogonSigner(private_key_pem(small_key))


def test_load_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a PEM private key"):
        LogonSigner(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(TypeError, match="path, PEM bytes or an RSAPrivateKey"):
        LogonSigner(1234)  # type: ignore[arg-type]


def test_load_pem_text_as_str_is_refused_without_echo(key: rsa.RSAPrivateKey) -> None:
    pem_text = private_key_pem(key).decode()
    with pytest.raises(ValueError, match="pass PEM text as bytes") as info:
        LogonSigner(pem_text)
    assert "PRIVATE KEY" not in str(info.value)


def test_generate_key_refuses_small_sizes() -> None:
    with pytest.raises(ValueError, match="at least 2048"):
        generate_key(1024)


# Not leaking the key.


def test_repr_shows_size_and_fingerprint_only(key: rsa.RSAPrivateKey, signer: LogonSigner) -> None:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = hashlib.sha256(der).hexdigest()
    assert signer.fingerprint == fingerprint
    assert signer.key_size == 2048
    assert repr(signer) == f"LogonSigner(rsa_bits=2048, public_sha256='{fingerprint[:16]}')"
    assert str(signer) == repr(signer)


def test_repr_has_no_key_material(key: rsa.RSAPrivateKey, signer: LogonSigner) -> None:
    text = f"{signer!r} {signer!s} {signer}"
    private = key.private_numbers()
    pem = private_key_pem(key).decode()
    assert "BEGIN" not in text
    for line in pem.splitlines()[1:-1]:
        assert line not in text
    for number in (private.d, private.p, private.q, private.dmp1, private.dmq1, private.iqmp):
        assert str(number) not in text
        assert f"{number:x}" not in text
        assert str(number)[:12] not in text


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_refused(signer: LogonSigner, protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(signer, protocol=protocol)


def test_copy_refused(signer: LogonSigner) -> None:
    with pytest.raises(TypeError, match="private key"):
        copy.copy(signer)
    with pytest.raises(TypeError, match="private key"):
        copy.deepcopy(signer)


def test_immutable(signer: LogonSigner, other_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(AttributeError, match="immutable"):
        signer._key = other_key
    with pytest.raises(AttributeError, match="immutable"):
        del signer._key
    with pytest.raises(AttributeError):
        signer.__dict__  # noqa: B018
