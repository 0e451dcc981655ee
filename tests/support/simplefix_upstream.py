"""A pytest plugin that runs simplefix's own test suite with ``simplefix`` meaning fixwire's.

Loaded with ``-p simplefix_upstream`` by ``tests/dropin/test_simplefix_upstream.py``, it puts
``fixwire.simplefix`` and its modules in ``sys.modules`` under simplefix's names before any
test module is imported, so the suite's ``import simplefix`` and ``from simplefix.message
import fix_tag`` get fixwire's. Where fixwire differs from simplefix on purpose, the test is in
``KNOWN_DIFFERENCES`` with the reason, and runs as a strict xfail: it must fail, and the run
fails if it passes or if an entry names no test. ``docs/simplefix.md`` lists the same entries.
"""

import sys

import pytest

import fixwire.simplefix
from fixwire.simplefix import constants, data, errors, message, parser

ALIASES = {
    "simplefix": fixwire.simplefix,
    "simplefix.constants": constants,
    "simplefix.data": data,
    "simplefix.errors": errors,
    "simplefix.message": message,
    "simplefix.parser": parser,
}
sys.modules.update(ALIASES)

# Test id (file::class::test) -> why fixwire.simplefix fails it on purpose.
KNOWN_DIFFERENCES: dict[str, str] = {}


def pytest_report_header() -> str:
    """Say, in the run's header, which package the suite is testing."""
    return f"simplefix resolved to {sys.modules['simplefix'].__name__}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the known differences as strict xfails; refuse entries that name no test."""
    unmatched = set(KNOWN_DIFFERENCES)
    for item in items:
        reason = KNOWN_DIFFERENCES.get(item.nodeid)
        if reason is not None:
            unmatched.discard(item.nodeid)
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    if unmatched:
        raise pytest.UsageError(f"KNOWN_DIFFERENCES names no test: {sorted(unmatched)}")
