"""fixwire.quickfix's engine against real QuickFIX: the same applications, both engines.

The applications of ``quickfix_apps`` (an executor acceptor and a trade client; groups, typed
fields, a ``.cfg`` with file stores and logs) run on QuickFIX against QuickFIX, then on
fixwire.quickfix against fixwire.quickfix, then across (fixwire.quickfix initiator to QuickFIX
acceptor, and the reverse), for FIX.4.2, FIX.4.4 and FIXT.1.1/FIX.5.0 SP2. Every run must
record the same callbacks and read the same fields; toAdmin and fromAdmin are compared on
every session-level message. Loopback only; every wait is bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import fixwire.quickfix
from quickfix_apps import (
    ENGINES,
    Executor,
    TradeClient,
    engines,
    free_port,
    logged_on,
    wait_until,
    write_cfg,
)

#: Each test runs four pairings of engines; on FIXT.1.1 QuickFIX reads FIX50SP2.xml for each
#: session it makes (some ten seconds on a loaded machine), past pyproject.toml's 60 s.
pytestmark = pytest.mark.timeout(240)

VERSIONS = ["quickfix42", "quickfix44", "quickfix50sp2"]
PAIRS = [
    ("quickfix", "quickfix"),
    ("fixwire", "fixwire"),
    ("fixwire", "quickfix"),
    ("quickfix", "fixwire"),
]


@pytest.fixture(scope="module", autouse=True)
def _spec(quickfix_spec: Path) -> None:
    fixwire.quickfix.use_spec(quickfix_spec)


def trade(client_engine: str, server_engine: str, version: str, folder: Path, spec: Path) -> Any:
    """One trading session: logon, D with parties, F, G, an order toApp drops, an order the
    executor rejects, an unsupported message, logout. Returns both records.
    """
    port = free_port()
    server = Executor(ENGINES[server_engine], version)
    client = TradeClient(ENGINES[client_engine], version)
    (folder / "s").mkdir()
    (folder / "c").mkdir()
    acceptor = engines(
        server.fix,
        "acceptor",
        server,
        write_cfg(folder / "s", "acceptor", version, port, spec),
        files=True,
    )
    initiator = engines(
        client.fix, "initiator", client, write_cfg(folder / "c", "initiator", version, port, spec)
    )
    acceptor.start()
    try:
        initiator.start()
        try:
            client.wait_for(lambda seen: client.count("onLogon") == 1, "logon")
            sent = [
                client.order("D", "ord-1", parties=2 if version != "quickfix42" else 0),
                client.order("F", "ord-2"),
                client.order("G", "ord-3"),
                client.order("D", "ord-4", text="do not send"),
            ]
            # QuickFIX's BusinessMessageReject <j> under FIXT.1.1 carries DefaultApplVerID
            # <1137>, which its own counterparty rejects: FIX.4.x only.
            if version != "quickfix50sp2":
                sent.append(client.order("D", "ord-5", text="missing"))
            answers = len(sent) - 1
            client.wait_for(lambda seen: client.count("fromApp") >= answers, "reports")
            # Log out through the session, then stop: QuickFIX's stop() must not race its
            # own callbacks (it crashes when it does).
            client.fix.Session.lookupSession(client.session_id).logout()
            client.wait_for(lambda seen: client.count("onLogout") == 1, "client logout")
            server.wait_for(lambda seen: server.count("onLogout") == 1, "server logout")
        finally:
            initiator.stop(True)
    finally:
        acceptor.stop(True)
    return sent, client.seen, server.seen


def every_pairing(
    scenario: Callable[[str, str, str, Path, Path], Any], version: str, tmp: Path, spec: Path
) -> dict[tuple[str, str], Any]:
    """What ``scenario(client_engine, server_engine, version, folder, spec)`` returns, for
    each pairing of engines.
    """
    runs = {}
    for client_engine, server_engine in PAIRS:
        folder = tmp / f"{client_engine}-{server_engine}"
        folder.mkdir()
        runs[client_engine, server_engine] = scenario(
            client_engine, server_engine, version, folder, spec
        )
    return runs


@pytest.mark.parametrize("version", VERSIONS)
def test_same_behaviour_on_both_engines(version: str, tmp_path: Path, quickfix_spec: Path) -> None:
    runs = every_pairing(trade, version, tmp_path, quickfix_spec)
    reference = runs["quickfix", "quickfix"]
    sent, client_seen, server_seen = reference
    assert sent[:4] == [True, True, True, False]
    assert [s[0] for s in client_seen][:4] == ["onCreate", "toAdmin", "fromAdmin", "onLogon"]
    assert server_seen[-1] == ("onLogout", client_seen[0][1])
    assert sum(1 for s in client_seen if s[:2] == ("fromApp", "8")) == 3
    for pair, run in runs.items():
        assert run == reference, pair


def reconnect_with_reset(engine: str, folder: Path, spec: Path) -> list[Any]:
    """Trade, stop, start a new initiator over the same file store: with ResetOnLogon=Y both
    ends start again at 1. Returns the sequence numbers seen through ``Session``.
    """
    fix = ENGINES[engine]
    port = free_port()
    extra = "ResetOnLogon=Y\n"
    server = Executor(fix, "quickfix44")
    acceptor = engines(
        fix, "acceptor", server, write_cfg(folder, "acceptor", "quickfix44", port, spec, extra)
    )
    cfg = write_cfg(folder, "initiator", "quickfix44", port, spec, extra)
    numbers: list[Any] = []
    acceptor.start()
    try:
        for attempt in (1, 2):
            client = TradeClient(fix, "quickfix44")
            initiator = engines(fix, "initiator", client, cfg, files=True)
            initiator.start()
            try:
                client.wait_count("onLogon", 1)
                session = fix.Session.lookupSession(client.session_id)
                numbers.append((attempt, session.getExpectedSenderNum()))
                client.order("D", f"ord-{attempt}")
                client.wait_count("fromApp", 1)
                session.logout()
                client.wait_count("onLogout", 1)
                server.wait_count("onLogout", attempt)
                # Read once the Logout exchange is over: the numbers no longer move.
                numbers.append((attempt, session.getExpectedSenderNum()))
                numbers.append((attempt, session.getExpectedTargetNum()))
            finally:
                initiator.stop(True)
            # QuickFIX forgets a session when its engine is dropped, not when it stops.
            del initiator, session
    finally:
        acceptor.stop(True)
    numbers.append(sorted(p.name for p in folder.iterdir()))
    return numbers


def test_reset_on_logon_with_file_store(tmp_path: Path, quickfix_spec: Path) -> None:
    runs = {}
    for engine in ENGINES:
        (tmp_path / engine).mkdir()
        runs[engine] = reconnect_with_reset(engine, tmp_path / engine, quickfix_spec)
    # ResetOnLogon: the second connection numbers from 1 again, as the first did.
    first, second = runs["quickfix"][:3], runs["quickfix"][3:6]
    assert [n for _, n in first] == [n for _, n in second]
    assert first[0] == (1, 2)
    assert runs["fixwire"] == runs["quickfix"]


def seen(recorder: TradeClient | Executor, callback: str, msg_type: str) -> None:
    """Waits until ``recorder`` has had ``callback`` for a message of ``msg_type``."""
    recorder.wait_for(
        lambda records: any(r[:2] == (callback, msg_type) for r in records),
        f"{callback} {msg_type}",
    )


@contextmanager
def traffic(
    client_engine: str, server_engine: str, version: str, folder: Path, spec: Path
) -> Iterator[tuple[TradeClient, Executor]]:
    """A trade client and an executor on the engines named, with memory stores, logged on
    for the ``with`` block.
    """
    port = free_port()
    client = TradeClient(ENGINES[client_engine], version)
    server = Executor(ENGINES[server_engine], version)
    client_cfg = write_cfg(folder, "initiator", version, port, spec)
    with logged_on(client, server, client_cfg, write_cfg(folder, "acceptor", version, port, spec)):
        yield client, server


def admin_traffic(
    client_engine: str, server_engine: str, version: str, folder: Path, spec: Path
) -> Any:
    """The admin traffic of ``test_admin_callbacks_match``; returns both records."""
    with traffic(client_engine, server_engine, version, folder, spec) as (client, server):
        session = client.fix.Session.lookupSession(client.session_id)
        assert client.order("D", "ord-1", extra=(112, "not-here"))
        seen(client, "fromAdmin", "3")
        assert client.test_request("ping-1")
        seen(client, "fromAdmin", "0")
        session.setNextSenderMsgSeqNum(session.getExpectedSenderNum() + 3)
        assert client.test_request("ping-2")
        seen(server, "fromAdmin", "4")
    return client.seen, server.seen


@pytest.mark.parametrize("version", VERSIONS)
def test_admin_callbacks_match(version: str, tmp_path: Path, quickfix_spec: Path) -> None:
    """Every session-level message meets toAdmin and fromAdmin, in one order on both engines.

    One client and one executor (``quickfix_apps``), each run on real QuickFIX and on
    fixwire.quickfix, in the four pairings, for FIX.4.2, FIX.4.4 and FIXT.1.1. The client's
    ``toAdmin`` adds SenderSubID <50> to every session-level message (and Username <553> to a
    FIX.4.3+ Logon); both applications record every ``toAdmin``/``fromAdmin`` with MsgSeqNum, the
    custom fields and the fields that say what the message is. One session covers each kind:

    1. Logon <A> both ways.
    2. An order carrying TestReqID <112>, a tag its message does not define: Reject <3> 373=2.
    3. A TestRequest <1> of the client's own, answered with a Heartbeat <0>.
    4. The client moves its next MsgSeqNum on by three (``setNextSenderMsgSeqNum``) and sends
       another TestRequest: the executor asks with ResendRequest <2>, and the client covers the
       numbers, the TestRequest's own included (a session-level message is not resent), with one
       SequenceReset-GapFill <4>.
    5. A Logout <5> exchange the client starts.

    All four pairings must record the same callbacks with the same fields in the same order.
    """
    runs = every_pairing(admin_traffic, version, tmp_path, quickfix_spec)
    client_seen, server_seen = runs["quickfix", "quickfix"]
    # Every kind of session-level message, both ways, on QuickFIX itself.
    kinds = {(r[0], r[1]) for r in client_seen + server_seen if r[0].endswith("Admin")}
    for kind in "A012345":
        assert ("toAdmin", kind) in kinds, kind
        assert ("fromAdmin", kind) in kinds, kind
    # The client's SenderSubID <50> reached the executor on each of its admin messages.
    server_admin = [s for s in server_seen if s[0] == "fromAdmin"]
    assert server_admin
    assert all((50, "desk-1") in s[2] for s in server_admin)
    for pair, record in runs.items():
        assert record[0] == client_seen, (pair, "client")
        assert record[1] == server_seen, (pair, "server")


def resend_traffic(
    client_engine: str, server_engine: str, version: str, folder: Path, spec: Path
) -> Any:
    """The traffic of ``test_resend_calls_to_app``; returns both records."""
    with traffic(client_engine, server_engine, version, folder, spec) as (client, server):
        assert client.order("D", "ord-1", parties=2 if version != "quickfix42" else 0)
        assert client.order("F", "ord-2", text="no resend")
        assert client.order("G", "ord-3")
        client.wait_count("fromApp", 3)
        # The executor forgets the three orders (MsgSeqNum 2 to 4: it expects 5 once done
        # with the last): the client's next message is too high.
        served = server.fix.Session.lookupSession(server.session_id)
        wait_until(lambda: served.getExpectedTargetNum() == 5, "the executor at 5")
        served.setNextTargetMsgSeqNum(2)
        assert client.test_request("ping-1")
        server.wait_count("fromApp", 5)
        client.wait_count("fromApp", 5)
        seen(client, "fromAdmin", "0")
    return client.seen, server.seen


@pytest.mark.parametrize("version", VERSIONS)
def test_resend_calls_to_app(version: str, tmp_path: Path, quickfix_spec: Path) -> None:
    """Each application message sent again meets toApp, and DoNotSend gap-fills it.

    The client sends a NewOrderSingle <D> (with parties from FIX.4.4 on), an
    OrderCancelRequest <F> and an OrderCancelReplaceRequest <G>; the executor answers each,
    then moves its expected MsgSeqNum back by three, so the client's next message (a
    TestRequest <1>) is too high and the executor asks for the three again with ResendRequest
    <2>. The client's ``toApp`` records each message it is handed with PossDupFlag <43>=Y and
    raises ``DoNotSend`` for the F: the D goes again, a SequenceReset-GapFill <4> covers the F,
    the G goes again (and a GapFill covers the TestRequest, which the executor had held and
    answers, with a Heartbeat <0>, before that GapFill arrives). The executor answers the D
    and the G again. All four pairings must record the same callbacks in the same order.
    """
    runs = every_pairing(resend_traffic, version, tmp_path, quickfix_spec)
    client_seen, server_seen = runs["quickfix", "quickfix"]
    resent = [r for r in client_seen if r[0] == "toApp"]
    parties = 2 if version != "quickfix42" else 0
    assert [(r[1], r[3], r[4], r[5]) for r in resent] == [
        ("D", True, "ord-1", parties),
        ("F", True, "ord-2", 0),
        ("G", True, "ord-3", 0),
    ]
    gap_fills = [r for r in server_seen if r[:2] == ("fromAdmin", "4")]
    # The GapFill over the F moves the executor on to the G's number.
    assert [dict(r[3])[36] for r in gap_fills] == [resent[2][2][0][1]]
    for pair, record in runs.items():
        assert record[0] == client_seen, (pair, "client")
        assert record[1] == server_seen, (pair, "server")
