"""The ``fixwire`` command: ``decode`` on a real mixed log (QuickFIX-style lines, '|' lines,
raw SOH, garbage), streamed from pipes and growing files in bounded memory; colour rules; one
line on stderr for every usage or input error; ``sim``; ``--version`` and ``python -m``.
"""

import io
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import fixwire
from fixtext import frame
from fixwire.cli import main


def _log(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """A log mixing every input shape, with one truncated and one corrupt message in it."""
    order = frame(
        "35=D|49=C|56=KalshiNR|34=2|52=20260820-14:30:05.123|11=id-1|38=10|40=2|54=1|55=HIGHNY|44=75|"
    )
    fill = frame(
        "35=8|49=Kalshi|56=C|34=3|52=20260820-14:30:05.200|37=o1|11=id-1|17=1;2|150=F|39=2|54=1|55=HIGHNY|"
        "151=0|14=10|6=75|38=10|136=1|137=0.07|138=USD|139=4|891=0|"
    )
    beat = frame("35=0|49=C|56=KalshiNR|34=4|52=20260820-14:30:35.000|")
    corrupt = beat.replace(b"10=", b"10=9", 1)
    lines = [
        b"20260820-14:30:05.124 : " + order,
        b"20260820-14:30:05.201 : " + fill.replace(b"\x01", b"|"),
        b"garbage line without a message",
        b"20260820-14:30:06.000 : " + corrupt,
        beat + b"8=FIXT.1.1\x019=200\x0135=D\x01",
    ]
    path = tmp_path / "mixed.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, [order, fill, beat]


def test_decodes_every_message_and_reports_the_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = _log(tmp_path)
    status = main(["decode", "--no-color", str(path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert out.count("# ") == 3
    assert "35=D NewOrderSingle" in out
    assert "35=8 ExecutionReport" in out
    assert "35=0 Heartbeat" in out
    assert "   54 Side                         = 1 (" in out
    # Group entries are indented under their count field.
    assert "\n    137 MiscFeeAmt" in out
    bad = err.strip().splitlines()
    assert len(bad) == 2, err
    assert all(line.startswith(f"{path}: byte ") for line in bad)
    assert "(bad_checksum)" in err
    assert "(truncated)" in err


def test_json_has_groups_as_lists_and_type_filters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = _log(tmp_path)
    main(["decode", "--json", "--type", "8", str(path)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 1
    fill = records[0]
    assert fill["msg_type"] == "8"
    assert fill["ClOrdID"] == "id-1"
    assert fill["NoMiscFees"] == [
        {"MiscFeeAmt": "0.07", "MiscFeeCurr": "USD", "MiscFeeType": "4", "MiscFeeBasis": "0"}
    ]


def test_reads_stdin_and_colours_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, (order, _, _) = _log(tmp_path)
    stdin = io.TextIOWrapper(io.BytesIO(order))
    assert main(["decode", "--color"], stdin=stdin) == 0
    out = capsys.readouterr().out
    assert "\033[36mClOrdID\033[0m" in out
    assert "<stdin> byte 0" in out


def test_another_dictionary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = _log(tmp_path)
    dictionary = tmp_path / "tiny.xml"
    dictionary.write_text(
        "<fix type='FIXT' major='1' minor='1'><header/><trailer/><messages>"
        "<message name='Beat' msgtype='0' msgcat='admin'/></messages><components/>"
        "<fields><field number='35' name='Kind' type='STRING'/></fields></fix>"
    )
    main(["decode", "--no-color", "--type", "0", "--dictionary", str(dictionary), str(path)])
    out = capsys.readouterr().out
    assert "35=0 Beat" in out
    assert "   35 Kind" in out
    # Fields the dictionary does not define are shown with a '?' name.
    assert "   49 ?" in out


def test_json_reports_values_that_are_not_utf8_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = frame("35=0|49=C|56=K|34=1|52=20260820-14:30:35.000|58=\xff|".encode("latin-1"))
    good = frame("35=0|49=C|56=K|34=2|52=20260820-14:30:36.000|")
    path = tmp_path / "log"
    path.write_bytes(bad + b"\n" + good + b"\n")
    assert main(["decode", "--json", str(path)]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(line)["MsgSeqNum"] for line in out.splitlines()] == ["2"]
    assert "(invalid_utf8)" in err


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"fixwire {fixwire.__version__}\n"


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    _, (order, _, _) = _log(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "fixwire", "decode", "--json"],
        input=order,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ClOrdID"] == "id-1"
    usage = subprocess.run(
        [sys.executable, "-m", "fixwire"], capture_output=True, text=True, timeout=60, check=False
    )
    assert usage.returncode == 2
    assert usage.stderr == (
        "fixwire: error: the following arguments are required: COMMAND (see fixwire --help)\n"
    )


# Colour: the flag, then NO_COLOR, FORCE_COLOR, TERM=dumb, then whether stdout is a terminal.


@pytest.mark.parametrize(
    ("env", "flag", "coloured"),
    [
        ({}, None, False),
        ({"FORCE_COLOR": "1"}, None, True),
        ({"FORCE_COLOR": ""}, None, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, None, False),
        ({"NO_COLOR": "1"}, "--color", True),
        ({"FORCE_COLOR": "1"}, "--no-color", False),
    ],
)
def test_colour_off_a_terminal(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    flag: str | None,
    coloured: bool,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path, _ = _log(tmp_path)
    main(["decode", *([flag] if flag else []), str(path)])
    assert ("\033[36mClOrdID\033[0m" in capsys.readouterr().out) is coloured


def _on_a_terminal(path: Path, env: dict[str, str]) -> bytes:
    """What ``fixwire decode path`` writes to a pseudo-terminal."""
    import pty  # Unix only

    main_fd, terminal = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    child = subprocess.Popen(
        [sys.executable, "-m", "fixwire", "decode", str(path)],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        env={**base, **env},
    )
    os.close(terminal)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([main_fd], [], [], 60)
            assert ready, "no output from the child in 60 s"
            try:
                data = os.read(main_fd, 65536)
            except OSError:  # the child closed the terminal (EIO on Linux)
                break
            if not data:
                break
            out += data
    finally:
        os.close(main_fd)
        child.wait(timeout=60)
    return out


# Pseudo-terminals, select() on pipes and SIGINT to a child are Unix facilities.
unix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs Unix terminals and signals")


@unix_only
@pytest.mark.parametrize(
    ("env", "coloured"),
    [({"TERM": "xterm"}, True), ({"TERM": "dumb"}, False), ({"NO_COLOR": "1"}, False)],
)
def test_colour_on_a_terminal(tmp_path: Path, env: dict[str, str], coloured: bool) -> None:
    path, _ = _log(tmp_path)
    out = _on_a_terminal(path, env)
    assert b"ClOrdID" in out
    assert (b"\033[36mClOrdID\033[0m" in out) is coloured


# Errors: one line on stderr, a non-zero status, never a traceback.


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fixwire", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_missing_file_is_one_line_and_the_others_are_decoded(tmp_path: Path) -> None:
    path, _ = _log(tmp_path)
    missing = tmp_path / "missing.log"
    done = _run("decode", "--no-color", "--type", "D", str(missing), str(path))
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        f"fixwire: error: cannot read {missing}: No such file or directory"
    )
    assert "Traceback" not in done.stderr
    assert "35=D NewOrderSingle" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decode", "--bogus"], "unrecognized arguments: --bogus (see fixwire --help)"),
        (["nothing"], "argument COMMAND: invalid choice: 'nothing'"),
        (["decode", "-f"], "--follow needs exactly one file"),
        (["decode", "--dictionary", "/no/such.xml"], "cannot load the dictionary: "),
    ],
)
def test_usage_errors_are_one_line(args: list[str], message: str) -> None:
    done = _run(*args)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("fixwire: error: ")
    assert message in done.stderr
    assert done.stdout == ""


def test_help_lists_every_command() -> None:
    done = _run("--help")
    assert done.returncode == 0
    commands = re.findall(r"^    (\w+) ", done.stdout, re.MULTILINE)
    assert commands == ["decode", "sim", "export"]


def test_sim_without_the_kalshi_extra_is_one_line() -> None:
    code = "import sys; sys.modules['cryptography'] = None; from fixwire.cli import main; "
    done = subprocess.run(
        [sys.executable, "-c", code + "sys.exit(main(['sim']))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "fixwire: error: fixwire.kalshi needs cryptography, which is not installed: "
        "pip install 'fixwire[kalshi]'\n"
    )


@unix_only
def test_sim_serves_until_interrupted() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "fixwire", "sim", "--port", "0", "--market", "TEST-MKT"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready, "the simulator printed nothing in 60 s"
        first = child.stdout.readline()
        found = re.match(r"Kalshi simulator on 127\.0\.0\.1:(\d+), TLS", first)
        assert found, first
        with socket.create_connection(("127.0.0.1", int(found.group(1))), timeout=60):
            pass
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=60) == 0
        assert child.stderr is not None
        # On CPython 3.13.0 asyncio may report, while the interpreter shuts down, that a
        # transport's finaliser failed (Server._detach); that comes after the command ended
        # and is not the command's traceback.
        assert "Traceback" not in child.stderr.read().split("Exception ignored in")[0]
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def test_errors_keep_their_place_among_the_messages(tmp_path: Path) -> None:
    path, _ = _log(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "fixwire", "decode", "--no-color", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    # A message's header line ("# PATH byte N: 35=D Name") gives its MsgType; an error line
    # ends with its kind.
    events = [
        line.split()[4] if line.startswith("# ") else line.split()[-1]
        for line in done.stdout.splitlines()
        if line.startswith(("# ", f"{path}: "))
    ]
    assert events == [
        "35=D",
        "35=8",
        "(bad_checksum)",
        "35=0",
        "(truncated)",
    ]
