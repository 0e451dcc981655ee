"""The Kalshi layer's shape: the exchange simulator never imports the client, the client never
imports the simulator, and both read the venue's Logon flags from one table.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fixwire
from fixwire.kalshi import KalshiConfig, LogonSigner, SessionType
from fixwire.kalshi.signing import generate_key
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.sim.margin import MarginSimulator
from fixwire.kalshi.venue import LogonFlags

KALSHI = Path(fixwire.__file__).parent / "kalshi"
# What the exchange may import from fixwire.kalshi: itself and the modules below both sides.
SHARED = {"fixwire.kalshi.venue", "fixwire.kalshi.signing", "fixwire.kalshi.tls"}


def _kalshi_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        names.update(m for m in modules if m.startswith("fixwire.kalshi"))
    return names


def test_the_exchange_imports_nothing_of_the_client() -> None:
    files = sorted((KALSHI / "sim").glob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _kalshi_imports(path):
            # "from fixwire.kalshi.sim import matching" names fixwire.kalshi.sim.matching.
            allowed = name.startswith("fixwire.kalshi.sim") or any(
                name == s or name.startswith(s + ".") for s in SHARED
            )
            assert allowed, f"{path.name} imports {name}"


def test_the_client_imports_nothing_of_the_exchange() -> None:
    for path in sorted(KALSHI.glob("*.py")):
        if path.name == "demo.py":  # The demo runs both sides.
            continue
        for name in _kalshi_imports(path):
            assert not name.startswith("fixwire.kalshi.sim"), f"{path.name} imports {name}"


def test_source_files_are_small_or_say_why() -> None:
    for path in sorted(KALSHI.rglob("*.py")):
        text = path.read_text()
        # About 800 lines at most (style.md), unless the top of the file says why.
        if text.count("\n") > 850:
            assert "Why this file is long" in text[:3000], f"{path} has no reason to be long"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"use_dollars": False, "enable_ioc_cancel_report": False},
        {
            "session_type": SessionType.RT,
            "receive_settlement_reports": False,
            "message_retention_hours": 48,
            "cancel_orders_on_disconnect": True,
            "split_collateral_return": True,
            "always_emit_new_before_trade": True,
        },
        {"session_type": SessionType.NR, "listener": True, "skip_pending_exec_reports": True},
    ],
)
def test_the_client_writes_the_flags_the_venue_reads(options: dict[str, object]) -> None:
    config = KalshiConfig(
        api_key="00000000-0000-4000-8000-000000000001",
        signer=LogonSigner(generate_key()),
        **options,  # type: ignore[arg-type]
    )
    encoder = fixwire.Encoder("KEY", "KalshiRT", begin_string="FIXT.1.1")
    logon = fixwire.parse(
        encoder.encode("A", [(98, 0), (108, 30), *config.logon_flags()], seq_num=1)
    )
    read = LogonFlags.read(logon)
    for name in LogonFlags.names():
        assert getattr(read, name) == getattr(config, name), name


def test_a_legacy_skip_pending_tag_is_read() -> None:
    encoder = fixwire.Encoder("KEY", "KalshiNR", begin_string="FIXT.1.1")
    logon = fixwire.parse(encoder.encode("A", [(98, 0), (108, 30), (21003, True)], seq_num=1))
    assert LogonFlags.read(logon).skip_pending_exec_reports
    assert LogonFlags.read(logon).settlement_reports(SessionType.PT)
    assert not LogonFlags.read(logon).settlement_reports(SessionType.RT)


def _public_definitions(path: Path) -> set[str]:
    """The public names a module defines at its top level (classes, functions, assignments)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("package", [KALSHI, KALSHI / "sim"], ids=["client", "exchange"])
def test_each_public_name_has_one_home(package: Path) -> None:
    """Within the client and within the exchange, a name (a type alias, a class, a constant)
    is defined in one module; the others import it.

    The two sides never import each other, so each has its own words (both have a
    MassCancelReport); ``main``, a runnable module's entry point, is each one's own.
    """
    homes: dict[str, Path] = {}
    for path in sorted(package.glob("*.py")):
        for name in _public_definitions(path) - {"main"}:
            assert name not in homes, f"{name} is defined in {homes[name]} and {path}"
            homes[name] = path


@pytest.mark.parametrize("simulator", ["predictions", "margin"])
def test_the_simulator_keeps_its_instance_dictionary_within_specialised_access(
    simulator: str,
) -> None:
    """CPython 3.11 specialises attribute and method access on an instance only while its
    dictionary holds at most 30 keys; the order path's state is in ``VenueCore``'s slots so
    that the simulator's dictionary stays within that (``sim/core.py``).
    """
    sim = Simulator() if simulator == "predictions" else MarginSimulator()
    assert len(vars(sim)) <= 30, sorted(vars(sim))
    assert sim._history == {}  # In a slot, and set...
    assert "_history" not in vars(sim)  # ...not in the dictionary.
