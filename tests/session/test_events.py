"""The ``Received`` event the session makes on its fast path is the public dataclass, whole."""

from __future__ import annotations

import pytest

from fixwire import Message, parse
from fixwire.errors import RejectError
from fixwire.session import Received
from fixwire.session.events import ReceivedLayout, received

ORDER = b"8=FIX.4.4\x019=25\x0135=D\x0134=2\x0149=A\x0156=B\x0111=7\x0110=000\x01"


def _order() -> Message:
    raw = bytearray(ORDER)
    checksum = sum(raw[: raw.index(b"10=")]) % 256
    raw[-4:-1] = b"%03d" % checksum
    return parse(bytes(raw))


@pytest.mark.parametrize(
    ("possible_duplicate", "reject"),
    [(False, None), (True, None), (False, RejectError(5, "bad", 11))],
)
def test_made_like_the_constructor(possible_duplicate: bool, reject: RejectError | None) -> None:
    message = _order()
    made = received(message, possible_duplicate, reject)
    expected = Received(message, possible_duplicate, reject)
    assert type(made) is Received
    assert made == expected
    assert repr(made) == repr(expected)
    assert (made.message, made.possible_duplicate, made.reject) == (
        message,
        possible_duplicate,
        reject,
    )
    assert made.possible_resend is False


def _assignment_error(event: Received, name: str) -> type[BaseException]:
    try:
        setattr(event, name, True)
    except Exception as e:  # The type is what is compared.
        return type(e)
    raise AssertionError("a Received event took an assignment")


def test_as_frozen_as_the_constructed_event() -> None:
    message = _order()
    made = received(message, False, None)
    for name in ("message", "possible_duplicate", "extra"):
        assert _assignment_error(made, name) is _assignment_error(Received(message), name)
    assert made.possible_duplicate is False


def test_layout_is_the_events_own() -> None:
    # received() turns a ReceivedLayout into a Received by assigning __class__, which CPython
    # allows only between the same slots in the same order: a field added to one class alone
    # must fail here, not on the session's path.
    assert ReceivedLayout.__slots__ == Received.__slots__
    made = received(_order(), False, None)
    assert not hasattr(made, "__dict__")
