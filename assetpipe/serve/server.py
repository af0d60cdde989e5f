"""``assetpipe serve``: the built site on a production-grade server.

The app is ``assetpipe.serve.asgi.AssetMiddleware`` (``public/`` at ``public_path``) in front of
the rendered ``pages:`` (``assetpipe.serve.pages.PagesApp``), with ``stats_app`` at
``/__assetpipe/stats``; it runs on **uvicorn**. Pages get a strong ETag from their bytes
(``ETagMiddleware``: ``If-None-Match`` → 304) and dynamic compression (``CompressMiddleware``).

Why uvicorn over the ASGI adapter: it is the most widely deployed, actively maintained Python
ASGI server (the Encode project; used under FastAPI/Starlette everywhere), already a dependency,
and being event-loop based it holds thousands of idle keep-alive connections at the cost of a
socket and a small object each — where a thread-per-connection WSGI server (wsgiref, waitress'
thread pool, gunicorn sync workers) runs out of threads. Assets are answered on the loop straight
from the in-memory table (no thread hop); only page renders, which are WSGI (Jinja2), run in
worker threads through the small bridge below (the whole page is rendered in memory anyway, so
buffering it costs nothing). uvicorn uses ``httptools`` when installed (a declared dependency)
for a faster HTTP parser than pure-Python h11.

The table follows new builds (``autorefresh``: one ``stat`` of the manifest per request), so
``assetpipe build`` in another terminal is picked up without a restart.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import AssetpipeError
from .asgi import AssetMiddleware, CompressMiddleware, Receive, Scope, Send, lifespan
from .etag import ETagMiddleware
from .stats import stats_app

log = logging.getLogger("assetpipe.serve")

STATS_PATH = "/__assetpipe/stats"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGIBridge:
    """Run a WSGI app from ASGI, one request per worker thread, the response buffered whole.
    Meant for apps whose responses are small and complete (rendered pages, JSON), not streams."""

    def __init__(self, app: WSGIApp, *, max_body: int = 1 << 20) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.max_body:
                await _plain(send, 413, b"Payload Too Large\n")
                return
            if not message.get("more_body"):
                break
        environ = self._environ(scope, bytes(body))
        status, headers, data = await asyncio.to_thread(self._run, environ)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": data})

    def _environ(self, scope: Scope, body: bytes) -> dict[str, Any]:
        server = scope.get("server") or ("127.0.0.1", 80)
        client = scope.get("client") or ("", 0)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
            "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
            "REMOTE_ADDR": str(client[0]),
            "SERVER_PROTOCOL": "HTTP/" + str(scope.get("http_version", "1.1")),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in scope.get("headers", ()):
            key = name.decode("latin-1").upper().replace("-", "_")
            text = value.decode("latin-1")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
            elif key != "CONTENT_LENGTH":
                key = "HTTP_" + key
                environ[key] = f"{environ[key]},{text}" if key in environ else text
        return environ

    def _run(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        state: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            state["status"], state["headers"] = status, headers
            return chunks.append

        result = self.app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(state["status"][:3]), list(state["headers"]), b"".join(chunks)


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _with_stats(app: WSGIApp) -> WSGIApp:
    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == STATS_PATH:
            return stats_app(environ, start_response)
        return app(environ, start_response)

    return dispatch


def make_app(config: Config, output: Path | None = None) -> AssetMiddleware:
    """The ASGI app ``assetpipe serve`` runs: assets, pages and the stats endpoint."""
    from .pages import PagesApp

    out = output or config.output
    if not (out / "public").is_dir():
        raise AssetpipeError(
            f"no build at '{out}'",
            hint="run `assetpipe build` first (serve shows the current output)",
        )
    pages = PagesApp(config, out)
    app = CompressMiddleware(WSGIBridge(ETagMiddleware(_with_stats(pages))))
    return AssetMiddleware(
        app, out, config.public_path, autorefresh=True, source_paths=config.serve.source_paths
    )


def serve(
    config: Config, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info"
) -> None:
    """Run ``make_app(config)`` on uvicorn until interrupted."""
    import uvicorn

    from .sockets import listening_socket

    app = make_app(config)
    sock = listening_socket(host, port)  # TCP_NODELAY on every connection (see sockets.py)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:  # listening now: the URL works
                log.info("serving %s on %s", config.output, url)

    server = _Server(
        uvicorn.Config(
            app,
            log_level=log_level,
            lifespan="off",
            access_log=False,
            backlog=4096,
            timeout_keep_alive=15,
            server_header=False,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
