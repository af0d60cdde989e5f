"""Which requests of one page load held back its first paint, read from the trace.

Chromium marks each request's ``renderBlocking`` in ``ResourceSendRequest``: ``blocking`` (a
stylesheet, a synchronous script in the ``<head>``) or ``in_body_parser_blocking`` (a classic
script in the ``<body>``). A mark is not yet a delay: DevTools' *render-blocking* insight, which
Lighthouse 12's *Eliminate render-blocking resources* reads, keeps a marked request only when

- it belongs to the page's main frame,
- it finished before the first paint (a body script that arrives after the content above it
  was painted delayed no paint), and
- for ``in_body_parser_blocking``, Chromium fetched it as urgent: ``VeryHigh`` priority, or a
  script at ``High`` (a script after a non-preloaded image is fetched at lower priority and is
  not one the first paint waited for).

``blocking_urls`` applies the same rule, so ``insights.render_blocking`` counts what Lighthouse
counts. Without a first paint in the trace nothing is counted (DevTools warns the same way).
"""

from __future__ import annotations

from typing import Any

MARKS = frozenset({"blocking", "in_body_parser_blocking"})


def _data(ev: dict[str, Any]) -> dict[str, Any]:
    data = (ev.get("args") or {}).get("data") or {}
    return data if isinstance(data, dict) else {}


def first_paint(events: list[dict[str, Any]], pid: Any, frame: Any, t0: float) -> float | None:
    """The trace timestamp (µs) of the page's first paint after ``t0``, if any."""
    for ev in events:
        if (
            ev.get("name") == "firstPaint"
            and ev.get("pid") == pid
            and (ev.get("args") or {}).get("frame") in (frame, None)
            and float(ev.get("ts", 0)) >= t0
        ):
            return float(ev["ts"])
    return None


def blocking_urls(events: list[dict[str, Any]], pid: Any, frame: Any, t0: float) -> list[str]:
    """URLs of the requests that held back the first paint (module doc), in request order."""
    paint = first_paint(events, pid, frame, t0)
    if paint is None:
        return []
    sent: dict[str, dict[str, Any]] = {}
    priority: dict[str, str] = {}
    finished: dict[str, float] = {}
    script: set[str] = set()
    for ev in events:
        name = ev.get("name")
        if ev.get("pid") != pid or name not in _NAMES:
            continue
        data = _data(ev)
        rid = str(data.get("requestId") or "")
        if not rid:
            continue
        if name == "ResourceSendRequest":
            if float(ev.get("ts", 0)) >= t0 and data.get("url"):
                sent.setdefault(rid, data)
                priority.setdefault(rid, str(data.get("priority") or ""))
                if data.get("resourceType") == "Script":
                    script.add(rid)
        elif name == "ResourceChangePriority":
            priority[rid] = str(data.get("priority") or "")
        elif name == "ResourceReceiveResponse":
            mime = str(data.get("mimeType") or "")
            if "javascript" in mime or "ecmascript" in mime:
                script.add(rid)
        elif name == "ResourceFinish":
            end = data.get("finishTime")
            finished[rid] = float(end) * 1e6 if end else float(ev.get("ts", 0))
    out = []
    for rid, data in sent.items():
        mark = data.get("renderBlocking")
        if mark not in MARKS or (frame is not None and data.get("frame") not in (frame, None)):
            continue
        if finished.get(rid, float("inf")) > paint:
            continue
        if mark == "in_body_parser_blocking":
            urgent = priority.get(rid) == "VeryHigh"
            if not urgent and not (rid in script and priority.get(rid) == "High"):
                continue
        out.append(str(data["url"]))
    return out


_NAMES = frozenset(
    {"ResourceSendRequest", "ResourceChangePriority", "ResourceReceiveResponse", "ResourceFinish"}
)

__all__ = ["MARKS", "blocking_urls", "first_paint"]
