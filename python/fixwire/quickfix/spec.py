"""QuickFIX's names, read from QuickFIX's own XML data dictionaries when first needed.

QuickFIX's Python module publishes a class per field (``ClOrdID``, ``Side`` ...), a constant
per enumerated value (``Side_BUY``) and per message (``MsgType_NewOrderSingle``), generated
from its XML dictionaries ``FIX40.xml`` ... ``FIX50SP2.xml`` and ``FIXT11.xml``. This module
reads the same files, so every name and value is QuickFIX's, and nothing is copied into
fixwire: the files are found in the folder named by the environment variable
``FIXWIRE_QUICKFIX_SPEC`` (QuickFIX's ``spec/`` folder, the one a QuickFIX ``.cfg``'s
``DataDictionary`` points into), or set with :func:`use_spec`.

Where versions disagree, the newest wins, as in QuickFIX's generated module (a field's type in
FIX.5.0 SP2 over its type in FIX.4.2). Reading all nine files takes about half a second; it
happens once, on the first field name looked up.
"""

from __future__ import annotations

import os
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from fixwire.errors import FixError

__all__ = ["GroupDef", "MessageDef", "Spec", "SpecNotFound", "spec", "use_spec", "version_file"]

#: The environment variable naming QuickFIX's ``spec/`` folder.
SPEC_ENV = "FIXWIRE_QUICKFIX_SPEC"
#: The dictionaries, oldest first (later ones win where names clash).
VERSION_FILES = (
    "FIX40",
    "FIX41",
    "FIX42",
    "FIX43",
    "FIX44",
    "FIX50",
    "FIX50SP1",
    "FIX50SP2",
    "FIXT11",
)
_MODULE_FILES = {
    "quickfix40": "FIX40",
    "quickfix41": "FIX41",
    "quickfix42": "FIX42",
    "quickfix43": "FIX43",
    "quickfix44": "FIX44",
    "quickfix50": "FIX50",
    "quickfix50sp1": "FIX50SP1",
    "quickfix50sp2": "FIX50SP2",
    "quickfixt11": "FIXT11",
}


class SpecNotFound(FixError, LookupError):
    """QuickFIX's XML dictionaries are not where fixwire.quickfix looks for them."""


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A field: its tag, its QuickFIX type (``STRING``, ``PRICE`` ...) and its named values."""

    name: str
    tag: int
    type: str
    values: dict[str, str]


@dataclass(slots=True)
class GroupDef:
    """A repeating group: its count tag, its delimiter, the order of its fields, its subgroups."""

    count_tag: int
    delim: int
    order: list[int]
    groups: dict[int, GroupDef] = field(default_factory=dict)


@dataclass(slots=True)
class MessageDef:
    """A message of one version: its MsgType <35> and the groups it (and its components) hold."""

    name: str
    msg_type: str
    groups: dict[int, GroupDef]


@dataclass(slots=True)
class _Version:
    fields: dict[str, FieldDef]
    messages: dict[str, MessageDef]
    header: set[int]
    trailer: set[int]
    begin_string: str


class Spec:
    """Every name QuickFIX's Python module derives from its dictionaries."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fields: dict[str, FieldDef] = {}
        self.by_tag: dict[int, FieldDef] = {}
        #: ``Side_BUY`` -> the value, typed as QuickFIX types it (int for INT fields).
        self.constants: dict[str, str | int] = {}
        self.header_tags: set[int] = set()
        self.trailer_tags: set[int] = set()
        self._versions: dict[str, _Version] = {}
        self._lock = threading.Lock()
        for name in VERSION_FILES:
            version = self.version(name)
            for f in version.fields.values():
                self.fields[f.name] = f
                self.by_tag[f.tag] = f
            self.header_tags |= version.header
            self.trailer_tags |= version.trailer
        for f in self.fields.values():
            for description, value in f.values.items():
                self.constants[f"{f.name}_{description}"] = _typed(f.type, value)
        for name in VERSION_FILES:
            begin = self._versions[name].begin_string
            self.constants[f"BeginString_{begin.replace('.', '')}"] = begin
            for m in self._versions[name].messages.values():
                self.constants[f"MsgType_{m.name}"] = m.msg_type

    def version(self, name: str) -> _Version:
        """The dictionary ``name`` (``"FIX44"``), read on first use."""
        with self._lock:
            found = self._versions.get(name)
            if found is None:
                found = self._versions[name] = _read(self.folder / f"{name}.xml")
            return found


