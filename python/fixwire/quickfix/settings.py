"""QuickFIX's ``SessionID``, ``Dictionary`` and ``SessionSettings`` (``.cfg`` files).

A settings file has a ``[DEFAULT]`` section and one ``[SESSION]`` section per session; each line
is ``Key=Value`` (keys case-insensitive, as QuickFIX reads them), ``#`` starts a comment.
:func:`session_config` turns one session's settings into a :class:`fixwire.session.SessionConfig`
and is where settings are checked: a key fixwire.quickfix does not know, or knows but does not
support, is a :class:`ConfigError` naming it, never silently ignored.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixwire.quickfix.errors import ConfigError
from fixwire.quickfix.fields import FieldBase, field_class
from fixwire.session import Role, SessionConfig

__all__ = ["Dictionary", "Endpoint", "SessionID", "SessionSettings", "session_config"]


def _field(name: str, value: str) -> FieldBase:
    cls = field_class(name)
    assert cls is not None
    return cls(value)


class SessionID:
    """A session's identity: BeginString <8>, our SenderCompID <49>, our TargetCompID <56>.

    As in QuickFIX/J (QuickFIX 1.16 has no such settings), a session may also be told apart
    by our SenderSubID <50> and SenderLocationID <142> and the peer's, our TargetSubID <57> and
    TargetLocationID <143>: the keyword arguments, set from a ``.cfg``'s settings of those
    names. They are part of the identity and of its text,
    ``FIX.4.4:SENDER/SUB/LOC->TARGET/SUB/LOC``.
    """

    __slots__ = ("_begin", "_qualifier", "_sender", "_subs", "_target")

    def __init__(
        self,
        beginString: str = "",
        senderCompID: str = "",
        targetCompID: str = "",
        sessionQualifier: str = "",
        *,
        senderSubID: str = "",
        senderLocationID: str = "",
        targetSubID: str = "",
        targetLocationID: str = "",
    ) -> None:
        self._begin = beginString
        self._sender = senderCompID
        self._target = targetCompID
        self._qualifier = sessionQualifier
        # SenderSubID <50>, SenderLocationID <142>, TargetSubID <57>, TargetLocationID <143>.
        self._subs = (senderSubID, senderLocationID, targetSubID, targetLocationID)

    def getBeginString(self) -> FieldBase:
        """BeginString <8>, as a field object (``.getValue()`` is the text), as QuickFIX's."""
        return _field("BeginString", self._begin)

    def getSenderCompID(self) -> FieldBase:
        """Our SenderCompID <49>, as a field object."""
        return _field("SenderCompID", self._sender)

    def getTargetCompID(self) -> FieldBase:
        """The peer's CompID, our TargetCompID <56>, as a field object."""
        return _field("TargetCompID", self._target)

    def getSenderSubID(self) -> str:
        """Our SenderSubID <50>, ``""`` when not set (QuickFIX/J's getter)."""
        return self._subs[0]

    def getSenderLocationID(self) -> str:
        """Our SenderLocationID <142>, ``""`` when not set."""
        return self._subs[1]

    def getTargetSubID(self) -> str:
        """The peer's SubID, our TargetSubID <57>, ``""`` when not set."""
        return self._subs[2]

    def getTargetLocationID(self) -> str:
        """The peer's LocationID, our TargetLocationID <143>, ``""`` when not set."""
        return self._subs[3]

    def getSessionQualifier(self) -> str:
        """The qualifier telling apart sessions with the same CompIDs (empty when none)."""
        return self._qualifier

    def isFIXT(self) -> bool:
        """Whether the session speaks FIXT.1.1."""
        return self._begin == "FIXT.1.1"

    def toString(self) -> str:
        """``FIX.4.4:SENDER->TARGET``; a SubID and LocationID follow their CompID after
        ``/`` each, as in QuickFIX/J, and ``:QUALIFIER`` is appended when there is one.
        """
        sender_sub, sender_loc, target_sub, target_loc = self._subs
        sender = "".join((self._sender, *("/" + x for x in (sender_sub, sender_loc) if x)))
        target = "".join((self._target, *("/" + x for x in (target_sub, target_loc) if x)))
        text = f"{self._begin}:{sender}->{target}"
        return f"{text}:{self._qualifier}" if self._qualifier else text

    __str__ = toString

    def fromString(self, text: str) -> None:
        """Read ``FIX.4.4:SENDER->TARGET[:QUALIFIER]`` into this SessionID (SubIDs and
        LocationIDs as :meth:`toString` writes them: a SubID alone after its CompID).
        """
        begin, _, rest = text.partition(":")
        sender, _, rest = rest.partition("->")
        target, _, qualifier = rest.partition(":")
        sender, _, sender_sub = sender.partition("/")
        sender_sub, _, sender_loc = sender_sub.partition("/")
        target, _, target_sub = target.partition("/")
        target_sub, _, target_loc = target_sub.partition("/")
        self._begin, self._sender, self._target, self._qualifier = begin, sender, target, qualifier
        self._subs = (sender_sub, sender_loc, target_sub, target_loc)

    def _key(self) -> tuple[str, ...]:
        return (self._begin, self._sender, self._target, self._qualifier, *self._subs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SessionID) and self._key() == other._key()

    def __lt__(self, other: SessionID) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"SessionID({self.toString()!r})"


