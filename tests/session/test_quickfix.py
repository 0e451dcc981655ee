"""fixwire's session layer against a real FIX engine: QuickFIX 1.16 over loopback.

QuickFIX runs in this process (``quickfix_peer.py``: its own threads, its own FIXT11.xml and
FIX50SP2.xml, full validation) and fixwire on asyncio in the test's thread, both on 127.0.0.1.
Where fixwire initiates, one QuickFIX acceptor serves every test, each its own session (own
CompIDs, store and logs); where QuickFIX initiates, each test starts its own initiator.

What crosses the wire is checked from both ends: what QuickFIX's application was handed and the
bytes in QuickFIX's message log; what fixwire reported (its events) and the bytes fed to its
session (a :class:`Probe`). Every test ends with :func:`assert_clean`: neither side
rejected anything or saw garbled input, and fixwire validated QuickFIX's application messages
against the same FIX50SP2.xml.

Lost messages are injected where a real loss happens, between the two engines:

* fixwire -> QuickFIX: :meth:`Probe.lose_outbound` takes a message's bytes from the sans-IO
  :class:`Session` (so it was numbered and stored) and throws them away instead of writing
  them.
* QuickFIX -> fixwire: :meth:`Probe.lose_inbound` drops one message before the session sees it.
* QuickFIX's own way: ``Session.setNextSenderMsgSeqNum`` skips sequence numbers.
"""

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest

