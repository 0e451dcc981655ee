"""What a peer can grow in the simulator by sending messages is bounded in bytes, and a request
past a bound gets the venue's answer: an owner's order groups (sim/groups.py), a KalshiMD
session's subscriptions (sim/market_data.py), open RFQs per key and the RFQs and quotes kept
after they close (sim/rfq.py). Each charge is checked against what tracemalloc measures; the
answers are checked in the engine and over TLS loopback with the Kalshi client.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Sequence
from decimal import Decimal
from typing import NoReturn, cast

import pytest

import fixwire
from fixwire.kalshi import (
    AcceptQuoteStatus,
    BusinessMessageReject,
    LogonSigner,
    MarketDataRequestReject,
    MarketDataSnapshot,
    OrderGroupResponse,
    QuoteRequestAck,
    QuoteRequestReject,
    QuoteStatusReport,
    RFQCancelStatus,
    SessionType,
)
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.sim.core import Participant
from fixwire.kalshi.sim.groups import GROUP_CHARGE
from fixwire.kalshi.sim.market_data import SUBSCRIPTION_CHARGE
from fixwire.kalshi.sim.matching import (
    GroupCreated,
    GroupDeleted,
    GroupRejected,
    MatchingEngine,
    RejectReason,
)
from fixwire.kalshi.sim.rfq import QUOTE_CHARGE, RFQ_CHARGE, Quote, Rfq
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import Connection
from kalshi_venue import run, venue

MARKET = "LIMIT-MKT"


def _create(engine: MatchingEngine, owner: str) -> GroupCreated | GroupRejected:
    event = engine.create_group(owner=owner, limit=10, now=1.0)[-1]
    assert isinstance(event, (GroupCreated, GroupRejected))
    return event


def test_an_owner_s_order_groups_stay_within_its_cap() -> None:
    """With room for three groups: a fourth Create is refused TOO_MANY_ORDER_GROUPS
    (OrdRejReason <103>=3), another owner is not affected, and a Delete makes room again.
    """
    engine = MatchingEngine()
    one = GROUP_CHARGE
    engine.max_group_bytes = 3 * one
    made = [_create(engine, "alice") for _ in range(3)]
    assert all(isinstance(e, GroupCreated) for e in made)
    assert engine.group_bytes("alice") == 3 * one
    refused = _create(engine, "alice")
    assert isinstance(refused, GroupRejected)
    assert refused.reason is RejectReason.TOO_MANY_ORDER_GROUPS
    assert refused.reason.ord_rej_reason == 3
    assert engine.group_bytes("alice") == 3 * one
    assert isinstance(_create(engine, "bob"), GroupCreated)
    first = made[0]
    assert isinstance(first, GroupCreated)
    deleted = engine.delete_group(owner="alice", group_id=first.group.group_id, now=1.0)
    assert isinstance(deleted[-1], GroupDeleted)
    assert engine.group_bytes("alice") == 2 * one
    assert isinstance(_create(engine, "alice"), GroupCreated)


def test_a_refused_create_takes_no_id() -> None:
    """A Create refused past the cap, or during an exchange pause, takes no id from the
    engine's counter: the next group made gets the id after the last one made.
    """
    engine = MatchingEngine(max_group_bytes=GROUP_CHARGE)
    made = _create(engine, "alice")
    assert isinstance(made, GroupCreated)
    assert isinstance(_create(engine, "alice"), GroupRejected)
    engine.pause(1.0, exchange=True)
    paused = _create(engine, "bob")
    assert isinstance(paused, GroupRejected)
    assert paused.reason is RejectReason.EXCHANGE_PAUSED
    engine.resume(1.0)
    after = _create(engine, "bob")
    assert isinstance(after, GroupCreated)
    number = int(made.group.group_id.rsplit("-", 1)[1], 16)
    assert after.group.group_id.rsplit("-", 1)[1] == f"{number + 1:012x}"


def test_the_group_charge_covers_what_a_group_takes() -> None:
    """tracemalloc: 2,000 groups take no more than they are charged, and more than half."""
    engine = MatchingEngine(max_group_bytes=10**9)
    _create(engine, "alice")
    gc.collect()
    tracemalloc.start()
    try:
        before, charged = tracemalloc.get_traced_memory()[0], engine.group_bytes("alice")
        for _ in range(2_000):
            _create(engine, "alice")
        gc.collect()
        taken = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert taken <= engine.group_bytes("alice") - charged
    assert taken > (engine.group_bytes("alice") - charged) / 2


def test_impossible_group_cap_is_refused() -> None:
    with pytest.raises(ValueError, match="max_group_bytes must be at least 0"):
        MatchingEngine(max_group_bytes=-1)


def test_an_order_group_create_past_the_cap_gets_a_business_reject(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Over a session, a key with room for two groups: the third Create gets
    BusinessMessageReject <j> 380=0 Text TOO_MANY_ORDER_GROUPS naming the request.
    """

    async def main() -> None:
        cap = 2 * GROUP_CHARGE
        async with venue(certificate, signer, [MARKET], max_group_bytes=cap) as v:
            nr = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            for _ in range(2):
                nr.client.order_group("create", contracts_limit=100)
                await nr.next(OrderGroupResponse)
            nr.client.order_group("create", contracts_limit=100)
            refused = await nr.next(BusinessMessageReject)
            assert (refused.reason, refused.text, refused.ref_msg_type) == (
                0,
                "TOO_MANY_ORDER_GROUPS",
                "UOG",
            )
            await nr.close()

    run(main)


