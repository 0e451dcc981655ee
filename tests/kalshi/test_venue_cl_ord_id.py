"""``check_cl_ord_id`` against the plain reading of its rule (spec section 6.4), on random text."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixwire.kalshi.venue import CL_ORD_ID_MAX_LENGTH, check_cl_ord_id

ALLOWED = string.ascii_letters + string.digits + "-_:+=/"


def takes(value: str) -> bool:
    """The rule as written: 1 to 64 characters, each a letter, digit or one of ``-_:+=/``
    (ASCII only: ``str.isalnum`` would also take other scripts' letters and digits).
    """
    return 0 < len(value) <= CL_ORD_ID_MAX_LENGTH and all(c in ALLOWED for c in value)


def checked(value: str) -> bool:
    """Whether ``check_cl_ord_id`` takes ``value`` (returned as is) or refuses it by name."""
    try:
        returned = check_cl_ord_id(value, "ClOrdID <11>")
    except ValueError as e:
        message = str(e)
    else:
        assert returned is value
        return True
    assert "ClOrdID <11>" in message
    return False


# Mostly the allowed characters and their neighbours, at lengths around the cap; then any text.
NEAR = st.text(
    st.sampled_from(ALLOWED + " \n\t\x00\x7f.,;@#é٣ＡＺ０"),
    max_size=CL_ORD_ID_MAX_LENGTH + 3,
)


@given(st.one_of(NEAR, st.text()))
def test_same_as_the_rule(value: str) -> None:
    assert checked(value) is takes(value)


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("a", True),
        ("-_:+=/", True),
        ("A" * CL_ORD_ID_MAX_LENGTH, True),
        ("A" * (CL_ORD_ID_MAX_LENGTH + 1), False),
        ("", False),
        ("a\n", False),  # A regex's $ would take a trailing newline.
        ("٣", False),  # An Arabic-Indic digit: str.isdigit, yet not the venue's.
        ("a b", False),
    ],
)
def test_edges(value: str, taken: bool) -> None:
    assert checked(value) is taken


def test_not_text() -> None:
    with pytest.raises(ValueError, match="cl_ord_id"):
        check_cl_ord_id(b"abc")  # type: ignore[arg-type]
