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
import codecs
import importlib
import json
import os
import runpy
import sys
import time
from collections.abc import Sequence
from typing import IO, Literal, NoReturn, TextIO

import fixwire
from fixwire import _native

__all__ = ["CHUNK", "MAX_HELD", "main"]

#: Bytes read from the input at a time.
CHUNK = 1 << 20
#: An incomplete message at the end of what has been read is held back for the next read, up
#: to this many bytes; a longer one is reported as it stands (its BodyLength <9> is then
#: usually a lie).
MAX_HELD = 16 << 20
#: Seconds between looks at a followed file (``-f``) that has no new data.
FOLLOW_POLL = 0.2


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


def _binary(out: IO[str]) -> IO[bytes] | None:
    """The byte stream under ``out`` when text can go to it as UTF-8 bytes unchanged: a
    UTF-8 text stream that does not turn line ends into ``os.linesep``; else ``None``.
    """
    buffer = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if buffer is None or encoding is None or os.linesep != "\n":
        return None
    return buffer if codecs.lookup(encoding).name == "utf-8" else None


class _Printer:
    """Writes what the native printer (``fixwire.text`` in the core) formats from each read;
    counts the bad messages.
    """

    def __init__(
        self,
        dictionary: fixwire.Dictionary,
        types: list[str] | None,
        as_json: bool,
        colour: bool,
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.dictionary = dictionary
        self.types = types
        self.style: Literal["plain", "colour", "json"] = (
            "json" if as_json else "colour" if colour else "plain"
        )
        self.out = out
        self.err = err
        self.bad = 0
        self._binary = _binary(out)
        self._flush_each = bool(getattr(out, "line_buffering", False))

    def native(self, source: str) -> _native.LogPrinter:
        """The native printer of the messages of ``source``."""
        # A file name that is not UTF-8 comes back as the bytes it was made from.
        heading = f"# {source} byte ".encode("utf-8", "surrogateescape")
        quoted = json.dumps(source, ensure_ascii=False).encode("utf-8", "surrogateescape")
        return _native.LogPrinter(
            self.dictionary,
            style=self.style,
            msg_types=self.types,
            heading=heading,
            json_source=quoted,
        )

    def write(
        self, printer: _native.LogPrinter, source: str, data: bytes, base: int, *, last: bool
    ) -> tuple[int, int]:
        """Writes the messages of ``data``, ``base`` bytes into ``source``; returns how many
        bytes of ``data`` are done with and how long the rest must grow before the next call
        (``last``: ``data`` is all there is).
        """
        text, garbled, consumed, need = printer.print(data, base, last=last, max_held=MAX_HELD)
        start = 0
        for at, where, error in garbled:
            # A bad message goes to stderr after the messages before it, so that the two
            # streams keep the input's order on a shared terminal.
            self._write(text[start:at])
            start = at
            self.out.flush()
            self.err.write(f"{source}: byte {where}: {error.reason} ({error.kind})\n")
            self.bad += 1
        self._write(text[start:])
        return consumed, need

    def _write(self, text: bytes) -> None:
        if not text:
            return
        if self._binary is None:
            self.out.write(text.decode("utf-8", "surrogateescape"))
            return
        self.out.flush()
        self._binary.write(text)
        if self._flush_each:
            self._binary.flush()


def _decode_stream(reader: IO[bytes], source: str, printer: _Printer, follow: bool) -> None:
    """Decodes ``reader`` piece by piece, printing each message once it is complete."""
    native = printer.native(source)
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
        pending = pending + data if pending else data
        if len(pending) < need:
            continue
        keep, need = printer.write(native, source, pending, base, last=False)
        base += keep
        pending = pending[keep:]
        if follow or not reader.seekable():
            printer.out.flush()
    printer.write(native, source, pending, base, last=True)


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
    printer = _Printer(
        dictionary,
        message_types(args.type),
        args.json,
        use_colour(args.color, sys.stdout),
        sys.stdout,
        sys.stderr,
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
