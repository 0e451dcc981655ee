"""The harness of fixwire's interop tests against QuickFIX 1.16 over loopback.

``tests/session/test_quickfix.py`` (FIXT.1.1) and ``test_quickfix_fix4.py`` (FIX.4.2, FIX.4.4)
use it; the first one's module documentation says how the two engines meet and how losses are
injected.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import fixwire
from fixwire.session import (
    Acceptor,
    Connection,
    Event,
    FieldValue,
    Garbled,
    LoggedOn,
    Received,
    RejectReceived,
    RejectSent,
    Role,
    SessionConfig,
    Store,
    connect,
    serve,
)
from quickfix_peer import Inbound, PeerSession, QuickFixPeer, Recorder, fields_of, free_port

_T = TypeVar("_T")

HEARTBEAT = 1  # HeartBtInt <108>, seconds: small, so that heartbeats are seen within a test.
TIMEOUT = 5.0  # The bound of every single wait.
SCENARIO_TIMEOUT = 30.0  # The bound of a whole test's asyncio part.

# QuickFIX's shared acceptor and the fixwire initiators it serves, one per test.
QUICKFIX_ACCEPTOR = "QF-ACCEPTOR"
FIXWIRE_INITIATORS = ("FW-LOGON", "FW-GAP-OUT", "FW-GROUP", "FW-RESET")

TRANSACT_TIME = datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
PARTIES: list[list[tuple[int, FieldValue]]] = [
    [(448, "TRADER-7"), (447, "D"), (452, "11")],
    [(448, "DESK-A"), (447, "D"), (452, "1")],
    [(448, "CLEARER-X"), (447, "G"), (452, "4")],
]
PARTY_VALUES = [[str(value) for _, value in entry] for entry in PARTIES]

# How QuickFIX must read new_order()'s fields; also what QuickFIX sends as the same order.
ORDER_TEXT = {55: "ABC", 54: "1", 60: "20260102-03:04:05.678", 38: "100", 40: "2", 44: "10.25"}

# The header fields of either engine, which a resend may reorder, add or change; the body
# after them must come back byte for byte.
RESEND_HEADER_TAGS = frozenset({8, 9, 35, 49, 56, 34, 52, 43, 97, 122})


def new_order(cl_ord_id: str, *, parties: bool = False) -> list[tuple[int, FieldValue]]:
    """A NewOrderSingle <D> body for fixwire to send, valid for QuickFIX's FIX50SP2.xml."""
    fields: list[tuple[int, FieldValue]] = [
        (11, cl_ord_id),
        (55, "ABC"),
        (54, "1"),
        (60, TRANSACT_TIME),
        (38, Decimal("100")),
        (40, "2"),
        (44, Decimal("10.25")),
    ]
    if parties:
        fields.append((453, PARTIES))
    return fields


def quickfix_order(cl_ord_id: str) -> list[tuple[int, Any]]:
    """The same order as text, for QuickFIX to send."""
    return [(11, cl_ord_id), *ORDER_TEXT.items()]


def execution_report(exec_id: str, *, parties: bool = False) -> list[tuple[int, Any]]:
    """An ExecutionReport <8> body, as text (for either side to send)."""
    fields: list[tuple[int, Any]] = [
        (37, "ORDER-1"),
        (17, exec_id),
        (11, "CL-1"),
        (150, "0"),
        (39, "0"),
        (55, "ABC"),
        (54, "1"),
        (151, "100"),
        (14, "0"),
        (6, "0"),
    ]
    if parties:
        fields.append((453, [[(tag, str(value)) for tag, value in e] for e in PARTIES]))
    return fields


def body(raw: bytes) -> bytes:
    """The bytes after a message's header and before CheckSum <10>: a resend keeps them."""
    start = None
    at = 0
    for item in raw.split(b"\x01")[:-1]:
        tag = int(item.partition(b"=")[0])
        if tag == 10:
            assert start is not None
            return raw[start:at]
        if start is None and tag not in RESEND_HEADER_TAGS:
            start = at
        at += len(item) + 1
    raise AssertionError(f"no CheckSum <10> in {raw!r}")


def field(raw: bytes, tag: int) -> str | None:
    """The first value of ``tag`` in a raw message, or None."""
    return next((value for t, value in fields_of(raw) if t == tag), None)


