"""The checks Lighthouse users assert on most, computed from what the audit records.

Each is a ``Check`` with a default limit and level; a budget's ``insights:`` changes the limit
and its ``level:`` the level (``insights_<name>``; ``off`` skips it). Values are unrounded; the
offending items (per URL or origin) are in the check's ``items``, largest first.

- ``insights.render_blocking`` (count, limit 0, ``warn``): requests that held back the first
  paint (``blocking``: Chromium's render-blocking mark in the trace, finished before the first
  paint, a body script only when fetched as urgent; DevTools' and Lighthouse's rule) and took
  50 ms or more from request to end, as Lighthouse's *Eliminate render-blocking resources*
  (which leaves out faster ones); every such request is an item, with its bytes and that time.
- ``insights.unused_javascript`` (KiB, limit 20, ``warn``) and ``insights.unused_css`` (KiB,
  limit 10, ``warn``): unused bytes (``coverage``) scaled to what crossed the wire (the unused
  share of a file x its transferred bytes), summed over files, as Lighthouse's *Reduce unused
  JavaScript/CSS* reports them per file.
- ``insights.total_byte_weight`` (KiB, limit 1,600, ``warn``): every byte transferred, the
  figure Lighthouse's *Avoid enormous network payloads* advises to keep under 1,600 KiB.
- ``insights.third_party`` (ms, limit 250, ``warn``): main-thread blocking time of tasks whose
  first script came from another origin (Lighthouse's *third-party summary* flags 250 ms); the
  items summarise each third-party origin: requests, bytes transferred, main-thread time and
  blocking time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from .budgets import Check
from .coverage import Usage
from .trace import LONG_TASK_MS, Task

KIB = 1024.0
#: Lighthouse's ``MINIMUM_WASTED_MS``: a faster render-blocking request is not counted.
BLOCKING_MIN_MS = 50.0
#: name → (default limit, unit, default level).
DEFAULTS: dict[str, tuple[float, str, str]] = {
    "render_blocking": (0, "", "warn"),
    "unused_javascript": (20, " KiB", "warn"),
    "unused_css": (10, " KiB", "warn"),
    "total_byte_weight": (1600, " KiB", "warn"),
    "third_party": (250, " ms", "warn"),
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def render_blocking(urls: Sequence[str], network: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The render-blocking requests with their bytes and duration (ms)."""
    by_url = {r["url"]: r for r in network}
    out = []
    for url in urls:
        r = by_url.get(url) or {}
        end, start = r.get("end"), r.get("start")
        ms = round(end - start, 1) if end is not None and start is not None else None
        nbytes = int(r.get("bytes") or 0)
        took = "" if ms is None else f", {ms:g} ms from request to end"
        out.append({"url": url, "bytes": nbytes, "ms": ms, "detail": f"{nbytes} B{took}"})
    return out


