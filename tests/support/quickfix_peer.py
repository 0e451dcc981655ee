"""A real FIX engine for interop tests: QuickFIX, run in this process as the other side.

:class:`QuickFixPeer` writes a QuickFIX settings file for one or more sessions of one
BeginString (FIXT.1.1 with DefaultApplVerID FIX.5.0SP2 and QuickFIX's own FIXT11.xml and
FIX50SP2.xml as its dictionaries, or FIX.4.x with its FIX4x.xml; a FileStore or MemoryStore, a
FileLog, 127.0.0.1 only) into a directory of its own and runs a
QuickFIX acceptor or initiator from it. QuickFIX runs its own threads; its application
callbacks record what each session hands up into that session's :class:`Recorder`, which is
safe to read from any thread and can be waited on from asyncio without blocking the event loop
(fixwire's side of a test runs there)::

    with QuickFixPeer(tmp_path, spec, role="acceptor", port=free_port(),
                      comp_ids=[("QF", "FW")]) as peer:
        peer.start()
        ...  # connect fixwire, as FW, to peer.port
        qf = peer["FW"]
        await qf.recorder.until(lambda r: r.app_messages("D"))
        qf.send("8", [(37, "O-1"), ...])

Loading FIX50SP2.xml takes QuickFIX seconds, once per engine: one acceptor can serve the
sessions of many tests, each with its own CompIDs, store and logs. QuickFIX's FileLog keeps
every message as it crossed the wire, in both directions; :meth:`PeerSession.wire` reads it
back, for byte comparisons and for failure messages.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self, TypeAlias, TypeVar

import quickfix as fix

__all__ = [
    "Inbound",
    "PeerSession",
    "PeerValue",
    "QuickFixPeer",
    "Recorder",
    "fields_of",
    "free_port",
]

SOH = "\x01"

_T = TypeVar("_T")

#: A value for :meth:`PeerSession.send`: text, or a repeating group as a list of entries.
PeerValue: TypeAlias = "str | Sequence[Sequence[tuple[int, PeerValue]]]"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1: QuickFIX needs its port in the settings, up front."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fields_of(raw: bytes | str) -> list[tuple[int, str]]:
    """The (tag, value) pairs of one FIX message in wire order (no data fields expected)."""
    text = raw.decode("ascii") if isinstance(raw, bytes) else raw
    pairs = []
    for field in text.rstrip(SOH).split(SOH):
        tag, _, value = field.partition("=")
        pairs.append((int(tag), value))
    return pairs


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message QuickFIX's session passed to its application, in the order it did.

    Attributes:
        msg_type: MsgType <35>.
        seq_num: MsgSeqNum <34>.
        possible_duplicate: PossDupFlag <43>=Y.
        admin: Whether it went to ``fromAdmin`` (a session message) rather than ``fromApp``.
        message: A copy of QuickFIX's parsed message (groups included), safe to keep.
    """

    msg_type: str
    seq_num: int
    possible_duplicate: bool
    admin: bool
    message: Any

    def get(self, tag: int) -> str | None:
        """A body field's value, or None."""
        return str(self.message.getField(tag)) if self.message.isSetField(tag) else None

    def header(self, tag: int) -> str | None:
        """A header field's value, or None."""
        header = self.message.getHeader()
        return str(header.getField(tag)) if header.isSetField(tag) else None

    def entries(self, count_tag: int, delimiter: int, tags: Sequence[int]) -> list[list[str]]:
        """The values of ``tags`` in each entry of a repeating group, through QuickFIX's API."""
        found = []
        for i in range(1, int(self.message.groupCount(count_tag)) + 1):
            group = fix.Group(count_tag, delimiter)
            self.message.getGroup(i, group)
            found.append([str(group.getField(tag)) for tag in tags])
        return found


