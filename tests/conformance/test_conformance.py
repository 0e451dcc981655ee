"""The differential conformance runner: every script, on every version, against fixwire's acceptor
and against QuickFIX's.

Each script of ``tests/data/conformance/`` (language: its README) is one FIX session-level test
case; it runs once per BeginString it applies to (FIX.4.0 to FIX.4.4, and FIXT.1.1 with
FIX.5.0 SP2) against two acceptors configured alike: ``conformance_fixwire.py`` (fixwire's public
``fixwire.session`` API) and ``conformance_quickfix.py`` (QuickFIX 1.16, the control). Each has one
session per (script, version), with a counterparty CompID of its own in place of the scripts'
``TW`` (one for all versions where the script says ``@ comp_ids=shared``), so that every
script starts from sequence number 1 with an empty store and all of them run at once, over
127.0.0.1: the scripts and fixwire on one event loop, QuickFIX in a process of its own. The
pytest ids are ``<engine>-<version>-<script>``; the outcomes of a run are computed once, for
the ids selected, and each test reports its own.

QuickFIX must pass every script. Where QuickFIX's behaviour and FIX's rules part, the script says
in a comment which FIX rule decides, and admits QuickFIX's choice only as an optional field
(``371?=36``) or message (``O``) where the rule allows it or the extra is harmless (the cases
are listed in ``docs/conformance.md``). fixwire's scripts that fail
today are listed in :data:`FIXWIRE_KNOWN_FAILURES`, the one table of its non-conformances; each
becomes a strict xfail, which turns red the day the script passes, so the table stays true.

The comparison is exact but for what FIX leaves to the sending engine:

* **Field order within the header and within the body.** FIX fixes the order of BeginString
  <8>, BodyLength <9> and MsgType <35> (first) and CheckSum <10> (last), and of the fields in a
  repeating group; the other header fields, and the body fields, may come in any order. So the
  first three and the last are checked in place, the header fields must all precede the body's,
  and header and body are each compared as a multiset. No message a script expects carries a
  repeating group, so no group order is lost.
* **BodyLength <9> and CheckSum <10> values** depend on the free order and values above; they
  are not compared with the script but computed by the runner and must be right.
* **Text <58> (and EncodedText <355>)**: optional free text on every session message; neither
  its presence nor its wording is compared.
* **SendingTime <52> values**: the sender's clock. It must be present and a UTCTimestamp of the
  version's form (whole seconds before FIX.4.2, milliseconds on FIX.4.2 to FIX.4.4, down to
  nanoseconds on FIX.5.0 SP2). The same holds for OrigSendingTime <122>, which a script writes
  ``122=*`` where the engine chooses it (a resent message's original time).
* ``*`` in a script: any value. The scripts use it only where FIX leaves the value to the
  engine (a TestReqID <112> the acceptor makes up, OrigSendingTime <122>).

Time is real here (two engines, real sockets): every wait is bounded (:data:`script.WAIT`);
timer cases use HeartBtInt <108> of one or two seconds.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance_fixwire import FixwireAcceptor
from conformance_quickfix import QuickFixAcceptor
from conformance_script import ENGINES, VERSIONS, Script, ScriptFailure, load_scripts, play
from fixtext import DATA_DIR
from quickfix_peer import free_port

#: The first test's setup plays every selected script on both engines at once (about a minute
#: on two cores); the 60 s per-test limit of pyproject.toml is for single tests.
pytestmark = pytest.mark.timeout(600)

SCRIPT_DIR = DATA_DIR / "conformance"
SCRIPTS = load_scripts(SCRIPT_DIR)
#: The FIX session-level test cases (by their numbers in the FIX Trading Community's list) and
#: the cases QuickFIX and quickfix-go add (``x_`` scripts), each promised a script on every
#: version from the one named: the versions before lack what the case is about (ResetSeqNumFlag
#: <141> before FIX.4.1, a repeating group in an order or LastMsgSeqNumProcessed <369> before
#: FIX.4.2, NextExpectedMsgSeqNum <789> before FIX.4.4).
_ALL_VERSIONS_CASES = (
    *("1a", "1b", "1c", "1d", "1e"),
    *("2a", "2b", "2c", "2d", "2e", "2f", "2g", "2h", "2i", "2j"),
    *("2k", "2l", "2m", "2n", "2o", "2p", "2q", "2r", "2s", "2t"),
    *("3b", "3c", "4a", "4b", "6", "7", "8", "10", "11", "13", "14", "15", "19", "20"),
    *("x_reverse_route", "x_resend_request_chunking", "x_same_comp_ids_every_version"),
    *("x_reset_on_logout", "x_reset_on_disconnect"),
)
PROMISED = {
    **dict.fromkeys(_ALL_VERSIONS_CASES, "FIX.4.0"),
    "x_session_reset": "FIX.4.1",
    "14i": "FIX.4.2",
    "21": "FIX.4.2",
    "x_next_expected_msg_seq_num": "FIX.4.4",
    "x_last_msg_seq_num_processed": "FIX.4.2",
}
#: Scripts played at once, per engine.
PARALLEL = 48
#: Appended to a session's counterparty CompID for its replay on QuickFIX. QuickFIX 1.16's
#: threaded acceptor, after closing a connection from within its read loop, polls and reads the
#: closed descriptor once more (``ThreadedSocketConnection::read`` returns true after
#: ``disconnect()``); with many connections at once the number may by then be another
#: connection's, whose bytes that stale read swallows. So a script QuickFIX fails is played once
#: more, alone, on a fresh session of a fresh acceptor; a genuine failure fails again. fixwire
#: is never replayed.
REPLAY = "R"
#: The bound of one script's run, in seconds.
SCRIPT_TIMEOUT = 60.0

#: fixwire's scripts that fail: (script, versions) -> the non-conformances met, each named by
#: the FIX rule it breaks. Versions are ``*`` or BeginStrings separated by spaces; script ``*``
#: is every script. A script stops at its first difference: a row names what stops it. Each row
#: is a strict xfail, which turns red the day the script passes, so the table stays true. Empty
#: today: every script passes on every version.
FIXWIRE_KNOWN_FAILURES: dict[tuple[str, str], tuple[str, ...]] = {}


def _known(name: str, version: str) -> str | None:
    """The known non-conformances a script meets on a version, or None."""
    found: list[str] = []
    for (script, versions), reasons in FIXWIRE_KNOWN_FAILURES.items():
        if script in ("*", name) and (versions == "*" or version in versions.split()):
            found.extend(r for r in reasons if r not in found)
    return "; ".join(found) or None


def _cases() -> Iterator[object]:
    for script in SCRIPTS:
        for version in script.versions:
            for engine in script.engines:
                reason = _known(script.name, version) if engine == "fixwire" else None
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(
                    engine, version, script, id=f"{engine}-{version}-{script.name}", marks=marks
                )


Key = tuple[str, str, str]  # (engine, version, script name)


@dataclass(frozen=True)
class _QuickFix:
    """QuickFIX's side of a run: its acceptor, and what a replay acceptor needs."""

    acceptor: QuickFixAcceptor
    port: int
    spec: Path
    replay_directory: Path


