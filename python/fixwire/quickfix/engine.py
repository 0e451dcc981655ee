"""QuickFIX's engine API: ``Application``, ``Session``, ``SocketInitiator``, ``SocketAcceptor``.

Theory of operation. QuickFIX runs its sessions on threads of its own and calls the
application from them; so does this module: ``start()`` starts one thread running an asyncio
event loop, on which :mod:`fixwire.session` connects (initiators, reconnecting every
``ReconnectInterval``) or listens (acceptors, one listening socket per port, sessions told
apart by BeginString <8> and CompIDs). Every ``Application`` callback runs on that thread.
``Session.sendToTarget`` may be called from any thread: from the engine's thread it sends at
once, from another it hands the message over and waits (at most :data:`SEND_TIMEOUT` seconds)
for the outcome, so it returns ``True``/``False`` as QuickFIX's does. ``stop()`` logs every
session out, closes the sockets and joins the thread.

The callbacks and QuickFIX's exceptions:

* ``toApp`` sees each outbound application message before it is encoded; ``DoNotSend``
  drops it (``sendToTarget`` returns ``False``). Changes made to the message are sent. It sees
  each message sent again in answer to a ResendRequest <2> too, PossDupFlag <43>=Y,
  OrigSendingTime <122> and the new SendingTime <52> set, through :class:`SessionConfig`'s
  ``app_resend``; ``DoNotSend`` then turns the message into a SequenceReset-GapFill <4>.
* ``fromApp`` sees each inbound application message in sequence. ``FieldNotFound``,
  ``IncorrectTagValue``, ``IncorrectDataFormat`` and ``UnsupportedMessageType`` are answered
  as QuickFIX answers them: Reject <3> with SessionRejectReason <373> 1, 5 or 6, or, from
  FIX.4.2 on, BusinessMessageReject <j> for a missing field (BusinessRejectReason <380> 5)
  and an unsupported MsgType (380 = 3).
* ``toAdmin`` sees every session-level message before it is sent (Logon <A>, Heartbeat <0>,
  TestRequest <1>, ResendRequest <2>, Reject <3>, SequenceReset <4>, Logout <5>), through
  :class:`SessionConfig`'s ``admin_out``; fields it adds or changes (SenderSubID <50>,
  Username <553>, Password <554> ...) are sent.
* ``fromAdmin`` sees every session-level message the session takes in its turn, before the
  session acts on it (the peer's Logon before it is answered), and ``fromApp`` every valid
  application message, both from :class:`SessionConfig`'s ``inbound``, so the two keep the
  order of the wire. ``RejectLogon`` from ``fromAdmin`` ends the session with a Logout <5>
  carrying its text (for a Logon, before it is answered: the logon is refused).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from fixwire._native import Dictionary, parse
from fixwire._native import Message as NativeMessage
from fixwire.errors import FixError
from fixwire.quickfix.dictionary import DataDictionary
from fixwire.quickfix.errors import (
    ConfigError,
    DoNotSend,
    FieldNotFound,
    IncorrectDataFormat,
    IncorrectTagValue,
    RejectLogon,
    RuntimeError,
    UnsupportedMessageType,
)
from fixwire.quickfix.message import Message
from fixwire.quickfix.settings import Endpoint, SessionID, SessionSettings, session_config
from fixwire.quickfix.stores import Log, NullLogFactory
from fixwire.session import (
    Connection,
    Disconnected,
    Event,
    LoggedOn,
    LoggedOut,
    LogonRefused,
    Reconnect,
    Role,
    SessionConfig,
    Store,
    connect,
    serve,
)
from fixwire.session.core import ADMIN_MSG_TYPES
from fixwire.session.core import Session as CoreSession

__all__ = [
    "Application",
    "Session",
    "SessionNotFound",
    "SocketAcceptor",
    "SocketInitiator",
    "ThreadedSocketAcceptor",
    "ThreadedSocketInitiator",
]

_logger = logging.getLogger("fixwire.quickfix")
#: Seconds ``sendToTarget`` from another thread waits for the engine's thread.
SEND_TIMEOUT = 10.0
# Standard header fields fixwire's session writes itself.
_OWN_HEADER = frozenset((8, 9, 35, 49, 56, 34, 52))


class Application:
    """The callbacks of a FIX application; override the ones you need."""

    def onCreate(self, sessionID: SessionID) -> None:
        """A session was created (once per session, when the engine is made)."""

    def onLogon(self, sessionID: SessionID) -> None:
        """The session logged on."""

    def onLogout(self, sessionID: SessionID) -> None:
        """The session logged out or lost its connection after logging on."""

    def toAdmin(self, message: Message, sessionID: SessionID) -> None:
        """A session-level message is about to be sent; changes made to it are sent."""

    def fromAdmin(self, message: Message, sessionID: SessionID) -> None:
        """A session-level message arrived; raise ``RejectLogon`` to end the session."""

    def toApp(self, message: Message, sessionID: SessionID) -> None:
        """An application message is about to be sent; raise ``DoNotSend`` to drop it."""

    def fromApp(self, message: Message, sessionID: SessionID) -> None:
        """An application message arrived."""


_sessions: dict[SessionID, Session] = {}
_sessions_lock = threading.Lock()


class Session:
    """One configured session (QuickFIX's ``Session``): look it up, send on it."""

    def __init__(
        self,
        engine: _Engine,
        session_id: SessionID,
        config: SessionConfig,
        endpoint: Endpoint,
        log: Log,
    ) -> None:
        self._engine = engine
        self._id = session_id
        self.config = config
        self.endpoint = endpoint
        self.log = log
        self.connection: Connection | None = None
        self.store: Store | None = None
        self._logged_on = False
        self.dictionary: DataDictionary | None = None
        # Header fields the session writes: a SubID or LocationID it is configured with wins
        # over one the message carries, as in QuickFIX/J.
        self._own_header = _OWN_HEADER | {
            tag for tag, value in zip((50, 142, 57, 143), config.qualifiers, strict=True) if value
        }

    @staticmethod
    def lookupSession(sessionID: SessionID) -> Session | None:
        """The session ``sessionID`` of a started engine, or ``None``."""
        with _sessions_lock:
            return _sessions.get(sessionID)

    @staticmethod
    def doesSessionExist(sessionID: SessionID) -> bool:
        """Whether ``sessionID`` belongs to a started engine."""
        return Session.lookupSession(sessionID) is not None

    @staticmethod
    def sendToTarget(message: Message, *args: Any) -> bool:
        """Send ``message`` on a session: ``sendToTarget(message)`` (found by the message's
        BeginString <8>, SenderCompID <49> and TargetCompID <56>), ``sendToTarget(message,
        sessionID)`` or ``sendToTarget(message, senderCompID, targetCompID)``.

        Returns:
            Whether it was sent (``False``: not logged on, or ``toApp`` raised ``DoNotSend``).

        Raises:
            SessionNotFound: no started engine has the session.
        """
        header = message.getHeader()
        if len(args) == 1:
            session_id = args[0]
        elif len(args) == 2:
            session_id = _find(header._get(8), args[0], args[1])
        else:
            session_id = _find(header._get(8), header._get(49), header._get(56))
        session = Session.lookupSession(session_id)
        if session is None:
            raise SessionNotFound(str(session_id))
        return bool(session._engine._call(lambda: session._send(message)))

    def getSessionID(self) -> SessionID:
        """This session's identity."""
        return self._id

    def isLoggedOn(self) -> bool:
        """Whether the session is logged on."""
        return self._logged_on

    def isInitiator(self) -> bool:
        """Whether this end opens the connection."""
        return self.config.role is Role.INITIATOR

    def isAcceptor(self) -> bool:
        """Whether this end accepts the connection."""
        return self.config.role is Role.ACCEPTOR

    def getExpectedSenderNum(self) -> int:
        """MsgSeqNum <34> of our next message."""
        return self.store.next_sender_seq if self.store is not None else 1

    def getExpectedTargetNum(self) -> int:
        """MsgSeqNum <34> expected of the peer's next message."""
        return self.store.next_target_seq if self.store is not None else 1

    def setNextSenderMsgSeqNum(self, num: int) -> None:
        """Set the MsgSeqNum <34> of our next message (the peer sees a gap if it is ahead)."""
        self._engine._call(lambda: self._store().set_next_sender_seq(num))

    def setNextTargetMsgSeqNum(self, num: int) -> None:
        """Set the MsgSeqNum <34> expected of the peer's next message."""
        self._engine._call(lambda: self._store().set_next_target_seq(num))

    def _store(self) -> Store:
        if self.store is None:
            raise RuntimeError(f"session {self._id} has no store before it is started")
        return self.store

    def logout(self, reason: str = "") -> None:
        """Start the Logout <5> exchange, with ``reason`` as its Text <58>."""

        def go() -> None:
            connection = self.connection
            if connection is not None and connection.session.logged_on:
                # Started here, finished by the loop: QuickFIX's logout() does not wait either.
                task = asyncio.get_running_loop().create_task(connection.logout(reason or None))
                self._engine._tasks.add(task)
                task.add_done_callback(self._engine._tasks.discard)

        self._engine._call(go)

    # The engine's thread.

    def _send(self, message: Message) -> bool:
        connection = self.connection
        if connection is None or not connection.session.logged_on:
            return False
        header = message.getHeader()
        header.setField(8, self._id._begin)
        header.setField(49, self._id._sender)
        header.setField(56, self._id._target)
        msg_type = header._get(35)
        if msg_type is None:
            raise FieldNotFound(35)
        if msg_type not in ADMIN_MSG_TYPES:
            # A session-level message (a TestRequest <1>) meets toAdmin in the session.
            try:
                self._engine.application.toApp(message, self._id)
            except DoNotSend:
                return False
        own = self._own_header
        fields = [(t, v) for t, v in header._flat() if t not in own]
        fields += message._flat()
        connection.send(msg_type, fields)
        if self.log.enabled:
            self.log.onOutgoing(message.toString())
        return True

    def _on_event(self, event: Event) -> None:
        try:
            self._dispatch(event)
        except Exception:
            # As QuickFIX's engine, carry on with the session: the message counts as seen.
            _logger.exception("%s: the application raised on %r", self._id, event)

    def _dispatch(self, event: Event) -> None:
        # fromAdmin and fromApp are called by _inbound, in the session's turn; the events
        # bring the rest.
        app = self._engine.application
        if isinstance(event, LoggedOn):
            self._logged_on = True
            self.log.onEvent("Logon")
            app.onLogon(self._id)
        elif isinstance(event, LoggedOut | Disconnected | LogonRefused):
            self.log.onEvent(f"{type(event).__name__}: {event}")
            if self._logged_on:
                self._logged_on = False
                app.onLogout(self._id)

    def _message(self, native: NativeMessage) -> Message:
        message = Message()
        dd = self.dictionary
        message._fill(native, dd.count_tags() if dd is not None else None)
        return message

    def _to_admin(self, wire: bytes) -> bytes:
        """``SessionConfig.admin_out``: toAdmin sees the message; if it changed it, the
        message is written again (QuickFIX's field order, BodyLength and CheckSum anew).
        """
        message = Message._from_native(parse(wire))
        before = _snapshot(message)
        try:
            self._engine.application.toAdmin(message, self._id)
        except Exception:
            # QuickFIX's engine carries on with the message as it was.
            _logger.exception("%s: toAdmin raised", self._id)
            return wire
        if _snapshot(message) == before:
            return wire
        return message.toString().encode()

    def _to_app_resend(self, wire: bytes) -> bytes | None:
        """``SessionConfig.app_resend``: toApp sees an application message sent again (read
        with the session's data dictionary, so its groups are groups); ``DoNotSend`` makes it
        a GapFill (``None``). A message it changed is written again, as in :meth:`_to_admin`.
        """
        message = self._message(parse(wire, groups=self.config.groups))
        before = _snapshot(message)
        try:
            self._engine.application.toApp(message, self._id)
        except DoNotSend:
            return None
        except Exception:
            # QuickFIX's engine carries on with the message as it was.
            _logger.exception("%s: toApp raised on a resend", self._id)
            return wire
        if _snapshot(message) != before:
            wire = message.toString().encode()
        if self.log.enabled:
            self.log.onOutgoing(wire.decode(errors="replace"))
        return wire

    def _inbound(self, core: CoreSession, native: NativeMessage) -> str | None:
        """``SessionConfig.inbound``: fromAdmin or fromApp, in the session's turn, with
        QuickFIX's exceptions answered as QuickFIX answers them; a text ends the session.
        """
        message = self._message(native)
        if self.log.enabled:
            self.log.onIncoming(native.raw.decode(errors="replace"))
        msg_type = native.msg_type
        admin = msg_type in ADMIN_MSG_TYPES
        app = self._engine.application
        try:
            if admin:
                app.fromAdmin(message, self._id)
            else:
                app.fromApp(message, self._id)
        except RejectLogon as e:
            return str(e)
        except (FieldNotFound, IncorrectTagValue, IncorrectDataFormat) as e:
            if msg_type == "A":
                return f"{e} in Logon <A>"
            self._answer(core, native, e, admin)
        except UnsupportedMessageType as e:
            self._answer(core, native, e, admin)
        except Exception:
            # As QuickFIX's engine, carry on with the session: the message counts as seen.
            _logger.exception("%s: the application raised on MsgType %r", self._id, msg_type)
        return None

    def _answer(self, core: CoreSession, native: NativeMessage, e: Exception, admin: bool) -> None:
        """The Reject <3> or BusinessMessageReject <j> QuickFIX sends for exception ``e`` of
        fromApp (or fromAdmin) on ``native``.
        """
        seq, msg_type = native.seq_num, native.msg_type
        business = not admin and self._id._begin >= "FIX.4.2"
        fields: list[tuple[int, Any]]
        if isinstance(e, FieldNotFound) and business:
            text = f"Conditionally Required Field Missing ({e.field})"
            fields = [(45, seq), (372, msg_type), (380, 5), (58, text)]
        elif isinstance(e, UnsupportedMessageType) and business:
            fields = [(45, seq), (372, msg_type), (380, 3), (58, "Unsupported Message Type")]
        else:
            reason, text = _REJECTS[type(e)]
            tag = getattr(e, "field", 0)
            fields = [(45, seq), *([(371, tag)] if tag else []), (372, msg_type), (373, reason)]
            if self._id._begin < "FIX.4.2":
                fields = [(45, seq)]
            fields.append((58, text))
        core.send("j" if business else "3", fields, time.time())


# SessionRejectReason <373> and Text <58> of the Reject <3> each exception gets.
_REJECTS: dict[type, tuple[int, str]] = {
    FieldNotFound: (1, "Required tag missing"),
    IncorrectTagValue: (5, "Value is incorrect (out of range) for this tag"),
    IncorrectDataFormat: (6, "Incorrect data format for value"),
    UnsupportedMessageType: (11, "Invalid MsgType"),
}


class SessionNotFound(FixError, LookupError):
    """``sendToTarget`` named a session no started engine has (QuickFIX's ``SessionNotFound``)."""


def _find(begin: str | None, sender: str | None, target: str | None) -> SessionID:
    return SessionID(begin or "", sender or "", target or "")


def _snapshot(message: Message) -> tuple[Any, ...]:
    """Everything of ``message`` a callback may change: header and body, groups and repeated
    tags included.
    """
    return (message.getHeader()._flat(), message._flat())


@functools.lru_cache(maxsize=16)
def _dictionaries(app: str, transport: str | None) -> tuple[DataDictionary, Dictionary]:
    """The data dictionary that reads a session's messages and the one that validates them
    (with the transport dictionary, for FIXT.1.1), read once per process: a dictionary is
    immutable, and FIX50SP2.xml takes a while to read.
    """
    dd = DataDictionary(app)
    return dd, Dictionary.from_xml(app, transport) if transport else dd.dictionary


class _Engine:
    """What initiators and acceptors share: the sessions, the thread, the loop."""

    _ROLE = Role.INITIATOR

    def __init__(
        self,
        application: Application,
        storeFactory: Any,
        settings: SessionSettings,
        logFactory: Any = None,
    ) -> None:
        self.application = application
        self._store_factory = storeFactory
        self._log_factory = logFactory or NullLogFactory()
        self._sessions: dict[SessionID, Session] = {}
        session_id: SessionID
        for session_id in sorted(settings.getSessions()):
            config, endpoint = session_config(session_id, settings.get(session_id))
            if config.role is not self._ROLE:
                continue
            session = Session(
                self,
                session_id,
                config,
                endpoint,
                self._log_factory.create(session_id, endpoint.log_path),
            )
            if endpoint.app_dictionary is not None:
                session.dictionary, validating = _dictionaries(
                    endpoint.app_dictionary, endpoint.transport_dictionary
                )
                config = dataclasses.replace(
                    config, dictionary=validating, groups=validating.groups
                )
            session.config = dataclasses.replace(
                config,
                admin_out=session._to_admin,
                app_resend=session._to_app_resend,
                inbound=session._inbound,
                logout_on_refused_logon=self._ROLE is Role.ACCEPTOR,
            )
            self._sessions[session_id] = session
        if not self._sessions:
            raise ConfigError(f"no {self._ROLE.value} sessions configured")
        for session_id in self._sessions:
            application.onCreate(session_id)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closers: list[Callable[[], Any]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the thread ---------------------------------------------------------------------------

    def _call(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` on the engine's thread and return its result."""
        loop = self._loop
        if loop is None:
            return False
        if threading.current_thread() is self._thread:
            return work()

        async def run() -> Any:
            return work()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(SEND_TIMEOUT)

    def start(self) -> None:
        """Start the engine's thread and its sessions; returns once they are connecting.

        Raises:
            RuntimeError: already started, or a socket cannot be opened (a port in use).
        """
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def main() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._open())
            except (OSError, FixError) as e:
                failure.append(e)
            ready.set()
            if not failure:
                loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=main, name=type(self).__name__, daemon=True)
        with _sessions_lock:
            for session_id, session in self._sessions.items():
                if session_id in _sessions:
                    raise RuntimeError(f"session {session_id} is already started")
                _sessions[session_id] = session
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._forget()
            raise RuntimeError(str(failure[0])) from failure[0]

    async def _open(self) -> None:
        raise NotImplementedError

    def stop(self, force: bool = False) -> None:
        """Log every session out, close the sockets and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def close() -> None:
            closing = [closer() for closer in self._closers]
            timeout = 0.5 if force else 10.0
            await asyncio.wait_for(
                asyncio.gather(*closing, return_exceptions=True), timeout=timeout
            )

        try:
            asyncio.run_coroutine_threadsafe(close(), loop).result(15.0)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(15.0)
            self._forget()
            for session in self._sessions.values():
                session.log.close()

    def _forget(self) -> None:
        with _sessions_lock:
            for session_id in self._sessions:
                _sessions.pop(session_id, None)
        self._loop = None
        self._thread = None

    def block(self) -> None:
        """Start, then wait until ``stop()`` is called from another thread."""
        self.start()
        thread = self._thread
        if thread is not None:
            thread.join()

    def isLoggedOn(self) -> bool:
        """Whether any session is logged on."""
        return any(s.isLoggedOn() for s in self._sessions.values())

    def isStopped(self) -> bool:
        """Whether the engine's thread is not running."""
        return self._thread is None

    def getSessions(self) -> list[SessionID]:
        """The sessions of this engine."""
        return list(self._sessions)

    def getSession(self, sessionID: SessionID) -> Session | None:
        """The session ``sessionID`` of this engine."""
        return self._sessions.get(sessionID)


class SocketInitiator(_Engine):
    """Connects every ``ConnectionType=initiator`` session of the settings."""

    _ROLE = Role.INITIATOR

    async def _open(self) -> None:
        for session in self._sessions.values():
            endpoint = session.endpoint
            store = self._store_factory.create(session.getSessionID(), endpoint.store_path)
            session.store = store
            interval = endpoint.reconnect_interval
            connection = await connect(
                session.config,
                endpoint.host,
                endpoint.port,
                store=store,
                reconnect=Reconnect(initial_delay=interval, max_delay=interval, jitter=0.0),
                on_event=session._on_event,
            )
            session.connection = connection
            self._closers.append(_closing(connection, store))


def _closing(connection: Connection, store: Store) -> Callable[[], Any]:
    """Closes ``connection``, then ``store`` (a journal keeps its lock until closed)."""

    async def close() -> None:
        try:
            await connection.close()
        finally:
            store.close()

    return close


class SocketAcceptor(_Engine):
    """Listens for every ``ConnectionType=acceptor`` session of the settings."""

    _ROLE = Role.ACCEPTOR

    async def _open(self) -> None:
        by_port: dict[tuple[str, int], list[Session]] = {}
        for session in self._sessions.values():
            by_port.setdefault((session.endpoint.host, session.endpoint.port), []).append(session)
        by_key = {s.config.key: s for s in self._sessions.values()}

        def store_for(config: SessionConfig) -> Store:
            session = by_key[config.key]
            store: Store = self._store_factory.create(
                session.getSessionID(), session.endpoint.store_path
            )
            session.store = store
            return store

        async def handle(connection: Connection) -> None:
            session = by_key[connection.session.config.key]
            session.connection = connection
            async for event in connection:
                session._on_event(event)

        for (host, port), sessions in by_port.items():
            acceptor = await serve(
                [s.config for s in sessions], handle, host, port, store_factory=store_for
            )
            self._closers.append(acceptor.close)


class ThreadedSocketInitiator(SocketInitiator):
    """QuickFIX's thread-per-session initiator; here the same one engine thread."""


class ThreadedSocketAcceptor(SocketAcceptor):
    """QuickFIX's thread-per-session acceptor; here the same one engine thread."""
