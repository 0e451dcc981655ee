"""Group "encode": build the ~250-byte NewOrderSingle <35=D> from typed Python values.

Every implementation starts from the same :class:`~benches.conftest.NewOrderSingle` (``str``,
``int``, ``Decimal``, ``bool`` values), a fixed MsgSeqNum <34> and a fixed ``datetime`` for
SendingTime <52>, and must return exactly the bytes framed in pure Python by ``conftest.py``,
BodyLength <9> and CheckSum <10> included. Budget (``shared/design.md``): fixwire <= 1 us;
quickfix and simplefix about 25 us.

* fixwire: ``Encoder.encode`` with the typed values.
* fixwire-template: ``Encoder.encode_template`` with the same values in a ``Template`` whose
  slots carry a venue's rules (ClOrdID charset and length, quantity and price bands and
  places, enumerations), so every value is also checked: what ``KalshiClient.new_order`` does.
* simplefix: ``FixMessage.append_pair`` per field (``append_utc_timestamp`` for SendingTime),
  then ``encode()``.
* quickfix: ``FieldMap.setField(tag, text)`` per field, then ``toString()``. quickfix writes
  the standard header in its own order, so its output is compared field by field.
* fstring: the fastest honest pure Python: one f-string, then BodyLength and ``sum() % 256``.
"""

from collections.abc import Callable
from datetime import datetime

import pytest
import simplefix

import fixwire
from benches.conftest import (
    API_KEY,
    HAVE_QUICKFIX,
    KALSHI_NR,
    ORDER,
    SENDING_TIME,
    SEQ_NUM,
    SOH,
    Benchmark,
    NewOrderSingle,
)

Writer = Callable[[NewOrderSingle], bytes]


def fixwire_writer() -> Writer:
    """Return fixwire's encode function, with one long-lived Encoder."""
    encoder = fixwire.Encoder(API_KEY, KALSHI_NR)

    def write(o: NewOrderSingle) -> bytes:
        return encoder.encode(
            "D",
            [
                (11, o.cl_ord_id),
                (38, o.order_qty),
                (40, o.ord_type),
                (44, o.price),
                (54, o.side),
                (55, o.symbol),
                (59, o.time_in_force),
                (526, o.order_group_id),
                (2964, o.self_trade_prevention),
                (21006, o.cancel_on_pause),
            ],
            seq_num=SEQ_NUM,
            sending_time=SENDING_TIME,
        )

    return write


def simplefix_writer() -> Writer:
    """Return simplefix's encode function: a new FixMessage per order, as simplefix intends."""

    def write(o: NewOrderSingle) -> bytes:
        msg = simplefix.FixMessage()
        msg.append_pair(8, "FIXT.1.1", header=True)
        msg.append_pair(35, "D", header=True)
        msg.append_pair(49, API_KEY, header=True)
        msg.append_pair(56, KALSHI_NR, header=True)
        msg.append_pair(34, SEQ_NUM, header=True)
        msg.append_utc_timestamp(52, SENDING_TIME, precision=3, header=True)
        msg.append_pair(11, o.cl_ord_id)
        msg.append_pair(38, o.order_qty)
        msg.append_pair(40, o.ord_type)
        msg.append_pair(44, o.price)
        msg.append_pair(54, o.side)
        msg.append_pair(55, o.symbol)
        msg.append_pair(59, o.time_in_force)
        msg.append_pair(526, o.order_group_id)
        msg.append_pair(2964, o.self_trade_prevention)
        msg.append_pair(21006, "Y" if o.cancel_on_pause else "N")
        encoded: bytes = msg.encode()
        return encoded

    return write


def quickfix_writer() -> Writer:
    """Return quickfix's encode function: a new Message per order, values set as text."""
    import quickfix

    def write(o: NewOrderSingle) -> bytes:
        msg = quickfix.Message()
        head = msg.getHeader()
        head.setField(8, "FIXT.1.1")
        head.setField(35, "D")
        head.setField(49, API_KEY)
        head.setField(56, KALSHI_NR)
        head.setField(34, str(SEQ_NUM))
        head.setField(52, utc_timestamp_ms(SENDING_TIME))
        msg.setField(11, o.cl_ord_id)
        msg.setField(38, str(o.order_qty))
        msg.setField(40, o.ord_type)
        msg.setField(44, f"{o.price:f}")
        msg.setField(54, o.side)
        msg.setField(55, o.symbol)
        msg.setField(59, o.time_in_force)
        msg.setField(526, o.order_group_id)
        msg.setField(2964, str(o.self_trade_prevention))
        msg.setField(21006, "Y" if o.cancel_on_pause else "N")
        text: str = msg.toString()
        return text.encode()

    return write


