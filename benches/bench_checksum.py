"""Group "checksum": FIX CheckSum <10> (sum of bytes mod 256) over 1 MiB and 64 MiB.

fixwire.checksum against Python's ``sum(data) % 256``. Budget (``shared/design.md``): fixwire
>= 8 GB/s, ``sum`` about 0.2 GB/s. The throughput, in bytes per second of the median time, is
in ``extra_info["bytes_per_s"]`` and in the summary printed after the run.
"""

import random
from collections.abc import Callable
from functools import cache

import pytest

import fixwire
from benches.conftest import MIB, Benchmark, record_rate

SIZES = {"1MiB": MIB, "64MiB": 64 * MIB}


def python_checksum(data: bytes) -> int:
    """Return the CheckSum of ``data`` the plain-Python way."""
    return sum(data) % 256


CHECKSUMS: dict[str, Callable[[bytes], int]] = {
    "fixwire": fixwire.checksum,
    "python-sum": python_checksum,
}


@cache
def payload(size: int) -> tuple[bytes, int]:
    """Return ``size`` seeded random bytes and their checksum, computed once per size."""
    data = random.Random(size).randbytes(size)
    return data, sum(data) % 256


@pytest.mark.benchmark(group="checksum")
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("impl", list(CHECKSUMS))
def test_checksum(benchmark: Benchmark, impl: str, size: str) -> None:
    """Checksum the buffer; the result must equal ``sum(data) % 256`` computed beforehand."""
    data, expected = payload(SIZES[size])
    result = benchmark(CHECKSUMS[impl], data)
    assert result == expected
    record_rate(benchmark, "bytes", len(data))
