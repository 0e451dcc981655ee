"""Write the shared validation table, ``validation.txt`` beside this file.

The table holds valid and invalid messages for the bundled Kalshi dictionary
(``rust/fixwire/dictionaries/kalshi.xml``). Each invalid message has exactly one fault, and the
table says which FIX SessionRejectReason <373> a counterparty validating with that dictionary
answers: fixwire's ``Dictionary.validate`` must give it, and QuickFIX's ``DataDictionary``, loaded
from the same XML, must reject the message too (``tests/codec/test_validation.py`` checks both).

This script is the one place the table's messages are defined; like ``make_corpus.py`` it
computes BodyLength <9> and CheckSum <10>, so a hand edit can never leave a stale one.

Usage::

    python tests/data/make_validation.py           # rewrite validation.txt
    python tests/data/make_validation.py --check   # exit 1 if it is out of date

Format (one record a line; lines starting with ``#`` and blank lines are ignored):
``<name> <expected> <message>``, where ``<expected>`` is ``ok`` or a SessionRejectReason number,
and the message is everything after the second space, ``|`` standing for SOH.
"""

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from make_corpus import (
    API_KEY,
    CL_ORD_ID,
    KALSHI,
    ORDER_GROUP_ID,
    ORDER_ID,
    ORIG_CL_ORD_ID,
    QUOTE_ID,
    RFQ_ID,
    SUBTRADER_ID,
    frame,
    signature,
)

HERE = Path(__file__).resolve().parent
VALIDATION_PATH = HERE / "validation.txt"

T = "20260820-14:30:05.123"

# SessionRejectReason <373> values the table uses.
INVALID_TAG_NUMBER = 0
REQUIRED_TAG_MISSING = 1
TAG_NOT_DEFINED_FOR_MESSAGE = 2
UNDEFINED_TAG = 3
TAG_WITHOUT_VALUE = 4
VALUE_INCORRECT = 5
INCORRECT_DATA_FORMAT = 6
INVALID_MSG_TYPE = 11
TAG_APPEARS_MORE_THAN_ONCE = 13
TAG_OUT_OF_ORDER = 14
GROUP_FIELDS_OUT_OF_ORDER = 15
INCORRECT_NUM_IN_GROUP = 16

Row = tuple[str, int | None, str]


def client(
    msg_type: str, fields: str = "", *, target: str = "KalshiNR", seq: int = 2, extra: str = ""
) -> str:
    """Return a complete client-to-Kalshi message; ``extra`` are header fields after 52."""
    header = f"35={msg_type}|49={API_KEY}|56={target}|34={seq}|52={T}|{extra}"
    return frame(header + fields)


def server(msg_type: str, fields: str = "", *, seq: int = 2, extra: str = "") -> str:
    """Return a complete Kalshi-to-client message; ``extra`` are header fields after 52."""
    header = f"35={msg_type}|49={KALSHI}|56={API_KEY}|34={seq}|52={T}|{extra}"
    return frame(header + fields)


# Bodies the invalid messages are derived from, each valid as it is.
NEW_ORDER = f"11={CL_ORD_ID}|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|59=1|"
NEW_ORDER_GTD = f"11={CL_ORD_ID}|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|59=6|"
PARTY = f"448={SUBTRADER_ID}|452=24|"
EXEC_NEW = (
    f"37={ORDER_ID}|11={CL_ORD_ID}|17=4;7|150=0|39=0|54=1|55=HIGHNY-23DEC31|"
    "151=10.00|14=0.00|6=0|38=10.00|44=75|"
)
EXEC_TRADE = (
    f"37={ORDER_ID}|11={CL_ORD_ID}|17=1742;88431|150=F|39=1|54=1|55=HIGHNY-23DEC31|"
    "151=60.00|14=40.00|6=0.4200|38=100.00|31=0.4200|32=40.00|44=0.4200|"
    "60=20260820-14:30:07.480|"
)
SETTLEMENT = "20105=settle-123|55=HIGHNY-23DEC31|715=20231231|20107=yes|730=100.00|"
SETTLEMENT_PARTY = (
    "20109=user-456|20110=24|704=100|705=0|1703=1|1704=100.00|1705=PAYOUT|"
    "136=1|137=0.00|138=USD|139=4|891=0|"
)
LOGON = "98=0|108=30|141=Y|1137=9|"


