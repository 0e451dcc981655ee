"""Shared inputs for the benchmark suites, built once in pure Python.

Everything here is independent of fixwire: the messages are framed by :func:`frame`, which
computes BodyLength <9> and CheckSum <10> itself, so a fixwire bug cannot hide in its own
fixtures. Messages are written with ``|`` for SOH, as in ``tests/data``, and converted once.

* :data:`ORDER` / ``new_order_single``: a Kalshi NewOrderSingle <35=D> of about 250 bytes, the
  message the decode and encode groups work on: ``bench_new_order_single`` of the shared corpus
  (``tests/data/corpus.txt``), and :data:`ORDER` its typed values.
* :func:`make_stream` / ``stream``: a mixed stream (D, eight ExecutionReports with the
  NoMiscFees <136>, NoCollateralAmountChanges <1703> and NoPartyIDs <453> groups, a Heartbeat,
  G, F, repeated) of ``FIXWIRE_BENCH_STREAM_MB`` MiB, default 8, for the framer group.
* :func:`split_parse`: the reference pure-Python parser, ``bytes.split`` plus ``partition``.
* :func:`record_rate`: puts a throughput into ``benchmark.extra_info`` and into a summary printed
  after the run, because the benchmark table itself has no column for it.
* :func:`record_memory`: the same for byte counts (peak RSS against input and output sizes).
* :func:`record_latency`: the same for latency percentiles (p50, p99) of single calls or round
  trips, optionally as multiples of another benchmark's.

In ``make test`` every benchmark runs once with ``--benchmark-disable``; each one asserts that its
result is right, so that smoke run checks the code as well as running it.
"""

import importlib.util
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar

import pytest

HAVE_QUICKFIX = importlib.util.find_spec("quickfix") is not None
"""quickfix (C++ behind SWIG) is optional: a 6-minute source build. The suites include it only
when it is installed, by leaving it out of their parameter lists, so nothing is ever skipped."""

P = ParamSpec("P")
T = TypeVar("T")


class Stats(Protocol):
    """The part of pytest-benchmark's statistics the suites read."""

    @property
    def median(self) -> float:
        """Median seconds per call."""

    @property
    def data(self) -> list[float]:
        """Seconds per call of each round, in the order the rounds ran."""


class Metadata(Protocol):
    """pytest-benchmark's per-benchmark results."""

    @property
    def stats(self) -> Stats:
        """The timing statistics."""


