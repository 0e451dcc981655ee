"""QuickFIX's exceptions, each also a :class:`fixwire.FixError`.

Names, ``str()`` texts and the ``field`` attribute are QuickFIX's, so ``except
quickfix.FieldNotFound as e: e.field`` keeps working after the import is swapped; the root
:class:`FIXException` is a :class:`~fixwire.FixError`, so fixwire code catches them too.
"""

from __future__ import annotations

from fixwire.errors import FixError

__all__ = [
    "ConfigError",
    "DoNotSend",
    "FIXException",
    "FieldConvertError",
    "FieldNotFound",
    "IncorrectDataFormat",
    "IncorrectTagValue",
    "InvalidMessage",
    "RejectLogon",
    "RuntimeError",
    "UnsupportedMessageType",
]


class FIXException(FixError):
    """Root of QuickFIX's exceptions: ``type`` names the kind, ``detail`` what it is about."""

    _KIND = "FIX exception"

    def __init__(self, detail: str = "") -> None:
        self.type = self._KIND
        self.detail = detail
        super().__init__(f"{self._KIND}: {detail}" if detail else self._KIND)


class _FieldException(FIXException):
    """An exception about one field; ``field`` is its tag."""

    def __init__(self, field: int = 0, detail: str = "") -> None:
        self.field = field
        super().__init__(detail or str(field))


class FieldNotFound(_FieldException):
    """A field (or a group entry) that is not in the message was asked for."""

    _KIND = "Field not found"


class IncorrectTagValue(_FieldException):
    """A field's value is not one its tag allows; the application rejects the message."""

    _KIND = "Value is incorrect (out of range) for this tag"


class IncorrectDataFormat(_FieldException):
    """A field's value does not have its type's format."""

    _KIND = "Incorrect data format for value with tag"


class UnsupportedMessageType(FIXException):
    """The application does not handle this MsgType <35>; the engine answers with a reject."""

    _KIND = "Unsupported Message Type"


class RejectLogon(FIXException):
    """Raised by ``fromAdmin`` to refuse a Logon <A>; ``detail`` becomes the Logout's Text."""

    _KIND = "Rejected Logon Attempt"


class DoNotSend(FIXException):
    """Raised by ``toApp`` to drop an outbound application message."""

    _KIND = "Do Not Send Message"


class InvalidMessage(FIXException):
    """Text that is not a valid FIX message (framing, BodyLength <9>, CheckSum <10>)."""

    _KIND = "Invalid message"


class ConfigError(FIXException):
    """A settings file or a setting is wrong; the text names it."""

    _KIND = "Configuration failed"


class FieldConvertError(FIXException):
    """A value cannot be converted to or from its field's type."""

    _KIND = "Could not convert field"


class RuntimeError(FIXException):
    """The engine cannot do what was asked (start twice, a port in use ...)."""

    _KIND = "Runtime error"
