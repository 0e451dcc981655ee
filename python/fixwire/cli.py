"""The ``fixwire`` command: ``fixwire decode [FILE...]`` makes FIX messages readable.

Messages are found anywhere in the input: SOH- or ``|``-separated, one a line or concatenated,
inside log lines with prefixes such as timestamps. Each is printed one field a line with its
name and the meaning of its value (colour on a terminal), or as one JSON object a line with
``--json``. Bad or truncated messages are reported on stderr with their offset; the rest of
the input is still decoded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import fixwire

__all__ = ["main"]

_LINE = re.compile(r"^(\s*)(\d+) (\S+)(\s+)= (.*?)( \(([^()]*)\))?$")
_DIM, _CYAN, _GREEN, _BOLD, _RESET = "\033[2m", "\033[36m", "\033[32m", "\033[1m", "\033[0m"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fixwire", description="FIX protocol tools.")
    parser.add_argument("--version", action="version", version=f"fixwire {fixwire.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    decode = commands.add_parser(
        "decode", help="print FIX messages found in files or stdin readably"
    )
    decode.add_argument("files", nargs="*", help="input files (stdin when none)")
    decode.add_argument("--json", action="store_true", help="one JSON object per message")
    decode.add_argument(
        "--dictionary",
        metavar="PATH",
        help="QuickFIX XML dictionary (default: the bundled Kalshi one)",
    )
    decode.add_argument(
        "--transport", metavar="PATH", help="transport dictionary (FIXT11.xml) for --dictionary"
    )
    decode.add_argument(
        "--type", metavar="TYPES", help="only these MsgTypes, comma-separated (D,8)"
    )
    colour = decode.add_mutually_exclusive_group()
    colour.add_argument(
        "--color", dest="color", action="store_true", default=None, help="always colour"
    )
    colour.add_argument("--no-color", dest="color", action="store_false", help="never colour")
    return parser


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
    a tag repeated outside a group becomes a list of its values."""

    def name(tag: int) -> str:
        try:
            return dictionary.field(tag).name
        except KeyError:
            return str(tag)

    out: dict[str, Any] = {}
    fields = list(msg)
    i = 0
    while i < len(fields):
        tag, value = fields[i]
        key = name(tag)
        entries = _entries(msg, tag)
        if entries is not None:
            out[key] = [to_json(entry, dictionary) for entry in entries]
            i += 1 + sum(len(entry) for entry in entries)
            continue
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
        i += 1
    return out


def _entries(msg: fixwire.Message, tag: int) -> list[fixwire.Message] | None:
    """The entries of the group counted by ``tag``, or ``None`` when ``tag`` counts no group."""
    try:
        return msg.group(tag)
    except (KeyError, fixwire.DecodeError):
        return None


def _decode(
    data: bytes,
    source: str,
    dictionary: fixwire.Dictionary,
    types: set[str] | None,
    as_json: bool,
    colour: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """Decodes one input; returns the number of bad messages reported."""
    bad = 0
    for offset, found in fixwire.find_messages(data, groups=dictionary.groups):
        if isinstance(found, fixwire.DecodeError):
            bad += 1
            err.write(f"{source}: byte {offset}: {found.reason} ({found.kind})\n")
            continue
        if types is not None and found.msg_type not in types:
            continue
        if as_json:
            try:
                fields = to_json(found, dictionary)
            except fixwire.DecodeError as e:  # a value that is not UTF-8 cannot be JSON text
                bad += 1
                err.write(f"{source}: byte {offset}: {e.reason} ({e.kind})\n")
                continue
            record = {"source": source, "offset": offset, "msg_type": found.msg_type, **fields}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        try:
            title = dictionary.message(found.msg_type).name
        except KeyError:
            title = "unknown message type"
        header = f"# {source} byte {offset}: 35={found.msg_type} {title}\n"
        text = dictionary.format(found)
        out.write((f"{_BOLD}{header}{_RESET}" + _colour(text)) if colour else header + text)
        out.write("\n")
    return bad


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    """Run the command; returns the exit status (1 when bad messages were reported)."""
    args = _parser().parse_args(argv)
    stdin = stdin if stdin is not None else sys.stdin
    if args.dictionary is None:
        dictionary = fixwire.Dictionary.kalshi()
    else:
        dictionary = fixwire.Dictionary.from_xml(args.dictionary, args.transport)
    types = None if args.type is None else {t.strip() for t in args.type.split(",") if t.strip()}
    colour = sys.stdout.isatty() if args.color is None else args.color
    inputs: list[tuple[str, bytes]] = []
    if not args.files:
        inputs.append(("<stdin>", stdin.buffer.read()))
    for path in args.files:
        with open(path, "rb") as f:
            inputs.append((path, f.read()))
    bad = 0
    try:
        for source, data in inputs:
            bad += _decode(
                data, source, dictionary, types, args.json, colour, sys.stdout, sys.stderr
            )
    except BrokenPipeError:
        # The reader went away (`fixwire decode log | head`): stop quietly, and keep Python
        # from failing again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
