"""Audit history in SQLite (``audit.history``, default ``.assetpipe/audit-history.sqlite``).

Each audit appends one row per (page, metric) with its median; the report's trend charts and
``--fail-on-regression`` read them back. A metric regresses when it is worse than the median of
the last ``WINDOW`` audits of the same page and profile by more than the tolerance (percent) *and*
by more than a small absolute floor and by more than 3 robust standard deviations of those
audits (``noise``), so a 0 → 1 ms TBT wobble is not a 100 % regression and a metric that moves
by 15 % from audit to audit does not fail at a 10 % tolerance. Only pages that passed are
recorded: a failed audit never becomes the baseline a later one is compared with.
"""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WINDOW = 10
TRACKED = ("ttfb", "fcp", "lcp", "cls", "tbt", "load", "bytes.total", "bytes.script")
#: Differences below these never count as regressions (ms, unitless, bytes).
FLOOR = {"cls": 0.01, "bytes.total": 1024.0, "bytes.script": 1024.0}
FLOOR_MS = 20.0

#: A change within this many robust standard deviations of the history is noise.
NOISE_K = 3.0


def noise(values: list[float]) -> float:
    """A robust standard deviation of past values: 1.4826 x their median absolute deviation
    (0 with fewer than 3 values)."""
    if len(values) < 3:
        return 0.0
    med = statistics.median(values)
    return 1.4826 * statistics.median(abs(v - med) for v in values)


SCHEMA = """
CREATE TABLE IF NOT EXISTS audits (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, profile TEXT NOT NULL,
  revision TEXT);
CREATE TABLE IF NOT EXISTS metrics (
  audit INTEGER NOT NULL REFERENCES audits(id), path TEXT NOT NULL, metric TEXT NOT NULL,
  value REAL NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_by_page ON metrics(path, metric);
"""


def values(page: dict[str, Any]) -> dict[str, float]:
    """The tracked values of a measured page's JSON."""
    out = {k: float(v) for k, v in (page.get("metrics") or {}).items() if k in TRACKED}
    for key in ("total", "script"):
        if key in (page.get("bytes") or {}):
            out[f"bytes.{key}"] = float(page["bytes"][key])
    return out


def revision(root: Path) -> str | None:
    """The checked-out git commit (short), if the config sits in a git work tree."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


class History:
    """One history database; every method opens and closes its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.executescript(SCHEMA)
            with db:
                yield db
        finally:
            db.close()

    def record(
        self,
        profile: str,
        pages: list[dict[str, Any]],
        rev: str | None = None,
        when: float | None = None,
    ) -> int:
        """Append the measured pages' medians as one audit; returns its id."""
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO audits(time, profile, revision) VALUES (?, ?, ?)",
                (when if when is not None else time.time(), profile, rev),
            )
            audit_id = int(cur.lastrowid or 0)
            rows = [
                (audit_id, p["path"], k, v)
                for p in pages
                if p.get("status") == "measured"
                for k, v in sorted(values(p).items())
            ]
            db.executemany("INSERT INTO metrics(audit, path, metric, value) VALUES (?,?,?,?)", rows)
        return audit_id

    def series(
        self, path: str, profile: str, limit: int = 30
    ) -> dict[str, list[tuple[float, float, str | None]]]:
        """metric → [(time, value, revision)] of the last ``limit`` audits, oldest first."""
        out: dict[str, list[tuple[float, float, str | None]]] = {}
        with self._db() as db:
            rows = db.execute(
                "SELECT a.time, m.metric, m.value, a.revision FROM metrics m "
                "JOIN audits a ON a.id = m.audit WHERE m.path = ? AND a.profile = ? "
                "AND a.id IN (SELECT a2.id FROM audits a2 JOIN metrics m2 ON m2.audit = a2.id "
                "WHERE m2.path = ? AND a2.profile = ? GROUP BY a2.id ORDER BY a2.id DESC "
                "LIMIT ?) ORDER BY a.id",
                (path, profile, path, profile, limit),
            ).fetchall()
        for when, metric, value, rev in rows:
            out.setdefault(metric, []).append((float(when), float(value), rev))
        return out

    def regressions(
        self, page: dict[str, Any], profile: str, tolerance: float
    ) -> list[tuple[str, float, float]]:
        """(metric, value, baseline median) for each tracked metric of ``page`` worse than the
        history's median by more than ``tolerance`` percent (and the absolute floor)."""
        hist = self.series(page["path"], profile, WINDOW)
        out = []
        for metric, value in sorted(values(page).items()):
            past = [v for _, v, _ in hist.get(metric, [])]
            if not past:
                continue
            base = statistics.median(past)
            floor = max(FLOOR.get(metric, FLOOR_MS), NOISE_K * noise(past))
            if value - base > floor and value > base * (1 + tolerance / 100.0):
                out.append((metric, value, base))
        return out
