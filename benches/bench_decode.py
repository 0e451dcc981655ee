"""Group "decode": parse a ~250-byte NewOrderSingle <35=D> and read five fields from Python.

Each implementation gets the message as the ``bytes`` a socket read gives and returns MsgType
<35>, ClOrdID <11>, OrderQty <38>, Price <44> and Symbol <55> in its own value type (``str`` for
fixwire and quickfix, ``bytes`` for simplefix and the ``split`` reference). Budget
(``shared/design.md``): fixwire <= 1 us; quickfix about 12 us, simplefix about 85 us.

* fixwire: ``fixwire.parse`` (CheckSum <10> and BodyLength <9> verified), then ``msg[tag]``;
  fixwire-values: the same, the five read in one ``msg.values(...)`` call.
* simplefix: ``FixParser.append_buffer`` + ``get_message``, then ``get``; one parser reused,
  as a session would.
* quickfix: ``quickfix.Message(text)`` without a data dictionary, which still checks BodyLength
  and CheckSum, then ``getField``; the ``bytes.decode`` its ``str`` API needs is counted.
* split: :func:`benches.conftest.split_parse`, which validates nothing.
"""

from collections.abc import Callable, Sequence

import pytest
import simplefix

import fixwire
from benches.conftest import DECODE_EXPECTED, HAVE_QUICKFIX, Benchmark, split_parse

Reader = Callable[[bytes], Sequence[str | bytes | None]]


def fixwire_reader() -> Reader:
    """Return fixwire's parse-and-read-five function."""

    def read(data: bytes) -> tuple[str, str, str, str, str]:
        msg = fixwire.parse(data)
        return msg[35], msg[11], msg[38], msg[44], msg[55]

    return read


def fixwire_values_reader() -> Reader:
    """Return fixwire's parse-and-read-five function, reading the five in one call."""
    tags = (35, 11, 38, 44, 55)

    def read(data: bytes) -> tuple[str | None, ...]:
        return fixwire.parse(data).values(tags)

    return read


def simplefix_reader() -> Reader:
    """Return simplefix's parse-and-read-five function, with one long-lived parser."""
    parser = simplefix.FixParser()

    def read(data: bytes) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        parser.append_buffer(data)
        msg = parser.get_message()
        return msg.get(35), msg.get(11), msg.get(38), msg.get(44), msg.get(55)

    return read


def quickfix_reader() -> Reader:
    """Return quickfix's parse-and-read-five function."""
    import quickfix

    def read(data: bytes) -> tuple[str, str, str, str, str]:
        msg = quickfix.Message(data.decode())
        return (
            msg.getHeader().getField(35),
            msg.getField(11),
            msg.getField(38),
            msg.getField(44),
            msg.getField(55),
        )

    return read


def split_reader() -> Reader:
    """Return the pure-Python reference: :func:`split_parse` into a dict, then five lookups."""

    def read(data: bytes) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        fields = split_parse(data)
        return fields[35], fields[11], fields[38], fields[44], fields[55]

    return read


READERS: dict[str, Callable[[], Reader]] = {
    "fixwire": fixwire_reader,
    "fixwire-values": fixwire_values_reader,
    "simplefix": simplefix_reader,
    "split": split_reader,
}
if HAVE_QUICKFIX:
    READERS["quickfix"] = quickfix_reader


@pytest.mark.benchmark(group="decode")
@pytest.mark.parametrize("impl", list(READERS))
def test_decode(benchmark: Benchmark, new_order_single: bytes, impl: str) -> None:
    """Parse the NewOrderSingle and read five fields; the values must be the ones framed."""
    read = READERS[impl]()
    fields = benchmark(read, new_order_single)
    text = tuple(v.decode() if isinstance(v, bytes) else v for v in fields)
    assert text == DECODE_EXPECTED
