"""QuickFIX's ``DataDictionary``: one of QuickFIX's XML dictionaries, read by fixwire (Rust)."""

from __future__ import annotations

import os
from pathlib import Path

from fixwire._native import Dictionary, GroupSpecs
from fixwire.errors import DictionaryError
from fixwire.quickfix.errors import ConfigError
from fixwire.quickfix.spec import spec

__all__ = ["DataDictionary"]


class DataDictionary:
    """A data dictionary from a QuickFIX XML file (``DataDictionary("spec/FIX44.xml")``).

    Messages parsed with it read their repeating groups as groups. The file is read by
    :meth:`fixwire.Dictionary.from_xml`.

    Raises:
        ConfigError: the file cannot be read or is not a valid dictionary; the text names it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.dictionary = Dictionary.from_xml(self.path)
        except (OSError, DictionaryError) as e:
            raise ConfigError(f"data dictionary {self.path}: {e}") from e
        self._counts: frozenset[int] | None = None
        self._groups = self.dictionary.groups

    def getVersion(self) -> str:
        """BeginString <8> of the dictionary."""
        return self.dictionary.begin_string

    def groups(self) -> GroupSpecs:
        """The repeating groups of every message, for fixwire's parser."""
        return self._groups

    def count_tags(self) -> frozenset[int]:
        """The tags of type NUMINGROUP, which start a repeating group."""
        if self._counts is None:
            self._counts = frozenset(
                f.tag for f in spec().fields.values() if f.type == "NUMINGROUP"
            )
        return self._counts

    def isField(self, tag: int) -> bool:
        """Whether the dictionary defines ``tag``."""
        try:
            self.dictionary.field(tag)
        except KeyError:
            return False
        return True

    def isMsgType(self, msg_type: str) -> bool:
        """Whether the dictionary defines MsgType ``msg_type``."""
        try:
            self.dictionary.message(msg_type)
        except KeyError:
            return False
        return True

    def getFieldName(self, tag: int) -> str:
        """The name of ``tag`` (QuickFIX returns it through an out-parameter; this returns it).

        Raises:
            KeyError: the dictionary does not define ``tag``.
        """
        return self.dictionary.field(tag).name
