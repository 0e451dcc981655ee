"""QuickFIX-style applications for the differential tests, written once for either engine.

Every class here takes the QuickFIX module it runs on (``quickfix`` or ``fixwire.quickfix``)
and the version module (``quickfix44`` ...), and uses nothing else, as a QuickFIX program
would: so the same code runs on real QuickFIX and on fixwire.quickfix. Each application
records what it sees (callbacks, and the fields of each message it reads) in ``seen``; the
tests compare the two engines' records. Waits are bounded (``Waiter``), never sleeps.
"""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import quickfix

import fixwire.quickfix

ENGINES: dict[str, ModuleType] = {"quickfix": quickfix, "fixwire": fixwire.quickfix}
# Fields that differ from run to run (times, lengths, sums) are left out of the records.
VOLATILE = frozenset((9, 10, 52, 60, 122))
WAIT = 10.0
# What the records keep of a session-level message: its header's MsgSeqNum <34>,
# PossDupFlag <43> and SenderSubID <50>, and the body fields both engines must agree on (not
# Text <58>, whose wording is free, nor times).
ADMIN_HEADER = [34, 43, 50]
ADMIN_BODY = [7, 16, 36, 45, 108, 112, 123, 141, 371, 372, 373, 553]


def version_module(fix: ModuleType, name: str) -> ModuleType:
    """The version module ``name`` (``"quickfix44"``) of engine ``fix``."""
    if fix is quickfix:
        return importlib.import_module(name)
    return importlib.import_module(f"fixwire.quickfix.{name}")


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Waiter:
    """A record of events and a bounded wait for a condition over it."""

    def __init__(self) -> None:
        self.seen: list[tuple[Any, ...]] = []
        self._changed = threading.Condition()

    def add(self, *item: Any) -> None:
        with self._changed:
            self.seen.append(item)
            self._changed.notify_all()

    def wait_for(self, test: Callable[[list[tuple[Any, ...]]], bool], what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: test(self.seen), timeout=WAIT):
                raise AssertionError(f"timed out waiting for {what}; seen: {self.seen}")

    def count(self, name: str) -> int:
        return sum(1 for item in self.seen if item[0] == name)

    def wait_count(self, name: str, n: int) -> None:
        """Wait until ``n`` records named ``name`` are in."""
        self.wait_for(lambda seen: sum(1 for item in seen if item[0] == name) >= n, f"{n} {name}")


def wait_until(test: Callable[[], bool], what: str) -> None:
    """Waits, at most ``WAIT`` seconds, for ``test()``: for state an engine changes without
    a callback (its sequence numbers move after the callback returns).
    """
    ticks = threading.Event()
    deadline = time.monotonic() + WAIT
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        ticks.wait(0.005)


def fields_of(fix: ModuleType, message: Any, tags: list[int]) -> list[tuple[int, str]]:
    """The tags of ``tags`` that ``message`` has, read through the int-tag overload."""
    return [(t, message.getField(t)) for t in tags if message.isSetField(t)]


class Recorder(Waiter):
    """The callbacks both applications record, every session-level message included.

    ``sub_id``, when set, is the SenderSubID <50> that ``toAdmin`` adds to every session-level
    message this application sends.
    """

    def __init__(self, fix: ModuleType, version: str, sub_id: str = "") -> None:
        super().__init__()
        self.fix = fix
        self.v = version_module(fix, version)
        self.sub_id = sub_id
        self.session_id: Any = None
        self.keep: list[Any] = []

    def _msg_type(self, message: Any) -> str:
        return str(message.getHeader().getField(35))

    # CompIDs differ from run to run (QuickFIX keeps every session of a process in one
    # registry); the records name sessions by BeginString.
    def on_create(self, session_id: Any) -> None:
        self.session_id = session_id
        self.add("onCreate", session_id.getBeginString().getValue())

    def on_logon(self, session_id: Any) -> None:
        self.add("onLogon", session_id.getBeginString().getValue())

    def on_logout(self, session_id: Any) -> None:
        self.add("onLogout", session_id.getBeginString().getValue())

    def admin(self, callback: str, message: Any) -> None:
        header = message.getHeader()
        self.add(
            callback,
            self._msg_type(message),
            [(t, header.getField(t)) for t in ADMIN_HEADER if header.isSetField(t)],
            fields_of(self.fix, message, ADMIN_BODY),
        )


