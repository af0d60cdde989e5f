"""Do the audit's verdict and figures move with host load? Two pages on the mobile profile: the
bundled example's home page and a heavy page on real npm JavaScript (``heavy_project``: ~440 KB
of minified Chart.js, Leaflet, Lit, Alpine.js and dayjs, built with assetpipe), each audited N
times on the machine as it is ("quiet") and N times with BUSY extra processes spinning a CPU
each (``python -c "while 1: pass"``), interleaved audit by audit in ABBA order (the spinners
start 2 s before each busy round and stop after it).

    .venv/bin/python bench/audit_stability.py [--audits 10] [--busy 2] [--runs 3] [--json FILE]

Each audit runs in ``--metrics cpu`` mode, whose runs also hold every observed figure (the
throttled loads are the same in both modes; CPU-time mode adds one unthrottled load per run for
TBT), so "before" (``observed``: today's default, every figure wall-clock) and "after"
(``cpu``: TBT from thread CPU time times the profile's CPU factor) are read from the same runs
under the same load; a third reading, ``cpu-min``, takes the CPU-time mode's least value over
an audit's runs (``--aggregate optimistic``) instead of the median. Each reading's verdict is
its page checks with the timing budgets evaluated on that reading's aggregates
(``budgets.evaluate``); ``--json`` also keeps every run's figures.

Printed per page, mode and condition: how many audits gave the majority verdict, per metric the
median of the audits' figures and its CoV (stdev/mean over audits); then two verdicts per page
and mode: the budget verdict the same in all 2N audits, and each metric's busy median within
10 % of the quiet one (or both within a floor of each other: 5 ms, CLS 0.005; a ratio of
near-zero values says nothing). The load average is sampled before each audit. Wall time: about
25 s per audit of 3 runs at load 2-4 (``--audits 10``: ~17 min; ``--audits 6``: ~10 min).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assetpipe.audit import budgets, policy
from assetpipe.audit.options import AuditOptions
from assetpipe.audit.runner import run_audit
from assetpipe.config import Config
from bench._audit_example import example_project, heavy_project

METRICS = ("fcp", "lcp", "si", "cls", "tbt", "load")
#: each reading: the metrics mode and the aggregate over an audit's runs (``policy.aggregate``);
#: ``cpu-min`` is ``--metrics cpu --aggregate optimistic``, read from the same runs as ``cpu``
MODES = {
    "observed": ("observed", "median"),
    "cpu": ("cpu", "median"),
    "cpu-min": ("cpu", "optimistic"),
}
TOLERANCE = 0.10
FLOOR = {"cls": 0.005}
FLOOR_MS = 5.0
#: Seconds the spinners run before a busy audit starts, so the scheduler already shares the cores.
SPIN_UP_S = 2.0


def audit(cfg: Config, path: str, runs: int) -> dict[str, Any]:
    """One audit of ``path`` (mobile, ``--metrics cpu``): per mode, its verdict and medians."""
    result = run_audit(
        cfg,
        AuditOptions(
            profile="mobile",
            runs=runs,
            pages=(path,),
            hints=False,
            history=False,
            capture=False,
            mode="cpu",
        ),
    )
    page = result.doc["pages"][0]
    if page["status"] != "measured":
        raise SystemExit(f"{path}: {page['error']}")
    budget = budgets.select(budgets.all_budgets(cfg), path, "mobile")
    others = [c for c in page["checks"] if not c["id"].startswith("timings.")]
    out: dict[str, Any] = {}
    for reading, (mode, how) in MODES.items():
        figs = [policy.figures(r, mode) for r in result.details[path]["runs"]]
        med = {k: policy.aggregate((f[k] for f in figs), how) for k in policy.METRICS}
        timings = [
            c.to_json()
            for c in budgets.evaluate(budget, {**page, "metrics": med}, lighthouse=False)
            if c.id.startswith("timings.")
        ]
        failed = [c["id"] for c in [*others, *timings] if not c["passed"] and c["level"] == "error"]
        out[reading] = {"passed": not failed, "failed": failed, "metrics": med, "runs": figs}
    return out


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts = [bool(r["passed"]) for r in rows]
    majority = max(set(verdicts), key=verdicts.count)
    out: dict[str, Any] = {"same": verdicts.count(majority), "n": len(rows), "passed": majority}
    for m in METRICS:
        vals = [float(r["metrics"][m]) for r in rows]
        mean = statistics.mean(vals)
        out[m] = {
            "median": round(statistics.median(vals), 4 if m == "cls" else 1),
            "cov": round(statistics.stdev(vals) / mean * 100, 1) if len(vals) > 1 and mean else 0.0,
        }
    return out


def holds(quiet: float, busy: float, metric: str) -> bool:
    """The busy median within ``TOLERANCE`` of the quiet one, or both within the floor."""
    return abs(busy - quiet) <= max(TOLERANCE * abs(quiet), FLOOR.get(metric, FLOOR_MS))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audits", type=int, default=10, help="audits per page and condition")
    ap.add_argument("--busy", type=int, default=2, help="spinning processes while busy")
    ap.add_argument("--runs", type=int, default=3, help="runs per audit")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    started = time.monotonic()
    pages = {"example /": (example_project(), "/"), "heavy npm /": (heavy_project(), "/")}
    results: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {
        p: {m: {"quiet": [], "busy": []} for m in MODES} for p in pages
    }
    loads: dict[str, list[float]] = {"quiet": [], "busy": []}
    for i in range(args.audits):
        # Interleaved, in ABBA order (quiet first on even rounds, busy first on odd ones): the
        # machine's own background load drifts over minutes, and a CPU-time figure moves with
        # it (cache and memory contention from other jobs), so running all quiet audits and
        # then all busy ones compares two moments of the host, not two conditions.
        order = ("quiet", "busy") if i % 2 == 0 else ("busy", "quiet")
        for condition in order:
            spinners = [
                subprocess.Popen([sys.executable, "-c", "while 1: pass"])
                for _ in range(args.busy if condition == "busy" else 0)
            ]
            try:
                if spinners:
                    time.sleep(SPIN_UP_S)
                for name, (cfg, path) in pages.items():
                    loads[condition].append(os.getloadavg()[0])
                    t0 = time.monotonic()
                    row = audit(cfg, path, args.runs)
                    for mode in MODES:
                        results[name][mode][condition].append(row[mode])
                    shown = {
                        m: (
                            f"{'pass' if r['passed'] else 'FAIL ' + ','.join(r['failed'])} "
                            f"tbt {r['metrics']['tbt']:.0f}"
                        )
                        for m, r in row.items()
                    }
                    print(
                        f"{condition} {i + 1}/{args.audits} {name} "
                        f"({time.monotonic() - t0:.0f} s, load {loads[condition][-1]:.1f}): "
                        f"observed {shown['observed']}; cpu {shown['cpu']}; "
                        f"cpu-min tbt {row['cpu-min']['metrics']['tbt']:.0f}; "
                        f"lcp {row['cpu']['metrics']['lcp']:.0f}",
                        flush=True,
                    )
            finally:
                for p in spinners:
                    p.kill()
                    p.wait()
    wall = time.monotonic() - started
    report: dict[str, Any] = {
        "load": {
            c: [round(min(v), 2), round(statistics.median(v), 2), round(max(v), 2)]
            for c, v in loads.items()
            if v
        },
        "cpus": os.cpu_count(),
        "audits": args.audits,
        "busy": args.busy,
        "runs": args.runs,
        "wall_s": round(wall),
    }
    print(
        f"\nload average (min/median/max): {report['load']}; {os.cpu_count()} CPUs; "
        f"wall time {wall / 60:.1f} min"
    )
    print(
        "| page | mode | condition | same verdict | "
        + " | ".join(f"{m} median (CoV)" for m in METRICS)
        + " |"
    )
    print("|---" * (4 + len(METRICS)) + "|")
    verdicts: list[str] = []
    for name, by_mode in results.items():
        report[name] = {}
        for mode, by in by_mode.items():
            sums = {c: summary(rows) for c, rows in by.items() if rows}
            report[name][mode] = {**sums, "audits": by}
            for c, s in sums.items():
                cells = " | ".join(f"{s[m]['median']} ({s[m]['cov']} %)" for m in METRICS)
                print(f"| {name} | {mode} | {c} | {s['same']}/{s['n']} | {cells} |")
            if len(sums) < 2:
                continue
            q, b = sums["quiet"], sums["busy"]
            diffs = [
                f"{(b[m]['median'] / q[m]['median'] - 1) * 100:+.1f} %" if q[m]["median"] else "–"
                for m in METRICS
            ]
            print(f"| {name} | {mode} | busy vs quiet | | " + " | ".join(diffs) + " |")
            rows = by["quiet"] + by["busy"]
            same = max(sum(r["passed"] for r in rows), sum(not r["passed"] for r in rows))
            ok = [m for m in METRICS if holds(q[m]["median"], b[m]["median"], m)]
            bad = [m for m in METRICS if m not in ok]
            report[name][mode]["verdicts"] = {
                "same_verdict": [same, len(rows)],
                "medians_hold": ok,
                "medians_move": bad,
            }
            verdicts.append(
                f"{name}, {mode}: verdict the same in {same} of {len(rows)} audits: "
                f"{'PASS' if same == len(rows) else 'FAIL'}; busy median within 10 % of quiet: "
                + ("PASS (all)" if not bad else f"FAIL ({', '.join(bad)}; holds: {', '.join(ok)})")
            )
    print()
    print("\n".join(verdicts))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
