"""The simulator's memory is bounded in time and bytes (sim/resend.py, sim/drop_copy.py): a
retransmission session's store prunes, oldest first, what is older than the resend window (spec
section 3) or past its byte cap; a ResendRequest <2> reaching below what was pruned gets a
SequenceReset-GapFill <4> over what is gone, the rest resent, then Reject <3> 371=7 373=5; drop
copy keeps each key within its byte cap too, refusing what it forgot with EventResendReject
<U3> 21004=3; and everything inside the limits still comes back, by resend and by drop copy.
The stores' own accounting is checked against what they hold and against the memory the
objects take; the end-to-end tests run over TLS loopback with the Kalshi client.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest

import fixwire
from fixwire import Encoder
from fixwire.kalshi import (
    EventResendComplete,
    EventResendReject,
    ExecutionReport,
    LogonSigner,
    SessionType,
)
from fixwire.kalshi.sim.drop_copy import FIELD_CHARGE, REPORT_CHARGE
from fixwire.kalshi.sim.resend import MESSAGE_OVERHEAD, RetentionStore, refuse_when_resent
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import (
    Connection,
    MemoryStore,
    RejectReceived,
    Role,
    Session,
    SessionConfig,
)
from fixwire.session.resend import ResendStream
from kalshi_venue import Client, Venue, run, venue

MARKET = "RETAIN-MKT"


def _report(encoder: Encoder, seq_num: int) -> bytes:
    """An ExecutionReport <8> as the simulator writes one, its Text <58> of varying length so
    that the messages are not all one size.
    """
    fields: list[tuple[int, Any]] = [
        (37, f"order-{seq_num}"),
        (11, f"client-{seq_num}"),
        (17, f"{seq_num};{seq_num}"),
        (150, "0"),
        (39, "0"),
        (55, MARKET),
        (54, "1"),
        (38, 10),
        (44, Decimal("0.55")),
        (14, 0),
        (151, 10),
        (58, "x" * (1 + seq_num % 97)),
    ]
    return encoder.encode("8", fields, seq_num=seq_num, sending_time=1.8e9)


def _held(store: RetentionStore, last: int) -> dict[int, bytes]:
    """Every message the store holds, read without moving its clock."""
    return MemoryStore.messages(store, 1, last)


def test_bytes_held_never_exceed_the_cap_over_a_long_run() -> None:
    """20,000 reports through a store capped at 256 KiB: after every one, the store's own
    count equals the held messages' sizes plus the bookkeeping charge and stays within the
    cap; the messages held are exactly the newest, from the pruned marker on.
    """
    encoder = Encoder("KalshiRT", "key", begin_string="FIXT.1.1")
    cap = 256 * 1024
    store = RetentionStore(lambda: 1.8e9, max_bytes=cap)
    sizes: dict[int, int] = {}
    for seq_num in range(1, 20_001):
        wire = _report(encoder, seq_num)
        sizes[seq_num] = len(wire)
        store.save(seq_num, wire)
        assert store.held_bytes <= cap
        if seq_num % 997 == 0 or seq_num == 20_000:
            held = _held(store, seq_num)
            assert store.held_bytes == sum(sizes[n] + MESSAGE_OVERHEAD for n in held)
            assert sorted(held) == list(range(store.pruned_below, seq_num + 1))
            # Pruned oldest first: one more message would not have fitted.
            oldest = store.pruned_below - 1
            assert store.held_bytes + sizes[oldest] + MESSAGE_OVERHEAD > cap
    assert store.pruned_below > 19_000
    assert store.next_sender_seq == 20_001


def test_the_charge_covers_the_memory_the_store_really_takes() -> None:
    """What tracemalloc sees allocated for the store (its messages, map, queues, numbers and
    times) stays within the cap plus a few KiB of fixed containers.
    """
    encoder = Encoder("KalshiRT", "key", begin_string="FIXT.1.1")
    reports = [_report(encoder, n) for n in range(1, 401)]
    cap = 128 * 1024
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = RetentionStore(lambda: 1.8e9, max_bytes=cap)
        worst = 0
        for seq_num in range(1, 12_001):
            # A new bytes object each time, as the session's encoder makes.
            store.save(seq_num, bytes(reports[seq_num % 400]))
            if seq_num % 50 == 0:
                worst = max(worst, tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    assert store.held_bytes <= cap
    assert worst <= cap + 16 * 1024, worst


def test_messages_older_than_the_window_are_pruned_by_age() -> None:
    """A one-hour window, an injected clock: a message is pruned once an hour old, whether
    another is stored or the store is only read; the marker says which numbers are gone.
    """
    now = [1.8e9]
    encoder = Encoder("KalshiRT", "key", begin_string="FIXT.1.1")
    store = RetentionStore(lambda: now[0], hours=1)
    store.save(1, _report(encoder, 1))
    now[0] += 1800.0
    store.save(2, _report(encoder, 2))
    store.set_next_sender_seq(4)  # 3 was a session-level message: never stored.
    now[0] += 1800.0
    store.save(4, _report(encoder, 4))
    assert sorted(store.messages(1, 4)) == [1, 2, 4]  # The first is exactly an hour old.
    assert not store.reaches_pruned(1)
    now[0] += 0.001
    store.save(5, _report(encoder, 5))
    assert (store.pruned_below, store.aged_below) == (2, 2)
    assert store.reaches_pruned(1)
    assert not store.reaches_pruned(2)
    now[0] += 1800.0  # Nothing stored: a read prunes.
    assert sorted(store.messages(1, 5)) == [4, 5]
    assert store.count(1, 5) == 2
    assert (store.pruned_below, store.aged_below) == (3, 3)
    assert store.reaches_pruned(2)
    assert not store.reaches_pruned(3)
    assert store.held_bytes == sum(len(m) + MESSAGE_OVERHEAD for m in _held(store, 5).values())
    now[0] += 3600.0
    assert store.messages(1, 5) == {}
    assert store.held_bytes == 0
    assert store.pruned_below == 6
    store.reset()
    assert (store.pruned_below, store.held_bytes, store.next_sender_seq) == (1, 0, 1)


def test_a_message_larger_than_the_cap_is_not_kept_and_renumbering_moves_the_marker() -> None:
    encoder = Encoder("KalshiRT", "key", begin_string="FIXT.1.1")
    small, large = _report(encoder, 1), _report(encoder, 96)
    store = RetentionStore(lambda: 1.8e9, max_bytes=len(small) + MESSAGE_OVERHEAD)
    store.save(1, small)
    store.save(2, large)
    assert store.messages(1, 2) == {}
    assert store.pruned_below == 3
    store.save(3, small)
    assert sorted(store.messages(1, 3)) == [3]
    # Numbers used again from 2 (a lower next number): nothing of the old numbering stays.
    store.save(2, small)
    assert sorted(store.messages(1, 3)) == [2]
    assert (store.pruned_below, store.held_bytes) == (2, len(small) + MESSAGE_OVERHEAD)
    assert store.reaches_pruned(1)
    assert not store.reaches_pruned(2)


def test_numbers_pruned_while_their_resend_is_read_are_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The race: a ResendRequest <2> (MsgSeqNum 7) for 1..5 checked while everything was held,
    then more than the cap stored before the session layer's answer reads the store. The lost
    numbers are gap-filled and, once, noted for a Reject <3> of request 7 naming the cap (the
    store asks for it to be sent), counted and logged: never passed over quietly.
    """
    encoder = Encoder("KalshiRT", "key", begin_string="FIXT.1.1")
    one = len(_report(encoder, 1)) + MESSAGE_OVERHEAD
    store = RetentionStore(lambda: 1.8e9, max_bytes=10 * one)
    asked: list[int] = []
    store.on_refusal = lambda: asked.append(len(store.refusals))
    for seq_num in range(1, 6):
        store.save(seq_num, _report(encoder, 1))
    assert not store.reaches_pruned(1, 7)  # The request for 1..5 is checked: nothing lost yet.
    assert not store.refusals
    answer = ResendStream(store, encoder, 1, 5, 1.8e9)
    for seq_num in range(6, 14):
        store.save(seq_num, _report(encoder, 1))
    with caplog.at_level(logging.WARNING, logger="fixwire.kalshi.sim"):
        resent = [fixwire.parse(wire) for wire in answer.take(float("inf"))]
    # A GapFill <4> from 1 to 4, then the two held (all saved as one report, numbered 1).
    assert [(m.msg_type, m.seq_num, m.get_int(36)) for m in resent] == [
        ("4", 1, 4),
        ("8", 1, None),
        ("8", 1, None),
    ]
    assert store.lost_in_resend == 3
    assert "numbers 1 to 3 were pruned while being resent" in caplog.text
    text = f"messages 1 to 3 were dropped to keep the resend store within {10 * one} bytes"
    assert list(store.refusals) == [(7, f"{text} while resent")]
    assert asked == [1]
    assert sorted(store.messages(1, 5)) == [4, 5]
    assert store.lost_in_resend == 3  # Told once.
    assert asked == [1]


