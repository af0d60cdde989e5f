"""Main-thread tasks from a Chromium trace (CDP ``Tracing``), as Lighthouse reads them.

The page's own long-task observer misses style, layout and paint work (a Long Tasks entry covers
the event-loop task, not the rendering that follows it) and stops when the audit stops looking.
The trace has every top-level task of the renderer's main thread (``RunTask``), with its wall
duration (``dur``) and its thread CPU time (``tdur``); its children say what the task did
(script, style, layout, paint). Total Blocking Time is Lighthouse's: every task after First
Contentful Paint longer than 50 ms contributes what exceeds 50 ms (a task that starts before FCP
counts from FCP on).

``Tracer`` starts and stops tracing on a page's CDP session; ``parse`` turns the events into
``Task`` records relative to the navigation's start.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .blocking import blocking_urls
from .speedindex import screenshots, speed_index

#: Lighthouse 12's trace categories (its ``Trace`` gatherer), plus ``toplevel``; the screenshots
#: give Speed Index (``speedindex``). The same categories, not a leaner set: tracing has a
#: cost, and the page's tasks must carry the cost they carry under Lighthouse. The one that
#: matters is ``invalidationTracking``: it records every style and layout invalidation (three
#: events per element a class toggle restyles), which doubles the thread CPU time of a relayout
#: of 20,000 boxes (~105 → ~210 ms desktop); without it the audit's TBT for such a page read up to
#: 6x below Lighthouse's. Its events also say which nodes were invalidated.
CATEGORIES = (
    "-*",
    "toplevel",
    "disabled-by-default-lighthouse",
    "loading",
    "v8",
    "v8.execute",
    "blink.user_timing",
    "blink.console",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.stack",
    "disabled-by-default-devtools.timeline.frame",
    "latencyInfo",
    "disabled-by-default-devtools.timeline.invalidationTracking",
    "disabled-by-default-devtools.screenshot",
)
#: Top-level task event names (Lighthouse's ``main-thread-tasks``).
TASK_NAMES = frozenset(
    {
        "RunTask",
        "ThreadControllerImpl::RunTask",
        "ThreadControllerImpl::DoWork",
        "TaskQueueManager::ProcessTaskFromWorkQueue",
    }
)
#: What a task's children did, by event name.
GROUPS = {
    "EvaluateScript": "script",
    "v8.compile": "script",
    "v8.compileModule": "script",
    "FunctionCall": "script",
    "TimerFire": "script",
    "EventDispatch": "script",
    "FireAnimationFrame": "script",
    "FireIdleCallback": "script",
    "XHRReadyStateChange": "script",
    "V8.Execute": "script",
    "v8.run": "script",
    "RunMicrotasks": "script",
    "v8.evaluateModule": "script",
    "ParseHTML": "parse",
    "ParseAuthorStyleSheet": "parse",
    "UpdateLayoutTree": "style",
    "RecalculateStyles": "style",
    "ScheduleStyleRecalculation": "style",
    "Layout": "layout",
    "UpdateLayerTree": "paint",
    "Paint": "paint",
    "PrePaint": "paint",
    "Layerize": "paint",
    "Commit": "paint",
    "CompositeLayers": "paint",
    "PaintImage": "paint",
    "Decode Image": "paint",
    "ImageDecodeTask": "paint",
}
LONG_TASK_MS = 50.0


@dataclass(frozen=True)
class Task:
    """One top-level main-thread task: ``start`` in ms from the navigation's start, ``dur`` its
    wall time and ``cpu`` its thread CPU time (ms), ``kinds`` ms by what it did, ``url`` the
    first script it ran (if any)."""

    start: float
    dur: float
    cpu: float
    kinds: dict[str, float] = field(default_factory=dict)
    url: str | None = None

    @property
    def end(self) -> float:
        return self.start + self.dur

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": round(self.start, 1),
            "dur": round(self.dur, 1),
            "cpu": round(self.cpu, 1),
            "kinds": {k: round(v, 1) for k, v in sorted(self.kinds.items())},
        }
        if self.url:
            out["url"] = self.url
        return out


@dataclass
class Trace:
    """What the trace says about one page load (times in ms from the navigation's start)."""

    tasks: list[Task]
    fcp: float | None = None
    events: int = 0
    #: URLs of the requests that held back the first paint (``blocking``), in request order.
    render_blocking: list[str] = field(default_factory=list)
    #: Speed Index (ms) from the trace's screenshots; ``None`` without screenshots.
    speed_index: float | None = None

    def long_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.dur > LONG_TASK_MS]


