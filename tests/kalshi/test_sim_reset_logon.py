"""A reset Logon <A> (ResetSeqNumFlag <141>=Y, MsgSeqNum 1) in an established session is
checked by the simulator as the first Logon is (signature, listener rules, HeartBtInt) and its
flags apply once it is taken. Raw signed FIX over TLS loopback: a fixwire client does not send
a reset Logon in session.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from decimal import Decimal

from fixwire import Encoder, Framer, Message, parse
from fixwire.kalshi import LogonSigner, SessionType
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session.config import FieldValue
from kalshi_venue import Venue, run, venue

MARKET = "RESET-MKT"
#: ListenerSession <20126>, SkipPendingExecReports <21011>.
LISTENER = 20126
SKIP_PENDING = 21011


class RawSession:
    """One KalshiNR connection written and read by hand, its Logons signed by ``signer``."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, api_key: str
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._api_key = api_key
        self._encoder = Encoder(api_key, "KalshiNR", begin_string="FIXT.1.1")
        self._framer = Framer()
        self._read: list[Message] = []

    @classmethod
    async def open(cls, v: Venue) -> RawSession:
        api_key = v.config(SessionType.NR).api_key
        reader, writer = await asyncio.open_connection(
            "127.0.0.1",
            v.sim.port,
            ssl=v.certificate.client_context(),
            server_hostname="localhost",
        )
        return cls(reader, writer, api_key)

    def send(self, msg_type: str, seq_num: int, fields: list[tuple[int, FieldValue]]) -> None:
        self._writer.write(
            self._encoder.encode(msg_type, fields, seq_num=seq_num, sending_time=time.time())
        )

    def logon(
        self,
        signer: LogonSigner,
        flags: Sequence[tuple[int, FieldValue]],
        *,
        heartbeat: int = 30,
        signed_for: str = "KalshiNR",
    ) -> None:
        """Sends a Logon <A> with 141=Y and MsgSeqNum 1, signed over its header as if it went
        to ``signed_for``.
        """
        now = time.time()
        sending_time = parse(self._encoder.encode("0", [], seq_num=1, sending_time=now))[52]
        body: list[tuple[int, FieldValue]] = [
            (98, 0),
            (108, heartbeat),
            (141, True),
            (96, signer.sign(sending_time, 1, self._api_key, signed_for)),
            (1137, "9"),
            *flags,
        ]
        self._writer.write(self._encoder.encode("A", body, seq_num=1, sending_time=now))

    async def next(self) -> Message | None:
        """The next message from the venue, or ``None`` once it closed the connection."""
        async with asyncio.timeout(5):
            while not self._read:
                chunk = await self._reader.read(65536)
                if not chunk:
                    return None
                self._read.extend(self._framer.feed(chunk))
        return self._read.pop(0)

    async def next_of(self, msg_type: str) -> Message:
        """The next message of ``msg_type`` (heartbeats and the like passed over)."""
        while (msg := await self.next()) is not None:
            if msg.msg_type == msg_type:
                return msg
        raise AssertionError(f"the connection closed before a {msg_type} came")

    async def closed(self) -> bool:
        """Whether the venue closes the connection with nothing more said."""
        return await self.next() is None

    def close(self) -> None:
        self._writer.close()


def test_a_reset_logon_applies_its_flags_and_one_badly_signed_is_refused(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            raw = await RawSession.open(v)
            raw.logon(signer, [(SKIP_PENDING, True)])
            assert (await raw.next_of("A")).get_bool(141) is True
            # The same session, reset as a listener: it takes the Logon and its flags.
            raw.logon(signer, [(SKIP_PENDING, True), (LISTENER, True)])
            answer = await raw.next_of("A")
            assert (answer.seq_num, answer.get_bool(141)) == (1, True)
            order: list[tuple[int, FieldValue]] = [(11, "after-reset"), (38, 1), (40, "2")]
            raw.send("D", 2, [*order, (44, Decimal("0.40")), (54, "1"), (55, MARKET)])
            reject = await raw.next_of("j")
            assert (reject.get_int(45), reject.get_int(380)) == (2, 6)
            assert reject[58] == "listener sessions cannot trade"
            # A reset whose signature covers another session's header is refused.
            raw.logon(signer, [(SKIP_PENDING, True)], signed_for="KalshiRT")
            logout = await raw.next_of("5")
            assert logout[58] == "signature verification failed"
            assert await raw.closed()
            raw.close()

    run(main)


def test_a_reset_logon_breaking_the_logon_rules_is_refused(
    certificate: SelfSignedCertificate, signer: LogonSigner
) -> None:
    """A listener without SkipPendingExecReports <21011>=Y, and a HeartBtInt <108> under the
    gateway's floor, are refused on a reset as on the first Logon.
    """

    async def main() -> None:
        async with venue(certificate, signer, [MARKET]) as v:
            floor = v.sim.gateway.min_heartbeat_interval
            for flags, heartbeat, text in (
                ([(LISTENER, True)], 30, "invalid listener session"),
                ([], floor - 1, f"HeartBtInt must be greater than {floor - 1}"),
            ):
                raw = await RawSession.open(v)
                raw.logon(signer, [])
                await raw.next_of("A")
                raw.logon(signer, flags, heartbeat=heartbeat)
                logout = await raw.next_of("5")
                assert logout[58] == text
                assert await raw.closed()
                raw.close()

    run(main)
