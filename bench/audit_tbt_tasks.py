"""Which main-thread tasks make the CPU-time TBT, and do they change with host load? The heavy
npm page (``heavy_project``) loaded cold the way ``--metrics cpu`` loads it (mobile network and
device, no CPU throttling, traced: ``measure.traced_load``), N times on the machine as it is
("quiet") and N times with BUSY processes spinning a CPU each, alternating load by load.

    .venv/bin/python bench/audit_tbt_tasks.py [--loads 8] [--busy 2] [--page heavy|example]
                                              [--js-flags "--single-threaded"] [--json FILE]

Printed per load: the load average, FCP (wall), the CPU-time TBT (x4) and every task of more
than 5 ms thread CPU time as start/wall/CPU ms; V8's compile and parse time on the renderer's
main thread and on its other threads. Then per condition: the median CPU time of the largest
task, of all tasks, the median TBT, and whether every load ran the same tasks (the same number
of top-level events of each name inside the largest task): if the work is the same and only
its CPU time moves, the spread is the host's (cache and memory contention), not the page's.
``--js-flags``: V8 flags for the browser (both conditions), to see whether taking V8's background
work onto the main thread narrows the spread (run it with and without, compare the CoV).
``--bench-runs N``: after each load, in the page's own renderer and still traced, a fixed piece
of JS work (``FIXED_WORK``) runs once to warm up and N times more; its thread CPU time is the
host's speed at that moment, and each load's TBT times (quiet median / this load's) is the
corrected TBT printed beside the raw one: if the fixed work slowed with the page's tasks, the
correction would take host contention out of the CPU-time TBT.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assetpipe.audit import throttle
from assetpipe.audit.browser import find_chromium, launch
from assetpipe.audit.measure import traced_load
from assetpipe.audit.runner import EAGER_SOURCE_POSITIONS
from assetpipe.audit.server import prepare_site, serve_site
from assetpipe.audit.trace import _navigation, cpu_blocking_time, parse
from bench._audit_example import example_project, heavy_project

#: ``--bench-runs``' fixed work: array writes and string building (~35 ms of CPU here).
FIXED_WORK = """() => {
  const a = []; let s = 0;
  for (let i = 0; i < 6e6; i++) { a.push(i * 1.5); if (a.length > 5e4) a.length = 0; s += a[a.length - 1]; }
  let t = ''; for (let i = 0; i < 2e5; i++) t += String.fromCharCode(65 + i % 26);
  return s + t.length;
}"""


def fixed_work(runs: int, marks: list[float]) -> Any:
    """``traced_load``'s ``after``: note the page's clock (``marks``), then run ``FIXED_WORK``
    ``runs + 1`` times, 50 ms apart."""

    def after(page: Any) -> None:
        marks.append(float(page.evaluate("() => performance.now()")))
        for _ in range(runs + 1):
            page.evaluate(FIXED_WORK)
            page.wait_for_timeout(50)

    return after


def compile_split(events: list[dict[str, Any]], url: str) -> dict[str, float]:
    """Thread CPU ms of V8 compile/parse events in the page's renderer: main thread vs others."""
    nav = _navigation(events, url)
    out = {"main": 0.0, "other": 0.0}
    if nav is None:
        return out
    for ev in events:
        name = str(ev.get("name", ""))
        if ev.get("pid") != nav["pid"] or ev.get("ph") != "X":
            continue
        if name.startswith(("v8.compile", "v8.parseOnBackground", "V8.ScriptCompiler")):
            where = "main" if ev.get("tid") == nav["tid"] else "other"
            out[where] += float(ev.get("tdur", ev.get("dur", 0))) / 1000.0
    return out