def _typed(kind: str, value: str) -> str | int:
    if kind == "INT":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _read(path: Path) -> _Version:
    try:
        root = ET.parse(path).getroot()
    except OSError as e:
        raise SpecNotFound(f"cannot read QuickFIX dictionary {path}: {e}") from e
    fields: dict[str, FieldDef] = {}
    for f in root.iterfind("fields/field"):
        values = {v.get("description", ""): v.get("enum", "") for v in f.iterfind("value")}
        fields[f.get("name", "")] = FieldDef(
            f.get("name", ""), int(f.get("number", "0")), f.get("type", "STRING"), values
        )
    components = {c.get("name", ""): c for c in root.iterfind("components/component")}

    def members(node: ET.Element, depth: int = 0) -> tuple[list[int], dict[int, GroupDef]]:
        order: list[int] = []
        groups: dict[int, GroupDef] = {}
        if depth > 20:
            return order, groups
        for child in node:
            name = child.get("name", "")
            if child.tag == "field" and name in fields:
                order.append(fields[name].tag)
            elif child.tag == "component" and name in components:
                sub_order, sub_groups = members(components[name], depth + 1)
                order += sub_order
                groups.update(sub_groups)
            elif child.tag == "group" and name in fields:
                inner, inner_groups = members(child, depth + 1)
                count = fields[name].tag
                order.append(count)
                if inner:
                    groups[count] = GroupDef(count, inner[0], inner, inner_groups)
        return order, groups

    messages: dict[str, MessageDef] = {}
    for m in root.iterfind("messages/message"):
        _, groups = members(m)
        messages[m.get("name", "")] = MessageDef(m.get("name", ""), m.get("msgtype", ""), groups)
    header = root.find("header")
    trailer = root.find("trailer")
    return _Version(
        fields,
        messages,
        set(members(header)[0]) if header is not None else set(),
        set(members(trailer)[0]) if trailer is not None else set(),
        # FIX.5.0 and later name themselves FIX.5.0 in their root, though sent under FIXT.1.1.
        f"{root.get('type', 'FIX')}.{root.get('major', '')}.{root.get('minor', '')}",
    )


_spec: Spec | None = None
_folder: Path | None = None
_spec_lock = threading.Lock()


def use_spec(folder: str | os.PathLike[str]) -> None:
    """Read QuickFIX's dictionaries from ``folder`` (instead of ``$FIXWIRE_QUICKFIX_SPEC``)."""
    global _folder, _spec
    with _spec_lock:
        _folder = Path(folder)
        _spec = None


def spec() -> Spec:
    """The names of QuickFIX's dictionaries, read on first use.

    Raises:
        SpecNotFound: no folder was given and ``$FIXWIRE_QUICKFIX_SPEC`` is not set, or the
            folder lacks one of the dictionaries.
    """
    global _spec
    found = _spec
    if found is not None:
        return found
    with _spec_lock:
        if _spec is None:
            folder = _folder
            if folder is None:
                env = os.environ.get(SPEC_ENV)
                if not env:
                    raise SpecNotFound(
                        f"fixwire.quickfix reads QuickFIX's XML dictionaries for its field names:"
                        f" set {SPEC_ENV} to QuickFIX's spec/ folder or call"
                        " fixwire.quickfix.use_spec(folder)"
                    )
                folder = Path(env)
            _spec = Spec(folder)
        return _spec


def version_file(module: str) -> str:
    """The dictionary behind QuickFIX's version module ``module`` (``"quickfix44"``)."""
    return _MODULE_FILES[module]
