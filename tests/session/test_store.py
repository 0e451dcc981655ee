"""fixwire.session stores: MemoryStore and JournalStore agree; the journal survives crashes.

The journal's promise (see :mod:`fixwire.session.store`) is that a process killed at any
instant restarts with what it had stored. A kill can leave at most the last record cut short,
so the torn-record tests cut the file at every byte of the last record, one offset at a time.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixwire import StoreError
from fixwire.session import JournalStore, MemoryStore, Store, Sync
from fixwire.session.store import _MAGIC, _record

# Every journal holds at least the magic; a reset leaves the magic and one reset record.
RESET_SIZE = len(_MAGIC) + len(_record(4, 1))


def everything(store: Store) -> dict[int, bytes]:
    """Every stored message, whatever its sequence number."""
    return store.messages(0, 2**62)


def state(store: Store) -> tuple[int, int, dict[int, bytes]]:
    """What a store knows: next outbound number, next inbound number, stored messages."""
    return store.next_sender_seq, store.next_target_seq, everything(store)


@pytest.fixture(params=["memory", "journal", "journal-fsync"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Makes the store under test; every store made is closed after the test."""
    made: list[Store] = []

    def make() -> Store:
        store: Store
        if request.param == "memory":
            store = MemoryStore()
        else:
            sync = Sync.FSYNC if request.param == "journal-fsync" else Sync.WRITE
            store = JournalStore(tmp_path / "session.journal", sync=sync)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


# Both stores behave the same.


def test_fresh_store_starts_at_one(make_store: Callable[[], Store]) -> None:
    store = make_store()
    assert state(store) == (1, 1, {})
    assert store.messages(1, 100) == {}


def test_save_advances_the_sender_number(make_store: Callable[[], Store]) -> None:
    store = make_store()
    store.save(1, b"first")
    assert store.next_sender_seq == 2
    store.set_next_sender_seq(3)  # an admin message took 2
    store.save(3, b"third")
    assert store.next_sender_seq == 4
    assert store.next_target_seq == 1
    assert everything(store) == {1: b"first", 3: b"third"}


def test_message_ranges_are_inclusive(make_store: Callable[[], Store]) -> None:
    store = make_store()
    for seq in range(1, 11):
        if seq % 3:
            store.save(seq, f"message {seq}".encode())
    assert store.messages(2, 5) == {2: b"message 2", 4: b"message 4", 5: b"message 5"}
    assert store.messages(4, 4) == {4: b"message 4"}
    assert store.messages(3, 3) == {}
    assert store.messages(11, 20) == {}
    assert store.messages(5, 4) == {}
    # A range wider than the store is looked up by what is stored, not by every number in it.
    assert list(store.messages(1, 2**62)) == [1, 2, 4, 5, 7, 8, 10]
    assert store.messages(9, 2**62) == {10: b"message 10"}


def test_save_again_replaces_the_message(make_store: Callable[[], Store]) -> None:
    store = make_store()
    store.save(1, b"old")
    store.save(1, b"new")
    assert everything(store) == {1: b"new"}


def test_empty_and_binary_payloads(make_store: Callable[[], Store]) -> None:
    store = make_store()
    store.save(1, b"")
    store.save(2, bytes(range(256)))
    assert everything(store) == {1: b"", 2: bytes(range(256))}


def test_next_numbers_are_independent(make_store: Callable[[], Store]) -> None:
    store = make_store()
    store.set_next_target_seq(42)
    store.set_next_sender_seq(7)
    assert (store.next_sender_seq, store.next_target_seq) == (7, 42)
    store.set_next_sender_seq(2)  # lowering is allowed: the session decides, the store records
    assert store.next_sender_seq == 2


def test_reset_starts_over(make_store: Callable[[], Store]) -> None:
    store = make_store()
    for seq in range(1, 6):
        store.save(seq, b"before %d" % seq)
    store.set_next_target_seq(9)
    store.reset()
    assert state(store) == (1, 1, {})
    store.save(1, b"after reset")
    store.save(2, b"and again")
    assert state(store) == (3, 1, {1: b"after reset", 2: b"and again"})


def test_close_twice(make_store: Callable[[], Store]) -> None:
    store = make_store()
    store.close()
    store.close()


# JournalStore on disk.


