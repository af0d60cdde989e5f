"""Listening sockets whose connections have Nagle's algorithm off.

asyncio turns on ``TCP_NODELAY`` only for sockets whose ``proto`` is ``IPPROTO_TCP``. A server
that must know its port before it starts (``assetpipe serve`` prints its URL, the audit hands it
to the browser) binds first, and a socket made the plain way (``socket.socket()``) has
``proto`` 0 (checked: uvicorn's connections on it report ``TCP_NODELAY`` 0, see
tests/test_serve_sockets.py), so they keep Nagle's algorithm, and a small write that follows
another before its ACK (a response sent in parts) can wait for the client's delayed ACK, up to
40 ms on Linux. A socket made here carries ``IPPROTO_TCP``, so every accepted connection gets
``TCP_NODELAY`` from asyncio.
"""

from __future__ import annotations

import contextlib
import socket


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for ``host:port`` (IPv4 or IPv6, as ``host`` resolves; port 0 picks a
    free one) for uvicorn's ``Server.run(sockets=[...])``, which listens on it."""
    family, _, proto, _, addr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, socket.SOCK_STREAM, proto or socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
    except OSError:
        sock.close()
        raise
    return sock


def set_nodelay(conn: socket.socket) -> None:
    """Turn Nagle's algorithm off on an accepted connection (for non-asyncio servers)."""
    with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to do
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
