"""The margin (perpetuals) gateway from the client's side (spec section 17, the hosts of section
1): its configuration, the orders a margin trader sends and reads back, and what the client
refuses before sending because the margin gateway does not take it, end to end against the
MarginSimulator over TLS loopback. The simulator's own rules are in test_margin_sim.py.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from decimal import Decimal

import pytest

from fixtext import frame
from fixwire import parse
from fixwire.errors import EncodeError, FixError
from fixwire.kalshi import (
    Environment,
    ExecutionReport,
    Gateway,
    GatewayError,
    KalshiConfig,
    LogonSigner,
    MarginExecutionReport,
    MarketDataIncrement,
    MarketDataSnapshot,
    SessionType,
)
from fixwire.kalshi.orders import report_problem
from fixwire.kalshi.sim import MarginSimulator
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import Client, run, venue

PERP = "BTC-PERP"
KEY = "6f1c2a40-5b7e-4c3d-9a8f-0e1d2c3b4a59"


def margin_config(signer: LogonSigner, **options: object) -> KalshiConfig:
    """A margin configuration (nothing connects)."""
    return KalshiConfig(api_key=KEY, signer=signer, gateway=Gateway.MARGIN, **options)  # type: ignore[arg-type]


def test_margin_sessions_go_to_the_margin_hosts(signer: LogonSigner) -> None:
    for environment, order_entry, market_data in (
        (
            Environment.PROD,
            "margin-mm.fix.elections.kalshi.com",
            "margin-marketdata.fix.elections.kalshi.com",
        ),
        (Environment.DEMO, "margin-fix.demo.kalshi.co", "margin-marketdata.fix.demo.kalshi.co"),
    ):
        for session_type in (SessionType.NR, SessionType.RT, SessionType.DC):
            config = margin_config(signer, session_type=session_type, environment=environment)
            assert config.address == (order_entry, session_type.port)
        md = margin_config(signer, session_type=SessionType.MD, environment=environment)
        assert md.address == (market_data, 8233)
    # The Predictions gateway keeps its own hosts.
    assert KalshiConfig(api_key=KEY, signer=signer).address == ("fix.demo.kalshi.co", 8228)
    prod = KalshiConfig(api_key=KEY, signer=signer, environment=Environment.PROD)
    assert prod.address == ("mm.fix.elections.kalshi.com", 8228)


def test_margin_configuration_refuses_what_the_gateway_does_not_offer(
    signer: LogonSigner,
) -> None:
    refused: list[tuple[dict[str, object], str]] = [
        ({"session_type": SessionType.PT}, "KalshiPT is not offered on the margin gateway"),
        ({"session_type": SessionType.RFQ}, "KalshiRFQ is not offered on the margin gateway"),
        ({"use_dollars": False}, "prices are always dollars"),
        (
            {"session_type": SessionType.RT, "receive_settlement_reports": True},
            "receive_settlement_reports \\(tag 20127\\) is not offered",
        ),
        (
            {"session_type": SessionType.RT, "receive_settlement_reports": False},
            "tag 20127",
        ),
        ({"split_collateral_return": True}, "split_collateral_return \\(tag 21027\\)"),
        ({"always_emit_new_before_trade": True}, "always_emit_new_before_trade \\(tag 21026\\)"),
    ]
    for options, message in refused:
        with pytest.raises(GatewayError, match=message) as error:
            margin_config(signer, **options)
        assert isinstance(error.value, FixError)
        assert isinstance(error.value, ValueError)
        assert error.value.gateway is Gateway.MARGIN
        copy = pickle.loads(pickle.dumps(error.value))
        assert (type(copy), str(copy), copy.gateway) == (
            GatewayError,
            str(error.value),
            Gateway.MARGIN,
        )
    # The same settings are the Predictions gateway's to take.
    KalshiConfig(api_key=KEY, signer=signer, session_type=SessionType.PT)
    KalshiConfig(api_key=KEY, signer=signer, split_collateral_return=True)


def test_margin_heartbeat_interval_may_be_three_seconds(signer: LogonSigner) -> None:
    assert margin_config(signer, heartbeat_interval=3).heartbeat_interval == 3
    with pytest.raises(ValueError, match="at least 3 s"):
        margin_config(signer, heartbeat_interval=2)
    with pytest.raises(ValueError, match="more than 3 s"):
        KalshiConfig(api_key=KEY, signer=signer, heartbeat_interval=3)


def test_margin_logon_does_not_send_use_dollars(signer: LogonSigner) -> None:
    # UseDollars <21005> is always on there: the venue's default, so not sent.
    assert margin_config(signer).logon_flags() == [(21007, True)]
    pending = margin_config(signer, skip_pending_exec_reports=True)
    assert pending.logon_flags() == [(21011, True), (21007, True)]
    assert KalshiConfig(api_key=KEY, signer=signer).logon_flags() == [(21005, True), (21007, True)]


def test_margin_orders_are_bids_and_asks_in_dollars_for_whole_contracts(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            maker = await v.client(SessionType.NR, heartbeat_interval=3)
            taker = await v.client(SessionType.NR)
            bid = maker.client.new_order(PERP, "bid", 10, Decimal("19.5"))
            ack = await maker.next(ExecutionReport, lambda e: e.exec_type == "0")
            assert isinstance(ack, MarginExecutionReport)
            assert (ack.cl_ord_id, ack.side, ack.price) == (bid, "bid", Decimal("19.5"))
            assert ack.message.get(44) == "19.5000"  # Dollars, always (spec 6.1).
            ask = taker.client.new_order(PERP, "ask", 4, Decimal("19.25"))
            fill = await taker.next(ExecutionReport, lambda e: e.exec_type == "F")
            # The ask crossed the bid: it trades at the resting bid's price.
            assert (fill.cl_ord_id, fill.side) == (ask, "ask")
            assert (fill.last_px, fill.last_qty, fill.avg_px) == (
                Decimal("19.5"),
                Decimal(4),
                Decimal("19.5"),
            )
            # LongQty/ShortQty <704>/<705>: the net long and short position (spec 6.2).
            assert (fill.long_qty, fill.short_qty, fill.aggressor) == (Decimal(0), Decimal(4), True)
            made = await maker.next(ExecutionReport, lambda e: e.exec_type == "F")
            assert (made.side, made.long_qty, made.short_qty) == ("bid", Decimal(4), Decimal(0))
            state = maker.client.orders[bid]
            assert (state.status, state.side, state.filled, state.leaves) == (
                "partially_filled",
                "bid",
                Decimal(4),
                Decimal(6),
            )
            assert state.price == Decimal("19.5")
            assert taker.client.orders[ask].status == "filled"
            # Prices above $1 are the margin gateway's own: nothing was taken as invalid.
            assert maker.client.invalid_reports == taker.client.invalid_reports == 0
            amended = maker.client.replace(bid, price=Decimal("19.75"))
            replaced = await maker.next(ExecutionReport, lambda e: e.exec_type == "5")
            assert (replaced.cl_ord_id, replaced.price) == (amended, Decimal("19.75"))
            await maker.close()
            await taker.close()

    run(main)


def test_margin_order_arguments_are_refused_before_sending(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            nr = await v.client(SessionType.NR)
            store = nr.client.connection.session.store
            before = store.next_sender_seq
            for change, message in (
                ({"side": "yes"}, 'side: "yes" is not one of "bid", "ask"'),
                ({"quantity": Decimal("1.5")}, "whole contracts"),
                ({"price": Decimal(0)}, "price: 0 is not greater than 0"),
                ({"price": Decimal("19.50001")}, "more than 4 decimals"),
            ):
                order: dict[str, object] = {
                    "side": "bid",
                    "quantity": 1,
                    "price": Decimal("19.5"),
                    **change,
                }
                with pytest.raises(EncodeError, match=message):
                    nr.client.new_order(PERP, **order)  # type: ignore[arg-type]
            assert store.next_sender_seq == before
            assert v.sim.engine.open_orders(nr.client.config.api_key) == []
            await nr.close()

    run(main)


def test_margin_requests_the_gateway_does_not_offer_are_refused_before_sending(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            rt = await v.client(SessionType.RT)
            md = await v.client(SessionType.MD)
            price = Decimal("19.5")
            refused: list[tuple[Client, Callable[[], object], str]] = [
                (rt, lambda: rt.client.request_quote(PERP, 5), "QuoteRequest <R>"),
                (rt, lambda: rt.client.accept_quote("quote-1", "bid"), "AcceptQuote <UA>"),
                (rt, lambda: rt.client.cancel_rfq(quote_req_id="rfq-1"), "RFQCancel <UE>"),
                (
                    rt,
                    lambda: rt.client.new_order(PERP, "bid", 1, price, max_execution_cost=price),
                    "MaxExecutionCost <21009>",
                ),
                (
                    rt,
                    lambda: rt.client.new_order(PERP, "bid", 1, price, ex_destination=0),
                    "ExDestination <100>",
                ),
                (
                    rt,
                    lambda: rt.client.order_group("create", contracts_limit=5, subaccount=1),
                    "AllocAccount <79> on an OrderGroupRequest <UOG>",
                ),
                (md, lambda: md.client.subscribe_security_status(PERP), "SecurityStatusRequest"),
            ]
            for client, call, what in refused:
                store = client.client.connection.session.store
                before = store.next_sender_seq
                with pytest.raises(GatewayError, match=f"{what}.* not offered on the margin"):
                    call()
                assert store.next_sender_seq == before, what
            assert v.sim.engine.open_orders(rt.client.config.api_key) == []
            # What the gateway does offer still goes: an order group, for the primary account.
            rt.client.order_group("create", contracts_limit=5)
            await rt.close()
            await md.close()

    run(main)


def test_margin_market_data_is_bids_and_asks_in_dollars(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [PERP], simulator=MarginSimulator) as v:
            md = await v.client(SessionType.MD)
            trader = await v.client(SessionType.NR)
            trader.client.new_order(PERP, "ask", 3, Decimal("20.25"))
            await trader.next(ExecutionReport, lambda e: e.exec_type == "0")
            md.client.subscribe_market_data(PERP)
            snapshot = await md.next(MarketDataSnapshot)
            assert snapshot.bids == ()
            assert [(level.price, level.size) for level in snapshot.offers] == [
                (Decimal("20.25"), Decimal(3))
            ]
            assert snapshot.time is None  # No MDEntryDate/Time <272>/<273> on margin.
            v.sim.trade_against(PERP, "bid", 2, Decimal("20.5"))
            increment = await md.next(MarketDataIncrement)
            trade = next(e for e in increment.entries if e.entry_type == "trade")
            # A buyer took: AggressorSide <2446>=1, "bid" in the margin gateway's words.
            assert (trade.price, trade.size, trade.aggressor_side) == (
                Decimal("20.25"),
                Decimal(2),
                "bid",
            )
            assert trade.time is None
            book = md.client.books[PERP]
            while book.offers != {Decimal("20.25"): 1}:
                await md.next(MarketDataIncrement)
            assert book.trades[-1].aggressor_side == "bid"
            await md.close()
            await trader.close()

    run(main)


def margin_problem(event: MarginExecutionReport) -> str | None:
    """What the order book finds wrong with ``event`` on margin (no price ceiling)."""
    return report_problem(
        event,
        event.order_qty,
        event.cum_qty,
        event.leaves_qty,
        event.price,
        quantity_sum=True,
        ceiling=Decimal("Infinity"),
    )


def test_margin_reports_are_checked_for_positive_prices_not_a_dollar_ceiling() -> None:
    """The order book's invariants on margin (spec 17: prices are dollars, no ceiling of $1):
    a report's price must be positive.
    """

    def report(price: str) -> MarginExecutionReport:
        body = f"35=8|11=c|37=o|17=1;1|150=0|39=0|54=2|55={PERP}|38=1|14=0|151=1|6=0|44={price}|"
        return MarginExecutionReport(parse(frame(body)), True)

    for price, problem in (
        ("19.5", None),
        ("250000", None),
        ("0", "Price <44> 0 is not positive"),
        ("-19.5", "Price <44> -19.5 is not positive"),
    ):
        event = report(price)
        assert event.side == "ask"
        assert margin_problem(event) == problem
    # The same report on the Predictions gateway breaks its (0, 1) band.
    event = report("19.5")
    assert report_problem(
        event, event.order_qty, event.cum_qty, event.leaves_qty, event.price, quantity_sum=True
    ) == ("Price <44> 19.5 is not between 0 and 1 dollar")


@pytest.mark.parametrize(("code", "side"), [("1", "bid"), ("2", "ask"), ("3", None), ("B", None)])
def test_margin_report_side_is_bid_ask_or_none_never_a_guess(code: str, side: str | None) -> None:
    """Side <54> other than 1 or 2 is no side at all (not ``"ask"``), and a report with one
    breaks the venue's invariants.
    """
    body = f"35=8|11=c|37=o|17=1;1|150=0|39=0|54={code}|55={PERP}|38=1|14=0|151=1|6=0|44=19.5|"
    event = MarginExecutionReport(parse(frame(body)), True)
    assert event.side == side
    assert margin_problem(event) == (None if side else f"Side <54> {code!r} is neither 1 nor 2")
