"""``assetpipe audit``: orchestration (DESIGN §3.1, §3.7).

serve the site on loopback → for each page of this shard: N cold runs in fresh contexts (a failed
run retried once; a page that keeps failing is ``errored``, the others go on), the repeat view in
the first run's context → medians → optional Lighthouse → budget and built-in checks → history
and regressions → lcp-hints.json → the result document. Rendering (terminal, JUnit, GitHub, HTML
report) is done by the callers from that document.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..browser import find_chromium, launch, require_playwright
from ..config import Config
from ..errors import UsageError
from ..rewrite.hints import ImageHint
from ..stages.base import NullProgress, Progress
from . import budgets as budgets_mod
from . import images as images_mod
from . import policy, summary, throttle
from .host import host_info
from .locate import Locator, record_hints
from .measure import PageLoadError, RunResult, measure
from .observe import MAX_WAIT_MS
from .server import app_error

log = logging.getLogger("assetpipe.audit")

METRICS = policy.METRICS
ONE_YEAR = 31_536_000


@dataclass(frozen=True)
class AuditOptions:
    """What the command line chose; ``None`` means the config's ``audit:`` default."""

    profile: str | None = None
    runs: int | None = None
    pages: tuple[str, ...] = ()
    base_url: str | None = None
    app: str | None = None
    shard: tuple[int, int] = (1, 1)
    lighthouse: bool = False
    fail_on_regression: float | None = None
    hints: bool = True
    history: bool = True
    capture: bool = True
    max_wait_ms: float = MAX_WAIT_MS
    #: ``--runs auto``: ``policy.AUTO_MIN`` runs, more while runs disagree about a budget.
    runs_auto: bool = False
    mode: str = "observed"
    aggregate: str = "median"
    #: ``--baseline REPORT_DIR``: another audit's report folder to compare with.
    baseline: Path | None = None


