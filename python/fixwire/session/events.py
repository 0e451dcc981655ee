"""What a session reports to its application: immutable events, in the order they happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from fixwire._native import Message
    from fixwire.errors import DecodeError, RejectError

__all__ = [
    "Disconnected",
    "Event",
    "Garbled",
    "LoggedOn",
    "LoggedOut",
    "LogonRefused",
    "Received",
    "RejectReceived",
    "RejectSent",
    "ResendComplete",
    "ResendServed",
    "SequenceGap",
]


@dataclass(frozen=True, slots=True)
class LoggedOn:
    """The Logon <A> exchange completed; application messages may flow.

    Attributes:
        heartbeat_interval: The HeartBtInt <108> in force, in seconds.
        reset: Whether sequence numbers were reset to 1 (ResetSeqNumFlag <141>=Y).
    """

    heartbeat_interval: int
    reset: bool


@dataclass(frozen=True, slots=True)
class LogonRefused:
    """A Logon <A> exchange failed: the peer refused ours (``text`` from its Logout <5>), or we
    refused the peer's Logon or its answer to ours, with a Logout carrying ``text``.
    """

    text: str


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The session ended with a Logout <5> exchange.

    Attributes:
        text: Text <58> of the peer's Logout, if it had one (for a refused Logon, the reason).
        by_peer: Whether the peer sent the first Logout.
    """

    text: str | None
    by_peer: bool


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The connection is over (or must be closed now); ``reason`` says why."""

    reason: str


@dataclass(frozen=True, slots=True)
class Received:
    """An inbound application message, in sequence.

    Attributes:
        message: The message, a view over its wire bytes.
        possible_duplicate: PossDupFlag <43>=Y: it may have been delivered before.
        reject: When a dictionary is configured and found the message invalid, the problem;
            a Reject <3> was sent for it. ``None`` too when ``answers_invalid`` took it.
    """

    message: Message
    possible_duplicate: bool = False
    reject: RejectError | None = None

    @property
    def possible_resend(self) -> bool:
        """PossResend <97>=Y: the sender sent it again under a new MsgSeqNum; the application
        decides whether it has seen it (by ClOrdID <11>, say). Read from the message when
        asked.
        """
        return bool(self.message.get_bool(97, default=False))


class ReceivedLayout:
    """:class:`Received`'s slots, in its order, without the frozen ``__setattr__``: the
    session fills one with plain attribute stores and then makes it a ``Received`` by
    assigning ``__class__`` (allowed because the two layouts are the same; were a field added
    to ``Received`` alone, the assignment would raise ``TypeError``). Three stores and the
    assignment cost about half of filling a ``Received``'s slots through their descriptors,
    the one object made per inbound application message.
    """

    __slots__ = ("message", "possible_duplicate", "reject")

    message: Message
    possible_duplicate: bool
    reject: RejectError | None


def received(message: Message, possible_duplicate: bool, reject: RejectError | None) -> Received:
    """``Received(message, possible_duplicate, reject)``, made the session's way: the same
    frozen object, without the frozen ``__init__``'s ``object.__setattr__`` by name (see
    :class:`ReceivedLayout`).
    """
    event = ReceivedLayout()
    event.message = message
    event.possible_duplicate = possible_duplicate
    event.reject = reject
    event.__class__ = Received  # type: ignore[assignment]
    return event  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class SequenceGap:
    """Inbound MsgSeqNum <34> ``received`` is ahead of ``expected``.

    Attributes:
        expected: The MsgSeqNum expected next.
        received: The MsgSeqNum that arrived.
        recovering: Whether a ResendRequest <2> asks for the gap; when False (no
            retransmission on this session) the messages in the gap are lost to it.
    """

    expected: int
    received: int
    recovering: bool


@dataclass(frozen=True, slots=True)
class ResendComplete:
    """Every message of an inbound gap has arrived; ``next_expected`` is expected next."""

    next_expected: int


@dataclass(frozen=True, slots=True)
class ResendServed:
    """The peer's ResendRequest <2> for ``begin``..``end`` was answered.

    Attributes:
        begin: BeginSeqNo <7>.
        end: The last MsgSeqNum resent (EndSeqNo <16>, or the last sent when it was 0).
        resent: Application messages sent again with PossDupFlag <43>=Y (those that
            ``SessionConfig.app_resend`` then drops, which are gap-filled, are counted here:
            the answer is counted when queued, the hook runs as it is sent).
        gap_filled: Sequence numbers covered by SequenceReset-GapFill <4> instead.
        coalesced: The range was already being resent on this connection, so nothing more
            was queued (``resent`` and ``gap_filled`` are 0).
    """

    begin: int
    end: int
    resent: int
    gap_filled: int
    coalesced: bool = False


@dataclass(frozen=True, slots=True)
class RejectSent:
    """We rejected inbound message ``ref_seq_num`` with Reject <3>."""

    ref_seq_num: int
    reason: int
    ref_tag_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class RejectReceived:
    """The peer rejected one of our messages with Reject <3>.

    Attributes:
        ref_seq_num: RefSeqNum <45>, our message's MsgSeqNum.
        reason: SessionRejectReason <373>, if given.
        ref_tag_id: RefTagID <371>, if given.
        ref_msg_type: RefMsgType <372>, if given.
        text: Text <58>, if given.
        message: The Reject itself.
    """

    ref_seq_num: int | None
    reason: int | None
    ref_tag_id: int | None
    ref_msg_type: str | None
    text: str | None
    message: Message


@dataclass(frozen=True, slots=True)
class Garbled:
    """Inbound bytes that are not a FIX message (bad framing or CheckSum <10>); ignored."""

    error: DecodeError


#: Every event a session reports.
Event: TypeAlias = (
    "LoggedOn | LogonRefused | LoggedOut | Disconnected | Received | SequenceGap"
    " | ResendComplete | ResendServed | RejectSent | RejectReceived | Garbled"
)