import fixwire
from fixwire.session import (
    Acceptor,
    Connection,
    Disconnected,
    Event,
    FieldValue,
    Garbled,
    LoggedOn,
    LoggedOut,
    MemoryStore,
    Received,
    RejectReceived,
    RejectSent,
    ResendComplete,
    ResendServed,
    Role,
    SequenceGap,
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
    of ``msg_type`` (they are returned), or not yet (empty)."""

    def enough(recorder: Recorder) -> list[Inbound]:
        found = recorder.app_messages(msg_type)
        return found if len(found) >= count else []

    return enough


class Probe:
    """fixwire's side of a test, observed, with a lossy wire in front of it.

    A task collects the :class:`Connection`'s events. Between the session and the transport,
    in both directions, the probe sees every message and can lose chosen ones, as a network
    would: outbound in front of :meth:`Session.data_to_send` (the message was numbered and
    stored, its bytes are never written), inbound in front of :meth:`Session.receive` (the
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
        receive, data_to_send = session.receive, session.data_to_send
        connection_made = session.connection_made

        def tap_receive(data: bytes, now: float) -> None:
            for message in self._framer.feed(data):
                if self._lost(message, self._lose_inbound, self.lost_inbound):
                    continue
                self.inbound.append(message)
                receive(message.raw, now)
            assert not self._framer.drain_errors()
            self._changed.set()

        def tap_data_to_send() -> bytes:
            data = data_to_send()
            if not data or not self._lose_outbound:
                return data
            # The session hands out whole messages only.
            framer = fixwire.Framer()
            messages = framer.feed(data)
            assert framer.buffered == 0
            kept = [
                m.raw
                for m in messages
                if not self._lost(m, self._lose_outbound, self.lost_outbound)
            ]
            self._changed.set()
            return b"".join(kept)

        def tap_connection_made(now: float) -> None:
            self._framer = fixwire.Framer()  # A new connection is a new byte stream.
            connection_made(now)

        session.receive = tap_receive  # type: ignore[method-assign]
        session.data_to_send = tap_data_to_send  # type: ignore[method-assign]
        session.connection_made = tap_connection_made  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._collect())

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
    """fixwire's side of a test session (``comp_ids``: fixwire's, then QuickFIX's); inbound
    application messages are validated with QuickFIX's own FIX50SP2.xml."""
    return SessionConfig(
        sender_comp_id=comp_ids[0],
        target_comp_id=comp_ids[1],
        role=role,
        heartbeat_interval=HEARTBEAT,
        dictionary=dictionary,
    )


@pytest.fixture(scope="module")
def quickfix_acceptor(
    tmp_path_factory: pytest.TempPathFactory, quickfix_spec: Path
) -> Iterator[QuickFixPeer]:
    """One QuickFIX acceptor for the tests where fixwire initiates, one session each: QuickFIX
    loads FIX50SP2.xml once per engine, which takes it seconds."""
    with QuickFixPeer(
        tmp_path_factory.mktemp("quickfix-acceptor"),
        quickfix_spec,
        role="acceptor",
        port=free_port(),
        comp_ids=[(QUICKFIX_ACCEPTOR, ours) for ours in FIXWIRE_INITIATORS],
        heartbeat_interval=HEARTBEAT,
    ) as peer:
        peer.start()
        yield peer


def quickfix_initiator(tmp_path: Path, spec: Path, comp_ids: tuple[str, str]) -> QuickFixPeer:
    """A QuickFIX initiator for one test, not yet started (``comp_ids``: fixwire's, then
    QuickFIX's), connecting to a fixwire acceptor on a free port."""
    return QuickFixPeer(
        tmp_path / "quickfix",
        spec,
        role="initiator",
        port=free_port(),
        comp_ids=[(comp_ids[1], comp_ids[0])],
        heartbeat_interval=HEARTBEAT,
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
    both sides are logged on."""
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


def test_fixwire_initiator_to_quickfix_acceptor(
    quickfix_acceptor: QuickFixPeer, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-LOGON", QUICKFIX_ACCEPTOR)
    qf = quickfix_acceptor[comp_ids[0]]

    async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
        probe = await fixwire_initiator(cleanup, config_for(comp_ids, fix50sp2), quickfix_acceptor)
        conn = probe.conn
        assert probe.of(LoggedOn) == [LoggedOn(HEARTBEAT, reset=False)]
        (logon,) = qf.recorder.admin_messages("A")
        assert logon.seq_num == 1
        assert (logon.get(98), logon.get(108), logon.get(1137)) == ("0", "1", "9")

        # fixwire -> QuickFIX: NewOrderSingle, field by field as QuickFIX parsed it.
        seq_num = conn.send("D", new_order("CL-1"))
        (order,) = await qf.recorder.until(lambda r: r.app_messages("D"))
        assert (order.seq_num, order.possible_duplicate) == (seq_num, False)
        assert order.header(49) == comp_ids[0]
        assert order.header(56) == comp_ids[1]
        assert order.get(11) == "CL-1"
        for tag, text in ORDER_TEXT.items():
            assert order.get(tag) == text, tag

        # QuickFIX -> fixwire: ExecutionReport, field by field as fixwire read it.
        fields = execution_report("EXEC-1")
        qf.send("8", fields)
        (report,) = await probe.received(1)
        assert report.message.msg_type == "8"
        assert (report.possible_duplicate, report.reject) == (False, None)
        assert report.message.get(49) == comp_ids[1]
        assert report.message.get(56) == comp_ids[0]
        for tag, value in fields:
            assert report.message.get(tag) == value, tag

        # Heartbeats <0> both ways at HeartBtInt=1; the session outlives three intervals.
        await asyncio.sleep(3 * HEARTBEAT + 0.5)
        assert probe.inbound_types().count("0") >= 2
        assert len(qf.recorder.admin_messages("0")) >= 2
        assert conn.session.logged_on
        assert probe.of(Disconnected) == []
        assert qf.recorder.logged_on

        # fixwire logs out; QuickFIX answers; both close the connection.
        await conn.logout(timeout=TIMEOUT)
        await probe.finish()
        assert probe.of(LoggedOut) == [LoggedOut(None, by_peer=False)]
        assert probe.of(Disconnected) == [Disconnected("logout")]
        assert not conn.connected
        await qf.recorder.until(lambda r: not r.logged_on)
        assert len(qf.recorder.admin_messages("5")) == 1
        assert len(sent_by(qf.wire(), comp_ids[1], "5")) == 1
        assert "Disconnecting" in qf.events_log()

        # Both sides agree on every sequence number used.
        assert conn.session.store.next_sender_seq == qf.session.getExpectedTargetNum()
        assert conn.session.store.next_target_seq == qf.session.getExpectedSenderNum()
        assert_clean(probe, qf)

    run(scenario)


# 2. QuickFIX initiates: Logon, application messages both ways, heartbeats, Logout.


def test_quickfix_initiator_to_fixwire_acceptor(
    tmp_path: Path, quickfix_spec: Path, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-ACCEPTOR", "QF-INIT-LOGON")
    config = config_for(comp_ids, fix50sp2, Role.ACCEPTOR)
    with quickfix_initiator(tmp_path, quickfix_spec, comp_ids) as peer:
        qf = peer[comp_ids[0]]

        async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
            probe = await fixwire_acceptor(cleanup, config, peer)
            conn = probe.conn
            assert probe.of(LoggedOn) == [LoggedOn(HEARTBEAT, reset=False)]
            (answer,) = qf.recorder.admin_messages("A")
            assert (answer.seq_num, answer.get(108), answer.get(1137)) == (1, "1", "9")

            # QuickFIX -> fixwire.
            qf.send("D", quickfix_order("CL-9"))
            (order,) = await probe.received(1)
            assert order.message.msg_type == "D"
            assert (order.possible_duplicate, order.reject) == (False, None)
            assert order.message.get(11) == "CL-9"
            for tag, text in ORDER_TEXT.items():
                assert order.message.get(tag) == text, tag

            # fixwire -> QuickFIX.
            fields = execution_report("EXEC-9")
            seq_num = conn.send("8", fields)
            (report,) = await qf.recorder.until(lambda r: r.app_messages("8"))
            assert (report.seq_num, report.possible_duplicate) == (seq_num, False)
            for tag, value in fields:
                assert report.get(tag) == value, tag

            # Heartbeats flow both ways (test 1 watches them over several intervals).
            await qf.recorder.until(lambda r: r.admin_messages("0"))
            await probe.until(lambda p: "0" in p.inbound_types())

            # QuickFIX logs out, with a Text <58>; fixwire answers and closes.
            qf.session.logout("end of test")
            await probe.until(lambda p: p.of(Disconnected))
            assert probe.of(LoggedOut) == [LoggedOut("end of test", by_peer=True)]
            assert probe.of(Disconnected) == [Disconnected("logout")]
            assert not conn.connected
            await qf.recorder.until(lambda r: not r.logged_on)
            assert len(qf.recorder.admin_messages("5")) == 1
            assert conn.session.store.next_sender_seq == qf.session.getExpectedTargetNum()
            assert conn.session.store.next_target_seq == qf.session.getExpectedSenderNum()
            assert_clean(probe, qf)

        run(scenario)


# 3. Sequence gaps, recovered through ResendRequest <2>, in both directions.


def test_gap_in_fixwire_output_is_resent_to_quickfix(
    quickfix_acceptor: QuickFixPeer, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-GAP-OUT", QUICKFIX_ACCEPTOR)
    qf = quickfix_acceptor[comp_ids[0]]

    async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
        probe = await fixwire_initiator(cleanup, config_for(comp_ids, fix50sp2), quickfix_acceptor)
        conn = probe.conn

        # A arrives; B is lost; C arrives with a gap before it.
        conn.send("D", new_order("A"))
        probe.lose_outbound("D")
        b_seq = conn.send("D", new_order("B"))
        conn.send("D", new_order("C"))
        orders = await qf.recorder.until(app_messages("D", 3))
        # QuickFIX asked from B on, to infinity (EndSeqNo <16>=0), and fixwire resent.
        request = sent_by(qf.wire(), comp_ids[1], "2")[0]
        assert (field(request, 7), field(request, 16)) == (str(b_seq), "0")
        (served,) = await probe.until(lambda p: p.of(ResendServed))
        assert (served.begin, served.resent) == (b_seq, 2)  # B and C
        # Each order reached QuickFIX's application exactly once, B as a possible duplicate;
        # C's resent copy was below QuickFIX's expected number, so QuickFIX dropped it.
        assert [(o.get(11), o.possible_duplicate) for o in orders] == [
            ("A", False),
            ("B", True),
            ("C", False),
        ]
        (lost_b,) = probe.lost_outbound
        (resent_b,) = [m for m in sent_by(qf.wire(), comp_ids[0], "D") if field(m, 11) == "B"]
        assert (field(resent_b, 34), field(resent_b, 43)) == (str(b_seq), "Y")
        assert field(resent_b, 122) == lost_b.get(52)  # OrigSendingTime <122>

        # D and the Heartbeat <0> after it are lost, then E is sent: the resend is D again,
        # a SequenceReset-GapFill <4> over the Heartbeat (never resent), and E again.
        probe.lose_outbound("D")
        d_seq = conn.send("D", new_order("D"))
        probe.lose_outbound("0")
        await probe.until(lambda p: len(p.lost_outbound) >= 3, 2 * HEARTBEAT + 1)
        heartbeat_seq = probe.lost_outbound[2].seq_num
        e_seq = conn.send("D", new_order("E"))
        orders = await qf.recorder.until(app_messages("D", 5))
        assert [(o.get(11), o.seq_num, o.possible_duplicate) for o in orders[3:]] == [
            ("D", d_seq, True),
            ("E", e_seq, False),
        ]
        (fill,) = [m for m in qf.recorder.admin_messages("4") if m.seq_num > d_seq]
        assert fill.seq_num == heartbeat_seq
        assert (fill.get(123), fill.get(36), fill.possible_duplicate) == (
            "Y",
            str(heartbeat_seq + 1),
            True,
        )
        assert fill.header(122) is not None
        (served,) = await probe.until(lambda p: p.of(ResendServed)[1:])
        assert (served.begin, served.end, served.resent, served.gap_filled) == (
            d_seq,
            e_seq,
            2,
            1,
        )

        await conn.logout(timeout=TIMEOUT)
        await probe.finish()
        await qf.recorder.until(lambda r: not r.logged_on)
        sent = [o.get(11) for o in qf.recorder.app_messages("D")]
        assert sent == ["A", "B", "C", "D", "E"]
        assert conn.session.store.next_sender_seq == qf.session.getExpectedTargetNum()
        assert_clean(probe, qf)

    run(scenario)


def test_gap_in_quickfix_output_is_resent_to_fixwire(
    tmp_path: Path, quickfix_spec: Path, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-ACCEPTOR", "QF-INIT-GAP")
    config = config_for(comp_ids, fix50sp2, Role.ACCEPTOR)
    with quickfix_initiator(tmp_path, quickfix_spec, comp_ids) as peer:
        qf = peer[comp_ids[0]]

        async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
            probe = await fixwire_acceptor(cleanup, config, peer)
            conn = probe.conn

            # QuickFIX skips three sequence numbers, then sends an ExecutionReport.
            skipped_from = qf.session.getExpectedSenderNum()
            qf.session.setNextSenderMsgSeqNum(skipped_from + 3)
            qf.send("8", execution_report("EXEC-GAP"))

            (complete,) = await probe.until(lambda p: p.of(ResendComplete))
            (gap,) = probe.of(SequenceGap)
            assert (gap.expected, gap.recovering) == (skipped_from, True)
            assert gap.received >= skipped_from + 3
            # fixwire asked from the first missing number to infinity...
            (request,) = qf.recorder.admin_messages("2")
            assert (request.get(7), request.get(16)) == (str(skipped_from), "0")
            # ...and QuickFIX gap-filled the numbers it never used.
            fill = sent_by(qf.wire(), comp_ids[1], "4")[0]
            assert (field(fill, 34), field(fill, 123), field(fill, 43)) == (
                str(skipped_from),
                "Y",
                "Y",
            )
            assert int(field(fill, 36) or 0) >= skipped_from + 3

            # The report reached fixwire's application once, in order: gap, report, complete.
            (report,) = probe.of(Received)
            assert (report.message.get(17), report.possible_duplicate) == ("EXEC-GAP", False)
            assert probe.events.index(gap) < probe.events.index(report)
            assert probe.events.index(report) < probe.events.index(complete)
            assert complete.next_expected == report.message.seq_num + 1
            # QuickFIX resent it too (PossDupFlag <43>=Y); fixwire dropped that copy.
            await probe.until(lambda p: p.conn.session.duplicates >= 1)
            assert len(probe.of(Received)) == 1

            # The session carries on in sequence.
            qf.send("8", execution_report("EXEC-AFTER"))
            (_, after) = await probe.received(2)
            assert (after.message.get(17), after.possible_duplicate) == ("EXEC-AFTER", False)
            assert after.message.seq_num == complete.next_expected

            qf.session.logout()
            await probe.until(lambda p: p.of(Disconnected))
            await qf.recorder.until(lambda r: not r.logged_on)
            assert conn.session.store.next_target_seq == qf.session.getExpectedSenderNum()
            assert_clean(probe, qf)

        run(scenario)


# 4. A repeating group inside a resent message, both ways.


def test_repeating_group_survives_a_resend_both_ways(
    quickfix_acceptor: QuickFixPeer, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-GROUP", QUICKFIX_ACCEPTOR)
    qf = quickfix_acceptor[comp_ids[0]]

    async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
        probe = await fixwire_initiator(cleanup, config_for(comp_ids, fix50sp2), quickfix_acceptor)
        conn = probe.conn

        # fixwire -> QuickFIX: the order with NoPartyIDs <453> is lost, then resent.
        probe.lose_outbound("D")
        seq_num = conn.send("D", new_order("PARTIES", parties=True))
        (lost,) = (m.raw for m in probe.lost_outbound)
        assert conn.session.store.messages(seq_num, seq_num) == {seq_num: lost}
        conn.send("D", new_order("AFTER"))
        (order, _) = await qf.recorder.until(app_messages("D", 2))
        assert (order.get(11), order.seq_num, order.possible_duplicate) == (
            "PARTIES",
            seq_num,
            True,
        )
        assert order.entries(453, 448, [448, 447, 452]) == PARTY_VALUES
        (resent,) = [m for m in sent_by(qf.wire(), comp_ids[0], "D") if field(m, 11) == "PARTIES"]
        assert (field(resent, 34), field(resent, 43)) == (str(seq_num), "Y")
        assert body(resent) == body(lost)
        assert b"\x01453=3\x01448=TRADER-7\x01447=D\x01452=11\x01448=DESK-A\x01" in resent

        # QuickFIX -> fixwire: the report with NoPartyIDs <453> is lost, then resent.
        probe.lose_inbound("8")
        qf.send("8", execution_report("EXEC-PARTIES", parties=True))
        await probe.until(lambda p: p.lost_inbound)
        qf.send("8", execution_report("EXEC-AFTER"))
        (first, second) = await probe.received(2)
        (original,) = probe.lost_inbound
        assert (first.message.get(17), first.possible_duplicate) == ("EXEC-PARTIES", True)
        assert first.message.seq_num == original.seq_num
        assert first.message.get(122) == original.get(52)
        assert body(first.message.raw) == body(original.raw)
        parsed = fixwire.parse(first.message.raw, dictionary=fix50sp2)
        entries = [[e.get(448), e.get(447), e.get(452)] for e in parsed.group(453)]
        assert entries == PARTY_VALUES
        assert (second.message.get(17), second.possible_duplicate) == ("EXEC-AFTER", False)
        await probe.until(lambda p: p.of(ResendComplete))

        await conn.logout(timeout=TIMEOUT)
        await probe.finish()
        assert_clean(probe, qf)

    run(scenario)


# 5. ResetSeqNumFlag <141>=Y on Logon, from either side.


def test_fixwire_logon_with_reset_seq_num_flag(
    quickfix_acceptor: QuickFixPeer, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-RESET", QUICKFIX_ACCEPTOR)
    qf = quickfix_acceptor[comp_ids[0]]
    config = config_for(comp_ids, fix50sp2)
    store = MemoryStore()

    async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
        # A first session moves both sides' numbers on.
        probe = await fixwire_initiator(cleanup, config, quickfix_acceptor, store)
        probe.conn.send("D", new_order("FIRST"))
        qf.send("8", execution_report("EXEC-FIRST"))
        await probe.received(1)
        await qf.recorder.until(lambda r: r.app_messages("D"))
        await probe.conn.logout(timeout=TIMEOUT)
        await probe.finish()
        await qf.recorder.until(lambda r: not r.logged_on)
        assert store.next_sender_seq > 2
        assert qf.session.getExpectedSenderNum() > 2

        # The next Logon resets: 34=1 with 141=Y, answered in kind by QuickFIX.
        reset = dataclasses.replace(config, reset_on_logon=True)
        probe = await fixwire_initiator(cleanup, reset, quickfix_acceptor, store)
        assert probe.of(LoggedOn) == [LoggedOn(HEARTBEAT, reset=True)]
        logon = qf.recorder.admin_messages("A")[-1]
        assert (logon.seq_num, logon.get(141)) == (1, "Y")
        answer = sent_by(qf.wire(), comp_ids[1], "A")[-1]
        assert (field(answer, 34), field(answer, 141)) == ("1", "Y")

        # Both sides carry on from 2.
        assert probe.conn.send("D", new_order("SECOND")) == 2
        order = (await qf.recorder.until(lambda r: r.app_messages("D")[1:]))[0]
        assert (order.get(11), order.seq_num) == ("SECOND", 2)
        qf.send("8", execution_report("EXEC-SECOND"))
        (report,) = await probe.received(1)
        assert (report.message.get(17), report.message.seq_num) == ("EXEC-SECOND", 2)

        await probe.conn.logout(timeout=TIMEOUT)
        await probe.finish()
        assert probe.of(SequenceGap) == []
        assert_clean(probe, qf)

    run(scenario)


def test_quickfix_logon_with_reset_seq_num_flag(
    tmp_path: Path, quickfix_spec: Path, fix50sp2: fixwire.Dictionary
) -> None:
    comp_ids = ("FW-ACCEPTOR", "QF-INIT-RESET")
    config = config_for(comp_ids, fix50sp2, Role.ACCEPTOR)
    with quickfix_initiator(tmp_path, quickfix_spec, comp_ids) as peer:
        qf = peer[comp_ids[0]]

        async def scenario(cleanup: contextlib.AsyncExitStack) -> None:
            # A first session moves both sides' numbers on; QuickFIX logs out.
            probe = await fixwire_acceptor(cleanup, config, peer)
            store = probe.conn.session.store
            qf.send("D", quickfix_order("FIRST"))
            probe.conn.send("8", execution_report("EXEC-FIRST"))
            await probe.received(1)
            await qf.recorder.until(lambda r: r.app_messages("8"))
            qf.session.logout()
            await probe.until(lambda p: p.of(Disconnected))
            await qf.recorder.until(lambda r: not r.logged_on)
            assert store.next_sender_seq > 2
            assert store.next_target_seq > 2

            # QuickFIX comes back with ResetSeqNumFlag <141>=Y; fixwire's acceptor, the same
            # session with the same store, resets and answers in kind.
            qf.session.setResetOnLogon(True)
            qf.session.logon()
            await probe.until(lambda p: p.of(LoggedOn)[1:])
            assert probe.of(LoggedOn)[1] == LoggedOn(HEARTBEAT, reset=True)
            await qf.recorder.until(lambda r: r.logged_on)
            logon = sent_by(qf.wire(), comp_ids[1], "A")[-1]
            assert (field(logon, 34), field(logon, 141)) == ("1", "Y")
            answer = qf.recorder.admin_messages("A")[-1]
            assert (answer.seq_num, answer.get(141)) == (1, "Y")

            # Both sides carry on from 2.
            assert probe.conn.send("8", execution_report("EXEC-SECOND")) == 2
            report = (await qf.recorder.until(lambda r: r.app_messages("8")[1:]))[0]
            assert (report.get(17), report.seq_num) == ("EXEC-SECOND", 2)
            qf.send("D", quickfix_order("SECOND"))
            (_, order) = await probe.received(2)
            assert (order.message.get(11), order.message.seq_num) == ("SECOND", 2)

            qf.session.logout()
            await probe.until(lambda p: p.of(Disconnected)[1:])
            await qf.recorder.until(lambda r: not r.logged_on)
            assert probe.of(SequenceGap) == []
            assert_clean(probe, qf)

        run(scenario)
