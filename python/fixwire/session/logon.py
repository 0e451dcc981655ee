"""The Logon <A> exchange, both roles, and a session reset, sans-IO.

:class:`Logon` is the part of :class:`fixwire.session.core.Session` that opens a session: an
initiator's Logon and its checks of the answer, an acceptor's checks of the peer's Logon and its
answer (CompIDs, SendingTime <52>, EncryptMethod <98>, HeartBtInt <108>, ResetSeqNumFlag
<141>, DefaultApplVerID <1137>, the application's ``accept_logon``), NextExpectedMsgSeqNum <789>
both ways, refusals (FIX test cases 1S.c-e, 1B.d-e), and a ResetSeqNumFlag=Y Logon in an
established session.
"""

from __future__ import annotations

from typing import NoReturn

from fixwire._native import Message, parse
from fixwire.errors import DecodeError
from fixwire.session import checks
from fixwire.session.base import _Fatal, _reject_received
from fixwire.session.config import FieldValue, LogonContext, Role
from fixwire.session.events import LoggedOn, LogonRefused, ResendServed, SequenceGap
from fixwire.session.recovery import Recovery
from fixwire.session.states import State, Trigger

__all__ = ["MAX_HEARTBEAT_INTERVAL", "Logon"]

#: The longest HeartBtInt <108> an acceptor adopts, in seconds.
MAX_HEARTBEAT_INTERVAL = 3600


