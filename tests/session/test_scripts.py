"""Acceptance scripts for :class:`fixwire.session.Session`, named after the FIX session-level
test cases, and the sans-IO session's behaviour around them.

The scripts are ``tests/data/session/*.txt``; ``session_script`` (in ``tests/support``) replays
them and documents their format.
"""

import re
from pathlib import Path

import numpy as np
import pytest

import fixwire
from fixtext import frame
from fixwire.session import Role, Session, SessionConfig, events
from session_script import EPOCH, SCRIPTS, Replay, kalshi_dictionary, split_outbound, timestamp


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_session_script(script: Path) -> None:
    """The session sends exactly what the script expects, and reports what it lists."""
    Replay(script).run()


#: The FIX.4.x versions whose session protocol differs from FIXT.1.1's only where a script's
#: text can be rewritten (the rest of each version's rules have scripts of their own, v4*.txt).
RETARGETED = ["FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4"]
#: Scripts about what FIX.4.x does not have: DefaultApplVerID <1137>, a version of their own.
_FIXT_ONLY = re.compile(r"appl_ver|^v\d\d_|next_expected")


def as_version(text: str, version: str) -> str:
    """A FIXT.1.1 script rewritten for a FIX.4.x session, by the FIX rules that differ: no
    DefaultApplVerID <1137> on Logon <A>; FIX.4.2 has no SessionRejectReason <373> above 11 on
    a Reject <3>; before FIX.4.2 a Reject has no RefTagID <371>, RefMsgType <372> or 373, a
    ResendRequest <2> asks to infinity with EndSeqNo <16>=999999, and timestamps have no
    fraction of a second (the script's own, with milliseconds, then match any value).
    """
    lines = []
    old = version in ("FIX.4.0", "FIX.4.1")
    for line in text.splitlines():
        if line.startswith("@ "):
            line += f" begin={version}"
        line = line.replace("8=FIXT.1.1|", f"8={version}|").replace("|1137=9|", "|")
        if version == "FIX.4.2" and line.startswith("E "):
            line = re.sub(r"\|373=(1[2-9]|99)\|", "|", line)
        if old and line.startswith("E "):
            line = re.sub(r"\|37[123]=[^|]*(?=\|)", "", line)
            line = re.sub(r"\|(52|122)=<[^>]*>(?=\|)", r"|\1=*", line)
            if "|35=2|" in line:
                line = line.replace("|16=0|", "|16=999999|")
        lines.append(line)
    return "\n".join(lines) + "\n"


# Each FIXT.1.1 script on each version, but for a script that sends that version as the wrong
# BeginString <8> (it would no longer be wrong), and, before FIX.4.2, one that spells out a
# SendingTime <52> with milliseconds inside another field (a Logon signature's text).
RETARGETABLE = [
    (path, version)
    for version in RETARGETED
    for path in SCRIPTS
    if not _FIXT_ONLY.search(path.stem)
    and "begin=" not in path.read_text()
    and f"8={version}|" not in path.read_text()
    and not (version in ("FIX.4.0", "FIX.4.1") and "logon_fields=" in path.read_text())
]


@pytest.mark.parametrize(
    ("script", "version"),
    RETARGETABLE,
    ids=[f"{path.stem}-{version}" for path, version in RETARGETABLE],
)
def test_session_script_as_version(script: Path, version: str) -> None:
    """The FIXT.1.1 scripts hold on FIX.4.2, 4.3 and 4.4 sessions too, rewritten where the
    versions differ.
    """
    Replay(script, as_version(script.read_text(), version)).run()


def test_scripts_found() -> None:
    """The scripts are where the runner looks (an empty directory would pass vacuously)."""
    assert len(SCRIPTS) >= 30


@pytest.mark.parametrize("now", [1_787_236_205, 1_787_236_205.0, np.float64(1_787_236_205)])
def test_now_may_be_any_number_of_seconds(now: float) -> None:
    """An int or numpy float ``now`` is seconds too: the Logon carries that time."""
    session = Session(SessionConfig(sender_comp_id="S", target_comp_id="T"))
    session.connection_made(now)
    assert fixwire.parse(session.data_to_send())[52] == "20260820-14:30:05.000"


