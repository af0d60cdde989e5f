"""``ResponseCache``: the decisions and the flow shared by the WSGI, ASGI and Flask adapters.

A request is looked up by its key; a hit is answered from the stored entry (negotiated
encoding, ``If-None-Match`` → 304, HEAD) without calling the app. A miss takes the key's lock
(single flight: one caller renders, the others wait for it and then read the entry), runs the
app as a GET, and stores the response once per representation if it may be shared (when it may
not, the key skips single flight for ``PASS_SECONDS``, so callers do not queue behind one
another for a response none of them can use):

- only GET and HEAD requests, and responses whose status is in ``statuses`` (200);
- never a response with ``Set-Cookie``, ``Cache-Control: private``/``no-store``/``no-cache``,
  or ``Vary: *``;
- never for an authenticated user (an ``Authorization`` header or ``REMOTE_USER``, or a response
  that varies on ``Cookie``/``Authorization``) unless the rule's key includes the user
  (``user=``): then each user has their own entries.

Keys: the rule's ``key`` (default: ``path?query`` with the parameters sorted; a
sequence such as ``("path", "query:page", "header:X-Tenant")``, or a callable of the ``Request``)
names the *resource*, which ``invalidate(key)`` drops with all its variants. Each variant adds the
user (``user(request)``) and the values of the request headers the response's ``Vary`` names
(Accept-Encoding aside: every encoding lives in the one entry). ``tags`` (a sequence or a callable
of the request) label entries for ``invalidate_tag``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import observe
from ..compress import DEFAULT_MIMETYPES
from .backend import Backend, MemoryBackend
from .entry import Entry, Reply, build_entry
from .rules import Captured, Request, Rule, response_vary, uncacheable

log = logging.getLogger("assetpipe.serve")

#: how long a key whose response could not be stored skips single flight
PASS_SECONDS = 10.0
_REGISTRY: dict[str, ResponseCache] = {}
_REGISTRY_LOCK = threading.Lock()
_EVENTS = (
    "hit",
    "miss",
    "wait",
    "bypass",
    "store",
    "eviction",
    "invalidation",
    "not_modified",
    "timeout",
    "error",
)


class ResponseCache:
    """A named response cache over a ``Backend`` (default: ``MemoryBackend()``).

    Options: ``ttl`` (default for rules), ``encodings`` stored besides identity (br, gzip),
    ``brotli_quality``/``gzip_level`` (paid once per store), ``minimum_size`` (smaller bodies
    are stored identity only), ``max_body`` (bigger responses are not stored), ``wait_timeout``
    (how long a caller waits for another's render before rendering itself), ``lock_timeout``
    (how long a render may hold the key's lock), ``mimetypes`` (compressible types)."""

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        name: str = "default",
        ttl: float = 60.0,
        encodings: Sequence[str] = ("br", "gzip"),
        brotli_quality: int = 6,
        gzip_level: int = 6,
        minimum_size: int = 500,
        max_body: int = 4 * 1024 * 1024,
        wait_timeout: float = 10.0,
        lock_timeout: float = 30.0,
        mimetypes: Iterable[str] = DEFAULT_MIMETYPES,
    ) -> None:
        self.backend: Backend = backend if backend is not None else MemoryBackend()
        self.name = name
        self.ttl = ttl
        self.encodings = tuple(encodings)
        self.brotli_quality = brotli_quality
        self.gzip_level = gzip_level
        self.minimum_size = minimum_size
        self.max_body = max_body
        self.wait_timeout = wait_timeout
        self.lock_timeout = lock_timeout
        self.mimetypes = frozenset(mimetypes)
        self._lock = threading.Lock()
        self._passes: dict[str, float] = {}
        self.counts = dict.fromkeys(_EVENTS, 0)
        with _REGISTRY_LOCK:
            _REGISTRY[name] = self

    # -- counting -------------------------------------------------------------------------
    def count(self, event: str, n: int = 1) -> None:
        with self._lock:
            self.counts[event] += n
        observe.cache(self.name, event, n)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            c: dict[str, Any] = dict(self.counts)
        looked = c["hit"] + c["miss"] + c["wait"]
        c["hit_rate"] = round(c["hit"] / looked, 4) if looked else 0.0
        c["size"] = self.backend.size() if not self.backend.blocking else None
        return c

    # -- keys -----------------------------------------------------------------------------
    def keys(self, req: Request, rule: Rule) -> tuple[str, str | None, bool]:
        """(base key, user part or None, whether the request may use the cache at all)."""
        base = f"{self.name}|{rule.resource(req)}"
        user = rule.user(req) if rule.user is not None else None
        if req.authenticated and user is None:
            return base, None, False
        return base, user, True

    @staticmethod
    def variant(base: str, user: str | None, vary: Sequence[str], req: Request) -> str:
        """The stored entry's key: the resource, then the host (one app can answer several
        hosts, e.g. Flask's host matching, with different content on one path: as Django's
        cache keys on the absolute URL), the user and the response's ``Vary`` headers. The
        host is in the variant, not the resource, so ``invalidate(key)`` drops every host's."""
        parts = [base, "h=" + req.header("host").lower(), "u=" + (user or "")]
        parts += [f"{h}={req.header(h)}" for h in vary]
        return "\x1f".join(parts)

    # -- the flow -------------------------------------------------------------------------
    def find(self, req: Request, rule: Rule) -> Entry | None:
        """The stored entry for this request, or None (counts nothing)."""
        base, user, ok = self.keys(req, rule)
        if not ok:
            return None
        return self._find(req, base, user)

    def _find(self, req: Request, base: str, user: str | None) -> Entry | None:
        plain = self.variant(base, user, (), req)
        accept = req.header("accept-encoding") or None
        vary, entry = self.backend.lookup(base, plain, accept)
        if vary:
            entry = self.backend.fetch(self.variant(base, user, vary, req), accept)
        return entry

    def find_nearby(self, req: Request, rule: Rule) -> Entry | None:
        """The stored entry for this request if the backend has it without I/O (the Redis
        backend's near cache), else None: then ``find`` decides (the ASGI middleware answers
        these hits on the event loop, and sends only the rest to a worker thread)."""
        peek_index = getattr(self.backend, "peek_index", None)
        if peek_index is None:
            return None
        base, user, ok = self.keys(req, rule)
        if not ok:
            return None
        vary = peek_index(base)
        if vary is None:
            return None
        return self.backend.peek(self.variant(base, user, vary, req))  # type: ignore[attr-defined, no-any-return]

    def answer(self, entry: Entry, req: Request, event: str = "hit") -> Reply:
        reply = entry.reply(
            req.header("accept-encoding") or None,
            req.headers.get("if-none-match"),
            req.method == "HEAD",
        )
        self.count(event)
        if reply.status.startswith("304"):
            self.count("not_modified")
        elif reply.encoding != "identity" and reply.body:
            observe.compressed("response_cache", entry.sizes["identity"], len(reply.body))
        return reply

    def serve(
        self, req: Request, rule: Rule, run_app: Callable[[], Captured | None]
    ) -> Reply | None:
        """Answer ``req`` from the cache, rendering through ``run_app`` (the app run as a GET,
        buffered; None when its response is a stream the adapter passes on) on a miss. None:
        the adapter runs the app itself (not a cacheable request)."""
        if req.method not in ("GET", "HEAD"):
            return None
        base, user, ok = self.keys(req, rule)
        if not ok:
            self.count("bypass")
            return None
        entry = self._find(req, base, user)
        if entry is not None:
            return self.answer(entry, req)
        lock_key = self.variant(base, user, (), req)
        if self._uncacheable_lately(lock_key):  # no single flight: it would only serialise
            self.count("miss")
            return self._fill(req, rule, base, user, run_app)
        token = self.backend.acquire(lock_key, self.lock_timeout)
        if token is None:
            if not self.backend.wait(lock_key, self.wait_timeout):
                self.count("timeout")
            entry = self._find(req, base, user)
            if entry is not None:
                return self.answer(entry, req, "wait")
            self.count("miss")
            return self._fill(req, rule, base, user, run_app)
        self.count("miss")
        try:
            return self._fill(req, rule, base, user, run_app)
        finally:
            self.backend.release(lock_key, token)

    def _uncacheable_lately(self, lock_key: str) -> bool:
        """Whether this key's last response could not be stored (within ``PASS_SECONDS``): then
        callers render at once, side by side, instead of queueing behind one another's lock
        for a response none of them can share (Varnish's hit-for-miss)."""
        until = self._passes.get(lock_key)
        return until is not None and until > time.monotonic()

    def _fill(
        self,
        req: Request,
        rule: Rule,
        base: str,
        user: str | None,
        run_app: Callable[[], Captured | None],
    ) -> Reply | None:
        try:
            captured = run_app()
        except BaseException:
            self.count("error")
            raise
        if captured is None:
            return None
        head = req.method == "HEAD"
        why = uncacheable(captured, rule, user is not None)
        if why is None and len(captured.body) > self.max_body:
            why = "size"
        lock_key = self.variant(base, user, (), req)
        if why is not None:
            log.debug("not caching %s: %s", req.path, why)
            self.count("bypass")
            with self._lock:
                if len(self._passes) > 10_000:
                    self._passes.clear()
                self._passes[lock_key] = time.monotonic() + min(rule.ttl, PASS_SECONDS)
            return Reply(captured.status, captured.headers, b"" if head else captured.body)
        if self._passes:
            with self._lock:
                self._passes.pop(lock_key, None)
        entry = self.make_entry(captured, rule.tag_list(req))
        evicted = self.backend.store(
            base, self.variant(base, user, entry.vary, req), entry, rule.ttl
        )
        self.count("store")
        if evicted:
            self.count("eviction", evicted)
        return entry.reply(
            req.header("accept-encoding") or None, req.headers.get("if-none-match"), head
        )

    def make_entry(self, captured: Captured, tags: Iterable[str]) -> Entry:
        ctype = ""
        encoded = False
        for k, v in captured.headers:
            low = k.lower()
            if low == "content-type":
                ctype = v.split(";", 1)[0].strip().lower()
            elif low == "content-encoding" or (
                low == "cache-control" and "no-transform" in v.lower()
            ):
                encoded = True
        compressible = (
            not encoded
            and len(captured.body) >= self.minimum_size
            and (ctype in self.mimetypes or ctype.endswith(("+json", "+xml")))
        )
        return build_entry(
            captured.status,
            captured.headers,
            captured.body,
            compressible=compressible,
            encodings=self.encodings,
            brotli_quality=self.brotli_quality,
            gzip_level=self.gzip_level,
            vary=response_vary(captured.headers),
            tags=tags,
        )

    # -- invalidation ---------------------------------------------------------------------
    def invalidate(self, key: str) -> int:
        """Drop the resource ``key`` (what the rule's key gives: by default the path and the
        sorted query, ``"/api/items"``, ``"/api/search?q=tea"``) with all its variants."""
        n = self.backend.invalidate(f"{self.name}|{key}")
        self.count("invalidation", n)
        return n

    def invalidate_request(self, req: Request, rule: Rule) -> int:
        """Drop the resource this request names under ``rule``."""
        return self.invalidate(rule.resource(req))

    def invalidate_tag(self, tag: str) -> int:
        """Drop every entry stored with ``tag``."""
        n = self.backend.invalidate_tag(tag)
        self.count("invalidation", n)
        return n

    def clear(self) -> None:
        self.backend.clear()


def all_response_cache_stats() -> dict[str, dict[str, Any]]:
    """Statistics of every ``ResponseCache`` of this process, by name."""
    with _REGISTRY_LOCK:
        caches = dict(_REGISTRY)
    return {name: c.stats() for name, c in sorted(caches.items())}