def application(fix: ModuleType, recorder: Recorder, answer: Callable[[Any, Any], None]) -> Any:
    """A ``fix.Application`` subclass instance that reports to ``recorder`` and hands each
    inbound application message to ``answer(message, sessionID)``.
    """

    class App(fix.Application):  # type: ignore[name-defined,misc]
        def onCreate(self, sessionID: Any) -> None:
            recorder.on_create(sessionID)

        def onLogon(self, sessionID: Any) -> None:
            recorder.on_logon(sessionID)

        def onLogout(self, sessionID: Any) -> None:
            recorder.on_logout(sessionID)

        def toAdmin(self, message: Any, sessionID: Any) -> None:
            header = message.getHeader()
            # Username <553> and Password <554> are defined from FIX.4.3 on.
            if header.getField(35) == "A" and header.getField(8) >= "FIX.4.3":
                message.setField(fix.Username("trader"))
                message.setField(fix.Password("secret"))
            if recorder.sub_id:
                header.setField(fix.SenderSubID(recorder.sub_id))
            recorder.admin("toAdmin", message)

        def fromAdmin(self, message: Any, sessionID: Any) -> None:
            recorder.admin("fromAdmin", message)

        def toApp(self, message: Any, sessionID: Any) -> None:
            text = message.getField(58) if message.isSetField(58) else ""
            header = message.getHeader()
            if header.isSetField(43) and header.getField(43) == "Y":
                # A resend: from the engine's thread on both engines, so recorded in order.
                recorder.add(
                    "toApp",
                    recorder._msg_type(message),
                    [(t, header.getField(t)) for t in (34, 43) if header.isSetField(t)],
                    header.isSetField(122),
                    message.getField(11),
                    message.groupCount(453),
                )
                if text == "no resend":
                    raise fix.DoNotSend()
            if text == "do not send":
                raise fix.DoNotSend()

        def fromApp(self, message: Any, sessionID: Any) -> None:
            try:
                answer(message, sessionID)
            except Exception as e:
                if isinstance(e, fix.FIXException):
                    raise
                # QuickFIX cannot take other exceptions from a callback (it crashes): record them.
                recorder.add("raised", type(e).__name__, str(e))

    return App()


class Executor(Recorder):
    """An acceptor that answers NewOrderSingle <D>, OrderCancelRequest <F> and
    OrderCancelReplaceRequest <G> with an ExecutionReport <8> each, echoing the order's parties
    and reading every field through typed field objects.
    """

    def __init__(self, fix: ModuleType, version: str) -> None:
        super().__init__(fix, version)
        self.version = version
        self.orders = 0
        self.app = application(fix, self, self.answer)

    def answer(self, message: Any, session_id: Any) -> None:
        fix = self.fix
        msg_type = self._msg_type(message)
        if msg_type not in ("D", "F", "G"):
            self.add("fromApp", msg_type, "unsupported")
            raise fix.UnsupportedMessageType()
        cl_ord_id = fix.ClOrdID()
        side = fix.Side()
        qty = fix.OrderQty()
        symbol = fix.Symbol()
        message.getField(cl_ord_id)
        message.getField(side)
        message.getField(symbol)
        if not message.getFieldIfSet(qty):
            qty.setValue(0.0)
        self.add(
            "fromApp",
            msg_type,
            cl_ord_id.getValue(),
            side.getValue(),
            qty.getValue(),
            symbol.getValue(),
            message.groupCount(453),
        )
        if message.isSetField(58) and message.getField(58) == "missing":
            raise fix.FieldNotFound(44)
        self.orders += 1
        report = self.v.ExecutionReport()
        report.setField(fix.OrderID(f"O-{self.orders}"))
        report.setField(fix.ExecID(f"E-{self.orders}"))
        exec_type = {"D": "0", "F": "4", "G": "5"}[msg_type]
        if self.version == "quickfix42":
            report.setField(fix.ExecTransType("0"))
        report.setField(fix.ExecType(exec_type))
        # OrdStatus <39> Replaced is gone from FIX.4.4: a replaced order is New again.
        report.setField(fix.OrdStatus("0" if msg_type == "G" else exec_type))
        report.setField(cl_ord_id)
        report.setField(side)
        report.setField(symbol)
        report.setField(fix.OrderQty(qty.getValue()))
        report.setField(fix.LeavesQty(0 if msg_type == "F" else qty.getValue()))
        report.setField(fix.CumQty(0))
        report.setField(fix.AvgPx(0))
        if message.isSetField(44):
            price = fix.Price()
            message.getField(price)
            report.setField(fix.Price(price.getValue() * 2))
        if message.groupCount(453):
            party = self.v.ExecutionReport.NoPartyIDs()
            entry = self.v.NewOrderSingle.NoPartyIDs()
            for num in range(1, message.groupCount(453) + 1):
                message.getGroup(num, entry)
                party.setField(fix.PartyID(entry.getField(448)))
                party.setField(fix.PartyIDSource(entry.getField(447)))
                party.setField(fix.PartyRole(int(entry.getField(452))))
                report.addGroup(party)
        fix.Session.sendToTarget(report, session_id)


