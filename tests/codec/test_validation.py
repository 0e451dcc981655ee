"""Dictionary.validate against the shared table (``tests/data/validation.txt``) and QuickFIX.

Every row of the table goes through fixwire (``parse`` with the dictionary's groups, then
``validate``) and through QuickFIX 1.16's ``DataDictionary`` loaded from the same kalshi.xml.
fixwire must give the row's SessionRejectReason <373>; QuickFIX must accept exactly the valid
rows and reject every other one, with the same reason except for the differences listed in
:data:`KNOWN_DIFFERENCES`. A few FIX50SP2 messages get the same treatment with QuickFIX's own
FIXT11.xml and FIX50SP2.xml, and :data:`QUICKFIX_MISSES` records faults QuickFIX does not see.
"""

import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
import quickfix

import fixwire
from fixtext import DATA_DIR, KALSHI_XML, ValidationEntry, bar, build, frame, load_validation

# fixwire checks repeating groups (and a few other things) while parsing, before validate sees
# the message; these DecodeError kinds carry the SessionRejectReason a counterparty answers.
REASON_OF_DECODE_KIND = {
    "tag_not_integer": 0,
    "empty_value": 4,
    "invalid_value": 6,
    "group_order": 15,
    "bad_group_count": 16,
}

# QuickFIX's validation exceptions and the SessionRejectReason <373> each stands for.
REASON_OF_QUICKFIX_ERROR: dict[type[Exception], int] = {
    quickfix.InvalidTagNumber: 0,
    quickfix.RequiredTagMissing: 1,
    quickfix.TagNotDefinedForMessage: 2,
    quickfix.NoTagValue: 4,
    quickfix.IncorrectTagValue: 5,
    quickfix.IncorrectDataFormat: 6,
    quickfix.InvalidMessageType: 11,
    quickfix.RepeatedTag: 13,
    quickfix.TagOutOfOrder: 14,
    quickfix.RepeatingGroupCountMismatch: 16,
}

# Where QuickFIX 1.16 rejects with another reason than FIX (and fixwire) give: row -> QuickFIX's
# reason. Two known causes:
# * An undefined tag: FIX says 3 (Undefined tag); QuickFIX's DataDictionary::checkValidTagNumber
#   throws InvalidTagNumber (0) for any tag its dictionary lacks.
# * QuickFIX has no group-order check (there is no exception for reason 15): Message::setGroup
#   starts a new entry at the delimiter and at any member met before it, so a member placed
#   before the delimiter makes an extra entry (16, count mismatch) or an entry that lacks its
#   required delimiter (1).
# * QuickFIX does not count the entries of a header group: NoHops <627> with too few passes
#   (None: accepted).
KNOWN_DIFFERENCES: dict[str, int | None] = {
    "new_order_single_undefined_tag_333333": 0,
    "execution_report_undefined_user_tag": 0,
    "heartbeat_undefined_tag_below_user_range": 0,
    "fix50sp2_undefined_user_tag": 0,
    "new_order_single_party_role_before_party_id": 16,
    "market_settlement_party_role_before_party_id": 16,
    "fix50sp2_hops_count_2": None,
    "market_data_incremental_entry_type_first": 1,
    "quote_request_qty_before_symbol": 16,
    "fix50sp2_party_role_before_party_id": 16,
}

TABLE = load_validation()

Outcome = tuple[int | None, int | None]
"""A validation result: ``(SessionRejectReason, tag)``, ``(None, None)`` when accepted."""


def fixwire_outcome(
    dictionary: fixwire.Dictionary, data: bytes, *, allow_user_defined: bool = False
) -> Outcome:
    """What fixwire says of ``data``: parse with the dictionary's groups, then validate."""
    try:
        msg = fixwire.parse(data, dictionary=dictionary)
    except fixwire.DecodeError as e:
        if e.kind not in REASON_OF_DECODE_KIND:
            raise
        return REASON_OF_DECODE_KIND[e.kind], e.tag
    try:
        dictionary.validate(msg, allow_user_defined=allow_user_defined)
    except fixwire.RejectError as e:
        return e.reject_reason, e.ref_tag_id
    return None, None


