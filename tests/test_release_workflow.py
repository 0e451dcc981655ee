"""The release workflow builds what the package metadata claims, and tries what it builds.

GitHub runs the workflow, not this machine; these tests hold its lists to the one home of each
fact (the Python versions are the classifiers of ``pyproject.toml``, the smoke tests are
``tests/smoke.txt``), and ``make lint`` checks it against GitHub's workflow schema.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text())
    return loaded


def _pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def _claimed_pythons() -> list[str]:
    return [
        c.rsplit(" ", 1)[1]
        for c in _pyproject()["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]


def _steps(job: dict[str, Any], uses: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(uses)]


def test_every_python_list_is_the_classifiers() -> None:
    pythons = _claimed_pythons()
    assert pythons == ["3.11", "3.12", "3.13"]
    workflow = _workflow()
    assert workflow["env"]["PYTHONS"].split() == pythons
    jobs = workflow["jobs"]
    for name in ("macos", "windows"):
        (setup,) = _steps(jobs[name], "actions/setup-python")
        assert setup["with"]["python-version"].split() == pythons, name
    for name in ("smoke", "smoke-musl"):
        assert jobs[name]["strategy"]["matrix"]["python"] == pythons, name


def test_every_platform_is_built_per_python_and_tried() -> None:
    jobs = _workflow()["jobs"]
    built = set()
    for name in ("linux", "macos", "windows"):
        (build,) = _steps(jobs[name], "PyO3/maturin-action")
        assert "--interpreter ${{ env.PYTHONS }}" in build["with"]["args"]
        assert "--release" in build["with"]["args"]
        matrix = jobs[name].get("strategy", {}).get("matrix", {})
        if "include" in matrix:
            built |= {(name, row["target"]) for row in matrix["include"]}
        elif name == "linux":
            built |= {(name, f"{t} {m}") for t in matrix["target"] for m in matrix["manylinux"]}
        else:
            built.add((name, build["with"]["target"]))
    assert built == {
        ("linux", "x86_64 2014"),
        ("linux", "x86_64 musllinux_1_2"),
        ("linux", "aarch64 2014"),
        ("linux", "aarch64 musllinux_1_2"),
        ("macos", "aarch64"),
        ("macos", "x86_64"),
        ("windows", "x64"),
    }
    runners = set(jobs["smoke"]["strategy"]["matrix"]["runner"])
    assert runners == {
        "ubuntu-latest",
        "ubuntu-24.04-arm",
        "macos-14",
        "macos-13",
        "windows-latest",
    }


def test_smoke_tests_exist_and_run_outside_the_checkout() -> None:
    listed = (ROOT / "tests" / "smoke.txt").read_text().split()
    assert listed
    for name in listed:
        assert (ROOT / "tests" / name).is_file(), name
    jobs = _workflow()["jobs"]
    assert jobs["smoke"]["steps"][-1]["working-directory"] == "${{ runner.temp }}"
    for name in ("smoke", "smoke-musl"):
        run = jobs[name]["steps"][-1]["run"]
        assert "--no-index --find-links" in run
        assert "tests/smoke.txt" in run


def test_publishing_needs_every_check_and_a_tag() -> None:
    jobs = _workflow()["jobs"]
    publish = jobs["publish"]
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert set(publish["needs"]) == {"sdist", "smoke", "smoke-musl"}
    assert publish["permissions"] == {"id-token": "write"}
    assert _steps(publish, "pypa/gh-action-pypi-publish")
    assert _workflow()["permissions"] == {"contents": "read"}


def test_the_wheels_are_per_version_as_measured() -> None:
    # docs/packaging.md: abi3 measured slower on parse, encode and the send path.
    maturin = _pyproject()["tool"]["maturin"]
    assert not any("abi3" in f for f in maturin.get("features", []))
    cargo = (ROOT / "rust" / "fixwire-py" / "Cargo.toml").read_text()
    assert "abi3" not in cargo
