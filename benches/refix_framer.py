"""Frame the framer group's mixed stream in 64 KiB chunks: fixwire's ``Framer`` against ``refix``.

``refix`` (PyPI, Rust behind PyO3) needs Python 3.12 or later, so this runs on its own, under
an interpreter that has ``refix``, ``pytest`` (for ``benches.conftest``) and a release build of
fixwire installed: ``python benches/refix_framer.py``. The stream is ``benches.conftest``'s
(``FIXWIRE_BENCH_STREAM_MB`` MiB, 8 by default), cut into 64 KiB ``bytes`` beforehand.

* fixwire: one ``Framer`` (BodyLength <9> and CheckSum <10> verified, every message parsed into
  its field index), ``feed`` per chunk.
* refix: one ``MessageStream``, ``feed`` per chunk, then ``next_message`` until ``None`` (it
  frames and tokenizes; a ``Garble`` would be counted as an error).

Both must find every message of the stream. The two take turns, ``--rounds`` times; the best
round of each is printed in nanoseconds a message, with fixwire's ratio to refix.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import refix  # type: ignore[import-not-found]  # only under a Python 3.12+ with refix

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fixwire  # after the path that finds benches
from benches.conftest import chunked, make_stream, stream_size

CHUNK_SIZE = 64 * 1024


def fixwire_frame(chunks: list[bytes]) -> int:
    """Feed every chunk to a new fixwire Framer; return the messages framed."""
    framer = fixwire.Framer()
    count = 0
    for chunk in chunks:
        count += len(framer.feed(chunk))
    if framer.drain_errors() or framer.buffered:
        raise AssertionError("fixwire found garbage or a partial message")
    return count


def refix_frame(chunks: list[bytes]) -> int:
    """Feed every chunk to a new refix MessageStream; return the messages framed."""
    stream = refix.MessageStream()
    count = 0
    for chunk in chunks:
        stream.feed(chunk)
        while (item := stream.next_message()) is not None:
            if isinstance(item, refix.Garble):
                raise AssertionError(f"refix found garbage: {item.reason}")
            count += 1
    return count


def main() -> None:
    """Time both framers in turns and print the best round of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    stream = make_stream(stream_size())
    chunks = chunked(stream.data, CHUNK_SIZE)
    impls: dict[str, Callable[[list[bytes]], int]] = {
        "fixwire Framer.feed": fixwire_frame,
        "refix MessageStream": refix_frame,
    }
    for name, frame in impls.items():
        if (count := frame(chunks)) != stream.messages:
            raise AssertionError(f"{name} framed {count} of {stream.messages} messages")
    best = dict.fromkeys(impls, float("inf"))
    for _ in range(args.rounds):
        for name, frame in impls.items():
            start = time.perf_counter_ns()
            frame(chunks)
            best[name] = min(best[name], (time.perf_counter_ns() - start) / stream.messages)
    print(f"{stream.messages} messages, {len(stream.data)} bytes, {CHUNK_SIZE} B chunks")
    for name, nanos in best.items():
        ratio = nanos / best["refix MessageStream"]
        print(f"{name:<22} {nanos:8.1f} ns/msg  {1e3 / nanos:6.2f} M msg/s  {ratio:.2f}x refix")


if __name__ == "__main__":
    main()
