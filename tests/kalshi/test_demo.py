"""``make demo`` runs: the scripted session against the simulator completes and reports."""

from __future__ import annotations

import subprocess
import sys

from fixwire.kalshi.demo import histogram


def test_demo_runs_to_the_end() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fixwire.kalshi.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "LoggedOn: signed Logon accepted" in out
    assert "[ORDER_GROUP_CANCEL]" in out
    assert "[EXCEEDED_ORDER_GROUP_RISK_LIMIT]" in out
    assert "[MARKET_NOT_FOUND]" in out
    assert "MassCancelReport accepted=True" in out
    assert "final position in DEMO-RAIN-26NOV30: Yes 0, No 2" in out
    assert "still open: none" in out
    assert "order -> acknowledgement  p50" in out
    # Two ExecutionReports received, decoded: the bid working, then its first fill.
    assert "  ExecutionReport <8>: the order is working\n" in out
    assert "  ExecutionReport <8>: a fill\n" in out
    assert "    150 ExecType                     = F (TRADE)\n" in out
    assert "    1705 CollateralAmountType" in out  # a group entry, indented
    assert "RawData" not in out  # the signed Logon is never shown
    assert len([line for line in out.splitlines() if " µs  █" in line and "<- p50" in line]) == 1


def test_histogram_rows_double_in_width_and_mark_the_percentiles() -> None:
    samples = [300.0] * 10 + [700.0] * 80 + [5000.0] * 9 + [40000.0]
    assert histogram(samples, width=10) == [
        "      256 -     512 µs  ██            10",
        "      512 -   1,024 µs  ██████████    80  <- p50",
        "    1,024 -   2,048 µs                 0",
        "    2,048 -   4,096 µs                 0",
        "    4,096 -   8,192 µs  ██             9",
        "    8,192 -  16,384 µs                 0",
        "   16,384 -  32,768 µs                 0",
        "   32,768 -  65,536 µs  █              1  <- p99",
    ]


def test_histogram_of_equal_samples_is_one_row_holding_both_percentiles() -> None:
    assert histogram([600.0] * 5, width=4) == ["      512 -   1,024 µs  ████     5  <- p50 and p99"]
