"""Prometheus metrics for the serving side (``pip install 'assetpipe[metrics]'``).

    from assetpipe.serve.metrics import MetricsMiddleware, metrics_app, track_flask_routes
    track_flask_routes(app)                               # the route label: Flask's URL rule
    app.wsgi_app = MetricsMiddleware(app.wsgi_app)        # outermost: sees every response
    # mount metrics_app at /metrics (and stats_app at /__stats): see the README

Metric names (stable; label values in brackets):

- ``assetpipe_http_requests_total{route, status, encoding}`` — responses, by route (Flask's URL
  rule such as ``/api/items/<int:item_id>`` with ``track_flask_routes(app)``, or what
  ``MetricsMiddleware(app, route=...)`` returns for the environ; ``other`` when unknown),
  status code and Content-Encoding (``identity``, ``br``, ``gzip``, ``zstd``).
- ``assetpipe_http_request_duration_seconds{route}`` — histogram, from the call to the last
  body byte handed to the server.
- ``assetpipe_http_response_bytes_total{route, encoding}`` — body bytes sent.
- ``assetpipe_compression_saved_bytes_total{source}`` — identity bytes minus bytes sent, for
  ``dynamic`` (``CompressMiddleware``) and ``response_cache`` (stored encodings) responses.
- ``assetpipe_cache_requests_total{cache, result}`` — lookups of each response cache and
  ``ttl_cache`` (``cache``: its name), ``result`` one of ``hit``, ``miss``, ``wait`` (waited for
  another caller's computation), ``bypass`` (not cacheable).
- ``assetpipe_cache_evictions_total{cache}``, ``assetpipe_cache_stores_total{cache}``,
  ``assetpipe_cache_invalidations_total{cache}``, ``assetpipe_cache_not_modified_total{cache}``,
  ``assetpipe_cache_wait_timeouts_total{cache}``, ``assetpipe_cache_errors_total{cache}``.

Hit rate in Grafana: ``sum by (cache) (rate(assetpipe_cache_requests_total{result="hit"}[5m]))
/ sum by (cache) (rate(assetpipe_cache_requests_total{result=~"hit|miss|wait"}[5m]))``.

**Several worker processes** (gunicorn ``-w N``): set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory before the server starts (prometheus_client's multiprocess mode: each process writes
its samples to memory-mapped files there), and in the gunicorn config::

    from assetpipe.serve.metrics import child_exit   # noqa: F401 (gunicorn hook)

``metrics_app`` then reports the sum over all workers, whichever worker answers, and so does
``stats_app``'s ``all_workers`` section.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import observe

Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]
BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.15,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
_CACHE_RESULTS = frozenset({"hit", "miss", "wait", "bypass"})
_CACHE_EVENTS = {
    "eviction": "evictions",
    "store": "stores",
    "invalidation": "invalidations",
    "not_modified": "not_modified",
    "timeout": "wait_timeouts",
    "error": "errors",
}


class Metrics:
    """The metric objects (created once per process by ``enable``)."""

    def __init__(self, registry: Any = None) -> None:
        from prometheus_client import REGISTRY, Counter, Histogram

        reg = registry if registry is not None else REGISTRY
        self.requests = Counter(
            "assetpipe_http_requests_total",
            "HTTP responses",
            ["route", "status", "encoding"],
            registry=reg,
        )
        self.latency = Histogram(
            "assetpipe_http_request_duration_seconds",
            "Time to the last body byte",
            ["route"],
            buckets=BUCKETS,
            registry=reg,
        )
        self.sent = Counter(
            "assetpipe_http_response_bytes_total",
            "Body bytes sent",
            ["route", "encoding"],
            registry=reg,
        )
        self.saved = Counter(
            "assetpipe_compression_saved_bytes_total",
            "Identity bytes minus bytes sent",
            ["source"],
            registry=reg,
        )
        self.cache = Counter(
            "assetpipe_cache_requests_total",
            "Cache lookups by result",
            ["cache", "result"],
            registry=reg,
        )
        self.events = {
            event: Counter(
                f"assetpipe_cache_{name}_total", f"Cache {name}", ["cache"], registry=reg
            )
            for event, name in _CACHE_EVENTS.items()
        }

    def on_cache(self, name: str, event: str, n: int) -> None:
        if event in _CACHE_RESULTS:
            self.cache.labels(name, event).inc(n)
        else:
            counter = self.events.get(event)
            if counter is not None and n:
                counter.labels(name).inc(n)

    def on_request(
        self, route: str, status: int, encoding: str, seconds: float, size_in: int, size_out: int
    ) -> None:
        self.requests.labels(route, str(status), encoding).inc()
        self.latency.labels(route).observe(seconds)
        self.sent.labels(route, encoding).inc(size_out)

    def on_compressed(self, source: str, size_in: int, size_out: int) -> None:
        if size_in > size_out:
            self.saved.labels(source).inc(size_in - size_out)


_metrics: Metrics | None = None
_lock = threading.Lock()


def enable() -> Metrics:
    """Create the metrics (once per process) and subscribe them to the serving events."""
    global _metrics
    with _lock:
        if _metrics is None:
            _metrics = Metrics()
            observe.on_cache(_metrics.on_cache)
            observe.on_request(_metrics.on_request)
            observe.on_compressed(_metrics.on_compressed)
        return _metrics


def enabled() -> Metrics | None:
    """The metrics if ``enable`` was called in this process."""
    return _metrics


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def registry() -> Any:
    """The registry to expose: every worker's samples in multiprocess mode, else this one's."""
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    if not multiprocess():
        return REGISTRY
    reg = CollectorRegistry()
    MultiProcessCollector(reg)  # type: ignore[no-untyped-call]
    return reg


def metrics_app(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI app: the Prometheus text exposition of ``registry()``."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    enable()
    body = generate_latest(registry())
    start_response(
        "200 OK",
        [
            ("Content-Type", CONTENT_TYPE_LATEST),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def aggregate() -> dict[str, Any]:
    """The metrics summed over every worker (multiprocess mode) or this process, as a dict:
    requests by status/route/encoding, compression savings, and each cache's counts."""
    enable()
    out: dict[str, Any] = {
        "requests": 0,
        "by_status": {},
        "by_route": {},
        "by_encoding": {},
        "compression_saved_bytes": {},
        "caches": {},
    }
    for family in registry().collect():
        for s in family.samples:
            v = int(s.value)
            if s.name == "assetpipe_http_requests_total":
                out["requests"] += v
                for key, label in (
                    ("by_status", "status"),
                    ("by_route", "route"),
                    ("by_encoding", "encoding"),
                ):
                    d = out[key]
                    d[s.labels[label]] = d.get(s.labels[label], 0) + v
            elif s.name == "assetpipe_compression_saved_bytes_total":
                out["compression_saved_bytes"][s.labels["source"]] = v
            elif s.name == "assetpipe_cache_requests_total":
                c = out["caches"].setdefault(s.labels["cache"], {})
                c[s.labels["result"]] = c.get(s.labels["result"], 0) + v
            elif s.name.startswith("assetpipe_cache_") and s.name.endswith("_total"):
                c = out["caches"].setdefault(s.labels["cache"], {})
                c[s.name[len("assetpipe_cache_") : -len("_total")]] = v
    for c in out["caches"].values():
        looked = sum(c.get(k, 0) for k in ("hit", "miss", "wait"))
        c["hit_rate"] = round(c.get("hit", 0) / looked, 4) if looked else 0.0
    return out


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook (import it into the gunicorn config): drop a dead worker's live gauges."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