def test_a_refusal_noted_outside_the_running_loop_is_sent_on_its_next_turn() -> None:
    """The store's ``on_refusal``, wired on the connection's loop, schedules the Reject's
    sending there even when the store is read while that loop is not running (a session
    driven by hand): it is sent (here: taken from the queue) on the loop's next turn.
    """
    store = RetentionStore(lambda: 1.8e9)
    config = SessionConfig(sender_comp_id="KalshiRT", target_comp_id="key", role=Role.ACCEPTOR)
    loop = asyncio.new_event_loop()
    try:

        async def wire() -> None:
            refuse_when_resent(Connection(Session(config, store)))

        loop.run_until_complete(wire())
        store.refusals.append((7, "messages 1 to 3 were pruned"))
        assert store.on_refusal is not None
        store.on_refusal()  # The loop is not running.
        assert store.refusals
        loop.run_until_complete(asyncio.sleep(0))
        assert not store.refusals
    finally:
        loop.close()


def test_numbers_aged_out_while_their_resend_is_read_are_refused_naming_the_window() -> None:
    """The same race by time: the window passes between the check and the read; the Reject
    noted names the window, and answers the newest request whose range it is.
    """
    encoder = Encoder("KalshiRT", "key", begin_string="FIXT.1.1")
    now = [1.8e9]
    store = RetentionStore(lambda: now[0], hours=1)
    for seq_num in range(1, 4):
        store.save(seq_num, _report(encoder, seq_num))
    assert not store.reaches_pruned(1, 20)
    assert not store.reaches_pruned(3, 21)
    now[0] += 3601
    assert store.messages(1, 3) == {}
    assert list(store.refusals) == [
        (20, "messages 1 to 3 were older than the resend window (1 hours) while resent")
    ]


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="resend window must be positive"):
        RetentionStore(time.time, hours=0)
    with pytest.raises(ValueError, match="at least 0 bytes"):
        RetentionStore(time.time, max_bytes=-1)


