"""The session's state and what it sends on its own account, sans-IO.

:class:`SessionBase` is the root of :class:`fixwire.session.core.Session`: it holds what one
session knows (its configuration, store, encoder, framer, timers, the events not yet taken) and
the moves every part of the state machine makes: sending a session-level message (Reject <3>,
Logout <5>, a Heartbeat <0>), handing an inbound message to ``config.inbound``, checking one
against the dictionary, changing state through the table, and ending the session. The parts
that decide are its subclasses: the gap and resend handling (:mod:`fixwire.session.recovery`),
the Logon exchange (:mod:`fixwire.session.logon`) and the inbound path and public API
(:mod:`fixwire.session.core`, whose module documentation is the theory of operation).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, NoReturn, cast

from fixwire._native import Encoder, Framer, HeaderCheck, Message
from fixwire.errors import DecodeError, RejectError
from fixwire.session import checks
from fixwire.session.config import FieldValue, SessionConfig
from fixwire.session.delivery import InboundLedger
from fixwire.session.events import (
    Disconnected,
    Event,
    LoggedOut,
    LogonRefused,
    RejectReceived,
    RejectSent,
)
from fixwire.session.limits import HeldMessages
from fixwire.session.outbound import Outbound
from fixwire.session.states import State, Trigger, next_state
from fixwire.session.store import MemoryStore, Store
from fixwire.session.unparsed import Unparsed
from fixwire.session.versions import rules_for

if TYPE_CHECKING:
    from fixwire.session.core import Session

__all__ = ["ADMIN_MSG_TYPES", "SessionBase"]

#: MsgTypes of the session level (admin messages).
ADMIN_MSG_TYPES = frozenset({"0", "1", "2", "3", "4", "5", "A"})

# SessionRejectReason <373> values used by the session.
_REQUIRED_TAG_MISSING = 1
_UNDEFINED_TAG = 3
_VALUE_INCORRECT = 5
_INCORRECT_DATA_FORMAT = 6
_SENDING_TIME_ACCURACY = 10

_LOGGED_ON = (State.IN_SESSION, State.RESENDING, State.LOGOUT_SENT)
_LOGGING_ON = (State.AWAITING_LOGON, State.LOGON_SENT)
_LOGOUT_SENT = State.LOGOUT_SENT
_DISCONNECTED = State.DISCONNECTED
_IN_SESSION = State.IN_SESSION
_RESENDING = State.RESENDING
_RESETTABLE = (State.IN_SESSION, State.RESENDING)


class _Fatal(Exception):
    """Ends the session: the connection must close, after a Logout when one was sent."""


def _reject_received(msg: Message) -> RejectReceived:
    """The event of the peer's Reject <3> ``msg``."""
    return RejectReceived(
        msg.get_int(45), msg.get_int(373), msg.get_int(371), msg.get(372), msg.get(58), msg
    )


