r"""The Kalshi Logon (35=A) signature: the value of RawData <96>, and the keys that make it.

Kalshi authenticates a FIX session with the RSA key pair of its REST API. The client signs a
short pre-hash string built from the Logon header and sends the signature, base64-encoded, in
RawData <96> (kalshi-fix-spec.md section 5)::

    SendingTime <52> \x01 "A" \x01 MsgSeqNum <34> \x01 SenderCompID <49> \x01 TargetCompID <56>

encoded as UTF-8, with no trailing SOH. SendingTime <52> must be byte-identical to the value in
the Logon that carries the signature, so build the header first and sign the strings it holds;
never regenerate the timestamp after signing.

The algorithm is RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a salt as long as the digest
(32 bytes): what the PyCryptodome sample in Kalshi's docs does by default and what the REST
signing docs state outright. The FIX pages never name the salt length (section 18, item 6), so
:func:`verify_logon_signature` accepts exactly 32 bytes and nothing else: a client that signs
with another salt length may or may not get through the real gateway, and the simulator should
say so early. A 2048-bit key gives a 256-byte signature, that is 344 base64 characters.

RawDataLength <95> is never mentioned by Kalshi (section 18, item 5). This module produces only
the RawData <96> value; whether to send RawDataLength <95> as well is up to whoever builds the
Logon. If it is sent, its value is ``len(signature)``: base64 is ASCII, so characters and bytes
count the same.

Which API when:

* A client signing its Logon: :class:`LogonSigner` (load the key once, call
  :meth:`LogonSigner.sign` per Logon).
* An exchange simulator checking a Logon: :func:`verify_logon_signature`.
* Demos and tests that need a throwaway key: :func:`generate_key` and :func:`private_key_pem`.
* Anything that needs the exact bytes that are signed: :func:`logon_payload`.

A :class:`LogonSigner` holds a private key, so it is built not to leak one: its ``repr`` shows
only the key size and a prefix of the public key's SHA-256 fingerprint, and it refuses to be
pickled or copied, so it cannot end up in a log line, a cache or another process by accident.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TypeAlias, get_args

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = [
    "MIN_KEY_BITS",
    "SALT_LENGTH",
    "LogonSigner",
    "generate_key",
    "logon_payload",
    "private_key_pem",
    "verify_logon_signature",
]

KeySource: TypeAlias = "str | os.PathLike[str] | bytes | rsa.RSAPrivateKey"
PublicKeySource: TypeAlias = "bytes | rsa.RSAPublicKey"

#: Smallest RSA modulus accepted, in bits. Kalshi issues 2048-bit keys.
MIN_KEY_BITS = 2048

#: PSS salt length in bytes: the SHA-256 digest length, as the venue uses.
SALT_LENGTH = 32

_SOH = "\x01"
_SENDING_TIME = re.compile(r"[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}")
_FINGERPRINT_PREFIX = 16
_PRIVATE_KEY_CLASSES: tuple[type, ...] = get_args(PrivateKeyTypes)


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=SALT_LENGTH)


def logon_payload(
    sending_time: str, msg_seq_num: int, sender_comp_id: str, target_comp_id: str
) -> bytes:
    r"""Return the bytes a Kalshi Logon signature is computed over.

    The result is ``SendingTime <52>``, ``"A"``, ``MsgSeqNum <34>``, ``SenderCompID <49>`` and
    ``TargetCompID <56>`` joined with SOH, encoded as UTF-8, without a trailing SOH.

    Args:
        sending_time: SendingTime <52> exactly as it appears in the Logon, in the form
            ``YYYYMMDD-HH:MM:SS.mmm`` (UTC, millisecond precision).
        msg_seq_num: MsgSeqNum <34> of the Logon, a positive integer.
        sender_comp_id: SenderCompID <49>: the API key ID (a UUID).
        target_comp_id: TargetCompID <56>: the session type, such as ``"KalshiNR"``.

    Returns:
        The pre-hash bytes, for example
        ``b"20260101-12:00:00.000\x01A\x011\x01<uuid>\x01KalshiNR"``.

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: SendingTime <52> is not a valid ``YYYYMMDD-HH:MM:SS.mmm`` timestamp,
            MsgSeqNum <34> is not positive, or a CompID is empty or contains SOH.
    """
    if not isinstance(sending_time, str):
        raise TypeError(f"SendingTime <52> must be a str, not {type(sending_time).__name__}")
    if not _SENDING_TIME.fullmatch(sending_time):
        raise ValueError(
            f"SendingTime <52> must look like YYYYMMDD-HH:MM:SS.mmm, got {sending_time!r}"
        )
    try:
        datetime.strptime(sending_time[:17], "%Y%m%d-%H:%M:%S")
    except ValueError:
        raise ValueError(
            f"SendingTime <52> is not a real date and time: {sending_time!r}"
        ) from None
    if not isinstance(msg_seq_num, int) or isinstance(msg_seq_num, bool):
        raise TypeError(f"MsgSeqNum <34> must be an int, not {type(msg_seq_num).__name__}")
    if msg_seq_num <= 0:
        raise ValueError(f"MsgSeqNum <34> must be positive, got {msg_seq_num}")
    for name, value in (
        ("SenderCompID <49>", sender_comp_id),
        ("TargetCompID <56>", target_comp_id),
    ):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        if not value:
            raise ValueError(f"{name} must not be empty")
        if _SOH in value:
            raise ValueError(f"{name} must not contain SOH (\\x01): {value!r}")
    return _SOH.join((sending_time, "A", str(msg_seq_num), sender_comp_id, target_comp_id)).encode()


def _check_rsa_private(key: object) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"the Logon signature needs an RSA private key, got {type(key).__name__}")
    if key.key_size < MIN_KEY_BITS:
        raise ValueError(
            f"the RSA key has {key.key_size} bits; Kalshi keys have at least {MIN_KEY_BITS}"
        )
    return key


def _load_private_key(source: KeySource, password: str | bytes | None) -> rsa.RSAPrivateKey:
    if isinstance(source, _PRIVATE_KEY_CLASSES):
        if password is not None:
            raise ValueError("password applies only to PEM input, not to a loaded key")
        return _check_rsa_private(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        pem = bytes(source)
    elif isinstance(source, str) and "-----BEGIN" in source:
        # Caught before it is used as a path, so the key never shows up in an OSError.
        raise ValueError("a str is read as a file path; pass PEM text as bytes")
    elif isinstance(source, (str, os.PathLike)):
        pem = Path(source).read_bytes()
    else:
        raise TypeError(
            "key must be a path, PEM bytes or an RSAPrivateKey, not " + type(source).__name__
        )
    secret = password.encode() if isinstance(password, str) else password
    try:
        key = serialization.load_pem_private_key(pem, password=secret)
    except TypeError as exc:
        # cryptography signals a missing or superfluous password with TypeError.
        if password is None:
            raise ValueError("the private key is encrypted; pass its password") from exc
        raise ValueError("a password was given but the private key is not encrypted") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        if password is not None:
            raise ValueError(
                "could not load the private key: wrong password or malformed PEM"
            ) from exc
        raise ValueError("could not load the private key: not a PEM private key") from exc
    return _check_rsa_private(key)


class LogonSigner:
    """Signs Kalshi Logon messages with one RSA private key.

    Load the key once and call :meth:`sign` for each Logon. Instances are immutable, keep the
    key out of ``repr`` and ``str``, and refuse to be pickled or copied (``TypeError``).

    Args:
        key: The private key: a path to a PEM file, PEM bytes, or a loaded
            ``cryptography`` ``RSAPrivateKey``. PKCS#8 (``BEGIN PRIVATE KEY``, what
            ``openssl genpkey`` writes) is expected; traditional PKCS#1
            (``BEGIN RSA PRIVATE KEY``) is accepted too. A ``str`` is always a path.
        password: Password of an encrypted PEM key; a ``str`` is encoded as UTF-8.

    Raises:
        TypeError: ``key`` is none of the accepted types.
        ValueError: The PEM cannot be loaded (malformed, wrong or missing password), the key
            is not RSA, or it has fewer than 2048 bits.
        OSError: The key file cannot be read.

    Example:
        >>> signer = LogonSigner(generate_key())
        >>> len(signer.sign("20260101-12:00:00.000", 1, "my-api-key-id", "KalshiNR"))
        344
    """

    __slots__ = ("_fingerprint", "_key")

    _key: rsa.RSAPrivateKey
    _fingerprint: str

    def __init__(self, key: KeySource, *, password: str | bytes | None = None) -> None:
        loaded = _load_private_key(key, password)
        der = loaded.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        object.__setattr__(self, "_key", loaded)
        object.__setattr__(self, "_fingerprint", hashlib.sha256(der).hexdigest())

    @property
    def key_size(self) -> int:
        """Size of the RSA modulus in bits."""
        return self._key.key_size

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the public key (DER SubjectPublicKeyInfo) as 64 hex digits.

        Safe to log: it identifies the key pair without revealing it.
        """
        return self._fingerprint

    def sign(
        self, sending_time: str, msg_seq_num: int, sender_comp_id: str, target_comp_id: str
    ) -> str:
        """Return the RawData <96> value for a Logon with these header fields.

        PSS signatures are randomized: two calls with the same fields give different,
        equally valid signatures.

        Args:
            sending_time: SendingTime <52> exactly as sent in the same Logon
                (``YYYYMMDD-HH:MM:SS.mmm``).
            msg_seq_num: MsgSeqNum <34> of the Logon.
            sender_comp_id: SenderCompID <49>: the API key ID.
            target_comp_id: TargetCompID <56>: the session type, such as ``"KalshiNR"``.

        Returns:
            The RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) signature of
            :func:`logon_payload`, in standard base64 with ``=`` padding; 344 characters for a
            2048-bit key.

        Raises:
            TypeError: An argument has the wrong type.
            ValueError: A field is malformed; see :func:`logon_payload`.
        """
        payload = logon_payload(sending_time, msg_seq_num, sender_comp_id, target_comp_id)
        signature = self._key.sign(payload, _pss(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def public_key_pem(self) -> bytes:
        """Return the public key as PEM (SubjectPublicKeyInfo), the form Kalshi registers."""
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def __repr__(self) -> str:
        prefix = self._fingerprint[:_FINGERPRINT_PREFIX]
        return f"LogonSigner(rsa_bits={self.key_size}, public_sha256={prefix!r})"

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"LogonSigner is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"LogonSigner is immutable; cannot delete {name!r}")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        # Pickle and copy both go through here; a private key must not travel that way.
        raise TypeError("LogonSigner holds a private key and cannot be pickled or copied")


def _load_public_key(public_key: PublicKeySource) -> rsa.RSAPublicKey:
    if isinstance(public_key, (bytes, bytearray, memoryview)):
        try:
            loaded = serialization.load_pem_public_key(bytes(public_key))
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ValueError("could not load the public key: not a PEM public key") from exc
    else:
        loaded = public_key
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise ValueError(
            f"the Logon signature needs an RSA public key, got {type(loaded).__name__}"
        )
    if loaded.key_size < MIN_KEY_BITS:
        raise ValueError(
            f"the RSA key has {loaded.key_size} bits; Kalshi keys have at least {MIN_KEY_BITS}"
        )
    return loaded


def verify_logon_signature(
    public_key: PublicKeySource,
    signature_b64: str | bytes,
    sending_time: str,
    msg_seq_num: int,
    sender_comp_id: str,
    target_comp_id: str,
) -> bool:
    """Check a Logon's RawData <96> against the client's registered public key.

    Meant for the exchange simulator. Everything that comes from the peer (the signature and
    the four header fields) is judged, never trusted: a bad signature, malformed base64 or a
    malformed header field gives ``False`` rather than an exception. Only the salt length
    the venue uses, 32 bytes (the SHA-256 digest length), is accepted; see the module notes.

    Args:
        public_key: The client's RSA public key, as PEM bytes or a loaded
            ``cryptography`` ``RSAPublicKey``.
        signature_b64: RawData <96> as received: standard base64 with padding.
        sending_time: SendingTime <52> of the same Logon, as received.
        msg_seq_num: MsgSeqNum <34> of the same Logon.
        sender_comp_id: SenderCompID <49> of the same Logon.
        target_comp_id: TargetCompID <56> of the same Logon.

    Returns:
        ``True`` only if the signature is a valid RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte
        salt) signature of :func:`logon_payload` under ``public_key``.

    Raises:
        ValueError: ``public_key`` is not a PEM public key, not RSA, or under 2048 bits. This
            is the caller's mistake, not the peer's.
        TypeError: An argument has a type no peer input could have, such as ``None``.
    """
    key = _load_public_key(public_key)
    if not isinstance(signature_b64, (str, bytes)):
        raise TypeError(f"signature_b64 must be str or bytes, not {type(signature_b64).__name__}")
    try:
        payload = logon_payload(sending_time, msg_seq_num, sender_comp_id, target_comp_id)
        # validate=True rejects characters outside the alphabet instead of skipping them;
        # binascii.Error and the non-ASCII str error are both ValueError.
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    if len(signature) != (key.key_size + 7) // 8:
        return False
    try:
        key.verify(signature, payload, _pss(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def generate_key(bits: int = MIN_KEY_BITS) -> rsa.RSAPrivateKey:
    """Generate a throwaway RSA private key for demos and tests.

    Real sessions use the key pair registered with Kalshi; this is for simulators, examples
    and tests.

    Args:
        bits: Modulus size, at least 2048.

    Returns:
        A new RSA private key with public exponent 65537.

    Raises:
        ValueError: ``bits`` is under 2048.
    """
    if bits < MIN_KEY_BITS:
        raise ValueError(f"bits must be at least {MIN_KEY_BITS}, got {bits}")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """Return ``key`` as unencrypted PKCS#8 PEM (``BEGIN PRIVATE KEY``).

    The result is the secret itself: write it only to files meant to hold it.

    Args:
        key: An RSA private key, such as one from :func:`generate_key`.

    Returns:
        The PEM bytes, loadable by :class:`LogonSigner` and by ``openssl``.

    Raises:
        ValueError: ``key`` is not an RSA private key.
    """
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"expected an RSA private key, got {type(key).__name__}")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
