"""SessionQualifier in a ``.cfg``: initiator sessions that differ only by their qualifier.

QuickFIX makes the qualifier part of the SessionID (``FIX.4.4:CLIENT->BROKER:EAST``), so two
initiator sessions with the same BeginString and CompIDs can connect to two counterparties.
The proof runs one initiator ``.cfg`` with two such sessions on real QuickFIX and on
fixwire.quickfix against the same two acceptors (a QuickFIX one and a fixwire.quickfix one:
one process cannot hold the same acceptor session twice in one engine's registry), sends an
order on each session by its SessionID, and compares what each side saw.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import quickfix as real

import fixwire.quickfix as ours
from quickfix_apps import Waiter, free_port, version_module

QUALIFIERS = ("EAST", "WEST")


@pytest.fixture(scope="module", autouse=True)
def _spec(quickfix_spec: Path) -> None:
    ours.use_spec(quickfix_spec)


def _common(folder: Path, role: str, spec: Path) -> str:
    return (
        "[DEFAULT]\n"
        f"ConnectionType={role}\n"
        "StartTime=00:00:00\nEndTime=00:00:00\n"
        f"DataDictionary={spec / 'FIX44.xml'}\n"
        f"FileStorePath={folder / (role + '-store')}\n"
        f"FileLogPath={folder / (role + '-log')}\n"
        "BeginString=FIX.4.4\n"
    )


def initiator_cfg(folder: Path, spec: Path, ports: tuple[int, int]) -> Path:
    """Two initiator sessions CLIENT->BROKER, told apart by SessionQualifier alone."""
    text = _common(folder, "initiator", spec)
    for qualifier, port in zip(QUALIFIERS, ports, strict=True):
        text += (
            "[SESSION]\n"
            f"SessionQualifier={qualifier}\n"
            "SenderCompID=CLIENT\nTargetCompID=BROKER\n"
            f"SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
            "HeartBtInt=30\nReconnectInterval=1\n"
        )
    path = folder / "initiator.cfg"
    path.write_text(text)
    return path


def acceptor_cfg(folder: Path, spec: Path, port: int, extra: str = "") -> Path:
    """One acceptor session BROKER->CLIENT on ``port``."""
    text = _common(folder, "acceptor", spec) + (
        f"[SESSION]\n{extra}SenderCompID=BROKER\nTargetCompID=CLIENT\nSocketAcceptPort={port}\n"
    )
    path = folder / f"acceptor-{port}.cfg"
    path.write_text(text)
    return path


def test_cfg_qualifier_is_part_of_the_session_id(tmp_path: Path, quickfix_spec: Path) -> None:
    cfg = initiator_cfg(tmp_path, quickfix_spec, (5001, 5002))
    ids = {}
    for fix in (real, ours):
        settings = fix.SessionSettings(str(cfg))
        ids[fix] = sorted(
            (s.toString(), s.getSessionQualifier(), settings.get(s).getInt("SocketConnectPort"))
            for s in settings.getSessions()
        )
    assert ids[real] == [
        ("FIX.4.4:CLIENT->BROKER:EAST", "EAST", 5001),
        ("FIX.4.4:CLIENT->BROKER:WEST", "WEST", 5002),
    ]
    assert ids[ours] == ids[real]
    parsed = ours.SessionID()
    parsed.fromString("FIX.4.4:CLIENT->BROKER:EAST")
    assert parsed == ours.SessionID("FIX.4.4", "CLIENT", "BROKER", "EAST")
    assert parsed != ours.SessionID("FIX.4.4", "CLIENT", "BROKER")


def test_an_acceptor_session_with_a_qualifier_is_refused(
    tmp_path: Path, quickfix_spec: Path
) -> None:
    """QuickFIX finds an acceptor's session from the Logon's CompIDs, which carry no
    qualifier; fixwire.quickfix says so when the acceptor is made.
    """
    cfg = acceptor_cfg(tmp_path, quickfix_spec, free_port(), "SessionQualifier=EAST\n")
    settings = ours.SessionSettings(str(cfg))
    with pytest.raises(ours.ConfigError, match="SessionQualifier can only be used with initiator"):
        ours.SocketAcceptor(Peer(ours).app, ours.MemoryStoreFactory(), settings)


class Peer(Waiter):
    """An application that records its sessions' logons and the orders it receives."""

    def __init__(self, fix: ModuleType) -> None:
        super().__init__()
        self.fix = fix
        self.ids: list[Any] = []
        peer = self

        class App(fix.Application):  # type: ignore[name-defined,misc]
            def onCreate(self, sessionID: Any) -> None:
                peer.ids.append(sessionID)

            def onLogon(self, sessionID: Any) -> None:
                peer.add("onLogon", sessionID.toString())

            def onLogout(self, sessionID: Any) -> None:
                peer.add("onLogout", sessionID.toString())

            def toAdmin(self, message: Any, sessionID: Any) -> None:
                pass

            def fromAdmin(self, message: Any, sessionID: Any) -> None:
                pass

            def toApp(self, message: Any, sessionID: Any) -> None:
                pass

            def fromApp(self, message: Any, sessionID: Any) -> None:
                peer.add("fromApp", sessionID.toString(), message.getField(11))

        self.app = App()