def blocking_time(
    tasks: list[Task],
    start: float,
    *,
    scale: float = 1.0,
    duration: Callable[[Task], float] | None = None,
) -> float:
    """Lighthouse's TBT over ``tasks`` from ``start`` (FCP) on: each task's part beyond 50 ms,
    the part before ``start`` left out. ``duration`` picks the figure (wall ``dur`` by default,
    e.g. thread CPU time instead) and ``scale`` multiplies it (a CPU slowdown)."""
    total = 0.0
    for task in tasks:
        dur = (duration(task) if duration else task.dur) * scale
        end = task.start + dur
        clipped = end - max(task.start, start)
        if dur > LONG_TASK_MS and clipped > LONG_TASK_MS:
            total += clipped - LONG_TASK_MS
    return total


def cpu_blocking_time(tasks: list[Task], start: float, factor: float) -> float:
    """TBT from thread CPU time: each task's ``cpu`` times ``factor`` (the profile's CPU
    slowdown), as Lighthouse's Lantern multiplies the CPU time it measured unthrottled.

    Only for a trace taken *without* Chromium's CPU throttling: under it, a task's thread CPU
    time already includes the throttle (``measure.cpu_time_tbt`` says why)."""
    return blocking_time(tasks, start, duration=lambda t: t.cpu, scale=factor)


#: The wait before ``Tracing.end`` (``Tracer.stop``).
SETTLE_MS = 100
#: ``IO.read`` chunk: a 45 MB trace (a relayout of 20,000 boxes) is about 12 round trips.
READ_CHUNK = 4 << 20


class Tracer:
    """Traces one page through its CDP session: ``start()`` before navigating, ``stop()`` after
    the observation window (returns the raw events).

    The trace comes back as one stream read in large chunks (``transferMode: ReturnAsStream``,
    as Lighthouse and Puppeteer read it), not as ``Tracing.dataCollected`` events: a page with
    a big DOM traces tens of MB (one relayout of 20,000 boxes: 130,000 events, 45 MB), which as
    events took 11-14 s to cross the CDP session on an idle 2-core host and more than the wait
    under load, when the trace was cut short and the tasks after ``load`` were silently
    missing. A trace that is not complete, or in which Chromium's buffer dropped events
    (``dataLossOccurred``), is said in ``warnings``: its TBT can only read low."""

    def __init__(
        self, cdp: Any, wait: Callable[[int], None], *, buffer_kb: int | None = None
    ) -> None:
        """``buffer_kb``: Chromium's trace buffer size (its default when ``None``)."""
        self.cdp = cdp
        self.wait = wait
        self.buffer_kb = buffer_kb
        self.complete: dict[str, Any] | None = None
        self.warnings: list[str] = []
        cdp.on("Tracing.tracingComplete", self._complete)

    def _complete(self, ev: dict[str, Any]) -> None:
        self.complete = ev

    def start(self) -> None:
        config: dict[str, Any] = {
            "includedCategories": list(CATEGORIES),
            "recordMode": "recordContinuously",
        }
        if self.buffer_kb is not None:
            config["traceBufferSizeInKb"] = self.buffer_kb
        self.cdp.send("Tracing.start", {"transferMode": "ReturnAsStream", "traceConfig": config})

    def stop(self, timeout_s: float = 60.0) -> list[dict[str, Any]]:
        """End tracing and read the whole trace; ``[]`` with a warning when Chromium does not
        hand it over within ``timeout_s``."""
        # A task that ended right before the end of tracing (traced_load's ``after`` work) was
        # once missing from the trace in a CI run, the page's earlier tasks all there: a short
        # settle lets the renderer's last events reach the trace before it is closed.
        self.wait(SETTLE_MS)
        self.cdp.send("Tracing.end")
        deadline = time.monotonic() + timeout_s
        while self.complete is None and time.monotonic() < deadline:
            self.wait(20)
        if self.complete is None or not self.complete.get("stream"):
            self.warnings.append(
                f"Chromium did not hand over the trace within {timeout_s:g} s: no main-thread tasks"
            )
            return []
        if self.complete.get("dataLossOccurred"):
            self.warnings.append(
                "Chromium's trace buffer dropped events: TBT and the task list can read low"
            )
        return read_stream(self.cdp, str(self.complete["stream"]))


