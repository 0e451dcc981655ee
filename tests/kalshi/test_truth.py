"""What a trader sees must be true (issue 15): reports that break the venue's invariants are
surfaced and never applied, refused requests close their order, a refused Logon says why.

Each test plays the gateway from a script (exact bytes over TLS on loopback,
:mod:`kalshi_wire`) or runs the simulator (:mod:`kalshi_venue`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

import fixwire
from fixwire.kalshi import (
    BusinessMessageReject,
    ExecutionReport,
    InvalidExecutionReport,
    KalshiClient,
    LogonRefusedError,
    LogonSigner,
    RateLimit,
    SessionType,
)
from fixwire.kalshi.signing import generate_key
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import LoggedOn, RejectReceived
from fixwire.session.config import FieldValue
from kalshi_venue import run, venue
from kalshi_wire import credentials, gateway

PRICE = Decimal("0.55")


@pytest.fixture(scope="module")
def certificate() -> SelfSignedCertificate:
    return credentials()[0]


@pytest.fixture(scope="module")
def signer() -> LogonSigner:
    return credentials()[1]


def report(cl_ord_id: str, **changes: FieldValue) -> list[tuple[int, FieldValue]]:
    """A well-formed ExecutionReport <8> (New, dollars) with ``changes`` by tag name."""
    fields: dict[int, FieldValue] = {
        11: cl_ord_id,
        37: "order-1",
        17: "1;1",
        6: "0",
        14: "0",
        38: "10",
        39: "0",
        44: "0.55",
        54: "1",
        55: "MKT",
        150: "0",
        151: "10",
    }
    tags = {"avg_px": 6, "cum_qty": 14, "order_qty": 38, "ord_status": 39, "price": 44, "side": 54}
    tags |= {"last_px": 31, "last_qty": 32, "exec_type": 150, "leaves_qty": 151}
    for name, value in changes.items():
        fields[tags[name]] = value
    return list(fields.items())


async def venue_event(events: AsyncIterator[object], *, skip_session: bool = True) -> object:
    """The next event that is not the session's own (LoggedOn, ...), or with ``skip_session``
    False the next that is not LoggedOn.
    """
    async with asyncio.timeout(5):
        while True:
            event = await anext(events)
            if isinstance(event, LoggedOn):
                continue
            if not skip_session or not type(event).__module__.startswith("fixwire.session"):
                return event


FILL = {"exec_type": "F", "ord_status": "1", "cum_qty": "4", "leaves_qty": "6", "avg_px": "0.55"}


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"price": "-0.55"}, "Price <44> -0.55"),
        ({"price": "1.5"}, "Price <44> 1.5"),
        ({"price": "abc"}, "44"),
        ({"cum_qty": "-4", "leaves_qty": "14"}, "CumQty <14> -4 is negative"),
        ({"leaves_qty": "-1", "order_qty": "-1"}, "is negative"),
        ({**FILL, "last_px": "-0.55", "last_qty": "4"}, "LastPx <31> -0.55"),
        ({**FILL, "last_px": "0.55", "last_qty": "-4"}, "LastQty <32> -4"),
        ({**FILL, "last_px": "0.55", "last_qty": "4", "avg_px": "55"}, "AvgPx <6> 55"),
        ({"cum_qty": "4", "leaves_qty": "4"}, "is not OrderQty <38> 10"),
        ({"cum_qty": "x"}, "14"),
        ({"side": "3"}, "Side <54> '3' is neither 1 nor 2"),
        ({"side": "5"}, "Side <54> '5' is neither 1 nor 2"),
    ],
)
def test_a_report_that_breaks_the_venues_invariants_is_surfaced_not_applied(
    changes: dict[str, FieldValue],
    complaint: str,
) -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            events = aiter(client)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE)
            await peer.receive_type("D")
            peer.send("8", report(cl_ord_id))
            ack = await venue_event(events)
            assert isinstance(ack, ExecutionReport)
            before = client.orders[cl_ord_id]
            assert before.status == "new"

            peer.send("8", report(cl_ord_id, **changes))
            bad = await venue_event(events)
            assert isinstance(bad, InvalidExecutionReport), bad
            assert complaint in bad.problem
            assert bad.cl_ord_id == cl_ord_id
            assert bad.message.msg_type == "8"
            assert client.orders[cl_ord_id] is before
            assert client.invalid_reports == 1

            # The next good report is applied as usual.
            peer.send("8", report(cl_ord_id, **FILL, last_px="0.55", last_qty="4"))
            fill = await venue_event(events)
            assert isinstance(fill, ExecutionReport)
            assert client.orders[cl_ord_id].filled == 4
            assert client.invalid_reports == 1

    run(test)


def test_a_report_without_a_clordid_is_surfaced() -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            events = aiter(client)
            peer.send("8", [f for f in report("x") if f[0] != 11])
            bad = await venue_event(events)
            assert isinstance(bad, InvalidExecutionReport)
            assert bad.problem == "required tag 11 is missing"
            assert bad.cl_ord_id is None
            assert client.orders == {}

    run(test)


@pytest.mark.parametrize("tag", [11, 37, 41, 58])
def test_a_report_with_a_field_not_utf8_is_surfaced_not_applied(tag: int) -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            events = aiter(client)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE)
            await peer.receive_type("D")
            fields = dict(report(cl_ord_id))
            fields[tag] = b"c-\xff"
            peer.send("8", list(fields.items()))
            bad = await venue_event(events)
            assert isinstance(bad, InvalidExecutionReport), bad
            assert f"(tag {tag})" in bad.problem
            assert bad.cl_ord_id == (None if tag == 11 else cl_ord_id)
            assert client.orders[cl_ord_id].status == "sent"
            assert client.invalid_reports == 1

    run(test)


@pytest.mark.parametrize("check", [True, False])
def test_the_quantity_sum_check_can_be_turned_off(check: bool) -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect(check_quantity_sum=check) as (client, peer):
            events = aiter(client)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE)
            await peer.receive_type("D")
            peer.send("8", report(cl_ord_id, order_qty="12"))
            event = await venue_event(events)
            assert isinstance(event, InvalidExecutionReport if check else ExecutionReport)
            assert client.orders[cl_ord_id].status == ("sent" if check else "new")

    run(test)


def test_requests_the_venue_refuses_by_rate_limit_close_or_keep_their_order(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Against the simulator, whose Write bucket holds one order: the second order, an
    amendment and a cancel are refused with BusinessMessageReject 380=8.
    """

    async def test() -> None:
        limit = RateLimit(tokens_per_second=0.01, burst_seconds=1000, cost=10, cancel_cost=2)
        async with venue(certificate, signer, ["MKT"], rate_limit=limit) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            client = trader.client
            first = client.new_order("MKT", "yes", 10, PRICE)
            await trader.next(ExecutionReport, lambda e: e.cl_ord_id == first)
            assert client.orders[first].status == "new"

            second = client.new_order("MKT", "yes", 5, PRICE)
            refused = await trader.next(BusinessMessageReject)
            assert (refused.reason, refused.cl_ord_id) == (8, second)
            state = client.orders[second]
            assert state.status == "rejected"
            assert not state.open
            assert state.text == "rate limit exceeded (BusinessRejectReason <380>=8)"

            amended = client.replace(first, price=Decimal("0.56"))
            refused = await trader.next(BusinessMessageReject)
            assert refused.cl_ord_id == amended
            assert client.orders[amended].status == "rejected"
            assert client.orders[first].status == "new"  # As it was.
            assert client.orders[first].price == PRICE

            cancel = client.cancel(first)
            refused = await trader.next(BusinessMessageReject)
            assert refused.cl_ord_id == cancel
            assert client.orders[first].status == "new"
            assert cancel not in client.orders
            await trader.close()

    run(test)