async def _play_all(
    plays: list[tuple[str, str, Script]],
    counterparties: dict[tuple[str, str], str],
    quickfix: _QuickFix,
    fixwire: FixwireAcceptor,
) -> tuple[dict[Key, str | None], list[Key]]:
    """Every play at once (fixwire's while QuickFIX still loads its dictionaries), then
    QuickFIX's failures once more each, alone (see :data:`REPLAY`); the outcomes, and the plays
    replayed.
    """
    fixwire_port = await fixwire.start()
    quickfix_listening = asyncio.ensure_future(asyncio.to_thread(quickfix.acceptor.listening))
    gate = {engine: asyncio.Semaphore(PARALLEL) for engine in ENGINES}

    async def one(
        engine: str, version: str, script: Script, counterparty: str, replay: _QuickFix | None
    ) -> str | None:
        if engine == "fixwire" and (version, counterparty) in fixwire.unsupported:
            return fixwire.unsupported[version, counterparty]
        if engine == "quickfix":
            await quickfix_listening
        port = fixwire_port if engine == "fixwire" else (replay or quickfix).port
        async with gate[engine]:
            try:
                async with asyncio.timeout(SCRIPT_TIMEOUT):
                    await play(script, version, port, counterparty)
            except (ScriptFailure, TimeoutError) as e:
                why = str(e) or f"not done within {SCRIPT_TIMEOUT} s"
                if engine == "quickfix":
                    events = (replay or quickfix).acceptor.events(version, counterparty)
                    return f"{why}\nQuickFIX's events:\n{events}"
                errors = fixwire.errors.get((version, counterparty))
                return f"{why}\nfixwire's application: {errors}" if errors else why
        return None

    try:
        results = await asyncio.gather(
            *(one(e, v, s, counterparties[v, s.name], None) for e, v, s in plays)
        )
    finally:
        await fixwire.stop()
    found = {(e, v, s.name): r for (e, v, s), r in zip(plays, results, strict=True)}
    again = [(v, s) for e, v, s in plays if e == "quickfix" and found[e, v, s.name] is not None]
    if again:
        spares = [(v, counterparties[v, s.name] + REPLAY, s.settings) for v, s in again]
        port = free_port()
        replay = _QuickFix(
            QuickFixAcceptor(quickfix.replay_directory, quickfix.spec, port, spares),
            port,
            quickfix.spec,
            quickfix.replay_directory,
        )
        replay.acceptor.launch()
        try:
            await asyncio.to_thread(replay.acceptor.listening)
            for version, script in again:
                spare = counterparties[version, script.name] + REPLAY
                found["quickfix", version, script.name] = await one(
                    "quickfix", version, script, spare, replay
                )
        finally:
            replay.acceptor.stop()
    return found, [("quickfix", v, s.name) for v, s in again]


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, quickfix_spec: Path
) -> Iterator[dict[Key, str | None]]:
    """Plays every selected (engine, version, script) at once; its failure or None for each."""
    plays: list[tuple[str, str, Script]] = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and getattr(item, "module", None) is request.module:
            params = callspec.params
            plays.append((params["engine"], params["version"], params["script"]))
    pairs = sorted({(v, s.name): s for _, v, s in plays}.items())
    counterparties = {key: f"TW{i:03d}" for i, (key, _) in enumerate(pairs)}
    for (version, name), script in pairs:
        if script.shared_comp_ids:
            counterparties[version, name] = f"TW-{name}"
    sessions = [(v, counterparties[v, name], script.settings) for (v, name), script in pairs]
    port = free_port()
    quickfix = _QuickFix(
        QuickFixAcceptor(tmp_path_factory.mktemp("quickfix"), quickfix_spec, port, sessions),
        port,
        quickfix_spec,
        tmp_path_factory.mktemp("quickfix-replay"),
    )
    quickfix.acceptor.launch()
    try:
        fixwire = FixwireAcceptor(quickfix_spec, sessions)
        found, replayed = asyncio.run(_play_all(plays, counterparties, quickfix, fixwire))
    finally:
        quickfix.acceptor.stop()
    yield found
    _report(request, found, replayed)


