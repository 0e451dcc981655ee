"""The simulator loses nothing and sends each session only what is its own (issue 15): an
execution while its owner is logged out comes back by KalshiRT resend and by KalshiDC replay;
KalshiDC gets ExecutionReports only when it asks (spec sections 1, 3 and 10); and it refuses
what the venue refuses as the venue does (a ClOrdID <11> over 64 characters, section 6.4; an
empty value and a stale Logon, sections 8 and 4). End to end over TLS loopback, with the Kalshi
client or raw FIX.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fixtext import frame
from fixwire import Encoder, Framer, Message, parse
from fixwire.kalshi import (
    EventResendComplete,
    EventResendReject,
    ExecutionReport,
    LogonSigner,
    RateLimit,
    SessionType,
)
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import MemoryStore, RejectReceived
from fixwire.session.config import FieldValue
from kalshi_venue import run, venue

MARKET = "RECOVER-MKT"


def test_a_fill_while_logged_out_is_resent_on_the_next_rt_logon(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            store = MemoryStore()  # The client's sequence numbers, kept across its logons.
            options: dict[str, Any] = {"reset_seq_num": False, "skip_pending_exec_reports": True}
            first = await v.client(SessionType.RT, store=store, **options)
            api_key = first.client.config.api_key
            order = first.client.new_order(MARKET, "yes", 3, Decimal("0.40"))
            await first.next(ExecutionReport, lambda e: e.cl_ord_id == order)
            await first.close()
            v.sim.trade_against(MARKET, "no", 3, Decimal("0.40"))
            again = await v.client(SessionType.RT, api_key, store=store, **options)
            fill = await again.next(ExecutionReport, lambda e: e.exec_type == "F")
            assert (fill.cl_ord_id, fill.last_qty) == (order, Decimal(3))
            assert fill.message.get_bool(43) is True  # Resent: PossDupFlag <43>=Y.
            assert again.client.orders[order].status == "filled"
            await again.close()

    run(main)


def test_drop_copy_replays_a_fill_its_owner_missed_and_sends_nothing_unasked(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            trader = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            api_key = trader.client.config.api_key
            # Both sessions of one key at once: a KalshiDC does not displace the KalshiNR.
            dc = await v.client(SessionType.DC, api_key)
            order = trader.client.new_order(MARKET, "yes", 2, Decimal("0.30"))
            ack = await trader.next(ExecutionReport, lambda e: e.cl_ord_id == order)
            v.sim.trade_against(MARKET, "no", 1, Decimal("0.30"))
            live = await trader.next(ExecutionReport, lambda e: e.exec_type == "F")
            await dc.nothing(ExecutionReport)  # Drop copy is request/response only.
            await trader.close()
            v.sim.trade_against(MARKET, "no", 1, Decimal("0.30"))  # Its owner is gone.
            request = dc.client.replay_executions(ack.exec_id)
            replayed = [await dc.next(ExecutionReport) for _ in range(3)]
            complete = await dc.next(EventResendComplete)
            assert (complete.ref_seq_num, complete.count) == (request, 3)
            assert replayed[0].exec_id == ack.exec_id
            assert replayed[1].exec_id == live.exec_id
            missed = replayed[2]
            assert (missed.cl_ord_id, missed.exec_type, missed.cum_qty) == (order, "F", Decimal(2))
            await dc.close()

    run(main)


def _new_order(cl_ord_id: str) -> list[tuple[int, FieldValue]]:
    """A NewOrderSingle <D> in dollars, as written past the client's own checks."""
    return [(11, cl_ord_id), (38, 1), (40, "2"), (44, Decimal("0.40")), (54, "1"), (55, MARKET)]


