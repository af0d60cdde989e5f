"""Formatting of audit values shared by the terminal table, Markdown and the HTML report."""

from __future__ import annotations

from typing import Any


def fmt_metric(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    if key == "cls":
        return f"{value:.3f}"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.0f} ms"


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "–"
    if n >= 1024 * 1024:
        return f"{n / 1048576:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n:.0f} B"


def table_rows(doc: dict[str, Any]) -> list[list[str]]:
    """The terminal table: a header row, then one row per page."""
    rows = [
        [
            "page",
            "status",
            "TTFB",
            "FCP",
            "LCP",
            "CLS",
            "TBT",
            "load",
            "JS",
            "total",
            "requests",
            "repeat (hashed)",
        ]
    ]
    for p in doc["pages"]:
        if p["status"] != "measured":
            rows.append([p["path"], "errored", *(["–"] * 10)])
            continue
        m, b = p["metrics"], p["bytes"]
        rows.append(
            [
                p["path"],
                "pass" if p["passed"] else "FAIL",
                *(fmt_metric(k, m[k]) for k in ("ttfb", "fcp", "lcp", "cls", "tbt", "load")),
                fmt_bytes(b["script"]),
                fmt_bytes(b["total"]),
                str(p["requests"]["total"]),
                fmt_bytes((p.get("repeat_view") or {}).get("bytes", {}).get("hashed")),
            ]
        )
    return rows


def failures(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(level, page or flow, message) for every failed check, errors first."""
    out = []
    for p in doc["pages"]:
        for c in p.get("checks") or []:
            if not c["passed"]:
                where = f" ({c['template']}:{c['line']})" if c.get("template") else ""
                out.append((c["level"], p["path"], f"{c['id']}: {c.get('message', '')}{where}"))
    for f in doc.get("flows") or []:
        for c in f.get("checks") or []:
            if not c["passed"]:
                out.append((c["level"], f"flow {f['name']!r}", f"{c['id']}: {c.get('message')}"))
    return sorted(out, key=lambda f: f[0] != "error")


def slug(path: str) -> str:
    """A file-name-safe, collision-free name for a page path: readable letters, plus a short
    hash of the exact path, so ``/x`` and ``/x/`` (or ``/a/b`` and ``/a_b``) never share
    pictures."""
    import hashlib
    import re

    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/"))[:60] or "index"
    return f"{readable}-{hashlib.sha256(path.encode()).hexdigest()[:6]}"