def valid() -> Iterator[Row]:
    """Yield messages every counterparty using the Kalshi dictionary accepts: every MsgType."""
    sig = signature()
    # Session (admin) messages.
    yield "heartbeat", None, client("0")
    yield "heartbeat_answering_test_request", None, server("0", "112=TEST-1|")
    yield (
        "heartbeat_header_fields_in_any_order",
        None,
        frame(f"35=0|56=KalshiNR|34=2|49={API_KEY}|52={T}|"),
    )
    yield (
        "heartbeat_optional_header_fields",
        None,
        server("0", extra="43=Y|97=N|122=20260820-14:30:00.000|1128=9|"),
    )
    yield "heartbeat_signature_trailer", None, client("0", "112=TEST-1|93=3|89=abc|")
    yield "test_request", None, client("1", "112=TEST-1|")
    yield "resend_request", None, client("2", "7=4|16=8|", target="KalshiRT")
    yield "reject", None, server("3", "45=5|58=Undefined tag received|371=333333|372=D|373=3|")
    yield "sequence_reset_gap_fill", None, server("4", "123=Y|36=9|")
    yield "logout", None, client("5")
    yield "logout_with_text", None, server("5", "58=already exists|")
    yield (
        "logon",
        None,
        client(
            "A",
            f"98=0|108=30|95={len(sig)}|96={sig}|141=Y|1137=9|8013=Y|20127=N|20200=72|21005=Y|"
            "21006=N|21007=Y|21008=Y|21011=Y|21012=Y|21026=Y|21027=Y|",
            seq=1,
        ),
    )
    yield (
        "logon_listener_without_raw_data_length",
        None,
        client("A", f"98=0|108=30|1137=9|20126=Y|21011=Y|96={sig}|", seq=1),
    )
    yield "logon_response", None, server("A", LOGON, seq=1)

    # Order entry.
    yield "new_order_single", None, client("D", NEW_ORDER)
    yield (
        "new_order_single_all_fields",
        None,
        client(
            "D",
            f"11={CL_ORD_ID}|18=6|38=25.50|40=2|44=0.7250|54=2|55=KXNBAGAME-26MAY25NYKCLE-NYK|"
            "100=-1|59=6|126=20260821-03:59:59.999|453=1|" + PARTY + "79=3|"
            f"526={ORDER_GROUP_ID}|2964=2|21006=Y|21009=12.5000|",
        ),
    )
    yield (
        "new_order_single_accepting_quote",
        None,
        client("D", NEW_ORDER + f"117={QUOTE_ID}|21023={RFQ_ID}|", target="KalshiRT"),
    )
    yield (
        "order_cancel_replace_request",
        None,
        client(
            "G",
            f"11={CL_ORD_ID}|37={ORDER_ID}|41={ORIG_CL_ORD_ID}|38=20|40=2|44=76|54=1|"
            "55=HIGHNY-23DEC31|100=0|",
        ),
    )
    yield (
        "order_cancel_request",
        None,
        client(
            "F",
            f"11=cancel-1|37={ORDER_ID}|41={CL_ORD_ID}|54=1|55=HIGHNY-23DEC31|453=1|" + PARTY,
        ),
    )
    yield "order_mass_cancel_request", None, client("q", "11=mass-cancel-1|530=6|")
    yield (
        "order_mass_cancel_report_rejected",
        None,
        server("r", f"11=mass-cancel-1|37={ORDER_ID}|531=0|532=1|"),
    )
    yield "execution_report_new", None, server("8", EXEC_NEW + "60=20260820-14:30:05.120|30=0|")
    yield (
        "execution_report_trade",
        None,
        server(
            "8",
            EXEC_TRADE + "136=1|137=0.2800|138=USD|139=4|891=0|453=1|" + PARTY + "79=3|"
            "704=40.00|705=0.00|1703=2|1704=-16.8000|1705=BALANCE|1704=40.00|1705=PAYOUT|"
            "880=T-1742-88431|1057=Y|30=0|21030=1.2500|21031=0.5000|",
        ),
    )
    yield (
        "execution_report_rejected",
        None,
        server(
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|17=-1;-1|150=8|39=8|54=1|55=HIGHNY-23DEC31|"
            "151=0.00|14=0.00|6=0|38=10.00|58=EXCHANGE_PAUSED|103=2|",
        ),
    )
    yield (
        "execution_report_replaced",
        None,
        server(
            "8",
            f"37={ORDER_ID}|11={CL_ORD_ID}|41={ORIG_CL_ORD_ID}|17=3;4|150=5|39=5|54=1|"
            "55=HIGHNY-23DEC31|151=20.00|14=0.00|6=0|38=20.00|44=76|",
        ),
    )
    yield (
        "order_cancel_reject",
        None,
        server("9", f"37={ORDER_ID}|11=replace-2|41={CL_ORD_ID}|39=0|434=2|102=18|58=SELF_CROSS|"),
    )
    yield "business_message_reject", None, server("j", "45=12|372=D|380=8|58=Rate limit|")

    # Order groups, drop copy, settlement.
    yield "order_group_create", None, client("UOG", "20131=1|20132=5000|79=2|")
    yield "order_group_reset", None, client("UOG", f"20131=2|20130={ORDER_GROUP_ID}|100=0|")
    yield "order_group_response", None, server("UOH", f"20130={ORDER_GROUP_ID}|20132=5000|")
    yield (
        "event_resend_request",
        None,
        client("U1", "21001=12345;67890|21002=12350;67895|", target="KalshiDC"),
    )
    yield "event_resend_complete", None, server("U2", "45=2|21003=5|")
    yield "event_resend_reject", None, server("U3", "45=2|21004=3|")
    yield (
        "market_settlement_report",
        None,
        server("UMS", SETTLEMENT + "20108=1|" + SETTLEMENT_PARTY + "893=Y|"),
    )
    yield (
        "market_settlement_report_two_parties",
        None,
        server(
            "UMS",
            "20105=settle-124|55=KXTEMP-26AUG20-T85|715=20260820|20106=2|20107=scalar|730=30.60|"
            "20108=2|20109=user-456|20110=24|704=10.00|1703=2|1704=3.06|1705=PAYOUT|"
            "1704=3.0600|1705=BALANCE|136=1|137=0.0040|138=USD|139=4|891=0|"
            "20109=user-789|20110=24|705=5.00|136=1|137=-0.0030|138=USD|139=4|891=0|893=N|",
        ),
    )

    # RFQ: NoRelatedSym <146> entries start with Symbol, OrderQty or CashOrderQty.
    yield (
        "quote_request_symbol",
        None,
        client("R", "131=client-req-123|146=1|55=HIGHNY-23DEC31|38=100|", target="KalshiRT"),
    )
    yield (
        "quote_request_combo",
        None,
        client(
            "R",
            "131=client-req-456|146=1|38=100|20180=PARLAY-COLLECTION|20181=2|20182=EVENT1|"
            "20183=MKT1|20184=yes|20182=EVENT2|20183=MKT2|20184=no|",
            target="KalshiRT",
        ),
    )
    yield (
        "quote_request_combo_cash",
        None,
        client(
            "R",
            "131=client-req-789|146=1|152=25.00|21015=Y|21016=N|453=1|" + PARTY + "79=1|"
            "20180=PARLAY-COLLECTION|20181=1|20182=EVENT1|20183=MKT1|20184=no|",
            target="KalshiRT",
        ),
    )
    yield (
        "quote_request_to_maker",
        None,
        server("R", "131=server-rfq-456|146=1|55=HIGHNY-23DEC31|38=100|453=1|448=anon-456|"),
    )
    yield (
        "quote_request_ack",
        None,
        server("b", f"131=client-req-123|303=1|21023={RFQ_ID}|55=KXMVE-COMBO|100=0|"),
    )
    yield (
        "quote",
        None,
        client(
            "S",
            "117=quote-789|131=server-rfq-456|55=HIGHNY-23DEC31|132=75|133=25|18=6|79=0|21015=Y|",
            target="KalshiRFQ",
        ),
    )
    yield (
        "quote_to_creator",
        None,
        server(
            "S",
            f"117={QUOTE_ID}|131={RFQ_ID}|55=HIGHNY-23DEC31|132=0.4500|133=0.5500|38=100|"
            "134=100|135=100|453=1|448=pub-1|452=35|",
        ),
    )
    yield "quote_status_report_rejected", None, server("AI", "131=server-rfq-456|297=5|58=X|")
    yield (
        "quote_status_report_accepted",
        None,
        server("AI", f"117={QUOTE_ID}|131=server-rfq-456|79=0|297=0|38=100|132=75|133=25|54=2|"),
    )
    yield "quote_cancel", None, client("Z", f"117={QUOTE_ID}|21023={RFQ_ID}|")
    yield "quote_cancel_status", None, server("U9", f"117={QUOTE_ID}|298=1|58=NOT_FOUND|")
    yield "quote_confirm", None, client("U7", f"117={QUOTE_ID}|21023={RFQ_ID}|")
    yield "quote_confirm_status", None, server("U8", f"117={QUOTE_ID}|21010=0|")
    yield (
        "accept_quote",
        None,
        client(
            "UA",
            f"117={QUOTE_ID}|21023={RFQ_ID}|54=1|38=10.25|11=accept-1|453=1|" + PARTY + "21022=Y|",
            target="KalshiRT",
        ),
    )
    yield (
        "accept_quote_status",
        None,
        server("UC", f"117={QUOTE_ID}|21025=0|21024={QUOTE_ID}|11=accept-1|"),
    )
    yield "rfq_cancel", None, client("UE", f"21023={RFQ_ID}|", target="KalshiRT")
    yield (
        "rfq_cancel_status_expired",
        None,
        server("UB", f"131=client-req-123|21013=2|21023={RFQ_ID}|"),
    )
    yield (
        "quote_request_reject_combo",
        None,
        server(
            "AG",
            "58=invalid combo|131=client-req-456|658=99|20187=duplicated_legs|20185=2|20186=MKT1|"
            "20186=MKT2|",
        ),
    )

    # Market data and security status.
    yield (
        "market_data_request",
        None,
        client(
            "V", "263=1|146=2|55=HIGHNY-23DEC31|55=KXNBAGAME-26MAY25NYKCLE-NYK|", target="KalshiMD"
        ),
    )
    yield "market_data_request_unsubscribe_all", None, client("V", "263=2|", target="KalshiMD")
    yield (
        "market_data_snapshot",
        None,
        server(
            "W",
            "55=HIGHNY-23DEC31|268=2|269=0|270=0.7500|271=100.00|272=20260820|273=14:30:05.120|"
            "269=1|270=0.7700|271=5.00|272=20260820|273=14:30:05.120|",
        ),
    )
    yield "market_data_snapshot_empty", None, server("W", "55=NO-SUCH-MARKET|268=0|")
    yield (
        "market_data_incremental",
        None,
        server(
            "X",
            "268=2|279=1|55=HIGHNY-23DEC31|269=0|270=0.75|271=90|272=20260820|273=14:30:05.120|"
            "279=0|55=HIGHNY-23DEC31|269=2|270=0.76|271=3|2446=1|",
        ),
    )
    yield "market_data_request_reject", None, server("Y", "281=2|58=symbol limit|")
    yield (
        "security_status_request",
        None,
        client("e", "263=1|55=HIGHNY-23DEC31|", target="KalshiMD"),
    )
    yield "security_status", None, server("f", "55=HIGHNY-23DEC31|326=101|")


