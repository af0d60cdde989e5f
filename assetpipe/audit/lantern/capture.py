"""The unthrottled load that simulated throttling starts from, and the simulated metrics.

``record`` loads a page cold, in a fresh context, with neither network nor CPU throttling (the
profile's device and viewport only), traced with Lighthouse's categories, and keeps every
``Network.*`` CDP event of the page's session (the DevTools log). ``simulate`` turns that load
into FCP, LCP, TBT and Speed Index under a profile's simulated network and CPU (mobile: 150 ms
RTT, 1.6 Mbit/s, 4x CPU; desktop: 40 ms, 10 Mbit/s, 1x). ``save_artifacts`` writes it as a
Lighthouse artifacts folder (``lighthouse -A=FOLDER``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..measure import RunResult, traced_load
from ..observe import MAX_WAIT_MS
from ..throttle import Profile
from ..trace import _navigation, parse
from . import metrics as lm
from .graph import create_graph
from .network import analyze
from .requests import from_devtools_log
from .simulator import DESKTOP, MOBILE, Settings, Simulator

#: The CDP events Lighthouse's network recorder reads.
NETWORK_EVENTS = (
    "Network.requestWillBeSent",
    "Network.requestServedFromCache",
    "Network.responseReceived",
    "Network.responseReceivedExtraInfo",
    "Network.dataReceived",
    "Network.loadingFinished",
    "Network.loadingFailed",
    "Network.resourceChangedPriority",
)


@dataclass
class Load:
    """One unthrottled load: the requested and final URL, trace events, DevTools log."""

    url: str
    final_url: str
    trace: list[dict[str, Any]]
    devtools_log: list[dict[str, Any]]


def record(
    browser: Any,
    url: str,
    profile: Profile,
    options: dict[str, Any],
    max_wait_ms: float = MAX_WAIT_MS,
) -> Load:
    """Load ``url`` unthrottled in a fresh context made with ``options`` (see module doc)."""
    bare = replace(profile, latency_ms=0, download_bps=-1, upload_bps=-1, cpu_rate=1)
    log: list[dict[str, Any]] = []

    def listen(cdp: Any) -> None:
        for name in NETWORK_EVENTS:
            cdp.on(name, lambda params, name=name: log.append({"method": name, "params": params}))

    events, final, _ = traced_load(
        browser, url, bare, options, lambda _u: False, max_wait_ms=max_wait_ms, listen=listen
    )
    return Load(url, final, events, log)


def settings_for(profile: Profile) -> Settings:
    """Lighthouse's simulated throttling for the profile's form factor."""
    return MOBILE if profile.mobile else DESKTOP


def _paints(load: Load) -> tuple[list[dict[str, Any]], float, float | None]:
    """The main thread's events sorted by time, and the FCP and LCP timestamps (µs)."""
    nav = _navigation(load.trace, load.final_url)
    if nav is None:
        raise ValueError(f"the trace has no navigation to {load.final_url}")
    pid, tid, t0 = nav["pid"], nav["tid"], float(nav["ts"])
    frame = (nav.get("args") or {}).get("frame")
    thread = sorted(
        (e for e in load.trace if e.get("pid") == pid and e.get("tid") == tid and "ts" in e),
        key=lambda e: (e["ts"], -float(e.get("dur", 0))),
    )
    fcp = lcp = None
    for ev in sorted(load.trace, key=lambda e: e.get("ts", 0)):
        if ev.get("pid") != pid or ev.get("ts", 0) < t0:
            continue
        if (ev.get("args") or {}).get("frame") not in (frame, None):
            continue
        name = ev.get("name")
        if name == "firstContentfulPaint" and fcp is None:
            fcp = float(ev["ts"])
        elif name == "largestContentfulPaint::Candidate":
            lcp = float(ev["ts"])
        elif name == "largestContentfulPaint::Invalidate":
            lcp = None
    if fcp is None:
        raise ValueError("the load painted no content (no firstContentfulPaint in the trace)")
    return thread, fcp, lcp


