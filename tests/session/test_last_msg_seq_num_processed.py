"""LastMsgSeqNumProcessed <369>: the setting's limits (the wire is held to the conformance
script ``x_last_msg_seq_num_processed``, played over TCP).
"""

from __future__ import annotations

import pytest

import fixwire
from fixwire.errors import SessionError
from fixwire.session import Role, Session, SessionConfig


def test_versions_without_the_field_refuse_the_setting() -> None:
    for version in ("FIX.4.0", "FIX.4.1"):
        with pytest.raises(ValueError, match="no LastMsgSeqNumProcessed <369>"):
            SessionConfig(
                sender_comp_id="A",
                target_comp_id="B",
                begin_string=version,
                last_msg_seq_num_processed=True,
            )


def logged_on(config: SessionConfig) -> Session:
    """An initiator session whose Logon the peer has answered."""
    session = Session(config)
    session.connection_made(1_000.0)
    logon = fixwire.parse(session.data_to_send())
    assert logon[369] == "0"  # Nothing of the peer's processed yet.
    answer = fixwire.Encoder("B", "A", begin_string=config.begin_string).encode(
        "A", [(98, 0), (108, 30)], seq_num=1, sending_time=1_000.0
    )
    session.receive(answer, 1_000.0)
    assert session.logged_on
    return session


def test_application_messages_carry_the_last_number_processed() -> None:
    config = SessionConfig(
        sender_comp_id="A",
        target_comp_id="B",
        role=Role.INITIATOR,
        begin_string="FIX.4.4",
        last_msg_seq_num_processed=True,
    )
    session = logged_on(config)
    session.send("D", [(11, "ord-1")], 1_001.0)
    order = fixwire.parse(session.data_to_send())
    assert order[369] == "1"
    assert order[11] == "ord-1"


def test_a_template_cannot_carry_it() -> None:
    config = SessionConfig(
        sender_comp_id="A",
        target_comp_id="B",
        begin_string="FIX.4.4",
        last_msg_seq_num_processed=True,
    )
    session = logged_on(config)
    template = fixwire.Template("D", [(11, "str")])
    with pytest.raises(SessionError, match="LastMsgSeqNumProcessed <369>"):
        session.send(template, ("ord-1",), 1_001.0)
    assert session.store.next_sender_seq == 2  # Nothing was sent.
