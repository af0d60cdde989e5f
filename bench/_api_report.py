"""The tables and target verdicts ``bench/api_load.py`` prints from its rows (one row per
configuration, user count and run).

Targets (the plan's, issue 15), checked for every cached configuration in each run at each user
count (the plan sets them at 1,000 users): average < 100 ms, p95 < 150 ms, hit rate ≥ 70 %,
0 errors, and server CPU per request at most half flask-caching + flask-compress's *in the same
run and user count* (a ratio measured minutes apart on a shared machine says little). A verdict
line says in how many runs each held ("5 of 5 runs met").
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

#: configurations the targets apply to (the response caches)
CACHED = ("assetpipe", "assetpipe-mw", "assetpipe-redis")
BASELINE = "flask-caching"
AVG_MS, P95_MS, HIT_RATE, CPU_RATIO = 100.0, 150.0, 0.70, 0.5
LABELS = {
    "none": "no cache",
    "floor": "floor: constant bytes, no Flask (gunicorn's own cost)",
    "flask-caching": "flask-caching + flask-compress",
    "assetpipe": "assetpipe, `@cached` + `answer_hits_early`",
    "assetpipe-mw": "assetpipe, middleware",
    "assetpipe-redis": "assetpipe, middleware, Redis + near cache (redis-server included)",
}


def cpu_ratio(row: dict[str, Any], rows: Iterable[dict[str, Any]]) -> float | None:
    """This row's server CPU per request over flask-caching's in the same run and user count."""
    for other in rows:
        if (
            other["config"] == BASELINE
            and other["users"] == row["users"]
            and other.get("run", 1) == row.get("run", 1)
            and other["server_cpu_ms_per_request"]
        ):
            return float(row["server_cpu_ms_per_request"]) / float(
                other["server_cpu_ms_per_request"]
            )
    return None


def checks(row: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, bool | None]:
    """Each target's verdict for one row (None: not measurable, no baseline in that run)."""
    ratio = cpu_ratio(row, rows)
    return {
        "avg": row["avg_ms"] is not None and row["avg_ms"] < AVG_MS,
        "p95": row["p95_ms"] < P95_MS,
        "hit rate": row["hit_rate"] >= HIT_RATE,
        "errors": row["errors"] == 0,
        "CPU": None if ratio is None else ratio <= CPU_RATIO,
    }


def _load(r: dict[str, Any]) -> str:
    start = r.get("loadavg_start")
    return f"{start[0]}-{r['loadavg'][0]}" if start else str(r["loadavg"][0])


def _ms(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,} ms"


def table(rows: list[dict[str, Any]], seconds: float, warmup: float) -> str:
    """Every row, grouped by user count and configuration, runs in order."""
    out = [
        f"## Flask JSON API under gunicorn (2 workers x 32 threads), open-loop asyncio load, "
        f"{seconds:g} s per row after {warmup:g} s warm-up\n",
        "| users | config | run | req/s | avg | p50 | p95 | p99 | max | errors | hit rate "
        "| server CPU/req | vs flask-caching | server CPU | generator CPU | load avg (start-end) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = {c: i for i, c in enumerate(LABELS)}
    for r in sorted(rows, key=lambda r: (r["users"], order.get(r["config"], 99), r.get("run", 1))):
        ratio = cpu_ratio(r, rows)
        out.append(
            f"| {r['users']:,} | {LABELS.get(r['config'], r['config'])} | {r.get('run', 1)} | "
            f"{r['rps']:,} | {_ms(r['avg_ms'])} | {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | "
            f"{_ms(r['p99_ms'])} | {_ms(r['max_ms'])} | {r['errors']} | {r['hit_rate']:.1%} | "
            f"{r['server_cpu_ms_per_request']:.3f} ms | "
            f"{'' if ratio is None else f'{ratio:.2f}x'} | {r['server_cpu_share']:.0%} | "
            f"{r['generator_cpu_share']:.0%} | {_load(r)} |"
        )
    return "\n".join(out)


def verdicts(rows: list[dict[str, Any]]) -> str:
    """Per cached configuration and user count: in how many runs each target held, and the
    CPU ratio's median [min-max]."""
    out = [
        "\n## Targets: average < 100 ms, p95 < 150 ms, hit rate >= 70 %, 0 errors, "
        "server CPU/req <= 0.5x flask-caching + flask-compress (same run). The plan sets them "
        "at 1,000 users; other user counts are shown for reference (at 100 users the floor "
        "row alone is near 0.5x)\n",
        "| users | config | runs | avg | p95 | hit rate | errors | CPU | all | "
        "CPU ratio median [min-max] |",
        "|---:|---|---:|---|---|---|---|---|---|---|",
    ]
    groups = sorted({(r["users"], r["config"]) for r in rows if r["config"] in CACHED})
    for users, config in groups:
        mine = [r for r in rows if r["users"] == users and r["config"] == config]
        verdict = [checks(r, rows) for r in mine]
        n = len(mine)
        cells = []
        for name in ("avg", "p95", "hit rate", "errors", "CPU"):
            known = [v[name] for v in verdict if v[name] is not None]
            cells.append(
                f"{sum(1 for x in known if x)} of {len(known)} runs met" if known else "n/a"
            )
        every = sum(1 for v in verdict if all(x is True for x in v.values()))
        ratios = [x for x in (cpu_ratio(r, rows) for r in mine) if x is not None]
        spread = (
            f"{statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]"
            if ratios
            else "n/a"
        )
        out.append(
            f"| {users:,} | {LABELS.get(config, config)} | {n} | {' | '.join(cells)} | "
            f"{every} of {n} runs met | {spread} |"
        )
    loads = [r["loadavg"][0] for r in rows] + [
        r["loadavg_start"][0] for r in rows if r.get("loadavg_start")
    ]
    gens = [r["generator_cpu_share"] for r in rows]
    if loads:
        out.append(
            f"\nLoad average (1 min, at each row's start and end) {min(loads)}-{max(loads)}; the load "
            f"generator used {min(gens):.0%}-{max(gens):.0%} of a core."
        )
    return "\n".join(out)
