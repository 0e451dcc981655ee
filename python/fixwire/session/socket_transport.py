"""fixwire's own transport for plain TCP on asyncio's selector event loop.

asyncio's socket transport and its protocol callbacks are Python: on every read the loop runs
the transport's ``_read_ready``, which calls ``_read_ready__get_buffer``, which asks the protocol
for a buffer, reads, and calls the protocol back. :class:`SocketTransport` does the same work in
one method registered with :meth:`asyncio.AbstractEventLoop.add_reader`: a non-blocking
:func:`os.read` of the socket's descriptor, whose bytes go to the protocol's ``data_received``
as they are (no buffer to copy out of; ``os.read`` and :func:`os.write` also take their
arguments for less than the socket's ``recv_into`` and ``send``). A write is tried at once with
``os.write``; only what the kernel does not take is buffered (a :class:`bytearray`, bounded in
bytes by the connection through the write buffer limits, as asyncio's transport is) and written
from :meth:`~asyncio.AbstractEventLoop.add_writer` as the socket drains. :class:`Listener`
accepts connections for :func:`~fixwire.session.serve` the same way.

It is used only where that is safe: :func:`usable` holds for plain TCP (no TLS) on a loop that
is an :class:`asyncio.SelectorEventLoop`, whose ``add_reader`` and ``add_writer`` take sockets,
on a POSIX system (where a socket is a file descriptor ``os.read`` and ``os.write`` take).
TLS, uvloop's loop and Windows' loops keep asyncio's own transports (``loop.
create_connection`` and ``loop.create_server``). The behaviours are asyncio's: a peer's EOF
closes the transport once what it buffered is written; a failed read or write (a reset, a
broken pipe) ends it at once and hands the error to ``connection_lost``; ``close`` flushes,
``abort`` does not; ``connection_lost`` is called on a later turn of the loop, never from
within ``close`` or ``abort``. Errors are logged on the ``fixwire.session`` logger: a failed
socket at DEBUG (the session reports the disconnect), a failure of the protocol itself at ERROR.

The transport serves fixwire's own protocols: a protocol with ``data_received`` (a plain
:class:`asyncio.Protocol`, and fixwire's, which are buffered protocols too, for asyncio's
transports) is handed each read's bytes; a :class:`asyncio.BufferedProtocol` without it has the
socket read into the buffer ``get_buffer`` gave when the protocol was set.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import socket
from asyncio import trsock
from collections.abc import Callable
from typing import Any, cast

__all__ = ["Listener", "SocketTransport", "open_socket", "start_listening", "usable"]

_log = logging.getLogger("fixwire.session")

#: Set to False to have every connection use asyncio's own transports (the tests run the
#: connection layer both ways).
enabled = True

#: The most one read takes, in bytes.
_READ_PIECE = 64 * 1024
_read = os.read
_write = os.write
#: asyncio's default write buffer limit, used until the protocol's owner sets its own.
_DEFAULT_HIGH_WATER = 64 * 1024
#: accept() errors that mean "out of resources": the listener stops accepting for a while.
_ACCEPT_RESOURCE_ERRORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
#: Seconds a listener out of resources waits before accepting again.
_ACCEPT_RETRY_DELAY = 1.0
#: The listening sockets' backlog, as asyncio's create_server sets it.
_BACKLOG = 100


def usable(loop: asyncio.AbstractEventLoop, ssl: object) -> bool:
    """Whether connections on ``loop`` with ``ssl`` (None for plain TCP) may use
    :class:`SocketTransport`.
    """
    return (
        enabled
        and ssl is None
        and os.name == "posix"
        and isinstance(loop, asyncio.SelectorEventLoop)
    )


class SocketTransport(asyncio.Transport):
    """A connected, non-blocking TCP socket driven by the loop's reader and writer callbacks.

    Args:
        loop: A selector event loop (see :func:`usable`).
        sock: The connected socket; the transport owns it and closes it when it ends.
        protocol: Told ``connection_made`` within this constructor; reading starts after it.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        protocol: asyncio.BaseProtocol,
    ) -> None:
        super().__init__()
        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._loop = loop
        self._sock = sock
        self._fd = sock.fileno()
        # As asyncio's transports hand it out: options can be read and set, but the socket
        # cannot be closed behind the transport's back (its number would be reused while the
        # transport still writes to it).
        self._extra: dict[str, Any] = {"socket": trsock.TransportSocket(sock)}
        try:
            self._extra["peername"] = sock.getpeername()
        except OSError:
            self._extra["peername"] = None
        self._extra["sockname"] = sock.getsockname()
        self._write_buffer = bytearray()
        self._high_water = _DEFAULT_HIGH_WATER
        self._low_water = _DEFAULT_HIGH_WATER // 4
        self._writing_paused = False
        self._closing = False  # close() or abort() called, or the socket failed.
        self._lost = False  # connection_lost is scheduled or done.
        self._reading_paused = False
        self._started = False
        self._protocol: asyncio.BaseProtocol = protocol
        self._into = memoryview(b"")
        self._data_received: Callable[[bytes], object] | None = None
        self.set_protocol(protocol)
        try:
            protocol.connection_made(self)
        except BaseException:
            # Closed for good before the socket is: its number may be reused at once, and a
            # protocol that kept this transport must not write into whatever socket gets it.
            self._closing = self._lost = True
            loop.remove_writer(self._fd)  # A first write may have left bytes waiting.
            sock.close()
            raise
        self._started = True
        if self.is_reading():
            loop.add_reader(self._fd, self._read_ready)

    # asyncio.BaseTransport

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``socket``, ``peername`` and ``sockname``; ``default`` for anything else."""
        return self._extra.get(name, default)

    def is_closing(self) -> bool:
        """Whether the transport is closing or closed."""
        return self._closing

    def close(self) -> None:
        """Stops reading; once the write buffer is written, closes and calls
        ``connection_lost(None)``.
        """
        if self._closing:
            return
        self._closing = True
        self._loop.remove_reader(self._fd)
        if not self._write_buffer:
            self._lose(None)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """Hands what is read from now on to ``protocol``."""
        self._protocol = protocol
        self._data_received = getattr(protocol, "data_received", None)
        if self._data_received is None:
            self._into = memoryview(cast(asyncio.BufferedProtocol, protocol).get_buffer(-1))

    def get_protocol(self) -> asyncio.BaseProtocol:
        """The protocol reads are handed to."""
        return self._protocol

    # asyncio.ReadTransport

    def is_reading(self) -> bool:
        """Whether the socket is read (not paused, not closing)."""
        return not self._reading_paused and not self._closing

    def pause_reading(self) -> None:
        """Stops reading the socket until :meth:`resume_reading`."""
        if self._closing or self._reading_paused:
            return
        self._reading_paused = True
        self._loop.remove_reader(self._fd)

    def resume_reading(self) -> None:
        """Reads the socket again after :meth:`pause_reading`."""
        if self._closing or not self._reading_paused:
            return
        self._reading_paused = False
        if self._started:
            self._loop.add_reader(self._fd, self._read_ready)

    # asyncio.WriteTransport

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """Bytes buffered beyond ``high`` pause the protocol's writing; ``low`` or fewer resume
        it (asyncio's defaults: 64 KiB, and a quarter of ``high``).
        """
        if high is None:
            high = _DEFAULT_HIGH_WATER if low is None else 4 * low
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high_water = high
        self._low_water = low
        self._maybe_pause_protocol()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """The (low, high) write buffer limits, in bytes."""
        return self._low_water, self._high_water

    def get_write_buffer_size(self) -> int:
        """Bytes written to the transport that the kernel has not taken yet."""
        return len(self._write_buffer)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Sends ``data``: at once as far as the kernel takes it, the rest from the buffer as
        the socket drains. Ignored once the connection is lost (as asyncio's transport does).
        """
        if self._lost or not data:
            return
        if not self._write_buffer:
            try:
                sent = _write(self._fd, data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._fail(exc, "writing to the socket failed")
                return
            if sent == len(data):
                return
            data = memoryview(data)[sent:]
            self._loop.add_writer(self._fd, self._write_ready)
        self._write_buffer += data
        self._maybe_pause_protocol()

    def can_write_eof(self) -> bool:
        """False: a FIX session ends with Logout <5>, then the connection is closed."""
        return False

    def abort(self) -> None:
        """Closes at once, dropping the write buffer; ``connection_lost(None)`` follows."""
        self._force_close(None)

    # The loop's callbacks.

    def _read_ready(self) -> None:
        data_received = self._data_received
        if data_received is None:
            self._read_into_buffer()
            return
        try:
            data = _read(self._fd, _READ_PIECE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._fail(exc, "reading from the socket failed")
            return
        if not data:
            self._eof()
            return
        try:
            data_received(data)
        except Exception as exc:
            self._fail(exc, "the protocol failed on a read")

    def _read_into_buffer(self) -> None:
        """:meth:`_read_ready` for a buffered protocol without ``data_received``."""
        try:
            nbytes = self._sock.recv_into(self._into)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._fail(exc, "reading from the socket failed")
            return
        if not nbytes:
            self._eof()
            return
        try:
            cast(asyncio.BufferedProtocol, self._protocol).buffer_updated(nbytes)
        except Exception as exc:
            self._fail(exc, "the protocol failed on a read")

    def _eof(self) -> None:
        try:
            keep_open = cast(asyncio.Protocol, self._protocol).eof_received()
        except Exception as exc:
            # As asyncio's transport: fatal. The reader must go, or the loop would call back
            # on the socket at EOF for ever.
            self._fail(exc, "the protocol failed at the end of the stream")
            return
        if keep_open:
            # Half-open: nothing more to read, the protocol still writes.
            self._loop.remove_reader(self._fd)
        else:
            self.close()

    def _write_ready(self) -> None:
        if self._lost:
            return
        buffer = self._write_buffer
        try:
            sent = _write(self._fd, buffer)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._fail(exc, "writing to the socket failed")
            return
        del buffer[:sent]
        self._maybe_resume_protocol()  # The protocol may write more here.
        if not buffer:
            self._loop.remove_writer(self._fd)
            if self._closing and not self._lost:  # (resume_writing may have aborted.)
                self._lose(None)

    # Flow control and the end.

    def _maybe_pause_protocol(self) -> None:
        if not self._writing_paused and len(self._write_buffer) > self._high_water:
            self._writing_paused = True
            self._protocol.pause_writing()

    def _maybe_resume_protocol(self) -> None:
        if self._writing_paused and len(self._write_buffer) <= self._low_water:
            self._writing_paused = False
            self._protocol.resume_writing()

    def _fail(self, exc: BaseException, what: str) -> None:
        """Ends the connection after a failed read or write, or a failing protocol."""
        if isinstance(exc, OSError):
            _log.debug("connection to %s: %s: %s", self._extra["peername"], what, exc)
        else:
            _log.error("connection to %s: %s", self._extra["peername"], what, exc_info=exc)
        self._force_close(exc)

    def _force_close(self, exc: BaseException | None) -> None:
        if self._lost:
            return
        self._write_buffer.clear()
        self._loop.remove_writer(self._fd)
        if not self._closing:
            self._closing = True
            self._loop.remove_reader(self._fd)
        self._lose(exc)

    def _lose(self, exc: BaseException | None) -> None:
        """Calls ``connection_lost`` on the loop's next turn, then closes the socket; once,
        whatever path asks again (a protocol may close or abort from ``resume_writing``).
        """
        if self._lost:
            return
        self._lost = True
        self._loop.call_soon(self._call_connection_lost, exc)

    def _call_connection_lost(self, exc: BaseException | None) -> None:
        try:
            self._protocol.connection_lost(exc)  # type: ignore[arg-type]
        finally:
            self._sock.close()


async def open_socket(loop: asyncio.AbstractEventLoop, host: str, port: int) -> socket.socket:
    """A non-blocking TCP socket connected to ``host:port``, trying each of its addresses in
    turn, as ``loop.create_connection`` does.

    Raises:
        OSError: No address could be connected to (the error of the last attempt, or one
            naming every attempt's when they differ).
    """
    errors: list[OSError] = []
    for family, address in await _addresses(loop, host, port, 0):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            errors.append(exc)
        except BaseException:
            sock.close()
            raise
        else:
            return sock
    if not errors:
        raise OSError(f"no address found for {host!r}")
    if len({str(e) for e in errors}) == 1:
        raise errors[-1]
    raise OSError("every address failed: " + "; ".join(str(e) for e in errors))


async def _addresses(
    loop: asyncio.AbstractEventLoop, host: str | None, port: int, flags: int
) -> list[tuple[int, Any]]:
    """The (family, address) pairs of ``host:port``; numeric addresses without a lookup."""
    if host:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            if isinstance(ip, ipaddress.IPv4Address):
                return [(socket.AF_INET, (host, port))]
            if ip.scope_id is None:  # A zone (fe80::1%eth0) needs the lookup for its index.
                return [(socket.AF_INET6, (host, port, 0, 0))]
    infos = await loop.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=flags)
    found: list[tuple[int, Any]] = []
    for family, _type, _proto, _name, address in infos:
        if (family, address) not in found:
            found.append((family, address))
    return found


class Listener:
    """Listening sockets whose connections each get a :class:`SocketTransport` and a protocol
    from ``protocol_factory``; what :func:`start_listening` returns, in place of asyncio's
    ``Server``.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sockets: list[socket.socket],
        protocol_factory: Callable[[], asyncio.BaseProtocol],
    ) -> None:
        self._loop = loop
        self.sockets = sockets
        self._protocol_factory = protocol_factory
        self._closed = False
        for sock in sockets:
            loop.add_reader(sock.fileno(), self._accept, sock)

    def close(self) -> None:
        """Stops listening; connections already accepted carry on."""
        if self._closed:
            return
        self._closed = True
        for sock in self.sockets:
            self._loop.remove_reader(sock.fileno())
            sock.close()

    async def wait_closed(self) -> None:
        """Returns at once: :meth:`close` has closed the sockets by the time it returns."""

    def _accept(self, listening: socket.socket) -> None:
        for _ in range(_BACKLOG):
            try:
                sock, _address = listening.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno not in _ACCEPT_RESOURCE_ERRORS:
                    raise
                # Out of file descriptors or memory: stop for a while rather than spin.
                _log.error(
                    "accepting on %s failed: %s; accepting again in %s s",
                    listening.getsockname(),
                    exc,
                    _ACCEPT_RETRY_DELAY,
                )
                self._loop.remove_reader(listening.fileno())
                self._loop.call_later(_ACCEPT_RETRY_DELAY, self._resume_accepting, listening)
                return
            try:
                SocketTransport(self._loop, sock, self._protocol_factory())
            except Exception:
                sock.close()
                raise

    def _resume_accepting(self, listening: socket.socket) -> None:
        if not self._closed:
            self._loop.add_reader(listening.fileno(), self._accept, listening)


async def start_listening(
    loop: asyncio.AbstractEventLoop,
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    host: str,
    port: int,
) -> Listener:
    """Listens on every address of ``host`` (every interface for ``""``), as
    ``loop.create_server`` does: ``SO_REUSEADDR``, IPv6 sockets IPv6-only.

    Raises:
        OSError: An address could not be bound (none is left listening).
    """
    sockets: list[socket.socket] = []
    try:
        for family, address in await _addresses(loop, host, port, socket.AI_PASSIVE):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise OSError(
                    exc.errno, f"cannot listen on {address!r}: {(exc.strerror or '').lower()}"
                ) from None
            sock.listen(_BACKLOG)
            sock.setblocking(False)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    if not sockets:
        raise OSError(f"no address found for {host!r}")
    return Listener(loop, sockets, protocol_factory)
