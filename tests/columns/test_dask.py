"""fixwire.dask.read_fix on a two-process LocalCluster, against the single-process read_arrow.

Ten generated logs (every format, garbage between messages) are read through a glob with a
blocksize that cuts each file into several byte ranges, so partition boundaries fall on
arbitrary bytes: inside messages, inside garbage, between lines. The cluster listens on
loopback only and is shared by the module's tests.
"""

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pytest
from distributed import Client, LocalCluster

import fixwire
import fixwire.dask
from fixlog import FORMATS, Log, LogGenerator, render
from fixtext import build, frame

SEED = 8013
FILES = 10
# About seven byte ranges per generated file.
BLOCKSIZE = 3000
TAGS: dict[int, str] = {
    11: "str",
    58: "str",
    34: "int",
    44: "decimal",
    32: "decimal:2",
    31: "float",
    60: "time",
    75: "date",
    43: "bool",
    136: "int",
    137: "decimal",
    138: "str",
}
FEES = fixwire.GroupSpec(136, [137, 138, 139, 891])


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A client of a two-worker, one-thread-each LocalCluster of separate processes."""
    # distributed's LocalCluster and Client carry no annotations on their constructors.
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # Without a dashboard the scheduler still serves HTTP, on 8787 unless told: a free
            # port keeps two runs on one machine from meeting there.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Log]:
    """The generated logs by path, in sorted path order: two of each format."""
    directory = tmp_path_factory.mktemp("fix")
    gen = LogGenerator(SEED)
    out = {}
    for i in range(FILES):
        log = render(gen.items(gen.rng.randrange(50, 110)), FORMATS[i % len(FORMATS)], gen)
        path = directory / f"fix-{i:02d}.log"
        path.write_bytes(log.data)
        out[path] = log
    return out


def single_process(paths: list[Path], **options: Any) -> pd.DataFrame:
    """The same read in this process: read_arrow over the paths, as read_fix's partitions."""
    table = fixwire.read_arrow(paths, TAGS, **options)
    return cast("pd.DataFrame", table.to_pandas(types_mapper=pd.ArrowDtype))


def run(client: Client, *dfs: dd.DataFrame) -> list[pd.DataFrame]:
    """Compute ``dfs`` on the cluster (not in this process) and fetch the results."""
    # Client.compute and Client.gather carry no annotations.
    futures = client.compute(list(dfs))  # type: ignore[no-untyped-call]
    return cast("list[pd.DataFrame]", client.gather(futures))  # type: ignore[no-untyped-call]


def assert_frames_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Row for row, value for value. Dask turns Arrow text into pandas' pyarrow-backed
    ``StringDtype`` (its ``dataframe.convert-string`` default), the one dtype allowed to differ.
    """
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    for name in want.columns:
        dtype = got[name].dtype
        if dtype != want[name].dtype:
            assert want[name].dtype == pd.ArrowDtype(pa.large_string()), name
            assert isinstance(dtype, pd.StringDtype), name
            assert dtype.storage == "pyarrow", name
            want[name] = want[name].astype(dtype)
    pd.testing.assert_frame_equal(got, want)


def expected_offsets(logs: dict[Path, Log]) -> list[int]:
    """Every generated message's offset, file after file."""
    return [offset for path in sorted(logs) for offset, _ in logs[path].messages]


def _total(logs: dict[Path, Log], *, unchecked: bool = False) -> int:
    """How many messages the logs hold (with those of bad CheckSum <10> when ``unchecked``)."""
    return sum(len(log.messages) + unchecked * len(log.unchecked) for log in logs.values())


@pytest.fixture(scope="module")
def ranged(client: Client, logs: dict[Path, Log]) -> tuple[int, pd.DataFrame]:
    """read_fix over a glob, cut into byte ranges, computed on the cluster: the partition count
    and the frame.
    """
    pattern = str(next(iter(logs)).parent / "fix-*.log")
    df = fixwire.dask.read_fix(pattern, TAGS, blocksize=BLOCKSIZE)
    return df.npartitions, run(client, df)[0]


def test_cluster_runs_two_worker_processes(client: Client) -> None:
    pids = client.run(os.getpid)
    assert len(pids) == 2
    assert os.getpid() not in pids.values()
    assert all(address.startswith("tcp://127.0.0.1:") for address in pids)


