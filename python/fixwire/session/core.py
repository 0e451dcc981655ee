"""The FIX session state machine (FIX.4.0 to FIXT.1.1), sans-IO.

:class:`Session` is the state machine. Its parts are classes it builds on, one concern each: the
session's state and the messages it sends of its own (:mod:`~fixwire.session.base`), gaps and
resends (:mod:`~fixwire.session.recovery`) and the Logon exchange (:mod:`~fixwire.session.logon`);
this module has the public API and the inbound path. What is pure is beside them: the state
table (:mod:`~fixwire.session.states`), the per-version rules (:mod:`~fixwire.session.versions`),
the header checks and the Reject's fields (:mod:`~fixwire.session.checks`), messages that frame
but do not parse (:mod:`~fixwire.session.unparsed`) and the answer to a ResendRequest
(:mod:`~fixwire.session.resend`).

Theory of operation
===================

A :class:`Session` is a state machine that does no I/O and reads no clock, in the manner of
h11: the transport feeds it the bytes it reads (:meth:`Session.receive`) and the time
(``now``, seconds since the Unix epoch, on every call), and takes from it the bytes to write
(:meth:`Session.data_to_send`) and the events for the application
(:meth:`Session.next_events`). :meth:`Session.next_deadline` says when the session next needs
:meth:`Session.tick` (a heartbeat is due, the peer has been silent too long). Everything the
FIX session protocol decides happens here; an adapter such as :mod:`fixwire.session.connection`
only moves bytes and calls back.

The states and every move between them are one table, :data:`fixwire.session.states.TRANSITIONS`;
the session changes state only through it. What is sent on the way: an initiator's Logon <A>
on connecting; an acceptor's Logon in answer to an accepted one (a Logout <5> to a refused one);
a ResendRequest <2> when a gap is detected; Logout to start a logout or to answer the peer's;
a Logout before a fatal error closes the session where FIX asks for one.

The rules, those of the FIX session protocol as QuickFIX and the FIX session-level test cases
read them (what differs between versions is data: :mod:`fixwire.session.versions`):

* Inbound messages are checked in order: BeginString <8>, MsgSeqNum <34> present,
  SenderCompID <49> / TargetCompID <56>, SendingTime <52> within the allowed skew; failing one
  of these ends the session (a Reject <3> first where FIX names a SessionRejectReason <373>).
* MsgSeqNum equal to the expected number: processed. Higher: a gap; with retransmission a
  ResendRequest <2> from the expected number to infinity (0), and the message is held until
  the gap is filled; without it, reported and skipped over. Lower without PossDupFlag <43>:
  Logout and disconnect; lower with it: a duplicate, dropped. SequenceReset-Reset <4> is
  processed whatever its MsgSeqNum.
* Garbled input (bad framing, BodyLength <9>, CheckSum <10>) is ignored and counted; it
  consumes no sequence number, and a resend recovers what it hid. A message that frames but
  holds a field FIX does not allow (an empty value, tag 0) is rejected in its turn instead, its
  number consumed (:mod:`fixwire.session.unparsed`).
* A Logon <A> with ResetSeqNumFlag <141>=Y and MsgSeqNum 1 in an established session resets
  both sides' numbers to 1 and is answered with a Logon that says so.
* Outbound application messages go to the store as their wire bytes before they are handed to
  the transport. A ResendRequest is answered from the store: application messages are sent
  again byte for byte with only the header patched (PossDupFlag, OrigSendingTime <122>,
  SendingTime, BodyLength, CheckSum); admin messages and anything not stored are covered by
  SequenceReset-GapFill.
* Heartbeat <0> when we have sent nothing for HeartBtInt <108>; TestRequest <1> when we have
  received nothing for HeartBtInt plus a margin; disconnect when that goes unanswered too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast, overload

from fixwire._native import Framer, Message, Template
from fixwire.errors import DecodeError, SessionError
from fixwire.session import checks
from fixwire.session.base import (
    _DISCONNECTED,
    _IN_SESSION,
    _INCORRECT_DATA_FORMAT,
    _LOGGED_ON,
    _LOGGING_ON,
    _LOGOUT_SENT,
    _REQUIRED_TAG_MISSING,
    _RESENDING,
    _RESETTABLE,
    _SENDING_TIME_ACCURACY,
    ADMIN_MSG_TYPES,
    _Fatal,
    _reject_received,
)
from fixwire.session.config import FieldValue, Role, TemplateValue
from fixwire.session.events import (
    Disconnected,
    Event,
    Garbled,
    LoggedOut,
    Received,
    ReceivedLayout,
    received,
)
from fixwire.session.logon import MAX_HEARTBEAT_INTERVAL, Logon
from fixwire.session.states import State, Trigger
from fixwire.session.unparsed import Unparsed, in_stream_order

__all__ = ["ADMIN_MSG_TYPES", "MAX_HEARTBEAT_INTERVAL", "Session"]

# Session-level messages checked against the dictionary before they are acted on (a Logon is
# checked as a Logon; a Logout is honoured whatever else it holds).
_VALIDATED_ADMIN = frozenset({"0", "1", "2", "3", "4"})
# Session-level messages handed to config.inbound by _process itself; the others are handed
# in by the method that acts on them (a ResendRequest or Logout may come across a gap).
_HANDED_IN_PROCESS = frozenset({"0", "1", "3", "4"})
# Session-level messages the application may send itself.
_SENT_BY_APPLICATION = frozenset({"1", "3"})


class Session(Logon):
    """One FIX session, initiator or acceptor; sans-IO (see the module documentation).

    One connection at a time: call :meth:`connection_made` when a connection opens and
    :meth:`connection_lost` when it closes; the same session (and its store) carries on over the
    next connection.

    Args:
        config: Identity, role, timers and recovery policy.
        store: Sequence numbers and sent messages; a :class:`MemoryStore` when omitted.
    """

    __slots__ = ()

    # The transport's side: connections, bytes, time.

    def connection_made(self, now: float) -> None:
        """A connection is open; an initiator sends its Logon <A> now.

        Raises:
            SessionError: The session already has a connection.
        """
        if self.state is not State.DISCONNECTED:
            raise SessionError(f"connection_made while {self.state.value}")
        self._previous_input = b""
        self._framer = Framer(
            groups=self.config.groups, max_body_length=self.config.max_message_size
        )
        self._held.clear()
        self._test_request = None
        self._connected_at = self._last_received = self._last_sent = now
        self.heartbeat_interval = self.config.heartbeat_interval
        if self.config.role is Role.INITIATOR:
            if self.config.reset_on_logon:
                self.store.reset()
            self._send_logon(now, self.config.reset_on_logon)
            self._move(Trigger.CONNECTED_AS_INITIATOR)
        else:
            self._move(Trigger.CONNECTED_AS_ACCEPTOR)

    def connection_lost(self, now: float, reason: str = "connection closed") -> None:
        """The connection closed (by either side); the store keeps the sequence numbers."""
        if self.state is not State.DISCONNECTED:
            self._move(Trigger.CLOSED)
            self._events.append(Disconnected(reason))
        self._out.clear()

    def receive(self, data: bytes, now: float) -> None:
        """Bytes read from the connection, in any pieces."""
        if self.state is _DISCONNECTED:
            return
        framer = self._framer
        messages = framer.feed(data)
        garbled = framer.has_errors
        if garbled:
            # Messages, Unparsed messages and DecodeErrors: the loop tells them apart by type.
            messages = cast(
                list[Message], self._in_stream_order(messages, framer.drain_errors(), bytes(data))
            )
        # Whole inbound messages, in order, until the session ends. The common message is
        # taken here, in one native check (:class:`fixwire._native.HeaderCheck`): an
        # application message in an established session, the expected MsgSeqNum <34>, without
        # PossDupFlag <43>=Y, whose header passes every check _check_header makes. Any other
        # message (and one the check leaves undecided) goes to _on_message, which takes it
        # from the start, in the full order of checks; what did not frame or parse, to
        # _on_stream_error.
        log = self._log
        header_check = self._header_check
        ledger = self._ledger
        untaken, keeps = ledger.untaken, ledger.keeps
        for message in messages:
            state = self.state
            if state is _DISCONNECTED:
                break
            if garbled and type(message) is not Message:
                if self._on_stream_error(message, now):
                    break
                continue
            if log is not None:
                log.inbound(message.raw, now)
            self._last_received = now
            self._test_request = None
            try:
                try:
                    seq_num = self.store.next_target_seq
                    if state is not _IN_SESSION or not header_check.in_sequence(
                        message, seq_num, now
                    ):
                        self._on_message(message, now)
                        continue
                    if self._plain_inbound:
                        invalid = None
                    else:
                        config = self.config
                        invalid = (
                            None
                            if config.dictionary is None
                            else self._validate(message, seq_num, now)
                        )
                        if invalid is None and config.inbound is not None:
                            self._hand_in(message, now)
                    # events.received(message, False, invalid), unfolded: a call less.
                    event = ReceivedLayout()
                    event.message = message
                    event.possible_duplicate = False
                    event.reject = invalid
                    event.__class__ = Received  # type: ignore[assignment]
                    self._events.append(event)  # type: ignore[arg-type]
                    # InboundLedger.delivered(seq_num) and advance past it, in memory only (see
                    # InboundLedger.untaken), unfolded: a call less.
                    if keeps:
                        untaken.append(seq_num)
                    self.store.next_target_seq = seq_num + 1
                    if self._held or self.state is _RESENDING:
                        self._release_held(now)
                except DecodeError as e:
                    self._on_bad_value(message, e, now)
            except _Fatal as e:
                self._disconnect(str(e))
        self._previous_input = data
        if self._out.queued > self.config.max_outbound_bytes:
            self._check_outbound(now)

    def _in_stream_order(
        self, messages: list[Message], errors: list[DecodeError], data: bytes
    ) -> list[Message | Unparsed | DecodeError]:
        """The messages of the read ``data`` and the framer's errors, in stream order (before
        :meth:`receive` records ``data`` as the previous input).
        """
        framer = self._framer
        stream = bytes(self._previous_input) + data
        start = framer.offset + framer.buffered - len(stream)
        return in_stream_order(messages, errors, stream, start)

    def _on_stream_error(self, item: object, now: float) -> bool:
        """Garbled input (a :class:`DecodeError`) is counted, a well-framed message that did
        not parse (:class:`Unparsed`) is rejected; True when the session ends for it (input past
        the size limit).
        """
        if isinstance(item, DecodeError):
            if item.kind == "body_length_too_large" and self.state in _LOGGED_ON:
                self._end_for_limit(now, item.reason)
                return True
            self.garbled += 1
            self._events.append(Garbled(item))
        elif isinstance(item, Unparsed):
            self._on_inbound_unparsed(item, now)
        return False

    def _on_inbound_unparsed(self, item: Unparsed, now: float) -> None:
        """A well-framed message that did not parse: rejected in its turn (see
        :mod:`fixwire.session.unparsed`); before Logon completes, garbled input.
        """
        if self._log is not None:
            self._log.inbound(item.raw, now)
        if self.state not in _LOGGED_ON:
            self.garbled += 1
            self._events.append(Garbled(item.error))
            return
        self._last_received = now
        self._test_request = None
        try:
            expected = self.store.next_target_seq
            if item.seq_num > expected:
                self._on_gap(item, item.msg_type, item.seq_num, expected, now)
            elif item.seq_num < expected:
                if not item.possible_duplicate:
                    self._fatal_logout(
                        now, f"MsgSeqNum too low, expecting {expected} but received {item.seq_num}"
                    )
                self.duplicates += 1
            else:
                self._reject_unparsed(item, now)
                self._release_held(now)
        except _Fatal as e:
            self._disconnect(str(e))

    def _reject_unparsed(self, item: Unparsed, now: float) -> None:
        """Rejects an in-sequence message that did not parse and consumes its number."""
        self._send_reject(
            now, item.seq_num, item.msg_type, item.reason, item.ref_tag_id, item.text, item
        )
        self._ledger.advance(item.seq_num + 1)

    def tick(self, now: float) -> None:
        """Runs the timers: heartbeats, TestRequests, logon and logout timeouts."""
        try:
            self._tick(now)
        except _Fatal as e:
            self._disconnect(str(e))
        self._check_outbound(now)

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must next run (seconds since the epoch); None when disconnected.

        While :attr:`state` stays the same the deadline never moves earlier (the times it
        counts from only move on), so an adapter whose timer is armed no later than the last
        deadline it was given need not ask again until the state changes or the timer fires.
        """
        state = self.state
        if state is _DISCONNECTED:
            return None
        if state in _LOGGING_ON:
            return self._connected_at + self.config.logon_timeout
        if state is _LOGOUT_SENT:
            return self._logout_sent_at + self.config.logout_timeout
        patience = self._patience()
        silent_until = (
            self._test_request_sent_at if self._test_request is not None else self._last_received
        ) + patience
        deadline = min(self._last_sent + self.heartbeat_interval, silent_until)
        if state is _RESENDING:
            deadline = min(deadline, self._resend_requested_at + self.heartbeat_interval)
        return deadline

    def data_to_send(self, max_bytes: int | None = None) -> bytes:
        """The bytes to write to the connection now, in order; empty when there are none.

        Args:
            max_bytes: Room in the transport: whole messages are taken while they add up to
                less than this (at least one when positive), and the rest waits for the next
                call; an answer to a ResendRequest <2> is read from the store only as it is
                taken. ``None`` takes everything.
        """
        return self._out.take(max_bytes)

    def next_events(self, acknowledge: bool = True) -> list[Event]:
        """The events since the last call, oldest first.

        Args:
            acknowledge: Whether calling again says the application took the messages of the
                events the last call returned (see :meth:`acknowledge`). An adapter that hands
                events on later (:class:`~fixwire.session.Connection`) passes ``False`` and
                acknowledges them itself.
        """
        if acknowledge and self._handed:
            self._ledger.taken(self._handed)
        events, self._events = self._events, []
        untaken = self._ledger.untaken  # InboundLedger.last_delivered, without a call.
        self._handed = untaken[-1] if untaken else 0
        return events

    def acknowledge(self, seq_num: int | None = None) -> None:
        """The application took the inbound messages up to MsgSeqNum ``seq_num`` (every one
        handed over when ``None``): the store may now record the number after them.

        Until then the store keeps the number of the first message not taken, so that after a
        crash the session asks the peer for it again (see :mod:`fixwire.session.delivery`).
        """
        self._ledger.taken(seq_num)

    @property
    def bytes_to_send(self) -> int:
        """Bytes of whole messages queued for :meth:`data_to_send` (an answer to a
        ResendRequest <2> counts only as it is read from the store).
        """
        return self._out.queued

    @property
    def has_data_to_send(self) -> bool:
        """Whether :meth:`data_to_send` has anything (a resend not yet read included): a
        cheaper question than asking for it, on every read of an adapter's hot path.
        """
        return bool(self._out.items)

    @property
    def has_events(self) -> bool:
        """Whether :meth:`next_events` has anything, without taking it."""
        return bool(self._events)

    @property
    def should_close(self) -> bool:
        """Whether the transport should close the connection (after writing what is left)."""
        return self.state is _DISCONNECTED

    # The application's side.

    @property
    def logged_on(self) -> bool:
        """Whether application messages can be sent."""
        return self.state in (State.IN_SESSION, State.RESENDING)

    @overload
    def send(self, message: str, fields: Iterable[tuple[int, FieldValue]], now: float) -> int: ...
    @overload
    def send(self, message: Template, fields: tuple[TemplateValue, ...], now: float) -> int: ...
    def send(self, message: str | Template, fields: Any, now: float) -> int:
        """Encodes an application message, stores it and queues it to be sent.

        ``message`` is a MsgType <35> with ``fields``, (tag, value) pairs in wire order; or a
        :class:`fixwire.Template` with ``fields`` its values, one per slot, each checked
        against its rule as it is written: the fastest way to send a message of a fixed shape.

        Returns:
            Its MsgSeqNum <34>.

        Raises:
            SessionError: The session is not logged on.
            EncodeError: The fields cannot be encoded, or a value breaks its slot's rule;
                nothing was stored or sent.
        """
        # The hot path: module constants rather than enum lookups, one method for both kinds
        # of message rather than a call more.
        if type(message) is Template:
            template, msg_type = message, message.msg_type
        else:
            template, msg_type = None, message
        state = self.state
        if state is not _IN_SESSION and state is not _RESENDING:
            raise SessionError(f"cannot send {msg_type!r}: the session is {state.value}")
        if msg_type in ADMIN_MSG_TYPES:
            if msg_type in _SENT_BY_APPLICATION and template is None:
                # Before FIX.4.2 there is no BusinessMessageReject <j>: the application rejects
                # with Reject <3>, a session message (gap-filled, not resent, on a resend). A
                # TestRequest <1> checks the link (the peer's Heartbeat answers it).
                seq_num = self.store.next_sender_seq
                self._send_admin(msg_type, list(fields), now)
                return seq_num
            raise SessionError(
                f"MsgType {msg_type!r} is a session-level message; the session sends those"
            )
        out = self._out
        if out.queued > self.config.max_outbound_bytes:
            raise SessionError(
                f"cannot send {msg_type!r}: outbound queue full ({out.queued} bytes unsent)"
            )
        store = self.store
        seq_num = store.next_sender_seq
        # float(): the encoder takes a float as seconds but an int as nanoseconds, and `now`
        # may be an int (or a numpy float) of seconds; a float (time.time()) as it is, without
        # the call.
        if type(now) is not float:
            now = float(now)
        if template is None:
            if self._extra_header:
                fields = [*self._header_fields(None), *fields]
            wire = self._encoder.encode(msg_type, fields, seq_num=seq_num, sending_time=now)
        elif self._extra_header:
            raise SessionError(
                "a Template cannot carry LastMsgSeqNumProcessed <369> or the SubIDs and"
                " LocationIDs of the header"
            )
        else:
            wire = self._encoder.encode_template(
                template, fields, seq_num=seq_num, sending_time=now
            )
        if self._retransmission:
            store.save(seq_num, wire)
        else:
            store.set_next_sender_seq(seq_num + 1)
        out.items.append(wire)  # Outbound.append's body: a call less on every message.
        out.queued += len(wire)
        if self._log is not None:
            self._log.outbound(wire, now)
        self._last_sent = now
        return seq_num

    def logout(self, now: float, text: str | None = None) -> None:
        """Starts the Logout <5> handshake; the connection closes when the peer answers or
        after ``logout_timeout``. Before Logon completes, simply disconnects.
        """
        if self.state in (State.IN_SESSION, State.RESENDING):
            self._send_logout(now, text)
            self._move(Trigger.LOGOUT_SENT)
            self._logout_sent_at = now
        elif self.state in (State.AWAITING_LOGON, State.LOGON_SENT):
            self._disconnect("logout before logon completed")

    def second_connection_reply(self, now: float, text: str | None) -> bytes:
        """What to write to another connection that claims this session while it has one,
        before that connection is closed: a Logout <5> carrying ``text`` (numbered 1, outside
        this session's sequence, which the other connection must not disturb), or nothing when
        ``text`` is ``None``.
        """
        if text is None:
            return b""
        return self._encoder.encode("5", [(58, text)], seq_num=1, sending_time=float(now))

    # Inbound messages.

    def _on_message(self, msg: Message, now: float) -> None:
        """Handles an inbound message in the full order of checks."""
        if msg.begin_string != self.config.begin_string:
            self._fatal_logout(now, f"incorrect BeginString {msg.begin_string!r}")
        seq_num = msg.get_int(34)
        if seq_num is None:
            self._fatal_logout(now, "MsgSeqNum <34> is missing")
        msg_type = msg.msg_type
        if self.state in _LOGGING_ON:
            self._on_logon(msg, msg_type, seq_num, now)
            return
        if not self._check_header(msg, seq_num, now):
            return
        if msg_type == "A" and self.state in _RESETTABLE and msg.get_bool(141, default=False):
            self._on_session_reset(msg, seq_num, now)
            return
        if msg_type == "4" and not msg.get_bool(123, default=False):
            self._on_sequence_reset(msg, seq_num, now)
            return
        expected = self.store.next_target_seq
        if seq_num > expected:
            self._on_gap(msg, msg_type, seq_num, expected, now)
        elif seq_num < expected:
            if not msg.get_bool(43, default=False):
                self._fatal_logout(
                    now, f"MsgSeqNum too low, expecting {expected} but received {seq_num}"
                )
            # A duplicate, even a SequenceReset-GapFill whose NewSeqNo <36> reaches past the
            # expected number (FIX test case 10c): dropped once its OrigSendingTime checks out.
            if msg_type == "4" or self._orig_sending_time_ok(msg, seq_num, msg_type, now):
                self.duplicates += 1
        else:
            self._process(msg, msg_type, seq_num, now)
            if self._held or self.state is _RESENDING:
                self._release_held(now)

    def _on_bad_value(
        self, msg: Message, error: DecodeError, now: float, *, release_held: bool = True
    ) -> None:
        """A field of a well-framed message is not of its type (``34=abc``, ``43=X``).

        In an established session, the message is rejected with SessionRejectReason <373>=6
        and its number consumed when it was the expected one; without a usable MsgSeqNum, or
        before Logon completes, the session ends.
        """
        try:
            seq_num = msg.get_int(34)
        except DecodeError:
            seq_num = None
        if seq_num is None or self.state not in (State.IN_SESSION, State.RESENDING):
            self._fatal_logout(now, f"incorrect data format: {error.reason}")
        reason = f"incorrect data format: {error.reason}"
        self._send_reject(
            now, seq_num, msg.msg_type, _INCORRECT_DATA_FORMAT, error.tag, reason, msg
        )
        if seq_num == self.store.next_target_seq:
            self._ledger.advance(seq_num + 1)
            if release_held:  # (Not from inside _release_held's own loop.)
                self._release_held(now)

    def _check_header(self, msg: Message, seq_num: int, now: float) -> bool:
        """Checks CompIDs and SendingTime; False when the message was rejected and is done
        with (Reject <3>, its number consumed; for a wrong CompID or SendingTime, a Logout
        follows).
        """
        problem = checks.comp_id_problem(msg, self.config)
        if problem is not None and problem.ends_session:
            self._send_reject(
                now, seq_num, msg.msg_type, problem.reason, None, "CompID problem", msg
            )
            self._consume(seq_num)
            self._logout_after_reject(now, problem.text)
            return False
        if problem is not None:
            self._reject(now, seq_num, msg.msg_type, problem, msg)
            if seq_num == self.store.next_target_seq:
                self._ledger.advance(seq_num + 1)
                self._release_held(now)
            return False
        if checks.sending_time_off(msg, now, self.config.max_sending_time_skew) and not (
            # The Logout that answers ours ends the session whatever its SendingTime (2o).
            self.state is State.LOGOUT_SENT and msg.msg_type == "5"
        ):
            self._send_reject(
                now,
                seq_num,
                msg.msg_type,
                _SENDING_TIME_ACCURACY,
                52,
                "SendingTime accuracy problem",
                msg,
            )
            self._consume(seq_num)
            self._logout_after_reject(now, "SendingTime accuracy problem")
            return False
        return True

    def _logout_after_reject(self, now: float, text: str) -> None:
        """FIX test cases 2k and 2o: after the Reject, Logout <5>, and the connection closes
        when the peer answers (its Logout consumes its number too) or after
        ``logout_timeout``.
        """
        if self.state in (State.IN_SESSION, State.RESENDING):
            self.logout(now, text)

    def _consume(self, seq_num: int) -> None:
        """A message rejected before the session ends still used its number (FIX test cases
        2k and 2o: "increment inbound MsgSeqNum"), so the next session does not ask for it.
        """
        if seq_num == self.store.next_target_seq:
            self._ledger.advance(seq_num + 1)

    def _process(self, msg: Message, msg_type: str, seq_num: int, now: float) -> None:
        """Handles a message whose MsgSeqNum is the expected one."""
        next_target = seq_num + 1
        possible_duplicate = bool(msg.get_bool(43, default=False))
        if possible_duplicate and not self._orig_sending_time_ok(msg, seq_num, msg_type, now):
            self._ledger.advance(next_target)
            return
        if msg_type not in ADMIN_MSG_TYPES:  # An application message: the common case first.
            invalid = None if self.config.dictionary is None else self._validate(msg, seq_num, now)
            if invalid is None:
                self._hand_in(msg, now)
            self._events.append(received(msg, possible_duplicate, invalid))
            self._ledger.delivered(seq_num)
            self._ledger.advance(next_target)
            return
        if (
            msg_type in _VALIDATED_ADMIN
            and self._validate(msg, seq_num, now, application=False) is not None
        ):
            self._ledger.advance(next_target)
            return
        if msg_type in _HANDED_IN_PROCESS:
            self._hand_in(msg, now)
        if msg_type == "0":
            pass
        elif msg_type == "1":
            test_req_id = msg.get(112)
            if test_req_id is None:
                self._send_reject(
                    now,
                    seq_num,
                    msg_type,
                    _REQUIRED_TAG_MISSING,
                    112,
                    "TestReqID <112> is missing",
                    msg,
                )
            else:
                self._send_admin("0", [(112, test_req_id)], now, processed=seq_num)
        elif msg_type == "2":
            self._on_resend_request(msg, seq_num, now)
        elif msg_type == "3":
            self._events.append(_reject_received(msg))
        elif msg_type == "4":
            next_target = self._gap_fill_target(msg, seq_num, now)
        elif msg_type == "5":
            self._ledger.advance(next_target)
            self._on_logout(msg, now)
            return
        else:  # A Logon <A>: ADMIN_MSG_TYPES holds no other.
            self._fatal_logout(now, "Logon <A> received in an established session")
        self._ledger.advance(next_target)

    def _orig_sending_time_ok(self, msg: Message, seq_num: int, msg_type: str, now: float) -> bool:
        """A PossDupFlag <43>=Y message's OrigSendingTime <122> checks out; else it is
        rejected (and, for 2f, the session logged out).
        """
        problem = checks.orig_sending_time_problem(msg, msg_type)
        if problem is None:
            return True
        self._reject(now, seq_num, msg_type, problem, msg)
        if problem.ends_session and self.state in (State.IN_SESSION, State.RESENDING):
            self.logout(now, "SendingTime accuracy problem")
        return False

    def _process_held(self, msg: Message | Unparsed, now: float) -> None:
        """Processes a message that is now in sequence, without releasing others."""
        if isinstance(msg, Unparsed):
            self._reject_unparsed(msg, now)
            return
        try:
            self._process(msg, msg.msg_type, msg.seq_num, now)
        except DecodeError as e:
            self._on_bad_value(msg, e, now, release_held=False)

    # Timers and limits.

    def _check_outbound(self, now: float) -> None:
        """Ends the session when what the peer's messages made us queue is past its bound (it
        does not read what we send).
        """
        if self._out.queued > self.config.max_outbound_bytes and not self.should_close:
            self._end_for_limit(
                now,
                f"more than {self.config.max_outbound_bytes} bytes queued for a peer that does"
                " not read them",
            )

    def _tick(self, now: float) -> None:
        if self.state in (State.AWAITING_LOGON, State.LOGON_SENT):
            if now - self._connected_at >= self.config.logon_timeout:
                raise _Fatal(f"no Logon <A> within {self.config.logon_timeout} s")
            return
        if self.state is State.LOGOUT_SENT:
            if now - self._logout_sent_at >= self.config.logout_timeout:
                self._events.append(LoggedOut(None, by_peer=False))
                self._logged_out()
                raise _Fatal(f"no Logout <5> answer within {self.config.logout_timeout} s")
            return
        if self.state is State.DISCONNECTED:
            return
        patience = self._patience()
        if self._test_request is not None:
            if now - self._test_request_sent_at >= patience:
                raise _Fatal(f"peer silent: TestRequest {self._test_request} unanswered")
        elif now - self._last_received >= patience:
            self._test_request = f"TEST-{next(self._test_request_ids)}"
            self._test_request_sent_at = now
            self._send_admin("1", [(112, self._test_request)], now)
        if (
            self.state is State.RESENDING
            and now - self._resend_requested_at >= self.heartbeat_interval
        ):
            reached = self.store.next_target_seq
            if reached != self._resend_reached:
                # Still arriving (a long resend): wait another interval before asking again.
                self._resend_requested_at, self._resend_reached = now, reached
            else:
                # Stalled (a message of the resend was lost too): ask again from where it stopped.
                self._send_resend_request(reached, now, self._resend_until - 1)
        if now - self._last_sent >= self.heartbeat_interval:
            self._send_admin("0", [], now)

    def _patience(self) -> float:
        return self.heartbeat_interval * (1 + self.config.test_request_delay)