class Logon(Recovery):
    """Opening a session, as either role, and resetting one (see the module documentation)."""

    __slots__ = ()

    def _on_session_reset(self, msg: Message, seq_num: int, now: float) -> None:
        """A Logon <A> with ResetSeqNumFlag <141>=Y in an established session: both sides start
        again at 1; we answer with our own Logon saying so (the FIX "SessionReset" case). An
        acceptor's application checks it as it checked the first (``accept_logon``, with
        :attr:`resetting` true): it may change what the session was logged on with.
        """
        if seq_num != 1:
            self._fatal_logout(now, f"ResetSeqNumFlag <141>=Y with MsgSeqNum {seq_num}, not 1")
        # The peer has started again at 1: so do we, before any check, so that a refusal is
        # numbered as the peer now expects and its next Logon is taken (QuickFIX, too, resets
        # its store before it checks a reset Logon).
        self.store.reset()
        self._held.clear()
        acceptor = self.config.role is Role.ACCEPTOR
        heartbeat = self._logon_terms(msg, now)
        self.resetting = True
        try:
            if acceptor:
                self._ask_application(msg, now)
            self._hand_in(msg, now)
        finally:
            self.resetting = False
        self.heartbeat_interval = heartbeat
        self._send_admin("A", self._logon_fields(heartbeat, True, 2), now, processed=seq_num)
        self._ledger.advance(2)
        self._move(Trigger.SESSION_RESET)
        self.last_logon = msg
        self._events.append(LoggedOn(heartbeat, reset=True))

    def _on_logon(self, msg: Message, msg_type: str, seq_num: int, now: float) -> None:
        if msg_type != "A":
            if msg_type == "5" and self.state is State.LOGON_SENT:
                text = msg.get(58) or "Logon refused"
                self._events.append(LogonRefused(text))
                raise _Fatal(f"logon refused: {text}")
            if msg_type == "3" and self.state is State.LOGON_SENT:
                # A Reject of our Logon (a SendingTime out of tolerance, 373=10) comes before
                # the acceptor's Logout: reported, so that the refusal can say why, and the
                # Logout (or the logon timeout) ends the session.
                self._events.append(_reject_received(msg))
                return
            text = f"first message is MsgType {msg_type!r}, not Logon <A>"
            if self.state is State.LOGON_SENT:
                # An initiator tells the acceptor why it gives up (FIX test case 1B.e); an
                # acceptor says nothing to a peer that never logged on (1S.e).
                self._fatal_logout(now, text)
            raise _Fatal(text)
        problem = checks.comp_id_problem(msg, self.config)
        if problem is not None:
            self._refuse_logon(now, problem.text)
        if checks.sending_time_off(msg, now, self.config.max_sending_time_skew):
            text = "SendingTime accuracy problem"
            if self.config.reject_stale_logon and self.config.role is Role.ACCEPTOR:
                self._send_reject(now, seq_num, "A", 10, 52, text, msg)
            self._refuse_logon(now, text)
        heartbeat = self._logon_terms(msg, now)
        reset = bool(msg.get_bool(141, default=False))
        if self.config.role is Role.ACCEPTOR:
            self._accept_logon(msg, seq_num, now, reset, heartbeat)
        else:
            self._hand_in(msg, now)
        if self.config.role is Role.INITIATOR and reset and not self.config.reset_on_logon:
            # The acceptor reset the sequence numbers; so do we.
            self.store.reset()
            self.store.set_next_sender_seq(2)
        self.heartbeat_interval = heartbeat
        expected = self.store.next_target_seq
        if seq_num < expected:
            self._fatal_logout(
                now, f"MsgSeqNum too low, expecting {expected} but received {seq_num}"
            )
        self._move(Trigger.LOGON_COMPLETED)
        self.last_logon = msg
        self._events.append(LoggedOn(heartbeat, reset))
        if self._next_expected_msg_seq_num:
            self._on_next_expected(msg, now)
        if seq_num > expected and not self.config.retransmission:
            # Skipped over, as in _on_gap; but the Logon is done here, not processed again.
            self._events.append(SequenceGap(expected, seq_num, recovering=False))
            self._ledger.advance(seq_num + 1)
        elif seq_num > expected:
            # Held like any message ahead of a gap, so that its number is passed over in turn.
            self._on_gap(msg, msg_type, seq_num, expected, now)
        else:
            self._ledger.advance(seq_num + 1)

    def _on_next_expected(self, msg: Message, now: float) -> None:
        """The peer's NextExpectedMsgSeqNum <789>: what it has not seen of ours before this
        Logon exchange is resent at once; a number past what we sent ends the session.
        """
        peer_expects = msg.get_int(789)
        if peer_expects is None:
            return
        initiator = self.config.role is Role.INITIATOR
        # The initiator's own Logon was counted by the acceptor before it answered.
        limit = self._logon_seq + (1 if initiator else 0)
        if peer_expects > limit:
            self._fatal_logout(
                now,
                f"NextExpectedMsgSeqNum <789> {peer_expects} is past the last MsgSeqNum sent,"
                f" {limit - 1}",
            )
        if initiator and peer_expects <= self._logon_seq:
            # An acceptor that answers a Logon it found too high still counts it: QuickFIX
            # says its expected number plus one. Resending one message more is harmless (a
            # duplicate to the peer); leaving one out would lose it.
            peer_expects = max(1, peer_expects - 1)
        if peer_expects < self._logon_seq:
            end = self._logon_seq - 1
            self._out.add_resend(self._resend_stream(peer_expects, end, now))
            resent = self.store.count(peer_expects, end)
            self._events.append(
                ResendServed(peer_expects, end, resent, end - peer_expects + 1 - resent)
            )

    def _logon_terms(self, msg: Message, now: float) -> int:
        """Checks the terms of the peer's Logon ``msg``, a first one or a reset: EncryptMethod
        <98>, HeartBtInt <108> and, to an acceptor, DefaultApplVerID <1137> where the version
        has it; refuses it if one is wrong, else returns the heartbeat interval to keep.
        """
        self._check_encrypt_method(msg, now)
        heartbeat = self._logon_heartbeat(msg, now)
        if (
            self.config.role is Role.ACCEPTOR
            and self._rules.default_appl_ver_id
            and msg.get(1137) is None
        ):
            self._refuse_logon(now, "DefaultApplVerID <1137> is missing")
        return heartbeat

    def _check_encrypt_method(self, msg: Message, now: float) -> None:
        """Refuses a Logon whose EncryptMethod <98> is not 0 (None/other), the only method a
        fixwire session speaks, or is missing (it is required in every version) unless
        ``require_encrypt_method`` is off: Logout <5> naming the field, then disconnect, as
        every refused Logon. QuickFIX counts a value its dictionary does not list as
        SessionRejectReason <373>=5 on tag 98 and, not logged on, sends no Reject <3> either.
        """
        method = msg.get(98)
        if method != "0" and (method is not None or self.config.require_encrypt_method):
            self._refuse_logon(
                now,
                "EncryptMethod <98> is missing"
                if method is None
                else f"EncryptMethod <98> must be 0 (None), not {method!r}",
            )

    def _logon_heartbeat(self, msg: Message, now: float) -> int:
        try:
            heartbeat = msg.get_int(108)
        except DecodeError:
            heartbeat = None
        if heartbeat is None or heartbeat <= 0:
            self._refuse_logon(now, "HeartBtInt <108> is missing or not a positive integer")
        if heartbeat > MAX_HEARTBEAT_INTERVAL:
            # A peer silent for a day is not detected at all: refuse rather than adopt it.
            self._refuse_logon(
                now, f"HeartBtInt <108> {heartbeat} is more than {MAX_HEARTBEAT_INTERVAL} s"
            )
        return heartbeat if self.config.role is Role.ACCEPTOR else self.config.heartbeat_interval

    def _accept_logon(
        self, msg: Message, seq_num: int, now: float, reset: bool, heartbeat: int
    ) -> None:
        self._ask_application(msg, now)
        self._hand_in(msg, now)
        if reset and seq_num != 1:
            self._refuse_logon(now, f"ResetSeqNumFlag <141>=Y with MsgSeqNum {seq_num}, not 1")
        if reset or self.config.reset_on_logon:
            self.store.reset()
        expected = self.store.next_target_seq
        if seq_num < expected:
            # Refused before it is answered: a Logon followed at once by a Logout would tell
            # the peer it was logged on.
            self._refuse_logon(
                now, f"MsgSeqNum too low, expecting {expected} but received {seq_num}"
            )
        self.heartbeat_interval = heartbeat
        # NextExpectedMsgSeqNum <789> counts the Logon being answered when it is in sequence.
        next_expected = expected + 1 if seq_num == expected else expected
        self._send_admin(
            "A",
            self._logon_fields(heartbeat, reset, next_expected),
            now,
            processed=seq_num if seq_num == expected else None,
        )

    def _ask_application(self, msg: Message, now: float) -> None:
        """Refuses the peer's Logon ``msg`` if the application's ``accept_logon`` does."""
        if self.config.accept_logon is not None:
            refusal = self.config.accept_logon(msg)
            if refusal is not None:
                self._refuse_logon(now, refusal)

    def _logon_fields(
        self, heartbeat: int, reset: bool, next_expected: int
    ) -> list[tuple[int, FieldValue]]:
        """The body of our Logon <A>: EncryptMethod <98>, HeartBtInt <108>, ResetSeqNumFlag
        <141> when resetting, NextExpectedMsgSeqNum <789> when configured and the version has
        it, DefaultApplVerID <1137> where the version has it.
        """
        self._logon_seq = self.store.next_sender_seq
        fields: list[tuple[int, FieldValue]] = [(98, 0), (108, heartbeat)]
        if reset:
            fields.append((141, True))
        if self._next_expected_msg_seq_num:
            fields.append((789, next_expected))
        if self._rules.default_appl_ver_id:
            fields.append((1137, self.config.default_appl_ver_id))
        return fields

    def _refuse_logon(self, now: float, text: str) -> NoReturn:
        """Refuses the peer's Logon (an acceptor's, FIX test cases 1S.c-d) or its answer to
        ours (an initiator's, 1B.d): Logout <5> with ``text``, then disconnect (or disconnect
        alone, with ``logout_on_refused_logon`` off, as QuickFIX does).
        """
        self._events.append(LogonRefused(text))
        if self.config.logout_on_refused_logon:
            self._send_logout(now, text)
        raise _Fatal(f"logon refused: {text}")

    def _send_logon(self, now: float, reset: bool) -> None:
        fields = self._logon_fields(
            self.config.heartbeat_interval, reset, self.store.next_target_seq
        )
        make_extra = self.config.logon_fields
        if make_extra is not None:
            seq_num = self.store.next_sender_seq
            # Encode once to learn SendingTime <52> exactly as the encoder writes it.
            probe = parse(
                self._encoder.encode("A", fields, seq_num=seq_num, sending_time=float(now))
            )
            context = LogonContext(
                probe[52], seq_num, self.config.sender_comp_id, self.config.target_comp_id
            )
            fields.extend(make_extra(context))
        self._send_admin("A", fields, now)
