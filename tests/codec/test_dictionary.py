"""fixwire.Dictionary: loading QuickFIX XML, lookups, group specs, formatting, the Kalshi spec.

Validation reasons message by message are in ``test_validation.py``; here ``validate`` is used
to show that a dictionary accepts what it should (the spec's examples) and how the options work.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import quickfix

import fixwire
from fixtext import KALSHI_XML, bar, build, corpus_message, frame

# Loading.


def test_kalshi_is_the_bundled_xml(kalshi: fixwire.Dictionary) -> None:
    from_file = fixwire.Dictionary.from_xml(KALSHI_XML)
    assert kalshi.begin_string == from_file.begin_string == "FIXT.1.1"
    assert kalshi.msg_types() == from_file.msg_types()
    for msg_type in kalshi.msg_types():
        assert kalshi.message(msg_type).fields == from_file.message(msg_type).fields


def test_from_xml_takes_a_str_path_a_path_object_or_the_text() -> None:
    text = KALSHI_XML.read_text(encoding="utf-8")
    loaded = [
        fixwire.Dictionary.from_xml(str(KALSHI_XML)),
        fixwire.Dictionary.from_xml(KALSHI_XML),
        fixwire.Dictionary.from_xml(text),
    ]
    for d in loaded:
        assert d.tag("NoMarketSettlementPartyIDs") == 20108
        assert d.message("UMS").required == [20105, 55, 715, 20107, 730]


def test_from_xml_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fixwire.Dictionary.from_xml(tmp_path / "no-such-dictionary.xml")


def test_quickfix_fixt11_and_fix50sp2(fix50sp2: fixwire.Dictionary) -> None:
    d = fix50sp2
    assert d.begin_string == "FIXT.1.1"
    # Admin messages come from the transport dictionary, application ones from FIX50SP2.
    assert len(d.msg_types()) == 164
    admin = [t for t in d.msg_types() if d.message(t).category == "admin"]
    assert sorted(admin) == ["0", "1", "2", "3", "4", "5", "A", "n"]
    logon = d.message("A")
    assert (logon.name, logon.category) == ("Logon", "admin")
    assert logon.required == [98, 108, 1137]
    order = d.message("D")
    assert (order.name, order.category, order.required) == (
        "NewOrderSingle",
        "app",
        [11, 54, 60, 40],
    )
    # The header comes from FIXT11.xml: SenderCompID <49> is required there.
    no_sender = frame("35=0|56=TARGET|34=2|52=20260820-14:30:05.123|")
    with pytest.raises(fixwire.RejectError) as caught:
        fix50sp2.validate(fixwire.parse(no_sender, dictionary=d))
    assert (caught.value.reject_reason, caught.value.ref_tag_id) == (1, 49)
    assert d.field(1128).values["9"] == "FIX50_SP2"
    assert d.field(38).type == "QTY"


def test_quickfix_fix44_alone(quickfix_spec: Path) -> None:
    d = fixwire.Dictionary.from_xml(quickfix_spec / "FIX44.xml")
    assert d.begin_string == "FIX.4.4"
    assert d.message("A").category == "admin"
    assert d.message("D").required == [11, 54, 60, 40]
    assert d.field(1).name == "Account"
    with pytest.raises(KeyError):
        d.field(1128)  # ApplVerID is FIX 5.0
    # FIX 4.4 has no transport dictionary: the header is in the same file.
    for name in ("fix44_logon", "fix44_new_order_single", "fix44_execution_report_fill"):
        d.validate(fixwire.parse(corpus_message(name), dictionary=d))


def test_loaded_layouts_agree_with_quickfix(
    kalshi: fixwire.Dictionary,
    fix50sp2: fixwire.Dictionary,
    quickfix_spec: Path,
    quickfix_fix50sp2: tuple[Any, Any],
) -> None:
    """Every message's fields, required flags, names and enum values, as QuickFIX reads them."""
    session, app = quickfix_fix50sp2
    fix44 = quickfix_spec / "FIX44.xml"
    pairs = [
        (kalshi, quickfix.DataDictionary(str(KALSHI_XML)), None),
        (fixwire.Dictionary.from_xml(fix44), quickfix.DataDictionary(str(fix44)), None),
        (fix50sp2, app, session),
    ]
    for d, app_dd, session_dd in pairs:
        problems = []
        for msg_type in d.msg_types():
            info = d.message(msg_type)
            dd = session_dd if session_dd is not None and info.category == "admin" else app_dd
            assert dd.isMsgType(msg_type), msg_type
            for tag in info.fields:
                field = d.field(tag)
                if not dd.isMsgField(msg_type, tag):
                    problems.append((msg_type, tag, "not a field of the message"))
                if dd.isRequiredField(msg_type, tag) != (tag in info.required):
                    problems.append((msg_type, tag, "required flag"))
                if dd.getFieldName(tag, "")[0] != field.name:
                    problems.append((msg_type, tag, "name"))
                # Enum values: compared with the application dictionary, whose definition
                # fixwire keeps when both documents define a field.
                if app_dd.hasFieldValue(tag) != bool(field.values) or not all(
                    app_dd.isFieldValue(tag, v) for v in field.values
                ):
                    problems.append((msg_type, tag, "values"))
        assert problems == [], d


