"""One page's audit: its runs (a failed run retried once), their aggregates, the run that
represents the page, and the details and pictures the report shows."""

from __future__ import annotations

import gzip
import json
import logging
import statistics
from typing import Any

from ..progress import Progress
from . import insights, policy, summary, throttle
from .har import har
from .lantern.capture import add_simulated
from .locate import Locator
from .measure import PageLoadError, RunResult, context_options, measure
from .observe import MAX_WAIT_MS
from .server import app_error

log = logging.getLogger("assetpipe.audit")

METRICS = policy.METRICS


def _median_run(runs: list[RunResult]) -> RunResult:
    """The run whose LCP is closest to the median (its element and requests represent the
    page)."""
    med = statistics.median(r.metrics["lcp"] for r in runs)
    return min(runs, key=lambda r: abs(r.metrics["lcp"] - med))


def _median_cls_run(runs: list[RunResult]) -> RunResult:
    """The run whose CLS is closest to the median (its shifted elements represent the page)."""
    med = statistics.median(r.metrics["cls"] for r in runs)
    return min(runs, key=lambda r: abs(r.metrics["cls"] - med))


def _medians(
    runs: list[RunResult], mode: str = "observed", how: str = "median"
) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    """Per-metric aggregates in ``mode`` (``policy``), unrounded (budgets compare exact values;
    displays round); bytes and counts are medians."""
    figs = [policy.figures(r.metrics, mode) for r in runs]
    metrics = {k: policy.aggregate((f[k] for f in figs), how) for k in METRICS}
    nbytes = {
        k: round(statistics.median(r.transferred[k] for r in runs)) for k in runs[0].transferred
    }
    counts = {k: round(statistics.median(r.requests[k] for r in runs)) for k in runs[0].requests}
    return metrics, nbytes, counts


def audit_page(
    browser: Any,
    base: str,
    path: str,
    template: str | None,
    *,
    runs: int,
    profile: throttle.Profile,
    headers: dict[str, str],
    locator: Locator,
    capture: bool,
    progress: Progress,
    max_wait_ms: float = MAX_WAIT_MS,
    image_dims: dict[str, list[int]] | None = None,
    auto: bool = False,
    mode: str = "observed",
    how: str = "median",
    budget: Any = None,
    storage_state: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
    """Measure one page ``runs`` times (``auto``: see ``policy``), each in a fresh context with
    ``storage_state`` (the login's cookies, ``flows``); returns (page JSON, details, pictures)."""
    url = base + path
    results: list[RunResult] = []
    error: str | None = None
    for i in range(policy.AUTO_MAX if auto else runs):
        if (
            auto
            and i >= policy.AUTO_MIN
            and not policy.disagreeing([policy.figures(r.metrics, mode) for r in results], budget)
        ):
            break
        for attempt in (1, 2):
            try:
                results.append(
                    measure(
                        browser,
                        url,
                        profile,
                        headers=headers,
                        is_hashed=locator.is_hashed,
                        repeat=i == 0,
                        capture=capture and i == 0,
                        max_wait_ms=max_wait_ms,
                        probe_images=image_dims if i == 0 else None,
                        storage_state=storage_state,
                        cpu_time=mode == "cpu",
                    )
                )
                if mode == "simulate":
                    add_simulated(
                        results[-1],
                        browser,
                        url,
                        profile,
                        context_options(profile, headers, storage_state),
                        max_wait_ms=max_wait_ms,
                    )
                error = None
                if results[-1].trace_lost and attempt == 1:
                    # Chromium dropped trace events (its buffer overran on a busy host): the
                    # run's TBT and tasks can only read low, so it is loaded once more
                    log.warning("%s: run %d lost trace events: loaded again", path, i + 1)
                    results.pop()
                    continue
                break
            except PageLoadError as exc:
                error = app_error(path, str(exc))
                log.warning("%s: run %d attempt %d failed: %s", path, i + 1, attempt, exc)
        progress.advance("audit")
        if error is not None:
            break
    page: dict[str, Any] = {"path": path, "url": url, "template": template, "lighthouse": None}
    if error is not None or not results:
        page.update(
            status="errored",
            passed=False,
            error=error or "no run completed",
            metrics=None,
            lcp_element=None,
            cls_elements=None,
            bytes=None,
            requests=None,
            repeat_view=None,
        )
        return page, {"runs": [r.metrics for r in results]}, {}
    metrics, nbytes, counts = _medians(results, mode, how)
    rep = _median_run(results)
    el = dict(rep.lcp_element) if rep.lcp_element else None
    if el is not None:
        tpl, line, key = locator.locate(el, template)
        el.update(template=tpl, line=line, key=key)
        el.pop("size", None)
    moved = []
    for shifted in _median_cls_run(results).shift_elements:
        tpl, line = locator.locate_element(shifted, template)
        moved.append({**shifted, "template": tpl, "line": line})
    first = results[0]
    warnings = list(dict.fromkeys(w for r in results for w in r.warnings))
    page.update(
        status="measured",
        passed=True,
        error=None,
        metrics=metrics,
        lcp_element=el,
        cls_elements=moved,
        modes=policy.modes(mode),
        runs=len(results),
        warnings=warnings,
        bytes=nbytes,
        requests=counts,
        repeat_view={
            "bytes": (first.repeat or {}).get("bytes", {}),
            "requests": (first.repeat or {}).get("requests", {}),
            "refetched": (first.repeat or {}).get("refetched", []),
        },
    )
    slug = summary.slug(path)
    pictures: dict[str, bytes] = {}
    gathered = insights.gather(
        rep.network,
        rep.tasks,
        page_url=url,
        fcp=rep.metrics["fcp"],
        blocking_urls=rep.render_blocking,
        js=rep.unused_js,
        css=rep.unused_css,
    )
    page["tbt_scripts"] = gathered["blocking_scripts"]
    details: dict[str, Any] = {
        "insights": gathered,
        "runs": [r.metrics for r in results],
        "network": rep.network,
        "first_view_network": first.network,
        "long_tasks": [t.to_json() for t in rep.tasks if t.dur > 50],
        "images": first.images,
        "present_images": first.present_images,
    }
    if first.screenshot:
        pictures[f"pages/{slug}/screenshot.jpg"] = first.screenshot
        details["screenshot"] = f"pages/{slug}/screenshot.jpg"
    film = []
    for n, (t, data) in enumerate(first.filmstrip):
        name = f"pages/{slug}/film-{n:03d}.jpg"
        pictures[name] = data
        film.append({"t": t, "file": name})
    details["filmstrip"] = film
    if first.trace_events:
        trace_json = json.dumps({"traceEvents": first.trace_events}, separators=(",", ":"))
        pictures[f"pages/{slug}/trace.json.gz"] = gzip.compress(trace_json.encode(), 6)
        details["trace"] = f"pages/{slug}/trace.json.gz"
        doc = har(url, first.started, first.network)
        pictures[f"pages/{slug}/page.har"] = json.dumps(doc, indent=1).encode()
        details["har"] = f"pages/{slug}/page.har"
    return page, details, pictures
