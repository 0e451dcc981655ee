"""Generated FIX logs for the columnar tests: seeded, in every input format, with garbage.

A :class:`LogGenerator` draws messages (ExecutionReport <8> with a NoMiscFees <136> group,
NewOrderSingle <D>, Heartbeat <0>) and garbage (log text, truncated messages, messages with a bad
CheckSum <10> or BodyLength <9>), and :func:`render` writes them in one of the log formats,
recording where every message and every garbled candidate starts. Messages are framed by
:func:`fixtext.frame`, so BodyLength and CheckSum never come from fixwire.

Values are drawn valid most of the time and invalid for their column kind now and then (an int
``12a``, a decimal with more fraction digits than its scale, a time at hour 24), so the
``invalid`` counts of the columns are exercised too. No value holds SOH, ``|``, a line break or
``8=FIX``, which would make the log ambiguous.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from fixtext import SOH, checksum, frame

#: The log formats: raw concatenated SOH messages; one SOH message a line; ``|`` for SOH, one
#: message a line, with and without the last ``|``; QuickFIX logs (``YYYYMMDD-HH:MM:SS.mmm : ``
#: before each SOH message).
FORMATS = ("soh", "lines", "pipe", "pipe_no_final", "quickfix")

#: Garbage kinds whose bytes hold an ``8=FIX`` that is not a whole message.
GARBLED_KINDS = ("junk", "truncated", "bad_checksum", "bad_body_length")

Field = tuple[int, bytes]

# Non-ASCII text for Text <58>, in several scripts and widths of UTF-8.
TEXTS = (
    "Füllung teilweise",
    "注文を約定しました",
    "naïve café ☕",
    "Ελληνικά κείμενα",
    "order filled 🚀",
    "plain ascii text",
    "Ordre exécuté à 100 %",
)
INVALID_INTS = (
    b"12a",
    b"+5",
    b"1.0",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"\xef\xbc\x91",
)
INVALID_DECIMALS = (b"1e5", b"1.2.3", b"abc", b"-", b".", b"+1", b" 1", b"1,5", b"NaN", b"inf")
INVALID_TIMES = (
    b"20260820-24:00:00",
    b"20260820-12:60:00",
    b"20260820-12:00:61",
    b"20260820-12:00:00.12",
    b"20260820-12:00:00.1234",
    b"2026-08-20T12:00:00",
    b"20260230-12:00:00",
    b"20260820 12:00:00",
    b"25000101-00:00:00",  # after 2262: nanoseconds since the epoch overflow int64
)
INVALID_DATES = (b"20260230", b"20261301", b"2026082", b"2026-08-20", b"20260800")
INVALID_BOOLS = (b"y", b"1", b"T", b"YES", b"true")
LOG_TEXT = (
    b"session heartbeat timer fired",
    b"Disconnecting: peer closed the socket",
    b"<- resend request 1..0",
    b"=== log rotated ===",
)


@dataclass(frozen=True)
class Message:
    """One message: its BeginString and its fields from MsgType <35> to the last body field."""

    begin_string: str
    fields: tuple[Field, ...]

    def wire(self) -> bytes:
        """The SOH form, framed with a correct BodyLength <9> and CheckSum <10>."""
        return frame(
            b"".join(b"%d=%s|" % (tag, value) for tag, value in self.fields), self.begin_string
        )


@dataclass(frozen=True)
class Garbage:
    """Bytes between messages. ``wire`` is in SOH form for the message-like kinds.

    ``message`` is the message a ``bad_checksum`` candidate holds, which parses when CheckSum
    <10> is not verified.
    """

    kind: str
    wire: bytes
    message: Message | None = None


Item = Message | Garbage


@dataclass
class Log:
    """A rendered log and what it holds: messages and garbled candidates by offset."""

    data: bytes = b""
    messages: list[tuple[int, Message]] = field(default_factory=list)
    garbled: list[int] = field(default_factory=list)
    # Messages with a bad CheckSum <10>: garbled, but read when CheckSum is not verified.
    unchecked: list[tuple[int, Message]] = field(default_factory=list)


class LogGenerator:
    """Draws messages and garbage from a seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seq = 0

    # Values.

    def _pick(self, valid: bytes, invalid: tuple[bytes, ...], rate: float = 0.08) -> bytes:
        return self.rng.choice(invalid) if self.rng.random() < rate else valid

    def int_value(self) -> bytes:
        r = self.rng
        valid = r.choice(
            [
                str(r.randrange(-(10**12), 10**12)),
                f"{r.randrange(100):03d}",  # leading zeros are allowed
                "9223372036854775807",
                "-9223372036854775808",
                "-0",
            ]
        )
        return self._pick(valid.encode(), INVALID_INTS)

    def decimal_value(self, max_frac: int) -> bytes:
        r = self.rng
        whole = str(r.randrange(0, 100_000))
        digits = r.randrange(0, max_frac + 1)
        frac = "".join(r.choice("0123456789") for _ in range(digits))
        sign = "-" if r.random() < 0.1 else ""
        if digits == 0:
            text = whole + "." if r.random() < 0.2 else whole
        elif r.random() < 0.1:
            text = "." + frac
        else:
            text = whole + "." + frac
        return self._pick((sign + text).encode(), INVALID_DECIMALS)

    def time_value(self) -> bytes:
        r = self.rng
        day = r.randrange(0, 365 * 130)  # 1970 to 2099
        year, month, mday = _civil(day)
        second = 60 if r.random() < 0.02 else r.randrange(60)  # FIX allows a leap second
        hour, minute = r.randrange(24), r.randrange(60)
        text = f"{year:04d}{month:02d}{mday:02d}-{hour:02d}:{minute:02d}:{second:02d}"
        digits = r.choice((0, 3, 6, 9))
        if digits:
            text += "." + "".join(r.choice("0123456789") for _ in range(digits))
        return self._pick(text.encode(), INVALID_TIMES)

    def date_value(self) -> bytes:
        year, month, mday = _civil(self.rng.randrange(-365 * 50, 365 * 130))
        return self._pick(b"%04d%02d%02d" % (year, month, mday), INVALID_DATES)

    def bool_value(self) -> bytes:
        return self._pick(self.rng.choice((b"Y", b"N")), INVALID_BOOLS)

    def text_value(self) -> bytes:
        return self.rng.choice(TEXTS).encode()

    # Messages.

    def _maybe(self, fields: list[Field], tag: int, value: bytes, p: float = 0.85) -> None:
        if self.rng.random() < p:
            fields.append((tag, value))

    def fees(self) -> list[Field]:
        """A NoMiscFees <136> group of 0-3 entries; an empty list when the group is absent."""
        r = self.rng
        n = r.choice((0, 1, 1, 2, 3, -1))
        if n < 0:
            return []
        fields: list[Field] = [(136, b"%d" % n)]
        for _ in range(n):
            fields.append((137, self.decimal_value(4)))
            self._maybe(fields, 138, r.choice((b"USD", b"EUR", b"JPY")), 0.7)
            self._maybe(fields, 139, self._pick(r.choice((b"4", b"7", b"12")), INVALID_INTS), 0.7)
            self._maybe(fields, 891, r.choice((b"0", b"1", b"2")), 0.5)
        return fields

    def message(self, msg_type: str | None = None) -> Message:
        """A message of ``msg_type`` (drawn when None) with a session header."""
        r = self.rng
        msg_type = msg_type or r.choice(("8", "8", "8", "D", "0"))
        self.seq += 1
        fields: list[Field] = [
            (35, msg_type.encode()),
            (49, r.choice((b"CLIENT", b"DROPCOPY"))),
            (56, b"KalshiNR"),
            (34, b"%d" % self.seq),
            (52, self.time_value()),
        ]
        if msg_type == "8":
            fields.append((11, b"ord-%d" % r.randrange(10**6)))
            fields.append((17, b"exec-%d" % self.seq))
            self._maybe(fields, 55, r.choice((b"KXBTC-26AUG20", b"KXETH-26AUG20")))
            fields.append((54, r.choice((b"1", b"2"))))
            self._maybe(fields, 38, self.decimal_value(2))
            self._maybe(fields, 44, self.decimal_value(9))
            self._maybe(fields, 32, self.decimal_value(3))
            self._maybe(fields, 31, self.decimal_value(6))
            self._maybe(fields, 14, self.decimal_value(1))
            self._maybe(fields, 60, self.time_value())
            self._maybe(fields, 75, self.date_value())
            self._maybe(fields, 43, self.bool_value(), 0.5)
            text_first = r.random() < 0.5
            if text_first:
                self._maybe(fields, 58, self.text_value(), 0.6)
            fields += self.fees()
            if not text_first:
                self._maybe(fields, 58, self.text_value(), 0.6)
            self._maybe(fields, 5001, self.int_value(), 0.7)
        elif msg_type == "D":
            fields.append((11, b"ord-%d" % r.randrange(10**6)))
            fields.append((55, r.choice((b"KXBTC-26AUG20", b"KXETH-26AUG20"))))
            fields.append((54, r.choice((b"1", b"2"))))
            self._maybe(fields, 38, self.decimal_value(2))
            self._maybe(fields, 44, self.decimal_value(4))
            self._maybe(fields, 60, self.time_value())
            self._maybe(fields, 58, self.text_value(), 0.3)
        begin_string = r.choice(("FIX.4.2", "FIX.4.4", "FIXT.1.1"))
        return Message(begin_string, tuple(fields))

    def garbage(self, kind: str | None = None) -> Garbage:
        """Garbage of ``kind`` (drawn when None): ``text`` or one of :data:`GARBLED_KINDS`."""
        r = self.rng
        kind = kind or r.choice(("text", *GARBLED_KINDS))
        if kind == "text":
            return Garbage(kind, r.choice(LOG_TEXT))
        if kind == "junk":
            return Garbage(kind, b"8=FIX garbage " + r.choice(LOG_TEXT))
        message = self.message()
        wire = message.wire()
        if kind == "truncated":
            return Garbage(kind, wire)  # cut when rendered, so the cut is in the log's format
        if kind == "bad_checksum":
            stated = (checksum(wire[: wire.rindex(b"10=")]) + r.randrange(1, 256)) % 256
            return Garbage(kind, wire[:-4] + b"%03d" % stated + SOH, message)
        # bad_body_length: BodyLength off by a few bytes, CheckSum right for the bytes sent.
        body = wire[wire.index(SOH, wire.index(b"9=")) + 1 : wire.rindex(b"10=")]
        length = len(body) + r.choice((-3, -2, -1, 1, 2, 3))
        head = b"8=" + message.begin_string.encode() + SOH + b"9=%d" % length + SOH + body
        return Garbage(kind, head + b"10=%03d" % checksum(head) + SOH)

    def items(self, count: int, garbage_rate: float = 0.12) -> list[Item]:
        """``count`` messages with garbage between them at about ``garbage_rate``."""
        items: list[Item] = []
        for _ in range(count):
            if self.rng.random() < garbage_rate:
                items.append(self.garbage())
            items.append(self.message())
        return items

    def timestamp(self) -> bytes:
        """A QuickFIX log line prefix."""
        r = self.rng
        return b"20260820-%02d:%02d:%02d.%03d : " % (
            r.randrange(24),
            r.randrange(60),
            r.randrange(60),
            r.randrange(1000),
        )