class SessionBase:
    """What one session knows, and the messages it sends of its own (see the module
    documentation); :class:`fixwire.session.core.Session` is the class to use.
    """

    # Slots: CPython 3.11 keeps an instance's attributes in a shared-key dictionary and
    # specialises their reads only up to 30 keys; a session has more, and slots made its read
    # path about 2,000 instructions an order cheaper (benches/session_instructions.py).
    # "__dict__" keeps instances open to other attributes (tests wrap methods on one), and
    # "__weakref__" to weak references.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_connected_at",
        "_encoder",
        "_events",
        "_extra_header",
        "_framer",
        "_handed",
        "_header_check",
        "_held",
        "_last_processed",
        "_last_received",
        "_last_sent",
        "_ledger",
        "_log",
        "_logon_seq",
        "_logout_sent_at",
        "_next_expected_msg_seq_num",
        "_out",
        "_plain_inbound",
        "_previous_input",
        "_qualifiers",
        "_resend_chunk_end",
        "_resend_reached",
        "_resend_requested_at",
        "_resend_until",
        "_retransmission",
        "_rules",
        "_test_request",
        "_test_request_ids",
        "_test_request_sent_at",
        "config",
        "duplicates",
        "garbled",
        "heartbeat_interval",
        "last_logon",
        "resetting",
        "state",
        "store",
    )

    def __init__(self, config: SessionConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store if store is not None else MemoryStore()
        self._retransmission = config.retransmission
        self._rules = rules_for(config.begin_string)
        self._next_expected_msg_seq_num = (
            config.next_expected_msg_seq_num and self._rules.next_expected_msg_seq_num
        )
        self._last_processed = config.last_msg_seq_num_processed
        # SenderSubID <50>, SenderLocationID <142>, TargetSubID <57>, TargetLocationID <143>.
        self._qualifiers: list[tuple[int, FieldValue]] = [
            (tag, value)
            for tag, value in zip((50, 142, 57, 143), config.qualifiers, strict=True)
            if value
        ]
        # Whether messages carry header fields the encoder does not write itself.
        self._extra_header = bool(self._last_processed or self._qualifiers)
        # The MsgSeqNum of our Logon <A> of the current connection.
        self._logon_seq = 0
        self.state = State.DISCONNECTED
        self.heartbeat_interval = config.heartbeat_interval
        #: Garbled inbound messages ignored so far.
        self.garbled = 0
        #: Inbound duplicates (PossDupFlag <43>=Y below the expected number) dropped so far.
        self.duplicates = 0
        #: The peer's Logon <A> of the current (or last) connection, once accepted.
        self.last_logon: Message | None = None
        #: True while the peer's Logon <A> with ResetSeqNumFlag <141>=Y in an established
        #: session is checked (``accept_logon``, ``inbound``): that Logon resets this session,
        #: logged on already, rather than opening it.
        self.resetting = False
        self._encoder = Encoder(
            config.sender_comp_id,
            config.target_comp_id,
            begin_string=config.begin_string,
            time_precision=config.time_precision if self._rules.subsecond_times else "s",
            length_fields=config.length_fields,
        )
        self._framer = Framer(groups=config.groups, max_body_length=config.max_message_size)
        # The in-sequence check of the common inbound message (Session.receive).
        self._header_check = HeaderCheck(
            config.begin_string,
            config.sender_comp_id,
            config.target_comp_id if config.check_peer_comp_id else None,
            config.max_sending_time_skew,
        )
        self._log = config.message_log
        # Whether an inbound application message goes to the application as it is: no
        # dictionary validates it, no inbound hook sees it first.
        self._plain_inbound = config.dictionary is None and config.inbound is None
        self._out = Outbound(self._log)
        self._ledger = InboundLedger(self.store)
        # The last inbound number handed over by next_events: taken at its next call.
        self._handed = 0
        self._events: list[Event] = []
        self._connected_at = 0.0
        self._last_sent = 0.0
        self._last_received = 0.0
        self._logout_sent_at = 0.0
        self._test_request: str | None = None
        self._test_request_sent_at = 0.0
        self._test_request_ids = itertools.count(1)
        # Held inbound messages ahead of a gap, by MsgSeqNum, and the number that ends the gap.
        self._held = HeldMessages()
        self._resend_until = 0
        # When the resend last made progress, and the next inbound number it had reached.
        self._resend_requested_at = 0.0
        self._resend_reached = 0
        # The last EndSeqNo <16> asked for when ResendRequests are chunked.
        self._resend_chunk_end = 0
        # The input fed before the current one, to find a message that did not parse.
        self._previous_input = b""

    def _hand_in(self, msg: Message, now: float) -> None:
        """Hands ``msg`` to ``config.inbound`` before the session acts on it; a text back ends
        the session with a Logout <5> carrying it (a Logon so refused is reported refused).
        """
        hook = self.config.inbound
        if hook is None:
            return
        refusal = hook(cast("Session", self), msg)
        if refusal is not None:
            if msg.msg_type == "A" and self.state not in _LOGGED_ON:
                self._events.append(LogonRefused(refusal))
            self._fatal_logout(now, refusal)

    def _validate(
        self, msg: Message, seq_num: int, now: float, *, application: bool = True
    ) -> RejectError | None:
        """Checks ``msg`` against the dictionary, when there is one; the problem, answered
        with Reject <3> unless ``answers_invalid`` takes it (application messages only).

        Session-level messages are checked too (against the FIX.4.x dictionary, or FIXT11.xml
        under an application one): an invalid one is rejected and not acted on, its number
        consumed, as QuickFIX does.
        """
        dictionary = self.config.dictionary
        if dictionary is None:
            return None
        try:
            dictionary.validate(msg, allow_user_defined=self.config.allow_user_defined_fields)
        except RejectError as e:
            answers = self.config.answers_invalid if application else None
            if answers is not None and answers(msg, e):
                return None
            reason = e.reject_reason
            if reason == _UNDEFINED_TAG:
                reason = self.config.undefined_tag_reason
            self._send_reject(now, seq_num, msg.msg_type, reason, e.ref_tag_id, e.text, msg)
            return e
        return None

    def _on_logout(self, msg: Message, now: float) -> None:
        self._hand_in(msg, now)
        try:
            text = msg.get(58)
        except DecodeError:
            text = None  # Not UTF-8: the Logout stands, its Text is lost.
        by_peer = self.state is not State.LOGOUT_SENT
        if by_peer:
            self._send_logout(now, None)
        self._events.append(LoggedOut(text, by_peer))
        self._logged_out()
        self._disconnect("logout")

    def _logged_out(self) -> None:
        """The Logout exchange is over (answered or timed out)."""
        if self.config.reset_on_logout:
            self.store.reset()

    def _send_admin(
        self,
        msg_type: str,
        fields: list[tuple[int, FieldValue]],
        now: float,
        *,
        processed: int | None = None,
    ) -> None:
        """Sends a session-level message; ``processed`` is the MsgSeqNum of the peer's message
        it answers, for LastMsgSeqNumProcessed <369> (else the last one processed).
        """
        if self._extra_header:
            header = self._header_fields(processed)
            # A Reject's reverse route may name a SubID or LocationID of ours again: the
            # session's own is written, once.
            ours = {tag for tag, _ in header}
            fields = [*header, *(field for field in fields if field[0] not in ours)]
        seq_num = self.store.next_sender_seq
        wire = self._encoder.encode(msg_type, fields, seq_num=seq_num, sending_time=float(now))
        if self.config.admin_out is not None:
            wire = self.config.admin_out(wire)
        self._out.append(wire)
        if self._log is not None:
            self._log.outbound(wire, now)
        self.store.set_next_sender_seq(seq_num + 1)
        self._last_sent = now

    def _header_fields(self, processed: int | None) -> list[tuple[int, FieldValue]]:
        """The header fields the encoder does not write itself: SubIDs and LocationIDs, and
        LastMsgSeqNumProcessed <369> (``processed``, else the last number processed).
        """
        fields = list(self._qualifiers)
        if self._last_processed:
            last = self.store.next_target_seq - 1 if processed is None else processed
            fields.append((369, last))
        return fields

    def _send_logout(self, now: float, text: str | None) -> None:
        self._send_admin("5", [] if not text else [(58, text)], now)

    def _send_reject(
        self,
        now: float,
        ref_seq_num: int,
        ref_msg_type: str,
        reason: int,
        ref_tag_id: int | None,
        text: str,
        rejected: Message | Unparsed | None = None,
    ) -> None:
        """Sends Reject <3> with the fields this version has, routed back the way ``rejected``
        came.
        """
        route = (
            []
            if rejected is None
            else rejected.route
            if isinstance(rejected, Unparsed)
            else checks.route_back(rejected)
        )
        fields = checks.reject_fields(
            self._rules, ref_seq_num, ref_msg_type, reason, ref_tag_id, text, route
        )
        in_turn = ref_seq_num == self.store.next_target_seq
        self._send_admin("3", fields, now, processed=ref_seq_num if in_turn else None)
        self._events.append(RejectSent(ref_seq_num, reason, ref_tag_id, text))

    def _reject(
        self, now: float, seq_num: int, msg_type: str, problem: checks.Problem, msg: Message
    ) -> None:
        self._send_reject(
            now, seq_num, msg_type, problem.reason, problem.ref_tag_id, problem.text, msg
        )

    def _fatal_logout(self, now: float, text: str) -> NoReturn:
        """Sends Logout <5> with ``text`` and ends the session."""
        self._send_logout(now, text)
        raise _Fatal(text)

    def _move(self, trigger: Trigger) -> None:
        """Changes state as :data:`~fixwire.session.states.TRANSITIONS` says ``trigger`` does."""
        self.state = next_state(self.state, trigger)
        if trigger is Trigger.CLOSED and self.config.reset_on_disconnect:
            self.store.reset()

    def _end_for_limit(self, now: float, text: str) -> None:
        """A peer went past a limit: Logout <5> with ``text``, then disconnect."""
        self._out.drop_resends()
        self._send_logout(now, text)
        self._disconnect(text)

    def _disconnect(self, reason: str) -> None:
        self._out.drop_resends()
        self._held.clear()
        if self.state is not State.DISCONNECTED:
            self._move(Trigger.CLOSED)
            self._events.append(Disconnected(reason))
