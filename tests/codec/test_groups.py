"""Repeating groups: GroupSpec / GroupSpecs, Message.group, and group checks at parse time."""

import subprocess
import sys
from decimal import Decimal

import pytest

import fixwire
from fixtext import build

PARTIES = fixwire.GroupSpec(453, [448, 452])
COLLATERAL = fixwire.GroupSpec(1703, [1704, 1705])
FEES = fixwire.GroupSpec(136, [137, 138, 139, 891])
SETTLEMENT_PARTIES = fixwire.GroupSpec(20108, [20109, 20110, 704, 705, COLLATERAL, FEES])
RFQ_SYMBOLS = fixwire.GroupSpec(146, [55, 38, 152, 21015, 21016, PARTIES], delimiters=[55, 38, 152])


def test_group_spec_exposes_count_tag() -> None:
    assert PARTIES.count_tag == 453
    assert SETTLEMENT_PARTIES.count_tag == 20108
    assert RFQ_SYMBOLS.count_tag == 146


# The Kalshi specs on the documented messages.


def test_market_settlement_nested_groups(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_market_settlement"], groups=kalshi_groups)
    (party,) = msg.group(20108)
    assert party[20109] == "user-456"
    assert party.get_int(20110) == 24
    assert party.get_decimal(704) == Decimal("100")
    assert party.get_decimal(705) == Decimal("0")
    (collateral,) = party.group(1703)
    assert collateral.get_decimal(1704) == Decimal("100.00")
    assert collateral[1705] == "PAYOUT"
    (fee,) = party.group(136)
    assert [fee[137], fee[138], fee[139], fee[891]] == ["0.00", "USD", "4", "0"]
    # Body fields after the group are not part of the last entry.
    assert 893 not in party
    assert 893 not in fee
    assert msg.get_bool(893) is True


def test_market_settlement_two_parties(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_market_settlement_two_parties"], groups=kalshi_groups)
    first, second = msg.group(20108)
    assert [first[20109], second[20109]] == ["user-456", "user-789"]
    assert [c[1705] for c in first.group(1703)] == ["PAYOUT", "BALANCE"]
    assert [c[1705] for c in second.group(1703)] == ["PAYOUT"]
    assert first.group(136)[0].get_decimal(137) == Decimal("0.0040")
    assert second.group(136)[0].get_decimal(137) == Decimal("-0.0030")
    # An entry sees only its own fields: the second party's 704 is not the first one's.
    assert first.get_all(704) == ["10.00"]
    assert second.get_all(704) == ["0.00"]
    assert second.get_all(1704) == ["3.47"]
    assert msg.get_all(20109) == ["user-456", "user-789"]


def test_group_entry_iterates_its_own_fields_in_wire_order(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_market_settlement"], groups=kalshi_groups)
    (party,) = msg.group(20108)
    assert list(party) == [
        (20109, "user-456"),
        (20110, "24"),
        (704, "100"),
        (705, "0"),
        (1703, "1"),
        (1704, "100.00"),
        (1705, "PAYOUT"),
        (136, "1"),
        (137, "0.00"),
        (138, "USD"),
        (139, "4"),
        (891, "0"),
    ]
    assert len(party) == 12
    (collateral,) = party.group(1703)
    assert list(collateral) == [(1704, "100.00"), (1705, "PAYOUT")]
    assert len(collateral) == 2


def test_group_entry_shares_the_enclosing_message(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    data = corpus["kalshi_market_settlement"]
    msg = fixwire.parse(data, groups=kalshi_groups)
    (party,) = msg.group(20108)
    assert party.raw is data
    assert party.msg_type == "UMS"
    assert 20105 not in party


def test_execution_report_groups(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_exec_report_trade"], groups=kalshi_groups)
    (fee,) = msg.group(136)
    assert fee.get_decimal(137) == Decimal("0.2800")
    assert fee[138] == "USD"
    (party,) = msg.group(453)
    assert party[448] == "e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9"
    assert party.get_int(452) == 24
    balance, payout = msg.group(1703)
    assert balance.get_decimal(1704) == Decimal("-16.8000")
    assert balance[1705] == "BALANCE"
    assert payout.get_decimal(1704) == Decimal("40.00")
    assert payout[1705] == "PAYOUT"
    assert 79 not in party


def test_quote_request_by_symbol_delimits_on_55(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_quote_request_fcm"], groups=kalshi_groups)
    (entry,) = msg.group(146)
    assert entry[55] == "HIGHNY-23DEC31"
    assert entry.get_decimal(38) == Decimal("12.50")
    assert entry[21015] == "Y"
    assert entry[21016] == "Y"
    (party,) = entry.group(453)
    assert party[448] == "e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9"
    assert 79 not in entry
    assert msg.get_int(79) == 1


def test_quote_request_combo_delimits_on_38(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_quote_request_combo"], groups=kalshi_groups)
    (entry,) = msg.group(146)
    assert list(entry) == [(38, "100")]
    assert msg[20180] == "PARLAY-COLLECTION"
    legs = msg.group(20181)
    assert [(leg[20182], leg[20183], leg[20184]) for leg in legs] == [
        ("EVENT1", "MKT1", "yes"),
        ("EVENT2", "MKT2", "no"),
    ]


def test_quote_request_cost_sized_combo_delimits_on_152(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_quote_request_combo_cash"], groups=kalshi_groups)
    (entry,) = msg.group(146)
    assert list(entry) == [(152, "25.00"), (21015, "N")]
    assert len(msg.group(20181)) == 3


def test_quote_request_to_maker_nests_parties(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_quote_request_to_maker"], groups=kalshi_groups)
    (entry,) = msg.group(146)
    assert entry[55] == "HIGHNY-23DEC31"
    assert [p[448] for p in entry.group(453)] == ["anon-456"]


def test_market_data_groups_depend_on_msg_type(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    snapshot = fixwire.parse(corpus["kalshi_market_data_snapshot"], groups=kalshi_groups)
    levels = snapshot.group(268)
    assert [(lv[269], lv.get_decimal(270)) for lv in levels] == [
        ("0", Decimal("0.4500")),
        ("0", Decimal("0.4400")),
        ("1", Decimal("0.4700")),
    ]
    incremental = fixwire.parse(corpus["kalshi_market_data_incremental"], groups=kalshi_groups)
    updates = incremental.group(268)
    assert [u[279] for u in updates] == ["1", "2", "0"]
    assert [u.get(2446) for u in updates] == [None, None, "1"]
    assert updates[2][55] == "KXNBAGAME-26MAY25NYKCLE-NYK"


def test_market_data_request_symbols(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_market_data_request"], groups=kalshi_groups)
    assert [s[55] for s in msg.group(146)] == ["KXNBAGAME-26MAY25NYKCLE-NYK", "HIGHNY-23DEC31"]


def test_quote_request_reject_offending_legs(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_quote_request_reject_combo"], groups=kalshi_groups)
    assert [leg[20186] for leg in msg.group(20185)] == ["MKT1", "MKT2"]


def test_group_absent_from_message_is_empty(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["kalshi_new_order_single"], groups=kalshi_groups)
    assert msg.group(453) == []


def test_group_without_spec_raises_key_error(corpus: dict[str, bytes]) -> None:
    msg = fixwire.parse(corpus["kalshi_market_settlement"])
    with pytest.raises(KeyError):
        msg.group(20108)


def test_group_of_tag_without_spec_raises_key_error(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus["fix44_execution_report_fill"], groups=kalshi_groups)
    with pytest.raises(KeyError):
        msg.group(382)


# Custom specs.


def test_custom_specs_for_every_message_type() -> None:
    specs = fixwire.GroupSpecs([PARTIES])
    msg = fixwire.parse(build("D", "11=a|453=2|448=p1|452=24|448=p2|452=3|38=1|"), groups=specs)
    assert [(p[448], p.get_int(452)) for p in msg.group(453)] == [("p1", 24), ("p2", 3)]
    assert msg.get_int(38) == 1


def test_custom_spec_added_for_some_message_types_only() -> None:
    specs = fixwire.GroupSpecs()
    specs.add(fixwire.GroupSpec(268, [269, 270, 271]), msg_types=["W"])
    specs.add(fixwire.GroupSpec(268, [279, 55, 269, 270]), msg_types=["X"])
    snapshot = fixwire.parse(
        build("W", "55=S|268=2|269=0|270=0.45|271=1|269=1|270=0.47|271=2|"), groups=specs
    )
    assert [e[269] for e in snapshot.group(268)] == ["0", "1"]
    update = fixwire.parse(build("X", "268=2|279=0|55=S|269=0|279=2|55=S|269=1|"), groups=specs)
    assert [e[279] for e in update.group(268)] == ["0", "2"]
    other = fixwire.parse(build("Y", "268=1|269=0|"), groups=specs)
    with pytest.raises(KeyError):
        other.group(268)


def test_delimiter_is_chosen_per_message_and_kept_for_every_entry() -> None:
    specs = fixwire.GroupSpecs([RFQ_SYMBOLS])
    by_qty = fixwire.parse(build("R", "131=r|146=2|38=100|38=200|"), groups=specs)
    assert [e[38] for e in by_qty.group(146)] == ["100", "200"]
    by_symbol = fixwire.parse(build("R", "131=r|146=2|55=A|38=1|55=B|38=2|"), groups=specs)
    assert [(e[55], e[38]) for e in by_symbol.group(146)] == [("A", "1"), ("B", "2")]


def test_framer_applies_group_specs(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    framer = fixwire.Framer(groups=kalshi_groups)
    (msg,) = framer.feed(corpus["kalshi_market_settlement"])
    assert msg.group(20108)[0].group(1703)[0][1705] == "PAYOUT"


# Bad groups at parse time.

BAD_GROUPS: list[tuple[str, str, str, str]] = [
    ("count_too_high", "D", "11=a|453=2|448=p1|452=24|38=1|", "bad_group_count"),
    ("count_too_low", "D", "11=a|453=1|448=p1|452=24|448=p2|452=24|38=1|", "bad_group_count"),
    ("count_not_a_number", "D", "11=a|453=x|448=p1|452=24|", "invalid_value"),
    ("count_negative", "D", "11=a|453=-1|448=p1|452=24|", "bad_group_count"),
    ("count_without_entries", "D", "11=a|453=1|38=1|", "bad_group_count"),
    (
        "nested_count_too_high",
        "UMS",
        "20105=s|55=M|715=20231231|20107=yes|730=100.00|20108=1|20109=u|20110=24|"
        "1703=2|1704=1.00|1705=PAYOUT|136=1|137=0|138=USD|139=4|891=0|",
        "bad_group_count",
    ),
    (
        "outer_count_too_high",
        "UMS",
        "20105=s|55=M|715=20231231|20107=yes|730=100.00|20108=2|20109=u|20110=24|"
        "1703=1|1704=1.00|1705=PAYOUT|",
        "bad_group_count",
    ),
    ("rfq_count_too_high", "R", "131=r|146=2|55=HIGHNY-23DEC31|38=100|", "bad_group_count"),
    ("rfq_combo_count_too_high", "R", "131=r|146=3|38=100|38=200|20180=C|", "bad_group_count"),
    (
        "legs_count_too_high",
        "R",
        "131=r|146=1|38=1|20181=2|20182=E|20183=M|20184=yes|",
        "bad_group_count",
    ),
    # The entry never starts with its delimiter: out of order, or zero entries of one; both fit.
    (
        "member_before_delimiter",
        "D",
        "11=a|453=1|452=24|448=p1|",
        "group_order|bad_group_count",
    ),
    ("members_out_of_order", "8", "37=o|136=1|137=0.28|139=4|138=USD|891=0|", "group_order"),
]


@pytest.mark.parametrize(
    ("msg_type", "fields", "kind"),
    [case[1:] for case in BAD_GROUPS],
    ids=[case[0] for case in BAD_GROUPS],
)
def test_bad_groups_are_rejected_at_parse_time(
    kalshi_groups: fixwire.GroupSpecs, msg_type: str, fields: str, kind: str
) -> None:
    data = build(msg_type, fields)
    assert fixwire.parse(data)[35] == msg_type  # well-formed without a spec
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(data, groups=kalshi_groups)
    assert info.value.kind in kind.split("|")


def test_absurdly_nested_spec_never_crashes() -> None:
    # A user's arguments are hostile input too: a spec nested 100,000 deep must be refused
    # (group_too_deep / ValueError) or work, and dropping it must not overflow the stack.
    # It runs in a child process because a crash would otherwise take pytest down with it.
    code = """
import fixwire
try:
    spec = fixwire.GroupSpec(200000, [1])
    for level in range(199999, 100000, -1):
        spec = fixwire.GroupSpec(level, [1, spec])
    specs = fixwire.GroupSpecs([spec])
    del specs
    del spec
except (fixwire.FixError, ValueError):
    pass
print("survived")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"exit status {result.returncode}: {result.stderr[-500:]}"
    assert result.stdout.strip() == "survived"


def test_grouped_says_whether_group_can_be_read(
    corpus: dict[str, bytes], kalshi_groups: fixwire.GroupSpecs
) -> None:
    data = corpus["kalshi_exec_report_trade"]
    assert not fixwire.parse(data).grouped
    grouped = fixwire.parse(data, groups=kalshi_groups)
    assert grouped.grouped
    assert all(entry.grouped for entry in grouped.group(453))
