"""The ASGI adapters: ``AssetMiddleware`` and ``CompressMiddleware`` (same table, same rules as
the WSGI ones in ``assetpipe.serve.wsgi``).

Small files are answered from memory without leaving the event loop; larger ones are opened and
read in 64 KiB chunks in a worker thread (``asyncio.to_thread``), so a slow disk never stalls
other connections. Runs on asyncio servers (uvicorn, hypercorn, granian's asyncio mode).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .compress import (
    NO_COMPRESS_KEY,
    Encoder,
    Policy,
    add_vary,
    compress_all,
    header_dict,
    looks_compressed,
    not_modified_headers,
    revalidated,
    revalidated_headers,
    rewrite_headers,
)
from .holder import CHUNK, AssetServing
from .http import NOT_FOUND, Reply, etag_matches, respond
from .passthrough import Passthrough
from .reload import inject, injected_headers, is_html
from .stats import STATS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_WANTED = {
    b"accept-encoding": 0,
    b"if-none-match": 1,
    b"if-modified-since": 2,
    b"range": 3,
    b"if-range": 4,
    b"if-match": 5,
    b"if-unmodified-since": 6,
}


def request_headers(scope: Scope) -> list[str | None]:
    """The request's Accept-Encoding, If-None-Match, If-Modified-Since, Range, If-Range,
    If-Match and If-Unmodified-Since values, in that order (a repeated header joined)."""
    out: list[str | None] = [None] * 7
    for name, value in scope.get("headers", ()):
        i = _WANTED.get(name.lower())
        if i is not None:
            text = value.decode("latin-1")
            prev = out[i]
            out[i] = text if prev is None else f"{prev}, {text}"
    return out


def app_path(scope: Scope) -> str:
    """The request's path within the app: ``scope["path"]`` without the ``root_path`` it is
    mounted at, ASGI's twin of WSGI's ``PATH_INFO``. The ASGI spec puts the root path inside
    ``path`` (uvicorn's and hypercorn's ``--root-path``, hypercorn's ``DispatcherMiddleware``,
    a Starlette ``Mount``), so behind a proxy prefix ``/wp/static/app-HASH.css`` is the app's
    ``/static/app-HASH.css``: read whole, every file of the build answered 404 there. A path
    that does not start with the root path (a server that strips it itself) is the app's as
    is, as Quart reads it."""
    path = str(scope.get("path") or "")
    root = str(scope.get("root_path") or "").rstrip("/")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def _decode(headers: Any) -> list[tuple[str, str]]:
    return [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in headers]


async def lifespan(receive: Receive, send: Send) -> None:
    """Answer an ASGI lifespan scope for an app with nothing to start or stop."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _not_found_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
    if scope["type"] != "http":
        return
    await _send_reply(send, NOT_FOUND)


async def _send_reply(send: Send, reply: Reply) -> None:
    await send(
        {"type": "http.response.start", "status": reply.code, "headers": _encode(reply.headers)}
    )
    await send({"type": "http.response.body", "body": reply.data or b""})


