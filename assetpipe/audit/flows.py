"""User flows: the ``login`` steps and each ``flows[]`` entry, run in Chromium and measured.

Each flow runs ``--runs`` times, like a page (``--runs auto``: ``policy.AUTO_MIN`` runs, more up
to ``policy.AUTO_MAX`` while the runs disagree about one of the flow's budgets), each run in a
fresh browser context with the profile's device, network and CPU throttling (as the pages get)
and the cookies and storage the login left. A failed run is retried once; a flow whose run keeps
failing is ``errored``. The per-run figures are aggregated per metric with the pages' policy
(``--aggregate``: the median by default, ``policy.aggregate``).

The login runs once per audit, not once per run: its result is a cookie/storage snapshot
(Playwright's ``storage_state``) that every run of every page and flow starts from in a fresh
context, so each run begins equally logged in; logging in again per run would measure nothing
more and multiply sessions (and lockout risk) on the server. A flow must therefore not end the
server-side session (a "log out" step): later runs would start logged out.

``flows.js``, injected into every document, records Event Timing entries and layout shifts. Per
interaction step (``click``, ``fill``, ``press``): its latency is the longest Event Timing
duration among the entries with an ``interactionId`` that started during the step (INP's figure
for one interaction). A run's ``inp`` is its slowest interaction (flows are short: the max is
INP's 98th percentile here); its ``cls`` is the largest session window (gaps < 1 s, windows
< 5 s) of the shifts without recent input, per document, the largest over the run's documents.

A step that fails (no element matches its selector within ``STEP_TIMEOUT_MS``, an HTTP error
on ``goto``) ends the run: the flow is ``errored`` with the step's config position, index and
selector, and counts as a failed check of the flow's level.

Flow JSON: ``{name, runs, aggregate, steps: [{kind, selector, latency_ms, latencies}], inp, cls,
per_run: {inp: [...], cls: [...]}, verdict, error, checks}`` (``selector`` is the URL path of a
``goto``; ``latency_ms``, ``inp`` and ``cls`` are the aggregates over the runs that measured
them, ``latencies`` and ``per_run`` the runs' own values, ``None`` where a run measured no
interaction; ``verdict``: ``passed``, ``failed``, ``errored``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from ..config import Config
from ..config.steps import Step, substitute
from . import policy
from .budgets import Check
from .throttle import Profile

STEP_TIMEOUT_MS = 10_000  #: how long a step waits for its element
NAV_TIMEOUT_MS = 60_000  #: how long a ``goto`` waits for ``load``
SETTLE_CAP_MS = 1_000  #: how long an interaction step waits for its Event Timing entry
INTERACTIONS = ("click", "fill", "press")
SNAPSHOT = (
    "() => { const f = window.__assetpipeFlow;"
    " return f ? {origin: f.origin, events: f.events, shifts: f.shifts} : null; }"
)


def flow_script() -> str:
    """The JS injected into every document of a flow (``flows.js``)."""
    return resources.files(__package__).joinpath("flows.js").read_text(encoding="utf-8")


@dataclass
class FlowRun:
    """What running one flow gave: per-step results, the documents' layout shifts, the error
    that ended it and the storage (cookies) its context ended with."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    shifts: dict[float, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None
    storage_state: dict[str, Any] | None = None

    @property
    def inp(self) -> float | None:
        latencies = [s["latency_ms"] for s in self.steps if s["latency_ms"] is not None]
        return max(latencies) if latencies else None

    @property
    def cls(self) -> float:
        return max((session_cls(s) for s in self.shifts.values()), default=0.0)


def session_cls(shifts: list[dict[str, Any]]) -> float:
    """The largest session window of shifts without recent input (gaps < 1 s, < 5 s long)."""
    best = win = first = last = 0.0
    for s in sorted((s for s in shifts if not s["input"]), key=lambda s: float(s["start"])):
        t, v = float(s["start"]), float(s["value"])
        if win and t - last < 1000 and t - first < 5000:
            win += v
        else:
            win, first = v, t
        last = t
        best = max(best, win)
    return best


