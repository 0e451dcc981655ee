"""abi3 against per-version wheels: the same calls timed on each installed wheel, interleaved.

The abi3 (stable ABI) build of the extension reaches CPython only through exported functions,
where a per-version build may use macros and inline struct access; this measures what that
costs on the calls that matter, so the choice of wheel is made on figures. Run it through
``make wheel-abi-compare`` (it builds both kinds of wheel and one venv per wheel and Python).

Each *worker* runs in a venv with one fixwire wheel installed (never the source tree) and
prints, as JSON, the best per-call time in nanoseconds of each case over a few batches. The
*driver* starts the workers in turn, round after round, so that every wheel sees the same
machine load, and prints the median of each case over the rounds and the abi3/per-version
ratio for each Python.

Cases: ``parse`` (one NewOrderSingle parsed, five fields read), ``encode`` (one
NewOrderSingle encoded), ``send`` (``Session.send`` and ``data_to_send`` on a logged-on
sans-IO session with a memory store) and ``columns`` (``read_columns`` of a 20,000-message
log, four columns; nanoseconds per message).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fixwire.session import FieldValue

CASES = ("parse", "encode", "send", "columns")
COLUMN_MESSAGES = 20_000
NOW = 1_787_236_205.123
BATCH_SECONDS = 0.02
BATCHES = 7
VALGRIND = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")
ORDER_FIELDS: list[tuple[int, FieldValue]] = [
    (11, "ord-000123"),
    (38, 10),
    (40, "2"),
    (44, Decimal("0.55")),
    (54, "1"),
    (55, "HIGHNY-26AUG20-B75"),
    (59, "1"),
]


def _best_ns(call: Callable[[], object]) -> float:
    """The best mean time of one call over :data:`BATCHES` batches of about 20 ms each."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            call()
        if time.perf_counter() - start >= BATCH_SECONDS:
            break
        n *= 2
    best = float("inf")
    for _ in range(BATCHES):
        start = time.perf_counter_ns()
        for _ in range(n):
            call()
        best = min(best, (time.perf_counter_ns() - start) / n)
    return best


def _parse() -> Callable[[], object]:
    import fixwire

    order = fixwire.Encoder("CLIENT", "VENUE").encode(
        "D", ORDER_FIELDS, seq_num=7, sending_time=NOW
    )

    def parse() -> object:
        msg = fixwire.parse(order)
        return msg.msg_type, msg[11], msg.get_int(38), msg.get_decimal(44), msg[55]

    return parse


def _encode() -> Callable[[], object]:
    import fixwire

    encoder = fixwire.Encoder("CLIENT", "VENUE")

    def encode() -> object:
        return encoder.encode("D", ORDER_FIELDS, seq_num=7, sending_time=NOW)

    return encode


def _send() -> Callable[[], object]:
    from fixwire.session import MemoryStore, Role, Session, SessionConfig

    initiator = Session(
        SessionConfig(sender_comp_id="CLIENT", target_comp_id="VENUE"), MemoryStore()
    )
    acceptor = Session(
        SessionConfig(sender_comp_id="VENUE", target_comp_id="CLIENT", role=Role.ACCEPTOR)
    )
    initiator.connection_made(NOW)
    acceptor.connection_made(NOW)
    acceptor.receive(initiator.data_to_send(), NOW)
    initiator.receive(acceptor.data_to_send(), NOW)
    if not initiator.logged_on:
        raise RuntimeError(f"no logon: {initiator.next_events()}")
    initiator.next_events()

    def send() -> object:
        initiator.send("D", ORDER_FIELDS, NOW)
        return initiator.data_to_send()

    return send


def _columns() -> Callable[[], object]:
    import fixwire

    encoder = fixwire.Encoder("CLIENT", "VENUE")
    log = b"".join(
        encoder.encode("D", ORDER_FIELDS, seq_num=seq, sending_time=NOW)
        for seq in range(1, COLUMN_MESSAGES + 1)
    )

    def columns() -> object:
        return fixwire.read_columns(log, [11, 38, 44, 52], threads=1)

    return columns