class Benchmark(Protocol):
    """The ``benchmark`` fixture, typed: pytest-benchmark's own class has no annotations."""

    name: str
    extra_info: dict[str, Any]
    disabled: bool  # --benchmark-disable: each function runs once, untimed
    stats: Metadata | None  # None until timed, and always under --benchmark-disable

    def __call__(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Time ``function(*args, **kwargs)`` over calibrated rounds; return one result."""

    def pedantic(
        self,
        target: Callable[..., T],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        setup: Callable[[], object] | None = None,
        teardown: Callable[[], object] | None = None,
        rounds: int = 1,
        warmup_rounds: int = 0,
        iterations: int = 1,
    ) -> T:
        """Time ``target`` over exactly ``rounds`` x ``iterations`` calls; return one result."""


SOH = b"\x01"
MIB = 1 << 20

STREAM_MB_ENV = "FIXWIRE_BENCH_STREAM_MB"
"""Environment variable: size of the framer group's stream in MiB (``make bench`` default 8)."""
DEFAULT_STREAM_MB = 8

# Who is who: a client's API key id is its SenderCompID; Kalshi answers as `Kalshi`.
API_KEY = "8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10"
KALSHI_NR = "KalshiNR"
KALSHI = "Kalshi"
ORDER_ID = "b5e3d2f1-7a4c-4c8e-9f10-3e2d1c0b9a87"
SUBTRADER_ID = "e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9"

SEQ_NUM = 2
SENDING_TIME = datetime(2026, 8, 20, 14, 30, 5, 123000, tzinfo=UTC)
SENDING_TIME_TEXT = "20260820-14:30:05.123"


@dataclass(frozen=True, slots=True)
class NewOrderSingle:
    """The order a strategy hands to an encoder, as typed Python values."""

    cl_ord_id: str  # ClOrdID <11>
    order_qty: int  # OrderQty <38>
    ord_type: str  # OrdType <40>
    price: Decimal  # Price <44>, dollars
    side: str  # Side <54>
    symbol: str  # Symbol <55>
    time_in_force: str  # TimeInForce <59>
    order_group_id: str  # SecondaryClOrdID <526>: Kalshi's order group id
    self_trade_prevention: int  # SelfTradePreventionType <2964>
    cancel_on_pause: bool  # CancelOrderOnPause <21006>

    def body_fields(self) -> list[tuple[int, str]]:
        """The body fields after the standard header, in wire order, as FIX text."""
        return [
            (11, self.cl_ord_id),
            (38, str(self.order_qty)),
            (40, self.ord_type),
            (44, f"{self.price:f}"),
            (54, self.side),
            (55, self.symbol),
            (59, self.time_in_force),
            (526, self.order_group_id),
            (2964, str(self.self_trade_prevention)),
            (21006, "Y" if self.cancel_on_pause else "N"),
        ]


ORDER = NewOrderSingle(
    cl_ord_id="7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a",
    order_qty=10,
    ord_type="2",
    price=Decimal("0.55"),
    side="1",
    symbol="HIGHNY-23DEC31",
    time_in_force="1",
    order_group_id="3f9e8d7c-6b5a-4938-a716-0f1e2d3c4b5a",
    self_trade_prevention=2,
    cancel_on_pause=True,
)

DECODE_TAGS = (35, 11, 38, 44, 55)
"""The five fields the decode group reads: MsgType, ClOrdID, OrderQty, Price, Symbol."""
DECODE_EXPECTED = ("D", ORDER.cl_ord_id, "10", "0.55", ORDER.symbol)
"""What reading :data:`DECODE_TAGS` from ``new_order_single`` must give, as text."""


def soh(text: str) -> bytes:
    """Return the UTF-8 bytes of ``text`` with every ``|`` replaced by SOH."""
    return text.replace("|", "\x01").encode()


def checksum(data: bytes) -> int:
    """Return the FIX CheckSum <10> of ``data``: the sum of its bytes modulo 256."""
    return sum(data) % 256


def frame(body: str, begin_string: str = "FIXT.1.1") -> bytes:
    """Wrap a message body in BeginString <8>, BodyLength <9> and CheckSum <10>.

    Args:
        body: Every field from MsgType <35> through the ``|`` that ends the last body field.
        begin_string: The value of BeginString <8>.

    Returns:
        The complete message with SOH delimiters.
    """
    if not body.endswith("|"):
        raise ValueError(f"body must end with '|': {body!r}")
    encoded = soh(body)
    head = b"8=%s\x019=%d\x01%s" % (begin_string.encode(), len(encoded), encoded)
    return head + b"10=%03d\x01" % checksum(head)


def header(msg_type: str, sender: str, target: str, seq_num: int, sending_time: str) -> str:
    """Return MsgType <35> and the standard header fields in fixwire's order, ``|`` form."""
    return f"35={msg_type}|49={sender}|56={target}|34={seq_num}|52={sending_time}|"


def new_order_single_bytes(
    order: NewOrderSingle = ORDER, *, seq_num: int = SEQ_NUM, sending_time: str = SENDING_TIME_TEXT
) -> bytes:
    """Return ``order`` framed as a NewOrderSingle <35=D> from :data:`API_KEY` to KalshiNR."""
    body = "".join(f"{tag}={value}|" for tag, value in order.body_fields())
    return frame(header("D", API_KEY, KALSHI_NR, seq_num, sending_time) + body)


def split_parse(data: bytes) -> dict[int, bytes]:
    """Parse one FIX message into ``{tag: value}``: the fastest honest pure-Python way.

    One ``bytes.split`` on SOH, one ``partition`` on ``=`` per field, ``int`` for the tag. It
    checks nothing (BodyLength, CheckSum, field syntax) and keeps the last occurrence of a
    repeated tag, so it does less than any of the codecs it is compared with.
    """
    fields: dict[int, bytes] = {}
    for field in data.split(SOH)[:-1]:
        tag, _, value = field.partition(b"=")
        fields[int(tag)] = value
    return fields


def _round(n: int, seq: int) -> list[bytes]:
    """Return the twelve messages of one round of the mixed stream, numbered from ``seq``.

    A round is one order's life: NewOrderSingle, eight fills (ExecutionReports carrying the
    NoMiscFees <136>, NoPartyIDs <453> and NoCollateralAmountChanges <1703> groups), a
    Heartbeat, a cancel/replace and a cancel.
    """
    time = f"20260820-14:{30 + n // 60 % 30:02d}:{n % 60:02d}.{n % 1000:03d}"
    cl_ord_id = f"{n:08x}-2b1f-4e5d-8c6a-9f0e1d2c3b4a"
    replace_id = f"{n:08x}-2b1f-4e5d-8c6a-9f0e1d2c3b4b"
    cancel_id = f"{n:08x}-2b1f-4e5d-8c6a-9f0e1d2c3b4c"
    parties = f"453=1|448={SUBTRADER_ID}|452=24|"
    messages = [
        new_order_single_bytes(
            NewOrderSingle(
                cl_ord_id=cl_ord_id,
                order_qty=80 + n % 20,
                ord_type="2",
                price=Decimal(f"0.{10 + n % 89:02d}"),
                side="12"[n % 2],
                symbol=ORDER.symbol,
                time_in_force="1",
                order_group_id=ORDER.order_group_id,
                self_trade_prevention=2,
                cancel_on_pause=bool(n % 2),
            ),
            seq_num=seq,
            sending_time=time,
        )
    ]
    for fill in range(1, 9):
        cum_qty = 10 * fill
        messages.append(
            frame(
                header("8", KALSHI, API_KEY, seq + fill, time)
                + f"37={ORDER_ID}|11={cl_ord_id}|17={1742 + n};{88431 + fill}|150=F|"
                f"39={'2' if fill == 8 else '1'}|54=1|55={ORDER.symbol}|151={80 - cum_qty}.00|"
                f"14={cum_qty}.00|6=0.4200|38=80.00|31=0.4200|32=10.00|44=0.4200|60={time}|"
                f"136=1|137=0.{fill:02d}00|138=USD|139=4|891=0|{parties}79=3|704=10.00|705=0.00|"
                f"1703=2|1704=-4.2000|1705=BALANCE|1704=10.00|1705=PAYOUT|"
                f"880=T-{1742 + n}-{88431 + fill}|1057=Y|30=0|"
            )
        )
    messages.append(frame(header("0", API_KEY, KALSHI_NR, seq + 9, time)))
    messages.append(
        frame(
            header("G", API_KEY, KALSHI_NR, seq + 10, time)
            + f"11={replace_id}|37={ORDER_ID}|41={cl_ord_id}|38=20|40=2|44=0.56|54=1|"
            f"55={ORDER.symbol}|{parties}"
        )
    )
    messages.append(
        frame(
            header("F", API_KEY, KALSHI_NR, seq + 11, time)
            + f"11={cancel_id}|37={ORDER_ID}|41={replace_id}|54=1|55={ORDER.symbol}|{parties}"
        )
    )
    return messages


ROUND_MESSAGES = 12
"""Messages in one round of the mixed stream: D, 8 x ExecutionReport, 0, G, F."""
_DISTINCT_ROUNDS = 256
"""Rounds with distinct ids and numbers; longer streams repeat them (see :func:`make_stream`)."""


@dataclass(frozen=True, slots=True)
class Stream:
    """A mixed stream of whole messages and what a correct decoder must find in it."""

    data: bytes
    messages: int
    last_message: bytes


def make_stream(size: int) -> Stream:
    """Return a mixed stream of whole rounds, at most ``size`` bytes but never under one round.

    The first 256 rounds (about 800 KiB) differ in ids, quantities, prices, times and MsgSeqNum
    <34>; a longer stream repeats them, which costs a framer nothing it could exploit.
    """
    rounds = [_round(n, 1 + ROUND_MESSAGES * n) for n in range(_DISTINCT_ROUNDS)]
    blobs = [b"".join(messages) for messages in rounds]
    parts: list[bytes] = []
    total = 0
    while not parts or total + len(blobs[len(parts) % _DISTINCT_ROUNDS]) <= size:
        blob = blobs[len(parts) % _DISTINCT_ROUNDS]
        parts.append(blob)
        total += len(blob)
    return Stream(
        data=b"".join(parts),
        messages=ROUND_MESSAGES * len(parts),
        last_message=rounds[(len(parts) - 1) % _DISTINCT_ROUNDS][-1],
    )


def round_messages(n: int) -> list[bytes]:
    """Return the twelve messages of round ``n`` of :func:`make_stream`'s stream, in order."""
    distinct = n % _DISTINCT_ROUNDS
    return _round(distinct, 1 + ROUND_MESSAGES * distinct)


def env_size(name: str, default: float) -> int:
    """Return the size in bytes given in MiB by environment variable ``name``, or ``default``."""
    text = os.environ.get(name, str(default))
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        raise pytest.UsageError(f"{name} must be a positive number of MiB, not {text!r}")
    return int(megabytes * MIB)


def stream_size() -> int:
    """Return the framer stream size in bytes from ``FIXWIRE_BENCH_STREAM_MB`` (MiB)."""
    return env_size(STREAM_MB_ENV, DEFAULT_STREAM_MB)


def chunked(data: bytes, size: int) -> list[bytes]:
    """Split ``data`` into ``size``-byte chunks, as successive socket reads would deliver it."""
    return [data[i : i + size] for i in range(0, len(data), size)]


CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus.txt"
"""The shared corpus, one ``<name> <message>`` a line with ``|`` for SOH."""


def corpus_message(name: str) -> bytes:
    """Return the message called ``name`` in :data:`CORPUS`, with SOH in place of ``|``."""
    for line in CORPUS.read_text().splitlines():
        entry, _, text = line.partition(" ")
        if entry == name:
            return soh(text)
    raise LookupError(f"{CORPUS} has no message called {name!r}")


@pytest.fixture(scope="session")
def new_order_single() -> bytes:
    """The Kalshi NewOrderSingle <35=D> of :data:`ORDER`, about 250 bytes, from the corpus.

    The encode group writes :data:`ORDER` from its typed values; framing them here must give
    the corpus message byte for byte, so both groups work on the same order.
    """
    data = corpus_message("bench_new_order_single")
    if data != new_order_single_bytes():
        raise AssertionError("ORDER and the corpus's bench_new_order_single differ")
    return data


@pytest.fixture(scope="session")
def stream() -> Stream:
    """The framer group's mixed stream, ``FIXWIRE_BENCH_STREAM_MB`` MiB (default 8)."""
    return make_stream(stream_size())


_RATES: list[str] = []


def record_rate(
    benchmark: Benchmark, unit: str, amount: float, seconds: float | None = None
) -> None:
    """Record ``amount`` ``unit`` per call of the benchmarked function as a rate per second.

    The rate uses the median time (or ``seconds``, a time of its own such as a peer's CPU time)
    and goes into ``benchmark.extra_info`` (so into ``--benchmark-json``) and into the summary
    printed at the end of the run. Under ``--benchmark-disable`` there is no timing, and only
    the amount is recorded.
    """
    benchmark.extra_info[unit] = amount
    if benchmark.stats is None:
        return
    rate = amount / (benchmark.stats.stats.median if seconds is None else seconds)
    benchmark.extra_info[f"{unit}_per_s"] = rate
    _RATES.append(f"{benchmark.name:<44} {_si(rate)} {unit}/s")


_MEMORY: list[str] = []


def record_memory(benchmark: Benchmark, **amounts: int) -> None:
    """Record byte counts (a peak RSS, the input's and the output's sizes) of one benchmark.

    They go into ``benchmark.extra_info`` under their keyword names, and, when the run is
    timed, into a summary printed at the end of the run, in the order given.
    """
    benchmark.extra_info.update(amounts)
    if benchmark.stats is None:
        return
    sizes = "  ".join(f"{name} {_si(amount)}B" for name, amount in amounts.items())
    _MEMORY.append(f"{benchmark.name:<44} {sizes}")


_LATENCIES: dict[str, tuple[float, float, str | None]] = {}


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``samples``: ``fraction`` 0.5 is the median."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def record_latency(
    benchmark: Benchmark,
    samples: Sequence[float] | None = None,
    *,
    baseline: str | None = None,
    name: str | None = None,
) -> None:
    """Record the p50 and p99 of per-call latencies (seconds) of one benchmark.

    pytest-benchmark's statistics have no high percentiles, and its rounds are per-call times
    only when a benchmark runs ``benchmark.pedantic`` with ``iterations=1``. The percentiles go
    into ``benchmark.extra_info`` as ``p50_us`` and ``p99_us`` and, when the run is timed, into
    a summary printed at the end of the run.

    Args:
        benchmark: The benchmark the latencies belong to.
        samples: One latency per call or round trip; by default the benchmark's own rounds.
        baseline: The name of another benchmark (or ``name``) of the run; the summary also
            gives this one's percentiles as multiples of that one's.
        name: For a second series measured in the same benchmark (a baseline interleaved
            with it): its name in the summary, and the prefix of its ``extra_info`` keys.
    """
    if samples is None:
        if benchmark.stats is None:
            return
        samples = benchmark.stats.stats.data
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    prefix = "" if name is None else f"{name}_"
    benchmark.extra_info[f"{prefix}p50_us"] = p50 * 1e6
    benchmark.extra_info[f"{prefix}p99_us"] = p99 * 1e6
    benchmark.extra_info[f"{prefix}samples"] = len(samples)
    if benchmark.stats is not None:
        _LATENCIES[benchmark.name if name is None else name] = (p50, p99, baseline)


