"""Network requests from a DevTools protocol log, as Lighthouse's network recorder builds them.

The log is the list of ``{"method": "Network.…", "params": {…}}`` messages a page's CDP session
received (``defaultPass.devtoolslog.json`` in Lighthouse's artifacts). Times are in ms on the
same monotonic clock as the trace (trace ``ts`` / 1000). A redirect becomes two requests (the
second's id gets ``:redirect``); a request's ``initiator_request`` is the one request that
unambiguously started it (by the initiator's URL, or the top script of its stack).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(eq=False)
class Request:
    """One network request (Lighthouse's ``NetworkRequest`` fields that Lantern reads)."""

    request_id: str
    url: str
    renderer_start: float
    network_start: float
    headers_end: float
    network_end: float = -1.0
    resource_type: str | None = None
    priority: str = "Low"
    initiator: dict[str, Any] = field(default_factory=dict)
    frame_id: str | None = None
    document_url: str | None = None
    protocol: str = ""
    connection_id: Any = None
    connection_reused: bool = False
    transfer_size: int = 0
    resource_size: int = 0
    from_disk_cache: bool = False
    from_memory_cache: bool = False
    status: int = 0
    mime_type: str = ""
    timing: dict[str, float] | None = None
    finished: bool = False
    failed: bool = False
    is_link_preload: bool = False
    response_time: float | None = None
    initiator_request: Request | None = None
    redirect_source: Request | None = None
    redirect_destination: Request | None = None
    redirects: list[Request] = field(default_factory=list)

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def origin(self) -> str:
        """The security origin (``scheme://host[:port]``), as Lighthouse groups connections."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return "null"
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"

    def _response(self, resp: dict[str, Any], timestamp: float, rtype: str | None) -> None:
        self.url = str(resp.get("url") or self.url)
        self.connection_id = resp.get("connectionId")
        self.connection_reused = bool(resp.get("connectionReused"))
        if resp.get("protocol"):
            self.protocol = str(resp["protocol"])
        self.transfer_size = int(resp.get("encodedDataLength") or 0)
        if isinstance(resp.get("fromDiskCache"), bool):
            self.from_disk_cache = resp["fromDiskCache"]
        self.status = int(resp.get("status") or 0)
        self.mime_type = str(resp.get("mimeType") or "")
        if rtype:
            self.resource_type = rtype
        timing = resp.get("timing")
        self.timing = None if self.from_memory_cache or not timing else dict(timing)
        response_ts = timestamp * 1000.0
        t = self.timing
        if t and t.get("requestTime", -1) != -1 and t.get("receiveHeadersEnd", -1) != -1:
            self.network_start = t["requestTime"] * 1000.0
            end = min(self.network_start + t["receiveHeadersEnd"], response_ts)
            self.headers_end = max(end, self.network_start)
            self.network_end = max(self.network_end, self.headers_end)

    def _finish(self, timestamp: float) -> None:
        self.finished = True
        self.network_end = timestamp * 1000.0
        self.headers_end = min(self.network_end, self.headers_end)
        if self.timing is not None and "receiveHeadersStart" not in self.timing:
            self.timing["receiveHeadersStart"] = self.timing.get("receiveHeadersEnd", -1)


def _new(params: dict[str, Any], request_id: str) -> Request:
    req = params.get("request") or {}
    start = float(params["timestamp"]) * 1000.0
    initiator = dict(params.get("initiator") or {})
    return Request(
        request_id=request_id,
        url=str(req.get("url") or ""),
        renderer_start=start,
        network_start=start,
        headers_end=start,
        resource_type=params.get("type"),
        priority=str(req.get("initialPriority") or "Low"),
        initiator=initiator,
        frame_id=params.get("frameId"),
        document_url=params.get("documentURL"),
        is_link_preload=initiator.get("type") == "preload" or bool(req.get("isLinkPreload")),
    )


def initiator_urls(req: Request) -> list[str]:
    """The URLs that may have started ``req``: its initiator's URL, else every script URL on
    its initiator's stack (Lantern's ``getNetworkInitiators``)."""
    init = req.initiator
    if init.get("url"):
        return [str(init["url"])]
    if init.get("type") != "script":
        return []
    urls: dict[str, None] = {}
    stack = init.get("stack")
    while stack:
        for frame in stack.get("callFrames") or ():
            if frame.get("url"):
                urls[str(frame["url"])] = None
        stack = stack.get("parent")
    return list(urls)


def _choose_initiator(req: Request, by_url: dict[str, list[Request]]) -> Request | None:
    if req.redirect_source is not None:
        return req.redirect_source
    urls = initiator_urls(req)
    cands = [
        c
        for c in by_url.get(urls[0] if urls else "", [])
        if c.headers_end <= req.renderer_start and c.finished and not c.failed
    ]
    keeps: list[Callable[[Request], bool]] = [
        lambda c: c.resource_type != "Other",
        lambda c: c.frame_id == req.frame_id,
        lambda c: req.initiator.get("type") != "parser" or c.resource_type == "Document",
    ]
    for keep in keeps:
        if len(cands) > 1:
            cands = [c for c in cands if keep(c)] or cands
    if len(cands) > 1:
        preloads = [c for c in cands if c.is_link_preload]
        others = [c for c in cands if not c.is_link_preload]
        if preloads and others and all(c.from_disk_cache or c.from_memory_cache for c in others):
            cands = preloads
    return cands[0] if len(cands) == 1 else None


def from_devtools_log(messages: list[dict[str, Any]]) -> list[Request]:
    """The requests a DevTools log describes, in the order they started."""
    live: dict[str, Request] = {}
    records: list[Request] = []
    for msg in messages:
        method, params = msg.get("method", ""), msg.get("params") or {}
        rid = params.get("requestId")
        if not method.startswith("Network.") or rid is None:
            continue
        cur = live.get(rid)
        if method == "Network.requestWillBeSent":
            if cur is not None and params.get("redirectResponse"):
                cur._response(params["redirectResponse"], params["timestamp"], params.get("type"))
                cur.resource_type = None
                cur._finish(params["timestamp"])
                nxt = _new(params, cur.request_id + ":redirect")
                nxt.redirect_source, cur.redirect_destination = cur, nxt
                live[rid] = nxt
                records.append(nxt)
            elif cur is None:
                live[rid] = _new(params, rid)
                records.append(live[rid])
        elif cur is None:
            continue
        elif method == "Network.requestServedFromCache":
            cur.from_memory_cache = True
        elif method == "Network.responseReceived":
            cur._response(params.get("response") or {}, params["timestamp"], params.get("type"))
            cur.frame_id = params.get("frameId", cur.frame_id)
        elif method == "Network.dataReceived":
            cur.resource_size += int(params.get("dataLength") or 0)
            if params.get("encodedDataLength", -1) != -1:
                cur.transfer_size += int(params["encodedDataLength"])
        elif method in ("Network.loadingFinished", "Network.loadingFailed") and not cur.finished:
            cur._finish(params["timestamp"])
            if method == "Network.loadingFailed":
                cur.failed = True
                cur.resource_type = params.get("type") or cur.resource_type
            elif params.get("encodedDataLength", -1) >= 0:
                cur.transfer_size = int(params["encodedDataLength"])
        elif method == "Network.resourceChangedPriority":
            cur.priority = str(params.get("newPriority") or cur.priority)
    records = [r for r in records if r.url and urlsplit(r.url).scheme]
    by_url: dict[str, list[Request]] = {}
    for r in records:
        by_url.setdefault(r.url, []).append(r)
    for r in records:
        r.initiator_request = _choose_initiator(r, by_url)
        if r.redirect_source is not None and r.redirect_destination is None:
            chain: list[Request] = []
            src: Request | None = r.redirect_source
            while src is not None:
                chain.insert(0, src)
                src = src.redirect_source
            r.redirects = chain
    return records
