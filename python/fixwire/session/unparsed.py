"""Messages that frame but do not parse: rejected in sequence, not ignored as garbled.

A message whose BeginString <8>, BodyLength <9> and CheckSum <10> are right but which holds a
field FIX does not allow (``58=`` with no value, tag 0 or a negative tag, a NumInGroup that does
not match its entries) was sent whole by the peer and consumed a MsgSeqNum <34>: FIX has it
rejected with Reject <3>, its number used up. Were it ignored as garbled, the peer would resend
it on request, it would fail again, and the inbound stream would stall in a resend loop.

The framer reports such a message as an error (it does not parse) with the stream offset where
it starts. :func:`in_stream_order` finds its bytes again in the input, checks the framing
itself, reads MsgType <35> and MsgSeqNum <34> from the bytes, and puts it back in stream order
among the messages that parsed. This runs only when the framer reported errors; the bytes are
found in the current and the previous chunk of input, so a message spread over more than two
reads is left as garbled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixwire._native import Message, checksum
from fixwire.errors import DecodeError
from fixwire.session.checks import REVERSE_ROUTE
from fixwire.session.config import FieldValue

__all__ = ["Unparsed", "in_stream_order"]

_HEAD = re.compile(rb"8=[^\x01]+\x019=(\d{1,7})\x0135=([^\x01]+)\x01")
_TRAILER = re.compile(rb"10=(\d{3})\x01")
_SEQ_NUM = re.compile(rb"\x0134=([1-9]\d{0,17})\x01")
_POSS_DUP = re.compile(rb"\x0143=Y\x01")
_ROUTED = frozenset(inbound for inbound, _ in REVERSE_ROUTE)
_BAD_TAG = re.compile(rb"0$|-\d+$")
_FIELD = re.compile(rb"-?\d+=[^\x01]*")

#: SessionRejectReason <373> for each kind of DecodeError that a whole message can carry.
_REASONS = {
    "empty_value": (4, "Tag specified without a value"),
    "tag_not_integer": (0, "Invalid tag number"),
    "bad_group_count": (16, "Incorrect NumInGroup count for repeating group"),
    "group_order": (15, "Repeating group fields out of order"),
}


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A well-framed message whose fields do not parse.

    Attributes:
        raw: Its bytes.
        msg_type: MsgType <35>, read from the bytes.
        seq_num: MsgSeqNum <34>, read from the bytes.
        possible_duplicate: Whether it carries PossDupFlag <43>=Y.
        reason: The SessionRejectReason <373> that answers it.
        ref_tag_id: The tag at fault, when known.
        text: Text <58> for the Reject.
        error: What the parser found.
        route: The routing fields of the Reject that answers it (see
            :func:`fixwire.session.checks.route_back`), read from the bytes; empty ones left
            out.
    """

    raw: bytes
    msg_type: str
    seq_num: int
    possible_duplicate: bool
    reason: int
    ref_tag_id: int | None
    text: str
    error: DecodeError
    route: list[tuple[int, FieldValue]]


def _unparsed(error: DecodeError, stream: bytes, start: int) -> Unparsed | None:
    """The message the framer skipped at ``error.offset``, if it is well framed."""
    known = _REASONS.get(error.kind)
    at = error.offset - start
    if known is None or at < 0:
        return None
    head = _HEAD.match(stream, at)
    if head is None:
        return None
    body_end = head.end(1) + 1 + int(head.group(1))
    trailer = _TRAILER.match(stream, body_end)
    if trailer is None or int(trailer.group(1)) != checksum(stream[at:body_end]):
        return None
    raw = stream[at : trailer.end()]
    seq_num = _SEQ_NUM.search(raw)
    if seq_num is None:
        return None
    try:
        msg_type = head.group(2).decode("ascii")
    except UnicodeDecodeError:
        return None
    ref_tag_id = error.tag
    if error.kind == "tag_not_integer":
        # Tag 0 or a negative tag is an invalid tag number; a field that is not tag=value at
        # all (no '=', letters in the tag) is garbled input.
        fields = raw[: body_end - at - 1].split(b"\x01")
        if not all(_FIELD.fullmatch(field) for field in fields):
            return None
        # RefTagID <371> names tag 0 or a negative tag as written (QuickFIX's 14a does too).
        ref_tag_id = next(
            (int(tag) for tag, _, _ in (f.partition(b"=") for f in fields) if _BAD_TAG.match(tag)),
            None,
        )
    return Unparsed(
        raw,
        msg_type,
        int(seq_num.group(1)),
        _POSS_DUP.search(raw) is not None,
        known[0],
        ref_tag_id,
        known[1],
        error,
        _route_back(raw),
    )


def _route_back(raw: bytes) -> list[tuple[int, FieldValue]]:
    """The routing fields that answer ``raw``, read from its bytes (each its first value)."""
    found: dict[int, str] = {}
    for field in raw.split(b"\x01"):
        tag, sep, value = field.partition(b"=")
        if sep and value and tag.isdigit() and int(tag) in _ROUTED:
            found.setdefault(int(tag), value.decode("utf-8", "replace"))
    return [(outbound, found[inbound]) for inbound, outbound in REVERSE_ROUTE if inbound in found]


def in_stream_order(
    messages: list[Message],
    errors: list[DecodeError],
    stream: bytes,
    start: int,
) -> list[Message | Unparsed | DecodeError]:
    """The framer's output in the order it was on the wire.

    Args:
        messages: The messages that parsed, in order.
        errors: The framer's errors, their offsets in stream positions.
        stream: The input the framer was fed lately (the previous chunk and this one).
        start: The stream position of ``stream[0]``.

    Returns:
        Messages, :class:`Unparsed` messages to reject, and the errors that remain garbled
        input, in stream order.
    """
    placed: list[tuple[int, int, Message | Unparsed | DecodeError]] = []
    pos = 0
    for n, message in enumerate(messages):
        found = stream.find(message.raw, pos)
        if found < 0:
            # Not in the recent input (cannot happen for a message of this feed): keep the
            # messages' own order after everything placed.
            placed.append((start + len(stream) + n, 0, message))
            continue
        placed.append((start + found, 0, message))
        pos = found + len(message.raw)
    for error in errors:
        unparsed = _unparsed(error, stream, start)
        placed.append((error.offset, 1, error if unparsed is None else unparsed))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [item for _, _, item in placed]