# Malformed and inconsistent dictionaries: ValueError naming the line.

SMALL = """<fix type='FIX' major='4' minor='4'>
 <header>
  <field name='BeginString' required='Y'/>
  <field name='BodyLength' required='Y'/>
  <field name='MsgType' required='Y'/>
 </header>
 <trailer>
  <field name='CheckSum' required='Y'/>
 </trailer>
 <messages>
  <message name='NewOrderSingle' msgtype='D' msgcat='app'>
   <field name='ClOrdID' required='Y'/>
   <group name='NoPartyIDs' required='N'>
    <field name='PartyID' required='Y'/>
    <field name='PartyRole' required='N'/>
   </group>
   <component name='Spare' required='N'/>
  </message>
 </messages>
 <components>
  <component name='Spare'>
   <field name='Text' required='N'/>
  </component>
 </components>
 <fields>
  <field number='8' name='BeginString' type='STRING'/>
  <field number='9' name='BodyLength' type='LENGTH'/>
  <field number='10' name='CheckSum' type='STRING'/>
  <field number='11' name='ClOrdID' type='STRING'/>
  <field number='35' name='MsgType' type='STRING'/>
  <field number='58' name='Text' type='STRING'/>
  <field number='448' name='PartyID' type='STRING'/>
  <field number='452' name='PartyRole' type='INT'/>
  <field number='453' name='NoPartyIDs' type='NUMINGROUP'/>
 </fields>
</fix>
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``text`` on which ``needle`` (unique) starts."""
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def test_small_dictionary_loads() -> None:
    d = fixwire.Dictionary.from_xml(SMALL)
    assert d.begin_string == "FIX.4.4"
    assert d.message("D").fields == [11, 453, 58]
    assert d.message("D").required == [11]


