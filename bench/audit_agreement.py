"""Agreement of ``assetpipe audit`` with Lighthouse 12 on three third-party pages.

    .venv/bin/python bench/audit_agreement.py [--runs 5] [--profile mobile] [--page NAME]
                                              [--cache DIR] [--json FILE] [--no-control]

The pages (``bench/_thirdparty_pages.py``) are not ours: a docs site (Flask's Sphinx docs), a
page with large images (Start Bootstrap's "Creative" theme) and a JS-heavy page (Swagger UI),
assembled from npm and PyPI packages (pinned) into a cache folder on first use and served on
127.0.0.1 with gzip. Each run measures each page, interleaved so all see the same machine load:

- the audit (``run_audit`` with ``--base-url``, ``--runs 1``, ``--metrics simulate``): its
  observed figures (``ours``, the throttled load) and its simulated ones (``ours-sim``, from
  the unthrottled load, ``assetpipe.audit.lantern``);
- Lighthouse 12.2.3 live, ``--throttling-method=simulate`` (Lantern, its default mobile/desktop
  settings) and ``--throttling-method=devtools`` (the profile's exact values, as
  ``--lighthouse`` runs it), in the same Chromium;
- the same-load checks: one more unthrottled load (``lantern.capture.record``), simulated by us
  and by Lighthouse's own Lantern on its saved artifacts (``lighthouse -A``); and the load
  Lighthouse's live simulate run gathered (``-GA``), simulated by us: identical input, so any
  difference is the model's, not the load's;
- the control (unless ``--no-control``): a second live Lighthouse simulate run, so its two run
  sets' medians show how closely Lighthouse agrees with itself on each page (a page whose
  unthrottled loads fall into two modes moves its own median by more than the target).

Medians; a difference is relative to Lighthouse's median. ``ours-sim`` is held against
Lighthouse simulate, ``ours`` against Lighthouse devtools.

Targets (the issue's): FCP and LCP within 15 %; TBT in the right direction (the pages rank
the same by TBT) and of the right order of magnitude (within a factor of 10; both under 50 ms,
i.e. less than one 100 ms task's worth of blocking, counts as agreeing: a ratio of two near-zero
values says nothing). ``--from-json FILE`` prints the table and verdicts of a saved ``--json``
run again without measuring. The load average is printed before and after: figures taken on a busy
machine move with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assetpipe.audit import AuditOptions, lighthouse, run_audit, throttle
from assetpipe.audit.browser import find_chromium, launch
from assetpipe.audit.lantern import capture
from assetpipe.audit.runner import EAGER_SOURCE_POSITIONS
from assetpipe.audit.standalone import load_for_audit
from bench import _thirdparty_pages as pages_mod

KEYS = ("fcp", "lcp", "si", "tbt", "cls", "bytes")
TOOLS = (
    "ours",
    "ours-sim",
    "simulate",
    "devtools",
    "same-ours",
    "same-lh",
    "lh-load-ours",
    "simulate-b",
)
SIM_KEYS = ("fcp", "lcp", "tbt", "si")
TBT_FLOOR = 50.0  # ms: both below it count as the same order of magnitude (~0)


def lighthouse_run(
    url: str, method: str, profile: throttle.Profile, chromium: Path, workdir: Path
) -> tuple[dict[str, float], dict[str, float] | None]:
    """One Lighthouse run (``lighthouse.run`` with ``method``); FCP/LCP/SI/TBT (ms), CLS, bytes.
    With ``simulate``, also our simulation of the load Lighthouse gathered (``-GA``)."""
    folder = workdir / "lh-gathered" if method == "simulate" else None
    got = lighthouse.run(url, profile, chromium, method=method, timeout=300, artifacts=folder)
    figures = {k: float(got["metrics"].get(k) or 0) for k in KEYS}
    if folder is None:
        return figures, None
    ours = capture.simulate(capture.load_artifacts(folder), capture.settings_for(profile))
    return figures, {k: float(ours.get(k, 0)) for k in KEYS}


def ours_run(url: str, profile: str, workdir: Path) -> tuple[dict[str, float], dict[str, float]]:
    """One run of the audit against ``url`` (``--base-url``, one page, ``--runs 1``,
    ``--metrics simulate``): (observed figures, simulated figures; CLS and bytes observed)."""
    base, path = _split(url)
    cfg = load_for_audit(str(workdir / "pipeline.yaml"), base)
    opts = AuditOptions(
        profile=profile,
        runs=1,
        pages=(path,),
        base_url=base,
        hints=False,
        history=False,
        capture=False,
        mode="simulate",
    )
    result = run_audit(cfg, opts)
    page = result.doc["pages"][0]
    if page["status"] != "measured":
        raise RuntimeError(f"audit of {url}: {page.get('error') or page['status']}")
    raw = result.details[path]["runs"][0]
    observed = {k: float(raw.get(k) or 0) for k in ("fcp", "lcp", "si", "tbt", "cls")}
    observed["bytes"] = float(page["bytes"]["total"])
    simulated = {**observed, **{k: float(page["metrics"][k]) for k in SIM_KEYS}}
    if any(w.startswith("simulated throttling failed") for w in page.get("warnings", [])):
        raise RuntimeError(f"audit of {url}: {page['warnings']}")
    return observed, simulated


def same_load_run(
    url: str, profile: throttle.Profile, workdir: Path
) -> tuple[dict[str, float], dict[str, float]]:
    """One unthrottled load, simulated by us and by Lighthouse's Lantern (``-A``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw, args=(EAGER_SOURCE_POSITIONS,))
        try:
            opts = profile.context_options()
            load = capture.record(browser, url, profile, opts)
        finally:
            browser.close()
    ours = capture.simulate(load, capture.settings_for(profile))
    folder = capture.save_artifacts(load, workdir / "artifacts")
    lh = lighthouse.run_artifacts(folder, profile, timeout=300)["metrics"]
    return (
        {k: float(ours.get(k, 0)) for k in KEYS},
        {k: float(lh.get(k) or 0) if k in SIM_KEYS else 0.0 for k in KEYS},
    )