def run_steps(
    browser: Any,
    base: str,
    steps: tuple[Step, ...],
    profile: Profile,
    *,
    where: str,
    headers: dict[str, str] | None = None,
    storage_state: dict[str, Any] | None = None,
) -> FlowRun:
    """Run ``steps`` in a fresh context (see the module docstring); ``where`` names them in
    errors (``flows[0]``, ``login``). Never raises for a failing step: ``FlowRun.error``."""
    options = profile.context_options()
    if headers:
        options["extra_http_headers"] = headers
    if storage_state is not None:
        options["storage_state"] = storage_state
    context = browser.new_context(**options)
    run = FlowRun()
    try:
        context.add_init_script(script=flow_script())
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        profile.apply(cdp)
        for i, step in enumerate(steps):
            entry: dict[str, Any] = {"kind": step.kind, "selector": step.target, "latency_ms": None}
            run.steps.append(entry)
            try:
                entry["latency_ms"] = _run_step(page, base, step, run)
            except Exception as exc:  # Playwright's TimeoutError / Error, an HTTP error
                pos = f"{step.location}: " if step.location else ""
                run.error = f"{pos}{where}.steps[{i}] {step.kind} {step.target!r}: {_why(exc)}"
                break
        _snapshot(page, run)
        run.storage_state = context.storage_state()
    finally:
        context.close()
    return run


def _run_step(page: Any, base: str, step: Step, run: FlowRun) -> float | None:
    """Do one step; the interaction's latency in ms (``None``: not an interaction, or no
    Event Timing entry was reported)."""
    if step.kind == "goto":
        if page.url.startswith(("http:", "https:")):
            _snapshot(page, run)  # the shifts of the document being left
        response = page.goto(base + step.target, wait_until="load", timeout=NAV_TIMEOUT_MS)
        if response is not None and response.status >= 400:
            raise StepError(f"HTTP {response.status} {response.status_text}".strip())
        return None
    if step.kind == "wait_for":
        page.wait_for_selector(step.target, state="visible", timeout=STEP_TIMEOUT_MS)
        return None
    before = page.evaluate("() => [performance.timeOrigin, performance.now()]")
    if step.kind == "click":
        page.click(step.target, timeout=STEP_TIMEOUT_MS)
    elif step.kind == "press":
        page.press(step.target, step.value or "", timeout=STEP_TIMEOUT_MS)
    else:
        try:
            text = substitute(step.value or "")
        except KeyError as exc:
            raise StepError(f"environment variable {exc.args[0]} is not set") from exc
        field_ = page.locator(step.target).first
        field_.fill("", timeout=STEP_TIMEOUT_MS)
        field_.press_sequentially(text, timeout=STEP_TIMEOUT_MS)  # key events: interactions
    with contextlib.suppress(Exception):  # the step navigated: its document is gone
        page.evaluate(
            "([s, c]) => window.__assetpipeFlow && window.__assetpipeFlow.settle(s, c)",
            [before[1], SETTLE_CAP_MS],
        )
    page.wait_for_load_state("load", timeout=NAV_TIMEOUT_MS)
    snap = _snapshot(page, run)
    if snap is None:
        return None
    same_doc = snap["origin"] == before[0]
    durations = [
        float(e["duration"]) for e in snap["events"] if not same_doc or e["start"] >= before[1]
    ]
    return max(durations) if durations else None


def _snapshot(page: Any, run: FlowRun) -> dict[str, Any] | None:
    """Read the current document's recorded entries; keeps its shifts under its time origin."""
    try:
        snap: dict[str, Any] | None = page.evaluate(SNAPSHOT)
    except Exception:  # navigating at this moment
        return None
    if snap is not None:
        run.shifts[float(snap["origin"])] = list(snap["shifts"])
    return snap


class StepError(Exception):
    """A step that ran but failed (an HTTP error status on ``goto``, a missing env var)."""


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if type(exc).__name__ == "TimeoutError":
        return f"no element matched within {STEP_TIMEOUT_MS / 1000:g} s ({text})"
    return text