def quickfix_outcome(data: bytes, session: Any, app: Any | None = None) -> Outcome:
    """What QuickFIX says of ``data``, validating as its Session does.

    With one dictionary (``app`` None) it serves both roles. For FIXT.1.1 with two, admin
    messages are validated with the session dictionary alone and application messages with
    both (QuickFIX's Session::verify).
    """
    try:
        if app is None:
            msg = quickfix.Message(data.decode(), session, True)
            session.validate(msg)
        else:
            msg = quickfix.Message(data.decode(), session, app, True)
            if msg.isAdmin():
                session.validate(msg)
            else:
                quickfix.DataDictionary.validate(msg, session, app)
    except tuple(REASON_OF_QUICKFIX_ERROR) as e:
        # InvalidMessageType has no field attribute.
        return REASON_OF_QUICKFIX_ERROR[type(e)], getattr(e, "field", None)
    return None, None


def assert_same_tag(reason: int, ours: int | None, theirs: int | None) -> None:
    """Fixwire's RefTagID <371> is the tag QuickFIX's exception names, but where it has none."""
    if reason == 11:
        # QuickFIX's InvalidMessageType carries no tag; fixwire names MsgType <35>.
        assert (ours, theirs) == (35, None)
    elif reason == 0:
        # A tag that is not a number: fixwire's DecodeError has no tag to give.
        assert ours is None
    else:
        assert ours == theirs


@pytest.fixture(scope="module")
def kalshi_quickfix() -> Any:
    """QuickFIX's DataDictionary for the bundled kalshi.xml."""
    return quickfix.DataDictionary(str(KALSHI_XML))


# The table itself.


def test_validation_table_is_reproducible() -> None:
    script = DATA_DIR / "make_validation.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_validation_table_coverage(kalshi: fixwire.Dictionary) -> None:
    names = Counter(e.name for e in TABLE)
    assert [name for name, n in names.items() if n > 1] == []
    reasons = Counter(e.reason for e in TABLE)
    # Every reason at least twice, every MsgType of the dictionary in a valid message.
    twice = {r for r, n in reasons.items() if n >= 2}
    assert twice >= {None, 0, 1, 2, 3, 4, 5, 6, 11, 13, 14, 15, 16}
    valid_types = {fixwire.parse(e.data).msg_type for e in TABLE if e.reason is None}
    assert valid_types == set(kalshi.msg_types())


def test_known_differences_are_differences() -> None:
    expected = {e.name: e.reason for e in TABLE} | {
        name: reason for name, reason, _ in FIX50SP2_ROWS
    }
    for name, theirs in KNOWN_DIFFERENCES.items():
        assert name in expected, name
        assert expected[name] not in (None, theirs), name


@pytest.mark.parametrize("entry", TABLE, ids=[e.name for e in TABLE])
def test_fixwire_gives_the_table_reason(kalshi: fixwire.Dictionary, entry: ValidationEntry) -> None:
    reason, tag = fixwire_outcome(kalshi, entry.data)
    assert reason == entry.reason, f"{bar(entry.data)}: tag {tag}"
    if reason is not None and reason not in REASON_OF_DECODE_KIND.values():
        # A RejectError from validate refers to the message's MsgType <35>.
        with pytest.raises(fixwire.RejectError) as caught:
            kalshi.validate(fixwire.parse(entry.data, dictionary=kalshi))
        assert caught.value.ref_msg_type == fixwire.parse(entry.data).msg_type


def fused_outcome(
    dictionary: fixwire.Dictionary, data: bytes, *, allow_user_defined: bool
) -> Outcome:
    """What ``parse(..., validate=True)`` says of ``data``."""
    try:
        fixwire.parse(
            data, dictionary=dictionary, validate=True, allow_user_defined=allow_user_defined
        )
    except fixwire.DecodeError as e:
        return REASON_OF_DECODE_KIND[e.kind], e.tag
    except fixwire.RejectError as e:
        return e.reject_reason, e.ref_tag_id
    return None, None


@pytest.mark.parametrize("allow_user_defined", [False, True])
def test_parse_validate_agrees_with_validate(allow_user_defined: bool) -> None:
    """One call or two, a fresh dictionary or one that has seen every row: the same answers.

    The dictionary remembers the shapes of messages it accepted (see ``compiled.rs``); the
    second pass over the table meets them remembered, the first mostly not.
    """
    dictionary = fixwire.Dictionary.from_xml(KALSHI_XML)
    expected = [
        fixwire_outcome(dictionary, e.data, allow_user_defined=allow_user_defined) for e in TABLE
    ]
    for _ in range(2):
        fused = [
            fused_outcome(dictionary, e.data, allow_user_defined=allow_user_defined) for e in TABLE
        ]
        assert fused == expected
    assert expected.count((None, None)) > 10


def test_parse_validate_needs_a_dictionary() -> None:
    with pytest.raises(ValueError, match="needs a dictionary"):
        fixwire.parse(TABLE[0].data, validate=True)


