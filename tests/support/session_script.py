"""The replay engine of the acceptance scripts for :class:`fixwire.session.Session`, named after
the FIX session-level test cases (``tests/session/test_scripts.py`` runs them).

Each file of ``tests/data/session/`` replays one case of "FIX Session-level Test Cases and
Expected Behaviors" (or one rule of ``fixwire.session.core``'s theory of operation) against the
sans-IO session, as quickfix-go's ``_test/definitions/server/*.def`` do: the script plays the
counterparty, the application and the clock, and states every message the session must send.
``tests/data/session/README.md`` is the full reference; one directive a line::

    # comment
    @ role=acceptor sender=ISLD target=TW heartbeat=30      SessionConfig (the first line)
    C | D [reason]                       the connection is made | lost
    I 8=FIXT.1.1|35=0|34=2|...|          inbound; BodyLength <9> and CheckSum <10> computed
    R 8=FIXT.1.1|9=<LEN-5>|...|10=<SUM>| inbound bytes as written (for garbled input)
    E 8=FIXT.1.1|35=0|49=ISLD|...|       the next outbound message, field for field
    N                                    nothing more has been sent
    T +31 | T deadline                   advance the clock, then tick
    W +36 | W none                       next_deadline() is that far ahead | None
    S D|11=ord-1|55=X|                   the application sends (Session.send)
    L [text]                             the application logs out (Session.logout)
    V Class [path=value ...]             an event of that class has been reported
    U Class [path=value ...]             no such event is pending
    A path=value ...                     attributes of the session (state, store, counters)
    X                                    the session wants the connection closed

``<NOW>``, ``<NOW-121>`` and ``<T0+5>`` become UTCTimestamps (ms) of the script's clock, which
starts at :data:`EPOCH`; no test reads the real clock or sleeps. ``|`` is SOH.

The checks are exact: an ``E`` must match the next message sent, tag for tag and value for value
(``*`` matches any value), and BodyLength <9>, CheckSum <10> and SendingTime <52> are verified
even where the script does not name them. A script fails on an ``E`` with nothing sent and on
any outbound message it leaves unexpected at its end.
"""

import enum
import functools
import math
import re
import shlex
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import pytest

import fixwire
from fixtext import DATA_DIR, bar, checksum, fields_of, fill_length_and_sum, frame, soh
from fixwire.session import (
    Event,
    FieldValue,
    LogonContext,
    MemoryStore,
    Role,
    Session,
    SessionConfig,
    events,
)

#: Where every script's clock starts (seconds since the epoch): 2026-08-17 20:53:20 UTC.
EPOCH = 1_787_000_000.0

SCRIPT_DIR = DATA_DIR / "session"

_TIME_TOKEN = re.compile(r"<(NOW|T0)([+-]\d+(?:\.\d+)?)?>")
_HEAD = re.compile(rb"8=[^\x01]+\x019=(\d+)\x01")
_TRAILER = re.compile(rb"10=(\d{3})\x01")
_UTC_TIMESTAMP = re.compile(r"\d{8}-\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6}|\.\d{9})?")
_EVENT_CLASSES: dict[str, type] = {name: getattr(events, name) for name in events.__all__}
_EVENT_CLASSES.pop("Event")


class ScriptError(Exception):
    """A script line that cannot be read (not a failure of the session)."""


def _yes_no(value: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"expected yes or no, not {value!r}")
    return value == "yes"


@functools.cache
def kalshi_dictionary() -> fixwire.Dictionary:
    return fixwire.Dictionary.kalshi()


def _dictionary(name: str) -> fixwire.Dictionary:
    if name != "kalshi":
        raise ValueError(f"unknown dictionary {name!r} (only kalshi)")
    return kalshi_dictionary()


def _groups(name: str) -> fixwire.GroupSpecs:
    if name != "kalshi":
        raise ValueError(f"unknown groups {name!r} (only kalshi)")
    return fixwire.GroupSpecs.kalshi()


def _signing_context(context: LogonContext) -> Iterable[tuple[int, FieldValue]]:
    """Stands in for a Logon signature: RawData <96> spells out what would be signed."""
    signed = (
        context.sending_time,
        "A",
        str(context.seq_num),
        context.sender_comp_id,
        context.target_comp_id,
    )
    return [(96, ";".join(signed).encode())]


