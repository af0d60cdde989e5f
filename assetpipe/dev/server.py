"""The dev server of ``assetpipe watch``: live reload over server-sent events, pages, assets.

On loopback by default. It always serves ``GET /__assetpipe/events`` (``--no-serve`` included: a
user's own app then serves the pages), the event stream the live-reload client connects to — the
client that ``assetpipe.serve.AssetMiddleware(dev=True, reload_url=...)`` injects into HTML, in this
server's pages and in a user's own app. With serving on, every other request goes to the ``pages:``
of pipeline.yaml (``assetpipe.serve.pages.PagesApp``; see ``docs/watch.md``) — or, with ``app_spec``
(``assetpipe watch --app module:app``), to the user's own app imported in-process (a Flask or
Quart app gets ``AssetPipe``: it renders the rewritten templates; ``assetpipe.serve.userapp``; an
ASGI app runs on an event loop of its own, ``assetpipe.serve.asgiwsgi``) — wrapped in
that middleware, which serves ``public/`` under ``public_path``. A page the app fails to render is
reported through ``report(text, hint)`` with the app's error (``userapp.RenderErrors``).

The stream (the protocol the client implements; see ``assetpipe.serve``'s docstring):

- ``event: reload`` — reload the page;
- ``event: css`` with ``{"old": href, "new": href, "integrity": sri, "source": href, "prefix":
  public_path}`` — swap one stylesheet;
- ``event: error`` with ``{"message": text}`` — show the build error as an overlay. A client
  connecting while the build is broken gets the error at once; the fix is followed by ``reload``.

Cross-origin: the stream answers any loopback origin (``http://localhost:5000``,
``http://127.0.0.1:8000``, ``http://[::1]:3000``) with ``Access-Control-Allow-Origin`` set to that
origin, so a user's app on another port can connect; other origins get no CORS header.

The server is the standard library's WSGI server with a thread per request (a dev server: the
event streams are long-lived requests).
"""

from __future__ import annotations

import json
import logging
import queue
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ..config import Config
from ..serve.reload import uncompressed
from ..serve.sockets import set_nodelay
from ..serve.userapp import Report

log = logging.getLogger("assetpipe")

EVENTS_PATH = "/__assetpipe/events"
PING_SECONDS = 15.0
#: how long a page request waits for ``watch`` to finish starting (importing the user's app)
READY_SECONDS = 60.0
LOOPBACK_ORIGIN = re.compile(
    r"^https?://(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$", re.IGNORECASE
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def format_event(event: str, data: Any) -> bytes:
    """One SSE message (``data`` as JSON)."""
    lines = json.dumps(data, sort_keys=True).splitlines() or [""]
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


class EventBroker:
    """Fan-out of live-reload events to every connected client (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: list[queue.Queue[bytes | None]] = []
        self._error: str | None = None
        self._closed = False
        self.connected = threading.Condition(self._lock)
        self.sent = 0

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def wait_for_clients(self, n: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``n`` clients are connected (tests, benchmarks)."""
        with self.connected:
            return self.connected.wait_for(lambda: len(self._clients) >= n, timeout)

    def subscribe(self) -> queue.Queue[bytes | None]:
        q: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            if self._closed:
                q.put(None)
            elif self._error is not None:
                q.put(format_event("error", {"message": self._error}))
            self._clients.append(q)
            self.connected.notify_all()
        return q

    def unsubscribe(self, q: queue.Queue[bytes | None]) -> None:
        with self._lock:
            if q in self._clients:
                self._clients.remove(q)

    def publish(self, event: str, data: Any) -> None:
        """Send one event to every client. ``error`` is remembered for clients that connect
        later; any other event clears it."""
        msg = format_event(event, data)
        with self._lock:
            self._error = str(data.get("message", "")) if event == "error" else None
            self.sent += 1
            for q in self._clients:
                q.put(msg)

    @property
    def error(self) -> str | None:
        return self._error

    def close(self) -> None:
        """End every stream (shutdown)."""
        with self._lock:
            self._closed = True
            for q in self._clients:
                q.put(None)


def cors_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """CORS for a loopback ``Origin`` (any port); nothing for other origins."""
    origin = environ.get("HTTP_ORIGIN", "")
    headers = [("Vary", "Origin")]
    if origin and LOOPBACK_ORIGIN.match(origin):
        headers.append(("Access-Control-Allow-Origin", origin))
    return headers


def _text(
    start_response: Callable[..., Any],
    status: str,
    body: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = body.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(data))),
            *(extra or []),
        ],
    )
    return [data]