@pytest.mark.parametrize("entry", TABLE, ids=[e.name for e in TABLE])
def test_quickfix_agrees(
    kalshi: fixwire.Dictionary, kalshi_quickfix: Any, entry: ValidationEntry
) -> None:
    theirs, their_tag = quickfix_outcome(entry.data, kalshi_quickfix)
    assert theirs == KNOWN_DIFFERENCES.get(entry.name, entry.reason), bar(entry.data)
    ours, our_tag = fixwire_outcome(kalshi, entry.data)
    if theirs is not None and theirs == ours:
        assert_same_tag(theirs, our_tag, their_tag)


# Faults QuickFIX 1.16 does not see, so the table cannot hold them (QuickFIX would accept):
# DataDictionary::iterate checks formats and values of top-level fields only, not inside
# groups, and checkHasRequired checks a group's required members only when the group itself is
# required; nested NumInGroup counts are not compared; LOCALMKTDATE is not checked at all, and
# UTCTIMESTAMP/UTCTIMEONLY take any fraction length and any day of the month. fixwire rejects
# each, as FIX says.
SETTLEMENT = "20105=s-1|55=HIGHNY-23DEC31|715=20231231|20107=yes|730=100.00|"
ORDER = "11=a|38=10|40=2|44=75|54=1|55=HIGHNY-23DEC31|"
QUICKFIX_MISSES = [
    ("party_role_not_a_value", 5, build("D", ORDER + "453=1|448=p|452=99|")),
    ("party_role_not_an_int", 6, build("D", ORDER + "453=1|448=p|452=x|")),
    ("settlement_party_without_role", 1, build("UMS", SETTLEMENT + "20108=1|20109=p|")),
    (
        "settlement_collateral_count_too_high",
        16,
        build("UMS", SETTLEMENT + "20108=1|20109=p|20110=24|1703=2|1704=1|1705=PAYOUT|"),
    ),
    (
        "settlement_collateral_type_not_a_value",
        5,
        build("UMS", SETTLEMENT + "20108=1|20109=p|20110=24|1703=1|1704=1|1705=CASH|"),
    ),
    (
        "market_data_entry_fields_out_of_order",
        15,
        build("X", "268=1|279=0|269=0|55=HIGHNY-23DEC31|270=0.75|"),
    ),
    (
        "market_data_entry_time_without_seconds",
        6,
        build("W", "55=HIGHNY-23DEC31|268=1|269=0|270=0.75|273=14:30|"),
    ),
    (
        "clearing_business_date_with_dashes",
        6,
        build("UMS", SETTLEMENT.replace("715=20231231", "715=2023-12-31")),
    ),
    ("expire_time_four_fraction_digits", 6, build("D", ORDER + "59=6|126=20260820-14:30:05.1234|")),
    ("expire_time_february_30", 6, build("D", ORDER + "59=6|126=20260230-14:30:05|")),
    (
        "sending_time_two_fraction_digits",
        6,
        build("0", time="20260820-14:30:05.12"),
    ),
]


@pytest.mark.parametrize(
    ("reason", "data"), [m[1:] for m in QUICKFIX_MISSES], ids=[m[0] for m in QUICKFIX_MISSES]
)
def test_quickfix_misses(
    kalshi: fixwire.Dictionary, kalshi_quickfix: Any, reason: int, data: bytes
) -> None:
    assert fixwire_outcome(kalshi, data)[0] == reason, bar(data)
    assert quickfix_outcome(data, kalshi_quickfix) == (None, None)


def test_allow_user_defined_is_quickfix_check_user_defined_fields_off(
    kalshi: fixwire.Dictionary,
) -> None:
    lenient = quickfix.DataDictionary(str(KALSHI_XML))
    lenient.checkUserDefinedFields(False)
    user = build("D", ORDER + "9999=x|")
    assert fixwire_outcome(kalshi, user, allow_user_defined=True) == (None, None)
    assert quickfix_outcome(user, lenient) == (None, None)
    # Below 5000 a tag is not user-defined: both still reject it (with their usual reasons).
    standard = build("D", ORDER + "4999=x|")
    assert fixwire_outcome(kalshi, standard, allow_user_defined=True) == (3, 4999)
    assert quickfix_outcome(standard, lenient) == (0, 4999)


