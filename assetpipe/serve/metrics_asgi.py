"""Prometheus metrics for ASGI apps (Starlette, FastAPI, any ASGI callable): the same metric
names and labels as the WSGI ``MetricsMiddleware`` (see ``assetpipe.serve.metrics``).

    from assetpipe.serve.metrics_asgi import MetricsMiddleware, metrics_app
    app = MetricsMiddleware(app)          # outermost: sees every response
    # and serve metrics_app at /metrics, e.g. Starlette's Mount("/metrics", metrics_app)

The route label is what ``route(scope)`` returns when the response is complete; the default
reads the matched route's template that FastAPI leaves in the scope (``scope["route"].path``,
such as ``/api/items/{item_id}``), else ``other``: with another framework, pass ``route=``
(never the raw path, whose values would make a label per item). Several worker
processes (``uvicorn --workers N``, gunicorn with uvicorn workers): set
``PROMETHEUS_MULTIPROC_DIR`` as for WSGI, and ``metrics_app`` reports the sum over all workers.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from . import observe
from .metrics import enable, registry

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def scope_route(scope: Scope) -> str:
    """The route label: the matched route's path template (FastAPI's ``scope["route"]``), else
    ``other``."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    return str(path) if path else "other"


class MetricsMiddleware:
    """Measure every HTTP response of an ASGI app: ``assetpipe_http_requests_total``, the
    latency histogram (from the call to the last body message handed to the server) and the
    body bytes sent. Other scopes (lifespan, websocket) pass through. Enables the metrics."""

    def __init__(self, app: ASGIApp, route: Callable[[Scope], str] = scope_route) -> None:
        self.app = app
        self.route = route
        enable()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "encoding": "identity", "sent": 0, "done": False}

        def record() -> None:
            if not state["done"]:
                state["done"] = True
                observe.request(
                    self.route(scope),
                    state["status"],
                    state["encoding"],
                    time.perf_counter() - t0,
                    0,
                    state["sent"],
                )

        async def measured(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                state["status"] = int(message.get("status", 200))
                for name, value in message.get("headers", ()):
                    if bytes(name).lower() == b"content-encoding":
                        state["encoding"] = bytes(value).decode("latin-1")
            elif kind == "http.response.body":
                state["sent"] += len(message.get("body", b""))
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                record()

        try:
            await self.app(scope, receive, measured)
        finally:
            record()  # a response never finished (an error, a client gone): counted as it stood


async def metrics_app(scope: Scope, receive: Receive, send: Send) -> None:
    """ASGI app: the Prometheus text exposition of ``metrics.registry()`` (every worker's
    samples in multiprocess mode)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    if scope["type"] != "http":
        return
    enable()
    body = generate_latest(registry())
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", CONTENT_TYPE_LATEST.encode("latin-1")),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
