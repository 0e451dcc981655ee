"""The margin (perpetuals) gateway as the MarginSimulator serves it (spec section 17): its
session types and Logon rules, the messages and tags it refuses, its perpetual books and price
grid, LastMkt <30> on its ExecutionReports and its reject vocabulary, end to end over TLS
loopback; what a client would not write is sent raw. The client's side is in test_margin.py.
"""

from __future__ import annotations

import dataclasses
import os
import re
import select
import signal
import ssl
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from fixwire.kalshi import (
    BusinessMessageReject,
    EventResendComplete,
    ExecutionReport,
    Gateway,
    KalshiClient,
    KalshiConfig,
    LogonSigner,
    OrderCancelReject,
    OrderGroupResponse,
    RateLimit,
    SessionType,
)
from fixwire.kalshi.sim import MarginSimulator, Simulator
from fixwire.kalshi.sim import matching as m
from fixwire.kalshi.sim.core import Participant
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import RejectReceived
from fixwire.session.config import FieldValue
from kalshi_venue import Client, business_reject, more_flags, refused_logon, run, venue

PERP = "BTC-PERP"


def order(cl_ord_id: str, side: str, qty: object, price: str) -> list[tuple[int, FieldValue]]:
    """A raw NewOrderSingle <D> body for ``PERP``."""
    return [(11, cl_ord_id), (38, str(qty)), (40, "2"), (44, price), (54, side), (55, PERP)]


async def report(c: Client, cl_ord_id: str, exec_type: str) -> ExecutionReport:
    """The next ExecutionReport of ``cl_ord_id`` with ``exec_type``."""
    return await c.next(
        ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id and e.exec_type == exec_type
    )


