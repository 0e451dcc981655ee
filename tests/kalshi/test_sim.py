"""The Kalshi client against the simulator, end to end over TLS on loopback.

Every test starts a simulator with a fresh self-signed certificate, registers a generated key,
and logs on with :class:`KalshiClient` (certificate verified and pinned). Waits are bounded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest

from fixwire import SessionError
from fixwire.kalshi import (
    BusinessMessageReject,
    EventResendComplete,
    EventResendReject,
    ExecutionReport,
    KalshiClient,
    LogonSigner,
    MassCancelReport,
    OrderCancelReject,
    OrderGroupResponse,
    OrderState,
    SessionType,
)
from fixwire.kalshi.config import RateLimit
from fixwire.kalshi.signing import generate_key
from fixwire.kalshi.sim import HOUSE, Simulator
from fixwire.kalshi.sim.matching import Side
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import Disconnected, LoggedOn, connect
from kalshi_venue import Venue, run, venue

MARKET = "TEST-MKT"


def test_order_is_acknowledged_and_filled_by_flow(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR)
            cl_ord_id = c.client.new_order(MARKET, "yes", 10, Decimal("0.42"))
            # The first message after the Logon <A> (MsgSeqNum 1) places it.
            sent = OrderState(
                cl_ord_id, MARKET, "yes", Decimal(10), Decimal("0.42"), request_seq_num=2
            )
            assert c.client.orders[cl_ord_id] == sent
            pending = await c.report(cl_ord_id, "A")
            assert pending.exec_id == "-1;-1"
            new = await c.report(cl_ord_id, "0")
            assert (new.ord_status, new.cum_qty, new.leaves_qty) == ("0", Decimal(0), Decimal(10))
            assert new.price == Decimal("0.42")
            assert new.exec_id.count(";") == 1
            v.sim.trade_against(MARKET, "no", 4, Decimal("0.40"))
            trade = await c.report(cl_ord_id, "F")
            assert (trade.ord_status, trade.last_qty) == ("1", Decimal(4))
            assert trade.last_px == Decimal("0.42")
            assert (trade.cum_qty, trade.leaves_qty, trade.long_qty, trade.short_qty) == (
                Decimal(4),
                Decimal(6),
                Decimal(4),
                Decimal(0),
            )
            assert trade.aggressor is False
            assert trade.fees == 0
            assert trade.message.get_all(1705) == ["BALANCE"]
            assert trade.message.get_decimal(1704) == Decimal("-1.68")
            state = c.client.orders[cl_ord_id]
            assert state.status == "partially_filled"
            assert (state.filled, state.leaves) == (Decimal(4), Decimal(6))
            await c.close()

    run(main)


def test_prices_in_cents_without_use_dollars(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, use_dollars=False, skip_pending_exec_reports=True)
            with pytest.raises(ValueError, match="whole cents"):
                c.client.new_order(MARKET, "yes", 1, Decimal("0.425"))
            cl_ord_id = c.client.new_order(MARKET, "no", 3, Decimal("0.55"))
            new = await c.report(cl_ord_id, "0")
            assert new.message[44] == "55"
            assert new.price == Decimal("0.55")
            await c.close()

    run(main)


def test_post_only_cross_amend_cancel_and_cancel_reject(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            bid = c.client.new_order(MARKET, "yes", 5, Decimal("0.40"))
            await c.report(bid, "0")
            crossing = c.client.new_order(MARKET, "no", 5, Decimal("0.38"), post_only=True)
            cancelled = await c.report(crossing, "4")
            assert cancelled.text == "POST_ONLY_CROSS"
            amended = c.client.replace(bid, price=Decimal("0.41"), quantity=3)
            replaced = await c.report(amended, "5")
            assert (replaced.message[41], replaced.order_qty) == (bid, Decimal(3))
            assert replaced.price == Decimal("0.41")
            assert c.client.orders[bid].status == "superseded"
            cancel_id = c.client.cancel(amended)
            done = await c.report(cancel_id, "4")
            assert done.text == "CANCEL_REQUESTED"
            assert not c.client.orders[amended].open
            again = c.client.cancel(amended)
            reject = await c.next(OrderCancelReject)
            assert reject.cl_ord_id == again
            assert reject.response_to == "1"
            await c.close()

    run(main)


@pytest.mark.parametrize("cancel_report", [True, False])
def test_partially_filled_ioc_rest_follows_enable_ioc_cancel_report(
    certificate: SelfSignedCertificate, signer: LogonSigner, cancel_report: bool
) -> None:
    """With EnableIocCancelReport <21007> (the client's default) the unfilled rest of a
    partially filled IOC order is cancelled with a report; without it, nothing follows the
    trade. Also: a Logon without RawDataLength <95> is accepted.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            maker = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            taker = await v.client(
                SessionType.NR,
                skip_pending_exec_reports=True,
                enable_ioc_cancel_report=cancel_report,
                raw_data_length=cancel_report,
            )
            ask = maker.client.new_order(MARKET, "no", 3, Decimal("0.40"))
            await maker.report(ask, "0")
            ioc = taker.client.new_order(MARKET, "yes", 5, Decimal("0.40"), time_in_force="ioc")
            trade = await taker.report(ioc, "F")
            assert (trade.last_qty, trade.cum_qty) == (Decimal(3), Decimal(3))
            # Everything about the IOC order comes before the next order's first report.
            after = taker.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            reports: list[tuple[str, str]] = []
            async with asyncio.timeout(5):
                while not reports or reports[-1][0] != after:
                    event = await taker.events.get()
                    if isinstance(event, ExecutionReport):
                        reports.append((event.cl_ord_id, event.exec_type))
            assert reports == ([(ioc, "4")] if cancel_report else []) + [(after, "0")]
            status = "canceled" if cancel_report else "partially_filled"
            assert taker.client.orders[ioc].status == status
            await taker.close()
            await maker.close()

    run(main)


def test_closed_orders_beyond_the_limit_are_forgotten(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """``max_closed_orders=2``: of four cancelled orders only the last is kept, under its two
    ClOrdIDs (the order's and the cancel request's) and its OrderID; an open order is kept
    whatever the count.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True, max_closed_orders=2)
            resting = c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            await c.report(resting, "0")
            cancelled = []
            for _ in range(4):
                order = c.client.new_order(MARKET, "yes", 1, Decimal("0.11"))
                await c.report(order, "0")
                cancel_id = c.client.cancel(order)
                await c.report(cancel_id, "4")
                cancelled += [order, cancel_id]
            kept = {k: s.status for k, s in c.client.orders.items()}
            assert kept == {resting: "new", cancelled[-2]: "canceled", cancelled[-1]: "canceled"}
            assert {s.cl_ord_id for s in c.client.orders_by_id.values()} == {
                resting,
                cancelled[-1],
            }
            await c.close()

    run(main)


def test_order_group_triggers_and_rejects_until_reset(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            c.client.order_group("create", contracts_limit=5)
            group = (await c.next(OrderGroupResponse)).order_group_id
            order = c.client.new_order(MARKET, "yes", 8, Decimal("0.30"), order_group_id=group)
            await c.report(order, "0")
            v.sim.trade_against(MARKET, "no", 8, Decimal("0.25"))
            trade = await c.report(order, "F")
            assert trade.last_qty == 5
            cancel = await c.report(order, "4")
            assert cancel.text == "ORDER_GROUP_CANCEL"
            refused = c.client.new_order(MARKET, "yes", 1, Decimal("0.30"), order_group_id=group)
            reject = await c.report(refused, "8")
            assert (reject.text, reject.ord_rej_reason) == ("EXCEEDED_ORDER_GROUP_RISK_LIMIT", 3)
            c.client.order_group("reset", order_group_id=group)
            await c.next(OrderGroupResponse)
            accepted = c.client.new_order(MARKET, "yes", 1, Decimal("0.30"), order_group_id=group)
            await c.report(accepted, "0")
            c.client.order_group("delete", order_group_id=str(uuid.uuid4()))
            business = await c.next(BusinessMessageReject)
            assert business.text == "ORDER_GROUP_NOT_FOUND"
            await c.close()

    run(main)


def test_unknown_market_rejected_and_mass_cancel(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            nowhere = c.client.new_order("NO-SUCH", "yes", 1, Decimal("0.10"))
            reject = await c.report(nowhere, "8")
            assert (reject.text, reject.ord_rej_reason) == ("MARKET_NOT_FOUND", 1)
            orders = [c.client.new_order(MARKET, "yes", 1, Decimal(f"0.1{i}")) for i in range(3)]
            for order in orders:
                await c.report(order, "0")
            c.client.mass_cancel()
            assert (await c.next(MassCancelReport)).accepted
            for order in orders:
                assert (await c.report(order, "4")).text == "MASS_CANCEL"
            await c.close()

    run(main)


def test_logon_refusals(certificate: SelfSignedCertificate, signer: LogonSigner) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            impostor = LogonSigner(generate_key())
            with pytest.raises(SessionError, match="logon"):
                await v.connect(dataclasses.replace(v.config(SessionType.NR), signer=impostor))
            config = v.config(SessionType.NR)
            first = await v.connect(config)
            with pytest.raises(SessionError):
                await v.connect(config)
            await first.close()
            second = await v.connect(config)
            await second.close()

    run(main)


def test_cancel_on_disconnect(certificate: SelfSignedCertificate, signer: LogonSigner) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            config = v.config(
                SessionType.NR, cancel_orders_on_disconnect=True, skip_pending_exec_reports=True
            )
            c = await v.connect(config)
            order = c.client.new_order(MARKET, "yes", 2, Decimal("0.20"))
            await c.report(order, "0")
            assert len(v.sim.engine.open_orders(config.api_key)) == 1
            await c.close()
            assert v.sim.engine.open_orders(config.api_key) == []

    run(main)


def test_venue_rate_limit_is_a_business_reject(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        limit = RateLimit(tokens_per_second=10, burst_seconds=2, cost=10)
        async with venue(certificate, signer, [MARKET], rate_limit=limit) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            for _ in range(3):
                c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            throttled = await c.next(BusinessMessageReject)
            assert throttled.rate_limited
            await c.close()

    run(main)


def test_the_venues_write_bucket_is_the_keys_across_sessions_and_reconnects(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """The Write bucket belongs to the key (spec section 14): a key that spent it on KalshiNR
    is refused on KalshiRT too, and after logging on again; another key is not.
    """

    async def main() -> None:
        limit = RateLimit(tokens_per_second=0.001, burst_seconds=2000, cost=1)  # Two writes.
        async with venue(certificate, signer, [MARKET], rate_limit=limit) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            key = nr.client.config.api_key
            for _ in range(3):
                nr.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            assert (await nr.next(BusinessMessageReject)).rate_limited
            await nr.close()
            again = await v.client(SessionType.NR, key, skip_pending_exec_reports=True)
            rt = await v.client(SessionType.RT, key, skip_pending_exec_reports=True)
            other = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            for c in (again, rt):
                c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
                assert (await c.next(BusinessMessageReject)).rate_limited
            cl_ord_id = other.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            await other.report(cl_ord_id, "0")
            for c in (again, rt, other):
                await c.close()

    run(main)


def test_client_rate_limit_refuses_before_sending(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            config = v.config(
                SessionType.NR, rate_limit=RateLimit(tokens_per_second=10, burst_seconds=2, cost=10)
            )
            c = await v.connect(config)
            c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            sent = c.client.connection.session.store.next_sender_seq
            with pytest.raises(SessionError, match="rate limit"):
                c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            assert c.client.connection.session.store.next_sender_seq == sent
            await c.close()

    run(main)


def test_drop_copy_replays_execution_reports(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trading = v.config(SessionType.NR, skip_pending_exec_reports=True)
            c = await v.connect(trading)
            order = c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            first = await c.report(order, "0")
            cancel = c.client.cancel(order)
            last = await c.report(cancel, "4")
            await c.close()
            dc = await v.client(SessionType.DC, trading.api_key)
            request = dc.client.replay_executions(first.exec_id, last.exec_id)
            replayed = [await dc.next(ExecutionReport), await dc.next(ExecutionReport)]
            assert [e.exec_id for e in replayed] == [first.exec_id, last.exec_id]
            complete = await dc.next(EventResendComplete)
            assert (complete.ref_seq_num, complete.count) == (request, 2)
            dc.client.replay_executions("1;1", "999999;999999")
            assert (await dc.next(EventResendReject)).reason == 4
            await dc.close()

    run(main)


def test_drop_copy_keeps_the_lookback_and_no_rejects(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    now = [time.time()]

    async def main() -> None:
        async with venue(
            certificate, signer, [MARKET], drop_copy_lookback=3600.0, clock=lambda: now[0]
        ) as v:
            trading = v.config(SessionType.NR, skip_pending_exec_reports=True)
            c = await v.connect(trading)
            old = c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            old_report = await c.report(old, "0")
            now[0] += 3601.0  # The first report is past the lookback when the next is sent.
            recent = c.client.new_order(MARKET, "yes", 1, Decimal("0.11"))
            recent_report = await c.report(recent, "0")
            rejected = c.client.new_order("NO-SUCH-MARKET", "yes", 1, Decimal("0.12"))
            await c.report(rejected, "8")
            await c.close()
            dc = await v.client(SessionType.DC, trading.api_key)
            dc.client.replay_executions(old_report.exec_id)
            assert (await dc.next(EventResendReject)).reason == 3
            request = dc.client.replay_executions(recent_report.exec_id)
            assert (await dc.next(ExecutionReport)).exec_id == recent_report.exec_id
            complete = await dc.next(EventResendComplete)
            assert (complete.ref_seq_num, complete.count) == (request, 1)
            assert len(v.sim._history[trading.api_key]) == 1
            await dc.close()

    run(main)


def test_listener_cannot_trade(certificate: SelfSignedCertificate, signer: LogonSigner) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, listener=True, skip_pending_exec_reports=True)
            assert isinstance(await c.next(LoggedOn), LoggedOn)
            with pytest.raises(SessionError, match="listener"):
                c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            await c.close()

    run(main)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ((MARKET, "maybe", 1, Decimal("0.5")), 'side: "maybe" is not one of "yes", "no"'),
        ((MARKET, "yes", 0, Decimal("0.5")), "quantity: 0 is not greater than 0"),
        ((MARKET, "yes", True, Decimal("0.5")), "quantity: expected .*, not a Boolean"),
        ((MARKET, "yes", Decimal("1.001"), Decimal("0.5")), "quantity: 1.001 has more than 2 dec"),
        ((MARKET, "yes", 1, Decimal("1")), "price: 1 is not less than 1"),
        ((MARKET, "yes", 1, 0.5), "price: expected .*, not float"),
        ((MARKET, "yes", 1, Decimal("0.12345")), "price: 0.12345 has more than 4 decimals"),
        ((MARKET, "yes", 1, Decimal("NaN")), 'price: "NaN": not a decimal'),
        ((MARKET, "yes", 1, Decimal("sNaN")), 'price: "sNaN": not a decimal'),
        ((MARKET, "yes", 1, Decimal("-0.5")), "price: -0.5 is not greater than 0"),
        (("", "yes", 1, Decimal("0.5")), "symbol: text is empty"),
        (
            (MARKET, "yes", 10**30, Decimal("0.5")),
            "quantity: 1000000000000000000000000000000 does not fit in 64 bits",
        ),
    ],
)
def test_order_arguments_are_checked_before_sending(
    certificate: SelfSignedCertificate,
    signer: LogonSigner,
    arguments: tuple[Any, ...],
    complaint: str,
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR)
            sent = c.client.connection.session.store.next_sender_seq
            with pytest.raises(ValueError, match=complaint):
                c.client.new_order(*arguments)
            for bad_id in ["has space", "", "x" * 65, "caf\u00e9", "a\x01b", "x\n"]:
                with pytest.raises(ValueError, match="cl_ord_id: "):
                    c.client.new_order(MARKET, "yes", 1, Decimal("0.5"), cl_ord_id=bad_id)
            with pytest.raises(ValueError, match="expire_time"):
                c.client.new_order(MARKET, "yes", 1, Decimal("0.5"), time_in_force="gtd")
            with pytest.raises(ValueError, match="KalshiNR only"):
                KalshiClient(v.config(SessionType.RT), c.client.connection).mass_cancel()
            assert c.client.connection.session.store.next_sender_seq == sent
            await c.close()

    run(main)


def test_a_cancel_request_id_is_checked_before_sending(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            order = c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            await c.report(order, "0")
            sent = c.client.connection.session.store.next_sender_seq
            for bad_id in ["has space", "", "x" * 65]:
                with pytest.raises(ValueError, match="new_cl_ord_id: "):
                    c.client.cancel(order, new_cl_ord_id=bad_id)
            assert c.client.connection.session.store.next_sender_seq == sent
            cancel_id = c.client.cancel(order, new_cl_ord_id="cancel-1")
            canceled = await c.report(cancel_id, "4")
            assert canceled.message[41] == order
            assert canceled.message.get(37) is not None
            await c.close()

    run(main)


def test_a_message_a_handler_cannot_take_is_rejected_and_the_session_serves_on(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            # A contracts limit of 0 passes the dictionary but not the exchange.
            c.client.connection.send("UOG", [(20131, 1), (20132, 0)])
            refused = await c.next(BusinessMessageReject)
            assert refused.ref_msg_type == "UOG"
            order = c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            assert (await c.report(order, "0")).cl_ord_id == order
            await c.close()

    run(main)


def test_a_second_connection_for_a_key_hears_already_exists(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            config = v.config(SessionType.NR)
            first = await v.connect(config)
            with pytest.raises(SessionError, match="already exists"):
                await v.connect(config)
            await first.close()

    run(main)


def test_unanswered_orders_become_unknown_when_an_nr_session_drops(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            # Written to the socket, then the connection is cut before any answer is read.
            order = c.client.new_order(MARKET, "yes", 1, Decimal("0.10"))
            transport = c.client.connection._transport
            assert transport is not None
            transport.abort()
            await c.next(Disconnected)
            assert c.client.orders[order].status == "unknown"
            await c.close()

    run(main)


@pytest.mark.parametrize("flags", [False, True])
def test_new_before_trade_and_order_qty_follow_the_logon_flags(
    certificate: SelfSignedCertificate, signer: LogonSigner, flags: bool
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(
                SessionType.NR,
                skip_pending_exec_reports=True,
                always_emit_new_before_trade=flags,
                preserve_original_order_qty=flags,
            )
            # The rest of the market offers 4 Yes at 0.45 (a No bid at 0.55); our bid takes them.
            v.sim.engine.submit(
                owner=HOUSE,
                client_id="house-rest",
                market=MARKET,
                side=Side.NO,
                price=Decimal("0.55"),
                qty=Decimal(4),
                now=time.time(),
            )
            taker = c.client.new_order(MARKET, "yes", 10, Decimal("0.45"))
            first = await c.next(ExecutionReport, lambda e: e.cl_ord_id == taker)
            # AlwaysEmitNewBeforeTrade <21026>: a New first; by default folded into the Trade.
            assert first.exec_type == ("0" if flags else "F")
            done = await c.report(c.client.cancel(taker), "4")
            assert done.cum_qty == Decimal(4)
            # PreserveOriginalOrderQty <21008>: 38 stays 10; by default CumQty + LeavesQty.
            assert done.order_qty == (Decimal(10) if flags else Decimal(4))
            await c.close()

    run(main)


def test_plain_tcp_when_told(certificate: SelfSignedCertificate, signer: LogonSigner) -> None:
    """``start(tls=None)`` serves plain TCP (the venue never does; the round-trip benchmark
    compares the simulator with a plain session on it): a client session made from fixwire's
    ``connect`` logs on with a signed Logon and places an order that rests in the engine.
    """

    async def main() -> None:
        sim = Simulator([MARKET])
        await sim.start("127.0.0.1", 0, tls=None)
        try:
            # The certificate is not used: only the key is registered.
            config = Venue(sim, certificate, signer).config(SessionType.NR)
            connection = await connect(KalshiClient.session_config(config), "127.0.0.1", sim.port)
            client = KalshiClient(config, connection)
            await connection.logged_on(timeout=5)
            reports: asyncio.Queue[ExecutionReport] = asyncio.Queue()
            client.set_on_event(
                lambda event: (
                    reports.put_nowait(event)
                    if isinstance(event, ExecutionReport) and event.exec_type == "0"
                    else None
                )
            )
            cl_ord_id = client.new_order(MARKET, "no", 3, Decimal("0.61"))
            async with asyncio.timeout(5):
                new = await reports.get()
            assert (new.cl_ord_id, new.side, new.price) == (cl_ord_id, "no", Decimal("0.61"))
            [resting] = sim.engine.open_orders(owner=config.api_key)
            assert (resting.client_id, resting.side, resting.price) == (
                cl_ord_id,
                Side.NO,
                Decimal("0.39"),
            )
            await client.close()
        finally:
            await sim.close()

    run(main)
