"""Rules the simulator enforces that the client never breaks (so only a raw message, or a
Logon the client would not write, shows them), end to end over TLS loopback: Logon refusals
(spec sections 1, 3, 4, 10), where each message may be sent (sections 7.4, 12, 13), the mass
cancel limit (section 14), the OrderGroupRequest fields (section 9), NewOrderSingle fields
(section 7.1) and a listener's orders (section 10).
"""

from __future__ import annotations

import dataclasses

from fixwire.kalshi import (
    LogonSigner,
    MassCancelReport,
    OrderGroupResponse,
    SessionType,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import RejectReceived
from fixwire.session.config import FieldValue
from kalshi_venue import business_reject, more_flags, refused_logon, run, venue

MARKET = "RULES-MKT"


def test_logons_the_venue_refuses(certificate: SelfSignedCertificate, signer: LogonSigner) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            no_reset = await refused_logon(
                v, SessionType.NR, lambda c: dataclasses.replace(c, reset_on_logon=False)
            )
            assert no_reset.text == "ResetSeqNumFlag must be Y on KalshiNR"
            slow = await refused_logon(
                v, SessionType.NR, lambda c: dataclasses.replace(c, heartbeat_interval=3)
            )
            assert slow.text == "HeartBtInt must be greater than 3"
            # MessageRetentionPeriod <20200>: at most 72 hours (spec section 3).
            kept = await refused_logon(v, SessionType.RT, more_flags((20200, 73)))
            assert kept.text == "MessageRetentionPeriod <20200> must be 1 to 72 hours, not 73"
            # ... and only on the sessions that retransmit, KalshiRT and KalshiPT (spec section
            # 4), as the client refuses it elsewhere.
            for session_type in (SessionType.NR, SessionType.DC, SessionType.MD):
                stray = await refused_logon(v, session_type, more_flags((20200, 24)))
                name = session_type.target_comp_id
                assert (
                    stray.text
                    == f"MessageRetentionPeriod <20200> applies to KalshiRT/KalshiPT, not {name}"
                )
            # A listener: KalshiNR/KalshiRT only, with SkipPendingExecReports <21011>=Y and
            # without CancelOrdersOnDisconnect <8013> (spec section 10).
            for session_type, flags in (
                (SessionType.MD, [(20126, "Y"), (21011, "Y")]),
                (SessionType.NR, [(20126, "Y")]),
                (SessionType.NR, [(20126, "Y"), (21011, "Y"), (8013, "Y")]),
            ):
                listener = await refused_logon(v, session_type, more_flags(*flags))
                assert listener.text == "invalid listener session"

    run(main)


def test_receive_settlement_reports_is_refused_off_kalshi_rt_and_pt(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """ReceiveSettlementReports <20127>, Y or N, on a session that gets no
    MarketSettlementReport <UMS> (spec sections 4 and 11): a Logout naming the flag, as the
    client refuses to write it; KalshiRT takes it.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            for session_type in (SessionType.NR, SessionType.DC, SessionType.RFQ, SessionType.MD):
                for value in ("Y", "N"):
                    stray = await refused_logon(v, session_type, more_flags((20127, value)))
                    name = session_type.target_comp_id
                    expected = "ReceiveSettlementReports <20127> applies to KalshiRT/KalshiPT, not"
                    assert stray.text == f"{expected} {name}"
            rt = await v.client(SessionType.RT, receive_settlement_reports=True)
            assert v.sim._clients[rt.client.config.api_key, SessionType.RT].settlement_reports
            await rt.close()

    run(main)


def test_messages_on_a_session_that_does_not_take_them(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            rt = await v.client(SessionType.RT, reset_seq_num=True)
            nr = await v.client(SessionType.NR)
            # OrderMassCancelRequest <q> on KalshiNR only (since 2026-05-13).
            assert await business_reject(rt, "q", [(11, "mass-1"), (530, "6")]) == 3
            # A maker's Quote <S> on KalshiRFQ only; a QuoteRequest <R> on KalshiRT only;
            # market data on KalshiMD only.
            quote: list[tuple[int, FieldValue]] = [
                (117, "q-1"),
                (131, "rfq-1"),
                (55, MARKET),
                (132, 40),
            ]
            assert await business_reject(rt, "S", quote) == 3
            request: list[tuple[int, FieldValue]] = [
                (131, "req-1"),
                (146, [[(55, MARKET), (38, 1)]]),
            ]
            assert await business_reject(nr, "R", request) == 3
            assert await business_reject(nr, "V", [(263, "1"), (146, [[(55, MARKET)]])]) == 3
            await rt.close()
            await nr.close()

    run(main)


def test_mass_cancel_is_limited_to_one_a_second(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            nr = await v.client(SessionType.NR)
            nr.client.connection.send("q", [(11, "mass-1"), (530, "6")])
            assert (await nr.next(MassCancelReport)).accepted
            assert await business_reject(nr, "q", [(11, "mass-2"), (530, "6")]) == 8
            await nr.close()

    run(main)


def test_order_group_request_fields_must_fit_the_action(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            nr = await v.client(SessionType.NR)
            # OrderGroupID <20130> must be absent on Create: the venue assigns it.
            create: list[tuple[int, FieldValue]] = [(20131, 1), (20132, 10), (20130, "my-own-id")]
            assert await business_reject(nr, "UOG", create) == 5
            # OrderGroupContractsLimit <20132> is required on Create and Update.
            assert await business_reject(nr, "UOG", [(20131, 1)]) == 5
            nr.client.order_group("create", contracts_limit=10)
            group = (await nr.next(OrderGroupResponse)).order_group_id
            assert await business_reject(nr, "UOG", [(20131, 5), (20130, group)]) == 5
            # OrderGroupID is required on every other action.
            assert await business_reject(nr, "UOG", [(20131, 2)]) == 5
            await nr.close()

    run(main)


def test_new_order_single_fields_the_dictionary_refuses(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            nr = await v.client(SessionType.NR)
            limit: list[tuple[int, FieldValue]] = [(11, "o"), (38, 1), (54, "1"), (55, MARKET)]
            for extra, ref_tag, reason in (
                ([(40, "1"), (44, "0.30")], 40, 5),  # OrdType <40>: Limit (2) only.
                ([(40, "2"), (44, "0.30"), (59, "2")], 59, 5),  # No TimeInForce 2.
                ([(40, "2")], 44, 1),  # Price <44> is required.
            ):
                seq_num = nr.client.connection.send("D", [*limit, *extra])
                reject = await nr.next(RejectReceived)
                assert (reject.ref_seq_num, reject.ref_tag_id, reject.reason) == (
                    seq_num,
                    ref_tag,
                    reason,
                )
            assert v.sim.engine.open_orders(nr.client.config.api_key) == []
            await nr.close()

    run(main)


def test_a_listener_session_cannot_trade_at_the_venue(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            listener = await v.client(SessionType.NR, listener=True, skip_pending_exec_reports=True)
            fields: list[tuple[int, FieldValue]] = [
                (11, "from-listener"),
                (38, 1),
                (40, "2"),
                (44, "0.30"),
                (54, "1"),
                (55, MARKET),
            ]
            # The client refuses to send it; written raw, the venue refuses it (spec 10).
            assert await business_reject(listener, "D", fields) == 6
            assert await business_reject(listener, "q", [(11, "mass"), (530, "6")]) == 6
            assert v.sim.engine.open_orders(listener.client.config.api_key) == []
            await listener.close()

    run(main)