@dataclass
class AuditResult:
    """The audit document (DESIGN §3.7) plus per-page details for reports (network requests,
    runs, pictures, trends) that ``--json`` leaves out."""

    doc: dict[str, Any]
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    pictures: dict[str, bytes] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 pass; 1 a check at level error failed or a page errored (every page included)."""
        return exit_code(self.doc)


def exit_code(doc: dict[str, Any]) -> int:
    """0 when every page passed, else 1, also when no page could be measured (HTTP 404/500,
    nothing listening): the site failed, not a tool. Exit 3 is only for a missing tool (no
    Chromium, no Node for --lighthouse), raised as ``ExternalToolError`` before any page."""
    return 0 if doc["passed"] else 1


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` (1-based, like Playwright) → (I, N); ``UsageError`` otherwise."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard: expected I/N such as 1/4, got {text!r}") from None
    if n < 1 or not 1 <= i <= n:
        raise UsageError(f"--shard: expected 1 <= I <= N, got {text!r}")
    return i, n


def shard_pages(paths: list[str], shard: tuple[int, int]) -> list[str]:
    """Contiguous, balanced slices in the pages' order (Playwright's way)."""
    i, n = shard
    size, extra = divmod(len(paths), n)
    start = (i - 1) * size + min(i - 1, extra)
    return paths[start : start + size + (1 if i <= extra else 0)]


def select_pages(config: Config, opts: AuditOptions) -> list[tuple[str, str | None]]:
    """(path, template) of the pages to audit in this shard."""
    known = {p.path: p.template for p in config.pages}
    if opts.pages:
        unknown = [p for p in opts.pages if p not in known]
        if unknown and not (opts.base_url or opts.app or config.audit.app):
            raise UsageError(
                f"--page {unknown[0]}: not one of the config's pages "
                f"({', '.join(known) or 'none'})",
                hint="add it to pages: in pipeline.yaml, or audit your own app "
                "with --app or --base-url",
            )
        for p in opts.pages:
            if not p.startswith("/"):
                raise UsageError(f"--page {p}: expected a URL path starting with '/'")
        paths = list(dict.fromkeys(opts.pages))
    else:
        paths = [p.path for p in config.pages]
    if not paths:
        raise UsageError(
            "no pages to audit",
            location=config.location_of("pages"),
            hint="list them under pages: in pipeline.yaml or pass --page PATH",
        )
    return [(p, known.get(p)) for p in shard_pages(paths, opts.shard)]


def _median_run(runs: list[RunResult]) -> RunResult:
    """The run whose LCP is closest to the median (its element and requests represent the
    page)."""
    med = statistics.median(r.metrics["lcp"] for r in runs)
    return min(runs, key=lambda r: abs(r.metrics["lcp"] - med))


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


def builtin_checks(
    page: dict[str, Any],
    network: list[dict[str, Any]],
    encodings: dict[str, list[str]],
    locator: Locator,
) -> list[budgets_mod.Check]:
    """The LCP image is not lazy-loaded; hashed assets are served immutable and, when the build
    precompressed them, compressed."""
    checks = []
    el = page.get("lcp_element") or {}
    lazy = bool(el.get("tag") == "img" and el.get("lazy"))
    where = f"{el['template']}:{el['line']}" if el.get("template") else "an unknown template"
    checks.append(
        budgets_mod.Check(
            "lcp.not_lazy",
            "error",
            0,
            1 if lazy else 0,
            not lazy,
            f'the LCP image {el.get("url") or el.get("src")} is lazy-loaded (loading="lazy" at '
            f'{where}); make it eager: remove loading="lazy" or rebuild with lcp-hints.json'
            if lazy
            else "the LCP element is not a lazy-loaded image",
            template=el.get("template") if lazy else None,
            line=el.get("line") if lazy else None,
        )
    )
    hashed = [r for r in network if r["hashed"] and not r["from_cache"] and r["status"] == 200]
    not_immutable = [r["url"] for r in hashed if not _immutable(r.get("cache_control"))]
    checks.append(
        budgets_mod.Check(
            "hashed.immutable",
            "error",
            0,
            len(not_immutable),
            not not_immutable,
            f"{len(not_immutable)} hashed asset(s) without a year-long immutable Cache-Control, "
            f"e.g. {not_immutable[0]}"
            if not_immutable
            else f"{len(hashed)} hashed asset(s) served immutable",
        )
    )
    uncompressed = []
    for r in hashed:
        rel = locator.rel(_path(r["url"])) or ""
        if encodings.get(rel) and not r.get("encoding"):
            uncompressed.append(r["url"])
    checks.append(
        budgets_mod.Check(
            "hashed.compressed",
            "error",
            0,
            len(uncompressed),
            not uncompressed,
            f"{len(uncompressed)} hashed asset(s) sent uncompressed although the build "
            f"precompressed them, e.g. {uncompressed[0]}"
            if uncompressed
            else "every precompressed hashed asset was sent compressed",
        )
    )
    return checks


def _settled_check(warnings: list[str]) -> budgets_mod.Check:
    """A warning when a run was measured at the cap (``load`` never fired, never quiet)."""
    return budgets_mod.Check(
        "page.settled",
        "warn",
        None,
        None,
        not warnings,
        "; ".join(warnings) if warnings else "the page went quiet after load",
    )


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _immutable(cache_control: str | None) -> bool:
    if not cache_control:
        return False
    parts = [p.strip().lower() for p in cache_control.split(",")]
    max_age = next((p.split("=", 1)[1] for p in parts if p.startswith("max-age=")), "0")
    return "immutable" in parts and max_age.isdigit() and int(max_age) >= ONE_YEAR


def _encodings(config: Config) -> dict[str, list[str]]:
    from ..manifest import Manifest

    try:
        manifest = Manifest.read(config.output / "manifest.json")
    except (OSError, ValueError):
        return {}
    return {e["file"]: list(e.get("encodings") or ()) for e in manifest.entries.values()}


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
) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
    """Measure one page ``runs`` times (``auto``: see ``policy``); returns (page JSON,
    details, pictures)."""
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
                    )
                )
                error = None
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
    first = results[0]
    warnings = list(dict.fromkeys(w for r in results for w in r.warnings))
    page.update(
        status="measured",
        passed=True,
        error=None,
        metrics=metrics,
        lcp_element=el,
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
    details: dict[str, Any] = {
        "runs": [r.metrics for r in results],
        "network": rep.network,
        "first_view_network": first.network,
        "long_tasks": [t.to_json() for t in rep.tasks if t.dur > 50],
        "images": first.images,
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
    return page, details, pictures


def run_audit(config: Config, opts: AuditOptions, progress: Progress | None = None) -> AuditResult:
    """Run the audit; raises ``UsageError``/``ConfigError`` (2) and ``ExternalToolError`` (3,
    no Chromium or Playwright). The result's ``exit_code`` says 0/1/3."""
    require_playwright()
    from playwright.sync_api import sync_playwright

    from .server import serve_site

    prog = progress or NullProgress()
    profile = throttle.get(opts.profile or config.audit.profile)
    runs = policy.AUTO_MIN if opts.runs_auto else (opts.runs or config.audit.runs)
    if opts.mode not in policy.MODES or opts.aggregate not in policy.AGGREGATES:
        raise UsageError(
            f"--metrics/--aggregate: expected one of {', '.join(policy.MODES)} / "
            f"{', '.join(policy.AGGREGATES)}"
        )
    if runs < 1:
        raise UsageError(f"--runs: expected a positive integer, got {runs}")
    all_budgets = budgets_mod.all_budgets(config)
    pages = select_pages(config, opts)
    chromium = find_chromium(config.audit.chromium)
    locator = Locator(config)
    image_dims = images_mod.source_dims(locator)
    encodings = _encodings(config)
    headers = dict(config.audit.headers)
    app = opts.app or (None if opts.base_url else config.audit.app)
    out_pages: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    pictures: dict[str, bytes] = {}
    prog.start("audit", len(pages) * runs)
    with serve_site(config, app_spec=app, base_url=opts.base_url) as base, sync_playwright() as pw:
        browser = launch(pw, executable=chromium)
        try:
            host = host_info(browser)
            for path, template in pages:
                page, det, pics = audit_page(
                    browser,
                    base,
                    path,
                    template,
                    runs=runs,
                    profile=profile,
                    headers=headers,
                    locator=locator,
                    capture=opts.capture,
                    progress=prog,
                    max_wait_ms=opts.max_wait_ms,
                    image_dims=image_dims,
                    auto=opts.runs_auto,
                    mode=opts.mode,
                    how=opts.aggregate,
                    budget=budgets_mod.select(all_budgets, path, profile.name),
                )
                out_pages.append(page)
                details[path] = det
                pictures.update(pics)
        finally:
            browser.close()
        if opts.lighthouse:
            from . import lighthouse

            for page in out_pages:
                if page["status"] != "measured":
                    continue
                cats = tuple(
                    sorted({"performance", *(k for b in all_budgets for k, _ in b.min_score)})
                )
                lh = lighthouse.run(
                    page["url"], profile, chromium, headers=headers, categories=cats
                )
                page["lighthouse"] = lh["scores"]
                details[page["path"]]["lighthouse_metrics"] = lh["metrics"]
    prog.finish("audit")
    image_records: list[ImageHint] = []
    for page in out_pages:
        checks: list[budgets_mod.Check] = []
        if page["status"] == "measured":
            budget = budgets_mod.select(all_budgets, page["path"], profile.name)
            checks = budgets_mod.evaluate(budget, page, lighthouse=opts.lighthouse)
            checks += builtin_checks(
                page, details[page["path"]]["first_view_network"], encodings, locator
            )
            checks.append(_settled_check(page.get("warnings") or []))
            det = details[page["path"]]
            checks += images_mod.checks(
                det.get("images") or [],
                det["first_view_network"],
                dpr=profile.dpr,
                locator=locator,
                template=page.get("template"),
                levels=dict(budget.level) if budget else {},
            )
            image_records += images_mod.image_hints(
                det.get("images") or [],
                profile=profile,
                locator=locator,
                template=page.get("template"),
            )
        else:
            checks = [
                budgets_mod.Check(
                    "page.load",
                    "error",
                    None,
                    None,
                    False,
                    f"the page could not be measured: {page['error']}",
                )
            ]
        page["checks"] = [c.to_json() for c in checks]
        page["passed"] = page["status"] == "measured" and not any(c.failed_error for c in checks)
    if opts.baseline is not None:
        from . import baseline

        base_doc, base_details = baseline.load(opts.baseline)
        baseline.compare(
            {"profile": profile.name, "pages": out_pages}, details, base_doc, base_details
        )
    _history(config, opts, profile.name, out_pages, details)
    if opts.hints and not opts.base_url:
        record_hints(
            config, [p for p in out_pages if p["status"] == "measured"], image_records, profile.name
        )
    doc = {
        "profile": profile.name,
        "runs": "auto" if opts.runs_auto else runs,
        "mode": opts.mode,
        "aggregate": opts.aggregate,
        "host": host,
        "shard": f"{opts.shard[0]}/{opts.shard[1]}",
        "passed": all(p["passed"] for p in out_pages),
        "pages": out_pages,
    }
    return AuditResult(doc, details, pictures)


