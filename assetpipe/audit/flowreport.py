"""The HTML report's table of user flows (``flows``): per flow its verdict, INP and CLS (the
aggregate over the runs, with each run's value), each step's latency and the failed checks."""

from __future__ import annotations

from html import escape
from typing import Any

from .summary import fmt_metric


def _runs(key: str, values: list[float | None] | None) -> str:
    """Each run's value, in a smaller line under the aggregate (nothing for a single run)."""
    if not values or len(values) < 2:
        return ""
    each = " / ".join(fmt_metric(key, v) for v in values)
    return f'<br><small title="each run">{escape(each)}</small>'


def flows_html(flows: list[dict[str, Any]]) -> str:
    """A report section with one row per flow (the login first); empty without flows."""
    if not flows:
        return ""
    rows = []
    for f in flows:
        cls = {"passed": "ok", "failed": "bad", "errored": "bad"}[f["verdict"]]
        per_run = f.get("per_run") or {}
        steps = "<br>".join(
            f"{escape(s['kind'])} <code>{escape(s['selector'])}</code>"
            + (f" — {s['latency_ms']:.0f} ms" if s["latency_ms"] is not None else "")
            + (
                f" <small>({escape(' / '.join(fmt_metric('tbt', v) for v in s['latencies']))})"
                "</small>"
                if len(s.get("latencies") or ()) > 1 and s["latency_ms"] is not None
                else ""
            )
            for s in f["steps"]
        )
        failed = "<br>".join(
            escape(c.get("message") or c["id"]) for c in f.get("checks") or [] if not c["passed"]
        )
        runs = f.get("runs", 1)
        how = f"{escape(f.get('aggregate', 'median'))} of {runs}" if runs > 1 else "1"
        rows.append(
            f'<tr><td>{escape(f["name"])}</td><td class="{cls}">{escape(f["verdict"])}</td>'
            f"<td>{how}</td>"
            f"<td>{escape(fmt_metric('tbt', f['inp']))}{_runs('tbt', per_run.get('inp'))}</td>"
            f"<td>{escape(fmt_metric('cls', f['cls']))}{_runs('cls', per_run.get('cls'))}</td>"
            f"<td>{steps}</td><td>{failed or '–'}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("flow", "verdict", "runs", "INP", "CLS", "steps (latency)", "failed")
    )
    return (
        '<section class="page"><h2>User flows</h2><table class="overview">'
        f"<tr>{head}</tr>{''.join(rows)}</table></section>"
    )
