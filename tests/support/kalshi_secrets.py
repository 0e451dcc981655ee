"""What must never leave the Kalshi client in clear: the private key and the Logon signatures.

:class:`RecordingSigner` keeps every signature it makes, and :func:`secrets_of` cuts them and
the key into fragments for a test to look for in whatever the client wrote (log records, the
message log).
"""

from __future__ import annotations

from fixwire.kalshi import LogonSigner


class RecordingSigner(LogonSigner):
    """A signer that keeps every signature it makes, for the test to look for."""

    __slots__ = ("signatures",)

    def __init__(self, key: object) -> None:
        super().__init__(key)  # type: ignore[arg-type]
        object.__setattr__(self, "signatures", [])

    def sign(
        self, sending_time: str, msg_seq_num: int, sender_comp_id: str, target_comp_id: str
    ) -> str:
        signature = super().sign(sending_time, msg_seq_num, sender_comp_id, target_comp_id)
        self.signatures.append(signature)  # type: ignore[attr-defined]
        return signature


def secrets_of(key_pem: bytes, signatures: list[str]) -> list[str]:
    """What must never be logged: every 16 characters of each signature and of the key's
    base64 body, at steps of 8 (so any 24 characters of them in a row are found).
    """
    body = "".join(key_pem.decode().splitlines()[1:-1])
    return [
        text[i : i + 16] for text in (body, *signatures) for i in range(0, len(text) - 16, 8)
    ] + ["PRIVATE KEY"]
