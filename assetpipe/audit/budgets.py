"""Budgets with Lighthouse budget.json semantics.

``budget_file`` (a Lighthouse budget.json) is read first and the config's ``budgets:`` follow it;
for a page, the *last* budget whose ``path`` pattern matches (and whose ``profile``, when set, is
the audit's) applies, alone, as in Lighthouse. Path patterns are Lighthouse's: ``*`` is one
wildcard, a trailing ``$`` anchors the end, a pattern with neither is a prefix. Sizes are KiB
transferred, timings ms (CLS unitless), scores 0 to 1. A value over its budget fails the check at
the category's ``level`` (default ``error``; ``off`` skips the category). Values are compared
unrounded (a CLS of 0.10004 fails a 0.1 budget; 100.001 KiB fails 100 KiB); messages round.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import RESOURCE_TYPES, Budget
from ..errors import AssetpipeError, ConfigError, Location

log = logging.getLogger("assetpipe.audit")

#: Lighthouse's budget metric names → ours. Others (interactive, ...) have no lab
#: equivalent here: they are skipped with a warning, so an existing budget.json still loads.
LH_METRICS = {
    "first-contentful-paint": "fcp",
    "speed-index": "si",
    "largest-contentful-paint": "lcp",
    "cumulative-layout-shift": "cls",
    "total-blocking-time": "tbt",
    "server-response-time": "server",
    "time-to-first-byte": "ttfb",
    "load": "load",
}
CATEGORIES = ("timings", "resource_sizes", "resource_counts", "repeat_view", "min_score")


@dataclass(frozen=True)
class Check:
    """One assertion on one page: ``passed`` is ``value <= limit`` (``>=`` for scores)."""

    id: str
    level: str
    limit: float | None
    value: float | None
    passed: bool
    message: str = ""
    template: str | None = None
    line: int | None = None
    #: The offending items of a built-in check (e.g. each distorted image with template:line).
    items: tuple[dict[str, Any], ...] = ()

    @property
    def failed_error(self) -> bool:
        return not self.passed and self.level == "error"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "level": self.level,
            "limit": self.limit,
            "value": self.value,
            "passed": self.passed,
        }
        if self.message:
            out["message"] = self.message
        if self.template:
            out["template"] = self.template
            out["line"] = self.line
        if self.items:
            out["items"] = list(self.items)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Check:
        return cls(
            id=d["id"],
            level=d["level"],
            limit=d.get("limit"),
            value=d.get("value"),
            passed=bool(d["passed"]),
            message=d.get("message", ""),
            template=d.get("template"),
            line=d.get("line"),
            items=tuple(d.get("items") or ()),
        )


def url_matches(path: str, pattern: str = "/") -> bool:
    """Lighthouse's ``Budget.urlMatchesPattern`` on a URL path (with its query)."""
    wildcard, dollar = "*" in pattern, "$" in pattern
    if not wildcard and not dollar:
        return path.startswith(pattern)
    if not wildcard:
        return path == pattern[:-1]
    before, _, after = pattern.partition("*")
    rest = path[len(before) :]
    if not dollar:
        return path.startswith(before) and after in rest
    return path.startswith(before) and rest.endswith(after[:-1])


def select(budgets: tuple[Budget, ...] | list[Budget], path: str, profile: str) -> Budget | None:
    """The budget for a page: the last one that matches its path and profile."""
    found = None
    for budget in budgets:
        if budget.profile not in (None, profile):
            continue
        if url_matches(path, budget.path):
            found = budget
    return found


def evaluate(budget: Budget | None, page: dict[str, Any], *, lighthouse: bool) -> list[Check]:
    """The budget's checks for one measured page (``page`` is its JSON, see ``options``)."""
    if budget is None:
        return []
    levels = dict(budget.level)
    checks: list[Check] = []

    def add(
        category: str,
        key: str,
        limit: float,
        value: float | None,
        *,
        at_least: bool = False,
        unit: str = "",
    ) -> None:
        level = levels.get(category, "error")
        if level == "off":
            return
        passed = value is not None and (value >= limit if at_least else value <= limit)
        shown = "n/a" if value is None else f"{_shown(value, limit)}{unit}"
        verb = "at least" if at_least else "at most"
        checks.append(
            Check(
                f"{category}.{key}",
                level,
                limit,
                value,
                passed,
                f"{key} is {shown}, budget {verb} {limit:g}{unit}",
            )
        )

    metrics = page.get("metrics") or {}
    for key, limit in budget.timings:
        value = metrics.get(key)
        add(
            "timings",
            key,
            limit,
            None if value is None else float(value),
            unit="" if key == "cls" else " ms",
        )
    for key, limit in budget.resource_sizes:
        add("resource_sizes", key, limit, page["bytes"].get(key, 0) / 1024, unit=" KiB")
    for key, limit in budget.resource_counts:
        add("resource_counts", key, limit, page["requests"].get(key, 0))
    repeat = (page.get("repeat_view") or {}).get("bytes") or {}
    for key, limit in budget.repeat_view:
        add("repeat_view", key, limit, repeat.get(key, 0) / 1024, unit=" KiB")
    if lighthouse:
        scores = page.get("lighthouse") or {}
        for key, limit in budget.min_score:
            add("min_score", key, limit, scores.get(key), at_least=True)
    return checks