def _logon_fields(name: str) -> Callable[[LogonContext], Iterable[tuple[int, FieldValue]]]:
    if name != "context":
        raise ValueError(f"unknown logon_fields {name!r} (only context)")
    return _signing_context


def _refuse_logon(text: str) -> Callable[[fixwire.Message], str | None]:
    return lambda _logon: text


def _refuse_user(user: str) -> Callable[[fixwire.Message], str | None]:
    return lambda logon: f"unknown user {user}" if logon.get(553) == user else None


# `@` keys: SessionConfig attribute and how to read the value.
_CONFIG_KEYS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "role": ("role", Role),
    "sender": ("sender_comp_id", str),
    "target": ("target_comp_id", str),
    "begin": ("begin_string", str),
    "appl_ver": ("default_appl_ver_id", str),
    "heartbeat": ("heartbeat_interval", int),
    "reset": ("reset_on_logon", _yes_no),
    "reset_logout": ("reset_on_logout", _yes_no),
    "reset_disconnect": ("reset_on_disconnect", _yes_no),
    "chunk": ("resend_request_chunk_size", int),
    "next_expected": ("next_expected_msg_seq_num", _yes_no),
    "logout_on_refused_logon": ("logout_on_refused_logon", _yes_no),
    "require_encrypt_method": ("require_encrypt_method", _yes_no),
    "groups": ("groups", lambda name: _groups(name)),
    "retransmission": ("retransmission", _yes_no),
    "test_request_delay": ("test_request_delay", float),
    "logon_timeout": ("logon_timeout", float),
    "logout_timeout": ("logout_timeout", float),
    "skew": ("max_sending_time_skew", lambda v: None if v == "none" else float(v)),
    "dictionary": ("dictionary", _dictionary),
    "user_defined": ("allow_user_defined_fields", _yes_no),
    "max_out_of_order": ("max_out_of_order", int),
    "logon_fields": ("logon_fields", _logon_fields),
    "refuse_logon": ("accept_logon", _refuse_logon),
    "refuse_user": ("accept_logon", _refuse_user),
}
# `@` keys that set the store's sequence numbers before the script starts.
_STORE_KEYS = {"next_sender": "set_next_sender_seq", "next_target": "set_next_target_seq"}


