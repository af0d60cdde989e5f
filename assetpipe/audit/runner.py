"""``assetpipe audit``: orchestration.

serve the site on loopback → for each page of this shard: N cold runs in fresh contexts (a failed
run retried once; a page that keeps failing is ``errored``, the others go on), the repeat view in
the first run's context → medians → optional Lighthouse → budget and built-in checks → history
and regressions → lcp-hints.json → the result document (``options.AuditResult``). Rendering
(terminal, JUnit, GitHub, HTML report) is done by the callers from that document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Config
from ..config.steps import unset_variables
from ..errors import ConfigError, UsageError
from ..progress import NullProgress, Progress
from ..rewrite.hints import ImageHint
from . import budgets as budgets_mod
from . import builtin, flows, insights, policy, throttle
from . import images as images_mod
from .browser import find_chromium, launch, require_playwright
from .hintsfile import record_hints
from .host import host_info
from .locate import Locator
from .options import AuditOptions, AuditResult
from .page import audit_page
from .selection import select_pages

#: V8 flag for the audit's Chromium: bytecode keeps its source positions from the start. By
#: default V8 drops them and rebuilds a function's by re-parsing it when asked; with a CDP client
#: attached (Playwright's), every exception the page throws, even one it catches, asks for the
#: throw's location. Swagger UI's 1.45 MB bundle throws ~40 at start-up: 39-41 re-parses, 1.0-3.3
#: s of its evaluation under the mobile profile's 4x CPU (in a Chromium without a CDP client the
#: same load rebuilt positions 11 times in 1 ms). Lighthouse does not pay it either: its attached
#: debugger keeps the positions. With the flag the bundle evaluates in a third of the time.
EAGER_SOURCE_POSITIONS = "--js-flags=--no-enable-lazy-source-positions"


def run_audit(config: Config, opts: AuditOptions, progress: Progress | None = None) -> AuditResult:
    """Run the audit; raises ``UsageError``/``ConfigError`` (2) and ``ExternalToolError`` (3,
    no Chromium or Playwright). The result's ``exit_code`` says 0/1.

    The user's own errors (options, config, pages, no build, a baseline folder that is not a
    report) are checked before the environment (Playwright, Chromium): an unbuilt project says
    "run `assetpipe build`" also on a machine without a browser."""
    from .server import prepare_site, serve_site

    prog = progress or NullProgress()
    profile = throttle.get(opts.profile or config.audit.profile)
    runs = policy.AUTO_MIN if opts.runs_auto else (opts.runs or config.audit.runs)
    mode = opts.mode or config.audit.metrics
    if mode not in policy.MODES or opts.aggregate not in policy.AGGREGATES:
        raise UsageError(
            f"--metrics/--aggregate: expected one of {', '.join(policy.MODES)} / "
            f"{', '.join(policy.AGGREGATES)}"
        )
    if runs < 1:
        raise UsageError(f"--runs: expected a positive integer, got {runs}")
    # a login or flow secret (``${NAME}``) must be set for the audit, which types it; the build
    # and the app read the same config without it
    unset = unset_variables([*config.login, *(s for f in config.flows for s in f.steps)])
    if unset:
        raise ConfigError(unset)
    all_budgets = budgets_mod.all_budgets(config)
    pages = select_pages(config, opts)
    app = opts.app or (None if opts.base_url else config.audit.app)
    site = prepare_site(config, app_spec=app, base_url=opts.base_url)
    base_report = _load_baseline(opts.baseline, profile.name)
    require_playwright()
    from playwright.sync_api import sync_playwright

    chromium = find_chromium(config.audit.chromium)
    locator = Locator(config)
    image_dims = images_mod.source_dims(locator)
    encodings = builtin.encodings(config)
    headers = dict(config.audit.headers)
    out_pages: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    pictures: dict[str, bytes] = {}
    prog.start("audit", len(pages) * runs)
    with serve_site(config, site=site) as base, sync_playwright() as pw:
        browser = launch(pw, executable=chromium, args=(EAGER_SOURCE_POSITIONS,))
        try:
            host = host_info(browser)
            state, flow_docs = flows.run_all(
                browser,
                base,
                config,
                profile,
                headers=headers,
                flows=opts.shard[0] == 1,
                runs=runs,
                auto=opts.runs_auto,
                how=opts.aggregate,
            )
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
                    mode=mode,
                    how=opts.aggregate,
                    budget=budgets_mod.select(all_budgets, path, profile.name),
                    storage_state=state,
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
                cookie = flows.cookie_header(state, page["url"])  # the login's, if any
                lh_headers = {**headers, "Cookie": cookie} if cookie else headers
                lh = lighthouse.run(
                    page["url"], profile, chromium, headers=lh_headers, categories=cats
                )
                page["lighthouse"] = lh["scores"]
                details[page["path"]]["lighthouse_metrics"] = lh["metrics"]
    prog.finish("audit")
    image_records: list[ImageHint] = []
    rendered: dict[str, set[tuple[str, int]]] = {}  # page path → its template <img> tags
    for page in out_pages:
        checks: list[budgets_mod.Check] = []
        if page["status"] == "measured":
            budget = budgets_mod.select(all_budgets, page["path"], profile.name)
            checks = budgets_mod.evaluate(budget, page, lighthouse=opts.lighthouse)
            checks += builtin.builtin_checks(
                page, details[page["path"]]["first_view_network"], encodings, locator
            )
            checks.append(builtin.settled_check(page.get("warnings") or []))
            det = details[page["path"]]
            checks.append(builtin.redirect_check(page["url"], det["first_view_network"]))
            checks += insights.checks(
                page,
                det.get("insights") or {},
                limits=dict(budget.insights) if budget else {},
                levels=dict(budget.level) if budget else {},
            )
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
            rendered[page["path"]] = images_mod.placed_tags(
                det.get("present_images") or [], locator, page.get("template")
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
    if base_report is not None:
        from . import baseline

        baseline.compare({"profile": profile.name, "pages": out_pages}, details, *base_report)
    _history(config, opts, profile.name, out_pages, details)
    if opts.hints and not opts.base_url:
        measured = [p for p in out_pages if p["status"] == "measured"]
        record_hints(config, measured, image_records, profile.name, rendered)
    doc = {
        "profile": profile.name,
        "runs": "auto" if opts.runs_auto else runs,
        "mode": mode,
        "aggregate": opts.aggregate,
        "host": host,
        "shard": f"{opts.shard[0]}/{opts.shard[1]}",
        "passed": all(p["passed"] for p in [*out_pages, *flow_docs]),
        "pages": out_pages,
        "flows": flow_docs,
    }
    return AuditResult(doc, details, pictures)


def _load_baseline(
    folder: Path | None, profile: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The ``--baseline`` report (doc, details), read and checked before any page is measured."""
    if folder is None:
        return None
    from . import baseline

    doc, details = baseline.load(folder)
    if doc.get("profile") != profile:
        raise UsageError(
            f"--baseline {folder}: its profile is {doc.get('profile')}, this audit's is {profile}"
        )
    return doc, details


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
