"""What a peer can grow in the simulator by sending messages is bounded in bytes, and a request
past a bound gets the venue's answer: an owner's order groups (sim/groups.py), a KalshiMD
session's subscriptions (sim/market_data.py), open RFQs per key and the RFQs and quotes kept
after they close (sim/rfq.py). Each charge is checked against what tracemalloc measures; the
answers are checked in the engine and over TLS loopback with the Kalshi client.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import cast

import pytest

from fixwire.kalshi import (
    BusinessMessageReject,
    LogonSigner,
    MarketDataRequestReject,
    MarketDataSnapshot,
    OrderGroupResponse,
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
    one = GROUP_CHARGE + len(engine._new_id())
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
        cap = 2 * (GROUP_CHARGE + 36)
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
