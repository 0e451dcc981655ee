"""A simulator on TLS loopback and logged-on clients, for the end-to-end Kalshi tests.

Each test starts a :class:`~fixwire.kalshi.sim.Simulator` with a fresh port, registers a
generated key per client, and logs on with :class:`~fixwire.kalshi.KalshiClient`, the
certificate verified and pinned. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest

from fixwire.kalshi import (
    BusinessMessageReject,
    ExecutionReport,
    KalshiClient,
    KalshiConfig,
    LogonRefusedError,
    LogonSigner,
    SessionType,
)
from fixwire.kalshi.sim import Simulator
from fixwire.kalshi.tls import SelfSignedCertificate
from fixwire.session import LogonContext, SessionConfig, Store
from fixwire.session.config import FieldValue

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

    async def report(self, cl_ord_id: str, exec_type: str) -> ExecutionReport:
        """The next ExecutionReport <8> of ``cl_ord_id`` with ExecType <150> ``exec_type``."""
        return await self.next(
            ExecutionReport, lambda e: e.cl_ord_id == cl_ord_id and e.exec_type == exec_type
        )

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
        if api_key is None or not self.sim.registered(key):
            self.sim.register(key, self.signer.public_key_pem())
        options.setdefault("rate_limit", None)
        options.setdefault("gateway", self.sim.gateway)
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
        return await self.connect(self.config(session_type, api_key, **options), store=store)

    async def connect(self, config: KalshiConfig, *, store: Store | None = None) -> Client:
        """A client logged on with ``config`` (from :meth:`config`, perhaps changed)."""
        client = await KalshiClient.connect(
            config,
            store=store,
            ssl=self.certificate.client_context(),
            server_hostname="localhost",
            pin_sha256=self.certificate.sha256,
            logon_timeout=5,
        )
        return Client(client)


@asynccontextmanager
async def venue(
    certificate: SelfSignedCertificate,
    signer: LogonSigner,
    markets: list[str],
    *,
    simulator: type[Simulator] = Simulator,
    **options: Any,
) -> AsyncIterator[Venue]:
    """A started ``simulator`` (the Predictions gateway's, or ``MarginSimulator``) listing
    ``markets``; clients of :meth:`Venue.client` log on to its gateway.
    """
    sim = simulator(markets, **options)
    await sim.start("127.0.0.1", 0, tls=certificate)
    try:
        yield Venue(sim, certificate, signer)
    finally:
        await sim.close()


async def refused_logon(
    v: Venue,
    session_type: SessionType,
    change: Callable[[SessionConfig], SessionConfig] = lambda config: config,
    **options: Any,
) -> LogonRefusedError:
    """The venue's refusal of a Logon that the client's own configuration would not write
    (``change`` makes it from the one :meth:`Venue.config` with ``options`` gives).
    """

    class Changed(KalshiClient):
        @staticmethod
        def session_config(config: KalshiConfig) -> SessionConfig:
            return change(KalshiClient.session_config(config))

    with pytest.raises(LogonRefusedError) as refusal:
        await Changed.connect(
            v.config(session_type, **options),
            ssl=v.certificate.client_context(),
            server_hostname="localhost",
            logon_timeout=5,
        )
    return refusal.value


def more_flags(*flags: tuple[int, FieldValue]) -> Callable[[SessionConfig], SessionConfig]:
    """A change that adds Logon flags."""

    def change(config: SessionConfig) -> SessionConfig:
        logon_fields = config.logon_fields
        assert logon_fields is not None

        def fields(context: LogonContext) -> list[tuple[int, FieldValue]]:
            return [*logon_fields(context), *flags]

        return dataclasses.replace(config, logon_fields=fields)

    return change


async def business_reject(c: Client, msg_type: str, fields: list[tuple[int, FieldValue]]) -> int:
    """Sends a raw message; returns the BusinessRejectReason <380> of the answer."""
    seq_num = c.client.connection.send(msg_type, fields)
    reject = await c.next(BusinessMessageReject, lambda e: e.ref_seq_num == seq_num)
    assert reject.ref_msg_type == msg_type
    return reject.reason


def run(test: Callable[[], Awaitable[None]], timeout: float = 20) -> None:
    async def bounded() -> None:
        async with asyncio.timeout(timeout):
            await test()

    asyncio.run(bounded())
