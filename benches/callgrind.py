"""The instructions a worker process runs, counted by callgrind: the one home of the count the
``*_instructions.py`` scripts take twice per case (``N`` and ``2N`` operations), so that the
difference leaves out start-up and warm-up. Instruction counts do not depend on the machine's
load, as times do; hash seeds would move them, so each worker runs with ``PYTHONHASHSEED=0``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence

#: callgrind's summary line on stderr: ``==123== Collected : 1,234,567``.
COLLECTED = re.compile(r"Collected : ([\d,]+)")


def counted(script: str, case: str, count: int, options: Sequence[str] = ()) -> int:
    """Instructions of ``python script --worker case count`` under callgrind, with callgrind's
    ``options`` (say, which function's run alone is collected).
    """
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *options]
    command += [sys.executable, script, "--worker", case, str(count)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    found = COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total for {case}: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))