def test_a_market_data_session_s_subscriptions_stay_within_its_cap(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """KalshiMD with room for three symbols: a MarketDataRequest <V> for two more gets
    MarketDataRequestReject <Y> 281=2 and subscribes to neither (all or none); a
    SecurityStatusRequest <e> past the cap gets BusinessMessageReject <j> 380=0; an
    unsubscribe makes room again, and asking again for a symbol held costs nothing.
    """
    symbols = [f"SUB-{i}" for i in range(5)]
    cap = 3 * (SUBSCRIPTION_CHARGE + len(symbols[0]))

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], max_subscription_bytes=cap) as v:
            md = await v.client(SessionType.MD)
            md.client.subscribe_market_data(*symbols[:3])
            for _ in range(3):
                await md.next(MarketDataSnapshot)
            server = v.sim._clients[md.client.config.api_key, SessionType.MD]
            assert (server.md_symbols, server.subscription_bytes) == (set(symbols[:3]), cap)
            md.client.subscribe_market_data(*symbols[3:])
            refused = await md.next(MarketDataRequestReject)
            assert refused.reason == "2"
            assert f"past {cap}" in (refused.text or "")
            assert server.md_symbols == set(symbols[:3])
            md.client.subscribe_security_status(symbols[4])
            status = await md.next(BusinessMessageReject)
            assert (status.reason, status.ref_msg_type) == (0, "e")
            assert "subscription limit" in (status.text or "")
            md.client.subscribe_market_data(symbols[0])  # Held already: room for it.
            assert (await md.next(MarketDataSnapshot)).symbol == symbols[0]
            md.client.unsubscribe_market_data(symbols[1])
            md.client.subscribe_security_status(symbols[4])
            md.client.subscribe_market_data(symbols[0])  # A marker: the two before are done.
            await md.next(MarketDataSnapshot)
            assert server.status_symbols == {symbols[4]}
            assert server.subscription_bytes == cap
            await md.close()

    run(main)


def test_the_subscription_charge_covers_what_a_subscription_takes() -> None:
    """tracemalloc: 20,000 symbols of 30 characters subscribed, 100 to a request, take no
    more than they are charged, and more than half.
    """
    sim = Simulator(max_subscription_bytes=10**9)
    client = Participant(SessionType.MD, cast(Connection, None))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for start in range(0, 20_000, 100):
            batch = [f"KXNBAGAME-26MAY25NYKCLE-{i:06d}" for i in range(start, start + 100)]
            assert sim._subscribe(client, client.md_symbols, batch) is None
            del batch
        gc.collect()
        taken = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(client.md_symbols) == 20_000
    assert taken <= client.subscription_bytes
    assert taken > client.subscription_bytes / 2


def test_a_key_s_open_rfqs_stay_within_its_cap(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """A creator with room for two open RFQs: the third QuoteRequest <R> gets
    QuoteRequestReject <AG> 658=3 TOO_MANY_OPEN_RFQS; cancelling one makes room again.
    """
    request_ids = [f"req-{i}" for i in range(4)]
    one = RFQ_CHARGE + 36 + len(request_ids[0]) + len(MARKET)

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], max_open_rfq_bytes=2 * one) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            for request_id in request_ids[:2]:
                creator.client.request_quote(MARKET, 10, quote_req_id=request_id)
                await creator.next(QuoteRequestAck)
            creator.client.request_quote(MARKET, 10, quote_req_id=request_ids[2])
            refused = await creator.next(QuoteRequestReject)
            assert (refused.quote_req_id, refused.reason, refused.text) == (
                request_ids[2],
                3,
                "TOO_MANY_OPEN_RFQS",
            )
            creator.client.cancel_rfq(quote_req_id=request_ids[0])
            assert (await creator.next(RFQCancelStatus)).status == "canceled"
            creator.client.request_quote(MARKET, 10, quote_req_id=request_ids[3])
            assert (await creator.next(QuoteRequestAck)).quote_req_id == request_ids[3]
            await creator.close()

    run(main)


