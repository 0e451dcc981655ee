"""``python -m fixwire.kalshi.sim``: a Kalshi exchange simulator serving until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from decimal import Decimal
from pathlib import Path

import fixwire.kalshi.sim
from fixwire.kalshi.sim.margin import MarginSimulator
from fixwire.kalshi.sim.simulator import Simulator


def main(argv: list[str] | None = None) -> None:
    """``python -m fixwire.kalshi.sim``: serve until interrupted."""
    from fixwire.kalshi.tls import SelfSignedCertificate

    parser = argparse.ArgumentParser(
        prog="python -m fixwire.kalshi.sim", description=fixwire.kalshi.sim.__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8228)
    parser.add_argument(
        "--market", action="append", default=None, help="ticker to list (repeatable)"
    )
    parser.add_argument(
        "--key", action="append", nargs=2, metavar=("API_KEY", "PUBLIC_PEM"), default=[]
    )
    parser.add_argument(
        "--gateway",
        choices=["predictions", "margin"],
        default="predictions",
        help="the event-contract gateway, or the margin (perpetuals) one (spec section 17)",
    )
    parser.add_argument(
        "--tick",
        type=Decimal,
        default=Decimal("0.01"),
        help="margin: the price step of its markets, dollars (prices tick to 9999 ticks)",
    )
    args = parser.parse_args(argv)

    keys = [(api_key, Path(path).read_bytes()) for api_key, path in args.key]

    async def run() -> None:
        sim = (
            MarginSimulator(args.market or ["BTC-PERP"], tick=args.tick)
            if args.gateway == "margin"
            else Simulator(args.market or ["DEMO-MKT"])
        )
        for api_key, public_key in keys:
            sim.register(api_key, public_key)
        certificate = SelfSignedCertificate.generate()
        await sim.start(args.host, args.port, tls=certificate)
        name = "Kalshi margin simulator" if args.gateway == "margin" else "Kalshi simulator"
        print(f"{name} on {args.host}:{sim.port}, TLS certificate SHA-256:")
        print(certificate.sha256)
        print(certificate.cert_pem.decode())
        try:
            await asyncio.Event().wait()
        finally:
            await sim.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


main()