# FIX50SP2 with QuickFIX's own FIXT11.xml (session) and FIX50SP2.xml (application).
ORDER_REST = "55=MSFT|54=1|60=20260820-14:30:05.123|38=100|40=2|"
NOS = "11=a|" + ORDER_REST
FIX50SP2_ROWS = [
    ("fix50sp2_logon", None, build("A", "98=0|108=30|1137=9|", seq=1)),
    ("fix50sp2_heartbeat", None, build("0", "112=t|")),
    ("fix50sp2_new_order_single", None, build("D", NOS + "44=10.5|")),
    (
        "fix50sp2_new_order_single_nested_parties",
        None,
        build("D", "11=a|453=1|448=p|447=D|452=3|802=1|523=s|803=2|" + ORDER_REST),
    ),
    (
        "fix50sp2_execution_report",
        None,
        build(
            "8",
            "37=o|17=e|150=F|39=2|55=MSFT|54=1|38=100|32=100|31=10|151=0|14=100|6=10|"
            "60=20260820-14:30:05.123|",
        ),
    ),
    (
        "fix50sp2_market_data_snapshot",
        None,
        build("W", "55=MSFT|779=20260820-14:30:05.123|268=2|269=0|270=10|271=100|269=1|270=10.5|"),
    ),
    (
        "fix50sp2_market_data_request",
        None,
        build("V", "262=r|263=1|264=0|267=2|269=0|269=1|146=1|55=MSFT|"),
    ),
    # NoHops <627>, a header group of FIXT11.xml, at the end of the header and inside it.
    (
        "fix50sp2_heartbeat_with_hops",
        None,
        frame("35=0|49=CLIENT|56=KalshiNR|34=2|52=20260820-14:30:05.123|627=1|628=H|112=t|"),
    ),
    (
        "fix50sp2_heartbeat_with_hops_mid_header",
        None,
        frame("35=0|49=CLIENT|56=KalshiNR|627=2|628=H|628=I|34=2|52=20260820-14:30:05.123|"),
    ),
    ("fix50sp2_logon_missing_heart_bt_int", 1, build("A", "98=0|1137=9|", seq=1)),
    (
        "fix50sp2_new_order_single_missing_transact_time",
        1,
        build("D", "11=a|55=MSFT|54=1|38=100|40=2|"),
    ),
    ("fix50sp2_heartbeat_with_text", 2, build("0", "58=x|")),
    ("fix50sp2_undefined_user_tag", 3, build("D", NOS + "9999=x|")),
    ("fix50sp2_side_not_a_value", 5, build("D", NOS.replace("54=1", "54=Z"))),
    ("fix50sp2_order_qty_word", 6, build("D", NOS.replace("38=100", "38=x"))),
    ("fix50sp2_msg_type_zzz", 11, build("ZZZ", "58=x|")),
    ("fix50sp2_cl_ord_id_twice", 13, build("D", NOS + "11=b|")),
    (
        "fix50sp2_sending_time_after_body",
        14,
        frame("35=D|49=CLIENT|56=KalshiNR|34=1|" + NOS + "52=20260820-14:30:05.123|"),
    ),
    ("fix50sp2_party_role_before_party_id", 15, build("D", "11=a|453=1|452=3|448=p|" + ORDER_REST)),
    ("fix50sp2_parties_count_2", 16, build("D", "11=a|453=2|448=p|452=3|" + ORDER_REST)),
    (
        "fix50sp2_hops_count_2",
        16,
        frame("35=0|49=CLIENT|56=KalshiNR|34=2|52=20260820-14:30:05.123|627=2|628=H|"),
    ),
    # SessionStatus <1409> has values 0-8 in FIXT11.xml and 0-10 in FIX50SP2.xml. A Logon is a
    # transport message: QuickFIX checks it with FIXT11.xml alone.
    ("fix50sp2_logon_session_status_9", 5, build("A", "98=0|108=30|1137=9|1409=9|", seq=1)),
]


@pytest.mark.parametrize(
    ("name", "expected", "data"), FIX50SP2_ROWS, ids=[row[0] for row in FIX50SP2_ROWS]
)
def test_fix50sp2_fixwire_and_quickfix(
    fix50sp2: fixwire.Dictionary,
    quickfix_fix50sp2: tuple[Any, Any],
    name: str,
    expected: int | None,
    data: bytes,
) -> None:
    ours, our_tag = fixwire_outcome(fix50sp2, data)
    theirs, their_tag = quickfix_outcome(data, *quickfix_fix50sp2)
    assert (ours, theirs) == (expected, KNOWN_DIFFERENCES.get(name, expected)), bar(data)
    if expected is not None and theirs == expected:
        assert_same_tag(expected, our_tag, their_tag)
