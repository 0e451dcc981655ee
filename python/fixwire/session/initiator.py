"""Initiator sessions over asyncio: :func:`connect`, and the loop that reconnects with backoff."""

from __future__ import annotations

import asyncio
import random
import ssl as _ssl
from collections.abc import Callable
from dataclasses import dataclass

from fixwire.errors import SessionError
from fixwire.session import socket_transport
from fixwire.session.config import Role, SessionConfig
from fixwire.session.connection import (
    DEFAULT_MAX_BUFFER,
    Connection,
    _check_tls,
    _normalize_pin,
    _Protocol,
)
from fixwire.session.core import Session
from fixwire.session.events import Disconnected, Event
from fixwire.session.store import MemoryStore, Store

__all__ = ["Reconnect", "connect"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconnect:
    """How an initiator reconnects after losing its connection: exponential backoff with jitter.

    Attributes:
        initial_delay: Seconds before the first retry.
        max_delay: The longest wait between two attempts.
        jitter: Each wait is scaled by a random factor in ``[1 - jitter, 1 + jitter]``, so that
            many clients do not return at the same instant.
        max_attempts: Consecutive failed attempts before giving up; ``None`` never gives up.
    """

    initial_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.2
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.initial_delay <= 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 < initial_delay <= max_delay")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first)."""
        base = min(self.max_delay, self.initial_delay * 2.0 ** min(attempt - 1, 62))
        draw: float = (rng or random).random()
        return base * (1 + self.jitter * (2 * draw - 1))


async def connect(
    config: SessionConfig,
    host: str,
    port: int,
    *,
    store: Store | None = None,
    ssl: _ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    pin_sha256: str | None = None,
    reconnect: Reconnect | None = None,
    max_buffer: int = DEFAULT_MAX_BUFFER,
    on_event: Callable[[Event], None] | None = None,
) -> Connection:
    """Opens an initiator session to ``host:port``; returns once connected (Logon sent).

    Args:
        config: The session; its role must be initiator.
        host: Host name or address.
        port: TCP port.
        store: Sequence numbers and sent messages; a :class:`~fixwire.session.MemoryStore`
            when omitted.
        ssl: TLS context (TLS 1.2 or later; certificate verification as the context says).
        server_hostname: The name to verify the certificate against, when not ``host``.
        pin_sha256: SHA-256 of the server's certificate (DER), hex; any other certificate
            ends the connection with :class:`~fixwire.SessionError`, and no reconnect follows.
        reconnect: Reconnect after a lost connection, with backoff; ``None`` to not.
        max_buffer: Bound of the outbound queue, in bytes.
        on_event: Called with each event instead of queueing it for iteration (see
            :meth:`Connection.set_on_event`).

    Raises:
        OSError: The first connection failed and ``reconnect`` is ``None``.
        SessionError: The certificate did not match ``pin_sha256``.
    """
    if config.role is not Role.INITIATOR:
        raise ValueError("connect() needs a SessionConfig with role=Role.INITIATOR")
    _check_tls(ssl)
    pin = _normalize_pin(pin_sha256)
    connection = Connection(
        Session(config, store if store is not None else MemoryStore()),
        max_buffer=max_buffer,
        on_event=on_event,
    )
    loop = asyncio.get_running_loop()

    async def open_once() -> None:
        if socket_transport.usable(loop, ssl):
            # Plain TCP on asyncio's selector loop: fixwire's own transport (see its module).
            sock = await socket_transport.open_socket(loop, host, port)
            socket_transport.SocketTransport(loop, sock, _Protocol(connection, pin))
        else:
            await loop.create_connection(
                lambda: _Protocol(connection, pin),
                host,
                port,
                ssl=ssl,
                server_hostname=server_hostname,
            )
        if connection._failure is not None:
            raise connection._failure

    try:
        await open_once()
    except OSError as e:
        if reconnect is None:
            raise
        # With reconnect, a first attempt that fails is retried like a lost connection.
        connection._deliver(Disconnected(f"connection attempt failed: {e}"))

    async def keep_connected() -> None:
        attempt = 0
        while not connection._closed:
            await connection._disconnected.wait()
            if connection._closed or reconnect is None or connection._failure is not None:
                break
            # Backoff restarts only after a connection that got as far as logging on: a venue
            # that accepts TCP but refuses every Logon is retried ever more slowly.
            if connection._had_logon:
                attempt = 0
            connection._had_logon = False
            attempt += 1
            if reconnect.max_attempts is not None and attempt > reconnect.max_attempts:
                break
            await asyncio.sleep(reconnect.delay(attempt))
            if connection._closed:
                break
            try:
                await open_once()
            except OSError as e:
                connection._deliver(Disconnected(f"reconnect attempt {attempt} failed: {e}"))
            except SessionError as e:
                # The certificate no longer matches the pin: no reconnect follows, and the
                # application hears why (an exception here would end the task unseen).
                connection._deliver(Disconnected(str(e)))
                break
        connection._end()

    connection._runner = asyncio.create_task(keep_connected())
    return connection
