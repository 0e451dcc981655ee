"""The session state machine under a hostile channel, explored by Hypothesis.

Two sans-IO sessions, an initiator and an acceptor, each with a :class:`JournalStore` in a real
file, exchange NewOrderSingles <D> through a channel that loses, duplicates, reorders, garbles
and cuts what they write; connections drop, and either side crashes (its store closed unflushed
and reopened, a new ``Session`` on it) at any step. After every step:

* no application message is delivered under two MsgSeqNums;
* the bytes a session holds (messages ahead of a gap, output waiting) stay under their limits;
* while a session keeps its state on one connection, ``next_deadline()`` never moves earlier
  (what lets a connection skip asking on every read while its timer is armed).

At the end the channel is healed (a fresh connection, everything delivered in order, time
moving): the sessions log on again, recover their gaps, and every order either side's
``send`` accepted has been taken by the other at least once: no session stalls.

60 runs of 30 steps by default; ``FIXWIRE_SESSION_FUZZ_EXAMPLES`` (as in ``test_fuzz.py``)
sets five times the runs, for a long run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fixwire import SessionError
from fixwire.session import JournalStore, Received, Role, Session, SessionConfig

T0 = 1_787_000_000.0
SIDES = ("client", "server")
CONFIGS = {
    "client": SessionConfig(
        sender_comp_id="CLIENT", target_comp_id="SERVER", max_sending_time_skew=None
    ),
    "server": SessionConfig(
        sender_comp_id="SERVER",
        target_comp_id="CLIENT",
        role=Role.ACCEPTOR,
        max_sending_time_skew=None,
        max_held_bytes=64 * 1024,
        max_outbound_bytes=64 * 1024,
    ),
}
OTHER = {"client": "server", "server": "client"}


class SessionPair(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="fixwire-stateful-"))
        self.now = T0
        self.sessions = {side: self._open(side) for side in SIDES}
        # Bytes written by a side, not yet read by the other, in pieces.
        self.wire: dict[str, list[bytes]] = {side: [] for side in SIDES}
        self.sent: dict[str, set[str]] = {side: set() for side in SIDES}
        # Order id -> the MsgSeqNums it was taken under, by the receiving side.
        self.taken: dict[str, dict[str, set[int]]] = {side: {} for side in SIDES}
        self.orders = 0
        # Per side: the session, its connection's number, its state and deadline when last seen.
        self.connections = 0
        self.deadlines: dict[str, tuple[Session, int, object, float | None]] = {}
        self._connect()

    def _open(self, side: str) -> Session:
        return Session(CONFIGS[side], JournalStore(self.directory / f"{side}.journal"))

    def _connect(self) -> None:
        self.connections += 1
        for side in SIDES:
            self.wire[side].clear()
        self.sessions["server"].connection_made(self.now)
        self.sessions["client"].connection_made(self.now)
        # The Logon exchange of a new connection goes through unharmed; what follows it does not.
        for side in ("client", "server"):
            data = self.sessions[side].data_to_send()
            if data:
                self.sessions[OTHER[side]].receive(data, self.now)
        self._pump()

    def _pump(self) -> None:
        """Moves what each side wrote onto the wire (events wait for :meth:`take`)."""
        for side, session in self.sessions.items():
            data = session.data_to_send()
            if data:
                self.wire[side].append(data)
        if any(session.should_close for session in self.sessions.values()):
            self._drop_connection()

    def _take(self, side: str) -> None:
        for event in self.sessions[side].next_events():
            if isinstance(event, Received) and event.message.msg_type == "D":
                order = event.message[11]
                self.taken[side].setdefault(order, set()).add(event.message.seq_num)

    def _drop_connection(self) -> None:
        for session in self.sessions.values():
            session.connection_lost(self.now)
        self._connect()

    def teardown(self) -> None:
        for session in self.sessions.values():
            session.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # What the application and the clock do.

    @rule(side=st.sampled_from(SIDES), count=st.integers(1, 5))
    def send_orders(self, side: str, count: int) -> None:
        session = self.sessions[side]
        for _ in range(count):
            self.orders += 1
            order = f"{side}-{self.orders}"
            try:
                session.send("D", [(11, order), (55, "ABC"), (54, "1"), (38, 1)], self.now)
            except SessionError:
                break  # not logged on (or the queue is full): nothing was stored
            self.sent[side].add(order)
        self._pump()

    @rule(seconds=st.sampled_from([0.5, 5.0, 31.0, 40.0]))
    def tick(self, seconds: float) -> None:
        self.now += seconds
        for session in self.sessions.values():
            session.tick(self.now)
        self._pump()

    @rule(side=st.sampled_from(SIDES))
    def take(self, side: str) -> None:
        """The application takes the events waiting (and so the ones it took before)."""
        self._take(side)

    # What the channel does.

    @precondition(lambda self: any(self.wire.values()))
    @rule(side=st.sampled_from(SIDES), data=st.data())
    def deliver(self, side: str, data: st.DataObject) -> None:
        pieces = self.wire[side]
        if not pieces:
            return
        # Mostly the oldest piece; sometimes a later one first (reordered).
        index = data.draw(st.sampled_from([0, 0, 0, len(pieces) - 1]))
        self.sessions[OTHER[side]].receive(pieces.pop(index), self.now)
        self._pump()

    @precondition(lambda self: any(self.wire.values()))
    @rule(side=st.sampled_from(SIDES), how=st.sampled_from(["lose", "duplicate", "garble", "cut"]))
    def mangle(self, side: str, how: str) -> None:
        pieces = self.wire[side]
        if not pieces:
            return
        piece = pieces.pop(0)
        if how == "duplicate":
            pieces[:0] = [piece, piece]
        elif how == "garble":
            at = len(piece) // 2
            pieces.insert(0, piece[:at] + bytes([piece[at] ^ 0x20]) + piece[at + 1 :])
        elif how == "cut" and len(piece) > 1:
            at = len(piece) // 3 or 1
            pieces[:0] = [piece[:at], piece[at:]]

    @rule()
    def drop_connection(self) -> None:
        self._drop_connection()

    @rule(side=st.sampled_from(SIDES))
    def crash(self, side: str) -> None:
        """The process dies with the events it has not taken: its store is closed as it stands
        and reopened by a new session.
        """
        self.sessions[side].store.close()
        self.sessions[side] = self._open(side)
        self.sessions[OTHER[side]].connection_lost(self.now)
        self._connect()

    # What must hold.

    @invariant()
    def never_under_two_numbers(self) -> None:
        for side in SIDES:
            for order, numbers in self.taken[side].items():
                assert len(numbers) == 1, (side, order, numbers)

    @invariant()
    def held_bytes_within_limits(self) -> None:
        for side, session in self.sessions.items():
            config = CONFIGS[side]
            assert session._held.bytes <= config.max_held_bytes
            # One message (the Logout saying so) may go past the bound.
            assert session._out.queued <= config.max_outbound_bytes + 512

    @invariant()
    def deadline_never_earlier_in_one_state(self) -> None:
        for side, session in self.sessions.items():
            deadline = session.next_deadline()
            seen = (session, self.connections, session.state)
            last = self.deadlines.get(side)
            if last is not None and last[:3] == seen and last[3] is not None:
                assert deadline is not None, (side, session.state)
                assert deadline >= last[3], (side, session.state)
            self.deadlines[side] = (*seen, deadline)

    def check_delivered_after_healing(self) -> None:
        self._drop_connection()
        for _ in range(60):
            for side in SIDES:
                while self.wire[side]:
                    self.sessions[OTHER[side]].receive(self.wire[side].pop(0), self.now)
                    self._pump()
            self.tick(2.0)
            for side in SIDES:
                self._take(side)
            if all(s.logged_on for s in self.sessions.values()) and all(
                self.sent[side] <= set(self.taken[OTHER[side]]) for side in SIDES
            ):
                break
        for side in SIDES:
            missing = self.sent[side] - set(self.taken[OTHER[side]])
            assert not missing, f"{side}'s orders never taken: {sorted(missing)[:5]}"


class HealedPair(SessionPair):
    def teardown(self) -> None:
        try:
            self.check_delivered_after_healing()
            self.never_under_two_numbers()
        finally:
            super().teardown()


HealedPair.TestCase.settings = settings(
    max_examples=int(os.environ.get("FIXWIRE_SESSION_FUZZ_EXAMPLES", "300")) // 5,
    stateful_step_count=30,
    deadline=None,
    database=None,
)
test_session_pair_under_a_hostile_channel = HealedPair.TestCase
