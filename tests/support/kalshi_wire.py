"""A Kalshi gateway played from a script, for the tests of what the client does with answers the
simulator never gives (values that break the venue's invariants, refusals of a Logon).

The test reads what the client sends and writes the gateway's messages as exact bytes over TLS
on loopback, with the certificate pinned; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import fixwire
from fixwire.kalshi import KalshiClient, KalshiConfig, LogonSigner, SessionType
from fixwire.kalshi.signing import generate_key
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session.config import FieldValue

API_KEY = "00000000-0000-4000-8000-0000000000aa"


class Peer:
    """The gateway's side of one connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._framer = fixwire.Framer()
        self._pending: list[fixwire.Message] = []
        self._encoder: fixwire.Encoder | None = None
        self._seq = itertools.count(1)

    async def receive(self, timeout: float = 5) -> fixwire.Message:
        """The next message the client sent."""
        async with asyncio.timeout(timeout):
            while not self._pending:
                chunk = await self._reader.read(65536)
                if not chunk:
                    raise EOFError("the client closed the connection")
                self._pending.extend(self._framer.feed(chunk))
        return self._pending.pop(0)

    async def receive_type(self, msg_type: str) -> fixwire.Message:
        """The next message of ``msg_type`` the client sent; others before it are dropped."""
        while True:
            message = await self.receive()
            if message.msg_type == msg_type:
                return message

    def send(self, msg_type: str, fields: Sequence[tuple[int, FieldValue]]) -> int:
        """Writes one message, numbered in sequence; returns its MsgSeqNum <34>."""
        assert self._encoder is not None, "receive the client's Logon first"
        seq = next(self._seq)
        self._writer.write(self._encoder.encode(msg_type, list(fields), seq_num=seq))
        return seq

    async def logon(self, *, accept: bool = True) -> fixwire.Message:
        """Reads the client's Logon <A> and, with ``accept``, answers it with a Logon."""
        logon = await self.receive()
        assert logon.msg_type == "A", logon
        self._encoder = fixwire.Encoder(logon[56], logon[49], begin_string="FIXT.1.1")
        if accept:
            self.send("A", [(98, 0), (108, logon[108]), (141, True), (1137, "9")])
        return logon

    async def close(self) -> None:
        self._writer.close()
        try:
            async with asyncio.timeout(5):
                await self._writer.wait_closed()
        except (ConnectionError, TimeoutError):
            pass


class Gateway:
    """A TLS acceptor handing each connection to the test as a :class:`Peer`."""

    def __init__(self, certificate: SelfSignedCertificate, signer: LogonSigner) -> None:
        self.certificate = certificate
        self.signer = signer
        self.peers: asyncio.Queue[Peer] = asyncio.Queue()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self.peers.put(Peer(reader, writer))

        self._server = await asyncio.start_server(
            accepted, "127.0.0.1", 0, ssl=self.certificate.server_context()
        )

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def peer(self, timeout: float = 5) -> Peer:
        """The next connection."""
        async with asyncio.timeout(timeout):
            return await self.peers.get()

    def config(self, **options: Any) -> KalshiConfig:
        options.setdefault("rate_limit", None)
        options.setdefault("session_type", SessionType.NR)
        return KalshiConfig(
            api_key=API_KEY, signer=self.signer, host="127.0.0.1", port=self.port, **options
        )

    @asynccontextmanager
    async def connect(self, **options: Any) -> AsyncIterator[tuple[KalshiClient, Peer]]:
        """A client logged on to this gateway, and the gateway's side of its connection; both
        are closed after.
        """
        pending = asyncio.create_task(
            KalshiClient.connect(
                self.config(**options),
                ssl=self.certificate.client_context(),
                server_hostname="localhost",
                pin_sha256=self.certificate.sha256,
                logon_timeout=5,
            )
        )
        peer = await self.peer()
        await peer.logon()
        async with asyncio.timeout(5):
            client = await pending
        try:
            yield client, peer
        finally:
            await peer.close()
            await client.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@functools.cache
def credentials() -> tuple[SelfSignedCertificate, LogonSigner]:
    """One certificate and one Logon key for every scripted gateway of the test run."""
    return SelfSignedCertificate.generate(), LogonSigner(generate_key())


@asynccontextmanager
async def gateway() -> AsyncIterator[Gateway]:
    """A started :class:`Gateway`, closed after."""
    served = Gateway(*credentials())
    await served.start()
    try:
        yield served
    finally:
        await served.close()