def test_a_session_reject_of_an_order_closes_it_with_the_reason() -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            events = aiter(client)
            refused = client.new_order("MKT", "yes", 10, PRICE)
            kept = client.new_order("MKT", "no", 10, PRICE)
            first = await peer.receive_type("D")
            second = await peer.receive_type("D")
            assert (first[11], second[11]) == (refused, kept)
            peer.send(
                "3",
                [(45, first.seq_num), (58, "Value is incorrect"), (371, 44), (372, "D"), (373, 5)],
            )
            # A refusal whose RefMsgType is not the request's names another message.
            peer.send("3", [(45, second.seq_num), (372, "UOG"), (373, 5)])
            for _ in range(2):
                assert isinstance(await venue_event(events, skip_session=False), RejectReceived)
            state = client.orders[refused]
            assert state.status == "rejected"
            assert state.text == "Value is incorrect (SessionRejectReason <373>=5)"
            assert client.orders[kept].status == "sent"

    run(test)


def test_a_logon_refused_for_its_sending_time_says_why() -> None:
    """Reject 373=10 then Logout, as spec section 4 describes a SendingTime out of tolerance."""

    async def test() -> None:
        async with gateway() as venue:
            pending = asyncio.create_task(
                KalshiClient.connect(
                    venue.config(),
                    ssl=venue.certificate.client_context(),
                    server_hostname="localhost",
                    pin_sha256=venue.certificate.sha256,
                    logon_timeout=5,
                )
            )
            peer = await venue.peer()
            logon = await peer.logon(accept=False)
            text = "SendingTime accuracy problem"
            peer.send("3", [(45, logon.seq_num), (58, text), (372, "A"), (373, 10)])
            peer.send("5", [(58, text)])
            with pytest.raises(LogonRefusedError) as refused:
                async with asyncio.timeout(5):
                    await pending
            await peer.close()
        error = refused.value
        assert (error.text, error.reject_reason) == (text, 10)
        assert str(error) == (
            "logon refused by the venue: Reject <3> SessionRejectReason <373>=10; " + text
        )

    run(test)


