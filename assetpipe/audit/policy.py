"""The verdict policy: which figure a metric reports (its *mode*), how runs are aggregated, and
how many runs ``--runs auto`` takes.

Modes (``--metrics``):

- ``observed`` (default): every metric as measured in the throttled page (wall time).
- ``cpu``: TBT from the main-thread tasks' thread CPU time (trace ``tdur``) in two more
  loads of each run without Chromium's CPU throttling (the lesser kept), times the profile's
  CPU factor (``measure.cpu_time_tbt``), instead of their wall time in the throttled load, so
  time the host took away from Chromium (other processes on a shared CI runner) does not count
  as blocking; the other metrics stay observed. The JSON's ``modes`` says which mode produced each
  figure.
- ``simulate``: FCP, LCP, TBT and Speed Index simulated from a second load of each run with no
  throttling at all, as Lighthouse's simulated throttling (Lantern) computes them
  (``lantern``); CLS, TTFB and load stay observed.

Aggregates (``--aggregate``), per metric over the runs, as LHCI's assertion aggregation:
``median`` (default), ``optimistic`` (the best run: the minimum) and ``pessimistic`` (the worst:
the maximum). Bytes and request counts are always medians.

``--runs auto`` measures ``AUTO_MIN`` runs, then adds runs (up to ``AUTO_MAX``) while the runs
disagree about a timing budget of the page (some pass it, some fail it): the verdict is within
the noise, and more runs settle the aggregate.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

METRICS = ("ttfb", "server", "fcp", "si", "lcp", "cls", "tbt", "load")
MODES = ("observed", "cpu", "simulate")
#: The metrics ``simulate`` takes from the simulation (``<metric>_sim`` in a run's metrics).
SIMULATED = ("fcp", "lcp", "tbt", "si")
AGGREGATES = ("median", "optimistic", "pessimistic")
AUTO_MIN = 3
AUTO_MAX = 9


def figures(metrics: dict[str, float], mode: str) -> dict[str, float]:
    """The metrics one run reports in ``mode``."""
    out = {k: float(metrics.get(k, 0.0)) for k in METRICS}
    if mode == "cpu" and "tbt_cpu" in metrics:
        out["tbt"] = float(metrics["tbt_cpu"])
    if mode == "simulate":
        out.update({k: float(metrics[f"{k}_sim"]) for k in SIMULATED if f"{k}_sim" in metrics})
    return out


def modes(mode: str) -> dict[str, str]:
    """Which mode produced each metric (``observed``, ``cpu-time`` or ``simulated``)."""
    out = dict.fromkeys(METRICS, "observed")
    if mode == "cpu":
        out["tbt"] = "cpu-time"
    if mode == "simulate":
        out.update(dict.fromkeys(SIMULATED, "simulated"))
    return out


def aggregate(values: Iterable[float], how: str) -> float:
    vals = list(values)
    if how == "optimistic":
        return min(vals)
    if how == "pessimistic":
        return max(vals)
    return float(statistics.median(vals))


def disagreeing(runs: list[dict[str, float]], budget: Any) -> list[str]:
    """Timing budgets of ``budget`` that some runs pass and others fail."""
    if budget is None or not runs:
        return []
    out = []
    for key, limit in budget.timings:
        vals = [r[key] for r in runs if key in r]
        if vals and min(vals) <= limit < max(vals):
            out.append(key)
    return out


def spread(values: list[float]) -> dict[str, float]:
    """Median, min, max and coefficient of variation (%, 0 for fewer than 2 runs)."""
    med = float(statistics.median(values))
    cov = (
        statistics.stdev(values) / statistics.mean(values) * 100
        if len(values) > 1 and statistics.mean(values)
        else 0.0
    )
    return {"median": med, "min": min(values), "max": max(values), "cov": round(cov, 1)}