class Dictionary:
    """Settings by name (QuickFIX's ``Dictionary``); names are case-insensitive."""

    def __init__(self, name: str = "") -> None:
        self._name = name
        self._values: dict[str, tuple[str, str]] = {}

    def getName(self) -> str:
        """The section's name."""
        return self._name

    def has(self, key: str) -> bool:
        """Whether ``key`` is set."""
        return key.upper() in self._values

    def getString(self, key: str, capitalize: bool = False) -> str:
        """The value of ``key``.

        Raises:
            ConfigError: ``key`` is not set.
        """
        try:
            value = self._values[key.upper()][1]
        except KeyError:
            raise ConfigError(f"{key} not defined") from None
        return value.upper() if capitalize else value

    def getInt(self, key: str) -> int:
        """The value of ``key`` as an integer.

        Raises:
            ConfigError: ``key`` is not set or not an integer.
        """
        value = self.getString(key)
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"Illegal value {value} for {key}") from None

    def getDouble(self, key: str) -> float:
        """The value of ``key`` as a number."""
        value = self.getString(key)
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"Illegal value {value} for {key}") from None

    def getBool(self, key: str) -> bool:
        """The value of ``key``: ``Y`` or ``N``."""
        value = self.getString(key, True)
        if value not in ("Y", "N"):
            raise ConfigError(f"Illegal value {value} for {key}")
        return value == "Y"

    def setString(self, key: str, value: str) -> None:
        """Set ``key``."""
        self._values[key.upper()] = (key, str(value).strip())

    def setInt(self, key: str, value: int) -> None:
        """Set ``key`` to an integer."""
        self.setString(key, str(value))

    def setBool(self, key: str, value: bool) -> None:
        """Set ``key`` to ``Y`` or ``N``."""
        self.setString(key, "Y" if value else "N")

    def merge(self, other: Dictionary) -> None:
        """Take every key of ``other`` that this dictionary does not set."""
        for upper, item in other._values.items():
            self._values.setdefault(upper, item)

    def size(self) -> int:
        """How many keys are set."""
        return len(self._values)

    def keys(self) -> list[str]:
        """The keys as they were written."""
        return [key for key, _ in self._values.values()]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._values.values())


