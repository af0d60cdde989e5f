"""Connections accepted on assetpipe's listening sockets have Nagle's algorithm off."""

from __future__ import annotations

import asyncio
import socket

from assetpipe.serve.sockets import listening_socket


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


def test_a_plain_socket_would_not_get_it() -> None:
    """Why the module exists: a socket made with proto 0 (uvicorn's own bind) yields accepted
    connections whose proto is 0, which asyncio leaves with Nagle's algorithm on."""
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ours = listening_socket("127.0.0.1", 0)
    try:
        assert plain.proto == 0
        assert ours.proto == socket.IPPROTO_TCP
    finally:
        plain.close()
        ours.close()