def _server_store(v: Venue, api_key: str, session_type: SessionType) -> RetentionStore:
    store = v.sim._clients[api_key, session_type].connection.session.store
    assert isinstance(store, RetentionStore)
    return store


async def _answers(c: Client, until: str) -> tuple[list[RejectReceived], list[ExecutionReport]]:
    """The Rejects and ExecutionReports that come until the report ``until`` (a ClOrdID
    <11>), then for as long as more keep coming.
    """
    rejects: list[RejectReceived] = []
    reports: list[ExecutionReport] = []
    while True:
        try:
            seen = any(r.cl_ord_id == until for r in reports)
            async with asyncio.timeout(0.3 if seen else 5):
                event = await c.events.get()
        except TimeoutError:
            return rejects, reports
        if isinstance(event, RejectReceived):
            rejects.append(event)
        elif isinstance(event, ExecutionReport):
            reports.append(event)


def test_a_resend_below_what_the_byte_cap_pruned_gets_a_reject_and_a_gap_fill(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """KalshiRT with room for about three reports: ten orders acknowledged, the client away,
    then asking for all ten again. It gets the numbers it can no longer have gap-filled,
    the newest reports resent, then Reject <3> 371=7 373=5 naming the cap, and its numbers
    move on: the next order is acknowledged as usual.
    """

    async def main() -> None:
        cap = 3 * 700
        async with venue(certificate, signer, [MARKET], max_resend_bytes=cap) as v:
            store = MemoryStore()
            options: dict[str, Any] = {"reset_seq_num": False, "skip_pending_exec_reports": True}
            first = await v.client(SessionType.RT, store=store, **options)
            key = first.client.config.api_key
            orders: list[str] = []
            acks: list[ExecutionReport] = []
            for price in range(10, 20):
                orders.append(first.client.new_order(MARKET, "yes", 1, Decimal(price) / 100))
                acks.append(await first.report(orders[-1], "0"))
            await first.close()
            server = _server_store(v, key, SessionType.RT)
            assert server.held_bytes <= cap
            kept = sorted(_held(server, server.next_sender_seq))
            assert 0 < len(kept) < 10
            marker = server.pruned_below
            assert acks[0].message.seq_num < marker <= acks[-1].message.seq_num
            # The client's record of what it received goes back to the first report.
            store.set_next_target_seq(acks[0].message.seq_num)
            again = await v.client(SessionType.RT, key, store=store, **options)
            rejects, reports = await _answers(again, orders[-1])
            assert [(r.ref_tag_id, r.reason, r.ref_msg_type) for r in rejects] == [(7, 5, "2")]
            assert f"messages before {marker} were dropped" in (rejects[0].text or "")
            assert f"within {cap} bytes" in (rejects[0].text or "")
            resent = [r.message.seq_num for r in reports]
            assert resent == kept  # What the store held, and nothing it had pruned.
            assert rejects[0].message.seq_num > resent[-1]  # Past the resend, not inside it.
            assert all(r.message.get_bool(43) is True for r in reports)  # PossDupFlag <43>.
            later = again.client.new_order(MARKET, "yes", 1, Decimal("0.05"))
            ack = await again.report(later, "0")
            assert ack.message.get_bool(43, default=False) is False
            assert store.next_target_seq == ack.message.seq_num + 1  # No gap left open.
            await again.close()

    run(main)


def test_a_resend_whose_messages_age_out_while_it_is_read_gets_a_reject(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """The race over TLS loopback: KalshiRT with a one-hour MessageRetentionPeriod <20200>,
    three orders acknowledged, the client away and back asking for them all. Its ResendRequest
    <2> is checked while everything is held; the simulator's clock then passes the window
    before the answer reads the store. The client gets a GapFill over the three and, after
    it, Reject <3> 371=7 373=5 of its request naming the window; its numbers move on.
    """
    now = [time.time()]
    server: list[RetentionStore] = []

    def clock() -> float:
        # Two hours pass once the server's store has checked a ResendRequest.
        return now[0] + (7200 if server and server[0]._asked else 0)

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], clock=clock) as v:
            store = MemoryStore()
            options: dict[str, Any] = {
                "reset_seq_num": False,
                "skip_pending_exec_reports": True,
                "message_retention_hours": 1,
            }
            first = await v.client(SessionType.RT, store=store, **options)
            key = first.client.config.api_key
            orders = [first.client.new_order(MARKET, "yes", 1, Decimal("0.30")) for _ in range(3)]
            acks = [await first.report(order, "0") for order in orders]
            await first.close()
            server.append(_server_store(v, key, SessionType.RT))
            store.set_next_target_seq(acks[0].message.seq_num)
            again = await v.client(SessionType.RT, key, store=store, **options)
            reject = await again.next(RejectReceived)
            assert (reject.ref_tag_id, reject.reason, reject.ref_msg_type) == (7, 5, "2")
            first_seq, last_seq = acks[0].message.seq_num, acks[-1].message.seq_num
            assert reject.text == (
                f"messages {first_seq} to {last_seq} were older than the resend window"
                " (1 hours) while resent"
            )
            assert server[0].lost_in_resend == 3
            later = again.client.new_order(MARKET, "yes", 1, Decimal("0.05"))
            ack = await again.report(later, "0")
            assert store.next_target_seq == ack.message.seq_num + 1  # No gap left open.
            await again.close()

    run(main)


