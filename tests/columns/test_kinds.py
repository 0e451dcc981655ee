"""Column kinds of bare tags: from a dictionary's field types when one is given."""

import numpy as np
import pyarrow as pa
import pytest

import fixwire
from fixtext import build

KALSHI = fixwire.Dictionary.kalshi()
# PartyRole <452> and SelfTradePreventionType <2964> are INT in the Kalshi dictionary but not
# in the table used without one; 9999 is not in the dictionary.
DATA = build(
    "D",
    "11=id-1|38=10|44=0.55|453=1|448=member|452=24|2964=1|9999=x|",
    time="20260820-13:45:01.123",
)
TAGS = [11, 38, 44, 52, 43, 452, 2964, 9999]


def test_bare_tags_take_the_dictionarys_types() -> None:
    cols = fixwire.read_columns(DATA, TAGS, dictionary=KALSHI)
    assert cols["452"].tolist() == [24]
    assert cols["2964"].tolist() == [1]
    assert cols["38"].tolist() == [10 * 10**8]
    assert cols["44"].tolist() == [55_000_000]
    assert cols.scales == {"38": 8, "44": 8}
    assert cols["52"].dtype == np.dtype("datetime64[ns]")
    assert cols["43"].dtype == np.bool_
    assert cols["43"].tolist() == [None]  # PossDupFlag <43> is absent: masked
    for name in ("11", "9999"):
        assert isinstance(cols[name].dtype, np.dtypes.StringDType), name
    assert cols["9999"].tolist() == ["x"]


def test_without_a_dictionary_the_table_decides() -> None:
    cols = fixwire.read_columns(DATA, TAGS)
    for name in ("452", "2964"):
        assert isinstance(cols[name].dtype, np.dtypes.StringDType), name
    assert cols["452"].tolist() == ["24"]
    assert cols["44"].tolist() == [55_000_000]


def test_a_kind_given_beats_the_dictionary() -> None:
    cols = fixwire.read_columns(DATA, {452: "str", 44: "decimal:2"}, dictionary=KALSHI)
    assert cols["452"].tolist() == ["24"]
    assert cols["44"].tolist() == [55]
    assert cols.scales == {"44": 2}


def test_read_arrow_takes_the_dictionarys_types() -> None:
    table = fixwire.read_arrow(DATA, [44, 452, 52], dictionary=KALSHI)
    assert table.schema.field("44").type == pa.decimal128(38, 8)
    assert table.schema.field("452").type == pa.int64()
    assert table.schema.field("52").type == pa.timestamp("ns", tz="UTC")


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
def test_field_column_kinds(tag: int, kind: str) -> None:
    """PRICE, QTY, SEQNUM, NUMINGROUP, UTCTIMESTAMP, BOOLEAN, UTCDATEONLY, STRING, CHAR."""
    assert KALSHI.field(tag).column_kind == kind


def test_the_table_agrees_with_the_bundled_dictionary() -> None:
    """The default table restates types; where the Kalshi dictionary defines a tag, it agrees."""
    defined = 0
    for tag, kind in fixwire.columns.STANDARD_KINDS.items():
        try:
            field = KALSHI.field(tag)
        except KeyError:
            continue
        defined += 1
        assert field.column_kind == kind, (tag, field.type)
    assert defined >= len(fixwire.columns.STANDARD_KINDS) - 2
