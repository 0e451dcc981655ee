"""A FIX.4.4 initiator and acceptor talking over loopback TCP with fixwire.session.

The acceptor plays a venue: it answers each NewOrderSingle <D> with a filled ExecutionReport
<8>. The initiator logs on, sends three orders, prints each report as it arrives and logs out.

Run: ``python examples/fix44_pair.py`` (needs only fixwire).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from fixwire.session import Connection, Received, Role, SessionConfig, connect, serve

BEGIN_STRING = "FIX.4.4"
TIMEOUT = 30.0  # seconds the whole exchange may take


async def venue(conn: Connection) -> None:
    """The acceptor's handler: a fill for every order, until the session ends."""
    fills = 0
    async for event in conn:
        if isinstance(event, Received) and event.message.msg_type == "D":
            order = event.message
            fills += 1
            conn.send(
                "8",
                [
                    (37, f"venue-{fills}"),  # OrderID
                    (11, order[11]),  # ClOrdID
                    (17, f"exec-{fills}"),  # ExecID
                    (150, "F"),  # ExecType: trade
                    (39, "2"),  # OrdStatus: filled
                    (55, order[55]),  # Symbol
                    (54, order[54]),  # Side
                    (38, order[38]),  # OrderQty
                    (32, order[38]),  # LastQty
                    (31, order[44]),  # LastPx
                    (151, 0),  # LeavesQty
                    (14, order[38]),  # CumQty
                    (6, order[44]),  # AvgPx
                ],
            )


async def main() -> None:
    """Serves the acceptor, runs the initiator's session against it, then shuts both down."""
    acceptor = await serve(
        [
            SessionConfig(
                sender_comp_id="VENUE",
                target_comp_id="CLIENT",
                role=Role.ACCEPTOR,
                begin_string=BEGIN_STRING,
            )
        ],
        venue,
        "127.0.0.1",
        0,
    )
    try:
        conn = await connect(
            SessionConfig(
                sender_comp_id="CLIENT", target_comp_id="VENUE", begin_string=BEGIN_STRING
            ),
            "127.0.0.1",
            acceptor.port,
        )
        await conn.logged_on(timeout=TIMEOUT)
        print(f"logged on to 127.0.0.1:{acceptor.port} as CLIENT ({BEGIN_STRING})")
        for i, (symbol, price) in enumerate(
            [("AAPL", "187.25"), ("MSFT", "411.5"), ("IBM", "168")]
        ):
            conn.send(
                "D",
                [
                    (11, f"order-{i + 1}"),
                    (55, symbol),
                    (54, "1"),
                    (38, 100),
                    (40, "2"),
                    (44, Decimal(price)),
                    (60, "20260820-14:30:05.000"),
                ],
            )
        reports = 0
        async for event in conn:
            if isinstance(event, Received) and event.message.msg_type == "8":
                report = event.message
                print(
                    f"ExecutionReport MsgSeqNum={report.seq_num} ClOrdID={report[11]} "
                    f"{report[55]} filled {report.get_decimal(32)} @ {report.get_decimal(31)}"
                )
                reports += 1
                if reports == 3:
                    break
        await conn.logout(timeout=TIMEOUT)
        await conn.close()
        print("logged out")
    finally:
        await acceptor.close()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), TIMEOUT))
