"""Columns by field name: names, kinds, enums and groups from a dictionary (Kalshi's bundled
one, or QuickFIX's own XML); without a dictionary, tags name the columns and the bundled
dictionary's types give the kinds.
"""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import fixwire
from fixtext import build

KALSHI = fixwire.Dictionary.kalshi()
# A fill with two parties: PartyRole <452> and SelfTradePreventionType <2964> are INT, Side <54>
# and ExecType <150> CHAR with enumerated values; 9999 is in no dictionary.
DATA = build(
    "8",
    "37=o-1|11=id-1|17=x-1|150=F|39=2|54=1|38=10|44=0.55|453=2|448=member|452=24|448=desk|"
    "452=35|2964=1|9999=x|",
    time="20260820-13:45:01.123",
)


def test_names_ask_for_and_name_the_columns() -> None:
    cols = fixwire.read_columns(
        DATA, ["ClOrdID", "Price", 38, "SendingTime", "PartyRole", 9999], dictionary=KALSHI
    )
    assert list(cols) == [
        "msg_type",
        "offset",
        "ClOrdID",
        "Price",
        "OrderQty",
        "SendingTime",
        "PartyRole",
        "9999",
    ]
    assert cols["ClOrdID"].tolist() == ["id-1"]
    assert cols["Price"].tolist() == [55_000_000]
    assert cols["OrderQty"].tolist() == [10 * 10**8]
    assert cols.scales == {"Price": 8, "OrderQty": 8}
    assert cols["SendingTime"].dtype == np.dtype("datetime64[ns]")
    assert cols["SendingTime"].tolist()[0] == np.datetime64("2026-08-20T13:45:01.123", "ns").item()
    assert cols["PartyRole"].tolist() == [24]  # INT in the dictionary; the first occurrence
    assert cols["9999"].tolist() == ["x"]


def test_names_kinds_and_tag_digits_mix() -> None:
    cols = fixwire.read_columns(
        DATA, {"Price": "decimal:2", "452": "str", 54: "str"}, dictionary=KALSHI
    )
    assert cols["Price"].tolist() == [55]
    assert cols.scales == {"Price": 2}
    assert cols["PartyRole"].tolist() == ["24"]
    assert cols["Side"].tolist() == ["1"]
    assert cols.meanings == {}  # a kind given beats the dictionary's enum


def test_without_a_dictionary_tags_name_the_columns() -> None:
    cols = fixwire.read_columns(DATA, [44, 452, 2964, 54, 9999])
    assert list(cols)[2:] == ["44", "452", "2964", "54", "9999"]
    # Kinds still come from the bundled dictionary's field types.
    assert cols["452"].tolist() == [24]
    assert cols["2964"].tolist() == [1]
    assert cols["44"].tolist() == [55_000_000]
    assert isinstance(cols["54"].dtype, np.dtypes.StringDType)
    assert cols.meanings == {}


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        (44, "decimal"),
        (38, "decimal"),
        (34, "int"),
        (453, "int"),
        (52, "time"),
        (43, "bool"),
        (272, "date"),
        (11, "str"),
        (54, "str"),
    ],
)
def test_default_kinds_are_the_field_types(tag: int, kind: str) -> None:
    """PRICE, QTY, SEQNUM, NUMINGROUP, UTCTIMESTAMP, BOOLEAN, UTCDATEONLY, STRING, CHAR."""
    assert KALSHI.field(tag).column_kind == kind
    assert fixwire.columns.default_kind(tag) == kind
    assert fixwire.columns.default_kind(tag, KALSHI) == kind
    assert fixwire.columns.default_kind(99999) == "str"


def test_enums_carry_their_meanings() -> None:
    cols = fixwire.read_columns(DATA, ["Side", "ExecType", "OrdStatus"], dictionary=KALSHI)
    assert cols["Side"].tolist() == ["1"]
    assert cols.meanings["Side"] == KALSHI.field(54).values
    assert cols.meanings["Side"]["1"] == "BUY_YES"
    assert cols.meanings["ExecType"]["F"] == KALSHI.field(150).values["F"]
    assert set(cols.meanings) == {"Side", "ExecType", "OrdStatus"}


