"""FIX text helpers shared by the test modules: the ``|`` form, framing and the corpus files.

Fixtures are written with ``|`` for SOH (house style) and converted here. :func:`frame` computes
BodyLength <9> and CheckSum <10> independently of fixwire, so tests never trust the code under
test to build their expected bytes.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

SOH = b"\x01"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# The bundled Kalshi dictionary's source, also read by QuickFIX in the comparisons.
KALSHI_XML = DATA_DIR.parent.parent / "rust" / "fixwire" / "dictionaries" / "kalshi.xml"

# Every DecodeError.kind the API contract defines.
DECODE_KINDS = frozenset(
    {
        "not_begin_string",
        "tag_not_integer",
        "missing_equals",
        "empty_value",
        "bad_body_length",
        "body_length_too_large",
        "bad_checksum",
        "header_out_of_order",
        "checksum_not_last",
        "truncated",
        "trailing_bytes",
        "bad_data_length",
        "too_many_fields",
        "invalid_value",
        "invalid_utf8",
        "bad_group_count",
        "group_order",
        "group_too_deep",
        "garbage",
    }
)
# Every EncodeError.kind the API contract defines.
ENCODE_KINDS = frozenset(
    {"invalid_tag", "invalid_value", "empty_value", "soh_in_value", "too_large"}
)


def soh(text: str | bytes) -> bytes:
    """Return ``text`` as bytes (UTF-8) with every ``|`` replaced by SOH."""
    data = text.encode() if isinstance(text, str) else text
    return data.replace(b"|", SOH)


def bar(data: bytes) -> str:
    """Return ``data`` in the ``|`` form, for assertion messages."""
    return data.replace(SOH, b"|").decode(errors="backslashreplace")


def checksum(data: bytes) -> int:
    """Return the FIX CheckSum <10> of ``data``: the sum of its bytes modulo 256."""
    return sum(data) % 256


def frame(body: str | bytes, begin_string: str = "FIXT.1.1") -> bytes:
    """Return a complete message around ``body``.

    Args:
        body: Every field from MsgType <35> to the SOH ending the last body field, ``|`` form.
        begin_string: The value of BeginString <8>.

    Returns:
        The SOH-delimited message with a correct BodyLength <9> and CheckSum <10>.
    """
    payload = soh(body)
    if not payload.endswith(SOH):
        raise ValueError(f"body must end with '|': {body!r}")
    head = b"8=" + begin_string.encode() + SOH + b"9=%d" % len(payload) + SOH + payload
    return head + b"10=%03d" % checksum(head) + SOH


_LENGTH_TOKEN = re.compile(rb"9=<LEN([+-]\d+)?>\x01")
_SUM_TOKEN = re.compile(rb"10=<SUM([+-]\d+)?>\x01$")


def fill_length_and_sum(data: bytes) -> bytes:
    """Return raw message bytes with their ``<LEN>`` and ``<SUM>`` tokens computed.

    ``9=<LEN>`` becomes the true BodyLength <9> and a final ``10=<SUM>`` the true CheckSum
    <10>; ``<LEN+n>``, ``<LEN-n>`` and ``<SUM+n>`` make them wrong by ``n`` on purpose (the
    script languages' ``R`` lines, for garbled input).
    """
    length = _LENGTH_TOKEN.search(data)
    if length is not None:
        body_end = data.rindex(b"\x0110=") + 1
        value = body_end - length.end() + int(length.group(1) or 0)
        data = data[: length.start()] + b"9=%d\x01" % value + data[length.end() :]
    total = _SUM_TOKEN.search(data)
    if total is not None:
        value = (checksum(data[: total.start()]) + int(total.group(1) or 0)) % 256
        data = data[: total.start()] + b"10=%03d\x01" % value
    return data


def build(
    msg_type: str,
    fields: str | bytes = "",
    *,
    seq: int = 1,
    sender: str = "CLIENT",
    target: str = "KalshiNR",
    time: str = "20260820-14:30:05.123",
    begin_string: str = "FIXT.1.1",
) -> bytes:
    """Return a complete message with the usual session header, then ``fields`` (``|`` form)."""
    header = f"35={msg_type}|49={sender}|56={target}|34={seq}|52={time}|".encode()
    extra = fields.encode() if isinstance(fields, str) else fields
    return frame(header + extra, begin_string)


def fields_of(data: bytes) -> list[tuple[int, bytes]]:
    """Split a message into ``(tag, value)`` pairs, honouring RawDataLength <95> / RawData <96>.

    Only the data fields the corpus uses are known here; this is a test oracle, not a parser.
    """
    lengths = {95: 96, 93: 89, 90: 91, 212: 213, 354: 355}
    pairs: list[tuple[int, bytes]] = []
    pos = 0
    pending: tuple[int, int] | None = None
    while pos < len(data):
        eq = data.index(b"=", pos)
        tag = int(data[pos:eq])
        if pending is not None and pending[0] == tag:
            end = eq + 1 + pending[1]
        else:
            end = data.index(SOH, eq + 1)
        value = data[eq + 1 : end]
        pending = (lengths[tag], int(value)) if tag in lengths else None
        pairs.append((tag, value))
        pos = end + 1
    return pairs


@dataclass(frozen=True)
class CorpusEntry:
    """One valid message of ``corpus.txt``."""

    name: str
    data: bytes


@dataclass(frozen=True)
class InvalidEntry:
    """One line of ``invalid.txt``: bytes that ``fixwire.parse`` must reject with ``kind``."""

    name: str
    kind: str
    data: bytes


@dataclass(frozen=True)
class ValidationEntry:
    """One line of ``validation.txt``: a message and what the Kalshi dictionary makes of it.

    ``reason`` is ``None`` for a valid message, else the SessionRejectReason <373> of its one
    fault.
    """

    name: str
    reason: int | None
    data: bytes


def _records(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@functools.cache
def load_corpus() -> tuple[CorpusEntry, ...]:
    """Return every entry of ``tests/data/corpus.txt`` with SOH in place of ``|``."""
    entries = []
    for line in _records(DATA_DIR / "corpus.txt"):
        name, text = line.split(" ", 1)
        entries.append(CorpusEntry(name, soh(text)))
    return tuple(entries)


@functools.cache
def load_invalid() -> tuple[InvalidEntry, ...]:
    """Return every entry of ``tests/data/invalid.txt`` with SOH in place of ``|``."""
    entries = []
    for line in _records(DATA_DIR / "invalid.txt"):
        name, kind, text = line.split(" ", 2)
        entries.append(InvalidEntry(name, kind, soh(text)))
    return tuple(entries)


@functools.cache
def load_validation() -> tuple[ValidationEntry, ...]:
    """Return every entry of ``tests/data/validation.txt`` with SOH in place of ``|``."""
    entries = []
    for line in _records(DATA_DIR / "validation.txt"):
        name, expected, text = line.split(" ", 2)
        reason = None if expected == "ok" else int(expected)
        entries.append(ValidationEntry(name, reason, soh(text)))
    return tuple(entries)


def corpus_message(name: str) -> bytes:
    """Return the corpus message called ``name``."""
    for entry in load_corpus():
        if entry.name == name:
            return entry.data
    raise KeyError(name)
