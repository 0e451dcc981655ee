"""QuickFIX's acceptor, configured as QuickFIX's own acceptance tests configure theirs: the control.

One ``ThreadedSocketAcceptor`` on 127.0.0.1, in a process of its own (see
:class:`QuickFixAcceptor`), serves every session of a run: SenderCompID <49>
``ISLD``, one session per (BeginString, counterparty CompID) so that scripts run side by side,
each version with QuickFIX's own dictionary (FIX40.xml ... FIX44.xml; FIXT11.xml with
FIX50SP2.xml and DefaultApplVerID FIX.5.0SP2), full validation, in-memory stores and a FileLog
per session (read back into failure messages).

The application does what QuickFIX's test application does: a NewOrderSingle <D> is echoed
back, unless it carries PossResend <97>=Y and its ClOrdID <11> was seen on this session since the
last logout; every other application message is unsupported (QuickFIX answers
BusinessMessageReject <j> with BusinessRejectReason <380>=3, or a Reject <3> before FIX.4.2).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import quickfix as fix

from conformance_script import ACCEPTOR

__all__ = ["QuickFixAcceptor", "dictionary_settings"]

_DICTIONARIES = {
    "FIX.4.0": "FIX40.xml",
    "FIX.4.1": "FIX41.xml",
    "FIX.4.2": "FIX42.xml",
    "FIX.4.3": "FIX43.xml",
    "FIX.4.4": "FIX44.xml",
}


def dictionary_settings(spec: Path, version: str) -> dict[str, str]:
    """QuickFIX's dictionary settings for a session of ``version``."""
    if version == "FIXT.1.1":
        return {
            "TransportDataDictionary": str(spec / "FIXT11.xml"),
            "AppDataDictionary": str(spec / "FIX50SP2.xml"),
            "DefaultApplVerID": "FIX.5.0SP2",
        }
    return {"DataDictionary": str(spec / _DICTIONARIES[version])}


class _Echo(fix.Application):  # type: ignore[misc]  # quickfix ships no types
    """QuickFIX's test application: echo orders, refuse every other application message."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._orders: set[tuple[str, str]] = set()

    def onCreate(self, sessionID: Any) -> None:
        pass

    def onLogon(self, sessionID: Any) -> None:
        pass

    def onLogout(self, sessionID: Any) -> None:
        with self._lock:
            self._orders = {o for o in self._orders if o[1] != sessionID.toString()}

    def toAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def toApp(self, message: Any, sessionID: Any) -> None:
        pass

    def fromAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def fromApp(self, message: Any, sessionID: Any) -> None:
        header = message.getHeader()
        if header.getField(35) != "D":
            raise fix.UnsupportedMessageType()
        order = (message.getField(11), sessionID.toString())
        resend = header.isSetField(97) and header.getField(97) == "Y"
        with self._lock:
            if resend and order in self._orders:
                return
            self._orders.add(order)
        fix.Session.sendToTarget(fix.Message(message), sessionID)


class QuickFixAcceptor:
    """The QuickFIX acceptor of one run, in a process of its own.

    Not in the test's process: after closing a connection itself, QuickFIX 1.16's threaded
    acceptor polls and reads the closed descriptor once more, and by then the number may belong
    to another socket of the process. In the test's process that is often one of the scripts'
    own client sockets, whose data QuickFIX then swallows; alone in its process, QuickFIX can
    only meet its own sockets, and every script runs in a session and connection of its own.

    Args:
        directory: Where the settings file and the logs go.
        spec: QuickFIX's spec directory (FIX40.xml ... FIX50SP2.xml, FIXT11.xml).
        port: The port to listen on.
        sessions: Each session as (BeginString, counterparty CompID, extra QuickFIX settings).
    """

    def __init__(
        self,
        directory: Path,
        spec: Path,
        port: int,
        sessions: Iterable[tuple[str, str, dict[str, str]]],
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.log_directory = directory / "log"
        defaults = {
            "ConnectionType": "acceptor",
            "SocketAcceptHost": "127.0.0.1",
            "SocketAcceptPort": str(port),
            "SocketReuseAddress": "Y",
            "SocketNodelay": "Y",
            "StartTime": "00:00:00",
            "EndTime": "00:00:00",
            "UseDataDictionary": "Y",
            "FileLogPath": str(self.log_directory),
        }
        text = "[DEFAULT]\n" + "".join(f"{k}={v}\n" for k, v in defaults.items())
        for version, counterparty, settings in sessions:
            section = {
                "BeginString": version,
                "SenderCompID": ACCEPTOR,
                "TargetCompID": counterparty,
                **dictionary_settings(spec, version),
                **settings,
            }
            text += "[SESSION]\n" + "".join(f"{k}={v}\n" for k, v in section.items())
        self.settings_path = directory / "acceptor.cfg"
        self.settings_path.write_text(text, encoding="utf-8")
        self._process: subprocess.Popen[str] | None = None

    def launch(self) -> None:
        """Starts the acceptor's process (loading FIX50SP2.xml for every FIXT.1.1 session takes
        QuickFIX seconds): see :meth:`listening`.
        """
        self._process = subprocess.Popen(
            [sys.executable, __file__, str(self.settings_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            # The runner's imports (script, fixtext) resolve as they do here.
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )

    def listening(self, timeout: float = 120.0) -> None:
        """Returns once the launched acceptor listens (blocking: call it from a thread).

        Raises:
            RuntimeError: The process ended, or did not say it listens within ``timeout`` s.
        """
        process = self._process
        if process is None or process.stdout is None:
            raise RuntimeError("QuickFIX's acceptor was not launched")
        ready = select.select([process.stdout], [], [], timeout)[0]
        line = process.stdout.readline() if ready else ""
        if line.strip() != "listening":
            self.stop()
            raise RuntimeError(f"QuickFIX's acceptor did not start: {line!r}")

    def stop(self) -> None:
        """Stops the acceptor (closing its stdin tells it to) and waits for its process."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def events(self, version: str, counterparty: str) -> str:
        """QuickFIX's event log for a session: what it did and why."""
        path = self.log_directory / f"{version}-{ACCEPTOR}-{counterparty}.event.current.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _serve(settings_path: str) -> None:
    """The acceptor's process: listen until stdin closes."""
    settings = fix.SessionSettings(settings_path)
    application = _Echo()
    # Threaded: a thread per connection, so that slow scripts do not hold up others (and
    # SocketAcceptor's stop() races its own thread; see quickfix_peer.py).
    engine = fix.ThreadedSocketAcceptor(
        application, fix.MemoryStoreFactory(), settings, fix.FileLogFactory(settings)
    )
    engine.start()
    print("listening", flush=True)
    sys.stdin.read()
    engine.stop(True)


if __name__ == "__main__":
    _serve(sys.argv[1])
