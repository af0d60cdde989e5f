"""Transferred bytes and request counts by resource type, counted from the network.

Resource Timing cannot do this (``transferSize`` is 0 for cross-origin responses without
``Timing-Allow-Origin`` and for cache hits, and its buffer holds 250 entries by default), so each
page's CDP session reports every request: ``Network.loadingFinished.encodedDataLength`` is what
crossed the (emulated) wire, headers included, and 0 for a response served from the HTTP cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: Our resource types (Lighthouse's resource-summary names) from CDP's ``Network.ResourceType``.
#: Long-lived or repeating connections that never settle (see ``NetworkLog``).
BACKGROUND_CDP_TYPES = frozenset({"EventSource", "WebSocket", "Ping", "CSPViolationReport"})
CDP_TYPES = {
    "Document": "document",
    "Script": "script",
    "Stylesheet": "stylesheet",
    "Image": "image",
    "Font": "font",
    "Media": "media",
}
TYPES = ("document", "script", "stylesheet", "image", "font", "media", "other")
KEYS = (*TYPES, "third-party", "total")


@dataclass
class Request:
    """One request as the network saw it (times in ms from the first request)."""

    url: str
    type: str
    start: float
    status: int = 0
    response: float | None = None
    end: float | None = None
    bytes: int = 0
    from_cache: bool = False
    failed: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    third_party: bool = False
    hashed: bool = False
    background: bool = False
    #: The server's own time for the response (ms): CDP's ``receiveHeadersEnd - sendEnd``,
    #: which under emulated latency includes that latency (see ``server_ms``).
    server: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "type": self.type,
            "status": self.status,
            "start": round(self.start, 1),
            "response": None if self.response is None else round(self.response, 1),
            "end": None if self.end is None else round(self.end, 1),
            "bytes": self.bytes,
            "from_cache": self.from_cache,
            "failed": self.failed,
            "hashed": self.hashed,
            "background": self.background,
            "encoding": self.headers.get("content-encoding"),
            "cache_control": self.headers.get("cache-control"),
        }


class NetworkLog:
    """Listens to one page's CDP session (call before navigating; needs ``Network.enable``).

    A request is *background* when it does not belong to loading the page: an EventSource or
    WebSocket, a worker's script (its loading finishes on the worker's own target, so the page
    never sees it end), or a URL (query left out) requested before in this load, i.e. a poll.
    Background requests are counted like any other, but the settle window (``observe``) ignores
    them; ``last_foreground`` is the monotonic time of the last foreground network event.
    """

    def __init__(self, cdp: Any, is_hashed: Callable[[str], bool]) -> None:
        self.requests: dict[str, Request] = {}
        self.order: list[str] = []
        self.t0: float | None = None
        self.origin: str | None = None
        self.is_hashed = is_hashed
        self.last_event = time.monotonic()
        self.last_foreground = self.last_event
        self._seen: set[str] = set()
        self.closed = False
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.requestServedFromCache", self._cached)

    def _ms(self, timestamp: float, req: Request | None = None) -> float:
        self.last_event = time.monotonic()
        if req is None or not req.background:
            self.last_foreground = self.last_event
        if self.t0 is None:
            self.t0 = timestamp
        return (timestamp - self.t0) * 1000.0

    def close(self) -> None:
        """Ignore requests sent from now on (the audit's own: ``CSS.enable`` fetches every
        stylesheet again to read its text); those in flight still finish."""
        self.closed = True

    def _sent(self, ev: dict[str, Any]) -> None:
        url = ev["request"]["url"]
        if self.closed and ev["requestId"] not in self.requests:
            return

        if url.startswith(("data:", "blob:")):
            return
        rid = ev["requestId"]
        prev = self.requests.get(rid)
        if prev is not None and ev.get("redirectResponse"):
            # A redirect reuses the request id: keep the hop as its own entry.
            self.requests[f"{rid}#{len(self.order)}"] = prev
            prev.status = ev["redirectResponse"].get("status", 0)
            prev.end = self._ms(ev["timestamp"])
        kind = CDP_TYPES.get(ev.get("type") or "", "other")
        parts = urlsplit(url)
        bare = url.split("?", 1)[0].split("#", 1)[0]
        # A worker's script is its own document (``documentURL`` is its URL) but not a Document.
        worker = ev.get("documentURL") == url and ev.get("type") != "Document"
        background = ev.get("type") in BACKGROUND_CDP_TYPES or bare in self._seen or worker
        self._seen.add(bare)
        req = Request(url=url, type=kind, start=0.0, background=background)
        req.start = self._ms(ev["timestamp"], req)
        if self.origin is None:
            self.origin = f"{parts.scheme}://{parts.netloc}"
        req.third_party = f"{parts.scheme}://{parts.netloc}" != self.origin
        req.hashed = not req.third_party and self.is_hashed(parts.path)
        self.requests[rid] = req
        self.order.append(rid)

    def _response(self, ev: dict[str, Any]) -> None:
        req = self.requests.get(ev["requestId"])
        if req is None:
            return
        resp = ev["response"]
        req.status = int(resp.get("status", 0))
        req.response = self._ms(ev["timestamp"], req)
        req.headers = {str(k).lower(): str(v) for k, v in (resp.get("headers") or {}).items()}
        timing = resp.get("timing") or {}
        if "receiveHeadersEnd" in timing and "sendEnd" in timing:
            req.server = float(timing["receiveHeadersEnd"]) - float(timing["sendEnd"])
        if resp.get("fromDiskCache") or resp.get("fromPrefetchCache"):
            req.from_cache = True

    def _cached(self, ev: dict[str, Any]) -> None:
        req = self.requests.get(ev["requestId"])
        if req is not None:
            req.from_cache = True

    def _finished(self, ev: dict[str, Any]) -> None:
        req = self.requests.get(ev["requestId"])
        if req is None:
            return
        req.end = self._ms(ev["timestamp"], req)
        req.bytes = int(ev.get("encodedDataLength") or 0)

    def _failed(self, ev: dict[str, Any]) -> None:
        req = self.requests.get(ev["requestId"])
        if req is None:
            return
        req.end = self._ms(ev["timestamp"], req)
        req.failed = str(ev.get("errorText") or "failed")

    def pending(self) -> int:
        """Requests sent and not yet finished or failed."""
        return sum(1 for r in self.requests.values() if r.end is None)

    def pending_foreground(self) -> int:
        """Foreground requests sent and not yet finished or failed."""
        return sum(1 for r in self.requests.values() if r.end is None and not r.background)

    def entries(self) -> list[Request]:
        """Every request in the order it was sent (redirect hops included)."""
        seen: list[Request] = []
        for req in self.requests.values():
            if req not in seen:
                seen.append(req)
        return sorted(seen, key=lambda r: r.start)

    def summary(self) -> tuple[dict[str, int], dict[str, int]]:
        """(bytes, requests) by type, plus ``third-party`` and ``total`` (Lighthouse's
        resource-summary keys). Cache hits count as requests with 0 bytes, as in Lighthouse."""
        nbytes = dict.fromkeys(KEYS, 0)
        counts = dict.fromkeys(KEYS, 0)
        for req in self.entries():
            for key in (req.type, "total", *(("third-party",) if req.third_party else ())):
                nbytes[key] += req.bytes
                counts[key] += 1
        return nbytes, counts