class Recorder:
    """What QuickFIX's application callbacks saw for one session; safe to read and wait on from
    any thread.

    The callbacks run on QuickFIX's threads. Each takes the lock, records, and wakes the
    waiters; none calls back into QuickFIX (its session mutex may be held around the callback,
    so doing so there or in a predicate could deadlock).
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        #: Every message handed up, admin and application, in order.
        self.inbound: list[Inbound] = []
        #: "logon" and "logout", in order.
        self.events: list[str] = []
        #: Between onLogon and onLogout: QuickFIX sends application messages only then.
        self.logged_on = False
        #: Exceptions raised inside a callback (they must not reach QuickFIX's C++).
        self.errors: list[str] = []

    def app_messages(self, msg_type: str | None = None) -> list[Inbound]:
        """The application messages received, optionally of one MsgType."""
        with self._changed:
            return [
                m
                for m in self.inbound
                if not m.admin and (msg_type is None or m.msg_type == msg_type)
            ]

    def admin_messages(self, msg_type: str | None = None) -> list[Inbound]:
        """The session messages received, optionally of one MsgType."""
        with self._changed:
            return [
                m for m in self.inbound if m.admin and (msg_type is None or m.msg_type == msg_type)
            ]

    def wait_until(self, predicate: Callable[[Recorder], _T], timeout: float) -> _T:
        """Blocks until ``predicate(self)`` is truthy and returns it.

        The predicate runs under the recorder's lock, so it must read only the recorder.

        Raises:
            TimeoutError: ``timeout`` seconds passed first.
        """
        with self._changed:
            result = self._changed.wait_for(lambda: predicate(self), timeout)
        if not result:
            raise TimeoutError(f"QuickFIX peer: condition not met within {timeout} s")
        return result

    async def until(self, predicate: Callable[[Recorder], _T], timeout: float = 5.0) -> _T:
        """:meth:`wait_until` from asyncio: waits in a worker thread, the loop keeps running."""
        async with asyncio.timeout(timeout + 1.0):
            return await asyncio.to_thread(self.wait_until, predicate, timeout)

    def record(self, what: Callable[[], None]) -> None:
        """Runs ``what`` under the lock, on a QuickFIX thread, and wakes the waiters."""
        with self._changed:
            try:
                what()
            except Exception as e:  # C++ must never see a Python exception.
                self.errors.append(repr(e))
            self._changed.notify_all()

    def event(self, event: str, *, logged_on: bool) -> None:
        self.events.append(event)
        self.logged_on = logged_on

    def message(self, message: Any, *, admin: bool) -> None:
        header = message.getHeader()
        self.inbound.append(
            Inbound(
                str(header.getField(35)),
                int(header.getField(34)),
                header.isSetField(43) and header.getField(43) == "Y",
                admin,
                fix.Message(message),  # QuickFIX's own is gone after the callback.
            )
        )


class _Application(fix.Application):  # type: ignore[misc]  # quickfix ships no types
    """QuickFIX's callbacks (QuickFIX's names), each handed to its session's recorder."""

    def __init__(self, recorders: dict[str, Recorder]) -> None:
        super().__init__()
        self._recorders = recorders

    def _on(self, session_id: Any, what: Callable[[Recorder], None]) -> None:
        recorder = self._recorders[session_id.toString()]
        recorder.record(lambda: what(recorder))

    def onCreate(self, sessionID: Any) -> None:
        pass

    def onLogon(self, sessionID: Any) -> None:
        self._on(sessionID, lambda r: r.event("logon", logged_on=True))

    def onLogout(self, sessionID: Any) -> None:
        self._on(sessionID, lambda r: r.event("logout", logged_on=False))

    def toAdmin(self, message: Any, sessionID: Any) -> None:
        pass

    def toApp(self, message: Any, sessionID: Any) -> None:
        pass

    def fromAdmin(self, message: Any, sessionID: Any) -> None:
        self._on(sessionID, lambda r: r.message(message, admin=True))

    def fromApp(self, message: Any, sessionID: Any) -> None:
        self._on(sessionID, lambda r: r.message(message, admin=False))


class PeerSession:
    """One of a :class:`QuickFixPeer`'s sessions: what it received, and sending through it."""

    def __init__(
        self,
        sender_comp_id: str,
        target_comp_id: str,
        log_directory: Path,
        begin_string: str = "FIXT.1.1",
    ) -> None:
        self.session_id = fix.SessionID(begin_string, sender_comp_id, target_comp_id)
        self.recorder = Recorder()
        # FileLog's names: <BeginString>-<SenderCompID>-<TargetCompID>.<kind>.current.log
        self._log = log_directory / f"{begin_string}-{sender_comp_id}-{target_comp_id}"

    @property
    def session(self) -> Any:
        """QuickFIX's ``Session`` object (sequence numbers, logon, logout)."""
        session = fix.Session.lookupSession(self.session_id)
        if session is None:
            raise LookupError(f"no QuickFIX session {self.session_id}")
        return session

    def send(self, msg_type: str, fields: Iterable[tuple[int, PeerValue]]) -> None:
        """Sends an application message through QuickFIX (``Session.sendToTarget``).

        Raises:
            RuntimeError: QuickFIX did not send it (not logged on).
        """
        message = fix.Message()
        message.getHeader().setField(fix.MsgType(msg_type))
        _fill(message, fields)
        if not fix.Session.sendToTarget(message, self.session_id):
            raise RuntimeError(f"QuickFIX did not send MsgType {msg_type!r}")

    def wire(self) -> list[bytes]:
        """Every message of this session in QuickFIX's FileLog, both directions, as it crossed
        the wire.
        """
        path = self._log.with_name(self._log.name + ".messages.current.log")
        found = []
        for line in path.read_bytes().splitlines() if path.exists() else []:
            _, sep, raw = line.partition(b" : ")
            if sep:
                found.append(raw)
        return found

    def events_log(self) -> str:
        """QuickFIX's event log for this session: what it did and why (for failure messages)."""
        path = self._log.with_name(self._log.name + ".event.current.log")
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