def unused_transferred(
    usage: Sequence[Usage], network: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per file: its length, unused characters, transferred bytes and the unused share of those
    (``wasted``), largest waste first."""
    sent: dict[str, int] = {}
    for r in network:
        sent[r["url"]] = sent.get(r["url"], 0) + int(r.get("bytes") or 0)
    out = []
    for u in usage:
        nbytes = sent.get(u.url, 0)
        wasted = nbytes * u.unused / u.total if u.total else 0.0
        detail = f"{round(wasted)} of {nbytes} B unused ({u.unused} of {u.total} characters)"
        out.append({**u.to_json(), "bytes": nbytes, "wasted": round(wasted), "detail": detail})
    return sorted(out, key=lambda d: -d["wasted"])


def _blocking(task: Task, fcp: float) -> float:
    """A task's part of TBT: beyond 50 ms, from FCP on (``trace.blocking_time``)."""
    clipped = task.end - max(task.start, fcp)
    return clipped - LONG_TASK_MS if task.dur > LONG_TASK_MS and clipped > LONG_TASK_MS else 0.0


def blocking_scripts(tasks: Sequence[Task], fcp: float, top: int = 5) -> list[dict[str, Any]]:
    """Which scripts caused the blocking time: per script URL (the first script each task
    ran; ``None`` for rendering work no script started), the blocking time of its tasks and how
    many long tasks, largest first."""
    rows: dict[str | None, dict[str, Any]] = {}
    for t in tasks:
        ms = _blocking(t, fcp)
        if ms > 0:
            row = rows.setdefault(t.url, {"url": t.url, "blocking": 0.0, "tasks": 0})
            row["blocking"] += ms
            row["tasks"] += 1
    out = sorted(rows.values(), key=lambda r: -r["blocking"])[:top]
    for row in out:
        row["blocking"] = round(row["blocking"], 1)
    return out


def third_parties(
    network: list[dict[str, Any]], tasks: Sequence[Task], page_url: str, fcp: float
) -> list[dict[str, Any]]:
    """Each origin other than the page's: requests, bytes, main-thread ms (top-level tasks
    whose first script came from it) and their blocking time after FCP."""
    own = _origin(page_url)
    rows: dict[str, dict[str, Any]] = {}

    def row(origin: str) -> dict[str, Any]:
        return rows.setdefault(
            origin,
            {"origin": origin, "requests": 0, "bytes": 0, "main_thread": 0.0, "blocking": 0.0},
        )

    for r in network:
        origin = _origin(r["url"])
        if origin != own:
            entry = row(origin)
            entry["requests"] += 1
            entry["bytes"] += int(r.get("bytes") or 0)
    for t in tasks:
        if not t.url or _origin(t.url) == own:
            continue
        entry = row(_origin(t.url))
        entry["main_thread"] += t.dur
        entry["blocking"] += _blocking(t, fcp)
    for entry in rows.values():
        entry["main_thread"] = round(entry["main_thread"], 1)
        entry["blocking"] = round(entry["blocking"], 1)
        entry["url"] = entry["origin"]
        entry["detail"] = (
            f"{entry['requests']} request(s), {entry['bytes']} B, main thread "
            f"{entry['main_thread']:g} ms, blocking {entry['blocking']:g} ms"
        )
    return sorted(rows.values(), key=lambda d: (-d["blocking"], -d["bytes"]))


def gather(
    network: list[dict[str, Any]],
    tasks: Sequence[Task],
    *,
    page_url: str,
    fcp: float,
    blocking_urls: Sequence[str],
    js: Sequence[Usage],
    css: Sequence[Usage],
) -> dict[str, list[dict[str, Any]]]:
    """What the checks read, from one run (kept in the report's details): ``render_blocking``,
    ``unused_javascript``, ``unused_css`` and ``third_party`` items, and ``blocking_scripts``
    (TBT attributed to the scripts that started the tasks)."""
    return {
        "render_blocking": render_blocking(blocking_urls, network),
        "unused_javascript": unused_transferred(js, network),
        "unused_css": unused_transferred(css, network),
        "third_party": third_parties(network, tasks, page_url, fcp),
        "blocking_scripts": blocking_scripts(tasks, fcp),
    }


def checks(
    page: dict[str, Any],
    gathered: dict[str, list[dict[str, Any]]],
    *,
    limits: dict[str, float],
    levels: dict[str, str],
) -> list[Check]:
    """The five checks for one measured page (see the module doc) from its JSON (bytes) and
    ``gather``'s items; ``limits`` and ``levels`` come from the page's budget."""
    blocking = gathered.get("render_blocking") or []
    js = gathered.get("unused_javascript") or []
    css = gathered.get("unused_css") or []
    third = gathered.get("third_party") or []
    found: dict[str, tuple[float, list[dict[str, Any]], str]] = {
        "render_blocking": (
            sum(1 for b in blocking if (b.get("ms") or 0) >= BLOCKING_MIN_MS),
            blocking,
            "render-blocking requests" + (f" (first: {blocking[0]['url']})" if blocking else ""),
        ),
        "unused_javascript": (
            sum(d["wasted"] for d in js) / KIB,
            [d for d in js if d["wasted"]],
            "unused JavaScript" + (f" (most in {js[0]['url']})" if js and js[0]["wasted"] else ""),
        ),
        "unused_css": (
            sum(d["wasted"] for d in css) / KIB,
            [d for d in css if d["wasted"]],
            "unused CSS" + (f" (most in {css[0]['url']})" if css and css[0]["wasted"] else ""),
        ),
        "total_byte_weight": (
            float((page.get("bytes") or {}).get("total") or 0) / KIB,
            [],
            "bytes transferred",
        ),
        "third_party": (
            sum(d["blocking"] for d in third),
            third,
            "third-party main-thread blocking time"
            + (f" (most from {third[0]['origin']})" if third and third[0]["blocking"] else ""),
        ),
    }
    out = []
    for name, (value, items, what) in found.items():
        default, unit, default_level = DEFAULTS[name]
        level = levels.get(f"insights_{name}", default_level)
        if level == "off":
            continue
        limit = float(limits.get(name, default))
        out.append(
            Check(
                f"insights.{name}",
                level,
                limit,
                value,
                value <= limit,
                f"{what}: {value:.6g}{unit}, budget at most {limit:g}{unit}",
                items=tuple(items),
            )
        )
    return out
