"""Hostile input to the sans-IO session: whatever arrives, ``receive`` never raises.

Messages are built from a logged-on exchange and then mutated (fields dropped, values replaced
by junk, numbers moved, bytes flipped), cut into random pieces and fed to an acceptor. The
session must answer with FIX (Reject, Logout, ResendRequest, ...) or ignore what is garbled;
an exception out of ``receive`` would reach the transport and drop the connection uncleanly.
:meth:`Session.receive <fixwire.session.Session.receive>` documents no exception, so none may
escape, also for arbitrary bytes (with pieces of FIX among them, so that the framer finds
message starts), fed to an initiator or an acceptor, logged on or not.

``FIXWIRE_SESSION_FUZZ_EXAMPLES`` sets the examples per test (300 by default), for a long run.
"""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

import fixwire
from fixwire.session import Role, Session, SessionConfig, State

T0 = 1_787_000_000.0
EXAMPLES = int(os.environ.get("FIXWIRE_SESSION_FUZZ_EXAMPLES", "300"))
FIELDS = [34, 43, 122, 52, 7, 16, 36, 123, 112, 45, 373, 108, 141, 11]
JUNK = ["", "abc", "-1", "0", "99999999999999999999999", "Y", "X", "20260101-00:00:00.000", "2"]


def frame(fields: list[tuple[int, str]]) -> bytes:
    body = "".join(f"{tag}={value}\x01" for tag, value in fields)
    head = f"8=FIXT.1.1\x019={len(body.encode())}\x01{body}"
    return f"{head}10={fixwire.checksum(head.encode()):03}\x01".encode()


def header(msg_type: str, seq: int) -> list[tuple[int, str]]:
    return [(35, msg_type), (49, "TW"), (56, "ISLD"), (34, str(seq)), (52, "20260817-20:53:20.000")]


TEMPLATES: list[tuple[str, list[tuple[int, str]]]] = [
    ("0", []),
    ("1", [(112, "ping")]),
    ("2", [(7, "1"), (16, "0")]),
    ("4", [(123, "Y"), (36, "9")]),
    ("4", [(36, "3")]),
    ("5", [(58, "bye")]),
    ("3", [(45, "1"), (373, "1")]),
    ("D", [(11, "ord"), (55, "X")]),
    ("D", [(43, "Y"), (122, "20260817-20:53:19.000"), (11, "dup")]),
    ("A", [(98, "0"), (108, "30")]),
]


@st.composite
def hostile_message(draw: st.DrawFn) -> bytes:
    msg_type, body = draw(st.sampled_from(TEMPLATES))
    fields = header(msg_type, draw(st.integers(1, 12))) + body
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "junk", "add"]))
        if action == "drop" and len(fields) > 1:
            del fields[draw(st.integers(1, len(fields) - 1))]
        elif action == "junk":
            at = draw(st.integers(1, len(fields) - 1))
            fields[at] = (fields[at][0], draw(st.sampled_from(JUNK)))
        else:
            fields.append((draw(st.sampled_from(FIELDS)), draw(st.sampled_from(JUNK))))
    fields = [(tag, value) for tag, value in fields if value]
    wire = bytearray(frame(fields))
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        wire[draw(st.integers(0, len(wire) - 1))] ^= 0x5A
    return bytes(wire)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(hostile_message(), min_size=1, max_size=25), st.data())
def test_receive_never_raises(messages: list[bytes], data: st.DataObject) -> None:
    session = Session(
        SessionConfig(sender_comp_id="ISLD", target_comp_id="TW", role=Role.ACCEPTOR),
    )
    session.connection_made(T0)
    session.receive(frame([*header("A", 1), (98, "0"), (108, "30"), (1137, "9")]), T0)
    assert session.state is State.IN_SESSION
    stream = b"".join(messages)
    at = 0
    while at < len(stream):
        size = data.draw(st.integers(1, 200))
        session.receive(stream[at : at + size], T0 + 1)
        at += size
        session.tick(T0 + 2)
    for event in session.next_events():
        assert event is not None
    out = session.data_to_send()
    framer = fixwire.Framer()
    framer.feed(out)
    assert framer.drain_errors() == []
    assert framer.buffered == 0


#: Pieces of FIX that arbitrary bytes are spliced with: message starts, lengths, tags.
FRAGMENTS = [
    b"8=FIXT.1.1\x01",
    b"8=FIX.4.4\x01",
    b"9=",
    b"9=5\x01",
    b"9=99999999\x01",
    b"35=A\x01",
    b"35=D\x01",
    b"34=2\x01",
    b"49=TW\x0156=ISLD\x01",
    b"52=20260817-20:53:20.000\x01",
    b"10=",
    b"10=000\x01",
    b"\x01",
]


def logged_on(role: Role) -> Session:
    """A session of ``role`` that has exchanged Logons with a peer written by hand."""
    if role is Role.ACCEPTOR:
        session = Session(SessionConfig(sender_comp_id="ISLD", target_comp_id="TW", role=role))
    else:
        session = Session(SessionConfig(sender_comp_id="ISLD", target_comp_id="TW"))
    session.connection_made(T0)
    session.receive(frame([*header("A", 1), (98, "0"), (108, "30"), (1137, "9")]), T0)
    assert session.logged_on
    session.data_to_send()
    return session


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(
        st.one_of(st.binary(max_size=300), st.sampled_from(FRAGMENTS), hostile_message()),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([Role.ACCEPTOR, Role.INITIATOR]),
    st.booleans(),
    st.data(),
)
def test_arbitrary_bytes_never_raise(
    pieces: list[bytes], role: Role, logon: bool, data: st.DataObject
) -> None:
    if logon:
        session = logged_on(role)
    else:
        config = SessionConfig(sender_comp_id="ISLD", target_comp_id="TW", role=role)
        session = Session(config)
        session.connection_made(T0)
    stream = b"".join(pieces)
    at = 0
    while at < len(stream) and not session.should_close:
        size = data.draw(st.integers(1, 400))
        session.receive(stream[at : at + size], T0 + 1)
        at += size
        session.tick(T0 + 2)
        assert session._held.bytes <= session.config.max_held_bytes
    session.next_events()
    framer = fixwire.Framer()
    framer.feed(session.data_to_send())
    assert framer.drain_errors() == []
    assert framer.buffered == 0