def _split(url: str) -> tuple[str, str]:
    """``http://host:port/a/b`` -> (``http://host:port``, ``/a/b``)."""
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}", "/" + path


def measure(args: argparse.Namespace) -> tuple[dict[str, Any], list[float]]:
    """Per page: per tool, the runs' values of each key."""
    site = pages_mod.assemble(args.cache)
    profile = throttle.get(args.profile)
    chromium = find_chromium(None)
    chosen = {k: v for k, v in pages_mod.PAGES.items() if not args.page or k in args.page}
    runs: dict[str, Any] = {name: {t: [] for t in TOOLS} for name in chosen}
    loads: list[float] = []
    with pages_mod.serve(site) as base, tempfile.TemporaryDirectory() as work:
        for i in range(args.runs):
            for name, path in chosen.items():
                url = base + path
                loads.append(os.getloadavg()[0])
                observed, simulated = ours_run(url, args.profile, Path(work))
                runs[name]["ours"].append(observed)
                runs[name]["ours-sim"].append(simulated)
                for method in ("simulate", "devtools"):
                    figures, on_theirs = lighthouse_run(url, method, profile, chromium, Path(work))
                    runs[name][method].append(figures)
                    if on_theirs is not None:
                        runs[name]["lh-load-ours"].append(on_theirs)
                if args.control:  # Lighthouse simulate once more: its agreement with itself
                    again, _ = lighthouse_run(url, "simulate", profile, chromium, Path(work))
                    runs[name]["simulate-b"].append(again)
                same_ours, same_lh = same_load_run(url, profile, Path(work))
                runs[name]["same-ours"].append(same_ours)
                runs[name]["same-lh"].append(same_lh)
                print(f"  run {i + 1}/{args.runs} {name}: load {loads[-1]:.1f}", file=sys.stderr)
    return runs, loads


