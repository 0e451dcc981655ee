"""`fixwire decode` on a real mixed log: QuickFIX-style lines, '|' lines, raw SOH, garbage."""

import io
import json
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
    assert usage.stderr.startswith("usage: fixwire ")