def test_journal_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with_store = JournalStore(path)
    for seq in range(1, 50):
        with_store.save(seq, b"8=FIXT.1.1|34=%d|" % seq)
    with_store.set_next_sender_seq(52)
    with_store.set_next_target_seq(17)
    before = state(with_store)
    with_store.close()
    again = JournalStore(path)
    try:
        assert state(again) == before
        assert again.path == path
    finally:
        again.close()


def test_journal_creates_its_directory(tmp_path: Path) -> None:
    store = JournalStore(tmp_path / "a" / "b" / "j")
    store.close()
    assert (tmp_path / "a" / "b" / "j").read_bytes() == _MAGIC


def test_journal_reopen_after_reset_keeps_only_what_followed(tmp_path: Path) -> None:
    path = tmp_path / "j"
    store = JournalStore(path)
    for seq in range(1, 20):
        store.save(seq, b"old %d" % seq)
    store.reset()
    store.save(1, b"new 1")
    store.set_next_target_seq(4)
    store.close()
    again = JournalStore(path)
    try:
        assert state(again) == (2, 4, {1: b"new 1"})
    finally:
        again.close()


def test_reset_rewrites_the_file_small(tmp_path: Path) -> None:
    path = tmp_path / "j"
    store = JournalStore(path)
    try:
        for seq in range(1, 1001):
            store.save(seq, b"x" * 200)
        assert path.stat().st_size > 200_000
        store.reset()
        assert path.stat().st_size == RESET_SIZE
        assert sorted(p.name for p in tmp_path.iterdir()) == ["j"]
        # The lock moved to the new file with the reset.
        with pytest.raises(StoreError, match="in use"):
            JournalStore(path)
    finally:
        store.close()


def build_journal(path: Path) -> JournalStore:
    """A journal with every kind of record in it (the reset first, so that it counts)."""
    store = JournalStore(path)
    store.save(1, b"lost to the reset")
    store.reset()
    for seq in range(1, 6):
        store.save(seq, b"message %d" % seq)
    store.set_next_target_seq(3)
    store.set_next_sender_seq(8)
    return store


# The operations that can be the last record of a journal, and what each does to a store.
LAST_RECORDS: dict[str, Callable[[Store], None]] = {
    "message": lambda store: store.save(8, b"8=FIXT.1.1|35=D|11=last|"),
    "sender": lambda store: store.set_next_sender_seq(12),
    "target": lambda store: store.set_next_target_seq(5),
}


@pytest.mark.parametrize("last", LAST_RECORDS)
def test_torn_last_record_is_dropped_at_every_offset(tmp_path: Path, last: str) -> None:
    path = tmp_path / "j"
    store = build_journal(path)
    expected = state(store)
    good_size = path.stat().st_size
    LAST_RECORDS[last](store)
    store.close()
    whole = path.read_bytes()
    assert len(whole) > good_size
    for cut in range(good_size, len(whole)):
        path.write_bytes(whole[:cut])
        torn = JournalStore(path)
        try:
            assert state(torn) == expected, f"cut at byte {cut}"
            assert path.stat().st_size == good_size, f"cut at byte {cut}: not truncated"
            # New records go after the good ones, not after the torn bytes.
            torn.save(9, b"after the crash")
        finally:
            torn.close()
        again = JournalStore(path)
        try:
            sender, target, messages = state(again)
            assert (sender, target) == (10, expected[1]), f"cut at byte {cut}"
            assert messages == {**expected[2], 9: b"after the crash"}, f"cut at byte {cut}"
        finally:
            again.close()


@pytest.mark.parametrize("last", LAST_RECORDS)
def test_corrupt_last_record_is_dropped(tmp_path: Path, last: str) -> None:
    path = tmp_path / "j"
    store = build_journal(path)
    expected = state(store)
    good_size = path.stat().st_size
    LAST_RECORDS[last](store)
    store.close()
    whole = path.read_bytes()
    for at in range(good_size, len(whole)):
        corrupt = bytearray(whole)
        corrupt[at] ^= 0x5A
        path.write_bytes(bytes(corrupt))
        reopened = JournalStore(path)
        try:
            assert state(reopened) == expected, f"byte {at} corrupted"
            assert path.stat().st_size == good_size, f"byte {at} corrupted"
        finally:
            reopened.close()


