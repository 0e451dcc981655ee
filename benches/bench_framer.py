"""Group "framer": split a mixed stream fed in 64 KiB chunks into messages.

The stream (``conftest.py``: D, eight ExecutionReports with groups, Heartbeat, G, F, repeated)
is ``FIXWIRE_BENCH_STREAM_MB`` MiB, 8 by default so the smoke run in ``make test`` stays quick;
``FIXWIRE_BENCH_STREAM_MB=100 make bench`` is the full run. It is cut into 64 KiB ``bytes``
chunks beforehand, as successive socket reads would deliver it, so the timing is the decoder's
alone. Messages per second (median) are in ``extra_info["messages_per_s"]`` and in the summary
printed after the run.

* fixwire: one ``Framer`` (CheckSum <10> verified), ``feed`` per chunk.
* simplefix: one ``FixParser``, ``append_buffer`` per chunk, then ``get_message`` until None.
  It needs seconds per round even at 8 MiB, so it runs one round where fixwire runs ten after
  a warm-up round.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import simplefix

import fixwire
from benches.conftest import Benchmark, Stream, chunked, record_rate

CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Framed:
    """What a framer made of the stream."""

    count: int  # messages
    last: bytes | None  # the last message's bytes
    leftover: int  # bytes still buffered at the end
    errors: int  # garbled stretches reported


def fixwire_framer(chunks: list[bytes]) -> Framed:
    """Feed every chunk to a new fixwire Framer, counting the messages."""
    framer = fixwire.Framer()
    count = 0
    last = None
    for chunk in chunks:
        messages = framer.feed(chunk)
        if messages:
            count += len(messages)
            last = messages[-1]
    return Framed(
        count,
        None if last is None else last.raw,
        framer.buffered,
        len(framer.drain_errors()),
    )


def simplefix_framer(chunks: list[bytes]) -> Framed:
    """Feed every chunk to a new simplefix FixParser, taking messages until it has none."""
    parser = simplefix.FixParser()
    count = 0
    last = None
    for chunk in chunks:
        parser.append_buffer(chunk)
        while (msg := parser.get_message()) is not None:
            count += 1
            last = msg
    raw: bytes | None = None if last is None else last.encode(raw=True)
    return Framed(count, raw, len(parser.get_buffer()), 0)


FRAMERS: dict[str, tuple[Callable[[list[bytes]], Framed], int]] = {
    # name: (function, timed rounds after one warm-up round)
    "fixwire": (fixwire_framer, 10),
    "simplefix": (simplefix_framer, 1),
}


@pytest.fixture(scope="module")
def chunks(stream: Stream) -> list[bytes]:
    """The stream in 64 KiB chunks."""
    return chunked(stream.data, CHUNK_SIZE)


@pytest.mark.benchmark(group="framer")
@pytest.mark.parametrize("impl", list(FRAMERS))
def test_framer(benchmark: Benchmark, stream: Stream, chunks: list[bytes], impl: str) -> None:
    """Frame the stream; every message must come out, the last one intact, nothing left."""
    function, rounds = FRAMERS[impl]
    warmup = 1 if impl == "fixwire" else 0
    framed = benchmark.pedantic(function, args=(chunks,), rounds=rounds, warmup_rounds=warmup)
    assert framed.count == stream.messages
    assert framed.last == stream.last_message
    assert framed.leftover == 0
    assert framed.errors == 0
    record_rate(benchmark, "messages", stream.messages)
    benchmark.extra_info["stream_bytes"] = len(stream.data)