def timestamp(seconds: float) -> str:
    """A UTCTimestamp with milliseconds, as the session's encoder writes it."""
    millis = round(seconds * 1000)
    text = datetime.fromtimestamp(millis // 1000, UTC).strftime("%Y%m%d-%H:%M:%S")
    return f"{text}.{millis % 1000:03d}"


def _pairs(text: str) -> list[tuple[int, str]]:
    """``8=FIXT.1.1|35=0|`` as ``(tag, value)`` pairs; the text must end with ``|``."""
    if not text:
        return []
    if not text.endswith("|"):
        raise ScriptError(f"fields must end with '|': {text!r}")
    pairs = []
    for field in text[:-1].split("|"):
        tag, sep, value = field.partition("=")
        if not sep or not tag.isdigit():
            raise ScriptError(f"not a tag=value field: {field!r}")
        pairs.append((int(tag), value))
    return pairs


def _seconds(text: str) -> float:
    """``+31`` as 31.0."""
    if not re.fullmatch(r"\+\d+(\.\d+)?", text):
        raise ScriptError(f"expected +seconds, not {text!r}")
    return float(text[1:])


def _render(pairs: Iterable[tuple[int, str]]) -> str:
    return "".join(f"{tag}={value}|" for tag, value in pairs)


def split_outbound(data: bytes) -> list[bytes]:
    """Cuts what the session wrote into messages, checking BodyLength <9> and CheckSum <10>
    independently of fixwire.
    """
    messages = []
    pos = 0
    while pos < len(data):
        head = _HEAD.match(data, pos)
        if head is None:
            raise AssertionError(f"outbound bytes do not start a message: {bar(data[pos:])}")
        body_end = head.end() + int(head.group(1))
        trailer = _TRAILER.match(data, body_end)
        if trailer is None or data[body_end - 1 : body_end] != b"\x01":
            raise AssertionError(f"outbound BodyLength <9> is wrong: {bar(data[pos:])}")
        if int(trailer.group(1)) != checksum(data[pos:body_end]):
            raise AssertionError(f"outbound CheckSum <10> is wrong: {bar(data[pos:])}")
        messages.append(data[pos : trailer.end()])
        pos = trailer.end()
    return messages


def _path_value(obj: Any, path: str) -> str:
    """The value at ``path`` (``store.next_target_seq``, ``message.55``) as text; an enum by
    its name, a missing field as ``None``.
    """
    for part in path.split("."):
        obj = obj.get(int(part)) if part.isdigit() else getattr(obj, part)
    return obj.name if isinstance(obj, enum.Enum) else str(obj)


class Replay:
    """Runs one script against a fresh :class:`Session` (see the module documentation)."""

    def __init__(self, path: Path, text: str | None = None) -> None:
        self.path = path
        self.text = path.read_text() if text is None else text
        self.lineno = 0
        self.now = EPOCH
        self.outbound: deque[bytes] = deque()
        self.events: list[Event] = []
        self.session: Session | None = None
        self.directives: dict[str, Callable[[str], None]] = {
            "C": lambda _: self.live.connection_made(self.now),
            "D": lambda arg: self.live.connection_lost(self.now, arg or "connection closed"),
            "I": self.inbound,
            "R": self.raw,
            "E": self.expect,
            "N": self.nothing,
            "T": self.tick,
            "W": self.deadline,
            "S": self.send,
            "L": lambda arg: self.live.logout(self.now, arg or None),
            "V": lambda arg: self.event(arg, reported=True),
            "U": lambda arg: self.event(arg, reported=False),
            "A": self.attributes,
            "X": self.closed,
        }

    @property
    def live(self) -> Session:
        if self.session is None:
            self.fail("the first directive must be '@' (the configuration)")
        return self.session

    def fail(self, text: str) -> NoReturn:
        pytest.fail(f"{self.path.name}:{self.lineno}: {text}", pytrace=False)

    def run(self) -> None:
        for lineno, line in enumerate(self.text.splitlines(), 1):
            self.lineno = lineno
            if not line.strip() or line.startswith("#"):
                continue
            op, _, arg = line.partition(" ")
            arg = arg.strip()
            if op == "@":
                self.configure(arg)
                continue
            directive = self.directives.get(op)
            if directive is None:
                self.fail(f"unknown directive {op!r}")
            try:
                directive(arg)
            except ScriptError as e:
                self.fail(f"cannot read {line!r}: {e}")
            self.collect()
        self.lineno += 1
        if self.outbound:
            unexpected = " ".join(bar(m) for m in self.outbound)
            self.fail(f"at the end of the script, sent but not expected: {unexpected}")

    def collect(self) -> None:
        """Takes what the session sent and reported since the last directive."""
        try:
            self.outbound.extend(split_outbound(self.live.data_to_send()))
        except AssertionError as e:
            self.fail(str(e))
        self.events.extend(self.live.next_events())

    def times(self, text: str) -> str:
        def token(match: re.Match[str]) -> str:
            base = self.now if match.group(1) == "NOW" else EPOCH
            return timestamp(base + float(match.group(2) or 0))

        return _TIME_TOKEN.sub(token, text)

    # Directives.

    def configure(self, arg: str) -> None:
        if self.session is not None:
            self.fail("'@' comes once, first")
        settings: dict[str, Any] = {}
        store = MemoryStore()
        for item in shlex.split(arg):
            key, _, value = item.partition("=")
            try:
                if key in _STORE_KEYS:
                    getattr(store, _STORE_KEYS[key])(int(value))
                else:
                    name, read = _CONFIG_KEYS[key]
                    settings[name] = read(value)
            except (KeyError, ValueError) as e:
                self.fail(f"bad setting {item!r}: {e!r}")
        self.session = Session(SessionConfig(**settings), store)

    def inbound(self, arg: str) -> None:
        begin, _, body = self.times(arg).partition("|")
        if not begin.startswith("8=") or not body.endswith("|"):
            raise ScriptError("I takes 8=...| then the body, ending with '|'")
        if re.search(r"(^|\|)(9|10)=", body):
            raise ScriptError("I computes 9 and 10 (use R for raw bytes)")
        self.live.receive(frame(body, begin[2:]), self.now)

    def raw(self, arg: str) -> None:
        self.live.receive(fill_length_and_sum(soh(self.times(arg))), self.now)

    def expect(self, arg: str) -> None:
        expected = _pairs(self.times(arg))
        if not self.outbound:
            self.fail(f"expected {arg} but nothing was sent")
        message = self.outbound.popleft()
        try:
            parsed = fixwire.parse(message)
            parsed.get_time_ns(52)
        except fixwire.DecodeError as e:
            self.fail(f"fixwire cannot read what the session sent ({e}): {bar(message)}")
        actual = [(tag, value.decode()) for tag, value in fields_of(message) if tag not in (9, 10)]
        if all(tag != 52 for tag, _ in expected):
            sending_times = [value for tag, value in actual if tag == 52]
            if len(sending_times) != 1 or not _UTC_TIMESTAMP.fullmatch(sending_times[0]):
                self.fail(f"no valid SendingTime <52>: {bar(message)}")
            actual = [(tag, value) for tag, value in actual if tag != 52]
        if len(actual) != len(expected) or any(
            a_tag != e_tag or (a_value != e_value and e_value != "*")
            for (a_tag, a_value), (e_tag, e_value) in zip(actual, expected, strict=False)
        ):
            self.fail(f"sent     {_render(actual)}\n  expected {_render(expected)}")

    def nothing(self, _: str) -> None:
        if self.outbound:
            self.fail(f"expected nothing, but sent {bar(self.outbound[0])}")

    def tick(self, arg: str) -> None:
        if arg == "deadline":
            deadline = self.live.next_deadline()
            if deadline is None:
                self.fail("T deadline: the session has no deadline")
            self.now = max(self.now, deadline)
        else:
            self.now += _seconds(arg)
        self.live.tick(self.now)

    def deadline(self, arg: str) -> None:
        deadline = self.live.next_deadline()
        if arg == "none":
            if deadline is not None:
                self.fail(f"next_deadline() is now{deadline - self.now:+g}, not None")
            return
        if deadline is None or not math.isclose(deadline, self.now + _seconds(arg)):
            ahead = "None" if deadline is None else f"now{deadline - self.now:+g}"
            self.fail(f"next_deadline() is {ahead}, not now{arg}")

    def send(self, arg: str) -> None:
        msg_type, _, fields = self.times(arg).partition("|")
        self.live.send(msg_type, _pairs(fields), self.now)

    def event(self, arg: str, *, reported: bool) -> None:
        name, *checks = shlex.split(arg)
        cls = _EVENT_CLASSES.get(name)
        if cls is None:
            raise ScriptError(f"unknown event class {name!r}")
        wanted = [check.partition("=")[::2] for check in checks]
        for i, event in enumerate(self.events):
            if isinstance(event, cls) and all(
                _path_value(event, path) == value for path, value in wanted
            ):
                if not reported:
                    self.fail(f"unexpected {event!r}")
                del self.events[: i + 1]
                return
        if reported:
            self.fail(f"no {arg} among the events pending: {self.events!r}")

    def attributes(self, arg: str) -> None:
        for check in shlex.split(arg):
            path, _, value = check.partition("=")
            actual = _path_value(self.live, path)
            if actual != value:
                self.fail(f"{path} is {actual}, not {value}")

    def closed(self, _: str) -> None:
        if not self.live.should_close:
            self.fail(f"the session is {self.live.state.value}, not closing")


def _script_order(path: Path) -> tuple[int, int, str]:
    """FIX test case number order: 2a before 10, the initiator's and the extras last."""
    number = re.match(r"\d+", path.stem)
    if number is None:
        return (1, 0, path.stem)
    return (0, int(number.group()), path.stem)


SCRIPTS = sorted(SCRIPT_DIR.glob("*.txt"), key=_script_order)
