"""Shared fixtures: the corpus (``tests/data``) with SOH in place of ``|``, and group specs.

A test that takes ``corpus_entry`` runs once per message of ``corpus.txt``; one that takes
``invalid_entry`` runs once per line of ``invalid.txt``. Both are parametrized here, with the
corpus names as test ids, so a failure names the message that broke.
"""

import pytest

import fixwire
from fixtext import CorpusEntry, load_corpus, load_invalid


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``corpus_entry`` and ``invalid_entry`` over the corpus files."""
    if "corpus_entry" in metafunc.fixturenames:
        corpus = load_corpus()
        metafunc.parametrize("corpus_entry", corpus, ids=[e.name for e in corpus])
    if "invalid_entry" in metafunc.fixturenames:
        invalid = load_invalid()
        metafunc.parametrize("invalid_entry", invalid, ids=[e.name for e in invalid])


@pytest.fixture(scope="session")
def corpus() -> dict[str, bytes]:
    """Every corpus message by name."""
    return {entry.name: entry.data for entry in load_corpus()}


@pytest.fixture(scope="session")
def corpus_entries() -> tuple[CorpusEntry, ...]:
    """Every corpus entry, in file order."""
    return load_corpus()


@pytest.fixture(scope="session")
def kalshi_groups() -> fixwire.GroupSpecs:
    """The repeating groups of kalshi-fix-spec.md section 16."""
    return fixwire.GroupSpecs.kalshi()
