"""Connections accepted by assetpipe's servers have Nagle's algorithm off (``TCP_NODELAY``), so
a response written in parts never waits for the client's delayed ACK.

Each server runs in this process; the test finds the server's end of a live connection among
the process's open sockets (the one whose peer is the client) and reads its option."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from assetpipe.audit.server import serve_asgi
from assetpipe.dev.server import DevApp, DevServer, EventBroker
from assetpipe.serve.sockets import listening_socket


def server_side_nodelay(client: socket.socket) -> int | None:
    """``TCP_NODELAY`` of the accepted socket (in this process) connected to ``client``;
    ``None`` while the server has not accepted it."""
    want = (client.getpeername(), client.getsockname())
    for fd in os.listdir("/proc/self/fd"):
        try:
            if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                continue
            dup = socket.socket(fileno=os.dup(int(fd)))
        except OSError:
            continue
        with dup:
            try:
                ends = (dup.getsockname(), dup.getpeername())
            except OSError:  # listening, not connected, or not an IP socket
                continue
            if ends == want:
                return dup.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    return None


def nodelay_of_a_connection(port: int) -> int:
    """Connect to 127.0.0.1:port and read the option on the server's side of it, once the
    server has accepted the connection (it stays open: nothing is sent)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            value = server_side_nodelay(client)
            if value is not None:
                return value
            time.sleep(0.01)
    raise AssertionError(f"the server on port {port} did not accept the connection")


async def hello(scope: dict[str, Any], receive: Any, send: Callable[..., Any]) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


@contextmanager
def uvicorn_on(sock: socket.socket) -> Iterator[int]:
    """uvicorn serving ``hello`` on a bound socket, in a thread; yields the port."""
    server = uvicorn.Server(uvicorn.Config(hello, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        assert server.started
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def test_asyncio_connections_on_our_socket_get_tcp_nodelay() -> None:
    async def main() -> list[int]:
        sock = listening_socket("127.0.0.1", 0)
        seen: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()
            await writer.wait_closed()
        return seen

    assert asyncio.run(main()) == [1]


def test_the_uvicorn_servers_connections_have_nagle_off() -> None:
    """The audit's server (uvicorn on ``listening_socket``, as ``assetpipe serve`` runs it)."""
    with serve_asgi(hello) as url:
        assert nodelay_of_a_connection(int(url.rsplit(":", 1)[1])) == 1


def test_why_uvicorn_is_given_our_socket() -> None:
    """The assumption ``sockets.py`` exists for: a server that must know its port before it
    starts binds first, and on a socket bound the plain way (``socket.socket()``, proto 0)
    uvicorn's connections keep Nagle on; on ours they do not. (If the first half fails,
    asyncio or uvicorn changed and ``listening_socket`` may no longer be needed.)"""
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    plain.bind(("127.0.0.1", 0))
    with uvicorn_on(plain) as port:
        assert nodelay_of_a_connection(port) == 0
    with uvicorn_on(listening_socket("127.0.0.1", 0)) as port:
        assert nodelay_of_a_connection(port) == 1


@pytest.fixture
def dev_server() -> Iterator[DevServer]:
    srv = DevServer(DevApp(EventBroker(), serve=False), "127.0.0.1", 0)
    srv.start()
    try:
        yield srv
    finally:
        srv.close()


def test_the_dev_servers_connections_have_nagle_off(dev_server: DevServer) -> None:
    """The dev server (wsgiref, threads) turns it off on each accepted connection."""
    assert nodelay_of_a_connection(dev_server.port) == 1
