"""Inbound delivery at least once: the next inbound number is recorded only once taken.

A session hands an inbound application message to its application as a
:class:`~fixwire.session.Received` event. Were the next inbound MsgSeqNum <34> recorded in the
store at that moment, a process killed before the application acted on the event would lose
the message for good: on restart the session would expect the number after it. So the
:class:`InboundLedger` keeps the numbers of the messages handed over but not yet *taken*, and
while there are any, the store records the first of them, however far the session has read.
Session messages that arrive meanwhile move the number in memory only.

The application takes a message by acknowledging it (:meth:`fixwire.session.Session.acknowledge`,
:meth:`fixwire.session.Connection.acknowledge`) or, implicitly, by asking for the next events
(:meth:`fixwire.session.Session.next_events`, the next step of ``async for event in
connection``). After a crash the session restarts expecting the first untaken number; the peer's
next message opens a gap, the session asks for it with ResendRequest <2>, and the peer sends it
again with PossDupFlag <43>=Y, which the application sees as
:attr:`Received.possible_duplicate <fixwire.session.Received>`: delivery is at least once, with
the duplicates marked. A :class:`~fixwire.session.MemoryStore` records nothing a restart could
read, so for it the ledger keeps no numbers (:attr:`InboundLedger.keeps`).
"""

from __future__ import annotations

from collections import deque

from fixwire.session.store import MemoryStore, Store

__all__ = ["InboundLedger"]


class InboundLedger:
    """The inbound numbers handed to the application and not yet taken; see the module."""

    __slots__ = ("_store", "keeps", "untaken")

    def __init__(self, store: Store) -> None:
        self._store = store
        #: Whether numbers are kept at all: not for a :class:`MemoryStore` (one whose
        #: ``set_next_target_seq`` is MemoryStore's), which records nothing beyond the
        #: attribute the session moves itself and ends with the process, so there is nothing
        #: to hold back for a restart; :attr:`untaken` then stays empty and taking is free.
        self.keeps = type(store).set_next_target_seq is not MemoryStore.set_next_target_seq
        #: The numbers handed over and not yet taken, oldest first; never replaced, so the
        #: session reads the last one without a call. It changes through the methods here,
        #: but for the session's common inbound message, the expected one: its number is
        #: appended (when the ledger :attr:`keeps` numbers) and the store's
        #: ``next_target_seq`` set past it in memory only (it is not yet taken),
        #: :meth:`delivered` and :meth:`advance` without the calls.
        self.untaken: deque[int] = deque()

    @property
    def last_delivered(self) -> int:
        """The number of the last message handed over and not yet taken; 0 when none."""
        return self.untaken[-1] if self.untaken else 0

    def delivered(self, seq_num: int) -> None:
        """The application message ``seq_num`` was handed to the application."""
        if self.keeps:
            self.untaken.append(seq_num)

    def advance(self, seq_num: int) -> None:
        """The next inbound message should carry ``seq_num``: recorded, unless a message
        handed over before is not yet taken (then in memory only).
        """
        untaken = self.untaken
        if untaken and untaken[-1] >= seq_num:
            untaken.clear()  # The numbers were reset: what was untaken is from before.
        if untaken:
            self._store.next_target_seq = seq_num
        else:
            self._store.set_next_target_seq(seq_num)

    def taken(self, seq_num: int | None = None) -> None:
        """The application took the messages handed over up to ``seq_num`` (all of them when
        ``None``): the store records the next untaken number, or the next inbound one.
        """
        untaken = self.untaken
        if not untaken:
            return
        last = untaken[-1]
        if seq_num is None or last <= seq_num:
            # Every one taken (the common case: the one message just handed over).
            untaken.clear()
            store = self._store
            current = store.next_target_seq
            if last < current:  # (Else reset since: the store recorded the new numbers itself.)
                store.set_next_target_seq(current)
            return
        store = self._store
        current = store.next_target_seq
        if last >= current:
            untaken.clear()  # Reset since: the store recorded the new numbers itself.
            return
        while untaken[0] <= seq_num:  # Stops at the last one at the latest (last > seq_num).
            untaken.popleft()
        store.set_next_target_seq(untaken[0])
        store.next_target_seq = current
