"""fixwire's socket transport held to asyncio's transport contract where a protocol can bend
it: closing or aborting from ``resume_writing``, an ``eof_received`` that raises, and an IPv6
address with a zone. Each case runs on fixwire's transport and on asyncio's own selector
transport, which must agree. Socket pairs and loopback only; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from fixwire.session import socket_transport
from fixwire.session.socket_transport import SocketTransport

TRANSPORTS = ["fixwire", "asyncio"]


class Probe(asyncio.Protocol):
    """A protocol that records its callbacks, and can close or abort the transport when
    writing resumes, or raise when the peer's stream ends.
    """

    def __init__(self, on_resume: str = "", eof_raises: bool = False) -> None:
        self.transport: asyncio.WriteTransport | None = None
        self.on_resume = on_resume
        self.eof_raises = eof_raises
        self.paused = self.resumed = self.eofs = 0
        self.lost: list[BaseException | None] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        self.transport = transport

    def pause_writing(self) -> None:
        self.paused += 1

    def resume_writing(self) -> None:
        self.resumed += 1
        assert self.transport is not None
        if self.on_resume == "close":
            self.transport.close()
        elif self.on_resume == "abort":
            self.transport.abort()

    def eof_received(self) -> bool | None:
        self.eofs += 1
        if self.eof_raises:
            raise RuntimeError("eof_received failed")
        return None

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)


async def attach(kind: str, sock: socket.socket, protocol: Probe) -> asyncio.WriteTransport:
    loop = asyncio.get_running_loop()
    if kind == "fixwire":
        SocketTransport(loop, sock, protocol)
    else:
        await loop.connect_accepted_socket(lambda: protocol, sock)
    assert protocol.transport is not None
    return protocol.transport


def on_selector_loop(main: Callable[[], Coroutine[Any, Any, None]]) -> list[dict[str, Any]]:
    """Runs ``main`` on asyncio's selector loop; returns what reached its exception handler."""
    errors: list[dict[str, Any]] = []

    async def guarded() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, c: errors.append(c))
        async with asyncio.timeout(10):
            await main()

    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        runner.run(guarded())
    return errors


async def turns(count: int) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


@pytest.mark.parametrize("kind", TRANSPORTS)
@pytest.mark.parametrize("how", ["close", "abort"])
def test_ending_from_resume_writing_loses_the_connection_once(kind: str, how: str) -> None:
    protocol = Probe(on_resume=how)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        ours, peer = socket.socketpair()
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        transport = await attach(kind, ours, protocol)
        transport.set_write_buffer_limits(high=1, low=0)
        transport.write(b"x" * 1_000_000)  # The kernel takes a little; writing pauses.
        assert protocol.paused == 1
        peer.setblocking(False)
        while await loop.sock_recv(peer, 65536):  # Read until the transport's end.
            pass
        await turns(5)
        peer.close()

    on_selector_loop(main)
    assert protocol.resumed == 1
    assert protocol.lost == [None]


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_an_eof_received_that_raises_ends_the_connection_with_its_error(kind: str) -> None:
    protocol = Probe(eof_raises=True)

    async def main() -> None:
        ours, peer = socket.socketpair()
        await attach(kind, ours, protocol)
        peer.shutdown(socket.SHUT_WR)
        await turns(50)
        peer.close()

    on_selector_loop(main)
    assert protocol.eofs == 1
    assert [type(e) for e in protocol.lost] == [RuntimeError]


def test_an_ipv6_address_with_a_zone_is_looked_up_for_the_zones_index() -> None:
    """fe80::1%lo: the zone is kept (bind and connect need its interface index), where a
    plain literal is used as it is, without a lookup.
    """

    async def main() -> None:
        loop = asyncio.get_running_loop()
        index = socket.if_nametoindex("lo")
        assert await socket_transport._addresses(loop, "fe80::1%lo", 5000, 0) == [
            (socket.AF_INET6, ("fe80::1", 5000, 0, index))
        ]
        assert await socket_transport._addresses(loop, "::1", 5000, 0) == [
            (socket.AF_INET6, ("::1", 5000, 0, 0))
        ]

    on_selector_loop(main)
