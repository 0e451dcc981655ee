"""Every session buffer bounded in bytes, resends streamed and coalesced, and inbound delivery
at least once through a JournalStore (sans-IO: a peer written with fixwire's Encoder).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from fixwire import Encoder, Message, SessionError, parse
from fixwire.session import (
    JournalStore,
    MemoryStore,
    Received,
    ResendServed,
    Role,
    Session,
    SessionConfig,
    Store,
)
from fixwire.session.config import FieldValue
from fixwire.session.resend import resend

NOW = 1_700_000_000.0


def _acceptor(store: Store | None = None, **limits: Any) -> Session:
    config = SessionConfig(sender_comp_id="SERVER", target_comp_id="CLIENT", role=Role.ACCEPTOR)
    return Session(dataclasses.replace(config, **limits), store)


class Peer:
    """The initiator's side, written by hand: numbered messages from CLIENT."""

    def __init__(self, first: int = 1) -> None:
        self.encoder = Encoder("CLIENT", "SERVER", begin_string="FIXT.1.1")
        self.next = first

    def message(
        self, msg_type: str, fields: Sequence[tuple[int, FieldValue]], seq: int = 0
    ) -> bytes:
        if not seq:
            seq, self.next = self.next, self.next + 1
        return self.encoder.encode(msg_type, fields, seq_num=seq, sending_time=NOW)

    def logon(self, session: Session) -> None:
        session.connection_made(NOW)
        session.receive(self.message("A", [(98, 0), (108, 30), (1137, "9")]), NOW)
        assert session.logged_on


def _parsed(data: bytes) -> list[Message]:
    """Each message in ``data``."""
    out = []
    while data:
        end = data.index(b"\x0110=") + 8
        out.append(parse(data[:end]))
        data = data[end:]
    return out


def _messages(data: bytes) -> list[tuple[str, int, str | None]]:
    """(MsgType, MsgSeqNum, Text) of each message in ``data``."""
    return [(m.msg_type, m.seq_num, m.get(58)) for m in _parsed(data)]


def test_a_gap_held_open_under_large_messages_ends_at_the_byte_limit() -> None:
    session = _acceptor(max_held_bytes=64 * 1024)
    peer = Peer()
    peer.logon(session)
    session.data_to_send()
    peer.next = 3  # 2 never comes
    body = [(58, "x" * 10_000)]
    sent = 0
    while session.logged_on:
        session.receive(peer.message("B", body), NOW)
        sent += 1
        assert session._held.bytes <= 64 * 1024
    assert sent == 7  # six held (about 60 KiB), the seventh is past the limit
    out = _messages(session.data_to_send())
    assert out[0][0] == "2"  # the ResendRequest for the gap
    assert out[-1] == ("5", out[-1][1], "more than 65536 bytes held ahead of a gap")
    assert session.should_close
    assert not session._held


def test_a_message_longer_than_max_message_size_ends_the_session() -> None:
    session = _acceptor(max_message_size=4096)
    peer = Peer()
    peer.logon(session)
    session.data_to_send()
    session.receive(peer.message("B", [(58, "y" * 5000)]), NOW)
    text = _messages(session.data_to_send())[-1][2]
    assert text is not None
    assert text.startswith("BodyLength <9> is")
    assert "4096" in text
    assert session.should_close


def _with_sent(count: int, size: int, store: Store | None = None) -> tuple[Session, Peer]:
    session = _acceptor(store)
    peer = Peer()
    peer.logon(session)
    for n in range(count):
        session.send("8", [(11, f"order-{n}"), (58, "z" * size)], NOW)
    session.data_to_send()
    session.next_events()
    return session, peer


def test_a_resend_is_read_from_the_store_as_it_is_taken() -> None:
    session, peer = _with_sent(1000, 200, MemoryStore())
    whole, _ = resend(session.store, session._encoder, 1, session.store.next_sender_seq - 1, NOW)
    session.receive(peer.message("2", [(7, 1), (16, 0)]), NOW)
    chunks = []
    while chunk := session.data_to_send(4096):
        chunks.append(chunk)
        # Whole messages up to the room given, plus at most one more.
        assert len(chunk) < 4096 + 400
    assert len(chunks) > 50
    assert b"".join(chunks) == b"".join(whole)
    served = [e for e in session.next_events() if isinstance(e, ResendServed)]
    assert served == [ResendServed(1, 1001, 1000, 1)]