def largest_task_shape(
    events: list[dict[str, Any]], url: str, start: float, dur: float
) -> dict[str, int]:
    """How many events of each name the largest task holds (its shape, not its timing)."""
    nav = _navigation(events, url)
    if nav is None:
        return {}
    t0 = float(nav["ts"]) + start * 1000.0
    t1 = t0 + dur * 1000.0
    return dict(
        Counter(
            str(ev.get("name"))
            for ev in events
            if ev.get("pid") == nav["pid"]
            and ev.get("tid") == nav["tid"]
            and ev.get("ph") == "X"
            and t0 <= float(ev.get("ts", 0)) <= t1
            and not str(ev.get("name", "")).startswith("V8.")  # interrupts, GC phases: timing
        )
    )


def corrected(rows: list[dict[str, Any]]) -> None:
    """Print, per condition, the raw and the fixed-work-corrected TBT (median, CoV) and the
    fixed work's median CPU time; the reference is the quiet loads' median fixed work."""
    ref = statistics.median(r["bench_cpu"] for r in rows if r["condition"] == "quiet")
    medians: dict[str, tuple[float, float]] = {}
    for cond in ("quiet", "busy"):
        sel = [r for r in rows if r["condition"] == cond and r["bench_cpu"] > 0]
        raw = [float(r["tbt_cpu"]) for r in sel]
        fixed = [float(r["tbt_cpu"]) * ref / float(r["bench_cpu"]) for r in sel]
        medians[cond] = (statistics.median(raw), statistics.median(fixed))
        cov = [
            statistics.stdev(x) / statistics.mean(x) * 100 if len(x) > 1 else 0.0
            for x in (raw, fixed)
        ]
        print(
            f"{cond}: TBT median {medians[cond][0]:.0f} ms (CoV {cov[0]:.1f} %), corrected "
            f"{medians[cond][1]:.0f} ms (CoV {cov[1]:.1f} %); fixed work median "
            f"{statistics.median(r['bench_cpu'] for r in sel):.1f} ms"
        )
    (q_raw, q_fix), (b_raw, b_fix) = medians["quiet"], medians["busy"]
    if q_raw and q_fix:
        print(
            f"busy vs quiet: TBT {(b_raw / q_raw - 1) * 100:+.1f} %, "
            f"corrected {(b_fix / q_fix - 1) * 100:+.1f} %"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=8, help="loads per condition")
    ap.add_argument("--busy", type=int, default=2, help="spinning processes while busy")
    ap.add_argument("--page", choices=("heavy", "example"), default="heavy")
    ap.add_argument(
        "--js-flags", default="", help="V8 flags for this Chromium, e.g. --single-threaded"
    )
    ap.add_argument("--bench-runs", type=int, default=0, help="fixed-work runs after each load")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    flags = (f"--js-flags={args.js_flags}",) if args.js_flags else ()
    cfg = heavy_project() if args.page == "heavy" else example_project()
    profile = throttle.get("mobile")
    unthrottled = replace(profile, cpu_rate=1)
    site = prepare_site(cfg, app_spec=cfg.audit.app, base_url=None)
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    with serve_site(cfg, site=site) as base, sync_playwright() as pw:
        browser = launch(
            pw, executable=find_chromium(cfg.audit.chromium), args=(EAGER_SOURCE_POSITIONS, *flags)
        )
        try:
            for i in range(2 * args.loads):
                busy = i % 2 == 1
                spinners = [
                    subprocess.Popen([sys.executable, "-c", "while 1: pass"])
                    for _ in range(args.busy if busy else 0)
                ]
                try:
                    if spinners:
                        time.sleep(2.0)
                    load = os.getloadavg()[0]
                    url = base + "/"
                    marks: list[float] = []
                    after = fixed_work(args.bench_runs, marks) if args.bench_runs else None
                    events, final, fcp_js = traced_load(
                        browser,
                        url,
                        unthrottled,
                        profile.context_options(),
                        lambda _u: False,
                        after=after,
                    )
                finally:
                    for p in spinners:
                        p.kill()
                        p.wait()
                trace = parse(events, final)
                bench_cpu = 0.0
                if marks:  # the fixed work's tasks (warm-up left out) are not the page's
                    extra = [t for t in trace.tasks if t.start >= marks[0] and t.cpu > 5]
                    bench_cpu = statistics.median(t.cpu for t in extra[1:]) if extra[1:] else 0.0
                    trace.tasks = [t for t in trace.tasks if t.start < marks[0]]
                if trace.fcp is None:
                    trace.fcp = fcp_js
                big = max(trace.tasks, key=lambda t: t.cpu)
                row: dict[str, Any] = {
                    "condition": "busy" if busy else "quiet",
                    "load": round(load, 1),
                    "fcp": round(trace.fcp or 0.0, 1),
                    "tbt_cpu": round(
                        cpu_blocking_time(trace.tasks, trace.fcp or 0.0, profile.cpu_rate), 1
                    ),
                    "largest_cpu": round(big.cpu, 1),
                    "bench_cpu": round(bench_cpu, 2),
                    "all_cpu": round(sum(t.cpu for t in trace.tasks), 1),
                    "compile": {k: round(v, 1) for k, v in compile_split(events, final).items()},
                    "shape": largest_task_shape(events, final, big.start, big.dur),
                    "tasks": [t.to_json() for t in trace.tasks if t.cpu > 5],
                }
                rows.append(row)
                tasks = " ".join(
                    f"{t['start']:.0f}/{t['dur']:.0f}/{t['cpu']:.0f}" for t in row["tasks"]
                )
                print(
                    f"{row['condition']:5} load {load:4.1f} fcp {row['fcp']:6.0f} "
                    f"tbt(cpu x4) {row['tbt_cpu']:5.0f} compile main/other "
                    f"{row['compile']['main']:.1f}/{row['compile']['other']:.1f} ms; "
                    + (f"fixed work {bench_cpu:.1f} ms; " if marks else "")
                    + f"tasks start/wall/cpu: {tasks}",
                    flush=True,
                )
        finally:
            browser.close()
    print()
    summary: dict[str, Any] = {}
    for cond in ("quiet", "busy"):
        sel = [r for r in rows if r["condition"] == cond]
        summary[cond] = {
            k: statistics.median(r[k] for r in sel)
            for k in ("largest_cpu", "all_cpu", "tbt_cpu", "load")
        }
        sizes = [float(r["largest_cpu"]) for r in sel]
        summary[cond]["largest_cpu_cov"] = round(
            statistics.stdev(sizes) / statistics.mean(sizes) * 100, 1
        )
        summary[cond]["largest_cpu_range"] = [
            min(r["largest_cpu"] for r in sel),
            max(r["largest_cpu"] for r in sel),
        ]
    if args.bench_runs:
        corrected(rows)
    shapes = {json.dumps(r["shape"], sort_keys=True) for r in rows}
    for cond, s in summary.items():
        print(
            f"{cond}: median load {s['load']:.1f}; largest task CPU median {s['largest_cpu']:.1f} ms "
            f"(range {s['largest_cpu_range'][0]}-{s['largest_cpu_range'][1]}, CoV "
            f"{s['largest_cpu_cov']} %), all tasks "
            f"{s['all_cpu']:.1f} ms, TBT {s['tbt_cpu']:.0f} ms"
        )
    q, b = summary["quiet"], summary["busy"]
    print(
        f"busy vs quiet: largest task {(b['largest_cpu'] / q['largest_cpu'] - 1) * 100:+.1f} %, "
        f"all tasks {(b['all_cpu'] / q['all_cpu'] - 1) * 100:+.1f} %, "
        + (f"TBT {(b['tbt_cpu'] / q['tbt_cpu'] - 1) * 100:+.1f} %" if q["tbt_cpu"] else "TBT 0")
    )
    print(f"largest task's shape (events by name): {len(shapes)} distinct in {len(rows)} loads")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "loads": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
