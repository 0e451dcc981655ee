"""Write the shared FIX test corpus: ``corpus.txt`` and ``invalid.txt`` beside this file.

Both files are read by the Rust tests and benches (``rust/fixwire``) and by pytest, so they are
plain text with ``|`` standing for SOH. This script is the one place their messages are defined:
it computes BodyLength <9> and CheckSum <10> over the SOH form, so a hand edit can never leave a
message with a stale length or checksum.

Usage::

    python tests/data/make_corpus.py           # rewrite both files
    python tests/data/make_corpus.py --check   # exit 1 if either file is out of date

File formats (one record a line; lines starting with ``#`` and blank lines are ignored):

* ``corpus.txt``: ``<name> <message>``, a complete valid message.
* ``invalid.txt``: ``<name> <kind> <message>``, bytes that ``fixwire.parse`` must reject with a
  ``DecodeError`` whose ``kind`` is ``<kind>``.

Names never contain spaces; the message is everything after the first (or second) space and may
itself contain spaces (for example in Text <58>). Every ``|`` in a message is one SOH byte,
including those inside data fields such as RawData <96>, whose RawDataLength <95> counts them.
"""

import argparse
import base64
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SOH = "\x01"
HERE = Path(__file__).resolve().parent
CORPUS_PATH = HERE / "corpus.txt"
INVALID_PATH = HERE / "invalid.txt"

# Who is who: a client's API key id is its SenderCompID; Kalshi answers as `Kalshi`.
API_KEY = "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10"
LISTENER_KEY = "c4d2a1e9-0b7f-4f43-8e2a-5d9b7c3e1f08"
KALSHI = "Kalshi"
ORDER_ID = "b5e3d2f1-7a4c-4c8e-9f10-3e2d1c0b9a87"
CL_ORD_ID = "7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a"
ORIG_CL_ORD_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
ORDER_GROUP_ID = "3f9e8d7c-6b5a-4938-a716-0f1e2d3c4b5a"
SUBTRADER_ID = "e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9"
RFQ_ID = "9c8b7a69-5849-4a3b-9c2d-1e0f9a8b7c6d"
QUOTE_ID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"


def soh(text: str) -> str:
    """Return ``text`` with every ``|`` replaced by SOH."""
    return text.replace("|", SOH)


def checksum(data: bytes) -> int:
    """Return the FIX CheckSum <10> of ``data``: the sum of its bytes modulo 256."""
    return sum(data) % 256


def frame(body: str, begin_string: str = "FIXT.1.1") -> str:
    """Wrap a message body in BeginString, BodyLength and CheckSum.

    Args:
        body: Every field from MsgType <35> up to and including the SOH (written ``|``) that
            ends the last body field, in the ``|`` form.
        begin_string: The value of BeginString <8>.

    Returns:
        The complete message in the ``|`` form, with BodyLength <9> and CheckSum <10> computed
        over the UTF-8 bytes of the SOH form.
    """
    if not body.endswith("|"):
        raise ValueError(f"body must end with '|': {body!r}")
    body_length = len(soh(body).encode())
    head = f"8={begin_string}|9={body_length}|{body}"
    return f"{head}10={checksum(soh(head).encode()):03d}|"


@dataclass(frozen=True)
class Header:
    """The session header fields a message is sent with."""

    sender: str
    target: str
    seq: int
    time: str
    extra: str = ""

    def render(self, msg_type: str) -> str:
        """Return the header from MsgType <35> to SendingTime <52> (and any extra fields)."""
        fields = f"35={msg_type}|49={self.sender}|56={self.target}|34={self.seq}|52={self.time}|"
        return fields + self.extra


def to_kalshi(target: str, seq: int, time: str, extra: str = "") -> Header:
    """Return the header of a client message to the Kalshi session ``target``."""
    return Header(API_KEY, target, seq, time, extra)


def from_kalshi(seq: int, time: str, extra: str = "") -> Header:
    """Return the header of a message Kalshi sends to the client."""
    return Header(KALSHI, API_KEY, seq, time, extra)