def test_a_logon_refused_by_logout_says_why(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Against the simulator, which knows another public key for the API key."""

    async def test() -> None:
        async with venue(certificate, signer, ["MKT"]) as v:
            config = v.config(SessionType.NR)
            v.sim.register(config.api_key, LogonSigner(generate_key()).public_key_pem())
            with pytest.raises(LogonRefusedError) as refused:
                await KalshiClient.connect(
                    config,
                    ssl=certificate.client_context(),
                    server_hostname="localhost",
                    pin_sha256=certificate.sha256,
                    logon_timeout=5,
                )
        error = refused.value
        assert error.text == error.logout_text == "signature verification failed"
        assert error.reject_reason is None

    run(test)


PARTY = "5a0a5bb4-1d7c-4c1b-9f43-2f1d5e0c7a11"


def parties_of(message: fixwire.Message) -> list[tuple[str, str]]:
    """The NoPartyIDs <453> entries of a message, read with the venue's groups."""
    grouped = fixwire.parse(message.raw, groups=fixwire.GroupSpecs.kalshi())
    return [(entry[448], entry[452]) for entry in grouped.group(453)]


def test_fcm_orders_carry_the_customer_and_the_shard_on_every_request() -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, peer):
            events = aiter(client)
            cl_ord_id = client.new_order("MKT", "yes", 10, PRICE, party_id=PARTY, ex_destination=1)
            order = await peer.receive_type("D")
            assert (order[100], parties_of(order)) == ("1", [(PARTY, "24")])
            assert order.raw.count(b"\x01453=1\x01448=" + PARTY.encode() + b"\x01452=24\x01") == 1
            peer.send("8", [*report(cl_ord_id), (30, "1"), (453, [[(448, PARTY), (452, 24)]])])
            ack = await venue_event(events)
            assert isinstance(ack, ExecutionReport)
            assert (ack.last_mkt, ack.party_id) == ("1", PARTY)
            state = client.orders[cl_ord_id]
            assert (state.status, state.party_id, state.ex_destination) == ("new", PARTY, 1)

            amended = client.replace(cl_ord_id, quantity=5)
            replace = await peer.receive_type("G")
            assert (replace[11], replace[100], parties_of(replace)) == (
                amended,
                "1",
                [(PARTY, "24")],
            )
            client.cancel(cl_ord_id)
            cancel = await peer.receive_type("F")
            assert (cancel[41], cancel[100], parties_of(cancel)) == (
                cl_ord_id,
                "1",
                [(PARTY, "24")],
            )

            # Without either, nothing of them is sent.
            client.new_order("MKT", "no", 1, PRICE)
            plain = await peer.receive_type("D")
            assert [tag for tag in (100, 453, 448, 452) if tag in plain] == []

    run(test)


def test_fcm_rfq_requests_carry_the_customer() -> None:
    async def test() -> None:
        async with (
            gateway() as venue,
            venue.connect(session_type=SessionType.RT) as (
                client,
                peer,
            ),
        ):
            request_id = client.request_quote("MKT", 10, party_id=PARTY)
            request = await peer.receive_type("R")
            grouped = fixwire.parse(request.raw, groups=fixwire.GroupSpecs.kalshi())
            (entry,) = grouped.group(146)
            assert entry[55] == "MKT"
            assert [(p[448], p[452]) for p in entry.group(453)] == [(PARTY, "24")]
            client.accept_quote("quote-1", "yes", party_id=PARTY)
            assert parties_of(await peer.receive_type("UA")) == [(PARTY, "24")]
            client.cancel_rfq(quote_req_id=request_id, party_id=PARTY)
            assert parties_of(await peer.receive_type("UE")) == [(PARTY, "24")]

    run(test)


def test_party_and_subaccount_are_alternatives() -> None:
    async def test() -> None:
        async with gateway() as venue, venue.connect() as (client, _):
            with pytest.raises(ValueError, match="party_id"):
                client.new_order("MKT", "yes", 1, PRICE, party_id=PARTY, subaccount=2)
            with pytest.raises(fixwire.EncodeError, match="ex_destination"):
                client.new_order("MKT", "yes", 1, PRICE, ex_destination=-2)
            assert client.orders == {}

    run(test)


def test_an_amendment_cannot_take_the_cl_ord_id_of_another_open_order(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """An amendment's new ClOrdID <11> that is an open order's would be refused by the venue
    (ORDER_ALREADY_EXISTS), but written into ``client.orders`` it would replace that order's
    entry, and the refusal would then show the open order as rejected: it is refused before
    sending, as ``new_order`` refuses one.
    """

    async def main() -> None:
        async with venue(certificate, signer, ["MKT"]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            first = c.client.new_order("MKT", "yes", 2, Decimal("0.40"))
            second = c.client.new_order("MKT", "yes", 2, Decimal("0.45"))
            await c.next(ExecutionReport, lambda e: e.cl_ord_id == second)
            store = c.client.connection.session.store
            sent = store.next_sender_seq
            with pytest.raises(ValueError, match="belongs to an open order"):
                c.client.replace(first, price=Decimal("0.41"), new_cl_ord_id=second)
            with pytest.raises(ValueError, match="belongs to an open order"):
                c.client.cancel(first, new_cl_ord_id=second)
            assert store.next_sender_seq == sent
            assert c.client.orders[second].status == "new"
            assert c.client.orders[second].price == Decimal("0.45")
            await c.close()

    run(main)
