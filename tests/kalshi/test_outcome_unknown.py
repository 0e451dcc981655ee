"""An order whose outcome the venue cannot tell (EXCHANGE_UNAVAILABLE, spec 7.7) and the
maintenance pauses (spec section 3), end to end over TLS loopback: the client's order state
stays true whichever way the first attempt went.
"""

from __future__ import annotations

from decimal import Decimal

from fixwire.kalshi import ExecutionReport, LogonSigner, OrderCancelReject, SessionType
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import Client, run, venue

MARKET = "UNKNOWN-MKT"


async def report(c: Client, cl_ord_id: str) -> ExecutionReport:
    return await c.next(ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id)


def test_a_retry_of_an_order_placed_after_all_is_not_placed_twice(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            key = c.client.config.api_key
            v.sim.exchange_unavailable(placed=True)
            order = c.client.new_order(MARKET, "yes", 2, Decimal("0.30"))
            unknown = await report(c, order)
            assert unknown.outcome_unknown
            assert c.client.orders[order].status == "unknown"
            assert len(v.sim.engine.open_orders(key)) == 1  # Placed after all.

            # The same ClOrdID again: the venue refuses it, as the order is open; the client
            # must not take that refusal for the order's end.
            c.client.retry_order(order)
            refused = await report(c, order)
            assert (refused.exec_type, refused.text, refused.ord_rej_reason) == (
                "8",
                "ORDER_ALREADY_EXISTS",
                6,
            )
            state = c.client.orders[order]
            assert (state.status, state.open, state.leaves) == ("new", True, Decimal(2))
            assert len(v.sim.engine.open_orders(key)) == 1
            cancel = c.client.cancel(order)
            assert (await report(c, cancel)).exec_type == "4"
            assert v.sim.engine.open_orders(key) == []
            await c.close()

    run(main)


def test_a_retry_of_an_order_never_placed_places_it(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            v.sim.exchange_unavailable(placed=False)
            order = c.client.new_order(MARKET, "no", 1, Decimal("0.60"))
            assert (await report(c, order)).outcome_unknown
            assert v.sim.engine.open_orders(c.client.config.api_key) == []
            c.client.retry_order(order)
            assert (await report(c, order)).exec_type == "0"
            assert c.client.orders[order].status == "new"
            assert len(v.sim.engine.open_orders(c.client.config.api_key)) == 1
            await c.close()

    run(main)


def test_pauses_refuse_orders_and_cancel_the_flagged_ones(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            flagged = c.client.new_order(MARKET, "yes", 1, Decimal("0.20"), cancel_on_pause=True)
            kept = c.client.new_order(MARKET, "yes", 1, Decimal("0.21"))
            for order in (flagged, kept):
                await report(c, order)
            v.sim.pause()
            assert (await report(c, flagged)).exec_type == "4"
            during = c.client.new_order(MARKET, "yes", 1, Decimal("0.22"))
            refused = await report(c, during)
            assert (refused.text, refused.ord_rej_reason) == ("TRADING_PAUSED", 2)
            assert c.client.orders[during].status == "rejected"
            assert c.client.orders[kept].open  # Resting orders survive a pause.

            # An exchange pause refuses cancels too (the OrderCancelReject leaves it resting).
            v.sim.pause(exchange=True)
            c.client.cancel(kept)
            cancel_refused = await c.next(OrderCancelReject)
            assert cancel_refused.text == "EXCHANGE_PAUSED"
            assert c.client.orders[kept].open
            v.sim.resume()
            after = c.client.new_order(MARKET, "yes", 1, Decimal("0.22"))
            assert (await report(c, after)).exec_type == "0"
            await c.close()

    run(main)
