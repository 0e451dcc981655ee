"""The checks an inbound message's header goes through, and the Reject <3> that answers one.

Pure functions: each reads a message (and the configuration, and the time it is given) and
says what is wrong, as a :class:`Problem` carrying the SessionRejectReason <373>; the state
machine in :mod:`fixwire.session.core` decides what follows (a Reject, a Logout, the number
consumed or not).
"""

from __future__ import annotations

from typing import NamedTuple

from fixwire._native import Message
from fixwire.errors import DecodeError
from fixwire.session.config import FieldValue, SessionConfig
from fixwire.session.versions import VersionRules

__all__ = [
    "Problem",
    "comp_id_problem",
    "orig_sending_time_problem",
    "reject_fields",
    "route_back",
    "sending_time_off",
]

# SessionRejectReason <373> values used here.
REQUIRED_TAG_MISSING = 1
INCORRECT_DATA_FORMAT = 6
COMP_ID_PROBLEM = 9
SENDING_TIME_ACCURACY = 10

_NANOS = 1_000_000_000

# Routing fields of an inbound message and the field that routes the answer back: a Reject <3>
# goes back the way the rejected message came (OnBehalfOfCompID <115> -> DeliverToCompID <128>,
# and so on for SubID and LocationID, both ways; SenderSubID <50> <-> TargetSubID <57>,
# SenderLocationID <142> <-> TargetLocationID <143>).
REVERSE_ROUTE = (
    (115, 128),
    (128, 115),
    (116, 129),
    (129, 116),
    (144, 145),
    (145, 144),
    (50, 57),
    (57, 50),
    (142, 143),
    (143, 142),
)


class Problem(NamedTuple):
    """What is wrong with an inbound message.

    Attributes:
        reason: SessionRejectReason <373>.
        ref_tag_id: RefTagID <371>, the tag at fault.
        text: Text <58> for the Reject.
        ends_session: Whether FIX has the session logged out after the Reject.
    """

    reason: int
    ref_tag_id: int | None
    text: str
    ends_session: bool = False


def comp_id_problem(msg: Message, config: SessionConfig) -> Problem | None:
    """SenderCompID <49> or TargetCompID <56> absent: required tag missing, and the session
    goes on; TargetCompID not ours, or SenderCompID not the peer's (when
    ``check_peer_comp_id``): CompID problem, and the session ends (FIX test case 2k).
    """
    sender, target = msg.get(49), msg.get(56)
    if sender is None:
        return Problem(REQUIRED_TAG_MISSING, 49, "SenderCompID <49> is missing")
    if target is None:
        return Problem(REQUIRED_TAG_MISSING, 56, "TargetCompID <56> is missing")
    if target != config.sender_comp_id or (
        config.check_peer_comp_id and sender != config.target_comp_id
    ):
        return Problem(COMP_ID_PROBLEM, None, f"CompID problem: 49={sender!r} 56={target!r}", True)
    return None


def sending_time_off(msg: Message, now: float, skew: float | None) -> bool:
    """Whether SendingTime <52> is missing, unreadable or more than ``skew`` seconds from
    ``now`` (never, when ``skew`` is None).
    """
    if skew is None:
        return False
    try:
        sent = msg.get_time_ns(52)
    except DecodeError:
        return True
    return sent is None or abs(sent / _NANOS - now) > skew


def orig_sending_time_problem(msg: Message, msg_type: str) -> Problem | None:
    """A PossDupFlag <43>=Y message needs OrigSendingTime <122> (FIX test case 2g; a
    SequenceReset-GapFill <4> is let off: many engines send it without), not later than its
    SendingTime <52> (2f, which ends the session).
    """
    try:
        original = msg.get_time_ns(122)
        sent = msg.get_time_ns(52)
    except DecodeError:
        return Problem(INCORRECT_DATA_FORMAT, 122, "OrigSendingTime <122> is not a UTCTimestamp")
    if original is None:
        if msg_type == "4":
            return None
        return Problem(REQUIRED_TAG_MISSING, 122, "OrigSendingTime <122> is missing")
    if sent is not None and original > sent:
        text = "OrigSendingTime <122> is after SendingTime <52>"
        return Problem(SENDING_TIME_ACCURACY, 122, text, ends_session=True)
    return None


def route_back(rejected: Message) -> list[tuple[int, FieldValue]]:
    """The routing fields of an answer to ``rejected``: each routing field it carries, as the
    field that routes the other way (QuickFIX's "ReverseRoute").
    """
    fields: list[tuple[int, FieldValue]] = []
    for inbound, outbound in REVERSE_ROUTE:
        try:
            value = rejected.get(inbound)
        except DecodeError:
            value = None
        if value is not None:
            fields.append((outbound, value))
    return fields


def reject_fields(
    rules: VersionRules,
    ref_seq_num: int,
    ref_msg_type: str,
    reason: int,
    ref_tag_id: int | None,
    text: str,
    route: list[tuple[int, FieldValue]],
) -> list[tuple[int, FieldValue]]:
    """The fields of a Reject <3>: the routing fields ``route`` first (in the header), then
    RefSeqNum <45>, RefTagID <371>, RefMsgType <372> and SessionRejectReason <373> where the
    version has them, and Text <58>.
    """
    fields = [*route, (45, ref_seq_num)]
    if rules.reject_reason_fields:
        if ref_tag_id is not None:
            fields.append((371, ref_tag_id))
        fields.append((372, ref_msg_type))
        if rules.reject_reason(reason) is not None:
            fields.append((373, reason))
    fields.append((58, text))
    return fields