def test_a_cl_ord_id_over_64_characters_is_refused_with_a_reject(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            too_long = "x" * 65
            seq_num = c.client.connection.send("D", _new_order(too_long))
            reject = await c.next(RejectReceived)
            assert (reject.ref_seq_num, reject.ref_msg_type) == (seq_num, "D")
            assert (reject.reason, reject.ref_tag_id) == (5, 11)
            assert v.sim.engine.open_orders(c.client.config.api_key) == []
            longest = "y" * 64
            c.client.connection.send("D", _new_order(longest))
            accepted = await c.next(ExecutionReport)
            assert (accepted.cl_ord_id, accepted.exec_type) == (longest, "0")
            await c.close()

    run(main)


def test_a_logon_with_a_stale_sending_time_gets_reject_373_10_then_logout(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Raw FIX over TLS: a signed Logon <A> whose SendingTime <52> is an hour old."""

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            api_key = v.config(SessionType.NR).api_key
            reader, writer = await asyncio.open_connection(
                "127.0.0.1",
                v.sim.port,
                ssl=certificate.client_context(),
                server_hostname="localhost",
            )
            encoder = Encoder(api_key, "KalshiNR", begin_string="FIXT.1.1")
            stale = time.time() - 3600
            sending_time = parse(encoder.encode("0", [], seq_num=1, sending_time=stale))[52]
            body: list[tuple[int, FieldValue]] = [
                (98, 0),
                (108, 30),
                (141, True),
                (96, signer.sign(sending_time, 1, api_key, "KalshiNR")),
                (1137, "9"),
            ]
            writer.write(encoder.encode("A", body, seq_num=1, sending_time=stale))
            framer = Framer()
            answers: list[Message] = []
            async with asyncio.timeout(5):
                while chunk := await reader.read(65536):
                    answers.extend(framer.feed(chunk))
            writer.close()
            assert [m.msg_type for m in answers] == ["3", "5"]
            reject, logout = answers
            assert (reject.get_int(45), reject[372], reject.get_int(373)) == (1, "A", 10)
            assert (reject.seq_num, logout.seq_num) == (1, 2)
            assert logout[58] == "SendingTime accuracy problem"

    run(main)


def test_an_empty_value_gets_reject_373_4(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """Raw FIX in a logged-on session: a NewOrderSingle <D> with ClOrdID <11> empty."""

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            c = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            api_key = c.client.config.api_key
            store = c.client.connection.session.store
            seq_num = store.next_sender_seq
            now = datetime.now(UTC).strftime("%Y%m%d-%H:%M:%S.%f")[:-3]
            transport = c.client.connection._transport
            assert transport is not None
            transport.write(
                frame(
                    f"35=D|49={api_key}|56=KalshiNR|34={seq_num}|52={now}|"
                    f"11=|38=1|40=2|44=0.40|54=1|55={MARKET}|"
                )
            )
            store.set_next_sender_seq(seq_num + 1)  # Written past the client's session.
            reject = await c.next(RejectReceived)
            assert (reject.ref_seq_num, reject.reason, reject.ref_tag_id) == (seq_num, 4, 11)
            assert v.sim.engine.open_orders(api_key) == []
            await c.close()

    run(main)


def test_drop_copy_refuses_too_many_requests_and_server_errors(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """EventResendReject <U3> 21004=1 (too many requests) past the key's replay budget, and
    21004=2 (server error) when the simulator is told to fail (spec section 10).
    """

    async def main() -> None:
        # Two replays in the bucket, refilled too slowly to matter within the test.
        budget = RateLimit(tokens_per_second=0.001, burst_seconds=2000.0, cost=1.0)
        async with venue(certificate, signer, [MARKET], drop_copy_rate_limit=budget) as v:
            trading = await v.client(SessionType.NR, skip_pending_exec_reports=True)
            key = trading.client.config.api_key
            order = trading.client.new_order(MARKET, "yes", 1, Decimal("0.40"))
            new = await trading.next(ExecutionReport, lambda e: e.cl_ord_id == order)
            dc = await v.client(SessionType.DC, key)
            v.sim.drop_copy_server_error()
            failed = dc.client.replay_executions(new.exec_id)
            error = await dc.next(EventResendReject)
            assert (error.ref_seq_num, error.reason) == (failed, 2)
            first = dc.client.replay_executions(new.exec_id)
            assert (await dc.next(ExecutionReport)).exec_id == new.exec_id
            assert (await dc.next(EventResendComplete)).ref_seq_num == first
            third = dc.client.replay_executions(new.exec_id)
            refused = await dc.next(EventResendReject)
            assert (refused.ref_seq_num, refused.reason) == (third, 1)
            await dc.close()
            await trading.close()

    run(main)


def test_a_resend_request_older_than_the_resend_window_gets_a_reject(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """KalshiRT keeps what it sent for 24 hours, or MessageRetentionPeriod <20200> hours:
    a ResendRequest <2> whose BeginSeqNo <7> is older gets Reject <3> 371=7 373=5 (spec
    section 3), after what is past the window is gap-filled and the rest resent, so the
    client's numbers move on.
    """
    now = [time.time()]

    async def ask_a_day_later(retention: int | None) -> tuple[list[RejectReceived], list[str]]:
        """A KalshiRT client that, 25 hours after its order's acknowledgement, asks for
        everything from it again; returns the Rejects it got and the ExecTypes <150> of the
        reports that came, up to the fill sent while it was away.
        """
        async with venue(certificate, signer, [MARKET], clock=lambda: now[0]) as v:
            store = MemoryStore()
            options: dict[str, Any] = {
                "reset_seq_num": False,
                "skip_pending_exec_reports": True,
                "message_retention_hours": retention,
            }
            first = await v.client(SessionType.RT, store=store, **options)
            key = first.client.config.api_key
            order = first.client.new_order(MARKET, "yes", 2, Decimal("0.40"))
            ack = await first.next(ExecutionReport, lambda e: e.cl_ord_id == order)
            await first.close()
            now[0] += 25 * 3600.0
            v.sim.trade_against(MARKET, "no", 1, Decimal("0.40"))
            # The client's record of what it received goes back to the day-old report.
            store.set_next_target_seq(ack.message.seq_num)
            again = await v.client(SessionType.RT, key, store=store, **options)
            rejects: list[RejectReceived] = []
            reports: list[str] = []
            # The Reject is numbered after what is resent: read until the fill, then until
            # nothing more comes for a moment.
            while True:
                try:
                    async with asyncio.timeout(5 if "F" not in reports else 0.3):
                        event = await again.events.get()
                except TimeoutError:
                    break
                if isinstance(event, RejectReceived):
                    rejects.append(event)
                elif isinstance(event, ExecutionReport):
                    reports.append(event.exec_type)
            await again.close()
            return rejects, reports

    async def main() -> None:
        rejects, reports = await ask_a_day_later(None)
        assert [(r.ref_tag_id, r.reason, r.ref_msg_type) for r in rejects] == [(7, 5, "2")]
        assert "older than the resend window (24 hours)" in (rejects[0].text or "")
        assert reports == ["F"]  # The acknowledgement was gap-filled, the fill resent.
        rejects, reports = await ask_a_day_later(72)
        assert rejects == []
        assert reports == ["0", "F"]

    run(main, timeout=30)
