"""A HAR 1.2 file of one page load, from the audit's network log (``network.Request.to_json``),
for download from CI: Chrome DevTools' Network panel and HAR viewers open it.

What the log records goes in: URL, status, the response's ``Content-Encoding`` and
``Cache-Control``, bytes transferred (``_transferSize``, as Chrome's own HAR export names it),
whether the HTTP cache answered, an error, and the request's times (``blocked`` until it was sent
is 0; ``wait`` is request to first byte; ``receive`` first byte to end). Request headers and
bodies are not recorded, so they are empty.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .._version import __version__


def _iso(started: float, ms: float) -> str:
    when = datetime.fromtimestamp(started, UTC) + timedelta(milliseconds=ms)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def har(page_url: str, started: float, network: list[dict[str, Any]]) -> dict[str, Any]:
    """The HAR document of one load: ``started`` is the wall-clock time (``time.time()``) of the
    first request, ``network`` the load's requests (times in ms from that request)."""
    entries: list[dict[str, Any]] = []
    for r in network:
        start = float(r["start"])
        first = r.get("response")
        end = r.get("end")
        wait = max(0.0, first - start) if first is not None else -1
        receive = max(0.0, end - first) if end is not None and first is not None else -1
        headers = [
            {"name": name, "value": r[key]}
            for name, key in (("content-encoding", "encoding"), ("cache-control", "cache_control"))
            if r.get(key)
        ]
        entries.append(
            {
                "pageref": "page_1",
                "startedDateTime": _iso(started, start),
                "time": max(0.0, (end if end is not None else start) - start),
                "request": {
                    "method": "GET",
                    "url": r["url"],
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": [],
                    "queryString": [],
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "response": {
                    "status": int(r.get("status") or 0),
                    "statusText": r.get("failed") or "",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": headers,
                    "content": {"size": int(r.get("bytes") or 0), "mimeType": ""},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": int(r.get("bytes") or 0),
                    "_transferSize": int(r.get("bytes") or 0),
                },
                "cache": {"beforeRequest": {}} if r.get("from_cache") else {},
                "timings": {"blocked": 0, "send": 0, "wait": wait, "receive": receive},
                "_resourceType": r.get("type"),
            }
        )
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "assetpipe audit", "version": __version__},
            "pages": [
                {
                    "id": "page_1",
                    "title": page_url,
                    "startedDateTime": _iso(started, 0.0),
                    "pageTimings": {},
                }
            ],
            "entries": entries,
        }
    }
