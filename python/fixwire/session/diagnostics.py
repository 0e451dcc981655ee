"""Session diagnostics through :mod:`logging`, on the ``fixwire.session`` logger.

The asyncio connection logs every event of its session but the application messages
themselves (``Received``, one per message, is the application's to log): logons, logouts and
refusals, disconnects and reconnect attempts, sequence gaps and resends, Rejects sent and
received, garbled input; and, at ERROR with its traceback, an application's ``on_event``
callback that raised. A record names the session (BeginString <8>, SenderCompID <49> and
TargetCompID <56>) and what happened. No record carries a message's bytes, so a Logon's
signature or password never reaches a log: a Reject received is logged by its fields, garbled
input by its kind, byte offset and tag.
"""

from __future__ import annotations

import logging

from fixwire.session.config import SessionConfig
from fixwire.session.events import (
    Disconnected,
    Event,
    Garbled,
    LoggedOn,
    LoggedOut,
    LogonRefused,
    Received,
    RejectReceived,
    RejectSent,
    ResendComplete,
    ResendServed,
    SequenceGap,
)

__all__ = ["log_callback_error", "log_event"]

_log = logging.getLogger("fixwire.session")

#: The level of each event's record: what an operator must look at is a warning.
_LEVELS: dict[type, int] = {
    LoggedOn: logging.INFO,
    LoggedOut: logging.INFO,
    Disconnected: logging.INFO,
    ResendComplete: logging.INFO,
    ResendServed: logging.INFO,
    LogonRefused: logging.WARNING,
    SequenceGap: logging.WARNING,
    RejectSent: logging.WARNING,
    RejectReceived: logging.WARNING,
    Garbled: logging.WARNING,
}


def log_event(config: SessionConfig, event: Event) -> None:
    """Logs ``event`` of the session configured by ``config``, if its level is enabled."""
    level = _LEVELS.get(type(event), logging.DEBUG)
    if not _log.isEnabledFor(level):
        return
    _log.log(
        level,
        "%s %s->%s: %s",
        config.begin_string,
        config.sender_comp_id,
        config.target_comp_id,
        _describe(event),
    )


def log_callback_error(config: SessionConfig, event: Event, error: Exception) -> None:
    """Logs at ERROR, with its traceback, that the application's ``on_event`` callback raised
    ``error`` for ``event`` (an application message named by MsgType <35> and MsgSeqNum <34>).
    """
    if isinstance(event, Received):
        message = event.message
        what = f"application message MsgType {message.msg_type}, MsgSeqNum {message.seq_num}"
    else:
        what = _describe(event)
    _log.error(
        "%s %s->%s: on_event raised for %s; the session carries on",
        config.begin_string,
        config.sender_comp_id,
        config.target_comp_id,
        what,
        exc_info=error,
    )


def _describe(event: Event) -> str:
    """What happened, in words, without any message's bytes."""
    if isinstance(event, RejectReceived):
        return (
            f"Reject <3> received for MsgSeqNum {event.ref_seq_num}: SessionRejectReason"
            f" {event.reason}, RefTagID {event.ref_tag_id}, RefMsgType {event.ref_msg_type}"
            f" ({event.text})"
        )
    if isinstance(event, Garbled):
        error = event.error
        return f"garbled input ignored: {error.kind} at byte {error.offset}, tag {error.tag}"
    return repr(event)
