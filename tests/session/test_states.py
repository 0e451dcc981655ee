"""The session's state table: every move it makes is one the table lists, and the table lists
only moves the session makes.
"""

import pytest

import fixwire.session.base
from fixwire import SessionError
from fixwire.session import Session, SessionConfig
from fixwire.session.states import TRANSITIONS, State, Trigger, next_state
from session_script import SCRIPTS, Replay


def _reachable(start: State) -> set[State]:
    seen, todo = {start}, [start]
    while todo:
        for target in TRANSITIONS[todo.pop()].values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_every_state_is_reachable_and_can_end() -> None:
    """From DISCONNECTED every state can be reached, and from each the session can close."""
    assert _reachable(State.DISCONNECTED) == set(State)
    for state in State:
        assert State.DISCONNECTED in _reachable(state) or state is State.DISCONNECTED
        if state is not State.DISCONNECTED:
            assert TRANSITIONS[state][Trigger.CLOSED] is State.DISCONNECTED


def test_illegal_transition_is_raised_loudly() -> None:
    """A move the table does not list is a bug: SessionError naming the trigger and the state."""
    with pytest.raises(SessionError, match="illegal session transition: 'gap filled' while"):
        next_state(State.DISCONNECTED, Trigger.GAP_FILLED)
    session = Session(SessionConfig(sender_comp_id="S", target_comp_id="T"))
    with pytest.raises(SessionError, match="'logout sent' while disconnected"):
        session._move(Trigger.LOGOUT_SENT)
    assert session.state is State.DISCONNECTED


@pytest.fixture
def moves(monkeypatch: pytest.MonkeyPatch) -> set[tuple[State, Trigger]]:
    taken: set[tuple[State, Trigger]] = set()

    def recording(state: State, trigger: Trigger) -> State:
        taken.add((state, trigger))
        return next_state(state, trigger)

    monkeypatch.setattr(fixwire.session.base, "next_state", recording)
    return taken


def test_scripts_take_every_move_of_the_table(moves: set[tuple[State, Trigger]]) -> None:
    """Run over every acceptance script, the session makes each move of the table at least
    once (and, through ``next_state``, no other): the table is the state machine, not a
    description beside it.
    """
    for script in SCRIPTS:
        Replay(script).run()
    listed = {(state, trigger) for state, table in TRANSITIONS.items() for trigger in table}
    assert listed - moves == set()
    assert moves <= listed
