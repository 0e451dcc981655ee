"""The native module's docstrings (what ``help()`` shows) are the stub's, word for word."""

import ast
import inspect
from pathlib import Path

import pytest

from fixwire import _native

STUB = ast.parse((Path(_native.__file__).parent / "_native.pyi").read_text())

# Slots (len(), iteration, ...) take CPython's own docstrings, and __new__'s is the class's.
SLOTS = {"__new__", "__len__", "__iter__", "__getitem__", "__contains__", "__eq__", "__hash__"}


def _documented() -> list[tuple[str, object, str | None]]:
    """(name, runtime object, stub docstring) of each stub class, function, method, property."""
    out: list[tuple[str, object, str | None]] = []
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            out.append((node.name, getattr(_native, node.name), ast.get_docstring(node)))
        elif isinstance(node, ast.ClassDef):
            cls = getattr(_native, node.name)
            out.append((node.name, cls, ast.get_docstring(node)))
            docs: dict[str, str | None] = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name not in SLOTS:
                    # Of a method's overloads, the stub documents the last.
                    docs[item.name] = ast.get_docstring(item) or docs.get(item.name)
            out += [(f"{node.name}.{name}", getattr(cls, name), doc) for name, doc in docs.items()]
    return out


@pytest.mark.parametrize(("name", "runtime", "stub"), _documented(), ids=lambda v: "")
def test_help_shows_the_stubs_docstring(name: str, runtime: object, stub: str | None) -> None:
    doc = runtime.__doc__
    assert (inspect.cleandoc(doc) if doc else None) == stub, name