class QuickFixPeer:
    """A QuickFIX engine, acceptor or initiator, running sessions of one BeginString here.

    Args:
        directory: Where the settings, the stores and the logs go (a ``tmp_path``).
        spec: QuickFIX's spec directory, with FIXT11.xml and FIX50SP2.xml.
        role: ``"acceptor"`` listens on 127.0.0.1:``port``; ``"initiator"`` connects there.
        port: The port to listen on or connect to.
        comp_ids: The sessions, each as (QuickFIX's SenderCompID <49>, the counterparty's).
            QuickFIX keeps a process-wide registry of sessions: every session in a process
            needs its own pair.
        heartbeat_interval: HeartBtInt <108> an initiator proposes.
        store: ``"file"`` (FileStore under ``directory``) or ``"memory"``.
        settings: More settings for every session, overriding the defaults written here.
        begin_string: ``"FIXT.1.1"`` (FIX50SP2.xml over FIXT11.xml) or ``"FIX.4.0"`` to
            ``"FIX.4.4"`` (QuickFIX's FIX40.xml to FIX44.xml).
    """

    def __init__(
        self,
        directory: Path,
        spec: Path,
        *,
        role: Literal["acceptor", "initiator"],
        port: int,
        comp_ids: Sequence[tuple[str, str]],
        heartbeat_interval: int = 1,
        store: Literal["file", "memory"] = "file",
        settings: dict[str, str] | None = None,
        begin_string: str = "FIXT.1.1",
    ) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.role = role
        self.port = port
        where = (
            {"SocketAcceptHost": "127.0.0.1", "SocketAcceptPort": str(port)}
            if role == "acceptor"
            else {
                "SocketConnectHost": "127.0.0.1",
                "SocketConnectPort": str(port),
                # Quick reconnects while a session is enabled; QuickFIX's own logout()
                # disables it, so after one it stays away until logon() is called.
                "ReconnectInterval": "1",
            }
        )
        dictionaries = (
            {
                "DefaultApplVerID": "FIX.5.0SP2",
                "TransportDataDictionary": str(spec / "FIXT11.xml"),
                "AppDataDictionary": str(spec / "FIX50SP2.xml"),
            }
            if begin_string == "FIXT.1.1"
            else {"DataDictionary": str(spec / (begin_string.replace(".", "") + ".xml"))}
        )
        # All but the identities in [DEFAULT]: the store and log factories read paths there.
        defaults = {
            "ConnectionType": role,
            "BeginString": begin_string,
            **dictionaries,
            "NonStopSession": "Y",
            "HeartBtInt": str(heartbeat_interval),
            "UseDataDictionary": "Y",
            "FileStorePath": str(directory / "store"),
            "FileLogPath": str(directory / "log"),
            "LogonTimeout": "5",
            "LogoutTimeout": "2",
            "SocketNodelay": "Y",
            "SocketReuseAddress": "Y",
            **where,
            **(settings or {}),
        }
        sections = [("DEFAULT", defaults)] + [
            ("SESSION", {"SenderCompID": ours, "TargetCompID": theirs}) for ours, theirs in comp_ids
        ]
        self.settings_path = directory / "quickfix.cfg"
        self.settings_path.write_text(
            "".join(
                f"[{name}]\n" + "".join(f"{k}={v}\n" for k, v in section.items())
                for name, section in sections
            ),
            encoding="utf-8",
        )
        #: The sessions, by the counterparty's CompID.
        self.sessions = {
            theirs: PeerSession(ours, theirs, directory / "log", begin_string)
            for ours, theirs in comp_ids
        }
        self._settings = fix.SessionSettings(str(self.settings_path))
        self._store_factory = (
            fix.FileStoreFactory(self._settings) if store == "file" else fix.MemoryStoreFactory()
        )
        self._log_factory = fix.FileLogFactory(self._settings)
        self._application = _Application(
            {s.session_id.toString(): s.recorder for s in self.sessions.values()}
        )
        # Not SocketAcceptor: its stop() closes the server from the calling thread while
        # QuickFIX's own thread closes and deletes it too, and that race crashes the process.
        engine = fix.ThreadedSocketAcceptor if role == "acceptor" else fix.SocketInitiator
        self._engine: Any = engine(
            self._application, self._store_factory, self._settings, self._log_factory
        )
        self._started = False

    def __getitem__(self, counterparty: str) -> PeerSession:
        """The session with ``counterparty`` (its CompID)."""
        return self.sessions[counterparty]

    def start(self) -> None:
        """Starts QuickFIX's thread: the acceptor listens, the initiator connects."""
        self._engine.start()
        self._started = True

    def stop(self) -> None:
        """Stops QuickFIX at once (no waiting for a Logout) and joins its thread."""
        if self._started:
            self._started = False
            self._engine.stop(True)

    def __enter__(self) -> Self:
        """Returns the peer, not yet started: see :meth:`start`."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        # Dropping the engine deletes its sessions from QuickFIX's process-wide registry.
        self._engine = None


def _fill(fields_map: Any, fields: Iterable[tuple[int, PeerValue]]) -> None:
    for tag, value in fields:
        if isinstance(value, str):
            fields_map.setField(tag, value)
            continue
        for entry in value:
            group = fix.Group(tag, entry[0][0])
            _fill(group, entry)
            fields_map.addGroup(group)
