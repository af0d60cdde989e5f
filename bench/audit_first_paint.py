"""When does the photos page first paint in an unthrottled load, ours against Lighthouse's?

The simulated FCP of ``/photos/index.html`` (``bench/_thirdparty_pages.py``) has two modes,
~1.2 s and ~1.65 s, set by whether its bootstrap-icons web font (VeryHigh priority) finished
before the unthrottled load's first contentful paint. This loads the page unthrottled (mobile
device, ``lantern.capture.record``) under launch/navigation variants, one factor at a time, and
by Lighthouse 12.2.3 itself (``--throttling-method=simulate``, its gathered load saved with
``-GA``), interleaved, and prints per load: ``paint`` (ms from the first request to FCP),
``main`` (to the renderer main thread's first ``Paint`` once the document is parsing and
its render-blocking stylesheets have arrived), ``font`` (to the font's end) and the
simulated FCP. ``paint - main`` is how long the painted frame waited to be presented.

    .venv/bin/python bench/audit_first_paint.py [--loads 3] [--rounds 2] [VARIANT ...]

Variants: ``base`` (the audit's load), ``headless-new`` (``--headless=new``),
``launcher-flags`` (chrome-launcher's default flags, read from the installed Lighthouse),
``blank-first`` (the page goes to about:blank before the URL, as Lighthouse's does),
``no-init-script`` (without the audit's injected ``metrics.js``), ``paint-holding`` (without
Playwright's ``--disable-features=...PaintHolding``), ``lh-domains`` (the CDP domains
Lighthouse 12's gatherers turn on before its navigation: Log, Runtime, Debugger, Audits,
Animation, and the Profiler's precise JS coverage), ``lighthouse`` and
``lighthouse-no-paint-holding``. Default: all of them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assetpipe.audit.measure as measure
from assetpipe.audit import lighthouse, throttle
from assetpipe.audit.browser import CHROMIUM_ARGS, find_chromium
from assetpipe.audit.lantern.capture import Load, _paints, load_artifacts, record, simulate
from assetpipe.audit.lantern.simulator import MOBILE
from assetpipe.audit.trace import _navigation
from bench._thirdparty_pages import PAGES, assemble, serve

#: Playwright 1.65's own ``--disable-features`` switch (``paint-holding`` replaces it).
PLAYWRIGHT_DISABLED = (
    "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
    "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,"
    "ThirdPartyStoragePartitioning,AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,"
    "OptimizationHints,NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch,"
    "msForceBrowserSignIn,msEdgeUpdateLaunchServicesPreferredVersion"
)
VARIANTS = (
    "base",
    "headless-new",
    "launcher-flags",
    "blank-first",
    "no-init-script",
    "paint-holding",
    "lh-domains",
    "lighthouse",
    "lighthouse-no-paint-holding",
)


def launcher_flags() -> list[str]:
    """chrome-launcher's ``DEFAULT_FLAGS``, from the Lighthouse install's own copy."""
    lighthouse.ensure_installed()
    flags = lighthouse.cache_dir() / "node_modules" / "chrome-launcher" / "dist" / "flags.js"
    script = (
        f"import({json.dumps(str(flags))}).then(m => console.log(JSON.stringify(m.DEFAULT_FLAGS)))"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def _render_blocking_end(trace: list[dict[str, Any]]) -> float:
    """The trace time (µs) the last request of the ``<head>`` that blocks rendering finished (0.0:
    none): ``renderBlocking: blocking`` only, not ``trace.RENDER_BLOCKING``'s in-body scripts,
    which content above them is painted without."""
    blocking = {
        data.get("requestId")
        for e in trace
        if e.get("name") == "ResourceSendRequest"
        and (data := (e.get("args") or {}).get("data") or {}).get("renderBlocking") == "blocking"
    }
    return max(
        (
            float(e["ts"])
            for e in trace
            if e.get("name") == "ResourceFinish"
            and ((e.get("args") or {}).get("data") or {}).get("requestId") in blocking
        ),
        default=0.0,
    )


def timings(load: Load) -> dict[str, int]:
    """``paint``, ``main``, ``font`` (ms after the first request) and ``sim_fcp`` of a load."""
    thread, fcp, _ = _paints(load)
    sent = [e for e in load.devtools_log if e["method"] == "Network.requestWillBeSent"]
    t0 = min(float(e["params"]["timestamp"]) for e in sent) * 1000.0
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in sent}
    font = next(
        (
            float(e["params"]["timestamp"]) * 1000.0
            for e in load.devtools_log
            if e["method"] == "Network.loadingFinished"
            and ".woff" in urls.get(e["params"]["requestId"], "")
        ),
        float("nan"),
    )
    nav = _navigation(load.trace, load.final_url) or {"ts": 0.0}
    parsed = next(
        (float(e["ts"]) for e in thread if e.get("name") == "ParseHTML" and e["ts"] >= nav["ts"]),
        0.0,
    )
    # a Paint before the render-blocking stylesheets arrived holds no content (the parser's
    # first chunk can be painted blank), so the first one that could be FCP's frame follows both
    ready = max(parsed, _render_blocking_end(load.trace))
    main = next(
        (float(e["ts"]) for e in thread if e.get("name") == "Paint" and e["ts"] >= ready), fcp
    )
    return {
        "paint": round(fcp / 1000.0 - t0),
        "main": round(main / 1000.0 - t0),
        "font": round(font - t0) if font == font else -1,
        "sim_fcp": round(simulate(load, MOBILE)["fcp"]),
    }


def ours(url: str, variant: str, loads: int, flags: list[str]) -> list[dict[str, int]]:
    """``loads`` unthrottled loads of ``url`` by the audit's code under ``variant``."""
    from playwright.sync_api import sync_playwright

    args = list(CHROMIUM_ARGS)
    ignore: list[str] = []
    if variant == "headless-new":
        args.append("--headless=new")
    elif variant == "launcher-flags":
        args += flags
    elif variant == "paint-holding":
        ignore = [f"--disable-features={PLAYWRIGHT_DISABLED}"]
        args.append(ignore[0].replace("PaintHolding,", ""))
    saved_script, saved_open = measure.metrics_script, measure._open
    if variant == "no-init-script":
        measure.metrics_script = lambda: "window.__assetpipe = {collect: () => ({})}"
    if variant == "lh-domains":

        def instrumented(context: Any, profile: Any, is_hashed: Callable[[str], bool]) -> Any:
            page, cdp, net = saved_open(context, profile, is_hashed)
            for domain in ("Log", "Runtime", "Debugger", "Audits", "Animation", "Profiler"):
                cdp.send(f"{domain}.enable")
            cdp.send("Profiler.startPreciseCoverage", {"detailed": False})
            return page, cdp, net

        measure._open = instrumented
    if variant == "blank-first":

        def blank_first(context: Any, profile: Any, is_hashed: Callable[[str], bool]) -> Any:
            page, cdp, net = saved_open(context, profile, is_hashed)
            page.goto("about:blank")
            return page, cdp, net

        measure._open = blank_first
    out: list[dict[str, int]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(find_chromium()),
                headless=True,
                args=args,
                ignore_default_args=ignore or None,
            )
            options = measure.context_options(throttle.MOBILE, {})
            for _ in range(loads):
                out.append(timings(record(browser, url, throttle.MOBILE, options)))
            browser.close()
    finally:
        measure.metrics_script, measure._open = saved_script, saved_open
    return out


