"""RFQ end to end over TLS loopback: a creator on KalshiRT, market makers on KalshiRFQ, and the
simulator between them (spec section 12).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixtext import frame
from fixwire import parse
from fixwire.kalshi import ExecutionReport, LogonSigner, SessionType
from fixwire.kalshi.events import from_message
from fixwire.kalshi.rfq_events import (
    AcceptQuoteStatus,
    Quote,
    QuoteCancelStatus,
    QuoteConfirmStatus,
    QuoteRequest,
    QuoteRequestAck,
    QuoteRequestReject,
    QuoteStatusReport,
    RFQCancelStatus,
)
from fixwire.kalshi.sim.matching import (
    Accepted,
    Filled,
    Liquidity,
    MatchingEngine,
    Position,
    Rejected,
    RejectReason,
    Side,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import LoggedOn
from kalshi_venue import Client, run, venue

MARKET = "RFQ-MKT"


async def open_rfq(creator: Client, maker: Client, quantity: int = 10) -> tuple[str, str]:
    """Creates an RFQ; returns (QuoteReqID, server RfqId) once the maker has the broadcast."""
    request_id = creator.client.request_quote(MARKET, quantity)
    ack = await creator.next(QuoteRequestAck, lambda e: e.quote_req_id == request_id)
    assert ack.rfq_id is not None
    assert (ack.symbol, ack.exchange_index) == (MARKET, 0)
    rfq_id = ack.rfq_id
    await maker.next(QuoteRequest, lambda e: e.rfq_id == rfq_id)
    return request_id, rfq_id


def test_quote_accepted_confirmed_and_executed(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            # The maker quotes in cents (no UseDollars); events are dollars all the same.
            maker = await v.client(SessionType.RFQ, use_dollars=False)
            request_id = creator.client.request_quote(
                MARKET, Decimal("10.50"), rest_remainder=True, replace_existing=True, subaccount=2
            )
            ack = await creator.next(QuoteRequestAck)
            assert ack.quote_req_id == request_id
            rfq_id = ack.rfq_id
            assert rfq_id is not None
            broadcast = await maker.next(QuoteRequest)
            assert broadcast.rfq_id == rfq_id
            assert (broadcast.symbol, broadcast.quantity) == (MARKET, Decimal("10.50"))
            assert broadcast.requester_id is not None

            quote_id = maker.client.quote(
                rfq_id,
                MARKET,
                yes_price=Decimal("0.40"),
                no_price=Decimal("0.55"),
                post_only=True,
                rest_remainder=True,
                subaccount=5,
            )
            pending = await maker.next(QuoteStatusReport)
            assert (pending.quote_id, pending.rfq_id, pending.status) == (
                quote_id,
                rfq_id,
                "pending",
            )
            assert (pending.yes_price, pending.no_price) == (Decimal("0.40"), Decimal("0.55"))
            assert pending.message[132] == "40"  # Cents on the maker's wire.
            quote = await creator.next(Quote)
            assert (quote.quote_id, quote.rfq_id, quote.symbol) == (quote_id, rfq_id, MARKET)
            assert (quote.yes_price, quote.no_price) == (Decimal("0.4000"), Decimal("0.5500"))
            assert quote.quoter_id is not None
            assert quote.quantity == Decimal("10.50")

            # Buying Yes takes the maker's No quote: Yes at 1 - 0.55.
            cl_ord_id = creator.client.accept_quote(
                quote_id, "yes", rfq_id=rfq_id, quantity=4, prefer_better_quote=True
            )
            status = await creator.next(AcceptQuoteStatus)
            assert status.accepted
            assert (status.accepted_quote_id, status.cl_ord_id) == (quote_id, cl_ord_id)
            accepted = await maker.next(QuoteStatusReport)
            assert (accepted.status, accepted.accepted_side) == ("accepted", "no")

            maker.client.confirm_quote(quote_id, rfq_id=rfq_id)
            confirmed = await maker.next(QuoteConfirmStatus)
            assert confirmed.accepted
            assert confirmed.quote_id == quote_id

            fill = await creator.next(ExecutionReport, lambda e: e.exec_type == "F")
            assert (fill.cl_ord_id, fill.side, fill.symbol) == (cl_ord_id, "yes", MARKET)
            assert (fill.last_qty, fill.last_px, fill.long_qty) == (
                Decimal(4),
                Decimal("0.45"),
                Decimal(4),
            )
            maker_fill = await maker.next(ExecutionReport, lambda e: e.exec_type == "F")
            assert (maker_fill.cl_ord_id, maker_fill.side) == (quote_id, "no")
            assert (maker_fill.last_px, maker_fill.short_qty) == (Decimal("0.45"), Decimal(4))
            creator_key, maker_key = creator.client.config.api_key, maker.client.config.api_key
            assert v.sim.engine.position(creator_key, MARKET, 2).long_qty == 4
            assert v.sim.engine.position(maker_key, MARKET, 5).short_qty == 4

            # The RFQ closed with the trade: its other quotes cannot be accepted.
            late = maker.client.quote(rfq_id, MARKET, yes_price=Decimal("0.41"))
            refused = await maker.next(QuoteStatusReport, lambda e: e.quote_id == late)
            assert (refused.status, refused.text) == ("rejected", "RFQ_NOT_FOUND")
            await creator.close()
            await maker.close()

    run(main)


def test_cancels_replacements_and_refusals(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)
            unknown = creator.client.request_quote("NO-SUCH-MKT", 5)
            reject = await creator.next(QuoteRequestReject)
            assert (reject.quote_req_id, reject.reason) == (unknown, 1)

            request_id, rfq_id = await open_rfq(creator, maker)
            first = maker.client.quote(rfq_id, MARKET, yes_price=Decimal("0.30"))
            await maker.next(QuoteStatusReport, lambda e: e.quote_id == first)
            second = maker.client.quote(rfq_id, MARKET, yes_price=Decimal("0.35"))
            await maker.next(QuoteStatusReport, lambda e: e.quote_id == second)
            # The second quote replaced the first.
            creator.client.accept_quote(first, "no", rfq_id=rfq_id)
            assert (await creator.next(AcceptQuoteStatus)).text == "EXPIRED"
            # Buying Yes needs a No quote, which this maker did not give.
            creator.client.accept_quote(second, "yes")
            assert (await creator.next(AcceptQuoteStatus)).text == "QUOTE_SIDE_NOT_OFFERED"

            maker.client.cancel_quote(second, rfq_id=rfq_id)
            cancelled = await maker.next(QuoteStatusReport)
            assert (cancelled.quote_id, cancelled.status) == (second, "cancelled")
            assert (await maker.next(QuoteCancelStatus)).canceled
            maker.client.cancel_quote(second)
            again = await maker.next(QuoteCancelStatus)
            assert (again.canceled, again.text) == (False, "NOT_FOUND")
            creator.client.accept_quote("no-such-quote", "no")
            refused = await creator.next(AcceptQuoteStatus)
            assert (refused.accepted, refused.text) == (False, "NOT_FOUND")
            maker.client.confirm_quote("no-such-quote")
            assert not (await maker.next(QuoteConfirmStatus)).accepted

            bad = maker.client.quote("no-such-rfq", MARKET, no_price=Decimal("0.5"))
            rejected = await maker.next(QuoteStatusReport, lambda e: e.quote_id == bad)
            assert rejected.status == "rejected"

            creator.client.cancel_rfq(quote_req_id=request_id)
            done = await creator.next(RFQCancelStatus)
            assert (done.quote_req_id, done.status, done.rfq_id) == (
                request_id,
                "canceled",
                rfq_id,
            )
            withdrawn = await maker.next(QuoteRequestReject)
            assert withdrawn.quote_req_id == rfq_id
            creator.client.cancel_rfq(rfq_id=rfq_id)
            assert (await creator.next(RFQCancelStatus)).status == "rejected"
            await creator.close()
            await maker.close()

    run(main)


def test_unconfirmed_acceptance_expires(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET], rfq_confirm_window=0.2) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)
            _, rfq_id = await open_rfq(creator, maker)
            quote_id = maker.client.quote(rfq_id, MARKET, no_price=Decimal("0.60"))
            await creator.next(Quote)
            cl_ord_id = creator.client.accept_quote(quote_id, "yes")
            assert (await creator.next(AcceptQuoteStatus)).accepted
            await maker.next(QuoteStatusReport, lambda e: e.status == "accepted")
            expired = await maker.next(QuoteStatusReport)
            assert (expired.status, expired.text) == ("cancelled", "EXPIRED")
            failed = await creator.next(AcceptQuoteStatus)
            assert (failed.accepted, failed.cl_ord_id, failed.text) == (False, cl_ord_id, "EXPIRED")
            maker.client.confirm_quote(quote_id)
            late = await maker.next(QuoteConfirmStatus)
            assert (late.accepted, late.text) == (False, "EXPIRED")
            await creator.nothing(ExecutionReport)
            await creator.close()
            await maker.close()

    run(main)


def test_rfq_arguments_are_checked_before_sending(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ, use_dollars=False)
            c, mk = creator.client, maker.client
            with pytest.raises(ValueError, match="KalshiRT"):
                mk.request_quote(MARKET, 1)
            with pytest.raises(ValueError, match="KalshiRFQ"):
                c.quote("rfq", MARKET, yes_price=Decimal("0.5"))
            with pytest.raises(ValueError, match="quantity"):
                c.request_quote(MARKET, 0)
            with pytest.raises(ValueError, match="2 decimals"):
                c.request_quote(MARKET, Decimal("1.001"))
            with pytest.raises(ValueError, match="side"):
                c.accept_quote("q", "buy")
            with pytest.raises(ValueError, match="exactly one"):
                c.cancel_rfq()
            with pytest.raises(ValueError, match="yes_price, no_price"):
                mk.quote("rfq", MARKET)
            with pytest.raises(ValueError, match="exceed"):
                mk.quote("rfq", MARKET, yes_price=Decimal("0.6"), no_price=Decimal("0.5"))
            with pytest.raises(ValueError, match="whole cents"):
                mk.quote("rfq", MARKET, yes_price=Decimal("0.455"))
            with pytest.raises(ValueError, match="KalshiMD"):
                c.subscribe_market_data(MARKET)
            # Nothing reached the venue: the next answer is to a valid request.
            request_id = c.request_quote(MARKET, 1)
            ack = await creator.next(object, lambda e: not isinstance(e, LoggedOn))
            assert isinstance(ack, QuoteRequestAck)
            assert ack.quote_req_id == request_id
            await creator.close()
            await maker.close()

    run(main)


def test_combo_rfq_is_validated_then_refused(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET, "LEG-2"]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            c = creator.client
            # OrderQty <38> leads the NoRelatedSym entry; the venue's dictionary allows it.
            combo = c.request_combo_quote(
                "COMBO", [("EV1", MARKET, "yes"), ("EV1", "LEG-2", "no")], quantity=5
            )
            refused = await creator.next(QuoteRequestReject)
            assert (refused.quote_req_id, refused.reason, refused.validation_code) == (
                combo,
                99,
                None,
            )
            assert refused.text == "combo RFQs are not simulated"
            c.request_combo_quote(
                "COMBO",
                [("EV1", MARKET, "yes"), ("EV2", "NO-SUCH-LEG", "no")],
                cash_quantity=Decimal("12.50"),
            )
            invalid = await creator.next(QuoteRequestReject)
            assert invalid.validation_code == "invalid_market_combination"
            assert invalid.offending_markets == ("NO-SUCH-LEG",)
            with pytest.raises(ValueError, match="more than one leg"):
                c.request_combo_quote(
                    "COMBO", [("E", MARKET, "yes"), ("E", MARKET, "no")], quantity=1
                )
            with pytest.raises(ValueError, match="exactly one"):
                c.request_combo_quote("COMBO", [("E", MARKET, "yes"), ("E", "LEG-2", "no")])
            with pytest.raises(ValueError, match="two legs"):
                c.request_combo_quote("COMBO", [("E", MARKET, "yes")], quantity=1)
            await creator.close()

    run(main)


def test_spec_examples_parse() -> None:
    broadcast = from_message(
        parse(frame("35=R|131=server-rfq-456|146=1|55=HIGHNY-23DEC31|38=100|453=1|448=anon-456|")),
        dollars=False,
    )
    assert broadcast == QuoteRequest(
        "server-rfq-456",
        "HIGHNY-23DEC31",
        Decimal(100),
        None,
        "anon-456",
        None,
        broadcast.message,
    )
    notification = from_message(
        parse(frame("35=S|117=q-1|131=rfq-1|55=M|132=0.4500|38=10|453=1|448=lp-9|452=35|")),
        dollars=False,  # The creator's notification is in dollars whatever UseDollars says.
    )
    assert isinstance(notification, Quote)
    assert (notification.yes_price, notification.no_price) == (Decimal("0.4500"), None)
    assert notification.quoter_id == "lp-9"
    legacy = from_message(parse(frame("35=U8|117=q-1|297=0|")), dollars=False)
    assert isinstance(legacy, QuoteConfirmStatus)
    assert legacy.accepted
    report = from_message(
        parse(frame("35=AI|117=q-1|131=rfq-1|297=0|38=10|132=75|133=25|54=2|")), dollars=False
    )
    assert isinstance(report, QuoteStatusReport)
    assert (report.status, report.yes_price, report.no_price, report.accepted_side) == (
        "accepted",
        Decimal("0.75"),
        Decimal("0.25"),
        "no",
    )
    expired = from_message(parse(frame("35=UB|131=req-1|21013=2|21023=rfq-1|")), dollars=True)
    assert isinstance(expired, RFQCancelStatus)
    assert (expired.status, expired.rfq_id) == ("expired", "rfq-1")


def test_engine_block_trade() -> None:
    engine = MatchingEngine()
    engine.add_market(MARKET)
    engine.submit(
        owner="a",
        client_id="open",
        market=MARKET,
        side=Side.YES,
        price=Decimal("0.1"),
        qty=1,
        now=1,
    )
    events = engine.block_trade(
        market=MARKET,
        taker_owner="a",
        taker_client_id="t-1",
        taker_side=Side.NO,
        maker_owner="b",
        maker_client_id="m-1",
        maker_price=Decimal("0.3"),
        qty=Decimal(2),
        now=2,
        maker_subaccount=3,
    )
    accepted = [e for e in events if isinstance(e, Accepted)]
    fills = [e for e in events if isinstance(e, Filled)]
    assert [e.order.owner for e in accepted] == ["a", "b"]
    assert [(f.order.side, f.price, f.yes_price, f.liquidity) for f in fills] == [
        (Side.NO, Decimal("0.7"), Decimal("0.3"), Liquidity.TAKER),
        (Side.YES, Decimal("0.3"), Decimal("0.3"), Liquidity.MAKER),
    ]
    assert fills[0].trade_id == fills[1].trade_id
    # The book is untouched; positions moved.
    assert engine.depth(MARKET, Side.YES) == [(Decimal("0.1"), Decimal(1))]
    assert engine.positions(MARKET) == {
        ("a", 0): Position(long_qty=Decimal(0), short_qty=Decimal(2)),
        ("b", 3): Position(long_qty=Decimal(2), short_qty=Decimal(0)),
    }
    refused = engine.block_trade(
        market=MARKET,
        taker_owner="a",
        taker_client_id="open",
        taker_side=Side.YES,
        maker_owner="b",
        maker_client_id="m-2",
        maker_price=Decimal("0.3"),
        qty=Decimal(1),
        now=3,
    )
    assert [e.reason for e in refused if isinstance(e, Rejected)] == [
        RejectReason.ORDER_ALREADY_EXISTS
    ] * 2
    unknown = engine.block_trade(
        market="NOPE",
        taker_owner="a",
        taker_client_id="x",
        taker_side=Side.YES,
        maker_owner="b",
        maker_client_id="y",
        maker_price=Decimal("0.3"),
        qty=Decimal(1),
        now=3,
    )
    assert {e.reason for e in unknown if isinstance(e, Rejected)} == {RejectReason.MARKET_NOT_FOUND}