def simulate(load: Load, settings: Settings) -> dict[str, float]:
    """``fcp``, ``lcp``, ``tbt``, ``tti`` and ``si`` (ms) of ``load`` under ``settings``;
    raises ``ValueError`` when the load cannot be simulated (no paint, no main-thread task, no
    request for the URL, no network timings)."""
    thread, fcp_ts, lcp_ts = _paints(load)
    requests = from_devtools_log(load.devtools_log)
    graph = create_graph(thread, requests, load.url, load.final_url)
    sim = Simulator(settings, analyze(requests))
    first = lm.fcp(sim, graph, fcp_ts)
    largest = lm.lcp(sim, graph, lcp_ts if lcp_ts is not None else fcp_ts, first)
    tbt, tti = lm.tbt(sim, graph, first, largest)
    observed_si = parse(load.trace, load.final_url).speed_index
    out = {"fcp": first.value, "lcp": largest.value, "tbt": tbt, "tti": tti}
    if observed_si is not None:
        out["si"] = lm.speed_index(sim, graph, observed_si, first)
    return out


def save_artifacts(load: Load, folder: Path) -> Path:
    """Write ``load`` as the Lighthouse artifacts ``lighthouse -A=folder`` audits: the trace,
    the DevTools log and the few fields of ``artifacts.json`` the performance audits read."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "defaultPass.trace.json").write_text(
        json.dumps({"traceEvents": load.trace}), encoding="utf-8"
    )
    (folder / "defaultPass.devtoolslog.json").write_text(
        json.dumps(load.devtools_log), encoding="utf-8"
    )
    artifacts: dict[str, Any] = {
        "URL": {
            "requestedUrl": load.url,
            "mainDocumentUrl": load.final_url,
            "finalDisplayedUrl": load.final_url,
        },
        "GatherContext": {"gatherMode": "navigation"},
        "LighthouseRunWarnings": [],
        "Timing": [],
        "PageLoadError": None,
        "fetchTime": "2026-01-01T00:00:00.000Z",
        "HostUserAgent": "",
        "HostFormFactor": "desktop",
        "BenchmarkIndex": 1000,
    }
    (folder / "artifacts.json").write_text(json.dumps(artifacts), encoding="utf-8")
    return folder


def add_simulated(
    result: RunResult, browser: Any, url: str, profile: Profile, options: dict[str, Any], **kw: Any
) -> None:
    """``--metrics simulate``: one unthrottled load of ``url`` (``record``), simulated under
    the profile (``simulate``) into ``result.metrics`` as ``fcp_sim``, ``lcp_sim``,
    ``tbt_sim`` and ``si_sim``. A load that cannot be simulated adds a warning instead (the
    run keeps its observed figures). ``kw``: ``record``'s ``max_wait_ms``."""
    load = record(browser, url, profile, options, **kw)
    try:
        simulated = simulate(load, settings_for(profile))
    except ValueError as exc:
        result.warnings.append(f"simulated throttling failed ({exc}): observed figures kept")
        return
    for key, value in simulated.items():
        result.metrics[f"{key}_sim"] = value


def load_artifacts(folder: Path) -> Load:
    """The load in a Lighthouse artifacts folder (``save_artifacts``' or Lighthouse's own,
    ``lighthouse -GA``); raises ``ValueError`` naming the file that is missing or unreadable."""
    parts: list[Any] = []
    for name in ("artifacts.json", "defaultPass.trace.json", "defaultPass.devtoolslog.json"):
        try:
            parts.append(json.loads((folder / name).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{folder / name}: {exc}") from exc
    artifacts, trace, log = parts
    urls = artifacts.get("URL") or {}
    if not urls.get("requestedUrl") or not urls.get("mainDocumentUrl"):
        raise ValueError(f"{folder / 'artifacts.json'}: no URL.requestedUrl/mainDocumentUrl")
    events = trace.get("traceEvents", []) if isinstance(trace, dict) else trace
    return Load(urls["requestedUrl"], urls["mainDocumentUrl"], events, log)