def result(
    name: str,
    runs: list[FlowRun],
    budgets: tuple[tuple[str, float], ...],
    level: str,
    how: str = "median",
) -> dict[str, Any]:
    """The flow's JSON (see the module docstring) from its runs (the last one may have
    errored), with its checks: the steps (an error is a failed check) and each budget (``inp``
    in ms, ``cls``) against the aggregate, compared unrounded."""
    error = runs[-1].error if runs else "no run completed"
    per_run: dict[str, list[float | None]] = {
        "inp": [r.inp for r in runs],
        "cls": [r.cls for r in runs],
    }
    values = {k: _aggregate(v, how) for k, v in per_run.items()}
    checks: list[Check] = []
    if error is not None:
        checks.append(Check("flow.steps", level, None, None, False, error))
    else:
        of = f" ({how} of {len(runs)} runs)" if len(runs) > 1 else ""
        for metric, limit in budgets:
            value = values[metric]
            ok = value is not None and value <= limit
            unit = " ms" if metric == "inp" else ""
            what = "no interaction was measured" if value is None else f"{value:g}{unit}{of}"
            msg = "" if ok else f"{metric} {what} > budget {limit:g}{unit}"
            checks.append(Check(f"flow.{metric}", level, limit, value, ok, msg))
    failed = any(c.failed_error for c in checks)
    steps = []
    for i, step in enumerate(runs[-1].steps if runs else []):
        lat = [r.steps[i]["latency_ms"] if i < len(r.steps) else None for r in runs]
        steps.append({**step, "latency_ms": _aggregate(lat, how), "latencies": lat})
    return {
        "name": name,
        "runs": len(runs),
        "aggregate": how,
        "steps": steps,
        "inp": values["inp"],
        "cls": values["cls"],
        "per_run": per_run,
        "verdict": "errored" if error else ("failed" if failed else "passed"),
        "error": error,
        "passed": not failed,
        "checks": [c.to_json() for c in checks],
    }


def _aggregate(values: list[float | None], how: str) -> float | None:
    """``policy.aggregate`` over the runs that measured a value; ``None`` when none did."""
    measured = [v for v in values if v is not None]
    return policy.aggregate(measured, how) if measured else None


def cookie_header(state: dict[str, Any] | None, url: str) -> str | None:
    """The ``Cookie`` header a browser with the login's ``state`` would send to ``url`` (by
    domain and path; for Lighthouse, which runs its own browser), ``None`` without cookies."""
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path or "/"
    pairs = [
        f"{c['name']}={c['value']}"
        for c in (state or {}).get("cookies") or []
        if (host == c["domain"].lstrip(".") or host.endswith("." + c["domain"].lstrip(".")))
        and path.startswith(c.get("path") or "/")
        and (parts.scheme == "https" or not c.get("secure"))
    ]
    return "; ".join(pairs) or None


@dataclass(frozen=True)
class _Budget:
    """A flow's budgets in the shape ``policy.disagreeing`` reads (``timings``)."""

    timings: tuple[tuple[str, float], ...]


def run_flow(
    browser: Any,
    base: str,
    steps: tuple[Step, ...],
    profile: Profile,
    *,
    where: str,
    headers: dict[str, str],
    storage_state: dict[str, Any] | None,
    runs: int,
    auto: bool = False,
    budgets: tuple[tuple[str, float], ...] = (),
) -> list[FlowRun]:
    """``runs`` runs of one flow (``auto``: see the module docstring), a failed run retried
    once; stops at a run that fails twice (it is the list's last)."""
    out: list[FlowRun] = []
    for i in range(policy.AUTO_MAX if auto else runs):
        if auto and i >= policy.AUTO_MIN:
            figs = [
                {k: v for k, v in (("inp", r.inp), ("cls", r.cls)) if v is not None} for r in out
            ]
            if not policy.disagreeing(figs, _Budget(budgets)):
                break
        for _attempt in (1, 2):
            run = run_steps(
                browser,
                base,
                steps,
                profile,
                where=where,
                headers=headers,
                storage_state=storage_state,
            )
            if run.error is None:
                break
        out.append(run)
        if run.error is not None:
            break
    return out


def run_all(
    browser: Any,
    base: str,
    config: Config,
    profile: Profile,
    *,
    headers: dict[str, str],
    flows: bool = True,
    runs: int = 1,
    auto: bool = False,
    how: str = "median",
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The login (when configured, once) and, with ``flows``, every flow (``runs`` times, see
    the module docstring): (the login's storage state for the pages' contexts, the flows' JSON,
    the login's first)."""
    state: dict[str, Any] | None = None
    out: list[dict[str, Any]] = []
    if config.login:
        login = run_steps(browser, base, config.login, profile, where="login", headers=headers)
        state = login.storage_state if login.error is None else None
        out.append(result("login", [login], (), "error", how))
    if flows:
        for i, flow in enumerate(config.flows):
            done = run_flow(
                browser,
                base,
                flow.steps,
                profile,
                where=f"flows[{i}]",
                headers=headers,
                storage_state=state,
                runs=runs,
                auto=auto,
                budgets=flow.budgets,
            )
            out.append(result(flow.name, done, flow.budgets, flow.level, how))
    return state, out
