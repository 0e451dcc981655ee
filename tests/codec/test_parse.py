"""fixwire.parse and fixwire.checksum: every corpus message, every invalid input, the options."""

import subprocess
import sys
from collections import Counter

import pytest

import fixwire
from fixtext import (
    DATA_DIR,
    DECODE_KINDS,
    SOH,
    CorpusEntry,
    InvalidEntry,
    bar,
    build,
    checksum,
    fields_of,
    frame,
    load_corpus,
    load_invalid,
)

# The corpus itself: generated, well-formed, big enough to mean something.


def test_corpus_files_are_reproducible() -> None:
    script = DATA_DIR / "make_corpus.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_corpus_names_are_unique() -> None:
    names = [e.name for e in load_corpus()] + [e.name for e in load_invalid()]
    duplicates = [name for name, n in Counter(names).items() if n > 1]
    assert duplicates == []


def test_corpus_covers_every_message_type_of_the_spec() -> None:
    types = {dict(fields_of(e.data))[35].decode() for e in load_corpus()}
    expected = set(
        [
            "D",
            "G",
            "F",
            "q",
            "r",
            "8",
            "9",
            "j",
            "3",
            "A",
            "0",
            "1",
            "2",
            "4",
            "5",
            "R",
            "b",
            "S",
            "AI",
            "Z",
            "V",
            "W",
            "X",
            "Y",
            "e",
            "f",
            "AG",
        ]
    )
    expected |= {"UOG", "UOH", "U1", "U2", "U3", "UMS", "U7", "U8", "U9", "UA", "UC", "UE", "UB"}
    assert expected <= types
    assert len(load_corpus()) >= 30


def test_corpus_message_is_well_formed(corpus_entry: CorpusEntry) -> None:
    # An oracle independent of fixwire: BodyLength and CheckSum are where and what they say.
    data = corpus_entry.data
    pairs = fields_of(data)
    assert [tag for tag, _ in pairs[:3]] == [8, 9, 35]
    assert pairs[-1][0] == 10
    body_start = data.index(SOH, data.index(SOH) + 1) + 1
    body_end = body_start + int(pairs[1][1])
    assert data[body_end:] == b"10=%03d" % checksum(data[:body_end]) + SOH


def test_invalid_kinds_are_contract_kinds(invalid_entry: InvalidEntry) -> None:
    assert invalid_entry.kind in DECODE_KINDS


# Valid input.


def test_parse_corpus_message(corpus_entry: CorpusEntry) -> None:
    data = corpus_entry.data
    msg = fixwire.parse(data)
    expected = [(tag, value.decode()) for tag, value in fields_of(data)]
    assert list(msg) == expected
    assert len(msg) == len(expected)
    assert msg.begin_string == expected[0][1]
    assert msg.msg_type == expected[2][1]
    assert msg.seq_num == int(dict(expected)[34])
    assert msg.raw is data


def test_parse_corpus_message_round_trips_to_the_same_bytes(corpus_entry: CorpusEntry) -> None:
    msg = fixwire.parse(corpus_entry.data)
    rebuilt = b"".join(b"%d=%s\x01" % (tag, value.encode()) for tag, value in msg)
    assert rebuilt == corpus_entry.data


def test_parse_corpus_message_with_kalshi_groups(
    corpus_entry: CorpusEntry, kalshi_groups: fixwire.GroupSpecs
) -> None:
    msg = fixwire.parse(corpus_entry.data, groups=kalshi_groups)
    assert list(msg) == list(fixwire.parse(corpus_entry.data))


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_parse_copies_bytes_like_input_once(kind: type[bytearray] | type[memoryview]) -> None:
    data = build("0")
    buffer = kind(bytearray(data))
    msg = fixwire.parse(buffer)
    assert type(msg.raw) is bytes
    assert msg.raw == data
    assert msg.msg_type == "0"


def test_parse_bytearray_is_not_affected_by_later_mutation() -> None:
    data = bytearray(build("1", "112=PING|"))
    msg = fixwire.parse(data)
    data[data.index(b"PING") : data.index(b"PING") + 4] = b"PONG"
    assert msg[112] == "PING"