def test_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "j"
    for content in (b"8=FIXT.1.1\x019=5\x0135=0\x0110=000\x01", b"FIXWJ", b"\x00" * 64):
        path.write_bytes(content)
        with pytest.raises(StoreError, match="not a fixwire journal"):
            JournalStore(path)
        assert path.read_bytes() == content  # left as it was


def test_unreadable_path(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(StoreError, match="cannot open journal"):
        JournalStore(tmp_path / "dir")


def test_second_store_on_the_same_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    first = JournalStore(path)
    try:
        first.save(1, b"mine")
        with pytest.raises(StoreError, match="in use by another store"):
            JournalStore(path)
        with pytest.raises(StoreError, match="in use by another store"):
            JournalStore(str(path), sync=Sync.FSYNC)
        first.save(2, b"still mine")  # the refused open did not disturb the first store
    finally:
        first.close()
    second = JournalStore(path)
    try:
        assert everything(second) == {1: b"mine", 2: b"still mine"}
    finally:
        second.close()


def test_unknown_record_kind_is_an_error_not_a_truncation(tmp_path: Path) -> None:
    path = tmp_path / "j"
    store = build_journal(path)
    store.close()
    with open(path, "ab") as f:
        f.write(_record(99, 1, b"from a newer fixwire"))
        f.write(_record(2, 20))
    content = path.read_bytes()
    with pytest.raises(StoreError, match="unknown record kind 99"):
        JournalStore(path)
    assert path.read_bytes() == content
    # The failed open released its lock (the error is about the content, not the lock).
    with pytest.raises(StoreError, match="unknown record kind 99"):
        JournalStore(path)


def test_empty_file_becomes_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.touch()
    store = JournalStore(path)
    try:
        assert state(store) == (1, 1, {})
        store.save(1, b"one")
    finally:
        store.close()
    assert path.read_bytes().startswith(_MAGIC)


# Any history, replayed from the journal, gives what an in-memory store holds.

_seq_nums = st.integers(min_value=1, max_value=40)
_operations = st.lists(
    st.one_of(
        st.tuples(st.just("save"), _seq_nums, st.binary(max_size=40)),
        st.tuples(st.just("save-next"), st.just(0), st.binary(max_size=40)),
        st.tuples(st.just("sender"), st.integers(min_value=1, max_value=2**40), st.just(b"")),
        st.tuples(st.just("target"), st.integers(min_value=1, max_value=2**40), st.just(b"")),
        st.tuples(st.just("reset"), st.just(0), st.just(b"")),
        st.tuples(st.just("reopen"), st.just(0), st.just(b"")),
        st.tuples(st.just("range"), _seq_nums, st.binary(max_size=1)),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(operations=_operations)
def test_journal_replays_to_the_memory_model(operations: list[tuple[str, int, bytes]]) -> None:
    # A temporary directory per example: hypothesis runs the body many times per fixture.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "j")
        model = MemoryStore()
        journal = JournalStore(path)
        try:
            for op, number, payload in operations:
                if op == "save":
                    model.save(number, payload)
                    journal.save(number, payload)
                elif op == "save-next":
                    seq = model.next_sender_seq
                    model.save(seq, payload)
                    journal.save(seq, payload)
                elif op == "sender":
                    model.set_next_sender_seq(number)
                    journal.set_next_sender_seq(number)
                elif op == "target":
                    model.set_next_target_seq(number)
                    journal.set_next_target_seq(number)
                elif op == "reset":
                    model.reset()
                    journal.reset()
                elif op == "reopen":
                    journal.close()
                    journal = JournalStore(path)
                else:
                    end = number + (payload[0] if payload else 0) % 8
                    assert journal.messages(number, end) == model.messages(number, end)
                assert state(journal) == state(model), op
            journal.close()
            journal = JournalStore(path)
            assert state(journal) == state(model)
        finally:
            journal.close()


def test_damage_before_intact_records_is_refused_not_truncated(tmp_path: Path) -> None:
    path = tmp_path / "session.journal"
    store = JournalStore(path)
    for seq in range(1, 4):
        store.save(seq, f"message {seq}".encode())
    store.close()
    data = bytearray(path.read_bytes())
    first_payload = data.index(b"message 1")
    data[first_payload] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="intact records follow"):
        JournalStore(path)
    assert path.read_bytes() == bytes(data)
