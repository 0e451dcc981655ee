"""The error tree (fixwire.errors) and what each error says: kind, offset, tag, reason."""

import pytest

import fixwire
import fixwire.errors
from fixtext import DECODE_KINDS, ENCODE_KINDS, InvalidEntry, build, load_invalid


def invalid(name: str) -> bytes:
    """Return the bytes of the invalid.txt entry called ``name``."""
    for entry in load_invalid():
        if entry.name == name:
            return entry.data
    raise KeyError(name)


# The tree.


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (fixwire.FixError, (Exception,)),
        (fixwire.DecodeError, (fixwire.FixError, ValueError)),
        (fixwire.EncodeError, (fixwire.FixError, ValueError)),
        (fixwire.RejectError, (fixwire.FixError,)),
    ],
)
def test_error_bases(cls: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)


def test_reject_error_is_not_a_value_error() -> None:
    assert not issubclass(fixwire.RejectError, ValueError)


def test_decode_and_encode_errors_are_distinct() -> None:
    assert not issubclass(fixwire.DecodeError, fixwire.EncodeError)
    assert not issubclass(fixwire.EncodeError, fixwire.DecodeError)
    assert not issubclass(fixwire.FixError, ValueError)


@pytest.mark.parametrize("name", ["FixError", "DecodeError", "EncodeError", "RejectError"])
def test_errors_are_defined_in_errors_module(name: str) -> None:
    cls = getattr(fixwire, name)
    assert cls is getattr(fixwire.errors, name)
    assert cls.__module__ == "fixwire.errors"
    assert name in fixwire.__all__


@pytest.mark.parametrize(
    "name", ["parse", "Message", "Framer", "Encoder", "checksum", "GroupSpec", "GroupSpecs"]
)
def test_public_names_are_exported(name: str) -> None:
    assert name in fixwire.__all__
    assert hasattr(fixwire, name)


# DecodeError attributes.


def test_decode_error_from_parse_has_every_attribute(invalid_entry: InvalidEntry) -> None:
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(invalid_entry.data)
    err = info.value
    assert err.kind in DECODE_KINDS
    assert isinstance(err.offset, int)
    assert err.tag is None or isinstance(err.tag, int)
    assert isinstance(err.reason, str)
    assert err.reason
    assert err.reason in str(err)


def test_decode_error_is_caught_as_value_error() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the point is the base class
        fixwire.parse(invalid("checksum_wrong_value"))


@pytest.mark.parametrize(
    ("name", "tag", "anchor", "slack"),
    [
        # (invalid.txt entry, DecodeError.tag, bytes the offset points at or into, allowed slack)
        ("checksum_wrong_value", 10, b"\x0110=", 4),
        ("checksum_non_digit", 10, b"\x0110=", 4),
        ("body_length_non_numeric", 9, b"\x019=", 3),
        ("empty_value", 58, b"\x0158=", 4),
        ("tag_alphabetic", None, b"\x01abc=", 1),
        ("tag_zero", None, b"\x010=", 1),
        ("field_without_equals", None, b"\x0158\x01", 2),
        ("data_length_non_numeric", 95, b"\x0195=", 4),
        ("checksum_not_last", 10, b"\x0110=000", 4),
        ("trailing_bytes_after_checksum", None, b"x", 0),
    ],
)
def test_decode_error_points_at_the_fault(
    name: str, tag: int | None, anchor: bytes, slack: int
) -> None:
    data = invalid(name)
    start = data.index(anchor) + (1 if anchor.startswith(b"\x01") else 0)
    if name == "trailing_bytes_after_checksum":
        start = data.rindex(anchor)
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(data)
    err = info.value
    if tag is not None:
        assert err.tag == tag
    assert err.offset is not None
    assert start <= err.offset <= start + slack, f"offset {err.offset}, fault at {start}"


def test_invalid_value_error_names_its_tag() -> None:
    msg = fixwire.parse(build("D", "38=ten|"))
    with pytest.raises(fixwire.DecodeError) as info:
        msg.get_int(38)
    assert info.value.kind == "invalid_value"
    assert info.value.tag == 38
    assert info.value.reason


def test_framer_errors_are_decode_errors_with_stream_offsets() -> None:
    framer = fixwire.Framer()
    framer.feed(b"junk" + build("0"))
    (err,) = framer.drain_errors()
    assert isinstance(err, fixwire.DecodeError)
    assert err.kind == "garbage"
    assert err.offset == 0
    assert err.reason


# EncodeError attributes.


def test_encode_error_has_every_attribute() -> None:
    encoder = fixwire.Encoder("S", "T")
    with pytest.raises(fixwire.EncodeError) as info:
        encoder.encode("D", [(58, "a\x01b")], seq_num=1)
    err = info.value
    assert err.kind in ENCODE_KINDS
    assert err.kind == "soh_in_value"
    assert err.offset is None
    assert err.tag == 58
    assert isinstance(err.reason, str)
    assert err.reason
    assert err.reason in str(err)


def test_encode_error_is_caught_as_value_error() -> None:
    encoder = fixwire.Encoder("S", "T")
    with pytest.raises(ValueError):  # noqa: PT011 - the point is the base class
        encoder.encode("D", [(0, "x")], seq_num=1)


def test_encode_type_errors_are_not_fix_errors() -> None:
    # A wrong Python type is a programming error, not a FIX problem.
    encoder = fixwire.Encoder("S", "T")
    with pytest.raises(TypeError) as info:
        encoder.encode("D", [(44, 0.5)], seq_num=1)  # type: ignore[list-item]
    assert not isinstance(info.value, fixwire.FixError)
