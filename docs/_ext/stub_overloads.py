"""A griffe extension: overloaded methods of a stub file, for the API reference.

A ``.pyi`` stub writes an overloaded method as ``@overload`` definitions only (a stub may not
have the implementation), and griffe keeps a function's overloads only beside its
implementation, so ``Message.get_int`` and the other typed getters of ``fixwire/_native.pyi``
would be missing from the reference. This extension gives each such name a member: the last
overload, which carries the docstring, with the others listed as its overloads.
"""

from __future__ import annotations

from typing import Any

import griffe


class StubOverloads(griffe.Extension):
    """Makes a member of each overloaded function that has no implementation."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Adds the missing members of a class."""
        _add_missing(cls)

    def on_module_members(self, *, mod: griffe.Module, **kwargs: Any) -> None:
        """Adds the missing members of a module."""
        _add_missing(mod)


def _add_missing(obj: griffe.Class | griffe.Module) -> None:
    for name, overloads in obj.overloads.items():
        if name in obj.members or not overloads:
            continue
        last = overloads[-1]
        function = griffe.Function(
            name,
            lineno=last.lineno,
            endlineno=last.endlineno,
            parameters=last.parameters,
            returns=last.returns,
            decorators=[d for d in last.decorators if "overload" not in str(d.value)],
            docstring=last.docstring,
            parent=obj,
        )
        function.overloads = overloads
        obj.set_member(name, function)
