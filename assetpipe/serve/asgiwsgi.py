"""``ASGIInWSGI``: an ASGI app (Quart, Starlette, FastAPI) run by a WSGI server, so that
``assetpipe watch --app module:app`` serves one with the same dev server, live reload and error
pages as a Flask app.

One event loop runs in a daemon thread for the app's whole life; each WSGI request (the dev
server's thread per request) builds the ASGI scope from its environ, hands the app the body in
one ``http.request`` message, and reads the app's messages back through a queue: the status and
headers, then each body chunk as the app sends it (a streamed response streams). After the
response, or when the WSGI server closes the iterable early (the browser went away), the app's
next ``receive()`` is ``http.disconnect``. A dev server's adapter: HTTP only (no WebSocket), the
request body read whole.

The app's lifespan startup runs before the first request, as ``uvicorn`` (``--lifespan auto``)
runs it: LNbits' ``FastAPI`` registers its routes, opens its database and starts its wallet in
its ``lifespan``, and without it ``assetpipe watch --app lnbits.__main__:app`` answered every
page 404. The state the lifespan yields is each request's ``scope["state"]`` (Starlette's
``request.state``). An app that does not speak the lifespan protocol (it raises on the scope) is
served without it; one that reports ``lifespan.startup.failed`` is an error. ``close()`` sends the
shutdown; the dev server does not call it (the loop is a daemon thread, ending with the process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

Message = dict[str, Any]

log = logging.getLogger("assetpipe.serve")


def _scope(environ: dict[str, Any]) -> dict[str, Any]:
    """The ASGI HTTP scope of a WSGI request."""
    raw = str(environ.get("PATH_INFO") or "/").encode("latin-1")  # WSGI's bytes-as-latin-1
    headers = [
        (key[5:].replace("_", "-").lower().encode("latin-1"), str(value).encode("latin-1"))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key, name in (("CONTENT_TYPE", b"content-type"), ("CONTENT_LENGTH", b"content-length")):
        if environ.get(key):
            headers.append((name, str(environ[key]).encode("latin-1")))
    server_port = int(environ.get("SERVER_PORT") or 80)
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": str(environ.get("SERVER_PROTOCOL", "HTTP/1.1")).split("/")[-1],
        "method": str(environ.get("REQUEST_METHOD", "GET")).upper(),
        "scheme": str(environ.get("wsgi.url_scheme", "http")),
        "path": raw.decode("utf-8", "replace"),
        "raw_path": raw,
        "query_string": str(environ.get("QUERY_STRING") or "").encode("latin-1"),
        "root_path": str(environ.get("SCRIPT_NAME") or ""),
        "headers": headers,
        "client": (str(environ.get("REMOTE_ADDR") or "127.0.0.1"), 0),
        "server": (str(environ.get("SERVER_NAME") or "127.0.0.1"), server_port),
    }


class ASGIInWSGI:
    """A WSGI callable running the ASGI ``app`` on its own event loop (see the module doc)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="assetpipe-asgi-app", daemon=True
        )
        self.thread.start()
        #: what the app's lifespan startup put in its ``scope["state"]``
        self.state: dict[str, Any] = {}
        asyncio.run_coroutine_threadsafe(self._startup(), self.loop).result()

    async def _startup(self) -> None:
        """Run the app's lifespan until it reports its startup (see the module doc); its task
        then waits on the loop for ``close()``'s shutdown."""
        reported: asyncio.Future[Message] = self.loop.create_future()
        self._shutdown = asyncio.Event()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "lifespan.startup"}
            await self._shutdown.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: Message) -> None:
            if not reported.done():
                reported.set_result(message)

        async def run() -> None:
            try:
                await self.app(
                    {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state},
                    receive,
                    send,
                )
            except Exception as exc:  # no lifespan support: served without it (uvicorn's "auto")
                log.debug("the ASGI app does not run a lifespan: %r", exc)
            if not reported.done():
                reported.set_result({"type": "lifespan.unsupported"})

        self._lifespan = self.loop.create_task(run())
        message = await reported
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"the ASGI app's startup failed: {message.get('message', '')}")

    def close(self) -> None:
        """Send the lifespan shutdown, wait for the app to finish it, and stop the loop (the
        dev server's process ends without it: the loop is a daemon thread)."""

        async def shutdown() -> None:
            self._shutdown.set()
            with contextlib.suppress(Exception):
                await self._lifespan

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        out: queue.Queue[Message | BaseException | None] = queue.Queue()
        done = asyncio.Event()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            out.put(message)

        async def run() -> None:
            try:
                await self.app({**_scope(environ), "state": dict(self.state)}, receive, send)
            except Exception as exc:  # reported as a 500 below, or ends a started body
                out.put(exc)
            finally:
                out.put(None)

        future = asyncio.run_coroutine_threadsafe(run(), self.loop)
        first = out.get()
        if not isinstance(first, dict) or first.get("type") != "http.response.start":
            future.cancel()
            what = repr(first) if isinstance(first, BaseException) else "no response"
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain; charset=utf-8")],
            )
            return [f"the ASGI app failed: {what}\n".encode()]
        status = int(first["status"])
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        start_response(
            f"{status} {phrase}".strip(),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in first.get("headers", ())],
        )
        return self._body(out, lambda: self.loop.call_soon_threadsafe(done.set))

    @staticmethod
    def _body(
        out: queue.Queue[Message | BaseException | None], disconnect: Callable[[], Any]
    ) -> Iterator[bytes]:
        try:
            while True:
                message = out.get()
                if message is None or isinstance(message, BaseException):
                    return
                if message.get("type") != "http.response.body":
                    continue
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body"):
                    return
        finally:
            disconnect()