class SessionSettings:
    """The settings of every session, read from a QuickFIX ``.cfg`` file (or built in code).

    Raises:
        ConfigError: the file cannot be read, a line is not ``Key=Value`` or a section header,
            or a session lacks BeginString, SenderCompID or TargetCompID.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._defaults = Dictionary("DEFAULT")
        self._sessions: dict[SessionID, Dictionary] = {}
        if path is not None:
            try:
                text = Path(path).read_text()
            except OSError as e:
                raise ConfigError(f"cannot read settings file {path}: {e}") from e
            self._parse(text, str(path))

    def _parse(self, text: str, source: str) -> None:
        sections: list[Dictionary] = []
        current: Dictionary | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                name = line[1:-1].strip().upper()
                if name == "DEFAULT":
                    current = self._defaults
                elif name == "SESSION":
                    current = Dictionary("SESSION")
                    sections.append(current)
                else:
                    raise ConfigError(f"{source} line {number}: unknown section [{name}]")
                continue
            key, equals, value = line.partition("=")
            if not equals or not key.strip():
                raise ConfigError(f"{source} line {number}: not Key=Value: {line!r}")
            if current is None:
                raise ConfigError(f"{source} line {number}: {key.strip()} outside a section")
            current.setString(key.strip(), value)
        for section in sections:
            self.set(self._identify(section), section)

    def _identify(self, section: Dictionary) -> SessionID:
        merged = Dictionary("SESSION")
        merged.merge(section)
        merged.merge(self._defaults)
        for key in ("BeginString", "SenderCompID", "TargetCompID"):
            if not merged.has(key):
                raise ConfigError(f"{key} not defined")
        qualifier = merged.getString("SessionQualifier") if merged.has("SessionQualifier") else ""
        subs = {
            key[0].lower() + key[1:]: merged.getString(key) if merged.has(key) else ""
            for key in ("SenderSubID", "SenderLocationID", "TargetSubID", "TargetLocationID")
        }
        return SessionID(
            merged.getString("BeginString"),
            merged.getString("SenderCompID"),
            merged.getString("TargetCompID"),
            qualifier,
            **subs,
        )

    def get(self, session_id: SessionID | None = None) -> Dictionary:
        """The settings of ``session_id`` (defaults merged in), or the defaults.

        Raises:
            ConfigError: there is no such session.
        """
        if session_id is None:
            return self._defaults
        try:
            own = self._sessions[session_id]
        except KeyError:
            raise ConfigError(f"Session not found: {session_id}") from None
        merged = Dictionary("SESSION")
        merged.merge(own)
        merged.merge(self._defaults)
        return merged

    def set(self, *args: SessionID | Dictionary) -> None:
        """``set(defaults)`` or ``set(session_id, settings)``."""
        if len(args) == 1 and isinstance(args[0], Dictionary):
            self._defaults = args[0]
            return
        session_id, settings = args
        assert isinstance(session_id, SessionID)
        assert isinstance(settings, Dictionary)
        if session_id in self._sessions:
            raise ConfigError(f"Duplicate Session {session_id}")
        self._sessions[session_id] = settings

    def has(self, session_id: SessionID) -> bool:
        """Whether ``session_id`` is configured."""
        return session_id in self._sessions

    def getSessions(self) -> builtins.set[SessionID]:
        """Every configured session."""
        return set(self._sessions)

    def size(self) -> int:
        """How many sessions are configured."""
        return len(self._sessions)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a session needs besides its :class:`SessionConfig`: where to connect or listen,
    the data dictionaries its messages are read with, and its files.
    """

    role: Role
    host: str
    port: int
    reconnect_interval: float
    app_dictionary: str | None
    transport_dictionary: str | None
    store_path: str | None
    log_path: str | None


