"""Message stores: sequence numbers and sent application messages, kept for resends.

A session writes every outbound application message to its store, as the bytes it sends,
*before* handing them to the transport; it records each sequence number it consumes, in and
out. Two stores:

* :class:`MemoryStore` keeps everything in the process; a restart starts from nothing.
* :class:`JournalStore` keeps it in an append-only file. A process killed at any instant (even
  SIGKILL between two writes) restarts with the same sequence numbers and every message it
  had stored; the counterparty sees neither a gap it cannot recover nor a message sent twice
  under different sequence numbers.

Why a journal and not SQLite: the send path is one ``os.write`` of one record, about
1-2 µs, with no query planning, no page rewrites and no second copy of the data in a write-ahead
log; recovery is a linear read that stops at the first torn record. Lookups for resends need
only a map from sequence number to file offset, which is rebuilt on open.

Journal format: an 8-byte magic, then records of ``kind (1 byte) | seq (8, little-endian) |
length (4) | CRC-32 of the preceding 13 bytes and the payload (4) | payload``. Kinds: a sent
message (payload: its bytes, the next outbound number becomes seq + 1), the next outbound
number, the next inbound number, a reset. A record that is cut short or fails its CRC ends the
journal; it is truncated there on open. A bad record with intact records after it is not a
torn tail but damage: opening the journal then fails with StoreError rather than drop them.
A reset rewrites the journal as a new file and renames it into place, so it never grows
across resets.
"""

from __future__ import annotations

import enum
import os
import struct
import zlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path

from fixwire.errors import StoreError

try:
    import fcntl
except ImportError:  # Windows: no flock, so JournalStore refuses to open (MemoryStore works)
    fcntl = None  # type: ignore[assignment]

__all__ = ["JournalStore", "MemoryStore", "Store", "Sync"]


class Store(ABC):
    """Where a session keeps its sequence numbers and sent application messages.

    Attributes:
        next_sender_seq: The MsgSeqNum <34> our next outbound message takes.
        next_target_seq: The MsgSeqNum <34> we expect on the next inbound message.

    The two numbers are plain attributes, read for every message sent and received (a property
    would cost a function call each time). Read them; change them only through the methods,
    which record the change. One exception: ``next_target_seq`` runs ahead of what is recorded
    while the application has not yet taken an inbound message (the session records the
    number of the first one it has not taken, so that a restart asks for it again; see
    :mod:`fixwire.session.delivery`).
    """

    next_sender_seq: int
    next_target_seq: int

    @abstractmethod
    def save(self, seq_num: int, message: bytes) -> None:
        """Keep ``message``, sent as ``seq_num``; the next outbound number becomes seq + 1."""

    @abstractmethod
    def set_next_sender_seq(self, seq_num: int) -> None:
        """Record that the next outbound message takes ``seq_num`` (an admin message went)."""

    @abstractmethod
    def set_next_target_seq(self, seq_num: int) -> None:
        """Record that the next inbound message should carry ``seq_num``."""

    @abstractmethod
    def messages(self, begin: int, end: int) -> dict[int, bytes]:
        """The stored messages with sequence numbers from ``begin`` to ``end``, inclusive."""

    def count(self, begin: int, end: int) -> int:
        """How many messages the store holds with numbers from ``begin`` to ``end``. This
        default reads them with :meth:`messages`; the stores here count without reading.
        """
        return len(self.messages(begin, end))

    @abstractmethod
    def reset(self) -> None:
        """Start over: both numbers back to 1 and no stored messages."""

    def close(self) -> None:  # noqa: B027  (a store without resources has nothing to close)
        """Release what the store holds open. The store is not used afterwards."""


def _count(held: Mapping[int, object], begin: int, end: int) -> int:
    """How many keys of ``held`` lie from ``begin`` to ``end``, whichever is fewer to walk."""
    if end - begin < len(held):
        return sum(1 for seq in range(begin, end + 1) if seq in held)
    return sum(1 for seq in held if begin <= seq <= end)