def test_a_refused_replace_existing_rfq_closes_nothing(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """ReplaceExisting <21016>=Y with a QuoteRequest <R> too large for the room its replaced
    RFQ frees: refused 658=3, and the creator's open RFQs are the ones it had (none closed
    for a request that was not taken); one that fits replaces as usual.
    """
    request_ids = ["req-0", "req-1"]
    one = RFQ_CHARGE + 36 + len(request_ids[0]) + len(MARKET)

    async def main() -> None:
        async with venue(certificate, signer, [MARKET], max_open_rfq_bytes=2 * one) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)

            def open_ids() -> list[str]:
                return [r.quote_req_id for r in v.sim._rfqs.values() if r.open]

            for request_id in request_ids:
                creator.client.request_quote(MARKET, 10, quote_req_id=request_id)
                await creator.next(QuoteRequestAck)
            creator.client.request_quote(
                MARKET, 10, quote_req_id="req-" + "x" * 40, replace_existing=True
            )
            refused = await creator.next(QuoteRequestReject)
            assert (refused.reason, refused.text) == (3, "TOO_MANY_OPEN_RFQS")
            assert open_ids() == request_ids
            creator.client.request_quote(MARKET, 10, quote_req_id="req-2", replace_existing=True)
            assert (await creator.next(QuoteRequestAck)).quote_req_id == "req-2"
            assert open_ids() == ["req-1", "req-2"]
            await creator.close()

    run(main)


