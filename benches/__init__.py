"""pytest-benchmark suites: fixwire against simplefix, quickfix and plain Python.

A package (not a bare directory) so that ``benches/conftest.py`` is ``benches.conftest`` and does
not collide with ``tests/conftest.py`` when mypy checks both trees at once.
"""