def test_glob_in_byte_ranges_equals_the_single_process_read(
    ranged: tuple[int, pd.DataFrame], logs: dict[Path, Log]
) -> None:
    npartitions, got = ranged
    sizes = [len(log.data) for log in logs.values()]
    assert npartitions == sum(math.ceil(size / BLOCKSIZE) for size in sizes)
    assert npartitions >= 5 * FILES
    assert_frames_equal(got, single_process(sorted(logs)))


def test_byte_ranges_neither_lose_nor_duplicate_messages(
    ranged: tuple[int, pd.DataFrame], logs: dict[Path, Log]
) -> None:
    _, got = ranged
    assert len(got) == _total(logs)
    assert got["offset"].tolist() == expected_offsets(logs)


def test_paths_one_partition_per_file(client: Client, logs: dict[Path, Log]) -> None:
    paths = sorted(logs)
    df = fixwire.dask.read_fix(paths, TAGS)
    assert df.npartitions == FILES
    got = run(client, df)[0]
    assert dict(got.dtypes) == dict(df.dtypes)
    assert_frames_equal(got, single_process(paths))
    assert got["offset"].tolist() == expected_offsets(logs)


@pytest.mark.parametrize(
    ("options", "check"),
    [
        ({"msg_types": ["8", "0"]}, lambda got, logs: set(got["msg_type"]) == {"8", "0"}),
        ({"floats": True}, lambda got, logs: got["44"].dtype == pd.ArrowDtype(pa.float64())),
        (
            {"verify_checksum": False},
            lambda got, logs: len(got) == _total(logs, unchecked=True) > _total(logs),
        ),
    ],
    ids=["msg_types", "floats", "unchecked"],
)
def test_options_reach_the_workers(
    client: Client,
    logs: dict[Path, Log],
    options: dict[str, Any],
    check: Callable[[pd.DataFrame, dict[Path, Log]], bool],
) -> None:
    paths = sorted(logs)
    df = fixwire.dask.read_fix([str(p) for p in paths], TAGS, **options)
    got = run(client, df)[0]
    assert_frames_equal(got, single_process(paths, **options))
    assert check(got, logs)


def test_explode_on_the_cluster(client: Client, logs: dict[Path, Log]) -> None:
    paths = sorted(logs)
    df = fixwire.dask.read_fix(paths, TAGS, explode=FEES, msg_types=["8"])
    got = run(client, df)[0]
    assert_frames_equal(got, single_process(paths, explode=FEES, msg_types=["8"]))


def test_a_message_starting_just_before_a_range_end_is_read_once(
    client: Client, tmp_path: Path
) -> None:
    # Blocksizes that end the first range 0 to 5 bytes into the second message's "8=FIX":
    # the message starts in the first range, so it is that range's, and read once.
    gen = LogGenerator(SEED + 1)
    log = render([gen.message("0") for _ in range(6)], "lines", gen)
    path = tmp_path / "short.log"
    path.write_bytes(log.data)
    second = log.messages[1][0]
    dfs = [fixwire.dask.read_fix(path, TAGS, blocksize=second + k) for k in range(6)]
    results = run(client, *dfs)
    got = {k: result["offset"].tolist() for k, result in enumerate(results)}
    offsets = [offset for offset, _ in log.messages]
    assert got == dict.fromkeys(range(6), offsets)


def test_a_message_carried_in_raw_data_is_not_read_by_a_later_range(
    client: Client, tmp_path: Path
) -> None:
    # RawData <96> may carry a whole FIX message. Read from the start of the file it is data,
    # so a range starting inside the carrying message must not read it as a message either.
    carried = frame("35=D|11=carried|")
    outer = build("8", b"11=outer|95=%d|96=%s|" % (len(carried), carried))
    path = tmp_path / "raw-data.log"
    path.write_bytes(outer + build("0", "11=next|"))
    cut = outer.index(b"96=")
    got = run(client, fixwire.dask.read_fix(path, TAGS, blocksize=cut))[0]
    want = single_process([path])
    assert want["11"].tolist() == ["outer", "next"]
    assert_frames_equal(got, want)


