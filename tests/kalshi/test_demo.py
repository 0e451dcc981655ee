"""``make demo`` runs: the scripted session against the simulator completes and reports."""

from __future__ import annotations

import subprocess
import sys


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
