"""The session message log: every message in and out, as QuickFIX's FileLog keeps them.

A :class:`MessageLog` is a file of lines, one a message, each its time (UTC, to the
microsecond), its direction and its bytes as they were on the wire::

    20261207-02:06:17.123456 OUT 8=FIXT.1.1|9=...|35=D|...|10=042|
    20261207-02:06:17.125012 IN  8=FIXT.1.1|9=...|35=8|...|10=187|

(with SOH where ``|`` is shown). ``fixwire decode`` reads such a file as it is: it finds the
messages among the prefixes. The log is off by default; it is turned on per session with
``SessionConfig(message_log=MessageLog(path))``, and it is separate from the store (a store
keeps what recovery needs; the log is for people).

What is logged: every message the session frames from the peer (those that do not parse too),
before the session acts on it, with the time the transport gave :meth:`Session.receive
<fixwire.session.Session.receive>`; every message the session queues for the transport, with
the time it was encoded (its SendingTime <52>); the messages of an answer to ResendRequest <2>
as they are read from the store. Garbled input (bad framing or CheckSum <10>) is not a message
and is not logged here: it is reported as a :class:`~fixwire.session.Garbled` event and on the
``fixwire.session`` logger.

No secret reaches the file: in a Logon <A>, the values of RawData <96> (a venue's signature,
as Kalshi's), Password <554>, NewPassword <925>, EncryptedPassword <1402> and
EncryptedNewPassword <1404> are written as as many ``*`` (RawData by its RawDataLength <95>
when it has one), and the CheckSum <10> is made right again, so the line is still a message
that ``fixwire decode`` reads; every other byte is as it was on the wire.

Bounded on disk: when a line would take the file past ``max_bytes``, the file is renamed
``<path>.1`` (the one before that ``<path>.2``, and so on up to ``backups``; the oldest is
removed) and a new one started, so the log takes at most ``(backups + 1) * max_bytes`` bytes
(a message longer than ``max_bytes`` on its own gets a file of its own). Cheap on the send
path: a line is formatted and buffered in memory; :meth:`MessageLog.flush` hands the buffer to
the operating system, which a :class:`~fixwire.session.Connection` does once per turn of its
event loop in which anything was logged (a sans-IO user calls it, or :meth:`MessageLog.close`).
If the file cannot be written (a full disk), the log says so once at ERROR on the
``fixwire.session`` logger and stops; the session carries on.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from fixwire._native import checksum

__all__ = ["MessageLog"]

_log = logging.getLogger("fixwire.session")

#: Bytes of lines buffered in memory before they are written to the file without a flush.
_BUFFER = 64 * 1024
_IN = b"IN  "
_OUT = b"OUT "
#: Where a Logon's MsgType <35> is: after BeginString <8> and BodyLength <9>.
_LOGON = b"\x0135=A\x01"
_HEADER = 32
#: The start of a secret value: RawData <96> after its length, or a secret field.
_SECRET = re.compile(rb"\x01(?:95=(\d{1,9})\x0196|96|554|925|1402|1404)=")


class MessageLog:
    """A size-rotated file of every message a session sends and receives.

    Args:
        path: The file; appended to when it exists. Rotated files are named after it with
            ``.1``, ``.2``, ... appended, ``.1`` the newest.
        max_bytes: The largest the file grows before it is rotated, in bytes (64 MiB by
            default).
        backups: Rotated files kept (5 by default); 0 keeps none (the file starts again).

    Raises:
        ValueError: ``max_bytes`` is below 1 or ``backups`` below 0.
        OSError: The file cannot be opened.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, max_bytes: int = 64 * 1024 * 1024, backups: int = 5
    ) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, not {max_bytes}")
        if backups < 0:
            raise ValueError(f"backups must be 0 or more, not {backups}")
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        #: Why the log stopped (the file could not be written), or ``None``.
        self.failure: OSError | None = None
        self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115 - kept open
        self._size = self._file.seek(0, os.SEEK_END)
        # Lines not yet written to the file, and their bytes.
        self._lines: list[bytes] = []
        self._buffered = 0
        self._second = -1
        self._stamp = b""

    def inbound(self, raw: bytes, now: float) -> None:
        """Logs a message received at ``now`` (seconds since the epoch)."""
        self._add(_IN, raw, now)

    def outbound(self, raw: bytes, now: float) -> None:
        """Logs a message sent at ``now`` (seconds since the epoch)."""
        self._add(_OUT, raw, now)

    @property
    def pending(self) -> bool:
        """Whether lines were logged since the last :meth:`flush`."""
        return bool(self._lines)

    def flush(self) -> None:
        """Writes the buffered lines to the file (to the operating system, not to the disk)."""
        if not self._lines:
            return
        data = b"".join(self._lines)
        self._lines.clear()
        self._buffered = 0
        if self.failure is not None:
            return
        try:
            view = memoryview(data)
            while view:
                view = view[self._file.write(view) :]
        except OSError as e:
            self._fail(e)

    def close(self) -> None:
        """Flushes and closes the file; later messages are not logged."""
        if not self._file.closed:
            self.flush()
            self._file.close()
        if self.failure is None:
            self.failure = OSError(f"message log {self.path} is closed")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _add(self, direction: bytes, raw: bytes, now: float) -> None:
        """Buffers one line; written to the file at the next :meth:`flush`, or at once when
        the buffer is full or the file is to be rotated.
        """
        if self.failure is not None:
            return
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(second)).encode()
        if raw.find(_LOGON, 0, _HEADER) >= 0:
            raw = _masked(raw)
        line = b"%s.%06d %s%s\n" % (self._stamp, (now - second) * 1e6, direction, raw)
        size = self._size + len(line)
        if size > self.max_bytes and self._size:
            self._rotate()
            if self.failure is not None:
                return
            size = len(line)
        self._lines.append(line)
        self._size = size
        self._buffered += len(line)
        if self._buffered > _BUFFER:
            self.flush()

    def _rotate(self) -> None:
        """Starts a new file, the current one renamed ``.1`` and the older ones moved up."""
        self.flush()
        if self.failure is not None:
            return
        self._file.close()
        path = str(self.path)
        try:
            for n in range(self.backups, 0, -1):
                newer = path if n == 1 else f"{path}.{n - 1}"
                if os.path.exists(newer):
                    os.replace(newer, f"{path}.{n}")
            self._file = open(path, "wb", buffering=0)  # noqa: SIM115 - kept open
        except OSError as e:
            self._fail(e)
        self._size = 0

    def _fail(self, error: OSError) -> None:
        self.failure = error
        _log.error("message log %s stopped: %s", self.path, error)


def _masked(logon: bytes) -> bytes:
    """``logon`` with its secret values written as ``*`` and its CheckSum <10> made right."""
    out = bytearray(logon)
    masked_to = 0
    for m in _SECRET.finditer(logon):
        start = m.end()
        if start < masked_to:
            continue  # Inside a RawData already masked.
        end = start + int(m[1]) if m[1] else logon.find(b"\x01", start)
        if end < 0 or end > len(logon):
            continue
        out[start:end] = b"*" * (end - start)
        masked_to = end
    trailer = len(out) - 7  # 10=NNN and its SOH.
    if masked_to and out[trailer : trailer + 3] == b"10=":
        out[trailer + 3 : trailer + 6] = b"%03d" % checksum(bytes(out[:trailer]))
    return bytes(out)
