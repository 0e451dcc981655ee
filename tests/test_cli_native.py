"""``fixwire decode`` formats in the Rust core (one native call a read): its output is, byte for
byte, what the command wrote when it formatted each message in Python (``decode_reference``),
for every option, on real corpora and on generated hostile logs, whatever the reads.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import decode_reference
import fixwire
import fixwire.cli
from fixlog import FORMATS, LogGenerator, concat, render
from fixtext import SOH, build, checksum, load_corpus, load_invalid

DATA = Path(__file__).parent / "data"
KALSHI = fixwire.Dictionary.kalshi()
STYLES = ("plain", "colour", "json")


def _native(
    path: Path,
    style: str,
    types: list[str] | None = None,
    *,
    text_stream: bool = False,
    dictionary: list[str] | None = None,
) -> tuple[str, str, int]:
    """``fixwire decode`` of ``path``: stdout, stderr, exit status. stdout is a UTF-8 text
    stream over bytes (written to as bytes), or with ``text_stream`` one that takes only text.
    """
    option = {"plain": "--no-color", "colour": "--color", "json": "--json"}[style]
    argv = ["decode", option, *(dictionary or []), str(path)]
    if types is not None:
        argv += ["--type", ",".join(types)]
    err = io.StringIO()
    if text_stream:
        out: io.TextIOBase = io.StringIO()
    else:
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = fixwire.cli.main(argv)
    out.flush()
    text = out.getvalue() if isinstance(out, io.StringIO) else raw.getvalue().decode()
    return text, err.getvalue(), status


def _reference(
    data: bytes,
    path: Path,
    style: str,
    types: list[str] | None = None,
    chunk: int = 1 << 20,
    dictionary: fixwire.Dictionary = KALSHI,
) -> tuple[str, str, int]:
    out, err, bad = decode_reference.decode(
        data,
        dictionary=dictionary,
        types=None if types is None else set(types),
        as_json=style == "json",
        colour=style == "colour",
        source=str(path),
        chunk=chunk,
    )
    return out, err, 1 if bad else 0


def _corpus_log() -> bytes:
    """Every corpus and invalid message: raw, as ``|`` lines, and after log prefixes."""
    parts = []
    wires = [e.data for e in load_corpus()] + [e.data for e in load_invalid()]
    for i, wire in enumerate(wires):
        shape = i % 3
        if shape == 0:
            parts.append(wire)
        elif shape == 1:
            parts.append(wire.replace(SOH, b"|") + b"\n")
        else:
            parts.append(b"20260820-14:30:05.124 : " + wire + b"\n")
    return b"".join(parts)


def _generated_log() -> bytes:
    gen = LogGenerator(16)
    return concat([render(gen.items(40), fmt, gen) for fmt in FORMATS]).data


@pytest.mark.parametrize("log", ["corpus", "generated"])
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("chunk", [1 << 20, 97, 5])
def test_the_output_is_the_python_formatting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: str, style: str, chunk: int
) -> None:
    data = _corpus_log() if log == "corpus" else _generated_log()
    path = tmp_path / "in.log"
    path.write_bytes(data)
    monkeypatch.setattr(fixwire.cli, "CHUNK", chunk)
    expected = _reference(data, path, style, chunk=chunk)
    assert expected[1], "the log holds bad messages"
    assert _native(path, style) == expected
    assert _native(path, style, text_stream=True) == expected


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("types", [["D", "8"], ["0"], [], ["nope"]])
def test_type_filters_match(tmp_path: Path, style: str, types: list[str]) -> None:
    data = _corpus_log()
    path = tmp_path / "in.log"
    path.write_bytes(data)
    assert _native(path, style, types) == _reference(data, path, style, types)


@pytest.mark.parametrize("style", STYLES)
def test_a_quickfix_dictionary_matches(tmp_path: Path, style: str) -> None:
    spec = Path(os.environ["FIXWIRE_QUICKFIX_SPEC"])
    app, transport = spec / "FIX50SP2.xml", spec / "FIXT11.xml"
    dictionary = fixwire.Dictionary.from_xml(app, transport)
    data = _corpus_log() + _generated_log()
    path = tmp_path / "in.log"
    path.write_bytes(data)
    options = ["--dictionary", str(app), "--transport", str(transport)]
    expected = _reference(data, path, style, dictionary=dictionary)
    assert _native(path, style, dictionary=options) == expected


EDGES = [
    # A tag repeated outside a group; a group count repeated; an empty group.
    "55=A|55=B|55=C|58=x|453=1|448=p|452=24|453=0|",
    "453=0|58=t|",
    # A group count repeated with entries of its own each time.
    "453=1|448=p|452=24|58=x|453=2|448=q|452=1|448=r|452=3|",
    "453=0|453=1|448=p|452=24|",
    # Values that end like a meaning, or hold line separators, quotes, controls.
    "58=a (b) (c)|11=(x)|55= ()|",
    "58=a\u2028 \u0663 Name = v (z)|11=x\u2029y|",
    '58=q"uo\\te\t\x7f|11=caf\u00e9 \u2615|',
    # Undefined tags and a MsgType the dictionary does not know.
    "9999=1|20127=Y|5=x|",
]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("msg_type", ["D", "8", "zz"])
def test_edge_messages_match(tmp_path: Path, style: str, msg_type: str) -> None:
    data = b"".join(build(msg_type, body) + b"\n" for body in EDGES)
    data += build(msg_type, b"58=\xff\xfe|")
    path = tmp_path / "in.log"
    path.write_bytes(data)
    native = _native(path, style)
    assert native == _reference(data, path, style)
    assert native[0].count("# " if style != "json" else '"source"') >= len(EDGES)


@pytest.mark.parametrize("style", STYLES)
def test_a_group_count_met_again_shows_its_own_entries(tmp_path: Path, style: str) -> None:
    app = Path(os.environ["FIXWIRE_QUICKFIX_SPEC"]) / "FIX44.xml"
    dictionary = fixwire.Dictionary.from_xml(app)
    bodies = [
        "11=A|453=1|448=p|452=24|58=x|453=2|448=q|452=1|448=r|452=3|55=Z|",
        # An empty group, then one whose entry holds an empty NoPartySubIDs <802>.
        "453=0|453=1|448=p|802=0|",
    ]
    data = b"".join(build("D", body, begin_string="FIX.4.4") + b"\n" for body in bodies)
    path = tmp_path / "in.log"
    path.write_bytes(data)
    native = _native(path, style, dictionary=["--dictionary", str(app)])
    assert native == _reference(data, path, style, dictionary=dictionary)
    if style != "json":
        return
    first, second = (json.loads(line) for line in native[0].splitlines())
    assert second["NoPartyIDs"] == [{"PartyID": "p", "NoPartySubIDs": []}]
    record = first
    assert record["NoPartyIDs"] == [
        {"PartyID": "p", "PartyRole": "24"},
        {"PartyID": "q", "PartyRole": "1"},
        {"PartyID": "r", "PartyRole": "3"},
    ]
    assert (record["Text"], record["Symbol"]) == ("x", "Z")
    assert "PartyID" not in record
    assert "CheckSum" in record


# A dictionary whose keys clash: a name that is the number of an undefined tag, names that the
# record's own keys have; and a group whose count tag comes back outside it.
CLASHING = (
    "<fix type='FIXT' major='1' minor='1'><header/><trailer/><messages>"
    "<message name='Order' msgtype='D' msgcat='app'>"
    "<field name='Text' required='N'/><field name='Text2' required='N'/>"
    "<group name='NoParts' required='N'><field name='Part' required='N'/></group>"
    "</message></messages><components/><fields>"
    "<field number='35' name='msg_type' type='STRING'/>"
    "<field number='49' name='source' type='STRING'/>"
    "<field number='56' name='58' type='STRING'/>"
    "<field number='59' name='Text' type='STRING'/>"
    "<field number='60' name='Text2' type='STRING'/>"
    "<field number='453' name='NoParts' type='NUMINGROUP'/>"
    "<field number='448' name='Part' type='STRING'/>"
    "</fields></fix>"
)


@pytest.mark.parametrize("style", STYLES)
def test_clashing_names_match(tmp_path: Path, style: str) -> None:
    dictionary_path = tmp_path / "clash.xml"
    dictionary_path.write_text(CLASHING)
    dictionary = fixwire.Dictionary.from_xml(dictionary_path)
    bodies = [
        "58=a|59=b|60=c|58=d|453=2|448=p|448=q|453=0|59=e|",
        "58=x|" * 40 + "59=y|9001=z|56=m|",
        "".join(f"{9000 + i}=v|" for i in range(40)) + "58=a|9000=w|56=n|",
    ]
    data = b"".join(build("D", body) + b"\n" for body in bodies)
    path = tmp_path / "in.log"
    path.write_bytes(data)
    options = ["--dictionary", str(dictionary_path)]
    expected = _reference(data, path, style, dictionary=dictionary)
    assert expected[0].count("# " if style != "json" else '"source"') == len(bodies)
    assert _native(path, style, dictionary=options) == expected


def test_held_messages_longer_than_the_limit_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _generated_log()
    path = tmp_path / "in.log"
    path.write_bytes(data)
    monkeypatch.setattr(fixwire.cli, "CHUNK", 50)
    monkeypatch.setattr(fixwire.cli, "MAX_HELD", 120)
    monkeypatch.setattr(decode_reference, "MAX_HELD", 120)
    for style in STYLES:
        assert _native(path, style) == _reference(data, path, style, chunk=50)


# Generated hostile logs: messages framed right (so that their values reach the formatting)
# around values made of the pieces the formatting treats specially, between garbage.

PIECES = [
    b"a",
    b"7",
    b" ",
    b"(",
    b")",
    b" (x)",
    b"=",
    b"|",
    b'"',
    b"\\",
    b"\n",
    b"\r",
    b"\t",
    b"\x7f",
    b"\xff",
    b"\xc3",
    "é".encode(),
    "\u2028".encode(),
    "\u2029".encode(),
    "\x85".encode(),
    "\u3000".encode(),
    "\u0663".encode(),
    "☕".encode(),
    b"Y",
    b"1",
    b"8=FIX.4.4",
    b"10=",
]
TAGS = [11, 38, 44, 54, 58, 55, 136, 137, 138, 139, 453, 448, 452, 447, 1703, 1704, 1705, 9999, 35]
TAGS += [20127, 8013, 95, 96]
MSG_TYPES = ["D", "8", "0", "A", "AE", "zz", "5"]

values = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map(b"".join)
fields = st.lists(st.tuples(st.sampled_from(TAGS) | st.integers(1, 10**6), values), max_size=12)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """A message with the right BodyLength <9> and CheckSum <10> (usually), in SOH or ``|``
    form, maybe cut short or after a prefix.
    """
    msg_type = draw(st.sampled_from(MSG_TYPES)).encode()
    body = b"35=" + msg_type + SOH
    body += b"".join(b"%d=%s\x01" % (tag, value) for tag, value in draw(fields))
    begin = draw(st.sampled_from([b"FIXT.1.1", b"FIX.4.4"]))
    head = b"8=" + begin + SOH + b"9=%d" % len(body) + SOH + body
    wire = head + b"10=%03d" % ((checksum(head) + draw(st.sampled_from([0, 0, 0, 1]))) % 256) + SOH
    if draw(st.booleans()):
        wire = wire.replace(SOH, b"|") + draw(st.sampled_from([b"\n", b"\r\n", b""]))
    if draw(st.integers(0, 9)) == 0:
        wire = wire[: draw(st.integers(0, len(wire)))]
    return draw(st.sampled_from([b"", b"20260820-14:30:05.124 : ", b"junk 8=FIX "])) + wire


logs = st.lists(messages() | values, min_size=1, max_size=8).map(b"".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=logs,
    style=st.sampled_from(STYLES),
    chunk=st.sampled_from([1, 2, 9, 64, 1 << 20]),
    types=st.none() | st.lists(st.sampled_from(MSG_TYPES), max_size=3),
    text_stream=st.booleans(),
)
def test_hostile_logs_match(
    tmp_path: Path,
    data: bytes,
    style: str,
    chunk: int,
    types: list[str] | None,
    text_stream: bool,
) -> None:
    path = tmp_path / "in.log"
    path.write_bytes(data)
    saved = fixwire.cli.CHUNK
    fixwire.cli.CHUNK = chunk
    try:
        native = _native(path, style, types, text_stream=text_stream)
    finally:
        fixwire.cli.CHUNK = saved
    assert native == _reference(data, path, style, types, chunk=chunk)
