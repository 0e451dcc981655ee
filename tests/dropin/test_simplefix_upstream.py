"""simplefix's own test suite, from its source release, run against ``fixwire.simplefix``.

``make simplefix-suite`` (a step of ``make test``) fetches the release into the cache and
exports its ``test`` directory as ``FIXWIRE_SIMPLEFIX_SUITE``. The suite runs in a separate
pytest process with the ``simplefix_upstream`` plugin, which makes ``import simplefix`` give
fixwire's package; this test checks that every one of its tests ran and passed, apart from the
strict xfails of the plugin's ``KNOWN_DIFFERENCES``.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simplefix_upstream import KNOWN_DIFFERENCES

SUPPORT = Path(__file__).resolve().parents[1] / "support"


@pytest.fixture(scope="module")
def suite() -> Path:
    """The ``test`` directory of simplefix's source release."""
    path = Path(os.environ.get("FIXWIRE_SIMPLEFIX_SUITE", ""))
    if not (path / "test_parser.py").is_file():
        pytest.fail(
            "FIXWIRE_SIMPLEFIX_SUITE must name simplefix's test directory: run "
            "`make simplefix-suite`, then "
            "`export FIXWIRE_SIMPLEFIX_SUITE=$HOME/.cache/fixwire/simplefix-1.0.17/test`"
        )
    return path


def unittest_methods(suite: Path) -> int:
    """Count the ``test*`` methods of the suite's ``unittest.TestCase`` classes by reading it."""
    count = 0
    for path in sorted(suite.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).endswith("TestCase") for base in node.bases
            ):
                count += sum(
                    isinstance(item, ast.FunctionDef) and item.name.startswith("test")
                    for item in node.body
                )
    return count


def test_simplefix_suite_passes_on_fixwire(suite: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "simplefix_upstream",
            "-p",
            "no:cacheprovider",
            # The suite is unittest's: its module-level test_* functions are helpers.
            "-o",
            "python_functions=unittest_only",
            "-W",
            "error",
            # simplefix warns when its own deprecated methods are called, as the suite does.
            "-W",
            "ignore:simplefix.:DeprecationWarning",
            "-rfEsxX",
            str(suite),
        ],
        cwd=suite,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "simplefix resolved to fixwire.simplefix" in output, output
    counts = {
        word: int(number)
        for number, word in re.findall(
            r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)", output
        )
    }
    expected = unittest_methods(suite)
    assert expected >= 130, f"the suite has only {expected} tests: is it the right release?"
    assert counts == {
        "passed": expected - len(KNOWN_DIFFERENCES),
        **({"xfailed": len(KNOWN_DIFFERENCES)} if KNOWN_DIFFERENCES else {}),
    }, output
