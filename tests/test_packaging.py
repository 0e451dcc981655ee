"""What an installed fixwire promises beyond its API: its version, its metadata, its licence,
the install hint when an extra is missing, and imports that work on every platform it claims.

A missing package is simulated the way Python itself reports one: ``sys.modules[name] = None``
makes ``import name`` raise ``ImportError``. Imports that happen once per process run in a
child interpreter so that the modules this process already holds are not disturbed.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import fixwire
from fixwire.errors import FixError, MissingExtraError

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, *missing: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a child interpreter in which each of ``missing`` cannot be imported."""
    prelude = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in missing)
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _workspace_version() -> str:
    with (ROOT / "Cargo.toml").open("rb") as f:
        version: str = tomllib.load(f)["workspace"]["package"]["version"]
    return version


def test_version_comes_from_the_workspace_manifest() -> None:
    assert fixwire.__version__ == _workspace_version() == metadata.version("fixwire")
    assert re.fullmatch(r"\d+\.\d+\.\d+", fixwire.__version__)


def test_unknown_attributes_still_raise() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = fixwire.no_such_name  # type: ignore[attr-defined]


def test_metadata_names_licence_urls_and_supported_pythons() -> None:
    meta = metadata.metadata("fixwire")
    classifiers = meta.get_all("Classifier") or []
    with (ROOT / "pyproject.toml").open("rb") as f:
        requires = tomllib.load(f)["project"]["requires-python"]
    oldest = int(re.fullmatch(r">=3\.(\d+)", requires).group(1))  # type: ignore[union-attr]
    minors = sorted(
        int(c.rsplit(".", 1)[1])
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert minors[0] == oldest
    assert minors == list(range(oldest, minors[-1] + 1)), minors
    assert "License :: OSI Approved :: MIT License" in classifiers
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL") or [])
    assert {"Repository", "Issues", "Changelog", "Documentation"} <= set(urls)


def test_licence_file_is_the_mit_licence_the_metadata_names() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    with (ROOT / "Cargo.toml").open("rb") as f:
        assert tomllib.load(f)["workspace"]["package"]["license"] == "MIT"


def test_changelog_keeps_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "[Keep a Changelog]" in text
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert headings[0] == "Unreleased"
    for heading in headings:
        assert f"\n[{heading}]: https://" in text, f"no link for [{heading}]"


# Extras: each names itself in the error raised when its packages are missing.


def test_missing_extra_error_is_a_fix_error_and_an_import_error() -> None:
    error = MissingExtraError("fixwire.read_arrow", "arrow", "pyarrow")
    assert isinstance(error, FixError)
    assert isinstance(error, ImportError)
    assert error.name == "pyarrow"
    assert str(error) == (
        "fixwire.read_arrow needs pyarrow, which is not installed: pip install 'fixwire[arrow]'"
    )
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.extra, again.name) == (
        MissingExtraError,
        str(error),
        "arrow",
        "pyarrow",
    )


def test_kalshi_without_cryptography_names_the_kalshi_extra() -> None:
    done = _run(
        """
        try:
            import fixwire.kalshi
        except ImportError as e:
            print(type(e).__name__, e.name, e.extra)
            print(e)
        """,
        "cryptography",
    )
    assert done.returncode == 0, done.stderr
    first, message = done.stdout.splitlines()
    assert first == "MissingExtraError cryptography kalshi"
    assert message.endswith("pip install 'fixwire[kalshi]'")
    assert message.startswith("fixwire.kalshi needs cryptography")


def test_the_simulator_without_cryptography_names_the_kalshi_extra() -> None:
    done = _run("import fixwire.kalshi.sim", "cryptography")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "fixwire.errors.MissingExtraError: fixwire.kalshi needs cryptography, which is not "
        "installed: pip install 'fixwire[kalshi]'"
    )


@pytest.mark.parametrize(
    ("call", "missing", "extra"),
    [
        ("fixwire.read_columns(b'', [11])", "numpy", "columns"),
        ("fixwire.read_arrow(b'', [11])", "pyarrow", "arrow"),
        ("fixwire.read_arrow(b'', [11])", "numpy", "arrow"),
    ],
)
def test_columns_without_their_packages_name_the_extra(
    call: str, missing: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(MissingExtraError, match=re.escape(f"pip install 'fixwire[{extra}]'")) as e:
        eval(call)
    assert e.value.name == missing


def test_dask_without_dask_names_the_dask_extra() -> None:
    done = _run(
        """
        import fixwire.dask
        try:
            fixwire.dask.read_fix([], [11])
        except ImportError as e:
            print(type(e).__name__, e.name)
            print(e)
        """,
        "dask",
        "dask.dataframe",
    )
    assert done.returncode == 0, done.stderr
    first, message = done.stdout.splitlines()
    assert first == "MissingExtraError dask.dataframe"
    assert message.endswith("pip install 'fixwire[dask]'")


def test_the_extras_the_errors_name_are_declared() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    assert {"kalshi", "columns", "arrow", "dask"} <= set(extras)
    assert any(r.startswith("cryptography") for r in extras["kalshi"])
    assert any(r.startswith("numpy") for r in extras["columns"])
    assert {"numpy", "pyarrow"} <= {re.split(r"[<>=\[]", r)[0] for r in extras["arrow"]}
    assert any(r.startswith("dask[dataframe]") for r in extras["dask"])


# Platforms: nothing fails at import where fcntl (a Unix module) is missing.


def test_session_imports_without_fcntl_and_the_journal_says_why_it_cannot_open(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "journal"
    done = _run(
        f"""
        import fixwire.session
        from fixwire.session import JournalStore, MemoryStore
        from fixwire.errors import StoreError
        store = MemoryStore()
        store.save(1, b"8=FIXT.1.1")
        assert store.messages(1, 1) == {{1: b"8=FIXT.1.1"}}
        try:
            JournalStore({str(journal)!r})
        except StoreError as e:
            print(e)
        """,
        "fcntl",
    )
    assert done.returncode == 0, done.stderr
    reason = "it needs fcntl's file lock (Unix)"
    assert done.stdout.strip() == f"cannot open journal {journal}: {reason}"
    assert not journal.exists()


def test_every_module_imports_without_fcntl() -> None:
    done = _run(
        """
        import importlib, pkgutil
        import fixwire
        for info in pkgutil.walk_packages(fixwire.__path__, "fixwire."):
            if not info.name.endswith(".__main__"):  # a __main__ runs its command
                importlib.import_module(info.name)
        print("ok")
        """,
        "fcntl",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