# Settings whose meaning fixwire.quickfix implements, by upper-case name.
_SUPPORTED = {
    key.upper()
    for key in [
        "ConnectionType",
        "BeginString",
        "SenderCompID",
        "TargetCompID",
        "SenderSubID",
        "SenderLocationID",
        "TargetSubID",
        "TargetLocationID",
        "SessionQualifier",
        "DefaultApplVerID",
        "HeartBtInt",
        "SocketConnectHost",
        "SocketConnectPort",
        "SocketAcceptHost",
        "SocketAcceptPort",
        "ReconnectInterval",
        "ResetOnLogon",
        "ResetOnLogout",
        "ResetOnDisconnect",
        "UseDataDictionary",
        "DataDictionary",
        "TransportDataDictionary",
        "AppDataDictionary",
        "ValidateUserDefinedFields",
        "ValidateFieldsOutOfOrder",
        "ValidateFieldsHaveValues",
        "ValidateLengthAndChecksum",
        "CheckLatency",
        "MaxLatency",
        "CheckCompID",
        "LogonTimeout",
        "LogoutTimeout",
        "FileStorePath",
        "FileLogPath",
        "StartTime",
        "EndTime",
        "PersistMessages",
        "ResendRequestChunkSize",
        "EnableNextExpectedMsgSeqNum",
        "EnableLastMsgSeqNumProcessed",
        "SendRedundantResendRequests",
        "SocketNodelay",
        "SocketReuseAddress",
        "TimestampPrecision",
        "MillisecondsInTimeStamp",
    ]
}
# Settings QuickFIX has that fixwire.quickfix does not implement (yet); each is refused.
_UNSUPPORTED = {
    key.upper()
    for key in [
        "StartDay",
        "EndDay",
        "TimeZone",
        "UseLocalTime",
        "LogonTime",
        "LogoutTime",
        "LogonDay",
        "LogoutDay",
        "NonStopSession",
        "RefreshOnLogon",
        "SSLEnable",
        "SSLProtocol",
        "SSLCipherSuite",
        "ServerCertificateFile",
        "ServerCertificateKeyFile",
        "ClientCertificateFile",
        "ClientCertificateKeyFile",
        "CertificateAuthoritiesFile",
        "CertificateAuthoritiesDirectory",
        "CertificateVerifyLevel",
        "SocketConnectSourceHost",
        "SocketConnectSourcePort",
        "SocketConnectHost1",
        "SocketConnectPort1",
        "SocketSendBufferSize",
        "SocketReceiveBufferSize",
        "AllowedRemoteAddresses",
        "ValidateUnknownMsgFields",
        "AllowUnknownMsgFields",
        "FileStoreSync",
        "FileLogBackupPath",
        "ScreenLogShowIncoming",
        "ScreenLogShowOutgoing",
        "ScreenLogShowEvents",
        "PreserveMessageFieldsOrder",
        "SocketAcceptTimeout",
    ]
}
_APPL_VER_IDS = {
    "FIX.2.7": "0",
    "FIX.3.0": "1",
    "FIX.4.0": "2",
    "FIX.4.1": "3",
    "FIX.4.2": "4",
    "FIX.4.3": "5",
    "FIX.4.4": "6",
    "FIX.5.0": "7",
    "FIX.5.0SP1": "8",
    "FIX.5.0SP2": "9",
}


def _flag(settings: Dictionary, key: str, default: bool) -> bool:
    return settings.getBool(key) if settings.has(key) else default