def test_everything_inside_the_limits_comes_back_by_resend_and_by_drop_copy(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Thirty orders, the clock moved on 2.5 hours (inside the 24-hour resend window and the
    3-hour drop-copy lookback): a resend from the first report returns every one with no
    Reject, and drop copy replays every execution. The key's KalshiNR, which hears the same
    reports, stores nothing for resend.
    """
    now = [time.time()]

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], clock=lambda: now[0]) as v:
            store = MemoryStore()
            options: dict[str, Any] = {"reset_seq_num": False, "skip_pending_exec_reports": True}
            rt = await v.client(SessionType.RT, store=store, **options)
            key = rt.client.config.api_key
            nr = await v.client(SessionType.NR, key, skip_pending_exec_reports=True)
            orders = [rt.client.new_order(MARKET, "yes", 1, Decimal("0.20")) for _ in range(30)]
            acks = [await rt.report(order, "0") for order in orders]
            nr_order = nr.client.new_order(MARKET, "yes", 1, Decimal("0.21"))
            nr_ack = await nr.report(nr_order, "0")
            await rt.report(nr_order, "0")  # The key's trading sessions all hear it.
            assert _server_store(v, key, SessionType.NR).held_bytes == 0
            await rt.close()
            now[0] += 2.5 * 3600
            store.set_next_target_seq(acks[0].message.seq_num)
            again = await v.client(SessionType.RT, key, store=store, **options)
            rejects, reports = await _answers(again, nr_order)
            assert rejects == []
            assert [r.exec_id for r in reports] == [a.exec_id for a in [*acks, nr_ack]]
            await again.close()
            await nr.close()
            dc = await v.client(SessionType.DC, key)
            request = dc.client.replay_executions(acks[0].exec_id)
            replayed = [await dc.next(ExecutionReport) for _ in range(31)]
            complete = await dc.next(EventResendComplete)
            assert (complete.ref_seq_num, complete.count) == (request, 31)
            assert [r.exec_id for r in replayed[:30]] == [a.exec_id for a in acks]
            assert replayed[30].cl_ord_id == nr_order
            await dc.close()

    run(main)


def _deep_size(value: object, seen: set[int]) -> int:
    """What ``value`` and everything it holds take, by sys.getsizeof, each object once (so
    objects it shares with others count in full: an upper bound).
    """
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, (tuple, list)):
        size += sum(_deep_size(item, seen) for item in value)
    return size


def test_drop_copy_keeps_each_key_within_its_cap_and_refuses_what_it_forgot(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Drop copy capped at 16 KiB per key, twenty orders and a fill: the kept reports' charge
    equals the simulator's count, stays within the cap and covers what each report really
    takes; a replay from a forgotten report gets EventResendReject <U3> 21004=3, one from the
    oldest kept gets every report from there.
    """

    async def main() -> None:
        cap = 16 * 1024
        async with venue(certificate, signer, [MARKET], drop_copy_max_bytes=cap) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            key = trader.client.config.api_key
            orders = [trader.client.new_order(MARKET, "yes", 2, Decimal("0.30")) for _ in range(20)]
            acks = [await trader.report(order, "0") for order in orders]
            v.sim.trade_against(MARKET, "no", 1, Decimal("0.30"))
            fill = await trader.report(orders[0], "F")
            history = v.sim._history[key]
            charges = [REPORT_CHARGE + FIELD_CHARGE * len(fields) for _, _, _, fields in history]
            assert v.sim._history_bytes[key] == sum(charges) <= cap
            assert sum(charges) + charges[0] > cap  # Forgotten oldest first, no sooner.
            for (_, _, _, fields), charge in zip(history, charges, strict=True):
                assert _deep_size(fields, set()) <= charge
            kept = [f"{number};{number}" for number, _, _, _ in history]
            assert kept[-1] == fill.exec_id
            assert 0 < len(kept) < 21
            dc = await v.client(SessionType.DC, key)
            dc.client.replay_executions(acks[0].exec_id)
            assert (await dc.next(EventResendReject)).reason == 3
            request = dc.client.replay_executions(kept[0])
            replayed = [(await dc.next(ExecutionReport)).exec_id for _ in kept]
            complete = await dc.next(EventResendComplete)
            assert (complete.ref_seq_num, complete.count) == (request, len(kept))
            assert replayed == kept
            await dc.close()
            await trader.close()

    run(main)
