"""What a retransmission session (KalshiRT, KalshiPT) keeps for resend, within two limits.

The venue keeps what it sent for 24 hours, or MessageRetentionPeriod <20200> hours (at most 72)
when the Logon set it, and a ResendRequest <2> whose BeginSeqNo <7> is older than that gets a
Reject <3> (spec section 3). The simulator's :class:`RetentionStore` holds a session's sent
application messages under two limits, pruning the oldest first:

* time: a message older than the session's window is dropped (the simulator's default is the
  venue's 24 hours, ``Simulator(message_retention_hours=)``; a Logon's 20200 sets it for its
  session);
* bytes: the messages held, each charged its length plus :data:`MESSAGE_OVERHEAD` bytes of
  bookkeeping, never exceed the cap (``Simulator(max_resend_bytes=)``, by default
  :data:`DEFAULT_MAX_RESEND_BYTES` per session), so a long run or a hostile client cannot grow
  the simulator's memory without bound.

Pruning happens as messages are stored and before every read, so nothing past the window is
ever resent. The store keeps one marker, :attr:`RetentionStore.pruned_below`: every number
below it that the store held has been dropped, every one from it on is still held (or was
never stored: session-level messages are gap-filled on any resend). So a ResendRequest <2>
reaching below the marker is told exactly, with Reject <3> RefTagID <371>=7,
SessionRejectReason <373>=5, its Text saying which limit dropped the messages.

Beyond the Reject the spec says nothing. The simulator serves the request as far as it can, as
the session layer does: the numbers it no longer holds are covered by SequenceReset-GapFill
<4>, those it holds are resent, and the Reject follows them (numbered past the resend, so no
GapFill covers it). The client is told it lost messages and its numbers still move on (a trader
recovers the executions from drop copy or the venue's records), rather than left asking again
for what will never come, or stuck until it logs on with ResetSeqNumFlag <141>=Y and loses
the rest too. A GapFill over a pruned message always comes with a Reject, in the race too:
numbers pruned after their ResendRequest was checked, while its answer was being read (more than
the cap's worth of new messages stored meanwhile, or the window passing) get a Reject of their
own once the resend is written (see :meth:`RetentionStore.messages`).

Sessions without retransmission (KalshiNR, KalshiDC, KalshiRFQ, KalshiMD) store nothing: the
session layer keeps no message for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable

from fixwire._native import Message
from fixwire.errors import SessionError
from fixwire.session import Connection, MemoryStore, Session
from fixwire.session.config import FieldValue

#: The venue's default resend window, hours (spec section 3).
DEFAULT_RETENTION_HOURS = 24
#: The default cap on what one session's store holds, bytes (64 MiB).
DEFAULT_MAX_RESEND_BYTES = 64 * 1024 * 1024
#: Bytes charged per message held beyond its own length: its sequence number, its time and
#: its entries in the store's map and queues. Measured with tracemalloc at 170-225 bytes on
#: CPython 3.11, 64-bit (``tests/kalshi/test_sim_retention.py``).
MESSAGE_OVERHEAD = 256

#: ResendRequests <2> remembered, to name the one a refusal answers (a few bytes each).
_ASKED_KEPT = 16

_log = logging.getLogger("fixwire.kalshi.sim")


def check_limits(hours: float, max_bytes: int) -> None:
    """Checks a resend window and a store's cap.

    Raises:
        ValueError: ``hours`` is not positive or ``max_bytes`` is negative.
    """
    if not hours > 0:
        raise ValueError(f"the resend window must be positive, not {hours} hours")
    if max_bytes < 0:
        raise ValueError(f"the resend store's cap must be at least 0 bytes, not {max_bytes}")


class RetentionStore(MemoryStore):
    """A session store bounded in time and bytes (see the module documentation).

    Args:
        clock: Wall-clock seconds (the simulator's; tests give their own).
        hours: The resend window; the simulator sets it from the Logon's
            MessageRetentionPeriod <20200>.
        max_bytes: The most the held messages may take, each charged its length plus
            :data:`MESSAGE_OVERHEAD`.

    Attributes:
        held_bytes: What the held messages take, by that charge.
        pruned_below: Every number below it that the store held has been pruned; 1 while
            nothing has been.
        aged_below: Every number below it is older than the window (so below it, the window
            pruned; from it up to :attr:`pruned_below`, the byte cap did).
        lost_in_resend: Numbers pruned after a ResendRequest <2> asking for them was checked
            and before its answer read them (gap-filled, then refused; see :meth:`messages`).
        on_refusal: Called when :meth:`messages` notes a refusal after the request's own
            turn, to have it sent (the simulator schedules :func:`refuse_pruned`).

    Raises:
        ValueError: ``hours`` is not positive or ``max_bytes`` is negative.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        hours: float = DEFAULT_RETENTION_HOURS,
        max_bytes: int = DEFAULT_MAX_RESEND_BYTES,
    ) -> None:
        check_limits(hours, max_bytes)
        super().__init__()
        self._clock = clock
        self.hours = hours
        self.max_bytes = max_bytes
        # The numbers held, oldest first, and the time each was stored: the order of pruning.
        self._numbers: deque[int] = deque()
        self._times: deque[float] = deque()
        self.held_bytes = 0
        self.pruned_below = 1
        self.aged_below = 1
        self.lost_in_resend = 0
        #: ResendRequests <2> reaching below the marker, not yet answered Reject <3>: their
        #: MsgSeqNum <34> and the Reject's Text.
        self.refusals: deque[tuple[int, str]] = deque()
        # The marker when a ResendRequest was last checked (reaches_pruned): a read below
        # the marker but not below this found numbers pruned since, with no Reject said.
        self._told_below = 1
        # The latest ResendRequests checked, (MsgSeqNum <34>, BeginSeqNo <7>), newest last:
        # whose answer a read belongs to. A resend's reads come before the next request's.
        self._asked: deque[tuple[int, int]] = deque(maxlen=_ASKED_KEPT)
        self.on_refusal: Callable[[], object] | None = None

    def save(self, seq_num: int, message: bytes) -> None:
        """Stores the message sent as ``seq_num``, then prunes what is past either limit
        (the message itself, when it alone is larger than the cap).
        """
        numbers = self._numbers
        if seq_num < self.pruned_below or (numbers and seq_num <= numbers[-1]):
            self._renumbered(seq_num)
        now = self._clock()
        super().save(seq_num, message)
        numbers.append(seq_num)
        times = self._times
        times.append(now)
        self.held_bytes += len(message) + MESSAGE_OVERHEAD
        # On every message sent: the common case (nothing to prune) costs two comparisons.
        if self.held_bytes > self.max_bytes or times[0] < now - self.hours * 3600.0:
            self._prune(now)

    def messages(self, begin: int, end: int) -> dict[int, bytes]:
        """The messages held from ``begin`` to ``end``, after pruning what is past the window.

        A resend's answer reads the store as the client takes it. Should the store prune
        numbers of a ResendRequest <2> after the request was checked (more than the cap's
        worth of new messages stored before the client read the answer, or the window
        passing meanwhile), they are gap-filled like any pruned number, and a Reject <3>
        371=7 373=5 of that request saying so is noted in :attr:`refusals` and
        :attr:`on_refusal` called to send it (after the resend: it is numbered past it).
        This is also logged as a warning on ``fixwire.kalshi.sim`` and counted in
        :attr:`lost_in_resend`.
        """
        self._prune(self._clock())
        lost_to = min(end, self.pruned_below - 1)
        lost_from = max(begin, self._told_below)
        if lost_from <= lost_to:
            self.lost_in_resend += lost_to - lost_from + 1
            self._told_below = self.pruned_below
            _log.warning(
                "resend: numbers %d to %d were pruned while being resent; gap-filled",
                lost_from,
                lost_to,
            )
            limit = (
                f"older than the resend window ({self.hours:g} hours)"
                if lost_to < self.aged_below
                else f"dropped to keep the resend store within {self.max_bytes} bytes"
            )
            ref_seq_num = next(
                (seq for seq, first in reversed(self._asked) if first <= lost_from),
                self._asked[-1][0] if self._asked else 0,
            )
            self.refusals.append(
                (ref_seq_num, f"messages {lost_from} to {lost_to} were {limit} while resent")
            )
            if self.on_refusal is not None:
                self.on_refusal()
        return super().messages(begin, end)

    def count(self, begin: int, end: int) -> int:
        """How many messages from ``begin`` to ``end`` are held, after pruning."""
        self._prune(self._clock())
        return super().count(begin, end)

    def reaches_pruned(self, begin: int, ref_seq_num: int = 0) -> bool:
        """Whether a resend from ``begin`` asks for numbers the store has pruned (after
        pruning what is past the window now); ``ref_seq_num`` is the request's MsgSeqNum
        <34>, for a refusal of what is pruned while its answer is read.
        """
        self._prune(self._clock())
        self._told_below = self.pruned_below
        self._asked.append((ref_seq_num, begin))
        return begin < self.pruned_below

    def reset(self) -> None:
        """Forgets every message and its time, and starts both numbers again at 1."""
        super().reset()
        self._numbers.clear()
        self._times.clear()
        self.held_bytes = 0
        self.pruned_below = self.aged_below = self._told_below = 1
        self.refusals.clear()
        self._asked.clear()

    def _prune(self, now: float) -> None:
        """Drops the oldest messages while they are older than the window at ``now`` or
        past the cap.
        """
        times = self._times
        cutoff = now - self.hours * 3600.0
        while times and times[0] < cutoff:
            self.aged_below = self._drop_oldest() + 1
        while self.held_bytes > self.max_bytes:
            self._drop_oldest()

    def _drop_oldest(self) -> int:
        """Prunes the oldest message held; returns its number."""
        seq_num = self._numbers.popleft()
        self._times.popleft()
        self.held_bytes -= len(self._messages.pop(seq_num)) + MESSAGE_OVERHEAD
        self.pruned_below = seq_num + 1
        return seq_num

    def _renumbered(self, seq_num: int) -> None:
        """Numbers from ``seq_num`` are used again (a lower next number was set): what was
        held under them belongs to the old numbering and is forgotten.
        """
        numbers = self._numbers
        while numbers and numbers[-1] >= seq_num:
            self._times.pop()
            self.held_bytes -= len(self._messages.pop(numbers.pop())) + MESSAGE_OVERHEAD
        self.pruned_below = min(self.pruned_below, seq_num)
        self.aged_below = min(self.aged_below, seq_num)
        self._told_below = min(self._told_below, seq_num)