def session_config(session_id: SessionID, settings: Dictionary) -> tuple[SessionConfig, Endpoint]:
    """The fixwire session and endpoint that ``settings`` describe for ``session_id``.

    Raises:
        ConfigError: a setting is unknown, unsupported, missing or has an illegal value; the
            text names the session and the setting.
    """
    for key in settings.keys():  # noqa: SIM118  (a Dictionary iterates pairs)
        upper = key.upper()
        if upper in _UNSUPPORTED:
            raise ConfigError(f"{session_id}: setting {key} is not supported by fixwire.quickfix")
        if upper not in _SUPPORTED:
            raise ConfigError(f"{session_id}: unknown setting {key}")
    kind = settings.getString("ConnectionType", True) if settings.has("ConnectionType") else ""
    if kind not in ("INITIATOR", "ACCEPTOR"):
        raise ConfigError(f"{session_id}: ConnectionType must be initiator or acceptor")
    role = Role.INITIATOR if kind == "INITIATOR" else Role.ACCEPTOR
    for key in ("StartTime", "EndTime"):
        if not settings.has(key):
            raise ConfigError(f"{session_id}: {key} not defined")
    if settings.getString("StartTime") != settings.getString("EndTime"):
        raise ConfigError(
            f"{session_id}: StartTime {settings.getString('StartTime')} and EndTime "
            f"{settings.getString('EndTime')} make a daily schedule, which fixwire.quickfix does "
            "not support; give both the same time for a session that is always on"
        )
    if session_id.getSessionQualifier() and role is Role.ACCEPTOR:
        # QuickFIX finds an acceptor's session by the Logon's CompIDs, which carry no
        # qualifier: a qualified acceptor session would never be found, so it is refused.
        raise ConfigError(
            f"{session_id}: SessionQualifier can only be used with initiator sessions"
        )
    appl_ver = "9"
    if settings.has("DefaultApplVerID"):
        text = settings.getString("DefaultApplVerID")
        appl_ver = _APPL_VER_IDS.get(text, text)
    use_dictionary = _flag(settings, "UseDataDictionary", True)
    app_dd = transport_dd = None
    if use_dictionary:
        if session_id.isFIXT():
            if settings.has("AppDataDictionary"):
                app_dd = settings.getString("AppDataDictionary")
            if settings.has("TransportDataDictionary"):
                transport_dd = settings.getString("TransportDataDictionary")
        elif settings.has("DataDictionary"):
            app_dd = settings.getString("DataDictionary")
    max_latency = settings.getInt("MaxLatency") if settings.has("MaxLatency") else 120
    precision = {0: "s", 3: "ms", 6: "us", 9: "ns"}
    digits = settings.getInt("TimestampPrecision") if settings.has("TimestampPrecision") else 3
    if digits not in precision:
        raise ConfigError(f"{session_id}: TimestampPrecision must be 0, 3, 6 or 9")
    if not _flag(settings, "MillisecondsInTimeStamp", True):
        digits = 0
    config = SessionConfig(
        sender_comp_id=session_id._sender,
        target_comp_id=session_id._target,
        role=role,
        begin_string=session_id._begin,
        default_appl_ver_id=appl_ver,
        heartbeat_interval=settings.getInt("HeartBtInt") if role is Role.INITIATOR else 30,
        reset_on_logon=_flag(settings, "ResetOnLogon", False),
        reset_on_logout=_flag(settings, "ResetOnLogout", False),
        reset_on_disconnect=_flag(settings, "ResetOnDisconnect", False),
        retransmission=_flag(settings, "PersistMessages", True),
        resend_request_chunk_size=(
            settings.getInt("ResendRequestChunkSize")
            if settings.has("ResendRequestChunkSize")
            else 0
        ),
        next_expected_msg_seq_num=_flag(settings, "EnableNextExpectedMsgSeqNum", False),
        last_msg_seq_num_processed=_flag(settings, "EnableLastMsgSeqNumProcessed", False),
        logout_on_refused_logon=False,
        # QuickFIX finds a Logon without EncryptMethod <98> invalid only by its dictionary.
        require_encrypt_method=use_dictionary,
        logon_timeout=float(settings.getInt("LogonTimeout"))
        if settings.has("LogonTimeout")
        else 10.0,
        logout_timeout=(
            float(settings.getInt("LogoutTimeout")) if settings.has("LogoutTimeout") else 2.0
        ),
        max_sending_time_skew=float(max_latency) if _flag(settings, "CheckLatency", True) else None,
        allow_user_defined_fields=not _flag(settings, "ValidateUserDefinedFields", True),
        time_precision=precision[digits],
        check_peer_comp_id=_flag(settings, "CheckCompID", True),
        sender_sub_id=session_id.getSenderSubID() or None,
        sender_location_id=session_id.getSenderLocationID() or None,
        target_sub_id=session_id.getTargetSubID() or None,
        target_location_id=session_id.getTargetLocationID() or None,
    )
    key = "SocketConnectPort" if role is Role.INITIATOR else "SocketAcceptPort"
    if not settings.has(key):
        raise ConfigError(f"{session_id}: {key} not defined")
    host_key = "SocketConnectHost" if role is Role.INITIATOR else "SocketAcceptHost"
    endpoint = Endpoint(
        role=role,
        host=settings.getString(host_key) if settings.has(host_key) else "127.0.0.1",
        port=settings.getInt(key),
        reconnect_interval=(
            float(settings.getInt("ReconnectInterval"))
            if settings.has("ReconnectInterval")
            else 30.0
        ),
        app_dictionary=app_dd,
        transport_dictionary=transport_dd,
        store_path=settings.getString("FileStorePath") if settings.has("FileStorePath") else None,
        log_path=settings.getString("FileLogPath") if settings.has("FileLogPath") else None,
    )
    return config, endpoint