def test_a_glob_without_matches(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no FIX log"):
        fixwire.dask.read_fix(str(tmp_path / "*.log"), TAGS)


def test_names_from_a_dictionary_on_the_cluster(client: Client, logs: dict[Path, Log]) -> None:
    paths = sorted(logs)
    kalshi = fixwire.Dictionary.kalshi()
    names = ["ClOrdID", "Price", "MsgSeqNum", "MiscFeeAmt", "Side"]
    df = fixwire.dask.read_fix(paths, names, dictionary=kalshi, explode="NoMiscFees")
    got = run(client, df)[0]
    assert list(got.columns) == ["msg_type", "offset", *names]
    want = fixwire.read_arrow(paths, names, dictionary=kalshi, explode="NoMiscFees")
    assert_frames_equal(got, want.to_pandas(types_mapper=pd.ArrowDtype))
    assert got["MiscFeeAmt"].dtype == pd.ArrowDtype(pa.decimal128(38, 8))
    assert got["MiscFeeAmt"].notna().any()


def long_carrying_log() -> tuple[bytes, int]:
    """A log whose middle message is longer than a range's look-back and read-ahead, with a
    whole FIX message in its RawData <96> well past the look-back; and where that carried
    message starts.
    """
    carried = frame("35=D|11=carried|")
    data = b"a" * 150_000 + carried + b"b" * 150_000
    outer = build("8", b"11=outer|95=%d|96=%s|" % (len(data), data))
    log = build("0", "11=first|") + outer + build("0", "11=next|")
    return log, log.index(carried)


@pytest.mark.parametrize(
    "blocksize",
    [
        lambda carried: carried - 1,
        lambda carried: carried,
        lambda carried: carried + 1,
        lambda carried: 70_000,
        lambda carried: 9_000,
    ],
    ids=["before", "at", "after", "70000", "9000"],
)
def test_a_long_message_carrying_fix_across_ranges_is_one_row(
    client: Client, tmp_path: Path, blocksize: Callable[[int], int]
) -> None:
    """Ranges starting just before, at and after the carried message (more than the look-back
    past the outer message's start), and ranges far smaller than the message.
    """
    data, carried = long_carrying_log()
    path = tmp_path / "long.log"
    path.write_bytes(data)
    df = fixwire.dask.read_fix(path.as_uri(), TAGS, blocksize=blocksize(carried))
    got = run(client, df)[0]
    assert got["11"].tolist() == ["first", "outer", "next"]
    assert_frames_equal(got, single_process([path]))


def test_memory_urls_with_a_glob(logs: dict[Path, Log]) -> None:
    """Logs in fsspec's in-memory filesystem (one process: its files live in this one)."""
    import fsspec

    memory = fsspec.filesystem("memory")
    for path, log in logs.items():
        memory.pipe_file(f"/fixwire-test/{path.name}", log.data)
    data, _ = long_carrying_log()
    memory.pipe_file("/fixwire-test/fix-99.log", data)
    try:
        df = fixwire.dask.read_fix("memory://fixwire-test/fix-*.log", TAGS, blocksize=BLOCKSIZE)
        got = df.compute(scheduler="sync")  # type: ignore[no-untyped-call]
        whole = fixwire.dask.read_fix("memory://fixwire-test/fix-*.log", TAGS)
        assert whole.npartitions == FILES + 1
        want = pd.concat(
            [
                single_process(sorted(logs)),
                whole.partitions[FILES].compute(scheduler="sync"),
            ]
        )
        assert_frames_equal(got, want.reset_index(drop=True))
        assert got["11"].tolist()[-3:] == ["first", "outer", "next"]
    finally:
        memory.rm("/fixwire-test", recursive=True)


def test_file_urls_and_paths_agree(client: Client, logs: dict[Path, Log]) -> None:
    paths = sorted(logs)
    urls = [p.as_uri() for p in paths]
    by_url, by_path = run(
        client,
        fixwire.dask.read_fix(urls, TAGS, blocksize=BLOCKSIZE),
        fixwire.dask.read_fix(paths, TAGS, blocksize=BLOCKSIZE),
    )
    assert_frames_equal(by_url, single_process(paths))
    assert_frames_equal(by_path, single_process(paths))
