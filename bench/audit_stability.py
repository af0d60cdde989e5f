"""Does the audit's verdict flip with host load? The bundled example's home page, audited N times
on the machine as it is ("quiet") and N times with BUSY extra processes spinning a CPU each, by
the audit as it was before the observation rewrite ("before", checked out from git into a
temporary folder) and as it is now, in observed and in CPU-time mode (same script, interleaved).

    .venv/bin/python bench/audit_stability.py [--audits 10] [--busy 2] [--runs 3] [--json FILE]

Per variant and condition: how many audits gave the majority verdict against the example's own
budgets, and per metric the median of the audits' figures, its CoV (stdev/mean over audits) and
the busy median's difference from the quiet one. The load average is sampled before each audit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._audit_example import REPO, example_project

METRICS = ("fcp", "lcp", "cls", "tbt", "load")
SUBJECT = "audit: observe until quiet from the trace"


def before_tree() -> Path:
    """The ``assetpipe`` package as it was before the observation rewrite, in a temp folder."""
    head = subprocess.run(
        ["git", "log", "--format=%H", "-1", f"--grep={SUBJECT}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    data = subprocess.run(
        ["git", "archive", f"{head}^", "assetpipe"], cwd=REPO, capture_output=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="assetpipe-before-"))
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def audit(tree: Path, root: Path, runs: int, extra: list[str]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assetpipe",
            "audit",
            "--page",
            "/",
            "--runs",
            str(runs),
            "--profile",
            "mobile",
            "--json",
            "--no-hints",
            *extra,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}): {proc.stderr[-800:]}")
    page = json.loads(proc.stdout)["pages"][0]
    return {
        "passed": page["passed"],
        "metrics": page["metrics"],
        "failed": [c["id"] for c in page["checks"] if not c["passed"] and c["level"] == "error"],
    }


def summary(rows: list[dict[str, object]]) -> dict[str, object]:
    verdicts = [bool(r["passed"]) for r in rows]
    majority = max(set(verdicts), key=verdicts.count)
    out: dict[str, object] = {
        "same_verdict": f"{verdicts.count(majority)}/{len(rows)}",
        "passed": verdicts.count(True),
    }
    for m in METRICS:
        vals = [float(r["metrics"][m]) for r in rows]  # type: ignore[index]
        mean = statistics.mean(vals)
        out[m] = {
            "median": round(statistics.median(vals), 4 if m == "cls" else 1),
            "cov": round(statistics.stdev(vals) / mean * 100, 1) if len(vals) > 1 and mean else 0.0,
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audits", type=int, default=10)
    ap.add_argument("--busy", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    cfg = example_project()
    variants = {
        "before": (before_tree(), []),
        "observed": (REPO, []),
        "cpu": (REPO, ["--metrics", "cpu"]),
    }
    results: dict[str, dict[str, list[dict[str, object]]]] = {
        v: {"quiet": [], "busy": []} for v in variants
    }
    loads: dict[str, list[float]] = {"quiet": [], "busy": []}
    for condition in ("quiet", "busy"):
        spinners = [
            subprocess.Popen([sys.executable, "-c", "while 1: pass"])
            for _ in range(args.busy if condition == "busy" else 0)
        ]
        try:
            for i in range(args.audits):
                for name, (tree, extra) in variants.items():
                    loads[condition].append(os.getloadavg()[0])
                    row = audit(tree, cfg.root, args.runs, extra)
                    results[name][condition].append(row)
                    print(
                        f"{condition} {i + 1}/{args.audits} {name}: "
                        f"{'pass' if row['passed'] else 'FAIL ' + str(row['failed'])} "
                        f"{ {k: round(float(v), 1) for k, v in row['metrics'].items()} }",  # type: ignore[attr-defined]
                        flush=True,
                    )
        finally:
            for p in spinners:
                p.kill()
                p.wait()
    report: dict[str, object] = {
        "load": {
            c: [round(min(v), 2), round(statistics.median(v), 2), round(max(v), 2)]
            for c, v in loads.items()
            if v
        },
        "cpus": os.cpu_count(),
        "audits": args.audits,
        "busy": args.busy,
        "runs": args.runs,
    }
    print(f"\nload average (min/median/max): {report['load']}; {os.cpu_count()} CPUs")
    print(
        "| variant | condition | same verdict | "
        + " | ".join(f"{m} median (CoV)" for m in METRICS)
        + " |"
    )
    print("|---" * (3 + len(METRICS)) + "|")
    for name, by in results.items():
        sums: dict[str, dict[str, Any]] = {c: summary(rows) for c, rows in by.items() if rows}
        report[name] = sums
        for c, s in sums.items():
            cells = " | ".join(f"{s[m]['median']} ({s[m]['cov']} %)" for m in METRICS)
            print(f"| {name} | {c} | {s['same_verdict']} | {cells} |")
        if len(sums) == 2:
            diffs = {
                m: round(
                    (sums["busy"][m]["median"] / sums["quiet"][m]["median"] - 1) * 100,
                    1,
                )
                if sums["quiet"][m]["median"]
                else None
                for m in METRICS
            }
            print(
                f"| {name} | busy vs quiet | | "
                + " | ".join("–" if d is None else f"{d:+.1f} %" for d in diffs.values())
                + " |"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
