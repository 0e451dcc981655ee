"""Parse + read five fields of the decode group's NewOrderSingle: fixwire against ``refix``.

``refix`` (PyPI, Rust behind PyO3) needs Python 3.12 or later, so this runs on its own, under
an interpreter that has both ``refix`` and a release build of fixwire installed:
``python benches/refix_decode.py``. Each reader parses the message (fixwire verifies BodyLength
<9> and CheckSum <10>) and returns MsgType <35>, ClOrdID <11>, OrderQty <38>, Price <44> and
Symbol <55> as ``str``. The readers take turns, ``--rounds`` times, each round timing
``--number`` calls with ``timeit``; the best round of each is printed, in nanoseconds a call,
with fixwire's ratio to refix from the same run.
"""

import argparse
import functools
import timeit
from collections.abc import Callable
from pathlib import Path

import refix  # type: ignore[import-not-found]  # only under a Python 3.12+ with refix

import fixwire

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus.txt"
TAGS = (35, 11, 38, 44, 55)


def order() -> bytes:
    """The corpus's ``bench_new_order_single``, SOH in place of ``|``."""
    for line in CORPUS.read_text().splitlines():
        name, _, text = line.partition(" ")
        if name == "bench_new_order_single":
            return text.replace("|", "\x01").encode()
    raise LookupError("bench_new_order_single is not in the corpus")


def readers() -> dict[str, Callable[[bytes], tuple[str | None, ...]]]:
    """Each implementation's parse-and-read-five function."""
    tokenizer = refix.Tokenizer()

    def fixwire_items(data: bytes) -> tuple[str | None, ...]:
        msg = fixwire.parse(data)
        return msg[35], msg[11], msg[38], msg[44], msg[55]

    def fixwire_values(data: bytes) -> tuple[str | None, ...]:
        return fixwire.parse(data).values(TAGS)

    def refix_get_str(data: bytes) -> tuple[str | None, ...]:
        msg = tokenizer.tokenize(data)
        return msg.get_str(35), msg.get_str(11), msg.get_str(38), msg.get_str(44), msg.get_str(55)

    return {
        "fixwire msg[tag]": fixwire_items,
        "fixwire msg.values": fixwire_values,
        "refix get_str": refix_get_str,
    }


def main() -> None:
    """Time every reader in turns and print the best round of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=100_000)
    args = parser.parse_args()
    data = order()
    impls = readers()
    answers = {name: read(data) for name, read in impls.items()}
    if len(set(answers.values())) != 1:
        raise AssertionError(f"the readers disagree: {answers}")
    best = dict.fromkeys(impls, float("inf"))
    for _ in range(args.rounds):
        for name, read in impls.items():
            seconds = timeit.timeit(functools.partial(read, data), number=args.number)
            best[name] = min(best[name], seconds / args.number * 1e9)
    for name, nanos in best.items():
        print(f"{name:<20} {nanos:8.1f} ns   {nanos / best['refix get_str']:.2f}x refix")


if __name__ == "__main__":
    main()