@pytest.mark.parametrize("answered", [False, True])
def test_answers_invalid_decides_who_answers_an_invalid_message(answered: bool) -> None:
    """Without ``answers_invalid`` taking it, an invalid message gets Reject <3> and arrives
    marked; taken, no Reject goes out and it arrives unmarked, for the application to answer.
    """
    now = 1_787_236_205.0
    seen: list[tuple[str, int | None]] = []

    def answers(msg: fixwire.Message, error: fixwire.RejectError) -> bool:
        seen.append((msg.msg_type, error.ref_tag_id))
        return answered

    kalshi = kalshi_dictionary()
    ours = Session(
        SessionConfig(
            sender_comp_id="KalshiMD",
            target_comp_id="KEY",
            role=Role.ACCEPTOR,
            dictionary=kalshi,
            answers_invalid=answers,
        )
    )
    theirs = Session(SessionConfig(sender_comp_id="KEY", target_comp_id="KalshiMD"))
    theirs.connection_made(now)
    ours.connection_made(now)
    ours.receive(theirs.data_to_send(), now)
    theirs.receive(ours.data_to_send(), now)
    assert ours.logged_on
    assert theirs.logged_on
    ours.next_events()
    theirs.send("V", [(263, "5"), (146, [[(55, "KXHIGHNY-26AUG20-B80")]])], now)
    ours.receive(theirs.data_to_send(), now)
    received = [e for e in ours.next_events() if isinstance(e, events.Received)]
    assert seen == [("V", 263)]
    assert len(received) == 1
    assert (received[0].reject is None) == answered
    sent = ours.data_to_send()
    assert (b"\x0135=3\x01" in sent) != answered


@pytest.mark.parametrize("groups", [None, "kalshi"])
def test_received_message_carries_its_groups(groups: str | None) -> None:
    """With ``groups``, an inbound message is parsed with them as it is framed: the application
    reads the entries from the Received event's message; without, it is flat.
    """
    now = 1_787_236_205.0
    specs = None if groups is None else fixwire.GroupSpecs.kalshi()
    ours = Session(
        SessionConfig(sender_comp_id="S", target_comp_id="T", role=Role.ACCEPTOR, groups=specs)
    )
    theirs = Session(SessionConfig(sender_comp_id="T", target_comp_id="S"))
    theirs.connection_made(now)
    ours.connection_made(now)
    ours.receive(theirs.data_to_send(), now)
    theirs.receive(ours.data_to_send(), now)
    theirs.send("V", [(262, "r-1"), (263, "1"), (146, [[(55, "A")], [(55, "B")]])], now)
    ours.receive(theirs.data_to_send(), now)
    (received,) = [e for e in ours.next_events() if isinstance(e, events.Received)]
    if specs is None:
        with pytest.raises(KeyError):
            received.message.group(146)
        assert received.message.get_all(55) == ["A", "B"]
    else:
        assert [entry[55] for entry in received.message.group(146)] == ["A", "B"]


def _logged_on_acceptor(now: float) -> Session:
    session = Session(SessionConfig(sender_comp_id="S", target_comp_id="T", role=Role.ACCEPTOR))
    session.connection_made(now)
    session.receive(
        frame(f"35=A|49=T|56=S|34=1|52={timestamp(now)}|98=0|108=30|1137=9|", "FIXT.1.1"), now
    )
    session.data_to_send()
    session.next_events()
    return session


@pytest.mark.parametrize("split", [None, 30, 120, 200])
def test_unparsed_message_is_rejected_in_stream_order(split: int | None) -> None:
    """An order, a message with an empty value and another order in one read (or split across
    two): the bad one is rejected between the two, its number consumed; no ResendRequest.
    """
    now = EPOCH
    session = _logged_on_acceptor(now)
    sent = timestamp(now)
    data = b"".join(
        frame(f"35=D|49=T|56=S|34={seq}|52={sent}|11=ord-{seq}|{extra}55=X|", "FIXT.1.1")
        for seq, extra in ((2, ""), (3, "58=|"), (4, ""))
    )
    if split is None:
        session.receive(data, now)
    else:
        session.receive(data[:split], now)
        session.receive(data[split:], now)
    out = [fixwire.parse(m) for m in split_outbound(session.data_to_send())]
    assert [(m.msg_type, m.get(45), m.get(373)) for m in out] == [("3", "3", "4")]
    kinds = [type(e).__name__ for e in session.next_events()]
    assert kinds == ["Received", "RejectSent", "Received"]
    assert session.store.next_target_seq == 5
    assert session.garbled == 0


def test_possible_resend_is_read_from_the_message() -> None:
    """PossResend <97>=Y reaches the application as ``Received.possible_resend``."""
    now = EPOCH
    session = _logged_on_acceptor(now)
    sent = timestamp(now)
    for seq, flag in ((2, ""), (3, "97=Y|")):
        session.receive(frame(f"35=D|49=T|56=S|34={seq}|52={sent}|{flag}11=o|", "FIXT.1.1"), now)
    received = [e for e in session.next_events() if isinstance(e, events.Received)]
    assert [e.possible_resend for e in received] == [False, True]


def test_begin_string_must_be_a_session_version() -> None:
    """A BeginString fixwire does not speak is refused when the configuration is made."""
    with pytest.raises(ValueError, match=r"'FIX\.5\.0' is not one of FIX\.4\.0, "):
        SessionConfig(sender_comp_id="S", target_comp_id="T", begin_string="FIX.5.0")
    with pytest.raises(ValueError, match="resend_request_chunk_size"):
        SessionConfig(sender_comp_id="S", target_comp_id="T", resend_request_chunk_size=-1)
