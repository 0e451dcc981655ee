"""The conformance script language: reading a script, and playing it over TCP against an acceptor.

A script plays the initiator (here called the counterparty, CompID ``TW``) against an acceptor
whose SenderCompID <49> is ``ISLD``, over a real socket, and states every message the acceptor
must send. ``tests/data/conformance/README.md`` is the reference for the language; this module
is its one implementation, shared by both acceptors so that they are held to the same checks.

Nothing here trusts the engine under test: messages are framed, their BodyLength <9> and
CheckSum <10> computed and verified by this module's own code (and :mod:`fixtext`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fixtext import bar, checksum, fields_of, fill_length_and_sum, frame, soh

__all__ = [
    "ACCEPTOR",
    "COUNTERPARTY",
    "ENGINES",
    "HEADER_TAGS",
    "VERSIONS",
    "Script",
    "ScriptError",
    "ScriptFailure",
    "load_scripts",
    "play",
]

#: The BeginStrings the scripts run on, oldest first; FIXT.1.1 carries FIX.5.0 SP2.
VERSIONS = ("FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4", "FIXT.1.1")
#: The acceptors the scripts are played against: QuickFIX's (the control) and fixwire's.
ENGINES: tuple[str, ...] = ("quickfix", "fixwire")
#: The acceptor's SenderCompID <49>, as in QuickFIX's own acceptance tests.
ACCEPTOR = "ISLD"
#: The counterparty's CompID as scripts write it; each run replaces it with its session's own.
COUNTERPARTY = "TW"

#: Every standard header tag of FIX.4.0 to FIXT.1.1: what the comparison treats as header.
HEADER_TAGS = frozenset(
    {8, 9, 35, 49, 56, 115, 128, 90, 91, 34, 50, 142, 57, 143, 116, 144, 129, 145, 43, 97, 52}
    | {122, 212, 213, 347, 369, 370, 627, 628, 629, 630, 1128, 1129, 1156}
)
#: Text <58> and its encoded form: free wording (see the runner's relaxations).
FREE_TEXT_TAGS = frozenset({58, 354, 355})

#: Seconds an ``E`` waits for its message, and an ``X`` for the disconnect.
WAIT = 15.0
#: Seconds the end of a script listens for messages nobody expected on connections still open.
LINGER = 0.2

_TIME_TOKEN = re.compile(r"<NOW([+-]\d+)?>")
_LAST_TOKEN = re.compile(r"<last (\d+)>")
_STEP = re.compile(
    r"(?:\[(?P<guard>[^\]]*)\]\s+)?(?P<op>[CIREOXD])(?P<conn>\d?)(?:\s+(?P<arg>.*))?"
)
# UTCTimestamp: whole seconds only before FIX.4.2, then optional milliseconds, and from
# FIX.5.0 SP1 (so on FIXT.1.1 here) micro- or nanoseconds as well.
_TIMESTAMP = {
    "FIX.4.0": re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}"),
    "FIX.4.1": re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}"),
    "FIX.4.2": re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}(\.\d{3})?"),
    "FIX.4.3": re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}(\.\d{3})?"),
    "FIX.4.4": re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}(\.\d{3})?"),
    "FIXT.1.1": re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{9})?"),
}
_TIME_TAGS = (52, 122)


class ScriptError(Exception):
    """A script that cannot be read: a fault of the script, not of an acceptor."""


class ScriptFailure(AssertionError):
    """An acceptor did not do what the script expects."""


@dataclass(frozen=True, slots=True)
class Step:
    """One directive: its line, letter, connection number, argument and the versions it is for."""

    line: int
    op: str
    conn: int
    arg: str
    versions: frozenset[str]


@dataclass(frozen=True, slots=True)
class Script:
    """One script file, read.

    Attributes:
        path: The file.
        versions: The BeginStrings it runs on (``@ versions=``; all by default).
        settings: QuickFIX session settings the acceptor must run the script's session with
            (``@ SendNextExpectedMsgSeqNum=Y``).
        steps: The directives, in order, each with the versions it applies to.
        shared_comp_ids: ``@ comp_ids=shared``: the counterparty uses the same CompIDs on every
            version (its sessions differ by BeginString alone); otherwise one per version.
        engines: The acceptors it runs against (``@ engines=fixwire``: a setting QuickFIX
            1.16, the control, does not have; the script's comment says so); both by default.
    """

    path: Path
    versions: tuple[str, ...]
    settings: dict[str, str] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    shared_comp_ids: bool = False
    engines: tuple[str, ...] = ENGINES

    @property
    def name(self) -> str:
        return self.path.stem


def _versions(spec: str, where: str) -> frozenset[str]:
    """``FIX.4.0 FIX.4.1`` or ``FIX.4.2+`` (that version and every later one)."""
    chosen: set[str] = set()
    for item in spec.split():
        later = item.endswith("+")
        name = item.removesuffix("+")
        if name not in VERSIONS:
            raise ScriptError(f"{where}: unknown version {name!r} (one of {', '.join(VERSIONS)})")
        start = VERSIONS.index(name)
        chosen.update(VERSIONS[start:] if later else (name,))
    if not chosen:
        raise ScriptError(f"{where}: no version named")
    return frozenset(chosen)


def load_script(path: Path) -> Script:
    """Reads one script.

    Raises:
        ScriptError: A line that is not a directive, an unknown version, no directive at all.
    """
    versions = frozenset(VERSIONS)
    settings: dict[str, str] = {}
    steps: list[Step] = []
    shared = False
    engines: tuple[str, ...] = ENGINES
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = text.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            if steps:
                raise ScriptError(f"{where}: '@' lines come before the directives")
            key, sep, value = line[1:].strip().partition("=")
            if not sep:
                raise ScriptError(f"{where}: '@' takes key=value")
            if key == "versions":
                versions = _versions(value, where)
            elif key == "engines":
                engines = tuple(e for e in ENGINES if e in value.split())
                if not engines or len(engines) != len(value.split()):
                    raise ScriptError(f"{where}: engines takes {' or '.join(ENGINES)}")
            elif key == "comp_ids":
                if value != "shared":
                    raise ScriptError(f"{where}: comp_ids takes only 'shared'")
                shared = True
            else:
                settings[key] = value
            continue
        match = _STEP.fullmatch(line)
        if match is None:
            raise ScriptError(f"{where}: not a directive: {line!r}")
        guard = match["guard"]
        applies = versions if guard is None else _versions(guard, where) & versions
        steps.append(
            Step(number, match["op"], int(match["conn"] or 1), match["arg"] or "", applies)
        )
    if not steps:
        raise ScriptError(f"{path.name}: no directives")
    chosen = tuple(v for v in VERSIONS if v in versions)
    return Script(path, chosen, settings, tuple(steps), shared, engines)


def load_scripts(directory: Path) -> list[Script]:
    """Every ``*.txt`` script under ``directory``, in FIX test case order (2a before 10)."""

    def order(path: Path) -> tuple[int, int, str]:
        number = re.match(r"\d+", path.stem)
        return (1, 0, path.stem) if number is None else (0, int(number.group()), path.stem)

    return [load_script(path) for path in sorted(directory.rglob("*.txt"), key=order)]


@dataclass(slots=True)
class _Context:
    """What a script's text means on one run: its version, its counterparty CompID, the clock."""

    version: str
    counterparty: str
    #: The fields of the last message an ``E`` or ``O`` matched, for ``<last 112>``.
    last: dict[int, str] = field(default_factory=dict)

    def timestamp(self, offset: float = 0.0) -> str:
        moment = datetime.fromtimestamp(time.time() + offset, UTC)
        if self.version in ("FIX.4.0", "FIX.4.1"):
            return moment.strftime("%Y%m%d-%H:%M:%S")
        return moment.strftime("%Y%m%d-%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"

    def expand(self, text: str) -> str:
        """Replaces the tokens every directive may use: times, ``<last 112>``, ``<ORDER>``,
        ``<TRANSACT_TIME>`` (TransactTime <60>, required in an order from FIX.4.2 on and
        undefined there before), ``<BEGIN>``.
        """
        text = _TIME_TOKEN.sub(lambda m: self.timestamp(float(m.group(1) or 0)), text)
        text = _LAST_TOKEN.sub(lambda m: self._last(int(m.group(1))), text)
        text = text.replace("<ORDER>", "21=1|38=100|40=1|54=1|55=INTC|<TRANSACT_TIME>")
        transact_time = "" if self.version in ("FIX.4.0", "FIX.4.1") else "60=20260101-00:00:00|"
        text = text.replace("<TRANSACT_TIME>", transact_time)
        return text.replace("<BEGIN>", self.version)

    def _last(self, tag: int) -> str:
        if tag not in self.last:
            raise ScriptError(f"<last {tag}>: the last message expected has no tag {tag}")
        return self.last[tag]

    def pairs(self, text: str) -> tuple[list[tuple[int, str]], set[int]]:
        """The fields of an ``I`` or ``E`` line, and the tags it leaves out with ``!tag``.

        An optional field of an ``E`` line (``371?=36``) comes back with a negative tag.
        """
        pairs: list[tuple[int, str]] = []
        omitted: set[int] = set()
        for item in self.expand(text).split("|"):
            if not item:
                continue
            try:
                if item.startswith("!"):
                    omitted.add(int(item[1:]))
                    continue
                tag, sep, value = item.partition("=")
                if not sep:
                    raise ValueError(item)
                number = -int(tag[:-1]) if tag.endswith("?") else int(tag)
                pairs.append((number, self.counterparty if value == COUNTERPARTY else value))
            except ValueError as e:
                raise ScriptError(f"not a field: {item!r}") from e
        return pairs, omitted

    def with_defaults(
        self, pairs: list[tuple[int, str]], omitted: set[int], defaults: list[tuple[int, str]]
    ) -> list[tuple[int, str]]:
        """MsgType <35> first, then the header defaults the line neither gives nor omits, then
        the line's other fields in its order; DefaultApplVerID <1137> ends a FIXT.1.1 Logon.
        """
        given = {tag for tag, _ in pairs}
        msg_type = [p for p in pairs if p[0] == 35]
        if len(msg_type) != 1:
            raise ScriptError("an I or E line has exactly one 35=")
        if self.version == "FIXT.1.1" and msg_type[0][1] == "A":
            defaults = [*defaults, (1137, "9")]
        extra = [(t, v) for t, v in defaults if t not in given and t not in omitted]
        logon_tail = [p for p in extra if p[0] == 1137]
        head = [p for p in extra if p[0] != 1137]
        return msg_type + head + [p for p in pairs if p[0] != 35] + logon_tail


def compose(ctx: _Context, text: str) -> bytes:
    """The bytes of an ``I`` line: BeginString <8> and BodyLength <9> first, CheckSum <10> last."""
    pairs, omitted = ctx.pairs(text)
    defaults = [(49, ctx.counterparty), (56, ACCEPTOR), (52, ctx.timestamp())]
    fields = ctx.with_defaults(pairs, omitted, defaults)
    return frame("".join(f"{tag}={value}|" for tag, value in fields), ctx.version)


def compose_raw(ctx: _Context, text: str) -> bytes:
    """The bytes of an ``R`` line: as written, with ``<LEN>`` and ``<SUM>`` computed."""
    text = re.sub(rf"=({COUNTERPARTY})\|", f"={ctx.counterparty}|", ctx.expand(text))
    return fill_length_and_sum(soh(text))


def difference(ctx: _Context, text: str, raw: bytes) -> str | None:
    """Why ``raw`` is not the message an ``E`` line expects, or None when it is.

    The framing is checked exactly; then the header fields and the body fields are compared as
    two multisets (order free within each), Text <58> left out and ``*`` matching any value. A
    field the line marks optional (``371?=36``) may be sent or not; sent, it must match.
    """
    pairs, omitted = ctx.pairs(text)
    optional = {-tag: value for tag, value in pairs if tag < 0}
    pairs = [(tag, value) for tag, value in pairs if tag >= 0]
    expected = ctx.with_defaults(
        pairs, omitted, [(49, ACCEPTOR), (56, ctx.counterparty), (52, "*")]
    )
    try:
        actual = [(tag, value.decode()) for tag, value in fields_of(raw)]
    except (ValueError, UnicodeDecodeError) as e:
        return f"not a FIX message ({e})"
    problem = _framing(ctx.version, raw, actual)
    if problem:
        return problem
    inner = actual[2:-1]
    for tag, value in inner:
        if tag in optional and optional[tag] not in ("*", value):
            return f"{tag}={value}, where the script allows only {tag}={optional[tag]} or none"
    inner = [(tag, value) for tag, value in inner if tag not in optional]
    cut = next((i for i, (tag, _) in enumerate(inner) if tag not in HEADER_TAGS), len(inner))
    for tag, value in inner:
        if tag in _TIME_TAGS and not _TIMESTAMP[ctx.version].fullmatch(value):
            return f"{tag}={value} is not a {ctx.version} UTCTimestamp"
    sides = (
        ("header", [p for p in expected if p[0] in HEADER_TAGS], inner[:cut]),
        ("body", [p for p in expected if p[0] not in HEADER_TAGS], inner[cut:]),
    )
    for part, want, got in sides:
        if not _same(want, got):
            return f"{part} differs:\n  sent     {_render(got)}\n  expected {_render(want)}"
    return None


def _text_fields(raw: bytes) -> list[tuple[int, str]]:
    return [(tag, value.decode(errors="replace")) for tag, value in fields_of(raw)]


def _framing(version: str, raw: bytes, fields: list[tuple[int, str]]) -> str | None:
    if len(fields) < 4 or [t for t, _ in fields[:3]] != [8, 9, 35] or fields[-1][0] != 10:
        return "not 8, 9, 35 first and 10 last"
    if fields[0][1] != version:
        return f"BeginString <8> is {fields[0][1]}, not {version}"
    start = raw.index(b"\x01", raw.index(b"\x019=") + 1) + 1
    length = raw.rindex(b"\x0110=") + 1 - start
    if fields[1][1] != str(length):
        return f"BodyLength <9> is {fields[1][1]}, the body is {length} bytes"
    total = checksum(raw[: raw.rindex(b"\x0110=") + 1])
    if fields[-1][1] != f"{total:03d}":
        return f"CheckSum <10> is {fields[-1][1]}, the bytes sum to {total:03d}"
    return None


def _same(want: list[tuple[int, str]], got: list[tuple[int, str]]) -> bool:
    def by_tag(pairs: list[tuple[int, str]]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for tag, value in pairs:
            if tag not in FREE_TEXT_TAGS:
                found.setdefault(tag, []).append(value)
        return found

    wanted, sent = by_tag(want), by_tag(got)
    if wanted.keys() != sent.keys():
        return False
    for tag, values in wanted.items():
        exact = Counter(v for v in values if v != "*")
        if len(values) != len(sent[tag]) or exact - Counter(sent[tag]):
            return False
    return True


def _render(pairs: list[tuple[int, str]]) -> str:
    return "|".join(f"{tag}={value}" for tag, value in pairs) + "|"


class _Link:
    """One TCP connection of the counterparty's, framing what the acceptor sends."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buffer = b""

    def _take(self) -> bytes | None:
        """The first whole message of the buffer, or None when it is not all there yet."""
        head = re.match(rb"8=[^\x01]*\x019=(\d+)\x01", self.buffer)
        if head is None:
            if len(self.buffer) > 64 and not self.buffer.startswith(b"8="):
                raise ScriptFailure(f"bytes that are no FIX message: {bar(self.buffer[:80])}")
            return None
        end = head.end() + int(head.group(1)) + 7  # "10=nnn" and SOH
        if len(self.buffer) < end:
            return None
        message, self.buffer = self.buffer[:end], self.buffer[end:]
        if not message.endswith(b"\x01") or message[-8:-4] != b"\x0110=":
            raise ScriptFailure(f"BodyLength <9> does not lead to CheckSum <10>: {bar(message)}")
        return message

    async def next_message(self, wait: float) -> bytes | None:
        """The next message, or None when the acceptor closed the connection first."""
        async with asyncio.timeout(wait):
            while (message := self._take()) is None:
                try:
                    data = await self.reader.read(65536)
                except ConnectionResetError:
                    data = b""  # A reset (bytes left unread on its side) closes too.
                if not data:
                    if self.buffer:
                        raise ScriptFailure(f"closed after a partial message: {bar(self.buffer)}")
                    return None
                self.buffer += data
        return message

    def put_back(self, message: bytes) -> None:
        """Returns a message to the front, for the next directive to read."""
        self.buffer = message + self.buffer

    def close(self) -> None:
        self.writer.close()


async def play(script: Script, version: str, port: int, counterparty: str) -> None:
    """Plays ``script`` on ``version`` against the acceptor on 127.0.0.1:``port``.

    Raises:
        ScriptFailure: The acceptor sent something else, nothing, or closed (or did not close)
            the connection; the message shows the transcript up to there.
        ScriptError: A line of the script cannot be read.
    """
    ctx = _Context(version, counterparty)
    links: dict[int, _Link] = {}
    transcript: list[str] = []

    def fail(step: Step, why: str) -> ScriptFailure:
        shown = "\n".join(transcript[-12:])
        return ScriptFailure(f"{script.name}:{step.line} {step.op} {step.arg}\n{why}\n{shown}")

    try:
        for step in script.steps:
            if version not in step.versions:
                continue
            link = links.get(step.conn)
            if step.op == "C":
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError as e:
                    raise fail(step, f"cannot connect: {e}") from e
                links[step.conn] = _Link(reader, writer)
                transcript.append(f"C{step.conn}")
                continue
            if link is None:
                raise ScriptError(f"{script.name}:{step.line}: connection {step.conn} is not open")
            if step.op in "IR":
                data = compose(ctx, step.arg) if step.op == "I" else compose_raw(ctx, step.arg)
                transcript.append(f"I{step.conn} {bar(data)}")
                link.writer.write(data)
            elif step.op == "D":
                link.close()
                del links[step.conn]
                transcript.append(f"D{step.conn}")
            else:
                try:
                    message = await link.next_message(WAIT)
                except TimeoutError:
                    what = {"E": "the message", "O": "a message or the disconnect"}
                    awaited = what.get(step.op, "the disconnect")
                    raise fail(step, f"waited {WAIT} s for {awaited}") from None
                except (ConnectionError, ScriptFailure) as e:
                    raise fail(step, str(e)) from e
                if step.op == "O":
                    if message is not None and difference(ctx, step.arg, message):
                        link.put_back(message)
                    elif message is not None:
                        transcript.append(f"E{step.conn} {bar(message)} (optional)")
                        ctx.last = dict(_text_fields(message))
                    continue
                if message is not None:
                    transcript.append(f"E{step.conn} {bar(message)}")
                if step.op == "X":
                    if message is not None:
                        raise fail(step, f"sent instead of closing: {bar(message)}")
                    link.close()
                    del links[step.conn]
                    transcript.append(f"X{step.conn}")
                elif message is None:
                    raise fail(step, "closed the connection instead")
                elif why := difference(ctx, step.arg, message):
                    raise fail(step, why)
                else:
                    ctx.last = dict(_text_fields(message))
        for number, link in links.items():
            # Best effort only (a message may be on its way): scripts that must prove silence
            # do so with a TestRequest <1> and its Heartbeat <0>.
            with contextlib.suppress(TimeoutError, ConnectionError):
                late = await link.next_message(LINGER)
                if late is not None:
                    raise ScriptFailure(
                        f"{script.name}: connection {number}: sent but not expected: "
                        f"{bar(late)}\n" + "\n".join(transcript[-12:])
                    )
    finally:
        for link in links.values():
            link.close()
