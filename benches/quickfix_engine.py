"""QuickFIX in this process, as the benchmarks' acceptor and as the reference initiator.

``tests/support/quickfix_peer.py`` runs QuickFIX for interop tests, and its settings suit
them: a FileLog of every message, dictionary validation, and an application that records what
arrives but cannot answer it. (Nor can benches import it: ``tests`` is not a package, so mypy
would see that file under two module names.) A latency benchmark needs the opposite, so this
module sets QuickFIX up the way the fixwire side of a comparison runs:

* a MemoryStore and no log (fixwire's sessions use a MemoryStore and log nothing);
* ``UseDataDictionary=N``: neither side validates application messages against a dictionary
  (fixwire's ``SessionConfig.dictionary`` is None). The session-level checks (sequence numbers,
  CompIDs, SendingTime within 120 s) stay on in both. The benchmark order has no TransactTime
  <60>, which FIX50SP2 requires in a NewOrderSingle, so validation would reject it anyway;
* applications that answer or send from inside QuickFIX's callbacks, as QuickFIX intends (its
  own Executor example answers in ``fromApp``), so no thread hand-off adds to a round trip.

QuickFIX 1.16 has no setting for the acceptor's listening address: it listens on every
interface, on a port chosen free on 127.0.0.1 just before. Its initiator connects to 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import quickfix

__all__ = ["Answerer", "QuickFixEngine", "Sender", "free_port"]

Reader = Callable[[int], str]
"""Reads a body field of an inbound message as text."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now: QuickFIX's acceptor needs its port up front."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Answerer(quickfix.Application):  # type: ignore[misc]  # quickfix ships no types
    """An acceptor's application: answers each NewOrderSingle <35=D> with the fields ``answer``
    returns, as an ExecutionReport <35=8>, from inside ``fromApp``.

    Exceptions never reach QuickFIX's C++: they are kept in :attr:`errors`.
    """

    def __init__(self, answer: Callable[[Reader, int], list[tuple[int, str]]]) -> None:
        super().__init__()
        self._answer = answer
        self._exec_ids = 0
        #: Exceptions raised in a callback, as text.
        self.errors: list[str] = []

    @property
    def answered(self) -> int:
        """NewOrderSingles answered so far."""
        return self._exec_ids

    def onCreate(self, sessionID: Any) -> None:  # QuickFIX's names
        pass

    def onLogon(self, sessionID: Any) -> None:
        pass

    def onLogout(self, sessionID: Any) -> None:
        pass

    def toAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def fromAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def toApp(self, message: Any, sessionID: Any) -> None:
        pass

    def fromApp(self, message: Any, sessionID: Any) -> None:
        try:
            if message.getHeader().getField(35) != "D":
                return
            self._exec_ids += 1
            report = quickfix.Message()
            report.getHeader().setField(35, "8")
            for tag, value in self._answer(message.getField, self._exec_ids):
                report.setField(tag, value)
            if not quickfix.Session.sendToTarget(report, sessionID):
                self.errors.append("sendToTarget refused the ExecutionReport")
        except Exception as e:  # C++ must never see a Python exception.
            self.errors.append(repr(e))