def fixwire_template_writer() -> Writer:
    """Return fixwire's template encode function: the order's layout and rules made once."""
    encoder = fixwire.Encoder(API_KEY, KALSHI_NR)
    ids = fixwire.Rule.text(charset="0123456789abcdef-", max_length=64)
    template = fixwire.Template(
        "D",
        [
            (11, ids),
            (38, fixwire.Rule.decimal(gt=0, places=2)),
            (40, fixwire.Rule.choice(["1", "2"])),
            (44, fixwire.Rule.decimal(gt=0, lt=1, places=4)),
            (54, fixwire.Rule.choice(["1", "2"])),
            (55, fixwire.Rule.text(max_length=64)),
            (59, fixwire.Rule.choice(["0", "1", "3", "4", "6"])),
            (526, ids),
            (2964, fixwire.Rule.choice([1, 2])),
            (21006, fixwire.Rule.boolean()),
        ],
    )

    def write(o: NewOrderSingle) -> bytes:
        return encoder.encode_template(
            template,
            (
                o.cl_ord_id,
                o.order_qty,
                o.ord_type,
                o.price,
                o.side,
                o.symbol,
                o.time_in_force,
                o.order_group_id,
                o.self_trade_prevention,
                o.cancel_on_pause,
            ),
            seq_num=SEQ_NUM,
            sending_time=SENDING_TIME,
        )

    return write


def utc_timestamp_ms(t: datetime) -> str:
    """Format ``t`` as a UTCTimestamp with milliseconds: ``20260820-14:30:05.123``."""
    return f"{t:%Y%m%d-%H:%M:%S}.{t.microsecond // 1000:03d}"


def fstring_writer() -> Writer:
    """Return the pure-Python reference: one f-string, then BodyLength and CheckSum."""

    def write(o: NewOrderSingle) -> bytes:
        body = (
            f"35=D\x0149={API_KEY}\x0156={KALSHI_NR}\x0134={SEQ_NUM}\x01"
            f"52={utc_timestamp_ms(SENDING_TIME)}\x0111={o.cl_ord_id}\x0138={o.order_qty}\x01"
            f"40={o.ord_type}\x0144={o.price:f}\x0154={o.side}\x0155={o.symbol}\x01"
            f"59={o.time_in_force}\x01526={o.order_group_id}\x01"
            f"2964={o.self_trade_prevention}\x0121006={'Y' if o.cancel_on_pause else 'N'}\x01"
        ).encode()
        head = b"8=FIXT.1.1\x019=%d\x01%s" % (len(body), body)
        return head + b"10=%03d\x01" % (sum(head) % 256)

    return write


WRITERS: dict[str, Callable[[], Writer]] = {
    "fixwire": fixwire_writer,
    "fixwire-template": fixwire_template_writer,
    "simplefix": simplefix_writer,
    "fstring": fstring_writer,
}
if HAVE_QUICKFIX:
    WRITERS["quickfix"] = quickfix_writer


def fields(data: bytes) -> list[bytes]:
    """Return the ``tag=value`` fields of ``data`` in wire order."""
    return data.split(SOH)[:-1]


@pytest.mark.benchmark(group="encode")
@pytest.mark.parametrize("impl", list(WRITERS))
def test_encode(benchmark: Benchmark, new_order_single: bytes, impl: str) -> None:
    """Encode the order; the bytes must be the ones framed in pure Python."""
    write = WRITERS[impl]()
    encoded = benchmark(write, ORDER)
    if impl == "quickfix":
        # Same fields, lengths and CheckSum; quickfix sorts 34/49/52/56 in its header.
        assert sorted(fields(encoded)) == sorted(fields(new_order_single))
        assert fields(encoded)[:3] == fields(new_order_single)[:3]
        assert encoded.endswith(fields(new_order_single)[-1] + SOH)
    else:
        assert encoded == new_order_single