ROUTE_KEY = "assetpipe.route"


def track_flask_routes(app: Any) -> None:
    """Record each request's URL rule (``/api/items/<int:item_id>``) for the route label: a
    ``before_request`` hook (the rule is gone from the request once the response is out)."""

    def record() -> None:
        from flask import request

        rule = request.url_rule
        request.environ[ROUTE_KEY] = rule.rule if rule is not None else "other"

    _RECORDERS.add(record)
    app.before_request(record)


_RECORDERS: weakref.WeakSet[Callable[[], None]] = weakref.WeakSet()


def is_route_recorder(func: Callable[..., Any]) -> bool:
    """Whether ``func`` is a ``track_flask_routes`` hook (``rcache.flask.answer_hits_early``
    records the route itself for the hits it answers, so the hook does not stop it)."""
    return func in _RECORDERS


def flask_route(environ: Environ) -> str:
    """The route label: what ``track_flask_routes`` recorded, else ``other``."""
    return str(environ.get(ROUTE_KEY) or "other")


class MetricsMiddleware:
    """Measure every response of a WSGI app (see the module doc); ``route(environ)``, called
    when the response is complete, names the route label (default: the Flask URL rule recorded
    by ``track_flask_routes``). Enables the metrics."""

    def __init__(self, app: WSGIApp, route: Callable[[Environ], str] = flask_route) -> None:
        self.app = app
        self.route = route
        enable()

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        t0 = time.perf_counter()
        state: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            state["status"] = int(status[:3])
            state["encoding"] = next(
                (v for k, v in headers if k.lower() == "content-encoding"), "identity"
            )
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        return _Measured(
            result,
            lambda sent: observe.request(
                self.route(environ),
                state.get("status", 500),
                state.get("encoding", "identity"),
                time.perf_counter() - t0,
                0,
                sent,
            ),
        )


class _Measured:
    """The app's body, passed on; when it is closed the response is recorded."""

    def __init__(self, result: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.result, self.done, self.sent = result, done, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.result:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.sent)