# (id, text to replace in SMALL, replacement, text on the line the error must name, words of
# the reason).
BROKEN = [
    (
        "unclosed_element",
        "<field name='ClOrdID' required='Y'/>\n   <group",
        "<field name='ClOrdID' required='Y'>\n   <group",
        # The parser finds out where the enclosing element closes.
        "</message>",
        "malformed XML",
    ),
    (
        "bad_entity",
        "name='NewOrderSingle'",
        "name='New&Order'",
        "name='New&Order'",
        "malformed XML",
    ),
    (
        "duplicate_attribute",
        "msgtype='D'",
        "msgtype='D' msgtype='E'",
        "msgtype='E'",
        "malformed XML",
    ),
    (
        "undefined_field",
        "<field name='PartyRole' required='N'/>",
        "<field name='PartyRol' required='N'/>",
        "name='PartyRol'",
        "PartyRol",
    ),
    (
        "undefined_component",
        "<field name='ClOrdID' required='Y'/>\n   <group",
        "<component name='Parties' required='N'/>\n   <group",
        "name='Parties'",
        "Parties",
    ),
    (
        "group_without_members",
        "<field name='PartyID' required='Y'/>\n    <field name='PartyRole' required='N'/>",
        "",
        "<group name='NoPartyIDs'",
        "no members",
    ),
    (
        "field_number_not_a_number",
        "<field number='452' name='PartyRole'",
        "<field number='x' name='PartyRole'",
        "number='x'",
        "PartyRole",
    ),
    (
        "field_number_zero",
        "<field number='452' name='PartyRole'",
        "<field number='0' name='PartyRole'",
        "number='0'",
        "PartyRole",
    ),
    (
        "tag_with_two_names",
        " </fields>",
        "  <field number='452' name='Role' type='INT'/>\n </fields>",
        "name='Role'",
        "452",
    ),
    (
        "name_with_two_tags",
        " </fields>",
        "  <field number='1452' name='PartyRole' type='INT'/>\n </fields>",
        "number='1452'",
        "PartyRole",
    ),
    (
        "message_without_msgtype",
        " msgtype='D'",
        "",
        "<message name='NewOrderSingle'",
        "msgtype",
    ),
    (
        "unexpected_element",
        "<field name='ClOrdID' required='Y'/>\n   <group",
        "<field name='ClOrdID' required='Y'/><repeat/>\n   <group",
        "<repeat/>",
        "repeat",
    ),
    (
        "component_cycle",
        "<field name='Text' required='N'/>",
        "<component name='Spare' required='N'/>",
        "<component name='Spare'>",
        "nest",
    ),
    (
        "undefined_delimiter",
        "<group name='NoPartyIDs' required='N'>",
        "<group name='NoPartyIDs' required='N' delimiters='PartyId'>",
        "delimiters=",
        "PartyId",
    ),
    # Layouts that are well-formed XML but cannot describe messages.
    # A group's layout is judged as a whole, so the error names the group's line.
    (
        "delimiter_not_a_member",
        "<group name='NoPartyIDs' required='N'>",
        "<group name='NoPartyIDs' required='N' delimiters='ClOrdID'>",
        "delimiters=",
        "11",
    ),
    (
        "msg_type_defined_twice",
        " </messages>",
        "  <message name='Other' msgtype='D' msgcat='app'/>\n </messages>",
        "name='Other'",
        "D",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "at", "words"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_broken_dictionary_names_the_line(old: str, new: str, at: str, words: str) -> None:
    assert SMALL.count(old) == 1, old
    text = SMALL.replace(old, new)
    with pytest.raises(ValueError, match=re.escape(words)) as caught:
        fixwire.Dictionary.from_xml(text)
    assert f"line {line_of(text, at)}:" in str(caught.value)


def test_a_group_member_listed_twice_is_kept_once_with_a_warning() -> None:
    """As QuickFIX loads its own FIX50.xml: the second listing is ignored, on the group's line."""
    old = "<field name='PartyRole' required='N'/>"
    text = SMALL.replace(old, old + "<field name='PartyID' required='N'/>")
    d = fixwire.Dictionary.from_xml(text)
    line = line_of(text, "<group name='NoPartyIDs' required='N'>")
    assert d.warnings == [
        f"line {line}: group NoPartyIDs lists member 448 twice; the second is ignored"
    ]


def test_root_element_must_be_fix() -> None:
    with pytest.raises(ValueError, match="line 2: the root element is not <fix>"):
        fixwire.Dictionary.from_xml("<?xml version='1.0'?>\n<dictionary/>\n")


def test_broken_transport_names_the_line() -> None:
    broken = SMALL.replace("<field number='9' ", "<field number='nine' ")
    with pytest.raises(ValueError, match="BodyLength") as caught:
        fixwire.Dictionary.from_xml(SMALL, broken)
    line = line_of(broken, "number='nine'")
    assert f"line {line}:" in str(caught.value)


# Lookups in the Kalshi dictionary.

# Every MsgType of kalshi-fix-spec.md: session (§3-§4), order entry (§7-§8), order groups (§9),
# drop copy (§10), settlement (§11), RFQ (§12), market data (§13).
ADMIN_TYPES = ["0", "1", "2", "3", "4", "5", "A"]
APP_TYPES = [
    *["D", "G", "F", "q", "r", "8", "9", "j", "UOG", "UOH", "U1", "U2", "U3", "UMS"],
    *["R", "b", "S", "AI", "Z", "U9", "U7", "U8", "UA", "UC", "UE", "UB", "AG"],
    *["V", "W", "X", "Y", "e", "f"],
]

# Every custom tag (>= 5000) of kalshi-fix-spec.md §15, with the spec's name.
CUSTOM_TAGS = {
    8013: "CancelOrdersOnDisconnect",
    20105: "MarketSettlementReportID",
    20106: "TotNumMarketSettlementReports",
    20107: "MarketResult",
    20108: "NoMarketSettlementPartyIDs",
    20109: "MarketSettlementPartyID",
    20110: "MarketSettlementPartyRole",
    20126: "ListenerSession",
    20127: "ReceiveSettlementReports",
    20130: "OrderGroupID",
    20131: "OrderGroupAction",
    20132: "OrderGroupContractsLimit",
    20180: "MultivariateCollectionTicker",
    20181: "NoMultivariateSelectedLegs",
    20182: "MultivariateSelectedEventTicker",
    20183: "MultivariateSelectedMarketTicker",
    20184: "MultivariateSelectedSide",
    20185: "NoMVEOffendingLegs",
    20186: "MVEOffendingMarketTicker",
    20187: "MVEValidationReasonCode",
    20200: "MessageRetentionPeriod",
    21001: "BeginExecID",
    21002: "EndExecID",
    21003: "ResendEventCount",
    21004: "EventResendRejectReason",
    21005: "UseDollars",
    21006: "CancelOrderOnPause",
    21007: "EnableIocCancelReport",
    21008: "PreserveOriginalOrderQty",
    21009: "MaxExecutionCost",
    21010: "QuoteConfirmStatus",
    21011: "SkipPendingExecReports",
    21012: "UseExpiredOrdStatus",
    21013: "RFQCancelStatus",
    21015: "RestRemainder",
    21016: "ReplaceExisting",
    21022: "PreferBetterQuote",
    21023: "RfqId",
    21024: "AcceptedQuoteId",
    21025: "AcceptQuoteStatus",
    21026: "AlwaysEmitNewBeforeTrade",
    21027: "SplitCollateralReturn",
    21030: "SingleMarketCollateralReturn",
    21031: "RangedMarketCollateralReturn",
}


def test_kalshi_has_every_msg_type_of_the_spec(kalshi: fixwire.Dictionary) -> None:
    assert kalshi.msg_types() == sorted(ADMIN_TYPES + APP_TYPES)
    assert [t for t in kalshi.msg_types() if kalshi.message(t).category == "admin"] == sorted(
        ADMIN_TYPES
    )
    # MsgType <35>'s enumeration lists exactly the messages.
    assert sorted(kalshi.field(35).values) == kalshi.msg_types()
    assert kalshi.field(35).values["UMS"] == "MARKET_SETTLEMENT_REPORT"


def test_kalshi_has_every_custom_tag_of_the_spec(kalshi: fixwire.Dictionary) -> None:
    assert {tag: kalshi.field(tag).name for tag in CUSTOM_TAGS} == CUSTOM_TAGS
    assert {name: kalshi.tag(name) for name in CUSTOM_TAGS.values()} == {
        name: tag for tag, name in CUSTOM_TAGS.items()
    }


@pytest.mark.parametrize(
    ("tag", "name", "type_", "values"),
    [
        (11, "ClOrdID", "STRING", {}),
        (38, "OrderQty", "QTY", {}),
        (44, "Price", "PRICE", {}),
        (52, "SendingTime", "UTCTIMESTAMP", {}),
        (715, "ClearingBusinessDate", "LOCALMKTDATE", {}),
        (273, "MDEntryTime", "UTCTIMEONLY", {}),
        (453, "NoPartyIDs", "NUMINGROUP", {}),
        (18, "ExecInst", "MULTIPLEVALUESTRING", {"6": "POST_ONLY"}),
        (54, "Side", "CHAR", {"1": "BUY_YES", "2": "SELL_NO"}),
        (40, "OrdType", "CHAR", {"2": "LIMIT"}),
        (20107, "MarketResult", "STRING", {"yes": "YES", "no": "NO", "scalar": "SCALAR"}),
        (1705, "CollateralAmountType", "STRING", {"BALANCE": "BALANCE", "PAYOUT": "PAYOUT"}),
        (
            20131,
            "OrderGroupAction",
            "INT",
            {"1": "CREATE", "2": "RESET", "3": "DELETE", "4": "TRIGGER_CANCEL", "5": "UPDATE"},
        ),
        (21013, "RFQCancelStatus", "INT", {"0": "CANCELED", "1": "REJECTED", "2": "EXPIRED"}),
        (
            326,
            "SecurityTradingStatus",
            "INT",
            {
                "2": "TRADING_HALT",
                "3": "RESUME",
                "100": "KALSHI_DETERMINED",
                "101": "KALSHI_SETTLED",
            },
        ),
    ],
)
def test_kalshi_field(
    kalshi: fixwire.Dictionary, tag: int, name: str, type_: str, values: dict[str, str]
) -> None:
    info = kalshi.field(tag)
    assert (info.tag, info.name, info.type, info.values) == (tag, name, type_, values)
    assert kalshi.tag(name) == tag


def test_kalshi_session_reject_reasons_are_enumerated(kalshi: fixwire.Dictionary) -> None:
    values = kalshi.field(373).values
    assert sorted(int(v) for v in values) == [*range(19), 99]
    assert values["3"] == "UNDEFINED_TAG"
    assert values["16"] == "INCORRECT_NUMINGROUP_COUNT_FOR_REPEATING_GROUP"


@pytest.mark.parametrize(
    ("msg_type", "name", "category", "required", "fields"),
    [
        ("A", "Logon", "admin", [98, 1137], None),
        ("1", "TestRequest", "admin", [112], [112]),
        (
            "D",
            "NewOrderSingle",
            "app",
            [11, 38, 40, 44, 54, 55],
            # The Parties component is flattened into its group, counted by NoPartyIDs <453>.
            [
                *[11, 18, 38, 40, 44, 54, 55, 100, 59, 126, 117, 21023, 453],
                *[79, 526, 20130, 2964, 21006, 21009],
            ],
        ),
        (
            "8",
            "ExecutionReport",
            "app",
            [6, 11, 14, 17, 37, 38, 39, 54, 55, 150, 151],
            None,
        ),
        ("j", "BusinessMessageReject", "app", [45, 372, 380], [45, 58, 372, 371, 379, 380]),
        (
            "UMS",
            "MarketSettlementReport",
            "app",
            [20105, 55, 715, 20107, 730],
            # Group members are not the message's own fields: 20109 is inside 20108.
            [20105, 55, 715, 20106, 20107, 893, 730, 20108],
        ),
        ("R", "QuoteRequest", "app", [131, 146], [131, 146, 79, 20180, 20181]),
        ("UE", "RFQCancel", "app", [], [131, 21023, 453]),
    ],
)
def test_kalshi_message(
    kalshi: fixwire.Dictionary,
    msg_type: str,
    name: str,
    category: str,
    required: list[int],
    fields: list[int] | None,
) -> None:
    info = kalshi.message(msg_type)
    assert (info.name, info.msg_type, info.category, info.required) == (
        name,
        msg_type,
        category,
        required,
    )
    assert set(info.required) <= set(info.fields)
    if fields is not None:
        assert info.fields == fields


def test_unknown_lookups_raise_key_error(kalshi: fixwire.Dictionary) -> None:
    with pytest.raises(KeyError):
        kalshi.field(9999)
    with pytest.raises(KeyError):
        kalshi.field(0)
    with pytest.raises(KeyError):
        kalshi.tag("NoSuchField")
    with pytest.raises(KeyError):
        kalshi.tag("clordid")  # names are case-sensitive
    with pytest.raises(KeyError):
        kalshi.message("ZZ")
    with pytest.raises(KeyError):
        kalshi.message("d")  # SecurityDefinition is FIX, not Kalshi


# Every example message of kalshi-fix-spec.md (status 2026-08-22), copied verbatim: the spec
# lives outside the repository. Twelve start with MsgType <35>, one is a bare excerpt. `…`
# stands for the header, `<sig>` and `<uuid>` for values; `complete` fills them in.
SPEC_EXAMPLES = {
    "listener_logon": ("§4", "35=A|98=0|108=30|1137=9|20126=Y|21011=Y|96=<sig>"),
    "new_order_single": (
        "§7.1",
        "35=D|…|56=KalshiNR|11=<uuid>|38=10|40=2|54=1|55=HIGHNY-23DEC31|44=75|59=1",
    ),
    "rejected_exchange_paused": ("§7.7", "35=8|150=8|39=8|58=EXCHANGE_PAUSED|103=2"),
    "rejected_insufficient_balance": ("§7.7", "150=8|39=8|58=INSUFFICIENT_BALANCE|103=3"),
    "reject_undefined_tag": ("§8", "35=3|45=5|58=Undefined tag received|371=333333|372=D|373=3"),
    "order_group_create": ("§9", "35=UOG|…|20131=1|20132=5000|79=2"),
    "event_resend_request": ("§10", "35=U1|21001=12345;67890|21002=12350;67895"),
    "market_settlement": (
        "§11",
        "35=UMS|20105=settle-123|55=HIGHNY-23DEC31|715=20231231|20107=yes|730=100.00|20108=1|"
        "20109=user-456|20110=24|704=100|705=0|1703=1|1704=100.00|1705=PAYOUT|136=1|137=0.00|"
        "138=USD|139=4|891=0|893=Y",
    ),
    "quote_request_symbol": ("§12", "35=R|131=client-req-123|146=1|55=HIGHNY-23DEC31|38=100"),
    "quote_request_combo": (
        "§12",
        "35=R|131=client-req-456|146=1|38=100|20180=PARLAY-COLLECTION|20181=2|20182=EVENT1|"
        "20183=MKT1|20184=yes|20182=EVENT2|20183=MKT2|20184=no",
    ),
    "quote_request_to_maker": (
        "§12",
        "35=R|131=server-rfq-456|146=1|55=HIGHNY-23DEC31|38=100|453=1|448=anon-456",
    ),
    "quote": ("§12", "35=S|117=quote-789|131=server-rfq-456|55=HIGHNY-23DEC31|132=75|133=25"),
    "market_data_request": ("§13", "35=V|263=1|146=1|55=KXNBAGAME-26MAY25NYKCLE-NYK"),
}

# Examples that are excerpts, not messages, and why. Each is an ExecutionReport's reject fields
# (the error-handling examples of §7.7); EXECUTION_REPORT_REST makes them whole.
FRAGMENTS = {
    "rejected_exchange_paused": "only the reject fields of an ExecutionReport",
    "rejected_insufficient_balance": "the reject fields alone, without even MsgType <35>=8",
}
EXECUTION_REPORT_REST = (
    "6=0|11=cl-1|14=0.00|17=-1;-1|37=ord-1|38=10.00|54=1|55=HIGHNY-23DEC31|151=0.00"
)
WHOLE_EXAMPLES = [name for name in SPEC_EXAMPLES if name not in FRAGMENTS]


def spec_message(name: str) -> bytes:
    """The spec example called ``name``, completed into a whole message."""
    return complete(SPEC_EXAMPLES[name][1])


HEADER_TAGS = {8, 9, 10, 34, 35, 43, 49, 52, 56, 97, 122}
PLACEHOLDERS = {
    "<sig>": "E5X6i3mlFE1uasNfdJLFBrvogWIp4RK33KcUti5ZBBYAqaXaDt2ygwBix+dQVR9q9oHdR9hlNsyh==",
    "<uuid>": "7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a",
}


def complete(example: str) -> bytes:
    """The example as a whole message: header fields it gives go to the header, the rest of the
    header is filled in (SenderCompID <49> an API key, TargetCompID <56> KalshiNR), then
    BodyLength <9> and CheckSum <10>.
    """
    for placeholder, value in PLACEHOLDERS.items():
        example = example.replace(placeholder, value)
    fields = [f for f in example.split("|") if f != "…"]
    header = {
        49: "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10",
        56: "KalshiNR",
        34: "2",
        52: "20260820-14:30:05.123",
    }
    body = []
    for field in fields[1:]:
        tag, value = field.split("=", 1)
        if int(tag) in header:
            header[int(tag)] = value
        else:
            body.append(field)
    head = fields[0] + "|" + "".join(f"{tag}={value}|" for tag, value in header.items())
    return frame(head + "".join(f + "|" for f in body))


def body_of(msg: fixwire.Message) -> list[str]:
    """The message's non-header, non-trailer fields as ``tag=value``."""
    return [f"{tag}={value}" for tag, value in msg if tag not in HEADER_TAGS]


@pytest.mark.parametrize("name", WHOLE_EXAMPLES)
def test_spec_example_parses_and_validates(kalshi: fixwire.Dictionary, name: str) -> None:
    data = spec_message(name)
    msg = fixwire.parse(data, dictionary=kalshi)
    kalshi.validate(msg)
    # Completing changed nothing but the header: the body is the example's, in its order.
    example = SPEC_EXAMPLES[name][1]
    for placeholder, value in PLACEHOLDERS.items():
        example = example.replace(placeholder, value)
    given = [f for f in example.split("|") if f != "…" and int(f.split("=")[0]) not in HEADER_TAGS]
    assert body_of(msg) == given, bar(data)


@pytest.mark.parametrize("name", list(FRAGMENTS))
def test_spec_fragment_is_an_excerpt_of_an_execution_report(
    kalshi: fixwire.Dictionary, name: str
) -> None:
    fragment = SPEC_EXAMPLES[name][1]
    if not fragment.startswith("35="):
        fragment = "35=8|" + fragment
    as_given = fixwire.parse(complete(fragment), dictionary=kalshi)
    with pytest.raises(fixwire.RejectError) as caught:
        kalshi.validate(as_given)
    # The first required field of the layout that is missing: AvgPx <6>.
    assert (caught.value.reject_reason, caught.value.ref_tag_id) == (1, 6)
    given = {int(f.split("=")[0]) for f in fragment.split("|")}
    missing = set(kalshi.message("8").required) - given
    assert missing == {int(f.split("=")[0]) for f in EXECUTION_REPORT_REST.split("|")}
    whole = fixwire.parse(complete(fragment + "|" + EXECUTION_REPORT_REST), dictionary=kalshi)
    kalshi.validate(whole)


# Group specs come from the dictionary.


def test_parties_group(kalshi: fixwire.Dictionary) -> None:
    data = build("D", "11=a|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|453=1|448=sub-1|452=24|")
    msg = fixwire.parse(data, dictionary=kalshi)
    (party,) = msg.group(453)
    assert (party[448], party.get_int(452)) == ("sub-1", 24)
    # Parsed without a dictionary, the message has no spec for the group.
    with pytest.raises(KeyError):
        fixwire.parse(data).group(453)


def test_settlement_groups_nest(kalshi: fixwire.Dictionary) -> None:
    msg = fixwire.parse(spec_message("market_settlement"), dictionary=kalshi)
    (party,) = msg.group(20108)
    assert (party[20109], party[20110], party[704], party[705]) == ("user-456", "24", "100", "0")
    (collateral,) = party.group(1703)
    assert (collateral[1704], collateral[1705]) == ("100.00", "PAYOUT")
    (fee,) = party.group(136)
    assert [fee[137], fee[138], fee[139], fee[891]] == ["0.00", "USD", "4", "0"]
    assert 893 not in party
    assert msg[893] == "Y"


def test_settlement_groups_two_parties(kalshi: fixwire.Dictionary) -> None:
    msg = fixwire.parse(corpus_message("kalshi_market_settlement_two_parties"), dictionary=kalshi)
    first, second = msg.group(20108)
    assert [c[1705] for c in first.group(1703)] == ["PAYOUT", "BALANCE"]
    assert [c[1705] for c in second.group(1703)] == ["PAYOUT"]
    assert [f[137] for f in first.group(136)] == ["0.0040"]
    assert [f[137] for f in second.group(136)] == ["-0.0030"]


def test_quote_request_entries_start_with_symbol_or_quantity(kalshi: fixwire.Dictionary) -> None:
    symbol = fixwire.parse(spec_message("quote_request_symbol"), dictionary=kalshi)
    (entry,) = symbol.group(146)
    assert list(entry) == [(55, "HIGHNY-23DEC31"), (38, "100")]

    combo = fixwire.parse(spec_message("quote_request_combo"), dictionary=kalshi)
    (entry,) = combo.group(146)
    assert list(entry) == [(38, "100")]
    legs = combo.group(20181)
    assert [(leg[20182], leg[20183], leg[20184]) for leg in legs] == [
        ("EVENT1", "MKT1", "yes"),
        ("EVENT2", "MKT2", "no"),
    ]

    to_maker = fixwire.parse(spec_message("quote_request_to_maker"), dictionary=kalshi)
    (entry,) = to_maker.group(146)
    assert [p[448] for p in entry.group(453)] == ["anon-456"]

    cash = fixwire.parse(corpus_message("kalshi_quote_request_combo_cash"), dictionary=kalshi)
    (entry,) = cash.group(146)
    assert next(iter(entry))[0] == 152


def test_group_specs_are_per_message_type(kalshi: fixwire.Dictionary) -> None:
    # NoMDEntries <268> is delimited by MDEntryType <269> in W and MDUpdateAction <279> in X.
    snapshot = fixwire.parse(corpus_message("kalshi_market_data_snapshot"), dictionary=kalshi)
    assert {next(iter(e))[0] for e in snapshot.group(268)} == {269}
    incremental = fixwire.parse(corpus_message("kalshi_market_data_incremental"), dictionary=kalshi)
    assert {next(iter(e))[0] for e in incremental.group(268)} == {279}
    # NoRelatedSym <146> of V has Symbol <55> alone.
    request = fixwire.parse(spec_message("market_data_request"), dictionary=kalshi)
    assert [list(e) for e in request.group(146)] == [[(55, "KXNBAGAME-26MAY25NYKCLE-NYK")]]


def test_groups_property_drives_parse_and_framer(kalshi: fixwire.Dictionary) -> None:
    data = corpus_message("kalshi_exec_report_trade")
    by_dictionary = fixwire.parse(data, dictionary=kalshi)
    by_specs = fixwire.parse(data, groups=kalshi.groups)
    (framed,) = fixwire.Framer(groups=kalshi.groups).feed(data)
    for msg in (by_dictionary, by_specs, framed):
        assert [c[1705] for c in msg.group(1703)] == ["BALANCE", "PAYOUT"]
        assert [f[137] for f in msg.group(136)] == ["0.2800"]


def test_fix50sp2_nested_parties(fix50sp2: fixwire.Dictionary) -> None:
    data = build(
        "D",
        "11=a|453=1|448=p|447=D|452=3|802=2|523=s1|803=2|523=s2|803=4|55=MSFT|54=1|"
        "60=20260820-14:30:05.123|38=100|40=2|",
    )
    msg = fixwire.parse(data, dictionary=fix50sp2)
    fix50sp2.validate(msg)
    (party,) = msg.group(453)
    assert [(s[523], s[803]) for s in party.group(802)] == [("s1", "2"), ("s2", "4")]
    assert msg[55] == "MSFT"


# format and pretty.


def test_format_one_line_per_field_with_names_and_meanings(kalshi: fixwire.Dictionary) -> None:
    msg = fixwire.parse(spec_message("new_order_single"), dictionary=kalshi)
    text = kalshi.format(msg)
    assert text == msg.pretty(kalshi)
    lines = text.splitlines()
    assert len(lines) == len(msg)
    assert lines[2] == "   35 MsgType                      = D (NEW_ORDER_SINGLE)"
    assert "   54 Side                         = 1 (BUY_YES)" in lines
    assert "   59 TimeInForce                  = 1 (GOOD_TILL_CANCEL)" in lines
    # No meaning for a value that is not enumerated.
    assert "   55 Symbol                       = HIGHNY-23DEC31" in lines
    assert lines[-1].startswith("   10 CheckSum                     = ")


def test_format_indents_nested_groups(kalshi: fixwire.Dictionary) -> None:
    data = spec_message("market_settlement")
    # The dictionary finds the groups itself: the message need not be parsed with them.
    for msg in (fixwire.parse(data), fixwire.parse(data, dictionary=kalshi)):
        lines = kalshi.format(msg).splitlines()
        assert "20108 NoMarketSettlementPartyIDs   = 1" in lines
        assert "  20109 MarketSettlementPartyID    = user-456" in lines
        assert "  20110 MarketSettlementPartyRole  = 24 (CUSTOMER_ACCOUNT)" in lines
        assert "   1703 NoCollateralAmountChanges  = 1" in lines
        assert "     1704 CollateralAmountChange   = 100.00" in lines
        assert "      139 MiscFeeType              = 4 (EXCHANGE_FEES)" in lines
        # Back to the body after the group.
        assert "  893 LastFragment                 = Y" in lines


def test_format_marks_undefined_tags(kalshi: fixwire.Dictionary) -> None:
    msg = fixwire.parse(build("0", "9999=x|"))
    assert " 9999 ?                            = x" in kalshi.format(msg).splitlines()


def test_format_and_validate_need_a_whole_message(kalshi: fixwire.Dictionary) -> None:
    msg = fixwire.parse(spec_message("market_settlement"), dictionary=kalshi)
    (party,) = msg.group(20108)
    with pytest.raises(TypeError):
        kalshi.format(party)
    with pytest.raises(TypeError):
        kalshi.validate(party)


# validate options and the RejectError.


def test_reject_error_names_the_fault(kalshi: fixwire.Dictionary) -> None:
    msg = fixwire.parse(build("D", "11=a|38=10|40=2|54=1|55=HIGHNY-23DEC31|"), dictionary=kalshi)
    with pytest.raises(fixwire.RejectError) as caught:
        kalshi.validate(msg)
    error = caught.value
    assert isinstance(error, fixwire.FixError)
    assert (error.reject_reason, error.ref_tag_id, error.ref_msg_type) == (1, 44, "D")
    assert "Price <44>" in error.text
    assert str(error) == f"{error.text} (SessionRejectReason 1)"


def test_allow_user_defined(kalshi: fixwire.Dictionary) -> None:
    order = "11=a|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|"
    user = fixwire.parse(build("D", order + "9999=x|"), dictionary=kalshi)
    with pytest.raises(fixwire.RejectError) as caught:
        kalshi.validate(user)
    assert (caught.value.reject_reason, caught.value.ref_tag_id) == (3, 9999)
    kalshi.validate(user, allow_user_defined=True)
    # The user-defined range starts at 5000.
    for tag, allowed in ((4999, False), (5000, True)):
        msg = fixwire.parse(build("D", order + f"{tag}=x|"), dictionary=kalshi)
        if allowed:
            kalshi.validate(msg, allow_user_defined=True)
        else:
            with pytest.raises(fixwire.RejectError, match="4999"):
                kalshi.validate(msg, allow_user_defined=True)
    # Only undefined tags are let through: Kalshi's own tags keep their place.
    misplaced = fixwire.parse(build("D", order + "21015=Y|"), dictionary=kalshi)
    with pytest.raises(fixwire.RejectError) as caught:
        kalshi.validate(misplaced, allow_user_defined=True)
    assert (caught.value.reject_reason, caught.value.ref_tag_id) == (2, 21015)
    # A user-defined tag cannot stand inside a group entry: it ends the entry, and the member
    # after it is then out of place.
    inside = fixwire.parse(build("D", order + "453=1|448=p|9999=x|452=24|"), dictionary=kalshi)
    with pytest.raises(fixwire.RejectError) as caught:
        kalshi.validate(inside, allow_user_defined=True)
    assert (caught.value.reject_reason, caught.value.ref_tag_id) == (2, 452)


def test_load_errors_are_fix_errors_with_a_line() -> None:
    with pytest.raises(fixwire.DictionaryError) as caught:
        fixwire.Dictionary.from_xml("<fix><fields><field number='x'/></fields>\n</fix>")
    assert isinstance(caught.value, fixwire.FixError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.line == 1


@pytest.mark.parametrize(
    "name", ["FIX40", "FIX41", "FIX42", "FIX43", "FIX44", "FIX50", "FIX50SP1", "FIX50SP2"]
)
def test_every_quickfix_dictionary_loads(quickfix_spec: Path, name: str) -> None:
    """QuickFIX's own dictionaries all load, FIX50.xml too, whose NoLegs <555> groups list members
    twice: as QuickFIX does, the second listing is ignored, and the dictionary says so.
    """
    transport = quickfix_spec / "FIXT11.xml" if name.startswith("FIX5") else None
    d = fixwire.Dictionary.from_xml(quickfix_spec / f"{name}.xml", transport)
    if name == "FIX50":
        assert any("group NoLegs lists member 1017 twice" in w for w in d.warnings)
        assert all("group NoLegs lists member" in w for w in d.warnings), d.warnings
    else:
        assert d.warnings == []
