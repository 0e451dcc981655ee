"""Gaps and resends: what the session does when the peer's numbers and ours part, sans-IO.

:class:`Recovery` is the part of :class:`fixwire.session.core.Session` that brings the two
sides' sequence numbers back together, as the module documentation of
:mod:`fixwire.session.core` lays down: a MsgSeqNum <34> past the expected one opens a gap (a
ResendRequest <2>, or chunks of one, and the messages ahead of it held until it fills), the held
messages are released in turn as it fills, a SequenceReset <4> moves the expected number
(Reset whatever its own number, GapFill in turn), and the peer's ResendRequest is answered from
the store (:mod:`fixwire.session.resend`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from fixwire._native import Message
from fixwire.session.base import (
    _LOGGED_ON,
    _REQUIRED_TAG_MISSING,
    _VALUE_INCORRECT,
    SessionBase,
)
from fixwire.session.events import ResendComplete, ResendServed, SequenceGap
from fixwire.session.limits import size_of
from fixwire.session.resend import ResendStream
from fixwire.session.states import State, Trigger
from fixwire.session.unparsed import Unparsed

__all__ = ["Recovery"]


class Recovery(SessionBase, ABC):
    """Gap detection, held messages, SequenceReset <4> and ResendRequest <2>, both ways (see
    the module documentation).
    """

    __slots__ = ()

    @abstractmethod
    def _process_held(self, msg: Message | Unparsed, now: float) -> None:
        """Processes a held message that is now in sequence (the inbound path's, in
        :class:`fixwire.session.core.Session`).
        """

    def _on_gap(
        self, msg: Message | Unparsed, msg_type: str, seq_num: int, expected: int, now: float
    ) -> None:
        parsed = msg if isinstance(msg, Message) else None
        if msg_type == "5" and parsed is not None:
            # A Logout is honoured even across a gap; the gap is moot once the session ends.
            self._on_logout(parsed, now)
            return
        if not self.config.retransmission:
            self._events.append(SequenceGap(expected, seq_num, recovering=False))
            self._ledger.advance(seq_num)
            self._process_held(msg, now)
            return
        if self.state is State.LOGOUT_SENT:
            # Logging out: the gap is left for the next session (the numbers are kept).
            if msg_type == "2" and parsed is not None:
                self._on_resend_request(parsed, seq_num, now)
            return
        if len(self._held) >= self.config.max_out_of_order:
            self._fatal_logout(
                now, f"more than {self.config.max_out_of_order} messages held ahead of a gap"
            )
        elif self._held.bytes + size_of(msg) > self.config.max_held_bytes:
            self._fatal_logout(
                now, f"more than {self.config.max_held_bytes} bytes held ahead of a gap"
            )
        else:
            self._held[seq_num] = msg
            if msg_type == "2" and parsed is not None:
                # Answered at once (our own request for the gap follows); held only so that its
                # number is passed over in turn.
                self._on_resend_request(parsed, seq_num, now)
        if self.state is not State.RESENDING:
            self._events.append(SequenceGap(expected, seq_num, recovering=True))
            if (
                parsed is not None
                and msg_type == "A"
                and self._next_expected_msg_seq_num
                and 789 in parsed
            ):
                # Our Logon's NextExpectedMsgSeqNum <789> asked for the gap already: the peer
                # resends without a ResendRequest (one follows if nothing comes, as for any
                # stalled resend).
                self._resend_requested_at, self._resend_reached = now, expected
            else:
                self._send_resend_request(expected, now, seq_num - 1)
            # A new gap: an earlier one's end (perhaps before a sequence reset) says nothing.
            self._resend_until = seq_num
            if self.state is State.IN_SESSION:
                self._move(Trigger.GAP_DETECTED)
        elif seq_num > self._resend_until:
            self._resend_until = seq_num

    def _release_held(self, now: float) -> None:
        """Processes held messages that are now in sequence; ends a resend when the gap closes."""
        while self._held and self.state in _LOGGED_ON:
            expected = self.store.next_target_seq
            for seq in [s for s in self._held if s < expected]:
                del self._held[seq]
            msg = self._held.pop(expected, None)
            if msg is None:
                break
            if msg.msg_type in ("A", "2") and isinstance(msg, Message):
                # The Logon that opened the gap, or a ResendRequest that came across it, was
                # handled when it came; only its number is left.
                self._ledger.advance(expected + 1)
                continue
            self._process_held(msg, now)
        if self.state is not State.RESENDING:
            return
        reached = self.store.next_target_seq
        if reached > self._resend_until:
            self._move(Trigger.GAP_FILLED)
            self._events.append(ResendComplete(reached))
        elif self.config.resend_request_chunk_size and reached > self._resend_chunk_end:
            # One chunk of the gap arrived: ask for the next one.
            self._send_resend_request(reached, now, self._resend_until - 1)

    def _on_sequence_reset(self, msg: Message, seq_num: int, now: float) -> None:
        """SequenceReset-Reset: sets the next inbound number, whatever this MsgSeqNum is."""
        self._hand_in(msg, now)
        new_seq = msg.get_int(36)
        expected = self.store.next_target_seq
        if new_seq is None or new_seq < expected:
            self._reject_new_seq_no(
                now, seq_num, new_seq, f"NewSeqNo {new_seq} is below the expected {expected}"
            )
        else:
            self._ledger.advance(new_seq)
            self._release_held(now)

    def _gap_fill_target(self, msg: Message, seq_num: int, now: float) -> int:
        """SequenceReset-GapFill in sequence: the next inbound number it sets."""
        new_seq = msg.get_int(36)
        if new_seq is None or new_seq <= seq_num:
            self._reject_new_seq_no(
                now, seq_num, new_seq, f"NewSeqNo {new_seq} does not move past MsgSeqNum {seq_num}"
            )
            return seq_num + 1
        return new_seq

    def _reject_new_seq_no(self, now: float, seq_num: int, new_seq: int | None, text: str) -> None:
        """Rejects a SequenceReset <4> whose NewSeqNo <36> is missing, or present and wrong as
        ``text`` says.
        """
        if new_seq is None:
            self._send_reject(
                now, seq_num, "4", _REQUIRED_TAG_MISSING, 36, "NewSeqNo <36> is missing"
            )
        else:
            self._send_reject(now, seq_num, "4", _VALUE_INCORRECT, 36, text)

    def _on_resend_request(self, msg: Message, seq_num: int, now: float) -> None:
        self._hand_in(msg, now)
        begin, end = msg.get_int(7), msg.get_int(16)
        if begin is None or end is None:
            missing = 7 if begin is None else 16
            self._send_reject(
                now,
                seq_num,
                "2",
                _REQUIRED_TAG_MISSING,
                missing,
                "BeginSeqNo <7> is missing" if missing == 7 else "EndSeqNo <16> is missing",
            )
            return
        last_sent = self.store.next_sender_seq - 1
        if end == 0 or end > last_sent:
            end = last_sent
        if begin < 1 or begin > end:
            self._events.append(ResendServed(begin, end, 0, 0))
            return
        if not self._out.add_resend(self._resend_stream(begin, end, now)):
            self._events.append(ResendServed(begin, end, 0, 0, coalesced=True))
            return
        self._last_sent = now
        resent = self.store.count(begin, end)
        self._events.append(ResendServed(begin, end, resent, end - begin + 1 - resent))

    def _resend_stream(self, begin: int, end: int, now: float) -> ResendStream:
        """The answer to a ResendRequest <2> for ``begin`` to ``end``, with this session's hooks
        and header qualifiers.
        """
        return ResendStream(
            self.store,
            self._encoder,
            begin,
            end,
            now,
            self.config.admin_out,
            self._qualifiers,
            self.config.app_resend,
        )

    def _send_resend_request(self, begin: int, now: float, gap_end: int) -> None:
        """ResendRequest <2> from ``begin``: to infinity, or for at most
        ``resend_request_chunk_size`` messages and not past ``gap_end``.
        """
        chunk = self.config.resend_request_chunk_size
        if chunk:
            end = self._resend_chunk_end = min(begin + chunk - 1, gap_end)
        else:
            end = self._rules.resend_to_infinity
        self._send_admin("2", [(7, begin), (16, end)], now)
        self._resend_requested_at = now
        self._resend_reached = begin
