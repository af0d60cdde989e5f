"""``--baseline REPORT_DIR``: compare this audit with another one's report folder (e.g. the
report of main, downloaded as a CI artifact), page by page and metric by metric.

A metric regresses when it is worse than the baseline's by more than the noise measured in the
two audits' own runs (``NOISE_K`` x the combined robust standard deviation of both sides' runs)
and by more than the history's absolute floor (20 ms, 0.01 CLS, 1 KiB). Each regression is a
``baseline.<metric>`` check at level ``error``; every page that both audits measured gets
``baseline: {metric: {base, value, diff, pct, noise}}`` in the JSON and a side-by-side table in
the report.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .budgets import Check
from .history import FLOOR, FLOOR_MS, noise
from .policy import METRICS

NOISE_K = 3.0
BYTES = ("total", "script")


def load(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(doc, details) of a report folder; ``UsageError`` when it is not one."""
    from . import report

    try:
        doc, details, _pictures = report.load(folder)
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"--baseline {folder}: not an audit report folder ({exc})",
            hint="pass the --report folder of another audit (its audit.json)",
        ) from None
    return doc, details


def _runs(details: dict[str, Any], path: str, key: str) -> list[float]:
    return [float(r[key]) for r in (details.get(path) or {}).get("runs") or [] if key in r]


def compare(
    doc: dict[str, Any],
    details: dict[str, Any],
    base_doc: dict[str, Any],
    base_details: dict[str, Any],
) -> None:
    """Add ``baseline`` figures and ``baseline.*`` checks to ``doc``'s pages (in place)."""
    if base_doc.get("profile") != doc.get("profile"):
        raise UsageError(
            f"--baseline: its profile is {base_doc.get('profile')}, this audit's "
            f"is {doc.get('profile')}"
        )
    base_pages = {p["path"]: p for p in base_doc["pages"] if p.get("status") == "measured"}
    for page in doc["pages"]:
        base = base_pages.get(page["path"])
        if page.get("status") != "measured" or base is None:
            continue
        rows: dict[str, dict[str, float]] = {}
        for key in [*METRICS, *(f"bytes.{b}" for b in BYTES)]:
            if key.startswith("bytes."):
                value = float(page["bytes"][key[6:]])
                old = float((base.get("bytes") or {}).get(key[6:], math.nan))
                spread = 0.0
            else:
                value = float(page["metrics"].get(key, math.nan))
                old = float((base.get("metrics") or {}).get(key, math.nan))
                spread = math.hypot(
                    noise(_runs(details, page["path"], key)),
                    noise(_runs(base_details, page["path"], key)),
                )
            if math.isnan(value) or math.isnan(old):
                continue
            diff = value - old
            rows[key] = {
                "base": old,
                "value": value,
                "diff": diff,
                "pct": diff / old * 100 if old else 0.0,
                "noise": spread,
            }
            floor = FLOOR.get(key, FLOOR_MS)
            if diff > max(floor, NOISE_K * spread):
                check = Check(
                    f"baseline.{key}",
                    "error",
                    old + max(floor, NOISE_K * spread),
                    value,
                    False,
                    f"{key} is {value:g}, the baseline's {old:g} (+{diff:g}, "
                    f"{rows[key]['pct']:+.1f} %), beyond its noise (±{NOISE_K * spread:.3g})",
                )
                page["checks"].append(check.to_json())
                page["passed"] = False
        page["baseline"] = rows
    doc["passed"] = all(p["passed"] for p in doc["pages"])
