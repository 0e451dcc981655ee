"""Restricted (single-subaccount) API keys (spec section 1): order entry, market data and the
maker side of KalshiRFQ only, pinned to their subaccount. The client refuses what such a key
may not do before connecting or sending; the simulator refuses it too, end to end over TLS
loopback, a raw message or a Logon the client would not write showing its side.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixwire.kalshi import (
    ExecutionReport,
    KalshiConfig,
    LogonSigner,
    OrderGroupResponse,
    SessionType,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session.config import FieldValue
from kalshi_venue import business_reject, refused_logon, run, venue

MARKET = "PINNED-MKT"
KEY = "6f1c2a40-5b7e-4c3d-9a8f-0e1d2c3b4a59"


def test_a_restricted_key_configuration_refuses_what_the_key_may_not_open(
    signer: LogonSigner,
) -> None:
    for session_type in (SessionType.DC, SessionType.RT, SessionType.PT):
        with pytest.raises(ValueError, match="restricted"):
            KalshiConfig(
                api_key=KEY, signer=signer, session_type=session_type, restricted_subaccount=3
            )
    with pytest.raises(ValueError, match="restricted API key cannot open listener"):
        KalshiConfig(
            api_key=KEY,
            signer=signer,
            restricted_subaccount=3,
            listener=True,
            skip_pending_exec_reports=True,
        )
    with pytest.raises(ValueError, match="restricted_subaccount must be 0 to 63"):
        KalshiConfig(api_key=KEY, signer=signer, restricted_subaccount=64)
    for session_type in (SessionType.NR, SessionType.MD, SessionType.RFQ):
        KalshiConfig(api_key=KEY, signer=signer, session_type=session_type, restricted_subaccount=3)


def test_the_venue_refuses_a_restricted_keys_other_sessions(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            for session_type in (SessionType.DC, SessionType.RT, SessionType.PT):
                key = f"00000000-0000-4000-8000-00000000000{session_type.port % 10}"
                v.sim.register(key, signer.public_key_pem(), subaccount=3)
                refusal = await refused_logon(v, session_type, api_key=key)
                name = session_type.target_comp_id
                assert refusal.text == f"a restricted API key cannot open {name} sessions"
            key = "00000000-0000-4000-8000-000000000009"
            v.sim.register(key, signer.public_key_pem(), subaccount=3)
            listener = await refused_logon(
                v, SessionType.NR, api_key=key, listener=True, skip_pending_exec_reports=True
            )
            assert listener.text == "a restricted API key cannot open listener sessions"

    run(main)


def test_a_restricted_key_trades_its_subaccount_only(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            key = "00000000-0000-4000-8000-0000000000aa"
            v.sim.register(key, signer.public_key_pem(), subaccount=3)
            nr = await v.client(
                SessionType.NR, key, skip_pending_exec_reports=True, restricted_subaccount=3
            )
            # Without AllocAccount <79> the order is the key's subaccount's.
            placed = nr.client.new_order(MARKET, "yes", 1, Decimal("0.40"))
            ack = await nr.next(ExecutionReport, lambda e: e.cl_ord_id == placed)
            assert ack.message.get_int(79) == 3
            assert [o.subaccount for o in v.sim.engine.open_orders(key)] == [3]
            # Another subaccount: refused by the client before sending, by the venue if sent.
            with pytest.raises(ValueError, match="subaccount 3 only"):
                nr.client.new_order(MARKET, "yes", 1, Decimal("0.40"), subaccount=4)
            with pytest.raises(ValueError, match="subaccount 3 only"):
                nr.client.order_group("create", contracts_limit=5, subaccount=4)
            other: list[tuple[int, FieldValue]] = [
                (11, "other"),
                (38, 1),
                (40, "2"),
                (44, "0.40"),
                (54, "1"),
                (55, MARKET),
                (79, 4),
            ]
            assert await business_reject(nr, "D", other) == 6
            assert await business_reject(nr, "UOG", [(20131, 1), (20132, 5), (79, 4)]) == 6
            # Taking a quote with a NewOrderSingle <D> is accepting one: refused.
            take: list[tuple[int, FieldValue]] = [*other[:6], (117, "quote-1")]
            assert await business_reject(nr, "D", take) == 6
            nr.client.order_group("create", contracts_limit=5, subaccount=3)
            assert (await nr.next(OrderGroupResponse)).subaccount == 3
            await nr.close()

    run(main)
