"""How long to watch a page: from the navigation until the page is quiet, or a cap.

Quiet means, for ``quiet_ms`` (2 s) at once, after the ``load`` event: no foreground request in
flight or finishing (see ``NetworkLog``: an EventSource, a worker's own requests and a URL polled
again are background and do not hold the window open), and the main thread busy less than half
of each 100 ms (CDP ``Performance.getMetrics``' cumulative ``TaskDuration``, so style, layout
and paint work count, not only script). Layout shifts, LCP candidates and main-thread tasks
are observed over the same window, so a shift from a timer or a long task after ``load`` is
measured.

A page whose ``load`` never fires (an image that never finishes) or that never goes quiet is
measured at the cap, with a warning: it is not an error, as in Lighthouse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .network import NetworkLog

#: 2 s, not Lighthouse's 1 s: a banner or a long task 1.5 s after ``load`` is still measured.
QUIET_MS = 2000
MAX_WAIT_MS = 30_000
POLL_MS = 100
#: Main-thread busy share above which a poll interval counts as CPU activity: half, so a long
#: task (>= 50 ms) shows while a light JS animation (a few ms per frame, even at 4x throttling)
#: does not keep the window open until the cap.
BUSY_SHARE = 0.5


@dataclass
class Observation:
    """How the observation ended: ``loaded`` (the ``load`` event fired), ``quiet`` (the window
    closed because the page was quiet, not at the cap), ``elapsed_ms`` from the navigation, and
    ``warnings`` for the report."""

    loaded: bool
    quiet: bool
    elapsed_ms: float
    warnings: list[str] = field(default_factory=list)


def _task_seconds(cdp: Any) -> float:
    metrics = cdp.send("Performance.getMetrics").get("metrics") or []
    return float(next((m["value"] for m in metrics if m.get("name") == "TaskDuration"), 0.0))


def observe(
    page: Any,
    cdp: Any,
    net: NetworkLog,
    *,
    started: float,
    loaded: list[float],
    quiet_ms: float = QUIET_MS,
    max_wait_ms: float = MAX_WAIT_MS,
) -> Observation:
    """Wait until the page is quiet (see the module doc) or ``max_wait_ms`` after ``started``
    (``time.monotonic()`` at navigation). ``loaded`` receives the monotonic time of ``load``
    (a list the caller's ``page.on("load")`` appends to). Needs ``Performance.enable``."""
    cap = started + max_wait_ms / 1000.0
    quiet_s = quiet_ms / 1000.0
    last_busy = time.monotonic()
    prev = _task_seconds(cdp)
    prev_t = last_busy
    quiet = False
    while time.monotonic() < cap:
        page.wait_for_timeout(POLL_MS)
        now = time.monotonic()
        busy = _task_seconds(cdp)
        if busy - prev > BUSY_SHARE * max(now - prev_t, POLL_MS / 1000.0):
            last_busy = now
        prev, prev_t = busy, now
        if not loaded:
            continue
        since = min(now - loaded[0], now - last_busy, now - net.last_foreground)
        if not net.pending_foreground() and since >= quiet_s:
            quiet = True
            break
    elapsed = (time.monotonic() - started) * 1000.0
    warnings = []
    if not loaded:
        pending = [r.url for r in net.entries() if r.end is None and not r.background]
        more = f"; unfinished: {', '.join(pending[:3])}" if pending else ""
        warnings.append(
            f"the load event did not fire within {max_wait_ms / 1000:g} s: "
            f"measured at the cap{more}"
        )
    elif not quiet:
        pending = [r.url for r in net.entries() if r.end is None and not r.background]
        what = (
            f"requests still in flight ({', '.join(pending[:3])})"
            if pending
            else "network or main-thread activity"
        )
        warnings.append(
            f"the page did not go quiet within {max_wait_ms / 1000:g} s "
            f"({what}): measured at the cap"
        )
    return Observation(bool(loaded), quiet, elapsed, warnings)
