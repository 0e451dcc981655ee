"""The outbound queue of a session, bounded in bytes.

What the session has to send waits here until the transport takes it with
:meth:`fixwire.session.Session.data_to_send`: whole messages, counted in :attr:`Outbound.queued`
bytes, and answers to ResendRequest <2> as :class:`~fixwire.session.resend.ResendStream`
objects, which read the store only as they are taken and so count nothing while they wait.
The order is kept: what was queued after a resend goes after it.

Resends are coalesced: a request for numbers that a queued answer already covers adds nothing,
and one that reaches past it adds only the numbers past it, so a peer that repeats a
ResendRequest without reading the answers queues each number once.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from fixwire.session.resend import ResendStream

if TYPE_CHECKING:
    from fixwire.session.messagelog import MessageLog

__all__ = ["Outbound"]


class Outbound:
    """Messages and resends waiting for the transport, in order.

    Args:
        log: Where the messages of a resend are logged as they are read from the store (the
            session logs the others as it queues them).
    """

    __slots__ = ("_log", "_streams", "items", "queued")

    def __init__(self, log: MessageLog | None = None) -> None:
        self._log = log
        #: The queue itself, oldest first; never replaced, so a holder may test it for
        #: emptiness without a call. It changes through the methods here, but for the hot
        #: path of an adapter that finds one message in it: taking that one is
        #: ``items.popleft()`` with ``queued = 0`` (what :meth:`take` does for it), without the
        #: calls.
        self.items: deque[bytes | ResendStream] = deque()
        self._streams: list[ResendStream] = []
        #: Bytes of whole messages waiting (resends not yet read from the store excluded).
        self.queued = 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def append(self, wire: bytes) -> None:
        """Queues one encoded message (``Session.send`` does the same without the call)."""
        self.items.append(wire)
        self.queued += len(wire)

    def extend(self, wires: list[bytes]) -> None:
        """Queues encoded messages, in order."""
        for wire in wires:
            self.append(wire)

    def add_resend(self, stream: ResendStream) -> bool:
        """Queues the answer to a resend, less what a queued answer already covers.

        Returns:
            False when every number asked for is already queued (nothing was added).
        """
        for queued in self._streams:
            if queued.begin <= stream.begin <= queued.end + 1:
                if stream.end <= queued.end:
                    return False
                if queued is self.items[-1]:
                    # Nothing was queued behind it: it simply goes on further.
                    queued.end = stream.end
                    return True
                stream.begin = stream.next = queued.end + 1
        self.items.append(stream)
        self._streams.append(stream)
        return True

    def drop_resends(self) -> None:
        """Forgets the resends not yet taken (the connection is ending: the peer asks again on
        the next one).
        """
        if self._streams:
            kept = [item for item in self.items if type(item) is bytes]
            self.items.clear()
            self.items.extend(kept)
            self._streams.clear()

    def clear(self) -> None:
        """Forgets everything queued."""
        self.items.clear()
        self._streams.clear()
        self.queued = 0

    def take(self, max_bytes: int | None = None) -> bytes:
        """The bytes to write next, in order: everything, or (with ``max_bytes``) whole
        messages while they add up to less than ``max_bytes``, at least one when ``max_bytes``
        is positive.
        """
        items = self.items
        if len(items) == 1 and not self._streams and (max_bytes is None or max_bytes > 0):
            # The common case, the one message just sent: taken whatever its size.
            self.queued = 0
            return items.popleft()  # type: ignore[return-value]
        if not items:
            return b""
        if not self._streams and (max_bytes is None or 0 < self.queued <= max_bytes):
            data = items[0] if len(items) == 1 else b"".join(items)  # type: ignore[arg-type]
            items.clear()
            self.queued = 0
            return data  # type: ignore[return-value]
        limit = float("inf") if max_bytes is None else max_bytes
        if limit <= 0:
            return b""
        out: list[bytes] = []
        size = 0
        while items and size < limit:
            item = items[0]
            if type(item) is bytes:
                items.popleft()
                out.append(item)
                size += len(item)
                self.queued -= len(item)
                continue
            stream: ResendStream = item  # type: ignore[assignment]
            chunk = stream.take(limit - size)
            if self._log is not None:
                for wire in chunk:
                    self._log.outbound(wire, stream.now)
            out.extend(chunk)
            size += sum(map(len, chunk))
            if stream.done:
                items.popleft()
                self._streams.remove(stream)
        return b"".join(out)
