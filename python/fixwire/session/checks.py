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
    "comp_ids_wrong",
    "missing_comp_id",
    "orig_sending_time_problem",
    "reject_fields",
    "sending_time_off",
]

# SessionRejectReason <373> values used here.
REQUIRED_TAG_MISSING = 1
INCORRECT_DATA_FORMAT = 6
SENDING_TIME_ACCURACY = 10

_NANOS = 1_000_000_000

# Routing fields of an inbound message and the field that routes the answer back: a Reject <3>
# goes back the way the rejected message came (OnBehalfOfCompID <115> -> DeliverToCompID <128>,
# and so on for SubID and LocationID, both ways; SenderSubID <50> <-> TargetSubID <57>,
# SenderLocationID <142> <-> TargetLocationID <143>).
_REVERSE_ROUTE = (
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


def missing_comp_id(msg: Message) -> Problem | None:
    """SenderCompID <49> or TargetCompID <56> absent (FIX test case 2k): required tag
    missing; the session goes on."""
    for tag, name in ((49, "SenderCompID <49>"), (56, "TargetCompID <56>")):
        if msg.get(tag) is None:
            return Problem(REQUIRED_TAG_MISSING, tag, f"{name} is missing")
    return None


def comp_ids_wrong(msg: Message, config: SessionConfig) -> bool:
    """Whether TargetCompID <56> is not ours, or SenderCompID <49> not the peer's (when
    ``check_peer_comp_id``)."""
    if msg.get(56) != config.sender_comp_id:
        return True
    return config.check_peer_comp_id and msg.get(49) != config.target_comp_id


def sending_time_off(msg: Message, now: float, skew: float | None) -> bool:
    """Whether SendingTime <52> is missing, unreadable or more than ``skew`` seconds from
    ``now`` (never, when ``skew`` is None)."""
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
    SendingTime <52> (2f, which ends the session)."""
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


def reject_fields(
    rules: VersionRules,
    ref_seq_num: int,
    ref_msg_type: str,
    reason: int,
    ref_tag_id: int | None,
    text: str,
    rejected: Message | None,
) -> list[tuple[int, FieldValue]]:
    """The fields of a Reject <3>: routed back the way ``rejected`` came, with RefTagID <371>,
    RefMsgType <372> and SessionRejectReason <373> where the version has them."""
    fields: list[tuple[int, FieldValue]] = []
    if rejected is not None:
        for inbound, outbound in _REVERSE_ROUTE:
            try:
                value = rejected.get(inbound)
            except DecodeError:
                value = None
            if value is not None:
                fields.append((outbound, value))
    fields.append((45, ref_seq_num))
    if rules.reject_reason_fields:
        if ref_tag_id is not None:
            fields.append((371, ref_tag_id))
        fields.append((372, ref_msg_type))
        if rules.reject_reason(reason) is not None:
            fields.append((373, reason))
    fields.append((58, text))
    return fields
