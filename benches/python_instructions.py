"""Instructions per call of fixwire's hot Python paths, counted by callgrind (issue 17).

Timings on a shared machine move by 15% or more; instruction counts do not. Each case runs as a
*worker* under ``valgrind --tool=callgrind`` twice, once with ``N`` and once with ``2N``
operations after the same warm-up and ``gc.freeze()``; the difference divided by ``N`` is what
one operation costs, start-up and warm-up cancelled out. Run it from the repository with the
interpreter that has the (release) build installed: ``python benches/python_instructions.py``.

Cases (the decode group's NewOrderSingle and the framer group's stream):

* ``parse``: ``fixwire.parse(data)`` alone;
* ``parse+5 []``: parse, then MsgType <35>, ClOrdID <11>, OrderQty <38>, Price <44> and
  Symbol <55> by ``msg[tag]``;
* ``parse+values``: parse, then the same five in one ``msg.values(...)``;
* ``parse+5 [] new``: ``parse+5 []`` over 4,096 orders that differ in ClOrdID, OrderQty, Price
  and Symbol, taken in turn: no value repeats within 4,096 messages, so none of the five reads
  finds its string among those kept for repeated short values (the binding's worst case; the
  identical message of ``parse+5 []`` is its best);
* ``Framer.feed``: the framer stream (1 MiB) in 64 KiB chunks, per message;
* ``encode``: the encode group's ``Encoder.encode`` of the order (its list of pairs built by the
  caller, as there); ``encode template``: that group's ``Encoder.encode_template`` (a tuple of
  the values, each checked against its slot's rule); ``encode fstring``: that group's
  pure-Python f-string join, the reference;
* ``compat build+send`` and ``compat receive+read``: the quickfix-compat groups' functions on
  ``fixwire.quickfix``, and with ``quickfix`` installed the same on QuickFIX (``qf ...``)
  (needs ``FIXWIRE_QUICKFIX_SPEC``, as that bench does).

Under an interpreter that also has ``refix`` (Python 3.12+, see ``refix_decode.py``), its two
counterparts are counted as well: ``refix 5 get_str`` (``Tokenizer.tokenize``, then the same
five by ``get_str``) and ``refix stream`` (``MessageStream.feed`` per chunk, ``next_message``
until ``None``), per message.
"""

import argparse
import dataclasses
import gc
import itertools
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fixwire  # after the path that finds benches
from benches import callgrind
from benches.bench_encode import WRITERS
from benches.conftest import (
    HAVE_QUICKFIX,
    ORDER,
    chunked,
    corpus_message,
    make_stream,
    new_order_single_bytes,
)

TAGS = (35, 11, 38, 44, 55)
ENCODE_CASES = {
    "encode": "fixwire",
    "encode template": "fixwire-template",
    "encode fstring": "fstring",
}


def case(name: str) -> tuple[Callable[[], object], int]:
    """Return one operation of ``name`` and how many units (calls or messages) it is."""
    data = corpus_message("bench_new_order_single")
    if name == "parse":
        return lambda: fixwire.parse(data), 1
    if name == "parse+5 []":

        def items() -> object:
            msg = fixwire.parse(data)
            return msg[35], msg[11], msg[38], msg[44], msg[55]

        return items, 1
    if name == "parse+values":
        return lambda: fixwire.parse(data).values(TAGS), 1
    if name == "parse+5 [] new":
        orders = [
            new_order_single_bytes(
                dataclasses.replace(
                    ORDER,
                    cl_ord_id=f"{n:08x}{ORDER.cl_ord_id[8:]}",
                    order_qty=10 + n,
                    price=Decimal(f"0.{n:04d}"),
                    symbol=f"HIGHNY-{n:04d}DEC",
                )
            )
            for n in range(4096)
        ]
        turn = itertools.cycle(orders)

        def new_items() -> object:
            msg = fixwire.parse(next(turn))
            return msg[35], msg[11], msg[38], msg[44], msg[55]

        return new_items, 1
    if name in ENCODE_CASES:
        write = WRITERS[ENCODE_CASES[name]]()
        return lambda: write(ORDER), 1
    if name.startswith(("compat ", "qf ")):
        return compat_case(name), 1
    if name == "refix 5 get_str":
        tokenizer = refix.Tokenizer()

        def tokenize() -> object:
            msg = tokenizer.tokenize(data)
            get = msg.get_str
            return get(35), get(11), get(38), get(44), get(55)

        return tokenize, 1
    stream = make_stream(1 << 20)
    chunks = chunked(stream.data, 64 * 1024)

    def frame() -> object:
        framer = fixwire.Framer()
        return [framer.feed(chunk) for chunk in chunks]

    def refix_stream() -> object:
        messages = refix.MessageStream()
        count = 0
        for chunk in chunks:
            messages.feed(chunk)
            while messages.next_message() is not None:
                count += 1
        return count

    return (frame if name == "Framer.feed" else refix_stream), stream.messages


def compat_case(name: str) -> Callable[[], object]:
    """One call of the quickfix-compat group named by ``name``, on the module it names."""
    from benches import bench_quickfix_compat as compat

    fix, fix44 = compat.modules("quickfix" if name.startswith("qf ") else "fixwire.quickfix")
    if name.endswith("build+send"):
        return lambda: compat.build_send(fix, fix44, 7)
    dd = fix.DataDictionary(str(compat.SPEC / "FIX44.xml"))
    text = compat.report_text()
    return lambda: compat.receive_read(fix, fix44, dd, text)


try:
    import refix  # type: ignore[import-not-found]  # only under a Python 3.12+ with refix
except ImportError:
    refix = None
FIXWIRE_CASES = (
    "parse",
    "parse+5 []",
    "parse+5 [] new",
    "parse+values",
    "Framer.feed",
    *ENCODE_CASES,
)
REFIX_CASES = ("refix 5 get_str", "refix stream")
COMPAT_CASES = ("compat build+send", "compat receive+read")
QUICKFIX_CASES = ("qf build+send", "qf receive+read")
CASES = FIXWIRE_CASES + COMPAT_CASES + (QUICKFIX_CASES if HAVE_QUICKFIX else ())
CASES += REFIX_CASES if refix is not None else ()


def worker(name: str, count: int) -> None:
    """Run ``count`` operations of ``name`` after a warm-up (the process callgrind counts)."""
    operation, _ = case(name)
    for _ in range(20):
        operation()
    gc.freeze()
    for _ in range(count):
        operation()


def counted(name: str, count: int) -> int:
    """Instructions of a worker process running ``count`` operations of ``name``."""
    return callgrind.counted(__file__, name, count)


def main() -> None:
    """Count every case (or the one named) and print instructions per unit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("CASE", "COUNT"))
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    if fixwire._native.DEBUG_BUILD:
        sys.exit("a debug build of the extension is installed: make build-release first")
    for name in args.cases:
        _, units = case(name)
        count = 5 if units > 1 else 1000 if name in COMPAT_CASES + QUICKFIX_CASES else 5000
        per_op = (counted(name, 2 * count) - counted(name, count)) / count
        unit = "message" if units > 1 else "call"
        print(f"{name:<20} {per_op / units:8.0f} instructions per {unit}")


if __name__ == "__main__":
    main()
