"""``fixwire decode``'s output as the command wrote it before its formatting moved into the
Rust core (``fixwire.text``): the Python formatting of each message, kept as the reference that
the native path is compared with (tests/test_cli_native.py) and measured against
(benches/bench_cli.py). Messages come from ``fixwire.find_messages`` and are formatted with
``Dictionary.format``, coloured here line by line, or turned into JSON objects here. Two
changes from the command of then, both in ``_complete``, so that the output never depends on
the reads: a candidate that the end of a read cuts short is held for the next read even when
the search found more after it, and a ``|`` message that ends a read without its last ``|`` no
longer puts later offsets one byte too far. And one in ``_JsonFields``: a group's count tag
met again shows its own entries (the command of then showed the first group's), which costs the
JSON path a ``Dictionary.format`` of each message (about 1.9 times the time it took before).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import IO, Any, TextIO

import fixwire

MAX_HELD = 16 << 20
_TAIL = 16
_HEADER = 64
_BODY_LENGTH = re.compile(rb"8=[^\x01|]{1,20}[\x01|]9=(\d{1,9})[\x01|]")
_LINE = re.compile(r"^(\s*)(\d+) (\S+)(\s+)= (.*?)( \(([^()]*)\))?$")
_DIM, _CYAN, _GREEN, _BOLD, _RESET = "\033[2m", "\033[36m", "\033[32m", "\033[1m", "\033[0m"


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
    """:func:`to_json` with what it learns about tags kept from one message to the next.

    Each occurrence of a group's count tag shows its own entries (a group met again adds them to
    the key's list). ``Message.group`` reads only a count tag's first occurrence, so where the
    entries of each occurrence are is read from ``Dictionary.format``, which indents them under
    their own count tag. Whether a tag counts a group there is what ``Message.group`` says, or
    in the entries of a group met again after an empty one, the dictionary's layout of the group.
    """

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
        """The entries of the first group counted by ``tag``, or ``None`` when it counts none."""
        if (path, tag) in self._plain:
            return None
        try:
            return msg.group(tag)
        except KeyError:
            self._plain.add((path, tag))
        except fixwire.DecodeError:
            pass
        return None

    def _counts_nested(self, path: tuple[str | int, ...], tag: int) -> bool:
        """Whether ``tag`` counts a group in the entries at ``path`` (a MsgType, then the count
        tags of the groups around, at least one), as the dictionary lays the groups out.
        """
        spec = self.dictionary.group(int(path[1]), str(path[0]))
        for count_tag in [*path[2:], tag]:
            nested = _nested(spec, int(count_tag))
            if nested is None:
                return False
            spec = nested
        return True

    def __call__(self, msg: fixwire.Message) -> dict[str, Any]:
        fields = list(msg)
        depths = _depths(self.dictionary.format(msg), fields)
        run = [(tag, value, depth) for (tag, value), depth in zip(fields, depths, strict=True)]
        return self._object(run, 0, (msg.msg_type,), msg)

    def _object(
        self,
        run: list[tuple[int, str, int]],
        depth: int,
        path: tuple[str | int, ...],
        like: fixwire.Message | None,
    ) -> dict[str, Any]:
        """The object of ``run`` (fields with their depth in ``format``'s lines), whose fields
        are at ``depth``; ``like`` is a message or entry at ``path`` when one is at hand.
        """
        out: dict[str, Any] = {}
        i = 0
        while i < len(run):
            tag, value, _ = run[i]
            key = self._name(tag)
            end = i + 1
            while end < len(run) and run[end][2] > depth:
                end += 1
            firsts = None if like is None else self._entries(like, path, tag)
            counts = self._counts_nested(path, tag) if like is None else firsts is not None
            if end == i + 1 and not counts:
                if key in out:
                    _join(out, key, [value])
                else:
                    out[key] = value
                i += 1
                continue
            children = run[i + 1 : end]
            # Each entry starts with the group's delimiter, the first entry's first field.
            starts = [j for j, child in enumerate(children) if child[0] == children[0][0]]
            inner = firsts[0] if firsts else None
            entries = [
                self._object(children[a:b], depth + 1, (*path, tag), inner)
                for a, b in zip(starts, [*starts[1:], len(children)][: len(starts)], strict=True)
            ]
            if key in out:
                _join(out, key, entries)
            else:
                out[key] = entries
            i = end
        return out


def _nested(spec: fixwire.GroupSpec, tag: int) -> fixwire.GroupSpec | None:
    """The group counted by ``tag`` among the members of ``spec``, if one is."""
    groups = (m for m in spec.__reduce__()[1][1] if isinstance(m, fixwire.GroupSpec))
    return next((g for g in groups if g.count_tag == tag), None)


def _join(out: dict[str, Any], key: str, values: list[Any]) -> None:
    """Adds ``values`` to the list of ``key``, made of the value it holds when not a list."""
    previous = out[key]
    out[key] = [*previous, *values] if isinstance(previous, list) else [previous, *values]


_FORMAT_LINE = re.compile(r"( *)(\d+) ")


def _depths(text: str, fields: list[tuple[int, str]]) -> list[int]:
    """The depth of each field in ``Dictionary.format``'s lines ``text``: 0 for a message's own,
    1 for a group entry's, and so on (two spaces each, before the tag right-aligned in five).
    """
    depths = []
    for line, (tag, _) in zip(text.split("\n")[:-1], fields, strict=True):
        m = _FORMAT_LINE.match(line)
        if m is None or int(m.group(2)) != tag:
            raise ValueError(f"not the line of field {tag}: {line!r}")
        depths.append((len(m.group(1)) - max(0, 5 - len(m.group(2)))) // 2)
    return depths


class Printer:
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
    for i, (offset, item) in enumerate(found):
        # Not in the command before the native path: a candidate that the end of the read
        # cut short is held even when the search found more after it.
        if not isinstance(item, fixwire.DecodeError) or item.kind != "truncated":
            continue
        if item.offset == len(data) and len(data) - offset <= MAX_HELD:
            need = _needed(data[offset : offset + _HEADER])
            return i, offset, min(need, MAX_HELD + 1)
    if found:
        offset, last = found[-1]
        if isinstance(last, fixwire.DecodeError):
            held = len(data) - offset
            if held <= _HEADER or (last.kind == "truncated" and held <= MAX_HELD):
                need = _needed(data[offset : offset + _HEADER])
                return len(found) - 1, offset, min(need, MAX_HELD + 1)
        end = offset + (len(last.raw) if isinstance(last, fixwire.Message) else 1)
        # Also new: a '|' message that ends the read without its last '|' is a byte shorter
        # than its SOH form, and counting that byte put every later offset one byte too far.
        end = min(end, len(data))
    else:
        end = 0
    return len(found), max(end, len(data) - _TAIL), 0


def _messages(
    data: bytes, dictionary: fixwire.Dictionary
) -> list[tuple[int, fixwire.Message | fixwire.DecodeError]]:
    return fixwire.find_messages(data, groups=dictionary.groups)


def decode_stream(reader: IO[bytes], source: str, printer: Printer, chunk: int) -> None:
    """Decodes ``reader`` ``chunk`` bytes at a time, printing each message once it is complete."""
    pending = b""
    base = 0
    need = 0
    while data := reader.read(chunk):
        pending += data
        if len(pending) < need:
            continue
        found = _messages(pending, printer.dictionary)
        final, keep, need = _complete(pending, found)
        printer.write(source, base, found[:final])
        base += keep
        pending = pending[keep:]
    printer.write(source, base, _messages(pending, printer.dictionary))


def decode(
    data: bytes,
    *,
    dictionary: fixwire.Dictionary,
    types: set[str] | None = None,
    as_json: bool = False,
    colour: bool = False,
    source: str = "log",
    chunk: int = 1 << 20,
) -> tuple[str, str, int]:
    """``fixwire decode``'s standard output, standard error and count of bad messages for
    ``data``, read ``chunk`` bytes at a time.
    """
    out, err = io.StringIO(), io.StringIO()
    printer = Printer(dictionary, types, as_json, colour, out, err)
    decode_stream(io.BytesIO(data), source, printer, chunk)
    return out.getvalue(), err.getvalue(), printer.bad
