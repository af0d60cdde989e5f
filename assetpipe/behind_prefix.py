"""The ``before_request`` hooks that serve the build to a request whose path only the app can
read: an app behind a reverse proxy at a URL prefix that strips the prefix in a wrapper of its
own (calibre-web's ``ReverseProxied`` with ``X-Script-Name: /calibre``; under Quart an ASGI
layer that moves ``/shop`` from ``path`` to ``root_path``). ``AssetPipe(app)`` puts its layers
around that wrapper, so they saw ``/calibre/static/...``, not a path of the build, and passed
it on: every hashed file answered the app's 404. Inside the app the path is its own
(``/static/...``): a file of the build there is answered as the layer answers it (hashed,
compressed, 304s, ranges); anything else goes on to the app's views.

``BehindPrefix`` is Flask's (WSGI), ``ASGIBehindPrefix`` Quart's. A root path the server or an
ASGI mount sets (``uvicorn --root-path``) needs neither: the ASGI layers read the app's path
themselves (``assetpipe.serve.asgi.app_path``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

from .blueprint_static import BlueprintStatic
from .hashing import HASHED_NAME
from .serve import AssetMiddleware
from .serve.asgi import AssetMiddleware as ASGIAssetMiddleware


class BehindPrefix:
    """Flask's hook: answers a file of the build at the app's own ``PATH_INFO``."""

    def __init__(self, middleware: AssetMiddleware) -> None:
        self.middleware = middleware

    def __call__(self) -> Any:
        from flask import request
        from werkzeug.wrappers import Response

        environ = request.environ  # inside the app's own wrappers: its PATH_INFO (WSGI string)
        path = environ.get("PATH_INFO") or ""
        if not path.startswith(self.middleware.prefix):
            return None
        sf = self.middleware.holder.find(path)
        if sf is None or self.middleware.stale(sf):
            return None
        return Response.from_app(self.middleware, environ)


class ASGIBehindPrefix:
    """Quart's hook (a coroutine, run on the event loop): answers a file of the build at the
    path Quart routes (``request.path``), as the ASGI ``AssetMiddleware`` answers it there, and
    a hashed file of an extension's blueprint folder as ``ASGIBlueprintStatic`` does. Only a
    request with a root path can need it (without one the layers saw the app's path). The
    answer is returned as a Quart ``Response`` whose body the layer sends as it reads the file
    (``_from_build``). Register ``hook``, a bound
    coroutine function: Quart runs any other callable in a worker thread."""

    def __init__(
        self, middleware: ASGIAssetMiddleware, blueprint_static: BlueprintStatic | None = None
    ) -> None:
        self.middleware = middleware
        self.blueprint_static = blueprint_static

    async def hook(self) -> Any:
        from quart import request

        if not request.scope.get("root_path") or request.method not in ("GET", "HEAD"):
            return None
        path = request.path
        if path.startswith(self.middleware.prefix):
            sf = await self.middleware.holder.afind(path)
            if sf is not None and not self.middleware.stale(sf):
                return await self._from_build(request.scope, path)
        if self.blueprint_static is not None and HASHED_NAME.search(path):
            got = await asyncio.to_thread(
                self.blueprint_static.respond,
                request.method,
                path,
                request.headers.get("Accept-Encoding"),
                request.headers.get("If-None-Match", ""),
            )
            if got is not None:
                status, headers, body = got
                return _response(int(status.split(" ", 1)[0]), headers, body)
        return None

    async def _from_build(self, app_scope: Any, path: str) -> Any:
        """The layer's answer as a Quart ``Response``: its status and headers once sent, its
        body passed on as the layer sends it (a large file 64 KiB at a time, never whole in
        memory); the layer waits while the client reads."""
        scope = {**app_scope, "path": path, "root_path": ""}
        loop = asyncio.get_running_loop()
        start: asyncio.Future[MutableMapping[str, Any]] = loop.create_future()
        chunks: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue(maxsize=2)

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.set_result(message)
            else:
                await chunks.put(message)

        task = asyncio.ensure_future(self.middleware.answer(scope, receive, send, path))
        waited: list[asyncio.Future[Any]] = [start, task]
        await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
        if not start.done():  # the layer failed before answering: its error, as the app's
            await task
            return None

        async def body() -> AsyncIterator[bytes]:
            try:
                while True:
                    message = await chunks.get()
                    yield bytes(message.get("body", b""))
                    if not message.get("more_body"):
                        break
                await task
            finally:
                task.cancel()  # the client went away: stop reading the file

        headers = [
            (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
            for k, v in start.result().get("headers", ())
        ]
        return _response(int(start.result()["status"]), headers, body())


def _response(
    status: int, headers: list[tuple[str, str]], body: bytes | AsyncIterator[bytes]
) -> Any:
    """A Quart ``Response`` with exactly these headers (a HEAD's ``Content-Length`` is the
    file's, not its empty body's, which Quart would set)."""
    from quart import Response
    from werkzeug.datastructures import Headers

    response = Response(body, status=status, headers=Headers(headers))
    for name, value in headers:
        if name.lower() == "content-length":
            response.headers["Content-Length"] = value
    return response