def test_a_repeated_resend_request_is_coalesced_not_queued_twice() -> None:
    session, peer = _with_sent(1000, 200)
    for _ in range(100):
        session.receive(peer.message("2", [(7, 1), (16, 0)]), NOW)
        assert session._out.queued == 0  # nothing materialised while the peer does not read
    served = [e for e in session.next_events() if isinstance(e, ResendServed)]
    assert served[0].resent == 1000
    assert not served[0].coalesced
    assert all(e.coalesced for e in served[1:])
    assert len(served) == 100
    numbers = [seq for _, seq, _ in _messages(session.data_to_send())]
    assert numbers == sorted(set(numbers))  # each number once, in order
    assert numbers[:1001] == list(range(1, 1002))


def test_a_peer_that_does_not_read_is_logged_out_at_the_outbound_limit() -> None:
    session = _acceptor(max_outbound_bytes=16 * 1024)
    peer = Peer()
    peer.logon(session)
    session.data_to_send()
    count = 0
    while session.logged_on:
        session.receive(peer.message("1", [(112, f"T{count}")]), NOW)
        count += 1
        assert count < 1000
    assert session._out.queued <= 16 * 1024 + 200
    assert "bytes queued for a peer that does not read them" in (
        _messages(session.data_to_send())[-1][2] or ""
    )


def test_send_refuses_past_the_outbound_limit() -> None:
    session = _acceptor(max_outbound_bytes=8 * 1024)
    Peer().logon(session)
    fields = [(11, "order"), (58, "z" * 100)]
    while session._out.queued <= 8 * 1024:
        session.send("8", fields, NOW)
    stored = session.store.next_sender_seq
    with pytest.raises(SessionError, match="outbound queue full"):
        session.send("8", fields, NOW)
    assert session.store.next_sender_seq == stored  # nothing stored past the refusal


def _reopened(journal: Path, tmp_path: Path) -> JournalStore:
    """The journal as a restarted process would find it (a copy: the original is locked)."""
    copy = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.journal"
    shutil.copy(journal, copy)
    return JournalStore(copy)


def test_inbound_numbers_are_recorded_only_once_taken(tmp_path: Path) -> None:
    journal = tmp_path / "server.journal"
    session = _acceptor(JournalStore(journal))
    peer = Peer()
    peer.logon(session)
    for n in range(3):  # MsgSeqNum 2, 3, 4
        session.receive(peer.message("8", [(11, f"x-{n}")]), NOW)
    session.receive(peer.message("0", []), NOW)  # a Heartbeat after them: 5
    assert session.store.next_target_seq == 6
    handed = session.next_events()
    assert [e.message.seq_num for e in handed if isinstance(e, Received)] == [2, 3, 4]
    assert _reopened(journal, tmp_path).next_target_seq == 2  # none taken yet
    session.acknowledge(3)
    assert _reopened(journal, tmp_path).next_target_seq == 4
    assert session.store.next_target_seq == 6  # the session reads on regardless
    session.next_events()  # asking again takes what the last call handed over
    assert _reopened(journal, tmp_path).next_target_seq == 6


def test_after_a_crash_the_untaken_messages_come_again_marked(tmp_path: Path) -> None:
    journal = tmp_path / "server.journal"
    session = _acceptor(JournalStore(journal))
    peer = Peer()
    peer.logon(session)
    sent = {peer.next + n: peer.message("8", [(11, f"x-{n}")]) for n in range(3)}
    for wire in sent.values():
        session.receive(wire, NOW)
    session.next_events()  # handed over, then the process dies before taking them

    restarted = _acceptor(_reopened(journal, tmp_path))
    peer.logon(restarted)
    requests = [m for m in _parsed(restarted.data_to_send()) if m.msg_type == "2"]
    assert [(m.get_int(7), m.get_int(16)) for m in requests] == [(2, 0)]
    for wire in sent.values():
        restarted.receive(peer.encoder.possible_duplicate(wire, sending_time=NOW), NOW)
    again = [e for e in restarted.next_events() if isinstance(e, Received)]
    assert [e.message[11] for e in again] == ["x-0", "x-1", "x-2"]
    assert all(e.possible_duplicate for e in again)