class DevApp:
    """The dev server's WSGI app: the event stream, then (when serving) pages and assets."""

    def __init__(
        self,
        broker: EventBroker,
        config: Config | None = None,
        serve: bool = True,
        ping_seconds: float = PING_SECONDS,
        app_spec: str | None = None,
        report: Report | None = None,
    ) -> None:
        self.broker = broker
        self.serve = serve
        self.ping_seconds = ping_seconds
        self.app_spec = app_spec
        self.report = report or _log_report
        self._app: WSGIApp | None = None
        self._user_app: Any = None
        #: set once pages can be served (``mark_ready``): ``watch`` listens before it has
        #: imported the user's app and made its first build, and a page requested meanwhile
        #: waits for both (``READY_SECONDS``)
        self._ready = threading.Event()
        if config is not None:
            self.set_config(config)
            self.mark_ready()

    def set_config(self, config: Config) -> None:
        """(Re)build the page app for a (re-validated) config. With ``app_spec`` the user's app
        is imported once (``UsageError`` when it cannot be)."""
        if not self.serve:
            return
        if self.app_spec and self._user_app is None:
            from ..serve.userapp import import_app, is_asgi, prepare_app

            app = prepare_app(import_app(self.app_spec, config.root), config.path)
            if is_asgi(app):  # Quart, Starlette, FastAPI: on an event loop of its own
                from ..serve.asgiwsgi import ASGIInWSGI

                app = ASGIInWSGI(app)
            self._user_app = app
        self._app = make_site_app(
            config, reload_url=EVENTS_PATH, app=self._user_app, report=self.report
        )

    def mark_ready(self) -> None:
        """Serve pages from now on (``watch``: after its first build, failed or not, and when
        it stops): the requests waiting meanwhile go on."""
        self._ready.set()

    def built(self) -> None:
        """A build was just made: the user's app renders its templates from now on
        (``serve.forget.forget_templates``)."""
        if self._user_app is not None:
            from ..serve.forget import forget_templates

            forget_templates()

    def close_user_app(self) -> None:
        """Run the lifespan shutdown of the user's ASGI app (its shutdown handlers: an app's
        database connections, LNbits' tasks) and stop its event loop; nothing for a WSGI app.
        Without it the app's lifespan task was dropped, still waiting, when the process ended."""
        from ..serve.asgiwsgi import ASGIInWSGI

        app, self._user_app = self._user_app, None
        if isinstance(app, ASGIInWSGI):
            app.close()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/") or "/"
        if path == EVENTS_PATH:
            return self.events(environ, start_response)
        if self.serve and not self._ready.is_set():
            # a page opened while ``watch`` starts (its app importing, its first build: a
            # second or more) waits for them, rather than be told this server serves no pages
            # or render before there is a build
            self._ready.wait(READY_SECONDS)
            if self._app is None:
                return _text(
                    start_response,
                    "503 Service Unavailable",
                    "assetpipe watch is still starting (its app, its first build): reload in a"
                    " moment\n",
                    [("Retry-After", "1")],
                )
        if self._app is None:
            return _text(
                start_response,
                "404 Not Found",
                "assetpipe watch --no-serve: only the live-reload stream "
                f"({EVENTS_PATH}) is served here\n",
            )
        return self._app(environ, start_response)

    def events(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        cors = cors_headers(environ)
        if method == "OPTIONS":
            start_response(
                "204 No Content",
                [
                    *cors,
                    ("Access-Control-Allow-Methods", "GET, OPTIONS"),
                    ("Access-Control-Allow-Headers", "Cache-Control, Last-Event-ID"),
                    ("Access-Control-Max-Age", "600"),
                    ("Content-Length", "0"),
                ],
            )
            return []
        if method not in ("GET", "HEAD"):
            return _text(
                start_response,
                "405 Method Not Allowed",
                "GET only\n",
                [("Allow", "GET, OPTIONS"), *cors],
            )
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/event-stream; charset=utf-8"),
                ("Cache-Control", "no-cache, no-transform"),
                ("X-Accel-Buffering", "no"),
                *cors,
            ],
        )
        if method == "HEAD":
            return []
        return self._stream()

    def _stream(self) -> Iterator[bytes]:
        q = self.broker.subscribe()
        try:
            yield b"retry: 500\n: assetpipe live reload\n\n"
            while True:
                try:
                    msg = q.get(timeout=self.ping_seconds)
                except queue.Empty:
                    yield b": ping\n\n"  # finds clients that went away
                    continue
                if msg is None:
                    return
                yield msg
        finally:
            self.broker.unsubscribe(q)


