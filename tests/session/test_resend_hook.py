"""``SessionConfig.app_resend``: each application message of a resend is handed to the hook,
header patched, and one it drops is covered by a SequenceReset-GapFill <4> (sans-IO; the peer
is written with fixwire's Encoder).
"""

from __future__ import annotations

import pytest

from fixwire import Encoder, Message, parse
from fixwire.session import Role, Session, SessionConfig
from session_script import split_outbound

NOW = 1_700_000_000.0
LATER = NOW + 5


def _answer(room: int | None) -> tuple[list[Message], list[Message]]:
    """An acceptor that sent order-0 .. order-3 (MsgSeqNum 2 to 5) answers a ResendRequest
    for all of them, taken ``room`` bytes at a time; its hook drops order-1 and order-3.
    Returns what the hook was handed and what was sent.
    """
    handed: list[Message] = []

    def hook(wire: bytes) -> bytes | None:
        message = parse(wire)
        handed.append(message)
        return None if message[11] in ("order-1", "order-3") else wire

    config = SessionConfig(
        sender_comp_id="SERVER", target_comp_id="CLIENT", role=Role.ACCEPTOR, app_resend=hook
    )
    session = Session(config)
    peer = Encoder("CLIENT", "SERVER", begin_string="FIXT.1.1")
    session.connection_made(NOW)
    session.receive(
        peer.encode("A", [(98, 0), (108, 30), (1137, "9")], seq_num=1, sending_time=NOW), NOW
    )
    for n in range(4):
        session.send("8", [(11, f"order-{n}")], NOW)
    session.data_to_send()
    session.receive(peer.encode("2", [(7, 2), (16, 0)], seq_num=2, sending_time=LATER), LATER)
    sent = b""
    while chunk := session.data_to_send(room):
        sent += chunk
    return handed, [parse(wire) for wire in split_outbound(sent)]


@pytest.mark.parametrize("room", [None, 1])
def test_dropped_messages_are_gap_filled(room: int | None) -> None:
    handed, sent = _answer(room)
    # The hook sees every application message of the range, header already patched.
    assert [(m.seq_num, m[11], m[43], 122 in m) for m in handed] == [
        (2, "order-0", "Y", True),
        (3, "order-1", "Y", True),
        (4, "order-2", "Y", True),
        (5, "order-3", "Y", True),
    ]
    assert [(m.msg_type, m.seq_num, m.get(11), m.get(36), m.get(123)) for m in sent] == [
        ("8", 2, "order-0", None, None),
        ("4", 3, None, "4", "Y"),
        ("8", 4, "order-2", None, None),
        ("4", 5, None, "6", "Y"),
    ]
