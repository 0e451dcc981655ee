"""QuickFIX's store and log factories, over fixwire's session stores and ``logging``.

``FileStoreFactory`` keeps each session in a :class:`fixwire.session.JournalStore` under
``FileStorePath`` (one journal per session, named after its SessionID); ``MemoryStoreFactory``
in a :class:`fixwire.session.MemoryStore`. ``ScreenLogFactory`` and ``FileLogFactory`` write
each session's events and application messages, in and out, to standard output or to
``FileLogPath/<session>.log``; both also go to the ``fixwire.quickfix`` logger.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import TextIO

from fixwire.quickfix.errors import ConfigError
from fixwire.quickfix.settings import SessionID, SessionSettings
from fixwire.session import JournalStore, MemoryStore, Store

__all__ = [
    "FileLogFactory",
    "FileStoreFactory",
    "Log",
    "MemoryStoreFactory",
    "NullLogFactory",
    "ScreenLogFactory",
]

_logger = logging.getLogger("fixwire.quickfix")


def _file_name(session_id: SessionID) -> str:
    return session_id.toString().replace(":", "-").replace(">", "").replace("/", "_")


def _folder(given: str | None, configured: str | None, session_id: SessionID, key: str) -> Path:
    """The folder a factory writes a session's files to, made when missing.

    Raises:
        ConfigError: neither the factory nor the session's settings name one.
    """
    folder = given or configured
    if folder is None:
        raise ConfigError(f"{session_id}: {key} not defined")
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


class MemoryStoreFactory:
    """Sessions keep sequence numbers and sent messages in memory."""

    def create(self, session_id: SessionID, path: str | None) -> Store:
        """A new store for ``session_id``."""
        return MemoryStore()


class FileStoreFactory:
    """Sessions keep sequence numbers and sent messages in journals under ``FileStorePath``.

    ``FileStoreFactory(settings)`` or ``FileStoreFactory(path)``.
    """

    def __init__(self, settings: SessionSettings | str) -> None:
        self._path = settings if isinstance(settings, str) else None

    def create(self, session_id: SessionID, path: str | None) -> Store:
        """The journal of ``session_id`` (made when missing) under FileStorePath."""
        folder = _folder(self._path, path, session_id, "FileStorePath")
        return JournalStore(folder / f"{_file_name(session_id)}.journal")


class Log:
    """One session's log: events and messages as text lines."""

    def __init__(self, session_id: SessionID, out: TextIO | None) -> None:
        self._prefix = session_id.toString()
        self._out = out
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether anything reads this log (a file, the screen, or the logger at DEBUG)."""
        return self._out is not None or _logger.isEnabledFor(logging.DEBUG)

    def _write(self, kind: str, text: str) -> None:
        _logger.debug("%s %s: %s", self._prefix, kind, text)
        if self._out is not None:
            with self._lock:
                self._out.write(f"<{self._prefix}, {kind}> ({text.replace(chr(1), '|')})\n")
                self._out.flush()

    def onIncoming(self, text: str) -> None:
        """An inbound message."""
        self._write("incoming", text)

    def onOutgoing(self, text: str) -> None:
        """An outbound message."""
        self._write("outgoing", text)

    def onEvent(self, text: str) -> None:
        """A session event."""
        self._write("event", text)

    def close(self) -> None:
        """Close the log's file, if it has one of its own."""
        if self._out is not None and self._out is not sys.stdout:
            self._out.close()


class NullLogFactory:
    """No log beyond the ``fixwire.quickfix`` logger (what QuickFIX does without a factory)."""

    def create(self, session_id: SessionID, path: str | None) -> Log:
        """A log for ``session_id``."""
        return Log(session_id, None)


class ScreenLogFactory:
    """Sessions log to standard output. ``ScreenLogFactory(settings)`` or no argument."""

    def __init__(self, *args: object) -> None:
        del args

    def create(self, session_id: SessionID, path: str | None) -> Log:
        """A log for ``session_id``."""
        return Log(session_id, sys.stdout)


class FileLogFactory:
    """Sessions log to ``<FileLogPath>/<session>.log``. ``FileLogFactory(settings)`` or
    ``FileLogFactory(path)``."""

    def __init__(self, settings: SessionSettings | str) -> None:
        self._path = settings if isinstance(settings, str) else None

    def create(self, session_id: SessionID, path: str | None) -> Log:
        """The log of ``session_id`` under FileLogPath."""
        folder = _folder(self._path, path, session_id, "FileLogPath")
        return Log(session_id, (folder / f"{_file_name(session_id)}.log").open("a"))