def test_closed_rfqs_and_quotes_are_forgotten_past_the_cap_and_the_retention_time(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Room for one closed RFQ and its quote: a quote on an RFQ just cancelled is still
    known (AcceptQuoteStatus <UC> EXPIRED); once a second RFQ and quote closed, it is
    forgotten (NOT_FOUND), and so is its RFQ (a Quote <S> on it: RFQ_NOT_FOUND). With a
    one-hour retention, the second is forgotten once the simulator's clock passes the hour.
    """
    now = [time.time()]

    async def main() -> None:
        cap = RFQ_CHARGE + 36 + 5 + len(MARKET) + QUOTE_CHARGE + 36
        async with venue(
            certificate,
            signer,
            [MARKET],
            clock=lambda: now[0],
            max_closed_rfq_bytes=cap,
            closed_rfq_hours=1.0,
        ) as v:
            creator = await v.client(SessionType.RT, reset_seq_num=True)
            maker = await v.client(SessionType.RFQ)

            async def quoted_and_cancelled(request_id: str) -> tuple[str, str]:
                creator.client.request_quote(MARKET, 10, quote_req_id=request_id)
                rfq_id = (await creator.next(QuoteRequestAck)).rfq_id
                assert rfq_id is not None
                quote_id = maker.client.quote(rfq_id, MARKET, yes_price=Decimal("0.40"))
                await maker.next(QuoteStatusReport, lambda e: e.status == "pending")
                creator.client.cancel_rfq(rfq_id=rfq_id)
                assert (await creator.next(RFQCancelStatus)).status == "canceled"
                return rfq_id, quote_id

            async def accepted(quote_id: str) -> AcceptQuoteStatus:
                creator.client.accept_quote(quote_id, "no")
                return await creator.next(AcceptQuoteStatus)

            first_rfq, first = await quoted_and_cancelled("req-1")
            assert (await accepted(first)).text == "EXPIRED"
            second_rfq, second = await quoted_and_cancelled("req-2")
            assert v.sim._closed_rfq_bytes <= cap
            assert (await accepted(first)).text == "NOT_FOUND"
            late = maker.client.quote(first_rfq, MARKET, yes_price=Decimal("0.40"))
            refused = await maker.next(QuoteStatusReport, lambda e: e.quote_id == late)
            assert (refused.status, refused.text) == ("rejected", "RFQ_NOT_FOUND")
            assert (await accepted(second)).text == "EXPIRED"
            now[0] += 3601
            third_rfq, _ = await quoted_and_cancelled("req-3")
            assert (await accepted(second)).text == "NOT_FOUND"
            assert second_rfq not in v.sim._rfqs
            assert third_rfq in v.sim._rfqs
            await creator.close()
            await maker.close()

    run(main)


_ENCODER = fixwire.Encoder("creator", "KalshiRT", begin_string="FIXT.1.1")


def message(msg_type: str, fields: Sequence[tuple[int, object]]) -> fixwire.Message:
    """A message for the simulator's handlers, called without a session."""
    return fixwire.parse(_ENCODER.encode(msg_type, list(fields), seq_num=1))  # type: ignore[arg-type]


class _NoScan(dict[str, Quote]):
    """The simulator's map of quotes, failing any walk over all of them."""

    def values(self) -> NoReturn:
        raise AssertionError("every quote scanned")

    def __iter__(self) -> NoReturn:
        raise AssertionError("every quote scanned")


def test_each_rfq_indexes_its_live_quotes_and_no_request_scans_them_all() -> None:
    """Through the simulator's handlers (no session), beside 1,000 closed quotes remembered:
    a maker's new Quote <S> replaces its pending one, a QuoteCancel <Z> and the RFQ's close
    take quotes out of the RFQ's index, and a PreferBetterQuote <21022> accept picks from it;
    none of these walks the map of every quote, and the index is empty once the RFQ closed
    (the closed quotes stay remembered, within the closed RFQs' cap).
    """
    sim = Simulator([MARKET], max_closed_rfq_bytes=10**9, max_open_rfq_bytes=10**9)
    creator = Participant(SessionType.NR, cast(Connection, None))  # Not logged on: no resend.
    makers = [Participant(SessionType.RFQ, cast(Connection, None)) for _ in range(2)]

    def request(request_id: str) -> Rfq:
        sim._quote_request(
            "creator", creator, message("R", [(131, request_id), (146, [[(55, MARKET), (38, 10)]])])
        )
        return sim._rfqs[next(reversed(sim._rfqs))]

    def quote(maker: int, rfq: Rfq, quote_id: str, cents: int) -> None:
        fields = [
            (117, quote_id),
            (131, rfq.rfq_id),
            (55, MARKET),
            (132, cents),
            (133, 100 - cents - 5),
        ]
        sim._quote(f"maker-{maker}", makers[maker], message("S", fields))

    for i in range(1_000):
        old = request(f"old-{i}")
        quote(0, old, f"old-quote-{i}", 40)
        sim._cancel_rfq("creator", creator, message("UE", [(21023, old.rfq_id)]))
    sim._quotes = _NoScan(sim._quotes)
    rfq = request("new")
    quote(0, rfq, "a-1", 40)
    quote(1, rfq, "b-1", 41)
    quote(0, rfq, "a-2", 42)  # Replaces a-1.
    assert list(rfq.quotes) == ["b-1", "a-2"]
    assert dict.__getitem__(sim._quotes, "a-1").status == "cancelled"
    sim._cancel_quote("maker-1", makers[1], message("Z", [(117, "b-1")]))
    assert list(rfq.quotes) == ["a-2"]
    quote(1, rfq, "b-2", 45)

    async def accept_then_cancel() -> None:  # An accepted quote's timer needs a loop.
        accept = [(117, "a-2"), (54, "2"), (21022, "Y")]
        sim._accept_quote("creator", creator, message("UA", accept))
        assert dict.__getitem__(sim._quotes, "b-2").status == "accepted"  # The better price.
        sim._cancel_rfq("creator", creator, message("UE", [(21023, rfq.rfq_id)]))

    run(accept_then_cancel)
    assert rfq.quotes == {}
    assert {dict.__getitem__(sim._quotes, q).status for q in ("a-2", "b-2")} == {"cancelled"}


def test_the_rfq_charges_cover_what_closed_rfqs_and_quotes_take() -> None:
    """tracemalloc: 2,000 RFQs, each quoted and then cancelled, through the simulator's own
    handlers (no session: nothing is sent), take no more than they are charged while
    remembered, and more than half; an impossible cap is refused.
    """
    sim = Simulator([MARKET], max_closed_rfq_bytes=10**9, max_open_rfq_bytes=10**9)
    creator = Participant(SessionType.NR, cast(Connection, None))
    maker = Participant(SessionType.RFQ, cast(Connection, None))

    def round_trip(i: int) -> None:
        request = message("R", [(131, f"request-{i:06d}"), (146, [[(55, MARKET), (38, 10)]])])
        sim._quote_request("creator", creator, request)
        rfq_id = next(reversed(sim._rfqs))
        quote = [(117, f"quote-{i:06d}"), (131, rfq_id), (55, MARKET), (132, 40)]
        sim._quote("maker", maker, message("S", quote))
        sim._cancel_rfq("creator", creator, message("UE", [(21023, rfq_id)]))

    round_trip(0)
    gc.collect()
    tracemalloc.start()
    try:
        before, charged = tracemalloc.get_traced_memory()[0], sim._closed_rfq_bytes
        for i in range(1, 2_001):
            round_trip(i)
        gc.collect()
        taken = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(sim._rfqs) == len(sim._quotes) == 2_001
    assert taken <= sim._closed_rfq_bytes - charged
    assert taken > (sim._closed_rfq_bytes - charged) / 2
    with pytest.raises(ValueError, match="max_open_rfq_bytes"):
        Simulator(max_open_rfq_bytes=-1)
