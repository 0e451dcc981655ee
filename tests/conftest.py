"""Shared fixtures: the corpus (``tests/data``) with SOH in place of ``|``, group specs, the
data dictionaries (fixwire's and QuickFIX's), an encoder, and the Kalshi tests'
throwaway TLS certificate and signing key.

A test that takes ``corpus_entry`` runs once per message of ``corpus.txt``; one that takes
``invalid_entry`` runs once per line of ``invalid.txt``. Both are parametrized here, with the
corpus names as test ids, so a failure names the message that broke.

QuickFIX's own FIXT11.xml and FIX50SP2.xml come from its source release: ``make quickfix``
extracts them to the directory the Makefile exports as ``FIXWIRE_QUICKFIX_SPEC``.
"""

import os
from pathlib import Path
from typing import Any

import pytest

import fixwire
from fixtext import CorpusEntry, load_corpus, load_invalid
from fixwire.kalshi.signing import LogonSigner, generate_key
from fixwire.kalshi.tls import SelfSignedCertificate


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


@pytest.fixture(scope="session")
def kalshi() -> fixwire.Dictionary:
    """The bundled Kalshi dictionary."""
    return fixwire.Dictionary.kalshi()


@pytest.fixture(scope="session")
def quickfix_spec() -> Path:
    """QuickFIX's spec directory (FIXT11.xml, FIX50SP2.xml, FIX44.xml, ...)."""
    spec = Path(os.environ.get("FIXWIRE_QUICKFIX_SPEC", ""))
    if not (spec / "FIX50SP2.xml").is_file():
        pytest.fail(
            "FIXWIRE_QUICKFIX_SPEC must name QuickFIX's spec directory: run `make quickfix`, "
            "then `export FIXWIRE_QUICKFIX_SPEC=$HOME/.cache/fixwire/quickfix-1.16.0/spec`"
        )
    return spec


@pytest.fixture(scope="session")
def fix50sp2(quickfix_spec: Path) -> fixwire.Dictionary:
    """QuickFIX's FIX50SP2.xml with its transport FIXT11.xml, loaded once (slow in debug)."""
    return fixwire.Dictionary.from_xml(quickfix_spec / "FIX50SP2.xml", quickfix_spec / "FIXT11.xml")


@pytest.fixture(scope="session")
def quickfix_fix50sp2(quickfix_spec: Path) -> tuple[Any, Any]:
    """QuickFIX's own ``(session, application)`` DataDictionary pair for FIXT.1.1/FIX50SP2."""
    # Imported here, not at the top: only the QuickFIX comparisons need it.
    import quickfix

    return (
        quickfix.DataDictionary(str(quickfix_spec / "FIXT11.xml")),
        quickfix.DataDictionary(str(quickfix_spec / "FIX50SP2.xml")),
    )


@pytest.fixture
def encoder() -> fixwire.Encoder:
    """An encoder with the default FIXT.1.1 BeginString and millisecond SendingTime."""
    return fixwire.Encoder("SENDER", "TARGET")


@pytest.fixture(scope="session")
def certificate() -> SelfSignedCertificate:
    """A throwaway self-signed TLS certificate for the Kalshi simulator and its clients."""
    return SelfSignedCertificate.generate()


@pytest.fixture(scope="session")
def signer() -> LogonSigner:
    """A throwaway RSA key that signs Kalshi Logons."""
    return LogonSigner(generate_key())
