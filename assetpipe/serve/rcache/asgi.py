"""The response cache for ASGI apps: ``ResponseCacheMiddleware`` (rules by path, as for WSGI).

A hit with the in-process backend, or one the Redis backend's near cache holds, is answered on
the event loop (no thread hop); backend calls that do network I/O (a Redis lookup the near cache
cannot answer) and the miss path (lock, wait, render, store) run in a worker thread, the app
itself still on the loop, so nothing blocks the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Any

from ..passthrough import Passthrough
from .core import ResponseCache
from .entry import Reply
from .rules import Captured, Request, Rule
from .wsgi import PathRules

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def asgi_request(scope: Scope) -> Request:
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        k = bytes(name).decode("latin-1").lower()
        v = bytes(value).decode("latin-1")
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    return Request(
        scope.get("method", "GET"),
        scope.get("path", "/"),
        bytes(scope.get("query_string", b"")).decode("latin-1"),
        headers,
        "authorization" in headers,
        scope,
    )


async def _send_reply(send: Send, reply: Reply) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": int(reply.status[:3]),
            "headers": [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers
            ],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})


class ResponseCacheMiddleware(Passthrough):
    """Cache an ASGI app's responses by path rules (see the WSGI one for the rules)."""

    def __init__(
        self,
        app: ASGIApp,
        cache: ResponseCache,
        rules: Mapping[str, Rule] | Sequence[tuple[str, Rule]],
    ) -> None:
        self.app = app
        self.cache = cache
        self.rules = PathRules(rules)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        rule = (
            self.rules.match(scope.get("path", "/"))
            if scope["type"] == "http" and method in ("GET", "HEAD")
            else None
        )
        if rule is None:
            await self.app(scope, receive, send)
            return
        cache = self.cache
        req = asgi_request(scope)
        if not cache.backend.blocking:
            entry = cache.find(req, rule)
        else:
            entry = cache.find_nearby(req, rule)
            if entry is None:
                entry = await asyncio.to_thread(cache.find, req, rule)
        if entry is not None:
            await _send_reply(send, cache.answer(entry, req))
            return
        loop = asyncio.get_running_loop()
        sink = _Sink(send, cache.max_body, method == "HEAD")
        inner = {**scope, "method": "GET"}

        def run_app() -> Captured | None:  # in the worker thread; the app runs on the loop
            return asyncio.run_coroutine_threadsafe(
                sink.run(self.app, inner, receive), loop
            ).result()

        reply = await asyncio.to_thread(cache.serve, req, rule, run_app)
        if reply is not None:
            await _send_reply(send, reply)
        elif not sink.passed:
            await self.app(scope, receive, send)


class _Sink:
    """Buffers an app's response; past ``max_body`` it passes the rest on to ``send``."""

    def __init__(self, send: Send, max_body: int, head: bool) -> None:
        self.send, self.max_body, self.head = send, max_body, head
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.passed = False

    async def run(self, app: ASGIApp, scope: Scope, receive: Receive) -> Captured | None:
        await app(scope, receive, self)
        if self.passed or self.start is None:
            return None
        headers = [
            (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
            for k, v in self.start.get("headers", ())
        ]
        status = int(self.start.get("status", 200))
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        return Captured(f"{status} {phrase}".rstrip(), headers, b"".join(self.chunks))

    async def __call__(self, message: Message) -> None:
        if self.passed:
            if message["type"] == "http.response.body" and self.head:
                if not message.get("more_body"):
                    await self.send({"type": "http.response.body", "body": b""})
                return
            await self.send(message)
            return
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        body = bytes(message.get("body", b""))
        self.chunks.append(body)
        self.size += len(body)
        if self.size > self.max_body and message.get("more_body"):  # a stream: pass it on
            self.passed = True
            assert self.start is not None
            await self.send(self.start)
            await self.send(
                {
                    "type": "http.response.body",
                    "body": b"" if self.head else b"".join(self.chunks),
                    "more_body": True,
                }
            )
