"""A child process that reads FIX logs with ``refix`` for the columns benchmark.

``refix`` (PyPI) needs Python 3.12 or later, so the benchmark (on the project's interpreter)
runs this script under the interpreter named by ``FIXWIRE_REFIX_PYTHON``, which must have
``refix`` installed. Each line on stdin is a log's path; the reply, one JSON line on stdout, is
what was read: ``refix.read_log`` over the file, the first value of each of the benchmark's tags
(``RawMessage.get``) appended to one list per tag, then reduced to the row count, the values
found per tag, the last row's values as text and the number of ``Garble`` items.
"""

import json
import sys

import refix  # type: ignore[import-not-found]  # only under FIXWIRE_REFIX_PYTHON

TAGS = tuple(int(tag) for tag in sys.argv[1:])


def read(path: str) -> dict[str, object]:
    """Read the log at ``path`` into one list per tag; return what the benchmark checks."""
    columns: list[list[bytes | None]] = [[] for _ in TAGS]
    garbled = 0
    for item in refix.read_log(path):
        if isinstance(item, refix.Garble):
            garbled += 1
            continue
        for column, tag in zip(columns, TAGS, strict=True):
            column.append(item.get(tag))
    last = [column[-1] if column else None for column in columns]
    return {
        "rows": len(columns[0]),
        "present": [sum(v is not None for v in column) for column in columns],
        "last": [None if value is None else value.decode() for value in last],
        "garbled": garbled,
    }


def main() -> None:
    """Answer each path on stdin with one JSON line, until stdin closes."""
    for line in sys.stdin:
        print(json.dumps(read(line.rstrip("\n"))), flush=True)


if __name__ == "__main__":
    main()
