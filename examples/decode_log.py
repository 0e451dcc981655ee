"""Decode a FIX log: count its messages by type and list its orders, a line at a time.

Messages are found wherever they are in a line (after timestamps, ``|``- or SOH-separated);
field names come from a data dictionary (the bundled Kalshi one, or a QuickFIX XML file). Bad
messages are listed with their byte offsets, and the rest of the log is still read. Reading a
line at a time keeps memory bounded for logs of one message a line, as FIX engines write them;
``fixwire decode`` reads any shape of log in bounded memory.

Run: ``python examples/decode_log.py LOG [DICTIONARY.xml]`` (needs only fixwire).
"""

from __future__ import annotations

import sys
from collections import Counter

import fixwire


def main(path: str, dictionary_path: str | None = None) -> int:
    """Prints the summary of the log at ``path``; returns 1 when it holds bad messages."""
    dictionary = (
        fixwire.Dictionary.kalshi()
        if dictionary_path is None
        else fixwire.Dictionary.from_xml(dictionary_path)
    )
    by_type: Counter[str] = Counter()
    bad: list[tuple[int, str]] = []
    orders: list[str] = []
    line_start = 0
    with open(path, "rb") as log:
        for line in log:
            for offset, found in fixwire.find_messages(line, groups=dictionary.groups):
                if isinstance(found, fixwire.DecodeError):
                    bad.append((line_start + offset, found.kind))
                    continue
                by_type[found.msg_type] += 1
                if found.msg_type == "D":
                    orders.append(
                        f"ClOrdID={found[11]} Symbol={found.get(55)} Side={found.get(54)} "
                        f"OrderQty={found.get_decimal(38)} Price={found.get_decimal(44)}"
                    )
            line_start += len(line)
    for msg_type, count in by_type.most_common():
        try:
            name = dictionary.message(msg_type).name
        except KeyError:
            name = "unknown"
        print(f"{count:6} x 35={msg_type} {name}")
    for order in orders:
        print(f"order {order}")
    for offset, kind in bad:
        print(f"bad message at byte {offset}: {kind}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
