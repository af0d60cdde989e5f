"""Serving statistics and ``stats_app``, a small WSGI app that reports them as JSON.

The monitoring endpoints of the original platform plan: requests served (by status and encoding),
bytes sent, bytes saved by compression (precompressed and dynamic), every ``ttl_cache``'s and
``ResponseCache``'s counts and hit rate. These counters are per process (one ``Stats`` object,
updated under a lock); with the Prometheus metrics enabled (``assetpipe.serve.metrics``), the
``all_workers`` section gives the totals over every worker process (multiprocess mode).

    from assetpipe.serve import stats_app
    app = DispatcherMiddleware(app, {"/__stats": stats_app})     # or mount it in your router
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import observe
from .cache import all_cache_stats
from .rcache.core import all_response_cache_stats
from .tally import Tally

if TYPE_CHECKING:
    from .files import FileTable


@dataclass(slots=True)
class _Counted:
    """A representation's fast-path counters and sizes, without its bytes."""

    encoding: str
    size: int
    identity_size: int
    served: Tally
    not_modified: Tally


class Stats:
    """Process-wide counters for the asset and compression middlewares.

    The hot path (a 200 or 304 of a file in memory) counts on the representation itself
    (``next()`` of a ``Tally``); bytes follow from the counts
    and sizes when a snapshot is taken. Everything else counts here under a lock. Tables that
    a reload replaces are folded into the totals (``retire``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        #: the counters of each registered table (no bytes), by token
        self._live: dict[int, list[_Counted]] = {}
        self._tokens: weakref.WeakKeyDictionary[FileTable, int] = weakref.WeakKeyDictionary()
        #: tokens of tables collected without ``retire`` (a dropped middleware), appended by
        #: their finalizers without the lock (a finalizer may run while this thread holds it)
        self._dead: list[int] = []
        self._next_token = itertools.count()
        self._retired: list[_Counted] = []
        self.reset()

    def register(self, table: FileTable) -> None:
        """Count the fast-path requests of ``table`` from now on (``TableHolder`` registers each
        table it loads). A table dropped without ``retire`` keeps its counts."""
        records = list(self._counted(table))
        with self._lock:
            self._reap()
            if table in self._tokens:
                return
            token = next(self._next_token)
            self._tokens[table] = token
            self._live[token] = records
        weakref.finalize(table, self._dead.append, token).atexit = False

    def retire(self, table: FileTable) -> None:
        """A reload replaced ``table``: keep only its counters (not its bytes), still read at
        each snapshot, since a request that found a file in it just before the swap may count
        on it just after; the previous retiree's counters are folded into the totals (its
        requests are long over)."""
        with self._lock:
            self._reap()
            token = self._tokens.pop(table, None)
            if token is not None:
                self._fold(self._retired, self)
                self._retired = self._live.pop(token)

    def _reap(self) -> None:
        """Fold the counters of tables collected without ``retire`` into the totals (no request
        can count on them any more: one in flight keeps its middleware, hence its table)."""
        while self._dead:
            records = self._live.pop(self._dead.pop(), None)  # None: retired before it died
            if records is not None:
                self._fold(records, self)

    @staticmethod
    def _counted(table: FileTable) -> Iterator[_Counted]:
        for sf in table.files.values():
            for rep in (sf.identity, *sf.alternatives.values()):
                yield _Counted(
                    rep.encoding, rep.size, sf.identity.size, rep.served, rep.not_modified
                )

    @staticmethod
    def _fold(records: Iterable[_Counted], into: Any) -> None:
        for r in records:
            n200, n304 = r.served.value, r.not_modified.value
            if not (n200 or n304):
                continue
            into.requests += n200 + n304
            into.bytes_sent += n200 * r.size
            into.by_status[200] = into.by_status.get(200, 0) + n200
            into.by_status[304] = into.by_status.get(304, 0) + n304
            if n200:
                into.by_encoding[r.encoding] = into.by_encoding.get(r.encoding, 0) + n200
            if r.encoding != "identity":
                into.saved_precompressed += n200 * max(r.identity_size - r.size, 0)

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
        observe.compressed("dynamic", size_in, size_out)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            self._reap()
            t = _Totals(self)
            for records in self._live.values():
                self._fold(records, t)
            self._fold(self._retired, t)
            return {
                "uptime_seconds": round(time.time() - self.started, 3),
                "assets": {
                    "requests": t.requests,
                    "bytes_sent": t.bytes_sent,
                    "bytes_saved": t.saved_precompressed,
                    "by_status": {str(k): v for k, v in sorted(t.by_status.items())},
                    "by_encoding": dict(sorted(t.by_encoding.items())),
                },
                "compression": {
                    "responses": self.dynamic_responses,
                    "bytes_in": self.dynamic_in,
                    "bytes_out": self.dynamic_out,
                    "bytes_saved": self.dynamic_in - self.dynamic_out,
                    "ratio": round(self.dynamic_out / self.dynamic_in, 4)
                    if self.dynamic_in
                    else None,
                },
                "caches": all_cache_stats(),
                "response_caches": all_response_cache_stats(),
                **_all_workers(),
            }


def _all_workers() -> dict[str, Any]:
    """With the Prometheus metrics enabled: their totals over every worker process (in
    multiprocess mode), whichever worker answers."""
    from . import metrics

    if metrics.enabled() is None:
        return {}
    return {"all_workers": metrics.aggregate()}


class _Totals:
    """A copy of the locked counters, to which live tables are added for a snapshot."""

    def __init__(self, stats: Stats) -> None:
        self.requests = stats.requests
        self.bytes_sent = stats.bytes_sent
        self.saved_precompressed = stats.saved_precompressed
        self.by_status = dict(stats.by_status)
        self.by_encoding = dict(stats.by_encoding)


STATS = Stats()


def stats_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI app: ``GET`` → the statistics as JSON (``Cache-Control: no-store``)."""
    if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
        return [b""]
    body = json.dumps(STATS.snapshot(), indent=2, sort_keys=True).encode() + b"\n"
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
