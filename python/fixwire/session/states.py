"""The states of a session and the one table of the moves between them.

:data:`TRANSITIONS` is the whole state machine at a glance, as h11 and quickfix-go write theirs:
for each :class:`State`, what can happen there (a :class:`Trigger`) and the state it leads to.
:class:`~fixwire.session.Session` changes state only through :func:`next_state`, so a move the
table does not list is a bug in the session, raised at once rather than carried on with.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from fixwire.errors import SessionError

__all__ = ["TRANSITIONS", "State", "Trigger", "next_state"]


class State(enum.Enum):
    """Where a session is; :data:`TRANSITIONS` lists the moves out of each state."""

    DISCONNECTED = "disconnected"
    AWAITING_LOGON = "awaiting logon"
    LOGON_SENT = "logon sent"
    IN_SESSION = "in session"
    RESENDING = "resending"
    LOGOUT_SENT = "logout sent"


class Trigger(enum.Enum):
    """What moves a session from one state to another."""

    #: A connection opened and we initiate: our Logon <A> is sent.
    CONNECTED_AS_INITIATOR = "connected as initiator"
    #: A connection opened and we accept: the peer's Logon <A> is awaited.
    CONNECTED_AS_ACCEPTOR = "connected as acceptor"
    #: The Logon <A> exchange completed (the peer's accepted and answered, or its answer to ours).
    LOGON_COMPLETED = "logon completed"
    #: An inbound MsgSeqNum <34> above the expected one: ResendRequest <2> sent.
    GAP_DETECTED = "gap detected"
    #: Every message of the gap has arrived.
    GAP_FILLED = "gap filled"
    #: The peer's Logon <A> with ResetSeqNumFlag <141>=Y in an established session: both
    #: sides start again at 1 (held messages of a gap are dropped with the old numbers).
    SESSION_RESET = "session reset"
    #: We sent Logout <5> first and await the answer.
    LOGOUT_SENT = "logout sent"
    #: The session is over on this connection: Logout exchanged, refused, timed out, fatal
    #: error, or the connection lost.
    CLOSED = "closed"


#: The state machine: ``TRANSITIONS[state][trigger]`` is the state ``trigger`` leads to from
#: ``state``; a trigger not listed for a state cannot happen there.
TRANSITIONS: MappingProxyType[State, MappingProxyType[Trigger, State]] = MappingProxyType(
    {
        state: MappingProxyType(moves)
        for state, moves in {
            State.DISCONNECTED: {
                Trigger.CONNECTED_AS_INITIATOR: State.LOGON_SENT,
                Trigger.CONNECTED_AS_ACCEPTOR: State.AWAITING_LOGON,
            },
            State.AWAITING_LOGON: {
                Trigger.LOGON_COMPLETED: State.IN_SESSION,
                Trigger.CLOSED: State.DISCONNECTED,
            },
            State.LOGON_SENT: {
                Trigger.LOGON_COMPLETED: State.IN_SESSION,
                Trigger.CLOSED: State.DISCONNECTED,
            },
            State.IN_SESSION: {
                Trigger.GAP_DETECTED: State.RESENDING,
                Trigger.SESSION_RESET: State.IN_SESSION,
                Trigger.LOGOUT_SENT: State.LOGOUT_SENT,
                Trigger.CLOSED: State.DISCONNECTED,
            },
            State.RESENDING: {
                Trigger.GAP_FILLED: State.IN_SESSION,
                Trigger.SESSION_RESET: State.IN_SESSION,
                Trigger.LOGOUT_SENT: State.LOGOUT_SENT,
                Trigger.CLOSED: State.DISCONNECTED,
            },
            State.LOGOUT_SENT: {
                Trigger.CLOSED: State.DISCONNECTED,
            },
        }.items()
    }
)


def next_state(state: State, trigger: Trigger) -> State:
    """The state ``trigger`` leads to from ``state``.

    Raises:
        SessionError: The table has no such move: a bug in the session, not in its input.
    """
    moves = TRANSITIONS[state]
    try:
        return moves[trigger]
    except KeyError:
        allowed = ", ".join(t.value for t in moves) or "nothing"
        raise SessionError(
            f"illegal session transition: {trigger.value!r} while {state.value}"
            f" (allowed there: {allowed})"
        ) from None
