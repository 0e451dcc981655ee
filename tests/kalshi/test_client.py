"""The Kalshi client's configuration rules and its signed Logon, without a network."""

from __future__ import annotations

import base64
import itertools
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import fixwire
from fixwire.kalshi import KalshiClient, KalshiConfig, LogonSigner, RateLimit, SessionType
from fixwire.kalshi.client import RateLimitError, TokenBucket
from fixwire.kalshi.rules import cl_ord_ids
from fixwire.kalshi.venue import KALSHI_GROUPS, with_groups
from fixwire.session import Session

API_KEY = "6f1c2b9e-3d4a-4b5c-9e8f-0a1b2c3d4e5f"
NOW = 1_787_233_501.123


def config(signer: LogonSigner, **options: object) -> KalshiConfig:
    return KalshiConfig(api_key=API_KEY, signer=signer, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"session_type": SessionType.NR, "reset_seq_num": False}, "requires ResetSeqNumFlag"),
        ({"session_type": SessionType.DC, "reset_seq_num": False}, "requires ResetSeqNumFlag"),
        ({"session_type": SessionType.MD, "reset_seq_num": False}, "requires ResetSeqNumFlag"),
        ({"session_type": SessionType.RFQ, "reset_seq_num": False}, "requires ResetSeqNumFlag"),
        ({"listener": True}, "skip_pending_exec_reports"),
        (
            {
                "listener": True,
                "skip_pending_exec_reports": True,
                "cancel_orders_on_disconnect": True,
            },
            "forbids cancel_orders_on_disconnect",
        ),
        (
            {"listener": True, "skip_pending_exec_reports": True, "session_type": SessionType.DC},
            "listener",
        ),
        ({"message_retention_hours": 24}, "KalshiRT/KalshiPT"),
        ({"session_type": SessionType.RT, "message_retention_hours": 73}, "1 to 72"),
        ({"receive_settlement_reports": True}, "KalshiRT/KalshiPT"),
        ({"heartbeat_interval": 3}, "more than 3"),
    ],
)
def test_impossible_combinations_are_refused(
    signer: LogonSigner, options: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        config(signer, **options)


def test_api_key_must_be_a_uuid(signer: LogonSigner) -> None:
    with pytest.raises(ValueError, match="UUID"):
        KalshiConfig(api_key="not-a-key", signer=signer)


def test_reset_defaults_follow_the_session_type(signer: LogonSigner) -> None:
    assert config(signer, session_type=SessionType.NR).resets
    assert not config(signer, session_type=SessionType.RT).resets
    assert config(signer, session_type=SessionType.RT, reset_seq_num=True).resets
    assert config(signer, session_type=SessionType.RT).address == ("fix.demo.kalshi.co", 8230)
    assert config(signer, host="127.0.0.1", port=9000).address == ("127.0.0.1", 9000)


def test_the_private_key_stays_out_of_the_repr(signer: LogonSigner) -> None:
    text = repr(config(signer))
    assert "signer" not in text
    assert "PRIVATE" not in text


def logon(cfg: KalshiConfig) -> fixwire.Message:
    session = Session(KalshiClient.session_config(cfg))
    session.connection_made(NOW)
    return fixwire.parse(session.data_to_send())


def test_logon_is_signed_over_its_own_header(signer: LogonSigner) -> None:
    cfg = config(signer, session_type=SessionType.NR, cancel_orders_on_disconnect=True)
    msg = logon(cfg)
    assert msg.msg_type == "A"
    assert (msg[49], msg[56], msg[34], msg[141], msg[1137]) == (API_KEY, "KalshiNR", "1", "Y", "9")
    assert msg[52] == "20260820-13:45:01.123"
    signature = msg.get_bytes(96)
    assert signature is not None
    assert msg.get_int(95) == len(signature) == 344
    payload = f"{msg[52]}\x01A\x01{msg[34]}\x01{msg[49]}\x01{msg[56]}".encode()
    public_key = signer._key.public_key()
    public_key.verify(
        base64.b64decode(signature),
        payload,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    assert msg[8013] == "Y"
    assert msg[21005] == "Y"
    assert 20126 not in msg


def test_raw_data_length_can_be_left_out(signer: LogonSigner) -> None:
    """RawDataLength <95> is sent by default; without it RawData <96> carries the same
    signature alone.
    """
    with_length = logon(config(signer))
    without = logon(config(signer, raw_data_length=False))
    assert with_length.get_int(95) == 344
    assert 95 not in without
    assert [tag for tag, _ in without].count(96) == 1
    assert len(without[96]) == 344
    payload = f"{without[52]}\x01A\x01{without[34]}\x01{without[49]}\x01{without[56]}".encode()
    signer._key.public_key().verify(
        base64.b64decode(without[96]),
        payload,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


def test_logon_flags_are_typed_options(signer: LogonSigner) -> None:
    cfg = config(
        signer,
        session_type=SessionType.RT,
        message_retention_hours=72,
        receive_settlement_reports=False,
        skip_pending_exec_reports=True,
        use_expired_ord_status=True,
        enable_ioc_cancel_report=True,
        preserve_original_order_qty=True,
        always_emit_new_before_trade=True,
        split_collateral_return=True,
        use_dollars=False,
    )
    msg = logon(cfg)
    assert 141 not in msg
    expected = {20200: "72", 20127: "N", 21011: "Y", 21012: "Y", 21007: "Y", 21008: "Y", 21026: "Y"}
    expected[21027] = "Y"
    assert {tag: msg[tag] for tag in expected} == expected
    assert 21005 not in msg


def test_token_bucket_refuses_without_taking() -> None:
    bucket = TokenBucket(rate=100, capacity=20, now=0.0)
    bucket.take(10, now=0.0)
    bucket.take(10, now=0.0)
    with pytest.raises(RateLimitError) as refused:
        bucket.take(10, now=0.05)
    assert refused.value.retry_after == pytest.approx(0.05)
    bucket.take(10, now=0.1)
    assert RateLimit.tier("premier").tokens_per_second == 1_000
    with pytest.raises(ValueError, match="unknown tier"):
        RateLimit.tier("gold")


def test_market_settlement_report_from_the_spec_example() -> None:
    from fixwire.kalshi.events import MarketSettlementReport, from_message

    body = (
        "35=UMS|49=Kalshi|56=K|34=2|52=20231231-23:00:00.000|20105=settle-123|55=HIGHNY-23DEC31"
        "|715=20231231|20107=yes|730=100.00|20108=1|20109=user-456|20110=24|704=100|705=0"
        "|1703=1|1704=100.00|1705=PAYOUT|136=1|137=0.00|138=USD|139=4|891=0|893=Y|"
    ).replace("|", "\x01")
    head = f"8=FIXT.1.1\x019={len(body)}\x01{body}"
    wire = f"{head}10={fixwire.checksum(head.encode()):03}\x01".encode()
    report = from_message(fixwire.parse(wire), dollars=True)
    assert isinstance(report, MarketSettlementReport)
    assert (report.report_id, report.symbol, report.result) == (
        "settle-123",
        "HIGHNY-23DEC31",
        "yes",
    )
    assert report.settlement_price == Decimal("100.00")
    assert report.last_fragment
    assert str(report.business_date) == "2023-12-31"
    (party,) = report.parties
    assert party.party_id == "user-456"
    assert (party.long_qty, party.short_qty) == (Decimal(100), Decimal(0))
    assert (party.payout, party.fee) == (Decimal("100.00"), Decimal("0.00"))


def test_execution_report_reads_lazily_and_stays_immutable() -> None:
    from fixwire.kalshi.events import ExecutionReport, from_message

    body = (
        "35=8|49=Kalshi|56=K|34=3|52=20260820-13:45:01.123|11=c1|37=o1|17=4;7|6=42|14=4.00"
        "|38=10.00|39=1|44=42|54=2|55=MKT|150=F|151=6.00|31=42|32=4.00|704=0.00|705=4.00"
        "|1057=N|136=2|137=0.01|138=USD|139=4|891=0|137=0.02|138=USD|139=4|891=0|"
    ).replace("|", "\x01")
    head = f"8=FIXT.1.1\x019={len(body)}\x01{body}"
    wire = f"{head}10={fixwire.checksum(head.encode()):03}\x01".encode()
    report = from_message(fixwire.parse(wire), dollars=False)
    assert isinstance(report, ExecutionReport)
    assert (report.cl_ord_id, report.order_id, report.exec_id) == ("c1", "o1", "4;7")
    assert (report.side, report.exec_type, report.ord_status) == ("no", "F", "1")
    assert report.price == report.last_px == report.avg_px == Decimal("0.42")
    assert (report.cum_qty, report.leaves_qty, report.last_qty) == (
        Decimal(4),
        Decimal(6),
        Decimal(4),
    )
    assert report.fees == Decimal("0.03")
    assert report.aggressor is False
    assert not report.outcome_unknown
    assert "cl_ord_id='c1'" in repr(report)
    assert report == from_message(fixwire.parse(wire), dollars=False)
    with pytest.raises(AttributeError, match="immutable"):
        report.message = report.message


def test_made_client_order_ids_are_uuid_shaped_and_never_repeat() -> None:
    prefix = "6f1c2b9e-3d4a-4b5c-9e8f-"
    # Past two turns of the table of last digits, so that the formatted part changes twice.
    ids = list(itertools.islice(cl_ord_ids(prefix), 600))
    assert len(set(ids)) == 600
    assert ids[:2] == [f"{prefix}000000000000", f"{prefix}000000000001"]
    for n, made in enumerate(ids):
        assert str(uuid.UUID(made)) == made
        assert int(made[len(prefix) :], 16) == n


def test_inbound_messages_are_parsed_once_with_the_venue_groups(
    signer: LogonSigner, corpus: dict[str, bytes]
) -> None:
    """The client's session parses with Kalshi's groups as it frames; the events then read
    them from that same message rather than parsing it again.
    """
    assert KalshiClient.session_config(config(signer)).groups is KALSHI_GROUPS
    report = corpus["kalshi_exec_report_trade"]
    framed = fixwire.parse(report, groups=KALSHI_GROUPS)
    assert with_groups(framed) is framed
    flat = fixwire.parse(report)
    again = with_groups(flat)
    assert again is not flat
    assert [e[448] for e in again.group(453)] == ["e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9"]
