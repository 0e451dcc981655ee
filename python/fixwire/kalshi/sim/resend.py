"""The resend window of a retransmission session (spec section 3): KalshiRT (and KalshiPT)
keep what they sent for 24 hours, or MessageRetentionPeriod <20200> hours (at most 72) when the
Logon set it; a ResendRequest <2> whose BeginSeqNo <7> is older than that gets a Reject <3>.

What happens after the Reject the spec does not say. The simulator then serves the request as
far as it can: the messages past the window are gap-filled (SequenceReset-GapFill <4>), those
within it resent, so that the client is told it lost messages (the Reject, RefTagID <371>=7,
SessionRejectReason <373>=5) and its numbers still move on, rather than left asking again.
"""

from __future__ import annotations

import contextlib
import time
from bisect import bisect_left
from collections.abc import Callable

from fixwire._native import Message
from fixwire.errors import SessionError
from fixwire.session import MemoryStore, Session
from fixwire.session.config import FieldValue

#: The venue's default resend window, hours (spec section 3).
DEFAULT_RETENTION_HOURS = 24


class RetentionStore(MemoryStore):
    """A session store that remembers when each message was stored and holds back, from a
    resend, those older than its window.

    Args:
        clock: Wall-clock seconds (the simulator's).
        hours: The window; :meth:`Simulator` sets it from the Logon's MessageRetentionPeriod.
    """

    def __init__(self, clock: Callable[[], float], hours: float = DEFAULT_RETENTION_HOURS) -> None:
        super().__init__()
        self._clock = clock
        self.hours = hours
        # Numbers and times of the stored messages, in order (both only grow, until reset).
        self._numbers: list[int] = []
        self._times: list[float] = []

    def save(self, seq_num: int, message: bytes) -> None:
        """Stores the message sent as ``seq_num`` and the time it was stored."""
        super().save(seq_num, message)
        if self._numbers and seq_num <= self._numbers[-1]:
            # A number used again (a reset keeps no history): the times restart.
            del self._numbers[bisect_left(self._numbers, seq_num) :]
            del self._times[len(self._numbers) :]
        self._numbers.append(seq_num)
        self._times.append(self._clock())

    def messages(self, begin: int, end: int) -> dict[int, bytes]:
        """The stored messages from ``begin`` to ``end`` still within the window."""
        found = super().messages(begin, end)
        first = self._first_kept()
        return found if first is None else {n: m for n, m in found.items() if n >= first}

    def past_window(self, begin: int) -> bool:
        """Whether a resend from ``begin`` asks for a message older than the window."""
        at = bisect_left(self._numbers, begin)
        if at == len(self._numbers):
            return False
        return self._times[at] < self._cutoff()

    def reset(self) -> None:
        """Forgets every message and its time, and starts both numbers again at 1."""
        super().reset()
        self._numbers.clear()
        self._times.clear()

    def _cutoff(self) -> float:
        return self._clock() - self.hours * 3600.0

    def _first_kept(self) -> int | None:
        """The number of the oldest stored message within the window (None: all are)."""
        cutoff = self._cutoff()
        at = bisect_left(self._times, cutoff)
        if at == 0:
            return None
        return self._numbers[at] if at < len(self._numbers) else self._numbers[-1] + 1


def refuse_past_window(session: Session, msg: Message) -> None:
    """The session's ``inbound`` hook: rejects a ResendRequest <2> whose BeginSeqNo <7> is
    older than the session's resend window (Reject <3>, RefTagID <371>=7,
    SessionRejectReason <373>=5); the session serves it next, gap-filling what the window no
    longer holds. Other messages pass.
    """
    if msg.msg_type != "2":
        return None
    store = session.store
    begin = msg.get_int(7)
    if not isinstance(store, RetentionStore) or begin is None or not store.past_window(begin):
        return None
    text = f"BeginSeqNo <7> {begin} is older than the resend window ({store.hours:g} hours)"
    fields: list[tuple[int, FieldValue]] = [
        (45, msg.seq_num),
        (371, 7),
        (372, "2"),
        (373, 5),
        (58, text),
    ]
    with contextlib.suppress(SessionError):  # The session ended meanwhile: nothing to tell.
        session.send("3", fields, time.time())
    return None