def test_margin_simulator_serves_nr_rt_dc_md_and_refuses_pt_and_rfq(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            assert v.sim.gateway is Gateway.MARGIN
            for session_type in (SessionType.NR, SessionType.RT, SessionType.DC, SessionType.MD):
                client = await v.client(session_type)
                await client.close()
            # Written by a client configured for the Predictions gateway (the margin
            # configuration refuses them before connecting).
            for session_type in (SessionType.PT, SessionType.RFQ):
                refusal = await refused_logon(v, session_type, gateway=Gateway.PREDICTIONS)
                name = session_type.target_comp_id
                assert refusal.text == f"{name} is not offered on the margin gateway"

    run(main)


def test_margin_simulator_takes_a_heartbeat_of_three_seconds(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            client = await v.client(SessionType.NR, heartbeat_interval=3)
            assert client.client.connection.session.config.heartbeat_interval == 3
            await client.close()
            two = await refused_logon(
                v, SessionType.NR, lambda c: dataclasses.replace(c, heartbeat_interval=2)
            )
            assert two.text == "HeartBtInt must be greater than 2"
        # The Predictions gateway wants more than 3 (spec section 3).
        async with venue(certificate, signer, ["EVENT-MKT"]) as v:
            three = await refused_logon(
                v, SessionType.NR, lambda c: dataclasses.replace(c, heartbeat_interval=3)
            )
            assert three.text == "HeartBtInt must be greater than 3"

    run(main)


def test_margin_simulator_refuses_logon_flags_it_does_not_list(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            for tag in (20127, 21026, 21027):
                refusal = await refused_logon(v, SessionType.RT, more_flags((tag, "Y")))
                assert refusal.text == f"tag {tag} is not offered on the margin gateway"
            cents = await refused_logon(v, SessionType.NR, more_flags((21005, "N")))
            assert cents.text == "UseDollars <21005> is always on on the margin gateway"
            # UseDollars <21005>=Y says what is so anyway: taken.
            dollars = await v.client(SessionType.NR)
            await dollars.close()

    run(main)


def test_margin_simulator_refuses_messages_and_tags_it_does_not_define(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            rt = await v.client(SessionType.RT)
            md = await v.client(SessionType.MD)
            # No RFQ, no SecurityStatus (spec 17): BusinessMessageReject 380=3.
            request: list[tuple[int, FieldValue]] = [(131, "r-1"), (146, [[(55, PERP), (38, 1)]])]
            assert await business_reject(rt, "R", request) == 3
            assert await business_reject(rt, "UA", [(117, "q-1"), (54, "1")]) == 3
            assert await business_reject(rt, "UE", [(131, "r-1")]) == 3
            assert await business_reject(md, "e", [(263, "1"), (55, PERP)]) == 3
            # Tags the margin messages do not define: Reject 373=2, RefTagID <371> the tag.
            api_key = rt.client.config.api_key
            refused: list[tuple[str, list[tuple[int, FieldValue]], int]] = [
                ("D", [*order("d-100", "1", 1, "19.5"), (100, 0)], 100),
                ("D", [*order("d-117", "1", 1, "19.5"), (117, "q-1")], 117),
                ("D", [*order("d-21023", "1", 1, "19.5"), (21023, "rfq-1")], 21023),
                ("D", [*order("d-21009", "1", 1, "19.5"), (21009, "100")], 21009),
                ("F", [(11, "f-1"), (41, "x"), (54, "1"), (55, PERP), (100, 0)], 100),
                ("UOG", [(20131, 1), (20132, 5), (79, 1)], 79),
            ]
            for msg_type, fields, tag in refused:
                seq_num = rt.client.connection.send(msg_type, fields)
                reject = await rt.next(RejectReceived)
                assert (reject.ref_seq_num, reject.ref_tag_id, reject.reason) == (seq_num, tag, 2)
                text = f"tag {tag} is not defined for {msg_type} on the margin gateway"
                assert reject.text == text
            assert v.sim.engine.open_orders(api_key) == []
            # Without them the same messages go through.
            rt.client.connection.send("UOG", [(20131, 1), (20132, 5)])
            assert (await rt.next(OrderGroupResponse)).contracts_limit == 5
            await rt.close()
            await md.close()

    run(main)


def test_margin_simulator_prices_are_a_grid_of_ticks_and_quantities_whole(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            for cl_ord_id, qty, price in (
                ("fraction", "1.5", "19.50"),  # Whole contracts only (spec 6.3).
                ("off-tick", "1", "19.505"),  # The default tick is 0.01.
                ("too-high", "1", "100.00"),  # 9,999 ticks: $0.01 to $99.99.
            ):
                nr.client.connection.send("D", order(cl_ord_id, "1", qty, price))
                rejected = await report(nr, cl_ord_id, "8")
                assert (rejected.text, rejected.ord_rej_reason) == ("INVALID_ORDER", 11)
            for cl_ord_id, price in (("lowest", "0.01"), ("highest", "99.99")):
                nr.client.connection.send("D", order(cl_ord_id, "2", 1, price))
                assert (await report(nr, cl_ord_id, "0")).price == Decimal(price)
            await nr.close()
        # A coarser tick reaches real perpetual prices: 10 dollars to 99,990.
        async with venue(
            certificate, signer, [PERP], simulator=MarginSimulator, tick=Decimal(10)
        ) as v:
            maker = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            maker.client.new_order(PERP, "ask", 2, Decimal(95_000))
            await maker.next(ExecutionReport)
            v.sim.trade_against(PERP, "bid", 1, Decimal(95_010))
            fill = await maker.next(ExecutionReport, lambda e: e.exec_type == "F")
            assert (fill.side, fill.last_px, fill.short_qty) == ("ask", Decimal(95_000), Decimal(1))
            assert fill.message.get(31) == "95000.0000"
            await maker.close()
        with pytest.raises(ValueError, match="tick must be a positive Decimal"):
            MarginSimulator(tick=Decimal(0))

    run(main)


def test_margin_execution_reports_carry_last_mkt(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            key = str(uuid.uuid4())
            nr = await v.client(SessionType.NR, key)
            bid = nr.client.new_order(PERP, "bid", 3, Decimal("19.5"))
            pending = await report(nr, bid, "A")
            assert 30 not in pending.message  # Made by the gateway, not the exchange.
            new = await report(nr, bid, "0")
            v.sim.trade_against(PERP, "ask", 1, Decimal("19.25"))
            trade = await report(nr, bid, "F")
            # Margin balances are not simulated: no NoCollateralAmountChanges <1703>.
            assert 1703 not in trade.message
            cancel = nr.client.cancel(bid)
            cancelled = await report(nr, cancel, "4")
            unknown = nr.client.new_order("NO-SUCH-PERP", "bid", 1, Decimal("1"))
            rejected = await report(nr, unknown, "8")
            assert rejected.text == "MARKET_NOT_FOUND"
            for made in (new, trade, cancelled, rejected):
                assert made.last_mkt == "0", made
            await nr.close()
            # Drop copy replays them as they were sent.
            dc = await v.client(SessionType.DC, key)
            dc.client.replay_executions(new.exec_id, cancelled.exec_id)
            replayed = [await dc.next(ExecutionReport) for _ in range(3)]
            assert [e.exec_id for e in replayed] == [new.exec_id, trade.exec_id, cancelled.exec_id]
            assert {e.last_mkt for e in replayed} == {"0"}
            assert (await dc.next(EventResendComplete)).count == 3
            await dc.close()

    run(main)


def test_margin_simulator_speaks_the_margin_reject_vocabulary(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        limit = RateLimit(tokens_per_second=10, burst_seconds=2, cost=10)
        async with venue(
            certificate, signer, [PERP], simulator=MarginSimulator, rate_limit=limit
        ) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            first = nr.client.new_order(PERP, "bid", 2, Decimal("19.5"))
            second = nr.client.new_order(PERP, "bid", 2, Decimal("19.25"))
            third = nr.client.new_order(PERP, "bid", 2, Decimal("19"))
            await report(nr, first, "0")
            await report(nr, second, "0")
            # BusinessRejectReason <380> 0 to 5 only: the rate limit (8 on Predictions) is 0.
            throttled = await nr.next(BusinessMessageReject)
            assert (throttled.reason, throttled.text) == (0, "rate limit exceeded")
            assert not throttled.rate_limited
            assert throttled.cl_ord_id == third
            assert nr.client.orders[third].status == "rejected"
            await nr.close()
        # Told to send the Predictions codes, it does.
        async with venue(
            certificate,
            signer,
            [PERP],
            simulator=MarginSimulator,
            rate_limit=limit,
            listed_codes_only=False,
        ) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            for price in ("19.5", "19.25", "19"):
                nr.client.new_order(PERP, "bid", 2, Decimal(price))
            assert (await nr.next(BusinessMessageReject)).rate_limited
            await nr.close()
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            first = nr.client.new_order(PERP, "bid", 2, Decimal("19.5"))
            second = nr.client.new_order(PERP, "bid", 2, Decimal("19.25"))
            await report(nr, second, "0")
            # CxlRejReason <102>: 0, 1, 2, 18 and 99 on margin. ORDER_ALREADY_EXISTS (6 on
            # Predictions) is 99; CANNOT_UPDATE_FILLED_ORDER stays Broker (2).
            amend: list[tuple[int, FieldValue]] = [
                (11, second),  # The ClOrdID of an open order.
                (41, first),
                (38, "2"),
                (40, "2"),
                (44, "19.75"),
                (54, "1"),
                (55, PERP),
            ]
            nr.client.connection.send("G", amend)
            taken = await nr.next(OrderCancelReject)
            assert (taken.text, taken.reason) == ("ORDER_ALREADY_EXISTS", 99)
            v.sim.trade_against(PERP, "ask", 2, Decimal("19.5"))
            await report(nr, first, "F")
            nr.client.replace(first, price=Decimal("19.75"))
            filled = await nr.next(OrderCancelReject)
            assert (filled.text, filled.reason) == ("CANNOT_UPDATE_FILLED_ORDER", 2)
            nr.client.connection.send("F", [(11, "c-2"), (41, "nobody"), (54, "1"), (55, PERP)])
            missing = await nr.next(OrderCancelReject, lambda e: e.cl_ord_id == "c-2")
            assert (missing.text, missing.reason) == ("UNKNOWN_ORDER", 1)
            await nr.close()
        # The listener's refused order: 380=0 (6 on Predictions), its Text saying why.
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            listener = await v.client(SessionType.NR, listener=True, skip_pending_exec_reports=True)
            assert await business_reject(listener, "D", order("l-1", "1", 1, "19.5")) == 0
            await listener.close()

    run(main)


def test_margin_stale_order_is_ord_rej_reason_5() -> None:
    """OrdRejReason <103> Stale order is 5 on margin, 8 on Predictions (spec 18.16). The
    simulator's margin flows never reach it (the stale case is an RFQ quote), so its report
    is read from the simulator's ExecutionReport writer.
    """
    event = m.Rejected(
        client_id="c",
        owner="k",
        subaccount=0,
        market=PERP,
        side=m.Side.YES,
        price=Decimal("0.5"),
        qty=Decimal(1),
        reason=m.RejectReason.EXPIRED,
    )
    predictions, margin = Simulator([PERP]), MarginSimulator([PERP])
    client = Participant(SessionType.NR, None)  # type: ignore[arg-type]
    assert dict(predictions._rejected_fields(client, event))[103] == 8
    assert dict(margin._rejected_fields(client, event))[103] == 5
    as_predictions = MarginSimulator([PERP], listed_codes_only=False)
    assert dict(as_predictions._rejected_fields(client, event))[103] == 8


def test_margin_simulator_has_no_settlement_and_trades_in_bid_and_ask() -> None:
    sim = MarginSimulator([PERP])
    with pytest.raises(ValueError, match="do not settle"):
        sim.settle_market(PERP, "yes")
    with pytest.raises(ValueError, match="side must be 'bid' or 'ask'"):
        sim.trade_against(PERP, "yes", 1, Decimal("19.5"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_fixwire_sim_serves_the_margin_gateway(signer: LogonSigner, tmp_path: Path) -> None:
    """``fixwire sim --gateway margin`` serves a margin client over TLS, its certificate
    pinned from what the command prints.
    """
    key = str(uuid.uuid4())
    public = tmp_path / "key.pem"
    public.write_bytes(signer.public_key_pem())
    child = subprocess.Popen(
        [
            *(sys.executable, "-m", "fixwire", "sim", "--gateway", "margin", "--port", "0"),
            *("--market", "ETH-PERP", "--key", key, str(public)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready, "the simulator printed nothing in 60 s"
        first = child.stdout.readline()
        found = re.match(r"Kalshi margin simulator on 127\.0\.0\.1:(\d+), TLS", first)
        assert found, first
        sha256 = child.stdout.readline().strip()
        pem = ""
        while "END CERTIFICATE" not in pem:
            pem += child.stdout.readline()

        async def main() -> None:
            # The certificate the command printed is the one trusted, and pinned.
            context = ssl.create_default_context(cadata=pem)
            config = KalshiConfig(
                api_key=key,
                signer=signer,
                gateway=Gateway.MARGIN,
                host="127.0.0.1",
                port=int(found.group(1)),
                rate_limit=None,
            )
            client = Client(
                await KalshiClient.connect(
                    config,
                    ssl=context,
                    server_hostname="localhost",
                    pin_sha256=sha256,
                    logon_timeout=10,
                )
            )
            placed = client.client.new_order("ETH-PERP", "ask", 2, Decimal("31.5"))
            ack = await report(client, placed, "0")
            assert (ack.side, ack.price, ack.last_mkt) == ("ask", Decimal("31.5"), "0")
            await client.close()

        run(main, timeout=60)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
