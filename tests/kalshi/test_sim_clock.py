"""The simulator keeps one clock, ``Simulator(clock=)``: the engine's time (GTD expiries) and
every timestamp it writes come from it, so a test drives time without sleeping. Over TLS
loopback with the Kalshi client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fixwire.kalshi import LogonSigner, SessionType
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import run, venue

MARKET = "CLOCK-MKT"


def test_reports_and_expiries_follow_the_simulator_clock(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """A clock set to 2031: the acknowledgement's TransactTime <60> is the clock's; a GTD order
    whose ExpireTime <126> is a minute later still rests 30 s on, and is cancelled
    (ORDER_EXPIRY) by the next request once the clock is past it, stamped with that time.
    """
    start = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp()
    now = [start]

    def at(seconds: float) -> datetime:
        return datetime.fromtimestamp(start + seconds, UTC)

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], clock=lambda: now[0]) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            gtd = nr.client.new_order(
                MARKET, "yes", 1, Decimal("0.30"), time_in_force="gtd", expire_time=at(60)
            )
            ack = await nr.report(gtd, "0")
            assert ack.transact_time == at(0)
            now[0] += 30
            await nr.report(nr.client.new_order(MARKET, "yes", 1, Decimal("0.20")), "0")
            assert ack.order_id in [o.order_id for o in v.sim.engine.open_orders()]
            now[0] += 60
            later = nr.client.new_order(MARKET, "yes", 1, Decimal("0.21"))
            expired = await nr.report(gtd, "4")
            assert expired.transact_time == at(90)
            assert (await nr.report(later, "0")).transact_time == at(90)
            assert ack.order_id not in [o.order_id for o in v.sim.engine.open_orders()]
            await nr.close()

    run(main)