class AssetMiddleware(AssetServing, Passthrough):
    """ASGI twin of ``assetpipe.serve.AssetMiddleware``: same arguments, same behaviour."""

    def __init__(
        self,
        app: ASGIApp | None = None,
        output: str | os.PathLike[str] = "dist",
        public_path: str = "/static/",
        **options: Any,
    ) -> None:
        super().__init__(output, public_path, **options)
        self.app = app or _not_found_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = app_path(scope)
        if not path.startswith(self.prefix):
            await self._to_app(scope, receive, send)
            return
        await self._serve(scope, receive, send, path)

    async def _to_app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The wrapped app's answer, the live-reload client added to its HTML when one is on:
        a page the build lacks under ``public_path`` too (at the site's root, every page is)."""
        script = self.live_script() if scope.get("method") != "HEAD" else b""
        await self.app(scope, receive, _Injector(send, script) if script else send)

    async def answer(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        """Answer a request for ``path`` (a path of the app's, ``scope`` giving its method and
        headers) from the build alone: a file it lacks is a 404, never passed on to the app
        (``assetpipe.behind_prefix``, a hook already inside the app, calls it)."""
        await self._serve(scope, receive, send, path, fallback=False)

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path: str,
        retried: bool = False,
        fallback: bool = True,
    ) -> None:
        if self._unhashed_later is not None:
            self.settle()
        sf = await self.holder.afind(path)
        if sf is not None and sf.source is not None and self.stale(sf):
            sf = None  # changed since the build: the app's (``freshness``)
        if sf is None and self.fallback and fallback:
            await self._to_app(scope, receive, send)
            return
        if sf is None:
            STATS.asset(404, "identity", 0, 0)
            await _send_reply(send, NOT_FOUND)
            return
        ae, inm, ims, rng, ifr, im, ius = request_headers(scope)
        if (
            rng is None
            and (inm is not None or ims is None)
            and scope.get("method") == "GET"
            and im is None
            and ius is None
        ):
            # the fast path: a plain or If-None-Match GET of a file held in memory
            rep = sf.negotiated.get(ae) or sf.negotiate(ae)
            if inm is not None and (inm == rep.etag or etag_matches(inm, rep.etag)):
                next(rep.not_modified)
                # a copy each time: a middleware outside may edit the list in place
                # (Starlette's GZipMiddleware sets Content-Encoding and Content-Length on it)
                await send(
                    {"type": "http.response.start", "status": 304, "headers": list(rep.raw_304)}
                )
                await send({"type": "http.response.body", "body": b""})
                return
            if rep.data is not None:
                next(rep.served)
                await send({"type": "http.response.start", "status": 200, "headers": list(rep.raw)})
                await send({"type": "http.response.body", "body": rep.data})
                return
        reply = respond(sf, scope.get("method") or "GET", ae, inm, ims, rng, ifr, im, ius)
        if reply.data is not None:
            STATS.asset(reply.code, reply.encoding, len(reply.data), sf.identity.size)
            headers = list(reply.raw) if reply.raw is not None else _encode(reply.headers)
            await send({"type": "http.response.start", "status": reply.code, "headers": headers})
            await send({"type": "http.response.body", "body": reply.data})
            return
        if not await self._send_file(send, reply, sf.identity.size):
            # its build folder was retired: answer once more from the current build
            if retried or not await self.arecover():
                STATS.asset(404, "identity", 0, 0)
                await _send_reply(send, NOT_FOUND)
                return
            await self._serve(scope, receive, send, path, retried=True, fallback=fallback)

    async def _send_file(self, send: Send, reply: Reply, identity_size: int) -> bool:
        """Send a file from disk; False (nothing sent) when it cannot be opened."""
        assert reply.path is not None
        try:
            f = await asyncio.to_thread(open, reply.path, "rb")
        except OSError:
            return False
        try:
            STATS.asset(reply.code, reply.encoding, reply.length, identity_size)
            await send(
                {
                    "type": "http.response.start",
                    "status": reply.code,
                    "headers": list(reply.raw) if reply.raw is not None else _encode(reply.headers),
                }
            )
            if reply.offset:
                await asyncio.to_thread(f.seek, reply.offset)
            remaining = reply.length
            while remaining > 0:
                chunk = await asyncio.to_thread(f.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": remaining > 0}
                )
            if remaining > 0:  # the file shrank: end the body; the client sees a short read
                await send({"type": "http.response.body", "body": b""})
        finally:
            f.close()
        return True


class _Injector:
    """A ``send`` that adds the live-reload client to a 200 HTML response."""

    def __init__(self, send: Send, script: bytes) -> None:
        self.send = send
        self.script = script
        self.start: Message | None = None
        self.buffer: list[bytes] = []
        self.passing = False

    async def __call__(self, message: Message) -> None:
        if self.passing:
            await self.send(message)
            return
        if message["type"] == "http.response.start":
            headers = _decode(message.get("headers", ()))
            if message.get("status") == 200 and is_html(header_dict(headers)):
                self.start = message
                return
            self.passing = True
            await self.send(message)
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.send(message)
            return
        self.buffer.append(bytes(message.get("body", b"")))
        if message.get("more_body"):
            return
        body = inject(b"".join(self.buffer), self.script)
        headers = injected_headers(_decode(self.start.get("headers", ())), len(body), self.script)
        lowered = [(k.lower(), v) for k, v in headers]  # ASGI's header names
        await self.send({**self.start, "headers": _encode(lowered)})
        await self.send({"type": "http.response.body", "body": body})


class CompressMiddleware(Passthrough):
    """Compress an ASGI app's dynamic responses (rules, the BREACH guard and the opt-outs:
    ``assetpipe.serve.compress``)."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.app = app
        self.policy = Policy(**options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = app_path(scope)  # now: a Mount's routing rewrites the scope's root_path
        if scope["type"] != "http" or self.policy.excluded(path):
            await self.app(scope, receive, send)
            return
        accept, inm = request_headers(scope)[:2]
        wanted = self.policy.choose(accept)
        head = scope.get("method") == "HEAD" and wanted is not None
        if head:  # run as the GET it stands for; the body is dropped
            scope = {**scope, "method": "GET"}
        compressor = _Compressor(send, self.policy, scope, wanted, head, inm, path)
        await self.app(scope, receive, compressor)


class _Compressor:
    def __init__(
        self,
        send: Send,
        policy: Policy,
        scope: Scope,
        coding: str | None,
        head: bool,
        if_none_match: str | None = None,
        path: str = "",
    ) -> None:
        self.send, self.policy, self.scope, self.coding = send, policy, scope, coding
        self.path = path  # the app's path of the request, read before the app routed it
        self.head = head
        self.if_none_match = if_none_match
        self.start: Message | None = None
        self.passing = False
        self.done = False
        self.encoder: Encoder | None = None
        self.size_in = self.size_out = 0

    async def _body(self, data: bytes, more: bool) -> None:
        if self.head:
            if not more and not self.done:
                self.done = True
                await self.send({"type": "http.response.body", "body": b""})
            return
        await self.send({"type": "http.response.body", "body": data, "more_body": more})

    async def __call__(self, message: Message) -> None:
        if self.passing:
            if self.head and message["type"] == "http.response.body":
                await self._body(b"", bool(message.get("more_body")))
            else:
                await self.send(message)
            return
        if message["type"] == "http.response.start":
            await self._on_start(message)
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.send(message)
            return
        body = bytes(message.get("body", b""))
        more = bool(message.get("more_body"))
        headers = _decode(self.start.get("headers", ()))
        assert self.coding is not None
        if self.encoder is None:
            if not more:  # the whole body in one message
                if len(body) < self.policy.minimum_size or looks_compressed(body):
                    add_vary(headers)
                    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
                    headers.append(("content-length", str(len(body))))
                    await self.send({**self.start, "headers": _encode(headers)})
                    await self._body(body, False)
                    return
                data = compress_all(self.policy, self.coding, body)
                STATS.dynamic(len(body), len(data))
                await self.send(
                    {
                        **self.start,
                        "headers": _encode(rewrite_headers(headers, self.coding, len(data))),
                    }
                )
                await self._body(data, False)
                return
            self.encoder = self.policy.encoder(self.coding)
            await self.send(
                {**self.start, "headers": _encode(rewrite_headers(headers, self.coding, None))}
            )
        enc = self.encoder
        if self.head:  # nothing to encode: the headers are out
            await self._body(b"", more)
            return
        out = enc.compress(body) + enc.flush() if body else b""
        if not more:
            out += enc.finish()
        self.size_in += len(body)
        self.size_out += len(out)
        if not more:
            STATS.dynamic(self.size_in, self.size_out)
        await self._body(out, more)

    async def _on_start(self, message: Message) -> None:
        headers = _decode(message.get("headers", ()))
        h = header_dict(headers)
        status = int(message.get("status", 200))
        no = bool(self.scope.get(NO_COMPRESS_KEY))
        policy = self.policy
        guarded = policy.guarded(headers, self.path)
        if status == 304 and not no and policy.compressible_type(h) and not guarded:
            headers_304 = not_modified_headers(headers, self.coding, self.if_none_match)
            message = {**message, "headers": _encode(headers_304)}
        if no or not policy.eligible(status, h) or guarded:
            self.passing = True
            await self.send(message)
            return
        if revalidated(status, h.get("etag"), self.if_none_match, self.scope.get("method", "")):
            headers_304 = revalidated_headers(headers, self.coding, self.if_none_match)
            self.passing = self.head = True  # the 304 it stands for: its body dropped
            await self.send({**message, "status": 304, "headers": _encode(headers_304)})
            return
        if self.coding is None:
            add_vary(headers)
            self.passing = True
            await self.send({**message, "headers": _encode(headers)})
            return
        self.start = message