def message(header: Header, msg_type: str, fields: str = "", begin_string: str = "FIXT.1.1") -> str:
    """Return a complete message: ``header`` for ``msg_type``, then ``fields`` (``|`` form)."""
    return frame(header.render(msg_type) + fields, begin_string)


def signature() -> str:
    """Return a deterministic stand-in for a 2048-bit RSA-PSS signature: 344 base64 chars."""
    raw = b"".join(hashlib.sha256(f"fixwire-signature-{i}".encode()).digest() for i in range(8))
    return base64.b64encode(raw).decode()


def data_field(length_tag: int, data_tag: int, value: str) -> str:
    """Return a length field and its data field; ``|`` in ``value`` is SOH and counted as 1 byte."""
    return f"{length_tag}={len(soh(value).encode())}|{data_tag}={value}|"


def corpus() -> Iterator[tuple[str, str]]:
    """Yield ``(name, message)`` for every valid message of the corpus, in file order."""
    t = "20260820-14:30:05.123"
    sig = signature()

    # Session (admin) messages, §3-§5 of kalshi-fix-spec.md.
    yield (
        "logon_signed_rawdata_with_soh",
        message(
            to_kalshi("KalshiNR", 1, t),
            "A",
            "98=0|108=30|"
            + data_field(95, 96, "pss|sha256|" + sig[:40] + "|8=FIXT.1.1|10=000|")
            + "141=Y|1137=9|8013=Y|21005=Y|",
        ),
    )
    yield (
        "kalshi_logon_rawdata_with_length",
        message(
            to_kalshi("KalshiRT", 1, t),
            "A",
            "98=0|108=30|"
            + data_field(95, 96, sig)
            + "141=N|1137=9|20127=Y|20200=72|21005=Y|21011=Y|21012=Y|21026=Y|21027=Y|",
        ),
    )
    yield (
        "kalshi_logon_listener",
        message(
            Header(LISTENER_KEY, "KalshiNR", 1, t),
            "A",
            f"98=0|108=30|1137=9|20126=Y|21011=Y|96={sig}|",
        ),
    )
    yield (
        "kalshi_logon_response",
        message(from_kalshi(1, "20260820-14:30:05.131"), "A", "98=0|108=30|141=Y|1137=9|"),
    )
    yield "heartbeat", message(to_kalshi("KalshiNR", 2, "20260820-14:30:35.124"), "0")
    yield (
        "heartbeat_answering_test_request",
        message(from_kalshi(2, "20260820-14:30:35.200"), "0", "112=TEST-20260820-143035|"),
    )
    yield (
        "test_request",
        message(
            to_kalshi("KalshiNR", 3, "20260820-14:31:05.124"), "1", "112=TEST-20260820-143035|"
        ),
    )
    yield "resend_request", message(to_kalshi("KalshiRT", 9, t), "2", "7=4|16=8|")
    yield (
        "sequence_reset_gap_fill",
        message(
            from_kalshi(4, "20260820-14:30:06.002", "43=Y|122=20260820-14:29:58.410|"),
            "4",
            "123=Y|36=9|",
        ),
    )
    yield "sequence_reset_reset", message(from_kalshi(1, t), "4", "36=1|")
    yield "logout", message(to_kalshi("KalshiNR", 41, "20260820-21:00:00.000"), "5")
    yield (
        "logout_already_exists",
        message(from_kalshi(1, "20260820-14:30:05.140"), "5", "58=already exists|"),
    )
    yield (
        "kalshi_reject_undefined_tag",
        message(
            from_kalshi(6, t),
            "3",
            "45=5|58=Undefined tag received|371=333333|372=D|373=3|",
        ),
    )
    yield (
        "kalshi_reject_sending_time",
        message(
            from_kalshi(1, t),
            "3",
            "45=1|58=SendingTime accuracy problem|372=A|373=10|",
        ),
    )

    # Order entry, §7.
    yield (
        "kalshi_new_order_single",
        message(
            to_kalshi("KalshiNR", 2, t),
            "D",
            f"11={CL_ORD_ID}|38=10|40=2|54=1|55=HIGHNY-23DEC31|44=75|59=1|",
        ),
    )
    # The order every benchmark works on (benches/conftest.py reads it from here).
    yield (
        "bench_new_order_single",
        message(
            to_kalshi("KalshiNR", 2, t),
            "D",
            f"11={CL_ORD_ID}|38=10|40=2|44=0.55|54=1|55=HIGHNY-23DEC31|59=1|"
            f"526={ORDER_GROUP_ID}|2964=2|21006=Y|",
        ),
    )
    yield (
        "kalshi_new_order_single_all_fields",
        message(
            to_kalshi("KalshiNR", 3, "20260820-14:30:05.456"),
            "D",
            f"11={ORIG_CL_ORD_ID}|18=6|38=25.50|40=2|44=0.7250|54=2|"
            "55=KXNBAGAME-26MAY25NYKCLE-NYK|100=-1|59=6|126=20260821-03:59:59.999|2964=2|"
            f"526={ORDER_GROUP_ID}|21006=Y|21009=12.5000|79=3|",
        ),
    )
    yield (
        "kalshi_new_order_single_fcm_party",
        message(
            to_kalshi("KalshiRT", 12, t),
            "D",
            f"11=fcm-order-0001|38=100|40=2|44=42|54=1|55=HIGHNY-23DEC31|59=3|"
            f"453=1|448={SUBTRADER_ID}|452=24|",
        ),
    )
    yield (
        "kalshi_new_order_single_accept_quote",
        message(
            to_kalshi("KalshiRT", 13, t),
            "D",
            f"11=accept-0001|38=50|40=2|44=45|54=2|55=HIGHNY-23DEC31|117={QUOTE_ID}|"
            f"21023={RFQ_ID}|",
        ),
    )
    yield (
        "kalshi_order_cancel_replace",
        message(
            to_kalshi("KalshiNR", 4, t),
            "G",
            f"11={CL_ORD_ID}|37={ORDER_ID}|41={ORIG_CL_ORD_ID}|38=20|40=2|44=76|54=1|"
            "55=HIGHNY-23DEC31|100=0|",
        ),
    )
    yield (
        "kalshi_order_cancel_request",
        message(
            to_kalshi("KalshiRT", 14, t),
            "F",
            f"11=cancel-0001|37={ORDER_ID}|41=fcm-order-0001|54=1|55=HIGHNY-23DEC31|"
            f"453=1|448={SUBTRADER_ID}|452=24|79=0|",
        ),
    )
    yield (
        "kalshi_order_mass_cancel_request",
        message(to_kalshi("KalshiNR", 5, t), "q", "11=mass-cancel-0001|530=6|"),
    )
    yield (
        "kalshi_order_mass_cancel_report",
        message(from_kalshi(5, t), "r", f"11=mass-cancel-0001|37={ORDER_ID}|531=6|"),
    )
    yield (
        "kalshi_exec_report_new",
        message(
            from_kalshi(3, t),
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|17=4;7|150=0|39=0|54=1|55=HIGHNY-23DEC31|"
            "151=10.00|14=0.00|6=0|38=10.00|44=75|60=20260820-14:30:05.120|"
            "126=20260821-03:59:59.999|30=0|",
        ),
    )
    yield (
        "kalshi_exec_report_trade",
        message(
            from_kalshi(8, "20260820-14:30:07.481"),
            "8",
            f"37={ORDER_ID}|11=fcm-order-0001|17=1742;88431|150=F|39=1|54=1|"
            "55=HIGHNY-23DEC31|151=60.00|14=40.00|6=0.4200|38=100.00|31=0.4200|32=40.00|"
            "44=0.4200|60=20260820-14:30:07.480|"
            "136=1|137=0.2800|138=USD|139=4|891=0|"
            f"453=1|448={SUBTRADER_ID}|452=24|"
            "79=3|704=40.00|705=0.00|"
            "1703=2|1704=-16.8000|1705=BALANCE|1704=40.00|1705=PAYOUT|"
            "880=T-1742-88431|1057=Y|30=0|21030=1.2500|21031=0.5000|",
        ),
    )
    yield (
        "kalshi_exec_report_rejected_paused",
        message(
            from_kalshi(9, t),
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|17=1742;88432|150=8|39=8|54=1|55=HIGHNY-23DEC31|"
            "151=0.00|14=0.00|6=0|38=10.00|58=EXCHANGE_PAUSED|103=2|",
        ),
    )
    yield (
        "kalshi_exec_report_pending_new",
        message(
            from_kalshi(10, t),
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|17=-1;-1|150=A|39=A|54=1|55=HIGHNY-23DEC31|"
            "151=10.00|14=0.00|6=0|38=10.00|44=75|",
        ),
    )
    yield (
        "kalshi_exec_report_canceled_post_only",
        message(
            from_kalshi(11, t),
            "8",
            f"37={ORDER_ID}|11={ORIG_CL_ORD_ID}|17=1742;88433;1|150=4|39=4|54=2|"
            "55=KXNBAGAME-26MAY25NYKCLE-NYK|151=0.00|14=0.00|6=0|38=25.50|44=0.7250|"
            "58=POST_ONLY_CROSS|60=20260820-14:30:05.457|30=1|",
        ),
    )
    yield (
        "kalshi_exec_report_replaced",
        message(
            from_kalshi(12, t),
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|41={ORIG_CL_ORD_ID}|17=1742;88434|150=5|39=5|"
            "54=1|55=HIGHNY-23DEC31|151=20.00|14=0.00|6=0|38=20.00|44=76|",
        ),
    )
    yield (
        "kalshi_exec_report_possdup_resend",
        message(
            from_kalshi(8, "20260820-14:35:00.001", "43=Y|122=20260820-14:30:07.481|"),
            "8",
            f"37={ORDER_ID}|11=fcm-order-0001|17=1742;88431|150=F|39=1|54=1|"
            "55=HIGHNY-23DEC31|151=60.00|14=40.00|6=0.4200|38=100.00|31=0.4200|32=40.00|",
        ),
    )
    yield (
        "kalshi_order_cancel_reject",
        message(
            from_kalshi(13, t),
            "9",
            f"37={ORDER_ID}|11=replace-0002|41={CL_ORD_ID}|39=0|434=2|102=18|"
            "58=SELF_CROSS_ATTEMPT|",
        ),
    )
    yield (
        "kalshi_business_reject_rate_limit",
        message(from_kalshi(14, t), "j", "45=12|372=D|380=8|58=Rate limit exceeded|"),
    )

    # Order groups, §9.
    yield (
        "kalshi_order_group_create",
        message(to_kalshi("KalshiNR", 6, t), "UOG", "20131=1|20132=5000|79=2|"),
    )
    yield (
        "kalshi_order_group_reset",
        message(to_kalshi("KalshiNR", 7, t), "UOG", f"20131=2|20130={ORDER_GROUP_ID}|79=2|"),
    )
    yield (
        "kalshi_order_group_response",
        message(from_kalshi(6, t), "UOH", f"20130={ORDER_GROUP_ID}|20132=5000|79=2|"),
    )

    # Drop copy, §10.
    yield (
        "kalshi_event_resend_request",
        message(to_kalshi("KalshiDC", 2, t), "U1", "21001=12345;67890|21002=12350;67895|"),
    )
    yield (
        "kalshi_event_resend_complete",
        message(from_kalshi(9, t), "U2", "45=2|21003=5|"),
    )
    yield (
        "kalshi_event_resend_reject",
        message(from_kalshi(3, t), "U3", "45=2|21004=3|"),
    )

    # Market settlement, §11: the documented example, then two parties with nested groups.
    yield (
        "kalshi_market_settlement",
        message(
            Header(KALSHI, API_KEY, 2, "20260101-00:05:00.000"),
            "UMS",
            "20105=settle-123|55=HIGHNY-23DEC31|715=20231231|20107=yes|730=100.00|"
            "20108=1|20109=user-456|20110=24|704=100|705=0|"
            "1703=1|1704=100.00|1705=PAYOUT|"
            "136=1|137=0.00|138=USD|139=4|891=0|893=Y|",
        ),
    )
    yield (
        "kalshi_market_settlement_two_parties",
        message(
            Header(KALSHI, API_KEY, 3, "20260101-00:05:00.250"),
            "UMS",
            "20105=settle-124|55=KXTEMP-26AUG20-T85|715=20260820|20106=2|20107=scalar|"
            "730=30.60|"
            "20108=2|"
            "20109=user-456|20110=24|704=10.00|705=0.00|"
            "1703=2|1704=3.06|1705=PAYOUT|1704=3.0600|1705=BALANCE|"
            "136=1|137=0.0040|138=USD|139=4|891=0|"
            "20109=user-789|20110=24|704=0.00|705=5.00|"
            "1703=1|1704=3.47|1705=PAYOUT|"
            "136=1|137=-0.0030|138=USD|139=4|891=0|"
            "893=N|",
        ),
    )

    # RFQ, §12.
    yield (
        "kalshi_quote_request_symbol",
        message(
            to_kalshi("KalshiRT", 20, t),
            "R",
            "131=client-req-123|146=1|55=HIGHNY-23DEC31|38=100|",
        ),
    )
    yield (
        "kalshi_quote_request_fcm",
        message(
            to_kalshi("KalshiRT", 21, t),
            "R",
            "131=client-req-124|146=1|55=HIGHNY-23DEC31|38=12.50|21015=Y|21016=Y|"
            f"453=1|448={SUBTRADER_ID}|452=24|79=1|",
        ),
    )
    yield (
        "kalshi_quote_request_combo",
        message(
            to_kalshi("KalshiRT", 22, t),
            "R",
            "131=client-req-456|146=1|38=100|20180=PARLAY-COLLECTION|20181=2|"
            "20182=EVENT1|20183=MKT1|20184=yes|20182=EVENT2|20183=MKT2|20184=no|",
        ),
    )
    yield (
        "kalshi_quote_request_combo_cash",
        message(
            to_kalshi("KalshiRT", 23, t),
            "R",
            "131=client-req-457|146=1|152=25.00|21015=N|20180=KXMVENBA-PARLAY|20181=3|"
            "20182=KXNBAGAME-26MAY25NYKCLE|20183=KXNBAGAME-26MAY25NYKCLE-NYK|20184=yes|"
            "20182=KXNBATOTAL-26MAY25NYKCLE|20183=KXNBATOTAL-26MAY25NYKCLE-215|20184=no|"
            "20182=KXNBAPTS-26MAY25NYKCLE|20183=KXNBAPTS-26MAY25NYKCLE-BRUNSON-30|20184=yes|",
        ),
    )
    yield (
        "kalshi_quote_request_to_maker",
        message(
            Header(KALSHI, API_KEY, 31, t),
            "R",
            "131=server-rfq-456|146=1|55=HIGHNY-23DEC31|38=100|453=1|448=anon-456|",
        ),
    )
    yield (
        "kalshi_quote_request_ack",
        message(
            from_kalshi(21, t),
            "b",
            f"131=client-req-123|303=1|21023={RFQ_ID}|55=HIGHNY-23DEC31|100=0|",
        ),
    )
    yield (
        "kalshi_quote",
        message(
            Header(API_KEY, "KalshiRFQ", 5, t),
            "S",
            "117=quote-789|131=server-rfq-456|55=HIGHNY-23DEC31|132=75|133=25|",
        ),
    )
    yield (
        "kalshi_quote_to_creator",
        message(
            from_kalshi(22, t),
            "S",
            f"117={QUOTE_ID}|131={RFQ_ID}|55=HIGHNY-23DEC31|132=0.4500|133=0.5300|38=100|"
            "134=100|135=100|453=1|448=quoter-public-77|452=35|",
        ),
    )
    yield (
        "kalshi_quote_status_report",
        message(
            Header(KALSHI, API_KEY, 32, t),
            "AI",
            "117=quote-789|131=server-rfq-456|79=0|297=0|38=100|132=75|133=25|54=1|",
        ),
    )
    yield (
        "kalshi_quote_cancel",
        message(Header(API_KEY, "KalshiRFQ", 6, t), "Z", f"117=quote-789|21023={RFQ_ID}|"),
    )
    yield (
        "kalshi_quote_cancel_status",
        message(Header(KALSHI, API_KEY, 33, t), "U9", "117=quote-789|298=0|"),
    )
    yield (
        "kalshi_quote_confirm",
        message(Header(API_KEY, "KalshiRFQ", 7, t), "U7", f"117=quote-789|21023={RFQ_ID}|"),
    )
    yield (
        "kalshi_quote_confirm_status",
        message(Header(KALSHI, API_KEY, 34, t), "U8", "117=quote-789|21010=0|"),
    )
    yield (
        "kalshi_accept_quote",
        message(
            to_kalshi("KalshiRT", 24, t),
            "UA",
            f"117={QUOTE_ID}|21023={RFQ_ID}|54=2|38=50|11=accept-0002|"
            f"453=1|448={SUBTRADER_ID}|452=24|21022=Y|",
        ),
    )
    yield (
        "kalshi_accept_quote_status",
        message(
            from_kalshi(23, t),
            "UC",
            f"117={QUOTE_ID}|21025=0|21024={QUOTE_ID}|11=accept-0002|",
        ),
    )
    yield (
        "kalshi_accept_quote_status_rejected",
        message(from_kalshi(24, t), "UC", f"117={QUOTE_ID}|21025=1|11=accept-0003|58=EXPIRED|"),
    )
    yield (
        "kalshi_rfq_cancel",
        message(
            to_kalshi("KalshiRT", 25, t),
            "UE",
            f"131=client-req-123|453=1|448={SUBTRADER_ID}|452=24|",
        ),
    )
    yield (
        "kalshi_rfq_cancel_status_expired",
        message(
            from_kalshi(25, t),
            "UB",
            f"131=client-req-123|21013=2|21023={RFQ_ID}|58=RFQ expired|",
        ),
    )
    yield (
        "kalshi_quote_request_reject_combo",
        message(
            from_kalshi(26, t),
            "AG",
            "131=client-req-456|658=99|58=invalid combo|20187=duplicated_legs|"
            "20185=2|20186=MKT1|20186=MKT2|",
        ),
    )

    # Market data, §13. Kalshi's market-data gateway signs its messages KalshiMD.
    md_in = Header("KalshiMD", API_KEY, 2, t)
    yield (
        "kalshi_market_data_request",
        message(
            to_kalshi("KalshiMD", 2, t),
            "V",
            "263=1|146=2|55=KXNBAGAME-26MAY25NYKCLE-NYK|55=HIGHNY-23DEC31|",
        ),
    )
    yield (
        "kalshi_market_data_snapshot",
        message(
            md_in,
            "W",
            "55=KXNBAGAME-26MAY25NYKCLE-NYK|268=3|"
            "269=0|270=0.4500|271=120.00|272=20260820|273=14:30:05.118|"
            "269=0|270=0.4400|271=300.00|272=20260820|273=14:30:05.118|"
            "269=1|270=0.4700|271=80.50|272=20260820|273=14:30:05.118|",
        ),
    )
    yield (
        "kalshi_market_data_incremental",
        message(
            Header("KalshiMD", API_KEY, 3, "20260820-14:30:05.789"),
            "X",
            "268=3|"
            "279=1|55=KXNBAGAME-26MAY25NYKCLE-NYK|269=0|270=0.4500|271=100.00|"
            "272=20260820|273=14:30:05.781|"
            "279=2|55=KXNBAGAME-26MAY25NYKCLE-NYK|269=1|270=0.4700|271=0.00|"
            "272=20260820|273=14:30:05.781|"
            "279=0|55=KXNBAGAME-26MAY25NYKCLE-NYK|269=2|270=0.4600|271=20.00|"
            "272=20260820|273=14:30:05.782|2446=1|",
        ),
    )
    yield (
        "kalshi_market_data_request_reject",
        message(md_in, "Y", "281=2|58=Too many symbols|"),
    )
    yield (
        "kalshi_security_status_request",
        message(to_kalshi("KalshiMD", 3, t), "e", "263=1|55=HIGHNY-23DEC31|"),
    )
    yield (
        "kalshi_security_status",
        message(Header("KalshiMD", API_KEY, 4, t), "f", "55=HIGHNY-23DEC31|326=101|"),
    )

    # Byte-level edge cases a codec must get right.
    yield (
        "business_reject_utf8_text",
        message(
            from_kalshi(15, t),
            "j",
            "45=13|372=UOG|380=0|58=Ordre refusé: groupe «inconnu» — ORDER_GROUP_NOT_FOUND|",
        ),
    )
    yield (
        "exec_report_nanosecond_transact_time",
        message(
            from_kalshi(16, "20260820-14:30:05.123456"),
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|17=1742;88435|150=4|39=4|54=1|55=HIGHNY-23DEC31|"
            "151=0.00|14=0.00|6=0|38=10.00|58=IMMEDIATE_OR_CANCELLED|"
            "60=20260820-14:30:05.123456789|",
        ),
    )

    # FIX.4.4, as older counterparties and log files still speak it.
    yield (
        "fix44_logon",
        message(
            Header("CLIENT1", "BROKER", 1, "20260820-14:30:05"),
            "A",
            "98=0|108=30|141=Y|553=trader|554=s3cret=pass|",
            begin_string="FIX.4.4",
        ),
    )
    yield (
        "fix44_new_order_single",
        message(
            Header("CLIENT1", "BROKER", 2, "20260820-14:30:05.500"),
            "D",
            "1=ACC-001|11=ORD-20260820-0001|21=1|55=MSFT|54=1|60=20260820-14:30:05.500|"
            "38=100|40=2|44=415.25|59=0|",
            begin_string="FIX.4.4",
        ),
    )
    yield (
        "fix44_execution_report_fill",
        message(
            Header("BROKER", "CLIENT1", 2, "20260820-14:30:05.612345"),
            "8",
            "37=BRK-77|11=ORD-20260820-0001|17=EX-1|150=F|39=2|55=MSFT|54=1|38=100|44=415.25|"
            "32=100|31=415.24|151=0|14=100|6=415.24|60=20260820-14:30:05.612345|"
            "382=2|375=MM1|337=A1|375=MM2|337=B2|",
            begin_string="FIX.4.4",
        ),
    )