def _log_report(text: str, hint: str | None) -> None:
    log.error("%s%s", text, f"\nhint: {hint}" if hint else "")


def make_site_app(
    config: Config, reload_url: str, app: Any = None, report: Report | None = None
) -> WSGIApp:
    """``pages:`` (or the user's WSGI ``app``) wrapped in the serving middleware in dev mode
    (injects the reload client). A path under ``public_path`` naming no file of the build goes
    on to the user's ``app``, as under ``AssetPipe(app)`` in production: its own layer answers
    an extension's blueprint files by the hashed names it gives them (Flask-AppBuilder's
    ``/static/appbuilder/...`` on Airflow's pages were 404s under ``watch``)."""
    from ..serve import AssetMiddleware

    inner: WSGIApp
    if app is not None:
        from ..serve.userapp import RenderErrors

        inner = RenderErrors(uncompressed(app), report or _log_report)
    else:
        from ..jinja import install
        from ..serve.pages import PagesApp

        pages = PagesApp(config)
        # asset_url()/asset_tags() must see a rebuild at once (the default re-checks once a
        # second, which a page reloaded right after a rebuild would miss): one stat per call
        install(
            pages.env,
            config.output / "manifest.json",
            config.public_path,
            check_interval=0.0,
            integrity=config.templates.integrity,
        )
        inner = pages
    site: WSGIApp = AssetMiddleware(
        inner,
        output=config.output,
        public_path=config.public_path,
        dev=True,
        reload_url=reload_url,
        source_paths=config.serve.source_paths,
        fallback=app is not None,
    )
    return site


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("devserver: " + format, *args)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        set_nodelay(conn)  # wsgiref writes headers and body apart: no delayed-ACK stalls
        return conn, addr


class _Server6(_Server):
    address_family = socket.AF_INET6


class DevServer:
    """A running dev server: ``start()`` binds (port 0 picks a free one), ``close()`` ends the
    streams and stops serving."""

    def __init__(self, app: DevApp, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        cls = _Server6 if ":" in self.host else _Server
        self._server = make_server(
            self.host, self.port, self.app, server_class=cls, handler_class=_Handler
        )
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="assetpipe-devserver",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def close(self) -> None:
        from ..serve.userapp import monkey_patched

        self.app.broker.close()
        # an --app import that monkey-patched the process (refused: ``import_app``) left locks
        # that are gevent's now: waiting for the serving thread raised gevent's LoopExit over
        # that error; the thread is a daemon, gone with the process
        wait = monkey_patched() is None
        if self._server is not None:
            if wait:
                self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            if wait:
                self._thread.join(timeout=5)
            self._thread = None
        self.app.close_user_app()
