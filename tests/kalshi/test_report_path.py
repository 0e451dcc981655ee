"""The client's report path, as made fast (docs/kalshi.md, the simulator's speed): a report made
without its ``__init__`` is the same immutable report, the order book reads every field it needs
in one call yet refuses a report without a tag it must have as the report's own properties
would, and the values it remembers never stand for a check not made.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixtext import frame
from fixwire import DecodeError, parse
from fixwire.kalshi import ExecutionReport
from fixwire.kalshi.events import from_message, new_report
from fixwire.kalshi.margin import PRICE_CEILING, MarginExecutionReport, read_event
from fixwire.kalshi.orders import OrderBook

NEW = "35=8|11=c-1|37=o-1|17=1;1|150=0|39=0|54=1|55=MKT|38=10|14=0|151=10|6=0|44=0.55|"


def report(body: str = NEW, *, dollars: bool = True) -> ExecutionReport:
    """``body`` (``|`` for SOH) read as the client reads a report."""
    event = from_message(parse(frame(body)), dollars)
    assert isinstance(event, ExecutionReport)
    return event


def without(tag: int, body: str = NEW) -> str:
    """``body`` without its field ``tag``."""
    return "".join(f"{f}|" for f in body.split("|") if f and not f.startswith(f"{tag}="))


def test_a_report_made_without_init_is_the_same_immutable_report() -> None:
    msg = parse(frame(NEW))
    made = from_message(msg, False)
    assert type(made) is ExecutionReport
    assert made == ExecutionReport(msg, False)
    assert (made.message, made.price) == (msg, Decimal("0.0055"))  # Cents: UseDollars off.
    with pytest.raises(AttributeError, match="immutable"):
        made.message = msg
    margin = read_event(msg, False)
    assert type(margin) is MarginExecutionReport
    assert (
        margin == new_report(MarginExecutionReport, msg, True) == MarginExecutionReport(msg, True)
    )
    assert (margin.side, margin.price) == ("bid", Decimal("0.55"))  # Dollars always on margin.


@pytest.mark.parametrize("tag", [11, 150, 39, 54, 37])
def test_a_report_without_a_tag_it_must_have_is_refused_and_not_applied(tag: int) -> None:
    book = OrderBook(100)
    with pytest.raises(KeyError) as missing:
        book.apply(report(without(tag)))
    assert missing.value.args == (tag,)
    assert book.orders == {}
    assert book.by_id == {}


def test_a_report_is_checked_whatever_the_book_has_seen_before() -> None:
    """The same texts that passed once pass again; a report that differs in any value the
    checks read (the status, a quantity, the side, the trade's LastPx) is checked afresh.
    """
    book = OrderBook(100)
    assert book.apply(report()) is None
    assert book.apply(report()) is None
    assert book.orders["c-1"].leaves == 10
    # A pending report need not add up (spec 7.5); the same decimals on a New must.
    short = NEW.replace("14=0", "14=4").replace("151=10", "151=4")
    pending = short.replace("39=0", "39=A").replace("150=0", "150=A")
    assert book.apply(report(pending)) is None
    assert book.apply(report(short)) == "CumQty <14> 4 + LeavesQty <151> 4 is not OrderQty <38> 10"
    assert book.apply(report(NEW.replace("54=1", "54=3"))) == "Side <54> '3' is neither 1 nor 2"
    assert book.apply(report(NEW.replace("151=10", "151=-10"))) is not None
    assert book.apply(report(NEW.replace("|6=0|", "|6=2|"))) == (
        "AvgPx <6> 2 is not between 0 and 1 dollar"
    )
    # A trade's LastPx <31> is read on every trade, never taken as checked.
    fill = NEW.replace("39=0", "39=1").replace("150=0", "150=F")
    fill = fill.replace("14=0", "14=4").replace("151=10", "151=6")
    assert book.apply(report(fill + "31=0.55|32=4|")) is None
    assert book.apply(report(fill + "31=1.55|32=4|")) == (
        "LastPx <31> 1.55 of a trade is not between 0 and 1 dollar"
    )
    assert book.orders["c-1"].filled == 4


def test_a_price_text_is_checked_by_the_books_ceiling_and_the_reports_units() -> None:
    """``55`` is 0.55 dollar in cents and 55 dollars with UseDollars: one book, two answers;
    and on margin (no ceiling) the same dollars pass.
    """
    book = OrderBook(100)
    cents = NEW.replace("44=0.55", "44=55")
    assert book.apply(report(cents, dollars=False)) is None
    assert book.orders["c-1"].price == Decimal("0.55")
    assert book.apply(report(cents.replace("c-1", "c-2"))) == (
        "Price <44> 55 is not between 0 and 1 dollar"
    )
    margin = OrderBook(100, ceiling=PRICE_CEILING)
    assert margin.apply(report(cents.replace("c-1", "c-2"))) is None


def test_the_checked_texts_remembered_are_bounded() -> None:
    """However many different reports come, at most a bounded number of them are remembered,
    and none whose texts are long.
    """
    book = OrderBook(10)
    for n in range(1, 1500):
        body = NEW.replace("38=10", f"38={n}").replace("151=10", f"151={n}")
        assert book.apply(report(body.replace("c-1", f"c-{n}"))) is None
    long_qty = "1" + "0" * 30
    body = NEW.replace("38=10", f"38={long_qty}").replace("151=10", f"151={long_qty}")
    assert book.apply(report(body)) is None
    remembered = book._checked[True]
    assert 0 < len(remembered) <= 1024
    assert all(len(text or "") <= 16 for texts in remembered for text in texts)


def with_bytes(tag: int, value: bytes, body: str = NEW) -> ExecutionReport:
    """``body`` with field ``tag`` set to ``value`` (added when absent), read as the client does."""
    fields = [f for f in without(tag, body).split("|") if f]
    raw = b"".join(f.encode() + b"\x01" for f in fields) + b"%d=" % tag + value + b"\x01"
    event = from_message(parse(frame(raw)), True)
    assert isinstance(event, ExecutionReport)
    return event


@pytest.mark.parametrize("tag", [11, 150, 37, 58, 41, 39, 54, 38, 44, 14, 151, 6])
def test_a_report_with_a_field_the_book_reads_not_utf8_is_refused_whole(tag: int) -> None:
    # OrigClOrdID <41> on a New, which the book does not use there, included: the fields are
    # read in one call, before anything is decided.
    book = OrderBook(100)
    with pytest.raises(DecodeError, match=f"tag {tag}"):
        book.apply(with_bytes(tag, b"\xff"))
    assert book.orders == {}
    assert book.by_id == {}


def test_a_replace_with_an_orig_cl_ord_id_not_utf8_leaves_the_book_as_it_was() -> None:
    book = OrderBook(100)
    assert book.apply(report()) is None
    before = dict(book.orders)
    replaced = NEW.replace("11=c-1", "11=c-2").replace("150=0", "150=5").replace("39=0", "39=5")
    with pytest.raises(DecodeError, match="tag 41"):
        book.apply(with_bytes(41, b"c-\xff", replaced))
    assert book.orders == before  # No c-2, and c-1 still open.
    assert book.orders["c-1"].status == "new"