def _shown(value: float, limit: float) -> str:
    """A value for a message: six significant digits, more when those would make a value that
    differs from its budget look equal to it (``100.00001``, not ``100``)."""
    text = f"{value:.6g}"
    return f"{value:.12g}" if float(text) == limit != value else text


def load_budget_file(path: Path, display: str) -> tuple[Budget, ...]:
    """A Lighthouse budget.json as ``Budget`` objects; ``ConfigError`` (exit 2) naming the file
    and key path of every problem."""
    problems: list[AssetpipeError] = []

    def bad(where: str, msg: str, line: int | None = None, col: int | None = None) -> None:
        problems.append(
            AssetpipeError(
                f"{where}: {msg}" if where else msg, location=Location(display, line, col)
            )
        )

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        bad("", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        raise ConfigError(problems) from None
    except (OSError, UnicodeDecodeError) as exc:
        bad("", f"cannot read budget file: {exc}")
        raise ConfigError(problems) from None
    if not isinstance(data, list):
        bad("", "expected a JSON array of budgets (Lighthouse budget.json)")
        raise ConfigError(problems)
    out: list[Budget] = []
    for i, item in enumerate(data):
        where = f"[{i}]"
        if not isinstance(item, dict):
            bad(where, "expected an object")
            continue
        unknown = set(item) - {"path", "timings", "resourceSizes", "resourceCounts", "options"}
        for key in sorted(unknown):
            bad(
                f"{where}.{key}",
                "unknown key (expected path, timings, resourceSizes, resourceCounts, options)",
            )
        pattern = item.get("path", "/")
        if not isinstance(pattern, str) or not pattern.startswith("/") or pattern.count("*") > 1:
            bad(
                f"{where}.path",
                f"expected a path starting with '/' and at most one '*', got {pattern!r}",
            )
            continue
        timings: list[tuple[str, float]] = []
        for j, t in enumerate(item.get("timings") or []):
            name = t.get("metric") if isinstance(t, dict) else None
            value = t.get("budget") if isinstance(t, dict) else None
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                bad(
                    f"{where}.timings[{j}].budget", f"expected a non-negative number, got {value!r}"
                )
            elif name in LH_METRICS:
                timings.append((LH_METRICS[name], float(value)))
            else:
                log.warning(
                    "%s: %s.timings[%d]: metric %r is not measured by assetpipe (skipped)",
                    display,
                    where,
                    j,
                    name,
                )
        sizes = _resources(item.get("resourceSizes"), f"{where}.resourceSizes", bad)
        counts = _resources(item.get("resourceCounts"), f"{where}.resourceCounts", bad)
        out.append(
            Budget(
                path=pattern,
                timings=tuple(timings),
                resource_sizes=sizes,
                resource_counts=counts,
                location=Location(display),
            )
        )
    if problems:
        raise ConfigError(problems)
    return tuple(out)


def _resources(items: Any, where: str, bad: Any) -> tuple[tuple[str, float], ...]:
    out: list[tuple[str, float]] = []
    for j, r in enumerate(items or []):
        kind = r.get("resourceType") if isinstance(r, dict) else None
        value = r.get("budget") if isinstance(r, dict) else None
        if kind not in RESOURCE_TYPES:
            bad(
                f"{where}[{j}].resourceType",
                f"unknown resource type {kind!r} (expected one of {', '.join(RESOURCE_TYPES)})",
            )
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            bad(f"{where}[{j}].budget", f"expected a non-negative number, got {value!r}")
        else:
            out.append((kind, float(value)))
    return tuple(out)


def all_budgets(config: Any) -> tuple[Budget, ...]:
    """``budget_file`` (if any) merged before the config's ``budgets``."""
    from_file: tuple[Budget, ...] = ()
    if config.budget_file is not None:
        from_file = load_budget_file(config.budget_file, _display(config, config.budget_file))
    return from_file + tuple(config.budgets)


def _display(config: Any, path: Path) -> str:
    try:
        return str(path.relative_to(config.root))
    except ValueError:
        return str(path)
