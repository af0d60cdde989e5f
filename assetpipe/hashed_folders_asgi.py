"""``ASGIFolders``: a ``HashedFolders`` answering its hashed URLs in front of an ASGI app.

The answer is made in a worker thread (``asyncio.to_thread``): a file's first request in a
coding compresses it, which must not stall the event loop. Everything else, and a hashed URL
that is not the file's current one, goes on to the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .hashed_folders import HashedFolders
from .hashing import HASHED_NAME
from .serve.asgi import app_path, request_headers

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class ASGIFolders:
    """ASGI layer: ``static``'s hashed URLs (``HashedFolders.respond``), the rest to ``app``."""

    def __init__(self, asgi_app: ASGIApp, static: HashedFolders) -> None:
        self.app, self.static = asgi_app, static

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = app_path(scope)  # without a proxy's root path, as the folders' URL prefixes
        method = str(scope.get("method") or "GET")
        if scope["type"] != "http" or method not in ("GET", "HEAD") or not HASHED_NAME.search(path):
            await self.app(scope, receive, send)
            return
        accept, if_none_match = request_headers(scope)[:2]
        got = await asyncio.to_thread(
            self.static.respond, method, path, accept, if_none_match or ""
        )
        if got is None:
            await self.app(scope, receive, send)
            return
        status, headers, body = got
        await send(
            {
                "type": "http.response.start",
                "status": int(status.split(" ", 1)[0]),
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})