def sent_by(wire: Iterable[bytes], comp_id: str, msg_type: str | None = None) -> list[bytes]:
    """The messages of a wire log that ``comp_id`` sent, optionally of one MsgType."""
    return [
        raw
        for raw in wire
        if field(raw, 49) == comp_id and (msg_type is None or field(raw, 35) == msg_type)
    ]


def app_messages(msg_type: str, count: int) -> Callable[[Recorder], list[Inbound]]:
    """A predicate for :meth:`Recorder.until`: QuickFIX's application has ``count`` messages
    of ``msg_type`` (they are returned), or not yet (empty).
    """

    def enough(recorder: Recorder) -> list[Inbound]:
        found = recorder.app_messages(msg_type)
        return found if len(found) >= count else []

    return enough


class Probe:
    """fixwire's side of a test, observed, with a lossy wire in front of it.

    A task collects the :class:`Connection`'s events. Between the session and the transport,
    in both directions, the probe sees every message and can lose chosen ones, as a network
    would: outbound at the transport's ``write`` (the message was numbered and stored, its
    bytes are never written), inbound in front of :meth:`Session.receive` (the
    session is fed the same bytes, message by message, less the lost one). :meth:`until`
    wakes on events and on messages either way.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.events: list[Event] = []
        self.inbound: list[fixwire.Message] = []
        self.lost_inbound: list[fixwire.Message] = []
        self.lost_outbound: list[fixwire.Message] = []
        self._lose_inbound: list[Callable[[fixwire.Message], bool]] = []
        self._lose_outbound: list[Callable[[fixwire.Message], bool]] = []
        self._changed = asyncio.Event()
        self._framer = fixwire.Framer()
        session = conn.session
        receive, connection_made = session.receive, session.connection_made

        def tap_receive(data: bytes, now: float) -> None:
            for message in self._framer.feed(data):
                if self._lost(message, self._lose_inbound, self.lost_inbound):
                    continue
                self.inbound.append(message)
                receive(message.raw, now)
            assert not self._framer.drain_errors()
            self._changed.set()

        def tap_connection_made(now: float) -> None:
            self._framer = fixwire.Framer()  # A new connection is a new byte stream.
            self._tap_writes()  # The connection's transport is set before the session is told.
            connection_made(now)

        session.receive = tap_receive  # type: ignore[method-assign]
        session.connection_made = tap_connection_made  # type: ignore[method-assign]
        self._tap_writes()
        self._task = asyncio.create_task(self._collect())

    def _tap_writes(self) -> None:
        """Loses the chosen outbound messages from the connection's transport's writes."""
        transport = self.conn._transport
        if transport is None:
            return
        write = transport.write

        def tap_write(data: bytes | bytearray | memoryview) -> None:
            if data and self._lose_outbound:
                # The connection writes whole messages only.
                framer = fixwire.Framer()
                messages = framer.feed(bytes(data))
                assert framer.buffered == 0
                data = b"".join(
                    m.raw
                    for m in messages
                    if not self._lost(m, self._lose_outbound, self.lost_outbound)
                )
                self._changed.set()
            write(data)

        transport.write = tap_write  # type: ignore[method-assign]

    @staticmethod
    def _lost(
        message: fixwire.Message,
        losses: list[Callable[[fixwire.Message], bool]],
        lost: list[fixwire.Message],
    ) -> bool:
        for predicate in losses:
            if predicate(message):
                losses.remove(predicate)
                lost.append(message)
                return True
        return False

    async def _collect(self) -> None:
        async for event in self.conn:
            self.events.append(event)
            self._changed.set()

    def of(self, kind: type[_T]) -> list[_T]:
        """The events of one kind, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    def inbound_types(self) -> list[str]:
        return [m.msg_type for m in self.inbound]

    def lose_inbound(self, msg_type: str) -> None:
        """Loses the next inbound message of ``msg_type`` before the session sees it."""
        self._lose_inbound.append(lambda m: m.msg_type == msg_type)

    def lose_outbound(self, msg_type: str) -> None:
        """Loses the next outbound message of ``msg_type``: stored, numbered, never written."""
        self._lose_outbound.append(lambda m: m.msg_type == msg_type)

    async def until(self, predicate: Callable[["Probe"], _T], timeout: float = TIMEOUT) -> _T:
        """Waits until ``predicate(self)`` is truthy after an event or a message."""
        async with asyncio.timeout(timeout):
            while not (result := predicate(self)):
                self._changed.clear()
                await self._changed.wait()
            return result

    async def received(self, count: int) -> list[Received]:
        """Waits until ``count`` application messages have been delivered; returns them."""
        await self.until(lambda p: len(p.of(Received)) >= count)
        return self.of(Received)

    async def finish(self) -> None:
        """Waits for the event stream to end: the connection is closed for good."""
        async with asyncio.timeout(TIMEOUT):
            await self._task


