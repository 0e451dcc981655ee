"""Group "validate": what validating with the Kalshi dictionary adds to parsing, from Python.

The message is a Kalshi trade ExecutionReport <35=8> with its NoMiscFees <136> group. Four
cases in one run: parsing alone, parsing with the dictionary's repeating groups checked, that
plus ``Dictionary.validate``, and both in one call (``parse(..., validate=True)``). The budget
(issue: dictionaries) is that validation adds at most 50% to parsing.

The dictionary remembers the shapes of the messages it accepted (``compiled.rs``), so after the
first round the report is checked as a remembered shape, as the reports of a live session
mostly are; the Rust benchmark (``cargo bench``) also times a report of a shape it does not
remember.
"""

import pytest

import fixwire
from benches.conftest import Benchmark, frame

REPORT = frame(
    "35=8|49=Kalshi|56=8f1c1c52-6a8e-4e2b-9d43-2b1f0e6f7a10|34=12|52=20260820-14:30:05.200|"
    "37=b5e3d2f1-7a4c-4c8e-9f10-3e2d1c0b9a87|11=7d0c9a3e-2b1f-4e5d-8c6a-9f0e1d2c3b4a|17=4;7|150=F|39=1|"
    "54=1|55=KXNBAGAME-26MAY25NYKCLE-NYK|151=6.00|14=4.00|6=75|38=10.00|31=75|32=4.00|"
    "60=20260820-14:30:05.199|136=1|137=0.07|138=USD|139=4|891=0|"
)
KALSHI = fixwire.Dictionary.kalshi()


def parse_only(data: bytes) -> fixwire.Message:
    """Parse without a dictionary."""
    return fixwire.parse(data)


def parse_with_groups(data: bytes) -> fixwire.Message:
    """Parse with the dictionary's repeating groups checked."""
    return fixwire.parse(data, dictionary=KALSHI)


def parse_and_validate(data: bytes) -> fixwire.Message:
    """Parse with the dictionary and validate as a counterparty would."""
    msg = fixwire.parse(data, dictionary=KALSHI)
    KALSHI.validate(msg)
    return msg


def parse_validating(data: bytes) -> fixwire.Message:
    """Parse and validate in one call."""
    return fixwire.parse(data, dictionary=KALSHI, validate=True)


CASES = {
    "parse": parse_only,
    "parse+groups": parse_with_groups,
    "parse+validate": parse_and_validate,
    "parse(validate=True)": parse_validating,
}


@pytest.mark.benchmark(group="validate")
@pytest.mark.parametrize("case", list(CASES))
def test_validate(benchmark: Benchmark, case: str) -> None:
    """Each case returns the parsed report; it must be the ExecutionReport framed above."""
    msg = benchmark(CASES[case], REPORT)
    assert msg.msg_type == "8"
    assert msg[17] == "4;7"