def run(client_engine: ModuleType, folder: Path, spec: Path) -> dict[str, list[Any]]:
    """What the initiator of ``client_engine`` and the two acceptors saw: a Logon on each
    qualified session, an order sent on each by its SessionID, an order sent by CompIDs
    alone (no such session), then Logout.
    """
    ports = (free_port(), free_port())
    client = Peer(client_engine)
    servers = (Peer(real), Peer(ours))
    folder.mkdir()
    # QuickFIX's engines keep raw pointers to their arguments: they must outlive them.
    keep: list[Any] = []
    acceptors = []
    for server, port in zip(servers, ports, strict=True):
        settings = server.fix.SessionSettings(str(acceptor_cfg(folder, spec, port)))
        keep += [settings, server.fix.MemoryStoreFactory()]
        acceptors.append(server.fix.ThreadedSocketAcceptor(server.app, keep[-1], settings))
    settings = client_engine.SessionSettings(str(initiator_cfg(folder, spec, ports)))
    keep += [settings, client_engine.MemoryStoreFactory()]
    initiator = client_engine.SocketInitiator(client.app, keep[-1], settings)
    fix, fix44 = client_engine, version_module(client_engine, "quickfix44")
    not_found = []
    for acceptor in acceptors:
        acceptor.start()
    try:
        initiator.start()
        try:
            client.wait_count("onLogon", 2)
            for session_id in sorted(client.ids, key=lambda s: s.toString()):
                order = fix44.NewOrderSingle()
                order.setField(fix.ClOrdID(f"via-{session_id.getSessionQualifier()}"))
                order.setField(fix.Symbol("KXHIGHNY"))
                order.setField(fix.Side(fix.Side_BUY))
                order.setField(fix.TransactTime())
                order.setField(fix.OrderQty(10))
                order.setField(fix.OrdType(fix.OrdType_MARKET))
                assert fix.Session.sendToTarget(order, session_id)
            for server in servers:
                server.wait_count("fromApp", 1)
            try:
                fix.Session.sendToTarget(fix44.NewOrderSingle(), "CLIENT", "BROKER")
            except fix.SessionNotFound:
                not_found.append("SessionNotFound")
            for session_id in client.ids:
                fix.Session.lookupSession(session_id).logout()
            client.wait_count("onLogout", 2)
            for server in servers:
                server.wait_count("onLogout", 1)
        finally:
            initiator.stop(True)
    finally:
        for acceptor in acceptors:
            acceptor.stop(True)
    return {
        "client": sorted(client.seen),
        "quickfix acceptor": servers[0].seen,
        "fixwire acceptor": servers[1].seen,
        "not found": not_found,
    }


def test_two_sessions_differing_by_qualifier_trade_apart(
    tmp_path: Path, quickfix_spec: Path
) -> None:
    reference = run(real, tmp_path / "q", quickfix_spec)
    assert reference["client"] == [
        ("onLogon", "FIX.4.4:CLIENT->BROKER:EAST"),
        ("onLogon", "FIX.4.4:CLIENT->BROKER:WEST"),
        ("onLogout", "FIX.4.4:CLIENT->BROKER:EAST"),
        ("onLogout", "FIX.4.4:CLIENT->BROKER:WEST"),
    ]
    assert reference["quickfix acceptor"] == [
        ("onLogon", "FIX.4.4:BROKER->CLIENT"),
        ("fromApp", "FIX.4.4:BROKER->CLIENT", "via-EAST"),
        ("onLogout", "FIX.4.4:BROKER->CLIENT"),
    ]
    assert reference["fixwire acceptor"][1] == ("fromApp", "FIX.4.4:BROKER->CLIENT", "via-WEST")
    assert reference["not found"] == ["SessionNotFound"]
    assert run(ours, tmp_path / "f", quickfix_spec) == reference
