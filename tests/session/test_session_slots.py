"""The session's shape: every attribute it keeps is one of its slots.

CPython 3.11 specialises reads of an instance's attributes from its dictionary only while it
has at most 30 keys; a session has more, so they live in ``__slots__`` (session/base.py). An
attribute added without a slot would land in the instance dictionary and go unnoticed.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

from session_script import Replay

SCRIPTS = Path(__file__).parents[1] / "data" / "session"


@pytest.mark.parametrize(
    "script",
    [
        "x_session_reset_mid_session.txt",  # Logon, a reset, a resend asked for
        "8_resend_request_served.txt",  # a resend served
        "6_send_test_request.txt",  # a TestRequest <1> sent
        "i4_initiator_next_expected_msg_seq_num.txt",  # an initiator, 789 both ways
    ],
)
def test_a_session_keeps_nothing_outside_its_slots(script: str) -> None:
    replay = Replay(SCRIPTS / script)
    replay.run()
    assert vars(replay.live) == {}


def test_a_session_can_still_be_weakly_referenced() -> None:
    replay = Replay(SCRIPTS / "1a_valid_logon.txt")
    replay.run()
    assert weakref.ref(replay.live)() is replay.live
