"""A simulator on TLS loopback and logged-on clients, for the end-to-end Kalshi tests.

Each test starts a :class:`~fixwire.kalshi.sim.Simulator` with a fresh port, registers a
generated key per client, and logs on with :class:`~fixwire.kalshi.KalshiClient`, the
certificate verified and pinned. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fixwire.kalshi import KalshiClient, KalshiConfig, LogonSigner, SessionType
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import Store

T = TypeVar("T")


class Client:
    """A logged-on client whose events are read into a queue as they arrive."""

    def __init__(self, client: KalshiClient) -> None:
        self.client = client
        self.events: asyncio.Queue[object] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.client:
            await self.events.put(event)

    async def next(
        self, kind: type[T], where: Callable[[T], bool] = lambda _: True, timeout: float = 5
    ) -> T:
        """The next event of ``kind`` matching ``where``; others before it are dropped."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                if isinstance(event, kind) and where(event):
                    return event

    async def nothing(self, kind: type[object], wait: float = 0.2) -> None:
        """Fails if an event of ``kind`` arrives within ``wait`` seconds."""
        try:
            async with asyncio.timeout(wait):
                while True:
                    event = await self.events.get()
                    assert not isinstance(event, kind), event
        except TimeoutError:
            pass

    async def close(self) -> None:
        await self.client.close()
        async with asyncio.timeout(5):
            await self._reader


class Venue:
    """A started simulator and a way to log clients on to it."""

    def __init__(
        self, sim: Simulator, certificate: SelfSignedCertificate, signer: LogonSigner
    ) -> None:
        self.sim = sim
        self.certificate = certificate
        self.signer = signer

    def config(
        self, session_type: SessionType, api_key: str | None = None, **options: Any
    ) -> KalshiConfig:
        key = api_key or str(uuid.uuid4())
        self.sim.register(key, self.signer.public_key_pem())
        options.setdefault("rate_limit", None)
        return KalshiConfig(
            api_key=key,
            signer=self.signer,
            session_type=session_type,
            host="127.0.0.1",
            port=self.sim.port,
            **options,
        )

    async def client(
        self,
        session_type: SessionType,
        api_key: str | None = None,
        *,
        store: Store | None = None,
        **options: Any,
    ) -> Client:
        """A client logged on with a new key (or ``api_key``); ``store`` carries its sequence
        numbers from an earlier connection.
        """
        client = await KalshiClient.connect(
            self.config(session_type, api_key, **options),
            store=store,
            ssl=self.certificate.client_context(),
            server_hostname="localhost",
            pin_sha256=self.certificate.sha256,
            logon_timeout=5,
        )
        return Client(client)


@asynccontextmanager
async def venue(
    certificate: SelfSignedCertificate, signer: LogonSigner, markets: list[str], **options: Any
) -> AsyncIterator[Venue]:
    sim = Simulator(markets, **options)
    await sim.start("127.0.0.1", 0, tls=certificate)
    try:
        yield Venue(sim, certificate, signer)
    finally:
        await sim.close()


def run(test: Callable[[], Awaitable[None]], timeout: float = 20) -> None:
    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await test()

    asyncio.run(bounded())
