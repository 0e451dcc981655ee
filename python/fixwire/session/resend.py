"""The answer to a peer's ResendRequest <2>, built from the store.

Application messages are sent again byte for byte, only their header patched by
:meth:`fixwire.Encoder.possible_duplicate` (PossDupFlag <43>=Y, OrigSendingTime <122>, a new
SendingTime <52>, BodyLength <9>, CheckSum <10>); every run of numbers the store does not hold
(session-level messages, numbers never used) is covered by one SequenceReset-GapFill <4>
carrying the run's first number. With ``SessionConfig.app_resend`` each application message
is handed, patched, to that hook before it goes (QuickFIX's ``toApp`` on a resend): it may
change it, or drop it, and a dropped one joins the GapFill of its run.

An answer is a :class:`ResendStream`: it reads the store a few messages at a time as the
transport takes them, so answering a ResendRequest for a million messages holds one batch in
memory, never the whole answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fixwire._native import Encoder
from fixwire.session.config import FieldValue
from fixwire.session.store import Store

__all__ = ["ResendStream", "gap_fill", "resend"]

#: Messages read from the store at a time.
_BATCH = 64


def gap_fill(
    encoder: Encoder,
    seq_num: int,
    new_seq: int,
    now: float,
    header: list[tuple[int, FieldValue]] | None = None,
) -> bytes:
    """SequenceReset-GapFill <4> numbered ``seq_num`` (a resent number: not stored or
    counted) that moves the peer on to ``new_seq``; ``header`` holds the header fields the
    encoder does not write itself (SubIDs, LocationIDs).
    """
    fields: list[tuple[int, FieldValue]] = [*(header or ()), (43, True)]
    fields.append((122, datetime.fromtimestamp(now, UTC)))
    fields += [(123, True), (36, new_seq)]
    return encoder.encode("4", fields, seq_num=seq_num, sending_time=float(now))


class ResendStream:
    """The answer to a resend of ``begin``..``end`` (both sent), produced as it is taken.

    Attributes:
        begin: The first number of the range.
        end: The last number; a coalesced request may move it on while the stream is young.
        next: The first number not yet produced.
        now: When the resend was asked for: the SendingTime <52> of its messages.
    """

    __slots__ = (
        "_admin_out",
        "_app_resend",
        "_encoder",
        "_gap_from",
        "_header",
        "_store",
        "begin",
        "end",
        "next",
        "now",
    )

    def __init__(
        self,
        store: Store,
        encoder: Encoder,
        begin: int,
        end: int,
        now: float,
        admin_out: Callable[[bytes], bytes] | None = None,
        header: list[tuple[int, FieldValue]] | None = None,
        app_resend: Callable[[bytes], bytes | None] | None = None,
    ) -> None:
        self._store = store
        self._encoder = encoder
        # SessionConfig.admin_out: sees each GapFill as it is produced.
        self._admin_out = admin_out
        # SessionConfig.app_resend: sees each application message sent again; None drops it.
        self._app_resend = app_resend
        self._header = header
        self.now = float(now)
        self._gap_from: int | None = None
        self.begin = begin
        self.end = end
        self.next = begin

    @property
    def done(self) -> bool:
        """Whether every message of the range has been produced."""
        return self.next > self.end and self._gap_from is None

    def take(self, max_bytes: float) -> list[bytes]:
        """The next messages of the answer: at least one (unless done), then more while their
        sizes add up to less than ``max_bytes``.
        """
        out: list[bytes] = []
        size = 0
        encoder, now = self._encoder, self.now
        while self.next <= self.end:
            batch_end = min(self.next + _BATCH - 1, self.end)
            stored = self._store.messages(self.next, batch_end)
            for seq in range(self.next, batch_end + 1):
                wire = stored.get(seq)
                if wire is None:
                    if self._gap_from is None:
                        self._gap_from = seq
                    continue
                resent = encoder.possible_duplicate(wire, sending_time=now)
                if self._app_resend is not None:
                    approved = self._app_resend(resent)
                    if approved is None:
                        if self._gap_from is None:
                            self._gap_from = seq
                        continue
                    resent = approved
                if self._gap_from is not None:
                    out.append(self._gap_fill(seq))
                out.append(resent)
                size += len(resent)
                if size >= max_bytes:
                    self.next = seq + 1
                    return out
            self.next = batch_end + 1
        if self._gap_from is not None:
            out.append(self._gap_fill(self.end + 1))
        return out

    def _gap_fill(self, new_seq: int) -> bytes:
        """The GapFill over the run of numbers that started at ``_gap_from``, up to
        ``new_seq``; the run is closed.
        """
        assert self._gap_from is not None
        wire = gap_fill(self._encoder, self._gap_from, new_seq, self.now, self._header)
        self._gap_from = None
        return wire if self._admin_out is None else self._admin_out(wire)


def resend(
    store: Store, encoder: Encoder, begin: int, end: int, now: float
) -> tuple[list[bytes], int]:
    """The whole answer to a resend of ``begin``..``end`` at once, and how many of its
    messages are application messages sent again (a :class:`ResendStream` taken whole).
    """
    return ResendStream(store, encoder, begin, end, now).take(float("inf")), store.count(begin, end)