def _civil(day: int) -> tuple[int, int, int]:
    """Year, month and day of ``day`` days after 1970-01-01."""
    d = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    return d.year, d.month, d.day


def _in_format(wire: bytes, fmt: str) -> bytes:
    """A SOH-form message as it appears in a line of ``fmt`` (without the line end)."""
    if fmt == "pipe":
        return wire.replace(SOH, b"|")
    if fmt == "pipe_no_final":
        return wire.replace(SOH, b"|")[:-1]
    return wire


def render(
    items: list[Item],
    fmt: str | list[str],
    gen: LogGenerator,
    *,
    final_newline: bool = False,
) -> Log:
    r"""Write ``items`` as a log in ``fmt`` (one format, or one per item for a mixed log).

    Line formats end lines with ``\n`` or ``\r\n`` at random. The last line of a
    ``pipe_no_final`` log has no line end unless ``final_newline`` says otherwise, so a log can
    end right after a CheckSum value.
    """
    formats = [fmt] * len(items) if isinstance(fmt, str) else fmt
    log = Log()
    out = bytearray()
    for i, (item, f) in enumerate(zip(items, formats, strict=True)):
        last = i == len(items) - 1
        if f == "soh" or (last and f == "pipe_no_final" and not final_newline):
            eol = b""
        else:
            eol = gen.rng.choice((b"\n", b"\r\n"))
        if f == "quickfix":
            out += gen.timestamp()
        if isinstance(item, Message):
            log.messages.append((len(out), item))
            out += _in_format(item.wire(), f) + eol
            continue
        if item.kind == "text":
            out += item.wire + eol
            continue
        line = _in_format(item.wire, f)
        if item.kind == "truncated":
            # At least "8=FIX." is kept and at least two bytes are cut: cutting only the final
            # "|" would leave a whole message of the pipe_no_final form.
            line = line[: gen.rng.randrange(6, len(line) - 1)]
        if item.kind == "bad_checksum" and item.message is not None:
            log.unchecked.append((len(out), item.message))
        log.garbled.append(len(out))
        out += line + eol
    log.data = bytes(out)
    return log


def concat(logs: list[Log]) -> Log:
    """One log of ``logs`` back to back, offsets shifted to their place in it."""
    out = Log()
    data = bytearray()
    for log in logs:
        base = len(data)
        out.messages += [(base + offset, m) for offset, m in log.messages]
        out.garbled += [base + offset for offset in log.garbled]
        out.unchecked += [(base + offset, m) for offset, m in log.unchecked]
        data += log.data
    out.data = bytes(data)
    return out


def write_logs(directory: Path, seed: int, items: int) -> list[Path]:
    """Write a generated log of each of :data:`FORMATS` (``items`` items each) into
    ``directory``, named by format; their paths in :data:`FORMATS` order.
    """
    gen = LogGenerator(seed)
    paths = []
    for fmt in FORMATS:
        path = directory / f"{fmt}.log"
        path.write_bytes(render(gen.items(items), fmt, gen).data)
        paths.append(path)
    return paths
