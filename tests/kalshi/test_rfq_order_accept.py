"""Taking an RFQ quote with a NewOrderSingle <D> that carries QuoteID <117> (spec 7.1, 12),
end to end over TLS loopback: the client's accept_quote_with_order and the simulator's rules.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixwire.kalshi import ExecutionReport, LogonSigner, SessionType
from fixwire.kalshi.rfq_events import (
    Quote,
    QuoteConfirmStatus,
    QuoteRequest,
    QuoteRequestAck,
    QuoteStatusReport,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from kalshi_venue import Client, run, venue

MARKET = "NOS-RFQ-MKT"


async def quoted(
    creator: Client,
    maker: Client,
    *,
    yes_price: Decimal | None = None,
    no_price: Decimal | None = None,
) -> tuple[str, str]:
    """An RFQ of 10 and the maker's quote on it; returns (RfqId, QuoteID) once the creator
    has the quote.
    """
    request_id = creator.client.request_quote(MARKET, 10)
    ack = await creator.next(QuoteRequestAck, lambda e: e.quote_req_id == request_id)
    assert ack.rfq_id is not None
    await maker.next(QuoteRequest, lambda e: e.rfq_id == ack.rfq_id)
    quote_id = maker.client.quote(ack.rfq_id, MARKET, yes_price=yes_price, no_price=no_price)
    await creator.next(Quote, lambda e: e.quote_id == quote_id)
    return ack.rfq_id, quote_id


async def refusal(creator: Client, cl_ord_id: str) -> tuple[str | None, int | None]:
    """The (Text, OrdRejReason) of the rejected ExecutionReport of ``cl_ord_id``."""
    report = await creator.next(ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id)
    assert report.exec_type == "8"
    assert creator.client.orders[cl_ord_id].status == "rejected"
    return report.text, report.ord_rej_reason


def test_quote_taken_by_new_order_single(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)
            rfq_id, quote_id = await quoted(
                creator, maker, yes_price=Decimal("0.40"), no_price=Decimal("0.55")
            )
            # Buying Yes takes the No quote: Yes at 1 - 0.55 = 0.45, within the 0.46 limit.
            cl_ord_id = creator.client.accept_quote_with_order(
                quote_id, MARKET, "yes", 4, Decimal("0.46"), rfq_id=rfq_id
            )
            assert creator.client.orders[cl_ord_id].status == "sent"
            accepted = await maker.next(QuoteStatusReport, lambda e: e.status == "accepted")
            assert accepted.accepted_side == "no"
            maker.client.confirm_quote(quote_id, rfq_id=rfq_id)
            assert (await maker.next(QuoteConfirmStatus)).accepted
            fill = await creator.next(ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id)
            assert (fill.exec_type, fill.last_qty, fill.last_px) == (
                "F",
                Decimal(4),
                Decimal("0.45"),
            )
            assert creator.client.orders[cl_ord_id].status == "filled"
            assert v.sim.engine.position(creator.client.config.api_key, MARKET).long_qty == 4
            await creator.close()
            await maker.close()

    run(main)


def test_refusals_of_a_quote_taking_order(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET, "OTHER-MKT"]) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)
            c = creator.client
            rfq_id, quote_id = await quoted(creator, maker, no_price=Decimal("0.55"))
            # The quote would cost 0.45 on the Yes scale: above a 0.44 limit.
            worse = c.accept_quote_with_order(quote_id, MARKET, "yes", 1, Decimal("0.44"))
            assert await refusal(creator, worse) == ("INVALID_ORDER", 11)
            # Another RFQ's id, another market, a side not quoted, more than the RFQ asked.
            for wrong in (
                c.accept_quote_with_order(
                    quote_id, MARKET, "yes", 1, Decimal("0.50"), rfq_id="other-rfq"
                ),
                c.accept_quote_with_order(quote_id, "OTHER-MKT", "yes", 1, Decimal("0.50")),
                c.accept_quote_with_order(quote_id, MARKET, "no", 1, Decimal("0.50")),
                c.accept_quote_with_order(quote_id, MARKET, "yes", 11, Decimal("0.50")),
            ):
                assert await refusal(creator, wrong) == ("INVALID_ORDER", 11)
            # RfqId <21023> without QuoteID <117> takes nothing and places nothing.
            c.connection.send(
                "D",
                [
                    (11, "rfq-only"),
                    (38, 1),
                    (40, "2"),
                    (44, "0.50"),
                    (54, "1"),
                    (55, MARKET),
                    (21023, rfq_id),
                ],
            )
            report = await creator.next(ExecutionReport, lambda e: e.cl_ord_id == "rfq-only")
            assert (report.exec_type, report.ord_rej_reason) == ("8", 11)

            # A replaced quote is gone: EXPIRED, OrdRejReason <103>=8 (spec 7.7).
            newer = maker.client.quote(rfq_id, MARKET, no_price=Decimal("0.56"))
            await creator.next(Quote, lambda e: e.quote_id == newer)
            late = c.accept_quote_with_order(quote_id, MARKET, "yes", 1, Decimal("0.50"))
            assert await refusal(creator, late) == ("EXPIRED", 8)
            assert not v.sim.engine.positions(MARKET)
            with pytest.raises(ValueError, match="KalshiRT"):
                maker.client.accept_quote_with_order(newer, MARKET, "yes", 1, Decimal("0.5"))
            await creator.close()
            await maker.close()

    run(main)


def test_unconfirmed_quote_rejects_the_order(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET], rfq_confirm_window=0.2) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)
            _, quote_id = await quoted(creator, maker, yes_price=Decimal("0.40"))
            # Buying No takes the Yes quote: No at 0.60, a Yes-scale 0.40, the limit itself.
            cl_ord_id = creator.client.accept_quote_with_order(
                quote_id, MARKET, "no", 2, Decimal("0.40")
            )
            await maker.next(QuoteStatusReport, lambda e: e.status == "accepted")
            # The maker lets the confirmation window pass.
            assert await refusal(creator, cl_ord_id) == ("EXPIRED", 8)
            await creator.close()
            await maker.close()

    run(main)