class MemoryStore(Store):
    """A store in this process's memory: fast, and gone when the process ends."""

    def __init__(self) -> None:
        self.next_sender_seq = 1
        self.next_target_seq = 1
        self._messages: dict[int, bytes] = {}

    def save(self, seq_num: int, message: bytes) -> None:
        """Stores the message sent as ``seq_num``; the next sender number follows it."""
        self._messages[seq_num] = message
        self.next_sender_seq = seq_num + 1

    def set_next_sender_seq(self, seq_num: int) -> None:
        """Sets the MsgSeqNum <34> of the next message sent."""
        self.next_sender_seq = seq_num

    def set_next_target_seq(self, seq_num: int) -> None:
        """Sets the MsgSeqNum <34> expected of the next message received."""
        self.next_target_seq = seq_num

    def messages(self, begin: int, end: int) -> dict[int, bytes]:
        """The stored messages numbered ``begin`` to ``end`` (inclusive), by number."""
        if end - begin < len(self._messages):
            found = ((seq, self._messages.get(seq)) for seq in range(begin, end + 1))
            return {seq: m for seq, m in found if m is not None}
        return {seq: m for seq, m in self._messages.items() if begin <= seq <= end}

    def count(self, begin: int, end: int) -> int:
        """How many messages numbered ``begin`` to ``end`` (inclusive) are stored."""
        return _count(self._messages, begin, end)

    def reset(self) -> None:
        """Forgets every message and starts both numbers again at 1."""
        self.next_sender_seq = 1
        self.next_target_seq = 1
        self._messages.clear()


class Sync(enum.Enum):
    """When a :class:`JournalStore` forces its writes to the disk.

    ``WRITE``: each record is written with one ``os.write`` and left to the operating system.
    It survives the process being killed at any point, not a power loss or a kernel crash.

    ``FSYNC``: each record is also flushed with ``fdatasync`` before the message is sent. It
    survives a power loss, at the cost of a disk flush per message (see the benchmarks).
    """

    WRITE = "write"
    FSYNC = "fsync"


_MAGIC = b"FIXWJ\x00\x00\x01"
_HEAD = struct.Struct("<BQI")
_CRC = struct.Struct("<I")
_RECORD_HEAD = _HEAD.size + _CRC.size
_MESSAGE, _SENDER, _TARGET, _RESET = 1, 2, 3, 4


def _intact(data: bytes, at: int) -> bool:
    """Whether a whole record with a matching CRC starts at byte ``at`` of ``data``."""
    if at + _RECORD_HEAD > len(data):
        return False
    length: int = _HEAD.unpack_from(data, at)[2]
    crc: int = _CRC.unpack_from(data, at + _HEAD.size)[0]
    payload = data[at + _RECORD_HEAD : at + _RECORD_HEAD + length]
    head = data[at : at + _HEAD.size]
    return len(payload) == length and zlib.crc32(payload, zlib.crc32(head)) == crc


def _record(kind: int, seq_num: int, payload: bytes = b"") -> bytes:
    head = _HEAD.pack(kind, seq_num, len(payload))
    return head + _CRC.pack(zlib.crc32(payload, zlib.crc32(head))) + payload


