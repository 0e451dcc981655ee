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
from collections.abc import Iterator
from pathlib import Path

import pytest

import fixwire
from fixwire.session import (
    Disconnected,
    LoggedOn,
    LoggedOut,
    MemoryStore,
    Received,
    ResendComplete,
    ResendServed,
    Role,
    SequenceGap,
)
from quickfix_interop import (
    FIXWIRE_INITIATORS,
    HEARTBEAT,
    ORDER_TEXT,
    PARTY_VALUES,
    QUICKFIX_ACCEPTOR,
    TIMEOUT,
    app_messages,
    assert_clean,
    body,
    config_for,
    execution_report,
    field,
    fixwire_acceptor,
    fixwire_initiator,
    new_order,
    quickfix_initiator,
    quickfix_order,
    run,
    sent_by,
)
from quickfix_peer import QuickFixPeer, free_port


@pytest.fixture(scope="module")
def quickfix_acceptor(
    tmp_path_factory: pytest.TempPathFactory, quickfix_spec: Path
) -> Iterator[QuickFixPeer]:
    """One QuickFIX acceptor for the tests where fixwire initiates, one session each: QuickFIX
    loads FIX50SP2.xml once per engine, which takes it seconds.
    """
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

        # The next Logon resets: 34=1 with 141=Y, answered in kind by QuickFIX. Its HeartBtInt
        # <108> is long, so that no Heartbeat <0> takes number 2 on either side when the
        # machine is slow: the numbers asserted are exact.
        quiet = 30
        reset = dataclasses.replace(config, reset_on_logon=True, heartbeat_interval=quiet)
        probe = await fixwire_initiator(cleanup, reset, quickfix_acceptor, store)
        assert probe.of(LoggedOn) == [LoggedOn(quiet, reset=True)]
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
    # A long HeartBtInt <108>, so that no Heartbeat <0> of fixwire's takes number 2 after the
    # reset when the machine is slow: the number its report gets is asserted exactly.
    quiet = 30
    with quickfix_initiator(tmp_path, quickfix_spec, comp_ids, quiet) as peer:
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
            assert probe.of(LoggedOn)[1] == LoggedOn(quiet, reset=True)
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
            # fixwire saw the number QuickFIX gave the order, with no gap.
            numbered = field(sent_by(qf.wire(), comp_ids[1], "D")[-1], 34)
            assert (order.message.get(11), str(order.message.seq_num)) == ("SECOND", numbered)

            qf.session.logout()
            await probe.until(lambda p: p.of(Disconnected)[1:])
            await qf.recorder.until(lambda r: not r.logged_on)
            assert probe.of(SequenceGap) == []
            assert_clean(probe, qf)

        run(scenario)
