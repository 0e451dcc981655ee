"""QuickFIX's version modules (``quickfix44``, ``quickfix50sp2`` ...), made from its dictionaries.

Each module has a ``Message`` base that sets BeginString <8> (and, for FIX.5.0 and later,
ApplVerID <1128>), a class per message that sets MsgType <35>, and inside each message class
a class per repeating group (``NewOrderSingle.NoPartyIDs``) with the group's count tag,
delimiter and field order, nested as the dictionary nests them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from fixwire._native import MessageLayout, MessageMap
from fixwire.quickfix.message import FieldMap, Group, Header, Message, Trailer, group_layout
from fixwire.quickfix.spec import GroupDef, spec

__all__ = ["module_getattr"]

# BeginString <8> and ApplVerID <1128> of each dictionary's messages.
_HEADERS: dict[str, tuple[str, str | None]] = {
    "FIX40": ("FIX.4.0", None),
    "FIX41": ("FIX.4.1", None),
    "FIX42": ("FIX.4.2", None),
    "FIX43": ("FIX.4.3", None),
    "FIX44": ("FIX.4.4", None),
    "FIX50": ("FIXT.1.1", "7"),
    "FIX50SP1": ("FIXT.1.1", "8"),
    "FIX50SP2": ("FIXT.1.1", "9"),
    "FIXT11": ("FIXT.1.1", None),
}


def _group_class(name: str, definition: GroupDef, module: str) -> type[Group]:
    # The native map takes its layout from ``_ORDER`` when made: no Python call per group.
    namespace: dict[str, Any] = {
        "__init__": FieldMap.__init__,
        "__slots__": (),
        "__module__": module,
        "_ORDER": group_layout(definition.count_tag, definition.delim, tuple(definition.order)),
    }
    names = spec().by_tag
    for tag, inner in definition.groups.items():
        inner_name = names[tag].name
        namespace[inner_name] = _group_class(inner_name, inner, module)
    return type(name, (Group,), namespace)


def module_getattr(version: str, module: str) -> Callable[[str], Any]:
    """The ``__getattr__`` of the version module ``module`` for dictionary ``version``."""
    made: dict[str, Any] = {}
    begin, appl_ver = _HEADERS[version]
    preset = [(8, begin)] if appl_ver is None else [(8, begin), (1128, appl_ver)]

    def message_class(name: str, base: type[Message], header: list[tuple[int, str]]) -> type:
        # The native map makes the header (with ``header`` set) and the trailer from
        # ``_LAYOUT`` and takes no arguments: no Python call per message.
        namespace: dict[str, Any] = {
            "__init__": MessageMap.__init__,
            "__slots__": (),
            "__module__": module,
            "_LAYOUT": MessageLayout(Header, Trailer, header),
        }
        return type(name, (base,), namespace)

    def getattr_(name: str) -> Any:
        found = made.get(name)
        if found is not None:
            return found
        if name == "Message":
            found = message_class("Message", Message, preset)
        else:
            definition = spec().version(version).messages.get(name)
            if definition is None:
                raise AttributeError(f"module {module!r} has no attribute {name!r}")
            found = message_class(name, getattr_("Message"), [*preset, (35, definition.msg_type)])
            names = spec().by_tag
            for tag, group in definition.groups.items():
                setattr(found, names[tag].name, _group_class(names[tag].name, group, module))
        made[name] = found
        # Kept in the module too: the next lookup is a plain attribute, not this function.
        setattr(sys.modules[module], name, found)
        return found

    return getattr_