def invalid() -> Iterator[tuple[str, str, str]]:
    """Yield ``(name, kind, message)`` for bytes ``fixwire.parse`` must reject, in file order.

    Each case breaks exactly one rule; everything else (in particular BodyLength <9> and
    CheckSum <10>) is kept correct so that the expected kind is the only possible answer.
    """
    head = "35=0|49=CLIENT|56=KalshiNR|34=2|52=20260820-14:30:05.123|"
    good = frame(head)

    def body_length_of(text: str) -> int:
        start = text.index("|9=") + 3
        return int(text[start : text.index("|", start)])

    def with_checksum(text: str) -> str:
        """Recompute CheckSum <10> of ``text`` (which ends ``10=xxx|``) for its new bytes."""
        before = text[: text.rindex("10=")]
        return f"{before}10={checksum(soh(before).encode()):03d}|"

    def with_body_length(text: str, length: str) -> str:
        old = f"|9={body_length_of(text)}|"
        return with_checksum(text.replace(old, f"|9={length}|", 1))

    n = body_length_of(good)
    cs = int(good[-4:-1])

    # CheckSum <10>.
    yield "checksum_wrong_value", "bad_checksum", f"{good[:-4]}{(cs + 1) % 256:03d}|"
    yield "checksum_two_digits", "bad_checksum", f"{good[:-4]}{cs % 100:02d}|"
    yield "checksum_four_digits", "bad_checksum", f"{good[:-4]}0{cs:03d}|"
    yield "checksum_non_digit", "bad_checksum", f"{good[:-4]}{cs:03d}"[:-1] + "x|"
    yield "checksum_not_last", "checksum_not_last", frame(head + "10=000|58=after|")
    yield "trailing_bytes_after_checksum", "trailing_bytes", good + "x"
    yield "trailing_second_message", "trailing_bytes", good + good

    # BodyLength <9>: a wrong length puts `10=` somewhere else than where it says.
    yield "body_length_plus_one", "bad_body_length", with_body_length(good, str(n + 1))
    yield "body_length_minus_one", "bad_body_length", with_body_length(good, str(n - 1))
    yield "body_length_non_numeric", "bad_body_length", with_body_length(good, "6x")
    yield "body_length_negative", "bad_body_length", with_body_length(good, f"-{n}")

    # Header order.
    yield (
        "msg_type_before_body_length",
        "header_out_of_order",
        with_checksum(good.replace(f"|9={n}|35=0|", f"|35=0|9={n}|", 1)),
    )
    yield (
        "msg_type_not_third",
        "header_out_of_order",
        frame("49=CLIENT|35=0|56=KalshiNR|34=2|52=20260820-14:30:05.123|"),
    )
    yield "missing_begin_string", "not_begin_string", good[good.index("9=") :]
    yield "begin_string_not_first", "not_begin_string", "35=0|" + good
    yield "leading_garbage", "not_begin_string", "xx" + good

    # Fields.
    yield "tag_zero", "tag_not_integer", frame(head + "0=x|")
    yield "tag_alphabetic", "tag_not_integer", frame(head + "abc=x|")
    yield "tag_negative", "tag_not_integer", frame(head + "-58=x|")
    yield "tag_leading_zero", "tag_not_integer", frame(head + "058=x|")
    yield "tag_empty", "tag_not_integer", frame(head + "=x|")
    yield "tag_overflow", "tag_not_integer", frame(head + "99999999999999999999=x|")
    yield "field_without_equals", "missing_equals", frame(head + "58|")
    yield "empty_value", "empty_value", frame(head + "58=|")

    # Truncation.
    yield "truncated_mid_body", "truncated", good[: len(good) // 2]
    yield "truncated_before_checksum", "truncated", good[: good.rindex("10=")]
    yield "truncated_inside_checksum", "truncated", good[:-3]
    yield "truncated_missing_final_soh", "truncated", good[:-1]

    # Data fields: RawDataLength <95> says how many bytes RawData <96> has.
    logon = "35=A|49=CLIENT|56=KalshiNR|34=1|52=20260820-14:30:05.123|98=0|108=30|"
    yield "data_length_past_end", "bad_data_length", frame(logon + "95=500|96=sig|1137=9|")
    yield "data_length_too_short", "bad_data_length", frame(logon + "95=4|96=sig|x|1137=9|")
    yield "data_length_non_numeric", "bad_data_length", frame(logon + "95=abc|96=sig|1137=9|")


def render() -> dict[Path, str]:
    """Return the text of every generated file, keyed by its path."""
    corpus_lines = [
        "# fixwire shared corpus: valid FIX messages, one `<name> <message>` a line; `|` is SOH.",
        "# Generated by tests/data/make_corpus.py (edit that, then run it); BodyLength <9> and",
        "# CheckSum <10> are computed over the SOH form. Read by cargo tests, benches and pytest.",
        "",
    ]
    corpus_lines += [f"{name} {text}" for name, text in corpus()]
    invalid_lines = [
        "# fixwire invalid inputs: `<name> <kind> <message>`; `|` is SOH. fixwire.parse must raise",
        "# DecodeError with .kind == <kind>. Generated by tests/data/make_corpus.py.",
        "",
    ]
    invalid_lines += [f"{name} {kind} {text}" for name, kind, text in invalid()]
    return {
        CORPUS_PATH: "\n".join(corpus_lines) + "\n",
        INVALID_PATH: "\n".join(invalid_lines) + "\n",
    }


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) the generated files; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run {Path(__file__).name}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
