"""What a session is configured with: identity, role, timers and recovery policy."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

from fixwire.session.versions import VERSIONS

if TYPE_CHECKING:
    from fixwire._native import Dictionary, GroupSpecs, Message
    from fixwire.errors import RejectError
    from fixwire.session.core import Session
    from fixwire.session.messagelog import MessageLog

__all__ = ["FieldValue", "LogonContext", "Role", "SessionConfig", "TemplateValue"]

#: A value the encoder accepts for one field (see :meth:`fixwire.Encoder.encode`).
FieldValue: TypeAlias = (
    "str | int | bool | Decimal | bytes | datetime | date | list[list[tuple[int, FieldValue]]]"
)

#: A value for one slot of a template (see :meth:`fixwire.Encoder.encode_template`); ``None``
#: leaves an optional slot's field out.
TemplateValue: TypeAlias = "str | int | bool | Decimal | datetime | None"


class Role(enum.Enum):
    """Which side opens the connection and sends the first Logon <A>."""

    INITIATOR = "initiator"
    ACCEPTOR = "acceptor"


@dataclass(frozen=True, slots=True)
class LogonContext:
    """The header of a Logon <A> about to be sent, for fields computed at send time.

    ``sending_time`` is byte for byte the SendingTime <52> that the Logon carries, so a
    signature over it (Kalshi signs ``SendingTime|A|MsgSeqNum|SenderCompID|TargetCompID``)
    matches what the counterparty reads.
    """

    sending_time: str
    seq_num: int
    sender_comp_id: str
    target_comp_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionConfig:
    """One FIX session: who we are, who they are, and how strict to be.

    Attributes:
        sender_comp_id: Our SenderCompID <49>.
        target_comp_id: Their CompID, our TargetCompID <56>.
        role: Initiator (sends the first Logon) or acceptor.
        begin_string: BeginString <8>: ``"FIX.4.0"`` to ``"FIX.4.4"`` or ``"FIXT.1.1"`` (what
            differs between them: :mod:`fixwire.session.versions`); messages with another one
            end the session.
        default_appl_ver_id: DefaultApplVerID <1137> sent on Logon (``"9"`` is FIX50SP2); FIXT
            only.
        heartbeat_interval: HeartBtInt <108> in seconds that an initiator proposes; an
            acceptor adopts the initiator's.
        reset_on_logon: Start every Logon at 1: an initiator sends ResetSeqNumFlag <141>=Y
            on its Logon, an acceptor resets its numbers when a Logon arrives (QuickFIX's
            ResetOnLogon). The stored messages are discarded.
        reset_on_logout: Reset the numbers to 1 (and discard the stored messages) when a
            Logout <5> exchange ends (QuickFIX's ResetOnLogout).
        reset_on_disconnect: Reset the numbers to 1 (and discard the stored messages)
            whenever the connection ends (QuickFIX's ResetOnDisconnect).
        retransmission: Whether this session keeps sent application messages for resend and
            asks for resends of inbound gaps with ResendRequest <2>. Without it, an inbound gap
            is reported as a :class:`~fixwire.session.SequenceGap` event and the session
            carries on from the higher number (the data in the gap is lost to this session:
            recover it another way, for example from a drop copy), and a peer's
            ResendRequest is answered with one SequenceReset-GapFill <4>.
        next_expected_msg_seq_num: Send NextExpectedMsgSeqNum <789> on Logon <A> and honour
            the peer's (FIX.4.4 and FIXT.1.1; QuickFIX's SendNextExpectedMsgSeqNum): what the
            peer has not seen of ours before the Logon is resent right after it, and a 789 past
            what we sent ends the session. Off by default, as in QuickFIX.
        resend_request_chunk_size: Ask for an inbound gap in ResendRequests <2> of at most
            this many messages each, the next one when the last has arrived (QuickFIX/J's
            ResendRequestChunkSize); 0 asks for everything at once, to infinity.
        logon_fields: Extra Logon fields, computed when the Logon is sent (for a signature
            over its SendingTime). Called with a :class:`LogonContext`.
        logout_on_refused_logon: Whether a refused Logon <A> (ours answered wrongly, or the
            peer's invalid or refused) gets a Logout <5> saying why before the connection
            closes, as FIX test cases 1S.c-d and 1B.d have it; off, the connection just closes,
            as QuickFIX does.
        require_encrypt_method: Whether a peer's Logon <A> without EncryptMethod <98> is
            refused (it is required in every version), as QuickFIX does with its data
            dictionary; off, a missing one is taken, as QuickFIX does without. A value other
            than 0 (None) is refused either way: a fixwire session speaks no encryption.
        accept_logon: Acceptors only: called with each inbound Logon before it is accepted,
            a ResetSeqNumFlag <141>=Y Logon in an established session included (during that
            call the session's ``resetting`` is true); returns ``None`` to accept or a text for
            the Logout <5> that refuses it (then the connection is closed).
        test_request_delay: Fraction of the heartbeat interval added before silence from the
            peer is answered with a TestRequest <1>, and again before the session gives up.
        logon_timeout: Seconds to wait for the Logon <A> exchange to complete.
        logout_timeout: Seconds to wait for the peer to answer our Logout <5>.
        max_sending_time_skew: Largest difference, in seconds, between an inbound
            SendingTime <52> and our clock; a larger one is rejected with
            SessionRejectReason <373>=10 and ends the session. ``None`` turns the check off.
        reject_stale_logon: Acceptors only: a Logon <A> whose SendingTime <52> is beyond
            ``max_sending_time_skew`` gets Reject <3> 373=10 before the refusing Logout <5>,
            as Kalshi documents; off, the Logout comes alone, as in FIX test case 1S.d and
            QuickFIX.
        dictionary: When given, inbound application messages are validated with it and
            invalid ones are answered with Reject <3> (and still delivered, marked).
        allow_user_defined_fields: With ``dictionary``: accept tags >= 5000 that it does not
            define.
        undefined_tag_reason: SessionRejectReason <373> for a tag the dictionary does not
            define: 3 (Undefined tag, the code's own name for it, and Kalshi's answer), or 0
            (Invalid tag number), as QuickFIX and FIX test case 14a give it.
        answers_invalid: With ``dictionary``: called with each invalid application message
            and the problem; returning ``True`` says the application answers it itself (a
            venue's business-level reject, say), so the session sends no Reject <3> and
            delivers the message unmarked.
        time_precision: SendingTime <52> precision: ``"s"``, ``"ms"``, ``"us"`` or ``"ns"``.
        length_fields: Write a data field's length field (RawDataLength <95> before RawData
            <96>, ...), as FIX requires; ``False`` writes the data field alone, for a venue that
            does not expect the length (see ``fixwire.Encoder``).
        max_out_of_order: Inbound messages ahead of a gap held while a resend is awaited;
            beyond this the session ends rather than grow without bound.
        max_held_bytes: Bytes of inbound messages ahead of a gap held while a resend is
            awaited (their wire lengths summed), 16 MiB by default. A peer that sends more
            behind an open gap gets a Logout <5> saying so and is disconnected.
        max_message_size: Largest BodyLength <9> the session reads, in bytes (1 MiB by
            default): it bounds the partial message the framer holds. A longer message ends
            the session with a Logout <5> saying so.
        max_outbound_bytes: Bytes the session queues for the transport and the transport has
            not taken (4 MiB by default; a resend is not counted, as it is read from the store
            only as the transport drains). :meth:`Session.send` beyond it raises
            :class:`~fixwire.SessionError`; a peer whose messages make the session queue more
            (it sends TestRequests or ResendRequests and does not read the answers) gets a
            Logout <5> saying so and is disconnected.
        max_event_bytes: Bytes of inbound application messages a
            :class:`~fixwire.session.Connection` queues for an application that iterates it
            (8 MiB by default); beyond it the connection stops reading its socket until the
            application catches up, so TCP slows the peer instead of memory growing.
        groups: Repeating groups to read inbound messages with: each message is parsed once,
            as it is framed, and :class:`~fixwire.session.Received` hands it over with its
            groups (``message.group(...)``); ``None`` reads messages flat. A message whose
            groups do not match these specs does not parse and is reported like garbled input.
        check_peer_comp_id: Whether inbound SenderCompID <49> must equal ``target_comp_id``.
            Some venues answer from another CompID than the one addressed (Kalshi: sessions
            are addressed as ``KalshiNR`` and so on, answers may come from ``Kalshi``); turn
            this off for them. TargetCompID <56> is always checked.
        message_log: Where every message in and out is logged with its time and direction
            (:class:`~fixwire.session.MessageLog`, a size-rotated file that ``fixwire decode``
            reads); ``None``, the default, logs none.
        sender_sub_id: Our SenderSubID <50>, written in every message's header. With
            ``sender_location_id``, ``target_sub_id`` and ``target_location_id``, it tells an
            acceptor's sessions apart when several share BeginString and CompIDs (QuickFIX/J's
            SessionID qualifiers): an inbound Logon goes to the session whose four match its
            TargetSubID <57>, TargetLocationID <143>, SenderSubID <50> and SenderLocationID
            <142>, else to the session of its CompIDs that sets none of them. A
            :class:`fixwire.Template` cannot carry them (sending one raises
            :class:`~fixwire.SessionError`).
        sender_location_id: Our SenderLocationID <142>, as ``sender_sub_id``.
        target_sub_id: The peer's SubID, our TargetSubID <57>, as ``sender_sub_id``.
        target_location_id: The peer's LocationID, our TargetLocationID <143>, as
            ``sender_sub_id``.
        last_msg_seq_num_processed: Write LastMsgSeqNumProcessed <369> in the header of every
            message sent (FIX.4.2 on; QuickFIX/J's EnableLastMsgSeqNumProcessed): the
            MsgSeqNum of the peer's message being answered (its Logon, a TestRequest <1>, a
            message rejected in its turn), else the last one processed. Resent messages keep
            the value they were first sent with; a :class:`fixwire.Template` cannot carry it
            (sending one raises :class:`~fixwire.SessionError`).
        admin_out: Called with the wire bytes of every session-level message about to be
            sent (Logon <A>, Heartbeat <0>, TestRequest <1>, ResendRequest <2>, Reject <3>,
            SequenceReset <4>, including the GapFills of a resend as they are sent, Logout
            <5>); returns the bytes to send, the same or with fields added (QuickFIX's
            ``toAdmin``: a SenderSubID <50>, a Username <553>). It must keep BeginString <8>,
            MsgType <35>, MsgSeqNum <34> and the CompIDs as they were.
        app_resend: Called with the wire bytes of every application message about to be
            sent again in answer to a ResendRequest <2>, its header already patched
            (PossDupFlag <43>=Y, OrigSendingTime <122>, a new SendingTime <52>); returns the
            bytes to send (the same, or changed, keeping BeginString <8>, MsgType <35>,
            MsgSeqNum <34> and the CompIDs), or ``None`` to send a SequenceReset-GapFill <4>
            over its number instead (QuickFIX's ``toApp`` on a resend, and its ``DoNotSend``).
            ``None``, the default, resends every stored message as it was.
        inbound: Called with the session and each inbound message it takes in its turn,
            before acting on it (QuickFIX's ``fromAdmin`` and ``fromApp``): a session-level
            message once its header checks and validation pass (a Logon <A> before it is
            answered; a Logout <5> or ResendRequest <2> even across a gap, as they are acted
            on at once), an application message once validated, before its
            :class:`~fixwire.session.Received` event. Returns ``None``, or a text that ends the
            session: a Logout <5> carrying it (for a Logon, its refusal).
    """

    sender_comp_id: str
    target_comp_id: str
    role: Role = Role.INITIATOR
    begin_string: str = "FIXT.1.1"
    default_appl_ver_id: str = "9"
    heartbeat_interval: int = 30
    reset_on_logon: bool = False
    reset_on_logout: bool = False
    reset_on_disconnect: bool = False
    retransmission: bool = True
    resend_request_chunk_size: int = 0
    next_expected_msg_seq_num: bool = False
    logon_fields: Callable[[LogonContext], Iterable[tuple[int, FieldValue]]] | None = None
    accept_logon: Callable[[Message], str | None] | None = None
    logout_on_refused_logon: bool = True
    require_encrypt_method: bool = True
    test_request_delay: float = 0.2
    logon_timeout: float = 10.0
    logout_timeout: float = 2.0
    max_sending_time_skew: float | None = 120.0
    reject_stale_logon: bool = False
    dictionary: Dictionary | None = None
    allow_user_defined_fields: bool = True
    undefined_tag_reason: int = 3
    answers_invalid: Callable[[Message, RejectError], bool] | None = None
    time_precision: str = "ms"
    length_fields: bool = True
    max_out_of_order: int = 100_000
    max_held_bytes: int = 16 * 1024 * 1024
    max_message_size: int = 1024 * 1024
    max_outbound_bytes: int = 4 * 1024 * 1024
    max_event_bytes: int = 8 * 1024 * 1024
    check_peer_comp_id: bool = True
    groups: GroupSpecs | None = None
    message_log: MessageLog | None = None
    sender_sub_id: str | None = None
    sender_location_id: str | None = None
    target_sub_id: str | None = None
    target_location_id: str | None = None
    last_msg_seq_num_processed: bool = False
    admin_out: Callable[[bytes], bytes] | None = None
    app_resend: Callable[[bytes], bytes | None] | None = None
    inbound: Callable[[Session, Message], str | None] | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """What tells this session apart from an acceptor's others: BeginString <8>, our
        SenderCompID and TargetCompID, then, when any is set, our SenderSubID,
        SenderLocationID, TargetSubID and TargetLocationID (``""`` for one not set).
        """
        key = (self.begin_string, self.sender_comp_id, self.target_comp_id)
        qualifiers = self.qualifiers
        return key if not any(qualifiers) else key + qualifiers

    @property
    def qualifiers(self) -> tuple[str, str, str, str]:
        """Our SenderSubID, SenderLocationID, TargetSubID and TargetLocationID, ``""`` when
        not set.
        """
        return (
            self.sender_sub_id or "",
            self.sender_location_id or "",
            self.target_sub_id or "",
            self.target_location_id or "",
        )

    def __post_init__(self) -> None:
        if self.heartbeat_interval <= 0:
            raise ValueError(f"heartbeat_interval must be positive, not {self.heartbeat_interval}")
        for name in ("test_request_delay", "logon_timeout", "logout_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.max_sending_time_skew is not None and self.max_sending_time_skew <= 0:
            raise ValueError("max_sending_time_skew must be positive or None")
        if self.max_out_of_order < 1:
            raise ValueError("max_out_of_order must be at least 1")
        if self.undefined_tag_reason not in (0, 3):
            raise ValueError(
                f"undefined_tag_reason must be 3 or 0, not {self.undefined_tag_reason}"
            )
        for name in ("max_held_bytes", "max_message_size", "max_outbound_bytes", "max_event_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 byte, not {getattr(self, name)}")
        if self.resend_request_chunk_size < 0:
            raise ValueError("resend_request_chunk_size must be 0 (no chunks) or positive")
        if self.begin_string not in VERSIONS:
            raise ValueError(
                f"begin_string {self.begin_string!r} is not one of {', '.join(VERSIONS)}"
            )
        if (
            self.last_msg_seq_num_processed
            and not VERSIONS[self.begin_string].last_msg_seq_num_processed
        ):
            raise ValueError(f"{self.begin_string} has no LastMsgSeqNumProcessed <369>")
