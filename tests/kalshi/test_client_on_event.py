"""``KalshiClient.set_on_event``: the client's events called back from the read that brought
them, applied to its state first, in the order iteration would give them.

Against the simulator over TLS on loopback (:mod:`kalshi_venue`), or the gateway played from a
script (:mod:`kalshi_wire`) for reports the simulator never sends.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest

from fixwire.kalshi import (
    ClientEvent,
    ExecutionReport,
    InvalidExecutionReport,
    SessionType,
)
from fixwire.session import LoggedOn
from kalshi_venue import run, venue
from kalshi_wire import credentials, gateway

MARKET = "CALLBACK-26"
PRICE = Decimal("0.40")


def test_reports_are_called_back_applied_and_answered_from_the_callback() -> None:
    """Each order's acknowledgement is called back with the order already ``new`` in
    ``client.orders``; the callback cancels it there and then, and places the next order when
    the cancel is acknowledged, as a trader's strategy answering from the callback would.
    """

    async def test() -> None:
        async with venue(*credentials(), [MARKET]) as v:
            # (The helper's reader iterates the client: once called back, it only waits.)
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            client = c.client
            seen: list[ClientEvent] = []
            done = asyncio.get_running_loop().create_future()
            placed: list[str] = []

            def on_event(event: ClientEvent) -> None:
                seen.append(event)
                if not isinstance(event, ExecutionReport):
                    return
                state = client.orders[event.cl_ord_id]
                if event.exec_type == "0":
                    assert state.status == "new", state
                    client.cancel(event.cl_ord_id)
                elif event.exec_type == "4":
                    assert state.status == "canceled", state
                    if len(placed) < 4:
                        placed.append(client.new_order(MARKET, "yes", 5, PRICE))
                    elif not done.done():
                        done.set_result(None)

            client.set_on_event(on_event)
            assert isinstance(seen[0], LoggedOn)  # Queued before the switch: passed within it.
            placed.append(client.new_order(MARKET, "yes", 5, PRICE))
            async with asyncio.timeout(5):
                await done
            reports = [e for e in seen if isinstance(e, ExecutionReport)]
            assert [(r.cl_ord_id, r.exec_type) for r in reports if r.exec_type == "0"] == [
                (p, "0") for p in placed
            ]
            assert len(reports) == 2 * len(placed) == 8
            assert all(client.orders[p].status == "canceled" for p in placed)
            assert v.sim.engine.open_orders(owner=client.config.api_key) == []
            assert c.events.empty()
            await c.close()

    run(test)


def test_an_invalid_report_is_called_back_as_such_and_not_applied() -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            called: asyncio.Queue[ClientEvent] = asyncio.Queue()
            client.set_on_event(called.put_nowait)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE)
            await peer.receive_type("D")
            peer.send("8", _report(cl_ord_id, price="1.5"))
            async with asyncio.timeout(5):
                event = await called.get()
                while isinstance(event, LoggedOn):
                    event = await called.get()
            assert isinstance(event, InvalidExecutionReport), event
            assert "Price <44> 1.5" in event.problem
            assert client.orders[cl_ord_id].status == "sent"
            assert client.invalid_reports == 1

    run(test)


def test_a_raising_callback_is_logged_and_the_next_events_still_come(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            reports: asyncio.Queue[ExecutionReport] = asyncio.Queue()

            def on_event(event: ClientEvent) -> None:
                if isinstance(event, ExecutionReport):
                    reports.put_nowait(event)
                    if event.exec_type == "0":
                        raise RuntimeError("strategy bug")

            client.set_on_event(on_event)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE)
            await peer.receive_type("D")
            peer.send("8", _report(cl_ord_id))
            peer.send(
                "8",
                _report(cl_ord_id, exec_type="4", ord_status="4", order_qty="0", leaves_qty="0"),
            )
            async with asyncio.timeout(5):
                assert (await reports.get()).exec_type == "0"
                assert (await reports.get()).exec_type == "4"
            assert client.orders[cl_ord_id].status == "canceled"
            errors = [r for r in caplog.records if r.levelno == logging.ERROR]
            assert errors, caplog.records
            assert errors[0].name.startswith("fixwire.session")
            assert "strategy bug" in caplog.text

    run(test)


def test_iteration_serves_again_once_the_callback_is_removed() -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            called: list[ClientEvent] = []
            client.set_on_event(called.append)
            client.set_on_event(None)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE)
            await peer.receive_type("D")
            peer.send("8", _report(cl_ord_id))
            events = aiter(client)
            async with asyncio.timeout(5):
                event = await anext(events)
                while not isinstance(event, ExecutionReport):
                    event = await anext(events)
            assert event.cl_ord_id == cl_ord_id
            assert not any(isinstance(e, ExecutionReport) for e in called)
            assert client.orders[cl_ord_id].status == "new"

    run(test)


def _report(cl_ord_id: str, **changes: str) -> list[tuple[int, str]]:
    """A New ExecutionReport <8> of ``cl_ord_id`` (dollars), with ``changes`` by name."""
    tags = {"exec_type": 150, "ord_status": 39, "order_qty": 38, "leaves_qty": 151, "price": 44}
    fields = {11: cl_ord_id, 37: "order-1", 17: "1;1", 6: "0", 14: "0", 38: "10", 39: "0"}
    fields |= {44: "0.40", 54: "1", 55: "MKT", 150: "0", 151: "10"}
    for name, value in changes.items():
        fields[tags[name]] = value
    return list(fields.items())
