"""The ``fixwire`` command: FIX tools for a terminal.

``fixwire decode [FILE...]`` makes FIX messages readable. Messages are found anywhere in the
input: SOH- or ``|``-separated, one a line or concatenated, inside log lines with prefixes such
as timestamps. Each is printed one field a line with its name and the meaning of its value
(colour on a terminal), or as one JSON object a line with ``--json``. Bad or truncated messages
are reported on stderr with their offset; the rest of the input is still decoded.

The input is read in chunks of :data:`CHUNK` bytes and each message is printed as soon as it
is complete, so a pipe is decoded as it flows and ``-f`` follows a growing file; memory stays
bounded by the chunk size and :data:`MAX_HELD` (the longest incomplete message waited for),
whatever the size of the input.

``fixwire sim`` starts the Kalshi exchange simulator (``fixwire[kalshi]``); ``fixwire export``
writes logs to Parquet or CSV (``fixwire.export``).

Exit status: 0, 1 when bad messages were reported, 2 for a usage error or input that cannot
be read (reported in one line on stderr, never a traceback), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import runpy
import sys
import time
from collections.abc import Sequence
from typing import IO, Any, NoReturn, TextIO

import fixwire

__all__ = ["CHUNK", "MAX_HELD", "main"]

#: Bytes read from the input at a time.
CHUNK = 1 << 20
#: An incomplete message at the end of what has been read is held back for the next read, up
#: to this many bytes; a longer one is reported as it stands (its BodyLength <9> is then
#: usually a lie).
MAX_HELD = 16 << 20
#: Bytes kept after the last message found, for a message whose first bytes ("8=FI") came at
#: the end of a read and are not yet recognisable as a message.
_TAIL = 16
#: Bytes from a message's start that hold its BodyLength <9>, in the longest header allowed.
_HEADER = 64
_BODY_LENGTH = re.compile(rb"8=[^\x01|]{1,20}[\x01|]9=(\d{1,9})[\x01|]")
#: Seconds between looks at a followed file (``-f``) that has no new data.
FOLLOW_POLL = 0.2

_LINE = re.compile(r"^(\s*)(\d+) (\S+)(\s+)= (.*?)( \(([^()]*)\))?$")
_DIM, _CYAN, _GREEN, _BOLD, _RESET = "\033[2m", "\033[36m", "\033[32m", "\033[1m", "\033[0m"


class _Parser(argparse.ArgumentParser):
    """Reports a bad option in one line, without the usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see fixwire --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fixwire",
        description="FIX protocol tools.",
        epilog="Exit status: 0 ok, 1 bad messages reported, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"fixwire {fixwire.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    decode = commands.add_parser(
        "decode",
        help="print FIX messages found in files or stdin readably, as they arrive",
        description="Print FIX messages found in files or stdin readably, as they arrive.",
    )
    decode.add_argument("files", nargs="*", help="input files (stdin when none)")
    decode.add_argument("--json", action="store_true", help="one JSON object per message")
    decode.add_argument(
        "-f",
        "--follow",
        action="store_true",
        help="keep reading the file as it grows (one file), until interrupted",
    )
    dictionary_options(decode)
    decode.add_argument(
        "--type", metavar="TYPES", help="only these MsgTypes, comma-separated (D,8)"
    )
    colour = decode.add_mutually_exclusive_group()
    colour.add_argument(
        "--color",
        dest="color",
        action="store_true",
        default=None,
        help="always colour (default: on a terminal, unless NO_COLOR is set or TERM=dumb; "
        "FORCE_COLOR forces it)",
    )
    colour.add_argument("--no-color", dest="color", action="store_false", help="never colour")
    # Listed for --help; main() hands everything after "sim" to the simulator's own parser.
    commands.add_parser(
        "sim", help="run the Kalshi exchange simulator (fixwire sim --help for its options)"
    )
    # Likewise "export", to fixwire.export's parser.
    commands.add_parser(
        "export", help="write FIX logs to Parquet or CSV (fixwire export --help for its options)"
    )
    return parser


def use_colour(flag: bool | None, stream: IO[str]) -> bool:
    """Whether to colour ``stream``: the ``--color``/``--no-color`` flag when given, else
    ``NO_COLOR`` (off), ``FORCE_COLOR`` (on), ``TERM=dumb`` (off), else whether it is a
    terminal. ``NO_COLOR`` and ``FORCE_COLOR`` count when set to anything but the empty text.
    """
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _colour(text: str) -> str:
    """Dims tags, colours names and value meanings of ``Dictionary.format`` lines."""
    lines = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m is None:
            lines.append(line)
            continue
        indent, tag, name, pad, value, _, meaning = m.groups()
        out = f"{indent}{_DIM}{tag}{_RESET} {_CYAN}{name}{_RESET}{pad}= {_BOLD}{value}{_RESET}"
        if meaning is not None:
            out += f" {_GREEN}({meaning}){_RESET}"
        lines.append(out)
    return "\n".join(lines) + "\n"


def to_json(msg: fixwire.Message, dictionary: fixwire.Dictionary) -> dict[str, Any]:
    """The fields of ``msg`` keyed by name (the tag when undefined); groups as lists of objects;
    a tag repeated outside a group becomes a list of its values.
    """
    return _JsonFields(dictionary)(msg)


class _JsonFields:
    """:func:`to_json` with what it learns about tags kept from one message to the next."""

    def __init__(self, dictionary: fixwire.Dictionary) -> None:
        self.dictionary = dictionary
        self._names: dict[int, str] = {}
        # (MsgType and group path, tag) pairs where the tag counts no group.
        self._plain: set[tuple[tuple[str | int, ...], int]] = set()

    def _name(self, tag: int) -> str:
        name = self._names.get(tag)
        if name is None:
            try:
                name = self.dictionary.field(tag).name
            except KeyError:
                name = str(tag)
            self._names[tag] = name
        return name

    def _entries(
        self, msg: fixwire.Message, path: tuple[str | int, ...], tag: int
    ) -> list[fixwire.Message] | None:
        """The entries of the group counted by ``tag``, or ``None`` when it counts none."""
        if (path, tag) in self._plain:
            return None
        try:
            return msg.group(tag)
        except KeyError:
            self._plain.add((path, tag))
        except fixwire.DecodeError:
            pass
        return None

    def __call__(
        self, msg: fixwire.Message, path: tuple[str | int, ...] | None = None
    ) -> dict[str, Any]:
        path = (msg.msg_type,) if path is None else path
        out: dict[str, Any] = {}
        fields = list(msg)
        i = 0
        while i < len(fields):
            tag, value = fields[i]
            key = self._name(tag)
            entries = self._entries(msg, path, tag)
            if entries is not None:
                out[key] = [self(entry, (*path, tag)) for entry in entries]
                i += 1 + sum(len(entry) for entry in entries)
                continue
            if key in out:
                previous = out[key]
                out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                out[key] = value
            i += 1
        return out


class _Printer:
    """Formats what ``find_messages`` found and writes it out; counts the bad messages."""

    def __init__(
        self,
        dictionary: fixwire.Dictionary,
        types: set[str] | None,
        as_json: bool,
        colour: bool,
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.dictionary = dictionary
        self.types = types
        self.as_json = as_json
        self.colour = colour
        self.out = out
        self.err = err
        self.bad = 0
        self._json = _JsonFields(dictionary)
        self._titles: dict[str, str] = {}

    def _title(self, msg_type: str) -> str:
        """What follows the offset in a message's heading line: its MsgType and name."""
        title = self._titles.get(msg_type)
        if title is None:
            try:
                name = self.dictionary.message(msg_type).name
            except KeyError:
                name = "unknown message type"
            title = self._titles[msg_type] = f": 35={msg_type} {name}\n"
        return title

    def write(
        self,
        source: str,
        base: int,
        found: Sequence[tuple[int, fixwire.Message | fixwire.DecodeError]],
    ) -> None:
        """Writes the messages of one piece of input, ``base`` bytes into ``source``."""
        if self.as_json:
            self._write_json(source, base, found)
            return
        # The loop runs once per message of the input, so what it looks up is looked up once.
        parts: list[str] = []
        append = parts.append
        format_message = self.dictionary.format
        titles = self._titles
        types = self.types
        prefix = f"# {source} byte "
        for offset, item in found:
            if isinstance(item, fixwire.DecodeError):
                self._error(parts, f"{source}: byte {base + offset}: {item.reason} ({item.kind})\n")
                continue
            msg_type = item.msg_type
            if types is not None and msg_type not in types:
                continue
            title = titles.get(msg_type) or self._title(msg_type)
            if self.colour:
                text = _colour(format_message(item))
                append(f"{_BOLD}{prefix}{base + offset}{title}{_RESET}{text}\n")
            else:
                append(f"{prefix}{base + offset}{title}{format_message(item)}\n")
        if parts:
            self.out.write("".join(parts))

    def _write_json(
        self,
        source: str,
        base: int,
        found: Sequence[tuple[int, fixwire.Message | fixwire.DecodeError]],
    ) -> None:
        """:meth:`write` with ``--json``: one object a line."""
        parts: list[str] = []
        for offset, item in found:
            where = base + offset
            if isinstance(item, fixwire.DecodeError):
                self._error(parts, f"{source}: byte {where}: {item.reason} ({item.kind})\n")
                continue
            if self.types is not None and item.msg_type not in self.types:
                continue
            try:
                fields = self._json(item)
            except fixwire.DecodeError as e:  # a value that is not UTF-8 cannot be JSON text
                self._error(parts, f"{source}: byte {where}: {e.reason} ({e.kind})\n")
                continue
            record = {"source": source, "offset": where, "msg_type": item.msg_type, **fields}
            parts.append(json.dumps(record, ensure_ascii=False) + "\n")
        if parts:
            self.out.write("".join(parts))

    def _error(self, parts: list[str], line: str) -> None:
        """Reports a bad message on stderr after the messages before it, so that the two
        streams keep the input's order on a shared terminal.
        """
        self.bad += 1
        if parts:
            self.out.write("".join(parts))
            parts.clear()
        self.out.flush()
        self.err.write(line)


def _messages(
    data: bytes, dictionary: fixwire.Dictionary
) -> list[tuple[int, fixwire.Message | fixwire.DecodeError]]:
    return fixwire.find_messages(data, groups=dictionary.groups)


def _needed(held: bytes) -> int:
    """Bytes a message cut short at the start of ``held`` needs in all, read from its
    BodyLength <9>; 0 when that cannot be read yet.
    """
    m = _BODY_LENGTH.match(held)
    if m is None:
        return 0
    # The body, then the trailer: "10=" three digits and a delimiter.
    return m.end() + int(m.group(1)) + 7


def _complete(
    data: bytes, found: list[tuple[int, fixwire.Message | fixwire.DecodeError]]
) -> tuple[int, int, int]:
    """How many of ``found`` are final, where the input still to be searched starts, and how
    long that rest must grow before searching it again can find more.

    A message cut short by the end of the read comes last, as a ``truncated`` error (or, when
    even its BodyLength <9> is cut, as another error a few bytes from the end): it and what
    follows are kept for the next read, up to :data:`MAX_HELD` bytes, and searched again only
    once its BodyLength says it can be whole, so a long message arriving in small reads is not
    searched over and over. After the last message, the last few bytes are kept too, for the
    start of a message.
    """
    if found:
        offset, last = found[-1]
        if isinstance(last, fixwire.DecodeError):
            held = len(data) - offset
            if held <= _HEADER or (last.kind == "truncated" and held <= MAX_HELD):
                need = _needed(data[offset : offset + _HEADER])
                return len(found) - 1, offset, min(need, MAX_HELD + 1)
        end = offset + (len(last.raw) if isinstance(last, fixwire.Message) else 1)
    else:
        end = 0
    return len(found), max(end, len(data) - _TAIL), 0


def _decode_stream(reader: IO[bytes], source: str, printer: _Printer, follow: bool) -> None:
    """Decodes ``reader`` piece by piece, printing each message once it is complete."""
    pending = b""
    base = 0
    need = 0
    read = getattr(reader, "read1", reader.read)
    while True:
        data = read(CHUNK)
        if not data:
            if not follow:
                break
            printer.out.flush()
            time.sleep(FOLLOW_POLL)
            continue
        pending += data
        if len(pending) < need:
            continue
        found = _messages(pending, printer.dictionary)
        final, keep, need = _complete(pending, found)
        printer.write(source, base, found[:final])
        base += keep
        pending = pending[keep:]
        if follow or not reader.seekable():
            printer.out.flush()
    printer.write(source, base, _messages(pending, printer.dictionary))


def dictionary_options(parser: argparse.ArgumentParser) -> None:
    """Adds ``--dictionary`` and ``--transport``, which :func:`load_dictionary` reads."""
    parser.add_argument(
        "--dictionary",
        metavar="PATH",
        help="QuickFIX XML dictionary (default: the bundled Kalshi one)",
    )
    parser.add_argument(
        "--transport", metavar="PATH", help="transport dictionary (FIXT11.xml) for --dictionary"
    )


def load_dictionary(args: argparse.Namespace) -> fixwire.Dictionary:
    """The dictionary ``--dictionary`` and ``--transport`` name, else the bundled Kalshi one.

    Raises:
        OSError: A file cannot be read.
        fixwire.DictionaryError: A file is not a dictionary.
    """
    if args.dictionary is None:
        return fixwire.Dictionary.kalshi()
    return fixwire.Dictionary.from_xml(args.dictionary, args.transport)


def message_types(text: str | None) -> list[str] | None:
    """The MsgTypes of a ``--type`` value (comma-separated), or None for all."""
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def _fail(message: str) -> int:
    sys.stderr.write(f"fixwire: error: {message}\n")
    return 2


def _sim(args: list[str]) -> int:
    try:
        importlib.import_module("fixwire.kalshi.sim")  # MissingExtraError without the extra
    except fixwire.MissingExtraError as e:
        return _fail(str(e))
    # The simulator's command is its package's __main__, which reads sys.argv.
    saved, sys.argv = sys.argv, ["fixwire sim", *args]
    try:
        runpy.run_module("fixwire.kalshi.sim", run_name="__main__", alter_sys=True)
    finally:
        sys.argv = saved
    return 0


def _export(args: list[str]) -> int:
    from fixwire import export

    return export.main(args)


def _run(args: argparse.Namespace, stdin: TextIO) -> int:
    if args.follow and len(args.files) != 1:
        return _fail("--follow needs exactly one file")
    try:
        dictionary = load_dictionary(args)
    except (OSError, fixwire.DictionaryError) as e:
        return _fail(f"cannot load the dictionary: {e}")
    listed = message_types(args.type)
    types = None if listed is None else set(listed)
    printer = _Printer(
        dictionary, types, args.json, use_colour(args.color, sys.stdout), sys.stdout, sys.stderr
    )
    unreadable = False
    if not args.files:
        _decode_stream(stdin.buffer, "<stdin>", printer, follow=False)
    for path in args.files:
        try:
            with open(path, "rb") as f:
                _decode_stream(f, path, printer, args.follow)
        except OSError as e:
            unreadable = True
            _fail(f"cannot read {path}: {e.strerror}")
    if unreadable:
        return 2
    return 1 if printer.bad else 0


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the command; returns the exit status (see the module documentation)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["sim"]:
            return _sim(argv[1:])
        if argv[:1] == ["export"]:
            return _export(argv[1:])
        return _run(_parser().parse_args(argv), stdin if stdin is not None else sys.stdin)
    except BrokenPipeError:
        # The reader went away (`fixwire decode log | head`): stop quietly, and keep Python
        # from failing again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
