"""SenderSubID, SenderLocationID, TargetSubID and TargetLocationID in a ``.cfg``.

QuickFIX/J reads these four settings into the SessionID and writes them in every message's
header; QuickFIX 1.16 has no such settings (it skips the keys), so its applications write the
fields by hand in ``toAdmin`` and ``toApp``. fixwire.quickfix reads them as QuickFIX/J does.
The proof: a real QuickFIX acceptor records the header of everything it receives, once from a
QuickFIX initiator whose callbacks write the four fields and once from a fixwire.quickfix
initiator with the same ``.cfg`` and callbacks that write nothing; both must look the same.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import quickfix as real

import fixwire.quickfix as ours
from fixwire.quickfix.settings import session_config
from quickfix_apps import Waiter, free_port, logged_on, version_module, write_cfg

SUBIDS = "SenderSubID=desk\nSenderLocationID=NY\nTargetSubID=book\nTargetLocationID=LDN\n"
HEADER = [(50, "desk"), (142, "NY"), (57, "book"), (143, "LDN")]
# The acceptor's side of the same session.
REVERSED = "SenderSubID=book\nSenderLocationID=LDN\nTargetSubID=desk\nTargetLocationID=NY\n"


@pytest.fixture(scope="module", autouse=True)
def _spec(quickfix_spec: Path) -> None:
    ours.use_spec(quickfix_spec)


def test_cfg_subids_make_the_session_id_and_config(tmp_path: Path, quickfix_spec: Path) -> None:
    cfg = write_cfg(tmp_path, "initiator", "quickfix44", 5001, quickfix_spec, SUBIDS)
    ours_settings, real_settings = ours.SessionSettings(str(cfg)), real.SessionSettings(str(cfg))
    (ours_id,) = ours_settings.getSessions()
    (real_id,) = real_settings.getSessions()
    # The same session, the same values read; only fixwire.quickfix's SessionID carries them.
    for key in ("SenderSubID", "SenderLocationID", "TargetSubID", "TargetLocationID"):
        assert ours_settings.get(ours_id).getString(key) == real_settings.get(real_id).getString(
            key
        )
    assert real_id.toString() == "FIX.4.4:CLIENT-5001->BROKER-5001"
    assert ours_id.toString() == "FIX.4.4:CLIENT-5001/desk/NY->BROKER-5001/book/LDN"
    assert ours_id.getSenderCompID().getValue() == real_id.getSenderCompID().getValue()
    assert (ours_id.getSenderSubID(), ours_id.getTargetLocationID()) == ("desk", "LDN")
    parsed = ours.SessionID()
    parsed.fromString(ours_id.toString())
    assert parsed == ours_id
    config, _ = session_config(ours_id, ours_settings.get(ours_id))
    assert config.qualifiers == ("desk", "NY", "book", "LDN")


def test_sessions_told_apart_by_subid_alone(tmp_path: Path, quickfix_spec: Path) -> None:
    """Two sessions that differ only by SenderSubID: two SessionIDs here, as in QuickFIX/J;
    QuickFIX 1.16, which skips the key, sees one session twice.
    """
    cfg = write_cfg(tmp_path, "initiator", "quickfix44", 5001, quickfix_spec)
    text = cfg.read_text()
    session = text[text.index("[SESSION]") :]
    cfg.write_text(
        text.replace("[SESSION]\n", "[SESSION]\nSenderSubID=a\n")
        + session.replace("[SESSION]\n", "[SESSION]\nSenderSubID=b\n")
    )
    ids = sorted(s.toString() for s in ours.SessionSettings(str(cfg)).getSessions())
    assert ids == ["FIX.4.4:CLIENT-5001/a->BROKER-5001", "FIX.4.4:CLIENT-5001/b->BROKER-5001"]
    with pytest.raises(real.ConfigError, match="Duplicate Session"):
        real.SessionSettings(str(cfg))


class Headers(Waiter):
    """An application that records, for every message it receives, its MsgType and the four
    header fields; with ``stamp`` it writes them on every message it sends (what a QuickFIX
    1.16 application has to do).
    """

    def __init__(self, fix: ModuleType, stamp: bool) -> None:
        super().__init__()
        self.fix = fix
        self.session_id: Any = None
        recorder = self

        def stamped(message: Any) -> None:
            if stamp:
                header = message.getHeader()
                for tag, value in HEADER:
                    header.setField(tag, value)

        def record(callback: str, message: Any) -> None:
            header = message.getHeader()
            subids = [(t, header.getField(t)) for t, _ in HEADER if header.isSetField(t)]
            recorder.add(callback, header.getField(35), subids)

        class App(fix.Application):  # type: ignore[name-defined,misc]
            def onCreate(self, sessionID: Any) -> None:
                recorder.session_id = sessionID

            def onLogon(self, sessionID: Any) -> None:
                recorder.add("onLogon")

            def onLogout(self, sessionID: Any) -> None:
                recorder.add("onLogout")

            def toAdmin(self, message: Any, sessionID: Any) -> None:
                stamped(message)

            def toApp(self, message: Any, sessionID: Any) -> None:
                stamped(message)

            def fromAdmin(self, message: Any, sessionID: Any) -> None:
                record("fromAdmin", message)

            def fromApp(self, message: Any, sessionID: Any) -> None:
                record("fromApp", message)

        self.app = App()


def run(
    client_engine: ModuleType, folder: Path, spec: Path, server_engine: ModuleType = real
) -> tuple[list[Any], list[Any]]:
    """A QuickFIX acceptor's record of a session with ``client_engine``'s initiator: Logon,
    a NewOrderSingle <D>, a TestRequest <1> and its Heartbeat <0>, Logout.
    """
    port = free_port()
    server = Headers(server_engine, stamp=False)
    client = Headers(client_engine, stamp=client_engine is real)
    client_cfg = write_cfg(folder, "initiator", "quickfix44", port, spec, SUBIDS)
    # A fixwire.quickfix acceptor is given the SubIDs and LocationIDs too, seen from its side.
    server_cfg = write_cfg(
        folder, "acceptor", "quickfix44", port, spec, "" if server_engine is real else REVERSED
    )
    fix, fix44 = client_engine, version_module(client_engine, "quickfix44")
    with logged_on(client, server, client_cfg, server_cfg):
        order = fix44.NewOrderSingle()
        order.setField(fix.ClOrdID("ord-1"))
        order.setField(fix.Symbol("KXHIGHNY"))
        order.setField(fix.Side(fix.Side_BUY))
        order.setField(fix.TransactTime())
        order.setField(fix.OrderQty(10))
        order.setField(fix.OrdType(fix.OrdType_MARKET))
        assert fix.Session.sendToTarget(order, client.session_id)
        server.wait_count("fromApp", 1)
        ping = fix.Message()
        ping.getHeader().setField(fix.MsgType("1"))
        ping.setField(fix.TestReqID("ping"))
        assert fix.Session.sendToTarget(ping, client.session_id)
        client.wait_for(lambda seen: any(s[:2] == ("fromAdmin", "0") for s in seen), "0")
    return server.seen, client.seen


def test_subids_from_the_cfg_are_on_the_wire(tmp_path: Path, quickfix_spec: Path) -> None:
    (tmp_path / "q").mkdir()
    (tmp_path / "f").mkdir()
    by_hand, _ = run(real, tmp_path / "q", quickfix_spec)
    from_cfg, _ = run(ours, tmp_path / "f", quickfix_spec)
    assert [r[:2] for r in by_hand] == [
        ("fromAdmin", "A"),
        ("onLogon",),
        ("fromApp", "D"),
        ("fromAdmin", "1"),
        ("fromAdmin", "5"),
        ("onLogout",),
    ]
    assert all(r[2] == HEADER for r in by_hand if len(r) == 3)
    assert from_cfg == by_hand


def test_an_acceptor_with_subids_takes_a_quickfix_initiator(
    tmp_path: Path, quickfix_spec: Path
) -> None:
    """A fixwire.quickfix acceptor whose session has the four settings takes the Logon of a
    QuickFIX initiator that writes them by hand (the session of those SubIDs is found), sees
    what a QuickFIX acceptor sees, and writes its own in every answer.
    """
    (tmp_path / "q").mkdir()
    (tmp_path / "f").mkdir()
    reference, _ = run(real, tmp_path / "q", quickfix_spec)
    seen, answers = run(real, tmp_path / "f", quickfix_spec, server_engine=ours)
    assert seen == reference
    reversed_header = [(50, "book"), (142, "LDN"), (57, "desk"), (143, "NY")]
    received = [r for r in answers if len(r) == 3]
    assert [r[1] for r in received] == ["A", "0", "5"]
    assert all(r[2] == reversed_header for r in received)
