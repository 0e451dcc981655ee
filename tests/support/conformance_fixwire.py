"""fixwire's acceptor, built with the public ``fixwire.session`` API as a user would build it,
configured like the QuickFIX control (``conformance_quickfix.py``).

One :func:`fixwire.session.serve` on 127.0.0.1, given every session's configuration, serves
them all: SenderCompID <49> ``ISLD``, one session per (BeginString, counterparty CompID) (QuickFIX
setting names translated to ``SessionConfig``'s, or refused when it has no equivalent), each
validated with QuickFIX's own
dictionary for its version (read by :meth:`fixwire.Dictionary.from_xml`), QuickFIX's defaults
for the checks both engines have (a SendingTime <52> within 120 s, user-defined tags validated,
SessionRejectReason <373>=0 for a tag the dictionary lacks).

The application is QuickFIX's test application again: a NewOrderSingle <D> is echoed back
unless it carries PossResend <97>=Y and its ClOrdID <11> was seen since the last logout; any
other application message is refused with BusinessMessageReject <j> BusinessRejectReason
<380>=3, or with Reject <3> on FIX.4.0 and FIX.4.1, which have no BusinessMessageReject. What
the API does not let the application do is recorded in :attr:`FixwireAcceptor.errors` and shown
in the script's failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

import fixwire
from conformance_script import ACCEPTOR, HEADER_TAGS
from fixtext import fields_of
from fixwire.session import (
    Acceptor,
    Connection,
    LoggedOut,
    Received,
    Role,
    SessionConfig,
    serve,
)

__all__ = ["FixwireAcceptor", "Unsupported"]

_DICTIONARIES = {
    "FIX.4.0": ("FIX40.xml",),
    "FIX.4.1": ("FIX41.xml",),
    "FIX.4.2": ("FIX42.xml",),
    "FIX.4.3": ("FIX43.xml",),
    "FIX.4.4": ("FIX44.xml",),
    "FIXT.1.1": ("FIX50SP2.xml", "FIXT11.xml"),
}
_NO_BUSINESS_REJECT = ("FIX.4.0", "FIX.4.1")
#: QuickFIX's Y/N session settings and the SessionConfig fields that do the same.
_FLAGS = {
    "ResetOnLogout": "reset_on_logout",
    "ResetOnDisconnect": "reset_on_disconnect",
    "SendNextExpectedMsgSeqNum": "next_expected_msg_seq_num",
    "EnableLastMsgSeqNumProcessed": "last_msg_seq_num_processed",
}

#: QuickFIX/J's SessionID qualifiers and the SessionConfig fields that hold them.
_IDS = {
    "SenderSubID": "sender_sub_id",
    "SenderLocationID": "sender_location_id",
    "TargetSubID": "target_sub_id",
    "TargetLocationID": "target_location_id",
}


class Unsupported(Exception):
    """A QuickFIX setting a script needs that fixwire's SessionConfig has no equivalent for."""


def _config(
    version: str, counterparty: str, settings: dict[str, str], dictionary: fixwire.Dictionary
) -> SessionConfig:
    """The session's configuration, QuickFIX setting names translated to SessionConfig's."""
    options: dict[str, object] = {}
    for name, value in settings.items():
        if name == "MaxLatency":
            options["max_sending_time_skew"] = float(value)
        elif name == "CheckLatency" and value == "N":
            options["max_sending_time_skew"] = None
        elif name == "ValidateUserDefinedFields":
            options["allow_user_defined_fields"] = value == "N"
        elif name in _IDS:
            options[_IDS[name]] = value
        elif name in _FLAGS:
            options[_FLAGS[name]] = value == "Y"
        else:
            raise Unsupported(f"fixwire's SessionConfig has no equivalent of {name}={value}")
    return SessionConfig(
        sender_comp_id=ACCEPTOR,
        target_comp_id=counterparty,
        role=Role.ACCEPTOR,
        begin_string=version,
        dictionary=dictionary,
        max_sending_time_skew=120.0,
        allow_user_defined_fields=False,
        undefined_tag_reason=0,
        **options,  # type: ignore[arg-type]  # checked by SessionConfig itself
    )


class FixwireAcceptor:
    """The fixwire acceptor of one run, on the running event loop.

    Args:
        spec: QuickFIX's spec directory, for the dictionaries.
        sessions: Each session as (BeginString, counterparty CompID, extra QuickFIX settings).
    """

    def __init__(self, spec: Path, sessions: Iterable[tuple[str, str, dict[str, str]]]) -> None:
        dictionaries: dict[str, fixwire.Dictionary] = {}
        self._configs: dict[tuple[str, str], SessionConfig] = {}
        #: Sessions that cannot be configured, by (BeginString, counterparty): why.
        self.unsupported: dict[tuple[str, str], str] = {}
        #: What the application could not do, by (BeginString, counterparty).
        self.errors: dict[tuple[str, str], list[str]] = {}
        for version, counterparty, settings in sessions:
            if version not in dictionaries:
                paths = [spec / name for name in _DICTIONARIES[version]]
                dictionaries[version] = fixwire.Dictionary.from_xml(*paths)
            try:
                config = _config(version, counterparty, settings, dictionaries[version])
            except Unsupported as e:
                self.unsupported[version, counterparty] = str(e)
                continue
            self._configs[version, counterparty] = config
        self._acceptor: Acceptor | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listens on a free port of 127.0.0.1; returns it."""
        self._acceptor = await serve(self._configs.values(), self._serve, "127.0.0.1", 0)
        return self._acceptor.port

    async def stop(self) -> None:
        if self._acceptor is not None:
            async with asyncio.timeout(10):
                await self._acceptor.close()

    async def _serve(self, conn: Connection) -> None:
        """The test application for one session, for as long as the session lasts."""
        config = conn.session.config
        errors = self.errors.setdefault((config.begin_string, config.target_comp_id), [])
        orders: set[str] = set()
        async for event in conn:
            if isinstance(event, LoggedOut):
                orders.clear()
            if not isinstance(event, Received) or event.reject is not None:
                continue
            try:
                self._answer(conn, config.begin_string, event.message, orders)
            except fixwire.FixError as e:
                errors.append(f"the application could not answer: {e}")

    @staticmethod
    def _answer(conn: Connection, version: str, message: fixwire.Message, orders: set[str]) -> None:
        msg_type = message.msg_type
        if msg_type == "D":
            cl_ord_id = message[11]
            if message.get(97) == "Y" and cl_ord_id in orders:
                return
            orders.add(cl_ord_id)
            # QuickFIX's test application echoes the whole message; the session fills in the
            # header again, but PossResend <97> is the application's to copy.
            resend = [(97, "Y")] if message.get(97) == "Y" else []
            body = [
                (tag, value.decode())
                for tag, value in fields_of(message.raw)
                if tag not in HEADER_TAGS and tag != 10
            ]
            conn.send("D", resend + body)
        elif version in _NO_BUSINESS_REJECT:
            conn.send("3", [(45, str(message.seq_num)), (58, "Unsupported message type")])
        else:
            reject = [(45, str(message.seq_num)), (372, msg_type), (380, "3")]
            conn.send("j", [*reject, (58, "Unsupported message type")])
