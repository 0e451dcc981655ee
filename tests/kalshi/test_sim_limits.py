"""What a peer can grow in the simulator by sending messages is bounded in bytes, and a request
past a bound gets the venue's answer: an owner's order groups (sim/groups.py), a KalshiMD
session's subscriptions (sim/market_data.py), open RFQs per key and the RFQs and quotes kept
after they close (sim/rfq.py). Each charge is checked against what tracemalloc measures; the
answers are checked in the engine and over TLS loopback with the Kalshi client.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from fixwire.kalshi import BusinessMessageReject, LogonSigner, OrderGroupResponse, SessionType
from fixwire.kalshi.sim.groups import GROUP_CHARGE
from fixwire.kalshi.sim.matching import (
    GroupCreated,
    GroupDeleted,
    GroupRejected,
    MatchingEngine,
    RejectReason,
)
from fixwire.kalshi.tls import SelfSignedCertificate
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