def test_parse_keeps_a_bytes_subclass_as_given() -> None:
    class Wire(bytes):
        pass

    data = Wire(build("1", "112=PING|"))
    msg = fixwire.parse(data)
    assert msg.raw is data
    assert msg[112] == "PING"


def test_parse_checks_its_arguments_as_its_signature_says() -> None:
    data = build("0")
    assert fixwire.parse(data, verify_checksum=False).msg_type == "0"
    assert fixwire.parse.__name__ == "parse"
    assert fixwire.parse.__module__ == "fixwire._native"
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        fixwire.parse()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="positional"):
        fixwire.parse(data, True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'strict'"):
        fixwire.parse(data, strict=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        fixwire.parse(data=data)  # type: ignore[call-arg]


@pytest.mark.parametrize("value", ["8=FIXT.1.1|9=5|35=0|10=163|", None, 42, ["8=FIX"]])
def test_parse_rejects_non_bytes_with_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        fixwire.parse(value)  # type: ignore[arg-type]


def test_parse_keeps_equals_signs_inside_values(corpus: dict[str, bytes]) -> None:
    msg = fixwire.parse(corpus["fix44_logon"])
    assert msg[554] == "s3cret=pass"
    assert msg.begin_string == "FIX.4.4"


def test_parse_reads_data_field_containing_soh_by_its_length(corpus: dict[str, bytes]) -> None:
    msg = fixwire.parse(corpus["logon_signed_rawdata_with_soh"])
    raw = msg.get_bytes(96)
    assert raw is not None
    assert raw.startswith(b"pss\x01sha256\x01")
    assert raw.endswith(b"\x018=FIXT.1.1\x0110=000\x01")
    assert msg.get_int(95) == len(raw)
    # The fake `10=000` inside the data is not the trailer; the fields after it are body fields.
    assert msg[141] == "Y"
    assert msg[21005] == "Y"
    assert msg.get_all(10) == [msg[10]]


def test_parse_reads_raw_data_without_length_as_a_plain_value(corpus: dict[str, bytes]) -> None:
    # Kalshi's docs send RawData <96> without RawDataLength <95>; it has no SOH, so it is
    # readable up to the next SOH.
    msg = fixwire.parse(corpus["kalshi_logon_listener"])
    assert 95 not in msg
    assert len(msg[96]) == 344
    assert msg[96].endswith("==")


def test_parse_counts_body_length_in_bytes_not_characters(corpus: dict[str, bytes]) -> None:
    msg = fixwire.parse(corpus["business_reject_utf8_text"])
    assert msg[58] == "Ordre refusé: groupe «inconnu» — ORDER_GROUP_NOT_FOUND"


def test_parse_fix44_message(corpus: dict[str, bytes]) -> None:
    msg = fixwire.parse(corpus["fix44_execution_report_fill"])
    assert msg.begin_string == "FIX.4.4"
    assert msg.get_all(375) == ["MM1", "MM2"]
    assert msg[35] == "8"


def test_parse_without_checksum_verification_accepts_a_wrong_checksum() -> None:
    data = build("0")
    wrong = data[:-4] + b"%03d" % ((int(data[-4:-1]) + 1) % 256) + SOH
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(wrong)
    assert info.value.kind == "bad_checksum"
    msg = fixwire.parse(wrong, verify_checksum=False)
    assert msg[10] == wrong[-4:-1].decode()


def test_parse_without_checksum_verification_still_checks_framing() -> None:
    data = build("0").replace(b"\x019=", b"\x019=1", 1)
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(data, verify_checksum=False)
    assert info.value.kind == "bad_body_length"


def test_parse_accepts_a_message_without_session_header_fields() -> None:
    # A codec parses; a session validates. 8, 9, 35 and 10 are all framing needs.
    msg = fixwire.parse(frame("35=0|"))
    assert msg.msg_type == "0"
    assert len(msg) == 4


# Invalid input.


def test_parse_rejects_invalid_input(invalid_entry: InvalidEntry) -> None:
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(invalid_entry.data)
    err = info.value
    assert err.kind == invalid_entry.kind, f"{bar(invalid_entry.data)}: {err.reason}"
    assert isinstance(err.offset, int)
    assert 0 <= err.offset <= len(invalid_entry.data)


def test_parse_rejects_empty_input() -> None:
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(b"")
    assert info.value.kind in {"truncated", "not_begin_string"}


@pytest.mark.parametrize("cut", [1, 2, 5, 10, 15, 20, 40])
def test_parse_rejects_every_prefix_as_truncated(cut: int) -> None:
    data = build("D", "11=abc|38=10|40=2|54=1|55=HIGHNY-23DEC31|44=75|")
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(data[: len(data) - cut])
    assert info.value.kind == "truncated"


def test_parse_rejects_data_length_running_into_the_checksum() -> None:
    # RawDataLength <95> claims the data runs into the trailer: the data may not swallow 10=.
    body = "35=A|49=C|56=K|34=1|52=20260820-14:30:05.123|95=6|96=abc|"
    with pytest.raises(fixwire.DecodeError) as info:
        fixwire.parse(frame(body))
    assert info.value.kind == "bad_data_length"


# fixwire.checksum.


def test_checksum_of_empty_input_is_zero() -> None:
    assert fixwire.checksum(b"") == 0


def test_checksum_matches_the_corpus_trailer(corpus_entry: CorpusEntry) -> None:
    data = corpus_entry.data
    trailer = data.rindex(b"10=")
    assert fixwire.checksum(data[:trailer]) == int(data[trailer + 3 : trailer + 6])


@pytest.mark.parametrize("size", [1, 7, 8, 31, 32, 33, 255, 256, 4096, 1 << 20])
def test_checksum_is_sum_of_bytes_mod_256(size: int) -> None:
    data = bytes((i * 131 + 17) % 256 for i in range(size))
    assert fixwire.checksum(data) == sum(data) % 256


def test_checksum_of_all_0xff_bytes() -> None:
    data = b"\xff" * 100_003
    assert fixwire.checksum(data) == (255 * 100_003) % 256


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_checksum_accepts_bytes_like(kind: type[bytearray] | type[memoryview]) -> None:
    data = build("0")
    assert fixwire.checksum(kind(bytearray(data))) == sum(data) % 256


@pytest.mark.parametrize("value", ["8=FIX", 42, None])
def test_checksum_rejects_non_bytes_with_type_error(value: object) -> None:
    with pytest.raises(TypeError):
        fixwire.checksum(value)  # type: ignore[arg-type]


def test_field_count_is_limited_or_fully_read() -> None:
    # Hostile input may not cost unbounded work: a huge field count is either read in full or
    # refused as too_many_fields, never anything else.
    count = 200_000
    data = build("0", "".join(f"{5000 + i % 1000}=v|" for i in range(count)))
    outcome: int | str
    try:
        outcome = len(fixwire.parse(data))
    except fixwire.DecodeError as err:
        outcome = err.kind
    assert outcome in {count + 8, "too_many_fields"}


def test_the_native_module_imports_again_and_not_into_a_sub_interpreter() -> None:
    """A fresh import of ``fixwire._native`` (its body run again on a new module object, as
    a test runner or a plugin reloader does) parses and encodes through the same fast
    entries; an import into a CPython sub-interpreter is refused with ImportError, since the
    entries and what they keep belong to the first interpreter.
    """
    code = """if True:
        import importlib, sys
        import fixwire._native as first
        heartbeat = first.Encoder("S", "T").encode("0", [], seq_num=1, sending_time=1.0)
        del sys.modules["fixwire._native"]
        second = importlib.import_module("fixwire._native")
        assert second is not first and second.parse is first.parse
        assert second.parse(heartbeat)[35] == "0"
        assert second.Encoder("S", "T").encode("0", [], seq_num=1, sending_time=1.0) == heartbeat
        try:
            import _xxsubinterpreters as interpreters
        except ImportError:
            import _interpreters as interpreters
        other = interpreters.create()
        try:  # 3.13 returns what was raised there, earlier versions raise it here
            failed = interpreters.run_string(other, "import fixwire._native")
        except Exception as e:
            failed = e
        print(repr(failed))
        """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # CPython 3.12 and later refuse the module themselves (it says it does not support them).
    assert "ImportError" in done.stdout, done.stdout
    assert "sub-interpreter" in done.stdout or "subinterpreters" in done.stdout, done.stdout