def test_enums_are_dictionary_encoded_in_arrow() -> None:
    other = build("8", "37=o-2|11=id-2|17=x-2|150=Z|39=0|54=2|", time="20260820-13:45:02")
    table = fixwire.read_arrow(DATA + other, ["Side", "ExecType"], dictionary=KALSHI)
    side = table.column("Side").combine_chunks()
    assert pa.types.is_dictionary(side.type)
    assert side.to_pylist() == ["1", "2"]
    # The dictionary's values first, in its order; a value it does not list (150=Z) after them.
    exec_type = table.column("ExecType").combine_chunks()
    assert exec_type.dictionary.to_pylist() == [*KALSHI.field(150).values, "Z"]
    assert exec_type.to_pylist() == ["F", "Z"]
    meanings = json.loads(table.schema.field("ExecType").metadata[b"fixwire.meanings"])
    assert meanings == KALSHI.field(150).values


def test_groups_explode_by_name() -> None:
    by_name = fixwire.read_columns(
        DATA, ["ClOrdID", "PartyID", "PartyRole"], dictionary=KALSHI, explode="NoPartyIDs"
    )
    assert by_name["PartyID"].tolist() == ["member", "desk"]
    assert by_name["PartyRole"].tolist() == [24, 35]
    assert by_name["ClOrdID"].tolist() == ["id-1", "id-1"]
    by_spec = fixwire.read_columns(
        DATA, [11, 448, 452], dictionary=KALSHI, explode=KALSHI.group(453, "8")
    )
    assert by_spec["PartyID"].tolist() == by_name["PartyID"].tolist()
    by_tag = fixwire.read_arrow(DATA, ["PartyID"], dictionary=KALSHI, explode=453, msg_types=["8"])
    assert by_tag.column("PartyID").to_pylist() == ["member", "desk"]


def test_a_quickfix_dictionary_names_and_types(quickfix_spec: Path) -> None:
    fix44 = fixwire.Dictionary.from_xml(quickfix_spec / "FIX44.xml")
    data = build(
        "8",
        "37=o-1|11=id-1|17=x-1|150=F|39=2|54=1|38=10|44=0.55|75=20260820|453=1|448=member|"
        "447=D|452=3|",
        begin_string="FIX.4.4",
    )
    cols = fixwire.read_columns(
        data,
        ["Price", "TradeDate", "Side", "PartyIDSource"],
        dictionary=fix44,
        explode="NoPartyIDs",
    )
    assert cols["Price"].tolist() == [55_000_000]
    # TradeDate <75> is a LocalMktDate in FIX 4.4 (the bundled dictionary has no such field).
    assert cols["TradeDate"].dtype == np.dtype("datetime64[D]")
    assert cols["TradeDate"].tolist()[0].isoformat() == "2026-08-20"
    assert cols.meanings["Side"]["1"] == "BUY"
    assert cols["PartyIDSource"].tolist() == ["D"]
    assert cols.meanings["PartyIDSource"] == fix44.field(447).values
    assert cols.meanings["PartyIDSource"]["D"] == "PROPRIETARY"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: fixwire.read_columns(DATA, ["Prize"], dictionary=KALSHI), "'Prize'"),
        (lambda: fixwire.read_columns(DATA, ["Price"]), "'Price' is a field name"),
        (lambda: fixwire.read_arrow(DATA, [("Price", "money")], dictionary=KALSHI), "'money'"),
        (lambda: fixwire.read_columns(DATA, ["Price", 44], dictionary=KALSHI), "twice"),
        (lambda: fixwire.read_columns(DATA, [0]), "positive tag"),
        (
            lambda: fixwire.read_columns(DATA, [11], dictionary=KALSHI, explode="NoFills"),
            "'NoFills'",
        ),
        (lambda: fixwire.read_columns(DATA, [11], explode="NoPartyIDs"), "dictionary="),
        (
            lambda: fixwire.read_columns(DATA, [11], dictionary=KALSHI, explode="Price"),
            "no message of the dictionary has that group",
        ),
    ],
)
def test_bad_requests_are_column_errors(call: object, words: str) -> None:
    with pytest.raises(fixwire.ColumnError, match=words) as caught:
        call()  # type: ignore[operator]
    assert isinstance(caught.value, fixwire.FixError)
    assert isinstance(caught.value, ValueError)
