"""The exceptions fixwire raises: one tree rooted at :class:`FixError`.

``DecodeError`` is about bytes someone else wrote (a peer, a log file), ``EncodeError`` about
the caller's own arguments, ``RejectError`` about a message that is valid FIX but that a
counterparty would reject. Each carries a machine-readable ``kind`` and, where it applies, the
byte ``offset`` and the ``tag`` at fault.
"""

from __future__ import annotations

__all__ = [
    "ColumnError",
    "DecodeError",
    "DictionaryError",
    "EncodeError",
    "FixError",
    "MissingExtraError",
    "RejectError",
    "SessionError",
    "StoreError",
]


class FixError(Exception):
    """Root of every exception fixwire raises on purpose."""


def _describe(reason: str, offset: int | None, tag: int | None) -> str:
    where = [] if offset is None else [f"at byte {offset}"]
    if tag is not None:
        where.append(f"(tag {tag})")
    return " ".join([reason, *where])


class DecodeError(FixError, ValueError):
    """Bytes are not valid FIX.

    Attributes:
        reason: What is wrong, as a sentence.
        kind: A stable name for the problem, such as ``"bad_checksum"`` or ``"garbage"``.
        offset: Byte offset of the problem: from the start of the message for ``parse``, from
            the start of the stream for a ``Framer``.
        tag: The tag of the field at fault, when known.
    """

    def __init__(
        self, reason: str, kind: str = "invalid", offset: int = 0, tag: int | None = None
    ) -> None:
        super().__init__(_describe(reason, offset, tag))
        self.reason = reason
        self.kind = kind
        self.offset = offset
        self.tag = tag

    def __reduce__(self) -> tuple[type[DecodeError], tuple[str, str, int, int | None]]:
        return (type(self), (self.reason, self.kind, self.offset, self.tag))


class EncodeError(FixError, ValueError):
    """Arguments cannot be encoded as FIX; nothing was produced.

    Attributes:
        reason: What is wrong, as a sentence.
        kind: A stable name: ``"invalid_tag"``, ``"invalid_value"``, ``"empty_value"``,
            ``"soh_in_value"`` or ``"too_large"``.
        offset: Always ``None``; present so that every codec error has the same attributes.
        tag: The tag being written, when known.
    """

    def __init__(self, reason: str, kind: str = "invalid_value", tag: int | None = None) -> None:
        super().__init__(_describe(reason, None, tag))
        self.reason = reason
        self.kind = kind
        self.offset: int | None = None
        self.tag = tag

    def __reduce__(self) -> tuple[type[EncodeError], tuple[str, str, int | None]]:
        return (type(self), (self.reason, self.kind, self.tag))


class RejectError(FixError):
    """A message is valid FIX but would be rejected by the counterparty.

    Attributes:
        reject_reason: The FIX SessionRejectReason <373> code.
        ref_tag_id: RefTagID <371>, the tag at fault, when there is one.
        ref_msg_type: RefMsgType <372>, the rejected message's MsgType, when known.
        text: A readable explanation, suitable for Text <58>.
    """

    def __init__(
        self,
        reject_reason: int,
        text: str,
        ref_tag_id: int | None = None,
        ref_msg_type: str | None = None,
    ) -> None:
        super().__init__(f"{text} (SessionRejectReason {reject_reason})")
        self.reject_reason = reject_reason
        self.text = text
        self.ref_tag_id = ref_tag_id
        self.ref_msg_type = ref_msg_type

    def __reduce__(
        self,
    ) -> tuple[type[RejectError], tuple[int, str, int | None, str | None]]:
        return (type(self), (self.reject_reason, self.text, self.ref_tag_id, self.ref_msg_type))


class DictionaryError(FixError, ValueError):
    """A data dictionary (QuickFIX XML) that cannot be loaded.

    Attributes:
        reason: What is wrong, as a sentence.
        line: The line of the XML document at fault, when known.
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.reason = reason
        self.line = line

    def __reduce__(self) -> tuple[type[DictionaryError], tuple[str, int | None]]:
        return (type(self), (self.reason, self.line))


class ColumnError(FixError, ValueError):
    """A column request that cannot be read: a field name the dictionary does not define, a
    name without a dictionary, an unknown column kind, a tag asked for twice.
    """


class SessionError(FixError):
    """A session cannot do what was asked in its present state.

    For example: sending an application message before Logon completes or after Logout, an
    outbound queue that is full, or a TLS peer whose certificate does not match the pin.
    Nothing was sent.
    """


class StoreError(FixError):
    """A message store cannot be opened, locked, read or written.

    A journal another process holds, a journal written by another session, or a disk error.
    """


class MissingExtraError(FixError, ImportError):
    """A part of fixwire needs an optional dependency that is not installed.

    The message names the extra that installs it, as in ``pip install 'fixwire[kalshi]'``. It
    is an ``ImportError`` too, so code that already tolerates a missing import keeps working.

    Attributes:
        feature: What needs the dependency, such as ``"fixwire.kalshi"``.
        extra: The extra that installs it: ``"kalshi"``, ``"columns"``, ``"arrow"`` or
            ``"dask"``.
        name: The module that could not be imported (``ImportError.name``).
    """

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs {module}, which is not installed: pip install 'fixwire[{extra}]'",
            name=module,
        )
        self.feature = feature
        self.extra = extra

    def __reduce__(self) -> tuple[type[MissingExtraError], tuple[str, str, str]]:
        return (type(self), (self.feature, self.extra, self.name or ""))
