"""Groups "quickfix-compat-*": QuickFIX's Python API, on quickfix and on fixwire.quickfix.

The same code runs on both modules (the one-import switch), doing per message what a QuickFIX
application and its engine do:

* build-send: build a FIX.4.4 NewOrderSingle <D> from the version module with eight typed
  field objects and two NoPartyIDs <453> entries, fill the header as the engine does, and
  write it out (``toString``: BodyLength <9> and CheckSum <10> computed), as QuickFIX's
  ``Session::send`` does.
* receive-read: read an ExecutionReport <8> with a party group from its wire text with the
  FIX44 data dictionary, as the engine does on receipt, then read seven fields through typed
  field objects and the int-tag overload, and the group's entries.

The summary after a timed run gives fixwire.quickfix's median as a multiple of QuickFIX's.
"""

import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import fixwire.quickfix
from benches.conftest import HAVE_QUICKFIX, Benchmark, record_latency

SPEC = Path(os.environ.get("FIXWIRE_QUICKFIX_SPEC", ""))
fixwire.quickfix.use_spec(SPEC)
IMPLS = ["quickfix", "fixwire.quickfix"] if HAVE_QUICKFIX else ["fixwire.quickfix"]


def modules(impl: str) -> tuple[Any, ModuleType]:
    """The QuickFIX module and its quickfix44 of ``impl``."""
    if impl == "quickfix":
        import quickfix

        return quickfix, importlib.import_module("quickfix44")
    from fixwire.quickfix import quickfix44

    return fixwire.quickfix, quickfix44


def record(benchmark: Benchmark, group: str) -> None:
    baseline = f"test_{group}[quickfix]"
    record_latency(benchmark, baseline=None if benchmark.name == baseline else baseline)


def build_send(fix: Any, fix44: Any, seq: int) -> str:
    order = fix44.NewOrderSingle()
    header = order.getHeader()
    header.setField(fix.SenderCompID("CLIENT"))
    header.setField(fix.TargetCompID("BROKER"))
    header.setField(fix.MsgSeqNum(seq))
    header.setField(fix.SendingTime())
    order.setField(fix.ClOrdID("ord-1"))
    order.setField(fix.Side(fix.Side_BUY))
    order.setField(fix.Symbol("KXHIGHNY-25"))
    order.setField(fix.OrderQty(10))
    order.setField(fix.Price(0.55))
    order.setField(fix.OrdType(fix.OrdType_LIMIT))
    order.setField(fix.TimeInForce(fix.TimeInForce_GOOD_TILL_CANCEL))
    order.setField(fix.TransactTime())
    party = fix44.NewOrderSingle.NoPartyIDs()
    for name in ("desk-1", "desk-2"):
        party.setField(fix.PartyID(name))
        party.setField(fix.PartyIDSource("D"))
        party.setField(fix.PartyRole(3))
        order.addGroup(party)
    return str(order.toString())


@pytest.mark.benchmark(group="quickfix-compat-build-send")
@pytest.mark.parametrize("impl", IMPLS)
def test_build_send(benchmark: Benchmark, impl: str) -> None:
    fix, fix44 = modules(impl)
    text = benchmark(build_send, fix, fix44, 7)
    assert "\x0135=D\x01" in text
    assert "\x01453=2\x01448=desk-1\x01447=D\x01452=3\x01" in text
    record(benchmark, "build_send")


REPORT_FIELDS = (
    (37, "O-1"),
    (17, "E-1"),
    (150, "0"),
    (39, "0"),
    (11, "ord-1"),
    (54, "1"),
    (55, "KXHIGHNY-25"),
    (38, "10"),
    (44, "0.55"),
    (151, "10"),
    (14, "0"),
    (6, "0"),
)


def report_text() -> str:
    """An ExecutionReport as QuickFIX writes it (built by QuickFIX's own API, or ours)."""
    fix = fixwire.quickfix
    from fixwire.quickfix import quickfix44

    report = quickfix44.ExecutionReport()
    header = report.getHeader()
    header.setField(49, "BROKER")
    header.setField(56, "CLIENT")
    header.setField(34, "9")
    header.setField(52, "20260102-03:04:05.678")
    for tag, value in REPORT_FIELDS:
        report.setField(tag, value)
    party = quickfix44.ExecutionReport.NoPartyIDs()
    party.setField(fix.PartyID("desk-1"))
    party.setField(fix.PartyIDSource("D"))
    party.setField(fix.PartyRole(3))
    report.addGroup(party)
    return str(report.toString())


def receive_read(fix: Any, fix44: Any, dd: Any, text: str) -> tuple[Any, ...]:
    report = fix.Message(text, dd, False)
    cl_ord_id, status, price, qty = fix.ClOrdID(), fix.OrdStatus(), fix.Price(), fix.LeavesQty()
    report.getField(cl_ord_id)
    report.getField(status)
    report.getField(price)
    report.getField(qty)
    party = fix44.ExecutionReport.NoPartyIDs()
    report.getGroup(1, party)
    return (
        cl_ord_id.getValue(),
        status.getValue(),
        price.getValue(),
        qty.getValue(),
        report.getField(37),
        report.getField(17),
        report.getHeader().getField(34),
        party.getField(448),
    )


@pytest.mark.benchmark(group="quickfix-compat-receive-read")
@pytest.mark.parametrize("impl", IMPLS)
def test_receive_read(benchmark: Benchmark, impl: str) -> None:
    fix, fix44 = modules(impl)
    dd = fix.DataDictionary(str(SPEC / "FIX44.xml"))
    values = benchmark(receive_read, fix, fix44, dd, report_text())
    assert values == ("ord-1", "0", 0.55, 10.0, "O-1", "E-1", "9", "desk-1")
    record(benchmark, "receive_read")
