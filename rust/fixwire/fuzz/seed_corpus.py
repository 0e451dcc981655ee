"""Seeds the fuzz corpora from the test corpus: one folder per libFuzzer target.

Usage: ``seed_corpus.py [DIR]`` writes one folder per target in DIR (DIR defaults to corpus/
beside this file).

Every message of tests/data/corpus.txt (valid) and tests/data/invalid.txt (each refused for a
known reason) becomes a parser seed. A framer input is one byte that picks where the stream is
cut, then the stream: each message alone, and each valid message followed by garbage and the
next one. A frame_paths input is a BodyLength limit byte (0: the default), then one message;
a parse_paths input is a byte that picks the parse options, then one message.
A columns input is one byte that picks the scan's options, then a message. A log_printer
input is one byte that picks the style, the read size and the wrapping, then a message, or a
message's body (from MsgType <35> on) to be wrapped, or two messages with garbage between.
Seeds are named after their corpus lines, so running this again overwrites them and leaves what
the fuzzer found beside them alone.
"""

import itertools
import pathlib
import sys

FUZZ = pathlib.Path(__file__).resolve().parent
DATA = FUZZ.parents[2] / "tests" / "data"


def messages(name: str, columns: int) -> list[tuple[str, bytes]]:
    """Reads `(name, message)` from a corpus file whose lines have `columns` fields.

    Args:
        name: The file in tests/data.
        columns: Fields per line; the message is the last, with `|` standing for SOH.

    Returns:
        The lines' names and messages in file order, SOH in place of `|`.
    """
    out = []
    for line in (DATA / name).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(" ", columns - 1)
        out.append((parts[0], parts[-1].replace("|", "\x01").encode()))
    return out


def write(corpus: pathlib.Path, target: str, seeds: dict[str, bytes]) -> None:
    """Writes `seeds` as files of <corpus>/<target>/, named by their keys."""
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / name).write_bytes(data)


def main() -> None:
    """Writes the parser and framer seeds under the folder named on the command line."""
    corpus = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else FUZZ / "corpus"
    valid = messages("corpus.txt", 2)
    invalid = messages("invalid.txt", 3)
    everything = valid + invalid
    write(corpus, "parser", dict(everything))
    framer = {}
    for i, (name, message) in enumerate(everything):
        # Cut points spread over the stream, differing from seed to seed.
        framer[name] = bytes([i * 37 % 256]) + message
    for i, ((name, a), (_, b)) in enumerate(itertools.pairwise(valid)):
        framer[f"{name}+next"] = bytes([i * 53 % 256]) + a + b"garbage" + b
    write(corpus, "framer", framer)
    write(corpus, "frame_paths", {name: b"\x00" + message for name, message in everything})
    # Every option combination over the seeds, CheckSum verified in half of them.
    parse_paths = {name: bytes([i * 13 % 256]) + msg for i, (name, msg) in enumerate(everything)}
    write(corpus, "parse_paths", parse_paths)
    # A columns input is one byte that picks the options, then the message.
    columns = {name: bytes([i * 29 % 256]) + msg for i, (name, msg) in enumerate(everything)}
    write(corpus, "columns", columns)
    printer = {}
    for i, (name, msg) in enumerate(everything):
        printer[name] = bytes([i * 41 % 256]) + msg
        body = msg.split(b"\x01", 2)[-1].rpartition(b"10=")[0]
        # Bit 1 of the selector wraps the rest as a message body.
        printer[f"{name}-body"] = bytes([i * 41 % 256 | 2]) + body
    for i, ((name, a), (_, b)) in enumerate(itertools.pairwise(valid)):
        printer[f"{name}+next"] = bytes([i * 43 % 256]) + a + b"\nlog text 8=FIX\n" + b
    write(corpus, "log_printer", printer)
    print(
        f"seeded {len(everything)} parser, frame_paths and parse_paths, {len(framer)} framer,"
        f" {len(columns)} columns and {len(printer)} log_printer inputs in {corpus}"
    )


if __name__ == "__main__":
    main()