def _report(
    request: pytest.FixtureRequest, found: dict[Key, str | None], replayed: list[Key]
) -> None:
    """The passes per version, both engines side by side, after the run."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    played = Counter((e, v) for e, v, _ in found)
    passed = Counter((e, v) for (e, v, _), why in found.items() if why is None)
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_sep("-", "conformance scripts passed")
        for version in VERSIONS:
            if played["quickfix", version] or played["fixwire", version]:
                reporter.write_line(
                    f"{version:9}  fixwire {passed['fixwire', version]:3}/"
                    f"{played['fixwire', version]:<3}  QuickFIX "
                    f"{passed['quickfix', version]:3}/{played['quickfix', version]}"
                )
        if replayed:
            names = ", ".join("-".join(key[1:]) for key in replayed)
            reporter.write_line(f"QuickFIX scripts played again, alone: {names}")


@pytest.mark.parametrize(("engine", "version", "script"), list(_cases()))
def test_script(engine: str, version: str, script: Script, outcomes: dict[Key, str | None]) -> None:
    """The acceptor sends exactly what the script expects, connection by connection."""
    failure = outcomes[engine, version, script.name]
    if failure is not None:
        pytest.fail(failure, pytrace=False)


def test_every_case_has_a_script() -> None:
    """Every promised case has a script on every version it applies to (a thinned directory
    would otherwise pass vacuously).
    """
    for version in VERSIONS:
        names = [s.name for s in SCRIPTS if version in s.versions]
        missing = [
            case
            for case, since in PROMISED.items()
            if VERSIONS.index(version) >= VERSIONS.index(since)
            and not any(re.match(rf"{case}([a-z]?_|$)", n) for n in names)
        ]
        assert missing == [], f"{version}: no script for {missing}"


def test_known_failures_name_real_scripts() -> None:
    """Every row of the table names a script and versions it runs on (no stale rows)."""
    by_name = {s.name: s for s in SCRIPTS}
    for script, versions in FIXWIRE_KNOWN_FAILURES:
        assert script == "*" or script in by_name, script
        named = set(VERSIONS) if versions == "*" else set(versions.split())
        runs_on = set(VERSIONS) if script == "*" else set(by_name[script].versions)
        assert named <= set(VERSIONS), (script, versions)
        assert named & runs_on, (script, versions)
