"""The answer to a peer's ResendRequest <2>, built from the store.

Application messages are sent again byte for byte, only their header patched by
:meth:`fixwire.Encoder.possible_duplicate` (PossDupFlag <43>=Y, OrigSendingTime <122>, a new
SendingTime <52>, BodyLength <9>, CheckSum <10>); every run of numbers the store does not hold
(session-level messages, numbers never used) is covered by one SequenceReset-GapFill <4>
carrying the run's first number.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fixwire._native import Encoder
from fixwire.session.config import FieldValue
from fixwire.session.store import Store

__all__ = ["gap_fill", "resend"]


def gap_fill(encoder: Encoder, seq_num: int, new_seq: int, now: float) -> bytes:
    """SequenceReset-GapFill <4> numbered ``seq_num`` (a resent number: not stored or
    counted) that moves the peer on to ``new_seq``."""
    fields: list[tuple[int, FieldValue]] = [(43, True), (122, datetime.fromtimestamp(now, UTC))]
    fields += [(123, True), (36, new_seq)]
    return encoder.encode("4", fields, seq_num=seq_num, sending_time=float(now))


def resend(
    store: Store, encoder: Encoder, begin: int, end: int, now: float
) -> tuple[list[bytes], int]:
    """The messages that answer a resend of ``begin``..``end`` (both sent), and how many of
    them are application messages sent again."""
    stored = store.messages(begin, end)
    out: list[bytes] = []
    resent = 0
    gap_from: int | None = None
    for seq in range(begin, end + 1):
        wire = stored.get(seq)
        if wire is None:
            if gap_from is None:
                gap_from = seq
            continue
        if gap_from is not None:
            out.append(gap_fill(encoder, gap_from, seq, now))
            gap_from = None
        out.append(encoder.possible_duplicate(wire, sending_time=float(now)))
        resent += 1
    if gap_from is not None:
        out.append(gap_fill(encoder, gap_from, end + 1, now))
    return out, resent