BUILDERS = {"parse": _parse, "encode": _encode, "send": _send, "columns": _columns}


def worker() -> None:
    """Times every case on the installed wheel and prints the figures as one JSON object."""
    import fixwire

    figures = {name: _best_ns(build()) for name, build in BUILDERS.items()}
    figures["columns"] /= COLUMN_MESSAGES
    print(json.dumps({"module": fixwire._native.__file__, "ns": figures}))


def count(case: str, calls: int) -> None:
    """Makes ``calls`` calls of ``case`` and nothing else (for an instruction count)."""
    call = BUILDERS[case]()
    for _ in range(calls):
        call()


def _instructions(python: str, case: str, calls: int) -> int:
    """Instructions valgrind counts for a worker that makes ``calls`` calls of ``case``."""
    done = subprocess.run(
        [*VALGRIND, python, __file__, "--count", case, str(calls)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
        cwd=Path(python).parent,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind: {done.stderr[-500:]}")
    return int(found.group(1))


def instructions(pythons: dict[str, str], calls: int) -> dict[str, dict[str, float]]:
    """Instructions per call of each case but columns, under each Python: the count of a run
    of ``2 * calls`` calls less that of a run of ``calls``, so start-up and setup cancel.
    """
    return {
        label: {
            case: (_instructions(python, case, 2 * calls) - _instructions(python, case, calls))
            / calls
            for case in CASES
            if case != "columns"
        }
        for label, python in pythons.items()
    }


def _tables(title: str, medians: dict[str, dict[str, float]]) -> None:
    cases = list(next(iter(medians.values())))
    print(f"\n{title}\n")
    print("| Python | wheel | " + " | ".join(cases) + " |")
    print("|---|---|" + "---|" * len(cases))
    for label, figures in medians.items():
        version, kind = label.split("-", 1)
        cells = " | ".join(f"{figures[case]:.0f}" for case in cases)
        print(f"| {version} | {kind} | {cells} |")
    print("\nabi3 / per-version (above 1: abi3 costs more)\n")
    print("| Python | " + " | ".join(cases) + " |")
    print("|---|" + "---|" * len(cases))
    for label in medians:
        version, kind = label.split("-", 1)
        if kind != "abi3" or f"{version}-version" not in medians:
            continue
        other = medians[f"{version}-version"]
        cells = " | ".join(f"{medians[label][c] / other[c]:.3f}" for c in cases)
        print(f"| {version} | {cells} |")


def driver(pythons: dict[str, str], rounds: int) -> None:
    """Runs the workers ``rounds`` times in turn; prints the medians and the ratios."""
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in pythons}
    modules: dict[str, str] = {}
    for _ in range(rounds):
        for label, python in pythons.items():
            done = subprocess.run(
                [python, __file__, "--worker"],
                capture_output=True,
                text=True,
                check=True,
                timeout=600,
                cwd=Path(python).parent,
            )
            result = json.loads(done.stdout)
            modules[label] = result["module"]
            runs[label].append(result["ns"])
    for label, module in modules.items():
        print(f"{label}: {module}")
    medians = {
        label: {case: statistics.median(r[case] for r in figures) for case in CASES}
        for label, figures in runs.items()
    }
    _tables(f"median of {rounds} rounds, ns per call (columns: ns per message)", medians)


def main() -> None:
    """``--worker``, or ``LABEL=PYTHON ...`` with labels such as ``3.12-abi3``, ``3.12-version``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help="time the installed wheel")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", nargs=2, metavar=("CASE", "CALLS"), help="calls, no timing")
    parser.add_argument(
        "--instructions", type=int, metavar="CALLS", help="also count instructions (valgrind)"
    )
    parser.add_argument("pythons", nargs="*", metavar="LABEL=PYTHON")
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    if args.count:
        count(args.count[0], int(args.count[1]))
        return
    pythons = dict(p.split("=", 1) for p in args.pythons)
    driver(pythons, args.rounds)
    if args.instructions:
        _tables("instructions per call (valgrind)", instructions(pythons, args.instructions))


if __name__ == "__main__":
    main()
