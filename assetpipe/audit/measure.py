"""One measured load of one page in a fresh browser context (plus, on request, the repeat view
in that same context, a screenshot and a filmstrip).

A fresh context has an empty HTTP cache, so the first view is a cold load; a second page opened
in the same context afterwards is a warm-cache visit: what it still transfers is what
a returning visitor downloads again.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from .coverage import Coverage, Usage
from .network import NetworkLog
from .observe import MAX_WAIT_MS, QUIET_MS, Observation, observe
from .throttle import Profile
from .trace import Task, Tracer, blocking_time, cpu_blocking_time, parse

NAV_TIMEOUT_MS = 60_000
#: Unthrottled loads per run for the CPU-time TBT; the least is kept (``cpu_time_tbt``).
CPU_TIME_LOADS = 2


class PageLoadError(Exception):
    """The page could not be measured (HTTP error status, network error, timeout)."""


def metrics_script() -> str:
    """The JS injected into every page before its own scripts (``metrics.js``)."""
    return resources.files(__package__).joinpath("metrics.js").read_text(encoding="utf-8")


@dataclass
class RunResult:
    """What one run measured."""

    metrics: dict[str, float]
    lcp_element: dict[str, Any] | None
    transferred: dict[str, int]
    requests: dict[str, int]
    network: list[dict[str, Any]]
    repeat: dict[str, Any] | None = None
    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    #: with ``probe_images``: every ``<img>`` of the page, loaded or not (a lazy one below the
    #: fold too): ``url`` and ``src`` (``PRESENT_IMAGES``), to place each at its template line
    present_images: list[dict[str, Any]] = field(default_factory=list)
    screenshot: bytes | None = None
    filmstrip: list[tuple[float, bytes]] = field(default_factory=list)
    #: Unused JavaScript and CSS (``coverage``), per script and stylesheet URL.
    unused_js: list[Usage] = field(default_factory=list)
    unused_css: list[Usage] = field(default_factory=list)
    #: URLs of the requests that held back the first paint (``blocking.blocking_urls``).
    render_blocking: list[str] = field(default_factory=list)
    #: The elements that moved in the CLS window: selector, tag, src, url, score (``metrics.js``).
    shift_elements: list[dict[str, Any]] = field(default_factory=list)
    #: With ``capture``: the raw trace (for download) and the wall-clock time of the navigation.
    trace_events: list[dict[str, Any]] = field(default_factory=list)
    started: float = 0.0
    #: Chromium dropped trace events (``Tracer``): the run is repeated once (``page``).
    trace_lost: bool = False


#: every ``<img>`` of a page, whether it loaded or not (``RunResult.present_images``)
PRESENT_IMAGES = (
    "() => [...document.images].map((i) => ({url: i.currentSrc || i.src, "
    "src: i.getAttribute('src')}))"
)


def _open(
    context: Any, profile: Profile, is_hashed: Callable[[str], bool]
) -> tuple[Any, Any, NetworkLog]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Performance.enable")
    profile.apply(cdp)
    return page, cdp, NetworkLog(cdp, is_hashed)


def _load(
    page: Any, cdp: Any, url: str, net: NetworkLog, *, quiet_ms: float, max_wait_ms: float
) -> Observation:
    """Navigate and observe until quiet or the cap (``observe``); ``PageLoadError`` when the
    document itself fails (HTTP error status, network error, no response within the cap)."""
    loaded: list[float] = []
    page.on("load", lambda *_: loaded.append(time.monotonic()))
    started = time.monotonic()
    try:
        response = page.goto(url, wait_until="commit", timeout=min(NAV_TIMEOUT_MS, max_wait_ms))
    except Exception as exc:  # Playwright's TimeoutError / Error
        pending = [r.url for r in net.entries() if r.end is None]
        more = f" ({len(pending)} request(s) unfinished, e.g. {pending[0]})" if pending else ""
        raise PageLoadError(str(exc).splitlines()[0] + more) from exc
    if response is None:
        raise PageLoadError("no response")
    if response.status >= 400:
        raise PageLoadError(f"HTTP {response.status} {response.status_text}".strip())
    seen = observe(
        page, cdp, net, started=started, loaded=loaded, quiet_ms=quiet_ms, max_wait_ms=max_wait_ms
    )
    # Two animation frames, so the last paint's LCP/layout-shift entries are delivered.
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => "
        "requestAnimationFrame(() => setTimeout(r, 0))))"
    )
    return seen


def context_options(
    profile: Profile, headers: dict[str, str], storage_state: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``browser.new_context`` keyword arguments: the profile's device, ``headers`` and the
    login's ``storage_state``."""
    options = profile.context_options()
    if headers:
        options["extra_http_headers"] = headers
    if storage_state is not None:
        options["storage_state"] = storage_state
    return options