def theirs(url: str, loads: int, extra: tuple[str, ...], keep: Path | None) -> list[dict[str, int]]:
    """``loads`` Lighthouse simulate runs of ``url``, each gathered load read back (``-GA``);
    ``extra``: Chromium flags added to the audit's. A load whose frame waited more than
    500 ms to be presented is copied under ``keep`` when given."""
    out: list[dict[str, int]] = []
    for _ in range(loads):
        with tempfile.TemporaryDirectory(prefix="first-paint-") as tmp:
            lighthouse.run(
                url,
                throttle.MOBILE,
                find_chromium(),
                method="simulate",
                artifacts=Path(tmp),
                chrome_flags=extra,
            )
            got = timings(load_artifacts(Path(tmp)))
            if keep is not None and got["paint"] - got["main"] > 500:
                shutil.copytree(tmp, keep / f"stalled-{len(list(keep.glob('*')))}")
        out.append(got)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)} (all)")
    parser.add_argument("--loads", type=int, default=3, help="loads per variant and round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--keep", type=Path, help="copy Lighthouse's stalled loads here")
    args = parser.parse_args()
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(sorted(unknown))}")
    flags = launcher_flags()
    no_paint_holding = next(f for f in flags if f.startswith("--disable-features="))
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    with serve(assemble()) as base:
        url = base + PAGES["large images"]
        for _ in range(args.rounds):
            for variant in args.variants or VARIANTS:
                if variant == "lighthouse":
                    rows = theirs(url, args.loads, (), args.keep)
                elif variant == "lighthouse-no-paint-holding":
                    extra = (no_paint_holding + ",PaintHolding",)
                    rows = theirs(url, args.loads, extra, args.keep)
                else:
                    rows = ours(url, variant, args.loads, flags)
                load = Path("/proc/loadavg").read_text().split()[0]
                cells = "  ".join(
                    f"{r['paint']}/{r['main']}/{r['font']}->{r['sim_fcp']}" for r in rows
                )
                print(f"load {load:>5}  {variant:<28} {cells}", flush=True)
    print("cells: paint/main-thread Paint/font end (ms after the first request) -> simulated FCP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