class Sender(quickfix.Application):  # type: ignore[misc]
    """An initiator's application: hands each ExecutionReport's ClOrdID <11> to
    :attr:`on_report`, with the ``time.perf_counter_ns()`` read first thing in ``fromApp``.

    ``on_report`` runs on QuickFIX's thread and may send the next order from there; it must not
    raise.
    """

    def __init__(self) -> None:
        super().__init__()
        self.session_id: Any = None
        self.logged_on = threading.Event()
        self.on_report: Callable[[int, str | None], None] | None = None

    def send(self, msg_type: str, fields: list[tuple[int, str]]) -> None:
        """Builds a message from ``fields`` and sends it (``Session.sendToTarget``).

        Raises:
            RuntimeError: QuickFIX did not send it (not logged on).
        """
        message = quickfix.Message()
        message.getHeader().setField(35, msg_type)
        for tag, value in fields:
            message.setField(tag, value)
        if not quickfix.Session.sendToTarget(message, self.session_id):
            raise RuntimeError(f"QuickFIX did not send MsgType {msg_type!r}")

    def onCreate(self, sessionID: Any) -> None:
        self.session_id = sessionID

    def onLogon(self, sessionID: Any) -> None:
        self.logged_on.set()

    def onLogout(self, sessionID: Any) -> None:
        pass

    def toAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def fromAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def toApp(self, message: Any, sessionID: Any) -> None:
        pass

    def fromApp(self, message: Any, sessionID: Any) -> None:
        arrived = time.perf_counter_ns()
        on_report = self.on_report
        if on_report is None:
            return
        try:
            report = message.getHeader().getField(35) == "8" and message.isSetField(11)
            cl_ord_id = str(message.getField(11)) if report else None
        except Exception:  # C++ must never see a Python exception.
            cl_ord_id = None
        on_report(arrived, cl_ord_id)


class QuickFixEngine:
    """One QuickFIX FIXT.1.1 session (FIX50SP2 application messages) in this process.

    Args:
        directory: Where the settings file goes.
        application: The QuickFIX application.
        role: ``"acceptor"`` listens on ``port``; ``"initiator"`` connects to 127.0.0.1:``port``.
        sender_comp_id: QuickFIX's SenderCompID <49>.
        target_comp_id: The peer's CompID.
        port: The port.
    """

    def __init__(
        self,
        directory: Path,
        application: Answerer | Sender,
        *,
        role: Literal["acceptor", "initiator"],
        sender_comp_id: str,
        target_comp_id: str,
        port: int,
    ) -> None:
        where = (
            {"SocketAcceptPort": str(port)}
            if role == "acceptor"
            else {
                "SocketConnectHost": "127.0.0.1",
                "SocketConnectPort": str(port),
                "ReconnectInterval": "1",
            }
        )
        session = {
            "BeginString": "FIXT.1.1",
            "SenderCompID": sender_comp_id,
            "TargetCompID": target_comp_id,
        }
        defaults = {
            "ConnectionType": role,
            "DefaultApplVerID": "FIX.5.0SP2",
            # A session all day long. NonStopSession=Y says the same, but then a Logout takes
            # QuickFIX a whole second to complete.
            "StartTime": "00:00:00",
            "EndTime": "00:00:00",
            "HeartBtInt": "30",
            "UseDataDictionary": "N",
            "SocketNodelay": "Y",
            "SocketReuseAddress": "Y",
            **where,
        }
        path = directory / f"quickfix-{role}.cfg"
        path.write_text(
            "".join(
                f"[{name}]\n" + "".join(f"{k}={v}\n" for k, v in section.items())
                for name, section in (("DEFAULT", defaults), ("SESSION", session))
            ),
            encoding="utf-8",
        )
        self.session_id = quickfix.SessionID("FIXT.1.1", sender_comp_id, target_comp_id)
        engine = quickfix.SocketAcceptor if role == "acceptor" else quickfix.SocketInitiator
        # quickfix's wrapper keeps the application, the factory and the settings alive with it.
        self._engine: Any = engine(
            application, quickfix.MemoryStoreFactory(), quickfix.SessionSettings(str(path))
        )
        self._started = False

    def start(self) -> None:
        """Starts QuickFIX's thread: the acceptor listens, the initiator connects."""
        self._engine.start()
        self._started = True

    def stop(self) -> None:
        """Stops QuickFIX at once (no Logout <5>), joins its thread, and lets the engine go: that
        deletes its session from QuickFIX's process-wide registry.

        Up to a second: QuickFIX's thread sees the stop when its poll loop's fixed one-second
        timer next runs out (it runs its session timers, a Logout included, on the same tick).
        Only while that thread is idle: in QuickFIX 1.16, a stop racing with the thread's
        handling of a connection that just closed can crash the process (see
        ``session_peer.py``).
        """
        engine, self._engine = self._engine, None
        if engine is not None and self._started:
            engine.stop(True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
