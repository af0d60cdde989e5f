"""What the audit knows about the machine it ran on: load average, CPU count and a benchmark
index (Lighthouse's ``computeBenchmarkIndex``: string building and array copies for about a
second in an unthrottled blank page; higher is faster, a 2020s laptop scores ~1,500-2,500).

Reported in the audit JSON (``host``) and the report, so a figure can be read against the load
it was measured under; see README "Variability" for how the metric modes use it.
"""

from __future__ import annotations

import os
from typing import Any

BENCHMARK_JS = """() => {
  const gc = () => {
    const start = Date.now(); let n = 0;
    while (Date.now() - start < 500) { let s = ''; for (let j = 0; j < 10000; j++) s += 'a'; n++; }
    return Math.round(n / 10 / ((Date.now() - start) / 1000));
  };
  const noGc = () => {
    const a = [], b = [];
    for (let i = 0; i < 100000; i++) a[i] = b[i] = i;
    const start = Date.now(); let n = 0;
    while (n % 10 !== 0 || Date.now() - start < 500) {
      const src = n % 2 === 0 ? a : b, dst = n % 2 === 0 ? b : a;
      for (let j = 0; j < src.length; j++) dst[j] = src[j];
      n++;
    }
    return Math.round(n / 10 / ((Date.now() - start) / 1000));
  };
  return (gc() + noGc()) / 2;
}"""


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (``[]`` where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def benchmark_index(browser: Any) -> float:
    """Lighthouse's benchmark index, measured in a fresh unthrottled context."""
    context = browser.new_context()
    try:
        page = context.new_page()
        return float(page.evaluate(BENCHMARK_JS))
    finally:
        context.close()


def host_info(browser: Any) -> dict[str, Any]:
    """``{"load": [1m, 5m, 15m], "cpus": N, "benchmark_index": X}`` at the audit's start."""
    return {
        "load": load_average(),
        "cpus": os.cpu_count() or 0,
        "benchmark_index": round(benchmark_index(browser), 1),
    }