def assert_clean(probe: Probe, qf: PeerSession) -> None:
    """Neither side rejected anything or saw garbled input; QuickFIX's callbacks all ran."""
    assert probe.of(RejectReceived) == [], qf.events_log()
    assert probe.of(RejectSent) == []
    assert probe.of(Garbled) == []
    assert [r.reject for r in probe.of(Received) if r.reject is not None] == []
    rejects = [raw for raw in qf.wire() if field(raw, 35) in ("3", "j")]
    assert rejects == [], qf.events_log()
    assert qf.recorder.errors == []


def config_for(
    comp_ids: tuple[str, str], dictionary: fixwire.Dictionary, role: Role = Role.INITIATOR
) -> SessionConfig:
    """Fixwire's side of a test session (``comp_ids``: fixwire's, then QuickFIX's); inbound
    application messages are validated with QuickFIX's own FIX50SP2.xml.
    """
    return SessionConfig(
        sender_comp_id=comp_ids[0],
        target_comp_id=comp_ids[1],
        role=role,
        heartbeat_interval=HEARTBEAT,
        dictionary=dictionary,
    )


def quickfix_initiator(
    tmp_path: Path, spec: Path, comp_ids: tuple[str, str], heartbeat_interval: int = HEARTBEAT
) -> QuickFixPeer:
    """A QuickFIX initiator for one test, not yet started (``comp_ids``: fixwire's, then
    QuickFIX's), connecting to a fixwire acceptor on a free port, with HeartBtInt <108>
    ``heartbeat_interval`` seconds.
    """
    return QuickFixPeer(
        tmp_path / "quickfix",
        spec,
        role="initiator",
        port=free_port(),
        comp_ids=[(comp_ids[1], comp_ids[0])],
        heartbeat_interval=heartbeat_interval,
    )


async def close_bounded(closable: Connection | Acceptor) -> None:
    async with asyncio.timeout(TIMEOUT):
        await closable.close()


async def fixwire_initiator(
    cleanup: contextlib.AsyncExitStack,
    config: SessionConfig,
    peer: QuickFixPeer,
    store: Store | None = None,
) -> Probe:
    """Connects fixwire to the QuickFIX acceptor; returns once both sides are logged on."""
    conn = await connect(config, "127.0.0.1", peer.port, store=store)
    cleanup.push_async_callback(close_bounded, conn)
    probe = Probe(conn)
    await conn.logged_on(TIMEOUT)
    await probe.until(lambda p: p.of(LoggedOn))
    # QuickFIX sends only once it has called onLogon, which may come a moment later.
    await peer[config.sender_comp_id].recorder.until(lambda r: r.logged_on)
    return probe


async def fixwire_acceptor(
    cleanup: contextlib.AsyncExitStack, config: SessionConfig, peer: QuickFixPeer
) -> Probe:
    """Serves the session on the peer's port and starts the QuickFIX initiator; returns once
    both sides are logged on.
    """
    accepted: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()

    async def handler(conn: Connection) -> None:
        if not accepted.done():
            accepted.set_result(conn)

    acceptor = await serve([config], handler, "127.0.0.1", peer.port)
    cleanup.push_async_callback(close_bounded, acceptor)
    peer.start()
    async with asyncio.timeout(TIMEOUT):
        conn = await accepted
    probe = Probe(conn)
    await conn.logged_on(TIMEOUT)
    await probe.until(lambda p: p.of(LoggedOn))
    await peer[config.sender_comp_id].recorder.until(lambda r: r.logged_on)
    return probe


def run(scenario: Callable[[contextlib.AsyncExitStack], Awaitable[None]]) -> None:
    """Runs a test's asyncio part, bounded; what it opened is closed even when it fails."""

    async def main() -> None:
        async with contextlib.AsyncExitStack() as cleanup:
            async with asyncio.timeout(SCENARIO_TIMEOUT):
                await scenario(cleanup)

    asyncio.run(main())


# 1. fixwire initiates: Logon, application messages both ways, heartbeats, Logout.