class JournalStore(Store):
    """A durable store in one append-only journal file (see the module documentation).

    The file is locked while open: a second process (or a second store in this one) opening the
    same journal gets a :class:`~fixwire.StoreError` instead of interleaving records.

    Args:
        path: The journal file; created, with its directory, when missing.
        sync: When writes reach the disk.

    Raises:
        StoreError: The journal is locked by another store, is not a fixwire journal, or cannot
            be read or written; or the platform has no ``fcntl`` file lock (Windows).
    """

    def __init__(self, path: str | os.PathLike[str], *, sync: Sync = Sync.WRITE) -> None:
        self._path = Path(path)
        self._sync = sync
        self.next_sender_seq = 1
        self.next_target_seq = 1
        # MsgSeqNum -> (offset of the payload, its length) in the journal.
        self._index: dict[int, tuple[int, int]] = {}
        self._end = 0
        if fcntl is None:
            raise StoreError(f"cannot open journal {self._path}: it needs fcntl's file lock (Unix)")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as e:
            raise StoreError(f"cannot open journal {self._path}: {e.strerror}") from e
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(self._fd)
            raise StoreError(f"journal {self._path} is in use by another store") from e
        try:
            self._recover()
        except BaseException:
            os.close(self._fd)
            raise

    @property
    def path(self) -> Path:
        """The journal file."""
        return self._path

    def save(self, seq_num: int, message: bytes) -> None:
        """Stores the message sent as ``seq_num``; the next sender number follows it."""
        offset = self._append(_record(_MESSAGE, seq_num, message))
        self._index[seq_num] = (offset + _RECORD_HEAD, len(message))
        self.next_sender_seq = seq_num + 1

    def set_next_sender_seq(self, seq_num: int) -> None:
        """Sets the MsgSeqNum <34> of the next message sent."""
        self._append(_record(_SENDER, seq_num))
        self.next_sender_seq = seq_num

    def set_next_target_seq(self, seq_num: int) -> None:
        """Sets the MsgSeqNum <34> expected of the next message received."""
        self._append(_record(_TARGET, seq_num))
        self.next_target_seq = seq_num

    def messages(self, begin: int, end: int) -> dict[int, bytes]:
        """The stored messages numbered ``begin`` to ``end`` (inclusive), by number."""
        found = {}
        for seq in range(begin, end + 1) if end - begin < len(self._index) else sorted(self._index):
            where = self._index.get(seq)
            if where is not None and begin <= seq <= end:
                found[seq] = os.pread(self._fd, where[1], where[0])
        return found

    def count(self, begin: int, end: int) -> int:
        """How many messages numbered ``begin`` to ``end`` (inclusive) are stored."""
        return _count(self._index, begin, end)

    def reset(self) -> None:
        """Forgets every message and starts both numbers again at 1."""
        fresh = self._path.with_name(self._path.name + ".new")
        start = _MAGIC + _record(_RESET, 1)
        fd = -1
        try:
            fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, start)
            os.fsync(fd)
            os.replace(fresh, self._path)
        except OSError as e:
            if fd >= 0:
                os.close(fd)
            fresh.unlink(missing_ok=True)
            raise StoreError(f"cannot reset journal {self._path}: {e.strerror}") from e
        os.close(self._fd)
        self._fd = fd
        # Offsets in the index count from the start of the new file.
        self._end = len(start)
        self.next_sender_seq = 1
        self.next_target_seq = 1
        self._index.clear()
        # The rename must reach the disk too, or a crash could bring the old journal back.
        try:
            directory = os.open(self._path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as e:
            raise StoreError(f"cannot sync the directory of {self._path}: {e.strerror}") from e

    def close(self) -> None:
        """Closes the journal's file; the store is unusable afterwards."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _append(self, record: bytes) -> int:
        """Writes one record at the end of the journal; returns its offset."""
        offset = self._end
        try:
            written = os.write(self._fd, record)
            if written != len(record):
                raise OSError(0, f"short write: {written} of {len(record)} bytes")
            if self._sync is Sync.FSYNC:
                os.fdatasync(self._fd)
        except OSError as e:
            raise StoreError(f"cannot write journal {self._path}: {e.strerror}") from e
        self._end = offset + len(record)
        return offset

    def _recover(self) -> None:
        """Reads the journal back; truncates a torn last record left by a crash."""
        data = b""
        with open(self._fd, "rb", closefd=False) as f:
            data = f.read()
        if not data:
            os.write(self._fd, _MAGIC)
            self._end = len(_MAGIC)
            return
        if not data.startswith(_MAGIC):
            raise StoreError(f"{self._path} is not a fixwire journal")
        at = len(_MAGIC)
        while at + _RECORD_HEAD <= len(data):
            kind, seq_num, length = _HEAD.unpack_from(data, at)
            payload_at = at + _RECORD_HEAD
            if not _intact(data, at):
                if _intact(data, payload_at + length):
                    # Not a torn tail: a good record follows a bad one. Truncating would throw
                    # the good ones away and send sequence numbers backwards.
                    raise StoreError(
                        f"{self._path}: the record at byte {at} is corrupt and intact records "
                        "follow it; refusing to truncate them"
                    )
                break
            if kind == _MESSAGE:
                self._index[seq_num] = (payload_at, length)
                self.next_sender_seq = seq_num + 1
            elif kind == _SENDER:
                self.next_sender_seq = seq_num
            elif kind == _TARGET:
                self.next_target_seq = seq_num
            elif kind == _RESET:
                self.next_sender_seq = self.next_target_seq = seq_num
                self._index.clear()
            else:
                raise StoreError(f"{self._path}: unknown record kind {kind} at byte {at}")
            at = payload_at + length
        if at < len(data):
            os.ftruncate(self._fd, at)
        self._end = at