def _latency_line(name: str, p50: float, p99: float, baseline: str | None) -> str:
    line = f"{name:<44} p50 {p50 * 1e6:9.2f} us   p99 {p99 * 1e6:9.2f} us"
    if baseline is not None and baseline in _LATENCIES:
        base_p50, base_p99, _ = _LATENCIES[baseline]
        line += f"   x{p50 / base_p50:.2f} / x{p99 / base_p99:.2f} of {baseline}"
    return line


def _si(value: float) -> str:
    """Format ``value`` with an SI prefix: ``12.3 G``."""
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{value / factor:8.2f} {prefix}"
    return f"{value:8.2f} "


def pytest_configure(config: pytest.Config) -> None:
    """Stop a timed run on a debug build of the extension, whose figures mean nothing.

    ``make build`` and ``make lint`` install a debug build over a release one without a word; the
    smoke runs of ``make test`` (``--benchmark-disable``) time nothing and go on.
    """
    from fixwire._native import DEBUG_BUILD

    if DEBUG_BUILD and not config.getoption("benchmark_disable"):
        pytest.exit("fixwire._native is a debug build: run `make build-release` first", 2)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print the throughputs recorded by :func:`record_rate` (median based), the byte counts
    recorded by :func:`record_memory` and the percentiles recorded by :func:`record_latency`.
    """
    if _RATES:
        terminalreporter.section("throughput (median)")
        for line in _RATES:
            terminalreporter.write_line(line)
    if _MEMORY:
        terminalreporter.section("memory")
        for line in _MEMORY:
            terminalreporter.write_line(line)
    if _LATENCIES:
        terminalreporter.section("latency (p50 / p99)")
        for name, (p50, p99, baseline) in _LATENCIES.items():
            terminalreporter.write_line(_latency_line(name, p50, p99, baseline))