def read_stream(cdp: Any, handle: str) -> list[dict[str, Any]]:
    """The events of a trace stream (``IO.read`` until ``eof``, then ``IO.close``): JSON, either
    an object with ``traceEvents`` or a bare array."""
    chunks: list[bytes] = []
    try:
        while True:
            part = cdp.send("IO.read", {"handle": handle, "size": READ_CHUNK})
            data = str(part.get("data") or "")
            chunks.append(
                base64.b64decode(data) if part.get("base64Encoded") else data.encode("utf-8")
            )
            if part.get("eof"):
                break
    finally:
        cdp.send("IO.close", {"handle": handle})
    raw = b"".join(chunks)
    if not raw.strip():
        return []
    doc = json.loads(raw)
    events = doc.get("traceEvents", []) if isinstance(doc, dict) else doc
    return [ev for ev in events if isinstance(ev, dict)]


def _navigation(events: list[dict[str, Any]], url: str) -> dict[str, Any] | None:
    """The main frame's ``navigationStart`` for ``url``: the last one loading exactly ``url``,
    else the last http(s) main-frame load (a redirect changes the URL; ``about:blank`` is
    never it)."""
    exact = other = None
    for ev in events:
        if ev.get("name") != "navigationStart":
            continue
        data = (ev.get("args") or {}).get("data") or {}
        doc = str(data.get("documentLoaderURL") or "")
        if data.get("isLoadingMainFrame") and doc.startswith(("http:", "https:")):
            if doc == url:
                exact = ev
            other = ev
    return exact or other


def parse(events: list[dict[str, Any]], url: str) -> Trace:
    """The main-thread tasks of the page's renderer after its navigation started."""
    nav = _navigation(events, url)
    if nav is None:
        return Trace([], None, len(events))
    pid, tid, t0 = nav["pid"], nav["tid"], float(nav["ts"])
    frame = (nav.get("args") or {}).get("frame")
    fcp = None
    blocking = blocking_urls(events, pid, frame, t0)
    for ev in events:
        if (
            ev.get("name") == "firstContentfulPaint"
            and ev.get("pid") == pid
            and (ev.get("args") or {}).get("frame") in (frame, None)
            and ev["ts"] >= t0
        ):
            fcp = (float(ev["ts"]) - t0) / 1000.0
            break
    thread = sorted(
        (
            ev
            for ev in events
            if ev.get("pid") == pid and ev.get("tid") == tid and ev.get("ph") == "X" and "dur" in ev
        ),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    tasks: list[Task] = []
    task_end = -1.0
    current: dict[str, Any] | None = None
    kinds: dict[str, float] = {}
    covered = -1.0
    url_seen: str | None = None

    def close() -> None:
        if current is not None and current["ts"] >= t0:
            tdur = float(current.get("tdur", current["dur"]))
            tasks.append(
                Task(
                    (current["ts"] - t0) / 1000.0,
                    current["dur"] / 1000.0,
                    tdur / 1000.0,
                    dict(kinds),
                    url_seen,
                )
            )

    for ev in thread:
        ts, dur = float(ev["ts"]), float(ev["dur"])
        if ev["name"] in TASK_NAMES and ts >= task_end:
            close()
            current, task_end, kinds, covered, url_seen = ev, ts + dur, {}, -1.0, None
            continue
        if current is None or ts >= task_end:
            continue
        group = GROUPS.get(ev["name"])
        if group and ts >= covered:
            kinds[group] = kinds.get(group, 0.0) + dur / 1000.0
            covered = ts + dur
        if url_seen is None and group == "script":
            data = (ev.get("args") or {}).get("data") or {}
            if isinstance(data, dict) and data.get("url"):
                url_seen = str(data["url"])
    close()
    return Trace(
        tasks,
        fcp,
        len(events),
        list(dict.fromkeys(blocking)),
        speed_index(screenshots(events, t0)),
    )