def medians(runs: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """Per page, per tool (those the runs have), per key: the median."""
    return {
        name: {
            t: {k: statistics.median(r.get(k, 0.0) for r in by_tool[t]) for k in KEYS}
            for t in TOOLS
            if by_tool.get(t)
        }
        for name, by_tool in runs.items()
    }


def same_load_worst(runs: dict[str, Any], ours: str, theirs: str) -> dict[str, dict[str, float]]:
    """Per page and simulated key, the largest |ours - Lighthouse| / Lighthouse over the runs
    where both simulated the same load (tools ``ours`` and ``theirs``), in %."""
    out: dict[str, dict[str, float]] = {}
    for name, by_tool in runs.items():
        pairs = list(zip(by_tool.get(ours, []), by_tool.get(theirs, []), strict=True))
        out[name] = {
            k: max((abs(o[k] - lh[k]) / lh[k] * 100 if lh[k] else 0.0) for o, lh in pairs)
            for k in SIM_KEYS
            if pairs
        }
    return out


def self_agreement(runs: dict[str, Any]) -> list[str]:
    """Lighthouse simulate against itself: per page, the median of its first runs of each round
    (``simulate``) against the median of its second ones (``simulate-b``), FCP and LCP, and
    every run's FCP of both tools, so a page whose figures fall in two modes shows it. A page
    where Lighthouse's two run sets differ by more than the target is one where no tool's
    median can be held to it."""
    out = []
    for name, by_tool in runs.items():
        a, b = by_tool.get("simulate", []), by_tool.get("simulate-b", [])
        if not a or not b:
            continue
        diffs = []
        for k in ("fcp", "lcp"):
            ma, mb = statistics.median(r[k] for r in a), statistics.median(r[k] for r in b)
            diffs.append(f"{k.upper()} {pct(mb, ma)}")
        fcps = {
            t: ", ".join(f"{r['fcp']:.0f}" for r in by_tool[t])
            for t in ("ours-sim", "simulate", "simulate-b")
            if by_tool.get(t)
        }
        out.append(
            f"Lighthouse simulate against itself, {name}: {'; '.join(diffs)} "
            f"(FCP run by run: ours {fcps.get('ours-sim', '-')}; Lighthouse "
            f"{fcps['simulate']} and {fcps['simulate-b']})"
        )
    return out


def pct(a: float, b: float) -> str:
    if b == 0:
        return "n/a" if a == 0 else "+inf"
    return f"{(a - b) / b * 100:+.1f} %"


def fmt(key: str, v: float) -> str:
    if key == "cls":
        return f"{v:.3f}"
    if key == "bytes":
        return f"{v / 1024:.0f} KiB"
    return f"{v:.0f} ms"


def table(med: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = [
        "| page | metric | ours observed | Lighthouse devtools | diff | ours simulate "
        "| Lighthouse simulate | diff |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in med.items():
        sim = m.get("ours-sim", m["ours"])
        for k in KEYS:
            o, d, os_, s = m["ours"][k], m["devtools"][k], sim[k], m["simulate"][k]
            lines.append(
                f"| {name} (`{pages_mod.PAGES[name]}`) | {k.upper()} | {fmt(k, o)} | "
                f"{fmt(k, d)} | {pct(o, d)} | {fmt(k, os_)} | {fmt(k, s)} | {pct(os_, s)} |"
            )
    return lines


def verdicts(med: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    out = []
    for method, ours in (("simulate", "ours-sim"), ("devtools", "ours")):
        ours = ours if all(ours in m for m in med.values()) else "ours"
        worst = max(
            abs(m[ours][k] - m[method][k]) / m[method][k] * 100
            for m in med.values()
            for k in ("fcp", "lcp")
            if m[method][k]
        )
        out.append(
            f"FCP/LCP ({ours}) vs {method}: largest difference {worst:.1f} % "
            f"(target within 15 %: {'ok' if worst <= 15 else 'MISSED'})"
        )
        ratios: list[float | None] = []  # None: both under TBT_FLOOR
        for m in med.values():
            o, lh = m[ours]["tbt"], m[method]["tbt"]
            ratios.append(None if max(o, lh) < TBT_FLOOR else (o / lh if lh else float("inf")))
        magnitude = all(r is None or 0.1 <= r <= 10 for r in ratios)
        order_ours = sorted(med, key=lambda n: med[n][ours]["tbt"])
        order_lh = sorted(med, key=lambda n: med[n][method]["tbt"])
        out.append(
            f"TBT ({ours}) vs {method}: ours/Lighthouse "
            + ", ".join("~0" if r is None else f"{r:.2f}x" for r in ratios)
            + f"; order of magnitude (within 10x): {'ok' if magnitude else 'MISSED'}"
            + f"; direction (pages ranked the same): {'ok' if order_ours == order_lh else 'MISSED'}"
            + f" ({' < '.join(order_ours)} vs {' < '.join(order_lh)})"
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", choices=("mobile", "desktop"), default="mobile")
    ap.add_argument("--page", action="append", choices=list(pages_mod.PAGES))
    ap.add_argument("--cache", type=Path, help="where the pages are assembled")
    ap.add_argument("--json", type=Path, help="write every run's values here")
    ap.add_argument("--from-json", type=Path, help="report a saved --json run, measuring nothing")
    ap.add_argument(
        "--no-control",
        dest="control",
        action="store_false",
        help="skip the second Lighthouse simulate run of each round (its agreement with itself)",
    )
    args = ap.parse_args()
    start, load0 = time.monotonic(), os.getloadavg()
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        runs, loads, args.runs = saved["all"], saved["loads"], saved["runs"]
        load0, load1 = saved.get("load_start", load0), saved.get("load_end", load0)
    else:
        runs, loads = measure(args)
        load1 = os.getloadavg()
    med = medians(runs)
    print(
        f"assetpipe audit vs Lighthouse {lighthouse.VERSION} ({args.profile}), "
        f"median of {args.runs} interleaved runs each"
    )
    print()
    print("\n".join(table(med)))
    print()
    print("\n".join(verdicts(med)))
    print("\n".join(self_agreement(runs)))
    for label, ours, theirs in (
        ("our load, ours vs Lighthouse's Lantern (-A)", "same-ours", "same-lh"),
        ("Lighthouse's load (-GA), ours vs its live report", "lh-load-ours", "simulate"),
    ):
        same = same_load_worst(runs, ours, theirs)
        if any(same.values()):
            print(
                f"same load, {label}, largest difference over the runs: "
                + "; ".join(
                    f"{name} " + ", ".join(f"{k.upper()} {v:.2f} %" for k, v in worst.items())
                    for name, worst in same.items()
                )
            )
    print(
        f"load average (1 min) at start {load0[0]:.1f}, during runs {min(loads):.1f}–"
        f"{max(loads):.1f}, at end {load1[0]:.1f} on {os.cpu_count()} CPUs; "
        f"{time.monotonic() - start:.0f} s"
    )
    if args.json:
        doc = {"profile": args.profile, "runs": args.runs, "medians": med, "all": runs}
        doc |= {"loads": loads, "load_start": list(load0), "load_end": list(load1)}
        args.json.write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