class TradeClient(Recorder):
    """An initiator that sends orders and records the ExecutionReports it reads; its
    session-level messages carry SenderSubID <50> ``desk-1``, added by ``toAdmin``.
    """

    def __init__(self, fix: ModuleType, version: str) -> None:
        super().__init__(fix, version, "desk-1")
        self.version = version
        self.app = application(fix, self, self.answer)

    def answer(self, message: Any, session_id: Any) -> None:
        fix = self.fix
        msg_type = self._msg_type(message)
        if msg_type == "8":
            status = fix.OrdStatus()
            message.getField(status)
            price = fix.Price()
            priced = message.getFieldIfSet(price)
            parties = []
            for num in range(1, message.groupCount(453) + 1):
                group = self.v.ExecutionReport.NoPartyIDs()
                message.getGroup(num, group)
                party_id = fix.PartyID()
                group.getField(party_id)
                parties.append(party_id.getValue())
            self.add(
                "fromApp",
                "8",
                message.getField(11),
                status.getValue(),
                price.getValue() if priced else None,
                parties,
                fields_of(fix, message, [17, 37, 39, 54, 55, 150, 151]),
            )
        else:
            self.add("fromApp", msg_type, fields_of(fix, message, [45, 58, 372, 380]))

    def test_request(self, test_req_id: str) -> bool:
        """Send a TestRequest <1> of our own (QuickFIX applications may send one)."""
        message = self.fix.Message()
        message.getHeader().setField(self.fix.MsgType("1"))
        message.setField(self.fix.TestReqID(test_req_id))
        return bool(self.fix.Session.sendToTarget(message, self.session_id))

    def order(
        self,
        msg_type: str,
        cl_ord_id: str,
        *,
        parties: int = 0,
        text: str = "",
        extra: tuple[int, str] | None = None,
    ) -> bool:
        fix = self.fix
        cls = {"D": "NewOrderSingle", "F": "OrderCancelRequest", "G": "OrderCancelReplaceRequest"}
        message = getattr(self.v, cls[msg_type])()
        message.setField(fix.ClOrdID(cl_ord_id))
        if msg_type != "D":
            message.setField(fix.OrigClOrdID("ord-1"))
        if msg_type != "F":
            message.setField(fix.HandlInst("1"))
        message.setField(fix.Symbol("KXHIGHNY"))
        message.setField(fix.Side(fix.Side_BUY))
        message.setField(fix.TransactTime())
        message.setField(fix.OrderQty(10 + len(cl_ord_id)))
        if msg_type != "F":
            message.setField(fix.OrdType(fix.OrdType_LIMIT))
            message.setField(fix.Price(0.25))
        if text:
            message.setField(fix.Text(text))
        if extra is not None:
            message.setField(*extra)
        for n in range(parties):
            party = self.v.NewOrderSingle.NoPartyIDs()
            party.setField(fix.PartyID(f"desk-{n}"))
            party.setField(fix.PartyIDSource("D"))
            party.setField(fix.PartyRole(3))
            message.addGroup(party)
        return bool(fix.Session.sendToTarget(message, self.session_id))


