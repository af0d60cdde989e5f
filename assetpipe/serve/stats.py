"""Serving statistics and ``stats_app``, a small WSGI app that reports them as JSON.

The monitoring endpoints of the original platform plan: requests served (by status and encoding),
bytes sent, bytes saved by compression (precompressed and dynamic), and every ``ttl_cache``'s hit
rate. Counters are process-wide (one ``Stats`` object), updated under a lock.

    from assetpipe.serve import stats_app
    app = DispatcherMiddleware(app, {"/__stats": stats_app})     # or mount it in your router
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .cache import all_cache_stats


class Stats:
    """Process-wide counters for the asset and compression middlewares."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.bytes_sent = 0
            self.saved_precompressed = 0
            self.by_status: dict[int, int] = {}
            self.by_encoding: dict[str, int] = {}
            self.dynamic_responses = 0
            self.dynamic_in = 0
            self.dynamic_out = 0

    def asset(self, status: int, encoding: str, sent: int, identity_size: int) -> None:
        """Count one response of the asset middleware."""
        with self._lock:
            self.requests += 1
            self.bytes_sent += sent
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if status == 200:
                self.by_encoding[encoding] = self.by_encoding.get(encoding, 0) + 1
                if encoding != "identity":
                    self.saved_precompressed += max(identity_size - sent, 0)

    def dynamic(self, size_in: int, size_out: int) -> None:
        """Count one response compressed by ``CompressMiddleware``."""
        with self._lock:
            self.dynamic_responses += 1
            self.dynamic_in += size_in
            self.dynamic_out += size_out

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "uptime_seconds": round(time.time() - self.started, 3),
                "assets": {"requests": self.requests, "bytes_sent": self.bytes_sent,
                           "bytes_saved": self.saved_precompressed,
                           "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
                           "by_encoding": dict(sorted(self.by_encoding.items()))},
                "compression": {"responses": self.dynamic_responses,
                                "bytes_in": self.dynamic_in, "bytes_out": self.dynamic_out,
                                "bytes_saved": self.dynamic_in - self.dynamic_out,
                                "ratio": round(self.dynamic_out / self.dynamic_in, 4)
                                if self.dynamic_in else None},
                "caches": all_cache_stats(),
            }


STATS = Stats()


def stats_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI app: ``GET`` → the statistics as JSON (``Cache-Control: no-store``)."""
    if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"),
                                                  ("Content-Length", "0")])
        return [b""]
    body = json.dumps(STATS.snapshot(), indent=2, sort_keys=True).encode() + b"\n"
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body))),
                              ("Cache-Control", "no-store")])
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
