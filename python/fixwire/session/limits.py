"""Byte counts for the session's inbound buffers (the outbound one is
:mod:`fixwire.session.outbound`); the limits themselves are in
:class:`~fixwire.session.SessionConfig`.
"""

from __future__ import annotations

from fixwire._native import Message
from fixwire.session.unparsed import Unparsed

__all__ = ["HeldMessages", "size_of"]


def size_of(message: Message | Unparsed) -> int:
    """The wire length of an inbound message, in bytes."""
    return len(message.raw)


class HeldMessages(dict[int, Message | Unparsed]):
    """Inbound messages held ahead of a gap, by MsgSeqNum, with their bytes counted in
    :attr:`bytes` (kept by every way the session adds or removes one).
    """

    bytes: int = 0

    def __setitem__(self, seq_num: int, message: Message | Unparsed) -> None:
        old = self.get(seq_num)
        if old is not None:
            self.bytes -= size_of(old)
        super().__setitem__(seq_num, message)
        self.bytes += size_of(message)

    def __delitem__(self, seq_num: int) -> None:
        self.bytes -= size_of(self[seq_num])
        super().__delitem__(seq_num)

    def pop(  # type: ignore[override]
        self, seq_num: int, default: Message | Unparsed | None = None
    ) -> Message | Unparsed | None:
        """Removes and returns the message held as ``seq_num`` (``default`` when none is)."""
        message = super().pop(seq_num, None)
        if message is None:
            return default
        self.bytes -= size_of(message)
        return message

    def clear(self) -> None:
        """Drops every held message."""
        super().clear()
        self.bytes = 0