def measure(
    browser: Any,
    url: str,
    profile: Profile,
    *,
    headers: dict[str, str],
    is_hashed: Callable[[str], bool],
    repeat: bool = False,
    capture: bool = False,
    quiet_ms: float = QUIET_MS,
    max_wait_ms: float = MAX_WAIT_MS,
    probe_images: dict[str, list[int]] | None = None,
    storage_state: dict[str, Any] | None = None,
    cpu_time: bool = False,
) -> RunResult:
    """Load ``url`` once, cold, under ``profile``, traced, observed until quiet or the cap
    (``observe``); raises ``PageLoadError``. TBT comes from the trace's main-thread tasks.
    ``probe_images`` (source image sizes by URL path) runs the image probe (``images.js``)
    last, once every metric is read. ``storage_state``: cookies and storage the context starts
    with (the login's, ``flows``). ``cpu_time``: ``metrics["tbt_cpu"]`` too, from more,
    unthrottled loads (``cpu_time_tbt``; a profile without CPU slowdown reads it from this load).
    """
    options = context_options(profile, headers, storage_state)
    context = browser.new_context(**options)
    try:
        context.add_init_script(script=metrics_script())
        page, cdp, net = _open(context, profile, is_hashed)
        frames: list[tuple[float, bytes]] = []
        if capture:

            def on_frame(ev: dict[str, Any]) -> None:
                frames.append((float(ev["metadata"]["timestamp"]), base64.b64decode(ev["data"])))
                cdp.send("Page.screencastFrameAck", {"sessionId": ev["sessionId"]})

            cdp.on("Page.screencastFrame", on_frame)
            cdp.send(
                "Page.startScreencast",
                {"format": "jpeg", "quality": 50, "maxWidth": 180, "maxHeight": 320},
            )
        tracer = Tracer(cdp, page.wait_for_timeout)
        coverage = Coverage(cdp)
        coverage.start()
        tracer.start()
        started = time.time()
        seen = _load(page, cdp, url, net, quiet_ms=quiet_ms, max_wait_ms=max_wait_ms)
        collected: dict[str, Any] = page.evaluate("() => window.__assetpipe.collect()")
        events = tracer.stop()
        seen.warnings.extend(tracer.warnings)
        trace = parse(events, page.url)
        net.close()
        unused_js, unused_css = coverage.collect(page.url)
        shot = None
        film: list[tuple[float, bytes]] = []
        if capture:
            cdp.send("Page.stopScreencast")
            origin_s = float(page.evaluate("() => performance.timeOrigin")) / 1000.0
            film = [(round((t - origin_s) * 1000.0, 1), data) for t, data in frames]
            shot = page.screenshot(type="jpeg", quality=70)
        images: list[dict[str, Any]] = []
        present: list[dict[str, Any]] = []
        if probe_images is not None:
            from .images import probe_script

            images = page.evaluate(probe_script(), probe_images)
            present = page.evaluate(PRESENT_IMAGES)
        nbytes, counts = net.summary()
        metrics = {
            k: float(collected.get(k) or 0.0) for k in ("ttfb", "fcp", "lcp", "cls", "tbt", "load")
        }
        if not seen.loaded:
            metrics["load"] = seen.elapsed_ms
        if trace.speed_index is not None:
            metrics["si"] = trace.speed_index
        if trace.tasks:
            fcp = trace.fcp if trace.fcp is not None else metrics["fcp"]
            metrics["tbt"] = blocking_time(trace.tasks, fcp)
            if profile.cpu_rate == 1:  # no throttler: this load's thread CPU time is the work
                metrics["tbt_cpu"] = cpu_blocking_time(trace.tasks, fcp, 1.0)
        else:
            seen.warnings.append(
                "no main-thread tasks in the trace: TBT from the page's "
                "long-task observer (script only)"
            )
        # Navigation Timing's responseStart leaves out the emulated latency of the document
        # (Chromium applies it after the renderer's timing starts); the network log has it.
        doc = next((r for r in net.entries() if r.type == "document"), None)
        if doc is not None and doc.response is not None:
            metrics["ttfb"] = max(metrics["ttfb"], doc.response - doc.start)
        # Lighthouse's server-response-time: the server's share, without the emulated latency
        # that the profile adds to every response.
        metrics["server"] = max(
            0.0,
            (doc.server if doc is not None and doc.server is not None else metrics["ttfb"])
            - profile.latency_ms,
        )
        result = RunResult(
            metrics=metrics,
            lcp_element=collected.get("lcp_element"),
            shift_elements=list(collected.get("shift_elements") or []),
            transferred=nbytes,
            requests=counts,
            network=[r.to_json() for r in net.entries()],
            tasks=trace.tasks,
            warnings=seen.warnings,
            images=images,
            present_images=present,
            screenshot=shot,
            filmstrip=film,
            unused_js=unused_js,
            unused_css=unused_css,
            render_blocking=trace.render_blocking,
            trace_events=events if capture else [],
            started=started,
            trace_lost=bool(tracer.complete and tracer.complete.get("dataLossOccurred")),
        )
        page.close()
        if repeat:
            result.repeat = repeat_view(context, url, profile, is_hashed, max_wait_ms)
    finally:
        context.close()
    if cpu_time and profile.cpu_rate != 1:
        result.metrics["tbt_cpu"] = cpu_time_tbt(
            browser, url, profile, options, is_hashed, max_wait_ms=max_wait_ms
        )
    return result