def note_pruned_request(session: Session, msg: Message) -> None:
    """The session's ``inbound`` hook: notes a ResendRequest <2> whose BeginSeqNo <7>
    reaches below what the store has pruned, for :func:`refuse_pruned` to answer once the
    session has queued its resend. Other messages pass.
    """
    if msg.msg_type != "2":
        return None
    store = session.store
    begin = msg.get_int(7)
    if (
        not isinstance(store, RetentionStore)
        or begin is None
        or 16 not in msg  # The session rejects it (373=1) and serves nothing.
        or not store.reaches_pruned(begin, msg.seq_num)
    ):
        return None
    if begin < store.aged_below:
        text = f"BeginSeqNo <7> {begin} is older than the resend window ({store.hours:g} hours)"
    else:
        text = (
            f"BeginSeqNo <7> {begin} is no longer kept: messages before {store.pruned_below}"
            f" were dropped to keep the resend store within {store.max_bytes} bytes"
        )
    store.refusals.append((msg.seq_num, text))
    return None


def refuse_when_resent(connection: Connection) -> None:
    """Has the refusals :meth:`RetentionStore.messages` notes while a resend is read sent by
    :func:`refuse_pruned` on the event loop's next turn: after the write that read them, so
    queued behind the resend and numbered past it.

    Called on the connection's event loop (as the simulator does, when the session logs on);
    the store's :attr:`~RetentionStore.on_refusal` then schedules on that loop, whether or not
    it is running when the store is read.
    """
    store = connection.session.store
    if isinstance(store, RetentionStore):
        loop = asyncio.get_running_loop()
        store.on_refusal = lambda: loop.call_soon(refuse_pruned, connection)


def refuse_pruned(connection: Connection) -> None:
    """Sends the Reject <3> (RefTagID <371>=7, SessionRejectReason <373>=5, Text naming the
    limit) of each ResendRequest <2> noted by :func:`note_pruned_request`; called when the
    session has queued the resend, so that the Reject is numbered past it and reaches the
    client after the resent messages and gap fills (one numbered within the resend would be
    covered by its last GapFill, and a client may drop it).
    """
    store = connection.session.store
    if not isinstance(store, RetentionStore):
        return
    while store.refusals:
        ref_seq_num, text = store.refusals.popleft()
        fields: list[tuple[int, FieldValue]] = [
            (45, ref_seq_num),
            (371, 7),
            (372, "2"),
            (373, 5),
            (58, text),
        ]
        with contextlib.suppress(SessionError):  # The session ended meanwhile.
            connection.send("3", fields)
