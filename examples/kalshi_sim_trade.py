"""Trade on the Kalshi exchange simulator: a signed Logon over TLS, one order, one fill.

Everything runs on this machine: the simulator listens on loopback with a fresh self-signed
certificate, which the client pins; a throwaway RSA key signs the Logon. The order rests on
the book until the simulated market trades against it, and the client's ExecutionReports are
printed as they arrive.

Run: ``python examples/kalshi_sim_trade.py`` (needs ``pip install 'fixwire[kalshi]'``).
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from fixwire.kalshi import ExecutionReport, KalshiClient, KalshiConfig, LogonSigner, generate_key
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.tls import SelfSignedCertificate

MARKET = "EXAMPLE-RAIN-26NOV30"
TIMEOUT = 30.0  # seconds the whole session may take


async def main() -> None:
    """Starts the simulator, trades one order against it and prints the reports."""
    certificate = SelfSignedCertificate.generate()
    signer = LogonSigner(generate_key())
    api_key = str(uuid.uuid4())
    sim = Simulator([MARKET])
    sim.register(api_key, signer.public_key_pem())
    await sim.start("127.0.0.1", 0, tls=certificate)
    try:
        config = KalshiConfig(api_key=api_key, signer=signer, host="127.0.0.1", port=sim.port)
        client = await KalshiClient.connect(
            config,
            ssl=certificate.client_context(),
            server_hostname="localhost",
            pin_sha256=certificate.sha256,
        )
        print(f"logged on to the simulator on 127.0.0.1:{sim.port} over TLS")
        cl_ord_id = client.new_order(MARKET, "yes", 5, Decimal("0.43"))
        async for event in client:
            if not isinstance(event, ExecutionReport) or event.cl_ord_id != cl_ord_id:
                continue
            line = (
                f"ExecutionReport ExecType={event.exec_type} OrdStatus={event.ord_status} "
                f"{event.side} {event.order_qty} @ {event.price} filled {event.cum_qty}"
            )
            if event.exec_type == "F":
                line += f", position Yes {event.long_qty} No {event.short_qty}"
            print(line)
            if event.exec_type == "0":  # New: the order rests; the market trades against it
                sim.trade_against(MARKET, "no", 5, Decimal("0.43"))
            elif event.ord_status == "2":  # filled
                break
        await client.close()
        print("logged out")
    finally:
        await sim.close()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), TIMEOUT))
