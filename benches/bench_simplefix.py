"""Groups "simplefix-*": simplefix's own API, on simplefix and on fixwire.simplefix.

The same code runs on both modules (the one-import switch): parse a ~250-byte NewOrderSingle
<35=D> with a long-lived ``FixParser``, read five fields with ``get``, do both, and build and
encode the order with ``append_pair``. The summary after a timed run gives fixwire.simplefix's
median as a multiple of simplefix's, from the same run (``latency`` section, ``x0.. of``).

* parse: ``append_buffer`` + ``get_message``; "strict" is ``FixParser(strict=True)``, which
  also checks BodyLength <9> and CheckSum <10> in Rust.
* get: MsgType <35>, ClOrdID <11>, OrderQty <38>, Price <44>, Symbol <55> of a parsed message.
* encode: a new ``FixMessage``, 16 ``append_pair`` / ``append_utc_timestamp`` calls, ``encode``.
* stream: a 256 KiB mixed stream (orders, ExecutionReports with groups, heartbeats) in 4 KiB
  socket-sized reads, ``get_message`` until ``None`` after each; messages cut across reads
  take the field-by-field path.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
import simplefix

import fixwire.simplefix
from benches.conftest import (
    API_KEY,
    DECODE_EXPECTED,
    KALSHI_NR,
    ORDER,
    SENDING_TIME,
    SEQ_NUM,
    Benchmark,
    Stream,
    chunked,
    make_stream,
    record_latency,
    record_rate,
)

MODULES: dict[str, tuple[ModuleType, dict[str, Any]]] = {
    "simplefix": (simplefix, {}),
    "fixwire.simplefix": (fixwire.simplefix, {}),
    "fixwire.simplefix-strict": (fixwire.simplefix, {"strict": True}),
}
READ_TAGS = (35, 11, 38, 44, 55)


def record_against_simplefix(benchmark: Benchmark, group: str) -> None:
    """Put this benchmark's median beside simplefix's of the same group in the summary."""
    baseline = f"test_{group}[simplefix]"
    record_latency(benchmark, baseline=None if benchmark.name == baseline else baseline)


def five(message: Any) -> tuple[str, ...]:
    """The five fields the groups read, as text."""
    return tuple(message.get(tag).decode() for tag in READ_TAGS)


@pytest.mark.benchmark(group="simplefix-parse")
@pytest.mark.parametrize("impl", list(MODULES))
def test_parse(benchmark: Benchmark, new_order_single: bytes, impl: str) -> None:
    """``append_buffer`` + ``get_message`` on one long-lived parser."""
    module, options = MODULES[impl]
    parser = module.FixParser(**options)

    def parse(data: bytes) -> Any:
        parser.append_buffer(data)
        return parser.get_message()

    message = benchmark(parse, new_order_single)
    assert five(message) == DECODE_EXPECTED
    assert parser.get_buffer() == b""
    record_against_simplefix(benchmark, "parse")


@pytest.mark.benchmark(group="simplefix-get")
@pytest.mark.parametrize("impl", ["simplefix", "fixwire.simplefix"])
def test_get(benchmark: Benchmark, new_order_single: bytes, impl: str) -> None:
    """Five ``get`` calls on a parsed message."""
    parser = MODULES[impl][0].FixParser()
    parser.append_buffer(new_order_single)
    message = parser.get_message()

    def read() -> tuple[bytes, ...]:
        get = message.get
        return get(35), get(11), get(38), get(44), get(55)

    values = benchmark(read)
    assert tuple(v.decode() for v in values) == DECODE_EXPECTED
    record_against_simplefix(benchmark, "get")


@pytest.mark.benchmark(group="simplefix-parse-get")
@pytest.mark.parametrize("impl", list(MODULES))
def test_parse_get(benchmark: Benchmark, new_order_single: bytes, impl: str) -> None:
    """Parse, then read five fields: what a simplefix application does per message."""
    module, options = MODULES[impl]
    parser = module.FixParser(**options)

    def parse_get(data: bytes) -> tuple[bytes, ...]:
        parser.append_buffer(data)
        get = parser.get_message().get
        return get(35), get(11), get(38), get(44), get(55)

    values = benchmark(parse_get, new_order_single)
    assert tuple(v.decode() for v in values) == DECODE_EXPECTED
    record_against_simplefix(benchmark, "parse_get")


def writer(module: ModuleType) -> Callable[[], bytes]:
    """Simplefix's way of encoding :data:`ORDER`, on ``module``."""
    head = ((8, "FIXT.1.1"), (35, "D"), (49, API_KEY), (56, KALSHI_NR), (34, SEQ_NUM))
    body = ORDER.body_fields()

    def write() -> bytes:
        msg = module.FixMessage()
        for tag, value in head:
            msg.append_pair(tag, value, header=True)
        msg.append_utc_timestamp(52, SENDING_TIME, precision=3, header=True)
        for tag, value in body:
            msg.append_pair(tag, value)
        encoded: bytes = msg.encode()
        return encoded

    return write


@pytest.mark.benchmark(group="simplefix-encode")
@pytest.mark.parametrize("impl", ["simplefix", "fixwire.simplefix"])
def test_encode(benchmark: Benchmark, new_order_single: bytes, impl: str) -> None:
    """Build the NewOrderSingle with ``append_pair`` and ``encode`` it."""
    encoded = benchmark(writer(MODULES[impl][0]))
    assert encoded == new_order_single
    record_against_simplefix(benchmark, "encode")


@pytest.fixture(scope="module")
def small_stream() -> Stream:
    """The mixed stream, 256 KiB: simplefix takes about a second per MiB."""
    return make_stream(256 << 10)


@pytest.mark.benchmark(group="simplefix-stream")
@pytest.mark.parametrize("impl", list(MODULES))
def test_stream(benchmark: Benchmark, small_stream: Stream, impl: str) -> None:
    """Read the stream in 4 KiB pieces, taking every message after each piece."""
    module, options = MODULES[impl]
    chunks = chunked(small_stream.data, 4096)

    def read_all() -> tuple[int, bytes, bytes]:
        parser = module.FixParser(**options)
        count = 0
        last = None
        for chunk in chunks:
            parser.append_buffer(chunk)
            while (message := parser.get_message()) is not None:
                count += 1
                last = message
        assert last is not None
        return count, last.encode(raw=True), parser.get_buffer()

    count, last, rest = benchmark.pedantic(read_all, rounds=5, iterations=1)
    assert (count, last, rest) == (small_stream.messages, small_stream.last_message, b"")
    record_rate(benchmark, "msg", count)
    record_against_simplefix(benchmark, "stream")
