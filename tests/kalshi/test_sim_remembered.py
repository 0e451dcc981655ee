"""The simulator's order path remembers the values of a NewOrderSingle's Price <44> and OrderQty
<38> by their text: what one text means must still depend on the session that sent it.
"""

from __future__ import annotations

from decimal import Decimal

from fixwire.kalshi import LogonSigner, SessionType
from fixwire.kalshi.sim.matching import Side
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session.config import FieldValue
from kalshi_venue import Client, run, venue

MARKET = "TEST-MKT"


def raw_order(cl_ord_id: str, price: str, qty: str = "3") -> list[tuple[int, FieldValue]]:
    """A NewOrderSingle <D>'s fields as the wire carries them, past the client's own checks."""
    return [
        (11, cl_ord_id),
        (38, qty),
        (40, "2"),
        (44, price),
        (54, "1"),
        (55, MARKET),
        (59, "1"),
    ]


async def place(c: Client, cl_ord_id: str, price: str, exec_type: str) -> None:
    """Sends the raw order and waits for its report of ``exec_type``."""
    c.client.connection.send("D", raw_order(cl_ord_id, price))
    await c.report(cl_ord_id, exec_type)


def test_one_price_text_is_cents_or_dollars_by_the_session_that_sent_it(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            cents = await v.client(
                SessionType.NR, use_dollars=False, skip_pending_exec_reports=True
            )
            dollars = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            await place(cents, "c-1", "55", "0")  # 55 cents: placed.
            await place(dollars, "d-1", "55", "8")  # 55 dollars: out of band, rejected.
            await place(cents, "c-2", "55", "0")
            await place(dollars, "d-2", "0.55", "0")
            await place(cents, "c-3", "0.55", "8")  # Half a cent: off the tick.
            for c in (cents, dollars):
                resting = v.sim.engine.open_orders(owner=c.client.config.api_key)
                assert {(o.side, o.price, o.order_qty) for o in resting} == {
                    (Side.YES, Decimal("0.55"), Decimal(3))
                }
            assert len(v.sim.engine.open_orders(market=MARKET)) == 3
            for c in (cents, dollars):
                await c.close()

    run(main)
