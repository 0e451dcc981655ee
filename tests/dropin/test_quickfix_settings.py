"""fixwire.quickfix's SessionSettings against QuickFIX's: the same .cfg read the same way,
and every setting fixwire.quickfix cannot honour refused by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import quickfix as real

import fixwire
import fixwire.quickfix as ours
from quickfix_apps import Executor, engines, write_cfg

CFG = """\
# QuickFIX settings as real configurations write them
[DEFAULT]
ConnectionType=initiator
ReconnectInterval=5
FileStorePath=store
FileLogPath=log
StartTime=00:00:00
EndTime=00:00:00
UseDataDictionary=Y
ValidateUserDefinedFields=N
HeartBtInt=30

[SESSION]
BeginString=FIX.4.4
SenderCompID=CLIENT
TargetCompID=BROKER
SocketConnectHost=127.0.0.1
SocketConnectPort=5001
DataDictionary=spec/FIX44.xml
resetonlogon=Y

[SESSION]
BeginString=FIXT.1.1
SenderCompID=CLIENT
TargetCompID=VENUE
SocketConnectHost=127.0.0.1
SocketConnectPort=5002
HeartBtInt=15
TransportDataDictionary=spec/FIXT11.xml
AppDataDictionary=spec/FIX50SP2.xml
DefaultApplVerID=FIX.5.0SP2
ResetOnLogout=Y
ResetOnDisconnect=Y
"""
KEYS = [
    "ConnectionType",
    "BeginString",
    "SenderCompID",
    "TargetCompID",
    "SocketConnectPort",
    "HeartBtInt",
    "ReconnectInterval",
    "DataDictionary",
    "AppDataDictionary",
    "DefaultApplVerID",
    "ResetOnLogon",
    "ResetOnLogout",
    "FileStorePath",
]


@pytest.fixture(scope="module", autouse=True)
def _spec(quickfix_spec: Path) -> None:
    ours.use_spec(quickfix_spec)


def read(fix: Any, path: Path) -> list[Any]:
    settings = fix.SessionSettings(str(path))
    out: list[Any] = [settings.get().getString("ReconnectInterval")]
    for session_id in sorted(settings.getSessions(), key=lambda s: s.toString()):
        section = settings.get(session_id)
        values = {k: section.getString(k) for k in KEYS if section.has(k)}
        out.append((session_id.toString(), values, section.getInt("HeartBtInt")))
        out.append(section.getBool("ResetOnLogon") if section.has("ResetOnLogon") else None)
        out.append(session_id.getBeginString().getValue())
        out.append(str(session_id.getSenderCompID()))
    return out


def test_cfg_reads_as_quickfix_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "client.cfg"
    path.write_text(CFG)
    assert read(ours, path) == read(real, path)


def test_missing_file_and_bad_line(tmp_path: Path) -> None:
    with pytest.raises(ours.ConfigError, match="cannot read"):
        ours.SessionSettings(str(tmp_path / "none.cfg"))
    bad = tmp_path / "bad.cfg"
    bad.write_text("[DEFAULT]\nConnectionType initiator\n")
    with pytest.raises(ours.ConfigError, match="line 2"):
        ours.SessionSettings(str(bad))


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("HeartbeatInterval=30\n", "unknown setting HeartbeatInterval"),
        ("SSLEnable=Y\n", "setting SSLEnable is not supported"),
        ("TimeZone=UTC\n", "setting TimeZone is not supported"),
        ("StartTime=08:00:00\nEndTime=17:00:00\n", "daily schedule"),
    ],
)
def test_settings_it_cannot_honour_are_refused_by_name(
    extra: str, named: str, tmp_path: Path, quickfix_spec: Path
) -> None:
    cfg = write_cfg(tmp_path, "acceptor", "quickfix44", 5001, quickfix_spec)
    text = cfg.read_text().replace("[SESSION]", extra + "[SESSION]")
    # A later StartTime/EndTime in [DEFAULT] wins over the one write_cfg put first.
    cfg.write_text(text)
    app = Executor(ours, "quickfix44")
    with pytest.raises(ours.ConfigError, match=named) as caught:
        engines(ours, "acceptor", app, cfg)
    assert isinstance(caught.value, fixwire.FixError)
    assert app.seen == []