def invalid() -> Iterator[Row]:
    """Yield messages with exactly one fault and the SessionRejectReason <373> it earns."""
    # 0: a tag that is not a FIX tag number at all.
    r = INVALID_TAG_NUMBER
    yield "tag_zero", r, client("0", "0=x|")
    yield "tag_negative", r, client("0", "-5=x|")

    # 1: required tag missing (header, body, a required group's entry).
    r = REQUIRED_TAG_MISSING
    yield "header_missing_msg_seq_num", r, frame(f"35=0|49={API_KEY}|56=KalshiNR|52={T}|")
    yield "header_missing_sending_time", r, frame(f"35=0|49={API_KEY}|56=KalshiNR|34=2|")
    yield "test_request_missing_test_req_id", r, client("1")
    yield "logon_missing_default_appl_ver_id", r, client("A", "98=0|108=30|141=Y|", seq=1)
    yield (
        "new_order_single_missing_price",
        r,
        client("D", f"11={CL_ORD_ID}|38=10|40=2|54=1|55=HIGHNY-23DEC31|"),
    )
    yield "business_message_reject_missing_ref_msg_type", r, server("j", "45=12|380=8|")
    yield (
        "market_settlement_missing_market_result",
        r,
        server("UMS", "20105=settle-123|55=HIGHNY-23DEC31|715=20231231|730=100.00|"),
    )
    yield "quote_request_missing_related_sym", r, client("R", "131=client-req-123|")
    yield (
        "market_data_incremental_entry_missing_entry_type",
        r,
        server("X", "268=1|279=0|55=HIGHNY-23DEC31|270=0.75|271=90|"),
    )

    # 2: a defined tag on a message that does not have it.
    r = TAG_NOT_DEFINED_FOR_MESSAGE
    yield "heartbeat_with_text", r, client("0", "58=hello|")
    yield "new_order_single_with_text", r, client("D", NEW_ORDER + "58=hello|")
    yield (
        "order_cancel_request_with_order_group_id",
        r,
        client("F", f"11=cancel-1|41={CL_ORD_ID}|54=1|55=HIGHNY-23DEC31|20130={ORDER_GROUP_ID}|"),
    )
    yield (
        "order_cancel_replace_with_max_execution_cost",
        r,
        client(
            "G", f"11={CL_ORD_ID}|41={ORIG_CL_ORD_ID}|38=20|40=2|54=1|55=HIGHNY-23DEC31|21009=5|"
        ),
    )
    yield "quote_cancel_with_symbol", r, client("Z", f"117={QUOTE_ID}|55=HIGHNY-23DEC31|")
    # RestRemainder <21015> belongs inside the NoRelatedSym <146> entry; AllocAccount <79>
    # ends the group, so here it stands at body level.
    yield (
        "quote_request_rest_remainder_outside_group",
        r,
        client("R", "131=client-req-123|146=1|55=HIGHNY-23DEC31|38=100|79=0|21015=Y|"),
    )

    # 3: a tag the dictionary does not define (QuickFIX says 0; see test_validation.py).
    r = UNDEFINED_TAG
    yield "new_order_single_undefined_tag_333333", r, client("D", NEW_ORDER + "333333=x|")
    yield "execution_report_undefined_user_tag", r, server("8", EXEC_NEW + "9999=x|")
    yield "heartbeat_undefined_tag_below_user_range", r, client("0", "4999=x|")

    # 4: a tag without a value.
    r = TAG_WITHOUT_VALUE
    yield "logout_text_without_value", r, client("5", "58=|")
    yield (
        "new_order_single_price_without_value",
        r,
        client("D", NEW_ORDER.replace("44=75|", "44=|")),
    )

    # 5: a value outside the field's enumeration.
    r = VALUE_INCORRECT
    yield "header_appl_ver_id_8", r, client("0", extra="1128=8|")
    yield "logon_encrypt_method_1", r, client("A", "98=1|108=30|141=Y|1137=9|", seq=1)
    yield "logon_default_appl_ver_id_8", r, client("A", "98=0|108=30|141=Y|1137=8|", seq=1)
    yield (
        "new_order_single_ord_type_market",
        r,
        client("D", f"11={CL_ORD_ID}|38=10|40=1|44=75|54=1|55=HIGHNY-23DEC31|"),
    )
    yield (
        "new_order_single_side_3",
        r,
        client("D", f"11={CL_ORD_ID}|38=10|40=2|44=75|54=3|55=HIGHNY-23DEC31|"),
    )
    yield (
        "new_order_single_time_in_force_2",
        r,
        client("D", f"11={CL_ORD_ID}|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|59=2|"),
    )
    yield (
        "new_order_single_exec_inst_one_of_two_unknown",
        r,
        client("D", f"11={CL_ORD_ID}|18=6 5|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|"),
    )
    yield "execution_report_ord_status_3", r, server("8", EXEC_NEW.replace("|39=0|", "|39=3|"))
    yield (
        "market_settlement_result_capitalised",
        r,
        server("UMS", SETTLEMENT.replace("20107=yes", "20107=Yes")),
    )
    yield "market_data_request_subscription_type_3", r, client("V", "263=3|", target="KalshiMD")

    # 6: a value not of the field's type.
    r = INCORRECT_DATA_FORMAT
    yield "header_msg_seq_num_not_a_number", r, frame(f"35=0|49={API_KEY}|56=KalshiNR|34=x|52={T}|")
    yield "header_poss_dup_flag_x", r, server("0", extra="43=X|122=20260820-14:30:00.000|")
    yield "logon_heart_bt_int_word", r, client("A", "98=0|108=thirty|141=Y|1137=9|", seq=1)
    yield "new_order_single_qty_word", r, client("D", NEW_ORDER.replace("38=10|", "38=ten|"))
    yield "new_order_single_price_exponent", r, client("D", NEW_ORDER.replace("44=75|", "44=1e2|"))
    yield "new_order_single_price_plus_sign", r, client("D", NEW_ORDER.replace("44=75|", "44=+75|"))
    yield "new_order_single_alloc_account_decimal", r, client("D", NEW_ORDER + "79=3.0|")
    yield "new_order_single_boolean_lowercase", r, client("D", NEW_ORDER + "21006=y|")
    yield (
        "new_order_single_expire_time_hour_24",
        r,
        client("D", NEW_ORDER_GTD + "126=20260820-24:00:00|"),
    )
    yield (
        "execution_report_transact_time_without_seconds",
        r,
        server("8", EXEC_NEW + "60=20260820-14:30|"),
    )
    yield (
        "execution_report_ord_status_two_chars",
        r,
        server("8", EXEC_NEW.replace("|39=0|", "|39=AB|")),
    )
    # The NumInGroup value itself is malformed, not the count of entries.
    yield (
        "market_data_request_num_in_group_word",
        r,
        client("V", "263=1|146=x|55=HIGHNY-23DEC31|", target="KalshiMD"),
    )

    # 11: a MsgType the dictionary does not define.
    r = INVALID_MSG_TYPE
    yield "msg_type_uzz", r, client("UZZ", "58=x|")
    yield "msg_type_news", r, server("B", "58=headline|")
    yield "msg_type_security_definition", r, server("d", "55=HIGHNY-23DEC31|")

    # 13: a tag more than once (outside repeating groups).
    r = TAG_APPEARS_MORE_THAN_ONCE
    yield (
        "header_sender_comp_id_twice",
        r,
        frame(f"35=0|49={API_KEY}|56=KalshiNR|49={API_KEY}|34=2|52={T}|"),
    )
    yield "test_request_test_req_id_twice", r, client("1", "112=TEST-1|112=TEST-2|")
    yield "new_order_single_cl_ord_id_twice", r, client("D", NEW_ORDER + "11=other|")
    yield "new_order_single_parties_twice", r, client("D", NEW_ORDER + "453=1|" + PARTY + "453=0|")

    # 14: a header field after the body, a body field after the trailer started.
    r = TAG_OUT_OF_ORDER
    yield (
        "sending_time_after_body",
        r,
        frame(f"35=D|49={API_KEY}|56=KalshiNR|34=2|" + NEW_ORDER + f"52={T}|"),
    )
    yield (
        "target_comp_id_after_body",
        r,
        frame(f"35=0|49={API_KEY}|34=2|52={T}|112=TEST-1|56=KalshiNR|"),
    )
    yield "poss_dup_flag_after_body", r, server("0", "112=TEST-1|43=N|")
    yield "body_field_after_signature", r, client("0", "93=3|89=abc|112=TEST-1|")

    # 15: a group entry's fields out of the dictionary's order (QuickFIX has no such check).
    r = GROUP_FIELDS_OUT_OF_ORDER
    yield (
        "new_order_single_party_role_before_party_id",
        r,
        client("D", NEW_ORDER + f"453=1|452=24|448={SUBTRADER_ID}|"),
    )
    yield (
        "market_settlement_party_role_before_party_id",
        r,
        server("UMS", SETTLEMENT + "20108=1|20110=24|20109=user-456|"),
    )
    yield (
        "market_data_incremental_entry_type_first",
        r,
        server("X", "268=1|269=0|279=0|55=HIGHNY-23DEC31|270=0.75|"),
    )
    yield (
        "quote_request_qty_before_symbol",
        r,
        client("R", "131=client-req-123|146=1|38=100|55=HIGHNY-23DEC31|", target="KalshiRT"),
    )

    # 16: NumInGroup disagrees with the entries that follow.
    r = INCORRECT_NUM_IN_GROUP
    yield (
        "market_data_request_count_too_high",
        r,
        client("V", "263=1|146=2|55=HIGHNY-23DEC31|", target="KalshiMD"),
    )
    yield (
        "market_data_request_count_too_low",
        r,
        client(
            "V", "263=1|146=1|55=HIGHNY-23DEC31|55=KXNBAGAME-26MAY25NYKCLE-NYK|", target="KalshiMD"
        ),
    )
    yield (
        "market_data_request_count_negative",
        r,
        client("V", "263=1|146=-1|55=HIGHNY-23DEC31|", target="KalshiMD"),
    )
    yield (
        "market_data_request_count_zero_with_entry",
        r,
        client("V", "263=1|146=0|55=HIGHNY-23DEC31|", target="KalshiMD"),
    )
    yield "new_order_single_parties_count_2", r, client("D", NEW_ORDER + "453=2|" + PARTY)
    yield (
        "execution_report_collateral_count_too_high",
        r,
        server("8", EXEC_TRADE + "1703=2|1704=40.00|1705=PAYOUT|"),
    )
    yield (
        "market_settlement_party_count_2",
        r,
        server("UMS", SETTLEMENT + "20108=2|" + SETTLEMENT_PARTY),
    )
    yield (
        "quote_request_legs_count_too_high",
        r,
        client(
            "R",
            "131=client-req-456|146=1|38=100|20180=PARLAY-COLLECTION|20181=2|20182=EVENT1|"
            "20183=MKT1|20184=yes|",
            target="KalshiRT",
        ),
    )
    yield (
        "quote_request_reject_offending_legs_count_too_high",
        r,
        server("AG", "58=invalid combo|131=client-req-456|658=99|20185=2|20186=MKT1|"),
    )


def render() -> str:
    """Return the text of ``validation.txt``."""
    lines = [
        "# fixwire validation table for the bundled Kalshi dictionary, one message a line:",
        "# `<name> <expected> <message>`, <expected> being `ok` or the SessionRejectReason <373>",
        "# of the message's one fault; `|` is SOH. Generated by tests/data/make_validation.py",
        "# (edit that, then run it); checked against fixwire and QuickFIX by test_validation.py.",
        "",
    ]
    for name, reason, text in [*valid(), *invalid()]:
        lines.append(f"{name} {'ok' if reason is None else reason} {text}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) ``validation.txt``; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    current = VALIDATION_PATH.read_text(encoding="utf-8") if VALIDATION_PATH.exists() else None
    if current == text:
        return 0
    if args.check:
        print(f"out of date: {VALIDATION_PATH.name}; run {Path(__file__).name}", file=sys.stderr)
        return 1
    VALIDATION_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