def _history(
    config: Config,
    opts: AuditOptions,
    profile: str,
    pages: list[dict[str, Any]],
    details: dict[str, dict[str, Any]],
) -> None:
    """Regression checks against the history, then record this audit; trends for the report."""
    from .history import History, revision

    if config.audit.history is None:
        return
    history = History(config.audit.history)
    measured = [p for p in pages if p["status"] == "measured"]
    if opts.fail_on_regression is not None:
        for page in measured:
            for metric, value, base in history.regressions(page, profile, opts.fail_on_regression):
                check = budgets_mod.Check(
                    f"regression.{metric}",
                    "error",
                    round(base, 4),
                    round(value, 4),
                    False,
                    f"{metric} is {value:g}, worse than the history's median {base:g} by more "
                    f"than {opts.fail_on_regression:g}%",
                )
                page["checks"].append(check.to_json())
                page["passed"] = False
    passed = [p for p in measured if p["passed"]]  # a failed page never becomes a baseline
    if opts.history and passed:
        history.record(profile, passed, revision(config.root))
    for page in pages:
        details[page["path"]]["trend"] = {
            k: [[round(t), v] for t, v, _ in series]
            for k, series in history.series(page["path"], profile).items()
        }


def write_pictures(result: AuditResult, folder: Path) -> None:
    """Write the screenshots and filmstrip frames under ``folder``."""
    from ..fsutil import atomic_write

    for name, data in sorted(result.pictures.items()):
        atomic_write(folder / name, data)