_BEGIN = {"quickfix42": "FIX.4.2", "quickfix44": "FIX.4.4", "quickfix50sp2": "FIXT.1.1"}
_DICTIONARY = {"quickfix42": "FIX42.xml", "quickfix44": "FIX44.xml"}


def write_cfg(
    folder: Path, role: str, version: str, port: int, spec: Path, extra: str = ""
) -> Path:
    """A QuickFIX settings file for one session of ``role`` speaking ``version``; the
    CompIDs are ``CLIENT-<port>`` and ``BROKER-<port>``.
    """
    client, broker = f"CLIENT-{port}", f"BROKER-{port}"
    ours, theirs = (client, broker) if role == "initiator" else (broker, client)
    if version == "quickfix50sp2":
        dictionaries = (
            f"TransportDataDictionary={spec / 'FIXT11.xml'}\n"
            f"AppDataDictionary={spec / 'FIX50SP2.xml'}\n"
            "DefaultApplVerID=FIX.5.0SP2\n"
        )
    else:
        dictionaries = f"DataDictionary={spec / _DICTIONARY[version]}\n"
    where = (
        f"SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\nHeartBtInt=30\n"
        "ReconnectInterval=1\n"
        if role == "initiator"
        else f"SocketAcceptPort={port}\n"
    )
    text = (
        "[DEFAULT]\n"
        f"ConnectionType={role}\n"
        "StartTime=00:00:00\nEndTime=00:00:00\n"
        "UseDataDictionary=Y\n"
        f"FileStorePath={folder / (role + '-store')}\n"
        f"FileLogPath={folder / (role + '-log')}\n"
        f"{extra}"
        "[SESSION]\n"
        f"BeginString={_BEGIN[version]}\n"
        f"SenderCompID={ours}\nTargetCompID={theirs}\n"
        f"{where}{dictionaries}"
    )
    path = folder / f"{role}.cfg"
    path.write_text(text)
    return path


def engines(fix: ModuleType, role: str, app: Any, cfg: Path, *, files: bool = False) -> Any:
    """A started-to-be engine of ``fix`` for ``role`` with ``app``'s application (``app.app``,
    kept alive with the engine's other arguments in ``app.keep``).
    """
    settings = fix.SessionSettings(str(cfg))
    store = fix.FileStoreFactory(settings) if files else fix.MemoryStoreFactory()
    logs = fix.FileLogFactory(settings) if files else None
    # QuickFIX's SocketAcceptor can crash in stop(); its threaded acceptor does not.
    kind = fix.SocketInitiator if role == "initiator" else fix.ThreadedSocketAcceptor
    args = [app.app, store, settings] + ([logs] if logs is not None else [])
    # QuickFIX's engine keeps raw pointers to these: they must outlive it.
    app.keep = args
    return kind(*args)


@contextmanager
def logged_on(client: Any, server: Any, client_cfg: Path, server_cfg: Path) -> Iterator[None]:
    """A session between ``client`` and ``server`` (each a :class:`Waiter` with ``fix``,
    ``app`` and ``session_id``, recording ``onLogon`` and ``onLogout``) with memory stores,
    logged on for the ``with`` block, then logged out by the client and stopped.
    """
    acceptor = engines(server.fix, "acceptor", server, server_cfg)
    initiator = engines(client.fix, "initiator", client, client_cfg)
    acceptor.start()
    try:
        initiator.start()
        try:
            client.wait_count("onLogon", 1)
            yield
            # Log out through the session, then stop: QuickFIX's stop() must not race its
            # own callbacks (it crashes when it does).
            client.fix.Session.lookupSession(client.session_id).logout()
            client.wait_count("onLogout", 1)
            server.wait_count("onLogout", 1)
        finally:
            initiator.stop(True)
    finally:
        acceptor.stop(True)