def cpu_time_tbt(
    browser: Any,
    url: str,
    profile: Profile,
    options: dict[str, Any],
    is_hashed: Callable[[str], bool],
    *,
    max_wait_ms: float = MAX_WAIT_MS,
    loads: int = CPU_TIME_LOADS,
) -> float:
    """TBT from thread CPU time: ``url`` loaded cold ``loads`` more times, each in a fresh
    context, with the profile's network and device but *without* Chromium's CPU throttling,
    traced; each main-thread task's thread CPU time times the profile's CPU factor
    (``cpu_blocking_time``). The least of the loads is the run's figure.

    Not from the throttled load: Chromium's throttler (``ThreadCPUThrottler``) slows the main
    thread by busy-waiting in a signal handler, so a throttled task's thread CPU time already
    holds the slowdown (about ``cpu_rate`` times the work on a quiet host: the factor counted
    again read TBT 17x high), and the spin is paced by wall time, so under host load it shrinks
    with the thread's share of a core (a fixed 60 ms of work read 264 ms quiet, 118-252 ms at
    load 16-18). Unthrottled, the same work read 58-62 ms at any load.

    The least, not one load: the same tasks' thread CPU time varies by a fifth from load to
    load (cache and memory contention, the host's other tenants), and that noise only ever
    adds time to the page's own cost, as ``timeit`` says of repeated timings. One load per run
    read the heavy bench page's median 13 % apart between a quiet host and one with two busy
    processes (the quiet one's upper tail); the least of two narrows it (``CPU_TIME_LOADS``)."""
    unthrottled = replace(profile, cpu_rate=1)
    figures = []
    for _ in range(max(1, loads)):
        events, final, fcp_js = traced_load(
            browser, url, unthrottled, options, is_hashed, max_wait_ms=max_wait_ms
        )
        trace = parse(events, final)
        fcp = trace.fcp if trace.fcp is not None else fcp_js
        figures.append(cpu_blocking_time(trace.tasks, fcp, profile.cpu_rate))
    return min(figures)


def traced_load(
    browser: Any,
    url: str,
    profile: Profile,
    options: dict[str, Any],
    is_hashed: Callable[[str], bool],
    *,
    max_wait_ms: float = MAX_WAIT_MS,
    listen: Callable[[Any], None] | None = None,
    after: Callable[[Any], None] | None = None,
) -> tuple[list[dict[str, Any]], str, float]:
    """``url`` loaded cold in a fresh context made with ``options``, under ``profile``'s
    throttling, traced and observed until quiet; ``listen(cdp)`` runs before the navigation
    (to record CDP events), ``after(page)`` once the page is quiet, still traced. Returns the
    trace events, the final URL and the page's own FCP."""
    context = browser.new_context(**options)
    try:
        context.add_init_script(script=metrics_script())
        page, cdp, net = _open(context, profile, is_hashed)
        if listen is not None:
            listen(cdp)
        tracer = Tracer(cdp, page.wait_for_timeout)
        tracer.start()
        _load(page, cdp, url, net, quiet_ms=QUIET_MS, max_wait_ms=max_wait_ms)
        fcp_js = float(page.evaluate("() => window.__assetpipe.collect()").get("fcp") or 0.0)
        if after is not None:
            after(page)
        events = tracer.stop()
        final = str(page.url)
        net.close()
        page.close()
    finally:
        context.close()
    return events, final, fcp_js


def repeat_view(
    context: Any,
    url: str,
    profile: Profile,
    is_hashed: Callable[[str], bool],
    max_wait_ms: float = MAX_WAIT_MS,
) -> dict[str, Any]:
    """A second visit in the same context (warm HTTP cache): bytes still transferred, in total
    and for hashed assets, and which hashed URLs went to the network anyway."""
    page, cdp, net = _open(context, profile, is_hashed)
    try:
        _load(page, cdp, url, net, quiet_ms=QUIET_MS, max_wait_ms=max_wait_ms)
    finally:
        entries = net.entries()
        page.close()
    total = sum(r.bytes for r in entries)
    hashed = [r for r in entries if r.hashed]
    refetched = [r.url for r in hashed if not r.from_cache]
    return {
        "bytes": {"total": total, "hashed": sum(r.bytes for r in hashed)},
        "requests": {
            "total": len(entries),
            "hashed": len(hashed),
            "network": sum(1 for r in entries if not r.from_cache),
        },
        "refetched": refetched,
    }
