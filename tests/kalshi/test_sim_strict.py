"""The simulator refuses and reports what the venue does, end to end over TLS loopback: the
order group named by OrderGroupID <20130> on a NewOrderSingle, cancels and replaces that
name another side or market than the order's, an FCM party group of two entries or without
its role, the collateral returned by a
trade (SplitCollateralReturn <21027>), and an RFQ the exchange closes (RFQCancelStatus <UB>
21013=2).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from fixwire.kalshi import (
    ExecutionReport,
    LogonSigner,
    OrderCancelReject,
    OrderGroupResponse,
    RFQCancelStatus,
    SessionType,
)
from fixwire.kalshi.rfq_events import (
    AcceptQuoteStatus,
    Quote,
    QuoteRequest,
    QuoteRequestAck,
    QuoteStatusReport,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import RejectReceived
from fixwire.session.config import FieldValue
from kalshi_venue import Client, run, venue

MARKET = "STRICT-MKT"


def order(cl_ord_id: str, **tags: str) -> list[tuple[int, FieldValue]]:
    """A NewOrderSingle <D> for 1 Yes at 0.30, with more tags by number (``t20130=...``)."""
    fields: list[tuple[int, FieldValue]] = [
        (11, cl_ord_id),
        (38, 1),
        (40, "2"),
        (44, "0.30"),
        (54, "1"),
        (55, MARKET),
        (59, "1"),
    ]
    return fields + [(int(tag[1:]), value) for tag, value in tags.items()]


async def report(c: Client, cl_ord_id: str) -> ExecutionReport:
    return await c.next(ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id)


def test_order_group_id_on_a_new_order_single_is_honoured(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            send = c.client.connection.send
            c.client.order_group("create", contracts_limit=5)
            group = (await c.next(OrderGroupResponse)).order_group_id
            c.client.order_group("trigger", order_group_id=group)
            await c.next(OrderGroupResponse)
            # A triggered group refuses its new orders, whichever tag names it.
            send("D", order("by-20130", t20130=group))
            refused = await report(c, "by-20130")
            assert (refused.exec_type, refused.text) == ("8", "EXCEEDED_ORDER_GROUP_RISK_LIMIT")
            send("D", order("unknown-group", t20130=str(uuid.uuid4())))
            assert (await report(c, "unknown-group")).text == "ORDER_GROUP_NOT_FOUND"
            # Two tags that name different groups: which one would hold is unknowable.
            send("D", order("two-groups", t526=group, t20130=str(uuid.uuid4())))
            both = await report(c, "two-groups")
            assert (both.exec_type, both.text, both.ord_rej_reason) == ("8", "INVALID_ORDER", 11)
            send("D", order("same-group", t526=group, t20130=group))
            assert (await report(c, "same-group")).text == "EXCEEDED_ORDER_GROUP_RISK_LIMIT"
            await c.close()

    run(main)


def test_collateral_returned_by_netting_is_reported(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            split = await v.client(
                SessionType.NR, skip_pending_exec_reports=True, split_collateral_return=True
            )
            plain = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            for c in (split, plain):
                # 5 Yes bought at 0.40: $2.00 paid, nothing returned.
                bought = c.client.new_order(MARKET, "yes", 5, Decimal("0.40"))
                await report(c, bought)
                v.sim.trade_against(MARKET, "no", 5, Decimal("0.40"))
                fill = await c.next(ExecutionReport, lambda e: e.exec_type == "F")
                assert fill.balance_change == Decimal("-2.00")
                assert fill.single_market_collateral_return is None
                # 3 No bought at 0.55 (Yes-scale 0.45) net against 3 of the Yes: each pair
                # frees $1, so $3.00 returned less $1.65 paid.
                sold = c.client.new_order(MARKET, "no", 3, Decimal("0.45"))
                await report(c, sold)
                v.sim.trade_against(MARKET, "yes", 3, Decimal("0.45"))
                closing = await c.next(ExecutionReport, lambda e: e.exec_type == "F")
                assert (closing.long_qty, closing.short_qty) == (Decimal(2), Decimal(0))
                assert closing.balance_change == Decimal("1.35")
                # SingleMarketCollateralReturn <21030> only with SplitCollateralReturn <21027>.
                returned = Decimal("3.00") if c is split else None
                assert closing.single_market_collateral_return == returned
                assert closing.ranged_market_collateral_return is None
                assert c.client.orders[sold].status == "filled"
            await split.close()
            await plain.close()

    run(main)


def test_split_collateral_return_on_the_trade_that_nets(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(
                SessionType.NR, skip_pending_exec_reports=True, split_collateral_return=True
            )
            await report(c, c.client.new_order(MARKET, "yes", 5, Decimal("0.40")))
            v.sim.trade_against(MARKET, "no", 5, Decimal("0.40"))
            await c.next(ExecutionReport, lambda e: e.exec_type == "F")
            await report(c, c.client.new_order(MARKET, "no", 7, Decimal("0.45")))
            v.sim.trade_against(MARKET, "yes", 7, Decimal("0.45"))
            closing = await c.next(ExecutionReport, lambda e: e.exec_type == "F")
            # 5 of the 7 net against the Yes ($5.00 returned); 2 No remain.
            assert (closing.long_qty, closing.short_qty) == (Decimal(0), Decimal(2))
            assert closing.single_market_collateral_return == Decimal("5.00")
            assert closing.balance_change == Decimal("5.00") - Decimal("0.55") * 7
            await c.close()

    run(main)


def test_an_rfq_closed_by_the_exchange_is_reported_expired(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            request_id = creator.client.request_quote(MARKET, 10)
            ack = await creator.next(QuoteRequestAck)
            v.sim.settle_market(MARKET, "yes")
            closed = await creator.next(RFQCancelStatus)
            assert (closed.quote_req_id, closed.status, closed.rfq_id) == (
                request_id,
                "expired",
                ack.rfq_id,
            )
            assert closed.text == "MARKET_CLOSED"
            await creator.close()

    run(main)


def test_cancel_and_replace_must_name_the_orders_side_and_market(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET, "OTHER-MKT"]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            resting = c.client.new_order(MARKET, "yes", 2, Decimal("0.30"))
            await report(c, resting)
            send = c.client.connection.send
            wrong: list[tuple[str, list[tuple[int, FieldValue]]]] = [
                ("F", [(11, "c-side"), (41, resting), (54, "2"), (55, MARKET)]),
                ("F", [(11, "c-market"), (41, resting), (54, "1"), (55, "OTHER-MKT")]),
                (
                    "G",
                    [
                        (11, "r-side"),
                        (41, resting),
                        (38, 3),
                        (40, "2"),
                        (44, "0.31"),
                        (54, "2"),
                        (55, MARKET),
                    ],
                ),
            ]
            for msg_type, fields in wrong:
                send(msg_type, fields)
                refused = await c.next(OrderCancelReject)
                assert (refused.cl_ord_id, refused.reason) == (fields[0][1], 1)
            # The order is as it was, and a cancel that names it rightly takes it.
            assert v.sim.engine.open_orders(c.client.config.api_key)[0].leaves_qty == 2
            c.client.cancel(resting, new_cl_ord_id="c-right")
            assert (await report(c, "c-right")).exec_type == "4"
            await c.close()

    run(main)


def test_an_fcm_party_group_has_one_entry_with_its_role(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            send = c.client.connection.send
            two: FieldValue = [[(448, "customer-1"), (452, 24)], [(448, "customer-2"), (452, 24)]]
            no_role: FieldValue = [[(448, "customer-1")]]
            for parties, ref_tag, reason in ((two, 453, 5), (no_role, 452, 1)):
                seq_num = send("D", [*order(f"parties-{ref_tag}"), (453, parties)])
                reject = await c.next(RejectReceived)
                assert (reject.ref_seq_num, reject.ref_tag_id, reject.reason) == (
                    seq_num,
                    ref_tag,
                    reason,
                )
            assert v.sim.engine.open_orders(c.client.config.api_key) == []
            one = c.client.new_order(MARKET, "yes", 1, Decimal("0.30"), party_id="customer-1")
            assert (await report(c, one)).exec_type == "0"
            await c.close()

    run(main)


def test_replace_existing_keeps_only_the_newest_older_rfq(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            first, second, third = (creator.client.request_quote(MARKET, 5) for _ in range(3))
            acks = [await creator.next(QuoteRequestAck) for _ in range(3)]
            assert [ack.quote_req_id for ack in acks] == [first, second, third]
            creator.client.request_quote(MARKET, 5, replace_existing=True)
            closed = [await creator.next(RFQCancelStatus) for _ in range(2)]
            await creator.next(QuoteRequestAck)
            assert [(c.quote_req_id, c.status, c.text) for c in closed] == [
                (first, "expired", "RFQ_REPLACED"),
                (second, "expired", "RFQ_REPLACED"),
            ]
            # The newest older RFQ is still open: its creator can cancel it.
            creator.client.cancel_rfq(quote_req_id=third)
            assert (await creator.next(RFQCancelStatus)).status == "canceled"
            await creator.nothing(RFQCancelStatus)
            await creator.close()

    run(main)


def test_prefer_better_quote_takes_the_best_pending_quote(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            makers = [await v.client(SessionType.RFQ) for _ in range(3)]
            creator.client.request_quote(MARKET, 5)
            ack = await creator.next(QuoteRequestAck)
            assert ack.rfq_id is not None
            quotes = []
            # No quotes at 0.50, 0.58 and (Yes only) 0.40: buying Yes, 0.58 is the best.
            for maker, (yes, no) in zip(
                makers,
                [(None, Decimal("0.50")), (None, Decimal("0.58")), (Decimal("0.40"), None)],
                strict=True,
            ):
                await maker.next(QuoteRequest)
                quotes.append(maker.client.quote(ack.rfq_id, MARKET, yes_price=yes, no_price=no))
                await maker.next(QuoteStatusReport)  # Pending.
                await creator.next(Quote)
            creator.client.accept_quote(quotes[0], "yes", prefer_better_quote=True)
            taken = await creator.next(AcceptQuoteStatus)
            assert (taken.accepted, taken.quote_id, taken.accepted_quote_id) == (
                True,
                quotes[0],
                quotes[1],
            )
            accepted = await makers[1].next(QuoteStatusReport, lambda e: e.status == "accepted")
            assert accepted.quote_id == quotes[1]
            await makers[0].nothing(QuoteStatusReport)
            # Without the flag, the quote named is the one taken.
            creator.client.request_quote(MARKET, 5)
            again = await creator.next(QuoteRequestAck)
            assert again.rfq_id is not None
            await makers[0].next(QuoteRequest)
            await makers[1].next(QuoteRequest)
            worse = makers[0].client.quote(again.rfq_id, MARKET, no_price=Decimal("0.50"))
            await creator.next(Quote)
            makers[1].client.quote(again.rfq_id, MARKET, no_price=Decimal("0.58"))
            await creator.next(Quote)
            creator.client.accept_quote(worse, "yes")
            assert (await creator.next(AcceptQuoteStatus)).accepted_quote_id == worse
            for client in (creator, *makers):
                await client.close()

    run(main)


def test_execution_reports_the_exchange_makes_carry_last_mkt(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """LastMkt <30>: the exchange index that made an ExecutionReport (spec 7.5, since
    2026-08-06), 0 on the simulator's one shard; the gateway's own reports (PENDING,
    EXCHANGE_UNAVAILABLE) go without (spec 18.22).
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR)
            placed = c.client.new_order(MARKET, "yes", 2, Decimal("0.40"))
            pending = await c.next(ExecutionReport, lambda e: e.exec_type == "A")
            new = await c.next(ExecutionReport, lambda e: e.exec_type == "0")
            v.sim.trade_against(MARKET, "no", 1, Decimal("0.40"))
            trade = await c.next(ExecutionReport, lambda e: e.exec_type == "F")
            cancel = c.client.cancel(placed)
            cancelled = await c.next(ExecutionReport, lambda e: e.cl_ord_id == cancel)
            while cancelled.exec_type != "4":
                cancelled = await c.next(ExecutionReport, lambda e: e.cl_ord_id == cancel)
            c.client.new_order("NO-SUCH-MKT", "yes", 1, Decimal("0.40"))
            rejected = await c.next(ExecutionReport, lambda e: e.exec_type == "8")
            assert rejected.text == "MARKET_NOT_FOUND"
            for made in (new, trade, cancelled, rejected):
                assert made.last_mkt == "0", made
            v.sim.exchange_unavailable(placed=False)
            c.client.new_order(MARKET, "yes", 1, Decimal("0.40"))
            unknown = await c.next(ExecutionReport, lambda e: e.exec_type == "8")
            assert unknown.outcome_unknown
            assert (pending.last_mkt, unknown.last_mkt) == (None, None)
            await c.close()

    run(main)
