"""Field objects made natively write the same text as the Python conversions they stand for.

A field class's constructor runs in Rust for the common values (``fixwire._native.FieldBase``):
a double field's ``float`` or ``int``, an integer field's ``int``, a time field's "now". The
Python conversions (``format_double``, ``_convert``, ``_make_default``) stay the reference,
and are themselves compared with QuickFIX in ``test_quickfix_message.py``.
"""

from __future__ import annotations

import datetime
import math
import random
import struct
from pathlib import Path

import pytest

import fixwire.quickfix as fix
from fixwire.quickfix.fields import format_double


@pytest.fixture(scope="module", autouse=True)
def _spec(quickfix_spec: Path) -> None:
    fix.use_spec(quickfix_spec)


def doubles() -> list[float]:
    """Edge values, then doubles of every magnitude and random bit patterns (seeded)."""
    rng = random.Random(14)
    values = [0.0, -0.0, 0.55, 100.0, 1e-7, 1e15, 1e16, 1e20, 1 / 3, -2 / 3, 5e-324, 2.2e-308]
    values += [0.1 * n for n in range(-50, 50)]
    values += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30) for _ in range(3000)]
    values += [round(rng.uniform(0, 1000), rng.randint(0, 6)) for _ in range(1000)]
    for _ in range(1000):
        (value,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if math.isfinite(value):
            values.append(value)
    return values


def test_a_double_field_writes_a_float_as_the_python_reference() -> None:
    for value in doubles():
        assert fix.Price(value).getString() == format_double(value), repr(value)
        assert fix.DoubleField(44, value).getString() == format_double(value), repr(value)


def test_a_double_field_writes_an_int_as_the_python_reference() -> None:
    for value in (0, 10, -7, 2**31 - 1, -(2**31), 2**31, 10**20):
        assert fix.OrderQty(value).getString() == format_double(float(value))


def test_an_int_field_writes_an_int_as_the_python_reference() -> None:
    for value in (0, 7, -7, 10**9, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 10**30):
        assert fix.MsgSeqNum(value).getString() == fix.IntField._convert(value) == str(value)
        assert fix.IntField(34, value).getString() == str(value)


def test_a_field_class_is_read_once_and_each_class_keeps_its_own() -> None:
    class Custom(fix.IntField):
        __slots__ = ()
        TAG = 5001

    class Other(fix.StringField):
        __slots__ = ()
        TAG = 5002

    for _ in range(2):
        assert (Custom(3).getTag(), Custom(3).getString()) == (5001, "3")
        assert (Other(3).getTag(), Other(3).getString()) == (5002, "3")
        assert (fix.Price(1).getTag(), fix.Price(1).getString()) == (44, "1")


def test_values_the_native_constructor_leaves_to_python() -> None:
    assert fix.Price(float("nan")).getString() == format_double(float("nan"))
    assert fix.Price(True).getString() == "1"
    assert fix.MsgSeqNum(7).getString() == "7"
    assert fix.MsgSeqNum(True).getString() == "1"
    assert fix.ClOrdID(12).getString() == "12"
    assert fix.ClOrdID().getString() == ""
    assert fix.IntField(34, 5).getTag() == 34
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC)
    assert fix.TransactTime(when).getString() == "20260102-03:04:05.678"
    with pytest.raises(TypeError):
        fix.FieldBase()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("SendingTime", "%Y%m%d-%H:%M:%S"), ("MDEntryTime", "%H:%M:%S"), ("MDEntryDate", "%Y%m%d")],
)
def test_a_time_field_made_without_a_value_is_now_to_the_second(name: str, fmt: str) -> None:
    cls = getattr(fix, name)
    # Made, with the Python reference, between two readings of the clock in the same second
    # (tried again when a second boundary falls between them).
    for _ in range(3):
        before = datetime.datetime.now(datetime.UTC).strftime(fmt)
        text = cls().getString()
        reference = cls._make_default()
        after = datetime.datetime.now(datetime.UTC).strftime(fmt)
        if before == after:
            break
    assert text == reference == before == after
